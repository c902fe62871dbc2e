"""XML equality for tests: attribute order and insignificant whitespace aside.

Sibling elements with different names may be reordered (libvirt's schemas
interleave them and libvirt's formatter has its own order); elements with
the same name keep their relative order, which is significant.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


def canonical(xml: str | bytes) -> bytes:
    data = xml.encode() if isinstance(xml, str) else xml
    root = etree.fromstring(data, _PARSER)
    _normalise(root)
    return etree.tostring(root, method="c14n")


def _normalise(el: Any) -> None:
    if not isinstance(el.tag, str):
        return
    if el.text is not None and not el.text.strip():
        el.text = None
    children = list(el)
    for child in children:
        _normalise(child)
        if child.tail is not None and not child.tail.strip():
            child.tail = None
    ordered = sorted(children, key=lambda c: c.tag if isinstance(c.tag, str) else "")
    for child in children:
        el.remove(child)
    for child in ordered:
        el.append(child)


def xml_equal(a: str | bytes, b: str | bytes) -> bool:
    return canonical(a) == canonical(b)
