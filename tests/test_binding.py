"""The binding core: unknown XML kept in place, libvirt formatting, errors with locations."""

from __future__ import annotations

import copy
import ipaddress
import os
import pickle
import uuid
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

import virtnetlib
import virtnetlib._core.converters
import virtnetlib._core.converters as conv_mod
import virtnetlib._core.fields
import virtnetlib._core.model
import virtnetlib._core.xml
from tests.conftest import CORPUS, manifest
from tests.xmlcompare import xml_equal
from virtnetlib import Network, NetworkBridge, ParseError, unmodeled
from virtnetlib._core.xml import element_at, element_path, paths_under

FUTURE = """\
<network>
  <name>future</name>
  <!-- managed by an orchestrator -->
  <bridge name='virbr9' futureAttr='x' stp='on'/>
  <futureElement mode='fast'>
    <child/>
  </futureElement>
  <ip address='198.51.100.1' prefix='24'>
    <dhcp>
      <range start='198.51.100.10' end='198.51.100.20'/>
      <futureRangeOption/>
      <range start='198.51.100.30' end='198.51.100.40'/>
    </dhcp>
  </ip>
  <acme:extra xmlns:acme='http://acme.example/ns'>kept</acme:extra>
</network>
"""


def test_unknown_xml_is_kept_in_place_and_listed() -> None:
    net = Network.from_xml(FUTURE)
    out = net.to_xml()
    assert xml_equal(out, FUTURE)
    # unknown element stays after the sibling it followed
    assert out.index("<futureRangeOption/>") > out.index("198.51.100.20")
    assert out.index("<futureRangeOption/>") < out.index("198.51.100.30")
    assert "<!-- managed by an orchestrator -->" in out
    assert unmodeled(net) == [
        "/network/futureElement",
        "/network/acme:extra",
        "/network/bridge/@futureAttr",
        "/network/ips/dhcp/futureRangeOption".replace("ips", "ip"),
    ]


def test_unknown_xml_survives_edits_of_known_fields() -> None:
    net = Network.from_xml(FUTURE)
    assert net.bridge is not None
    net.bridge.stp = False
    net.ips[0].dhcp.ranges.pop()  # type: ignore[union-attr]
    out = net.to_xml()
    assert "stp='off'" in out
    assert "futureAttr='x'" in out
    assert "<futureRangeOption/>" in out  # its anchor range is still there
    assert "198.51.100.30" not in out


def test_orphaned_unknown_nodes_are_not_dropped() -> None:
    net = Network.from_xml(FUTURE)
    net.ips[0].dhcp.ranges.clear()  # type: ignore[union-attr]
    assert "<futureRangeOption/>" in net.to_xml()


def test_libvirt_formatting_of_models_built_in_code() -> None:
    net = Network(
        name="pxe",
        forward=virtnetlib.Forward(mode="nat"),
        bridge=NetworkBridge(name="virbr7", stp=True, delay=0),
        ips=[
            virtnetlib.NetworkIP(
                address=ipaddress.ip_address("198.51.100.1"),
                netmask=ipaddress.IPv4Address("255.255.255.0"),
                tftp=virtnetlib.Tftp(root="/var/lib/tftpboot"),
                dhcp=virtnetlib.Dhcp(
                    ranges=[
                        virtnetlib.DhcpRange(
                            start=ipaddress.ip_address("198.51.100.2"),
                            end=ipaddress.ip_address("198.51.100.254"),
                        )
                    ],
                    bootp=virtnetlib.Bootp(file="pxelinux.0"),
                ),
            )
        ],
    )
    assert net.to_xml() == (
        "<network>\n"
        "  <name>pxe</name>\n"
        "  <forward mode='nat'/>\n"
        "  <bridge name='virbr7' stp='on' delay='0'/>\n"
        "  <ip address='198.51.100.1' netmask='255.255.255.0'>\n"
        "    <tftp root='/var/lib/tftpboot'/>\n"
        "    <dhcp>\n"
        "      <range start='198.51.100.2' end='198.51.100.254'/>\n"
        "      <bootp file='pxelinux.0'/>\n"
        "    </dhcp>\n"
        "  </ip>\n"
        "</network>\n"
    )
    assert Network.from_xml(net.to_xml()) == net


def test_guide_field_names() -> None:
    net = Network.from_xml(
        "<network><name>n</name><forward mode='route'/><bridge name='br1'/>"
        "<dns><host ip='198.51.100.5'><hostname>a</hostname><hostname>b</hostname></host></dns>"
        "<ip address='198.51.100.1' prefix='24'><tftp root='/srv'/><dhcp>"
        "<range start='198.51.100.9' end='198.51.100.99'/><bootp file='boot.ipxe'/></dhcp></ip>"
        "<portgroup name='pg'/></network>"
    )
    assert net.forward is not None
    assert net.forward.mode == "route"
    assert net.bridge is not None
    assert net.bridge.name == "br1"
    ip = net.ips[0]
    assert ip.dhcp is not None
    assert ip.dhcp.bootp is not None
    assert ip.tftp is not None
    assert ip.dhcp.ranges[0].start == ipaddress.ip_address("198.51.100.9")
    assert ip.dhcp.bootp.file == "boot.ipxe"
    assert ip.tftp.root == "/srv"
    assert [p.name for p in net.portgroups] == ["pg"]
    assert net.dns is not None
    assert net.dns.hosts[0].hostnames == ["a", "b"]
    assert str(ip.network) == "198.51.100.0/24"


