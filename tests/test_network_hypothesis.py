"""Property tests: generated networks round-trip and satisfy libvirt's schema."""

from __future__ import annotations

import contextlib
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import virtnetlib
from tests.conftest import CORPUS, libvirt_rng, manifest
from virtnetlib import testing

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(testing.networks())
def test_generated_networks_round_trip(net: virtnetlib.Network) -> None:
    xml = net.to_xml()
    again = virtnetlib.Network.from_xml(xml)
    assert again == net
    assert again.to_xml() == xml
    assert virtnetlib.unmodeled(again) == []


@SETTINGS
@given(testing.networks())
def test_generated_networks_are_schema_valid(net: virtnetlib.Network) -> None:
    rng = libvirt_rng("network.rng")
    doc = etree.fromstring(net.to_xml().encode())
    assert rng.validate(doc), (rng.error_log, net.to_xml())


@pytest.mark.parametrize(
    "strategy",
    [
        testing.dhcp_hosts(),
        testing.dhcp_ranges(),
        testing.dns_hosts(),
        testing.dns_txts(),
        testing.dns_srvs(),
        testing.portgroups(),
    ],
    ids=["host", "range", "dnshost", "txt", "srv", "portgroup"],
)
def test_generated_fragments_round_trip_through_parse(strategy: Any) -> None:
    @settings(max_examples=60, deadline=None)
    @given(strategy)
    def check(fragment: virtnetlib.Model) -> None:
        assert virtnetlib.parse(fragment.to_xml()) == fragment

    check()


# ------------------------------------------------------------------ fuzzing


def _mutations(xml: bytes, rnd: random.Random) -> bytes:
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
    elif ops == 3:  # replace attribute values with junk
        text = data.decode("utf-8", "replace")
        junk = rnd.choice(["-1", "70000", "maybe", "", "0x", "::::", "1.2.3.4.5", "&amp;"])
        parts = text.split("'")
        if len(parts) > 2:
            i = rnd.randrange(1, len(parts), 2)
            parts[i] = junk
        data = bytearray("'".join(parts).encode())
    elif ops == 4:  # rename an element
        text = data.decode("utf-8", "replace")
        tags = [t for t in ("ip", "dhcp", "forward", "bridge", "range", "host") if f"<{t}" in text]
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


def test_mutated_corpus_documents_only_raise_virtnetlib_errors() -> None:
    entries = [e for e in manifest() if e["kind"] == "network"]
    if not entries:
        pytest.skip(f"corpus not found at {CORPUS}")
    rnd = random.Random(20261128)
    for _ in range(3000):
        entry = rnd.choice(entries)
        source = (CORPUS / entry["file"]).read_bytes()
        data = _mutations(source, rnd)
        for strict in (True, False):
            try:
                net = virtnetlib.Network.from_xml(data, strict=strict)
            except virtnetlib.Error as exc:
                assert str(exc)
                continue
            # whatever parsed must write and read back the same
            out = net.to_xml()
            assert virtnetlib.Network.from_xml(out, strict=strict).to_xml() == out


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_arbitrary_input_only_raises_virtnetlib_errors(data: bytes | str) -> None:
    with contextlib.suppress(virtnetlib.Error):
        virtnetlib.parse(data)
