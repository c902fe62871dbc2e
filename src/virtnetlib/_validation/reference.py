"""Model reference tables generated from the binding plans.

``docs/network.md`` and ``docs/interface.md`` are written by
:func:`write_reference_pages`; a test keeps them current, so the pages can
never disagree with the code.
"""

from __future__ import annotations

import inspect
import pathlib
import re
from collections.abc import Sequence

from virtnetlib._core.fields import (
    _ATTR,
    _CHILD,
    _CHILDREN,
    _OWN_TEXT,
    _RAW,
    _TEXT_CHILD,
    _TEXT_CHILDREN,
    _model_classes,
)
from virtnetlib._core.model import Model, _plan_of
from virtnetlib._models.hostinterface import HostInterface
from virtnetlib._models.interface import INTERFACE_TYPES
from virtnetlib._models.network import Network
from virtnetlib._validation.problem import SCHEMA_CODES
from virtnetlib._validation.rules import RULES
from virtnetlib._validation.versions import FEATURES, version_text

__all__ = ["REFERENCE_PAGES", "reference_markdown", "render_page", "write_reference_pages"]


def _walk(cls: type[Model], path: str, seen: set[type]) -> list[tuple[str, type[Model]]]:
    if cls in seen:
        return []
    seen.add(cls)
    found = [(path, cls)]
    plan = _plan_of(cls)
    for spec in plan.fields:
        if spec.kind in (_CHILD, _CHILDREN):
            for sub in _model_classes(spec.model):
                found.extend(_walk(sub, f"{path}/{spec.xml_text}", seen))
    return found


def reference_markdown(roots: Sequence[type[Model]], title: str) -> str:
    """A Markdown page: every element under ``roots``, each attribute and child with its field.

    Each class is described once, under the first path it is met at.
    """
    lines = [f"# {title}", "", "Generated from the models; do not edit by hand.", ""]
    seen: set[type] = set()
    found = []
    for root in roots:
        path = f"/{_plan_of(root).tag_text}"
        consts = root.__xml_const__
        if consts:
            path += "[@" + " and @".join(f"{k}='{v}'" for k, v in consts) + "]"
        found.extend(_walk(root, path, seen))
    for path, cls in found:
        plan = _plan_of(cls)
        doc = inspect.getdoc(cls) or ""
        lines += [f"## `{path}` — `{cls.__name__}`", "", doc.split("\n\n")[0], ""]
        lines += ["| XML | field | type |", "| --- | --- | --- |"]
        for name, value in plan.consts.items():
            lines.append(f"| `@{name}` | (fixed `{value}`) | |")
        annotations = inspect.get_annotations(cls)
        for klass in cls.__mro__:
            for key, value in inspect.get_annotations(klass).items():
                annotations.setdefault(key, value)
        for spec in plan.fields:
            kind = spec.kind
            if kind == _ATTR:
                xml = f"`@{spec.xml_text}`"
            elif kind == _OWN_TEXT:
                xml = "text"
            elif kind == _RAW:
                xml = "any child elements (verbatim)"
            elif kind in (_TEXT_CHILD, _TEXT_CHILDREN):
                xml = f"`<{spec.xml_text}>` text" + (
                    " (repeated)" if kind == _TEXT_CHILDREN else ""
                )
            else:
                xml = f"`<{spec.xml_text}>`" + (" (repeated)" if kind == _CHILDREN else "")
            typ = _type_text(str(annotations.get(spec.name, "")))
            req = " (required)" if spec.required else ""
            lines.append(f"| {xml} | `{spec.name}`{req} | {typ} |")
        lines.append("")
    return "\n".join(lines)


def _type_text(annotation: str) -> str:
    """``int | None`` as "`int`, optional": a pipe inside a Markdown table cell
    would end the cell, and an escaped one shows its backslash in the page."""
    parts = [p.strip() for p in annotation.split(" | ") if p.strip()]
    optional = "None" in parts
    shown = " or ".join(f"`{p}`" for p in parts if p != "None") or "`None`"
    return shown + (", optional" if optional else "")


def _pages() -> dict[str, tuple[list[type[Model]], str]]:
    return {
        "network.md": ([Network], "Network model reference"),
        "interface.md": (
            [c for c in INTERFACE_TYPES.values() if c is not None],
            "Domain interface model reference",
        ),
        "hostinterface.md": (
            list(HostInterface.__xml_variants__.values()),
            "Host interface model reference",
        ),
    }


