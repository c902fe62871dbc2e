"""The domain interface model: the RHEL 10 guide's examples, types, passt, hostdev, domains."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import virtnetlib
from tests.conftest import libvirt_rng, unavailable
from virtnetlib import (
    BridgeInterface,
    BridgeSource,
    HostdevInterface,
    Interface,
    NetworkInterface,
    NetworkSource,
    ParseError,
    PortForward,
    PortForwardRange,
    UserInterface,
)

GUIDE_PASST_MINIMAL = """\
<interface type='user'>
  <backend type='passt'/>
</interface>
"""

GUIDE_PASST_FULL = """\
<interface type='user'>
  <backend type='passt'/>
  <mac address="52:54:00:98:d8:b7"/>
  <source dev='eth0'/>
  <ip family='ipv4' address='192.0.2.1' prefix='24'/>
  <ip family='ipv6' address='::ffff:c000:201'/>
  <portForward proto='tcp'>
    <range start='2022' to='22'/>
  </portForward>
  <portForward proto='udp' address='1.2.3.4'>
     <range start='5000' end='5020' to='6000'/>
     <range start='5010' end='5015' exclude='yes'/>
  </portForward>
  <portForward proto='tcp' address='2001:db8:ac10:fd01::1:10' dev='eth0'>
    <range start='8080'/>
    <range start='4433' to='3444'/>
  </portForward>
</interface>
"""

GUIDE_PASST_FULL_LIBVIRT = """\
<interface type='user'>
  <mac address='52:54:00:98:d8:b7'/>
  <source dev='eth0'/>
  <ip address='192.0.2.1' family='ipv4' prefix='24'/>
  <ip address='::ffff:c000:201' family='ipv6'/>
  <portForward proto='tcp'>
    <range start='2022' to='22'/>
  </portForward>
  <portForward proto='udp' address='1.2.3.4'>
    <range start='5000' end='5020' to='6000'/>
    <range start='5010' end='5015' exclude='yes'/>
  </portForward>
  <portForward proto='tcp' address='2001:db8:ac10:fd01::1:10' dev='eth0'>
    <range start='8080'/>
    <range start='4433' to='3444'/>
  </portForward>
  <backend type='passt'/>
</interface>
"""

GUIDE_PXE_NETWORK = """\
<interface type='network'>
  <mac address='52:54:00:66:79:14'/>
  <source network='default'/>
  <target dev='vnet0'/>
  <alias name='net0'/>
  <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
  <boot order='1'/>
</interface>
"""

GUIDE_PXE_BRIDGE = """\
<interface type='bridge'>
  <mac address='52:54:00:5a:ad:cb'/>
  <source bridge='breth0'/>
  <target dev='vnet0'/>
  <alias name='net0'/>
  <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
  <boot order='1'/>
</interface>
"""

VIRSH_HOSTDEV = """\
<interface type='hostdev' managed='yes'>
  <mac address='52:54:00:00:01:01'/>
  <source>
    <address type='pci' domain='0x0000' bus='0x82' slot='0x10' function='0x0'/>
  </source>
