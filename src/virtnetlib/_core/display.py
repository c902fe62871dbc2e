"""How a notebook shows models and lists of them: generic, knowing no model.

A model (or any record) that wants a summary row defines
``__summary_row__() -> dict[str, str]`` (column → cell text); the table of a
:class:`ModelList` has one row per item and the union of their columns. An
attrs record without that method shows its plain fields; a model without it
shows its XML.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any, TypeVar

import attrs

T = TypeVar("T")


class ModelList(list[T]):
    """A list that a notebook shows as one table (networks, interfaces, leases, VFs, problems)."""

    def _repr_html_(self) -> str:
        return table(self)


def yes_no(value: bool) -> str:
    """A cell for a yes/no fact."""
    return "yes" if value else "no"


def _row(item: Any) -> dict[str, str]:
    summary = getattr(item, "__summary_row__", None)
    if summary is not None:
        row: dict[str, str] = summary()
        return row
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


def render(model: Any) -> str:
    """A model's notebook view: its summary (when it has one), then its XML."""
    xml = html.escape(model.to_xml())
    summary = getattr(model, "__summary_row__", None)
    if summary is None:
        return f"<pre>{xml}</pre>"
    cells = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in summary().items()
    )
    title = html.escape(type(model).__name__)
    return (
        f"<table><caption>{title}</caption>{cells}</table>"
        f"<details><summary>XML</summary><pre>{xml}</pre></details>"
    )
