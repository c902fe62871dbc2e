"""Drive NetworkManager with nmcli: bridges, bonds and their ports, as VMs need them.

Plans are lists of nmcli argument vectors you can inspect before anything
runs; :meth:`Nmcli.apply` runs them idempotently (a profile that already
has the planned settings is left alone). Commands are argv lists run
without a shell, with an absolute nmcli path, ``LC_ALL=C.UTF-8``, ``--wait`` and
a subprocess timeout; the runner is injectable. Profiles are addressed by
UUID — fixed at creation, derived from the profile's name — so names with
spaces or colons are safe. nmcli's exit codes become typed errors.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol

import attrs

from virtnetlib._core.errors import (
    Error,
    UsageError,
    expect_names,
    expect_seconds,
    expect_str,
    shortened,
)
from virtnetlib._models.hostinterface import (
    BOND_MODE_NUMBERS,
    BondHostInterface,
    BridgeHostInterface,
    EthernetHostInterface,
    HostInterface,
    HostProtocol,
    VlanHostInterface,
)

__all__ = [
    "Connection",
    "Device",
    "Nmcli",
    "NmcliError",
    "NmcliOutputError",
    "Plan",
    "Profile",
    "Step",
    "bond_profiles",
    "bridge_profiles",
    "parse_terse",
    "plan_from_host_interface",
]

#: Namespace of the UUIDs virtnetlib gives the profiles it creates.
UUID_NAMESPACE = uuid.UUID("6f0b8a1e-55c1-4c3a-9a4e-1d7f8b2c9e10")


# ------------------------------------------------------------------ errors


class NmcliError(Error):
    """nmcli failed. ``exit_code`` is nmcli's, ``stderr`` its message, ``argv`` the command."""

    meaning = "unknown error"

    def __init__(self, argv: Sequence[str], exit_code: int | None, stderr: str) -> None:
        self.argv = tuple(argv)
        self.exit_code = exit_code
        self.stderr = stderr.strip()
        shown = " ".join(self.argv[1:]) if self.argv else ""
        super().__init__(f"nmcli {shown}: {self.meaning} (exit {exit_code}): {self.stderr}")


class NmcliOutputError(NmcliError):
    """nmcli answered with output virtnetlib cannot read: not UTF-8, or a line
    without the fields asked for (``stderr`` says which)."""

    meaning = "unreadable output"


class NmcliUnknownError(NmcliError):
    meaning = "unknown or unspecified error"


class NmcliUsageError(NmcliError):
    meaning = "invalid user input, wrong nmcli invocation"


class NmcliTimeoutError(NmcliError):
    meaning = "timeout expired"


class NmcliActivationError(NmcliError):
    meaning = "connection activation failed"


class NmcliDeactivationError(NmcliError):
    meaning = "connection deactivation failed"


class NmcliDisconnectError(NmcliError):
    meaning = "disconnecting device failed"


class NmcliDeletionError(NmcliError):
    meaning = "connection deletion failed"


class NetworkManagerNotRunningError(NmcliError):
    meaning = "NetworkManager is not running"


class NmcliNotFoundError(NmcliError):
    meaning = "connection, device or access point does not exist"


#: what nmcli says when it finds no D-Bus system bus to reach NetworkManager on
_NO_CLIENT = "Could not create NMClient object"

EXIT_CODES: dict[int, type[NmcliError]] = {
    1: NmcliUnknownError,
    2: NmcliUsageError,
    3: NmcliTimeoutError,
    4: NmcliActivationError,
    5: NmcliDeactivationError,
    6: NmcliDisconnectError,
    7: NmcliDeletionError,
    8: NetworkManagerNotRunningError,
    10: NmcliNotFoundError,
}


# ------------------------------------------------------------------ running


class Completed(Protocol):
    returncode: int
    stdout: str
    stderr: str


