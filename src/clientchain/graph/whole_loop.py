"""A loop solved whole by SuperLU (more roles than the dense batches take, too few to
peel): its factors checked once per decay, and what solves it where they are off. The
factorised core of a peeled loop is checked and refined the same way (loop_core).

Solved for its rows' sums, (1 - alpha) + alpha leak as written without a subtraction, I
- alpha A should give all ones. Where money turns over a million times before it leaks,
A's float64 rounding is a part in 10^10 of what leaks, and the factors (of the rounded
A) miss by as much: a ring of 1,500 roles had every traced share 0.99999999 at 10^6,
0.987 at 10^12. A loop whose factors miss by more than FACTORS_OFF is inverted by GTH up
to GTH_MAX roles (its system over its diagonal: GTH's elimination works from the leaks
and never subtracts). A larger one keeps its factors and refines their solution step
after step (RoomRefined) with residuals that subtract nothing either: row i of I - alpha
A times x is room_i x_i + alpha sum_j A_ij (x_i - x_j), its rows summing to the rooms
whatever A's rounding, each difference exact where x_i and x_j are close (the shares of
a loop are), the terms summed in extended precision. In I x - alpha A x, a million times
larger than what is left, extended precision kept a part in 10^7 of the residual at
10^12 and the steps stalled at 2e-8; so, the ring is exact to 1e-13 at 10^6 and at
10^12. Where even that cannot get there (the rooms below 1e-16 of what goes round) or
SuperLU finds a pivot of exactly 0, GTH solves the loop: inverted up to GTH_MAX roles,
eliminated in a band beyond where its entries keep near the diagonal (banded_gth: a ring
of 6,000 roles in 0.3 s), eliminated dense, in blocks, up to GTH_LAST roles where they
do not (gth_factors: recharges across 6,000 roles, a few seconds). Beyond that, the
factors with their pivots from the rooms, refined (room_pivots): as near as it gets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from clientchain.graph.banded_gth import BAND_WORK, BandedGth, banded_gth
from clientchain.graph.distinct import run_starts
from clientchain.graph.gth_factors import GthFactors, gth_factors
from clientchain.graph.loop_inverse import gth_inverse
from clientchain.graph.room_pivots import room_pivoted
from clientchain.graph.settling import TOLERANCE
from clientchain.graph.square_csc import SquareCsc, refined_solve
from clientchain.graph.triangular_factors import compact
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

# GTH inverts a loop up to this many roles (8 MB, about 0.2 s) where its factors are
# off; where nothing else solves a larger one, it eliminates it in a band or dense, the
# latter up to GTH_LAST roles (512 MB; n^3 / 3 multiply-adds by BLAS, about 20 s).
GTH_MAX = 1024
GTH_LAST = 8192
# BLAS's matrix products take about this many multiply-adds in the time banded_gth
# spends on one (its units: BAND_WORK): the cheaper of the two eliminations is made.
DENSE_SPEED = 20
FACTORS_OFF = 1e-12  # how far from all ones the check may come
MOST_STEPS = 30  # refinement steps a solve takes at most (RoomRefined)

Residual = Callable[[FloatArray, FloatArray], FloatArray]


@holder
class GthInverse:
    """The inverse of a loop's system K by GTH, in the factors' place: K = D (I - A')
    with D its diagonal, A' what each row takes from the others over D, and the rows of
    I - A' summing to room / D; K^-1 rhs = (I - A')^-1 (rhs / D)."""

    inverse: FloatArray
    diagonal: FloatArray

    @property
    def nnz(self) -> int:
        """Its entries, as the factors' count theirs (weighing a pool)."""
        return int(self.inverse.size)

    def solve(self, rhs: FloatArray) -> FloatArray:
        scaled = rhs / self.diagonal.reshape(-1, *([1] * (rhs.ndim - 1)))
        result: FloatArray = self.inverse @ scaled
        return result


def gth_solver(system: SquareCsc, room: FloatArray) -> GthInverse:
    """`system` (I - alpha A, a role paying itself or not, or a loop core's K; `room`:
    its rows' sums as written without a subtraction) inverted by GTH. For I - alpha A
    with no self-payment, D is all ones: GTH of alpha A and the rooms, as it was."""
    size = system.size
    diagonal = system.diagonal()
    rows, columns, values = system.taken()
    taken = np.zeros((1, size, size))
    np.add.at(taken[0], (rows, columns), values)
    taken[0] /= diagonal[:, None]
    inverse = gth_inverse(taken, (room / diagonal)[None, :])[0]
    return GthInverse(inverse, diagonal)


