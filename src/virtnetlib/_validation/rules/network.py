"""Checks libvirt's network XML parser makes (``src/conf/network_conf.c``), E2xx on networks.

virNetworkDefParseXML reads a ``<network>`` and calls one function per
element: virNetworkIPDefParseXML for each ``<ip>``, which calls
virNetworkDHCPDefParseXML for its ``<dhcp>`` (ranges, static hosts, bootp),
virNetworkForwardDefParseXML for ``<forward>``, virNetworkDNSDefParseXML for
``<dns>``. Each rule names the one that makes its check. The test suite
holds every rule to libvirt's test driver.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any

from virtnetlib._core.converters import IPAddress
from virtnetlib._models.network import Lease, Network, NetworkIP, netmask_prefix
from virtnetlib._validation.rules.common import family, multicast, route
from virtnetlib._validation.rules.engine import Finding, at, rule

# Forward modes by what connects the guests: a bridge libvirt makes (and
# serves addresses on), a host bridge it is given, or host devices directly.
OWN_BRIDGE_MODES = ("nat", "route", "open", "isolated")
DIRECT_MODES = ("passthrough", "private", "vepa", "hostdev")


@rule(
    "E201",
    "a network name may not contain '/'",
    on=Network,
    libvirt="virNetworkDefParseXML",
)
def _name(net: Network) -> Iterator[Finding]:
    if net.name and "/" in net.name:
        yield "E201", f"invalid character '/' in network name {net.name!r}", "name", None


# ------------------------------------------------------------------- <ip>


@rule(
    "E211",
    "an <ip> needs an address",
    on=Network,
    libvirt="virNetworkIPDefParseXML",
)
@rule(
    "E213",
    "family must match the address",
    on=Network,
    libvirt="virNetworkIPDefParseXML",
)
@rule(
    "E212",
    "netmask is not allowed for an IPv6 address",
    on=Network,
    libvirt="virNetworkIPDefParseXML",
)
@rule(
    "E214",
    "prefix must fit the address family",
    on=Network,
    libvirt="virNetworkIPDefParseXML",
)
@rule(
    "E210",
    "<tftp> is not supported on an IPv6 <ip>",
    on=Network,
    libvirt="virNetworkIPDefParseXML",
)
def _ip_addresses(net: Network) -> Iterator[Finding]:
    for i, ip in enumerate(net.ips):
        where = at(net, "ips", i)
        if ip.address is None:
            yield "E211", "<ip> has no address", where, None
            continue
        v6 = ip.address.version == 6
        if wrong := family(ip.family, ip.address, where, absent_is_ipv4=True):
            yield wrong
        if v6 and ip.netmask is not None:
            yield (
                "E212",
                f"netmask is not allowed for IPv6 address {ip.address}",
                where,
                "netmask",
            )
        if ip.prefix is not None and ip.prefix > (128 if v6 else 32):
            yield "E214", f"prefix {ip.prefix} is too long for {ip.address}", where, "prefix"
        if v6 and ip.tftp is not None:
            yield "E210", "<tftp> is not supported in an IPv6 <ip>", f"{where}/tftp", None


def dhcp_child(net: Network, i: int, field: str, j: int) -> str:
    """The path of item ``j`` of ``field`` of the ``<dhcp>`` of ``<ip>`` ``i``
    (``ip[2]/dhcp/host[5]``); made only for a finding, of a million hosts."""
    dhcp = net.ips[i].dhcp
    assert dhcp is not None
    return f"{at(net, 'ips', i)}/dhcp/{at(dhcp, field, j)}"


def dhcp_ips(net: Network) -> Iterator[tuple[int, NetworkIP, Any]]:
    """(index, ip, its address) of each ``<ip>`` with an address and a ``<dhcp>``,
    the ones virNetworkDHCPDefParseXML reads."""
    for i, ip in enumerate(net.ips):
        if ip.address is not None and ip.dhcp is not None:
            yield i, ip, ip.address


@rule(
    "E255",
    "DHCP ranges need a netmask that is ones then zeros",
    on=Network,
    libvirt=("virNetworkDHCPRangeDefParseXML", "virSocketAddrGetRange"),
    note="`virNetworkIPDefPrefix` has no prefix for such a netmask",
)
@rule(
    "E204",
    "a DHCP range must be of its <ip>'s address family",
    on=Network,
    libvirt="virSocketAddrGetRange",
)
@rule(
    "E203",
    "a DHCP range must lie inside its <ip> subnet",
    on=Network,
    libvirt="virSocketAddrGetRange",
)
@rule(
    "E202",
    "a DHCP range must not be reversed",
    on=Network,
    libvirt="virSocketAddrGetRange",
)
@rule(
    "E263",
    "a DHCP or NAT address range holds at most 65535 addresses",
    on=Network,
    libvirt="virSocketAddrGetRange",
)
@rule(
    "E205",
    "an IPv4 DHCP range may not start at the network or end at the broadcast address",
    on=Network,
    libvirt="virSocketAddrGetRange",
)
def _dhcp_ranges(net: Network) -> Iterator[Finding]:
    # virNetworkDHCPRangeDefParseXML has virSocketAddrGetRange check each
    # range against its <ip>, in this order
    for i, ip, address in dhcp_ips(net):
        dhcp = ip.dhcp
        assert dhcp is not None
        where = at(net, "ips", i)
        subnet = ip.network
        if dhcp.ranges and ip.netmask is not None and netmask_prefix(ip.netmask) is None:
            yield (
                "E255",
                f"netmask {ip.netmask} is not ones then zeros, so the DHCP ranges have no subnet",
                where,
                "netmask",
            )
        for j, rng in enumerate(dhcp.ranges):
            rpath = dhcp_child(net, i, "ranges", j)
            if rng.start.version != address.version or rng.end.version != address.version:
                yield (
                    "E204",
                    f"range {rng.start} - {rng.end} is not in {address}'s address family",
                    rpath,
                    None,
                )
                continue
            # in libvirt's order: a range both outside and reversed is 'outside'
            if subnet is not None and (rng.start not in subnet or rng.end not in subnet):
                yield (
                    "E203",
                    (
                        f"range {rng.start} - {rng.end} is not entirely within {address}/"
                        f"{subnet.prefixlen}"
                    ),
                    rpath,
                    None,
                )
                continue
            if int(rng.start) > int(rng.end):
                yield "E202", f"range {rng.start} - {rng.end} is reversed", rpath, None
                continue
            yield from range_size(rng.start, rng.end, rpath)
            if subnet is not None and address.version == 4 and subnet.prefixlen < 31:
                if rng.start == subnet.network_address:
                    yield (
                        "E205",
                        f"range start {rng.start} is the network address",
                        rpath,
                        "start",
                    )
                if rng.end == subnet.broadcast_address:
                    yield "E205", f"range end {rng.end} is the broadcast address", rpath, "end"


def range_size(start: IPAddress, end: IPAddress, where: str) -> Iterator[Finding]:
    """E263 for a range of more than 65535 addresses (virSocketAddrGetRange)."""
    count = int(end) - int(start) + 1
    if count > 65535:
        yield (
            "E263",
            f"range {start} - {end} holds {count} addresses, more than libvirt's 65535",
            where,
            None,
        )


@rule(
    "E207",
    "a static host needs an ip",
    on=Network,
    libvirt="virNetworkDHCPHostDefParseXML",
)
@rule(
    "E206",
    "an IPv4 static host needs mac or name",
    on=Network,
    libvirt="virNetworkDHCPHostDefParseXML",
)
@rule(
    "E208",
    "an IPv6 static host may not have a mac",
    on=Network,
    libvirt="virNetworkDHCPHostDefParseXML",
)
@rule(
    "E209",
    "MAC addresses must be unicast",
    on=Network,
    libvirt="virNetworkDHCPHostDefParseXML",
)
@rule(
    "E231",
    "a DHCP host name must start with a letter or a digit",
    on=Network,
    libvirt="virNetworkDHCPHostDefParseXML",
)
def _static_hosts(net: Network) -> Iterator[Finding]:
    # A network may hold a million hosts: a host's path is made only for a finding.
    for i, ip, address in dhcp_ips(net):
        dhcp = ip.dhcp
        assert dhcp is not None
        v6 = address.version == 6
        for j, host in enumerate(dhcp.hosts):
            mac = host.mac
            if host.ip is None:
                yield "E207", "static host has no ip", dhcp_child(net, i, "hosts", j), None
            if not v6 and mac is None and host.name is None:
                yield (
                    "E206",
                    "IPv4 static host needs a mac or a name",
                    dhcp_child(net, i, "hosts", j),
                    None,
                )
            if mac is not None:
                if v6:
                    yield (
                        "E208",
                        (
                            f"MAC address {mac} is not allowed in an IPv6 "
                            "static host (use id= with a DUID, or name=)"
                        ),
                        dhcp_child(net, i, "hosts", j),
                        "mac",
                    )
                if int(mac[:2], 16) & 1:
                    yield (
                        "E209",
                        f"{mac} is a multicast MAC address",
                        dhcp_child(net, i, "hosts", j),
                        "mac",
                    )
            name = host.name
            if name is not None and not (name[:1].isascii() and name[:1].isalnum()):
                yield (
                    "E231",
                    f"host name {name!r} does not start with a letter or a digit",
                    dhcp_child(net, i, "hosts", j),
                    "name",
                )


@rule(
    "E236",
    "a DHCP lease lasts at least 2 minutes (0: forever)",
    on=Network,
    libvirt="virNetworkDHCPLeaseTimeDefParseXML",
)
def _leases(net: Network) -> Iterator[Finding]:
    for i, ip, _ in dhcp_ips(net):
        dhcp = ip.dhcp
        assert dhcp is not None
        for j, rng in enumerate(dhcp.ranges):
            # a range of the wrong family, outside or reversed is not read further
            if rng.lease is not None and _range_ok(ip, rng.start, rng.end):
                yield from _lease(rng.lease, f"{dhcp_child(net, i, 'ranges', j)}/lease")
        for j, host in enumerate(dhcp.hosts):
            if host.lease is not None:
                yield from _lease(host.lease, f"{dhcp_child(net, i, 'hosts', j)}/lease")


def _range_ok(ip: NetworkIP, start: IPAddress, end: IPAddress) -> bool:
    """Whether :func:`_dhcp_ranges` reads on to the range's lease (E204, E203, E202 stop it)."""
    address = ip.address
    assert address is not None
    if start.version != address.version or end.version != address.version:
        return False
    subnet = ip.network
    if subnet is not None and (start not in subnet or end not in subnet):
        return False
    return int(start) <= int(end)


