"""The rules' registry: each rule declared once, on a check that reports it,
naming the libvirt function (or guide section) it mirrors."""

from __future__ import annotations

import ast
import inspect
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import virtnetlib
from tests.conftest import CORPUS, manifest
from tests.qemu_cases import QEMU_CASES
from tests.test_validate import (
    ADVICE,
    DOMAIN,
    INTERFACE_ACCEPTED,
    INTERFACE_RULES,
    NET,
    NETWORK_ACCEPTED,
    NETWORK_DRIVER_ACCEPTED,
    NETWORK_DRIVER_RULES,
    NETWORK_RULES,
)
from virtnetlib._core.model import Model
from virtnetlib._validation import rules
from virtnetlib._validation.rules import engine
from virtnetlib._validation.rules.engine import QEMU_DOMAIN_TYPES, Check, DomainDevices, at

RULES_DIR = Path(rules.__file__).parent

#: The codes each family declares: (first letter and digit).
FAMILY_CODES = {
    "network": "E2",
    "interface": "E2",
    "host": "E2",
    "common": "E2",
    "driver": "E4",
    "qemu": "E5",
    "advice": "W3",
}

_FUNCTION = re.compile(r"[a-z][A-Za-z0-9]*\Z")


def _family(check: Check) -> str:
    return check.fn.__module__.rsplit(".", 1)[1]


def test_every_rule_has_a_check_and_every_check_declared_codes() -> None:
    checked = {code for check in engine.CHECKS for code in check.codes}
    assert set(rules.RULES) == checked | set(engine.ELSEWHERE)
    assert not checked & set(engine.ELSEWHERE)
    assert engine.ELSEWHERE == {
        "E260": "virtnetlib._validation.validate",
        "E601": "virtnetlib._validation.versions",
        "E602": "virtnetlib._validation.versions",
    }
    assert engine.undeclared() == []
    for check in engine.CHECKS:
        assert check.codes, check
        assert len(check.codes) == len(set(check.codes)), check.fn.__qualname__
        for code in check.codes:
            assert set(rules.RULES[code].on) & set(check.on), (code, check.fn.__qualname__)


