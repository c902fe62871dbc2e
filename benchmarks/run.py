"""virtnetlib's benchmark suite: every figure beside its baseline, in one run.

    python benchmarks/run.py            # full run, prints a table and the targets
    python benchmarks/run.py --quick    # a fast run that only checks everything works

Documents: libvirt's corpus (../shared/corpus, or $VIRTNETLIB_CORPUS) when
present, plus generated ones. Ratios are measured in the same run so they
hold on a noisy machine; each timing is the best of several repeats.
"""

from __future__ import annotations

import argparse
import functools
import gc
import ipaddress
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from lxml import etree

import virtnetlib as vnl
from virtnetlib._validation.schema import load_schemas

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (
    Path(os.environ.get("VIRTNETLIB_CORPUS", ROOT.parent / "shared" / "corpus")) / "libvirt-9.0.0"
)
LIBVIRT_SCHEMAS = Path(
    os.environ.get(
        "VIRTNETLIB_LIBVIRT_SCHEMAS", ROOT.parent / "shared" / "schemas" / "libvirt-11.3.0"
    )
)


def best(fn: Callable[[], object], repeat: int, number: int) -> float:
    """Best time per call, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def per_doc(fn: Callable[[bytes], object], docs: Sequence[bytes], repeat: int) -> float:
    def run() -> None:
        for doc in docs:
            fn(doc)

    return best(run, repeat, 1) / len(docs)


def best_of_each(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Best time of each of two calls, their runs taken in turn.

    Alternating the two keeps a machine that speeds up or slows down during
    the run from favouring whichever was measured at the better moment.
    """
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def paired(
    ours: Callable[[bytes], object],
    baseline: Callable[[bytes], object],
    docs: Sequence[bytes],
    repeat: int,
) -> tuple[float, float]:
    """Best time per document of each over all ``docs``, passes taken in turn."""

    def over_docs(fn: Callable[[bytes], object]) -> Callable[[], None]:
        def run() -> None:
            for doc in docs:
                fn(doc)

        return run

    theirs, mine = best_of_each(over_docs(baseline), over_docs(ours), repeat)
    return mine / len(docs), theirs / len(docs)


def generated_network(hosts: int) -> bytes:
    net = vnl.Network(
        name="big",
        forward=vnl.Forward(mode="nat"),
        bridge=vnl.NetworkBridge(name="virbr9", stp=True, delay=0),
        ips=[
            vnl.NetworkIP(
                address=ipaddress.ip_address("10.0.0.1"),
                prefix=8,
                dhcp=vnl.Dhcp(
                    ranges=[
                        vnl.DhcpRange(
                            start=ipaddress.ip_address("10.200.0.1"),
                            end=ipaddress.ip_address("10.200.255.254"),
                        )
                    ],
                    hosts=[
                        vnl.DhcpHost(
                            mac=f"52:54:00:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x}",
                            name=f"host{i}",
                            ip=ipaddress.ip_address(0x0A000000 + 256 + i),
                        )
                        for i in range(hosts)
                    ],
                ),
            )
        ],
    )
    return net.to_xml().encode()


def generated_domain(interfaces: int) -> bytes:
    nics = "".join(
        f"<interface type='network'><mac address='52:54:00:00:{i >> 8 & 255:02x}:{i & 255:02x}'/>"
        f"<source network='net{i % 4}'/><model type='virtio'/>"
        f"<address type='pci' domain='0x0000' bus='0x{1 + i // 32:02x}' slot='0x{i % 32:02x}' "
        "function='0x0'/></interface>"
        for i in range(interfaces)
    )
    return f"<domain type='kvm'><name>big</name><devices>{nics}</devices></domain>".encode()


_PYCACHE = tempfile.TemporaryDirectory(prefix="virtnetlib-bench-pyc-")


