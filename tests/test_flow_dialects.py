"""Flows files as spreadsheets export them, and one file read once.

A small corpus of real-looking exports of the same money (semicolons with a byte
order mark and decimal commas, Windows-1252, Excel's UTF-16 "Unicode text", tabs,
pipes, a `sep=` line, currency symbols and thousands separators) must analyse, through
the command line, to exactly the figures of the same flows written plainly; what
cannot be read without guessing is refused at its line and column with what to write
instead. The fast path reads each file exactly as the precise reader does, or hands it
over. A flows file named twice for one organisation (any spelling of its path, a
link) is an input problem: its money would count twice.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clientchain.loading.fast.loader import fast_load
from clientchain.loading.loader import _load_precisely, load
from clientchain.loading.spreadsheet import Dialect, decode_table
from clientchain.loading.yaml_source import decode
from clientchain.model.org import Org
from clientchain.model.phases import recording
from clientchain.model.problems import InputError
from tests.conftest import Run
from tests.test_csv_cells import ODD, csv_cell
from tests.test_fastload import assert_same

Runner = Callable[..., Run]

ORG = """\
org: Dialect Motors
currency: EUR
flows: {flows}
clients:
  - id: buyers
  - id: grants
roles:
  - id: owner
  - id: sales-manager
    reports_to: owner
  - id: seller
    reports_to: sales-manager
  - id: accountant
    reports_to: owner
