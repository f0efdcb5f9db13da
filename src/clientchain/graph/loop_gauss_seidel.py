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

Sweeps stop for each column on its own, when its corrections say it is settled
(settling.py): to 4 ulps of every entry, or of 1 in columns of shares. Where
corrections shrink slowly or stall at rounding, the residual b - K x is taken in
extended precision, as in `refined_solve`. Columns go a few at a time (group_width).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import field
from typing import Any, Protocol

import numpy as np

from clientchain.graph.layered_product import LayeredProduct
from clientchain.graph.settling import Progress, corrections, judge, not_yet_reached
from clientchain.graph.sorting import inverse_permutation
from clientchain.graph.square_csc import SquareCsc, refined_solve, refined_work
from clientchain.graph.triangular import (
    BAND_WORK,
    SUBSTITUTION_WORK,
    BandSolve,
    SubstitutionSolve,
    lower_solve,
)
from clientchain.graph.triangular_factors import compact
from clientchain.model.holder import holder, value_class
from clientchain.model.org import BoolArray, FloatArray, IntArray

MAX_SWEEPS = 200  # the probe's budget; a real solve gets twice the probe's sweeps + SLACK
SLACK = 10
# A column group over its sweeps is tried again with this many times as many, given up
# as soon as its rate says they would not do (real columns can be slower than the
# probe's column of ones; the factors of a core of a million roles may not fit at all).
RETRY = 4
# Roles x columns swept at a time, at most: 12 MB a column group, so that a sweep's
# arrays stay in cache (a core of 100,000 roles: 3.0 ns a role and a column each sweep
# in groups of 10 columns, 4.0 in one of 40),
CELLS = 3 << 19
# but at least this many: where even one column does not fit, a row's cells are read
# from memory in one go, not a column at a time, one cache line of 8 floats (a million
# roles recharging one another, their revenue up and budgets down: 36.9 s of CPU in
# groups of 2, 28.3 in groups of 4; a sweep of their core took 16.7 ns a role and a
# column in groups of 4, 13.2 in groups of 8, 14.8 in groups of 16: two cache lines).
MIN_WIDTH = 8
ROWS_AT_A_TIME = 1 << 16  # rows of settled columns put in place at a time


class CoreSolver:
    """x with K x = rhs for a loop's core (rhs: core roles x columns)."""

    along_lines: bool = False  # swept split along the core's both-ways lines (tree_split)

    def solve(self, rhs: FloatArray, shares: BoolArray | None = None) -> FloatArray:
        """`shares`: which columns are shares, settled to 4 ulps of 1 (settling.py)."""
        raise NotImplementedError

    def solve_rows(self, x: FloatArray, rows: IntArray, shares: BoolArray | None = None) -> None:
        """x[rows] solved in place in x (`rows`: the core's rows of x, as `wanted_rows`
        orders them): here gathered whole, solved and put back; a solver that goes a few
        columns at a time gathers each group from x (a million-role core's block of
        clients is then never copied whole: 128 MB at the peak of a run)."""
        x[rows] = self.solve(x[rows], shares)

    def wanted_rows(self) -> IntArray | None:
        """The order of core places in which `solve` takes and gives rows (None: the
        core's own): the caller gathers them so, and the solver needs no copy of its own."""
        return None

    def work(self) -> int:
        """About how many multiply-adds `solve` takes per column (a sweep's cost, weighed
        before handing columns to a second process)."""
        raise NotImplementedError


class GroupedCore(CoreSolver):
    """A solver that goes a few columns at a time, each group gathered from x's rows
    and put back (`_solve`): `solve` and `solve_rows` are that over all rows or some."""

    def solve(self, rhs: FloatArray, shares: BoolArray | None = None) -> FloatArray:
        """x in place of rhs (no copy of the whole block)."""
        self._solve(rhs.reshape(rhs.shape[0], -1), None, shares)
        return rhs

    def solve_rows(self, x: FloatArray, rows: IntArray, shares: BoolArray | None = None) -> None:
        self._solve(x, rows, shares)

    def _solve(self, x: FloatArray, rows: IntArray | None, shares: BoolArray | None) -> None:
        """x's rows (`rows`, else all of them) solved in place."""
        raise NotImplementedError


