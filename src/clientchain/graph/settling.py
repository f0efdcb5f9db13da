"""When a column of a loop's sweeps is settled: judged on its own corrections alone.

A column is settled when the error its sweeps leave, bounded by its last correction and
the rates at which its corrections shrank over one sweep and over two, is within 4 ulps
of every entry; in a column of shares (`shares`: every entry between 0 and 1, a client's
share of each role's money), within 4 ulps of 1. A share is shown to 12 decimals, a
thousand times that error, while to be as exact relative to themselves the small shares
of a loop take a fifth more sweeps (a million roles recharging one another: 37 sweeps a
block of clients against 31; with revenue up and budgets down too, 27 against 21). The
error does not grow on its way: of the money traced back from a role further on, at
most all passes through the loop, so an error of e in the loop's shares is at most e
in the role's.

Each column is judged on its own figures and kept as they were at the sweep that
settled it, so they are the same whichever columns were swept beside it: a block of
clients swept whole by one process, or in halves by two. Nor is a column settled while
its money has not reached every role yet (`not_yet_reached`: a share of 0 is a
finding's condition, however small the corrections around it).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from clientchain.model.holder import value_class
from clientchain.model.org import BoolArray, FloatArray, IntArray

FORESEE = 10  # a probe's sweeps before its rate says whether it can settle
TOLERANCE = 4 * 2.0**-52  # the error left in x (bound, entry by entry): 4 ulps
SLOW = 0.85  # corrections stuck at rounding: taken only if they shrank at least this fast
RESOLVED = 1e-12  # corrections above this are well above rounding: their ratio is the rate
WIDEN_AT = 1e-12  # corrections below this: the residual in extended precision,
FAST = 0.5  # unless they shrink at least this fast and still shrink
FLOOR = 1e-14  # corrections that stop shrinking below this are rounding: settled
RATES = 4  # the rates kept per column: three for the rate, four for three pairs of sweeps
STEADY = 1.2  # how far a column's last three rates may disagree on its sweeps to come
LANES = 256  # values a row, at least, as a column's largest is found (`column_largest`)


@value_class(frozen=False)
class Progress:
    """What is known of some columns so far: every field holds one entry (or row) a
    column."""

    last: FloatArray  # the last correction (inf: none yet)
    rates: FloatArray  # (columns, RATES): the last rates, latest last (nan: none yet)
    shares: BoolArray  # which are shares
    paid: BoolArray  # which have money paid in somewhere (b not all 0)
    zeros: IntArray  # the entries of each still 0 when last judged settled (-1: never)

    @classmethod
    def start(cls, b: FloatArray, shares: BoolArray) -> Progress:
        """Columns `b` (rows x columns) before their first sweep."""
        columns = b.shape[1]
        return cls(
            np.full(columns, np.inf),
            np.full((columns, RATES), np.nan),
            shares,
            column_any(b != 0.0),
            np.full(columns, -1, dtype=np.int64),
        )

    def part(self, keep: np.ndarray) -> Progress:
        """The progress of the columns `keep` picks (a mask)."""
        return Progress(*(getattr(self, f.name)[keep] for f in fields(self)))

    def joined(self, other: Progress) -> Progress:
        """These columns, then `other`'s."""
        pairs = ((getattr(self, f.name), getattr(other, f.name)) for f in fields(self))
        return Progress(*(np.concatenate(pair) for pair in pairs))


@value_class
class Verdict:
    """Per column, after a sweep."""

    settled: np.ndarray  # its x is taken as it is now
    widen: np.ndarray  # its next sweeps take the residual in extended precision
    hopeless: bool  # a column's rate says it will not settle within the limit (foresee)
    # The sweeps the slowest column not settled still takes, as the rates foresee them
    # (foresee, from FORESEE sweeps on; inf: not foreseen, or the rates not steady yet).
    ahead: float = np.inf


def corrections(correction: FloatArray, x: FloatArray, shares: BoolArray) -> FloatArray:
    """Per column: its largest correction, relative to its entry of x (a correction to
    a zero is infinite, 0 / 0 left out), or in a column of shares (`shares`, per column)
    as it is. `correction` (rows x columns) is overwritten."""
    if shares.all():
        return column_largest(np.abs(correction, out=correction))
    if not shares.any():
        return column_largest(relative(correction, x))
    # Both kinds (a sweep's own columns beside its first clients): a few columns.
    plain = column_largest(np.abs(correction))
    return np.where(shares, plain, column_largest(relative(correction, x)))


