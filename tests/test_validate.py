"""validate(): schema errors with precise messages, libvirt's define-time checks, advice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import virtnetlib
import virtnetlib._core.model
import virtnetlib._core.xml as xml_module
import virtnetlib._validation.explain as explaining
import virtnetlib._validation.validate as validating
from tests.conftest import CORPUS, corpus_entries, manifest, need_module
from tests.qemu_cases import QEMU_CASES, QEMU_DOMAIN
from virtnetlib import Problem, validate
from virtnetlib._validation.rules import RULES

NET = "<network><name>n</name>{}</network>"
DOMAIN = (
    "<domain type='test'><name>d</name><memory>1024</memory><os><type>hvm</type></os>"
    "<devices>{}</devices></domain>"
)
PCI1 = "<source><address type='pci' domain='0' bus='1' slot='0' function='0'/></source>"


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


# ------------------------------------------------------------------ schema errors


@pytest.mark.parametrize(
    ("xml", "code", "path", "words"),
    [
        (
            "<network><name>n</name>\n<bridge name='br 0' stp='maybe'/></network>",
            "E101",
            "/network/bridge/@stp",
            "invalid value 'maybe' for stp; expected 'on' or 'off'",
        ),
        (
            "<network><name>n</name><bridge futureAttr='1'/></network>",
            "E104",
            "/network/bridge/@futureAttr",
            "allowed: delay, macTableManager, name, stp, zone",
        ),
        (
            "<network><name>n</name><futureElement/></network>",
            "E105",
            "/network/futureElement",
            "not allowed in <network>",
        ),
        (
            "<network><name>n</name><bridge/><bridge/></network>",
            "E103",
            "/network/bridge[2]",
            "may appear only once",
        ),
        (
            "<network><name>n</name><ip><dhcp><range start='198.51.100.1'/></dhcp></ip></network>",
            "E102",
            "/network/ip/dhcp/range",
            "required attribute 'end'",
        ),
        (
            "<network><name>n</name><dns><host ip='198.51.100.1'/></dns></network>",
            "E102",
            "/network/dns/host",
            "missing required element <hostname>",
        ),
        (
            "<network><name>n</name><vlan><tag id='5000'/></vlan></network>",
            "E101",
            "/network/vlan/tag/@id",
            "from 0 to 4095",
        ),
        (
            "<network><name>n</name><ip address='198.51.100.1' netmask='255.255.255.0' "
            "prefix='24'/></network>",
            "E110",
            "/network/ip/@prefix",
            "netmask, prefix of <ip> cannot be used together",
        ),
        (
            "<network><uuid>not-a-uuid</uuid><name>n</name></network>",
            "E101",
            "/network/uuid",
            "a UUID",
        ),
        (
            "<interface type='network'><source network='default' portgroup='a b'/></interface>",
            "E101",
            "/interface/source/@portgroup",
            "a device name",
        ),
    ],
)
def test_schema_errors_are_precise(xml: str, code: str, path: str, words: str) -> None:
    problems = [p for p in validate(xml) if p.code.startswith("E1")]
    matching = [p for p in problems if p.path == path]
    assert matching, problems
    assert matching[0].code == code
    assert words in matching[0].message
    assert matching[0].line is not None


HOST_VLAN_IN_BRIDGE = (
    "<interface type='bridge' name='br0'><bridge>"
    "<interface type='vlan' name='eth0.42'><vlan{}><interface {}name='eth0'/></vlan></interface>"
    "</bridge></interface>"
)


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        # a missing element, not the type that asks for it (libxml2 also
        # blames the <model> where it gave up)
        (
            "<interface type='direct'><model type='virtio'/></interface>",
            [("E102", "/interface", "missing required element <source> in <interface>")],
        ),
        (
            "<interface type='hostdev'><mac address='52:54:00:00:00:01'/></interface>",
            [("E102", "/interface", "missing required element <source> in <interface>")],
        ),
        # the sibling at fault, not the one libxml2 stopped at
        (
            "<interface type='direct'><model type='virtio'/><source dev='eth0'/><target/>"
            "</interface>",
            [("E102", "/interface/target", "missing required attribute 'dev'")],
        ),
        # a good discriminator value: what is wrong is the content it picks
        (
            "<interface type='bond' name='bond0'><protocol family='ipv4'>"
            "<route gateway='198.51.100.1'/><route gateway='198.51.100.1'/></protocol>"
            "<bond><interface type='ethernet' name='eth0'/></bond></interface>",
            [("E103", "/interface/protocol/route[2]", "may appear only once")],
        ),
        # an attribute with a value fine elsewhere, not allowed here at all
        (
            HOST_VLAN_IN_BRIDGE.format(" tag='42'", "type='ethernet' "),
            [
                (
                    "E104",
                    "/interface/bridge/interface/vlan/interface/@type",
                    "attribute 'type' is not allowed on <interface> here",
                )
            ],
        ),
        # an attribute the element lacks, found by adding it to a copy
        # (libxml2 says "Element host failed to validate attributes" at <hostname>)
        (
            "<network><name>n</name><dns><host><hostname>a</hostname></host>"
            "<host ip='198.51.100.1'><hostname>b</hostname></host></dns></network>",
            [("E102", "/network/dns/host[1]", "<host> lacks required attribute 'ip'")],
        ),
        # a repetition is said once, not at each twin; and only where the
        # grammar never lets the element repeat (a bad <host> among many is
        # not a "second <host>")
        (
            "<interface type='user'><mac address='52:54:00:00:00:01'/>"
            "<mac address='52:54:00:00:00:01'/></interface>",
            [("E103", "/interface/mac[1]", "<mac> may appear only once in <interface>")],
        ),
        # a misspelt name gets a suggestion
        (
            "<network><name>n</name><bridge nmae='br0'/><forwrd mode='nat'/></network>",
            [
                (
                    "E104",
                    "/network/bridge/@nmae",
                    "is not allowed on <bridge>; did you mean 'name'?",
                ),
                ("E105", "/network/forwrd", "not allowed in <network>; did you mean <forward>?"),
            ],
        ),
        # a misspelt value gets a suggestion, and the copy is repaired with it,
        # so the children the right type allows are not each reported
        (
            "<interface type='netwrok'><mac address='52:54:00:00:00:01'/>"
            "<source network='default'/><model type='virtio'/></interface>",
            [
                (
                    "E101",
                    "/interface/@type",
                    "invalid value 'netwrok' for type; did you mean 'network'?",
                )
            ],
        ),
        (
            NET.format("<forward mode='NAT'/><ip address='198.51.100.1' prefix='24'/>"),
            [
                (
                    "E101",
                    "/network/forward/@mode",
                    "invalid value 'NAT' for mode; did you mean 'nat'?",
                )
            ],
        ),
        # a missing element does not hide an attribute no definition knows
        (
            "<interface type='network' network='default'/>",
            [
                ("E102", "/interface", "missing required element <source> in <interface>"),
                ("E104", "/interface/@network", "attribute 'network' is not allowed"),
            ],
        ),
        (
            "<interface type='network'><source network='default'/>"
            "<mac adress='52:54:00:00:00:01'/></interface>",
            [
                ("E102", "/interface/mac", "missing required attribute 'address'"),
                ("E104", "/interface/mac/@adress", "did you mean 'address'?"),
            ],
        ),
        # the bad value, not its good partner whose removal also moves the failure
        (
            NET.format(
                "<ip address='198.51.100.1' prefix='24'><dhcp>"
                "<range start='198.51.100.2' end='kernel'/></dhcp></ip>"
            ),
            [("E101", "/network/ip/dhcp/range/@end", "invalid value 'kernel' for end")],
        ),
        # an attribute the element never has, though libxml2 only says its
        # parent's content does not fit
        (
            NET.format(
                "<dns><forwarder addr='198.51.100.53'/><txt name='a' value='b'/>"
                "<forwarder addr='2001:db8::53' port='5353'/></dns>"
            ),
            [("E104", "/network/dns/forwarder[2]/@port", "not allowed on <forwarder>")],
        ),
        # an invalid child is not also "missing" from its parent
        (
            HOST_VLAN_IN_BRIDGE.format("", ""),
            [("E102", "/interface/bridge/interface/vlan", "required attribute 'tag'")],
        ),
    ],
)
def test_schema_errors_name_the_cause_not_a_symptom(
    xml: str, expected: list[tuple[str, str, str]]
) -> None:
    problems = [p for p in validate(xml) if p.severity == "error"]
    assert [(p.code, p.path) for p in problems] == [(c, path) for c, path, _ in expected]
    for problem, (_, _, words) in zip(problems, expected, strict=True):
        assert words in problem.message


def test_a_required_child_that_fails_is_not_also_reported_missing() -> None:
    with pytest.raises(virtnetlib.ParseError) as caught:
        virtnetlib.HostInterface.from_xml(HOST_VLAN_IN_BRIDGE.format("", ""))
    assert [(i.path, i.message) for i in caught.value.issues] == [
        ("/interface/bridge/interface/vlan", "missing required attribute 'tag'")
    ]


@pytest.mark.parametrize(
    ("bad", "code", "words"),
    [
        ("<host/>", "E110", "<host> is not allowed in <dhcp>"),
        ("<host mac='52:54:00:ff:ff:ff' ip='x'/>", "E101", "invalid value 'x' for ip"),
        ("<bogus/>", "E105", "element <bogus> is not allowed in <dhcp>"),
    ],
)
def test_a_problem_among_thousands_of_siblings_is_found_in_few_tries(
    monkeypatch: pytest.MonkeyPatch, bad: str, code: str, words: str
) -> None:
    # the explanation tries removals on a copy; one per sibling would make a
    # network with 10,000 DHCP hosts take minutes, halves take a few tries
    tries = 0
    real = explaining._still_failing

    def counted(*args: Any) -> bool:
        nonlocal tries
        tries += 1
        return real(*args)

    monkeypatch.setattr(explaining, "_still_failing", counted)
    hosts = [
        f"<host mac='52:54:00:00:{i >> 8:02x}:{i & 255:02x}' ip='10.0.{i >> 8}.{i & 255}'/>"
        for i in range(1, 2001)
    ]
    hosts.insert(1000, bad)
    xml = NET.format(f"<ip address='10.0.0.1' prefix='16'><dhcp>{''.join(hosts)}</dhcp></ip>")
    (problem,) = [p for p in validate(xml) if p.code.startswith("E1")]
    assert problem.code == code
    assert words in problem.message
    assert problem.path is not None
    assert problem.path.startswith("/network/ip/dhcp/")
    assert tries < 40


def test_many_findings_are_located_as_one_would_be(monkeypatch: pytest.MonkeyPatch) -> None:
    # past a few findings, paths come from one index of the document: the
    # same paths and lines as looking each one up
    ranges = "\n".join(f"<range start='{p}' exclude='yes'/>" for p in range(1000, 1040))
    xml = (
        "<domain type='test'><name>d</name><memory>1024</memory><os><type>hvm</type></os>"
        "<devices><interface type='user'/><interface type='user'><backend type='passt'/>"
        f"<portForward proto='tcp'>\n{ranges}\n</portForward></interface></devices></domain>"
    )
    walks = 0
    real = xml_module._walk

    def counted(start: Any, steps: list[str]) -> Any:
        nonlocal walks
        walks += 1
        return real(start, steps)

    monkeypatch.setattr(xml_module, "_walk", counted)
    indexed = validate(xml)
    assert walks == xml_module.ElementsByPath.WALKS  # then the index, not a walk per finding
    monkeypatch.setattr(xml_module.ElementsByPath, "WALKS", 10**9)
    looked_up = validate(xml)
    assert indexed == looked_up
    assert [p.code for p in indexed] == ["W307"] * 40
    assert indexed[39].path == "/domain/devices/interface[2]/portForward/range[40]"
    assert [p.line for p in indexed] == list(range(2, 42))  # walked, then indexed


def test_an_explanation_that_stops_early_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[bool] = []
    real = virtnetlib._core.model.parse_root_kept

    def counted(cls: Any, element: Any, *, strict: bool = True, **more: Any) -> Any:
        reads.append(strict)
        return real(cls, element, strict=strict, **more)

    monkeypatch.setattr(validating, "parse_root_kept", counted)
    hosts = "".join(f"<host mac='52:54:00:00:00:01' ip='x{i}'/>" for i in range(200))
    problems = validate(NET.format(f"<ip address='10.0.0.1' prefix='8'><dhcp>{hosts}</dhcp></ip>"))
    *explained, last = problems
    assert len(explained) == explaining._MAX_ROUNDS
    assert {p.code for p in explained} == {"E101"}
    assert "more schema problems than shown here" in last.message
    # the values not reached are not passed off as E260 (parser-only) problems
    assert "E260" not in {p.code for p in problems}
    # read strictly once for the explanation and the checks, then leniently
    assert reads == [True, False]


def test_every_schema_problem_is_reported_not_just_the_first() -> None:
    xml = (
        "<network><name>n</name><forward mode='natt'/>\n"
        "<bridge stp='maybe' extra='1'/>\n"
        "<ip address='300.1.1.1'><dhcp><range start='x' end='y'/></dhcp></ip></network>"
    )
    paths = {p.path for p in validate(xml) if p.severity == "error"}
    assert {
        "/network/forward/@mode",
        "/network/bridge/@stp",
        "/network/bridge/@extra",
        "/network/ip/@address",
        "/network/ip/dhcp/range/@start",
        "/network/ip/dhcp/range/@end",
    } <= paths


def test_expected_values_are_given_for_enums() -> None:
    (problem,) = validate(NET.format("<forward mode='natt'/>"))
    assert problem.expected == (
        "'bridge'",
        "'hostdev'",
        "'nat'",
        "'open'",
        "'passthrough'",
        "'private'",
        "'route'",
        "'vepa'",
    )


def test_malformed_and_foreign_documents() -> None:
    (problem,) = validate("<network><name>n</name>")
    assert problem.code == "E100"
    assert problem.line == 1
    (problem,) = validate("<pool/>")
    assert problem.code == "E100"
    assert "got <pool>" in problem.message
    assert validate("<network/>", kind="interface")[0].code == "E100"


# ------------------------------------------------------------------ define-time rules

# (snippet inside <network>, code, libvirt's test driver rejects it too)
NETWORK_RULES = [
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.20' end='10.0.0.10'/>"
        "</dhcp></ip>",
        "E202",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.1.2' end='10.0.1.10'/>"
        "</dhcp></ip>",
        "E203",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><range start='2001:db8::2' end='2001:db8::9'/>"
        "</dhcp></ip>",
        "E204",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.0' end='10.0.0.9'/>"
        "</dhcp></ip>",
        "E205",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.255'/>"
        "</dhcp></ip>",
        "E205",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='53:54:00:00:00:01' ip='10.0.0.5'/>"
        "</dhcp></ip>",
        "E209",
        True,
    ),
    (
        "<ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp>"
        "<host mac='52:54:00:00:00:01' ip='2001:db8::5'/></dhcp></ip>",
        "E208",
        True,
    ),
    ("<ip family='ipv6' address='2001:db8::1' prefix='64'><tftp root='/srv'/></ip>", "E210", True),
    ("<ip prefix='24'/>", "E211", True),
    ("<ip family='ipv6' address='10.0.0.1' prefix='24'/>", "E213", True),
    ("<ip address='10.0.0.1' prefix='33'/>", "E214", True),
    ("<forward mode='nat'/>", "E215", True),
    ("<forward mode='route'/>", "E215", True),
    ("<dns enable='no'><host ip='10.0.0.5'><hostname>a</hostname></host></dns>", "E217", True),
    ("<bandwidth><inbound average='10' floor='5'/></bandwidth>", "E219", True),
    ("<mac address='01:00:5e:00:00:01'/>", "E209", True),
    ("<forward mode='bridge'/><bridge name='br0' stp='on'/>", "E221", True),
    ("<forward mode='bridge'/><bridge name='br0'/><mtu size='9000'/>", "E221", True),
    ("<forward mode='bridge' dev='eth0'><interface dev='eth1'/></forward>", "E222", True),
    (
        "<forward mode='nat'><interface dev='eth1'/><interface dev='eth2'/></forward>"
        "<ip address='10.0.0.1' prefix='24'/>",
        "E223",
        True,
    ),
    (
        "<forward mode='route'><nat><port start='1000' end='2000'/></nat></forward>"
        "<ip address='10.0.0.1' prefix='24'/>",
        "E224",
        True,
    ),
    (
        "<forward mode='nat'><nat><address start='10.0.0.9' end='10.0.0.1'/></nat></forward>"
        "<ip address='10.1.0.1' prefix='24'/>",
        "E225",
        True,
    ),
    (
        "<forward mode='nat'><nat><port start='2000' end='1000'/></nat></forward>"
        "<ip address='10.1.0.1' prefix='24'/>",
        "E225",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'/><route address='10.9.0.0' prefix='16' "
        "gateway='10.8.0.1'/>",
        "E227",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'/><route address='10.9.0.1' prefix='16' "
        "gateway='10.0.0.2'/>",
        "E228",
        True,
    ),
    (  # not ones then zeros: libvirt refuses it as a netmask
        "<ip address='10.0.0.1' prefix='24'/><route address='10.9.0.0' netmask='255.0.255.0' "
        "gateway='10.0.0.2'/>",
        "E228",
        True,
    ),
    (  # a host mask, which Python's ipaddress would read as /24
        "<ip address='10.0.0.1' prefix='24'/><route address='10.9.0.0' netmask='0.0.0.255' "
        "gateway='10.0.0.2'/>",
        "E228",
        True,
    ),
    ("<forward mode='open' dev='eth0'/><ip address='10.0.0.1' prefix='24'/>", "E229", True),
    (
        "<forward mode='passthrough'><interface dev='eth3'/><interface dev='eth3'/></forward>",
        "E230",
        True,
    ),
    (
        "<forward mode='hostdev' managed='yes'><address type='pci' domain='0' bus='3' slot='0' "
        "function='1'/><address type='pci' domain='0' bus='3' slot='0' function='1'/></forward>",
        "E230",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' name='_a' "
        "ip='10.0.0.5'/></dhcp></ip>",
        "E231",
        True,
    ),
    (
        "<forward mode='passthrough'><interface dev='eth0'/></forward><bridge name='br1'/>",
        "E232",
        True,
    ),
    ("<forward mode='hostdev' dev='eth0'/><bridge name='br1'/>", "E232", True),
    ("<forward mode='bridge' dev='eth0'/><bridge name='br1'/>", "E232", True),
    ("<forward mode='bridge'><pf dev='eth0'/></forward><bridge name='br1'/>", "E232", True),
    (
        "<ip address='10.0.0.1' prefix='8'><dhcp><range start='10.0.0.2' end='10.1.0.1'/>"
        "</dhcp></ip>",
        "E263",
        True,
    ),
    (
        "<forward mode='nat'><nat><address start='10.0.0.1' end='10.1.0.0'/></nat></forward>"
        "<ip address='198.51.100.1' prefix='24'/>",
        "E263",
        True,
    ),
    (
        "<forward mode='open'><interface dev='eth0'/></forward>"
        "<ip address='10.0.0.1' prefix='24'/>",
        "E229",
        True,
    ),
    (
        "<forward mode='vepa'><interface dev='eth0'/></forward><bridge macTableManager='kernel'/>",
        "E262",
        True,
    ),
    ("<dns><forwarder/></dns><ip address='10.0.0.1' prefix='24'/>", "E233", True),
    ("<dns><srv service='s' protocol='tcp' port='1'/></dns>", "E234", True),
    ("<dns><srv service='s' protocol='tcp' weight='1'/></dns>", "E234", True),
    ("<dns><srv service='a.b' protocol='tcp'/></dns>", "E235", True),
    (f"<dns><srv service='{'s' * 483}' protocol='tcp'/></dns>", "E235", True),
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'>"
        "<lease expiry='1'/></range></dhcp></ip>",
        "E236",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' ip='10.0.0.5'>"
        "<lease expiry='119' unit='seconds'/></host></dhcp></ip>",
        "E236",
        True,
    ),
    ("<bandwidth><inbound peak='10'/></bandwidth>", "E237", True),
    ("<forward mode='passthrough' dev='eth1'><pf dev='eth1'/></forward>", "E266", True),
    (
        "<forward mode='hostdev' dev='eth1'><address type='pci' domain='0' bus='0x11' "
        "slot='0x10' function='1'/></forward>",
        "E266",
        True,
    ),
    (
        "<forward mode='bridge'/><bridge name='br0'/><portgroup name='g'><bandwidth>"
        "<outbound burst='10'/></bandwidth></portgroup>",
        "E237",
        True,
    ),
    (
        "<forward mode='bridge'/><bridge name='br0'/><portgroup name='g'><bandwidth>"
        "<outbound average='10' floor='5'/></bandwidth></portgroup>",
        "E265",
        True,
    ),
    (
        "<forward mode='nat'/><ip address='10.0.0.1' prefix='24'/><bandwidth>"
        "<outbound average='10' floor='5'/></bandwidth>",
        "E265",
        True,
    ),
    (
        "<forward mode='bridge'/><bridge name='br0'/><virtualport type='openvswitch'/>"
        "<vlan trunk='yes'><tag id='1' nativeMode='tagged'/><tag id='2' nativeMode='untagged'/>"
        "</vlan>",
        "E238",
        True,
    ),
    (
        "<forward mode='bridge'/><bridge name='br0'/><virtualport type='openvswitch'/>"
        "<portgroup name='g'><vlan trunk='yes'><tag id='1' nativeMode='tagged'/>"
        "<tag id='2' nativeMode='tagged'/></vlan></portgroup>",
        "E238",
        True,
    ),
    ("<forward mode='vepa'><interface dev='eth0'/></forward><virtualport/>", "E239", True),
    (
        "<ip address='10.0.0.1' prefix='24'><dhcp><bootp file='pxelinux.0' "
        "server='pxe.example.com'/></dhcp></ip>",
        "E254",
        True,
    ),
    (
        "<ip address='10.0.0.1' netmask='255.0.255.0'><dhcp><range start='10.0.0.2' "
        "end='10.0.0.9'/></dhcp></ip>",
        "E255",
        True,
    ),
    ("<ip address='2001:db8::1' prefix='64'/>", "E213", True),
    (
        "<ip address='10.0.0.1' prefix='24'/><ip family='ipv6' address='2001:db8::1' prefix='64'/>"
        "<route address='2001:db8:1::' prefix='64' gateway='2001:db8::2'/>",
        "E213",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'/>"
        "<route family='ipv6' address='10.1.0.0' prefix='16' gateway='10.0.0.2'/>",
        "E213",
        True,
    ),
    (
        "<ip address='10.0.0.1' prefix='24'/><route address='10.1.0.0' gateway='10.0.0.2'/>",
        "E228",
        True,
    ),
]

# Boundaries of the rules above: libvirt accepts these, and so must validate().
NETWORK_ACCEPTED = [
    # inet_aton's short forms, as getaddrinfo reads them: 0.0.0.255 and 10.0.0.1
    "<ip address='10.0.0.1' prefix='24'><dhcp><bootp file='pxelinux.0' server='255'/></dhcp></ip>",
    "<ip address='10.0.0.1' prefix='24'><dhcp><bootp file='pxelinux.0' server='10.1'/></dhcp></ip>",
    "<forward mode='bridge'/><bridge name='br0' delay='0'/>",
    "<forward mode='passthrough' dev='eth1'/>",
    "<forward mode='passthrough'><pf dev='eth1'/></forward>",
    "<dns enable='no' forwardPlainNames='yes'/>",
    "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' name='1a' "
    "ip='10.0.0.5'/></dhcp></ip>",
    "<forward mode='bridge'/><bridge name='br1' macTableManager='libvirt'/>",
    "<forward mode='bridge' dev='eth0'/>",
    "<forward mode='nat'><nat><address start='10.0.0.1' end='10.0.255.255'/></nat></forward>"
    "<ip address='10.0.0.1' prefix='8'><dhcp><range start='10.1.0.1' end='10.1.255.255'/>"
    "</dhcp></ip>",
    "<forward mode='bridge'><pf dev='eth0'/></forward>",
    "<forward mode='open'><pf dev='eth0'/></forward><ip address='10.0.0.1' prefix='24'/>",
    "<dns><forwarder domain='example.com'/></dns><ip address='10.0.0.1' prefix='24'/>",
    "<dns><srv service='a_b-c+d/e*f' protocol='tcp' target='t' port='1' weight='2'/></dns>",
    f"<dns><srv service='{'s' * 482}' protocol='udp'/></dns>",
    "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'>"
    "<lease expiry='2'/></range><host mac='52:54:00:00:00:01' ip='10.0.0.5'>"
    "<lease expiry='0'/></host><host mac='52:54:00:00:00:02' ip='10.0.0.6'>"
    "<lease expiry='120' unit='seconds'/></host></dhcp></ip>",
    "<bandwidth><inbound average='10' peak='20'/><outbound average='5'/></bandwidth>",
    "<forward mode='vepa'><interface dev='eth0'/></forward><portgroup name='g'>"
    "<virtualport/></portgroup>",
    "<forward mode='vepa'><interface dev='eth0'/></forward>"
    "<virtualport type='802.1Qbg'><parameters managerid='1'/></virtualport>",
    "<ip address='10.0.0.1' prefix='24'><dhcp><bootp file='a' server='10.0.0.2'/></dhcp></ip>",
    "<ip address='10.0.0.1' netmask='255.0.255.0'/>",
    "<ip address='10.0.0.1' prefix='24'/><route address='0.0.0.0' gateway='10.0.0.2'/>"
    "<ip family='ipv6' address='2001:db8::1' prefix='64'/>"
    "<route family='ipv6' address='::' gateway='2001:db8::2'/>",
]


def _network_define_error(conn: Any, xml: str) -> str | None:
    libvirt = need_module("libvirt", "libvirt-python: the test driver is the reference")
    try:
        conn.networkDefineXML(xml).undefine()
    except libvirt.libvirtError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(("snippet", "code", "libvirt_rejects"), NETWORK_RULES)
def test_network_define_time_rules(
    snippet: str, code: str, libvirt_rejects: bool, test_conn: Any
) -> None:
    xml = NET.format(snippet)
    found = validate(xml)
    assert code in codes(found), found
    if code != "E209":  # libvirt's schema refuses multicast MACs as well
        assert not [p for p in found if p.code.startswith("E1")], "rule cases are schema-valid"
    if libvirt_rejects:
        assert _network_define_error(test_conn, xml) is not None


def test_network_name_with_slash(test_conn: Any) -> None:
    xml = "<network><name>a/b</name></network>"
    assert "E201" in codes(validate(xml))
    assert _network_define_error(test_conn, xml) is not None


INTERFACE_RULES = [
    ("<interface type='ethernet'><port isolated='yes'/></interface>", "E240"),
    (
        "<interface type='bridge'><source bridge='br0'/><virtualport type='openvswitch'/>"
        "<port isolated='yes'/></interface>",
        "E240",
    ),
    (
        "<interface type='vhostuser'><source type='unix' path='/tmp/s' mode='client'/>"
        "<model type='e1000'/></interface>",
        "E242",
    ),
    (
        "<interface type='network'><mac address='01:00:5e:00:00:01'/><source network='a'/>"
        "</interface>",
        "E243",
    ),
    (f"<interface type='hostdev'>{PCI1}<teaming type='transient'/></interface>", "E245"),
    (
        "<interface type='network'><source network='a'/><rom enabled='no' file='/x'/></interface>",
        "E246",
    ),
    (
        "<interface type='bridge'><source bridge='br0'/><bandwidth><inbound average='10' "
        "floor='5'/></bandwidth></interface>",
        "E247",
    ),
    (
        "<interface type='ethernet'><ip address='10.0.0.1' prefix='24' peer='2001:db8::1'/>"
        "</interface>",
        "E249",
    ),
    (
        "<interface type='vhostuser'><source type='unix' path='/tmp/s' mode='server'>"
        "<reconnect enabled='yes' timeout='5'/></source><model type='virtio'/></interface>",
        "E250",
    ),
    (
        "<interface type='network'><source network='a'/><bandwidth><inbound peak='10'/>"
        "</bandwidth></interface>",
        "E237",
    ),
    (
        "<interface type='network'><source network='a'/><bandwidth><outbound average='10' "
        "floor='5'/></bandwidth></interface>",
        "E265",
    ),
    (
        "<interface type='bridge'><source bridge='br0'/><target dev='tap1' managed='no'/>"
        "</interface>",
        "E267",
    ),
    (
        "<interface type='ethernet'><ip address='2001:db8::2' family='ipv6' prefix='64'/>"
        "<route family='ipv6' address='::' gateway='198.51.100.1'/></interface>",
        "E213",
    ),
    (
        "<interface type='network'><source network='a'/><bandwidth><inbound floor='200' "
        "burst='8000'/></bandwidth></interface>",
        "E237",
    ),
    (f"<interface type='hostdev' managed='yes'>{PCI1}<driver name='vhost'/></interface>", "E268"),
    (f"<interface type='hostdev' managed='yes'>{PCI1}<driver name='qemu'/></interface>", "E268"),
    (
        "<interface type='bridge'><source bridge='br0'/><vlan trunk='yes'><tag id='1' "
        "nativeMode='tagged'/><tag id='2' nativeMode='untagged'/></vlan></interface>",
        "E238",
    ),
    ("<interface type='bridge'><source bridge='br0'/><virtualport/></interface>", "E239"),
    (
        "<interface type='direct'><source dev='eth0' mode='vepa'/><virtualport type='802.1Qbg'>"
        "<parameters managerid='1' typeid='1'/></virtualport></interface>",
        "E256",
    ),
    (
        "<interface type='bridge'><source bridge='br0'/><virtualport type='802.1Qbh'/></interface>",
        "E256",
    ),
    ("<interface type='bridge'><model type='virtio'/></interface>", "E257"),
    ("<interface type='user'><model type='e1000'/><driver packed='on'/></interface>", "E258"),
    ("<interface type='user'><driver iommu='off'/></interface>", "E258"),
    ("<interface type='ethernet'><ip address='198.51.100.2' family='ipv6'/></interface>", "E213"),
    (
        "<interface type='ethernet'><source><ip address='2001:db8::2' family='ipv4'/></source>"
        "</interface>",
        "E213",
    ),
    (
        "<interface type='ethernet'><route address='2001:db8:1::' prefix='64' "
        "gateway='2001:db8::1'/></interface>",
        "E213",
    ),
    ("<interface type='ethernet'><ip address='198.51.100.2' prefix='33'/></interface>", "E214"),
    (
        "<interface type='ethernet'><ip address='198.51.100.2' prefix='24'/><route "
        "address='10.0.0.0' prefix='33' gateway='198.51.100.1'/></interface>",
        "E214",
    ),
    (
        "<interface type='ethernet'><source><ip address='198.51.100.2' prefix='24'/><route "
        "address='10.0.0.0' gateway='198.51.100.1'/></source></interface>",
        "E228",
    ),
]

# Boundaries of the interface rules: libvirt accepts these, and so must validate().
INTERFACE_ACCEPTED = [
    "<interface type='network'><source network=''/></interface>",
    f"<interface type='hostdev' managed='yes'>{PCI1}<driver queues='4'/></interface>",
    f"<interface type='hostdev' managed='yes'>{PCI1}<driver name='vfio'/></interface>",
    "<interface type='network'><source network='a'/><bandwidth><inbound floor='200'/>"
    "</bandwidth></interface>",
    "<interface type='ethernet'><target dev='tap1' managed='no'/></interface>",
    "<interface type='network'><source network='a'/><bandwidth><inbound average='10' "
    "floor='5'/><outbound average='10'/></bandwidth></interface>",
    "<interface type='user'><model type='virtio-non-transitional'/><driver iommu='on' "
    "packed='on' ats='on' page_per_vq='on'/></interface>",
    "<interface type='user'><model type='e1000'/><driver queues='2' rss='on'/></interface>",
    "<interface type='ethernet'><ip address='2001:db8::2'/><source><ip address='198.51.100.2' "
    "prefix='24'/><route address='0.0.0.0' gateway='198.51.100.1'/><route address='10.0.0.0' "
    "prefix='8' gateway='198.51.100.1'/></source></interface>",
]


def _domain_define_error(conn: Any, devices: str) -> str | None:
    libvirt = need_module("libvirt", "libvirt-python: the test driver is the reference")
    try:
        conn.defineXML(DOMAIN.format(devices)).undefine()
    except libvirt.libvirtError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(("iface", "code"), INTERFACE_RULES)
def test_interface_define_time_rules(iface: str, code: str, test_conn: Any) -> None:
    assert code in codes(validate(iface))
    domain = DOMAIN.format(iface)
    assert code in codes(validate(domain))
    assert _domain_define_error(test_conn, iface) is not None


@pytest.mark.parametrize("snippet", NETWORK_ACCEPTED)
def test_network_rule_boundaries_libvirt_accepts(snippet: str, test_conn: Any) -> None:
    xml = NET.format(snippet)
    assert _network_define_error(test_conn, xml) is None
    assert [p for p in validate(xml) if p.severity == "error"] == []


@pytest.mark.parametrize("iface", INTERFACE_ACCEPTED)
def test_interface_rule_boundaries_libvirt_accepts(iface: str, test_conn: Any) -> None:
    assert [p for p in validate(iface) if p.severity == "error"] == []
    assert _domain_define_error(test_conn, iface) is None


def test_interface_virtualport_rules_spare_network_interfaces(test_conn: Any) -> None:
    """A type='network' interface may leave its virtualport to the network."""
    for vport in ("<virtualport/>", "<virtualport type='802.1Qbh'/>"):
        iface = f"<interface type='network'><source network='a'/>{vport}</interface>"
        assert [p for p in validate(iface) if p.severity == "error"] == []
        assert _domain_define_error(test_conn, iface) is None


@pytest.mark.parametrize(
    "host",
    [
        "<interface type='vlan'><vlan tag='42'><interface name='eth0'/></vlan></interface>",
        "<interface type='bridge' name='br0'><bridge><interface type='vlan'><vlan tag='42'>"
        "<interface name='eth0'/></vlan></interface></bridge></interface>",
    ],
)
def test_host_interface_needs_a_name(host: str, test_conn: Any) -> None:
    """libvirt's schema lets a vlan interface go without a name; its parser does not."""
    libvirt = need_module("libvirt", "libvirt-python: the test driver is the reference")
    assert "E259" in codes(validate(host))
    with pytest.raises(libvirt.libvirtError, match="no name"):
        test_conn.interfaceDefineXML(host)
    named = host.replace("type='vlan'>", "type='vlan' name='eth0.42'>")
    assert codes(validate(named)) == []
    test_conn.interfaceDefineXML(named).undefine()


