"""``validate()``: schema errors, libvirt's define-time errors, and advice.

Three sources of problems, each with a stable code:

- ``E1xx`` schema: the document against RelaxNG (virtnetlib's own grammars
  by default, generated from libvirt 11.3's; or the host's, or a folder);
- ``E2xx`` define time: checks libvirt makes when it parses and defines,
  which no schema expresses (see ``virtnetlib._validation.rules``); ``E4xx`` those of
  libvirtd's network driver, ``E5xx`` those of its QEMU driver (in a
  ``kvm`` or ``qemu`` domain);
- ``W3xx`` advice from the RHEL 10 guide; each can be disabled.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from virtnetlib._core.display import ModelList
from virtnetlib._core.errors import (
    Error,
    ParseError,
    UsageError,
    closest,
    expect_names,
    expect_path,
)
from virtnetlib._core.model import Model, parse_root_kept, unmodeled
from virtnetlib._core.xml import (
    ElementsByPath,
    PathCache,
    element_path,
    parse_document,
    qname_text,
    read_source,
    root_name,
)
from virtnetlib._models.documents import DOCUMENTS, document_kind
from virtnetlib._validation.explain import SchemaFinding, finding_path
from virtnetlib._validation.problem import SCHEMA_CODES, Problem, Severity
from virtnetlib._validation.rules import E_PARSER_VALUE, RULES, check_domain, check_model
from virtnetlib._validation.schema import load_schemas
from virtnetlib._validation.versions import (
    Version,
    parse_version,
    system_version,
    version_problems,
)

__all__ = ["Kind", "Problem", "Severity", "check_files", "validate", "validate_known"]

#: Root elements of the documents virtnetlib reads as libvirt's (hooks skip the rest).
LIBVIRT_ROOTS = frozenset({"network", "interface", "domain"})

Kind = Literal["network", "interface", "hostinterface", "domain"]
"""What a document is: a network, a domain interface, a host interface, a domain."""


def _kind_of(root: Any) -> str | None:
    kind = document_kind(root)
    # a forward-pool entry has no grammar of its own: checked as a device
    return "interface" if kind == "forward" else kind


class _Strict:
    """An element read strictly, once: the model and whether XML was kept, or the error.

    The schema's explanation asks for it (hints) and so do the define-time
    checks; a document with 20,000 bad values is not read twice for them.
    """

    def __init__(self, element: Any, kind: str, paths: PathCache) -> None:
        self.element, self.kind, self.paths = element, kind, paths

    @functools.cached_property
    def result(self) -> tuple[Model, bool] | ParseError:
        try:
            cls = DOCUMENTS[self.kind]
            return parse_root_kept(cls, self.element, strict=True, paths=self.paths)
        except ParseError as exc:
            return exc

    def hints(self) -> dict[Any, list[tuple[str | None, str]]]:
        """Typed-model complaints about the element, keyed by the element they concern."""
        exc = self.result
        if not isinstance(exc, ParseError):
            return {}
        elements = ElementsByPath(self.element, self.paths)
        hints: dict[Any, list[tuple[str | None, str]]] = {}
        for issue in exc.issues:
            path = issue.path or ""
            base, _, attribute = path.partition("/@")
            target, _ = elements.get(base)
            if target is not None:
                hints.setdefault(target, []).append((attribute or None, issue.message))
        return hints


def _element_of(path: str) -> str:
    return path.split("/@", 1)[0]


def _untwinned(path: str) -> str:
    """An element's path without its index among same-named siblings."""
    return re.sub(r"\[\d+\]$", "", _element_of(path))


class _Related:
    """Element paths; ``path in related``: it is one of them, inside one, or holds one.

    Sets, not a scan: a document with 20,000 problems asks 20,000 times.
    """

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = set(paths)
        self.holders = {a for p in self.paths for a in _ancestors(p)}

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        return (
            path in self.paths
            or path in self.holders
            or any(a in self.paths for a in _ancestors(path))
        )


def _ancestors(path: str) -> Iterator[str]:
    """``/a/b/c`` → ``/a/b``, ``/a``."""
    while (cut := path.rfind("/")) > 0:
        path = path[:cut]
        yield path


def _from_finding(finding: SchemaFinding) -> Problem:
    return Problem(
        "error",
        finding.code,
        finding.message,
        finding.element.sourceline,
        finding_path(finding),
        finding.expected,
    )


