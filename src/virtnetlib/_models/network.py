"""The libvirt ``<network>`` document (libvirt 11.3 ``network.rng``).

Field order in every class is libvirt's output order; names follow the
XML (``macTableManager`` → ``mac_table_manager``), lists are plural
(``ips``, ``ranges``, ``hosts``). An isolated network is one whose
``forward`` is ``None``.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any, Literal, get_args

import attrs

from virtnetlib._core.converters import IPAddress, Mac
from virtnetlib._core.fields import (
    attribute,
    element,
    elements,
    raw_elements,
    text_element,
    text_elements,
)
from virtnetlib._core.model import Model, expect_model
from virtnetlib._core.xml import LIBVIRT_NAMESPACES
from virtnetlib._models.common import IP as IP_ADDR
from virtnetlib._models.common import (
    IPV4,
    NONEMPTY,
    ON_OFF,
    PORT,
    PREFIX,
    UINT,
    ULONG,
    USHORT,
    UUID,
    YES_NO,
    AddressFamily,
    Bandwidth,
    HostdevDriver,
    MacAddress,
    MacTableManager,
    Mtu,
    PciAddress,
    PortOptions,
    Route,
    VirtualPort,
    Vlan,
)

DNSMASQ_NS = LIBVIRT_NAMESPACES["dnsmasq"]

ForwardMode = Literal["nat", "route", "open", "bridge", "private", "vepa", "passthrough", "hostdev"]
"""How a network reaches the outside: ``forward mode=``. Isolated is ``forward=None``."""
FORWARD_MODES: tuple[str, ...] = get_args(ForwardMode)

LeaseUnit = Literal["seconds", "minutes", "hours"]
"""Unit of a DHCP ``<lease expiry=>``; libvirt's default is minutes."""


@attrs.define(kw_only=True, repr=False)
class Metadata(Model):
    """``<metadata>``: application elements, each kept verbatim as XML text."""

    __xml_tag__ = "metadata"

    elements: list[str] = raw_elements()


@attrs.define(kw_only=True, repr=False)
class ForwardInterface(Model):
    """A ``<forward><interface dev=/>`` of the device pool.

    ``connections`` is live state libvirt reports on a running network.
    """

    __xml_tag__ = "interface"

    dev: str = attribute(conv=NONEMPTY, required=True)
    connections: int | None = attribute(conv=UINT)


@attrs.define(kw_only=True, repr=False)
class ForwardAddress(PciAddress):
    """A PCI ``<address>`` in a hostdev network's device pool."""

    connections: int | None = attribute(conv=UINT)


@attrs.define(kw_only=True, repr=False)
class ForwardPf(Model):
    """``<pf dev=>``: the SR-IOV physical function whose VFs form the pool."""

    __xml_tag__ = "pf"

    dev: str = attribute(conv=NONEMPTY, required=True)


@attrs.define(kw_only=True, repr=False)
class NatAddressRange(Model):
    """``<nat><address start= end=/>``: public IPv4 addresses to masquerade to."""

    __xml_tag__ = "address"

    start: ipaddress.IPv4Address = attribute(conv=IPV4, required=True)
    end: ipaddress.IPv4Address = attribute(conv=IPV4, required=True)


@attrs.define(kw_only=True, repr=False)
class NatPortRange(Model):
    """``<nat><port start= end=/>``: source ports NAT may use."""

    __xml_tag__ = "port"

    start: int = attribute(conv=PORT, required=True)
    end: int = attribute(conv=PORT, required=True)


@attrs.define(kw_only=True, repr=False)
class Nat(Model):
    """``<nat>`` of a NAT forward: address and port ranges, IPv6 masquerading."""

    __xml_tag__ = "nat"

    ipv6: bool | None = attribute(conv=YES_NO)
    address: NatAddressRange | None = element(NatAddressRange)
    port: NatPortRange | None = element(NatPortRange)


