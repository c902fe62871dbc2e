"""The nmcli adapter: plans, safe invocation, terse parsing, and a real NetworkManager."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

import virtnetlib as vnl
from tests.conftest import CORPUS, unavailable
from tests.netns import run
from virtnetlib import nmcli
from virtnetlib.nmcli import Nmcli, Profile


@attrs.define
class FakeRun:
    """A recording runner that answers like nmcli would."""

    version: str = "1.42.4"
    code: int = 0
    stdout: str = ""
    stderr: str = ""
    calls: list[tuple[list[str], str | None, float]] = attrs.field(factory=list)

    def __call__(self, argv: Sequence[str], stdin: str | None, timeout: float) -> Any:
        self.calls.append((list(argv), stdin, timeout))
        if "--version" in argv:
            return subprocess.CompletedProcess(argv, 0, f"nmcli tool, version {self.version}\n", "")
        return subprocess.CompletedProcess(argv, self.code, self.stdout, self.stderr)


def guide_profiles() -> list[Profile]:
    """The RHEL 10 guide: bond0 (active-backup) over enp7s0 and enp8s0, in bridge br0."""
    bridge = nmcli.bridge_profiles("br0")
    bond = nmcli.bond_profiles("bond0", ["enp7s0", "enp8s0"], mode="active-backup")
    return [*bridge, attrs.evolve(bond[0], controller="br0"), *bond[1:]]


# ------------------------------------------------------------------ invocation


def test_commands_are_safe_argv_lists() -> None:
    fake = FakeRun(stdout="")
    cli = Nmcli(fake, path="/usr/bin/nmcli", timeout=7, wait=11)
    cli.connections()
    argv, stdin, timeout = fake.calls[-1]
    assert argv[:3] == ["/usr/bin/nmcli", "--wait", "11"]
    assert argv[3:] == ["-t", "-f", "NAME,UUID,TYPE,DEVICE,ACTIVE", "connection", "show"]
    assert (stdin, timeout) == (None, 7)
    with pytest.raises(vnl.UsageError, match="absolute"):
        Nmcli(fake, path="nmcli")


def test_default_runner_uses_lc_all_c(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    def fake_run(argv: list[str], **kw: Any) -> Any:
        seen.update(kw)
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setenv("LANGUAGE", "de")
    nmcli.subprocess_runner(["/usr/bin/nmcli", "device"], None, 5)
    assert seen["env"]["LC_ALL"] == "C.UTF-8"
    assert "LANGUAGE" not in seen["env"]
    assert seen["timeout"] == 5
    assert "shell" not in seen


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (1, nmcli.NmcliUnknownError),
        (2, nmcli.NmcliUsageError),
        (3, nmcli.NmcliTimeoutError),
        (4, nmcli.NmcliActivationError),
        (5, nmcli.NmcliDeactivationError),
        (6, nmcli.NmcliDisconnectError),
        (7, nmcli.NmcliDeletionError),
        (8, nmcli.NetworkManagerNotRunningError),
        (10, nmcli.NmcliNotFoundError),
        (65, nmcli.NmcliError),
    ],
)
def test_exit_codes_become_typed_errors(code: int, cls: type[Exception]) -> None:
    cli = Nmcli(FakeRun(code=code, stderr="Error: something specific\n"), path="/usr/bin/nmcli")
    with pytest.raises(cls) as info:
        cli.up("6b9c865a-6d68-5077-bcc6-0664153ea485")
    err = info.value
    assert isinstance(err, vnl.Error)
    assert err.exit_code == code  # type: ignore[attr-defined]
    assert err.stderr == "Error: something specific"  # type: ignore[attr-defined]
    assert "connection up uuid" in str(err)


def test_subprocess_timeout_is_typed() -> None:
    def slow(argv: Sequence[str], stdin: str | None, timeout: float) -> Any:
        raise subprocess.TimeoutExpired(argv, timeout)

    with pytest.raises(nmcli.NmcliTimeoutError, match="no answer within 3 s"):
        Nmcli(slow, path="/usr/bin/nmcli", timeout=3).devices()


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("br0:uuid:bridge:br0", ["br0", "uuid", "bridge", "br0"]),
        ("my bridge\\: lab:u:bridge:", ["my bridge: lab", "u", "bridge", ""]),
        ("back\\\\slash:u:t:d", ["back\\slash", "u", "t", "d"]),
        ("trailing\\\\:u:t:d", ["trailing\\", "u", "t", "d"]),
        ("ünïcödé brüg\\:e:u:t:d", ["ünïcödé brüg:e", "u", "t", "d"]),
        ("a\\:b\\\\\\:c:d", ["a:b\\:c", "d"]),
    ],
)
def test_terse_parser_against_hostile_names(line: str, fields: list[str]) -> None:
    assert nmcli.parse_terse(line) == fields


def test_multiline_settings_split_on_the_first_colon() -> None:
    text = (
        "connection.id:lab: bridge\nethernet.cloned-mac-address:52:54:00:12:34:56\n"
        "ipv6.addresses:2001:db8::1/64\n"
    )
    assert nmcli.parse_settings(text) == {
        "connection.id": "lab: bridge",
        "ethernet.cloned-mac-address": "52:54:00:12:34:56",
        "ipv6.addresses": "2001:db8::1/64",
    }


# ------------------------------------------------------------------ plans


def test_guide_plan_on_nmcli_1_42() -> None:
    fake = FakeRun(version="1.42.4")
    cli = Nmcli(fake, path="/usr/bin/nmcli")
    plan = cli.plan(guide_profiles())
    words = [" ".join(step.args) for step in plan.steps]
    br, bond = Profile("br0", "bridge", "br0").uuid, Profile("bond0", "bond", "bond0").uuid
    assert words == [
        f"connection add type bridge con-name br0 ifname br0 connection.uuid {br} "
        "ipv4.method disabled ipv6.method disabled",
        f"connection add type bond con-name bond0 ifname bond0 connection.uuid {bond} "
        "bond.options mode=active-backup,miimon=100",
        "connection add type ethernet slave-type bond con-name bond0-port1 ifname enp7s0 "
        f"connection.uuid {Profile('bond0-port1', 'ethernet', 'enp7s0').uuid} master {bond}",
        "connection add type ethernet slave-type bond con-name bond0-port2 ifname enp8s0 "
        f"connection.uuid {Profile('bond0-port2', 'ethernet', 'enp8s0').uuid} master {bond}",
        f"connection modify uuid {bond} connection.slave-type bridge connection.master {br}",
        f"connection modify uuid {br} connection.autoconnect-slaves 1",
        f"connection modify uuid {bond} connection.autoconnect-slaves 1",
        f"connection up uuid {br}",
    ]
    assert plan.argvs("/usr/bin/nmcli", 60)[0][:3] == ["/usr/bin/nmcli", "--wait", "60"]
    assert sum("--version" in c[0] for c in fake.calls) == 1  # the version is read once
    cli.plan(guide_profiles())
    assert sum("--version" in c[0] for c in fake.calls) == 1


def test_plan_on_nmcli_1_46_speaks_of_controllers_and_ports() -> None:
    cli = Nmcli(FakeRun(version="1.46.0"), path="/usr/bin/nmcli")
    words = " ".join(" ".join(step.args) for step in cli.plan(guide_profiles()).steps)
    assert "port-type bond" in words
    assert " controller " in words
    assert "connection.autoconnect-ports 1" in words
    assert "connection.port-type bridge connection.controller" in words
    assert "slave" not in words
    assert "master" not in words


def test_host_interface_bridge_over_bond_gives_the_guide_plan() -> None:
    host = vnl.HostInterface.from_xml(
        "<interface type='bridge' name='br0'><bridge>"
        "<interface type='bond' name='bond0'><bond mode='active-backup'><miimon freq='100'/>"
        "<interface type='ethernet' name='enp7s0'></interface>"
        "<interface type='ethernet' name='enp8s0'></interface></bond></interface>"
        "</bridge></interface>"
    )
    assert nmcli.plan_from_host_interface(host) == guide_profiles()
    corpus = CORPUS / "hostinterface" / "bridge-bond.xml"
    if corpus.exists():
        profiles = nmcli.plan_from_host_interface(vnl.HostInterface.from_xml(corpus))
        names = [(p.name, p.type, p.controller) for p in profiles]
        assert names == [
            ("br0", "bridge", None),
            ("br0-port1", "ethernet", "br0"),
            ("bond0", "bond", "br0"),
            ("bond0-port1", "ethernet", "bond0"),
            ("bond0-port2", "ethernet", "bond0"),
        ]
        assert dict(profiles[2].settings)["bond.options"] == (
            "mode=active-backup,miimon=100,updelay=10,use_carrier=0"
        )


def test_static_and_dhcp_addressing() -> None:
    host = vnl.HostInterface.from_xml(
        "<interface type='bridge' name='br1'>"
        "<protocol family='ipv4'><ip address='198.51.100.2' prefix='24'/>"
        "<route gateway='198.51.100.1'/></protocol><protocol family='ipv6'><autoconf/></protocol>"
        "<bridge stp='off'></bridge></interface>"
    )
    (bridge,) = nmcli.plan_from_host_interface(host)
    assert bridge.settings == (
        ("ipv4.method", "manual"),
        ("ipv4.addresses", "198.51.100.2/24"),
        ("ipv4.gateway", "198.51.100.1"),
        ("ipv6.method", "auto"),
        ("bridge.stp", "no"),
    )


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: nmcli.bridge_profiles("br0", ["eth 0"]), "'eth 0' is not a Linux interface name"),
        (lambda: nmcli.bridge_profiles("br0", ["a" * 16]), "1 to 15 bytes"),
        (lambda: nmcli.bridge_profiles("br0", ["eth0", "eth0"]), "'eth0' is listed twice"),
        (lambda: nmcli.bridge_profiles("br0", "eth0"), r"expected a list of names.*\['eth0'\]"),
        (lambda: nmcli.bridge_profiles(""), "expected a non-empty line of text"),
        (lambda: nmcli.bridge_profiles("my bridge"), "'my bridge' is not a Linux interface name"),
        (lambda: nmcli.bond_profiles("bond0", ["eth0"], mode="lacp"), "expected one of"),
        (lambda: nmcli.bond_profiles("bond0", ["eth0"], miimon=-1), "an integer >= 0"),
        (lambda: Profile("x", "team", "eth0"), "type"),  # type: ignore[arg-type]
        # wrong types say what was expected, not Python's 'not iterable'
        (lambda: nmcli.bridge_profiles("br0", None), "expected a list of names"),  # type: ignore[arg-type]
        (lambda: nmcli.bridge_profiles("br0", ["eth0", 7]), r"ports\[1\]: expected a str"),  # type: ignore[list-item]
        (lambda: nmcli.bridge_profiles("br0", ip=None), "ip: expected"),  # type: ignore[arg-type]
        (lambda: nmcli.bridge_profiles("br0", ip=[("ipv4.method",)]), "pair of str"),  # type: ignore[list-item]
        (lambda: nmcli.bridge_profiles("br0", ip=[("IPv4 method", "x")]), "property, value"),
        (lambda: nmcli.bond_profiles("bond0", ["eth0"], options="x"), "expected a dict"),  # type: ignore[arg-type]
        # a comma would start another option: mode=balance-rr behind the caller's back
        (
            lambda: nmcli.bond_profiles("bond0", ["eth0"], options={"miimon": "1,mode=xor"}),
            "without ',' or '='",
        ),
        (lambda: nmcli.bond_profiles("bond0", ["eth0"], options={"up delay": "1"}), "option name"),
        (lambda: nmcli.parse_terse(None), "line: expected a str"),  # type: ignore[arg-type]
        (lambda: Nmcli(path=7), "nmcli path: expected a str"),  # type: ignore[arg-type]
        (lambda: Nmcli(path="/usr/bin/nmcli", timeout=0), "a finite number > 0"),
        (lambda: Nmcli(path="/usr/bin/nmcli", timeout=float("nan")), "a finite number > 0"),
        (lambda: Nmcli(path="/usr/bin/nmcli", timeout=float("inf")), "a finite number > 0"),
        (lambda: Nmcli(path="/usr/bin/nmcli", wait=-1), "an integer >= 0"),
    ],
)
def test_bad_profiles_are_refused_before_any_command_runs(make: Any, words: str) -> None:
    with pytest.raises(vnl.UsageError, match=words):
        make()


def test_names_nmcli_takes_are_accepted() -> None:
    # a profile name may have spaces; the interface then needs its own name
    bridge, port = nmcli.bridge_profiles("my bridge", ["eth0.42"], interface="br-vm_1")
    assert (bridge.name, bridge.interface, port.interface) == ("my bridge", "br-vm_1", "eth0.42")
    (bond, *_) = nmcli.bond_profiles("bond0", ["eth0", "eth1"], mode="802.3ad")
    assert ("bond.options", "mode=802.3ad,miimon=100") in bond.settings


def test_bond_options_reach_nmcli_as_given() -> None:
    """Options as numbers or text, several ARP targets separated by spaces:
    the real ``nmcli --offline`` takes the planned profile and keeps them."""
    path = shutil.which("nmcli")
    if path is None:
        unavailable("nmcli is not installed (Debian: network-manager)")
        return
    options: dict[str, str | int] = {
        "arp_interval": 100,
        "arp_ip_target": "198.51.100.1 198.51.100.2",
    }
    bond, _ = nmcli.bond_profiles("bond0", ["eth0"], miimon=None, options=options)
    assert dict(bond.settings)["bond.options"] == (
        "mode=active-backup,arp_interval=100,arp_ip_target=198.51.100.1 198.51.100.2"
    )
    (add, *_) = Nmcli(path=path).plan([bond], activate=False).steps
    ini = configparser.ConfigParser(interpolation=None)
    ini.read_string(_offline([path, "--offline", *add.args]))
    assert ini["bond"]["arp_interval"] == "100"
    assert ini["bond"]["arp_ip_target"] == "198.51.100.1,198.51.100.2"  # its own notation


def test_a_vlan_without_a_parent_cannot_be_planned() -> None:
    host = vnl.HostInterface.from_xml(
        "<interface type='vlan' name='v42'><vlan tag='42'/></interface>"
    )
    with pytest.raises(vnl.UsageError, match="names no parent interface"):
        nmcli.plan_from_host_interface(host)


def _offline(argv: list[str], stdin: str | None = None) -> str:
    out = subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"},
        timeout=60,
    ).stdout
    # offline nmcli warns that the controller profile is not in a daemon; the keyfile follows
    return out[out.index("[connection]") :]


def test_plans_through_nmcli_offline_write_what_the_model_asked() -> None:
    """Every add/modify of the guide's plan, run by the real ``nmcli --offline``,
    yields keyfiles with exactly the planned relationships and settings."""
    path = shutil.which("nmcli")
    if path is None:
        unavailable("nmcli is not installed (Debian: network-manager)")
        return
    cli = Nmcli(path=path)
    plan = cli.plan(guide_profiles())
    keyfiles: dict[str, str] = {}
    for step in plan.steps:
        if step.kind == "add":
            keyfiles[step.uuid] = _offline([path, "--offline", *step.args])
        elif step.kind == "modify":
            # offline modify reads the profile on stdin; drop "uuid <UUID>"
            args = [a for a in step.args if a not in ("uuid", step.uuid)]
            keyfiles[step.uuid] = _offline([path, "--offline", *args], keyfiles[step.uuid])
    parsed = {}
    for uuid_, text in keyfiles.items():
        ini = configparser.ConfigParser(interpolation=None)
        ini.read_string(text)
        assert ini["connection"]["uuid"] == uuid_
        parsed[ini["connection"]["id"]] = ini
    br, bond = parsed["br0"], parsed["bond0"]
    assert br["connection"]["type"] == "bridge"
    assert br["ipv4"]["method"] == "disabled"
    assert br["ipv6"]["method"] == "disabled"
    term = "autoconnect-ports" if cli.modern else "autoconnect-slaves"
    assert br["connection"][term] == "1"
    assert dict(bond["bond"]) == {"miimon": "100", "mode": "active-backup"}
    assert (
        bond["connection"]["master" if not cli.modern else "controller"] == br["connection"]["uuid"]
    )
    assert bond["connection"]["slave-type" if not cli.modern else "port-type"] == "bridge"
    assert bond["connection"][term] == "1"
    for port, dev in (("bond0-port1", "enp7s0"), ("bond0-port2", "enp8s0")):
        conn = parsed[port]["connection"]
        assert conn["interface-name"] == dev
        assert conn["master" if not cli.modern else "controller"] == bond["connection"]["uuid"]
        assert conn["slave-type" if not cli.modern else "port-type"] == "bond"


def test_device_settings_of_a_host_interface_reach_the_keyfiles() -> None:
    """Start mode, MTU, MAC and STP forward delay are planned, and the real
    ``nmcli --offline`` writes them where NetworkManager reads them."""
    path = shutil.which("nmcli")
    if path is None:
        unavailable("nmcli is not installed (Debian: network-manager)")
        return
    host = vnl.HostInterface.from_xml(
        "<interface type='bridge' name='br7'><start mode='none'/><mtu size='9000'/>"
        "<bridge stp='on' delay='4.6'><interface type='ethernet' name='eth7'>"
        "<start mode='onboot'/><mtu size='9000'/><mac address='52:54:00:00:00:07'/>"
        "</interface></bridge></interface>"
    )
    cli = Nmcli(path=path)
    plan = cli.plan(nmcli.plan_from_host_interface(host), activate=False)
    keyfiles = {}
    for step in plan.steps:
        if step.kind == "add":
            text = _offline([path, "--offline", *step.args])
            ini = configparser.ConfigParser(interpolation=None)
            ini.read_string(text)
            keyfiles[ini["connection"]["id"]] = ini
    bridge, port = keyfiles["br7"], keyfiles["br7-port1"]
    assert bridge["connection"]["autoconnect"] == "false"
    assert bridge["ethernet"]["mtu"] == "9000"
    assert bridge["bridge"]["forward-delay"] == "5"
    assert "autoconnect" not in port["connection"]  # yes is NetworkManager's default
    assert port["ethernet"]["mtu"] == "9000"
    assert port["ethernet"]["mac-address"] == "52:54:00:00:00:07"


def test_a_forward_delay_networkmanager_cannot_take_is_refused() -> None:
    host = vnl.HostInterface.from_xml(
        "<interface type='bridge' name='br7'><bridge stp='on' delay='0.5'/></interface>"
    )
    with pytest.raises(vnl.UsageError, match="2 to 30 s"):
        nmcli.plan_from_host_interface(host)
    # without STP the delay does not matter, and is not set
    host = vnl.HostInterface.from_xml(
        "<interface type='bridge' name='br7'><bridge stp='off' delay='0.01'/></interface>"
    )
    (bridge,) = nmcli.plan_from_host_interface(host)
    assert not any(key == "bridge.forward-delay" for key, _ in bridge.settings)


# ------------------------------------------------------------------ a real NetworkManager


def test_bridge_with_a_veth_port_on_a_real_networkmanager(network_manager: str) -> None:
    ns = network_manager
    cli = Nmcli()
    name = "vnl br: lab\\1 ünï"  # spaces, a colon, a backslash, non-ASCII
    profiles = nmcli.bridge_profiles(
        name,
        ["vnlnm0"],
        interface="vnlnmbr0",
        ip=(
            ("ipv4.method", "manual"),
            ("ipv4.addresses", "198.51.100.1/24"),
            ("ipv6.method", "disabled"),
        ),
    )
    for dev in ("vnlnm0", "vnlnm1"):
        cli.run(["device", "set", dev, "managed", "yes"])
    plan = cli.plan(profiles)
    report = cli.apply(plan)
    assert len(report.ran) == len(plan.steps)
    by_uuid = {c.uuid: c for c in cli.connections()}
    bridge = by_uuid[profiles[0].uuid]
    assert (bridge.name, bridge.type, bridge.device) == (name, "bridge", "vnlnmbr0")
    assert by_uuid[profiles[1].uuid].type == "802-3-ethernet"
    settings = cli.settings(profiles[0].uuid)
    assert settings["connection.id"] == name
    assert settings["ipv4.addresses"] == "198.51.100.1/24"
    devices = {d.device: d for d in cli.devices()}
    assert devices["vnlnmbr0"].type == "bridge"
    out = run("ip", "-n", ns, "-o", "link", "show", "master", "vnlnmbr0").stdout
    assert "vnlnm0" in out
    assert "198.51.100.1/24" in run("ip", "-n", ns, "-o", "addr", "show", "vnlnmbr0").stdout
    again = cli.apply(plan)  # idempotent: equal profiles, already up, are left alone
    assert again.ran == ()
    assert len(again.skipped) == len(plan.steps)
    for profile in profiles:
        cli.delete(profile.uuid)
    assert not {p.uuid for p in profiles} & {c.uuid for c in cli.connections()}
    with pytest.raises(nmcli.NmcliNotFoundError):
        cli.delete(profiles[0].uuid)


def test_bond_activation_fails_without_the_bonding_driver(network_manager: str) -> None:
    cli = Nmcli()
    if Path("/sys/module/bonding").exists():
        pytest.skip("this kernel has bonding, so activation would succeed")
    profiles = nmcli.bond_profiles("vnl-bond", ["vnlnm2", "vnlnm3"], interface="vnlnmbond0")
    plan = cli.plan(profiles)
    with pytest.raises(nmcli.NmcliActivationError) as info:
        cli.apply(plan)
    assert info.value.exit_code == 4
    assert "vnlnmbond0" in info.value.stderr
    uuids = {c.uuid: c for c in cli.connections()}
    assert uuids[profiles[0].uuid].type == "bond"
    assert cli.settings(profiles[1].uuid)["connection.master"] == profiles[0].uuid
    for profile in profiles:
        cli.delete(profile.uuid)


# ------------------------------------------------------------------ hostile output and names


@pytest.mark.parametrize("odd", ["\u2028", "\x85", "\r", "\x0c", "\x0b", "\x1c", "\u2029"])
def test_names_with_other_line_breaks_are_read_whole(odd: str) -> None:
    """Output is split on "\\n" only: str.splitlines() also split these and
    ended in IndexError."""
    name = f"lab{odd}bridge"
    fake = FakeRun(stdout=f"{name}:u1:bridge:br0:yes\nplain:u2:bond::no\n")
    found = Nmcli(fake, path="/usr/bin/nmcli").connections()
    assert [(c.name, c.uuid, c.active) for c in found] == [
        (name, "u1", True),
        ("plain", "u2", False),
    ]
    settings = nmcli.parse_settings(f"connection.id:{name}\nipv4.method:manual\n")
    assert settings == {"connection.id": name, "ipv4.method": "manual"}


def test_a_line_without_the_fields_asked_for_is_an_nmcli_error() -> None:
    fake = FakeRun(stdout="only:three:fields\n")
    with pytest.raises(nmcli.NmcliOutputError, match=r"expected 5 fields .* got 3 in 'only"):
        Nmcli(fake, path="/usr/bin/nmcli").connections()


def test_output_that_is_not_utf8_is_an_nmcli_error(tmp_path: Path) -> None:
    """The default runner decodes strictly; a device named in Latin-1 gets a clear error."""
    fake_nmcli = tmp_path / "nmcli"
    fake_nmcli.write_bytes(b"#!/bin/sh\nprintf 'caf\\351:u:bridge::no\\n'\n")
    fake_nmcli.chmod(0o755)
    cli = Nmcli(path=str(fake_nmcli))
    with pytest.raises(nmcli.NmcliOutputError, match=r"not UTF-8 \(bytes b'\\xe9"):
        cli.connections()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Profile(name="a\x00b", type="bridge", interface="br0"),
        lambda: Profile(name="br", type="bridge", interface="br\x000"),
        lambda: Profile(
            name="br", type="bridge", interface="br0", settings=(("ipv4.dns", "a\x00"),)
        ),
        lambda: Nmcli(FakeRun(), path="/usr/bin/nmcli").delete("uuid\x00"),
        lambda: Nmcli(FakeRun(), path="/usr/bin/nmcli").run(["connection", "up", "a\x00"]),
        lambda: Nmcli(FakeRun(), path="/usr/bin/nmcli").run("connection"),
    ],
)
def test_nul_is_refused_before_anything_runs(make: Any) -> None:
    with pytest.raises(vnl.UsageError):
        make()


def test_names_that_look_like_options_reach_nmcli_as_names() -> None:
    """Names after nmcli's keywords are values, however they begin: the real
    nmcli --offline writes them into the keyfile as given."""
    path = shutil.which("nmcli")
    if path is None:
        unavailable("nmcli is not installed (Debian: network-manager)")
    assert path is not None
    cli = Nmcli(path=path)
    for name, interface in (("-foo", "-br0"), ("--help", "br-1"), ("-", "--"), ("-f", "-t")):
        (profile,) = nmcli.bridge_profiles(name, interface=interface)
        (add,) = [s for s in cli.plan([profile], activate=False).steps if s.kind == "add"]
        ini = configparser.ConfigParser(interpolation=None)
        ini.read_string(_offline([path, "--offline", *add.args]))
        assert ini["connection"]["id"] == name
        assert ini["connection"]["interface-name"] == interface
        assert ini["connection"]["uuid"] == profile.uuid


class StatefulHost(FakeRun):
    """nmcli against a host's profiles held in ``state`` (add, modify, up, show)."""

    def __init__(self) -> None:
        super().__init__()
        self.state: dict[str, dict[str, str]] = {}

    def __call__(self, argv: Sequence[str], stdin: str | None, timeout: float) -> Any:
        self.calls.append((list(argv), stdin, timeout))
        args = list(argv[3:])
        out = ""
        if "--version" in argv:
            out = "nmcli tool, version 1.42.4\n"
        elif args[:2] == ["connection", "add"]:
            uid = args[args.index("connection.uuid") + 1]
            pairs = dict(zip(args[8::2], args[9::2], strict=False))
            self.state[uid] = {
                "connection.id": args[5],
                "connection.type": args[3],
                "connection.interface-name": args[7],
                **pairs,
            }
        elif args[:2] == ["connection", "modify"]:
            self.state[args[3]].update(zip(args[4::2], args[5::2], strict=False))
        elif args[:2] == ["connection", "up"]:
            self.state[args[3]]["active"] = "yes"
        elif args[:3] == ["-t", "connection", "show"]:
            out = "".join(f"{k}:{v}\n" for k, v in self.state[args[4]].items())
        elif "show" in args:
            out = "".join(
                f"{s['connection.id']}:{u}:{s['connection.type']}:"
                f"{s['connection.interface-name']}:{s.get('active', 'no')}\n"
                for u, s in self.state.items()
            )
        return subprocess.CompletedProcess(argv, 0, out, "")


