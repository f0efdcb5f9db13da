"""Counting in words, the same way in every output: '1 role', '2,000 roles'."""

from __future__ import annotations


def count(number: int, noun: str) -> str:
    """'1 role', '2,000 roles'."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
