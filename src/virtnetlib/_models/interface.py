"""The domain ``<interface>`` device (libvirt 11.3 ``domaincommon.rng``).

:class:`Interface` is the base of one class per ``type=``: the class is the
type (``iface.type`` is derived from it, never stored twice), and each class
has only the ``<source>`` its type allows. ``Interface.from_xml`` returns the
right subclass. Elements every type shares (mac, model, driver, target,
bandwidth, vlan, ...) are declared once on the base, in libvirt's output
order, using the same classes as the network model where the XML is the same.
"""

from __future__ import annotations

import bisect
import heapq
import ipaddress
import itertools
import uuid
from typing import Any, Literal

import attrs

from virtnetlib._core.converters import HexInt, Int, IPAddress, Mac
from virtnetlib._core.errors import UsageError
from virtnetlib._core.fields import FieldValueError, attribute, element, elements, text_element
from virtnetlib._core.model import Model, expect_model
from virtnetlib._models.address import ADDRESS_TYPES, DeviceAddress
from virtnetlib._models.common import (
    IP,
    IPV4,
    NONEMPTY,
    ON_OFF,
    PREFIX,
    UINT,
    UUID,
    YES_NO,
    AddressFamily,
    Bandwidth,
    HostdevDriver,
    MacTableManager,
    Mtu,
    PciAddress,
    PortOptions,
    Route,
    VirtualPort,
    Vlan,
    port_union,
)

InterfaceType = Literal[
    "network",
    "bridge",
    "direct",
    "hostdev",
    "user",
    "ethernet",
    "vhostuser",
    "server",
    "client",
    "mcast",
    "udp",
    "vdpa",
    "null",
    "vds",
    "internal",
]
"""The ``type`` of a domain ``<interface>``."""

DirectMode = Literal["vepa", "bridge", "private", "passthrough"]
"""macvtap mode of a ``type='direct'`` interface."""

PORT_NUMBER = Int(-1, 65535)
#: A passt port: libvirt reads start, end and to as unsigned and nonzero
#: (virDomainNetPortForwardRangeParseXML); the schema caps them at 65535.
FORWARDED_PORT = Int(1, 65535)
POSITIVE = Int(1, 2**64 - 1)
MAC = Mac()


# ------------------------------------------------------------------ children


@attrs.define(kw_only=True, repr=False)
class InterfaceMac(Model):
    """``<mac address= type= check= currentAddress=>`` of a guest NIC."""

    __xml_tag__ = "mac"

    address: str = attribute(conv=MAC, required=True)
    type: Literal["generated", "static"] | None = attribute()
    check: bool | None = attribute(conv=YES_NO)
    current_address: str | None = attribute(conv=MAC)


@attrs.define(kw_only=True, repr=False)
class InterfaceIP(Model):
    """An ``<ip address= family= prefix= peer=>`` of the guest or host side."""

    __xml_tag__ = "ip"

    address: IPAddress = attribute(conv=IP, required=True)
    family: AddressFamily | None = attribute()
    prefix: int | None = attribute(conv=PREFIX)
    peer: IPAddress | None = attribute(conv=IP)


@attrs.define(kw_only=True, repr=False)
class PortForwardRange(Model):
    """A ``<range start= end= to= exclude=>`` of a passt ``<portForward>``.

    ``start`` to ``end`` (or just ``start``) are host ports; ``to`` is the guest
    port ``start`` maps to (the range keeps its offsets). ``exclude='yes'``
    removes host ports from what other ranges forward.
    """

    __xml_tag__ = "range"

    start: int = attribute(conv=FORWARDED_PORT, required=True)
    end: int | None = attribute(conv=FORWARDED_PORT)
    to: int | None = attribute(conv=FORWARDED_PORT)
    exclude: bool | None = attribute(conv=YES_NO)

    def host_ports(self) -> range:
        """The host ports this range names, ``start`` to ``end`` inclusive."""
        return range(self.start, (self.end if self.end is not None else self.start) + 1)


def _last(rng: PortForwardRange) -> int:
    return rng.end if rng.end is not None else rng.start


def _covered(merged: list[tuple[int, int]], port: int) -> bool:
    """Whether ``port`` is in one of ``merged`` (sorted, disjoint) ranges."""
    at = bisect.bisect_right(merged, (port, 1 << 30)) - 1
    return at >= 0 and merged[at][0] <= port <= merged[at][1]


