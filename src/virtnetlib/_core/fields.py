"""Field declarations: what each attrs field of a model means in XML.

A model field is declared with one of :func:`attribute`, :func:`element`,
:func:`elements`, :func:`text_element`, :func:`text_elements`, :func:`text`
or :func:`raw_elements`; each attaches a :class:`_Spec` to the field. The
engines (:mod:`virtnetlib._core.model`, the generic one, and
:mod:`virtnetlib._core.compiled`) read these specs; this module knows no
engine. Values are checked against their spec when assigned, and again when
written (list items are appended unchecked).
"""

from __future__ import annotations

import functools
import re
import sys
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union

import attrs

from virtnetlib._core.converters import Conv, Enum, Text, exact
from virtnetlib._core.errors import ParseError, UsageError, shortened
from virtnetlib._core.xml import LIBVIRT_NAMESPACES, parse_document

_META = "virtnetlib.xml"


_TEXT = Text()


# field kinds
_ATTR, _CHILD, _CHILDREN, _TEXT_CHILD, _TEXT_CHILDREN, _OWN_TEXT, _RAW = range(7)


class FieldValueError(UsageError):
    """A value assigned to a model field (or found while writing) does not fit it."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


# An XML name as libvirt's formats spell them: letters, digits, "_", "-", ".";
# or {uri}local for a namespace virtnetlib knows. Names are checked when a
# field or class is declared: they become part of generated source
# (virtnetlib._core.compiled), so a name is never anything but a name.
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z").match


def _checked_name(name: str, what: str) -> str:
    local = name
    if isinstance(name, str) and name[:1] == "{":
        uri, _, local = name[1:].partition("}")
        if uri not in _NAMESPACE_PREFIXES:
            known = ", ".join(sorted(_NAMESPACE_PREFIXES))
            raise UsageError(f"{what}: namespace {uri!r} is not one virtnetlib knows ({known})")
    if not isinstance(local, str) or not _XML_NAME(local):
        raise UsageError(f"{what}: {name!r} is not an XML name")
    return name


class _Spec:
    """What one attrs field means in XML."""

    __slots__ = (
        "choose",
        "conv",
        "kind",
        "model",
        "name",
        "ns",
        "plan",
        "required",
        "xml",
        "xml_text",
    )

    def __init__(
        self,
        kind: int,
        xml: str | None,
        *,
        conv: Conv[Any] | None = None,
        model: Any = None,
        required: bool = False,
    ) -> None:
        self.kind = kind
        self.xml = None if xml is None else _checked_name(xml, "XML name of a field")
        self.xml_text = xml or ""
        self.conv = conv
        self.model = model
        self.required = required
        self.name = ""
        self.ns: tuple[str, str] | None = None
        self.choose: Callable[[Any], type[Any]] | None = None
        self.plan: Any = None  # the model's plan, filled lazily for single-class children


def _validator(spec: _Spec) -> Callable[[Any, Any, Any], None]:
    def check(inst: Any, attribute: Any, value: Any) -> None:
        problem = _check_value(spec, value)
        if problem:
            raise FieldValueError(f"{type(inst).__name__}.{attribute.name}: {problem}")

    return check


def _check_value(spec: _Spec, value: Any) -> str | None:
    kind = spec.kind
    if kind in (_CHILDREN, _TEXT_CHILDREN, _RAW):
        if not isinstance(value, list):  # None too: none of them is an empty list
            none = "; none of them is []" if value is None else ""
            return f"expected a list, got {type(value).__name__}{none}"
        for item in value:
            problem = _check_item(spec, item)
            if problem:
                return problem
        return None
    if value is None:
        return "a value is required" if spec.required else None
    return _check_item(spec, value)


def _check_item(spec: _Spec, value: Any) -> str | None:
    if spec.kind in (_CHILD, _CHILDREN):
        classes = _model_classes(spec.model)
        if not isinstance(value, classes):
            names = " or ".join(c.__name__ for c in classes)
            return f"expected {names}, got {type(value).__name__}"
        return None
    if spec.kind == _RAW:
        return fragment_problem(value)
    assert spec.conv is not None
    return spec.conv.check(value)


def _model_classes(model: Any) -> tuple[type, ...]:
    if isinstance(model, dict):
        return tuple(model.values())
    if isinstance(model, tuple):
        return model
    return (model,)


def _field(spec: _Spec, default: Any) -> Any:
    # a value of a subclass (an int enum, a str with its own __str__) is kept
    # as the plain value it stands for: what is written is what was checked
    convert = exact if spec.kind in (_ATTR, _TEXT_CHILD, _OWN_TEXT) else None
    meta = {_META: spec}
    if spec.required:
        return attrs.field(metadata=meta, validator=_validator(spec), converter=convert)
    if default is list:
        return attrs.field(factory=list, metadata=meta, validator=_validator(spec))
    return attrs.field(
        default=default, metadata=meta, validator=_validator(spec), converter=convert
    )


def attribute(
    xml: str | None = None, *, conv: Conv[Any] | None = None, required: bool = False
) -> Any:
    """An XML attribute; ``xml`` defaults to the field name in lowerCamelCase.

    Without ``conv``, the converter comes from the field's annotation (see
    :func:`derive_converters`): a ``Literal`` is its closed set, ``str`` text.
    """
    return _field(_Spec(_ATTR, xml, conv=conv, required=required), None)


def element(
    model: Any,
    tag: str | None = None,
    *,
    required: bool = False,
    choose: Callable[[Any], type[Any]] | None = None,
) -> Any:
    """A single child element parsed as ``model``.

    ``model`` may be a dict ``{discriminator: class}`` for elements whose
    ``type=`` attribute decides their class; each class declares the value
    in ``__xml_const__`` as ``(("type", value),)``. For the rare element
    whose class only its content tells, pass a tuple of classes and a
    ``choose(element) -> class`` function.
    """
    spec = _Spec(_CHILD, tag, model=model, required=required)
    spec.choose = choose
    return _field(spec, None)


def elements(model: Any, tag: str | None = None) -> Any:
    """Repeated child elements, a list of ``model`` (empty when absent)."""
    return _field(_Spec(_CHILDREN, tag, model=model), list)


def text_element(
    tag: str | None = None, *, conv: Conv[Any] | None = None, required: bool = False
) -> Any:
    """A child element holding only text, such as ``<name>default</name>``."""
    return _field(_Spec(_TEXT_CHILD, tag, conv=conv, required=required), None)


def text_elements(tag: str, *, conv: Conv[Any] | None = None) -> Any:
    """Repeated text-only child elements, as a list of values."""
    return _field(_Spec(_TEXT_CHILDREN, tag, conv=conv), list)


def text(*, conv: Conv[Any] | None = None, required: bool = False) -> Any:
    """The element's own text content."""
    return _field(_Spec(_OWN_TEXT, None, conv=conv, required=required), None)


