"""A fake sysfs that behaves like the kernel, for testing SR-IOV tools.

:class:`FakeSysfs` builds the real layout in a folder — ``bus/pci/devices``
links into ``devices/pci…``, ``class/net`` links, ``driver``, ``iommu_group``,
``physfn`` and ``virtfnN`` links, ``net/`` directories — and its writes to
``sriov_numvfs`` act like the kernel's: they create or remove VF directories
and links, fail with ``EBUSY`` going from one non-zero count to another,
``ERANGE`` above ``sriov_totalvfs`` and ``ENOENT`` without a driver.

    fake = FakeSysfs(tmp_path)
    fake.add_pf("0000:82:00.0", netdevs=["enp130s0f0"], driver="ixgbe",
                vendor=0x8086, device=0x10FB, total_vfs=7)
    virtnetlib.sriov.set_num_vfs("enp130s0f0", 2, sysfs=fake)
"""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import attrs

from virtnetlib._core.errors import UsageError, expect_names
from virtnetlib.sriov import SriovError, Sysfs, driver_name, pci_address

__all__ = ["FakePf", "FakeSysfs"]


@attrs.define
class FakePf:
    """How a fake physical function behaves."""

    address: str
    netdevs: list[str]
    driver: str | None
    vendor: int
    device: int
    total_vfs: int
    vf_driver: str | None
    vf_device: int
    autoprobe: bool
    vf_offset: int
    vf_stride: int
    max_enable: int | None = None  # a driver that enables fewer VFs than asked
    write_delay: float = 0.0  # a slow driver
    link_delay: float = 0.0  # virtfn links appear this long after the write returns


def _ifname(name: object) -> str:
    """``name`` if the kernel takes it for an interface (and so as one path
    component): 1 to 15 bytes, no whitespace, '/', ':' or NUL, not . or .."""
    if (
        not isinstance(name, str)
        or not 0 < len(name.encode()) <= 15
        or name in (".", "..")
        or any(c.isspace() or c in "/:\x00" for c in name)
    ):
        raise UsageError(
            f"interface name {name!r}: expected 1 to 15 bytes without '/', ':' or spaces"
        )
    return name


def _devfn(address: str) -> tuple[str, int, int]:
    domain_bus, slot_fn = address.rsplit(":", 1)
    slot, fn = slot_fn.split(".")
    return domain_bus, int(slot, 16), int(fn)


