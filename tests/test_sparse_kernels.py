"""SquareCsc calls scipy's compiled kernels as scipy.sparse's classes do: on random
matrices every array it builds, every product and every LU factorisation is the one the
classes give, bit for bit (the large loops' figures depend on it); a large loop's
factors are solved term by term as SuperLU substitutes (triangular_factors)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csc_matrix, identity
from scipy.sparse.linalg import splu

from clientchain.graph import square_csc
from clientchain.graph.loop_fringe import CORE_ORDER
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.sweep import _Large

SEEDS = range(12)


def random_entries(seed: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """A loop's share matrix: rows summing to less than 1, some (row, col) repeated."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(49, 160))
    nnz = int(rng.integers(size, 5 * size))
    rows = rng.integers(0, size, nnz)
    cols = rng.integers(0, size, nnz)
    repeat = rng.integers(0, nnz, nnz // 10)  # duplicates, in scattered places
    rows, cols = np.r_[rows, rows[repeat]], np.r_[cols, cols[repeat]]
    values = rng.random(rows.size)
    inflow = np.bincount(rows, weights=values, minlength=size)
    values = values / (inflow[rows] * rng.uniform(1.0, 1.5))
    return size, rows, cols, values


def same_bits(mine: np.ndarray, theirs: Any) -> bool:
    theirs = np.asarray(theirs)
    same_kind = mine.dtype == theirs.dtype and mine.shape == theirs.shape
    return bool(same_kind and mine.tobytes() == theirs.tobytes())


def same_matrix(mine: SquareCsc, theirs: Any) -> bool:
    return (
        np.array_equal(mine.indptr, theirs.indptr)
        and np.array_equal(mine.indices, theirs.indices)
        and same_bits(mine.data, theirs.data)
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_from_entries_is_csc_matrix_of_the_entries(seed: int) -> None:
    size, rows, cols, values = random_entries(seed)
    theirs = csc_matrix((values, (rows, cols)), shape=(size, size))
    assert same_matrix(SquareCsc.from_entries(size, rows, cols, values), theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_identity_minus_is_scipys_difference(seed: int) -> None:
    size, rows, cols, values = random_entries(seed)
    alpha = float(np.random.default_rng(seed).uniform(0.3, 1.0))
    matrix = csc_matrix((values, (rows, cols)), shape=(size, size))
    theirs = csc_matrix(identity(size, format="csc") - alpha * matrix)
    mine = SquareCsc.from_entries(size, rows, cols, values).identity_minus(alpha)
    assert same_matrix(mine, theirs)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("at_a_time", [1 << 18, 7], ids=["whole", "by-7-entries"])
def test_mirrored_says_which_entries_have_their_transpose(
    seed: int, at_a_time: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(square_csc, "MIRRORS_AT_A_TIME", at_a_time)
    size, rows, cols, _ = random_entries(seed)
    rng = np.random.default_rng(seed)
    # Some entries mirrored on purpose (pairs paying each other), the diagonal included.
    some = rng.integers(0, rows.size, rows.size // 3)
    rows, cols = np.r_[rows, cols[some], some % size], np.r_[cols, rows[some], some % size]
    mine = SquareCsc.from_entries(size, rows, cols, np.ones(rows.size))
    present = {(int(r), int(c)) for r, c in zip(rows, cols, strict=True)}
    entry_rows = mine.indices.tolist()
    entry_cols = np.repeat(np.arange(size), np.diff(mine.indptr)).tolist()
    expected = [(c, r) in present for r, c in zip(entry_rows, entry_cols, strict=True)]
    assert mine.mirrored().tolist() == expected
    assert 0 < sum(expected) < len(expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_renumbered_is_scipys_permuted_matrix(seed: int) -> None:
    """Row and column i moved to rank[i]: P A P^T, the same entries in scipy's places."""
    size, rows, cols, values = random_entries(seed)
    rank = np.random.default_rng(seed + 50).permutation(size)
    matrix = csc_matrix((values, (rows, cols)), shape=(size, size))
    moved = np.empty(size, dtype=np.int64)
    moved[rank] = np.arange(size)  # new -> old
    theirs = csc_matrix(matrix[moved][:, moved])
    theirs.sort_indices()
    mine = SquareCsc.from_entries(size, rows, cols, values).renumbered(rank)
    assert same_matrix(mine, theirs)


@pytest.fixture(params=[1 << 16, 7], ids=["whole", "by-7-columns"])
def widen_columns(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Products in extended precision widened all at once, or a few columns at a time."""
    monkeypatch.setattr(square_csc, "WIDEN_COLUMNS", request.param)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(), (1,), (3,)])
def test_times_is_scipys_product_in_both_precisions(
    seed: int, shape: tuple[int, ...], widen_columns: None
) -> None:
    size, rows, cols, values = random_entries(seed)
    matrix = csc_matrix((values, (rows, cols)), shape=(size, size))
    mine = SquareCsc.from_entries(size, rows, cols, values)
    x = np.random.default_rng(seed + 100).random((size, *shape))
    assert same_bits(mine.times(x), matrix @ x)
    wide = x.astype(np.longdouble)
    assert same_bits(mine.widened_times(x), matrix.astype(np.longdouble) @ wide)
    assert same_bits(mine.widened().times(wide), matrix.astype(np.longdouble) @ wide)
    rhs = np.random.default_rng(seed + 200).random(x.shape)
    residual = (rhs - matrix.astype(np.longdouble) @ wide).astype(np.float64)
    assert same_bits(mine.widened_residual(rhs, x), residual)


@pytest.mark.parametrize("seed", SEEDS)
def test_residuals_with_the_room_gap_are_of_the_system_whose_rows_sum_to_the_rooms(
    seed: int,
) -> None:
    """A loop's core: each row's diagonal its room (a part in 10^9 of it) plus what it
    pays round the loop, rounded to float64. With room_gap's diagonal added, residuals
    are those of the system whose rows sum to the rooms exactly (against fractions:
    within a few extended-precision ulps of the largest term); with K's own diagonal,
    its rounding is thousands of times as much."""
    rng = np.random.default_rng(seed)
    size = 40
    rows = np.repeat(np.arange(size), 3)
    cols = (rows + rng.integers(1, size, rows.size)) % size
    off = -rng.uniform(0.1, 1.0, rows.size)
    room = rng.uniform(1.0, 2.0, size) * 1e-9
    diagonal = room + np.bincount(rows, weights=-off, minlength=size)
    at = np.arange(size)
    core = SquareCsc.from_entries(size, np.r_[at, rows], np.r_[at, cols], np.r_[diagonal, off])
    x = 1.0 + rng.uniform(0.0, 1e-6, (size, 2))  # (shares of a loop that mixes its money)
    b = rng.uniform(0.5, 1.5, (size, 2)) * 1e-9
    exact = [
        [Fraction(b[i, j]) - Fraction(room[i]) * Fraction(x[i, j]) for j in (0, 1)] for i in at
    ]
    for r, c, v in zip(rows.tolist(), cols.tolist(), off.tolist(), strict=True):
        for j in (0, 1):  # K x = room x + sum of K's off-diagonal entries times x_c - x_r
            exact[r][j] -= Fraction(v) * (Fraction(x[c, j]) - Fraction(x[r, j]))
    want = np.array([[float(e) for e in row] for row in exact])
    ulps = 2.0**-63 * diagonal.max() * x.max()  # (extended precision: 64 bits)
    gap_error = np.abs(core.widened_residual(b, x, core.room_gap(room)) - want).max()
    plain_error = np.abs(core.widened_residual(b, x) - want).max()
    assert gap_error <= 8 * ulps
    assert plain_error > 100 * ulps


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("order", [None, "MMD_AT_PLUS_A", CORE_ORDER])
def test_lu_solves_as_splu_does(seed: int, order: str | None) -> None:
    size, rows, cols, values = random_entries(seed)
    alpha = 0.85
    matrix = csc_matrix((values, (rows, cols)), shape=(size, size))
    system = csc_matrix(identity(size, format="csc") - alpha * matrix)
    theirs = splu(system) if order is None else splu(system, permc_spec=order)
    mine = SquareCsc.from_entries(size, rows, cols, values).identity_minus(alpha).lu(order)
    rhs = np.random.default_rng(seed).random((size, 4))
    assert same_bits(mine.solve(rhs), theirs.solve(rhs))
    assert same_bits(mine.solve(rhs[:, 0]), theirs.solve(rhs[:, 0]))


def scipy_large_solve(matrix: Any, alpha: float, rhs: np.ndarray) -> np.ndarray:
    """The large-loop solve as it was written with scipy.sparse's classes, splu's
    factors solved term by term in SuperLU's order (substituted)."""
    system = csc_matrix(identity(matrix.shape[0], format="csc") - alpha * matrix)
    factor = splu(system)
    x = substituted(factor, rhs)
    wide = x.astype(np.longdouble)
    product = np.asarray(matrix.astype(np.longdouble) @ wide)
    residual = (rhs - (wide - alpha * product)).astype(np.float64)
    refined: np.ndarray = x + substituted(factor, residual)
    return refined


def substituted(factor: Any, rhs: np.ndarray) -> np.ndarray:
    """x with Pr A Pc = L U and A x = rhs, from splu's L, U and permutations, as SuperLU's
    substitution takes each column of the factors (one rounding a term): below L's unit
    diagonal, y_i -= y_j L_ij, column after column; then from the last column, x_j /=
    U_jj and x_i -= x_j U_ij above it."""
    lower, upper = factor.L.tocsc(), factor.U.tocsc()
    y = np.empty((rhs.shape[0], *rhs.shape[1:]))
    y[factor.perm_r] = rhs
    for j in range(lower.shape[0]):
        part = slice(lower.indptr[j], lower.indptr[j + 1])
        for i, value in zip(lower.indices[part], lower.data[part], strict=True):
            if i > j:
                y[i] -= y[j] * value
    for j in reversed(range(upper.shape[0])):
        part = slice(upper.indptr[j], upper.indptr[j + 1])
        entries = dict(zip(upper.indices[part].tolist(), upper.data[part], strict=True))
        y[j] /= entries.pop(j)
        for i, value in entries.items():
            y[i] -= y[j] * value
    solved: np.ndarray = y[factor.perm_c]
    return solved


@pytest.mark.parametrize("seed", SEEDS)
def test_large_loop_solve_is_the_scipy_class_solve(seed: int, widen_columns: None) -> None:
    size, rows, cols, values = random_entries(seed)
    matrix = csc_matrix((values, (rows, cols)), shape=(size, size))
    leak = 1.0 - np.asarray(matrix.sum(axis=1)).ravel()  # (what A's rows leave: the rest)
    large = _Large(np.arange(size), SquareCsc.from_entries(size, rows, cols, values), leak)
    rng = np.random.default_rng(seed)
    for alpha in (0.5, 0.85, 1.0, 0.85):  # the repeat reuses the stored factors
        for columns in (1, 5):
            # rhs as the sweep passes it: a fancy-indexed block of x.
            rhs = rng.random((size, columns)) * rng.choice([0.0, 1.0], (size, 1))
            assert same_bits(large.solve(alpha, rhs), scipy_large_solve(matrix, alpha, rhs))