Runner = Callable[[Sequence[str], str | None, float], Completed]
"""Runs an argv (no shell) with optional stdin and a timeout in seconds."""


def subprocess_runner(argv: Sequence[str], stdin: str | None, timeout: float) -> Completed:
    """The default runner: a subprocess in the C locale, UTF-8, and no shell.

    ``LC_ALL=C.UTF-8`` rather than plain ``C``: messages stay untranslated
    and parseable, and names outside ASCII come back intact instead of as
    ``?`` (plain ``C`` makes nmcli replace them). Output is decoded as UTF-8
    strictly: bytes that are not (a device name can hold any) raise
    :class:`NmcliOutputError` naming where, never ``UnicodeDecodeError``.
    """
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    env.pop("LANGUAGE", None)
    done = subprocess.run(
        list(argv),
        input=None if stdin is None else stdin.encode(),
        capture_output=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        _decoded(argv, done.returncode, done.stdout, "output"),
        _decoded(argv, done.returncode, done.stderr, "error output"),
    )


def _decoded(argv: Sequence[str], code: int | None, data: bytes | str, what: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 4]
        raise NmcliOutputError(
            argv, code, f"its {what} is not UTF-8 (bytes {bad!r} at offset {exc.start})"
        ) from None


def _lines(text: str) -> list[str]:
    """nmcli's output lines: split on "\n" alone. ``str.splitlines`` would also
    split names holding \r, \x85, \u2028 or a form feed."""
    return [line for line in text.split("\n") if line]


def parse_terse(line: str) -> list[str]:
    """Split one line of ``nmcli -t`` tabular output on unescaped colons.

    nmcli escapes ``:`` as ``\\:`` and ``\\`` as ``\\\\`` in terse fields.
    """
    expect_str(line, "line")
    fields: list[str] = []
    current: list[str] = []
    chars = iter(line)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields


def parse_settings(text: str) -> dict[str, str]:
    """``nmcli -t connection show UUID`` output as ``{"ipv4.method": "manual", ...}``.

    Each line is ``setting.property:value``; values are not escaped there and
    may hold colons (MACs, IPv6), so lines split on the first colon only.
    """
    out: dict[str, str] = {}
    for line in _lines(text):
        key, sep, value = line.partition(":")
        if sep:
            out[key] = value
    return out


@attrs.frozen
class Connection:
    """A NetworkManager connection profile as ``nmcli connection show`` lists it."""

    name: str
    uuid: str
    type: str
    device: str | None
    active: bool


@attrs.frozen
class Device:
    """A network device as ``nmcli device`` lists it."""

    device: str
    type: str
    state: str
    connection: str | None


# ------------------------------------------------------------------ plans


_NOT_IN_IFNAME = re.compile(r"[\s/:\x00]")


def _ifname(_obj: object, attribute: attrs.Attribute[str], value: str) -> None:
    """An attrs validator: ``value`` is a name the kernel takes for an interface."""
    if not (
        isinstance(value, str)
        and 0 < len(value.encode()) <= 15
        and value not in (".", "..")
        and not _NOT_IN_IFNAME.search(value)
    ):
        raise UsageError(
            f"{attribute.name} {value!r} is not a Linux interface name: "
            "1 to 15 bytes, without whitespace, NUL, '/' or ':'"
        )


