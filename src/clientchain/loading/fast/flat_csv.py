"""Plain CSV read column-wise by vectorised passes; anything else is left to the csv module.

Millions of flow rows split into Python strings cost seconds and gigabytes. A
CSV with no carriage returns but in line ends, every row as wide as the header
(so no blank rows either, but at the end), and quotes only around whole cells that hold no quote
or line break (as spreadsheets and R write text cells, and amounts like
`"$1,250.00"`) has one meaning that needs no parser: cells end at commas outside
quotes and at line ends, and a quoted cell is what lies between its quotes. Here
its cells stay byte ranges of one buffer; a column becomes strings only when
asked. Anything else gives None and the caller reads the file with the csv
module, which also words every problem.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from clientchain.loading.fast.byte_columns import SCAN, gather_texts, positions
from clientchain.loading.spreadsheet import (
    byte_order_mark,
    is_workbook,
    sniff_delimiter,
)
from clientchain.model.holder import holder
from clientchain.model.org import IntArray
from clientchain.model.texts import TextColumn

_COMMA, _NEWLINE, _RETURN, _QUOTE, _NUL, _BELOW_DASH = 44, 10, 13, 34, 0, 45


@holder
class FlatCsv:
    """Cells of the rows below the header, as [start, end) byte ranges per column. Only
    the ends are held (a cell starts one past the one before it): at 7.5M flow rows the
    starts were another 120 MB while the org chart is scanned beside the table."""

    file: str
    data: bytes
    buf: np.ndarray
    header: list[str]
    rows: int
    first: int  # where the first row starts
    end: IntArray  # (rows, width); a row's last cell ends before its \r\n or \n
    # No cell holds a space, control or non-ASCII byte: none has anything to strip.
    bare: bool = False
    # Per cell, 1 where it is written in quotes (None: no cell is).
    quoted: np.ndarray | None = None
    delimiter: str = ","  # as the header uses it (see header_delimiter)
    # The byte order mark before `data` in the file: the csv module, should it read the
    # file after all, reads the file as written (a second mark is then the header's).
    bom: bytes = b""

    def start(self, column: int) -> IntArray:
        """Where each row's cell in `column` starts (inside its quotes, if it has them)."""
        start = self.written_start(column)
        if self.quoted is not None:
            start += self.quoted[:, column]
        return start

    def stop(self, column: int) -> IntArray:
        """Where each row's cell in `column` ends (before its closing quote, if any)."""
        end: IntArray = self.end[:, column]
        if self.quoted is None:
            return end
        stop: IntArray = end - self.quoted[:, column]
        return stop

    def written_start(self, column: int) -> IntArray:
        """Where each row's cell in `column` is written (at its opening quote, if any)."""
        if column:
            return self.end[:, column - 1] + 1
        start = np.empty(self.rows, dtype=self.end.dtype)
        start[:1] = self.first
        if self.rows > 1:  # one past the row before: past its \r\n where it has one
            last = self.end[:-1, -1]
            np.add(last, 1, out=start[1:])
            start[1:] += self.buf[last] == _RETURN
        return start

    def texts(self, column: int) -> list[str]:
        """A column's cells as the csv module reads them (not stripped)."""
        return gather_texts(self.buf, self.start(column), self.stop(column))

    def column(self, column: int) -> TextColumn:
        """A column's cells as read, decoded when read (metadata like "sale")."""
        return TextColumn(self.buf, self.start(column), self.stop(column))


def spreadsheet_dialect(data: bytes) -> str | None:
    """What makes a CSV file one only the precise reader reads as it must (UTF-16 or
    UTF-32, a workbook, an Excel `sep=` line), or None for one this module may read
    (in the delimiter its header uses: see header_delimiter)."""
    marked = byte_order_mark(data)
    if marked is not None and marked[1] != "utf-8":
        return f"a {marked[1][:6].upper()} file"
    if marked is None and is_workbook(data):  # (refused there, however its first line reads)
        return "a spreadsheet workbook"
    body = data[len(marked[0]) :] if marked is not None else data
    if body[:4].lower() == b"sep=" and _SEP_LINE.match(body) is None:
        return "an Excel 'sep=' line"  # (naming a delimiter of its own, or alone)
    return None


