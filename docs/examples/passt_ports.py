"""passt user networking with port forwarding, ranges and excludes."""

import virtnetlib as vnl

iface = vnl.Interface.from_xml("""
<interface type='user'>
  <backend type='passt'/>
  <mac address="52:54:00:98:d8:b7"/>
  <source dev='eth0'/>
  <portForward proto='tcp'>
    <range start='2022' to='22'/>
  </portForward>
  <portForward proto='udp' address='198.51.100.4'>
     <range start='5000' end='5020' to='6000'/>
     <range start='5010' end='5015' exclude='yes'/>
  </portForward>
</interface>
""")
for fwd in iface.port_forwards:
    mapping = fwd.mappings()
    low, high = min(mapping), max(mapping)
    print(
        fwd.proto,
        fwd.address or "*",
        f"{len(mapping)} ports",
        low,
        "->",
        mapping[low],
        "...",
        high,
        "->",
        mapping[high],
    )
    print("   passt", " ".join(fwd.passt_options()))
assert 5012 not in iface.port_forwards[1].mappings()  # excluded
