"""One layer's sum over its incoming cross edges, per target, bit for bit as
np.add.reduceat sums it (the order every earlier release summed in)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from clientchain.graph.sparse_kernels import csr_matvecs
from clientchain.model.org import FloatArray, IntArray

SHORT_GROUP = 8  # reduceat sums a group of up to this many terms left to right (see Gather)
GATHER_CHUNK = 65_536  # edges of long groups gathered at a time (a few MB of columns)


@dataclass(frozen=True, eq=False)
class _Rows:
    """A CSR matrix: each row's terms summed left to right from zero."""

    indptr: IntArray
    indices: IntArray
    data: FloatArray
    columns: int

    def times(self, x: FloatArray) -> FloatArray:
        return csr_matvecs(self.indptr, self.indices, self.data, self.columns, x)


@dataclass(frozen=True, eq=False)
class Gather:
    """One layer's sum over incoming cross edges, bit for bit as np.add.reduceat sums it.

    reduceat adds a group's first term to a pairwise sum of the rest, which for fewer
    than 8 further terms is a plain left-to-right sum from zero: a sparse product
    computes exactly that, far faster than reduceat's one call per group and column.
    Longer groups (hubs) keep reduceat, over their own edges only, a chunk of whole
    groups at a time: a layer of shared services has 1.5M such edges, and gathered
    at once with 19 columns they took 460 MB.
    """

    short_target: IntArray  # plan positions of the targets with at most SHORT_GROUP edges
    first: _Rows  # each short target's first edge
    rest: _Rows  # its other edges, in order
    long_target: IntArray
    long_src: IntArray
    long_weight: FloatArray
    long_start: IntArray  # reduceat offsets into long_src
    long_chunks: list[int]  # chunks of whole long groups: group i..j is one chunk

    def add_into(self, x: FloatArray, scale: FloatArray | float) -> None:
        """x[target] += scale * (sum over the target's edges of weight * x[source])."""
        if self.short_target.size:
            summed = self.first.times(x)
            summed += self.rest.times(x)
            x[self.short_target] += summed * scale
        # Sources lie in earlier layers than targets: a chunk's writes never reach
        # what a later chunk reads.
        bounds, start = self.long_chunks, self.long_start
        for g0, g1 in pairwise(bounds):
            e0 = int(start[g0])
            e1 = int(start[g1]) if g1 < start.size else self.long_src.size
            gathered = x[self.long_src[e0:e1]]
            gathered *= self.long_weight[e0:e1, None]
            gathered = np.add.reduceat(gathered, start[g0:g1] - e0, axis=0)
            gathered *= scale
            x[self.long_target[g0:g1]] += gathered


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
    # others, not into that sum (see _Gather).
    first = _Rows(np.arange(count + 1), src[first_edge], weight[first_edge], roles)
    rest_edge = in_short & ~lead
    # Row pointers of the rest: each short target keeps its size - 1 later edges.
    rest_ptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(size[short] - 1, out=rest_ptr[1:])
    rest = _Rows(rest_ptr, src[rest_edge], weight[rest_edge], roles)
    long_size = size[~short]
    # reduceat offsets into the long edges alone (long_src below), not into the layer's.
    long_start = np.zeros(long_size.size, dtype=np.int64)
    np.cumsum(long_size[:-1], out=long_start[1:])
    return Gather(
        dst[first_edge],
        first,
        rest,
        dst[start[~short]],
        src[~in_short],
        weight[~in_short],
        long_start,
        _chunks(long_size),
    )


def _chunks(group_size: IntArray) -> list[int]:
    """Bounds of consecutive groups holding about GATHER_CHUNK edges each (a larger
    group alone), as group numbers from 0 to the group count."""
    if group_size.size == 0:
        return [0]
    ends = np.cumsum(group_size)
    # The group whose edges reach each multiple of the chunk closes a chunk.
    closing = np.searchsorted(ends, np.arange(GATHER_CHUNK, int(ends[-1]), GATHER_CHUNK))
    bounds: list[int] = np.unique(np.r_[0, closing + 1, group_size.size]).tolist()
    return bounds
