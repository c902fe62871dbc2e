"""Checks libvirt's network driver makes when it defines a network, E4xx.

networkValidate (``src/network/bridge_driver.c``) runs after the parser,
in libvirtd on a host; the embedded test driver does not run it. The
integration tests (``tests/test_libvirtd.py``) hold each rule to a real
libvirtd.
"""

from __future__ import annotations

from collections.abc import Iterator

from virtnetlib._models.common import Vlan
from virtnetlib._models.network import Network
from virtnetlib._validation.rules.engine import Finding, at, rule
from virtnetlib._validation.rules.network import DIRECT_MODES, OWN_BRIDGE_MODES

_NO_IP_MODES = ("bridge", *DIRECT_MODES)
_BANDWIDTH_MODES = (*OWN_BRIDGE_MODES, "bridge")


@rule(
    "E401",
    "DHCP on at most one IPv4 and one IPv6 address of a network",
    on=Network,
    libvirt="networkValidate",
)
def _dhcp_once(net: Network) -> Iterator[Finding]:
    for version in (4, 6):
        with_dhcp = [
            i
            for i, ip in enumerate(net.ips)
            if ip.address is not None
            and ip.address.version == version
            and ip.dhcp is not None
            and (ip.dhcp.ranges or ip.dhcp.hosts)
        ]
        if len(with_dhcp) > 1:
            yield (
                "E401",
                (
                    f"DHCP ranges or hosts on {len(with_dhcp)} IPv{version} addresses; libvirt "
                    f"serves DHCP on one IPv{version} address per network"
                ),
                f"{at(net, 'ips', with_dhcp[1])}/dhcp",
                None,
            )


@rule(
    "E402",
    "no <ip>, <dns> records, <domain> or <mac> with forward modes bridge, private, vepa, "
    "passthrough and hostdev",
    on=Network,
    libvirt="networkValidate",
)
def _host_side(net: Network) -> Iterator[Finding]:
    mode = net.mode
    if mode not in _NO_IP_MODES:
        return
    dns = net.dns
    present = [
        ("ip", bool(net.ips)),
        ("dns", dns is not None and bool(dns.hosts or dns.txts or dns.srvs)),
        ("domain", net.domain is not None),
        ("mac", net.mac is not None),
    ]
    for tag, there in present:
        if there:
            yield (
                "E402",
                f"<{tag}> is not supported in a network with forward mode {mode}",
                at(net, "ips") if tag == "ip" else tag,
                None,
            )


@rule(
    "E403",
    "<bandwidth> only in nat, route, open, isolated and bridge networks",
    on=Network,
    libvirt="networkValidate",
)
def _bandwidth_modes(net: Network) -> Iterator[Finding]:
    mode = net.mode
    if mode in _BANDWIDTH_MODES:
        return
    if net.bandwidth is not None:
        yield (
            "E403",
            f"a network-wide <bandwidth> is not supported with forward mode {mode}",
            "bandwidth",
            None,
        )
    for i, group in enumerate(net.portgroups):
        if group.bandwidth is not None:
            yield (
                "E403",
                (
                    f"<bandwidth> in portgroup {group.name!r} is not supported with forward "
                    f"mode {mode}"
                ),
                f"{at(net, 'portgroups', i)}/bandwidth",
                None,
            )


def _has_vlan(vlan: Vlan | None) -> bool:
    return vlan is not None and bool(vlan.tags)


@rule(
    "E404",
    "<vlan> only with forward modes hostdev and passthrough, or Open vSwitch",
    on=Network,
    libvirt="networkValidate",
)
def _vlan_modes(net: Network) -> Iterator[Finding]:
    """Where a tag can be applied: SR-IOV pools (hostdev, passthrough) and Open vSwitch."""
    mode = net.mode
    ovs = net.virtualport is not None and net.virtualport.type == "openvswitch"
    allowed = mode in ("hostdev", "passthrough") or (mode == "bridge" and ovs)
    used = _has_vlan(net.vlan)
    bad: str | None = None
    for i, group in enumerate(net.portgroups):
        if not (used or _has_vlan(group.vlan)):
            continue
        # a portgroup's own virtualport decides for the interfaces that use it
        vport = group.virtualport
        fits = mode == "bridge" and vport.type == "openvswitch" if vport is not None else allowed
        if not fits and bad is None:
            bad = at(net, "portgroups", i) + ("/vlan" if group.vlan else "")
    if bad is None and used and not allowed and not net.portgroups:
        bad = "vlan"
    if bad is not None:
        yield (
            "E404",
            (
                f"VLAN tags need forward mode hostdev or passthrough, or an Open vSwitch bridge; "
                f"this network has forward mode {mode}"
            ),
            bad,
            None,
        )


@rule(
    "E405",
    "a hostdev pool lists PCI addresses; other forward modes list interfaces",
    on=Network,
    libvirt="networkValidate",
)
def _pool_kind(net: Network) -> Iterator[Finding]:
    fwd = net.forward
    if fwd is None:
        return
    if fwd.mode == "hostdev":
        for i, iface in enumerate(fwd.interfaces):
            yield (
                "E405",
                f"a hostdev network lists its devices by PCI address, not as {iface.dev!r}",
                f"forward/{at(fwd, 'interfaces', i)}",
                None,
            )
    elif fwd.addresses:
        yield (
            "E405",
            f"forward mode {fwd.mode or 'nat'} lists devices as interfaces, not PCI addresses",
            f"forward/{at(fwd, 'addresses')}",
            None,
        )


@rule(
    "E406",
    "at most one default portgroup",
    on=Network,
    libvirt="networkValidate",
)
@rule(
    "E407",
    "portgroup names are unique",
    on=Network,
    libvirt="networkValidate",
)
def _portgroups(net: Network) -> Iterator[Finding]:
    defaults = [i for i, pg in enumerate(net.portgroups) if pg.default]
    if len(defaults) > 1:
        yield (
            "E406",
            "only one portgroup can be the default",
            at(net, "portgroups", defaults[1]),
            "default",
        )
    names: set[str] = set()
    for i, pg in enumerate(net.portgroups):
        if pg.name in names:
            yield (
                "E407",
                f"portgroup {pg.name!r} is defined twice",
                at(net, "portgroups", i),
                "name",
            )
        names.add(pg.name)
