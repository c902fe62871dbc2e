"""libvirt's define-time checks and the RHEL 10 guide's advice, on the models.

Each rule has a stable code. ``E2xx`` are checks libvirt itself makes when
it parses and defines a network or a domain (each is verified against
libvirt's test driver in the test suite, except where a rule says libvirt
checks it later or in a newer release); ``E4xx`` are checks of libvirt's
network driver, which libvirtd makes on a host and the test driver does not
(verified against a real libvirtd in the integration tests); ``W3xx`` are
advice.
"""

from __future__ import annotations

import bisect
import heapq
import re
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from virtnetlib._core.converters import IPAddress, address_number
from virtnetlib._core.errors import ParseError
from virtnetlib._core.model import Model, parse_root
from virtnetlib._core.xml import ElementsByPath, PathCache, element_path
from virtnetlib._models.address import UnassignedAddress
from virtnetlib._models.common import Bandwidth, PciAddress, Route, VirtualPort, Vlan, port_union
from virtnetlib._models.hostinterface import (
    BondHostInterface,
    BridgeHostInterface,
    HostInterface,
    VlanHostInterface,
)
from virtnetlib._models.interface import (
    DirectInterface,
    EthernetSource,
    HostdevInterface,
    Interface,
    InterfaceIP,
    NetDriver,
    NetworkInterface,
    PortForward,
    UserInterface,
    VhostUserInterface,
)
from virtnetlib._models.network import Lease, Network, netmask_prefix, subnet_of
from virtnetlib._validation.problem import Problem, Severity

# The interface and host-interface models are imported where a check needs
# their classes: a check only runs on such a model, so they are loaded
# already, and validating networks (a pre-commit hook's usual job) never
# pays for loading them.

__all__ = ["E_PARSER_VALUE", "RULES", "Rule", "check_domain", "check_model"]


class Rule:
    """One check: its code, severity, and a one-line summary for the docs."""

    def __init__(self, code: str, summary: str) -> None:
        self.code = code
        self.severity: Severity = "error" if code.startswith("E") else "warning"
        self.summary = summary


RULES: dict[str, Rule] = {}


def _rule(code: str, summary: str) -> Rule:
    RULES[code] = Rule(code, summary)
    return RULES[code]


E_PARSER_VALUE = _rule(
    "E260",
    "a value libvirt's parser refuses though its schema allows it (hex numbers without 0x)",
)

# (code, message, path relative to the checked element, attribute)
Finding = tuple[str, str, str, str | None]
Check = Callable[[Any], Iterator[Finding]]

_NETWORK_CHECKS: list[Check] = []
_INTERFACE_CHECKS: list[Check] = []
_HOST_CHECKS: list[Check] = []


def _idx(items: list[Any], i: int, tag: str) -> str:
    return f"{tag}[{i + 1}]" if len(items) > 1 else tag


# --------------------------------------------------------------------- network

E_NAME = _rule("E201", "a network name may not contain '/'")
E_RANGE_REVERSED = _rule("E202", "a DHCP range must not be reversed")
E_RANGE_OUTSIDE = _rule("E203", "a DHCP range must lie inside its <ip> subnet")
E_RANGE_FAMILY = _rule("E204", "a DHCP range must be of its <ip>'s address family")
E_RANGE_EDGE = _rule(
    "E205", "an IPv4 DHCP range may not start at the network or end at the broadcast address"
)
E_HOST_ID = _rule("E206", "an IPv4 static host needs mac or name")
E_HOST_IP = _rule("E207", "a static host needs an ip")
E_HOST_V6_MAC = _rule("E208", "an IPv6 static host may not have a mac")
E_MULTICAST = _rule("E209", "MAC addresses must be unicast")
E_TFTP_V6 = _rule("E210", "<tftp> is not supported on an IPv6 <ip>")
E_IP_ADDRESS = _rule("E211", "an <ip> needs an address")
E_NETMASK_V6 = _rule("E212", "netmask is not allowed for an IPv6 address")
E_FAMILY = _rule("E213", "family must match the address")
E_PREFIX = _rule("E214", "prefix must fit the address family")
E_NEEDS_IP = _rule("E215", "nat, route and open networks need an <ip>")
E_DNS_DISABLED = _rule("E217", "a disabled <dns> may hold nothing else")
E_FLOOR = _rule("E219", "bandwidth floor is only for interfaces on a network")
E_BRIDGE_OPTS = _rule(
    "E221", "stp, delay, zone and mtu only for nat, route, open or isolated networks"
)
E_FORWARD_DEV = _rule("E222", "<forward dev> must match the first <interface dev>")
E_FORWARD_IFACES = _rule("E223", "nat and route networks take only one forward interface")
E_NAT_MODE = _rule("E224", "<nat> only with forward mode nat")
E_NAT_RANGE = _rule("E225", "NAT address and port ranges must not be reversed")
E_ROUTE_GW = _rule("E227", "a static route's gateway must be reachable through an <ip>")
E_ROUTE_NET = _rule("E228", "a static route's address must be a network address")
E_OPEN_DEV = _rule("E229", "forward dev and forward interfaces are not allowed with mode open")
E_FWD_DEV_POOL = _rule("E266", "forward dev= is not allowed beside <address> or <pf> children")
E_POOL_DUP = _rule("E230", "a device may be listed only once in a forward pool")
E_HOST_NAME = _rule("E231", "a DHCP host name must start with a letter or a digit")
E_BRIDGE_NAME = _rule(
    "E232",
    "no bridge name with forward modes passthrough, private, vepa and hostdev; "
    "with mode bridge, a bridge name or forward devices, not both",
)
E_FORWARDER = _rule("E233", "a DNS forwarder needs addr or domain")
E_SRV_TARGET = _rule("E234", "a DNS SRV record's port, priority and weight need a target")
E_SRV_SERVICE = _rule(
    "E235", "a DNS SRV service is at most 482 letters, digits and _ - + / * characters"
)
E_LEASE = _rule("E236", "a DHCP lease lasts at least 2 minutes (0: forever)")
E_BW_AVERAGE = _rule(
    "E237",
    "bandwidth inbound and outbound need average (or just floor); peak and burst need average",
)
E_BW_OUT_FLOOR = _rule("E265", "bandwidth floor only in <inbound>, never in <outbound>")
E_VLAN_NATIVE = _rule("E238", "only one VLAN tag may set nativeMode")
E_VPORT_TYPE = _rule(
    "E239", "a <virtualport> needs type=, except in a portgroup or a type='network' interface"
)
E_BOOTP_SERVER = _rule("E254", "a bootp server is an IP address")
E_RANGE_SIZE = _rule("E263", "a DHCP or NAT address range holds at most 65535 addresses")
E_MAC_TABLE = _rule(
    "E262", "bridge macTableManager only in nat, route, open, isolated and bridge networks"
)

# Forward modes by what connects the guests: a bridge libvirt makes (and
# serves addresses on), a host bridge it is given, or host devices directly.
_OWN_BRIDGE_MODES = ("nat", "route", "open", "isolated")
_DIRECT_MODES = ("passthrough", "private", "vepa", "hostdev")
E_DHCP_NETMASK = _rule("E255", "DHCP ranges need a netmask that is ones then zeros")
E_VPORT_PARAMS = _rule(
    "E256",
    "an interface's 802.1Qbg virtualport needs managerid, typeid and typeidversion; "
    "802.1Qbh needs profileid (unless the interface is type='network')",
)

# Characters libvirt accepts in a DNS SRV service name, and its length limit
# (a DNS record of 512 bytes less the rest of the SRV record).
_SRV_SERVICE = re.compile(r"[A-Za-z0-9_+/*-]{0,482}\Z")


def network_check(fn: Check) -> Check:
    _NETWORK_CHECKS.append(fn)
    return fn