"""
# (from, to, amount, note): clients pay 1234.50 + 9000000 + 500000.25; the owner pays
# its accountant a budget (an inversion).
ROWS = [
    ("buyers", "seller", "1234.50", "Café sales"),
    ("buyers", "seller", "9000000", "fleet contract"),
    ("grants", "owner", "500000.25", "grant"),
    ("seller", "sales-manager", "800000", "revenue up"),
    ("sales-manager", "owner", "600000", "revenue up"),
    ("owner", "accountant", "50000", "budget"),
]
MONEY_IN = sum(Decimal(amount) for payer, _, amount, _ in ROWS if payer in ("buyers", "grants"))


def grouped(amount: str, group: str, mark: str) -> str:
    """An amount as a spreadsheet formats it: thousands grouped, its own decimal mark."""
    whole, _, fraction = amount.partition(".")
    parts: list[str] = []
    while len(whole) > 3:
        whole, parts = whole[:-3], [whole[-3:], *parts]
    return group.join([whole, *parts]) + (mark + fraction if fraction else "")


def table(
    delimiter: str = ",",
    amount: Callable[[str], str] = str,
    newline: str = "\n",
    quote: bool = False,
) -> str:
    cell = (lambda text: f'"{text}"') if quote else str
    lines = [delimiter.join(["from", "to", "amount", "note"])]
    for payer, payee, value, note in ROWS:
        lines.append(delimiter.join([payer, payee, cell(amount(value)), note]))
    return newline.join(lines) + newline


@dataclass(frozen=True)
class Export:
    """One flows file as some program writes it, and the options it needs."""

    name: str
    data: bytes
    options: list[str] = field(default_factory=list)
    file: str = "flows.csv"
    by_option: bool = False  # named by --flows (else by the org chart's flows:)


def comma_grouped(amount: str) -> str:
    return grouped(amount, ",", ".")


CORPUS = [
    Export(
        "semicolons, UTF-8 BOM, decimal comma (Excel, French)",
        codecs.BOM_UTF8
        + table(";", lambda a: grouped(a, "\u202f", ","), newline="\r\n").encode("utf-8"),
        ["--decimal-comma"],
    ),
    Export(
        "semicolons, decimal comma, spaces, --delimiter given",
        table(";", lambda a: grouped(a, " ", ",")).encode("utf-8"),
        ["--decimal-comma", "--delimiter", ";"],
        by_option=True,
    ),
    Export("Windows-1252", table().encode("cp1252"), ["--encoding", "cp1252"], by_option=True),
    Export(
        "UTF-16 with BOM, tabs (Excel's Unicode text)",
        codecs.BOM_UTF16_LE + table("\t", comma_grouped, newline="\r\n").encode("utf-16-le"),
        file="flows.txt",
    ),
    Export("tab-separated", table("\t").encode("utf-8"), file="flows.tsv"),
    Export("pipe-separated", table("|").encode("utf-8")),
    Export("sep=; first line", b"sep=;\r\n" + table(";", newline="\r\n").encode("utf-8")),
    Export(
        "dollars with thousands separators",
        table(amount=lambda a: "$" + comma_grouped(a), quote=True).encode("utf-8"),
    ),
    Export(
        "euros with a decimal comma",
        table(";", lambda a: "€" + grouped(a, ".", ",")).encode("utf-8"),
        ["--decimal-comma"],
        by_option=True,
    ),
    Export(
        "currency codes after the amount, tabs",
        table("\t", lambda a: comma_grouped(a) + " EUR").encode("utf-8"),
    ),
]


def write_case(folder: Path, export: Export) -> list[str]:
    """The org chart and `export` in `folder`; the arguments after `analyze`."""
    folder.mkdir(parents=True, exist_ok=True)
    named = "~" if export.by_option else export.file
    (folder / "org.yaml").write_text(ORG.format(flows=named), encoding="utf-8")
    (folder / export.file).write_bytes(export.data)
    return ["org.yaml", *(["--flows", export.file] if export.by_option else []), *export.options]


def analysed(run: Runner, folder: Path, args: list[str]) -> dict[str, Any]:
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        result = run("analyze", *args, "--format", "json")
    finally:
        os.chdir(cwd)
    assert result.stderr == ""
    assert result.exit_code == 1  # the owner's budget to its accountant: an inversion
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture
def plain(run: Runner, tmp_path: Path) -> dict[str, Any]:
    """The analysis of the same flows written plainly."""
    folder = tmp_path / "plain"
    return analysed(run, folder, write_case(folder, Export("plain", table().encode())))


def test_the_plain_analysis_counts_the_money_written(plain: dict[str, Any]) -> None:
    assert Decimal(str(plain["summary"]["money_in"])) == MONEY_IN
    assert plain["summary"]["flows"] == len(ROWS)


@pytest.mark.parametrize("export", CORPUS, ids=lambda e: e.name)
def test_each_export_analyses_to_the_figures_of_the_plain_file(
    run: Runner, tmp_path: Path, plain: dict[str, Any], export: Export
) -> None:
    folder = tmp_path / "export"
    assert analysed(run, folder, write_case(folder, export)) == plain


@pytest.mark.parametrize("export", CORPUS, ids=lambda e: e.name)
def test_amounts_keep_the_decimals_they_are_written_with(tmp_path: Path, export: Export) -> None:
    write_case(tmp_path, export)
    flows = [tmp_path / export.file] if export.by_option else []
    org = load(tmp_path / "org.yaml", flows, dialect_of_options(export.options))
    assert org.amount_decimals == 2  # `1 234,50` as `1234.50`
    assert sorted(org.flow_amount.tolist()) == sorted(float(a) for _, _, a, _ in ROWS)


def dialect_of_options(options: list[str]) -> Dialect:
    words = dict(zip(options[::2], options[1::2], strict=False))
    return Dialect(
        delimiter=words.get("--delimiter"),
        encoding=words.get("--encoding"),
        decimal_comma="--decimal-comma" in options,
    )


# ---------------------------------------------------------------------------- refusals


@dataclass(frozen=True)
class Refusal:
    name: str
    data: bytes
    options: list[str]
    stderr: list[str]


HINT = "save it as CSV UTF-8, or pass --encoding cp1252 (or the encoding it was saved in)"
REFUSALS = [
    Refusal(
        "decimal commas without --decimal-comma",
        codecs.BOM_UTF8 + table(";", lambda a: grouped(a, " ", ",")).encode(),
        [],
        [
            "flows.csv:2:15: amount '1 234,50' has a decimal comma; pass --decimal-comma,"
            " or write 1234.50",
            "flows.csv:4:14: amount '500 000,25' has a decimal comma; pass --decimal-comma,"
            " or write 500000.25",
        ],
    ),
    Refusal(
        "Windows-1252 without --encoding",
        table().encode("cp1252"),
        [],
        [f"flows.csv:2:26: not UTF-8 text (byte 0xe9); {HINT}"],
    ),
    Refusal(
        "UTF-16 without a byte order mark",
        table("\t").encode("utf-16-le"),
        [],
        [
            "flows.csv:1:1: not UTF-8 text; it looks like UTF-16 without a byte order mark:"
            " pass --encoding utf-16-le"
        ],
    ),
    Refusal(
        "one group of three in a semicolon file, after a sep= line",
        b"sep=;\nfrom;to;amount\nbuyers;seller;1.500\ngrants;owner;\xe2\x82\xac2,250\n",
        [],
        [
            "flows.csv:3:15: amount '1.500' could be 1.5 or 1500 in a ';'-separated file;"
            " pass --decimal-comma if ',' is the decimal mark (it then reads 1500), or write 1.5",
            "flows.csv:4:14: amount '€2,250' could be 2250 or 2.25 in a ';'-separated file;"
            " pass --decimal-comma if ',' is the decimal mark (it then reads 2.25), or write 2250",
        ],
    ),
    Refusal(
        "a decimal point with --decimal-comma",
        b"from|to|amount\nbuyers|seller|12.5\ngrants|owner|1.234.567,8\n",
        ["--decimal-comma"],
        [
            "flows.csv:2:15: amount '12.5' has a decimal point, but --decimal-comma makes ','"
            " the decimal mark; write 12,5"
        ],
    ),
    Refusal(
        "separators that group nothing",
        b'from,to,amount\nbuyers,seller,"1,23,456"\n',
        [],
        [
            "flows.csv:2:15: amount '1,23,456' has separators that do not group thousands in"
            " threes; write it as a plain number such as 1234.50"
        ],
    ),
    Refusal(
        "two currencies in one file",
        "from\tto\tamount\nbuyers\tseller\t$100\ngrants\towner\t200\nbuyers\towner\t€100\n"
        "grants\tseller\t$0\n".encode(),
        [],
        [
            "flows.csv:4:14: amount '€100' is in €, but the amounts before it are in $"
            " (line 2); amounts add up as written: convert them to one currency",
            "flows.csv:5:15: amount $0 must be greater than 0",
        ],
    ),
    Refusal(
        "unknown ids in a UTF-16 file, placed in characters",
        codecs.BOM_UTF16_LE
        + "note\tfrom\tto\tamount\r\nCafé\tzoë\tseller\t10\r\nCafé\tgrants\tnobody\t10\r\n".encode(
            "utf-16-le"
        ),
        [],
        [
            "flows.csv:2:6: flow from unknown id 'zoë'",
            "flows.csv:3:13: flow to unknown role 'nobody'",
        ],
    ),
    Refusal(
        "a --delimiter the file does not use",
        b"from;to;amount\nbuyers;seller;10\n",
        ["--delimiter", ","],
        [
            "flows.csv:1:1: missing columns from, to, amount in the header (found"
            " 'from;to;amount'); a flows CSV needs from, to, amount (it looks separated by"
            " semicolons, not commas: check --delimiter)"
        ],
    ),
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
def test_what_cannot_be_read_without_guessing_is_refused_where_it_is(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refusal: Refusal
) -> None:
    (tmp_path / "org.yaml").write_text(ORG.format(flows="flows.csv"), encoding="utf-8")
    (tmp_path / "flows.csv").write_bytes(refusal.data)
    monkeypatch.chdir(tmp_path)
    result = run("analyze", "org.yaml", *refusal.options)
    assert (result.exit_code, result.stdout) == (2, "")
    count = len(refusal.stderr)
    summary = f"clientchain: {count} problem{'s' if count > 1 else ''} in the input"
    assert result.stderr.splitlines() == [*refusal.stderr, summary]


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        (
            "--delimiter",
            "ab",
            "Invalid value for '--delimiter': a delimiter is one character such as , ; | or"
            " 'tab', not 'ab'",
        ),
        (
            "--encoding",
            "klingon",
            "Invalid value for '--encoding': 'klingon' is not a text encoding (try utf-8,"
            " cp1252, latin-1 or utf-16)",
        ),
    ],
)
@pytest.mark.parametrize("command", ["analyze", "validate", "chain", "report", "export", "diff"])
def test_a_bad_option_value_is_a_usage_error(
    run: Runner, tmp_path: Path, command: str, option: str, value: str, error: str
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(ORG.format(flows="~"), encoding="utf-8")
    extra = {"chain": ["seller"], "diff": [str(org)], "export": ["--to", "dot"]}
    result = run(command, str(org), *extra.get(command, []), option, value)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == f"Error: {error}"


# ---------------------------------------------------------------------------- commands

SEMICOLONS = table(";", lambda a: grouped(a, ".", ",")).encode("cp1252")
SEMICOLON_OPTIONS = ["--decimal-comma", "--encoding", "cp1252"]


@pytest.fixture
def semicolons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """org.yaml naming flows.csv, and the same org without flows plus the file alone."""
    (tmp_path / "org.yaml").write_text(ORG.format(flows="flows.csv"), encoding="utf-8")
    (tmp_path / "bare.yaml").write_text(ORG.format(flows="~"), encoding="utf-8")
    (tmp_path / "flows.csv").write_bytes(SEMICOLONS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_validate_chain_report_and_export_read_the_dialect(run: Runner, semicolons: Path) -> None:
    validated = run("validate", "org.yaml", "bare.yaml", "--flows", "flows.csv", *SEMICOLON_OPTIONS)
    assert validated.exit_code == 2  # org.yaml names the file itself: twice with --flows
    assert validated.stdout == "bare.yaml: ok: 4 roles, 2 clients, 6 flows\n"
    assert validated.stderr.splitlines() == [
        f"flows.csv: flows file flows.csv is named twice; {TWICE}",
        "clientchain: 1 problem checking org.yaml",
    ]
    assert run("validate", "org.yaml").exit_code == 2  # without the options: refused
    chained = run("chain", "org.yaml", "owner", *SEMICOLON_OPTIONS)
    assert chained.exit_code == 0 and "grants" in chained.stdout
    assert run("report", "org.yaml", "-o", "r.html", *SEMICOLON_OPTIONS).exit_code == 0
    assert "9001234.5" in (semicolons / "r.html").read_text(encoding="utf-8")
    exported = run("export", "org.yaml", "--to", "json", *SEMICOLON_OPTIONS)
    assert exported.exit_code == 0
    plain = semicolons / "plain.csv"
    plain.write_text(table(), encoding="utf-8")
    again = run("export", "bare.yaml", "--flows", "plain.csv", "--to", "json")
    assert exported.stdout == again.stdout


def test_diff_reads_both_sides_in_the_dialect(run: Runner, semicolons: Path) -> None:
    new = semicolons / "new.yaml"
    new.write_text(
        ORG.format(flows="flows.csv").replace("    reports_to: owner\n", "", 1), encoding="utf-8"
    )
    result = run("diff", "org.yaml", "new.yaml", "--format", "json", *SEMICOLON_OPTIONS)
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert document["summary"]["money_in"]["before"] == float(MONEY_IN)
    assert document["summary"]["money_in"]["after"] == float(MONEY_IN)
    refused = run("diff", "org.yaml", "new.yaml", "--encoding", "cp1252")
    assert (refused.exit_code, refused.stdout) == (2, "")
    # Every amount refused once: both sides read the same file, at the same places.
    assert refused.stderr.splitlines()[-1] == "clientchain: 6 problems in the input"


# ---------------------------------------------------------------------------- both paths


def fast_and_precise(
    org: Path, flows: list[Path]
) -> tuple[Org | InputError | None, Org | InputError]:
    data = org.read_bytes()
    text = decode(data, str(org))
    try:
        fast: Org | InputError | None = fast_load(data, text, str(org), flows, org.parent)
    except InputError as exc:
        fast = exc
    try:
        precise: Org | InputError = _load_precisely(text, str(org), flows, org.parent)
    except InputError as exc:
        precise = exc
    return fast, precise


@pytest.mark.parametrize(
    "export",
    [*CORPUS, *(Export(r.name, r.data) for r in REFUSALS)],
    ids=lambda e: e.name,
)
def test_the_fast_path_reads_each_export_as_the_precise_one(tmp_path: Path, export: Export) -> None:
    """Every one of these is a spreadsheet's dialect, not the plain CSV the flat reader
    reads: the fast path reads the org chart and hands the file to the precise CSV
    reader, with the same result (or the same problems) as the precise path."""
    write_case(tmp_path, export)
    flows = [tmp_path / export.file] if export.by_option else []
    fast, precise = fast_and_precise(tmp_path / "org.yaml", flows)
    if fast is None:  # only a file that is not text as read without options (its bytes
        with pytest.raises(InputError):  # are the precise path's to place)
            decode_table(export.data, export.file)
        return
    assert_same(fast, precise)


def test_the_plain_file_takes_the_fast_path(tmp_path: Path) -> None:
    write_case(tmp_path, Export("plain", table().encode()))
    fast, precise = fast_and_precise(tmp_path / "org.yaml", [])
    assert fast is not None
    assert_same(fast, precise)


def test_why_a_dialect_takes_the_precise_path(tmp_path: Path) -> None:
    """For big inputs the command line prints these notes."""
    write_case(tmp_path, CORPUS[3])  # UTF-16: decoded, then read by the flat reader
    with recording() as record:
        load(tmp_path / "org.yaml")
    assert record.notes == []
    broken = (tmp_path / "flows.txt").read_bytes() + b"\x00\xd8"  # a lone surrogate
    (tmp_path / "flows.txt").write_bytes(broken)
    with recording() as record, pytest.raises(InputError):  # (the precise reader says where)
        load(tmp_path / "org.yaml")
    assert record.notes == [
        f"{tmp_path / 'org.yaml'}: read by the precise reader, which takes longer (a problem"
        " to report, or a shape the fast reader leaves to it)"
    ]
    for delimiter in ";\t|":  # read by the flat reader in the header's delimiter: no note
        (tmp_path / "flows.txt").write_bytes(table(delimiter).encode())
        with recording() as record:
            load(tmp_path / "org.yaml")
        assert record.notes == []
    (tmp_path / "flows.txt").write_bytes(b"sep=,\n" + table().encode())
    with recording() as record:
        load(tmp_path / "org.yaml")
    assert record.notes == []  # Excel's line naming a delimiter the flat reader reads
    (tmp_path / "flows.txt").write_bytes(b"sep=:\n" + table(":").encode())
    with recording() as record:
        load(tmp_path / "org.yaml")
    assert record.notes == [
        f"{tmp_path / 'flows.txt'}: an Excel 'sep=' line: read by the precise CSV reader,"
        " which takes longer"
    ]
    (tmp_path / "flows.txt").write_bytes(table().encode())
    with recording() as record:
        load(tmp_path / "org.yaml", dialect=Dialect(delimiter=","))
    assert record.notes == [
        f"{tmp_path / 'org.yaml'}: flows files read with --delimiter, --encoding or"
        " --decimal-comma: read by the precise reader, which takes longer"
    ]


# ---------------------------------------------------------------------------- read once

FLAT_ORG = (
    "clients:\n  - id: buyers\nroles:\n  - id: owner\n  - id: seller\n    reports_to: owner\n"
)
FLOWS = "from,to,amount\nbuyers,seller,100\nseller,owner,40\n"
TWICE = "its money would count twice"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """org.yaml naming f.csv, bare.yaml naming none, sub/ (a folder), in the working folder."""
    (tmp_path / "org.yaml").write_text("flows: f.csv\n" + FLAT_ORG, encoding="utf-8")
    (tmp_path / "bare.yaml").write_text(FLAT_ORG, encoding="utf-8")
    (tmp_path / "f.csv").write_text(FLOWS, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(org: str, flows: list[str]) -> list[str]:
    with pytest.raises(InputError) as caught:
        load(org, flows)
    return [str(p) for p in caught.value.problems]


def test_the_org_charts_file_named_again_on_the_command_line(shop: Path) -> None:
    assert refused("org.yaml", ["f.csv"]) == [f"f.csv: flows file f.csv is named twice; {TWICE}"]
    assert refused("org.yaml", ["./f.csv"]) == [
        f"./f.csv: flows file ./f.csv is already read (as f.csv); {TWICE}"
    ]
    assert refused("org.yaml", [str(shop / "f.csv")]) == [
        f"{shop / 'f.csv'}: flows file {shop / 'f.csv'} is already read (as f.csv); {TWICE}"
    ]


def test_one_file_named_twice_on_the_command_line(run: Runner, shop: Path) -> None:
    result = run("analyze", "bare.yaml", "--flows", "f.csv", "--flows", "sub/../f.csv")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"sub/../f.csv: flows file sub/../f.csv is already read (as f.csv); {TWICE}",
        "clientchain: 1 problem in the input",
    ]


def test_a_link_to_the_file_is_the_same_file(shop: Path) -> None:
    Path("link.csv").symlink_to("f.csv")
    os.link("f.csv", "hard.csv")
    assert refused("org.yaml", ["link.csv", "hard.csv"]) == [
        f"hard.csv: flows file hard.csv is already read (as f.csv); {TWICE}",
        f"link.csv: flows file link.csv is already read (as f.csv); {TWICE}",
    ]


def clientchain(*args: str, stdin: Any) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, its standard input `stdin` (a file, or
    text through a pipe)."""
    piped = {"input": stdin} if isinstance(stdin, str) else {"stdin": stdin}
    return subprocess.run(
        [sys.executable, "-m", "clientchain", *args],
        check=False,
        capture_output=True,
        text=True,
        **piped,
    )


