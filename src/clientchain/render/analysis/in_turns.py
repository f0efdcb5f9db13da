"""A streamed document rendered on two cores and written in order, byte for byte.

The chunks of the JSON document's long lists are independent jobs (json_stream): each
renders its objects from the analysis' columns alone. On a machine with two cores a
forked child renders every other job and passes each text back through a pipe; the
parent renders the others and writes every text in document order, so the bytes are
those of one process. Memory stays at a chunk or two in flight: the child waits on the
pipe until the parent has taken its previous text, and pages are shared until written.
Each process renders on a thread of its own (own_arena), so that the texts it makes
and drops land in an arena of fresh pages, not in the holes of the heap the two share
since the fork, where each write would copy a page for one of them (at a million roles
the two grew by ~400 MB that way, by ~100 MB now).
Should the child fail, or fork not be there, the parent renders those jobs itself:
slower, never different.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, BinaryIO, NoReturn

from clientchain.model.forking import can_fork, write_fully
from clientchain.model.own_arena import in_own_arena

if TYPE_CHECKING:
    from threading import Event

Item = bytes | Callable[[], bytes]  # a text of the document, or the job that renders it

MIN_JOBS = 8  # fewer: a fork (a few ms) costs more than half the rendering saves
_HEADER = 8  # bytes of a text's length before it, in the pipe
_PIPE_BYTES = 1 << 20  # a larger pipe: fewer switches between the two processes


def write_items(
    items: Sequence[Item], stream: BinaryIO, two_cores: bool, stop: Event | None = None
) -> None:
    """Write each item's text to `stream` in order (a job's text is what it returns),
    with a second process rendering every other job when `two_cores` is asked for.
    One process stops between items once `stop` is set."""
    jobs = [k for k, item in enumerate(items) if not isinstance(item, bytes)]
    if not two_cores or len(jobs) < MIN_JOBS or not can_fork():
        _write_all(items, stream, stop)
        return
    theirs = jobs[1::2]
    read_end, write_end = os.pipe()
    _widen(write_end)
    pid = os.fork()
    if pid == 0:
        _render_and_send(items, theirs, read_end, write_end)
    os.close(write_end)
    try:
        in_own_arena(partial(_write_in_turns, items, set(theirs), read_end, stream))
    except BaseException:
        os.kill(pid, signal.SIGKILL)  # it may be waiting on a pipe nobody will read
        raise
    finally:
        os.waitpid(pid, 0)


def _write_all(items: Sequence[Item], stream: BinaryIO, stop: Event | None = None) -> None:
    for item in items:
        if stop is not None and stop.is_set():
            return
        stream.write(item if isinstance(item, bytes) else item())


def _write_in_turns(
    items: Sequence[Item], theirs: set[int], read_end: int, stream: BinaryIO, stop: Event
) -> None:
    with os.fdopen(read_end, "rb", buffering=_PIPE_BYTES) as texts:
        child_alive = True
        for k, item in enumerate(items):
            if stop.is_set():  # the caller stopped waiting (Ctrl-C): no more writes
                return
            if isinstance(item, bytes):
                text = item
            elif k in theirs and child_alive:
                received = _receive(texts)
                child_alive = received is not None
                text = received if received is not None else item()
            else:
                text = item()
            stream.write(text)


def _receive(texts: BinaryIO) -> bytes | None:
    """The child's next text, or None if it stopped before sending all of it."""
    header = texts.read(_HEADER)
    if len(header) < _HEADER:
        return None
    size = int.from_bytes(header, "little")
    text = texts.read(size)
    return text if len(text) == size else None


def _render_and_send(
    items: Sequence[Item], theirs: list[int], read_end: int, write_end: int
) -> NoReturn:
    """The child: render its jobs, send each text, and leave without running anything
    of the parent's (no atexit, no flush of buffers it inherited)."""
    code = 1
    try:
        os.close(read_end)
        in_own_arena(partial(_send_all, items, theirs, write_end))
        code = 0
    except BaseException:  # the parent renders whatever it does not receive
        pass
    finally:
        os._exit(code)


def _send_all(items: Sequence[Item], theirs: list[int], write_end: int, stop: Event) -> None:
    for k in theirs:
        item = items[k]
        text = item if isinstance(item, bytes) else item()
        write_fully(write_end, len(text).to_bytes(_HEADER, "little"))
        write_fully(write_end, text)


def _widen(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except (ImportError, OSError):
        pass  # the default pipe works too, with more switches
