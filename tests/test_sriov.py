"""SR-IOV through sysfs, against a fake sysfs that behaves like the kernel and the real /sys."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import virtnetlib as vnl
from tests.conftest import unavailable
from virtnetlib import sriov
from virtnetlib.fakesysfs import FakeSysfs
from virtnetlib.sriov import SriovError, set_num_vfs

PF0, PF1 = "0000:82:00.0", "0000:82:00.1"


@pytest.fixture
def host(tmp_path: Path) -> FakeSysfs:
    """The guide's host: an 82599ES with two ports (ixgbe), plus a virtio NIC and lo."""
    fake = FakeSysfs(tmp_path)
    fake.add_pf(PF0, netdevs=["eth1"], total_vfs=63)
    fake.add_pf(PF1, netdevs=["eth10"], total_vfs=63)
    fake.add_netdev("eth0", "0000:00:03.0")
    fake.add_netdev("lo")
    return fake


# ------------------------------------------------------------------ discovery


def test_discovery_of_a_two_port_nic(host: FakeSysfs) -> None:
    set_num_vfs("eth1", 12, sysfs=host)
    inv = sriov.inventory(host)
    assert [pf.pci_address for pf in inv.pfs] == [PF0, PF1]
    pf = inv.pf("eth1")
    assert pf is inv.pf(PF0)
    assert (pf.driver, pf.vendor_id, pf.device_id) == ("ixgbe", 0x8086, 0x10FB)
    assert (pf.total_vfs, pf.num_vfs, pf.drivers_autoprobe, pf.numa_node) == (63, 12, True, 0)
    assert pf.iommu_group is not None
    assert pf.link_states == {"eth1": "up"}
    assert pf.tested_nic is not None
    assert pf.tested_nic.name.startswith("Intel 82599ES")
    # numeric order: virtfn2 before virtfn10
    assert [vf.index for vf in pf.vfs] == list(range(12))
    assert [vf.pci_address for vf in pf.vfs[:3]] == ["0000:82:10.0", "0000:82:10.2", "0000:82:10.4"]
    vf = pf.vfs[10]
    assert (vf.netdev, vf.driver, vf.pf_address) == ("eth1v10", "ixgbevf", PF0)
    assert vf.mac == "02:00:00:00:82:0a"
    assert vf.iommu_group is not None
    # eth1 and eth10 are told apart exactly, not by substring
    assert inv.pf("eth10").pci_address == PF1
    assert inv.pf("eth10").vfs == ()
    assert inv.netdevs["eth0"] == "0000:00:03.0"
    assert inv.netdevs["lo"] is None
    with pytest.raises(SriovError, match="no SR-IOV physical function 'eth0'"):
        inv.pf("eth0")


def test_vfs_without_netdevs_when_autoprobe_is_off(tmp_path: Path) -> None:
    fake = FakeSysfs(tmp_path)
    fake.add_pf(PF0, netdevs=["enp130s0f0"], autoprobe=False, num_vfs=3)
    pf = sriov.inventory(fake).pf(PF0)
    assert pf.drivers_autoprobe is False
    assert [(vf.netdev, vf.driver, vf.mac) for vf in pf.vfs] == [(None, None, None)] * 3


def test_a_machine_without_sriov(tmp_path: Path) -> None:
    fake = FakeSysfs(tmp_path, cmdline="quiet", iommu=False)
    fake.add_netdev("eth0", "0000:00:03.0")
    inv = sriov.inventory(fake)
    assert not inv.has_sriov
    codes = [f.code for f in inv.findings]
    assert codes == ["S101", "S100"]
    assert "intel_iommu=on iommu=pt" in inv.findings[0].message


def test_unreadable_files_are_findings_not_zeros(host: FakeSysfs) -> None:
    total = host.root / "devices" / "pci0000:00" / PF0 / "sriov_totalvfs"
    host.unreadable.add(total)
    inv = sriov.inventory(host)
    pf = inv.pf(PF0)
    assert pf.total_vfs is None
    (finding,) = [f for f in inv.findings if f.code == "S190"]
    assert str(total) in finding.message
    assert "Permission denied" in finding.message


