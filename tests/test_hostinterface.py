"""The host interface model: libvirt's corpus, properties, and the guide's bond advice."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

import virtnetlib
from tests.conftest import CORPUS, corpus_entries, libvirt_rng
from tests.xmlcompare import xml_equal
from virtnetlib import (
    BondHostInterface,
    BridgeHostInterface,
    EthernetHostInterface,
    HostBond,
    HostBridge,
    HostInterface,
    HostMiiMon,
    testing,
)


@pytest.mark.parametrize("entry", corpus_entries("hostinterface"))
def test_corpus_host_interfaces(entry: dict[str, Any]) -> None:
    source = (CORPUS / entry["file"]).read_bytes()
    host = HostInterface.from_xml(source)
    assert host.type == etree.fromstring(source).get("type")
    assert xml_equal(host.to_xml(), source)
    assert virtnetlib.unmodeled(host) == []
    assert HostInterface.from_xml(entry["libvirt_xml"]).to_xml() == entry["libvirt_xml"]
    rng = libvirt_rng("interface.rng")
    assert rng.validate(etree.fromstring(host.to_xml().encode())), rng.error_log


@pytest.mark.libvirt
@pytest.mark.parametrize("entry", corpus_entries("hostinterface"))
def test_libvirt_reads_our_host_interface_like_the_original(
    entry: dict[str, Any], test_conn: Any
) -> None:
    source = (CORPUS / entry["file"]).read_text()
    results = []
    for xml in (source, HostInterface.from_xml(source).to_xml()):
        iface = test_conn.interfaceDefineXML(xml)
        results.append(iface.XMLDesc(0))
        iface.undefine()
    assert results[1] == results[0] == entry["libvirt_xml"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(testing.host_interfaces())
def test_generated_host_interfaces_round_trip_and_validate(host: HostInterface) -> None:
    xml = host.to_xml()
    assert HostInterface.from_xml(xml) == host
    rng = libvirt_rng("interface.rng")
    assert rng.validate(etree.fromstring(xml.encode())), (rng.error_log, xml)


def _bond(mode: str | None, **kw: Any) -> BondHostInterface:
    return BondHostInterface(
        name="bond0",
        bond=HostBond(
            mode=mode,  # type: ignore[arg-type]
            interfaces=[EthernetHostInterface(name="eth0"), EthernetHostInterface(name="eth1")],
            **kw,
        ),
    )


@pytest.mark.parametrize("mode", ["active-backup", "balance-xor", "802.3ad"])
def test_bond_modes_1_2_4_are_fine_under_a_bridge(mode: str) -> None:
    assert _bond(mode, miimon=HostMiiMon(freq=100)).bridge_advice() == []


@pytest.mark.parametrize(
    ("mode", "number"),
    [(None, 0), ("balance-rr", 0), ("broadcast", 3), ("balance-tlb", 5), ("balance-alb", 6)],
)
def test_bond_modes_0_3_5_6_get_advice(mode: str | None, number: int) -> None:
    (advice,) = _bond(mode, miimon=HostMiiMon(freq=100)).bridge_advice()
    assert f"mode {number}" in advice
    assert "1 (active-backup), 2 (balance-xor) and 4 (802.3ad)" in advice


def test_arp_monitoring_gets_advice() -> None:
    host = HostInterface.from_xml((CORPUS / "hostinterface/bond-arp.xml").read_bytes())
    assert isinstance(host, BondHostInterface)
    assert host.monitoring_advice() == [
        "bond bond0 uses ARP monitoring; use MII monitoring (<miimon freq='100'/>) instead"
    ]
    assert _bond("active-backup", miimon=HostMiiMon(freq=100)).monitoring_advice() == []


def test_bridge_over_bond_built_in_code() -> None:
    bond = _bond("active-backup", miimon=HostMiiMon(freq=100))
    bridge = BridgeHostInterface(name="br0", bridge=HostBridge(stp=False, interfaces=[bond]))
    assert bridge.bonds() == [bond]
    assert bridge.to_xml() == (
        "<interface type='bridge' name='br0'>\n"
        "  <bridge stp='off'>\n"
        "    <interface type='bond' name='bond0'>\n"
        "      <bond mode='active-backup'>\n"
        "        <miimon freq='100'/>\n"
        "        <interface type='ethernet' name='eth0'>\n"
        "        </interface>\n"
        "        <interface type='ethernet' name='eth1'>\n"
        "        </interface>\n"
        "      </bond>\n"
        "    </interface>\n"
        "  </bridge>\n"
        "</interface>\n"
    )
    with pytest.raises(virtnetlib.FieldValueError, match="abstract"):
        HostInterface()
