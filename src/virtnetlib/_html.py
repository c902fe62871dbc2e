"""HTML for notebooks: models and lists of them as readable tables."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import attrs

from virtnetlib._binding import Model
from virtnetlib._interface import Interface
from virtnetlib._modellist import ModelList
from virtnetlib._network import Network
from virtnetlib._summary import interface_summary, network_summary

__all__ = ["ModelList", "render", "table"]


def _yes_no(value: bool | None) -> str:
    return "depends on firewall" if value is None else ("yes" if value else "no")


def _ports(summary: dict[str, Any]) -> str:
    parts = []
    for fwd in summary["port_forwards"]:
        where = (fwd["address"] or "*") + (f"%{fwd['dev']}" if fwd["dev"] else "")
        mapped = fwd["mappings"]
        if mapped == "all":
            parts.append(f"{fwd['proto']} {where}: all")
            continue
        runs = [f"{_span(run['host'])}→{_span(run['guest'])}" for run in mapped]
        more = f" … (+{len(runs) - 6} ranges)" if len(runs) > 6 else ""
        parts.append(f"{fwd['proto']} {where}: {', '.join(runs[:6])}{more}")
    return "; ".join(parts)


def _span(pair: list[int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}-{pair[1]}"


def _network_row(net: Network) -> dict[str, str]:
    s = network_summary(net)
    reach = s["reachability"]
    return {
        "name": s["name"],
        "mode": s["mode"],
        "bridge": s["bridge"] or "",
        "subnets": ", ".join(s["subnets"]),
        "DHCP ranges": ", ".join(s["dhcp_ranges"]),
        "PXE": s["pxe_boot_file"] or "",
        "host": _yes_no(reach["host"]),
        "other VMs": _yes_no(reach["other_vms"]),
        "outside": _yes_no(reach["outside"]),
        "visible from outside": _yes_no(reach["visible_from_outside"]),
    }


def _interface_row(iface: Interface) -> dict[str, str]:
    s = interface_summary(iface)
    return {
        "type": s["type"],
        "source": s["source"] or "",
        "MAC": s["mac"] or "(generated)",
        "model": s["model"] or "",
        "ports": _ports(s),
    }


def _row(item: Any) -> dict[str, str]:
    network = getattr(item, "network", None)
    if isinstance(item, Network):
        return _network_row(item)
    if isinstance(network, Network):  # NetworkState from the libvirt adapter
        return {
            **_network_row(network),
            "active": _yes_no(item.active),
            "autostart": _yes_no(item.autostart),
        }
    if isinstance(item, Interface):
        return _interface_row(item)
    if attrs.has(type(item)):  # leases, VFs, PFs, connections ...
        return {
            a.name: _cell(getattr(item, a.name))
            for a in attrs.fields(type(item))
            if _plain(getattr(item, a.name))
        }
    return {"value": str(item)}


def _plain(value: Any) -> bool:
    """Whether a field fits in a cell (nested records and mappings do not)."""
    if isinstance(value, (list, dict)):
        return False
    return not (isinstance(value, tuple) and value and attrs.has(type(value[0])))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def table(items: Iterable[Any]) -> str:
    """One HTML table, a row per item, columns from the items' summaries."""
    rows = [_row(item) for item in items]
    if not rows:
        return "<p><em>(none)</em></p>"
    columns = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(row.get(c, ''))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(model: Model) -> str:
    """A model's notebook view: a summary table, then its XML."""
    if isinstance(model, (Network, Interface)):
        row = _row(model)
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in row.items()
        )
        title = html.escape(type(model).__name__)
        return (
            f"<table><caption>{title}</caption>{cells}</table>"
            f"<details><summary>XML</summary><pre>{html.escape(model.to_xml())}</pre></details>"
        )
    return f"<pre>{html.escape(model.to_xml())}</pre>"
