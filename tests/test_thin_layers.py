"""Deep chains: runs of thin layers swept in Python floats, and longest-path layers."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.graph.layering import longest_path_layers
from clientchain.graph.thin_layers import (
    MIN_RUN,
    RUN_EDGES,
    SUBSTITUTED_EDGES,
    SUBSTITUTED_LAYERS,
    THIN,
    run_bounds,
    thin_runs,
)


def _numpy_sweep(
    x: np.ndarray,
    layer_edges: list[int],
    layer_nodes: list[int],
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    scale: np.ndarray,
    chained: tuple[int, int] | None,
) -> None:
    """The per-layer numpy steps the runs replace (SweepPlan._solve's thin branch)."""
    for layer in range(len(layer_edges) - 1):
        for e in range(layer_edges[layer], layer_edges[layer + 1]):
            x[dst[e]] += (weight[e] * scale) * x[src[e]]
        if chained is not None:
            n0, n1 = layer_nodes[layer], layer_nodes[layer + 1]
            x[n0:n1, chained[1]] += x[n0:n1, chained[0]]


def _layered(
    rng: np.random.Generator, layers: int
) -> tuple[list[int], list[int], np.ndarray, np.ndarray]:
    """A random layered DAG in plan order: 1-3 nodes a layer, each with 0-3 edges in
    from any earlier node, edges sorted by target."""
    sizes = rng.integers(1, 4, size=layers)
    layer_nodes = np.r_[0, np.cumsum(sizes)].tolist()
    src: list[int] = []
    dst: list[int] = []
    layer_edges = [0]
    for layer in range(layers):
        for node in range(layer_nodes[layer], layer_nodes[layer + 1]):
            if layer_nodes[layer] == 0:
                continue
            for source in sorted(rng.integers(0, layer_nodes[layer], size=rng.integers(0, 4))):
                src.append(int(source))
                dst.append(node)
        layer_edges.append(len(src))
    return (
        layer_edges,
        layer_nodes,
        np.asarray(src, dtype=np.int64),
        np.asarray(dst, dtype=np.int64),
    )


# Four columns of four alphas; 21 columns of three (in runs longer than a group of
# substituted columns, and split by the chained one).
SCALES = [[0.85, 1.0, 0.5, 0.3], [0.5] * 3 + [1.0] * 11 + [0.7] * 7]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("chained", [None, (1, 2), (3, 0)])
@pytest.mark.parametrize("substituted", [False, True])
@pytest.mark.parametrize("scales", SCALES, ids=["4", "21"])
def test_a_run_of_thin_layers_gives_numpys_bits(
    seed: int, chained: tuple[int, int] | None, substituted: bool, scales: list[float]
) -> None:
    """In Python floats or by SuperLU's substitution, a run's layers give every bit of
    numpy's layer-by-layer sweep: the same products, summed in the same order."""
    rng = np.random.default_rng(seed)
    layers = MIN_RUN + int(rng.integers(0, 40))
    layer_edges, layer_nodes, src, dst = _layered(rng, layers)
    weight = rng.random(src.size) ** 3
    scale = np.array(scales)
    x = rng.random((layer_nodes[-1], scale.size))
    x *= 10.0 ** rng.integers(-6, 6, size=(layer_nodes[-1], 1))
    expected = x.copy()
    _numpy_sweep(expected, layer_edges, layer_nodes, src, dst, weight, scale, chained)
    # The run starts after a few layers swept as numpy does: it reads their nodes too.
    first = seed % 3
    ahead = layer_edges[: first + 1]
    _numpy_sweep(x, ahead, layer_nodes[: first + 1], src, dst, weight, scale, chained)
    runs = thin_runs(layer_edges, layer_nodes, [(first, layers, substituted)], src, dst, weight)
    assert list(runs) == [first] and runs[first].stop == layers
    assert (runs[first].rows.size > layer_nodes[-1] - layer_nodes[first]) == (first > 0)
    runs[first].apply(x, scale, chained)
    assert np.array_equal(x.view(np.int64), expected.view(np.int64))


def test_only_long_runs_of_simple_layers_become_runs() -> None:
    simple = np.array([True] * (MIN_RUN - 1) + [False] + [True] * MIN_RUN + [False, True])
    assert run_bounds(np.ones(simple.size, dtype=np.int64), simple) == [
        (MIN_RUN, 2 * MIN_RUN, False)
    ]


def test_deep_runs_of_narrow_layers_are_substituted_and_short_ones_stay_thin() -> None:
    """A stretch of layers of up to RUN_EDGES edges is substituted when it has
    SUBSTITUTED_LAYERS layers and SUBSTITUTED_EDGES edges in all; a shorter one keeps
    only its thin layers' runs, and a wider layer breaks a stretch."""
    deep = SUBSTITUTED_LAYERS
    wide = THIN + 1
    assert wide <= RUN_EDGES and deep * wide >= SUBSTITUTED_EDGES
    counts = np.array(
        [wide] * deep  # narrow, enough edges: substituted
        + [RUN_EDGES + 1]
        + [1] * MIN_RUN
        + [THIN + 1]
        + [1] * (MIN_RUN + 1)  # few edges: thin runs only
        + [RUN_EDGES + 1]
    )
    simple = np.ones(counts.size, dtype=bool)
    second = deep + 1
    third = second + MIN_RUN + 1
    assert run_bounds(counts, simple) == [
        (0, deep, True),
        (second, second + MIN_RUN, False),
        (third, third + MIN_RUN + 1, False),
    ]
    simple[MIN_RUN] = False  # a loop to solve in the first stretch: too short runs left
    assert run_bounds(counts, simple)[0] == (second, second + MIN_RUN, False)
    # Deep enough, too few edges; or enough edges in too few layers: not substituted.
    assert run_bounds(np.ones(deep, dtype=np.int64), np.ones(deep, dtype=bool)) == [
        (0, deep, False)
    ]
    shallow = np.full(deep - 1, RUN_EDGES)
    assert run_bounds(shallow, np.ones(deep - 1, dtype=bool)) == []


def _oracle_layers(count: int, src: list[int], dst: list[int]) -> list[int]:
    """Longest path from any source, by relaxing every edge until nothing changes."""
    layer = [0] * count
    changed = True
    while changed:
        changed = False
        for u, v in zip(src, dst, strict=True):
            if layer[v] < layer[u] + 1:
                layer[v] = layer[u] + 1
                changed = True
    return layer


@pytest.mark.parametrize("seed", range(8))
def test_longest_path_layers_match_relaxation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 300))
    # Random DAG: edges go from a lower to a higher number in a shuffled numbering;
    # a long path through part of it mixes thin and wide frontiers.
    rank = rng.permutation(count)
    pairs = rng.integers(0, count, size=(int(rng.integers(0, 3 * count)), 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    lo, hi = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    chain = np.arange(count - 1)
    u = np.r_[rank[lo], rank[chain[: count // 2]]]
    v = np.r_[rank[hi], rank[chain[: count // 2] + 1]]
    got = longest_path_layers(count, u.astype(np.int64), v.astype(np.int64))
    assert got.tolist() == _oracle_layers(count, u.tolist(), v.tolist())


@pytest.mark.parametrize("seed", range(8))
def test_layers_deeper_than_asked_give_none_and_others_the_same_layers(seed: int) -> None:
    """`deepest`: None exactly when some layer is deeper, through wide frontiers and
    thin walks alike (a chain ends each DAG); else the layers as without it."""
    rng = np.random.default_rng(200 + seed)
    count = int(rng.integers(20, 300))
    pairs = rng.integers(0, count, size=(int(rng.integers(0, 3 * count)), 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    lo, hi = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    tail = np.arange(count - int(rng.integers(1, count)), count - 1)
    u, v = np.r_[lo, tail].astype(np.int64), np.r_[hi, tail + 1].astype(np.int64)
    full = longest_path_layers(count, u, v)
    top = int(full.max())
    for deepest in {0, top // 2, top - 1, top, top + 5}:
        got = longest_path_layers(count, u, v, deepest)
        if top > deepest:
            assert got is None
        else:
            assert got is not None and got.tolist() == full.tolist()


def test_a_chain_of_100000_levels_is_layered_one_level_a_node() -> None:
    count = 100_000
    order = np.random.default_rng(1).permutation(count)
    got = longest_path_layers(count, order[:-1].astype(np.int64), order[1:].astype(np.int64))
    assert np.array_equal(got[order], np.arange(count))


@pytest.mark.parametrize("lists_after", [0, 3, 10**9])
@pytest.mark.parametrize("seed", range(4))
def test_thin_walks_read_arrays_or_lists_alike(
    seed: int, lists_after: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Short thin walks read the edge arrays, long ones switch to lists part way: the
    layers are the same either way (stretches of chain between wide parts)."""
    from clientchain.graph import layering

    monkeypatch.setattr(layering, "LISTS_AFTER", lists_after)
    rng = np.random.default_rng(100 + seed)
    count = 240
    rank = rng.permutation(count)
    pairs = rng.integers(0, count, size=(2 * count, 2))
    pairs = pairs[(pairs[:, 0] != pairs[:, 1]) & ((pairs // 60) % 2 == 0).all(axis=1)]
    lo, hi = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    # Chains through the blocks without other edges: the frontier narrows to one there.
    chain = np.r_[np.arange(50, 120), np.arange(170, count - 1)]
    u = np.r_[rank[lo], rank[chain]]
    v = np.r_[rank[hi], rank[chain + 1]]
    got = layering.longest_path_layers(count, u.astype(np.int64), v.astype(np.int64))
    assert got.tolist() == _oracle_layers(count, u.tolist(), v.tolist())
