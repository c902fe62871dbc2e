"""Hypothesis strategies for every virtnetlib model.

Downstream tools can fuzz with valid documents::

    from hypothesis import given
    from virtnetlib.testing import networks

    @given(networks())
    def test_my_tool(net): ...

Generated models serialize to XML that libvirt 11.3's RelaxNG schemas
accept, and ``type(m).from_xml(m.to_xml()) == m`` holds for each. Requires
the ``hypothesis`` package (the ``dev`` extra).
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from hypothesis import strategies as st

from virtnetlib._core.converters import IPAddress
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

_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"


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


def ipv4_addresses() -> st.SearchStrategy[ipaddress.IPv4Address]:
    return st.builds(ipaddress.IPv4Address, st.integers(0, 2**32 - 1))


def ipv6_addresses() -> st.SearchStrategy[ipaddress.IPv6Address]:
    return st.builds(ipaddress.IPv6Address, st.integers(0, 2**128 - 1))


def ip_addresses() -> st.SearchStrategy[IPAddress]:
    return st.one_of(ipv4_addresses(), ipv6_addresses())


def mac_addresses(unicast: bool = True) -> st.SearchStrategy[str]:
    """MAC addresses; unicast ones have the multicast bit clear, as libvirt requires."""

    def fmt(octets: list[int]) -> str:
        if unicast:
            octets[0] &= 0xFE
        return ":".join(f"{o:02x}" for o in octets)

    return st.lists(st.integers(0, 255), min_size=6, max_size=6).map(fmt)


def uuids() -> st.SearchStrategy[uuid.UUID]:
    return st.uuids()


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def pci_addresses() -> st.SearchStrategy[c.PciAddress]:
    return st.builds(
        c.PciAddress,
        domain=st.integers(0, 0xFFFF),
        bus=st.integers(0, 0xFF),
        slot=st.integers(0, 0x1F),
        function=st.integers(0, 7),
        multifunction=_opt(st.booleans()),
    )


def vlans() -> st.SearchStrategy[c.Vlan]:
    tag = st.builds(
        c.VlanTag,
        id=st.integers(0, 4095),
        native_mode=_opt(st.sampled_from(["tagged", "untagged"])),
    )
    return st.builds(c.Vlan, trunk=_opt(st.just(True)), tags=st.lists(tag, min_size=1, max_size=3))


def _rates() -> st.SearchStrategy[c.BandwidthRate]:
    speed = st.integers(1, 18014398509481984)
    return st.builds(
        c.BandwidthRate,
        average=_opt(speed),
        peak=_opt(speed),
        floor=_opt(speed),
        burst=_opt(st.integers(1, 2**32 - 1)),
    )


def bandwidths() -> st.SearchStrategy[c.Bandwidth]:
    return st.builds(
        c.Bandwidth,
        class_id=_opt(st.integers(1, 2**32)),
        inbound=_opt(_rates()),
        outbound=_opt(_rates()),
    )


def virtualports() -> st.SearchStrategy[c.VirtualPort]:
    """A virtualport of each type with only the parameters its type allows."""
    profile = st.text(_NAME_CHARS, min_size=1, max_size=39)
    qbg = st.builds(
        c.VirtualPortParameters,
        managerid=_opt(st.integers(0, 255)),
        typeid=_opt(st.integers(0, 0xFFFFFF)),
        typeidversion=_opt(st.integers(0, 255)),
        instanceid=_opt(uuids()),
    )
    untyped = st.builds(
        c.VirtualPortParameters,
        managerid=_opt(st.integers(0, 255)),
        typeid=_opt(st.integers(0, 0xFFFFFF)),
        typeidversion=_opt(st.integers(0, 255)),
        instanceid=_opt(uuids()),
        profileid=_opt(profile),
        interfaceid=_opt(uuids()),
    )
    return st.one_of(
        st.builds(c.VirtualPort, type=st.just("802.1Qbg"), parameters=_opt(qbg)),
        st.builds(
            c.VirtualPort,
            type=st.just("802.1Qbh"),
            parameters=_opt(st.builds(c.VirtualPortParameters, profileid=_opt(profile))),
        ),
        st.builds(
            c.VirtualPort,
            type=st.just("openvswitch"),
            parameters=_opt(
                st.builds(
                    c.VirtualPortParameters,
                    profileid=_opt(profile),
                    interfaceid=_opt(uuids()),
                )
            ),
        ),
        st.builds(
            c.VirtualPort,
            type=st.just("midonet"),
            parameters=st.builds(c.VirtualPortParameters, interfaceid=uuids()),
        ),
        st.builds(c.VirtualPort, parameters=_opt(untyped)),
    )


@st.composite
def routes(draw: st.DrawFn) -> c.Route:
    v6 = draw(st.booleans())
    addr: st.SearchStrategy[IPAddress] = ipv6_addresses() if v6 else ipv4_addresses()
    mask = draw(st.sampled_from(["none", "prefix", "netmask"] if not v6 else ["none", "prefix"]))
    return c.Route(
        family=draw(_opt(st.just("ipv6" if v6 else "ipv4"))),
        address=draw(addr),
        prefix=draw(st.integers(0, 128 if v6 else 32)) if mask == "prefix" else None,
        netmask=(
            ipaddress.IPv4Network(f"0.0.0.0/{draw(st.integers(0, 32))}").netmask
            if mask == "netmask"
            else None
        ),
        gateway=draw(addr),
        metric=draw(_opt(st.integers(0, 2**32 - 1))),
    )


def leases() -> st.SearchStrategy[n.Lease]:
    return st.builds(
        n.Lease,
        expiry=st.integers(0, 2**40),
        unit=_opt(st.sampled_from(["seconds", "minutes", "hours"])),
    )


def dhcp_ranges() -> st.SearchStrategy[n.DhcpRange]:
    return st.builds(n.DhcpRange, start=ip_addresses(), end=ip_addresses(), lease=_opt(leases()))


def duids() -> st.SearchStrategy[str]:
    """DUID-UUID identifiers (type 4), one of the forms libvirt's schema takes."""
    return st.lists(st.integers(0, 255), min_size=16, max_size=16).map(
        lambda b: "00:04:" + ":".join(f"{x:02x}" for x in b)
    )


