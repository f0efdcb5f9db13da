"""Which paying clients each role's money comes from: exact top-K shares, in client blocks.

Shares for a block of clients are one multi-column sweep; a running top-K per
role is merged after each block, so memory is roles x (K + block), never
roles x clients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.model import FloatArray, IntArray
from clientchain.moneygraph import MoneyGraph
from clientchain.rounding import RATIO_DECIMALS
from clientchain.sweep import SweepPlan

_CELLS_PER_BLOCK = 8_000_000  # roles x block columns of float64: 64 MB at a time
_SCALE = 10.0**RATIO_DECIMALS


@dataclass(frozen=True, eq=False)
class Provenance:
    """Per role (role order): listed clients as CSR rows, plus the traced share."""

    indptr: IntArray  # role v lists client[indptr[v]:indptr[v+1]]
    client: IntArray  # client index
    share: FloatArray
    traced: FloatArray  # traced_share per role


def _rank_key(share: FloatArray, rank: IntArray, clients: int) -> IntArray:
    """Sort key: larger rounded share first, then client id, as one int64 per cell.

    A rounded share is at most 10**12 < 2**40, so this is exact up to 2**22 clients.
    """
    units = np.round(share * _SCALE).astype(np.int64)
    key: IntArray = -(units * (clients + 1) + (clients - rank))
    return key


def trace_provenance(
    graph: MoneyGraph, plan: SweepPlan, client_rank: IntArray, top: int
) -> Provenance:
    """Shares of every client in every role's inflow; top `top` per role (0 = all > 0)."""
    r, c = graph.roles, graph.nodes - graph.roles
    paid = graph.payer >= r
    payee_pos = plan.position[graph.payee[paid]]
    client_of = graph.payer[paid] - r
    fraction = graph.amount[paid] / graph.inflow[graph.payee[paid]]
    block = max(1, min(c, _CELLS_PER_BLOCK // max(r, 1)))
    traced = np.zeros(r, dtype=np.float64)
    keep = max(top, 0)
    best_share = np.zeros((r, keep), dtype=np.float64)
    best_client = np.full((r, keep), -1, dtype=np.int64)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    for first in range(0, c, block):
        last = min(c, first + block)
        base = np.zeros((r, last - first), dtype=np.float64)
        mine = (client_of >= first) & (client_of < last)
        np.add.at(base, (payee_pos[mine], client_of[mine] - first), fraction[mine])
        shares = plan.from_plan(np.maximum(plan.solve(1.0, base), 0.0))
        traced += shares.sum(axis=1)
        ids = np.arange(first, last, dtype=np.int64)
        if top == 0:
            role, col = np.nonzero(np.round(shares, RATIO_DECIMALS) > 0)
            rows.append(role)
            cols.append(ids[col])
            vals.append(shares[role, col])
            continue
        all_share = np.concatenate([best_share, shares], axis=1)
        all_client = np.concatenate([best_client, np.broadcast_to(ids, shares.shape)], axis=1)
        rank = np.where(all_client >= 0, client_rank[np.maximum(all_client, 0)], -1)
        key = _rank_key(all_share, rank, c)
        width = min(keep, key.shape[1])
        pick = (
            np.argpartition(key, width - 1, axis=1)[:, :width]
            if width < key.shape[1]
            else np.broadcast_to(np.arange(key.shape[1]), key.shape)
        )
        pick = np.take_along_axis(pick, np.argsort(np.take_along_axis(key, pick, 1), 1), 1)
        best_share = np.take_along_axis(all_share, pick, 1)
        best_client = np.take_along_axis(all_client, pick, 1)
    if top == 0:
        role = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        client = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        share = np.concatenate(vals) if vals else np.zeros(0, np.float64)
        order = np.lexsort(
            (client_rank[client] if client.size else client, -np.round(share, RATIO_DECIMALS), role)
        )
        role, client, share = role[order], client[order], share[order]
    else:
        listed = (best_client >= 0) & (np.round(best_share, RATIO_DECIMALS) > 0)
        role = np.nonzero(listed)[0]
        client, share = best_client[listed], best_share[listed]
    indptr = np.searchsorted(role, np.arange(r + 1)).astype(np.int64)
    return Provenance(indptr, client.astype(np.int64), share, traced)