@network_check
def _name(net: Network) -> Iterator[Finding]:
    if net.name and "/" in net.name:
        yield E_NAME.code, f"invalid character '/' in network name {net.name!r}", "name", None


def _hosts(  # noqa: PLR0917 - the <ip>'s facts the checks need, computed once
    hosts: list[Any],
    own: Any,
    subnet: Any,
    where: str,
    reserved: dict[tuple[int, int], str],
    by_mac: dict[str, Any],
) -> Iterator[Finding]:
    """The checks of each static DHCP host of one ``<ip>``, in libvirt's order.

    A network may hold a million hosts: the addresses are compared as
    numbers, and a host's path is made only for a finding.
    """
    v6 = own.version == 6
    version = own.version
    own_n = address_number(own)
    inside = special = None
    if subnet is not None:
        low = address_number(subnet.network_address)
        high = address_number(subnet.broadcast_address)
        inside = (subnet.version, low, high)
        if version == 4 and subnet.prefixlen <= 30:  # /31 and /32 have none (RFC 3021)
            special = {low: ("network", subnet), high: ("broadcast", subnet)}
    many = len(hosts) > 1

    def path(j: int) -> str:
        return f"{where}/host[{j + 1}]" if many else f"{where}/host"

    for j, host in enumerate(hosts):
        address, mac = host.ip, host.mac
        if address is None:
            yield E_HOST_IP.code, "static host has no ip", path(j), None
        if not v6 and mac is None and host.name is None:
            yield E_HOST_ID.code, "IPv4 static host needs a mac or a name", path(j), None
        if v6 and mac is not None:
            yield (
                E_HOST_V6_MAC.code,
                (
                    f"MAC address {mac} is not allowed in an IPv6 "
                    "static host (use id= with a DUID, or name=)"
                ),
                path(j),
                "mac",
            )
        key = None
        if address is not None:
            n = address_number(address)
            key = (address.version, n)
            if (
                inside is not None
                and address.version == inside[0]
                and not inside[1] <= n <= inside[2]
            ):
                yield (
                    W_HOST_OUTSIDE.code,
                    (
                        f"host address {address} is outside {subnet}; libvirt accepts it "
                        "but dnsmasq will never hand it out"
                    ),
                    path(j),
                    "ip",
                )
            if n == own_n and address.version == version:
                yield (
                    W_HOST_UNUSABLE.code,
                    f"{address} is this network's own address; dnsmasq never hands it out",
                    path(j),
                    "ip",
                )
            elif special is not None and address.version == 4 and n in special:
                what, net = special[n]
                yield (
                    W_HOST_UNUSABLE.code,
                    (
                        f"{address} is the {what} address of {net}; dnsmasq hands it out, "
                        "but a guest cannot use it as its own"
                    ),
                    path(j),
                    "ip",
                )
            first = reserved.get(key)
            if first is not None:
                yield (
                    W_HOST_DUP_IP.code,
                    (
                        f"{address} is already reserved for {first}; dnsmasq ignores this "
                        "host ('duplicate dhcp-host IP address'), so it never gets it"
                    ),
                    path(j),
                    "ip",
                )
            else:
                reserved[key] = mac or host.id or host.name or "another host"
        if mac is not None:
            if address is not None:
                earlier = by_mac.setdefault(mac.lower(), address)
                if earlier is not address and earlier != address:
                    yield (
                        W_MAC_TWICE.code,
                        (
                            f"{mac} already has static address {earlier}; dnsmasq "
                            f"gives a MAC one address, so {earlier} or {address} is never "
                            "handed out"
                        ),
                        path(j),
                        "mac",
                    )
            if int(mac[:2], 16) & 1:
                yield E_MULTICAST.code, f"{mac} is a multicast MAC address", path(j), "mac"
        name = host.name
        if name is not None and not (name[:1].isascii() and name[:1].isalnum()):
            yield (
                E_HOST_NAME.code,
                f"host name {name!r} does not start with a letter or a digit",
                path(j),
                "name",
            )
        if host.lease is not None:
            yield from _lease(host.lease, f"{path(j)}/lease")


@network_check
def _ips(net: Network) -> Iterator[Finding]:
    # static address (version, number) -> the host it is for (one dnsmasq hostsfile)
    reserved: dict[tuple[int, int], str] = {}
    by_mac: dict[str, Any] = {}  # MAC -> its first static address
    for i, ip in enumerate(net.ips):
        where = _idx(net.ips, i, "ip")
        if ip.address is None:
            yield E_IP_ADDRESS.code, "<ip> has no address", where, None
            continue
        v6 = ip.address.version == 6
        if wrong := _family(ip.family, ip.address, where, absent_is_ipv4=True):
            yield wrong
        if v6 and ip.netmask is not None:
            yield (
                E_NETMASK_V6.code,
                f"netmask is not allowed for IPv6 address {ip.address}",
                where,
                "netmask",
            )
        if ip.prefix is not None and ip.prefix > (128 if v6 else 32):
            yield E_PREFIX.code, f"prefix {ip.prefix} is too long for {ip.address}", where, "prefix"
        if v6 and ip.tftp is not None:
            yield E_TFTP_V6.code, "<tftp> is not supported in an IPv6 <ip>", f"{where}/tftp", None
        if ip.dhcp is None:
            continue
        subnet = ip.network
        if ip.dhcp.ranges and ip.netmask is not None and netmask_prefix(ip.netmask) is None:
            yield (
                E_DHCP_NETMASK.code,
                f"netmask {ip.netmask} is not ones then zeros, so the DHCP ranges have no subnet",
                where,
                "netmask",
            )
        for j, rng in enumerate(ip.dhcp.ranges):
            rpath = f"{where}/dhcp/{_idx(ip.dhcp.ranges, j, 'range')}"
            if rng.start.version != ip.address.version or rng.end.version != ip.address.version:
                yield (
                    E_RANGE_FAMILY.code,
                    f"range {rng.start} - {rng.end} is not in {ip.address}'s address family",
                    rpath,
                    None,
                )
                continue
            # in libvirt's order: a range both outside and reversed is 'outside'
            if subnet is not None and (rng.start not in subnet or rng.end not in subnet):
                yield (
                    E_RANGE_OUTSIDE.code,
                    (
                        f"range {rng.start} - {rng.end} is not entirely within {ip.address}/"
                        f"{subnet.prefixlen}"
                    ),
                    rpath,
                    None,
                )
                continue
            if int(rng.start) > int(rng.end):
                yield (
                    E_RANGE_REVERSED.code,
                    f"range {rng.start} - {rng.end} is reversed",
                    rpath,
                    None,
                )
                continue
            yield from _range_size(rng.start, rng.end, rpath)
            if rng.lease is not None:
                yield from _lease(rng.lease, f"{rpath}/lease")
            if subnet is not None and not v6 and subnet.prefixlen < 31:
                if rng.start == subnet.network_address:
                    yield (
                        E_RANGE_EDGE.code,
                        f"range start {rng.start} is the network address",
                        rpath,
                        "start",
                    )
                if rng.end == subnet.broadcast_address:
                    yield (
                        E_RANGE_EDGE.code,
                        f"range end {rng.end} is the broadcast address",
                        rpath,
                        "end",
                    )
        yield from _hosts(ip.dhcp.hosts, ip.address, subnet, f"{where}/dhcp", reserved, by_mac)
        bootp = ip.dhcp.bootp
        if bootp is not None and bootp.server is not None and not _is_ip(bootp.server):
            yield (
                E_BOOTP_SERVER.code,
                (
                    f"bootp server {bootp.server!r} is not an IP address (libvirt does not "
                    "resolve host names here)"
                ),
                f"{where}/dhcp/bootp",
                "server",
            )


