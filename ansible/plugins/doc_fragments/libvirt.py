# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every libvirt module of the collection documents alike: the
connection URI and what the managed host needs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  uri:
    description:
      - The libvirt connection URI.
    type: str
    default: qemu:///system
requirements:
  - virtnetlib with its libvirt extra (C(pip install 'virtnetlib[libvirt]')) on the managed host
"""