</interface>
"""


def _valid(iface: Interface) -> None:
    rng = libvirt_rng("domaincommon.rng#interface")
    assert rng.validate(etree.fromstring(iface.to_xml().encode())), rng.error_log


# ------------------------------------------------------------------ guide examples


def test_guide_passt_minimal() -> None:
    iface = Interface.from_xml(GUIDE_PASST_MINIMAL)
    assert isinstance(iface, UserInterface)
    assert iface.type == "user"
    assert iface.backend is not None
    assert iface.backend.type == "passt"
    assert iface.to_xml() == GUIDE_PASST_MINIMAL
    _valid(iface)


def test_guide_passt_full_in_libvirt_order_and_mappings() -> None:
    iface = Interface.from_xml(GUIDE_PASST_FULL)
    assert iface.to_xml() == GUIDE_PASST_FULL_LIBVIRT
    assert virtnetlib.unmodeled(iface) == []
    _valid(iface)
    tcp, udp, tcp6 = iface.port_forwards
    assert tcp.mappings() == {2022: 22}
    expected_udp = {p: p + 1000 for p in [*range(5000, 5010), *range(5016, 5021)]}
    assert udp.mappings() == expected_udp
    assert tcp6.mappings() == {8080: 8080, 4433: 3444}
    assert tcp.passt_options() == ["--tcp-ports", "2022:22"]
    assert udp.passt_options() == ["--udp-ports", "1.2.3.4/5000-5020:6000-6020,~5010-5015"]
    assert tcp6.passt_options() == [
        "--tcp-ports",
        "2001:db8:ac10:fd01::1:10%eth0/8080,4433:3444",
    ]


@pytest.mark.parametrize(
    ("xml", "cls", "source"),
    [
        (GUIDE_PXE_NETWORK, NetworkInterface, "default"),
        (GUIDE_PXE_BRIDGE, BridgeInterface, "breth0"),
    ],
)
def test_guide_pxe_boot_interfaces(xml: str, cls: type[Interface], source: str) -> None:
    iface = Interface.from_xml(xml)
    assert type(iface) is cls
    assert iface.boot is not None
    assert iface.boot.order == 1
    # libvirt writes <boot> before <alias> and <address>
    lines = xml.splitlines(keepends=True)
    boot = lines.pop(-2)
    lines.insert(4, boot)
    assert iface.to_xml() == "".join(lines)
    _valid(iface)
    name = "network" if cls is NetworkInterface else "bridge"
    assert getattr(getattr(iface, "source"), name) == source  # noqa: B009


def test_hostdev_vf_helper_matches_virsh_attach_interface(tmp_path: Path) -> None:
    iface = HostdevInterface.for_vf("0000:82:10.0", "52:54:00:00:01:01")
    assert iface.to_xml() == VIRSH_HOSTDEV
    assert iface.managed is True
    assert str(iface.source.address) == "0000:82:10.0"
    _valid(iface)
    virsh = shutil.which("virsh")
    if virsh is None:
        unavailable("virsh (Debian package libvirt-clients) is not installed")
        return
    node = tmp_path / "node.xml"
    node.write_text(
        "<node><domain type='test'><name>vm</name><memory>1024</memory>"
        "<os><type>hvm</type></os></domain></node>"
    )
    proc = subprocess.run(
        [
            virsh,
            "-c",
            f"test://{node}",
            "attach-interface",
            "vm",
            "hostdev",
            "0000:82:10.0",
            "--mac",
            "52:54:00:00:01:01",
            "--managed",
            "--print-xml",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert Interface.from_xml(proc.stdout) == iface


@pytest.mark.libvirt
def test_hostdev_vf_is_stored_by_libvirt_as_built(test_conn: Any) -> None:
    iface = HostdevInterface.for_vf("0000:82:10.0", "52:54:00:00:01:01")
    dom = test_conn.defineXML(
        "<domain type='test'><name>vm</name><memory>1024</memory><os><type>hvm</type></os>"
        f"<devices>{iface.to_xml()}</devices></domain>"
    )
    try:
        (stored,) = virtnetlib.domain_interfaces(dom.XMLDesc(0))
    finally:
        dom.undefine()
    assert isinstance(stored, HostdevInterface)
    assert stored.target is not None  # libvirt names the device
    stored.target = None
    assert stored == iface


# ------------------------------------------------------------------ types


def test_type_is_derived_and_sources_are_checked() -> None:
    iface = NetworkInterface(source=NetworkSource(network="default"))
    assert iface.type == "network"
    assert (
        iface.to_xml()
        == "<interface type='network'>\n  <source network='default'/>\n</interface>\n"
    )
    with pytest.raises(virtnetlib.FieldValueError):
        NetworkInterface(source=BridgeSource(bridge="br0"))  # type: ignore[arg-type]
    with pytest.raises(virtnetlib.FieldValueError, match="abstract"):
        Interface()
    with pytest.raises(TypeError):
        NetworkInterface()  # missing the required source


@pytest.mark.parametrize("kind", sorted(k for k in virtnetlib.INTERFACE_TYPES if k))
def test_every_type_has_its_class(kind: str) -> None:
    cls = virtnetlib.INTERFACE_TYPES[kind]
    assert issubclass(cls, Interface)
    assert cls.__xml_const__ == (("type", kind),)


def test_parse_tells_domain_from_host_interfaces() -> None:
    assert isinstance(virtnetlib.parse(GUIDE_PXE_BRIDGE), BridgeInterface)
    assert isinstance(virtnetlib.parse("<interface dev='eth1'/>"), virtnetlib.ForwardInterface)
    host = virtnetlib.parse("<interface type='bridge' name='br0'><bridge/></interface>")
    assert isinstance(host, virtnetlib.BridgeHostInterface)
    assert isinstance(
        virtnetlib.parse("<interface type='vlan'><vlan tag='4'/></interface>"),
        virtnetlib.VlanHostInterface,
    )


@pytest.mark.parametrize(
    ("xml", "path", "words"),
    [
        ("<interface type='wifi'/>", "/interface/@type", "one of 'network'"),
        ("<interface/>", "/interface/@type", "missing attribute 'type'"),
        ("<interface type='network'/>", "/interface", "missing required element <source>"),
        (
            "<interface type='network'><source network='n'/><mac address='52:54'/></interface>",
            "/interface/mac/@address",
            "MAC",
        ),
        (
            "<interface type='user'><portForward proto='sctp'/></interface>",
            "/interface/portForward/@proto",
            "'tcp', 'udp'",
        ),
        (
            (
                "<interface type='hostdev'><source><address type='pci' bus='0x100'/></source>"
                "</interface>"
            ),
            "/interface/source/address/@bus",
            "0xff",
        ),
        (
            "<interface type='network'><source network='n'/><boot order='0'/></interface>",
            "/interface/boot/@order",
            "from 1",
        ),
    ],
)
def test_bad_interfaces_name_the_place(xml: str, path: str, words: str) -> None:
    with pytest.raises(ParseError) as info:
        Interface.from_xml(xml)
    assert info.value.path == path
    assert info.value.line == 1
    assert words in str(info.value)


# ------------------------------------------------------------------ port forwarding


def test_mappings_without_ranges_is_all_ports() -> None:
    fwd = PortForward(proto="tcp")
    assert fwd.passt_options() == ["--tcp-ports", "all"]
    with pytest.raises(virtnetlib.UsageError, match="every port") as info:
        fwd.mappings()
    assert isinstance(info.value, ValueError)


def test_exclude_wins_over_overlapping_ranges() -> None:
    fwd = PortForward(
        proto="tcp",
        ranges=[
            PortForwardRange(start=100, end=110, to=200),
            PortForwardRange(start=105, exclude=True),
        ],
    )
    assert 105 not in fwd.mappings()
    assert fwd.mappings()[106] == 206


# ------------------------------------------------------------------ domains

DOMAIN = """\
<?xml version="1.0"?>
<!-- hand-kept VM -->
<domain type="kvm" xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">
    <name>vm1</name>
    <devices>
        <disk type="file"><source file="/images/a&gt;b.img"/></disk>
        <interface type="network">
            <mac address="52:54:00:AA:00:01"/>
            <source network="default"/>
        </interface>
        <interface type='bridge'><source bridge='br0'/></interface>
        <!-- <interface type='fake'/> -->
    </devices>
    <qemu:commandline><qemu:arg value="-s"/></qemu:commandline>
