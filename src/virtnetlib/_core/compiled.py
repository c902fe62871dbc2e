"""Compiled fast paths: one generated parse and write function per model class.

The generic engine in :mod:`virtnetlib._core.model` interprets a class's plan
for every element: it loops over the field specs, dispatches on their kind
and handles everything a document can hold (unknown XML, comments, bad
values, duplicates, lenient parsing). Most elements hold none of that, so
each class also gets two straight-line functions generated from its plan,
once, the first time the class is used:

* the **parser** handles an element whose attributes and children are all
  known and whose values all convert. At the first sign of anything else
  (an unknown attribute, a comment, a value that does not convert, a
  duplicate) it gives the element to the generic parser, which starts over
  for that element, so errors, positions and unknown XML have exactly one
  implementation. Its children still take their own fast paths.
* the **writer** writes an object that holds no unknown XML; one that does
  goes to the generic writer.

Neither path has behaviour of its own: both produce exactly what the generic
engine produces, which ``tests/test_fastpath.py`` checks over libvirt's
corpus and generated documents.
"""

from __future__ import annotations

import itertools
import linecache
import re
import socket
from collections.abc import Callable
from ipaddress import IPv4Address
from typing import Any, NamedTuple

from virtnetlib._core import fields as f
from virtnetlib._core.converters import (
    IP_LAYOUT_KNOWN,
    Bool,
    Conv,
    Enum,
    HexInt,
    Int,
    IPAddr,
    Mac,
    ReadIPv4Address,
    ReadIPv6Address,
    Text,
    ipv4_to_text,
    mac_match,
)
from virtnetlib._core.xml import escape_attr, escape_text

Parser = Callable[..., Any]
Writer = Callable[[Any, list[str], str, bool, "str | None"], None]

_ATTR_SPECIAL = re.compile("[&<>\"'\n\r\t]").search
_TEXT_SPECIAL = re.compile("[&<>\"'\r]").search


#: Up to this many names, a chain of comparisons; beyond, a dict and a tree.
_CHAIN = 8


class Generic(NamedTuple):
    """The generic engine, as compiled code falls back on it (given by its caller).

    This module imports nothing of the engine: :mod:`virtnetlib._core.model`
    hands it these functions when it compiles a class.
    """

    #: ``parse(plan, el, ctx, is_root)``: parse an element the generated code gives up on
    parse: Callable[..., Any]
    #: ``parse_child(spec, el, ctx)``: a child of a union or a class chosen by content
    parse_child: Callable[..., Any]
    #: ``write(plan, obj, out, ind, is_root, tag)``: write an object with unknown XML
    write: Callable[..., None]
    #: ``plan_of(cls)``: the plan of a model class
    plan_of: Callable[[type], Any]
    #: ``item_plan(obj, spec, item)``: the plan that writes a list item (checked)
    item_plan: Callable[..., Any]


class _Bail(Exception):  # noqa: N818 - not an error: a signal to take the generic path
    """Raised inside a generated parser: this element needs the generic parser."""


_SERIAL = itertools.count(2)


def _generated(name: str, cls: type, lines: list[str], env: dict[str, Any]) -> Any:
    source = "\n".join(lines) + "\n"
    # The file name shows in tracebacks and profiles (<virtnetlib parse
    # virtnetlib._models.network.NetworkIP>), and linecache lets tracebacks
    # show the generated lines. The name is the class's full name, and is
    # never reused: another class of that name (a user's Network, a class
    # defined again in a notebook) gets a numbered one of its own.
    filename = f"<virtnetlib {name} {cls.__module__}.{cls.__qualname__}>"
    if filename in linecache.cache:
        filename = f"{filename[:-1]} #{next(_SERIAL)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    exec(code, env)  # noqa: S102 - source built here from plan metadata only
    return env[name]


def _plain_text(conv: Conv[Any]) -> bool:
    """Whether the converter is the identity on any string (``Text()``)."""
    return type(conv) is Text and not conv.nonempty


def _safe(conv: Conv[Any]) -> bool:
    """Whether every text ``conv.format`` returns is free of characters XML escapes."""
    if type(conv) is Bool:
        return not (_ATTR_SPECIAL(conv.true) or _ATTR_SPECIAL(conv.false))
    if type(conv) is Enum:
        return not any(_ATTR_SPECIAL(v) for v in conv.values)
    return conv.safe


# --------------------------------------------------------------------------
# Parsing