@attrs.define(kw_only=True, repr=False)
class Forward(Model):
    """``<forward>``: how the network connects to the outside.

    ``mode`` defaults to ``nat`` in libvirt when the element is present
    without one. ``interfaces`` (netdevs) and ``addresses`` (PCI devices)
    are the device pool of bridge, private, vepa, passthrough and hostdev
    networks; ``pf`` names an SR-IOV physical function instead.
    """

    __xml_tag__ = "forward"

    dev: str | None = attribute()
    mode: ForwardMode | None = attribute()
    managed: bool | None = attribute(conv=YES_NO)
    driver: HostdevDriver | None = element(HostdevDriver)
    nat: Nat | None = element(Nat)
    pf: ForwardPf | None = element(ForwardPf)
    interfaces: list[ForwardInterface] = elements(ForwardInterface)
    addresses: list[ForwardAddress] = elements(ForwardAddress)


# --8<-- [start:bridge] (shown in docs/design.md)
@attrs.define(kw_only=True, repr=False)
class NetworkBridge(Model):
    """``<bridge>``: the host bridge backing the network."""

    __xml_tag__ = "bridge"

    name: str | None = attribute()
    zone: str | None = attribute()
    stp: bool | None = attribute(conv=ON_OFF)
    delay: int | None = attribute(conv=ULONG)
    mac_table_manager: MacTableManager | None = attribute()
    # --8<-- [end:bridge]


@attrs.define(kw_only=True, repr=False)
class DnsDomain(Model):
    """``<domain name=>``: the DNS domain of DHCP clients.

    ``local_only`` answers queries for it locally; ``register`` (libvirt
    ≥ 11) registers the network with systemd-resolved.
    """

    __xml_tag__ = "domain"

    name: str = attribute(conv=NONEMPTY, required=True)
    local_only: bool | None = attribute(conv=YES_NO)
    register: bool | None = attribute(conv=YES_NO)


@attrs.define(kw_only=True, repr=False)
class DnsForwarder(Model):
    """``<forwarder domain= addr=>``: where to send (some) DNS queries.

    ``addr`` alone: a server for everything; ``domain`` alone: resolve that
    domain locally only; both: that domain goes to that server.
    """

    __xml_tag__ = "forwarder"

    domain: str | None = attribute()
    addr: IPAddress | None = attribute(conv=IP_ADDR)


@attrs.define(kw_only=True, repr=False)
class DnsTxt(Model):
    """A DNS ``<txt name= value=>`` record; also a networkUpdate fragment."""

    __xml_tag__ = "txt"

    name: str = attribute(required=True)
    value: str = attribute(required=True)


@attrs.define(kw_only=True, repr=False)
class DnsSrv(Model):
    """A DNS ``<srv>`` record; also a networkUpdate fragment.

    ``service`` and ``protocol`` are required in a network; a delete
    fragment may give only the fields that identify the record.
    """

    __xml_tag__ = "srv"

    service: str | None = attribute()
    protocol: Literal["tcp", "udp"] | None = attribute()
    domain: str | None = attribute()
    target: str | None = attribute()
    port: int | None = attribute(conv=USHORT)
    priority: int | None = attribute(conv=USHORT)
    weight: int | None = attribute(conv=USHORT)


@attrs.define(kw_only=True, repr=False)
class DnsHost(Model):
    """A DNS ``<host ip=>`` with its ``<hostname>``s; also an update fragment.

    ``ip`` and one hostname are required in a network; a delete fragment
    may give either alone.
    """

    __xml_tag__ = "host"

    ip: IPAddress | None = attribute(conv=IP_ADDR)
    hostnames: list[str] = text_elements("hostname")


@attrs.define(kw_only=True, repr=False)
class Dns(Model):
    """``<dns>``: the network's DNS server (dnsmasq) settings and records."""

    __xml_tag__ = "dns"

    enable: bool | None = attribute(conv=YES_NO)
    forward_plain_names: bool | None = attribute(conv=YES_NO)
    forwarders: list[DnsForwarder] = elements(DnsForwarder)
    txts: list[DnsTxt] = elements(DnsTxt)
    srvs: list[DnsSrv] = elements(DnsSrv)
    hosts: list[DnsHost] = elements(DnsHost)


@attrs.define(kw_only=True, repr=False)
class Lease(Model):
    """``<lease expiry= unit=>``: DHCP lease time; ``expiry=0`` is infinite."""

    __xml_tag__ = "lease"

    expiry: int = attribute(conv=ULONG, required=True)
    unit: LeaseUnit | None = attribute()

    @property
    def seconds(self) -> int:
        """The lease time in seconds (``unit`` defaults to minutes, as in libvirt)."""
        return self.expiry * _LEASE_UNIT_SECONDS[self.unit or "minutes"]