def test_codes_are_unique_and_declared_once_with_their_summary() -> None:
    """Each code has one ``@rule(code, summary, ...)`` in the package's source."""
    declared = [
        str(node.args[0].value)
        for path in sorted(RULES_DIR.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("rule", "declare")
        and len(node.args) >= 2
        and isinstance(node.args[0], ast.Constant)
    ]
    assert sorted(declared) == sorted(rules.RULES)
    assert len(declared) == len(set(declared))
    with pytest.raises(ValueError, match="declared twice"):
        engine.rule("E201", "again", on=virtnetlib.Network, libvirt="virNetworkDefParseXML")
    with pytest.raises(ValueError, match="names no libvirt function"):
        engine.rule("E999", "nothing mirrored", on=virtnetlib.Network)
    assert "E999" not in rules.RULES


def test_every_rule_names_what_it_mirrors() -> None:
    for code, rule in rules.RULES.items():
        assert rule.code == code
        assert rule.severity == ("error" if code[0] == "E" else "warning")
        assert rule.libvirt or rule.guide or rule.reason, code
        # every error is a check libvirt makes; advice follows the guide, or
        # says why what libvirt accepts will not work
        assert rule.libvirt if code.startswith("E") else rule.guide or rule.reason or rule.note
        for name in rule.libvirt:
            assert _FUNCTION.match(name), (code, name)
        if rule.guide:
            assert re.match(r"15(\.\d+)+ [A-Z]", rule.guide), (code, rule.guide)
        assert rule.mirrors(), code


def test_families_hold_their_codes() -> None:
    assert {m.__name__.rsplit(".", 1)[1] for m in rules.FAMILIES} == set(FAMILY_CODES)
    for check in engine.CHECKS:
        family = _family(check)
        for code in check.codes:
            assert code.startswith(FAMILY_CODES[family]), (family, code)
            qemu = code.startswith("E5")
            assert (rules.RULES[code].domain_types == QEMU_DOMAIN_TYPES) is qemu, code
        assert (check.domain_types is not None) is (family == "qemu")
        on_domain = DomainDevices in check.on
        assert not on_domain or check.on == (DomainDevices,), check.fn.__qualname__


def test_check_sources_yield_only_their_codes() -> None:
    """The codes spelled in a check's own body are among those it declares."""
    code = re.compile(r"[EW]\d{3}\Z")
    for check in engine.CHECKS:
        tree = ast.parse(inspect.getsource(check.fn).lstrip())
        func = tree.body[0]
        assert isinstance(func, ast.FunctionDef)
        body = ast.Module(body=func.body, type_ignores=[])
        spelled = {
            n.value
            for n in ast.walk(body)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and code.match(n.value)
        }
        assert spelled <= set(check.codes), (check.fn.__qualname__, spelled - set(check.codes))


# ------------------------------------------------- what the checks report, run


def _documents() -> Iterator[tuple[str, str]]:
    """(kind, XML) of the corpus and of the rule tests' cases."""
    for entry in manifest():
        yield entry["kind"], (CORPUS / entry["file"]).read_text()
    for snippet, _, _ in NETWORK_RULES:
        yield "network", NET.format(snippet)
    for snippet, _ in NETWORK_DRIVER_RULES:
        yield "network", NET.format(snippet)
    for snippet in (*NETWORK_ACCEPTED, *NETWORK_DRIVER_ACCEPTED):
        yield "network", NET.format(snippet)
    for bad, _, good in ADVICE:
        for xml in (bad, good):
            yield ("domain" if xml.startswith("<domain") else "any"), xml
    for iface, _ in INTERFACE_RULES:
        yield "domain", DOMAIN.format(iface)
    for iface in INTERFACE_ACCEPTED:
        yield "domain", DOMAIN.format(iface)
    yield "domain", DOMAIN.format("".join(nic for nic, _ in QEMU_CASES))
    yield "network", "<network><name>a/b</name></network>"
    # what the schema refuses, so no test document reaches: E206, E207, E212,
    # and a network route's prefix too long for its family
    yield (
        "network",
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host ip='10.0.0.2'/>"
            "<host mac='52:54:00:00:00:01'/></dhcp></ip>"
            "<ip family='ipv6' address='2001:db8::1' netmask='255.255.255.0'/>"
            "<route address='10.9.0.0' prefix='33' gateway='10.0.0.2'/>"
        ),
    )
    # across a domain's devices, and passt
    twice = (
        "<interface type='user'><mac address='52:54:00:00:00:01'/><boot order='1'/>"
        "<alias name='ua-a'/><address type='pci' domain='0' bus='0' slot='3' function='0'/>"
        "<portForward proto='tcp'><range start='22'/></portForward></interface>"
    )
    hostdev = "<interface type='hostdev'><source><address type='pci' bus='1' slot='0'/></source>"
    yield "domain", DOMAIN.format(twice * 2 + (hostdev + "<backend type='passt'/></interface>") * 2)
    # per-device boot order beside <os><boot>
    yield "domain", DOMAIN.format(twice).replace("</type></os>", "</type><boot dev='hd'/></os>")
    yield (
        "hostinterface",
        "<interface type='bridge' name='br0'><bridge><interface type='vlan'><vlan tag='42'>"
        "<interface name='eth0'/></vlan></interface><interface type='bond' name='bond0'>"
        "<bond mode='balance-rr'><arpmon interval='100' target='198.51.100.1'/>"
        "<interface type='ethernet' name='eth1'></interface></bond></interface></bridge>"
        "</interface>",
    )


def _models(kind: str, xml: str) -> Iterator[Any]:
    root = etree.fromstring(xml.encode())
    if root.tag == "domain":
        yield root
        for el in root.iterfind("devices/interface"):
            yield from _models("interface", etree.tostring(el).decode())
        return
    classes: dict[str, type[Model]] = {
        "network": virtnetlib.Network,
        "interface": virtnetlib.Interface,
        "hostinterface": virtnetlib.HostInterface,
    }
    if kind == "any":
        kind = "network" if root.tag == "network" else "interface"
    try:
        yield classes[kind].from_xml(xml, strict=False)
    except virtnetlib.Error:
        return  # not a model at all: no check runs on it


