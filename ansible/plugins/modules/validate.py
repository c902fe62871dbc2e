#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: validate
short_description: Validate libvirt XML on the controller, before anything reaches a host
version_added: "0.1.0"
description:
  - Checks a libvirt network, domain interface, host interface or whole domain
    as libvirt would (its RelaxNG schemas, the checks it makes at define time)
    plus the RHEL 10 guide's advice, with virtnetlib, on the Ansible controller.
  - Errors fail the task, naming each problem's code, line and path; warnings
    are returned as warnings. Changes nothing.
  - This is an action plugin; it runs on the controller only.
author:
  - virtnetlib developers (@virtnetlib)
requirements:
  - virtnetlib on the controller (C(pip install virtnetlib))
options:
  xml:
    description:
      - The document's XML (for example from a C(template) lookup).
    type: str
  src:
    description:
      - A file on the controller, looked up in the play's C(files/) folders as the C(copy) module looks up its C(src).
    type: path
  definition:
    description:
      - The document as plain values keyed by virtnetlib's field names; needs O(kind).
    type: dict
  kind:
    description:
      - What the document is. Taken from its root element when not given.
    type: str
    choices: [network, interface, hostinterface, domain]
  disable:
    description:
      - Codes to leave out.
    type: list
    elements: str
    default: []
  domain_type:
    description:
      - The C(<domain type=>) a lone interface goes into; V(kvm) or V(qemu) adds the QEMU driver's checks.
    type: str
  libvirt:
    description:
      - The libvirt release the document is for (V(9.0)); each feature newer than it is an error
        (E601, E602) naming the release that brought it.
    type: str
notes:
  - Supports check mode (it changes nothing).
attributes:
  action:
    support: full
    description: Runs on the controller.
  check_mode:
    support: full
    description: Changes nothing.
"""

EXAMPLES = r"""
- name: The network each hypervisor will get, checked before the play goes on
  virtnetlib.libvirt.validate:
    xml: "{{ lookup('template', 'lab.xml.j2') }}"
  delegate_to: localhost

- name: A file of the playbook's
  virtnetlib.libvirt.validate:
    src: networks/lab.xml
    disable: [W306]
"""

RETURN = r"""
problems:
  description: Every problem found (severity, code, message, line, path, expected).
  returned: always
  type: list
  elements: dict
errors:
  description: How many problems are errors.
  returned: always
  type: int
"""
