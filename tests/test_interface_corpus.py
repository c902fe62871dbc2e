"""Conformance of the domain interface model over libvirt's own test documents."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

import virtnetlib
from tests.conftest import CORPUS, corpus_entries, libvirt_rng, need_module
from tests.xmlcompare import xml_equal

DOMAIN = (
    "<domain type='test'><name>vnl-iface</name><memory>1048576</memory>"
    "<os><type>hvm</type></os><devices>{}</devices></domain>"
)


def interface_rng() -> etree.RelaxNG:
    """libvirt's domain grammar with the interface device as its start."""
    return libvirt_rng("domaincommon.rng#interface")


@pytest.mark.parametrize("entry", corpus_entries("interface", lambda e: bool(e["rng"])))
def test_schema_valid_interfaces_parse_strictly_and_fully(entry: dict[str, Any]) -> None:
    source = (CORPUS / entry["file"]).read_bytes()
    iface = virtnetlib.Interface.from_xml(source)
    assert iface.type == etree.fromstring(source).get("type")
    assert xml_equal(iface.to_xml(), source)
    assert virtnetlib.unmodeled(iface) == []
    rng = interface_rng()
    assert rng.validate(etree.fromstring(iface.to_xml().encode())), rng.error_log


@pytest.mark.parametrize("entry", corpus_entries("interface", lambda e: not e["rng"]))
def test_schema_invalid_interfaces_fail_cleanly_or_pass_through(entry: dict[str, Any]) -> None:
    source = (CORPUS / entry["file"]).read_bytes()
    try:
        virtnetlib.Interface.from_xml(source)
    except virtnetlib.ParseError as exc:
        assert exc.line is not None
        assert exc.path is not None
        assert exc.path.startswith("/interface")
    lenient = virtnetlib.Interface.from_xml(source, strict=False)
    assert xml_equal(lenient.to_xml(), source)


@pytest.mark.parametrize("entry", corpus_entries("interface", lambda e: bool(e["libvirt_xml"])))
def test_libvirt_output_round_trips_byte_for_byte(entry: dict[str, Any]) -> None:
    text = entry["libvirt_xml"]
    assert virtnetlib.Interface.from_xml(text).to_xml() == text


def _libvirt_interface(conn: Any, iface_xml: str) -> str:
    dom = conn.defineXML(DOMAIN.format(iface_xml))
    try:
        root = etree.fromstring(dom.XMLDesc(0).encode())
    finally:
        dom.undefine()
    (el,) = root.iterfind("devices/interface")
    return etree.tostring(el, encoding="unicode")


@pytest.mark.libvirt
@pytest.mark.parametrize("entry", corpus_entries("interface", lambda e: bool(e["rng"])))
def test_libvirt_reads_our_output_like_the_original(entry: dict[str, Any], test_conn: Any) -> None:
    """Define the original and our output in a domain on libvirt's test driver."""
    libvirt = need_module("libvirt", "libvirt-python: the test driver is the reference")
    source = (CORPUS / entry["file"]).read_text()
    ours = virtnetlib.Interface.from_xml(source).to_xml()
    try:
        expected = _libvirt_interface(test_conn, source)
    except libvirt.libvirtError as exc:
        with pytest.raises(libvirt.libvirtError) as info:
            _libvirt_interface(test_conn, ours)
        assert str(info.value) == str(exc)
        return
    got = _libvirt_interface(test_conn, ours)
    assert _drop_generated(got, source) == _drop_generated(expected, source)


def _drop_generated(xml: str, source: str) -> str:
    """Remove what libvirt invents when the input lacks it: a MAC and port ids."""
    root = etree.fromstring(xml.encode())
    original = etree.fromstring(source.encode())
    if original.find("mac") is None:
        for el in root.findall("mac"):
            root.remove(el)
    for attr in ("instanceid", "interfaceid"):
        if not original.xpath(f"virtualport/parameters/@{attr}"):
            for el in root.iterfind("virtualport/parameters"):
                el.attrib.pop(attr, None)
    return etree.tostring(root, encoding="unicode")
