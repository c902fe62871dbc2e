"""Readable summaries of models: what a person wants to see first.

Used by the CLI's ``show`` and by notebook rendering; one place decides
what a summary holds.
"""

from __future__ import annotations

from typing import Any

import attrs

from virtnetlib._binding import Model, expect_model
from virtnetlib._interface import Interface
from virtnetlib._network import Network

__all__ = ["REACHABILITY", "Reachability", "interface_summary", "network_summary"]


@attrs.frozen
class Reachability:
    """What guests on a network can reach, per the RHEL 10 guide's table 15.1.

    ``None`` means "depends on the host's firewall rules" (open mode).
    """

    host: bool | None
    other_vms: bool | None
    outside: bool | None
    visible_from_outside: bool | None


#: The guide's comparison of connection types, keyed by forward mode.
#: Direct modes (private, vepa, passthrough, hostdev) put guests on the
#: physical LAN like bridged mode does.
REACHABILITY: dict[str, Reachability] = {
    "bridge": Reachability(True, True, True, True),
    "nat": Reachability(True, True, True, False),
    "route": Reachability(True, True, True, True),
    "isolated": Reachability(True, True, False, False),
    "open": Reachability(None, None, None, None),
}


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
    reach = REACHABILITY.get(mode, REACHABILITY["bridge"])
    return {
        "name": net.name,
        "mode": mode,
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
