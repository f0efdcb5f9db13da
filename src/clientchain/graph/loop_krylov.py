"""A loop's core whose sweeps barely settle, solved by BiCGSTAB with them as preconditioner.

Where a loop's money goes round hundreds of times before it leaks (clients paying one
role in a thousand, revenue up and a budget down every line, every role recharging
another anywhere in the organisation), even the split along the lines
(loop_tree_split) shrinks the error by 0.998 a sweep, and SuperLU's factors of such a
core fill in (10,000 roles: 40,000 entries became 5.7 million, 3 s; 100,000 roles: over
two minutes and 2.7 GB). But the slowness is a few eigenvalues of the sweep M^-1 N close
to 1, the rest of its spectrum well inside (0.998, then 0.73 and below): BiCGSTAB on
A = I - M^-1 N, one sweep an application, deals with those few, and a column of that
core took 77 sweeps where plain ones took 14,599.

A solve goes in rounds: each solves K d = r for the residual r = b - K x, taken in
extended precision, to INNER of its size, and adds d to x. K there is the system whose
row sums are the core's rooms, as the sweeps' elimination has it (SquareCsc.room_gap):
K's float64 diagonal, a room plus far more paid round the loop, is off in the 13th
digit of the room where money goes round thousands of times. The rounds' corrections
shrink at the rate of one solve's precision, and a column is settled by the sweeps' own
rule (settling.judge): its last correction and that rate bound what is left to 4 ulps
of every entry (of 1 in columns of shares). Plain sweeps from the settled x then make
every entry what a sweep makes it (`_polished`): non-negative, 0 only where no money
reaches, and exact where the sweeps settle fast after all.

Columns never meet: every step goes column by column, and a column's dot products are
summed down it in row order whatever columns are beside it (`_dots`), so its figures
are the same to the bit whichever columns went beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from clientchain.graph.loop_gauss_seidel import FactorisedCore, Sweeps, SweptCore, group_width
from clientchain.graph.settling import TOLERANCE, Progress, column_largest, corrections, judge
from clientchain.graph.square_csc import SquareCsc
from clientchain.model.holder import holder
from clientchain.model.org import BoolArray, FloatArray, IntArray

INNER = 1e-8  # a round's solve: its preconditioned residual within this of its start
ROUNDS = 6  # rounds at most (two or three settle a column)
# Roles x columns solved at a time, at most: a group holds nine arrays of its size
# (at 100,000 roles, groups of 16 columns took 23.7 s where groups of 8 took 20.8),
KRYLOV_CELLS = 1 << 20
# but at least this many columns (a million roles: 144 MB for the nine).
KRYLOV_MIN_WIDTH = 2
# The probe's sweeps at most (a column of ones): past them, SuperLU's factors.
KRYLOV_SWEEPS = 400
LANES = 512  # cells a row as columns are scaled (`_add_scaled`)
POLISH = 20  # plain sweeps at most after BiCGSTAB settles a column (`_polished`)


@holder
class KrylovCore(SweptCore):
    """SweptCore's column groups solved by `accelerated` (its fallback, its rows)."""

    # Per row of the sweeps' system K, its room less its row sum in extended precision:
    # what the float64 diagonal misses (SquareCsc.room_gap).
    gap: FloatArray | None = None

    def _width(self, columns: int, rows: int) -> int:
        return krylov_width(columns, rows)

    def _settled(
        self, b: FloatArray, limit: int, foresee: bool, shares: BoolArray | None
    ) -> tuple[FloatArray, int] | None:
        return accelerated(self.sweeps, b, limit, shares, self.gap)

    def _factors(self) -> FactorisedCore:
        """The fallback's factors, their residuals with the gap (in the core's order)."""
        made = super()._factors()
        if self.gap is None:
            return made
        gap = np.empty_like(self.gap)
        gap[self.rows] = self.gap
        return FactorisedCore(made.factors, made.system, gap)


def krylov_probed(
    sweeps: Sweeps,
    rows: IntArray,
    factorise: Callable[[SquareCsc], Any],
    room: FloatArray,
    along_lines: bool = False,
) -> KrylovCore | None:
    """The core solved by `accelerated` on its `sweeps`, if a column of ones settles
    within KRYLOV_SWEEPS sweeps (`rows`: the sweeps' row -> core place; `room`: the
    core's row sums, in its own order)."""
    gap = sweeps.system.room_gap(room[rows])
    probe = accelerated(sweeps, np.ones((rows.size, 1)), KRYLOV_SWEEPS, None, gap)
    if probe is None:
        return None
    return KrylovCore(sweeps, rows, probe[1], factorise, along_lines=along_lines, gap=gap)


