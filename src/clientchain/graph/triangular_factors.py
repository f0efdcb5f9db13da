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


def triangles(factors: Any, in_order: bool = False) -> tuple[SquareCsc, SquareCsc]:
    """SuperLU's L and U: their entries within each column as SuperLU gives them, or
    by row (`in_order`)."""
    lower, upper = _parts(factors.L), _parts(factors.U)
    if in_order:
        return _by_row(lower), _by_row(upper)
    return lower, upper


def compact(factors: Any) -> Any:
    """SuperLU's `factors` as TriangularFactors: the same L and U, as much memory as
    they hold. The factors as they are where their triangles are not as `gstrs` reads
    them (L's diagonal first in each column, U's last: always so here, but checked)."""
    lower, upper = triangles(factors)
    size = lower.size
    firsts, lasts = lower.indptr[:-1], upper.indptr[1:] - 1
    diagonal = np.arange(size)
    if np.any(np.diff(lower.indptr) < 1) or np.any(np.diff(upper.indptr) < 1):
        return factors
    if np.any(lower.indices[firsts] != diagonal) or np.any(upper.indices[lasts] != diagonal):
        return factors
    pivoted = SquareCsc(size, lower.indptr, lower.indices, lower.data)
    pivoted.data[firsts] = upper.data[lasts]
    above = np.ones(upper.data.size, dtype=bool)
    above[lasts] = False
    strict = SquareCsc(
        size,
        (upper.indptr - np.arange(size + 1)).astype(np.intc),
        upper.indices[above],
        upper.data[above],
    )
    rows = np.asarray(factors.perm_r, dtype=np.int64)
    columns = inverse_permutation(np.asarray(factors.perm_c, dtype=np.int64))
    return TriangularFactors(rows, columns, pivoted, strict, int(factors.nnz))


def _parts(parts: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], Any]) -> SquareCsc:
    """A factor as SuperLU hands it over (`square_csc.factor_parts`): its arrays hold
    slack past their last column's end, which is left behind."""
    (data, indices, indptr), shape = parts
    end = int(indptr[-1])
    return SquareCsc(
        int(shape[0]),
        np.array(indptr, dtype=np.intc),
        np.array(indices[:end], dtype=np.intc),
        np.array(data[:end], dtype=np.float64),
    )


def _by_row(matrix: SquareCsc) -> SquareCsc:
    """`matrix` with each column's entries by row (csc_matrix.sort_indices)."""
    order = np.lexsort((matrix.indices, matrix.entry_columns()))
    return SquareCsc(matrix.size, matrix.indptr, matrix.indices[order], matrix.data[order])