def compile_parser(plan: Any, generic: Generic) -> Parser:
    """A function ``parse(el, ctx, is_root=False)`` equivalent to the generic parser."""
    fallback = generic.parse
    if plan.raw is not None:
        # <metadata>-style content is kept verbatim; the generic path does that.
        def parse_raw(el: Any, ctx: Any, is_root: bool = False) -> Any:
            return fallback(plan, el, ctx, is_root)

        return parse_raw

    env: dict[str, Any] = {
        "BAIL": _Bail,
        "FAILED": f._FAILED,
        "GENERIC": fallback,
        "PLAN": plan,
        "NEW": object.__new__,
        "FROMB": int.from_bytes,
        "CLS": plan.cls,
    }
    fields = plan.fields
    var = {spec.name: f"f{i}" for i, spec in enumerate(fields)}
    children = [s for s in fields if s.kind not in (f._ATTR, f._OWN_TEXT, f._RAW)]
    body: list[str] = []
    add = body.append

    add("if is_root and el.nsmap:")
    add("    raise BAIL")
    for spec in fields:
        add(f"{var[spec.name]} = None")
    add("sp = None")

    # attributes, and the fixed ones (type='pci') that pick the class
    attr_index: dict[str, int] = {}
    branches: list[list[str]] = []
    for spec in plan.write_attrs:
        attr_index[spec.xml] = len(branches)
        branches.append(
            _convert(
                spec,
                var[spec.name],
                "v",
                env,
                len(branches),
                spelling="{respelled}({value}, {text})",
            )
        )
    for n, name in enumerate(plan.consts):
        attr_index[name] = len(branches)
        branches.append([f"k{n} = v"])
    for n in range(len(plan.consts)):
        add(f"k{n} = None")
    if branches:
        add("for k, v in el.items():")
        body.extend("    " + line for line in _switch("k", attr_index, branches, "A", env))
    else:
        add("if el.keys():")
        add("    raise BAIL")
    for n, value in enumerate(plan.consts.values()):
        add(f"if k{n} != {value!r}:")
        add("    raise BAIL")

    # the element's own text, or nothing but whitespace
    own = plan.own_text
    if own is not None:
        add("t = el.text or ''")
        body.extend(_convert(own, var[own.name], "t", env, "own"))
    else:
        add("t = el.text")
        add("if t is not None and not t.isspace():")
        add("    raise BAIL")

    if not children:
        add("if len(el):")
        add("    raise BAIL")
    else:
        body.extend(_children_loop(plan, children, var, env, generic))

    for spec in plan.required:
        add(f"if {var[spec.name]} is None:")
        add("    raise BAIL")

    # Fields are stored through a layout-identical subclass without attrs'
    # validating __setattr__ (the values were just checked by their
    # converters), then the object becomes the model class: several times
    # faster than object.__setattr__ per field, and nothing else differs.
    env["BUILD"] = type(
        f"_Build{plan.cls.__name__}",
        (plan.cls,),
        {"__slots__": (), "__setattr__": object.__setattr__, "__module__": __name__},
    )
    add("obj = NEW(BUILD)")
    for n, (fname, default, is_factory) in enumerate(plan.defaults):
        env[f"D{n}"] = default
        v = var[fname]
        if is_factory:
            add(f"obj.{fname} = D{n}() if {v} is None else {v}")
        elif default is None:
            add(f"obj.{fname} = {v}")
        else:
            add(f"obj.{fname} = D{n} if {v} is None else {v}")
    add("obj._unknown = None")
    add("obj._spelling = sp")
    add("obj.__class__ = CLS")
    add("return obj")

    lines = ["def parse(el, ctx, is_root=False):"]
    if children:
        lines.append("    mark = len(ctx.issues)")
    lines.append("    try:")
    lines.extend("        " + line for line in body)
    lines.append("    except (BAIL, ValueError, OSError):")
    if children:
        # child elements that went the generic way may have reported
        # problems; the generic parser reports them again for this element
        lines.append("        del ctx.issues[mark:]")
    lines.append("        return GENERIC(PLAN, el, ctx, is_root)")
    parser: Parser = _generated("parse", plan.cls, lines, env)
    return parser


