"""Runs of thin layers swept in plain Python floats: a chain of 100,000 levels.

A layer with a few edges and no money loop costs the sweep a dozen numpy calls
for a handful of multiply-adds; along a deep chain that is most of the analysis.
A run of such layers is instead carried out on Python floats, which are the same
IEEE doubles: each step is the very operation numpy did, in the same order
(`x[dst] += (weight * scale) * x[src]`, then the chained column), so every bit
comes out the same.
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
        """The run's layers on x (plan order, roles x columns), in place."""
        values: list[list[float]] = x[self.rows].tolist()
        factors: list[float] = scale.tolist()
        src, dst, weight = self.src, self.dst, self.weight
        edges, nodes = self.edge_bounds, self.node_bounds
        for k in range(self.stop - self.first):
            for e in range(edges[k], edges[k + 1]):
                w, source = weight[e], values[src[e]]
                target = values[dst[e]]
                values[dst[e]] = [
                    t + (w * f) * s for t, f, s in zip(target, factors, source, strict=True)
                ]
            if chained is not None:
                given, into = chained
                for n in range(nodes[k], nodes[k + 1]):
                    row = values[n]
                    row[into] += row[given]
        x[self.rows] = values


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
    place = {int(p): i for i, p in enumerate(rows.tolist())}
    return ThinRun(
        first,
        stop,
        rows,
        [place[p] for p in src.tolist()],
        [place[p] for p in dst.tolist()],
        edge_weight[e0:e1].tolist(),
        [b - e0 for b in layer_edges[first : stop + 1]],
        [b - n0 for b in layer_nodes[first : stop + 1]],
    )