def validate(
    source: str | bytes | os.PathLike[str] | Model,
    *,
    kind: Kind | None = None,
    schemas: str | os.PathLike[str] | None = None,
    disable: Iterable[str] | None = (),
    domain_type: str | None = None,
    libvirt: str | tuple[int, ...] | int | None = None,
) -> list[Problem]:
    """Check a document as libvirt would, before libvirt does.

    ``source`` is XML text or bytes, a path, or a model. ``kind`` is taken
    from the document when not given. A ``<domain>`` is checked whole: each
    of its interfaces with the interface grammar and rules, with its
    driver's checks (E5xx for ``kvm`` and ``qemu``), the rest against
    libvirt's domain grammar, and the define-time checks across its devices
    that involve the NICs (boot order, host devices, aliases, PCI and MAC
    addresses; not libvirt's checks of disks, CPUs or memory).
    ``domain_type`` is the ``<domain type=>`` an interface seen on its own
    will go into: ``"kvm"`` or ``"qemu"`` adds the QEMU driver's
    checks to it. ``schemas``: ``None`` for virtnetlib's own, ``"system"``
    for ``/usr/share/libvirt/schemas`` (and then ``libvirt`` defaults to
    the host's release, so features its schemas do not know are named with
    the release that brought them), or a folder. Codes in ``disable``
    are left out. ``libvirt`` (``"9.0"``) is the release the document is
    for: each feature newer than it is an E601 (its parser refuses or
    drops it) or E602 (its QEMU driver refuses it) problem, naming the
    release that introduced it and where that fact comes from. Problems
    come sorted by line.
    """
    return _checked(
        source,
        kind,
        schemas,
        disable,
        known_only=False,
        domain_type=domain_type,
        libvirt=_target(libvirt),
    )


