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
handful of roles, factorised fewest entries first (CORE_ORDER), or swept when it is
large and sweeps settle it (loop_gauss_seidel). A loop with no fringe at all (a ring,
a loop of recharges) is all core. A long chain peels one role per round; rounds stop
when they no longer pay for themselves and the rest of the chain joins the core.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.graph.loop_core import core_solver
from clientchain.graph.loop_gauss_seidel import CoreSolver
from clientchain.graph.square_csc import SquareCsc
from clientchain.model.org import FloatArray, IntArray

# Loops of more roles than this are peeled before SuperLU; smaller ones (a few hundred
# roles in a shared-service centre) are cheap for it as they are.
FRINGE_MIN_ROLES = 4096
# Rounds are free up to this many; after that a round must have been paid for by the
# roles peeled so far (one round per ROLES_PER_ROUND of them): a chain of 100,000
# levels is not peeled one role at a time.
FREE_ROUNDS = 64
ROLES_PER_ROUND = 256
PIECE = 8192  # leaves a round takes at a time (see find_fringe)
# SuperLU's column order for the core: as given, which find_fringe makes fewest
# entries first (a minimum degree order computed once, from the start). A core is most
# of an organisation whose lines carry money both ways once a shared-service centre
# that half its roles pay joins it: hubs with thousands of entries each. COLAMD, splu's
# default, orders for A^T A: 11,422 such roles took it 4.5 s and 8.2M entries of
# factors; SuperLU's own minimum degree on A + A^T, 0.05 s there but 1.9 s for 57,012
# roles (0.09 s in this order), and minutes for 566,583.
CORE_ORDER = "NATURAL"


@dataclass(frozen=True, eq=False)
class Fringe:
    """Which roles of a loop are peeled, in which rounds, into which partner, and the
    shares between each and its partner. Roles are taken in peeling order (the core
    last): a round is one slice, and its partners come later in the order."""

    order: IntArray  # place -> role of the loop (local index): the peeled, then the core
    bounds: list[int]  # round r: places bounds[r]..bounds[r + 1]; the core from bounds[-1]
    partner: IntArray  # per peeled place: its partner (a role; ascending within a round)
    takes: FloatArray  # A[leaf, partner]: the share of the leaf's inflow from its partner
    gives: FloatArray  # A[partner, leaf]

    @property
    def rounds(self) -> int:
        return len(self.bounds) - 1

    @property
    def core(self) -> IntArray:
        """The roles left (local indices), fewest entries first."""
        return self.order[self.bounds[-1] :]


def find_fringe(matrix: SquareCsc) -> Fringe:
    """The peelable fringe of a loop (A in compressed columns, canonical: A[v, u] is
    column u's row v); no rounds when no role of it has a single partner (a ring, a
    loop of recharges): the whole loop is then its core.

    A role is a leaf when one entry is left in its row and one in its column, with the
    same partner: counts and sums of the indices in each (kept as partners are peeled)
    tell both without looking at the entries again.
    """
    m = matrix.size
    rows = matrix.indices
    in_row = np.bincount(rows, minlength=m)
    # Sums of indices below 2**53: bincount's float sums are exact.
    row_sum = np.bincount(rows, weights=matrix.entry_columns(), minlength=m).astype(np.int64)
    # Every role of a loop pays someone in it: no column is empty.
    in_col = np.diff(matrix.indptr).astype(np.int64)
    col_sum = np.add.reduceat(rows, matrix.indptr[:-1], dtype=np.int64)
    alive = np.ones(m, dtype=bool)
    candidates = np.arange(m)
    leaves_of: list[IntArray] = []
    partners_of: list[IntArray] = []
    peeled = rounds = 0
    while candidates.size:
        leaf = candidates[
            (in_row[candidates] == 1)
            & (in_col[candidates] == 1)
            & (row_sum[candidates] == col_sum[candidates])
        ]
        partner = row_sum[leaf]
        # Two roles left, each the other's only partner: one stays (the core).
        keep = (in_row[partner] > 1) | (in_col[partner] > 1) | (leaf < partner)
        leaf, partner = leaf[keep], partner[keep]
        if not leaf.size or (rounds >= FREE_ROUNDS and rounds * ROLES_PER_ROUND > peeled):
            break
        rounds += 1
        by_partner = np.argsort(partner, kind="stable")
        leaf, partner = leaf[by_partner], partner[by_partner]
        first = _group_starts(partner)
        # Pieces of about PIECE leaves (whole partners each) are rounds of their own:
        # none touches another, and a sweep's temporaries stay small.
        at = np.unique(np.searchsorted(first, np.arange(PIECE, leaf.size, PIECE)))
        cuts = first[at[at < first.size]]
        leaves_of += np.split(leaf, cuts)
        partners_of += np.split(partner, cuts)
        peeled += leaf.size
        alive[leaf] = False
        touched = partner[first]
        count = np.diff(np.append(first, partner.size))
        taken = np.add.reduceat(leaf, first)
        in_row[touched] -= count
        in_col[touched] -= count
        row_sum[touched] -= taken
        col_sum[touched] -= taken
        candidates = touched
    leaf = np.concatenate([np.zeros(0, dtype=np.int64), *leaves_of])
    core = np.flatnonzero(alive)
    # The core by how many entries each role has left, fewest first: the order its
    # system is factorised in (see CORE_ORDER).
    core = core[np.argsort(in_row[core] + in_col[core], kind="stable")]
    order = np.concatenate([leaf, core])
    partner = np.concatenate([np.zeros(0, dtype=np.int64), *partners_of])
    bounds = np.cumsum([0] + [part.size for part in leaves_of]).tolist()
    # A leaf and its partner pay each other (a loop): both entries exist. Canonical
    # columns make column * m + row a sorted key of every entry.
    keys = matrix.entry_columns() * m + rows
    takes = matrix.data[np.searchsorted(keys, partner * m + leaf)]
    gives = matrix.data[np.searchsorted(keys, leaf * m + partner)]
    return Fringe(order, bounds, partner, takes, gives)


