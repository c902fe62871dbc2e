"""Long runs of one element, checked against the grammar in linear time.

libxml2's RelaxNG takes time quadratic in the children of an
``<interleave>`` (a ``<dhcp>`` with 50,000 hosts: 3 s; 1,000,000: hours),
while a plain ``<zeroOrMore>`` is linear. A document's long runs of one
element (hosts, ranges, DNS records, portgroups, forward interfaces) are
therefore checked apart from the rest, with the same verdict:

- the *base*: the document with each long run cut to its first member,
  against the grammar itself;
- the *rest* of each run, in batches, against a grammar derived from it
  whose start is ``<__vnl_batch>`` holding ``zeroOrMore`` of exactly the
  pattern the run repeats.

That gives the grammar's own verdict when the run's element is *bulk
checkable* under its parent, which is read from the grammar: one
definition of the parent alone has the child (so a parent holding many of
them must match that one), and every pattern of the child inside it sits in one
and the same ``zeroOrMore``/``oneOrMore``, reached only through
``choice``, ``optional`` and references, whose content is nothing but
element patterns. Then the run is matched by that repetition alone, any
number of members is as good as one, and each member is judged by its
own content: the document is valid exactly when the base is and every
member matches the repeated pattern. Runs of anything else are left in
the base.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

from virtnetlib._validation.grammar import RNG, element_name

__all__ = ["RUN_FROM", "BulkRules", "Run"]

#: Runs at least this long are checked in bulk; shorter ones cost libxml2 little.
RUN_FROM = 64
#: Members per batch document: small enough to find bad ones quickly, and for
#: libxml2, which is slow on a long list of members that fail, to stay linear.
BATCH = 128
_BATCH_ROOT = "__vnl_batch"
_ITEMS = "__vnl_items"
_ANY = "__vnl_any"

_PASSING = frozenset({f"{RNG}choice", f"{RNG}optional", f"{RNG}ref", f"{RNG}define"})
_REPEATING = frozenset({f"{RNG}zeroOrMore", f"{RNG}oneOrMore"})


class Run:
    """Members of one long run in a document: consecutive same-named siblings
    (comments and processing instructions may lie between them)."""

    __slots__ = ("first", "last", "members", "parent")

    def __init__(self, parent: Any, members: list[Any], first: int, last: int) -> None:
        self.parent, self.members = parent, members
        #: the positions of the first and last member among the parent's children
        self.first, self.last = first, last

    @property
    def contiguous(self) -> bool:
        """Whether nothing at all lies between the members."""
        return self.last - self.first + 1 == len(self.members)


def _content(
    node: Any, defines: dict[str, Any], seen: frozenset[str] = frozenset()
) -> Iterator[tuple[Any, list[Any]]]:
    """Each element pattern in ``node``'s content with the pattern nodes above it
    (up to ``node``, references followed, nested elements not entered)."""
    for child in node:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == f"{RNG}element":
            yield child, []
            continue
        if tag == f"{RNG}ref":
            name = child.get("name")
            if name in defines and name not in seen:
                for el, above in _content(defines[name], defines, seen | {name}):
                    yield el, [child, defines[name], *above]
            continue
        for el, above in _content(child, defines, seen):
            yield el, [child, *above]


def _only_elements(node: Any, defines: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """Whether ``node``'s content is element patterns alone, through choice,
    optional and references (no attributes, text, groups or interleaves)."""
    for child in node:
        tag = child.tag
        if not isinstance(tag, str) or tag == f"{RNG}element":
            continue
        if tag == f"{RNG}ref":
            name = child.get("name")
            if name not in defines or name in seen:
                return False
            if not _only_elements(defines[name], defines, seen | {name}):
                return False
        elif tag in _PASSING:
            if not _only_elements(child, defines, seen):
                return False
        else:
            return False
    return True


class _Rule:
    """How to check the members of a run of one child in its parent (a grammar's pair)."""

    def __init__(self, grammar: Any, repetition: Any, child: str, others: list[str]) -> None:
        self.grammar, self.repetition, self.child = grammar, repetition, child
        self.others = [name for name in others if name != child]
        self._local = threading.local()

    def rng(self) -> etree.RelaxNG:
        """The derived grammar, compiled once per thread (RelaxNG objects keep an
        error log, so they are not shared between threads)."""
        rng: etree.RelaxNG | None = getattr(self._local, "rng", None)
        if rng is None:
            derived = _derived(self.grammar, self.repetition, self.child, self.others)
            rng = self._local.rng = etree.RelaxNG(derived)
        return rng


def _derived(grammar: Any, repetition: Any, child: str, others: list[str]) -> Any:
    """A copy of ``grammar`` whose start is any element whose children named
    ``child`` each match what ``repetition`` repeats; its other children
    (named in ``others``: those the grammar allows beside ``child``),
    attributes and text may hold anything. Naming the others matters:
    libxml2 is quadratic again on an ``anyName`` beside the run."""
    work = copy.deepcopy(grammar.getroottree())
    root = work.getroot()
    repeated = _follow(root, _positions(grammar, repetition))
    assert repeated is not None  # a copy has what the original has
    ns = None
    node = repeated
    while node is not None and ns is None:
        ns = node.get("ns")
        node = node.getparent()
    items = etree.SubElement(root, f"{RNG}define", name=_ITEMS)
    holder = etree.SubElement(items, f"{RNG}choice")
    if ns is not None:
        holder.set("ns", ns)
    for kid in repeated:
        holder.append(copy.deepcopy(kid))
    anything = etree.SubElement(root, f"{RNG}define", name=_ANY)
    _any_content(etree.SubElement(anything, f"{RNG}element"), anyname=True)
    for start in root.findall(f"{RNG}start"):
        root.remove(start)
    top = etree.SubElement(etree.SubElement(root, f"{RNG}start"), f"{RNG}element")
    etree.SubElement(top, f"{RNG}anyName")
    attributes = etree.SubElement(top, f"{RNG}zeroOrMore")
    etree.SubElement(etree.SubElement(attributes, f"{RNG}attribute"), f"{RNG}anyName")
    content = etree.SubElement(etree.SubElement(top, f"{RNG}zeroOrMore"), f"{RNG}choice")
    etree.SubElement(content, f"{RNG}text")
    etree.SubElement(content, f"{RNG}ref", name=_ITEMS)
    for name in others:
        uri, _, local = name[1:].partition("}") if name.startswith("{") else ("", "", name)
        _any_content(etree.SubElement(content, f"{RNG}element", name=local, ns=uri), anyname=False)
    return work


def _any_content(element: Any, *, anyname: bool) -> None:
    """Fill an ``<element>`` pattern so that it takes any attributes, text and elements."""
    if anyname:
        etree.SubElement(element, f"{RNG}anyName")
    content = etree.SubElement(etree.SubElement(element, f"{RNG}zeroOrMore"), f"{RNG}choice")
    etree.SubElement(etree.SubElement(content, f"{RNG}attribute"), f"{RNG}anyName")
    etree.SubElement(content, f"{RNG}text")
    etree.SubElement(content, f"{RNG}ref", name=_ANY)


class BulkRules:
    """Which runs of a grammar may be checked in bulk, and the derived grammars that do it."""

    def __init__(self, grammar: Any, relaxed: Any | None = None) -> None:
        """``grammar``'s document; ``relaxed``, an equivalent copy with patterns
        relaxed (see ``_schema._Shortcut``), for a quicker first try."""
        root = _root(grammar)
        self._grammar = root
        self._relaxed = None if relaxed is None else _root(relaxed)
        self._rules: dict[tuple[str, str], tuple[_Rule, _Rule | None]] = {}
        defines = {d.get("name"): d for d in root.iter(f"{RNG}define")}
        definitions: dict[str, list[Any]] = {}
        for el in root.iter(f"{RNG}element"):
            name = element_name(el)
            if name is not None:
                definitions.setdefault(name, []).append(el)
        self._pairs: dict[tuple[str, str], Any] = {}
        #: (parent, child) → every child name the parent's definition allows
        self._others: dict[tuple[str, str], list[str]] = {}
        for parent_name, found in definitions.items():
            # each definition's children, and the repetitions they sit in
            per_definition: list[dict[str, list[Any | None]]] = []
            for definition in found:
                places: dict[str, list[Any | None]] = {}
                for el, above in _content(definition, defines):
                    name = element_name(el)
                    if name is None:
                        # a child pattern by name class (anyName...): a run's
                        # member could match it, so nothing here goes in bulk
                        break
                    places.setdefault(name, []).append(_repetition(above))
                else:
                    per_definition.append(places)
                    continue
                per_definition = []
                break
            for places in per_definition:
                for child_name, repetitions in places.items():
                    # a parent with several definitions (a DNS <host> and a
                    # DHCP one): only when one alone has this child is it the
                    # definition a parent holding many of them must match
                    holders = sum(1 for other in per_definition if child_name in other)
                    first = repetitions[0]
                    if (
                        holders == 1
                        and first is not None
                        and all(r is first for r in repetitions)
                        and _only_elements(first, defines)
                    ):
                        self._pairs[(parent_name, child_name)] = first
                        self._others[(parent_name, child_name)] = sorted(places)
        #: parent name → the children it may hold in long runs
        self._children: dict[str, list[str]] = {}
        for parent_name, child_name in self._pairs:
            self._children.setdefault(parent_name, []).append(child_name)

    def checkable(self, parent: str, child: str) -> bool:
        return (parent, child) in self._pairs

    def runs(self, doc: Any) -> list[Run]:
        """The long runs in ``doc`` that may be checked in bulk."""
        found = []
        for parent in doc.iter(*self._children) if self._children else ():
            if len(parent) < RUN_FROM:
                continue
            for child_name in self._children[parent.tag]:
                members = list(parent.iterchildren(child_name))
                if len(members) < RUN_FROM:
                    continue
                first, last = parent.index(members[0]), parent.index(members[-1])
                if last - first + 1 == len(members):  # one run, nothing between
                    found.append(Run(parent, members, first, last))
                    continue
                run: list[Any] = []  # several runs, or comments amid one
                start = first
                for at, node in enumerate(parent[first : last + 1], first):
                    if node.tag == child_name:
                        if not run:
                            start = at
                        run.append(node)
                    elif isinstance(node.tag, str):
                        if len(run) >= RUN_FROM:
                            found.append(Run(parent, run, start, parent.index(run[-1])))
                        run = []
                if len(run) >= RUN_FROM:
                    found.append(Run(parent, run, start, parent.index(run[-1])))
        return found

    def _rule(self, parent: str, child: str) -> tuple[_Rule, _Rule | None]:
        rule = self._rules.get((parent, child))
        if rule is None:
            repetition = self._pairs[(parent, child)]
            relaxed = None
            if self._relaxed is not None:
                repeated = _follow(self._relaxed, _positions(self._grammar, repetition))
                assert repeated is not None  # the relaxed copy differs only in patterns
                relaxed = _Rule(self._relaxed, repeated, child, self._others[(parent, child)])
            full = _Rule(self._grammar, repetition, child, self._others[(parent, child)])
            rule = self._rules[(parent, child)] = (full, relaxed)
        return rule

    def batches(self, run: Run) -> Iterator[list[Any]]:
        """The run's members after its first, in batches (to tell which are wrong)."""
        rest = run.members[1:]
        for i in range(0, len(rest), BATCH):
            yield rest[i : i + BATCH]

    def members_valid(self, run: Run, patterns_hold: Callable[[Any], bool] | None = None) -> bool:
        """Whether every member of ``run`` matches what the run repeats.

        The run's parent is validated where it stands, against a grammar
        that takes any other child as it is (no copy is made).
        ``patterns_hold(element)``, when given, checks in Python the patterns
        the relaxed grammar leaves out; the relaxed grammar is tried first.
        """
        relaxed = self._rule(run.parent.tag, run.members[0].tag)[1]
        if (
            relaxed is not None
            and patterns_hold is not None
            and relaxed.rng().validate(run.parent)
            and patterns_hold(run.parent)
        ):
            return True
        # the grammar itself decides, a batch at a time: libxml2 takes time
        # quadratic in a long list of members when many fail
        return all(self.batch_valid(run, members, patterns_hold) for members in self.batches(run))

    def batch_valid(
        self, run: Run, members: list[Any], patterns_hold: Callable[[Any], bool] | None = None
    ) -> bool:
        """Whether every one of ``members`` (copied into a document of their own)
        matches what ``run`` repeats."""
        return self._valid(run, batch_document(members), patterns_hold)

    def _valid(self, run: Run, doc: Any, patterns_hold: Callable[[Any], bool] | None) -> bool:
        rule, relaxed = self._rule(run.parent.tag, run.members[0].tag)
        if (
            relaxed is not None
            and patterns_hold is not None
            and relaxed.rng().validate(doc)
            and patterns_hold(doc)
        ):
            return True
        return bool(rule.rng().validate(doc))


def _root(grammar: Any) -> Any:
    """The root element of a grammar given as a document or an element."""
    return grammar.getroot() if isinstance(grammar, etree._ElementTree) else grammar


def batch_document(members: list[Any]) -> Any:
    """A ``<__vnl_batch>`` document holding copies of ``members``."""
    doc = etree.Element(_BATCH_ROOT)
    for member in members:
        kept = copy.deepcopy(member)
        kept.tail = None
        doc.append(kept)
    return doc


def _repetition(above: list[Any]) -> Any | None:
    """The repetition a child pattern sits in, if only choice, optional and
    references lie between them (the innermost pattern comes last)."""
    for node in reversed(above):
        if node.tag in _REPEATING:
            return node
        if node.tag not in _PASSING:
            return None
    return None


def pruned(doc: Any, runs: list[Run]) -> Any:
    """A copy of ``doc`` with each run cut to its first member."""
    work = copy.deepcopy(doc)
    work.tail = None
    # from the last run of a parent to its first, so positions stay right
    for run in sorted(runs, key=lambda r: r.first, reverse=True):
        parent = _follow(work, _positions(doc, run.parent))
        if parent is None:  # inside a member of another run, cut already
            continue
        if run.contiguous:
            del parent[run.first + 1 : run.last + 1]
        else:
            for node in parent[run.first + 1 : run.last + 1]:
                if isinstance(node.tag, str):
                    parent.remove(node)
    return work


def _positions(top: Any, el: Any) -> list[int]:
    """Where ``el`` is under ``top``: its position among its siblings, level by level."""
    steps = []
    while el is not top:
        parent = el.getparent()
        steps.append(parent.index(el))
        el = parent
    steps.reverse()
    return steps


def _follow(top: Any, steps: list[int]) -> Any | None:
    """The element :func:`_positions` gave ``steps`` for, in (a copy of) ``top``; or None."""
    el = top
    for step in steps:
        if step >= len(el):
            return None
        el = el[step]
    return el


def origins(work: Any, doc: Any, runs: list[Run]) -> dict[Any, Any]:
    """Each element of ``work`` (``pruned(doc, runs)``) → the element of ``doc`` it copies."""
    kept: dict[Any, list[Any]] = {}  # a run's parent → its children but the cut members
    for run in runs:
        children = kept.get(run.parent)
        if children is None:
            children = list(run.parent)
        cut = set(run.members[1:])
        kept[run.parent] = [c for c in children if c not in cut]
    origin_of: dict[Any, Any] = {}
    stack = [(work, doc)]
    while stack:
        copied, original = stack.pop()
        origin_of[copied] = original
        others = kept.get(original)
        for c_child, o_child in zip(
            list(copied), list(original) if others is None else others, strict=True
        ):
            if isinstance(o_child.tag, str):
                stack.append((c_child, o_child))
    return origin_of