def validate_known(
    path: str | os.PathLike[str],
    *,
    schemas: str | os.PathLike[str] | None = None,
    disable: Iterable[str] | None = (),
    domain_type: str | None = None,
    libvirt: str | tuple[int, ...] | int | None = None,
) -> list[Problem]:
    """:func:`validate` for a file that may be any XML (a pre-commit hook's input).

    A document that is not a network, an interface or a domain gives no
    problems; the file is read and parsed once either way.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise UsageError(f"expected a file path, got {type(path).__name__}")
    return _checked(
        Path(path),
        None,
        schemas,
        disable,
        known_only=True,
        domain_type=domain_type,
        libvirt=_target(libvirt),
    )


def _target(value: Any) -> Version | None:
    return None if value is None else parse_version(value)


def _checked(
    source: str | bytes | os.PathLike[str] | Model,
    kind: str | None,
    schemas: str | os.PathLike[str] | None,
    disable: Iterable[str] | None,
    *,
    known_only: bool,
    domain_type: str | None = None,
    libvirt: Version | None = None,
) -> list[Problem]:
    data, filename = _read(source)
    if libvirt is None and schemas == "system":
        libvirt = system_version()  # the host's schemas: what its libvirt has not got
    found = _validate_all(
        [data],
        kind,
        schemas,
        known_only=known_only,
        domain_type=_domain_type(domain_type),
        libvirt=libvirt,
    )[0]
    return _reported(found, disable, filename)


def _domain_type(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value):
        raise UsageError(f"domain_type: expected a domain type such as 'kvm', got {value!r}")
    return value


def check_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    schemas: str | os.PathLike[str] | None = None,
    disable: Iterable[str] | None = (),
    known_only: bool = False,
    domain_type: str | None = None,
    libvirt: str | tuple[int, ...] | int | None = None,
) -> list[list[Problem] | Error]:
    """:func:`validate` (or :func:`validate_known`) for each file, validated together.

    The result for each file is what the single call gives, or the
    :class:`Error` it raises. The command line validates its files this way,
    a few dozen at a time (see :func:`_validate_all`).
    """
    # a name no file system takes (a NUL in it) is that file's "cannot read"
    names = [
        os.fspath(path)
        if isinstance(path, (str, os.PathLike))
        else str(expect_path(path, f"paths[{i}]"))
        for i, path in enumerate(paths)
    ]
    read: list[tuple[int, str | bytes]] = []
    results: list[list[Problem] | Error] = []
    for i, path in enumerate(names):
        try:
            read.append((i, _read(Path(path))[0]))
            results.append([])
        except Error as exc:
            results.append(exc)
    domain_type = _domain_type(domain_type)
    target = _target(libvirt)
    if target is None and schemas == "system":
        target = system_version()
    try:
        found = _validate_all(
            [data for _, data in read],
            None,
            schemas,
            known_only=known_only,
            domain_type=domain_type,
            libvirt=target,
        )
    except Error:
        # a problem with the schemas themselves: each file says so, as alone
        for i, _ in read:
            try:
                results[i] = _checked(
                    Path(names[i]),
                    None,
                    schemas,
                    disable,
                    known_only=known_only,
                    domain_type=domain_type,
                    libvirt=target,
                )
            except Error as exc:
                results[i] = exc
        return results
    for (i, _), problems in zip(read, found, strict=True):
        results[i] = _reported(problems, disable, names[i])
    return results


def _read(source: str | bytes | os.PathLike[str] | Model) -> tuple[str | bytes, str | None]:
    if isinstance(source, Model):
        return source.to_xml(), None
    return read_source(source)


def disabled_codes(disable: Any) -> set[str]:
    """The codes to leave out: None or an iterable of codes (a lone str is refused,
    not read letter by letter); a code virtnetlib does not have is refused too,
    as a misspelt ``W33`` would otherwise disable nothing without a word."""
    codes = set() if disable is None else set(expect_names(disable, "disable"))
    known = SCHEMA_CODES.keys() | RULES.keys()
    unknown = sorted(codes - known)
    if unknown:
        meant = closest(unknown[0].upper(), known)
        raise UsageError(
            f"disable: unknown problem code {unknown[0]!r}"
            + (f"; did you mean {meant!r}?" if meant else "")
            + " (the codes are listed in docs/validation.md)"
        )
    return codes


def _reported(
    found: list[Problem], disable: Iterable[str] | None, filename: str | None
) -> list[Problem]:
    """Problems as validate() returns them: without disabled codes, by line, with the file."""
    skip = disabled_codes(disable)
    problems = [p for p in found if p.code not in skip]
    problems.sort(key=lambda p: (p.line or 0, p.severity != "error", p.code))
    if filename:
        problems = [attrs.evolve(p, file=filename) for p in problems]
    return ModelList(problems)  # a list; a notebook shows it as one table


class _Target:
    """An element to check: a document's root, or each interface of a domain."""

    __slots__ = ("element", "findings", "kind", "paths", "strict")

    def __init__(self, element: Any, kind: str, paths: PathCache) -> None:
        self.element, self.kind, self.paths = element, kind, paths
        self.strict = _Strict(element, kind, paths)
        self.findings: list[SchemaFinding] = []


def _validate_all(
    datas: Sequence[str | bytes],
    kind: str | None,
    schemas: str | os.PathLike[str] | None,
    *,
    known_only: bool = False,
    domain_type: str | None = None,
    libvirt: Version | None = None,
) -> list[list[Problem]]:
    """The problems of each document, found one stage at a time.

    Each stage (reading the XML, reading the models, the schema, the
    define-time rules) runs over every document before the next starts. The
    results are the same as taking each document through all stages, but on
    many small documents this takes a quarter less time: each stage's code
    and data stay in the processor's caches instead of evicting each other.
    """
    started = [_start(data, kind, known_only) for data in datas]
    if all(isinstance(s, list) for s in started):
        return [s for s in started if isinstance(s, list)]  # no schema needed
    targets = [t for s in started if not isinstance(s, list) for t in s[2]]
    schema_set = load_schemas(None if schemas is None else os.fspath(schemas))
    for target in targets:
        _ = target.strict.result
    # the document's length tells whether it may hold long runs (virtnetlib._validation.bulk)
    sizes = {
        id(t): len(data)
        for s, data in zip(started, datas, strict=True)
        if not isinstance(s, list)
        for t in s[2]
    }
    for target in targets:
        target.findings = schema_set.check(
            target.kind, target.element, target.strict.hints, sizes[id(target)]
        )
    return [
        s
        if isinstance(s, list)
        else _rule_problems(*s, domain_type) + _too_new(s, libvirt, domain_type)
        for s in started
    ]


def _too_new(
    started: tuple[Any, str, list[Any]], libvirt: Version | None, domain_type: str | None
) -> list[Problem]:
    """The features a document uses that the target libvirt does not have."""
    if libvirt is None:
        return []
    root, kind, _ = started
    return version_problems(root, kind, libvirt, domain_type)