def krylov_width(columns: int, rows: int) -> int:
    """Columns a group (loop_gauss_seidel.group_width at KRYLOV_CELLS)."""
    return group_width(columns, rows, KRYLOV_CELLS, KRYLOV_MIN_WIDTH)


def accelerated(
    sweeps: Sweeps,
    rhs: FloatArray,
    limit: int,
    shares: BoolArray | None = None,
    gap: FloatArray | None = None,
) -> tuple[FloatArray, int] | None:
    """(x with K x = rhs, the sweeps its solves took), or None when a column does not
    settle within `limit` sweeps in all (or BiCGSTAB breaks down on it). `rhs`: rows x
    columns, >= 0; `shares`: which columns are shares (settled to 4 ulps of 1); `gap`:
    the residuals' diagonal less K's (SquareCsc.room_gap)."""
    b = np.array(rhs, dtype=np.float64, order="C")
    width = b.shape[1]
    done = np.empty_like(b)
    x = np.zeros_like(b)
    at: IntArray = np.arange(width)
    progress = Progress.start(b, np.zeros(width, dtype=bool) if shares is None else shares)
    used = 0
    for round_ in range(1, ROUNDS + 1):
        residual = np.array(b) if round_ == 1 else sweeps.system.widened_residual(b, x, gap)
        # Each column scaled by a power of two to a largest entry of about 1 (exactly:
        # the same bits otherwise): a client whose money reaches the core at 1e-167 had
        # the dot products of its second round underflow to 0, and BiCGSTAB break down.
        c = sweeps.lower.solve(residual)
        scale = np.ldexp(1.0, -np.frexp(_largest_abs(c))[1])
        c *= scale
        solved = _bicgstab(sweeps, c, limit - used)
        if solved is None:
            return None
        step, spent = solved
        step /= scale
        used += spent
        x += step
        moved = corrections(step, x, progress.shares)  # (step overwritten)
        settled = judge(progress, moved, False, round_, ROUNDS, False).settled
        if settled.any():
            picked = progress.shares[settled]
            done[:, at[settled]] = _polished(sweeps, b[:, settled], x[:, settled], picked)
            keep = ~settled
            at, b, x = at[keep], np.ascontiguousarray(b[:, keep]), np.ascontiguousarray(x[:, keep])
            progress = progress.part(keep)
        if not at.size:
            return done, used
    return None


def _polished(sweeps: Sweeps, b: FloatArray, x: FloatArray, shares: BoolArray) -> FloatArray:
    """Plain sweeps M^-1 (b + N x) from the settled x (rounding's negative entries taken
    as 0), each column until a sweep corrects it by TOLERANCE at most (relative to each
    entry, or to 1 in a column of shares), POLISH sweeps at most. Every entry is then what
    a sweep makes it: non-negative, 0 only where no money reaches. And where the sweeps
    themselves settle fast, what BiCGSTAB left goes: its residuals pass through M^-1 with
    both signs, which where M turns money over 10^12 times before it leaks left a
    5-role ring 1.4e-12 off; the sweeps, 7e-16."""
    out = np.empty_like(x)
    at: IntArray = np.arange(x.shape[1])
    x = np.maximum(np.ascontiguousarray(x), 0.0)
    b = np.ascontiguousarray(b)
    for sweep in range(1, POLISH + 1):
        swept = np.empty_like(b)
        sweeps.sweep_into(b, x, swept)
        moved = corrections(np.subtract(swept, x), swept, shares)
        settled = (moved <= TOLERANCE) | (sweep == POLISH)
        out[:, at[settled]] = swept[:, settled]
        keep = ~settled
        if not keep.any():
            break
        at, shares = at[keep], shares[keep]
        x, b = np.ascontiguousarray(swept[:, keep]), np.ascontiguousarray(b[:, keep])
    return out


