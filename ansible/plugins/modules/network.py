#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: network
short_description: A libvirt virtual network, changed in place without restarting it
version_added: "0.1.0"
description:
  - Ensures a libvirt network is defined as given, running or stopped, and
    autostarted or not.
  - The definition is validated first (libvirt's schemas and the checks libvirt
    makes at define time); errors fail the task with their codes, advice becomes
    warnings.
  - A running network is changed in place where libvirt can change it (DHCP
    hosts and ranges, DNS records, portgroups, forward interfaces), so its guests
    keep their link; what needs a restart is done only with O(update=restart).
  - Desired and current definitions are compared in libvirt's canonical form, so
    defaults libvirt fills in (uuid, bridge MAC, bridge name) never show as
    changes, in check mode or otherwise.
  - A thin layer over virtnetlib's C(Connection.plan_network) and C(Connection.apply).
author:
  - virtnetlib developers (@virtnetlib)
extends_documentation_fragment:
  - virtnetlib.libvirt.libvirt
options:
  name:
    description:
      - The network's name. Required for O(state=absent) and O(state=stopped)
        without a definition; otherwise taken from the definition, and must match it when both are given.
    type: str
  xml:
    description:
      - The network's libvirt XML.
      - Mutually exclusive with O(src) and O(definition).
    type: str
  src:
    description:
      - A file on the managed host holding the network's libvirt XML.
    type: path
  definition:
    description:
      - The network as a mapping of virtnetlib's field names (C(name), C(forward),
        C(bridge), C(ips) with C(dhcp) C(ranges) and C(hosts), ...), values as
        the XML has them. See virtnetlib's network model reference.
    type: dict
  state:
    description:
      - V(present) defines the network and leaves it running or stopped as it is
        (a new network is not started); V(started) also starts it; V(stopped)
        defines it (when a definition is given) and stops it; V(absent) stops and
        undefines it.
    type: str
    choices: [present, started, stopped, absent]
    default: started
  autostart:
    description:
      - Whether libvirt starts the network when the host boots. Left as it is when
        not given.
    type: bool
  update:
    description:
      - What may be done to a running network whose definition changes.
      - V(live) changes what libvirt can change in place and defines the rest,
        which then waits for the next start (RV(pending_restart)).
      - V(restart) also restarts the network when a change needs it; its guests
        lose their link meanwhile and are put back on its bridge.
      - V(redefine-only) changes only the persistent definition; the running
        network is left as it runs until its next start.
    type: str
    choices: [live, restart, redefine-only]
    default: live
  disable:
    description:
      - Validation codes to leave out (see virtnetlib's validation codes).
    type: list
    elements: str
    default: []
notes:
  - Supports check mode and diff mode. The diff is of libvirt's canonical XML.
"""

EXAMPLES = r"""
- name: A NAT network with a fixed address for one guest, changed live
  virtnetlib.libvirt.network:
    definition:
      name: lab
      forward: {mode: nat}
      bridge: {name: virbr10}
      ips:
        - address: 198.51.100.1
          prefix: 24
          dhcp:
            ranges: [{start: 198.51.100.100, end: 198.51.100.199}]
            hosts: [{mac: "52:54:00:6c:3c:01", name: web, ip: 198.51.100.10}]
    autostart: true

- name: From a template, restarting it when a change needs that
  virtnetlib.libvirt.network:
    xml: "{{ lookup('template', 'lab.xml.j2') }}"
    update: restart

- name: Gone
  virtnetlib.libvirt.network:
    name: lab
    state: absent
"""

RETURN = r"""
changed:
  description: Whether anything was (or, in check mode, would be) changed.
  returned: always
  type: bool
network:
  description: The network's name.
  returned: always
  type: str
steps:
  description: The plan's steps, in order (kind, description, disruptive; for updates the networkUpdate section, command and fragment).
  returned: always
  type: list
  elements: dict
  sample: [{kind: update, description: "add DHCP host web", disruptive: false, section: ip-dhcp-host, command: add-last}]
disruptive:
  description: Whether a step disconnects the network's guests (a restart).
  returned: always
  type: bool
pending_restart:
  description: The running network still differs from its definition; the change takes effect at its next start.
  returned: always
  type: bool
affected_domains:
  description: Running guests a restart disconnects.
  returned: always
  type: list
  elements: str
action:
  description: What became of the definition (created, redefined, updated, unchanged); not in check mode.
  returned: when changed and not in check mode
  type: str
problems:
  description: The validation problems found (warnings; errors fail the task).
  returned: when a definition is given
  type: list
  elements: dict
xml:
  description: The network's definition after the task, in libvirt's canonical form.
  returned: when the network exists afterwards
  type: str
"""

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


def _absent(module, conn, name):
    exists = conn.has_network(name)
    before = conn.network(name).network.to_xml() if exists else ""
    result = dict(
        changed=exists,
        network=name,
        steps=[{"kind": "undefine", "description": "stop and undefine the network", "disruptive": True}]
        if exists
        else [],
        disruptive=exists,
        pending_restart=False,
        affected_domains=[],
        diff=dict(before=before, after=""),
    )
    if exists and not module.check_mode:
        state = conn.network(name)
        if state.active:
            conn.stop_network(name)
        if state.persistent:
            conn.undefine_network(name)
    return result


def _stopped_only(module, conn, name):
    """state=stopped without a definition: stop the network as it is."""
    if not conn.has_network(name):
        module.fail_json(msg="network %r does not exist; give its definition to define it" % name)
    state = conn.network(name)
    xml = state.network.to_xml()
    result = dict(
        changed=state.active,
        network=name,
        steps=[{"kind": "stop", "description": "stop the network", "disruptive": True}] if state.active else [],
        disruptive=state.active,
        pending_restart=False,
        affected_domains=[],
        xml=xml,
        diff=dict(before=xml, after=xml),
    )
    if state.active and not module.check_mode:
        conn.stop_network(name)
    return result


def _planned(module, conn, net):
    state = module.params["state"]
    update = module.params["update"]
    existed = conn.has_network(net.name)
    active = existed and conn.network(net.name).active
    # a running transient network gets a definition too: present means defined
    transient = existed and not conn.network(net.name).persistent
    stopping = state == "stopped"
    plan = conn.plan_network(
        net,
        start=state == "started",
        # a network about to stop is not restarted first: its definition changes,
        # and it stops
        allow_restart=update == "restart" and not stopping,
        autostart=module.params["autostart"],
        live=update != "redefine-only" and not stopping,
    )
    steps = [step.to_dict() for step in plan.steps]
    stop = state == "stopped" and (active or any(s["kind"] == "start" for s in steps))
    define = transient and not any(s["kind"] in ("define", "redefine") for s in steps)
    if define:
        steps.append({"kind": "define", "description": "define the running transient network"})
    result = dict(
        changed=plan.changed or stop or define,
        network=plan.name,
        steps=steps,
        disruptive=plan.disruptive or stop,
        pending_restart=plan.pending_restart and not stopping,
        affected_domains=list(plan.affected_domains),
        xml=plan.desired.to_xml(),
        diff=dict(
            before=plan.current.to_xml() if plan.current is not None else "",
            after=plan.desired.to_xml(),
        ),
    )
    if stop:
        result["steps"].append({"kind": "stop", "description": "stop the network", "disruptive": True})
    if module.check_mode:
        return result
    if plan.changed:
        applied = conn.apply(plan)
        result["action"] = applied.action
        if applied.unreconnected:
            module.warn(
                "guests not put back on the restarted network (the driver changes no device live): "
                + ", ".join(applied.unreconnected)
            )
    if define:
        conn.define_network(plan.desired)
        result.setdefault("action", "redefined")
    if stop and conn.network(plan.name).active:
        conn.stop_network(plan.name)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            xml=dict(type="str"),
            src=dict(type="path"),
            definition=dict(type="dict"),
            state=dict(type="str", default="started", choices=["present", "started", "stopped", "absent"]),
            autostart=dict(type="bool"),
            update=dict(type="str", default="live", choices=["live", "restart", "redefine-only"]),
            disable=dict(type="list", elements="str", default=[]),
            uri=URI_ARG,
        ),
        mutually_exclusive=[("xml", "src", "definition")],
        required_one_of=[("name", "xml", "src", "definition")],
        supports_check_mode=True,
    )
    require(module)
    params = module.params
    given = any(params[k] is not None for k in ("xml", "src", "definition"))
    if params["state"] in ("present", "started") and not given:
        module.fail_json(msg="state=%s needs the network's xml, src or definition" % params["state"])
    net = problems = None
    if given:
        net = load_model(module, virtnetlib.Network, params["xml"], params["src"], params["definition"])
        if params["name"] is not None and params["name"] != net.name:
            module.fail_json(msg="name %r does not match the definition's %r" % (params["name"], net.name))
        if params["state"] != "absent":  # removing a network needs only its name
            problems = check(module, net, params["disable"])
    name = params["name"] if net is None else net.name
    try:
        with connect(module, params["uri"]) as conn:
            if params["state"] == "absent":
                result = _absent(module, conn, name)
            elif net is None:
                result = _stopped_only(module, conn, name)
            else:
                result = _planned(module, conn, net)
    except VirtnetlibError as exc:
        fail(module, exc, network=name)
    if problems is not None:
        result["problems"] = problems
    module.exit_json(**result)


if __name__ == "__main__":
    main()
