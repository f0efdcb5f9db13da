"""A sparse product whose sums keep their order when the matrix's rows and columns are
renumbered.

Compressed columns (csc_matvecs) add each row's terms in the order of its columns: move
the columns and a row with two terms or more may add them the other way round, and its
sum's last bit with them. Loop_tree_split numbers a core's rows so its forest is swept
in the order of memory (a million roles: 24-26 ms a sweep of 8 columns against 55-57),
and its recharges (N) are renumbered with them; so that the sweeps' figures stay what
they were (BiCGSTAB's dot products and extended-precision residuals, which sum over
rows, do take the new order), N is kept in layers: layer k holds each row's k-th term in
the order before (its columns then), one term a row at most, and the layers are added in
turn. A layer of many terms is a product of its own (a loop over every column, ~1 ms at
a million roles); the few terms of the rest (rows paid by three roles or more of a core
of random recharges) are numpy's gathers, a layer at a time.
"""

from __future__ import annotations

import numpy as np

from clientchain.graph.sorting import grouped_order
from clientchain.graph.square_csc import SquareCsc
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

# A layer with fewer terms than 1 / SPARSE_LAYER of the rows is added by numpy's gathers.
SPARSE_LAYER = 16


@holder
class LayeredProduct:
    """N in layers: `dense` as compressed columns, then each of `sparse` as its terms
    (row, column, value), at most one a row in each layer."""

    dense: list[SquareCsc]
    sparse: list[tuple[IntArray, IntArray, FloatArray]]

    def add_times(self, x: FloatArray, into: FloatArray) -> None:
        """into += N @ x, for C-ordered float64 (size, k) arrays: each row's terms added
        onto it in the order of the layers (a term y += a * x, as csc_matvecs adds it)."""
        for layer in self.dense:
            layer.add_times(x, into)
        for rows, columns, values in self.sparse:
            terms = x[columns]
            terms *= values[:, None]
            into[rows] += terms


def layered_product(matrix: SquareCsc, rank: IntArray) -> LayeredProduct:
    """`matrix` with row and column i moved to rank[i] (a permutation), its product adding
    each row's terms in the order `matrix`'s own product adds them (its columns')."""
    size = matrix.size
    rows = matrix.indices
    columns = matrix.entry_columns()
    # Each term's place among its row's, in the columns' order (the terms are stored so;
    # a counting pass keeps it: a sort of a million rows took a tenth of a second).
    by_row, starts = grouped_order(rows, size)
    layer = np.empty(rows.size, dtype=np.int64)
    layer[by_row] = np.arange(rows.size) - np.repeat(starts[:-1], np.diff(starts))
    del by_row, starts
    moved = rank.astype(np.int64)
    new_rows, new_columns = moved[rows], moved[columns]
    dense: list[SquareCsc] = []
    sparse: list[tuple[IntArray, IntArray, FloatArray]] = []
    for k in range(int(layer.max(initial=-1)) + 1):
        at = np.flatnonzero(layer == k)
        if at.size * SPARSE_LAYER >= size:
            dense.append(
                SquareCsc.from_entries(size, new_rows[at], new_columns[at], matrix.data[at])
            )
        else:
            sparse.append((new_rows[at], new_columns[at], matrix.data[at]))
    return LayeredProduct(dense, sparse)