def test_values_libvirts_parser_refuses_though_its_schema_allows_them(test_conn: Any) -> None:
    """The schema takes bare hex for a PCI domain and any unsigned MTU; libvirt's parser not."""
    libvirt = need_module("libvirt", "libvirt-python: the test driver is the reference")
    iface = (
        "<interface type='user'><address type='pci' domain='e1000' bus='0x1b' slot='0x00' "
        "function='0x0'/></interface>"
    )
    for schemas in (None, "system"):
        (problem,) = validate(DOMAIN.format(iface), schemas=schemas)
        assert (problem.code, problem.path) == ("E260", "/domain/devices/interface/address/@domain")
        assert "'e1000'" in problem.message
    assert _domain_define_error(test_conn, iface) is not None
    host = "<interface type='ethernet' name='eth9'><mtu size='100001'/></interface>"
    assert codes(validate(host)) == ["E260"]
    with pytest.raises(libvirt.libvirtError, match="at most 100000"):
        test_conn.interfaceDefineXML(host)
    # a value both refuse is reported once, by the schema
    assert codes(validate(DOMAIN.format(iface.replace("e1000", "0xzz")))) == ["E101"]


BRIDGE = "<forward mode='bridge'/><bridge name='br0'/>"
VEPA = "<forward mode='vepa'><interface dev='eth0'/></forward>"
OVS = "<virtualport type='openvswitch'/>"
DHCP4 = (
    "<ip address='198.51.100.{0}' prefix='25'><dhcp><range start='198.51.100.{1}' "
    "end='198.51.100.{2}'/></dhcp></ip>"
)
# Checks of libvirt's network driver (libvirtd on a host); the embedded test
# driver does not make them, so tests/test_libvirtd.py holds them to a real
# libvirtd. (snippet, code): the network libvirtd refuses.
NETWORK_DRIVER_RULES = [
    (DHCP4.format(1, 2, 9) + DHCP4.format(129, 130, 139), "E401"),
    (
        DHCP4.format(1, 2, 9) + "<ip address='198.51.100.129' prefix='25'><dhcp>"
        "<host mac='52:54:00:00:00:01' ip='198.51.100.130'/></dhcp></ip>",
        "E401",
    ),
    (
        "<ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp><range start='2001:db8::2' "
        "end='2001:db8::9'/></dhcp></ip><ip family='ipv6' address='2001:db8:1::1' prefix='64'>"
        "<dhcp><range start='2001:db8:1::2' end='2001:db8:1::9'/></dhcp></ip>",
        "E401",
    ),
    (BRIDGE + "<ip address='198.51.100.1' prefix='24'/>", "E402"),
    (VEPA + "<dns><host ip='198.51.100.5'><hostname>a</hostname></host></dns>", "E402"),
    ("<forward mode='passthrough'/><domain name='example.com'/>", "E402"),
    ("<forward mode='hostdev'/><mac address='52:54:00:00:00:09'/>", "E402"),
    (VEPA + "<bandwidth><inbound average='100'/></bandwidth>", "E403"),
    (
        "<forward mode='private'><interface dev='eth0'/></forward><portgroup name='a'>"
        "<bandwidth><inbound average='100'/></bandwidth></portgroup>",
        "E403",
    ),
    ("<forward mode='nat'/><vlan><tag id='42'/></vlan><ip address='198.51.100.1' prefix='24'/>",
     "E404"),
    (BRIDGE + "<vlan><tag id='42'/></vlan>", "E404"),
    (BRIDGE + "<portgroup name='g'><vlan><tag id='42'/></vlan></portgroup>", "E404"),
    ("<vlan><tag id='42'/></vlan>", "E404"),
    ("<forward mode='hostdev'><interface dev='eth0'/></forward>", "E405"),
    (
        "<forward mode='passthrough'><address type='pci' domain='0' bus='3' slot='0' "
        "function='1'/></forward>",
        "E405",
    ),
    (BRIDGE + "<portgroup name='a' default='yes'/><portgroup name='b' default='yes'/>", "E406"),
    (BRIDGE + "<portgroup name='a'/><portgroup name='a'/>", "E407"),
]  # fmt: skip

