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
import functools
import io
import re
from collections.abc import Generator, Iterator
from dataclasses import replace

from clientchain.model.holder import value_class
from clientchain.model.problems import InputError, Position, Problem

DELIMITERS = (",", ";", "\t", "|")  # sniffed in this order of preference on a tie
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@value_class
class Dialect:
    """How to read a CSV file; None means "work it out from the file"."""

    delimiter: str | None = None
    encoding: str | None = None
    decimal_comma: bool = False
    # Keep the columns besides from, to and amount (`kind`, `note`) as the Org's
    # flow_extra. No command reads them: the command line leaves them out (at a million
    # flows a column of them is ~60 MB held for the whole run).
    metadata: bool = True

    @property
    def is_default(self) -> bool:
        """Nothing forced: the plain reading (UTF-8, sniffed delimiter, decimal point)."""
        return replace(self, metadata=DEFAULT.metadata) == DEFAULT


DEFAULT = Dialect()


def check_encoding(name: str) -> str | None:
    """Why `name` is not a text encoding Python knows, or None when it is one."""
    try:
        # lookup alone accepts bytes-to-bytes codecs (base64, rot13); decoding does not.
        b"a".decode(name, "replace")
    except LookupError:
        return f"'{name}' is not a text encoding (try utf-8, cp1252, latin-1 or utf-16)"
    return None


def is_utf8(name: str) -> bool:
    """`name` spells UTF-8 (with or without `-sig`): the default reading, BOM or not."""
    try:
        return codecs.lookup(name).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def check_delimiter(text: str) -> str:
    """The delimiter a `--delimiter` value names (`;`, `tab`, `\\t`, ...); ValueError if none."""
    named = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
    value = named.get(text.lower(), text)
    if len(value) != 1 or value in '\r\n"' or value.isalnum():
        raise ValueError(f"a delimiter is one character such as , ; | or 'tab', not '{text}'")
    return value


# ---------------------------------------------------------------------------- text

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UTF8_HINT = "save it as CSV UTF-8, or pass --encoding cp1252 (or the encoding it was saved in)"
# A workbook's own format is not text: XLSX (a zip) and the older XLS.
_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_WORKBOOK = "a spreadsheet workbook (XLSX or XLS), not CSV text: save it as CSV UTF-8"


def byte_order_mark(data: bytes) -> tuple[bytes, str] | None:
    """The byte order mark a file starts with (UTF-8, -16 or -32) and the encoding it
    names, or None."""
    return next(((bom, name) for bom, name in _BOMS if data.startswith(bom)), None)


def is_workbook(data: bytes) -> bool:
    """`data` starts as an XLSX (a zip) or XLS file does: not CSV text, whatever follows."""
    return data.startswith(_WORKBOOKS)


def decode_table(data: bytes, file: str, encoding: str | None = None) -> str:
    """The text of a CSV file: by its BOM (UTF-8, UTF-16, UTF-32), else `encoding`, else
    UTF-8; bytes that do not decode are a problem at their line and column, with a hint."""
    marked = byte_order_mark(data)
    if marked is not None:
        bom, chosen = marked
        data, encoding = data[len(bom) :], None
    elif is_workbook(data):
        raise InputError([Problem(Position(file, 1, 1), _WORKBOOK)])
    elif encoding is None or is_utf8(encoding):
        encoding, chosen = None, "utf-8"
        if _looks_like_utf16(data):  # ASCII as UTF-16 is valid UTF-8, full of NULs
            order = "le" if data[1:2] == b"\0" else "be"
            hint = f"it looks like UTF-16 without a byte order mark: pass --encoding utf-16-{order}"
            raise InputError([Problem(Position(file, 1, 1), f"not UTF-8 text; {hint}")])
    else:
        chosen = encoding
    try:
        return data.decode(chosen)
    except UnicodeDecodeError as exc:
        raise InputError([_decode_problem(data, file, exc, chosen, encoding)]) from None


def _decode_problem(
    data: bytes, file: str, exc: UnicodeDecodeError, chosen: str, asked: str | None
) -> Problem:
    """Where the first byte that does not decode is (in characters, as every other
    position in the file: `data` is after any byte order mark), and what to do."""
    before = data[: exc.start].decode(chosen, "replace")
    # The csv module's line breaks (\r\n, \r, \n), counted without a list per line.
    breaks = before.count("\n") + before.count("\r") - before.count("\r\n")
    column = len(before) - max(before.rfind("\n"), before.rfind("\r"))
    where = Position(file, breaks + 1, column)
    byte = f"byte 0x{data[exc.start]:02x}"
    if asked is not None:
        return Problem(
            where,
            f"not {asked} text: {byte} has no meaning in {asked}; pass the --encoding"
            " the file was saved in, or save it as CSV UTF-8",
        )
    if chosen == "utf-8":
        return Problem(where, f"not UTF-8 text ({byte}); {_UTF8_HINT}")
    # A byte order mark said UTF-16 or UTF-32, and the rest is not.
    said = chosen.upper()[:6]
    return Problem(where, f"not {said} text, though it starts with a {said} byte order mark")


