"""Routed, bridged, isolated and open networks, and what each lets guests reach."""

from pathlib import Path

import virtnetlib as vnl

here = Path(__file__).parent
print(f"{'network':10} {'host':6} {'VMs':6} {'outside':8} visible from outside")
for name in ("routed", "bridged", "isolated", "open"):
    net = vnl.Network.from_xml(here / f"{name}.xml")
    reach = vnl.network_summary(net)["reachability"]
    cells = ["firewall" if v is None else ("yes" if v else "no") for v in reach.values()]
    print(f"{net.name:10} {cells[0]:6} {cells[1]:6} {cells[2]:8} {cells[3]}")
    for problem in vnl.validate(net):
        print("   ", problem.severity, problem.code, problem.message)
