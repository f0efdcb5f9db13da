"""Lower-triangular solves level by level or row by row (graph/triangular.py), against
numpy's dense solve, and the levels against their definition."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.graph import triangular
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular import (
    BandSolve,
    LevelSolve,
    SubstitutionSolve,
    level_solve,
    levels,
)

# LEVEL_ENTRIES: 0 sends every triangle to the level solve, this one every triangle to
# SuperLU's substitution.
BY_LEVEL, BY_ROW = 0, 10**12


def _lower(size: int, per_row: int, rng: np.random.Generator) -> np.ndarray:
    """A loop's lower triangle: a positive diagonal, entries below it <= 0."""
    matrix = np.diag(rng.uniform(0.5, 2.0, size))
    for row in range(1, size):
        for col in rng.choice(row, size=min(row, per_row), replace=False):
            matrix[row, col] = -rng.uniform(0.0, 1.0)
    return matrix


def _banded(size: int, depth: int, rng: np.random.Generator, sparse: bool = False) -> np.ndarray:
    """A loop's lower triangle whose entries fill its band `depth` rows below its
    diagonal (`sparse`: one entry below each row, the deepest `depth` below); as a
    loop's rows, each sums to >= 0."""
    matrix = np.diag(rng.uniform(0.5, 2.0, size))
    for row in range(1, size):
        for col in [row - 1] if sparse else range(max(0, row - depth), row):
            matrix[row, col] = -rng.uniform(0.0, 1.0) * matrix[row, row] / (depth + 1)
    if size > depth:
        matrix[depth, 0] = -0.1 * matrix[depth, depth]
    return matrix


def _csc(matrix: np.ndarray) -> SquareCsc:
    rows, cols = np.nonzero(matrix)
    return SquareCsc.from_entries(matrix.shape[0], rows, cols, matrix[rows, cols])