def test_prerequisite_findings(tmp_path: Path) -> None:
    fake = FakeSysfs(tmp_path, cmdline="intel_iommu=on")
    fake.add_pf(PF0, netdevs=["eth1"], operstate="down")
    fake.add_pf("0000:03:00.0", netdevs=["eth2"], vendor=0x14E4, device=0x168E, driver="bnx2x")
    fake.add_pf("0000:04:00.0", netdevs=["eth3"], vendor=0x10EE, device=0x9038, driver="xyz")
    codes = {(f.code, f.subject) for f in sriov.inventory(fake).findings}
    assert ("S102", None) in codes  # iommu=pt advice
    assert ("S103", PF0) in codes  # link down
    assert ("S105", "0000:03:00.0") in codes  # BCM57810 persistence caveat
    assert ("S104", "0000:04:00.0") in codes  # not on the tested list


def test_tested_nic_list_covers_the_guide() -> None:
    names = " ".join(n.name for n in sriov.TESTED_NICS.values())
    for model in (
        "82599ES",
        "XL710",
        "XXV710",
        "82576",
        "BCM57810",
        "E810-C",
        "SFC9220",
        "QL41000",
        "MT27710",
        "MT2892",
        "MT2910",
    ):
        assert model in names
    assert sriov.TESTED_NICS[(0x15B3, 0x101D)].name.endswith("[ConnectX-6 Dx]")


# ------------------------------------------------------------------ setting the count


def test_set_is_a_noop_when_already_right(host: FakeSysfs) -> None:
    host.write_errors[host.root / "devices" / "pci0000:00" / PF0 / "sriov_numvfs"] = errno.EIO
    plan = set_num_vfs("eth1", 0, sysfs=host)
    assert (plan.changes, plan.actual) == (False, 0)


def test_create_change_and_remove(host: FakeSysfs) -> None:
    assert set_num_vfs("eth1", 2, sysfs=host).actual == 2
    with pytest.raises(SriovError, match="allow_change=True") as info:
        set_num_vfs("eth1", 4, sysfs=host)
    assert info.value.errno == errno.EBUSY
    plan = set_num_vfs("eth1", 4, sysfs=host, allow_change=True, dry_run=True)
    assert plan.writes == (0, 4)
    assert sriov.inventory(host).pf("eth1").num_vfs == 2  # a dry run changes nothing
    plan = set_num_vfs("eth1", 4, sysfs=host, allow_change=True)
    assert (plan.writes, plan.actual) == ((0, 4), 4)
    assert len(sriov.inventory(host).pf("eth1").vfs) == 4
    assert set_num_vfs("eth1", 0, sysfs=host).actual == 0
    assert sriov.inventory(host).pf("eth1").vfs == ()
    with pytest.raises(SriovError, match="at most 63"):
        set_num_vfs("eth1", 64, sysfs=host)


def test_refuses_to_destroy_vfs_in_use(host: FakeSysfs) -> None:
    set_num_vfs("eth1", 3, sysfs=host)
    host.bind_vf(PF0, 1, "vfio-pci")
    host.set_operstate(PF0, 2, "up")
    with pytest.raises(SriovError) as info:
        set_num_vfs("eth1", 0, sysfs=host)
    assert "0000:82:10.2 is bound to vfio-pci" in str(info.value)
    assert "0000:82:10.4 (eth1v2) is up" in str(info.value)
    assert sriov.inventory(host).pf("eth1").num_vfs == 3
    assert set_num_vfs("eth1", 0, sysfs=host, force=True).actual == 0


def test_fake_sysfs_names_vfs_by_pf_address_or_netdev(host: FakeSysfs) -> None:
    set_num_vfs("eth1", 2, sysfs=host)
    host.bind_vf("eth1", 0, "vfio-pci")
    assert [vf.driver for vf in sriov.inventory(host).pf("eth1").vfs] == ["vfio-pci", "ixgbevf"]
    assert host.vf_dir("eth1", 1) == host.vf_dir(PF0, 1)
    with pytest.raises(SriovError, match="'eth9' has no VF 0"):
        host.bind_vf("eth9", 0, "vfio-pci")
    with pytest.raises(SriovError, match="has no VF 5"):
        host.set_operstate(PF0, 5, "up")


