"""Safe XML input and libvirt-style text output.

Parsing never expands entities, never loads a DTD, never touches the
network and refuses oversized input, so a hostile document costs an error,
not a file read or a hang.
"""

from __future__ import annotations

import collections
import itertools
import os
import re
import threading
from typing import Any
from xml.parsers import expat

from lxml import etree

from virtnetlib._core.errors import Error, ParseError, UsageError, shortened
from virtnetlib._core.files import read_regular

#: Largest document accepted, in bytes. A libvirt network with 10,000 DHCP
#: hosts is about 1 MiB; 64 MiB leaves room without inviting exhaustion.
MAX_DOCUMENT_SIZE = 64 * 1024 * 1024
#: Most attributes one element may have. libvirt's elements have at most a
#: few dozen; lxml reads an element's attributes in time quadratic in their
#: number (32,000 took 12 s), so an element with more is refused.
MAX_ATTRIBUTES = 256

_local = threading.local()
_XML_DECL = re.compile(r"^\s*<\?xml\s[^>]*\?>")  # not <?xml-stylesheet ...?>
# The encoding an XML declaration names, in the ASCII every encoding
# libvirt reads spells it in (the declaration must open the document).
_DECLARED_ENCODING = re.compile(
    rb"\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?\bencoding\s*=\s*(?:'([^']*)'|\"([^\"]*)\")"
)
# Every document is read as UTF-8, as libvirt reads it (see parse_document);
# a declaration may name UTF-8 or its subset ASCII, nothing else.
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


class _NoLoading(etree.Resolver):
    """Answers every request to load a DTD or an external entity with nothing.

    The parser options already keep libxml2 from asking (see ``_parser``);
    this is the second lock: whatever a document names, no file is opened
    and nothing is fetched, so no error can depend on what exists there.
    """

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        return self.resolve_string("", context)


_PARSER_NAMES = {
    (recover, compact, pinned): f"{recover}-{compact}-{pinned}"
    for recover in (False, True)
    for compact in (False, True)
    for pinned in (False, True)
}


def _parser(recover: bool = False, compact: bool = False, pinned: bool = False) -> etree.XMLParser:
    """This thread's parser of the kind asked for.

    ``pinned``: read the bytes as UTF-8 whatever the document declares, as
    libvirt does (virXMLParseHelper). Only a document that opens with a
    declaration or a byte order mark needs it: without either, libxml2
    reads UTF-8 already (a wide encoding without a mark is refused before
    parsing), and pinning costs a tenth of a small document's parse.
    """
    # lxml parsers are not thread safe; one per thread is cheap enough.
    name = _PARSER_NAMES[recover, compact, pinned]
    parser: etree.XMLParser | None = getattr(_local, name, None)
    if parser is None:
        parser = etree.XMLParser(
            encoding="utf-8" if pinned else None,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            attribute_defaults=False,
            huge_tree=False,
            remove_blank_text=compact,
            # collect_ids=False would set XML_SKIP_IDS, which libxml2 (2.14
            # included) takes as a reason to load a DOCTYPE's external
            # subset: a document naming /etc/shadow or a FIFO had it opened
            collect_ids=True,
            recover=recover,
        )
        parser.resolvers.add(_NoLoading())
        setattr(_local, name, parser)
    return parser


# Problems libxml2 reports but still builds the document libvirt's libxml2
# reads: namespace problems (a name that is not a URI, xmlns:x='2001:db8::1';
# an empty or undeclared prefix; one attribute twice under two prefixes).
# libxml2 2.9, which libvirt runs on, reports them and goes on (xmllint says
# the document is well-formed, libvirt defines it); lxml on a newer libxml2
# stops, so such a document is read again, recovering — and refused if the
# recovering parser found anything else (recovery would drop or mend it).
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

_DOCTYPE_REFUSED = (
    "DOCTYPE declarations are not allowed (entities and DTDs are refused to keep parsing safe)"
)


def as_utf8(source: str | bytes) -> bytes:
    """``source`` as the bytes :func:`parse_document` reads: str encoded in
    UTF-8 without its XML declaration (the text is decoded already, so the
    declaration says nothing true about it; one naming another encoding is
    refused all the same, as it would be in bytes)."""
    if type(source) is bytes:
        return source
    if isinstance(source, str):
        if "<" not in source and source.strip():
            raise ParseError(_not_xml(source), line=1)
        # lxml refuses str input that carries an encoding declaration
        declaration = _XML_DECL.match(source)
        if declaration is not None:
            _check_declaration(declaration.group().lstrip().encode("utf-8", "replace"))
            source = source[declaration.end() :]
        try:
            return source.encode("utf-8")
        except UnicodeEncodeError as exc:
            line = source.count("\n", 0, exc.start) + 1
            if declaration is not None:
                line += declaration.group().count("\n")
            column = exc.start - (source.rfind("\n", 0, exc.start) + 1) + 1
            raise ParseError(
                f"malformed XML: character {source[exc.start]!r} at column {column} is a lone"
                " surrogate, which no XML document can hold",
                line=line,
            ) from None
    if isinstance(source, (bytearray, memoryview)):
        return bytes(source)
    raise UsageError(f"expected XML as str or bytes, got {type(source).__name__}")