def installed_env() -> dict[str, str]:
    """Environment for timed subprocesses: modules load from cached bytecode.

    pip compiles bytecode when it installs a package (and pre-commit installs
    hooks with pip), so that is how users start virtnetlib; a source tree run
    with PYTHONDONTWRITEBYTECODE would compile every module on every start.
    """
    env = dict(os.environ, PYTHONPYCACHEPREFIX=_PYCACHE.name)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_bytecode() -> None:
    """Import everything once so its bytecode is cached for the timed runs."""
    code = (
        "import virtnetlib.cli, virtnetlib._validation.validate, virtnetlib._core.compiled,"
        " lxml.etree"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=installed_env())


def corpus(kind: str) -> list[bytes]:
    manifest = CORPUS / "manifest.json"
    if not manifest.exists():
        return []
    return [
        e["libvirt_xml"].encode()
        for e in json.loads(manifest.read_text())
        if e["kind"] == kind and e["libvirt_xml"]
    ]


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []
        self.targets: list[tuple[str, bool, str]] = []

    def add(self, what: str, ours: str, baseline: str, ratio: str) -> None:
        self.rows.append((what, ours, baseline, ratio))
        print(f"  {what}: {ours} vs {baseline} ({ratio})", file=sys.stderr)

    def target(self, name: str, ok: bool, detail: str) -> None:
        self.targets.append((name, ok, detail))

    def render(self) -> str:
        head = ("measurement", "virtnetlib", "baseline", "ratio")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(4)]
        lines = [
            "| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |",
            "|" + "|".join("-" * (w + 2) for w in widths) + "|",
        ]
        lines += [
            "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
            for r in self.rows
        ]
        lines += ["", "| target | met | measured |", "|---|---|---|"]
        lines += [f"| {n} | {'yes' if ok else 'NO'} | {d} |" for n, ok, d in self.targets]
        return "\n".join(lines)


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def round_trips(table: Table, quick: bool) -> None:
    repeat = 2 if quick else 15
    sets = {
        "network": (corpus("network") or [generated_network(20)], vnl.Network),
        "interface": (corpus("interface") or [generated_domain(1)], vnl.Interface),
    }
    for kind, (found, cls) in sets.items():
        docs = found[:20] if quick else found
        if kind == "interface" and not corpus("interface"):
            docs = [etree.tostring(etree.fromstring(d)[1][0]) for d in docs]

        def round_trip(d: bytes, model: type[vnl.Model] = cls) -> str:
            return model.from_xml(d).to_xml()

        ours, lxml_t = paired(
            round_trip, lambda d: etree.tostring(etree.fromstring(d)), docs, repeat
        )
        table.add(
            f"round trip per {kind} ({len(docs)} docs)",
            us(ours),
            us(lxml_t) + " lxml",
            f"{ours / lxml_t:.1f}x",
        )
        table.target(f"{kind} round trip <= 4x lxml", ours / lxml_t <= 4, f"{ours / lxml_t:.1f}x")
        if kind == "network":

            def five(d: bytes) -> str:
                net = vnl.Network.from_xml(d)
                _ = (
                    net.name,
                    net.mode,
                    net.bridge and net.bridge.name,
                    len(net.ips),
                    net.ips and net.ips[0].address,
                )
                return net.to_xml()
        else:

            def five(d: bytes) -> str:
                iface = vnl.Interface.from_xml(d)
                _ = (
                    iface.type,
                    iface.mac_address,
                    iface.model and iface.model.type,
                    iface.target and iface.target.dev,
                    iface.address,
                )
                return iface.to_xml()

        ours5, lxml5 = paired(five, lambda d: etree.tostring(etree.fromstring(d)), docs, repeat)
        table.add(
            f"parse + 5 fields + write per {kind}",
            us(ours5),
            us(lxml5) + " lxml",
            f"{ours5 / lxml5:.1f}x",
        )