def test_source_spelling_is_kept_until_the_value_changes() -> None:
    xml = (
        "<network><name>n</name><uuid>81FF0D90C91E674264DA4A736EDB9A9B</uuid>"
        "<bridge delay='007'/><ip address='2001:DB8::1'/></network>"
    )
    net = Network.from_xml(xml)
    out = net.to_xml()
    assert "delay='007'" in out
    assert "2001:DB8::1" in out
    assert "81FF0D90C91E674264DA4A736EDB9A9B" in out
    assert net.bridge is not None
    net.bridge.delay = 8
    assert "delay='8'" in net.to_xml()
    assert net.uuid == uuid.UUID("81ff0d90-c91e-6742-64da-4a736edb9a9b")


def test_escaping_round_trips() -> None:
    net = Network(name="a'b\"c<d>&e", title="line\rbreak\ttab")
    out = net.to_xml()
    assert "<name>a&apos;b&quot;c&lt;d&gt;&amp;e</name>" in out
    assert Network.from_xml(out) == net
    txt = virtnetlib.DnsTxt(name="t", value="multi\nline\tvalue")
    assert virtnetlib.DnsTxt.from_xml(txt.to_xml()) == txt


def test_dnsmasq_namespace_is_declared_for_options() -> None:
    net = Network(
        name="n",
        dnsmasq_options=virtnetlib.DnsmasqOptions(
            options=[virtnetlib.DnsmasqOption(value="cname=a,b")]
        ),
    )
    out = net.to_xml()
    assert out.startswith(
        "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>"
    )
    assert "  <dnsmasq:options>\n    <dnsmasq:option value='cname=a,b'/>\n" in out
    assert Network.from_xml(out) == net
    assert unmodeled(Network.from_xml(out)) == []


def test_namespaced_fragment_declares_its_namespace() -> None:
    opts = virtnetlib.DnsmasqOptions(options=[virtnetlib.DnsmasqOption(value="x=1")])
    out = opts.to_xml()
    assert out.startswith(
        "<dnsmasq:options xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>"
    )
    assert virtnetlib.DnsmasqOptions.from_xml(out) == opts


def test_comments_around_the_root_are_kept() -> None:
    xml = "<!-- header -->\n<network><name>n</name></network>\n<!-- footer -->\n"
    out = Network.from_xml(xml).to_xml()
    assert out.startswith("<!-- header -->\n<network>")
    assert out.endswith("</network>\n<!-- footer -->\n")


def test_comments_amid_a_text_value_are_kept_where_they_were() -> None:
    # libvirt reads the text around them (its name is "nm") and accepts the
    # document; the comment is written back inside the value it was in
    xml = "<network>\n  <name>n<!-- ours -->m</name>\n  <bridge name='b'/>\n</network>\n"
    net = Network.from_xml(xml)
    assert net.name == "nm"
    assert net.to_xml() == xml
    assert virtnetlib.validate(xml) == []
    net.name = "other"  # a new value is written as it is
    assert "<name>other</name>" in net.to_xml()
    # elements inside a text value are still refused
    with pytest.raises(virtnetlib.ParseError, match="holds only text; unexpected child content"):
        Network.from_xml("<network><name>n<b/></name></network>")


def test_comments_amid_a_repeated_text_value_are_kept_where_they_were() -> None:
    # libvirt 9.0 defines this host with the hostnames "ab" and "c"
    xml = (
        "<network>\n  <name>n</name>\n  <dns>\n    <host ip='198.51.100.2'>\n"
        "      <hostname>a<!-- c -->b</hostname>\n      <hostname>c</hostname>\n"
        "      <hostname>d<?pi x?>e<!-- f --></hostname>\n"
        "    </host>\n  </dns>\n</network>\n"
    )
    net = Network.from_xml(xml)
    assert net.dns is not None
    host = net.dns.hosts[0]
    assert host.hostnames == ["ab", "c", "de"]
    assert net.to_xml() == xml
    assert virtnetlib.validate(xml) == []
    host.hostnames[0] = "z"  # a changed item is written as it is, the others as spelled
    host.hostnames.insert(1, "y")
    out = net.to_xml()
    assert "<hostname>z</hostname>\n      <hostname>y</hostname>\n" in out
    assert "<hostname>c</hostname>\n      <hostname>d<?pi x?>e<!-- f --></hostname>" not in out
    assert "<hostname>de</hostname>" in out
    with pytest.raises(virtnetlib.ParseError, match="holds only text; unexpected child content"):
        Network.from_xml(
            "<network><name>n</name><dns><host ip='198.51.100.2'><hostname>a<b/></hostname>"
            "</host></dns></network>"
        )