def raw_elements() -> Any:
    """Every child element kept verbatim as XML text (``<metadata>`` content).

    Each item is one element; text assigned from Python is checked with the
    safe parser when assigned and when written, so it cannot end the
    element it sits in or carry what a document may not.
    """
    return _field(_Spec(_RAW, None), list)


class XmlFragment(str):
    """One element's XML as a document spelled it: read, so known to be well-formed."""

    __slots__ = ()


def fragment_problem(value: Any) -> str | None:
    """Why ``value`` cannot be written as one verbatim element, or ``None``."""
    if type(value) is XmlFragment:
        return None
    if not isinstance(value, str):
        return f"expected XML text (one element), got {type(value).__name__} {value!r}"
    text = value.strip()
    if text[:1] != "<" or text[1:2] in ("?", "!"):
        return f"expected one XML element, got {shortened(value)!r}"
    try:
        root = parse_document(text)
    except ParseError as exc:
        return f"expected one well-formed XML element: {exc.message}"
    if root.getprevious() is not None or root.getnext() is not None:
        return f"expected one XML element and nothing around it, got {shortened(value)!r}"
    return None


class _Unknown:
    """What an element held that its model does not know, with positions.

    ``attrs`` are ``(name as written, value, namespace declaration)``;
    ``nodes`` map the field name of the known sibling they followed (``None``
    for "before every known child") to ``(item index, kind, name, xml)``.
    """

    __slots__ = ("attrs", "nodes", "nsdecls", "outside")

    def __init__(self) -> None:
        self.attrs: list[tuple[str, str, tuple[str, str] | None]] = []
        self.nodes: dict[str | None, list[tuple[int, str, str, str]]] = {}
        self.nsdecls: list[tuple[str, str]] = []
        # comments and processing instructions around a root element
        self.outside: tuple[list[str], list[str]] = ([], [])

    def add_node(self, anchor: tuple[str | None, int], kind: str, name: str, xml: str) -> None:
        self.nodes.setdefault(anchor[0], []).append((anchor[1], kind, name, xml))

    def __bool__(self) -> bool:
        return bool(self.attrs or self.nodes or self.nsdecls or self.outside[0] or self.outside[1])

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"_Unknown(attrs={self.attrs!r}, nodes={self.nodes!r})"


