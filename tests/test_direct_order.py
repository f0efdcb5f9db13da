"""Direct clients' order: the partial sort equals the full stable lexsort."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.analyses.analyze import _order_by_net
from clientchain.graph.sorting import pair_order


@pytest.mark.parametrize("at_once", [1 << 20, 7, 1])  # pairs sorted at a time
@pytest.mark.parametrize("pairs", [300, 60])  # most payees out of order; a few
@pytest.mark.parametrize("seed", range(5))
def test_partial_sort_matches_lexsort(
    seed: int, pairs: int, at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether most pairs' payees need sorting (all sorted in place, a slice of whole
    payees at a time) or a few (only those moved), the order is the stable lexsort's."""
    from clientchain.analyses import analyze

    monkeypatch.setattr(analyze, "_ORDERED_AT_ONCE", at_once)
    rng = np.random.default_rng(seed)
    roles = 50
    payee = np.sort(rng.integers(0, roles, size=pairs))
    net = rng.choice([1.0, 2.0, 2.5, 7.0], size=payee.size)
    expected = np.lexsort((-net, payee))
    payer = rng.permutation(payee.size)  # distinct: any pair out of place shows
    want = payee[expected], payer[expected], net[expected]
    _order_by_net(roles, payee, payer, net)
    assert all(np.array_equal(a, b) for a, b in zip((payee, payer, net), want, strict=True))


@pytest.mark.parametrize("seed", range(5))
def test_packed_pair_order_matches_lexsort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    major, minor = rng.integers(0, 7, size=500), rng.integers(0, 9, size=500)
    assert np.array_equal(pair_order(major, minor, 9), np.lexsort((minor, major)))


def test_pair_order_falls_back_when_keys_would_overflow() -> None:
    major, minor = np.array([2, 1, 2]), np.array([0, 5, 0])
    assert pair_order(major, minor, 2**40).tolist() == [1, 0, 2]


@pytest.mark.parametrize("seed", range(5))
def test_sorted_places_is_argsort_of_distinct_keys(seed: int) -> None:
    from clientchain.graph.sorting import sorted_places

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 400))
    key = rng.integers(0, 50, size=n) * n + np.arange(n)  # each key's place below
    assert np.array_equal(sorted_places(key.copy(), n), np.argsort(key))


@pytest.mark.parametrize("seed", range(5))
def test_run_bounds_match_searchsorted(seed: int) -> None:
    from clientchain.graph.sorting import run_bounds

    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 60))
    values = np.sort(rng.integers(0, count, size=int(rng.integers(0, 300))))
    expected = np.searchsorted(values, np.arange(count + 1))
    assert np.array_equal(run_bounds(values, count), expected)


@pytest.mark.parametrize("seed", range(5))
def test_flow_rows_in_canonical_order_match_lexsort(seed: int) -> None:
    """By pair, a pair's rows by amount, equal amounts in file order: the packed sort
    and the stable argsort it falls back on give lexsort's order, the keys in it and
    where each pair's rows start."""
    from clientchain.graph import money

    rng = np.random.default_rng(seed)
    key = rng.integers(0, 40, size=500)
    amount = rng.choice([0.5, 1.0, 2.25, 7.0], size=key.size)
    expected = np.lexsort((amount, key))
    starts = np.flatnonzero(np.diff(key[expected], prepend=-1))  # each pair's first row
    order, in_order, first = money._canonical_order(key.copy(), amount)
    assert np.array_equal(order, expected)
    assert np.array_equal(in_order, key[expected])
    assert np.array_equal(first, starts)
    huge = key + 2**62 // key.size  # too large to pack with the row's place
    order, in_order, first = money._canonical_order(huge.copy(), amount)
    assert np.array_equal(order, expected)
    assert np.array_equal(in_order, huge[expected])
    assert np.array_equal(first, starts)


def _values(rng: np.random.Generator, kind: int, n: int) -> np.ndarray:
    """Values of one kind: few distinct, unequal but sharing their leading bits, spread
    over the whole float range, signed, or with NaN and -0.0 (the ranked fallback)."""
    if kind == 0:
        return rng.choice([0.0, 1.0, 2.5, 7.0, np.inf], size=n)
    if kind == 1:  # neighbours a unit apart beside tiny and huge values: many share a
        # packed key's leading bits
        near = 2.0**52 + rng.integers(0, 30, size=n).astype(np.float64)
        return np.where(rng.random(n) < 0.1, rng.choice([1e-300, 1e300], size=n), near)
    if kind == 2:
        return rng.random(n) * 10.0 ** rng.integers(-300, 300, size=n).astype(np.float64)
    if kind == 3:  # one ulp apart
        return 1.0 + rng.integers(0, 5, size=n) * 2.0**-52
    if kind == 4:
        return rng.normal(size=n)
    return rng.choice([np.nan, -0.0, 0.0, 3.0, -2.0], size=n)


@pytest.mark.parametrize("kind", range(6))
@pytest.mark.parametrize("seed", range(4))
def test_descending_within_groups_matches_lexsort(kind: int, seed: int) -> None:
    from clientchain.graph.sorting import descending_within

    rng = np.random.default_rng(seed)
    for _ in range(40):
        n, groups = int(rng.integers(0, 400)), int(rng.integers(1, 50))
        group = rng.integers(0, groups, size=n)
        values = _values(rng, kind, n)
        expected = np.lexsort((-values, group))
        assert np.array_equal(descending_within(group, values, groups), expected)


@pytest.mark.parametrize("compared", [1 << 16, 5, 1])  # neighbours compared at a time
def test_descending_within_orders_values_that_share_their_leading_bits(
    compared: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So many groups and places that a packed key keeps only 8 bits of the values:
    1.0 and its neighbours, beside 0 and 1e300, fall in one step and are then ordered
    exactly, however many sorted neighbours are compared at a time."""
    from clientchain.graph import sorting
    from clientchain.graph.sorting import descending_within

    monkeypatch.setattr(sorting, "_SLICE", compared)
    rng = np.random.default_rng(7)
    n, groups = 2**12, 2**43
    group = np.sort(rng.integers(0, 3, size=n)) * (groups // 3)
    values = 1.0 + rng.integers(0, 3, size=n) * 2.0**-52
    values[:2] = 0.0, 1e300
    assert np.array_equal(descending_within(group, values, groups), np.lexsort((-values, group)))
