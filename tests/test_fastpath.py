"""The compiled fast paths behave exactly like the generic engine.

Every document is read and written twice, once with the per-class compiled
parsers and writers and once with the generic engine alone, and everything
observable must agree: the objects, the spelling and unknown XML they keep,
the output, and for bad documents the errors (messages, lines, paths).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import virtnetlib
from tests.conftest import CORPUS, manifest
from tests.fuzzing import mutate
from virtnetlib import testing
from virtnetlib._core import model as _binding
from virtnetlib._core import xml as _xml

MODELS = {
    "network": virtnetlib.Network,
    "interface": virtnetlib.Interface,
    "hostinterface": virtnetlib.HostInterface,
}


def _documents() -> list[Any]:
    docs = [
        pytest.param(MODELS[e["kind"]], (CORPUS / e["file"]).read_bytes(), id=e["file"])
        for e in manifest()
        if e["kind"] in MODELS
    ]
    if not docs:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))]
    return docs


@pytest.fixture
def generic() -> Iterator[None]:
    """Within the test, ``_engine(False)`` gives the generic engine alone."""
    yield
    _binding._use_fast_paths(True)


def _engine(fast: bool) -> None:
    _binding._use_fast_paths(fast)


def _read(model: Any, xml: bytes, *, strict: bool) -> tuple[str, Any]:
    try:
        return "ok", model.from_xml(xml, strict=strict)
    except virtnetlib.ParseError as exc:
        return "error", [(i.message, i.line, i.path) for i in exc.issues]


def _observed(outcome: tuple[str, Any]) -> Any:
    kind, value = outcome
    if kind == "error":
        return value
    return (
        value,
        _kept(value),
        virtnetlib.unmodeled(value),
        value.to_xml(),
    )


def _kept(obj: Any) -> Any:
    """Spelling and unknown XML, recursively: what equality leaves out."""
    unknown = obj._unknown
    own = (
        obj._spelling,
        None
        if unknown is None
        else (unknown.attrs, unknown.nodes, unknown.nsdecls, unknown.outside),
    )
    plan = _binding._plan_of(type(obj))
    children: list[Any] = []
    for spec in plan.writers:
        value = getattr(obj, spec.name)
        items = value if isinstance(value, list) else [value]
        children.extend(_kept(i) for i in items if isinstance(i, virtnetlib.Model))
    return own, children


def _compare(model: Any, xml: bytes, *, strict: bool) -> None:
    _engine(True)
    fast = _observed(_read(model, xml, strict=strict))
    _engine(False)
    slow = _observed(_read(model, xml, strict=strict))
    assert fast == slow


@pytest.mark.parametrize(("model", "xml"), _documents())
@pytest.mark.usefixtures("generic")
def test_corpus_documents_read_and_write_alike(model: Any, xml: bytes) -> None:
    _compare(model, xml, strict=True)
    _compare(model, xml, strict=False)


@pytest.mark.parametrize(("model", "xml"), _documents())
@pytest.mark.usefixtures("generic")
def test_damaged_documents_fail_or_survive_alike(model: Any, xml: bytes) -> None:
    rnd = random.Random(xml)
    for _ in range(4):
        bad = mutate(xml, rnd)
        _compare(model, bad, strict=True)
        _compare(model, bad, strict=False)


EDGE_CASES = [
    # unknown attribute, element, comment and text in the middle of known ones
    b"<network future='1'><name>n</name><!-- c --><bridge name='b' x='y'/>tail<z/></network>",
    # a value in a non-libvirt spelling and a bad value
    b"<network><name>n</name><bridge name='b' delay='007'/><mtu size='x'/></network>",
    # a duplicate single element, and a missing required attribute
    b"<network><name>n</name><name>m</name><ip><dhcp><range start='198.51.100.2'/></dhcp></ip>"
    b"</network>",
    # namespaces on the root and on a child
    b"<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'><name>n</name>"
    b"<dnsmasq:options><dnsmasq:option value='x'/></dnsmasq:options></network>",
    b"<network><name>n</name><dnsmasq:options xmlns:dnsmasq="
    b"'http://libvirt.org/schemas/network/dnsmasq/1.0'><dnsmasq:option value='x'/>"
    b"</dnsmasq:options><f:x xmlns:f='urn:f'/></network>",
    # a type= union with an unknown type, and text where none belongs
    b"<interface type='futuretype'><mac address='52:54:00:00:00:01'/></interface>",
    b"<interface type='network'><source network='n'>text</source><model type='virtio'/>"
    b"</interface>",
    # text children with attributes or children
    b"<network><name a='1'>n</name></network>",
    b"<network><name><b/>n</name></network>",
    # IPv6 spelled the long way and a UUID in capitals
    b"<network><name>n</name><uuid>81FF0D90-C91E-6742-64DA-4A736EDB9A9B</uuid>"
    b"<ip family='ipv6' address='2001:DB8:0:0::1' prefix='64'/></network>",
    # comments and processing instructions amid a text element's text
    b"<network><name>n<!-- c -->m</name><uuid>81ff0d90-c91e-6742-64da-<!-- c -->"
    b"4a736edb9a9b</uuid><domain name='d'/></network>",
    b"<network><name>n<?pi x?>&amp;m<!-- c --></name><bridge name='b'/></network>",
    b"<network><name><!-- c --></name></network>",
    b"<interface type='ethernet'><script path='/a'/><source/><model type='virtio'/>"
    b"<target dev='t0'/><guest dev='g<!-- c -->0'/></interface>",
    # values the generated code reads itself (yes/no, MAC, IPv4, PCI numbers)
    # in good, other and bad spellings; each document twice, as PCI numbers
    # are read from a table the second time
    *(
        2
        * [
            b"<network><name>n</name><bridge name='b' stp='Yes'/></network>",
            b"<network><name>n</name><bridge name='b' stp='off'/></network>",
            b"<network><name>n</name><mac address='52:54:00:AB:cd:0'/></network>",
            b"<network><name>n</name><mac address='52:54:00:AB:cd:ef'/></network>",
            b"<network><name>n</name><ip address='198.51.100.256' prefix='24'/></network>",
            b"<network><name>n</name><ip address='198.51.100.01' prefix='24'/></network>",
            b"<network><name>n</name><ip address='198.51.1' prefix='24'/></network>",
            b"<network><name>n</name><ip address=' 198.51.100.1' prefix='24'/></network>",
            "<network><name>n</name><ip address='١٩٨.51.100.1'/></network>".encode(),
            b"<network><name>n</name><ip address='2001:db8::1' netmask='255.255.255.0'/></network>",
            b"<network><name>n</name><ip family='ipv6' address='::ffff:198.51.100.1'/></network>",
            b"<interface type='network'><source network='n'/><address type='pci' "
            b"domain='0x0000' bus='0x1' slot='3' function='0x0'/></interface>",
            b"<interface type='network'><source network='n'/><address type='pci' "
            b"domain='0x0000' bus='0x01' slot='0x03' function='0x0'/></interface>",
            b"<interface type='network'><source network='n'/><address type='pci' "
            b"domain='0x0000' bus='0xzz' slot='0x03' function='0x8'/></interface>",
        ]
    ),
]


@pytest.mark.parametrize("xml", EDGE_CASES)
@pytest.mark.usefixtures("generic")
def test_edge_cases_read_and_write_alike(xml: bytes) -> None:
    model = virtnetlib.Interface if xml.startswith(b"<interface") else virtnetlib.Network
    _compare(model, xml, strict=True)
    _compare(model, xml, strict=False)


# elements whose class fixes an attribute (type='pci') without a choice of classes
FIXED_ATTRIBUTE_MISSING = [
    (
        virtnetlib.Network,
        b"<network><name>n</name><forward mode='hostdev'>"
        b"<address domain='0x0000' bus='0x03' slot='0x00' function='0x1'/></forward></network>",
    ),
    (
        virtnetlib.HostInterface,
        b"<interface type='bond' name='bond0'><bond mode='active-backup'>"
        b"<interface name='eth0'/></bond></interface>",
    ),
]


@pytest.mark.parametrize(("model", "xml"), FIXED_ATTRIBUTE_MISSING)
@pytest.mark.usefixtures("generic")
def test_a_missing_fixed_attribute_is_a_parse_error(model: Any, xml: bytes) -> None:
    with pytest.raises(virtnetlib.ParseError, match="missing attribute type="):
        model.from_xml(xml)
    _compare(model, xml, strict=True)
    _compare(model, xml, strict=False)


def _written(obj: Any) -> tuple[str, Any]:
    try:
        return "ok", obj.to_xml()
    except virtnetlib.FieldValueError as exc:
        return "error", str(exc)


def _written_alike(model: Any) -> None:
    try:
        _engine(True)
        fast = _written(model)
        _engine(False)
        assert _written(model) == fast
    finally:
        _engine(True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(testing.networks())
def test_built_networks_write_alike(net: virtnetlib.Network) -> None:
    _written_alike(net)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(testing.interfaces())
def test_built_interfaces_write_alike(nic: virtnetlib.Interface) -> None:
    _written_alike(nic)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(testing.host_interfaces())
def test_built_host_interfaces_write_alike(host: virtnetlib.HostInterface) -> None:
    _written_alike(host)


def _read_alike(model: Any) -> None:
    xml = model.to_xml()
    try:
        _engine(True)
        fast = type(model).from_xml(xml)
        _engine(False)
        generic = type(model).from_xml(xml)
    finally:
        _engine(True)
    assert fast == generic == model
    assert fast.to_xml() == generic.to_xml() == xml


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(testing.networks() | testing.interfaces() | testing.host_interfaces())
def test_built_documents_read_alike(model: virtnetlib.Model) -> None:
    """All three documents, generated: both engines read back the same model."""
    _read_alike(model)


@pytest.mark.usefixtures("generic")
def test_bad_list_items_fail_alike() -> None:
    net = virtnetlib.Network(name="n")
    net.ips.append("198.51.100.1")  # type: ignore[arg-type]
    _engine(True)
    fast = _written(net)
    _engine(False)
    assert _written(net) == fast
    assert fast[0] == "error"
    assert "ips" in fast[1]


@pytest.mark.usefixtures("generic")
def test_the_switch_really_changes_the_engine() -> None:
    """Guard against a comparison of the generic engine with itself."""
    seen: list[str] = []
    real = _binding._parse

    def spy(plan: Any, el: Any, ctx: Any, is_root: bool = False) -> Any:
        seen.append(plan.cls.__name__)
        return real(plan, el, ctx, is_root)

    xml = b"<network><name>n</name><bridge name='b'/></network>"
    try:
        _binding._parse = spy
        _engine(True)
        virtnetlib.Network.from_xml(xml)
        assert seen == []
        _engine(False)
        virtnetlib.Network.from_xml(xml)
        # the compact tree goes at the first element the generic parser gets
        assert seen == ["Network", "Network", "NetworkBridge"]
    finally:
        _binding._parse = real


# Documents whose whitespace a compact tree (no blank text) would change,
# were it read without the full tree: each is read by both engines.
_WHITESPACE_DOCUMENTS = [
    b"<network><name>  </name><title> </title><description>\n</description></network>",
    b"<network>\r\n  <name>n</name>\r\n  <bridge name='b'/>\r\n</network>\r\n",
    b"<network>\t<name>n</name>\t<forward mode='nat'>\n\t\t<nat/>\n\t</forward></network>",
    b"<network><name>n</name><description>  <!-- c -->  x  </description></network>",
    b"<network><name>n</name><x:a xmlns:x='urn:x'>\n  <x:b>\n    <x:c/>  </x:b>\n</x:a></network>",
    b"<network xml:space='preserve'>\n  <name>n</name>\n  <bridge name='b'>  </bridge>\n</network>",
    b"<network><name>n</name><dns>  <host ip='198.51.100.2'>  <hostname> a </hostname>"
    b"  <!-- c -->  <hostname>b</hostname></host></dns></network>",
    b"<network><name>n</name><metadata>\n  <x:y xmlns:x='urn:x'>  <x:z/>  </x:y>\n</metadata>"
    b"</network>",
    b"<network><name>n</name><bridge name='b'>  x  </bridge></network>",
    b"<network><name><![CDATA[ ]]></name><mtu size='9000'>   </mtu></network>",
    b"<network><name>n</name><dns><host ip='198.51.100.2'><hostname> a <!-- c --> b</hostname>"
    b"<hostname>c</hostname></host></dns></network>",
]


@pytest.mark.usefixtures("generic")
@pytest.mark.parametrize("xml", _WHITESPACE_DOCUMENTS)
@pytest.mark.parametrize("strict", [True, False])
def test_whitespace_reads_alike(xml: bytes, strict: bool) -> None:
    _engine(True)
    fast = _observed(_read(virtnetlib.Network, xml, strict=strict))
    _engine(False)
    assert _observed(_read(virtnetlib.Network, xml, strict=strict)) == fast


@pytest.mark.parametrize(
    ("xml", "layout"),
    [
        (_WHITESPACE_DOCUMENTS[4], "<x:b>\n    <x:c/>  </x:b>\n</x:a>"),
        (_WHITESPACE_DOCUMENTS[7], '<x:y xmlns:x="urn:x">  <x:z/>  </x:y>'),
        (_WHITESPACE_DOCUMENTS[3], "<description>  <!-- c -->  x  </description>"),
    ],
)
def test_kept_xml_keeps_its_layout(xml: bytes, layout: str) -> None:
    assert layout in virtnetlib.Network.from_xml(xml).to_xml()
    assert layout in virtnetlib.parse(xml).to_xml()


def test_a_document_of_known_xml_is_read_once_from_a_compact_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The compact tree is used, and left at the first thing the generic parser must see."""
    trees: list[bool] = []
    real = _xml.parse_document

    def spy(data: Any, *, compact: bool = False) -> Any:
        trees.append(compact)
        return real(data, compact=compact)

    monkeypatch.setattr(_binding, "parse_document", spy)
    known = b"<network>\n  <name>n</name>\n  <bridge name='b'/>\n</network>\n"
    assert virtnetlib.Network.from_xml(known).to_xml().encode() == known
    assert virtnetlib.parse(known).to_xml().encode() == known
    assert trees == [True, True]
    trees.clear()
    kept = (
        b"<network>\n  <name>n</name>\n  <x:a xmlns:x='urn:x'>\n    <x:b/>\n  </x:a>\n</network>\n"
    )
    assert virtnetlib.Network.from_xml(kept).to_xml().encode() == kept
    assert trees == [True, False]
    trees.clear()
    with pytest.raises(virtnetlib.ParseError) as bad:
        virtnetlib.Network.from_xml(b"<network>\n  <name>n</name>\n  <mtu size='x'/>\n</network>")
    assert (bad.value.issues[0].line, bad.value.issues[0].path) == (3, "/network/mtu/@size")
    assert trees == [True, False]


def test_read_document_needs_a_class_or_a_way_to_choose_one() -> None:
    with pytest.raises(virtnetlib.UsageError, match="needs a class"):
        _binding.read_document(b"<network><name>n</name></network>", None, True)
    chosen = _binding.read_document(b"<network><name>n</name></network>", None, True, _choose_net)
    assert chosen == virtnetlib.Network(name="n")


def _choose_net(root: Any) -> type[virtnetlib.Network]:
    assert root.tag == "network"
    return virtnetlib.Network
