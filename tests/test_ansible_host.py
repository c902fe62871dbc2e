"""The collection's host modules, run by ``ansible-playbook``: ``sriov`` on a fake
sysfs tree, ``host_bridge`` with the real nmcli and a real NetworkManager."""

from __future__ import annotations

import configparser
import json
import os
import shlex
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import virtnetlib as vnl
from tests.ansible_env import Run, collections, iter_hosts, playbook, saved
from tests.conftest import unavailable
from tests.netns import run
from virtnetlib import nmcli, sriov
from virtnetlib.fakesysfs import FakeSysfs

__all__ = ["collections"]  # the fixture, used by name

PF0, PF1 = "0000:82:00.0", "0000:82:00.1"
INVENTORY = "\n".join(iter_hosts({"hv1": {}})) + "\n"


def play(module: str, args: dict[str, Any], *, check: bool = False) -> str:
    """A play running ``module`` once on every host, saving what it returned (failed
    or not) as ``result``; the save runs in check mode too."""
    task = (
        "- hosts: hypervisors\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        f"    - virtnetlib.libvirt.{module}: {json.dumps(args)}\n"
        "      register: result\n"
        "      ignore_errors: true\n"
    )
    if check:
        task += "      check_mode: true\n"
    return task + saved()


def ansible(collections: Path, work: Path, text: str, *args: str) -> tuple[Run, dict[str, Any]]:
    """Run a play from :func:`play`; the run and the module's result."""
    done = playbook(collections, work, text, INVENTORY, *args)
    assert "hv1-result" in done.results, done
    result: dict[str, Any] = done.results["hv1-result"]
    return done, result


# ------------------------------------------------------------------ sriov


class Kernel:
    """The kernel's side of a fake sysfs tree, for a module in another process.

    :class:`FakeSysfs` acts like the kernel on the writes made through it;
    the module writes the tree's files itself (a plain ``Sysfs`` on
    ``sysfs_root``). This thread carries out those writes with
    :meth:`FakeSysfs.settle`, so the module waits for the VFs as it does on
    a real host. The module writes without truncating, as into sysfs, so
    tests keep counts below 10.
    """

    def __init__(self, fake: FakeSysfs) -> None:
        self.fake = fake
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-kernel", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            try:
                self.fake.settle()
            except Exception as exc:  # noqa: BLE001 - reported by the test's thread
                self.errors.append(exc)
                return

    @contextmanager
    def running(self) -> Iterator[FakeSysfs]:
        self._thread.start()
        try:
            yield self.fake
        finally:
            self._stop.set()
            self._thread.join(10)
        assert not self.errors, self.errors


@pytest.fixture
def fake(tmp_path: Path) -> FakeSysfs:
    """The RHEL 10 guide's host: an 82599ES with two ports (ixgbe, 7 VFs at most)."""
    host = FakeSysfs(tmp_path / "host")
    host.add_pf(PF0, netdevs=["eth1"], total_vfs=7)
    host.add_pf(PF1, netdevs=["eth10"], total_vfs=7)
    host.add_netdev("eth0", "0000:00:03.0")
    return host


def count(fake: FakeSysfs, pf: str = PF0) -> tuple[int | None, int]:
    """The PF's ``sriov_numvfs`` and how many VFs it has, as virtnetlib reads them."""
    found = sriov.inventory(fake).pf(pf)
    return found.num_vfs, len(found.vfs)


def test_sriov_creates_vfs_once(collections: Path, tmp_path: Path, fake: FakeSysfs) -> None:
    args = {"pf": "eth1", "num_vfs": 4, "sysfs_root": str(fake.root)}
    with Kernel(fake).running():
        done, result = ansible(collections, tmp_path / "create", play("sriov", args))
        assert done.returncode == 0, done
        assert done.recap["hv1"]["changed"] == 1, done
        assert count(fake) == (4, 4)
        assert result["changed"] is True
        assert (result["pf"], result["num_vfs_before"], result["num_vfs"]) == (PF0, 0, 4)
        assert result["writes"] == [4]
        assert [vf["pci_address"] for vf in result["vfs"]] == [
            "0000:82:10.0",
            "0000:82:10.2",
            "0000:82:10.4",
            "0000:82:10.6",
        ]
        assert result["vfs"][3] == {
            "index": 3,
            "pci_address": "0000:82:10.6",
            "netdev": "eth1v3",
            "mac": "02:00:00:00:82:03",
            "driver": "ixgbevf",
            "iommu_group": result["vfs"][3]["iommu_group"],
            "assigned": False,
        }
        assert isinstance(result["vfs"][3]["iommu_group"], int)
        assert "udev_rule" not in result
        # by PCI address, the same PF: nothing to do
        again, result = ansible(collections, tmp_path / "again", play("sriov", {**args, "pf": PF0}))
        assert again.returncode == 0, again
        assert again.recap["hv1"]["changed"] == 0, again
        assert (result["changed"], result["num_vfs_before"], result["writes"]) == (False, 4, [])
        assert count(fake) == (4, 4)
        assert count(fake, PF1) == (0, 0)  # eth10 is not eth1


