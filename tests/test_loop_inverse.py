"""GTH inverses of money loops: the leaner elimination gives the reference's bits."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.graph.loop_inverse import gth_inverse


def _reference_gth_inverse(matrix: np.ndarray, leak: np.ndarray) -> np.ndarray:
    """The elimination as first written: the diagonal zeroed every step, and every
    column of the right-hand sides updated."""
    a = np.array(matrix, dtype=np.float64, copy=True)
    r = np.array(leak, dtype=np.float64, copy=True)
    k, s, _ = a.shape
    b = np.broadcast_to(np.eye(s), (k, s, s)).copy()
    pivot = np.empty((k, s), dtype=np.float64)
    diag = np.arange(s)
    a[:, diag, diag] = 0.0
    for p in range(s):
        rest = slice(p + 1, s)
        pivot[:, p] = r[:, p] + a[:, p, rest].sum(axis=1)
        factor = a[:, rest, p] / pivot[:, p, None]
        a[:, rest, rest] += factor[:, :, None] * a[:, p, None, rest]
        r[:, rest] += factor * r[:, p, None]
        b[:, rest, :] += factor[:, :, None] * b[:, p, None, :]
        a[:, diag[rest], diag[rest]] = 0.0
    x = np.empty_like(b)
    for p in range(s - 1, -1, -1):
        rest = slice(p + 1, s)
        carried = np.einsum("kj,kjc->kc", a[:, p, rest], x[:, rest, :])
        x[:, p, :] = (b[:, p, :] + carried) / pivot[:, p, None]
    return x


def _loops(
    rng: np.random.Generator, k: int, s: int, density: float
) -> tuple[np.ndarray, np.ndarray]:
    """k random fed loops of s roles: shares of inflow (rows sum with the leak to 1)."""
    weight = rng.random((k, s, s)) ** 3 * (rng.random((k, s, s)) < density)
    weight[:, np.arange(s), np.arange(s)] = 0.0
    outside = rng.random((k, s)) * 10.0 ** rng.integers(-9, 1, size=(k, s))
    total = weight.sum(axis=2) + outside
    return weight / total[:, :, None], outside / total


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 31, 48])
@pytest.mark.parametrize("density", [0.1, 0.5, 1.0])
def test_gth_inverse_gives_the_reference_bits(size: int, density: float) -> None:
    rng = np.random.default_rng(size * 10 + int(density * 10))
    matrix, leak = _loops(rng, 7, size, density)
    for alpha in (0.5, 1.0):
        got = gth_inverse(alpha * matrix, (1.0 - alpha) + alpha * leak)
        expected = _reference_gth_inverse(alpha * matrix, (1.0 - alpha) + alpha * leak)
        assert np.array_equal(got.view(np.int64), expected.view(np.int64))


def test_gth_inverse_ignores_the_diagonal_it_is_given() -> None:
    """Self-loops are not money between roles: whatever the diagonal holds, the inverse
    is that of the loop without it (as when it was zeroed first)."""
    rng = np.random.default_rng(7)
    matrix, leak = _loops(rng, 4, 6, 0.6)
    noisy = matrix.copy()
    noisy[:, np.arange(6), np.arange(6)] = rng.random((4, 6))
    assert np.array_equal(gth_inverse(noisy, leak), gth_inverse(matrix, leak))


@pytest.mark.parametrize("size", [1, 2, 7, 24, 48])
@pytest.mark.parametrize("count", [1, 3, 40])
def test_loops_stacked_for_several_alphas_keep_their_own_bits(size: int, count: int) -> None:
    """The sweep inverts a small batch for the decay and 1.0 in one elimination: each
    loop's inverse must be the one it gets alone."""
    rng = np.random.default_rng(size * 100 + count)
    matrix, leak = _loops(rng, count, size, 0.4)
    alphas = (0.5, 1.0)
    alone = [gth_inverse(a * matrix, (1.0 - a) + a * leak) for a in alphas]
    stacked = gth_inverse(
        np.concatenate([a * matrix for a in alphas]),
        np.concatenate([(1.0 - a) + a * leak for a in alphas]),
    )
    for i, inverse in enumerate(alone):
        part = stacked[i * count : (i + 1) * count]
        assert np.array_equal(part.view(np.int64), inverse.view(np.int64))


@pytest.mark.parametrize("sizes", [[2, 3, 4], [5, 8, 7, 6], [9, 16, 12], [1, 17, 32, 33, 48]])
def test_loops_of_several_sizes_in_one_elimination_keep_their_own_bits(sizes: list[int]) -> None:
    """Small batches are inverted together, padded at the front to the largest size:
    each must come out as it does alone (the sweep stacks every size class so)."""
    from clientchain.graph.loop_inverse import gth_inverses

    rng = np.random.default_rng(sum(sizes))
    loops = [_loops(rng, int(rng.integers(1, 30)), size, 0.4) for size in sizes]
    together = gth_inverses(loops)
    for (matrix, leak), inverse in zip(loops, together, strict=True):
        alone = gth_inverse(matrix, leak)
        assert np.array_equal(inverse.view(np.int64), alone.view(np.int64))


@pytest.mark.parametrize("seed", range(4))
def test_loops_in_any_order_skip_only_padding_steps(seed: int) -> None:
    """Stacked largest first, each step runs over the loops with a row there: loops of
    many sizes in any order (single loops among them) still get their own bits."""
    from clientchain.graph.loop_inverse import gth_inverses

    rng = np.random.default_rng(100 + seed)
    sizes = rng.permutation([1, 2, 3, 3, 5, 9, 17, 17, 20, 31, 32])[: 6 + seed]
    loops = [
        _loops(rng, int(rng.integers(1, 4)), int(size), float(rng.random()))
        for size in sizes.tolist()
    ]
    together = gth_inverses(loops)
    for (matrix, leak), inverse in zip(loops, together, strict=True):
        alone = gth_inverse(matrix, leak)
        assert np.array_equal(inverse.view(np.int64), alone.view(np.int64))