@attrs.define(kw_only=True, repr=False)
class PortForward(Model):
    """``<portForward proto= address= dev=>``: host ports passt forwards to the guest."""

    __xml_tag__ = "portForward"

    proto: Literal["tcp", "udp"] = attribute(required=True)
    address: IPAddress | None = attribute(conv=IP)
    dev: str | None = attribute()
    ranges: list[PortForwardRange] = elements(PortForwardRange)

    def mappings(self) -> dict[int, int]:
        """Host port → guest port, after ``to`` offsets and excluded ranges.

        A ``portForward`` without ranges forwards every port (passt's
        ``all``); that is not a finite mapping and raises
        :class:`~virtnetlib.UsageError` (a ``ValueError``). One entry per
        port (up to 65,535): :meth:`mapped_ranges` says the same in runs.
        """
        return {
            port: guest + port - first
            for first, last, guest in self.mapped_ranges()
            for port in range(first, last + 1)
        }

    def mapped_ranges(self) -> list[tuple[int, int, int]]:
        """The mapping as runs ``(first host port, last host port, first guest
        port)``, in host port order, after ``to`` offsets and excluded ranges.

        Where forward ranges overlap the later one decides, as for
        :meth:`mappings`. Time grows with the number of ranges, not of ports.
        """
        if not self.ranges:
            raise UsageError(
                "PortForward.mapped_ranges(): a portForward without ranges forwards every "
                "port (passt's 'all'), which is not a finite mapping"
            )
        forwards = [
            (rng.start, _last(rng), (rng.to - rng.start) if rng.to is not None else 0, i)
            for i, rng in enumerate(self.ranges)
            if not rng.exclude
        ]
        excluded = port_union([(rng.start, _last(rng)) for rng in self.ranges if rng.exclude])
        # a sweep over the ports where something begins or ends; at each
        # stretch the latest forward range that covers it decides the offset
        points = sorted(
            {p for first, last, _, _ in forwards for p in (first, last + 1)}
            | {p for first, last in excluded for p in (first, last + 1)}
        )
        starts = sorted(forwards)
        active: list[tuple[int, int, int]] = []  # (-index, last, offset), the latest on top
        runs: list[tuple[int, int, int]] = []
        at = 0
        for lo, hi in itertools.pairwise(points):
            while at < len(starts) and starts[at][0] <= lo:
                _, last, offset, index = starts[at]
                heapq.heappush(active, (-index, last, offset))
                at += 1
            while active and active[0][1] < lo:
                heapq.heappop(active)
            if not active or _covered(excluded, lo):
                continue
            offset = active[0][2]
            end = hi - 1
            if runs and runs[-1][1] == lo - 1 and runs[-1][2] - runs[-1][0] == offset:
                runs[-1] = (runs[-1][0], end, runs[-1][2])
            else:
                runs.append((lo, end, lo + offset))
        return runs

    def passt_options(self) -> list[str]:
        """The passt command-line options libvirt passes for this forward.

        ``--tcp-ports``/``--udp-ports`` followed by one spec: an optional
        ``address``, ``%dev`` and ``/``, then comma-separated ranges with
        ``~`` for excludes and ``:to`` mappings, or ``all``.
        """
        spec = ""
        if self.address is not None:
            spec += str(self.address)
        if self.dev:
            spec += f"%{self.dev}"
        if spec:
            spec += "/"
        if not self.ranges:
            spec += "all"
        else:
            parts = []
            for rng in self.ranges:
                part = "~" if rng.exclude else ""
                part += str(rng.start)
                if rng.end is not None:
                    part += f"-{rng.end}"
                if rng.to is not None:
                    part += f":{rng.to}"
                    if rng.end is not None:
                        part += f"-{rng.end + rng.to - rng.start}"
                parts.append(part)
            spec += ",".join(parts)
        return ["--tcp-ports" if self.proto == "tcp" else "--udp-ports", spec]


@attrs.define(kw_only=True, repr=False)
class Script(Model):
    """``<script path=>``: run when a ``type='ethernet'`` tap is created;
    the same element named ``<downscript>`` runs when the tap goes away."""

    __xml_tag__ = "script"

    path: str = attribute(conv=NONEMPTY, required=True)