# Their boundaries: libvirtd defines these.
NETWORK_DRIVER_ACCEPTED = [
    DHCP4.format(1, 2, 9) + "<ip address='198.51.100.129' prefix='25'><dhcp/></ip>"
    "<ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp><range start='2001:db8::2' "
    "end='2001:db8::9'/></dhcp></ip>",
    BRIDGE + "<dns><forwarder addr='198.51.100.53'/></dns><bandwidth><inbound average='100'/>"
    "</bandwidth>",
    BRIDGE + OVS + "<vlan><tag id='42'/></vlan><portgroup name='g'><vlan><tag id='43'/></vlan>"
    "</portgroup>",
    BRIDGE + "<portgroup name='g'>" + OVS + "<vlan><tag id='42'/></vlan></portgroup>",
    "<forward mode='passthrough'><interface dev='eth0'/></forward><vlan><tag id='42'/></vlan>",
    "<forward mode='hostdev'/><vlan><tag id='42'/></vlan>",
    "<bandwidth><inbound average='100'/></bandwidth><ip address='198.51.100.1' prefix='24'/>",
    BRIDGE + "<portgroup name='a' default='yes'/><portgroup name='b'/>",
]


@pytest.mark.parametrize(("snippet", "code"), NETWORK_DRIVER_RULES)
def test_network_driver_rules(snippet: str, code: str) -> None:
    found = codes(validate(NET.format(snippet)))
    assert code in found
    # schema-valid, and nothing libvirt's parser refuses: only the driver does
    assert not [c for c in found if c.startswith(("E1", "E2"))], found


