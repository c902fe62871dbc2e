"""``parse()``: read any supported document and return the matching model.

The decision which model a root element stands for lives here, once:
:func:`parse` uses it, and so does validation (:func:`interface_kind`).
Models are imported when a document needs them, so validating networks
does not load the interface models.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from virtnetlib._binding import Model, parse_root, read_document
from virtnetlib._errors import ParseError
from virtnetlib._xml import read_source

__all__ = ["interface_kind", "parse", "parse_element"]

# ruff: noqa: PLC0415 - each model module is imported when a document needs it


def interface_kind(root: Any) -> Literal["forward", "hostinterface", "interface"]:
    """What an ``<interface>`` element is: a forward-pool entry, a host or a domain interface."""
    # A forward-pool <interface dev=/> has no type; domain and host interfaces do.
    if root.get("type") is None and root.get("dev") is not None:
        return "forward"
    # host interfaces (interface.rng) are named, or bonds and VLANs; domain devices are not
    if root.get("name") is not None or root.get("type") in ("bond", "vlan"):
        return "hostinterface"
    return "interface"


def _model_for(root: Any) -> type[Model] | None:
    tag = root.tag
    if tag == "network":
        from virtnetlib._network import Network

        return Network
    if tag == "interface":
        kind = interface_kind(root)
        if kind == "hostinterface":
            from virtnetlib._hostinterface import HostInterface

            return HostInterface
        if kind == "interface":
            from virtnetlib._interface import Interface

            return Interface
    from virtnetlib import _network as n

    fragments: dict[str, type[Model]] = {
        "range": n.DhcpRange,
        "portgroup": n.PortGroup,
        "txt": n.DnsTxt,
        "srv": n.DnsSrv,
        # <host> is a DNS host when it has <hostname> children, a DHCP host otherwise
        "host": n.DnsHost if any(c.tag == "hostname" for c in root) else n.DhcpHost,
        "interface": n.ForwardInterface,
    }
    return fragments.get(tag) if isinstance(tag, str) else None


_TAGS = ("network", "range", "portgroup", "txt", "srv", "host", "interface")


def _model_or_error(root: Any) -> type[Model]:
    cls = _model_for(root)
    if cls is None:
        tag = root.tag if isinstance(root.tag, str) else ""
        known = ", ".join(f"<{t}>" for t in _TAGS)
        raise ParseError(
            f"unsupported root element <{tag}>; expected one of {known}",
            line=root.sourceline,
            path=f"/{tag}",
        )
    return cls


def parse_element(root: Any, *, strict: bool = True) -> Model:
    """:func:`parse` for an already parsed root element."""
    return parse_root(_model_or_error(root), root, strict=strict)


def parse(source: str | bytes | os.PathLike[str], *, strict: bool = True) -> Model:
    """Parse a network, an interface, or a network-update fragment.

    The root element decides the model: ``<network>`` → :class:`Network`;
    ``<host>``, ``<range>``, ``<portgroup>``, ``<txt>``, ``<srv>`` and a
    forward ``<interface dev=>`` → the fragment classes libvirt's
    ``networkUpdate`` takes; a named ``<interface name=>`` (or a bond or
    VLAN) → :class:`HostInterface`; any other ``<interface>`` → the domain
    device :class:`Interface`.
    """
    data, filename = read_source(source)
    try:
        return read_document(data, None, strict, _model_or_error)
    except ParseError as exc:
        if filename:
            raise exc.with_source(filename) from None
        raise
