"""virtnetlib.libvirt against a real libvirtd: bridges, DHCP, PXE/TFTP, live updates, apply."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import virtnetlib as vnl
from tests.conftest import need_module, unavailable
from tests.libvirtd import bridge_name, unique
from tests.netns import namespace, run
from tests.qemu_cases import QEMU_CASES, QEMU_DOMAIN
from tests.test_validate import NET, NETWORK_DRIVER_ACCEPTED, NETWORK_DRIVER_RULES

ADDR = ipaddress.ip_address
pytestmark = pytest.mark.libvirtd


def network(
    name: str,
    subnet: str,
    *,
    mode: str | None = None,
    dhcp: vnl.Dhcp | None = None,
    tftp: str | None = None,
) -> vnl.Network:
    net = ipaddress.ip_network(subnet)
    gateway = net.network_address + 1
    return vnl.Network(
        name=name,
        forward=vnl.Forward(mode=mode) if mode else None,  # type: ignore[arg-type]
        bridge=vnl.NetworkBridge(name=bridge_name()),
        ips=[
            vnl.NetworkIP(
                address=gateway,
                prefix=net.prefixlen,
                tftp=vnl.Tftp(root=tftp) if tftp else None,
                dhcp=dhcp,
            )
        ],
    )


def dhcp_range(subnet: str, first: int, last: int) -> vnl.Dhcp:
    net = ipaddress.ip_network(subnet)
    return vnl.Dhcp(
        ranges=[vnl.DhcpRange(start=net.network_address + first, end=net.network_address + last)]
    )


def bridge_of(net: vnl.Network) -> str:
    assert net.bridge is not None
    assert net.bridge.name is not None
    return net.bridge.name


def bridge_addresses(bridge: str) -> list[str]:
    out = run("ip", "-o", "-4", "addr", "show", "dev", bridge, check=False).stdout
    return [line.split()[3] for line in out.splitlines()]


def test_nat_and_isolated_networks_run_as_bridges(system: Any) -> None:
    nat = network(
        unique("nat"), "198.51.100.0/27", mode="nat", dhcp=dhcp_range("198.51.100.0/27", 10, 20)
    )
    iso = network(unique("iso"), "198.51.100.32/27")
    for net in (nat, iso):
        result = system.apply_network(net)
        assert (result.action, result.started) == ("created", True)
    states = {s.name: s for s in system.networks()}
    assert states[nat.name].active
    assert states[iso.name].network.forward is None
    assert bridge_addresses(bridge_of(nat)) == ["198.51.100.1/27"]
    assert bridge_addresses(bridge_of(iso)) == ["198.51.100.33/27"]
    for net in (nat, iso):
        system.stop_network(net.name)
        system.undefine_network(net.name)
        assert not Path(f"/sys/class/net/{bridge_of(net)}").exists()
        assert not system.has_network(net.name)


UDHCPC_SCRIPT = """#!/bin/sh
env > "{out}.$1"
if [ "$1" = bound ]; then ip addr add "$ip/${{mask:-24}}" dev "$interface"; fi
"""


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    """A DHCP/TFTP client: a network namespace whose veth is plugged into a bridge."""
    if shutil.which("busybox") is None or shutil.which("curl") is None:
        unavailable("busybox (udhcpc) and curl are needed (Debian: busybox, curl)")
    script = tmp_path / "udhcpc.sh"
    script.write_text(UDHCPC_SCRIPT.format(out=tmp_path / "lease"))
    script.chmod(0o755)

    class Client:
        def __init__(self, ns: str) -> None:
            self.ns = ns
            self.host_end = f"vnlh{os.getpid() % 10000}{ns[-4:]}"[:15]
            run(
                "ip",
                "link",
                "add",
                self.host_end,
                "type",
                "veth",
                "peer",
                "name",
                "vnlc0",
                "netns",
                ns,
            )
            self.mac = (
                run("ip", "-n", ns, "-o", "link", "show", "vnlc0")
                .stdout.split("link/ether ")[1]
                .split()[0]
            )

        def plug(self, bridge: str) -> None:
            run("ip", "link", "set", self.host_end, "master", bridge, "up")
            run("ip", "-n", self.ns, "link", "set", "vnlc0", "up")

        def dhcp(self, hostname: str = "vnl-client") -> dict[str, str]:
            run("ip", "-n", self.ns, "addr", "flush", "dev", "vnlc0")
            proc = run(
                "ip",
                "netns",
                "exec",
                self.ns,
                "busybox",
                "udhcpc",
                "-i",
                "vnlc0",
                "-n",
                "-q",
                "-f",
                "-t",
                "8",
                "-T",
                "2",
                "-s",
                str(script),
                "-x",
                f"hostname:{hostname}",
                timeout=60,
                check=False,
            )
            bound = tmp_path / "lease.bound"
            assert bound.exists(), proc.stdout + proc.stderr
            env = dict(line.split("=", 1) for line in bound.read_text().splitlines() if "=" in line)
            bound.unlink()
            return env

        def tftp(self, server: str, name: str) -> bytes:
            return subprocess.run(
                [
                    "ip",
                    "netns",
                    "exec",
                    self.ns,
                    "curl",
                    "-s",
                    "--max-time",
                    "20",
                    f"tftp://{server}/{name}",
                ],
                capture_output=True,
                check=True,
                timeout=60,
            ).stdout

    with namespace("vnl-dhcp") as ns:
        client = Client(ns)
        try:
            yield client
        finally:
            run("ip", "link", "delete", client.host_end, check=False)


@pytest.fixture
def tftp_root() -> Iterator[Path]:
    # dnsmasq serves TFTP as the unprivileged libvirt-dnsmasq user: a world-readable folder
    root = Path(tempfile.mkdtemp(prefix="vnl-tftp-"))
    root.chmod(0o755)
    (root / "pxelinux.0").write_bytes(b"virtnetlib PXE boot image\n")
    (root / "pxelinux.0").chmod(0o644)
    try:
        yield root
    finally:
        shutil.rmtree(root)


def test_pxe_boot_server_end_to_end(system: Any, client: Any, tftp_root: Path) -> None:
    """The RHEL 10 guide's PXE network: DHCP hands out an address and the boot
    file, TFTP serves it, and the lease shows up through the adapter."""
    subnet = "198.51.100.64/27"
    dhcp = dhcp_range(subnet, 10, 20)
    dhcp.bootp = vnl.Bootp(file="pxelinux.0")
    net = network(unique("pxe"), subnet, dhcp=dhcp, tftp=str(tftp_root))
    assert [p.code for p in vnl.validate(net)] == []
    system.apply_network(net)
    client.plug(bridge_of(net))
    lease = client.dhcp()
    assert ADDR(lease["ip"]) in ipaddress.ip_network(subnet)
    assert ipaddress.IPv4Address("198.51.100.74") <= ipaddress.IPv4Address(lease["ip"])
    assert ipaddress.IPv4Address(lease["ip"]) <= ipaddress.IPv4Address("198.51.100.84")
    assert lease["boot_file"] == "pxelinux.0"
    assert lease["siaddr"] == "198.51.100.65"
    assert client.tftp("198.51.100.65", "pxelinux.0") == b"virtnetlib PXE boot image\n"
    (record,) = [r for r in system.leases(net.name) if r.mac == client.mac]
    assert record.ip == ADDR(lease["ip"])
    assert record.hostname == "vnl-client"
    assert record.family == "ipv4"
    assert record.prefix == 27
    assert system.leases(net.name, mac=client.mac) == [record]


def test_live_dhcp_host_gets_its_fixed_address(system: Any, client: Any) -> None:
    subnet = "198.51.100.96/27"
    net = network(unique("upd"), subnet, dhcp=dhcp_range(subnet, 10, 20))
    system.apply_network(net)
    client.plug(bridge_of(net))
    host = vnl.DhcpHost(mac=client.mac, name="fixed", ip=ADDR("198.51.100.126"))
    system.update_network(net.name, host, live=True, config=True)
    assert client.dhcp()["ip"] == "198.51.100.126"
    stored = system.network(net.name).network.ips[0].dhcp
    assert stored is not None
    assert stored.hosts == [host]


def test_a_static_address_reserved_twice_goes_to_neither_second_host(
    system: Any, client: Any
) -> None:
    """W313's claim, on the real dnsmasq libvirtd starts: the second host is ignored."""
    subnet = "198.51.100.64/27"
    dhcp = dhcp_range(subnet, 10, 20)
    dhcp.hosts = [
        vnl.DhcpHost(mac="52:54:00:00:00:99", ip=ADDR("198.51.100.94")),
        vnl.DhcpHost(mac=client.mac, ip=ADDR("198.51.100.94")),
    ]
    net = network(unique("dup"), subnet, dhcp=dhcp)
    assert [(p.code, p.path) for p in vnl.validate(net) if p.severity == "warning"] == [
        ("W313", "/network/ip/dhcp/host[2]/@ip")
    ]
    system.apply_network(net)
    client.plug(bridge_of(net))
    got = ipaddress.IPv4Address(client.dhcp()["ip"])
    v4 = ipaddress.IPv4Address
    assert got != v4("198.51.100.94")
    assert v4("198.51.100.74") <= got <= v4("198.51.100.84")  # from the range instead


