"""Lower-triangular systems solved level by level, every column at once, or row by row
where the levels are many and thin.

A Gauss-Seidel sweep solves with the lower triangle L of a loop's system. SuperLU's
triangular solve does one column at a time and streams L's factors each time: at a
million roles (a kept system of 140,000 roles and 600,000 entries below the diagonal)
that was 4 ms a column and a sweep, 10 s of a run. Here L's rows are grouped in levels
(a row's level is one more than that of any row it takes from: the longest path in
L's graph), and each level is one division and one compiled product that hands its
rows' values on to the rows below (csc_matvecs, adding into x): L is read once a
sweep for every column, and a recharge loop has about 150 levels.

A level costs its numpy calls, about 2 microseconds, whatever its size: a ring of
100,000 roles paying the next one round (one row a level) took 0.26 s a sweep that
way, against 3 ms row by row. So a triangle with more levels than LEVEL_ENTRIES of
its entries can pay for goes to SuperLU's substitution after all (`gstrs`, as scipy's
spsolve_triangular calls it), or to LAPACK's banded one where its entries lie within
BAND_DEPTH rows of the diagonal (a chain in its own order).

The terms are the same as in substitution, so nothing is subtracted when L's entries
below the diagonal are <= 0 and the right-hand side is >= 0.
"""

from __future__ import annotations

from typing import overload

import numpy as np

from clientchain.graph.layering import longest_path_layers
from clientchain.graph.sorting import inverse_permutation
from clientchain.graph.sparse_kernels import flapack, sparsetools, superlu
from clientchain.graph.square_csc import SquareCsc
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

# A level's numpy calls cost about what SuperLU's substitution spends on this many of
# L's entries (its diagonal included) for one column: measured on lower triangles of
# 500,000 entries in 300 to 10,000 levels, substitution wins from about 1,500 levels
# for one column, 3,000 for eight.
LEVEL_ENTRIES = 256
# Columns substituted at a time: SuperLU's solve touches every column of its right-hand
# side for each entry of L; a hundred columns of 100,000 rows at once took 47 ns a row
# and a column against 13-17 for groups of 8, whose rows stay in cache.
SUBSTITUTED_COLUMNS = 8
# What substitution costs a row and a column, in multiply-adds (the unit of the client
# sweeps' estimates, about a nanosecond, see client_sweeps.FORK_WORK): a ring of 100,000
# roles took 5.6 ms a column for its two sweeps, where its entries counted 0.6 ms.
SUBSTITUTION_WORK = 16
# A triangle whose entries all lie within this many rows below its diagonal (a chain
# in its own order: a ring of roles each paying the next) is substituted by LAPACK's
# banded solve (dtbtrs), not SuperLU's: 4 columns of a ring of a million roles took
# 28 ms so, copies to LAPACK's column order and back included, 55 ms by SuperLU, and
# its blocks of clients 0.23 s a sweep of 4 columns against 0.37.
BAND_DEPTH = 8
# The band is stored whole, its zeros too: taken where it holds at most this many
# times the triangle's entries (a sparse band is no quicker than SuperLU's: 200,000
# rows of depth 1 but for one entry 8 below, 12.3 ms for 4 columns against 12.9).
BAND_FILL = 2
# What it costs a row and a column, in multiply-adds, besides one a row of its depth
# (200,000 rows, 4 columns: 7.8 ns a row and a column at depth 1, 12.8 at 4, 14.9 at 8).
BAND_WORK = 6


