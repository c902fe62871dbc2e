"""Reading and replacing files without blocking, following, or leaving them half written.

Every file virtnetlib reads on a caller's behalf (documents, sysfs
attributes) goes through :func:`read_regular`, and every file it writes
(``virtnetlib fmt``, udev rules) through :func:`replace_file`: one place for
how a path becomes bytes and bytes become a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


class NotRegularFile(OSError):  # noqa: N818 - an OSError, named for what it says
    """A path that names a FIFO, a device, a socket or a folder, not a file."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit + 1`` of them.

    The file is opened without blocking (a FIFO's open would wait for a
    writer) and refused unless it is a regular file, so a FIFO, a device
    or a folder costs an error, never a hang or an endless read. One byte
    more than ``limit`` is read so the caller can tell a file that is too
    big. Raises :class:`OSError` (:class:`NotRegularFile` for the kinds
    refused).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(errno.EINVAL, f"not a regular file ({_kind(st.st_mode)})")
        # a regular file's size says how much to ask for: read(limit + 1)
        # would allocate the whole bound first
        chunks = [os.read(fd, min(st.st_size, limit) + 1)]
        got = len(chunks[0])
        while chunks[-1] and got <= limit:  # the file grew, or reads come in parts
            chunks.append(os.read(fd, min(limit + 1 - got, 1 << 20)))
            got += len(chunks[-1])
        return b"".join(chunks)
    finally:
        os.close(fd)


def replace_file(path: str | os.PathLike[str], data: bytes, *, new_mode: int = 0o644) -> None:
    """Replace the file at ``path`` with ``data``, atomically.

    The bytes go to a new temporary file in the same folder (created with
    ``O_EXCL`` under a random name, so nothing planted there is followed or
    reused), are flushed to disk, take the old file's mode and owner, and
    are renamed over it; the folder is then flushed too. A crash, a full
    disk or a file size limit leaves the old file whole. A symbolic link is
    followed and its target replaced, as an editor does. A file that does
    not exist yet is created with ``new_mode``. Raises :class:`OSError`;
    the temporary file never outlives a failure.
    """
    target = Path(os.path.realpath(path))
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise NotRegularFile(errno.EINVAL, f"not a regular file ({_kind(old.st_mode)})")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if old is None:
            os.fchmod(fd, new_mode)
        else:
            if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
                os.fchown(fd, old.st_uid, old.st_gid)
            os.fchmod(fd, stat.S_IMODE(old.st_mode))
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(temp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):  # the folder went away meanwhile
            os.unlink(temp)
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the renamed file (best effort: some file
    systems refuse to open or flush a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:  # pragma: no cover - depends on the file system
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - depends on the file system
        pass
    finally:
        os.close(fd)