def test_messages_spell_namespaced_names_as_the_document_does() -> None:
    with pytest.raises(virtnetlib.ParseError, match=r"unexpected attribute 'f:x'$"):
        Network.from_xml("<network xmlns:f='urn:f'><name f:x='1'>n</name></network>")
    # the right name in another namespace says which
    with pytest.raises(
        virtnetlib.ParseError, match="expected a <network> document, got <network xmlns='urn:x'>"
    ):
        Network.from_xml("<network xmlns='urn:x'><name>n</name></network>")
    (problem,) = virtnetlib.validate("<network xml:lang='en'><name>n</name></network>")
    assert problem.path == "/network/@xml:lang"
    assert problem.message.startswith("attribute 'xml:lang' is not allowed on <network>")


@pytest.mark.parametrize("declaration", ["", "<?xml version='1.0' encoding='UTF-8'?>\n"])
@pytest.mark.parametrize("as_bytes", [False, True])
def test_processing_instructions_around_the_root_are_kept(declaration: str, as_bytes: bool) -> None:
    # <?xml-stylesheet?> was taken for the XML declaration and dropped (str input)
    body = "<?xml-stylesheet href='net.xsl'?>\n<?xml-model href='net.rng'?>\n"
    body += "<network><name>n</name></network>\n<?done?>\n"
    xml = declaration + body
    out = Network.from_xml(xml.encode() if as_bytes else xml).to_xml()
    assert out == body.replace(
        "<network><name>n</name></network>", "<network>\n  <name>n</name>\n</network>"
    )


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("xml", "line", "path", "words"),
    [
        (
            "<network>\n<name>n</name>\n<bridge stp='maybe'/>\n</network>",
            3,
            "/network/bridge/@stp",
            "'on' or 'off'",
        ),
        (
            (
                "<network><name>n</name>\n<forward mode='nat'><nat><port start='1' end='70000'/>"
                "</nat></forward></network>"
            ),
            2,
            "/network/forward/nat/port/@end",
            "from 1 to 65535",
        ),
        (
            (
                "<network><name>n</name><ip address='198.51.100.1'/>"
                "<ip address='198.51.100.300'/></network>"
            ),
            1,
            "/network/ip[2]/@address",
            "IPv4 or IPv6",
        ),
        ("<network><name>n</name><mac address='zz'/></network>", 1, "/network/mac/@address", "MAC"),
        ("<network></network>", 1, "/network", "missing required element <name>"),
        (
            "<network><name>a</name><name>b</name></network>",
            1,
            "/network/name[2]",
            "only once",
        ),
        (
            "<network><name>n</name><ip><dhcp><range start='198.51.100.1'/></dhcp></ip></network>",
            1,
            "/network/ip/dhcp/range",
            "'end'",
        ),
        ("<domain/>", 1, "/domain", "expected a <network> document"),
        ("<network><name>n</name>", 1, None, "malformed XML"),
        ("", 1, None, "empty"),
        ("<network><name x='1'>n</name></network>", 1, "/network/name", "only text"),
    ],
)
def test_bad_input_names_line_and_path(xml: str, line: int, path: str | None, words: str) -> None:
    with pytest.raises(ParseError) as info:
        Network.from_xml(xml)
    err = info.value
    assert isinstance(err, virtnetlib.Error)
    assert isinstance(err, ValueError)
    assert err.line == line
    assert err.path == path
    assert words in str(err)


def test_all_value_problems_are_reported_together() -> None:
    with pytest.raises(ParseError) as info:
        Network.from_xml(
            "<network><name>n</name><bridge stp='x' delay='-1'/><mtu size='big'/></network>"
        )
    paths = [i.path for i in info.value.issues]
    assert paths == ["/network/bridge/@stp", "/network/bridge/@delay", "/network/mtu/@size"]
    assert "(and 2 more problems)" in str(info.value)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<network>\n<name>n</name>\n<bridge stp='no'/>\n</network>\n")
    with pytest.raises(ParseError) as info:
        Network.from_xml(path)
    assert str(info.value).startswith(f"{path}:3: /network/bridge/@stp:")
    with pytest.raises(virtnetlib.Error, match="cannot read"):
        Network.from_xml(tmp_path / "missing.xml")


def test_a_file_name_given_as_text_is_named_as_the_mix_up(tmp_path: Path) -> None:
    path = tmp_path / "net.xml"
    path.write_text("<network><name>n</name></network>\n")
    with pytest.raises(ParseError, match=r"pass pathlib\.Path\(\.\.\.\) to read a file"):
        Network.from_xml(str(path))
    with pytest.raises(ParseError, match="pass pathlib"):
        Network.from_xml("missing-network.xml")
    with pytest.raises(ParseError) as info:
        Network.from_xml("default")
    assert str(info.value) == "line 1: expected XML text, got 'default'"
    (problem,) = virtnetlib.validate(str(path))
    assert (problem.code, problem.line) == ("E100", 1)
    assert "pass pathlib" in problem.message
    assert Network.from_xml(path).name == "n"


