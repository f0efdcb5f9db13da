"""Sorts by two integer keys as one sort of distinct int64 keys.

np.lexsort sorts key by key with a generic comparison; packing (major, minor, index)
into one distinct integer and sorting that is several times faster at a million rows
and gives the same order (the index breaks ties the way the stable lexsort does).
"""

from __future__ import annotations

import numpy as np

from clientchain.model.org import IntArray


def pair_order(major: IntArray, minor: IntArray, bound: int) -> IntArray:
    """np.lexsort((minor, major)) for non-negative integers below `bound`."""
    n = major.size
    if n == 0 or bound**2 * n >= 2**63:  # the packed key would not fit: sort key by key
        return np.lexsort((minor, major))
    key = (major.astype(np.int64) * bound + minor) * n + np.arange(n)
    # Distinct keys have one sorted order, so the fastest (unstable) sort gives it.
    order: IntArray = np.argsort(key)
    return order


def descending_rank(values: np.ndarray) -> tuple[IntArray, int]:
    """Per value: its place among the distinct values, largest first, and how many
    distinct values there are (so -values sort as these integers do)."""
    distinct, rank = np.unique(-values, return_inverse=True)
    return rank.astype(np.int64), int(distinct.size)
