"""Where the time goes: named phases (parse, build, analyse, render), timed when someone asks,
and notes on how a run went.

Library code marks its phases with `with phase("parse"):`; that costs nothing
unless a caller records them (`with recording() as record:`), as the CLI does
for `--timings` and for its progress display on a terminal. The recorder is
carried in a context variable, so nothing threads it through every call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import field

from clientchain.model.heap import release_freed_memory
from clientchain.model.holder import value_class

PHASES = ("parse", "build", "analyse", "render")


@value_class(frozen=False)
class Record:
    """Seconds spent per phase, in the order first entered; `on_enter` sees each start."""

    seconds: dict[str, float] = field(default_factory=dict)
    on_enter: Callable[[str], None] | None = None
    notes: list[str] = field(default_factory=list)  # what a user may want to know of a run
    on_note: Callable[[str], None] | None = None

    def line(self) -> str:
        """One line for stderr: `parse 1.20 s, build 0.31 s, ...` and the total."""
        parts = [f"{name} {secs:.2f} s" for name, secs in self.seconds.items()]
        total = sum(self.seconds.values())
        return f"{', '.join(parts)} (total {total:.2f} s)"


_current: ContextVar[Record | None] = ContextVar("clientchain_phase_record", default=None)


@contextmanager
def recording(
    on_enter: Callable[[str], None] | None = None, on_note: Callable[[str], None] | None = None
) -> Iterator[Record]:
    """Record the phases run inside this block (and the notes taken)."""
    record = Record(on_enter=on_enter, on_note=on_note)
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)


def note(text: str) -> None:
    """Keep a remark for whoever records (e.g. why a big input took the slow path)."""
    record = _current.get()
    if record is not None:
        record.notes.append(text)
        if record.on_note is not None:
            record.on_note(text)


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Time this block as (part of) phase `name`, if anyone is recording."""
    record = _current.get()
    if record is None:
        yield
        release_freed_memory()  # what the phase freed, before the next one allocates
        return
    if record.on_enter is not None:
        record.on_enter(name)
    start = time.perf_counter()
    try:
        yield
    finally:
        record.seconds[name] = record.seconds.get(name, 0.0) + time.perf_counter() - start
    release_freed_memory()