@pytest.mark.parametrize("snippet", NETWORK_DRIVER_ACCEPTED)
def test_network_driver_rule_boundaries(snippet: str) -> None:
    assert [p for p in validate(NET.format(snippet)) if p.severity == "error"] == []


def test_domain_wide_rules(test_conn: Any) -> None:
    boots = (
        "<interface type='network'><source network='a'/><boot order='1'/></interface>"
        "<interface type='network'><source network='b'/><boot order='1'/></interface>"
    )
    assert "E244" in codes(validate(DOMAIN.format(boots)))
    assert _domain_define_error(test_conn, boots) is not None
    twice = f"<interface type='hostdev'>{PCI1}</interface>" * 2
    problems = validate(DOMAIN.format(twice))
    assert "E248" in codes(problems)
    assert problems[0].path is not None
    assert problems[0].path.startswith("/domain/devices/interface")
    assert _domain_define_error(test_conn, twice) is not None
    aliased = (
        "<interface type='user'><alias name='ua-nic'/></interface>"
        "<disk type='file' device='disk'><source file='/tmp/x'/><target dev='vda' bus='virtio'/>"
        "<alias name='ua-nic'/></disk>"
    )
    (problem,) = [p for p in validate(DOMAIN.format(aliased)) if p.code == "E261"]
    assert problem.path == "/domain/devices/disk/alias/@name"
    assert _domain_define_error(test_conn, aliased) is not None
    # libvirt drops aliases that are not user aliases from a definition
    plain = "<interface type='user'><alias name='net0'/></interface>" * 2
    assert "E261" not in codes(validate(DOMAIN.format(plain)))
    assert _domain_define_error(test_conn, plain) is None


