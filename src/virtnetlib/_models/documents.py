"""Which model a root element stands for, decided once, and ``parse()``.

One table maps every root element virtnetlib reads to its model class:
:func:`parse`, validation (:func:`document_kind`, :data:`DOCUMENTS`) and
the CLI (:func:`read_models`) all ask it, so a new document type is added
in one place.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal

from virtnetlib._core.errors import ParseError
from virtnetlib._core.model import Model, keep_prolog, parse_root, read_document
from virtnetlib._core.xml import read_source
from virtnetlib._models import network as n
from virtnetlib._models.domain import Guest, _interfaces
from virtnetlib._models.hostinterface import HostInterface
from virtnetlib._models.interface import Interface

#: What a root element is: a whole document, a domain, or a forward-pool entry.
DocumentKind = Literal["network", "interface", "hostinterface", "domain", "forward"]

#: The documents with a schema of their own, by kind.
DOCUMENTS: dict[str, type[Model]] = {
    "network": n.Network,
    "interface": Interface,
    "hostinterface": HostInterface,
    "domain": Guest,
}


def _host_class(root: Any) -> type[Model]:
    # <host> is a DNS host when it has <hostname> children, a DHCP host otherwise
    return n.DnsHost if any(c.tag == "hostname" for c in root) else n.DhcpHost


#: The fragments libvirt's ``networkUpdate`` takes, by root tag (a class, or
#: a function of the element for a tag two classes share).
FRAGMENTS: dict[str, type[Model] | Callable[[Any], type[Model]]] = {
    "range": n.DhcpRange,
    "portgroup": n.PortGroup,
    "txt": n.DnsTxt,
    "srv": n.DnsSrv,
    "host": _host_class,
    "forward": n.ForwardInterface,  # an <interface dev=> of a forward pool
    "ip": n.NetworkIP,  # a network's <ip>, as the guide shows it on its own
}

_TAGS = ("network", "domain", "range", "portgroup", "txt", "srv", "host", "ip", "interface")


def document_kind(root: Any) -> DocumentKind | None:
    """What ``root`` is, from its name and the attributes that tell interfaces apart."""
    tag = root.tag
    if tag in ("network", "domain"):
        kind: DocumentKind = tag
        return kind
    if tag != "interface":
        return None
    # A forward-pool <interface dev=/> has no type; domain and host interfaces do.
    if root.get("type") is None and root.get("dev") is not None:
        return "forward"
    # host interfaces (interface.rng) are named, or bonds and VLANs; domain devices are not
    if root.get("name") is not None or root.get("type") in ("bond", "vlan"):
        return "hostinterface"
    return "interface"


def _model_for(root: Any) -> type[Model] | None:
    kind = document_kind(root)
    if kind in DOCUMENTS:
        return DOCUMENTS[kind]
    found = FRAGMENTS.get(kind or root.tag) if isinstance(root.tag, str) else None
    if found is None or isinstance(found, type):
        return found
    return found(root)


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


def parse_element(root: Any, *, strict: bool = True, source: str | bytes | None = None) -> Model:
    """:func:`parse` for an already parsed root element (``source``: the
    document's text, to keep the comments before the root as spelled)."""
    model = parse_root(_model_or_error(root), root, strict=strict)
    return model if source is None else keep_prolog(model, source)


def read_models(root: Any, filename: str | None, *, strict: bool = True) -> list[Model]:
    """The models a file holds: the document itself, or a ``<domain>``'s interfaces."""
    if root.tag == "domain":
        return list(_interfaces(root, filename, strict=strict))
    try:
        return [parse_element(root, strict=strict)]
    except ParseError as exc:
        raise (exc.with_source(filename) if filename else exc) from None


def parse(source: str | bytes | os.PathLike[str], *, strict: bool = True) -> Model:
    """Parse a network, an interface, a domain, or a network-update fragment.

    The root element decides the model: ``<network>`` → :class:`Network`;
    ``<domain>`` → :class:`Guest` (its NICs and boot order typed, the rest
    kept verbatim); ``<host>``, ``<range>``, ``<portgroup>``, ``<txt>``,
    ``<srv>`` and a forward ``<interface dev=>`` → the fragment classes
    libvirt's ``networkUpdate`` takes; ``<ip>`` → :class:`NetworkIP`; a
    named ``<interface name=>`` (or a bond or VLAN) → :class:`HostInterface`;
    any other ``<interface>`` → the domain device :class:`Interface`.
    """
    data, filename = read_source(source)
    try:
        return read_document(data, None, strict, _model_or_error)
    except ParseError as exc:
        if filename:
            raise exc.with_source(filename) from None
        raise