@attrs.define(kw_only=True, repr=False)
class BackendDomain(Model):
    """``<backenddomain name=>``: the driver domain providing the NIC (Xen)."""

    __xml_tag__ = "backenddomain"

    name: str = attribute(conv=NONEMPTY, required=True)


@attrs.define(kw_only=True, repr=False)
class Target(Model):
    """``<target dev= managed=>``: the host-side tap/macvtap device name."""

    __xml_tag__ = "target"

    dev: str = attribute(conv=NONEMPTY, required=True)
    managed: bool | None = attribute(conv=YES_NO)


@attrs.define(kw_only=True, repr=False)
class InterfaceGuest(Model):
    """``<guest dev= actual=>``: the NIC name inside a container guest."""

    __xml_tag__ = "guest"

    dev: str | None = attribute()
    actual: str | None = attribute()


@attrs.define(kw_only=True, repr=False)
class NicModel(Model):
    """``<model type=>``: the emulated NIC (``virtio``, ``e1000e``, ``rtl8139`` ...)."""

    __xml_tag__ = "model"

    type: str = attribute(conv=NONEMPTY, required=True)


@attrs.define(kw_only=True, repr=False)
class DriverHostOffloads(Model):
    """``<driver><host>``: host-side virtio offloads, each on/off."""

    __xml_tag__ = "host"

    csum: bool | None = attribute(conv=ON_OFF)
    gso: bool | None = attribute(conv=ON_OFF)
    tso4: bool | None = attribute(conv=ON_OFF)
    tso6: bool | None = attribute(conv=ON_OFF)
    ecn: bool | None = attribute(conv=ON_OFF)
    ufo: bool | None = attribute(conv=ON_OFF)
    mrg_rxbuf: bool | None = attribute("mrg_rxbuf", conv=ON_OFF)


@attrs.define(kw_only=True, repr=False)
class DriverGuestOffloads(Model):
    """``<driver><guest>``: guest-side virtio offloads, each on/off."""

    __xml_tag__ = "guest"

    csum: bool | None = attribute(conv=ON_OFF)
    tso4: bool | None = attribute(conv=ON_OFF)
    tso6: bool | None = attribute(conv=ON_OFF)
    ecn: bool | None = attribute(conv=ON_OFF)
    ufo: bool | None = attribute(conv=ON_OFF)


@attrs.define(kw_only=True, repr=False)
class NetDriver(Model):
    """``<driver>`` of an emulated NIC: backend, queues and virtio options."""

    __xml_tag__ = "driver"

    name: Literal["qemu", "vhost"] | None = attribute()
    txmode: Literal["iothread", "timer"] | None = attribute()
    ioeventfd: bool | None = attribute(conv=ON_OFF)
    event_idx: bool | None = attribute("event_idx", conv=ON_OFF)
    queues: int | None = attribute(conv=POSITIVE)
    rx_queue_size: int | None = attribute("rx_queue_size", conv=POSITIVE)
    tx_queue_size: int | None = attribute("tx_queue_size", conv=POSITIVE)
    rss: bool | None = attribute(conv=ON_OFF)
    rss_hash_report: bool | None = attribute("rss_hash_report", conv=ON_OFF)
    iommu: bool | None = attribute(conv=ON_OFF)
    ats: bool | None = attribute(conv=ON_OFF)
    packed: bool | None = attribute(conv=ON_OFF)
    page_per_vq: bool | None = attribute("page_per_vq", conv=ON_OFF)
    host: DriverHostOffloads | None = element(DriverHostOffloads)
    guest: DriverGuestOffloads | None = element(DriverGuestOffloads)


@attrs.define(kw_only=True, repr=False)
class Backend(Model):
    """``<backend type= tap= vhost= logFile=>``: ``type='passt'`` for passt user networking."""

    __xml_tag__ = "backend"

    type: Literal["default", "passt"] | None = attribute()
    tap: str | None = attribute()
    vhost: str | None = attribute()
    log_file: str | None = attribute()


@attrs.define(kw_only=True, repr=False)
class FilterParameter(Model):
    """``<parameter name= value=>`` of a ``<filterref>``."""

    __xml_tag__ = "parameter"

    name: str = attribute(conv=NONEMPTY, required=True)
    value: str = attribute(required=True)


@attrs.define(kw_only=True, repr=False)
class FilterRef(Model):
    """``<filterref filter=>``: the nwfilter applied to the NIC, with parameters."""

    __xml_tag__ = "filterref"

    filter: str = attribute(conv=NONEMPTY, required=True)
    parameters: list[FilterParameter] = elements(FilterParameter)


