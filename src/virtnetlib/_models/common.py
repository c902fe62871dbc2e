"""Elements shared by networks and domain interfaces, declared once.

PCI addresses, VLAN tags, bandwidth limits, virtual port profiles, static
routes, MTU and port options mean the same thing under ``<network>``,
``<portgroup>`` and a domain ``<interface>``, so each is one class here.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Literal

import attrs

from virtnetlib._core.converters import (
    Bool,
    HexInt,
    Int,
    IPAddr,
    IPAddress,
    Mac,
    Text,
    UUIDConv,
)
from virtnetlib._core.errors import ParseError
from virtnetlib._core.fields import attribute, element, elements
from virtnetlib._core.model import Model

YES_NO = Bool("yes", "no")
ON_OFF = Bool("on", "off")
UINT = Int(0, 2**32 - 1)
ULONG = Int(0, 2**64 - 1)
PORT = Int(1, 65535)
USHORT = Int(0, 65535)
IP = IPAddr()
IPV4 = IPAddr(4)
PREFIX = Int(0, 128)
UUID = UUIDConv()
NONEMPTY = Text(nonempty=True)

AddressFamily = Literal["ipv4", "ipv6"]
"""An ``ip``/``route`` ``family``: ``ipv4`` or ``ipv6``."""


@attrs.define(kw_only=True, repr=False)
class ZPci(Model):
    """``<zpci uid= fid=>``: s390 zPCI identifiers of a PCI address."""

    __xml_tag__ = "zpci"

    uid: int | None = attribute(conv=HexInt(0, 0xFFFF, 4))
    fid: int | None = attribute(conv=HexInt(0, 0xFFFFFFFF, 8))


@attrs.define(kw_only=True, repr=False)
class PciAddress(Model):
    """A PCI address ``<address type='pci' domain= bus= slot= function=/>``.

    Numbers are ``int``; libvirt writes them in hex (``domain='0x0000'``,
    ``bus='0x82'``, ``slot='0x10'``, ``function='0x0'``). :meth:`parse`
    and ``str()`` use the ``0000:82:10.0`` notation of ``lspci`` and sysfs.
    """

    __xml_tag__ = "address"
    __xml_const__ = (("type", "pci"),)

    domain: int | None = attribute(conv=HexInt(0, 0xFFFFFFFF, 4))
    bus: int | None = attribute(conv=HexInt(0, 0xFF, 2))
    slot: int | None = attribute(conv=HexInt(0, 0x1F, 2))
    function: int | None = attribute(conv=HexInt(0, 7, 1))
    multifunction: bool | None = attribute(conv=ON_OFF)
    zpci: ZPci | None = element(ZPci)

    @classmethod
    def parse(cls, text: str) -> PciAddress:
        """Build from ``DDDD:BB:SS.F`` (or ``BB:SS.F``), as sysfs and lspci print it."""
        parts = text.strip().split(":")
        try:
            if len(parts) == 2:
                parts.insert(0, "0")
            if len(parts) != 3 or "." not in parts[2]:
                raise ValueError
            slot, function = parts[2].split(".")
            return cls(
                domain=int(parts[0], 16),
                bus=int(parts[1], 16),
                slot=int(slot, 16),
                function=int(function, 16),
            )
        except (ValueError, TypeError):
            raise ParseError(f"expected a PCI address like 0000:82:10.0, got {text!r}") from None

    def __str__(self) -> str:
        return (
            f"{self.domain or 0:04x}:{self.bus or 0:02x}:"
            f"{self.slot or 0:02x}.{self.function or 0:x}"
        )


@attrs.define(kw_only=True, repr=False)
class VlanTag(Model):
    """One ``<tag id= nativeMode=/>`` of a ``<vlan>``."""

    __xml_tag__ = "tag"

    id: int = attribute(conv=Int(0, 4095), required=True)
    native_mode: Literal["tagged", "untagged"] | None = attribute()


@attrs.define(kw_only=True, repr=False)
class Vlan(Model):
    """``<vlan trunk='yes'>`` with one or more tags.

    ``trunk`` is ``True`` when written; libvirt only knows ``trunk='yes'``.
    """

    __xml_tag__ = "vlan"

    trunk: bool | None = attribute(conv=YES_NO)
    tags: list[VlanTag] = elements(VlanTag)


@attrs.define(kw_only=True, repr=False)
class BandwidthRate(Model):
    """``<inbound>``/``<outbound>``: rates in KiB/s, burst in KiB."""

    __xml_tag__ = "inbound"

    average: int | None = attribute(conv=Int(1, 18014398509481984))
    peak: int | None = attribute(conv=Int(1, 18014398509481984))
    floor: int | None = attribute(conv=Int(1, 18014398509481984))
    burst: int | None = attribute(conv=Int(1, 2**32 - 1))


@attrs.define(kw_only=True, repr=False)
class Bandwidth(Model):
    """``<bandwidth>`` quality of service: inbound and outbound limits.

    ``class_id`` is the live ``classID`` libvirt assigns on a running network.
    """

    __xml_tag__ = "bandwidth"

    class_id: int | None = attribute("classID", conv=Int(1))
    inbound: BandwidthRate | None = element(BandwidthRate, "inbound")
    outbound: BandwidthRate | None = element(BandwidthRate, "outbound")


VirtualPortType = Literal["802.1Qbg", "802.1Qbh", "openvswitch", "midonet"]
"""The ``type`` of a ``<virtualport>``."""


@attrs.define(kw_only=True, repr=False)
class VirtualPortParameters(Model):
    """``<parameters>`` of a ``<virtualport>``; which apply depends on the type.

    802.1Qbg: ``managerid``, ``typeid``, ``typeidversion``, ``instanceid``;
    802.1Qbh: ``profileid``; openvswitch: ``profileid``, ``interfaceid``;
    midonet: ``interfaceid``.
    """

    __xml_tag__ = "parameters"

    managerid: int | None = attribute(conv=HexInt(0, 255, None))
    typeid: int | None = attribute(conv=HexInt(0, 0xFFFFFF, None))
    typeidversion: int | None = attribute(conv=HexInt(0, 255, None))
    instanceid: uuid.UUID | None = attribute(conv=UUID)
    interfaceid: uuid.UUID | None = attribute(conv=UUID)
    profileid: str | None = attribute()


@attrs.define(kw_only=True, repr=False)
class VirtualPort(Model):
    """``<virtualport type=>``: an 802.1Qbg/Qbh, Open vSwitch or MidoNet port.

    ``type`` may be left out in a network or portgroup and merged from the
    interface that uses it.
    """

    __xml_tag__ = "virtualport"

    type: VirtualPortType | None = attribute()
    parameters: VirtualPortParameters | None = element(VirtualPortParameters)


@attrs.define(kw_only=True, repr=False)
class Route(Model):
    """A static ``<route address= prefix= gateway= metric=/>``."""

    __xml_tag__ = "route"

    family: AddressFamily | None = attribute()
    address: IPAddress = attribute(conv=IP, required=True)
    netmask: ipaddress.IPv4Address | None = attribute(conv=IPV4)
    prefix: int | None = attribute(conv=PREFIX)
    gateway: IPAddress = attribute(conv=IP, required=True)
    metric: int | None = attribute(conv=UINT)


@attrs.define(kw_only=True, repr=False)
class Mtu(Model):
    """``<mtu size=>`` in bytes."""

    __xml_tag__ = "mtu"

    size: int = attribute(conv=USHORT, required=True)


@attrs.define(kw_only=True, repr=False)
class PortOptions(Model):
    """``<port isolated='yes'/>``: ports that may not talk to each other."""

    __xml_tag__ = "port"

    isolated: bool | None = attribute(conv=YES_NO)


def port_union(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inclusive port ranges merged into sorted, disjoint ones."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


@attrs.define(kw_only=True, repr=False)
class MacAddress(Model):
    """``<mac address=>``: the MAC address of a network's bridge or of a host NIC.

    (A guest NIC's ``<mac>`` has more attributes: :class:`InterfaceMac`.)
    """

    __xml_tag__ = "mac"

    address: str = attribute(conv=Mac(), required=True)


@attrs.define(kw_only=True, repr=False)
class HostdevDriver(Model):
    """``<driver name= model=>`` for hostdev assignment (``vfio`` today)."""

    __xml_tag__ = "driver"

    name: Literal["kvm", "vfio", "xen"] | None = attribute()
    model: str | None = attribute()


MacTableManager = Literal["kernel", "libvirt"]
"""Who manages the bridge's forwarding table: the kernel or libvirt."""
