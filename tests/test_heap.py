"""Freed memory goes back to the system when a phase ends, so a million-role run's peak
is set by the work, not by what earlier phases left in the heap."""

from __future__ import annotations

import os
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


# Allocates 24 MB twice (freed in between) and prints the page faults of the second
# time: 6,144 where the pages went back to the system and had to be zeroed again, few
# where the heap kept them (24 MB: below the tuned heap's trim threshold). numpy's huge
# pages are off so that a fault is one page.
_SECOND_TIME = """
import resource
import numpy as np

def second_time():
    block = np.ones(24 * 2**20, dtype=np.uint8)
    del block
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = np.ones(24 * 2**20, dtype=np.uint8)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
"""
_PAGES = 24 * 2**20 // 4096


def _run(script: str) -> list[str]:
    env = {**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0"}
    done = subprocess.run(
        [sys.executable, "-c", _SECOND_TIME + script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout.split()


@needs_glibc
def test_a_tuned_heap_reuses_freed_arrays_until_a_phase_end_gives_them_back() -> None:
    # LARGE = 0: this small process is trimmed as a large one is (else whether its pages
    # go back would depend on where the interpreter's own objects sit in the heap).
    script = """
import clientchain.model.heap as heap
from clientchain.model.heap import release_freed_memory, resident_bytes, tune_heap
heap.LARGE = 0
tune_heap()
print(second_time())
kept = resident_bytes()
release_freed_memory()
print(kept, resident_bytes())
print(second_time())
"""
    first, kept, released, again = (int(w) for w in _run(script))
    assert first < _PAGES * 0.1  # the freed array's pages again, not zeroed anew
    assert released < kept - 16 * 2**20  # the free pages went back at the phase end
    assert again < _PAGES * 0.1  # and the heap is still tuned


@needs_glibc
def test_an_untuned_heap_is_left_as_its_caller_set_it() -> None:
    """A library's caller that never ran tune_heap keeps glibc's behaviour: a 24 MB
    array has a mapping of its own, or new pages at the heap's top, zeroed each time."""
    (again,) = (int(w) for w in _run("print(second_time())"))
    assert again > _PAGES * 0.9


@needs_glibc
def test_loading_leaves_the_heap_tuned_even_when_the_input_is_bad(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text("roles:\n  - id: a\n    reports_to: nobody\n", encoding="utf-8")
    script = f"""
from clientchain.loading.loader import load
from clientchain.model.heap import tune_heap
from clientchain.model.problems import InputError
tune_heap()
try:
    load({str(bad)!r})
except InputError as exc:
    print(len(exc.problems))
print(second_time())
"""
    problems, after = (int(w) for w in _run(script))
    assert problems >= 1
    assert after < _PAGES * 0.1