REFERENCE_PAGES = (
    "network.md",
    "interface.md",
    "hostinterface.md",
    "validation.md",
    "libvirt-versions.md",
)


_VALIDATION_INTRO = """\
`virtnetlib.validate(source)` and `virtnetlib validate FILE...` report six
kinds of problems, each with a stable code. Disable any code with
`disable=[...]` or `--disable CODE` (an unknown code is a usage error).

- **E1xx, schema** (`error`): the document against RelaxNG. By default
  virtnetlib's own schemas in `schemas/` (generated from libvirt 11.3's and
  shipped in the wheel); `schemas="system"` uses the host's
  `/usr/share/libvirt/schemas`, `schemas=PATH` any folder. The verdict is the
  grammar's; the message names the attribute or element, the value, and what
  the grammar allows there. It names the cause, found by trying changes on a
  copy: an `<interface type='direct'>` without `<source>` is "missing
  required element <source>", not a bad type or every element after it.
- **E2xx, define time** (`error`): checks libvirt makes when it parses and
  defines, which no schema expresses. Each is tested against libvirt's test
  driver, except E252 and E253 (passt rules of libvirt 9.2 and later) and
  E264 (refused by libvirtd's QEMU driver, against which it is tested), with
  the boundary values libvirt accepts; and the test suite alters 1,600 corpus
  documents (random edits from fixed seeds) and requires `validate()` to
  reach libvirt's verdict on each.
- **E4xx, network driver** (`error`): checks libvirt's network driver makes
  when libvirtd defines a network on a host (the embedded test driver does
  not make them). Each is tested against a real libvirtd, with the
  boundaries it accepts, and 400 altered corpus networks must get
  libvirtd's verdict.
- **E5xx, QEMU driver** (`error`): checks libvirt's QEMU driver makes when
  it defines a domain: guest-side addresses only on user networking, its
  address limits, virtio queue sizes, where an MTU, coalescing, teaming and
  ROM tuning are taken. They apply to interfaces in a `<domain type='kvm'>`
  or `type='qemu'`, and to an interface on its own when told the domain
  type it goes into (`validate(nic, domain_type="kvm")`, `virtnetlib
  validate --domain-type kvm`): other drivers differ (LXC sets guest
  addresses), and a lone interface could be for any of them. Each
  is tested, with the near misses it accepts, against a real libvirtd's
  QEMU driver.
- **E6xx, libvirt release** (`error`, with `libvirt="9.0"` or `--libvirt
  9.0`): a feature newer than the libvirt the document is for. E601: that
  release's parser refuses it, or drops it without a word; E602: its QEMU
  driver refuses it. Each names the release that brought the feature and
  where that fact comes from; [libvirt releases](libvirt-versions.md)
  lists them all, and `minimum_libvirt(doc)` gives the lowest release that
  takes a document. For example, `virtnetlib validate --libvirt 9.0
  net.xml` on a network with a `<title>` says "`<title>` needs libvirt
  9.7.0 or later, the target is 9.0.0 (source: docs/formatnetwork.rst,
  General metadata)"; with `--schemas system` the target is the host's
  own libvirt. The libvirt adapter makes the same
  check against the host's release (`getLibVersion`) and refuses before
  it sends anything (`LibvirtTooOldError`).
- **W3xx, advice** (`warning`): the RHEL 10 guide's recommendations, and
  what libvirt accepts but will not work as meant (a static DHCP address
  outside its subnet).

A `<domain>` is checked whole. Its `<interface>` devices get the interface
grammar and every interface rule above; the rest of it is checked against
libvirt's domain grammar (`schemas/domain.rng`, generated from libvirt
11.3's `domain.rng` like the others), so `<memroy>` or a disk's
`bus='virtio2'` is an E1xx problem at its line and path. Of the checks
libvirt makes when it defines a domain, virtnetlib makes those that
involve network devices: boot order (E244, and E269 against
`<os><boot>`), a host device assigned twice across `<hostdev>` and
`<interface type='hostdev'>` (E248), user aliases (E261), PCI addresses
(E264) and MAC addresses (W316). The others (disks, CPUs, memory sizes)
are libvirt's to make: a domain that passes here can still be refused
for them.

The last column names the libvirt 11.3 functions that make the same check
(in `src/conf/`, `src/network/bridge_driver.c`, `src/qemu/`), where an
older libvirt made it elsewhere, and for advice the section of chapter 15,
"Configuring virtual machine network connections", of the RHEL 10 guide
*Configuring and managing Linux virtual machines*; a rule libvirt does not
make says why it is there. Each rule is declared on its check in
`virtnetlib/_validation/rules/`, one module per family.
"""


