"""Files read and written for the caller (virtnetlib._core.files and its users).

Reading never blocks on what is not a regular file; writing replaces a file
whole or not at all, keeping its mode and owner.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from virtnetlib._core.files import NotRegularFile, read_regular, replace_file
from virtnetlib.cli import main

UGLY = (
    "<network><name>n</name><bridge name='virbr9'/>"
    "<ip address='198.51.100.1' prefix='24'/></network>"
)


def test_a_fifo_a_device_and_a_folder_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    done: list[BaseException] = []

    def read() -> None:
        for path in (fifo, Path("/dev/zero"), Path("/dev/null"), tmp_path):
            try:
                read_regular(path, 100)
            except NotRegularFile as exc:
                done.append(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "opening a FIFO blocked"
    assert [str(e) for e in done] == [
        f"[Errno {errno.EINVAL}] not a regular file (a FIFO)",
        f"[Errno {errno.EINVAL}] not a regular file (a character device)",
        f"[Errno {errno.EINVAL}] not a regular file (a character device)",
        f"[Errno {errno.EINVAL}] not a regular file (a folder)",
    ]


def test_reading_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 1000)
    assert read_regular(path, 10) == b"x" * 11
    assert read_regular(path, 5000) == b"x" * 1000


@pytest.mark.parametrize("args", [["validate"], ["fmt"], ["show"], ["ports"]])
def test_commands_refuse_what_is_not_a_file_with_exit_2(
    tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "net.xml"
    os.mkfifo(fifo)
    code = subprocess.run(
        [sys.executable, "-m", "virtnetlib", *args, str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,  # a blocked open would hang here
        check=False,
    )
    assert code.returncode == 2, code.stderr
    assert f"cannot read {fifo}: not a regular file (a FIFO)" in code.stderr
    assert main([*args, "/dev/zero"]) == 2
    assert "not a regular file (a character device)" in capsys.readouterr().err


def test_fmt_replaces_the_file_and_keeps_mode_owner_and_link(tmp_path: Path) -> None:
    real = tmp_path / "real.xml"
    real.write_text(UGLY)
    os.chmod(real, 0o640)
    if os.geteuid() == 0:
        os.chown(real, 1234, 5678)
    link = tmp_path / "link.xml"
    link.symlink_to(real.name)
    inode = real.stat().st_ino
    assert main(["fmt", str(link)]) == 0
    assert link.is_symlink()  # the link stays; its target is replaced
    st = real.stat()
    assert st.st_ino != inode  # a new file was renamed over the old one
    assert stat.S_IMODE(st.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 5678)
    assert real.read_text().startswith("<network>\n  <name>n</name>\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.xml", "real.xml"]


def test_fmt_never_touches_a_file_that_does_not_parse(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<network><name>n</name>")
    before = path.stat()
    assert main(["fmt", str(path)]) == 1
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_fmt_under_a_file_size_limit_leaves_the_original_whole(tmp_path: Path) -> None:
    """ulimit -f below the new file's size: the write fails, the old file is untouched,
    no temporary file is left."""
    path = tmp_path / "net.xml"
    path.write_text(UGLY)
    limit = len(UGLY) + 10  # the formatted file is longer than this

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run = subprocess.run(
        [sys.executable, "-m", "virtnetlib", "fmt", str(path)],
        capture_output=True,
        text=True,
        preexec_fn=limited,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "cannot write: File too large" in run.stderr
    assert path.read_text() == UGLY
    assert [p.name for p in tmp_path.iterdir()] == ["net.xml"]


def test_a_full_disk_leaves_the_original_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "net.xml"
    path.write_text(UGLY)
    real_write = os.write

    def full(fd: int, data: bytes | memoryview) -> int:
        if len(data) > 20:
            real_write(fd, bytes(data[:20]))  # part of it, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError, match="No space left"):
        replace_file(path, b"<network>\n" * 100)
    monkeypatch.undo()
    assert path.read_text() == UGLY
    assert [p.name for p in tmp_path.iterdir()] == ["net.xml"]


def test_a_planted_file_at_a_temporary_name_is_never_followed(tmp_path: Path) -> None:
    """Temporary names are random and created with O_EXCL: a link planted at any
    name a process id would give is neither followed nor overwritten."""
    victim = tmp_path / "victim"
    victim.write_text("keep")
    target = tmp_path / "rules"
    target.mkdir()
    for pid in (os.getpid(), os.getpid() + 1):
        (target / f".x.rules.{pid}.tmp").symlink_to(victim)
    replace_file(target / "x.rules", b"new\n")
    assert victim.read_text() == "keep"
    assert (target / "x.rules").read_text() == "new\n"
    assert stat.S_IMODE((target / "x.rules").stat().st_mode) == 0o644


def test_replacing_something_that_is_not_a_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="a FIFO"):
        replace_file(fifo, b"x")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
