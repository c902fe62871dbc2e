"""The rules' registry, and the engine that runs their checks on a model.

A rule is declared on the function that checks it::

    @rule("E201", "a network name may not contain '/'", on=Network,
          libvirt="virNetworkDefParseXML")
    def _name(net: Network) -> Iterator[Finding]:
        if net.name and "/" in net.name:
            yield "E201", f"invalid character '/' in network name {net.name!r}", "name", None

The decorator records the :class:`Rule` in :data:`RULES` and the function
as its check. A check that reports several codes carries one decorator per
code. A rule that libvirt makes in more than one place (an address family
checked on a network's ``<ip>``, on routes and on an interface's ``<ip>``)
is declared once, with its summary, and each further check names the code,
the models and the libvirt function only.

A check takes the model and yields findings ``(code, message, path,
attribute)``, the path relative to the model's element; :func:`at` spells a
child's step from the model's own declarations. :func:`check_model` runs the
checks whose ``on`` the model is an instance of, in the order they were
declared, and places each finding in the document (path and line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import attrs

from virtnetlib._core.model import Model, _plan_of
from virtnetlib._core.xml import ElementsByPath, PathCache, element_path
from virtnetlib._validation.problem import Problem, Severity

#: (code, message, path relative to the checked element, attribute or None)
Finding = tuple[str, str, str, str | None]

#: The ``type`` of a domain whose interfaces get the QEMU driver's checks.
QEMU_DOMAIN_TYPES = frozenset({"kvm", "qemu"})


class DomainDevices:
    """What a domain-wide check is on: the devices of one ``<domain>`` together.

    Such a check takes the ``<domain>`` element (there is no domain model)
    and yields :class:`~virtnetlib._validation.problem.Problem` objects.
    """


def _severity(code: str) -> Severity:
    return "error" if code.startswith("E") else "warning"


@attrs.frozen
class Rule:
    """One rule: its stable code, what it says, and what it mirrors.

    ``on`` are the classes it applies to (models, or :class:`DomainDevices`).
    ``libvirt`` names the libvirt functions (11.3) that make the check;
    advice names its ``guide`` section instead (chapter 15, "Configuring
    virtual machine network connections", of the RHEL 10 guide *Configuring
    and managing Linux virtual machines*); a rule libvirt does not make
    gives the ``reason`` it exists. ``note`` says how libvirt comes to make
    the check, or where an older libvirt made it elsewhere.
    ``domain_types``: only for interfaces of a domain of these types.
    """

    code: str
    summary: str
    on: tuple[type, ...]
    libvirt: tuple[str, ...] = ()
    guide: str | None = None
    reason: str | None = None
    note: str | None = None
    domain_types: frozenset[str] | None = None
    severity: Severity = attrs.field(init=False)

    @severity.default
    def _severity_default(self) -> Severity:
        return _severity(self.code)

    def mirrors(self) -> str:
        """What the rule follows, for the docs: libvirt functions, a guide section, a reason."""
        parts = []
        if self.libvirt:
            parts.append(", ".join(f"`{name}`" for name in self.libvirt))
        if self.note:
            parts.append(self.note)
        if self.guide:
            parts.append(f"guide: {self.guide}")
        if self.reason:
            parts.append(("no libvirt check: " if not self.libvirt else "") + self.reason)
        return "; ".join(parts)


@attrs.define
class Check:
    """A function that checks models for the codes it declares."""

    fn: Callable[[Any], Iterator[Any]]
    codes: list[str]
    on: tuple[type, ...]
    domain_types: frozenset[str] | None


#: Every rule by code.
RULES: dict[str, Rule] = {}
#: Every check, in the order declared (the order findings come in).
CHECKS: list[Check] = []
#: Rules reported outside this package, and where.
ELSEWHERE: dict[str, str] = {}

_CHECK_OF: dict[Callable[..., Any], Check] = {}
#: Further checks of rules not declared yet: code -> [(on, libvirt)]
_PENDING: dict[str, list[tuple[tuple[type, ...], tuple[str, ...]]]] = {}
_FOR_CLASS: dict[tuple[type, bool], list[Check]] = {}

F = TypeVar("F", bound=Callable[..., Iterator[Any]])


def _names(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def _classes(on: type | tuple[type, ...]) -> tuple[type, ...]:
    return on if isinstance(on, tuple) else (on,)


def _union(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return a + tuple(x for x in b if x not in a)


def _with(known: Rule, classes: tuple[type, ...], functions: tuple[str, ...]) -> Rule:
    return attrs.evolve(
        known, on=_union(known.on, classes), libvirt=_union(known.libvirt, functions)
    )


def undeclared() -> list[str]:
    """Codes that checks report but no ``rule(code, summary, ...)`` declares."""
    return sorted(_PENDING)


def _declare(rule: Rule) -> Rule:
    if rule.code in RULES:
        raise ValueError(f"rule {rule.code} is declared twice")
    if not (rule.libvirt or rule.guide or rule.reason):
        raise ValueError(f"rule {rule.code} names no libvirt function, guide section or reason")
    RULES[rule.code] = rule
    return rule


def rule(
    code: str,
    summary: str | None = None,
    *,
    on: type | tuple[type, ...],
    libvirt: str | tuple[str, ...] | None = None,
    guide: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    domain_types: frozenset[str] | None = None,
) -> Callable[[F], F]:
    """Declare rule ``code`` and register the decorated function as its check.

    Without ``summary``, the function is a further check of a rule declared
    before (with its summary); ``on`` and ``libvirt`` add to the rule's.
    A function decorated more than once is one check reporting each code.
    """
    classes = _classes(on)
    functions = _names(libvirt)
    if summary is not None:
        declared = Rule(code, summary, classes, functions, guide, reason, note, domain_types)
        for more in _PENDING.pop(code, []):
            declared = _with(declared, *more)
        _declare(declared)
    elif guide or reason or note:
        raise ValueError(f"rule {code}: only its declaration gives guide, reason and note")
    elif code in RULES:
        RULES[code] = _with(RULES[code], classes, functions)
    else:  # declared in a module not loaded yet
        _PENDING.setdefault(code, []).append((classes, functions))

    def register(fn: F) -> F:
        check = _CHECK_OF.get(fn)
        if check is None:
            check = _CHECK_OF[fn] = Check(fn, [], (), domain_types)
            CHECKS.append(check)
        elif check.domain_types != domain_types:
            raise ValueError(f"{fn.__qualname__}: its rules disagree on domain_types")
        check.codes.insert(0, code)  # decorators apply bottom up; keep reading order
        check.on = _union(classes, check.on)
        _FOR_CLASS.clear()
        return fn

    return register


def declare(
    code: str,
    summary: str,
    *,
    on: type | tuple[type, ...],
    reported_by: str,
    libvirt: str | tuple[str, ...] | None = None,
    note: str | None = None,
    reason: str | None = None,
) -> Rule:
    """Declare a rule that no check here reports; ``reported_by`` says what does."""
    ELSEWHERE[code] = reported_by
    return _declare(Rule(code, summary, _classes(on), _names(libvirt), reason=reason, note=note))


def at(owner: Model, field: str, i: int = 0) -> str:
    """The path step from ``owner``'s element to ``owner.<field>``'s (item ``i`` of a list).

    The tag is the field's own, from the model's declarations; a list of
    more than one gets ``[i + 1]`` (XPath counts from 1), as libvirt's and
    lxml's paths do.
    """
    tags = _TAGS.get(type(owner))
    if tags is None:
        tags = _TAGS[type(owner)] = {
            spec.name: spec.xml_text for spec in _plan_of(type(owner)).fields
        }
    tag = tags[field]
    value = getattr(owner, field)
    return f"{tag}[{i + 1}]" if isinstance(value, list) and len(value) > 1 else tag


_TAGS: dict[type, dict[str, str]] = {}


def _checks_for(cls: type, qemu: bool) -> list[Check]:
    found = _FOR_CLASS.get((cls, qemu))
    if found is None:
        found = _FOR_CLASS[cls, qemu] = [
            c
            for c in CHECKS
            if issubclass(cls, c.on)
            and DomainDevices not in c.on
            and (c.domain_types is None or qemu)
        ]
    return found


def _locate(
    element: Any, rel: str, attribute: str | None, elements: ElementsByPath
) -> tuple[str, int | None]:
    """The path and line of what a finding names, ``rel`` being relative to ``element``."""
    path = elements.base
    target = element
    if rel not in ("", "."):
        path = f"{path}/{rel}"
        found, exact = elements.get(path)
        if found is not None:
            target = found
            if not exact:
                path = element_path(found)
    return (f"{path}/@{attribute}" if attribute else path), target.sourceline


def check_model(
    model: Model, element: Any, domain_type: str | None = None, paths: PathCache | None = None
) -> list[Problem]:
    """Define-time errors and advice for one parsed network or interface.

    ``domain_type`` is the ``type`` of the domain an interface is in, when
    it is in one: ``kvm`` and ``qemu`` add the QEMU driver's checks (E5xx).
    ``paths`` is the document's :class:`~virtnetlib._core.xml.PathCache`, shared by
    the interfaces of one domain.
    """
    checks = _checks_for(type(model), domain_type in QEMU_DOMAIN_TYPES)
    if not checks:
        return []
    out: list[Problem] = []
    elements = ElementsByPath(element, paths)
    for check in checks:
        for code, message, rel, attribute in check.fn(model):
            path, line = _locate(element, rel, attribute, elements)
            out.append(Problem(RULES[code].severity, code, message, line, path))
    return out


def check_domain(root: Any) -> list[Problem]:
    """Checks across the devices of a whole domain (boot order, hostdev sources, aliases)."""
    return [p for c in CHECKS if DomainDevices in c.on for p in c.fn(root)]


def repeated(
    elements: Iterable[Any],
    key: Callable[[Any], str | None],
    code: str,
    message: str,
    suffix: str,
) -> Iterator[Problem]:
    """A problem for each element whose ``key`` an earlier one had (``None``: not counted)."""
    severity = RULES[code].severity
    seen: set[str] = set()
    for el in elements:
        value = key(el)
        if value is None:
            continue
        if value in seen:
            yield Problem(
                severity, code, message.format(value), el.sourceline, element_path(el) + suffix
            )
        seen.add(value)
