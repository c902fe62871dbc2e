"""Routed, bridged, isolated and open networks, and what each lets guests reach."""

import ipaddress

import virtnetlib as vnl

addr = ipaddress.ip_address
networks = [
    vnl.Network(
        name="routed",
        forward=vnl.Forward(mode="route"),
        ips=[vnl.NetworkIP(address=addr("198.51.100.129"), prefix=25)],
    ),
    vnl.Network(
        name="bridged", forward=vnl.Forward(mode="bridge"), bridge=vnl.NetworkBridge(name="br0")
    ),
    vnl.Network(name="isolated", ips=[vnl.NetworkIP(address=addr("198.51.100.65"), prefix=26)]),
    vnl.Network(
        name="open",
        forward=vnl.Forward(mode="open"),
        ips=[vnl.NetworkIP(address=addr("198.51.100.33"), prefix=27)],
    ),
]
print(f"{'network':10} {'host':6} {'VMs':6} {'outside':8} visible from outside")
for net in networks:
    reach = vnl.network_summary(net)["reachability"]
    cells = ["firewall" if v is None else ("yes" if v else "no") for v in reach.values()]
    print(f"{net.name:10} {cells[0]:6} {cells[1]:6} {cells[2]:8} {cells[3]}")
    for problem in vnl.validate(net):
        print("   ", problem.severity, problem.code, problem.message)
