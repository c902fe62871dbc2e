"""Define and start the pxe network: DHCP with a boot file, TFTP from /var/lib/tftpboot."""

from pathlib import Path

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

pxe = vnl.Network.from_xml(Path(__file__).with_name("pxe.xml"))
assert vnl.validate(pxe) == []  # a boot file without <tftp> would get advice W305

with Connection(uri="test:///default") as conn:  # on a host: qemu:///system
    print(conn.apply_network(pxe))  # virsh net-define pxe.xml; virsh net-start pxe
    summary = vnl.network_summary(conn.network("pxe").network)  # read back from libvirt
    print(summary["pxe_boot_file"], summary["tftp_root"])
