"""Square sparse matrices in compressed columns, as scipy's csc_matrix keeps them.

A loop of more than DENSE_MAX roles is solved with SuperLU. Going through
scipy.sparse's classes would cost its ~0.15 s import on every run with such a loop,
so this module makes the same calls those classes make, to the same compiled
kernels (`sparse_kernels`), in the same order: the matrices hold the same entries in
the same places, and the factors and products are the same to the last bit. Each
method names the scipy expression it reproduces (scipy 1.17).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from clientchain.graph.distinct import member
from clientchain.graph.sparse_kernels import sparsetools, superlu
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray

# What splu passes when called with no arguments (ColPerm None: SuperLU's COLAMD).
_SPLU_OPTIONS: dict[str, Any] = {
    "DiagPivotThresh": None,
    "ColPerm": None,
    "PanelSize": None,
    "Relax": None,
}


WIDEN_COLUMNS = 1 << 16  # columns of a matrix widened to extended precision at a time
MIRRORS_AT_A_TIME = 1 << 18  # entries whose mirror is looked for at a time


@holder
class SquareCsc:
    """A size x size matrix: column j's rows are indices[indptr[j]:indptr[j + 1]]."""

    size: int
    indptr: IntArray  # intc, like scipy's for matrices of this size
    indices: IntArray
    data: np.ndarray  # float64, or longdouble for residuals

    @classmethod
    def from_entries(
        cls, size: int, rows: IntArray, cols: IntArray, values: FloatArray
    ) -> SquareCsc:
        """csc_matrix((values, (rows, cols)), shape=(size, size)): duplicates summed."""
        tools = sparsetools()
        nnz = values.size
        indptr = np.empty(size + 1, dtype=np.intc)
        indices = np.empty(nnz, dtype=np.intc)
        data = np.empty(nnz, dtype=np.float64)
        # coo -> csc is coo -> csr of the transpose: columns are the major axis.
        tools.coo_tocsr(
            size,
            size,
            nnz,
            np.asarray(cols, dtype=np.intc),
            np.asarray(rows, dtype=np.intc),
            np.asarray(values, dtype=np.float64),
            indptr,
            indices,
            data,
        )
        # sum_duplicates: sorting runs only when unsorted (its sort is not stable, so
        # sorting sorted duplicates could change the order they are added in).
        if not tools.csr_has_canonical_format(size, indptr, indices):
            if not tools.csr_has_sorted_indices(size, indptr, indices):
                tools.csr_sort_indices(size, indptr, indices, data)
            tools.csr_sum_duplicates(size, size, indptr, indices, data)
            nnz = int(indptr[-1])
            indices, data = indices[:nnz].copy(), data[:nnz].copy()
        return cls(size, indptr, indices, data)

    def identity_minus(self, alpha: float) -> SquareCsc:
        """csc_matrix(identity(size, format="csc") - alpha * self): csr_minus_csr, then
        cut to the entries it wrote (it leaves out exact zeros)."""
        size = self.size
        room = size + self.data.size
        indptr = np.empty(size + 1, dtype=np.intc)
        indices = np.empty(room, dtype=np.intc)
        data = np.empty(room, dtype=np.float64)
        sparsetools().csr_minus_csr(
            size,
            size,
            np.arange(size + 1, dtype=np.intc),
            np.arange(size, dtype=np.intc),
            np.ones(size, dtype=np.float64),
            self.indptr,
            self.indices,
            self.data * alpha,
            indptr,
            indices,
            data,
        )
        nnz = int(indptr[-1])
        return SquareCsc(size, indptr, indices[:nnz].copy(), data[:nnz].copy())

    def entry_columns(self, dtype: type[np.integer[Any]] = np.int64) -> IntArray:
        """The column of each entry, as `indices` gives its row: int64, or intc as the
        indices are (`dtype`: half the bytes where the columns are only compared with
        rows or counted)."""
        return np.repeat(np.arange(self.size, dtype=dtype), np.diff(self.indptr))

    def entry_keys(self) -> IntArray:
        """column * size + row of each entry (int64): sorted, the columns canonical."""
        keys = self.entry_columns()
        keys *= self.size  # (in place: one int64 array of the entries, not three)
        keys += self.indices
        return keys

    def mirrored(self) -> np.ndarray:
        """Per entry, whether its mirror (row and column swapped) is an entry too."""
        m, n = self.size, self.indices.size
        # The entries row by row (the transpose's columns, each in column order), with
        # the place of each: their mirrors' keys come in rising order, so the searches
        # walk the keys forward (at a million roles 4 million searches took 0.3 s so,
        # 1.1 s in the entries' own order).
        # The mirrors are looked for a slice of them at a time: their int64 keys and
        # the searches' temporaries for all four million entries of a million-role
        # loop were 170 MB at once.
        by_row = np.empty(m + 1, dtype=np.intc)
        column = np.empty(n, dtype=np.intc)
        place = np.empty(n, dtype=np.intc)
        sparsetools().csr_tocsc(
            m, m, self.indptr, self.indices, np.arange(n, dtype=np.intc), by_row, column, place
        )
        row = np.repeat(np.arange(m, dtype=np.intc), np.diff(by_row))
        keys = self.entry_keys()
        out = np.empty(n, dtype=bool)
        for first in range(0, n, MIRRORS_AT_A_TIME):
            part = slice(first, first + MIRRORS_AT_A_TIME)
            wanted = row[part].astype(np.int64)
            wanted *= m
            wanted += column[part]
            out[place[part]] = member(keys, wanted)
        return out

    def renumbered(self, rank: IntArray) -> SquareCsc:
        """The same matrix with row and column i moved to rank[i] (a permutation).

        The ranks are taken as intc, as the indices are: no int64 column of each entry
        and no int64 copies of them (at a million roles and four million entries, 160 MB
        of temporaries beside the 52 MB matrix made)."""
        moved = rank.astype(np.intc)
        rows, columns = moved[self.indices], np.repeat(moved, np.diff(self.indptr))
        return SquareCsc.from_entries(self.size, rows, columns, self.data)

    def triangles(self) -> tuple[SquareCsc, SquareCsc]:
        """The entries on and below the diagonal (row >= column), and those above it."""
        columns = self.entry_columns()
        lower = self.indices >= columns
        return self._part(columns, lower), self._part(columns, ~lower)

    def _part(self, columns: IntArray, kept: np.ndarray) -> SquareCsc:
        indptr = np.zeros(self.size + 1, dtype=np.intc)
        np.cumsum(np.bincount(columns[kept], minlength=self.size), out=indptr[1:])
        return SquareCsc(self.size, indptr, self.indices[kept], self.data[kept])

    def widened(self) -> SquareCsc:
        """self.astype(np.longdouble): the same entries in extended precision (for a
        small matrix whose products are taken often; a large one: `widened_times`)."""
        return SquareCsc(self.size, self.indptr, self.indices, self.data.astype(np.longdouble))

    def widened_times(self, x: FloatArray) -> np.ndarray:
        """self @ x in extended precision: the product of the entries and x both widened to
        longdouble, to the last bit (the same products added in the same order), with
        neither widened whole: a slice of WIDEN_COLUMNS columns of self at a time (the
        copies of a core of half a million roles were 190 MB)."""
        size = self.size
        columns = 1 if x.ndim == 1 else x.shape[1]
        result = np.zeros((size, columns), dtype=np.longdouble)
        flat = result.reshape(-1)
        tools = sparsetools()
        for first in range(0, size, WIDEN_COLUMNS):
            end = min(size, first + WIDEN_COLUMNS)
            p0, p1 = int(self.indptr[first]), int(self.indptr[end])
            indptr = (self.indptr[first : end + 1] - p0).astype(self.indptr.dtype)
            data = self.data[p0:p1].astype(np.longdouble)
            part = x[first:end].astype(np.longdouble).reshape(-1)
            if columns == 1:
                tools.csc_matvec(size, end - first, indptr, self.indices[p0:p1], data, part, flat)
            else:
                tools.csc_matvecs(
                    size, end - first, columns, indptr, self.indices[p0:p1], data, part, flat
                )
        return result.reshape(x.shape)

    def widened_residual(
        self, rhs: FloatArray, x: FloatArray, gap: FloatArray | None = None
    ) -> FloatArray:
        """rhs - (self + diag(gap)) @ x taken in extended precision, in float64 (`gap`:
        see room_gap)."""
        product = self.widened_times(x)
        if gap is not None:
            product += gap.astype(np.longdouble).reshape(-1, *([1] * (x.ndim - 1))) * x
        np.subtract(rhs, product, out=product)
        return product.astype(np.float64)

    def room_gap(self, room: FloatArray) -> FloatArray:
        """Per row, `room` (the row's sum as written without a subtraction) less its sum
        here in extended precision. A loop's core has a diagonal that is its room plus
        what it pays the rest of the core, rounded to float64: where money goes round
        thousands of times before it leaks, the room is a thousandth of the diagonal or
        less, and that rounding a part in 10^13 of the room or more; residuals with
        diag(gap) added are those of the system whose row sums are the rooms."""
        sums = self.widened_times(np.ones((self.size, 1)))[:, 0]
        gap: FloatArray = (room.astype(np.longdouble) - sums).astype(np.float64)
        return gap

    def times(self, x: np.ndarray) -> np.ndarray:
        """self @ x for a vector or a (size, k) array, as scipy dispatches it: a single
        column goes through csc_matvec, more through csc_matvecs."""
        size = self.size
        dtype = np.result_type(self.data.dtype, x.dtype)
        tools = sparsetools()
        if x.ndim == 1 or x.shape[1] == 1:
            vector = np.zeros(size, dtype=dtype)
            tools.csc_matvec(size, size, self.indptr, self.indices, self.data, x.ravel(), vector)
            return vector if x.ndim == 1 else vector.reshape(size, 1)
        columns = x.shape[1]
        result = np.zeros((size, columns), dtype=dtype)
        tools.csc_matvecs(
            size, size, columns, self.indptr, self.indices, self.data, x.ravel(), result.ravel()
        )
        return result

    def taken(self) -> tuple[IntArray, IntArray, FloatArray]:
        """The entries off the diagonal, negated (in a loop's system, what each row
        takes from another role), with their rows and columns, as stored."""
        columns = self.entry_columns()
        off = self.indices != columns
        return self.indices[off], columns[off], -self.data[off]

    def diagonal(self) -> FloatArray:
        """The entries on the diagonal (0 where there is none)."""
        columns = self.entry_columns()
        on = self.indices == columns
        diagonal = np.zeros(self.size, dtype=np.float64)
        diagonal[columns[on]] = self.data[on]
        return diagonal

    def negated(self) -> SquareCsc:
        """-self."""
        return SquareCsc(self.size, self.indptr, self.indices, -self.data)

    def add_times(self, x: FloatArray, into: FloatArray) -> None:
        """into += self @ x, for C-ordered float64 (size, k) arrays (csc_matvecs adds)."""
        sparsetools().csc_matvecs(
            self.size,
            self.size,
            x.shape[1],
            self.indptr,
            self.indices,
            self.data,
            x.reshape(-1),
            into.reshape(-1),
        )

    def lu(self, column_order: str | None = None, on_diagonal: bool = False) -> Any:
        """splu(self, permc_spec=column_order): SuperLU's factors (a scipy SuperLU object:
        `.solve(rhs)`); None is splu's default, COLAMD. `on_diagonal`: every pivot on the
        diagonal, rows numbered as columns (splu's diag_pivot_thresh=0)."""
        options = dict(_SPLU_OPTIONS)
        if column_order is not None:
            options["ColPerm"] = column_order
        if column_order == "NATURAL" or on_diagonal:  # as splu does: rows as columns
            options["SymmetricMode"] = True
        if on_diagonal:
            options["DiagPivotThresh"] = 0.0
        return superlu().gstrf(
            self.size,
            self.data.size,
            self.data,
            self.indices,
            self.indptr,
            csc_construct_func=factor_parts,
            ilu=False,
            options=options,
        )


def refined_solve(
    factors: Any, rhs: FloatArray, residual: Callable[[FloatArray, FloatArray], FloatArray]
) -> FloatArray:
    """x with M x = rhs from M's SuperLU `factors`, and one refinement step: the residual
    rhs - M x is taken in extended precision (`residual(rhs, x)`), where a loop turning
    its money over many times would lose its digits in float64."""
    x: FloatArray = factors.solve(np.ascontiguousarray(rhs))
    refined: FloatArray = x + factors.solve(np.ascontiguousarray(residual(rhs, x)))
    return refined


def refined_work(factors: Any, system: SquareCsc) -> int:
    """About the multiply-adds of refined_solve per column: two solves with the factors
    and one product with the system."""
    return 2 * int(factors.nnz) + system.data.size


def factor_parts(*args: Any) -> Any:
    """What the factors' .L and .U are: the arrays SuperLU hands over, ((data, indices,
    indptr), shape), as it would pass them to csc_array (which would import
    scipy.sparse). Read by triangular_factors."""
    return args
