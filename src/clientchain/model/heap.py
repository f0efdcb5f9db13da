"""Giving freed memory back to the system when a phase ends.

glibc keeps the heap it has grown. At a million roles the parse frees the file's bytes
and the scanner's columns, and the analysis its plan (hundreds of MB each), yet the
process still holds those pages, and the next phase's arrays come on top of them where
they do not fit the holes: the peak is then set by leftovers, not by the work.
`malloc_trim(0)` hands every whole free page back (in the middle of the heap too). It
costs a few milliseconds on a large heap and nothing is gained on a small one, so it
runs only when the process holds more than LARGE bytes, and only where glibc has it.

Where a step's peak is not the run's (loading), the heap may instead keep what it frees
for the step's next arrays (`reusing_freed_memory`): each page handed back and asked for
again is zeroed anew by the kernel, and on this machine zeroing fresh pages was over a
third of loading's CPU time (`clear_page_erms` in `perf record`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

LARGE = 256 * 2**20
# The heap's thresholds for a run of the command line (glibc's mallopt): arrays up to
# MMAP_THRESHOLD come from the heap, not from a fresh mapping faulted in page by page
# each time, and up to TRIM_THRESHOLD of freed memory stays at the heap's top for the
# next array. glibc's defaults (128 KB, raised as big blocks are freed) suit many small
# objects; a run here makes and frees arrays of megabytes. At 100k roles a quarter of
# the page faults go (50-90 ms of system time). Larger thresholds save no more there
# and hold more at a million roles: 64 / 128 MB put chargeback's peak at 940-960 MB and
# a million-finding baseline's at 950, these 880 and 860 (without any, 950 and 860).
MMAP_THRESHOLD = 16 * 2**20
TRIM_THRESHOLD = 32 * 2**20
# mallopt's parameter numbers (malloc.h), and glibc's default for the last.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_MMAP_MAX = -1, -3, -4
_DEFAULT_MMAP_MAX = 65536
_NEVER = 2**31 - 1  # a trim threshold no heap top reaches

_tuned: list[Callable[[int, int], int]] = []  # glibc's mallopt, once tune_heap has used it


def tune_heap() -> None:
    """Set the heap's thresholds for a run of the command line (glibc only: elsewhere,
    or if glibc says no, the heap stays as it is). A library's caller keeps its own."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # (numpy imports it too: no cost of its own)

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    if mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD):
        _tuned[:] = [mallopt]


@contextmanager
def reusing_freed_memory() -> Iterator[None]:
    """Within the block, every array freed stays in the heap for the next ones: none
    has a mapping of its own (unmapped when freed), the heap's top is never cut back.
    After it, the thresholds are `tune_heap`'s again and the free pages go back.

    For a step that makes and drops many arrays of tens of MB and whose peak is not the
    run's: loading a million roles drops about 2 GB of them on its way to ~650 MB.
    Where the heap was not tuned (a library's caller), nothing changes."""
    if not _tuned:
        yield
        return
    mallopt = _tuned[0]
    mallopt(_M_MMAP_MAX, 0)
    mallopt(_M_TRIM_THRESHOLD, _NEVER)
    try:
        yield
    finally:
        mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
        release_freed_memory()


def release_freed_memory() -> None:
    """Return free heap pages to the system, if the process is large enough to care."""
    if resident_bytes() < LARGE:
        return
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def resident_bytes() -> int:
    """The process' resident set now (0 where /proc is not there to say)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        pages = int(Path("/proc/self/statm").read_bytes().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # ~2 ms: only once a process is large

    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc only (not musl, not macOS)
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    function: Callable[[int], int] = trim
    return function
