"""Exact sums of float columns: `math.fsum`'s correctly rounded result, in numpy.

A float is m * 2**e with m a 53-bit integer. Cut m into a high and a low half (27 and
26 bits) and add each half's values per exponent: every such partial sum is an integer
below 2**53 while fewer than 2**26 values are added (each half is below 2**27), so a
float64 `bincount` adds them without rounding. The exact total is then a few hundred
integers at most, one per exponent and half, put together in Python's exact integers
and rounded once: the float nearest the exact sum, which is what `math.fsum`
returns, to the bit. Where fsum's own partial sums overflow (values near 1e308, never
money or headcounts), it raises and this returns the exact sum rounded, if that is a
float. Infinities, NaN, and a sum of zero (whose sign fsum decides) are fsum's to sum.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from clientchain.model.org import FloatArray, IntArray

_CHUNK = 1 << 16  # values cut into halves at a time (temporaries within the caches)
_LIST_CHUNK = 65_536  # floats made into Python objects at a time, for fsum (2 MB of them)
_VECTOR_FROM = 2048  # fewer values: fsum over them is as fast
_MANTISSA, _LOW = 53, 26
_LOW_MASK, _FRACTION = (1 << _LOW) - 1, (1 << 52) - 1
_EXPONENTS = 2048  # values of a float64's exponent field
_LOWEST = -1074 - 1  # a float is its 53-bit integer m times 2**(field - 1075)


def exact_sum(values: FloatArray) -> float:
    """math.fsum of the column, to the bit, without a Python float per element."""
    return exact_sums(values, None, 1)[0]


def exact_sums(values: FloatArray, groups: IntArray | None, count: int) -> list[float]:
    """Per group g < `count`: math.fsum of values[groups == g] (`groups` None: all in
    group 0), to the bit."""
    values = np.asarray(values, dtype=np.float64).ravel()
    if groups is not None:  # (any integer type: widened a chunk at a time below)
        groups = np.asarray(groups).ravel()
    if values.size < _VECTOR_FROM or not np.isfinite(values).all():
        return _fsums(values, groups, count)
    high = low = np.zeros(count * _EXPONENTS)
    for lo in range(0, values.size, _CHUNK):
        upper, lower, bins = _halves(values[lo : lo + _CHUNK])
        if groups is not None:
            bins += groups[lo : lo + _CHUNK].astype(np.int64) * _EXPONENTS
        # Each chunk's sums are exact; added up over many chunks they might not stay so
        # in floats: `_exact_add` turns to Python integers if they would not.
        high = _exact_add(high, np.bincount(bins, weights=upper, minlength=count * _EXPONENTS))
        low = _exact_add(low, np.bincount(bins, weights=lower, minlength=count * _EXPONENTS))
    sums = []
    for g in range(count):
        at = slice(g * _EXPONENTS, (g + 1) * _EXPONENTS)
        rounded = _rounded(_integer_total(high[at], low[at]))
        if rounded is None:  # (fsum decides: see the module's docstring)
            rounded = _fsum(values if groups is None else values[groups == g])
        sums.append(rounded)
    return sums


def _halves(values: FloatArray) -> tuple[IntArray, IntArray, IntArray]:
    """Per finite value m * 2**(e + _LOWEST), m a signed integer of 53 bits: m's high
    and low half (m = high * 2**26 + low, 0 <= low < 2**26) and e (0..2047), read
    from the value's bits."""
    bits = values.view(np.int64)
    biased = (bits >> 52) & 0x7FF  # the exponent field; 0: zero or subnormal
    normal = biased != 0
    mantissa = (bits & _FRACTION) | (normal.astype(np.int64) << 52)
    negative = bits >> 63  # -1 for a negative value, else 0
    mantissa ^= negative  # two's complement: -m is ~m + 1
    mantissa -= negative
    biased |= ~normal  # a subnormal's scale is that of the exponent field 1 (| True: 1)
    return mantissa >> _LOW, mantissa & _LOW_MASK, biased


def _exact_add(a: FloatArray, b: FloatArray) -> FloatArray:
    """a + b, exactly, while every entry stays below 2**53 (object ints beyond)."""
    total = a + b
    if np.abs(a).max(initial=0) + np.abs(b).max(initial=0) < 2.0**_MANTISSA:
        return total
    return np.asarray(
        [int(x) + int(y) for x, y in zip(a.tolist(), b.tolist(), strict=True)], dtype=object
    )


def _integer_total(high: np.ndarray, low: np.ndarray) -> int:
    """Sum over exponents k of (high[k] * 2**26 + low[k]) * 2**k, exactly."""
    total = 0
    for k in np.flatnonzero((high != 0) | (low != 0)).tolist():
        total += ((int(high[k]) << _LOW) + int(low[k])) << k
    return total


def _rounded(total: int) -> float | None:
    """total * 2**_LOWEST rounded once to a float; None for zero or beyond the floats."""
    if total == 0:
        return None
    try:
        return total / (1 << -_LOWEST)  # int / int is correctly rounded in Python
    except OverflowError:
        return None


def _fsums(values: FloatArray, groups: IntArray | None, count: int) -> list[float]:
    if groups is None:
        return [_fsum(values)]
    return [_fsum(values[groups == g]) for g in range(count)]


def _fsum(values: FloatArray) -> float:
    """math.fsum fed a chunk at a time: no list of every element (80 MB at a million)."""
    chunks = (values[lo : lo + _LIST_CHUNK].tolist() for lo in range(0, values.size, _LIST_CHUNK))
    return math.fsum(itertools.chain.from_iterable(chunks))
