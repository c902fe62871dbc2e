"""Advice, W3xx: what the RHEL 10 guide recommends, and what libvirt accepts
but will not work as meant.

Each rule names its section of the guide's chapter 15, "Configuring
virtual machine network connections" (*Configuring and managing Linux
virtual machines*, RHEL 10), or says why it exists where the guide is
silent: dnsmasq ignoring a second reservation, the kernel refusing a long
device name.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterator
from typing import Any

from virtnetlib._core.converters import address_number
from virtnetlib._models.common import port_union
from virtnetlib._models.hostinterface import (
    BondHostInterface,
    BridgeHostInterface,
    HostInterface,
)
from virtnetlib._models.interface import DirectInterface, HostdevInterface, Interface, PortForward
from virtnetlib._models.network import Network
from virtnetlib._validation.problem import Problem
from virtnetlib._validation.rules.engine import DomainDevices, Finding, at, repeated, rule
from virtnetlib._validation.rules.network import dhcp_child, dhcp_ips

# ------------------------------------------------------------------ host bonds


@rule(
    "W301",
    "bridge port is a bond in mode 0, 3, 5 or 6 (only 1, 2, 4 work with VMs)",
    on=HostInterface,
    guide="15.3.3 Virtual networking in bridged mode",
)
@rule(
    "W302",
    "bond uses ARP monitoring; MII monitoring is recommended",
    on=HostInterface,
    guide="15.3.3 Virtual networking in bridged mode",
)
def _bonds(host: HostInterface) -> Iterator[Finding]:
    if isinstance(host, BridgeHostInterface):
        bridge = host.bridge
        for i, port in enumerate(bridge.interfaces):
            if isinstance(port, BondHostInterface):
                where = f"bridge/{at(bridge, 'interfaces', i)}"
                if port.bond.mode_number not in (1, 2, 4):
                    yield "W301", port.bridge_advice()[0], f"{where}/bond", "mode"
                if port.bond.arpmon is not None:
                    yield "W302", port.monitoring_advice()[0], f"{where}/bond/arpmon", None
    elif isinstance(host, BondHostInterface) and host.bond.arpmon is not None:
        yield "W302", host.monitoring_advice()[0], "bond/arpmon", None


# ------------------------------------------------------------------- networks


@rule(
    "W305",
    "PXE boot file without <tftp root> or bootp server",
    on=Network,
    guide="15.8.1 Setting up a PXE boot server on a virtual network",
)
def _pxe(net: Network) -> Iterator[Finding]:
    for i, ip in enumerate(net.ips):
        bootp = ip.dhcp.bootp if ip.dhcp is not None else None
        if bootp is not None and ip.tftp is None and bootp.server is None:
            yield (
                "W305",
                (
                    f"boot file {bootp.file!r} is offered, but nothing serves it: add "
                    "<tftp root='...'/> to this <ip> or bootp server='...'"
                ),
                f"{at(net, 'ips', i)}/dhcp/bootp",
                None,
            )


@rule(
    "W306",
    "routed network: the LAN needs a route back to the VM subnet",
    on=Network,
    guide="15.3.2 Virtual networking in routed mode",
)
def _routed(net: Network) -> Iterator[Finding]:
    if net.mode == "route":
        subnets = ", ".join(str(s) for ip in net.ips if (s := ip.network) is not None)
        yield (
            "W306",
            (
                f"routed network: systems on the LAN need a route to {subnets or 'its subnets'} "
                "via this host, or the VMs cannot be reached from outside"
            ),
            "forward",
            "mode",
        )


@rule(
    "W309",
    "NAT network without an IPv4 address (NAT is IPv4 only)",
    on=Network,
    guide="15.3.1 Virtual networking with network address translation",
    reason="libvirt's network driver masquerades IPv4 only (IPv6 with <nat ipv6='yes'>)",
)
def _nat_without_ipv4(net: Network) -> Iterator[Finding]:
    if (
        net.mode == "nat"
        and net.ips
        and not any(ip.address is not None and ip.address.version == 4 for ip in net.ips)
        and not (net.forward and net.forward.nat and net.forward.nat.ipv6)
    ):
        yield (
            "W309",
            "NAT applies to IPv4 only, and this network has no IPv4 address",
            "forward",
            None,
        )


_DNSMASQ = "dnsmasq, which serves the network's DHCP, "


@rule(
    "W312",
    "static DHCP host address outside its <ip> subnet (dnsmasq never hands it out)",
    on=Network,
    reason=_DNSMASQ + "hands out addresses of the subnet only",
)
@rule(
    "W315",
    "static DHCP host address that is the network's own, network or broadcast address",
    on=Network,
    reason=_DNSMASQ + "hands out the network or broadcast address, and never its own",
)
@rule(
    "W313",
    "static DHCP address reserved twice (dnsmasq ignores the second host)",
    on=Network,
    reason=_DNSMASQ + "ignores a second host for one address",
)
@rule(
    "W314",
    "two static DHCP addresses for one MAC (dnsmasq hands out only one)",
    on=Network,
    reason=_DNSMASQ + "gives a MAC one address",
)
def _static_host_addresses(net: Network) -> Iterator[Finding]:
    """What dnsmasq makes of each ``<ip>``'s static hosts (one hostsfile for them all).

    A network may hold a million hosts: the addresses are compared as
    numbers, and a host's path is made only for a finding.
    """
    # static address (version, number) -> the host it is for
    reserved: dict[tuple[int, int], str] = {}
    by_mac: dict[str, Any] = {}  # MAC -> its first static address
    for i, ip, own in dhcp_ips(net):
        dhcp = ip.dhcp
        assert dhcp is not None
        subnet = ip.network
        version = own.version
        own_n = address_number(own)
        inside = special = None
        if subnet is not None:
            low = address_number(subnet.network_address)
            high = address_number(subnet.broadcast_address)
            inside = (subnet.version, low, high)
            if version == 4 and subnet.prefixlen <= 30:  # /31 and /32 have none (RFC 3021)
                special = {low: ("network", subnet), high: ("broadcast", subnet)}
        for j, host in enumerate(dhcp.hosts):
            address, mac = host.ip, host.mac
            if address is not None:
                n = address_number(address)
                if (
                    inside is not None
                    and address.version == inside[0]
                    and not inside[1] <= n <= inside[2]
                ):
                    yield (
                        "W312",
                        (
                            f"host address {address} is outside {subnet}; libvirt accepts it "
                            "but dnsmasq will never hand it out"
                        ),
                        dhcp_child(net, i, "hosts", j),
                        "ip",
                    )
                if n == own_n and address.version == version:
                    yield (
                        "W315",
                        f"{address} is this network's own address; dnsmasq never hands it out",
                        dhcp_child(net, i, "hosts", j),
                        "ip",
                    )
                elif special is not None and address.version == 4 and n in special:
                    what, net_of = special[n]
                    yield (
                        "W315",
                        (
                            f"{address} is the {what} address of {net_of}; dnsmasq hands it "
                            "out, but a guest cannot use it as its own"
                        ),
                        dhcp_child(net, i, "hosts", j),
                        "ip",
                    )
                key = (address.version, n)
                first = reserved.get(key)
                if first is not None:
                    yield (
                        "W313",
                        (
                            f"{address} is already reserved for {first}; dnsmasq ignores this "
                            "host ('duplicate dhcp-host IP address'), so it never gets it"
                        ),
                        dhcp_child(net, i, "hosts", j),
                        "ip",
                    )
                else:
                    reserved[key] = mac or host.id or host.name or "another host"
                if mac is not None:
                    earlier = by_mac.setdefault(mac.lower(), address)
                    if earlier is not address and earlier != address:
                        yield (
                            "W314",
                            (
                                f"{mac} already has static address {earlier}; dnsmasq "
                                f"gives a MAC one address, so {earlier} or {address} is never "
                                "handed out"
                            ),
                            dhcp_child(net, i, "hosts", j),
                            "mac",
                        )


# ----------------------------------------------------------------- interfaces


@rule(
    "W303",
    "macvtap (type='direct'); a bridge is usually the better choice",
    on=DirectInterface,
    guide="15.9.3 Replacing macvtap connections",
)
def _macvtap(iface: DirectInterface) -> Iterator[Finding]:
    yield (
        "W303",
        (
            "macvtap has suboptimal performance, is harder to set up, and the host cannot "
            "reach the guest through it; unless you need macvtap, use a bridge "
            "(<interface type='bridge'>) or a libvirt network"
        ),
        ".",
        "type",
    )


@rule(
    "W304",
    "hostdev VF without a fixed MAC address",
    on=HostdevInterface,
    guide="15.7 Managing SR-IOV networking devices (a VF's MAC address)",
)
def _vf_mac(iface: HostdevInterface) -> Iterator[Finding]:
    if iface.mac is None:
        yield (
            "W304",
            (
                "no <mac address=...>: the VF gets a new MAC at every start and guest network "
                "settings may need reconfiguring; set a fixed MAC"
            ),
            ".",
            None,
        )


_PASST = "15.11 Configuring the passt user-space connection"


@rule(
    "W307",
    "portForward exclude range removes nothing",
    on=Interface,
    guide=_PASST,
    reason="an exclude takes ports out of the other ranges of its portForward only",
)
def _excludes(iface: Interface) -> Iterator[Finding]:
    for i, fwd in enumerate(iface.port_forwards):
        yield from _forward_excludes(fwd, at(iface, "port_forwards", i))


def _forward_excludes(fwd: PortForward, where: str) -> Iterator[Finding]:
    included = port_union(
        [(r.start, r.end if r.end is not None else r.start) for r in fwd.ranges if not r.exclude]
    )
    starts = [first for first, _ in included]
    for j, rng in enumerate(fwd.ranges):
        last = rng.end if rng.end is not None else rng.start
        # the included run that begins at or before the exclude's end
        k = bisect.bisect_right(starts, last) - 1
        overlaps = k >= 0 and included[k][1] >= rng.start
        if rng.exclude and not overlaps:
            end = f"-{rng.end}" if rng.end is not None else ""
            yield (
                "W307",
                (
                    f"exclude range {rng.start}{end} removes nothing: no other range of this "
                    "portForward covers it"
                ),
                f"{where}/{at(fwd, 'ranges', j)}",
                None,
            )


@rule(
    "W308",
    "host port forwarded more than once",
    on=Interface,
    guide=_PASST,
    reason="passt forwards a host port (of one protocol and address) to one place",
)
def _overlapping_forwards(iface: Interface) -> Iterator[Finding]:
    """W308 for each portForward that forwards a host port an earlier one does
    (same protocol and address), naming the lowest such port and the first
    earlier portForward found there.

    Runs of ports, not ports, are swept in port order (a range of 65,535
    ports is one run, and a thousand overlapping forwards cost k log k):
    where a run begins, an earlier forward's run still open means a clash
    for this one, and later forwards' runs still open clash with it.
    """
    by_key: dict[tuple[str, str | None], list[tuple[int, int, int]]] = {}
    for i, fwd in enumerate(iface.port_forwards):
        if fwd.ranges:
            key = (fwd.proto, str(fwd.address) if fwd.address else None)
            by_key.setdefault(key, []).extend((a, b, i) for a, b, _ in fwd.mapped_ranges())
    clashes: dict[int, tuple[int, int]] = {}  # later forward -> (port, earlier forward)
    for runs in by_key.values():
        runs.sort()
        earliest: list[tuple[int, int]] = []  # open runs: (forward, last port)
        latest: list[tuple[int, int]] = []  # open runs not yet reported: (-forward, last)
        for port, last, i in runs:
            while earliest and earliest[0][1] < port:
                heapq.heappop(earliest)
            if earliest and earliest[0][0] < i and i not in clashes:
                clashes[i] = (port, earliest[0][0])
            while latest and -latest[0][0] > i:
                later, ends = heapq.heappop(latest)
                if ends >= port and -later not in clashes:
                    clashes[-later] = (port, i)
            heapq.heappush(earliest, (i, last))
            if i not in clashes:
                heapq.heappush(latest, (-i, last))
    for i in sorted(clashes):
        port, earlier = clashes[i]
        fwd = iface.port_forwards[i]
        yield (
            "W308",
            f"{fwd.proto} port {port} is already forwarded by portForward {earlier + 1}",
            at(iface, "port_forwards", i),
            None,
        )


#: Prefixes of the names libvirt gives tap and macvtap devices itself; a
#: definition that asks for one loses it (libvirt drops it, then picks).
_GENERATED_NAME = re.compile(r"(vnet|macvtap|macvlan)")


@rule(
    "W317",
    "target dev named like libvirt's own (vnet*, macvtap*, macvlan*): libvirt drops it",
    on=Interface,
    libvirt="virDomainNetDefParseXML",
    note="it drops the name and accepts the definition",
)
def _generated_name(iface: Interface) -> Iterator[Finding]:
    target = iface.target
    if target is not None and _GENERATED_NAME.match(target.dev):
        yield (
            "W317",
            (
                f"target dev {target.dev!r} looks like a name libvirt generates; libvirt drops "
                "it from a definition and picks its own when the guest starts"
            ),
            "target",
            "dev",
        )


@rule(
    "W318",
    "a device name over 15 bytes: the kernel refuses it when the device is created",
    on=(Network, Interface, HostInterface),
    reason="libvirt accepts the name; the kernel takes IFNAMSIZ - 1 = 15 bytes",
)
def _long_names(model: Network | Interface | HostInterface) -> Iterator[Finding]:
    if isinstance(model, Network):
        if model.bridge is not None:
            yield from _long_name(model.bridge.name, "bridge name", "bridge", "name")
    elif isinstance(model, Interface):
        if model.target is not None:
            yield from _long_name(model.target.dev, "target dev", "target", "dev")
    else:
        # every kind of host interface has a name; the base class does not declare it
        yield from _long_name(getattr(model, "name", None), "interface name", ".", "name")


def _long_name(name: str | None, what: str, where: str, attribute: str) -> Iterator[Finding]:
    """W318 for a kernel device name over IFNAMSIZ - 1 bytes (a %d template is expanded)."""
    if name is not None and "%" not in name and len(name.encode()) > 15:
        yield (
            "W318",
            (
                f"{what} {name!r} is {len(name.encode())} bytes; Linux takes at most 15, so "
                "creating the device fails ('Numerical result out of range')"
            ),
            where,
            attribute,
        )


# ------------------------------------------------------------------- domains


@rule(
    "W316",
    "a MAC address used by two interfaces of a domain",
    on=DomainDevices,
    reason="libvirt accepts it, but on one network the two take each other's traffic",
)
def _mac_addresses(root: Any) -> Iterator[Problem]:
    return repeated(
        root.iterfind("devices/interface/mac"),
        lambda mac: (mac.get("address") or "").lower() or None,
        "W316",
        "MAC address {} is already used by another interface of this domain; on one "
        "network the two would take each other's traffic",
        "/@address",
    )
