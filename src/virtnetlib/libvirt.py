"""A thin, typed layer over libvirt-python (``pip install virtnetlib[libvirt]``).

Orchestrators call this instead of juggling XML strings and virsh:
networks in and out as :class:`~virtnetlib.Network` models, idempotent
``apply_network``, live ``networkUpdate`` from fragment models, typed DHCP
leases, and domain interfaces attached, detached and updated as
:class:`~virtnetlib.Interface` models. libvirt does the work, locally or
remotely (``qemu+ssh://host/system``); every libvirt failure becomes a
:class:`LibvirtError` that keeps libvirt's code and message and says which
operation on which object failed.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import functools
import html
import ipaddress
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal, NoReturn, TypeVar, overload

import attrs
from lxml import etree

from virtnetlib._core.converters import IPAddress
from virtnetlib._core.display import ModelList, yes_no
from virtnetlib._core.errors import Error, UsageError, expect_seconds, expect_str
from virtnetlib._core.model import Model, expect_model
from virtnetlib._core.xml import parse_document
from virtnetlib._models.changes import (
    SECTION_OF,
    NicStep,
    Section,
    Update,
    UpdateCommand,
    comparable,
    nic_steps,
)
from virtnetlib._models.changes import update_steps as _update_steps
from virtnetlib._models.domain import Guest
from virtnetlib._models.domain import domain_interfaces as _domain_interfaces
from virtnetlib._models.interface import Interface
from virtnetlib._models.network import (
    Network,
)
from virtnetlib._validation.problem import Problem
from virtnetlib._validation.versions import (
    Version,
    parse_version,
    version_problems,
    version_text,
)

try:
    import libvirt as _lv
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "virtnetlib.libvirt needs libvirt-python: pip install 'virtnetlib[libvirt]' "
        "(it builds against the libvirt-dev and pkg-config packages)"
    ) from exc

__all__ = [
    "ApplyError",
    "ApplyResult",
    "Connection",
    "DhcpLease",
    "InterfacePlan",
    "InterfaceResult",
    "LibvirtError",
    "LibvirtTooOldError",
    "NetworkPlan",
    "NetworkState",
    "PlanStep",
    "StalePlanError",
    "UpdateCommand",
]

T = TypeVar("T")

# libvirt-python prints every error to stderr unless a handler is registered;
# this layer raises each one as a LibvirtError instead, so the print is noise.
_lv.registerErrorHandler(lambda _ctx, _err: None, None)

_COMMANDS = {
    "add": _lv.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
    "add-first": _lv.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST,
    "modify": _lv.VIR_NETWORK_UPDATE_COMMAND_MODIFY,
    "delete": _lv.VIR_NETWORK_UPDATE_COMMAND_DELETE,
}
_SECTION_NUMBERS: dict[Section, int] = {
    "ip-dhcp-host": _lv.VIR_NETWORK_SECTION_IP_DHCP_HOST,
    "ip-dhcp-range": _lv.VIR_NETWORK_SECTION_IP_DHCP_RANGE,
    "dns-host": _lv.VIR_NETWORK_SECTION_DNS_HOST,
    "dns-txt": _lv.VIR_NETWORK_SECTION_DNS_TXT,
    "dns-srv": _lv.VIR_NETWORK_SECTION_DNS_SRV,
    "portgroup": _lv.VIR_NETWORK_SECTION_PORTGROUP,
    "forward-interface": _lv.VIR_NETWORK_SECTION_FORWARD_INTERFACE,
}


#: libvirt takes a parent index as a C int
_C_INT_MAX = 2**31 - 1


class LibvirtError(Error):
    """A libvirt call failed; libvirt's own code and message are kept.

    ``operation`` is what virtnetlib was doing (``"start network"``),
    ``target`` the network or domain, ``code`` libvirt's ``VIR_ERR_*``
    number and ``libvirt_message`` its text.
    """

    def __init__(
        self,
        operation: str,
        target: str | None,
        code: int | None,
        libvirt_message: str,
        note: str = "",
    ) -> None:
        self.operation = operation
        self.target = target
        self.code = code
        self.libvirt_message = libvirt_message
        where = f" {target!r}" if target else ""
        super().__init__(f"{operation}{where} failed: {libvirt_message}{note}")


def _wrap(operation: str, target: str | None, fn: Callable[..., T], *args: Any) -> T:
    try:
        return fn(*args)
    except _lv.libvirtError as exc:
        raise LibvirtError(
            operation, target, exc.get_error_code(), exc.get_error_message() or str(exc)
        ) from exc


@attrs.frozen
class NetworkState:
    """A network as libvirt has it: its (inactive) definition and its state.

    ``pending_restart`` is true when the network runs with a definition other
    than its persistent one: a change that libvirt cannot make to a running
    network was defined, and takes effect at the next start.
    """

    network: Network
    active: bool
    autostart: bool
    persistent: bool
    pending_restart: bool = False

    @property
    def name(self) -> str:
        return self.network.name

    def __summary_row__(self) -> dict[str, str]:
        """The network's row in a notebook table, with its state."""
        return {
            **self.network.__summary_row__(),
            "active": yes_no(self.active),
            "autostart": yes_no(self.autostart),
            "pending restart": yes_no(self.pending_restart),
        }


@attrs.frozen
class ApplyResult:
    """What :meth:`Connection.apply_network` (or :meth:`Connection.apply`) did.

    ``action`` says what became of the persistent definition: ``created``,
    ``redefined``, ``updated`` (changed in place through networkUpdate) or
    ``unchanged``; ``started`` and ``restarted`` say whether the network was
    (re)started; ``plan`` is the plan that was carried out.
    """

    name: str
    action: Literal["created", "redefined", "updated", "unchanged"]
    started: bool = False
    restarted: bool = False
    plan: NetworkPlan | None = attrs.field(default=None, eq=False, repr=False)
    #: running guests whose interfaces could not be put back on the restarted
    #: network's bridge: the driver changes no device live (libvirt's test driver)
    unreconnected: tuple[str, ...] = attrs.field(default=(), eq=False, repr=False)


StepKind = Literal["define", "start", "update", "redefine", "restart", "reconnect", "autostart"]


