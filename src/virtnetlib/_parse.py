"""``parse()``: read any supported document and return the matching model."""

from __future__ import annotations

import os
from typing import Any

from virtnetlib._binding import Model, parse_root
from virtnetlib._errors import ParseError
from virtnetlib._hostinterface import HostInterface
from virtnetlib._interface import Interface
from virtnetlib._network import (
    DhcpHost,
    DhcpRange,
    DnsHost,
    DnsSrv,
    DnsTxt,
    ForwardInterface,
    Network,
    PortGroup,
)
from virtnetlib._xml import parse_document, read_source

__all__ = ["parse"]


def _host_class(root: Any) -> type[Model]:
    # <host> is a DNS host when it has <hostname> children, a DHCP host otherwise
    if any(child.tag == "hostname" for child in root):
        return DnsHost
    return DhcpHost


def _interface_class(root: Any) -> type[Model]:
    # A forward-pool <interface dev=/> has no type; domain and host interfaces do.
    if root.get("type") is None and root.get("dev") is not None:
        return ForwardInterface
    if root.get("name") is not None or root.get("type") in ("bond", "vlan"):
        # host interfaces (interface.rng) are named; domain devices are not
        return HostInterface
    return Interface


_ROOTS: dict[str, Any] = {
    "network": Network,
    "range": DhcpRange,
    "portgroup": PortGroup,
    "txt": DnsTxt,
    "srv": DnsSrv,
    "host": _host_class,
    "interface": _interface_class,
}


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
        root = parse_document(data)
        tag = root.tag if isinstance(root.tag, str) else ""
        choice = _ROOTS.get(tag)
        if choice is None:
            known = ", ".join(f"<{t}>" for t in _ROOTS)
            raise ParseError(
                f"unsupported root element <{tag}>; expected one of {known}",
                line=root.sourceline,
                path=f"/{tag}",
            )
        cls: type[Model] = choice if isinstance(choice, type) else choice(root)
        return parse_root(cls, root, strict=strict)
    except ParseError as exc:
        if filename:
            raise exc.with_source(filename) from None
        raise
