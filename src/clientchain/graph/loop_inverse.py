"""Inverses of I - A for money loops, without cancellation (GTH elimination).

A is a substochastic matrix (A[v, u] = share of v's inflow paid by u inside the
loop) and `leak[v]` is the share of v's inflow that comes from outside the loop.
Plain Gaussian elimination forms pivots like 1 - a*b, which lose every digit
when a loop turns its money over many times before it leaks out. The
Grassmann-Taksar-Heyman variant never subtracts: a pivot is the row's leak plus
its remaining off-diagonal entries, and every update adds non-negative terms.
The inverse comes out accurate entry by entry (and non-negative), so
`inverse @ b` for non-negative b is accurate too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clientchain.model.org import FloatArray


def room_at(leak: FloatArray, alpha: float) -> FloatArray:
    """Each role's row sum of I - alpha A, 1 - alpha (1 - leak), written without a
    subtraction (`leak`: its share of inflow from outside the loop): GTH's pivots, the
    peeling's and the factors' check start from it."""
    room: FloatArray = (1.0 - alpha) + alpha * leak
    return room


def gth_inverse(
    matrix: FloatArray, leak: FloatArray, taking_part: Sequence[int] | None = None
) -> FloatArray:
    """(I - A)^-1 for a batch: matrix (k, s, s) >= 0 with zero diagonal, leak (k, s) >= 0.

    Each component must be fed (its total leak reaches every role), which makes
    every pivot positive. `taking_part[p]`: only the first that many loops have a
    step p (the others are padding there, see gth_inverses; default: all k); a loop's
    rows are then read only from its first step on.
    """
    k, s, _ = matrix.shape
    part = [k] * s if taking_part is None else list(taking_part)
    # One array [a | leak | b] (b: the right-hand sides, the identity): a step updates
    # a's rest, the leaks and b's filled columns as one slice, with the multiply-add
    # each entry had as three updates (same bits, a third of the calls: small batches
    # are dominated by them).
    work = np.zeros((k, s, 2 * s + 1), dtype=np.float64)
    work[:, :, :s] = matrix
    work[:, :, s] = leak
    work[:, np.arange(s), s + 1 + np.arange(s)] = 1.0
    a, b = work[:, :, :s], work[:, :, s + 1 :]
    pivot = np.empty((k, s), dtype=np.float64)
    # The diagonal of a is never read (pivots come from the leaks and the entries right
    # of it; the updates read rows and columns past the pivot): the self-loop terms the
    # elimination adds there are left as they fall, not zeroed each step.
    for p in range(s):
        m = part[p]
        pivot[:m, p] = work[:m, p, s] + work[:m, p, p + 1 : s].sum(axis=1)
        factor = work[:m, p + 1 :, p] / pivot[:m, p, None]  # (m, s-p-1), >= 0
        # a's columns past p, the leak, and b's columns up to p: row p of b is zero
        # right of column p (it only gains earlier rows), where each would add +0.
        span = slice(p + 1, s + 2 + p)
        work[:m, p + 1 :, span] += factor[:, :, None] * work[:m, p, None, span]
    x = np.empty((k, s, s), dtype=np.float64)
    for p in range(s - 1, -1, -1):
        m, rest = part[p], slice(p + 1, s)
        carried = np.einsum("kj,kjc->kc", a[:m, p, rest], x[:m, rest, :])
        x[:m, p, :] = (b[:m, p, :] + carried) / pivot[:m, p, None]
    return x


def gth_inverses(loops: list[tuple[FloatArray, FloatArray]]) -> list[FloatArray]:
    """gth_inverse of each (matrix, leak) batch, all in one elimination.

    Small batches cost their ~20 numpy calls per role, not their sums: stacked, they
    pay them once. A loop smaller than the largest is padded at the front with roles
    that only leak: their steps would add +0 everywhere and leave the loop's own sums
    (the same terms in the same order), so each inverse keeps its bits. Those steps
    are skipped: the loops are stacked largest first, and step p runs over only the
    loops that have a row there (a loop of 17 padded to 32 costs ~a third, not all).
    """
    size = max(matrix.shape[1] for matrix, _ in loops)
    count = sum(matrix.shape[0] for matrix, _ in loops)
    matrices = np.zeros((count, size, size), dtype=np.float64)
    leaks = np.ones((count, size), dtype=np.float64)
    largest_first = sorted(range(len(loops)), key=lambda i: -loops[i][1].shape[1])
    at: dict[int, int] = {}  # loop -> its first place in the stack
    # Per step p: how many of the stack's first loops have a row there (size - s <= p).
    taking_part = [0] * size
    filled = 0
    for i in largest_first:
        matrix, leak = loops[i]
        k, s = leak.shape
        matrices[filled : filled + k, size - s :, size - s :] = matrix
        leaks[filled : filled + k, size - s :] = leak
        at[i] = filled
        filled += k
        for p in range(size - s, size):
            taking_part[p] = filled
    inverse = gth_inverse(matrices, leaks, taking_part)
    out: list[FloatArray] = []
    for i, (_, leak) in enumerate(loops):
        k, s = leak.shape
        out.append(inverse[at[i] : at[i] + k, size - s :, size - s :].copy())
    return out