@attrs.frozen
class PlanStep:
    """One step of a :class:`NetworkPlan`.

    ``kind`` is ``define``, ``start``, ``update`` (a networkUpdate call:
    ``update`` holds its section, command and fragment; ``live`` and
    ``config`` say what it changes), ``redefine``, ``restart`` (stop, take
    the new definition, start: guests lose their link), ``reconnect`` (put
    the guests' interfaces back on the restarted network's bridge) or
    ``autostart``. ``disruptive`` steps disconnect guests.
    """

    kind: StepKind
    description: str
    update: Update | None = None
    live: bool = False
    config: bool = False
    disruptive: bool = False
    autostart: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "description": self.description,
            "disruptive": self.disruptive,
        }
        if self.update is not None:
            out.update(
                section=self.update.section,
                command=self.update.command,
                parent_index=self.update.parent_index,
                fragment=self.update.fragment.to_xml().strip(),
                live=self.live,
                config=self.config,
            )
        if self.autostart is not None:
            out["autostart"] = self.autostart
        return out


@attrs.frozen
class _Seen:
    """What a plan was computed from; :meth:`Connection.apply` checks it is still so."""

    exists: bool
    active: bool
    persistent_xml: str | None
    live_xml: str | None
    autostart: bool | None


@attrs.frozen
class NetworkPlan:
    """What must happen for libvirt to have ``desired``: see :meth:`Connection.plan_network`.

    ``current`` is the network's persistent definition and ``live`` the
    one it runs with (``None`` when absent or stopped), ``desired`` what
    was asked for, all in libvirt's canonical form, so defaults libvirt
    fills in never show as changes. ``pending_restart``: after this plan, the
    running network still differs from its definition, because a restart is
    needed and was not allowed.
    """

    name: str
    desired: Network
    current: Network | None
    live: Network | None
    steps: tuple[PlanStep, ...]
    affected_domains: tuple[str, ...] = ()
    pending_restart: bool = False
    seen: _Seen | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def changed(self) -> bool:
        """Whether carrying out the plan changes anything."""
        return bool(self.steps)

    @property
    def disruptive(self) -> bool:
        """Whether some step disconnects the network's guests."""
        return any(step.disruptive for step in self.steps)

    def diff(self) -> str:
        """A unified diff of the current and the desired definition (canonical XML)."""
        before = self.current.to_xml() if self.current is not None else ""
        return "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                self.desired.to_xml().splitlines(keepends=True),
                f"{self.name} (current)",
                f"{self.name} (desired)",
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain values (JSON-ready)."""
        return {
            "network": self.name,
            "changed": self.changed,
            "disruptive": self.disruptive,
            "pending_restart": self.pending_restart,
            "affected_domains": list(self.affected_domains),
            "steps": [step.to_dict() for step in self.steps],
            "diff": self.diff(),
        }

    def __str__(self) -> str:
        if not self.steps:
            head = f"network {self.name!r}: nothing to change"
        else:
            how = "disruptive" if self.disruptive else "no guest loses its link"
            head = f"network {self.name!r}: {len(self.steps)} step(s), {how}"
        lines = [head]
        lines += [f"  {i}. {step.kind}: {step.description}" for i, step in enumerate(self.steps, 1)]
        if self.affected_domains:
            lines.append(f"  guests disconnected meanwhile: {', '.join(self.affected_domains)}")
        if self.pending_restart:
            lines.append(
                "  the running network keeps its old definition until it restarts"
                " (allow_restart=True restarts it)"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{i}</td><td>{html.escape(step.kind)}</td>"
            f"<td>{html.escape(step.description)}</td>"
            f"<td>{'yes' if step.disruptive else ''}</td></tr>"
            for i, step in enumerate(self.steps, 1)
        )
        head = html.escape(str(self).splitlines()[0])
        table = (
            "<table><thead><tr><th>#</th><th>step</th><th>what</th><th>disruptive</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>"
            if rows
            else ""
        )
        notes = "".join(
            f"<p>{html.escape(line.strip())}</p>"
            for line in str(self).splitlines()[1 + len(self.steps) :]
        )
        diff = self.diff()
        shown = f"<details><summary>diff</summary><pre>{html.escape(diff)}</pre></details>"
        return f"<p><strong>{head}</strong></p>{table}{notes}{shown if diff else ''}"


@attrs.frozen
class InterfacePlan:
    """What must happen to a domain's NICs: see :meth:`Connection.plan_interfaces`."""

    domain: str
    steps: tuple[NicStep, ...]
    seen: tuple[str | None, str | None] = attrs.field(default=(None, None), repr=False, eq=False)

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    @property
    def disruptive(self) -> bool:
        """Whether a NIC is unplugged from the running guest."""
        return any(step.kind == "detach" and step.live for step in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "changed": self.changed,
            "steps": [
                {
                    "kind": step.kind,
                    "mac": step.mac,
                    "live": step.live,
                    "config": step.config,
                    "interface": step.interface.to_xml().strip(),
                }
                for step in self.steps
            ],
        }

    def __str__(self) -> str:
        if not self.steps:
            return f"domain {self.domain!r}: nothing to change"
        lines = [f"domain {self.domain!r}: {len(self.steps)} step(s)"]
        lines += [f"  {i}. {step.describe()}" for i, step in enumerate(self.steps, 1)]
        return "\n".join(lines)


@attrs.frozen
class InterfaceResult:
    """What :meth:`Connection.apply` did to a domain's NICs.

    ``pending`` lists the MACs of NICs the running guest was asked to release
    and had not released when the wait ended (``detach_timeout``): the guest
    decides (it must acknowledge the unplug), so they are reported, never
    assumed gone; a NIC to be plugged in anew after one of them was not.
    """

    domain: str
    done: tuple[str, ...]
    pending: tuple[str, ...] = ()


class LibvirtTooOldError(Error):
    """The host's libvirt (or, for a plan, this machine's libvirt library,
    which reads it in libvirt's canonical form) is older than a feature the
    document uses; nothing was sent. ``problems`` are the E601/E602
    findings, ``version`` the release that is too old."""

    def __init__(self, what: str, version: Version, problems: list[Problem]) -> None:
        self.version = version
        self.problems = problems
        said = "; ".join(f"{p.code} {p.path}: {p.message}" for p in problems)
        super().__init__(f"{what}: libvirt {version_text(version)}: {said}")


class StalePlanError(Error):
    """The network changed after the plan was made; plan again."""


