"""Why a document fails its grammar, found by experiment.

libxml2's RelaxNG errors say little ("Element network failed to validate
content"). The verdict is the grammar's, unchanged (:mod:`virtnetlib._validation.schema`);
the explanation here is found by experiment: on a copy of the document,
remove one attribute or child of the failing element at a time and
re-validate. What makes the failure go away is the culprit; the grammar's
facts (:mod:`virtnetlib._validation.grammar`) then say what would have been allowed
there. Repeating on the repaired copy finds every problem, not just the
first.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from virtnetlib._core.errors import closest
from virtnetlib._core.xml import LIBVIRT_NAMESPACES, element_path, qname_text
from virtnetlib._validation.grammar import ElementFacts, Grammar

__all__ = ["SchemaFinding", "explain", "finding_path"]

_MAX_ROUNDS = 60


@dataclass(frozen=True)
class SchemaFinding:
    """One schema problem: where (element in the original document) and what."""

    element: Any
    attribute: str | None
    message: str
    expected: tuple[str, ...] = ()
    code: str = "E110"
    #: the explanation stopped before finding every problem
    truncated: bool = False


_EXPECTING = re.compile(r"Expecting an element ([\w:.-]+)")
_BAD_ATTR = re.compile(r"Invalid attribute ([\w:.-]+) for element").search
_FAILED_ELEMENT = re.compile(r"^Element ([\w:.-]+) (?:failed to validate|has extra content)").match
_GENERIC = re.compile(r"failed to validate content|in interleave|Invalid sequence")


def _error_paths(rng: etree.RelaxNG) -> list[tuple[str, str]]:
    return [(e.path, e.message) for e in rng.error_log if e.path]


def _named(el: Any, message: str) -> Any:
    """The element a libxml2 message at ``el`` names ("Element vlan failed ..."):
    ``el`` or the nearest ancestor of that name."""
    m = _FAILED_ELEMENT(message)
    if m is None:
        return el
    node = el
    while node is not None and qname_text(node.tag, node.nsmap) != m.group(1):
        node = node.getparent()
    return el if node is None else node


def _resolve(work: Any, path: str) -> Any:
    try:
        found = work.getroottree().xpath(path)
    except etree.XPathError:
        return None
    return found[0] if found else None


def _still_failing(rng: etree.RelaxNG, work: Any, target_path: str) -> bool:
    if rng.validate(work):
        return False
    return any(
        path == target_path or path.startswith(target_path + "/") for path, _ in _error_paths(rng)
    )


def explain(  # noqa: PLR0917 - the explanation's inputs, each needed
    rng: etree.RelaxNG,
    grammar: Grammar,
    original: Any,
    work: Any,
    hints: dict[Any, list[tuple[str | None, str]]],
    origin_of: dict[Any, Any] | None = None,
) -> Iterator[SchemaFinding]:
    """Every problem of ``original``, found by experiments on ``work`` (its copy).

    ``origin_of`` maps each element of ``work`` to the one of ``original`` it
    copies, when ``work`` is not a whole copy (a document with long runs cut).
    """
    return _Explanation(rng, grammar, original, work, hints, origin_of).findings()


#: What a step of the explanation decides: the next round, stop, or on to the next step.
_NEXT, _STOP = "next", "stop"


@dataclass
class _Target:
    """The element one round of the explanation looks at, and what it knows of it."""

    el: Any
    path: str
    #: where a change ending the failure shows: the element, or for a
    #: focused one its parent (libxml2 reports the failure there)
    scope: str
    focused: bool
    message: str
    errors: list[tuple[str, str]]
    where: Any  # the element in the original document
    facts: ElementFacts
    shown: str


class _Explanation:
    """Each round validates the copy, picks the element libxml2 points at (or
    one a previous round chose), finds what is wrong with it by experiment,
    reports that, and removes or repairs it in the copy; until the copy is
    valid or the rounds run out.

    Per element, in order: A. its attributes; B. what it lacks; C. a child
    whose removal ends the failure; D. the element itself, where it stands.
    """

    def __init__(  # noqa: PLR0917 - explain()'s inputs
        self,
        rng: etree.RelaxNG,
        grammar: Grammar,
        original: Any,
        work: Any,
        hints: dict[Any, list[tuple[str | None, str]]],
        origin_of: dict[Any, Any] | None = None,
    ) -> None:
        self.rng, self.grammar, self.original, self.work, self.hints = (
            rng,
            grammar,
            original,
            work,
            hints,
        )
        self.origin_of = (
            dict(zip(work.iter(), original.iter(), strict=True)) if origin_of is None else origin_of
        )
        self.tree = work.getroottree()
        self.dropped: set[tuple[str, Any]] = set()  # (parent path, tag) already reported
        self.focus: Any = None  # the element to look at next, when not where libxml2 points
        self.lacking: set[str] = set()  # kept elements whose missing children were reported
        self.looked_at: list[Any] = []  # parents focused on because libxml2 named them
        self.looked_into: list[Any] = []  # failing children focused on to explain them

    def findings(self) -> Iterator[SchemaFinding]:
        rng = self.rng
        for _ in range(_MAX_ROUNDS):
            if rng.validate(self.work):
                return
            errors = _error_paths(rng)
            if not errors:
                yield SchemaFinding(self.original, None, _clean(rng.error_log.last_error))
                return
            target = self._target(errors)
            if isinstance(target, SchemaFinding):
                yield target
                return
            for step in (self._attributes, self._lacks, self._children, self._itself):
                outcome = yield from step(target)
                if outcome == _STOP:
                    return
                if outcome == _NEXT:
                    break
        if not rng.validate(self.work):
            # explaining goes on for a bounded number of rounds, not forever
            yield SchemaFinding(
                self.original,
                None,
                f"more schema problems than shown here (explained for {_MAX_ROUNDS} rounds); "
                "fix these and validate again",
                truncated=True,
            )

    def drop(self, el: Any) -> bool:
        """Remove a reported element from the copy; its absence is then not news."""
        parent = el.getparent()
        if parent is None:
            return False
        self.dropped.add((self.tree.getpath(parent), el.tag))
        parent.remove(el)
        return True

    def _target(self, errors: list[tuple[str, str]]) -> _Target | SchemaFinding:
        # Something missing explains best: libxml2 also blames the child it
        # stopped at (<model> where <source> should have come first).
        absent = [
            e
            for e in errors
            if (m := _EXPECTING.search(e[1]))
            and (e[0], m.group(1)) not in self.dropped
            and not _has_child(_resolve(self.work, e[0]), m.group(1))
        ]
        path, message = max(absent or errors, key=lambda e: e[0].count("/"))
        focused = self.focus is not None
        el, self.focus = (_resolve(self.work, path) if self.focus is None else self.focus), None
        if el is None:
            return SchemaFinding(self.original, None, _clean_message(message))
        el_path = self.tree.getpath(el)
        parent = el.getparent()
        return _Target(
            el=el,
            path=el_path,
            scope=self.tree.getpath(parent) if focused and parent is not None else el_path,
            focused=focused,
            message=message,
            errors=errors,
            where=self.origin_of.get(el, self.original),
            facts=self.grammar.of(el.tag),
            shown=qname_text(el.tag, el.nsmap),
        )

    def _attributes(self, t: _Target) -> Generator[SchemaFinding, None, str | None]:
        """A. attributes that make it fail."""
        parent = t.el.getparent()
        found = list(
            _attribute_findings(
                self.rng,
                work=self.work,
                target=t.el,
                target_path=t.scope,
                facts=t.facts,
                where=t.where,
                shown=t.shown,
                misplaced={
                    m.group(1) for p, msg in t.errors if p == t.path and (m := _BAD_ATTR(msg))
                },
                placed=parent is None or t.el.tag in self.grammar.of(parent.tag).children,
            )
        )
        if found:
            yield from found
            return _NEXT
        if t.focused and self.hints.get(t.where):
            # what the models found wrong with it says most
            for attribute, hint in self.hints[t.where]:
                yield SchemaFinding(t.where, attribute, hint, code=_hint_code(hint))
            self.drop(t.el)
            return _NEXT
        return None

    def _lacks(self, t: _Target) -> Generator[SchemaFinding, None, str | None]:
        """B. something required is missing."""
        expecting = [
            m.group(1)
            for p, msg in t.errors
            if p == t.path
            and (m := _EXPECTING.search(msg))
            and (t.path, m.group(1)) not in self.dropped
            and not _has_child(t.el, m.group(1))  # one that is there is wrong, not missing
        ]
        if not expecting and any(p == t.path and _EXPECTING.search(msg) for p, msg in t.errors):
            # only what an earlier finding removed is missing: nothing new to say
            return _NEXT if self.drop(t.el) else _STOP
        missing = _missing_attribute(t.el, t.facts)
        if not (expecting or missing):
            return None
        if missing:
            yield _lacks_attributes(t.where, t.shown, missing)
        for name in dict.fromkeys(expecting):
            yield SchemaFinding(
                t.where, None, f"missing required element <{name}> in <{t.shown}>", code="E102"
            )
            self.dropped.add((t.path, name))
        if not self.drop(t.el):
            if not expecting:
                return _STOP
            # the root stays (missing elements said): look on for what else
            # is wrong; libxml2 says nothing of its attributes until its
            # content fits, so those no definition knows are said here
            self.lacking.add(t.path)
            for name, value in list(t.el.attrib.items()):
                if name not in t.facts.attributes:
                    yield _describe_attr(name, value, t.facts, t.where, t.shown)
                    del t.el.attrib[name]
        return _NEXT

    def _children(self, t: _Target) -> Generator[SchemaFinding, None, str | None]:
        """C. a child that makes it fail."""
        culprits = _culprits(self.rng, self.work, t.el, t.scope)
        if not culprits:
            return None
        child = culprits[-1]
        if (
            len(culprits) == 1
            and child not in self.looked_into
            and not self.hints.get(self.origin_of.get(child))
            and _blame(child, t.where, self.grammar, t.facts).code == "E110"
        ):
            # an allowed child that fails for what it holds (a bad value in a
            # domain's <graphics>): look inside it before blaming it whole
            self.looked_into.append(child)
            self.focus = child
            return _NEXT
        yield from _blame_children(
            culprits, self.origin_of, self.original, self.grammar, self.hints
        )
        self.drop(culprits[-1])
        return _NEXT

    def _itself(self, t: _Target) -> Generator[SchemaFinding, None, str | None]:
        """D. the element itself, where it stands."""
        el, where = t.el, t.where
        parent = el.getparent()
        if parent is not None and any(
            p == t.path or p.startswith(t.path + "/") for p, _ in self.dropped
        ):
            # it fails for want of what was reported and removed from it
            self.drop(el)
            return _NEXT
        hinted = self.hints.get(where)
        named = _named(el, t.message)  # the element the message is about
        if not hinted and "failed to validate attributes" in t.message:
            # "Element host failed to validate attributes" (said at its child
            # <hostname>): first, an attribute that it lacks
            facts = self.grammar.of(named.tag)
            lacks = _absent_attribute(self.rng, self.work, named, self.tree.getpath(named), facts)
            if lacks is not None:
                yield _lacks_attributes(
                    self.origin_of.get(named, self.original),
                    qname_text(named.tag, named.nsmap),
                    [lacks],
                )
                return _NEXT  # the copy has it now: on to other problems
            if named is not el:
                self.focus = named
                return _NEXT
        if not hinted and named is not el and named not in self.looked_at:
            # libxml2 says an ancestor failed, at this child: a bad value of
            # the ancestor's first (a misspelt type makes every child wrong)
            self.looked_at.append(named)
            facts = self.grammar.of(named.tag)
            bad = _bad_value(self.rng, self.work, named, self.tree.getpath(named), facts)
            if bad is not None:
                where = self.origin_of.get(named, self.original)
                yield _describe_attr(*bad, facts, where, qname_text(named.tag, named.nsmap))
                return _NEXT
        text = (el.text or "").strip()
        if hinted:
            for attribute, hint in hinted:
                yield SchemaFinding(where, attribute, hint, code=_hint_code(hint))
        elif text and not any(isinstance(c.tag, str) for c in el) and t.facts.text:
            allowed = tuple(sorted(t.facts.text))
            yield SchemaFinding(
                where,
                None,
                f"invalid content {text!r} of <{t.shown}>; expected " + " or ".join(allowed),
                allowed,
                "E101",
            )
        elif parent is not None:
            # libxml2 names the child where it gave up, not always the one at
            # fault (<model> before a <target> that lacks dev): among its
            # siblings, the one whose removal ends the failure is
            parent_path = self.tree.getpath(parent)
            parent_facts = self.grammar.of(parent.tag)
            misplaced = el.tag not in parent_facts.children  # never allowed here
            siblings = [] if misplaced else _culprits(self.rng, self.work, parent, parent_path)
            if len(siblings) == 1 and el is not siblings[0]:
                self.focus = siblings[0]  # find out what is wrong with it
                return _NEXT
            if siblings and el not in siblings:
                yield from _blame_children(
                    siblings, self.origin_of, self.original, self.grammar, self.hints
                )
                self.drop(siblings[-1])
                return _NEXT
            blamed = _blame(el, where, self.grammar, parent_facts)
            if blamed.code == "E110":
                # a required child with a bad value (a disk's <target bus=>)
                # cannot be removed to find it: repair the children's values
                for child in [c for c in el if isinstance(c.tag, str)][:_ONE_BY_ONE]:
                    facts = self.grammar.of(child.tag)
                    bad = _bad_value(self.rng, self.work, child, parent_path, facts)
                    if bad is not None:
                        shown = qname_text(child.tag, child.nsmap)
                        child_where = self.origin_of.get(child, where)
                        yield _describe_attr(*bad, facts, child_where, shown)
                        return _NEXT
            if blamed.code != "E110" or parent_path not in self.lacking:
                # (in an element that lacks a child, its others only seem wrong)
                yield blamed
        else:
            yield SchemaFinding(
                where, None, f"<{t.shown}> does not match the schema: " + _clean_message(t.message)
            )
        return _NEXT if self.drop(el) else _STOP


#: Up to this many children, each is tried; beyond, halves are (one culprit).
_ONE_BY_ONE = 16


def _culprits(rng: etree.RelaxNG, work: Any, el: Any, el_path: str) -> list[Any]:
    """The children of ``el`` whose removal, one at a time, ends its failure.

    A <dhcp> with 10,000 hosts is not validated 10,000 times: with many
    children, the half whose removal ends the failure is kept until one
    child is left, so one culprit is found in about 2 log2(n) validations
    (none when no single child is at fault).
    """
    children = [c for c in el if isinstance(c.tag, str)]
    if len(children) <= _ONE_BY_ONE:
        return [c for c in children if _ends_failure(rng, work, el, el_path, [c])]
    while len(children) > 1:
        half = len(children) // 2
        for part in (children[:half], children[half:]):
            if _ends_failure(rng, work, el, el_path, part):
                children = part
                break
        else:
            return []  # at fault in both halves, or only together
    return children if _ends_failure(rng, work, el, el_path, children) else []


def _ends_failure(
    rng: etree.RelaxNG, work: Any, el: Any, el_path: str, children: list[Any]
) -> bool:
    """Whether ``el`` passes without ``children``; they are put back in place."""
    position = {c: i for i, c in enumerate(el)}
    placed = [(position[c], c) for c in children]
    for _, child in placed:
        el.remove(child)
    try:
        return not _still_failing(rng, work, el_path)
    finally:
        for index, child in placed:
            el.insert(index, child)


def _blame_children(
    culprits: list[Any],
    origin_of: dict[Any, Any],
    original: Any,
    grammar: Grammar,
    hints: dict[Any, list[tuple[str | None, str]]],
) -> Iterator[SchemaFinding]:
    """What is wrong with the children (of one parent) that make it fail."""
    parent = culprits[-1].getparent()
    where = origin_of.get(parent, original)
    if len({c.tag for c in culprits}) > 1:
        names = ", ".join(sorted({f"<{qname_text(c.tag, c.nsmap)}>" for c in culprits}))
        shown = qname_text(parent.tag, parent.nsmap)
        yield SchemaFinding(
            origin_of.get(culprits[-1], where),
            None,
            f"{names} cannot be used together in <{shown}>",
        )
        return
    child = culprits[-1]
    hinted = hints.get(origin_of.get(child))
    if hinted:
        for attribute, hint in hinted:
            yield SchemaFinding(origin_of[child], attribute, hint, code=_hint_code(hint))
    else:
        yield _blame(child, origin_of.get(child, where), grammar, grammar.of(parent.tag))


def _hint_code(message: str) -> str:
    if message.startswith("missing required"):
        return "E102"
    if "may appear only once" in message:
        return "E103"
    return "E101"


def _attr_label(name: str, el: Any) -> str:
    """An attribute's name as the document spells it (``xml:lang``, not ``{uri}lang``)."""
    return qname_text(name, el.nsmap) if name[:1] == "{" else name


