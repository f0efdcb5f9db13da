"""One layer's sum over its incoming cross edges, per target, bit for bit as
np.add.reduceat sums it (the order every earlier release summed in).

reduceat (axis 0) starts a group's sum from its first term and adds numpy's
pairwise sum of the others (`pairwise_sum` in numpy's loops_utils.h.src):
- fewer than 8 terms: left to right from zero;
- 8 to 128 terms: 8 running sums (lane j takes terms j, j + 8, j + 16, ... of the
  whole blocks of 8), closed as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)),
  then the last (count mod 8) terms added one by one;
- more: halved (the first half rounded down to a multiple of 8), each half
  summed so, and the halves added.
Each running sum and each tail is a row of a sparse product (terms summed left to
right onto what the row holds), so one compiled pass over the edges reads x and
sums, with no (edges x columns) copy of the terms and no call per group and column.
(A running sum starts from +0.0, not from its first term: the bits differ only when
every term of a group and its target's value are -0.0, which money never is.)
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from clientchain.graph.distinct import sorted_distinct
from clientchain.graph.sparse_kernels import csr_matvecs
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

LANES = 8  # numpy's pairwise sum keeps 8 running sums ...
BLOCK = 128  # ... over at most this many terms (PW_BLOCKSIZE); longer runs are halved
SHORT_GROUP = LANES  # a group of this many terms: first + fewer than LANES others, summed in turn
GATHER_CHUNK = 65_536  # edges of long groups summed at a time (bounds the running sums' memory)


@holder
class _Rows:
    """A CSR matrix: each row's terms summed left to right onto what its row holds."""

    indptr: IntArray
    indices: IntArray
    data: FloatArray
    columns: int

    @staticmethod
    def of(indptr: IntArray, indices: IntArray, data: FloatArray, columns: int) -> _Rows:
        """The matrix with 32-bit indices when they fit: half the index memory and reads."""
        small = max(columns, data.size) < 2**31
        index: type[np.signedinteger[Any]] = np.int32 if small else np.int64
        return _Rows(indptr.astype(index), indices.astype(index), data, columns)

    def times(self, x: FloatArray) -> FloatArray:
        return csr_matvecs(self.indptr, self.indices, self.data, self.columns, x)

    def add_times(self, x: FloatArray, out: FloatArray, first: int, last: int) -> None:
        """out += rows first..last of this matrix @ x (x, out C-contiguous float64)."""
        indptr = self.indptr[first : last + 1]  # absolute offsets: no copy of the terms
        csr_matvecs(indptr, self.indices, self.data, self.columns, x, out)


@holder
class _Chunk:
    """Whole long groups g0..g1, their leaves (runs of at most BLOCK terms) l0..l1, and
    how halved groups add their leaves back up."""

    g0: int
    g1: int
    l0: int
    l1: int
    nodes: int  # rows of partial sums: the leaves, then the halved runs' sums
    # Per depth, deepest first: (sum, left half, right half) rows, added as sum = left + right.
    levels: list[tuple[IntArray, IntArray, IntArray]]
    roots: IntArray | None  # row of each group's sum; None: one leaf per group, in order


