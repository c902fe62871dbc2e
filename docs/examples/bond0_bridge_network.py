"""The guide's bond0-bridge network: virsh net-define, net-start and net-autostart."""

from pathlib import Path

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

net = vnl.Network.from_xml(Path(__file__).with_name("bond0-bridge.xml"))

with Connection(uri="test:///default") as conn:  # on a host: qemu:///system
    conn.define_network(net)  # virsh net-define bond0-bridge.xml
    conn.start_network(net.name)  # virsh net-start bond0-bridge
    conn.set_autostart(net.name, True)  # virsh net-autostart bond0-bridge
    state = conn.network(net.name)  # virsh net-list
    print(f"{state.name}: active={state.active} autostart={state.autostart}", end=" ")
    print(f"persistent={state.persistent}")