def test_one_mac_with_two_static_addresses_gets_one_of_them(system: Any, client: Any) -> None:
    """W314's claim, on the real dnsmasq: a MAC is given one address, never the other."""
    subnet = "198.51.100.32/27"
    first, second = ipaddress.IPv4Address("198.51.100.61"), ipaddress.IPv4Address("198.51.100.62")
    dhcp = dhcp_range(subnet, 10, 20)
    dhcp.hosts = [vnl.DhcpHost(mac=client.mac, ip=first), vnl.DhcpHost(mac=client.mac, ip=second)]
    net = network(unique("mac"), subnet, dhcp=dhcp)
    assert [(p.code, p.path) for p in vnl.validate(net) if p.severity == "warning"] == [
        ("W314", "/network/ip/dhcp/host[2]/@mac")
    ]
    system.apply_network(net)
    client.plug(bridge_of(net))
    got = {ipaddress.IPv4Address(client.dhcp()["ip"]) for _ in range(3)}
    assert len(got) == 1
    assert got <= {first, second}


@pytest.mark.parametrize(("last", "handed_out"), [("65", False), ("95", True)])
def test_a_host_on_the_own_or_broadcast_address(
    system: Any, client: Any, last: str, handed_out: bool
) -> None:
    """W315's claims on the real dnsmasq: its own address is never handed out;
    the broadcast address is (and a guest cannot use it)."""
    subnet, reserved = "198.51.100.64/27", ipaddress.IPv4Address(f"198.51.100.{last}")
    dhcp = dhcp_range(subnet, 10, 20)
    dhcp.hosts = [vnl.DhcpHost(mac=client.mac, ip=reserved)]
    net = network(unique("own"), subnet, dhcp=dhcp)
    assert [p.code for p in vnl.validate(net) if p.severity == "warning"] == ["W315"]
    system.apply_network(net)
    client.plug(bridge_of(net))
    assert (ipaddress.IPv4Address(client.dhcp()["ip"]) == reserved) is handed_out


