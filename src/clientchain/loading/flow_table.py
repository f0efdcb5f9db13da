"""Money-flow rows as written (CSV file, YAML list or inline list), before ids are resolved.

Rows are kept column-wise (lists of texts and numbers plus line numbers), so a
file of millions of rows costs a few lists, not an object per row. A field's
column is worked out only when a message needs it.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from clientchain.loading.keys import FLOW
from clientchain.loading.scalars import (
    amount_ok,
    amount_problem,
    decimals_of,
    is_null,
    parse_number,
)
from clientchain.loading.spreadsheet import (
    DEFAULT,
    DELIMITER_NAMES,
    DELIMITERS,
    AmountSpellingError,
    CellLocator,
    CsvText,
    Dialect,
    csv_text,
    decode_table,
    no_field_limit,
    read_amount,
)
from clientchain.model.holder import value_class
from clientchain.model.problems import Position, Problem

if TYPE_CHECKING:  # a type only: reading a flows CSV needs no yaml
    from clientchain.loading.yaml_source import YNode

REQUIRED = ("from", "to", "amount")
YAML_SUFFIXES = frozenset({".yaml", ".yml", ".json"})  # flows files read as YAML; others CSV


def flows_file_key(path: Path) -> object | None:
    """Which file `path` is, whatever the spelling of its path or a link to it: its
    device and inode (where the system has none, its resolved path); None when there is
    no file to read (the reader then says why) or it is a directory."""
    try:
        found = path.stat()
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    if stat.S_ISDIR(found.st_mode):
        return None
    if found.st_ino:
        return (found.st_dev, found.st_ino)
    return os.path.normcase(os.path.realpath(path))


@value_class(frozen=False)
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


# What a person types around a cell ("a, b, 5"): spaces. Nothing else is trimmed from
# an id: a tab, a line break or a control character in a quoted cell is part of it (ids
# are kept exactly as written; the YAML side keeps them too). The fast reader agrees.
CELL_PADDING = " "


def read_csv_bytes(data: bytes, file: str, dialect: Dialect = DEFAULT) -> FlowTable:
    """Flow rows from a CSV file's bytes (see `read_csv`), decoded by their byte order
    mark or `dialect.encoding`; InputError when they are not text in that encoding."""
    return read_csv(decode_table(data, file, dialect.encoding), file, dialect)


def read_csv(text: str, file: str, dialect: Dialect = DEFAULT) -> FlowTable:
    """Flow rows from CSV text with a header naming from, to, amount (other columns kept).

    Read as spreadsheets write CSV: the delimiter `dialect` forces, else an Excel `sep=`
    line's, else the one the header uses (`,` `;` tab `|`); amounts with currency
    symbols and thousands separators (`$9,000,000`), decimal commas with
    `dialect.decimal_comma` (`1 234,50`). Positions are the file's lines and columns.
    """
    source = csv_text(text, file, dialect.delimiter)
    table = FlowTable(file)
    reader = csv.reader(
        io.StringIO(source.text, newline=""), delimiter=source.delimiter, strict=True
    )
    offset = source.first_line - 1  # body lines -> file lines (a `sep=` line before it)
    with no_field_limit():
        columns = _csv_header(reader, source, table)
        if columns is None:
            return table
        locator = source.locator()
        names = columns.names

        def locate(row: int, name: str) -> Position:
            return locator.position(table.lines[row], names.index(name))

        table.locate = locate
        reading = _Amounts(dialect.decimal_comma, source.delimiter, locator)
        line = reader.line_num  # the last line read so far (the header's, to begin with)
        try:
            # CsvText.rows() inlined: a generator step per row costs a tenth of the time
            # of millions of rows.
            for cells in reader:
                # A row starts just after the previous one ends; line_num is where this
                # one ends (a quoted cell may hold line breaks).
                start, line = line + 1, reader.line_num
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                _csv_row(table, columns, cells, start + offset, reading)
        except csv.Error as exc:
            # The row the reader choked on starts after the last line it read.
            where = Position(file, line + 1 + offset, 1)
            table.problems.append(Problem(where, f"unreadable CSV: {exc}"))
    return table


@value_class(slots=True)
class _CsvColumns:
    """Where a flows CSV's header puts each field (0-based cell indexes)."""

    names: list[str]  # the header's names, stripped and lower-cased
    payer: int
    payee: int
    amount: int
    others: list[tuple[int, str]]  # metadata columns: (index, name as written)