@st.composite
def dhcp_hosts(draw: st.DrawFn) -> n.DhcpHost:
    key = draw(st.sampled_from(["mac", "id", "name"]))
    return n.DhcpHost(
        mac=draw(mac_addresses()) if key == "mac" else None,
        id=draw(duids()) if key == "id" else None,
        name=draw(names()) if key == "name" else draw(_opt(names())),
        ip=draw(ip_addresses()),
        lease=draw(_opt(leases())),
    )


def dns_txts() -> st.SearchStrategy[n.DnsTxt]:
    return st.builds(n.DnsTxt, name=names(), value=free_text())


def dns_srvs() -> st.SearchStrategy[n.DnsSrv]:
    short = st.integers(0, 65535)
    return st.builds(
        n.DnsSrv,
        service=names(),
        protocol=st.sampled_from(["tcp", "udp"]),
        domain=_opt(names()),
        target=_opt(names()),
        port=_opt(short),
        priority=_opt(short),
        weight=_opt(short),
    )


def dns_hosts() -> st.SearchStrategy[n.DnsHost]:
    return st.builds(
        n.DnsHost, ip=ip_addresses(), hostnames=st.lists(names(), min_size=1, max_size=3)
    )


def dnses() -> st.SearchStrategy[n.Dns]:
    return st.builds(
        n.Dns,
        enable=_opt(st.booleans()),
        forward_plain_names=_opt(st.booleans()),
        forwarders=st.lists(
            st.builds(n.DnsForwarder, domain=_opt(names()), addr=_opt(ip_addresses())),
            max_size=2,
        ),
        txts=st.lists(dns_txts(), max_size=2),
        srvs=st.lists(dns_srvs(), max_size=2),
        hosts=st.lists(dns_hosts(), max_size=2),
    )