@attrs.define(kw_only=True, repr=False)
class Tune(Model):
    """``<tune><sndbuf>``: the tap send buffer size in bytes."""

    __xml_tag__ = "tune"

    sndbuf: int | None = text_element(conv=UINT)


@attrs.define(kw_only=True, repr=False)
class Teaming(Model):
    """``<teaming type= persistent=>``: virtio/hostdev failover pairs."""

    __xml_tag__ = "teaming"

    type: Literal["persistent", "transient"] = attribute(required=True)
    persistent: str | None = attribute()


@attrs.define(kw_only=True, repr=False)
class Link(Model):
    """``<link state=>``: the virtual link is up or down."""

    __xml_tag__ = "link"

    state: Literal["up", "down"] = attribute(required=True)


@attrs.define(kw_only=True, repr=False)
class CoalesceFrames(Model):
    """``<frames max=>``: coalesce up to this many received frames."""

    __xml_tag__ = "frames"

    max: int | None = attribute(conv=UINT)


@attrs.define(kw_only=True, repr=False)
class CoalesceRx(Model):
    """``<rx>`` of ``<coalesce>``."""

    __xml_tag__ = "rx"

    frames: CoalesceFrames | None = element(CoalesceFrames)


@attrs.define(kw_only=True, repr=False)
class Coalesce(Model):
    """``<coalesce>``: interrupt coalescing of the tap device."""

    __xml_tag__ = "coalesce"

    rx: CoalesceRx | None = element(CoalesceRx)


@attrs.define(kw_only=True, repr=False)
class Boot(Model):
    """``<boot order= loadparm=>``: boot from this NIC (PXE), in this order."""

    __xml_tag__ = "boot"

    order: int = attribute(conv=POSITIVE, required=True)
    loadparm: str | None = attribute()


@attrs.define(kw_only=True, repr=False)
class Alias(Model):
    """``<alias name=>``: the device alias (user aliases start with ``ua-``)."""

    __xml_tag__ = "alias"

    name: str = attribute(conv=NONEMPTY, required=True)


@attrs.define(kw_only=True, repr=False)
class Rom(Model):
    """``<rom enabled= bar= file=>``: the NIC's option ROM (PXE code)."""

    __xml_tag__ = "rom"

    enabled: bool | None = attribute(conv=YES_NO)
    bar: bool | None = attribute(conv=ON_OFF)
    file: str | None = attribute()


@attrs.define(kw_only=True, repr=False)
class Acpi(Model):
    """``<acpi index=>``: the ACPI index that names the NIC in the guest."""

    __xml_tag__ = "acpi"

    index: int | None = attribute(conv=UINT)


# ------------------------------------------------------------------ sources


@attrs.define(kw_only=True, repr=False)
class NetworkSource(Model):
    """``<source network= portgroup=>`` of a ``type='network'`` interface.

    ``portid``, ``bridge`` and ``mac_table_manager`` appear in live XML.
    """

    __xml_tag__ = "source"

    # libvirt's parser and schema take network='' (no network has that
    # name, so the guest cannot start; defining it works)
    network: str = attribute(required=True)
    portgroup: str | None = attribute()
    portid: uuid.UUID | None = attribute(conv=UUID)
    bridge: str | None = attribute()
    mac_table_manager: MacTableManager | None = attribute()


@attrs.define(kw_only=True, repr=False)
class BridgeSource(Model):
    """``<source bridge=>`` of a ``type='bridge'`` interface."""

    __xml_tag__ = "source"

    bridge: str = attribute(required=True)
    mac_table_manager: MacTableManager | None = attribute()
    network: str | None = attribute()
    portgroup: str | None = attribute()
    portid: uuid.UUID | None = attribute(conv=UUID)


@attrs.define(kw_only=True, repr=False)
class DirectSource(Model):
    """``<source dev= mode=>`` of a macvtap (``type='direct'``) interface."""

    __xml_tag__ = "source"

    dev: str = attribute(conv=NONEMPTY, required=True)
    mode: DirectMode | None = attribute()
    network: str | None = attribute()
    portgroup: str | None = attribute()
    portid: uuid.UUID | None = attribute(conv=UUID)


