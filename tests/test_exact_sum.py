"""exact_sum / exact_sums: math.fsum's float, to the bit, however the values are spread
(magnitudes far apart, cancellations, subnormals, the largest floats), in any chunking."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from clientchain.analyses import exact_sum as module
from clientchain.analyses.exact_sum import exact_sum, exact_sums


def bits(x: float) -> int:
    return int(np.float64(x).view(np.int64))


def fsum_bits(values: np.ndarray) -> int:
    return bits(math.fsum(values.tolist()))


@pytest.fixture
def vectorised(monkeypatch: pytest.MonkeyPatch) -> None:
    """The numpy way from one value on, in chunks of 5 (many chunks, sizes straddling)."""
    monkeypatch.setattr(module, "_VECTOR_FROM", 1)
    monkeypatch.setattr(module, "_CHUNK", 5)
    monkeypatch.setattr(module, "_LIST_CHUNK", 7)


LIMIT = Fraction(2**1024 - 2**970)  # from here on, the nearest float is infinity
FINITE = st.floats(allow_nan=False, allow_infinity=False)
# Values that stress the cut into halves: subnormals, powers of two, the ends of the range.
EDGES = st.sampled_from(
    [
        5e-324,
        -5e-324,
        2.2250738585072014e-308,
        1.7976931348623157e308,
        -1.7976931348623157e308,
        2.0**-1074 * 3,
        1.0,
        -1.0,
        0.1,
        1e16,
        -1e16,
        2.0**53,
        2.0**53 + 2,
        0.0,
        -0.0,
    ]
)


@given(hnp.arrays(np.float64, st.integers(0, 60), elements=st.one_of(FINITE, EDGES)))
def test_any_values_sum_to_their_exact_sum_rounded_once(values: np.ndarray) -> None:
    # (the fixture's settings, by hand: given and function-scoped fixtures do not mix)
    saved = module._VECTOR_FROM, module._CHUNK
    module._VECTOR_FROM, module._CHUNK = 1, 5
    try:
        exact = sum((Fraction(x) for x in values.tolist()), Fraction(0))
        if abs(exact) >= LIMIT:  # rounds to infinity: no float, as for fsum
            with pytest.raises(OverflowError):
                exact_sum(values)
            return
        got = exact_sum(values)
        assert bits(got) == bits(float(exact)) or exact == 0 == got
        try:
            expected = math.fsum(values.tolist())
        except OverflowError:  # fsum's own way overflowed: the exact sum is returned
            return
        assert bits(got) == bits(expected)  # fsum's float, -0.0 included
    finally:
        module._VECTOR_FROM, module._CHUNK = saved


@pytest.mark.parametrize("seed", range(6))
def test_money_like_columns_sum_as_fsum(seed: int, vectorised: None) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 400))
    # Magnitudes far apart, signs mixed, and sums that cancel to a sliver.
    values = rng.standard_normal(size) * 10.0 ** rng.integers(-300, 300, size)
    values = np.r_[values, -values[: size // 2], rng.random(size) / 3]
    rng.shuffle(values)
    assert bits(exact_sum(values)) == fsum_bits(values)


@pytest.mark.parametrize("seed", range(4))
def test_each_group_sums_as_fsum_of_its_values(seed: int, vectorised: None) -> None:
    rng = np.random.default_rng(seed)
    values = np.round(rng.random(300) * 10.0 ** rng.integers(0, 9, 300), 2)
    groups = rng.integers(0, 4, 300)
    groups[groups == 3] = 2  # group 3: no values at all
    got = exact_sums(values, groups, 4)
    assert [bits(x) for x in got] == [fsum_bits(values[groups == g]) for g in range(4)]
    assert got[3] == 0.0


def test_sums_beyond_the_floats_are_fsums_to_judge(vectorised: None) -> None:
    big = np.full(4, 1.7976931348623157e308)
    with pytest.raises(OverflowError):
        math.fsum(big.tolist())
    with pytest.raises(OverflowError):
        exact_sum(big)
    # ... but a sum that comes back within range is exact, where fsum's way overflows.
    back = np.r_[big, -big, 1.5]
    with pytest.raises(OverflowError):
        math.fsum(back.tolist())
    assert exact_sum(back) == 1.5


def test_infinities_and_nan_are_fsums_to_judge(vectorised: None) -> None:
    assert exact_sum(np.array([1.0, np.inf])) == math.inf
    assert math.isnan(exact_sum(np.array([1.0, np.nan])))
    with pytest.raises(ValueError):
        exact_sum(np.array([np.inf, -np.inf]))


def test_a_zero_sum_has_fsums_sign(vectorised: None) -> None:
    for values in ([-0.0], [-0.0, -0.0], [1.0, -1.0], [0.0]):
        column = np.array(values)
        assert bits(exact_sum(column)) == fsum_bits(column)


def test_a_long_column_sums_as_fsum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "_CHUNK", 1 << 12)  # ~70 chunks
    rng = np.random.default_rng(5)
    values = (2.0**52 + rng.integers(0, 2**30, 300_000)) * 2.0 ** rng.integers(-3, 3, 300_000)
    assert bits(exact_sum(values)) == fsum_bits(values)
    assert bits(exact_sum(values[::7])) == fsum_bits(values[::7])  # a strided view


def test_chunk_sums_beyond_exact_floats_are_added_as_integers() -> None:
    # (2**26 values of a chunk's size would take this far: too many for a test)
    a = np.array([2.0**52 + 1, 3.0, -(2.0**52) - 1])
    b = np.array([2.0**52 + 3, 2.0**53 - 1, -(2.0**52) - 5])
    added = module._exact_add(a, b)
    assert [int(x) for x in added] == [int(x) + int(y) for x, y in zip(a, b, strict=True)]
    small = module._exact_add(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert small.dtype == np.float64 and small.tolist() == [4.0, 6.0]


def test_a_strided_view_is_summed_as_its_values() -> None:
    values = np.arange(20_000, dtype=np.float64) / 3.0
    assert exact_sum(values[::3]) == math.fsum(values[::3].tolist())
