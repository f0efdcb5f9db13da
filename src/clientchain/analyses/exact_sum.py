"""Exact sums of float columns without a Python float per element held at once."""

from __future__ import annotations

import itertools
import math

from clientchain.model.org import FloatArray

_CHUNK = 65_536  # floats made into Python objects at a time (2 MB of them)


def exact_sum(values: FloatArray) -> float:
    """math.fsum of the column, fed a chunk at a time: the same correctly rounded sum,
    without a list of every element (80 MB for the money rows of a million roles)."""
    chunks = (values[lo : lo + _CHUNK].tolist() for lo in range(0, values.size, _CHUNK))
    return math.fsum(itertools.chain.from_iterable(chunks))