def test_driver_may_enable_fewer(host: FakeSysfs) -> None:
    host.pfs[PF0].max_enable = 2
    plan = set_num_vfs("eth1", 5, sysfs=host)
    assert plan.actual == 2
    assert [f.code for f in plan.findings] == ["S110"]


def test_waits_for_virtfn_links(host: FakeSysfs) -> None:
    host.pfs[PF0].link_delay = 0.3
    assert set_num_vfs("eth1", 3, sysfs=host, timeout=5).actual == 3
    assert len(sriov.inventory(host).pf("eth1").vfs) == 3


def test_write_timeout(host: FakeSysfs) -> None:
    host.pfs[PF0].write_delay = 1.0
    with pytest.raises(SriovError, match=r"did not finish within 0\.2 s"):
        set_num_vfs("eth1", 1, sysfs=host, timeout=0.2)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (errno.EBUSY, "set the count to 0 first"),
        (errno.ERANGE, "more VFs than the device supports"),
        (errno.ENOENT, "no driver is bound"),
        (errno.EINVAL, "the driver refused the count"),
        (errno.EACCES, "needs root"),
    ],
)
def test_kernel_errors_become_typed_advice(host: FakeSysfs, error: int, words: str) -> None:
    path = host.root / "devices" / "pci0000:00" / PF0 / "sriov_numvfs"
    host.write_errors[path] = error
    with pytest.raises(SriovError) as info:
        set_num_vfs("eth1", 2, sysfs=host)
    assert info.value.errno == error
    assert words in str(info.value)
    assert info.value.attempted == f"write 2 to {path}"


def test_the_fake_kernel_refuses_like_the_real_one(tmp_path: Path) -> None:
    fake = FakeSysfs(tmp_path)
    fake.add_pf(PF0, netdevs=["eth1"], driver=None, total_vfs=4)
    path = fake.root / "devices" / "pci0000:00" / PF0 / "sriov_numvfs"
    with pytest.raises(SriovError, match="no driver is bound"):
        set_num_vfs(PF0, 2, sysfs=fake)
    fake.add_pf(PF1, netdevs=["eth2"], total_vfs=4, num_vfs=2)
    direct = fake.root / "devices" / "pci0000:00" / PF1 / "sriov_numvfs"
    for value, code in (("3", errno.EBUSY), ("9", errno.ERANGE), ("x", errno.EINVAL)):
        with pytest.raises(OSError, match=os.strerror(code)) as info:
            fake.write(direct, value)
        assert info.value.errno == code
    fake.write(direct, "0")
    fake.write(direct, "3")
    assert len(list(fake.vf_dir(PF1, 2).parent.glob("0000:82:1*"))) == 3
    assert path.read_text() == "0\n"


# ------------------------------------------------------------------ persistence


def test_udev_rules(host: FakeSysfs, tmp_path: Path) -> None:
    pf = sriov.inventory(host).pf("eth1")
    assert sriov.udev_rule(pf, 2, style="driver") == (
        'ACTION=="add", SUBSYSTEM=="net", ENV{ID_NET_DRIVER}=="ixgbe", '
        'ATTR{device/sriov_numvfs}="2"\n'
    )
    assert sriov.udev_rule(pf, 2) == (
        'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:82:00.0", ATTR{device/sriov_numvfs}="2"\n'
    )
    rules = tmp_path / "rules.d"
    path = sriov.write_udev_rule(rules, pf, 2)
    assert path.name == "70-virtnetlib-sriov-0000_82_00_0.rules"
    assert path.read_text().endswith(sriov.udev_rule(pf, 2))
    assert [p.name for p in rules.iterdir()] == [path.name]  # no temporary left behind
    sriov.write_udev_rule(rules, pf, 4)
    assert 'ATTR{device/sriov_numvfs}="4"' in path.read_text()
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(SriovError, match="cannot write"):
        sriov.write_udev_rule(blocked, pf, 2)


