"""The CLI's inputs and outputs beyond single files: folders, standard input,
--version, fmt --diff, and what show could not summarise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import virtnetlib
from virtnetlib.cli import main

GOOD = "<network>\n  <name>good</name>\n</network>\n"
BAD = "<network>\n  <name>bad</name>\n  <forward mode='nap'/>\n</network>\n"


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "virtnetlib", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"virtnetlib {virtnetlib.__version__}\n"


def test_a_folder_stands_for_its_xml_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nets" / "deep").mkdir(parents=True)
    (tmp_path / "nets" / "a.xml").write_text(GOOD)
    (tmp_path / "nets" / "deep" / "b.xml").write_text(BAD)
    (tmp_path / "nets" / "notes.txt").write_text("not XML")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "c.xml").write_text(BAD)
    os.symlink(outside, tmp_path / "nets" / "link")  # a link to a folder is not followed
    assert main(["validate", str(tmp_path / "nets")]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'nets' / 'deep' / 'b.xml'}:3: /network/forward/@mode: error E101" in out
    assert "c.xml" not in out
    assert "notes.txt" not in out
    assert main(["show", "--format", "json", str(tmp_path / "nets")]) == 1  # b.xml's bad value
    captured = capsys.readouterr()
    assert [Path(entry["file"]).name for entry in json.loads(captured.out)] == ["a.xml"]
    assert "b.xml:3" in captured.err


def test_standard_input_is_dash() -> None:
    checked = _cli("validate", "-", stdin=BAD)
    assert checked.returncode == 1
    assert checked.stdout.startswith("-:3: /network/forward/@mode: error E101")
    shown = _cli("show", "-", stdin=GOOD)
    assert shown.returncode == 0
    assert "-: network 'good'" in shown.stdout
    formatted = _cli("fmt", "-", stdin="<network><name>n</name></network>")
    assert formatted.returncode == 0
    assert formatted.stdout == "<network>\n  <name>n</name>\n</network>\n"
    twice = _cli("validate", "-", "-", stdin=GOOD)
    assert twice.returncode == 2
    assert "standard input ('-') can be read only once" in twice.stderr
    skipped = _cli("validate", "--skip-unknown", "-", stdin="<svg/>")
    assert (skipped.returncode, skipped.stdout) == (0, "")


def test_fmt_diff_shows_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "n.xml"
    path.write_text("<network><name>n</name></network>")
    assert main(["fmt", "--diff", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"--- {path}\n+++ {path}\n" in out
    assert "-<network><name>n</name></network>" in out
    assert "+  <name>n</name>" in out
    assert path.read_text() == "<network><name>n</name></network>"
    path.write_text("<network>\n  <name>n</name>\n</network>\n")
    assert main(["fmt", "--diff", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_show_says_what_it_did_not_understand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "typo.xml"
    path.write_text("<network><name>n</name><foward mode='nat'/></network>")
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "mode:" in out
    assert "not understood (kept, not summarised): /network/foward" in out
    assert main(["show", "--format", "json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["unmodeled"] == ["/network/foward"]


LIBVIRT_ON_DISK = """<!--
WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:
  virsh net-edit default
or other application using the libvirt API.
-->

<network>
  <name>default</name>
  <uuid>9a05da11-e96b-47f3-8253-a3a482e445f5</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <mac address='52:54:00:0a:cd:21'/>
  <ip address='198.51.100.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='198.51.100.2' end='198.51.100.254'/>
    </dhcp>
  </ip>
</network>
"""


def test_libvirts_files_on_disk_keep_their_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """/etc/libvirt/qemu/networks/*.xml start with a comment and a blank line."""
    path = tmp_path / "default.xml"
    path.write_text(LIBVIRT_ON_DISK)
    assert virtnetlib.Network.from_xml(path).to_xml() == LIBVIRT_ON_DISK
    assert virtnetlib.parse(LIBVIRT_ON_DISK).to_xml() == LIBVIRT_ON_DISK
    assert main(["fmt", "--check", str(path)]) == 0
    assert capsys.readouterr().out == ""