def test_a_bridge_name_over_15_bytes_is_defined_but_cannot_start(system: Any) -> None:
    """W318's claim on a real libvirtd: the definition is accepted, starting fails."""
    from virtnetlib.libvirt import LibvirtError

    net = attrs.evolve(
        network(unique("long"), "198.51.100.160/27"),
        bridge=vnl.NetworkBridge(name=f"{bridge_name()}-0123456789"[:16]),
    )
    assert [p.code for p in vnl.validate(net)] == ["W318"]
    system.define_network(net)
    with pytest.raises(LibvirtError, match="Numerical result out of range"):
        system.start_network(net.name)


def test_apply_is_idempotent_and_restarts_on_request(system: Any) -> None:
    net = network(unique("app"), "198.51.100.128/27")
    assert system.apply_network(net).action == "created"
    assert system.apply_network(net).action == "unchanged"
    changed = attrs.evolve(net, domain=vnl.DnsDomain(name="lab.example"))
    result = system.apply_network(changed)
    assert (result.action, result.restarted) == ("redefined", False)
    # the running network keeps its old definition until it restarts
    live = vnl.Network.from_xml(system.raw.networkLookupByName(net.name).XMLDesc(0))
    assert live.domain is None
    assert system.apply_network(changed).action == "unchanged"
    again = attrs.evolve(net, domain=vnl.DnsDomain(name="lab2.example"))
    result = system.apply_network(again, restart=True)
    assert (result.action, result.restarted) == ("redefined", True)
    live = vnl.Network.from_xml(system.raw.networkLookupByName(net.name).XMLDesc(0))
    assert live.domain == vnl.DnsDomain(name="lab2.example")


@contextlib.contextmanager
def _occupied(address: str = "198.51.100.161/27") -> Iterator[str]:
    """A veth pair in the host namespace holding ``address``, so that a network
    on that subnet cannot start (libvirt finds the route taken)."""
    name = f"vnlx{os.getpid() % 100000}"
    run("ip", "link", "add", name, "type", "veth", "peer", "name", f"{name}p")
    try:
        run("ip", "addr", "add", address, "dev", name)
        run("ip", "link", "set", name, "up")
        yield name
    finally:
        run("ip", "link", "delete", name, check=False)


@pytest.fixture
def address_in_use() -> Iterator[str]:
    """198.51.100.161/27 held by a veth pair: a network with that address cannot start."""
    with _occupied() as name:
        yield name


def test_apply_rolls_back_a_failed_start(system: Any, address_in_use: str) -> None:
    from virtnetlib.libvirt import LibvirtError

    net = network(unique("rb"), "198.51.100.160/27")
    with pytest.raises(LibvirtError) as info:
        system.apply_network(net)
    assert "the new definition was removed again" in str(info.value)
    assert info.value.operation == "start network"
    assert not system.has_network(net.name)
    # a redefinition whose start fails gets the previous definition back
    good = network(net.name, "198.51.100.224/27")
    system.apply_network(good, start=False)
    with pytest.raises(LibvirtError, match="previous definition was restored"):
        system.apply_network(net)
    assert system.network(net.name).network.ips == good.ips


