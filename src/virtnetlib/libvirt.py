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

import datetime
import ipaddress
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any, Literal, NoReturn, TypeVar

import attrs

from virtnetlib._core.converters import IPAddress
from virtnetlib._core.display import ModelList, yes_no
from virtnetlib._core.errors import Error, UsageError, expect_str
from virtnetlib._core.model import Model, expect_model
from virtnetlib._models.domain import domain_interfaces as _domain_interfaces
from virtnetlib._models.interface import Interface
from virtnetlib._models.network import (
    DhcpHost,
    DhcpRange,
    DnsHost,
    DnsSrv,
    DnsTxt,
    ForwardInterface,
    Network,
    PortGroup,
)

try:
    import libvirt as _lv
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "virtnetlib.libvirt needs libvirt-python: pip install 'virtnetlib[libvirt]' "
        "(it builds against the libvirt-dev and pkg-config packages)"
    ) from exc

__all__ = [
    "ApplyResult",
    "Connection",
    "DhcpLease",
    "LibvirtError",
    "NetworkState",
    "UpdateCommand",
]

T = TypeVar("T")

# libvirt-python prints every error to stderr unless a handler is registered;
# this layer raises each one as a LibvirtError instead, so the print is noise.
_lv.registerErrorHandler(lambda _ctx, _err: None, None)

UpdateCommand = Literal["add", "add-first", "modify", "delete"]
"""What ``update_network`` does with a fragment."""