def _csv_header(
    reader: Iterator[list[str]], source: CsvText, table: FlowTable
) -> _CsvColumns | None:
    """The header row's columns, or None (with a problem) when it is unreadable, absent
    or lacks one of from, to, amount."""
    file = table.file
    where = Position(file, source.first_line, 1)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        table.problems.append(Problem(where, f"unreadable CSV header: {exc}"))
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
                where,
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
                f" in the header (found {found}); a flows CSV needs from, to, amount"
                + _other_delimiter(header, source.delimiter),
            )
        )
        return None
    repeated = _repeated_columns(header)
    misspelt = misspelt_columns(header)
    if repeated or misspelt:
        locator = source.locator()
        for first, again in repeated:
            table.problems.append(
                Problem(
                    locator.position(source.first_line, again),
                    f"column {header[again].strip()!r} is named twice in the header (columns"
                    f" {first + 1} and {again + 1}): one of the two would be lost",
                )
            )
        for at, guess in misspelt:
            where = locator.position(source.first_line, at)
            said = f"column {header[at].strip()!r} is not used (did you mean {guess!r}?)"
            table.problems.append(Problem(where, said))
        return None
    i_from, i_to, i_amount = (names.index(name) for name in REQUIRED)
    others = [(i, header[i].strip()) for i in range(len(names)) if names[i] not in REQUIRED]
    return _CsvColumns(names, i_from, i_to, i_amount, others)


def misspelt_columns(header: Sequence[str]) -> list[tuple[int, str]]:
    """(column, the one it misses) for each header cell that is from, to or amount spelt
    another way beside it (`amout` by `amount`), as a flow's keys are judged (the fast
    reader hands a file with one to this one)."""
    names = [cell.strip() for cell in header]
    required = [name.lower() for name in names if name.lower() in REQUIRED]
    found = []
    for i, name in enumerate(names):
        guess = None if name.lower() in REQUIRED else FLOW.guess(name, required)
        if guess is not None:
            found.append((i, guess))
    return found


def _repeated_columns(header: list[str]) -> list[tuple[int, int]]:
    """(first, again) for each header cell that names a column named before it: the
    same from, to or amount in any case, or the same other name (kept as written, so
    `Kind` and `kind` are two). Unnamed columns (a spreadsheet's trailing empty ones)
    may be many."""
    first: dict[str, int] = {}
    repeated = []
    for i, cell in enumerate(header):
        name = cell.strip()
        key = name.lower() if name.lower() in REQUIRED else name
        if not name:
            continue
        if key in first:
            repeated.append((first[key], i))
        else:
            first[key] = i
    return repeated


def _other_delimiter(header: list[str], delimiter: str) -> str:
    """A hint when a header of one cell holds another delimiter (a wrong --delimiter)."""
    if len(header) != 1:
        return ""
    for other in DELIMITERS:
        if other != delimiter and other in header[0]:
            given = f"{DELIMITER_NAMES[delimiter]}s" if delimiter in DELIMITER_NAMES else "that"
            return (
                f" (it looks separated by {DELIMITER_NAMES[other]}s, not {given}:"
                " check --delimiter)"
            )
    return ""


_SPELLINGS_KEPT = 1 << 20  # distinct amount cells remembered per file (~100 MB at most)