def _range_size(start: IPAddress, end: IPAddress, where: str) -> Iterator[Finding]:
    count = int(end) - int(start) + 1
    if count > 65535:
        yield (
            E_RANGE_SIZE.code,
            f"range {start} - {end} holds {count} addresses, more than libvirt's 65535",
            where,
            None,
        )


def _lease(lease: Lease, where: str) -> Iterator[Finding]:
    if 0 < lease.seconds < 120:
        unit = lease.unit or "minutes"
        shown = unit[:-1] if lease.expiry == 1 else unit
        yield (
            E_LEASE.code,
            f"a lease of {lease.expiry} {shown} is shorter than 2 minutes (0 means forever)",
            where,
            "expiry",
        )


def _is_ip(text: str) -> bool:
    """Whether libvirt reads ``text`` as an address: getaddrinfo with
    AI_NUMERICHOST, as virSocketAddrParse does, which also takes inet_aton's
    short forms ('255' is 0.0.0.255, '10.1' is 10.0.0.1)."""
    try:
        socket.getaddrinfo(text, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError, ValueError):  # gaierror is an OSError
        return False
    return True


def _bandwidth(bw: Bandwidth | None, where: str) -> Iterator[Finding]:
    """libvirt's checks of a <bandwidth> anywhere: networks, portgroups, interfaces."""
    if bw is None:
        return
    for name, rate in (("inbound", bw.inbound), ("outbound", bw.outbound)):
        if rate is not None and rate.average is None and rate.floor is None:
            yield (
                E_BW_AVERAGE.code,
                f"<{name}> has neither average nor floor",
                f"{where}/{name}",
                None,
            )
        elif rate is not None and rate.average is None and (rate.peak or rate.burst):
            yield (
                E_BW_AVERAGE.code,
                f"<{name}> has peak or burst without average (floor alone does not do)",
                f"{where}/{name}",
                None,
            )
    if bw.outbound is not None and bw.outbound.floor is not None:
        yield (
            E_BW_OUT_FLOOR.code,
            (
                "floor is allowed only in <inbound> (a guaranteed minimum applies to "
                "traffic to the guest)"
            ),
            f"{where}/outbound",
            "floor",
        )


def _vlan(vlan: Vlan | None, where: str) -> Iterator[Finding]:
    if vlan is None:
        return
    native = [i for i, tag in enumerate(vlan.tags) if tag.native_mode is not None]
    if len(native) > 1:
        yield (
            E_VLAN_NATIVE.code,
            f"{len(native)} tags set nativeMode; a VLAN has one native tag at most",
            f"{where}/{_idx(vlan.tags, native[1], 'tag')}",
            "nativeMode",
        )


def _virtualport_type(vport: VirtualPort | None, where: str) -> Iterator[Finding]:
    if vport is not None and vport.type is None:
        yield E_VPORT_TYPE.code, "<virtualport> has no type", where, None


# What an interface's own <virtualport> must give; a network's or a
# portgroup's may leave parts to the interfaces that use it.
_VPORT_NEEDS = {
    "802.1Qbg": ("managerid", "typeid", "typeidversion"),
    "802.1Qbh": ("profileid",),
}


def _virtualport_complete(vport: VirtualPort | None, where: str) -> Iterator[Finding]:
    if vport is None or vport.type not in _VPORT_NEEDS:
        return
    params = vport.parameters
    missing = [n for n in _VPORT_NEEDS[vport.type] if getattr(params, n, None) is None]
    if missing:
        yield (
            E_VPORT_PARAMS.code,
            f"<virtualport type='{vport.type}'> lacks {', '.join(missing)}",
            where,
            None,
        )


def _multicast(mac: str) -> bool:
    return bool(int(mac[:2], 16) & 1)


@network_check
def _forward(net: Network) -> Iterator[Finding]:
    mode = net.mode
    fwd = net.forward
    if mode in ("nat", "route", "open") and not net.ips:
        yield (
            E_NEEDS_IP.code,
            f"{mode} forwarding requested, but the network has no <ip>",
            "forward",
            None,
        )
    if fwd is None:
        return
    if fwd.nat is not None and mode != "nat":
        yield (
            E_NAT_MODE.code,
            f"<nat> is only for forward mode nat, not {mode}",
            "forward/nat",
            None,
        )
    if fwd.nat is not None:
        addr, port = fwd.nat.address, fwd.nat.port
        if addr is not None and int(addr.start) > int(addr.end):
            yield (
                E_NAT_RANGE.code,
                f"NAT address range {addr.start} - {addr.end} is reversed",
                "forward/nat/address",
                None,
            )
        elif addr is not None:
            yield from _range_size(addr.start, addr.end, "forward/nat/address")
        if port is not None and port.start > port.end:
            yield (
                E_NAT_RANGE.code,
                f"NAT port range {port.start} - {port.end} is reversed",
                "forward/nat/port",
                "end",
            )
    if fwd.dev is not None and (fwd.addresses or fwd.pf is not None):
        yield (
            E_FWD_DEV_POOL.code,
            (
                "forward dev= cannot be used with <address> or <pf> in <forward>: the "
                "pool of devices is named one way only"
            ),
            "forward",
            "dev",
        )
    if mode == "open" and fwd.dev is not None:
        yield E_OPEN_DEV.code, "forward dev is not allowed with mode open", "forward", "dev"
    elif mode == "open" and fwd.interfaces:
        yield (
            E_OPEN_DEV.code,
            "forward interfaces are not allowed with mode open",
            f"forward/{_idx(fwd.interfaces, 0, 'interface')}",
            None,
        )
    if fwd.dev is not None and fwd.interfaces and fwd.interfaces[0].dev != fwd.dev:
        yield (
            E_FORWARD_DEV.code,
            (
                f"<forward dev='{fwd.dev}'> must match the first <interface dev='"
                f"{fwd.interfaces[0].dev}'/>"
            ),
            "forward",
            "dev",
        )
    if mode in ("nat", "route") and len(fwd.interfaces) > 1:
        yield (
            E_FORWARD_IFACES.code,
            f"{len(fwd.interfaces)} forward interfaces given; {mode} networks support one",
            "forward",
            None,
        )
    seen: set[str] = set()
    for i, iface in enumerate(fwd.interfaces):
        if iface.dev in seen:
            yield (
                E_POOL_DUP.code,
                f"interface {iface.dev!r} is listed twice",
                f"forward/{_idx(fwd.interfaces, i, 'interface')}",
                "dev",
            )
        seen.add(iface.dev)
    pci: set[str] = set()
    for i, device in enumerate(fwd.addresses):
        key = str(device)
        if key in pci:
            yield (
                E_POOL_DUP.code,
                f"PCI device {key} is listed twice",
                f"forward/{_idx(fwd.addresses, i, 'address')}",
                None,
            )
        pci.add(key)


@network_check
def _bridge_name(net: Network) -> Iterator[Finding]:
    mode = net.mode
    bridge, fwd = net.bridge, net.forward
    if bridge is None or fwd is None:
        return
    if bridge.mac_table_manager is not None and mode in _DIRECT_MODES:
        yield (
            E_MAC_TABLE.code,
            f"macTableManager is not allowed in {mode} mode",
            "bridge",
            "macTableManager",
        )
    if bridge.name is None:
        return
    if mode in _DIRECT_MODES:
        yield E_BRIDGE_NAME.code, f"a bridge name is not allowed in {mode} mode", "bridge", "name"
    elif mode == "bridge" and (fwd.dev is not None or fwd.interfaces or fwd.pf is not None):
        yield (
            E_BRIDGE_NAME.code,
            "forward mode bridge takes a bridge name or forward devices, not both",
            "bridge",
            "name",
        )