def test_a_transient_network_stays_transient_when_its_change_fails(system: Any) -> None:
    """Redefining makes a transient network persistent; when the change cannot
    start, the network is transient again and runs as before."""
    from virtnetlib.libvirt import LibvirtError

    before = network(unique("tr"), "198.51.100.192/27")
    system.raw.networkCreateXML(before.to_xml())  # transient, running
    with _occupied():
        broken = attrs.evolve(
            before, ips=network(before.name, "198.51.100.160/27").ips, bridge=before.bridge
        )
        with pytest.raises(LibvirtError, match="previous transient network was restored"):
            system.apply_network(broken, restart=True)
    state = system.network(before.name)
    assert (state.active, state.persistent) == (True, False)
    assert state.network.ips == before.ips


def test_a_failed_restore_reports_both_failures(system: Any) -> None:
    """The start fails, and so does restarting the previous definition: the
    error names both, not only the restore."""
    from virtnetlib.libvirt import LibvirtError

    net = network(unique("rb"), "198.51.100.160/27")
    system.apply_network(net)  # running, before the subnet is taken
    changed = attrs.evolve(net, domain=vnl.DnsDomain(name="lab.example"))
    with _occupied(), pytest.raises(LibvirtError) as info:
        system.apply_network(changed, restart=True)
    text = str(info.value)
    assert info.value.operation == "start network"
    assert "restoring the previous state failed too" in text
    assert "restart previous network" in text
    assert system.network(net.name).network.domain is None  # the definition is back


def test_the_qemu_driver_refuses_a_pci_address_used_twice(system: Any) -> None:
    """E264's claim, on libvirtd's QEMU driver (the test driver accepts it)."""
    import libvirt

    if shutil.which("qemu-system-x86_64") is None:
        unavailable("qemu-system-x86_64 is not installed (Debian: qemu-system-x86)")
    nic = "<interface type='user'><address type='pci' domain='0' bus='0' slot='{}' function='0'/>"
    nic += "</interface>"
    domain = (
        "<domain type='qemu'><name>{}</name><memory unit='MiB'>64</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{}</devices></domain>"
    )
    twice = domain.format(unique("pci"), nic.format("0x03") + nic.format("3"))
    assert "E264" in [p.code for p in vnl.validate(twice)]
    with pytest.raises(libvirt.libvirtError, match=r"double use of PCI Address 0000:00:03\.0"):
        system.raw.defineXML(twice)
    apart = domain.format(unique("pci"), nic.format("0x03") + nic.format("4"))
    assert "E264" not in [p.code for p in vnl.validate(apart)]
    system.raw.defineXML(apart)  # removed by the fixture


def test_domain_interfaces_attach_update_detach_live(system: Any, tmp_path: Path) -> None:
    if shutil.which("qemu-system-x86_64") is None:
        unavailable("qemu-system-x86_64 is not installed (Debian: qemu-system-x86)")
    subnet = "198.51.100.192/27"
    net = network(unique("vm"), subnet)
    system.apply_network(net)
    kvm = Path("/dev/kvm").exists() and os.access("/dev/kvm", os.R_OK | os.W_OK)
    name = unique("dom")
    dom = system.raw.defineXML(
        f"<domain type='{'kvm' if kvm else 'qemu'}'><name>{name}</name>"
        "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<video><model type='none'/></video>"
        "<memballoon model='none'/></devices></domain>"
    )
    dom.create()
    iface = vnl.NetworkInterface(
        mac=vnl.InterfaceMac(address="52:54:00:be:ef:01"),
        source=vnl.NetworkSource(network=net.name),
        model=vnl.NicModel(type="virtio"),
        rom=vnl.Rom(enabled=False),
    )
    system.attach_interface(name, iface, live=True, config=True)
    (live,) = system.domain_interfaces(name)
    assert isinstance(live, vnl.NetworkInterface)
    assert live.mac_address == "52:54:00:be:ef:01"
    assert live.target is not None  # libvirt created the tap device
    tap = live.target.dev
    assert Path(f"/sys/class/net/{bridge_of(net)}/brif/{tap}").exists()
    assert system.domain_interfaces(name, inactive=True)[0].mac_address == "52:54:00:be:ef:01"
    down = attrs.evolve(iface, link=vnl.Link(state="down"))
    system.update_interface(name, down, live=True)
    (after,) = system.domain_interfaces(name)
    assert after.link == vnl.Link(state="down")
    system.detach_interface(name, "52:54:00:BE:EF:01", live=True, config=True)
    for _ in range(50):  # the guest is asked to release the device; wait for it
        if not system.domain_interfaces(name):
            break
        time.sleep(0.2)
    assert system.domain_interfaces(name, inactive=True) == []