def _looks_like_utf16(data: bytes) -> bool:
    """Mostly ASCII written two bytes a character: every other byte a NUL."""
    sample = data[:4096]
    half = len(sample) // 4
    return len(sample) >= 4 and (sample[1::2].count(0) > half or sample[0::2].count(0) > half)


# ---------------------------------------------------------------------------- rows

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the csv module's own line breaks
# Excel's "sep=;" first line (any line break, or none in a file of one line).
_SEP_LINE = re.compile(r"sep=([^\r\n\"])(?:\r\n|\r|\n|\Z)", re.IGNORECASE)


@value_class
class CsvText:
    """A decoded CSV file: its body (after any `sep=` line), delimiter and first line."""

    file: str
    text: str
    delimiter: str
    first_line: int  # the file line the body starts on (2 after a `sep=` line)

    def rows(self) -> Generator[tuple[int, list[str]], None, None]:
        """(line where the row starts, cells) for every row, the header first; a
        malformed row raises InputError at its line."""
        reader = csv.reader(
            io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=True
        )
        offset = self.first_line - 1
        line = 0  # the last line read so far
        with no_field_limit():
            try:
                for cells in reader:
                    # A row starts just after the previous one ends; line_num is where
                    # this one ends (a quoted cell may hold line breaks).
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
        """The position of cell `index` (0-based) of the row starting at file `line`:
        on a later line when a quoted cell before it holds line breaks."""
        source = self._source
        if self._lines is None:
            self._lines = _LINE_BREAK.split(source.text)
        first = line - source.first_line
        field_no, state = 0, _AT_START
        for body_line in range(max(first, 0), len(self._lines)):
            raw = self._lines[body_line]
            column, field_no, state = _scan(raw, index, source.delimiter, field_no, state)
            if column is not None:
                return Position(source.file, body_line + source.first_line, column)
            if state != _IN_QUOTES:  # the row ends with this line
                break
        # The row holds fewer cells than that: its start is the best we know.
        return Position(source.file, line, 1)


# Where a scan stands in a CSV line: at a cell's start, in an unquoted cell, in a quoted
# one, or just after a quote inside a quoted one (its end, or the first of a doubled "").
_AT_START, _IN_CELL, _IN_QUOTES, _AFTER_QUOTE = range(4)


def _scan(
    raw: str, index: int, delimiter: str, field_no: int, state: int
) -> tuple[int | None, int, int]:
    """Scan one line of a row, as the csv module reads it: (the 1-based column where
    cell `index` starts, or None if not on this line; the cell count and state at its end)."""
    for pos, char in enumerate(raw):
        if state == _AT_START:
            if field_no == index:
                return pos + 1, field_no, state
            state = _IN_QUOTES if char == '"' else _IN_CELL
            if char == delimiter:
                field_no, state = field_no + 1, _AT_START
        elif state == _IN_QUOTES:
            if char == '"':
                state = _AFTER_QUOTE
        elif char == delimiter:  # ends an unquoted cell, or a quoted one after its quote
            field_no, state = field_no + 1, _AT_START
        elif state == _AFTER_QUOTE:
            state = _IN_QUOTES if char == '"' else _IN_CELL
    if state == _AT_START and field_no == index:
        return len(raw) + 1, field_no, state  # an empty last cell
    return None, field_no, state


def cell_column(raw: str, index: int, delimiter: str = ",") -> int:
    """1-based column where cell `index` starts in a CSV line (quotes respected); 1 (the
    row's start) when the line holds fewer cells."""
    column = _scan(raw, index, delimiter, 0, _AT_START)[0]
    return 1 if column is None else column


def csv_text(text: str, file: str, delimiter: str | None = None) -> CsvText:
    """The body and delimiter of CSV text: `delimiter` when given, else an Excel `sep=`
    line, else the candidate (`,` `;` tab `|`) found most often in the header."""
    first_line = 1
    sep = _SEP_LINE.match(text)
    if sep is not None:
        text, first_line = text[sep.end() :], 2
        delimiter = delimiter or sep.group(1)
    return CsvText(file, text, delimiter or sniff_delimiter(text), first_line)


