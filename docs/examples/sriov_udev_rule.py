"""Recreate the two VFs at every boot with the guide's udev rule."""

import tempfile

from virtnetlib import sriov
from virtnetlib.fakesysfs import FakeSysfs

host = FakeSysfs(tempfile.mkdtemp())
host.add_pf("0000:82:00.0", netdevs=["eth1"], total_vfs=7, num_vfs=2)
pf = sriov.inventory(host).pf("eth1")

rules_dir = tempfile.mkdtemp()  # on a host: "/etc/udev/rules.d", as root
path = sriov.write_udev_rule(rules_dir, pf, 2, style="driver", filename="eth1.rules")
print(path.name)
print(path.read_text(), end="")
print(sriov.udev_rule(pf, 2), end="")  # the default style: this PF only, by PCI address
