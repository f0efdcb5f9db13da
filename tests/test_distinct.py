"""Searches among sorted keys (graph/distinct.py) give numpy's answers, in any order."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.graph import distinct
from clientchain.graph.distinct import member, search_sorted


@pytest.mark.parametrize("ordered_from", [1, 1 << 12])
@pytest.mark.parametrize(
    ("keys", "wanted"),
    [(5000, 6000), (5000, 10), (10, 5000), (1, 9000), (9000, 0)],
    ids=["many-many", "many-few", "few-many", "one-key", "none-wanted"],
)
def test_search_sorted_finds_what_searchsorted_finds(
    keys: int, wanted: int, ordered_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random keys with repeats, searched for in random order, in order, and past both
    ends: the same places as np.searchsorted, and np.isin's membership."""
    monkeypatch.setattr(distinct, "ORDERED_SEARCHES", ordered_from)
    rng = np.random.default_rng(keys + wanted)
    sorted_keys = np.sort(rng.integers(0, 3 * keys + 1, keys))
    for asked in (
        rng.integers(-5, 3 * keys + 10, wanted),
        np.sort(rng.integers(-5, 3 * keys + 10, wanted)),
        np.repeat(sorted_keys[-1:], wanted),
    ):
        np.testing.assert_array_equal(
            search_sorted(sorted_keys, asked), np.searchsorted(sorted_keys, asked)
        )
        np.testing.assert_array_equal(member(sorted_keys, asked), np.isin(asked, sorted_keys))
