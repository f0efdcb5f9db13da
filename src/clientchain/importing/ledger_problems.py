"""Problems of tabular inputs, one line per cause however many rows share it.

A ledger of a million invoices that names a customer missing from the
customer list does so in hundreds of rows; a person wants one sentence, at the
first such row, with a count and an example, not hundreds of lines:
`412 rows name a customer not in customers.csv (e.g. '99' in 3 rows)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clientchain.importing.failure import plural
from clientchain.importing.ledger_source import amount_message
from clientchain.model.holder import holder
from clientchain.model.problems import Position, Problem


@holder
class Cause:
    """How one cause of a problem is worded (causes are told apart by identity).

    `one(value)` is the message for rows that all hold one value (several such rows get
    ' (N rows)' after it); `many(rows, value, value_rows)` the message for rows holding
    different values: `rows` is '412 rows', `value` the first row's value and
    `value_rows` ('3 rows') how many rows hold that one. Functions, not format strings:
    the wording quotes file names, which may hold braces. `after(value)` is added at
    the end, after the count (a did-you-mean)."""

    one: Callable[[str], str]
    many: Callable[[str, str, str], str]
    after: Callable[[str], str] | None = None


@dataclass
class _Group:
    where: Position
    value: str
    rows: int = 1
    value_rows: int = 1
    mixed: bool = False  # some row holds another value than the first


class ProblemGroups:
    """Problems collected per cause, each kept at its first row."""

    def __init__(self) -> None:
        self._groups: dict[Cause, _Group] = {}
        self._single: list[Problem] = []

    def add(self, cause: Cause, value: str, where: Callable[[], Position]) -> None:
        """One more row with this cause; `where` is asked only for the first row."""
        group = self._groups.get(cause)
        if group is None:
            self._groups[cause] = _Group(where(), value)
            return
        group.rows += 1
        if value == group.value:
            group.value_rows += 1
        else:
            group.mixed = True

    def add_problem(self, problem: Problem) -> None:
        """A problem that is its own group (a duplicate, a root cause)."""
        self._single.append(problem)

    def __bool__(self) -> bool:
        return bool(self._groups or self._single)

    def problems(self) -> list[Problem]:
        """Every problem, one per cause, as the user reads them."""
        found = list(self._single)
        for cause, group in self._groups.items():
            found.append(Problem(group.where, _worded(cause, group)))
        return found


def _worded(cause: Cause, group: _Group) -> str:
    if not group.mixed:
        text = cause.one(group.value)
        if group.rows > 1:
            text += f" ({plural(group.rows, 'row')})"
    else:
        text = cause.many(plural(group.rows, "row"), group.value, plural(group.value_rows, "row"))
    return text + (cause.after(group.value) if cause.after is not None else "")


def short_row_cause(width: int) -> Cause:
    return Cause(
        one=lambda v: f"row has {v} cells, the header has {width}",
        many=lambda n, v, k: (
            f"{n} have fewer cells than the header's {width} (e.g. {v} cells in {k})"
        ),
    )


def number_cause(kind: str, what: str, header: str, decimal_comma: bool) -> Cause:
    """How a cell that is not a number is worded (`what`: amount, quantity, discount)."""
    a_what = f"{'an' if what[:1] in tuple('aeiou') else 'a'} {what}"
    if kind == "empty":
        return Cause(
            one=lambda v: f"{what} is empty ('{header}'); write a number",
            many=lambda n, v, k: f"{n} have an empty {what} ('{header}'); write a number",
        )
    if kind == "not-a-number":
        return Cause(
            one=lambda v: f"{what} '{v}' is not a number",
            many=lambda n, v, k: (
                f"{n} have {a_what} ('{header}') that is not a number (e.g. '{v}' in {k})"
            ),
        )
    return Cause(
        one=lambda v: amount_message(v, decimal_comma),
        many=lambda n, v, k: (
            f"{n} have {a_what} ('{header}') that could be read two ways;"
            f" the first: {amount_message(v, decimal_comma)}"
        ),
    )
