# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: importing virtnetlib on the
managed host, reading a definition, and turning virtnetlib's problems and
errors into Ansible results. The modules stay thin: the work is virtnetlib's."""

from __future__ import annotations

import traceback
from pathlib import Path

from ansible.module_utils.basic import missing_required_lib

try:
    import virtnetlib
    from virtnetlib import Error as VirtnetlibError
except ImportError:  # reported by require(), with the managed host's Python named
    virtnetlib = None

    class VirtnetlibError(Exception):
        """Stands in for virtnetlib.Error where virtnetlib is missing (never raised)."""

    IMPORT_ERROR = traceback.format_exc()
else:
    IMPORT_ERROR = None

#: Arguments every libvirt module takes.
URI_ARG = {"type": "str", "default": "qemu:///system"}


def require(module):
    """Fail the task, saying what to install, when virtnetlib is missing here."""
    if virtnetlib is None:
        module.fail_json(
            msg=missing_required_lib(
                "virtnetlib",
                url="https://pypi.org/project/virtnetlib/ (pip install 'virtnetlib[libvirt]')",
            ),
            exception=IMPORT_ERROR,
        )


def load_model(module, cls, xml=None, src=None, definition=None, what="definition"):
    """The model from ``xml`` text, a ``src`` file on the managed host, or a
    structured ``definition`` (keys are the models' field names); a problem
    reading it fails the task with virtnetlib's message (line and path)."""
    try:
        if xml is not None:
            return cls.from_xml(xml)
        if src is not None:
            # virtnetlib's reader: a regular file only (no FIFO, no device), size-capped
            return cls.from_xml(Path(src))
        return cls.from_dict(definition)
    except VirtnetlibError as exc:
        module.fail_json(msg="%s: %s" % (what, exc))
    return None  # not reached: fail_json exits


def check(module, model, disable=(), domain_type=None):
    """Validate before anything reaches libvirt: errors fail the task with their
    codes, warnings become Ansible warnings. Returns the problems as dicts."""
    try:
        problems = virtnetlib.validate(model, disable=list(disable), domain_type=domain_type)
    except VirtnetlibError as exc:
        module.fail_json(msg=str(exc))
    found = [p.as_dict() for p in problems]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        module.fail_json(
            msg="the definition is invalid: "
            + "; ".join("%s %s (%s)" % (p.code, p.message, p.path) for p in errors),
            problems=found,
        )
    for p in problems:
        module.warn("%s %s (%s)" % (p.code, p.message, p.path))
    return found


def connect(module, uri):
    """A virtnetlib libvirt connection (a context manager); libvirt-python
    missing on the managed host fails the task saying so."""
    try:
        from virtnetlib.libvirt import Connection
    except ImportError:
        module.fail_json(
            msg=missing_required_lib("libvirt-python", url="https://pypi.org/project/libvirt-python/"),
            exception=traceback.format_exc(),
        )
    try:
        return Connection(uri=uri)
    except VirtnetlibError as exc:
        module.fail_json(msg=str(exc))
    return None  # not reached: fail_json exits


def fail(module, exc, **result):
    """A virtnetlib error as a failed task: its message, and what was done."""
    module.fail_json(msg=str(exc), **result)
