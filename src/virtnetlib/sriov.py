"""SR-IOV from sysfs: find physical and virtual functions, set VF counts safely,
and hand VFs to VMs as hostdev interfaces.

Everything reads and writes through a :class:`Sysfs` object whose root is
injectable (``Sysfs("/sys")`` by default), so tools and tests can point it
at a fake tree (:mod:`virtnetlib.fakesysfs`). Links are resolved and compared
as paths, never matched by substring; VFs sort by their number (``virtfn2``
before ``virtfn10``); a file that cannot be read is reported, not read as 0.
"""

from __future__ import annotations

import errno
import html
import os
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import attrs

from virtnetlib._core.display import table
from virtnetlib._core.errors import (
    Error,
    UsageError,
    expect_path,
    expect_seconds,
    expect_str,
    shortened,
)
from virtnetlib._core.files import read_regular, replace_file
from virtnetlib._core.model import expect_model
from virtnetlib._models.common import PciAddress, Vlan
from virtnetlib._models.interface import HostdevInterface, Interface

__all__ = [
    "TESTED_NICS",
    "Finding",
    "Inventory",
    "PhysicalFunction",
    "SriovError",
    "Sysfs",
    "TestedNic",
    "VfCountPlan",
    "VirtualFunction",
    "inventory",
    "pick_free_vf",
    "set_num_vfs",
    "udev_rule",
    "udev_rule_file",
    "write_udev_rule",
]

_PCI = re.compile(r"[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]\Z")
_VIRTFN = re.compile(r"virtfn([0-9]{1,9})\Z")
#: Drivers that mean "this VF is handed to a VM" (or reserved for one).
ASSIGNED_DRIVERS = frozenset({"vfio-pci", "pci-stub", "vfio"})


class SriovError(Error):
    """An SR-IOV operation failed; ``attempted`` says what was being done."""

    def __init__(self, message: str, *, attempted: str = "", errno_: int | None = None):
        self.attempted = attempted
        self.errno = errno_
        super().__init__(message)


class Sysfs:
    """Where sysfs and procfs are, and how to read and write them.

    ``root`` is the sysfs mount (``/sys``); ``proc`` the procfs mount, for
    the kernel command line. What a sysfs tree holds is not trusted: every
    path is resolved (links followed) and used only when it stays under
    ``root`` or ``proc``; only regular files are read, without blocking and
    up to 64 KiB; text that is not UTF-8 is an error, not a crash.
    Subclasses may change how writes behave (see
    :class:`virtnetlib.fakesysfs.FakeSysfs`).
    """

    #: Most bytes read from one attribute (the kernel's are at most a page).
    READ_LIMIT = 64 * 1024

    def __init__(
        self, root: str | os.PathLike[str] = "/sys", proc: str | os.PathLike[str] = "/proc"
    ):
        self.root = expect_path(root, "sysfs root")
        self.proc = expect_path(proc, "procfs root")

    def _tops(self) -> tuple[Path, ...]:
        return (Path(os.path.realpath(self.root)), Path(os.path.realpath(self.proc)))

    def inside(self, path: Path) -> Path | None:
        """``path`` with every link resolved, if it stays under the sysfs or
        procfs root; otherwise None."""
        resolved = Path(os.path.realpath(path))
        for top in self._tops():
            if resolved == top or top in resolved.parents:
                return resolved
        return None

    def _checked(self, path: Path) -> Path:
        resolved = self.inside(path)
        if resolved is None:
            raise OSError(
                errno.EXDEV,
                f"it leads to {os.path.realpath(path)}, outside {self.root} and {self.proc}",
            )
        return resolved

    def read(self, path: Path) -> str:
        """The stripped text of a sysfs file (``OSError`` on failure, a FIFO,
        a device or a path leading out of the roots included)."""
        data = read_regular(self._checked(path), self.READ_LIMIT)
        if len(data) > self.READ_LIMIT:
            raise OSError(errno.EFBIG, f"more than {self.READ_LIMIT} bytes")
        try:
            return data.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise OSError(errno.EILSEQ, "its content is not UTF-8 text") from None

    def write(self, path: Path, value: str) -> None:
        """Write like ``echo value > path`` (one write call, as the kernel expects).

        A path that leads out of the sysfs root is refused (:class:`SriovError`);
        the file itself is opened without following a link.
        """
        resolved = self.writable(path)
        fd = os.open(resolved, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NOCTTY)
        try:
            os.write(fd, value.encode())
        finally:
            os.close(fd)

    def writable(self, path: Path) -> Path:
        """``path`` resolved, if it stays under the sysfs root; otherwise a SriovError."""
        resolved = self.inside(path)
        if resolved is None or not resolved.is_relative_to(self._tops()[0]):
            raise SriovError(
                f"refusing to write {path}: it leads to {os.path.realpath(path)}, outside the "
                f"sysfs root {self.root}",
                attempted=f"write {path}",
            )
        return resolved

    def resolve(self, path: Path) -> Path | None:
        """Where a link points, or ``None`` if it does not exist or leads out of the roots."""
        try:
            path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        return self.inside(path)

    def entries(self, folder: Path) -> list[Path]:
        """The entries of a folder in the tree (empty when it is none, or leads out)."""
        resolved = self.inside(folder)
        if resolved is None:
            return []
        try:
            return [folder / name for name in sorted(os.listdir(resolved))]
        except OSError:
            return []

    def exists(self, path: Path) -> bool:
        """Whether ``path`` exists in the tree (a link leading out does not)."""
        return self.resolve(path) is not None


