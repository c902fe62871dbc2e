"""A real libvirtd for integration tests: started as root when none runs, stopped after."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import need_module, unavailable
from tests.netns import assert_test_nets_unused

SOCKET = Path("/run/libvirt/libvirt-sock")
PIDFILE = Path("/run/virtnetlib-test-libvirtd.pid")
VIRTLOGD_SOCKET = Path("/run/libvirt/virtlogd-sock")
VIRTLOGD_PIDFILE = Path("/run/virtnetlib-test-virtlogd.pid")
URI = "qemu:///system"
PREFIX = "vnl-t-"


def _connect(libvirt: Any) -> Any | None:
    try:
        return libvirt.open(URI)
    except libvirt.libvirtError:
        return None


@pytest.fixture(scope="session")
def libvirtd() -> Iterator[str]:
    """The URI of a running system libvirtd (started here if needed)."""
    libvirt = need_module("libvirt", "libvirt-python is needed to talk to libvirtd")
    libvirt.registerErrorHandler(lambda *_: None, None)
    if os.geteuid() != 0:
        unavailable("a system libvirtd can only be started by root")
    for tool in ("libvirtd", "dnsmasq", "iptables"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed (Debian: libvirt-daemon, dnsmasq-base, iptables)")
    for user in ("libvirt-qemu", "libvirt-dnsmasq"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            unavailable(f"user {user} does not exist (scripts/test.sh creates it)")
    assert_test_nets_unused()
    # libvirtd logs every refused definition to stderr: a file, not a pipe,
    # which would fill up and block libvirtd mid-test
    with tempfile.TemporaryFile() as log:
        yield from _serve(libvirt, log)


def _serve(libvirt: Any, log: IO[bytes]) -> Iterator[str]:
    """Connect to libvirtd (started, logging to ``log``, if none runs) and virtlogd."""
    conn = _connect(libvirt) if SOCKET.exists() else None
    started = None
    if conn is None:
        started = subprocess.Popen(
            ["libvirtd", "--pid-file", str(PIDFILE)],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        deadline = time.monotonic() + 30
        while conn is None and time.monotonic() < deadline:
            if started.poll() is not None:
                log.seek(0)
                pytest.fail(f"libvirtd exited at start: {log.read().decode(errors='replace')}")
            time.sleep(0.2)
            conn = _connect(libvirt) if SOCKET.exists() else None
        if conn is None:
            started.kill()
            pytest.fail("libvirtd did not accept connections within 30 s")
    conn.close()
    # QEMU guests log through virtlogd; start it too when it is not running
    logd = None
    if not VIRTLOGD_SOCKET.exists() and shutil.which("virtlogd"):
        logd = subprocess.Popen(
            ["virtlogd", "--pid-file", str(VIRTLOGD_PIDFILE)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not VIRTLOGD_SOCKET.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    try:
        yield URI
    finally:
        if logd is not None:
            logd.send_signal(signal.SIGTERM)
            logd.wait(timeout=30)
        if started is not None:
            started.send_signal(signal.SIGTERM)
            try:
                started.wait(timeout=30)
            except subprocess.TimeoutExpired:
                started.kill()
                started.wait()


@pytest.fixture
def system(libvirtd: str) -> Iterator[Any]:
    """A virtnetlib Connection to libvirtd; networks and domains named vnl-t-* are
    removed afterwards, whatever the test did."""
    libvirt = need_module("libvirt", "libvirt-python")
    from virtnetlib.libvirt import Connection

    conn = Connection(uri=libvirtd)
    try:
        yield conn
    finally:
        raw = conn.raw
        for dom in raw.listAllDomains(0):
            if dom.name().startswith(PREFIX):
                if dom.isActive():
                    dom.destroy()
                with contextlib.suppress(libvirt.libvirtError):
                    dom.undefine()
        for net in raw.listAllNetworks(0):
            if net.name().startswith(PREFIX):
                persistent = net.isPersistent()  # a transient one is gone once stopped
                if net.isActive():
                    net.destroy()
                if persistent:
                    net.undefine()
        # dnsmasq writes its pid file, then runs as nobody, and a network a
        # guest was plugged into keeps a ports folder: libvirt 9.0 leaves
        # both behind when it stops the network
        for stale in Path("/run/libvirt/network").glob(f"{PREFIX}*"):
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
        conn.close()


def unique(kind: str = "") -> str:
    """A test object name: vnl-t-<kind>-<random>."""
    return f"{PREFIX}{kind}{'-' if kind else ''}{uuid.uuid4().hex[:6]}"


def bridge_name() -> str:
    return f"vnlt{uuid.uuid4().hex[:8]}"
