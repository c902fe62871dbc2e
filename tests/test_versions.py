"""Which libvirt accepts a document: the table of releases, held to real libvirts.

Every entry of the table is checked three ways: its sample uses the
feature and gets E601/E602 for any older target and none from its own
release on; libvirt 11.3's grammars (virtnetlib's own schemas) accept every
sample; and the real libvirtd 9.0 the suite starts refuses or drops each
feature newer than 9.0 and keeps each one at or below it.
"""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

import virtnetlib as vnl
from tests.conftest import need_module
from virtnetlib._validation.versions import (
    FEATURES,
    LibvirtFeature,
    parse_version,
    version_text,
)

IDS = [f"{f.doc}:{f.path}:{f.driver or 'parser'}" for f in FEATURES]


def document(feature: LibvirtFeature) -> str:
    """The feature's sample as a whole document of its kind."""
    sample = feature.sample.strip()
    if feature.doc == "network" and not sample.startswith("<network"):
        return f"<network><name>vnl-t-since</name>{sample}</network>"
    return sample


def used(feature: LibvirtFeature, xml: str) -> bool:
    from virtnetlib._validation.versions import _xpath

    root = etree.fromstring(xml.encode())
    tag, xpath = _xpath(feature.path)
    return root.tag == tag and bool(xpath(root))


def before(version: tuple[int, int, int]) -> tuple[int, int, int]:
    major, minor, micro = version
    if micro:
        return (major, minor, micro - 1)
    if minor:
        return (major, minor - 1, 0)
    return (major - 1, 11, 0)


def test_the_table_is_not_empty_and_every_entry_names_its_source() -> None:
    assert len(FEATURES) >= 20
    for f in FEATURES:
        assert f.source.startswith(("docs/", "libvirt's schemas")), f
        assert f.sample, f
        assert f.doc in ("network", "interface", "hostinterface")
    # one fact per feature and driver
    assert len({(f.doc, f.path, f.driver) for f in FEATURES}) == len(FEATURES)


@pytest.mark.parametrize("feature", FEATURES, ids=IDS)
def test_each_feature_is_found_and_dated(feature: LibvirtFeature) -> None:
    xml = document(feature)
    assert used(feature, xml), xml
    kind = {"interface": "interface"}.get(feature.doc, feature.doc)
    older = before(feature.since)
    problems = vnl.validate(xml, kind=kind, libvirt=older, domain_type="kvm")  # type: ignore[arg-type]
    since = version_text(feature.since)
    mine = [p for p in problems if p.code == feature.code and since in p.message]
    assert mine, problems
    assert feature.source in mine[0].message
    assert mine[0].line is not None
    later = vnl.validate(xml, kind=kind, libvirt=feature.since, domain_type="kvm")  # type: ignore[arg-type]
    assert not [p for p in later if p.code in ("E601", "E602") and feature.path in p.message]
    assert vnl.minimum_libvirt(xml).version >= feature.since


@pytest.mark.parametrize(
    "feature", [f for f in FEATURES if f.since <= (11, 3, 0)], ids=lambda f: f.path
)
def test_libvirt_11_3_grammars_accept_every_sample(feature: LibvirtFeature) -> None:
    problems = vnl.validate(document(feature), kind=feature.doc)  # type: ignore[arg-type]
    assert not [p for p in problems if p.code.startswith("E1")], problems


def test_versions_are_read_as_libvirt_writes_them() -> None:
    assert parse_version("9.0") == (9, 0, 0)
    assert parse_version("11.3.0") == (11, 3, 0)
    assert parse_version(9000000) == (9, 0, 0)
    assert parse_version(11003000) == (11, 3, 0)
    assert parse_version((10, 1)) == (10, 1, 0)
    for bad in ("nine", "9.x", "", True, -1, 9, (1, 2, 3, 4), (10**40, 0), "\u0669.\u0660", None):
        with pytest.raises(vnl.UsageError, match="expected a libvirt version"):
            parse_version(bad)


def test_minimum_libvirt_names_the_features_that_set_it() -> None:
    newest = max(FEATURES, key=lambda f: f.since)
    found = vnl.minimum_libvirt(document(newest))
    assert found.version == newest.since
    assert newest in found.features
    assert version_text(newest.since) in str(found)
    plain = vnl.minimum_libvirt("<network><name>plain</name></network>")
    assert plain.features == ()
    for other in ("<foo/>", "<network xmlns='urn:x'><name>n</name></network>"):
        with pytest.raises(vnl.UsageError, match="expected a network, interface or domain"):
            vnl.minimum_libvirt(other)


def test_qemu_driver_minima_are_for_qemu_domains_only() -> None:
    """A Xen domain's NIC with rss= is no QEMU driver matter, in validate()
    and minimum_libvirt() alike; a kvm domain's is."""
    rss = next(f for f in FEATURES if f.path == "/interface/driver/@rss")
    domain = (
        "<domain type='{}'><name>d</name><memory>1024</memory><os><type>hvm</type></os>"
        f"<devices>{rss.sample}</devices></domain>"
    )
    xen, kvm = domain.format("xen"), domain.format("kvm")
    older = version_text(before(rss.since))
    assert [p.code for p in vnl.validate(xen, libvirt=older) if p.code.startswith("E6")] == []
    assert [p.code for p in vnl.validate(kvm, libvirt=older) if p.code.startswith("E6")] == ["E602"]
    assert rss not in vnl.minimum_libvirt(xen).features
    assert vnl.minimum_libvirt(kvm).version >= rss.since
    assert vnl.minimum_libvirt(rss.sample, domain_type="xen").features == ()


