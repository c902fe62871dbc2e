"""Every public entry point from many threads at once gives what it gives alone.

virtnetlib is embedded in orchestrators that call it from thread pools. Each
job below is run once alone for the expected result, then all of them,
shuffled, several times over, from 8 threads; every result must equal the
expected one. Valid and invalid documents are mixed on purpose: an invalid
one makes libxml2 write its error log, which once crossed threads.
"""

from __future__ import annotations

import concurrent.futures
import functools
import ipaddress
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import virtnetlib as vnl
from tests.conftest import CORPUS, manifest, need_module, unavailable
from virtnetlib import nmcli, sriov
from virtnetlib._validation.validate import check_files
from virtnetlib.fakesysfs import FakeSysfs

THREADS = 8
ROUNDS = 4

Job = Callable[[], Any]


_VALUE = re.compile(r"""=(["'])[^"']*\1""")


def _broken(text: str, rnd: random.Random) -> str:
    """``text`` with one attribute value made wrong (the schema explains it)."""
    values = list(_VALUE.finditer(text))
    if not values:
        return text
    found = rnd.choice(values)
    return text[: found.start()] + "='bogus value!'" + text[found.end() :]


def _parsed(text: str) -> Any:
    model = vnl.parse(text, strict=False)
    return model.to_xml(), vnl.unmodeled(model)


def _problems(text: str) -> list[str]:
    return [str(p) for p in vnl.validate(text)]


def _known_problems(path: Path) -> list[str]:
    return [str(p) for p in vnl.validate_known(path)]


def _network_summary(text: str) -> Any:
    return vnl.network_summary(vnl.Network.from_xml(text))


def _interface_summary(text: str) -> Any:
    return vnl.interface_summary(vnl.Interface.from_xml(text, strict=False))


def _document_jobs(tmp_path: Path) -> list[Job]:
    entries = [e for e in manifest() if e["kind"] in ("network", "interface", "hostinterface")]
    if not entries:
        unavailable(f"corpus not found at {CORPUS}")
    rnd = random.Random(7)
    chosen = rnd.sample(entries, 150)
    jobs: list[Job] = []
    for n, entry in enumerate(chosen):
        path = CORPUS / entry["file"]
        text = path.read_text()
        bad = _broken(text, rnd)
        copy = tmp_path / f"doc{n}.xml"
        copy.write_text(bad)

        jobs += [
            functools.partial(_parsed, text),
            functools.partial(_problems, text),
            functools.partial(_problems, bad),
            functools.partial(_known_problems, copy),
        ]
        if entry["kind"] == "network" and entry["define_ok"]:
            jobs.append(functools.partial(_network_summary, text))
        if entry["kind"] == "interface" and entry["define_ok"]:
            jobs.append(functools.partial(_interface_summary, text))
    files = [str(tmp_path / f"doc{n}.xml") for n in range(0, len(chosen), 5)]
    jobs.append(
        lambda: [[str(p) for p in r] if isinstance(r, list) else str(r) for r in check_files(files)]
    )
    return jobs


DOMAIN = """\
<domain type='kvm'>
  <name>vm</name>
  <devices>
    <interface type='network'>
      <mac address='52:54:00:00:00:01'/>
      <source network='default'/>
    </interface>
  </devices>
</domain>
"""


def _domain_jobs() -> list[Job]:
    vf = vnl.HostdevInterface.for_vf("0000:82:10.0", mac="52:54:00:00:01:01")
    return [
        lambda: vnl.append_interface(DOMAIN, vf),
        lambda: [i.to_xml() for i in vnl.domain_interfaces(DOMAIN)],
        lambda: vnl.replace_interface(DOMAIN, 0, vf),
        lambda: vnl.remove_interface(DOMAIN, "52:54:00:00:00:01"),
        lambda: [str(p) for p in vnl.validate(DOMAIN)],
    ]


def _sriov_jobs(tmp_path: Path) -> list[Job]:
    fake = FakeSysfs(tmp_path / "sys")
    fake.add_pf(
        "0000:82:00.0",
        netdevs=["enp130s0f0"],
        driver="ixgbe",
        vendor=0x8086,
        device=0x10FB,
        total_vfs=7,
    )
    sriov.set_num_vfs("enp130s0f0", 3, sysfs=fake)

    def inventory() -> Any:
        inv = sriov.inventory(fake)
        return inv.pfs, inv.netdevs, inv.findings

    def rule() -> str:
        return sriov.udev_rule(sriov.inventory(fake).pf("enp130s0f0"), 3)

    return [inventory, rule]


