"""Find macvtap interfaces and replace them with a bridge connection."""

import virtnetlib as vnl

domain = """<domain type='kvm'>
  <name>web</name>
  <devices>
    <interface type='direct'>
      <mac address='52:54:00:12:34:56'/>
      <source dev='enp1s0' mode='bridge'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
"""
for problem in vnl.validate(domain):
    print(problem.code, problem.path, problem.message)

for index, iface in enumerate(vnl.domain_interfaces(domain)):
    if isinstance(iface, vnl.DirectInterface):
        bridged = vnl.BridgeInterface(
            mac=iface.mac, source=vnl.BridgeSource(bridge="br0"), model=iface.model
        )
        domain = vnl.replace_interface(domain, index, bridged)
print(domain)
assert vnl.validate(domain) == []