@st.composite
def network_ips(draw: st.DrawFn) -> n.NetworkIP:
    v6 = draw(st.booleans())
    address: IPAddress = draw(ipv6_addresses()) if v6 else draw(ipv4_addresses())
    mask = draw(st.sampled_from(["none", "prefix"] if v6 else ["none", "prefix", "netmask"]))
    dhcp = draw(
        _opt(
            st.builds(
                n.Dhcp,
                ranges=st.lists(dhcp_ranges(), max_size=2),
                hosts=st.lists(dhcp_hosts(), max_size=2),
                bootp=_opt(st.builds(n.Bootp, file=names(), server=_opt(names()))),
            )
        )
    )
    return n.NetworkIP(
        family=draw(_opt(st.just("ipv6" if v6 else "ipv4"))),
        address=address,
        prefix=draw(st.integers(0, 128 if v6 else 32)) if mask == "prefix" else None,
        netmask=(
            ipaddress.IPv4Network(f"0.0.0.0/{draw(st.integers(0, 32))}").netmask
            if mask == "netmask"
            else None
        ),
        local_ptr=draw(_opt(st.booleans())),
        tftp=draw(_opt(st.builds(n.Tftp, root=st.sampled_from(["/srv/tftp", "/var/lib/tftp"])))),
        dhcp=dhcp,
    )


@st.composite
def forwards(draw: st.DrawFn) -> n.Forward:
    pool = draw(st.sampled_from(["none", "interfaces", "addresses"]))
    nat = draw(
        _opt(
            st.builds(
                n.Nat,
                ipv6=_opt(st.booleans()),
                address=_opt(
                    st.builds(n.NatAddressRange, start=ipv4_addresses(), end=ipv4_addresses())
                ),
                port=_opt(
                    st.builds(
                        n.NatPortRange, start=st.integers(1, 65535), end=st.integers(1, 65535)
                    )
                ),
            )
        )
    )
    return n.Forward(
        dev=draw(_opt(names())),
        mode=draw(_opt(st.sampled_from(n.FORWARD_MODES))),
        managed=draw(_opt(st.booleans())),
        driver=draw(
            _opt(
                st.builds(
                    c.HostdevDriver,
                    name=_opt(st.sampled_from(["kvm", "vfio", "xen"])),
                    model=_opt(names()),
                )
            )
        ),
        nat=nat,
        pf=draw(_opt(st.builds(n.ForwardPf, dev=names()))),
        interfaces=draw(
            st.lists(
                st.builds(
                    n.ForwardInterface,
                    dev=names(),
                    connections=_opt(st.integers(0, 2**32 - 1)),
                ),
                max_size=3,
            )
        )
        if pool == "interfaces"
        else [],
        addresses=draw(
            st.lists(
                st.builds(
                    n.ForwardAddress,
                    domain=st.integers(0, 0xFFFF),
                    bus=st.integers(0, 0xFF),
                    slot=st.integers(0, 0x1F),
                    function=st.integers(0, 7),
                    connections=_opt(st.integers(0, 2**32 - 1)),
                ),
                max_size=3,
            )
        )
        if pool == "addresses"
        else [],
    )


def portgroups() -> st.SearchStrategy[n.PortGroup]:
    return st.builds(
        n.PortGroup,
        name=names(),
        default=_opt(st.booleans()),
        trust_guest_rx_filters=_opt(st.booleans()),
        vlan=_opt(vlans()),
        virtualport=_opt(virtualports()),
        bandwidth=_opt(bandwidths()),
    )


def metadata() -> st.SearchStrategy[n.Metadata]:
    item = st.tuples(names(5), free_text()).map(
        lambda p: (
            f'<app:x{p[0]} xmlns:app="http://example.org/app">'
            + p[1].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            + f"</app:x{p[0]}>"
        )
    )
    return st.builds(n.Metadata, elements=st.lists(item, max_size=2))


