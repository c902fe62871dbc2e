"""Throwaway network namespaces for integration tests (needs root and iproute2).

Test traffic stays inside namespaces the tests create, on 198.51.100.0/24
and 2001:db8::/32, which a check confirms are not in use on the host.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import unavailable

TEST_NET4 = "198.51.100."
TEST_NET6 = "2001:db8:"


def run(*argv: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=timeout)


def require_root_and(*tools: str) -> None:
    if os.geteuid() != 0:
        unavailable("network namespaces need root")
    for tool in tools:
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed")


def assert_test_nets_unused() -> None:
    """The host must not already use the test subnets (they are ours to create)."""
    out = run("ip", "-o", "addr", "show").stdout + run("ip", "-o", "route", "show").stdout
    out += run("ip", "-o", "-6", "route", "show").stdout
    assert TEST_NET4 not in out, "198.51.100.0/24 is in use on this host"
    assert TEST_NET6 not in out, "2001:db8::/32 is in use on this host"


@contextmanager
def namespace(prefix: str = "vnl") -> Iterator[str]:
    """A new network namespace with loopback up; removed afterwards, whatever happens."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    run("ip", "netns", "add", name)
    try:
        run("ip", "-n", name, "link", "set", "lo", "up")
        yield name
    finally:
        run("ip", "netns", "delete", name, check=False)
