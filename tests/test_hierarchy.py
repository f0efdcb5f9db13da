"""The forest arrays agree with walking parent pointers one step at a time."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.graph.hierarchy import build_forest, cycles


@st.composite
def forests(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(1, 40))
    parent = [-1] + [draw(st.integers(-1, i - 1)) for i in range(1, n)]
    perm = draw(st.permutations(range(n)))
    shuffled = np.full(n, -1, dtype=np.int64)
    for old, new in enumerate(perm):  # relabel so parents are not always earlier in the file
        shuffled[new] = -1 if parent[old] < 0 else perm[parent[old]]
    return shuffled


def ancestors(parent: np.ndarray, v: int) -> list[int]:
    out = []
    while parent[v] >= 0:
        v = int(parent[v])
        out.append(v)
    return out


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(forests())
def test_depth_size_and_ancestry_match_brute_force(parent: np.ndarray) -> None:
    forest = build_forest(parent)
    n = parent.size
    for v in range(n):
        above = ancestors(parent, v)
        assert forest.depth[v] == len(above)
        below = [u for u in range(n) if v in ancestors(parent, u)]
        assert forest.size[v] == len(below) + 1
    boss, sub = np.divmod(np.arange(n * n), n)
    expected = [int(b) in ancestors(parent, int(s)) for b, s in zip(boss, sub, strict=True)]
    assert forest.is_proper_ancestor(boss, sub).tolist() == expected
    weights = np.arange(n, dtype=np.int64) * 7 + 1
    sums = forest.subtree_sum(weights)
    for v in range(n):
        assert sums[v] == weights[v] + sum(
            weights[u] for u in range(n) if v in ancestors(parent, u)
        )
    assert sorted(forest.preorder.tolist()) == list(range(n))


def test_cycles_are_listed_once_from_their_first_role() -> None:
    parent = np.array([2, 0, 1, -1, 3, 5, 4], dtype=np.int64)
    assert cycles(parent) == [[0, 2, 1], [5]]


def test_a_100000_level_chain_needs_no_recursion() -> None:
    n = 100_000
    parent = np.arange(-1, n - 1, dtype=np.int64)
    forest = build_forest(parent)
    assert forest.depth[-1] == n - 1
    assert forest.size[0] == n
    assert forest.is_proper_ancestor(np.array([0]), np.array([n - 1])).tolist() == [True]
    assert cycles(parent) == []


@given(forests(), st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=30))
@settings(max_examples=60, deadline=None)
def test_ancestry_both_ways_matches_walking_up(
    parent: np.ndarray, pairs: list[tuple[int, int]]
) -> None:
    forest = build_forest(parent)
    n = parent.size
    a = np.array([x % n for x, _ in pairs], dtype=np.int64)
    b = np.array([y % n for _, y in pairs], dtype=np.int64)
    above, below = forest.ancestry(a, b)
    for i in range(a.size):
        assert bool(above[i]) == (int(a[i]) in ancestors(parent, int(b[i])))
        assert bool(below[i]) == (int(b[i]) in ancestors(parent, int(a[i])))