def networks() -> st.SearchStrategy[n.Network]:
    """Whole ``<network>`` documents valid against libvirt 11.3's ``network.rng``."""
    return st.builds(
        n.Network,
        connections=_opt(st.integers(0, 2**32 - 1)),
        ipv6=_opt(st.booleans()),
        trust_guest_rx_filters=_opt(st.booleans()),
        name=names(),
        uuid=_opt(uuids()),
        title=_opt(free_text()),
        description=_opt(free_text()),
        metadata=_opt(metadata()),
        forward=_opt(forwards()),
        bridge=_opt(
            st.builds(
                n.NetworkBridge,
                name=_opt(names()),
                zone=_opt(names()),
                stp=_opt(st.booleans()),
                delay=_opt(st.integers(0, 2**64 - 1)),
                mac_table_manager=_opt(st.sampled_from(["kernel", "libvirt"])),
            )
        ),
        mtu=_opt(st.builds(c.Mtu, size=st.integers(0, 65535))),
        mac=_opt(st.builds(c.MacAddress, address=mac_addresses())),
        domain=_opt(
            st.builds(
                n.DnsDomain,
                name=names(),
                local_only=_opt(st.booleans()),
                register=_opt(st.booleans()),
            )
        ),
        dns=_opt(dnses()),
        vlan=_opt(vlans()),
        bandwidth=_opt(bandwidths()),
        port=_opt(st.builds(c.PortOptions, isolated=_opt(st.booleans()))),
        ips=st.lists(network_ips(), max_size=3),
        routes=st.lists(routes(), max_size=2),
        virtualport=_opt(virtualports()),
        portgroups=st.lists(portgroups(), max_size=2),
        dnsmasq_options=_opt(
            st.builds(
                n.DnsmasqOptions,
                options=st.lists(st.builds(n.DnsmasqOption, value=free_text()), max_size=2),
            )
        ),
    )


# ---------------------------------------------------------------- interfaces

_PATH_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_."


def abs_paths() -> st.SearchStrategy[str]:
    return st.lists(st.text(_PATH_CHARS, min_size=1, max_size=8), min_size=1, max_size=3).map(
        lambda parts: "/" + "/".join(parts)
    )


def device_addresses() -> st.SearchStrategy[Any]:
    """Device addresses of every bus type, within libvirt's schema ranges."""
    two = st.integers(0, 99)
    return st.one_of(
        pci_addresses(),
        st.builds(
            c.PciAddress,
            domain=st.integers(0, 0xFFFF),
            bus=st.integers(0, 0xFF),
            slot=st.integers(0, 0x1F),
            function=st.integers(0, 7),
            zpci=st.builds(
                c.ZPci, uid=_opt(st.integers(1, 0xFFFF)), fid=_opt(st.integers(0, 2**32 - 1))
            ),
        ),
        st.builds(
            a.DriveAddress,
            controller=_opt(two),
            bus=_opt(two),
            target=_opt(two),
            unit=_opt(st.integers(0, 99999)),
        ),
        st.builds(a.VirtioSerialAddress, controller=two, bus=_opt(two), port=_opt(two)),
        st.builds(a.CcidAddress, controller=two, slot=_opt(two)),
        st.builds(
            a.UsbAddress,
            bus=st.integers(0, 999),
            port=_opt(
                st.lists(st.integers(1, 999), min_size=1, max_size=4).map(
                    lambda p: ".".join(map(str, p))
                )
            ),
        ),
        st.builds(a.SpaprVioAddress, reg=_opt(st.integers(0, 0xFFFFFFFF))),
        st.just(a.CcwAddress()),  # cssid, ssid and devno come together or not at all
        st.builds(
            a.CcwAddress,
            cssid=st.integers(0, 0xFE),
            ssid=st.integers(0, 3),
            devno=st.integers(0, 0xFFFF),
        ),
        st.builds(a.IsaAddress, iobase=_opt(st.integers(0, 0xFFFF)), irq=_opt(st.integers(0, 15))),
        st.just(a.VirtioMmioAddress()),
        st.builds(
            a.DimmAddress,
            slot=_opt(st.integers(0, 2**32 - 1)),
            base=_opt(st.integers(0, 2**64 - 1)),
        ),
        st.just(a.UnassignedAddress()),
    )


@st.composite
def interface_ips(draw: st.DrawFn) -> i.InterfaceIP:
    v6 = draw(st.booleans())
    address: IPAddress = draw(ipv6_addresses()) if v6 else draw(ipv4_addresses())
    return i.InterfaceIP(
        address=address,
        family=draw(_opt(st.just("ipv6" if v6 else "ipv4"))),
        prefix=draw(_opt(st.integers(0, 128 if v6 else 32))),
        peer=draw(_opt(ipv6_addresses() if v6 else ipv4_addresses())),
    )


