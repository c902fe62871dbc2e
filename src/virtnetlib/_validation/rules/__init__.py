"""libvirt's define-time checks and the RHEL 10 guide's advice, on the models.

Each rule has a stable code and is declared on the check that reports it,
naming the libvirt function that makes the same check (or the guide's
section, for advice). One module per family:

- ``network``: libvirt's network XML parser, E2xx on networks;
- ``interface``: its domain interface parser and validator, E2xx on
  interfaces and across a domain's devices;
- ``host``: its host interface parser, E2xx on host interfaces;
- ``common``: the elements those share (bandwidth, VLAN, virtualport);
- ``driver``: the network driver's checks when libvirtd defines a
  network, E4xx (the test driver does not make them);
- ``qemu``: the QEMU driver's, E5xx, for interfaces of a kvm or qemu domain;
- ``advice``: W3xx.

``engine`` holds the registry (:data:`RULES`) and runs the checks
(:func:`check_model`, :func:`check_domain`); importing this package loads
every family into it.
"""

from __future__ import annotations

from virtnetlib._models.hostinterface import HostInterface
from virtnetlib._models.interface import Interface
from virtnetlib._models.network import Network
from virtnetlib._validation.rules import advice, common, driver, host, interface, network, qemu
from virtnetlib._validation.rules.engine import (
    CHECKS,
    QEMU_DOMAIN_TYPES,
    RULES,
    Rule,
    check_domain,
    check_model,
    declare,
)

__all__ = [
    "CHECKS",
    "E_NEWER_DRIVER",
    "E_NEWER_FEATURE",
    "E_PARSER_VALUE",
    "FAMILIES",
    "QEMU_DOMAIN_TYPES",
    "RULES",
    "Rule",
    "check_domain",
    "check_model",
]

#: The modules that declare rules, one per family.
FAMILIES = (network, interface, host, common, driver, qemu, advice)

#: Reported by ``validate()`` itself, from the models' own reading of a
#: document: a value libvirt's parser refuses, which the schema lets pass.
E_PARSER_VALUE = declare(
    "E260",
    "a value libvirt's parser refuses though its schema allows it (hex numbers without 0x)",
    on=(Network, Interface, HostInterface),
    reported_by="virtnetlib._validation.validate",
    libvirt=("virPCIDeviceAddressParseXML", "virInterfaceDefParseMtu"),
    note="the value readers of libvirt's parsers: `virXMLPropUInt` takes hex with 0x only, "
    "an MTU is at most 100000",
)

#: Reported by ``validate(libvirt=...)`` from the table of the release each
#: feature came in (virtnetlib._validation.versions).
E_NEWER_FEATURE = declare(
    "E601",
    "a feature newer than the target libvirt (validate(libvirt=...), --libvirt): "
    "its parser refuses or drops it",
    on=(Network, Interface, HostInterface),
    reported_by="virtnetlib._validation.versions",
    libvirt=("virXMLValidateAgainstSchema", "virNetworkDefParseXML", "virDomainNetDefParseXML"),
    reason="an older libvirt refuses what its schema does not know, or drops it without a "
    "word; the release is the one libvirt's documentation gives (`:since:`), held to "
    "libvirtd 9.0 by the tests",
)
E_NEWER_DRIVER = declare(
    "E602",
    "a feature the target libvirt's QEMU driver refuses (validate(libvirt=...), --libvirt)",
    on=(Interface,),
    reported_by="virtnetlib._validation.versions",
    libvirt="qemuValidateDomainDeviceDefNetwork",
    reason="a driver-level minimum: the target's schema takes it, its QEMU driver refuses it",
)
