"""An export's header mapped to fields, and its rows as columns of trimmed cells.

The export is read as every importer reads a CSV file (`ledger_source.Table`:
its header row, where each cell is). The rows kept are those that `--where
COL=VALUE` lets through (all of them without it); blank rows (every cell empty,
as spreadsheets append them) are skipped; a short row reads as empty cells.
Only the spaces typed around a cell are trimmed, as the flows reader trims
them, so an id means the same in both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter

from clientchain.importing.columns import Columns, Field, find_columns, named_column
from clientchain.importing.failure import ImportInputError
from clientchain.importing.ledger_source import Table, table_of
from clientchain.loading.flow_table import CELL_PADDING
from clientchain.loading.spreadsheet import CsvText
from clientchain.model.problems import InputError, Position, Problem, did_you_mean

SEEN_VALUES = 8  # distinct values of a --where column named when none matches


@dataclass(frozen=True)
class Where:
    """`--where COL=VALUE`: keep only rows whose COL cell (trimmed) is VALUE."""

    column: str
    value: str

    def __str__(self) -> str:
        return f"{self.column}={self.value}"


@dataclass
class ExportRows:
    """The kept rows: their lines, and per field found the trimmed cell of each."""

    table: Table
    columns: Columns
    lines: list[int]
    cells: dict[str, list[str]]

    def __len__(self) -> int:
        return len(self.lines)

    def position(self, row: int, field: str) -> Position:
        """Where the cell of `field` in kept row `row` is."""
        return self.table.position(self.lines[row], self.columns[field])

    def header(self, field: str) -> str:
        return self.columns.header[self.columns[field]]


def read_export(
    source: CsvText,
    fields: Sequence[Field],
    chosen: Mapping[str, str | None],
    where: Sequence[Where] = (),
) -> ExportRows:
    """The rows of `source` as columns; ImportInputError for a missing or unknown column (a
    root cause: nothing else is reported then), an empty file, a row the csv module
    cannot read, or a --where that keeps nothing."""
    try:
        return _read_export(table_of(source), fields, chosen, where)
    except InputError as exc:  # no header row, or a row that is not CSV
        raise ImportInputError(exc.problems) from None


def _read_export(
    table: Table,
    fields: Sequence[Field],
    chosen: Mapping[str, str | None],
    where: Sequence[Where],
) -> ExportRows:
    header, here = table.header, table.header_position
    columns, problems = find_columns(header, fields, chosen, here)
    filters, where_problems = _filters(where, header, here)
    if problems or where_problems:
        raise ImportInputError([*problems, *where_problems])
    names = list(columns.index)
    indices = [columns[name] for name in names]
    width = max([*indices, *(i for i, _ in filters)], default=-1) + 1
    grab = _grabber(indices)
    lines: list[int] = []
    kept: list[tuple[str, ...]] = []
    seen: dict[str, None] = {}  # --where values met, for the message when none matches
    for line, cells in table.raw_rows():
        if len(cells) < width:
            if not any(cells):
                continue
            cells = cells + [""] * (width - len(cells))
        elif not cells[0] and not any(cells):
            continue
        if filters and not _kept(cells, filters, seen):
            continue
        lines.append(line)
        kept.append(grab(cells))
    # Column by column, in C: a million rows are a few passes, not a million loops.
    taken = [
        list(map(str.strip, map(itemgetter(k), kept), repeat(CELL_PADDING)))
        for k in range(len(names))
    ]
    del kept
    if not lines:
        raise ImportInputError([_nothing_kept(here, where, seen)])
    return ExportRows(table, columns, lines, dict(zip(names, taken, strict=True)))


def _grabber(indices: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at `indices` of a row, as a tuple (itemgetter returns a bare cell for
    one index)."""
    if len(indices) == 1:
        only = indices[0]
        return lambda cells: (cells[only],)
    if not indices:
        return lambda cells: ()
    return itemgetter(*indices)


def _filters(
    where: Sequence[Where], header: Sequence[str], here: Position
) -> tuple[list[tuple[int, frozenset[str]]], list[Problem]]:
    """Per column named by --where, the values it may hold (several --where on one
    column: any of their values; on different columns: all must hold)."""
    wanted: dict[int, set[str]] = {}
    problems: list[Problem] = []
    for item in where:
        column = named_column(item.column, header)
        if column is None:
            maybe = did_you_mean(item.column, header)
            problems.append(Problem(here, f"--where '{item}': no column '{item.column}'{maybe}"))
            continue
        wanted.setdefault(column, set()).add(item.value.strip(CELL_PADDING))
    return [(column, frozenset(values)) for column, values in wanted.items()], problems


def _kept(
    cells: list[str], filters: list[tuple[int, frozenset[str]]], seen: dict[str, None]
) -> bool:
    for index, values in filters:
        cell = cells[index].strip(CELL_PADDING)
        if cell not in values:
            if len(seen) < SEEN_VALUES:
                seen.setdefault(cell)
            return False
    return True


def _nothing_kept(here: Position, where: Sequence[Where], seen: dict[str, None]) -> Problem:
    if not where:
        return Problem(here, "no rows below the header: nothing to import")
    shown = " ".join(f"--where '{item}'" for item in where)
    columns = {item.column for item in where}
    found = ""
    if len(columns) == 1 and seen:  # with several columns, which one failed is unclear
        values = ", ".join(f"'{value}'" for value in seen)
        more = ", ..." if len(seen) >= SEEN_VALUES else ""
        found = f"; values in that column include {values}{more}"
    return Problem(here, f"{shown} keeps no row{found}")
