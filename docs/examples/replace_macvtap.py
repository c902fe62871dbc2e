"""Replace every macvtap NIC of a guest with a bridge connection, keeping its MAC and model."""

from pathlib import Path

import virtnetlib as vnl

path = Path(__file__).with_name("web.xml")  # virsh dumpxml --inactive web > web.xml
domain = path.read_text()
for index, iface in enumerate(vnl.domain_interfaces(domain)):
    if isinstance(iface, vnl.DirectInterface):  # <interface type='direct'>: macvtap
        bridged = vnl.BridgeInterface(
            mac=iface.mac, source=vnl.BridgeSource(bridge="br0"), model=iface.model
        )
        domain = vnl.replace_interface(domain, index, bridged)
assert vnl.validate(domain) == []  # W303 is gone
print(domain, end="")
# on a host, write it back (path.write_text(domain)) and run: virsh define web.xml
