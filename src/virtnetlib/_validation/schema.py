"""RelaxNG validation: virtnetlib's grammars or libvirt's, the verdict fast.

A :class:`SchemaSet` loads and compiles each kind's grammar on first use
and gives the grammar's verdict (sooner, through :class:`_Shortcut`, when a
document is valid) and, when it fails, every problem with a message a
person can act on (:func:`virtnetlib._validation.explain.explain`).
"""

from __future__ import annotations

import copy
import functools
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from virtnetlib._core.errors import Error
from virtnetlib._core.xml import element_path
from virtnetlib._validation.bulk import BulkRules, Run, origins, pruned
from virtnetlib._validation.explain import SchemaFinding, explain
from virtnetlib._validation.grammar import RNG, Grammar, attribute_name, element_name
from virtnetlib._validation.schemagen import generate

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
        #: the copy of the grammar with the patterns relaxed (None: nothing to relax)
        self.relaxed: Any | None = None
        work = copy.deepcopy(grammar)
        self._analyse(work.getroot())
        if self.positions:
            self.rng = etree.RelaxNG(work)
            self.relaxed = work

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
        return self.patterns_hold(doc)

    def patterns_hold(self, doc: Any) -> bool:
        """Whether every value the relaxed grammar no longer checks matches its pattern."""
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


class _Compiled:
    """One kind's grammar, compiled for one thread: the grammar's document,
    libxml2's RelaxNG, the shortcut, the bulk rules, the grammar's facts."""

    __slots__ = ("bulk", "grammar", "rng", "shortcut", "tree")

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self.rng = etree.RelaxNG(tree)
        self.shortcut = _Shortcut(tree)
        self.bulk = BulkRules(tree, self.shortcut.relaxed)
        self.grammar = Grammar(tree.getroot())

    def valid(self, doc: Any) -> bool:
        return self.shortcut.accepts(doc) or bool(self.rng.validate(doc))


#: Documents at least this large (bytes) are looked through for long runs
#: (see virtnetlib._validation.bulk); smaller ones cannot hold a run that costs much.
BULK_FROM = 32 * 1024


class SchemaSet:
    """Grammars for networks, domain interfaces and host interfaces.

    Each kind is loaded and compiled on first use, so checking networks
    never pays for the domain interface grammar. Compiled grammars belong
    to one thread: libxml2's RelaxNG keeps an error log per object, and two
    threads validating with one object read each other's errors (wrong
    verdicts and explanations).
    """

    def __init__(self, loaders: dict[str, Callable[[], Any]], origin: str) -> None:
        self.origin = origin
        self._loaders = loaders
        self._local = threading.local()

    def _load(self, kind: str) -> _Compiled:
        compiled: dict[str, _Compiled] | None = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = {}
        found = compiled.get(kind)
        if found is None:
            try:
                found = _Compiled(self._loaders[kind]())
            except (OSError, etree.LxmlError, ValueError) as exc:
                raise Error(f"cannot load the {kind} schema from {self.origin}: {exc}") from exc
            compiled[kind] = found
        return found

    def rng(self, kind: str) -> etree.RelaxNG:
        """The compiled grammar for ``kind`` (network, interface, hostinterface), this thread's."""
        return self._load(kind).rng

    def grammar(self, kind: str) -> Grammar:
        return self._load(kind).grammar

    def accepts(self, kind: str, element: Any, size: int | None = None) -> bool:
        """The grammar's verdict alone (``size``: the document's bytes, when known)."""
        compiled = self._load(kind)
        runs = _runs(compiled, element, size)
        if not runs:
            return compiled.valid(_standalone(element))
        return compiled.valid(pruned(element, runs)) and all(
            _members_valid(compiled, run) for run in runs
        )

    def check(
        self,
        kind: str,
        element: Any,
        hints: Callable[[], dict[Any, list[tuple[str | None, str]]]] | None = None,
        size: int | None = None,
    ) -> list[SchemaFinding]:
        """Every schema problem of ``element`` (standalone or inside a bigger document).

        ``hints`` gives, only when the element fails, what the typed models
        found, keyed by element, as ``(attribute, message)`` pairs; they
        explain failures that removing things cannot (a required attribute
        with a bad value). ``size`` is the document's length in bytes, when
        known: a small document is not looked through for long runs.
        """
        compiled = self._load(kind)
        runs = _runs(compiled, element, size)
        if runs:
            found = _check_runs(compiled, element, runs, hints)
            if found is None:
                return []
        else:
            if compiled.valid(_standalone(element)):
                return []
            work = copy.deepcopy(element)  # the explanation edits a copy
            work.tail = None
            found = _said_once(
                explain(compiled.rng, compiled.grammar, element, work, hints() if hints else {})
            )
        if not found:  # the grammar refuses it: never say nothing
            found.append(SchemaFinding(element, None, "does not match the schema"))
        return found