def test_lenient_parsing_keeps_bad_values_verbatim() -> None:
    xml = (
        "<network><name>n</name><bridge name='br0' stp='maybe'/><forward mode='future'/></network>"
    )
    net = Network.from_xml(xml, strict=False)
    assert net.bridge is not None
    assert net.bridge.stp is None
    assert net.bridge.name == "br0"
    assert net.forward is not None
    assert net.forward.mode is None
    assert "stp='maybe'" in net.to_xml()
    assert "mode='future'" in net.to_xml()
    assert unmodeled(net) == ["/network/forward/@mode", "/network/bridge/@stp"]


def test_lenient_parsing_keeps_duplicates_and_broken_children() -> None:
    xml = (
        "<network><name>n</name><bridge name='a'/><bridge name='b'/>"
        "<ip><dhcp><range start='198.51.100.1'/></dhcp></ip></network>"
    )
    net = Network.from_xml(xml, strict=False)
    out = net.to_xml()
    # kept verbatim, in libvirt's formatting (single quotes)
    assert "<bridge name='b'/>" in out
    assert "<range start='198.51.100.1'/>" in out
    assert net.ips[0].dhcp is not None
    assert net.ips[0].dhcp.ranges == []


@pytest.mark.parametrize(
    "children",
    [
        # a bad <mac> before <model>, the good one after: the good one is
        # written first, and the bad one must not move on the next pass
        "<model type='e1000'/><mac address='&amp;'/><mac address='52:54:00:b1:8c:25'/>",
        "<mac address='nope'/><model type='e1000'/>",
        "<script path='a'/><source/><script path='b'/><source bridge='br1'/>",
    ],
)
def test_lenient_round_trips_reach_a_fixed_point_at_once(children: str) -> None:
    """What a lenient parse keeps is written where the next parse keeps it too."""
    xml = f"<interface type='bridge'>{children}</interface>"
    first = virtnetlib.parse(xml, strict=False).to_xml()
    assert virtnetlib.parse(first, strict=False).to_xml() == first
    # and nothing was dropped
    for tag in ("mac", "model", "source", "script"):
        assert first.count(f"<{tag}") == xml.count(f"<{tag}")


