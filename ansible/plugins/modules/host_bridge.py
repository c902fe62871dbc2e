#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_bridge
short_description: Host bridges and bonds for VMs, with their ports, through NetworkManager
version_added: 0.1.0
description:
  - Creates the NetworkManager connection profiles of a host bridge or bond
    and its Ethernet ports, the way the RHEL 10 guide does with C(nmcli),
    through C(virtnetlib.nmcli) on the managed host.
  - Describe the bridge or bond with O(name), O(type), O(ports) and the
    settings below, or give a libvirt host C(<interface>) document in O(xml)
    or O(src) (a bridge over a bond, a bond, a VLAN, with addresses, MTU, MAC
    and start mode).
  - The commands are planned first (RV(plan) in the result), then run
    idempotently; a profile that already has the planned settings is left
    alone, and one already active is not brought up again unless this task
    changed a profile.
  - Profiles are addressed by UUIDs virtnetlib derives from their names, so the
    same task finds the profiles it created before. Port profiles are named
    C(NAME-port1), C(NAME-port2)... in the order of O(ports).
  - Commands run as argument lists, never through a shell. nmcli's failures
    (NetworkManager not running, activation failed...) fail the task with
    virtnetlib's message, which holds nmcli's.
author:
  - virtnetlib developers (@virtnetlib)
requirements:
  - virtnetlib
  - NetworkManager and nmcli on the managed host
options:
  name:
    description:
      - The name of the bridge or bond profile, and of its interface unless
        O(interface) is given.
      - One of O(name), O(xml) and O(src) is required.
    type: str
  type:
    description:
      - What O(name) is.
    type: str
    choices: [bridge, bond]
    default: bridge
  interface:
    description:
      - The kernel name of the bridge or bond interface (1 to 15 bytes), when
        it differs from O(name).
    type: str
  ports:
    description:
      - The Ethernet interfaces to enslave, one port profile each.
    type: list
    elements: str
    default: []
  stp:
    description:
      - Whether the bridge runs the spanning tree protocol (O(type=bridge) only).
        Unset, NetworkManager's default applies.
    type: bool
  bond:
    description:
      - Bonding settings (O(type=bond) only).
    type: dict
    suboptions:
      mode:
        description:
          - The bonding mode, by name or number.
          - Only V(active-backup) (1), V(balance-xor) (2) and V(802.3ad) (4) are
            expected to work for a bond under a bridge that VMs use (RHEL 10 guide).
        type: str
        default: active-backup
      miimon:
        description:
          - MII link monitoring interval, in milliseconds (recommended over ARP
            monitoring by the RHEL 10 guide).
        type: int
        default: 100
      options:
        description:
          - Other bonding options, as C(bond.options) takes them (V(updelay),
            V(arp_interval), V(arp_ip_target)...). Separate several ARP targets
            with spaces.
        type: dict
  ipv4:
    description:
      - IPv4 settings of the bridge or bond.
      - When neither O(ipv4) nor O(ipv6) is given, a bridge gets no addresses
        (both methods V(disabled), as for a bridge only VMs use) and a bond
        NetworkManager's defaults. When only one is given, the other family is
        left to NetworkManager's defaults.
    type: dict
    suboptions:
      method:
        description:
          - C(ipv4.method).
        type: str
        choices: [auto, manual, link-local, shared, disabled]
      addresses:
        description:
          - Addresses with their prefix length (V(198.51.100.1/24)); C(ipv4.addresses).
        type: list
        elements: str
      gateway:
        description:
          - C(ipv4.gateway).
        type: str
  ipv6:
    description:
      - IPv6 settings of the bridge or bond; see O(ipv4).
    type: dict
    suboptions:
      method:
        description:
          - C(ipv6.method).
        type: str
        choices: [auto, dhcp, manual, link-local, shared, ignore, disabled]
      addresses:
        description:
          - Addresses with their prefix length (V(2001:db8::1/64)); C(ipv6.addresses).
        type: list
        elements: str
      gateway:
        description:
          - C(ipv6.gateway).
        type: str
  xml:
    description:
      - A libvirt host C(<interface>) document (C(virsh iface-dumpxml) format)
        describing what to create, instead of O(name) and the options above.
    type: str
  src:
    description:
      - The path of such a document on the managed host.
    type: path
  state:
    description:
      - V(present) creates or updates the profiles.
      - V(absent) deletes the profiles the same options would create, where
        they exist; give the same O(ports) (or document) as when creating, so
        the port profiles go too.
    type: str
    choices: [present, absent]
    default: present
  activate:
    description:
      - Bring the bridge or bond up after creating its profiles.
    type: bool
    default: true
  nmcli:
    description:
      - The nmcli program, by absolute path or by a name searched on the
        managed host's C(PATH).
    type: str
    default: nmcli
  wait:
    description:
      - Seconds nmcli waits for NetworkManager to finish each operation (C(nmcli --wait)).
    type: int
    default: 60
  timeout:
    description:
      - Seconds after which an nmcli command that has not returned is an error.
    type: float
    default: 120