def _said_once(findings: Iterable[SchemaFinding]) -> list[SchemaFinding]:
    """An attribute's problem once, though its element is met again; a
    repetition once, though the grammar and the models each point at a
    different one of the twins."""
    found: list[SchemaFinding] = []
    said: set[tuple[int | str, str]] = set()
    for finding in findings:
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
    return found


def _runs(compiled: _Compiled, element: Any, size: int | None) -> list[Run]:
    if size is not None and size < BULK_FROM:
        return []
    return compiled.bulk.runs(element)


def _members_valid(compiled: _Compiled, run: Run) -> bool:
    return compiled.bulk.members_valid(run, compiled.shortcut.patterns_hold)


def _batch_valid(compiled: _Compiled, run: Run, members: list[Any]) -> bool:
    return compiled.bulk.batch_valid(run, members, compiled.shortcut.patterns_hold)


#: Batches of a long run explained at most; past them the findings say there is more.
_EXPLAINED_BATCHES = 16


def _check_runs(
    compiled: _Compiled,
    element: Any,
    runs: list[Run],
    hints: Callable[[], dict[Any, list[tuple[str | None, str]]]] | None,
) -> list[SchemaFinding] | None:
    """The problems of a document with long runs (None: it has none), checked as
    virtnetlib._validation.bulk says.

    The base (each run cut to its first member) is explained as any document
    is; a batch of members the grammar refuses is explained in the base's
    context (repaired by its own explanation), and only what is found inside
    the batch is kept from that.
    """
    base = pruned(element, runs)
    base_valid = compiled.valid(base)
    failing = [run for run in runs if not _members_valid(compiled, run)]
    if base_valid and not failing:
        return None
    # which members fail: the failing runs again, a batch at a time, as far
    # as the explanation goes
    bad: list[tuple[Run, list[Any]]] = []
    for run in failing:
        for members in compiled.bulk.batches(run):
            if len(bad) > _EXPLAINED_BATCHES:
                break
            if not _batch_valid(compiled, run, members):
                bad.append((run, members))
    origin_of = origins(base, element, runs)
    given = hints() if hints else {}
    found: list[SchemaFinding] = []
    if not base_valid:
        found.extend(explain(compiled.rng, compiled.grammar, element, base, given, origin_of))
    copy_of = {original: copied for copied, original in origin_of.items()}
    for n, (run, members) in enumerate(bad):
        if n == _EXPLAINED_BATCHES:
            found.append(
                SchemaFinding(
                    run.parent,
                    None,
                    f"more schema problems among the <{run.members[0].tag}> elements than shown"
                    " here; fix these and validate again",
                    truncated=True,
                )
            )
            break
        found.extend(
            _explain_batch(compiled, element, base, origin_of, copy_of, run, members, given)
        )
    return _said_once(found)


def _explain_batch(  # noqa: PLR0917 - the parts of one explanation, each needed
    compiled: _Compiled,
    element: Any,
    base: Any,
    origin_of: dict[Any, Any],
    copy_of: dict[Any, Any],
    run: Run,
    members: list[Any],
    given: dict[Any, list[tuple[str | None, str]]],
) -> Iterator[SchemaFinding]:
    parent, first = copy_of.get(run.parent), copy_of.get(run.members[0])
    if parent is None or parent.getroottree().getroot() is not base:
        return  # the base's explanation removed where the run was
    copies = []
    for member in members:
        copied = copy.deepcopy(member)
        copied.tail = None
        copies.append(copied)
        origin_of.update(zip(copied.iter(), member.iter(), strict=True))
    at = parent.index(first) + 1 if first is not None and first.getparent() is parent else 0
    parent[at:at] = copies
    inside = {el for member in members for el in member.iter()}
    try:
        for finding in explain(compiled.rng, compiled.grammar, element, base, given, origin_of):
            if finding.element in inside:
                yield finding
    finally:
        for copied in copies:
            if copied.getparent() is not None:
                copied.getparent().remove(copied)
            for el in copied.iter():
                origin_of.pop(el, None)


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
            "domain": folder / "domain.rng",
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
            "domain": functools.partial(_flatten, folder / "domain.rng", None),
        },
        str(folder),
    )


def _own_dir() -> Path:
    here = Path(__file__).resolve().parents[1]  # the package folder
    for folder in (here / "schemas", here.parents[1] / "schemas"):
        if (folder / "network.rng").exists():
            return folder
    raise Error("virtnetlib's schemas are missing from this installation")
