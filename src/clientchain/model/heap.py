"""The heap of a run of the command line: freed memory kept for the next arrays, and
given back to the system where a phase ends.

A run makes and drops arrays of megabytes to hundreds of megabytes. Each page handed
back to the system and asked for again is a fresh page: zeroed by the kernel, and on a
virtual machine often faulted in by the host as well. Here (a Firecracker guest) that
cost ~0.5-0.8 s a GB, and with a mapping of its own for every array of 16 MB or more
(unmapped when freed) a million-role analysis faulted in 2.6 to 6.3 GB for a peak under
1 GB (`clear_page_erms` in `perf record`: two thirds of building the money graph of 7.4
million flows). So `tune_heap` has every array come from the heap, where a freed
array's pages go to the next ones, and only what is free at the heap's top beyond
TRIM_THRESHOLD goes back by itself. At a million roles, against 16 MB mappings: fresh
memory 5.2 GB against 6.3 (tangle), 4.2 against 6.1 (recharge), 4.2 against 5.3
(multisale), 3.4 against 3.7 (chargeback); the peaks within 3 MB, silos' 22 MB higher.
Keeping the top too (never trimmed) saved more (tangle 3.5 GB) but put tangle's peak
30 MB higher (966-982 MB).

The pages do go back where a phase ends (`release_freed_memory`): glibc would keep the
heap it has grown, and after the parse (its file bytes and scanner columns) or the
analysis' plan (hundreds of MB each) the next phase's arrays would come on top of
pages nobody uses where they do not fit the holes: the peak would be set by
leftovers, not by the work. `malloc_trim(0)` hands every whole free page back (in the
middle of the heap too). It costs a few milliseconds on a large heap and nothing is
gained on a small one, so it runs only when the process holds more than LARGE bytes,
and only where glibc has it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

LARGE = 256 * 2**20
# Free memory at the heap's top beyond this goes back to the system when a block is
# freed (glibc's default is 128 KB, raised as big blocks are freed).
TRIM_THRESHOLD = 32 * 2**20
# mallopt's parameter numbers (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4


def tune_heap() -> None:
    """Keep freed memory in the heap for a run of the command line: no array gets a
    mapping of its own, and only what is free at the heap's top beyond TRIM_THRESHOLD
    goes back by itself (glibc only: elsewhere, or if glibc says no, the heap stays as
    it is). A library's caller keeps its own."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # (numpy imports it too: no cost of its own)

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # (Where the heap cannot grow, glibc still maps a block of its own: never a failure.)
    mallopt(_M_MMAP_MAX, 0)
    mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


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