@holder
class FactorisedCore(CoreSolver):
    """SuperLU's factors of K and one refinement step (refined_solve)."""

    factors: Any
    system: SquareCsc  # K (its residuals are taken in extended precision)
    gap: FloatArray | None = None  # the residuals' diagonal less K's (SquareCsc.room_gap)

    def solve(self, rhs: FloatArray, shares: BoolArray | None = None) -> FloatArray:
        return refined_solve(self.factors, rhs, self._residual)

    def _residual(self, rhs: FloatArray, x: FloatArray) -> FloatArray:
        return self.system.widened_residual(rhs, x, self.gap)

    def work(self) -> int:
        return refined_work(self.factors, self.system)


@holder
class SweptCore(GroupedCore):
    """The sweeps on K in the loop's order, and how many the probe took. Rows come and
    go in the loop's order (`rows`)."""

    sweeps: Sweeps
    rows: IntArray  # row of the swept system -> core place
    probe_sweeps: int
    # SuperLU's factors of a system in the core's order: the fallback, should a column
    # not settle. The core is made again from the sweeps' own system when it is needed,
    # not held beside it (50 MB a core at a million roles recharging one another).
    factorise: Callable[[SquareCsc], Any]
    along_lines: bool = False
    fallback: list[FactorisedCore] = field(default_factory=list)

    def wanted_rows(self) -> IntArray:
        return self.rows

    def work(self) -> int:
        system = self.sweeps.system
        per_sweep = system.data.size + system.size
        if isinstance(self.sweeps.lower, SubstitutionSolve):
            per_sweep += SUBSTITUTION_WORK * system.size
        elif isinstance(self.sweeps.lower, BandSolve):
            per_sweep += (BAND_WORK + self.sweeps.lower.depth) * system.size
        return self.probe_sweeps * per_sweep

    def _solve(self, x: FloatArray, rows: IntArray | None, shares: BoolArray | None) -> None:
        """x's rows (`rows`, else all of them) solved in place, a few columns at a time."""
        size = x.shape[0] if rows is None else rows.size
        if self.fallback:
            self._factorised(x, rows, 0)
            return
        step = self._width(x.shape[1], size)
        limit = 2 * self.probe_sweeps + SLACK
        for first in range(0, x.shape[1], step):
            cols = slice(first, first + step)
            mine = None if shares is None else shares[cols]
            b = column_group(x, rows, cols)  # (a copy: the sweeps may write in it)
            solved = self._settled(b, limit, False, mine)
            if solved is None:  # slower than the probe: again, while the rate says it settles
                b = column_group(x, rows, cols)
                solved = self._settled(b, RETRY * limit, True, mine)
            if solved is None:  # a column that does not settle: the factors after all
                self.fallback.append(self._factors())
                self._factorised(x, rows, first)
                return
            put_column_group(x, rows, cols, solved[0])

    def _width(self, columns: int, rows: int) -> int:
        """Columns swept at a time."""
        return group_width(columns, rows, CELLS, MIN_WIDTH)

    def _settled(
        self, b: FloatArray, limit: int, foresee: bool, shares: BoolArray | None
    ) -> tuple[FloatArray, int] | None:
        """Sweeps.solve of the group b (written over), within `limit` sweeps."""
        return self.sweeps.solve(b, limit, foresee, shares, in_place=True)

    def _factors(self) -> FactorisedCore:
        """The fallback: the core in its own order (the sweeps' system with its rows put
        back, the same entries), factorised."""
        core = self.sweeps.system.renumbered(self.rows)
        return FactorisedCore(compact(self.factorise(core)), core)

    def _factorised(self, x: FloatArray, rows: IntArray | None, first: int) -> None:
        """Columns first.. solved by the factors, which are of the core in its own order."""
        rank = inverse_permutation(self.rows)
        at = rank if rows is None else rows[rank]
        x[at, first:] = self.fallback[0].solve(x[at, first:])