def _check_declaration(data: bytes) -> None:
    """Refuse a document that says it is not UTF-8: libvirt would read it as
    UTF-8 anyway, so it would mean one thing to libvirt and another to every
    other XML tool. A NUL among the first four bytes is a wide encoding
    without a byte order mark (libxml2 would guess UTF-16 or UTF-32)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise ParseError(
                f"document is {name} (it starts with a {name} byte order mark); libvirt reads"
                " documents as UTF-8 only",
                line=1,
            )
    if b"\x00" in data[:4]:
        raise ParseError(
            "document is UTF-16 or UTF-32 (a NUL byte among its first four); libvirt reads"
            " documents as UTF-8 only",
            line=1,
        )
    found = _DECLARED_ENCODING.match(data)
    if found is not None:
        raw = found.group(1) if found.group(1) is not None else found.group(2)
        name = raw.decode("ascii", "replace")
        if name.lower() not in _UTF8_NAMES:
            raise ParseError(
                f"the XML declaration names encoding {shortened(name)!r}; libvirt reads every"
                " document as UTF-8 whatever it declares, so only UTF-8 (or ASCII) is accepted",
                line=1,
            )


def parse_document(
    source: str | bytes, *, max_size: int = MAX_DOCUMENT_SIZE, compact: bool = False
) -> etree._Element:
    """Parse ``source`` into an element tree safely; return the root element.

    Nothing a document says is loaded: no DTD, no external entity, no
    network (see :class:`_NoLoading`), and a document with a DOCTYPE is
    refused after libxml2 has read it, by what libxml2 found, in any
    encoding. Bytes are read as UTF-8, as libvirt reads them; a document
    declaring another encoding is refused.

    A ``compact`` tree leaves out the whitespace between elements that
    libxml2 tells from content (``remove_blank_text``): quicker to build and
    to walk, but kept XML would lose its layout, so it is only for readers
    that need nothing but the values (see :func:`virtnetlib._core.model.read_document`).
    """
    data = source if type(source) is bytes else as_utf8(source)
    if len(data) > max_size:
        raise ParseError(f"document is {len(data)} bytes, more than the limit of {max_size} bytes")
    if not data or data.isspace():
        raise ParseError("document is empty", line=1)
    # "<" then anything but "?" or NUL: no declaration and no byte order mark,
    # so libxml2 reads UTF-8; anything else is judged first and pinned to it
    pinned = data[0] != 0x3C or data[1:2] in (b"?", b"\x00")
    if pinned:
        _check_declaration(data)
    parser = _parser(compact=compact, pinned=pinned)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        # the parser's log holds this parse's problems only (the exception's
        # also those of earlier parses in the thread)
        found = parser.error_log
        worst = next((e for e in found if e.type_name not in _TOLERATED), None)
        if worst is not None:
            raise _malformed(worst.message, worst.line) from None
        if not found:  # pragma: no cover - lxml raises with its log empty
            raise _malformed(exc.msg or str(exc), exc.lineno) from None
        root = _recovered(data)
    # libxml2 records every DOCTYPE it read, and that decides. Since the
    # bytes were read as UTF-8 (not as the document declares: UTF-7 spells
    # the keyword "+ADw-!DOCTYPE"), a DOCTYPE libxml2 read is spelled
    # "<!DOCTYPE" in them: where those bytes are absent there is none to ask
    # about, and the question (a tenth of a small parse) is not asked.
    if b"<!DOCTYPE" in data and root.getroottree().docinfo.internalDTD is not None:
        raise ParseError(_DOCTYPE_REFUSED, line=1)
    # each attribute takes at least five bytes (` a=""`), so a short document
    # cannot hold too many; in a longer one the "="s are counted first
    if len(data) > 5 * MAX_ATTRIBUTES and data.count(b"=") > MAX_ATTRIBUTES:
        _check_attribute_counts(root)  # one element may have too many: look
    # Without a DTD no entity can be declared, and libxml2 refuses undeclared
    # ones as malformed, so no entity reference can reach the models.
    return root


def _check_attribute_counts(root: etree._Element) -> None:
    for el in root.iter(etree.Element):
        count = len(el.attrib)
        if count > MAX_ATTRIBUTES:
            name = qname_text(str(el.tag), el.nsmap)
            raise ParseError(
                f"<{name}> has {count} attributes, more than the limit of {MAX_ATTRIBUTES}"
                " (no libvirt element has more than a few dozen)",
                line=el.sourceline,
                path=element_path(el),
            )


def _recovered(data: bytes) -> etree._Element:
    """The document libxml2 2.9 builds when only namespace problems were found.

    Namespace problems end lxml's strict parse; recovering, libxml2 goes on
    but no longer reports what comes after them (content after the root
    element, a second root, was dropped without a word). So the whole
    document is first checked for well-formedness by expat without
    namespace processing — XML 1.0's own rules, which namespace problems do
    not break — and refused as libxml2 2.9 and libvirt refuse it when it
    fails them; then the recovering parser builds it, and must report
    nothing but namespace problems.
    """
    _check_well_formed(data)
    recovering = _parser(recover=True, pinned=True)
    root = etree.fromstring(data, recovering)
    for entry in recovering.error_log:
        if entry.type_name not in _TOLERATED:
            raise _malformed(entry.message, entry.line)
    if root is None:  # pragma: no cover - expat found a root element
        raise ParseError("malformed XML: no root element", line=1)
    return root


class _Doctype(Exception):  # noqa: N818 - a signal to stop expat at once
    pass


def _refuse_doctype(*_: object) -> None:
    raise _Doctype


def _check_well_formed(data: bytes) -> None:
    """Raise the ParseError for ``data`` if it breaks XML 1.0 (namespaces aside)."""
    checker = expat.ParserCreate(encoding="UTF-8")  # as _parser reads it
    # a DOCTYPE is refused before expat reads a declaration in it
    checker.StartDoctypeDeclHandler = _refuse_doctype
    checker.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        checker.Parse(data, True)
    except expat.ExpatError as exc:
        raise _malformed(expat.errors.messages[exc.code], exc.lineno) from None
    except _Doctype:
        raise ParseError(_DOCTYPE_REFUSED, line=1) from None


def _malformed(message: str, line: int | None) -> ParseError:
    # libxml2 prefixes messages with their position; keep only the text.
    msg = re.sub(r", line \d+, column \d+$", "", message).strip()
    if msg.startswith("Excessive depth in document"):
        # libxml2 suggests an option of its own; say what it means
        msg = "elements are nested more than 256 deep (libvirt's libxml2 refuses it too)"
    return ParseError(f"malformed XML: {msg}", line=line or None)


class _Found(Exception):  # noqa: N818 - a signal to stop expat at the first name
    pass


def root_name(source: str | bytes) -> str | None:
    """The name of the root element, as far as a quick look can tell; or None.

    For deciding whether a file is libvirt's before reading it (a hook that
    skips other XML): the first start tag, or the name a DOCTYPE gives the
    root. No DTD, entity or external file is read, nothing after the first
    tag matters, so a malformed document still has the name it opens with.
    """
    data = source.encode("utf-8", "replace") if isinstance(source, str) else source
    found: list[str] = []

    def name(value: str, *_: object) -> None:
        found.append(value)
        raise _Found

    # the encoding the document says first (UTF-16 included); then UTF-8,
    # which libvirt assumes, for a declaration expat does not know (UTF-7)
    for encoding in (None, "UTF-8"):
        sniffer = expat.ParserCreate(encoding)
        sniffer.StartElementHandler = name
        sniffer.StartDoctypeDeclHandler = name
        sniffer.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        try:
            sniffer.Parse(data[:MAX_DOCUMENT_SIZE], True)
        except _Found:
            return found[0]
        except (expat.ExpatError, ValueError):  # ValueError: an encoding expat refuses
            continue
    return None


def _not_xml(text: str) -> str:
    """Why a str without any element is refused, with the likely mix-up named."""
    message = f"expected XML text, got {shortened(text)!r}"
    # judged by the text alone: looking the name up would tell whoever wrote
    # the text which files exist
    name = text.strip()
    if "\n" not in name and (name.endswith(".xml") or name.startswith(("/", "./", "~"))):
        message += "; a str is read as XML: pass pathlib.Path(...) to read a file"
    return message


def read_source(source: str | bytes | os.PathLike[str]) -> tuple[str | bytes, str | None]:
    """Return (xml, filename) for XML text, bytes, or a path.

    A path must name a regular file: a FIFO, a device or a folder is an
    :class:`Error`, never a read that waits or does not end.
    """
    if type(source) is bytes or type(source) is str:
        return source, None  # the common case, without an ABC check
    if isinstance(source, os.PathLike):
        name = os.fspath(source)
        try:
            return read_regular(name, MAX_DOCUMENT_SIZE), name
        except OSError as exc:
            raise Error(f"cannot read {name}: {exc.strerror or exc}") from exc
        except ValueError as exc:  # a NUL in the name
            raise Error(f"cannot read {name!r}: {exc}") from exc
    return source, None


#: The XML namespaces of libvirt's documents, by the prefix libvirt writes them with.
LIBVIRT_NAMESPACES: dict[str, str] = {
    "dnsmasq": "http://libvirt.org/schemas/network/dnsmasq/1.0",
    "qemu": "http://libvirt.org/schemas/domain/qemu/1.0",
    "lxc": "http://libvirt.org/schemas/domain/lxc/1.0",
    "bhyve": "http://libvirt.org/schemas/domain/bhyve/1.0",
    "vmware": "http://libvirt.org/schemas/domain/vmware/1.0",
    "xen": "http://libvirt.org/schemas/domain/xen/1.0",
}


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


class PathCache:
    """:func:`element_path` for many elements of one document, each sibling list
    read once: libxml2 counts an element's siblings for each path it makes,
    so 20,000 problems among 20,000 siblings took seconds."""

    __slots__ = ("_paths", "_steps")

    def __init__(self) -> None:
        self._paths: dict[Any, str] = {}
        self._steps: dict[Any, dict[Any, str]] = {}

    def path(self, el: Any) -> str:
        found = self._paths.get(el)
        if found is not None:
            return found
        parent = el.getparent()
        if parent is None or not isinstance(el.tag, str):
            found = element_path(el)
        else:
            steps = self._steps.get(parent)
            if steps is None:
                steps = self._steps[parent] = {child: step for step, child in child_steps(parent)}
            found = f"{self.path(parent)}/{steps[el]}"
        self._paths[el] = found
        return found


def child_steps(parent: Any) -> list[tuple[str, Any]]:
    """Each element inside ``parent`` with its step in an :func:`element_path`.

    A step is the element's name, with its position among the siblings of
    that name (``ip[2]``, from 1) when it has any. The one place that
    convention is spelled: paths are made, indexed and followed with it.
    """
    if not len(parent):  # most elements hold none; no lists to make
        return []
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
    first, *steps = path.split("/")[1:] or [""]
    if not _step_names(first, qname_text(root.tag, root.nsmap)):
        return None
    return _walk(root, steps)


def _step_names(step: str, name: str) -> bool:
    """Whether a path step (``ip``, ``ip[1]``) names the one element ``name``."""
    return step == name or step == f"{name}[1]"


def _walk(el: Any, steps: list[str]) -> Any:
    """The element ``steps`` lead to from ``el`` (see :func:`element_at`), or None."""
    for step in steps:
        if None not in el.nsmap:
            # no default namespace here: a plain name is the tag itself, and
            # lxml finds the n-th child of that tag without a look at the rest
            name, _, index = step.partition("[")
            if _PLAIN_NAME(name) and (not index or (index[:-1].isascii() and index[:-1].isdigit())):
                n = int(index[:-1]) if index else 1
                el = next(itertools.islice(el.iterchildren(name), n - 1, None), None)
                if el is None:
                    return None
                continue
        here = dict(child_steps(el))
        found = here.get(step)
        if found is None and step.endswith("[1]"):
            found = here.get(step[:-3])  # the only one of its name
        elif found is None and not step.endswith("]"):
            found = here.get(step + "[1]")  # the first of several
        if found is None:
            return None
        el = found
    return el


_PLAIN_NAME = re.compile(r"[A-Za-z_][\w.-]*\Z").match


def paths_under(el: Any, base: str | None = None) -> dict[str, Any]:
    """:func:`element_path` of ``el`` (``base``, when known) and of every element
    inside it, in one pass."""
    found = {element_path(el) if base is None else base: el}
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

    A path inside ``under`` is walked down from ``under``, not from the top
    (an interface deep in a domain costs its own size, not the domain's);
    past ``WALKS`` lookups one index of every path under it
    (:func:`paths_under`) answers, so a document with 20,000 problems is not
    walked 20,000 times. ``paths``, a document's :class:`PathCache`, makes
    ``under``'s own path without counting its siblings again.
    """

    WALKS = 16

    def __init__(self, under: Any, paths: PathCache | None = None) -> None:
        """Elements at or inside ``under`` (an interface inside a domain, say)."""
        self.under = under
        self.top = under.getroottree().getroot()
        #: ``under``'s own path
        self.base = paths.path(under) if paths is not None else element_path(under)
        self.walks = 0
        self.index: dict[str, Any] | None = None

    def get(self, path: str) -> tuple[Any, bool]:
        """The element at ``path`` (or None), and whether ``path`` is its own path."""
        if self.index is None and self.walks >= self.WALKS:
            self.index = paths_under(self.under, self.base)
        if self.index is not None:
            found = self.index.get(path)
            if found is not None:
                return found, True
        else:
            self.walks += 1
        # a path without an index where siblings share the name ("ip" for
        # the first of two) is not a key of the index; walking finds it
        if path == self.base:
            return self.under, True
        if path.startswith(self.base + "/"):
            return _walk(self.under, path[len(self.base) + 1 :].split("/")), False
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
