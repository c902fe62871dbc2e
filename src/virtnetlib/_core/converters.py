"""Value converters: how one XML attribute or text becomes a typed value.

Each converter parses libvirt's text form, formats a value back in
libvirt's notation, and checks values assigned from Python. The binding
core uses them for every field; models never convert by hand.
"""

from __future__ import annotations

import ipaddress
import operator
import re
import socket
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from virtnetlib._core.errors import did_you_mean

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
    #: True when ``format`` never returns a character XML must escape
    #: (``&<>'"`` or whitespace other than a space), so writers skip escaping.
    safe: bool = False
    #: The call that makes a value from its text (``uuid.UUID``), named in
    #: the message when that text is assigned instead of the value.
    made_by: str | None = None

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
            problem = f"expected {self.expected}, got {type(value).__name__} {value!r}"
            if self.made_by and isinstance(value, str) and _parses(self, value):
                problem += f"; give {self.made_by}({value!r})"
            return problem
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


def _parses(conv: Conv[Any], text: str) -> bool:
    """Whether ``text`` is the notation of a good value (for hints in messages)."""
    try:
        conv.parse(text)
    except ValueError:
        return False
    return True


class Int(Conv[int]):
    """A decimal integer within ``[lo, hi]`` (a leading ``-`` only when ``lo < 0``)."""

    pytype = int
    safe = True

    def __init__(self, lo: int = 0, hi: int = 2**64 - 1) -> None:
        self.lo, self.hi = lo, hi
        self.signed = lo < 0
        self.expected = f"an integer from {lo} to {hi}"
        #: Texts read so far that are libvirt's own notation of their value
        #: (``24``, not ``024``; ``0x01``, not ``1``), so that generated
        #: parsers read a number seen before (prefixes, delays, PCI slots
        #: repeat) with one lookup and know its spelling need not be kept.
        #: Bounded, so hostile input cannot grow it.
        self.canonical: dict[str, int] = {}

    def parse(self, text: str) -> int:
        # ASCII digits only: int() alone would also take " 1", "+1", "1_0"
        # and other scripts' digits, which libvirt refuses.
        digits = text[1:] if self.signed and text[:1] == "-" else text
        if not (digits.isascii() and digits.isdigit()):
            raise self.fail(text)
        value = int(text)
        if not self.lo <= value <= self.hi:
            raise self.fail(text)
        self._seen(text, value)
        return value

    def _seen(self, text: str, value: int) -> None:
        if len(self.canonical) < 4096 and not self.respelled(value, text):
            self.canonical[text] = value

    def format(self, value: int) -> str:
        return str(value)

    def respelled(self, value: int, text: str) -> bool:
        # text that parsed is canonical unless it has leading zeros or is "-0"
        return len(text) > 1 and (text[0] == "0" or text[:2] == "-0")

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
        # PCI and USB numbers repeat (slot 0x01, function 0x0): read and
        # format each spelling once (bounded, so hostile input cannot grow it)
        #: libvirt's notation of each value formatted so far
        self.texts: dict[int, str] = {}
        self._values: dict[str, int] = {}

    def parse(self, text: str) -> int:
        value = self._values.get(text)
        if value is None:
            value = self._parse(text)
            if len(self._values) < 4096:
                self._values[text] = value
                self._seen(text, value)
        return value

    def _parse(self, text: str) -> int:
        # ASCII digits only: int() alone would also take signs, spaces,
        # underscores and other scripts' digits, which libvirt refuses.
        if text[:2] in ("0x", "0X"):
            digits, base = text[2:], 16
            plain = digits.isascii() and digits.isalnum()
        else:
            digits, base = text, 10
            plain = digits.isascii() and digits.isdigit()
        if not plain:
            raise self.fail(text)
        try:
            value = int(digits, base)
        except ValueError:  # letters beyond f
            raise self.fail(text) from None
        if not self.lo <= value <= self.hi:
            raise self.fail(text)
        return value

    respelled = Conv.respelled  # hex and decimal spellings: compare with the format

    def format(self, value: int) -> str:
        text = self.texts.get(value)
        if text is None:
            text = f"0x{value:0{self.width}x}" if self.width is not None else str(value)
            if len(self.texts) < 4096:
                self.texts[value] = text
        return text


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

    def fail(self, text: str) -> ValueError:
        return ValueError(
            f"expected {self.expected}, got {text!r}{did_you_mean(text, self.values)}"
        )

    def format(self, value: str) -> str:
        return value

    def check(self, value: Any) -> str | None:
        if not isinstance(value, str) or value not in self._set:
            return f"expected {self.expected}, got {value!r}"
        return None


