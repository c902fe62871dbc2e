"""Define, start and autostart lab-nat: virsh net-define, net-start, net-autostart in one call."""

from pathlib import Path

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

net = vnl.Network.from_xml(Path(__file__).with_name("lab-nat.xml"))

# test:///default is libvirt's in-process test driver; on a host use qemu:///system as root
with Connection(uri="test:///default") as conn:
    print(conn.apply_network(net, autostart=True))
    print(conn.apply_network(net, autostart=True))  # once more: nothing left to do
    state = conn.network("lab-nat")
    print(f"{state.name}: active={state.active} autostart={state.autostart}")
