"""Money-flow rows as written (CSV file, YAML list or inline list), before ids are resolved.

Rows are kept column-wise (lists of texts and numbers plus line numbers), so a
file of millions of rows costs a few lists, not an object per row. A field's
column is worked out only when a message needs it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from clientchain.loading.scalars import amount_ok, amount_problem, decimals_of, parse_number
from clientchain.loading.yaml_source import YNode
from clientchain.model.problems import Position, Problem

REQUIRED = ("from", "to", "amount")
YAML_SUFFIXES = frozenset({".yaml", ".yml", ".json"})  # flows files read as YAML; others CSV


@dataclass
class FlowTable:
    """Valid-looking rows of one flow source; rows with a bad amount are dropped with a problem."""

    file: str
    payer: list[str] = field(default_factory=list)
    payee: list[str] = field(default_factory=list)
    amount: list[float] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    decimals: int = 0
    extra: dict[str, list[str | None]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # (row number in this table, field name) -> where that field is written
    locate: Callable[[int, str], Position] | None = None

    def position(self, row: int, name: str) -> Position:
        if self.locate is not None:
            return self.locate(row, name)
        return Position(self.file, self.lines[row])

    def _add_extra(self, values: dict[str, str | None]) -> None:
        """Record the metadata columns of the row just added (None where a row has none)."""
        row = len(self.payer) - 1
        for key, value in values.items():
            column = self.extra.get(key)
            if column is None:
                column = self.extra[key] = [None] * row
            column.append(value)
        if len(values) < len(self.extra):
            for column in self.extra.values():
                if len(column) <= row:
                    column.append(None)


def _csv_field_column(raw: str, index: int) -> int:
    """1-based column where field `index` starts in a CSV line (quotes respected)."""
    field_no, in_quotes = 0, False
    for pos, char in enumerate(raw):
        if field_no == index:
            return pos + 1
        if char == '"':
            in_quotes = not in_quotes
        elif char == "," and not in_quotes:
            field_no += 1
    # Past the end: an empty last field (after a trailing comma), or the line holds fewer
    # fields than that (a quoted cell broke it), so the row's start is the best we know.
    return len(raw) + 1 if field_no == index else 1


# What a person types around a cell ("a, b, 5"): spaces. Nothing else is trimmed from
# an id: a tab, a line break or a control character in a quoted cell is part of it (ids
# are kept exactly as written; the YAML side keeps them too). The fast reader agrees.
CELL_PADDING = " "


def read_csv(text: str, file: str) -> FlowTable:
    """Flow rows from CSV text with a header naming from, to, amount (other columns kept)."""
    with _no_field_limit():
        return _read_csv(text, file)


@contextlib.contextmanager
def _no_field_limit() -> Iterator[None]:
    """The csv module refuses a cell over 128 KiB; an id or a note may be longer, and is
    data. The limit is process-wide, so it is put back afterwards."""
    previous = csv.field_size_limit(_LARGEST_FIELD)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


_LARGEST_FIELD = 2**31 - 1  # the C long the csv module keeps it in, on every platform
# The csv module's own line breaks (its line_num counts these), not str.splitlines' many.
_CSV_LINES = re.compile(r"\r\n|\r|\n")


def _read_csv(text: str, file: str) -> FlowTable:
    table = FlowTable(file)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns = _csv_header(reader, table)
    if columns is None:
        return table
    raw_lines = _CSV_LINES.split(text)
    names = columns.names

    def locate(row: int, name: str) -> Position:
        return _csv_cell_position(file, raw_lines, table.lines[row], names.index(name))

    table.locate = locate
    line = 1  # the last line read so far (the header's, to begin with)
    try:
        for cells in reader:
            # A row starts just after the previous one ends; line_num is where this one
            # ends (a quoted cell may hold line breaks).
            start, line = line + 1, reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            _csv_row(table, columns, cells, start, raw_lines)
    except csv.Error as exc:
        # The row the reader choked on starts after the last line it read.
        table.problems.append(Problem(Position(file, line + 1, 1), f"unreadable CSV: {exc}"))
    return table


@dataclass(frozen=True, slots=True)
class _CsvColumns:
    """Where a flows CSV's header puts each field (0-based cell indexes)."""

    names: list[str]  # the header's names, stripped and lower-cased
    payer: int
    payee: int
    amount: int
    others: list[tuple[int, str]]  # metadata columns: (index, name as written)


