"""Interfaces inside a whole ``<domain>`` document.

Read them as models, and replace, append or remove one while every other
byte of the domain stays as it was: the edit is spliced into the original
text, so comments, quoting, attribute order and formatting elsewhere in a
hand-maintained domain file survive.
"""

from __future__ import annotations

import os
import re
from typing import Any, Literal

import attrs

from virtnetlib._core.errors import Error, ParseError, UsageError
from virtnetlib._core.fields import attribute, element, elements, text_element
from virtnetlib._core.model import Model, expect_model, parse_root
from virtnetlib._core.xml import parse_document, qname_text, read_source
from virtnetlib._models.interface import Boot, Interface

_INTERFACE_PATH = ("domain", "devices", "interface")

# One markup construct at a time; attribute values may hold '>' and quotes.
_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<!\[CDATA\[.*?\]\]>"
    r"|<\?.*?\?>"
    r"|</(?P<end>[^\s>]+)\s*>"
    r"|<(?P<start>[^\s/>!?]+)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?P<empty>/?)>",
    re.S,
)


def _text_of(source: str | bytes | os.PathLike[str]) -> tuple[str, Any, str | None]:
    data, filename = read_source(source)
    try:
        root = parse_document(data)
    except ParseError as exc:
        raise (exc.with_source(filename) if filename else exc) from None
    return _decoded(data, root), root, filename


def _decoded(data: str | bytes, root: Any) -> str:
    """The text of a parsed domain document (checked to be one)."""
    if root.tag != "domain":
        raise ParseError(
            f"expected a <domain> document, got <{root.tag!s}>",
            line=root.sourceline,
            path="/",
        )
    if isinstance(data, bytes):
        return data.decode(root.getroottree().docinfo.encoding or "utf-8")
    return data


