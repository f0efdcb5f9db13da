"""Where one role's money comes from: the tree of hand-overs back to the paying clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from clientchain.analyses.defaults import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES
from clientchain.graph.money import MoneyGraph
from clientchain.model.org import Org


class Stop(StrEnum):
    """Why a branch of the tree ends where it does."""

    CLIENT = "client"  # a paying client: the money's origin
    NO_INFLOW = "no-inflow"  # a role nobody pays: this money has no paying origin
    CYCLE = "cycle"  # the role already stands higher on this branch
    DEPTH = "depth"  # cut at --max-depth
    SIZE = "size"  # cut to keep the tree readable
    NONE = ""


@dataclass
class Hop:
    """One payer of the node above it in the tree."""

    node: int  # money-graph node (role index, or R + client index)
    amount: float  # w(this -> node above)
    fraction: float  # of the node above's inflow
    share: float  # of the root's inflow that travels along this branch
    stop: Stop = Stop.NONE
    payers: list[Hop] = field(default_factory=list)


def trace_chain(
    org: Org,
    graph: MoneyGraph,
    role: int,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Hop:
    """The payers of `role`, their payers and so on, largest first; built iteratively."""
    order = np.lexsort((graph.payer, -graph.amount, graph.payee))
    payee_sorted = graph.payee[order]
    starts = np.searchsorted(payee_sorted, np.arange(graph.roles + 1))
    root = Hop(role, float(graph.inflow[role]), 1.0, 1.0)
    budget = max_nodes
    stack: list[tuple[Hop, tuple[int, ...]]] = [(root, (role,))]
    while stack:
        hop, path = stack.pop()
        if hop.node >= graph.roles:
            hop.stop = Stop.CLIENT
            continue
        lo, hi = starts[hop.node], starts[hop.node + 1]
        if lo == hi:
            hop.stop = Stop.NO_INFLOW
            continue
        if len(path) > max_depth:
            hop.stop = Stop.DEPTH
            continue
        inflow = float(graph.inflow[hop.node])
        for k in order[lo:hi].tolist():
            if budget <= 0:
                hop.stop = Stop.SIZE
                break
            budget -= 1
            payer = int(graph.payer[k])
            amount = float(graph.amount[k])
            child = Hop(payer, amount, amount / inflow, hop.share * amount / inflow)
            hop.payers.append(child)
            if payer in path:
                child.stop = Stop.CYCLE
            else:
                stack.append((child, (*path, payer)))
    return root