def port_forward_ranges() -> st.SearchStrategy[i.PortForwardRange]:
    port = st.integers(1, 65535)
    return st.builds(
        i.PortForwardRange, start=port, end=_opt(port), to=_opt(port), exclude=_opt(st.booleans())
    )


def port_forwards() -> st.SearchStrategy[i.PortForward]:
    return st.builds(
        i.PortForward,
        proto=st.sampled_from(["tcp", "udp"]),
        address=_opt(ip_addresses()),
        dev=_opt(names()),
        ranges=st.lists(port_forward_ranges(), max_size=4),
    )


def _on_off() -> st.SearchStrategy[bool | None]:
    return _opt(st.booleans())


def net_drivers() -> st.SearchStrategy[i.NetDriver]:
    positive = _opt(st.integers(1, 1024))
    return st.builds(
        i.NetDriver,
        name=_opt(st.sampled_from(["qemu", "vhost"])),
        txmode=_opt(st.sampled_from(["iothread", "timer"])),
        ioeventfd=_on_off(),
        event_idx=_on_off(),
        queues=positive,
        rx_queue_size=positive,
        tx_queue_size=positive,
        rss=_on_off(),
        rss_hash_report=_on_off(),
        iommu=_on_off(),
        ats=_on_off(),
        packed=_on_off(),
        page_per_vq=_on_off(),
        host=_opt(
            st.builds(
                i.DriverHostOffloads,
                csum=_on_off(),
                gso=_on_off(),
                tso4=_on_off(),
                tso6=_on_off(),
                ecn=_on_off(),
                ufo=_on_off(),
                mrg_rxbuf=_on_off(),
            )
        ),
        guest=_opt(
            st.builds(
                i.DriverGuestOffloads,
                csum=_on_off(),
                tso4=_on_off(),
                tso6=_on_off(),
                ecn=_on_off(),
                ufo=_on_off(),
            )
        ),
    )


def _teamings() -> st.SearchStrategy[i.Teaming]:
    return st.one_of(
        st.builds(i.Teaming, type=st.just("persistent")),
        st.builds(i.Teaming, type=st.just("transient"), persistent=names()),
    )


_LOADPARM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789."
_FILTER_VALUE = "abcdefghijklmnopqrstuvwxyz0123456789_.:"


