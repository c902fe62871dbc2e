"""Which host ports passt forwards to the guest, and the passt options libvirt passes for them."""

from pathlib import Path

import virtnetlib as vnl

iface = vnl.Interface.from_xml(Path(__file__).with_name("passt-nic.xml"))
assert isinstance(iface, vnl.UserInterface)
for fwd in iface.port_forwards:
    mapping = fwd.mappings()  # {host port: guest port}, excluded ports left out
    print(f"{fwd.proto} {fwd.address or '*'}: {len(mapping)} host ports")
    print("   passt", " ".join(fwd.passt_options()))
udp = iface.port_forwards[1].mappings()
print(udp[5009], udp[5016], 5012 in udp)
