"""The default NAT network: guests reach out through the host, unseen from outside."""

import ipaddress

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

net = vnl.Network(
    name="lab-nat",
    forward=vnl.Forward(mode="nat"),
    bridge=vnl.NetworkBridge(name="virbr10", stp=True, delay=0),
    ips=[
        vnl.NetworkIP(
            address=ipaddress.ip_address("198.51.100.1"),
            netmask=ipaddress.IPv4Address("255.255.255.0"),
            dhcp=vnl.Dhcp(
                ranges=[
                    vnl.DhcpRange(
                        start=ipaddress.ip_address("198.51.100.2"),
                        end=ipaddress.ip_address("198.51.100.254"),
                    )
                ]
            ),
        )
    ],
)
assert vnl.validate(net) == []  # schema, libvirt's define-time checks, advice
print(net.to_xml())

# test:///default is libvirt's in-process test driver; use qemu:///system on a host
with Connection(uri="test:///default") as conn:
    # like virsh net-define, net-start and net-autostart
    print(conn.apply_network(net, autostart=True))
    print([state.name for state in conn.networks()])