@network_check
def _bridge_options(net: Network) -> Iterator[Finding]:
    mode = net.mode
    if mode in _OWN_BRIDGE_MODES:
        return
    bridge = net.bridge
    # as libvirt tests them: stp and zone when given, delay when not 0
    if bridge is not None and (bridge.stp is not None or bridge.delay or bridge.zone is not None):
        yield (
            E_BRIDGE_OPTS.code,
            f"bridge stp, delay and zone are only for nat, route and isolated networks, not {mode}",
            "bridge",
            None,
        )
    if net.mtu is not None:
        yield (
            E_BRIDGE_OPTS.code,
            f"mtu is only for open, route, nat and isolated networks, not {mode}",
            "mtu",
            None,
        )


@network_check
def _dns(net: Network) -> Iterator[Finding]:
    dns = net.dns
    if (
        dns is not None
        and dns.enable is False
        # (forwardPlainNames is not data: libvirt takes it on a disabled <dns>)
        and (dns.forwarders or dns.txts or dns.srvs or dns.hosts)
    ):
        yield E_DNS_DISABLED.code, "extra data in a disabled <dns enable='no'>", "dns", None
    if dns is None:
        return
    for i, fwd in enumerate(dns.forwarders):
        if fwd.addr is None and fwd.domain is None:
            yield (
                E_FORWARDER.code,
                "a <forwarder> needs addr, domain or both",
                f"dns/{_idx(dns.forwarders, i, 'forwarder')}",
                None,
            )
    for i, srv in enumerate(dns.srvs):
        where = f"dns/{_idx(dns.srvs, i, 'srv')}"
        if srv.service is not None and not _SRV_SERVICE.match(srv.service):
            yield (
                E_SRV_SERVICE.code,
                (
                    f"service {srv.service!r} is longer than 482 characters"
                    if len(srv.service) > 482
                    else f"service {srv.service!r} may hold only letters, digits and _ - + / *"
                ),
                where,
                "service",
            )
        if srv.target is None:
            for name in ("port", "priority", "weight"):
                if getattr(srv, name) is not None:
                    yield E_SRV_TARGET.code, f"{name} without a target", where, name


@network_check
def _mac_and_bandwidth(net: Network) -> Iterator[Finding]:
    if net.mac is not None and _multicast(net.mac.address):
        yield E_MULTICAST.code, f"{net.mac.address} is a multicast MAC address", "mac", "address"
    bw = net.bandwidth
    if bw is not None and bw.inbound is not None and bw.inbound.floor is not None:
        # (an outbound floor is refused everywhere: E265)
        yield E_FLOOR.code, "bandwidth floor is not supported on a network", "bandwidth", None
    yield from _bandwidth(bw, "bandwidth")
    yield from _vlan(net.vlan, "vlan")
    yield from _virtualport_type(net.virtualport, "virtualport")
    for i, group in enumerate(net.portgroups):
        where = _idx(net.portgroups, i, "portgroup")
        yield from _bandwidth(group.bandwidth, f"{where}/bandwidth")
        yield from _vlan(group.vlan, f"{where}/vlan")


@network_check
def _routes(net: Network) -> Iterator[Finding]:
    if not net.routes:
        return
    subnets = [s for ip in net.ips if (s := ip.network) is not None]
    for i, route in enumerate(net.routes):
        where = _idx(net.routes, i, "route")
        yield from _route(route, where)
        if subnets and not any(
            route.gateway in s for s in subnets if s.version == route.gateway.version
        ):
            yield (
                E_ROUTE_GW.code,
                f"gateway {route.gateway} is not reachable through any <ip> of the network",
                where,
                "gateway",
            )


def _family(
    family: str | None, address: IPAddress, where: str, *, absent_is_ipv4: bool
) -> Finding | None:
    """E213 when ``family`` does not name ``address``'s address family.

    libvirt reads a network's ``<ip>`` or a ``<route>`` without family as
    IPv4; ``absent_is_ipv4=False`` is for places where no family is fine.
    """
    actual = "ipv6" if address.version == 6 else "ipv4"
    if family is not None and family != actual:
        return E_FAMILY.code, f"family {family!r} given for {address}", where, "family"
    if family is None and absent_is_ipv4 and actual == "ipv6":
        message = f"no family given for IPv6 address {address} (add family='ipv6')"
        return E_FAMILY.code, message, where, "address"
    return None


def _route(route: Route, where: str) -> Iterator[Finding]:
    """libvirt's checks of one <route>, in a network or an interface."""
    if wrong := _family(route.family, route.address, where, absent_is_ipv4=True):
        yield wrong
        return
    # libvirt holds the gateway to the family too ("ipv6 specified for
    # non-IPv6 gateway address")
    if wrong := _family(route.family, route.gateway, where, absent_is_ipv4=True):
        yield wrong
        return
    prefix = route.prefix
    if prefix is not None and prefix > route.address.max_prefixlen:
        yield (
            E_PREFIX.code,
            f"prefix {prefix} is too long for route address {route.address}",
            where,
            "prefix",
        )
        return
    if prefix is None and route.netmask is not None:
        prefix = netmask_prefix(route.netmask)
        if prefix is None:  # libvirt then fails the network-address test
            yield (
                E_ROUTE_NET.code,
                (
                    f"route address {route.address} is not a network address: "
                    f"{route.netmask} is not a netmask"
                ),
                where,
                "netmask",
            )
            return
    # without prefix or netmask, libvirt takes /0: only 0.0.0.0 or :: fits
    try:
        subnet_of(route.address, prefix or 0, strict=True)
    except ValueError:
        yield (
            E_ROUTE_NET.code,
            f"route address {route.address} is not a network address for /{prefix or 0}"
            + ("" if prefix is not None else " (no prefix or netmask given)"),
            where,
            "address",
        )


# ------------------------------------------------------------------- interface

E_ISOLATED = _rule(
    "E240", "<port isolated> only for network, bridge and direct interfaces without Open vSwitch"
)
E_VHOSTUSER_MODEL = _rule("E242", "vhost-user needs a virtio model")
E_IFACE_MULTICAST = _rule("E243", "an interface MAC address must be unicast")
E_BOOT_DUP = _rule("E244", "boot order values must be unique in a domain")
E_TEAMING = _rule("E245", "teaming type transient needs persistent=")
E_ROM = _rule("E246", "ROM options need the ROM enabled")
E_IFACE_FLOOR = _rule("E247", "bandwidth floor only on interfaces of type network")
E_HOSTDEV_DUP = _rule("E248", "a host device may be assigned once per domain")
E_PEER = _rule("E249", "an <ip> peer must be of the address's family")
E_RECONNECT = _rule(
    "E250", "vhost-user reconnect: client mode only, and enabled='yes' needs timeout"
)
E_PORTFWD = _rule("E252", "<portForward> needs the passt backend (libvirt >= 9.2)")
E_PASST_TYPE = _rule(
    "E253", "the passt backend is for user (and vhostuser, libvirt >= 11.1) interfaces"
)
E_BRIDGE_SOURCE = _rule("E257", "a type='bridge' interface needs a <source>")
E_ALIAS_DUP = _rule("E261", "a user alias (ua-...) names one device of a domain")
E_PCI_DUP = _rule(
    "E264", "a PCI address used by two devices (libvirt's QEMU driver refuses the domain)"
)
E_UNMANAGED_TARGET = _rule("E267", "<target managed='no'> only on type='ethernet' interfaces")
E_HOSTDEV_DRIVER = _rule("E268", "a hostdev interface's driver name is kvm, vfio or xen")
W_MAC_DUP = _rule("W316", "a MAC address used by two interfaces of a domain")
W_GENERATED_NAME = _rule(
    "W317", "target dev named like libvirt's own (vnet*, macvtap*, macvlan*): libvirt drops it"
)
W_LONG_NAME = _rule(
    "W318", "a device name over 15 bytes: the kernel refuses it when the device is created"
)
E_VIRTIO_OPTS = _rule(
    "E258", "driver options iommu, ats, packed and page_per_vq only with a virtio model"
)

