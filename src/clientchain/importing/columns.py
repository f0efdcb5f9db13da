"""Which column of an export holds what: common spellings recognised, any overridable.

HR systems and ledgers name the same thing many ways (`Employee ID`,
`EmployeeId`, `Position ID`; `ReportsTo`, `Manager ID`, `Parent`). A `Field`
lists the spellings we recognise, best first; `find_columns` picks a column per
field from a header (or takes the one the user named with an option) and says
what it took, so a wrong guess is visible and fixable with one option.

Headers are compared folded (case, `_`, `-` and spaces ignored) and without a
trailing unit in brackets (`Total Pay (GBP)` is `Total Pay`). A column that is not
taken but looks like one of the fields (`reports_to_resolves`, `Salary Cost of
Reports`) is named by `lookalikes`, so the user sees what was left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from clientchain.loading.keys import fold
from clientchain.model.problems import Position, Problem, did_you_mean
from clientchain.model.visible import clip

LISTED_COLUMNS = 30  # header names a message lists before "and N more"


@dataclass(frozen=True)
class Field:
    """Something an importer reads from a column."""

    name: str  # what it is called in messages and in the mapping line ("reports_to")
    option: str  # the option that names its column ("--reports-to")
    spellings: tuple[str, ...]  # header names recognised, best first (compared folded)
    required: bool = False


@dataclass(frozen=True)
class Columns:
    """The column index taken for each field found (fields not found are absent)."""

    index: Mapping[str, int]
    header: Sequence[str]

    def __contains__(self, name: str) -> bool:
        return name in self.index

    def __getitem__(self, name: str) -> int:
        return self.index[name]


_UNIT = re.compile(r"\s*\([^()]*\)\s*$")  # `Salary (GBP)`, `Total Pay (£)`
LOOKALIKE_MIN = 5  # a spelling this long found inside a header makes it look like the field


def header_key(name: str) -> str:
    """How a header is compared with the spellings: folded, a trailing `(unit)` dropped."""
    bare = _UNIT.sub("", name)
    return fold(bare if bare.strip() else name)


def find_columns(
    header: Sequence[str],
    fields: Sequence[Field],
    chosen: Mapping[str, str | None],
    where: Position,
) -> tuple[Columns, list[Problem]]:
    """A column per field: the one named in `chosen[field.name]` (by header text, exact
    or folded, or by 1-based number), else the first recognised spelling; problems for
    a named column that is missing and for a required field that nothing matches."""
    folded = [header_key(name) for name in header]
    problems: list[Problem] = []
    index: dict[str, int] = {}
    taken: set[int] = set()
    for field in fields:  # named columns first: they win over any recognised spelling
        named = chosen.get(field.name)
        if named is None:
            continue
        column = _named_column(named, header, folded)
        if column is None:
            maybe = did_you_mean(named, header)
            problems.append(
                Problem(
                    where,
                    f"{field.option} {named}: no such column{maybe}; {columns_listing(header)}",
                )
            )
            continue
        index[field.name] = column
        taken.add(column)
    for field in fields:
        if field.name in index or chosen.get(field.name) is not None:
            continue
        column = _recognised(field, folded, taken)
        if column is not None:
            index[field.name] = column
            taken.add(column)
        elif field.required:
            problems.append(
                Problem(
                    where,
                    f"no column for {field.name}: pass {field.option} COLUMN;"
                    f" {columns_listing(header)}",
                )
            )
    ordered = {f.name: index[f.name] for f in fields if f.name in index}
    return Columns(ordered, list(header)), problems


def lookalikes(columns: Columns, fields: Sequence[Field]) -> list[tuple[int, Field]]:
    """Columns not taken whose header is a spelling of some field, or holds a long one
    (`reports_to_resolves` holds `reports_to`), each with the field it looks most like
    (an exact spelling, else the longest spelling it holds)."""
    taken = set(columns.index.values())
    found: list[tuple[int, Field]] = []
    for column, name in enumerate(columns.header):
        if column in taken:
            continue
        key = header_key(name)
        best: tuple[int, Field] | None = None
        for field in fields:
            for spelling in map(header_key, field.spellings):
                score = (
                    len(key) + 1
                    if spelling == key
                    else len(spelling)
                    if len(spelling) >= LOOKALIKE_MIN and spelling in key
                    else 0
                )
                if score and (best is None or score > best[0]):
                    best = (score, field)
        if best is not None:
            found.append((column, best[1]))
    return found


def named_column(named: str, header: Sequence[str]) -> int | None:
    """The column an option names: see `_named_column`."""
    return _named_column(named, header, [header_key(name) for name in header])


def _named_column(named: str, header: Sequence[str], folded: Sequence[str]) -> int | None:
    """Exact text first, then folded (`salary (eur)` is `Salary (EUR)`, not `Salary
    (GBP)`), then without the unit; then a 1-based number."""
    if named in header:
        return list(header).index(named)
    whole = [fold(name) for name in header]
    if fold(named) in whole:
        return whole.index(fold(named))
    if header_key(named) in folded:
        return list(folded).index(header_key(named))
    if named.isdigit() and 1 <= int(named) <= len(header):
        return int(named) - 1
    return None


def _recognised(field: Field, folded: Sequence[str], taken: set[int]) -> int | None:
    for spelling in field.spellings:
        target = header_key(spelling)
        for column, name in enumerate(folded):
            if name == target and column not in taken:
                return column
    return None


def columns_listing(header: Sequence[str]) -> str:
    """`the columns are 'a', 'b', ...`: what a message about a missing column ends with."""
    return f"the columns are {column_names(header)}"


def column_names(header: Sequence[str]) -> str:
    """`'a', 'b', ... and 12 more`: the first LISTED_COLUMNS names, each cut short."""
    shown = ", ".join(f"'{clip(name, 40)}'" for name in header[:LISTED_COLUMNS])
    rest = len(header) - LISTED_COLUMNS
    return shown + (f" and {rest} more" if rest > 0 else "")


def mapping_text(taken: Iterable[tuple[str, int]], header: Sequence[str]) -> str:
    """`from = 'CustomerId', amount = 'Total'`: which column each field was taken from."""
    return ", ".join(f"{name} = '{clip(header[index])}'" for name, index in taken)