def _group_starts(sorted_keys: IntArray) -> IntArray:
    """Where each run of equal keys starts."""
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


@dataclass(frozen=True, eq=False)
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

    def solve(self, x: FloatArray) -> FloatArray:
        """x with (I - alpha A) x = rhs, in place of rhs (roles of the loop x columns; a
        view will do: a block of a million roles is never copied whole)."""
        fringe = self.fringe
        bounds, order, partner = fringe.bounds, fringe.order, fringe.partner
        for r in range(fringe.rounds):
            at = slice(bounds[r], bounds[r + 1])
            gained = self.carry[at, None] * x[order[at]]
            x[self.receivers[r]] += np.add.reduceat(gained, self.starts[r], axis=0)
        core = self.core_rows
        x[core] = self.core.solve(x[core])
        for r in range(fringe.rounds - 1, -1, -1):
            at = slice(bounds[r], bounds[r + 1])
            leaves = order[at]
            x[leaves] = (x[leaves] + self.takes[at, None] * x[partner[at]]) / self.pivot[at, None]
        return x


def peel(fringe: Fringe, matrix: SquareCsc, leak: FloatArray, alpha: float) -> PeeledLoop:
    """Eliminate the fringe of I - alpha A (A: `matrix`; `leak`: each role's share of
    inflow from outside the loop) and factorise what is left."""
    bounds, order, partner = fringe.bounds, fringe.order, fringe.partner
    # A role's room: 1 - alpha * (its row of A), the row sum of I - alpha A, written
    # without a subtraction (1 - alpha (1 - leak)); it grows as leaves fold into it.
    room: FloatArray = (1.0 - alpha) + alpha * leak
    takes = alpha * fringe.takes
    gives = alpha * fringe.gives
    peeled = bounds[-1]
    pivot = np.empty(peeled, dtype=np.float64)
    carry = np.empty(peeled, dtype=np.float64)
    starts: list[IntArray] = []
    receivers: list[IntArray] = []
    for r in range(fringe.rounds):
        at = slice(bounds[r], bounds[r + 1])
        leaves = order[at]
        pivot[at] = room[leaves] + takes[at]
        carry[at] = gives[at] / pivot[at]
        p = partner[at]
        first = _group_starts(p)
        starts.append(first)
        receivers.append(p[first])
        room[p[first]] += np.add.reduceat(carry[at] * room[leaves], first)
    core_room = room[fringe.core]
    core = _core_system(matrix, fringe, core_room, alpha)
    solver = core_solver(core, core_room, fringe.core, lambda system: system.lu(CORE_ORDER))
    rows = solver.wanted_rows()
    core_rows = fringe.core if rows is None else fringe.core[rows]
    return PeeledLoop(fringe, pivot, carry, takes, starts, receivers, solver, core_rows)


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