def test_sriov_check_and_diff_change_nothing(
    collections: Path, tmp_path: Path, fake: FakeSysfs
) -> None:
    fake.add_pf("0000:03:00.0", netdevs=["eth3"], total_vfs=7, num_vfs=4)
    rules = tmp_path / "rules.d"
    args = {
        "pf": "eth3",
        "num_vfs": 2,
        "allow_change": True,
        "persist": True,
        "rules_dir": str(rules),
        "sysfs_root": str(fake.root),
    }
    with Kernel(fake).running():
        done, result = ansible(
            collections, tmp_path / "check", play("sriov", args), "--check", "--diff"
        )
        assert done.returncode == 0, done
        assert done.recap["hv1"]["changed"] == 1, done
        assert (result["changed"], result["num_vfs_before"], result["num_vfs"]) == (True, 4, 2)
        assert result["writes"] == [0, 2]  # through 0, as the kernel requires
        assert len(result["vfs"]) == 4  # the VFs as they are
        assert result["udev_rule"] == str(rules / "70-virtnetlib-sriov-0000_03_00_0.rules")
        lines = done.output.splitlines()
        assert "--- before: 0000:03:00.0 sriov_numvfs" in lines
        assert "-4" in lines
        assert "+2" in lines
        assert f"+++ after: {rules}/70-virtnetlib-sriov-0000_03_00_0.rules" in lines
        rule = '+ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:03:00.0", '
        assert rule + 'ATTR{device/sriov_numvfs}="2"' in lines
        assert count(fake, "0000:03:00.0") == (4, 4)
        assert not rules.exists()


def test_sriov_refusals_fail_with_virtnetlibs_message(
    collections: Path, tmp_path: Path, fake: FakeSysfs
) -> None:
    fake.add_pf("0000:03:00.0", netdevs=["eth3"], total_vfs=7, num_vfs=3)
    root = str(fake.root)
    cases = {
        "change": (
            {"pf": "eth3", "num_vfs": 5},
            "0000:03:00.0 has 3 VFs; changing to 5 means removing them all first",
        ),
        "unknown": ({"pf": "eth9", "num_vfs": 1}, "no SR-IOV physical function 'eth9'"),
        "too many": ({"pf": "eth1", "num_vfs": 8}, "supports at most 7 VFs, not 8"),
    }
    fake.bind_vf("eth3", 1, "vfio-pci")
    fake.set_operstate("eth3", 2, "up")
    cases["in use"] = (
        {"pf": "eth3", "num_vfs": 0},
        "refusing to remove VFs that are in use: 0000:03:10.2 is bound to vfio-pci "
        "(assigned to a VM); 0000:03:10.4 (eth3v2) is up",
    )
    with Kernel(fake).running():
        for name, (args, message) in cases.items():
            work = tmp_path / name.replace(" ", "-")
            done, result = ansible(collections, work, play("sriov", {**args, "sysfs_root": root}))
            assert done.recap["hv1"]["failed"] == 0, done  # ignore_errors: counted as ignored
            assert result["failed"] is True, result
            assert message in result["msg"], result
            assert not result["changed"]
        assert count(fake, "0000:03:00.0") == (3, 3)
        assert count(fake) == (0, 0)


