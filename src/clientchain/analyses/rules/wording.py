"""How the facts of a finding read in its message: amounts, ratios, plurals.

A finding's `data` keeps the values (JSON numbers, ids); the message shows them as
these functions write them, exactly as clientchain's messages always have.
"""

from __future__ import annotations


def amount_text(amount: float, decimals: int, currency: str | None) -> str:
    """An amount already rounded to the input's decimals, with thousands separators and
    its currency: '300,000 UAH'."""
    text = f"{amount:,.{decimals}f}"
    return f"{text} {currency}" if currency else text


def ratio_text(value: float) -> str:
    """A ratio or limit at up to 12 decimals, trailing zeros dropped: 0.875, 1, 0."""
    return f"{value:.12f}".rstrip("0").rstrip(".") if value else "0"


def plural(count: float) -> str:
    """The ending of a noun after `count`: '' for one, 's' otherwise."""
    return "" if count == 1 else "s"