class _Amounts:
    """How one file writes its amounts, where its cells are, and the first currency it
    names: amounts add up as written, so all that name a currency must name the same."""

    __slots__ = ("currency", "decimal_comma", "delimiter", "locator", "plain_first", "seen")

    def __init__(self, decimal_comma: bool, delimiter: str, locator: CellLocator) -> None:
        self.decimal_comma = decimal_comma
        self.delimiter = delimiter
        self.locator = locator
        # A plain number means itself, but not with decimal commas, nor in a ';' file,
        # where `1.500` could mean fifteen hundred (see plain_amount).
        self.plain_first = not decimal_comma and delimiter != ";"
        self.currency: tuple[str, int] | None = None  # (as written, the line first naming it)
        self.seen: dict[str, tuple[str, str | None]] = {}  # see spelled

    def spelled(self, written: str) -> tuple[str, str | None]:
        """`read_amount` of a cell (AmountSpellingError for one no spreadsheet writes),
        each spelling translated once: a ledger's amounts repeat (prices, fees), and a
        million `$1,250.00` cells took seconds to translate one by one."""
        known = self.seen.get(written)
        if known is None:
            known = read_amount(written, self.decimal_comma, self.delimiter)
            if len(self.seen) < _SPELLINGS_KEPT:
                self.seen[written] = known
        return known

    def other_currency(self, written: str, currency: str | None, line: int) -> str | None:
        """Why an amount in `currency` cannot join the file's, or None when it can."""
        if currency is None:
            return None
        if self.currency is None:
            self.currency = (currency, line)
            return None
        first, first_line = self.currency
        if currency == first:
            return None
        return currency_problem(written, currency, first, first_line)


def currency_problem(written: str, currency: str, first: str, first_line: int) -> str:
    """An amount in another currency than the file's first (named at `first_line`)."""
    return (
        f"amount '{written}' is in {currency}, but the amounts before it are in {first}"
        f" (line {first_line}); amounts add up as written: convert them to one currency"
    )


def _csv_row(
    table: FlowTable, columns: _CsvColumns, cells: list[str], line: int, reading: _Amounts
) -> None:
    """Add the non-blank row starting at `line`, or the problem that keeps it out."""
    width = len(columns.names)
    if len(cells) != width:
        table.problems.append(
            Problem(
                Position(table.file, line, 1),
                f"row has {len(cells)} field{'s' if len(cells) != 1 else ''},"
                f" the header has {width}",
            )
        )
        return
    written = cells[columns.amount].strip()
    # Most amounts are plain numbers: read at once, without the spreadsheet translation.
    value = parse_number(written) if reading.plain_first else None
    literal = written
    if value is None:
        why: str | None
        try:
            literal, currency = reading.spelled(written)
            why = reading.other_currency(written, currency, line)
        except AmountSpellingError as exc:
            why = str(exc)
        if why is None:
            value = parse_number(literal)
        else:
            table.problems.append(Problem(reading.locator.position(line, columns.amount), why))
            return
    if not amount_ok(value):
        why = amount_problem(literal, quoted=False) or "invalid amount"
        where = reading.locator.position(line, columns.amount)
        table.problems.append(Problem(where, as_written(why, literal, written)))
        return
    # decimals_of's own first test, inlined: most amounts are whole and skip the call.
    if "." in literal or "e" in literal or "E" in literal:
        table.decimals = max(table.decimals, decimals_of(literal))
    table.payer.append(cells[columns.payer].strip(CELL_PADDING))
    table.payee.append(cells[columns.payee].strip(CELL_PADDING))
    table.amount.append(value)  # type: ignore[arg-type]  # amount_ok: not None
    table.lines.append(line)
    if columns.others:
        table._add_extra({name: cells[i] for i, name in columns.others})


def as_written(why: str, literal: str, written: str) -> str:
    """`amount_problem` quotes the plain literal it judged (`0`); say what the file has
    (`$0`)."""
    if literal == written:
        return why
    for judged, shown in ((f"'{literal}'", f"'{written}'"), (literal, written)):
        if why.startswith(f"amount {judged}"):
            return f"amount {shown}{why[len('amount ') + len(judged) :]}"
    return why


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
    misspelt = FLOW.misspelt(item, file)
    if misspelt:  # the misspelt key is the problem, not the field it leaves out
        problems.extend(problem for _, problem in misspelt)
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
        elif name != "amount" and is_null(value):  # as `id: null` and `reports_to: ~` are
            where = Position(file, value.line, value.column)
            whose = "payer" if name == "from" else "payee"
            problems.append(Problem(where, f"flow '{name}' is null: write the {whose}'s id"))
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