def _dispatch(branches: list[list[str]], lo: int, hi: int) -> list[str]:
    """Run ``branches[i]`` for ``lo <= i < hi``: a tree of ``if`` on ``i``, not a chain."""
    if hi - lo == 1:
        return branches[lo]
    if hi - lo <= 3:
        lines = []
        for j in range(lo, hi):
            lines.append(f"{'if' if j == lo else 'elif'} i == {j}:" if j < hi - 1 else "else:")
            lines.extend("    " + line for line in branches[j])
        return lines
    mid = (lo + hi) // 2
    return [
        f"if i < {mid}:",
        *("    " + line for line in _dispatch(branches, lo, mid)),
        "else:",
        *("    " + line for line in _dispatch(branches, mid, hi)),
    ]


def _convert(
    spec: Any, target: str, source: str, env: dict[str, Any], key: object, *, spelling: str = ""
) -> list[str]:
    """Lines that set ``target`` from the text in ``source``.

    ``spelling`` is the condition under which the generic parser remembers
    how the source spelled a value it would write differently (``""``: never).
    """
    conv = spec.conv
    kind = type(conv)
    # The commonest converters are spelled out here, saving a call or two
    # per value; each does what its parse() does, or bails.
    if _plain_text(conv):
        return [f"{target} = {source}"]
    if kind is Enum:
        env[f"E{key}"] = conv._set
        return [f"if {source} not in E{key}:", "    raise BAIL", f"{target} = {source}"]
    if kind is Bool:
        return [
            f"if {source} == {conv.true!r}:",
            f"    {target} = True",
            f"elif {source} == {conv.false!r}:",
            f"    {target} = False",
            "else:",
            "    raise BAIL",
        ]
    if kind is Mac:
        env["MAC"] = mac_match
        return [f"if not MAC({source}):", "    raise BAIL", f"{target} = {source}"]
    env[f"P{key}"] = conv.parse
    lines = [f"{target} = P{key}({source})"]
    if spelling and not conv.exact:
        env[f"R{key}"] = conv.respelled
        lines += [
            f"if {spelling.format(value=target, text=source, respelled=f'R{key}')}:",
            "    if sp is None:",
            "        sp = {}",
            f"    sp[{spec.name!r}] = ({target}, {source})",
        ]
    if kind is IPAddr and conv.version != 6 and IP_LAYOUT_KNOWN:
        # IPv4 text through the C library, made into an address that keeps
        # its text, as ipv4_from_text does (inet_pton raises OSError on bad text)
        env.update(READ4=ReadIPv4Address, PTON=socket.inet_pton, INET=socket.AF_INET)
        lines = [
            f"if ':' in {source}:",
            *("    " + line for line in lines),
            "else:",
            f"    n = FROMB(PTON(INET, {source}), 'big')",
            f"    {target} = NEW(READ4)",
            f"    {target}._ip = n",
            f"    {target}._text = {source}",
        ]
    if kind is Int or kind is HexInt:
        # one lookup reads a number already seen in libvirt's notation,
        # whose spelling need not be remembered
        env[f"H{key}"] = conv.canonical.get
        lines = [
            f"{target} = H{key}({source})",
            f"if {target} is None:",
            *("    " + line for line in lines),
        ]
    return lines


def _children_loop(
    plan: Any, children: list[Any], var: dict[str, str], env: dict[str, Any], generic: Generic
) -> list[str]:
    branches: list[list[str]] = []
    tag_index: dict[str, int] = {}
    for i, spec in enumerate(children):
        tag_index[spec.xml] = i
        v = var[spec.name]
        key = f"c{i}"
        branch: list[str] = []
        single = spec.kind in (f._CHILD, f._TEXT_CHILD)
        item = v if single else "x"
        if single:
            branch += [f"if {v} is not None:", "    raise BAIL"]
        if spec.kind in (f._CHILD, f._CHILDREN):
            branch += _child_model(spec, item, env, key, generic)
        else:
            branch += ["if len(c) or c.keys():", "    raise BAIL", "t = c.text or ''"]
            spelling = "t and {respelled}({value}, {text})" if single else ""
            branch += _convert(spec, item, "t", env, key, spelling=spelling)
        if not single:
            branch += [f"if {v} is None:", f"    {v} = [x]", "else:", f"    {v}.append(x)"]
        branches.append(branch)
    lines = ["for c in el:", "    k = c.tag"]
    lines.extend("    " + line for line in _switch("k", tag_index, branches, "T", env))
    lines += ["    t = c.tail", "    if t is not None and not t.isspace():", "        raise BAIL"]
    return lines


