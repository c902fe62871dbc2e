"""Byte- and structure-level mutations of XML documents for fuzz tests."""

from __future__ import annotations

import random
import re
from typing import get_args

from virtnetlib import ForwardMode


def mutate(xml: bytes, rnd: random.Random) -> bytes:
    """One random damaging edit: flipped bytes, truncation, duplication, junk values..."""
    ops = rnd.randrange(6)
    data = bytearray(xml)
    if ops == 0 and data:  # flip bytes
        for _ in range(rnd.randint(1, 5)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
    elif ops == 1:  # truncate
        del data[rnd.randrange(len(data) + 1) :]
    elif ops == 2:  # duplicate a slice
        a = rnd.randrange(len(data) + 1)
        b = rnd.randrange(a, len(data) + 1)
        data[b:b] = data[a:b]
    elif ops == 3:  # replace an attribute value with junk
        text = data.decode("utf-8", "replace")
        quote = "'" if text.count("'") > text.count('"') else '"'
        junk = rnd.choice(["-1", "70000", "maybe", "", "0x", "::::", "1.2.3.4.5", "&amp;"])
        parts = text.split(quote)
        if len(parts) > 2:
            i = rnd.randrange(1, len(parts), 2)
            parts[i] = junk
        data = bytearray(quote.join(parts).encode())
    elif ops == 4:  # rename an element
        text = data.decode("utf-8", "replace")
        tags = [
            t
            for t in (
                "ip",
                "dhcp",
                "forward",
                "bridge",
                "range",
                "host",
                "source",
                "mac",
                "address",
                "driver",
                "model",
            )
            if f"<{t}" in text
        ]
        if tags:
            t = rnd.choice(tags)
            text = text.replace(f"<{t}", f"<{t}x", 1)
        data = bytearray(text.encode())
    else:  # swap two lines
        lines = bytes(data).split(b"\n")
        if len(lines) > 2:
            i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        data = bytearray(b"\n".join(lines))
    return bytes(data)


# Values that sit on or across the edges of what libvirt accepts somewhere.
EDGE_VALUES = [
    "-1", "0", "1", "24", "33", "64", "129", "65535", "65536", "4294967296", "", "yes",
    "no", "on", "off", "198.51.100.1", "198.51.100.300", "2001:db8::1", "255.255.255.0",
    "255.0.255.0", "0.0.0.0", "10.0.0.1", "virbr0", "a" * 20, "eth0", "nat", "route",
    "bridge", "open", "passthrough", "ipv4", "ipv6", "52:54:00:00:00:01",
    "01:00:00:00:00:00", "kernel", "libvirt", "tcp", "udp", "hours", "minutes", "seconds",
    "255", "256", "4095", "4096", "1500", "9000", "16777215", "16777216", "0x10", "0xffff",
    "virtio", "e1000", "vfio", "kvm", "tagged", "untagged", "a b", "a/b", "-", "_x",
    "fe80::1", "::", "::ffff:198.51.100.1", "2001:db8::/64", "10.0.0.0", "10.0.0.255",
]  # fmt: skip

_ATTR = re.compile(r"""(\w+)=(['"])(.*?)\2""")
_LEAF = re.compile(r"<(\w+)[^<>]*/>")
_ELEMENT = re.compile(r"<(\w+)[^<>]*/>|<(\w+)[^<>]*>.*?</\2>", re.S)
_OPEN_TAG = re.compile(r"<\w+[^<>]*[^/]>")
_START_TAG = re.compile(r"<(\w+)[^<>]*?/?>")
_TEXT = re.compile(r">([^<>\s][^<>]*)</")
_MODES = get_args(ForwardMode)


def edit(text: str, rnd: random.Random, donors: list[str]) -> str:
    """One well-formed edit: an attribute's value or the attribute goes, a leaf
    element is repeated or goes, an element's text changes, an element of a
    donor document moves in, an attribute the same element has in a donor
    is added, or a network's forward mode changes."""
    op = rnd.randrange(8)
    if op == 7 and (tags := list(_START_TAG.finditer(text))):
        # attributes that meet rarely in the corpus (enable='no' beside
        # forwardPlainNames): one from a donor's element of the same name
        start = rnd.choice(tags)
        present = {a.group(1) for a in _ATTR.finditer(start.group())}
        offered = [
            a.group()
            for donor in donors
            for other in _START_TAG.finditer(donor)
            if other.group(1) == start.group(1)
            for a in _ATTR.finditer(other.group())
            if a.group(1) not in present
        ]
        if offered:
            at = start.start() + 1 + len(start.group(1))
            return text[:at] + " " + rnd.choice(offered) + text[at:]
    if op == 6 and text.lstrip().startswith("<network"):
        # most network rules turn on the forward mode: try another one
        mode = rnd.choice(_MODES)
        forward = re.search(r"<forward\b[^>]*?(/?)>", text)
        if forward is None:
            return text.replace("</name>", f"</name><forward mode='{mode}'/>", 1)
        tag = re.sub(r"\s+mode=(['\"])[^'\"]*\1", "", forward.group())
        tag = tag.replace("<forward", f"<forward mode='{mode}'", 1)
        return text[: forward.start()] + tag + text[forward.end() :]
    if op == 5 and (texts := list(_TEXT.finditer(text))):
        a = rnd.choice(texts)
        return text[: a.start(1)] + rnd.choice(EDGE_VALUES) + text[a.end(1) :]
    if op == 0 and (attrs := list(_ATTR.finditer(text))):
        a = rnd.choice(attrs)
        return text[: a.start(3)] + rnd.choice(EDGE_VALUES) + text[a.end(3) :]
    if op == 1 and (attrs := list(_ATTR.finditer(text))):
        a = rnd.choice(attrs)
        return text[: a.start() - 1] + text[a.end() :]
    if op == 2 and (leaves := list(_LEAF.finditer(text))):
        a = rnd.choice(leaves)
        return text[: a.end()] + a.group() + text[a.end() :]
    if op == 3 and (leaves := list(_LEAF.finditer(text))):
        a = rnd.choice(leaves)
        return text[: a.start()] + text[a.end() :]
    elements = list(_ELEMENT.finditer(rnd.choice(donors)))
    spots = [m.end() for m in _OPEN_TAG.finditer(text)]
    if elements and spots:
        at = rnd.choice(spots)
        return text[:at] + rnd.choice(elements).group() + text[at:]
    return text