def _start(
    data: str | bytes, kind: str | None, known_only: bool
) -> list[Problem] | tuple[Any, str, list[_Target]]:
    """The document's root, kind and what to check in it; or the problems that end it."""
    try:
        root = parse_document(data)
    except ParseError as exc:
        if known_only and kind is None and root_name(data) not in LIBVIRT_ROOTS:
            return []  # other XML (an SVG with a DOCTYPE, a broken pom.xml): not ours
        return [
            Problem("error", "E100", issue.message, issue.line, issue.path) for issue in exc.issues
        ]
    found = _kind_of(root)
    if known_only and kind is None and found is None:
        return []  # not a document of ours: nothing to say about it
    if kind is None:
        kind = found
    if kind is None or (
        found is not None
        and found != kind
        and not (kind in ("interface", "hostinterface") and found in ("interface", "hostinterface"))
    ):
        return [
            Problem(
                "error",
                "E100",
                f"expected a {kind or 'network, interface or domain'} document, got <{root.tag!s}>",
                root.sourceline,
                element_path(root),
            )
        ]
    paths = PathCache()  # one per document: a domain's interfaces share it
    if kind == "domain":
        nics = root.findall("devices/interface")
        return (
            root,
            kind,
            [_Target(_without(root, nics), "domain", paths)]
            + [_Target(el, "interface", paths) for el in nics],
        )
    return root, kind, [_Target(root, kind, paths)]


def _without(root: Any, nics: list[Any]) -> Any:
    """The domain for libvirt's domain grammar: a copy without its NICs, which
    the interface grammar checks on their own, so each problem is said once.
    The copy keeps every other element's line and path."""
    if not nics:
        return root
    work = copy.deepcopy(root)
    for nic in work.findall("devices/interface"):
        parent = nic.getparent()
        previous = nic.getprevious()
        # the whitespace after the NIC goes too, as if it had never been written
        if previous is not None:
            previous.tail = nic.tail
        else:
            parent.text = nic.tail
        parent.remove(nic)
    return work


def _rule_problems(
    root: Any, kind: str, targets: list[_Target], domain_type: str | None
) -> list[Problem]:
    """The schema's findings as problems, then the models' and the define-time rules'.

    ``domain_type`` is the driver an interface seen on its own is for; a
    domain says its own.
    """
    if kind == "domain":
        domain_type = root.get("type")
    problems: list[Problem] = []
    for target in targets:
        element, findings = target.element, target.findings
        schema_problems = [_from_finding(f) for f in findings]
        problems.extend(schema_problems)
        cls = DOCUMENTS[target.kind]
        base, root_tag = target.paths.path(element), "/" + qname_text(str(element.tag), {})
        read = target.strict.result
        if isinstance(read, ParseError):
            # The models read values as libvirt's parser does, which refuses
            # some its schema lets through (hex without 0x); say so where no
            # schema problem already points at the element.
            flagged = _Related(_element_of(p.path or "") for p in schema_problems)
            # a repeated element the schema reported at one of its twins
            repeated = {_untwinned(p.path or "") for p in schema_problems if p.code == "E103"}
            # when the schema's explanation stopped early, an issue it did not
            # reach cannot be told from a schema problem: leave it to the rerun
            truncated = any(f.truncated for f in findings)
            for issue in read.issues:
                path = issue.path or base  # issues name the element in its document
                if truncated or _untwinned(path) in repeated:
                    continue
                if _element_of(path) not in flagged:
                    problems.append(
                        Problem("error", E_PARSER_VALUE.code, issue.message, issue.line, path)
                    )
            try:
                model, kept = parse_root_kept(cls, element, strict=False)
            except ParseError:
                continue  # the problems above say why
        else:
            model, kept = read
        # A value the models could not read is kept aside and reads as absent,
        # so a rule about that element would only echo the schema error (an
        # invalid forward mode read as the default "nat"); leave those out.
        bad = _Related(
            _element_of(base + path[len(root_tag) :]) for path in (unmodeled(model) if kept else ())
        )
        problems.extend(
            p
            for p in check_model(model, element, domain_type, target.paths)
            if _element_of(p.path or "") not in bad
        )
    if kind == "domain":
        problems.extend(check_domain(root))
    return problems