# ---------------------------------------------------------------- safety

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<network><name>&lol4;</name></network>"""


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(ParseError, match="DOCTYPE"):
        Network.from_xml(BILLION_LAUGHS)


def test_external_entity_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xml = (
        f'<!DOCTYPE network [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<network><name>&xxe;</name></network>"
    )
    with pytest.raises(ParseError) as info:
        Network.from_xml(xml)
    assert "TOPSECRET" not in str(info.value)


def test_undeclared_entity_is_an_error() -> None:
    with pytest.raises(ParseError, match="malformed XML"):
        Network.from_xml("<network><name>&foo;</name></network>")


def test_oversized_input_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from virtnetlib._core import xml as _xml

    with pytest.raises(ParseError, match="limit"):
        _xml.parse_document(b"<network>" + b" " * 200 + b"</network>", max_size=100)


def test_files_are_read_whole_and_within_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from virtnetlib._core import xml as _xml

    doc = b"<network>\n  <name>n</name>\n</network>\n"
    path = tmp_path / "net.xml"
    path.write_bytes(doc)
    assert _xml.read_source(path) == (doc, str(path))
    # a file that grew after its size was taken is read on, still bounded
    real = os.fstat

    def smaller(fd: int) -> os.stat_result:
        st = real(fd)
        return os.stat_result((st.st_mode, *st[1:6], 5, *st[7:]))

    monkeypatch.setattr(os, "fstat", smaller)
    assert _xml.read_source(path)[0] == doc
    monkeypatch.setattr(_xml, "MAX_DOCUMENT_SIZE", 10)
    assert len(_xml.read_source(path)[0]) == 11  # one more: parse_document says it is too large
    monkeypatch.undo()
    # not a regular file: refused at once, never read
    for name, kind in (("/dev/zero", "a character device"), (str(tmp_path), "a folder")):
        with pytest.raises(virtnetlib.Error, match=f"not a regular file \\({kind}\\)"):
            _xml.read_source(Path(name))


def test_non_xml_input_type_is_a_type_error() -> None:
    with pytest.raises(virtnetlib.UsageError, match="as str or bytes, got int") as info:
        Network.from_xml(42)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)


# ---------------------------------------------------------------- assignment


def test_assignment_is_validated() -> None:
    bridge = NetworkBridge(name="br0")
    with pytest.raises(virtnetlib.FieldValueError, match="stp"):
        bridge.stp = "yes"  # type: ignore[assignment]
    with pytest.raises(virtnetlib.FieldValueError, match="mac_table_manager"):
        bridge.mac_table_manager = "switch"  # type: ignore[assignment]
    with pytest.raises(virtnetlib.FieldValueError):
        NetworkBridge(delay=-1)
    with pytest.raises(virtnetlib.FieldValueError):
        Network(name="bad\x00name")
    with pytest.raises(TypeError):
        Network()


def test_a_list_field_takes_only_a_list() -> None:
    # None was taken, then to_xml() failed with Python's "not iterable"
    with pytest.raises(virtnetlib.FieldValueError, match=r"Network.ips: expected a list.*\[\]"):
        Network(name="n", ips=None)  # type: ignore[arg-type]
    net = Network(name="n")
    with pytest.raises(virtnetlib.FieldValueError, match=r"Network\.routes: expected a list"):
        net.routes = ()  # type: ignore[assignment]
    assert net.to_xml() == "<network>\n  <name>n</name>\n</network>\n"


def test_a_closed_set_field_refuses_unhashable_values() -> None:
    # a list was looked up in the set of allowed values: "unhashable type"
    with pytest.raises(virtnetlib.FieldValueError, match=r"NetworkIP\.family: expected one of"):
        virtnetlib.NetworkIP(family=["ipv4"])  # type: ignore[arg-type]


def test_text_where_a_typed_value_belongs_gets_a_hint() -> None:
    with pytest.raises(
        virtnetlib.FieldValueError,
        match=r"got str '198\.51\.100\.1'; give ipaddress\.ip_address\('198\.51\.100\.1'\)",
    ):
        virtnetlib.NetworkIP(address="198.51.100.1")  # type: ignore[arg-type]
    with pytest.raises(virtnetlib.FieldValueError, match=r"give uuid\.UUID\("):
        Network(name="n", uuid="81ff0d90-c91e-6742-64da-4a736edb9a9b")  # type: ignore[arg-type]
    # text that is no address gets no hint to read it as one
    with pytest.raises(virtnetlib.FieldValueError) as info:
        virtnetlib.NetworkIP(address="gateway")  # type: ignore[arg-type]
    assert "give" not in str(info.value)


def test_bad_list_items_fail_when_written() -> None:
    net = Network(name="n")
    net.ips.append("198.51.100.1")  # type: ignore[arg-type]
    with pytest.raises(virtnetlib.FieldValueError, match="ips"):
        net.to_xml()


def test_evolve_keeps_unknown_xml() -> None:
    net = Network.from_xml(FUTURE)
    copy = attrs.evolve(net, name="other")
    assert "<futureElement" in copy.to_xml()
    assert "<name>other</name>" in copy.to_xml()


def test_repr_is_compact() -> None:
    assert repr(NetworkBridge(name="br0")) == "NetworkBridge(name='br0')"


# ---------------------------------------------------------------- type= unions


@attrs.define(kw_only=True, repr=False)
class _PciSource(virtnetlib.Model):
    __xml_tag__ = "address"
    __xml_const__ = (("type", "pci"),)

    slot: int | None = virtnetlib._core.fields.attribute(conv=conv_mod.HexInt(0, 31, 2))


@attrs.define(kw_only=True, repr=False)
class _UsbSource(virtnetlib.Model):
    __xml_tag__ = "address"
    __xml_const__ = (("type", "usb"),)

    bus: int | None = virtnetlib._core.fields.attribute(conv=conv_mod.Int(0, 255))


@attrs.define(kw_only=True, repr=False)
class _Source(virtnetlib.Model):
    __xml_tag__ = "source"

    address: _PciSource | _UsbSource | None = virtnetlib._core.fields.element(
        {"pci": _PciSource, "usb": _UsbSource}
    )


def test_type_unions_pick_the_class_and_derive_the_discriminator() -> None:
    pci = _Source.from_xml("<source><address type='pci' slot='0x10'/></source>")
    assert pci.address == _PciSource(slot=16)
    usb = _Source.from_xml("<source><address type='usb' bus='3'/></source>")
    assert usb.address == _UsbSource(bus=3)
    # the discriminator is written from the class, never stored twice
    assert _Source(address=_UsbSource(bus=1)).to_xml() == (
        "<source>\n  <address type='usb' bus='1'/>\n</source>\n"
    )
    with pytest.raises(ParseError) as info:
        _Source.from_xml("<source><address type='isa'/></source>")
    assert info.value.path == "/source/address/@type"
    assert "'pci', 'usb'" in str(info.value)
    with pytest.raises(ParseError, match="missing attribute 'type'"):
        _Source.from_xml("<source><address/></source>")
    lenient = _Source.from_xml("<source><address type='isa'/></source>", strict=False)
    assert lenient.address is None
    assert unmodeled(lenient) == ["/source/address"]
    with pytest.raises(virtnetlib.FieldValueError):
        _Source(address=NetworkBridge())  # type: ignore[arg-type]


# ---------------------------------------------------------------- converters

NOT_INTEGERS = ["", " 1", "1 ", "\t1", "+1", "1_0", "١٢", "0x", "0x 1", "0x_1", "0x1g", "1.0"]


@pytest.mark.parametrize("text", NOT_INTEGERS)
def test_integers_are_ascii_digits_only(text: str) -> None:
    """int() alone would take signs, spaces, underscores and other scripts' digits."""
    for conv in (
        conv_mod.Int(0, 255),
        conv_mod.HexInt(0, 255, 2),
    ):
        with pytest.raises(ValueError, match="expected an integer"):
            conv.parse(text)


