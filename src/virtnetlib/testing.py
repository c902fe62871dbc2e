"""Hypothesis strategies for every virtnetlib model.

Downstream tools can fuzz with valid documents::

    from hypothesis import given
    from virtnetlib.testing import networks

    @given(networks())
    def test_my_tool(net): ...

Generated models serialize to XML that libvirt 11.3's RelaxNG schemas
accept, and ``type(m).from_xml(m.to_xml()) == m`` holds for each. Requires
the ``hypothesis`` package (the ``dev`` extra).

Every strategy is derived from the models' field declarations by
:func:`models`, so a field added to a model is generated without anyone
remembering to: closed value sets come from the field's ``Literal`` type,
numbers from its converter's bounds, children from their own classes. What
the declarations cannot say is written here once, each entry with the
constraint of libvirt it encodes:

- ``_VALUES``: values libvirt's schema takes narrower than the converter
  does (a drive controller has two digits), or free text;
- ``_REQUIRED``: fields a whole document needs but the model leaves optional
  (update fragments and live XML may go without them);
- the strategies registered with ``@_constrains``: classes whose fields
  constrain one another (a route's prefix fits its address family, a
  forward mode decides which children the forward takes).
"""

from __future__ import annotations

import functools
import ipaddress
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import strategies as st

from virtnetlib._core import fields as f
from virtnetlib._core.converters import (
    Bool,
    Conv,
    Enum,
    Int,
    IPAddr,
    IPAddress,
    Mac,
    Text,
    UUIDConv,
)
from virtnetlib._core.errors import UsageError
from virtnetlib._core.model import Model, _plan_of
from virtnetlib._models import address as a
from virtnetlib._models import common as c
from virtnetlib._models import hostinterface as h
from virtnetlib._models import interface as i
from virtnetlib._models import network as n

__all__ = [
    "abs_paths",
    "bandwidths",
    "bond_host_interfaces",
    "bridge_host_interfaces",
    "device_addresses",
    "dhcp_hosts",
    "dhcp_ranges",
    "dns_hosts",
    "dns_srvs",
    "dns_txts",
    "dnses",
    "ethernet_host_interfaces",
    "forwards",
    "host_interfaces",
    "interface_ips",
    "interfaces",
    "ipv4_addresses",
    "ipv6_addresses",
    "mac_addresses",
    "models",
    "names",
    "net_drivers",
    "network_ips",
    "networks",
    "pci_addresses",
    "port_forward_ranges",
    "port_forwards",
    "portgroups",
    "protocols",
    "routes",
    "virtualports",
    "vlan_host_interfaces",
    "vlans",
]

M = TypeVar("M", bound=Model)
S = TypeVar("S", bound=Callable[..., st.SearchStrategy[Any]])

# ---------------------------------------------------------------- values

_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
_PATH_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_."


def names(max_size: int = 15) -> st.SearchStrategy[str]:
    """Names valid as libvirt ``dnsName``, ``deviceName`` and ``zoneName`` alike."""
    return st.text(_NAME_CHARS, min_size=1, max_size=max_size)


