"""Summaries that tell the truth: the guide's reachability table; passt ranges and holes."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

import virtnetlib as vnl
from virtnetlib._models.network import reach_text

DOCS = Path(__file__).resolve().parents[1] / "docs" / "howto" / "network-modes.md"
addr = ipaddress.ip_address

# the RHEL 10 guide's table 15.1, as printed
GUIDE = {
    "bridge": ("YES", "YES", "YES", "YES"),
    "nat": ("YES", "YES", "YES", "no"),
    "route": ("YES", "YES", "YES", "YES"),
    "isolated": ("YES", "YES", "no", "no"),
}


def test_the_guides_rows_are_the_guides() -> None:
    for key, row in GUIDE.items():
        reach = vnl.REACHABILITY[key]
        got = (reach.host, reach.other_vms, reach.outside, reach.visible_from_outside)
        assert got == tuple(cell == "YES" for cell in row), key
        assert reach.source == "RHEL 10 guide, table 15.1"
    open_mode = vnl.REACHABILITY["open"]
    assert open_mode.depends_on == "the host's firewall rules"


NETWORKS = {
    "bridge": vnl.Network(
        name="b", forward=vnl.Forward(mode="bridge"), bridge=vnl.NetworkBridge(name="br0")
    ),
    "macvtap-bridge": vnl.Network(
        name="m",
        forward=vnl.Forward(mode="bridge", interfaces=[vnl.ForwardInterface(dev="eth9")]),
    ),
    "vepa": vnl.Network(
        name="v", forward=vnl.Forward(mode="vepa", interfaces=[vnl.ForwardInterface(dev="eth9")])
    ),
    "private": vnl.Network(
        name="p",
        forward=vnl.Forward(mode="private", interfaces=[vnl.ForwardInterface(dev="eth9")]),
    ),
    "passthrough": vnl.Network(
        name="t",
        forward=vnl.Forward(mode="passthrough", interfaces=[vnl.ForwardInterface(dev="eth9")]),
    ),
    "hostdev": vnl.Network(
        name="h", forward=vnl.Forward(mode="hostdev", pf=vnl.ForwardPf(dev="eth9"))
    ),
    "nat": vnl.Network(
        name="n",
        forward=vnl.Forward(mode="nat"),
        ips=[vnl.NetworkIP(address=addr("198.51.100.1"), prefix=24)],
    ),
    "isolated": vnl.Network(name="i"),
}


@pytest.mark.parametrize("key", sorted(NETWORKS))
def test_each_mode_gets_its_row(key: str) -> None:
    net = NETWORKS[key]
    assert vnl.connection_type(net) == key
    summary = vnl.network_summary(net)
    assert summary["connection"] == key
    reach = vnl.REACHABILITY[key]
    assert summary["reachability"]["host"] == reach.host
    row = net.__summary_row__()
    assert row["host"] == reach_text(reach.host, reach.depends_on)


def test_a_macvtap_pool_is_not_reachable_from_the_host() -> None:
    """forward mode='bridge' with <interface dev=> is macvtap: the host cannot reach guests."""
    summary = vnl.network_summary(NETWORKS["macvtap-bridge"])
    assert summary["reachability"]["host"] is False
    assert NETWORKS["macvtap-bridge"].__summary_row__()["host"] == "no"


def test_the_docs_table_is_the_data() -> None:
    rows = re.findall(r"^\| [^|]+ \| `([\w-]+)` \| (.+) \|$", DOCS.read_text(), re.M)
    assert [key for key, _ in rows] == list(vnl.REACHABILITY)
    for key, cells in rows:
        reach = vnl.REACHABILITY[key]
        want = [
            reach_text(v, reach.depends_on)
            for v in (reach.host, reach.other_vms, reach.outside, reach.visible_from_outside)
        ]
        assert [c.strip() for c in cells.split(" | ")] == want, key


def test_the_passt_notebook_row_shows_the_excluded_hole() -> None:
    """Ranges, as show prints them: an excluded port splits the run, never hidden."""
    nic = vnl.Interface.from_xml(
        "<interface type='user'><backend type='passt'/><portForward proto='tcp'>"
        "<range start='5000' end='5010' to='6000'/><range start='5005' exclude='yes'/>"
        "</portForward></interface>"
    )
    row = nic.__summary_row__()
    assert row["ports"] == "tcp *: 5000-5004→6000-6004, 5006-5010→6006-6010"
    assert "5005" not in nic._repr_html_().split("<details>")[0]
