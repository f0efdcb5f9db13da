"""The strong components of the money graph are scipy's, label for label: the labels
set the sweep's plan order, and so the order of every sum it takes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from clientchain.graph import scc
from clientchain.graph.scc import pearce_components, strong_components
from clientchain.graph.sparse_kernels import strong_labeller

# scipy's compiled loop (loaded from its file) and our Python port of it.
WAYS = {"compiled": strong_components, "port": pearce_components}


def scipy_labels(src: np.ndarray, dst: np.ndarray, nodes: int) -> tuple[int, np.ndarray]:
    adjacency = csr_matrix((np.ones(src.size), (src, dst)), shape=(nodes, nodes))
    count, labels = connected_components(adjacency, directed=True, connection="strong")
    return int(count), labels.astype(np.int64)


def assert_same(src: np.ndarray, dst: np.ndarray, nodes: int) -> None:
    expected_count, expected = scipy_labels(src, dst, nodes)
    for way in WAYS.values():
        count, labels = way(src, dst, nodes)
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


@pytest.mark.parametrize("seed", range(20))
def test_edges_by_target_get_scipys_labels(seed: int) -> None:
    """Edges sorted by target (as the money graph's pairs are, by payee) take the
    transpose instead of the sort: the same CSR, with or without repeated edges, and
    whatever the order of a target's sources."""
    rng = np.random.default_rng(seed)
    for _ in range(25):
        nodes = int(rng.integers(1, 60))
        edges = int(rng.integers(1, 4 * nodes))
        src, dst = rng.integers(0, nodes, edges), rng.integers(0, nodes, edges)
        if rng.random() < 0.5:  # distinct edges, as the money graph's
            key = np.unique(dst * nodes + src)
            dst, src = np.divmod(key, nodes)
        by_target = np.argsort(dst, kind="stable")
        src, dst = src[by_target], dst[by_target]
        assert_same(src, dst, nodes)
        expected = scc._canonical_csr(src[::-1], dst[::-1], nodes)  # (not by target: sorted)
        made = scc._canonical_csr(src, dst, nodes)
        assert all(
            np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(made, expected, strict=True)
        )


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


def test_without_the_compiled_loop_the_port_and_scipy_give_the_same_labels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(7)
    src, dst = rng.integers(0, 500, 1500), rng.integers(0, 500, 1500)
    compiled = strong_components(src, dst, 500)
    monkeypatch.setattr(scc, "strong_labeller", lambda: None)
    ported = strong_components(src, dst, 500)
    monkeypatch.setattr(scc, "PORT_MAX_EDGES", 1000)
    public = strong_components(src, dst, 500)
    for count, labels in (ported, public):
        assert count == compiled[0]
        assert np.array_equal(labels, compiled[1])


def test_the_compiled_loop_is_found_on_the_scipy_we_install() -> None:
    """Losing it would not change a figure, only cost ~0.13 s per 100k roles."""
    assert strong_labeller() is not None


def test_loading_the_loop_leaves_scipy_importable_and_whole() -> None:
    """In a new process: labelling imports neither scipy nor scipy.sparse, and scipy's
    own csgraph, imported afterwards, works and gives the same labels."""
    script = """
import sys
import numpy as np
from clientchain.graph.scc import strong_components
rng = np.random.default_rng(3)
src, dst = rng.integers(0, 300, 900), rng.integers(0, 300, 900)
count, labels = strong_components(src, dst, 300)
print(sorted(m for m in sys.modules if m == "scipy" or m.startswith("scipy.sparse")))
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components
graph = csr_matrix((np.ones(900), (src, dst)), shape=(300, 300))
theirs = connected_components(graph, directed=True, connection="strong")
print(theirs[0] == count and bool(np.array_equal(theirs[1], labels)))
print(breadth_first_order(graph, 0, return_predecessors=False).size > 0)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded, same, traversed = done.stdout.splitlines()
    assert loaded == "['scipy.sparse.csgraph._traversal']"
    assert same == "True"
    assert traversed == "True"


@pytest.mark.parametrize("size", [0, 1, 2, 50, 5000])
def test_sorted_distinct_is_np_unique(size: int) -> None:
    from clientchain.graph.distinct import sorted_distinct

    values = np.random.default_rng(size).integers(-20, size // 3 + 2, size)
    mine, theirs = sorted_distinct(values), np.unique(values)
    assert mine.dtype == theirs.dtype
    assert np.array_equal(mine, theirs)


@pytest.mark.parametrize("size", [0, 1, 2, 50, 5000])
@pytest.mark.parametrize("spread", [1, 3, 100])
def test_distinct_below_is_np_unique_with_its_inverse(size: int, spread: int) -> None:
    from clientchain.graph.distinct import distinct_below

    bound = size * spread + 1
    values = np.random.default_rng(size + spread).integers(0, bound, size)
    values[: size // 4] = bound - 1  # the largest value allowed, repeated
    mine, where = distinct_below(values, bound)
    theirs, inverse = np.unique(values, return_inverse=True)
    assert np.array_equal(mine, theirs) and np.array_equal(where, inverse)
    assert np.array_equal(mine[where], values)