def group_width(columns: int, rows: int, cells: int, least: int) -> int:
    """Columns a group: as few groups as `cells` allows, of even widths (8 columns of
    137,000 rows go as one group, not as 7 and 1), `least` at least."""
    groups = max(1, -(-columns * rows // cells))
    return max(1, -(-columns // groups), min(columns, least))


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
    part = x[:, cols]
    contiguous = part.strides[1] == part.itemsize and group.flags.c_contiguous
    if not contiguous or not part.shape[1] or group.dtype != part.dtype:
        part[rows] = group
        return
    # Each row's cells as one item of their bytes: one scatter of a million rows took
    # 21 ms for 8 columns, 56 ms a column at a time and 38 ms as a 2-D fancy assignment.
    cell = np.dtype((np.void, part.itemsize * part.shape[1]))
    part.view(cell)[rows, 0] = group.view(cell)[:, 0]


def swept(
    core: SquareCsc,
    position: IntArray,
    factorise: Callable[[SquareCsc], Any],
    limit: int = MAX_SWEEPS,
) -> SweptCore | None:
    """The core in the loop's order with its lower triangle factorised, if a column of
    ones settles within `limit` sweeps (`factorise`: SuperLU's factors of a system, the
    fallback's)."""
    sweeps, rows = gauss_seidel(core, position)
    return probed(sweeps, rows, factorise, limit)


def gauss_seidel(core: SquareCsc, position: IntArray) -> tuple[Sweeps, IntArray]:
    """Gauss-Seidel's sweeps of the core in the loop's order, and which core place each
    row of their system is (rows numbered level by level when the triangle's solve goes
    by level)."""
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
    return Sweeps(upper.negated(), system, solve), rows


def probed(
    sweeps: Sweeps, rows: IntArray, factorise: Callable[[SquareCsc], Any], limit: int
) -> SweptCore | None:
    """The swept core, if a column of ones settles within `limit` sweeps."""
    probe = sweeps.foreseen(np.ones((rows.size, 1)), limit)
    if probe is None:
        return None
    return SweptCore(sweeps, rows, probe, factorise)


class Prober(Protocol):
    """A solver of a core on its sweeps (`rows`: the sweeps' row -> core place; `room`:
    the core's row sums, in its own order), if its probe settles; None if not."""

    def __call__(
        self,
        sweeps: Sweeps,
        rows: IntArray,
        factorise: Callable[[SquareCsc], Any],
        room: FloatArray,
    ) -> SweptCore | None: ...


class SplitSolve(Protocol):
    """x <- M^-1 x in place, for the M of a regular splitting K = M - N."""

    def solve(self, x: FloatArray) -> FloatArray: ...


@holder
class Sweeps:
    """The sweeps x <- M^-1 (b + N x) of a regular splitting K = M - N: Gauss-Seidel's
    (M = L, K's lower triangle with the diagonal in the loop's order, N = -U; rows
    numbered by level) or loop_tree_split's (M: a forest and the diagonal)."""

    feedback: SquareCsc | LayeredProduct  # N (>= 0)
    system: SquareCsc  # K
    lower: SplitSolve  # M^-1

    def solve(
        self,
        rhs: FloatArray,
        limit: int,
        foresee: bool = False,
        shares: BoolArray | None = None,
        in_place: bool = False,
        until_foreseen: bool = False,
    ) -> tuple[FloatArray, int] | None:
        """(x with K x = rhs, the sweeps its last column took), or None when `limit`
        sweeps did not settle a column (`foresee`: or, from FORESEE sweeps on, when a
        column's rate so far says it would take more than twice as many: the probe of a
        core that circulates its money gives up early, it took a million-role one 3 s to
        sweep 200 times). A sweep in float64 is x <- M^-1 (rhs + N x); a column whose
        corrections are small and shrink slowly goes on with the residual rhs - K x in
        extended precision, its solve added to x. Each column is taken at the sweep that
        settles it (settling.py; `shares`: which columns are shares). `in_place`: x
        goes in rhs (a C-ordered float64 array), each column as it settles, and rhs is
        left undefined where None is returned: a column's b is read no more once it is
        settled, and a group of 8 columns of a million roles is 64 MB. `until_foreseen`
        (with `foresee`): the sweeps stop as soon as the rates foresee how many every
        column takes (`foreseen`), x then not settled."""
        b = np.asarray(rhs, dtype=np.float64, order="C")
        x = b if in_place and b is rhs else np.empty_like(b)
        if shares is None:
            shares = np.zeros(b.shape[1], dtype=bool)
        plain = _Columns.start(b, self.lower.solve(np.array(b)), shares)
        wide = plain.part(np.zeros(b.shape[1], dtype=bool))
        for sweeps in range(1, limit + 1):
            if not plain.size and not wide.size:
                return x, sweeps - 1
            moving = None  # columns that go on with extended precision from the next sweep
            ahead = 0.0  # the sweeps the slowest column still takes, foreseen
            for columns, widened in ((plain, False), (wide, True)):
                if not columns.size:
                    continue
                moved = self._widened(columns) if widened else self._sweep(columns)
                verdict = judge(columns.progress, moved, widened, sweeps, limit, foresee)
                if verdict.hopeless:
                    return None
                ahead = max(ahead, verdict.ahead)
                not_yet_reached(columns.progress, columns.x, verdict.settled)
                _put_settled(x, columns, verdict.settled)
                if widened:
                    if verdict.settled.any():
                        wide = columns.part(~verdict.settled)
                elif verdict.settled.any() or verdict.widen.any():
                    moving = columns.part(verdict.widen)
                    plain = columns.part(~verdict.settled & ~verdict.widen)
            if moving is not None and moving.size:
                wide = wide.joined(moving)
            # (Foreseen far into the limit, it is swept to the end: what is foreseen there
            # is least sure, and gives up the core's sweeps for another solver.)
            if until_foreseen and sweeps + ahead <= limit / 2:
                return x, sweeps + math.ceil(ahead)
        return None if plain.size or wide.size else (x, limit)

    def foreseen(self, rhs: FloatArray, limit: int) -> int | None:
        """The sweeps `rhs`'s columns take to settle, as their steady rates foresee
        from FORESEE sweeps on where that is within half the limit (else counted, as
        where they settle before), or None if over `limit`: a probe need not sweep to
        the end (a million roles recharging one another, their revenue up and budgets
        down: 24 sweeps of a column, 2.2 s in a slow spell, foreseen in 0.7)."""
        probe = self.solve(rhs, limit, foresee=True, until_foreseen=True)
        return None if probe is None else probe[1]

    def _sweep(self, columns: _Columns) -> FloatArray:
        """A float64 sweep of `columns`; per column, its largest correction."""
        swept = columns.swept
        self.sweep_into(columns.b, columns.x, swept)
        correction = np.subtract(swept, columns.x, out=columns.x)  # (over the last x)
        columns.x, columns.swept = swept, correction
        return corrections(correction, swept, columns.progress.shares)

    def sweep_into(self, b: FloatArray, x: FloatArray, out: FloatArray) -> None:
        """out = M^-1 (b + N x), one float64 sweep (C-ordered rows x columns)."""
        np.copyto(out, b)
        self.feedback.add_times(x, out)
        self.lower.solve(out)

    def _widened(self, columns: _Columns) -> FloatArray:
        """A step of `columns` with their residual in extended precision; per column,
        its largest correction."""
        residual = self.system.widened_residual(columns.b, columns.x)
        self.lower.solve(residual)
        columns.x += residual
        return corrections(residual, columns.x, columns.progress.shares)


def _put_settled(x: FloatArray, columns: _Columns, settled: BoolArray) -> None:
    """x's columns of `columns` that `settled` picks, from their x: a slice of rows at a
    time, as picking columns copies them (8 columns of a million roles: 64 MB at once)."""
    if not settled.any():
        return
    at, picked = columns.at[settled], np.flatnonzero(settled)
    for first in range(0, x.shape[0], ROWS_AT_A_TIME):
        rows = slice(first, first + ROWS_AT_A_TIME)
        x[rows, at] = columns.x[rows, picked]


@value_class(frozen=False)
class _Columns:
    """Columns swept together (C order), each one's column of the whole, and their progress."""

    at: IntArray
    b: FloatArray
    x: FloatArray
    swept: FloatArray  # the buffer the sweeps take turns with (fresh arrays every sweep
    # cost their pages' faults each time: tens of MB a sweep at a million roles)
    progress: Progress

    @classmethod
    def start(cls, b: FloatArray, x: FloatArray, shares: BoolArray) -> _Columns:
        progress = Progress.start(b, shares)
        return cls(np.arange(b.shape[1]), b, x, np.empty_like(x), progress)

    @property
    def size(self) -> int:
        return int(self.at.size)

    def part(self, keep: np.ndarray) -> _Columns:
        """The columns `keep` picks (a mask), copied."""
        x = np.ascontiguousarray(self.x[:, keep])
        b = np.ascontiguousarray(self.b[:, keep])
        return _Columns(self.at[keep], b, x, np.empty_like(x), self.progress.part(keep))

    def joined(self, other: _Columns) -> _Columns:
        x = np.hstack([self.x, other.x])
        at, b = np.concatenate([self.at, other.at]), np.hstack([self.b, other.b])
        return _Columns(at, b, x, np.empty_like(x), self.progress.joined(other.progress))