@pytest.mark.parametrize(
    ("count", "words"),
    [
        ('2"\nACTION=="add", RUN+="/bin/sh', "expected an integer >= 0"),
        ("2", "expected an integer >= 0"),
        (True, "expected an integer >= 0"),
        (-1, "expected an integer >= 0"),
        (64, "supports at most 63 VFs, not 64"),
    ],
)
def test_bad_vf_counts_never_reach_a_rule_or_sysfs(
    host: FakeSysfs, tmp_path: Path, count: Any, words: str
) -> None:
    pf = sriov.inventory(host).pf("eth1")
    with pytest.raises(vnl.UsageError, match=words):
        sriov.udev_rule(pf, count)
    with pytest.raises(vnl.UsageError, match=words):
        sriov.write_udev_rule(tmp_path / "rules.d", pf, count)
    assert not (tmp_path / "rules.d").exists()
    with pytest.raises(vnl.Error, match=r"at most|integer"):
        set_num_vfs("eth1", count, sysfs=host)
    assert sriov.inventory(host).pf("eth1").num_vfs == 0


@pytest.mark.parametrize("name", ["../evil.rules", ".hidden.rules", "70-vfs.conf", "a/b.rules"])
def test_udev_rule_file_names_stay_in_the_rules_folder(
    host: FakeSysfs, tmp_path: Path, name: str
) -> None:
    pf = sriov.inventory(host).pf("eth1")
    with pytest.raises(vnl.UsageError, match=r"plain file name ending in \.rules"):
        sriov.write_udev_rule(tmp_path / "rules.d", pf, 2, filename=name)
    assert not (tmp_path / "evil.rules").exists()


# ------------------------------------------------------------------ VFs to VMs


