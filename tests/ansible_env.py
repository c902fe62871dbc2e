"""Running the Ansible collection for real: built, installed into a scratch
collections path, and run with ``ansible-playbook`` on local "hosts".

Every managed host is a ``local`` connection whose Python is this test run's
(it has virtnetlib); what differs between hosts is what the play gives each
(a libvirt URI, a fake sysfs root). Results come back through files the play
writes (``changed_when: false``), so they never count as changes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import need_module, unavailable

ROOT = Path(__file__).resolve().parents[1]
COLLECTION = ROOT / "ansible"
BIN = Path(sys.executable).parent
RECAP = re.compile(
    r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M
)


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            unavailable(f"{name} is not installed (the 'ansible' extra: pip install ansible-core)")
        return found
    return str(path)


@pytest.fixture(scope="session")
def collections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collections path holding the collection as installed from its built tarball."""
    need_module("ansible", "ansible-core runs the collection (the 'ansible' extra)")
    work = tmp_path_factory.mktemp("ansible")
    built = work / "build"
    galaxy = tool("ansible-galaxy")
    proc = subprocess.run(
        [galaxy, "collection", "build", str(COLLECTION), "--output-path", str(built)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=_env(work),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tarball,) = built.glob("virtnetlib-libvirt-*.tar.gz")
    path = work / "collections"
    proc = subprocess.run(
        [tool("ansible-galaxy"), "collection", "install", str(tarball), "-p", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=_env(work),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (path / "ansible_collections" / "virtnetlib" / "libvirt" / "galaxy.yml").exists() or (
        path / "ansible_collections" / "virtnetlib" / "libvirt" / "MANIFEST.json"
    ).exists()
    return path


def _env(work: Path, collections: Path | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "ANSIBLE_LOCAL_TEMP": str(work / "tmp-local"),
        "ANSIBLE_REMOTE_TEMP": str(work / "tmp-remote"),
        "ANSIBLE_HOME": str(work / "home"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    if collections is not None:
        env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    return env


class Run:
    """One ``ansible-playbook`` run: exit status, output, the recap per host and
    the results the play saved (``save`` tasks), by file stem."""

    def __init__(self, proc: subprocess.CompletedProcess[str], results: Path) -> None:
        self.returncode = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.recap = {
            m.group(1): {
                "ok": int(m.group(2)),
                "changed": int(m.group(3)),
                "unreachable": int(m.group(4)),
                "failed": int(m.group(5)),
            }
            for m in RECAP.finditer(proc.stdout)
        }
        self.results: dict[str, Any] = {
            p.stem: json.loads(p.read_text()) for p in sorted(results.glob("*.json"))
        }

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        failures = [
            line[:2000]
            for line in self.output.splitlines()
            if "fatal:" in line or "ERROR" in line or "FAILED" in line
        ]
        return f"Run(returncode={self.returncode}, recap={self.recap}) " + " | ".join(failures)


def playbook(
    collections: Path,
    work: Path,
    play: str,
    inventory: str,
    *args: str,
    extra_env: dict[str, str] | None = None,
) -> Run:
    """Run ``play`` (YAML text) against ``inventory`` (INI text).

    A task saves a result with::

        - ansible.builtin.copy:
            content: "{{ result | to_json }}"
            dest: "{{ results }}/{{ inventory_hostname }}-NAME.json"
          delegate_to: localhost
          changed_when: false
          check_mode: false

    ``results`` is passed to the play as an extra variable.
    """
    work.mkdir(parents=True, exist_ok=True)
    results = work / "results"
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir()
    (work / "play.yml").write_text(play)
    (work / "inventory.ini").write_text(inventory)
    proc = subprocess.run(
        [
            tool("ansible-playbook"),
            "-i",
            str(work / "inventory.ini"),
            str(work / "play.yml"),
            "-e",
            f"results={results}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**_env(work, collections), **(extra_env or {})},
        cwd=work,
    )
    return Run(proc, results)


def ansible_doc(collections: Path, work: Path, name: str) -> subprocess.CompletedProcess[str]:
    """``ansible-doc`` of a plugin of the collection, as a user would read it."""
    work.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [tool("ansible-doc"), *name.split()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_env(work, collections),
    )


def saved(dest_var: str = "result", name: str = "result") -> str:
    """The YAML of a task saving ``dest_var`` under ``name`` (see :func:`playbook`)."""
    return (
        "    - ansible.builtin.copy:\n"
        f'        content: "{{{{ {dest_var} | to_json }}}}"\n'
        f'        dest: "{{{{ results }}}}/{{{{ inventory_hostname }}}}-{name}.json"\n'
        "      delegate_to: localhost\n"
        "      changed_when: false\n"
        "      check_mode: false\n"
    )


def iter_hosts(inventory: dict[str, dict[str, str]]) -> Iterator[str]:
    """INI lines for ``{host: {var: value}}`` (local connections)."""
    yield "[hypervisors]"
    for host, variables in inventory.items():
        extra = " ".join(f"{k}={v}" for k, v in variables.items())
        yield f"{host} ansible_connection=local ansible_python_interpreter={sys.executable} {extra}"
