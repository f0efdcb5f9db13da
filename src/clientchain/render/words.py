"""Counting in words, the same way in every output: '1 role', '2,000 roles'."""

from __future__ import annotations

import math
from collections.abc import Mapping

# summary.client_money_owned in words: the share of client money whose touchpoints one
# role below the top holds (the client's owner, else the lowest common boss).
OWNED_MONEY = "Client money held by one role below the top"


def count(number: int, noun: str) -> str:
    """'1 role', '2,000 roles'."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def percent(part: int, whole: int) -> str:
    """'99.5%', '90%': `part` of `whole` to a tenth of a percent, rounded down, so that
    100% means all of them and 89.97% never reads as 90%."""
    tenths = part * 1000 // whole
    whole_percent, tenth = divmod(tenths, 10)
    return f"{whole_percent:,}.{tenth}%" if tenth else f"{whole_percent:,}%"


def share(value: float) -> str:
    """A ratio (0 to 1) as `percent` writes it: '99.5%', rounded down to a tenth (the ratios
    are exact to 1e-12, so the margin only absorbs the float's own noise)."""
    return percent(math.floor(value * 1000 + 1e-9), 1000)


def span_bands_line(bands: Mapping[str, int]) -> str:
    """'Spans of control: 1: 2 · 2-3: 3 · ...': managers by their number of direct reports."""
    return "Spans of control: " + span_bands(bands)


def span_bands(bands: Mapping[str, int]) -> str:
    """'1: 2 · 2-3: 3 · 4-7: 1 · 8-12: 0 · 13-16: 0 · 17+: 0'."""
    return " · ".join(f"{band}: {n:,}" for band, n in bands.items())


def levels_text(levels: int, line: str) -> str:
    """An inversion's levels: '2', or '1 (dotted)' along a dotted line (`line`), one step
    but no level of the hierarchy."""
    return f"{levels:,} (dotted)" if line == "dotted" else f"{levels:,}"
