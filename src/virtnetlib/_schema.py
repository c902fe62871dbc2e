"""RelaxNG validation: virtnetlib's grammars or libvirt's, the verdict fast.

A :class:`SchemaSet` loads and compiles each kind's grammar on first use
and gives the grammar's verdict (sooner, through :class:`_Shortcut`, when a
document is valid) and, when it fails, every problem with a message a
person can act on (:func:`virtnetlib._explain.explain`).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from virtnetlib._errors import Error
from virtnetlib._explain import SchemaFinding, explain
from virtnetlib._grammar import RNG, Grammar, attribute_name, element_name
from virtnetlib._schemagen import generate
from virtnetlib._xml import element_path

__all__ = ["SchemaSet", "load_schemas"]

SYSTEM_DIR = Path("/usr/share/libvirt/schemas")


# XSD patterns made only of these mean the same to Python's re (fullmatch):
# no "." wildcard, no \d or \w classes, no ^ or $ outside a class.
_PORTABLE_PATTERN = re.compile(r"(?:[0-9A-Za-z()\[\]{}|?*+,:_/-]|\\[.\\-])*\Z")


class _Shortcut:
    """The same verdict as a grammar, sooner: string patterns checked in Python.

    libxml2 compiles a pattern facet again for every value it checks, so
    libvirt's patterns (932 characters for an IPv6 address) are nine tenths
    of the time to validate a network. In a copy of the grammar, each
    define that is just a string with a pattern (``ipv4Addr``,
    ``deviceName``, ``uniMacAddr``...) and is only ever the whole value of
    attributes accepts any string instead. Which attributes of which
    elements hold such a value is read from the grammar.

    When the copy accepts a document and every such attribute in it matches
    the pattern of every type any definition of its element gives it
    (checked with Python's ``re``, which reads these patterns as XSD does),
    the original grammar accepts the document too: the copy's derivation
    works with the original patterns. Otherwise the original grammar
    decides, so the verdict is always the original grammar's.
    """

    def __init__(self, grammar: Any) -> None:
        #: element name → [(attribute, patterns its value must match)]
        self.positions: dict[str, list[tuple[str, list[re.Pattern[str]]]]] = {}
        self.rng: etree.RelaxNG | None = None
        work = copy.deepcopy(grammar)
        self._analyse(work.getroot())
        if self.positions:
            self.rng = etree.RelaxNG(work)

    def _analyse(self, root: Any) -> None:
        defines = {d.get("name"): d for d in root.iter(f"{RNG}define")}
        patterns: dict[str, str] = {}  # define → its pattern
        for name, define in defines.items():
            kids = _kids(define)
            if len(kids) != 1 or kids[0].tag != f"{RNG}data" or kids[0].get("type") != "string":
                continue
            params = _kids(kids[0])
            if (
                len(params) == 1
                and params[0].tag == f"{RNG}param"
                and params[0].get("name") == "pattern"
                and _PORTABLE_PATTERN.match(params[0].text or "")
            ):
                patterns[name] = params[0].text or ""
        # unions such as ipAddr: a define that is a choice of those only
        members: dict[str, list[str]] = {}
        for name, define in defines.items():
            kids = _kids(define)
            if len(kids) == 1 and kids[0].tag == f"{RNG}choice":
                refs = _kids(kids[0])
                if refs and all(r.tag == f"{RNG}ref" and r.get("name") in patterns for r in refs):
                    members[name] = [r.get("name") for r in refs]
        typed = set(patterns) | set(members)
        # a type used other than as an attribute's whole value keeps its pattern
        kept: set[str] = set()
        for ref in root.iter(f"{RNG}ref"):
            name = ref.get("name")
            if name not in typed:
                continue
            parent = ref.getparent()
            grand = parent.getparent()
            if parent.tag == f"{RNG}choice" and grand is not None and grand.get("name") in members:
                continue  # inside the union itself
            if parent.tag != f"{RNG}attribute" or _kids(parent) != [ref] or not parent.get("name"):
                kept.add(name)
        found: dict[str, dict[str, set[str]]] = {}
        for element in root.iter(f"{RNG}element"):
            el_name = element_name(element)
            for attribute, type_name in _attribute_types(element, defines, typed):
                if el_name is None:
                    kept.add(type_name)  # no name to find its values by
                else:
                    found.setdefault(el_name, {}).setdefault(attribute, set()).add(type_name)
        for union, names in members.items():
            if union in kept:
                kept.update(names)
        replaced = set(patterns) - kept
        if not replaced:
            return

        def regex(type_name: str) -> str:
            """The type's pattern in XSD syntax, which Python's re reads the same way."""
            if type_name in members:
                return "|".join(f"({patterns[n]})" for n in members[type_name])
            return patterns[type_name]

        compiled: dict[str, re.Pattern[str]] = {}
        for el_name, attributes in sorted(found.items()):
            checks = []
            for attribute, type_names in sorted(attributes.items()):
                # only values a replaced pattern no longer checks need Python
                relevant = sorted(t for t in type_names if set(members.get(t, [t])) & replaced)
                if relevant:
                    pats = [compiled.setdefault(t, re.compile(regex(t))) for t in relevant]
                    checks.append((attribute, pats))
            if checks:
                self.positions[el_name] = checks
        for name in replaced:  # the copy accepts any string there
            data = _kids(defines[name])[0]
            for param in _kids(data):
                data.remove(param)

    def accepts(self, doc: Any) -> bool:
        """True: the original grammar accepts ``doc``. False: ask the original grammar."""
        if self.rng is None or not self.rng.validate(doc):
            return False
        positions = self.positions
        for el in doc.iter(*positions):
            for attribute, patterns in positions[el.tag]:
                value = el.get(attribute)
                if value is not None:
                    for pattern in patterns:
                        if pattern.fullmatch(value) is None:
                            return False
        return True


def _kids(node: Any) -> list[Any]:
    return [c for c in node if isinstance(c.tag, str)]


def _attribute_types(
    element: Any, defines: dict[str, Any], typed: set[str]
) -> Iterator[tuple[str, str]]:
    """(attribute, type) for each attribute of ``element`` whose value is a ``typed`` define."""
    seen: set[str] = set()
    stack = list(element)
    while stack:
        node = stack.pop()
        tag = node.tag
        if not isinstance(tag, str) or tag == f"{RNG}element":
            continue  # a nested element's attributes are its own
        if tag == f"{RNG}attribute":
            kids = _kids(node)
            if len(kids) == 1 and kids[0].tag == f"{RNG}ref" and kids[0].get("name") in typed:
                name = attribute_name(node)
                if name is not None:
                    yield name, kids[0].get("name")
            continue
        if tag == f"{RNG}ref":
            name = node.get("name")
            if name not in seen and name in defines:
                seen.add(name)
                stack.extend(defines[name])
            continue
        stack.extend(node)


class SchemaSet:
    """Grammars for networks, domain interfaces and host interfaces.

    Each kind is loaded and compiled on first use, so checking networks
    never pays for the domain interface grammar.
    """

    def __init__(self, loaders: dict[str, Callable[[], Any]], origin: str) -> None:
        self.origin = origin
        self._loaders = loaders
        self._compiled: dict[str, tuple[Any, etree.RelaxNG, _Shortcut]] = {}
        self._facts: dict[str, Grammar] = {}

    def _load(self, kind: str) -> tuple[Any, etree.RelaxNG, _Shortcut]:
        found = self._compiled.get(kind)
        if found is None:
            try:
                grammar = self._loaders[kind]()
                found = (grammar, etree.RelaxNG(grammar), _Shortcut(grammar))
            except (OSError, etree.LxmlError, ValueError) as exc:
                raise Error(f"cannot load the {kind} schema from {self.origin}: {exc}") from exc
            self._compiled[kind] = found
        return found

    def _valid(self, kind: str, doc: Any) -> bool:
        _, rng, shortcut = self._load(kind)
        return shortcut.accepts(doc) or bool(rng.validate(doc))

    def rng(self, kind: str) -> etree.RelaxNG:
        """The compiled grammar for ``kind`` (network, interface, hostinterface)."""
        return self._load(kind)[1]

    def grammar(self, kind: str) -> Grammar:
        if kind not in self._facts:
            self._facts[kind] = Grammar(self._load(kind)[0].getroot())
        return self._facts[kind]

    def accepts(self, kind: str, element: Any) -> bool:
        """The grammar's verdict alone."""
        return self._valid(kind, _standalone(element))

    def check(
        self,
        kind: str,
        element: Any,
        hints: Callable[[], dict[Any, list[tuple[str | None, str]]]] | None = None,
    ) -> list[SchemaFinding]:
        """Every schema problem of ``element`` (standalone or inside a bigger document).

        ``hints`` gives, only when the element fails, what the typed models
        found, keyed by element, as ``(attribute, message)`` pairs; they
        explain failures that removing things cannot (a required attribute
        with a bad value).
        """
        rng = self.rng(kind)
        if self._valid(kind, _standalone(element)):
            return []
        work = copy.deepcopy(element)  # the explanation edits a copy
        work.tail = None
        found: list[SchemaFinding] = []
        said: set[tuple[int | str, str]] = set()
        for finding in explain(rng, self.grammar(kind), element, work, hints() if hints else {}):
            # an attribute's problem is said once, though its element is met
            # again; a repetition once, though the grammar and the models
            # each point at a different one of the twins
            el = finding.element
            key: tuple[int | str, str]
            if finding.attribute is not None:
                key = (id(el), finding.attribute)
            elif finding.code == "E103" and el.getparent() is not None:
                key = (element_path(el.getparent()), f"<{el.tag}>")
            else:
                found.append(finding)
                continue
            if key not in said:
                said.add(key)
                found.append(finding)
        if not found:  # the grammar refuses it: never say nothing
            found.append(SchemaFinding(element, None, "does not match the schema"))
        return found


def _standalone(element: Any) -> Any:
    """The element as a document of its own; a copy only when it sits inside another."""
    if element.getparent() is None:
        return element
    work = copy.deepcopy(element)
    work.tail = None
    return work


def _parse_rng(path: Path) -> Any:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.parse(str(path), parser)


def _flatten(path: Path, start: str | None) -> Any:
    return etree.ElementTree(
        etree.fromstring(generate(path.parent, path.name, start, "system").encode())
    )


@functools.cache
def load_schemas(where: str | None = None) -> SchemaSet:
    """The schemas to validate with; each kind is compiled once per process, on first use.

    ``None``: virtnetlib's own (shipped in the wheel); ``"system"``: the
    host's libvirt schemas in ``/usr/share/libvirt/schemas``; a folder path:
    libvirt-style schemas there (``network.rng``, ``interface.rng``,
    ``domaincommon.rng``).
    """
    if where is None:
        folder = _own_dir()
        files = {
            "network": folder / "network.rng",
            "interface": folder / "domain-interface.rng",
            "hostinterface": folder / "host-interface.rng",
        }
        return SchemaSet(
            {kind: functools.partial(_parse_rng, path) for kind, path in files.items()},
            f"virtnetlib ({folder})",
        )
    folder = SYSTEM_DIR if where == "system" else Path(where)
    if not (folder / "network.rng").exists():
        hint = " (is libvirt installed?)" if where == "system" else ""
        raise Error(f"no libvirt schemas in {folder}{hint}")
    return SchemaSet(
        {
            "network": functools.partial(_flatten, folder / "network.rng", None),
            "interface": functools.partial(_flatten, folder / "domaincommon.rng", "interface"),
            "hostinterface": functools.partial(_flatten, folder / "interface.rng", None),
        },
        str(folder),
    )


def _own_dir() -> Path:
    here = Path(__file__).resolve().parent
    for folder in (here / "schemas", here.parents[1] / "schemas"):
        if (folder / "network.rng").exists():
            return folder
    raise Error("virtnetlib's schemas are missing from this installation")
