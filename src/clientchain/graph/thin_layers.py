"""Runs of thin layers swept row by row: a chain of 100,000 levels, a deep narrow tree.

A layer with a few edges and no money loop costs the sweep a dozen numpy calls
for a handful of multiply-adds; along a deep chain that is most of the analysis.
A run of such layers is a unit lower-triangular system (its sources first, then its
own nodes in plan order), and SuperLU's substitution (`gstrs`) solves it in about
13-17 ns a row and a column. Its terms are those numpy adds edge by edge in a thin
layer, in the same order: a target's edges are sorted by source, which is the order
substitution takes them in, and x - x_s * -(w * scale) is x + (w * scale) * x_s to
the bit; so every bit comes out the same. (A layer of more than THIN edges was
gathered before, its terms summed in reduceat's order and scaled after: in a run
now, its figures may move in the last bit.) A short run goes in plain Python floats
(the same IEEE doubles, the same operations), one column at a time; so does the
chained column, whose given column is added after each layer's edges, not before.
"""

from __future__ import annotations

from dataclasses import field

import numpy as np

from clientchain.graph.column_runs import alpha_runs
from clientchain.graph.distinct import sorted_distinct
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular import SUBSTITUTED_COLUMNS, substitute
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

THIN = 8  # a layer of this few edges is summed edge by edge, not gathered
MIN_RUN = 16  # fewer consecutive thin layers stay with numpy (setup would not pay)
MAX_COLUMNS = 24  # wider sweeps stay with numpy where a run goes in Python (slower per column)
# Substitution takes runs of layers of up to this many edges (20 chains side by side):
# numpy spends ~10 us a layer, substitution ~13 ns a row and a column; what a layer
# this wide may cost it with a hundred columns, a deep run saves many times over.
RUN_EDGES = 32
# Runs of this many edges and layers go to substitution (a call costs about what Python
# spends on a few hundred edges of one column, and loading SuperLU ~20 ms, what numpy
# spends on a few hundred layers over a run's sweeps: the 38 bottom layers of the
# benchmark's budget shape at 100,000 roles ran 0.04 s slower so); shorter runs of thin
# layers go in Python.
SUBSTITUTED_EDGES = 512
SUBSTITUTED_LAYERS = 256