@attrs.define(kw_only=True, repr=False)
class UserSource(Model):
    """``<source dev=>`` of a ``type='user'`` interface: the host interface passt copies."""

    __xml_tag__ = "source"

    dev: str = attribute(conv=NONEMPTY, required=True)


@attrs.define(kw_only=True, repr=False)
class EthernetSource(Model):
    """``<source>`` of ``type='ethernet'``: addresses and routes for the host side of the tap."""

    __xml_tag__ = "source"

    ips: list[InterfaceIP] = elements(InterfaceIP)
    routes: list[Route] = elements(Route)


@attrs.define(kw_only=True, repr=False)
class Reconnect(Model):
    """``<reconnect enabled= timeout=>`` (or ``delay=``) of a client socket."""

    __xml_tag__ = "reconnect"

    enabled: bool | None = attribute(conv=YES_NO)
    timeout: int | None = attribute(conv=UINT)
    delay: int | None = attribute(conv=UINT)


@attrs.define(kw_only=True, repr=False)
class VhostUserSource(Model):
    """``<source type='unix' path= mode=>`` of a vhost-user interface."""

    __xml_tag__ = "source"

    type: Literal["unix"] | None = attribute()
    path: str | None = attribute()
    mode: Literal["server", "client"] | None = attribute()
    dev: str | None = attribute()
    reconnect: Reconnect | None = element(Reconnect)


@attrs.define(kw_only=True, repr=False)
class InternalSource(Model):
    """``<source name=>`` of a ``type='internal'`` interface."""

    __xml_tag__ = "source"

    name: str = attribute(conv=NONEMPTY, required=True)


@attrs.define(kw_only=True, repr=False)
class SocketSource(Model):
    """``<source address= port=>`` of a server, client or multicast socket."""

    __xml_tag__ = "source"

    address: ipaddress.IPv4Address | None = attribute(conv=IPV4)
    port: int = attribute(conv=PORT_NUMBER, required=True)


@attrs.define(kw_only=True, repr=False)
class UdpLocal(Model):
    """``<local address= port=>``: the local end of a UDP tunnel."""

    __xml_tag__ = "local"

    address: ipaddress.IPv4Address = attribute(conv=IPV4, required=True)
    port: int = attribute(conv=PORT_NUMBER, required=True)


@attrs.define(kw_only=True, repr=False)
class UdpSource(Model):
    """``<source address= port=>`` with ``<local>`` of a UDP tunnel."""

    __xml_tag__ = "source"

    address: ipaddress.IPv4Address = attribute(conv=IPV4, required=True)
    port: int = attribute(conv=PORT_NUMBER, required=True)
    local: UdpLocal | None = element(UdpLocal)


@attrs.define(kw_only=True, repr=False)
class UsbId(Model):
    """``<vendor id=>`` / ``<product id=>`` of a USB device."""

    __xml_tag__ = "vendor"

    id: int = attribute(conv=HexInt(0, 0xFFFF, 4), required=True)


