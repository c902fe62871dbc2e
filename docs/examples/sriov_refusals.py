"""What set_num_vfs refuses, and why: each refusal is a SriovError before anything is written."""

import tempfile

from virtnetlib import sriov
from virtnetlib.fakesysfs import FakeSysfs

host = FakeSysfs(tempfile.mkdtemp())
host.add_pf("0000:82:00.0", netdevs=["eth1"], total_vfs=7, num_vfs=2)
host.bind_vf("0000:82:00.0", 0, "vfio-pci")  # VF 0 is assigned to a running guest


def attempt(count: int, **options: bool) -> None:
    try:
        print(sriov.set_num_vfs("eth1", count, sysfs=host, dry_run=True, **options))
    except sriov.SriovError as err:
        print(err)


attempt(8)  # more than sriov_totalvfs
attempt(4)  # 2 -> 4 goes through 0, destroying the VFs
attempt(4, allow_change=True)  # ...but VF 0 is in use
attempt(4, allow_change=True, force=True)  # force: remove them anyway; the guest loses its NIC
