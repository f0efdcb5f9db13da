"""Spreadsheets' CSV dialects (loading.spreadsheet): encodings and byte order marks,
delimiters and Excel's `sep=` line, where a cell is, and amounts as spreadsheets write
them, read back to the number they mean or refused with what to write instead."""

from __future__ import annotations

import codecs
import csv
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientchain.loading.spreadsheet import (
    DEFAULT,
    AmountSpellingError,
    Dialect,
    cell_column,
    check_delimiter,
    check_encoding,
    csv_source,
    csv_text,
    decode_table,
    is_utf8,
    plain_amount,
    read_amount,
    sniff_delimiter,
)
from clientchain.model.problems import InputError

TABLE = "from,to,amount,note\nbuyers,seller,10,Café\n"


def problems(call: object, *args: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        call(*args)  # type: ignore[operator]
    return [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------------------- options


def test_the_default_dialect_forces_nothing() -> None:
    assert Dialect(None, None, False) == DEFAULT and DEFAULT.is_default
    assert not Dialect(";").is_default
    assert not Dialect(encoding="cp1252").is_default
    assert not Dialect(decimal_comma=True).is_default


@pytest.mark.parametrize(
    ("given_", "meant"),
    [(",", ","), (";", ";"), ("|", "|"), ("\t", "\t"), ("tab", "\t"), ("TAB", "\t"),
     ("\\t", "\t"), ("semicolon", ";"), ("comma", ","), ("pipe", "|"), (":", ":")],
)  # fmt: skip
def test_a_delimiter_is_named_by_its_character_or_its_name(given_: str, meant: str) -> None:
    assert check_delimiter(given_) == meant


@pytest.mark.parametrize("given_", ["", ";;", "a", "7", '"', "\n", "tabs"])
def test_anything_else_is_not_a_delimiter(given_: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_delimiter(given_)
    assert str(caught.value) == (
        f"a delimiter is one character such as , ; | or 'tab', not '{given_}'"
    )


def test_an_encoding_is_a_text_encoding_python_knows() -> None:
    assert [check_encoding(n) for n in ("cp1252", "latin-1", "utf-16-le", "UTF8")] == [None] * 4
    # rot13 and base64 are codecs, but not text encodings: no file is decoded by them.
    for name in ("nope", "rot13", "base64"):
        assert check_encoding(name) == (
            f"'{name}' is not a text encoding (try utf-8, cp1252, latin-1 or utf-16)"
        )
    assert [is_utf8(n) for n in ("utf-8", "UTF8", "utf_8_sig", "cp1252", "nope")] == [
        True, True, True, False, False,
    ]  # fmt: skip


# ---------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "encoded",
    [
        TABLE.encode("utf-8"),
        codecs.BOM_UTF8 + TABLE.encode("utf-8"),
        codecs.BOM_UTF16_LE + TABLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TABLE.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TABLE.encode("utf-32-le"),
        codecs.BOM_UTF32_BE + TABLE.encode("utf-32-be"),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16 le", "utf-16 be", "utf-32 le", "utf-32 be"],
)
def test_a_byte_order_mark_says_the_encoding_and_is_not_text(encoded: bytes) -> None:
    assert decode_table(encoded, "f.csv") == TABLE
    if encoded.startswith(TABLE.encode()):
        return
    # A byte order mark is the file's own word: it wins over --encoding.
    assert decode_table(encoded, "f.csv", "cp1252") == TABLE


def test_another_encoding_is_read_when_named() -> None:
    assert decode_table(TABLE.encode("cp1252"), "f.csv", "cp1252") == TABLE
    assert decode_table(TABLE.encode("utf-8"), "f.csv", "utf-8") == TABLE


def test_bytes_that_are_not_utf8_are_placed_in_characters_with_the_hint() -> None:
    # The line and column are in characters of what decoded, as every other position
    # ('ü' before it is one character, two bytes).
    data = "from,to,amount\nb,c,1\r\nü,seller,10,".encode() + "Café".encode("cp1252")
    assert problems(decode_table, data, "f.csv") == [
        "f.csv:3:16: not UTF-8 text (byte 0xe9); save it as CSV UTF-8, or pass --encoding"
        " cp1252 (or the encoding it was saved in)"
    ]
    # After a UTF-8 byte order mark, column 1 is the first character after it.
    assert problems(decode_table, codecs.BOM_UTF8 + b"\xe9", "f.csv") == [
        "f.csv:1:1: not UTF-8 text (byte 0xe9); save it as CSV UTF-8, or pass --encoding"
        " cp1252 (or the encoding it was saved in)"
    ]


def test_bytes_that_the_named_encoding_does_not_have() -> None:
    assert problems(decode_table, b"from\rx\x81", "f.csv", "cp1252") == [
        "f.csv:2:2: not cp1252 text: byte 0x81 has no meaning in cp1252; pass the --encoding"
        " the file was saved in, or save it as CSV UTF-8"
    ]


def test_utf16_without_a_byte_order_mark_is_recognised() -> None:
    for codec, order in (("utf-16-le", "le"), ("utf-16-be", "be")):
        assert problems(decode_table, TABLE.encode(codec), "f.csv") == [
            "f.csv:1:1: not UTF-8 text; it looks like UTF-16 without a byte order mark:"
            f" pass --encoding utf-16-{order}"
        ]
        assert decode_table(TABLE.encode(codec), "f.csv", codec) == TABLE


def test_a_workbook_is_not_csv() -> None:
    for data in (b"PK\x03\x04\x14\x00\x06\x00", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00"):
        assert problems(decode_table, data, "f.csv", "cp1252") == [
            "f.csv:1:1: a spreadsheet workbook (XLSX or XLS), not CSV text: save it as CSV UTF-8"
        ]


def test_a_broken_utf16_file_is_placed_too() -> None:
    data = codecs.BOM_UTF16_LE + "a,b\nc".encode("utf-16-le") + b"\x00\xd8"  # a lone surrogate
    assert problems(decode_table, data, "f.csv") == [
        "f.csv:2:2: not UTF-16 text, though it starts with a UTF-16 byte order mark"
    ]


# ---------------------------------------------------------------------------- rows


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        ("from,to,amount", ","),
        ("from;to;amount", ";"),
        ("from\tto\tamount", "\t"),
        ("from|to|amount", "|"),
        ('"a;b;c",to,amount', ","),  # inside quotes, a delimiter is text
        ("from;to,amount", ","),  # a tie: the comma
        ("from to amount", ","),  # none: the comma (the header's problem is said later)
        ("amount;note, with a comma;to;from", ";"),
    ],
)
def test_the_delimiter_is_the_one_the_header_uses_most(header: str, delimiter: str) -> None:
    assert sniff_delimiter(header + "\nx,y;z|w\tv,,,,;;;;\n") == delimiter
    assert csv_text(header + "\n", "f.csv").delimiter == delimiter


def test_an_excel_sep_line_says_the_delimiter_and_is_not_a_row() -> None:
    for first in ("sep=;\n", "SEP=;\r\n", "sep=;\r"):
        source = csv_text(first + "from;to;amount\na;b;1\n", "f.csv")
        assert (source.delimiter, source.first_line) == (";", 2)
        assert list(source.rows()) == [(2, ["from", "to", "amount"]), (3, ["a", "b", "1"])]
    tabbed = csv_text("sep=\t\nfrom\tto\n", "f.csv")
    assert (tabbed.delimiter, tabbed.text) == ("\t", "from\tto\n")
    # A forced delimiter wins; the sep= line is still not a row.
    forced = csv_text("sep=;\nfrom|to\n", "f.csv", "|")
    assert (forced.delimiter, forced.first_line, forced.text) == ("|", 2, "from|to\n")
    # Not a sep= line: the header (a quoted `sep=` cell, or no character after it).
    assert csv_text('"sep=;"\n', "f.csv").first_line == 1
    assert csv_text("sep=\nx\n", "f.csv").first_line == 1


def test_rows_start_on_their_file_lines() -> None:
    source = csv_text('sep=;\nfrom;to\r\n"two\nlines";b\n\nc;"d\r\ne"\n', "f.csv")
    assert list(source.rows()) == [
        (2, ["from", "to"]),
        (3, ["two\nlines", "b"]),
        (5, []),
        (6, ["c", "d\r\ne"]),
    ]


def test_a_row_the_csv_module_cannot_read_is_a_problem_at_its_line() -> None:
    source = csv_text('sep=;\na;b\nc;"d"x\n', "f.csv")
    rows = source.rows()
    assert next(rows) == (2, ["a", "b"])
    with pytest.raises(InputError) as caught:
        next(rows)
    assert [str(p) for p in caught.value.problems] == [
        "f.csv:3:1: unreadable CSV: ';' expected after '\"'"
    ]


def test_a_cell_longer_than_the_csv_modules_limit_is_read_whole() -> None:
    before = csv.field_size_limit()
    cell = "x" * 300_000
    assert list(csv_text(f"a;b\n{cell};1\n", "f.csv").rows())[1] == (2, [cell, "1"])
    assert csv.field_size_limit() == before


@pytest.mark.parametrize(
    ("line", "index", "delimiter", "column"),
    [
        ("a;b;c", 2, ";", 5),
        ("a,b;c", 1, ";", 5),  # a comma is text in a ';' file
        ('"x;y";b', 1, ";", 7),  # inside quotes, the delimiter is text
        ('"say ""hi"";";b', 1, ";", 15),
        ("a\tb\tc", 1, "\t", 3),
        ("a|b|", 2, "|", 5),  # an empty last cell
        ("a|b", 5, "|", 1),  # past the end: the row's start
        ('a,"b""c",d', 2, ",", 10),
        ('a,5" pipe,d', 2, ",", 11),  # a quote inside an unquoted cell is text
    ],
)
def test_the_column_of_a_cell_in_any_dialect(
    line: str, index: int, delimiter: str, column: int
) -> None:
    assert cell_column(line, index, delimiter) == column


def test_a_cells_position_counts_the_sep_line() -> None:
    source = csv_text("sep=;\nfrom;to;amount\nbuyers;seller;x\n", "f.csv")
    assert str(source.locator().position(3, 2)) == "f.csv:3:15"


def test_a_cell_after_a_quoted_line_break_is_on_a_later_line() -> None:
    source = csv_text('note;from;to\n"two\r\nlines";"b\n""c""\nd";x\nlast;y;z\n', "f.csv")
    locator = source.locator()
    assert [str(locator.position(2, i)) for i in range(4)] == [
        "f.csv:2:1",
        "f.csv:3:8",
        "f.csv:5:4",
        "f.csv:2:1",  # no such cell: the row's start
    ]
    assert str(locator.position(6, 2)) == "f.csv:6:8"


def test_a_csv_source_is_decoded_then_split() -> None:
    data = codecs.BOM_UTF16_LE + "from\tto\r\na\tb\r\n".encode("utf-16-le")
    source = csv_source(data, "f.csv")
    assert list(source.rows()) == [(1, ["from", "to"]), (2, ["a", "b"])]
    assert csv_source(b"a;b\n", "f.csv", Dialect(delimiter="|")).delimiter == "|"


# ---------------------------------------------------------------------------- amounts

# (cell, decimal comma, the plain literal, the currency it names)
READ = [
    ("1234.50", False, "1234.50", None),
    ("$9,000,000", False, "9000000", "$"),
    ("9,000,000.00", False, "9000000.00", None),
    ("1,500", False, "1500", None),  # ',' only groups thousands without --decimal-comma
    ("1 234.50", False, "1234.50", None),
    ("1\u00a0234.50", False, "1234.50", None),
    ("1'234.50", False, "1234.50", None),
    ("CHF 1'234.50", False, "1234.50", "CHF"),
    ("US$ 1,000", False, "1000", "US$"),
    ("1,234.50 USD", False, "1234.50", "USD"),
    ("£12", False, "12", "£"),
    ("-$5", False, "-5", "$"),
    ("$-5", False, "-5", "$"),
    ("1 234,50", True, "1234.50", None),
    ("1\u202f234,50", True, "1234.50", None),
    ("€1.234,50", True, "1234.50", "€"),
    ("1.234,50 €", True, "1234.50", "€"),
    ("EUR 1.234.567,89", True, "1234567.89", "EUR"),
    ("1.500", True, "1500", None),
    ("1,5", True, "1.5", None),
    (",5", True, ".5", None),
    ("100 kr", True, "100", "kr"),
    ("1500", True, "1500", None),
    # Nothing to translate: back as written (the number check words any problem).
    ("1e3", False, "1e3", None),
    ("+5", False, "+5", None),
    ("", False, "", None),
    ("lots", False, "lots", None),
    ("(1,234)", False, "(1,234)", None),
    ("ABC 100", False, "ABC 100", None),  # three capitals that are no currency
    ("$", False, "$", None),
]


@pytest.mark.parametrize(("cell", "decimal_comma", "plain", "currency"), READ)
def test_amounts_as_spreadsheets_write_them(
    cell: str, decimal_comma: bool, plain: str, currency: str | None
) -> None:
    assert read_amount(cell, decimal_comma) == (plain, currency)
    assert plain_amount(cell, decimal_comma) == plain


POINT_HINT = "write it as a plain number such as 1234.50"
REFUSED = [
    ("1,5", False, ",", "amount '1,5' has a decimal comma; pass --decimal-comma, or write 1.5"),
    (
        "€1.234,50",
        False,
        ",",
        "amount '€1.234,50' has a decimal comma; pass --decimal-comma, or write 1234.50",
    ),
    (
        "1 234,50",
        False,
        ",",
        "amount '1 234,50' has a decimal comma; pass --decimal-comma, or write 1234.50",
    ),
    (
        "1.500.000",
        False,
        ",",
        "amount '1.500.000' groups thousands with '.'; pass --decimal-comma (then ',' is the"
        " decimal mark), or write 1500000",
    ),
    (
        "1,23,456",
        False,
        ",",
        f"amount '1,23,456' has separators that do not group thousands in threes; {POINT_HINT}",
    ),
    (
        "1.2.3",
        False,
        ",",
        f"amount '1.2.3' has separators that do not group thousands in threes; {POINT_HINT}",
    ),
    (
        "12.5",
        True,
        ",",
        "amount '12.5' has a decimal point, but --decimal-comma makes ',' the decimal mark;"
        " write 12,5",
    ),
    (
        "$1,234.50",
        True,
        ",",
        "amount '$1,234.50' has a decimal point, but --decimal-comma makes ',' the decimal"
        " mark; write 1234,50",
    ),
    (
        "1,2,3",
        True,
        ",",
        "amount '1,2,3' has separators that do not group thousands in threes; write it as a"
        " plain number such as 1234,50 (--decimal-comma: ',' is the decimal mark)",
    ),
    # In a ';' file (a decimal-comma country's habit), one group of three is either.
    (
        "1.500",
        False,
        ";",
        "amount '1.500' could be 1.5 or 1500 in a ';'-separated file; pass --decimal-comma"
        " if ',' is the decimal mark (it then reads 1500), or write 1.5",
    ),
    (
        "€1,500",
        False,
        ";",
        "amount '€1,500' could be 1500 or 1.5 in a ';'-separated file; pass --decimal-comma"
        " if ',' is the decimal mark (it then reads 1.5), or write 1500",
    ),
]


@pytest.mark.parametrize(("cell", "decimal_comma", "delimiter", "message"), REFUSED)
def test_amounts_that_could_mean_two_numbers_are_refused_with_what_to_write(
    cell: str, decimal_comma: bool, delimiter: str, message: str
) -> None:
    with pytest.raises(AmountSpellingError) as caught:
        plain_amount(cell, decimal_comma, delimiter)
    assert str(caught.value) == message


def test_a_semicolon_file_reads_plain_amounts_that_are_not_ambiguous() -> None:
    for cell in ("1.5", "0.500", "1500", "12.25", "1.5000", "1,500.00", "9,000,000"):
        assert plain_amount(cell, False, ";") == cell.replace(",", "")
    assert plain_amount("1.500", True, ";") == "1500"


# Hypothesis: a plain amount written the way a spreadsheet formats it reads back to it.
GROUPS_POINT = [",", " ", "\u00a0", "\u202f", "'", ""]
GROUPS_COMMA = [".", " ", "\u00a0", "\u202f", "'", ""]
SYMBOLS = ["", "$", "€", "£", "¥", "₴", "US$", "EUR ", "USD ", "CHF "]
AFTER = ["", " €", "€", " EUR", " kr", " USD"]


def spreadsheet_text(value: Decimal, group: str, mark: str) -> str:
    whole, _, fraction = f"{value:f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = group.join([whole, *groups])
    return text + (mark + fraction if fraction else "")


@given(
    value=st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False)
    | st.integers(0, 10**15).map(Decimal),
    decimal_comma=st.booleans(),
    group=st.integers(0, len(GROUPS_POINT) - 1),
    symbol=st.sampled_from(SYMBOLS),
    after=st.sampled_from(AFTER),
    negative=st.booleans(),
)
def test_any_plain_amount_formatted_by_a_spreadsheet_reads_back_the_same(
    value: Decimal, decimal_comma: bool, group: int, symbol: str, after: str, negative: bool
) -> None:
    separator = (GROUPS_COMMA if decimal_comma else GROUPS_POINT)[group]
    text = spreadsheet_text(value, separator, "," if decimal_comma else ".")
    cell = ("-" if negative else "") + (symbol + text if symbol else text + after)
    plain = plain_amount(cell, decimal_comma)
    assert Decimal(plain) == (-value if negative else value)
