"""A large loop's system eliminated by GTH inside a band: what solves a loop of thousands
of roles that turns its money over so many times that SuperLU's factors cannot.

Where a ring of 6,000 roles hands on 10^15 a step and 10^-4 comes in, what leaks is a
part in 10^19 of what goes round: I - A rounds to a singular matrix, SuperLU stops at a
pivot of exactly 0, and refinement has nothing to start from. GTH never forms a pivot by
a subtraction: each row's room (what it leaks) is carried through the elimination, and
the pivot is the room plus what the row still pays the roles not yet eliminated, so
every figure is a sum of non-negative terms and exact to rounding however much circulates.

The dense inverse (loop_inverse) holds n^2 entries and takes n^3 steps: minutes at a
few thousand roles. Numbered by reverse Cuthill-McKee, a ring, a chain of departments or
a web of local recharges keeps its entries within a narrow band of the diagonal, and
elimination fills in only inside it: one step a role, each an outer product of the
band's width (a ring of 6,000 roles with chords: 0.1 s). A band too wide for that
(a loop of recharges across the whole organisation) is left to what called.

The factors go in SuperLU's layout (unit lower triangle, the pivots on its diagonal,
the upper triangle apart) and are solved by its substitution, which adds non-negative
terms only here: x = U^-1 L^-1 b, both triangles' entries off the diagonal <= 0.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from clientchain.graph.sorting import inverse_permutation
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular import substitute
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

# The elimination's cost at most, in multiply-adds (about a nanosecond each): a row's
# outer product, below x above, and its numpy calls, ROW_STEPS whatever the band (a
# chain of 300,000 roles 16 wide took 14.6 s in a slow spell, 49 us a row): about 10 s.
BAND_WORK = 10_000_000_000
ROW_STEPS = 30_000
# Float64 cells held at most while eliminating: the band, and the factors as they are
# made (the factors' CSC arrays after it take about as much again): 256 MB.
BAND_CELLS = 1 << 25


@holder
class BandedGth:
    """GTH's factors of a system, its rows numbered by `order` (factors' row -> system
    row), solved as SuperLU's are (`solve`)."""

    order: IntArray
    # Below the diagonal, -(what a row takes from a pivot's row) / pivot; the pivots on it.
    lower: SquareCsc
    upper: SquareCsc  # above it, -(what a pivot's row takes from the rows after it)

    @property
    def nnz(self) -> int:
        """Their entries (weighing a solve, as the factors' count)."""
        return int(self.lower.data.size + self.upper.data.size)

    def solve(self, rhs: FloatArray) -> FloatArray:
        """x with K x = rhs (rows, or rows x columns), a new array."""
        columns = rhs.reshape(rhs.shape[0], -1)
        solved = substitute(self.lower, self.upper, np.asfortranarray(columns[self.order]))
        result = np.empty(columns.shape, dtype=np.float64)
        result[self.order] = solved
        return result.reshape(rhs.shape)


def banded_gth(system: SquareCsc, room: FloatArray, most_work: int = BAND_WORK) -> BandedGth | None:
    """GTH's factors of `system` (a loop's I - alpha A or core K: entries off its
    diagonal <= 0; `room`: its rows' sums as written without a subtraction), or None
    where its band is too wide or its rows too many (BAND_CELLS, and `most_work` or
    BAND_WORK, whichever is less), an entry off its diagonal is positive, or a pivot
    comes out 0 (no money leaks from some part of it)."""
    size = system.size
    if not size:
        return None
    rows, columns, taken = system.taken()
    if np.any(taken < 0.0):
        return None
    order = _band_order(size, rows, columns)
    rank = inverse_permutation(order)
    rows, columns = rank[rows], rank[columns]
    below = int(np.max(rows - columns, initial=0))
    above = int(np.max(columns - rows, initial=0))
    width = below + above + 1
    if size * (ROW_STEPS + below * above) > min(most_work, BAND_WORK):
        return None
    if (size + below) * width + size * (below + above) > BAND_CELLS:
        return None
    # band[i, j - i + below] holds what row i takes from role j (its diagonal slot unused).
    band = np.zeros((size + below, width))
    np.add.at(band, (rows, columns - rows + below), taken)
    eliminated = _eliminate(band, np.append(room[order], np.zeros(below)), size, below, above)
    del band
    if eliminated is None:
        return None
    pivot, multiplier, upper = eliminated
    return BandedGth(order, *_factors(size, below, above, pivot, multiplier, upper))