notes:
  - Needs root (or a polkit rule) on the managed host to change NetworkManager profiles.
  - Check mode reads the profiles NetworkManager has and reports the commands
    that would run, without running them. When NetworkManager is not running,
    check mode reports every planned command, with a warning.
  - Only NetworkManager's running daemon is driven; C(nmcli --offline) (writing
    keyfiles without a daemon) is not offered, since the virtnetlib adapter does
    not plan for it.
  - Enslaving the interface that carries the host's own connection to a bridge
    moves its addresses to the bridge; do it from a console, or give the bridge
    the addresses in the same task.
attributes:
  check_mode:
    description: Reads NetworkManager's profiles and reports the commands that would run.
    support: full
  diff_mode:
    description: No diff; RV(plan) and RV(ran) say what changes.
    support: none
"""

EXAMPLES = r"""
- name: A bridge for VMs over the second NIC, without host addresses
  virtnetlib.libvirt.host_bridge:
    name: br0
    ports: [enp7s0]

- name: An active-backup bond with a static address
  virtnetlib.libvirt.host_bridge:
    name: bond0
    type: bond
    ports: [enp7s0, enp8s0]
    bond:
      mode: active-backup
      miimon: 100
      options:
        updelay: 200
    ipv4:
      method: manual
      addresses: [198.51.100.10/24]
      gateway: 198.51.100.1
    ipv6:
      method: disabled

- name: A bridge over a bond, from a libvirt host interface document
  virtnetlib.libvirt.host_bridge:
    xml: |
      <interface type='bridge' name='br0'>
        <bridge stp='off'>
          <interface type='bond' name='bond0'>
            <bond mode='active-backup'>
              <miimon freq='100'/>
              <interface type='ethernet' name='enp7s0'/>
              <interface type='ethernet' name='enp8s0'/>
            </bond>
          </interface>
        </bridge>
      </interface>

- name: Review the nmcli commands without running them
  virtnetlib.libvirt.host_bridge:
    name: br0
    ports: [enp7s0]
  check_mode: true
  register: planned

- name: Remove the bridge and its port profile
  virtnetlib.libvirt.host_bridge:
    name: br0
    ports: [enp7s0]
    state: absent
"""

RETURN = r"""
plan:
  description:
    - Every command of the plan, in order, as a shell-quoted line (they run as
      argument lists, without a shell).
    - With O(state=absent), the deletions of the profiles that exist.
  returned: always
  type: list
  elements: str
  sample:
    - >-
      /usr/bin/nmcli --wait 60 connection add type bridge con-name br0 ifname br0
      connection.uuid 5f0c... ipv4.method disabled ipv6.method disabled
    - >-
      /usr/bin/nmcli --wait 60 connection add type ethernet slave-type bridge
      con-name br0-port1 ifname enp7s0 connection.uuid 1b2e... master 5f0c...
    - /usr/bin/nmcli --wait 60 connection modify uuid 5f0c... connection.autoconnect-slaves 1
    - /usr/bin/nmcli --wait 60 connection up uuid 5f0c...
ran:
  description:
    - The commands of the plan that ran (in check mode, that would run).
  returned: always
  type: list
  elements: str
in_place:
  description:
    - The commands of the plan left out because what they do was already in place.
    - "Not named C(skipped), which Ansible takes for a skipped task."
  returned: always
  type: list
  elements: str