class FakeSysfs(Sysfs):
    """A sysfs tree in ``folder`` (with ``proc/cmdline``) that acts like the kernel."""

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        cmdline: str = "intel_iommu=on iommu=pt",
        iommu: bool = True,
    ) -> None:
        base = Path(folder)
        super().__init__(base / "sys", base / "proc")
        self.pfs: dict[str, FakePf] = {}
        self.unreadable: set[Path] = set()
        self.write_errors: dict[Path, int] = {}
        self.iommu = iommu
        self._next_group = 10
        for sub in (
            "bus/pci/devices",
            "bus/pci/drivers",
            "class/net",
            "kernel/iommu_groups",
            "devices/pci0000:00",
        ):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.proc.mkdir(parents=True, exist_ok=True)
        (self.proc / "cmdline").write_text(cmdline + "\n")

    # -------------------------------------------------------------- building

    def _rel(self, src: Path, dst: Path) -> None:
        src.parent.mkdir(parents=True, exist_ok=True)
        src.symlink_to(os.path.relpath(dst, src.parent))

    def _group(self, device: Path) -> None:
        if not self.iommu:
            return
        group = self.root / "kernel" / "iommu_groups" / str(self._next_group)
        self._next_group += 1
        (group / "devices").mkdir(parents=True)
        self._rel(group / "devices" / device.name, device)
        self._rel(device / "iommu_group", group)

    def _bind(self, device: Path, driver: str | None) -> None:
        if driver is None:
            return
        folder = self.root / "bus" / "pci" / "drivers" / driver
        folder.mkdir(parents=True, exist_ok=True)
        self._rel(device / "driver", folder)
        self._rel(folder / device.name, device)

    def _netdev(self, device: Path, name: str, mac: str, operstate: str) -> None:
        net = device / "net" / name
        net.mkdir(parents=True)
        (net / "address").write_text(mac + "\n")
        (net / "operstate").write_text(operstate + "\n")
        self._rel(self.root / "class" / "net" / name, net)
        self._rel(net / "device", device)

    def _device(self, address: str, vendor: int, device_id: int) -> Path:
        path = self.root / "devices" / "pci0000:00" / address
        path.mkdir(parents=True)
        (path / "vendor").write_text(f"0x{vendor:04x}\n")
        (path / "device").write_text(f"0x{device_id:04x}\n")
        (path / "numa_node").write_text("0\n")
        self._rel(self.root / "bus" / "pci" / "devices" / address, path)
        self._group(path)
        return path

    def add_pf(
        self,
        address: str,
        *,
        netdevs: list[str],
        driver: str | None = "ixgbe",
        vendor: int = 0x8086,
        device: int = 0x10FB,
        total_vfs: int = 63,
        num_vfs: int = 0,
        vf_driver: str | None = "ixgbevf",
        vf_device: int = 0x10ED,
        autoprobe: bool = True,
        operstate: str = "up",
        vf_offset: int = 0x80,
        vf_stride: int = 2,
    ) -> Path:
        """Add an SR-IOV capable PF (and ``num_vfs`` VFs).

        Names become paths in the tree, so each is checked: a PCI address,
        interface names the kernel takes, driver names.
        """
        pci_address(address)
        netdevs = [_ifname(n) for n in expect_names(netdevs, "netdevs")]
        for name in (driver, vf_driver):
            if name is not None:
                driver_name(name)
        path = self._device(address, vendor, device)
        (path / "sriov_totalvfs").write_text(f"{total_vfs}\n")
        (path / "sriov_numvfs").write_text("0\n")
        (path / "sriov_drivers_autoprobe").write_text(f"{int(autoprobe)}\n")
        self._bind(path, driver)
        for i, name in enumerate(netdevs):
            self._netdev(path, name, f"a0:36:9f:8f:3f:{0xB8 + i:02x}", operstate)
        self.pfs[address] = FakePf(
            address,
            list(netdevs),
            driver,
            vendor,
            device,
            total_vfs,
            vf_driver,
            vf_device,
            autoprobe,
            vf_offset,
            vf_stride,
        )
        if num_vfs:
            self._create_vfs(self.pfs[address], num_vfs)
        return path

    def add_netdev(self, name: str, address: str | None = None, *, virtio: bool = True) -> None:
        """A NIC without SR-IOV (a PCI virtio NIC, or a virtual one when ``address`` is None)."""
        _ifname(name)
        if address is not None:
            pci_address(address)
        if address is None:
            net = self.root / "devices" / "virtual" / "net" / name
            net.mkdir(parents=True)
            (net / "address").write_text("00:00:00:00:00:00\n")
            (net / "operstate").write_text("unknown\n")
            self._rel(self.root / "class" / "net" / name, net)
            return
        path = self._device(address, 0x1AF4, 0x1000 if virtio else 0x10D3)
        self._bind(path, "virtio-pci" if virtio else "e1000e")
        self._netdev(path, name, "52:54:00:12:34:56", "up")

    def vf_dir(self, pf: str, index: int) -> Path:
        """The sysfs folder of VF ``index`` of ``pf`` (PCI address or netdev name)."""
        try:
            pci_address(pf)
        except UsageError:
            _ifname(pf)
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise UsageError(f"VF index {index!r}: expected an integer >= 0")
        for base in (
            self.root / "bus" / "pci" / "devices" / pf,
            self.root / "class" / "net" / pf / "device",
        ):
            link = base / f"virtfn{index}"
            if link.is_symlink():
                return link.resolve()
        raise SriovError(f"fake sysfs: {pf!r} has no VF {index}")

    def bind_vf(self, pf: str, index: int, driver: str) -> None:
        """Rebind a VF (e.g. to ``vfio-pci``, as libvirt does when assigning it)."""
        driver_name(driver)
        vf = self.vf_dir(pf, index)
        old = vf / "driver"
        if old.is_symlink():
            (old.resolve() / vf.name).unlink()
            old.unlink()
        for net in list((vf / "net").glob("*")) if (vf / "net").exists() else []:
            (self.root / "class" / "net" / net.name).unlink()
            _rmtree(net)
        self._bind(vf, driver)

    def set_operstate(self, pf: str, index: int, state: str) -> None:
        vf = self.vf_dir(pf, index)
        (next((vf / "net").iterdir()) / "operstate").write_text(state + "\n")

    # -------------------------------------------------------------- kernel behaviour

    def read(self, path: Path) -> str:
        if path in self.unreadable:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return super().read(path)

    def write(self, path: Path, value: str) -> None:
        self.writable(path)  # a fake tree is no excuse to write outside it
        forced = self.write_errors.get(path)
        if forced is not None:
            raise OSError(forced, os.strerror(forced), str(path))
        if path.name != "sriov_numvfs":
            super().write(path, value)
            return
        pf = self.pfs[path.parent.name]
        if pf.write_delay:
            time.sleep(pf.write_delay)
        try:
            count = int(value.strip())
        except ValueError:
            raise OSError(errno.EINVAL, "Invalid argument", str(path)) from None
        # the kernel's order of checks (drivers/pci/iov.c, sriov_numvfs_store)
        if count > pf.total_vfs or count < 0:
            raise OSError(errno.ERANGE, "Numerical result out of range", str(path))
        current = int(path.read_text())
        if count == current:
            return
        if pf.driver is None:
            raise OSError(errno.ENOENT, "No such file or directory", str(path))
        if current and count:
            raise OSError(errno.EBUSY, "Device or resource busy", str(path))
        if count == 0:
            self._remove_vfs(pf, current)
        else:
            self._create_vfs(pf, min(count, pf.max_enable or count))

    def settle(self) -> list[str]:
        """Carry out ``sriov_numvfs`` counts another process wrote into the tree.

        Code under test in a process of its own (an Ansible module, a
        command) writes the files itself, past this object; call this (from
        a thread, in a loop) to act as the kernel on what it wrote: VFs are
        created or removed to match, links last, as a real kernel shows
        them. Returns the addresses of the PFs changed. A count that does
        not parse (caught between truncating and writing) waits for the
        next call.
        """
        changed = []
        for address, pf in list(self.pfs.items()):
            device = self.root / "devices" / "pci0000:00" / address
            try:
                wanted = int((device / "sriov_numvfs").read_text().strip() or "x")
            except (OSError, ValueError):
                continue
            have = sum(1 for _ in device.glob("virtfn*"))
            if wanted == have:
                continue
            if have:
                self._remove_vfs(pf, have)
            if wanted:
                self._create_vfs(pf, min(wanted, pf.max_enable or wanted))
            changed.append(address)
        return changed

    def _vf_address(self, pf: FakePf, index: int) -> str:
        domain_bus, slot, fn = _devfn(pf.address)
        devfn = (slot << 3 | fn) + pf.vf_offset + index * pf.vf_stride
        return f"{domain_bus}:{devfn >> 3:02x}.{devfn & 7}"

    def _create_vfs(self, pf: FakePf, count: int) -> None:
        device = self.root / "devices" / "pci0000:00" / pf.address
        vfs = []
        for index in range(count):
            address = self._vf_address(pf, index)
            vf = self._device(address, pf.vendor, pf.vf_device)
            self._rel(vf / "physfn", device)
            if pf.autoprobe and pf.vf_driver:
                self._bind(vf, pf.vf_driver)
                self._netdev(
                    vf,
                    f"{pf.netdevs[0] if pf.netdevs else 'vf'}v{index}",
                    f"02:00:00:00:{int(pf.address[5:7], 16):02x}:{index:02x}",
                    "down",
                )
            vfs.append((index, vf))
        (device / "sriov_numvfs").write_text(f"{count}\n")

        def links() -> None:
            for index, vf in vfs:
                self._rel(device / f"virtfn{index}", vf)

        if pf.link_delay:
            timer = threading.Timer(pf.link_delay, links)
            timer.daemon = True
            timer.start()
        else:
            links()

    def _remove_vfs(self, pf: FakePf, count: int) -> None:
        device = self.root / "devices" / "pci0000:00" / pf.address
        for index in range(count):
            link = device / f"virtfn{index}"
            vf = link.resolve()
            link.unlink()
            for net in list((vf / "net").iterdir()) if (vf / "net").exists() else []:
                (self.root / "class" / "net" / net.name).unlink()
            driver = vf / "driver"
            if driver.is_symlink():
                (driver.resolve() / vf.name).unlink()
            group = vf / "iommu_group"
            if group.is_symlink():
                _rmtree(group.resolve())
            (self.root / "bus" / "pci" / "devices" / vf.name).unlink()
            _rmtree(vf)
        (device / "sriov_numvfs").write_text("0\n")


def _rmtree(path: Path) -> None:
    for entry in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if entry.is_symlink() or entry.is_file():
            entry.unlink()
        else:
            entry.rmdir()
    path.rmdir()
