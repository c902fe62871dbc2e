"""A network from plain values, as YAML or JSON give them."""

import virtnetlib as vnl

lab = vnl.Network.from_dict(
    {
        "name": "lab",
        "forward": {"mode": "nat"},
        "bridge": {"name": "virbr10", "stp": True, "delay": 0},
        "ips": [
            {
                "address": "198.51.100.1",
                "prefix": 24,
                "dhcp": {"ranges": [{"start": "198.51.100.100", "end": "198.51.100.199"}]},
            }
        ],
    }
)
print(lab.to_xml(), end="")
print(lab.to_dict()["bridge"])
