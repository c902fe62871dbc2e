"""Safe XML input and libvirt-style text output.

Parsing never expands entities, never loads a DTD, never touches the
network and refuses oversized input, so a hostile document costs an error,
not a file read or a hang.
"""

from __future__ import annotations

import collections
import os
import re
import stat
import threading
from typing import Any, BinaryIO

from lxml import etree

from virtnetlib._errors import Error, ParseError, UsageError, shortened

__all__ = [
    "MAX_DOCUMENT_SIZE",
    "ElementsByPath",
    "element_at",
    "element_path",
    "escape_attr",
    "escape_text",
    "parse_document",
    "paths_under",
    "qname_text",
]

#: Largest document accepted, in bytes. A libvirt network with 10,000 DHCP
#: hosts is about 1 MiB; 64 MiB leaves room without inviting exhaustion.
MAX_DOCUMENT_SIZE = 64 * 1024 * 1024

_local = threading.local()
_XML_DECL = re.compile(r"^\s*<\?xml\s[^>]*\?>")  # not <?xml-stylesheet ...?>


def _parser(recover: bool = False, compact: bool = False) -> etree.XMLParser:
    # lxml parsers are not thread safe; one per thread is cheap enough.
    name = "recovering" if recover else "compact" if compact else "parser"
    parser: etree.XMLParser | None = getattr(_local, name, None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_blank_text=compact,
            collect_ids=False,
            recover=recover,
        )
        setattr(_local, name, parser)
    return parser


# Problems libxml2 reports but still builds the document libvirt's libxml2
# reads: namespace problems (a name that is not a URI, xmlns:x='2001:db8::1';
# an empty or undeclared prefix; one attribute twice under two prefixes).
# libxml2 2.9, which libvirt runs on, reports them and goes on (xmllint says
# the document is well-formed, libvirt defines it); lxml on a newer libxml2
# stops, so such a document is read again, recovering.
_TOLERATED = frozenset(
    {
        "WAR_NS_URI",
        "WAR_NS_URI_RELATIVE",
        "WAR_NS_COLUMN",
        "NS_ERR_XML_NAMESPACE",
        "NS_ERR_UNDEFINED_NAMESPACE",
        "NS_ERR_QNAME",
        "NS_ERR_ATTRIBUTE_REDEFINED",
        "NS_ERR_EMPTY",
        "NS_ERR_COLON",
    }
)


def parse_document(
    source: str | bytes, *, max_size: int = MAX_DOCUMENT_SIZE, compact: bool = False
) -> etree._Element:
    """Parse ``source`` into an element tree safely; return the root element.

    A ``compact`` tree leaves out the whitespace between elements that
    libxml2 tells from content (``remove_blank_text``): quicker to build and
    to walk, but kept XML would lose its layout, so it is only for readers
    that need nothing but the values (see :func:`virtnetlib._binding.read_document`).
    """
    if type(source) is bytes:
        data = source
    elif isinstance(source, str):
        if "<" not in source and source.strip():
            raise ParseError(_not_xml(source), line=1)
        # lxml refuses str input that carries an encoding declaration; the
        # text is already decoded, so the declaration says nothing useful.
        data = _XML_DECL.sub("", source, count=1).encode("utf-8")
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        raise UsageError(f"expected XML as str or bytes, got {type(source).__name__}")
    if len(data) > max_size:
        raise ParseError(f"document is {len(data)} bytes, more than the limit of {max_size} bytes")
    if not data or data.isspace():
        raise ParseError("document is empty", line=1)
    parser = _parser(compact=compact)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        # the parser's log holds this parse's problems only (the exception's
        # also those of earlier parses in the thread)
        found = parser.error_log
        if not (found and all(e.type_name in _TOLERATED for e in found)):
            msg = exc.msg or str(exc)
            # libxml2 prefixes messages with their position; keep only the text.
            msg = re.sub(r", line \d+, column \d+$", "", msg).strip()
            if msg.startswith("Excessive depth in document"):
                # libxml2 suggests an option of its own; say what it means
                msg = "elements are nested more than 256 deep (libvirt's libxml2 refuses it too)"
            raise ParseError(f"malformed XML: {msg}", line=exc.lineno or None) from None
        root = etree.fromstring(data, _parser(recover=True))
    if data[0] == 0x3C and data[1] != 0 and (data.find(b"!") < 0 or b"<!DOCTYPE" not in data):
        # an ASCII-compatible document (not UTF-16 or UTF-32, whose first
        # character would span more bytes) without the keyword has no DOCTYPE;
        # looking for "!" alone is quickest and rules it out in most documents
        return root
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ParseError(
            "DOCTYPE declarations are not allowed (entities and DTDs are refused "
            "to keep parsing safe)",
            line=1,
        )
    # Without a DTD no entity can be declared, and libxml2 refuses undeclared
    # ones as malformed, so no entity reference can reach the models.
    return root


