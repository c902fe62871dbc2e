"""Byte- and structure-level mutations of XML documents for fuzz tests."""

from __future__ import annotations

import random


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