def relative(correction: FloatArray, x: FloatArray) -> FloatArray:
    """|correction / x| over correction (0 / 0: nan, a correction to a zero or to a
    tiny x: inf)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.divide(correction, x, out=correction)
    return np.abs(ratio, out=ratio)


def column_largest(values: FloatArray) -> FloatArray:
    """Per column: its largest value (nan left out; 0 for none). Rows of a few columns
    go side by side, LANES of them: down a column of four, numpy's reduction took 22 ms
    at a million rows, 2 ms so."""
    largest: FloatArray = _down_columns(np.fmax, values, 0.0)
    return largest


def column_any(flags: np.ndarray) -> np.ndarray:
    """Per column of booleans: whether any is set (as column_largest goes: 53 ms down 8
    columns of a million rows, 8 so)."""
    return _down_columns(np.logical_or, flags, False)


def _down_columns(ufunc: np.ufunc, values: np.ndarray, initial: float | bool) -> np.ndarray:
    """ufunc reduced down each column of C-ordered (rows, columns) `values`, LANES of
    the rows side by side."""
    rows, columns = values.shape
    lanes = max(1, LANES // max(1, columns))
    whole = rows - rows % lanes
    wide = values[:whole].reshape(-1, lanes * columns)  # (C order: no copy)
    side = ufunc.reduce(wide, axis=0, initial=initial).reshape(lanes, columns)
    result: np.ndarray = ufunc.reduce(side, axis=0, initial=initial)
    if whole < rows:
        ufunc(result, ufunc.reduce(values[whole:], axis=0, initial=initial), out=result)
    return result


def judge(
    progress: Progress, moved: FloatArray, widened: bool, sweeps: int, limit: int, foresee: bool
) -> Verdict:
    """The verdict on columns whose sweep number `sweeps` corrected them by `moved`
    (`widened`: an extended-precision step), their progress updated.

    A small correction alone does not make x exact: where each sweep shrinks the error
    by a rate q close to 1, it is q / (1 - q) times the last correction. So the rate is
    measured while corrections are well above rounding, and x is taken when that bound
    is within TOLERANCE."""
    last, rates = progress.last, progress.rates
    # The rate, from float64 sweeps well above rounding (the first residuals in extended
    # precision uncover what float64 could not see: not a rate).
    known = ~np.isnan(rates[:, -1])
    record = (last > 0.0) & (last < np.inf) & ((last > RESOLVED) | ~known)
    if not widened and record.any():
        with np.errstate(over="ignore"):  # (a correction after a denormal one: inf)
            ratio = moved[record] / last[record]
        rates[record] = np.column_stack([rates[record, 1:], ratio])
        known |= record
    latest = np.fmax.reduce(rates[:, 1:], axis=1)
    rate = np.where(np.isnan(latest), 1.0, latest)  # (1: not known yet)
    # Over two sweeps: where corrections alternate (0.9 then 0.18 of the last, a pair of
    # eigenvalues of opposite signs) one sweep's ratio overstates what is left, and such
    # a solve never settled at rounding.
    pairs = np.fmax.reduce(rates[:, 1:] * rates[:, :-1], axis=1)
    twice = np.where(np.isnan(pairs), rate * rate, pairs)
    pace = np.sqrt(twice)  # a sweep's rate, over two
    # The error left: the next correction (at most rate times this one) and every one
    # after it, shrinking by `twice` every two sweeps.
    settled = moved * (rate + twice) <= TOLERANCE * np.maximum(0.0, 1.0 - twice)
    if widened:
        # Corrections at the level of rounding no longer shrink: x is as exact as it
        # gets, if the error shrank fast enough before (else it may be far off).
        settled |= (moved < FLOOR) & (moved >= last) & (pace < SLOW)
    hopeless, ahead = False, np.inf
    if foresee and sweeps >= FORESEE:
        left = sweeps_left(moved[~settled], pace[~settled])
        hopeless = bool(np.any(left > 2 * limit - sweeps))
        ahead = _foreseen(moved[~settled], rates[~settled, 1:])
    # A float64 sweep adds non-negative terms only (b, -U x, and L^-1 by substitution):
    # x is as exact as float64 gets where corrections keep shrinking fast. Elsewhere the
    # residual goes to extended precision, once a rate is known: a column of shares all
    # below 1e-12 corrects by less than WIDEN_AT from its first sweep, and widened steps
    # measure no rate (without one it would never settle).
    widen = ~settled & known & (moved < WIDEN_AT) & ((pace > FAST) | (moved >= last))
    if widened:
        widen[:] = False
    progress.last = moved
    return Verdict(settled, widen, hopeless, ahead)


def not_yet_reached(progress: Progress, x: FloatArray, settled: BoolArray) -> None:
    """Unsettle, in `settled`, the columns with money paid in whose x is 0 somewhere
    and was 0 in more places when they were last judged settled (or never were).
    Money paid anywhere in a loop's core reaches every role of it (a strongly connected
    loop, and what peeling and funnels leave of one), so such a 0 is a role the sweeps
    have not reached yet, not one that gets none: a share of a billionth of a billionth
    is below any correction, but a share of 0 is a finding's condition. Where a sweep
    reached no role more, no later one will (which roles a sweep reaches depends only on
    which it had reached), and a 0 left is money below the smallest float64, a
    thousandth of a thousandth ... 108 times over."""
    judged = np.flatnonzero(settled & progress.paid)
    if judged.size:
        # (picking the columns of the comparison, not of x: a copy of a byte a cell)
        zeros = np.count_nonzero((x == 0.0)[:, judged], axis=0)
        settled[judged[(zeros > 0) & (zeros != progress.zeros[judged])]] = False
        progress.zeros[judged] = zeros


def _foreseen(moved: FloatArray, rates: FloatArray) -> float:
    """The sweeps the slowest of these columns still takes, as its slowest recent rate
    foresees them, where each column's recent rates agree on its count (the slowest's
    within STEADY times the quickest's, and a sweep); inf where one's do not. Early
    rates of a core whose money circulates (0.52-0.81 at the tenth sweep) still move: it
    took more than 200 sweeps where they foresaw 148; tangle's agree to a percent."""
    with np.errstate(invalid="ignore"):
        slow = sweeps_left(moved, np.fmax.reduce(rates, axis=1))
        quick = sweeps_left(moved, np.fmin.reduce(rates, axis=1))
    if not np.all(slow <= STEADY * quick + 1.0):  # (nan, inf: not foreseen)
        return np.inf
    return float(np.max(slow, initial=0.0))


def sweeps_left(moved: FloatArray, rate: FloatArray) -> FloatArray:
    """Sweeps until corrections of `moved` shrinking by `rate` a sweep are TOLERANCE."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        left = np.log(TOLERANCE / moved) / np.log(rate)
    left = np.where(rate < 1.0, left, np.inf)
    return np.where(moved <= TOLERANCE, 0.0, left)