def _describe_attr(
    name: str, value: str, facts: ElementFacts, where: Any, shown: str
) -> SchemaFinding:
    label = _attr_label(name, where)
    allowed = facts.attributes.get(name)
    if allowed:
        # the values the grammar lists by name ('nat'), not described ones
        literals = [a[1:-1] for a in allowed if a[:1] == "'" and a[-1:] == "'"]
        hint = _did_you_mean(value, literals)
        return SchemaFinding(
            where,
            name,
            f"invalid value {value!r} for {label}{hint}; expected " + " or ".join(sorted(allowed)),
            tuple(sorted(allowed)),
            "E101",
        )
    names = sorted(facts.attributes)
    return SchemaFinding(
        where,
        name,
        f"attribute {label!r} is not allowed on <{shown}>"
        + _did_you_mean(name, names)
        + (f"; allowed: {', '.join(names)}" if names else ""),
        tuple(names),
        "E104",
    )


def _did_you_mean(name: str, known: list[str]) -> str:
    """``; did you mean 'x'?`` for a likely misspelling of one of ``known``."""
    meant = closest(name, known)
    return f"; did you mean {meant!r}?" if meant else ""


def _attribute_findings(
    rng: etree.RelaxNG,
    *,
    work: Any,
    target: Any,
    target_path: str,
    facts: ElementFacts,
    where: Any,
    shown: str,
    misplaced: set[str],
    placed: bool,
) -> Iterator[SchemaFinding]:
    """Findings about attributes; ``misplaced``: those libxml2 says are invalid
    here; ``placed``: whether the element itself may stand where it is."""
    attrs = list(target.attrib.items())
    if not attrs:
        return
    # a name with a prefix no namespace declaration gives (x:name='a', kept
    # as libxml2 2.9 reads it) cannot be set again, so it takes no part in
    # the experiments below: it is reported, and left out of the copy
    unsettable = [name for name, _ in attrs if not _settable(name)]
    for name in unsettable:
        yield SchemaFinding(
            where,
            name,
            f"attribute {name!r} has a namespace prefix no xmlns declaration gives",
            code="E104",
        )
        del target.attrib[name]
    if unsettable:
        return
    if facts.definitions and placed:
        # names no definition of the element knows are wrong whatever else is
        unknown = [(name, value) for name, value in attrs if name not in facts.attributes]
        for name, value in unknown:
            yield _describe_attr(name, value, facts, where, shown)
            del target.attrib[name]
        if unknown:
            return
    # a bad value: a known-good one in its place ends the failure (tried
    # before removals, which also "end" it when the failure moves to the
    # parent for want of a required attribute)
    replaced = _bad_value(rng, work, target, target_path, facts)
    if replaced is not None:
        yield _describe_attr(*replaced, facts, where, shown)
        return
    singles = []
    for name, value in attrs:
        del target.attrib[name]
        if not _still_failing(rng, work, target_path):
            singles.append((name, value))
        target.set(name, value)
    if len(singles) == 1:
        name, value = singles[0]
        if not _allowed(name, value, facts):
            yield _describe_attr(name, value, facts, where, shown)
        elif name in misplaced:
            # a value allowed on this element elsewhere, not here (<interface
            # type=...> inside a host interface's <vlan>)
            label = _attr_label(name, where)
            yield SchemaFinding(
                where, name, f"attribute {label!r} is not allowed on <{shown}> here", code="E104"
            )
        else:
            # a good value that picks what the content must be (a protocol's
            # family, an interface's type): the content is what is wrong
            return
        del target.attrib[name]
        return
    if singles:
        names = ", ".join(n for n, _ in singles)
        yield SchemaFinding(
            where, singles[-1][0], f"attributes {names} of <{shown}> cannot be used together"
        )
        del target.attrib[singles[-1][0]]
        return
    # several bad attributes at once: each one, kept alone, still fails
    target.attrib.clear()
    if _still_failing(rng, work, target_path):
        for name, value in attrs:
            target.set(name, value)
        return
    bad = []
    for name, value in attrs:
        target.set(name, value)
        if _still_failing(rng, work, target_path) and not _allowed(name, value, facts):
            bad.append((name, value))
        del target.attrib[name]
    if not bad and any(_allowed(name, value, facts) for name, value in attrs):
        # good values only: one of them picks what the content must be
        # (type='vhostuser'), and the content is what is wrong
        for name, value in attrs:
            target.set(name, value)
        return
    for name, value in attrs:
        if (name, value) not in bad:
            target.set(name, value)
    for name, value in bad:
        yield _describe_attr(name, value, facts, where, shown)
    if not bad:  # only the combination fails; report it and keep going without them
        names = ", ".join(n for n, _ in attrs)
        yield SchemaFinding(where, None, f"attributes {names} of <{shown}> do not fit together")


