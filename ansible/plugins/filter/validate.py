# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``{{ xml | virtnetlib.libvirt.validate }}``: the problems virtnetlib finds,
on the controller, as a list of dicts (docs in validate.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

try:
    import virtnetlib
except ImportError:
    virtnetlib = None


KINDS = (None, "network", "interface", "hostinterface", "domain")


def validate(xml, kind=None, disable=None, domain_type=None, libvirt=None):
    if virtnetlib is None:
        raise AnsibleFilterError("the validate filter needs virtnetlib on the controller")
    if kind not in KINDS:
        raise AnsibleFilterError("kind must be network, interface, hostinterface or domain, not %r" % (kind,))
    try:
        # disable goes as given: virtnetlib refuses a lone string and unknown codes
        problems = virtnetlib.validate(
            to_text(xml),
            kind=kind,
            disable=() if disable is None else disable,
            domain_type=domain_type,
            libvirt=libvirt,
        )
    except virtnetlib.Error as exc:
        raise AnsibleFilterError(to_text(exc))
    return [p.as_dict() for p in problems]


class FilterModule(object):
    def filters(self):
        return {"validate": validate}
