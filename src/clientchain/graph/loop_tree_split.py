"""A large core whose reporting lines carry money both ways, swept with its tree
solved exactly inside each sweep.

Where revenue goes up and a budget down every line and every role also recharges one
role anywhere, no role has a single partner (nothing to peel) or a single payee
(nothing to funnel), and Gauss-Seidel sweeps barely move: money goes round support
teams' lines (budget down, revenue up, no client) a hundred times before it leaks, and
a sweep carries it one level a time. SuperLU's factors fill in (100,000 such roles
took 161 s and 2.2 GB). But the lines themselves form a forest, which elimination
solves exactly however much money circulates on it.

So the core's system K is split as M - N: M, the diagonal and the entries of every
pair of roles that pay each other along the forest that find_fringe peels from those
pairs; N, every other entry (the recharges). M is eliminated leaves first, as the
fringe of a loop is (GTH: each row's room is its leak plus the entries moved to N,
nothing subtracted), and the sweeps

    x <- M^-1 (b + N x)

converge from any start (the splitting is regular: M^-1 >= 0, N >= 0), at the rate at
which money crossing the recharges comes back across them: 0.19 a sweep on such an
organisation of 20,000 roles, against 0.99 for Gauss-Seidel. Each sweep is two passes
over the forest, one compiled product a round (csc_matvecs up, csr_matvecs down), and
one product with N. The sweeps' stopping rule, probe and fallback are Sweeps' own.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np

from clientchain.graph.fringe import find_fringe
from clientchain.graph.fringe_tail import TailSolve, tail_solve
from clientchain.graph.layered_product import layered_product
from clientchain.graph.loop_gauss_seidel import MAX_SWEEPS, Prober, Sweeps, SweptCore
from clientchain.graph.sorting import inverse_permutation
from clientchain.graph.sparse_kernels import sparsetools
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular import hand_on
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

# The forest must cover this share of the core's roles: with less, most of the money
# that circulates is in N, and the sweeps would not gain on Gauss-Seidel's.
MIN_SHARE = 0.5


@holder
class ForestSolve:
    """M x = b for M the diagonal and a forest, rows numbered as the forest was peeled:
    round by round (each wave's leaves by their partners' rows), then the tail (one at a
    time), then the roots."""

    bounds: list[int]  # round r: rows bounds[r]..bounds[r + 1]; then the tail, the roots
    partner: IntArray  # per peeled row: its partner's row (intc)
    carry: FloatArray  # what of a leaf's b its partner gains
    takes: FloatArray  # what a leaf takes from its partner
    pivot: FloatArray  # per row: the peeled ones', then the roots' (their room)
    tail: TailSolve | None  # rows peeled one at a time after the rounds (fringe_tail)

    def solve(self, x: FloatArray) -> FloatArray:
        """x in place of b (rows x columns, C order)."""
        tools = sparsetools()
        size, columns = x.shape
        flat = x.reshape(-1)
        rounds = len(self.bounds) - 1
        for r in range(rounds):  # each leaf's b carried to its partner
            first, end = self.bounds[r], self.bounds[r + 1]
            hand_on(x, first, end, self.partner[first:end], self.carry[first:end])
        peeled = self.partner.size  # the rounds' rows and the tail's: the roots after
        if self.tail is not None:
            self.tail.forward(x)
        x[peeled:] /= self.pivot[peeled:, None]
        if self.tail is not None:
            self.tail.backward(x)
        for r in range(rounds - 1, -1, -1):  # each leaf from its partner
            first, end = self.bounds[r], self.bounds[r + 1]
            tools.csr_matvecs(
                end - first,
                size,
                columns,
                np.arange(end - first + 1, dtype=np.intc),
                self.partner[first:end],
                self.takes[first:end],
                flat,
                x[first:end].reshape(-1),
            )
            x[first:end] /= self.pivot[first:end, None]
        return x


def tree_split(
    core: SquareCsc,
    room: FloatArray,
    factorise: Callable[[SquareCsc], Any],
    prober: Prober | None = None,
) -> SweptCore | None:
    """Sweeps of K = `core` (diagonal included; `room`: its row sums) split along the
    forest of its both-ways pairs, if that forest covers most of it and a column of ones
    settles within MAX_SWEEPS sweeps (`prober`: another probe of them, and solver)."""
    split = _split(core, room)
    if split is None:
        return None
    sweeps, order = split  # (what made them is let go before the probe's sweeps)
    if prober is not None:
        return prober(sweeps, order, factorise, room)
    probe = sweeps.foreseen(np.ones((core.size, 1)), MAX_SWEEPS)
    if probe is None:
        return None
    return SweptCore(sweeps, order, probe, factorise, along_lines=True)


def _split(core: SquareCsc, room: FloatArray) -> tuple[Sweeps, IntArray] | None:
    """The sweeps of K split along its forest, rows numbered as the forest is peeled
    (each wave's leaves by their partners' rows), and which core place each row is;
    None where the forest covers too little of K or leaves M singular."""
    m = core.size
    # Each entry's row and column as intc, as the indices are (no int64 copies of four
    # million entries held while the sweeps' matrices are made).
    rows, cols, data = core.indices, core.entry_columns(np.intc), core.data
    off = rows != cols
    pair = off & core.mirrored()
    fringe = find_fringe(SquareCsc.from_entries(m, rows[pair], cols[pair], -data[pair]))
    del pair
    peeled = fringe.peeled
    if peeled < MIN_SHARE * m:
        return None
    partner_of = np.full(m, -1, dtype=np.int64)
    partner_of[fringe.order[:peeled]] = fringe.partner
    in_forest = off & ((partner_of[rows] == cols) | (partner_of[cols] == rows))
    across = off & ~in_forest  # N
    del partner_of, in_forest, off
    # M's rows sum to K's room plus what moved to N.
    room_m = room + np.bincount(rows[across], weights=-data[across], minlength=m)
    done = fringe.eliminated(room_m, fringe.takes, fringe.gives)
    roots = done.room[fringe.core]
    if not np.all(roots > 0.0):  # (a tree that nothing leaks from but N: M singular)
        return None
    peel_rank = inverse_permutation(fringe.order)  # core place -> place in peeling order
    partner = peel_rank[fringe.partner]
    row = _partners_in_order(fringe.waves, partner, m)  # place in peeling order -> row
    rank = row[peel_rank]
    moved = row[:peeled]
    forest = ForestSolve(
        fringe.bounds,
        _moved(row[partner], moved).astype(np.intc),
        _moved(done.carry, moved),
        _moved(fringe.takes, moved),
        np.concatenate([_moved(done.pivot, moved), roots]),
        tail_solve(fringe, row, done.carry, fringe.takes, done.pivot),
    )
    del partner, moved
    # N as in peeling order, its products adding each row's terms in that order still.
    in_peeling_order = SquareCsc.from_entries(
        m, peel_rank[rows[across]], peel_rank[cols[across]], -data[across]
    )
    del across, cols
    feedback = layered_product(in_peeling_order, row)
    del in_peeling_order
    order = np.empty_like(fringe.order)
    order[row] = fringe.order
    return Sweeps(feedback, core.renumbered(rank), forest), order


def _partners_in_order(waves: list[int], partner: IntArray, size: int) -> IntArray:
    """Per place in peeling order, its row: each wave's leaves by their partners' rows
    (stable), the waves' partners placed first (from the last wave back; the tail and
    the roots keep their places). A sweep then hands each wave on to its partners, and
    takes it back from them, in the order of their rows: at a million roles the forest's
    two passes took 24-26 ms a sweep of 8 columns so, 55-57 as peeled (partners all over,
    a cache miss each). The same sums: a partner's leaves keep their order."""
    row = np.arange(size)
    for first, end in reversed(list(pairwise(waves))):
        by_partner = np.argsort(row[partner[first:end]], kind="stable")
        row[first + by_partner] = np.arange(first, end)
    return row


def _moved(values: np.ndarray, to: IntArray) -> np.ndarray:
    """`values` (per place in peeling order) at the rows `to` gives them."""
    out = np.empty_like(values)
    out[to] = values
    return out
