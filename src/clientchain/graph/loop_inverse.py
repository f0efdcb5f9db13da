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

import numpy as np

from clientchain.model.org import FloatArray


def gth_inverse(matrix: FloatArray, leak: FloatArray) -> FloatArray:
    """(I - A)^-1 for a batch: matrix (k, s, s) >= 0 with zero diagonal, leak (k, s) >= 0.

    Each component must be fed (its total leak reaches every role), which makes
    every pivot positive.
    """
    k, s, _ = matrix.shape
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
        pivot[:, p] = work[:, p, s] + work[:, p, p + 1 : s].sum(axis=1)
        factor = work[:, p + 1 :, p] / pivot[:, p, None]  # (k, s-p-1), >= 0
        # a's columns past p, the leak, and b's columns up to p: row p of b is zero
        # right of column p (it only gains earlier rows), where each would add +0.
        span = slice(p + 1, s + 2 + p)
        work[:, p + 1 :, span] += factor[:, :, None] * work[:, p, None, span]
    x = np.empty((k, s, s), dtype=np.float64)
    for p in range(s - 1, -1, -1):
        rest = slice(p + 1, s)
        carried = np.einsum("kj,kjc->kc", a[:, p, rest], x[:, rest, :])
        x[:, p, :] = (b[:, p, :] + carried) / pivot[:, p, None]
    return x


def gth_inverses(loops: list[tuple[FloatArray, FloatArray]]) -> list[FloatArray]:
    """gth_inverse of each (matrix, leak) batch, all in one elimination.

    Small batches cost their ~20 numpy calls per role, not their sums: stacked, they
    pay them once. A loop smaller than the largest is padded at the front with roles
    that only leak: their steps add +0 everywhere and leave the loop's own sums (the
    same terms in the same order), so each inverse keeps its bits.
    """
    size = max(matrix.shape[1] for matrix, _ in loops)
    count = sum(matrix.shape[0] for matrix, _ in loops)
    matrices = np.zeros((count, size, size), dtype=np.float64)
    leaks = np.ones((count, size), dtype=np.float64)
    at = 0
    for matrix, leak in loops:
        k, s = leak.shape
        matrices[at : at + k, size - s :, size - s :] = matrix
        leaks[at : at + k, size - s :] = leak
        at += k
    inverse = gth_inverse(matrices, leaks)
    out: list[FloatArray] = []
    at = 0
    for _, leak in loops:
        k, s = leak.shape
        out.append(inverse[at : at + k, size - s :, size - s :].copy())
        at += k
    return out
