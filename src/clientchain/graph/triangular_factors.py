"""A loop's LU factors kept as two triangles in compressed columns, solved by SuperLU's
own substitution: SuperLU's factors object holds far more than its factors.

SuperLU sizes its factors' storage from a guess at their fill (about 20 times the
system's entries) and never gives the slack back: a loop of 800 roles and 2,400 entries
held 2.3 MB for 29,000 entries of factors (0.35 MB). A million roles in loops of a few
hundred keep hundreds of such factors for every column of every client (silos: 311,
about 900 MB of a 1.17 GB peak). Taken out as `lower` and `upper` (SuperLU's own L and
U, their entries as it made them) they weigh what they hold, and the substitution
(`triangular.substitute`: SuperLU's `gstrs`, a column at a time) solved 30 such loops
for 8 and 16 columns at once 3.6 and 5.9 times as fast as the object's supernodal
solve. The bits may differ in the last place from that solve (it sums a supernode's
terms in BLAS' order); a column's own are the same whatever columns go beside it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clientchain.graph.sorting import inverse_permutation
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular import substitute
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

# Factors of more entries than this stay in SuperLU's object. Its slack is a guess at a
# fill of about 20 times the system's entries, which factors this large have outgrown,
# and taking them out holds the object and its triangles at once: a 5,000-role web with
# 7.9 million entries of factors peaked at 368 MB where the object alone took 193.
COMPACT_MOST = 1 << 20


@holder
class TriangularFactors:
    """K's factors Pr K Pc = L U, solved as SuperLU solves them: x = Pc U^-1 L^-1 Pr b."""

    row_place: IntArray  # system row i is factors' row row_place[i] (perm_r)
    column_place: IntArray  # factors' column j is system column column_place[j]
    lower: SquareCsc  # L below its diagonal, U's diagonal (the pivots) first in each column
    upper: SquareCsc  # U above its diagonal
    nnz: int  # the factors' entries, as their work is counted (SuperLU's own count)

    def solve(self, rhs: FloatArray) -> FloatArray:
        """x with K x = rhs (rows, or rows x columns), a new array."""
        columns = rhs.reshape(rhs.shape[0], -1)
        placed = np.empty(columns.shape, dtype=np.float64)
        placed[self.row_place] = columns
        solved = substitute(self.lower, self.upper, np.asfortranarray(placed))
        result = np.empty(columns.shape, dtype=np.float64)
        result[self.column_place] = solved
        return result.reshape(rhs.shape)


def triangles(factors: Any) -> tuple[SquareCsc, SquareCsc] | None:
    """SuperLU's L and U as `gstrs` reads them, L's diagonal first in each column and
    U's last: as SuperLU hands them over (views of its arrays), else with each column's
    entries by row (never needed here, but checked); None where a diagonal is missing."""
    lower, upper = _parts(factors.L), _parts(factors.U)
    if _read_as_gstrs(lower, upper):
        return lower, upper
    lower, upper = _by_row(lower), _by_row(upper)
    return (lower, upper) if _read_as_gstrs(lower, upper) else None


def compact(factors: Any, most: int = COMPACT_MOST) -> Any:
    """SuperLU's `factors` as TriangularFactors: the same L and U, as much memory as
    they hold; the factors as they are past `most` entries, or where their triangles
    are not as `gstrs` reads them. The object is let go of before its triangles are
    copied: a caller that still holds it holds its slack as well."""
    nnz = int(factors.nnz)
    parts = triangles(factors) if nnz <= most else None
    if parts is None:
        return factors
    lower, upper = parts
    rows, columns = places(factors)
    del factors  # (SuperLU's object and its slack: gone before the copies are made)
    return with_pivots(lower, upper, upper.data[upper.indptr[1:] - 1], rows, columns, nnz)


def places(factors: Any) -> tuple[IntArray, IntArray]:
    """Where SuperLU's factors put the system's rows (perm_r) and where its columns come
    from (perm_c, inverted): TriangularFactors' row_place and column_place."""
    rows = np.asarray(factors.perm_r, dtype=np.int64).copy()
    return rows, inverse_permutation(np.asarray(factors.perm_c, dtype=np.int64))


def with_pivots(
    lower: SquareCsc,
    upper: SquareCsc,
    pivots: FloatArray,
    row_place: IntArray,
    column_place: IntArray,
    nnz: int,
) -> TriangularFactors:
    """L and U as `triangles` gives them, with `pivots` (one a column) on L's diagonal
    and U's left out, as TriangularFactors: copied to their size, not views of SuperLU's
    arrays."""
    size = lower.size
    data = lower.data.copy()
    data[lower.indptr[:-1]] = pivots
    pivoted = SquareCsc(size, lower.indptr.copy(), lower.indices.copy(), data)
    above = np.ones(upper.data.size, dtype=bool)
    above[upper.indptr[1:] - 1] = False
    strict = SquareCsc(
        size,
        (upper.indptr - np.arange(size + 1)).astype(np.intc),
        upper.indices[above],
        upper.data[above],
    )
    return TriangularFactors(row_place, column_place, pivoted, strict, nnz)


def _read_as_gstrs(lower: SquareCsc, upper: SquareCsc) -> bool:
    diagonal = np.arange(lower.size)
    if np.any(np.diff(lower.indptr) < 1) or np.any(np.diff(upper.indptr) < 1):
        return False
    firsts, lasts = lower.indptr[:-1], upper.indptr[1:] - 1
    return bool(
        np.all(lower.indices[firsts] == diagonal) and np.all(upper.indices[lasts] == diagonal)
    )


def _parts(parts: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], Any]) -> SquareCsc:
    """A factor as SuperLU hands it over (`square_csc.factor_parts`), its arrays cut at
    their last column's end (views: they hold slack past it)."""
    (data, indices, indptr), shape = parts
    end = int(indptr[-1])
    return SquareCsc(
        int(shape[0]),
        np.asarray(indptr, dtype=np.intc),
        np.asarray(indices[:end], dtype=np.intc),
        np.asarray(data[:end], dtype=np.float64),
    )


def _by_row(matrix: SquareCsc) -> SquareCsc:
    """`matrix` with each column's entries by row (csc_matrix.sort_indices)."""
    order = np.lexsort((matrix.indices, matrix.entry_columns()))
    return SquareCsc(matrix.size, matrix.indptr, matrix.indices[order], matrix.data[order])
