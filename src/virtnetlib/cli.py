"""The ``virtnetlib`` command: for people and pre-commit hooks.

Output lines are ``file:line: path: message``; ``--format json`` is for
machines. Exit codes: 0 clean, 1 problems found, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from virtnetlib._errors import Error, ParseError
from virtnetlib._network import Network
from virtnetlib._parse import parse
from virtnetlib._summary import network_summary

__all__ = ["main"]

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _yes_no(value: bool | None) -> str:
    return "depends on firewall" if value is None else ("yes" if value else "no")


def _show_text(path: str, summary: dict[str, Any]) -> str:
    reach = summary["reachability"]
    lines = [
        f"{path}: network {summary['name']!r}",
        f"  mode:        {summary['mode']}",
        f"  bridge:      {summary['bridge'] or '-'}",
        f"  subnets:     {', '.join(summary['subnets']) or '-'}",
        f"  dhcp ranges: {', '.join(summary['dhcp_ranges']) or '-'}"
        + (f" ({summary['dhcp_hosts']} static hosts)" if summary["dhcp_hosts"] else ""),
    ]
    if summary["pxe_boot_file"] or summary["tftp_root"]:
        lines.append(
            f"  pxe:         boot file {summary['pxe_boot_file'] or '-'},"
            f" tftp root {summary['tftp_root'] or '-'}"
        )
    if summary["device_pool"]:
        lines.append(f"  devices:     {', '.join(summary['device_pool'])}")
    if summary["portgroups"]:
        lines.append(f"  portgroups:  {', '.join(summary['portgroups'])}")
    lines.append(
        "  reaches:     host {}, other VMs {}, outside {}; visible from outside {}".format(
            _yes_no(reach["host"]),
            _yes_no(reach["other_vms"]),
            _yes_no(reach["outside"]),
            _yes_no(reach["visible_from_outside"]),
        )
    )
    return "\n".join(lines)


def _cmd_show(args: argparse.Namespace) -> int:
    status = EXIT_OK
    results = []
    for name in args.files:
        try:
            model = parse(Path(name))
        except ParseError as exc:
            print(str(exc), file=sys.stderr)
            status = max(status, EXIT_PROBLEMS)
            continue
        except Error as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        if not isinstance(model, Network):
            summary: dict[str, Any] = {"kind": type(model).__name__, "xml": model.to_xml()}
            text = f"{name}: {type(model).__name__}\n{model.to_xml()}"
        else:
            summary = network_summary(model)
            text = _show_text(name, summary)
        if args.format == "json":
            results.append({"file": name, **summary})
        else:
            print(text)
    if args.format == "json":
        print(json.dumps(results, indent=2))
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="virtnetlib", description="Read, check and summarize libvirt networking XML."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print a readable summary of each file")
    show.add_argument("files", nargs="+", metavar="FILE")
    show.add_argument("--format", choices=["text", "json"], default="text")
    show.set_defaults(func=_cmd_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    try:
        result: int = args.func(args)
    except BrokenPipeError:
        # the reader went away (``| head``); that is not an error of ours
        sys.stderr.close()
        return EXIT_OK
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