def test_vf_attached_persistently_like_virsh_attach_interface(system: Any, tmp_path: Path) -> None:
    """A VF found in (fake) sysfs, handed to a defined guest through the adapter,
    is stored exactly as ``virsh attach-interface … hostdev … --managed --config`` stores it."""
    from virtnetlib import sriov
    from virtnetlib.fakesysfs import FakeSysfs

    fake = FakeSysfs(tmp_path / "host")
    fake.add_pf("0000:82:00.0", netdevs=["eth1"], total_vfs=7)
    sriov.set_num_vfs("eth1", 2, sysfs=fake)
    vf = sriov.inventory(fake).pf("eth1").vfs[0]
    iface = vf.to_interface(mac="52:54:00:00:01:01")
    stored = []
    for how in ("adapter", "virsh"):
        name = unique(how)
        system.raw.defineXML(
            f"<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
            "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>"
        )
        if how == "adapter":
            system.attach_interface(name, iface, live=False, config=True)
        else:
            run(
                "virsh",
                "-c",
                system.uri,
                "attach-interface",
                name,
                "hostdev",
                vf.pci_address,
                "--mac",
                "52:54:00:00:01:01",
                "--managed",
                "--config",
            )
        (found,) = system.domain_interfaces(name, inactive=True)
        stored.append(found)
    assert stored[0] == stored[1]
    assert isinstance(stored[0], vnl.HostdevInterface)
    assert stored[0].source == iface.source
    assert stored[0].mac == iface.mac
    assert stored[0].managed is True


@pytest.mark.parametrize(("nic", "code"), QEMU_CASES)
def test_qemu_driver_refuses_what_validate_reports(nic: str, code: str | None, system: Any) -> None:
    """validate()'s E5xx codes are what libvirtd's QEMU driver refuses at define,
    and the near misses it accepts validate without errors."""
    import libvirt

    if shutil.which("qemu-system-x86_64") is None:
        unavailable("qemu-system-x86_64 is not installed (Debian: qemu-system-x86)")
    xml = QEMU_DOMAIN.format(unique("e5"), nic)
    errors = [p.code for p in vnl.validate(xml) if p.severity == "error"]
    if code is None:
        assert errors == []
        system.raw.defineXML(xml).undefine()
        return
    assert errors == [code]
    with pytest.raises(libvirt.libvirtError, match=r"unsupported configuration|XML error"):
        system.raw.defineXML(xml).undefine()


@pytest.mark.parametrize(("snippet", "code"), NETWORK_DRIVER_RULES)
def test_network_driver_refuses_what_validate_reports(snippet: str, code: str, system: Any) -> None:
    """validate()'s E4xx codes are what libvirtd's network driver refuses at define."""
    import libvirt

    xml = NET.format(snippet).replace("<name>n</name>", f"<name>{unique('e4')}</name>")
    assert code in [p.code for p in vnl.validate(xml)]
    with pytest.raises(libvirt.libvirtError):
        system.raw.networkDefineXML(xml)


@pytest.mark.parametrize("snippet", NETWORK_DRIVER_ACCEPTED)
def test_network_driver_defines_what_validate_accepts(snippet: str, system: Any) -> None:
    xml = NET.format(snippet).replace("<name>n</name>", f"<name>{unique('ok')}</name>")
    assert [p for p in vnl.validate(xml) if p.severity == "error"] == []
    system.raw.networkDefineXML(xml).undefine()


def test_validate_agrees_with_libvirtd_on_altered_networks(system: Any) -> None:
    """tests/test_differential.py against libvirtd itself, network driver included."""
    import libvirt

    from tests.test_differential import Define, _accepted, disagreements

    define = Define(
        system.raw, libvirt, "network", prefix=unique("d"), bridge=bridge_name, network_driver=True
    )
    wrong = disagreements(_accepted("network"), 20261128, define)
    assert not wrong, f"{len(wrong)} disagree; first:\n" + "\n".join(wrong[:3])


#: What libvirtd's QEMU driver refuses for the machine it builds, not the
#: interface: PCI slots the default i440fx topology lacks or reserves, CCW
#: addresses on a PC. validate() sees one interface, not the machine.
MACHINE_TOPOLOGY = (
    "slot must be >= 1",
    "Attempted double use of PCI Address 0000:00:01.0",
    "cannot use CCW address type",
)


