"""Interfaces that libvirt's QEMU driver refuses (with the E5xx code validate()
gives them in a ``<domain type='qemu'>``) and near misses it accepts.

``tests/test_validate.py`` checks the codes; ``tests/test_libvirtd.py``
holds every case to a real libvirtd's QEMU driver.
"""

from __future__ import annotations

#: A domain for the QEMU driver, formatted with a name and its devices.
QEMU_DOMAIN = (
    "<domain type='qemu'><name>{}</name><memory unit='MiB'>64</memory>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
    "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{}</devices></domain>"
)

_NET = "<interface type='network'><source network='default'/>{}</interface>"
_USER = "<interface type='user'>{}</interface>"
_VDPA = "<interface type='vdpa'><source dev='/dev/vhost-vdpa-0'/>{}</interface>"
_HOSTDEV = (
    "<interface type='hostdev'><source><address type='pci' domain='0' bus='6' slot='2' "
    "function='0'/></source>{}</interface>"
)
_IP4 = "<ip family='ipv4' address='198.51.100.0' prefix='{}'/>"
_IP6 = "<ip family='ipv6' address='2001:db8::' prefix='{}'/>"
_ROUTE = "<route family='ipv4' address='198.51.100.0' prefix='24' gateway='198.51.100.1'/>"
_RX = "<model type='{}'/><driver {}_queue_size='{}'/>"
_MTU = "<mtu size='9000'/>"
_COALESCE = "<coalesce><rx><frames max='7'/></rx></coalesce>"

#: (interface XML, the E5xx code validate() gives it, or None: libvirt takes it)
QEMU_CASES: list[tuple[str, str | None]] = [
    # guest-side addresses: only user (and vdpa) interfaces
    (_NET.format("<ip address='198.51.100.5' prefix='24'/>"), "E501"),
    (_NET.format(_ROUTE), "E501"),
    (_HOSTDEV.format("<ip address='198.51.100.5' prefix='24'/>"), "E501"),
    (_VDPA.format("<ip address='198.51.100.5' prefix='24'/>"), None),
    (
        "<interface type='ethernet'><source><ip address='198.51.100.5' prefix='24'/></source>"
        "</interface>",
        None,
    ),  # the host side
    # user networking's addresses
    (_USER.format(_IP4.format(24)), None),
    (_USER.format(_ROUTE), "E502"),
    (_USER.format("<ip address='198.51.100.0' prefix='24' peer='198.51.100.9'/>"), "E502"),
    (_USER.format(_IP4.format(24) + _IP4.format(25).replace("100.0", "101.0")), "E502"),
    (_USER.format(_IP4.format(28)), "E502"),
    (_USER.format(_IP4.format(3).replace("51.100", "0.0")), "E502"),
    (_USER.format(_IP4.format(27)), None),
    (_USER.format("<ip family='ipv4' address='198.51.100.0'/>"), None),
    (_USER.format(_IP6.format(48)), "E502"),
    (_USER.format(_IP6.format(64)), None),
    (_USER.format(_IP6.format(64) + _IP6.format(64).replace("db8::", "db8:1::")), "E502"),
    # vdpa models
    (_VDPA.format("<model type='e1000'/>"), "E503"),
    (_VDPA.format("<model type='virtio-transitional'/>"), "E503"),
    (_VDPA.format("<model type='virtio'/>"), None),
    (_VDPA.format(""), None),
    # virtio queue sizes
    (_USER.format(_RX.format("virtio", "rx", 300)), "E504"),
    (_USER.format(_RX.format("virtio-transitional", "rx", 300)), "E504"),
    (_USER.format(_RX.format("virtio", "tx", 300)), "E504"),
    (_USER.format(_RX.format("virtio", "rx", 256)), None),
    (_USER.format(_RX.format("e1000", "rx", 300)), None),
    # MTU
    (_NET.format(_MTU), None),
    ("<interface type='bridge'><source bridge='br0'/>" + _MTU + "</interface>", None),
    ("<interface type='ethernet'>" + _MTU + "</interface>", None),
    (
        "<interface type='vhostuser'><source type='unix' path='/tmp/x.sock' mode='client'/>"
        "<model type='virtio'/>" + _MTU + "</interface>",
        None,
    ),
    (_USER.format(_MTU), "E505"),
    ("<interface type='direct'><source dev='eth0' mode='bridge'/>" + _MTU + "</interface>", "E505"),
    (_HOSTDEV.format(_MTU), "E505"),
    (
        "<interface type='mcast'><source address='230.0.0.1' port='5558'/>" + _MTU + "</interface>",
        "E505",
    ),
    (_VDPA.format(_MTU), "E505"),
    # teaming
    (_NET.format("<model type='e1000'/><teaming type='persistent'/><alias name='ua-b'/>"), "E506"),
    (_NET.format("<model type='virtio'/><teaming type='persistent'/><alias name='ua-b'/>"), None),
    (
        "<interface type='bridge'><source bridge='br0'/><model type='virtio'/>"
        "<teaming type='transient' persistent='ua-b'/></interface>",
        "E506",
    ),
    (_NET.format("<teaming type='transient' persistent='ua-b'/>"), None),
    (_HOSTDEV.format("<teaming type='transient' persistent='ua-b'/>"), None),
    # coalesce
    (_NET.format(_COALESCE), None),
    (_USER.format(_COALESCE), "E507"),
    ("<interface type='ethernet'>" + _COALESCE + "</interface>", "E507"),
    # ROM tuning
    (_USER.format("<rom bar='off'/><address type='usb' bus='0' port='1'/>"), "E508"),
    (_USER.format("<rom file='/x.bin'/><address type='usb' bus='0' port='1'/>"), "E508"),
    (
        _USER.format(
            "<rom bar='off'/><address type='pci' domain='0' bus='0' slot='5' function='0'/>"
        ),
        None,
    ),
    (_USER.format("<rom bar='off'/>"), None),
]