def validation(table: Table, quick: bool) -> None:
    repeat = 2 if quick else 5
    docs = corpus("network")[: 20 if quick else None] or [generated_network(10)]
    own = load_schemas()
    ours_schema = per_doc(lambda d: own.accepts("network", etree.fromstring(d)), docs, repeat)
    ours_all = per_doc(vnl.validate, docs, repeat)
    if (LIBVIRT_SCHEMAS / "network.rng").exists():
        rng = etree.RelaxNG(etree.parse(str(LIBVIRT_SCHEMAS / "network.rng")))
        lxml_t = per_doc(lambda d: rng.validate(etree.fromstring(d)), docs, repeat)
        table.add(
            "schema check per network",
            us(ours_schema),
            us(lxml_t) + " lxml+libvirt rng",
            f"{ours_schema / lxml_t:.1f}x",
        )
        table.add(
            "validate() per network (schema+rules)",
            us(ours_all),
            us(lxml_t) + " lxml+libvirt rng",
            f"{ours_all / lxml_t:.1f}x",
        )
    else:
        table.add("validate() per network (schema+rules)", us(ours_all), "-", "-")


def cli_many(table: Table, quick: bool) -> None:
    count = 60 if quick else 1000
    source = corpus("network") or [generated_network(5)]
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(count):
            path = Path(tmp) / f"net{i}.xml"
            path.write_bytes(source[i % len(source)])
            files.append(str(path))
        warm_bytecode()
        runs = []
        for _ in range(2 if quick else 5):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "virtnetlib", "validate", "--errors-only", *files],
                capture_output=True,
                check=False,
                env=installed_env(),
            )
            runs.append(time.perf_counter() - start)
        ours = statistics.median(runs)
        tool = shutil.which("virt-xml-validate")
        if tool is None:
            table.add(
                f"CLI validate {count} files", ms(ours), "virt-xml-validate not installed", "-"
            )
            return
        sample = files[: 10 if quick else 50]
        each = []
        for name in sample:
            start = time.perf_counter()
            subprocess.run([tool, name, "network"], capture_output=True, check=False)
            each.append(time.perf_counter() - start)
        theirs = statistics.median(each) * count
        table.add(
            f"CLI validate {count} files",
            ms(ours),
            ms(theirs) + f" virt-xml-validate x{count} (median of {len(sample)})",
            f"{theirs / ours:.0f}x faster",
        )
        table.target(
            f"{count} files >= 20x faster than virt-xml-validate per file",
            theirs / ours >= 20,
            f"{theirs / ours:.0f}x",
        )


