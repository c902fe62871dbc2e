"""Plans for changing a network: the planner alone, then on libvirt's test driver."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import virtnetlib as vnl
from tests.conftest import need_module
from virtnetlib._models.changes import (
    Update,
    apply_updates,
    comparable,
    live_updatable,
    update_steps,
)

lv = need_module("libvirt", "libvirt-python builds only where Debian's libvirt-dev is installed")
from virtnetlib.libvirt import (  # noqa: E402
    ApplyError,
    Connection,
    NetworkPlan,
    StalePlanError,
)

ADDR = ipaddress.ip_address
NAME = "vnl-plan"


def host(i: int, *, ip_offset: int = 10, named: bool = True) -> vnl.DhcpHost:
    return vnl.DhcpHost(
        mac=f"52:54:00:00:02:{i:02x}",
        name=f"h{i}" if named else None,
        ip=ADDR(f"198.51.100.{ip_offset + i}"),
    )


def network(
    hosts: list[vnl.DhcpHost] | None = None,
    *,
    ranges: list[vnl.DhcpRange] | None = None,
    dns: vnl.Dns | None = None,
    portgroups: list[vnl.PortGroup] | None = None,
    **changes: Any,
) -> vnl.Network:
    net = vnl.Network(
        name=NAME,
        bridge=vnl.NetworkBridge(name="vnlplan0"),
        ips=[
            vnl.NetworkIP(
                address=ADDR("198.51.100.1"),
                prefix=24,
                dhcp=vnl.Dhcp(
                    ranges=ranges
                    if ranges is not None
                    else [vnl.DhcpRange(start=ADDR("198.51.100.100"), end=ADDR("198.51.100.200"))],
                    hosts=hosts or [],
                ),
            )
        ],
        dns=dns,
        portgroups=portgroups or [],
    )
    return attrs.evolve(net, **changes) if changes else net


# ------------------------------------------------------------------ the planner


def test_adding_a_host_is_one_update() -> None:
    before, after = network([host(1)]), network([host(1), host(2)])
    (update,) = update_steps(before, after)  # type: ignore[misc]
    assert (update.section, update.command, update.parent_index) == ("ip-dhcp-host", "add", 0)
    assert update.fragment == host(2)
    assert apply_updates(before, [update]) == after


def test_a_changed_address_is_modified_in_place() -> None:
    before = network([host(1), host(2), host(3)])
    after = network([host(1), host(2, ip_offset=50), host(3)])
    (update,) = update_steps(before, after)  # type: ignore[misc]
    assert (update.command, update.previous) == ("modify", host(2))
    assert update.fragment == host(2, ip_offset=50)
    assert update.undo.fragment == host(2)
    assert apply_updates(before, [update]) == after


def test_a_swap_libvirt_could_not_match_is_delete_then_add() -> None:
    """libvirt's modify takes the first entry sharing the mac, the ip OR the
    name: two hosts trading addresses would hit the wrong entries."""
    a, b = host(1), host(2)
    swapped = [attrs.evolve(a, ip=b.ip), attrs.evolve(b, ip=a.ip)]
    updates = update_steps(network([a, b]), network(swapped))
    assert updates is not None
    assert [u.command for u in updates] == ["delete", "delete", "add", "add"]
    assert apply_updates(network([a, b]), updates) == network(swapped)


def test_order_is_kept_with_the_fewest_calls_for_appends() -> None:
    before = network([host(i) for i in range(5)])
    reordered = network([host(i) for i in (0, 1, 3, 2, 4)])
    updates = update_steps(before, reordered)
    assert updates is not None
    assert apply_updates(before, updates) == reordered
    assert len(updates) <= 4  # 2 and 4 go, then come back after 3


def test_the_nat_ports_libvirtd_fills_in_on_start_are_no_change() -> None:
    """A running NAT network reports <nat><port start='1024' end='65535'/>, which
    its definition does not have: no restart is pending for it."""
    defined = attrs.evolve(network([host(1)]), forward=vnl.Forward(mode="nat"))
    running = attrs.evolve(
        defined,
        connections=1,
        forward=vnl.Forward(mode="nat", nat=vnl.Nat(port=vnl.NatPortRange(start=1024, end=65535))),
    )
    assert comparable(running) == comparable(defined)
    wanted = attrs.evolve(network([host(1), host(2)]), forward=vnl.Forward(mode="nat"))
    assert update_steps(running, wanted) is not None
    other = attrs.evolve(
        running,
        forward=vnl.Forward(mode="nat", nat=vnl.Nat(port=vnl.NatPortRange(start=2000, end=3000))),
    )
    assert comparable(other) != comparable(defined)


def test_what_libvirt_cannot_update_is_not_planned_as_updates() -> None:
    base = network([host(1)])
    tftp = attrs.evolve(base, ips=[attrs.evolve(base.ips[0], tftp=vnl.Tftp(root="/srv/tftp"))])
    assert update_steps(base, tftp) is None
    assert update_steps(base, attrs.evolve(base, domain=vnl.DnsDomain(name="x.example"))) is None
    assert not live_updatable(base, attrs.evolve(base, ips=[]))
    # connection counts are what the running network reports, not a change
    assert update_steps(base, attrs.evolve(base, connections=3)) == []


def test_ranges_and_forward_interfaces_are_deleted_and_added_never_modified() -> None:
    old = vnl.DhcpRange(start=ADDR("198.51.100.100"), end=ADDR("198.51.100.200"))
    new = vnl.DhcpRange(start=ADDR("198.51.100.100"), end=ADDR("198.51.100.150"))
    updates = update_steps(network(ranges=[old]), network(ranges=[new]))
    assert [(u.section, u.command) for u in updates or []] == [
        ("ip-dhcp-range", "delete"),
        ("ip-dhcp-range", "add"),
    ]


def test_the_default_portgroup_moves_without_two_defaults_at_once() -> None:
    one = vnl.PortGroup(name="one", default=True)
    two = vnl.PortGroup(name="two")
    before = network(portgroups=[one, two])
    after = network(portgroups=[attrs.evolve(one, default=None), attrs.evolve(two, default=True)])
    updates = update_steps(before, after)
    assert updates is not None
    assert [(u.command, u.fragment.name) for u in updates] == [  # type: ignore[attr-defined]
        ("modify", "one"),
        ("modify", "two"),
    ]


def _pool_hosts() -> st.SearchStrategy[list[vnl.DhcpHost]]:
    """Hosts with distinct MACs, names and addresses; some with a second address."""
    choice = st.tuples(st.integers(0, 11), st.booleans(), st.booleans())
    return st.lists(choice, max_size=8, unique_by=lambda c: c[0]).map(
        lambda picks: [
            host(i, ip_offset=50 if moved else 10, named=named) for i, moved, named in picks
        ]
    )


def _pool_dns() -> st.SearchStrategy[vnl.Dns | None]:
    hosts = st.lists(st.integers(0, 5), max_size=4, unique=True).map(
        lambda ids: [
            vnl.DnsHost(ip=ADDR(f"198.51.100.{30 + i}"), hostnames=[f"n{i}.example"]) for i in ids
        ]
    )
    txts = st.lists(st.integers(0, 4), max_size=3, unique=True).map(
        lambda ids: [vnl.DnsTxt(name=f"t{i}", value=f"v{i}") for i in ids]
    )
    return st.one_of(st.none(), st.builds(vnl.Dns, hosts=hosts, txts=txts))


def _pool_portgroups() -> st.SearchStrategy[list[vnl.PortGroup]]:
    picks = st.lists(st.integers(0, 4), max_size=3, unique=True)
    return st.tuples(picks, st.integers(-1, 2)).map(
        lambda p: [
            vnl.PortGroup(name=f"pg{i}", default=True if n == p[1] else None)
            for n, i in enumerate(p[0])
        ]
    )


def _pool_ranges() -> st.SearchStrategy[list[vnl.DhcpRange]]:
    spans = [(100, 120), (121, 140), (141, 160), (100, 110)]
    picks = st.lists(st.integers(0, 3), max_size=2, unique=True).filter(
        lambda p: not {0, 3} <= set(p)
    )
    return picks.map(
        lambda p: [
            vnl.DhcpRange(
                start=ADDR(f"198.51.100.{spans[i][0]}"), end=ADDR(f"198.51.100.{spans[i][1]}")
            )
            for i in p
        ]
    )


def _pool_networks() -> st.SearchStrategy[vnl.Network]:
    return st.builds(
        lambda hosts, ranges, dns, pgs: network(hosts, ranges=ranges, dns=dns, portgroups=pgs),
        _pool_hosts(),
        _pool_ranges(),
        _pool_dns(),
        _pool_portgroups(),
    )


@settings(max_examples=300, deadline=None)
@given(_pool_networks(), _pool_networks())
def test_updates_turn_any_network_into_any_other(before: vnl.Network, after: vnl.Network) -> None:
    before, after = _libvirts(before), _libvirts(after)
    updates = update_steps(before, after)
    assert updates is not None
    assert comparable(apply_updates(before, updates)) == comparable(after)
    # and back: what a failed plan's rollback does (order included)
    done = apply_updates(before, updates)
    back = update_steps(done, before)
    assert back is not None
    assert apply_updates(done, back) == before
    # each update's inverse reverses it alone
    for update in updates[:1]:
        assert apply_updates(apply_updates(before, [update]), [update.undo]) == before or (
            update.command == "delete"  # re-added at the end, not where it was
        )


def _libvirts(net: vnl.Network) -> vnl.Network:
    """``net`` as libvirt keeps it: no empty <dns> or <dhcp>."""
    ips = [attrs.evolve(ip, dhcp=None) if ip.dhcp == vnl.Dhcp() else ip for ip in net.ips]
    return attrs.evolve(net, ips=ips, dns=None if net.dns == vnl.Dns() else net.dns)


def test_planning_10k_hosts_is_linear() -> None:
    """Shape, not time (benchmarks/ times it): one host more is one update."""
    many = [
        vnl.DhcpHost(
            mac=f"52:54:00:00:{i >> 8:02x}:{i & 255:02x}",
            ip=ADDR(f"10.0.{i >> 8}.{i & 255}"),
        )
        for i in range(1, 10_001)
    ]
    extra = vnl.DhcpHost(mac="52:54:00:ff:ff:ff", ip=ADDR("10.255.255.254"))
    base = vnl.Network(
        name="big",
        ips=[vnl.NetworkIP(address=ADDR("10.0.0.1"), prefix=8, dhcp=vnl.Dhcp(hosts=many))],
    )
    grown = attrs.evolve(
        base,
        ips=[attrs.evolve(base.ips[0], dhcp=vnl.Dhcp(hosts=[*many, extra]))],
    )
    updates = update_steps(base, grown)
    assert updates == [Update("ip-dhcp-host", "add", extra, 0)]


# ------------------------------------------------------------------ on the test driver


class _Counting:
    """A libvirt connection whose changing calls are counted (networks included)."""

    CHANGING = frozenset(
        {
            "networkDefineXML",
            "networkCreateXML",
            "create",
            "destroy",
            "undefine",
            "update",
            "setAutostart",
        }
    )

    def __init__(self, target: Any, calls: list[str]) -> None:
        self._target, self._calls = target, calls

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def call(*args: Any) -> Any:
            if name in self.CHANGING:
                self._calls.append(name)
            result = value(*args)
            if name in ("networkLookupByName", "networkDefineXML", "networkCreateXML"):
                return _Counting(result, self._calls)
            return result

        return call


@pytest.fixture
def counted(test_conn: Any) -> tuple[Connection, list[str]]:
    calls: list[str] = []
    return Connection(_Counting(test_conn, calls)), calls


def test_applying_the_same_network_twice_changes_nothing_the_second_time(
    counted: tuple[Connection, list[str]],
) -> None:
    conn, calls = counted
    net = network([host(1)])
    first = conn.apply_network(net, autostart=True)
    assert (first.action, first.started) == ("created", True)
    assert calls == ["networkDefineXML", "create", "setAutostart"]
    calls.clear()
    second = conn.apply_network(net, autostart=True)
    assert (second.action, second.started, second.restarted) == ("unchanged", False, False)
    assert calls == []
    assert conn.plan_network(net).changed is False


def test_a_one_host_change_on_a_running_network_is_one_update(
    counted: tuple[Connection, list[str]],
) -> None:
    conn, calls = counted
    conn.apply_network(network([host(1)]))
    calls.clear()
    plan = conn.plan_network(network([host(1), host(2)]))
    assert [s.kind for s in plan.steps] == ["update"]
    assert (plan.steps[0].live, plan.steps[0].config) == (True, True)
    assert not plan.disruptive
    result = conn.apply(plan)
    assert result.action == "updated"
    assert calls == ["update"]
    hosts = conn.network(NAME).network.ips[0].dhcp.hosts  # type: ignore[union-attr]
    assert hosts == [host(1), host(2)]
    assert conn.plan_network(network([host(1), host(2)])).steps == ()


def test_the_plan_shows_steps_diff_and_json(conn: Connection) -> None:
    conn.apply_network(network([host(1)]))
    plan = conn.plan_network(network([host(1), host(2)]))
    text = str(plan)
    assert f"network {NAME!r}: 1 step(s), no guest loses its link" in text
    assert "1. update: add ip-dhcp-host (ip #0): <host mac='52:54:00:00:02:02'" in text
    diff = plan.diff()
    assert "+      <host mac='52:54:00:00:02:02' name='h2' ip='198.51.100.12'/>" in diff
    data = json.loads(json.dumps(plan.to_dict()))
    assert data["steps"][0]["section"] == "ip-dhcp-host"
    assert data["steps"][0]["command"] == "add"
    assert data["changed"] is True
    assert data["disruptive"] is False
    html = plan._repr_html_()
    assert "<td>update</td>" in html
    assert "<summary>diff</summary>" in html
    assert str(conn.plan_network(network([host(1)]))) == f"network {NAME!r}: nothing to change"


@pytest.fixture
def conn(test_conn: Any) -> Connection:
    return Connection(test_conn)


def test_a_plan_made_before_the_network_changed_is_refused(conn: Connection) -> None:
    conn.apply_network(network([host(1)]))
    plan = conn.plan_network(network([host(1), host(2)]))
    conn.update_network(NAME, host(3))
    with pytest.raises(StalePlanError, match="changed after the plan was made"):
        conn.apply(plan)
    assert host(2) not in conn.network(NAME).network.ips[0].dhcp.hosts  # type: ignore[union-attr]


def test_a_failed_step_undoes_the_steps_before_it(conn: Connection) -> None:
    conn.apply_network(network([host(1)]))
    before = conn.network(NAME).network
    plan = conn.plan_network(network([host(1), host(2), host(3)]))
    assert len(plan.steps) == 2
    # a third step libvirt refuses: deleting a host that is not there
    bad = attrs.evolve(
        plan.steps[0],
        update=Update("ip-dhcp-host", "delete", host(9), 0),
        description="delete a host that is not there",
    )
    broken = attrs.evolve(plan, steps=(*plan.steps, bad))
    with pytest.raises(ApplyError) as info:
        conn.apply(broken)
    error = info.value
    assert error.step is bad
    assert error.restore_error is None
    assert error.restored == ["the entries changed were put back as they were"]
    assert "step: update: delete a host that is not there" in str(error)
    assert "restored: the entries changed were put back as they were" in str(error)
    assert conn.network(NAME).network == before


def test_apply_takes_only_plans(conn: Connection) -> None:
    with pytest.raises(
        vnl.UsageError, match="expected a NetworkPlan or an InterfacePlan, got Network"
    ):
        conn.apply(network())  # type: ignore[call-overload]


def test_a_stopped_network_is_redefined_and_started(conn: Connection) -> None:
    conn.apply_network(network([host(1)]), start=False)
    plan = conn.plan_network(network([host(2)], domain=vnl.DnsDomain(name="lab.example")))
    assert [s.kind for s in plan.steps] == ["redefine", "start"]
    assert not plan.disruptive
    assert not plan.pending_restart
    result = conn.apply(plan)
    assert (result.action, result.started) == ("redefined", True)
    assert conn.network(NAME).network.domain == vnl.DnsDomain(name="lab.example")


def test_a_change_libvirt_cannot_make_live_waits_or_restarts(conn: Connection) -> None:
    conn.apply_network(network([host(1)]))
    tftp = network([host(1)])
    tftp = attrs.evolve(tftp, ips=[attrs.evolve(tftp.ips[0], tftp=vnl.Tftp(root="/srv/tftp"))])
    waiting = conn.plan_network(tftp)
    assert [s.kind for s in waiting.steps] == ["redefine"]
    assert waiting.pending_restart
    assert not waiting.disruptive
    assert "keeps its old definition until it restarts" in str(waiting)
    restarting = conn.plan_network(tftp, allow_restart=True)
    assert [s.kind for s in restarting.steps] == ["restart", "reconnect"]
    assert restarting.disruptive
    assert not restarting.pending_restart
    result = conn.apply(restarting)
    assert (result.action, result.restarted) == ("redefined", True)
    state = conn.network(NAME)
    assert state.network.ips[0].tftp == vnl.Tftp(root="/srv/tftp")
    assert state.active
    assert not state.pending_restart


def test_live_false_changes_only_the_persistent_definition(conn: Connection) -> None:
    conn.apply_network(network([host(1)]))
    more = conn.plan_network(network([host(1), host(2)]), live=False)
    assert [(s.kind, s.live, s.config) for s in more.steps] == [("update", False, True)]
    assert more.pending_restart
    assert not more.disruptive
    tftp = network([host(1)])
    tftp = attrs.evolve(tftp, ips=[attrs.evolve(tftp.ips[0], tftp=vnl.Tftp(root="/srv/tftp"))])
    # a restart is not taken either: the running network is left alone
    plan = conn.plan_network(tftp, live=False, allow_restart=True)
    assert [s.kind for s in plan.steps] == ["redefine"]
    assert plan.pending_restart
    assert conn.plan_network(network([host(1)]), live=False).steps == ()
    with pytest.raises(vnl.UsageError, match="live: expected True or False"):
        conn.plan_network(tftp, live="no")  # type: ignore[arg-type]


def _with_bridge_name(net: vnl.Network, name: str) -> vnl.Network:
    return attrs.evolve(net, bridge=vnl.NetworkBridge(name=name))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_pool_networks(), _pool_networks())
def test_applying_a_plan_gives_the_desired_network_on_libvirt(
    test_conn: Any, before: vnl.Network, after: vnl.Network
) -> None:
    conn = Connection(test_conn)
    if conn.has_network(NAME):
        obj = test_conn.networkLookupByName(NAME)
        obj.destroy()
        obj.undefine()
    conn.apply_network(before)
    plan = conn.plan_network(after)
    assert not plan.disruptive
    conn.apply(plan)
    got = vnl.Network.from_xml(test_conn.networkLookupByName(NAME).XMLDesc(0))
    assert comparable(got) == comparable(plan.desired)
    assert conn.plan_network(after).steps == ()


def test_plan_network_checks_its_argument(conn: Connection) -> None:
    with pytest.raises(vnl.UsageError, match="expected a Network model"):
        conn.plan_network("<network/>")  # type: ignore[arg-type]
    assert isinstance(conn.plan_network(network()), NetworkPlan)


# ------------------------------------------------------------------ the CLI


def _node(tmp_path: Any, net: vnl.Network) -> str:
    """A test-driver node holding ``net`` (running), as a URI."""
    node = tmp_path / "node.xml"
    node.write_text(f"<node>\n{net.to_xml()}</node>\n")
    return f"test://{node}"


def test_cli_plan_exits_1_with_changes_and_0_without(tmp_path: Any, capsys: Any) -> None:
    from virtnetlib import cli

    uri = _node(tmp_path, network([host(1)]))
    same, grown = tmp_path / "same.xml", tmp_path / "grown.xml"
    same.write_text(network([host(1)]).to_xml())
    grown.write_text(network([host(1), host(2)]).to_xml())
    assert cli.main(["plan", "--connect", uri, str(same)]) == 0
    assert "nothing to change" in capsys.readouterr().out
    assert cli.main(["plan", "-c", uri, str(grown)]) == 1
    out = capsys.readouterr().out
    assert f"{grown}: network {NAME!r}: 1 step(s), no guest loses its link" in out
    assert "+      <host mac='52:54:00:00:02:02' name='h2' ip='198.51.100.12'/>" in out
    assert cli.main(["plan", "-c", uri, "--format", "json", str(grown), str(same)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [d["changed"] for d in data] == [True, False]
    assert data[0]["steps"][0]["command"] == "add"


def test_cli_apply_reports_each_step_and_refuses_invalid_networks(
    tmp_path: Any, capsys: Any
) -> None:
    from virtnetlib import cli

    uri = _node(tmp_path, network([host(1)]))
    grown = tmp_path / "grown.xml"
    grown.write_text(network([host(1), host(2)]).to_xml())
    assert cli.main(["apply", "-c", uri, str(grown)]) == 0
    captured = capsys.readouterr()
    assert f"{grown}: network {NAME!r} updated" in captured.out
    assert "virtnetlib apply: " + str(grown) + ": update: add ip-dhcp-host" in captured.err
    bad = tmp_path / "bad.xml"
    bad.write_text(
        "<network><name>x</name><forward mode='nat'/></network>"  # nat needs an <ip>: E215
    )
    assert cli.main(["apply", "-c", uri, str(bad)]) == 1
    assert "E215" in capsys.readouterr().err
    broken = tmp_path / "broken.xml"
    broken.write_text("<network><name>x</name>")
    assert cli.main(["plan", "-c", uri, str(broken)]) == 1
    assert "broken.xml" in capsys.readouterr().err
    assert cli.main(["plan", str(grown)]) == 2  # --connect is required


# ------------------------------------------------------------------ domain NICs (planner)


def _nic(mac: str = "52:54:00:00:04:01", **changes: Any) -> vnl.NetworkInterface:
    nic = vnl.NetworkInterface(
        mac=vnl.InterfaceMac(address=mac),
        source=vnl.NetworkSource(network="lab"),
        model=vnl.NicModel(type="virtio"),
    )
    return attrs.evolve(nic, **changes) if changes else nic


def _running(nic: vnl.NetworkInterface) -> vnl.NetworkInterface:
    """``nic`` as a running guest shows it: libvirt's tap, alias and PCI slot."""
    return attrs.evolve(nic, target=vnl.Target(dev="vnet7"), alias=vnl.Alias(name="net0"))