def _not_xml(text: str) -> str:
    """Why a str without any element is refused, with the likely mix-up named."""
    message = f"expected XML text, got {shortened(text)!r}"
    try:
        is_file = len(text) < 4096 and os.path.isfile(text)
    except (OSError, ValueError):  # embedded NUL, or a name too long
        is_file = False
    if is_file or text.strip().endswith(".xml"):
        message += "; a str is read as XML: pass pathlib.Path(...) to read a file"
    return message


def read_source(source: str | bytes | os.PathLike[str]) -> tuple[str | bytes, str | None]:
    """Return (xml, filename) for XML text, bytes, or a path."""
    if type(source) is bytes or type(source) is str:
        return source, None  # the common case, without an ABC check
    if isinstance(source, os.PathLike):
        name = os.fspath(source)
        try:
            with open(name, "rb") as fh:
                return _read_bounded(fh), name
        except OSError as exc:
            raise Error(f"cannot read {name}: {exc.strerror or exc}") from exc
        except ValueError as exc:  # a NUL in the name
            raise Error(f"cannot read {name!r}: {exc}") from exc
    return source, None


def _read_bounded(fh: BinaryIO) -> bytes:
    """The file's bytes, at most one more than a document may have.

    ``read(MAX_DOCUMENT_SIZE + 1)`` allocates that much before reading (64
    MiB, three times the cost of reading a small file); a regular file's
    size says how much to ask for. One more byte than that is asked, and
    the rest read (bounded) only if the file grew meanwhile. Devices, pipes
    and files whose size is unknown are read within the bound as before.
    """
    st = os.fstat(fh.fileno())
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_DOCUMENT_SIZE:
        return fh.read(MAX_DOCUMENT_SIZE + 1)
    data = fh.read(st.st_size + 1)
    if len(data) > st.st_size:
        data += fh.read(MAX_DOCUMENT_SIZE + 1 - len(data))
    return data


def qname_text(qname: str, nsmap: dict[Any, str] | None) -> str:
    """``{ns}local`` as ``prefix:local`` using ``nsmap`` (prefix → uri)."""
    if qname[0] != "{":
        return qname
    uri, local = qname[1:].split("}", 1)
    if uri == "http://www.w3.org/XML/1998/namespace":
        return f"xml:{local}"
    for prefix, value in (nsmap or {}).items():
        if value == uri and prefix:
            return f"{prefix}:{local}"
    return local


_NOT_PLAIN_PATH = re.compile(r"[*:(]").search


def element_path(el: Any) -> str:
    """An XPath-like location of ``el``: ``/network/ip[2]/dhcp``.

    Indices appear only where siblings share the tag, as in libvirt's and
    lxml's own paths.
    """
    if isinstance(el.tag, str):
        # libxml2 writes the same path in C, counting siblings without making
        # a Python object for each (a problem on each of 20,000 ranges would
        # otherwise take minutes); names with a namespace are left to Python
        path: str = el.getroottree().getpath(el)
        if not _NOT_PLAIN_PATH(path):
            return path
    parts: list[str] = []
    while el is not None:
        parent = el.getparent()
        if not isinstance(el.tag, str):
            parts.append("comment()")
        elif parent is None:
            parts.append(qname_text(el.tag, el.nsmap))
        else:
            parts.append(next(step for step, child in child_steps(parent) if child is el))
        el = parent
    return "/" + "/".join(reversed(parts))