@holder
class _Hubs:
    """The targets with more than SHORT_GROUP edges, summed as numpy's pairwise sum does."""

    target: IntArray
    first_src: IntArray  # each group's first term, added to the pairwise sum of the rest
    first_weight: FloatArray
    lanes: _Rows  # LANES rows per leaf: its running sums
    tails: _Rows  # one row per leaf: its last (length mod LANES) terms
    chunks: list[_Chunk]

    def add_into(self, x: FloatArray, scale: FloatArray | float) -> None:
        # Sources lie in earlier layers than targets: a chunk's writes never reach
        # what a later chunk reads.
        for chunk in self.chunks:
            groups = slice(chunk.g0, chunk.g1)
            sums = self._pairwise(x, chunk)
            weight = self.first_weight[groups].reshape((-1,) + (1,) * (x.ndim - 1))
            total = x[self.first_src[groups]]
            total *= weight
            total += sums
            total *= scale
            x[self.target[groups]] += total

    def _pairwise(self, x: FloatArray, chunk: _Chunk) -> FloatArray:
        """numpy's pairwise sum of each group's terms after the first."""
        leaves, width = chunk.l1 - chunk.l0, x.shape[1:]
        running = np.zeros((leaves * LANES, *width), dtype=np.float64)
        self.lanes.add_times(x, running, chunk.l0 * LANES, chunk.l1 * LANES)
        # ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), in place over the lanes.
        r = running.reshape(leaves, LANES // 2, 2, *width)
        pairs = r[:, :, 0]
        pairs += r[:, :, 1]
        quads = pairs[:, 0::2]
        quads += pairs[:, 1::2]
        nodes = np.empty((chunk.nodes, *width), dtype=np.float64)
        leaf = nodes[:leaves]
        np.add(quads[:, 0], quads[:, 1], out=leaf)
        self.tails.add_times(x, leaf, chunk.l0, chunk.l1)
        for total, left, right in chunk.levels:
            nodes[total] = nodes[left] + nodes[right]
        return leaf if chunk.roots is None else nodes[chunk.roots]


@holder
class Gather:
    """One layer's sum over incoming cross edges, bit for bit as np.add.reduceat sums it.

    A target with at most SHORT_GROUP edges: its first term plus a plain left-to-right
    sum of the others, two sparse products. Longer groups (hubs): see _Hubs.
    """

    short_target: IntArray  # plan positions of the targets with at most SHORT_GROUP edges
    first: _Rows  # each short target's first edge
    rest: _Rows  # its other edges, in order
    hubs: _Hubs

    def add_into(self, x: FloatArray, scale: FloatArray | float) -> None:
        """x[target] += scale * (sum over the target's edges of weight * x[source])."""
        if self.short_target.size:
            summed = self.first.times(x)
            summed += self.rest.times(x)
            summed *= scale
            x[self.short_target] += summed
        self.hubs.add_into(x, scale)


def gather(src: IntArray, dst: IntArray, weight: FloatArray, roles: int) -> Gather:
    """The sums of one layer's edges (sorted by target) per target, split short / long."""
    start = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    size = np.diff(np.r_[start, dst.size])
    short = size <= SHORT_GROUP
    in_short = np.repeat(short, size)  # per edge: its target's group is short
    lead = np.zeros(dst.size, dtype=bool)
    lead[start] = True
    count = int(short.sum())
    first_edge = start[short]
    # Each target's first edge in a matrix of its own: reduceat adds it to the sum of the
    # others, not into that sum.
    first = _Rows.of(np.arange(count + 1), src[first_edge], weight[first_edge], roles)
    rest_edge = in_short & ~lead
    # Row pointers of the rest: each short target keeps its size - 1 later edges.
    rest_ptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(size[short] - 1, out=rest_ptr[1:])
    rest = _Rows.of(rest_ptr, src[rest_edge], weight[rest_edge], roles)
    if count == start.size:  # no hub: none of _hubs' two dozen passes (a cut's small plans)
        return Gather(dst[first_edge], first, rest, _no_hubs(roles))
    hubs = _hubs(src, dst, weight, start[~short], size[~short], roles)
    return Gather(dst[first_edge], first, rest, hubs)


def _no_hubs(roles: int) -> _Hubs:
    none, pointer = np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    empty = _Rows.of(pointer, none, np.zeros(0), roles)
    return _Hubs(none, none, np.zeros(0), empty, empty, [])


def _hubs(
    src: IntArray, dst: IntArray, weight: FloatArray, start: IntArray, size: IntArray, roles: int
) -> _Hubs:
    """The long groups (edges start..start + size, each size > SHORT_GROUP) as running
    sums, tails and halvings."""
    leaves = _Leaves.of(start + 1, size - 1)
    count = leaves.length // LANES  # terms per running sum
    block = count * LANES
    # Leaf-major, then lane: lane j of a leaf at a takes a + j, a + j + 8, ... So a
    # leaf's term p (its edge a + p) goes to lane p mod 8, place p // 8 in that lane.
    offset = np.cumsum(block) - block
    terms = int(block.sum())
    leaf_offset = np.repeat(offset, block)
    place = np.arange(terms) - leaf_offset
    slot = leaf_offset + (place % LANES) * np.repeat(count, block) + place // LANES
    lane_edge = np.empty(terms, dtype=np.int64)
    lane_edge[slot] = np.repeat(leaves.start, block) + place
    lane_ptr = np.zeros(leaves.start.size * LANES + 1, dtype=np.int64)
    np.cumsum(np.repeat(count, LANES), out=lane_ptr[1:])
    tail = leaves.length - block
    tail_ptr = np.zeros(leaves.start.size + 1, dtype=np.int64)
    np.cumsum(tail, out=tail_ptr[1:])
    tail_edge = np.repeat(leaves.start + block, tail) + (
        np.arange(int(tail_ptr[-1])) - np.repeat(tail_ptr[:-1], tail)
    )
    return _Hubs(
        dst[start],
        src[start],
        weight[start],
        _Rows.of(lane_ptr, src[lane_edge], weight[lane_edge], roles),
        _Rows.of(tail_ptr, src[tail_edge], weight[tail_edge], roles),
        leaves.chunks(_chunks(size)),
    )


@holder
class _Leaves:
    """Each group's terms cut as numpy's pairwise sum halves them: runs of at most
    BLOCK terms (leaves, by start), and the halvings that add them back up."""

    start: IntArray
    length: IntArray
    group: IntArray  # per leaf: its group
    node: IntArray  # per leaf: its node (group g's whole sum is node g)
    # Per depth, shallowest first: (node halved, its left half, its right half).
    halvings: list[tuple[IntArray, IntArray, IntArray]]
    node_group: IntArray  # per node: its group

    @staticmethod
    def of(start: IntArray, length: IntArray) -> _Leaves:
        groups = start.size
        piece_start, piece_length, piece_node = start, length, np.arange(groups)
        node_group = [np.arange(groups)]
        leaf_parts: list[tuple[IntArray, IntArray, IntArray]] = []
        halvings: list[tuple[IntArray, IntArray, IntArray]] = []
        nodes = groups
        while True:
            long = piece_length > BLOCK
            keep = ~long
            leaf_parts.append((piece_start[keep], piece_length[keep], piece_node[keep]))
            if not long.any():
                break
            s, n, parent = piece_start[long], piece_length[long], piece_node[long]
            half = n // 2
            half -= half % LANES
            left = np.arange(nodes, nodes + parent.size)
            right = left + parent.size
            nodes += 2 * parent.size
            halvings.append((parent, left, right))
            parent_group = np.concatenate(node_group)[parent]
            node_group.extend([parent_group, parent_group])
            piece_start = np.concatenate([s, s + half])
            piece_length = np.concatenate([half, n - half])
            piece_node = np.concatenate([left, right])
        leaf_start = np.concatenate([p[0] for p in leaf_parts])
        by_start = np.argsort(leaf_start, kind="stable")
        all_groups = np.concatenate(node_group)
        leaf_node = np.concatenate([p[2] for p in leaf_parts])[by_start]
        return _Leaves(
            leaf_start[by_start],
            np.concatenate([p[1] for p in leaf_parts])[by_start],
            all_groups[leaf_node],
            leaf_node,
            halvings,
            all_groups,
        )

    def chunks(self, bounds: list[int]) -> list[_Chunk]:
        """Each chunk of whole groups g0..g1, with its leaves and halvings as rows."""
        leaf_bounds: list[int] = np.searchsorted(self.group, bounds).tolist()
        halved = np.concatenate([h[0] for h in self.halvings]) if self.halvings else None
        halved_group = self.node_group[halved] if halved is not None else None
        # Per halving level, deepest first: its parents' groups (the same for every chunk).
        levels_in = [
            (self.node_group[parent], parent, left, right)
            for parent, left, right in reversed(self.halvings)
        ]
        out: list[_Chunk] = []
        for (g0, g1), (l0, l1) in zip(pairwise(bounds), pairwise(leaf_bounds), strict=True):
            leaves = l1 - l0
            mine = None
            if halved is not None and halved_group is not None:
                mine = halved[(halved_group >= g0) & (halved_group < g1)]
            if mine is None or mine.size == 0:
                out.append(_Chunk(g0, g1, l0, l1, leaves, [], None))
                continue
            row = np.full(self.node_group.size, -1, dtype=np.int64)
            row[self.node[l0:l1]] = np.arange(leaves)
            row[mine] = leaves + np.arange(mine.size)
            levels = []
            for parent_group, parent, left, right in levels_in:
                inside = (parent_group >= g0) & (parent_group < g1)
                if inside.any():
                    levels.append((row[parent[inside]], row[left[inside]], row[right[inside]]))
            out.append(_Chunk(g0, g1, l0, l1, leaves + mine.size, levels, row[g0:g1]))
        return out


def _chunks(group_size: IntArray) -> list[int]:
    """Bounds of consecutive groups holding about GATHER_CHUNK edges each (a larger
    group alone), as group numbers from 0 to the group count."""
    if group_size.size == 0:
        return [0]
    ends = np.cumsum(group_size)
    # The group whose edges reach each multiple of the chunk closes a chunk.
    closing = np.searchsorted(ends, np.arange(GATHER_CHUNK, int(ends[-1]), GATHER_CHUNK))
    bounds: list[int] = sorted_distinct(np.r_[0, closing + 1, group_size.size]).tolist()
    return bounds