class ApplyError(LibvirtError):
    """A step of a plan failed; the steps done before it were undone.

    ``step`` is the step that failed, ``restored`` what was put back (in the
    order it was done) and ``restore_error`` the error that stopped the
    undoing, if one did.
    """

    def __init__(
        self,
        failure: LibvirtError,
        step: PlanStep,
        restored: list[str],
        restore_error: LibvirtError | None,
    ) -> None:
        self.step = step
        self.restored = restored
        self.restore_error = restore_error
        if restore_error is not None:
            note = f"; restoring the previous state failed too: {restore_error}"
        elif restored:
            note = f"; restored: {'; '.join(restored)}"
        else:
            note = "; nothing had been changed"
        super().__init__(
            failure.operation,
            failure.target,
            failure.code,
            failure.libvirt_message,
            f" (step: {step.kind}: {step.description}){note}",
        )


@attrs.frozen
class DhcpLease:
    """One DHCP lease handed out on a libvirt network."""

    mac: str | None
    ip: IPAddress
    prefix: int
    hostname: str | None
    client_id: str | None
    iaid: str | None
    expiry: datetime.datetime
    interface: str
    family: Literal["ipv4", "ipv6"]


def _inactive_xml(obj: Any, name: str) -> str:
    """The persistent definition; drivers without the INACTIVE flag give their only XML."""
    try:
        xml: str = obj.XMLDesc(_lv.VIR_NETWORK_XML_INACTIVE)
    except _lv.libvirtError as exc:
        if exc.get_error_code() != _lv.VIR_ERR_INVALID_ARG:
            raise LibvirtError(
                "read network", name, exc.get_error_code(), exc.get_error_message()
            ) from exc
        xml = _wrap("read network", name, obj.XMLDesc, 0)
    return xml


# ---------------------------------------------------------------- canonical form

_scratch = threading.local()


def _scratch_conn() -> Any:
    """This thread's embedded test-driver connection, where libvirt's parser
    fills in defaults. One per thread: a definition made there to be read
    back must not meet another thread's of the same name."""
    conn = getattr(_scratch, "conn", None)
    if conn is None:
        fd, path = tempfile.mkstemp(prefix="virtnetlib-node-", suffix=".xml")
        with os.fdopen(fd, "w") as fh:
            fh.write("<node/>\n")
        try:
            conn = _scratch.conn = _wrap(
                "open libvirt's test driver", path, _lv.open, f"test://{path}"
            )
        finally:
            os.unlink(path)
    return conn


def _canonical(net: Network) -> Network:
    """``net`` as libvirt's network parser would store it (defaults filled in)."""
    obj = _wrap("check network", net.name, _scratch_conn().networkDefineXML, net.to_xml())
    try:
        return Network.from_xml(_inactive_xml(obj, net.name), strict=False)
    finally:
        _wrap("check network (undefine)", net.name, obj.undefine)


def _settled(desired: Network, current: Network | None) -> Network:
    """``desired`` in libvirt's canonical form, keeping what libvirt invented
    for ``current`` where the caller left it open (uuid, bridge MAC, bridge
    name): leaving them out is not a wish to change them."""
    canon = _canonical(desired)
    if current is None:
        return canon
    changes: dict[str, Any] = {}
    if desired.uuid is None:
        changes["uuid"] = current.uuid
    if desired.mac is None:
        changes["mac"] = current.mac
    if (desired.bridge is None or desired.bridge.name is None) and canon.bridge is not None:
        name = current.bridge.name if current.bridge is not None else None
        changes["bridge"] = attrs.evolve(canon.bridge, name=name)
    return attrs.evolve(canon, **changes)


def _same(a: Network | None, b: Network | None) -> bool:
    return a is not None and b is not None and comparable(a) == comparable(b)


def _update_step(update: Update, *, live: bool, config: bool) -> PlanStep:
    where = " and ".join(w for w, on in (("live", live), ("config", config)) if on)
    return PlanStep(
        "update", f"{update.describe()} [{where}]", update=update, live=live, config=config
    )


# ---------------------------------------------------------------- connection


def _name(value: Any, what: str = "network name") -> str:
    return expect_str(value, what, nonempty=True)


def _both() -> NoReturn:
    raise UsageError("give a connection or a URI, not both")


