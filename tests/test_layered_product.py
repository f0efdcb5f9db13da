"""A sparse product kept in layers (graph/layered_product.py): renumbered, it adds each
row's terms in the order it did before, so every sum keeps its last bit.

Checked against each row summed term by term in Python floats (the order of the
columns), and against the matrix's own product before it was renumbered."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.graph import layered_product as layered_product_module
from clientchain.graph.layered_product import layered_product
from clientchain.graph.square_csc import SquareCsc


def _random_matrix(size: int, rng: np.random.Generator) -> SquareCsc:
    """Terms of very different sizes (sums that rounding makes depend on their order),
    a few rows with many terms, some rows with none."""
    count = size * 3
    rows = np.r_[rng.integers(0, size, count), np.zeros(40, dtype=np.int64)]
    cols = rng.integers(0, size, rows.size)
    values = rng.random(rows.size) * 10.0 ** rng.integers(-8, 9, rows.size)
    return SquareCsc.from_entries(size, rows, cols, values)


def _summed_in_column_order(matrix: SquareCsc, x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """b + matrix @ x, each row's terms added onto it one at a time, columns ascending."""
    out = b.copy()
    columns = matrix.entry_columns()
    for term in np.lexsort((columns, matrix.indices)).tolist():
        i, j, a = int(matrix.indices[term]), int(columns[term]), float(matrix.data[term])
        for k in range(x.shape[1]):
            out[i, k] = float(out[i, k]) + a * float(x[j, k])
    return out


@pytest.mark.parametrize("sparse_layer", [1, 16, 10**9])
@pytest.mark.parametrize("width", [1, 3, 8])
@pytest.mark.parametrize("seed", range(4))
def test_renumbered_layers_add_each_row_in_its_columns_order(
    monkeypatch: pytest.MonkeyPatch, seed: int, width: int, sparse_layer: int
) -> None:
    monkeypatch.setattr(layered_product_module, "SPARSE_LAYER", sparse_layer)
    rng = np.random.default_rng(seed)
    size = 200
    matrix = _random_matrix(size, rng)
    rank = rng.permutation(size)
    x, b = rng.random((size, width)), rng.random((size, width))
    want = _summed_in_column_order(matrix, x, b)
    own = b.copy()
    matrix.add_times(x, own)
    assert np.array_equal(own, want)
    moved_x, moved_b = np.empty_like(x), np.empty_like(b)
    moved_x[rank], moved_b[rank] = x, b
    layered_product(matrix, rank).add_times(moved_x, moved_b)
    assert np.array_equal(moved_b[rank], want)


def test_a_layer_is_a_product_or_gathers_by_its_size() -> None:
    """Layer k holds the k-th term of each row: the first layers of a random matrix are
    products of their own, the thin last ones numpy's gathers."""
    rng = np.random.default_rng(9)
    matrix = _random_matrix(1000, rng)
    product = layered_product(matrix, np.arange(1000))
    per_row = np.bincount(matrix.indices, minlength=1000)
    assert len(product.dense) + len(product.sparse) == per_row.max()
    terms = [layer.data.size for layer in product.dense] + [s[0].size for s in product.sparse]
    assert terms == [int(np.count_nonzero(per_row > k)) for k in range(per_row.max())]
    assert product.dense and product.sparse
    assert all(n * layered_product_module.SPARSE_LAYER >= 1000 for n in terms[: len(product.dense)])
    for rows, _, _ in product.sparse:
        assert np.unique(rows).size == rows.size
