"""SR-IOV: create VFs on a PF and hand one to a guest (on a fake sysfs here)."""

import tempfile

import virtnetlib as vnl
from virtnetlib import sriov
from virtnetlib.fakesysfs import FakeSysfs

# A fake 82599ES so the example runs anywhere; on a host use sriov.Sysfs("/sys").
host = FakeSysfs(tempfile.mkdtemp())
host.add_pf("0000:82:00.0", netdevs=["eth1"], total_vfs=7)

inv = sriov.inventory(host)
pf = inv.pf("eth1")
print(pf.pci_address, pf.driver, f"{pf.num_vfs}/{pf.total_vfs} VFs")

plan = sriov.set_num_vfs("eth1", 2, sysfs=host)  # echo 2 > .../sriov_numvfs, safely
print(plan)
print(sriov.udev_rule(sriov.inventory(host).pf("eth1"), 2, style="driver"), end="")

vf = sriov.pick_free_vf(sriov.inventory(host).pf("eth1"))
assert vf is not None
iface = vf.to_interface(mac="52:54:00:00:01:01")  # virsh attach-interface ... hostdev --mac
domain = vnl.append_interface("<domain><name>vm</name><devices/></domain>", iface)
print(domain)
