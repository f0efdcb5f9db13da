"""Direct clients' order: the partial sort equals the full stable lexsort."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.analyses.analyze import _by_payee_then_net


@pytest.mark.parametrize("seed", range(5))
def test_partial_sort_matches_lexsort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    roles = 50
    payee = np.sort(rng.integers(0, roles, size=300))
    net = rng.choice([1.0, 2.0, 2.5, 7.0], size=payee.size)
    expected = np.lexsort((-net, payee))
    assert np.array_equal(_by_payee_then_net(roles, payee, net), expected)
