"""Create two VFs on eth1: echo 2 > /sys/class/net/eth1/device/sriov_numvfs, safely."""

import tempfile

from virtnetlib import sriov
from virtnetlib.fakesysfs import FakeSysfs

host = FakeSysfs(tempfile.mkdtemp())  # on a host: sriov.Sysfs("/sys"), as root
host.add_pf("0000:82:00.0", netdevs=["eth1"], total_vfs=7)

print(sriov.set_num_vfs("eth1", 2, sysfs=host, dry_run=True))  # what it would write
print(sriov.set_num_vfs("eth1", 2, sysfs=host))
for vf in sriov.inventory(host).pf("eth1").vfs:  # lspci | grep Ethernet
    print(f"virtfn{vf.index}", vf.pci_address, vf.driver)
