"""Findings' order: the packed sort of (file, line, code, row) is np.lexsort's order."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.model.findings import _by_file_line_code_row


@pytest.mark.parametrize("seed", range(5))
def test_packed_sort_matches_lexsort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 2000
    file, code = rng.integers(0, 3, n), rng.integers(0, 4, n)
    line = rng.integers(0, 50, n)  # many equal lines
    row = rng.integers(0, 10, n)  # ties on all four: only the stable sort keeps them
    want = np.lexsort((row, code, line, file))
    assert np.array_equal(_by_file_line_code_row(file, line, code, row, False), want)
    # Distinct rows (as within one rule's findings): the unstable sort gives the same order.
    row = rng.permutation(n)
    want = np.lexsort((row, code, line, file))
    assert np.array_equal(_by_file_line_code_row(file, line, code, row, True), want)


def test_keys_too_large_to_pack_fall_back_to_lexsort() -> None:
    line = np.array([2**40, 5, 2**40, 7], dtype=np.int64)
    row = np.array([3, 2**30, 1, 0], dtype=np.int64)
    zeros = np.zeros(4, dtype=np.int64)
    want = np.lexsort((row, zeros, line, zeros))
    assert np.array_equal(_by_file_line_code_row(zeros, line, zeros, row, False), want)