def _common_options() -> dict[str, st.SearchStrategy[Any]]:
    """Strategies for the elements every interface type accepts."""
    return {
        "trust_guest_rx_filters": _opt(st.booleans()),
        "mac": _opt(
            st.builds(
                i.InterfaceMac,
                address=mac_addresses(),
                type=_opt(st.sampled_from(["generated", "static"])),
                check=_opt(st.booleans()),
                current_address=_opt(mac_addresses()),
            )
        ),
        "vlan": _opt(vlans()),
        "bandwidth": _opt(bandwidths()),
        "port": _opt(st.builds(c.PortOptions, isolated=_opt(st.booleans()))),
        "ips": st.lists(interface_ips(), max_size=2),
        "routes": st.lists(routes(), max_size=2),
        "port_forwards": st.lists(port_forwards(), max_size=2),
        "script": _opt(st.builds(i.Script, path=abs_paths())),
        "downscript": _opt(st.builds(i.Script, path=abs_paths())),
        "backenddomain": _opt(st.builds(i.BackendDomain, name=names())),
        "target": _opt(st.builds(i.Target, dev=names(), managed=_opt(st.booleans()))),
        "guest": _opt(st.builds(i.InterfaceGuest, dev=_opt(names()), actual=_opt(names()))),
        "model": _opt(st.builds(i.NicModel, type=st.sampled_from(["virtio", "e1000e", "rtl8139"]))),
        "backend": _opt(
            st.builds(
                i.Backend,
                type=_opt(st.sampled_from(["default", "passt"])),
                tap=_opt(abs_paths()),
                vhost=_opt(abs_paths()),
                log_file=_opt(abs_paths()),
            )
        ),
        "filterref": _opt(
            st.builds(
                i.FilterRef,
                filter=names().map(lambda s: "f" + s),
                parameters=st.lists(
                    st.builds(
                        i.FilterParameter,
                        name=st.text(_NAME_CHARS.replace("-", "_"), min_size=1, max_size=8),
                        value=st.text(_FILTER_VALUE, min_size=1, max_size=8),
                    ),
                    max_size=2,
                ),
            )
        ),
        "tune": _opt(st.builds(i.Tune, sndbuf=_opt(st.integers(0, 2**32 - 1)))),
        "teaming": _opt(_teamings()),
        "link": _opt(st.builds(i.Link, state=st.sampled_from(["up", "down"]))),
        "mtu": _opt(st.builds(c.Mtu, size=st.integers(0, 65535))),
        "coalesce": _opt(
            st.builds(
                i.Coalesce,
                rx=_opt(
                    st.builds(
                        i.CoalesceRx,
                        frames=_opt(
                            st.builds(i.CoalesceFrames, max=_opt(st.integers(0, 2**32 - 1)))
                        ),
                    )
                ),
            )
        ),
        "boot": _opt(
            st.builds(
                i.Boot,
                order=st.integers(1, 2**31),
                loadparm=_opt(st.text(_LOADPARM, min_size=1, max_size=8)),
            )
        ),
        "alias": _opt(st.builds(i.Alias, name=names().map(lambda s: "ua-" + s))),
        "rom": _opt(
            st.builds(
                i.Rom, enabled=_opt(st.booleans()), bar=_opt(st.booleans()), file=_opt(abs_paths())
            )
        ),
        "acpi": _opt(st.builds(i.Acpi, index=_opt(st.integers(0, 2**32 - 1)))),
        "address": _opt(device_addresses()),
    }


@st.composite
def _source_with(draw: st.DrawFn, /, cls: type[Any], group: str, **fields: Any) -> Any:
    """A source with libvirt's optional attribute group (network or bridge) all-or-nothing."""
    values = {k: draw(v) for k, v in fields.items()}
    if draw(st.booleans()):
        if group == "network":
            values.update(
                network=draw(names()), portgroup=draw(_opt(names())), portid=draw(_opt(uuids()))
            )
        else:
            values.update(
                bridge=draw(names()),
                mac_table_manager=draw(_opt(st.sampled_from(["kernel", "libvirt"]))),
            )
    return cls(**values)


def _interface(
    cls: type[i.Interface], **extra: st.SearchStrategy[Any]
) -> st.SearchStrategy[i.Interface]:
    options = _common_options()
    if issubclass(cls, i._EmulatedNic):
        options["driver"] = _opt(net_drivers())
    options.update(extra)
    return st.builds(cls, **options)


@st.composite
def _hostdev_sources(draw: st.DrawFn) -> i.HostdevSource:
    form = draw(st.sampled_from(["pci", "usb", "usb-id"]))
    usb_number = st.integers(0, 999)  # libvirt writes decimal; the schema takes 3 digits
    if form == "pci":
        address: Any = draw(pci_addresses())
        return i.HostdevSource(missing=draw(_opt(st.booleans())), address=address)
    if form == "usb":
        address = i.UsbDeviceAddress(bus=draw(usb_number), device=draw(usb_number))
        return i.HostdevSource(missing=draw(_opt(st.booleans())), address=address)
    usb_id = st.builds(i.UsbId, id=st.integers(0, 0xFFFF))
    return i.HostdevSource(
        missing=draw(_opt(st.booleans())),
        vendor=draw(usb_id),
        product=draw(usb_id),
        address=draw(_opt(st.builds(i.UsbBusAddress, bus=usb_number, device=usb_number))),
    )


def _reconnects() -> st.SearchStrategy[i.Reconnect]:
    return st.one_of(
        st.builds(i.Reconnect, enabled=st.booleans(), timeout=_opt(st.integers(0, 2**32 - 1))),
        st.builds(i.Reconnect, delay=st.integers(0, 2**32 - 1)),
    )