def _spans(text: str, path: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) offsets of every element at ``path`` in well-formed ``text``."""
    found: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    depth = len(path)
    for match in _TOKEN.finditer(text):
        start_name = match.group("start")
        if start_name is not None:
            names = (*(n for n, _ in stack), start_name)
            if match.group("empty"):
                if len(names) == depth and names == path:
                    found.append((match.start(), match.end()))
            else:
                stack.append((start_name, match.start()))
            continue
        end_name = match.group("end")
        if end_name is not None and stack:
            names = tuple(n for n, _ in stack)
            _, begin = stack.pop()
            if len(names) == depth and names == path:
                found.append((begin, match.end()))
    return found


def _indent_at(text: str, offset: int) -> str:
    """The white space before ``offset`` on its line, if nothing else precedes it there.

    Looks back only as far as the white space goes: on a one-line domain,
    looking for the line's start would read the whole text each time.
    """
    start = offset
    while start > 0 and text[start - 1] != "\n" and text[start - 1].isspace():
        start -= 1
    if start == 0 or text[start - 1] == "\n":
        return text[start:offset]
    return ""


def _render(iface: Interface, indent: str) -> str:
    lines = expect_model(iface, Interface).to_xml().rstrip("\n").split("\n")
    return lines[0] + "".join(f"\n{indent}{line}" for line in lines[1:])


def domain_interfaces(
    domain_xml: str | bytes | os.PathLike[str], *, strict: bool = True
) -> list[Interface]:
    """The ``<interface>`` devices of a domain, in document order, as models.

    Errors name lines and paths in the domain document
    (``/domain/devices/interface[2]/mac/@address``).
    """
    _, root, filename = _text_of(domain_xml)
    return _interfaces(root, filename, strict=strict)


def _interfaces(root: Any, filename: str | None, *, strict: bool) -> list[Interface]:
    try:
        return [
            parse_root(Interface, el, strict=strict) for el in root.iterfind("devices/interface")
        ]
    except ParseError as exc:
        raise (exc.with_source(filename) if filename else exc) from None


def _interface_spans(text: str, root: Any) -> list[tuple[int, int]]:
    """Where each of the domain's interfaces (the elements :func:`_interfaces`
    reads, in order) stands in ``text``.

    The text is scanned for elements *spelled* ``domain/devices/interface``;
    the tree says which of them are libvirt's, in no namespace (an
    ``<interface xmlns='urn:x'>`` or one inside ``<devices xmlns='urn:x'>``
    is spelled alike and is not): both lists are in document order.
    """
    spelled = [
        el
        for devices in root
        if isinstance(devices.tag, str) and qname_text(devices.tag, devices.nsmap) == "devices"
        for el in devices
        if isinstance(el.tag, str) and qname_text(el.tag, el.nsmap) == "interface"
    ]
    spans = _spans(text, _INTERFACE_PATH)
    if len(spans) != len(spelled):  # pragma: no cover - both read the same document
        raise ParseError("could not locate every <interface> in the domain text", line=1)
    return [
        span
        for span, el in zip(spans, spelled, strict=True)
        if el.tag == "interface" and el.getparent().tag == "devices"
    ]


def format_interfaces(data: str | bytes, root: Any | None = None) -> str:
    """The domain with every interface written as libvirt writes it, in one pass.

    Everything outside the interfaces stays byte for byte; values an
    interface model cannot read are kept as they are (lenient). ``root``, when
    given, is ``data`` already parsed.
    """
    if root is None:
        root = parse_document(data)
    text = _decoded(data, root)
    interfaces = _interfaces(root, None, strict=False)
    pieces: list[str] = []
    done = 0
    for (start, end), iface in zip(_interface_spans(text, root), interfaces, strict=True):
        pieces += [text[done:start], _render(iface, _indent_at(text, start))]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _select(
    interfaces: list[Interface], spans: list[tuple[int, int]], which: int | str
) -> tuple[int, int]:
    if isinstance(which, int) and not isinstance(which, bool):
        if not -len(spans) <= which < len(spans):
            raise Error(f"the domain has {len(spans)} interfaces; there is no interface {which}")
        return spans[which]
    if isinstance(which, str):
        matches = [
            span
            for iface, span in zip(interfaces, spans, strict=True)
            if iface.mac_address is not None and iface.mac_address.lower() == which.lower()
        ]
        if not matches:
            raise Error(f"no interface with MAC address {which} in the domain")
        if len(matches) > 1:
            raise Error(f"{len(matches)} interfaces have MAC address {which}; use an index")
        return matches[0]
    raise UsageError(f"select an interface by index or MAC address, not {which!r}")


def replace_interface(
    domain_xml: str | bytes | os.PathLike[str], which: int | str, iface: Interface
) -> str:
    """The domain with interface ``which`` (index or MAC address) replaced by ``iface``."""
    text, root, filename = _text_of(domain_xml)
    spans = _interface_spans(text, root)
    start, end = _select(_interfaces(root, filename, strict=False), spans, which)
    return text[:start] + _render(iface, _indent_at(text, start)) + text[end:]


def remove_interface(domain_xml: str | bytes | os.PathLike[str], which: int | str) -> str:
    """The domain without interface ``which`` (index or MAC address)."""
    text, root, filename = _text_of(domain_xml)
    spans = _interface_spans(text, root)
    start, end = _select(_interfaces(root, filename, strict=False), spans, which)
    indent = _indent_at(text, start)
    if indent or text[start - 1 : start] == "\n":
        start -= len(indent) + 1  # the whole line, with its newline
    return text[: max(start, 0)] + text[end:]


def append_interface(domain_xml: str | bytes | os.PathLike[str], iface: Interface) -> str:
    """The domain with ``iface`` added after its last interface (or to its devices)."""
    text, root, _ = _text_of(domain_xml)
    spans = _interface_spans(text, root)
    if spans:
        start, end = spans[-1]
        indent = _indent_at(text, start)
        return text[:end] + "\n" + indent + _render(iface, indent) + text[end:]
    spelled = [
        d for d in root if isinstance(d.tag, str) and qname_text(d.tag, d.nsmap) == "devices"
    ]
    devices = [
        span
        for span, el in zip(_spans(text, ("domain", "devices")), spelled, strict=True)
        if el.tag == "devices"  # libvirt's, in no namespace
    ]
    if devices:
        start, end = devices[0]
        outer = _indent_at(text, start)
        inner = outer + "  "
        if text[end - 2 : end] == "/>":  # <devices/>
            block = f"<devices>\n{inner}{_render(iface, inner)}\n{outer}</devices>"
            return text[:start] + block + text[end:]
        close = text.rfind("</", start, end)
        head = text[:close].rstrip(" \t")
        if not head.endswith("\n"):
            head += "\n"
        return head + f"{inner}{_render(iface, inner)}\n{outer}" + text[close:]
    ((start, end),) = _spans(text, ("domain",))
    block = f"  <devices>\n    {_render(iface, '    ')}\n  </devices>\n"
    if text[end - 2 : end] == "/>":  # <domain .../>
        return text[: end - 2].rstrip() + ">\n" + block + "</domain>" + text[end:]
    close = text.rfind("</", start, end)
    head = text[:close]
    if not head.endswith("\n"):
        head += "\n"
    return head + block + text[close:]


def set_boot_interface(
    domain_xml: str | bytes | os.PathLike[str], which: int | str, order: int = 1
) -> str:
    """The domain booting from interface ``which`` (index or MAC address) first:
    the NIC gets ``<boot order=>`` and ``<os>`` loses its ``<boot dev=>``
    elements, which libvirt refuses beside per-device boot orders
    ("per-device boot elements cannot be used together with os/boot elements").
    The guide's PXE step, in one call; every other byte stays as it was."""
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise UsageError(f"order: expected a boot order from 1, got {order!r}")
    text, root, filename = _text_of(domain_xml)
    interfaces = _interfaces(root, filename, strict=False)
    spans = _interface_spans(text, root)
    start, end = _select(interfaces, spans, which)
    chosen = interfaces[spans.index((start, end))]
    booted = attrs.evolve(chosen, boot=Boot(order=order))
    text = text[:start] + _render(booted, _indent_at(text, start)) + text[end:]
    root = parse_document(text)
    os_boots = [
        el
        for os_el in root.iterfind("os")
        for el in os_el
        if isinstance(el.tag, str) and qname_text(el.tag, el.nsmap) == "boot"
    ]
    spans_boot = _spans(text, ("domain", "os", "boot"))
    keep = [el.tag == "boot" for el in os_boots]  # libvirt's, in no namespace
    for (b_start, b_end), libvirts in reversed(list(zip(spans_boot, keep, strict=True))):
        if not libvirts:
            continue
        indent = _indent_at(text, b_start)
        cut = (
            b_start - len(indent) - 1 if indent or text[b_start - 1 : b_start] == "\n" else b_start
        )
        text = text[:cut] + text[b_end:]
    return text