profiles:
  description: The connection profiles the task manages.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The profile's name (C(connection.id)).
      type: str
      sample: br0-port1
    type:
      description: V(bridge), V(bond), V(ethernet) or V(vlan).
      type: str
      sample: ethernet
    interface:
      description: The interface the profile is for.
      type: str
      sample: enp7s0
    uuid:
      description: The profile's UUID, derived from its type and name.
      type: str
      sample: 1b2e4f0a-7d0c-5a4e-9d2b-0c8f3e6a1d55
    controller:
      description: The name of the bridge or bond profile this one is a port of.
      type: str
      sample: br0
"""

import shlex
import subprocess

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.virtnetlib.libvirt.plugins.module_utils.common import (
    VirtnetlibError,
    fail,
    load_model,
    require,
    virtnetlib,
)

try:
    from virtnetlib import nmcli
except ImportError:  # require() says what to install
    nmcli = None

#: What describes the bridge or bond when no document does.
BY_OPTIONS = ("name", "interface", "ports", "stp", "bond", "ipv4", "ipv6")


class Runner:
    """Runs nmcli for virtnetlib's adapter (as its default runner does),
    keeping the commands that change something. In check mode those are
    answered with success without running: only nmcli's reading commands
    (C(--version) and C(-t) queries) run, so the adapter's idempotent
    C(apply) tells which steps would run."""

    def __init__(self, check_mode):
        self.check_mode = check_mode
        self.changing = []

    def __call__(self, argv, stdin, timeout):
        args = list(argv[1:])
        if args[:1] == ["--wait"]:
            args = args[2:]
        if args[:1] in (["--version"], ["-t"]):
            done = nmcli.subprocess_runner(argv, stdin, timeout)
            if self.check_mode and done.returncode == 10 and "show" in args:
                # the settings of a profile this dry run "added": it has none yet
                return subprocess.CompletedProcess(list(argv), 0, "", "")
            return done
        self.changing.append(list(argv))
        if self.check_mode:
            return subprocess.CompletedProcess(list(argv), 0, "", "")
        return nmcli.subprocess_runner(argv, stdin, timeout)


def lines(argvs):
    return [" ".join(shlex.quote(a) for a in argv) for argv in argvs]


def ip_pairs(family, given):
    """nmcli properties of the ipv4 or ipv6 option."""
    pairs = []
    if given.get("method") is not None:
        pairs.append(("%s.method" % family, given["method"]))
    if given.get("addresses") is not None:
        pairs.append(("%s.addresses" % family, ",".join(given["addresses"])))
    if given.get("gateway") is not None:
        pairs.append(("%s.gateway" % family, given["gateway"]))
    return pairs


def profiles_of(module):
    p = module.params
    if p["xml"] is not None or p["src"] is not None:
        host = load_model(
            module, virtnetlib.HostInterface, xml=p["xml"], src=p["src"], what="host interface"
        )
        return nmcli.plan_from_host_interface(host)
    kwargs = dict(interface=p["interface"])
    if p["ipv4"] is not None or p["ipv6"] is not None:
        kwargs["ip"] = ip_pairs("ipv4", p["ipv4"] or {}) + ip_pairs("ipv6", p["ipv6"] or {})
    if p["type"] == "bond":
        if p["stp"] is not None:
            module.fail_json(msg="stp is a bridge setting; this is a bond")
        bond = p["bond"] or {}
        if bond:
            kwargs.update(mode=bond["mode"], miimon=bond["miimon"], options=bond["options"])
        return nmcli.bond_profiles(p["name"], p["ports"], **kwargs)
    if p["bond"] is not None:
        module.fail_json(msg="bond settings are for type=bond; this is a bridge")
    return nmcli.bridge_profiles(p["name"], p["ports"], stp=p["stp"], **kwargs)


def profile_dict(profile):
    return {
        "name": profile.name,
        "type": profile.type,
        "interface": profile.interface,
        "uuid": profile.uuid,
        "controller": profile.controller,
    }


def stale_ports(cli, profiles):
    """UUIDs of port profiles of a managed controller that are no longer asked
    for (its earlier ports: NAME-portN profiles this module made)."""
    planned = set(profile.uuid for profile in profiles)
    prefixes = tuple(
        "%s-port" % profile.name for profile in profiles if profile.type != "ethernet"
    )
    try:
        existing = cli.connections()
    except nmcli.NetworkManagerNotRunningError:
        return []  # nothing exists where nothing runs (check mode says so already)
    return [
        c.uuid
        for c in existing
        if c.name.startswith(prefixes) and c.name[len(c.name.rstrip("0123456789")) :]
        and c.uuid not in planned
    ]


def main():
    ip = dict(
        method=dict(type="str"),
        addresses=dict(type="list", elements="str"),
        gateway=dict(type="str"),
    )
    ipv4, ipv6 = dict(ip), dict(ip)
    ipv4["method"] = dict(
        type="str", choices=["auto", "manual", "link-local", "shared", "disabled"]
    )
    ipv6["method"] = dict(
        type="str",
        choices=["auto", "dhcp", "manual", "link-local", "shared", "ignore", "disabled"],
    )
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            type=dict(type="str", choices=["bridge", "bond"], default="bridge"),
            interface=dict(type="str"),
            ports=dict(type="list", elements="str", default=[]),
            stp=dict(type="bool"),
            bond=dict(
                type="dict",
                options=dict(
                    mode=dict(type="str", default="active-backup"),
                    miimon=dict(type="int", default=100),
                    options=dict(type="dict"),
                ),
            ),
            ipv4=dict(type="dict", options=ipv4),
            ipv6=dict(type="dict", options=ipv6),
            xml=dict(type="str"),
            src=dict(type="path"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            activate=dict(type="bool", default=True),
            nmcli=dict(type="str", default="nmcli"),
            wait=dict(type="int", default=60),
            timeout=dict(type="float", default=120),
        ),
        required_one_of=[("name", "xml", "src")],
        mutually_exclusive=[("xml", "src")]
        + [(doc, option) for doc in ("xml", "src") for option in (*BY_OPTIONS, "type")],
        supports_check_mode=True,
    )
    require(module)
    p = module.params
    result = dict(changed=False, plan=[], ran=[], in_place=[], profiles=[])
    runner = Runner(module.check_mode)
    try:
        profiles = profiles_of(module)
        result["profiles"] = [profile_dict(profile) for profile in profiles]
        path = p["nmcli"] if "/" in p["nmcli"] else module.get_bin_path(p["nmcli"], required=True)
        cli = nmcli.Nmcli(runner, path=path, timeout=p["timeout"], wait=p["wait"])
        if p["state"] == "absent":
            try:
                existing = set(connection.uuid for connection in cli.connections())
            except nmcli.NetworkManagerNotRunningError:
                if not module.check_mode:
                    raise
                module.warn(
                    "NetworkManager is not running: every profile's delete is reported, "
                    "since which ones exist cannot be read"
                )
                existing = set(profile.uuid for profile in profiles)
            for profile in reversed(profiles):  # ports first, then what they are ports of
                if profile.uuid in existing:
                    cli.delete(profile.uuid)
            result["plan"] = result["ran"] = lines(runner.changing)
        else:
            plan = cli.plan(profiles, activate=p["activate"])
            result["plan"] = lines(plan.argvs(cli.path, cli.wait))
            try:
                report = cli.apply(plan)
            except nmcli.NetworkManagerNotRunningError:
                if not module.check_mode:
                    raise
                module.warn(
                    "NetworkManager is not running: every command of the plan is reported, "
                    "since which ones are already in place cannot be read"
                )
                report = nmcli.ApplyReport(plan.steps, ())
            result["ran"] = lines(nmcli.Plan(report.ran).argvs(cli.path, cli.wait))
            # ports no longer asked for: their profiles go, or they stay enslaved
            stale = stale_ports(cli, profiles)
            for uuid in stale:
                cli.delete(uuid)
            deleted = lines(runner.changing)[-len(stale):] if stale else []
            result["plan"] += deleted
            result["ran"] += deleted
            result["in_place"] = lines(nmcli.Plan(report.skipped).argvs(cli.path, cli.wait))
        result["changed"] = bool(result["ran"])
    except VirtnetlibError as exc:
        result["changed"] = bool(runner.changing)
        fail(module, exc, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