def test_nic_fields_left_open_are_not_changes() -> None:
    from virtnetlib._models.changes import nic_steps

    assert nic_steps([_running(_nic())], [_nic()], [], live=True) == []
    # the MAC is matched whatever its case
    upper = _nic(mac="52:54:00:00:04:0A")
    assert nic_steps([_running(_nic(mac="52:54:00:00:04:0a"))], [upper], [], live=True) == []


def test_what_libvirt_changes_live_is_an_update_the_rest_a_replug() -> None:
    from virtnetlib._models.changes import nic_steps

    down = _nic(link=vnl.Link(state="down"))
    (step,) = nic_steps([_running(_nic())], [down], [], live=True)
    assert (step.kind, step.live, step.config) == ("update", True, False)
    assert step.interface.target == vnl.Target(dev="vnet7")  # the NIC as it is, link changed
    assert step.interface.link == vnl.Link(state="down")
    e1000 = _nic(model=vnl.NicModel(type="e1000"))
    slot = vnl.PciAddress(domain=0, bus=0, slot=3, function=0)
    running = attrs.evolve(_running(_nic()), address=slot, rom=vnl.Rom(enabled=False))
    detach, attach = nic_steps([running], [e1000], [], live=True)
    assert (detach.kind, attach.kind) == ("detach", "attach")
    # plugged in anew as asked, with what it had and was not asked to change
    # (its slot, its ROM), without the tap name and alias libvirt gives each NIC
    assert attach.interface.model == vnl.NicModel(type="e1000")
    assert (attach.interface.address, attach.interface.rom) == (slot, vnl.Rom(enabled=False))
    assert (attach.interface.target, attach.interface.alias) == (None, None)
    # the persistent definition takes any change in place
    (config,) = nic_steps([_nic()], [e1000], [], live=False)
    assert (config.kind, config.config) == ("update", True)
    # a portgroup cannot change on a running guest (qemuDomainChangeNet)
    moved = _nic(source=vnl.NetworkSource(network="lab", portgroup="web"))
    assert [s.kind for s in nic_steps([_running(_nic())], [moved], [], live=True)] == [
        "detach",
        "attach",
    ]


def test_missing_nics_are_plugged_and_absent_ones_unplugged() -> None:
    from virtnetlib._models.changes import nic_steps

    other = _nic(mac="52:54:00:00:04:02")
    steps = nic_steps([_running(_nic())], [other], ["52:54:00:00:04:01"], live=True)
    assert [(s.kind, s.mac) for s in steps] == [
        ("detach", "52:54:00:00:04:01"),
        ("attach", "52:54:00:00:04:02"),
    ]
    assert nic_steps([], [], ["52:54:00:00:04:09"], live=True) == []


def test_guests_a_driver_cannot_replug_are_reported_not_fatal() -> None:
    """libvirt's test driver changes no device live: a restart still happens,
    and the result names the running guest it could not reconnect."""
    with Connection(uri="test:///default") as conn:
        default = conn.network("default").network
        moved = attrs.evolve(default, domain=vnl.DnsDomain(name="lab.example"))
        plan = conn.plan_network(moved, allow_restart=True)
        assert plan.affected_domains == ("test",)  # test:///default's guest is on it
        result = conn.apply(plan)
        assert result.restarted
        assert result.unreconnected == ("test",)
        assert conn.network("default").network.domain == vnl.DnsDomain(name="lab.example")