def test_validate_agrees_with_the_qemu_driver_on_altered_interfaces(system: Any) -> None:
    """Corpus interfaces, altered or not, in a QEMU domain: every error validate()
    reports, libvirtd's QEMU driver refuses too; every refusal but the machine's
    own (MACHINE_TOPOLOGY) is reported."""
    import random

    import libvirt

    from tests.fuzzing import edit
    from tests.test_differential import _accepted

    if shutil.which("qemu-system-x86_64") is None:
        unavailable("qemu-system-x86_64 is not installed (Debian: qemu-system-x86)")
    docs = _accepted("interface")
    rnd = random.Random(20261128)
    wrong = []
    for _ in range(200):
        text = rnd.choice(docs)
        if rnd.random() < 0.6:
            text = edit(text, rnd, docs)
        xml = QEMU_DOMAIN.format(unique("q"), text)
        try:
            system.raw.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE).undefine()
            theirs = None
        except libvirt.libvirtError as exc:
            theirs = str(exc.get_error_message())
        ours = [str(p) for p in vnl.validate(xml) if p.severity == "error"]
        if theirs is not None and any(m in theirs for m in MACHINE_TOPOLOGY):
            continue
        if bool(ours) != bool(theirs):
            wrong.append(f"{xml}\n  libvirt: {theirs}\n  virtnetlib: {ours}")
    assert not wrong, f"{len(wrong)} disagree; first:\n" + "\n".join(wrong[:3])


# ---------------------------------------------------------------- plan and apply


def _guest_on(system: Any, net: vnl.Network, mac: str = "52:54:00:be:ef:21") -> tuple[str, str]:
    """A running QEMU guest with one interface on ``net``: (domain name, tap)."""
    if shutil.which("qemu-system-x86_64") is None:
        unavailable("qemu-system-x86_64 is not installed (Debian: qemu-system-x86)")
    kvm = Path("/dev/kvm").exists() and os.access("/dev/kvm", os.R_OK | os.W_OK)
    name = unique("dom")
    nic = vnl.NetworkInterface(
        mac=vnl.InterfaceMac(address=mac),
        source=vnl.NetworkSource(network=net.name),
        model=vnl.NicModel(type="virtio"),
        rom=vnl.Rom(enabled=False),
    )
    dom = system.raw.defineXML(
        f"<domain type='{'kvm' if kvm else 'qemu'}'><name>{name}</name>"
        "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        f"{nic.to_xml()}<video><model type='none'/></video>"
        "<memballoon model='none'/></devices></domain>"
    )
    dom.create()
    (live,) = system.domain_interfaces(name)
    assert live.target is not None
    return name, live.target.dev


def _on_bridge(bridge: str, tap: str) -> bool:
    return Path(f"/sys/class/net/{bridge}/brif/{tap}").exists()


def test_a_change_libvirt_cannot_make_live_is_pending_until_a_restart(
    system: Any, tftp_root: Path
) -> None:
    """The B1 sequence: the second apply used to say nothing and change nothing."""
    net = network(unique("b1"), "198.51.100.0/27", dhcp=dhcp_range("198.51.100.0/27", 10, 20))
    assert system.apply_network(net).action == "created"
    net.ips[0].tftp = vnl.Tftp(root=str(tftp_root))
    result = system.apply_network(net)
    assert (result.action, result.restarted) == ("redefined", False)
    assert result.plan is not None
    assert result.plan.pending_restart
    assert system.network(net.name).pending_restart
    # nothing to define any more, but the restart is still owed: the plan says so
    plan = system.plan_network(net)
    assert (plan.steps, plan.pending_restart) == ((), True)
    result = system.apply_network(net, restart=True)
    assert (result.action, result.restarted) == ("unchanged", True)
    live = vnl.Network.from_xml(system.raw.networkLookupByName(net.name).XMLDesc(0))
    assert live.ips[0].tftp == vnl.Tftp(root=str(tftp_root))
    assert not system.network(net.name).pending_restart
    assert system.plan_network(net).changed is False


