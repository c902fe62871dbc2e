"""Device addresses (``<address type=...>``) of domain devices.

The PCI address is the same class the network model uses for its hostdev
pool; the other bus types complete libvirt's ``address`` union so an
interface on any machine type round-trips.
"""

from __future__ import annotations

from typing import Literal

import attrs

from virtnetlib._core.converters import HexInt, Int, Text
from virtnetlib._core.fields import attribute
from virtnetlib._core.model import Model
from virtnetlib._models.common import PciAddress

UINT = Int(0, 2**32 - 1)

AddressType = Literal[
    "pci",
    "drive",
    "virtio-serial",
    "ccid",
    "usb",
    "spapr-vio",
    "ccw",
    "isa",
    "virtio-mmio",
    "dimm",
    "unassigned",
]
"""The ``type`` of a device ``<address>``."""


@attrs.define(kw_only=True, repr=False)
class DriveAddress(Model):
    """``<address type='drive' controller= bus= target= unit=>``."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "drive"),)

    controller: int | None = attribute(conv=UINT)
    bus: int | None = attribute(conv=UINT)
    target: int | None = attribute(conv=UINT)
    unit: int | None = attribute(conv=UINT)


@attrs.define(kw_only=True, repr=False)
class VirtioSerialAddress(Model):
    """``<address type='virtio-serial' controller= bus= port=>``."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "virtio-serial"),)

    controller: int | None = attribute(conv=UINT)
    bus: int | None = attribute(conv=UINT)
    port: int | None = attribute(conv=UINT)


@attrs.define(kw_only=True, repr=False)
class CcidAddress(Model):
    """``<address type='ccid' controller= slot=>``."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "ccid"),)

    controller: int | None = attribute(conv=UINT)
    slot: int | None = attribute(conv=UINT)


@attrs.define(kw_only=True, repr=False)
class UsbAddress(Model):
    """``<address type='usb' bus= port=>``; ``port`` is a dotted hub path like ``1.2``."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "usb"),)

    bus: int | None = attribute(conv=HexInt(0, 0xFFF, None))
    port: str | None = attribute(conv=Text(nonempty=True))


@attrs.define(kw_only=True, repr=False)
class SpaprVioAddress(Model):
    """``<address type='spapr-vio' reg=>`` (pSeries)."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "spapr-vio"),)

    reg: int | None = attribute(conv=HexInt(0, 0xFFFFFFFF, 8))


@attrs.define(kw_only=True, repr=False)
class CcwAddress(Model):
    """``<address type='ccw' cssid= ssid= devno=>`` (s390)."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "ccw"),)

    cssid: int | None = attribute(conv=HexInt(0, 0xFE, 1))
    ssid: int | None = attribute(conv=HexInt(0, 3, 1))
    devno: int | None = attribute(conv=HexInt(0, 0xFFFF, 4))


@attrs.define(kw_only=True, repr=False)
class IsaAddress(Model):
    """``<address type='isa' iobase= irq=>``."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "isa"),)

    iobase: int | None = attribute(conv=HexInt(0, 0xFFFF, 1))
    irq: int | None = attribute(conv=HexInt(0, 0xF, 1))


@attrs.define(kw_only=True, repr=False)
class VirtioMmioAddress(Model):
    """``<address type='virtio-mmio'/>``."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "virtio-mmio"),)


@attrs.define(kw_only=True, repr=False)
class DimmAddress(Model):
    """``<address type='dimm' slot= base=>``."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "dimm"),)

    slot: int | None = attribute(conv=UINT)
    base: int | None = attribute(conv=HexInt(0, 2**64 - 1, 1))


@attrs.define(kw_only=True, repr=False)
class UnassignedAddress(Model):
    """``<address type='unassigned'/>``: a device deliberately left off any bus."""

    __xml_tag__ = "address"
    __xml_const__ = (("type", "unassigned"),)


DeviceAddress = (
    PciAddress
    | DriveAddress
    | VirtioSerialAddress
    | CcidAddress
    | UsbAddress
    | SpaprVioAddress
    | CcwAddress
    | IsaAddress
    | VirtioMmioAddress
    | DimmAddress
    | UnassignedAddress
)
"""Any device address; the class says its ``type``."""

ADDRESS_TYPES: dict[str | None, type[Model]] = {
    "pci": PciAddress,
    "drive": DriveAddress,
    "virtio-serial": VirtioSerialAddress,
    "ccid": CcidAddress,
    "usb": UsbAddress,
    "spapr-vio": SpaprVioAddress,
    "ccw": CcwAddress,
    "isa": IsaAddress,
    "virtio-mmio": VirtioMmioAddress,
    "dimm": DimmAddress,
    "unassigned": UnassignedAddress,
}
