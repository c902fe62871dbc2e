"""Notebook rendering: models and lists of them as HTML tables, compact reprs."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest

import virtnetlib as vnl
from virtnetlib import sriov
from virtnetlib.fakesysfs import FakeSysfs

ROOT = Path(__file__).resolve().parents[1]


def test_network_renders_a_summary_and_its_xml() -> None:
    net = vnl.Network.from_xml(ROOT / "examples/networks/pxe-isolated.xml")
    page = net._repr_html_()
    assert "<caption>Network</caption>" in page
    assert "<th style='text-align:left'>mode</th><td>isolated</td>" in page
    assert "<td>198.51.100.2-198.51.100.254</td>" in page
    assert "<th style='text-align:left'>outside</th><td>no</td>" in page
    assert "&lt;tftp root=&#x27;/var/lib/tftpboot&#x27;/&gt;" in page


def test_interface_renders_port_mappings() -> None:
    iface = vnl.Interface.from_xml(ROOT / "examples/interfaces/passt.xml")
    page = iface._repr_html_()
    assert "<td>user</td>" in page
    assert "tcp *: 2022→22" in page
    # runs of ports, so the excluded hole (5010-5015) shows
    assert "udp 198.51.100.2: 5000-5009→6000-6009, 5016-5020→6016-6020" in page


def test_lists_render_as_one_table() -> None:
    nets = vnl.ModelList(
        vnl.Network.from_xml(p) for p in sorted((ROOT / "examples/networks").glob("*.xml"))
    )
    page = nets._repr_html_()
    assert page.count("<tr>") == len(nets) + 1
    assert "<th>visible from outside</th>" in page
    assert vnl.ModelList()._repr_html_() == "<p><em>(none)</em></p>"


def test_other_models_and_escaping() -> None:
    txt = vnl.DnsTxt(name="a<b", value="x&y")
    assert txt._repr_html_() == (
        "<pre>&lt;txt name=&#x27;a&amp;lt;b&#x27; value=&#x27;x&amp;amp;y&#x27;/&gt;\n</pre>"
    )
    assert repr(txt) == "DnsTxt(name='a<b', value='x&y')"


def test_sriov_inventory_renders(tmp_path: Path) -> None:
    fake = FakeSysfs(tmp_path)
    fake.add_pf("0000:82:00.0", netdevs=["eth1"], num_vfs=2)
    page = sriov.inventory(fake)._repr_html_()
    assert "<th>pci_address</th>" in page
    assert "VFs of 0000:82:00.0" in page
    assert "<td>0000:82:10.2</td>" in page


def test_an_address_whose_prefix_does_not_fit_still_summarizes() -> None:
    """/64 on an IPv4 address has no subnet: a summary shows the address, validate() says why."""
    net = vnl.Network.from_xml(
        "<network><name>n</name><ip address='198.51.100.1' prefix='64'/>"
        "<ip address='198.51.100.129' netmask='0.0.0.127'/>"
        "<ip family='ipv6' address='2001:db8::1' prefix='64'/></network>"
    )
    assert [ip.network for ip in net.ips] == [None, None, ipaddress.ip_network("2001:db8::/64")]
    assert vnl.network_summary(net)["subnets"] == [
        "198.51.100.1",
        "198.51.100.129",
        "2001:db8::1/64",
    ]
    assert "198.51.100.1" in net._repr_html_()
    assert "E214" in [p.code for p in vnl.validate(net)]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        # wrong types on purpose: what a user without a type checker passes
        (lambda: vnl.network_summary("<network/>"), r"read XML text with Network\.from_xml"),  # type: ignore[arg-type]
        (lambda: vnl.interface_summary(None), "expected an Interface model, got NoneType"),  # type: ignore[arg-type]
        (lambda: vnl.validate_known(None), "expected a file path, got NoneType"),  # type: ignore[arg-type]
        (lambda: vnl.append_interface("<domain/>", "<interface/>"), "expected an Interface"),  # type: ignore[arg-type]
    ],
)
def test_the_wrong_kind_of_argument_is_a_usage_error(call: Any, words: str) -> None:
    with pytest.raises(vnl.UsageError, match=words):
        call()


def test_validate_gives_a_list_a_notebook_shows_as_a_table() -> None:
    problems = vnl.validate("<network><name>n</name><forward mode='NAT'/></network>")
    assert isinstance(problems, list)
    assert "<td>E101</td>" in problems._repr_html_()  # type: ignore[attr-defined]
    assert vnl.validate("<network><name>n</name></network>") == []
