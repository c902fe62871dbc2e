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
from tests.fuzzing import mutate
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


def test_mutated_corpus_documents_only_raise_virtnetlib_errors() -> None:
    entries = [e for e in manifest() if e["kind"] == "network"]
    if not entries:
        pytest.skip(f"corpus not found at {CORPUS}")
    rnd = random.Random(20261128)
    for _ in range(3000):
        entry = rnd.choice(entries)
        source = (CORPUS / entry["file"]).read_bytes()
        data = mutate(source, rnd)
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