def find_interface(domain_xml: str | bytes | os.PathLike[str], mac: str) -> Interface | None:
    """The domain's interface with MAC address ``mac`` (any case), or ``None``."""
    if not isinstance(mac, str):
        raise UsageError(f"mac: expected a MAC address string, got {mac!r}")
    _, root, filename = _text_of(domain_xml)
    found = [
        iface
        for iface in _interfaces(root, filename, strict=False)
        if iface.mac_address is not None and iface.mac_address.lower() == mac.lower()
    ]
    if len(found) > 1:
        raise Error(f"{len(found)} interfaces have MAC address {mac}")
    return found[0] if found else None


# ------------------------------------------------------------------ a light domain model

BootDevice = Literal["fd", "hd", "cdrom", "network"]
"""A device class ``<os><boot dev=>`` boots from."""


@attrs.define(kw_only=True, repr=False)
class GuestBoot(Model):
    """``<os><boot dev=>``: a class of device to boot from, in order."""

    __xml_tag__ = "boot"

    dev: BootDevice = attribute(required=True)


@attrs.define(kw_only=True, repr=False)
class GuestOs(Model):
    """``<os>``: the boot order by device class; the rest is kept as written."""

    __xml_tag__ = "os"

    boots: list[GuestBoot] = elements(GuestBoot)


@attrs.define(kw_only=True, repr=False)
class GuestDevices(Model):
    """``<devices>``: the NICs typed; every other device kept as written, in place."""

    __xml_tag__ = "devices"

    interfaces: list[Interface] = elements(Interface)


@attrs.define(kw_only=True, repr=False)
class Guest(Model):
    """A libvirt domain, ``<domain>``, as far as networking goes.

    The name, type, boot order and interfaces are typed; everything else —
    memory, disks, graphics, metadata — is kept verbatim where it stands and
    written back unchanged, so ``to_xml()`` of a domain libvirt wrote gives
    it back byte for byte. ``parse()`` returns one for a ``<domain>``.
    """

    __xml_tag__ = "domain"

    type: str | None = attribute()
    name: str | None = text_element()
    os: GuestOs | None = element(GuestOs)
    devices: GuestDevices | None = element(GuestDevices)

    @property
    def interfaces(self) -> list[Interface]:
        """The domain's NICs (an empty list when it has no ``<devices>``)."""
        return self.devices.interfaces if self.devices is not None else []

    def interface(self, mac: str) -> Interface | None:
        """The NIC with MAC address ``mac`` (any case), or ``None``."""
        found = [
            nic
            for nic in self.interfaces
            if nic.mac_address is not None and nic.mac_address.lower() == mac.lower()
        ]
        if len(found) > 1:
            raise Error(f"{len(found)} interfaces have MAC address {mac}")
        return found[0] if found else None