@pytest.mark.parametrize(
    ("level_entries", "kind"), [(BY_LEVEL, LevelSolve), (BY_ROW, SubstitutionSolve)]
)
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("size", "per_row"), [(1, 0), (30, 1), (200, 3)])
def test_a_triangular_solve_equals_the_dense_solve(
    monkeypatch: pytest.MonkeyPatch,
    level_entries: int,
    kind: type,
    seed: int,
    size: int,
    per_row: int,
) -> None:
    monkeypatch.setattr(triangular, "LEVEL_ENTRIES", level_entries)
    rng = np.random.default_rng(seed)
    dense = _lower(size, per_row, rng)
    order, bounds = levels(_csc(dense))
    by_level = dense[np.ix_(order, order)]  # rows (and columns) renumbered by level
    assert np.allclose(by_level, np.tril(by_level))  # still lower-triangular
    solve = level_solve(_csc(by_level), bounds)
    assert isinstance(solve, BandSolve if kind is SubstitutionSolve and size == 1 else kind)
    rhs = rng.uniform(0.0, 1.0, (size, 3))
    want = np.linalg.solve(by_level, rhs)
    np.testing.assert_allclose(solve.solve(rhs.copy()), want, rtol=1e-12)
    one = rhs[:, 0].copy()
    np.testing.assert_allclose(solve.solve(one), want[:, 0], rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(
    ("size", "depth", "sparse", "kind"),
    [
        (40, 1, False, BandSolve),
        (300, 8, False, BandSolve),
        (300, 9, False, SubstitutionSolve),
        (300, 8, True, SubstitutionSolve),
        (2, 1, False, BandSolve),
    ],
)
def test_a_triangle_of_entries_near_its_diagonal_is_substituted_as_a_band(
    monkeypatch: pytest.MonkeyPatch, seed: int, size: int, depth: int, sparse: bool, kind: type
) -> None:
    """Row by row, a triangle whose entries fill a band at most BAND_DEPTH rows below
    its diagonal goes to LAPACK's banded substitution, one with an entry further below
    or a band mostly empty to SuperLU's; both are the dense solve, for columns and for
    a single vector."""
    monkeypatch.setattr(triangular, "LEVEL_ENTRIES", BY_ROW)
    rng = np.random.default_rng(seed)
    dense = _banded(size, depth, rng, sparse)
    order, solve = triangular.lower_solve(_csc(dense))
    assert order is None and isinstance(solve, kind)  # (in its own order)
    rhs = rng.uniform(0.0, 1.0, (size, 5))
    want = np.linalg.solve(dense, rhs)
    np.testing.assert_allclose(solve.solve(rhs.copy()), want, rtol=1e-12)
    one = rhs[:, 3].copy()
    np.testing.assert_allclose(solve.solve(one), want[:, 3], rtol=1e-12)


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


def test_many_thin_levels_go_row_by_row_and_few_wide_ones_by_level() -> None:
    """The default LEVEL_ENTRIES: a chain of 5,000 levels (one row each) is substituted
    (as a band), and so is one whose rows also take from a row far above; 2,000 rows in
    4 levels, each row taking from 3 of the level before, go by level."""
    rng = np.random.default_rng(9)
    size = 5000
    line = np.diag(np.full(size, 2.0)) - np.diag(np.ones(size - 1), -1)
    chain = _csc(line)
    assert isinstance(level_solve(chain, levels(chain)[1]), BandSolve)
    line[size - 1, 0] = -1.0
    far = _csc(line)
    assert isinstance(level_solve(far, levels(far)[1]), SubstitutionSolve)
    width, depth = 500, 4
    rows = np.arange(width, width * depth).repeat(3)
    cols = (rows // width - 1) * width + rng.integers(0, width, rows.size)
    size = width * depth
    wide = SquareCsc.from_entries(
        size,
        np.r_[np.arange(size), rows],
        np.r_[np.arange(size), cols],
        np.r_[rng.uniform(0.5, 2.0, size), -rng.uniform(0.0, 1.0, rows.size)],
    )
    order, bounds = levels(wide)
    assert len(bounds) == depth + 1 and order.tolist() == list(range(size))
    solve = level_solve(wide, bounds)
    assert isinstance(solve, LevelSolve)
    rhs = rng.uniform(0.0, 1.0, (size, 2))
    np.testing.assert_allclose(solve.solve(rhs.copy()), _dense_solve(wide, rhs), rtol=1e-12)


@pytest.mark.slow
def test_a_triangle_of_too_many_levels_is_substituted_as_it_is_without_numbering_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """lower_solve: a chain of 5,000 levels is solved row by row in its own order (as a
    band), and
    its levels are not walked past the point where they could still pay (it stops at
    the deepest level that could); a triangle of 4 wide levels is numbered by level."""
    from clientchain.graph import layering

    rng = np.random.default_rng(3)
    size = 5000
    chain = _csc(np.diag(rng.uniform(1.0, 2.0, size)) - np.diag(rng.uniform(0, 1, size - 1), -1))
    walked: list[int] = []
    walk = layering._walk_thin

    def counting(*args: object, **kwargs: object) -> object:
        found = walk(*args, **kwargs)  # type: ignore[arg-type]
        walked.append(found[1])
        return found

    monkeypatch.setattr(layering, "_walk_thin", counting)
    order, solve = triangular.lower_solve(chain)
    assert order is None and isinstance(solve, BandSolve)
    deepest = chain.data.size // triangular.LEVEL_ENTRIES - 1
    assert max(walked) == deepest + 1  # one step past it, no further
    rhs = rng.uniform(0.0, 1.0, (size, 11))  # (more columns than a group)
    np.testing.assert_allclose(solve.solve(rhs.copy()), _dense_solve(chain, rhs), rtol=1e-12)
    width, depth = 500, 4
    rows = np.arange(width, width * depth).repeat(3)
    cols = (rows // width - 1) * width + rng.integers(0, width, rows.size)
    wide = SquareCsc.from_entries(
        width * depth,
        np.r_[np.arange(width * depth), rows],
        np.r_[np.arange(width * depth), cols],
        np.r_[rng.uniform(0.5, 2.0, width * depth), -rng.uniform(0.0, 1.0, rows.size)],
    )
    order, solve = triangular.lower_solve(wide)
    assert order is not None and isinstance(solve, LevelSolve)
    assert order.tolist() == levels(wide)[0].tolist()


def _dense_solve(matrix: SquareCsc, rhs: np.ndarray) -> np.ndarray:
    dense = np.zeros((matrix.size, matrix.size))
    dense[matrix.indices, matrix.entry_columns()] = matrix.data
    return np.linalg.solve(dense, rhs)
