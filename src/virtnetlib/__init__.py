"""virtnetlib: typed, lossless models of libvirt virtual networking XML.

>>> import virtnetlib
>>> net = virtnetlib.Network.from_xml("<network><name>demo</name></network>")
>>> net.isolated
True
"""

# The export table below is the one place a public name is written. Names
# load on first use (PEP 562), so ``import virtnetlib`` costs almost nothing
# and a tool that needs only networks never builds the interface models.
# ``__init__.pyi`` (for type checkers and editors) is generated from this
# table; tests/test_public_api.py keeps it current and lists the API.
from __future__ import annotations

import importlib
import warnings
from typing import Any

__version__ = "0.1.0"

#: module → the public names it defines
_EXPORTS: dict[str, tuple[str, ...]] = {
    "virtnetlib._core.errors": (
        "Error",
        "Issue",
        "ParseError",
        "UsageError",
    ),
    "virtnetlib._core.fields": ("FieldValueError",),
    "virtnetlib._core.model": (
        "Model",
        "unmodeled",
    ),
    "virtnetlib._core.display": ("ModelList",),
    "virtnetlib._models.common": (
        "AddressFamily",
        "Bandwidth",
        "BandwidthRate",
        "HostdevDriver",
        "MacAddress",
        "MacTableManager",
        "Mtu",
        "PciAddress",
        "PortOptions",
        "Route",
        "VirtualPort",
        "VirtualPortParameters",
        "VirtualPortType",
        "Vlan",
        "VlanTag",
        "ZPci",
    ),
    "virtnetlib._models.address": (
        "ADDRESS_TYPES",
        "AddressType",
        "CcidAddress",
        "CcwAddress",
        "DeviceAddress",
        "DimmAddress",
        "DriveAddress",
        "IsaAddress",
        "SpaprVioAddress",
        "UnassignedAddress",
        "UsbAddress",
        "VirtioMmioAddress",
        "VirtioSerialAddress",
    ),
    "virtnetlib._models.network": (
        "Bootp",
        "Dhcp",
        "DhcpHost",
        "DhcpRange",
        "Dns",
        "DnsDomain",
        "DnsForwarder",
        "DnsHost",
        "DnsSrv",
        "DnsTxt",
        "DnsmasqOption",
        "DnsmasqOptions",
        "Forward",
        "ForwardAddress",
        "ForwardInterface",
        "ForwardMode",
        "ForwardPf",
        "Lease",
        "LeaseUnit",
        "Metadata",
        "Nat",
        "NatAddressRange",
        "NatPortRange",
        "Network",
        "NetworkBridge",
        "NetworkIP",
        "PortGroup",
        "REACHABILITY",
        "Reachability",
        "Tftp",
        "connection_type",
        "network_summary",
    ),
    "virtnetlib._models.interface": (
        "Acpi",
        "Alias",
        "Backend",
        "BackendDomain",
        "Boot",
        "BridgeInterface",
        "BridgeSource",
        "ClientInterface",
        "Coalesce",
        "CoalesceFrames",
        "CoalesceRx",
        "DirectInterface",
        "DirectMode",
        "DirectSource",
        "DriverGuestOffloads",
        "DriverHostOffloads",
        "EthernetInterface",
        "EthernetSource",
        "FilterParameter",
        "FilterRef",
        "HostdevInterface",
        "HostdevSource",
        "INTERFACE_TYPES",
        "Interface",
        "InterfaceGuest",
        "InterfaceIP",
        "InterfaceMac",
        "InterfaceType",
        "InternalInterface",
        "InternalSource",
        "Link",
        "McastInterface",
        "NetDriver",
        "NetworkInterface",
        "NetworkSource",
        "NicModel",
        "NullInterface",
        "PortForward",
        "PortForwardRange",
        "Reconnect",
        "Rom",
        "Script",
        "ServerInterface",
        "SocketSource",
        "Target",
        "Teaming",
        "Tune",
        "UdpInterface",
        "UdpLocal",
        "UdpSource",
        "UsbBusAddress",
        "UsbDeviceAddress",
        "UsbId",
        "UserInterface",
        "UserSource",
        "VdpaInterface",
        "VdpaSource",
        "VdsInterface",
        "VdsSource",
        "VhostUserInterface",
        "VhostUserSource",
        "interface_summary",
    ),
    "virtnetlib._models.hostinterface": (
        "Autoconf",
        "BOND_MODE_NUMBERS",
        "BondHostInterface",
        "BondMode",
        "BridgeHostInterface",
        "EthernetHostInterface",
        "HostArpMon",
        "HostBond",
        "HostBridge",
        "HostDhcp",
        "HostIP",
        "HostInterface",
        "HostLink",
        "HostMiiMon",
        "HostMtu",
        "HostProtocol",
        "HostRoute",
        "HostVlan",
        "HostVlanParent",
        "LinkState",
        "StartMode",
        "VlanHostInterface",
    ),
    "virtnetlib._models.domain": (
        "BootDevice",
        "Guest",
        "GuestBoot",
        "GuestDevices",
        "GuestOs",
        "append_interface",
        "domain_interfaces",
        "find_interface",
        "remove_interface",
        "replace_interface",
        "set_boot_interface",
    ),
    "virtnetlib._models.documents": ("parse",),
    "virtnetlib._validation.problem": (
        "Problem",
        "Severity",
    ),
    "virtnetlib._validation.validate": (
        "Kind",
        "validate",
        "validate_known",
    ),
    "virtnetlib._validation.versions": (
        "LibvirtFeature",
        "MinimumLibvirt",
        "minimum_libvirt",
    ),
}

#: old name → (new name, the release that removes the old one)
_DEPRECATED: dict[str, tuple[str, str]] = {
    "Domain": ("DnsDomain", "0.3"),
    "DownScript": ("Script", "0.3"),
    "HostMac": ("MacAddress", "0.3"),
    "NetworkMac": ("MacAddress", "0.3"),
    "Protocol": ("HostProtocol", "0.3"),
}

_HOME: dict[str, str] = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted([*_HOME, "__version__"])  # noqa: PLE0605 - built from the table, a list


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _DEPRECATED:
        new, removed = _DEPRECATED[name]
        warnings.warn(
            f"virtnetlib.{name} is deprecated and will be removed in {removed}; "
            f"use virtnetlib.{new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(new)
    raise AttributeError(f"module 'virtnetlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
