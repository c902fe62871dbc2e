"""``validate()``: schema errors, libvirt's define-time errors, and advice.

Three sources of problems, each with a stable code:

- ``E1xx`` schema: the document against RelaxNG (virtnetlib's own grammars
  by default, generated from libvirt 11.3's; or the host's, or a folder);
- ``E2xx`` define time: checks libvirt makes when it parses and defines,
  which no schema expresses (see ``virtnetlib._rules``);
- ``W3xx`` advice from the RHEL 10 guide; each can be disabled.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import attrs

from virtnetlib._binding import Model, parse_root_kept, unmodeled
from virtnetlib._errors import Error, ParseError, UsageError
from virtnetlib._modellist import ModelList
from virtnetlib._parse import interface_kind
from virtnetlib._problem import Problem, Severity
from virtnetlib._rules import E_PARSER_VALUE, check_domain, check_model
from virtnetlib._schema import SchemaFinding, finding_path, load_schemas
from virtnetlib._xml import ElementsByPath, element_path, parse_document, qname_text

__all__ = ["Kind", "Problem", "Severity", "validate", "validate_known"]

Kind = Literal["network", "interface", "hostinterface", "domain"]
"""What a document is: a network, a domain interface, a host interface, a domain."""


def _model(kind: str) -> type[Model]:
    """The model class for ``kind``, its module loaded only when needed (start-up time)."""
    if kind == "network":
        from virtnetlib._network import Network  # noqa: PLC0415 - loaded on demand

        return Network
    if kind == "interface":
        from virtnetlib._interface import Interface  # noqa: PLC0415 - loaded on demand

        return Interface
    from virtnetlib._hostinterface import HostInterface  # noqa: PLC0415 - loaded on demand

    return HostInterface


def _kind_of(root: Any) -> str | None:
    tag = root.tag
    if tag == "network":
        return "network"
    if tag == "domain":
        return "domain"
    if tag == "interface":
        # a forward-pool entry has no grammar of its own: checked as a device
        return "hostinterface" if interface_kind(root) == "hostinterface" else "interface"
    return None


class _Strict:
    """An element read strictly, once: the model and whether XML was kept, or the error.

    The schema's explanation asks for it (hints) and so do the define-time
    checks; a document with 20,000 bad values is not read twice for them.
    """

    def __init__(self, element: Any, kind: str) -> None:
        self.element, self.kind = element, kind

    @functools.cached_property
    def result(self) -> tuple[Model, bool] | ParseError:
        try:
            return parse_root_kept(_model(self.kind), self.element, strict=True)
        except ParseError as exc:
            return exc

    def hints(self) -> dict[Any, list[tuple[str | None, str]]]:
        """Typed-model complaints about the element, keyed by the element they concern."""
        exc = self.result
        if not isinstance(exc, ParseError):
            return {}
        elements = ElementsByPath(self.element)
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
    disable: Iterable[str] = (),
) -> list[Problem]:
    """Check a document as libvirt would, before libvirt does.

    ``source`` is XML text or bytes, a path, or a model. ``kind`` is taken
    from the document when not given; a ``<domain>`` has each of its
    interfaces checked. ``schemas``: ``None`` for virtnetlib's own,
    ``"system"`` for ``/usr/share/libvirt/schemas``, or a folder. Codes in
    ``disable`` are left out. Problems come sorted by line.
    """
    return _checked(source, kind, schemas, disable, known_only=False)


def validate_known(
    path: str | os.PathLike[str],
    *,
    schemas: str | os.PathLike[str] | None = None,
    disable: Iterable[str] = (),
) -> list[Problem]:
    """:func:`validate` for a file that may be any XML (a pre-commit hook's input).

    A document that is not a network, an interface or a domain gives no
    problems; the file is read and parsed once either way.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise UsageError(f"expected a file path, got {type(path).__name__}")
    return _checked(Path(path), None, schemas, disable, known_only=True)


def _checked(
    source: str | bytes | os.PathLike[str] | Model,
    kind: str | None,
    schemas: str | os.PathLike[str] | None,
    disable: Iterable[str],
    *,
    known_only: bool,
) -> list[Problem]:
    filename: str | None = None
    if isinstance(source, Model):
        data: str | bytes = source.to_xml()
    elif isinstance(source, os.PathLike):
        filename = os.fspath(source)
        try:
            with open(filename, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise Error(f"cannot read {filename}: {exc.strerror or exc}") from exc
    else:
        data = source
    skip = set(disable)
    found = _validate(data, kind, schemas, known_only=known_only)
    problems = [p for p in found if p.code not in skip]
    problems.sort(key=lambda p: (p.line or 0, p.severity != "error", p.code))
    if filename:
        problems = [attrs.evolve(p, file=filename) for p in problems]
    return ModelList(problems)  # a list; a notebook shows it as one table


def _validate(
    data: str | bytes,
    kind: str | None,
    schemas: str | os.PathLike[str] | None,
    *,
    known_only: bool = False,
) -> list[Problem]:
    try:
        root = parse_document(data)
    except ParseError as exc:
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
    schema_set = load_schemas(None if schemas is None else os.fspath(schemas))
    targets = (
        [(el, "interface") for el in root.iterfind("devices/interface")]
        if kind == "domain"
        else [(root, kind)]
    )
    problems: list[Problem] = []
    for element, target_kind in targets:
        strict = _Strict(element, target_kind)
        findings = schema_set.check(target_kind, element, strict.hints)
        schema_problems = [_from_finding(f) for f in findings]
        problems.extend(schema_problems)
        cls = _model(target_kind)
        base, root_tag = element_path(element), "/" + qname_text(str(element.tag), {})
        read = strict.result
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
            p for p in check_model(model, element) if _element_of(p.path or "") not in bad
        )
    if kind == "domain":
        problems.extend(check_domain(root))
    return problems
