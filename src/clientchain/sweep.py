"""Least solutions of x = base + alpha * A x over the money graph, exactly and in near-linear time.

A[v, u] = w(u->v) / W(v) for roles u, v: the share of v's inflow handed over by u.
Money cycles make this a linear system, not a recursion. We condense the graph
into strongly connected components, layer the components by longest path
from the sources, and sweep the layers in order: each layer is one vectorised
gather-and-sum over the edges coming into it, then one batched dense solve per
component size (components are small: budget-down/revenue-up loops). Inverses
of each component's matrix are computed once per alpha and reused for every
right-hand side (all clients' provenance columns, traced share, distance).

A component that no outside money reaches (a closed loop) has the least
solution 0; it is left out of the solves, which is also what keeps every
remaining matrix I - A_CC nonsingular.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from clientchain.model import FloatArray, IntArray
from clientchain.moneygraph import MoneyGraph


@dataclass(frozen=True, eq=False)
class _Blocks:
    """All multi-role components of one size s: members (k, s) as plan positions, A (k, s, s)."""

    members: IntArray
    matrix: FloatArray
    inverses: dict[float, FloatArray] = field(default_factory=dict)

    def inverse(self, alpha: float) -> FloatArray:
        if alpha not in self.inverses:
            size = self.matrix.shape[1]
            self.inverses[alpha] = np.linalg.inv(np.eye(size) - alpha * self.matrix)
        return self.inverses[alpha]


@dataclass(frozen=True, eq=False)
class SweepPlan:
    """Everything about the money graph's structure that every sweep reuses."""

    order: IntArray  # plan position -> role index; roles grouped by layer
    position: IntArray  # role index -> plan position
    layers: int
    edge_src: IntArray  # cross-component edges, sorted by target: source plan position
    edge_weight: FloatArray  # A[v, u] of that edge
    edge_bounds: IntArray  # per layer: first edge
    group_start: IntArray  # per target with incoming edges: first edge (for reduceat)
    group_target: IntArray  # that target's plan position
    group_bounds: IntArray  # per layer: first target group
    blocks: list[_Blocks]
    tasks: list[list[tuple[int, int, int]]]  # per layer: (block index, first, last) components

    def solve(self, alpha: float, base: FloatArray) -> FloatArray:
        """Least x (plan order, shape of base) with x = base + alpha * A x."""
        x = np.array(base, dtype=np.float64, copy=True)
        column = x.ndim == 1
        if column:
            x = x[:, None]
        src, weight, starts = self.edge_src, self.edge_weight, self.group_start
        for layer in range(self.layers):
            g0, g1 = self.group_bounds[layer], self.group_bounds[layer + 1]
            if g1 > g0:
                e0, e1 = self.edge_bounds[layer], self.edge_bounds[layer + 1]
                gathered = weight[e0:e1, None] * x[src[e0:e1]]
                summed = np.add.reduceat(gathered, starts[g0:g1] - e0, axis=0)
                x[self.group_target[g0:g1]] += alpha * summed
            for block_no, first, last in self.tasks[layer]:
                block = self.blocks[block_no]
                members = block.members[first:last]
                x[members] = block.inverse(alpha)[first:last] @ x[members]
        return x[:, 0] if column else x

    def to_plan(self, values: FloatArray) -> FloatArray:
        """Rows in role order -> rows in plan order."""
        return values[self.order]

    def from_plan(self, values: FloatArray) -> FloatArray:
        """Rows in plan order -> rows in role order."""
        return values[self.position]


