"""A loop's factors taken out of SuperLU's object (triangular_factors): solved as
SuperLU substitutes, term by term, bit for bit; as much memory as their entries."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csc_matrix, identity
from scipy.sparse.linalg import splu

from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular_factors import TriangularFactors, compact
from tests.test_sparse_kernels import SEEDS, random_entries, same_bits, substituted


@pytest.mark.parametrize("seed", SEEDS)
def test_compact_factors_solve_as_superlu_substitutes(seed: int) -> None:
    size, rows, cols, values = random_entries(seed)
    system = SquareCsc.from_entries(size, rows, cols, values).identity_minus(0.9)
    factors = compact(system.lu())
    assert isinstance(factors, TriangularFactors)
    theirs = splu(csc_matrix(identity(size, format="csc") - 0.9 * csc_matrix(
        (values, (rows, cols)), shape=(size, size))))  # fmt: skip
    rng = np.random.default_rng(seed)
    for rhs in (rng.random((size, 3)), rng.random(size), np.zeros((size, 1))):
        x = factors.solve(rhs)
        assert same_bits(x, substituted(theirs, rhs))
        dense = np.eye(size) - 0.9 * csc_matrix((values, (rows, cols)), (size, size)).toarray()
        assert np.allclose(dense @ x, rhs, rtol=0.0, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_column_solves_the_same_whatever_columns_go_beside_it(seed: int) -> None:
    size, rows, cols, values = random_entries(seed)
    factors = compact(SquareCsc.from_entries(size, rows, cols, values).identity_minus(1.0).lu())
    rhs = np.random.default_rng(seed).random((size, 9))
    together = factors.solve(rhs)
    for j in range(rhs.shape[1]):
        assert same_bits(together[:, j], factors.solve(rhs[:, j]))


def test_compact_factors_hold_only_their_entries() -> None:
    """SuperLU hands its factors over in arrays sized for its guess at their fill: the
    slack stays behind, and U's diagonal is kept once (in L's place)."""
    size, rows, cols, values = random_entries(3)
    made = SquareCsc.from_entries(size, rows, cols, values).identity_minus(1.0).lu()
    factors = compact(made)
    assert isinstance(factors, TriangularFactors)
    (_, _, lower_starts), _ = made.L  # (as SuperLU hands them over: square_csc.factor_parts)
    (upper_values, _, upper_starts), _ = made.U
    entries = int(lower_starts[-1]), int(upper_starts[-1])
    assert upper_values.size > entries[1]  # (the slack, here)
    assert factors.lower.data.size == factors.lower.indices.size == entries[0]
    assert factors.upper.data.size == factors.upper.indices.size == entries[1] - size
    assert factors.nnz == made.nnz


def test_factors_past_the_bound_stay_in_superlus_object() -> None:
    """Large factors have outgrown SuperLU's guess at their fill: taking them out would
    only hold the object and its triangles at once. Below the bound they come out."""
    size, rows, cols, values = random_entries(5)
    system = SquareCsc.from_entries(size, rows, cols, values).identity_minus(1.0)
    made = system.lu()
    assert compact(made, most=int(made.nnz) - 1) is made
    assert isinstance(compact(system.lu(), most=int(made.nnz)), TriangularFactors)
