"""What must change to turn one network definition into another, without libvirt.

libvirt can change a few parts of a *running* network in place through
``virNetworkUpdate`` (``virsh net-update``); everything else needs the
network redefined and, to take effect, restarted, which disconnects its
guests. :func:`update_steps` finds, for two networks in libvirt's canonical
form, the updates that turn one into the other — or ``None`` when some
difference lies outside what libvirt updates. The libvirt adapter
(:mod:`virtnetlib.libvirt`) builds plans from it and carries them out.

What libvirt updates, per section (libvirt's ``virNetworkDefUpdateSection``
in ``src/conf/network_conf.c``; the network driver's ``networkUpdate`` in
``src/network/bridge_driver.c`` then restarts or signals dnsmasq):

================== =============================== ==================================
section            commands                        matched by
================== =============================== ==================================
ip-dhcp-host       add, delete, modify             mac, ip or name (modify: any one)
ip-dhcp-range      add, delete (no modify)         start and end
dns-host           add, delete, modify             ip or a hostname
dns-txt            add, delete, modify             name
dns-srv            add, delete (no modify)         every given field
portgroup          add, delete, modify             name
forward-interface  add, delete (no modify)         dev (delete: not while in use)
================== =============================== ==================================

``bridge``, ``domain``, ``ip`` (addresses, ``<tftp>``, ``<bootp>``),
``forward`` and ``forward-pf`` are refused (``virNetworkDefUpdateNoSupport``),
and so is every part of a network with no section at all (``<mtu>``,
``<dns>`` forwarders, routes, bandwidth, ...).

Lists are changed so the result has the desired *order*: the longest start
of the desired list that the current list holds in order is kept (items
there may be modified in place, where libvirt can match them unambiguously),
everything else is deleted, and the rest of the desired list is added at the
end, in order. Deletions come first, then modifications, then additions, so
libvirt never sees two entries that clash.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import attrs

from virtnetlib._core.model import Model
from virtnetlib._models.interface import Interface, NetworkSource
from virtnetlib._models.network import (
    Dhcp,
    DhcpHost,
    DhcpRange,
    Dns,
    DnsHost,
    DnsSrv,
    DnsTxt,
    ForwardInterface,
    Network,
    PortGroup,
)

Section = Literal[
    "ip-dhcp-host",
    "ip-dhcp-range",
    "dns-host",
    "dns-txt",
    "dns-srv",
    "portgroup",
    "forward-interface",
]
"""A part of a network that libvirt's networkUpdate changes in place (virsh's names)."""

UpdateCommand = Literal["add", "add-first", "modify", "delete"]
"""What ``update_network`` does with a fragment."""

#: the fragment class of each section
SECTION_OF: dict[type[Model], Section] = {
    DhcpHost: "ip-dhcp-host",
    DhcpRange: "ip-dhcp-range",
    DnsHost: "dns-host",
    DnsTxt: "dns-txt",
    DnsSrv: "dns-srv",
    PortGroup: "portgroup",
    ForwardInterface: "forward-interface",
}


@attrs.frozen
class Update:
    """One ``virNetworkUpdate`` call: ``command`` ``fragment`` in ``section``.

    ``parent_index`` is the position of the ``<ip>`` among the network's
    ``<ip>`` elements for DHCP sections (-1 elsewhere). ``undo`` is the
    update that reverses this one.
    """

    section: Section
    command: UpdateCommand
    fragment: Model
    parent_index: int = -1
    #: for ``modify``: the entry as it was, so the change can be reversed
    previous: Model | None = None

    @property
    def undo(self) -> Update:
        if self.command == "delete":
            return attrs.evolve(self, command="add")
        if self.command == "modify":
            assert self.previous is not None
            return attrs.evolve(self, fragment=self.previous, previous=self.fragment)
        return attrs.evolve(self, command="delete")

    def describe(self) -> str:
        where = f" (ip #{self.parent_index})" if self.parent_index >= 0 else ""
        return f"{self.command} {self.section}{where}: {_brief(self.fragment)}"


def _brief(fragment: Model) -> str:
    return " ".join(fragment.to_xml().split())


# ------------------------------------------------------------------ comparison


#: The source ports libvirtd's network driver gives NAT when none are set; a
#: running NAT network reports them (``networkStartNetwork``), its definition not.
NAT_DEFAULT_PORTS = (1024, 65535)


def comparable(net: Network) -> Network:
    """``net`` without what only the running network reports: connection
    counts, and the NAT source ports libvirtd fills in when it starts it."""
    changes: dict[str, Any] = {}
    if net.connections is not None:
        changes["connections"] = None
    fwd = net.forward
    if fwd is not None and (
        any(i.connections is not None for i in fwd.interfaces)
        or any(a.connections is not None for a in fwd.addresses)
    ):
        fwd = attrs.evolve(
            fwd,
            interfaces=[attrs.evolve(i, connections=None) for i in fwd.interfaces],
            addresses=[attrs.evolve(a, connections=None) for a in fwd.addresses],
        )
        changes["forward"] = fwd
    nat = fwd.nat if fwd is not None else None
    port = nat.port if nat is not None else None
    if nat is not None and port is not None and (port.start, port.end) == NAT_DEFAULT_PORTS:
        nat = attrs.evolve(nat, port=None)
        if nat.ipv6 is None and nat.address is None and not nat._unknown:
            nat = None
        assert fwd is not None
        changes["forward"] = attrs.evolve(fwd, nat=nat)
    return attrs.evolve(net, **changes) if changes else net


def _without_sections(net: Network) -> Network:
    """``net`` with every list libvirt updates in place emptied: what must be equal."""
    ips = []
    for ip in net.ips:
        dhcp = ip.dhcp
        if dhcp is not None:
            dhcp = attrs.evolve(dhcp, ranges=[], hosts=[])
            if dhcp.bootp is None and not dhcp._unknown:
                dhcp = None  # libvirt writes <dhcp> only when it holds something
        ips.append(attrs.evolve(ip, dhcp=dhcp))
    dns = net.dns
    if dns is not None:
        dns = attrs.evolve(dns, hosts=[], txts=[], srvs=[])
        if dns == Dns() and not dns._unknown:
            dns = None
    forward = net.forward
    if forward is not None:
        forward = attrs.evolve(forward, interfaces=[])
    return attrs.evolve(comparable(net), ips=ips, dns=dns, forward=forward, portgroups=[])


def live_updatable(current: Network, desired: Network) -> bool:
    """Whether every difference lies in what libvirt updates in place."""
    if len(current.ips) != len(desired.ips):
        return False
    return _without_sections(current) == _without_sections(desired)


# ------------------------------------------------------------------ list diffs


def _dhcp_keys(host: DhcpHost) -> list[tuple[str, Any]]:
    keys: list[tuple[str, Any]] = []
    if host.mac is not None:
        keys.append(("mac", host.mac.lower()))
    if host.ip is not None:
        keys.append(("ip", str(host.ip)))
    if host.name is not None:
        keys.append(("name", host.name))
    return keys


def _dns_host_keys(host: DnsHost) -> list[tuple[str, Any]]:
    keys: list[tuple[str, Any]] = [("hostname", h) for h in host.hostnames]
    if host.ip is not None:
        keys.append(("ip", str(host.ip)))
    return keys


def _name_key(item: Any) -> list[tuple[str, Any]]:
    return [("name", item.name)]


#: sections libvirt modifies in place, and the fields it matches entries by
_MODIFY_KEYS: dict[Section, Callable[[Any], list[tuple[str, Any]]]] = {
    "ip-dhcp-host": _dhcp_keys,
    "dns-host": _dns_host_keys,
    "dns-txt": _name_key,
    "portgroup": _name_key,
}


def _list_updates(
    section: Section, current: Sequence[Model], desired: Sequence[Model], parent_index: int = -1
) -> list[Update]:
    """The updates that turn ``current`` into ``desired``; linear in their lengths."""
    if list(current) == list(desired):
        return []
    text = [c.to_xml() for c in current]
    where = {t: i for i, t in enumerate(text)}
    keys_of = _MODIFY_KEYS.get(section)
    owners: dict[tuple[str, Any], list[int]] = {}
    if keys_of is not None:
        for i, item in enumerate(current):
            for key in keys_of(item):
                owners.setdefault(key, []).append(i)
    kept: set[int] = set()
    modified: list[tuple[int, Model]] = []
    pos = 0  # the next current entry a desired one may match
    prefix = 0
    for want in desired:
        found = where.get(want.to_xml())
        if found is not None and found >= pos and found not in kept:
            kept.add(found)
            pos = found + 1
            prefix += 1
            continue
        target = _modify_target(want, keys_of, owners, pos) if keys_of else None
        if target is None:
            break
        kept.add(target)
        modified.append((target, want))
        pos = target + 1
        prefix += 1
    deletes = [
        Update(section, "delete", item, parent_index)
        for i, item in enumerate(current)
        if i not in kept
    ]
    # a modification that takes away a default portgroup goes before one
    # that gives it, so there is never a second default
    modified.sort(key=lambda pair: bool(getattr(pair[1], "default", False)))
    modifies = [
        Update(section, "modify", want, parent_index, previous=current[i]) for i, want in modified
    ]
    adds = [Update(section, "add", want, parent_index) for want in desired[prefix:]]
    return deletes + modifies + adds


def _modify_target(
    want: Model,
    keys_of: Callable[[Any], list[tuple[str, Any]]],
    owners: dict[tuple[str, Any], list[int]],
    pos: int,
) -> int | None:
    """The one current entry libvirt's ``modify`` would find for ``want``, if
    that is unambiguous: every key of ``want`` is held by that entry alone
    (or by none), and it lies at or after ``pos``."""
    target: int | None = None
    for key in keys_of(want):
        for i in owners.get(key, ()):
            if target is not None and i != target:
                return None  # two entries share its keys: libvirt may pick the wrong one
            target = i
    if target is None or target < pos:
        return None
    return target


def update_steps(current: Network, desired: Network) -> list[Update] | None:
    """The updates that turn ``current`` into ``desired`` (both canonical), in
    the order to make them, or ``None`` if libvirt cannot make the change in
    place (see the module's table)."""
    current, desired = comparable(current), comparable(desired)
    if not live_updatable(current, desired):
        return None
    out: list[Update] = []
    for index, (old_ip, new_ip) in enumerate(zip(current.ips, desired.ips, strict=True)):
        old_dhcp, new_dhcp = old_ip.dhcp, new_ip.dhcp
        old_hosts = old_dhcp.hosts if old_dhcp else []
        new_hosts = new_dhcp.hosts if new_dhcp else []
        old_ranges = old_dhcp.ranges if old_dhcp else []
        new_ranges = new_dhcp.ranges if new_dhcp else []
        out += _list_updates("ip-dhcp-range", old_ranges, new_ranges, index)
        out += _list_updates("ip-dhcp-host", old_hosts, new_hosts, index)
    old_dns, new_dns = current.dns or Dns(), desired.dns or Dns()
    out += _list_updates("dns-host", old_dns.hosts, new_dns.hosts)
    out += _list_updates("dns-txt", old_dns.txts, new_dns.txts)
    out += _list_updates("dns-srv", old_dns.srvs, new_dns.srvs)
    out += _list_updates("portgroup", current.portgroups, desired.portgroups)
    old_fwd = current.forward.interfaces if current.forward else []
    new_fwd = desired.forward.interfaces if desired.forward else []
    out += _list_updates("forward-interface", old_fwd, new_fwd)
    return out


def apply_updates(net: Network, updates: Sequence[Update]) -> Network:
    """``net`` after ``updates``, as libvirt would make them (for tests and previews)."""
    ips = list(net.ips)
    dns = net.dns or Dns()
    portgroups = list(net.portgroups)
    forward = net.forward
    for update in updates:
        if update.section in ("ip-dhcp-host", "ip-dhcp-range"):
            ip = ips[update.parent_index]
            dhcp = ip.dhcp or Dhcp()
            field = "hosts" if update.section == "ip-dhcp-host" else "ranges"
            changes: dict[str, Any] = {field: _changed(getattr(dhcp, field), update)}
            ips[update.parent_index] = attrs.evolve(ip, dhcp=attrs.evolve(dhcp, **changes))
        elif update.section in ("dns-host", "dns-txt", "dns-srv"):
            field = {"dns-host": "hosts", "dns-txt": "txts", "dns-srv": "srvs"}[update.section]
            changes = {field: _changed(getattr(dns, field), update)}
            dns = attrs.evolve(dns, **changes)
        elif update.section == "portgroup":
            portgroups = _changed(portgroups, update)
        else:
            assert forward is not None
            forward = attrs.evolve(forward, interfaces=_changed(forward.interfaces, update))
    # libvirt writes no <dns> and no <dhcp> that holds nothing
    ips = [attrs.evolve(ip, dhcp=None) if ip.dhcp == Dhcp() else ip for ip in ips]
    return attrs.evolve(
        net, ips=ips, dns=None if dns == Dns() else dns, portgroups=portgroups, forward=forward
    )


def _changed(items: Sequence[Any], update: Update) -> list[Any]:
    out: list[Any] = list(items)
    if update.command == "delete":
        out.remove(update.fragment)
    elif update.command == "modify":
        assert update.previous is not None
        out[out.index(update.previous)] = update.fragment
    elif update.command == "add-first":
        out.insert(0, update.fragment)
    else:
        out.append(update.fragment)
    return out


# ------------------------------------------------------------------ domain interfaces

#: What libvirt changes on a running guest's NIC with updateDeviceFlags
#: (``qemuDomainChangeNet`` in ``src/qemu/qemu_hotplug.c``): the link
#: state, bandwidth, traffic filter, VLAN, coalescing, the port's isolation,
#: rx-filter trust, and the source network or bridge (not the portgroup).
#: Any other difference on a running guest needs the NIC unplugged and
#: plugged again.
LIVE_NIC_FIELDS = frozenset(
    {
        "link",
        "bandwidth",
        "filterref",
        "vlan",
        "coalesce",
        "port",
        "trust_guest_rx_filters",
        "source",
    }
)

NicStepKind = Literal["attach", "update", "detach"]


@attrs.frozen
class NicStep:
    """One device call on a domain's NIC: ``attach``, ``update`` or ``detach``.

    ``interface`` is the XML sent (for an update: the NIC as it is, with the
    asked-for fields changed); ``live`` and ``config`` say which definition
    the call changes.
    """

    kind: NicStepKind
    mac: str
    interface: Interface
    live: bool = False
    config: bool = False

    def describe(self) -> str:
        where = " and ".join(w for w, on in (("live", self.live), ("config", self.config)) if on)
        what = {"attach": "plug in", "update": "change", "detach": "unplug"}[self.kind]
        return f"{what} the NIC {self.mac} ({self.interface.type}) [{where}]"


def covers(current: Any, wanted: Any) -> bool:
    """Whether ``current`` has everything ``wanted`` sets: fields ``wanted``
    leaves open (``None``, empty) are libvirt's to fill and do not count."""
    if isinstance(wanted, Model):
        if type(current) is not type(wanted):
            return False
        for field in attrs.fields(type(wanted)):
            if field.name.startswith("_"):
                continue
            want = getattr(wanted, field.name)
            if want is None or want == []:
                continue
            if not covers(getattr(current, field.name), want):
                return False
        return True
    if isinstance(wanted, list):
        return (
            isinstance(current, list)
            and len(current) == len(wanted)
            and all(covers(c, w) for c, w in zip(current, wanted, strict=True))
        )
    if isinstance(wanted, str) and isinstance(current, str):
        return current.lower() == wanted.lower() if _mac_like(wanted) else current == wanted
    return bool(current == wanted)


def _mac_like(text: str) -> bool:
    return len(text) == 17 and text.count(":") == 5


def _asked(current: Interface, wanted: Interface) -> tuple[Interface, set[str]]:
    """``current`` with the fields ``wanted`` sets, and the names of those that differ."""
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(wanted)):
        if field.name.startswith("_"):
            continue
        want = getattr(wanted, field.name)
        if want is None or want == []:
            continue
        if not covers(getattr(current, field.name), want):
            changes[field.name] = want
    return attrs.evolve(current, **changes), set(changes)