def interfaces() -> st.SearchStrategy[i.Interface]:
    """Domain interfaces of every type, valid against libvirt 11.3's schema."""
    port = st.integers(-1, 65535)
    manager = _opt(st.sampled_from(["kernel", "libvirt"]))
    long = st.integers(-(2**63), 2**63 - 1)
    return st.one_of(
        _interface(
            i.NetworkInterface,
            source=_source_with(
                i.NetworkSource,
                "bridge",
                network=names(),
                portgroup=_opt(names()),
                portid=_opt(uuids()),
            ),
            virtualport=_opt(virtualports()),
        ),
        _interface(
            i.BridgeInterface,
            source=_opt(
                _source_with(i.BridgeSource, "network", bridge=names(), mac_table_manager=manager)
            ),
            virtualport=_opt(virtualports()),
        ),
        _interface(
            i.DirectInterface,
            source=_source_with(
                i.DirectSource,
                "network",
                dev=names(),
                mode=_opt(st.sampled_from(["vepa", "bridge", "private", "passthrough"])),
            ),
            virtualport=_opt(virtualports()),
        ),
        _interface(
            i.HostdevInterface,
            managed=_opt(st.booleans()),
            driver=_opt(
                st.builds(
                    c.HostdevDriver,
                    name=_opt(st.sampled_from(["kvm", "vfio", "xen"])),
                    model=_opt(names()),
                )
            ),
            source=_hostdev_sources(),
            virtualport=_opt(virtualports()),
        ),
        _interface(i.UserInterface, source=_opt(st.builds(i.UserSource, dev=names()))),
        _interface(
            i.EthernetInterface,
            source=_opt(
                st.builds(
                    i.EthernetSource,
                    ips=st.lists(interface_ips(), max_size=2),
                    routes=st.lists(routes(), max_size=2),
                )
            ),
        ),
        _interface(
            i.VhostUserInterface,
            source=_opt(
                st.builds(
                    i.VhostUserSource,
                    type=_opt(st.just("unix")),
                    path=_opt(abs_paths()),
                    mode=_opt(st.sampled_from(["server", "client"])),
                    dev=_opt(names()),
                    reconnect=_opt(_reconnects()),
                )
            ),
        ),
        _interface(
            i.ServerInterface,
            source=st.builds(i.SocketSource, address=_opt(ipv4_addresses()), port=port),
        ),
        _interface(
            i.ClientInterface, source=st.builds(i.SocketSource, address=ipv4_addresses(), port=port)
        ),
        _interface(
            i.McastInterface, source=st.builds(i.SocketSource, address=ipv4_addresses(), port=port)
        ),
        _interface(
            i.UdpInterface,
            source=st.builds(
                i.UdpSource,
                address=ipv4_addresses(),
                port=port,
                local=st.builds(i.UdpLocal, address=ipv4_addresses(), port=port),
            ),
        ),
        _interface(i.VdpaInterface, source=st.builds(i.VdpaSource, dev=abs_paths())),
        _interface(i.NullInterface),
        _interface(
            i.VdsInterface,
            source=st.builds(
                i.VdsSource,
                switchid=uuids(),
                portid=_opt(long),
                portgroupid=_opt(names()),
                connectionid=_opt(long),
            ),
        ),
        _interface(i.InternalInterface, source=st.builds(i.InternalSource, name=names())),
    )


# ---------------------------------------------------------------- host interfaces


def _host_common(top: bool, *, link: bool = True) -> dict[str, st.SearchStrategy[Any]]:
    links = _opt(
        st.builds(
            h.HostLink,
            speed=_opt(st.integers(0, 2**32 - 1)),
            state=_opt(st.sampled_from(["unknown", "down", "lowerlayerdown", "up"])),
        )
    )
    common: dict[str, st.SearchStrategy[Any]] = {"link": links} if link else {}
    if top:
        common["start"] = _opt(
            st.builds(h.StartMode, mode=st.sampled_from(["onboot", "none", "hotplug"]))
        )
        common["mtu"] = _opt(st.builds(h.HostMtu, size=st.integers(0, 100000)))
        common["protocols"] = protocols()
    return common


