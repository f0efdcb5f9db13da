"""The core of a very large loop solved by Gauss-Seidel sweeps, where factors would fill in.

A loop whose roles charge one another across the organisation (every role pays one or
two others anywhere: internal recharges, no tree, no hubs) has no order in which
SuperLU's factors stay sparse: 5,000 such roles took 0.9 s, 10,000 took 6.8 s, 20,000
52 s. Peeling (loop_fringe) leaves most of such a loop as its core, and its funnels
(loop_funnels) most of what is left; this sweeps the rest.

The core's system K = I - alpha A' is an M-matrix (off the diagonal <= 0, every row
sum >= 0, and money leaks somewhere). Split in the order of the loop's roles into its
lower triangle with the diagonal, L, and the rest, U, the splitting is regular
(L^-1 >= 0, L - K >= 0), so the sweeps

    x <- L^-1 (b - U x)

converge from any start, each one product with U and one solve with L, level by level
for every column at once (triangular.py), nothing subtracted. The loop's own order is
the plan's (bosses before their reports): most money then moves forward in a sweep.
How many sweeps a loop takes is how often its money goes round before it leaks: tens
where clients pay a share of the roles, thousands where it goes up and down every line
(revenue up, budget down), which loop_tree_split or SuperLU's factors handle. So a
core is first swept for one column of ones (the probe, at most MAX_SWEEPS sweeps): a
core that does not settle within them is left to those, and so is one whose real
columns do not settle in twice the probe's sweeps, or RETRY times that.

Sweeps stop when the error they leave, bounded by the last correction and the rates
at which corrections shrink over one sweep and over two, is within 4 ulps of every
entry. Where corrections shrink slowly or stall at rounding, the residual b - K x is
taken in extended precision, as in `refined_solve`. Columns go a few at a time (CELLS).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from clientchain.graph.sorting import inverse_permutation
from clientchain.graph.square_csc import SquareCsc, largest_relative, refined_solve, refined_work
from clientchain.graph.triangular import SUBSTITUTION_WORK, SubstitutionSolve, lower_solve
from clientchain.model.org import FloatArray, IntArray

MAX_SWEEPS = 200  # the probe's budget; a real solve gets twice the probe's sweeps + SLACK
SLACK = 10
# A column group over its sweeps is tried again with this many times as many, given up
# as soon as its rate says they would not do (real columns can be slower than the
# probe's column of ones; the factors of a core of a million roles may not fit at all).
RETRY = 4
FORESEE = 10  # the probe's sweeps before its rate says whether it can settle
TOLERANCE = 4 * 2.0**-52  # the error left in x (bound, relative, entry by entry): 4 ulps
SLOW = 0.85  # corrections stuck at rounding: taken only if they shrank at least this fast
RESOLVED = 1e-12  # corrections above this are well above rounding: their ratio is the rate
WIDEN_AT = 1e-12  # corrections below this: the residual in extended precision,
FAST = 0.5  # unless they shrink at least this fast and still shrink (see Sweeps.solve)
FLOOR = 1e-14  # corrections that stop shrinking below this are rounding: settled
CELLS = 1 << 22  # roles x columns swept at a time: 32 MB a column group


class CoreSolver:
    """x with K x = rhs for a loop's core (rhs: core roles x columns)."""

    def solve(self, rhs: FloatArray) -> FloatArray:
        raise NotImplementedError

    def solve_rows(self, x: FloatArray, rows: IntArray) -> None:
        """x[rows] solved in place in x (`rows`: the core's rows of x, as `wanted_rows`
        orders them): here gathered whole, solved and put back; a solver that goes a few
        columns at a time gathers each group from x (a million-role core's block of
        clients is then never copied whole: 128 MB at the peak of a run)."""
        x[rows] = self.solve(x[rows])

    def wanted_rows(self) -> IntArray | None:
        """The order of core places in which `solve` takes and gives rows (None: the
        core's own): the caller gathers them so, and the solver needs no copy of its own."""
        return None

    def work(self) -> int:
        """About how many multiply-adds `solve` takes per column (a sweep's cost, weighed
        before handing columns to a second process)."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class FactorisedCore(CoreSolver):
    """SuperLU's factors of K and one refinement step (refined_solve)."""

    factors: Any
    system: SquareCsc  # K (its residuals are taken in extended precision)

    def solve(self, rhs: FloatArray) -> FloatArray:
        return refined_solve(self.factors, rhs, self.system.widened_residual)

    def work(self) -> int:
        return refined_work(self.factors, self.system)


