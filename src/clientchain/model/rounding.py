"""How figures are rounded for output, so that float noise never reaches a user.

Ratios (shares, closeness, alienation, distance) are exact to 1e-12 and shown
at 12 decimals. Money is shown at the input's own decimal places: a sum of
amounts written with two decimals has exactly two, so 0.1 + 0.2 shows 0.3.
Headcounts (full-time equivalents) likewise: a sum of them is shown at the
decimal places its parts need, and whole ones as integers (2, not 2.0).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # (a type only: findings, which model.org imports, writes money here)
    from clientchain.model.org import FloatArray

RATIO_DECIMALS = 12
MOST_DECIMALS = 12  # what any figure is rounded to at most (the inputs' own limit)
SIGNIFICANT = 15  # the digits a float sum carries: money is rounded to them at most


def ratios(values: FloatArray) -> FloatArray:
    """Ratios rounded to their guaranteed precision (never -0.0)."""
    return np.round(values, RATIO_DECIMALS) + 0.0


def ratio(value: float) -> float:
    """One ratio, rounded exactly as `ratios` rounds a column."""
    return float(ratios(np.asarray([value], dtype=np.float64))[0])


def moneys(values: FloatArray, decimals: int, in_place: bool = False) -> FloatArray:
    """Amounts rounded to the input's decimal places, and to 15 significant digits
    where that is coarser (float sums carry no more); `in_place`: in `values` (a float64
    array), no second column of pairs."""
    values = np.asarray(values, dtype=np.float64)
    rounded = np.round(values, decimals, out=values if in_place else None)
    rounded += 0.0  # -0.0 as 0.0 (in place: a column of pairs is 20-30 MB at a million)
    limit = _full_below(decimals)
    big = np.flatnonzero((rounded >= limit) | (rounded <= -limit))
    if big.size:  # rare: amounts beyond 10**(15 - decimals)
        rounded[big] = [float(f"{x:.{SIGNIFICANT}g}") for x in rounded[big].tolist()]
    return rounded


def _full_below(decimals: int) -> float:
    """Amounts below this (either sign) have SIGNIFICANT digits for every one of their
    `decimals` places."""
    return 10.0 ** (SIGNIFICANT - decimals)


def money(value: float, decimals: int) -> float:
    """One amount, rounded exactly as `moneys` rounds a column."""
    return float(moneys(np.asarray([value], dtype=np.float64), decimals)[0])


def plain_number(value: float) -> int | float:
    """An integral float as an int (1200000, not 1200000.0), for JSON and tables."""
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def plain_numbers(values: FloatArray) -> list[int | float]:
    """`plain_number` of each value (one conversion when all are whole, as usual)."""
    whole = (np.floor(values) == values) & (np.abs(values) < 2.0**53)
    if whole.all():
        ints: list[int | float] = values.astype(np.int64).tolist()
        return ints
    return [plain_number(value) for value in values.tolist()]


def decimals_needed(values: FloatArray) -> int:
    """The fewest decimal places that write each value as read (`2.5` needs 1, `0.25`
    2), at most MOST_DECIMALS: what a sum of them is rounded to, so that float noise
    never shows (0.1 + 0.2 is 0.3). Whole values need none, and cost one pass."""
    values = np.asarray(values, dtype=np.float64)
    fractional = values[np.floor(values) != values]
    for decimals in range(MOST_DECIMALS):
        # round(x, k) == x exactly when x is the double nearest to a k-place decimal.
        if np.array_equal(np.round(fractional, decimals), fractional):
            return decimals
    return MOST_DECIMALS


def headcounts(values: FloatArray, decimals: int) -> FloatArray:
    """Sums of headcounts rounded to `decimals` (see `decimals_needed`), exactly as
    money is rounded (`moneys`)."""
    return moneys(values, decimals)


def headcount_text(value: float) -> str:
    """A headcount for people: `1,200`, `2.5` (a sum already rounded by `headcounts`)."""
    return f"{plain_number(float(value)):,}"


def format_amount(value: float, decimals: int) -> str:
    """An amount for people: thousands separators, the input's decimal places."""
    return amount_text(money(value, decimals), decimals)


def amount_text(amount: float, decimals: int) -> str:
    """An amount already rounded by `money`/`moneys`, for people: thousands separators
    and the input's decimal places, fewer where SIGNIFICANT digits leave fewer, written
    from those digits: 1,234,567,890,123.45 (at five places the float would show
    ...123.44995, and past 2**53 its whole digits would show noise too)."""
    limit = _full_below(decimals)
    if -limit < amount < limit or not math.isfinite(amount):
        return f"{amount:,.{decimals}f}"
    digits = Decimal(f"{amount:.{SIGNIFICANT}g}")
    return f"{digits:,.{max(0, SIGNIFICANT - 1 - digits.adjusted())}f}"


def amount_texts(amounts: FloatArray, decimals: int, suffix: str = "") -> list[str]:
    """`amount_text` of each amount with `suffix` after it (' UAH'): one bound format
    method over the column where every amount has all its decimals (as usual)."""
    limit = _full_below(decimals)
    if not amounts.size or float(np.abs(amounts).max()) < limit:
        escaped = suffix.replace("{", "{{").replace("}", "}}")  # a currency's braces
        return list(map(f"{{:,.{decimals}f}}{escaped}".format, amounts.tolist()))
    return [amount_text(amount, decimals) + suffix for amount in amounts.tolist()]


def money_text(value: float, decimals: int, currency: str | None) -> str:
    """An amount with its currency, as every report writes it: '300,000 UAH'."""
    return rounded_money_text(money(value, decimals), decimals, currency)


def rounded_money_text(amount: float, decimals: int, currency: str | None) -> str:
    """`money_text` of an amount already rounded by `money`/`moneys` (a column of
    findings rounds once, in numpy, rather than once per amount)."""
    text = amount_text(amount, decimals)
    return f"{text} {currency}" if currency else text