class _FakeNmcli:
    """What nmcli prints, for the parsing side of the adapter."""

    def __call__(self, argv: Any, stdin: str | None, timeout: float) -> Any:
        out = {
            "--version": "nmcli tool, version 1.42.4\n",
            "connection": "br0:1f1c0d0e-0000-4000-8000-000000000001:bridge:br0:yes\n"
            "eth0\\:1:1f1c0d0e-0000-4000-8000-000000000002:802-3-ethernet::no\n",
            "device": "br0:bridge:connected:br0\neth0:ethernet:disconnected:\n",
        }
        key = next(k for k in out if k in argv)
        return nmcli_completed(out[key])


def nmcli_completed(stdout: str) -> Any:
    import subprocess

    return subprocess.CompletedProcess([], 0, stdout, "")


def _nmcli_jobs() -> list[Job]:
    runner = _FakeNmcli()
    bridge = vnl.HostInterface.from_xml(
        "<interface type='bridge' name='br0'><bridge><interface type='ethernet' name='eth0'/>"
        "</bridge></interface>"
    )
    return [
        lambda: nmcli.Nmcli(runner, path="/usr/bin/nmcli").connections(),
        lambda: nmcli.Nmcli(runner, path="/usr/bin/nmcli").devices(),
        lambda: nmcli.plan_from_host_interface(bridge),
        lambda: nmcli.parse_terse("a\\:b:c\\\\d:"),
    ]


def _libvirt_jobs(tmp_path: Path) -> list[Job]:
    """Each job applies the same network to a test driver of its own: the
    canonical form is checked on a scratch driver, which threads once shared."""
    need_module("libvirt", "libvirt-python builds only where Debian's libvirt-dev is installed")
    from virtnetlib.libvirt import Connection

    node = tmp_path / "node.xml"
    node.write_text("<node/>\n")

    def apply(seed: int) -> Any:
        net = vnl.Network(
            name="vnl-threads",
            bridge=vnl.NetworkBridge(name="vnlthr0"),
            ips=[
                vnl.NetworkIP(
                    address=ipaddress.ip_address("198.51.100.1"),
                    prefix=24,
                    dhcp=vnl.Dhcp(
                        hosts=[
                            vnl.DhcpHost(
                                mac=f"52:54:00:00:00:{seed:02x}",
                                ip=ipaddress.ip_address(f"198.51.100.{10 + seed}"),
                            )
                        ]
                    ),
                )
            ],
        )
        with Connection(uri=f"test://{node}") as conn:
            first = conn.apply_network(net)
            second = conn.apply_network(net)
            host = conn.network("vnl-threads").network.ips[0].dhcp.hosts[0]  # type: ignore[union-attr]
            return first.action, second.action, str(host.ip)

    return [functools.partial(apply, seed) for seed in range(12)]


def _run(jobs: list[Job], threads: int) -> list[Any]:
    # switch threads every few microseconds instead of every 5 ms, so that
    # one thread's steps land between another's (a race shows in seconds)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(lambda job: job(), jobs))
    finally:
        sys.setswitchinterval(interval)


@pytest.mark.parametrize("part", ["documents", "domains", "sriov", "nmcli", "libvirt"])
def test_public_entry_points_agree_across_threads(part: str, tmp_path: Path) -> None:
    makers: dict[str, Callable[[], list[Job]]] = {
        "documents": functools.partial(_document_jobs, tmp_path),
        "domains": _domain_jobs,
        "sriov": functools.partial(_sriov_jobs, tmp_path),
        "nmcli": _nmcli_jobs,
        "libvirt": functools.partial(_libvirt_jobs, tmp_path),
    }
    jobs = makers[part]()
    expected = [job() for job in jobs]  # one at a time
    rnd = random.Random(part)
    for _ in range(ROUNDS):
        order = list(range(len(jobs)))
        rnd.shuffle(order)
        got = _run([jobs[i] for i in order], THREADS)
        for i, result in zip(order, got, strict=True):
            assert result == expected[i], (part, i)