_VIRTIO_MODELS = frozenset({"virtio", "virtio-transitional", "virtio-non-transitional"})


def interface_check(fn: Check) -> Check:
    _INTERFACE_CHECKS.append(fn)
    return fn


@interface_check
def _iface_basics(iface: Interface) -> Iterator[Finding]:

    if iface.mac is not None and _multicast(iface.mac.address):
        yield (
            E_IFACE_MULTICAST.code,
            f"{iface.mac.address} is a multicast MAC address",
            "mac",
            "address",
        )
    if iface.port is not None and iface.port.isolated:
        vport = getattr(iface, "virtualport", None)
        if iface.type not in ("network", "bridge", "direct"):
            yield (
                E_ISOLATED.code,
                f"<port isolated='yes'/> is not supported for type {iface.type!r}",
                "port",
                None,
            )
        elif vport is not None and vport.type == "openvswitch":
            yield (
                E_ISOLATED.code,
                "<port isolated='yes'/> is not supported with Open vSwitch",
                "port",
                None,
            )
    if (
        isinstance(iface, VhostUserInterface)
        and (iface.model is None or not iface.model.type.startswith("virtio"))
        and not (iface.backend is not None and iface.backend.type == "passt")
    ):
        yield (
            E_VHOSTUSER_MODEL.code,
            "vhost-user requires a virtio model (<model type='virtio'/>)",
            "model" if iface.model is not None else ".",
            None,
        )
    if (
        iface.teaming is not None
        and iface.teaming.type == "transient"
        and not iface.teaming.persistent
    ):
        yield E_TEAMING.code, "teaming type 'transient' needs persistent=", "teaming", None
    rom = iface.rom
    if rom is not None and rom.enabled is False and (rom.bar is not None or rom.file is not None):
        yield E_ROM.code, "ROM tuning is not supported when the ROM is disabled", "rom", None
    bw = iface.bandwidth
    if (
        bw is not None
        and bw.inbound is not None
        and bw.inbound.floor is not None
        and not isinstance(iface, NetworkInterface)
    ):
        yield (
            E_IFACE_FLOOR.code,
            "bandwidth floor is only supported for type 'network'",
            "bandwidth/inbound",
            "floor",
        )
    yield from _bandwidth(bw, "bandwidth")
    yield from _vlan(iface.vlan, "vlan")
    if not isinstance(iface, NetworkInterface):
        # a network's <virtualport> may give the type; elsewhere libvirt needs it
        vport = getattr(iface, "virtualport", None)
        yield from _virtualport_type(vport, "virtualport")
        yield from _virtualport_complete(vport, "virtualport")
    if iface.type == "bridge" and getattr(iface, "source", None) is None:
        yield E_BRIDGE_SOURCE.code, "interface type='bridge' needs <source bridge=...>", ".", None
    driver = getattr(iface, "driver", None)
    if isinstance(driver, NetDriver) and (
        iface.model is None or iface.model.type not in _VIRTIO_MODELS
    ):
        for name in ("iommu", "ats", "packed", "page_per_vq"):
            if getattr(driver, name) is not None:
                yield (
                    E_VIRTIO_OPTS.code,
                    f"driver option {name} is only for virtio models, not "
                    + (repr(iface.model.type) if iface.model is not None else "the default model"),
                    "driver",
                    name,
                )
    yield from _addresses(iface.ips, iface.routes, "")
    source = getattr(iface, "source", None)
    if isinstance(source, EthernetSource):
        yield from _addresses(source.ips, source.routes, "source/")
    for i, ip in enumerate(iface.ips):
        if ip.peer is not None and ip.peer.version != ip.address.version:
            yield (
                E_PEER.code,
                f"peer {ip.peer} is not of {ip.address}'s address family",
                _idx(iface.ips, i, "ip"),
                "peer",
            )
    if isinstance(iface, VhostUserInterface) and iface.source is not None:
        rc = iface.source.reconnect
        if rc is not None and iface.source.mode == "server":
            yield (
                E_RECONNECT.code,
                "reconnect is not supported in server mode",
                "source/reconnect",
                None,
            )
        elif rc is not None and rc.enabled and rc.timeout is None:
            yield (
                E_RECONNECT.code,
                "reconnect enabled='yes' needs a timeout",
                "source/reconnect",
                None,
            )
    passt = iface.backend is not None and iface.backend.type == "passt"
    if iface.port_forwards and not passt:
        yield (
            E_PORTFWD.code,
            "<portForward> can only be used with <backend type='passt'/>",
            _idx(iface.port_forwards, 0, "portForward"),
            None,
        )
    if passt and not isinstance(iface, (UserInterface, VhostUserInterface)):
        yield (
            E_PASST_TYPE.code,
            f"the passt backend is not supported for type {iface.type!r}",
            "backend",
            "type",
        )


def _addresses(ips: list[InterfaceIP], routes: list[Route], where: str) -> Iterator[Finding]:
    """An interface's (or its host side's) <ip> and <route> elements."""
    for i, ip in enumerate(ips):
        path = where + _idx(ips, i, "ip")
        # an interface's <ip> without family takes the address's
        if wrong := _family(ip.family, ip.address, path, absent_is_ipv4=False):
            yield wrong
        elif ip.prefix is not None and ip.prefix > ip.address.max_prefixlen:
            yield E_PREFIX.code, f"prefix {ip.prefix} is too long for {ip.address}", path, "prefix"
    for i, route in enumerate(routes):
        yield from _route(route, where + _idx(routes, i, "route"))


# ----------------------------------------------------- libvirt's network driver
#
# Checks libvirt's network driver (the one libvirtd runs on a host) makes when
# it defines a network, after the parser: the embedded test driver does not
# make them. The integration tests hold each to a real libvirtd.

E_DRIVER_DHCP = _rule("E401", "DHCP on at most one IPv4 and one IPv6 address of a network")
E_DRIVER_NO_IP = _rule(
    "E402",
    "no <ip>, <dns> records, <domain> or <mac> with forward modes bridge, private, vepa, "
    "passthrough and hostdev",
)
E_DRIVER_BANDWIDTH = _rule(
    "E403", "<bandwidth> only in nat, route, open, isolated and bridge networks"
)
E_DRIVER_VLAN = _rule(
    "E404", "<vlan> only with forward modes hostdev and passthrough, or Open vSwitch"
)
E_DRIVER_POOL = _rule(
    "E405", "a hostdev pool lists PCI addresses; other forward modes list interfaces"
)
E_DRIVER_DEFAULT_PG = _rule("E406", "at most one default portgroup")
E_DRIVER_PG_DUP = _rule("E407", "portgroup names are unique")

_NO_IP_MODES = ("bridge", *_DIRECT_MODES)
_BANDWIDTH_MODES = (*_OWN_BRIDGE_MODES, "bridge")