# Excel's first line naming the delimiter, as the precise reader takes it (spreadsheet.py),
# for the delimiters it sniffs; any other is the csv module's.
_SEP_LINE = re.compile(rb"sep=([,;\t|])\r?\n", re.IGNORECASE)


def header_delimiter(data: bytes) -> str:
    """The delimiter the header row of `data` (without its BOM, as read_flat_csv takes
    it) uses, as the precise reader sniffs it (`,` `;` tab `|`: see
    spreadsheet.sniff_delimiter)."""
    sep = _SEP_LINE.match(data)
    if sep is not None:  # Excel's `sep=;` line names it
        return sep.group(1).decode("ascii")
    end = data.find(b"\n")
    return sniff_delimiter((data if end < 0 else data[:end]).decode("utf-8", "replace"))


def header_bounds(data: bytes) -> tuple[int, int]:
    """Where the header row starts (after Excel's `sep=` line, if any: see
    header_delimiter) and where its line break is (-1: none)."""
    sep = _SEP_LINE.match(data)
    start = sep.end() if sep is not None else 0
    return start, data.find(b"\n", start)


_TAIL = 1 << 16  # bytes in which blank lines at the end are looked for (more: the csv module's)


def _blank_tail(data: bytes) -> int:
    """Where blank lines at the end of `data` start (after the line end before them), or
    len(data): line ends (`\r\n` or `\n`) are walked back from the end, once each (a
    regular expression searched for them in quadratic time where many blank lines come
    before a last line that is not blank)."""
    floor = max(0, len(data) - _TAIL)
    at, ends = len(data), 0
    while at > floor and data[at - 1] == _NEWLINE:
        at -= 1
        if at > floor and data[at - 1] == _RETURN:
            at -= 1
        ends += 1
    if ends < 2:
        return len(data)
    return at + (2 if data[at] == _RETURN else 1)  # (the first line end is the last row's)


def read_flat_csv(data: bytes, file: str, delimiter: str = ",") -> FlatCsv | None:
    """The cells of `data` (UTF-8 without BOM) from `file`, separated by `delimiter` (one
    ASCII character), or None if it needs a real CSV parser."""
    # Blank lines at the end (an editor's or a spreadsheet's last newline) are no rows to
    # the csv module either; positions before them are unchanged.
    data = data[: _blank_tail(data)]
    header_start, header_end = header_bounds(data)
    if header_end < 0 or data.endswith(b"\r"):  # (a carriage return not before \n)
        return None
    if not data.endswith(b"\n"):
        data += b"\n"
    if len(data) >= 2**31 - 64:
        return None
    header_bytes = data[header_start:header_end]
    if b"\x00" in header_bytes or b"\r" in header_bytes[:-1]:
        return None
    header = _header(header_bytes.decode("utf-8").removesuffix("\r"), delimiter)
    if header is None:
        return None
    width = len(header)
    buf = np.frombuffer(data, dtype=np.uint8)
    body = buf[header_end + 1 :]
    quotes = data.count(b'"', header_end + 1)
    if quotes or delimiter != ",":
        separators, returns_found = _separators_outside_quotes(data, header_end + 1, ord(delimiter))
        if separators is None:
            return None
        found = -1  # (not counted: such cells are taken as never bare)
    else:
        # One pass finds every byte below '-': separators, and the NULs and carriage
        # returns that need the csv module (usually spaces are the only others).
        # int32 positions (files of 2 GB and more are left to the csv module): half the
        # memory
        low = _below_dash(body)
        kind = body[low]
        if np.any(kind == _NUL):
            return None
        # Windows line ends are fine; a carriage return anywhere else is the csv module's.
        returns = low[kind == _RETURN]
        if returns.size and not np.all(body[returns + 1] == _NEWLINE):
            return None
        returns_found = returns.size
        is_separator = (kind == _COMMA) | (kind == _NEWLINE)
        # Usually every byte found is one (no spaces): then the positions are used as they
        # are, not copied (at 4M rows, two fewer columns of 64 MB at the reader's peak).
        separators = low if is_separator.all() else low[is_separator]
        found = low.size - returns_found
        del low, kind, is_separator
    # A plain row has width - 1 commas and a newline: rows * width separators in all, so
    # they reshape into one row of cell ends per row.
    if separators.size % width:
        return None
    rows = separators.size // width
    ends = separators.reshape(rows, width)
    ends += header_end + 1  # (in place: the positions are this function's own)
    # Every row has exactly the header's cells: newlines end rows, commas part cells.
    if not np.all(buf[ends[:, -1]] == _NEWLINE) or np.any(buf[ends[:, :-1]] == _NEWLINE):
        return None
    if returns_found or header_bytes.endswith(b"\r"):  # a row's last cell ends before \r\n
        last = ends[:, -1]
        last[buf[last - 1] == _RETURN] -= 1
    # The bytes below '-' are all separators (or carriage returns before them), so no
    # cell holds one; with no DEL and no byte beyond ASCII, no cell has an edge to strip.
    bare = separators.size == found and data.isascii() and b"\x7f" not in data
    table = FlatCsv(file, data, buf, header, rows, header_end + 1, ends, bare, delimiter=delimiter)
    if not quotes:
        return table
    quoted = _quoted_cells(table, quotes)
    return None if quoted is None else replace(table, quoted=quoted)