# ------------------------------------------------------------------ records

Severity = Literal["error", "warning", "info"]


@attrs.frozen
class Finding:
    """A fact about the host's SR-IOV readiness, with a stable code."""

    code: str
    severity: Severity
    message: str
    subject: str | None = None


@attrs.frozen
class TestedNic:
    """A NIC the RHEL 10 guide lists as tested for SR-IOV."""

    vendor_id: int
    device_id: int
    name: str
    driver: str | None
    caveat: str | None = None


_BCM57810_CAVEAT = (
    "making VFs persistent with a udev rule does not work correctly on Broadcom NetXtreme "
    "II BCM57810 adapters, and attaching their VFs to Windows VMs is not reliable (RHEL 10 "
    "guide)"
)

#: The NICs the RHEL 10 guide names as tested for SR-IOV, by (vendor, device) id.
TESTED_NICS: dict[tuple[int, int], TestedNic] = {
    (n.vendor_id, n.device_id): n
    for n in (
        TestedNic(0x8086, 0x10FB, "Intel 82599ES 10 Gigabit Ethernet Controller", "ixgbe"),
        TestedNic(0x8086, 0x1583, "Intel Ethernet Controller XL710 (40GbE QSFP+)", "i40e"),
        TestedNic(0x8086, 0x1584, "Intel Ethernet Controller XL710 (40GbE QSFP+)", "i40e"),
        TestedNic(0x8086, 0x158A, "Intel Ethernet Network Adapter XXV710 (25GbE)", "i40e"),
        TestedNic(0x8086, 0x158B, "Intel Ethernet Network Adapter XXV710 (25GbE SFP28)", "i40e"),
        TestedNic(0x8086, 0x10C9, "Intel 82576 Gigabit Ethernet Controller", "igb"),
        TestedNic(0x8086, 0x10E6, "Intel 82576 Gigabit Ethernet Controller (fiber)", "igb"),
        TestedNic(0x8086, 0x10E7, "Intel 82576 Gigabit Ethernet Controller (SerDes)", "igb"),
        TestedNic(0x8086, 0x10E8, "Intel 82576 Gigabit Ethernet Controller (quad port)", "igb"),
        TestedNic(0x8086, 0x1526, "Intel 82576 Gigabit Ethernet Controller (quad port)", "igb"),
        TestedNic(
            0x14E4, 0x168E, "Broadcom NetXtreme II BCM57810", "bnx2x", caveat=_BCM57810_CAVEAT
        ),
        TestedNic(0x8086, 0x1592, "Intel Ethernet Controller E810-C for QSFP", "ice"),
        TestedNic(0x1924, 0x0A03, "Solarflare SFC9220 10/40G Ethernet Controller", "sfc"),
        TestedNic(0x1077, 0x8070, "QLogic FastLinQ QL41000 Series 10/25/40/50GbE", "qede"),
        TestedNic(0x15B3, 0x1015, "Mellanox MT27710 (ConnectX-4 Lx)", "mlx5_core"),
        TestedNic(0x15B3, 0x101D, "Mellanox MT2892 Family [ConnectX-6 Dx]", "mlx5_core"),
        TestedNic(0x15B3, 0x1021, "Mellanox MT2910 Family [ConnectX-7]", "mlx5_core"),
    )
}