@network_check
def _network_driver(net: Network) -> Iterator[Finding]:
    mode = net.mode
    for version in (4, 6):
        with_dhcp = [
            i
            for i, ip in enumerate(net.ips)
            if ip.address is not None
            and ip.address.version == version
            and ip.dhcp is not None
            and (ip.dhcp.ranges or ip.dhcp.hosts)
        ]
        if len(with_dhcp) > 1:
            yield (
                E_DRIVER_DHCP.code,
                (
                    f"DHCP ranges or hosts on {len(with_dhcp)} IPv{version} addresses; libvirt "
                    f"serves DHCP on one IPv{version} address per network"
                ),
                f"{_idx(net.ips, with_dhcp[1], 'ip')}/dhcp",
                None,
            )
    if mode in _NO_IP_MODES:
        dns = net.dns
        present = [
            ("ip", bool(net.ips)),
            ("dns", dns is not None and bool(dns.hosts or dns.txts or dns.srvs)),
            ("domain", net.domain is not None),
            ("mac", net.mac is not None),
        ]
        for tag, there in present:
            if there:
                yield (
                    E_DRIVER_NO_IP.code,
                    f"<{tag}> is not supported in a network with forward mode {mode}",
                    _idx(net.ips, 0, "ip") if tag == "ip" else tag,
                    None,
                )
    if mode not in _BANDWIDTH_MODES:
        if net.bandwidth is not None:
            yield (
                E_DRIVER_BANDWIDTH.code,
                f"a network-wide <bandwidth> is not supported with forward mode {mode}",
                "bandwidth",
                None,
            )
        for i, group in enumerate(net.portgroups):
            if group.bandwidth is not None:
                yield (
                    E_DRIVER_BANDWIDTH.code,
                    (
                        f"<bandwidth> in portgroup {group.name!r} is not supported with forward "
                        f"mode {mode}"
                    ),
                    f"{_idx(net.portgroups, i, 'portgroup')}/bandwidth",
                    None,
                )
    yield from _driver_vlan(net)
    yield from _driver_pool(net)
    defaults = [i for i, pg in enumerate(net.portgroups) if pg.default]
    if len(defaults) > 1:
        yield (
            E_DRIVER_DEFAULT_PG.code,
            "only one portgroup can be the default",
            _idx(net.portgroups, defaults[1], "portgroup"),
            "default",
        )
    names: set[str] = set()
    for i, pg in enumerate(net.portgroups):
        if pg.name in names:
            yield (
                E_DRIVER_PG_DUP.code,
                f"portgroup {pg.name!r} is defined twice",
                _idx(net.portgroups, i, "portgroup"),
                "name",
            )
        names.add(pg.name)


def _has_vlan(vlan: Vlan | None) -> bool:
    return vlan is not None and bool(vlan.tags)


def _driver_vlan(net: Network) -> Iterator[Finding]:
    """Where a tag can be applied: SR-IOV pools (hostdev, passthrough) and Open vSwitch."""
    mode = net.mode
    ovs = net.virtualport is not None and net.virtualport.type == "openvswitch"
    allowed = mode in ("hostdev", "passthrough") or (mode == "bridge" and ovs)
    used = _has_vlan(net.vlan)
    bad: str | None = None
    for i, group in enumerate(net.portgroups):
        if not (used or _has_vlan(group.vlan)):
            continue
        # a portgroup's own virtualport decides for the interfaces that use it
        vport = group.virtualport
        fits = mode == "bridge" and vport.type == "openvswitch" if vport is not None else allowed
        if not fits and bad is None:
            bad = f"{_idx(net.portgroups, i, 'portgroup')}" + ("/vlan" if group.vlan else "")
    if bad is None and used and not allowed and not net.portgroups:
        bad = "vlan"
    if bad is not None:
        yield (
            E_DRIVER_VLAN.code,
            (
                f"VLAN tags need forward mode hostdev or passthrough, or an Open vSwitch bridge; "
                f"this network has forward mode {mode}"
            ),
            bad,
            None,
        )


def _driver_pool(net: Network) -> Iterator[Finding]:
    fwd = net.forward
    if fwd is None:
        return
    if fwd.mode == "hostdev":
        for i, iface in enumerate(fwd.interfaces):
            yield (
                E_DRIVER_POOL.code,
                f"a hostdev network lists its devices by PCI address, not as {iface.dev!r}",
                f"forward/{_idx(fwd.interfaces, i, 'interface')}",
                None,
            )
    elif fwd.addresses:
        yield (
            E_DRIVER_POOL.code,
            f"forward mode {fwd.mode or 'nat'} lists devices as interfaces, not PCI addresses",
            f"forward/{_idx(fwd.addresses, 0, 'address')}",
            None,
        )


# ---------------------------------------------------------------------- advice

W_BOND_MODE = _rule(
    "W301", "bridge port is a bond in mode 0, 3, 5 or 6 (only 1, 2, 4 work with VMs)"
)
W_ARPMON = _rule("W302", "bond uses ARP monitoring; MII monitoring is recommended")
W_MACVTAP = _rule("W303", "macvtap (type='direct'); a bridge is usually the better choice")
W_VF_MAC = _rule("W304", "hostdev VF without a fixed MAC address")
W_PXE = _rule("W305", "PXE boot file without <tftp root> or bootp server")
W_ROUTED = _rule("W306", "routed network: the LAN needs a route back to the VM subnet")
W_EXCLUDE = _rule("W307", "portForward exclude range removes nothing")
W_OVERLAP = _rule("W308", "host port forwarded more than once")
W_NAT_V4 = _rule("W309", "NAT network without an IPv4 address (NAT is IPv4 only)")
W_HOST_OUTSIDE = _rule(
    "W312", "static DHCP host address outside its <ip> subnet (dnsmasq never hands it out)"
)
W_HOST_DUP_IP = _rule(
    "W313", "static DHCP address reserved twice (dnsmasq ignores the second host)"
)
W_HOST_UNUSABLE = _rule(
    "W315",
    "static DHCP host address that is the network's own, network or broadcast address",
)
W_MAC_TWICE = _rule("W314", "two static DHCP addresses for one MAC (dnsmasq hands out only one)")


@network_check
def _network_advice(net: Network) -> Iterator[Finding]:
    if net.bridge is not None:
        yield from _long_name(net.bridge.name, "bridge name", "bridge", "name")
    for i, ip in enumerate(net.ips):
        bootp = ip.dhcp.bootp if ip.dhcp is not None else None
        if bootp is not None and ip.tftp is None and bootp.server is None:
            yield (
                W_PXE.code,
                (
                    f"boot file {bootp.file!r} is offered, but nothing serves it: add "
                    "<tftp root='...'/> to this <ip> or bootp server='...'"
                ),
                f"{_idx(net.ips, i, 'ip')}/dhcp/bootp",
                None,
            )
    if net.mode == "route":
        subnets = ", ".join(str(s) for ip in net.ips if (s := ip.network) is not None)
        yield (
            W_ROUTED.code,
            (
                f"routed network: systems on the LAN need a route to {subnets or 'its subnets'} "
                "via this host, or the VMs cannot be reached from outside"
            ),
            "forward",
            "mode",
        )
    if (
        net.mode == "nat"
        and net.ips
        and not any(ip.address is not None and ip.address.version == 4 for ip in net.ips)
        and not (net.forward and net.forward.nat and net.forward.nat.ipv6)
    ):
        yield (
            W_NAT_V4.code,
            "NAT applies to IPv4 only, and this network has no IPv4 address",
            "forward",
            None,
        )


#: Prefixes of the names libvirt gives tap and macvtap devices itself; a
#: definition that asks for one loses it (libvirt drops it, then picks).
_GENERATED_NAME = re.compile(r"(vnet|macvtap|macvlan)")


def _long_name(name: str | None, what: str, where: str, attribute: str) -> Iterator[Finding]:
    """W318 for a kernel device name over IFNAMSIZ - 1 bytes (a %d template is expanded)."""
    if name is not None and "%" not in name and len(name.encode()) > 15:
        yield (
            W_LONG_NAME.code,
            (
                f"{what} {name!r} is {len(name.encode())} bytes; Linux takes at most 15, so "
                "creating the device fails ('Numerical result out of range')"
            ),
            where,
            attribute,
        )


