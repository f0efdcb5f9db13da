"""CSV as spreadsheets write it: encodings, delimiters, decimal commas, currency symbols.

Excel, LibreOffice and HR systems export "CSV" in many dialects: semicolons
where the decimal mark is a comma, a UTF-8 BOM, UTF-16, Windows-1252, an
`sep=;` line, `$9,000,000` or `1 234,50` for amounts. This module turns such a
file into text and rows, and amount cells into plain number literals, or says
exactly what to do instead. It knows nothing of flows or people: the flows
reader and `clientchain import` both read through it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from clientchain.model.problems import InputError, Position, Problem

DELIMITERS = (",", ";", "\t", "|")  # sniffed in this order of preference on a tie
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class Dialect:
    """How to read a CSV file; None means "work it out from the file"."""

    delimiter: str | None = None
    encoding: str | None = None
    decimal_comma: bool = False

    @property
    def is_default(self) -> bool:
        """Nothing forced: the plain reading (UTF-8, sniffed delimiter, decimal point)."""
        return self == DEFAULT


DEFAULT = Dialect()


def check_encoding(name: str) -> str | None:
    """Why `name` is not an encoding Python knows, or None when it is one."""
    try:
        codecs.lookup(name)
    except LookupError:
        return f"unknown encoding '{name}' (try utf-8, cp1252, latin-1 or utf-16)"
    return None


def check_delimiter(text: str) -> str:
    """The delimiter a `--delimiter` value names (`;`, `tab`, `\\t`, ...); ValueError if none."""
    named = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
    value = named.get(text.lower(), text)
    if len(value) != 1 or value in '\r\n"' or value.isalnum():
        raise ValueError(f"a delimiter is one character such as , ; | or 'tab', not '{text}'")
    return value


# ---------------------------------------------------------------------------- text

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_table(data: bytes, file: str, encoding: str | None = None) -> str:
    """The text of a CSV file: by its BOM (UTF-8, UTF-16, UTF-32), else `encoding`, else
    UTF-8; bytes that do not decode are a problem at their line and column, with a hint."""
    chosen = encoding
    for bom, name in _BOMS:
        if data.startswith(bom):
            chosen = name
            break
    if chosen is None:
        chosen = "utf-8"
    elif chosen.replace("_", "-").lower() in ("utf-8", "utf8"):
        chosen = "utf-8-sig"
    try:
        return data.decode(chosen)
    except UnicodeDecodeError as exc:
        raise InputError([_decode_problem(data, file, exc, encoding)]) from None


def _decode_problem(
    data: bytes, file: str, exc: UnicodeDecodeError, encoding: str | None
) -> Problem:
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    where = Position(file, line, column)
    byte = f"byte 0x{data[exc.start]:02x}"
    if encoding is not None:
        return Problem(where, f"not {encoding} text: {byte} has no meaning in {encoding}")
    if _looks_like_utf16(data):
        hint = "it looks like UTF-16 without a byte order mark: pass --encoding utf-16-le"
    else:
        hint = "save it as CSV UTF-8, or pass --encoding cp1252 (or the encoding it was saved in)"
    return Problem(where, f"not UTF-8 text ({byte}); {hint}")


def _looks_like_utf16(data: bytes) -> bool:
    sample = data[:4096]
    return len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4


# ---------------------------------------------------------------------------- rows

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the csv module's own line breaks
_SEP_LINE = re.compile(r"sep=(.)\r?\n", re.IGNORECASE)  # Excel's "sep=;" first line


@dataclass(frozen=True)
class CsvText:
    """A decoded CSV file: its body (after any `sep=` line), delimiter and first line."""

    file: str
    text: str
    delimiter: str
    first_line: int  # the file line the body starts on (2 after a `sep=` line)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line where the row starts, cells) for every row, the header first; a
        malformed row raises InputError at its line."""
        reader = csv.reader(
            io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=True
        )
        offset = self.first_line - 1
        line = 0  # the last line read so far
        with _no_field_limit():
            try:
                for cells in reader:
                    start, line = line + 1, reader.line_num
                    yield start + offset, cells
            except csv.Error as exc:
                where = Position(self.file, line + 1 + offset, 1)
                raise InputError([Problem(where, f"unreadable CSV: {exc}")]) from None

    def locator(self) -> CellLocator:
        return CellLocator(self)


class CellLocator:
    """Where a cell starts (line and column), worked out only when a message needs it."""

    def __init__(self, source: CsvText) -> None:
        self._source = source
        self._lines: list[str] | None = None

    def position(self, line: int, index: int) -> Position:
        """The position of cell `index` (0-based) of the row starting at `line`."""
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self._source.text)
        body_line = line - self._source.first_line
        raw = self._lines[body_line] if 0 <= body_line < len(self._lines) else ""
        return Position(self._source.file, line, cell_column(raw, index, self._source.delimiter))


