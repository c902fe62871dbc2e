"""The guide's way: add PXE to the running default network, which needs a restart."""

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

with Connection(uri="test:///default") as conn:  # on a host: qemu:///system
    net = conn.network("default").network  # virsh net-dumpxml default
    ip = net.ips[0]
    assert ip.dhcp is not None
    ip.tftp = vnl.Tftp(root="/var/lib/tftpboot")
    ip.dhcp.bootp = vnl.Bootp(file="example-pxelinux")
    print(conn.plan_network(net))  # without a restart the change waits
    print(conn.plan_network(net, allow_restart=True))
    result = conn.apply_network(net, restart=True)  # virsh net-destroy, net-edit, net-start
    print(result)
    print("not reconnected:", result.unreconnected)  # the test driver changes no device live