def test_checks_report_the_codes_they_declare_and_no_other() -> None:
    """Every check, run on the corpus and the rule tests' cases, yields only
    its declared codes, and each of them somewhere."""
    if not manifest():
        pytest.skip(f"corpus not found at {CORPUS}")
    seen: dict[int, set[str]] = {id(c): set() for c in engine.CHECKS}
    for kind, xml in _documents():
        for model in _models(kind, xml):
            for check in engine.CHECKS:
                if DomainDevices in check.on:
                    if not isinstance(model, etree._Element):
                        continue
                    codes = {p.code for p in check.fn(model)}
                elif isinstance(model, check.on):
                    codes = {f[0] for f in check.fn(model)}
                else:
                    continue
                assert codes <= set(check.codes), (check.fn.__qualname__, codes)
                seen[id(check)] |= codes
    for check in engine.CHECKS:
        assert seen[id(check)] == set(check.codes), check.fn.__qualname__


def test_check_model_runs_the_checks_of_the_models_class() -> None:
    net = virtnetlib.Network.from_xml(NET.format("<forward mode='nat'/>"))
    (problem,) = rules.check_model(net, etree.fromstring(net.to_xml().encode()))
    assert (problem.code, problem.path) == ("E215", "/network/forward")
    # not a document the rules know
    assert rules.check_model(net.forward, etree.fromstring(b"<forward/>")) == []  # type: ignore[arg-type]
    nic = (
        "<interface type='hostdev'><source><address type='pci' bus='1' slot='0'/></source>"
        "<ip address='10.0.0.1'/></interface>"
    )
    iface = virtnetlib.Interface.from_xml(nic, strict=False)
    el = etree.fromstring(nic.encode())
    assert [p.code for p in rules.check_model(iface, el) if p.code.startswith("E5")] == []
    assert [p.code for p in rules.check_model(iface, el, "kvm") if p.code.startswith("E5")] == [
        "E501"
    ]


def test_paths_come_from_the_models_declarations() -> None:
    net = virtnetlib.Network.from_xml(
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.3'/>"
            "</dhcp></ip><ip family='ipv6' address='2001:db8::1' prefix='64'/>"
            "<portgroup name='a'/>"
        )
    )
    assert [at(net, "ips", i) for i in range(2)] == ["ip[1]", "ip[2]"]
    assert at(net, "portgroups") == "portgroup"
    assert at(net, "bridge") == "bridge"
    dhcp = net.ips[0].dhcp
    assert dhcp is not None
    assert at(dhcp, "ranges") == "range"
    iface = virtnetlib.Interface.from_xml(
        "<interface type='user'><portForward proto='tcp'><range start='22'/></portForward>"
        "<portForward proto='udp'><range start='53'/></portForward></interface>"
    )
    assert at(iface, "port_forwards", 1) == "portForward[2]"


def test_no_hand_made_list_paths_remain() -> None:
    for path in RULES_DIR.glob("*.py"):
        assert "_idx(" not in path.read_text(), path.name


@pytest.mark.skipif(
    not os.environ.get("VIRTNETLIB_LIBVIRT_SRC"),
    reason="set VIRTNETLIB_LIBVIRT_SRC to an unpacked libvirt 11.3 source tree",
)
def test_the_libvirt_functions_named_exist() -> None:
    """Every function a rule names is defined in libvirt's source (11.3)."""
    src = Path(os.environ["VIRTNETLIB_LIBVIRT_SRC"]) / "src"
    defined: set[str] = set()
    for path in src.rglob("*.c"):
        defined |= set(re.findall(r"^([A-Za-z_]\w*)\(", path.read_text(errors="replace"), re.M))
    named = {name for rule in rules.RULES.values() for name in rule.libvirt}
    assert named - defined == set()
