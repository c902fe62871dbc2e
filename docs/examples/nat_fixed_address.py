"""A fixed address for one guest, added to the running lab-nat network (virsh net-update)."""

import ipaddress
from pathlib import Path

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

net = vnl.Network.from_xml(Path(__file__).with_name("lab-nat.xml"))
web = vnl.DhcpHost(mac="52:54:00:00:01:01", name="web", ip=ipaddress.ip_address("198.51.100.10"))

with Connection(uri="test:///default") as conn:
    conn.apply_network(net)  # step 4, so that this example runs on its own
    conn.update_network("lab-nat", web)  # live and persistent; the network keeps running
    dhcp = conn.network("lab-nat").network.ips[0].dhcp
    assert dhcp is not None
    for host in dhcp.hosts:
        print(host.to_xml(), end="")
