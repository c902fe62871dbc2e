"""virtnetlib's own schemas: current with libvirt 11.3's, and judging exactly like them."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import virtnetlib
from tests.conftest import CORPUS, SCHEMAS, libvirt_rng, manifest
from virtnetlib._validation import schema as _schema
from virtnetlib._validation.schemagen import SCHEMAS as OWN
from virtnetlib._validation.schemagen import generate_all

ROOT = Path(__file__).resolve().parents[1]
LIBVIRT_GRAMMAR = {
    "network": "network.rng",
    "interface": "domaincommon.rng#interface",
    "hostinterface": "interface.rng",
}


def test_checked_in_schemas_are_current(tmp_path: Path) -> None:
    if not (SCHEMAS / "network.rng").exists():
        pytest.skip(f"libvirt schemas not found at {SCHEMAS}")
    generate_all(SCHEMAS, tmp_path, SCHEMAS.name.removeprefix("libvirt-"))
    for name in OWN:
        assert (tmp_path / name).read_text() == (ROOT / "schemas" / name).read_text(), (
            f"schemas/{name} is stale: run python -m virtnetlib._validation.schemagen {SCHEMAS}"
        )


def _mutations(root: Any, rnd: random.Random) -> list[tuple[str, Any]]:
    """Systematic damage: bad enum values, missing attributes, out-of-range numbers,
    unknown elements and duplicated singletons."""
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    attributed = [el for el in elements if el.attrib]
    out = []

    def mutated(change: Any) -> Any:
        doc = copy.deepcopy(root)
        change(doc, [el for el in doc.iter() if isinstance(el.tag, str)])
        return doc

    if attributed:
        index = elements.index(rnd.choice(attributed))
        name = rnd.choice(list(elements[index].attrib))
        out.append(("bad value", mutated(lambda d, els: els[index].set(name, "bogus-value"))))
        out.append(("missing attribute", mutated(lambda d, els: els[index].attrib.pop(name))))
        out.append(("out of range", mutated(lambda d, els: els[index].set(name, "99999999999"))))
    index = rnd.randrange(len(elements))
    out.append(
        ("unknown element", mutated(lambda d, els: els[index].append(etree.Element("vnlUnknown"))))
    )
    if index:
        out.append(
            ("duplicate", mutated(lambda d, els: els[index].addnext(copy.deepcopy(els[index]))))
        )
    return out


@pytest.mark.parametrize("kind", ["network", "interface", "hostinterface"])
def test_verdicts_equal_libvirts_on_corpus_and_mutations(kind: str) -> None:
    entries = [e for e in manifest() if e["kind"] == kind]
    if not entries:
        pytest.skip(f"corpus not found at {CORPUS}")
    theirs = libvirt_rng(LIBVIRT_GRAMMAR[kind])
    rnd = random.Random(kind)
    checked = disagreements = 0
    for entry in entries:
        root = etree.parse(str(CORPUS / entry["file"])).getroot()
        for label, doc in [("original", root), *_mutations(root, rnd)]:
            xml = etree.tostring(doc)
            libvirt_says = bool(theirs.validate(etree.fromstring(xml)))
            ours = virtnetlib.validate(xml, kind=kind)  # type: ignore[arg-type]
            we_say = not any(p.code.startswith("E1") for p in ours)
            checked += 1
            if we_say != libvirt_says:
                disagreements += 1
                print(entry["file"], label, libvirt_says, ours)
            elif not libvirt_says:
                # a rejection always comes with a located explanation
                schema = [p for p in ours if p.code.startswith("E1")]
                assert all(p.path and p.line for p in schema), schema
    assert checked > len(entries)
    assert disagreements == 0


# ------------------------------------------------- the Python-checked patterns

NEAR_MISSES = [
    "198.51.100.1", "198.51.100.256", "198.51.100", "198.051.100.1", "0.0.0.0", "1.2.3.4.5",
    "2001:db8::1", "2001:db8::g", "2001:db8:::1", "::", "::ffff:198.51.100.1", ":1.2.3.4",
    "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "52:54:00:12:34:56",
    "53:54:00:12:34:56", "52:54:00:12:34", "52-54-00-12-34-56", "eth0", "eth 0", "br-0_1.2",
    "a\\b:c/d", "", " ", "ipv4", "ipv6", "IPV4", "tcp", "udp", "0x1f", "17",
    "81ff0d90-c91e-6742-64da-4a736edb9a9b", "0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63",
    "x\ny", "é", "a" * 300,
]  # fmt: skip


def _shortcut(kind: str, where: str | None = None) -> Any:
    return _schema.load_schemas(where)._load(kind).shortcut


@pytest.mark.parametrize("kind", ["network", "interface", "hostinterface"])
def test_patterns_read_in_python_judge_like_libxml2(kind: str) -> None:
    shortcut = _shortcut(kind)
    patterns = {
        p.pattern: p for checks in shortcut.positions.values() for _, ps in checks for p in ps
    }
    assert patterns, "the shortcut checks nothing: it is not in use"
    for pattern in patterns.values():
        grammar = (
            '<element name="v" xmlns="http://relaxng.org/ns/structure/1.0" '
            'datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">'
            f'<attribute name="x"><data type="string"><param name="pattern">'
            f"{escape_pattern(pattern.pattern)}</param></data></attribute></element>"
        )
        rng = etree.RelaxNG(etree.fromstring(grammar))
        for value in NEAR_MISSES:
            doc = etree.Element("v", x=value) if "\n" not in value else None
            if doc is None:
                continue
            assert bool(rng.validate(doc)) == (pattern.fullmatch(value) is not None), (
                pattern.pattern[:60],
                value,
            )


def escape_pattern(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@pytest.mark.parametrize("own", [True, False], ids=["own schemas", "libvirt's"])
@pytest.mark.parametrize("kind", ["network", "interface", "hostinterface"])
def test_shortcut_verdict_is_the_grammars(kind: str, own: bool) -> None:
    """Every checked attribute set to each near miss: same verdict as the plain grammar."""
    entries = [e for e in manifest() if e["kind"] == kind]
    if not entries:
        pytest.skip(f"corpus not found at {CORPUS}")
    where = None if own else str(SCHEMAS)
    if not own and not (SCHEMAS / "network.rng").exists():
        pytest.skip(f"libvirt schemas not found at {SCHEMAS}")
    schemas = _schema.load_schemas(where)
    shortcut, plain = _shortcut(kind, where), schemas.rng(kind)
    rnd = random.Random(kind)
    compared = taken = 0
    for entry in entries:
        root = etree.parse(str(CORPUS / entry["file"])).getroot()
        targets = [
            (i, attribute)
            for i, el in enumerate(root.iter())
            for attribute, _ in shortcut.positions.get(el.tag, ())
            if el.get(attribute) is not None
        ]
        docs = [root]
        for i, attribute in rnd.sample(targets, min(len(targets), 4)):
            for value in rnd.sample(NEAR_MISSES, 6):
                if "\n" in value:
                    continue
                doc = copy.deepcopy(root)
                list(doc.iter())[i].set(attribute, value)
                docs.append(doc)
        for doc in docs:
            expected = bool(plain.validate(doc))
            assert schemas._load(kind).valid(doc) == expected, etree.tostring(doc)
            taken += shortcut.accepts(doc)
            compared += 1
    assert compared > len(entries)
    assert taken > 0, "the shortcut never decided: it is not in use"


SYNTHETIC = """\
<grammar xmlns="http://relaxng.org/ns/structure/1.0"
         datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start><ref name="top"/></start>
  <define name="top">
    <element name="top">
      <optional><attribute name="a"><ref name="digits"/></attribute></optional>
      <optional><attribute name="u"><ref name="either"/></attribute></optional>
      <optional><attribute name="h"><ref name="hexes"/></attribute></optional>
      <zeroOrMore><ref name="kid"/></zeroOrMore>
      <optional><element name="text"><ref name="textnum"/></element></optional>
      <optional><element name="list"><list><oneOrMore><ref name="words"/></oneOrMore></list>
      </element></optional>
      <optional><element><anyName/><attribute name="b"><ref name="hexes"/></attribute>
      </element></optional>
    </element>
  </define>
  <div ns="urn:k">
    <define name="kid">
      <element name="kid">
        <attribute name="a"><ref name="letters"/></attribute>
        <optional><attribute name="q" ns="urn:q"><ref name="digits"/></attribute></optional>
      </element>
    </define>
  </div>
  <define name="digits"><data type="string"><param name="pattern">[0-9]{2}</param></data></define>
  <define name="letters"><data type="string"><param name="pattern">[a-c]+</param></data></define>
  <define name="hexes"><data type="string"><param name="pattern">[0-9a-f]{3}</param></data></define>
  <define name="words"><data type="string"><param name="pattern">[a-c]+</param></data></define>
  <define name="textnum"><data type="string"><param name="pattern">[0-9]{2}</param></data></define>
  <define name="either"><choice><ref name="digits"/><ref name="letters"/></choice></define>