def test_integer_spellings() -> None:
    dec = conv_mod.Int(-10, 10)
    assert dec.parse("-3") == -3
    assert [dec.respelled(dec.parse(t), t) for t in ("0", "7", "-3", "07", "-0", "00")] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    pci = conv_mod.HexInt(0, 0xFFFF, 4)
    assert pci.parse("0X1F") == pci.parse("31") == pci.parse("0x001f") == 31
    assert pci.format(31) == "0x001f"
    assert pci.respelled(31, "0x001f") is False
    assert pci.respelled(31, "0x1f") is True


@pytest.mark.parametrize(
    "text",
    ["198.51.100.7", "0.0.0.0", "::", "::1", "2001:db8::1", "2001:db8:0:0:1::1", "1:0:0:2::",
     "::ffff:198.51.100.7", "::198.51.100.7", "fe80::1%eth0", "2001:DB8::A"],
)  # fmt: skip
def test_addresses_format_as_python_does(text: str) -> None:
    """An address made in Python is written as str() writes it (inet_ntop where they agree);
    one read from a document is the same value and is written as it was read."""
    conv = virtnetlib._core.converters.IPAddr()
    plain = ipaddress.ip_address(text)
    assert conv.format(plain) == str(plain)
    value = conv.parse(text)
    assert value == plain
    assert (hash(value), repr(value), str(value)) == (hash(plain), repr(plain), str(plain))
    assert conv.format(value) == text
    assert conv.respelled(value, text) is False


