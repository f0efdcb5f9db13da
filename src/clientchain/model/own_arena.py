"""Work run on a thread of its own, for the malloc arena that comes with it.

After a large load and analysis, glibc's main heap is mostly holes: freed, given back
to the system (`release_freed_memory`), yet still the heap's. A render's short-lived
buffers land in those holes by best fit, a different hole each time, and touch their
pages again one after another: at a million roles the summary and the chunks made
~+450 MB resident for ~60 MB in use. glibc gives a new thread an arena of its own, so
the same buffers come and go in a few compact megabytes there. After a fork it also
keeps each process' temporaries out of the pages the two share, where every write
would copy a page (the client sweeps, the two-core render). Elsewhere (another libc,
MALLOC_ARENA_MAX=1) the work runs the same, only without that gain.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Event, Thread
from typing import TypeVar

T = TypeVar("T")


def in_own_arena(work: Callable[[Event], T]) -> T:
    """work(stop) run on a new thread while this one waits; its result, or its exception
    raised here. `stop` is set once this thread stops waiting (Ctrl-C): the work should
    then end early (it runs on, as a daemon, until it looks)."""
    done: list[T] = []
    failed: list[BaseException] = []
    stop = Event()

    def run() -> None:
        try:
            done.append(work(stop))
        except BaseException as exc:  # raised again on the waiting thread
            failed.append(exc)

    worker = Thread(target=run, name="clientchain-own-arena", daemon=True)
    worker.start()
    try:
        worker.join()
    finally:
        stop.set()
    if failed:
        raise failed[0]
    return done[0]