def csv_source(data: bytes, file: str, dialect: Dialect = DEFAULT) -> CsvText:
    """A CSV file's bytes as rows to read, in `dialect`; InputError when they are not
    text in its encoding."""
    return csv_text(decode_table(data, file, dialect.encoding), file, dialect.delimiter)


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
def no_field_limit() -> Iterator[None]:
    """The csv module refuses a cell over 128 KiB; a note or an id may be longer, and is
    data. The limit is process-wide, so it is put back afterwards."""
    previous = csv.field_size_limit(2**31 - 1)  # the C long it is kept in, on every platform
    try:
        yield
    finally:
        csv.field_size_limit(previous)


# ---------------------------------------------------------------------------- amounts

CURRENCY_SYMBOLS = frozenset("$€£¥₴₽₹₩₪₺₫฿₦₱₲₡")
# Currencies written as words or abbreviations before or after the number.
_CURRENCY_WORDS = ("kr.", "kr", "Kč", "zł", "Ft", "lei", "Fr.")
# ISO 4217 codes in use: `EUR 1.234,50`, `1,234.50 USD`. Three capitals alone could be
# any unit, so only these are taken as a currency.
_ISO_4217 = """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
    JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
    MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP
    STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV
    WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL"""
ISO_CODES = frozenset(_ISO_4217.split())
# What spreadsheets put between thousands, or between a number and its currency.
_SPACES = " \u00a0\u2009\u202f"
_GROUP_MARKS = ",.'\u2019" + _SPACES
_SYMBOLS = "".join(sorted(CURRENCY_SYMBOLS))
_DIGITS = re.compile(r"[0-9]+")
_COMMA_DECIMALS = re.compile(r"[0-9]+,[0-9]+")


class _Spellings:
    """The patterns of the amounts past plain digits. Compiled on first use: their
    character classes take ~2 ms to compile, which every run would pay at start-up,
    most of them reading no amount that is not plain digits."""

    def __init__(self) -> None:
        spaces, symbols = f"[{_SPACES}]*", f"[{_SYMBOLS}]"
        words = "|".join(re.escape(word) for word in _CURRENCY_WORDS)
        # A symbol may carry a country's letters: US$, C$, R$, HK$.
        self.symbol_before = re.compile(rf"([A-Z]{{0,2}}{symbols}){spaces}")
        self.code_before = re.compile(rf"([A-Z]{{3}}){spaces}(?=[-+0-9.,])")
        self.word_before = re.compile(rf"({words}){spaces}(?=[-+0-9.,])")
        self.symbol_after = re.compile(rf"{spaces}({symbols})\Z")
        self.code_after = re.compile(rf"(?<=[0-9.,]){spaces}([A-Z]{{3}})\Z")
        self.word_after = re.compile(rf"(?<=[0-9.,]){spaces}({words})\Z")
        # Digits and the marks between them: the only shape this module translates.
        marks = f"[0-9{re.escape(_GROUP_MARKS)}]*"
        self.shaped = re.compile(f"{marks}[0-9]{marks}")
        self.plain = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # needs no translation
        self.grouped = {
            mark: re.compile(r"[0-9]{1,3}(?:" + re.escape(mark) + r"[0-9]{3})+")
            for mark in _GROUP_MARKS
        }
        # One group of thousands, or three decimals: `1.500` or `1,500`.
        self.lone_group = re.compile(r"[1-9][0-9]{0,2}[.,][0-9]{3}")


@functools.cache
def _spellings() -> _Spellings:
    return _Spellings()


class AmountSpellingError(ValueError):
    """An amount written in a way that cannot be read without guessing; says what to write."""


def plain_amount(cell: str, decimal_comma: bool = False, delimiter: str = ",") -> str:
    """`cell` as a plain number literal (`$9,000,000` -> `9000000`, `1 234,50` with
    `decimal_comma` -> `1234.50`); a cell with nothing to translate comes back as it is,
    without the white space around it (the caller's number check words any problem).
    Raises AmountSpellingError when separators could mean two things.

    Without `decimal_comma`, '.' is the decimal mark and ',' (or a space or an
    apostrophe) may group thousands in threes; with it, ',' is the decimal mark and '.'
    (or a space or an apostrophe) may group thousands. In a file separated by
    `delimiter` ';' (the habit of countries that write decimal commas), `1.500` and
    `1,500` could be read either way, so they need `decimal_comma` or a plainer spelling.
    """
    return read_amount(cell, decimal_comma, delimiter)[0]


