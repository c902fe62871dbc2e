"""Value converters: how one XML attribute or text becomes a typed value.

Each converter parses libvirt's text form, formats a value back in
libvirt's notation, and checks values assigned from Python. The binding
core uses them for every field; models never convert by hand.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

__all__ = [
    "Bool",
    "Conv",
    "Enum",
    "HexInt",
    "IPAddr",
    "IPAddress",
    "Int",
    "Mac",
    "Text",
    "UUIDConv",
]

T = TypeVar("T")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Conv(Generic[T]):
    """Base converter: text in, typed value out, libvirt notation back."""

    #: What a valid value looks like, for error messages.
    expected: str = "a value"
    #: Python type(s) a value must have when assigned.
    pytype: type | tuple[type, ...] = object
    #: True when ``format(parse(text)) == text`` always holds, so the engine
    #: need not remember how the source spelled a value.
    exact: bool = False

    def parse(self, text: str) -> T:  # pragma: no cover - overridden
        raise NotImplementedError

    def format(self, value: T) -> str:
        return str(value)

    def respelled(self, value: T, text: str) -> bool:
        """Whether libvirt's notation of ``value`` differs from the source ``text``."""
        return not self.exact and self.format(value) != text

    def check(self, value: Any) -> str | None:
        """Return why ``value`` does not fit, or ``None`` when it does."""
        if not isinstance(value, self.pytype) or (isinstance(value, bool) and self.pytype is int):
            return f"expected {self.expected}, got {type(value).__name__} {value!r}"
        return None

    def fail(self, text: str) -> ValueError:
        return ValueError(f"expected {self.expected}, got {text!r}")