@holder
class ThinRun:
    """Layers first..stop-1: each with its few edges and no money loop to solve."""

    first: int
    stop: int
    rows: IntArray  # plan positions it reads or writes: its own nodes, then earlier sources
    src: IntArray  # per edge, in sweep order (by target, then source): its source's place in rows
    dst: IntArray  # its target's place in rows
    weight: FloatArray
    edge_bounds: list[int]  # per layer of the run: first edge (one more at the end)
    node_bounds: list[int]  # per layer: first node's place in rows (one more at the end)
    substituted: bool  # solved by SuperLU's substitution (else in Python floats)
    # alpha -> the run's triangle (see `triangle`), made when first used
    triangles: dict[float, SquareCsc] = field(default_factory=dict, repr=False)

    def takes(self, columns: int) -> bool:
        """Whether the run is cheaper than numpy's layers for a sweep of `columns` (a
        substituted run always is, and its wider layers have no gather to fall back on)."""
        return self.substituted or columns <= MAX_COLUMNS

    def apply(self, x: FloatArray, scale: FloatArray, chained: tuple[int, int] | None) -> None:
        """The run's layers on x (plan order, roles x columns), in place."""
        if not self.substituted:
            self._in_python(x, scale, chained)
            return
        into = -1 if chained is None else chained[1]
        factors: list[float] = scale.tolist()
        for alpha, columns in alpha_runs(factors, skip=into):  # the chained one: below
            for first in range(columns.start, columns.stop, SUBSTITUTED_COLUMNS):
                self._substitute(x, first, min(first + SUBSTITUTED_COLUMNS, columns.stop), alpha)
        if chained is not None:
            values = x[self.rows, into].tolist()
            given = x[self.rows, chained[0]].tolist()
            self._chained(values, given, factors[into], self._edges())
            x[self.rows, into] = values

    def _substitute(self, x: FloatArray, first: int, end: int, alpha: float) -> None:
        """Columns first..end-1 of x (one alpha) through the run, by substitution."""
        own = self.node_bounds[-1]
        size = self.rows.size
        sources = size - own
        n0 = int(self.rows[0]) if own else 0  # the run's own nodes: plan positions n0..
        rhs = np.empty((size, end - first), dtype=np.float64, order="F")
        rhs[:sources] = x[self.rows[own:], first:end]
        rhs[sources:] = x[n0 : n0 + own, first:end]
        solved = substitute(self.triangle(alpha), None, rhs)
        x[n0 : n0 + own, first:end] = solved[sources:]

    def keep_only(self, alphas: set[float]) -> None:
        """Drop the triangles of other alphas (see SweepPlan.keep_only)."""
        for alpha in [a for a in self.triangles if a not in alphas]:
            del self.triangles[alpha]

    def triangle(self, alpha: float) -> SquareCsc:
        """I - alpha A over the run's rows, its sources first (the rows outside the run
        its edges read, as they are), then its own nodes: each column holds the
        diagonal 1, then -(w * alpha) of the edges out of that row, by target."""
        if alpha not in self.triangles:
            size = self.rows.size
            own = self.node_bounds[-1]
            sources = size - own
            # Places in the system: the sources (after the own nodes in `rows`) first.
            column = np.where(self.src >= own, self.src - own, self.src + sources)
            row = self.dst + sources
            # Built by hand, not by SquareCsc.from_entries: two edges between the same
            # rows stay two terms, as the layers add them (from_entries sums them first).
            by_column = np.argsort(column * size + row, kind="stable")
            indptr = np.zeros(size + 1, dtype=np.intc)
            np.cumsum(np.bincount(column, minlength=size) + 1, out=indptr[1:])
            diagonal = indptr[:-1]
            below = np.ones(int(indptr[-1]), dtype=bool)
            below[diagonal] = False
            indices = np.empty(below.size, dtype=np.intc)
            data = np.empty(below.size, dtype=np.float64)
            indices[diagonal] = np.arange(size)
            data[diagonal] = 1.0
            indices[below] = row[by_column]
            data[below] = -(self.weight * alpha)[by_column]
            self.triangles[alpha] = SquareCsc(size, indptr, indices, data)
        return self.triangles[alpha]

    def _in_python(self, x: FloatArray, scale: FloatArray, chained: tuple[int, int] | None) -> None:
        """The run's layers on x in Python floats.

        Column by column: a node's value is final once its own layer's edges are in (its
        in-edges all lie in that layer), so each column but the chained one is one pass
        over the run's edges, and the chained one follows with the given column's final
        values. Every value sees the same operations in the same order as layer by layer.
        """
        columns: list[list[float]] = x[self.rows].T.tolist()
        factors: list[float] = scale.tolist()
        edges = self._edges()
        into = -1 if chained is None else chained[1]
        for c, (values, factor) in enumerate(zip(columns, factors, strict=True)):
            if c == into:
                continue
            for d, s, w in edges:
                values[d] += (w * factor) * values[s]
        if chained is not None:
            self._chained(columns[into], columns[chained[0]], factors[into], edges)
        x[self.rows] = np.array(columns).T

    def _edges(self) -> list[tuple[int, int, float]]:
        """(target, source, weight) of each edge, as Python numbers."""
        return list(zip(self.dst.tolist(), self.src.tolist(), self.weight.tolist(), strict=True))

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


def run_bounds(edge_counts: IntArray, simple: np.ndarray) -> list[tuple[int, int, bool]]:
    """The runs among the layers (each one's edges; simple: no loop to solve), as
    (first, stop, substituted): a stretch of at least SUBSTITUTED_LAYERS layers of up to
    RUN_EDGES edges with SUBSTITUTED_EDGES in all is one substituted run; in a shorter
    one, the stretches of at least MIN_RUN layers of up to THIN edges go in Python."""
    runs: list[tuple[int, int, bool]] = []
    narrow = simple & (edge_counts <= RUN_EDGES)
    thin = simple & (edge_counts <= THIN)
    for first, stop in _stretches(narrow):
        deep = stop - first >= SUBSTITUTED_LAYERS
        if deep and int(edge_counts[first:stop].sum()) >= SUBSTITUTED_EDGES:
            runs.append((first, stop, True))
        else:
            runs += [(first + a, first + b, False) for a, b in _stretches(thin[first:stop])]
    return runs


def _stretches(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, stop) of each run of at least MIN_RUN consecutive True flags."""
    edges = np.diff(np.r_[0, flags.astype(np.int8), 0])
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long = stops - starts >= MIN_RUN
    return list(zip(starts[long].tolist(), stops[long].tolist(), strict=True))


def thin_runs(
    layer_edges: list[int],
    layer_nodes: list[int],
    bounds: list[tuple[int, int, bool]],
    edge_src: IntArray,
    edge_dst: IntArray,
    edge_weight: FloatArray,
) -> dict[int, ThinRun]:
    """The runs (`run_bounds`; their layers' edges among the plan's), by first layer."""
    edges = (edge_src, edge_dst, edge_weight)
    return {
        first: _run(first, stop, substituted, layer_edges, layer_nodes, *edges)
        for first, stop, substituted in bounds
    }


def _run(
    first: int,
    stop: int,
    substituted: bool,
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
        src_place.astype(np.int64),
        (dst - n0).astype(np.int64),  # targets are the run's own nodes
        edge_weight[e0:e1],
        [b - e0 for b in layer_edges[first : stop + 1]],
        [b - n0 for b in layer_nodes[first : stop + 1]],
        substituted,
    )