@attrs.define(kw_only=True, repr=False)
class UsbDeviceAddress(Model):
    """``<address type='usb' bus= device=>`` of a USB network device."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "usb"),)

    bus: int = attribute(conv=HexInt(0, 0xFFF, None), required=True)
    device: int = attribute(conv=HexInt(0, 0xFFF, None), required=True)


@attrs.define(kw_only=True, repr=False)
class UsbBusAddress(Model):
    """``<address bus= device=>`` after a USB vendor/product id."""

    __xml_tag__ = "address"

    bus: int = attribute(conv=HexInt(0, 0xFFF, None), required=True)
    device: int = attribute(conv=HexInt(0, 0xFFF, None), required=True)


@attrs.define(kw_only=True, repr=False)
class HostdevSource(Model):
    """``<source>`` of a hostdev interface: the PCI address of an SR-IOV VF
    (or a USB device by vendor/product or bus/device)."""

    __xml_tag__ = "source"

    missing: bool | None = attribute(conv=YES_NO)
    vendor: UsbId | None = element(UsbId, "vendor")
    product: UsbId | None = element(UsbId, "product")
    address: PciAddress | UsbDeviceAddress | UsbBusAddress | None = element(
        {"pci": PciAddress, "usb": UsbDeviceAddress, None: UsbBusAddress}
    )


@attrs.define(kw_only=True, repr=False)
class VdpaSource(Model):
    """``<source dev=>``: the vhost-vdpa character device."""

    __xml_tag__ = "source"

    dev: str = attribute(conv=NONEMPTY, required=True)


@attrs.define(kw_only=True, repr=False)
class VdsSource(Model):
    """``<source switchid= portid= portgroupid= connectionid=>`` of a VMware vDS port."""

    __xml_tag__ = "source"

    switchid: uuid.UUID = attribute(conv=UUID, required=True)
    portid: int | None = attribute(conv=Int(-(2**63), 2**63 - 1))
    portgroupid: str | None = attribute()
    connectionid: int | None = attribute(conv=Int(-(2**63), 2**63 - 1))


# ------------------------------------------------------------------ interfaces

_ORDER: tuple[str, ...] = (
    "managed",
    "trust_guest_rx_filters",
    "mac",
    "source",
    "vlan",
    "virtualport",
    "bandwidth",
    "port",
    "ips",
    "routes",
    "port_forwards",
    "script",
    "downscript",
    "backenddomain",
    "target",
    "guest",
    "model",
    "driver",
    "backend",
    "filterref",
    "tune",
    "teaming",
    "link",
    "mtu",
    "coalesce",
    "boot",
    "alias",
    "rom",
    "acpi",
    "address",
)


@attrs.define(kw_only=True, repr=False)
class Interface(Model):
    """A domain ``<interface>`` device: the base class of one class per ``type``.

    Build the subclass for the type you need (``NetworkInterface``,
    ``BridgeInterface``, ``HostdevInterface`` ...); ``iface.type`` tells it.
    ``Interface.from_xml`` returns the subclass the document's ``type`` names.
    """

    __xml_tag__ = "interface"
    __xml_order__ = _ORDER

    trust_guest_rx_filters: bool | None = attribute(conv=YES_NO)
    mac: InterfaceMac | None = element(InterfaceMac)
    vlan: Vlan | None = element(Vlan)
    bandwidth: Bandwidth | None = element(Bandwidth)
    port: PortOptions | None = element(PortOptions)
    ips: list[InterfaceIP] = elements(InterfaceIP)
    routes: list[Route] = elements(Route)
    port_forwards: list[PortForward] = elements(PortForward)
    script: Script | None = element(Script)
    downscript: Script | None = element(Script, "downscript")
    backenddomain: BackendDomain | None = element(BackendDomain)
    target: Target | None = element(Target)
    guest: InterfaceGuest | None = element(InterfaceGuest)
    model: NicModel | None = element(NicModel)
    backend: Backend | None = element(Backend)
    filterref: FilterRef | None = element(FilterRef)
    tune: Tune | None = element(Tune)
    teaming: Teaming | None = element(Teaming)
    link: Link | None = element(Link)
    mtu: Mtu | None = element(Mtu)
    coalesce: Coalesce | None = element(Coalesce)
    boot: Boot | None = element(Boot)
    alias: Alias | None = element(Alias)
    rom: Rom | None = element(Rom)
    acpi: Acpi | None = element(Acpi)
    address: DeviceAddress | None = element(ADDRESS_TYPES)

    def __attrs_post_init__(self) -> None:
        if not self.__xml_const__:
            names = ", ".join(sorted(c.__name__ for c in self.__xml_variants__.values()))
            raise FieldValueError(f"Interface is abstract; build one of its types: {names}")

    @property
    def type(self) -> InterfaceType:
        """The interface ``type``, derived from the class."""
        value: Any = self.__xml_const__[0][1]
        return value  # type: ignore[no-any-return]

    @property
    def mac_address(self) -> str | None:
        """``mac.address``, or ``None`` when libvirt is left to generate one."""
        return self.mac.address if self.mac is not None else None

    def __summary_row__(self) -> dict[str, str]:
        """The interface as one row of a notebook table (see :func:`interface_summary`)."""
        s = interface_summary(self)
        return {
            "type": s["type"],
            "source": s["source"] or "",
            "MAC": s["mac"] or "(generated)",
            "model": s["model"] or "",
            "ports": _ports_text(s),
        }


@attrs.define(kw_only=True, repr=False)
class _EmulatedNic(Interface):
    """Types whose NIC QEMU emulates, with a virtio ``<driver>``."""

    driver: NetDriver | None = element(NetDriver)


@attrs.define(kw_only=True, repr=False)
class NetworkInterface(_EmulatedNic):
    """``<interface type='network'>``: connect to a libvirt virtual network."""

    __xml_const__ = (("type", "network"),)

    source: NetworkSource = element(NetworkSource, required=True)
    virtualport: VirtualPort | None = element(VirtualPort)


@attrs.define(kw_only=True, repr=False)
class BridgeInterface(_EmulatedNic):
    """``<interface type='bridge'>``: connect to a host bridge (bridged mode)."""

    __xml_const__ = (("type", "bridge"),)

    source: BridgeSource | None = element(BridgeSource)
    virtualport: VirtualPort | None = element(VirtualPort)


@attrs.define(kw_only=True, repr=False)
class DirectInterface(_EmulatedNic):
    """``<interface type='direct'>``: macvtap on a host NIC."""

    __xml_const__ = (("type", "direct"),)

    source: DirectSource = element(DirectSource, required=True)
    virtualport: VirtualPort | None = element(VirtualPort)


_HOSTDEV_DRIVER_ATTRS = frozenset({"name", "model"})


def _hostdev_driver_class(el: Any) -> type[Model]:
    # The schema lets a hostdev interface carry either driver form; libvirt
    # rejects the virtio one at define time, but it must still round-trip.
    if set(el.attrib) <= _HOSTDEV_DRIVER_ATTRS and el.get("name") in (None, "kvm", "vfio", "xen"):
        return HostdevDriver
    return NetDriver


@attrs.define(kw_only=True, repr=False)
class HostdevInterface(Interface):
    """``<interface type='hostdev'>``: assign a device (an SR-IOV VF) to the guest.

    Unlike plain ``<hostdev>``, libvirt sets the VF's MAC, VLAN and
    virtualport before handing it over.
    """

    __xml_const__ = (("type", "hostdev"),)
    # libvirt writes a hostdev's <driver> before its <source>
    __xml_order__ = (*_ORDER[:3], "driver", *(n for n in _ORDER[3:] if n != "driver"))

    managed: bool | None = attribute(conv=YES_NO)
    driver: HostdevDriver | NetDriver | None = element(
        (HostdevDriver, NetDriver), choose=_hostdev_driver_class
    )
    source: HostdevSource = element(HostdevSource, required=True)
    virtualport: VirtualPort | None = element(VirtualPort)

    @classmethod
    def for_vf(
        cls, pci_address: str | PciAddress, mac: str | None = None, *, managed: bool = True
    ) -> HostdevInterface:
        """The interface ``virsh attach-interface VM hostdev ADDR --mac MAC --managed`` adds.

        ``pci_address`` is ``0000:82:10.0`` (sysfs/lspci notation) or a
        :class:`PciAddress`.
        """
        address = PciAddress.parse(pci_address) if isinstance(pci_address, str) else pci_address
        return cls(
            managed=managed,
            mac=InterfaceMac(address=mac) if mac is not None else None,
            source=HostdevSource(address=address),
        )


@attrs.define(kw_only=True, repr=False)
class UserInterface(_EmulatedNic):
    """``<interface type='user'>``: user-mode networking (SLIRP or passt)."""

    __xml_const__ = (("type", "user"),)

    source: UserSource | None = element(UserSource)


@attrs.define(kw_only=True, repr=False)
class EthernetInterface(_EmulatedNic):
    """``<interface type='ethernet'>``: a tap device libvirt does not attach anywhere."""

    __xml_const__ = (("type", "ethernet"),)

    source: EthernetSource | None = element(EthernetSource)


@attrs.define(kw_only=True, repr=False)
class VhostUserInterface(_EmulatedNic):
    """``<interface type='vhostuser'>``: a vhost-user socket (DPDK, OVS)."""

    __xml_const__ = (("type", "vhostuser"),)

    source: VhostUserSource | None = element(VhostUserSource)


@attrs.define(kw_only=True, repr=False)
class ServerInterface(_EmulatedNic):
    """``<interface type='server'>``: listen on a TCP socket for another guest."""

    __xml_const__ = (("type", "server"),)

    source: SocketSource = element(SocketSource, required=True)


@attrs.define(kw_only=True, repr=False)
class ClientInterface(_EmulatedNic):
    """``<interface type='client'>``: connect to another guest's server socket."""

    __xml_const__ = (("type", "client"),)

    source: SocketSource = element(SocketSource, required=True)


