"""Distinct integers, sorted: np.unique's result without its cost.

numpy 2.4's np.unique finds the distinct values with a hash table and then sorts
them: on 315,000 pair keys it takes ~75 ms where a sort and a neighbour comparison
take ~4 ms. The result is the same array.
"""

from __future__ import annotations

import numpy as np

from clientchain.model.org import IntArray


def sorted_distinct(values: IntArray) -> IntArray:
    """np.unique(values) for a 1-D integer array."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    distinct: IntArray = ordered[first]
    return distinct
