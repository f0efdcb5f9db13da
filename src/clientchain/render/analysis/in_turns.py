"""A streamed document rendered on two cores and written in order, byte for byte.

The chunks of the JSON document's long lists are independent jobs (json_stream): each
renders its objects from the analysis' columns alone. On a machine with two cores a
forked child renders every other job and passes each text back through a pipe; the
parent renders the others and writes every text in document order, so the bytes are
those of one process. A thread of the parent takes the child's texts off the pipe as
they come, up to AHEAD of them before their turn: the child renders on while the parent
writes, not waiting for the parent to reach each of its texts (a text of ~1.5 MB
outgrows a pipe of 1 MB: the two had waited on each other at every chunk; multisale at
a million roles, render phase 6.2-7.4 -> 5.9-7.1 s on a slow spell). Memory stays at a
few chunks in flight, and pages are shared until written.
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
import threading
from collections.abc import Callable, Sequence
from functools import partial
from queue import Empty, Full, Queue
from typing import TYPE_CHECKING, BinaryIO, NoReturn

from clientchain.model.forking import can_fork, write_fully
from clientchain.model.own_arena import in_own_arena

if TYPE_CHECKING:
    from threading import Event

Item = bytes | Callable[[], bytes]  # a text of the document, or the job that renders it

MIN_JOBS = 8  # fewer: a fork (a few ms) costs more than half the rendering saves
AHEAD = 8  # the child's texts read before their turn (a few MB): it renders on meanwhile
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
    ahead = _ReadAhead(read_end)
    try:
        child_alive = True
        for k, item in enumerate(items):
            if stop.is_set():  # the caller stopped waiting (Ctrl-C): no more writes
                return
            if isinstance(item, bytes):
                text = item
            elif k in theirs and child_alive:
                received = ahead.next()
                child_alive = received is not None
                text = received if received is not None else item()
            else:
                text = item()
            stream.write(text)
    finally:
        ahead.close()


class _ReadAhead:
    """The child's texts, taken off the pipe by a thread as they come, up to AHEAD of
    them waiting for their turn (then the child waits on the pipe, as it did before)."""

    def __init__(self, read_end: int) -> None:
        self._texts: Queue[bytes | None] = Queue(AHEAD)
        self._closed = threading.Event()
        self._thread = threading.Thread(
            target=self._read, args=(read_end,), name="clientchain-read-ahead", daemon=True
        )
        self._thread.start()

    def next(self) -> bytes | None:
        """The child's next text, or None if it stopped before sending all of it."""
        return self._texts.get()

    def close(self) -> None:
        """No more texts wanted: the thread stops (at the latest when the child's end of
        the pipe closes)."""
        self._closed.set()
        self._drain()
        self._thread.join()

    def _read(self, read_end: int) -> None:
        try:
            with os.fdopen(read_end, "rb", buffering=_PIPE_BYTES) as texts:
                while not self._closed.is_set() and (text := _receive(texts)) is not None:
                    self._put(text)
        except BaseException:  # (on a thread: raised, it would only be printed)
            pass
        finally:
            self._put(None)  # the end, whatever ended it: the parent renders the rest

    def _put(self, text: bytes | None) -> None:
        while not self._closed.is_set():
            try:
                self._texts.put(text, timeout=0.1)
                return
            except Full:  # the parent is behind: it may have stopped; look again
                continue

    def _drain(self) -> None:
        while True:
            try:
                self._texts.get_nowait()
            except Empty:
                return


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
