"""The host ``<interface>`` document (libvirt 11.3 ``interface.rng``).

Physical NICs, bridges, bonds and VLANs as libvirt's interface driver
(netcf/udev) describes them. :class:`HostInterface` is the base of one
class per ``type``; bridges and bonds hold their ports as nested host
interfaces. The advice of the RHEL 10 guide about bonds under bridges is
attached here (:meth:`BondHostInterface.bridge_advice`) and shared with
``virtnetlib.validate``.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any, Literal, get_args

import attrs

from virtnetlib._core.converters import Conv, Int, IPAddr, IPAddress
from virtnetlib._core.fields import FieldValueError, attribute, element, elements
from virtnetlib._core.model import Model
from virtnetlib._models.common import (
    IPV4,
    NONEMPTY,
    ON_OFF,
    UINT,
    YES_NO,
    AddressFamily,
    MacAddress,
)

BondMode = Literal[
    "balance-rr",
    "active-backup",
    "balance-xor",
    "broadcast",
    "802.3ad",
    "balance-tlb",
    "balance-alb",
]
"""A bonding ``mode``; the kernel numbers them 0 to 6 in this order."""
BOND_MODES: tuple[str, ...] = get_args(BondMode)
#: Bond mode name → the kernel's mode number (``mode=1`` is active-backup).
BOND_MODE_NUMBERS: dict[str, int] = {name: i for i, name in enumerate(BOND_MODES)}

LinkState = Literal["unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"]
"""Operational state of a host link, as the kernel reports it."""


class _Seconds(Conv[float]):
    """A non-negative, finite number of seconds (xsd:double), e.g. a bridge forward delay.

    Written as Python's shortest ``repr`` of the float (``15.0``, ``1e+16``),
    which xsd:double and libvirt's ``virStrToDouble`` read back to the same
    value; an ``int`` assigned must be one a float holds exactly.
    """

    pytype = float
    safe = True
    expected = "a non-negative, finite number of seconds"

    def parse(self, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise self.fail(text) from None
        if not 0 <= value < math.inf:  # NaN compares false
            raise self.fail(text)
        return value

    def format(self, value: float) -> str:
        return repr(float(value))

    def check(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"expected {self.expected}, got {type(value).__name__} {value!r}"
        if isinstance(value, int) and value >= 0:
            try:
                exact = float(value) == value
            except OverflowError:
                exact = False
            if not exact:
                return f"expected {self.expected} that a float holds exactly, got {value}"
            return None
        if not 0 <= value < math.inf:
            return f"expected {self.expected}, got {value!r}"
        return None


@attrs.define(kw_only=True, repr=False)
class StartMode(Model):
    """``<start mode=>``: when the host brings the interface up."""

    __xml_tag__ = "start"

    mode: Literal["onboot", "none", "hotplug"] = attribute(required=True)


@attrs.define(kw_only=True, repr=False)
class HostMtu(Model):
    """``<mtu size=>`` of a host interface (libvirt reads at most 100000)."""

    __xml_tag__ = "mtu"

    size: int = attribute(conv=Int(0, 100000), required=True)


@attrs.define(kw_only=True, repr=False)
class Autoconf(Model):
    """``<autoconf/>``: IPv6 stateless address autoconfiguration."""

    __xml_tag__ = "autoconf"


@attrs.define(kw_only=True, repr=False)
class HostDhcp(Model):
    """``<dhcp peerdns=>``: get addresses by DHCP (and DNS servers unless ``peerdns='no'``)."""

    __xml_tag__ = "dhcp"

    peerdns: bool | None = attribute(conv=YES_NO)


@attrs.define(kw_only=True, repr=False)
class HostIP(Model):
    """A static ``<ip address= prefix=>`` of a host interface."""

    __xml_tag__ = "ip"

    address: IPAddress = attribute(conv=IPAddr(), required=True)
    prefix: int | None = attribute(conv=Int(0, 128))


@attrs.define(kw_only=True, repr=False)
class HostRoute(Model):
    """``<route gateway=>``: the default gateway of the protocol."""

    __xml_tag__ = "route"

    gateway: IPAddress = attribute(conv=IPAddr(), required=True)


@attrs.define(kw_only=True, repr=False)
class HostProtocol(Model):
    """``<protocol family=>``: IPv4 or IPv6 addressing (DHCP, autoconf, static)."""

    __xml_tag__ = "protocol"
    __xml_open__ = True

    family: AddressFamily = attribute(required=True)
    autoconf: Autoconf | None = element(Autoconf)
    dhcp: HostDhcp | None = element(HostDhcp)
    ips: list[HostIP] = elements(HostIP)
    route: HostRoute | None = element(HostRoute)


@attrs.define(kw_only=True, repr=False)
class HostLink(Model):
    """``<link speed= state=>``: speed in Mbit/s and operational state."""

    __xml_tag__ = "link"

    speed: int | None = attribute(conv=UINT)
    state: LinkState | None = attribute()


@attrs.define(kw_only=True, repr=False)
class HostMiiMon(Model):
    """``<miimon freq= downdelay= updelay= carrier=>``: MII link monitoring (recommended)."""

    __xml_tag__ = "miimon"

    freq: int = attribute(conv=UINT, required=True)
    downdelay: int | None = attribute(conv=UINT)
    updelay: int | None = attribute(conv=UINT)
    carrier: Literal["ioctl", "netif"] | None = attribute()


@attrs.define(kw_only=True, repr=False)
class HostArpMon(Model):
    """``<arpmon interval= target= validate=>``: ARP link monitoring."""

    __xml_tag__ = "arpmon"

    interval: int = attribute(conv=UINT, required=True)
    target: ipaddress.IPv4Address = attribute(conv=IPV4, required=True)
    validate: Literal["none", "active", "backup", "all"] | None = attribute()


@attrs.define(kw_only=True, repr=False)
class HostVlanParent(Model):
    """``<interface name=>`` inside ``<vlan>``: the device the VLAN sits on."""

    __xml_tag__ = "interface"

    name: str = attribute(conv=NONEMPTY, required=True)


@attrs.define(kw_only=True, repr=False)
class HostVlan(Model):
    """``<vlan tag=>`` with its parent device."""

    __xml_tag__ = "vlan"

    tag: int = attribute(conv=Int(0, 4095), required=True)
    interface: HostVlanParent | None = element(HostVlanParent)


_ORDER: tuple[str, ...] = ("name", "start", "mtu", "protocols", "link")


@attrs.define(kw_only=True, repr=False)
class HostInterface(Model):
    """A host ``<interface>``: the base of one class per ``type``.

    ``start``, ``mtu`` and ``protocols`` belong to top-level interfaces;
    ports nested in a bridge or bond carry only their name, link and MAC.
    Every type but a bridge reports its ``link``.
    """

    __xml_tag__ = "interface"
    __xml_open__ = True
    __xml_order__ = _ORDER

    start: StartMode | None = element(StartMode)
    mtu: HostMtu | None = element(HostMtu)
    protocols: list[HostProtocol] = elements(HostProtocol)

    def __attrs_post_init__(self) -> None:
        if not self.__xml_const__:
            raise FieldValueError(
                "HostInterface is abstract; build EthernetHostInterface, "
                "BridgeHostInterface, BondHostInterface or VlanHostInterface"
            )

    @property
    def type(self) -> Literal["ethernet", "bridge", "bond", "vlan"]:
        """The interface ``type``, derived from the class."""
        value: Any = self.__xml_const__[0][1]
        return value  # type: ignore[no-any-return]

    def protocol(self, family: AddressFamily) -> HostProtocol | None:
        """The ``<protocol>`` of ``family``, if configured."""
        return next((p for p in self.protocols if p.family == family), None)


@attrs.define(kw_only=True, repr=False)
class EthernetHostInterface(HostInterface):
    """``<interface type='ethernet' name=>``: a physical NIC."""

    __xml_const__ = (("type", "ethernet"),)
    __xml_order__ = (*_ORDER, "mac")

    name: str = attribute(conv=NONEMPTY, required=True)
    link: HostLink | None = element(HostLink)
    mac: MacAddress | None = element(MacAddress)


@attrs.define(kw_only=True, repr=False)
class VlanHostInterface(HostInterface):
    """``<interface type='vlan' name='eth0.42'>``: a VLAN on a parent device."""

    __xml_const__ = (("type", "vlan"),)

    name: str | None = attribute()
    link: HostLink | None = element(HostLink)
    vlan: HostVlan = element(HostVlan, required=True)


@attrs.define(kw_only=True, repr=False)
class HostBond(Model):
    """``<bond mode=>``: the bonding mode, link monitoring, and the bonded NICs."""

    __xml_tag__ = "bond"

    mode: BondMode | None = attribute()
    miimon: HostMiiMon | None = element(HostMiiMon)
    arpmon: HostArpMon | None = element(HostArpMon)
    interfaces: list[EthernetHostInterface] = elements(EthernetHostInterface)

    @property
    def mode_number(self) -> int:
        """The kernel's number for the mode (``balance-rr``, the default, is 0)."""
        return BOND_MODE_NUMBERS[self.mode or "balance-rr"]


