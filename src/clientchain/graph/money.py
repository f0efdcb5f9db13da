"""Money between nodes: flow rows summed per (payer, payee) pair, as sorted flat arrays."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from clientchain.graph.distinct import search_sorted
from clientchain.graph.sorting import run_bounds, sorted_places
from clientchain.graph.sparse_kernels import sparsetools
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray, Org, index_type


@holder
class MoneyGraph:
    """w(u->v) for every pair with money, sorted by payee then payer.

    Nodes 0..R-1 are roles, R..R+C-1 clients. `inflow` is W(v), gross, per role.
    `payer` and `payee` are int32 where the nodes fit (`index_type`: 28 MB each at a
    million roles paid by five clients each): a pair key widens first.
    """

    roles: int
    nodes: int
    payer: IntArray
    payee: IntArray
    amount: FloatArray
    inflow: FloatArray

    def role_pairs(self) -> RolePairs:
        """The pairs between roles (a client is never paid, so only these can have money
        flowing back), each with w(v->u)."""
        inner = np.flatnonzero(self.payer < self.roles).astype(index_type(self.amount.size))
        back = np.zeros(inner.size, dtype=np.float64)
        if not inner.size:
            return RolePairs(inner, back)
        payer = self.payer[inner]
        payee = self.payee[inner]
        # Pairs are sorted by payee then payer, so the pair keys (widened: they pass
        # 2**31) are sorted: each reverse pair is one binary search away. The searches go
        # in ascending order (pairs by payer, a transpose, not a sort), a slice at a time:
        # each starts near the last, in cache, about twice as fast as in pair order where
        # money crosses the company, and no key column is whole but the pairs' own.
        key = payee.astype(np.int64)
        key *= self.nodes
        key += payer
        pair, reverse_payee = _by_payer(payee, payer, self.roles)
        del payee
        for lo in range(0, pair.size, _SEARCHED_AT_ONCE):
            these = pair[lo : lo + _SEARCHED_AT_ONCE]
            wanted = payer[these].astype(np.int64)  # each the key of its pair's reverse
            wanted *= self.nodes
            wanted += reverse_payee[lo : lo + _SEARCHED_AT_ONCE]
            # A reverse key past the last pair would index out of range; clamped, the
            # match drops it.
            found = np.searchsorted(key, wanted)
            np.minimum(found, key.size - 1, out=found)
            match = key[found] == wanted
            back[these[match]] = self.amount[inner[found[match]]]
        return RolePairs(inner, back)

    def reverse_amount(self, pairs: RolePairs | None = None) -> FloatArray:
        """w(v->u) for each pair u->v (0 where no money flows back; `pairs`: this
        graph's role_pairs, if already found)."""
        result = np.zeros(self.amount.shape, dtype=np.float64)
        pairs = self.role_pairs() if pairs is None else pairs
        result[pairs.at] = pairs.back
        return result

    def at_pairs(self, payer: IntArray, payee: IntArray, column: FloatArray) -> FloatArray:
        """`column` (a value per pair) at each (payer, payee) asked for, 0 where no money
        flows: a binary search each among the pairs' keys, payee * nodes + payer in
        int64, sorted as the pairs are."""
        key = self.payee.astype(np.int64)
        key *= self.nodes
        key += self.payer
        wanted = payee.astype(np.int64) * self.nodes + payer
        result = np.zeros(wanted.size, dtype=np.float64)
        if key.size and wanted.size:
            found = np.minimum(search_sorted(key, wanted), key.size - 1)
            hit = key[found] == wanted
            result[hit] = column[found[hit]]
        return result

    @cached_property
    def paid_by_client(self) -> np.ndarray:
        """Per pair: is the payer an external client?"""
        return np.asarray(self.payer >= self.roles)

    @cached_property
    def share(self) -> FloatArray:
        """Per pair u->v: w(u->v) / W(v), the part of v's inflow that u hands over."""
        return self.amount / self.inflow[self.payee]

    @property
    def net(self) -> FloatArray:
        """Per pair u->v: w(u->v) - w(v->u); a client's payment is all net. Computed when
        asked (once per analysis): not held for the rest of the run (32 MB at a million)."""
        return self.nets(self.role_pairs())

    def nets(self, pairs: RolePairs) -> FloatArray:
        """`net`, from this graph's role_pairs already found."""
        net = np.array(self.amount)
        net[pairs.at] -= pairs.back
        return net

    @cached_property
    def client_share(self) -> FloatArray:
        """Per role: the part of its inflow paid directly by clients (0 with no inflow)."""
        paid = self.paid_by_client
        return np.bincount(self.payee[paid], weights=self.share[paid], minlength=self.roles).astype(
            np.float64
        )

    def forget_sweep_columns(self) -> None:
        """Drop the cached columns (`share`, `paid_by_client`, `client_share`: 30-40 MB at
        a million roles), so that they do not sit under a later step's peak; read again,
        they are computed again (the same bits)."""
        for name in ("share", "paid_by_client", "client_share"):
            self.__dict__.pop(name, None)


@holder
class RolePairs:
    """The pairs u->v whose payer is a role: their places among the graph's pairs, and
    w(v->u) for each (0 where no money flows back)."""

    at: IntArray
    back: FloatArray


# Reverse keys searched a slice at a time: their columns stay this long (8 MB each).
_SEARCHED_AT_ONCE = 1 << 20


def _by_payer(payee: IntArray, payer: IntArray, roles: int) -> tuple[IntArray, IntArray]:
    """(pair index, payee) of role-to-role pairs sorted by payee then payer, in order of
    payer then payee: scipy's CSR to CSC transpose, linear in the pairs (the pairs are
    CSR rows by payee, sorted within)."""
    size = payer.size
    index = index_type(max(size, roles + 1))  # int32 where they fit: half the bytes
    indptr = run_bounds(payee, roles).astype(index)
    by_payer_ptr = np.empty(roles + 1, dtype=index)
    transposed, pair = np.empty(size, dtype=index), np.empty(size, dtype=index)
    sparsetools().csr_tocsc(
        roles,
        roles,
        indptr,
        payer.astype(index, copy=False),
        np.arange(size, dtype=index),
        by_payer_ptr,
        transposed,
        pair,
    )
    return pair, transposed


def build_money_graph(org: Org) -> MoneyGraph:
    """Sum flow rows per pair. Rows are summed in a canonical order (by pair, then amount)
    so that the same rows in another order give bit-identical sums."""
    r = org.role_count
    n = r + org.client_count
    node = index_type(n)
    if not org.flow_payee.size:
        empty = np.zeros(0, dtype=node)
        return MoneyGraph(r, n, empty, empty.copy(), np.zeros(0), np.zeros(r))
    # One integer per pair, sorting by payee first (widened: the columns may be int32).
    # Each temporary goes as soon as it is used: at 7.4 million rows each is 59 MB of
    # fresh pages, and zeroing them was two thirds of this step (`model/heap.py`).
    key = org.flow_payee.astype(np.int64)
    key *= n
    key += org.flow_payer
    order, key, starts = _canonical_order(key, org.flow_amount)
    # reduceat sums every pair's rows (from its first) in one call.
    amount = np.add.reduceat(org.flow_amount[order], starts)
    del order
    pair_key = key[starts]
    del key, starts
    payee = (pair_key // n).astype(node)
    np.remainder(pair_key, n, out=pair_key)
    payer = pair_key.astype(node)
    del pair_key
    inflow = np.bincount(payee, weights=amount, minlength=r).astype(np.float64)
    return MoneyGraph(r, n, payer, payee, amount, inflow)


def _canonical_order(key: IntArray, amount: FloatArray) -> tuple[IntArray, IntArray, IntArray]:
    """Rows by pair, a pair's rows by amount (then file order): lexsort((amount, key)),
    the keys in that order, and where in it each pair's rows start.

    One stable sort by pair (the row's place packed below the pair: a sort of values,
    3x quicker than the stable argsort), then only pairs with several rows are sorted
    by amount.
    """
    count = key.size
    if count and int(key.max()) < 2**63 // count:
        order = sorted_places(key * count + np.arange(count), count)
    else:
        order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    first = np.empty(count, dtype=bool)  # a pair's first row
    first[:1] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=first[1:])
    # The rows of pairs with several: each not its pair's first, or followed by its own.
    several = ~first
    several[:-1] |= ~first[1:]
    if several.any():
        rows = order[several]  # file order within a pair, thanks to the stable sort
        order[several] = rows[np.lexsort((amount[rows], key[rows]))]
    # (Reordered within pairs only: the keys in the new order are the same.)
    return order, sorted_key, np.flatnonzero(first)
