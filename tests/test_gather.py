"""The per-layer gather sums each target's terms exactly as np.add.reduceat does.

Every earlier release summed a layer with reduceat, so the figures depend on its
order to the last bit; these tests compare the gather with reduceat itself on
random groups, bit for bit (the float64 bit patterns, not a tolerance).
"""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.graph import gather as gathers


def _layer(
    rng: np.random.Generator, sizes: np.ndarray, roles: int, gap: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges sorted by target (every `gap`-th of the last roles), sources before them."""
    first_target = roles - gap * sizes.size
    dst = np.repeat(first_target + gap * np.arange(sizes.size), sizes)
    src = rng.integers(0, first_target, size=dst.size)
    weight = rng.random(dst.size) ** 3
    return src, dst, weight


def _values(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values over 16 orders of magnitude, with either sign: rounding shows in any order."""
    spread = 10.0 ** rng.integers(-8, 8, size=shape[:1] + (1,) * (len(shape) - 1))
    values: np.ndarray = rng.standard_normal(shape) * spread
    return values


def _reduceat(
    x: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, scale: object
) -> np.ndarray:
    """What the sweep computed before the gather existed."""
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    terms = x[src] * weight.reshape((-1,) + (1,) * (x.ndim - 1))
    expected = x.copy()
    expected[dst[starts]] += np.add.reduceat(terms, starts, axis=0) * scale
    return expected


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


def _gathers_as_reduceat(
    rng: np.random.Generator,
    sizes: np.ndarray,
    roles: int,
    shape: tuple[int, ...],
    scale: np.ndarray | float,
    gap: int = 1,
) -> bool:
    """One random layer of these group sizes, gathered and reduced: the same bits?"""
    src, dst, weight = _layer(rng, sizes, roles, gap)
    x = _values(rng, shape)
    expected = _reduceat(x, src, dst, weight, scale)
    gathers.gather(src, dst, weight, roles).add_into(x, scale)
    return _same_bits(x, expected)


@pytest.mark.parametrize("seed", range(4))
def test_every_group_size_up_to_2000_sums_as_reduceat(seed: int) -> None:
    """Sizes 1..2000 cover every path: plain sums, one block of 8 running sums with a
    tail, and runs halved one or more times (past 129 terms)."""
    rng = np.random.default_rng(seed)
    sizes = np.arange(1 + seed, 2001, 4)
    rng.shuffle(sizes)
    roles = 3000
    src, dst, weight = _layer(rng, sizes, roles)
    x = _values(rng, (roles, 3))
    scale = np.array([0.5, 1.0, 0.85])
    expected = _reduceat(x, src, dst, weight, scale)
    gathers.gather(src, dst, weight, roles).add_into(x, scale)
    assert _same_bits(x, expected)


@pytest.mark.parametrize(("chunk", "gap"), [(1, 1), (7, 2), (300, 1), (5000, 3)])
def test_chunks_of_whole_groups_sum_as_reduceat(
    chunk: int, gap: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long groups summed a few at a time (halved ones too), targets in one run of
    positions or scattered, give the same bits."""
    monkeypatch.setattr(gathers, "GATHER_CHUNK", chunk)
    rng = np.random.default_rng(chunk)
    sizes = rng.choice([1, 2, 8, 9, 10, 16, 17, 129, 130, 137, 300, 1025], size=60)
    assert _gathers_as_reduceat(rng, sizes, 1000, (1000, 4), 0.25, gap)


def test_a_single_column_sums_as_reduceat() -> None:
    """One vector (x one-dimensional) takes the single-vector kernel: same bits."""
    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 700, size=80)
    assert _gathers_as_reduceat(rng, sizes, 1000, (1000,), 0.75)


@pytest.mark.parametrize("sizes", [[1, 3, 8], [9], [4000], [2, 140, 1, 9]])
def test_only_short_or_only_long_groups(sizes: list[int]) -> None:
    """A layer with no hub, or nothing but hubs, or one huge group."""
    rng = np.random.default_rng(len(sizes))
    assert _gathers_as_reduceat(rng, np.array(sizes), 5000, (5000, 2), 1.0)


def test_a_target_reads_sources_updated_by_an_earlier_layer() -> None:
    """Two layers in turn: the second sums what the first wrote, as the sweep does."""
    rng = np.random.default_rng(11)
    roles = 400
    first = (rng.integers(0, 100, size=300), np.repeat(np.arange(100, 103), 100))
    second = (rng.integers(0, 103, size=500), np.repeat(np.arange(200, 205), 100))
    x = _values(rng, (roles, 3))
    expected = x.copy()
    for src, dst in (first, second):
        weight = rng.random(dst.size)
        expected = _reduceat(expected, src, dst, weight, 0.5)
        gathers.gather(src, dst, weight, roles).add_into(x, 0.5)
    assert _same_bits(x, expected)
