"""Which paying clients each role's money comes from: exact top-K shares, in client blocks.

Shares for a block of clients are columns of one sweep; a running top-K per
role is merged after each block, so memory is roles x (K + block), never
roles x clients.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from clientchain.model import FloatArray, IntArray
from clientchain.moneygraph import MoneyGraph
from clientchain.rounding import RATIO_DECIMALS
from clientchain.sweep import SweepPlan

CELLS_PER_BLOCK = 16_000_000  # roles x block columns of float64: 128 MB at a time


@dataclass(frozen=True, eq=False)
class Provenance:
    """Per role (role order): the listed clients as CSR rows (largest share first)."""

    indptr: IntArray  # role v lists client[indptr[v]:indptr[v+1]]
    client: IntArray  # client index
    share: FloatArray


def client_blocks(graph: MoneyGraph, plan: SweepPlan) -> Iterator[tuple[int, FloatArray]]:
    """(first client, base columns in plan order) for consecutive blocks of clients."""
    r, c = graph.roles, graph.nodes - graph.roles
    paid = graph.paid_by_client
    payee_pos = plan.position[graph.payee[paid]]
    client_of = graph.payer[paid] - r
    fraction = graph.share[paid]
    block = max(1, min(c, CELLS_PER_BLOCK // max(r, 1)))
    for first in range(0, c, block):
        last = min(c, first + block)
        base = np.zeros((r, last - first), dtype=np.float64)
        mine = (client_of >= first) & (client_of < last)
        np.add.at(base, (payee_pos[mine], client_of[mine] - first), fraction[mine])
        yield first, base


class TopClients:
    """The running top-K (K = 0: every client with a share) of each role's provenance.

    Per block, a row's K-th largest rounded share is a threshold: only cells at or
    above it (ties included) become candidates, so the sort that breaks ties by
    client id only ever sees about K cells per role.
    """

    def __init__(self, roles: int, client_rank: IntArray, top: int) -> None:
        self.roles, self.rank, self.top = roles, client_rank, top
        self.role = np.zeros(0, dtype=np.int64)
        self.client = np.zeros(0, dtype=np.int64)
        self.share = np.zeros(0, dtype=np.float64)

    def add(self, first: int, shares: FloatArray) -> None:
        """Merge the shares (role order) of clients first, first + 1, ..."""
        cols = shares.shape[1]
        # A share is listed when it is > 0 at all, however small; the order (and the K-th
        # place) uses the rounded share, so equal-looking shares are ordered by client id.
        rounded = np.round(shares, RATIO_DECIMALS)
        mask = shares > 0
        if 0 < self.top < cols:
            kth = np.partition(rounded, cols - self.top, axis=1)[:, cols - self.top]
            mask &= rounded >= kth[:, None]
        role, col = np.nonzero(mask)
        self.role = np.concatenate([self.role, role])
        self.client = np.concatenate([self.client, col + first])
        self.share = np.concatenate([self.share, shares[role, col]])
        self._order(trim=self.top > 0)

    def _order(self, trim: bool) -> None:
        """Sort by role, then larger rounded share, then client id; keep K per role."""
        order = np.lexsort(
            (self.rank[self.client], -np.round(self.share, RATIO_DECIMALS), self.role)
        )
        role, client, share = self.role[order], self.client[order], self.share[order]
        if trim and role.size:
            starts = np.searchsorted(role, role)  # first index of each entry's role
            keep = np.arange(role.size) - starts < self.top
            role, client, share = role[keep], client[keep], share[keep]
        self.role, self.client, self.share = role, client, share

    def result(self) -> Provenance:
        indptr = np.searchsorted(self.role, np.arange(self.roles + 1)).astype(np.int64)
        return Provenance(indptr, self.client.astype(np.int64), self.share)