def _header(line: str, delimiter: str) -> list[str] | None:
    """The header's names, each as the csv module reads it: unquoted, or quoted whole
    around no quote (None for anything else)."""
    names = line.split(delimiter)
    for i, name in enumerate(names):
        if '"' not in name:
            continue
        if len(name) < 2 or name[0] != '"' or name[-1] != '"' or '"' in name[1:-1]:
            return None
        names[i] = name[1:-1]
    return names


def _separators_outside_quotes(
    data: bytes, first: int, delimiter: int = _COMMA
) -> tuple[IntArray | None, int]:
    """For a file with quotes or another delimiter: where the delimiters and line breaks
    outside quotes are from `first` on (as int32 offsets from it; a comma between a cell's
    quotes, `"$1,250"`, is the cell's: a separator has an even number of quotes before
    it), and how many carriage returns there are. None for a NUL, a carriage return not
    before a line break, or a line break between quotes (a cell over two lines): the csv
    module's.
    A slice at a time, the quotes' parity carried over: no position of every quote."""
    returns = data.count(b"\r", first)
    if data.find(b"\x00", first) >= 0 or data.count(b"\r\n", first) != returns:
        return None, returns
    body = np.frombuffer(data, dtype=np.uint8)[first:]
    found: list[IntArray] = []
    inside = 0  # the parity of the quotes before the slice
    for a in range(0, body.size, SCAN):
        part = body[a : a + SCAN]
        quoted = np.bitwise_xor.accumulate((part == _QUOTE).view(np.uint8))
        quoted ^= inside
        newline = part == _NEWLINE
        if np.any(newline & quoted.view(bool)):
            return None, returns
        separator = (part == delimiter) | newline
        separator &= ~quoted.view(bool)
        found.append(np.flatnonzero(separator).astype(np.int32) + np.int32(a))
        inside = int(quoted[-1]) if quoted.size else inside
    return (np.concatenate(found) if found else np.zeros(0, dtype=np.int32)), returns


def _quoted_cells(table: FlatCsv, quotes: int) -> np.ndarray | None:
    """Per cell, 1 where it is quoted whole (a quote just after its separator and one just
    before the next), or None when any quote stands elsewhere: inside a cell (doubled,
    or opening a cell that goes on after its closing quote), or beside a space."""
    buf = table.buf
    quoted = np.zeros(table.end.shape, dtype=np.uint8)
    for column in range(table.end.shape[1]):
        start, end = table.written_start(column), table.end[:, column]
        whole = (end - start >= 2) & (buf[start] == _QUOTE)
        whole &= buf[np.maximum(end - 1, 0)] == _QUOTE
        quoted[:, column] = whole
    # Two quotes to each quoted cell, and no quote anywhere else.
    return quoted if 2 * int(np.count_nonzero(quoted)) == quotes else None


def _below_dash(body: np.ndarray) -> IntArray:
    """Where the bytes below '-' are, as int32."""
    return positions(body, lambda part: part < _BELOW_DASH)
