"""Whether this process may fork a helper (the diff's second side, the JSON render's
and the client sweeps' second core), and how many cores it may use."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# Cores another process of this run is busy on (see `sharing_cores`); a list, not a
# context variable: the threads this process starts must see it too.
_TAKEN = [0]


def can_fork() -> bool:
    """Fork is there and safe (macOS' system libraries are not fork-safe; Windows has
    no fork)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def usable_cores() -> int:
    """The cores this process may run on (a container's limit, not the machine's), but
    those another process of the same run is busy on."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    return max(1, cores - _TAKEN[0])


def write_fully(fd: int, data: bytes | memoryview) -> None:
    """Write all of `data` to `fd` (a pipe to or from a helper: os.write may take part)."""
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view) :]


def second_core_free() -> bool:
    """A forked helper may run beside this process on a core of its own."""
    return can_fork() and usable_cores() >= 2


@contextmanager
def sharing_cores(others: int = 1) -> Iterator[None]:
    """Within: `others` of the cores are another process' of this run (diff's two sides,
    analysed at once), so the helpers that fork for a second core do not: on two cores,
    four processes forking and waiting on each other were slower than two."""
    before = _TAKEN[0]
    _TAKEN[0] = before + others
    try:
        yield
    finally:
        _TAKEN[0] = before
