"""Client sweeps over only the roles a block of clients reaches, for organisations with
many clients.

A dense block of clients costs every role once per client: at 100k roles and 50k clients
(customers as clients, each paying a role or two) that is 5e9 cells, nearly all zeros,
and minutes at a million roles. A client's share is zero outside the roles downstream of
its payees (graph/reach.py), so a block of clients is swept over the money graph cut down
to the roles it reaches, with a sweep plan of their own: the same equations, the same
shares, the loops whole. Where no loop is among those roles, the whole graph's plan
already orders them: the block is swept over its layers, with no cut and no plan of its
own (graph/acyclic_shares.py). Each block is as wide as makes its cost per client least (a
cost model in cells: the cut and plan per role reached, the cells swept), never above
CELLS_PER_BLOCK cells; clients whose block would cost nearly what a dense sweep does (a
client paying the top of a budget-funded body reaches all of it) are left to the dense
sweep. Blocks are found in turn, each width judged by the block before, and each is
solved on its own: where the client sweeps have a child (client_sweeps.py), it solves
every other block while the parent solves the one before, and the parent merges both
(a million roles and 100,000 customers: the local sweeps took 11.3 s, 8.1 s so).

The figures are as exact as the dense sweep's; their last bits may differ from it (the
sums are grouped by a smaller plan's layers), so the dense sweep stays the route for
every organisation whose clients take a few dense blocks.
"""

from __future__ import annotations

import math

import numpy as np

from clientchain.analyses.provenance import CELLS_PER_BLOCK, ClientBlocks
from clientchain.graph.acyclic_shares import AcyclicShares
from clientchain.graph.money import MoneyGraph
from clientchain.graph.reach import Downstream, GraphCut
from clientchain.graph.sweep import SweepPlan, plan_sweeps
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

LOCAL_MIN_BLOCKS = 8  # more dense blocks of clients than this: the local sweeps are tried
# A local block's cost in cells of a sweep (about 3 ns each here): a fixed part, a part per
# role reached (its cut and plan: loops factorised again), and its cells. A dense block
# costs every role per client.
BLOCK_COST = 300_000
ROLE_COST = 200
DENSER = 0.8  # local blocks are swept when they cost less than this much of dense ones
MIN_WIDTH = 32  # clients in a block at least
MAX_WIDTH = 1 << 14  # and at most


@holder
class LocalBlock:
    """Clients first..last-1 and the roles they reach (role order, sorted), or, when
    `reached` is None, a dense block's worth of clients for the caller to sweep."""

    first: int
    last: int
    reached: IntArray | None

    @property
    def cells(self) -> int:
        """Roles reached x clients: the block's shares (0 for a dense one)."""
        return 0 if self.reached is None else self.reached.size * (self.last - self.first)


class LocalSweeps:
    """Blocks of clients swept over the roles they reach: found in turn (`next_block`),
    each solved on its own (`solve`), by whichever process."""

    def __init__(self, graph: MoneyGraph, plan: SweepPlan, blocks: ClientBlocks) -> None:
        self.plan, self.blocks = plan, blocks
        self.downstream = Downstream(graph)
        self.cut = GraphCut(graph)
        self.acyclic = AcyclicShares(graph, plan, self.cut)
        self.width = max(MIN_WIDTH, blocks.width)  # clients of the next block

    def next_block(self, first: int) -> LocalBlock:
        """The block of clients from `first` on, as wide as the last one judged best; a
        dense block's worth (reached None) when even MIN_WIDTH would cost nearly what a
        dense sweep does (a client that pays the top of a budget-funded org reaches all
        of it). Blocks are taken in turn: each sets the width of the next, so where they
        are swept (this process or the child) does not change which they are."""
        roles, clients = self.blocks.roles, self.blocks.clients
        width = self.width
        while True:
            last = min(first + width, clients)
            width = last - first
            reached = self._reached(first, last)
            cost = (BLOCK_COST + ROLE_COST * reached.size) / width + reached.size
            if cost <= DENSER * roles and reached.size * width <= CELLS_PER_BLOCK:
                break
            if width <= MIN_WIDTH:  # a dense block's worth (never wider: see BlockMerger)
                return LocalBlock(first, min(clients, first + self.blocks.width), None)
            width = max(MIN_WIDTH, width // 4)  # fewer clients, fewer roles: try again
        self.width = self._next_width(first, width, reached.size)
        return LocalBlock(first, last, reached)

    def solve(
        self, block: LocalBlock, out: FloatArray | None = None
    ) -> tuple[FloatArray, IntArray]:
        """The block's shares (its roles reached x its clients, into `out` when given:
        that many float64) and each of their rows' row in the top-K."""
        reached = block.reached
        assert reached is not None  # (a local block)
        acyclic = self.acyclic.solve(reached, block.first, block.last, out)
        if acyclic is not None:  # no loop among its roles: the whole plan's layers do
            return acyclic
        graph, left_out = self.cut.cut(reached, block.first, block.last)
        plan = plan_sweeps(graph, left_out)
        width = block.last - block.first
        base = ClientBlocks(graph, plan).base(0, width, out=out)
        solved = plan.solve(base, [1.0] * width, in_place=True, shares=True)
        return solved, self.plan.position[reached[plan.order]]

    def solve_at(self, first: int, last: int, out: FloatArray, rows: IntArray) -> None:
        """Clients first..last-1, a block `next_block` gave, solved into `out` (their
        shares) and `rows` (each row's row in the top-K), both as long as the block
        needs: what the child does for the parent, which found the block."""
        block = LocalBlock(first, last, self._reached(first, last))
        if block.cells != out.size or rows.size != out.shape[0]:
            raise ValueError("the block reaches other roles than its finder's")
        solved, rows[:] = self.solve(block, out)
        if not np.shares_memory(solved, out):  # (plan.solve in place: never)
            out[...] = solved

    def _next_width(self, first: int, width: int, reached: int) -> int:
        """The width that makes a block's cost per client least, judged by this block:
        its roles reached are a part all its clients share and a part per client, told
        apart by the reach of its first half; the cost per client is then
        (BLOCK_COST + ROLE_COST * shared) / width + shared + each * width."""
        half = self._reached(first, first + (width + 1) // 2).size if width > 1 else 0
        each = max((reached - half) / max(width // 2, 1), 1.0)
        shared = max(reached - each * width, 0.0)
        best = math.sqrt((BLOCK_COST + ROLE_COST * shared) / each)
        fits = CELLS_PER_BLOCK // max(reached, 1)
        return int(max(MIN_WIDTH, min(MAX_WIDTH, fits, best)))

    def _reached(self, first: int, last: int) -> IntArray:
        return self.downstream.reached(self.plan.order[self.blocks.payees(first, last)])
