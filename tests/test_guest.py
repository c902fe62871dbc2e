"""A whole <domain>: read with parse(), its NICs edited by MAC, the rest kept as it was."""

from __future__ import annotations

import pytest

import virtnetlib as vnl

# as libvirt formats a domain (virsh dumpxml), trimmed
DUMPED = """<domain type='kvm' id='3'>
  <name>vm1</name>
  <uuid>3f4e5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b</uuid>
  <memory unit='KiB'>2097152</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <boot dev='hd'/>
    <boot dev='network'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/vm1.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:12:34:56'/>
      <source network='default' portid='1c9e2f7a-0c6b-4d6e-9b53-0e8f5a1d2c3b' bridge='virbr0'/>
      <target dev='vnet0'/>
      <model type='virtio'/>
      <alias name='net0'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:ab:cd:ef'/>
      <source bridge='br0'/>
      <target dev='vnet1'/>
      <model type='e1000e'/>
      <alias name='net1'/>
      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>
    </interface>
    <console type='pty' tty='/dev/pts/1'>
      <source path='/dev/pts/1'/>
      <target type='serial' port='0'/>
      <alias name='serial0'/>
    </console>
    <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
  </devices>
  <seclabel type='dynamic' model='dac' relabel='yes'>
    <label>+64055:+994</label>
    <imagelabel>+64055:+994</imagelabel>
  </seclabel>
</domain>
"""


def test_parse_reads_a_domain_and_gives_it_back_byte_for_byte() -> None:
    guest = vnl.parse(DUMPED)
    assert isinstance(guest, vnl.Guest)
    assert (guest.name, guest.type) == ("vm1", "kvm")
    assert [nic.mac_address for nic in guest.interfaces] == [
        "52:54:00:12:34:56",
        "52:54:00:ab:cd:ef",
    ]
    assert guest.os is not None
    assert [b.dev for b in guest.os.boots] == ["hd", "network"]
    assert guest.to_xml() == DUMPED
    assert guest.interface("52:54:00:AB:CD:EF") is guest.interfaces[1]
    assert guest.interface("52:54:00:00:00:00") is None
    # everything else is kept, not lost: it is only not typed
    assert "/domain/memory" in vnl.unmodeled(guest)


def test_a_changed_nic_is_written_in_place() -> None:
    guest = vnl.parse(DUMPED)
    assert isinstance(guest, vnl.Guest)
    guest.interfaces[1].link = vnl.Link(state="down")
    out = guest.to_xml()
    assert "      <link state='down'/>\n" in out
    assert out.replace("      <link state='down'/>\n", "") == DUMPED


def test_parse_reads_the_guides_ip_snippet() -> None:
    ip = vnl.parse(
        "<ip address='198.51.100.1' netmask='255.255.255.0'>\n"
        "  <dhcp>\n    <range start='198.51.100.2' end='198.51.100.254'/>\n  </dhcp>\n</ip>\n"
    )
    assert isinstance(ip, vnl.NetworkIP)
    assert ip.dhcp is not None
    assert len(ip.dhcp.ranges) == 1


def test_pxe_boot_from_a_nic_in_one_call() -> None:
    """The guide's PXE step: a boot order on the NIC, no <boot dev=> left in <os>
    (libvirt refuses both together)."""
    out = vnl.set_boot_interface(DUMPED, "52:54:00:ab:cd:ef")
    guest = vnl.parse(out)
    assert isinstance(guest, vnl.Guest)
    assert guest.os is not None
    assert guest.os.boots == []
    assert guest.interfaces[1].boot == vnl.Boot(order=1)
    assert guest.interfaces[0].boot is None
    # only those lines changed
    dropped = DUMPED.replace("    <boot dev='hd'/>\n    <boot dev='network'/>\n", "")
    assert out.replace("      <boot order='1'/>\n", "") == dropped
    with pytest.raises(vnl.UsageError, match="boot order from 1"):
        vnl.set_boot_interface(DUMPED, 0, order=0)
    with pytest.raises(vnl.Error, match="no interface with MAC address"):
        vnl.set_boot_interface(DUMPED, "52:54:00:00:00:00")


def test_find_a_nic_by_mac() -> None:
    nic = vnl.find_interface(DUMPED, "52:54:00:AB:CD:EF")
    assert isinstance(nic, vnl.BridgeInterface)
    assert vnl.find_interface(DUMPED, "52:54:00:00:00:00") is None
    with pytest.raises(vnl.UsageError, match="expected a MAC address string"):
        vnl.find_interface(DUMPED, None)  # type: ignore[arg-type]
