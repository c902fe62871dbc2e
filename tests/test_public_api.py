"""The public API: its names, the stub type checkers read, the deprecations.

``virtnetlib/__init__.py`` holds the one export table; ``__init__.pyi`` is
generated from it. Regenerate the stub with ``python tests/test_public_api.py``.
"""

from __future__ import annotations

import importlib
import inspect
import pathlib
import subprocess
import sys
import warnings

import pytest

import virtnetlib

STUB = pathlib.Path(virtnetlib.__file__).with_suffix(".pyi")

# Every name `import virtnetlib` offers, written out: a name that disappears
# or appears unannounced fails here. Since 0.1.0: the renames below (the old
# names still work, with a DeprecationWarning), Script (it was missing), and
# the light domain model (Guest ...) with its editing helpers, and the
# libvirt release table (minimum_libvirt).
PUBLIC = [
    "ADDRESS_TYPES",
    "Acpi",
    "AddressFamily",
    "AddressType",
    "Alias",
    "Autoconf",
    "BOND_MODE_NUMBERS",
    "Backend",
    "BackendDomain",
    "Bandwidth",
    "BandwidthRate",
    "BondHostInterface",
    "BondMode",
    "Boot",
    "BootDevice",
    "Bootp",
    "BridgeHostInterface",
    "BridgeInterface",
    "BridgeSource",
    "CcidAddress",
    "CcwAddress",
    "ClientInterface",
    "Coalesce",
    "CoalesceFrames",
    "CoalesceRx",
    "DeviceAddress",
    "Dhcp",
    "DhcpHost",
    "DhcpRange",
    "DimmAddress",
    "DirectInterface",
    "DirectMode",
    "DirectSource",
    "Dns",
    "DnsDomain",
    "DnsForwarder",
    "DnsHost",
    "DnsSrv",
    "DnsTxt",
    "DnsmasqOption",
    "DnsmasqOptions",
    "DriveAddress",
    "DriverGuestOffloads",
    "DriverHostOffloads",
    "Error",
    "EthernetHostInterface",
    "EthernetInterface",
    "EthernetSource",
    "FieldValueError",
    "FilterParameter",
    "FilterRef",
    "Forward",
    "ForwardAddress",
    "ForwardInterface",
    "ForwardMode",
    "ForwardPf",
    "Guest",
    "GuestBoot",
    "GuestDevices",
    "GuestOs",
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
    "HostdevDriver",
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
    "IsaAddress",
    "Issue",
    "Kind",
    "Lease",
    "LeaseUnit",
    "LibvirtFeature",
    "Link",
    "LinkState",
    "MacAddress",
    "MacTableManager",
    "McastInterface",
    "Metadata",
    "MinimumLibvirt",
    "Model",
    "ModelList",
    "Mtu",
    "Nat",
    "NatAddressRange",
    "NatPortRange",
    "NetDriver",
    "Network",
    "NetworkBridge",
    "NetworkIP",
    "NetworkInterface",
    "NetworkSource",
    "NicModel",
    "NullInterface",
    "ParseError",
    "PciAddress",
    "PortForward",
    "PortForwardRange",
    "PortGroup",
    "PortOptions",
    "Problem",
    "REACHABILITY",
    "Reachability",
    "Reconnect",
    "Rom",
    "Route",
    "Script",
    "ServerInterface",
    "Severity",
    "SocketSource",
    "SpaprVioAddress",
    "StartMode",
    "Target",
    "Teaming",
    "Tftp",
    "Tune",
    "UdpInterface",
    "UdpLocal",
    "UdpSource",
    "UnassignedAddress",
    "UsageError",
    "UsbAddress",
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
    "VirtioMmioAddress",
    "VirtioSerialAddress",
    "VirtualPort",
    "VirtualPortParameters",
    "VirtualPortType",
    "Vlan",
    "VlanHostInterface",
    "VlanTag",
    "ZPci",
    "__version__",
    "append_interface",
    "connection_type",
    "domain_interfaces",
    "find_interface",
    "interface_summary",
    "minimum_libvirt",
    "network_summary",
    "parse",
    "remove_interface",
    "replace_interface",
    "set_boot_interface",
    "unmodeled",
    "validate",
    "validate_known",
]

RENAMED = {
    "Domain": "DnsDomain",
    "DownScript": "Script",
    "HostMac": "MacAddress",
    "NetworkMac": "MacAddress",
    "Protocol": "HostProtocol",
}


