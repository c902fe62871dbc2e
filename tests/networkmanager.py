"""A real NetworkManager for integration tests, confined to a network namespace.

The fixture starts ``dbus-daemon --system`` when no system bus exists, and
NetworkManager inside a fresh network namespace with its own keyfile folder
and ``unmanaged-devices`` set to everything but the test's ``vnlnm*`` veths,
so it touches nothing else. Everything is stopped and removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unavailable
from tests.netns import namespace, run

BUS = Path("/run/dbus/system_bus_socket")
NM_CONF = """\
[main]
plugins=keyfile
no-auto-default=*
dhcp=internal
[keyfile]
path={keyfiles}
unmanaged-devices=except:interface-name:vnlnm*
[logging]
level=WARN
"""


def _nmcli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LC_ALL": "C"}
    return subprocess.run(
        ["nmcli", *args], capture_output=True, text=True, env=env, timeout=60, check=check
    )


@pytest.fixture(scope="session")
def system_bus() -> Iterator[None]:
    if os.geteuid() != 0:
        unavailable("a system D-Bus and NetworkManager can only be started by root")
    for tool in ("dbus-daemon", "NetworkManager", "nmcli", "ip"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed (Debian: dbus, network-manager, iproute2)")
    started = None
    if not BUS.exists():
        Path("/run/dbus").mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            ["dbus-daemon", "--system", "--fork", "--print-pid"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        started = int(out.stdout.split()[0])
        for _ in range(100):
            if BUS.exists():
                break
            time.sleep(0.05)
    try:
        yield None
    finally:
        if started is not None:
            os.kill(started, signal.SIGTERM)
            for leftover in (BUS, Path("/run/dbus/pid")):
                leftover.unlink(missing_ok=True)


@pytest.fixture
def network_manager(system_bus: None) -> Iterator[Any]:
    """A NetworkManager in its own namespace; yields the namespace with veth pairs
    vnlnm0/vnlnm1 and vnlnm2/vnlnm3 ready to manage."""
    if _nmcli("-t", "general", "status", check=False).returncode != 8:
        unavailable("a NetworkManager already runs on this host; the tests need their own")
    var = Path("/var/lib/NetworkManager")
    before = set(var.rglob("*")) if var.exists() else set()
    run_dir = Path("/run/NetworkManager")
    had_run_dir = run_dir.exists()
    work = Path(tempfile.mkdtemp(prefix="vnl-nm-"))
    (work / "keyfiles").mkdir()
    (work / "conf.d").mkdir()
    (work / "NetworkManager.conf").write_text(NM_CONF.format(keyfiles=work / "keyfiles"))
    with namespace("vnl-nm") as ns:
        for a, b in (("vnlnm0", "vnlnm1"), ("vnlnm2", "vnlnm3")):
            run("ip", "-n", ns, "link", "add", a, "type", "veth", "peer", "name", b)
        # A read-only /sys (in the namespace's own mount namespace only) makes
        # NetworkManager work without udev, which knows nothing of these veths.
        proc = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                ns,
                "sh",
                "-c",
                "mount -o remount,ro /sys && exec NetworkManager --no-daemon "
                f'--config="{work}/NetworkManager.conf" --config-dir="{work}/conf.d" '
                f'--system-config-dir="{work}/conf.d" --intern-config="{work}/intern.conf" '
                f'--state-file="{work}/state"',
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 30
            while _nmcli("-t", "general", "status", check=False).returncode != 0:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"NetworkManager did not start: {err}")
                time.sleep(0.2)
            yield ns
        finally:
            for line in _nmcli(
                "-t", "-f", "UUID", "connection", "show", check=False
            ).stdout.split():
                _nmcli("connection", "delete", "uuid", line, check=False)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
            shutil.rmtree(work, ignore_errors=True)
            if var.exists():
                for path in sorted(set(var.rglob("*")) - before, reverse=True):
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
            if not had_run_dir:
                shutil.rmtree(run_dir, ignore_errors=True)
