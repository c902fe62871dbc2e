"""Checks libvirt's host interface parser makes (``src/conf/interface_conf.c``), E2xx.

virInterfaceDefParseXML reads a host ``<interface>`` (a NIC, bridge, bond
or VLAN, and the ports of a bridge or bond, with itself).
"""

from __future__ import annotations

from collections.abc import Iterator

from virtnetlib._models.hostinterface import (
    BridgeHostInterface,
    HostInterface,
    VlanHostInterface,
)
from virtnetlib._validation.rules.engine import Finding, at, rule


@rule(
    "E259",
    "a host interface needs a name (the schema lets a vlan one go without)",
    on=HostInterface,
    libvirt="virInterfaceDefParseXML",
)
def _host_names(host: HostInterface) -> Iterator[Finding]:
    # every other type has name= as a required field already
    if isinstance(host, VlanHostInterface) and host.name is None:
        yield "E259", "the vlan interface has no name", ".", None
    if isinstance(host, BridgeHostInterface):
        bridge = host.bridge
        for i, port in enumerate(bridge.interfaces):
            if isinstance(port, VlanHostInterface) and port.name is None:
                where = f"bridge/{at(bridge, 'interfaces', i)}"
                yield "E259", "a vlan bridge port has no name", where, None