@given(st.ip_addresses())
def test_addresses_read_and_written_fast_equal_ipaddress(
    value: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    """Addresses built from inet_pton's number behave as ipaddress's own in every respect."""
    conv = virtnetlib._core.converters.IPAddr()
    text = str(value)
    parsed = conv.parse(text)
    assert isinstance(parsed, type(value))
    assert (parsed, hash(parsed), repr(parsed), str(parsed), parsed.packed, int(parsed)) == (
        value,
        hash(value),
        repr(value),
        str(value),
        value.packed,
        int(value),
    )
    assert parsed.is_private == value.is_private
    assert {parsed: 1}[value] == 1
    assert sorted([parsed, value]) == [value, value]
    assert conv.format(parsed) == text
    assert conv.format(value) == text


@pytest.mark.parametrize(
    ("conv", "text"),
    [
        (virtnetlib._core.converters.IPAddr(), "198.51.100.7"),
        (virtnetlib._core.converters.IPAddr(), "2001:DB8:0::A"),
        (virtnetlib._core.converters.IPAddr(), "fe80::1%eth0"),
        (virtnetlib._core.converters.UUIDConv(), "81FF0D90C91E674264DA4A736EDB9A9B"),
    ],
)
def test_values_read_keep_their_text_through_copies_and_pickles(conv: Any, text: str) -> None:
    value = conv.parse(text)
    for copied in (copy.copy(value), copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert copied == value
        assert type(copied) is type(value)
        assert conv.format(copied) == text


def test_values_made_from_a_value_read_are_written_in_libvirts_notation() -> None:
    """ipaddress makes a sum with the operand's class: it must still know its text."""
    conv = virtnetlib._core.converters.IPAddr()
    v4 = conv.parse("198.51.100.7")
    v6 = conv.parse("2001:DB8::A")
    made = [v4 + 1, v4 - 7, v6 + 1, type(v4)("198.51.100.9"), type(v6)(2**128 - 1)]
    assert [conv.format(v) for v in made] == [
        "198.51.100.8",
        "198.51.100.0",
        "2001:db8::b",
        "198.51.100.9",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ]
    uuids = virtnetlib._core.converters.UUIDConv()
    read = uuids.parse("81FF0D90C91E674264DA4A736EDB9A9B")
    assert uuids.format(type(read)(int=read.int + 1)) == "81ff0d90-c91e-6742-64da-4a736edb9a9c"
    net = Network.from_xml("<network><name>n</name><ip address='198.51.100.1'/></network>")
    address = net.ips[0].address
    assert isinstance(address, ipaddress.IPv4Address)
    net.ips[0].address = address + 1
    assert "address='198.51.100.2'" in net.to_xml()


def test_a_value_read_is_as_immutable_as_its_standard_type() -> None:
    value = virtnetlib._core.converters.UUIDConv().parse("81ff0d90-c91e-6742-64da-4a736edb9a9b")
    for name in ("int", "_text"):
        with pytest.raises(TypeError, match="immutable"):
            setattr(value, name, 3)
    address = virtnetlib._core.converters.IPAddr().parse("198.51.100.7")
    with pytest.raises(AttributeError):
        address.other = 3  # type: ignore[union-attr]


def test_an_equal_value_made_in_python_is_written_in_libvirts_notation() -> None:
    net = Network.from_xml(
        "<network><name>n</name><uuid>81FF0D90C91E674264DA4A736EDB9A9B</uuid>"
        "<ip address='2001:DB8::1' prefix='64'/></network>"
    )
    assert "2001:DB8::1" in net.to_xml()
    net.ips[0].address = ipaddress.ip_address("2001:db8::1")
    net.uuid = uuid.UUID("81ff0d90-c91e-6742-64da-4a736edb9a9b")
    out = net.to_xml()
    assert "address='2001:db8::1'" in out
    assert "<uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>" in out


def test_uuids_parse_like_the_uuid_module() -> None:
    conv = virtnetlib._core.converters.UUIDConv()
    for text in ("81ff0d90-c91e-6742-64da-4a736edb9a9b", "81FF0D90C91E674264DA4A736EDB9A9B"):
        value = conv.parse(text)
        assert value == uuid.UUID(text)
        assert value.is_safe == uuid.UUID(text).is_safe
        assert (hash(value), repr(value), str(value)) == (
            hash(uuid.UUID(text)),
            repr(uuid.UUID(text)),
            str(uuid.UUID(text)),
        )
        assert conv.format(value) == text
        assert conv.format(uuid.UUID(text)) == str(uuid.UUID(text))
    with pytest.raises(ValueError, match="UUID"):
        conv.parse("81ff0d90-c91e-6742-64da-4a736edb9a9")


def test_a_namespace_name_that_is_not_a_uri_reads_as_libvirt_reads_it() -> None:
    """libxml2 2.9 (libvirt's) warns about xmlns:x='2001:db8::1'; newer ones stop at it."""
    doc = "<network xmlns:app='2001:db8::1'><name>n</name></network>"
    with pytest.raises(ParseError):  # a malformed document first: its errors stay behind
        Network.from_xml("<network><name>n</name>")
    net = Network.from_xml(doc)
    assert net.name == "n"
    assert "E100" not in [p.code for p in virtnetlib.validate(doc)]
    # anything else wrong in the same document is still refused
    with pytest.raises(ParseError, match="malformed XML"):
        Network.from_xml("<network xmlns:app='2001:db8::1'><name>n</nam></network>")


@pytest.mark.parametrize(
    "metadata",
    [
        "<a:bar xmlns:a=''>x</a:bar>",  # an empty prefix (XML 1.1 only)
        "<a:bar>x</a:bar>",  # an undeclared prefix
        "<x xmlns:a='urn:1' xmlns:b='urn:1' a:k='1' b:k='2'/>",  # one attribute twice
        "<x xmlns:xml='urn:1'/>",  # the xml prefix bound elsewhere
    ],
)
def test_namespace_errors_libvirts_libxml2_goes_past_are_read(
    metadata: str, test_conn: Any
) -> None:
    """libxml2 2.9 reports these and builds the document (libvirt defines it)."""
    doc = f"<network><name>ns</name><metadata>{metadata}</metadata></network>"
    net = Network.from_xml(doc)
    assert net.name == "ns"
    assert "E100" not in [p.code for p in virtnetlib.validate(doc)]
    test_conn.networkDefineXML(doc).undefine()


def test_too_deep_nesting_is_refused_in_plain_words() -> None:
    deep = "<network><name>n</name>" + "<x>" * 300 + "</x>" * 300 + "</network>"
    with pytest.raises(ParseError, match="nested more than 256 deep") as info:
        Network.from_xml(deep)
    assert "XML_PARSE_HUGE" not in str(info.value)


def test_lease_seconds_default_to_minutes_as_libvirt_reads_them() -> None:
    lease = (
        Network.from_xml(
            "<network><name>n</name><ip address='198.51.100.1' prefix='24'><dhcp>"
            "<range start='198.51.100.2' end='198.51.100.9'><lease expiry='3'/></range>"
            "<host mac='52:54:00:00:00:01' ip='198.51.100.5'>"
            "<lease expiry='2' unit='hours'/></host>"
            "</dhcp></ip></network>"
        )
        .ips[0]
        .dhcp
    )
    assert lease is not None
    assert [lease.ranges[0].lease.seconds, lease.hosts[0].lease.seconds] == [180, 7200]  # type: ignore[union-attr]
    assert virtnetlib.Lease(expiry=0).seconds == 0  # forever


def test_element_at_finds_what_element_path_names() -> None:
    entries = [e for e in manifest() if e["libvirt_xml"]]
    if not entries:
        pytest.skip(f"corpus not found at {CORPUS}")
    extra = (
        "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>"
        "<name>n</name><ip/><ip><dhcp><host/><host/></dhcp></ip><!-- c -->"
        "<dnsmasq:options><dnsmasq:option value='a'/><dnsmasq:option value='b'/>"
        "</dnsmasq:options></network>"
    )
    for text in [e["libvirt_xml"] for e in entries] + [extra]:
        root = etree.fromstring(text.encode())
        for el in root.iter():
            if isinstance(el.tag, str):
                assert element_at(root, element_path(el)) is el, element_path(el)
        index = paths_under(root)
        assert index == {element_path(el): el for el in root.iter() if isinstance(el.tag, str)}
    root = etree.fromstring(extra.encode())
    assert element_at(root, "/network/ip[3]") is None
    assert element_at(root, "/domain") is None
    assert element_at(root, "") is None
    assert element_at(root, "/network/ip") is root[1]  # the first of several
    assert element_at(root, "/network/name[1]") is root[0]  # the only one
    options = root[4]
    assert element_path(options[1]) == "/network/dnsmasq:options/dnsmasq:option[2]"
    assert element_path(root[3]) == "/network/comment()"


def test_malformed_xml_messages_are_one_line() -> None:
    # libxml2 ends some messages with a newline before their position
    with pytest.raises(ParseError) as info:
        Network.from_xml(b"<network><name>n\x00</name></network>")
    assert str(info.value) == (
        "line 1: malformed XML: Invalid character: Char 0x0 out of allowed range"
    )


@pytest.mark.parametrize(
    ("xml", "meant"),
    [
        ("<network><name>n</name><forward mode='NAT'/></network>", "nat"),
        ("<network><name>n</name><forward mode='bridged'/></network>", "bridge"),
        ("<network><name>n</name><forward mode='tunnel'/></network>", None),
        ("<interface type='netwrok'/>", "network"),
        ("<interface type='Bridge'/>", "bridge"),
    ],
)
def test_a_misspelt_value_gets_the_meant_one(xml: str, meant: str | None) -> None:
    model = Network if xml.startswith("<network") else virtnetlib.Interface
    with pytest.raises(ParseError) as info:
        model.from_xml(xml)
    if meant is None:
        assert "did you mean" not in str(info.value)
    else:
        assert str(info.value).endswith(f"(did you mean {meant!r}?)")


@pytest.mark.parametrize(
    "xml",
    [
        b"<network><name>n</name>",
        b"<network>\n <name>n</nam>\n</network>",
        b"<network a='1' a='2'/>",
        b"<network>&foo;</network>",
        b"<network>\n\n <x:y/></network>",
        b"<network><![CDATA[</network>",
        b"<network>\x01</network>",
        b"<a>" * 300 + b"</a>" * 300,
        b"<network>\n  <name>n</name>\n</network>\n trailing",
        b"<!DOCTYPE network [<!ENTITY e 'x'>]><network/>",
        b" \n ",
    ],
)
def test_a_compact_tree_is_refused_or_read_as_the_full_one(xml: bytes) -> None:
    """from_xml() parses compactly first: malformed input must fail the same way."""
    outcomes = []
    for compact in (False, True):
        try:
            root = virtnetlib._core.xml.parse_document(xml, compact=compact)
            outcomes.append(("ok", root.tag, root.sourceline))
        except ParseError as exc:
            outcomes.append(("error", str(exc), exc.issues[0].line if exc.issues else None))
    assert outcomes[0] == outcomes[1]


def test_values_of_subclasses_are_written_as_the_values_they_stand_for() -> None:
    """An int enum writes its name, an overridden __str__ or __format__ writes
    markup: values are kept as the plain value they stand for."""
    import enum

    class Size(int, enum.Enum):
        JUMBO = 9000

    class Mode(str, enum.Enum):  # noqa: UP042 - the mixin a user might have
        NAT = "nat"

    class Sneaky(int):
        def __str__(self) -> str:
            return "1' injected='2"

        def __format__(self, spec: str) -> str:
            return "1' injected='2"

    class Text(str):
        def translate(self, table: Any) -> str:
            return "</name><forward mode='nat'/><name>"

        def __format__(self, spec: str) -> str:
            return "</name><x/><name>"

    assert virtnetlib.Mtu(size=Size.JUMBO).to_xml() == "<mtu size='9000'/>\n"
    assert virtnetlib.Forward(mode=Mode.NAT).to_xml() == "<forward mode='nat'/>\n"  # type: ignore[arg-type]
    assert virtnetlib.Mtu(size=Sneaky(3)).to_xml() == "<mtu size='3'/>\n"
    net = Network(name=Text("a&b"))
    assert type(net.name) is str
    assert net.to_xml() == "<network>\n  <name>a&amp;b</name>\n</network>\n"
    pci = virtnetlib.PciAddress(domain=0, bus=Sneaky(3), slot=1, function=0)
    assert "bus='0x03'" in pci.to_xml()
    host = virtnetlib.DnsHost(ip=ipaddress.ip_address("198.51.100.1"))
    host.hostnames.append(Text("web"))  # appended: not converted, written plainly
    assert "<hostname>web</hostname>" in host.to_xml()


def test_a_list_item_of_another_class_is_refused_when_written() -> None:
    net = Network(name="n")
    net.portgroups.append(virtnetlib.DhcpHost(mac="52:54:00:00:00:01"))  # type: ignore[arg-type]
    with pytest.raises(
        virtnetlib.FieldValueError, match=r"Network\.portgroups: expected PortGroup"
    ):
        net.to_xml()
