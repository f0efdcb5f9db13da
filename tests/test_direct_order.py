"""Direct clients' order: the partial sort equals the full stable lexsort."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.analyses.analyze import _by_payee_then_net
from clientchain.graph.sorting import pair_order


@pytest.mark.parametrize("seed", range(5))
def test_partial_sort_matches_lexsort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    roles = 50
    payee = np.sort(rng.integers(0, roles, size=300))
    net = rng.choice([1.0, 2.0, 2.5, 7.0], size=payee.size)
    expected = np.lexsort((-net, payee))
    assert np.array_equal(_by_payee_then_net(roles, payee, net), expected)


@pytest.mark.parametrize("seed", range(5))
def test_packed_pair_order_matches_lexsort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    major, minor = rng.integers(0, 7, size=500), rng.integers(0, 9, size=500)
    assert np.array_equal(pair_order(major, minor, 9), np.lexsort((minor, major)))


def test_pair_order_falls_back_when_keys_would_overflow() -> None:
    major, minor = np.array([2, 1, 2]), np.array([0, 5, 0])
    assert pair_order(major, minor, 2**40).tolist() == [1, 0, 2]