def _switch(
    key: str, index: dict[str, int], branches: list[list[str]], table: str, env: dict[str, Any]
) -> list[str]:
    """Run ``branches[index[key]]``, or bail when ``key`` is not in ``index``.

    A few names are compared in turn: that beats hashing each name the
    parser made. More are looked up (``table`` in ``env``) and dispatched
    through a tree of comparisons on the number.
    """
    if len(index) <= _CHAIN:
        lines = []
        for n, (name, i) in enumerate(index.items()):
            lines.append(f"{'if' if n == 0 else 'elif'} {key} == {name!r}:")
            lines.extend("    " + line for line in branches[i])
        return [*lines, "else:", "    raise BAIL"]
    env[table] = index.get
    return [
        f"i = {table}({key})",
        "if i is None:",
        "    raise BAIL",
        *_dispatch(branches, 0, len(branches)),
    ]


def _child_model(
    spec: Any, target: str, env: dict[str, Any], key: str, generic: Generic
) -> list[str]:
    if spec.choose is not None:
        env[f"PC{key}"] = generic.parse_child
        env[f"SP{key}"] = spec
        call = f"PC{key}(SP{key}, c, ctx)"
        return [f"{target} = {call}", f"if {target} is FAILED:", "    raise BAIL"]
    variants = f._variants(spec.model)
    if variants is None:
        env[f"PL{key}"] = generic.plan_of(spec.model)
        return [
            f"{target} = PL{key}.parse(c, ctx)",
            f"if {target} is FAILED:",
            "    raise BAIL",
        ]
    disc = next(c for c in variants.values() if c.__xml_const__).__xml_const__[0][0]
    env[f"V{key}"] = {value: generic.plan_of(cls) for value, cls in variants.items()}.get
    return [
        f"p = V{key}(c.get({disc!r}))",
        "if p is None:",
        "    raise BAIL",
        f"{target} = p.parse(c, ctx)",
        f"if {target} is FAILED:",
        "    raise BAIL",
    ]


# --------------------------------------------------------------------------
# Writing


def _validated_on_set(cls: type, spec: Any) -> bool:
    """Whether assigning a bad value to this field raises (attrs validators on set).

    Then a value read from the object has been checked, and the writer need
    not check it again. Probed on a throwaway object, since a subclass may
    turn attrs' ``on_setattr`` hooks off.
    """
    probe: Any = object.__new__(cls)
    try:
        setattr(probe, spec.name, _NOT_A_VALUE)
    except f.FieldValueError:
        return True
    return False


_NOT_A_VALUE = object()