def _bad_value(
    rng: etree.RelaxNG, work: Any, el: Any, el_path: str, facts: ElementFacts
) -> tuple[str, str] | None:
    """The attribute whose value, replaced by one the grammar accepts, ends the failure.

    The replacement stays in place (the copy is repaired); a close match of
    the bad value ('network' for 'netwrok') is tried first.
    """
    for name, value in list(el.attrib.items()):
        if _allowed(name, value, facts) or not _settable(name):
            continue  # a good value; another one fitting says the content is wrong
        samples = sorted(facts.samples.get(name, ()))
        meant = closest(value, samples)
        for sample in ([meant] if meant else []) + [x for x in samples if x != meant]:
            el.set(name, sample)
            if not _still_failing(rng, work, el_path):
                return name, value
        el.set(name, value)
    return None


def _absent_attribute(
    rng: etree.RelaxNG, work: Any, el: Any, el_path: str, facts: ElementFacts
) -> str | None:
    """An attribute ``el`` lacks: the one whose addition, with a value the
    grammar accepts, ends the failure (left in place), or None."""
    for name in sorted(set(facts.attributes) - set(el.attrib)):
        for sample in sorted(facts.samples.get(name, ())):
            el.set(name, sample)
            if not _still_failing(rng, work, el_path):
                return name
            del el.attrib[name]
    return None


