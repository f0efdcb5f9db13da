"""The loops of one layer too small to peel, solved together: by their own factors, or
by Gauss-Seidel sweeps of them all at once where those factors fill in.

A loop of up to FRINGE_MIN_ROLES roles (sweep.py) is solved with SuperLU's factors: a
shared-service centre of a few hundred roles keeps factors about as sparse as its
money graph (1.5 times its entries). Roles that recharge one another at random inside
a department do not: a loop of 750 such roles and 2,200 entries has factors of 49,000,
each made in 3-4 ms and solved at 2 x 49,000 multiply-adds a column, where Gauss-Seidel
settles it in 5-11 sweeps of its entries. A thousand such loops at a million roles
took 7 s to factorise at the two alphas, 14 s of CPU to solve, and 1.7 GB to hold.

Loops of the same layer never feed one another, so they can be solved side by side as
one block-diagonal system: one call a sweep for all of them, not one each (a loop of
a few hundred roles swept alone spends most of each sweep in Python). The pool of a
layer weighs the two once per loop, at alpha 1 (the clients' shares, the most solved):
the factors of its largest loop are made (kept, should they win) and their fill, scaled
to each loop by its size, says what each loop's factors would cost a column; only where
that is more than FEWEST_SWEEPS sweeps would, the union is swept for a column of ones,
each loop's settling read off it (each settles at its own pace), and the loops that
settle within the sweeps their factors would cost are swept together from then on; the
others keep their factors.

The factors made to weigh cost their making, most where they fill in: 4,000 roles that
recharge one another at random took 0.25 s each, and 25 layers of such loops (a million
roles) 7 s before any sweep, all of it to find that sweeps pay. So a pool whose largest
loop is like one whose costly factors an earlier pool of the plan made (`LoopFills`: as
many roles within a quarter, as many entries a role within a tenth, a busiest role as
busy within a half) is priced by that loop's fill, scaled by size as within a pool, and
makes none to weigh. Weighed once, the choice holds at every alpha, so one process or
two make the same one (they weigh the pools in the plan's order, with the same fills
known at each); but at an alpha solved once for one column (closeness' decay, in the
parent alone either way), factors would be made for a single solve, and the loops kept
on them are swept together too where they settle within what that making costs
(`_once_swept`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from clientchain.graph.square_csc import SquareCsc
from clientchain.model.holder import holder
from clientchain.model.org import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:
    from clientchain.graph.loop_gauss_seidel import Sweeps, SweptCore

# A swept multiply-add costs about this many of a factors' solve (the sweeps' stopping
# rule, their calls): 2.0 over pools of thousands of roles, 3.9 over a few hundred; but
# sweeps make no factors. A block of 16 clients at a million roles: in shared-service
# centres (chargeback) 0.27-0.28 s with 4 of its 37 pools swept, 0.28 s with none; in
# random loops of about 800 roles, 1.29-1.32 s with all 39 swept (0.6 s to weigh and
# probe them), 1.85 s with none (3.9 s to make their factors).
SWEEP_COST = 2
# Factors cheaper than this many sweeps are kept without probing the sweeps.
FEWEST_SWEEPS = 4
# What a sweep costs per role on top of its entries (the triangle's solve, the copy,
# the corrections and their check).
SWEEP_ROLE_WORK = 4
# Factors that cost this many multiply-adds to make (`_making_work`: 4 ms a loop of 800
# roles at 11 million, 0.25 s one of 4,000 at 1.2 billion) price the alike loops of the
# pools weighed after them (LoopFills).
COSTLY_FACTORS = 50_000_000
# A loop of the pool is alike one whose factors were made (LoopFills) within these: roles
# (a ratio either way), entries a role, and the entries of its busiest role as a share of
# its roles (a shared-service centre that everyone pays: factors about as sparse as it is).
ALIKE_ROLES = 1.25
ALIKE_ENTRIES = 1.1
ALIKE_BUSIEST = 1.5
# A loop has settled (weighing) when a sweep changes no role's figure by more than this
# share of it: 4 ulps, where the sweeps stop (settling.py).
SETTLED = 4 * 2.0**-52


class PooledLoop(Protocol):
    """A loop of the pool (sweep._Large): its plan positions, its matrix A, and its
    factors of I - alpha A, made and solved on their own."""

    @property
    def members(self) -> IntArray: ...

    @property
    def matrix(self) -> SquareCsc: ...

    @property
    def factors(self) -> dict[float, Any]: ...

    def factor(self, alpha: float) -> Any: ...

    def solve_at(
        self, x: FloatArray, rows: IntArray, alpha: float, shares: BoolArray | None, once: bool
    ) -> None: ...

    def work(self, alpha: float) -> int: ...

    def keep_only(self, keep: set[float]) -> bool: ...


@holder
class _Trait:
    """What a loop's fill is judged alike by: its roles, entries a role (its system's),
    and its busiest role's entries (row or column) as a share of its roles."""

    roles: int
    per_role: float
    busiest: float

    @classmethod
    def of(cls, matrix: SquareCsc) -> _Trait:
        roles = matrix.size
        in_row = np.bincount(matrix.indices, minlength=roles)
        busiest = max(int(np.diff(matrix.indptr).max(initial=0)), int(in_row.max(initial=0)))
        return cls(roles, _system_entries(matrix) / roles, busiest / roles)

    def alike(self, other: _Trait) -> bool:
        return (
            _within(self.roles, other.roles, ALIKE_ROLES)
            and _within(self.per_role, other.per_role, ALIKE_ENTRIES)
            and _within(self.busiest, other.busiest, ALIKE_BUSIEST)
        )