@pytest.mark.parametrize("options", [[], ["--delimiter", ","]], ids=["fast", "precise"])
def test_standard_input_redirected_from_a_file_read_already_is_that_file(
    shop: Path, options: list[str]
) -> None:
    with Path("f.csv").open("rb") as flows:  # `--flows - < f.csv`, f.csv the chart's own
        result = clientchain("analyze", "org.yaml", "--flows", "-", *options, stdin=flows)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"<stdin>: flows file <stdin> is already read (as f.csv); {TWICE}",
        "clientchain: 1 problem in the input",
    ]
    with Path("f.csv").open("rb") as flows:  # standard input first, the file named after it
        result = clientchain(
            "validate", "bare.yaml", "--flows", "-", "--flows", "f.csv", *options, stdin=flows
        )
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"f.csv: flows file f.csv is already read (as <stdin>); {TWICE}"
    )


@pytest.mark.skipif(not Path("/dev/stdin").exists(), reason="no /dev/stdin here")
def test_standard_input_named_twice_is_read_once(shop: Path) -> None:
    """`--flows /dev/stdin --flows -`: one pipe, named twice (the second read found it
    empty)."""
    result = clientchain(
        "validate", "bare.yaml", "--flows", "/dev/stdin", "--flows", "-", stdin=FLOWS
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == (
        f"<stdin>: flows file <stdin> is already read (as /dev/stdin); {TWICE}"
    )


def test_standard_input_from_another_file_or_a_pipe_is_read(shop: Path) -> None:
    with Path("f.csv").open("rb") as flows:  # the chart names none
        alone = clientchain("validate", "bare.yaml", "--flows", "-", stdin=flows)
    assert (alone.returncode, alone.stdout) == (0, "bare.yaml: ok: 2 roles, 1 client, 2 flows\n")
    # The same bytes through a pipe are not a file that can be told apart: they count.
    piped = clientchain("validate", "org.yaml", "--flows", "-", stdin=FLOWS)
    assert (piped.returncode, piped.stdout) == (0, "org.yaml: ok: 2 roles, 1 client, 4 flows\n")


def test_a_copy_is_another_file(shop: Path) -> None:
    shutil.copy("f.csv", "copy.csv")
    org = load("org.yaml", ["copy.csv"])
    assert org.flow_amount.tolist() == [100.0, 40.0, 100.0, 40.0]


def test_the_org_charts_flows_named_from_another_folder(shop: Path) -> None:
    (shop / "sub" / "org.yaml").write_text("flows: ../f.csv\n" + FLAT_ORG, encoding="utf-8")
    assert refused("sub/org.yaml", ["f.csv"]) == [
        f"f.csv: flows file f.csv is already read (as sub/../f.csv); {TWICE}"
    ]


def test_the_files_own_problems_are_said_once(shop: Path) -> None:
    (shop / "f.csv").write_text(FLOWS + "buyers,seller,lots\n", encoding="utf-8")
    assert refused("org.yaml", ["f.csv"]) == [
        f"f.csv: flows file f.csv is named twice; {TWICE}",
        "f.csv:4:15: amount 'lots' is not a number",
    ]


def test_the_fast_path_hands_a_file_named_twice_over(shop: Path) -> None:
    fast, precise = fast_and_precise(Path("org.yaml"), [Path("f.csv")])
    assert fast is None and isinstance(precise, InputError)
    fast, precise = fast_and_precise(Path("org.yaml"), [])
    assert fast is not None
    assert_same(fast, precise)


def test_diff_lets_each_organisation_name_the_file_once(run: Runner, shop: Path) -> None:
    shutil.copy("org.yaml", "new.yaml")
    assert run("diff", "org.yaml", "new.yaml", "--format", "json").exit_code == 0
    result = run("diff", "org.yaml", "new.yaml", "--flows", "f.csv")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"f.csv: flows file f.csv is named twice; {TWICE}",  # both sides: said once
        "clientchain: 1 problem in the input",
    ]


