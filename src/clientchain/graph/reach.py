"""The roles that money paid to some roles goes on to reach, and the money graph cut down
to them.

A client's share of a role's money is zero outside the roles its payees hand money on
to, directly or not (downstream of them). With tens of thousands of clients each reaching
a few dozen roles, sweeping every role for every client is almost all zeros: the sweeps
of a block of clients can be made over the roles the block reaches instead (see
analyses/local_sweeps.py). Those roles are closed under money's direction, so every loop
among them is whole, and their graph is a money graph like any other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clientchain.graph.distinct import sorted_distinct
from clientchain.graph.money import MoneyGraph
from clientchain.graph.sparse_kernels import NULL_IDX, breadth_first
from clientchain.model.org import FloatArray, IntArray


class Downstream:
    """Breadth-first searches over the role-to-role money edges, from any set of roles at
    once: one compiled search per set, from a node of its own (the last) whose edges are
    the set, written in place for each search. Only what a search reached is cleared
    after it: a search costs what it reaches, not the org's size."""

    def __init__(self, graph: MoneyGraph) -> None:
        r = self.roles = graph.roles
        inner = graph.payer < r
        payer, payee = graph.payer[inner], graph.payee[inner]
        self._edges = int(payer.size)
        by_payer = np.argsort(payer, kind="stable")
        self._indptr = np.zeros(r + 2, dtype=np.int32)
        np.cumsum(np.bincount(payer, minlength=r), out=self._indptr[1 : r + 1])
        self._indices = payee[by_payer].astype(np.int32)
        self._order = np.empty(r + 1, dtype=np.int32)
        self._before = np.full(r + 1, NULL_IDX, dtype=np.int32)

    def reached(self, sources: IntArray) -> IntArray:
        """Every role downstream of `sources` (roles), the sources included, sorted."""
        sources = sorted_distinct(sources)
        if not sources.size:
            return sources
        e, r = self._edges, self.roles
        if self._indices.size < e + sources.size:  # room for the start's edges
            grown = max(e + sources.size, e + 2 * (self._indices.size - e))
            self._indices = np.resize(self._indices, grown)
        self._indices[e : e + sources.size] = sources
        self._indptr[r + 1] = e + sources.size
        search = breadth_first()
        if search is None:
            return self._reached_by_scipy(e + sources.size)
        count = search(r, self._indices, self._indptr, self._order, self._before)
        found = self._order[1:count]  # the start comes first
        self._before[found] = NULL_IDX
        return np.sort(found.astype(np.int64))

    def _reached_by_scipy(self, size: int) -> IntArray:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import breadth_first_order

        ones = np.ones(size, dtype=np.float64)
        r = self.roles
        matrix: Any = csr_matrix((ones, self._indices[:size], self._indptr), shape=(r + 1, r + 1))
        order = breadth_first_order(matrix, r, directed=True, return_predecessors=False)
        return np.sort(order[1:].astype(np.int64))


class GraphCut:
    """The money graph cut down to some roles downstream of some clients' payees."""

    def __init__(self, graph: MoneyGraph) -> None:
        self.graph = graph
        # Pairs are sorted by payee: each role's incoming pairs are one slice.
        self._bounds = np.searchsorted(graph.payee, np.arange(graph.roles + 1))
        self._local = np.full(graph.roles, -1, dtype=np.int64)

    def incoming(self, roles: IntArray) -> tuple[IntArray, IntArray]:
        """Each role's incoming pairs (their places in the graph's pairs), roles in turn,
        each role's in the graph's order; and per pair, its payee's place in `roles`."""
        start, stop = self._bounds[roles], self._bounds[roles + 1]
        count = stop - start
        total = int(count.sum())
        # The concatenated ranges start..stop.
        offset = np.zeros(roles.size, dtype=np.int64)
        np.cumsum(count[:-1], out=offset[1:])
        pair = np.repeat(start - offset, count) + np.arange(total)
        payee = np.repeat(np.arange(roles.size), count)
        return pair, payee

    def places(self, roles: IntArray, nodes: IntArray) -> IntArray:
        """Per node (a role or a client), its place in `roles` (distinct), else -1."""
        g = self.graph
        self._local[roles] = np.arange(roles.size)
        local = np.where(nodes < g.roles, self._local[np.minimum(nodes, g.roles - 1)], -1)
        self._local[roles] = -1  # ready for the next cut
        return local

    def cut(self, roles: IntArray, first: int, last: int) -> tuple[MoneyGraph, FloatArray]:
        """The money graph of `roles` (sorted, closed under money's direction) and clients
        first..last-1, each numbered in its order, with the share of each role's inflow
        from every payer left out (another role or client): the loops' leaks count it.

        Every share is the one the whole graph has (the same amount over the same inflow).
        """
        g, n = self.graph, int(roles.size)
        pair, payee = self.incoming(roles)
        payer = g.payer[pair]
        local = self.places(roles, payer)
        client = payer - g.roles
        mine = (client >= first) & (client < last)
        local[mine] = n + (client[mine] - first)
        kept = local >= 0
        left = ~kept
        left_out = np.bincount(
            payee[left], weights=g.amount[pair[left]] / g.inflow[roles[payee[left]]], minlength=n
        ).astype(np.float64)
        cut = MoneyGraph(
            roles=n,
            nodes=n + (last - first),
            payer=local[kept],
            payee=payee[kept],
            amount=g.amount[pair[kept]],
            inflow=g.inflow[roles],
        )
        return cut, left_out
