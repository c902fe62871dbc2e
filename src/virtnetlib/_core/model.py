"""The model base class, plans and the generic engine: field specs ⇄ XML, losslessly.

Models are attrs classes whose fields say where they live in the XML (see
:mod:`virtnetlib._core.fields`). This module turns those declarations into
a per-class plan and interprets it — the generic engine, which handles
everything a document can hold. :mod:`virtnetlib._core.compiled` generates
faster straight-line code from the same plan for the common case and falls
back on this engine, which it is given (it imports nothing from here).

Everything a plan does not know — attributes, elements, comments, foreign
namespaces, stray text — is kept on the object with the known sibling it
followed and written back there. :func:`unmodeled` lists it.

Output follows libvirt's formatter: fields are written in declaration
order (which each model keeps equal to libvirt's output order), two-space
indent, single-quoted attributes, self-closing empty elements and a
trailing newline. A value whose libvirt spelling differs from the source
(``delay='05'``) is written as it was read for as long as it is unchanged.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar

import attrs
from lxml import etree

from virtnetlib._core import compiled, display
from virtnetlib._core.converters import exact
from virtnetlib._core.errors import Issue, ParseError, UsageError, did_you_mean, shortened
from virtnetlib._core.fields import (
    _ATTR,
    _CHILD,
    _CHILDREN,
    _FAILED,
    _META,
    _NAMESPACE_PREFIXES,
    _OWN_TEXT,
    _RAW,
    _TEXT_CHILD,
    _TEXT_CHILDREN,
    _XML_NAME,
    FieldValueError,
    RawInner,
    XmlFragment,
    _camel,
    _checked_name,
    _default_tag,
    _discriminator,
    _format,
    _model_classes,
    _Spec,
    _tag_text,
    _Unknown,
    _variants,
    derive_converters,
    fragment_problem,
)
from virtnetlib._core.xml import (
    PathCache,
    element_path,
    escape_attr,
    escape_text,
    parse_document,
    qname_text,
    read_source,
)

M = TypeVar("M", bound="Model")


# --------------------------------------------------------------------------
# Unknown XML kept on each object


@attrs.define(kw_only=True, repr=False)
class Model:
    """Base class of every virtnetlib model.

    Subclasses set ``__xml_tag__`` and declare their fields with the spec
    functions of this module. ``from_xml``/``to_xml`` round-trip without
    loss; equality compares typed fields only.
    """

    __xml_tag__: ClassVar[str] = ""
    #: Attributes with a fixed value, written first (``type='pci'``).
    __xml_const__: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Write ``<tag>\n</tag>`` instead of ``<tag/>`` when empty, as libvirt does for ``<ip>``.
    __xml_open__: ClassVar[bool] = False
    #: Output order by field name, when subclasses mix their fields with the
    #: base class's (libvirt's order); unlisted fields follow in declaration order.
    __xml_order__: ClassVar[tuple[str, ...]] = ()
    #: On a base class whose subclasses differ by ``type=``: value → subclass.
    #: Parsing the base class (or a child declared with it) picks the subclass.
    __xml_variants__: ClassVar[dict[str | None, type[Model]]] = {}

    _unknown: _Unknown | None = attrs.field(default=None, eq=False, repr=False, alias="_unknown")
    _spelling: dict[str, tuple[Any, str]] | None = attrs.field(
        default=None, eq=False, repr=False, alias="_spelling"
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # before attrs builds the class: fields without conv= get theirs
        # from their annotations (a Literal's closed set, written once)
        derive_converters(cls)

    @classmethod
    def from_xml(
        cls: type[M],
        source: str | bytes | os.PathLike[str],
        *,
        strict: bool = True,
    ) -> M:
        """Parse XML text, bytes or a file path into this model.

        With ``strict=False`` (lenient), a value that does not fit its field
        is not an error: it is kept verbatim as unmodeled XML, written back
        unchanged, and listed by :func:`unmodeled`. Malformed XML, a wrong
        root element and missing required values are errors either way.
        """
        data, filename = read_source(source)
        try:
            return read_document(data, cls, strict)
        except ParseError as exc:
            if filename:
                raise exc.with_source(filename) from None
            raise

    @classmethod
    def from_dict(cls: type[M], data: Any) -> M:
        """A model from plain values keyed by field name (YAML, JSON, Ansible).

        Values are given as XML has them (``24`` or ``'24'``, ``'yes'`` or
        ``True``), a mapping for a child element and a list for repeated
        ones; a ``type=`` union (an interface, a host interface) takes its
        class from ``type``. The values are read exactly as the XML they
        stand for would be, with the same checks and messages; an unknown
        key names the fields that exist.
        """
        element = _element_from(cls, data, cls.__name__)
        return parse_root(cls, element, strict=True)

    def to_dict(self) -> dict[str, Any]:
        """This object as plain values keyed by field name, the values as XML
        writes them (``{'name': 'lab', 'ips': [{'address': '198.51.100.1',
        'prefix': '24'}]}``); :meth:`from_dict` reads it back. Fields left
        unset are left out; XML the models do not know is not included."""
        return _dict_of(self)

    def to_xml(self) -> str:
        """This object as libvirt formats it, with a trailing newline."""
        out: list[str] = []
        unknown = self._unknown
        if unknown is not None:
            out.extend(x + "\n" for x in unknown.outside[0])
        (_PLANS.get(type(self)) or _plan_of(type(self))).write(self, out, "", True, None)
        if unknown is not None:
            out.extend(x + "\n" for x in unknown.outside[1])
        return "".join(out)

    def _repr_html_(self) -> str:
        """How a notebook shows the model: a summary table and the XML."""
        return display.render(self)

    def __repr__(self) -> str:
        plan = _plan_of(type(self))
        parts = []
        for spec in plan.fields:
            value = getattr(self, spec.name)
            if value is None or value == []:
                continue
            parts.append(f"{spec.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


# --------------------------------------------------------------------------
# Plans


class _Plan:
    __slots__ = (
        "attrs",
        "build",
        "children",
        "choice",
        "cls",
        "consts",
        "defaults",
        "fast_parse",
        "fast_write",
        "fields",
        "open",
        "own_text",
        "parse",
        "raw",
        "required",
        "tag",
        "tag_ns",
        "tag_text",
        "write",
        "write_attrs",
        "writers",
    )

    def __init__(self, cls: type[Model]) -> None:
        self.cls = cls
        self.tag = _checked_name(cls.__xml_tag__, f"{cls.__name__}.__xml_tag__")
        for name, value in cls.__xml_const__:
            _checked_name(name, f"{cls.__name__}.__xml_const__")
            if not isinstance(value, str) or not _XML_NAME(value):
                raise UsageError(f"{cls.__name__}.__xml_const__: {value!r} is not a plain value")
        self.tag_text, self.tag_ns = _tag_text(self.tag)
        self.consts = dict(cls.__xml_const__)
        self.open = cls.__xml_open__
        self.attrs: dict[str, _Spec] = {}
        self.children: dict[str, _Spec] = {}
        self.fields: list[_Spec] = []
        self.defaults: list[tuple[str, Any, bool]] = []
        self.own_text: _Spec | None = None
        self.raw: _Spec | None = None
        for fld in attrs.fields(cls):
            spec = fld.metadata.get(_META)
            if spec is None:
                continue
            spec.name = fld.name
            if spec.xml is None and spec.kind == _ATTR:
                spec.xml = _camel(fld.name)
            elif spec.xml is None and spec.kind in (_CHILD, _CHILDREN):
                spec.xml = _default_tag(spec.model)
            elif spec.xml is None and spec.kind == _TEXT_CHILD:
                spec.xml = fld.name
            if spec.xml is not None:
                _checked_name(spec.xml, f"{cls.__name__}.{fld.name}")
                spec.xml_text, spec.ns = _tag_text(spec.xml)
            self.fields.append(spec)
            if fld.default is attrs.NOTHING:
                self.defaults.append((fld.name, None, False))
            elif isinstance(fld.default, attrs.Factory):  # type: ignore[arg-type]
                self.defaults.append((fld.name, fld.default.factory, True))
            else:
                self.defaults.append((fld.name, fld.default, False))
        order = cls.__xml_order__
        if order:
            rank = {name: i for i, name in enumerate(order)}
            self.fields.sort(key=lambda f: rank.get(f.name, len(rank)))
        for spec in self.fields:
            if spec.kind == _ATTR:
                assert spec.xml is not None
                self.attrs[spec.xml] = spec
            elif spec.kind == _OWN_TEXT:
                self.own_text = spec
            elif spec.kind == _RAW:
                self.raw = spec
            else:
                assert spec.xml is not None
                self.children[spec.xml] = spec
        self.build = compiled.compile_builder(cls, self.defaults)
        self.writers = [s for s in self.fields if s.kind not in (_ATTR, _OWN_TEXT, _RAW)]
        self.write_attrs = [s for s in self.fields if s.kind == _ATTR]
        self.required = [s for s in self.fields if s.required]
        #: for a class that picks its subclass by ``type=``: (attribute, value → class)
        self.choice: tuple[str, dict[Any, Any]] | None = None
        variants = _variants(cls)
        if variants is not None:
            self.choice = (_discriminator(variants), variants)
        self.fast_parse: Callable[..., Any] | None = None
        self.fast_write: Callable[[Any, list[str], str, bool, str | None], None] | None = None
        self.parse: Callable[..., Any]
        self.write: Callable[[Any, list[str], str, bool, str | None], None]
        self.reset()

    def reset(self) -> None:
        """Route parsing and writing to the fast paths or the generic engine (tests)."""
        if _FAST_PATHS:
            self.parse = self.fast_parse or self._first_parse
            self.write = self.fast_write or self._first_write
        else:
            self.parse = functools.partial(_parse, self)
            self.write = functools.partial(_write_generic, self)

    # The first element of a class compiles its fast paths; later ones go
    # straight to them through ``plan.parse``/``plan.write``.
    def _first_parse(self, el: Any, ctx: _Ctx, is_root: bool = False) -> Any:
        self.parse = self.fast_parse = compiled.compile_parser(self, _generic())
        return self.parse(el, ctx, is_root)

    def _first_write(
        self, obj: Any, out: list[str], ind: str, is_root: bool, tag: str | None
    ) -> None:
        self.write = self.fast_write = compiled.compile_writer(self, _generic())
        self.write(obj, out, ind, is_root, tag)


#: Whether plans compile fast paths (see :mod:`virtnetlib._core.compiled`); the
#: tests turn them off to compare them with the generic engine.
_FAST_PATHS = True


def _use_fast_paths(enabled: bool) -> None:
    """Turn the compiled fast paths on or off for every class (for tests)."""
    global _FAST_PATHS  # noqa: PLW0603 - one process-wide switch, for tests
    _FAST_PATHS = enabled
    for plan in _PLANS.values():
        plan.reset()


_PLANS: dict[type, _Plan] = {}


def _plan_of(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        if not (isinstance(cls, type) and issubclass(cls, Model)):
            raise FieldValueError(f"{cls!r} is not a virtnetlib model")
        plan = _PLANS[cls] = _Plan(cls)
    return plan


# --------------------------------------------------------------------------
# Parsing


class _Ctx:
    __slots__ = ("compact", "issues", "kept", "paths", "strict")

    def __init__(self, strict: bool, compact: bool = False, paths: PathCache | None = None) -> None:
        self.strict = strict
        #: whether the tree is compact (no blank text): the generic parser refuses it
        self.compact = compact
        self.issues: list[Issue] = []
        #: whether any element kept unknown XML (else unmodeled() is empty)
        self.kept = False
        #: the document's paths, when a caller shares them (a domain's interfaces)
        self.paths = paths

    def error(self, el: Any, suffix: str, message: str) -> None:
        if len(self.issues) < 16 and self.paths is None:
            path = element_path(el)
        else:  # many problems: each sibling list read once, not once per problem
            if self.paths is None:
                self.paths = PathCache()
            path = self.paths.path(el)
        self.issues.append(Issue(message, el.sourceline, path + suffix))


def parse_root(cls: type[M], root: Any, *, strict: bool = True) -> M:
    """Build ``cls`` from an already parsed root element.

    ``root`` may also be an element inside a larger document (an interface
    of a ``<domain>``); lines and paths then point into that document.
    """
    return parse_root_kept(cls, root, strict=strict)[0]


class FullTreeNeeded(Exception):  # noqa: N818 - not an error: a signal to parse again
    """Raised reading a compact tree: this document needs its full tree.

    The generic parser keeps unknown XML as written and reports problems;
    both need the document as it was, whitespace included.
    """


def read_document(
    data: str | bytes,
    cls: type[M] | None,
    strict: bool,
    choose: Callable[[Any], type[M]] | None = None,
) -> M:
    """The model ``data`` holds: a ``cls``, or the class ``choose(root)`` names.

    Most documents hold only what the models know, in values that convert:
    the generated parsers read all of them and never look at the whitespace
    between elements, so a tree without it (see
    :func:`~virtnetlib._core.xml.parse_document`) is quicker to build, walk and
    free. The first element that needs the generic parser (unknown XML, a
    comment, a bad value) raises :class:`FullTreeNeeded`, and the document
    is read again in full, so what is kept and reported is as before.
    """
    root = parse_document(data, compact=True)
    try:
        obj = parse_root_kept(cls or _chosen(choose, root), root, strict=strict, compact=True)[0]
    except FullTreeNeeded:
        root = parse_document(data)
        obj = parse_root_kept(cls or _chosen(choose, root), root, strict=strict)[0]
    return keep_prolog(obj, data)


def keep_prolog(obj: M, data: str | bytes) -> M:
    """``obj``, read from ``data``, keeping the comments before its root element
    as ``data`` spelled them, blank lines included: libvirt's files under
    /etc/libvirt start with a comment and a blank line (``virXMLSaveFile``),
    which the tree does not hold."""
    unknown = obj._unknown
    if unknown is None or not unknown.outside[0]:
        return obj
    raw = data.encode() if isinstance(data, str) else data
    at = 0
    while True:
        while raw[at : at + 1].isspace():
            at += 1
        if raw.startswith(b"<!--", at):
            end = raw.find(b"-->", at)
            at = end + 3 if end >= 0 else len(raw)
        elif raw.startswith(b"<?", at):
            return obj  # a declaration or processing instruction: libvirt writes none
        else:
            break
    prolog = raw[:at].decode()
    kept = "".join(unknown.outside[0])
    if prolog.endswith("\n") and "".join(prolog.split()) == "".join(kept.split()):
        unknown.outside[0][:] = [prolog[:-1]]
    return obj


def _chosen(choose: Callable[[Any], type[M]] | None, root: Any) -> type[M]:
    if choose is None:
        raise UsageError("read_document() needs a class or a way to choose one")
    return choose(root)


def parse_root_kept(
    cls: type[M],
    root: Any,
    *,
    strict: bool = True,
    compact: bool = False,
    paths: PathCache | None = None,
) -> tuple[M, bool]:
    """:func:`parse_root`, and whether anything was kept as unknown XML.

    When nothing was, :func:`unmodeled` of the result is empty without
    walking it. A ``compact`` tree (see :func:`read_document`) raises
    :class:`FullTreeNeeded` where the generic parser would be needed.
    """
    plan = _PLANS.get(cls) or _plan_of(cls)
    if root.tag != plan.tag:
        got = qname_text(root.tag, root.nsmap) if isinstance(root.tag, str) else "?"
        if got == plan.tag_text and root.tag[:1] == "{":
            # the right name in a namespace libvirt does not read (xmlns='...')
            got += f" xmlns={etree.QName(root).namespace!r}"
        raise ParseError(
            f"expected a <{plan.tag_text}> document, got <{got}>",
            line=root.sourceline,
            path=element_path(root),
        )
    ctx = _Ctx(strict, compact, paths)
    if plan.choice is not None:
        disc, options = plan.choice
        chosen = options.get(root.get(disc))
        if chosen is None:
            _choose(options, root, ctx)  # reports what was expected
            raise ParseError(ctx.issues[0].message, issues=ctx.issues)
        plan = _PLANS.get(chosen) or _plan_of(chosen)
    obj = plan.parse(root, ctx, True)
    if ctx.issues and (strict or obj is _FAILED):
        raise ParseError(ctx.issues[0].message, issues=ctx.issues)
    if root.getparent() is not None:
        return obj, ctx.kept
    before: list[str] = []
    node = root.getprevious()
    while node is not None:
        before.append(etree.tostring(node, encoding="unicode", with_tail=False))
        node = node.getprevious()
    after: list[str] = []
    node = root.getnext()
    while node is not None:
        after.append(etree.tostring(node, encoding="unicode", with_tail=False))
        node = node.getnext()
    if before or after:
        unknown = obj._unknown
        if unknown is None:
            unknown = _Unknown()
            object.__setattr__(obj, "_unknown", unknown)
        unknown.outside[0].extend(reversed(before))
        unknown.outside[1].extend(after)
    return obj, ctx.kept


def _node_xml(node: Any) -> str:
    """A kept node as libxml2 writes it (``<metadata>`` content, which libvirt
    also writes through libxml2: double quotes)."""
    if isinstance(node.tag, str) and node.nsmap:
        # lxml would repeat every namespace in scope; keep only those used
        node = copy.deepcopy(node)
        node.tail = None
        etree.cleanup_namespaces(node)
    return etree.tostring(node, encoding="unicode", with_tail=False)


def _kept_xml(node: Any) -> str:
    """A kept unknown element as libvirt's formatter writes elements: attributes
    in single quotes, escaped as libvirt escapes them, so a document libvirt
    wrote comes back byte for byte (lxml would write double quotes)."""
    if not isinstance(node.tag, str):
        return _node_xml(node)
    if node.nsmap:
        node = copy.deepcopy(node)
        node.tail = None
        etree.cleanup_namespaces(node)  # declared once, on this element, if used
    out: list[str] = []
    _write_kept(node, out, {})
    return "".join(out)


def _write_kept(node: Any, out: list[str], outer: dict[Any, str]) -> None:
    if not isinstance(node.tag, str):  # a comment or processing instruction
        out.append(etree.tostring(node, encoding="unicode", with_tail=False))
        return
    nsmap = node.nsmap
    out.append("<" + qname_text(node.tag, nsmap))
    for prefix, uri in nsmap.items():
        if outer.get(prefix) != uri:
            name = f"xmlns:{prefix}" if prefix else "xmlns"
            out.append(f" {name}='{escape_attr(uri)}'")
    for name, value in node.attrib.items():
        out.append(f" {qname_text(name, nsmap)}='{escape_attr(value)}'")
    text = node.text
    if text is None and len(node) == 0:
        out.append("/>")
        return
    out.append(">")
    if text:
        out.append(escape_text(text))
    for child in node:
        _write_kept(child, out, nsmap)
        if child.tail:
            out.append(escape_text(child.tail))
    out.append(f"</{qname_text(node.tag, nsmap)}>")


def _parse(plan: _Plan, el: Any, ctx: _Ctx, is_root: bool = False) -> Any:
    if ctx.compact:
        raise FullTreeNeeded
    values: dict[str, Any] = {}
    unknown: _Unknown | None = None
    spelling: dict[str, tuple[Any, str]] | None = None
    failed = False
    bad_values = False

    if is_root:
        parent = el.getparent()
        inherited = parent.nsmap if parent is not None else {}
        for prefix, uri in el.nsmap.items():
            if prefix is None or _NAMESPACE_PREFIXES.get(uri) == prefix:
                continue
            if inherited.get(prefix) == uri:
                continue  # declared by an enclosing document, not by this element
            unknown = unknown or _Unknown()
            unknown.nsdecls.append((prefix, uri))

    # attributes
    for name, raw in el.attrib.items():
        spec = plan.attrs.get(name)
        if spec is None:
            const = plan.consts.get(name)
            if const is not None:
                if raw != const:
                    ctx.error(el, f"/@{name}", f"expected {const!r}, got {raw!r}")
                    failed = True
                continue
            unknown = unknown or _Unknown()
            _keep_attr(unknown, el, name, raw, is_root)
            continue
        conv = spec.conv
        assert conv is not None
        try:
            value = conv.parse(raw)
        except ValueError as exc:
            if ctx.strict:
                ctx.error(el, f"/@{name}", str(exc))
                bad_values = True
                values[spec.name] = _FAILED
            else:
                unknown = unknown or _Unknown()
                _keep_attr(unknown, el, name, raw, is_root)
            continue
        values[spec.name] = value
        if not conv.exact and conv.respelled(value, raw):
            spelling = spelling or {}
            spelling[spec.name] = (value, raw)
    for name, const in plan.consts.items():
        if name not in el.attrib:
            ctx.error(el, "", f"missing attribute {name}={const!r}")
            failed = True

    # children
    own = plan.own_text
    raw_spec = plan.raw
    if own is not None:
        content = el.text or ""
        try:
            values[own.name] = own.conv.parse(content)  # type: ignore[union-attr]
        except ValueError as exc:
            ctx.error(el, "/text()", str(exc))
            failed = True
    elif el.text and not el.text.isspace() and raw_spec is None:
        unknown = unknown or _Unknown()
        unknown.add_node((None, 0), "text", "text()", escape_text(el.text.strip()))

    anchor: tuple[str | None, int] = (None, 0)
    reported: set[str] = set()  # fields whose element failed, with a reason given
    if raw_spec is not None:
        values[raw_spec.name] = [XmlFragment(_node_xml(c)) for c in el if isinstance(c.tag, str)]
        for c in el:
            if not isinstance(c.tag, str):
                unknown = unknown or _Unknown()
                unknown.add_node(anchor, "comment", "comment()", _node_xml(c))
    else:
        children = plan.children
        for child in el:
            tag = child.tag
            spec = children.get(tag) if isinstance(tag, str) else None
            kept = False
            kept_anchor: tuple[str | None, int] | None = None
            if spec is None:
                kept = True
            else:
                kind = spec.kind
                fname = spec.name
                single = kind == _CHILD or kind == _TEXT_CHILD
                if single and fname in values:
                    if ctx.strict:
                        ctx.error(child, "", f"<{spec.xml_text}> may appear only once here")
                    kept = True
                    # keep a duplicate right after its known twin, so a lenient
                    # round trip reads the same element as the known one again
                    kept_anchor = (fname, 0)
                else:
                    mark = len(ctx.issues)
                    item = (
                        _parse_child(spec, child, ctx)
                        if kind == _CHILD or kind == _CHILDREN
                        else _parse_text_child(spec, child, ctx)
                    )
                    if item is _FAILED:
                        if len(ctx.issues) > mark:
                            # said why; the field is not also "missing"
                            reported.add(fname)
                        kept = not ctx.strict
                        if single:
                            # next to its field, as a duplicate would be: the
                            # field may be written before the element that
                            # preceded this one, and read back this would be a
                            # duplicate, moving on every lenient round trip
                            kept_anchor = (fname, 0)
                    elif single:
                        values[fname] = item
                        anchor = (fname, 0)
                        text_value = child.text
                        if kind == _TEXT_CHILD and len(child):
                            spelling = spelling or {}
                            spelling[fname] = (item, _raw_inner(child))
                        elif (
                            kind == _TEXT_CHILD
                            and text_value
                            and spec.conv.respelled(item, text_value)  # type: ignore[union-attr]
                        ):
                            spelling = spelling or {}
                            spelling[fname] = (item, text_value)
                    else:
                        lst = values.get(fname)
                        if lst is None:
                            lst = values[fname] = []
                        lst.append(item)
                        anchor = (fname, len(lst) - 1)
                        if kind == _TEXT_CHILDREN and len(child):
                            # an item's spelling is kept under its place in the list
                            spelling = spelling or {}
                            spelling[f"{fname}[{len(lst) - 1}]"] = (item, _raw_inner(child))
            if kept:
                unknown = unknown or _Unknown()
                if isinstance(tag, str):
                    unknown.add_node(
                        kept_anchor or anchor,
                        "element",
                        qname_text(tag, child.nsmap),
                        _kept_xml(child),
                    )
                else:
                    unknown.add_node(anchor, "comment", "comment()", _node_xml(child))
            tail = child.tail
            if tail and not tail.isspace():
                unknown = unknown or _Unknown()
                unknown.add_node(anchor, "text", "text()", escape_text(tail.strip()))

    # construct without re-validating what the converters just checked
    obj = object.__new__(plan.cls)
    if bad_values:
        failed = True
        values = {k: v for k, v in values.items() if v is not _FAILED}
        for spec in plan.required:
            if spec.name not in values:
                values[spec.name] = None  # reported already, as a bad value
    plan.build(obj, values.get, unknown, spelling)
    if unknown is not None:
        ctx.kept = True
    for spec in plan.required:
        if spec.name not in values:
            failed = True
            if spec.name in reported:
                continue
            if spec.kind == _ATTR:
                ctx.error(el, "", f"missing required attribute {spec.xml_text!r}")
            elif spec.kind == _OWN_TEXT:
                ctx.error(el, "", "missing required text")
            else:
                ctx.error(el, "", f"missing required element <{spec.xml_text}>")
    return _FAILED if failed else obj


def _keep_attr(unknown: _Unknown, el: Any, name: str, raw: str, is_root: bool) -> None:
    decl: tuple[str, str] | None = None
    shown = name
    if name[0] == "{":
        shown = qname_text(name, el.nsmap)
        if not is_root and ":" in shown and not shown.startswith("xml:"):
            prefix = shown.split(":", 1)[0]
            decl = (prefix, el.nsmap[prefix])
    unknown.attrs.append((shown, raw, decl))


def _choose(variants: dict[Any, Any], el: Any, ctx: _Ctx) -> Any:
    """The class of ``el`` in a ``type=`` union, or ``_FAILED`` (reported)."""
    disc = _discriminator(variants)
    value = el.get(disc)
    cls = variants.get(value)
    if cls is None:
        names = [k for k in variants if k is not None]
        choices = ", ".join(repr(k) for k in names)
        ctx.error(
            el,
            f"/@{disc}",
            f"expected {disc} to be one of {choices}, got {value!r}{did_you_mean(value, names)}"
            if value is not None
            else f"missing attribute {disc!r} (one of {choices})",
        )
        return _FAILED
    return cls


def _parse_child(spec: _Spec, child: Any, ctx: _Ctx) -> Any:
    plan = spec.plan
    if plan is not None:  # the common case: one class, its plan remembered on the spec
        return plan.parse(child, ctx)
    if spec.choose is not None:
        model = spec.choose(child)
    else:
        model = spec.model
        if _variants(model) is None:
            spec.plan = plan = _plan_of(model)
            return plan.parse(child, ctx)
    variants = _variants(model)
    if variants is not None:
        model = _choose(variants, child, ctx)
        if model is _FAILED:
            return _FAILED
    return _plan_of(model).parse(child, ctx)


def _inner_text(child: Any) -> str | None:
    """The text of a text-only element that also holds comments (as libvirt
    reads it: the text around them); None when it holds elements too."""
    if any(isinstance(c.tag, str) for c in child):
        return None
    return "".join(t for t in [child.text, *(c.tail for c in child)] if t)


def _raw_inner(child: Any) -> RawInner:
    inner = escape_text(child.text or "")
    inner += "".join(etree.tostring(c, encoding="unicode", with_tail=True) for c in child)
    return RawInner(inner)


def _parse_text_child(spec: _Spec, child: Any, ctx: _Ctx) -> Any:
    content: str | None = child.text or ""
    if len(child):
        # comments (and processing instructions) amid the text: libvirt
        # reads the text around them; the caller keeps how it was spelled
        content = _inner_text(child)
    if content is None or child.attrib:
        first = next(iter(child.attrib), None)
        extra = f"attribute {qname_text(first, child.nsmap)!r}" if first else "child content"
        ctx.error(child, "", f"<{spec.xml_text}> holds only text; unexpected {extra}")
        return _FAILED
    try:
        return spec.conv.parse(content)  # type: ignore[union-attr]
    except ValueError as exc:
        ctx.error(child, "", str(exc))
        return _FAILED


# --------------------------------------------------------------------------
# Writing


def _write_generic(  # noqa: PLR0917 - plan.write's signature, with the plan first
    plan: _Plan, obj: Any, out: list[str], ind: str, is_root: bool, tag_override: str | None
) -> None:
    unknown: _Unknown | None = obj._unknown
    spelling = obj._spelling
    tag = tag_override or plan.tag_text
    head = ["<", tag]
    for name, value in plan.consts.items():
        head.append(f" {name}='{value}'")
    for spec in plan.write_attrs:
        value = getattr(obj, spec.name)
        if value is None:
            continue
        if spelling is not None and spec.name in spelling and spelling[spec.name][0] == value:
            shown = spelling[spec.name][1]
        else:
            shown = _format(spec, value, obj)
        head.append(f" {spec.xml_text}='{escape_attr(shown)}'")
    if unknown is not None:
        for shown, raw, decl in unknown.attrs:
            if decl is not None:
                head.append(f" xmlns:{decl[0]}='{escape_attr(decl[1])}'")
            head.append(f" {shown}='{escape_attr(raw)}'")

    own = plan.own_text
    if own is not None:
        value = getattr(obj, own.name)
        content = "" if value is None else escape_text(_format(own, value, obj))
        _finish_root(plan, obj, head, is_root, set())
        out.append(f"{ind}{''.join(head)}>{content}</{tag}>\n")
        return

    pos = len(out)
    out.append("")
    cind = ind + "  "
    used: set[tuple[str, str]] = set()
    nodes = unknown.nodes if unknown is not None else None
    if nodes:
        for _, _, _, xml in nodes.get(None, ()):
            out.append(f"{cind}{xml}\n")
    raw_spec = plan.raw
    if raw_spec is not None:
        for xml in getattr(obj, raw_spec.name):
            # items appended to the list were not checked on assignment
            problem = fragment_problem(xml)
            if problem:
                raise FieldValueError(f"{type(obj).__name__}.{raw_spec.name}: {problem}")
            out.append(f"{cind}{exact(xml)}\n")
    for spec in plan.writers:
        value = getattr(obj, spec.name)
        kind = spec.kind
        pending = nodes.get(spec.name) if nodes else None
        if value is None:
            items: list[Any] = []
        elif kind == _CHILD or kind == _TEXT_CHILD:
            items = [value]
        else:
            items = value
        if spec.ns is not None and items:
            used.add(spec.ns)
        for i, item in enumerate(items):
            if kind == _CHILD or kind == _CHILDREN:
                _item_plan(obj, spec, item).write(item, out, cind, False, spec.xml_text)
            else:
                spelled = None
                if spelling is not None:
                    spelled = spelling.get(
                        spec.name if kind == _TEXT_CHILD else f"{spec.name}[{i}]"
                    )
                if spelled is not None and spelled[0] == item:
                    kept = spelled[1]
                    shown = kept if type(kept) is RawInner else escape_text(kept)
                else:
                    shown = escape_text(_format(spec, item, obj))
                out.append(f"{cind}<{spec.xml_text}>{shown}</{spec.xml_text}>\n")
            if pending:
                for idx, _, _, xml in pending:
                    if idx == i:
                        out.append(f"{cind}{xml}\n")
        if pending:
            n = len(items)
            for idx, _, _, xml in pending:
                if idx >= n:
                    out.append(f"{cind}{xml}\n")
    _finish_root(plan, obj, head, is_root, used)
    if len(out) == pos + 1 and not plan.open:
        out[pos] = f"{ind}{''.join(head)}/>\n"
    else:
        out[pos] = f"{ind}{''.join(head)}>\n"
        out.append(f"{ind}</{tag}>\n")


def _item_plan(obj: Any, spec: _Spec, item: Any) -> _Plan:
    """The plan that writes ``item``, a value of the child field ``spec`` of ``obj``.

    Items appended to a list were not checked on assignment: one of another
    class would be written where it does not belong (a DhcpHost among
    portgroups), so it is refused here.
    """
    classes = _model_classes(spec.model)
    if not isinstance(item, classes):
        names = " or ".join(c.__name__ for c in classes)
        raise FieldValueError(
            f"{type(obj).__name__}.{spec.name}: expected {names}, got {type(item).__name__}"
        )
    return _plan_of(type(item))


def _finish_root(
    plan: _Plan, obj: Any, head: list[str], is_root: bool, used: set[tuple[str, str]]
) -> None:
    if not is_root:
        return
    unknown: _Unknown | None = obj._unknown
    declared = set(unknown.nsdecls) if unknown is not None else set()
    if plan.tag_ns is not None:
        used = used | {plan.tag_ns}
    for prefix, uri in sorted(used):
        if (prefix, uri) not in declared:
            head.append(f" xmlns:{prefix}='{escape_attr(uri)}'")
    if unknown is not None:
        for prefix, uri in unknown.nsdecls:
            head.append(f" xmlns:{prefix}='{escape_attr(uri)}'")


# --------------------------------------------------------------------------
# Introspection


def expect_model(value: Any, cls: type[M], what: str = "") -> M:
    """``value`` if it is a ``cls`` model; otherwise a :class:`UsageError` that
    says what was expected (and, for XML text, the call that reads it)."""
    if isinstance(value, cls):
        return value
    article = "an" if cls.__name__[0] in "AEIOU" else "a"
    hint = f"; read XML text with {cls.__name__}.from_xml(text)" if isinstance(value, str) else ""
    raise UsageError(
        f"{what + ': ' if what else ''}expected {article} {cls.__name__} model, "
        f"got {type(value).__name__}{hint}"
    )


def unmodeled(obj: Model) -> list[str]:
    """XPath-like locations of everything kept but not typed in ``obj``.

    Unknown attributes (``/network/bridge/@futureAttr``), elements and stray
    text are listed; comments are kept too but are not listed, since they
    carry no data. The list is empty when the models cover the document.
    """
    if not isinstance(obj, Model):
        raise FieldValueError(f"unmodeled() expects a virtnetlib model, got {type(obj).__name__}")
    plan = _plan_of(type(obj))
    return list(_unmodeled(obj, "/" + plan.tag_text))


def _unmodeled(obj: Any, path: str) -> Iterator[str]:
    plan = _plan_of(type(obj))
    unknown: _Unknown | None = obj._unknown
    if unknown is not None:
        for shown, _, _ in unknown.attrs:
            yield f"{path}/@{shown}"
        counts: dict[str, int] = {}
        entries = [e for group in unknown.nodes.values() for e in group if e[1] != "comment"]
        for _, _, name, _ in entries:
            counts[name] = counts.get(name, 0) + 1
        seen: dict[str, int] = {}
        for _, _, name, _ in entries:
            seen[name] = seen.get(name, 0) + 1
            yield f"{path}/{name}[{seen[name]}]" if counts[name] > 1 else f"{path}/{name}"
    for spec in plan.writers:
        if spec.kind == _CHILD:
            value = getattr(obj, spec.name)
            if value is not None:
                yield from _unmodeled(value, f"{path}/{spec.xml_text}")
        elif spec.kind == _CHILDREN:
            items = getattr(obj, spec.name)
            for i, item in enumerate(items):
                suffix = f"[{i + 1}]" if len(items) > 1 else ""
                yield from _unmodeled(item, f"{path}/{spec.xml_text}{suffix}")


def _generic() -> compiled.Generic:
    """The generic engine, as the compiled code falls back on it and looks up plans.

    Read when a class's fast path is compiled, not at import: a test that
    swaps one of these functions sees the compiled code call its stand-in.
    """
    return compiled.Generic(
        parse=_parse,
        parse_child=_parse_child,
        write=_write_generic,
        plan_of=_plan_of,
        item_plan=_item_plan,
    )


# ----------------------------------------------------------------- from_dict


def _element_from(cls: type[Model], data: Any, where: str) -> Any:
    """The element ``data`` (field name → plain value) stands for, as ``cls``."""
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a mapping of field names, got {type(data).__name__}")
    plan = _plan_of(cls)
    if plan.choice is not None:  # a type= union: the class the type names
        _, variants = plan.choice
        chosen = variants.get(data.get("type"))
        if chosen is None:
            kinds = ", ".join(sorted(str(k) for k in variants if k is not None))
            raise UsageError(f"{where}.type: expected one of {kinds}, got {data.get('type')!r}")
        cls, plan = chosen, _plan_of(chosen)
        data = {k: v for k, v in data.items() if k != "type"}
    element = etree.Element(plan.tag)
    for name, value in plan.consts.items():
        element.set(name, value)
    specs = {spec.name: spec for spec in plan.fields}
    for key, value in data.items():
        spec = specs.get(key) if isinstance(key, str) else None
        if spec is None and key in plan.consts and value == plan.consts[key]:
            continue  # the type= that picked this class
        if spec is None:
            raise UsageError(
                f"{where}: {cls.__name__} has no field {key!r}"
                + did_you_mean(str(key), specs)
                + f"; its fields: {', '.join(specs)}"
            )
        if value is not None:
            _put(element, spec, value, f"{where}.{key}")
    return element


def _put(element: Any, spec: _Spec, value: Any, where: str) -> None:
    kind = spec.kind
    if kind in (_CHILDREN, _TEXT_CHILDREN, _RAW):
        if not isinstance(value, list):
            raise UsageError(f"{where}: expected a list, got {type(value).__name__}")
        for i, item in enumerate(value):
            _put_one(element, spec, item, f"{where}[{i}]")
    else:
        _put_one(element, spec, value, where)


def _put_one(element: Any, spec: _Spec, value: Any, where: str) -> None:
    try:
        _put_value(element, spec, value, where)
    except ValueError as exc:  # lxml: text XML cannot carry (a NUL, a control character)
        raise UsageError(
            f"{where}: {shortened(repr(value))} cannot be written in XML ({exc})"
        ) from None


def _put_value(element: Any, spec: _Spec, value: Any, where: str) -> None:
    kind = spec.kind
    if kind == _ATTR:
        element.set(spec.xml, _text(spec, value, where))
    elif kind == _OWN_TEXT:
        element.text = _text(spec, value, where)
    elif kind in (_TEXT_CHILD, _TEXT_CHILDREN):
        child: Any = etree.SubElement(element, str(spec.xml))
        child.text = _text(spec, value, where)
    elif kind == _RAW:
        if not isinstance(value, str):
            got = type(value).__name__
            raise UsageError(f"{where}: expected an XML element as text, got {got}")
        element.append(parse_document(value))
    else:  # a child model, or a union of them
        classes = _model_classes(spec.model)
        if isinstance(spec.model, dict):  # a union declared on the field: type= picks
            chosen = spec.model.get(value.get("type") if isinstance(value, dict) else None)
            if chosen is None:
                kinds = ", ".join(sorted(str(k) for k in spec.model if k is not None))
                raise UsageError(f"{where}.type: expected one of {kinds}")
            cls = chosen
        else:
            cls = classes[0]
        child = _element_from(cls, value, where)
        if child.tag != spec.xml:  # a child named by its field, not its class
            child.tag = spec.xml
        element.append(child)


#: Words a bool is written as, by the closed sets libvirt uses.
_BOOL_WORDS = (("yes", "no"), ("on", "off"), ("true", "false"))


def _text(spec: _Spec, value: Any, where: str) -> str:
    """A plain value as the XML text its converter reads."""
    if isinstance(value, str):
        return value
    conv = spec.conv
    if conv is not None and conv.check(value) is None:
        return conv.format(value)
    if isinstance(value, bool):
        for true, false in _BOOL_WORDS:
            if conv is None or _reads(conv, true):
                return true if value else false
    elif isinstance(value, int | float):
        return str(value)
    expected = conv.expected if conv is not None else "text"
    raise UsageError(f"{where}: expected {expected}, got {type(value).__name__} {value!r}")


def _reads(conv: Any, text: str) -> bool:
    try:
        conv.parse(text)
    except (ValueError, TypeError):
        return False
    return True


def _dict_of(model: Model) -> dict[str, Any]:
    plan = _plan_of(type(model))
    out: dict[str, Any] = {}
    out.update(plan.consts)  # the type= that picks the class back
    for spec in plan.fields:
        value = getattr(model, spec.name)
        if value is None or value == []:
            continue
        out[spec.name] = _plain(spec, value)
    return out


def _plain(spec: _Spec, value: Any) -> Any:
    if isinstance(value, list):
        return [_plain_one(spec, v) for v in value]
    return _plain_one(spec, value)


def _plain_one(spec: _Spec, value: Any) -> Any:
    if spec.kind in (_CHILD, _CHILDREN):
        return _dict_of(value)
    if spec.kind == _RAW:
        return str(value)
    assert spec.conv is not None
    return spec.conv.format(value)
