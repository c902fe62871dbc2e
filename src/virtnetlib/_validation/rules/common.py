"""Checks of the elements networks and interfaces share: bandwidth, VLAN, virtualport, routes.

libvirt parses each with one function wherever it appears
(``src/conf/netdev_bandwidth_conf.c``, ``netdev_vlan_conf.c``,
``netdev_vport_profile_conf.c``, ``networkcommon_conf.c``), so each rule
here is checked on networks, their portgroups and interfaces alike.
"""

from __future__ import annotations

from collections.abc import Iterator

from virtnetlib._core.converters import IPAddress
from virtnetlib._models.common import Bandwidth, Route, VirtualPort, Vlan
from virtnetlib._models.interface import Interface, NetworkInterface
from virtnetlib._models.network import Network, netmask_prefix, subnet_of
from virtnetlib._validation.rules.engine import Finding, at, rule


@rule(
    "E237",
    "bandwidth inbound and outbound need average (or just floor); peak and burst need average",
    on=(Network, Interface),
    libvirt="virNetDevBandwidthParseRate",
)
@rule(
    "E265",
    "bandwidth floor only in <inbound>, never in <outbound>",
    on=(Network, Interface),
    libvirt="virNetDevBandwidthParse",
    note="it parses <outbound> with floor refused",
)
def _bandwidths(model: Network | Interface) -> Iterator[Finding]:
    yield from _bandwidth(model.bandwidth, "bandwidth")
    if isinstance(model, Network):
        for i, group in enumerate(model.portgroups):
            yield from _bandwidth(group.bandwidth, f"{at(model, 'portgroups', i)}/bandwidth")


def _bandwidth(bw: Bandwidth | None, where: str) -> Iterator[Finding]:
    if bw is None:
        return
    for name, rate in (("inbound", bw.inbound), ("outbound", bw.outbound)):
        if rate is not None and rate.average is None and rate.floor is None:
            yield "E237", f"<{name}> has neither average nor floor", f"{where}/{name}", None
        elif rate is not None and rate.average is None and (rate.peak or rate.burst):
            yield (
                "E237",
                f"<{name}> has peak or burst without average (floor alone does not do)",
                f"{where}/{name}",
                None,
            )
    if bw.outbound is not None and bw.outbound.floor is not None:
        yield (
            "E265",
            (
                "floor is allowed only in <inbound> (a guaranteed minimum applies to "
                "traffic to the guest)"
            ),
            f"{where}/outbound",
            "floor",
        )


@rule(
    "E238",
    "only one VLAN tag may set nativeMode",
    on=(Network, Interface),
    libvirt="virNetDevVlanParse",
)
def _vlans(model: Network | Interface) -> Iterator[Finding]:
    yield from _vlan(model.vlan, "vlan")
    if isinstance(model, Network):
        for i, group in enumerate(model.portgroups):
            yield from _vlan(group.vlan, f"{at(model, 'portgroups', i)}/vlan")


def _vlan(vlan: Vlan | None, where: str) -> Iterator[Finding]:
    if vlan is None:
        return
    native = [i for i, tag in enumerate(vlan.tags) if tag.native_mode is not None]
    if len(native) > 1:
        yield (
            "E238",
            f"{len(native)} tags set nativeMode; a VLAN has one native tag at most",
            f"{where}/{at(vlan, 'tags', native[1])}",
            "nativeMode",
        )


# What an interface's own <virtualport> must give; a network's or a
# portgroup's may leave parts to the interfaces that use it.
_VPORT_NEEDS = {
    "802.1Qbg": ("managerid", "typeid", "typeidversion"),
    "802.1Qbh": ("profileid",),
}


@rule(
    "E239",
    "a <virtualport> needs type=, except in a portgroup or a type='network' interface",
    on=(Network, Interface),
    libvirt="virNetDevVPortProfileParse",
    note="`virNetworkDefParseXML` and `virDomainNetDefParseXML` require the type",
)
@rule(
    "E256",
    "an interface's 802.1Qbg virtualport needs managerid, typeid and typeidversion; "
    "802.1Qbh needs profileid (unless the interface is type='network')",
    on=Interface,
    libvirt="virNetDevVPortProfileCheckComplete",
    note="called by `virNetDevVPortProfileParse` as `virDomainNetDefParseXML` asks",
)
def _virtualports(model: Network | Interface) -> Iterator[Finding]:
    if isinstance(model, Network):
        yield from _virtualport_type(model.virtualport)
    elif not isinstance(model, NetworkInterface):
        # a network's <virtualport> may give the type; elsewhere libvirt needs it
        vport = getattr(model, "virtualport", None)
        yield from _virtualport_type(vport)
        if vport is None or vport.type not in _VPORT_NEEDS:
            return
        params = vport.parameters
        missing = [n for n in _VPORT_NEEDS[vport.type] if getattr(params, n, None) is None]
        if missing:
            yield (
                "E256",
                f"<virtualport type='{vport.type}'> lacks {', '.join(missing)}",
                "virtualport",
                None,
            )


def _virtualport_type(vport: VirtualPort | None) -> Iterator[Finding]:
    if vport is not None and vport.type is None:
        yield "E239", "<virtualport> has no type", "virtualport", None


def family(
    family: str | None, address: IPAddress, where: str, *, absent_is_ipv4: bool
) -> Finding | None:
    """E213 when ``family`` does not name ``address``'s address family.

    libvirt reads a network's ``<ip>`` or a ``<route>`` without family as
    IPv4; ``absent_is_ipv4=False`` is for places where no family is fine.
    """
    actual = "ipv6" if address.version == 6 else "ipv4"
    if family is not None and family != actual:
        return "E213", f"family {family!r} given for {address}", where, "family"
    if family is None and absent_is_ipv4 and actual == "ipv6":
        message = f"no family given for IPv6 address {address} (add family='ipv6')"
        return "E213", message, where, "address"
    return None


def route(route: Route, where: str) -> Iterator[Finding]:
    """libvirt's checks of one ``<route>``, in a network or an interface
    (virNetDevIPRouteCreate): E213, E214, E228."""
    if wrong := family(route.family, route.address, where, absent_is_ipv4=True):
        yield wrong
        return
    # libvirt holds the gateway to the family too ("ipv6 specified for
    # non-IPv6 gateway address")
    if wrong := family(route.family, route.gateway, where, absent_is_ipv4=True):
        yield wrong
        return
    prefix = route.prefix
    if prefix is not None and prefix > route.address.max_prefixlen:
        yield (
            "E214",
            f"prefix {prefix} is too long for route address {route.address}",
            where,
            "prefix",
        )
        return
    if prefix is None and route.netmask is not None:
        prefix = netmask_prefix(route.netmask)
        if prefix is None:  # libvirt then fails the network-address test
            yield (
                "E228",
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
            "E228",
            f"route address {route.address} is not a network address for /{prefix or 0}"
            + ("" if prefix is not None else " (no prefix or netmask given)"),
            where,
            "address",
        )


def multicast(mac: str) -> bool:
    """Whether ``mac`` (as the models read it) is a multicast address."""
    return bool(int(mac[:2], 16) & 1)
