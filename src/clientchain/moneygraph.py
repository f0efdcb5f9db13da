"""Money between nodes: flow rows summed per (payer, payee) pair, as sorted flat arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.model import FloatArray, IntArray, Org


@dataclass(frozen=True, eq=False)
class MoneyGraph:
    """w(u->v) for every pair with money, sorted by payee then payer.

    Nodes 0..R-1 are roles, R..R+C-1 clients. `inflow` is W(v), gross, per role.
    """

    roles: int
    nodes: int
    payer: IntArray
    payee: IntArray
    amount: FloatArray
    inflow: FloatArray

    def reverse_amount(self) -> FloatArray:
        """w(v->u) for each pair u->v (0 where no money flows back)."""
        key = self.payee * self.nodes + self.payer
        back = self.payer * self.nodes + self.payee
        found = np.searchsorted(key, back)
        found = np.minimum(found, key.size - 1) if key.size else found
        hit = key.size > 0
        result = np.zeros(self.amount.shape, dtype=np.float64)
        if hit:
            match = key[found] == back
            result[match] = self.amount[found[match]]
        return result


def build_money_graph(org: Org) -> MoneyGraph:
    """Sum flow rows per pair. Rows are summed in a canonical order (by pair, then amount)
    so that the same rows in another order give bit-identical sums."""
    r = org.role_count
    n = r + org.client_count
    key = org.flow_payee * n + org.flow_payer
    order = np.lexsort((org.flow_amount, key))
    key_sorted = key[order]
    starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]]) if key.size else key
    amount = (
        np.add.reduceat(org.flow_amount[order], starts) if key.size else np.zeros(0, np.float64)
    )
    pair_key = key_sorted[starts] if key.size else key
    payee, payer = np.divmod(pair_key, n)
    inflow = np.bincount(payee, weights=amount, minlength=r).astype(np.float64)
    return MoneyGraph(r, n, payer.astype(np.int64), payee.astype(np.int64), amount, inflow)
