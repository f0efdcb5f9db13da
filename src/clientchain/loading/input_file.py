"""One input file's bytes: only what can be read to an end, and a pipe only once.

A path can name more than a file. A device never ends (/dev/zero, /dev/urandom: gigabytes
a second until the machine runs out of memory) or waits for a keyboard (/dev/tty), and
opening some has effects of its own (a tape rewinds), so a device is refused before it
is opened, whoever names it: an org chart under review may name `flows: /dev/zero`, or a
flows file that is a link to it. /dev/null, the usual "nothing", is read: it ends at once.

A pipe (`--flows <(...)`, a FIFO) is read when the command line names it: its bytes are
kept, since one run may read a file twice (the fast loader, then the precise one). A pipe
named inside an org chart is refused: a FIFO without a writer would hold a CI job for ever.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class NotAFileError(OSError):
    """The path names a device, or a pipe where only a file may be named; `said` says
    which in words ("is a device, not a file"), as its `strerror` does."""

    def __init__(self, said: str) -> None:
        super().__init__(errno.EINVAL, said)
        self.said = said


# A pipe's bytes by (device, inode, change time): a second open of a pipe already read
# finds it empty. (A FIFO made again at the same path may get the same inode, never the
# same change time.)
_piped: dict[tuple[int, int, int], bytes] = {}


def read_file(path: Path, *, pipes: bool = True) -> bytes:
    """The bytes of the file at `path`. IsADirectoryError for a directory, NotAFileError
    for a device (not /dev/null) and, unless `pipes`, a named pipe; OSError and ValueError
    (a NUL in the name) as opening it raises them."""
    found = path.stat()
    _check(found, pipes)
    if stat.S_ISFIFO(found.st_mode):
        return _piped_bytes(path, found)
    # Opened without waiting, so that what was swapped for a FIFO since the look cannot
    # hold the open, and read so, so that a "file" that never ends (/proc/kmsg) says so.
    descriptor = os.open(path, os.O_RDONLY | _flags("O_NONBLOCK", "O_CLOEXEC", "O_BINARY"))
    try:
        opened = os.fstat(descriptor)
        if stat.S_IFMT(opened.st_mode) != stat.S_IFMT(found.st_mode):
            _check(opened, pipes=False)  # replaced between the look and the open
        return _read_to_end(descriptor, opened.st_size)
    finally:
        os.close(descriptor)


def _read_to_end(descriptor: int, size: int) -> bytes:
    """Every byte up to the end; NotAFileError where a read would wait for more, before
    any byte or after some (FileIO.readall returns what came first: /proc/kmsg with the
    kernel's messages pending would read as a file of them)."""
    chunks: list[bytes] = []
    want = size + 1  # (a regular file: all of it in one read, then the end)
    while True:
        try:
            chunk = os.read(descriptor, max(want, 1 << 16))
        except BlockingIOError:
            raise NotAFileError("is not a file (it waits for more to read)") from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        want = 1 << 20


def _piped_bytes(path: Path, found: os.stat_result) -> bytes:
    """A pipe's bytes, read once: the open waits for a writer, as `cat` does, so what was
    read is looked up first (its writer may be gone)."""
    kept = _piped.get(_key(found))
    if kept is None:
        with path.open("rb", buffering=0) as file:
            kept = file.readall()
            _piped[_key(os.fstat(file.fileno()))] = kept  # (as it stands once all is written)
    return kept


def _flags(*names: str) -> int:
    """The open flags of these names this system has (Windows: no O_NONBLOCK nor
    O_CLOEXEC, and O_BINARY, without which a descriptor reads CRLF as LF)."""
    flags = 0
    for name in names:
        flags |= getattr(os, name, 0)
    return flags


def forget_pipes() -> None:
    """Let the kept pipes' bytes go: for a command that loads once, when it has (a flows
    file of a million roles piped in is some 100-200 MB the analysis need not carry)."""
    _piped.clear()


def is_regular(path: Path) -> bool:
    """Whether `path` is a regular file now (False where it cannot be looked at)."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _key(found: os.stat_result) -> tuple[int, int, int]:
    return found.st_dev, found.st_ino, found.st_ctime_ns


def _check(found: os.stat_result, pipes: bool) -> None:
    mode = found.st_mode
    if stat.S_ISREG(mode):
        return
    if stat.S_ISFIFO(mode):
        if pipes:
            return
        raise NotAFileError("is a named pipe (FIFO), not a file")
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if is_device(found):
        raise NotAFileError("is a device, not a file")
    if not _is_devnull(found):
        raise NotAFileError("is not a file")  # a socket


def is_device(found: os.stat_result) -> bool:
    """Whether `found` is a device other than /dev/null (which ends at once)."""
    mode = found.st_mode
    return (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)) and not _is_devnull(found)


def _is_devnull(found: os.stat_result) -> bool:
    try:
        return os.path.samestat(found, Path(os.devnull).stat())
    except OSError:
        return False