class Connection:
    """A libvirt connection with model-level operations.

    Pass an existing ``libvirt.virConnect`` or a URI (``qemu:///system``,
    ``test:///default``, ``qemu+ssh://host/system``). Use as a context
    manager to close a connection it opened.
    """

    def __init__(self, conn: Any = None, *, uri: str | None = None, read_only: bool = False):
        if isinstance(conn, str):
            conn, uri = None, conn if uri is None else _both()
        if conn is not None and uri is not None:
            _both()
        if uri is not None:
            expect_str(uri, "uri", nonempty=True)
        if conn is not None and not callable(getattr(conn, "getURI", None)):
            raise UsageError(
                f"expected a libvirt.virConnect or a URI such as 'qemu:///system', "
                f"got {type(conn).__name__}"
            )
        if conn is None:
            opener = _lv.openReadOnly if read_only else _lv.open
            conn = _wrap("connect to", uri or "(default URI)", opener, uri)
            self._owned = True
        else:
            self._owned = False
        self.raw = conn
        self.uri: str = _wrap("get URI of", None, conn.getURI)

    def close(self) -> None:
        """Close the connection if this object opened it."""
        if self._owned:
            self.raw.close()
            self._owned = False

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @functools.cached_property
    def libvirt_version(self) -> Version:
        """The release of the libvirt this connection talks to (``getLibVersion``)."""
        return parse_version(_wrap("read libvirt version of", None, self.raw.getLibVersion))

    @staticmethod
    def _domain_type(dom: Any) -> str | None:
        """A domain's ``type=`` (``kvm``), which decides the QEMU driver's minima."""
        xml = _wrap("read domain", dom.name(), dom.XMLDesc, _lv.VIR_DOMAIN_XML_INACTIVE)
        kind: str | None = parse_document(xml).get("type")
        return kind

    def _supported(
        self, model: Model, what: str, domain_type: str | None = None, *, canonical: bool = False
    ) -> None:
        """Refuse, before libvirt is touched, what this host's libvirt cannot take.

        ``canonical``: the model is also read through this machine's libvirt
        library (a plan's canonical form comes from its test driver), which
        would drop what it is too old to know, with a remote host newer.
        """
        root = parse_document(model.to_xml())
        kind = "network" if isinstance(model, Network) else "interface"
        problems = version_problems(root, kind, self.libvirt_version, domain_type)
        if problems:
            raise LibvirtTooOldError(what, self.libvirt_version, problems)
        local = parse_version(_lv.getVersion())
        problems = version_problems(root, kind, local, domain_type) if canonical else []
        if problems:
            raise LibvirtTooOldError(
                f"{what} (in libvirt's canonical form, read by this machine's libvirt "
                "library, which is older than the host's)",
                local,
                problems,
            )

    # ------------------------------------------------------------ networks

    def _network(self, name: str) -> Any:
        return _wrap("look up network", name, self.raw.networkLookupByName, _name(name))

    def _state(self, obj: Any) -> NetworkState:
        name = obj.name()
        xml = _inactive_xml(obj, name)
        active = bool(_wrap("read state of network", name, obj.isActive))
        persistent = bool(_wrap("read persistence of network", name, obj.isPersistent))
        network = Network.from_xml(xml, strict=False)
        pending = False
        if active and persistent:
            live = Network.from_xml(_wrap("read network", name, obj.XMLDesc, 0), strict=False)
            pending = not _same(live, network)
        return NetworkState(
            network=network,
            active=active,
            autostart=bool(_wrap("read autostart of network", name, obj.autostart)),
            persistent=persistent,
            pending_restart=pending,
        )

    def networks(self) -> ModelList[NetworkState]:
        """Every network, active and inactive, with its state (one table in a notebook)."""
        objs = _wrap("list networks", None, self.raw.listAllNetworks, 0)
        return ModelList(sorted((self._state(o) for o in objs), key=lambda s: s.name))

    def network(self, name: str) -> NetworkState:
        """One network by name."""
        return self._state(self._network(name))

    def has_network(self, name: str) -> bool:
        try:
            self.raw.networkLookupByName(_name(name))
        except _lv.libvirtError as exc:
            if exc.get_error_code() == _lv.VIR_ERR_NO_NETWORK:
                return False
            raise LibvirtError(
                "look up network", name, exc.get_error_code(), exc.get_error_message()
            ) from exc
        return True

    def define_network(self, net: Network) -> NetworkState:
        """Define (or redefine) ``net`` persistently; it is not started."""
        net = expect_model(net, Network, "define_network")
        self._supported(net, f"define network {net.name!r}")
        obj = _wrap("define network", net.name, self.raw.networkDefineXML, net.to_xml())
        return self._state(obj)

    def start_network(self, name: str) -> None:
        _wrap("start network", name, self._network(name).create)

    def stop_network(self, name: str) -> None:
        """Stop (libvirt: destroy) a running network; its definition stays."""
        _wrap("stop network", name, self._network(name).destroy)

    def undefine_network(self, name: str) -> None:
        _wrap("undefine network", name, self._network(name).undefine)

    def set_autostart(self, name: str, autostart: bool) -> None:
        _wrap("set autostart of network", name, self._network(name).setAutostart, int(autostart))

    # ------------------------------------------------------------ plans

    def _seen(self, name: str) -> tuple[_Seen, Any]:
        """The network's state as a plan sees it, and its libvirt object."""
        try:
            obj = self.raw.networkLookupByName(name)
        except _lv.libvirtError as exc:
            if exc.get_error_code() == _lv.VIR_ERR_NO_NETWORK:
                return _Seen(False, False, None, None, None), None
            raise LibvirtError(
                "look up network", name, exc.get_error_code(), exc.get_error_message()
            ) from exc
        active = bool(_wrap("read state of network", name, obj.isActive))
        persistent = bool(_wrap("read persistence of network", name, obj.isPersistent))
        live_xml = _wrap("read network", name, obj.XMLDesc, 0) if active else None
        persistent_xml = _inactive_xml(obj, name) if persistent else None
        autostart = bool(_wrap("read autostart of network", name, obj.autostart))
        return _Seen(True, active, persistent_xml, live_xml, autostart), obj

    def plan_network(
        self,
        net: Network,
        *,
        start: bool = True,
        allow_restart: bool = False,
        autostart: bool | None = None,
        live: bool = True,
    ) -> NetworkPlan:
        """What must happen for libvirt to have ``net``, changing nothing yet.

        The desired network is compared with the persistent and the live
        definition in libvirt's canonical form (libvirt's own parser fills
        in the defaults, and what libvirt chose for this network — uuid,
        bridge MAC, bridge name — is kept unless ``net`` says otherwise).
        Differences libvirt can make to a running network become
        networkUpdate steps; anything else redefines the network, and a
        running one also needs a restart, which disconnects its guests: it
        is planned only with ``allow_restart`` (the guests' interfaces are
        then put back on the bridge), otherwise the plan says the change
        waits for the next start (``pending_restart``). ``start`` starts a
        stopped network; ``autostart`` sets the flag when not ``None``.
        ``live=False`` leaves a running network as it runs: only its
        persistent definition changes, effective at its next start
        (``pending_restart``); ``allow_restart`` is then not taken.
        """
        net = expect_model(net, Network, "plan_network")
        self._supported(net, f"plan network {net.name!r}", canonical=True)
        if not isinstance(live, bool):
            raise UsageError(f"live: expected True or False, got {live!r}")
        live_changes = live
        name = net.name
        seen, _ = self._seen(name)
        steps: list[PlanStep] = []
        current: Network | None = None
        running: Network | None = None
        pending = False
        if not seen.exists:
            desired = _settled(net, None)
            steps.append(PlanStep("define", "define the network"))
            if start:
                steps.append(PlanStep("start", "start the network"))
        else:
            if seen.persistent_xml is not None:
                current = Network.from_xml(seen.persistent_xml, strict=False)
            if seen.live_xml is not None:
                running = Network.from_xml(seen.live_xml, strict=False)
            desired = _settled(net, current or running)
            steps, pending = self._change_steps(
                current, running, desired, start, allow_restart, live_changes=live_changes
            )
        if autostart is not None and autostart != bool(seen.autostart):
            word = "on" if autostart else "off"
            steps.append(PlanStep("autostart", f"turn autostart {word}", autostart=autostart))
        plan = NetworkPlan(name, desired, current, running, tuple(steps), (), pending, seen)
        if plan.disruptive:
            plan = attrs.evolve(plan, affected_domains=tuple(sorted(self._guests(plan))))
        return plan

    @staticmethod
    def _change_steps(
        current: Network | None,
        live: Network | None,
        desired: Network,
        start: bool,
        allow_restart: bool,
        *,
        live_changes: bool = True,
    ) -> tuple[list[PlanStep], bool]:
        """Steps that turn an existing network into ``desired``, and whether a
        restart is still pending after them."""
        steps: list[PlanStep] = []
        if live is None:  # stopped: nothing runs, redefining disturbs no one
            if current is not None and not _same(current, desired):
                steps.append(PlanStep("redefine", "redefine the network"))
            if start:
                steps.append(PlanStep("start", "start the network"))
            return steps, False
        if not live_changes:  # the running network is left as it runs
            if current is None or not _same(current, desired):
                config = None if current is None else _update_steps(current, desired)
                if config is None:
                    steps.append(
                        PlanStep("redefine", "redefine the network (effective at next start)")
                    )
                else:
                    steps += [_update_step(u, live=False, config=True) for u in config]
            return steps, not _same(live, desired)
        live_updates = None if _same(live, desired) else _update_steps(live, desired)
        needs_restart = not _same(live, desired) and live_updates is None
        if needs_restart and allow_restart:
            what = "stop, redefine and start the network" if current else "stop and recreate"
            steps.append(PlanStep("restart", f"{what} (guests lose their link)", disruptive=True))
            steps.append(
                PlanStep("reconnect", "put the guests' interfaces back on the network's bridge")
            )
            return steps, False
        config_updates = (
            None if current is None or _same(current, desired) else _update_steps(current, desired)
        )
        if live_updates and config_updates == live_updates:
            steps += [_update_step(u, live=True, config=True) for u in live_updates]
            return steps, False
        if current is not None and not _same(current, desired):
            if config_updates is None:
                steps.append(PlanStep("redefine", "redefine the network (effective at next start)"))
            else:
                steps += [_update_step(u, live=False, config=True) for u in config_updates]
        if live_updates:
            steps += [_update_step(u, live=True, config=False) for u in live_updates]
        return steps, needs_restart

    def _guests(self, plan: NetworkPlan) -> list[str]:
        """Running domains with an interface on the network (or on its bridge)."""
        bridge = plan.live.bridge.name if plan.live and plan.live.bridge else None
        return [
            dom.name()
            for dom in _wrap("list domains", None, self.raw.listAllDomains, _LIST_ACTIVE)
            if _plugged(_wrap("read domain", dom.name(), dom.XMLDesc, 0), plan.name, bridge)
        ]

    def plan_interfaces(
        self,
        domain: Any,
        desired: list[Interface],
        *,
        absent: list[str] | tuple[str, ...] = (),
        live: bool = True,
        config: bool = True,
    ) -> InterfacePlan:
        """What must happen for a domain to have the ``desired`` NICs, matched by MAC.

        A NIC whose MAC the domain lacks is plugged in; one it has gets the
        fields ``desired`` sets (the others stay as libvirt has them). On the
        running guest (``live``) libvirt changes the link state, bandwidth,
        filter, VLAN, coalescing, port isolation and source network or bridge
        in place (``qemuDomainChangeNet``); any other change unplugs the NIC
        and plugs the new one in. ``config`` changes the persistent
        definition. MACs in ``absent`` are unplugged. Nothing changes yet.
        """
        dom = self._domain(domain)
        name = dom.name()
        if not isinstance(desired, (list, tuple)):
            raise UsageError(f"desired: expected a list of Interface models, got {desired!r}")
        for nic in desired:
            expect_model(nic, Interface, "plan_interfaces")
            if nic.mac_address is None:
                raise UsageError(
                    "plan_interfaces matches NICs by MAC: give each desired interface a <mac>"
                )
        for mac in absent:
            expect_str(mac, "absent MAC address", nonempty=True)
        kind = self._domain_type(dom)
        for nic in desired:
            self._supported(nic, f"plan interfaces of domain {name!r}", kind)
        if not live and not config:
            raise UsageError("affect the live domain, its config, or both")
        active = bool(_wrap("read state of domain", name, dom.isActive))
        live_xml = _wrap("read domain", name, dom.XMLDesc, 0) if live and active else None
        config_xml = (
            _wrap("read domain", name, dom.XMLDesc, _lv.VIR_DOMAIN_XML_INACTIVE) if config else None
        )
        steps: list[NicStep] = []
        for xml, on_live in ((live_xml, True), (config_xml, False)):
            if xml is not None:
                nics = _domain_interfaces(xml, strict=False)
                steps += nic_steps(nics, desired, list(absent), live=on_live)
        return InterfacePlan(name, tuple(_merged(steps)), (live_xml, config_xml))

    def _apply_interfaces(
        self,
        plan: InterfacePlan,
        progress: Callable[[Any], None] | None,
        detach_timeout: float,
    ) -> InterfaceResult:
        dom = self._domain(plan.domain)
        name = plan.domain
        live_xml, config_xml = plan.seen
        now = (
            _wrap("read domain", name, dom.XMLDesc, 0) if live_xml is not None else None,
            _wrap("read domain", name, dom.XMLDesc, _lv.VIR_DOMAIN_XML_INACTIVE)
            if config_xml is not None
            else None,
        )
        if now != plan.seen:
            raise StalePlanError(f"domain {name!r} changed after the plan was made; plan again")
        done: list[str] = []
        pending: list[str] = []
        for step in plan.steps:
            if step.mac in pending and step.live:
                continue  # its old NIC is still plugged in: plugging the new one would clash
            if progress is not None:
                progress(step)
            flags = self._flags(step.live, step.config)
            call = {
                "attach": dom.attachDeviceFlags,
                "update": dom.updateDeviceFlags,
                "detach": dom.detachDeviceFlags,
            }[step.kind]
            _wrap(f"{step.kind} interface of domain", name, call, step.interface.to_xml(), flags)
            if (
                step.kind == "detach"
                and step.live
                and not self._released(dom, step.mac, detach_timeout)
            ):
                pending.append(step.mac)
                continue
            done.append(step.describe())
        return InterfaceResult(name, tuple(done), tuple(pending))

    @staticmethod
    def _released(dom: Any, mac: str, timeout: float) -> bool:
        """Whether the running guest let go of the NIC within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            xml = _wrap("read domain", dom.name(), dom.XMLDesc, 0)
            macs = {(n.mac_address or "").lower() for n in _domain_interfaces(xml, strict=False)}
            if mac not in macs:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    @overload
    def apply(
        self, plan: NetworkPlan, *, progress: Callable[[Any], None] | None = None
    ) -> ApplyResult: ...

    @overload
    def apply(
        self,
        plan: InterfacePlan,
        *,
        progress: Callable[[Any], None] | None = None,
        detach_timeout: float = 10.0,
    ) -> InterfaceResult: ...

    def apply(
        self,
        plan: NetworkPlan | InterfacePlan,
        *,
        progress: Callable[[Any], None] | None = None,
        detach_timeout: float = 10.0,
    ) -> ApplyResult | InterfaceResult:
        """Carry out ``plan``, step by step.

        The plan must still describe the network: if it changed since the
        plan was made, :class:`StalePlanError` (plan again). If a step
        fails, the steps done are undone in reverse and :class:`ApplyError`
        names the failed step and what was restored. ``progress`` is called
        with each step before it is carried out.

        An :class:`InterfacePlan` is carried out the same way; a NIC the
        running guest does not release within ``detach_timeout`` seconds is
        reported in :attr:`InterfaceResult.pending`.
        """
        if isinstance(plan, InterfacePlan):
            return self._apply_interfaces(
                plan, progress, expect_seconds(detach_timeout, "detach_timeout")
            )
        if not isinstance(plan, NetworkPlan):
            raise UsageError(
                f"apply: expected a NetworkPlan or an InterfacePlan, got {type(plan).__name__}"
            )
        name = plan.name
        seen, obj = self._seen(name)
        if plan.seen is not None and seen != plan.seen:
            raise StalePlanError(
                f"network {name!r} changed after the plan was made; make a new plan"
            )
        undo: list[tuple[str, Callable[[], None]]] = []
        left: list[str] = []
        for step in plan.steps:
            if progress is not None:
                progress(step)
            try:
                obj = self._do(step, plan, seen, obj, undo=undo, left=left)
            except LibvirtError as exc:
                raise self._undone(exc, step, undo) from exc
        return attrs.evolve(_result(plan), unreconnected=tuple(left))

    def _do(
        self,
        step: PlanStep,
        plan: NetworkPlan,
        seen: _Seen,
        obj: Any,
        *,
        undo: list[tuple[str, Callable[[], None]]],
        left: list[str],
    ) -> Any:
        """Carry out one step; record how to undo it, and in ``left`` the guests
        a reconnect could not reach. Returns the network object."""
        name = plan.name
        desired_xml = plan.desired.to_xml()
        kind = step.kind
        if kind == "define":
            obj = _wrap("define network", name, self.raw.networkDefineXML, desired_xml)
            new = obj
            undo.append(
                (
                    "the new definition was removed again",
                    lambda: _wrap("undefine network", name, new.undefine),
                )
            )
        elif kind == "start":
            _wrap("start network", name, obj.create)
            started = obj
            undo.append(
                (
                    "the network was stopped again",
                    lambda: _wrap("stop network", name, started.destroy),
                )
            )
        elif kind == "redefine":
            _wrap("redefine network", name, self.raw.networkDefineXML, desired_xml)
            previous = seen.persistent_xml
            assert previous is not None
            undo.append(
                (
                    "the previous definition was restored",
                    lambda: _wrap("restore network", name, self.raw.networkDefineXML, previous),
                )
            )
        elif kind == "update":
            assert step.update is not None
            if not any(what == _UPDATES_UNDONE for what, _ in undo):
                # undone as a whole: libvirt adds only at an end, so putting
                # back a deleted entry where it was takes a new set of updates
                undo.append((_UPDATES_UNDONE, lambda: self._restore_entries(name, seen)))
            self._update(obj, name, step.update, live=step.live, config=step.config)
        elif kind == "restart":
            obj = self._restart(obj, plan, seen, undo)
        elif kind == "reconnect":
            left.extend(self._reconnect(plan))
        elif kind == "autostart":
            assert step.autostart is not None
            _wrap("set autostart of network", name, obj.setAutostart, int(step.autostart))
            before, target = bool(seen.autostart), obj
            undo.append(
                (
                    "autostart was set back",
                    lambda: _wrap(
                        "set autostart of network", name, target.setAutostart, int(before)
                    ),
                )
            )
        return obj

    def _restart(
        self, obj: Any, plan: NetworkPlan, seen: _Seen, undo: list[tuple[str, Callable[[], None]]]
    ) -> Any:
        """Stop the network, give it the desired definition, start it.

        Stopped first, then defined: a driver that keeps a running network's
        new definition aside (libvirt's test driver drops it) gets it too.
        """
        name = plan.name
        desired_xml = plan.desired.to_xml()
        live_xml, persistent_xml = seen.live_xml, seen.persistent_xml
        assert live_xml is not None

        def back() -> None:  # the exact previous live and persistent definitions
            target = self._network(name) if self.has_network(name) else None
            if target is not None and _wrap("read state of network", name, target.isActive):
                _wrap("stop network", name, target.destroy)
            if persistent_xml is None:  # transient: it existed only while running
                _wrap("restart previous network", name, self.raw.networkCreateXML, live_xml)
                return
            target = _wrap("restore network", name, self.raw.networkDefineXML, live_xml)
            _wrap("restart previous network", name, target.create)
            _wrap("restore network", name, self.raw.networkDefineXML, persistent_xml)
            self._reconnect(plan)

        _wrap("stop network", name, obj.destroy)
        what = "definition" if persistent_xml is not None else "transient network"
        undo.append((f"the previous {what} was restored", back))
        if persistent_xml is None:
            return _wrap("start network", name, self.raw.networkCreateXML, desired_xml)
        obj = _wrap("redefine network", name, self.raw.networkDefineXML, desired_xml)
        _wrap("start network", name, obj.create)
        return obj

    def _reconnect(self, plan: NetworkPlan) -> list[str]:
        """Put running guests' interfaces back on the network's (new) bridge;
        the guests a driver cannot change live (it has no device updates:
        libvirt's test driver) are returned, not reconnected.

        A restarted network has a new bridge device: the guests' taps are no
        longer on it. libvirt re-plugs a tap when an interface changes between
        ``type='network'`` and ``type='bridge'`` (``qemuDomainChangeNet``), so
        each interface is changed to the other type on the same bridge and
        back, live: the guest sees no device change.
        """
        name = plan.name
        obj = self._network(name)
        live = Network.from_xml(_wrap("read network", name, obj.XMLDesc, 0), strict=False)
        bridge = live.bridge.name if live.bridge else None
        if bridge is None:
            return []
        old = plan.live.bridge.name if plan.live and plan.live.bridge else None
        left: list[str] = []
        for dom in _wrap("list domains", None, self.raw.listAllDomains, _LIST_ACTIVE):
            xml = _wrap("read domain", dom.name(), dom.XMLDesc, 0)
            for element in _plugged(xml, name, old or bridge):
                for flipped in _replugged(element, name, bridge):
                    try:
                        dom.updateDeviceFlags(flipped, _lv.VIR_DOMAIN_AFFECT_LIVE)
                    except _lv.libvirtError as exc:
                        if exc.get_error_code() != _lv.VIR_ERR_NO_SUPPORT:
                            raise LibvirtError(
                                "reconnect interface of domain",
                                dom.name(),
                                exc.get_error_code(),
                                exc.get_error_message() or str(exc),
                            ) from exc
                        left.append(dom.name())
                        break
        return sorted(set(left))

    def _undone(
        self, failure: LibvirtError, step: PlanStep, undo: list[tuple[str, Callable[[], None]]]
    ) -> ApplyError:
        restored: list[str] = []
        for what, action in reversed(undo):
            try:
                action()
            except LibvirtError as exc:
                return ApplyError(failure, step, restored, exc)
            restored.append(what)
        return ApplyError(failure, step, restored, None)

    def _restore_entries(self, name: str, seen: _Seen) -> None:
        """Put the network's updatable lists back as ``seen`` had them, live and persistent."""
        now, obj = self._seen(name)
        sides = []
        if seen.live_xml is not None and now.live_xml is not None:
            sides.append((now.live_xml, seen.live_xml, True, False))
        if seen.persistent_xml is not None and now.persistent_xml is not None:
            sides.append((now.persistent_xml, seen.persistent_xml, False, True))
        for now_xml, then_xml, live, config in sides:
            then = Network.from_xml(then_xml, strict=False)
            back = _update_steps(Network.from_xml(now_xml, strict=False), then)
            if back is None:  # pragma: no cover - updates change only updatable parts
                raise LibvirtError("restore network", name, None, "not restorable by updates")
            for update in back:
                self._update(obj, name, update, live=live, config=config)

    def _update(self, obj: Any, name: str, update: Update, *, live: bool, config: bool) -> None:
        flags = (_lv.VIR_NETWORK_UPDATE_AFFECT_LIVE if live else 0) | (
            _lv.VIR_NETWORK_UPDATE_AFFECT_CONFIG if config else 0
        )
        _wrap(
            f"update network ({update.command} {update.section})",
            name,
            obj.update,
            _COMMANDS[update.command],
            _SECTION_NUMBERS[update.section],
            update.parent_index,
            update.fragment.to_xml(),
            flags,
        )

    def apply_network(
        self,
        net: Network,
        *,
        start: bool = True,
        restart: bool = False,
        autostart: bool | None = None,
    ) -> ApplyResult:
        """Make libvirt have ``net``: :meth:`plan_network`, then :meth:`apply`.

        ``restart`` allows restarting a running network for a change
        libvirt cannot make live. Applying the same network again makes no
        changing libvirt call.
        """
        plan = self.plan_network(net, start=start, allow_restart=restart, autostart=autostart)
        return self.apply(plan)

    def update_network(
        self,
        name: str,
        fragment: Model,
        *,
        command: UpdateCommand = "add",
        parent_index: int = -1,
        live: bool = True,
        config: bool = True,
    ) -> None:
        """Change a network in place through libvirt's networkUpdate.

        ``fragment`` is a :class:`~virtnetlib.DhcpHost`, ``DhcpRange``,
        ``DnsHost``, ``DnsTxt``, ``DnsSrv``, ``PortGroup`` or
        ``ForwardInterface``; ``parent_index`` picks the ``<ip>`` for DHCP
        fragments (-1: the first that fits). ``live`` changes the running
        network, ``config`` the persistent definition.
        """
        section = SECTION_OF.get(type(fragment))
        if section is None:
            kinds = ", ".join(c.__name__ for c in SECTION_OF)
            raise UsageError(f"networkUpdate takes {kinds}, not {type(fragment).__name__}")
        if not isinstance(command, str) or command not in _COMMANDS:
            raise UsageError(f"command must be one of {', '.join(_COMMANDS)}, not {command!r}")
        if (
            isinstance(parent_index, bool)
            or not isinstance(parent_index, int)
            or not -1 <= parent_index <= _C_INT_MAX
        ):
            raise UsageError(
                f"parent_index: expected an int from -1 (the first <ip> that fits) to "
                f"{_C_INT_MAX}, got {parent_index!r}"
            )
        flags = (_lv.VIR_NETWORK_UPDATE_AFFECT_LIVE if live else 0) | (
            _lv.VIR_NETWORK_UPDATE_AFFECT_CONFIG if config else 0
        )
        xml = fragment.to_xml()
        _wrap(
            f"update network ({command} {type(fragment).__name__})",
            name,
            self._network(name).update,
            _COMMANDS[command],
            _SECTION_NUMBERS[section],
            parent_index,
            xml,
            flags,
        )

    def leases(self, name: str, mac: str | None = None) -> ModelList[DhcpLease]:
        """The DHCP leases of a running network (optionally of one MAC)."""
        raw = _wrap("read leases of network", name, self._network(name).DHCPLeases, mac)
        return ModelList(_lease(entry) for entry in raw)

    # ------------------------------------------------------------ domains

    def _domain(self, domain: Any) -> Any:
        if isinstance(domain, str):
            return _wrap("look up domain", domain, self.raw.lookupByName, _name(domain, "domain"))
        if not callable(getattr(domain, "XMLDesc", None)):
            raise UsageError(
                f"domain: expected a name or a libvirt.virDomain, got {type(domain).__name__}"
            )
        return domain

    def domain(self, domain: Any, *, inactive: bool = False) -> Guest:
        """A domain's definition (live unless ``inactive``) as a :class:`~virtnetlib.Guest`:
        its type, boot order and NICs typed, everything else kept verbatim."""
        dom = self._domain(domain)
        flags = _lv.VIR_DOMAIN_XML_INACTIVE if inactive else 0
        xml = _wrap("read domain", dom.name(), dom.XMLDesc, flags)
        return Guest.from_xml(xml, strict=False)

    def domain_interfaces(self, domain: Any, *, inactive: bool = False) -> ModelList[Interface]:
        """A domain's interfaces as models (live XML unless ``inactive``)."""
        dom = self._domain(domain)
        flags = _lv.VIR_DOMAIN_XML_INACTIVE if inactive else 0
        xml = _wrap("read domain", dom.name(), dom.XMLDesc, flags)
        return ModelList(_domain_interfaces(xml, strict=False))

    @staticmethod
    def _flags(live: bool, config: bool) -> int:
        if not live and not config:
            raise UsageError("affect the live domain, its config, or both")
        return (_lv.VIR_DOMAIN_AFFECT_LIVE if live else 0) | (
            _lv.VIR_DOMAIN_AFFECT_CONFIG if config else 0
        )

    def attach_interface(
        self, domain: Any, iface: Interface, *, live: bool = True, config: bool = False
    ) -> None:
        """Add ``iface`` to a domain (``virsh attach-interface … --live --config``)."""
        iface = expect_model(iface, Interface, "attach_interface")
        dom = self._domain(domain)
        self._supported(iface, f"attach interface to domain {dom.name()!r}", self._domain_type(dom))
        _wrap(
            "attach interface to domain",
            dom.name(),
            dom.attachDeviceFlags,
            iface.to_xml(),
            self._flags(live, config),
        )

    def detach_interface(
        self, domain: Any, which: Interface | str, *, live: bool = True, config: bool = False
    ) -> None:
        """Remove an interface, given as a model or by MAC address."""
        dom = self._domain(domain)
        if isinstance(which, str):
            matches = [
                i
                for i in self.domain_interfaces(dom, inactive=not live)
                if i.mac_address is not None and i.mac_address.lower() == which.lower()
            ]
            if not matches:
                raise Error(f"domain {dom.name()!r} has no interface with MAC address {which}")
            which = matches[0]
        which = expect_model(which, Interface, "detach_interface")
        _wrap(
            "detach interface from domain",
            dom.name(),
            dom.detachDeviceFlags,
            which.to_xml(),
            self._flags(live, config),
        )

    def update_interface(
        self, domain: Any, iface: Interface, *, live: bool = True, config: bool = False
    ) -> None:
        """Change an interface in place: link state, bandwidth (matched by MAC)."""
        iface = expect_model(iface, Interface, "update_interface")
        dom = self._domain(domain)
        self._supported(iface, f"update interface of domain {dom.name()!r}", self._domain_type(dom))
        _wrap(
            "update interface of domain",
            dom.name(),
            dom.updateDeviceFlags,
            iface.to_xml(),
            self._flags(live, config),
        )

    def iter_networks(self) -> Iterator[Network]:
        """Just the network models."""
        for state in self.networks():
            yield state.network


def _lease(entry: dict[str, Any]) -> DhcpLease:
    family = "ipv6" if entry.get("type") == _lv.VIR_IP_ADDR_TYPE_IPV6 else "ipv4"
    return DhcpLease(
        mac=entry.get("mac") or None,
        ip=ipaddress.ip_address(entry["ipaddr"]),
        prefix=int(entry.get("prefix") or 0),
        hostname=entry.get("hostname") or None,
        client_id=entry.get("clientid") or None,
        iaid=entry.get("iaid") or None,
        expiry=datetime.datetime.fromtimestamp(int(entry["expirytime"]), tz=datetime.UTC),
        interface=entry.get("iface", ""),
        family=family,  # type: ignore[arg-type]
    )


_LIST_ACTIVE = _lv.VIR_CONNECT_LIST_DOMAINS_ACTIVE
_UPDATES_UNDONE = "the entries changed were put back as they were"


def _plugged(domain_xml: str, network: str, bridge: str | None) -> list[Any]:
    """The ``<interface>`` elements of a domain that sit on ``network`` (or
    directly on its ``bridge``)."""
    root = parse_document(domain_xml)
    found = []
    for el in root.iterfind("devices/interface"):
        source = el.find("source")
        if source is None:
            continue
        kind = el.get("type")
        if (kind == "network" and source.get("network") == network) or (
            kind == "bridge" and bridge is not None and source.get("bridge") == bridge
        ):
            found.append(el)
    return found


def _replugged(element: Any, network: str, bridge: str) -> list[str]:
    """Two live updates that put an interface's tap back on ``bridge``: to the
    other of ``network``/``bridge`` types, then back as it was."""
    original = copy.deepcopy(element)
    source = original.find("source")
    for attr in ("portid", "bridge") if original.get("type") == "network" else ("portid",):
        source.attrib.pop(attr, None)
    flipped = copy.deepcopy(original)
    flipped_source = flipped.find("source")
    flipped_source.attrib.clear()
    if original.get("type") == "network":
        flipped.set("type", "bridge")
        flipped_source.set("bridge", bridge)
    else:
        flipped.set("type", "network")
        flipped_source.set("network", network)
    return [etree.tostring(x, encoding="unicode") for x in (flipped, original)]


def _merged(steps: list[NicStep]) -> list[NicStep]:
    """One call for the live and the config definition where both need the same one."""
    out: list[NicStep] = []
    for step in steps:
        twin = next(
            (
                i
                for i, s in enumerate(out)
                if s.config != step.config
                and (s.kind, s.mac, s.interface.to_xml())
                == (step.kind, step.mac, step.interface.to_xml())
            ),
            None,
        )
        if twin is None:
            out.append(step)
        else:
            out[twin] = attrs.evolve(out[twin], live=True, config=True)
    return out


def _result(plan: NetworkPlan) -> ApplyResult:
    kinds = {step.kind for step in plan.steps}
    action: Literal["created", "redefined", "updated", "unchanged"] = "unchanged"
    if "define" in kinds:
        action = "created"
    elif "redefine" in kinds or ("restart" in kinds and not _same(plan.current, plan.desired)):
        action = "redefined" if plan.current is not None else "unchanged"
    elif any(step.kind == "update" and step.config for step in plan.steps) or "update" in kinds:
        action = "updated"
    return ApplyResult(
        plan.name,
        action,
        started="start" in kinds,
        restarted="restart" in kinds,
        plan=plan,
    )