_LEASE_UNIT_SECONDS: dict[str, int] = {"seconds": 1, "minutes": 60, "hours": 3600}


@attrs.define(kw_only=True, repr=False)
class DhcpRange(Model):
    """A DHCP ``<range start= end=>`` with an optional lease; also a fragment."""

    __xml_tag__ = "range"

    start: IPAddress = attribute(conv=IP_ADDR, required=True)
    end: IPAddress = attribute(conv=IP_ADDR, required=True)
    lease: Lease | None = element(Lease)


@attrs.define(kw_only=True, repr=False)
class DhcpHost(Model):
    """A static DHCP ``<host mac|id= name= ip=>``; also a fragment.

    IPv4 hosts are matched by ``mac``, IPv6 hosts by ``id`` (DUID) or name.
    """

    __xml_tag__ = "host"

    mac: str | None = attribute(conv=Mac())
    id: str | None = attribute()
    name: str | None = attribute()
    ip: IPAddress | None = attribute(conv=IP_ADDR)
    lease: Lease | None = element(Lease)


@attrs.define(kw_only=True, repr=False)
class Bootp(Model):
    """``<bootp file= server=>``: the PXE boot file and optional TFTP server."""

    __xml_tag__ = "bootp"

    file: str = attribute(conv=NONEMPTY, required=True)
    server: str | None = attribute()


@attrs.define(kw_only=True, repr=False)
class Dhcp(Model):
    """``<dhcp>``: address ranges, static hosts and the PXE boot file."""

    __xml_tag__ = "dhcp"

    ranges: list[DhcpRange] = elements(DhcpRange)
    hosts: list[DhcpHost] = elements(DhcpHost)
    bootp: Bootp | None = element(Bootp)


@attrs.define(kw_only=True, repr=False)
class Tftp(Model):
    """``<tftp root=>``: serve this directory over TFTP on the network address."""

    __xml_tag__ = "tftp"

    root: str = attribute(required=True)