def _within(a: float, b: float, ratio: float) -> bool:
    return a <= b * ratio and b <= a * ratio


@holder(frozen=False)
class LoopFills:
    """The fills (factor entries over system entries) of the costly factors made to weigh
    the pools of one plan, in the order they were weighed: each pool looks here before
    making factors of its largest loop to weigh it (see the module's account)."""

    known: list[tuple[_Trait, float]] = field(default_factory=list)

    def fill_of(self, matrix: SquareCsc) -> float | None:
        """The fill a loop of A = `matrix` is priced at from the first alike loop whose
        factors were made (scaled by roles, as within a pool), None if there is none."""
        if not self.known:
            return None
        trait = _Trait.of(matrix)
        for known, fill in self.known:
            if trait.alike(known):
                return fill * trait.roles / known.roles
        return None

    def made(self, matrix: SquareCsc, entries: int) -> float:
        """The fill of factors of `entries` entries just made for a loop of A = `matrix`,
        kept where making them was costly (COSTLY_FACTORS)."""
        fill = entries / _system_entries(matrix)
        if _making_work(entries, matrix.size) >= COSTLY_FACTORS:
            self.known.append((_Trait.of(matrix), fill))
        return fill


@holder(frozen=False)
class LoopPool:
    """The loops of one layer (`parts`, as the plan's size groups give them), each solved by
    its own factors or with the others swept (`factors`: alpha -> the sweeps of the swept
    loops' union, or None where every loop's own factors solve it)."""

    parts: Sequence[PooledLoop]
    # The fills of the costly factors the plan's pools made to weigh (shared by them all).
    fills: LoopFills = field(default_factory=LoopFills)
    factors: dict[float, SweptCore | None] = field(default_factory=dict)
    _swept: BoolArray | None = None  # per loop, whether it is swept (weighed at alpha 1)
    # Per loop, what its factors cost made for one solve of one column, and a sweep of it
    # (weighed with the rest: None where no loop's factors fill in; see `_once_swept`).
    _once_cost: FloatArray | None = None
    _sweep_cost: FloatArray | None = None

    fringe: ClassVar[None] = None  # (a pool's loops are never peeled: sweep._Large's are)
    peels: ClassVar[bool] = False

    @cached_property
    def members(self) -> IntArray:
        """The plan positions of the loops' roles, loop after loop."""
        return np.concatenate([part.members for part in self.parts])

    @cached_property
    def bounds(self) -> list[int]:
        """Where each loop's rows start in the pool's order, then where the last ends."""
        bounds: list[int] = np.cumsum([0] + [part.members.size for part in self.parts]).tolist()
        return bounds

    @cached_property
    def swept_union(self) -> SquareCsc:
        """The block-diagonal A of the swept loops (weighed first)."""
        return _union([part.matrix for part in self._picked(self._sweeps())])

    def factor(self, alpha: float) -> SweptCore | None:
        """What solves the pool at `alpha`, all made now (before a fork: one copy for two
        processes): the swept loops' sweeps (None: there are none, or they did not settle
        at `alpha`), and every other loop's own factors."""
        core = self._solver(alpha)
        for part in self._factorised(core):
            part.factor(alpha)
        return core

    def solve(self, alpha: float, rhs: FloatArray, shares: BoolArray | None = None) -> FloatArray:
        """x with (I - alpha A) x = rhs, rows in the pool's order."""
        x = np.array(rhs, dtype=np.float64, order="C")
        self.solve_at(x, np.arange(x.shape[0]), alpha, shares)
        return x

    def solve_at(
        self,
        x: FloatArray,
        rows: IntArray,
        alpha: float,
        shares: BoolArray | None = None,
        once: bool = False,
    ) -> None:
        """x[rows] solved in place (`rows`: the places in x of the pool's, in its order;
        `shares`: which columns are shares, settled by sweeps to 4 ulps of 1). `once`:
        the pool's one solve at `alpha` this sweep, after which what solved it goes,
        each loop's factors as soon as that loop is solved (one loop's at a time)."""
        core = self._solver(alpha)
        by_sweeps = self._swept_by(core)
        done = np.zeros(len(self.parts), dtype=bool)
        if once and x.shape[1] == 1:
            done = self._once_swept(x, rows, alpha, shares, by_sweeps)
        # (The loops of a pool never feed one another: solved in any order, the same bits.)
        for k in np.flatnonzero(~(done | by_sweeps)).tolist():
            at = rows[self.bounds[k] : self.bounds[k + 1]]
            self.parts[k].solve_at(x, at, alpha, shares, once)
        if core is not None:
            core.solve_rows(x, self._rows_of(rows, by_sweeps)[core.wanted_rows()], shares)
        if once:
            self.factors.pop(alpha, None)

    def _once_swept(
        self,
        x: FloatArray,
        rows: IntArray,
        alpha: float,
        shares: BoolArray | None,
        by_sweeps: BoolArray,
    ) -> BoolArray:
        """At an alpha solved once for one column (closeness' decay), the loops that keep
        their factors at alpha 1 swept instead, together, where their factors fill in:
        made for a single solve, a loop of 800 roles recharging one another costs
        thousands of its sweeps (3-5 ms), where the sweeps at a decay settle within tens.
        Their union is probed within the sweeps their factors would cost; the loops it
        solves are returned (a mask), none where it does not settle (their factors then)."""
        none = np.zeros(len(self.parts), dtype=bool)
        if self._once_cost is None or self._sweep_cost is None:
            return none
        kept = ~by_sweeps
        if not kept.any():
            return none
        limit = int(self._once_cost[kept].sum() // self._sweep_cost[kept].sum())
        if limit < FEWEST_SWEEPS:
            return none
        core = _swept(_union([part.matrix for part in self._picked(kept)]), alpha, limit)
        if core is None:  # (money that goes round too often at this alpha too)
            return none
        core.solve_rows(x, self._rows_of(rows, kept)[core.wanted_rows()], shares)
        return kept

    def _rows_of(self, rows: IntArray, mask: BoolArray) -> IntArray:
        """The places in x (`rows`, in the pool's order) of the loops in `mask`, loop
        after loop: the rows of their union."""
        bounds = self.bounds
        return np.concatenate(
            [rows[bounds[k] : bounds[k + 1]] for k in np.flatnonzero(mask).tolist()]
        )

    def work(self, alpha: float) -> int:
        """About the multiply-adds of a column's solve (made now if not yet)."""
        core = self.factor(alpha)
        work = sum(part.work(alpha) for part in self._factorised(core))
        return work if core is None else work + core.work()

    def keep_only(self, keep: set[float]) -> bool:
        """Drop what solves the alphas not in `keep`; whether anything went."""
        dropped = False
        for alpha in [a for a in self.factors if a not in keep]:
            dropped = self.factors.pop(alpha) is not None or dropped  # (None: nothing held)
        for part in self.parts:
            dropped = part.keep_only(keep) or dropped
        return dropped

    def _solver(self, alpha: float) -> SweptCore | None:
        """The swept loops' sweeps at `alpha` (made now if not yet); None where no loop is
        swept, or their probe at `alpha` does not settle (then their factors solve it)."""
        swept = self._sweeps()
        if alpha not in self.factors:
            self.factors[alpha] = self._swept_at(alpha) if swept.any() else None
        return self.factors[alpha]

    def _swept_by(self, core: SweptCore | None) -> BoolArray:
        """Per loop, whether `core` (the swept loops' sweeps, or None) solves it."""
        return self._sweeps() if core is not None else np.zeros(len(self.parts), dtype=bool)

    def _factorised(self, core: SweptCore | None) -> list[PooledLoop]:
        """The loops their own factors solve, given the swept loops' sweeps (or None)."""
        return self._picked(~self._swept_by(core))

    def _picked(self, mask: BoolArray) -> list[PooledLoop]:
        return [part for part, picked in zip(self.parts, mask.tolist(), strict=True) if picked]

    def _sweeps(self) -> BoolArray:
        if self._swept is None:
            self._swept = self._weigh()
        return self._swept

    def _weigh(self) -> BoolArray:
        """Per loop, whether Gauss-Seidel sweeps cost less than its factors' solves at
        alpha 1: the largest loop's factors are made (kept, if it is factorised) and their
        fill scaled to the others by size; where the sweeps could pay, the union is swept
        for a column of ones, and each loop that settles within the sweeps its factors
        would cost is swept (with the others that do, their union probed again)."""
        count = len(self.parts)
        none = np.zeros(count, dtype=bool)
        largest = max(self.parts, key=lambda part: part.members.size)
        fill = self.fills.fill_of(largest.matrix)
        if fill is None:
            fill = self.fills.made(largest.matrix, largest.factor(1.0).nnz)
        size = np.array([part.members.size for part in self.parts], dtype=np.float64)
        entries = np.array([_system_entries(part.matrix) for part in self.parts], dtype=np.float64)
        scaled = np.maximum(1.0, fill * size / largest.members.size)
        factors_cost = 2 * scaled * entries + (entries - size)
        sweep_cost = SWEEP_COST * (entries + SWEEP_ROLE_WORK * size)
        limits = (factors_cost // sweep_cost).astype(np.int64)
        if limits.max() < FEWEST_SWEEPS:
            return none
        # Made for one solve: their making, and that solve.
        self._once_cost = _making_work(scaled * entries, size) + factors_cost
        self._sweep_cost = sweep_cost
        # (Imported here: only a pool whose factors fill in is swept.)
        from clientchain.graph.loop_gauss_seidel import MAX_SWEEPS, gauss_seidel, probed

        limits = np.minimum(limits, MAX_SWEEPS)
        union = _union([part.matrix for part in self.parts]).identity_minus(1.0)
        sweeps, rows = gauss_seidel(union, np.arange(union.size))
        chosen: BoolArray = _settled_at(sweeps, rows, self.bounds, limits) <= limits
        if not chosen.any():
            return none
        # Swept until the slowest settles, each loop as often as that one: a cut-off
        # weighing that (sweeping fewer) was slower, 14.6-14.8 s against 13.1-13.5 at a
        # million roles in random loops, whose factors cost their making too. (The
        # probe's own rule allows for the rate: a little more room than weighed.)
        limit = min(2 * int(limits[chosen].max()), MAX_SWEEPS)
        if chosen.all():
            core = probed(sweeps, rows, SquareCsc.lu, limit)
        else:
            core = _swept(_union([part.matrix for part in self._picked(chosen)]), 1.0, limit)
        if core is None:
            return none
        if chosen[self.parts.index(largest)]:
            largest.keep_only(set())  # (its factors were only weighed)
        self.factors[1.0] = core
        return chosen

    def _swept_at(self, alpha: float) -> SweptCore | None:
        """Gauss-Seidel sweeps of the swept loops' union at `alpha`, if they settle."""
        return _swept(self.swept_union, alpha)


def _swept(union: SquareCsc, alpha: float, limit: int | None = None) -> SweptCore | None:
    """Gauss-Seidel sweeps of I - alpha `union` in its own order (each loop's roles in the
    plan's), if a probe settles within `limit` sweeps (at most, and by default, the
    probe's budget)."""
    from clientchain.graph.loop_gauss_seidel import MAX_SWEEPS, swept

    system = union.identity_minus(alpha)
    most = MAX_SWEEPS if limit is None else min(limit, MAX_SWEEPS)
    return swept(system, np.arange(system.size), SquareCsc.lu, most)


def _settled_at(sweeps: Sweeps, rows: IntArray, bounds: list[int], limits: IntArray) -> IntArray:
    """Per loop (its rows bounds[k]..bounds[k + 1] of the union), the sweep at which a
    column of ones settles there to SETTLED of each role, swept up to its limit (one more
    than its limit where it does not settle by then). The loops of the union never feed
    one another: each settles at its own pace."""
    loop = np.searchsorted(bounds, rows, side="right") - 1  # each system row's loop
    by_loop = np.argsort(loop, kind="stable")
    starts = np.searchsorted(loop[by_loop], np.arange(limits.size))
    ones = np.ones((rows.size, 1))
    x = sweeps.lower.solve(ones.copy())
    settled: IntArray = limits + 1
    open_ = np.ones(limits.size, dtype=bool)
    for sweep in range(1, int(limits.max()) + 1):
        y = ones.copy()
        sweeps.feedback.add_times(x, y)
        sweeps.lower.solve(y)
        # Relative to each role's own figure: x >= 1 (each role's money is its own at least).
        change = np.abs(y - x)[:, 0] / y[:, 0]
        x = y
        worst = np.maximum.reduceat(change[by_loop], starts)
        done = open_ & (worst <= SETTLED)
        settled[done] = sweep
        open_ &= ~done & (sweep < limits)
        if not open_.any():
            break
    return settled


def _union(matrices: Sequence[SquareCsc]) -> SquareCsc:
    """The block-diagonal matrix of `matrices`, in their order."""
    at = np.cumsum([0] + [m.size for m in matrices])
    start = np.cumsum([0] + [m.data.size for m in matrices])
    indptr = np.concatenate(
        [m.indptr[:-1] + start[k] for k, m in enumerate(matrices)] + [start[-1:]]
    )
    indices = np.concatenate([m.indices + at[k] for k, m in enumerate(matrices)])
    data = np.concatenate([m.data for m in matrices])
    return SquareCsc(int(at[-1]), indptr.astype(np.intc), indices.astype(np.intc), data)


def _making_work(entries: FloatArray | int, roles: FloatArray | int) -> FloatArray | float:
    """About the multiply-adds of making a loop's LU factors of `entries` entries (scalars
    or arrays alike): their entries squared over its roles."""
    return entries * entries / roles


def _system_entries(matrix: SquareCsc) -> int:
    """The entries of I - alpha A: A's and the diagonal."""
    return int(matrix.data.size + matrix.size)