def _lease(lease: Lease, where: str) -> Iterator[Finding]:
    if 0 < lease.seconds < 120:
        unit = lease.unit or "minutes"
        shown = unit[:-1] if lease.expiry == 1 else unit
        yield (
            "E236",
            f"a lease of {lease.expiry} {shown} is shorter than 2 minutes (0 means forever)",
            where,
            "expiry",
        )


@rule(
    "E254",
    "a bootp server is an IP address",
    on=Network,
    libvirt="virNetworkDHCPDefParseXML",
)
def _bootp(net: Network) -> Iterator[Finding]:
    for i, ip, _ in dhcp_ips(net):
        assert ip.dhcp is not None
        bootp = ip.dhcp.bootp
        if bootp is not None and bootp.server is not None and not _is_ip(bootp.server):
            yield (
                "E254",
                (
                    f"bootp server {bootp.server!r} is not an IP address (libvirt does not "
                    "resolve host names here)"
                ),
                f"{at(net, 'ips', i)}/dhcp/bootp",
                "server",
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


# -------------------------------------------------------------- <forward>


@rule(
    "E215",
    "nat, route and open networks need an <ip>",
    on=Network,
    libvirt="virNetworkDefParseXML",
    note="libvirt 11.3 refuses nat and route only; 9.0 refused open too",
)
@rule(
    "E229",
    "forward dev and forward interfaces are not allowed with mode open",
    on=Network,
    libvirt="virNetworkDefParseXML",
)
@rule(
    "E223",
    "nat and route networks take only one forward interface",
    on=Network,
    libvirt="virNetworkDefParseXML",
)
def _forward_mode(net: Network) -> Iterator[Finding]:
    mode = net.mode
    fwd = net.forward
    if mode in ("nat", "route", "open") and not net.ips:
        yield "E215", f"{mode} forwarding requested, but the network has no <ip>", "forward", None
    if fwd is None:
        return
    if mode == "open" and fwd.dev is not None:
        yield "E229", "forward dev is not allowed with mode open", "forward", "dev"
    elif mode == "open" and fwd.interfaces:
        yield (
            "E229",
            "forward interfaces are not allowed with mode open",
            f"forward/{at(fwd, 'interfaces')}",
            None,
        )
    if mode in ("nat", "route") and len(fwd.interfaces) > 1:
        yield (
            "E223",
            f"{len(fwd.interfaces)} forward interfaces given; {mode} networks support one",
            "forward",
            None,
        )


@rule(
    "E224",
    "<nat> only with forward mode nat",
    on=Network,
    libvirt="virNetworkForwardNatDefParseXML",
)
@rule(
    "E225",
    "NAT address and port ranges must not be reversed",
    on=Network,
    libvirt=("virNetworkForwardNatDefParseXML", "virSocketAddrGetRange"),
)
@rule("E263", on=Network, libvirt="virNetworkForwardNatDefParseXML")
def _nat(net: Network) -> Iterator[Finding]:
    nat = net.forward.nat if net.forward is not None else None
    if nat is None:
        return
    if net.mode != "nat":
        yield "E224", f"<nat> is only for forward mode nat, not {net.mode}", "forward/nat", None
    addr, port = nat.address, nat.port
    if addr is not None and int(addr.start) > int(addr.end):
        yield (
            "E225",
            f"NAT address range {addr.start} - {addr.end} is reversed",
            "forward/nat/address",
            None,
        )
    elif addr is not None:
        yield from range_size(addr.start, addr.end, "forward/nat/address")
    if port is not None and port.start > port.end:
        yield (
            "E225",
            f"NAT port range {port.start} - {port.end} is reversed",
            "forward/nat/port",
            "end",
        )


@rule(
    "E266",
    "forward dev= is not allowed beside <address> or <pf> children",
    on=Network,
    libvirt="virNetworkForwardDefParseXML",
)
@rule(
    "E222",
    "<forward dev> must match the first <interface dev>",
    on=Network,
    libvirt="virNetworkForwardDefParseXML",
)
@rule(
    "E230",
    "a device may be listed only once in a forward pool",
    on=Network,
    libvirt="virNetworkForwardDefParseXML",
)
def _forward_pool(net: Network) -> Iterator[Finding]:
    fwd = net.forward
    if fwd is None:
        return
    if fwd.dev is not None and (fwd.addresses or fwd.pf is not None):
        yield (
            "E266",
            (
                "forward dev= cannot be used with <address> or <pf> in <forward>: the "
                "pool of devices is named one way only"
            ),
            "forward",
            "dev",
        )
    if fwd.dev is not None and fwd.interfaces and fwd.interfaces[0].dev != fwd.dev:
        yield (
            "E222",
            (
                f"<forward dev='{fwd.dev}'> must match the first <interface dev='"
                f"{fwd.interfaces[0].dev}'/>"
            ),
            "forward",
            "dev",
        )
    seen: set[str] = set()
    for i, iface in enumerate(fwd.interfaces):
        if iface.dev in seen:
            yield (
                "E230",
                f"interface {iface.dev!r} is listed twice",
                f"forward/{at(fwd, 'interfaces', i)}",
                "dev",
            )
        seen.add(iface.dev)
    pci: set[str] = set()
    for i, device in enumerate(fwd.addresses):
        key = str(device)
        if key in pci:
            yield (
                "E230",
                f"PCI device {key} is listed twice",
                f"forward/{at(fwd, 'addresses', i)}",
                None,
            )
        pci.add(key)


# --------------------------------------------------------------- <bridge>


@rule(
    "E262",
    "bridge macTableManager only in nat, route, open, isolated and bridge networks",
    on=Network,
    libvirt="virNetworkDefParseXML",
)
@rule(
    "E232",
    "no bridge name with forward modes passthrough, private, vepa and hostdev; "
    "with mode bridge, a bridge name or forward devices, not both",
    on=Network,
    libvirt="virNetworkDefParseXML",
)
def _bridge_name(net: Network) -> Iterator[Finding]:
    mode = net.mode
    bridge, fwd = net.bridge, net.forward
    if bridge is None or fwd is None:
        return
    if bridge.mac_table_manager is not None and mode in DIRECT_MODES:
        yield (
            "E262",
            f"macTableManager is not allowed in {mode} mode",
            "bridge",
            "macTableManager",
        )
    if bridge.name is None:
        return
    if mode in DIRECT_MODES:
        yield "E232", f"a bridge name is not allowed in {mode} mode", "bridge", "name"
    elif mode == "bridge" and (fwd.dev is not None or fwd.interfaces or fwd.pf is not None):
        yield (
            "E232",
            "forward mode bridge takes a bridge name or forward devices, not both",
            "bridge",
            "name",
        )


@rule(
    "E221",
    "stp, delay, zone and mtu only for nat, route, open or isolated networks",
    on=Network,
    libvirt="virNetworkDefParseXML",
)
def _bridge_options(net: Network) -> Iterator[Finding]:
    mode = net.mode
    if mode in OWN_BRIDGE_MODES:
        return
    bridge = net.bridge
    # as libvirt tests them: stp and zone when given, delay when not 0
    if bridge is not None and (bridge.stp is not None or bridge.delay or bridge.zone is not None):
        yield (
            "E221",
            f"bridge stp, delay and zone are only for nat, route and isolated networks, not {mode}",
            "bridge",
            None,
        )
    if net.mtu is not None:
        yield (
            "E221",
            f"mtu is only for open, route, nat and isolated networks, not {mode}",
            "mtu",
            None,
        )


# ------------------------------------------------------------------ <dns>

# Characters libvirt accepts in a DNS SRV service name, and its length limit
# (a DNS record of 512 bytes less the rest of the SRV record).
_SRV_SERVICE = re.compile(r"[A-Za-z0-9_+/*-]{0,482}\Z")


@rule(
    "E217",
    "a disabled <dns> may hold nothing else",
    on=Network,
    libvirt="virNetworkDNSDefParseXML",
)
@rule(
    "E233",
    "a DNS forwarder needs addr or domain",
    on=Network,
    libvirt="virNetworkDNSDefParseXML",
)
def _dns(net: Network) -> Iterator[Finding]:
    dns = net.dns
    if dns is None:
        return
    # (forwardPlainNames is not data: libvirt takes it on a disabled <dns>)
    if dns.enable is False and (dns.forwarders or dns.txts or dns.srvs or dns.hosts):
        yield "E217", "extra data in a disabled <dns enable='no'>", "dns", None
    for i, fwd in enumerate(dns.forwarders):
        if fwd.addr is None and fwd.domain is None:
            yield (
                "E233",
                "a <forwarder> needs addr, domain or both",
                f"dns/{at(dns, 'forwarders', i)}",
                None,
            )


@rule(
    "E235",
    "a DNS SRV service is at most 482 letters, digits and _ - + / * characters",
    on=Network,
    libvirt="virNetworkDNSSrvDefParseXML",
)
@rule(
    "E234",
    "a DNS SRV record's port, priority and weight need a target",
    on=Network,
    libvirt="virNetworkDNSSrvDefParseXML",
)
def _dns_srvs(net: Network) -> Iterator[Finding]:
    if net.dns is None:
        return
    for i, srv in enumerate(net.dns.srvs):
        where = f"dns/{at(net.dns, 'srvs', i)}"
        if srv.service is not None and not _SRV_SERVICE.match(srv.service):
            yield (
                "E235",
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
                    yield "E234", f"{name} without a target", where, name


# ---------------------------------------------------- <mac>, <bandwidth>, <route>


@rule("E209", on=Network, libvirt="virNetworkDefParseXML")
def _bridge_mac(net: Network) -> Iterator[Finding]:
    if net.mac is not None and multicast(net.mac.address):
        yield "E209", f"{net.mac.address} is a multicast MAC address", "mac", "address"


@rule(
    "E219",
    "bandwidth floor is only for interfaces on a network",
    on=Network,
    libvirt="virNetDevBandwidthParseRate",
    note="`virNetworkDefParseXML` allows no floor",
)
def _network_floor(net: Network) -> Iterator[Finding]:
    bw = net.bandwidth
    if bw is not None and bw.inbound is not None and bw.inbound.floor is not None:
        # (an outbound floor is refused everywhere: E265)
        yield "E219", "bandwidth floor is not supported on a network", "bandwidth", None


@rule("E213", on=Network, libvirt="virNetDevIPRouteCreate")
@rule("E214", on=Network, libvirt="virNetDevIPRouteCreate")
@rule(
    "E228",
    "a static route's address must be a network address",
    on=Network,
    libvirt="virNetDevIPRouteCreate",
)
@rule(
    "E227",
    "a static route's gateway must be reachable through an <ip>",
    on=Network,
    libvirt="virNetworkDefParseXML",
)
def _routes(net: Network) -> Iterator[Finding]:
    if not net.routes:
        return
    subnets = [s for ip in net.ips if (s := ip.network) is not None]
    for i, rt in enumerate(net.routes):
        where = at(net, "routes", i)
        yield from route(rt, where)
        if subnets and not any(rt.gateway in s for s in subnets if s.version == rt.gateway.version):
            yield (
                "E227",
                f"gateway {rt.gateway} is not reachable through any <ip> of the network",
                where,
                "gateway",
            )