@st.composite
def _protocol(draw: st.DrawFn, family: str) -> h.HostProtocol:
    v6 = family == "ipv6"
    address = ipv6_addresses() if v6 else ipv4_addresses()
    return h.HostProtocol(
        family=family,  # type: ignore[arg-type]
        autoconf=draw(_opt(st.just(h.Autoconf()))) if v6 else None,
        dhcp=draw(_opt(st.builds(h.HostDhcp, peerdns=_opt(st.booleans())))),
        ips=draw(
            st.lists(
                st.builds(
                    h.HostIP, address=address, prefix=_opt(st.integers(0, 128 if v6 else 32))
                ),
                max_size=2,
            )
        ),
        route=draw(_opt(st.builds(h.HostRoute, gateway=address))),
    )


@st.composite
def protocols(draw: st.DrawFn) -> list[h.HostProtocol]:
    """Zero, one or both address families, each at most once."""
    families = draw(st.sampled_from([[], ["ipv4"], ["ipv6"], ["ipv4", "ipv6"], ["ipv6", "ipv4"]]))
    return [draw(_protocol(f)) for f in families]


def ethernet_host_interfaces(top: bool = True) -> st.SearchStrategy[h.EthernetHostInterface]:
    return st.builds(
        h.EthernetHostInterface,
        name=names(),
        mac=_opt(st.builds(c.MacAddress, address=mac_addresses(unicast=False))),
        **_host_common(top),
    )


def vlan_host_interfaces(top: bool = True) -> st.SearchStrategy[h.VlanHostInterface]:
    return st.builds(
        h.VlanHostInterface,
        # libvirt's schema lets a top-level one go without; its parser does not
        name=names(),
        vlan=st.builds(
            h.HostVlan,
            tag=st.integers(0, 4095),
            interface=st.builds(h.HostVlanParent, name=names()),
        ),
        **_host_common(top),
    )


def bond_host_interfaces(top: bool = True) -> st.SearchStrategy[h.BondHostInterface]:
    monitor = st.sampled_from(["none", "miimon", "arpmon"])

    @st.composite
    def bond(draw: st.DrawFn) -> h.HostBond:
        which = draw(monitor)
        return h.HostBond(
            mode=draw(_opt(st.sampled_from(h.BOND_MODES))),
            miimon=draw(
                st.builds(
                    h.HostMiiMon,
                    freq=st.integers(0, 2**32 - 1),
                    downdelay=_opt(st.integers(0, 2**32 - 1)),
                    updelay=_opt(st.integers(0, 2**32 - 1)),
                    carrier=_opt(st.sampled_from(["ioctl", "netif"])),
                )
            )
            if which == "miimon"
            else None,
            arpmon=draw(
                st.builds(
                    h.HostArpMon,
                    interval=st.integers(0, 2**32 - 1),
                    target=ipv4_addresses(),
                    validate=_opt(st.sampled_from(["none", "active", "backup", "all"])),
                )
            )
            if which == "arpmon"
            else None,
            interfaces=draw(st.lists(ethernet_host_interfaces(top=False), min_size=1, max_size=3)),
        )

    return st.builds(h.BondHostInterface, name=names(), bond=bond(), **_host_common(top))


def bridge_host_interfaces() -> st.SearchStrategy[h.BridgeHostInterface]:
    port = st.one_of(
        ethernet_host_interfaces(top=False),
        vlan_host_interfaces(top=False),
        bond_host_interfaces(top=False),
    )
    return st.builds(
        h.BridgeHostInterface,
        name=names(),
        bridge=st.builds(
            h.HostBridge,
            stp=_opt(st.booleans()),
            delay=_opt(st.floats(0, 1e6, allow_nan=False, allow_infinity=False)),
            interfaces=st.lists(port, max_size=3),
        ),
        **_host_common(True, link=False),
    )


def host_interfaces() -> st.SearchStrategy[h.HostInterface]:
    """Host interfaces of every type, valid against libvirt 11.3's ``interface.rng``."""
    return st.one_of(
        ethernet_host_interfaces(),
        vlan_host_interfaces(),
        bond_host_interfaces(),
        bridge_host_interfaces(),
    )