def test_sriov_persists_the_count_in_a_udev_rule(
    collections: Path, tmp_path: Path, fake: FakeSysfs
) -> None:
    rules = tmp_path / "rules.d"
    args = {"pf": PF0, "num_vfs": 3, "persist": True, "rules_dir": str(rules)}
    rule = rules / "70-virtnetlib-sriov-0000_82_00_0.rules"
    expected = sriov.udev_rule(sriov.inventory(fake).pf(PF0), 3)
    with Kernel(fake).running():
        done, result = ansible(
            collections, tmp_path / "persist", play("sriov", {**args, "sysfs_root": str(fake.root)})
        )
        assert done.returncode == 0, done
        assert (result["changed"], result["udev_rule"]) == (True, str(rule))
        assert rule.read_text().endswith(expected)
        assert count(fake) == (3, 3)
        again, result = ansible(
            collections, tmp_path / "again", play("sriov", {**args, "sysfs_root": str(fake.root)})
        )
        assert again.recap["hv1"]["changed"] == 0, again
        # a rule edited by hand is put back, though the count is right
        rule.write_text('ACTION=="add", ATTR{device/sriov_numvfs}="7"\n')
        fixed, result = ansible(
            collections, tmp_path / "fix", play("sriov", {**args, "sysfs_root": str(fake.root)})
        )
        assert fixed.recap["hv1"]["changed"] == 1, fixed
        assert (result["changed"], result["writes"]) == (True, [])
        assert rule.read_text().endswith(expected)
        assert [p.name for p in rules.iterdir()] == [rule.name]  # no temporary left behind
        # a rule file that is not UTF-8 is read without a traceback, and replaced
        rule.write_bytes(b"\xff\xfe not utf-8\n")
        replaced, result = ansible(
            collections, tmp_path / "bytes", play("sriov", {**args, "sysfs_root": str(fake.root)})
        )
        assert replaced.returncode == 0, replaced
        assert result["changed"]
        assert rule.read_text().endswith(expected)
        # a FIFO in its place is neither opened (it would block) nor replaced:
        # the task fails, naming it
        rule.unlink()
        os.mkfifo(rule)
        _, result = ansible(
            collections, tmp_path / "fifo", play("sriov", {**args, "sysfs_root": str(fake.root)})
        )
        assert result["failed"]
        assert "not a regular file (a FIFO)" in result["msg"] or "FIFO" in result["msg"]
        assert rule.is_fifo()


# ------------------------------------------------------------------ host_bridge


def need_nmcli() -> str:
    path = shutil.which("nmcli")
    if path is None:
        unavailable("nmcli is not installed (Debian: network-manager)")
    return path


BRIDGE = {
    "name": "vnl ansible br",
    "interface": "vnlnmbr6",
    "ports": ["vnlnm6"],
    "stp": False,
    "ipv4": {"method": "manual", "addresses": ["198.51.100.6/24"]},
    "ipv6": {"method": "disabled"},
}


def bridge_profiles() -> list[nmcli.Profile]:
    """What virtnetlib makes of :data:`BRIDGE`: the profiles the module must manage."""
    return nmcli.bridge_profiles(
        "vnl ansible br",
        ["vnlnm6"],
        interface="vnlnmbr6",
        stp=False,
        ip=(
            ("ipv4.method", "manual"),
            ("ipv4.addresses", "198.51.100.6/24"),
            ("ipv6.method", "disabled"),
        ),
    )