def test_vf_to_interface_matches_virsh_attach_interface(host: FakeSysfs, tmp_path: Path) -> None:
    set_num_vfs("eth1", 2, sysfs=host)
    vf = sriov.inventory(host).pf("eth1").vfs[0]
    iface = vf.to_interface(mac="52:54:00:00:01:01")
    assert iface.to_xml() == (
        "<interface type='hostdev' managed='yes'>\n"
        "  <mac address='52:54:00:00:01:01'/>\n"
        "  <source>\n"
        "    <address type='pci' domain='0x0000' bus='0x82' slot='0x10' function='0x0'/>\n"
        "  </source>\n"
        "</interface>\n"
    )
    tagged = vf.to_interface(mac="52:54:00:00:01:01", vlan=vnl.Vlan(tags=[vnl.VlanTag(id=42)]))
    assert tagged.vlan is not None
    assert "<vlan>" in tagged.to_xml()
    virsh = shutil.which("virsh")
    if virsh is None:
        unavailable("virsh (Debian: libvirt-clients) is not installed")
        return
    node = tmp_path / "node.xml"
    node.write_text(
        "<node><domain type='test'><name>vm</name><memory>1024</memory>"
        "<os><type>hvm</type></os></domain></node>"
    )
    out = subprocess.run(
        [
            virsh,
            "-c",
            f"test://{node}",
            "attach-interface",
            "vm",
            "hostdev",
            vf.pci_address,
            "--mac",
            "52:54:00:00:01:01",
            "--managed",
            "--print-xml",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert vnl.Interface.from_xml(out) == iface


@pytest.mark.libvirt
def test_vf_attached_in_a_domain_on_the_test_driver(host: FakeSysfs, test_conn: Any) -> None:
    set_num_vfs("eth1", 1, sysfs=host)
    iface = sriov.inventory(host).pf("eth1").vfs[0].to_interface(mac="52:54:00:00:01:01")
    dom = test_conn.defineXML(
        "<domain type='test'><name>vm</name><memory>1024</memory><os><type>hvm</type></os>"
        f"<devices>{iface.to_xml()}</devices></domain>"
    )
    try:
        (stored,) = vnl.domain_interfaces(dom.XMLDesc(0))
    finally:
        dom.undefine()
    assert stored.target is not None
    stored.target = None
    assert stored == iface


def test_pick_a_free_vf(host: FakeSysfs) -> None:
    set_num_vfs("eth1", 3, sysfs=host)
    host.bind_vf(PF0, 0, "vfio-pci")
    pf = sriov.inventory(host).pf("eth1")
    in_domain = vnl.HostdevInterface.for_vf(pf.vfs[1].pci_address, "52:54:00:00:01:02")
    free = sriov.pick_free_vf(
        pf, [in_domain, vnl.BridgeInterface(source=vnl.BridgeSource(bridge="br0"))]
    )
    assert free is not None
    assert free.index == 2
    assert sriov.pick_free_vf(pf, [in_domain, free.to_interface()]) is None
    with pytest.raises(vnl.UsageError, match=r"expected a PhysicalFunction .*got str"):
        sriov.pick_free_vf("eth1")  # type: ignore[arg-type]
    with pytest.raises(vnl.UsageError, match="in_use: expected an Interface model, got str"):
        sriov.pick_free_vf(pf, ["<interface type='hostdev'/>"])  # type: ignore[list-item]


def test_sysfs_roots_must_be_paths() -> None:
    with pytest.raises(vnl.UsageError, match="sysfs root: expected a path"):
        sriov.Sysfs(root=None)  # type: ignore[arg-type]
    with pytest.raises(vnl.UsageError, match=r"procfs root: .* holds a NUL"):
        sriov.Sysfs(proc="/pr\x00oc")


# ------------------------------------------------------------------ the real host


def test_real_sysfs_never_raises() -> None:
    inv = sriov.inventory()
    assert "lo" in inv.netdevs
    real = {p.name for p in Path("/sys/class/net").iterdir()}
    assert set(inv.netdevs) == real
    if not inv.has_sriov:
        assert any(f.code == "S100" for f in inv.findings)


def test_cli_inventory(host: FakeSysfs, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from virtnetlib.cli import main

    set_num_vfs("eth1", 2, sysfs=host)
    args = ["sriov", "--sysfs", str(host.root), "--proc", str(host.proc)]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("0000:82:00.0 eth1 driver=ixgbe 8086:10fb VFs 2/63 link=up (Intel")
    assert out[1].startswith("  virtfn0 0000:82:10.0 eth1v0 mac=02:00:00:00:82:00")
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [vf["pci_address"] for vf in data["pfs"][0]["vfs"]] == ["0000:82:10.0", "0000:82:10.2"]
    assert main(["sriov"]) == 0  # the real host
    assert "lo" in capsys.readouterr().out


# ------------------------------------------------------------------ a hostile tree or caller


def _pf(**changes: Any) -> sriov.PhysicalFunction:
    import attrs

    base = sriov.PhysicalFunction(
        pci_address="0000:01:00.0",
        netdevs=("eth0",),
        driver="ixgbe",
        vendor_id=0x8086,
        device_id=0x10FB,
        total_vfs=8,
        num_vfs=0,
        drivers_autoprobe=True,
        numa_node=0,
        iommu_group=1,
        link_states={"eth0": "up"},
        vfs=(),
    )
    return attrs.evolve(base, **changes)


@pytest.mark.parametrize(
    ("changes", "style"),
    [
        ({"pci_address": '0000:01:00.0", RUN+="/bin/touch /tmp/pwned'}, "pci"),
        ({"pci_address": '0000:01:00.0\nACTION=="add", RUN+="/bin/sh"'}, "pci"),
        ({"pci_address": "0000:01:00.0 "}, "pci"),
        ({"driver": 'ixgbe", RUN+="/bin/sh'}, "driver"),
        ({"driver": "ixgbe\nRUN+=x"}, "driver"),
    ],
)
def test_a_rule_holds_only_what_its_grammar_allows(changes: dict[str, Any], style: Any) -> None:
    with pytest.raises(vnl.UsageError):
        sriov.udev_rule(_pf(**changes), 2, style=style)


def test_a_planted_link_at_the_rules_temporary_name_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    rules = tmp_path / "rules.d"
    rules.mkdir()
    name = "70-virtnetlib-sriov-0000_01_00_0.rules"
    for pid in range(os.getpid() - 2, os.getpid() + 3):  # the old predictable names
        (rules / f".{name}.{pid}.tmp").symlink_to(victim)
    written = sriov.write_udev_rule(rules, _pf(), 2)
    assert victim.read_text() == "keep\n"
    assert written.read_text().endswith('ATTR{device/sriov_numvfs}="2"\n')
    assert oct(written.stat().st_mode & 0o777) == "0o644"


def test_a_device_link_out_of_the_root_is_never_written(tmp_path: Path) -> None:
    """A PF whose device link, or whose sriov_numvfs, leads out of the sysfs
    root is not listed and not written; nothing outside changes."""
    fake = FakeSysfs(tmp_path / "host")
    fake.add_pf("0000:01:00.0", netdevs=["eth0"], total_vfs=4)
    outside = tmp_path / "outside"
    outside.mkdir()
    for name, text in (("sriov_totalvfs", "4\n"), ("sriov_numvfs", "0\n")):
        (outside / name).write_text(text)
    link = fake.root / "bus" / "pci" / "devices" / "0000:01:00.0"
    link.unlink()
    link.symlink_to(outside)
    assert sriov.inventory(fake).pfs == ()
    with pytest.raises(SriovError):
        set_num_vfs("0000:01:00.0", 2, sysfs=fake)
    # the attribute itself a link out of the tree
    real = fake.root / "devices" / "pci0000:00" / "0000:01:00.0"
    link.unlink()
    link.symlink_to(os.path.relpath(real, link.parent))
    (real / "sriov_numvfs").unlink()
    (real / "sriov_numvfs").symlink_to(outside / "sriov_numvfs")
    with pytest.raises(SriovError, match="outside the sysfs root"):
        sriov.Sysfs(fake.root, fake.proc).write(real / "sriov_numvfs", "2")
    with pytest.raises(SriovError, match="outside the sysfs root"):
        fake.write(real / "sriov_numvfs", "2")
    assert (outside / "sriov_numvfs").read_text() == "0\n"


@pytest.mark.parametrize(
    "make",
    [
        lambda f: f.add_pf("0000:01:00.0", netdevs=["../../x"]),
        lambda f: f.add_pf("0000:01:00.0", netdevs=["a/b"]),
        lambda f: f.add_pf("../../0000:01:00.0", netdevs=["eth0"]),
        lambda f: f.add_pf("0000:01:00.0", netdevs=["eth0"], driver="../../x"),
        lambda f: f.add_netdev("../escape"),
        lambda f: f.vf_dir("../..", 0),
    ],
)
def test_the_fake_tree_stays_in_its_folder(tmp_path: Path, make: Any) -> None:
    fake = FakeSysfs(tmp_path / "host")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(vnl.UsageError):
        make(fake)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_fifos_and_odd_content_in_sysfs_are_findings_not_hangs(tmp_path: Path) -> None:
    import threading

    fake = FakeSysfs(tmp_path / "host")
    fake.add_pf("0000:01:00.0", netdevs=["eth0"], total_vfs=4)
    device = fake.root / "devices" / "pci0000:00" / "0000:01:00.0"
    (device / "numa_node").unlink()
    os.mkfifo(device / "numa_node")
    (device / "vendor").write_bytes(b"\xff\xfe\n")
    (device / "device").write_text("x" * 100_000)
    found: list[Any] = []
    worker = threading.Thread(target=lambda: found.append(sriov.inventory(fake)), daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "reading a FIFO in sysfs blocked"
    (inv,) = found
    (pf,) = inv.pfs
    assert (pf.numa_node, pf.vendor_id, pf.device_id) == (None, None, None)
    messages = [f.message for f in inv.findings if f.code == "S190"]
    assert any("not a regular file (a FIFO)" in m for m in messages)
    assert any("not UTF-8" in m for m in messages)
    assert any("more than 65536 bytes" in m for m in messages)


def test_an_iommu_group_named_with_other_digits_is_no_group(tmp_path: Path) -> None:
    fake = FakeSysfs(tmp_path / "host")
    pf = fake.add_pf("0000:82:00.0", netdevs=["enp130s0f0"], num_vfs=2)
    odd = fake.root / "kernel" / "iommu_groups" / "\u00b2"
    odd.mkdir()
    (pf / "iommu_group").unlink()
    (pf / "iommu_group").symlink_to(odd)
    (vf_pf,) = sriov.inventory(fake).pfs
    assert vf_pf.iommu_group is None


def test_a_count_is_written_as_the_number_it_is() -> None:
    import enum

    class Evil(int):
        def __format__(self, spec: str) -> str:
            return '2"\nRUN+="/bin/sh -c id'

        def __str__(self) -> str:
            return '2"\nRUN+="/bin/sh -c id'

    class Count(int, enum.Enum):
        TWO = 2

    for count in (Evil(2), Count.TWO):
        rule = sriov.udev_rule(_pf(), count)
        assert rule.endswith('ATTR{device/sriov_numvfs}="2"\n')
        assert rule.count("\n") == 1


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: set_num_vfs("eth1", 1, timeout=None), "timeout None"),  # type: ignore[arg-type]
        (lambda: set_num_vfs("eth1", 1, timeout=float("nan")), "timeout nan"),
        (lambda: set_num_vfs("eth1", 1, timeout=float("inf")), "timeout inf"),
        (lambda: set_num_vfs("eth1", 1, timeout="5"), "timeout '5'"),  # type: ignore[arg-type]
        (lambda: set_num_vfs("eth1", 1, sysfs=5), "sysfs: expected a Sysfs"),  # type: ignore[arg-type]
        (lambda: sriov.udev_rule("0000:82:00.0", 2), "expected a PhysicalFunction"),  # type: ignore[arg-type]
        (lambda: sriov.write_udev_rule("/tmp", _pf(), 2, filename="a\x00.rules"), "NUL"),
        (lambda: sriov.write_udev_rule("/tmp", _pf(), 2, filename=5), "filename"),  # type: ignore[arg-type]
        (lambda: sriov.write_udev_rule("/tmp/x\x00", _pf(), 2), "rules_dir"),
        (lambda: sriov.pick_free_vf(_pf(), 5), "in_use"),  # type: ignore[arg-type]
    ],
)
def test_careless_arguments_are_usage_errors_before_anything_is_done(call: Any, words: str) -> None:
    with pytest.raises(vnl.UsageError, match=words):
        call()


def test_no_interfaces_in_use_may_be_said_with_none(host: FakeSysfs) -> None:
    set_num_vfs("eth1", 2, sysfs=host)
    pf = sriov.inventory(host).pf("eth1")
    assert sriov.pick_free_vf(pf, None) == pf.vfs[0]


def test_settle_acts_as_the_kernel_on_writes_another_process_made(host: FakeSysfs) -> None:
    """Code in a process of its own writes sriov_numvfs past the fake; settle()
    creates and removes the VFs the kernel would."""
    numvfs = host.root / "devices" / "pci0000:00" / PF0 / "sriov_numvfs"
    subprocess.run(["sh", "-c", f"echo 3 > {numvfs}"], check=True)
    assert sriov.inventory(host).pf(PF0).vfs == ()  # nothing acted on the write yet
    assert host.settle() == [PF0]
    pf = sriov.inventory(host).pf(PF0)
    assert [vf.index for vf in pf.vfs] == [0, 1, 2]
    assert host.settle() == []  # already as written
    numvfs.write_text("0\n")
    assert host.settle() == [PF0]
    assert sriov.inventory(host).pf(PF0).vfs == ()


def test_the_rule_file_is_what_write_udev_rule_writes(host: FakeSysfs, tmp_path: Path) -> None:
    pf = sriov.inventory(host).pf(PF0)
    name, text = sriov.udev_rule_file(pf, 4)
    written = sriov.write_udev_rule(tmp_path / "rules.d", pf, 4)
    assert (written.name, written.read_text()) == (name, text)
    with pytest.raises(vnl.UsageError, match=r"plain file name ending in \.rules"):
        sriov.udev_rule_file(pf, 4, filename="../x.rules")
