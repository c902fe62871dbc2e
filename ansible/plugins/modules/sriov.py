#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sriov
short_description: Set the number of SR-IOV virtual functions of a physical function, safely
version_added: 0.1.0
description:
  - Ensures an SR-IOV capable network device (the physical function, PF) has
    O(num_vfs) virtual functions (VFs), through C(virtnetlib.sriov) on the
    managed host, writing C(sriov_numvfs) in sysfs as the RHEL 10 guide does.
  - The count is read first; nothing is written when it is already right.
  - The kernel changes one non-zero count to another only through 0, which
    destroys every VF; that needs O(allow_change=true). Removing VFs is
    refused while one is bound to C(vfio-pci) (assigned to a VM), up, or a
    port of a bridge or bond, unless O(force=true).
  - With O(persist=true), a udev rule recreates the VFs at boot.
  - Every refusal and error is virtnetlib's, with its message.
author:
  - virtnetlib developers (@virtnetlib)
requirements:
  - virtnetlib
options:
  pf:
    description:
      - The physical function, by one of its network interface names (V(enp130s0f0))
        or by its PCI address as sysfs writes it (V(0000:82:00.0)).
    type: str
    required: true
  num_vfs:
    description:
      - The number of VFs the PF must have, from 0 to its C(sriov_totalvfs).
    type: int
    required: true
  allow_change:
    description:
      - Allow changing a non-zero count to another non-zero count. The kernel
        requires passing through 0, which removes every existing VF (and so
        the network of any VM using one).
      - Without it such a change fails, saying why.
    type: bool
    default: false
  force:
    description:
      - Remove VFs even when one is in use (bound to C(vfio-pci), up, or a
        bridge or bond port). VMs using them lose their device.
    type: bool
    default: false
  persist:
    description:
      - Also write a udev rule into O(rules_dir) that recreates O(num_vfs) VFs
        at boot, so the count survives a reboot.
      - The rule is replaced atomically, and only when its text changes.
    type: bool
    default: false
  udev_style:
    description:
      - How the udev rule matches the PF (with O(persist=true)).
      - V(pci) matches this PF by its PCI address (safer on hosts with several NICs).
      - V(driver) is the RHEL 10 guide's rule, matched on the driver; every PF of
        that driver gets the VFs.
    type: str
    choices: [pci, driver]
    default: pci
  rules_dir:
    description:
      - The folder the udev rule goes into (with O(persist=true)).
    type: path
    default: /etc/udev/rules.d
  sysfs_root:
    description:
      - Where sysfs is mounted. Leave it unset for the host's C(/sys).
      - Tests and tools point it at a sysfs tree elsewhere (for example one
        built by C(virtnetlib.fakesysfs)).
    type: path
  timeout:
    description:
      - Seconds each write of C(sriov_numvfs) may take, and then seconds to wait
        for the VFs to appear. Drivers can be slow to create VFs.
    type: float
    default: 60
notes:
  - Needs root on the managed host to write sysfs and the udev rule.
  - Check mode reads sysfs and reports the writes that would be made; refusals
    are reported in check mode too.
  - With C(--diff), shows the VF count before and after and, with O(persist=true),
    the udev rule before and after.
attributes:
  check_mode:
    description: Reads sysfs and reports the writes that would be made, refusals included.
    support: full
  diff_mode:
    description: Shows the VF count, and with O(persist=true) the udev rule, before and after.
    support: full
"""

EXAMPLES = r"""
- name: Give the 82599ES port four VFs, kept across reboots
  virtnetlib.libvirt.sriov:
    pf: enp130s0f0
    num_vfs: 4
    persist: true

- name: Change the count of VFs (removes the existing ones first)
  virtnetlib.libvirt.sriov:
    pf: "0000:82:00.0"
    num_vfs: 8
    allow_change: true

- name: Remove every VF of the PF
  virtnetlib.libvirt.sriov:
    pf: enp130s0f0
    num_vfs: 0

- name: See what would change, without writing
  virtnetlib.libvirt.sriov:
    pf: enp130s0f0
    num_vfs: 2
    allow_change: true
  check_mode: true
  diff: true
  register: planned
"""

RETURN = r"""
pf:
  description: The PCI address of the physical function.
  returned: success
  type: str
  sample: "0000:82:00.0"
num_vfs_before:
  description: The number of VFs before the task.
  returned: success
  type: int
  sample: 0
num_vfs:
  description:
    - The number of VFs after the task, read back from sysfs (a driver may
      enable fewer than asked; that is also a warning).
    - In check mode, the number asked for.
  returned: success
  type: int
  sample: 4
writes:
  description:
    - The values written to C(sriov_numvfs), in order (or that would be, in
      check mode); empty when the count was already right.
  returned: success
  type: list
  elements: int
  sample: [0, 4]
