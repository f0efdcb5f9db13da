"""Lower-triangular solves level by level (graph/triangular.py), against numpy's dense
solve, and the levels against their definition."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular import level_solve, levels


def _lower(size: int, per_row: int, rng: np.random.Generator) -> np.ndarray:
    """A loop's lower triangle: a positive diagonal, entries below it <= 0."""
    matrix = np.diag(rng.uniform(0.5, 2.0, size))
    for row in range(1, size):
        for col in rng.choice(row, size=min(row, per_row), replace=False):
            matrix[row, col] = -rng.uniform(0.0, 1.0)
    return matrix


def _csc(matrix: np.ndarray) -> SquareCsc:
    rows, cols = np.nonzero(matrix)
    return SquareCsc.from_entries(matrix.shape[0], rows, cols, matrix[rows, cols])


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("size", "per_row"), [(1, 0), (30, 1), (200, 3)])
def test_a_level_solve_equals_the_dense_solve(seed: int, size: int, per_row: int) -> None:
    rng = np.random.default_rng(seed)
    dense = _lower(size, per_row, rng)
    order, bounds = levels(_csc(dense))
    by_level = dense[np.ix_(order, order)]  # rows (and columns) renumbered by level
    assert np.allclose(by_level, np.tril(by_level))  # still lower-triangular
    solve = level_solve(_csc(by_level), bounds)
    rhs = rng.uniform(0.0, 1.0, (size, 3))
    want = np.linalg.solve(by_level, rhs)
    np.testing.assert_allclose(solve.solve(rhs.copy()), want, rtol=1e-12)
    one = rhs[:, 0].copy()
    np.testing.assert_allclose(solve.solve(one), want[:, 0], rtol=1e-12)


def test_a_row_s_level_is_one_more_than_its_deepest_payer() -> None:
    rng = np.random.default_rng(4)
    dense = _lower(120, 2, rng)
    order, bounds = levels(_csc(dense))
    level = np.empty(120, dtype=np.int64)
    for k in range(len(bounds) - 1):
        level[order[bounds[k] : bounds[k + 1]]] = k
    for row in range(120):
        takes = np.flatnonzero(dense[row, :row])
        assert level[row] == (1 + level[takes].max() if takes.size else 0)
    # Within a level, rows keep their given order.
    for k in range(len(bounds) - 1):
        assert np.all(np.diff(order[bounds[k] : bounds[k + 1]]) > 0)


def test_a_chain_is_one_level_a_row() -> None:
    size = 5000
    dense_rows = np.arange(1, size)
    chain = SquareCsc.from_entries(
        size,
        np.r_[np.arange(size), dense_rows],
        np.r_[np.arange(size), dense_rows - 1],
        np.r_[np.full(size, 2.0), np.full(size - 1, -1.0)],
    )
    order, bounds = levels(chain)
    assert len(bounds) == size + 1 and order.tolist() == list(range(size))
    x = level_solve(chain, bounds).solve(np.ones(size))
    # x_0 = 1/2, x_i = (1 + x_{i-1}) / 2: 1 - 2^-(i+1).
    np.testing.assert_allclose(x[:50], 1.0 - 0.5 ** np.arange(1, 51), rtol=1e-15)