def subnet_of(
    address: IPAddress, prefix: int, *, strict: bool = False
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The network of ``address``/``prefix`` (ValueError when it does not fit).

    Built from the address's number: ``ip_network(f"{address}/{prefix}")``
    would format the address and parse it again.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return ipaddress.IPv6Network(f"{address}/{prefix}", strict=strict)
        return ipaddress.IPv6Network((int(address), prefix), strict=strict)
    return ipaddress.IPv4Network((int(address), prefix), strict=strict)


def netmask_prefix(netmask: ipaddress.IPv4Address) -> int | None:
    """The prefix length of a netmask, or ``None`` when it is not ones then zeros.

    As libvirt reads it: a host mask such as ``0.0.0.255`` is not a netmask.
    """
    hosts = ~int(netmask) & 0xFFFFFFFF
    if hosts & (hosts + 1):
        return None
    return 32 - hosts.bit_length()


@attrs.define(kw_only=True, repr=False)
class NetworkIP(Model):
    """An ``<ip>`` of the network: address, netmask or prefix, DHCP and TFTP."""

    __xml_tag__ = "ip"
    __xml_open__ = True

    family: AddressFamily | None = attribute()
    address: IPAddress | None = attribute(conv=IP_ADDR)
    netmask: ipaddress.IPv4Address | None = attribute(conv=IPV4)
    prefix: int | None = attribute(conv=PREFIX)
    local_ptr: bool | None = attribute(conv=YES_NO)
    tftp: Tftp | None = element(Tftp)
    dhcp: Dhcp | None = element(Dhcp)

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
        """The subnet this address is in, from ``prefix``, ``netmask`` or
        libvirt's defaults (classful for IPv4, /64 for IPv6).

        ``None`` without an address, or when no subnet follows from them: a
        netmask that is not ones then zeros, or a prefix longer than the
        address (``/64`` on an IPv4 address), which ``validate()`` reports.
        """
        if self.address is None:
            return None
        prefix = self.effective_prefix
        if prefix is None or not 0 <= prefix <= self.address.max_prefixlen:
            return None
        return subnet_of(self.address, prefix)

    @property
    def effective_prefix(self) -> int | None:
        """The prefix length libvirt uses for this address."""
        if self.prefix is not None:
            return self.prefix
        if self.netmask is not None:
            return netmask_prefix(self.netmask)
        if self.address is None:
            return None
        if self.address.version == 6:
            return 64
        first = int(self.address) >> 24
        if first & 0x80 == 0:
            return 8
        if first & 0xC0 == 0x80:
            return 16
        if first & 0xE0 == 0xC0:
            return 24
        return None


@attrs.define(kw_only=True, repr=False)
class PortGroup(Model):
    """A ``<portgroup>``: settings interfaces pick with ``portgroup=``."""

    __xml_tag__ = "portgroup"

    name: str = attribute(conv=NONEMPTY, required=True)
    default: bool | None = attribute(conv=YES_NO)
    trust_guest_rx_filters: bool | None = attribute(conv=YES_NO)
    vlan: Vlan | None = element(Vlan)
    virtualport: VirtualPort | None = element(VirtualPort)
    bandwidth: Bandwidth | None = element(Bandwidth)


@attrs.define(kw_only=True, repr=False)
class DnsmasqOption(Model):
    """One ``<dnsmasq:option value=>``: a raw line for dnsmasq's config."""

    __xml_tag__ = f"{{{DNSMASQ_NS}}}option"

    value: str = attribute(required=True)


@attrs.define(kw_only=True, repr=False)
class DnsmasqOptions(Model):
    """``<dnsmasq:options>``: extra dnsmasq settings (namespace declared for you)."""

    __xml_tag__ = f"{{{DNSMASQ_NS}}}options"

    options: list[DnsmasqOption] = elements(DnsmasqOption)


@attrs.define(kw_only=True, repr=False)
class Network(Model):
    """A libvirt virtual network, ``<network>``.

    >>> net = Network(name="default", forward=Forward(mode="nat"))
    >>> net.forward.mode
    'nat'

    ``forward=None`` is an isolated network. ``connections`` is live state.
    """

    __xml_tag__ = "network"

    connections: int | None = attribute(conv=UINT)
    ipv6: bool | None = attribute(conv=YES_NO)
    trust_guest_rx_filters: bool | None = attribute(conv=YES_NO)
    name: str = text_element(required=True)
    uuid: uuid.UUID | None = text_element(conv=UUID)
    title: str | None = text_element()
    description: str | None = text_element()
    metadata: Metadata | None = element(Metadata)
    forward: Forward | None = element(Forward)
    bridge: NetworkBridge | None = element(NetworkBridge)
    mtu: Mtu | None = element(Mtu)
    mac: MacAddress | None = element(MacAddress)
    domain: DnsDomain | None = element(DnsDomain)
    dns: Dns | None = element(Dns)
    vlan: Vlan | None = element(Vlan)
    bandwidth: Bandwidth | None = element(Bandwidth)
    port: PortOptions | None = element(PortOptions)
    ips: list[NetworkIP] = elements(NetworkIP)
    routes: list[Route] = elements(Route)
    virtualport: VirtualPort | None = element(VirtualPort)
    portgroups: list[PortGroup] = elements(PortGroup)
    dnsmasq_options: DnsmasqOptions | None = element(DnsmasqOptions)

    @property
    def isolated(self) -> bool:
        """True when the network has no ``<forward>``: guests reach only each other and the host."""
        return self.forward is None

    @property
    def mode(self) -> str:
        """``forward.mode`` with libvirt's defaults.

        ``isolated`` without a forward, ``nat`` for a forward without a mode.
        """
        if self.forward is None:
            return "isolated"
        return self.forward.mode or "nat"

    def __summary_row__(self) -> dict[str, str]:
        """The network as one row of a notebook table (see :func:`network_summary`)."""
        s = network_summary(self)
        reach = s["reachability"]
        why = reach["depends_on"]
        return {
            "name": s["name"],
            "mode": s["mode"],
            "bridge": s["bridge"] or "",
            "subnets": ", ".join(s["subnets"]),
            "DHCP ranges": ", ".join(s["dhcp_ranges"]),
            "PXE": s["pxe_boot_file"] or "",
            "host": reach_text(reach["host"], why),
            "other VMs": reach_text(reach["other_vms"], why),
            "outside": reach_text(reach["outside"], why),
            "visible from outside": reach_text(reach["visible_from_outside"], why),
        }


@attrs.frozen
class Reachability:
    """What guests on a network can reach, and who sees them.

    ``None`` means "it depends", on what ``depends_on`` says (the host's
    firewall rules, an external switch, the NIC). ``source`` says where the
    row comes from.
    """

    host: bool | None
    other_vms: bool | None
    outside: bool | None
    visible_from_outside: bool | None
    depends_on: str | None = None
    source: str = "RHEL 10 guide, table 15.1"


_MACVTAP = (
    "macvtap (kernel macvlan): the host's own traffic does not pass between it and its guests"
)

#: What a guest can reach, by connection type (:func:`connection_type`). The
#: first five rows are the RHEL 10 guide's table 15.1, as it stands; the
#: direct (macvtap) modes, which the table leaves out, follow the kernel's
#: macvlan modes and the guide's "Replacing macvtap connections", and
#: hostdev (an SR-IOV VF) the NIC's embedded switch.
REACHABILITY: dict[str, Reachability] = {
    "bridge": Reachability(True, True, True, True),
    "nat": Reachability(True, True, True, False),
    "route": Reachability(True, True, True, True),
    "isolated": Reachability(True, True, False, False),
    "open": Reachability(None, None, None, None, "the host's firewall rules"),
    "macvtap-bridge": Reachability(False, True, True, True, source=_MACVTAP),
    "vepa": Reachability(
        False, None, True, True, "the external switch reflecting traffic (VEPA)", _MACVTAP
    ),
    "private": Reachability(False, False, True, True, source=_MACVTAP),
    "passthrough": Reachability(False, False, True, True, source=_MACVTAP),
    "hostdev": Reachability(
        None,
        None,
        True,
        True,
        "the NIC's embedded switch between its functions",
        "SR-IOV: each guest owns a virtual function of the NIC",
    ),
}


def connection_type(net: Network) -> str:
    """How ``net`` connects guests, as the keys of :data:`REACHABILITY` name it:
    its forward mode, except that ``bridge`` is ``macvtap-bridge`` when the
    network names devices (a pool) instead of a host bridge."""
    mode = net.mode
    if mode == "bridge" and (net.bridge is None or net.bridge.name is None):
        return "macvtap-bridge"
    return mode if mode in REACHABILITY else "bridge"


def reach_text(value: bool | None, depends_on: str | None) -> str:
    """A cell for one reachability fact."""
    if value is None:
        return f"depends on {depends_on}" if depends_on else "depends"
    return "yes" if value else "no"


def network_summary(net: Network) -> dict[str, Any]:
    """The facts of ``net`` worth a glance, as plain values (JSON-ready)."""
    expect_model(net, Network)
    mode = net.mode
    subnets: list[str] = []
    ranges: list[str] = []
    hosts = 0
    pxe = None
    for ip in net.ips:
        network = ip.network
        subnets.append(f"{ip.address}/{ip.effective_prefix}" if network else str(ip.address))
        if ip.dhcp is not None:
            ranges.extend(f"{r.start}-{r.end}" for r in ip.dhcp.ranges)
            hosts += len(ip.dhcp.hosts)
            if ip.dhcp.bootp is not None:
                pxe = ip.dhcp.bootp.file
    pool: list[str] = []
    if net.forward is not None:
        pool = [i.dev for i in net.forward.interfaces] + [str(a) for a in net.forward.addresses]
        if net.forward.pf is not None:
            pool.append(f"pf {net.forward.pf.dev}")
    connection = connection_type(net)
    reach = REACHABILITY[connection]
    return {
        "name": net.name,
        "mode": mode,
        "connection": connection,
        "bridge": net.bridge.name if net.bridge is not None else None,
        "subnets": subnets,
        "dhcp_ranges": ranges,
        "dhcp_hosts": hosts,
        "pxe_boot_file": pxe,
        "tftp_root": next((ip.tftp.root for ip in net.ips if ip.tftp is not None), None),
        "device_pool": pool,
        "portgroups": [p.name for p in net.portgroups],
        "reachability": attrs.asdict(reach),
    }