def _domain_with_os(conn: Any, os_boot: str, devices: str) -> tuple[list[Problem], str | None]:
    """What validate() says of a domain, and what libvirt's test driver says."""
    libvirt = need_module("libvirt", "libvirt-python: the test driver is the reference")
    xml = DOMAIN.format(devices).replace("</type></os>", f"</type>{os_boot}</os>")
    try:
        conn.defineXML(xml).undefine()
        verdict = None
    except libvirt.libvirtError as exc:
        verdict = str(exc)
    return validate(xml), verdict


def test_per_device_boot_order_with_os_boot(test_conn: Any) -> None:
    """The guide's PXE step: a NIC's <boot order> while <os><boot dev='hd'/> stays."""
    nic = "<interface type='network'><source network='default'/><boot order='1'/></interface>"
    problems, verdict = _domain_with_os(test_conn, "<boot dev='hd'/>", nic)
    (problem,) = [p for p in problems if p.code == "E269"]
    assert problem.path == "/domain/os/boot"
    assert "/domain/devices/interface" in problem.message
    assert verdict is not None
    assert "per-device boot elements cannot be used together with os/boot" in verdict
    disk = (
        "<disk type='file' device='disk'><source file='/tmp/x'/><target dev='vda' bus='virtio'/>"
        "<boot order='1'/></disk>"
    )
    problems, verdict = _domain_with_os(test_conn, "<boot dev='network'/>", disk)
    assert "E269" in codes(problems)
    assert verdict is not None
    # either alone is fine, for libvirt and here
    for os_boot, devices in (
        ("", nic),
        ("<boot dev='hd'/><boot dev='network'/>", nic.replace("<boot order='1'/>", "")),
    ):
        problems, verdict = _domain_with_os(test_conn, os_boot, devices)
        assert "E269" not in codes(problems)
        assert verdict is None


