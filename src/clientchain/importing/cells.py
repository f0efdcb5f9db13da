"""Numbers in an HR export's cells: FTE as headcount, pay as an amount; grouped problems.

FTE (full-time equivalents) becomes `headcount`: `0.5`, `2.6` (a junior grade
of 2.6 posts) and `0` are kept as written numbers; an empty cell is 1. A cell
such as `N/A` or `N/D` is a problem, not a guess: every headcount-weighted
figure (impact, org alienation) would silently change if it were read as 1.

Pay is per person, for `clientchain model budgets`: `$52,000`, `52 000,50`
(with --decimal-comma) are read as spreadsheets write them; `N/A`, `N/D` or an
empty cell mean "not known" and the role gets no `pay`.

The same problem in many cells of one column is one problem at its first cell,
listing the values and lines (`FTE is not a number: 'N/A' (lines 4, 9, 12)`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from clientchain.importing.failure import lines_listing, plural, values_listing
from clientchain.importing.ledger_source import AmountError, amount_literal
from clientchain.importing.people_fields import UNKNOWN_CELLS
from clientchain.loading.scalars import MAX_AMOUNT, MAX_HEADCOUNT, NUMBER
from clientchain.model.problems import Position, Problem

T = TypeVar("T")

# Why a cell could not be read, and what to write instead, by column kind.
FTE_REASONS = {
    "number": (
        "is not a number",
        "write the full-time equivalents (0 for a vacancy), or leave the cell empty for 1",
    ),
    "comma": ("has a decimal comma", "pass --decimal-comma, or write the number with a '.'"),
    "negative": ("is below 0", "write the full-time equivalents, 0 or more"),
    "large": ("is larger than the largest supported headcount (10^9)", "check the column"),
}
PAY_REASONS = {
    "number": ("is not an amount", "write a number such as 52000, or N/A when it is not known"),
    "negative": ("is below 0", "write the pay as a number, 0 or more"),
    "large": ("is larger than the largest supported amount (10^15)", "check the column"),
}


@dataclass(frozen=True)
class Unreadable:
    """Why a cell could not be read: a reason of the column's table, or a message."""

    reason: str
    worded: str | None = None


@dataclass
class CellIssues:
    """Cells of one column that could not be read, by reason, each with its rows."""

    column: str  # the header text
    index: int  # the column's number (0-based)
    reasons: dict[str, tuple[str, str]]
    found: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # reason->value->lines
    first: dict[str, int] = field(default_factory=dict)  # reason -> line of its first cell
    worded: dict[str, str] = field(default_factory=dict)  # reason -> a message of its own

    def add(self, reason: str, value: str, line: int) -> None:
        self.found.setdefault(reason, {}).setdefault(value, []).append(line)
        self.first.setdefault(reason, line)

    def problems(self, position: Callable[[int, int], Position]) -> list[Problem]:
        """One problem per reason, at the first cell with it."""
        made = []
        for reason, values in self.found.items():
            where = position(self.first[reason], self.index)
            listing = values_listing(list(values.items()))
            if reason in self.worded:  # a message of its own, about its first cell
                lines = sorted(line for found in values.values() for line in found)
                rows = f" ({plural(len(lines), 'row')}: {lines_listing(lines)})"
                made.append(
                    Problem(
                        where,
                        f"{self.column}: {self.worded[reason]}{rows if len(lines) > 1 else ''}",
                    )
                )
                continue
            what, fix = self.reasons[reason]
            made.append(Problem(where, f"{self.column} {what}: {listing}; {fix}"))
        return made


def read_fte(cell: str, decimal_comma: bool) -> str | Unreadable | None:
    """The headcount a trimmed FTE cell gives, as written (see headcount_text): None for
    an empty cell or 1."""
    if not cell:
        return None
    text = cell
    if "," in text:
        if not decimal_comma or "." in text or text.count(",") > 1:
            comma = not decimal_comma and _comma_number(text)
            return Unreadable("comma" if comma else "number")
        text = text.replace(",", ".")
    if not NUMBER.fullmatch(text):
        return Unreadable("number")
    value = float(text)
    if not math.isfinite(value):
        return Unreadable("number")
    if value < 0:
        return Unreadable("negative")
    if value > MAX_HEADCOUNT:
        return Unreadable("large")
    return headcount_text(value)


def _comma_number(text: str) -> bool:
    return text.count(",") == 1 and NUMBER.fullmatch(text.replace(",", ".")) is not None


def headcount_text(value: float) -> str | None:
    """How a headcount is written: None for 1 (the default), whole numbers without a
    point, fractions as the shortest text that reads back as the same float."""
    if value == 1:
        return None
    if value.is_integer():
        return str(int(value))
    return repr(value)


def read_pay(cell: str, decimal_comma: bool) -> str | Unreadable | None:
    """The pay in a trimmed cell as a plain number literal; None when not known (empty,
    N/A, N/D)."""
    if not cell or cell.casefold() in UNKNOWN_CELLS:
        return None
    try:  # read as every amount cell is (`clientchain model budgets` reads it back so)
        text = amount_literal(cell, decimal_comma, "pay").removeprefix("+")
    except AmountError as error:
        if error.kind == "spelling":
            return Unreadable("spelling", str(error))
        return Unreadable("number")
    if not math.isfinite(float(text)):
        return Unreadable("number")
    value = float(text)
    if value < 0:
        return Unreadable("negative")
    if value > MAX_AMOUNT:
        return Unreadable("large")
    return text


def read_column(
    cells: list[str],
    read: Callable[[str], T | Unreadable | None],
    issues: CellIssues,
    lines: list[int],
) -> list[T | None]:
    """`read` applied to each cell, once per distinct value (pay bands and FTEs repeat
    down a column); cells it cannot read are noted in `issues` and come back None."""
    results = {value: read(value) for value in dict.fromkeys(cells)}
    bad = {value: r for value, r in results.items() if isinstance(r, Unreadable)}
    if bad:
        for i, cell in enumerate(cells):
            problem = bad.get(cell)
            if problem is not None:
                issues.add(problem.reason, cell, lines[i])
                if problem.worded is not None:
                    issues.worded.setdefault(problem.reason, problem.worded)
    value_of: dict[str, T | None] = {
        value: None if isinstance(r, Unreadable) else r for value, r in results.items()
    }
    return list(map(value_of.__getitem__, cells))