def commit_all() -> None:
    """The working folder as a new git repository of one commit."""
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "shop"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c",
             "commit.gpgsign=false", *args],
            check=True, capture_output=True,
        )  # fmt: skip


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_rev_names_the_file_read_twice_by_revision(run: Runner, shop: Path) -> None:
    commit_all()
    result = run("diff", "--rev", "HEAD", "org.yaml", "--flows", "f.csv")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"HEAD:f.csv: flows file HEAD:f.csv is named twice; {TWICE}",
        f"f.csv: flows file f.csv is named twice; {TWICE}",
        "clientchain: 2 problems in the input",
    ]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"], ids=["semicolon", "tab", "pipe"])
@pytest.mark.parametrize("role", ODD, ids=ascii)
def test_ids_are_kept_exactly_in_every_dialect(tmp_path: Path, delimiter: str, role: str) -> None:
    """Only the spaces around a cell are trimmed: a tab, a line break or a control
    character in a quoted cell is part of the id, whatever separates the cells."""
    quoted = role.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    (tmp_path / "org.yaml").write_text(
        f'flows: flows.csv\nclients: [{{id: buyers}}]\nroles:\n  - id: owner\n  - id: "{quoted}"\n'
        "    reports_to: owner\n",
        encoding="utf-8",
    )
    rows = [
        ["from", "to", "amount"],
        ["buyers", csv_cell(role), "100"],
        [csv_cell(role), " owner  ", "60"],
    ]
    text = "sep=" + delimiter + "\n" + "".join(delimiter.join(row) + "\n" for row in rows)
    (tmp_path / "flows.csv").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    org = load(tmp_path / "org.yaml")
    assert org.role_ids == ("owner", role)
    assert (org.flow_payer.tolist(), org.flow_payee.tolist()) == ([2, 1], [1, 0])


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_rev_reads_both_versions_in_the_dialect(run: Runner, shop: Path) -> None:
    (shop / "f.csv").write_text("from;to;amount\nbuyers;seller;1 000,50\nseller;owner;40\n")
    commit_all()
    (shop / "f.csv").write_text("from;to;amount\nbuyers;seller;2 000,50\nseller;owner;40\n")
    result = run("diff", "--rev", "HEAD", "org.yaml", "--format", "json", "--decimal-comma")
    assert result.stderr == ""
    assert json.loads(result.stdout)["summary"]["money_in"]["change"] == 1000
    refused = run("diff", "--rev", "HEAD", "org.yaml")
    assert refused.stderr.splitlines() == [
        "HEAD:f.csv:2:15: amount '1 000,50' has a decimal comma; pass --decimal-comma, or"
        " write 1000.50",
        "f.csv:2:15: amount '2 000,50' has a decimal comma; pass --decimal-comma, or write 2000.50",
        "clientchain: 2 problems in the input",
    ]


def test_an_amount_spelled_again_is_judged_again_on_its_row() -> None:
    """Each spelling is translated once (a ledger repeats its prices), but every row is
    still judged: a repeated bad spelling is a problem on each of its lines, and a
    repeated amount in another currency after the first one's is too."""
    from clientchain.loading.flow_table import read_csv

    table = read_csv(
        "from,to,amount\n"
        'a,b,"$1,000"\n'
        'a,b,"1,00,0"\n'
        'a,b,"$1,000"\n'
        "a,b,EUR 5\n"
        'a,b,"1,00,0"\n'
        "a,b,EUR 5\n",
        "flows.csv",
    )
    assert table.amount == [1000.0, 1000.0]
    assert table.lines == [2, 4]
    assert [p.position.line for p in table.problems] == [3, 5, 6, 7]
    assert table.problems[0].message == table.problems[2].message  # the same words, each row
    assert "EUR" in table.problems[1].message and "EUR" in table.problems[3].message