HOSTDEV = (
    "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
    "<address domain='0x0000' bus='{}' slot='{}' function='0x1'/></source></hostdev>"
)
VF_NIC = (
    "<interface type='hostdev' managed='yes'><mac address='52:54:00:6d:90:02'/><source>"
    "<address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x1'/></source>"
    "</interface>"
)


@pytest.mark.parametrize(
    ("devices", "path"),
    [
        # the guide's note: the old <hostdev> left in place beside the new interface
        (HOSTDEV.format("0x03", "0x10") + VF_NIC, "/domain/devices/interface/source/address"),
        # the same VF written in decimal, as libvirt compares them
        (HOSTDEV.format("3", "16") + VF_NIC, "/domain/devices/interface/source/address"),
        (VF_NIC + HOSTDEV.format("3", "16"), "/domain/devices/hostdev/source/address"),
        (HOSTDEV.format("3", "16") * 2, "/domain/devices/hostdev[2]/source/address"),
    ],
)
def test_a_host_device_assigned_twice(test_conn: Any, devices: str, path: str) -> None:
    (problem,) = [p for p in validate(DOMAIN.format(devices)) if p.code == "E248"]
    assert problem.path == path
    assert "0000:03:10.1" in problem.message
    verdict = _domain_define_error(test_conn, devices)
    assert verdict is not None
    assert "Hostdev already exists" in verdict


def test_different_host_devices_are_fine(test_conn: Any) -> None:
    devices = HOSTDEV.format("0x03", "0x11") + VF_NIC
    assert "E248" not in codes(validate(DOMAIN.format(devices)))
    assert _domain_define_error(test_conn, devices) is None


def test_the_rest_of_a_domain_is_checked_against_libvirts_domain_grammar(
    test_conn: Any,
) -> None:
    libvirt = need_module("libvirt", "libvirt-python: the test driver is the reference")
    bad = [
        ("<memroy>1</memroy>", "/domain/memroy", "E105", "did you mean <memory>?"),
        ("<vcpu>abc</vcpu>", "/domain/vcpu", "E101", "invalid content 'abc'"),
    ]
    for extra, path, code, words in bad:
        xml = DOMAIN.format("").replace("<memory>", extra + "<memory>")
        (problem,) = validate(xml)
        assert (problem.code, problem.path) == (code, path)
        assert words in problem.message
        with pytest.raises(libvirt.libvirtError, match="schema"):
            test_conn.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
    devices = [
        (
            "<disk type='file' device='disk'><source file='/tmp/x'/>"
            "<target dev='vda' bus='virtio2'/></disk>",
            "/domain/devices/disk/target/@bus",
            "did you mean 'virtio'?",
        ),
        ("<graphics type='vnc' port='abc'/>", "/domain/devices/graphics/@port", "port number"),
    ]
    for device, path, words in devices:
        (problem,) = validate(DOMAIN.format(device))
        assert problem.path == path
        assert words in problem.message
    # a bad NIC is said once, by the interface grammar, not again by the domain's
    nic = "<interface type='network'><source network='default'/><frob/></interface>"
    (problem,) = validate(DOMAIN.format(nic))
    assert problem.path == "/domain/devices/interface/frob"


def _pci(slot: str) -> str:
    return f"<address type='pci' domain='0' bus='0' slot='{slot}' function='0'/>"


def test_a_pci_address_used_twice(test_conn: Any) -> None:
    # libvirt's QEMU driver refuses it (tests/test_libvirtd.py); its test driver does not
    twice = f"<interface type='user'>{_pci('3')}</interface><controller type='usb' index='0'>"
    twice += f"{_pci('0x03')}</controller>"
    (problem,) = [p for p in validate(DOMAIN.format(twice)) if p.code == "E264"]
    assert problem.path == "/domain/devices/controller/address"
    assert "0000:00:03.0" in problem.message
    assert _domain_define_error(test_conn, twice) is None
    for fine in (
        f"<interface type='user'>{_pci('3')}</interface>"
        f"<interface type='user'>{_pci('4')}</interface>",
        # without a slot, libvirt picks a free one for each
        "<interface type='user'><address type='pci'/></interface>" * 2,
    ):
        assert "E264" not in codes(validate(DOMAIN.format(fine)))


def test_a_mac_address_used_twice_in_a_domain(test_conn: Any) -> None:
    nic = "<interface type='network'><mac address='{}'/><source network='default'/></interface>"
    twice = nic.format("52:54:00:00:00:0a") + nic.format("52:54:00:00:00:0A")
    (problem,) = [p for p in validate(DOMAIN.format(twice)) if p.code == "W316"]
    assert (problem.severity, problem.path) == (
        "warning",
        "/domain/devices/interface[2]/mac/@address",
    )
    assert _domain_define_error(test_conn, twice) is None  # libvirt accepts it
    other = nic.format("52:54:00:00:00:0a") + nic.format("52:54:00:00:00:0b")
    assert "W316" not in codes(validate(DOMAIN.format(other)))


def test_libvirt_drops_a_target_dev_named_like_its_own(test_conn: Any) -> None:
    libvirt = need_module("libvirt", "libvirt-python: the test driver is the reference")
    for dev, kept in (("vnet7", False), ("macvtap7", False), ("macvlan7", False), ("tap7", True)):
        nic = f"<interface type='ethernet'><target dev='{dev}'/></interface>"
        assert ("W317" in codes(validate(nic))) is not kept
        dom = test_conn.defineXML(
            DOMAIN.format(nic).replace("<name>d</name>", f"<name>{dev}</name>")
        )
        try:
            inactive = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        finally:
            dom.undefine()
        assert (f"dev='{dev}'" in inactive) is kept


def test_a_range_both_outside_and_reversed_is_reported_as_libvirt_does(test_conn: Any) -> None:
    # libvirt's own documentation has one (formatnetwork, "net7")
    xml = NET.format(
        "<ip family='ipv6' address='2001:db8:ca2:7::1' prefix='64'><dhcp>"
        "<range start='2001:db8:ca2:7::100' end='2001:db8:ca2::1ff'/></dhcp></ip>"
    )
    assert codes(validate(xml)) == ["E203"]
    refused = _network_define_error(test_conn, xml)
    assert refused is not None
    assert "not entirely within network" in refused


def test_passt_rules_of_newer_libvirt() -> None:
    # libvirt >= 9.2 refuses these; the 9.0 test driver here predates passt
    assert "E252" in codes(
        validate(
            "<interface type='user'><portForward proto='tcp'><range start='22'/></portForward>"
            "</interface>"
        )
    )
    assert "E253" in codes(
        validate(
            "<interface type='bridge'><source bridge='br0'/><backend type='passt'/></interface>"
        )
    )


@pytest.mark.parametrize(
    "entry",
    corpus_entries("network") + corpus_entries("interface") + corpus_entries("hostinterface"),
)
def test_corpus_verdicts_match_libvirt(entry: dict[str, Any]) -> None:
    """No false errors on valid documents; every rejected document is caught."""
    problems = validate(CORPUS / entry["file"])
    schema = [p for p in problems if p.code.startswith("E1")]
    define = [p for p in problems if p.code.startswith("E2")]
    assert bool(schema) == (not entry["rng"]), problems
    if entry["rng"] and entry["define_ok"]:
        assert not define, define
    elif entry["rng"] and "backend': 'passt'" not in (entry["define_error"] or ""):
        # libvirt 9.0 rejects it at define time; so must we (passt postdates 9.0)
        assert define, entry["define_error"]


# ------------------------------------------------------------------ advice


