"""Roles of a large loop's core that pay only one other role in it, eliminated before
the sweeps.

In a loop of internal recharges most roles are front line: they receive (a budget,
their clients, a recharge or two) and pay one role, the one they recharge. Such a role
v, a funnel, has one entry in its column of K = I - alpha A': all that leaves it goes to
its payee p. Its equation

    d_v x_v = b_v + sum over its payers u of t_vu x_u        (d_v = K[v, v], t = -K)

puts x_v in terms of its payers, and substituting it into p's equation moves those
payers to p: p's row gains t_pv t_vu / d_v from each u, and b_p gains t_pv b_v / d_v.
Funnels whose payee is a funnel go first (a forest: each points to its payee, the
roots to roles that pay several), so the loop that is left, on the other roles, gains
one entry per payer of each funnel tree, and is a fraction of the size: in the
benchmark's recharge shape 14% of the core's roles with 40% of its entries. Its sweeps
cost that much less, and take fewer rounds (what the funnels pass on arrives at once).

As in GTH elimination (loop_inverse.py) nothing is subtracted. Each step multiplies and
adds non-negative numbers, and the diagonal of what is left is its rows' room (the part
of what each role receives that leaks out of the loop, grown by what its funnels leak)
plus its off-diagonal entries, never d_p - t_pv t_vp / d_v.

A solve is the forest from the leaves up (b's funnel parts carried to the core), the
core's own solve, and the forest again with the core known (x of each funnel from its
payers). Columns go a few at a time (CELLS): the forest rows of one group are a copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.graph.loop_gauss_seidel import CoreSolver
from clientchain.graph.square_csc import SquareCsc
from clientchain.model.org import FloatArray, IntArray

# Funnels are worth a forest pass each way only if they are this share of the core.
MIN_SHARE = 0.1
# Rounds (forest levels) are free up to this many; after that a round must have been
# paid for by the funnels found so far: a chain of 100,000 funnels is not taken one role
# a round (the rest of it stays in the core).
FREE_ROUNDS = 64
ROLES_PER_ROUND = 256
CELLS = 1 << 21  # roles x columns of one group through the forest (16 MB, and its copy)


@dataclass(frozen=True, eq=False)
class Funnels:
    """The funnels of a core in elimination order, and how each passes its money on.

    Local rows: the funnels round by round, then the kept roles (core places in their
    given order). A round is a slice of funnels sorted by payee (a local row), so the
    payees that are funnels come before the kept ones."""

    order: IntArray  # local row -> core place
    bounds: list[int]  # round r: local rows bounds[r]..bounds[r + 1]
    pivot: FloatArray  # per funnel: d_v
    passes: FloatArray  # per funnel: t_pv, what its payee takes from it
    starts: list[IntArray]  # per round: where each payee's funnels start (reduceat)
    payees: list[IntArray]  # per round: those payees (local rows, ascending)
    inner: list[int]  # per round: how many of those payees are funnels
    fed: IntArray  # per entry from a kept payer into a funnel: the funnel (ascending)
    feeder: IntArray  # that payer (its index among the kept)
    feeds: FloatArray  # t_vu of that entry

    @property
    def count(self) -> int:
        return self.bounds[-1]

    @property
    def kept(self) -> IntArray:
        return self.order[self.count :]

    def up(self, x: FloatArray, into_kept: bool) -> None:
        """The forest from its leaves, in place: each funnel's x from what reached it,
        then its pass to its payee (to kept payees only if `into_kept`)."""
        for r in range(len(self.bounds) - 1):
            first, end = self.bounds[r], self.bounds[r + 1]
            x[first:end] /= self.pivot[first:end, None]
            groups = self.payees[r].size if into_kept else self.inner[r]
            if groups:
                starts = self.starts[r]
                last = end if groups == starts.size else first + int(starts[groups])
                passed = self.passes[first:last, None] * x[first:last]
                x[self.payees[r][:groups]] += np.add.reduceat(passed, starts[:groups], axis=0)

    def fed_by_kept(self, x: FloatArray) -> None:
        """Add to each funnel's row what its kept payers hand it (x of the kept known)."""
        if not self.fed.size:
            return
        gained = self.feeds[:, None] * x[self.count + self.feeder]
        runs = _group_starts(self.fed)
        x[self.fed[runs]] += np.add.reduceat(gained, runs, axis=0)


