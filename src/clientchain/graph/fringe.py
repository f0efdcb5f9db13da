"""Which roles of a very large money loop are its tree-like fringe: roles whose only
partner in the loop is one other role (they pay each other, nobody else there), then
the roles that become such once those are gone, round by round.

loop_fringe eliminates them before SuperLU or the sweeps; loop_tree_split solves such
a forest exactly inside each sweep, where the rest of a loop's money goes across it.

A round is a dozen numpy calls whatever its size, and a line paying both ways down a
chain of 100,000 levels peels two roles a round from its ends. Once rounds stop paying
for themselves (`paid_for`), the roles left to peel are taken one at a time in plain
Python instead, each as soon as it has one partner left (the tail): a microsecond a
role, and the tail's eliminations are then one triangular solve each way (fringe_tail).
"""

from __future__ import annotations

import numpy as np

from clientchain.graph.distinct import search_sorted, sorted_distinct
from clientchain.graph.square_csc import SquareCsc
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

# Rounds are free up to this many; after that a round must have been paid for by the
# roles peeled so far (one round per ROLES_PER_ROUND of them): a chain of 100,000
# levels is not peeled a round for each role (what rounds leave goes to the tail).
FREE_ROUNDS = 64
ROLES_PER_ROUND = 256


def paid_for(rounds: int, taken: int) -> bool:
    """Whether one more round is worth its cost after `rounds` rounds took `taken`
    roles (the same rule for the fringe's leaves and a core's funnels)."""
    return rounds < FREE_ROUNDS or rounds * ROLES_PER_ROUND <= taken


PIECE = 8192  # leaves a round takes at a time (see find_fringe)
TAIL_SLICE = 1 << 16  # tail roles eliminated at a time as Python lists


@holder
class Fringe:
    """Which roles of a loop are peeled, in which rounds, into which partner, and the
    shares between each and its partner. Roles are taken in peeling order (the core
    last): a round is one slice, and its partners come later in the order."""

    order: IntArray  # place -> role of the loop (local index): the peeled, then the core
    bounds: list[int]  # round r: places bounds[r]..bounds[r + 1]; then the tail
    # Wave w: places waves[w]..waves[w + 1], the leaves found at once (whole rounds:
    # a wave is cut into rounds of about PIECE); their partners lie in later waves, in
    # the tail or in the core.
    waves: list[int]
    partner: IntArray  # per peeled place: its partner (a role; ascending within a round)
    takes: FloatArray  # A[leaf, partner]: the share of the leaf's inflow from its partner
    gives: FloatArray  # A[partner, leaf]

    @property
    def rounds(self) -> int:
        return len(self.bounds) - 1

    @property
    def peeled(self) -> int:
        """How many roles are peeled: the rounds', then the tail's."""
        return int(self.partner.size)

    @property
    def tail(self) -> slice:
        """The places peeled one at a time, after the rounds (each one's partner comes
        later in the order)."""
        return slice(self.bounds[-1], self.peeled)

    @property
    def tail_size(self) -> int:
        """How many roles the tail peeled."""
        return self.peeled - self.bounds[-1]

    @property
    def core(self) -> IntArray:
        """The roles left (local indices), fewest entries first."""
        return self.order[self.peeled :]

    def eliminated(self, room: FloatArray, takes: FloatArray, gives: FloatArray) -> Elimination:
        """The fringe eliminated from a system whose rows sum to `room` (written without a
        subtraction) and whose entries between each leaf and its partner are -takes
        (in the leaf's row) and -gives (in the partner's): GTH, no pivot a subtraction."""
        bounds, order, partner = self.bounds, self.order, self.partner
        room = room.copy()
        peeled = self.peeled
        pivot = np.empty(peeled, dtype=np.float64)
        carry = np.empty(peeled, dtype=np.float64)
        starts: list[IntArray] = []
        receivers: list[IntArray] = []
        for r in range(self.rounds):
            at = slice(bounds[r], bounds[r + 1])
            leaves = order[at]
            pivot[at] = room[leaves] + takes[at]
            carry[at] = gives[at] / pivot[at]
            p = partner[at]
            first = group_starts(p)
            starts.append(first)
            receivers.append(p[first])
            room[p[first]] += np.add.reduceat(carry[at] * room[leaves], first)
        tail = self.tail
        if self.tail_size:  # one leaf at a time: the same operations, in floats
            room = _eliminated_in_turn(
                room, order[tail], partner[tail], takes[tail], gives[tail], pivot[tail], carry[tail]
            )
        return Elimination(pivot, carry, starts, receivers, room)


def _eliminated_in_turn(
    room: FloatArray,
    leaves: IntArray,
    partners: IntArray,
    takes: FloatArray,
    gives: FloatArray,
    pivot: FloatArray,
    carry: FloatArray,
) -> FloatArray:
    """The tail eliminated leaf after leaf, as a round of one leaf would (its pivot and
    carry written into the views `pivot`, `carry`): the room with them folded in. The
    leaves go a slice at a time as lists (all of a million-role line's at once held
    230 MB of Python floats and ints)."""
    rooms = room.tolist()
    for first in range(0, leaves.size, TAIL_SLICE):
        at = slice(first, first + TAIL_SLICE)
        pivots, carries = [], []
        for v, p, t, g in zip(
            leaves[at].tolist(),
            partners[at].tolist(),
            takes[at].tolist(),
            gives[at].tolist(),
            strict=True,
        ):
            d = rooms[v] + t
            c = g / d
            rooms[p] += c * rooms[v]
            pivots.append(d)
            carries.append(c)
        pivot[at] = pivots
        carry[at] = carries
    return np.array(rooms, dtype=np.float64)