def _csv_header(reader: Iterator[list[str]], table: FlowTable) -> _CsvColumns | None:
    """The header row's columns, or None (with a problem) when it is unreadable, absent
    or lacks one of from, to, amount."""
    file = table.file
    try:
        header = next(reader, None)
    except csv.Error as exc:
        table.problems.append(Problem(Position(file, 1), f"unreadable CSV header: {exc}"))
        return None
    if header is None:
        table.problems.append(Problem(Position(file, 1), "empty flows file: expected a header row"))
        return None
    names = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        found = ", ".join(repr(n) for n in header) or "nothing"
        table.problems.append(
            Problem(
                Position(file, 1, 1),
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
                f" in the header (found {found}); a flows CSV needs from, to, amount",
            )
        )
        return None
    i_from, i_to, i_amount = (names.index(name) for name in REQUIRED)
    others = [(i, header[i].strip()) for i in range(len(names)) if names[i] not in REQUIRED]
    return _CsvColumns(names, i_from, i_to, i_amount, others)


def _csv_row(
    table: FlowTable, columns: _CsvColumns, cells: list[str], line: int, raw_lines: list[str]
) -> None:
    """Add the non-blank row starting at `line`, or the problem that keeps it out."""
    file = table.file
    width = len(columns.names)
    if len(cells) != width:
        table.problems.append(
            Problem(
                Position(file, line, 1),
                f"row has {len(cells)} field{'s' if len(cells) != 1 else ''},"
                f" the header has {width}",
            )
        )
        return
    text_amount = cells[columns.amount].strip()
    value = parse_number(text_amount)
    if not amount_ok(value):
        why = amount_problem(text_amount, quoted=False) or "invalid amount"
        table.problems.append(
            Problem(_csv_cell_position(file, raw_lines, line, columns.amount), why)
        )
        return
    # decimals_of's own first test, inlined: most amounts are whole and skip the call.
    if "." in text_amount or "e" in text_amount or "E" in text_amount:
        table.decimals = max(table.decimals, decimals_of(text_amount))
    table.payer.append(cells[columns.payer].strip(CELL_PADDING))
    table.payee.append(cells[columns.payee].strip(CELL_PADDING))
    table.amount.append(value)  # type: ignore[arg-type]  # amount_ok: not None
    table.lines.append(line)
    if columns.others:
        table._add_extra({name: cells[i] for i, name in columns.others})


def _csv_cell_position(file: str, raw_lines: list[str], line: int, index: int) -> Position:
    """Where cell `index` of the row starting at (1-based) `line` is written."""
    raw = raw_lines[line - 1] if 0 < line <= len(raw_lines) else ""
    return Position(file, line, _csv_field_column(raw, index))


def read_yaml_list(node: YNode, file: str) -> FlowTable:
    """Flow rows from a YAML list of mappings (a flows file or the org chart's inline list)."""
    table = FlowTable(file)
    nodes: list[dict[str, YNode]] = []  # each row's fields, for positions in messages

    def locate(row: int, name: str) -> Position:
        where = nodes[row].get(name)
        if where is None:
            return Position(file, table.lines[row])
        return Position(file, where.line, where.column)

    table.locate = locate
    if node.kind != "seq":
        table.problems.append(
            Problem(
                Position(file, node.line, node.column),
                f"flows must be a list of mappings with from, to, amount; found {node.describe}",
            )
        )
        return table
    for item in node.items:
        fields = _yaml_flow_fields(item, file, table.problems)
        if fields is not None:
            nodes.append(fields)
            _yaml_row(table, fields, item.line)
    return table


def _yaml_flow_fields(item: YNode, file: str, problems: list[Problem]) -> dict[str, YNode] | None:
    """The fields of a flow written as a mapping with single-value from, to and a valid
    amount; None (with its problems) for any other item."""
    here = Position(file, item.line, item.column)
    if item.kind != "map":
        problems.append(
            Problem(here, f"a flow must be a mapping with from, to, amount; found {item.describe}")
        )
        return None
    fields = {key.text: value for key, value in item.pairs}
    bad = False
    for name in REQUIRED:
        value = fields.get(name)
        if value is None:
            problems.append(Problem(here, f"flow is missing '{name}'"))
            bad = True
        elif value.kind != "scalar":
            where = Position(file, value.line, value.column)
            problems.append(
                Problem(where, f"flow '{name}' must be a single value, not {value.describe}")
            )
            bad = True
    if bad:
        return None
    amount = fields["amount"]
    why = amount_problem(amount.text, amount.quoted)
    if why is not None:
        problems.append(Problem(Position(file, amount.line, amount.column), why))
        return None
    return fields


def _yaml_row(table: FlowTable, fields: dict[str, YNode], line: int) -> None:
    """Add a flow whose fields `_yaml_flow_fields` accepted."""
    amount = fields["amount"]
    table.decimals = max(table.decimals, decimals_of(amount.text))
    table.payer.append(fields["from"].text)
    table.payee.append(fields["to"].text)
    table.amount.append(float(amount.text))
    table.lines.append(line)
    extras = {
        k: (v.text if v.kind == "scalar" else None) for k, v in fields.items() if k not in REQUIRED
    }
    if extras or table.extra:
        table._add_extra(extras)
