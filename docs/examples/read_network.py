"""Read a network libvirt wrote, look at it, and write it back unchanged."""

from pathlib import Path

import virtnetlib as vnl

# on a host: /etc/libvirt/qemu/networks/default.xml or `virsh net-dumpxml default`
path = Path(__file__).parents[2] / "examples/networks/default-nat.xml"
net = vnl.Network.from_xml(path)
# optional elements are None when absent; this network has a bridge and DHCP
assert net.bridge is not None
assert net.ips[0].dhcp is not None
print(net.mode, net.bridge.name, net.ips[0].dhcp.ranges[0].start)
print(vnl.network_summary(net)["reachability"])
assert net.to_xml() == path.read_text()  # byte for byte
