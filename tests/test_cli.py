"""The command line: validate, fmt, ports; exit codes; the pre-commit hooks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unavailable
from virtnetlib import UsageError, cli, validate
from virtnetlib.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOOD = "<network>\n  <name>ok</name>\n  <bridge name='virbr9'/>\n</network>\n"
BAD = (
    "<network>\n  <name>bad</name>\n  <forward mode='natt'/>\n"
    "  <ip address='198.51.100.1' prefix='24'>\n    <dhcp>\n"
    "      <range start='198.51.100.50' end='198.51.100.10'/>\n    </dhcp>\n  </ip>\n</network>\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_validate_exit_codes_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.xml", GOOD)
    bad = write(tmp_path, "bad.xml", BAD)
    assert main(["validate", str(good)]) == 0
    assert capsys.readouterr().out == ""
    assert main(["validate", str(good), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{bad}:3: /network/forward/@mode: error E101: invalid value 'natt' for mode; "
        "did you mean 'nat'?; expected 'bridge' or 'hostdev' or 'nat' or 'open' or "
        "'passthrough' or 'private' or 'route' or 'vepa'",
        f"{bad}:6: /network/ip/dhcp/range: error E202: range 198.51.100.50 - 198.51.100.10 is "
        "reversed",
    ]
    assert main(["validate", str(tmp_path / "missing.xml")]) == 2
    assert main(["validate"]) == 2
    assert main(["validate", "--schemas", str(tmp_path), str(good)]) == 2


@pytest.mark.parametrize("command", [["validate"], ["fmt", "--check"], ["show"], ["ports"]])
def test_every_command_reports_files_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """A file that cannot be read, or is not well-formed, is reported the same
    way by every command: ``cannot read FILE: why``, ``FILE:LINE: ...``.
    (A folder stands for the files in it: see test_cli_inputs.py.)"""
    missing, fifo = tmp_path / "missing.xml", tmp_path / "fifo.xml"
    os.mkfifo(fifo)
    broken = write(tmp_path, "broken.xml", "<network>\n<name>n</name>\n")
    err = []
    for path in (missing, fifo):  # one at a time: ports takes one file
        assert main([*command, str(path)]) == 2
        err += capsys.readouterr().err.splitlines()
    assert err == [
        f"cannot read {missing}: No such file or directory",
        f"cannot read {fifo}: not a regular file (a FIFO)",
    ]
    assert main([*command, str(broken)]) != 0
    out = capsys.readouterr()
    assert f"{broken}:3: " in out.out + out.err
    assert "malformed XML" in out.out + out.err


def test_validate_json_disable_and_errors_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.xml", BAD)
    assert main(["validate", "--format", "json", str(bad)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in data] == ["E101", "E202"]
    assert data[0]["line"] == 3
    assert data[0]["expected"][0] == "'bridge'"
    assert main(["validate", "--disable", "E101,E202", str(bad)]) == 0
    assert main(["validate", "--disable", "E101", "--disable", "E202", str(bad)]) == 0
    capsys.readouterr()
    # an unknown code is a usage error (exit 2), before any file is read
    assert main(["validate", "--disable", "W999", str(tmp_path / "missing.xml")]) == 2
    err = capsys.readouterr().err
    assert "unknown problem code 'W999'" in err
    assert "missing.xml" not in err
    routed = write(
        tmp_path,
        "routed.xml",
        GOOD.replace(
            "<bridge name='virbr9'/>",
            "<forward mode='route'/>\n  <ip address='198.51.100.1' prefix='24'>\n  </ip>",
        ),
    )
    assert main(["validate", str(routed)]) == 1
    assert "warning W306" in capsys.readouterr().out
    assert main(["validate", "--errors-only", str(routed)]) == 0


def test_validate_many_files_in_parallel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(write(tmp_path, f"n{i}.xml", GOOD if i % 10 else BAD)) for i in range(80)]
    assert main(["validate", "--jobs", "1", *files]) == 1
    serial = capsys.readouterr().out
    assert main(["validate", "--jobs", "3", *files]) == 1
    out = capsys.readouterr().out
    assert out == serial  # same problems, in the files' order
    lines = out.splitlines()
    assert len(lines) == 16  # 8 bad files, two problems each
    assert lines[0].startswith(files[0])
    assert lines[-1].startswith(files[70])


def test_parallel_validation_survives_a_failing_worker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies leaves its files to the main process: same output."""
    files = [str(write(tmp_path, f"n{i}.xml", GOOD if i % 10 else BAD)) for i in range(80)]
    assert main(["validate", "--jobs", "1", *files]) == 1
    serial = capsys.readouterr().out
    parent, real = os.getpid(), cli._validate_files

    def dies_in_workers(names: Any, settings: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("worker crash")
        return real(names, settings)

    monkeypatch.setattr(cli, "_validate_files", dies_in_workers)
    assert main(["validate", "--jobs", "2", *files]) == 1
    assert capsys.readouterr().out == serial


def test_validate_domain_type_for_lone_interfaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nic = write(tmp_path, "nic.xml", "<interface type='user'>\n<mtu size='9000'/>\n</interface>")
    assert main(["validate", str(nic)]) == 0
    assert main(["validate", "--domain-type", "kvm", str(nic)]) == 1
    out = capsys.readouterr().out
    assert f"{nic}:2: /interface/mtu: error E505:" in out
    assert main(["validate", "--domain-type", "", str(nic)]) == 2
    assert "--domain-type: expected a domain type" in capsys.readouterr().err


def test_validate_skip_unknown(tmp_path: Path) -> None:
    other = write(tmp_path, "pom.xml", "<project/>")
    assert main(["validate", str(other)]) == 1
    assert main(["validate", "--skip-unknown", str(other)]) == 0


SVG = (
    '<?xml version="1.0" standalone="no"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
    '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>\n'
)


@pytest.mark.parametrize("command", [["validate"], ["fmt"], ["fmt", "--check"]])
def test_hooks_skip_other_xml_even_with_a_doctype_or_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """Whether a file is libvirt's is told by its root element's name, found
    without reading a DTD: other XML is skipped silently however it is written;
    a broken file whose root is libvirt's still fails."""
    others = [
        write(tmp_path, "logo.svg.xml", SVG),
        write(tmp_path, "pom.xml", "<project>\n  <dependencies>\n</project>\n"),
        write(tmp_path, "junk.xml", "not xml at all"),
        write(tmp_path, "utf7.xml", "<?xml version='1.0' encoding='UTF-7'?><project/>"),
    ]
    for path in others:
        before = path.read_bytes()
        assert main([*command, "--skip-unknown", str(path)]) == 0, path
        assert path.read_bytes() == before
    out = capsys.readouterr()
    assert out.out == out.err == ""
    for text in (
        "<network>\n  <name>n</name>\n",
        "<!DOCTYPE network><network><name>n</name></network>",
        "<?xml version='1.0' encoding='UTF-7'?><network><name>n</name></network>",
        "<domain type='kvm'><devices><interface type='user'></devices></domain>",
    ):
        broken = write(tmp_path, "net.xml", text)
        assert main([*command, "--skip-unknown", str(broken)]) == 1, text
        assert f"{broken}:" in "".join(capsys.readouterr())


def test_validate_json_lists_files_it_could_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.xml"
    bad = write(tmp_path, "bad.xml", BAD)
    assert main(["validate", "--format", "json", str(missing), str(bad)]) == 2
    found = json.loads(capsys.readouterr().out)
    assert found[0] == {
        "severity": "error",
        "code": "E001",
        "message": f"cannot read {missing}: No such file or directory",
        "line": None,
        "path": None,
        "expected": [],
        "file": str(missing),
    }
    assert [p["code"] for p in found[1:]] == ["E101", "E202"]


def test_validate_jobs_are_capped_at_the_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(write(tmp_path, f"n{i}.xml", GOOD)) for i in range(70)]
    forks = []
    real_fork = os.fork

    def counted() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counted)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert main(["validate", "--jobs", "100000", *files]) == 0
    assert len(forks) == 1  # two processes: this one and one child
    for bad in ("0", "-3", "many"):
        assert main(["validate", "--jobs", bad, files[0]]) == 2
        assert "--jobs: expected a number of processes from 1" in capsys.readouterr().err


