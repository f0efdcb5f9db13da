"""Strong components of a directed graph, labelled exactly as scipy labels them.

The labels decide the plan order of the sweep, and so the order in which sums are
taken: they must be scipy's, label for label, or the figures move in the last bit.
We run scipy's own compiled loop (Pearce's iterative labelling, which
`connected_components(..., connection="strong")` calls) on the CSR it would build,
loaded without `import scipy.sparse` (~0.17 s, more than a 10k-role analysis; see
sparse_kernels). Should that loop not be found, a port of it in Python gives the same
labels (successors in sorted order, labels counted down, then flipped) up to
PORT_MAX_EDGES edges, and scipy's public function above.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from clientchain.graph.distinct import sorted_distinct
from clientchain.graph.sorting import run_bounds
from clientchain.graph.sparse_kernels import sparsetools, strong_labeller
from clientchain.model.org import IntArray, index_type

PORT_MAX_EDGES = 500_000  # the pure-Python port takes ~0.15 s at 100k roles / 315k edges

_VOID, _END = -1, -2


def strong_components(src: IntArray, dst: IntArray, nodes: int) -> tuple[int, IntArray]:
    """(count, labels) of the strong components of the edges src -> dst over `nodes`
    nodes, as scipy.sparse.csgraph.connected_components(csr_matrix((ones, (src, dst)),
    shape=(nodes, nodes)), directed=True, connection="strong") gives them (int64)."""
    labeller = strong_labeller()
    if labeller is not None:
        return compiled_components(labeller, src, dst, nodes)
    if src.size <= PORT_MAX_EDGES:
        return pearce_components(src, dst, nodes)
    return _scipy_components(src, dst, nodes)


def compiled_components(
    labeller: Callable[[IntArray, IntArray, IntArray], int],
    src: IntArray,
    dst: IntArray,
    nodes: int,
) -> tuple[int, IntArray]:
    """scipy's compiled labelling on the canonical CSR of the edges."""
    indptr, indices = _canonical_csr(src, dst, nodes)
    labels = np.full(nodes, _VOID, dtype=np.int32)  # scipy's ITYPE for labels
    count = labeller(indices, indptr, labels)
    return int(count), labels.astype(np.int64)


def _scipy_components(src: IntArray, dst: IntArray, nodes: int) -> tuple[int, IntArray]:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    adjacency = csr_matrix((np.ones(src.size), (src, dst)), shape=(nodes, nodes))
    count, labels = connected_components(adjacency, directed=True, connection="strong")
    return int(count), labels.astype(np.int64)


def pearce_components(src: IntArray, dst: IntArray, nodes: int) -> tuple[int, IntArray]:
    """The port itself (any size; `strong_components` picks it for small graphs)."""
    indptr, indices = _sorted_adjacency(src, dst, nodes)
    low = [_VOID] * nodes  # lowlinks, then labels (scipy shares the memory: so do we)
    stack = [_VOID] * nodes  # the component stack; also the DFS stack's forward links
    back = [_VOID] * nodes
    fwd = stack
    stack_head = _END
    index = 0
    label = nodes - 1
    for start in range(nodes):
        if low[start] != _VOID:
            continue
        head = start
        fwd[start] = _END
        back[start] = _END
        while head != _END:
            x = head
            if low[x] == _VOID:
                low[x] = index
                index += 1
                for w in indices[indptr[x] : indptr[x + 1]]:
                    if low[w] == _VOID:
                        if fwd[w] != _VOID:  # already on the DFS stack: move it to the top
                            f, b = fwd[w], back[w]
                            if b != _END:
                                fwd[b] = f
                            if f != _END:
                                back[f] = b
                        fwd[w] = head
                        back[w] = _END
                        back[head] = w
                        head = w
                continue
            head = fwd[x]
            if head >= 0:
                back[head] = _END
            fwd[x] = _VOID
            back[x] = _VOID
            root = True
            low_x = low[x]
            for w in indices[indptr[x] : indptr[x + 1]]:
                low_w = low[w]
                if low_w < low_x:
                    low_x = low_w
                    root = False
            low[x] = low_x
            if not root:
                stack[x] = stack_head
                stack_head = x
                continue
            index -= 1
            while stack_head != _END and low_x <= low[stack_head]:
                w = stack_head
                stack_head = stack[w]
                stack[w] = _VOID
                low[w] = label
                index -= 1
            low[x] = label
            label -= 1
    labels: IntArray = (nodes - 1) - np.asarray(low, dtype=np.int64)
    return (nodes - 1) - label, labels


def _sorted_adjacency(src: IntArray, dst: IntArray, nodes: int) -> tuple[list[int], list[int]]:
    """The CSR scipy walks, as lists for the port."""
    indptr, indices = _canonical_csr(src, dst, nodes)
    return indptr.tolist(), indices.tolist()


def _canonical_csr(src: IntArray, dst: IntArray, nodes: int) -> tuple[IntArray, IntArray]:
    """(indptr, indices) of the CSR scipy walks: rows in order, each row's columns
    sorted, duplicates merged; int32 where it fits, as scipy's index arrays are."""
    if src.size and bool(np.all(dst[1:] >= dst[:-1])):
        # Edges by target (the money graph's pairs are by payee): the CSR by source is
        # their transpose, one linear pass (6x quicker than sorting 3 million keys).
        transposed = _transposed(src, dst, nodes)
        if transposed is not None:
            return transposed
    key = sorted_distinct(src.astype(np.int64) * nodes + dst.astype(np.int64))
    rows, cols = np.divmod(key, nodes)
    index = index_type(max(nodes, key.size))
    return run_bounds(rows, nodes).astype(index), cols.astype(index)


def _transposed(src: IntArray, dst: IntArray, nodes: int) -> tuple[IntArray, IntArray] | None:
    """The canonical CSR of edges sorted by target, as scipy's CSR-to-CSC step makes it
    (each source's targets come out in the order of the input: sorted); None when an
    edge is there twice (the sort merges them)."""
    index = index_type(max(nodes, src.size))
    indptr = np.empty(nodes + 1, dtype=index)
    indices = np.empty(src.size, dtype=index)
    sparsetools().csr_tocsc(
        nodes,
        nodes,
        run_bounds(dst, nodes).astype(index),
        src.astype(index),
        np.zeros(src.size, dtype=np.int8),  # (values the kernel moves along: unused)
        indptr,
        indices,
        np.empty(src.size, dtype=np.int8),
    )
    repeated = indices[1:] == indices[:-1]
    # A source's last target and the next source's first may well be equal.
    row_ends = indptr[1:-1].astype(np.int64) - 1
    repeated[row_ends[(row_ends >= 0) & (row_ends < repeated.size)]] = False
    return None if repeated.any() else (indptr, indices)
