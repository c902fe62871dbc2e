"""Which libvirt accepts a document: the release each feature first came in.

:data:`FEATURES` (generated into ``libvirt_since.py`` from the facts and
their sources) lists elements, attributes and values of the three
documents with the first libvirt release that accepts them, and the
driver-level minima (a feature the schema takes but a driver refuses
before some release). :func:`version_problems` finds the features of a
document newer than a target release (E601 for what the target's parser
refuses or drops, E602 for what its driver refuses); :func:`minimum_libvirt`
the lowest release that takes the whole document.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from typing import Any

import attrs
from lxml import etree

from virtnetlib._core.errors import UsageError
from virtnetlib._core.model import Model
from virtnetlib._core.xml import LIBVIRT_NAMESPACES, PathCache, parse_document, read_source
from virtnetlib._models.documents import document_kind
from virtnetlib._validation.libvirt_since import FACTS
from virtnetlib._validation.problem import Problem

__all__ = [
    "FEATURES",
    "LibvirtFeature",
    "MinimumLibvirt",
    "Version",
    "minimum_libvirt",
    "parse_version",
    "system_version",
    "version_problems",
]

Version = tuple[int, int, int]
"""A libvirt release, ``(9, 0, 0)``."""

_VERSION = re.compile(r"([0-9]{1,3})(?:\.([0-9]{1,3}))?(?:\.([0-9]{1,3}))?")
_BAD = "{what}: expected a libvirt version such as '9.0', got {value!r}"


def parse_version(value: Any, what: str = "libvirt") -> Version:
    """``"9.0"``, ``"11.3.0"``, ``(9, 0)`` or libvirt's ``getLibVersion()`` number
    (``9000000``) as ``(major, minor, micro)``, each part below 1000."""
    if isinstance(value, int) and not isinstance(value, bool):
        # libvirt's numbers are major * 1,000,000 + minor * 1000 + micro; a
        # bare 9 is a mistake for "9.0", not release 0.0.9
        if 1_000_000 <= value < 1_000_000_000:
            return (value // 1_000_000, value // 1000 % 1000, value % 1000)
    elif isinstance(value, tuple) and 1 <= len(value) <= 3:
        if all(type(v) is int and 0 <= v < 1000 for v in value):
            padded = (*value, 0, 0)
            return (padded[0], padded[1], padded[2])
    elif isinstance(value, str) and len(value) <= 20:
        m = _VERSION.fullmatch(value.strip())
        if m:
            return (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0))
    raise UsageError(
        _BAD.format(what=what, value=value if not isinstance(value, str) else value[:40])
    )


def version_text(version: Version) -> str:
    return ".".join(str(v) for v in version)


@attrs.frozen
class LibvirtFeature:
    """One fact: what ``path`` names first works in libvirt ``since``.

    ``doc`` is ``network``, ``interface`` (a domain's) or ``hostinterface``;
    ``path`` an element (``/network/title``), an attribute
    (``/network/bridge/@zone``) or an attribute value
    (``/interface/backend/@type=passt``); ``driver`` names the driver that
    sets the minimum (``qemu``), ``None`` when libvirt's parser and schema
    do; ``source`` where the fact comes from; ``sample`` a snippet that
    shows it (the tests define it on a real libvirt).
    """

    doc: str
    path: str
    since: Version
    source: str
    driver: str | None = None
    sample: str = ""

    @property
    def code(self) -> str:
        return "E602" if self.driver else "E601"

    def describe(self) -> str:
        who = f"libvirt's {self.driver} driver" if self.driver else "libvirt"
        return f"{_shown(self.path)} needs {who} {version_text(self.since)} or later"

    def as_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "path": self.path,
            "since": version_text(self.since),
            "driver": self.driver,
            "source": self.source,
        }


def _shown(path: str) -> str:
    """``/network/bridge/@zone`` as ``<bridge zone=>``; a value as ``type='passt'``."""
    steps = path.strip("/").split("/")
    last = steps[-1]
    if last.startswith("@"):
        name, _, value = last[1:].partition("=")
        owner = steps[-2] if len(steps) > 1 else steps[0]
        return f"<{owner} {name}='{value}'>" if value else f"<{owner} {name}=>"
    return f"<{last}>"


FEATURES: tuple[LibvirtFeature, ...] = tuple(
    LibvirtFeature(doc, path, parse_version(since), source, driver, sample)
    for doc, path, since, source, driver, sample in FACTS
)


@functools.cache
def _xpath(path: str) -> tuple[str, etree.XPath]:
    """The root tag a feature's path starts at, and the XPath finding it under that root.

    ``/interface[@type='user']/backend/@type=passt``: the root may carry a
    condition; the last step may be an attribute, with a value.
    """
    steps = path.strip("/").split("/")
    tag, _, condition = steps[0].partition("[")
    here = "self::*" + (f"[{condition}" if condition else "")
    rest = steps[1:]
    last = rest[-1] if rest else ""
    if last.startswith("@"):
        name, _, value = last[1:].partition("=")
        test = f"[@{name}='{value}']" if value else f"[@{name}]"
        owner = "/".join([here, *rest[:-1]])
        return tag, etree.XPath(owner + test, namespaces=LIBVIRT_NAMESPACES)
    return tag, etree.XPath("/".join([here, *rest]), namespaces=LIBVIRT_NAMESPACES)


def _targets(root: Any, kind: str) -> Iterator[tuple[str, Any]]:
    """(doc, element) pairs to look for features in: the root, or a domain's NICs."""
    if kind == "domain":
        for nic in root.iterfind("devices/interface"):
            yield "interface", nic
    elif kind in ("network", "interface", "hostinterface"):
        yield kind, root


def found_features(root: Any, kind: str) -> Iterator[tuple[LibvirtFeature, Any]]:
    """Each feature of the table the document uses, with the element that uses it."""
    for doc, element in _targets(root, kind):
        for feature in FEATURES:
            if feature.doc != doc:
                continue
            tag, xpath = _xpath(feature.path)
            if element.tag != tag:
                continue
            for hit in xpath(element):
                yield feature, hit


def version_problems(
    root: Any, kind: str, target: Version, domain_type: str | None = None
) -> list[Problem]:
    """E601/E602 for each feature of the document newer than ``target``.

    A QEMU driver minimum (E602) applies to a domain of a QEMU type, and to
    a lone interface unless ``domain_type`` names another driver.
    """
    if kind == "domain":
        domain_type = root.get("type")
    other_driver = domain_type is not None and domain_type not in _QEMU_TYPES
    paths = PathCache()  # one per document: linear in its NICs
    problems = []
    for feature, element in found_features(root, kind):
        if feature.since <= target:
            continue
        if feature.driver == "qemu" and other_driver:
            continue  # the QEMU driver's minimum: not for another driver's domain
        path = paths.path(element)
        if feature.path.rsplit("/", 1)[-1].startswith("@"):
            name = feature.path.rsplit("/@", 1)[1].partition("=")[0]
            path += f"/@{name}"
        problems.append(
            Problem(
                "error",
                feature.code,
                f"{feature.describe()}, the target is {version_text(target)} "
                f"(source: {feature.source})",
                element.sourceline,
                path,
            )
        )
    return problems


def system_version() -> Version | None:
    """This host's libvirt release (libvirt-python's library), or ``None``
    without libvirt-python: what ``schemas="system"`` validates for."""
    try:
        import libvirt  # noqa: PLC0415 - optional, and only asked for with the host's schemas
    except ImportError:
        return None
    return parse_version(libvirt.getVersion())


@attrs.frozen
class MinimumLibvirt:
    """The lowest libvirt release that takes a document, and the features that set it."""

    version: Version
    features: tuple[LibvirtFeature, ...]

    def __str__(self) -> str:
        if not self.features:
            return f"libvirt {version_text(self.version)} (no feature of the table is used)"
        why = "; ".join(f.describe() for f in self.features)
        return f"libvirt {version_text(self.version)}: {why}"


#: Domain types libvirt's QEMU driver runs.
_QEMU_TYPES = frozenset({"kvm", "qemu", "hvf"})

#: What a document needs when it uses no feature of the table.
BASELINE: Version = (5, 0, 0)


def minimum_libvirt(
    source: str | bytes | os.PathLike[str] | Model, *, domain_type: str | None = None
) -> MinimumLibvirt:
    """The lowest libvirt release that accepts ``source`` (XML, a path or a model),
    as far as the table of features knows, and the features that require it.

    ``domain_type`` is the driver a lone interface is for, as in
    :func:`~virtnetlib.validate` (a domain says its own): the QEMU driver's
    minima count for QEMU domains only. The table starts at libvirt 5.0: a
    document using none of its features gets 5.0.
    """
    if isinstance(source, Model):
        data: str | bytes = source.to_xml()
    else:
        data, _ = read_source(source)
    root = parse_document(data)
    kind = document_kind(root)
    if kind is None:
        raise UsageError(
            f"expected a network, interface or domain document, got <{root.tag!s}>"[:200]
        )
    if kind == "forward":
        kind = "interface"
    if kind == "domain":
        domain_type = root.get("type")
    other_driver = domain_type is not None and domain_type not in _QEMU_TYPES
    used = {f for f, _ in found_features(root, kind) if not (f.driver == "qemu" and other_driver)}
    if not used:
        return MinimumLibvirt(BASELINE, ())
    top = max(f.since for f in used)
    needing = tuple(sorted((f for f in used if f.since == top), key=lambda f: f.path))
    return MinimumLibvirt(max(top, BASELINE), needing)
