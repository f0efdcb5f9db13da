"""How the facts of a finding read in its message: ratios and plurals (amounts are
model.rounding's `rounded_money_text`, as every report writes them).

A finding's `data` keeps the values (JSON numbers, ids); the message shows them as
these functions write them, exactly as clientchain's messages always have.
"""

from __future__ import annotations


def ratio_text(value: float) -> str:
    """A ratio or limit at up to 12 decimals, trailing zeros dropped: 0.875, 1, 0."""
    return f"{value:.12f}".rstrip("0").rstrip(".") if value else "0"


def plural(count: float) -> str:
    """The ending of a noun after `count`: '' for one, 's' otherwise."""
    return "" if count == 1 else "s"


NAMES_SHOWN = 10  # names a finding's message lists before "and N more"


def quoted_names(names: list[str], limit: int = NAMES_SHOWN, total: int | None = None) -> str:
    """Names quoted and joined ('a', 'b', 'c'); past `limit`, the first ones and how many
    more, so one finding stays one readable line. `total`: how many names there are,
    when `names` holds only the first ones (those shown need reading, not the rest)."""
    total = len(names) if total is None else total
    shown = ", ".join(f"'{name}'" for name in names[:limit])
    return shown if total <= limit else f"{shown} and {total - limit} more"