def test_live_changes_keep_the_guest_connected_and_dnsmasq_answers(
    system: Any, client: Any
) -> None:
    subnet = "198.51.100.32/27"
    net = network(unique("live"), subnet, dhcp=dhcp_range(subnet, 10, 20))
    system.apply_network(net)
    bridge = bridge_of(net)
    guest, tap = _guest_on(system, net)
    client.plug(bridge)
    fixed = vnl.DhcpHost(mac=client.mac, name="fixed", ip=ADDR("198.51.100.60"))
    desired = attrs.evolve(
        net,
        ips=[
            attrs.evolve(
                net.ips[0],
                dhcp=vnl.Dhcp(
                    ranges=[
                        *dhcp_range(subnet, 10, 20).ranges,
                        vnl.DhcpRange(start=ADDR("198.51.100.53"), end=ADDR("198.51.100.55")),
                    ],
                    hosts=[fixed],
                ),
            )
        ],
        dns=vnl.Dns(
            hosts=[vnl.DnsHost(ip=ADDR("198.51.100.61"), hostnames=["db.lab.example"])],
            txts=[vnl.DnsTxt(name="lab", value="yes")],
        ),
        portgroups=[vnl.PortGroup(name="web")],
    )
    plan = system.plan_network(desired)
    assert {s.kind for s in plan.steps} == {"update"}
    assert [s.update.section for s in plan.steps] == [
        "ip-dhcp-range",
        "ip-dhcp-host",
        "dns-host",
        "dns-txt",
        "portgroup",
    ]
    assert not plan.disruptive
    assert plan.affected_domains == ()
    result = system.apply(plan)
    assert (result.action, result.restarted) == ("updated", False)
    assert _on_bridge(bridge, tap), "the guest lost its link"
    assert client.dhcp()["ip"] == "198.51.100.60"  # dnsmasq knows the new host
    live = vnl.Network.from_xml(system.raw.networkLookupByName(net.name).XMLDesc(0))
    assert live.portgroups == [vnl.PortGroup(name="web")]
    assert live.dns == desired.dns
    assert system.network(net.name).network.ips[0].dhcp == desired.ips[0].dhcp
    assert not system.network(net.name).pending_restart
    assert system.plan_network(desired).steps == ()
    assert system.domain_interfaces(guest)[0].target.dev == tap


def test_a_restart_reconnects_the_guest(system: Any) -> None:
    net = network(unique("rc"), "198.51.100.64/27")
    system.apply_network(net)
    guest, tap = _guest_on(system, net)
    assert _on_bridge(bridge_of(net), tap)
    moved = attrs.evolve(net, bridge=vnl.NetworkBridge(name=bridge_name()))
    assert system.plan_network(moved).pending_restart  # not without permission
    plan = system.plan_network(moved, allow_restart=True)
    assert [s.kind for s in plan.steps] == ["restart", "reconnect"]
    assert plan.disruptive
    assert plan.affected_domains == (guest,)
    assert "guests disconnected meanwhile: " + guest in str(plan)
    result = system.apply(plan)
    assert (result.action, result.restarted) == ("redefined", True)
    assert _on_bridge(bridge_of(moved), tap), "the guest's tap is not on the new bridge"
    assert not Path(f"/sys/class/net/{bridge_of(net)}").exists()
    (nic,) = system.domain_interfaces(guest)
    assert isinstance(nic, vnl.NetworkInterface)  # still an interface on the network
    assert nic.source.network == net.name
    # the same bridge name: the bridge is made anew and the tap put back on it
    same = attrs.evolve(moved, domain=vnl.DnsDomain(name="lab.example"))
    system.apply_network(same, restart=True)
    assert _on_bridge(bridge_of(moved), tap)


def test_a_failure_midway_restores_the_exact_definitions(system: Any) -> None:
    from virtnetlib._models.changes import Update
    from virtnetlib.libvirt import ApplyError

    subnet = "198.51.100.96/27"
    net = network(unique("mid"), subnet, dhcp=dhcp_range(subnet, 10, 20))
    system.apply_network(net)
    obj = system.raw.networkLookupByName(net.name)
    persistent, live = obj.XMLDesc(lvflags_inactive()), obj.XMLDesc(0)
    hosts = [
        vnl.DhcpHost(mac=f"52:54:00:00:03:0{i}", ip=ADDR(f"198.51.100.{100 + i}")) for i in (1, 2)
    ]
    dhcp = dhcp_range(subnet, 10, 20)
    dhcp.hosts = hosts
    desired = attrs.evolve(net, ips=[attrs.evolve(net.ips[0], dhcp=dhcp)])
    plan = system.plan_network(desired)
    # libvirt refuses the third: deleting a host that is not there
    stray = vnl.DhcpHost(mac="52:54:00:00:03:09", ip=ADDR("198.51.100.109"))
    bad = attrs.evolve(plan.steps[0], update=Update("ip-dhcp-host", "delete", stray, 0))
    with pytest.raises(ApplyError) as info:
        system.apply(attrs.evolve(plan, steps=(*plan.steps, bad)))
    assert info.value.step is bad
    assert info.value.restore_error is None
    assert "couldn't locate a matching dhcp host entry" in str(info.value)
    assert obj.XMLDesc(lvflags_inactive()) == persistent
    assert obj.XMLDesc(0) == live


def lvflags_inactive() -> int:
    libvirt = need_module("libvirt", "libvirt-python")
    flag: int = libvirt.VIR_NETWORK_XML_INACTIVE
    return flag