@holder
class Elimination:
    """A fringe eliminated: per peeled place its pivot d_v = room_v + takes_v and what
    of b_v its partner gains (gives_v / d_v), per round where each partner's leaves
    start and those partners, and every role's room once its leaves are folded in."""

    pivot: FloatArray
    carry: FloatArray
    starts: list[IntArray]
    receivers: list[IntArray]
    room: FloatArray


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
    in_col = np.diff(matrix.indptr).astype(np.int64)
    columns = matrix.entry_columns(np.intc)
    # Sums of indices below 2**53: bincount's float sums are exact.
    row_sum = np.bincount(rows, weights=columns, minlength=m).astype(np.int64)
    # (By bincount, not reduceat over indptr: a matrix of some of a loop's entries, as
    # loop_tree_split gives, may have empty columns.)
    col_sum = np.bincount(columns, weights=rows, minlength=m).astype(np.int64)
    del columns
    alive = np.ones(m, dtype=bool)
    candidates = np.arange(m)
    leaves_of: list[IntArray] = []
    partners_of: list[IntArray] = []
    peeled = rounds = 0
    wave_starts: list[int] = []  # per wave, its first round
    tail: tuple[list[int], list[int]] = ([], [])
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
        if not leaf.size:
            break
        if not paid_for(rounds, peeled):  # a chain: the rest one role at a time
            tail = _peel_in_turn(candidates, alive, in_row, in_col, row_sum, col_sum)
            break
        rounds += 1
        by_partner = np.argsort(partner, kind="stable")
        leaf, partner = leaf[by_partner], partner[by_partner]
        first = group_starts(partner)
        # Pieces of about PIECE leaves (whole partners each) are rounds of their own:
        # none touches another, and a sweep's temporaries stay small.
        at = sorted_distinct(np.searchsorted(first, np.arange(PIECE, leaf.size, PIECE)))
        cuts = first[at[at < first.size]]
        count = np.diff(np.append(first, partner.size))
        if count.max() > PIECE:  # a partner of more (a boss of 100,000 reports): its own
            # leaves in pieces too, which add into it in turn, as later rounds would
            inside = [
                np.arange(s + PIECE, s + c, PIECE)
                for s, c in zip(
                    first[count > PIECE].tolist(), count[count > PIECE].tolist(), strict=True
                )
            ]
            cuts = sorted_distinct(np.concatenate([cuts, *inside]))
        wave_starts.append(len(leaves_of))
        leaves_of += np.split(leaf, cuts)
        partners_of += np.split(partner, cuts)
        peeled += leaf.size
        alive[leaf] = False
        touched = partner[first]
        taken = np.add.reduceat(leaf, first)
        in_row[touched] -= count
        in_col[touched] -= count
        row_sum[touched] -= taken
        col_sum[touched] -= taken
        candidates = touched
    leaves_of.append(np.array(tail[0], dtype=np.int64))
    partners_of.append(np.array(tail[1], dtype=np.int64))
    leaf = np.concatenate(leaves_of)
    core = np.flatnonzero(alive)
    # The core by how many entries each role has left, fewest first: the order its
    # system is factorised in (see CORE_ORDER).
    core = core[np.argsort(in_row[core] + in_col[core], kind="stable")]
    order = np.concatenate([leaf, core])
    partner = np.concatenate(partners_of)
    bounds = np.cumsum([0] + [part.size for part in leaves_of[:-1]]).tolist()
    waves = [bounds[r] for r in wave_starts] + [bounds[-1]]
    # A leaf and its partner pay each other (a loop): both entries exist.
    keys = matrix.entry_keys()
    takes = matrix.data[search_sorted(keys, partner * m + leaf)]
    gives = matrix.data[search_sorted(keys, leaf * m + partner)]
    return Fringe(order, bounds, waves, partner, takes, gives)


def _peel_in_turn(
    candidates: IntArray,
    alive: np.ndarray,
    in_row: IntArray,
    in_col: IntArray,
    row_sum: IntArray,
    col_sum: IntArray,
) -> tuple[list[int], list[int]]:
    """The rest of the fringe peeled one role at a time from `candidates`, each as soon
    as it has one partner left (by the same counts and sums as the rounds, updated in
    place): the tail's leaves and their partners, in peeling order."""
    rows, cols, rsum, csum = (a.tolist() for a in (in_row, in_col, row_sum, col_sum))
    living = alive.tolist()
    leaves: list[int] = []
    partners: list[int] = []
    for start in candidates.tolist():
        v = start
        # Peel v, then its partner if that is a leaf now, and so on up a chain.
        while living[v] and rows[v] == 1 and cols[v] == 1 and rsum[v] == csum[v]:
            p = rsum[v]
            if p == v:  # its one entry is its own (a role paying itself): it stays
                break
            if rows[p] == 1 and cols[p] == 1 and p < v:  # two left: the lower one goes
                v = p
                continue
            leaves.append(v)
            partners.append(p)
            living[v] = False
            rows[p] -= 1
            cols[p] -= 1
            rsum[p] -= v
            csum[p] -= v
            v = p
    if leaves:
        done = np.array(leaves, dtype=np.int64)
        alive[done] = False
        touched = sorted_distinct(np.array(partners, dtype=np.int64))
        for array, values in ((in_row, rows), (in_col, cols), (row_sum, rsum), (col_sum, csum)):
            array[touched] = np.array(values, dtype=np.int64)[touched]
    return leaves, partners


def group_starts(sorted_keys: IntArray) -> IntArray:
    """Where each run of equal keys starts."""
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
