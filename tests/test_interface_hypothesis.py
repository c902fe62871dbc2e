"""Property tests for domain interfaces and passt port mappings."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import virtnetlib
from tests.conftest import CORPUS, libvirt_rng, manifest
from tests.fuzzing import mutate
from virtnetlib import PortForward, PortForwardRange, testing

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(testing.interfaces())
def test_generated_interfaces_round_trip(iface: virtnetlib.Interface) -> None:
    xml = iface.to_xml()
    again = virtnetlib.Interface.from_xml(xml)
    assert again == iface
    assert type(again) is type(iface)
    assert again.to_xml() == xml
    assert virtnetlib.unmodeled(again) == []


@SETTINGS
@given(testing.interfaces())
def test_generated_interfaces_are_schema_valid(iface: virtnetlib.Interface) -> None:
    rng = libvirt_rng("domaincommon.rng#interface")
    assert rng.validate(etree.fromstring(iface.to_xml().encode())), (rng.error_log, iface.to_xml())


@st.composite
def _ranges(draw: st.DrawFn) -> PortForwardRange:
    start = draw(st.integers(1, 65000))
    end = draw(st.none() | st.integers(start, min(start + 60, 65535)))
    return PortForwardRange(
        start=start,
        end=end,
        to=draw(st.none() | st.integers(1, 65000)),
        exclude=draw(st.none() | st.booleans()),
    )


def _brute_force(fwd: PortForward) -> dict[int, int]:
    """An independent expansion: every port, the last covering range wins, excludes win."""
    result = {}
    for port in range(1, 65536):
        covering = [r for r in fwd.ranges if r.start <= port <= (r.end or r.start)]
        if not covering or any(r.exclude for r in covering):
            continue
        chosen = [r for r in covering if not r.exclude][-1]
        result[port] = port - chosen.start + (chosen.to if chosen.to is not None else chosen.start)
    return result


@settings(max_examples=40, deadline=None)
@given(st.lists(_ranges(), min_size=1, max_size=5), st.sampled_from(["tcp", "udp"]))
def test_mappings_agree_with_brute_force(ranges: list[PortForwardRange], proto: str) -> None:
    fwd = PortForward(proto=proto, ranges=ranges)  # type: ignore[arg-type]
    assert fwd.mappings() == _brute_force(fwd)


def test_mutated_corpus_interfaces_only_raise_virtnetlib_errors() -> None:
    entries = [e for e in manifest() if e["kind"] == "interface"]
    if not entries:
        pytest.skip(f"corpus not found at {CORPUS}")
    rnd = random.Random(11_3_0)
    for _ in range(3000):
        source = (CORPUS / rnd.choice(entries)["file"]).read_bytes()
        data = mutate(source, rnd)
        for strict in (True, False):
            try:
                iface = virtnetlib.Interface.from_xml(data, strict=strict)
            except virtnetlib.Error as exc:
                assert str(exc)
                continue
            out = iface.to_xml()
            assert virtnetlib.Interface.from_xml(out, strict=strict).to_xml() == out