def import_time(table: Table, quick: bool) -> None:
    warm_bytecode()

    def run(code: str) -> float:
        times = []
        for _ in range(3 if quick else 9):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=installed_env())
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    lxml_t = run("import lxml.etree")
    ours = run("import virtnetlib")
    delta = f"{(ours - lxml_t) * 1e3:+.0f} ms"
    table.add("import virtnetlib (process)", ms(ours), ms(lxml_t) + " import lxml.etree", delta)
    table.target("import adds <= 50 ms over lxml", ours - lxml_t <= 0.05, delta)
    full = run("import virtnetlib; virtnetlib.Network; virtnetlib.Interface; virtnetlib.validate")
    table.add(
        "import + first use of every model",
        ms(full),
        ms(lxml_t) + " import lxml.etree",
        f"{(full - lxml_t) * 1e3:+.0f} ms",
    )
    code = (
        "import sys, virtnetlib; virtnetlib.Network; print(sorted(m for m in sys.modules "
        "if m in ('libvirt','virtnetlib.libvirt','virtnetlib.nmcli','virtnetlib.sriov',"
        "'virtnetlib.cli','subprocess')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    table.target("import virtnetlib imports no adapter", out == "[]", out)


def memory(table: Table, quick: bool) -> None:
    sets = (
        ("network", corpus("network") or [generated_network(3)], vnl.Network),
        ("interface", corpus("interface"), vnl.Interface),
    )
    for kind, found, cls in sets:
        if not found:
            continue
        docs = (found * 4)[: 100 if quick else 1000]
        tracemalloc.start()
        kept = [cls.from_xml(d) for d in docs]
        size, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del kept
        # lxml keeps its trees in C memory that tracemalloc cannot see: no baseline
        table.add(
            f"memory per parsed {kind} (Python objects)",
            f"{size / len(docs) / 1024:.1f} KiB",
            "-",
            "-",
        )


def scaling(table: Table, quick: bool) -> None:
    repeat = 2 if quick else 5
    small, large = (1000, 2000) if quick else (5000, 10000)
    small_net, large_net = generated_network(small), generated_network(large)
    a, b = best_of_each(
        lambda: vnl.Network.from_xml(small_net).to_xml(),
        lambda: vnl.Network.from_xml(large_net).to_xml(),
        repeat,
    )
    # raw lxml on the same documents: larger trees outgrow the CPU's caches,
    # so even it takes more than twice as long for twice the hosts
    la, lb = best_of_each(
        lambda: etree.tostring(etree.fromstring(small_net)),
        lambda: etree.tostring(etree.fromstring(large_net)),
        repeat,
    )
    table.add(
        f"network with {large} DHCP hosts",
        ms(b),
        ms(a) + f" with {small} (lxml alone: {lb / la:.2f}x)",
        f"{b / a:.2f}x for 2x hosts",
    )
    table.target("linear in DHCP hosts (2x hosts <= 2.4x time)", b / a <= 2.4, f"{b / a:.2f}x")
    small, large = (200, 400) if quick else (500, 1000)
    small_doc, large_doc = generated_domain(small), generated_domain(large)
    a, b = best_of_each(
        lambda: [i.to_xml() for i in vnl.domain_interfaces(small_doc)],
        lambda: [i.to_xml() for i in vnl.domain_interfaces(large_doc)],
        repeat + 4,
    )
    table.add(
        f"domain with {large} interfaces",
        ms(b),
        ms(a) + f" with {small}",
        f"{b / a:.2f}x for 2x interfaces",
    )
    table.target("linear in interfaces (2x <= 2.4x time)", b / a <= 2.4, f"{b / a:.2f}x")


def _hosts_document(hosts: int, bad_every: int = 0) -> bytes:
    """A network with ``hosts`` static DHCP hosts, every ``bad_every``-th with a bad MAC."""
    lines = []
    for i in range(hosts):
        mac = (
            "zz"
            if bad_every and i % bad_every == 0
            else f"52:54:{i >> 24 & 255:02x}:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x}"
        )
        ip = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
        lines.append(f"      <host mac='{mac}' ip='{ip}'/>\n")
    return (
        "<network>\n  <name>big</name>\n  <bridge name='virbr9'/>\n"
        "  <ip address='10.255.255.254' prefix='8'>\n    <dhcp>\n"
        + "".join(lines)
        + "    </dhcp>\n  </ip>\n</network>\n"
    ).encode()


def _best(fn: Callable[[], object], repeat: int) -> float:
    """Best of ``repeat`` runs, each after a full garbage collection (one
    run of a large document is as much the memory system's as ours)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bounds(table: Table, quick: bool) -> None:
    """Every entry point in time linear in its input, up to the 64 MiB bound.

    The input doubles from step to step; each step's time over the one
    before should be about 2. The largest document is close to the bound.
    Valid documents, and documents where every tenth host is wrong (the
    explanation's and the rules' paths).
    """
    sizes = [2000, 4000] if quick else [125_000, 250_000, 500_000, 1_000_000]
    bound = 64 * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        for label, bad_every in (("valid", 0), ("every 10th host bad", 10)):
            entries: list[tuple[str, Callable[[bytes, Path], object]]] = [
                ("parse", lambda d, _p: vnl.Network.from_xml(d, strict=False)),
                ("validate", lambda d, _p: vnl.validate(d)),
                ("fmt", lambda _d, p: _fmt(p)),
            ]
            for name, run in entries:
                times = []
                largest = 0
                for hosts in sizes:
                    doc = _hosts_document(hosts, bad_every)
                    assert len(doc) <= bound, len(doc)
                    path = Path(tmp) / f"{hosts}.xml"
                    path.write_bytes(doc.replace(b"\n  ", b"\n   "))  # fmt has work to do
                    repeat = 1 if quick else (2 if name == "validate" else 3)
                    times.append(_best(functools.partial(run, doc, path), repeat))
                    largest = len(doc)
                ratios = [b / a for a, b in itertools.pairwise(times)]
                shown = ", ".join(f"{r:.2f}x" for r in ratios)
                table.add(
                    f"{name}, {label}: {sizes[-1]:,} hosts ({largest / 2**20:.0f} MiB)",
                    f"{times[-1]:.1f} s",
                    f"{sizes[0]:,} hosts: {times[0]:.2f} s",
                    f"per doubling {shown}",
                )
                table.target(
                    f"{name} linear to the bound, {label} (each doubling <= 2.5x)",
                    max(ratios) <= 2.5,
                    shown,
                )
                if name == "validate" and not bad_every:
                    table.target(
                        f"validate() {sizes[-1]:,} DHCP hosts in < 30 s",
                        quick or times[-1] < 30,
                        f"{times[-1]:.1f} s",
                    )


def planning(table: Table, quick: bool) -> None:
    """plan_network on a running network with many DHCP hosts, and the libvirt
    calls its one-host change makes (libvirt's in-process test driver)."""
    try:
        import libvirt
    except ImportError:
        table.add("plan, 10,000 DHCP hosts", "skipped", "libvirt-python is not installed", "")
        return
    from virtnetlib.libvirt import Connection

    hosts = 500 if quick else 10_000
    net = vnl.Network.from_xml(_hosts_document(hosts))
    extra = vnl.DhcpHost(mac="52:54:00:ff:ff:fe", ip=ipaddress.ip_address("10.255.255.250"))
    grown = vnl.Network.from_xml(net.to_xml())
    grown.ips[0].dhcp.hosts.append(extra)  # type: ignore[union-attr]
    calls: list[str] = []
    changing = {"networkDefineXML", "networkCreateXML", "create", "destroy", "update", "undefine"}

    class Counting:
        def __init__(self, target: object) -> None:
            self.target = target

        def __getattr__(self, name: str) -> object:
            value = getattr(self.target, name)
            if not callable(value):
                return value

            def call(*args: object) -> object:
                if name in changing:
                    calls.append(name)
                result = value(*args)
                return Counting(result) if name == "networkLookupByName" else result

            return call

    with tempfile.TemporaryDirectory() as tmp:
        node = Path(tmp) / "node.xml"
        node.write_text("<node/>\n")
        raw = libvirt.open(f"test://{node}")
        try:
            conn = Connection(Counting(raw))
            conn.apply_network(net)
            seconds = _best(lambda: conn.plan_network(grown), 1 if quick else 3)
            calls.clear()
            conn.apply(conn.plan_network(grown))
        finally:
            raw.close()
    table.add(f"plan_network, {hosts:,} DHCP hosts, one more", f"{seconds * 1000:.0f} ms", "", "")
    table.target(f"plan for {hosts:,} DHCP hosts < 1 s", seconds < 1, f"{seconds:.2f} s")
    table.target(
        "one-host change = 1 libvirt call (an update)", calls == ["update"], ", ".join(calls)
    )


def _fmt(path: Path) -> None:
    from virtnetlib.cli import main as cli_main

    with open(os.devnull, "w") as sink:
        saved = sys.stdout
        sys.stdout = sink
        try:
            cli_main(["fmt", str(path)])
        finally:
            sys.stdout = saved


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small and fast; checks it works")
    steps = (round_trips, validation, cli_many, import_time, memory, scaling, bounds, planning)
    parser.add_argument(
        "--only",
        action="append",
        choices=[step.__name__ for step in steps],
        help="run only these parts (repeat for more)",
    )
    args = parser.parse_args(argv)
    table = Table()
    for step in steps:
        if args.only is None or step.__name__ in args.only:
            step(table, args.quick)
    print(table.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
