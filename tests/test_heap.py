"""Freed memory goes back to the system when a phase ends, so a million-role run's peak
is set by the work, not by what earlier phases left in the heap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clientchain.model.heap import _malloc_trim, resident_bytes

ROOT = Path(__file__).resolve().parent.parent

needs_glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or _malloc_trim() is None,
    reason="malloc_trim is glibc's",
)


@needs_glibc
def test_a_phase_end_hands_back_a_heap_full_of_holes() -> None:
    """In a new process: 400 MB in 64 KB pieces (heap, not mmap), all freed but every
    hundredth, so the heap cannot simply shrink from its top; ending a phase gives the
    free pages back."""
    script = """
from clientchain.model.heap import resident_bytes
from clientchain.model.phases import phase
pieces = [bytearray(64 * 1024) for _ in range(6400)]
kept = pieces[::100]
del pieces
before = resident_bytes()
with phase("parse"):
    pass
print(before, resident_bytes(), len(kept))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, after, _ = (int(word) for word in done.stdout.split())
    assert before > 350 * 2**20
    assert after < before - 300 * 2**20


@needs_glibc
def test_a_small_process_is_left_alone() -> None:
    """Below LARGE the trim is not even looked up (ctypes costs ~2 ms to import)."""
    script = """
import sys
from clientchain.model.phases import phase
with phase("parse"):
    pass
print("ctypes" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_the_resident_set_is_measured_where_proc_says_it() -> None:
    size = resident_bytes()
    if sys.platform.startswith("linux"):
        assert 10 * 2**20 < size < 2**40
    else:
        assert size == 0
