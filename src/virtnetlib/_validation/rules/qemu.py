"""Checks libvirt's QEMU driver makes when it defines a domain, E5xx.

qemuValidateDomainDeviceDefNetwork (``src/qemu/qemu_validate.c``) checks
an interface beyond the parser. A ``<domain type='kvm'>`` or ``type='qemu'``
gets these rules; other drivers (LXC sets guest addresses, for one) and
interfaces seen without their domain do not. The integration tests hold
each to a real libvirtd's QEMU driver.
"""

from __future__ import annotations

from collections.abc import Iterator

from virtnetlib._models.address import UnassignedAddress
from virtnetlib._models.common import PciAddress
from virtnetlib._models.interface import Interface, NetDriver
from virtnetlib._validation.rules.engine import QEMU_DOMAIN_TYPES, Finding, at, rule
from virtnetlib._validation.rules.interface import VIRTIO_MODELS

#: What qemuDomainNetSupportsMTU takes (type='user' only with the passt backend).
_QEMU_MTU_TYPES = frozenset({"network", "bridge", "ethernet", "vhostuser"})


@rule(
    "E501",
    "QEMU: guest-side <ip> and <route> only on user (and vdpa) interfaces",
    on=Interface,
    libvirt="qemuValidateDomainDeviceDefNetwork",
    domain_types=QEMU_DOMAIN_TYPES,
)
@rule(
    "E502",
    "QEMU user networking: no route or peer, one address per family, IPv4 prefix 4 to 27, "
    "IPv6 prefix 64",
    on=Interface,
    libvirt="qemuValidateDomainDeviceDefNetwork",
    domain_types=QEMU_DOMAIN_TYPES,
)
def _guest_addresses(iface: Interface) -> Iterator[Finding]:
    if iface.type == "user":
        yield from _user_addresses(iface)
    elif iface.type != "vdpa" and (iface.ips or iface.routes):
        where = at(iface, "ips") if iface.ips else at(iface, "routes")
        message = (
            "libvirt's QEMU driver cannot set guest-side addresses or routes on a "
            f"type={iface.type!r} interface (only type='user' takes an <ip>)"
        )
        yield "E501", message, where, None


def _user_addresses(iface: Interface) -> Iterator[Finding]:
    if iface.routes:
        yield (
            "E502",
            "libvirt's QEMU driver cannot set guest-side routes on a type='user' interface",
            at(iface, "routes"),
            None,
        )
    seen: set[int] = set()
    for i, ip in enumerate(iface.ips):
        path = at(iface, "ips", i)
        version = ip.address.version
        if ip.peer is not None:
            yield "E502", "user networking takes no peer address", path, "peer"
        if version in seen:
            yield (
                "E502",
                f"user networking takes one IPv{version} address per interface",
                path,
                None,
            )
        seen.add(version)
        if version == 4 and ip.prefix and not 4 <= ip.prefix <= 27:
            yield (
                "E502",
                f"user networking takes an IPv4 prefix from 4 to 27, not {ip.prefix}",
                path,
                "prefix",
            )
        if version == 6 and ip.prefix and ip.prefix != 64:
            yield (
                "E502",
                f"user networking takes an IPv6 prefix of 64, not {ip.prefix}",
                path,
                "prefix",
            )


def _model(iface: Interface) -> str | None:
    return iface.model.type if iface.model is not None else None


@rule(
    "E503",
    "QEMU: a vdpa interface's model is virtio",
    on=Interface,
    libvirt="qemuValidateDomainDeviceDefNetwork",
    domain_types=QEMU_DOMAIN_TYPES,
)
def _vdpa_model(iface: Interface) -> Iterator[Finding]:
    model = _model(iface)
    if iface.type == "vdpa" and model is not None and model != "virtio":
        yield "E503", f"a vdpa interface takes model 'virtio', not {model!r}", "model", "type"


@rule(
    "E504",
    "QEMU: virtio rx_queue_size and tx_queue_size are powers of two",
    on=Interface,
    libvirt="qemuValidateDomainDeviceDefNetwork",
    domain_types=QEMU_DOMAIN_TYPES,
)
def _queue_sizes(iface: Interface) -> Iterator[Finding]:
    driver = getattr(iface, "driver", None)
    if isinstance(driver, NetDriver) and _model(iface) in VIRTIO_MODELS:
        for name in ("rx_queue_size", "tx_queue_size"):
            size = getattr(driver, name)
            if size is not None and size & (size - 1):
                yield "E504", f"{name} {size} is not a power of two", "driver", name


@rule(
    "E505",
    "QEMU: <mtu> only on network, bridge, ethernet, vhostuser and passt interfaces",
    on=Interface,
    libvirt="qemuValidateDomainDeviceDefNetwork",
    note="as `qemuDomainNetSupportsMTU` answers",
    domain_types=QEMU_DOMAIN_TYPES,
)
def _mtu(iface: Interface) -> Iterator[Finding]:
    passt = iface.backend is not None and iface.backend.type == "passt"
    if iface.mtu is not None and not (
        iface.type in _QEMU_MTU_TYPES or (iface.type == "user" and passt)
    ):
        yield (
            "E505",
            f"libvirt's QEMU driver cannot set the MTU of a type={iface.type!r} interface",
            "mtu",
            None,
        )


@rule(
    "E506",
    "QEMU: teaming persistent needs a virtio model; transient is hostdev or network",
    on=Interface,
    libvirt=("qemuValidateDomainDeviceDefNetwork", "qemuDomainValidateActualNetDef"),
    domain_types=QEMU_DOMAIN_TYPES,
)
def _teaming(iface: Interface) -> Iterator[Finding]:
    teaming = iface.teaming
    if teaming is None:
        return
    model = _model(iface)
    if teaming.type == "persistent" and model is not None and model not in VIRTIO_MODELS:
        message = f"a teaming persistent interface needs a virtio model, not {model!r}"
        yield "E506", message, "model", "type"
    # a type='network' one is checked again once its network's type is known
    # (qemuDomainValidateActualNetDef)
    if teaming.type == "transient" and iface.type not in ("hostdev", "network"):
        message = (
            "a teaming transient interface is type='hostdev' (or a network of VFs), "
            f"not {iface.type!r}"
        )
        yield "E506", message, "teaming", "type"


@rule(
    "E507",
    "QEMU: <coalesce> only on network and bridge interfaces",
    on=Interface,
    libvirt="qemuValidateDomainDeviceDefNetwork",
    note="as `qemuValidateNetSupportsCoalesce` answers",
    domain_types=QEMU_DOMAIN_TYPES,
)
def _coalesce(iface: Interface) -> Iterator[Finding]:
    if iface.coalesce is not None and iface.type not in ("network", "bridge"):
        yield (
            "E507",
            f"libvirt's QEMU driver takes no <coalesce> on a type={iface.type!r} interface",
            "coalesce",
            None,
        )


@rule(
    "E508",
    "QEMU: <rom> options only for a NIC on a PCI address",
    on=Interface,
    libvirt="qemuValidateDomainDeviceInfo",
    domain_types=QEMU_DOMAIN_TYPES,
)
def _rom(iface: Interface) -> Iterator[Finding]:
    rom, address = iface.rom, iface.address
    tuned = rom is not None and (rom.enabled is not None or rom.bar is not None or rom.file)
    if tuned and address is not None and not isinstance(address, (PciAddress, UnassignedAddress)):
        message = (
            "ROM tuning is only for PCI devices; this NIC has a "
            f"type={address.__xml_const__[0][1]!r} address"
        )
        yield "E508", message, "rom", None