@attrs.define(kw_only=True, repr=False)
class McastInterface(_EmulatedNic):
    """``<interface type='mcast'>``: a multicast group shared by guests."""

    __xml_const__ = (("type", "mcast"),)

    source: SocketSource = element(SocketSource, required=True)


@attrs.define(kw_only=True, repr=False)
class UdpInterface(_EmulatedNic):
    """``<interface type='udp'>``: a UDP tunnel between guests."""

    __xml_const__ = (("type", "udp"),)

    source: UdpSource = element(UdpSource, required=True)


@attrs.define(kw_only=True, repr=False)
class VdpaInterface(_EmulatedNic):
    """``<interface type='vdpa'>``: a vDPA device."""

    __xml_const__ = (("type", "vdpa"),)

    source: VdpaSource = element(VdpaSource, required=True)


@attrs.define(kw_only=True, repr=False)
class NullInterface(_EmulatedNic):
    """``<interface type='null'>``: a NIC connected to nothing."""

    __xml_const__ = (("type", "null"),)


@attrs.define(kw_only=True, repr=False)
class VdsInterface(_EmulatedNic):
    """``<interface type='vds'>``: a VMware distributed switch port."""

    __xml_const__ = (("type", "vds"),)

    source: VdsSource = element(VdsSource, required=True)