@holder
class RoomRefined:
    """SuperLU's factors of I - alpha A, their solution refined until a step moves no
    column by more than TOLERANCE of its largest entry, or shrinks by less than half
    (a step that grows is not taken; MOST_STEPS at most), on residuals taken from the
    rooms (see the module)."""

    factors: Any
    room: np.ndarray  # per row, longdouble
    rows: IntArray  # the system's entries off its diagonal, by row: their rows, columns,
    columns: IntArray
    taken: np.ndarray  # and what the row takes from that column (longdouble)
    starts: IntArray  # where each row with entries starts among them
    paying: IntArray  # those rows

    @classmethod
    def of(cls, factors: Any, system: SquareCsc, room: FloatArray) -> RoomRefined:
        """Refining the solutions of `factors` of `system` (I - alpha A, or a loop
        core's K: what each row takes from the others is its entries off the diagonal,
        negated), whose rows sum to `room` (written without a subtraction)."""
        rows, columns, values = system.taken()
        by_row = np.argsort(rows, kind="stable")
        rows, columns = rows[by_row].astype(np.int64), columns[by_row]
        taken = values[by_row].astype(np.longdouble)
        starts = np.flatnonzero(run_starts(rows))
        return cls(factors, room.astype(np.longdouble), rows, columns, taken, starts, rows[starts])

    @property
    def nnz(self) -> int:
        return int(self.factors.nnz)

    def solve(self, rhs: FloatArray) -> FloatArray:
        x: FloatArray = self.factors.solve(np.ascontiguousarray(rhs))
        last = np.inf
        for _ in range(MOST_STEPS):
            step = self.factors.solve(np.ascontiguousarray(self.residual(rhs, x)))
            moved = _largest_move(step, x)
            if moved > last:  # (growing: the factors are too far off to refine; x stays)
                break
            x += step
            if moved <= TOLERANCE or moved > last / 2:
                break
            last = moved
        return x

    def residual(self, rhs: FloatArray, x: FloatArray) -> FloatArray:
        """rhs - (I - alpha A) x, as room x + alpha sum_j A_ij (x_i - x_j) (a core's K
        likewise), in float64."""
        wide = x.astype(np.longdouble)
        shape = (-1, *([1] * (x.ndim - 1)))
        result = rhs - self.room.reshape(shape) * wide
        if self.rows.size:
            flows = wide[self.rows] - wide[self.columns]
            flows *= self.taken.reshape(shape)
            result[self.paying] -= np.add.reduceat(flows, self.starts, axis=0)
        return result.astype(np.float64)


def _largest_move(step: FloatArray, x: FloatArray) -> float:
    """The largest step of any column relative to that column's largest entry."""
    steps = np.max(np.abs(step.reshape(step.shape[0], -1)), axis=0, initial=0.0)
    sizes = np.max(np.abs(x.reshape(x.shape[0], -1)), axis=0, initial=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(steps > 0.0, steps / sizes, 0.0)
    return float(np.max(ratio, initial=0.0))


# What `checked` gives in the factors' place: its solution is final (no refinement
# step after it).
Checked = GthInverse | BandedGth | GthFactors | RoomRefined


def checked(
    factorise: Callable[[], Any], system: SquareCsc, room: FloatArray, residual: Residual
) -> Any:
    """What solves `system` (I - alpha A, or a loop core's K; `room`: its rows' sums as
    written without a subtraction): its SuperLU factors (`factorise`) where, solved for
    `room` with one refinement step (`residual`: rhs less the system times x, in
    extended precision), they give all ones to FACTORS_OFF; else GTH's inverse up to
    GTH_MAX roles; else RoomRefined where it gives them, and `_exact` where nothing else
    does (money turning over 10^16 times or more), as where SuperLU finds a pivot of
    exactly 0 (where even that has nothing, SuperLU's error goes on, and RoomRefined
    stays, as near as it gets)."""
    try:
        factors = compact(factorise())
    except RuntimeError:  # ("Factor is exactly singular": the rounded system is)
        exact = _exact(system, room)
        if exact is None:
            raise
        return exact
    if not _off_the_rooms(factors, room, residual):
        return factors
    if system.size <= GTH_MAX:
        return gth_solver(system, room)
    refined = RoomRefined.of(factors, system, room)
    if _misses(refined.solve(room[:, None])):
        return _exact(system, room) or refined
    return refined


def _exact(system: SquareCsc, room: FloatArray) -> Checked | None:
    """GTH's solve of `system` where nothing else has it: its inverse up to GTH_MAX
    roles; beyond, its elimination in a band where the band is narrow (banded_gth) and
    cheaper than dense, else dense in blocks up to GTH_LAST roles (gth_factors); past
    that, SuperLU's factors with their pivots from the rooms (room_pivots), refined:
    nearer than the plain factors (10,000 roles recharging across, money round 10^15
    and 10^19 times: exactly 1 where the plain factors traced 0.0052 and 5e-7), but not
    exact in general (their multipliers keep SuperLU's pivots: a review found loops of
    weakly linked groups, money round 10^24 times, with clients' shares 1e-5 off, and
    refinement cannot tell); None where SuperLU has no factors."""
    size = system.size
    if size <= GTH_MAX:
        return gth_solver(system, room)
    dense = size <= GTH_LAST
    most_work = size**3 // (3 * DENSE_SPEED) if dense else BAND_WORK
    banded = banded_gth(system, room, most_work)
    if banded is not None:
        return banded
    if dense:
        return gth_factors(system, room)
    pivoted = room_pivoted(system, room)
    return None if pivoted is None else RoomRefined.of(pivoted, system, room)


def _off_the_rooms(factors: Any, room: FloatArray, residual: Residual) -> bool:
    """Whether the factors, solved for `room` with one refinement step, miss all ones by
    more than FACTORS_OFF (never where no money leaks: nothing to check against)."""
    if not np.any(room > 0.0):
        return False
    return _misses(refined_solve(factors, room[:, None], residual))


def _misses(ones: FloatArray) -> bool:
    return float(np.max(np.abs(ones - 1.0), initial=0.0)) > FACTORS_OFF
