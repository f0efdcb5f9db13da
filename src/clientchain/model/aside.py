"""One step of work done in a forked child, beside this process, its result handed back.

A step whose inputs are ready and whose result is wanted only later can run on the
second core while this process goes on with other steps: `aside(work)` forks a child
that runs `work()` and writes its result back through a pipe (pickled, its arrays as
raw buffers: tens of megabytes take tens of milliseconds), which a thread of this
process reads as soon as it comes, so that the child can leave; `result()` waits for
it. Should fork not be there, or the child stop before it has sent all of its result
(killed, out of memory, or `work` raised), `result()` runs `work()` in this process:
slower, never different (and an exception of `work` is raised here, as it would be
without a child).

`work` must be a pure function of what the process holds at the fork: the child's
changes to any object never reach this process.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Generic, NoReturn, TypeVar

from clientchain.model.forking import write_fully
from clientchain.model.own_arena import in_own_arena

T = TypeVar("T")

_SIZE = 8  # bytes of a length on the pipe
_NOTHING = object()


class Aside(Generic[T]):
    """The parent's end of a step run in a child (or, without one, still to run)."""

    def __init__(self, work: Callable[[], T], fork: bool) -> None:
        self._work = work
        self._value: object = _NOTHING
        self._pid = 0
        self._received: tuple[T] | None = None
        if fork:
            self._start()

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: the step runs here when asked for
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:
            os.close(read_end)
            _run_and_send(self._work, write_end)
        os.close(write_end)
        self._pid = pid
        # The result is read as soon as the child sends it, not when asked for: the child
        # waits on a full pipe until then, holding every page it wrote (its temporaries,
        # its copies of pages the two shared: ~100 MB at a million roles), under the
        # peak of whatever this process does meanwhile.
        self._reader = threading.Thread(target=self._drain, args=(read_end,), daemon=True)
        self._reader.start()

    def _drain(self, read_end: int) -> None:
        """On the reader thread: the child's result (in a 1-tuple), or None if it stopped
        before sending it."""
        try:
            with os.fdopen(read_end, "rb", buffering=0) as pipe:
                self._received = _read_result(pipe)
        except Exception:  # (on a thread: raised, it would only be printed) -> run here
            self._received = None

    @property
    def forked(self) -> bool:
        """A child is working on the step (until its result is read or it is closed)."""
        return self._pid > 0

    def result(self) -> T:
        """The step's result: the child's, else `work()` run here."""
        if self._value is _NOTHING:
            received = None
            if self._pid:
                self._reader.join()
                received = self._received
                self._reap()
            self._value = self._work() if received is None else received[0]
        return self._value  # type: ignore[return-value]

    def close(self) -> None:
        """Stop the child if it is still working (the caller failed or was stopped)."""
        if self._pid:
            self._reap()  # (its end of the pipe closes: the reader thread sees the end)
            self._reader.join()

    def _reap(self) -> None:
        """The child gone: it has sent all it will (or the caller stopped waiting)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        self._pid = 0


def aside(work: Callable[[], T], fork: bool) -> Aside[T]:
    """`work` started in a forked child when `fork` is asked for (and possible); its
    result from `result()`. Use `close()` (in a `finally`) should the caller stop first."""
    return Aside(work, fork)


def _run_and_send(work: Callable[[], T], write_end: int) -> NoReturn:
    """The child: run the step on a thread of its own arena (its temporaries do not land
    in the heap's pages the two processes share since the fork, where each write would
    copy a page), send the result and leave without running anything of the parent's
    (no atexit handler, no flush of buffered output). Anything raised: the parent runs
    the step itself."""
    code = 1
    try:
        value = in_own_arena(lambda _stop: work())
        buffers: list[pickle.PickleBuffer] = []
        payload = pickle.dumps((value,), protocol=5, buffer_callback=buffers.append)
        parts = [memoryview(payload), *(b.raw() for b in buffers)]
        write_fully(write_end, len(parts).to_bytes(_SIZE, "little"))
        for part in parts:
            write_fully(write_end, part.nbytes.to_bytes(_SIZE, "little"))
            write_fully(write_end, part)
        code = 0
    except BaseException:  # the parent finds the result missing and runs `work` itself
        pass
    finally:
        os._exit(code)


def _read_result(pipe: io.RawIOBase) -> tuple[T] | None:
    count = _read_size(pipe)
    if count is None or count < 1:
        return None
    parts: list[bytearray] = []
    for _ in range(count):
        size = _read_size(pipe)
        if size is None:
            return None
        part = bytearray(size)  # writable: the arrays made over it are too
        if not _read_into(pipe, memoryview(part)):
            return None
        parts.append(part)
    value: tuple[T] = pickle.loads(parts[0], buffers=parts[1:])
    return value


def _read_size(pipe: io.RawIOBase) -> int | None:
    header = bytearray(_SIZE)
    if not _read_into(pipe, memoryview(header)):
        return None
    return int.from_bytes(header, "little")


def _read_into(pipe: io.RawIOBase, view: memoryview) -> bool:
    """Fill `view` from the pipe; False at its end first."""
    while view:
        got = pipe.readinto(view)
        if not got:
            return False
        view = view[got:]
    return True
