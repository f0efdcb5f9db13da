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
payers). The forest goes a few columns at a time (CELLS: the rows of one group are a
copy), the kept roles every column at once.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from clientchain.graph.fringe import paid_for
from clientchain.graph.loop_gauss_seidel import (
    CoreSolver,
    GroupedCore,
    column_group,
    group_width,
    put_column_group,
)
from clientchain.graph.sorting import grouped_order, inverse_permutation
from clientchain.graph.sparse_kernels import sparsetools
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular import hand_on
from clientchain.model.holder import holder
from clientchain.model.org import BoolArray, FloatArray, IntArray

# Funnels are worth a forest pass each way only if they are this share of the core.
MIN_SHARE = 0.1
# Roles x columns of one group through the forest (a 32 MB copy). Each group is gathered
# from the block's rows twice and put back once, and a row's cells share cache lines: at
# a million roles recharging one another, groups of 4 columns took 11.0-11.4 s of CPU,
# groups of 2 11.9-12.3 s (tree peak 923-942 MB against 890-923).
CELLS = 1 << 22


@holder
class Funnels:
    """The funnels of a core in elimination order, and how each passes its money on.

    Local rows: the funnels round by round, then the kept roles (core places in their
    given order). A round is a slice of funnels sorted by payee (a local row), so the
    payees that are funnels come before the kept ones."""

    order: IntArray  # local row -> core place
    bounds: list[int]  # round r: local rows bounds[r]..bounds[r + 1]
    kept_from: list[int]  # per round: its first funnel whose payee is kept
    pivot: FloatArray  # per funnel: d_v
    payee: IntArray  # per funnel: its payee's local row (intc, as sparsetools takes it)
    passes: FloatArray  # per funnel: t_pv, what its payee takes from it
    # The entries from kept payers into funnels (t_vu), compressed by funnel: rows of
    # funnels, columns of kept roles (their index among the kept).
    fed_indptr: IntArray
    fed_by: IntArray
    feeds: FloatArray

    @property
    def count(self) -> int:
        return self.bounds[-1]

    @property
    def kept(self) -> IntArray:
        return self.order[self.count :]

    def kept_as(self, rows: IntArray) -> Funnels:
        """The same funnels with the kept roles in the order `rows` (new -> old index
        among the kept), as the solver of what is left takes them."""
        count = self.count
        moved = inverse_permutation(rows)
        payee = self.payee.astype(np.int64)
        to_kept = payee >= count
        payee[to_kept] = count + moved[payee[to_kept] - count]
        return dataclasses.replace(
            self,
            order=np.concatenate([self.order[:count], self.kept[rows]]),
            payee=payee.astype(np.intc),
            fed_by=moved[self.fed_by].astype(np.intc),
        )

    def up(self, x: FloatArray, into_kept: bool) -> None:
        """The forest from its leaves, in place (x: local rows x columns, C order): each
        funnel's x from what reached it, then its pass to its payee (to kept payees
        only if `into_kept`), one compiled product a round (hand_on)."""
        for r in range(len(self.bounds) - 1):
            first, end = self.bounds[r], self.bounds[r + 1]
            x[first:end] /= self.pivot[first:end, None]
            last = end if into_kept else self.kept_from[r]
            if last > first:
                hand_on(x, first, last, self.payee[first:last], self.passes[first:last])

    def fed_by_kept(self, x: FloatArray) -> None:
        """Add to each funnel's row what its kept payers hand it (x of the kept known)."""
        count = self.count
        sparsetools().csr_matvecs(
            count,
            x.shape[0] - count,
            x.shape[1],
            self.fed_indptr,
            self.fed_by,
            self.feeds,
            x[count:].reshape(-1),
            x[:count].reshape(-1),
        )


