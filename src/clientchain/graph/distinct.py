"""Distinct integers, sorted: np.unique's result without its cost.

numpy 2.4's np.unique finds the distinct values with a hash table and then sorts
them: on 315,000 pair keys it takes ~75 ms where a sort and a neighbour comparison
take ~4 ms. The result is the same array. Its first call also imports numpy.ma
(~8 ms, a few percent of a 10,000-role run), which nothing else here needs.
"""

from __future__ import annotations

import numpy as np

from clientchain.model.org import IntArray

# Searches among sorted keys go in ascending order from this many on (search_sorted).
ORDERED_SEARCHES = 1 << 12


def sorted_distinct(values: IntArray) -> IntArray:
    """np.unique(values) for a 1-D integer array."""
    ordered = np.sort(values)
    distinct: IntArray = ordered[run_starts(ordered)]
    return distinct


def flagged(values: IntArray, bound: int) -> np.ndarray:
    """Per integer in [0, bound): whether it is among `values`."""
    seen = np.zeros(bound, dtype=bool)
    seen[values] = True
    return seen


def distinct_below(values: IntArray, bound: int) -> tuple[IntArray, IntArray]:
    """np.unique(values, return_inverse=True) for integers in [0, bound): marked in a
    table of `bound` flags and numbered by a running count, no sort (for a bound of the
    order of the values' count: node numbers; 10x quicker at 400,000 of a million)."""
    seen = flagged(values, bound)
    number = np.cumsum(seen, dtype=np.int64)
    number -= 1
    distinct: IntArray = np.flatnonzero(seen)
    return distinct, number[values]


def member(sorted_keys: IntArray, wanted: IntArray) -> np.ndarray:
    """np.isin(wanted, sorted_keys) for integers, `sorted_keys` sorted: one search each,
    and no np.isin (which imports numpy.ma, ~8 ms)."""
    if sorted_keys.size == 0:
        return np.zeros(wanted.shape, dtype=bool)
    found = np.minimum(search_sorted(sorted_keys, wanted), sorted_keys.size - 1)
    return np.asarray(sorted_keys[found] == wanted)


def search_sorted(sorted_keys: np.ndarray, wanted: np.ndarray) -> IntArray:
    """np.searchsorted(sorted_keys, wanted) for a 1-D `wanted`, its searches made in
    ascending order where they are many (ORDERED_SEARCHES): numpy starts each search
    from where the last one ended, whose path is then in cache. A million random keys
    among four million took 2.1 s in a slow spell, 0.29 s sorted first."""
    if wanted.size < ORDERED_SEARCHES or sorted_keys.size < ORDERED_SEARCHES:
        return np.asarray(np.searchsorted(sorted_keys, wanted))
    if not np.any(wanted[1:] < wanted[:-1]):  # (in order already)
        return np.asarray(np.searchsorted(sorted_keys, wanted))
    order = np.argsort(wanted)
    found = np.empty(wanted.size, dtype=np.intp)
    found[order] = np.searchsorted(sorted_keys, wanted[order])
    return found


def run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts: np.r_[True, a[1:] != a[:-1]] without the
    cost of np.r_ (a boolean mask; empty for an empty array)."""
    starts = np.empty(sorted_values.size, dtype=bool)
    starts[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=starts[1:])
    return starts