@dataclass(frozen=True, eq=False)
class FunnelledCore(CoreSolver):
    """K x = rhs with the funnels eliminated and the kept roles solved by `rest`."""

    funnels: Funnels
    rest: CoreSolver

    def solve(self, rhs: FloatArray) -> FloatArray:
        """x in place of rhs (a few columns at a time)."""
        columns = rhs.reshape(rhs.shape[0], -1)
        f = self.funnels
        count = f.count
        step = max(1, CELLS // max(1, rhs.shape[0]))
        for first in range(0, columns.shape[1], step):
            cols = slice(first, first + step)
            x = columns[f.order, cols]  # (a copy: the group in local rows)
            given = x[:count].copy()
            f.up(x, into_kept=True)  # the funnels' b carried to the kept roles
            x[count:] = self.rest.solve(x[count:])
            x[:count] = given
            f.fed_by_kept(x)
            f.up(x, into_kept=False)  # each funnel from its payers
            columns[f.order, cols] = x
        return rhs


def find_funnels(core: SquareCsc, room: FloatArray) -> tuple[Funnels, SquareCsc] | None:
    """The funnels of K = `core` (with its diagonal; `room`: its row sums, written
    without a subtraction), the system K' on the kept roles that is left once they are
    eliminated (in their given order); None when funnels are too few to pay for
    themselves (MIN_SHARE)."""
    m = core.size
    rows, cols, data = core.indices.astype(np.int64), core.entry_columns(), core.data
    off = rows != cols
    single = np.bincount(cols[off], minlength=m) == 1
    payee = np.arange(m, dtype=np.int64)  # (a kept role: itself)
    passes = np.zeros(m, dtype=np.float64)
    one = np.flatnonzero(off & single[cols])
    payee[cols[one]] = rows[one]
    passes[cols[one]] = -data[one]
    rounds = _rounds(payee, single)
    count = sum(r.size for r in rounds)
    if not count or count < MIN_SHARE * m:
        return None
    is_funnel = np.zeros(m, dtype=bool)
    for members in rounds:
        is_funnel[members] = True
    kept = np.flatnonzero(~is_funnel)
    order = np.empty(m, dtype=np.int64)
    order[count:] = kept
    local = np.empty(m, dtype=np.int64)
    local[kept] = np.arange(count, m)
    bounds = np.cumsum([0] + [r.size for r in rounds]).tolist()
    starts: list[IntArray] = [np.zeros(0, dtype=np.int64)] * len(rounds)
    payees: list[IntArray] = [np.zeros(0, dtype=np.int64)] * len(rounds)
    inner = [0] * len(rounds)
    # What a unit of b at each role becomes at the kept role its money ends at, and that
    # role: from the roots down (a funnel's payee is in a later round, or kept).
    reach = np.ones(m, dtype=np.float64)
    end = np.arange(m, dtype=np.int64)
    diagonal = np.zeros(m, dtype=np.float64)
    diagonal[rows[~off]] = data[~off]
    for r in range(len(rounds) - 1, -1, -1):
        members = rounds[r]
        # Payees are placed already: sort this round by theirs (funnels first).
        members = members[np.argsort(local[payee[members]], kind="stable")]
        at = slice(bounds[r], bounds[r + 1])
        order[at] = members
        local[members] = np.arange(bounds[r], bounds[r + 1])
        target = local[payee[members]]
        first = _group_starts(target)
        starts[r], payees[r] = first, target[first]
        inner[r] = int(np.searchsorted(payees[r], count))
        reach[members] = passes[members] / diagonal[members] * reach[payee[members]]
        end[members] = end[payee[members]]
    funnel = order[:count]
    kept_payer = off & is_funnel[rows] & ~is_funnel[cols]
    fed = local[rows[kept_payer]]
    by_fed = np.argsort(fed, kind="stable")
    funnels = Funnels(
        order,
        bounds,
        diagonal[funnel],
        passes[funnel],
        starts,
        payees,
        inner,
        fed[by_fed],
        (local[cols[kept_payer]] - count)[by_fed],
        -data[kept_payer][by_fed],
    )
    # K' on the kept roles: their own entries, and per entry from a kept payer u into a
    # funnel v, one from u into the role v's money ends at, reach_v t_vu. One that ends
    # where it started is money coming back: it is in the room, not an entry.
    kept_entry = off & ~is_funnel[rows] & ~is_funnel[cols]
    into = local[end[rows[kept_payer]]] - count
    out_of = local[cols[kept_payer]] - count
    fill = reach[rows[kept_payer]] * -data[kept_payer]
    away = into != out_of
    new_rows = np.concatenate([local[rows[kept_entry]] - count, into[away]])
    new_cols = np.concatenate([local[cols[kept_entry]] - count, out_of[away]])
    taken = np.concatenate([-data[kept_entry], fill[away]])
    size = m - count
    kept_room = room[kept] + np.bincount(
        local[end[funnel]] - count, weights=reach[funnel] * room[funnel], minlength=size
    )
    diagonal_left = kept_room + np.bincount(new_rows, weights=taken, minlength=size)
    own = np.arange(size, dtype=np.int64)
    rest = SquareCsc.from_entries(
        size,
        np.concatenate([own, new_rows]),
        np.concatenate([own, new_cols]),
        np.r_[diagonal_left, -taken],
    )
    return funnels, rest


def _rounds(payee: IntArray, single: np.ndarray) -> list[IntArray]:
    """Funnels level by level from the forest's leaves: a funnel joins a round once
    every funnel that pays it has (those on a cycle of funnels never do: they are kept)."""
    m = payee.size
    funnel = np.flatnonzero(single)
    waiting = np.bincount(payee[funnel], minlength=m)  # funnels paying each role
    ready = funnel[waiting[funnel] == 0]
    rounds: list[IntArray] = []
    found = 0
    while ready.size:
        if len(rounds) >= FREE_ROUNDS and len(rounds) * ROLES_PER_ROUND > found:
            break
        rounds.append(ready)
        found += ready.size
        touched, count = np.unique(payee[ready], return_counts=True)
        waiting[touched] -= count
        ready = touched[single[touched] & (waiting[touched] == 0)]
    return rounds


def _group_starts(sorted_keys: IntArray) -> IntArray:
    """Where each run of equal keys starts."""
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