ADVICE = [
    (
        NET.format(
            "<ip address='198.51.100.1' prefix='24'><dhcp><bootp file='pxelinux.0'/></dhcp></ip>"
        ),
        "W305",
        NET.format(
            "<ip address='198.51.100.1' prefix='24'><tftp root='/srv'/><dhcp>"
            "<bootp file='pxelinux.0'/></dhcp></ip>"
        ),
    ),
    (
        NET.format("<forward mode='route'/><ip address='198.51.100.1' prefix='24'/>"),
        "W306",
        NET.format("<forward mode='nat'/><ip address='198.51.100.1' prefix='24'/>"),
    ),
    (
        NET.format("<forward mode='nat'/><ip family='ipv6' address='2001:db8::1' prefix='64'/>"),
        "W309",
        NET.format(
            "<forward mode='nat'/><ip address='198.51.100.1' prefix='24'/>"
            "<ip family='ipv6' address='2001:db8::1' prefix='64'/>"
        ),
    ),
    (
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' "
            "ip='10.0.5.5'/></dhcp></ip>"
        ),
        "W312",
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' "
            "ip='10.0.0.5'/></dhcp></ip>"
        ),
    ),
    (
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' "
            "ip='10.0.0.5'/><host mac='52:54:00:00:00:02' ip='10.0.0.5'/></dhcp></ip>"
        ),
        "W313",
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' "
            "ip='10.0.0.5'/><host mac='52:54:00:00:00:02' ip='10.0.0.6'/></dhcp></ip>"
        ),
    ),
    (
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:0a' "
            "ip='10.0.0.5'/><host mac='52:54:00:00:00:0A' ip='10.0.0.6'/></dhcp></ip>"
        ),
        "W314",
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:0a' "
            "ip='10.0.0.5'/><host mac='52:54:00:00:00:0b' ip='10.0.0.6'/></dhcp></ip>"
        ),
    ),
    (
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' "
            "ip='10.0.0.1'/></dhcp></ip>"
        ),
        "W315",
        NET.format(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' "
            "ip='10.0.0.254'/></dhcp></ip>"
        ),
    ),
    (
        "<interface type='ethernet'><target dev='macvtap2'/></interface>",
        "W317",
        "<interface type='ethernet'><target dev='mytap2'/></interface>",
    ),
    (
        "<interface type='ethernet'><target dev='tap-for-the-web-vm'/></interface>",
        "W318",
        "<interface type='ethernet'><target dev='tap-web-vm'/></interface>",
    ),
    (
        NET.format("<bridge name='virbr-isolated-lab'/>"),
        "W318",
        NET.format("<bridge name='virbr-lab'/>"),
    ),
    (
        "<interface type='ethernet' name='enp0s31f6-uplink'><start mode='none'/></interface>",
        "W318",
        "<interface type='ethernet' name='enp0s31f6'><start mode='none'/></interface>",
    ),
    (
        "<interface type='direct'><source dev='eth0' mode='bridge'/></interface>",
        "W303",
        "<interface type='bridge'><source bridge='br0'/></interface>",
    ),
    (
        f"<interface type='hostdev' managed='yes'>{PCI1}</interface>",
        "W304",
        f"<interface type='hostdev' managed='yes'><mac address='52:54:00:00:01:01'/>{PCI1}"
        "</interface>",
    ),
    (
        "<interface type='user'><backend type='passt'/><portForward proto='tcp'>"
        "<range start='80'/><range start='443' exclude='yes'/></portForward></interface>",
        "W307",
        "<interface type='user'><backend type='passt'/><portForward proto='tcp'>"
        "<range start='80' end='90'/><range start='85' exclude='yes'/></portForward></interface>",
    ),
    (
        "<interface type='user'><backend type='passt'/><portForward proto='tcp'><range start='80'/>"
        "</portForward><portForward proto='tcp'><range start='80' to='8080'/></portForward>"
        "</interface>",
        "W308",
        "<interface type='user'><backend type='passt'/><portForward proto='tcp'><range start='80'/>"
        "</portForward><portForward proto='udp'><range start='80'/></portForward></interface>",
    ),
]


@pytest.mark.parametrize(("bad", "code", "good"), ADVICE, ids=[a[1] for a in ADVICE])
def test_advice_triggers_and_does_not(bad: str, code: str, good: str) -> None:
    found = validate(bad)
    assert code in codes(found)
    problem = next(p for p in found if p.code == code)
    assert problem.severity == "warning"
    assert code not in codes(validate(good))
    assert code not in codes(validate(bad, disable=[code]))


@pytest.mark.parametrize(
    ("subnet", "address", "words"),
    [
        ("10.0.0.1' prefix='24", "10.0.0.1", "this network's own address"),
        ("10.0.0.1' prefix='24", "10.0.0.0", "the network address of 10.0.0.0/24"),
        ("10.0.0.1' prefix='24", "10.0.0.255", "the broadcast address of 10.0.0.0/24"),
        ("10.0.0.1' netmask='255.255.255.0", "10.0.0.255", "the broadcast address"),
        ("2001:db8::1' prefix='64", "2001:db8::1", "this network's own address"),
        ("10.0.0.1' prefix='31", "10.0.0.0", None),  # RFC 3021: both are host addresses
        ("2001:db8::1' prefix='64", "2001:db8::", None),
        ("10.0.0.1' prefix='24", "10.0.0.254", None),
    ],
)
def test_static_host_addresses_no_guest_can_use(
    subnet: str, address: str, words: str | None
) -> None:
    family = " family='ipv6'" if ":" in address else ""
    who = "id='0:1:2:3'" if family else "mac='52:54:00:00:00:01'"
    found = [
        p
        for p in validate(
            NET.format(
                f"<ip{family} address='{subnet}'><dhcp><host {who} ip='{address}'/></dhcp></ip>"
            )
        )
        if p.code == "W315"
    ]
    if words is None:
        assert found == []
    else:
        assert [p.path for p in found] == ["/network/ip/dhcp/host/@ip"]
        assert words in found[0].message


def test_bond_advice_on_host_bridges() -> None:
    bond = (
        "<interface type='bridge' name='br0'><bridge><interface type='bond' name='bond0'>"
        "<bond mode='{}'>{}<interface type='ethernet' name='eth0'></interface></bond>"
        "</interface></bridge></interface>"
    )
    mii, arp = "<miimon freq='100'/>", "<arpmon interval='100' target='198.51.100.1'/>"
    for mode in ("balance-rr", "broadcast", "balance-tlb", "balance-alb"):
        assert codes(validate(bond.format(mode, mii))) == ["W301"]
    for mode in ("active-backup", "balance-xor", "802.3ad"):
        assert codes(validate(bond.format(mode, mii))) == []
    assert codes(validate(bond.format("active-backup", arp))) == ["W302"]
    lone = CORPUS / "hostinterface/bond-arp.xml"
    if lone.exists():
        assert codes(validate(lone)) == ["W302"]


def test_every_rule_is_documented_and_tested() -> None:
    tested = {c for _, c, _ in NETWORK_RULES} | {c for _, c in INTERFACE_RULES}
    tested |= {a[1] for a in ADVICE} | {"E201", "E244", "E248", "E252", "E253", "W301", "W302"}
    tested |= {"E261", "E264", "E269", "W316"}
    tested |= {"E601", "E602"}  # tests/test_versions.py, each entry of the table
    tested |= {"E259", "E260"} | {c for _, c in NETWORK_DRIVER_RULES}
    tested |= {c for _, c in QEMU_CASES if c}
    untested = set(RULES) - tested
    # rules whose trigger the schema already refuses, kept for model-built documents
    assert untested <= {"E206", "E207", "E212"}, untested
    doc = (Path(__file__).resolve().parents[1] / "docs" / "validation.md").read_text()
    for code in RULES:
        assert code in doc, f"{code} is not in docs/validation.md"


# ------------------------------------------------------------------ inputs


def test_models_paths_and_kinds(tmp_path: Path) -> None:
    net = virtnetlib.Network(name="n", forward=virtnetlib.Forward(mode="nat"))
    assert codes(validate(net)) == ["E215"]
    path = tmp_path / "net.xml"
    path.write_text(net.to_xml())
    (problem,) = validate(path)
    assert problem.file == str(path)
    assert str(problem).startswith(f"{path}:3: /network/forward: error E215:")
    assert json.loads(json.dumps(problem.as_dict()))["code"] == "E215"
    with pytest.raises(virtnetlib.Error, match="cannot read"):
        validate(tmp_path / "missing.xml")
    # a name no file system takes: the same error, not Python's ValueError
    with pytest.raises(virtnetlib.Error, match=r"cannot read .*embedded null"):
        virtnetlib.validate_known("net\x00work.xml")
    with pytest.raises(virtnetlib.Error, match=r"cannot read .*embedded null"):
        virtnetlib.Network.from_xml(Path("net\x00work.xml"))