def _layers(labels: IntArray, count: int, src: IntArray, dst: IntArray) -> IntArray:
    """Longest-path layer of each component in the condensation DAG (Kahn, one layer per pass)."""
    layer = np.zeros(count, dtype=np.int64)
    indegree = np.bincount(dst, minlength=count)
    by_src = np.argsort(src, kind="stable")
    out_dst = dst[by_src]
    out_ptr = np.searchsorted(src[by_src], np.arange(count + 1))
    frontier = np.flatnonzero(indegree == 0)
    depth = 0
    while frontier.size:
        layer[frontier] = depth
        lo, hi = out_ptr[frontier], out_ptr[frontier + 1]
        lengths = hi - lo
        total = int(lengths.sum())
        if total == 0:
            break
        offsets = np.repeat(lo - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        targets, hits = np.unique(out_dst[offsets], return_counts=True)
        indegree[targets] -= hits
        frontier = targets[indegree[targets] == 0]
        depth += 1
    return layer


def plan_sweeps(graph: MoneyGraph) -> SweepPlan:
    """Condense, layer and index the role-to-role money graph once."""
    r = graph.roles
    inner = graph.payer < r
    u, v = graph.payer[inner], graph.payee[inner]
    weight = graph.amount[inner] / graph.inflow[v]
    adjacency = csr_matrix((np.ones(u.size), (u, v)), shape=(r, r))
    count, labels = connected_components(adjacency, directed=True, connection="strong")
    labels = labels.astype(np.int64)
    cross = labels[u] != labels[v]
    comp_layer = _layers(labels, count, labels[u[cross]], labels[v[cross]])
    comp_size = np.bincount(labels, minlength=count)
    # A component is fed from outside when a client pays one of its roles or an edge enters it.
    fed = np.zeros(count, dtype=bool)
    fed[labels[graph.payee[~inner]]] = True
    fed[labels[v[cross]]] = True

    role_layer = comp_layer[labels]
    order = np.lexsort((labels, role_layer))  # by layer, each component contiguous
    position = np.empty(r, dtype=np.int64)
    position[order] = np.arange(r)
    layers = int(role_layer.max(initial=-1)) + 1

    # Cross edges sorted by target plan position, grouped per target for reduceat.
    cu, cv, cw = position[u[cross]], position[v[cross]], weight[cross]
    by_target = np.lexsort((cu, cv))
    cu, cv, cw = cu[by_target], cv[by_target], cw[by_target]
    edge_layer = role_layer[order][cv]
    edge_bounds = np.searchsorted(edge_layer, np.arange(layers + 1))
    group_start = np.flatnonzero(np.r_[True, cv[1:] != cv[:-1]]) if cv.size else cv
    group_target = cv[group_start]
    group_bounds = np.searchsorted(edge_layer[group_start], np.arange(layers + 1))

    blocks, tasks = _component_blocks(
        labels, comp_size, comp_layer, fed, position, u[~cross], v[~cross], weight[~cross], layers
    )
    return SweepPlan(
        order,
        position,
        layers,
        cu,
        cw,
        edge_bounds,
        group_start,
        group_target,
        group_bounds,
        blocks,
        tasks,
    )


def _component_blocks(
    labels: IntArray,
    comp_size: IntArray,
    comp_layer: IntArray,
    fed: np.ndarray,
    position: IntArray,
    iu: IntArray,
    iv: IntArray,
    iw: FloatArray,
    layers: int,
) -> tuple[list[_Blocks], list[list[tuple[int, int, int]]]]:
    """Dense matrices of the fed multi-role components, batched by size and layer."""
    tasks: list[list[tuple[int, int, int]]] = [[] for _ in range(layers)]
    blocks: list[_Blocks] = []
    wanted = np.flatnonzero((comp_size > 1) & fed)
    if wanted.size == 0:
        return blocks, tasks
    # Members of every component, in plan order (contiguous per component).
    roles_in = np.argsort(position, kind="stable")
    roles_in = roles_in[np.isin(labels[roles_in], wanted)]
    member_label = labels[roles_in]
    first = np.flatnonzero(np.r_[True, member_label[1:] != member_label[:-1]])
    local = np.arange(roles_in.size) - np.repeat(first, np.diff(np.r_[first, roles_in.size]))
    local_of = np.full(labels.size, -1, dtype=np.int64)
    local_of[roles_in] = local
    for size in np.unique(comp_size[wanted]):
        comps = wanted[comp_size[wanted] == size]
        comps = comps[np.argsort(comp_layer[comps], kind="stable")]
        rank = np.full(labels.max() + 1, -1, dtype=np.int64)
        rank[comps] = np.arange(comps.size)
        members = np.empty((comps.size, size), dtype=np.int64)
        mine = rank[member_label] >= 0
        members[rank[member_label[mine]], local[mine]] = position[roles_in[mine]]
        matrix = np.zeros((comps.size, size, size), dtype=np.float64)
        edge_rank = rank[labels[iv]]
        keep = edge_rank >= 0
        np.add.at(matrix, (edge_rank[keep], local_of[iv[keep]], local_of[iu[keep]]), iw[keep])
        block_no = len(blocks)
        blocks.append(_Blocks(members, matrix))
        bounds = np.searchsorted(comp_layer[comps], np.arange(layers + 1))
        for layer in np.flatnonzero(np.diff(bounds)):
            tasks[layer].append((block_no, int(bounds[layer]), int(bounds[layer + 1])))
    return blocks, tasks
