"""What a RelaxNG grammar allows, read once per grammar: per element name, its
attributes, their allowed values and samples of good ones, which attributes
are required and which children may repeat.

The explanation of a failure (:mod:`virtnetlib._validation.explain`) asks these facts
what would have been allowed where a document went wrong; the schema
shortcut (:mod:`virtnetlib._validation.schema`) finds with them which attributes hold
a pattern-checked value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RNG", "ElementFacts", "Grammar", "attribute_name", "element_name"]

RNG = "{http://relaxng.org/ns/structure/1.0}"


@dataclass
class ElementFacts:
    attributes: dict[str, set[str]] = field(default_factory=dict)
    samples: dict[str, set[str]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    children: set[str] = field(default_factory=set)
    #: children some definition lets appear more than once
    repeatable: set[str] = field(default_factory=set)
    text: set[str] = field(default_factory=set)
    definitions: int = 0


#: libvirt's common datatypes, said in words.
_FRIENDLY = {
    "ipAddr": "an IPv4 or IPv6 address",
    "ipv4Addr": "an IPv4 address",
    "ipv6Addr": "an IPv6 address",
    "ipPrefix": "a prefix length (0-32 for IPv4, 0-128 for IPv6)",
    "ipv4Prefix": "an IPv4 prefix length (0-32)",
    "ipv6Prefix": "an IPv6 prefix length (0-128)",
    "uniMacAddr": "a unicast MAC address like 52:54:00:12:34:56",
    "macAddr": "a MAC address like 52:54:00:12:34:56",
    "UUID": "a UUID",
    "deviceName": "a device name (letters, digits and _ . - \\ : /)",
    "dnsName": "a DNS name (letters, digits, '.' and '-')",
    "zoneName": "a firewalld zone name (letters, digits, '_' and '-')",
    "aliasName": "an alias (letters, digits and _ - .)",
    "virYesNo": "'yes' or 'no'",
    "virOnOff": "'on' or 'off'",
    "unsignedInt": "an unsigned integer",
    "unsignedLong": "an unsigned integer",
    "positiveInteger": "a positive integer",
    "port": "a port number from 1 to 65535",
    "PortNumber": "a port number from -1 to 65535",
    "unsignedShort": "an integer from 0 to 65535",
    "uint8": "an integer from 0 to 255 (decimal or 0x-hex)",
    "uint24": "an integer from 0 to 16777215 (decimal or 0x-hex)",
    "uint32": "an integer from 0 to 4294967295 (decimal or 0x-hex)",
    "pciDomain": "a PCI domain (0x0000-0xffff)",
    "pciBus": "a PCI bus (0x00-0xff)",
    "pciSlot": "a PCI slot (0x00-0x1f)",
    "pciFunc": "a PCI function (0-7)",
    "filePath": "a file path",
    "absFilePath": "an absolute path",
    "speed": "a rate in KiB/s from 1 to 2^54",
    "BurstSize": "a size in KiB, at least 1",
    "DUID": "a DHCPv6 DUID",
    "leaseUnit": "'seconds', 'minutes' or 'hours'",
}


#: A valid value of libvirt's common datatypes, to tell a bad value from a
#: missing one by substitution (probes stay in memory; nothing is sent).
_SAMPLES = {
    "ipAddr": "198.51.100.1",
    "ipv4Addr": "198.51.100.1",
    "ipv6Addr": "2001:db8::1",
    "ipPrefix": "24",
    "ipv4Prefix": "24",
    "ipv6Prefix": "64",
    "uniMacAddr": "52:54:00:00:00:01",
    "macAddr": "52:54:00:00:00:01",
    "UUID": "81ff0d90-c91e-6742-64da-4a736edb9a9b",
    "deviceName": "eth0",
    "dnsName": "example",
    "zoneName": "zone",
    "aliasName": "ua-x",
    "filePath": "/x",
    "absFilePath": "/x",
}
_SAMPLE_BY_TYPE = {
    "unsignedInt": "1",
    "unsignedLong": "1",
    "unsignedShort": "1",
    "int": "1",
    "long": "1",
    "integer": "1",
    "positiveInteger": "1",
    "double": "1",
    "string": None,
}


def _samples(node: Any, defines: dict[str, Any], depth: int = 0) -> set[str]:
    """Values the grammar certainly accepts for an attribute, where easy to tell."""
    if depth > 20:
        return set()
    tag = node.tag
    if tag == f"{RNG}ref":
        name = node.get("name")
        if name in _SAMPLES:
            return {_SAMPLES[name]}
        target = defines.get(name)
        return _samples(target, defines, depth + 1) if target is not None else set()
    if tag == f"{RNG}value":
        return {node.text or ""}
    if tag == f"{RNG}data":
        sample = _SAMPLE_BY_TYPE.get(node.get("type", ""))
        return {sample} if sample is not None else set()
    out: set[str] = set()
    for child in node:
        if isinstance(child.tag, str) and child.tag not in (f"{RNG}param", f"{RNG}except"):
            out |= _samples(child, defines, depth + 1)
    return out


def _describe(node: Any, defines: dict[str, Any], depth: int = 0) -> list[str]:
    """What values an attribute's or element's content allows, in words."""
    if depth > 20:
        return []
    tag = node.tag
    if tag == f"{RNG}ref" and node.get("name") in _FRIENDLY:
        return [_FRIENDLY[node.get("name")]]
    if tag == f"{RNG}value":
        return [repr(node.text or "")]
    if tag == f"{RNG}data":
        params = {p.get("name"): p.text for p in node.iter(f"{RNG}param")}
        words = node.get("type", "data")
        if "pattern" in params:
            words += f" matching {params['pattern']}"
        lo, hi = params.get("minInclusive"), params.get("maxInclusive")
        if lo is None and hi is not None and words.startswith("unsigned"):
            lo = "0"
        if lo is not None and hi is not None:
            words = f"an integer from {lo} to {hi}"
        elif lo is not None or hi is not None:
            words += f" from {lo}" if lo is not None else f" up to {hi}"
        if "maxLength" in params:
            words += f" of at most {params['maxLength']} characters"
        return [words]
    if tag == f"{RNG}text":
        return ["any text"]
    if tag == f"{RNG}ref":
        target = defines.get(node.get("name"))
        return _describe(target, defines, depth + 1) if target is not None else []
    out: list[str] = []
    for child in node:
        if isinstance(child.tag, str) and child.tag not in (f"{RNG}param", f"{RNG}except"):
            out.extend(_describe(child, defines, depth + 1))
    return out


def element_name(node: Any) -> str | None:
    """An ``<element name=>``'s name in Clark notation; ``ns`` is inherited."""
    name = node.get("name")
    if name is None:
        return None
    ns = None
    while node is not None and ns is None:
        ns = node.get("ns")
        node = node.getparent()
    return f"{{{ns}}}{name}" if ns else name