def test_host_bridge_check_mode_returns_the_nmcli_plan(collections: Path, tmp_path: Path) -> None:
    path = need_nmcli()
    args = {**BRIDGE, "nmcli": path}
    done, result = ansible(collections, tmp_path / "bridge", play("host_bridge", args, check=True))
    assert done.returncode == 0, done
    assert not result.get("failed"), result
    expected = nmcli.Nmcli(path=path).plan(bridge_profiles())
    assert result["plan"] == [shlex.join(argv) for argv in expected.argvs(path)]
    assert result["plan"][0].startswith(
        f"{path} --wait 60 connection add type bridge con-name 'vnl ansible br' ifname vnlnmbr6 "
    )
    assert result["plan"][-1] == f"{path} --wait 60 connection up uuid {expected.steps[-1].uuid}"
    assert [(p["name"], p["uuid"], p["controller"]) for p in result["profiles"]] == [
        (p.name, p.uuid, p.controller) for p in bridge_profiles()
    ]
    # the plan the task shows is what NetworkManager takes: each profile it adds,
    # through the real `nmcli --offline`, is the keyfile of the profile asked for
    for line, profile in zip(result["plan"], bridge_profiles(), strict=False):
        argv = shlex.split(line)
        assert argv[3:5] == ["connection", "add"], line
        out = subprocess.run(
            [path, "--offline", *argv[3:]],
            capture_output=True,
            text=True,
            check=True,
            env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"},
            timeout=60,
        ).stdout
        keyfile = configparser.ConfigParser(interpolation=None)
        keyfile.read_string(out[out.index("[connection]") :])
        assert keyfile["connection"]["uuid"] == profile.uuid
        assert keyfile["connection"]["id"] == profile.name
        assert keyfile["connection"]["interface-name"] == profile.interface
        section = keyfile["connection"]
        if profile.controller is not None:
            # nmcli 1.42 writes master=/slave-type=, later ones controller=/port-type=
            bridge = bridge_profiles()[0]
            assert section.get("controller", section.get("master")) == bridge.uuid
            assert section.get("port-type", section.get("slave-type")) == "bridge"
        else:
            assert section["type"] == "bridge"
            assert keyfile["ipv4"]["address1"].startswith("198.51.100.6/24")
    # nothing named so exists: every command would run
    assert (result["changed"], result["ran"], result["in_place"]) == (True, result["plan"], [])
    status = subprocess.run(["nmcli", "-t", "general", "status"], capture_output=True, check=False)
    if status.returncode != 0:  # no NetworkManager here: the plan, and why it is all of it
        (warning,) = result["warnings"]
        assert warning.startswith("NetworkManager is not running: every command of the plan")
        # absent says the same in check mode, instead of failing
        gone = {**args, "state": "absent"}
        done, result = ansible(
            collections, tmp_path / "gone", play("host_bridge", gone, check=True)
        )
        assert not result.get("failed"), result
        assert len(result["plan"]) == len(bridge_profiles())
        (warning,) = result["warnings"]
        assert warning.startswith("NetworkManager is not running: every profile's delete")

    # a bridge over a bond, from the host <interface> document of the RHEL 10 guide
    xml = (
        "<interface type='bridge' name='vnlbr0'><bridge stp='off'>"
        "<interface type='bond' name='vnlbond0'><bond mode='active-backup'>"
        "<miimon freq='100'/><interface type='ethernet' name='vnlnm8'/>"
        "<interface type='ethernet' name='vnlnm9'/></bond></interface>"
        "</bridge></interface>"
    )
    args = {"xml": xml, "nmcli": path, "activate": False, "wait": 10}
    done, result = ansible(collections, tmp_path / "xml", play("host_bridge", args, check=True))
    assert done.returncode == 0, done
    profiles = nmcli.plan_from_host_interface(vnl.HostInterface.from_xml(xml))
    assert [p["uuid"] for p in result["profiles"]] == [p.uuid for p in profiles]
    expected = nmcli.Nmcli(path=path, wait=10).plan(profiles, activate=False)
    assert result["plan"] == [shlex.join(argv) for argv in expected.argvs(path, 10)]
    assert any("bond.options mode=active-backup,miimon=100" in line for line in result["plan"])
    assert not any(" up " in line for line in result["plan"])


def test_host_bridge_refuses_settings_of_the_other_type(collections: Path, tmp_path: Path) -> None:
    path = need_nmcli()
    args = {"name": "vnlbond1", "type": "bond", "stp": True, "nmcli": path}
    _, result = ansible(collections, tmp_path / "stp", play("host_bridge", args, check=True))
    assert (result["failed"], result["msg"]) == (True, "stp is a bridge setting; this is a bond")
    args = {"name": "vnlbond1", "type": "bond", "ports": ["vnl nm"], "nmcli": path}
    _, result = ansible(collections, tmp_path / "name", play("host_bridge", args, check=True))
    assert result["failed"] is True
    assert "interface 'vnl nm' is not a Linux interface name" in result["msg"]
    assert result["plan"] == []


def connections() -> dict[str, tuple[str, str, str]]:
    """NetworkManager's profiles by UUID: name, type and device, as nmcli lists them."""
    out = subprocess.run(
        ["nmcli", "-t", "-f", "UUID,NAME,TYPE,DEVICE", "connection", "show"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "LC_ALL": "C"},
    ).stdout
    rows = [line.split(":") for line in out.splitlines() if line]
    return {uuid: (name, kind, device) for uuid, name, kind, device in rows}