@dataclass(frozen=True, eq=False)
class SweptCore(CoreSolver):
    """The sweeps on K in the loop's order, and how many the probe took. Rows come and
    go in the loop's order (`rows`)."""

    sweeps: Sweeps
    rows: IntArray  # row of the swept system -> core place
    probe_sweeps: int
    factorised: Callable[[], FactorisedCore]  # the fallback, should a column not settle
    fallback: list[FactorisedCore] = field(default_factory=list)

    def wanted_rows(self) -> IntArray:
        return self.rows

    def work(self) -> int:
        system = self.sweeps.system
        per_sweep = system.data.size + system.size
        if isinstance(self.sweeps.lower, SubstitutionSolve):
            per_sweep += SUBSTITUTION_WORK * system.size
        return self.probe_sweeps * per_sweep

    def solve(self, rhs: FloatArray) -> FloatArray:
        """x in place of rhs (a few columns at a time: no copy of the whole block)."""
        self._solve(rhs.reshape(rhs.shape[0], -1), None)
        return rhs

    def solve_rows(self, x: FloatArray, rows: IntArray) -> None:
        self._solve(x, rows)

    def _solve(self, x: FloatArray, rows: IntArray | None) -> None:
        """x's rows (`rows`, else all of them) solved in place, a few columns at a time."""
        size = x.shape[0] if rows is None else rows.size
        if self.fallback:
            self._factorised(x, rows, 0)
            return
        step = max(1, CELLS // max(1, size))
        limit = 2 * self.probe_sweeps + SLACK
        for first in range(0, x.shape[1], step):
            cols = slice(first, first + step)
            b = column_group(x, rows, cols)
            solved = self.sweeps.solve(b, limit)
            if solved is None:  # slower than the probe: again, while the rate says it settles
                solved = self.sweeps.solve(b, RETRY * limit, foresee=True)
            if solved is None:  # a column that does not settle: the factors after all
                self.fallback.append(self.factorised())
                self._factorised(x, rows, first)
                return
            put_column_group(x, rows, cols, solved[0])

    def _factorised(self, x: FloatArray, rows: IntArray | None, first: int) -> None:
        """Columns first.. solved by the factors, which are of the core in its own order."""
        rank = inverse_permutation(self.rows)
        at = rank if rows is None else rows[rank]
        x[at, first:] = self.fallback[0].solve(x[at, first:])


def column_group(x: FloatArray, rows: IntArray | None, cols: slice) -> FloatArray:
    """A C-order copy of x[rows, cols] (`rows` None: every row), as the compiled
    products take it."""
    if rows is None:
        return np.array(x[:, cols])
    return np.take(x[:, cols], rows, axis=0)  # (a third of x[rows, cols]'s time)


def put_column_group(x: FloatArray, rows: IntArray | None, cols: slice, group: FloatArray) -> None:
    """x[rows, cols] = group (`rows` None: every row)."""
    if rows is None:
        x[:, cols] = group
        return
    first = cols.start or 0
    for j in range(group.shape[1]):  # (a column at a time: twice as fast at 1M rows)
        x[rows, first + j] = group[:, j]


def swept(
    core: SquareCsc, position: IntArray, factorised: Callable[[], FactorisedCore]
) -> SweptCore | None:
    """The core in the loop's order with its lower triangle factorised, if a column of
    ones settles within MAX_SWEEPS sweeps."""
    rows = np.argsort(position, kind="stable")
    system = core.renumbered(inverse_permutation(rows))
    lower, upper = system.triangles()
    # The same splitting, with rows numbered level by level for the triangular solves
    # when they go by level.
    by_level, solve = lower_solve(lower)
    if by_level is not None:
        rows = rows[by_level]
        rank = inverse_permutation(by_level)
        system, upper = (m.renumbered(rank) for m in (system, upper))
    sweeps = Sweeps(upper.negated(), system, solve)
    probe = sweeps.solve(np.ones((core.size, 1)), MAX_SWEEPS, foresee=True)
    if probe is None:
        return None
    return SweptCore(sweeps, rows, probe[1], factorised)


class SplitSolve(Protocol):
    """x <- M^-1 x in place, for the M of a regular splitting K = M - N."""

    def solve(self, x: FloatArray) -> FloatArray: ...


@dataclass(frozen=True, eq=False)
class Sweeps:
    """The sweeps x <- M^-1 (b + N x) of a regular splitting K = M - N: Gauss-Seidel's
    (M = L, K's lower triangle with the diagonal in the loop's order, N = -U; rows
    numbered by level) or loop_tree_split's (M: a forest and the diagonal)."""

    feedback: SquareCsc  # N (>= 0)
    system: SquareCsc  # K
    lower: SplitSolve  # M^-1

    def solve(
        self, rhs: FloatArray, limit: int, foresee: bool = False
    ) -> tuple[FloatArray, int] | None:
        """(x with K x = rhs, the sweeps it took), or None when `limit` sweeps did not
        settle it (`foresee`: or, from FORESEE sweeps on, when the rate so far says it
        would take more than twice as many: the probe of a core that circulates its
        money gives up early, it took a million-role one 3 s to sweep 200 times). A sweep
        in float64 is x <- L^-1 (rhs - U x); once corrections are small the residual
        rhs - K x is taken in extended precision and its solve added to x.

        A small correction alone does not make x exact: where each sweep shrinks the
        error by a rate q close to 1, it is q / (1 - q) times the last correction. So
        the rate is measured while corrections are well above rounding, and x is taken
        when that bound is within a few ulps, entry by entry."""
        lower = self.lower
        x: FloatArray = lower.solve(np.array(rhs, dtype=np.float64, order="C"))
        # Two buffers the sweeps take turns with, and one for corrections: fresh arrays
        # every sweep cost their pages' faults each time (tens of MB a sweep at 1M roles).
        swept = np.empty_like(x)
        correction = np.empty_like(x)
        widened = False
        last = np.inf
        rates: list[float] = []
        for sweeps in range(1, limit + 1):
            if widened:
                residual = self.system.widened_residual(rhs, x)
                lower.solve(residual)
                x += residual
                correction = residual
            else:
                np.copyto(swept, rhs)
                self.feedback.add_times(x, swept)
                lower.solve(swept)
                np.subtract(swept, x, out=correction)
                x, swept = swept, x
            moved = largest_relative(correction, x, in_place=True)
            # The rate, from float64 sweeps well above rounding (the first residuals in
            # extended precision uncover what float64 could not see: not a rate).
            if 0.0 < last < np.inf and not widened and (last > RESOLVED or not rates):
                rates.append(moved / last)
            rate = max(rates[-3:], default=1.0)  # (1: not known yet)
            # Over two sweeps: where corrections alternate (0.9 then 0.18 of the last,
            # a pair of eigenvalues of opposite signs) one sweep's ratio overstates
            # what is left, and such a solve never settled at rounding.
            twice = max((p * q for p, q in itertools.pairwise(rates[-4:])), default=rate * rate)
            pace = math.sqrt(twice)  # a sweep's rate, over two
            # The error left: the next correction (at most rate times this one) and
            # every one after it, shrinking by `twice` every two sweeps.
            settled = moved * (rate + twice) <= TOLERANCE * max(0.0, 1.0 - twice)
            # Corrections at the level of rounding no longer shrink: x is as exact as
            # it gets, if the error shrank fast enough before (else it may be far off).
            rounded = widened and FLOOR > moved >= last and pace < SLOW
            if settled or rounded:
                return x, sweeps
            if foresee and sweeps >= FORESEE and _sweeps_left(moved, pace) > 2 * limit - sweeps:
                return None
            # A float64 sweep adds non-negative terms only (b, -U x, and L^-1 by
            # substitution): x is as exact as float64 gets where corrections keep
            # shrinking fast. Elsewhere the residual goes to extended precision.
            widened = widened or (moved < WIDEN_AT and (pace > FAST or moved >= last))
            last = moved
        return None


def _sweeps_left(moved: float, rate: float) -> float:
    """Sweeps until a correction of `moved` shrinking by `rate` a sweep is TOLERANCE."""
    if moved <= TOLERANCE:
        return 0.0
    return math.log(TOLERANCE / moved) / math.log(rate) if rate < 1.0 else math.inf
