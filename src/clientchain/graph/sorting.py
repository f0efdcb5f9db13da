"""Sorts by two integer keys as one sort of distinct int64 keys.

np.lexsort sorts key by key with a generic comparison; packing (major, minor, index)
into one distinct integer and sorting that is several times faster at a million rows
and gives the same order (the index breaks ties the way the stable lexsort does).
"""

from __future__ import annotations

import numpy as np

from clientchain.graph.distinct import run_starts
from clientchain.graph.sparse_kernels import sparsetools
from clientchain.model.org import IntArray, index_type


def inverse_permutation(permutation: IntArray) -> IntArray:
    """The permutation that undoes `permutation` (new -> old becomes old -> new)."""
    inverse = np.empty_like(permutation)
    inverse[permutation] = np.arange(permutation.size)
    return inverse


def pair_order(major: IntArray, minor: IntArray, bound: int) -> IntArray:
    """np.lexsort((minor, major)) for non-negative integers below `bound`."""
    n = major.size
    if n == 0 or bound**2 * n >= 2**63:  # the packed key would not fit: sort key by key
        return np.lexsort((minor, major))
    key = (major.astype(np.int64) * bound + minor) * n + np.arange(n)
    return sorted_places(key, n)


def sorted_places(key: IntArray, n: int) -> IntArray:
    """The order of distinct non-negative keys whose remainder by n is their own place
    (key = k * n + place), as np.argsort(key) gives it, overwriting `key`: a sort of the
    values is 2-3x quicker than argsort, and the sorted keys hold their places.

    Sorted by timsort ("stable": the keys are distinct, any sort gives one order), which
    takes runs already in order as they are: keys made from an org chart's rows and
    pairs have many (flows by payee, the plan's edges by layer), and it was 2-3x quicker
    than the vectorised quicksort there (4M flow rows: 0.25 -> 0.12 s), ~25% slower on
    keys in no order at all."""
    key.sort(kind="stable")
    np.remainder(key, n, out=key)
    return key


def descending_rank(values: np.ndarray) -> tuple[IntArray, int]:
    """Per value: its place among the distinct values, largest first, and how many
    distinct values there are (so -values sort as these integers do)."""
    distinct, rank = np.unique(-values, return_inverse=True)
    return rank.astype(np.int64), int(distinct.size)


# A float64's bit pattern, read as an int64, orders the non-negative floats as their
# values do (up to +inf; above it the NaNs).
_INF_BITS = 0x7FF0_0000_0000_0000
# Fewer bits than this left for the values in a packed key: rank them exactly instead.
_FEWEST_VALUE_BITS = 8
_SLICE = 1 << 16  # sorted values compared with their neighbours at a time


def descending_within(group: IntArray, values: np.ndarray, groups: int) -> IntArray:
    """np.lexsort((-values, group)) for groups in [0, `groups`) and float64 values.

    For non-negative values, one sort of packed int64 keys (group, the value's leading
    bits, place) instead of ranking every value (np.unique's argsort, 0.3 s at three
    million): a float's bits order non-negative floats, and the bits a key has room for
    (those that vary, from the highest down) split nearly every pair of unequal values.
    Unequal values that share their leading bits are then ordered exactly, alone.
    """
    n = group.size
    place_bits = max(n - 1, 0).bit_length()
    value_bits = 63 - place_bits - max(groups - 1, 0).bit_length()
    if n == 0 or value_bits < _FEWEST_VALUE_BITS:
        return _descending_ranked(group, values, groups)
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    low, high = int(bits.min()), int(bits.max())
    if low < 0 or high > _INF_BITS:  # negative values, -0.0 or NaN
        return _descending_ranked(group, values, groups)
    shift = max(0, (high - low).bit_length() - value_bits)
    # The key built in place, one temporary at a time: at several million pairs each
    # column is tens of MB, and this runs near the end of an analysis, under its peak.
    key = np.subtract(high, bits)  # the largest value first
    key >>= shift
    key <<= place_bits
    part = group.astype(np.int64)
    part <<= value_bits + place_bits
    key |= part
    del part
    key |= np.arange(n)
    key.sort(kind="stable")  # (timsort: a payee's pairs often come in order; see sorted_places)
    order = key & ((1 << place_bits) - 1)
    step = key  # (group, leading bits), sorted
    step >>= place_bits
    # Neighbours in one step whose values rise (the values in sorted order gathered a
    # slice at a time: no third column of the pairs' length).
    rising = step[1:] == step[:-1]
    for lo in range(0, n - 1, _SLICE):
        ordered = values[order[lo : lo + _SLICE + 1]]
        rising[lo : lo + _SLICE] &= ordered[1:] > ordered[:-1]
    if rising.any():
        # Runs of one step whose values are out of order: those runs alone, sorted exactly
        # (found by searching the sorted steps: no label for every pair).
        unsorted = step[1:][rising]  # (sorted)
        unsorted = unsorted[run_starts(unsorted)]
        start = np.searchsorted(step, unsorted, side="left")
        length = np.searchsorted(step, unsorted, side="right") - start
        run = np.repeat(np.arange(unsorted.size), length)
        at = ranges_back_to_back(start, length, run.size)
        order[at] = order[at][_descending_ranked(run, values[order[at]], unsorted.size)]
    return order


def _descending_ranked(group: IntArray, values: np.ndarray, groups: int) -> IntArray:
    """np.lexsort((-values, group)) by ranking every value."""
    rank, distinct = descending_rank(values)
    return pair_order(group, rank, max(groups, distinct))


def ranges_back_to_back(lo: IntArray, lengths: IntArray, total: int | None = None) -> IntArray:
    """Every index of the ranges [lo, lo + length), range after range, in one pass:
    arange(total) counts through them back to back, and the repeated term moves each
    range's count onto its lo (`total`: the lengths' sum, if known)."""
    total = int(lengths.sum()) if total is None else total
    at: IntArray = np.repeat(lo - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    return at


def run_bounds(sorted_values: IntArray, count: int) -> IntArray:
    """np.searchsorted(sorted_values, np.arange(count + 1)) for sorted integers in
    [0, count): where each value's run starts, and the end; counted, not searched
    (3x quicker at a million)."""
    bounds = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_values, minlength=count), out=bounds[1:])
    return bounds


def grouped_order(keys: IntArray, bound: int) -> tuple[IntArray, IntArray]:
    """(np.argsort(keys, kind="stable"), run_bounds of the sorted keys) for integers in
    [0, bound), by one counting pass (scipy's compiled COO to CSR step): linear, 3-5x
    quicker than a sort of the keys at millions (int32 where the sizes allow)."""
    n = keys.size
    index = index_type(max(n, bound))
    bounds = np.empty(bound + 1, dtype=index)
    order = np.empty(n, dtype=index)
    # The kernel moves a value along with each entry: one byte each, thrown away.
    sparsetools().coo_tocsr(
        bound,
        max(n, 1),
        n,
        keys.astype(index),
        np.arange(n, dtype=index),
        np.zeros(n, dtype=np.int8),
        bounds,
        order,
        np.empty(n, dtype=np.int8),
    )
    return order, bounds