def _bicgstab(sweeps: Sweeps, c: FloatArray, limit: int) -> tuple[FloatArray, int] | None:
    """(y with A y = c per column, the sweeps taken), A = I - M^-1 N, each column to a
    largest residual within INNER of c's largest; None past `limit` sweeps or on a
    breakdown. Converged columns leave the working arrays; a column whose residual
    comes out orthogonal to its shadow residual (money that reaches a core at one role
    and has moved on) starts again from where it is."""
    width = c.shape[1]
    y_out = np.zeros_like(c)
    at: IntArray = np.arange(width)
    enough = INNER * _largest_abs(c)
    r = np.array(c)
    hat, y, p, v = np.array(c), np.zeros_like(c), np.zeros_like(c), np.zeros_like(c)
    t, spare = np.empty_like(c), np.empty_like(c)
    rho = alpha = omega = np.ones(width)
    used = 0
    converged = _largest_abs(r) <= enough
    while True:
        if converged.any():
            y_out[:, at[converged]] = y[:, converged]
            keep = ~converged
            at, enough = at[keep], enough[keep]
            rho, alpha, omega = rho[keep], alpha[keep], omega[keep]
            r, hat, y, p, v = (np.ascontiguousarray(a[:, keep]) for a in (r, hat, y, p, v))
            t, spare = np.empty_like(r), np.empty_like(r)
        if not at.size:
            return y_out, used
        if used + 2 > limit:
            return None
        rho_next = _dots(hat, r)
        if not np.all(np.isfinite(rho_next)):
            return None
        stuck = (rho_next == 0.0) | (omega == 0.0)
        if stuck.any():  # (r orthogonal to the shadow: that column starts again from r)
            hat[:, stuck] = r[:, stuck]
            p[:, stuck] = v[:, stuck] = 0.0
            rho, alpha, omega = (np.where(stuck, 1.0, a) for a in (rho, alpha, omega))
            rho_next[stuck] = _dots(np.ascontiguousarray(r[:, stuck]), r[:, stuck])
        beta = (rho_next / rho) * (alpha / omega)
        _add_scaled(p, -omega, v, spare)  # p = r + beta (p - omega v)
        _add_scaled(r, beta, p, p, replace=True)
        _apply(sweeps, p, v)
        facing = _dots(hat, v)
        if not np.all(np.isfinite(facing) & (facing != 0.0)):
            return None
        alpha = rho_next / facing
        s = r  # (r's buffer: r is not needed again)
        _add_scaled(s, -alpha, v, spare)
        early = _largest_abs(s) <= enough  # s small enough: y + alpha p is the solve
        _apply(sweeps, s, t)
        used += 2
        tt, ts = _dots(t, t), _dots(t, s)
        with np.errstate(divide="ignore", invalid="ignore"):
            omega = np.where(early, 0.0, ts / tt)
        if not np.all(np.isfinite(omega)):
            return None
        _add_scaled(y, alpha, p, spare)
        _add_scaled(y, omega, s, spare)
        _add_scaled(s, -omega, t, spare)
        r = s
        rho = rho_next
        converged = early | (_largest_abs(r) <= enough)


def _apply(sweeps: Sweeps, v: FloatArray, out: FloatArray) -> None:
    """out = A v = v - M^-1 N v (one sweep; v, out: C-ordered rows x columns)."""
    out.fill(0.0)
    sweeps.feedback.add_times(v, out)
    sweeps.lower.solve(out)
    np.subtract(v, out, out=out)


def _add_scaled(
    y: FloatArray, scale: FloatArray, x: FloatArray, spare: FloatArray, replace: bool = False
) -> None:
    """y += scale * x, a scale per column (`replace`: x = y + scale * x instead, in x;
    `spare`: a buffer of their shape, or x itself when replacing). Rows go LANES cells
    at a time with the scales repeated along them: a scale broadcast down each row of a
    few columns went 8 cells at a time, at two to three times the cost."""
    rows, width = y.shape
    lanes = max(1, LANES // max(1, width))
    whole = rows - rows % lanes
    repeated = np.tile(scale, lanes)
    for part, scales in ((slice(0, whole), repeated), (slice(whole, rows), scale)):
        cells = (-1, scales.size)
        into = x[part] if replace else spare[part]
        np.multiply(x[part].reshape(cells), scales, out=into.reshape(cells))
        target = x[part] if replace else y[part]
        np.add(y[part].reshape(cells), into.reshape(cells), out=target.reshape(cells))


def _dots(a: FloatArray, b: FloatArray) -> FloatArray:
    """Per column, the sum of a * b down it, in row order: the same bits whatever columns
    are beside it (einsum sums a column of several in row order; a lone column, which
    it and numpy's reductions sum pairwise, is accumulated so)."""
    if a.shape[1] == 1:
        return np.add.accumulate(a[:, 0] * b[:, 0])[-1:] if a.shape[0] else np.zeros(1)
    sums: FloatArray = np.einsum("ij,ij->j", a, b)
    return sums


def _largest_abs(a: FloatArray) -> FloatArray:
    """Per column, its largest magnitude (0 for none)."""
    return column_largest(np.abs(a))