def free_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Text that exercises escaping: quotes, ampersands, angle brackets, non-ASCII."""
    return st.text(
        st.characters(
            codec="utf-8",
            exclude_categories=("Cs", "Cc"),
            include_characters="&<>'\" \t",
        ),
        min_size=1,
        max_size=max_size,
    ).filter(lambda s: s.strip() == s and "\n" not in s)


def abs_paths() -> st.SearchStrategy[str]:
    """Absolute file paths (libvirt's ``absFilePath``)."""
    return st.lists(st.text(_PATH_CHARS, min_size=1, max_size=8), min_size=1, max_size=3).map(
        lambda parts: "/" + "/".join(parts)
    )


def ipv4_addresses() -> st.SearchStrategy[ipaddress.IPv4Address]:
    """Any IPv4 address."""
    return st.builds(ipaddress.IPv4Address, st.integers(0, 2**32 - 1))


def ipv6_addresses() -> st.SearchStrategy[ipaddress.IPv6Address]:
    """Any IPv6 address (without a scope)."""
    return st.builds(ipaddress.IPv6Address, st.integers(0, 2**128 - 1))


def ip_addresses() -> st.SearchStrategy[IPAddress]:
    """IPv4 and IPv6 addresses."""
    return st.one_of(ipv4_addresses(), ipv6_addresses())


def mac_addresses(unicast: bool = True) -> st.SearchStrategy[str]:
    """MAC addresses; unicast ones have the multicast bit clear, as libvirt requires."""

    def fmt(octets: list[int]) -> str:
        if unicast:
            octets[0] &= 0xFE
        return ":".join(f"{o:02x}" for o in octets)

    return st.lists(st.integers(0, 255), min_size=6, max_size=6).map(fmt)


def uuids() -> st.SearchStrategy[uuid.UUID]:
    """Any UUID."""
    return st.uuids()


def duids() -> st.SearchStrategy[str]:
    """DUID-UUID identifiers (type 4), one of the forms libvirt's schema takes."""
    return st.lists(st.integers(0, 255), min_size=16, max_size=16).map(
        lambda b: "00:04:" + ":".join(f"{x:02x}" for x in b)
    )


def _foreign_elements() -> st.SearchStrategy[str]:
    """One element of an application's namespace, as ``<metadata>`` holds them."""
    return st.tuples(names(5), free_text()).map(
        lambda p: (
            f'<app:x{p[0]} xmlns:app="http://example.org/app">'
            + p[1].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            + f"</app:x{p[0]}>"
        )
    )


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


# The address families by their name in the models' ``family`` fields.
_FAMILIES: dict[str, tuple[Callable[[], st.SearchStrategy[Any]], int]] = {
    "ipv4": (ipv4_addresses, 32),
    "ipv6": (ipv6_addresses, 128),
}


def _addresses(family: str) -> st.SearchStrategy[Any]:
    return _FAMILIES[family][0]()


def _prefixes(family: str) -> st.SearchStrategy[int]:
    return st.integers(0, _FAMILIES[family][1])


def _netmasks() -> st.SearchStrategy[ipaddress.IPv4Address]:
    """IPv4 netmasks: ones, then zeros (libvirt refuses any other)."""
    return st.integers(0, 32).map(lambda p: ipaddress.IPv4Network(f"0.0.0.0/{p}").netmask)


# ---------------------------------------------------------------- derivation

#: Items in a generated list of repeated elements: enough for order and
#: pairs to matter, few enough to keep documents quick to check.
_LIST_SIZE = 2

_LIST_KINDS = (f._CHILDREN, f._TEXT_CHILDREN, f._RAW)


def models(cls: type[M], /, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[M]:
    """Instances of any model class, derived from its field declarations.

    Each field gets values its converter accepts and libvirt's schema
    takes: a closed set's values, numbers within the converter's bounds,
    addresses, MACs, UUIDs, names. An optional field is sometimes ``None``,
    a repeated one a short list; a child element is drawn the same way, a
    ``type=`` union as any of its classes. A class with one subclass per
    ``type`` (``Interface``, ``HostInterface``) gives instances of each.

    Keyword arguments replace the strategy of those fields::

        models(Network, forward=st.none(), name=st.just("default"))

    Without them, a class whose fields constrain one another (a route's
    prefix and its address family) is drawn from its named strategy here
    (:func:`routes`); with them, keeping those fields consistent is the
    caller's part.
    """
    variants = _variants(cls)
    if variants:
        known = {name for v in variants for name in _specs(v)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise UsageError(f"models({cls.__name__}): no field {', '.join(unknown)}")
        each: list[st.SearchStrategy[Any]] = [
            models(v, **{k: s for k, s in fields.items() if k in _specs(v)}) for v in variants
        ]
        return st.one_of(each)
    if fields:
        return _derived(cls, **fields)
    return _default(cls)


def _variants(cls: type[Model]) -> list[type[Model]]:
    """The subclasses of a class whose ``type=`` picks its subclass (none for others)."""
    if cls.__xml_variants__ and not cls.__xml_const__:
        return list(cls.__xml_variants__.values())
    return []


def _default(cls: type[M]) -> st.SearchStrategy[M]:
    strategy = _DEFAULTS.get(cls)
    if strategy is None:
        constrained = _CONSTRAINED.get(cls)
        strategy = _DEFAULTS[cls] = constrained() if constrained is not None else _derived(cls)
    return strategy


_DEFAULTS: dict[type, st.SearchStrategy[Any]] = {}


def _derived(cls: type[M], /, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[M]:
    """``cls`` with each field drawn as declared, but for those in ``fields``."""
    specs = _specs(cls)
    unknown = sorted(set(fields) - set(specs))
    if unknown:
        raise UsageError(f"models({cls.__name__}): no field {', '.join(unknown)}")
    return st.builds(
        cls,
        **{
            name: fields[name] if name in fields else _field(cls, spec)
            for name, spec in specs.items()
        },
    )


def _specs(cls: type[Model]) -> dict[str, f._Spec]:
    specs = _SPECS.get(cls)
    if specs is None:
        specs = _SPECS[cls] = {spec.name: spec for spec in _plan_of(cls).fields}
    return specs


_SPECS: dict[type, dict[str, f._Spec]] = {}


def _lookup(table: dict[tuple[type, str], Any], cls: type, name: str) -> Any:
    """The entry of ``cls.name``, or of the base class that declares the field."""
    for klass in cls.__mro__:
        entry = table.get((klass, name))
        if entry is not None:
            return entry
    return None


def _field(cls: type[Model], spec: f._Spec) -> st.SearchStrategy[Any]:
    """The whole value of a field: a list, a value, or ``None`` or a value."""
    item = _value(cls, spec)
    needed = spec.required or _lookup(_REQUIRED, cls, spec.name) is not None
    if spec.kind in _LIST_KINDS:
        return st.lists(item, min_size=1 if needed else 0, max_size=_LIST_SIZE)
    return item if needed else _opt(item)


def _field_of(cls: type[Model], name: str) -> st.SearchStrategy[Any]:
    """A field's strategy as :func:`models` derives it (to keep it beside overrides)."""
    return _field(cls, _specs(cls)[name])


def _present(cls: type[Model], name: str) -> st.SearchStrategy[Any]:
    """A field's values, never ``None`` nor an empty list."""
    spec = _specs(cls)[name]
    item = _value(cls, spec)
    if spec.kind in _LIST_KINDS:
        return st.lists(item, min_size=1, max_size=_LIST_SIZE)
    return item


def _absent(cls: type[Model], name: str) -> st.SearchStrategy[Any]:
    """A field left out: ``None``, or a new empty list."""
    if _specs(cls)[name].kind in _LIST_KINDS:
        return st.builds(list)
    return st.none()


def _value(cls: type[Model], spec: f._Spec) -> st.SearchStrategy[Any]:
    """One value of a field (one item of a list)."""
    given = _lookup(_VALUES, cls, spec.name)
    if given is not None:
        return given  # type: ignore[no-any-return]
    if spec.kind in (f._CHILD, f._CHILDREN):
        return _instances(spec.model)
    if spec.kind == f._RAW:
        return _foreign_elements()
    assert spec.conv is not None
    return _converted(spec.conv, f"{cls.__name__}.{spec.name}")


def _instances(model: Any) -> st.SearchStrategy[Any]:
    """Instances of a child declared as ``model``: a class, a ``type=`` union
    (a dict) or the classes its ``choose`` function picks from (a tuple)."""
    if isinstance(model, dict):
        classes = list(model.values())
    elif isinstance(model, tuple):
        classes = list(model)
    else:
        classes = [model]
    # deferred: a class may hold itself (a bridge's ports are host interfaces)
    return st.one_of([_later(cls) for cls in classes])


def _later(cls: type[Model]) -> st.SearchStrategy[Any]:
    return st.deferred(lambda: models(cls))


def _converted(conv: Conv[Any], what: str) -> st.SearchStrategy[Any]:
    """Values a converter accepts."""
    if isinstance(conv, Bool):
        return st.booleans()
    if isinstance(conv, Enum):
        return st.sampled_from(conv.values)
    if isinstance(conv, Int):  # HexInt too
        return st.integers(conv.lo, conv.hi)
    if isinstance(conv, IPAddr):
        if conv.version is None:
            return ip_addresses()
        return ipv4_addresses() if conv.version == 4 else ipv6_addresses()
    if isinstance(conv, Mac):
        return mac_addresses()
    if isinstance(conv, UUIDConv):
        return uuids()
    if isinstance(conv, Text):
        return names()
    if conv.pytype is float:  # a host bridge's delay in seconds
        return st.floats(min_value=0.0, allow_nan=False, allow_infinity=False).filter(
            lambda v: conv.check(v) is None
        )
    raise UsageError(
        f"virtnetlib.testing: no strategy for {type(conv).__name__}, the converter of "
        f"{what}; add one to _converted or the field to _VALUES"
    )


def _values(cls: type[Model], name: str) -> tuple[str, ...]:
    """The closed set of a field (its ``Literal`` type)."""
    conv = _specs(cls)[name].conv
    if not isinstance(conv, Enum):
        raise UsageError(f"{cls.__name__}.{name} is not a closed set")
    return conv.values


def _either(
    cls: type[M], /, *forms: dict[str, st.SearchStrategy[Any]], **fields: st.SearchStrategy[Any]
) -> st.SearchStrategy[M]:
    """``cls`` in one of several forms: the fields one form gives, as it gives
    them; those only other forms give, left out; the rest as ``fields`` or
    derived."""
    named = {name for form in forms for name in form}
    shapes = []
    for form in forms:
        left_out = {name: _absent(cls, name) for name in named - form.keys()}
        shapes.append(_derived(cls, **{**left_out, **form, **fields}))
    return st.one_of(shapes)


def _in_order(obj: Any) -> Any:
    """``obj`` with ``start <= end``: libvirt refuses a range the wrong way round."""
    if obj.end < obj.start:
        obj.start, obj.end = obj.end, obj.start
    return obj


#: Classes whose fields constrain one another → the strategy that keeps them consistent.
_CONSTRAINED: dict[type, Callable[[], st.SearchStrategy[Any]]] = {}


def _constrains(cls: type[Model]) -> Callable[[S], S]:
    """Register the decorated strategy as the one :func:`models` draws ``cls`` from."""

    def register(strategy: S) -> S:
        _CONSTRAINED[cls] = strategy
        return strategy

    return register


# ---------------------------------------------------------------- what the declarations cannot say

#: Values of fields whose schema type is narrower than their converter (or
#: is free text), by (class declaring the field, field name).
_VALUES: dict[tuple[type, str], st.SearchStrategy[Any]] = {
    # free text: exercises escaping where libvirt takes any text
    (n.Network, "title"): free_text(),
    (n.Network, "description"): free_text(),
    (n.DnsTxt, "value"): free_text(),
    (n.DnsmasqOption, "value"): free_text(),
    # absFilePath
    (n.Tftp, "root"): abs_paths(),
    (i.Script, "path"): abs_paths(),
    (i.Backend, "tap"): abs_paths(),
    (i.Backend, "vhost"): abs_paths(),
    (i.Backend, "log_file"): abs_paths(),
    (i.Rom, "file"): abs_paths(),
    (i.VdpaSource, "dev"): abs_paths(),
    (i.VhostUserSource, "path"): abs_paths(),
    # libvirt knows only trunk='yes'
    (c.Vlan, "trunk"): st.just(True),
    # a DHCP host's id is a DUID
    (n.DhcpHost, "id"): duids(),
    # nwfilter names are NCNames (a letter first); parameters have their own patterns
    (i.FilterRef, "filter"): names().map(lambda s: "f" + s),
    (i.FilterParameter, "name"): st.text(_NAME_CHARS.replace("-", "_"), min_size=1, max_size=8),
    (i.FilterParameter, "value"): st.text(
        "abcdefghijklmnopqrstuvwxyz0123456789_.:", min_size=1, max_size=8
    ),
    # libvirt's parser keeps only user aliases, which start with ua-
    (i.Alias, "name"): names().map(lambda s: "ua-" + s),
    # s390 loadparm: up to 8 of A-Z, 0-9 and "."
    (i.Boot, "loadparm"): st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.", min_size=1, max_size=8),
    # virtualPortProfileID: at most 39 characters
    (c.VirtualPortParameters, "profileid"): st.text(_NAME_CHARS, min_size=1, max_size=39),
    # libvirt refuses zPCI uid 0 ("must be > 0x0000")
    (c.ZPci, "uid"): st.integers(1, 0xFFFF),
    # drive, virtio-serial and CCID numbers have at most two digits, a drive unit five
    (a.DriveAddress, "controller"): st.integers(0, 99),
    (a.DriveAddress, "bus"): st.integers(0, 99),
    (a.DriveAddress, "target"): st.integers(0, 99),
    (a.DriveAddress, "unit"): st.integers(0, 99_999),
    (a.VirtioSerialAddress, "controller"): st.integers(0, 99),
    (a.VirtioSerialAddress, "bus"): st.integers(0, 99),
    (a.VirtioSerialAddress, "port"): st.integers(0, 99),
    (a.CcidAddress, "controller"): st.integers(0, 99),
    (a.CcidAddress, "slot"): st.integers(0, 99),
    # USB numbers are written in decimal; the schema takes three digits
    (a.UsbAddress, "bus"): st.integers(0, 999),
    (i.UsbDeviceAddress, "bus"): st.integers(0, 999),
    (i.UsbDeviceAddress, "device"): st.integers(0, 999),
    (i.UsbBusAddress, "bus"): st.integers(0, 999),
    (i.UsbBusAddress, "device"): st.integers(0, 999),
    # a USB port is a dotted hub path of up to four numbers
    (a.UsbAddress, "port"): st.lists(st.integers(1, 999), min_size=1, max_size=4).map(
        lambda p: ".".join(map(str, p))
    ),
    # a host NIC reports whatever MAC it has, multicast bit or not
    (h.EthernetHostInterface, "mac"): st.deferred(
        lambda: models(c.MacAddress, address=mac_addresses(unicast=False))
    ),
    # the address a guest sees, of any bus type (defined below: called late)
    (i.Interface, "address"): st.deferred(lambda: device_addresses()),  # noqa: PLW0108
}

#: Fields a whole document needs that the model leaves optional (a list:
#: at least one item), so that it reads update fragments, live XML and
#: documents that libvirt refuses; each with the rule that needs it.
_REQUIRED: dict[tuple[type, str], str] = {
    (n.DnsHost, "ip"): "network.rng: a DNS host has an ip",
    (n.DnsHost, "hostnames"): "network.rng: a DNS host has one or more hostnames",
    (n.DnsSrv, "service"): "network.rng: an SRV record has a service",
    (n.DnsSrv, "protocol"): "network.rng: an SRV record has a protocol",
    (n.DhcpHost, "ip"): "network.rng: a DHCP host has an ip",
    (c.Vlan, "tags"): "a <vlan> has one or more tags",
    (a.VirtioSerialAddress, "controller"): "domaincommon.rng: the address has a controller",
    (a.CcidAddress, "controller"): "domaincommon.rng: the address has a controller",
    (a.UsbAddress, "bus"): "domaincommon.rng: a USB port address has a bus",
    (i.UdpSource, "local"): "domaincommon.rng: a UDP tunnel has its <local> end",
    (h.HostVlan, "interface"): "interface.rng: a VLAN names its parent device",
    (h.HostBond, "interfaces"): "interface.rng: a bond has one or more NICs",
    (h.VlanHostInterface, "name"): "libvirt's parser (not its schema) needs a VLAN's name",
}


# ---------------------------------------------------------------- common elements


def pci_addresses() -> st.SearchStrategy[c.PciAddress]:
    """A host's PCI addresses (a hostdev's source)."""
    return models(c.PciAddress)


@_constrains(c.PciAddress)
def _host_pci_addresses() -> st.SearchStrategy[c.PciAddress]:
    # <zpci> belongs to the address a guest sees, not to a host device's
    return _derived(c.PciAddress, zpci=st.none())


def vlans() -> st.SearchStrategy[c.Vlan]:
    """``<vlan>`` with one or more tags."""
    return models(c.Vlan)


def bandwidths() -> st.SearchStrategy[c.Bandwidth]:
    """``<bandwidth>`` limits."""
    return models(c.Bandwidth)


# Which <parameters> each virtualport type takes; an untyped virtualport (in
# a network or portgroup, merged with the interface's) may give any.
_VIRTUALPORT_PARAMETERS: dict[str | None, tuple[str, ...]] = {
    "802.1Qbg": ("managerid", "typeid", "typeidversion", "instanceid"),
    "802.1Qbh": ("profileid",),
    "openvswitch": ("profileid", "interfaceid"),
    "midonet": ("interfaceid",),
    None: ("managerid", "typeid", "typeidversion", "instanceid", "profileid", "interfaceid"),
}
# A MidoNet port is named by its interfaceid: parameters and it are required.
_VIRTUALPORT_NEEDS: dict[str | None, str] = {"midonet": "interfaceid"}


@_constrains(c.VirtualPort)
def virtualports() -> st.SearchStrategy[c.VirtualPort]:
    """A virtualport of each type with only the parameters its type allows."""
    every = set(_specs(c.VirtualPortParameters))
    forms = []
    for vtype in (None, *_values(c.VirtualPort, "type")):
        allowed = _VIRTUALPORT_PARAMETERS[vtype]  # a new type needs its parameters listed
        params: dict[str, st.SearchStrategy[Any]] = {p: st.none() for p in every - set(allowed)}
        needs = _VIRTUALPORT_NEEDS.get(vtype)
        if needs:
            params[needs] = _present(c.VirtualPortParameters, needs)
        parameters = _derived(c.VirtualPortParameters, **params)
        forms.append(
            _derived(
                c.VirtualPort,
                type=st.just(vtype),
                parameters=parameters if needs else _opt(parameters),
            )
        )
    return st.one_of(forms)


def _masked(cls: type[M], family: str, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[M]:
    """``cls`` of one address family: ``family`` says it or is left out, and
    the mask is a prefix that fits it, an IPv4 netmask, or left to libvirt."""
    forms: list[dict[str, st.SearchStrategy[Any]]] = [{}, {"prefix": _prefixes(family)}]
    if family == "ipv4":
        forms.append({"netmask": _netmasks()})
    else:
        fields = {"netmask": st.none(), **fields}
    return _either(cls, *forms, family=_opt(st.just(family)), **fields)


@_constrains(c.Route)
def routes() -> st.SearchStrategy[c.Route]:
    """Static routes: address, gateway and mask all of one address family."""
    return st.one_of(
        [
            _masked(c.Route, family, address=_addresses(family), gateway=_addresses(family))
            for family in _values(c.Route, "family")
        ]
    )


# ---------------------------------------------------------------- networks


@_constrains(n.NatAddressRange)
def _nat_addresses() -> st.SearchStrategy[n.NatAddressRange]:
    return _derived(n.NatAddressRange).map(_in_order)


@_constrains(n.NatPortRange)
def _nat_ports() -> st.SearchStrategy[n.NatPortRange]:
    return _derived(n.NatPortRange).map(_in_order)


@_constrains(n.ForwardAddress)
def _pool_addresses() -> st.SearchStrategy[n.ForwardAddress]:
    # a pool lists a host's PCI devices: no <zpci>, which network.rng refuses
    return _derived(n.ForwardAddress, zpci=st.none())


@_constrains(n.Forward)
def forwards() -> st.SearchStrategy[n.Forward]:
    """``<forward>`` of every mode, each with the children libvirt takes for it."""
    modes = _values(n.Forward, "mode")
    assert {"nat", "hostdev"} <= set(modes)
    forms = []
    for mode in (None, *modes):
        # <nat> only for mode nat (which no mode means); a hostdev network's
        # pool lists PCI addresses, every other mode's lists interfaces (the
        # schema takes one kind of pool either way)
        pool = "addresses" if mode == "hostdev" else "interfaces"
        forms.append(
            {
                "mode": st.just(mode),
                "nat": _field_of(n.Forward, "nat") if mode in (None, "nat") else st.none(),
                pool: _field_of(n.Forward, pool),
            }
        )
    return _either(n.Forward, *forms)


def _dhcp_ranges(addresses: st.SearchStrategy[Any]) -> st.SearchStrategy[n.DhcpRange]:
    return _derived(n.DhcpRange, start=addresses, end=addresses).map(_in_order)


@_constrains(n.DhcpRange)
def dhcp_ranges() -> st.SearchStrategy[n.DhcpRange]:
    """DHCP ranges: start and end of one family, in order."""
    return st.one_of([_dhcp_ranges(_addresses(family)) for family in _FAMILIES])


def _dhcp_hosts(addresses: st.SearchStrategy[Any]) -> st.SearchStrategy[n.DhcpHost]:
    # a host is matched by its MAC or its DUID, with or without a name, or by name alone
    return _either(
        n.DhcpHost,
        {"mac": _present(n.DhcpHost, "mac"), "name": _field_of(n.DhcpHost, "name")},
        {"id": _present(n.DhcpHost, "id"), "name": _field_of(n.DhcpHost, "name")},
        {"name": _present(n.DhcpHost, "name")},
        ip=addresses,
    )


@_constrains(n.DhcpHost)
def dhcp_hosts() -> st.SearchStrategy[n.DhcpHost]:
    """Static DHCP hosts, matched by MAC, DUID or name."""
    return _dhcp_hosts(ip_addresses())


@_constrains(n.NetworkIP)
def network_ips() -> st.SearchStrategy[n.NetworkIP]:
    """A network's ``<ip>``: the family decides the address and its mask, and
    DHCP ranges and hosts lie in the subnet they give."""
    forms = []
    for family in _values(n.NetworkIP, "family"):
        anywhere = _addresses(family)
        dhcp = _derived(
            n.Dhcp,
            ranges=st.lists(_dhcp_ranges(anywhere), max_size=_LIST_SIZE),
            hosts=st.lists(_dhcp_hosts(anywhere), max_size=_LIST_SIZE),
        )
        ip = _masked(n.NetworkIP, family, address=anywhere, dhcp=_opt(dhcp))
        forms.append(ip.map(_dhcp_in_subnet))
    return st.one_of(forms)


def _dhcp_in_subnet(ip: n.NetworkIP) -> n.NetworkIP:
    """``ip`` with its DHCP addresses moved into its subnet (keeping their offset)."""
    subnet = ip.network  # None for an IPv4 class D or E address without a mask
    if ip.dhcp is None or subnet is None:
        return ip
    base, size = int(subnet.network_address), subnet.num_addresses
    kind = type(subnet.network_address)
    for rng in ip.dhcp.ranges:
        rng.start = kind(base + int(rng.start) % size)
        rng.end = kind(base + int(rng.end) % size)
        _in_order(rng)
    for host in ip.dhcp.hosts:
        assert host.ip is not None
        host.ip = kind(base + int(host.ip) % size)
    return ip


def dns_txts() -> st.SearchStrategy[n.DnsTxt]:
    """DNS TXT records."""
    return models(n.DnsTxt)


def dns_srvs() -> st.SearchStrategy[n.DnsSrv]:
    """DNS SRV records."""
    return models(n.DnsSrv)


def dns_hosts() -> st.SearchStrategy[n.DnsHost]:
    """DNS host records."""
    return models(n.DnsHost)


def dnses() -> st.SearchStrategy[n.Dns]:
    """A network's ``<dns>``."""
    return models(n.Dns)


def portgroups() -> st.SearchStrategy[n.PortGroup]:
    """A network's ``<portgroup>``."""
    return models(n.PortGroup)


def leases() -> st.SearchStrategy[n.Lease]:
    """DHCP lease times."""
    return models(n.Lease)


def metadata() -> st.SearchStrategy[n.Metadata]:
    """``<metadata>`` with application elements."""
    return models(n.Metadata)


def networks() -> st.SearchStrategy[n.Network]:
    """Whole ``<network>`` documents valid against libvirt 11.3's ``network.rng``."""
    return models(n.Network)


# ---------------------------------------------------------------- interfaces


def device_addresses() -> st.SearchStrategy[Any]:
    """Device addresses of every bus type, within libvirt's schema ranges."""
    # the address a guest sees: its PCI form may carry s390 <zpci> ids
    guest_pci = _derived(c.PciAddress, zpci=_field_of(c.PciAddress, "zpci"))
    union: dict[Any, type[Model]] = _specs(i.Interface)["address"].model
    return st.one_of([guest_pci if cls is c.PciAddress else models(cls) for cls in union.values()])


@_constrains(a.CcwAddress)
def _ccw_addresses() -> st.SearchStrategy[a.CcwAddress]:
    # cssid, ssid and devno come together or not at all
    return _either(
        a.CcwAddress,
        {},
        {name: _present(a.CcwAddress, name) for name in ("cssid", "ssid", "devno")},
    )


@_constrains(i.InterfaceIP)
def interface_ips() -> st.SearchStrategy[i.InterfaceIP]:
    """An interface's ``<ip>``: address, prefix and peer of one family."""
    return st.one_of(
        [
            _derived(
                i.InterfaceIP,
                family=_opt(st.just(family)),
                address=_addresses(family),
                prefix=_opt(_prefixes(family)),
                peer=_opt(_addresses(family)),
            )
            for family in _values(i.InterfaceIP, "family")
        ]
    )


def port_forward_ranges() -> st.SearchStrategy[i.PortForwardRange]:
    """Ranges of a passt ``<portForward>``."""
    return models(i.PortForwardRange)


def port_forwards() -> st.SearchStrategy[i.PortForward]:
    """passt ``<portForward>`` elements."""
    return models(i.PortForward)


def net_drivers() -> st.SearchStrategy[i.NetDriver]:
    """The ``<driver>`` of an emulated NIC."""
    return models(i.NetDriver)


@_constrains(i.Teaming)
def _teamings() -> st.SearchStrategy[i.Teaming]:
    # only the transient member of a failover pair names its persistent one
    types = _values(i.Teaming, "type")
    assert "transient" in types
    return _either(
        i.Teaming,
        *(
            {"type": st.just(t), "persistent": _present(i.Teaming, "persistent")}
            if t == "transient"
            else {"type": st.just(t)}
            for t in types
        ),
    )


@_constrains(i.Reconnect)
def _reconnects() -> st.SearchStrategy[i.Reconnect]:
    # enabled (with a timeout) or, the other form libvirt reads, a delay
    return _either(
        i.Reconnect,
        {"enabled": _present(i.Reconnect, "enabled"), "timeout": _field_of(i.Reconnect, "timeout")},
        {"delay": _present(i.Reconnect, "delay")},
    )


def _attribute_group(cls: type[M], lead: str, *followers: str) -> st.SearchStrategy[M]:
    """``cls`` with an optional attribute group: ``followers`` only beside ``lead``."""
    group = {lead: _present(cls, lead), **{name: _field_of(cls, name) for name in followers}}
    return _either(cls, {}, group)


@_constrains(i.NetworkSource)
def _network_sources() -> st.SearchStrategy[i.NetworkSource]:
    # live XML adds the bridge the network gave; its macTableManager only with it
    return _attribute_group(i.NetworkSource, "bridge", "mac_table_manager")


@_constrains(i.BridgeSource)
def _bridge_sources() -> st.SearchStrategy[i.BridgeSource]:
    # live XML names the network the bridge came from; portgroup and portid only with it
    return _attribute_group(i.BridgeSource, "network", "portgroup", "portid")


@_constrains(i.DirectSource)
def _direct_sources() -> st.SearchStrategy[i.DirectSource]:
    # as for a bridge source
    return _attribute_group(i.DirectSource, "network", "portgroup", "portid")


@_constrains(i.HostdevSource)
def _hostdev_sources() -> st.SearchStrategy[i.HostdevSource]:
    # a PCI or USB bus address alone, or USB vendor and product ids with an
    # optional bus address (the union's untyped form)
    union: dict[Any, type[Model]] = _specs(i.HostdevSource)["address"].model
    return _either(
        i.HostdevSource,
        *({"address": models(union[kind])} for kind in union if kind is not None),
        {
            "vendor": _present(i.HostdevSource, "vendor"),
            "product": _present(i.HostdevSource, "product"),
            "address": _opt(models(union[None])),
        },
    )


@_constrains(i.HostdevInterface)
def _hostdev_interfaces() -> st.SearchStrategy[i.HostdevInterface]:
    # only the hostdev form of <driver>: libvirt refuses the virtio form at
    # define time, and one without attributes of its own reads back as hostdev
    return _derived(i.HostdevInterface, driver=_opt(models(c.HostdevDriver)))


def _socket_peers(cls: type[M]) -> st.SearchStrategy[M]:
    # a client connects to an address, a multicast group is one; a server may listen on all
    source = _derived(i.SocketSource, address=_present(i.SocketSource, "address"))
    return _derived(cls, source=source)


for _peer in (i.ClientInterface, i.McastInterface):
    _CONSTRAINED[_peer] = functools.partial(_socket_peers, _peer)


def interfaces() -> st.SearchStrategy[i.Interface]:
    """Domain interfaces of every type, valid against libvirt 11.3's schema."""
    return models(i.Interface)


# ---------------------------------------------------------------- host interfaces


@functools.cache
def _protocol(family: str) -> st.SearchStrategy[h.HostProtocol]:
    # the family decides the addresses, their prefixes, and whether
    # stateless autoconfiguration (IPv6 only) may be asked for
    address = _addresses(family)
    return _derived(
        h.HostProtocol,
        family=st.just(family),
        autoconf=_field_of(h.HostProtocol, "autoconf") if family == "ipv6" else st.none(),
        ips=st.lists(
            _derived(h.HostIP, address=address, prefix=_opt(_prefixes(family))),
            max_size=_LIST_SIZE,
        ),
        route=_opt(_derived(h.HostRoute, gateway=address)),
    )


@_constrains(h.HostProtocol)
def _any_protocols() -> st.SearchStrategy[h.HostProtocol]:
    # one protocol of either family, as protocols() draws them
    return st.one_of([_protocol(family) for family in _values(h.HostProtocol, "family")])


def protocols() -> st.SearchStrategy[list[h.HostProtocol]]:
    """Zero, one or both address families, each at most once, in either order."""
    families = _values(h.HostProtocol, "family")
    each = st.tuples(*(_opt(_protocol(family)) for family in families))
    order = st.permutations(range(len(families)))
    return st.tuples(each, order).map(lambda p: [p[0][k] for k in p[1] if p[0][k] is not None])


def _host(cls: type[M], top: bool) -> st.SearchStrategy[M]:
    if top:
        # addressing: each family at most once
        return _derived(cls, protocols=protocols())
    # a bridge's or bond's port has only its name, link and MAC: start, mtu
    # and addressing belong to the interface it is part of
    return _derived(cls, start=st.none(), mtu=st.none(), protocols=st.builds(list))


@_constrains(h.EthernetHostInterface)
def ethernet_host_interfaces(top: bool = True) -> st.SearchStrategy[h.EthernetHostInterface]:
    """Physical NICs; ``top=False`` for a bridge's or bond's ports."""
    return _host(h.EthernetHostInterface, top)


@_constrains(h.VlanHostInterface)
def vlan_host_interfaces(top: bool = True) -> st.SearchStrategy[h.VlanHostInterface]:
    """VLAN interfaces; ``top=False`` for a bridge's ports."""
    return _host(h.VlanHostInterface, top)


@_constrains(h.HostBond)
def _bonds() -> st.SearchStrategy[h.HostBond]:
    # one link monitor or none; the bonded NICs are ports
    nics = st.lists(ethernet_host_interfaces(top=False), min_size=1, max_size=_LIST_SIZE)
    return _either(
        h.HostBond,
        {},
        {"miimon": _present(h.HostBond, "miimon")},
        {"arpmon": _present(h.HostBond, "arpmon")},
        interfaces=nics,
    )


@_constrains(h.BondHostInterface)
def bond_host_interfaces(top: bool = True) -> st.SearchStrategy[h.BondHostInterface]:
    """Bonds; ``top=False`` for a bridge's ports."""
    return _host(h.BondHostInterface, top)


@_constrains(h.HostBridge)
def _host_bridges() -> st.SearchStrategy[h.HostBridge]:
    # the ports are NICs, VLANs and bonds as ports: a bridge holds no bridge
    kinds = [v for v in _variants(h.HostInterface) if v is not h.BridgeHostInterface]
    ports = st.one_of([_host(kind, top=False) for kind in kinds])
    return _derived(h.HostBridge, interfaces=st.lists(ports, max_size=_LIST_SIZE))


@_constrains(h.BridgeHostInterface)
def bridge_host_interfaces() -> st.SearchStrategy[h.BridgeHostInterface]:
    """Host bridges with their ports."""
    return _host(h.BridgeHostInterface, top=True)


def host_interfaces() -> st.SearchStrategy[h.HostInterface]:
    """Host interfaces of every type, valid against libvirt 11.3's ``interface.rng``."""
    return models(h.HostInterface)