def test_fmt_rewrites_losslessly_and_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messy = write(
        tmp_path,
        "messy.xml",
        '<?xml version="1.0"?>\n<network>\n    <bridge name="br0" future="x"/>\n'
        "    <!-- keep me -->\n    <name>m</name>\n</network>\n",
    )
    assert main(["fmt", "--check", str(messy)]) == 1
    assert "would reformat" in capsys.readouterr().out
    assert main(["fmt", str(messy)]) == 0
    assert messy.read_text() == (
        "<network>\n  <name>m</name>\n  <bridge name='br0' future='x'/>\n"
        "  <!-- keep me -->\n</network>\n"
    )
    assert main(["fmt", "--check", str(messy)]) == 0
    broken = write(tmp_path, "broken.xml", "<network><name>x</name>")
    assert main(["fmt", str(broken)]) == 1
    assert broken.read_text() == "<network><name>x</name>"
    assert main(["fmt", "--skip-unknown", str(write(tmp_path, "o.xml", "<x/>"))]) == 0


def test_fmt_formats_interfaces_inside_a_domain(tmp_path: Path) -> None:
    domain = write(
        tmp_path,
        "vm.xml",
        '<domain type="kvm">\n  <name>vm</name>\n  <devices>\n'
        '    <interface type="network"><source network="default"/>'
        '<mac address="52:54:00:00:00:01"/></interface>\n  </devices>\n</domain>\n',
    )
    assert main(["fmt", str(domain)]) == 0
    assert domain.read_text() == (
        '<domain type="kvm">\n  <name>vm</name>\n  <devices>\n'
        "    <interface type='network'>\n      <mac address='52:54:00:00:00:01'/>\n"
        "      <source network='default'/>\n    </interface>\n  </devices>\n</domain>\n"
    )