def test_system_and_folder_schemas() -> None:
    titled = NET.format("<title>lab</title>")
    assert validate(titled) == []
    system = Path("/usr/share/libvirt/schemas")
    if not (system / "network.rng").exists():
        from tests.conftest import unavailable

        unavailable("libvirt's schemas are not installed (Debian package libvirt0)")
    # the host's libvirt 9.0 predates network titles (libvirt 9.7)
    problem, release = validate(titled, schemas="system")
    assert problem.code == "E105"
    assert problem.path == "/network/title"
    # with the host's schemas, the host's release: what its schemas do not know, and why
    assert (release.code, release.path) == ("E601", "/network/title")
    assert "9.7.0" in release.message
    assert validate(titled, schemas=str(system)) == [problem]
    with pytest.raises(virtnetlib.Error, match="no libvirt schemas"):
        validate(titled, schemas="/nonexistent")


def test_validate_known_passes_over_other_xml(tmp_path: Path) -> None:
    other = tmp_path / "pom.xml"
    other.write_text("<project><name>x</name></project>")
    assert virtnetlib.validate_known(other) == []
    net = tmp_path / "net.xml"
    net.write_text("<network><name>n</name><forward mode='nat'/></network>")
    problems = virtnetlib.validate_known(net)
    assert problems == virtnetlib.validate(net)
    assert "E215" in [p.code for p in problems]
    assert all(p.file == str(net) for p in problems)
    broken = tmp_path / "broken.xml"
    broken.write_text("<network>")
    assert [p.code for p in virtnetlib.validate_known(broken)] == ["E100"]
    with pytest.raises(virtnetlib.Error, match="cannot read"):
        virtnetlib.validate_known(tmp_path / "absent.xml")


# ------------------------------------------------------------------ many files at once


def test_check_files_gives_each_file_what_validate_gives(tmp_path: Path) -> None:
    """Validating files together, stage by stage, changes no result.

    The batch mixes every kind of document (a network, interfaces, host
    interfaces, a domain), good and bad ones, XML that is not libvirt's,
    malformed XML and a file that cannot be read.
    """
    made = {
        "domain.xml": DOMAIN.format(
            "<interface type='network'><source network='n'/>"
            "<model type='virtio'/></interface>"
            "<interface type='hostdev'>" + PCI1 + "</interface>"
            "<interface type='hostdev'>" + PCI1 + "</interface>"
        ),
        "bad-network.xml": NET.format("<bridge name='br 0' stp='maybe'/><mtu size='x'/>"),
        "other.xml": "<project/>",
        "broken.xml": "<network><name>n</name>",
        "empty.xml": "",
    }
    paths = [str(write_file(tmp_path / name, text)) for name, text in made.items()]
    paths += [str(tmp_path / "missing.xml"), "nul\x00.xml"]
    paths += [str(CORPUS / e["file"]) for e in manifest()[::7]]
    for known_only in (False, True):
        single = validating.validate_known if known_only else validate
        expected: list[Any] = []
        for path in paths:
            try:
                expected.append(single(Path(path), disable=["W301"]))
            except virtnetlib.Error as exc:
                expected.append(str(exc))
        got = validating.check_files(paths, disable=["W301"], known_only=known_only)
        assert [str(g) if isinstance(g, virtnetlib.Error) else g for g in got] == expected
        assert any(isinstance(g, list) and g for g in got)  # some files have problems


def test_check_files_takes_paths_and_names_what_is_not_one(tmp_path: Path) -> None:
    path = write_file(tmp_path / "n.xml", NET.format("<forward mode='nat'/>"))
    (found,) = validating.check_files([path])
    assert isinstance(found, list)
    assert [p.file for p in found] == [str(path)]
    with pytest.raises(virtnetlib.UsageError, match=r"paths\[1\]: expected a path"):
        validating.check_files([path, 5])  # type: ignore[list-item]


def test_check_files_reports_missing_schemas_for_each_file(tmp_path: Path) -> None:
    paths = [str(write_file(tmp_path / f"n{i}.xml", NET.format(""))) for i in range(3)]
    got = validating.check_files(paths, schemas=tmp_path / "nowhere")
    assert [str(g) for g in got] == [f"no libvirt schemas in {tmp_path / 'nowhere'}"] * 3


def write_file(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# ------------------------------------------------------------------ the QEMU driver


@pytest.mark.parametrize(("nic", "code"), QEMU_CASES)
def test_qemu_driver_checks_in_a_qemu_domain(nic: str, code: str | None) -> None:
    """Each case's E5xx in a QEMU domain; libvirtd's QEMU driver agrees
    (tests/test_libvirtd.py holds every case to it)."""
    errors = [p.code for p in validate(QEMU_DOMAIN.format("q", nic)) if p.severity == "error"]
    assert errors == ([code] if code else [])


@pytest.mark.parametrize(("nic", "code"), [c for c in QEMU_CASES if c[1]][:8])
def test_qemu_driver_checks_only_where_the_driver_is_qemu(nic: str, code: str) -> None:
    # kvm is the QEMU driver too; LXC takes guest addresses, and an interface
    # seen without its domain could be for any driver
    kvm = QEMU_DOMAIN.format("q", nic).replace("type='qemu'", "type='kvm'", 1)
    assert code in codes(validate(kvm))
    lxc = DOMAIN.format(nic).replace("type='test'", "type='lxc'", 1)
    assert not [c for c in codes(validate(lxc)) if c.startswith("E5")]
    assert not [c for c in codes(validate(nic)) if c.startswith("E5")]


def test_a_lone_interface_gets_the_driver_checks_it_is_told_of(tmp_path: Path) -> None:
    nic = "<interface type='user'><mtu size='9000'/></interface>"
    assert codes(validate(nic)) == []
    assert codes(validate(nic, domain_type="kvm")) == ["E505"]
    assert codes(validate(nic, domain_type="lxc")) == []
    path = tmp_path / "nic.xml"
    path.write_text(nic)
    assert codes(validating.validate_known(path, domain_type="qemu")) == ["E505"]
    (found,) = validating.check_files([str(path)], domain_type="qemu")
    assert codes(found) == ["E505"]  # type: ignore[arg-type]
    # a domain says its own driver
    lxc = DOMAIN.format(nic).replace("type='test'", "type='lxc'", 1)
    assert not [c for c in codes(validate(lxc, domain_type="kvm")) if c.startswith("E5")]
    with pytest.raises(virtnetlib.UsageError, match="domain_type: expected a domain type"):
        validate(nic, domain_type="")


def test_qemu_driver_findings_name_the_element() -> None:
    nic = "<interface type='user'>\n<model type='virtio'/>\n<driver rx_queue_size='300'/>\n"
    nic += "</interface>"
    (problem,) = validate(QEMU_DOMAIN.format("q", nic))
    assert (problem.code, problem.line, problem.path) == (
        "E504",
        3,
        "/domain/devices/interface/driver/@rx_queue_size",
    )
    assert "rx_queue_size 300 is not a power of two" in problem.message


def test_disable_takes_none_or_codes_and_refuses_the_rest() -> None:
    doc = "<network><name>n</name><forward mode='route'/></network>"
    everything = [p.code for p in virtnetlib.validate(doc)]
    assert [p.code for p in virtnetlib.validate(doc, disable=None)] == everything
    assert [p.code for p in virtnetlib.validate(doc, disable=["E215"])] == ["W306"]
    with pytest.raises(
        virtnetlib.UsageError, match=r"disable: expected a list of names, got the str"
    ):
        virtnetlib.validate(doc, disable="E215")
    with pytest.raises(virtnetlib.UsageError, match=r"disable: expected a list of names, got int"):
        virtnetlib.validate(doc, disable=5)  # type: ignore[arg-type]
    # a misspelt code would disable nothing: refused, with the likely one
    with pytest.raises(virtnetlib.UsageError, match=r"unknown problem code 'W999'"):
        virtnetlib.validate(doc, disable=["W999"])
    with pytest.raises(virtnetlib.UsageError, match=r"'w306'; did you mean 'W306'\?"):
        virtnetlib.validate(doc, disable=["w306"])
    # every code of the table is known, schema codes included
    assert virtnetlib.validate(doc, disable=["E001", "E110", "W306", "E215"]) == []


@pytest.mark.parametrize(
    "doc",
    [
        "<interface type='vlan' x:name='a'><vlan tag='1'><interface name='e'/></vlan></interface>",
        "<network typ::e='1'><name>n</name></network>",
        "<network><name>n</name><bridge tx:ype='1' name='b'/></network>",
    ],
)
def test_an_attribute_with_an_undeclared_prefix_is_reported_not_raised(doc: str) -> None:
    """libvirt's libxml2 keeps x:name='a' without a namespace; lxml will not set
    such a name again, which the explanation tried (a bare ValueError)."""
    problems = validate(doc)
    assert any(
        p.code == "E104" and "namespace prefix no xmlns declaration gives" in p.message
        for p in problems
    )