@attrs.define(kw_only=True, repr=False)
class BondHostInterface(HostInterface):
    """``<interface type='bond' name=>``: NICs bonded into one link."""

    __xml_const__ = (("type", "bond"),)

    name: str = attribute(conv=NONEMPTY, required=True)
    link: HostLink | None = element(HostLink)
    bond: HostBond = element(HostBond, required=True)

    def bridge_advice(self) -> list[str]:
        """Why this bond may not work as a bridge port for VMs (RHEL 10 guide).

        Only modes 1, 2 and 4 (active-backup, balance-xor, 802.3ad) work
        with bridged VMs; 0, 3, 5 and 6 are likely to fail. MII monitoring
        is recommended over ARP monitoring.
        """
        advice = []
        number = self.bond.mode_number
        if number not in (1, 2, 4):
            mode = self.bond.mode or "balance-rr (the default)"
            advice.append(
                f"bond {self.name} uses mode {number} ({mode}); with VMs on a bridge only "
                "modes 1 (active-backup), 2 (balance-xor) and 4 (802.3ad) are expected to work"
            )
        advice.extend(self.monitoring_advice())
        return advice

    def monitoring_advice(self) -> list[str]:
        """MII monitoring is recommended; ARP monitoring is not (RHEL 10 guide)."""
        if self.bond.arpmon is not None:
            return [
                (
                    f"bond {self.name} uses ARP monitoring; use MII monitoring "
                    "(<miimon freq='100'/>) instead"
                )
            ]
        return []


@attrs.define(kw_only=True, repr=False)
class HostBridge(Model):
    """``<bridge stp= delay=>`` with the ports (NICs, VLANs, bonds) it connects."""

    __xml_tag__ = "bridge"
    __xml_open__ = True

    stp: bool | None = attribute(conv=ON_OFF)
    delay: float | None = attribute(conv=_Seconds())
    interfaces: list[HostInterface] = elements(HostInterface)


@attrs.define(kw_only=True, repr=False)
class BridgeHostInterface(HostInterface):
    """``<interface type='bridge' name=>``: a host bridge, such as VMs use in bridged mode."""

    __xml_const__ = (("type", "bridge"),)

    name: str = attribute(conv=NONEMPTY, required=True)
    bridge: HostBridge = element(HostBridge, required=True)

    def bonds(self) -> list[BondHostInterface]:
        """The bonds among the bridge's ports."""
        return [p for p in self.bridge.interfaces if isinstance(p, BondHostInterface)]


HostInterface.__xml_variants__ = {
    "ethernet": EthernetHostInterface,
    "bridge": BridgeHostInterface,
    "bond": BondHostInterface,
    "vlan": VlanHostInterface,
}
