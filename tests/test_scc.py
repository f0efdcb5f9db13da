"""The strong components of the money graph are scipy's, label for label: the labels
set the sweep's plan order, and so the order of every sum it takes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from clientchain.graph import scc
from clientchain.graph.scc import pearce_components, strong_components


def scipy_labels(src: np.ndarray, dst: np.ndarray, nodes: int) -> tuple[int, np.ndarray]:
    adjacency = csr_matrix((np.ones(src.size), (src, dst)), shape=(nodes, nodes))
    count, labels = connected_components(adjacency, directed=True, connection="strong")
    return int(count), labels.astype(np.int64)


def assert_same(src: np.ndarray, dst: np.ndarray, nodes: int) -> None:
    count, labels = pearce_components(src, dst, nodes)
    expected_count, expected = scipy_labels(src, dst, nodes)
    assert count == expected_count
    assert labels.dtype == np.int64
    assert np.array_equal(labels, expected)


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_get_scipys_labels(seed: int) -> None:
    """Sparse to dense, with self-loops, repeated edges and nodes no edge touches."""
    rng = np.random.default_rng(seed)
    for _ in range(25):
        nodes = int(rng.integers(1, 80))
        edges = int(rng.integers(0, 4 * nodes))
        assert_same(rng.integers(0, nodes, edges), rng.integers(0, nodes, edges), nodes)


@pytest.mark.parametrize("seed", range(5))
def test_loops_hanging_off_a_hierarchy_get_scipys_labels(seed: int) -> None:
    """The benchmark's shape: a reporting tree, money up and down, service loops."""
    rng = np.random.default_rng(seed)
    nodes = 3000
    parent = np.maximum(0, (np.arange(nodes) * rng.uniform(0.2, 0.9, nodes)).astype(np.int64))
    up = rng.random(nodes) < 0.5
    src = np.where(up, np.arange(nodes), parent)[1:]
    dst = np.where(up, parent, np.arange(nodes))[1:]
    extra = rng.integers(0, nodes, (2, 800))
    assert_same(np.r_[src, extra[0]], np.r_[dst, extra[1]], nodes)


def test_a_deep_chain_and_a_deep_cycle_need_no_recursion() -> None:
    nodes = 100_000
    chain = np.arange(nodes - 1)
    assert_same(chain, chain + 1, nodes)
    assert_same(np.r_[chain, nodes - 1], np.r_[chain + 1, 0], nodes)


def test_big_graphs_go_to_scipy_with_the_same_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    src, dst = rng.integers(0, 500, 1500), rng.integers(0, 500, 1500)
    small = strong_components(src, dst, 500)
    monkeypatch.setattr(scc, "PORT_MAX_EDGES", 1000)
    big = strong_components(src, dst, 500)
    assert small[0] == big[0]
    assert np.array_equal(small[1], big[1])


@pytest.mark.parametrize("size", [0, 1, 2, 50, 5000])
def test_sorted_distinct_is_np_unique(size: int) -> None:
    from clientchain.graph.distinct import sorted_distinct

    values = np.random.default_rng(size).integers(-20, size // 3 + 2, size)
    mine, theirs = sorted_distinct(values), np.unique(values)
    assert mine.dtype == theirs.dtype
    assert np.array_equal(mine, theirs)