</grammar>
"""


def test_shortcut_keeps_the_grammars_verdict_in_every_position() -> None:
    """Namespaces inherited or own, a union, text, lists and unnamed elements."""
    grammar = etree.ElementTree(etree.fromstring(SYNTHETIC))
    plain = etree.RelaxNG(grammar)
    shortcut = _schema._Shortcut(grammar)
    assert shortcut.rng is not None
    values = ["12", "1", "123", "ab", "abd", "", "fff", "ffg", "a b"]
    # digits, letters and either are checked in Python; words (in a list),
    # textnum (element text) and hexes (an unnamed element) stay in the grammar
    assert {e: [a for a, _ in checks] for e, checks in shortcut.positions.items()} == {
        "top": ["a", "u"],
        "{urn:k}kid": ["a", "{urn:q}q"],
    }
    templates = [
        "<top a='{}'/>",
        "<top h='{}'/>",
        "<top u='{}'/>",
        "<top><k:kid xmlns:k='urn:k' a='{}'/></top>",
        "<top><k:kid xmlns:k='urn:k' xmlns:q='urn:q' a='ab' q:q='{}'/></top>",
        "<top><text>{}</text></top>",
        "<top><list>{}</list></top>",
        "<top><any b='{}'/></top>",
    ]
    decided = 0
    for template in templates:
        for value in values:
            doc = etree.fromstring(template.format(value))
            expected = bool(plain.validate(doc))
            fast = shortcut.accepts(doc)
            assert not fast or expected, template.format(value)  # never accepts wrongly
            assert (fast or bool(plain.validate(doc))) == expected
            decided += fast
    assert decided > 0
