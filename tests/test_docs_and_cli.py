"""The generated reference is current; the CLI and the README's main job work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import virtnetlib
from tests.conftest import need_module
from virtnetlib._validation.reference import REFERENCE_PAGES, render_page
from virtnetlib.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "networks").glob("*.xml"))


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_reference_pages_are_current(page: str) -> None:
    assert (ROOT / "docs" / page).read_text() == render_page(page), (
        "regenerate with: python -c 'from virtnetlib._validation.reference import "
        'write_reference_pages as w; w("docs")\''
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_parse_and_round_trip(path: Path) -> None:
    net = virtnetlib.Network.from_xml(path)
    assert virtnetlib.unmodeled(net) == []
    assert virtnetlib.Network.from_xml(net.to_xml()) == net


def test_show_summarizes_networks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(ROOT / "examples/networks/pxe-isolated.xml")]) == 0
    out = capsys.readouterr().out
    assert "mode:        isolated" in out
    assert "boot file example-pxelinux, tftp root /var/lib/tftpboot" in out
    assert "outside no" in out


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--format", "json", str(ROOT / "examples/networks/routed.xml")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["mode"] == "route"
    assert data[0]["subnets"] == ["198.51.100.129/25", "2001:db8:100::1/64"]
    assert data[0]["reachability"]["visible_from_outside"] is True


def test_show_reports_bad_files_with_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<network>\n  <name>x</name>\n  <bridge stp='yes'/>\n</network>\n")
    assert main(["show", str(bad)]) == 1
    assert f"{bad}:3: /network/bridge/@stp" in capsys.readouterr().err
    assert main(["show", str(tmp_path / "missing.xml")]) == 2
    assert main(["nonsense"]) == 2


def test_console_script_runs_as_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "virtnetlib", "show", str(EXAMPLES[0])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "network" in proc.stdout


def test_import_is_light() -> None:
    code = (
        "import sys, virtnetlib; "
        "bad = [m for m in ('libvirt', 'subprocess', 'virtnetlib.cli', 'hypothesis') "
        "if m in sys.modules]; print(bad)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_readme_examples_run() -> None:
    text = (ROOT / "README.md").read_text()
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert len(blocks) >= 2
    outputs = []
    need_module("libvirt", "the README's libvirt example needs libvirt-python")
    for block in blocks:
        proc = subprocess.run(
            [sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0].startswith("nat virbr0 198.51.100.2\n")
    assert "<host mac='52:54:00:00:01:01' name='web' ip='198.51.100.10'/>" in outputs[0]
    assert outputs[1] == "['network', 'hostdev']\n{2022: 22} ['--tcp-ports', '2022:22']\n"
    assert outputs[2] == "created\nunchanged\n198.51.100.10\n"
    assert outputs[3] == "warning W306 /network/forward/@mode\n"


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "examples" / "interfaces").glob("*.xml")),
    ids=lambda p: p.name,
)
def test_example_interfaces_round_trip(path: Path) -> None:
    iface = virtnetlib.Interface.from_xml(path)
    assert virtnetlib.unmodeled(iface) == []
    assert virtnetlib.Interface.from_xml(iface.to_xml()) == iface


def test_show_summarizes_interfaces_with_port_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(ROOT / "examples/interfaces/passt.xml")]) == 0
    out = capsys.readouterr().out
    assert "interface type='user'" in out
    assert "backend:     passt" in out
    assert "udp 198.51.100.2: 5000-5009->6000-6009, 5016-5020->6016-6020" in out
    assert main(["show", str(ROOT / "examples/interfaces/sriov-vf.xml")]) == 0
    assert "source:      address 0000:82:10.0" in capsys.readouterr().out
