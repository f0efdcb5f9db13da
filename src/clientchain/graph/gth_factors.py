"""GTH's elimination of a loop of thousands of roles, dense and in blocks: what solves a
loop whose money turns over too many times for SuperLU and whose recharges cross it too
widely for a band (banded_gth).

6,000 roles each paying the next and one more anywhere, 10^15 a step, fed 1 by a client:
what leaks is a part in 10^15 of what goes round, SuperLU's factors miss all ones by far
more than refinement can make up, and every role's traced share came out 0.0079 where it
is 1. GTH never forms a pivot by a subtraction (see loop_inverse), but its inverse takes
n^3 steps of numpy calls a row (26 s at 2,048 roles). Here the elimination goes a panel
of PANEL pivots at a time: inside the panel row by row, each pivot's row brought up to
date from the panel's earlier pivots as it comes (its pivot is its room plus that row);
then the rest of the matrix takes the panel's pivots at once, one matrix product, whose
terms are all products of non-negative numbers: nothing is subtracted anywhere, and the
products are BLAS's (6,000 roles: n^3 / 3 multiply-adds, a few seconds).

The factors are packed in one matrix (L's multipliers negated below the diagonal, the
pivots on it, U's entries negated above) and solved by LAPACK's triangular solves,
which add non-negative terms only here.
"""

from __future__ import annotations

import numpy as np

from clientchain.graph.sparse_kernels import flapack
from clientchain.graph.square_csc import SquareCsc
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray

PANEL = 128  # pivots a matrix product takes at once
ROWS = 1024  # rows of the rest each product updates


@holder
class GthFactors:
    """GTH's factors of a system, packed (see the module), solved as SuperLU's are."""

    # The packed factors transposed, in Fortran order as LAPACK takes them (the packed
    # matrix itself, in C order: no copy), so solved with trans: lower is U, upper L.
    transposed: FloatArray

    @property
    def nnz(self) -> int:
        """Their entries (weighing a solve, as the factors' count)."""
        return int(self.transposed.size)

    def solve(self, rhs: FloatArray) -> FloatArray:
        """x with K x = rhs (rows, or rows x columns), a new array."""
        columns = np.asfortranarray(rhs.reshape(rhs.shape[0], -1), dtype=np.float64)
        lapack = flapack()
        factors = self.transposed
        forward, info = lapack.dtrtrs(factors, columns, lower=0, trans=1, unitdiag=1)
        solved, info_back = lapack.dtrtrs(factors, forward, lower=1, trans=1, overwrite_b=1)
        if info or info_back:  # (a pivot of 0: never, gth_factors declines those)
            raise ArithmeticError(f"dtrtrs info {info or info_back}")
        result: FloatArray = np.ascontiguousarray(solved).reshape(rhs.shape)
        return result


def gth_factors(system: SquareCsc, room: FloatArray) -> GthFactors | None:
    """GTH's factors of `system` (a loop's I - alpha A or core K: entries off its
    diagonal <= 0; `room`: its rows' sums as written without a subtraction), or None
    where an entry off its diagonal is positive or a pivot comes out 0 (no money leaks
    from some part of it)."""
    size = system.size
    rows, columns, values = system.taken()
    taken = np.zeros((size, size))  # what row i takes from role j
    np.add.at(taken, (rows, columns), values)
    if np.any(taken < 0.0):
        return None
    pivot = _eliminate(taken, np.array(room, dtype=np.float64))
    if pivot is None:
        return None
    np.negative(taken, out=taken)
    taken[np.diag_indices(size)] = pivot
    return GthFactors(taken.T)


def _eliminate(w: FloatArray, room: FloatArray) -> FloatArray | None:
    """GTH's elimination in place of w (what each row takes from each role; its diagonal
    unused): below the diagonal, each row's multiplier of each pivot; above it, what
    the pivot's row took from the rows after it when eliminated. The pivots, or None if
    one is 0. `room` is carried down as rows are eliminated."""
    size = w.shape[0]
    pivot = np.empty(size)
    for first in range(0, size, PANEL):
        end = min(size, first + PANEL)
        # The panel's columns as rows (panel[c, i] = w[i, first + c]): each pivot's
        # multipliers and the updates of the panel are then rows in memory, not columns
        # a cache line a row apart.
        panel = np.ascontiguousarray(w[:, first:end].T)
        for k in range(first, end):
            c = k - first
            if c:  # row k past the panel, as the panel's pivots before it left it
                w[k, end:] += panel[:c, k] @ w[first:k, end:]
            pivot[k] = room[k] + panel[c + 1 :, k].sum() + w[k, end:].sum()
            if not pivot[k] > 0.0:
                return None
            multiplier = panel[c, k + 1 :]
            multiplier /= pivot[k]
            room[k + 1 :] += multiplier * room[k]
            # The panel's columns right of k, for every row below it (the diagonal's
            # slots gather what goes round through k: unused).
            panel[c + 1 :, k + 1 :] += np.multiply.outer(panel[c + 1 :, k], multiplier)
        w[:, first:end] = panel.T
        # The rest takes the panel's pivots at once, ROWS at a time (the product's
        # temporary for all of them would be as large as the matrix).
        for top in range(end, size, ROWS):
            rows = slice(top, min(size, top + ROWS))
            w[rows, end:] += w[rows, first:end] @ w[first:end, end:]
    return pivot
