"""Give a free VF to a guest as <interface type='hostdev'> with a fixed MAC address."""

import tempfile

import virtnetlib as vnl
from virtnetlib import sriov
from virtnetlib.fakesysfs import FakeSysfs

host = FakeSysfs(tempfile.mkdtemp())
host.add_pf("0000:82:00.0", netdevs=["eth1"], total_vfs=7, num_vfs=2)
pf = sriov.inventory(host).pf("eth1")

vf = sriov.pick_free_vf(pf)  # not bound to vfio-pci; pass in_use= every guest's NICs too
assert vf is not None
iface = vf.to_interface(mac="52:54:00:00:01:01")  # managed='yes', like virsh --managed
assert vnl.validate(iface) == []  # without a MAC: advice W304
print(iface.to_xml(), end="")