def _profile_name(_obj: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip() or "\n" in value or "\x00" in value:
        raise UsageError(
            f"profile {attribute.name} {value!r}: expected a non-empty line of text without NUL"
        )


def _profile_type(_obj: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("bond", "bridge", "ethernet", "vlan"):
        raise UsageError(f"profile type {value!r}: expected bond, bridge, ethernet or vlan")


def _pairs(ip: Any) -> list[tuple[str, str]]:
    """The ``ip`` argument's (property, value) pairs, each as a tuple (checked by Profile)."""
    if isinstance(ip, str) or not isinstance(ip, Iterable):
        raise UsageError(f"ip: expected (property, value) pairs, got {type(ip).__name__}")
    return [tuple(p) if isinstance(p, (list, tuple)) else p for p in ip]


def _settings(_obj: object, _attribute: attrs.Attribute[Any], value: Any) -> None:
    """An attrs validator: nmcli property names (``ipv4.method``) with text values."""
    if not isinstance(value, tuple):
        raise UsageError(f"profile settings: expected a tuple of pairs, got {type(value).__name__}")
    for item in value:
        if not (
            isinstance(item, tuple)
            and len(item) == 2
            and all(isinstance(x, str) and "\x00" not in x for x in item)
            and re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+", item[0])
        ):
            raise UsageError(
                f"profile setting {item!r}: expected a (property, value) pair of str "
                "such as ('ipv4.method', 'manual')"
            )


@attrs.frozen
class Profile:
    """A connection profile to create: its name, type, interface and settings.

    ``settings`` are nmcli property names (``bond.options``,
    ``ipv4.method``) with the values nmcli takes. The UUID is derived from
    the name, so planning twice gives the same profile. A name or interface
    NetworkManager would refuse raises :class:`~virtnetlib.UsageError` here,
    before any command runs.
    """

    name: str = attrs.field(validator=_profile_name)
    type: Literal["bond", "bridge", "ethernet", "vlan"] = attrs.field(validator=_profile_type)
    interface: str = attrs.field(validator=_ifname)
    settings: tuple[tuple[str, str], ...] = attrs.field(default=(), validator=_settings)
    controller: str | None = None  # the name of the bond or bridge this is a port of

    @property
    def uuid(self) -> str:
        return str(uuid.uuid5(UUID_NAMESPACE, f"{self.type}:{self.name}"))


@attrs.frozen
class Step:
    """One nmcli command: ``args`` go after ``nmcli --wait N``."""

    args: tuple[str, ...]
    kind: Literal["add", "modify", "up"]
    uuid: str
    #: settings that must hold after the step, used to skip it when they already do
    expects: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Plan:
    """The commands that build a set of profiles, in order."""

    steps: tuple[Step, ...]

    def argvs(self, nmcli: str = "nmcli", wait: int = 60) -> list[list[str]]:
        """Every command as an argv, ready for review."""
        return [[nmcli, "--wait", str(wait), *s.args] for s in self.steps]


def _ip_settings(protocols: Iterable[HostProtocol] | None, *, port: bool) -> list[tuple[str, str]]:
    if port:
        return []
    by_family = {p.family: p for p in protocols or ()}
    out: list[tuple[str, str]] = []
    for family in ("ipv4", "ipv6"):
        proto = by_family.get(family)
        if proto is not None and proto.ips:
            default = 32 if family == "ipv4" else 64
            addresses = ",".join(f"{ip.address}/{ip.prefix or default}" for ip in proto.ips)
            out += [(f"{family}.method", "manual"), (f"{family}.addresses", addresses)]
        elif proto is not None and family == "ipv4" and proto.dhcp is not None:
            out.append(("ipv4.method", "auto"))
        elif proto is not None and family == "ipv6" and proto.autoconf is not None:
            out.append(("ipv6.method", "auto"))  # SLAAC, with DHCPv6 when the router says so
        elif proto is not None and family == "ipv6" and proto.dhcp is not None:
            out.append(("ipv6.method", "dhcp"))
        else:
            out.append((f"{family}.method", "disabled"))
        if proto is not None and proto.route is not None:
            out.append((f"{family}.gateway", str(proto.route.gateway)))
    return out


def bond_profiles(
    name: str,
    ports: Sequence[str],
    *,
    mode: str = "active-backup",
    miimon: int | None = 100,
    options: Mapping[str, str | int] | None = None,
    interface: str | None = None,
    ip: Sequence[tuple[str, str]] = (),
) -> list[Profile]:
    """A bond and its Ethernet ports (the guide's ``type bond`` and ``slave-type bond``)."""
    opts = {"mode": mode}
    if miimon is not None:
        opts["miimon"] = str(miimon)
    opts.update(_bond_options(options))
    if mode not in BOND_MODES:
        raise UsageError(f"bond mode {mode!r}: expected one of {', '.join(BOND_MODES)}")
    if miimon is not None and not (isinstance(miimon, int) and miimon >= 0):
        raise UsageError(f"miimon {miimon!r}: expected milliseconds, an integer >= 0")
    bond = Profile(
        name,
        "bond",
        interface or name,
        (("bond.options", ",".join(f"{k}={v}" for k, v in opts.items())), *_pairs(ip)),
    )
    return [bond, *_port_profiles(name, ports)]


def _bond_options(options: Any) -> dict[str, str]:
    """Extra ``bond.options``, checked: nmcli reads them as ``k=v,k=v``, so a
    comma in a value would start another option (``100,mode=balance-rr``)."""
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise UsageError(f"bond options: expected a dict, got {type(options).__name__}")
    out = {}
    for key, given in options.items():
        value = str(given) if isinstance(given, int) and not isinstance(given, bool) else given
        if not (isinstance(key, str) and re.fullmatch(r"[a-z][a-z0-9_-]*", key)):
            raise UsageError(f"bond option name {key!r}: expected a name such as 'updelay'")
        if not isinstance(value, str) or not value or re.search(r"[,=\x00-\x1f]", value):
            raise UsageError(
                f"bond option {key}={value!r}: expected a value without ',' or '=' "
                "(separate several arp_ip_target addresses with spaces)"
            )
        out[key] = value
    return out


#: The bonding driver's modes, by name or by the number nmcli also takes.
BOND_MODES = (*BOND_MODE_NUMBERS, *map(str, BOND_MODE_NUMBERS.values()))


def _port_profiles(controller: str, ports: Sequence[str]) -> list[Profile]:
    """Ethernet port profiles of a bond or bridge, one per device."""
    names = expect_names(ports, "ports")
    seen: set[str] = set()
    for dev in names:
        if dev in seen:
            raise UsageError(f"port {dev!r} is listed twice for {controller!r}")
        seen.add(dev)
    return [
        Profile(f"{controller}-port{i + 1}", "ethernet", dev, controller=controller)
        for i, dev in enumerate(names)
    ]


def bridge_profiles(
    name: str,
    ports: Sequence[str] = (),
    *,
    interface: str | None = None,
    stp: bool | None = None,
    ip: Sequence[tuple[str, str]] = (("ipv4.method", "disabled"), ("ipv6.method", "disabled")),
) -> list[Profile]:
    """A bridge (by default without addresses, as for VMs) and Ethernet ports."""
    settings = _pairs(ip)
    if stp is not None:
        settings.append(("bridge.stp", "yes" if stp else "no"))
    bridge = Profile(name, "bridge", interface or name, tuple(settings))
    return [bridge, *_port_profiles(name, ports)]


def plan_from_host_interface(host: HostInterface) -> list[Profile]:
    """Profiles for a libvirt host interface: a bridge (over a bond), a bond, a VLAN.

    Each interface's start mode, MTU and MAC address, and a bridge's STP
    forward delay, go to its profile (``connection.autoconnect``,
    ``ethernet.mtu``, ``ethernet.mac-address``, ``bridge.forward-delay``);
    nothing the document says about a device is left out silently.
    """
    by_name = {getattr(i, "name", None): i for i in _host_tree(host)}
    return [
        attrs.evolve(p, settings=p.settings + _device_settings(by_name[p.interface]))
        if p.interface in by_name
        else p
        for p in _profiles(host)
    ]


def _host_tree(host: HostInterface) -> Iterator[HostInterface]:
    """``host`` and the interfaces inside it (bridge and bond ports)."""
    yield host
    if isinstance(host, BridgeHostInterface):
        for port in host.bridge.interfaces:
            yield from _host_tree(port)
    elif isinstance(host, BondHostInterface):
        yield from host.bond.interfaces


def _device_settings(iface: HostInterface) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    if iface.start is not None:
        # netcf's hotplug (start when the device appears) is what NM's autoconnect does too
        autoconnect = "no" if iface.start.mode == "none" else "yes"
        out.append(("connection.autoconnect", autoconnect))
    if iface.mtu is not None:
        out.append(("ethernet.mtu", str(iface.mtu.size)))
    mac = getattr(iface, "mac", None)
    if mac is not None:
        out.append(("ethernet.mac-address", mac.address))
    if (
        isinstance(iface, BridgeHostInterface)
        and iface.bridge.stp
        and iface.bridge.delay is not None
    ):
        delay = round(iface.bridge.delay)
        if not 2 <= delay <= 30:
            raise UsageError(
                f"bridge {iface.name!r}: forward delay {iface.bridge.delay:g} s; with STP, "
                "NetworkManager (and the kernel) take 2 to 30 s"
            )
        out.append(("bridge.forward-delay", str(delay)))
    return tuple(out)


def _profiles(host: HostInterface) -> list[Profile]:
    if isinstance(host, BridgeHostInterface):
        direct = [p.name for p in host.bridge.interfaces if isinstance(p, EthernetHostInterface)]
        profiles = bridge_profiles(
            host.name,
            direct,
            stp=host.bridge.stp,
            ip=_ip_settings(host.protocols, port=False),
        )
        for port in host.bridge.interfaces:
            if isinstance(port, BondHostInterface):
                bond = _bond_profiles(port)
                profiles.extend([attrs.evolve(bond[0], controller=host.name), *bond[1:]])
            elif isinstance(port, VlanHostInterface):
                profiles.append(_vlan_profile(port, controller=host.name))
        return profiles
    if isinstance(host, BondHostInterface):
        bond = _bond_profiles(host)
        ip = tuple(_ip_settings(host.protocols, port=False))
        return [attrs.evolve(bond[0], settings=bond[0].settings + ip), *bond[1:]]
    if isinstance(host, VlanHostInterface):
        return [_vlan_profile(host)]
    if isinstance(host, EthernetHostInterface):
        return [
            Profile(
                host.name, "ethernet", host.name, tuple(_ip_settings(host.protocols, port=False))
            )
        ]
    raise UsageError(f"cannot plan for {type(host).__name__}")


def _bond_profiles(bond: BondHostInterface) -> list[Profile]:
    options: dict[str, str] = {}
    miimon = None
    if bond.bond.miimon is not None:
        mii = bond.bond.miimon
        miimon = mii.freq
        if mii.downdelay is not None:
            options["downdelay"] = str(mii.downdelay)
        if mii.updelay is not None:
            options["updelay"] = str(mii.updelay)
        if mii.carrier is not None:
            options["use_carrier"] = "1" if mii.carrier == "netif" else "0"
    if bond.bond.arpmon is not None:
        arp = bond.bond.arpmon
        options["arp_interval"] = str(arp.interval)
        options["arp_ip_target"] = str(arp.target)
        if arp.validate is not None:
            options["arp_validate"] = arp.validate
    return bond_profiles(
        bond.name,
        [p.name for p in bond.bond.interfaces],
        mode=bond.bond.mode or "balance-rr",
        miimon=miimon,
        options=options,
    )


def _vlan_profile(vlan: VlanHostInterface, controller: str | None = None) -> Profile:
    if vlan.vlan.interface is None or not vlan.vlan.interface.name:
        raise UsageError(f"VLAN {vlan.name or vlan.vlan.tag!r} names no parent interface")
    parent = vlan.vlan.interface.name
    name = vlan.name or f"{parent}.{vlan.vlan.tag}"
    ip = () if controller else tuple(_ip_settings(vlan.protocols, port=False))
    return Profile(
        name,
        "vlan",
        name,
        (("vlan.parent", parent), ("vlan.id", str(vlan.vlan.tag)), *ip),
        controller=controller,
    )


# ------------------------------------------------------------------ the adapter


@attrs.frozen
class ApplyReport:
    """What :meth:`Nmcli.apply` ran and what it found already in place."""

    ran: tuple[Step, ...]
    skipped: tuple[Step, ...]


class Nmcli:
    """nmcli with typed results, version awareness and safe invocation.

    ``runner`` runs argv lists (default: a subprocess with ``LC_ALL=C.UTF-8``);
    ``path`` is nmcli's absolute path (default: found on ``PATH``).
    """

    def __init__(
        self,
        runner: Runner | None = None,
        *,
        path: str | None = None,
        timeout: float = 120.0,
        wait: int = 60,
    ) -> None:
        if path is not None:
            expect_str(path, "nmcli path")
        found = path or shutil.which("nmcli") or "/usr/bin/nmcli"
        if not os.path.isabs(found):
            raise UsageError(f"nmcli path must be absolute, not {found!r}")
        timeout = expect_seconds(timeout)
        if isinstance(wait, bool) or not isinstance(wait, int) or wait < 0:
            raise UsageError(f"wait {wait!r}: expected seconds, an integer >= 0")
        self.path = found
        self.runner = runner or subprocess_runner
        self.timeout = timeout
        self.wait = wait

    def run(self, args: Sequence[str], *, stdin: str | None = None, wait: bool = True) -> str:
        """Run ``nmcli [--wait N] args``; nmcli's exit codes become typed errors.

        Every argument must be a str without NUL (no system call can pass
        one): anything else is a :class:`~virtnetlib.UsageError` before
        anything runs.
        """
        args = expect_names(args, "nmcli arguments")
        if stdin is not None:
            expect_str(stdin, "nmcli input")
        argv = [self.path, *(["--wait", str(self.wait)] if wait else []), *args]
        try:
            done = self.runner(argv, stdin, self.timeout)
        except subprocess.TimeoutExpired:
            raise NmcliTimeoutError(argv, None, f"no answer within {self.timeout:g} s") from None
        except OSError as exc:
            raise NmcliError(argv, None, f"cannot run {self.path}: {exc.strerror or exc}") from exc
        stdout = _decoded(argv, done.returncode, done.stdout, "output")
        if done.returncode != 0:
            cls = EXIT_CODES.get(done.returncode, NmcliError)
            stderr = _decoded(argv, done.returncode, done.stderr, "error output")
            if done.returncode == 1 and _NO_CLIENT in stderr:
                # nmcli (1.42 at least) exits 1, not 8, when it cannot reach
                # the system bus at all: NetworkManager is not there either way
                cls = NetworkManagerNotRunningError
            raise cls(argv, done.returncode, stderr or stdout)
        return stdout

    def _rows(self, args: list[str], fields: int) -> list[list[str]]:
        """``nmcli -t`` output of ``args`` as rows of ``fields`` fields each."""
        out = self.run(args)
        rows = []
        for line in _lines(out):
            if "\x00" in line:
                raise NmcliOutputError(
                    [self.path, *args], 0, f"a NUL character in the line {line!r}"
                )
            row = parse_terse(line)
            if len(row) != fields:
                raise NmcliOutputError(
                    [self.path, *args],
                    0,
                    f"expected {fields} fields separated by ':', got {len(row)} in {line!r}",
                )
            rows.append(row)
        return rows

    @functools.cached_property
    def version(self) -> tuple[int, int, int]:
        """nmcli's version, read once."""
        out = self.run(["--version"], wait=False)
        match = re.search(r"([0-9]{1,6})\.([0-9]{1,6})\.([0-9]{1,6})", out)
        if not match:
            raise NmcliOutputError(
                [self.path, "--version"], 0, f"cannot read the version from {shortened(out)!r}"
            )
        return (int(match.group(1)), int(match.group(2)), int(match.group(3)))

    @property
    def modern(self) -> bool:
        """nmcli 1.46 and later speak of controllers and ports, not masters and slaves."""
        return self.version >= (1, 46, 0)

    # -------------------------------------------------------------- reading

    def connections(self) -> list[Connection]:
        rows = self._rows(["-t", "-f", "NAME,UUID,TYPE,DEVICE,ACTIVE", "connection", "show"], 5)
        return [Connection(r[0], r[1], r[2], r[3] or None, r[4] == "yes") for r in rows]

    def devices(self) -> list[Device]:
        rows = self._rows(["-t", "-f", "DEVICE,TYPE,STATE,CONNECTION", "device"], 4)
        return [Device(r[0], r[1], r[2], r[3] or None) for r in rows]

    def settings(self, uuid_: str) -> dict[str, str]:
        """A profile's settings, ``{"connection.id": ..., "ipv4.method": ...}``."""
        return parse_settings(self.run(["-t", "connection", "show", "uuid", uuid_]))

    # -------------------------------------------------------------- planning

    def _port_terms(self) -> tuple[str, str, str]:
        if self.modern:
            return "port-type", "controller", "connection.autoconnect-ports"
        return "slave-type", "master", "connection.autoconnect-slaves"

    def plan(self, profiles: Sequence[Profile], *, activate: bool = True) -> Plan:
        """The guide's nmcli sequence for ``profiles``: add controllers, add ports,
        attach controllers to their controllers, enable autoconnect of ports,
        and bring the top controller up."""
        port_type, controller_key, autoports = self._port_terms()
        by_name = {p.name: p for p in profiles}
        steps: list[Step] = []
        top = [p for p in profiles if p.controller is None]
        nested = [p for p in profiles if p.controller is not None and p.type != "ethernet"]
        steps += [
            self._add(p, by_name, port_type, controller_key, with_port=False)
            for p in [*top, *nested]
        ]
        steps += [
            self._add(p, by_name, port_type, controller_key, with_port=True)
            for p in profiles
            if p.type == "ethernet" and p.controller is not None
        ]
        for profile in nested:  # e.g. "nmcli connection modify bond0 master br0"
            ctrl = by_name[profile.controller or ""]
            keys = (f"connection.{port_type}", f"connection.{controller_key}")
            values = (ctrl.type, ctrl.uuid)
            steps.append(
                Step(
                    (
                        "connection",
                        "modify",
                        "uuid",
                        profile.uuid,
                        f"connection.{port_type}",
                        ctrl.type,
                        f"connection.{controller_key}",
                        ctrl.uuid,
                    ),
                    "modify",
                    profile.uuid,
                    tuple(zip(keys, values, strict=True)),
                )
            )
        controllers = {p.controller for p in profiles if p.controller}
        for name in [p.name for p in profiles if p.name in controllers]:
            ctrl = by_name[name]
            steps.append(
                Step(
                    ("connection", "modify", "uuid", ctrl.uuid, autoports, "1"),
                    "modify",
                    ctrl.uuid,
                    ((autoports, "1"),),
                )
            )
        if activate:
            steps += [Step(("connection", "up", "uuid", p.uuid), "up", p.uuid) for p in top]
        return Plan(tuple(steps))

    def _add(
        self,
        profile: Profile,
        by_name: dict[str, Profile],
        port_type: str,
        controller_key: str,
        *,
        with_port: bool,
    ) -> Step:
        args = [
            "connection",
            "add",
            "type",
            profile.type,
            "con-name",
            profile.name,
            "ifname",
            profile.interface,
            "connection.uuid",
            profile.uuid,
        ]
        expects = [
            ("connection.id", profile.name),
            ("connection.interface-name", profile.interface),
        ]
        if with_port and profile.controller is not None:
            ctrl = by_name[profile.controller]
            args[4:4] = [port_type, ctrl.type]
            args += [controller_key, ctrl.uuid]
            expects += [
                (f"connection.{port_type}", ctrl.type),
                (f"connection.{controller_key}", ctrl.uuid),
            ]
        for key, value in profile.settings:
            args += [key, value]
            expects.append((key, value))
        return Step(tuple(args), "add", profile.uuid, tuple(expects))

    # -------------------------------------------------------------- applying

    def apply(self, plan: Plan) -> ApplyReport:
        """Run a plan, idempotently: profiles that exist with the planned
        settings are left alone, and one already active is not brought up
        again unless this run changed a profile (a change takes effect only
        on activation). Applying the same plan twice runs no changing
        command the second time."""
        existing = {c.uuid: c for c in self.connections()}
        ran: list[Step] = []
        skipped: list[Step] = []
        for planned in plan.steps:
            step = planned
            known = existing.get(step.uuid)
            if step.kind in ("add", "modify") and known is not None and self._holds(step):
                skipped.append(step)
                continue
            if step.kind == "up" and known is not None and known.active and not ran:
                skipped.append(step)
                continue
            if step.kind == "add" and known is not None:
                # the profile exists with other settings: changed in place, never
                # deleted and added again (which would take its link down unseen)
                pairs = [x for pair in step.expects for x in pair]
                step = Step(
                    ("connection", "modify", "uuid", step.uuid, *pairs),
                    "modify",
                    step.uuid,
                    step.expects,
                )
            self.run(step.args)
            existing.setdefault(step.uuid, Connection("", step.uuid, "", None, False))
            ran.append(step)
        return ApplyReport(tuple(ran), tuple(skipped))

    def _holds(self, step: Step) -> bool:
        current = self.settings(step.uuid)
        return all(
            _same_options(current.get(key), value)
            if key == "bond.options"
            else _same(current.get(key), value)
            for key, value in step.expects
        )

    def delete(self, uuid_: str) -> None:
        self.run(["connection", "delete", "uuid", uuid_])

    def up(self, uuid_: str) -> None:
        self.run(["connection", "up", "uuid", uuid_])

    def down(self, uuid_: str) -> None:
        self.run(["connection", "down", "uuid", uuid_])


def _options(text: str) -> dict[str, str]:
    """``mode=active-backup,miimon=100`` as a mapping."""
    pairs = (item.partition("=") for item in text.split(",") if item.strip())
    return {k.strip(): v.strip() for k, _, v in pairs}


def _same_options(current: str | None, wanted: str) -> bool:
    """Whether the bond options asked for are in place (NetworkManager lists
    others it holds too); a mode by number or name is the same mode."""
    if current is None:
        return False
    have = _options(current)
    for key, value in _options(wanted).items():
        got = have.get(key)
        if key == "mode" and got is not None:
            got, want = _bond_mode_name(got), _bond_mode_name(value)
        else:
            want = value
        if got != want:
            return False
    return True


def _bond_mode_name(mode: str) -> str:
    """A mode by the kernel's number (``1``) as its name (``active-backup``)."""
    names = {str(number): name for name, number in BOND_MODE_NUMBERS.items()}
    return names.get(mode, mode)


def _same(current: str | None, wanted: str) -> bool:
    if current is None:
        return False
    if current == wanted:
        return True
    aliases = {"yes": "1", "no": "0", "true": "1", "false": "0"}
    if aliases.get(current, current) == aliases.get(wanted, wanted):
        return True
    try:  # address lists come back as "a/24, b/24"
        wanted_set = {str(ipaddress.ip_interface(v.strip())) for v in wanted.split(",")}
        current_set = {str(ipaddress.ip_interface(v.strip())) for v in current.split(",")}
    except ValueError:
        return False
    return wanted_set == current_set