def compile_writer(plan: Any, generic: Generic) -> Writer:
    """A function ``write(obj, out, ind, is_root, tag)`` equivalent to the generic writer."""
    fallback = generic.write
    if plan.raw is not None:

        def write_raw(obj: Any, out: list[str], ind: str, is_root: bool, tag: str | None) -> None:
            fallback(plan, obj, out, ind, is_root, tag)

        return write_raw
    env: dict[str, Any] = {
        "PLAN": plan,
        "GENERIC": fallback,
        "ITEM": generic.item_plan,
        "EA": _ATTR_SPECIAL,
        "ET": _TEXT_SPECIAL,
        "escape_attr": escape_attr,
        "escape_text": escape_text,
    }
    cls = plan.cls
    body: list[str] = []
    add = body.append
    if any(s.kind == f._TEXT_CHILDREN for s in plan.fields):
        # list items' spellings (text around comments) are the generic writer's
        add("if obj._unknown is not None or obj._spelling is not None:")
    else:
        add("if obj._unknown is not None:")
    add("    return GENERIC(PLAN, obj, out, ind, is_root, tag)")
    # a text child may hold comments amid its text, kept as spelled (RawInner)
    spelled = [
        s
        for s in plan.fields
        if s.kind == f._TEXT_CHILD or (s.kind == f._ATTR and not s.conv.exact)
    ]
    if spelled:
        add("sp = obj._spelling")
    # the usual tag (tag=None): its opening and closing text made once
    consts = "".join(f" {name}='{value}'" for name, value in plan.consts.items())
    env["OPEN"] = f"<{plan.tag_text}{consts}"
    env["CLOSE"] = f"</{plan.tag_text}>\n"
    # an element without children or text is always written empty (<bridge .../>)
    empty = plan.own_text is None and not plan.writers and not plan.open
    add("if tag is None:")
    add("    h = ind + OPEN")
    if not empty:
        add("    close = CLOSE")
    add("else:")
    add(f"    h = ind + '<' + tag + {consts!r}")
    if not empty:
        add("    close = '</' + tag + '>\\n'")
    for n, spec in enumerate(plan.write_attrs):
        add(f"v = obj.{spec.name}")
        add("if v is not None:")
        if type(spec.conv) is Bool and _validated_on_set(cls, spec):
            yes = f" {spec.xml_text}='{spec.conv.true}'"
            no = f" {spec.xml_text}='{spec.conv.false}'"
            add(f"    h += {yes!r} if v else {no!r}")
            continue
        text = _formatted(spec, f"a{n}", env, cls, attr=True)
        body.extend("    " + line for line in text)
        # one f-string makes one string; "+" made one per operand
        template = "{h} " + spec.xml_text + "='{s}'"
        add(f"    h = {_fstring(template)}")

    ns_specs = [s for s in plan.fields if s.ns is not None and s.kind != f._ATTR]
    root_ns = bool(ns_specs) or plan.tag_ns is not None
    own = plan.own_text
    if own is not None:
        add(f"v = obj.{own.name}")
        add("if v is None:")
        add("    s = ''")
        add("else:")
        own_text = _formatted(own, "own", env, cls, attr=False, spelling=False)
        body.extend("    " + line for line in own_text)
        if root_ns:
            body.extend(_root_namespaces(plan, ns_specs))
        add("out.append(f'{h}>{s}{close}')")
    elif empty:
        if root_ns:
            body.extend(_root_namespaces(plan, ns_specs))
        add("out.append(h + '/>\\n')")
    else:
        add("pos = len(out)")
        add("out.append('')")
        add("cind = ind + '  '")
        for n, spec in enumerate(plan.writers):
            body.extend(_write_field(spec, n, env, cls, generic))
        if root_ns:
            body.extend(_root_namespaces(plan, ns_specs))
        if plan.open:
            add("out[pos] = h + '>\\n'")
            add("out.append(ind + close)")
        else:
            add("if len(out) == pos + 1:")
            add("    out[pos] = h + '/>\\n'")
            add("else:")
            add("    out[pos] = h + '>\\n'")
            add("    out.append(ind + close)")

    lines = ["def write(obj, out, ind, is_root, tag):"]
    lines.extend("    " + line for line in body)
    writer: Writer = _generated("write", plan.cls, lines, env)
    return writer


def _formatted(
    spec: Any, key: str, env: dict[str, Any], cls: type, *, attr: bool, spelling: bool = True
) -> list[str]:
    """Lines that set ``s`` to the escaped text of ``v`` for this field."""
    conv = spec.conv
    escape, special = ("escape_attr", "EA") if attr else ("escape_text", "ET")
    if not _validated_on_set(cls, spec):
        env[f"F{key}"] = spec
        env["FORMAT"] = f._format
        lines = [f"s = {escape}(FORMAT(F{key}, v, obj))"]
    elif type(conv) is Text:
        lines = [f"s = {escape}(v) if {special}(v) else v"]
    else:
        # Int.format is str(), called directly
        env[f"F{key}"] = str if type(conv) is Int else conv.format
        if _safe(conv):
            lines = [f"s = F{key}(v)"]
        else:
            lines = [f"s = F{key}(v)", f"if {special}(s):", f"    s = {escape}(s)"]
        if type(conv) is IPAddr:
            # an address read keeps its text; IPv4 made in Python through the C library
            env.update(READ4=ReadIPv4Address, READ6=ReadIPv6Address)
            env.update(IPV4=IPv4Address, OUT4=ipv4_to_text)
            lines = [
                "if type(v) is READ4:",
                "    s = v._text",
                "elif type(v) is READ6:",
                # a scope (fe80::1%eth0) is any text the document held
                "    s = v._text",
                f"    if {special}(s):",
                f"        s = {escape}(s)",
                "elif type(v) is IPV4:",
                "    s = OUT4(v)",
                "else:",
                *("    " + line for line in lines),
            ]
        if type(conv) is HexInt:
            # the texts already made, by one lookup (what format() does first)
            env[f"FT{key}"] = conv.texts.get
            lines = [f"s = FT{key}(v)", "if s is None:", *("    " + line for line in lines)]
    if (conv.exact and attr) or not spelling:
        return lines
    # the source's own spelling, while the value is the one that was read;
    # a text element's may be XML (text around comments), written as it was
    kept = f"    s = {escape}(w[1])"
    if not attr:
        env["RAW"] = f.RawInner
        kept = f"    s = w[1] if type(w[1]) is RAW else {escape}(w[1])"
    return [
        f"w = sp.get({spec.name!r}) if sp is not None else None",
        "if w is not None and w[0] == v:",
        kept,
        "else:",
        *("    " + line for line in lines),
    ]