def read_amount(
    cell: str, decimal_comma: bool = False, delimiter: str = ","
) -> tuple[str, str | None]:
    """`plain_amount`, and the currency the cell names (`$`, `EUR`, `kr`), if any."""
    written = cell.strip()
    # The commonest cells first, at the cost of one match: whole numbers, and `12,50`
    # with a decimal comma (which has one meaning then).
    if _DIGITS.fullmatch(written):
        return written, None
    if decimal_comma and _COMMA_DECIMALS.fullmatch(written):
        return written.replace(",", "."), None
    spellings = _spellings()
    sign, rest = _unsigned(written)
    rest, currency = _without_currency(rest)
    if not sign:
        sign, rest = _unsigned(rest)
    if not spellings.shaped.fullmatch(rest):
        return written, None  # not a number a spreadsheet writes: the number check decides
    if not decimal_comma:
        if delimiter == ";" and spellings.lone_group.fullmatch(rest):
            raise AmountSpellingError(_ambiguous(written, rest))
        if spellings.plain.fullmatch(rest):
            return (sign + rest if currency else written), currency
    plain = _translated(rest, decimal_comma)
    if plain is None:
        raise AmountSpellingError(_unreadable(written, sign, rest, decimal_comma))
    return sign + plain, currency


def _unsigned(text: str) -> tuple[str, str]:
    if text[:1] in ("-", "+"):
        return text[0], text[1:].lstrip(_SPACES)
    return "", text


def _without_currency(text: str) -> tuple[str, str | None]:
    """The text without one currency symbol, ISO code or word before or after it."""
    spellings = _spellings()
    code_before, code_after = spellings.code_before, spellings.code_after
    for pattern in (spellings.symbol_before, code_before, spellings.word_before):
        found = pattern.match(text)
        if found is not None and (pattern is not code_before or found.group(1) in ISO_CODES):
            return text[found.end() :], found.group(1)
    for pattern in (spellings.symbol_after, code_after, spellings.word_after):
        found = pattern.search(text)
        if found is not None and (pattern is not code_after or found.group(1) in ISO_CODES):
            return text[: found.start()], found.group(1)
    return text, None


def _translated(text: str, decimal_comma: bool) -> str | None:
    """Digits and marks (`1 234,50`) as a plain literal (`1234.50`) when they have one
    reading with this decimal mark: at most one decimal mark, followed by digits only, and
    before it digits, or digits grouped in threes by one other mark. None otherwise."""
    mark = "," if decimal_comma else "."
    whole, found, fraction = text.partition(mark)
    if found and not _DIGITS.fullmatch(fraction):
        return None  # a second decimal mark, or a group mark after the decimals
    if whole and not _DIGITS.fullmatch(whole):
        grouping = next((g for g in _GROUP_MARKS if g != mark and g in whole), None)
        if grouping is None or not _spellings().grouped[grouping].fullmatch(whole):
            return None
        whole = whole.replace(grouping, "")
    return whole + ("." + fraction if found else "")


def _ambiguous(cell: str, digits: str) -> str:
    point = _shortest(_translated(digits, decimal_comma=False))
    comma = _shortest(_translated(digits, decimal_comma=True))
    return (
        f"amount '{cell}' could be {point} or {comma} in a ';'-separated file; pass"
        f" --decimal-comma if ',' is the decimal mark (it then reads {comma}), or write {point}"
    )


def _shortest(literal: str | None) -> str:
    from decimal import Decimal  # an error message's only need: not imported at start-up

    assert literal is not None  # a lone group reads both ways
    return format(Decimal(literal).normalize(), "f")


def _unreadable(cell: str, sign: str, text: str, decimal_comma: bool) -> str:
    """What is wrong with digits and marks that have no reading with this decimal mark,
    and what to write: the other reading, when there is one, says which it is."""
    other = _translated(text, not decimal_comma)
    if decimal_comma and other is not None:
        return (
            f"amount '{cell}' has a decimal point, but --decimal-comma makes ',' the"
            f" decimal mark; write {sign}{other.replace('.', ',')}"
        )
    if decimal_comma:
        return (
            f"amount '{cell}' has separators that do not group thousands in threes; write it"
            " as a plain number such as 1234,50 (--decimal-comma: ',' is the decimal mark)"
        )
    if other is not None and "," in text:
        return f"amount '{cell}' has a decimal comma; pass --decimal-comma, or write {sign}{other}"
    if other is not None:
        return (
            f"amount '{cell}' groups thousands with '.'; pass --decimal-comma (then ',' is"
            f" the decimal mark), or write {sign}{other}"
        )
    return (
        f"amount '{cell}' has separators that do not group thousands in threes; write it"
        " as a plain number such as 1234.50"
    )
