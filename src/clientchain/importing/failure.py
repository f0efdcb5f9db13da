"""How an import says what is wrong: problems in cause order, grouped, and a summary.

An export with a missing column, or 140 managers who left the company, must
read as a few sentences, not 453 lines. Importers collect `Problem`s in the
order the user should read them (root causes first: a missing id column
before anything it causes), group the ones that share a cause, and add summary
lines that say what to do; `ImportInputError` carries both, unsorted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from clientchain.model.problems import Problem

LISTED = 5  # line numbers listed in a grouped problem before "and N more"


class ImportInputError(Exception):
    """The export cannot be imported: context lines (how the columns were read), the
    problems in reading order, then summary lines."""

    def __init__(
        self,
        problems: Iterable[Problem],
        summary: Iterable[str] = (),
        context: Iterable[str] = (),
    ) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.summary: tuple[str, ...] = tuple(summary)
        self.context: tuple[str, ...] = tuple(context)
        lines = [*self.context, *(str(p) for p in self.problems), *self.summary]
        super().__init__("\n".join(lines))


def plural(number: int, noun: str, many: str | None = None) -> str:
    """'1 row', '2,000 rows' ('1 person', '2 people' with `many`)."""
    word = noun if number == 1 else (many or noun + "s")
    return f"{number:,} {word}"


def lines_listing(lines: Sequence[int], limit: int = LISTED) -> str:
    """'line 4', 'lines 4 and 9', 'lines 4, 9, 12, 15, 20 and 7 more'."""
    if len(lines) == 1:
        return f"line {lines[0]}"
    shown = [str(line) for line in lines[:limit]]
    rest = len(lines) - len(shown)
    if rest:
        return f"lines {', '.join(shown)} and {rest:,} more"
    return f"lines {', '.join(shown[:-1])} and {shown[-1]}"


def values_listing(
    groups: Sequence[tuple[str, Sequence[int]]], limit: int = 3, quote: bool = True
) -> str:
    """ "'N/A' (lines 4 and 9), 'x' (line 40)": values with the lines they are on, the
    commonest first (ties: first seen), at most `limit` of them."""
    ordered = sorted(groups, key=lambda group: -len(group[1]))  # stable: first seen on ties
    shown = [
        f"{_quoted(value) if quote else value} ({lines_listing(lines)})"
        for value, lines in ordered[:limit]
    ]
    rest = len(ordered) - len(shown)
    return ", ".join(shown) + (f" and {rest:,} other values" if rest else "")


def _quoted(value: str) -> str:
    return f"'{value}'"