_COMMANDS = {
    "add": _lv.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
    "add-first": _lv.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST,
    "modify": _lv.VIR_NETWORK_UPDATE_COMMAND_MODIFY,
    "delete": _lv.VIR_NETWORK_UPDATE_COMMAND_DELETE,
}
_SECTIONS: dict[type[Model], int] = {
    DhcpHost: _lv.VIR_NETWORK_SECTION_IP_DHCP_HOST,
    DhcpRange: _lv.VIR_NETWORK_SECTION_IP_DHCP_RANGE,
    DnsHost: _lv.VIR_NETWORK_SECTION_DNS_HOST,
    DnsTxt: _lv.VIR_NETWORK_SECTION_DNS_TXT,
    DnsSrv: _lv.VIR_NETWORK_SECTION_DNS_SRV,
    PortGroup: _lv.VIR_NETWORK_SECTION_PORTGROUP,
    ForwardInterface: _lv.VIR_NETWORK_SECTION_FORWARD_INTERFACE,
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
    """A network as libvirt has it: its (inactive) definition and its state."""

    network: Network
    active: bool
    autostart: bool
    persistent: bool

    @property
    def name(self) -> str:
        return self.network.name

    def __summary_row__(self) -> dict[str, str]:
        """The network's row in a notebook table, with its state."""
        return {
            **self.network.__summary_row__(),
            "active": yes_no(self.active),
            "autostart": yes_no(self.autostart),
        }


@attrs.frozen
class ApplyResult:
    """What :meth:`Connection.apply_network` did.

    ``action`` is ``created``, ``redefined`` or ``unchanged``; ``started``
    and ``restarted`` say whether the network was (re)started.
    """

    name: str
    action: Literal["created", "redefined", "unchanged"]
    started: bool = False
    restarted: bool = False


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


def _same_definition(current: Network, desired: Network) -> bool:
    """Whether libvirt already has ``desired``, ignoring what libvirt invents
    when the caller leaves it open (uuid, bridge MAC, bridge name)."""
    canon = _canonical(desired)
    changes: dict[str, Any] = {"uuid": current.uuid}
    if desired.mac is None:
        changes["mac"] = current.mac
    if (desired.bridge is None or desired.bridge.name is None) and canon.bridge is not None:
        name = current.bridge.name if current.bridge is not None else None
        changes["bridge"] = attrs.evolve(canon.bridge, name=name)
    return attrs.evolve(canon, **changes) == current


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

    # ------------------------------------------------------------ networks

    def _network(self, name: str) -> Any:
        return _wrap("look up network", name, self.raw.networkLookupByName, _name(name))

    def _state(self, obj: Any) -> NetworkState:
        name = obj.name()
        xml = _inactive_xml(obj, name)
        return NetworkState(
            network=Network.from_xml(xml, strict=False),
            active=bool(_wrap("read state of network", name, obj.isActive)),
            autostart=bool(_wrap("read autostart of network", name, obj.autostart)),
            persistent=bool(_wrap("read persistence of network", name, obj.isPersistent)),
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

    def apply_network(
        self,
        net: Network,
        *,
        start: bool = True,
        restart: bool = False,
        autostart: bool | None = None,
    ) -> ApplyResult:
        """Make libvirt have ``net``: create it, redefine it, or leave it alone.

        ``start`` starts it if it is not running; ``restart`` restarts a
        running network whose definition changed, so the change takes
        effect. If starting fails, what this call defined is undone — a new
        network is undefined again, a redefined one gets its previous
        definition back — and the error says so.
        """
        net = expect_model(net, Network, "apply_network")
        name = net.name
        if not self.has_network(name):
            obj = _wrap("define network", name, self.raw.networkDefineXML, net.to_xml())
            started = False
            if start:
                try:
                    _wrap("start network", name, obj.create)
                except LibvirtError as exc:
                    _wrap("undefine network", name, obj.undefine)
                    raise LibvirtError(
                        exc.operation,
                        name,
                        exc.code,
                        exc.libvirt_message,
                        "; the new definition was removed again",
                    ) from exc
                started = True
            self._autostart(name, autostart)
            return ApplyResult(name, "created", started=started)

        obj = self._network(name)
        current = self._state(obj)
        # what to put back if starting fails: the persistent definition, or
        # for a transient network the one it runs with
        previous_xml = (
            current.network.to_xml()
            if current.persistent
            else _wrap("read network", name, obj.XMLDesc, 0)
        )
        desired = net if net.uuid is not None else attrs.evolve(net, uuid=current.network.uuid)
        action: Literal["redefined", "unchanged"] = "unchanged"
        if not _same_definition(current.network, desired):
            _wrap("redefine network", name, self.raw.networkDefineXML, desired.to_xml())
            action = "redefined"
        started = restarted = False
        try:
            if current.active and restart and action == "redefined":
                _wrap("stop network", name, obj.destroy)
                _wrap("start network", name, obj.create)
                restarted = True
            elif not current.active and start:
                _wrap("start network", name, obj.create)
                started = True
        except LibvirtError as exc:
            if action == "redefined":
                raise self._restored(exc, name, current, previous_xml) from exc
            raise
        self._autostart(name, autostart)
        return ApplyResult(name, action, started=started, restarted=restarted)

    def _restored(
        self, failure: LibvirtError, name: str, before: NetworkState, previous_xml: str
    ) -> LibvirtError:
        """Put a network back as it was before a redefinition whose start failed;
        the error to raise says what failed and what was, or could not be, restored."""
        try:
            if before.persistent:
                _wrap("restore network", name, self.raw.networkDefineXML, previous_xml)
            obj = self._network(name)
            running = bool(_wrap("read state of network", name, obj.isActive))
            if not before.persistent:
                # the redefinition made a transient network persistent
                _wrap("make network transient again", name, obj.undefine)
                if before.active and not running:
                    _wrap("restart previous network", name, self.raw.networkCreateXML, previous_xml)
            elif before.active and not running:
                _wrap("restart previous network", name, obj.create)
        except LibvirtError as restore:
            return LibvirtError(
                failure.operation,
                name,
                failure.code,
                failure.libvirt_message,
                f"; restoring the previous state failed too: {restore}",
            )
        what = "definition" if before.persistent else "transient network"
        return LibvirtError(
            failure.operation,
            name,
            failure.code,
            failure.libvirt_message,
            f"; the previous {what} was restored",
        )

    def _autostart(self, name: str, autostart: bool | None) -> None:
        if autostart is not None:
            self.set_autostart(name, autostart)

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
        section = _SECTIONS.get(type(fragment))
        if section is None:
            kinds = ", ".join(c.__name__ for c in _SECTIONS)
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
            section,
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
