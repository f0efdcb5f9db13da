"""Short numbers for the report's headline cards and sentences: `13.8M`, `950K`.

A card has room for about six characters; the full value goes beside the short one
(a title to hover, the details below), so nothing is ever cut to fit.
"""

from __future__ import annotations

from clientchain.model.rounding import format_amount

# Largest first: the unit a rounded value is shown in.
UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
# Counts (roles, people) are short enough in full below this.
COUNT_IN_FULL_BELOW = 10_000


def abbreviate(value: float, decimals: int = 0) -> str:
    """`value` to three significant digits with a unit (K, M, B, T) from 1,000 up;
    below that in full at `decimals` places. 13_800_000 -> '13.8M', 999_999 -> '1M'."""
    sign = "-" if value < 0 else ""
    size = abs(value)
    rounded = float(f"{size:.3g}")  # first round, then choose the unit: 999,999 is 1M
    for unit_size, unit in UNITS:
        if rounded >= unit_size:
            scaled = rounded / unit_size
            digits = f"{scaled:.3g}" if scaled < 1000 else f"{scaled:,.0f}"
            return f"{sign}{digits}{unit}"
    return sign + format_amount(size, decimals)


def abbreviate_count(value: float, decimals: int = 0) -> str:
    """A count in full below COUNT_IN_FULL_BELOW ('2,000'), else abbreviated ('12.3K')."""
    if abs(value) < COUNT_IN_FULL_BELOW:
        return format_amount(value, decimals)
    return abbreviate(value, decimals)