vfs:
  description:
    - The VFs of the PF after the task, by number (in check mode, as they are now).
  returned: success
  type: list
  elements: dict
  contains:
    index:
      description: The VF's number (C(virtfnN)).
      type: int
      sample: 0
    pci_address:
      description: The VF's PCI address.
      type: str
      sample: "0000:82:10.0"
    netdev:
      description: Its network interface, when its driver made one.
      type: str
      sample: enp130s0f0v0
    mac:
      description: The MAC address of that interface, when known.
      type: str
      sample: "02:00:00:00:82:00"
    driver:
      description: The driver bound to the VF (V(vfio-pci) when assigned to a VM).
      type: str
      sample: ixgbevf
    iommu_group:
      description: The VF's IOMMU group.
      type: int
      sample: 42
    assigned:
      description: Whether the VF is bound to a driver that hands it to VMs.
      type: bool
      sample: false
udev_rule:
  description:
    - The path of the udev rule, with O(persist=true) (also in check mode).
  returned: when persist is true
  type: str
  sample: /etc/udev/rules.d/70-virtnetlib-sriov-0000_82_00_0.rules
"""

import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.virtnetlib.libvirt.plugins.module_utils.common import (
    VirtnetlibError,
    fail,
    require,
)

try:
    from virtnetlib import sriov
except ImportError:  # require() says what to install
    sriov = None


def vf_dict(vf):
    return {
        "index": vf.index,
        "pci_address": vf.pci_address,
        "netdev": vf.netdev,
        "mac": vf.mac,
        "driver": vf.driver,
        "iommu_group": vf.iommu_group,
        "assigned": vf.assigned,
    }


#: A udev rule virtnetlib writes is one line; a file far larger is not one of ours.
RULE_LIMIT = 64 * 1024


def read_text(path):
    """The text of an existing rule file, or None when there is none.

    Only a regular file is read (a FIFO or a device put in its place is
    not opened), at most RULE_LIMIT bytes, and bytes that are not UTF-8
    read as replacement characters (the rule is then different, and is
    written again)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return "(not a regular file)"
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        return handle.read(RULE_LIMIT).decode("utf-8", errors="replace")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            pf=dict(type="str", required=True),
            num_vfs=dict(type="int", required=True),
            allow_change=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
            persist=dict(type="bool", default=False),
            udev_style=dict(type="str", choices=["pci", "driver"], default="pci"),
            rules_dir=dict(type="path", default="/etc/udev/rules.d"),
            sysfs_root=dict(type="path"),
            timeout=dict(type="float", default=60),
        ),
        supports_check_mode=True,
    )
    require(module)
    p = module.params
    result = dict(changed=False)
    try:
        sysfs = sriov.Sysfs(p["sysfs_root"]) if p["sysfs_root"] else sriov.Sysfs()
        plan = sriov.set_num_vfs(
            p["pf"],
            p["num_vfs"],
            sysfs=sysfs,
            allow_change=p["allow_change"],
            force=p["force"],
            dry_run=module.check_mode,
            timeout=p["timeout"],
        )
        for finding in plan.findings:
            module.warn("%s %s" % (finding.code, finding.message))
        physical = sriov.inventory(sysfs).pf(plan.pf_address)
        after = plan.requested if plan.actual is None else plan.actual
        result.update(
            changed=plan.changes,
            pf=plan.pf_address,
            num_vfs_before=plan.current,
            num_vfs=after,
            writes=list(plan.writes),
            vfs=[vf_dict(vf) for vf in physical.vfs],
        )
        diffs = []
        if plan.changes:
            diffs.append(
                dict(
                    before_header="%s sriov_numvfs" % plan.pf_address,
                    after_header="%s sriov_numvfs" % plan.pf_address,
                    before="%d\n" % plan.current,
                    after="%d\n" % after,
                )
            )
        if p["persist"]:
            name, text = sriov.udev_rule_file(physical, p["num_vfs"], style=p["udev_style"])
            target = os.path.join(p["rules_dir"], name)
            current = read_text(target)
            result["udev_rule"] = target
            if current != text:
                result["changed"] = True
                diffs.append(
                    dict(
                        before_header=target,
                        after_header=target,
                        before=current or "",
                        after=text,
                    )
                )
                if not module.check_mode:
                    sriov.write_udev_rule(
                        p["rules_dir"], physical, p["num_vfs"], style=p["udev_style"]
                    )
        if module._diff and diffs:
            result["diff"] = diffs
    except VirtnetlibError as exc:
        fail(module, exc, **result)
    except OSError as exc:  # reading the rule there, or rendering it in a scratch folder
        where = exc.filename or "the udev rule"
        fail(module, "cannot read or write %s: %s" % (where, exc.strerror or exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