def cell_column(raw: str, index: int, delimiter: str = ",") -> int:
    """1-based column where cell `index` starts in a CSV line (quotes respected)."""
    field_no, in_quotes = 0, False
    for pos, char in enumerate(raw):
        if field_no == index:
            return pos + 1
        if char == '"':
            in_quotes = not in_quotes
        elif char == delimiter and not in_quotes:
            field_no += 1
    # Past the end: an empty last cell, or the line holds fewer cells than that (a
    # quoted cell broke it), so the row's start is the best we know.
    return len(raw) + 1 if field_no == index else 1


def csv_text(text: str, file: str, delimiter: str | None = None) -> CsvText:
    """The body and delimiter of CSV text: `delimiter` when given, else an Excel `sep=`
    line, else the candidate (`,` `;` tab `|`) found most often in the header."""
    first_line = 1
    sep = _SEP_LINE.match(text)
    if sep is not None:
        text, first_line = text[sep.end() :], 2
        delimiter = delimiter or sep.group(1)
    return CsvText(file, text, delimiter or sniff_delimiter(text), first_line)


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text, judged by its header row (outside quotes)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    in_quotes = False
    for char in text[: 1 << 16]:
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes:
            if char in "\r\n":
                break
            if char in counts:
                counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first on a tie
    return best if counts[best] else ","


@contextlib.contextmanager
def _no_field_limit() -> Iterator[None]:
    """The csv module refuses a cell over 128 KiB; a note may be longer, and is data.
    The limit is process-wide, so it is put back afterwards."""
    previous = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


# ---------------------------------------------------------------------------- amounts

CURRENCY_SYMBOLS = frozenset("$€£¥₴₽₹₩₪₺₫฿₦₱₲₡")
_CODE_BEFORE = re.compile(r"([A-Z]{3})[ \u00a0]*(?=[-+]?[0-9.,])")
_CODE_AFTER = re.compile(r"(?<=[0-9.,])[ \u00a0]*([A-Z]{3})")
_SPACES = " \u00a0\u202f"  # what spreadsheets put between thousands, or around a symbol
_GROUPED = {
    sep: re.compile(r"[0-9]{1,3}(?:" + re.escape(sep) + r"[0-9]{3})+")
    for sep in (",", ".", " ", "\u00a0", "\u202f", "'")
}
_DIGITS = re.compile(r"[0-9]+")


class AmountSpellingError(ValueError):
    """An amount written in a way that cannot be read without guessing; says what to write."""


def plain_amount(cell: str, decimal_comma: bool = False) -> str:
    """`cell` as a plain number literal (`$9,000,000` -> `9000000`, `1 234,50` with
    `decimal_comma` -> `1234.50`); a cell with nothing to translate comes back as it is
    (the caller's number check words any other problem). Raises AmountSpellingError
    when separators could mean two things."""
    text = cell.strip(_SPACES)
    sign = ""
    if text[:1] in ("-", "+"):
        sign, text = text[0], text[1:].lstrip(_SPACES)
    text = _without_currency(text)
    if text[:1] in ("-", "+") and not sign:
        sign, text = text[0], text[1:]
    mark = "," if decimal_comma else "."
    if not any(c in text for c in ", '\u00a0\u202f") and not (decimal_comma and "." in text):
        return sign + text  # nothing spreadsheet-like: the number check decides
    whole, _, fraction = text.partition(mark)
    if (fraction and not _DIGITS.fullmatch(fraction)) or mark in fraction:
        raise AmountSpellingError(_mixed_marks(cell, decimal_comma))
    if not _DIGITS.fullmatch(whole):
        grouped = [
            sep for sep, pattern in _GROUPED.items() if sep != mark and pattern.fullmatch(whole)
        ]
        if not grouped:
            raise AmountSpellingError(_mixed_marks(cell, decimal_comma))
        whole = re.sub(r"[^0-9]", "", whole)
    return sign + whole + ("." + fraction if fraction else "")


def _without_currency(text: str) -> str:
    if text[:1] in CURRENCY_SYMBOLS:
        return text[1:].lstrip(_SPACES)
    if text[-1:] in CURRENCY_SYMBOLS:
        return text[:-1].rstrip(_SPACES)
    before = _CODE_BEFORE.match(text)
    if before is not None:
        return text[before.end() :]
    after = _CODE_AFTER.search(text)
    if after is not None and after.end() == len(text):
        return text[: after.start()]
    return text


def _mixed_marks(cell: str, decimal_comma: bool) -> str:
    digits = re.sub(r"[^0-9.,]", "", cell)
    if decimal_comma:
        return (
            f"amount '{cell}' cannot be read with --decimal-comma (',' is the decimal mark,"
            " '.' or a space groups thousands); write it as a plain number such as 1234.50"
        )
    if "," in digits and re.fullmatch(r"[0-9.]*[0-9],[0-9]{1,2}", digits.replace(" ", "")):
        pointed = digits.replace(".", "").replace(",", ".")
        return f"amount '{cell}' has a decimal comma; pass --decimal-comma, or write {pointed}"
    return (
        f"amount '{cell}' mixes separators in a way that could mean two numbers; write it"
        " as a plain number such as 1234.50 (or pass --decimal-comma if ',' is the decimal mark)"
    )