def _band_order(size: int, rows: IntArray, columns: IntArray) -> IntArray:
    """Reverse Cuthill-McKee's numbering of the system's pattern, both ways (new -> old)."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    both = np.concatenate([rows, columns]), np.concatenate([columns, rows])
    pattern = csr_array((np.ones(2 * rows.size, dtype=np.int8), both), shape=(size, size))
    order: IntArray = reverse_cuthill_mckee(pattern, symmetric_mode=True).astype(np.int64)
    return order


def _eliminate(
    band: FloatArray, room: FloatArray, size: int, below: int, above: int
) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """GTH's elimination in the band, row after row: per row its pivot, its multipliers
    (what each row below takes from it over its pivot) and what it takes from the rows
    after it; None if a pivot is 0. `room` is carried down as rows are eliminated (rows
    and room padded by `below` zero rows, so every step's views stay inside)."""
    width = below + above + 1
    flat = band.reshape(-1)
    step = flat.strides[0]
    pivot = np.empty(size)
    multiplier = np.zeros((size, below))
    upper = np.zeros((size, above))
    for k in range(size):
        row = band[k, below + 1 :]  # what row k takes from rows k+1 .. k+above
        pivot[k] = room[k] + row.sum()
        if not pivot[k] > 0.0:
            return None
        upper[k] = row
        if not below:
            continue
        # What rows k+1 .. k+below take from row k: a diagonal of the band.
        start = (k + 1) * width + below - 1
        taking = as_strided(flat[start:], shape=(below,), strides=((width - 1) * step,))
        np.divide(taking, pivot[k], out=multiplier[k])
        room[k + 1 : k + 1 + below] += multiplier[k] * room[k]
        if above:
            # Row k+1+t now takes from row k+1+u what it took, and its share of row k's:
            # (the diagonal slot, t = u, gathers what goes round through k: unused).
            block = as_strided(
                flat[start + 1 :], shape=(below, above), strides=((width - 1) * step, step)
            )
            block += np.multiply.outer(multiplier[k], row)
    return pivot, multiplier, upper


def _factors(
    size: int,
    below: int,
    above: int,
    pivot: FloatArray,
    multiplier: FloatArray,
    upper: FloatArray,
) -> tuple[SquareCsc, SquareCsc]:
    """SuperLU's layout of the factors: L's multipliers negated below the diagonal with
    the pivots on it, U's entries negated above it (zeros left out). Row k of
    `multiplier` is column k of L, in order: its compressed columns are those rows."""
    row = np.arange(size, dtype=np.intc)[:, None]
    column = np.concatenate([pivot[:, None], -multiplier], axis=1)
    at = row + np.arange(below + 1, dtype=np.intc)
    keep = (column != 0.0) & (at < size)
    keep[:, 0] = True  # (the pivots, > 0)
    indptr = np.zeros(size + 1, dtype=np.intc)
    np.cumsum(np.count_nonzero(keep, axis=1), out=indptr[1:])
    lower = SquareCsc(size, indptr, at[keep], column[keep])
    del column, at, keep
    at = row + np.arange(1, above + 1, dtype=np.intc)
    keep = (upper != 0.0) & (at < size)
    rows = np.broadcast_to(row, at.shape)[keep]
    high = SquareCsc.from_entries(size, rows, at[keep], -upper[keep])
    return lower, high
