"""Point an existing guest's NIC at the pxe network and boot from it first."""

import attrs

import virtnetlib as vnl
from virtnetlib.libvirt import Connection

# the guest as `virsh dumpxml --inactive pxe-client` prints it (shortened)
domain = """<domain type='test'>
  <name>pxe-client</name>
  <memory unit='KiB'>2097152</memory>
  <os>
    <type>hvm</type>
    <boot dev='hd'/>
  </os>
  <devices>
    <interface type='network'>
      <mac address='52:54:00:66:79:14'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
"""
mac = "52:54:00:66:79:14"
nic = vnl.find_interface(domain, mac)
assert isinstance(nic, vnl.NetworkInterface)
on_pxe = attrs.evolve(nic, source=vnl.NetworkSource(network="pxe"))
domain = vnl.replace_interface(domain, mac, on_pxe)
domain = vnl.set_boot_interface(domain, mac)  # <boot order='1'/>; <os> loses <boot dev=>
print(domain)

with Connection(uri="test:///default") as conn:
    conn.raw.defineXML(domain)  # virsh define
    print(conn.domain_interfaces("pxe-client", inactive=True)[0].boot)
