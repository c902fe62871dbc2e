# -*- coding: utf-8 -*-
# Copyright: virtnetlib developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validate action: virtnetlib.validate() on the controller, before
anything reaches a host (see the module file of the same name for its docs)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

try:
    import virtnetlib
except ImportError:
    virtnetlib = None

KINDS = ("network", "interface", "hostinterface", "domain")
MODELS = {"network": "Network", "interface": "Interface", "hostinterface": "HostInterface"}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("xml", "src", "definition", "kind", "disable", "domain_type", "libvirt"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        result["changed"] = False
        if virtnetlib is None:
            raise AnsibleActionFail(
                "the validate action runs on the controller and needs virtnetlib there "
                "(pip install virtnetlib)"
            )
        args = self._task.args
        given = [k for k in ("xml", "src", "definition") if args.get(k) is not None]
        if len(given) != 1:
            raise AnsibleActionFail("give exactly one of xml, src or definition")
        kind = args.get("kind")
        if kind is not None and kind not in KINDS:
            raise AnsibleActionFail("kind must be one of %s, not %r" % (", ".join(KINDS), kind))
        disable = args.get("disable") or []
        if not isinstance(disable, list):
            raise AnsibleActionFail("disable must be a list of codes")
        try:
            source = self._source(args, kind)
            problems = virtnetlib.validate(
                source,
                kind=kind,
                disable=disable,
                domain_type=args.get("domain_type"),
                libvirt=args.get("libvirt"),
            )
        except virtnetlib.Error as exc:
            raise AnsibleActionFail(to_text(exc))
        result["problems"] = [p.as_dict() for p in problems]
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity == "warning"]
        result["errors"] = len(errors)
        result["warnings"] = ["%s %s (%s)" % (p.code, p.message, p.path) for p in warnings]
        if errors:
            result["failed"] = True
            result["msg"] = "invalid: " + "; ".join(
                "%s line %s %s: %s" % (p.code, p.line, p.path, p.message) for p in errors
            )
        else:
            result["msg"] = "valid" + (" with %d warning(s)" % len(warnings) if warnings else "")
        return result

    def _source(self, args, kind):
        if args.get("xml") is not None:
            return to_text(args["xml"])
        if args.get("src") is not None:
            # a controller-side file, found as template and copy find theirs
            return Path(self._find_needle("files", args["src"]))
        if kind not in MODELS:
            raise AnsibleActionFail("a definition needs kind: network, interface or hostinterface")
        return getattr(virtnetlib, MODELS[kind]).from_dict(args["definition"])