@attrs.frozen
class VirtualFunction:
    """One VF of a physical function, as sysfs shows it."""

    index: int
    pci_address: str
    pf_address: str
    netdev: str | None
    mac: str | None
    driver: str | None
    iommu_group: int | None
    operstate: str | None = None

    @property
    def assigned(self) -> bool:
        """Bound to a driver that hands devices to VMs (``vfio-pci``)."""
        return self.driver in ASSIGNED_DRIVERS

    def to_interface(
        self, mac: str | None = None, *, vlan: Vlan | None = None, managed: bool = True
    ) -> HostdevInterface:
        """The ``<interface type='hostdev' managed='yes'>`` that gives this VF to a VM.

        Equal to what ``virsh attach-interface VM hostdev ADDR --mac MAC --managed``
        stores. Give a ``mac``: without one the VF gets a new MAC each boot.
        """
        iface = HostdevInterface.for_vf(self.pci_address, mac, managed=managed)
        return attrs.evolve(iface, vlan=vlan) if vlan is not None else iface


@attrs.frozen
class PhysicalFunction:
    """An SR-IOV capable PCI device and its VFs."""

    pci_address: str
    netdevs: tuple[str, ...]
    driver: str | None
    vendor_id: int | None
    device_id: int | None
    total_vfs: int | None
    num_vfs: int | None
    drivers_autoprobe: bool | None
    numa_node: int | None
    iommu_group: int | None
    link_states: dict[str, str | None]
    vfs: tuple[VirtualFunction, ...]

    @property
    def tested_nic(self) -> TestedNic | None:
        """The guide's entry for this NIC, if it is on the tested list."""
        if self.vendor_id is None or self.device_id is None:
            return None
        return TESTED_NICS.get((self.vendor_id, self.device_id))

    @property
    def link_up(self) -> bool:
        return any(state == "up" for state in self.link_states.values())


@attrs.frozen
class Inventory:
    """What :func:`inventory` found: PFs, every netdev, and findings."""

    pfs: tuple[PhysicalFunction, ...]
    netdevs: dict[str, str | None]
    iommu_groups: int
    findings: tuple[Finding, ...]

    @property
    def has_sriov(self) -> bool:
        return bool(self.pfs)

    def _repr_html_(self) -> str:
        """The inventory as tables: PFs, their VFs, and the findings."""
        vfs = [
            f"<p>VFs of {html.escape(pf.pci_address)}</p>{table(pf.vfs)}"
            for pf in self.pfs
            if pf.vfs
        ]
        return "".join([table(self.pfs), *vfs, table(self.findings)])

    def pf(self, name_or_address: str) -> PhysicalFunction:
        """A PF by PCI address or by one of its netdev names."""
        for pf in self.pfs:
            if name_or_address == pf.pci_address or name_or_address in pf.netdevs:
                return pf
        raise SriovError(f"no SR-IOV physical function {name_or_address!r} on this host")