def test_version_problems_are_linear_in_the_nics() -> None:
    """Each NIC's path once, not a count of its siblings per problem (PathCache)."""
    vlan = next(f for f in FEATURES if f.path == "/interface/driver/@rss")
    nics = "".join(vlan.sample for _ in range(3000))
    domain = (
        "<domain type='kvm'><name>d</name><memory>1024</memory><os><type>hvm</type></os>"
        f"<devices>{nics}</devices></domain>"
    )
    from virtnetlib._validation.versions import version_problems

    root = etree.fromstring(domain.encode())
    problems = version_problems(root, "domain", (5, 0, 0))
    assert len(problems) == 3000
    assert problems[-1].path == "/domain/devices/interface[3000]/driver/@rss"


def test_the_command_line_takes_a_target(tmp_path: Any, capsys: Any) -> None:
    from virtnetlib.cli import main

    # the newest network feature the schemas (libvirt 11.3's) know
    known = [f for f in FEATURES if f.doc == "network" and f.since <= (11, 3, 0)]
    newest = max(known, key=lambda f: f.since)
    path = tmp_path / "net.xml"
    path.write_text(document(newest))
    assert main(["validate", "--libvirt", "9.0", str(path)]) == 1
    out = capsys.readouterr().out
    assert "E601" in out
    assert version_text(newest.since) in out
    assert main(["validate", "--libvirt", version_text(newest.since), str(path)]) == 0
    assert main(["validate", "--libvirt", "nine", str(path)]) == 2


# ------------------------------------------------------------- real libvirts


def test_the_adapter_refuses_what_the_hosts_libvirt_cannot_take(test_conn: Any) -> None:
    """The test driver is this machine's libvirt: a newer feature is refused
    before libvirt is asked, and nothing is defined."""
    from virtnetlib.libvirt import Connection, LibvirtTooOldError

    conn = Connection(test_conn)
    host = conn.libvirt_version
    newer = [f for f in FEATURES if f.doc == "network" and f.since > host and not f.driver]
    if not newer:
        pytest.skip(f"no network feature in the table is newer than this libvirt {host}")
    feature = newer[0]
    net = vnl.Network.from_xml(document(feature))
    before_names = set(test_conn.listNetworks() + test_conn.listDefinedNetworks())
    with pytest.raises(LibvirtTooOldError) as info:
        conn.plan_network(net)
    assert info.value.version == host
    assert info.value.problems[0].code == "E601"
    with pytest.raises(LibvirtTooOldError):
        conn.define_network(net)
    assert set(test_conn.listNetworks() + test_conn.listDefinedNetworks()) == before_names


def test_a_plan_is_refused_when_this_machines_library_is_older_than_the_host(
    test_conn: Any,
) -> None:
    """A remote libvirt newer than the library here: a plan reads the network
    through the library's test driver for libvirt's canonical form, which
    would drop a <title> without a word; refused instead, saying why."""
    from virtnetlib.libvirt import Connection, LibvirtTooOldError

    class Newer:
        def __init__(self, raw: Any) -> None:
            self._raw = raw

        def __getattr__(self, name: str) -> Any:
            return getattr(self._raw, name)

        def getLibVersion(self) -> int:  # noqa: N802 - libvirt's name
            return 11_003_000

    conn = Connection(Newer(test_conn))
    net = vnl.Network.from_xml("<network><name>vnl-t-new</name><title>Lab</title></network>")
    local = parse_version(need_module("libvirt", "libvirt-python").getVersion())
    if local >= (9, 7, 0):
        pytest.skip(f"this machine's libvirt {version_text(local)} knows <title>")
    with pytest.raises(LibvirtTooOldError, match="canonical form") as info:
        conn.plan_network(net)
    assert info.value.version == local
    assert "vnl-t-new" not in test_conn.listNetworks() + test_conn.listDefinedNetworks()


def _kept(feature: LibvirtFeature, xml: str) -> bool:
    return used(feature, xml)


DOMAIN = (
    "<domain type='{type}'><name>vnl-t-since</name><memory unit='MiB'>64</memory>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
    "<devices>{nic}</devices></domain>"
)


@pytest.mark.libvirtd
def test_libvirtd_9_0_agrees_with_the_whole_table(libvirtd: str) -> None:
    """Define each entry's sample on the real libvirtd: a feature newer than
    it is refused or dropped, one at or below it is kept."""
    libvirt = need_module("libvirt", "libvirt-python")
    conn = libvirt.open(libvirtd)
    host = parse_version(conn.getLibVersion())
    disagree: list[str] = []
    try:
        for feature in FEATURES:
            xml = document(feature)
            try:
                if feature.doc == "network":
                    obj = conn.networkDefineXML(xml)
                    read = obj.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)
                    obj.undefine()
                elif feature.doc == "interface":
                    kind = "kvm" if feature.driver == "qemu" else "qemu"
                    obj = conn.defineXML(DOMAIN.format(type=kind, nic=xml))
                    root = etree.fromstring(obj.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE).encode())
                    obj.undefine()
                    nics = root.findall("devices/interface")
                    read = etree.tostring(nics[0]).decode() if nics else "<none/>"
                else:
                    continue  # host interfaces: netcf is not built into Debian's libvirtd
                accepted = _kept(feature, read)
                why = "" if accepted else "dropped"
            except libvirt.libvirtError as exc:
                accepted, why = False, str(exc)
            if accepted != (feature.since <= host):
                disagree.append(
                    f"{feature.path} ({feature.driver or 'parser'}) since "
                    f"{version_text(feature.since)}: libvirtd {version_text(host)} "
                    f"{'kept' if accepted else 'refused or dropped'} it {why}"
                )
    finally:
        conn.close()
    assert not disagree, "\n".join(disagree)
