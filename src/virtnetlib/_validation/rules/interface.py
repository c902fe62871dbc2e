"""Checks libvirt makes when it parses and defines a domain's ``<interface>``, E2xx.

virDomainNetDefParseXML (``src/conf/domain_conf.c``) reads an interface;
virDomainNetDefValidate (``src/conf/domain_validate.c``) checks it once
read. The checks across a whole domain's devices (boot order, host devices,
aliases, PCI addresses) are here too. The test suite holds every rule to
libvirt's test driver, except E252 and E253 (passt rules of libvirt 9.2
and later) and E264 (a real libvirtd's QEMU driver).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import attrs
from lxml import etree

from virtnetlib._core.errors import ParseError
from virtnetlib._core.model import parse_root
from virtnetlib._core.xml import element_path
from virtnetlib._models.common import PciAddress
from virtnetlib._models.interface import (
    EthernetSource,
    HostdevInterface,
    Interface,
    NetDriver,
    NetworkInterface,
    UserInterface,
    VhostUserInterface,
)
from virtnetlib._validation.problem import Problem
from virtnetlib._validation.rules.common import family, multicast, route
from virtnetlib._validation.rules.engine import RULES, DomainDevices, Finding, at, repeated, rule

VIRTIO_MODELS = frozenset({"virtio", "virtio-transitional", "virtio-non-transitional"})


@rule(
    "E243",
    "an interface MAC address must be unicast",
    on=Interface,
    libvirt="virDomainNetDefParseXML",
)
def _mac(iface: Interface) -> Iterator[Finding]:
    if iface.mac is not None and multicast(iface.mac.address):
        yield "E243", f"{iface.mac.address} is a multicast MAC address", "mac", "address"


@rule(
    "E240",
    "<port isolated> only for network, bridge and direct interfaces without Open vSwitch",
    on=Interface,
    libvirt="virDomainNetDefValidatePortOptions",
)
def _isolated_port(iface: Interface) -> Iterator[Finding]:
    if iface.port is None or not iface.port.isolated:
        return
    vport = getattr(iface, "virtualport", None)
    if iface.type not in ("network", "bridge", "direct"):
        yield (
            "E240",
            f"<port isolated='yes'/> is not supported for type {iface.type!r}",
            "port",
            None,
        )
    elif vport is not None and vport.type == "openvswitch":
        yield "E240", "<port isolated='yes'/> is not supported with Open vSwitch", "port", None


@rule(
    "E242",
    "vhost-user needs a virtio model",
    on=VhostUserInterface,
    libvirt="qemuValidateDomainDeviceDefNetwork",
    note="libvirt 9.0: `virDomainNetDefValidate`, for every driver",
)
def _vhostuser_model(iface: VhostUserInterface) -> Iterator[Finding]:
    if (iface.model is None or not iface.model.type.startswith("virtio")) and not (
        iface.backend is not None and iface.backend.type == "passt"
    ):
        yield (
            "E242",
            "vhost-user requires a virtio model (<model type='virtio'/>)",
            "model" if iface.model is not None else ".",
            None,
        )


@rule(
    "E245",
    "teaming type transient needs persistent=",
    on=Interface,
    libvirt="virDomainNetDefValidate",
)
def _teaming(iface: Interface) -> Iterator[Finding]:
    teaming = iface.teaming
    if teaming is not None and teaming.type == "transient" and not teaming.persistent:
        yield "E245", "teaming type 'transient' needs persistent=", "teaming", None


@rule(
    "E246",
    "ROM options need the ROM enabled",
    on=Interface,
    libvirt="virDomainDeviceInfoParseXML",
)
def _rom(iface: Interface) -> Iterator[Finding]:
    rom = iface.rom
    if rom is not None and rom.enabled is False and (rom.bar is not None or rom.file is not None):
        yield "E246", "ROM tuning is not supported when the ROM is disabled", "rom", None


@rule(
    "E247",
    "bandwidth floor only on interfaces of type network",
    on=Interface,
    libvirt="virNetDevBandwidthParseRate",
    note="`virDomainNetDefParseXML` allows floor for type='network' only",
)
def _interface_floor(iface: Interface) -> Iterator[Finding]:
    bw = iface.bandwidth
    if (
        bw is not None
        and bw.inbound is not None
        and bw.inbound.floor is not None
        and not isinstance(iface, NetworkInterface)
    ):
        yield (
            "E247",
            "bandwidth floor is only supported for type 'network'",
            "bandwidth/inbound",
            "floor",
        )


@rule(
    "E257",
    "a type='bridge' interface needs a <source>",
    on=Interface,
    libvirt="virDomainNetDefParseXMLRequireSource",
)
def _bridge_source(iface: Interface) -> Iterator[Finding]:
    if iface.type == "bridge" and getattr(iface, "source", None) is None:
        yield "E257", "interface type='bridge' needs <source bridge=...>", ".", None


@rule(
    "E258",
    "driver options iommu, ats, packed and page_per_vq only with a virtio model",
    on=Interface,
    libvirt="virDomainCheckVirtioOptionsAreAbsent",
    note="called by `virDomainNetDefValidate`",
)
def _virtio_options(iface: Interface) -> Iterator[Finding]:
    driver = getattr(iface, "driver", None)
    if not isinstance(driver, NetDriver) or (
        iface.model is not None and iface.model.type in VIRTIO_MODELS
    ):
        return
    for name in ("iommu", "ats", "packed", "page_per_vq"):
        if getattr(driver, name) is not None:
            yield (
                "E258",
                f"driver option {name} is only for virtio models, not "
                + (repr(iface.model.type) if iface.model is not None else "the default model"),
                "driver",
                name,
            )


@rule("E213", on=Interface, libvirt=("virDomainNetIPParseXML", "virNetDevIPRouteCreate"))
@rule("E214", on=Interface, libvirt=("virDomainNetIPParseXML", "virNetDevIPRouteCreate"))
@rule("E228", on=Interface, libvirt="virNetDevIPRouteCreate")
def _ip_info(iface: Interface) -> Iterator[Finding]:
    # virDomainNetIPInfoParseXML reads the guest side's <ip> and <route>,
    # then the host side's (an ethernet interface's <source>)
    yield from _addresses(iface, "")
    source = getattr(iface, "source", None)
    if isinstance(source, EthernetSource):
        yield from _addresses(source, "source/")


def _addresses(owner: Interface | EthernetSource, where: str) -> Iterator[Finding]:
    for i, ip in enumerate(owner.ips):
        path = where + at(owner, "ips", i)
        # an interface's <ip> without family takes the address's
        if wrong := family(ip.family, ip.address, path, absent_is_ipv4=False):
            yield wrong
        elif ip.prefix is not None and ip.prefix > ip.address.max_prefixlen:
            yield "E214", f"prefix {ip.prefix} is too long for {ip.address}", path, "prefix"
    for i, rt in enumerate(owner.routes):
        yield from route(rt, where + at(owner, "routes", i))


@rule(
    "E249",
    "an <ip> peer must be of the address's family",
    on=Interface,
    libvirt="virDomainNetIPParseXML",
)
def _peers(iface: Interface) -> Iterator[Finding]:
    for i, ip in enumerate(iface.ips):
        if ip.peer is not None and ip.peer.version != ip.address.version:
            yield (
                "E249",
                f"peer {ip.peer} is not of {ip.address}'s address family",
                at(iface, "ips", i),
                "peer",
            )


@rule(
    "E250",
    "vhost-user reconnect: client mode only, and enabled='yes' needs timeout",
    on=VhostUserInterface,
    libvirt=("qemuValidateDomainDeviceDefNetwork", "virDomainChrSourceReconnectDefParseXML"),
    note="libvirt 9.0: `virDomainNetDefValidate` refused server mode for every driver",
)
def _reconnect(iface: VhostUserInterface) -> Iterator[Finding]:
    source = iface.source
    rc = source.reconnect if source is not None else None
    if source is None or rc is None:
        return
    if source.mode == "server":
        yield "E250", "reconnect is not supported in server mode", "source/reconnect", None
    elif rc.enabled and rc.timeout is None:
        yield "E250", "reconnect enabled='yes' needs a timeout", "source/reconnect", None


@rule(
    "E252",
    "<portForward> needs the passt backend (libvirt >= 9.2)",
    on=Interface,
    libvirt="virDomainNetDefValidate",
)
@rule(
    "E253",
    "the passt backend is for user (and vhostuser, libvirt >= 11.1) interfaces",
    on=Interface,
    libvirt="virDomainNetDefValidate",
)
def _passt(iface: Interface) -> Iterator[Finding]:
    passt = iface.backend is not None and iface.backend.type == "passt"
    if iface.port_forwards and not passt:
        yield (
            "E252",
            "<portForward> can only be used with <backend type='passt'/>",
            at(iface, "port_forwards"),
            None,
        )
    if passt and not isinstance(iface, (UserInterface, VhostUserInterface)):
        yield (
            "E253",
            f"the passt backend is not supported for type {iface.type!r}",
            "backend",
            "type",
        )


@rule(
    "E268",
    "a hostdev interface's driver name is kvm, vfio or xen",
    on=HostdevInterface,
    libvirt="virDeviceHostdevPCIDriverInfoParseXML",
)
def _hostdev_driver(iface: HostdevInterface) -> Iterator[Finding]:
    name = getattr(iface.driver, "name", None)  # the virtio form also has one (qemu, vhost)
    if name is not None and name not in ("kvm", "vfio", "xen"):
        yield (
            "E268",
            (
                f"driver name {name!r}: a hostdev interface's driver is how the device is "
                "assigned: kvm, vfio or xen"
            ),
            "driver",
            "name",
        )


@rule(
    "E267",
    "<target managed='no'> only on type='ethernet' interfaces",
    on=Interface,
    libvirt="virDomainNetDefValidate",
)
def _unmanaged_target(iface: Interface) -> Iterator[Finding]:
    target = iface.target
    if target is not None and target.managed is False and iface.type != "ethernet":
        yield (
            "E267",
            f"an unmanaged target (managed='no') is only for ethernet interfaces, not {iface.type}",
            "target",
            "managed",
        )


# ----------------------------------------------------- across a domain's devices


@rule(
    "E244",
    "boot order values must be unique in a domain",
    on=DomainDevices,
    libvirt="virDomainDefCollectBootOrder",
)
def _boot_orders(root: Any) -> Iterator[Problem]:
    return repeated(
        root.iterfind("devices//boot"),
        lambda boot: boot.get("order"),
        "E244",
        "boot order {} is used by more than one device",
        "/@order",
    )


@rule(
    "E269",
    "per-device boot order cannot be used together with <os><boot dev=>",
    on=DomainDevices,
    libvirt="virDomainDefBootOrderPostParse",
)
def _boot_order_and_os_boot(root: Any) -> Iterator[Problem]:
    device = next(root.iterfind("devices//boot[@order]"), None)
    os_boot = next(root.iterfind("os/boot"), None)
    if device is None or os_boot is None:
        return
    owner = device.getparent()
    yield Problem(
        RULES["E269"].severity,
        "E269",
        f"<os><boot dev={os_boot.get('dev')!r}/> cannot be used together with the per-device "
        f"<boot order=> of {element_path(owner)} (line {device.sourceline}); libvirt refuses "
        "the domain: remove the <os><boot> elements (Guest.set_boot_interface does)",
        os_boot.sourceline,
        element_path(os_boot),
    )


def _pci_text(address: Any, *, bus_required: bool) -> str | None:
    """A PCI address as libvirt reads and compares it (``0000:03:10.1``: 0x03
    and 3 are one bus), or ``None`` when it does not parse (the device's own
    checks say why) or lacks the slot (libvirt picks one) or a required bus."""
    if address.get("type") is None:  # a <hostdev type='pci'>'s source address
        address = etree.Element("address", dict(address.attrib), type="pci")
    try:
        pci = parse_root(PciAddress, address, strict=True)
    except ParseError:
        return None
    if pci.slot is None or (bus_required and pci.bus is None):
        return None
    full = attrs.evolve(pci, domain=pci.domain or 0, bus=pci.bus or 0, function=pci.function or 0)
    return str(full)


def _usb_source(address: Any) -> str | None:
    bus, device = address.get("bus"), address.get("device")
    return f"usb {bus}:{device}" if bus is not None and device is not None else None


def _host_device_key(el: Any) -> str | None:
    """The host device a ``<hostdev>`` or an ``<interface type='hostdev'>`` takes."""
    address = el.find("source/address")
    if address is None:
        return None
    if el.tag == "hostdev":
        if el.get("mode", "subsystem") != "subsystem":
            return None
        kind = el.get("type")
    else:
        kind = address.get("type")
    if kind == "pci":
        pci = _pci_text(address, bus_required=True)
        return None if pci is None else f"pci {pci}"
    if kind == "usb":
        return _usb_source(address)
    return None


@rule(
    "E248",
    "a host device may be assigned once per domain (as <hostdev> or <interface type='hostdev'>)",
    on=DomainDevices,
    libvirt="virDomainDefHostdevValidate",
    note="the device found by `virDomainHostdevFind`, for a `<hostdev>` and a hostdev NIC alike",
)
def _host_devices(root: Any) -> Iterator[Problem]:
    return repeated(
        (
            el
            for el in root.iterfind("devices/*")
            if el.tag == "hostdev" or (el.tag == "interface" and el.get("type") == "hostdev")
        ),
        _host_device_key,
        "E248",
        "host device {} is assigned to the domain twice; libvirt refuses it ('Hostdev "
        "already exists'): an <interface type='hostdev'> replacing a <hostdev> for a VF "
        "needs the <hostdev> removed",
        "/source/address",
    )


@rule(
    "E261",
    "a user alias (ua-...) names one device of a domain",
    on=DomainDevices,
    libvirt="virDomainDeviceDefValidateAliasesIterator",
)
def _aliases(root: Any) -> Iterator[Problem]:
    def user_alias(alias: Any) -> str | None:
        # libvirt keeps only user aliases ("ua-" names) in a definition
        name: str | None = alias.get("name")
        return name if name is not None and name.startswith("ua-") else None

    return repeated(
        root.iterfind("devices/*/alias"),
        user_alias,
        "E261",
        "alias {!r} already names another device of the domain",
        "/@name",
    )


@rule(
    "E264",
    "a PCI address used by two devices (libvirt's QEMU driver refuses the domain)",
    on=DomainDevices,
    libvirt="virDomainPCIAddressReserveAddrInternal",
    note="as `qemuDomainCollectPCIAddress` reserves each device's address",
)
def _pci_addresses(root: Any) -> Iterator[Problem]:
    return repeated(
        root.iterfind("devices/*/address[@type='pci']"),
        functools.partial(_pci_text, bus_required=False),
        "E264",
        "PCI address {} is already used by another device; libvirt's QEMU driver "
        "refuses the domain ('Attempted double use of PCI Address')",
        "",
    )