def test_apply_twice_runs_no_changing_command_the_second_time() -> None:
    """An active profile with the planned settings is not brought up again."""
    profiles = nmcli.bridge_profiles("br0")
    host = StatefulHost()
    cli = Nmcli(host, path="/usr/bin/nmcli")
    plan = cli.plan(profiles)
    first = cli.apply(plan)
    assert [s.kind for s in first.ran] == ["add", "up"]
    before = len(host.calls)
    second = cli.apply(plan)
    assert second.ran == ()
    changing = [c for c, _, _ in host.calls[before:] if c[3:5] != ["-t", "-f"] and "show" not in c]
    assert changing == []


def test_a_changed_bond_mode_is_applied_in_place_and_shown() -> None:
    """A bond whose mode changed is modified (never deleted and added again
    unseen), and the step that ran says so; the same options in NetworkManager's
    own spelling (a mode by number, other defaults listed) are no change."""
    host = StatefulHost()
    cli = Nmcli(host, path="/usr/bin/nmcli")
    backup = nmcli.bond_profiles("bond0", [], mode="active-backup", miimon=100)
    cli.apply(cli.plan(backup, activate=False))
    (uid,) = host.state
    host.state[uid]["bond.options"] = "downdelay=0,miimon=100,mode=1,updelay=0"
    assert cli.apply(cli.plan(backup, activate=False)).ran == ()
    lacp = nmcli.bond_profiles("bond0", [], mode="802.3ad", miimon=100)
    report = cli.apply(cli.plan(lacp, activate=False))
    (step,) = report.ran
    assert step.kind == "modify"
    assert step.args[:4] == ("connection", "modify", "uuid", uid)
    assert not [c for c, _, _ in host.calls if "delete" in c]
    assert "mode=802.3ad" in host.state[uid]["bond.options"]
    assert cli.apply(cli.plan(lacp, activate=False)).ran == ()


def test_a_version_or_a_line_nmcli_should_not_print_is_an_output_error() -> None:
    fake = FakeRun(version="1." + "9" * 5000 + ".0")
    with pytest.raises(nmcli.NmcliOutputError, match="cannot read the version"):
        _ = Nmcli(fake, path="/usr/bin/nmcli").version
    fake = FakeRun(stdout="a\x00b:u:bridge::no\n")
    with pytest.raises(nmcli.NmcliOutputError, match="NUL"):
        Nmcli(fake, path="/usr/bin/nmcli").connections()


def test_no_system_bus_is_network_manager_not_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real nmcli with no D-Bus system bus to reach: exit 1, not 8, and the
    message nmcli 1.42 gives; both mean NetworkManager cannot be reached."""
    if shutil.which("nmcli") is None:
        unavailable("nmcli is not installed (Debian: network-manager)")
    from virtnetlib.nmcli import NetworkManagerNotRunningError, Nmcli

    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/virtnetlib-test")
    with pytest.raises(NetworkManagerNotRunningError) as info:
        Nmcli().run(["-t", "general", "status"], wait=False)
    assert info.value.exit_code == 1
    assert "Could not create NMClient object" in info.value.stderr
    assert "NetworkManager is not running" in str(info.value)
