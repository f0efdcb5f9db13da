"""A CSV input of the importers as rows: an HR export, a customer list, a ledger,
budgets, recharges, read as spreadsheets write CSV.

The bytes are decoded and split by `loading.spreadsheet` (encodings, sniffed
delimiter, `sep=` line); here they become a header and data rows with their
line numbers, and amount cells become exact decimals.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow
from itertools import islice
from pathlib import Path

from clientchain.loading.loader import read_input_bytes, read_stdin
from clientchain.loading.scalars import NUMBER
from clientchain.loading.spreadsheet import (
    AmountSpellingError,
    CellLocator,
    CsvText,
    Dialect,
    csv_text,
    decode_table,
    plain_amount,
)
from clientchain.model.problems import InputError, Position, Problem

STDIN = "-"
STDIN_NAME = "<stdin>"


def read_bytes(path: str) -> bytes:
    """The bytes of `path` (`-`: standard input), or InputError saying why not."""
    if path == STDIN:
        return read_stdin(Position(STDIN_NAME))
    return read_input_bytes(Path(path), path, Position(path))


def shown_name(path: str) -> str:
    """How messages name the file."""
    return STDIN_NAME if path == STDIN else path


@dataclass(frozen=True)
class Table:
    """A CSV file's header and the means to walk its data rows."""

    source: CsvText
    header: Sequence[str]
    header_line: int
    locator: CellLocator

    @property
    def file(self) -> str:
        return self.source.file

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of each data row, blank rows left out."""
        rows = self.source.rows()
        next(rows, None)  # the header
        for line, cells in rows:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            yield line, cells

    def raw_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of each row after the header, blank rows included (the fastest)."""
        return islice(self.source.rows(), 1, None)

    def position(self, line: int, index: int) -> Position:
        return self.locator.position(line, index)

    def at(self, line: int, index: int | None = None) -> Callable[[], Position]:
        """Where cell `index` of the row at `line` is (the row's start without an index),
        worked out when asked: most rows never need it."""
        if index is None:
            return lambda: Position(self.file, line, 1)
        return lambda: self.locator.position(line, index)

    @property
    def header_position(self) -> Position:
        return Position(self.file, self.header_line, 1)


def read_table(path: str, dialect: Dialect) -> Table:
    """The file at `path` as a table, or InputError (unreadable, a workbook, not text in
    its encoding, empty)."""
    shown = shown_name(path)
    text = decode_table(read_bytes(path), shown, dialect.encoding)
    return table_of(csv_text(text, shown, dialect.delimiter))


def table_of(source: CsvText) -> Table:
    """The header of `source` (InputError when it has none)."""
    for line, cells in source.rows():
        if cells and any(c.strip() for c in cells):
            return Table(source, cells, line, source.locator())
        break
    raise InputError([Problem(Position(source.file, 1, 1), "empty file: expected a header row")])


# ---------------------------------------------------------------------------- amounts

# Enough digits for any sum of supported amounts; a result that would need rounding
# is refused (Inexact), never rounded.
EXACT = Context(prec=120, traps=[Inexact, InvalidOperation, Overflow])

# Most cells are plain already: these skip the spreadsheet translation (with a decimal
# comma, `1.500` means 1500: only whole numbers are plain then).
PLAIN_POINT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_PLAIN_WHOLE = re.compile(r"-?[0-9]+")


class AmountError(ValueError):
    """A cell that is not an amount: `kind` is 'empty', 'not-a-number' or 'spelling'
    (separators that could mean two numbers); str() says why and what to write."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def cell_amount(cell: str, decimal_comma: bool, what: str = "amount") -> Decimal:
    """The exact number in a cell (`$9,000,000`, `1 234,50` with `decimal_comma`,
    `-12.5`); AmountError when there is none or it could be read two ways. `what` names
    the value in messages."""
    plain = _PLAIN_WHOLE if decimal_comma else PLAIN_POINT
    if plain.fullmatch(cell):
        return Decimal(cell)
    return Decimal(amount_literal(cell, decimal_comma, what))


def amount_literal(cell: str, decimal_comma: bool, what: str = "amount") -> str:
    """The plain number literal a cell's amount is written as (`$9,000,000` ->
    `9000000`; see `cell_amount`), or AmountError."""
    if not cell.strip():
        raise AmountError("empty", f"{what} is empty; write a number")
    try:
        literal = plain_amount(cell, decimal_comma)
    except AmountSpellingError as exc:
        raise AmountError("spelling", str(exc)) from None
    if not NUMBER.fullmatch(literal):
        raise AmountError("not-a-number", f"{what} '{cell}' is not a number")
    return literal


def amount_message(cell: str, decimal_comma: bool) -> str:
    """Why `cell` is not an amount (what `cell_amount` raises for it)."""
    try:
        cell_amount(cell, decimal_comma)
    except AmountError as error:
        return str(error)
    return f"amount '{cell}' is a number"  # not reached: asked only for a refused cell


def places_written(value: Decimal) -> int:
    """Decimal places the cell was written with (`12.50` -> 2, `1E+3` -> 0)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