@holder
class FunnelledCore(GroupedCore):
    """K x = rhs with the funnels eliminated and the kept roles solved by `rest` (which
    takes them in the order they have here: Funnels.kept_as). Rows come and go in local
    order."""

    funnels: Funnels
    rest: CoreSolver

    def wanted_rows(self) -> IntArray:
        return self.funnels.order

    def work(self) -> int:
        f = self.funnels  # the forest up twice, the kept payers' entries once
        return 2 * f.count + f.feeds.size + self.rest.work()

    def _solve(self, x: FloatArray, rows: IntArray | None, shares: BoolArray | None) -> None:
        """x's rows (`rows`, else all of them) solved in place. The forest passes go a few
        columns at a time (a copy of each group); the kept roles, a fraction of the rows,
        are solved for every column at once (their sweeps read the system once a sweep
        for all the columns)."""
        f = self.funnels
        count = f.count
        size = x.shape[0] if rows is None else rows.size
        step = group_width(x.shape[1], size, CELLS, 1)
        groups = [slice(first, first + step) for first in range(0, x.shape[1], step)]
        kept = np.empty((size - count, x.shape[1]))
        for cols in groups:  # the funnels' b carried to the kept roles
            group = column_group(x, rows, cols)
            f.up(group, into_kept=True)
            kept[:, cols] = group[count:]
        kept = self.rest.solve(kept, shares)  # (the kept roles' own x: shares still)
        for cols in groups:  # each funnel from its payers (x still holds its b)
            group = column_group(x, rows, cols)
            group[count:] = kept[:, cols]
            f.fed_by_kept(group)
            f.up(group, into_kept=False)
            put_column_group(x, rows, cols, group)


def find_funnels(
    core: SquareCsc, room: FloatArray, position: IntArray
) -> tuple[Funnels, SquareCsc, FloatArray] | None:
    """The funnels of K = `core` (with its diagonal; `room`: its row sums, written
    without a subtraction), the system K' on the kept roles that is left once they
    are eliminated, in the loop's order (`position`: each core role's place in the
    loop), and its row sums; None when funnels are too few to pay for themselves
    (MIN_SHARE)."""
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
    kept = kept[np.argsort(position[kept], kind="stable")]
    order = np.empty(m, dtype=np.int64)
    order[count:] = kept
    local = np.empty(m, dtype=np.int64)
    local[kept] = np.arange(count, m)
    bounds = np.cumsum([0] + [r.size for r in rounds]).tolist()
    kept_from = [0] * len(rounds)
    # What a unit of b at each role becomes at the kept role its money ends at, and that
    # role: from the roots down (a funnel's payee is in a later round, or kept).
    reach = np.ones(m, dtype=np.float64)
    end = np.arange(m, dtype=np.int64)
    diagonal = core.diagonal()
    for r in range(len(rounds) - 1, -1, -1):
        members = rounds[r]
        # Payees are placed already: sort this round by theirs (funnels first).
        members = members[_stable_order(local[payee[members]], m)]
        order[bounds[r] : bounds[r + 1]] = members
        local[members] = np.arange(bounds[r], bounds[r + 1])
        kept_from[r] = bounds[r] + int(np.searchsorted(local[payee[members]], count))
        reach[members] = passes[members] / diagonal[members] * reach[payee[members]]
        end[members] = end[payee[members]]
    funnel = order[:count]
    kept_payer = off & is_funnel[rows] & ~is_funnel[cols]
    by_fed, fed_indptr = grouped_order(local[rows[kept_payer]], count)
    funnels = Funnels(
        order,
        bounds,
        kept_from,
        diagonal[funnel],
        local[payee[funnel]].astype(np.intc),
        passes[funnel],
        fed_indptr.astype(np.intc),
        (local[cols[kept_payer]] - count)[by_fed].astype(np.intc),
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
    return funnels, rest, kept_room


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
        if not paid_for(len(rounds), found):  # (a long chain: the rest stays in the core)
            break
        rounds.append(ready)
        found += ready.size
        touched, count = np.unique(payee[ready], return_counts=True)
        waiting[touched] -= count
        ready = touched[single[touched] & (waiting[touched] == 0)]
    return rounds


def _stable_order(keys: IntArray, bound: int) -> IntArray:
    """np.argsort(keys, kind="stable") for keys in [0, bound): by a counting pass where
    the keys are many (a round of most of a million funnels), else by the sort."""
    if keys.size * 16 < bound:
        order: IntArray = np.argsort(keys, kind="stable")
        return order
    return grouped_order(keys, bound)[0]