def manage(device: str) -> None:
    """Tell NetworkManager to manage a veth it has just been given (it may not know it yet)."""
    deadline = time.monotonic() + 30
    while True:
        proc = subprocess.run(
            ["nmcli", "device", "set", device, "managed", "yes"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if proc.returncode == 0:
            return
        assert time.monotonic() < deadline, proc.stderr
        time.sleep(0.2)


def test_host_bridge_on_a_real_networkmanager(
    collections: Path, tmp_path: Path, network_manager: str
) -> None:
    ns = network_manager
    path = need_nmcli()
    uuids = [p.uuid for p in bridge_profiles()]
    run("ip", "-n", ns, "link", "add", "vnlnm6", "type", "veth", "peer", "name", "vnlnm7")
    try:
        for device in ("vnlnm6", "vnlnm7"):
            manage(device)
        args = {**BRIDGE, "nmcli": path}

        # check mode reads NetworkManager and changes nothing
        done, result = ansible(
            collections, tmp_path / "check", play("host_bridge", args, check=True)
        )
        assert done.recap["hv1"]["changed"] == 1, done
        assert not result.get("failed"), result
        assert result["ran"] == result["plan"]
        assert not set(uuids) & set(connections())

        done, result = ansible(collections, tmp_path / "apply", play("host_bridge", args))
        assert done.returncode == 0, done
        assert done.recap["hv1"]["changed"] == 1, done
        assert not result.get("failed"), result
        assert (result["ran"], result["in_place"]) == (result["plan"], [])
        found = connections()
        assert found[uuids[0]] == ("vnl ansible br", "bridge", "vnlnmbr6")
        assert found[uuids[1]] == ("vnl ansible br-port1", "802-3-ethernet", "vnlnm6")
        assert "vnlnm6" in run("ip", "-n", ns, "-o", "link", "show", "master", "vnlnmbr6").stdout
        assert "198.51.100.6/24" in run("ip", "-n", ns, "-o", "addr", "show", "vnlnmbr6").stdout

        # again: everything in place, nothing runs; check mode says the same
        for check in (False, True):
            work = tmp_path / f"again-{check}"
            again, result = ansible(collections, work, play("host_bridge", args, check=check))
            assert again.recap["hv1"]["changed"] == 0, again
            assert (result["changed"], result["ran"]) == (False, [])
            assert result["in_place"] == result["plan"]

        # a port no longer asked for: its profile goes (it would stay enslaved)
        fewer = {**args, "ports": []}
        done, result = ansible(collections, tmp_path / "fewer", play("host_bridge", fewer))
        assert done.recap["hv1"]["changed"] == 1, done
        assert result["ran"][-1] == f"{path} --wait 60 connection delete uuid {uuids[1]}"
        assert uuids[1] not in connections()
        assert uuids[0] in connections()
        done, result = ansible(collections, tmp_path / "back", play("host_bridge", args))
        assert done.recap["hv1"]["changed"] == 1, done
        assert uuids[1] in connections()

        # absent deletes the profiles, ports first; check mode first changes nothing
        gone = {**args, "state": "absent"}
        done, result = ansible(
            collections, tmp_path / "absent-check", play("host_bridge", gone, check=True)
        )
        assert (done.recap["hv1"]["changed"], result["changed"]) == (1, True), done
        assert set(uuids) <= set(connections())
        done, result = ansible(collections, tmp_path / "absent", play("host_bridge", gone))
        assert done.recap["hv1"]["changed"] == 1, done
        assert result["ran"] == [
            f"{path} --wait 60 connection delete uuid {uuid}" for uuid in reversed(uuids)
        ]
        assert not set(uuids) & set(connections())
        done, result = ansible(collections, tmp_path / "absent-again", play("host_bridge", gone))
        assert (done.recap["hv1"]["changed"], result["ran"]) == (0, []), done
    finally:
        for uuid in set(uuids) & set(connections()):
            subprocess.run(["nmcli", "connection", "delete", "uuid", uuid], check=False, timeout=60)
        run("ip", "-n", ns, "link", "delete", "vnlnm6", check=False)
