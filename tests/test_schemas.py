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
from virtnetlib._schemagen import SCHEMAS as OWN
from virtnetlib._schemagen import generate_all

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
            f"schemas/{name} is stale: run python -m virtnetlib._schemagen {SCHEMAS}"
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