@holder
class LevelSolve:
    """L x = b for a lower-triangular L whose rows are numbered level by level."""

    bounds: list[int]  # level k: rows bounds[k]..bounds[k + 1]
    diagonal: FloatArray
    starts: list[IntArray]  # per level: its columns' entries, as an indptr from 0
    entries: list[int]  # per level: where its columns' entries start
    indices: IntArray  # the entries below the diagonal, by column: rows (intc)
    taken: FloatArray  # and -L there (>= 0 in a loop's system)

    def solve(self, x: FloatArray) -> FloatArray:
        """x in place of b (rows x columns, C order)."""
        tools = sparsetools()
        size = x.shape[0]
        columns = 1 if x.ndim == 1 else x.shape[1]
        flat = x.reshape(-1)
        diagonal = self.diagonal if x.ndim == 1 else self.diagonal[:, None]
        for k in range(len(self.bounds) - 1):
            first, end = self.bounds[k], self.bounds[k + 1]
            x[first:end] /= diagonal[first:end]
            p0, p1 = self.entries[k], self.entries[k + 1]
            if p1 > p0:
                tools.csc_matvecs(
                    size,
                    end - first,
                    columns,
                    self.starts[k],
                    self.indices[p0:p1],
                    self.taken[p0:p1],
                    x[first:end].reshape(-1),
                    flat,
                )
        return x


def lower_solve(
    lower: SquareCsc,
) -> tuple[IntArray | None, LevelSolve | SubstitutionSolve | BandSolve]:
    """How to solve with a lower-triangular matrix (its diagonal included): level by
    level, its rows numbered level by level (their order returned, new -> old), or row
    by row in its own order (None) where its levels are more than LEVEL_ENTRIES of its
    entries can pay for (found without numbering them all: a ring of a million roles
    has a million levels, and walking them cost 4 us each)."""
    # (LEVEL_ENTRIES 0: levels are free, always by level)
    deepest = lower.data.size // LEVEL_ENTRIES - 1 if LEVEL_ENTRIES > 0 else None
    found = levels(lower, deepest)
    if found is None:
        return None, _substitution(lower)
    order, bounds = found
    return order, level_solve(lower.renumbered(inverse_permutation(order)), bounds)


@overload
def levels(lower: SquareCsc) -> tuple[IntArray, list[int]]: ...
@overload
def levels(lower: SquareCsc, deepest: int | None) -> tuple[IntArray, list[int]] | None: ...
def levels(lower: SquareCsc, deepest: int | None = None) -> tuple[IntArray, list[int]] | None:
    """The rows of a lower-triangular matrix by level (the longest path to them from
    rows that take from none), in their given order within a level (new -> old), and
    where each level starts in that order (one more at the end); None when a level is
    deeper than `deepest` (if given)."""
    columns = lower.entry_columns()
    below = lower.indices > columns
    targets = lower.indices[below].astype(np.int64)
    level = longest_path_layers(lower.size, columns[below], targets, deepest)
    if level is None:
        return None
    order: IntArray = np.argsort(level, kind="stable")
    bounds: list[int] = np.searchsorted(level[order], np.arange(int(level.max()) + 2)).tolist()
    return order, bounds


@holder
class SubstitutionSolve:
    """L x = b row after row by SuperLU's triangular solve, every column in turn."""

    scaled: SquareCsc  # L with each column below the diagonal divided by its diagonal

    def solve(self, x: FloatArray) -> FloatArray:
        """x in place of b (rows, or rows x columns; SUBSTITUTED_COLUMNS at a time)."""
        if x.ndim == 1:
            x[...] = substitute(self.scaled, None, x)
            return x
        for first in range(0, x.shape[1], SUBSTITUTED_COLUMNS):
            group = x[:, first : first + SUBSTITUTED_COLUMNS]
            group[...] = substitute(self.scaled, None, group)
        return x


@holder
class BandSolve:
    """L x = b for a lower-triangular L whose entries lie at most BAND_DEPTH rows below
    its diagonal (and fill its band: BAND_FILL), by LAPACK's banded substitution
    (dtbtrs), every column at once: L's unit lower triangle (its columns divided by
    their diagonal, as SubstitutionSolve's), then the diagonal. The terms of SuperLU's
    substitution, in its order (the last bit may differ: LAPACK's kernels fuse a
    multiply and an add), none subtracted."""

    band: FloatArray  # (depth + 1) x rows, Fortran order: band[i - j, j] = L[i, j] / L[j, j]
    diagonal: FloatArray

    @property
    def depth(self) -> int:
        return int(self.band.shape[0]) - 1

    def solve(self, x: FloatArray) -> FloatArray:
        """x in place of b (rows, or rows x columns)."""
        rhs = np.asfortranarray(x.reshape(x.shape[0], -1))  # (LAPACK's column order)
        solved, info = flapack().dtbtrs(self.band, rhs, uplo="L", diag="U", overwrite_b=1)
        if info:  # (never: a unit diagonal)
            raise ArithmeticError(f"dtbtrs info {info}")
        solved /= self.diagonal[:, None]
        x[...] = solved.reshape(x.shape)
        return x