@attrs.define(kw_only=True, repr=False)
class InternalInterface(_EmulatedNic):
    """``<interface type='internal'>``: a VirtualBox internal network."""

    __xml_const__ = (("type", "internal"),)

    source: InternalSource = element(InternalSource, required=True)


INTERFACE_TYPES: dict[str | None, type[Model]] = {
    c.__xml_const__[0][1]: c
    for c in (
        NetworkInterface,
        BridgeInterface,
        DirectInterface,
        HostdevInterface,
        UserInterface,
        EthernetInterface,
        VhostUserInterface,
        ServerInterface,
        ClientInterface,
        McastInterface,
        UdpInterface,
        VdpaInterface,
        NullInterface,
        VdsInterface,
        InternalInterface,
    )
}
Interface.__xml_variants__ = INTERFACE_TYPES


def _source_text(iface: Interface) -> str | None:
    source: Model | None = getattr(iface, "source", None)
    if source is None:
        return None
    for name in ("network", "bridge", "dev", "name", "path", "switchid"):
        value = getattr(source, name, None)
        if value is not None:
            return f"{name} {value}"
    address = getattr(source, "address", None)
    if address is not None:
        return f"address {address}" if str(address) else type(address).__name__
    return None


def interface_summary(iface: Interface) -> dict[str, Any]:
    """The facts of a domain interface worth a glance, as plain values."""
    expect_model(iface, Interface)
    ports: list[dict[str, Any]] = []
    for fwd in iface.port_forwards:
        entry: dict[str, Any] = {"proto": fwd.proto, "address": fwd.address and str(fwd.address)}
        entry["dev"] = fwd.dev
        # runs of ports, never one entry per port: a range of 65,535 ports
        # is one entry (a few bytes of XML must not cost megabytes here)
        entry["mappings"] = (
            [
                {"host": [first, last], "guest": [guest, guest + last - first]}
                for first, last, guest in fwd.mapped_ranges()
            ]
            if fwd.ranges
            else "all"
        )
        ports.append(entry)
    return {
        "type": iface.type,
        "source": _source_text(iface),
        "mac": iface.mac_address,
        "model": iface.model.type if iface.model is not None else None,
        "backend": iface.backend.type if iface.backend is not None else None,
        "boot_order": iface.boot.order if iface.boot is not None else None,
        "port_forwards": ports,
    }


def _ports_text(summary: dict[str, Any]) -> str:
    parts = []
    for fwd in summary["port_forwards"]:
        where = (fwd["address"] or "*") + (f"%{fwd['dev']}" if fwd["dev"] else "")
        mapped = fwd["mappings"]
        if mapped == "all":
            parts.append(f"{fwd['proto']} {where}: all")
            continue
        runs = [f"{_span(run['host'])}→{_span(run['guest'])}" for run in mapped]
        more = f" … (+{len(runs) - 6} ranges)" if len(runs) > 6 else ""
        parts.append(f"{fwd['proto']} {where}: {', '.join(runs[:6])}{more}")
    return "; ".join(parts)


def _span(pair: list[int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}-{pair[1]}"
