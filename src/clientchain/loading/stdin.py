"""Standard input as an input file: `-` on the command line, `<stdin>` in messages.

Standard input can be read only once, but one run may need its bytes more than once
(the fast loader, then the precise one when the fast one declines; `validate` with
one `--flows -` for several org charts). The bytes are kept for the stream they were
read from: a new stream (a test runner's) is read afresh.
"""

from __future__ import annotations

import os
import stat
import sys

from clientchain.loading.input_file import NotAFileError, is_device

STDIN = "-"  # how the command line names standard input
STDIN_NAME = "<stdin>"  # how messages and `source` name it

_read: dict[str, tuple[object, bytes]] = {}  # "stdin": (the stream, its bytes), kept together


def is_stdin(path: str | os.PathLike[str]) -> bool:
    """Whether a path given on the command line means standard input."""
    return os.fspath(path) == STDIN


def stdin_bytes() -> bytes:
    """Everything on standard input, read at the first call for this stream."""
    stream = sys.stdin.buffer
    kept = _read.get("stdin")
    if kept is None or kept[0] is not stream:
        _refuse_a_device(stream)
        kept = _read["stdin"] = (stream, stream.read())
    return kept[1]


def stdin_file_key() -> tuple[int, int] | None:
    """Which file standard input is, as `flow_table.flows_file_key` names a file (its
    device and inode): the file it is redirected from (`--flows - < flows.csv`), or
    its pipe (named again as /dev/stdin); None for a terminal or a stream without a
    descriptor."""
    try:
        found = os.fstat(sys.stdin.buffer.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    if not (stat.S_ISREG(found.st_mode) or stat.S_ISFIFO(found.st_mode)) or not found.st_ino:
        return None
    return (found.st_dev, found.st_ino)


def _refuse_a_device(stream: object) -> None:
    """NotAFileError when standard input is a device that never ends (`< /dev/zero`); a
    terminal (typed or pasted, ended with Ctrl-D) and /dev/null are read."""
    try:
        descriptor = stream.fileno()  # type: ignore[attr-defined]
        found = os.fstat(descriptor)
    except (AttributeError, OSError, ValueError):  # a test runner's stream: no descriptor
        return
    if is_device(found) and not os.isatty(descriptor):
        raise NotAFileError("is a device, not a file")