def substitute(lower: SquareCsc, upper: SquareCsc | None, rhs: FloatArray) -> FloatArray:
    """x with L U x = rhs by SuperLU's substitution (its `gstrs`, as scipy's
    spsolve_triangular calls it): SuperLU's L has a unit diagonal and keeps U's diagonal
    in its place, so `lower` is L below its diagonal and U's diagonal on it; `upper`, U
    above its diagonal (None: U is that diagonal alone). A new array (Fortran order)."""
    size = lower.size
    none = np.zeros(size + 1, dtype=np.intc)
    if upper is None:
        upper = SquareCsc(size, none, none[:0], np.zeros(0))
    solved, info = superlu().gstrs(
        "N", size, lower.data.size, lower.data, lower.indices, lower.indptr,
        size, upper.data.size, upper.data, upper.indices, upper.indptr, rhs,
    )  # fmt: skip
    if info:  # (a zero pivot: never in a loop's system, whose diagonal is its room)
        raise ArithmeticError(f"singular triangle (SuperLU's info {info})")
    result: FloatArray = solved
    return result


def level_solve(lower: SquareCsc, bounds: list[int]) -> LevelSolve | SubstitutionSolve | BandSolve:
    """The level-by-level solve of `lower`, with its diagonal, its rows numbered level
    by level (`levels`; `bounds`: where each level starts); or substitution row by row
    where its levels are too many for its entries (LEVEL_ENTRIES)."""
    if (len(bounds) - 1) * LEVEL_ENTRIES > lower.data.size:
        return _substitution(lower)
    columns = lower.entry_columns()
    rows = lower.indices
    # Below the diagonal, by column (as stored): each level's columns are one slice.
    below = rows > columns
    indptr = np.zeros(lower.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(columns[below], minlength=lower.size), out=indptr[1:])
    starts = [
        (indptr[bounds[k] : bounds[k + 1] + 1] - indptr[bounds[k]]).astype(np.intc)
        for k in range(len(bounds) - 1)
    ]
    entries: list[int] = indptr[bounds].tolist()
    return LevelSolve(bounds, lower.diagonal(), starts, entries, rows[below], -lower.data[below])


def _substitution(lower: SquareCsc) -> SubstitutionSolve | BandSolve:
    columns = lower.entry_columns()
    diagonal = lower.diagonal()
    scaled = lower.data / diagonal[columns]
    on = lower.indices == columns
    below_by = lower.indices - columns  # how far below the diagonal each entry lies
    depth = int(below_by.max(initial=0))
    if depth <= BAND_DEPTH and (depth + 1) * lower.size <= BAND_FILL * lower.data.size:
        band = np.zeros((depth + 1, lower.size), dtype=np.float64, order="F")
        band[0] = 1.0  # (unit: the diagonal divides afterwards, as SuperLU's U does)
        below = ~on
        band[below_by[below], columns[below]] = scaled[below]
        return BandSolve(band, diagonal)
    scaled[on] = lower.data[on]
    return SubstitutionSolve(SquareCsc(lower.size, lower.indptr, lower.indices, scaled))


def hand_on(x: FloatArray, first: int, end: int, to: IntArray, weight: FloatArray) -> None:
    """x[to[i]] += weight[i] * x[first + i] for rows first..end of x (rows x columns, C
    order), in place: one compiled product (csc_matvecs, a column per row with its one
    entry, added into x; `to`: intc, rows outside first..end), no temporaries."""
    size, columns = x.shape
    sparsetools().csc_matvecs(
        size,
        end - first,
        columns,
        np.arange(end - first + 1, dtype=np.intc),
        to,
        weight,
        x[first:end].reshape(-1),
        x.reshape(-1),
    )