def child_steps(parent: Any) -> list[tuple[str, Any]]:
    """Each element inside ``parent`` with its step in an :func:`element_path`.

    A step is the element's name, with its position among the siblings of
    that name (``ip[2]``, from 1) when it has any. The one place that
    convention is spelled: paths are made, indexed and followed with it.
    """
    children = [c for c in parent if isinstance(c.tag, str)]
    counts = collections.Counter(c.tag for c in children)
    seen: dict[str, int] = {}
    steps = []
    for child in children:
        name = qname_text(child.tag, child.nsmap)
        if counts[child.tag] > 1:
            seen[child.tag] = seen.get(child.tag, 0) + 1
            name = f"{name}[{seen[child.tag]}]"
        steps.append((name, child))
    return steps


def element_at(root: Any, path: str) -> Any:
    """The element :func:`element_path` gives ``path`` for, in ``root``'s document; or None.

    Walks down step by step, so finding a few elements costs no more than
    their siblings, whatever the document's size. ``ip`` also finds the
    first of several ``<ip>``, and ``ip[1]`` the only one.
    """
    steps = path.split("/")[1:]
    el = None
    level = [(qname_text(root.tag, root.nsmap), root)]
    for step in steps:
        here = dict(level)
        el = here.get(step)
        if el is None and step.endswith("[1]"):
            el = here.get(step[:-3])  # the only one of its name
        elif el is None and not step.endswith("]"):
            el = here.get(step + "[1]")  # the first of several
        if el is None:
            return None
        level = child_steps(el)
    return el


def paths_under(el: Any) -> dict[str, Any]:
    """:func:`element_path` of ``el`` and of every element inside it, in one pass."""
    found = {element_path(el): el}
    stack = [(next(iter(found)), el)]
    while stack:
        base, parent = stack.pop()
        for step, child in child_steps(parent):
            path = f"{base}/{step}"
            found[path] = child
            stack.append((path, child))
    return found


class ElementsByPath:
    """Elements of a document found by their :func:`element_path`.

    The first few are found by walking down (:func:`element_at`); past
    ``WALKS`` lookups one index of every path (:func:`paths_under`) answers,
    so a document with 20,000 problems is not walked 20,000 times.
    """

    WALKS = 16

    def __init__(self, under: Any) -> None:
        """Elements at or inside ``under`` (an interface inside a domain, say)."""
        self.under = under
        self.top = under.getroottree().getroot()
        self.walks = 0
        self.index: dict[str, Any] | None = None

    def get(self, path: str) -> tuple[Any, bool]:
        """The element at ``path`` (or None), and whether ``path`` is its own path."""
        if self.index is None and self.walks >= self.WALKS:
            self.index = paths_under(self.under)
        if self.index is not None:
            found = self.index.get(path)
            if found is not None:
                return found, True
        else:
            self.walks += 1
        # a path without an index where siblings share the name ("ip" for
        # the first of two) is not a key of the index; walking finds it
        return element_at(self.top, path), False


_TEXT_ESCAPES = str.maketrans(
    # \r would come back as \n after any XML parser's newline normalisation
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;"}
)
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&apos;",
        # Raw whitespace in an attribute is normalised to a space by every
        # parser; escape it so a value survives the round trip.
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


def escape_text(value: str) -> str:
    """Escape element text the way libvirt's ``virBufferEscapeString`` does."""
    return value.translate(_TEXT_ESCAPES)


def escape_attr(value: str) -> str:
    """Escape an attribute value for single-quoted output."""
    return value.translate(_ATTR_ESCAPES)