# Characters XML 1.0 cannot carry at all, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Text(Conv[str]):
    """Any string (optionally non-empty)."""

    exact = True

    pytype = str

    def __init__(self, *, nonempty: bool = False) -> None:
        self.nonempty = nonempty
        self.expected = "a non-empty string" if nonempty else "a string"

    def parse(self, text: str) -> str:
        if self.nonempty and not text:
            raise self.fail(text)
        return text

    def format(self, value: str) -> str:
        return value

    def check(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return f"expected {self.expected}, got {type(value).__name__} {value!r}"
        if self.nonempty and not value:
            return f"expected {self.expected}, got ''"
        bad = _NOT_XML.search(value)
        if bad:
            return f"character {bad.group()!r} cannot be written in XML"
        return None


_DIGITS = re.compile(r"[0-9]+\Z")
_SIGNED = re.compile(r"-?[0-9]+\Z")


class Int(Conv[int]):
    """A decimal integer within ``[lo, hi]`` (a leading ``-`` only when ``lo < 0``)."""

    pytype = int

    def __init__(self, lo: int = 0, hi: int = 2**64 - 1) -> None:
        self.lo, self.hi = lo, hi
        self._pattern = _SIGNED if lo < 0 else _DIGITS
        self.expected = f"an integer from {lo} to {hi}"

    def parse(self, text: str) -> int:
        if not self._pattern.match(text):
            raise self.fail(text)
        value = int(text)
        if not self.lo <= value <= self.hi:
            raise self.fail(text)
        return value

    def format(self, value: int) -> str:
        return str(value)

    def check(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected {self.expected}, got {type(value).__name__} {value!r}"
        if not self.lo <= value <= self.hi:
            return f"expected {self.expected}, got {value}"
        return None


class HexInt(Int):
    """An integer read in hex (``0x1f``) or decimal, written as libvirt writes it.

    ``width`` is the zero-padded hex digit count libvirt uses (PCI domain 4,
    bus and slot 2, function 1: ``0x%x``); ``width=None`` writes decimal, as
    libvirt does for virtualport ids and USB addresses that also accept hex.
    """

    def __init__(self, lo: int, hi: int, width: int | None) -> None:
        super().__init__(lo, hi)
        self.width = width
        self.expected = f"an integer from {lo} to {hi:#x} (decimal or 0x-hex)"

    def parse(self, text: str) -> int:
        if not text or text[0] in "+- " or text[-1] == " " or "_" in text:
            raise self.fail(text)
        try:
            value = int(text[2:], 16) if text[:2] in ("0x", "0X") else int(text, 10)
        except ValueError:
            raise self.fail(text) from None
        if not self.lo <= value <= self.hi:
            raise self.fail(text)
        return value

    def format(self, value: int) -> str:
        if self.width is not None:
            return f"0x{value:0{self.width}x}"
        return str(value)


class Bool(Conv[bool]):
    """yes/no or on/off as ``bool``; the spelling is fixed per attribute."""

    exact = True

    pytype = bool

    def __init__(self, true: str = "yes", false: str = "no") -> None:
        self.true, self.false = true, false
        self.expected = f"'{true}' or '{false}'"

    def parse(self, text: str) -> bool:
        if text == self.true:
            return True
        if text == self.false:
            return False
        raise self.fail(text)

    def format(self, value: bool) -> str:
        return self.true if value else self.false

    def check(self, value: Any) -> str | None:
        if not isinstance(value, bool):
            return f"expected True or False, got {type(value).__name__} {value!r}"
        return None


class Enum(Conv[str]):
    """One of a closed set of strings (a ``Literal`` alias in the models)."""

    exact = True

    pytype = str

    def __init__(self, values: Sequence[str]) -> None:
        self.values = tuple(values)
        self._set = frozenset(values)
        self.expected = "one of " + ", ".join(repr(v) for v in values)

    def parse(self, text: str) -> str:
        if text not in self._set:
            raise self.fail(text)
        return text

    def format(self, value: str) -> str:
        return value

    def check(self, value: Any) -> str | None:
        if value not in self._set or not isinstance(value, str):
            return f"expected {self.expected}, got {value!r}"
        return None


class IPAddr(Conv[IPAddress]):
    """An IPv4 or IPv6 address as an :mod:`ipaddress` object."""

    def __init__(self, version: int | None = None) -> None:
        self.version = version
        if version == 4:
            self.pytype = ipaddress.IPv4Address
            self.expected = "an IPv4 address"
        elif version == 6:
            self.pytype = ipaddress.IPv6Address
            self.expected = "an IPv6 address"
        else:
            self.pytype = (ipaddress.IPv4Address, ipaddress.IPv6Address)
            self.expected = "an IPv4 or IPv6 address"

    def parse(self, text: str) -> IPAddress:
        # inet_pton is C and as strict as ipaddress (no leading zeros, no
        # short forms); building from packed bytes skips ipaddress's slow
        # text parser. Scoped IPv6 (fe80::1%eth0) takes the slow path.
        try:
            if ":" in text:
                if "%" in text:
                    value: IPAddress = ipaddress.IPv6Address(text)
                else:
                    value = ipaddress.IPv6Address(socket.inet_pton(socket.AF_INET6, text))
            else:
                value = ipaddress.IPv4Address(socket.inet_pton(socket.AF_INET, text))
        except (OSError, ValueError):
            raise self.fail(text) from None
        if self.version is not None and value.version != self.version:
            raise self.fail(text)
        return value

    def format(self, value: IPAddress) -> str:
        return str(value)

    def respelled(self, value: IPAddress, text: str) -> bool:
        # Python refuses non-canonical IPv4 text (leading zeros), so only
        # IPv6 can be written differently from how it was read.
        return value.version == 6 and str(value) != text


_MAC = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\Z")


class Mac(Conv[str]):
    """A MAC address ``52:54:00:12:34:56``; kept as written (case included)."""

    exact = True

    pytype = str
    expected = "a MAC address like 52:54:00:12:34:56"

    def parse(self, text: str) -> str:
        if not _MAC.match(text):
            raise self.fail(text)
        return text

    def format(self, value: str) -> str:
        return value

    def check(self, value: Any) -> str | None:
        if not isinstance(value, str) or not _MAC.match(value):
            return f"expected {self.expected}, got {value!r}"
        return None


_UUID = re.compile(r"([0-9a-fA-F]{32}|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})\Z")


class UUIDConv(Conv[uuid.UUID]):
    """A UUID as :class:`uuid.UUID`; libvirt writes the dashed lowercase form."""

    pytype = uuid.UUID
    expected = "a UUID like 81ff0d90-c91e-6742-64da-4a736edb9a9b"

    def parse(self, text: str) -> uuid.UUID:
        if not _UUID.match(text):
            raise self.fail(text)
        return uuid.UUID(text)
