"""A flows CSV's amount column, read from the flat reader's bytes and judged row by row
as the precise CSV reader judges it (loading/flow_table: `_csv_row`).

Plain decimals in range (nearly every ledger) are read straight from the bytes. Any
other column is read one distinct spelling at a time (`$1,250.00`, `-5`, `abc`: a
million rows are spelled a few thousand ways), and each row is then judged as the
precise reader judges it, in its order: a spelling no spreadsheet writes, then a
currency other than the file's first, then a number out of range. A big ledger with
one bad amount is worded here, where it used to be read again by the csv module (at
2.5 million rows 12 s and 1.9 GB, for one line of output).
"""

from __future__ import annotations

import numpy as np

from clientchain.loading.fast.byte_columns import plain_decimals, strip_for_numbers
from clientchain.loading.fast.flat_csv import FlatCsv
from clientchain.loading.fast.slips import ByteLines
from clientchain.loading.flow_table import as_written, currency_problem
from clientchain.loading.scalars import (
    MAX_AMOUNT,
    MAX_DECIMALS,
    MIN_AMOUNT,
    amount_ok,
    amount_problem,
    decimals_of,
    parse_number,
)
from clientchain.loading.spreadsheet import AmountSpellingError, read_amount
from clientchain.model.holder import value_class
from clientchain.model.org import FloatArray, IntArray
from clientchain.model.texts import distinct_texts

_NONE = np.zeros(0, dtype=np.int64)


@value_class
class Amounts:
    """A column of amounts: per row its value (1 where it is wrong), the most decimal
    places of those read, and the rows whose amount is wrong (ascending) with why."""

    values: FloatArray
    decimals: int
    wrong: IntArray
    whys: list[str]


def read_amounts(table: FlatCsv, column: int) -> Amounts:
    """The amounts in `column` (UnicodeDecodeError if a cell to read as text is not
    UTF-8: the precise reader says where)."""
    start, end = table.start(column), table.stop(column)
    odd = False
    if not table.bare:  # (bare cells: nothing to strip)
        start, end, odd = strip_for_numbers(table.buf, start, end)
    # In a `;` file `1.500` may mean fifteen hundred: every amount is read as spelled.
    plain = None if odd or table.delimiter == ";" else plain_amounts(table.buf, start, end)
    if plain is not None:
        return Amounts(*plain, _NONE, [])
    if odd:  # other white space at an edge: stripped as str.strip does
        spellings, index = _distinct([text.strip() for text in table.texts(column)])
    else:
        spellings, index = distinct_texts(table.buf, start, end)
    return _Judged(spellings, table.delimiter).rows(index, table, column)


def plain_amounts(buf: np.ndarray, start: IntArray, end: IntArray) -> tuple[FloatArray, int] | None:
    """The amounts at [start, end) when every one is plain decimals (see plain_decimals)
    in the supported range, and the most decimal places of those; else None (each is
    then to be read as spelled)."""
    parsed = plain_decimals(buf, start, end)
    if parsed is None:
        return None
    values, places = parsed
    if not np.all((values >= MIN_AMOUNT) & (values <= MAX_AMOUNT)):
        return None
    return values, min(MAX_DECIMALS, int(places.max(initial=0)))


class _Judged:
    """Each distinct spelling read once: its value, currency, and what may be wrong."""

    def __init__(self, spellings: list[str], delimiter: str) -> None:
        count = len(spellings)
        self.spellings = spellings
        self.values = np.ones(count, dtype=np.float64)
        self.decimals = 0
        self.unreadable: dict[int, str] = {}  # spellings no spreadsheet writes
        self.out_of_range: dict[int, str] = {}  # numbers that are no amount
        self.currency = np.full(count, -1, dtype=np.int64)  # an index in `currencies`
        self.currencies: list[str] = []
        for k, written in enumerate(spellings):
            # As _csv_row: a plain number means itself, but not in a ';' file.
            number = parse_number(written) if delimiter != ";" else None
            literal = written
            if number is None:
                try:
                    literal, currency = read_amount(written, False, delimiter)
                except AmountSpellingError as exc:
                    self.unreadable[k] = str(exc)
                    continue
                if currency is not None:
                    if currency not in self.currencies:
                        self.currencies.append(currency)
                    self.currency[k] = self.currencies.index(currency)
                number = parse_number(literal)
            if amount_ok(number):
                assert number is not None
                self.values[k] = number
                self.decimals = max(self.decimals, decimals_of(literal))
            else:
                why = amount_problem(literal, quoted=False) or "invalid amount"
                self.out_of_range[k] = as_written(why, literal, written)

    def rows(self, index: IntArray, table: FlatCsv, column: int) -> Amounts:
        """Per row (`index`: its spelling), as the precise reader reads the rows in order:
        the first currency named is the file's; an amount in another is wrong."""
        values = self.values[index]
        currency = self.currency[index]
        named = np.flatnonzero(currency >= 0)
        other = np.zeros(index.size, dtype=bool)
        if named.size and len(self.currencies) > 1:
            other = (currency >= 0) & (currency != currency[named[0]])
        unreadable = np.zeros(len(self.spellings), dtype=bool)
        unreadable[list(self.unreadable)] = True
        out_of_range = np.zeros(len(self.spellings), dtype=bool)
        out_of_range[list(self.out_of_range)] = True
        wrong = np.flatnonzero(unreadable[index] | other | out_of_range[index])
        if not wrong.size:
            return Amounts(values, self.decimals, _NONE, [])
        first, first_line = "", 0  # the file's currency, and where a row first names it
        if named.size:
            first = self.currencies[int(currency[named[0]])]
            start = int(table.written_start(column)[named[0]])
            first_line = ByteLines(table.file, table.data).position(start).line
        whys = []
        for row, k in zip(wrong.tolist(), index[wrong].tolist(), strict=True):
            if k in self.unreadable:
                whys.append(self.unreadable[k])
            elif other[row]:
                name = self.currencies[int(self.currency[k])]
                whys.append(currency_problem(self.spellings[k], name, first, first_line))
            else:
                whys.append(self.out_of_range[k])
        return Amounts(values, self.decimals, wrong, whys)


def _distinct(texts: list[str]) -> tuple[list[str], IntArray]:
    """The distinct texts (in the order met) and per text the index of its own."""
    seen: dict[str, int] = {}
    index = np.fromiter(
        (seen.setdefault(text, len(seen)) for text in texts), dtype=np.int64, count=len(texts)
    )
    return list(seen), index
