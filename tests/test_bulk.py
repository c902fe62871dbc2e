"""Long runs checked in bulk (virtnetlib._validation.bulk) give the grammar's own verdict.

libvirt's corpus documents get one of their repeatable elements copied into
a long run (contiguous, with comments amid, or split by another element),
then damaged in one member or not; the bulk verdict must equal libxml2's on
the whole document, and the problems found must be the same ones.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from lxml import etree

import virtnetlib
from tests.conftest import CORPUS, manifest, unavailable
from virtnetlib._validation import bulk as _bulk
from virtnetlib._validation import schema as _schema

KINDS = {"network": "network", "interface": "interface", "hostinterface": "hostinterface"}
NEAR_MISSES = ["", "x", "-1", "0x1g", "198.51.100.256", "52:54:00:00:00", "yes", "2001:db8::g"]


def _documents(kind: str) -> list[Any]:
    docs = [
        etree.parse(str(CORPUS / e["file"])).getroot()
        for e in manifest()
        if e["kind"] == kind and e["rng"]
    ]
    if not docs:
        unavailable(f"corpus not found at {CORPUS}")
    return docs


def _damage(el: Any, rnd: random.Random) -> str:
    """Change ``el`` in one of the ways documents go wrong; say how."""
    how = rnd.choice(["value", "drop", "unknown attribute", "unknown child", "rename", "text"])
    names = list(el.attrib)
    if how == "value" and names:
        el.set(rnd.choice(names), rnd.choice(NEAR_MISSES))
    elif how == "drop" and names:
        del el.attrib[rnd.choice(names)]
    elif how == "unknown attribute":
        el.set("bogus", "1")
    elif how == "unknown child":
        etree.SubElement(el, "bogus")
    elif how == "rename":
        el.tag = "bogus"
    else:
        el.text = "stray text"
    return how


def _inflated(root: Any, rules: Any, rnd: random.Random) -> tuple[Any, str] | None:
    """A copy of ``root`` with one bulk-checkable element copied into a long run."""
    doc = copy.deepcopy(root)
    candidates = [
        el
        for el in doc.iter(etree.Element)
        if el.getparent() is not None and rules.checkable(el.getparent().tag, el.tag)
    ]
    if not candidates:
        return None
    el = rnd.choice(candidates)
    parent = el.getparent()
    at = parent.index(el)
    count = _bulk.RUN_FROM + rnd.randrange(0, 40)
    layout = rnd.choice(["contiguous", "comments", "split"])
    copies = []
    for i in range(count):
        twin = copy.deepcopy(el)
        twin.tail = "\n"
        copies.append(twin)
        if layout == "comments" and i % 7 == 3:
            copies.append(etree.Comment(" amid "))
    if layout == "split":  # another element in the middle: two runs, or one long and one short
        copies.insert(rnd.randrange(1, len(copies)), etree.Element("interrupting"))
    parent[at : at + 1] = copies
    what = layout
    if rnd.random() < 0.7:
        victims = [c for c in copies if isinstance(c.tag, str) and c.tag == el.tag]
        what += ", " + _damage(rnd.choice(victims), rnd)
    return doc, what


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_bulk_verdict_is_the_grammars(kind: str) -> None:
    schemas = _schema.load_schemas()
    compiled = schemas._load(kind)
    rnd = random.Random(f"bulk {kind}")
    compared = bulk_used = 0
    docs = _documents(kind)
    for root in docs:
        for _ in range(max(6, 600 // len(docs))):
            made = _inflated(root, compiled.bulk, rnd)
            if made is None:
                break
            doc, what = made
            expected = bool(compiled.rng.validate(doc))
            used = bool(compiled.bulk.runs(doc))
            assert schemas.accepts(kind, doc) == expected, (what, etree.tostring(doc)[:3000])
            compared += 1
            bulk_used += used
    assert compared > 100
    assert bulk_used > compared // 2, "the bulk check was seldom in use"


def test_libvirts_repeated_elements_are_checkable() -> None:
    """The runs a large network holds: read from libvirt's grammar, not listed by hand."""
    rules = _schema.load_schemas()._load("network").bulk
    for parent, child in [
        ("dhcp", "host"),
        ("dhcp", "range"),
        ("dns", "host"),
        ("dns", "txt"),
        ("dns", "srv"),
        ("network", "portgroup"),
        ("network", "route"),
        ("forward", "interface"),
        ("host", "hostname"),  # a DNS host's; a DHCP host has no hostnames
    ]:
        assert rules.checkable(parent, child), (parent, child)