def _fstring(template: str) -> str:
    """Source of an f-string: ``{name}`` in ``template`` are the variables, the rest literal.

    XML names hold no braces or quotes, so only the quote character and
    line ends need escaping in the literal parts.
    """
    return 'f"' + template.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _write_field(spec: Any, n: int, env: dict[str, Any], cls: type, generic: Generic) -> list[str]:
    name = spec.name
    tag = spec.xml_text
    lines = [f"v = obj.{name}"]
    if spec.kind in (f._CHILD, f._CHILDREN):
        item = "v" if spec.kind == f._CHILD else "x"
        # an item of another class than declared is refused (ITEM checks it):
        # list items were not checked when they were appended
        env[f"SPEC{n}"] = spec
        write = [
            f"p = ITEM(obj, SPEC{n}, {item})",
            f"p.write({item}, out, cind, False, {tag!r})",
        ]
        model = spec.model
        if isinstance(model, type) and f._variants(model) is None:
            # the declared class, the commonest case: its plan directly, and
            # its tag as it writes it unless told (None)
            child = generic.plan_of(model)
            env[f"K{n}"], env[f"PK{n}"] = model, child
            usual = None if tag == child.tag_text else tag
            write = [
                f"if type({item}) is K{n}:",
                f"    PK{n}.write({item}, out, cind, False, {usual!r})",
                "else:",
                *("    " + line for line in write),
            ]
        head = "if v is not None:" if spec.kind == f._CHILD else "for x in v:"
        lines += [head, *("    " + line for line in write)]
    elif spec.kind == f._TEXT_CHILD:
        lines += ["if v is not None:"]
        lines += ["    " + line for line in _formatted(spec, f"t{n}", env, cls, attr=False)]
        lines += [f"    out.append({_fstring('{cind}<' + tag + '>{s}</' + tag + '>' + chr(10))})"]
    else:  # repeated text children: list items are not checked on assignment
        env[f"L{n}"] = spec
        env["FORMAT"] = f._format
        lines += [
            "for x in v:",
            f"    s = escape_text(FORMAT(L{n}, x, obj))",
            f"    out.append({_fstring('{cind}<' + tag + '>{s}</' + tag + '>' + chr(10))})",
        ]
    return lines


def _root_namespaces(plan: Any, ns_specs: list[Any]) -> list[str]:
    """Lines that declare, on a root element, the namespaces its children use."""
    used: dict[tuple[str, str], list[str]] = {}
    for spec in ns_specs:
        test = (
            f"obj.{spec.name} is not None"
            if spec.kind in (f._CHILD, f._TEXT_CHILD)
            else (f"obj.{spec.name}")
        )
        used.setdefault(spec.ns, []).append(test)
    if plan.tag_ns is not None:
        used[plan.tag_ns] = []
    lines = ["if is_root:"]
    for (prefix, uri), tests in sorted(used.items()):
        decl = f" xmlns:{prefix}='{escape_attr(uri)}'"
        if tests:
            lines += [f"    if {' or '.join(tests)}:", f"        h += {decl!r}"]
        else:
            lines.append(f"    h += {decl!r}")
    return lines


def compile_builder(
    cls: type, defaults: list[tuple[str, Any, bool]]
) -> Callable[[Any, Callable[[str], Any], Any, Any], None]:
    """A straight-line function that fills every slot of a new ``cls`` object.

    One generated assignment per field instead of a loop over the fields:
    parsing builds many small objects, and this is its innermost step.
    ``defaults`` are ``(field name, default, whether it is a factory)``.
    """
    env: dict[str, Any] = {"set_": object.__setattr__}
    lines = ["def build(obj, get, unknown, spelling):"]
    for i, (fname, default, is_factory) in enumerate(defaults):
        env[f"d{i}"] = default
        if is_factory:
            lines.append(f"    v = get({fname!r})")
            lines.append(f"    set_(obj, {fname!r}, d{i}() if v is None else v)")
        else:
            lines.append(f"    set_(obj, {fname!r}, get({fname!r}, d{i}))")
    lines.append("    set_(obj, '_unknown', unknown)")
    lines.append("    set_(obj, '_spelling', spelling)")
    builder: Callable[[Any, Callable[[str], Any], Any, Any], None] = _generated(
        "build", cls, lines, env
    )
    return builder
