"""Change a running network in place: plan, look, apply."""

import ipaddress

import attrs

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

ip = ipaddress.ip_address
lab = vnl.Network(
    name="lab",
    bridge=vnl.NetworkBridge(name="virbr20"),
    ips=[
        vnl.NetworkIP(
            address=ip("198.51.100.1"),
            prefix=24,
            dhcp=vnl.Dhcp(
                ranges=[vnl.DhcpRange(start=ip("198.51.100.100"), end=ip("198.51.100.199"))]
            ),
        )
    ],
)

with Connection(uri="test:///default") as conn:
    conn.apply_network(lab)

    # a fixed address for one more guest: libvirt can add it to the running network
    web = vnl.DhcpHost(mac="52:54:00:6c:3c:01", name="web", ip=ip("198.51.100.10"))
    dhcp = lab.ips[0].dhcp
    assert dhcp is not None
    dhcp.hosts.append(web)
    plan = conn.plan_network(lab)
    print(plan)
    print(plan.diff())
    print(conn.apply(plan))

    # a new bridge name cannot be changed live: it waits for a restart...
    moved = attrs.evolve(lab, bridge=vnl.NetworkBridge(name="virbr21"))
    print(conn.plan_network(moved))
    # ...unless the plan may restart the network (its guests are reconnected)
    print(conn.plan_network(moved, allow_restart=True))