class IPAddr(Conv[IPAddress]):
    """An IPv4 or IPv6 address as an :mod:`ipaddress` object.

    An address read from a document remembers its text (see
    :class:`ReadIPv4Address`), so it is written back as it was read; an
    address made in Python is written in libvirt's notation.
    """

    exact = True
    made_by = "ipaddress.ip_address"

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

    def check(self, value: Any) -> str | None:
        problem = super().check(value)
        if problem is None and getattr(value, "scope_id", None):
            # ipaddress takes any text after "%"; XML cannot carry all of it
            bad = _NOT_XML.search(value.scope_id)
            if bad:
                where = f"in the scope of {value!r}"
                return f"character {bad.group()!r} {where} cannot be written in XML"
        return problem

    def parse(self, text: str) -> IPAddress:
        try:
            if ":" not in text:
                if self.version == 6:
                    raise ValueError(text)
                return ipv4_from_text(text)
            if self.version == 4:
                raise ValueError(text)
            return ipv6_from_text(text)
        except (OSError, ValueError):
            raise self.fail(text) from None

    def format(self, value: IPAddress) -> str:
        # ipaddress formats in Python; the C library's inet_ntop gives the
        # same text except for IPv6 with an embedded IPv4 part (::ffff:1.2.3.4,
        # which Python writes in hex) and scoped addresses, left to Python.
        kind = type(value)
        if kind is ReadIPv4Address or kind is ReadIPv6Address:
            text: str = value._text  # type: ignore[union-attr]
            return text
        if kind is _IPV4:
            return ipv4_to_text(value)  # type: ignore[arg-type]
        if kind is _IPV6 and value.scope_id is None:  # type: ignore[union-attr]
            text = _ntop(_INET6, _number(value).to_bytes(16, "big"))
            if "." not in text:
                return text
        return str(value)


_IPV4 = ipaddress.IPv4Address
_IPV6 = ipaddress.IPv6Address
_INET, _INET6 = socket.AF_INET, socket.AF_INET6
_pton, _ntoa, _ntop = socket.inet_pton, socket.inet_ntoa, socket.inet_ntop
_from_bytes = int.from_bytes
_NEW = object.__new__
# uuid.UUID is immutable: its own __init__ sets its fields this way
_SET = object.__setattr__


# Values read from a document remember their text.
#
# An address or UUID read from a document is an instance of a subclass of
# its standard type that also holds the text it was read from: equal to,
# hashing like and behaving as the standard value (isinstance holds, repr
# reads the same), immutable like it. Writing it back uses that text rather
# than formatting the number again (the commonest values in a network, and
# formatting them cost a tenth of a round trip), and a spelling libvirt
# would not write (2001:DB8::1) comes back as it was read. Copies are the
# value itself, as for any immutable value; pickles read the text again.


class _KeepsText:
    """What the values read share: their text, copies that are the value
    itself, pickles that read the text again. Each class declares the
    ``_text`` slot itself: a mixin's slot would clash with the layout of
    ipaddress's and uuid's own slots."""

    __slots__ = ()
    _text: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # made as the standard type makes one (address + 1 does): str()'s text
        super().__init__(*args, **kwargs)
        _SET(self, "_text", str(self))

    def __copy__(self) -> Any:
        return self

    def __deepcopy__(self, memo: object) -> Any:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return _READERS[type(self)], (self._text,)


class ReadIPv4Address(_KeepsText, ipaddress.IPv4Address):
    """An IPv4 address read from a document: an ``IPv4Address`` that keeps its text."""

    __slots__ = ("_text",)
    _ip: int  # ipaddress's own field, not in its type stubs


