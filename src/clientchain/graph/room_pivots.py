"""SuperLU's factors of a large loop with their pivots taken from the rooms, as GTH
takes them: what refines a loop whose money turns over too many times for its plain
factors, too large for GTH's dense elimination.

Eliminated with every pivot on the diagonal, a loop's system K (an M-matrix) has factors
L and U whose entries off the diagonal come from sums of terms of one sign: only the
pivots are differences, and where money goes round 10^15 times before it leaks the last
ones lose every digit (10,000 roles each paying the next and one more anywhere: every
traced share 0.0052, refinement or not). But K's rows sum to their rooms, K 1 = room, so
U 1 = L^-1 room, and each pivot is that row of L^-1 room plus what the row of U gives
the rows after it: a substitution with L and sums, nothing subtracted (GTH's pivot, the
room carried down). With those pivots the factors solve a 3,000-role loop of that kind
to 4e-15 of GTH's dense answer (their plain refinement was 98% off), and 10,000 roles
with money round 10^19 times to 7e-15. Not exact in general: L's multipliers were
divided by SuperLU's own pivots, so where a pivot before the last lost digits too (loops
of weakly linked groups, money round 10^22 times and more) the factors are of another
matrix with the same rooms, and its clients' shares were 1e-11 to 1e-5 off; refinement
cannot tell (the residual of any float64 x is swamped by x's own rounding there). So
whole_loop takes them only past the dense elimination's reach.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular import substitute
from clientchain.graph.triangular_factors import (
    TriangularFactors,
    places,
    triangles,
    with_pivots,
)
from clientchain.model.org import FloatArray


def room_pivoted(system: SquareCsc, room: FloatArray) -> TriangularFactors | None:
    """`system`'s SuperLU factors with pivots on its diagonal and recomputed from `room`
    (its rows' sums as written without a subtraction); None where SuperLU finds a pivot
    of exactly 0, an entry off the factors' diagonals is positive (not an M-matrix's),
    or a pivot from the rooms is not positive."""
    try:
        factors: Any = system.lu(on_diagonal=True)
    except RuntimeError:  # ("Factor is exactly singular")
        return None
    size = system.size
    parts = triangles(factors)
    row_place, column_place = places(factors)
    del factors  # (SuperLU's object and its slack: gone before the work below)
    if parts is None:
        return None
    lower, upper = parts
    below = lower.indices != lower.entry_columns()
    above = upper.indices != upper.entry_columns()
    if np.any(lower.data[below] > 0.0) or np.any(upper.data[above] > 0.0):
        return None
    # L^-1 (Pr room): a substitution with L's unit diagonal (none subtracted: L <= 0 off it).
    unit = SquareCsc(size, lower.indptr, lower.indices, np.where(below, lower.data, 1.0))
    placed = np.empty(size)
    placed[row_place] = room
    carried = substitute(unit, None, placed[:, None])[:, 0]
    # Each pivot: the room carried to its row, and what its row of U gives the others.
    gives = np.bincount(upper.indices[above], weights=-upper.data[above], minlength=size)
    pivot = carried + gives
    if not np.all(pivot > 0.0):
        return None
    nnz = lower.data.size + upper.data.size - size  # (U's diagonal left out)
    return with_pivots(lower, upper, pivot, row_place, column_place, nnz)