SYNTHETIC = """\
<grammar xmlns="http://relaxng.org/ns/structure/1.0"
         datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start>
    <element name="top">
      <optional><element name="seq">
        <zeroOrMore><element name="a"><attribute name="n"><data type="int"/></attribute>
        </element></zeroOrMore>
        <zeroOrMore><element name="b"><empty/></element></zeroOrMore>
      </element></optional>
      <optional><element name="twice">
        <zeroOrMore><element name="c"><attribute name="x"/></element></zeroOrMore>
        <element name="sep"><empty/></element>
        <zeroOrMore><element name="c"><attribute name="y"/></element></zeroOrMore>
      </element></optional>
      <optional><element name="pairs">
        <zeroOrMore><group><element name="p"><empty/></element>
          <element name="p"><empty/></element></group></zeroOrMore>
      </element></optional>
      <optional><element name="open">
        <zeroOrMore><element><anyName/><empty/></element></zeroOrMore>
        <zeroOrMore><element name="o"><attribute name="k"/></element></zeroOrMore>
      </element></optional>
      <optional><element name="dns">
        <zeroOrMore><element name="h"><oneOrMore><element name="n"><text/></element></oneOrMore>
        </element></zeroOrMore>
      </element></optional>
      <optional><element name="dhcp">
        <zeroOrMore><element name="h"><attribute name="m"/></element></zeroOrMore>
      </element></optional>
      <optional><element name="both">
        <element name="k"><zeroOrMore><element name="n"><text/></element></zeroOrMore></element>
      </element></optional>
      <optional><element name="bothelse">
        <element name="k"><zeroOrMore><element name="n"><empty/></element></zeroOrMore></element>
      </element></optional>
      <optional><element name="mix">
        <interleave>
          <zeroOrMore><element name="m"><attribute name="v"><data type="int"/></attribute>
          </element></zeroOrMore>
          <optional><element name="one"><empty/></element></optional>
        </interleave>
      </element></optional>
    </element>
  </start>
</grammar>
"""


def test_what_may_be_checked_in_bulk_is_read_from_the_grammar() -> None:
    rules = _bulk.BulkRules(etree.fromstring(SYNTHETIC))
    assert rules.checkable("seq", "a")
    assert rules.checkable("seq", "b")
    assert rules.checkable("mix", "m")
    assert not rules.checkable("twice", "c")  # two repetitions: which one matters
    assert not rules.checkable("pairs", "p")  # a group repeats, not the element
    assert not rules.checkable("open", "o")  # any element could be matched instead
    assert rules.checkable("h", "n")  # two <h>, and only one of them has <n>
    assert not rules.checkable("k", "n")  # two <k>, both with <n>: which one is unsaid