# ------------------------------------------------------------------ reading


class _Reader:
    def __init__(self, sysfs: Sysfs) -> None:
        self.sysfs = sysfs
        self.findings: list[Finding] = []

    def text(self, path: Path, subject: str) -> str | None:
        try:
            return self.sysfs.read(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.findings.append(
                Finding(
                    "S190",
                    "warning",
                    f"cannot read {path}: {exc.strerror or exc}",
                    subject,
                )
            )
            return None

    def number(self, path: Path, subject: str, base: int = 10) -> int | None:
        raw = self.text(path, subject)
        if raw is None:
            return None
        try:
            # what the kernel writes: ASCII, short (int() would take other
            # scripts' digits, and spend time on thousands of them)
            if not raw.isascii() or len(raw) > 32:
                raise ValueError(raw)
            return int(raw, base)
        except ValueError:
            self.findings.append(
                Finding(
                    "S191", "warning", f"unexpected content {shortened(raw)!r} in {path}", subject
                )
            )
            return None

    def link_name(self, path: Path) -> str | None:
        target = self.sysfs.resolve(path)
        return target.name if target is not None else None

    def group(self, device: Path) -> int | None:
        name = self.link_name(device / "iommu_group")
        # ASCII digits only: "²" is a digit to str.isdigit(), not to int()
        if name is None or not (name.isascii() and name.isdigit()) or len(name) > 9:
            return None
        return int(name)

    def netdevs(self, device: Path) -> list[str]:
        return [p.name for p in self.sysfs.entries(device / "net")]


def _pci_dir(sysfs: Sysfs, address: str) -> Path | None:
    return sysfs.resolve(sysfs.root / "bus" / "pci" / "devices" / address)


def _read_vf(reader: _Reader, pf_address: str, index: int, link: Path) -> VirtualFunction | None:
    target = reader.sysfs.resolve(link)
    if target is None or not _PCI.match(target.name):
        return None
    netdevs = reader.netdevs(target)
    netdev = netdevs[0] if netdevs else None
    mac = operstate = None
    if netdev is not None:
        mac = reader.text(target / "net" / netdev / "address", target.name)
        operstate = reader.text(target / "net" / netdev / "operstate", target.name)
    return VirtualFunction(
        index=index,
        pci_address=target.name,
        pf_address=pf_address,
        netdev=netdev,
        mac=mac,
        driver=reader.link_name(target / "driver"),
        iommu_group=reader.group(target),
        operstate=operstate,
    )


def _read_pf(reader: _Reader, device: Path) -> PhysicalFunction:
    address = device.name
    vfs = []
    for entry in reader.sysfs.entries(device):
        match = _VIRTFN.match(entry.name)
        if match:
            vf = _read_vf(reader, address, int(match.group(1)), entry)
            if vf is not None:
                vfs.append(vf)
    vfs.sort(key=lambda vf: vf.index)
    netdevs = reader.netdevs(device)
    autoprobe = reader.number(device / "sriov_drivers_autoprobe", address)
    numa = reader.number(device / "numa_node", address)
    return PhysicalFunction(
        pci_address=address,
        netdevs=tuple(netdevs),
        driver=reader.link_name(device / "driver"),
        vendor_id=reader.number(device / "vendor", address, 16),
        device_id=reader.number(device / "device", address, 16),
        total_vfs=reader.number(device / "sriov_totalvfs", address),
        num_vfs=reader.number(device / "sriov_numvfs", address),
        drivers_autoprobe=None if autoprobe is None else bool(autoprobe),
        numa_node=None if numa is None or numa < 0 else numa,
        iommu_group=reader.group(device),
        link_states={n: reader.text(device / "net" / n / "operstate", address) for n in netdevs},
        vfs=tuple(vfs),
    )


def _iommu_findings(reader: _Reader) -> tuple[int, list[Finding]]:
    groups_dir = reader.sysfs.root / "kernel" / "iommu_groups"
    groups = len(reader.sysfs.entries(groups_dir))
    findings = []
    cmdline = reader.text(reader.sysfs.proc / "cmdline", "kernel") or ""
    words = cmdline.split()
    if groups == 0:
        hint = (
            ""
            if any(w in words for w in ("intel_iommu=on", "amd_iommu=on", "iommu=pt"))
            else "; add intel_iommu=on iommu=pt (Intel) or iommu=pt (AMD) to the kernel "
            "command line, enable VT-d/AMD-Vi in the firmware, and reboot"
        )
        findings.append(
            Finding(
                "S101", "error", f"the IOMMU is not enabled: no IOMMU groups in {groups_dir}{hint}"
            )
        )
    elif "iommu=pt" not in words:
        findings.append(
            Finding(
                "S102",
                "info",
                "the IOMMU is on; iommu=pt on the kernel command line helps host "
                "performance with assigned devices",
            )
        )
    return groups, findings


def _check_sysfs(sysfs: object) -> Sysfs:
    """A :class:`Sysfs`; None for the host's; a path for a sysfs tree there."""
    if sysfs is None:
        return Sysfs()
    if isinstance(sysfs, Sysfs):
        return sysfs
    if isinstance(sysfs, (str, os.PathLike)):
        return Sysfs(sysfs)
    raise UsageError(f"sysfs: expected a Sysfs or a path, got {type(sysfs).__name__}")


def inventory(sysfs: Sysfs | str | os.PathLike[str] | None = None) -> Inventory:
    """Every SR-IOV physical function, its VFs, every netdev, and readiness findings.

    Never raises for what it finds on the host: unreadable files and odd
    content become findings.
    """
    sysfs = _check_sysfs(sysfs)
    reader = _Reader(sysfs)
    pfs = []
    for link in sysfs.entries(sysfs.root / "bus" / "pci" / "devices"):
        device = sysfs.resolve(link)
        if device is None or not sysfs.exists(device / "sriov_totalvfs"):
            continue
        if not _PCI.match(device.name):
            reader.findings.append(
                Finding(
                    "S191",
                    "warning",
                    f"{link} leads to {device.name!r}, which is not a PCI address; left out",
                )
            )
            continue
        pfs.append(_read_pf(reader, device))
    netdevs: dict[str, str | None] = {}
    for entry in sysfs.entries(sysfs.root / "class" / "net"):
        device = sysfs.resolve(entry / "device")
        netdevs[entry.name] = device.name if device is not None else None
    groups, findings = _iommu_findings(reader)
    findings += reader.findings
    if not pfs:
        findings.append(Finding("S100", "info", "no SR-IOV capable network devices on this host"))
    for pf in pfs:
        if not pf.link_up:
            names = ", ".join(pf.netdevs) or "(no netdev)"
            findings.append(
                Finding(
                    "S103",
                    "warning",
                    f"physical function {pf.pci_address} ({names}) has no link up; bring it up "
                    "(ip link set DEV up) before creating VFs",
                    pf.pci_address,
                )
            )
        nic = pf.tested_nic
        if nic is None:
            findings.append(
                Finding(
                    "S104",
                    "info",
                    f"{pf.pci_address} ({pf.vendor_id or 0:04x}:{pf.device_id or 0:04x}) is not on "
                    "the RHEL 10 guide's list of NICs tested for SR-IOV",
                    pf.pci_address,
                )
            )
        elif nic.caveat:
            findings.append(
                Finding("S105", "warning", f"{pf.pci_address}: {nic.caveat}", pf.pci_address)
            )
    return Inventory(tuple(pfs), netdevs, groups, tuple(findings))


# ------------------------------------------------------------------ changing the VF count


@attrs.frozen
class VfCountPlan:
    """What :func:`set_num_vfs` does (or did): the writes, and the outcome."""

    pf_address: str
    current: int
    requested: int
    writes: tuple[int, ...]
    actual: int | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def changes(self) -> bool:
        return bool(self.writes)


def _in_use(vf: VirtualFunction, sysfs: Sysfs) -> str | None:
    if vf.assigned:
        return f"{vf.pci_address} is bound to {vf.driver} (assigned to a VM)"
    if vf.netdev is not None:
        if vf.operstate == "up":
            return f"{vf.pci_address} ({vf.netdev}) is up"
        vf_dir = _pci_dir(sysfs, vf.pci_address)
        if vf_dir is not None and sysfs.resolve(vf_dir / "net" / vf.netdev / "master"):
            return f"{vf.pci_address} ({vf.netdev}) is a port of a bridge or bond"
    return None


_ERRNO_ADVICE = {
    errno.EBUSY: "the device is busy: VFs exist already; set the count to 0 first "
    "(allow_change=True does that)",
    errno.ERANGE: "more VFs than the device supports (see sriov_totalvfs)",
    errno.ENOENT: "no driver is bound to the physical function, or it has no SR-IOV; "
    "load the NIC driver first",
    errno.EINVAL: "the driver refused the count",
    errno.EACCES: "permission denied: writing sriov_numvfs needs root",
    errno.EPERM: "operation not permitted: writing sriov_numvfs needs root (and no lockdown)",
    errno.ENOMEM: "the kernel could not allocate the VFs (try fewer)",
}


def _write_count(sysfs: Sysfs, path: Path, value: int, timeout: float) -> None:
    result: list[BaseException] = []

    def target() -> None:
        try:
            sysfs.write(path, str(value))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            result.append(exc)

    # Drivers can take long to create VFs; the write runs in a thread so the
    # caller gets control back after ``timeout`` (the kernel call goes on).
    thread = threading.Thread(target=target, name="sriov_numvfs", daemon=True)
    thread.start()
    thread.join(timeout)
    attempted = f"write {value} to {path}"
    if thread.is_alive():
        raise SriovError(
            f"writing {value} to {path} did not finish within {timeout:g} s; the driver is "
            "still working — check sriov_numvfs before retrying",
            attempted=attempted,
        )
    if result:
        exc = result[0]
        if isinstance(exc, OSError):
            advice = _ERRNO_ADVICE.get(exc.errno or 0, exc.strerror or str(exc))
            raise SriovError(
                f"{attempted} failed: {advice}", attempted=attempted, errno_=exc.errno
            ) from exc
        raise exc


def set_num_vfs(
    pf: str,
    count: int,
    *,
    sysfs: Sysfs | str | os.PathLike[str] | None = None,
    allow_change: bool = False,
    force: bool = False,
    dry_run: bool = False,
    timeout: float = 60.0,
) -> VfCountPlan:
    """Set the number of VFs of a physical function, safely.

    Reads first and does nothing if the count is already right. Going from
    one non-zero count to another passes through 0, which destroys the
    existing VFs: that needs ``allow_change=True``, and is refused while a
    VF is assigned (``vfio-pci``), up, or a bridge/bond port, unless
    ``force=True``. Each write has a ``timeout``; the count is read back
    (drivers may enable fewer) and the call waits for the ``virtfn*`` links.
    ``dry_run`` returns the plan without writing.
    """
    sysfs = _check_sysfs(sysfs)
    count = _check_count(count, None)
    timeout = expect_seconds(timeout)
    expect_str(pf, "pf", nonempty=True)
    inv = inventory(sysfs)
    physical = inv.pf(pf)
    device = _pci_dir(sysfs, physical.pci_address)
    if device is None:  # pragma: no cover - inventory found it a moment ago
        raise SriovError(f"{physical.pci_address} disappeared from sysfs")
    path = device / "sriov_numvfs"
    current = physical.num_vfs
    if current is None:
        raise SriovError(f"cannot read {path}", attempted=f"read {path}")
    if physical.total_vfs is not None and count > physical.total_vfs:
        raise SriovError(
            f"{physical.pci_address} supports at most {physical.total_vfs} VFs, not {count}",
            attempted=f"write {count} to {path}",
            errno_=errno.ERANGE,
        )
    if count == current:
        return VfCountPlan(physical.pci_address, current, count, (), actual=current)
    writes: tuple[int, ...] = (count,)
    if current and count:
        if not allow_change:
            raise SriovError(
                f"{physical.pci_address} has {current} VFs; changing to {count} means removing "
                "them all first (the kernel requires passing through 0), which destroys VFs "
                "VMs may be using. Pass allow_change=True to do it.",
                attempted=f"write {count} to {path}",
                errno_=errno.EBUSY,
            )
        writes = (0, count)
    if current:  # existing VFs go away
        busy = [reason for vf in physical.vfs if (reason := _in_use(vf, sysfs))]
        if busy and not force:
            raise SriovError(
                "refusing to remove VFs that are in use: "
                + "; ".join(busy)
                + ". Pass force=True to remove them anyway.",
                attempted=f"write 0 to {path}",
            )
    plan = VfCountPlan(physical.pci_address, current, count, writes)
    if dry_run:
        return plan
    for value in writes:
        _write_count(sysfs, path, value, timeout)
    actual = _wait_for_vfs(sysfs, device, path, count, timeout)
    findings = []
    if actual < count:
        findings.append(
            Finding(
                "S110",
                "warning",
                f"asked for {count} VFs but the driver enabled {actual}",
                physical.pci_address,
            )
        )
    return attrs.evolve(plan, actual=actual, findings=tuple(findings))


def _wait_for_vfs(sysfs: Sysfs, device: Path, path: Path, count: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    actual = count
    while True:
        try:
            actual = int(sysfs.read(path))
        except (OSError, ValueError):
            actual = -1
        links = sum(1 for p in sysfs.entries(device) if _VIRTFN.match(p.name))
        if actual >= 0 and links == actual:
            return actual
        if time.monotonic() > deadline:
            raise SriovError(
                f"{path} reads {actual} but {links} virtfn links appeared within {timeout:g} s",
                attempted=f"wait for VFs of {device.name}",
            )
        time.sleep(0.05)


# ------------------------------------------------------------------ persistence


def _check_count(count: object, pf: PhysicalFunction | None) -> int:
    """A VF count: an int from 0 (to the PF's total, when known), as a plain int
    (an int subclass could format itself as anything in a rule or a write)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise UsageError(f"VF count {count!r}: expected an integer >= 0")
    number = int.__index__(count)
    if pf is not None and pf.total_vfs is not None and number > pf.total_vfs:
        raise UsageError(f"{pf.pci_address} supports at most {pf.total_vfs} VFs, not {number}")
    return number


def _check_pf(pf: object) -> PhysicalFunction:
    if not isinstance(pf, PhysicalFunction):
        raise UsageError(
            f"expected a PhysicalFunction (from inventory().pfs), got {type(pf).__name__}"
        )
    return pf


def udev_rule(pf: PhysicalFunction, count: int, *, style: Literal["pci", "driver"] = "pci") -> str:
    """A udev rule that recreates ``count`` VFs at boot.

    ``style="driver"`` is the RHEL 10 guide's rule, matched on the driver
    (every PF of that driver gets the VFs); ``style="pci"`` matches this one
    PF by its PCI address, which is safer on hosts with several NICs.
    """
    pf = _check_pf(pf)
    count = _check_count(count, pf)
    if style not in ("pci", "driver"):
        raise UsageError(f"style {style!r}: expected 'pci' or 'driver'")
    # what goes into the rule is checked against its grammar: a quote or a
    # line break would end the match and add keys (RUN+=) or a rule
    address = pci_address(pf.pci_address)
    if style == "driver":
        if not pf.driver:
            raise SriovError(f"{address} has no driver to match on")
        match = f'ENV{{ID_NET_DRIVER}}=="{driver_name(pf.driver)}"'
    else:
        match = f'KERNELS=="{address}"'
    return f'ACTION=="add", SUBSYSTEM=="net", {match}, ATTR{{device/sriov_numvfs}}="{count}"\n'


_DRIVER = re.compile(r"[A-Za-z0-9_.-]{1,64}\Z")


def pci_address(value: object) -> str:
    """``value`` if it is a PCI address as sysfs writes it (``0000:82:00.0``),
    otherwise a :class:`~virtnetlib.UsageError`."""
    if not isinstance(value, str) or not _PCI.match(value):
        raise UsageError(
            f"PCI address {value!r}: expected domain:bus:slot.function in lowercase hex, "
            "such as 0000:82:00.0"
        )
    return value


def driver_name(value: object) -> str:
    """``value`` if it is a kernel driver name (letters, digits, ``_ . -``), else a UsageError."""
    if not isinstance(value, str) or not _DRIVER.match(value):
        raise UsageError(f"driver {value!r}: expected a kernel driver name such as ixgbe")
    return value


def udev_rule_file(
    pf: PhysicalFunction,
    count: int,
    *,
    style: Literal["pci", "driver"] = "pci",
    filename: str | None = None,
) -> tuple[str, str]:
    """The file :func:`write_udev_rule` writes: its name and its text (to
    compare with what a host has before writing it)."""
    pf = _check_pf(pf)
    safe = pci_address(pf.pci_address).replace(":", "_").replace(".", "_")
    name = f"70-virtnetlib-sriov-{safe}.rules" if filename is None else filename
    expect_str(name, "filename")
    if "/" in name or name.startswith(".") or not name.endswith(".rules"):
        # udev reads only *.rules files, and the rule goes in rules_dir itself
        raise UsageError(f"filename {name!r}: expected a plain file name ending in .rules")
    text = "# Written by virtnetlib: recreate SR-IOV VFs at boot\n" + udev_rule(
        pf, count, style=style
    )
    return name, text


def write_udev_rule(
    rules_dir: str | os.PathLike[str],
    pf: PhysicalFunction,
    count: int,
    *,
    style: Literal["pci", "driver"] = "pci",
    filename: str | None = None,
) -> Path:
    """Write :func:`udev_rule` atomically into ``rules_dir`` (e.g. ``/etc/udev/rules.d``)."""
    folder = expect_path(rules_dir, "rules_dir")
    name, text = udev_rule_file(pf, count, style=style, filename=filename)
    target = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # a random O_EXCL temporary beside it, renamed over it (nothing
        # planted in the folder is followed or overwritten)
        replace_file(target, text.encode())
    except OSError as exc:
        raise SriovError(
            f"cannot write {target}: {exc.strerror or exc}",
            attempted=f"write {target}",
            errno_=exc.errno,
        ) from exc
    return target


# ------------------------------------------------------------------ VFs for VMs


def _hostdev_addresses(interfaces: Iterable[Interface]) -> set[str]:
    out = set()
    for iface in interfaces:
        if isinstance(iface, HostdevInterface) and isinstance(iface.source.address, PciAddress):
            out.add(str(iface.source.address))
    return out


def pick_free_vf(
    pf: PhysicalFunction, in_use: Iterable[Interface] | None = ()
) -> VirtualFunction | None:
    """A VF of ``pf`` that no VM uses: not bound to vfio-pci, and not the source of
    any hostdev interface in ``in_use`` (e.g. every domain's interfaces)."""
    pf = _check_pf(pf)
    if in_use is None:
        in_use = ()
    if isinstance(in_use, (str, bytes)) or not isinstance(in_use, Iterable):
        raise UsageError(
            f"in_use: expected interfaces (Interface models), got {type(in_use).__name__}"
        )
    taken = _hostdev_addresses(expect_model(i, Interface, "in_use") for i in in_use)
    for vf in pf.vfs:
        if not vf.assigned and vf.pci_address not in taken:
            return vf
    return None