def _isort(name: str) -> tuple[int, str]:
    """ruff's order: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def render_stub() -> str:
    """``__init__.pyi``, written from the export table."""
    lines = [
        "# Generated from the export table in __init__.py by tests/test_public_api.py:",
        "# do not edit; run `python tests/test_public_api.py` to write it again.",
        "",
    ]
    for module, names in sorted(virtnetlib._EXPORTS.items()):
        lines.append(f"from {module} import (")
        lines.extend(f"    {name} as {name}," for name in sorted(names, key=_isort))
        lines.append(")")
    lines.append("")
    lines.append("__version__: str")
    lines.append("_EXPORTS: dict[str, tuple[str, ...]]")
    lines.append("_DEPRECATED: dict[str, tuple[str, str]]")
    lines.append("")
    lines.append("# deprecated names (a DeprecationWarning at run time)")
    for old, (new, _) in sorted(virtnetlib._DEPRECATED.items()):
        lines.append(f"{old} = {new}")
    lines.append("")
    lines.append("__all__ = [")
    lines.extend(f'    "{name}",' for name in sorted(virtnetlib.__all__, key=_isort))
    lines.append("]")
    return "\n".join(lines) + "\n"


def test_the_public_names_are_the_listed_ones() -> None:
    assert sorted(virtnetlib.__all__) == virtnetlib.__all__
    assert set(virtnetlib.__all__) == set(PUBLIC)
    assert dir(virtnetlib) == virtnetlib.__all__


def test_every_public_name_resolves_to_what_its_module_defines() -> None:
    for module, names in virtnetlib._EXPORTS.items():
        defining = importlib.import_module(module)
        for name in names:
            value = getattr(virtnetlib, name)
            assert value is vars(defining)[name], name
            if inspect.isclass(value) or inspect.isfunction(value):
                # defined there, not imported from elsewhere
                assert value.__module__ == module, name


def test_each_name_is_exported_once() -> None:
    written = [name for names in virtnetlib._EXPORTS.values() for name in names]
    assert len(written) == len(set(written))


@pytest.mark.parametrize(("old", "new"), sorted(RENAMED.items()))
def test_old_names_still_work_with_a_deprecation_warning(old: str, new: str) -> None:
    assert virtnetlib._DEPRECATED[old][0] == new
    with pytest.warns(DeprecationWarning, match=rf"virtnetlib\.{old} is deprecated.*{new}"):
        value = getattr(virtnetlib, old)
    assert value is getattr(virtnetlib, new)
    assert old not in virtnetlib.__all__


def test_renamed_classes_read_what_the_old_ones_read() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert virtnetlib.Domain(name="lab.example") == virtnetlib.DnsDomain(name="lab.example")
    net = virtnetlib.Network.from_xml(
        "<network><name>n</name><mac address='52:54:00:00:00:01'/>"
        "<domain name='lab.example'/></network>"
    )
    assert isinstance(net.mac, virtnetlib.MacAddress)
    assert isinstance(net.domain, virtnetlib.DnsDomain)
    host = virtnetlib.EthernetHostInterface.from_xml(
        "<interface type='ethernet' name='eth0'><mac address='52:54:00:00:00:02'/>"
        "<protocol family='ipv4'><dhcp/></protocol></interface>"
    )
    assert isinstance(host.mac, virtnetlib.MacAddress)
    assert isinstance(host.protocols[0], virtnetlib.HostProtocol)
    iface = virtnetlib.Interface.from_xml(
        "<interface type='ethernet'><script path='/etc/up'/><downscript path='/etc/down'/>"
        "</interface>"
    )
    assert iface.script == virtnetlib.Script(path="/etc/up")
    assert iface.downscript == virtnetlib.Script(path="/etc/down")
    assert "<downscript path='/etc/down'/>" in iface.to_xml()


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        virtnetlib.Nope  # type: ignore[attr-defined]  # noqa: B018 - the lookup is the test


def test_the_stub_is_current() -> None:
    assert STUB.read_text() == render_stub(), (
        "virtnetlib/__init__.pyi is stale: run python tests/test_public_api.py"
    )


def test_importing_virtnetlib_loads_no_model() -> None:
    code = "import sys, virtnetlib; print(sorted(m for m in sys.modules if 'virtnetlib' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['virtnetlib']"


if __name__ == "__main__":
    STUB.write_text(render_stub())