@pytest.mark.parametrize("seed", range(3))
def test_synthetic_runs_judge_like_the_grammar(seed: int) -> None:
    grammar = etree.fromstring(SYNTHETIC)
    rng = etree.RelaxNG(grammar)
    rules = _bulk.BulkRules(grammar)
    rnd = random.Random(seed)
    for _ in range(300):
        top = etree.Element("top")
        parent = etree.SubElement(top, rnd.choice(["seq", "mix", "twice", "pairs", "open"]))
        for _ in range(rnd.randrange(60, 140)):
            tag = rnd.choice(["a", "b", "m", "one", "c", "sep", "p", "o", "zz"])
            child = etree.SubElement(parent, tag)
            if tag in ("a", "m"):
                child.set("n" if tag == "a" else "v", rnd.choice(["1", "2", "x"]))
            elif tag in ("c", "o"):
                child.set(rnd.choice(["x", "y", "k"]), "1")
        expected = bool(rng.validate(top))
        runs = rules.runs(top)
        got = bool(rng.validate(_bulk.pruned(top, runs))) and all(
            rules.members_valid(run) for run in runs
        )
        assert got == expected, etree.tostring(top)


def _big_network(bad: dict[int, tuple[str, str]]) -> str:
    hosts = []
    for i in range(2000):
        attrs = {"mac": f"52:54:00:00:{i >> 8:02x}:{i & 255:02x}", "ip": f"10.0.{i >> 8}.{i & 255}"}
        attrs.update(dict([bad[i]]) if i in bad else {})
        hosts.append("      <host " + " ".join(f"{k}='{v}'" for k, v in attrs.items()) + "/>\n")
    return (
        "<network>\n  <name>big</name>\n  <bridge name='virbr9' stp='maybe'/>\n"
        "  <ip address='10.0.0.1' prefix='16'>\n    <dhcp>\n"
        f"{''.join(hosts)}    </dhcp>\n  </ip>\n</network>\n"
    )


def test_problems_in_a_long_run_are_found_where_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each bad member is reported at its own path and line, once; so is the
    problem outside the run; the same findings as without the bulk check."""
    doc = _big_network({10: ("mac", "zz"), 1500: ("ip", "10.0.500.1"), 1999: ("bogus", "1")})
    found = [(p.code, p.line, p.path) for p in virtnetlib.validate(doc) if p.code < "E200"]
    assert found == [
        ("E101", 3, "/network/bridge/@stp"),
        ("E101", 16, "/network/ip/dhcp/host[11]/@mac"),
        ("E101", 1506, "/network/ip/dhcp/host[1501]/@ip"),
        ("E104", 2005, "/network/ip/dhcp/host[2000]/@bogus"),
    ]
    monkeypatch.setattr(_schema, "BULK_FROM", 10**9)  # no bulk check: the plain grammar
    plain = [(p.code, p.line, p.path) for p in virtnetlib.validate(doc) if p.code < "E200"]
    assert plain == found


def test_many_bad_members_are_reported_within_bounds() -> None:
    doc = _big_network(dict.fromkeys(range(0, 2000, 3), ("mac", "zz")))
    problems = virtnetlib.validate(doc)
    bad_macs = [p for p in problems if p.path and p.path.endswith("/@mac")]
    assert len(bad_macs) > 100
    assert all(p.code in ("E101", "E260") for p in bad_macs)


def test_a_parent_with_two_definitions_judges_like_the_grammar() -> None:
    grammar = etree.fromstring(SYNTHETIC)
    rng = etree.RelaxNG(grammar)
    rules = _bulk.BulkRules(grammar)
    names = "".join(f"<n>x{i}</n>" for i in range(100))
    for doc in (
        f"<top><dns><h>{names}</h></dns></top>",  # valid: a DNS <h>
        f"<top><dhcp><h m='1'>{names}</h></dhcp></top>",  # a DHCP <h> has no <n>
        f"<top><dns><h>{names}<n><bad/></n></h></dns></top>",  # one bad member, last
        f"<top><dns><h>{names}</h><h m='1'/></dns></top>",  # an attribute the DNS one lacks
    ):
        top = etree.fromstring(doc)
        runs = rules.runs(top)
        assert runs, doc
        got = bool(rng.validate(_bulk.pruned(top, runs))) and all(
            rules.members_valid(run) for run in runs
        )
        assert got == bool(rng.validate(top)), doc
