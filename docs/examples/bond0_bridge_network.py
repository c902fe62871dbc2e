"""The RHEL 10 guide's bond0-bridge network: guests on br0, through the bond."""

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

xml = """<network>
	<name>bond0-bridge</name>
	<forward mode="bridge" />
	<bridge name="br0" />
</network>"""
net = vnl.Network.from_xml(xml)
print(net.to_xml())

with Connection(uri="test:///default") as conn:
    conn.define_network(net)  # virsh net-define ~/bond0-bridge.xml
    conn.start_network(net.name)  # virsh net-start bond0-bridge
    conn.set_autostart(net.name, True)  # virsh net-autostart bond0-bridge
    state = conn.network(net.name)
    print(
        state.name, "active" if state.active else "inactive", "autostart" if state.autostart else ""
    )
