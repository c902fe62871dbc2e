"""Models from and to plain values (YAML, JSON, Ansible's ``definition``)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import virtnetlib as vnl
from tests.conftest import corpus_files
from virtnetlib import testing

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(testing.networks())
def test_a_network_comes_back_from_its_dict(net: vnl.Network) -> None:
    assert vnl.Network.from_dict(net.to_dict()) == net


@SETTINGS
@given(testing.interfaces())
def test_an_interface_comes_back_from_its_dict(iface: vnl.Interface) -> None:
    again = vnl.Interface.from_dict(iface.to_dict())
    assert type(again) is type(iface)
    assert again == iface


@SETTINGS
@given(testing.host_interfaces())
def test_a_host_interface_comes_back_from_its_dict(host: vnl.HostInterface) -> None:
    assert vnl.HostInterface.from_dict(host.to_dict()) == host


@pytest.mark.parametrize("path", corpus_files("network"))
def test_libvirts_networks_come_back_from_their_dicts(path: Any) -> None:
    net = vnl.Network.from_xml(path, strict=False)
    if vnl.unmodeled(net):
        return  # XML the models do not know is not in a dict: nothing to compare
    assert vnl.Network.from_dict(net.to_dict()).to_xml() == net.to_xml()


def test_yaml_values_are_read_as_their_xml() -> None:
    """What YAML gives (ints, bools) is written as the XML libvirt reads."""
    net = vnl.Network.from_dict(
        {
            "name": "lab",
            "bridge": {"name": "virbr10", "stp": True, "delay": 0},
            "ips": [{"address": "198.51.100.1", "prefix": 24}],
        }
    )
    assert net.bridge == vnl.NetworkBridge(name="virbr10", stp=True, delay=0)
    assert net.ips[0].prefix == 24
    assert "stp='on'" in net.to_xml()


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        ({"name": "x", "forwrd": {}}, vnl.UsageError, "no field 'forwrd' (did you mean"),
        ({"name": "x", "ips": {"address": "198.51.100.1"}}, vnl.UsageError, "ips: expected a list"),
        (["x"], vnl.UsageError, "expected a mapping of field names, got list"),
        (
            {"name": "x", "ips": [{"address": "300.1.1.1"}]},
            vnl.ParseError,
            "/network/ip/@address: expected an IPv4 or IPv6 address, got '300.1.1.1'",
        ),
        ({"name": "x", "bridge": {"stp": "maybe"}}, vnl.ParseError, "expected 'on' or 'off'"),
        ({"name": "x", "bridge": {"delay": [1]}}, vnl.UsageError, "bridge.delay: expected"),
        ({"forward": {"mode": "nat"}}, vnl.ParseError, "name"),
        ({"name": "a\x00b"}, vnl.UsageError, "Network.name: 'a\\x00b' cannot be written in XML"),
        # a bool is a yes/no or on/off word, never a number
        (
            {"name": "x", "ips": [{"address": "198.51.100.1", "prefix": True}]},
            vnl.UsageError,
            "prefix",
        ),
    ],
)
def test_bad_dicts_say_where(data: Any, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as info:
        vnl.Network.from_dict(data)
    assert words in str(info.value)


def test_an_interface_type_picks_its_class_or_is_refused() -> None:
    nic = vnl.Interface.from_dict({"type": "network", "source": {"network": "lab"}})
    assert isinstance(nic, vnl.NetworkInterface)
    with pytest.raises(vnl.UsageError, match=r"Interface.type: expected one of .*network"):
        vnl.Interface.from_dict({"type": "nope"})
