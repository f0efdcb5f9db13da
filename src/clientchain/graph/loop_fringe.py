"""The tree-like fringe of a very large money loop, eliminated without cancellation.

Where every reporting line carries money both ways (revenue up, budget down), the
whole organisation is one loop: SuperLU of a million roles, then a refinement in
extended precision, for each of a hundred right-hand sides, is tens of seconds and
gigabytes. Most of such a loop is a fringe: a role whose only partner inside the
loop is one other role (they pay each other, nobody else in the loop). Its equation

    x_v = b_v + A[v, p] x_p + A[v, v] x_v     (A: the loop's shares, alpha applied;
                                               A[v, v]: what its own peeled roles hand back)

puts x_v in terms of its partner, x_v = (b_v + A[v, p] x_p) / d_v, and substituting
it into the partner's equation leaves a loop one role smaller: b_p gains
A[p, v] b_v / d_v. As in GTH elimination (loop_inverse.py) no pivot is a subtraction:
d_v is v's leak plus A[v, p], and the partner's leak grows by A[p, v] leak_v / d_v
(the part of what it handed to v that does not come back). Every update adds
non-negative terms, so the eliminated part is accurate entry by entry however much
money circulates.

Leaves go in rounds (the leaves of a round never touch each other), then the roles
that became leaves, and so on: an organisation of depth 12 is 12 rounds. What is left
(the core, at least one role) is an ordinary sparse system for SuperLU, most often a
handful of roles, factorised fewest entries first (CORE_ORDER), or, when it is large,
solved as loop_core chooses (funnels, sweeps, a split along its lines). A loop with
no fringe at all (a ring, a loop of recharges) is all core. A long chain peels one
role per round from each end; rounds stop when they no longer pay for themselves and
the rest of the chain is peeled one role at a time, its steps then two triangular
solves (the tail: fringe_tail.py), between the rounds' steps and the core's solve.
"""

from __future__ import annotations

import numpy as np

from clientchain.graph.fringe import Fringe
from clientchain.graph.fringe_tail import WORK_PER_ROLE, TailSolve, tail_solve
from clientchain.graph.loop_core import core_solver
from clientchain.graph.loop_gauss_seidel import CoreSolver
from clientchain.graph.loop_inverse import room_at
from clientchain.graph.square_csc import SquareCsc
from clientchain.model.holder import holder
from clientchain.model.org import BoolArray, FloatArray, IntArray

# SuperLU's column order for the core: as given, which find_fringe makes fewest
# entries first (a minimum degree order computed once, from the start). A core is most
# of an organisation whose lines carry money both ways once a shared-service centre
# that half its roles pay joins it: hubs with thousands of entries each. COLAMD, splu's
# default, orders for A^T A: 11,422 such roles took it 4.5 s and 8.2M entries of
# factors; SuperLU's own minimum degree on A + A^T, 0.05 s there but 1.9 s for 57,012
# roles (0.09 s in this order), and minutes for 566,583.
CORE_ORDER = "NATURAL"


@holder
class PeeledLoop:
    """A large loop's system I - alpha A with its fringe eliminated: the pivots and
    multipliers of the fringe (per place of Fringe.order), and how the core's own system
    is solved (SuperLU's factors, or sweeps: loop_gauss_seidel)."""

    fringe: Fringe
    pivot: FloatArray  # per peeled place: d_v = room_v + alpha A[v, p]
    carry: FloatArray  # alpha A[p, v] / d_v: what of b_v its partner gains
    takes: FloatArray  # alpha A[v, p]
    starts: list[IntArray]  # per round: where each partner's leaves start (reduceat)
    receivers: list[IntArray]  # per round: those partners
    core: CoreSolver  # for I - alpha A' on the core (diagonal written from the leaks)
    core_rows: IntArray  # the core's roles in the order its solver takes them
    tail: TailSolve | None  # the roles peeled one at a time (fringe_tail), if any

    def work(self) -> int:
        """About how many multiply-adds `solve` takes per column."""
        fringe = self.fringe
        in_rounds = 2 * int(fringe.bounds[-1])
        return in_rounds + WORK_PER_ROLE * fringe.tail_size + self.core.work()

    def solve(self, x: FloatArray, shares: BoolArray | None = None) -> FloatArray:
        """x with (I - alpha A) x = rhs, in place of rhs (roles of the loop x columns; a
        view will do: a block of a million roles is never copied whole). `shares`: which
        columns are shares, which the core's sweeps settle to 4 ulps of 1 (settling.py)."""
        fringe = self.fringe
        bounds, order, partner = fringe.bounds, fringe.order, fringe.partner
        for r in range(fringe.rounds):
            at = slice(bounds[r], bounds[r + 1])
            gained = self.carry[at, None] * x[order[at]]
            x[self.receivers[r]] += np.add.reduceat(gained, self.starts[r], axis=0)
        if self.tail is not None:
            self.tail.forward(x)
        self.core.solve_rows(x, self.core_rows, shares)
        if self.tail is not None:
            self.tail.backward(x)
        for r in range(fringe.rounds - 1, -1, -1):
            at = slice(bounds[r], bounds[r + 1])
            leaves = order[at]
            x[leaves] = (x[leaves] + self.takes[at, None] * x[partner[at]]) / self.pivot[at, None]
        return x


def peel(
    fringe: Fringe, matrix: SquareCsc, leak: FloatArray, alpha: float, lines_first: bool = False
) -> PeeledLoop:
    """Eliminate the fringe of I - alpha A (A: `matrix`; `leak`: each role's share of
    inflow from outside the loop) and factorise what is left (`lines_first`: see
    core_solver)."""
    # A role's room: the row sum of I - alpha A (room_at); it grows as leaves fold into it.
    takes = alpha * fringe.takes
    done = fringe.eliminated(room_at(leak, alpha), takes, alpha * fringe.gives)
    room = done.room
    core_room = room[fringe.core]
    core = _core_system(matrix, fringe, core_room, alpha)
    solver = core_solver(
        core, core_room, fringe.core, lambda system: system.lu(CORE_ORDER), lines_first
    )
    rows = solver.wanted_rows()
    core_rows = fringe.core if rows is None else fringe.core[rows]
    steps = tail_solve(fringe, fringe.order, done.carry, takes, done.pivot)
    return PeeledLoop(
        fringe, done.pivot, done.carry, takes, done.starts, done.receivers, solver, core_rows, steps
    )


def _core_system(matrix: SquareCsc, fringe: Fringe, room: FloatArray, alpha: float) -> SquareCsc:
    """I - alpha A' on the core (in Fringe.core's order): A's entries between core roles,
    and a diagonal that is each one's room (its leak, grown by what its peeled roles
    leak) plus what it takes from the rest of the core: 1 - alpha A'[i, i] without a
    subtraction."""
    core = fringe.core
    size = core.size
    local = np.full(matrix.size, -1, dtype=np.int64)
    local[core] = np.arange(size)
    rows, cols = local[matrix.indices], local[matrix.entry_columns()]
    inside = (rows >= 0) & (cols >= 0)
    rows, cols = rows[inside], cols[inside]
    taken = alpha * matrix.data[inside]
    diagonal = room + np.bincount(rows, weights=taken, minlength=size)
    at = np.arange(size, dtype=np.int64)
    return SquareCsc.from_entries(
        size, np.concatenate([at, rows]), np.concatenate([at, cols]), np.r_[diagonal, -taken]
    )
