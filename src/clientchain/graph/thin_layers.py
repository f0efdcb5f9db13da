"""Runs of thin layers swept in plain Python floats: a chain of 100,000 levels.

A layer with a few edges and no money loop costs the sweep a dozen numpy calls
for a handful of multiply-adds; along a deep chain that is most of the analysis.
A run of such layers is instead carried out on Python floats, which are the same
IEEE doubles: each step is the very operation numpy did, in the same order for
each value (`x[dst] += (weight * scale) * x[src]`, then the chained column), so
every bit comes out the same. The run goes one column at a time: a loop over
plain lists of floats, no list made per edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.graph.distinct import sorted_distinct
from clientchain.model.org import FloatArray, IntArray

MIN_RUN = 16  # fewer consecutive thin layers stay with numpy (setup would not pay)
MAX_COLUMNS = 24  # wider sweeps stay with numpy: per column, Python is the slower


@dataclass(frozen=True, eq=False)
class ThinRun:
    """Layers first..stop-1: each with its few edges and no money loop to solve."""

    first: int
    stop: int
    rows: IntArray  # plan positions it reads or writes: its own nodes, then earlier sources
    src: list[int]  # per edge, in sweep order: its source's place in rows
    dst: list[int]  # its target's place in rows
    weight: list[float]
    edge_bounds: list[int]  # per layer of the run: first edge (one more at the end)
    node_bounds: list[int]  # per layer: first node's place in rows (one more at the end)

    def apply(self, x: FloatArray, scale: FloatArray, chained: tuple[int, int] | None) -> None:
        """The run's layers on x (plan order, roles x columns), in place.

        Column by column: a node's value is final once its own layer's edges are in (its
        in-edges all lie in that layer), so each column but the chained one is one pass
        over the run's edges, and the chained one follows with the given column's final
        values. Every value sees the same operations in the same order as layer by layer.
        """
        columns: list[list[float]] = x[self.rows].T.tolist()
        factors: list[float] = scale.tolist()
        edges = list(zip(self.dst, self.src, self.weight, strict=True))
        into = -1 if chained is None else chained[1]
        for c, (values, factor) in enumerate(zip(columns, factors, strict=True)):
            if c == into:
                continue
            for d, s, w in edges:
                values[d] += (w * factor) * values[s]
        if chained is not None:
            self._chained(columns[into], columns[chained[0]], factors[into], edges)
        x[self.rows] = np.array(columns).T

    def _chained(
        self,
        values: list[float],
        given: list[float],
        factor: float,
        edges: list[tuple[int, int, float]],
    ) -> None:
        """The chained column: layer by layer, its edges, then the given column added to
        each of the layer's nodes."""
        bounds, nodes = self.edge_bounds, self.node_bounds
        for k in range(self.stop - self.first):
            for d, s, w in edges[bounds[k] : bounds[k + 1]]:
                values[d] += (w * factor) * values[s]
            for n in range(nodes[k], nodes[k + 1]):
                values[n] += given[n]


def thin_runs(
    layer_edges: list[int],
    layer_nodes: list[int],
    simple: list[bool],
    edge_src: IntArray,
    edge_dst: IntArray,
    edge_weight: FloatArray,
) -> dict[int, ThinRun]:
    """The runs of at least MIN_RUN consecutive simple layers, by their first layer."""
    runs: dict[int, ThinRun] = {}
    layers = len(simple)
    layer = 0
    while layer < layers:
        if not simple[layer]:
            layer += 1
            continue
        stop = layer
        while stop < layers and simple[stop]:
            stop += 1
        if stop - layer >= MIN_RUN:
            runs[layer] = _run(
                layer, stop, layer_edges, layer_nodes, edge_src, edge_dst, edge_weight
            )
        layer = stop
    return runs


def _run(
    first: int,
    stop: int,
    layer_edges: list[int],
    layer_nodes: list[int],
    edge_src: IntArray,
    edge_dst: IntArray,
    edge_weight: FloatArray,
) -> ThinRun:
    e0, e1 = layer_edges[first], layer_edges[stop]
    n0, n1 = layer_nodes[first], layer_nodes[stop]
    src, dst = edge_src[e0:e1], edge_dst[e0:e1]
    # The run's own nodes come first, in plan order, so the chained column's slice of
    # each layer is a range of places; the sources from earlier layers follow.
    # np.setdiff1d's result, without its import of numpy.ma (~8 ms at start-up).
    distinct = sorted_distinct(src)
    outside = distinct[(distinct < n0) | (distinct >= n1)]
    rows = np.concatenate([np.arange(n0, n1, dtype=np.int64), outside.astype(np.int64)])
    # A node's place in rows: after n0 for the run's own, after the run's for the others.
    inside = (src >= n0) & (src < n1)
    src_place = np.where(inside, src - n0, (n1 - n0) + np.searchsorted(outside, src))
    return ThinRun(
        first,
        stop,
        rows,
        src_place.tolist(),
        (dst - n0).tolist(),  # targets are the run's own nodes
        edge_weight[e0:e1].tolist(),
        [b - e0 for b in layer_edges[first : stop + 1]],
        [b - n0 for b in layer_nodes[first : stop + 1]],
    )