class ReadIPv6Address(_KeepsText, ipaddress.IPv6Address):
    """An IPv6 address read from a document: an ``IPv6Address`` that keeps its text."""

    __slots__ = ("_text",)
    _ip: int  # ipaddress's own fields, not in its type stubs
    _scope_id: str | None


class ReadUUID(_KeepsText, uuid.UUID):
    """A UUID read from a document: a ``uuid.UUID`` that keeps its text."""

    __slots__ = ("_text",)


# repr() shows the class name: these read as the standard values do
ReadIPv4Address.__name__ = "IPv4Address"
ReadIPv6Address.__name__ = "IPv6Address"
ReadUUID.__name__ = "UUID"


def _ip_layout_known() -> bool:
    """Whether an address can be made by storing its number in ``_ip`` directly.

    ``IPv4Address(n)`` checks its argument's type and range in Python before
    storing it; a number from ``inet_pton`` needs neither. That relies on how
    ``ipaddress`` lays out an address, so it is used only after checking,
    here, that it makes objects equal in every respect to the public
    constructor's; otherwise the public constructor is used.
    """

    def same(a: Any, b: Any) -> bool:
        return bool(
            (a, hash(a), str(a), repr(a), a.packed, a._ip, a.version)
            == (b, hash(b), str(b), repr(b), b.packed, int(b), b.version)
        )

    try:
        for n in (0, 1, 0xC6336401, 2**32 - 1):
            a = _NEW(ReadIPv4Address)
            a._ip = n
            if not same(a, _IPV4(n)):
                return False  # pragma: no cover - another Python's ipaddress
        for n in (0, 1, 0x20010DB8 << 96, 2**128 - 1):
            b = _NEW(ReadIPv6Address)
            b._ip = n
            b._scope_id = None
            if not (same(b, _IPV6(n)) and b.scope_id is None):
                return False  # pragma: no cover - another Python's ipaddress
    except (AttributeError, TypeError):  # pragma: no cover - another Python's ipaddress
        return False
    return True


#: Whether addresses are made by storing their number (generated parsers do it inline)
IP_LAYOUT_KNOWN = _ip_layout_known()
_number: Callable[[Any], int] = operator.attrgetter("_ip") if IP_LAYOUT_KNOWN else int
#: An address's number (``int(address)``, without its Python-level call where
#: the layout is known): for comparing many addresses quickly.
address_number = _number

_EXACT = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        ipaddress.IPv4Address,
        ipaddress.IPv6Address,
        ReadIPv4Address,
        ReadIPv6Address,
        uuid.UUID,
        ReadUUID,
    }
)


def exact(value: Any) -> Any:
    """``value`` as the plain type it stands for (str, int, float, address,
    UUID), when it is of a subclass.

    A subclass decides how it formats itself: an ``int`` enum writes its
    name, an overridden ``__str__`` or ``__format__`` writes markup. The
    base type's own methods give the value itself, whatever the subclass
    overrides, so what is written is the value that was checked.
    """
    kind = type(value)
    if kind in _EXACT:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, ipaddress.IPv4Address):
        return ipaddress.IPv4Address(int.__index__(_V4_NUMBER(value)))
    if isinstance(value, ipaddress.IPv6Address):
        made = ipaddress.IPv6Address(int.__index__(_V6_NUMBER(value)))
        scope = _V6_SCOPE(value)
        return made if scope is None else ipaddress.IPv6Address(f"{made}%{str.__str__(scope)}")
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=int.__index__(_UUID_NUMBER(value)))
    return value


# the slots themselves, which a subclass's properties cannot stand in for
_V4_NUMBER: Callable[[Any], int] = ipaddress.IPv4Address.__dict__["_ip"].__get__
_V6_NUMBER: Callable[[Any], int] = ipaddress.IPv6Address.__dict__["_ip"].__get__
_V6_SCOPE: Callable[[Any], str | None] = ipaddress.IPv6Address.__dict__["_scope_id"].__get__
_UUID_NUMBER: Callable[[Any], int] = uuid.UUID.__dict__["int"].__get__