@interface_check
def _hostdev_driver(iface: Interface) -> Iterator[Finding]:

    driver = iface.driver if isinstance(iface, HostdevInterface) else None
    name = getattr(driver, "name", None)  # the virtio form also has one (qemu, vhost)
    if name is not None and name not in ("kvm", "vfio", "xen"):
        yield (
            E_HOSTDEV_DRIVER.code,
            (
                f"driver name {name!r}: a hostdev interface's driver is how the device is "
                "assigned: kvm, vfio or xen"
            ),
            "driver",
            "name",
        )


@interface_check
def _device_names(iface: Interface) -> Iterator[Finding]:
    target = iface.target
    if target is None:
        return
    if target.managed is False and iface.type != "ethernet":
        yield (
            E_UNMANAGED_TARGET.code,
            f"an unmanaged target (managed='no') is only for ethernet interfaces, not {iface.type}",
            "target",
            "managed",
        )
    if _GENERATED_NAME.match(target.dev):
        yield (
            W_GENERATED_NAME.code,
            (
                f"target dev {target.dev!r} looks like a name libvirt generates; libvirt drops "
                "it from a definition and picks its own when the guest starts"
            ),
            "target",
            "dev",
        )
    yield from _long_name(target.dev, "target dev", "target", "dev")


@interface_check
def _interface_advice(iface: Interface) -> Iterator[Finding]:

    if isinstance(iface, DirectInterface):
        yield (
            W_MACVTAP.code,
            (
                "macvtap has suboptimal performance, is harder to set up, and the host cannot "
                "reach the guest through it; unless you need macvtap, use a bridge "
                "(<interface type='bridge'>) or a libvirt network"
            ),
            ".",
            "type",
        )
    if isinstance(iface, HostdevInterface) and iface.mac is None:
        yield (
            W_VF_MAC.code,
            (
                "no <mac address=...>: the VF gets a new MAC at every start and guest network "
                "settings may need reconfiguring; set a fixed MAC"
            ),
            ".",
            None,
        )
    for i, fwd in enumerate(iface.port_forwards):
        yield from _forward_advice(fwd, _idx(iface.port_forwards, i, "portForward"))
    yield from _overlapping_forwards(iface)


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
            W_OVERLAP.code,
            f"{fwd.proto} port {port} is already forwarded by portForward {earlier + 1}",
            _idx(iface.port_forwards, i, "portForward"),
            None,
        )


def _forward_advice(fwd: PortForward, where: str) -> Iterator[Finding]:
    included = port_union(
        [(r.start, r.end if r.end is not None else r.start) for r in fwd.ranges if not r.exclude]
    )
    starts = [first for first, _ in included]
    for j, rng in enumerate(fwd.ranges):
        last = rng.end if rng.end is not None else rng.start
        # the included run that begins at or before the exclude's end
        at = bisect.bisect_right(starts, last) - 1
        overlaps = at >= 0 and included[at][1] >= rng.start
        if rng.exclude and not overlaps:
            end = f"-{rng.end}" if rng.end is not None else ""
            yield (
                W_EXCLUDE.code,
                (
                    f"exclude range {rng.start}{end} removes nothing: no other range of this "
                    "portForward covers it"
                ),
                f"{where}/{_idx(fwd.ranges, j, 'range')}",
                None,
            )


# ----------------------------------------------------- libvirt's QEMU driver
#
# Checks libvirt's QEMU driver makes when it defines a domain, beyond the
# parser (qemuValidateDomainDeviceDefNetwork): a <domain type='kvm'> or
# type='qemu' gets them; other drivers (LXC sets guest addresses, for one)
# and interfaces seen without their domain do not. The integration tests
# hold each to a real libvirtd's QEMU driver.

_QEMU_CHECKS: list[Check] = []
QEMU_DOMAIN_TYPES = frozenset({"kvm", "qemu"})

E_QEMU_GUEST_IP = _rule(
    "E501", "QEMU: guest-side <ip> and <route> only on user (and vdpa) interfaces"
)
E_QEMU_USER_IP = _rule(
    "E502",
    "QEMU user networking: no route or peer, one address per family, IPv4 prefix 4 to 27, "
    "IPv6 prefix 64",
)
E_QEMU_VDPA_MODEL = _rule("E503", "QEMU: a vdpa interface's model is virtio")
E_QEMU_QUEUE_SIZE = _rule("E504", "QEMU: virtio rx_queue_size and tx_queue_size are powers of two")
E_QEMU_MTU = _rule(
    "E505", "QEMU: <mtu> only on network, bridge, ethernet, vhostuser and passt interfaces"
)
E_QEMU_TEAMING = _rule(
    "E506", "QEMU: teaming persistent needs a virtio model; transient is hostdev or network"
)
E_QEMU_COALESCE = _rule("E507", "QEMU: <coalesce> only on network and bridge interfaces")
E_QEMU_ROM = _rule("E508", "QEMU: <rom> options only for a NIC on a PCI address")

#: What qemuDomainNetSupportsMTU takes (type='user' only with the passt backend).
_QEMU_MTU_TYPES = frozenset({"network", "bridge", "ethernet", "vhostuser"})


def qemu_check(fn: Check) -> Check:
    _QEMU_CHECKS.append(fn)
    return fn


@qemu_check
def _qemu_addresses(iface: Interface) -> Iterator[Finding]:
    if iface.type == "user":
        yield from _qemu_user_addresses(iface)
    elif iface.type != "vdpa" and (iface.ips or iface.routes):
        where = _idx(iface.ips, 0, "ip") if iface.ips else _idx(iface.routes, 0, "route")
        message = (
            "libvirt's QEMU driver cannot set guest-side addresses or routes on a "
            f"type={iface.type!r} interface (only type='user' takes an <ip>)"
        )
        yield E_QEMU_GUEST_IP.code, message, where, None


def _qemu_user_addresses(iface: Interface) -> Iterator[Finding]:
    if iface.routes:
        yield (
            E_QEMU_USER_IP.code,
            "libvirt's QEMU driver cannot set guest-side routes on a type='user' interface",
            _idx(iface.routes, 0, "route"),
            None,
        )
    seen: set[int] = set()
    for i, ip in enumerate(iface.ips):
        path = _idx(iface.ips, i, "ip")
        version = ip.address.version
        if ip.peer is not None:
            yield E_QEMU_USER_IP.code, "user networking takes no peer address", path, "peer"
        if version in seen:
            yield (
                E_QEMU_USER_IP.code,
                f"user networking takes one IPv{version} address per interface",
                path,
                None,
            )
        seen.add(version)
        if version == 4 and ip.prefix and not 4 <= ip.prefix <= 27:
            yield (
                E_QEMU_USER_IP.code,
                f"user networking takes an IPv4 prefix from 4 to 27, not {ip.prefix}",
                path,
                "prefix",
            )
        if version == 6 and ip.prefix and ip.prefix != 64:
            yield (
                E_QEMU_USER_IP.code,
                f"user networking takes an IPv6 prefix of 64, not {ip.prefix}",
                path,
                "prefix",
            )


