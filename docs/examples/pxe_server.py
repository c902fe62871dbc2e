"""A PXE boot server on a virtual network, and a guest NIC that boots from it."""

import ipaddress

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

addr = ipaddress.ip_address
pxe = vnl.Network(
    name="pxe",
    bridge=vnl.NetworkBridge(name="virbr-pxe"),
    ips=[
        vnl.NetworkIP(
            address=addr("198.51.100.1"),
            netmask=ipaddress.IPv4Address("255.255.255.0"),
            tftp=vnl.Tftp(root="/var/lib/tftpboot"),
            dhcp=vnl.Dhcp(
                ranges=[vnl.DhcpRange(start=addr("198.51.100.2"), end=addr("198.51.100.254"))],
                bootp=vnl.Bootp(file="example-pxelinux"),
            ),
        )
    ],
)
assert vnl.validate(pxe) == []  # a boot file without <tftp> would get advice W305

nic = vnl.NetworkInterface(
    mac=vnl.InterfaceMac(address="52:54:00:66:79:14"),
    source=vnl.NetworkSource(network="pxe"),
    model=vnl.NicModel(type="virtio"),
    boot=vnl.Boot(order=1),  # boot from the network first
)
domain = vnl.append_interface(
    "<domain type='test'><name>pxe-client</name><memory>1024</memory>"
    "<os><type>hvm</type></os><devices></devices></domain>",
    nic,
)

with Connection(uri="test:///default") as conn:
    conn.apply_network(pxe)
    conn.raw.defineXML(domain)
    print(conn.domain_interfaces("pxe-client", inactive=True)[0].to_xml())
