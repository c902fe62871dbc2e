"""Move a guest's NIC to the bond0-bridge network, keeping its MAC (virt-xml --edit --network)."""

import attrs

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

# the guest as `virsh dumpxml --inactive vm1` prints it (shortened)
domain = """<domain type='test'>
  <name>vm1</name>
  <memory unit='KiB'>1048576</memory>
  <os>
    <type>hvm</type>
  </os>
  <devices>
    <interface type='network'>
      <mac address='52:54:00:c5:98:1c'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
"""
nic = vnl.domain_interfaces(domain)[0]
assert isinstance(nic, vnl.NetworkInterface)
moved = attrs.evolve(nic, source=vnl.NetworkSource(network="bond0-bridge"))
domain = vnl.replace_interface(domain, 0, moved)

with Connection(uri="test:///default") as conn:
    conn.raw.defineXML(domain)  # virsh define; the change applies at the next start
    print(conn.domain_interfaces("vm1", inactive=True)[0].to_xml(), end="")
