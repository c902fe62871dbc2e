"""Conformance of the network model over libvirt's own test documents."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

import virtnetlib
from tests.conftest import CORPUS, corpus_entries, corpus_files, libvirt_rng
from tests.xmlcompare import xml_equal


@pytest.mark.parametrize("entry", corpus_entries("network"))
def test_parses_and_writes_equal_xml(entry: dict[str, Any]) -> None:
    source = (CORPUS / entry["file"]).read_bytes()
    net = virtnetlib.Network.from_xml(source)
    assert xml_equal(net.to_xml(), source), net.to_xml()


@pytest.mark.parametrize("entry", corpus_entries("network"))
def test_libvirt_output_round_trips_byte_for_byte(entry: dict[str, Any]) -> None:
    if not entry["libvirt_xml"]:
        pytest.skip(f"libvirt rejected this document: {entry['define_error']}")
    text = entry["libvirt_xml"]
    assert virtnetlib.Network.from_xml(text).to_xml() == text


@pytest.mark.parametrize("entry", corpus_entries("network"))
def test_schema_valid_documents_are_fully_modeled(entry: dict[str, Any]) -> None:
    net = virtnetlib.Network.from_xml(CORPUS / entry["file"])
    if entry["rng"]:
        assert virtnetlib.unmodeled(net) == []


@pytest.mark.parametrize("entry", corpus_entries("network"))
def test_output_is_valid_when_input_is(entry: dict[str, Any]) -> None:
    if not entry["rng"]:
        pytest.skip("libvirt's schema rejects the input")
    out = virtnetlib.Network.from_xml(CORPUS / entry["file"]).to_xml()
    rng = libvirt_rng("network.rng")
    assert rng.validate(etree.fromstring(out.encode())), rng.error_log


@pytest.mark.libvirt
@pytest.mark.parametrize("entry", corpus_entries("network"))
def test_libvirt_reads_our_output_like_the_original(entry: dict[str, Any], test_conn: Any) -> None:
    """Define the original and our output on libvirt's test driver; libvirt must agree."""
    if not entry["define_ok"]:
        pytest.skip(f"libvirt rejects the original: {entry['define_error']}")
    source = (CORPUS / entry["file"]).read_text()
    ours = virtnetlib.Network.from_xml(source).to_xml()
    net = test_conn.networkDefineXML(source)
    expected = net.XMLDesc(0)
    net.undefine()
    net = test_conn.networkDefineXML(ours)
    got = net.XMLDesc(0)
    net.undefine()
    assert _without_generated(got, source) == _without_generated(expected, source)


def _without_generated(xml: str, source: str) -> str:
    """Drop what libvirt invents when the input lacks it (a random uuid and MAC)."""
    root = etree.fromstring(xml.encode())
    original = etree.fromstring(source.encode())
    for tag in ("uuid", "mac"):
        if original.find(tag) is None:
            for el in root.findall(tag):
                root.remove(el)
    return etree.tostring(root, encoding="unicode")


@pytest.mark.parametrize("path", corpus_files("fragment"))
def test_update_fragments_parse_on_their_own(path: Any) -> None:
    text = path.read_text()
    try:
        model = virtnetlib.parse(text)
    except virtnetlib.ParseError as exc:
        # some fragments are deliberately invalid; they must fail cleanly with a location
        assert exc.line is not None or exc.path is not None
        return
    assert xml_equal(model.to_xml(), text)
    assert type(model).from_xml(model.to_xml()) == model