def nic_steps(
    current: Sequence[Interface],
    desired: Sequence[Interface],
    absent: Sequence[str],
    *,
    live: bool,
) -> list[NicStep]:
    """The device calls that give a domain's NICs (``current``, one side:
    live or config) the ``desired`` ones, matched by MAC, and remove those
    whose MAC is in ``absent``."""
    by_mac = {nic.mac_address.lower(): nic for nic in current if nic.mac_address}
    flags = {"live": live, "config": not live}
    steps: list[NicStep] = []
    for mac in absent:
        found = by_mac.get(mac.lower())
        if found is not None:
            steps.append(NicStep("detach", mac.lower(), found, **flags))
    for want in desired:
        assert want.mac_address is not None
        mac = want.mac_address.lower()
        have = by_mac.get(mac)
        if have is None:
            steps.append(NicStep("attach", mac, want, **flags))
            continue
        if type(have) is not type(want):
            changed, names = want, {"type"}
        else:
            changed, names = _asked(have, want)
        if not names:
            continue
        portgroup_moves = "source" in names and getattr(
            getattr(have, "source", None), "portgroup", None
        ) != getattr(getattr(changed, "source", None), "portgroup", None)
        if not live or (names <= LIVE_NIC_FIELDS and not portgroup_moves):
            steps.append(NicStep("update", mac, changed, **flags))
        else:  # a running guest's NIC that libvirt cannot change: unplug, plug anew
            steps.append(NicStep("detach", mac, have, **flags))
            steps.append(NicStep("attach", mac, _replugged(changed), **flags))
    return steps


#: Device names libvirt makes up for a NIC's host side; given back, they are refused.
_MADE_UP_TARGETS = ("vnet", "macvtap", "macvlan")


def _replugged(nic: Interface) -> Interface:
    """The NIC to plug in anew: what the running one had and was not asked to
    change (its PCI slot, its ROM, its driver), as the config update keeps
    it, without what libvirt gives each plugged-in NIC itself: its tap name,
    a non-user alias, the network port's id and bridge."""
    changes: dict[str, Any] = {}
    target = getattr(nic, "target", None)
    if (
        target is not None
        and target.managed is not False
        and target.dev.startswith(_MADE_UP_TARGETS)
    ):
        changes["target"] = None
    alias = getattr(nic, "alias", None)
    if alias is not None and not alias.name.startswith("ua-"):
        changes["alias"] = None
    source = getattr(nic, "source", None)
    if isinstance(source, NetworkSource) and (source.portid or source.bridge):
        changes["source"] = attrs.evolve(source, portid=None, bridge=None)
    return attrs.evolve(nic, **changes) if changes else nic
