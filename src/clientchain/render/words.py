"""Counting in words, the same way in every output: '1 role', '2,000 roles'."""

from __future__ import annotations


def count(number: int, noun: str) -> str:
    """'1 role', '2,000 roles'."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def percent(part: int, whole: int) -> str:
    """'99.5%', '90%': `part` of `whole` to a tenth of a percent, rounded down, so that
    100% means all of them and 89.97% never reads as 90%."""
    tenths = part * 1000 // whole
    whole_percent, tenth = divmod(tenths, 10)
    return f"{whole_percent:,}.{tenth}%" if tenth else f"{whole_percent:,}%"
