"""virtnetlib.libvirt on libvirt's embedded test driver (no daemon)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

import virtnetlib as vnl
from tests.conftest import need_module

lv = need_module("libvirt", "libvirt-python builds only where Debian's libvirt-dev is installed")
from virtnetlib.libvirt import Connection, LibvirtError  # noqa: E402

ADDR = ipaddress.ip_address


def isolated(name: str = "vnl-iso", **changes: Any) -> vnl.Network:
    net = vnl.Network(
        name=name,
        bridge=vnl.NetworkBridge(name="vnltest0"),
        ips=[
            vnl.NetworkIP(
                address=ADDR("198.51.100.1"),
                prefix=24,
                dhcp=vnl.Dhcp(
                    ranges=[vnl.DhcpRange(start=ADDR("198.51.100.100"), end=ADDR("198.51.100.200"))]
                ),
            )
        ],
    )
    return net if not changes else __import__("attrs").evolve(net, **changes)


@pytest.fixture
def conn(test_conn: Any) -> Connection:
    return Connection(test_conn)


def test_connect_from_uri_and_close(tmp_path: Any) -> None:
    node = tmp_path / "node.xml"
    node.write_text("<node/>")
    with Connection(uri=f"test://{node}") as c:
        assert c.uri.startswith("test://")
        assert c.networks() == []
    with pytest.raises(LibvirtError) as info:
        Connection(uri="test:///nonexistent/node.xml")
    assert info.value.code is not None
    assert "connect to" in str(info.value)


def test_a_uri_may_be_given_positionally(tmp_path: Any) -> None:
    node = tmp_path / "node.xml"
    node.write_text("<node/>")
    with Connection(f"test://{node}") as c:
        assert c.uri.startswith("test://")
    with pytest.raises(vnl.UsageError, match="not both"):
        Connection(f"test://{node}", uri=f"test://{node}")
    with pytest.raises(vnl.UsageError, match=r"expected a libvirt\.virConnect or a URI"):
        Connection(42)
    with pytest.raises(vnl.UsageError, match="uri: expected a non-empty str, got int 42"):
        Connection(uri=42)  # type: ignore[arg-type]
    with pytest.raises(vnl.UsageError, match=r"uri: 'test:///default\\x00' holds a NUL"):
        Connection("test:///default\x00")


def _update(conn: Connection, **options: Any) -> None:
    conn.apply_network(isolated())
    host = vnl.DhcpHost(mac="52:54:00:00:01:01", ip=ADDR("198.51.100.50"))
    conn.update_network("vnl-iso", host, **options)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda c: c.define_network("<network/>"), r"expected a Network model, got str; read XML"),
        (lambda c: c.apply_network(None), "expected a Network model, got NoneType"),
        (lambda c: c.network(123), "network name: expected a non-empty str, got int 123"),
        (lambda c: c.network("n\x00"), "holds a NUL character"),
        (lambda c: c.has_network(""), "network name: expected a non-empty str"),
        (lambda c: c.attach_interface("test", "<interface/>"), "expected an Interface"),
        (lambda c: c.update_interface("test", None), "expected an Interface"),
        (lambda c: c.domain_interfaces(5), r"expected a name or a libvirt\.virDomain"),
        (lambda c: _update(c, parent_index="x"), r"parent_index: expected an int from -1"),
        (lambda c: _update(c, parent_index=2**40), r"to 2147483647, got 1099511627776"),
        (lambda c: _update(c, parent_index=True), r"parent_index: expected an int"),
        (lambda c: _update(c, parent_index=-2), r"parent_index: expected an int"),
        (lambda c: _update(c, command=["add"]), r"command must be one of"),
    ],
)
def test_wrong_arguments_are_usage_errors(conn: Connection, call: Any, words: str) -> None:
    with pytest.raises(vnl.UsageError, match=words):
        call(conn)


def test_define_start_stop_undefine_autostart(conn: Connection) -> None:
    state = conn.define_network(isolated())
    assert state.name == "vnl-iso"
    assert (state.active, state.persistent) == (False, True)
    assert state.network.ips[0].dhcp is not None
    conn.start_network("vnl-iso")
    conn.set_autostart("vnl-iso", True)
    (listed,) = conn.networks()
    assert (listed.active, listed.autostart) == (True, True)
    assert listed.network.bridge is not None
    assert listed.network.bridge.name == "vnltest0"
    conn.stop_network("vnl-iso")
    assert conn.network("vnl-iso").active is False
    conn.undefine_network("vnl-iso")
    assert conn.networks() == []
    assert not conn.has_network("vnl-iso")


def test_errors_keep_libvirts_code_message_and_target(conn: Connection) -> None:
    with pytest.raises(LibvirtError) as info:
        conn.start_network("missing")
    err = info.value
    assert isinstance(err, vnl.Error)
    assert err.code == lv.VIR_ERR_NO_NETWORK
    assert err.target == "missing"
    assert err.operation == "look up network"
    assert "missing" in err.libvirt_message
    bad = isolated(forward=vnl.Forward(mode="nat"), ips=[])
    with pytest.raises(LibvirtError, match="no IP address provided"):
        conn.define_network(bad)


def test_apply_is_idempotent(conn: Connection) -> None:
    net = isolated()
    assert conn.apply_network(net) == vnl_apply("created", started=True)
    assert conn.apply_network(net) == vnl_apply("unchanged")
    # libvirt filled in a uuid, a MAC and stp/delay defaults; still unchanged
    stored = conn.network("vnl-iso").network
    assert stored.uuid is not None
    assert conn.apply_network(net) == vnl_apply("unchanged")
    # (the test driver shows only the live definition of a running network and
    # keeps it across a restart, so redefinition is checked on a stopped
    # network here and on a running one against the real libvirtd)
    conn.stop_network("vnl-iso")
    changed = isolated(domain=vnl.DnsDomain(name="lab.example"))
    assert conn.apply_network(changed, start=False) == vnl_apply("redefined")
    assert conn.network("vnl-iso").network.uuid == stored.uuid
    assert conn.network("vnl-iso").network.domain == vnl.DnsDomain(name="lab.example")
    assert conn.apply_network(changed) == vnl_apply("unchanged", started=True)
    assert conn.apply_network(changed, restart=True) == vnl_apply("unchanged")


def vnl_apply(action: str, **kw: bool) -> Any:
    from virtnetlib.libvirt import ApplyResult

    return ApplyResult("vnl-iso", action, **kw)  # type: ignore[arg-type]


def test_apply_checks_with_libvirts_parser_before_touching_anything(conn: Connection) -> None:
    bad = isolated(forward=vnl.Forward(mode="route"), ips=[])
    with pytest.raises(LibvirtError):
        conn.apply_network(bad)
    assert not conn.has_network("vnl-iso")
    conn.apply_network(isolated())
    with pytest.raises(LibvirtError, match="check network"):
        conn.apply_network(bad)
    assert conn.network("vnl-iso").network.ips  # the good definition is untouched


def test_live_updates_from_fragment_models(conn: Connection) -> None:
    conn.apply_network(isolated())
    host = vnl.DhcpHost(mac="52:54:00:00:01:01", name="web", ip=ADDR("198.51.100.50"))
    conn.update_network("vnl-iso", host)
    dhcp = conn.network("vnl-iso").network.ips[0].dhcp
    assert dhcp is not None
    assert dhcp.hosts == [host]
    moved = vnl.DhcpHost(mac="52:54:00:00:01:01", name="web", ip=ADDR("198.51.100.51"))
    conn.update_network("vnl-iso", moved, command="modify")
    conn.update_network(
        "vnl-iso", vnl.DhcpRange(start=ADDR("198.51.100.10"), end=ADDR("198.51.100.20"))
    )
    conn.update_network("vnl-iso", vnl.DnsHost(ip=ADDR("198.51.100.51"), hostnames=["web"]))
    conn.update_network("vnl-iso", vnl.DnsTxt(name="info", value="lab"))
    conn.update_network(
        "vnl-iso", vnl.DnsSrv(service="http", protocol="tcp", port=80, target="web")
    )
    conn.update_network("vnl-iso", vnl.PortGroup(name="engineering"))
    net = conn.network("vnl-iso").network
    assert net.ips[0].dhcp is not None
    assert [h.ip for h in net.ips[0].dhcp.hosts] == [ADDR("198.51.100.51")]
    assert len(net.ips[0].dhcp.ranges) == 2
    assert net.dns is not None
    assert [h.hostnames for h in net.dns.hosts] == [["web"]]
    assert [t.name for t in net.dns.txts] == ["info"]
    assert [s.service for s in net.dns.srvs] == ["http"]
    assert [p.name for p in net.portgroups] == ["engineering"]
    conn.update_network("vnl-iso", moved, command="delete")
    conn.update_network("vnl-iso", vnl.PortGroup(name="engineering"), command="delete")
    net = conn.network("vnl-iso").network
    assert net.ips[0].dhcp is not None
    assert net.ips[0].dhcp.hosts == []
    assert net.portgroups == []
    with pytest.raises(LibvirtError) as info:
        conn.update_network("vnl-iso", moved, command="delete")
    assert "update network (delete DhcpHost)" in str(info.value)
    with pytest.raises(vnl.UsageError, match="networkUpdate takes"):
        conn.update_network("vnl-iso", vnl.Tftp(root="/srv"))


def test_forward_interface_updates(conn: Connection) -> None:
    net = vnl.Network(
        name="vnl-pool",
        forward=vnl.Forward(mode="bridge", interfaces=[vnl.ForwardInterface(dev="eth1")]),
    )
    conn.define_network(net)
    conn.update_network("vnl-pool", vnl.ForwardInterface(dev="eth2"), live=False)
    fwd = conn.network("vnl-pool").network.forward
    assert fwd is not None
    assert [i.dev for i in fwd.interfaces] == ["eth1", "eth2"]


def test_domain_interfaces_read_as_models(test_conn: Any, conn: Connection) -> None:
    iface = vnl.NetworkInterface(
        mac=vnl.InterfaceMac(address="52:54:00:00:02:02"),
        source=vnl.NetworkSource(network="default"),
        model=vnl.NicModel(type="virtio"),
    )
    dom = test_conn.defineXML(
        "<domain type='test'><name>vnl-vm</name><memory>1024</memory><os><type>hvm</type></os>"
        f"<devices>{iface.to_xml()}</devices></domain>"
    )
    try:
        (found,) = conn.domain_interfaces("vnl-vm", inactive=True)
        assert isinstance(found, vnl.NetworkInterface)
        plan = conn.plan_interfaces("vnl-vm", [], absent=["52:54:00:00:02:02"], live=False)
        for endless in (float("nan"), float("inf"), 0, True):
            # a wait that ends at once or never is refused before anything runs
            with pytest.raises(vnl.UsageError, match=r"detach_timeout .*finite number > 0"):
                conn.apply(plan, detach_timeout=endless)
        guest = conn.domain(dom, inactive=True)
        assert (guest.name, guest.type, guest.interfaces) == ("vnl-vm", "test", [found])
        assert "<memory" in guest.to_xml()  # the rest of the domain, kept
        assert found.mac_address == "52:54:00:00:02:02"
        assert found.source.network == "default"
        # the 9.0 test driver cannot hot-plug; the error keeps libvirt's code
        with pytest.raises(LibvirtError) as info:
            conn.attach_interface(dom, iface, live=False, config=True)
        assert info.value.code == lv.VIR_ERR_NO_SUPPORT
        assert info.value.target == "vnl-vm"
        with pytest.raises(vnl.UsageError, match="live domain, its config"):
            conn.attach_interface(dom, iface, live=False, config=False)
        with pytest.raises(vnl.Error, match="no interface with MAC"):
            conn.detach_interface(dom, "52:54:00:99:99:99", live=False, config=True)
    finally:
        dom.undefine()