@qemu_check
def _qemu_devices(iface: Interface) -> Iterator[Finding]:

    model = iface.model.type if iface.model is not None else None
    if iface.type == "vdpa" and model is not None and model != "virtio":
        yield (
            E_QEMU_VDPA_MODEL.code,
            f"a vdpa interface takes model 'virtio', not {model!r}",
            "model",
            "type",
        )
    driver = getattr(iface, "driver", None)
    if isinstance(driver, NetDriver) and model in _VIRTIO_MODELS:
        for name in ("rx_queue_size", "tx_queue_size"):
            size = getattr(driver, name)
            if size is not None and size & (size - 1):
                yield E_QEMU_QUEUE_SIZE.code, f"{name} {size} is not a power of two", "driver", name
    passt = iface.backend is not None and iface.backend.type == "passt"
    if iface.mtu is not None and not (
        iface.type in _QEMU_MTU_TYPES or (iface.type == "user" and passt)
    ):
        yield (
            E_QEMU_MTU.code,
            f"libvirt's QEMU driver cannot set the MTU of a type={iface.type!r} interface",
            "mtu",
            None,
        )
    teaming = iface.teaming
    persistent = teaming is not None and teaming.type == "persistent"
    if persistent and model is not None and model not in _VIRTIO_MODELS:
        message = f"a teaming persistent interface needs a virtio model, not {model!r}"
        yield E_QEMU_TEAMING.code, message, "model", "type"
    transient = teaming is not None and teaming.type == "transient"
    if transient and iface.type not in ("hostdev", "network"):
        message = (
            "a teaming transient interface is type='hostdev' (or a network of VFs), "
            f"not {iface.type!r}"
        )
        yield E_QEMU_TEAMING.code, message, "teaming", "type"
    if iface.coalesce is not None and iface.type not in ("network", "bridge"):
        yield (
            E_QEMU_COALESCE.code,
            f"libvirt's QEMU driver takes no <coalesce> on a type={iface.type!r} interface",
            "coalesce",
            None,
        )
    rom, address = iface.rom, iface.address
    tuned = rom is not None and (rom.enabled is not None or rom.bar is not None or rom.file)
    if tuned and address is not None and not isinstance(address, (PciAddress, UnassignedAddress)):
        message = (
            "ROM tuning is only for PCI devices; this NIC has a "
            f"type={address.__xml_const__[0][1]!r} address"
        )
        yield E_QEMU_ROM.code, message, "rom", None


def host_check(fn: Check) -> Check:
    _HOST_CHECKS.append(fn)
    return fn


E_HOST_NO_NAME = _rule(
    "E259", "a host interface needs a name (the schema lets a vlan one go without)"
)


@host_check
def _host_names(host: HostInterface) -> Iterator[Finding]:

    # every kind of host interface has a name; the base class does not declare it
    yield from _long_name(getattr(host, "name", None), "interface name", ".", "name")

    # every other type has name= as a required field already
    if isinstance(host, VlanHostInterface) and host.name is None:
        yield E_HOST_NO_NAME.code, "the vlan interface has no name", ".", None
    if isinstance(host, BridgeHostInterface):
        for i, port in enumerate(host.bridge.interfaces):
            if isinstance(port, VlanHostInterface) and port.name is None:
                where = f"bridge/{_idx(host.bridge.interfaces, i, 'interface')}"
                yield E_HOST_NO_NAME.code, "a vlan bridge port has no name", where, None


@host_check
def _host_advice(host: HostInterface) -> Iterator[Finding]:

    if isinstance(host, BridgeHostInterface):
        for i, port in enumerate(host.bridge.interfaces):
            if isinstance(port, BondHostInterface):
                where = f"bridge/{_idx(host.bridge.interfaces, i, 'interface')}"
                number = port.bond.mode_number
                if number not in (1, 2, 4):
                    yield W_BOND_MODE.code, port.bridge_advice()[0], f"{where}/bond", "mode"
                if port.bond.arpmon is not None:
                    yield W_ARPMON.code, port.monitoring_advice()[0], f"{where}/bond/arpmon", None
    elif isinstance(host, BondHostInterface) and host.bond.arpmon is not None:
        yield W_ARPMON.code, host.monitoring_advice()[0], "bond/arpmon", None


# ---------------------------------------------------------------------- running


def _locate(
    element: Any, rel: str, attribute: str | None, elements: ElementsByPath
) -> tuple[str, int | None]:
    """The path and line of what a finding names, ``rel`` being relative to ``element``."""
    path = elements.base
    target = element
    if rel not in ("", "."):
        path = f"{path}/{rel}"
        found, exact = elements.get(path)
        if found is not None:
            target = found
            if not exact:
                path = element_path(found)
    return (f"{path}/@{attribute}" if attribute else path), target.sourceline


def check_model(
    model: Model, element: Any, domain_type: str | None = None, paths: PathCache | None = None
) -> list[Problem]:
    """Define-time errors and advice for one parsed network or interface.

    ``domain_type`` is the ``type`` of the domain an interface is in, when
    it is in one: ``kvm`` and ``qemu`` add the QEMU driver's checks (E5xx).
    ``paths`` is the document's :class:`~virtnetlib._core.xml.PathCache`, shared by
    the interfaces of one domain.
    """
    if isinstance(model, Network):
        checks = _NETWORK_CHECKS
    elif isinstance(model, Interface):
        checks = _INTERFACE_CHECKS
        if domain_type in QEMU_DOMAIN_TYPES:
            checks = checks + _QEMU_CHECKS
    elif isinstance(model, HostInterface):
        checks = _HOST_CHECKS
    else:
        return []
    out: list[Problem] = []
    elements = ElementsByPath(element, paths)
    for check in checks:
        for code, message, rel, attribute in check(model):
            path, line = _locate(element, rel, attribute, elements)
            out.append(Problem(RULES[code].severity, code, message, line, path))
    return out


def check_domain(root: Any) -> list[Problem]:
    """Checks across the devices of a whole domain (boot order, hostdev sources, aliases)."""

    def hostdev(addr: Any) -> str:
        return "|".join(f"{k}={addr.get(k)}" for k in sorted(addr.attrib))

    def pci_slot(address: Any) -> str | None:
        # as libvirt reads it; no slot: libvirt picks a free one
        try:
            pci = parse_root(PciAddress, address, strict=True)
        except ParseError:
            return None  # the interface's own checks say what is wrong
        if pci.slot is None:
            return None
        full = attrs.evolve(pci, domain=pci.domain or 0, bus=pci.bus or 0)
        return str(attrs.evolve(full, function=pci.function or 0))

    def user_alias(alias: Any) -> str | None:
        # libvirt keeps only user aliases ("ua-" names) in a definition
        name: str | None = alias.get("name")
        return name if name is not None and name.startswith("ua-") else None

    return [
        *_repeated(
            root.iterfind("devices//boot"),
            lambda boot: boot.get("order"),
            E_BOOT_DUP,
            "boot order {} is used by more than one device",
            "/@order",
        ),
        *_repeated(
            root.iterfind("devices/interface[@type='hostdev']/source/address"),
            hostdev,
            E_HOSTDEV_DUP,
            "this host device is already assigned to the domain",
            "",
        ),
        *_repeated(
            root.iterfind("devices/*/alias"),
            user_alias,
            E_ALIAS_DUP,
            "alias {!r} already names another device of the domain",
            "/@name",
        ),
        *_repeated(
            root.iterfind("devices/*/address[@type='pci']"),
            pci_slot,
            E_PCI_DUP,
            "PCI address {} is already used by another device; libvirt's QEMU driver "
            "refuses the domain ('Attempted double use of PCI Address')",
            "",
        ),
        *_repeated(
            root.iterfind("devices/interface/mac"),
            lambda mac: (mac.get("address") or "").lower() or None,
            W_MAC_DUP,
            "MAC address {} is already used by another interface of this domain; on one "
            "network the two would take each other's traffic",
            "/@address",
        ),
    ]


def _repeated(
    elements: Iterable[Any],
    key: Callable[[Any], str | None],
    rule: Rule,
    message: str,
    suffix: str,
) -> Iterator[Problem]:
    """A problem for each element whose ``key`` an earlier one had (``None``: not counted)."""
    seen: set[str] = set()
    for el in elements:
        value = key(el)
        if value is None:
            continue
        if value in seen:
            yield Problem(
                rule.severity,
                rule.code,
                message.format(value),
                el.sourceline,
                element_path(el) + suffix,
            )
        seen.add(value)