</domain>
"""


def test_domain_interfaces_are_models_with_domain_paths() -> None:
    first, second = virtnetlib.domain_interfaces(DOMAIN)
    assert isinstance(first, NetworkInterface)
    assert first.mac_address == "52:54:00:AA:00:01"
    assert isinstance(second, BridgeInterface)
    with pytest.raises(ParseError) as info:
        virtnetlib.domain_interfaces(DOMAIN.replace("52:54:00:AA:00:01", "zz"))
    assert info.value.path == "/domain/devices/interface[1]/mac/@address"
    assert info.value.line == 8
    with pytest.raises(ParseError, match="expected a <domain>"):
        virtnetlib.domain_interfaces("<network/>")


def test_replace_keeps_every_other_byte() -> None:
    new = NetworkInterface(source=NetworkSource(network="pxe"), boot=virtnetlib.Boot(order=1))
    out = virtnetlib.replace_interface(DOMAIN, "52:54:00:aa:00:01", new)
    start = DOMAIN.index('<interface type="network">')
    end = DOMAIN.index("</interface>") + len("</interface>")
    assert out[:start] == DOMAIN[:start]
    assert out.endswith(DOMAIN[end:])
    assert out[start : len(out) - len(DOMAIN) + end] == (
        "<interface type='network'>\n"
        "          <source network='pxe'/>\n"
        "          <boot order='1'/>\n"
        "        </interface>"
    )
    assert virtnetlib.domain_interfaces(out)[0] == new


def test_append_and_remove_keep_every_other_byte() -> None:
    vf = HostdevInterface.for_vf("0000:82:10.0", "52:54:00:00:01:01")
    added = virtnetlib.append_interface(DOMAIN, vf)
    anchor = "<interface type='bridge'><source bridge='br0'/></interface>"
    cut = DOMAIN.index(anchor) + len(anchor)
    assert added.startswith(DOMAIN[:cut] + "\n        <interface type='hostdev' managed='yes'>\n")
    assert added.endswith(DOMAIN[cut:])
    assert virtnetlib.domain_interfaces(added)[-1] == vf
    removed = virtnetlib.remove_interface(added, -1)
    assert removed == DOMAIN
    without_first = virtnetlib.remove_interface(DOMAIN, 0)
    assert '<interface type="network">' not in without_first
    assert without_first.count("\n") == DOMAIN.count("\n") - 4
    assert "<!-- <interface type='fake'/> -->" in without_first


def test_append_into_empty_and_missing_devices() -> None:
    vf = HostdevInterface.for_vf("0000:82:10.0")
    for dom in (
        "<domain><name>x</name><devices/></domain>",
        "<domain><name>x</name>\n  <devices>\n  </devices>\n</domain>",
        "<domain><name>x</name></domain>",
        "<domain/>",
    ):
        out = virtnetlib.append_interface(dom, vf)
        assert virtnetlib.domain_interfaces(out) == [vf]


def test_selecting_a_missing_interface_is_an_error() -> None:
    with pytest.raises(virtnetlib.Error, match="no interface 5"):
        virtnetlib.remove_interface(DOMAIN, 5)
    with pytest.raises(virtnetlib.Error, match="no interface with MAC"):
        virtnetlib.remove_interface(DOMAIN, "52:54:00:00:00:99")


def test_formatting_every_interface_in_one_pass_equals_replacing_each() -> None:
    from virtnetlib._models.domain import format_interfaces

    one_by_one = DOMAIN
    for index, iface in enumerate(virtnetlib.domain_interfaces(DOMAIN, strict=False)):
        one_by_one = virtnetlib.replace_interface(one_by_one, index, iface)
    assert format_interfaces(DOMAIN) == one_by_one
    assert format_interfaces(DOMAIN.encode()) == one_by_one
    assert "<interface type='bridge'>\n          <source bridge='br0'/>" in one_by_one
    assert "<!-- <interface type='fake'/> -->" in one_by_one
    with pytest.raises(ParseError, match="expected a <domain>"):
        format_interfaces("<network/>")


def test_domain_helpers_refuse_what_they_cannot_use() -> None:
    domain = "<domain type='kvm'><name>d</name><devices/></domain>"
    with pytest.raises(virtnetlib.UsageError, match="expected an Interface model, got str"):
        virtnetlib.append_interface(domain, "<interface type='user'/>")  # type: ignore[arg-type]
    with pytest.raises(virtnetlib.UsageError, match=r"by index or MAC address, not 1\.5"):
        virtnetlib.remove_interface(domain, 1.5)  # type: ignore[arg-type]


def test_domain_edits_touch_only_libvirts_interfaces() -> None:
    """An <interface> in another namespace is spelled like libvirt's: the text
    splicer and the models must agree on which ones are the domain's."""
    new = virtnetlib.NetworkInterface(source=virtnetlib.NetworkSource(network="other"))
    foreign = "<interface xmlns='urn:x' type='network'/>"
    ours = (
        "<interface type='network'><mac address='52:54:00:00:00:01'/>"
        "<source network='default'/></interface>"
    )
    doc = f"<domain><devices>{foreign}{ours}</devices></domain>"
    assert len(virtnetlib.domain_interfaces(doc)) == 1
    for which in (0, "52:54:00:00:00:01"):
        out = virtnetlib.replace_interface(doc, which, new)
        assert foreign in out
        assert "network='other'" in out
        assert "network='default'" not in out
    assert virtnetlib.remove_interface(doc, 0) == f"<domain><devices>{foreign}</devices></domain>"
    inside = "<domain><devices xmlns='urn:x'><interface type='network'/></devices></domain>"
    assert virtnetlib.domain_interfaces(inside) == []
    with pytest.raises(virtnetlib.Error, match="has 0 interfaces"):
        virtnetlib.replace_interface(inside, 0, new)
    appended = virtnetlib.append_interface(inside, new)
    assert appended.startswith(inside[: -len("</domain>")])  # the foreign devices untouched
    assert len(virtnetlib.domain_interfaces(appended)) == 1
