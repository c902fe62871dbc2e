#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: network_info
short_description: libvirt networks, their state and DHCP leases, as facts for templates
version_added: "0.1.0"
description:
  - Lists the libvirt networks of a host (or one of them) with their state,
    their definition as XML and as plain values, and the DHCP leases of the
    running ones.
  - Changes nothing.
author:
  - virtnetlib developers (@virtnetlib)
extends_documentation_fragment:
  - virtnetlib.libvirt.libvirt
options:
  name:
    description:
      - Only this network. Without it, every network of the host.
    type: str
  leases:
    description:
      - Whether to read the DHCP leases of running networks.
    type: bool
    default: true
notes:
  - Supports check mode (it changes nothing).
"""

EXAMPLES = r"""
- name: What the hypervisor has
  virtnetlib.libvirt.network_info:
  register: nets

- name: The address each guest on lab got
  ansible.builtin.debug:
    msg: "{{ item.hostname }} {{ item.ip }}"
  loop: "{{ (nets.networks | selectattr('name', 'equalto', 'lab') | first).leases }}"
"""

RETURN = r"""
networks:
  description: The networks, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The network's name.
      type: str
    active:
      description: Whether it runs.
      type: bool
    autostart:
      description: Whether libvirt starts it at boot.
      type: bool
    persistent:
      description: Whether it has a persistent definition (a transient one has not).
      type: bool
    pending_restart:
      description: It runs with another definition than its persistent one; the change waits for its next start.
      type: bool
    mode:
      description: Its forward mode (nat, route, open, bridge, ...) or isolated.
      type: str
    bridge:
      description: Its bridge's name, if it has one.
      type: str
    xml:
      description: Its persistent definition in libvirt's canonical form.
      type: str
    definition:
      description: The same definition as plain values (the network module's definition option).
      type: dict
    leases:
      description:
        - DHCP leases of a running network (mac, ip, prefix, hostname, client_id, expiry, family).
        - V(null), with a warning, where the driver cannot list them (libvirt's test driver).
      type: list
      elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtnetlib.libvirt.plugins.module_utils.common import (
    URI_ARG,
    VirtnetlibError,
    connect,
    fail,
    require,
)


def _lease(lease):
    return dict(
        mac=lease.mac,
        ip=str(lease.ip),
        prefix=lease.prefix,
        hostname=lease.hostname,
        client_id=lease.client_id,
        expiry=lease.expiry.isoformat(),
        interface=lease.interface,
        family=lease.family,
    )


def _leases(module, conn, name):
    """The network's leases; None (and a warning) where the driver cannot list them."""
    try:
        return [_lease(x) for x in conn.leases(name)]
    except VirtnetlibError as exc:
        module.warn("no leases for network %r: %s" % (name, exc))
        return None


def _network(module, conn, state, leases):
    net = state.network
    forward = net.forward
    return dict(
        name=net.name,
        active=state.active,
        autostart=state.autostart,
        persistent=state.persistent,
        pending_restart=state.pending_restart,
        mode=forward.mode if forward is not None else "isolated",
        bridge=net.bridge.name if net.bridge is not None else None,
        xml=net.to_xml(),
        definition=net.to_dict(),
        leases=_leases(module, conn, net.name) if leases and state.active else [],
    )


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            leases=dict(type="bool", default=True),
            uri=URI_ARG,
        ),
        supports_check_mode=True,
    )
    require(module)
    name = module.params["name"]
    try:
        with connect(module, module.params["uri"]) as conn:
            if name is not None:
                if not conn.has_network(name):
                    module.fail_json(msg="no network %r" % name)
                states = [conn.network(name)]
            else:
                states = sorted(conn.networks(), key=lambda s: s.name)
            networks = [_network(module, conn, s, module.params["leases"]) for s in states]
    except VirtnetlibError as exc:
        fail(module, exc)
    module.exit_json(changed=False, networks=networks)


if __name__ == "__main__":
    main()
