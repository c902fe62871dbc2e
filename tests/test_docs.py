"""The documentation: every example runs and prints what the page says, the
site builds with warnings as errors, the notebook executes, exports agree."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import need_module, unavailable

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("*.py"))
PAGES = sorted(p for p in DOCS.rglob("*.md") if "examples" not in p.parts)
INCLUDE = re.compile(r'^--8<-- "(?:docs/examples/([\w.]+)|src/virtnetlib/[\w/]+\.py:\w+)"$')
# a snippet include, optionally followed by "Output:" and a text block
SHOWN = re.compile(
    r'```python\n--8<-- "docs/examples/([\w.]+)"\n```\n\nOutput[^\n]*:\n\n```text\n(.*?)```',
    re.DOTALL,
)


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.DOTALL)


def _shown_outputs() -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for page in PAGES:
        for name, output in SHOWN.findall(page.read_text()):
            shown.setdefault(name, []).append(output)
    return shown


def test_every_python_block_is_an_example_the_tests_run() -> None:
    included: set[str] = set()
    for page in PAGES:
        for block in _python_blocks(page.read_text()):
            match = INCLUDE.match(block.strip())
            assert match, f"{page.relative_to(ROOT)}: inline Python; make it a docs/examples file"
            if match.group(1):  # an example; otherwise a marked section of the source
                assert (DOCS / "examples" / match.group(1)).is_file(), match.group(1)
                included.add(match.group(1))
    assert included == {p.name for p in EXAMPLES}, "examples no page shows"
    assert len(_shown_outputs()) >= 10


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_prints_what_the_docs_show(example: Path, tmp_path: Path) -> None:
    source = example.read_text()
    if "virtnetlib.libvirt" in source:
        need_module("libvirt", f"{example.name} uses the libvirt adapter")
    if "nmcli.Nmcli()" in source and shutil.which("nmcli") is None:
        unavailable(f"{example.name} reads the installed nmcli's version; nmcli is missing")
    proc = subprocess.run(
        [sys.executable, str(example)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout
    for output in _shown_outputs().get(example.name, []):
        assert proc.stdout == output


def test_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    need_module("mkdocs", "the docs build needs the 'docs' extra")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    api = (tmp_path / "site" / "api" / "index.html").read_text()
    for name in ("virtnetlib.Network", "virtnetlib.libvirt.Connection", "virtnetlib.sriov"):
        assert f'id="{name}"' in api, name
    pxe = (tmp_path / "site" / "howto" / "pxe" / "index.html").read_text()
    assert "example-pxelinux" in pxe  # the snippet was included
    design = (tmp_path / "site" / "design" / "index.html").read_text()
    assert "mac_table_manager" in design  # a marked section of the source
    assert (tmp_path / "site" / "explore-a-host.ipynb").is_file()


def test_notebook_executes_on_the_test_driver() -> None:
    need_module("libvirt", "the notebook explores libvirt's test driver")
    nbformat = need_module("nbformat", "the notebook needs the 'docs' extra")
    nbclient = need_module("nbclient", "the notebook needs the 'docs' extra")
    nb = nbformat.read(DOCS / "explore-a-host.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(DOCS)}}
    )
    client.execute()
    html = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", out
            html.append(out.get("data", {}).get("text/html", "") + out.get("text", ""))
    page = "\n".join(html)
    assert "<td>pxe</td><td>isolated</td>" in page  # networks, one table
    assert "<caption>Network</caption>" in page  # one network
    assert "read leases of network 'pxe' failed" in page  # typed error from the adapter
    assert "<td>bridge</td><td>bridge br0</td>" in page  # a domain's interfaces
    assert "tcp *: 2022→22" in page  # passt port mappings
    assert "<td>vfio-pci</td>" in page  # SR-IOV inventory
    assert "<caption>HostdevInterface</caption>" in page  # a VF as a hostdev NIC