def attribute_name(node: Any) -> str | None:
    """An ``<attribute name=>``'s name in Clark notation (its ``ns`` is its own)."""
    name = node.get("name")
    ns = node.get("ns")
    return f"{{{ns}}}{name}" if ns and name else name


_OPTIONAL = (f"{RNG}optional", f"{RNG}zeroOrMore", f"{RNG}choice")


_REPEATED = (f"{RNG}zeroOrMore", f"{RNG}oneOrMore")


def _collect(
    node: Any,
    defines: dict[str, Any],
    facts: ElementFacts,
    seen: set[str],
    *,
    optional: bool,
    repeated: bool = False,
) -> None:
    """Attributes, child elements and text an element's content pattern allows."""
    for child in node:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == f"{RNG}attribute":
            name = child.get("name")
            if name:
                facts.attributes.setdefault(name, set()).update(_describe(child, defines))
                facts.samples.setdefault(name, set()).update(_samples(child, defines))
                if not optional:
                    facts.required.add(name)
        elif tag == f"{RNG}element":
            name = element_name(child)
            if name:
                facts.children.add(name)
                if repeated:
                    facts.repeatable.add(name)
        elif tag == f"{RNG}ref":
            ref = child.get("name")
            key = f"{ref} {repeated}"  # met again under a repetition, it says more
            if key not in seen and ref in defines:
                seen.add(key)
                _collect(defines[ref], defines, facts, seen, optional=optional, repeated=repeated)
        elif tag in (f"{RNG}data", f"{RNG}value", f"{RNG}text"):
            facts.text.update(_describe(child, defines) if tag != f"{RNG}text" else ["any text"])
        else:
            _collect(
                child,
                defines,
                facts,
                seen,
                optional=optional or tag in _OPTIONAL,
                repeated=repeated or tag in _REPEATED,
            )


class Grammar:
    """What the grammar allows for each element name (all its definitions merged)."""

    def __init__(self, grammar: Any) -> None:
        defines = {d.get("name"): d for d in grammar.iter(f"{RNG}define")}
        self.facts: dict[str, ElementFacts] = {}
        for el in grammar.iter(f"{RNG}element"):
            name = element_name(el)
            if name is None:
                continue
            facts = self.facts.setdefault(name, ElementFacts())
            facts.definitions += 1
            _collect(el, defines, facts, set(), optional=False)

    def of(self, tag: str) -> ElementFacts:
        return self.facts.get(tag, ElementFacts())