def _settable(name: str) -> bool:
    """Whether lxml takes ``name`` back in ``set()``: plain, or ``{uri}local``."""
    return name[:1] == "{" or ":" not in name


def _has_child(el: Any, tag: str) -> bool:
    """Whether ``el`` has a child element named ``tag`` (as libxml2 writes it)."""
    return el is not None and any(c.tag == tag for c in el)


def _allowed(name: str, value: str, facts: ElementFacts) -> bool:
    """Whether the grammar lists ``value`` by name for this attribute (somewhere)."""
    return repr(value) in facts.attributes.get(name, ())


def _blame(el: Any, where: Any, grammar: Grammar, parent_facts: ElementFacts) -> SchemaFinding:
    """Why ``el`` cannot stand where it is."""
    shown = qname_text(el.tag, el.nsmap)
    parent = el.getparent()
    parent_shown = qname_text(parent.tag, parent.nsmap) if parent is not None else "?"
    twins = [c for c in parent if c.tag == el.tag and c is not el] if parent is not None else []
    if el.tag not in parent_facts.children:
        prefixes = {**LIBVIRT_NAMESPACES, **(parent.nsmap if parent is not None else {})}
        allowed = sorted({qname_text(t, prefixes) for t in parent_facts.children})
        meant = closest(shown, allowed)
        return SchemaFinding(
            where,
            None,
            f"element <{shown}> is not allowed in <{parent_shown}>"
            + (f"; did you mean <{meant}>?" if meant else "")
            + (f"; allowed: {', '.join(f'<{a}>' for a in allowed)}" if allowed else ""),
            tuple(allowed),
            "E105",
        )
    if twins and el.tag not in parent_facts.repeatable:
        # the grammar never lets it repeat here (a second <bridge>; not a bad
        # <host> among many)
        return SchemaFinding(
            where, None, f"<{shown}> may appear only once in <{parent_shown}>", code="E103"
        )
    facts = grammar.of(el.tag)
    missing = _missing_attribute(el, facts)
    if missing:
        return _lacks_attributes(where, shown, missing)
    if facts.definitions:
        # an attribute no definition of it knows (<forwarder port=...>)
        for name, value in el.attrib.items():
            if name not in facts.attributes:
                return _describe_attr(name, value, facts, where, shown)
    return SchemaFinding(
        where, None, f"<{shown}> is not allowed in <{parent_shown}> with this content"
    )


def _lacks_attributes(where: str, shown: str, missing: list[str]) -> SchemaFinding:
    plural = "s" if len(missing) > 1 else ""
    names = ", ".join(repr(m) for m in missing)
    return SchemaFinding(
        where, None, f"<{shown}> lacks required attribute{plural} {names}", tuple(missing), "E102"
    )


def _missing_attribute(target: Any, facts: ElementFacts) -> list[str]:
    """Required attributes not given; only trusted when the element has one definition."""
    if facts.definitions != 1:
        return []
    return sorted(name for name in facts.required if name not in target.attrib)


def _clean_message(message: str) -> str:
    if _GENERIC.search(message):
        return "its content does not fit where it is"
    return message.rstrip(".")


def _clean(entry: Any) -> str:
    return _clean_message(entry.message) if entry is not None else "does not match the schema"


def finding_path(finding: SchemaFinding) -> str:
    """The XPath-like location of a finding, with ``/@attr`` for attributes."""
    base = element_path(finding.element)
    if finding.attribute is None:
        return base
    return f"{base}/@{_attr_label(finding.attribute, finding.element)}"
