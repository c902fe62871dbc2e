"""Model reference tables generated from the binding plans.

``docs/network.md`` is written by :func:`reference_markdown`; a test keeps
it current, so the page can never disagree with the code.
"""

from __future__ import annotations

import inspect

from virtnetlib._binding import (
    _ATTR,
    _CHILD,
    _CHILDREN,
    _OWN_TEXT,
    _RAW,
    _TEXT_CHILD,
    _TEXT_CHILDREN,
    Model,
    _model_classes,
    _plan_of,
)

__all__ = ["reference_markdown"]


def _walk(
    cls: type[Model], path: str, seen: set[tuple[type, str]]
) -> list[tuple[str, type[Model]]]:
    if (cls, path) in seen:
        return []
    seen.add((cls, path))
    found = [(path, cls)]
    plan = _plan_of(cls)
    for spec in plan.fields:
        if spec.kind in (_CHILD, _CHILDREN):
            for sub in _model_classes(spec.model):
                found.extend(_walk(sub, f"{path}/{spec.xml_text}", seen))
    return found


def reference_markdown(root: type[Model], title: str) -> str:
    """A Markdown page: every element under ``root``, each attribute and child with its field."""
    lines = [f"# {title}", "", "Generated from the models; do not edit by hand.", ""]
    for path, cls in _walk(root, f"/{_plan_of(root).tag_text}", set()):
        plan = _plan_of(cls)
        doc = inspect.getdoc(cls) or ""
        lines += [f"## `{path}` — `{cls.__name__}`", "", doc.split("\n\n")[0], ""]
        lines += ["| XML | field | type |", "| --- | --- | --- |"]
        for name, value in plan.consts.items():
            lines.append(f"| `@{name}` | (fixed `{value}`) | |")
        annotations = inspect.get_annotations(cls)
        for klass in cls.__mro__:
            for key, value in inspect.get_annotations(klass).items():
                annotations.setdefault(key, value)
        for spec in plan.fields:
            kind = spec.kind
            if kind == _ATTR:
                xml = f"`@{spec.xml_text}`"
            elif kind == _OWN_TEXT:
                xml = "text"
            elif kind == _RAW:
                xml = "any child elements (verbatim)"
            elif kind in (_TEXT_CHILD, _TEXT_CHILDREN):
                xml = f"`<{spec.xml_text}>` text" + (
                    " (repeated)" if kind == _TEXT_CHILDREN else ""
                )
            else:
                xml = f"`<{spec.xml_text}>`" + (" (repeated)" if kind == _CHILDREN else "")
            typ = str(annotations.get(spec.name, "")).replace("|", "\\|")
            req = " (required)" if spec.required else ""
            lines.append(f"| {xml} | `{spec.name}`{req} | `{typ}` |")
        lines.append("")
    return "\n".join(lines)