def test_the_cli_applies_and_then_has_nothing_to_plan(
    system: Any, libvirtd: str, tmp_path: Path
) -> None:
    net = network(unique("cli"), "198.51.100.128/27", dhcp=dhcp_range("198.51.100.128/27", 10, 20))
    path = tmp_path / "net.xml"
    path.write_text(net.to_xml())

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "virtnetlib", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    first = cli("plan", "--connect", libvirtd, str(path))
    assert first.returncode == 1, first.stderr
    assert "1. define: define the network" in first.stdout
    applied = cli("apply", "--connect", libvirtd, str(path))
    assert applied.returncode == 0, applied.stderr
    assert f"network {net.name!r} created (started)" in applied.stdout
    assert "start: start the network" in applied.stderr  # progress
    again = cli("plan", "--connect", libvirtd, "--format", "json", str(path))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)[0]["changed"] is False
    assert system.network(net.name).active


def test_nic_plans_change_live_what_libvirt_can_and_report_unacknowledged_unplugs(
    system: Any,
) -> None:
    net = network(unique("nic"), "198.51.100.192/27")
    system.apply_network(net)
    guest, tap = _guest_on(system, net, mac="52:54:00:be:ef:31")
    first = vnl.NetworkInterface(
        mac=vnl.InterfaceMac(address="52:54:00:be:ef:31"),
        source=vnl.NetworkSource(network=net.name),
        model=vnl.NicModel(type="virtio"),
    )
    assert system.plan_interfaces(guest, [first]).changed is False
    # the link state: changed in place on the running guest and in its config
    down = attrs.evolve(first, link=vnl.Link(state="down"))
    plan = system.plan_interfaces(guest, [down])
    assert {(s.kind, s.live, s.config) for s in plan.steps} == {
        ("update", True, False),
        ("update", False, True),
    }
    assert not plan.disruptive
    result = system.apply(plan)
    assert result.pending == ()
    (live,) = system.domain_interfaces(guest)
    assert live.link == vnl.Link(state="down")
    assert live.target.dev == tap  # the same NIC, not a new one
    assert system.domain_interfaces(guest, inactive=True)[0].link == vnl.Link(state="down")
    assert system.plan_interfaces(guest, [down]).steps == ()
    # a second NIC: plugged in, live and in the config, in one call
    second = attrs.evolve(
        first, mac=vnl.InterfaceMac(address="52:54:00:be:ef:32"), rom=vnl.Rom(enabled=False)
    )
    plan = system.plan_interfaces(guest, [down, second])
    assert [(s.kind, s.live, s.config) for s in plan.steps] == [("attach", True, True)]
    system.apply(plan)
    assert {n.mac_address for n in system.domain_interfaces(guest)} == {
        "52:54:00:be:ef:31",
        "52:54:00:be:ef:32",
    }
    # another model cannot be changed on a running guest: unplug, then plug
    # in anew; a guest without an OS never releases the NIC, so the unplug is
    # reported as pending and the new NIC is not plugged in over it
    e1000 = attrs.evolve(second, model=vnl.NicModel(type="e1000"))
    plan = system.plan_interfaces(guest, [down, e1000])
    assert [(s.kind, s.live, s.config) for s in plan.steps] == [
        ("detach", True, False),
        ("attach", True, False),
        ("update", False, True),
    ]
    assert plan.disruptive
    result = system.apply(plan, detach_timeout=2)
    assert result.pending == ("52:54:00:be:ef:32",)
    models = {n.mac_address: n.model for n in system.domain_interfaces(guest, inactive=True)}
    assert models["52:54:00:be:ef:32"] == vnl.NicModel(type="e1000")
    # a plan made before the guest changed is refused
    stale = system.plan_interfaces(guest, [first])
    system.update_interface(guest, attrs.evolve(first, link=vnl.Link(state="up")), live=True)
    from virtnetlib.libvirt import StalePlanError

    with pytest.raises(StalePlanError, match="changed after the plan was made"):
        system.apply(stale)


def test_a_domain_libvirt_wrote_comes_back_byte_for_byte(system: Any) -> None:
    net = network(unique("dx"), "198.51.100.224/27")
    system.apply_network(net)
    guest, _ = _guest_on(system, net, mac="52:54:00:be:ef:41")
    dom = system.raw.lookupByName(guest)
    for flags in (0, need_module("libvirt", "libvirt-python").VIR_DOMAIN_XML_INACTIVE):
        xml = dom.XMLDesc(flags)
        parsed = vnl.parse(xml)
        assert isinstance(parsed, vnl.Guest)
        assert parsed.to_xml() == xml
        assert parsed.interface("52:54:00:be:ef:41") is not None
