"""validate() against libvirt's own verdict, on documents nobody wrote by hand.

Corpus documents libvirt accepts (networks, domain interfaces, host
interfaces) are altered at random (values on the edges of what libvirt
accepts, attributes and elements removed, repeated or moved in from other
documents) and each one is both validated, against the host's libvirt
schemas, and defined in libvirt's embedded test driver with schema
validation. The two must agree: a document libvirt refuses must get an
error, and one it accepts must not. The seeds are fixed, so a failure
repeats; every disagreement is printed with the document.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, manifest, unavailable
from tests.fuzzing import edit
from virtnetlib import Error, validate

SYSTEM_SCHEMAS = "/usr/share/libvirt/schemas"
DOMAIN = (
    "<domain type='test'><name>d{}</name><memory>1024</memory><os><type>hvm</type></os>"
    "<devices>{}</devices></domain>"
)
CASES = 400


def _accepted(kind: str) -> list[str]:
    docs = [
        (CORPUS / e["file"]).read_text().split("?>")[-1]
        for e in manifest()
        if e["kind"] == kind and e["define_ok"]
    ]
    if not docs:
        pytest.skip(f"corpus not found at {CORPUS}")
    return docs


def _our_errors(xml: str, network_driver: bool = False) -> list[str]:
    try:
        found = validate(xml, schemas=SYSTEM_SCHEMAS)
    except Error as exc:  # pragma: no cover - validate() reports, it does not raise
        return [str(exc)]
    # E4xx are checks of libvirt's network driver: libvirtd makes them, the
    # test driver does not; nor does it refuse a PCI address used twice
    # (E264), which its QEMU driver does
    return [
        str(p)
        for p in found
        if p.severity == "error"
        and (network_driver or not p.code.startswith("E4"))
        and p.code not in TEST_DRIVER_ACCEPTS
    ]


TEST_DRIVER_ACCEPTS = frozenset({"E264"})


#: what a libvirt that refuses for reasons of its host (not of the document) says
HOST_SPECIFIC = "/sys/bus/pci"


def disagreements(docs: list[str], seed: int, define: Define) -> list[str]:
    """The altered documents on which validate() and ``define`` disagree."""
    rnd = random.Random(seed)
    found = []
    for i in range(CASES):
        text = rnd.choice(docs)
        for _ in range(rnd.randint(1, 2)):
            text = edit(text, rnd, docs)
        xml = define.wrap(text, i)
        theirs = define(xml)
        if theirs is not None and HOST_SPECIFIC in theirs:
            continue
        ours = _our_errors(xml, define.network_driver)
        if bool(ours) != bool(theirs):
            found.append(f"{xml}\n  libvirt: {theirs}\n  virtnetlib: {ours}")
    return found


class Define:
    """Defines (and undefines) documents of one kind; None, or libvirt's refusal.

    ``prefix`` starts every name it gives; ``bridge`` (a function) gives each
    network a bridge of its own, as a real libvirtd needs.
    """

    def __init__(
        self,
        conn: Any,
        libvirt: Any,
        kind: str,
        *,
        prefix: str = "n",
        bridge: Any = None,
        network_driver: bool = False,
    ) -> None:
        self.conn, self.libvirt, self.kind = conn, libvirt, kind
        self.prefix, self.bridge, self.network_driver = prefix, bridge, network_driver

    def wrap(self, text: str, i: int) -> str:
        if self.kind == "interface":
            return DOMAIN.format(i, text)
        if self.kind == "hostinterface":
            # a fresh name for the top-level interface, when it has one
            head, sep, rest = text.partition(">")
            head = re.sub(r"""\bname=(['"])[^'"]*\1""", f"name='h{i}'", head, count=1)
            return head + sep + rest
        # a fresh name and no uuid, so no case collides with an earlier one
        text = re.sub(r"<name>[^<]*</name>", f"<name>{self.prefix}{i}</name>", text, count=1)
        if self.bridge is not None:
            text = re.sub(r"(<bridge[^>]*name=.)[^'\"]*", rf"\g<1>{self.bridge()}", text, count=1)
        return re.sub(r"<uuid>[^<]*</uuid>", "", text, count=1)

    def __call__(self, xml: str) -> str | None:
        lv = self.libvirt
        try:
            if self.kind == "interface":
                self.conn.defineXMLFlags(xml, lv.VIR_DOMAIN_DEFINE_VALIDATE).undefine()
            elif self.kind == "hostinterface":
                self.conn.interfaceDefineXML(xml, lv.VIR_INTERFACE_DEFINE_VALIDATE).undefine()
            else:
                self.conn.networkDefineXMLFlags(xml, lv.VIR_NETWORK_DEFINE_VALIDATE).undefine()
        except lv.libvirtError as exc:
            return str(exc.get_error_message())
        return None


@pytest.mark.parametrize("kind", ["network", "interface", "hostinterface"])
def test_validate_agrees_with_libvirt_on_altered_documents(kind: str, test_conn: Any) -> None:
    import libvirt  # test_conn has made sure it imports

    if not (Path(SYSTEM_SCHEMAS) / "network.rng").exists():
        unavailable("libvirt's schemas are not installed (Debian package libvirt0)")
    docs = _accepted(kind)
    wrong = disagreements(docs, 20261128, Define(test_conn, libvirt, kind))
    assert not wrong, f"{len(wrong)} of {CASES} disagree; first:\n" + "\n".join(wrong[:3])


def test_validate_agrees_with_libvirt_on_domains_of_several_interfaces(test_conn: Any) -> None:
    """Checks across a domain's devices (boot order, aliases, host devices)."""
    import libvirt  # test_conn has made sure it imports

    docs = _accepted("interface")
    define = Define(test_conn, libvirt, "interface")
    rnd = random.Random(20261128)
    wrong = []
    for i in range(CASES):
        parts = [rnd.choice(docs) for _ in range(rnd.randint(2, 4))]
        parts = [edit(p, rnd, docs) if rnd.random() < 0.5 else p for p in parts]
        xml = DOMAIN.format(i, "".join(parts))
        ours, theirs = _our_errors(xml), define(xml)
        if bool(ours) != bool(theirs):
            wrong.append(f"{xml}\n  libvirt: {theirs}\n  virtnetlib: {ours}")
    assert not wrong, f"{len(wrong)} of {CASES} disagree; first:\n" + "\n".join(wrong[:3])
