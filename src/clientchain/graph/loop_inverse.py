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
    a = np.array(matrix, dtype=np.float64, copy=True)
    r = np.array(leak, dtype=np.float64, copy=True)
    k, s, _ = a.shape
    b = np.broadcast_to(np.eye(s), (k, s, s)).copy()  # right-hand sides: the identity
    pivot = np.empty((k, s), dtype=np.float64)
    diag = np.arange(s)
    a[:, diag, diag] = 0.0
    for p in range(s):
        rest = slice(p + 1, s)
        pivot[:, p] = r[:, p] + a[:, p, rest].sum(axis=1)
        factor = a[:, rest, p] / pivot[:, p, None]  # (k, s-p-1), >= 0
        a[:, rest, rest] += factor[:, :, None] * a[:, p, None, rest]
        r[:, rest] += factor * r[:, p, None]
        b[:, rest, :] += factor[:, :, None] * b[:, p, None, :]
        # Self-loop terms created on the diagonal are dropped: the next pivots are
        # rebuilt from the row sums (leaks) instead.
        a[:, diag[rest], diag[rest]] = 0.0
    x = np.empty_like(b)
    for p in range(s - 1, -1, -1):
        rest = slice(p + 1, s)
        carried = np.einsum("kj,kjc->kc", a[:, p, rest], x[:, rest, :])
        x[:, p, :] = (b[:, p, :] + carried) / pivot[:, p, None]
    return x
