"""Whom a role's work is for, and whether they pay for it (SPEC Additions, "Served share").

`served_share(v)`: the fraction of v's inflow that originates at the external clients v
serves, the sum of their exact provenance shares. Those shares are columns of the same
sweeps that make provenance (every client's share passes through them block by block),
so `ServedClients` picks each served (role, client) cell out of a block as it passes:
no extra sweep and no roles x clients table.

`served_roles_share(v)`: the fraction of v's inflow paid directly by the roles v
serves, `sum w(r->v) / W(v)`.

Each is NaN (null) when v serves none of its kind, both when v receives nothing.
"""

from __future__ import annotations

import numpy as np

from clientchain.graph.distinct import sorted_distinct
from clientchain.graph.money import MoneyGraph
from clientchain.model.org import FloatArray, IntArray, Links


def _distinct_pairs(serves: Links, roles: int, nodes: int) -> tuple[IntArray, IntArray]:
    """Every (role, node) it serves, once (a name written twice is served once)."""
    role, node = serves.pairs()
    keys = sorted_distinct(role * nodes + node)
    return np.divmod(keys, nodes)


class ServedClients:
    """served_share, gathered from the client share blocks of the provenance sweeps."""

    def __init__(self, serves: Links, graph: MoneyGraph, rows: IntArray) -> None:
        """`rows[v]` is role v's row in the blocks given to `add` (plan order)."""
        r = graph.roles
        role, node = _distinct_pairs(serves, r, graph.nodes)
        external = node >= r
        self.role, self.client = role[external], node[external] - r
        order = np.argsort(self.client, kind="stable")  # by client: a block is one slice
        self.role, self.client = self.role[order], self.client[order]
        self.row = rows[self.role]
        self.total = np.zeros(r, dtype=np.float64)
        self.serves_any = np.zeros(r, dtype=bool)
        self.serves_any[self.role] = True
        self.inflow = graph.inflow
        self._local: IntArray | None = None  # per row, its row in a local block (-1: none)

    @property
    def wanted(self) -> bool:
        return bool(self.role.size)

    def add(self, first: int, shares: FloatArray, slots: IntArray | None = None) -> None:
        """Clients first, first + 1, ... as columns (rows as `rows` says; `slots`: each
        row's row in those terms, when the block has only some, see TopClients.add)."""
        lo, hi = np.searchsorted(self.client, [first, first + shares.shape[1]])
        if lo == hi:
            return
        row, client, role = self.row[lo:hi], self.client[lo:hi], self.role[lo:hi]
        if slots is not None:  # a role the block does not reach has no share of it
            if self._local is None:
                self._local = np.full(self.total.size, -1, dtype=np.int64)
            local = self._local
            local[slots] = np.arange(slots.size)
            row = local[row]
            local[slots] = -1  # ready for the next block
            reached = row >= 0
            row, client, role = row[reached], client[reached], role[reached]
        cells = shares[row, client - first]
        # Negative float noise is no share (as in provenance).
        np.add.at(self.total, role, np.maximum(cells, 0.0))

    def clear(self) -> None:
        """Forget every block added so far."""
        self.total[...] = 0.0

    def result(self) -> FloatArray:
        """Per role: the served share, NaN when it serves no client or receives nothing."""
        return np.where(self.serves_any & (self.inflow > 0), self.total, np.nan)


def served_roles_share(serves: Links, graph: MoneyGraph) -> FloatArray:
    """Per role: the share of its inflow paid directly by the roles it serves (NaN when
    it serves no role or receives nothing)."""
    r = graph.roles
    role, node = _distinct_pairs(serves, r, graph.nodes)
    inner = node < r
    role, payer = role[inner], node[inner]
    # amount / inflow: graph.share's bits, without its column for every pair (cached
    # for the rest of the run: 60 MB at a million roles paid by several clients each).
    paid = graph.at_pairs(payer, role, graph.amount)
    share = np.divide(paid, graph.inflow[role], out=np.zeros_like(paid), where=paid > 0)
    total = np.bincount(role, weights=share, minlength=r).astype(np.float64)
    serves_any = np.zeros(r, dtype=bool)
    serves_any[role] = True
    return np.where(serves_any & (graph.inflow > 0), total, np.nan)
