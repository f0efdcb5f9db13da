"""Run BLAS single-threaded for the duration of a sweep.

The sweep's BLAS calls are small (SuperLU's supernode updates, a few hundred rows
by 16 columns; batched inverses of 48 x 48 at most): OpenBLAS still wakes its
worker threads for them, and their spinning cost about 2.5x the solve itself in
CPU (13.7 s against 5.9 s at a million roles of the chargeback shape). Threads
split the output, never a sum, so the results are the same bit for bit.

OpenBLAS is found among the libraries the process has loaded (numpy and scipy
each bring their own copy); without /proc or OpenBLAS this changes nothing.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Names of the thread-count setters, per build (scipy-openblas prefixes, 64-bit ints).
_PREFIXES = ("scipy_openblas", "openblas")
_SUFFIXES = ("64_", "")


_open = threading.local()  # per thread: one_blas_thread contexts entered and not left


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Every loaded OpenBLAS at one thread inside, as it was after. Inside another such
    context it does nothing: the libraries are read once for a run of many sweeps (each
    read of the process' maps costs about a millisecond)."""
    depth = getattr(_open, "depth", 0)
    if depth:
        yield
        return
    controls = [control for path in _openblas_paths() if (control := _control(path))]
    previous = [get() for get, _ in controls]
    for _, set_threads in controls:
        set_threads(1)
    _open.depth = 1
    try:
        yield
    finally:
        _open.depth = 0
        for (_, set_threads), count in zip(controls, previous, strict=True):
            set_threads(count)


_Control = tuple[Any, Any]  # (get, set) of one library: ctypes foreign functions
_found: dict[str, _Control | None] = {}


def _openblas_paths() -> list[str]:
    """The OpenBLAS libraries mapped into this process (read each time: scipy may have
    been imported since)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return []
    paths = {line.split()[-1] for line in maps.splitlines() if "openblas" in line}
    return sorted(path for path in paths if path.startswith("/"))


def _control(path: str) -> _Control | None:
    if path not in _found:
        _found[path] = _lookup(path)
    return _found[path]


def _lookup(path: str) -> _Control | None:
    try:
        library = ctypes.CDLL(path)
    except OSError:
        return None
    for prefix in _PREFIXES:
        for suffix in _SUFFIXES:
            get = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
            set_threads = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and set_threads is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                set_threads.restype, set_threads.argtypes = None, [ctypes.c_int]
                return get, set_threads
    return None
