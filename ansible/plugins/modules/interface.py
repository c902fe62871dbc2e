#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: interface
short_description: A NIC of a libvirt domain, by MAC address, live and in its definition
version_added: "0.1.0"
description:
  - Ensures a domain has (or has not) the network interface with a given MAC
    address, as given.
  - On a running guest, libvirt changes the link state, bandwidth, filter,
    VLAN, coalescing, port isolation and source network or bridge in place;
    any other change unplugs the NIC and plugs the new one in. Fields the
    definition leaves out stay as libvirt has them, so they are no change.
  - The interface is validated before anything reaches libvirt.
  - A thin layer over virtnetlib's C(Connection.plan_interfaces) and C(Connection.apply).
author:
  - virtnetlib developers (@virtnetlib)
extends_documentation_fragment:
  - virtnetlib.libvirt.libvirt
options:
  domain:
    description:
      - The domain's name.
    type: str
    required: true
  mac:
    description:
      - The NIC's MAC address. Taken from the definition when not given; required for O(state=absent).
    type: str
  xml:
    description:
      - The NIC's libvirt C(<interface>) XML.
    type: str
  src:
    description:
      - A file on the managed host holding the NIC's XML.
    type: path
  definition:
    description:
      - The NIC as a mapping of virtnetlib's field names (C(type), C(mac), C(source), C(model), ...).
    type: dict
  state:
    description:
      - V(present) plugs the NIC in or changes it; V(absent) unplugs it.
    type: str
    choices: [present, absent]
    default: present
  live:
    description:
      - Change the running guest (when it runs).
    type: bool
    default: true
  config:
    description:
      - Change the domain's persistent definition.
    type: bool
    default: true
  detach_timeout:
    description:
      - Seconds to wait for a running guest to release an unplugged NIC; one
        still held is reported in RV(pending), not assumed gone.
    type: float
    default: 10
  disable:
    description:
      - Validation codes to leave out.
    type: list
    elements: str
    default: []
notes:
  - Supports check mode and diff mode (the NIC's XML before and after).
"""

EXAMPLES = r"""
- name: The web guest on the lab network, with a fixed MAC
  virtnetlib.libvirt.interface:
    domain: web
    definition:
      type: network
      mac: {address: "52:54:00:6c:3c:01"}
      source: {network: lab}
      model: {type: virtio}

- name: Link down, live only
  virtnetlib.libvirt.interface:
    domain: web
    config: false
    definition:
      type: network
      mac: {address: "52:54:00:6c:3c:01"}
      source: {network: lab}
      link: {state: down}

- name: Unplugged
  virtnetlib.libvirt.interface:
    domain: web
    mac: "52:54:00:6c:3c:01"
    state: absent
"""

RETURN = r"""
changed:
  description: Whether anything was (or, in check mode, would be) changed.
  returned: always
  type: bool
steps:
  description: The plan's steps (kind update, attach or detach; mac; live; config; the interface's XML).
  returned: always
  type: list
  elements: dict
done:
  description: What was done, a line per step (the NIC's MAC, what changed, live or config).
  returned: when changed and not in check mode
  type: list
  elements: str
pending:
  description: MAC addresses of NICs the running guest had not released when the wait ended.
  returned: when changed and not in check mode
  type: list
  elements: str
problems:
  description: The validation problems found (warnings; errors fail the task).
  returned: when a definition is given
  type: list
  elements: dict
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtnetlib.libvirt.plugins.module_utils.common import (
    URI_ARG,
    VirtnetlibError,
    check,
    connect,
    fail,
    load_model,
    require,
    virtnetlib,
)


MAC = re.compile(r"\A[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}\Z")


def _current(conn, domain, mac, inactive):
    for nic in conn.domain_interfaces(domain, inactive=inactive):
        if nic.mac_address is not None and nic.mac_address.lower() == mac.lower():
            return nic.to_xml()
    return ""


def main():
    module = AnsibleModule(
        argument_spec=dict(
            domain=dict(type="str", required=True),
            mac=dict(type="str"),
            xml=dict(type="str"),
            src=dict(type="path"),
            definition=dict(type="dict"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            live=dict(type="bool", default=True),
            config=dict(type="bool", default=True),
            detach_timeout=dict(type="float", default=10),
            disable=dict(type="list", elements="str", default=[]),
            uri=URI_ARG,
        ),
        mutually_exclusive=[("xml", "src", "definition")],
        required_if=[
            ("state", "present", ("xml", "src", "definition"), True),
            ("state", "absent", ("mac",)),
        ],
        supports_check_mode=True,
    )
    require(module)
    params = module.params
    nic = problems = None
    mac = params["mac"]
    if mac is not None and not MAC.match(mac):
        module.fail_json(msg="mac %r: expected a MAC address such as 52:54:00:6c:3c:01" % mac)
    if params["state"] == "present":
        nic = load_model(module, virtnetlib.Interface, params["xml"], params["src"], params["definition"])
        if nic.mac_address is None:
            module.fail_json(msg="the interface needs a <mac address=...>: NICs are matched by MAC")
        if mac is not None and mac.lower() != nic.mac_address.lower():
            module.fail_json(msg="mac %s does not match the definition's %s" % (mac, nic.mac_address))
        mac = nic.mac_address
    try:
        with connect(module, params["uri"]) as conn:
            if nic is not None:
                # the NIC as it will stand in this domain: its driver's checks too (kvm, qemu)
                kind = conn.domain(params["domain"], inactive=True).type
                problems = check(module, nic, params["disable"], domain_type=kind)
                plan = conn.plan_interfaces(params["domain"], [nic], live=params["live"], config=params["config"])
            else:
                plan = conn.plan_interfaces(
                    params["domain"], [], absent=[mac], live=params["live"], config=params["config"]
                )
            inactive = not params["live"]
            before = _current(conn, params["domain"], mac, inactive)
            result = dict(changed=plan.changed, steps=plan.to_dict()["steps"])
            if module.check_mode or not plan.changed:
                # what the steps would leave: the NIC as the last step sends it
                # (an update keeps what the definition left out), or none
                after = before
                for step in plan.steps:
                    after = "" if step.kind == "detach" else step.interface.to_xml()
            else:
                done = conn.apply(plan, detach_timeout=params["detach_timeout"])
                result.update(done=list(done.done), pending=list(done.pending))
                if done.pending:
                    module.warn(
                        "the guest has not released: %s (it must acknowledge the unplug)"
                        % ", ".join(done.pending)
                    )
                after = _current(conn, params["domain"], mac, inactive)
            result["diff"] = dict(before=before, after=after)
    except VirtnetlibError as exc:
        fail(module, exc, domain=params["domain"])
    if problems is not None:
        result["problems"] = problems
    module.exit_json(**result)


if __name__ == "__main__":
    main()