def ipv4_from_text(text: str) -> ipaddress.IPv4Address:
    """IPv4 text as an address; raises OSError or ValueError when it is not one.

    ``inet_pton`` is C and as strict as ipaddress (no leading zeros, no
    short forms), so the text is also libvirt's notation of the address.
    """
    n = _from_bytes(_pton(_INET, text), "big")
    if IP_LAYOUT_KNOWN:
        value = _NEW(ReadIPv4Address)
        value._ip = n
    else:  # pragma: no cover - another Python's ipaddress
        value = ReadIPv4Address(n)
    value._text = text
    return value


def ipv6_from_text(text: str) -> ipaddress.IPv6Address:
    """IPv6 text as an address; raises OSError or ValueError when it is not one."""
    if "%" in text or not IP_LAYOUT_KNOWN:
        # scoped (fe80::1%eth0): ipaddress reads the scope
        value = ReadIPv6Address(text)
    else:
        value = _NEW(ReadIPv6Address)
        value._ip = _from_bytes(_pton(_INET6, text), "big")
        value._scope_id = None
    value._text = text
    return value


def ipv4_to_text(value: ipaddress.IPv4Address) -> str:
    """The dotted text of an IPv4 address, as ``str(value)`` gives it."""
    if type(value) is ReadIPv4Address:
        return value._text
    return _ntoa(_number(value).to_bytes(4, "big"))


_MAC = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\Z")
mac_match = _MAC.match


class Mac(Conv[str]):
    """A MAC address ``52:54:00:12:34:56``; kept as written (case included)."""

    exact = True

    pytype = str
    safe = True
    expected = "a MAC address like 52:54:00:12:34:56"

    def parse(self, text: str) -> str:
        if not mac_match(text):
            raise self.fail(text)
        return text

    def format(self, value: str) -> str:
        return value

    def check(self, value: Any) -> str | None:
        if not isinstance(value, str) or not mac_match(value):
            return f"expected {self.expected}, got {value!r}"
        return None


_UNKNOWN_SAFETY = uuid.SafeUUID.unknown
_UUID = re.compile(r"([0-9a-fA-F]{32}|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})\Z")
_UUID_MATCH = _UUID.match


class UUIDConv(Conv[uuid.UUID]):
    """A UUID as :class:`uuid.UUID`; libvirt writes the dashed lowercase form.

    A UUID read from a document keeps its text (:class:`ReadUUID`) and is
    written back as it was read.
    """

    exact = True
    made_by = "uuid.UUID"
    pytype = uuid.UUID
    safe = True
    expected = "a UUID like 81ff0d90-c91e-6742-64da-4a736edb9a9b"

    def parse(self, text: str) -> uuid.UUID:
        if not _UUID_MATCH(text):
            raise self.fail(text)
        return uuid_from_text(text)

    def format(self, value: uuid.UUID) -> str:
        if type(value) is ReadUUID:
            return value._text
        return str(value)


class _BuildUUID(ReadUUID):
    """ReadUUID's layout with plain attribute stores: made, filled, then made a ReadUUID.

    ``uuid.UUID`` refuses assignments (it is immutable), so its own
    ``__init__`` stores through ``object.__setattr__``; filling this
    layout-identical class and then switching the object's class is
    quicker and leaves the same immutable object.
    """

    __slots__ = ()
    __setattr__ = object.__setattr__  # type: ignore[assignment]


def uuid_from_text(text: str) -> uuid.UUID:
    """A UUID in one of libvirt's notations (as matched) as a UUID that keeps its text."""
    # what uuid.UUID(text) does, without its handling of other notations
    value: Any = _NEW(_BuildUUID)
    value.int = int(text.replace("-", ""), 16)
    value.is_safe = _UNKNOWN_SAFETY
    value._text = text
    value.__class__ = ReadUUID
    made: uuid.UUID = value
    return made


#: How each kind of value read is read again from its text (pickles)
_READERS: dict[type, Callable[[str], Any]] = {
    ReadIPv4Address: ipv4_from_text,
    ReadIPv6Address: ipv6_from_text,
    ReadUUID: uuid_from_text,
}
