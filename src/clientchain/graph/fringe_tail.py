"""The tail of a loop's fringe, solved by SuperLU's substitution one way and the other.

The tail (fringe.py) is what is peeled one role at a time once rounds stop paying: a
chain paying both ways down 100,000 levels. Round by round, a sweep would hand each
leaf's value on to its partner with a dozen numpy calls a role; in the tail's order the
same steps are two triangular solves over its rows and the partners it hands on to:

    forward:  x[partner] += carry * x[leaf], leaf after leaf (L: unit lower triangle,
              -carry at (partner, leaf));
    backward: x[leaf] = (x[leaf] + takes * x[partner]) / pivot, from the last leaf
              back (U: the pivots on its diagonal, -takes at (leaf, partner)).

Each adds non-negative terms only, as the rounds do (GTH: no pivot a subtraction).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from clientchain.graph.distinct import sorted_distinct
from clientchain.graph.fringe import Fringe
from clientchain.graph.sorting import inverse_permutation
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular import substitute
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

GROUP = 4  # columns gathered at a time (8 at a million roles: 156 MB more at the peak)
# What a tail role costs a column, in multiply-adds (the unit of the client sweeps'
# estimates, see client_sweeps.FORK_WORK): its rows gathered and scattered and
# SuperLU's substitution, both ways: a tail of 100,000 roles took 4.5 ms a column.
WORK_PER_ROLE = 40


@holder
class TailSolve:
    """The tail's steps on x (rows x columns, in place); `rows` are x's rows: the tail's
    leaves in peeling order, then the partners after it that they hand on to."""

    rows: IntArray
    leaves: int  # how many of `rows` are the tail's
    hand_on: SquareCsc  # ones on the diagonal, -carry at (partner, leaf)
    pivots: SquareCsc  # the leaves' pivots on the diagonal, ones for the partners after
    take: SquareCsc  # -takes at (leaf, partner)

    def forward(self, x: FloatArray) -> None:
        """Each leaf's value handed on to its partner, leaf after leaf."""
        rows = self._rows
        for cols in _groups(x):
            x[rows, cols] = substitute(self.hand_on, None, x[rows, cols])

    def backward(self, x: FloatArray) -> None:
        """Each leaf from its partner (whose value is final), from the last leaf back."""
        rows, leaves = self._rows, self._leaves
        for cols in _groups(x):
            x[leaves, cols] = substitute(self.pivots, self.take, x[rows, cols])[: self.leaves]

    @cached_property
    def _rows(self) -> IntArray | slice:
        """`rows`, as a slice where they are a run (a chain's tail, peeled in the plan's
        order, usually is): a slice of x's rows is copied 5x faster than gathered."""
        return _as_slice(self.rows)

    @cached_property
    def _leaves(self) -> IntArray | slice:
        return _as_slice(self.rows[: self.leaves])


def _as_slice(rows: IntArray) -> IntArray | slice:
    """`rows`, or the slice of the same rows where they are consecutive."""
    if rows.size and int(rows[-1]) - int(rows[0]) == rows.size - 1 and np.all(np.diff(rows) == 1):
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


def _groups(x: FloatArray) -> list[slice]:
    """x's columns a few at a time: the gathered rows stay small (a block of 100 columns
    of a chain of 100,000 roles is 80 MB)."""
    columns = x.shape[1]
    return [slice(first, first + GROUP) for first in range(0, columns, GROUP)]


def tail_solve(
    fringe: Fringe, row_of_place: IntArray, carry: FloatArray, takes: FloatArray, pivot: FloatArray
) -> TailSolve | None:
    """The steps of the fringe's tail (None: it has none) on the rows `row_of_place`
    gives places; `carry`, `takes`, `pivot`: per peeled place."""
    if not fringe.tail_size:
        return None
    tail = fringe.tail
    first, stop = tail.start, tail.stop
    partner_place = inverse_permutation(fringe.order)[fringe.partner[tail]]
    carry, takes, pivot = carry[tail], takes[tail], pivot[tail]
    leaves = stop - first
    beyond = partner_place >= stop  # partners after the tail (the core's)
    after = sorted_distinct(partner_place[beyond])
    local = partner_place - first
    local[beyond] = leaves + np.searchsorted(after, partner_place[beyond])
    size = leaves + after.size
    at = np.arange(leaves, dtype=np.int64)
    everyone = np.arange(size, dtype=np.int64)
    ones = np.ones(size, dtype=np.float64)
    hand_on = SquareCsc.from_entries(
        size, np.r_[everyone, local], np.r_[everyone, at], np.r_[ones, -carry]
    )
    pivots = SquareCsc.from_entries(size, everyone, everyone, np.r_[pivot, ones[leaves:]])
    take = SquareCsc.from_entries(size, at, local, -takes)
    rows = row_of_place[np.r_[np.arange(first, stop), after]]
    return TailSolve(rows, leaves, hand_on, pivots, take)
