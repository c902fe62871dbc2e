"""Check the host for SR-IOV: the physical function, its VFs, and what stands in the way."""

import tempfile

from virtnetlib import sriov
from virtnetlib.fakesysfs import FakeSysfs

# A fake 82599ES (eth1) so the example runs anywhere; on a host: sriov.Sysfs("/sys")
host = FakeSysfs(tempfile.mkdtemp())
host.add_pf("0000:82:00.0", netdevs=["eth1"], total_vfs=7)

inv = sriov.inventory(host)
pf = inv.pf("eth1")
nic = pf.tested_nic  # on the guide's list of NICs tested for SR-IOV, or None
print(pf.pci_address, pf.driver, f"{pf.num_vfs}/{pf.total_vfs} VFs", nic and nic.name)
print("link up:", pf.link_up, "IOMMU groups:", inv.iommu_groups)
print("findings:", [f"{f.severity} {f.code}" for f in inv.findings])
