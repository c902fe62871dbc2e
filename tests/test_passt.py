"""passt_options() against the real passt binary: it listens on exactly the mapped ports."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import virtnetlib
from tests.netns import assert_test_nets_unused, namespace, require_root_and, run

# The RHEL 10 guide's forwards, bound to the test namespace's own addresses.
PASST_IFACE = """\
<interface type='user'>
  <backend type='passt'/>
  <portForward proto='tcp'>
    <range start='2022' to='22'/>
  </portForward>
  <portForward proto='udp' address='198.51.100.2'>
    <range start='5000' end='5020' to='6000'/>
    <range start='5010' end='5015' exclude='yes'/>
  </portForward>
  <portForward proto='tcp' address='2001:db8::2' dev='vnl0'>
    <range start='8080'/>
    <range start='4433' to='3444'/>
  </portForward>
</interface>
"""


@pytest.fixture
def passt_netns() -> Iterator[str]:
    require_root_and("ip", "ss", "passt")
    assert_test_nets_unused()
    with namespace("vnl-passt") as ns:
        # passt needs an upstream interface with routes to copy; a veth pair
        # inside the namespace gives it one without touching the host.
        run("ip", "-n", ns, "link", "add", "vnl0", "type", "veth", "peer", "name", "vnl1")
        run("ip", "-n", ns, "addr", "add", "198.51.100.2/24", "dev", "vnl0")
        run("ip", "-n", ns, "-6", "addr", "add", "2001:db8::2/64", "dev", "vnl0", "nodad")
        run("ip", "-n", ns, "link", "set", "vnl0", "up")
        run("ip", "-n", ns, "link", "set", "vnl1", "up")
        run("ip", "-n", ns, "route", "add", "default", "via", "198.51.100.1")
        run("ip", "-n", ns, "-6", "route", "add", "default", "via", "2001:db8::1", "dev", "vnl0")
        yield ns


def _listening(ns: str) -> set[tuple[str, str, int]]:
    out = run("ip", "netns", "exec", ns, "ss", "-H", "-n", "-l", "-t", "-u").stdout
    found = set()
    for line in out.splitlines():
        fields = line.split()
        proto, local = fields[0], fields[4]
        address, _, port = local.rpartition(":")  # e.g. [2001:db8::2]%vnl0:8080
        address = address.replace("[", "").replace("]", "")
        found.add((proto, address, int(port)))
    return found


def test_passt_listens_on_exactly_the_mapped_host_ports(passt_netns: str, tmp_path: Path) -> None:
    iface = virtnetlib.Interface.from_xml(PASST_IFACE)
    argv = ["ip", "netns", "exec", passt_netns, shutil.which("passt") or "passt", "-f"]
    argv += ["-s", str(tmp_path / "passt.sock")]
    for fwd in iface.port_forwards:
        argv += fwd.passt_options()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        expected = {
            ("tcp", 2022),
            ("tcp", 8080),
            ("tcp", 4433),
            *(("udp", p) for p in [*range(5000, 5010), *range(5016, 5021)]),
        }
        mapped = {(fwd.proto, port) for fwd in iface.port_forwards for port in fwd.mappings()}
        assert mapped == expected
        deadline = time.monotonic() + 10
        seen: set[tuple[str, str, int]] = set()
        while time.monotonic() < deadline and proc.poll() is None:
            seen = _listening(passt_netns)
            if {(p, port) for p, _, port in seen} >= expected:
                break
            time.sleep(0.1)
        assert proc.poll() is None, f"passt exited: {proc.communicate()[0]}"
        assert {(p, port) for p, _, port in seen} == expected
        # address and interface binding reached passt as well
        assert {a for p, a, port in seen if p == "udp"} == {"198.51.100.2"}
        assert {a for p, a, port in seen if port in (8080, 4433)} == {"2001:db8::2%vnl0"}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("value", ["0", "-1", "65536"])
@pytest.mark.parametrize("attribute", ["start", "end", "to"])
def test_a_port_libvirt_refuses_is_refused(attribute: str, value: str) -> None:
    """libvirt reads start, end and to as nonzero unsigned numbers
    (virDomainNetPortForwardRangeParseXML); the schema caps them at 65535."""
    others = {"start": "2022", "end": "2030", "to": "22"}
    others[attribute] = value
    attrs = " ".join(f"{k}='{v}'" for k, v in others.items())
    doc = (
        "<interface type='user'>\n  <backend type='passt'/>\n"
        f"  <portForward proto='tcp'>\n    <range {attrs}/>\n  </portForward>\n</interface>\n"
    )
    with pytest.raises(virtnetlib.ParseError, match=f"@{attribute}: expected an integer from 1"):
        virtnetlib.Interface.from_xml(doc)
    found = [(p.code, p.line, p.path) for p in virtnetlib.validate(doc)]
    # libvirt's schema allows -1 to 65535 (its PortNumber); its parser, not 0 or -1
    code = "E101" if value == "65536" else "E260"
    assert (code, 4, f"/interface/portForward/range/@{attribute}") in found
    with pytest.raises(virtnetlib.UsageError):
        virtnetlib.PortForwardRange(start=int(value) if attribute == "start" else 1, to=0)