#: A code span, or markup named in prose (``<ip>``, ``<nat ipv6='yes'>``).
_SPAN_OR_TAG = re.compile(r"(`+).+?\1|<[A-Za-z][\w:-]*(?:\s[^<>`]*)?/?>")


def _tags_as_code(text: str) -> str:
    """Markup named in prose set as code, which a browser shows instead of dropping it."""
    return _SPAN_OR_TAG.sub(lambda m: m.group() if m.group(1) else f"`{m.group()}`", text)


#: What the schema codes follow, for the table's last column.
_SCHEMA_MIRRORS = {"E001": "—", "E100": "libvirt's XML reader (`virXMLParse`)"}


def render_validation_page() -> str:
    """The table of every problem code (``docs/validation.md``)."""
    lines = ["# Validation codes", "", "Generated from the rules; do not edit by hand.", ""]
    lines += [
        _tags_as_code(_VALIDATION_INTRO),
        "| code | severity | meaning | libvirt check, or guide section |",
        "| --- | --- | --- | --- |",
    ]
    for code, meaning in SCHEMA_CODES.items():
        mirrors = _SCHEMA_MIRRORS.get(code, "libvirt's RelaxNG schema")
        lines.append(f"| {code} | error | {_tags_as_code(meaning)} | {mirrors} |")
    for code, rule in sorted(RULES.items()):
        summary, mirrors = _tags_as_code(rule.summary), _tags_as_code(rule.mirrors())
        lines.append(f"| {code} | {rule.severity} | {summary} | {mirrors} |")
    return "\n".join(lines) + "\n"


_VERSIONS_INTRO = """\
The first libvirt release that accepts each feature, as
`validate(doc, libvirt="9.0")` / `virtnetlib validate --libvirt 9.0` and
`minimum_libvirt(doc)` use it. A feature newer than the target is an
**E601** problem (the target's parser refuses it, or drops it without a
word) or, for a driver's own minimum, **E602** (its schema takes it, the
driver refuses it). The release is the one libvirt's documentation gives
(its `Since` notes); the tests define every entry on the libvirtd 9.0 they
start (one newer than 9.0 must be refused or dropped, one at or below it
kept) and validate every sample with libvirt 11.3's grammars. The table
starts at libvirt 5.0: a document using none of its features needs 5.0,
and nothing older is checked. A QEMU driver minimum applies to a domain of
a QEMU type (`kvm`, `qemu`, `hvf`) and to a lone interface unless
`domain_type` names another driver: the features it covers exist only in
QEMU. Rows read from a fork's copy of libvirt's documentation name it; a
row with "an upper bound" comes from libvirt's schemas of 9.0.0 and
11.3.0, where the documentation is silent.
"""


def render_versions_page() -> str:
    """The table of features by the libvirt release that brought them."""
    lines = [
        "# libvirt releases",
        "",
        "Generated from the table of releases; do not edit by hand.",
        "",
        _tags_as_code(_VERSIONS_INTRO),
        "| document | element | attribute | since | driver | source |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    order = sorted(FEATURES, key=lambda f: (f.doc, f.since, f.path))
    for f in order:
        element, _, attribute = f.path.partition("/@")
        name, _, value = attribute.partition("=")
        shown = f"`{name}='{value}'`" if value else (f"`{name}`" if name else "")
        lines.append(
            f"| {f.doc} | `{element}` | {shown} | {version_text(f.since)} | {f.driver or ''} "
            f"| {_tags_as_code(f.source)} |"
        )
    return "\n".join(lines) + "\n"


def render_page(name: str) -> str:
    """The text of one generated reference page."""
    if name == "validation.md":
        return render_validation_page()
    if name == "libvirt-versions.md":
        return render_versions_page()
    roots, title = _pages()[name]
    return reference_markdown(roots, title)


def write_reference_pages(docs: str) -> None:
    """Regenerate the reference pages in the ``docs`` folder."""
    for name in REFERENCE_PAGES:
        (pathlib.Path(docs) / name).write_text(render_page(name))