def test_ports_table(capsys: pytest.CaptureFixture[str]) -> None:
    """One row a run of ports, not a row a port; the excluded hole shows."""
    assert main(["ports", str(ROOT / "examples/interfaces/passt.xml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["PROTO", "HOST", "ADDRESS", "HOST", "PORTS", "GUEST", "PORTS"]
    assert [line.split() for line in lines[1:]] == [
        ["tcp", "*", "2022", "22"],
        ["udp", "198.51.100.2", "5000-5009", "6000-6009"],
        ["udp", "198.51.100.2", "5016-5020", "6016-6020"],
    ]
    assert main(["ports", "--format", "json", str(ROOT / "examples/interfaces/passt.xml")]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"proto": "tcp", "host_address": "*", "host_ports": [2022, 2022], "guest_ports": [22, 22]},
        {
            "proto": "udp",
            "host_address": "198.51.100.2",
            "host_ports": [5000, 5009],
            "guest_ports": [6000, 6009],
        },
        {
            "proto": "udp",
            "host_address": "198.51.100.2",
            "host_ports": [5016, 5020],
            "guest_ports": [6016, 6020],
        },
    ]


def test_a_few_bytes_of_ranges_never_cost_a_row_a_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each range of 65,535 ports was a dict of 65,535 entries in show, ports and
    validate: 1.5 KB took 1.8 GB. Now a run is one entry, whatever its size."""
    forwards = "<portForward proto='tcp'><range start='1' end='65535' to='1'/></portForward>" * 400
    path = write(
        tmp_path, "pf.xml", f"<interface type='user'><backend type='passt'/>{forwards}</interface>"
    )
    assert main(["ports", "--format", "json", str(path)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 400
    assert main(["show", str(path)]) == 0
    assert capsys.readouterr().out.count("1-65535->1-65535") == 400
    overlaps = [p for p in validate(path) if p.code == "W308"]
    assert len(overlaps) == 399
    assert overlaps[0].message == "tcp port 1 is already forwarded by portForward 1"


def test_pre_commit_hooks_through_try_repo(tmp_path: Path) -> None:
    """The hooks as users run them: pre-commit installs virtnetlib from this checkout."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    git = shutil.which("git")
    if git is None or not Path(pre_commit).exists():
        unavailable("pre-commit and git are needed (the dev extra and Debian's git)")
        return
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run([git, "init", "-q"], cwd=repo, check=True, env=env)
    (repo / "networks").mkdir()
    (repo / "networks" / "good.xml").write_text(GOOD)
    (repo / "networks" / "bad.xml").write_text(BAD)
    (repo / "pom.xml").write_text("<project/>\n")
    messy = '<network>\n    <name>messy</name>\n    <bridge name="br0"/>\n</network>\n'
    (repo / "networks" / "messy.xml").write_text(messy)
    subprocess.run([git, "add", "-A"], cwd=repo, check=True, env=env)

    def hook(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(ROOT), name, "--all-files"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    validate = hook("virtnetlib-validate")
    assert validate.returncode == 1, validate.stdout + validate.stderr
    assert "networks/bad.xml:3: /network/forward/@mode: error E101" in validate.stdout
    assert "good.xml:" not in validate.stdout
    assert "pom.xml" not in validate.stdout
    fmt = hook("virtnetlib-fmt")
    # fmt rewrote messy.xml in libvirt's formatting, which fails the run as hooks do
    assert fmt.returncode == 1, fmt.stdout + fmt.stderr
    assert "networks/messy.xml: reformatted" in fmt.stdout
    assert (repo / "networks" / "messy.xml").read_text() == (
        "<network>\n  <name>messy</name>\n  <bridge name='br0'/>\n</network>\n"
    )
    assert (repo / "networks" / "good.xml").read_text() == GOOD
    assert (repo / "pom.xml").read_text() == "<project/>\n"


def test_the_command_flushes_everything_before_it_exits(tmp_path: Path) -> None:
    """``python -m virtnetlib`` ends the process right after main(): no output is lost."""
    files = [str(write(tmp_path, f"n{i}.xml", BAD)) for i in range(70)]
    done = subprocess.run(
        [sys.executable, "-m", "virtnetlib", "validate", "--format", "json", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    problems = json.loads(done.stdout)
    assert len(problems) == 140  # two per file, from every worker
    assert {p["file"] for p in problems} == set(files)
    missing = subprocess.run(
        [sys.executable, "-m", "virtnetlib", "validate", str(tmp_path / "absent.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
    assert "absent.xml" in missing.stderr


def test_validation_stays_in_process_when_other_threads_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forking next to other threads could deadlock the child; main() does not."""
    files = [str(write(tmp_path, f"n{i}.xml", GOOD if i % 10 else BAD)) for i in range(80)]

    def no_fork() -> int:
        raise AssertionError("forked although another thread runs")

    monkeypatch.setattr(os, "fork", no_fork)
    started, release = threading.Event(), threading.Event()

    def wait_for_release() -> None:
        started.set()
        release.wait(10)

    other = threading.Thread(target=wait_for_release)
    other.start()
    try:
        started.wait(10)
        assert main(["validate", "--jobs", "2", *files]) == 1
    finally:
        release.set()
        other.join()
    assert len(capsys.readouterr().out.splitlines()) == 16


def test_an_error_a_command_raises_is_a_message_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuses(args: Any) -> int:
        raise UsageError("no such thing")

    monkeypatch.setattr(cli, "_cmd_show", refuses)
    good = write(tmp_path, "n.xml", GOOD)
    assert main(["show", str(good)]) == 2
    assert capsys.readouterr().err == "virtnetlib show: no such thing\n"