def _default_tag(model: Any) -> str:
    classes = _model_classes(model)
    tag: str = getattr(classes[0], "__xml_tag__", "")
    return tag


#: The namespaces model fields may use (uri → prefix): libvirt's network one.
_NAMESPACE_PREFIXES = {LIBVIRT_NAMESPACES["dnsmasq"]: "dnsmasq"}


def _tag_text(qname: str) -> tuple[str, tuple[str, str] | None]:
    if qname and qname[0] == "{":
        uri, local = qname[1:].split("}", 1)
        prefix = _NAMESPACE_PREFIXES[uri]
        return f"{prefix}:{local}", (prefix, uri)
    return qname, None


_FAILED: Any = object()


def _variants(model: Any) -> dict[Any, Any] | None:
    """The ``type=`` union behind a spec's model, if it is one."""
    if isinstance(model, dict):
        return model
    variants = getattr(model, "__xml_variants__", None)
    if variants and not model.__xml_const__:
        return dict(variants)
    return None


def _discriminator(variants: dict[Any, Any]) -> str:
    """The attribute whose value picks the class in a ``type=`` union."""
    name: str = next(c for c in variants.values() if c.__xml_const__).__xml_const__[0][0]
    return name


class RawInner(str):
    """A text element's content as XML, kept as the source spelled it:
    ``n<!-- c -->m`` for ``<name>n<!-- c -->m</name>``, whose value is
    ``nm``. Writers put it back unescaped."""

    __slots__ = ()


def _format(spec: _Spec, value: Any, obj: Any) -> str:
    conv = spec.conv
    assert conv is not None
    value = exact(value)  # a list item, appended without a check
    problem = conv.check(value)
    if problem:
        raise FieldValueError(f"{type(obj).__name__}.{spec.name}: {problem}")
    return conv.format(value)


# --------------------------------------------------------------------------
# Converters from annotations: a closed set is written once, as a Literal

_COUNTING_ATTR = type(attrs.field())  # what attrs.field() leaves in a class body


def derive_converters(cls: type) -> None:
    """Give every field of ``cls`` declared without ``conv=`` the converter
    its annotation names: ``Literal["a", "b"]`` (or an alias of one) → a
    closed set, ``str`` → text. Runs when the class statement ends (from
    ``Model.__init_subclass__``), before attrs builds the class.
    """
    body = vars(cls)
    annotations = body.get("__annotations__", {})
    namespace: dict[str, Any] | None = None
    for name, value in body.items():
        if not isinstance(value, _COUNTING_ATTR):
            continue
        spec = value.metadata.get(_META)
        if spec is None or spec.conv is not None or spec.kind not in _SCALAR_KINDS:
            continue
        what = f"{cls.__name__}.{name}"
        hint = annotations.get(name)
        if isinstance(hint, str):
            if namespace is None:
                module = sys.modules.get(cls.__module__)
                namespace = {"Literal": Literal, **(vars(module) if module else {})}
            try:
                # the class's own annotation, evaluated as Python would: code, not data
                hint = eval(hint, namespace)  # noqa: S307
            except Exception as exc:  # noqa: BLE001 - any failure is a declaration error
                raise UsageError(f"{what}: cannot read the annotation {hint!r} ({exc})") from None
        spec.conv = _conv_for(hint, what)


_SCALAR_KINDS = frozenset({_ATTR, _TEXT_CHILD, _TEXT_CHILDREN, _OWN_TEXT})


def _conv_for(hint: Any, what: str) -> Conv[Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _conv_for(rest[0], what)
    elif origin is list and len(args) == 1:
        return _conv_for(args[0], what)
    elif origin is Literal and args and all(type(a) is str for a in args):
        return _closed_set(args)
    elif hint is str:
        return _TEXT
    raise UsageError(f"{what}: pass conv=; no converter follows from the annotation {hint!r}")


@functools.cache
def _closed_set(values: tuple[str, ...]) -> Enum:
    return Enum(values)
