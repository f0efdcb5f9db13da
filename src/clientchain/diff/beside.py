"""One side of a diff loaded and analysed in a child process, beside this one.

On two cores the two versions are analysed at the same time: a forked child loads
and analyses one while the parent does the other. The child hands back what the
comparison reads (`SideColumns`: arrays, one string of ids, the findings' keys),
never the analysis, and then answers the few requests for objects the diff lists
(the findings it resolves, the roles it removes) until it is told to stop.

Messages on the pipe, child to parent: ("loaded", notes) or ("problems", problems,
notes) or ("raised", exception, notes) once the side is read; then ("columns", columns)
or ("crashed", text); then one answer per request. A child that dies (killed, out of
memory) shows as the end of the pipe: `SideLostError`. Ctrl-C stops both; the parent
always reaps its child (`beside` is a context manager).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection, Pipe
from typing import Any, Generic, NoReturn, TypeVar

from clientchain.analyses.analyze import Analysis
from clientchain.diff.sides import LocalSide, RoleEntry, SideColumns
from clientchain.model.findings import Finding
from clientchain.model.forking import can_fork
from clientchain.model.phases import note, recording
from clientchain.model.problems import InputError

T = TypeVar("T")

# Below this many bytes of input (both org charts) a child costs more than it saves
# (a 10,000-role org chart is ~0.8 MB: at 30,000 roles a side the child still cost more
# than it saved on a busy 2-core machine; each side is a second of work at ~50,000).
PARALLEL_BYTES = 8_000_000
PARALLEL_VARIABLE = "CLIENTCHAIN_DIFF_PARALLEL"  # 1: always a child, 0: never


class SideLostError(RuntimeError):
    """The child analysing one side ended without answering (a bug, killed, out of memory)."""


def wanted(input_bytes: int) -> bool:
    """Analyse the sides in two processes: asked for, or the inputs are big enough."""
    asked = os.environ.get(PARALLEL_VARIABLE, "").strip().lower()
    if asked in ("0", "no", "false", "off"):
        return False
    if not can_fork():
        return False
    return asked in ("1", "yes", "true", "on") or input_bytes >= PARALLEL_BYTES


class Beside(Generic[T]):
    """The parent's end: the side's load result, its columns, objects on request."""

    def __init__(self, pid: int, conn: Connection, label: str) -> None:
        self.pid, self.conn, self.label = pid, conn, label
        self._columns: SideColumns | None = None

    def _receive(self) -> Any:
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            self._lost()

    def _lost(self) -> NoReturn:
        status = self._reap(kill=False)
        how = (
            f"killed by signal {-status}"
            if status is not None and status < 0
            else f"exit status {status}"
        )
        raise SideLostError(f"the process analysing {self.label} ended without a result ({how})")

    def loaded(self) -> None:
        """Wait until the side is read: its notes noted here, its problems raised here."""
        message = self._receive()
        kind, *rest = message
        for text in rest[-1]:
            note(text)
        if kind == "problems":
            raise InputError(rest[0])
        if kind == "raised":
            raise rest[0]

    @property
    def columns(self) -> SideColumns:
        if self._columns is None:
            kind, value = self._receive()
            if kind == "crashed":
                raise SideLostError(f"the process analysing {self.label} failed: {value}")
            self._columns = value
        return self._columns

    def _ask(self, kind: str, positions: list[int]) -> Any:
        self.columns  # noqa: B018  (the answers come after the columns)
        try:
            self.conn.send((kind, positions))
        except OSError:
            self._lost()
        kind, value = self._receive()
        if kind == "crashed":
            raise SideLostError(f"the process analysing {self.label} failed: {value}")
        return value

    def findings_at(self, positions: list[int]) -> list[Finding]:
        found: list[Finding] = self._ask("findings", positions)
        return found

    def entries(self, rows: list[int]) -> list[RoleEntry]:
        found: list[RoleEntry] = self._ask("entries", rows)
        return found

    def _reap(self, kill: bool) -> int | None:
        """The child's exit status (negative: the signal), once it is gone."""
        if self.pid == 0:
            return None
        if kill:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        """Tell the child to stop (it may be working still: then it is killed)."""
        self.conn.close()
        if self.pid:
            self._reap(kill=True)


@contextmanager
def beside(
    load: Callable[[], T], analyse: Callable[[T], Analysis], label: str
) -> Iterator[Beside[T]]:
    """Fork a child that runs `load()` then `analyse(...)`; the parent goes on."""
    parent_end, child_end = Pipe(duplex=True)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # nothing buffered is written twice
    pid = os.fork()
    if pid == 0:  # pragma: no cover  (the child: coverage does not follow it)
        parent_end.close()
        os._exit(_child(child_end, load, analyse))
    child_end.close()
    side: Beside[T] = Beside(pid, parent_end, label)
    try:
        yield side
    finally:
        side.close()


def _child(conn: Connection, load: Callable[[], T], analyse: Callable[[T], Analysis]) -> int:
    """The child's life: its exit status. It never returns to the caller's code, never
    writes on stdout, and leaves without the parent's exit handlers (`os._exit`)."""
    try:
        with recording() as record:  # its own: no progress display from here
            try:
                loaded = load()
            except InputError as exc:
                conn.send(("problems", exc.problems, record.notes))
                return 0
            except Exception as exc:  # the caller's to judge (a revision git cannot read)
                conn.send(("raised", _portable(exc), record.notes))
                return 0
            conn.send(("loaded", record.notes))
            try:
                local = LocalSide(analyse(loaded))
            except Exception as exc:
                conn.send(("crashed", f"{type(exc).__name__}: {exc}"))
                return 1
            conn.send(("columns", local.columns))
            while True:
                request = conn.recv()
                kind, positions = request
                answer = (
                    local.findings_at(positions) if kind == "findings" else local.entries(positions)
                )
                conn.send(("answer", answer))
    except (EOFError, OSError, KeyboardInterrupt):
        return 0  # the parent is gone or stopping: so is the child, quietly
    except BaseException as exc:  # reported to the parent, which decides
        with suppress(BaseException):
            conn.send(("crashed", f"{type(exc).__name__}: {exc}"))
        return 1


def _portable(exc: Exception) -> Exception:
    """`exc` if it survives the pipe, else one that says what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return SideLostError(f"{type(exc).__name__}: {exc}")
    return exc
