"""Conformance of the network model over libvirt's own test documents."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

import virtnetlib
from tests.conftest import CORPUS, corpus_entries, corpus_files, libvirt_rng, need_module
from tests.xmlcompare import xml_equal


@pytest.mark.parametrize("entry", corpus_entries("network"))
def test_parses_and_writes_equal_xml(entry: dict[str, Any]) -> None:
    source = (CORPUS / entry["file"]).read_bytes()
    net = virtnetlib.Network.from_xml(source)
    assert xml_equal(net.to_xml(), source), net.to_xml()


@pytest.mark.parametrize("entry", corpus_entries("network", lambda e: bool(e["libvirt_xml"])))
def test_libvirt_output_round_trips_byte_for_byte(entry: dict[str, Any]) -> None:
    text = entry["libvirt_xml"]
    assert virtnetlib.Network.from_xml(text).to_xml() == text


@pytest.mark.parametrize("entry", corpus_entries("network"))
def test_schema_valid_documents_are_fully_modeled(entry: dict[str, Any]) -> None:
    net = virtnetlib.Network.from_xml(CORPUS / entry["file"])
    if entry["rng"]:
        assert virtnetlib.unmodeled(net) == []


@pytest.mark.parametrize("entry", corpus_entries("network", lambda e: bool(e["rng"])))
def test_output_is_valid_when_input_is(entry: dict[str, Any]) -> None:
    out = virtnetlib.Network.from_xml(CORPUS / entry["file"]).to_xml()
    rng = libvirt_rng("network.rng")
    assert rng.validate(etree.fromstring(out.encode())), rng.error_log


@pytest.mark.libvirt
@pytest.mark.parametrize("entry", corpus_entries("network"))
def test_libvirt_reads_our_output_like_the_original(entry: dict[str, Any], test_conn: Any) -> None:
    """Define the original and our output on libvirt's test driver; libvirt must agree."""
    source = (CORPUS / entry["file"]).read_text()
    ours = virtnetlib.Network.from_xml(source).to_xml()
    if not entry["define_ok"]:
        # libvirt rejects the original; it must reject our output for the same reason
        libvirt = need_module("libvirt", "libvirt-python: the test driver is the reference")
        with pytest.raises(libvirt.libvirtError) as info:
            test_conn.networkDefineXML(ours)
        assert str(info.value) == entry["define_error"]
        return
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


@pytest.mark.libvirt
def test_models_built_in_code_are_accepted_by_libvirt(test_conn: Any) -> None:
    import ipaddress

    net = virtnetlib.Network(
        name="built",
        forward=virtnetlib.Forward(mode="nat"),
        bridge=virtnetlib.NetworkBridge(name="virbr42", stp=True, delay=0),
        domain=virtnetlib.DnsDomain(name="example.test", local_only=True),
        dns=virtnetlib.Dns(
            hosts=[
                virtnetlib.DnsHost(
                    ip=ipaddress.ip_address("198.51.100.7"), hostnames=["web", "www"]
                )
            ]
        ),
        ips=[
            virtnetlib.NetworkIP(
                address=ipaddress.ip_address("198.51.100.1"),
                prefix=24,
                tftp=virtnetlib.Tftp(root="/var/lib/tftpboot"),
                dhcp=virtnetlib.Dhcp(
                    ranges=[
                        virtnetlib.DhcpRange(
                            start=ipaddress.ip_address("198.51.100.100"),
                            end=ipaddress.ip_address("198.51.100.200"),
                            lease=virtnetlib.Lease(expiry=1, unit="hours"),
                        )
                    ],
                    hosts=[
                        virtnetlib.DhcpHost(
                            mac="52:54:00:00:01:01",
                            name="web",
                            ip=ipaddress.ip_address("198.51.100.7"),
                        )
                    ],
                    bootp=virtnetlib.Bootp(file="pxelinux.0"),
                ),
            )
        ],
        portgroups=[virtnetlib.PortGroup(name="engineering", default=True)],
    )
    defined = test_conn.networkDefineXML(net.to_xml())
    try:
        back = virtnetlib.Network.from_xml(defined.XMLDesc(0))
    finally:
        defined.undefine()
    assert back.uuid is not None  # libvirt filled it in
    back.uuid = None
    assert back.ips == net.ips
    assert back.dns == net.dns
    assert back.portgroups == net.portgroups
