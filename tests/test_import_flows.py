"""`clientchain import flows`: a ledger becomes a flows file, summed exactly per pair.

Sums are checked against a brute-force calculation over the raw rows (fractions
from the cell texts, sharing no code with the importer); messages are checked
word for word, as a user reads them.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from clientchain import load
from clientchain.importing.flows_csv import FlowRow, cell, flows_csv, unwritable_id
from tests.conftest import EXAMPLES, Run

Runner = Callable[..., Run]
MUSIC = EXAMPLES / "music-store" / "data"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path, so messages name the files as the user typed them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def put(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def flow_rows(text: str) -> list[list[str]]:
    """The rows of a flows file, header first, as a CSV reader reads them."""
    return list(csv.reader(io.StringIO(text, newline="")))


def places(text: str) -> int:
    return len(text.partition(".")[2])


# --------------------------------------------------------------------------- exact sums


def random_ledger(rng: random.Random, rows: int) -> list[tuple[str, str, str]]:
    customers = [f"c{i}" for i in range(12)]
    reps = ["ann", "bob", "cy"]
    ledger = []
    for _ in range(rows):
        whole, cents = rng.randrange(0, 5000), rng.randrange(0, 100)
        amount = rng.choice([f"{whole}", f"{whole}.{cents:02d}", f"{whole}.{cents % 10}", "0.1"])
        if rng.random() < 0.1:
            amount = rng.choice(["-0.5", "-1.25"])  # a credit note
        ledger.append((rng.choice(customers), rng.choice(reps), amount))
    return ledger


def brute_force(ledger: list[tuple[str, str, str]]) -> dict[tuple[str, str], Fraction]:
    sums: dict[tuple[str, str], Fraction] = {}
    for customer, rep, amount in ledger:
        sums[(customer, rep)] = sums.get((customer, rep), Fraction(0)) + Fraction(amount)
    return sums


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rows_are_summed_exactly_per_pair_in_first_seen_order(
    run: Runner, here: Path, seed: int
) -> None:
    ledger = random_ledger(random.Random(seed), 400)
    put(
        here / "sales.csv",
        "Customer,Sales Rep,Amount\n" + "".join(f"{c},{r},{a}\n" for c, r, a in ledger),
    )
    result = run("import", "flows", "sales.csv")
    assert result.exit_code == 0, result.stderr
    expected = {pair: total for pair, total in brute_force(ledger).items() if total != 0}
    rows = flow_rows(result.stdout)
    assert rows[0] == ["from", "to", "amount"]
    assert [(r[0], r[1]) for r in rows[1:]] == list(expected)  # first-seen order
    assert [Fraction(r[2]) for r in rows[1:]] == list(expected.values())
    most = max(places(a) for _, _, a in ledger)
    assert {places(r[2]) for r in rows[1:]} == {most}  # as many places as the ledger wrote


def test_no_binary_float_noise(run: Runner, here: Path) -> None:
    put(here / "l.csv", "Customer,Salesperson,Amount\nx,ann,0.1\nx,ann,0.2\ny,ann,1e2\n")
    result = run("import", "flows", "l.csv")
    assert result.stdout == "from,to,amount\nx,ann,0.3\ny,ann,100.0\n"


def test_the_music_store_joined_on_customers_by_country(run: Runner, here: Path) -> None:
    result = run(
        "import", "flows", str(MUSIC / "invoices.csv"), "--join", str(MUSIC / "customers.csv"),
        "--client-by", "Country", "--kind", "sale",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # Brute force: each invoice's customer looked up in the customer list by hand.
    with (MUSIC / "customers.csv").open(encoding="utf-8", newline="") as f:
        customers = {row["CustomerId"]: row for row in csv.DictReader(f)}
    expected: dict[tuple[str, str], Fraction] = {}
    with (MUSIC / "invoices.csv").open(encoding="utf-8", newline="") as f:
        for invoice in csv.DictReader(f):
            who = customers[invoice["CustomerId"]]
            pair = (who["Country"], who["SupportRepId"])
            expected[pair] = expected.get(pair, Fraction(0)) + Fraction(invoice["Total"])
    rows = flow_rows(result.stdout)
    assert rows[0] == ["from", "to", "amount", "kind"]
    assert {(r[0], r[1]): Fraction(r[2]) for r in rows[1:]} == expected
    assert {r[3] for r in rows[1:]} == {"sale"}
    by_rep: dict[str, Fraction] = {}
    for r in rows[1:]:
        by_rep[r[1]] = by_rep.get(r[1], Fraction(0)) + Fraction(r[2])
    # SOURCE.txt: Jane Peacock (3) 833.04, Margaret Park (4) 775.40, Steve Johnson (5) 720.16.
    assert by_rep == {"3": Fraction("833.04"), "4": Fraction("775.40"), "5": Fraction("720.16")}
    assert result.stderr == (
        f"clientchain: columns: {MUSIC / 'invoices.csv'}: from = 'CustomerId', amount = 'Total';"
        f" {MUSIC / 'customers.csv'} (joined on 'CustomerId'): to = 'SupportRepId',"
        " client_by = 'Country'\n"
    )


def test_customer_ids_that_are_also_role_ids_need_a_prefix(run: Runner, here: Path) -> None:
    for name in ("invoices.csv", "customers.csv"):
        (here / name).write_bytes((MUSIC / name).read_bytes())
    result = run("import", "flows", "invoices.csv", "--join", "customers.csv")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[1:] == [
        "invoices.csv:3:3: 14 rows have a client id that is also the id of the one paid"
        " (e.g. '4' in 7 rows); pass --client-prefix (e.g. customer-)",
        "clientchain: 1 problem in the input",
    ]
    fixed = run(
        "import", "flows", "invoices.csv", "--join", "customers.csv", "--client-prefix", "customer-"
    )
    rows = flow_rows(fixed.stdout)[1:]
    assert len(rows) == 59  # one pair per customer: each has one support rep
    assert all(r[0].startswith("customer-") for r in rows)
    assert sum(Fraction(r[2]) for r in rows) == Fraction("2328.60")


NORTHWIND = """\
OrderID,CustomerID,EmployeeID,OrderDate,ShipCountry,OrderID,ProductID,UnitPrice,Quantity,Discount
10248,VINET,5,1996-07-04,France,10248,11,14,12,0
10248,VINET,5,1996-07-04,France,10248,42,9.8,10,0
10250,HANAR,4,1996-07-08,Brazil,10250,41,7.7,10,0
10250,HANAR,4,1996-07-08,Brazil,10250,51,42.4,35,0.15
10250,HANAR,4,1996-07-08,Brazil,10250,65,16.8,15,0.15
10251,VICTE,3,1996-07-08,France,10251,22,16.8,6,0.05
10251,VICTE,3,1996-07-08,France,10251,57,15.6,15,0.05
10252,SUPRD,4,1996-07-09,Belgium,10252,20,64.8,40,0.05
"""


def test_order_lines_price_times_quantity_less_discount(run: Runner, here: Path) -> None:
    put(here / "orders.csv", NORTHWIND)
    result = run(
        "import", "flows", "orders.csv", "--amount", "UnitPrice", "--times", "Quantity",
        "--discount", "Discount",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    expected: dict[tuple[str, str], Fraction] = {}
    for line in csv.DictReader(io.StringIO(NORTHWIND)):
        pair = (line["CustomerID"], line["EmployeeID"])
        revenue = (
            Fraction(line["UnitPrice"])
            * Fraction(line["Quantity"])
            * (1 - Fraction(line["Discount"]))
        )
        expected[pair] = expected.get(pair, Fraction(0)) + revenue
    rows = flow_rows(result.stdout)[1:]
    assert [(r[0], r[1]) for r in rows] == list(expected)
    assert [Fraction(r[2]) for r in rows] == list(expected.values())
    assert [r[2] for r in rows] == ["266.0", "1552.6", "318.06", "2462.4"]  # exact, never rounded
    assert result.stderr.startswith(
        "clientchain: columns: orders.csv: from = 'CustomerID', amount = 'UnitPrice',"
        " times = 'Quantity', discount = 'Discount', to = 'EmployeeID'\n"
    )


# --------------------------------------------------------------------------- dialects


def test_semicolons_a_bom_and_decimal_commas(run: Runner, here: Path) -> None:
    text = "\ufeffKunde;Verkäufer;Betrag\nacme;ann;1 234,50\nacme;ann;0,5\nbolt;bob;€ 12,00\n"
    put(here / "l.csv", text)
    args = (
        "import",
        "flows",
        "l.csv",
        "--from",
        "Kunde",
        "--to",
        "Verkäufer",
        "--amount",
        "Betrag",
    )
    result = run(*args, "--decimal-comma")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "from,to,amount\nacme,ann,1235.00\nbolt,bob,12.00\n"
    refused = run(*args)
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[1:] == [
        "l.csv:2:10: 3 rows have an amount ('Betrag') that could be read two ways; the first:"
        " amount '1 234,50' has a decimal comma; pass --decimal-comma, or write 1234.50",
        "clientchain: 1 problem in the input",
    ]


def test_currency_symbols_and_thousands_separators(run: Runner, here: Path) -> None:
    put(
        here / "l.csv",
        'Client,Owner,Revenue\nacme,ann,"$9,000,000"\nacme,ann,$0.25\nbolt,ann,USD 1.5\n',
    )
    result = run("import", "flows", "l.csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "from,to,amount\nacme,ann,9000000.25\nbolt,ann,1.50\n"


def test_windows_1252_needs_its_encoding(run: Runner, here: Path) -> None:
    put(here / "l.csv", "Customer\tSalesperson\tAmount\nSociété Générale\tann\t10\n", "cp1252")
    refused = run("import", "flows", "l.csv")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "l.csv:2:5: not UTF-8 text (byte 0xe9); save it as CSV UTF-8, or pass --encoding"
        " cp1252 (or the encoding it was saved in)\nclientchain: 1 problem in the input\n"
    )
    result = run("import", "flows", "l.csv", "--encoding", "cp1252")
    assert result.stdout == "from,to,amount\nSociété Générale,ann,10\n"


# --------------------------------------------------------------------------- problems

BROKEN = """\
Invoice,Customer,Salesperson,Amount
1,acme,ann,100
2,,ann,5
3,bolt,,7
4,acme,ann,abc
5,acme,ann,
6,acme,ann,"1,234,56"
7,acme

8,bolt,bob,-3
9,bolt,bob,3
10,acme,bob,abd
11,ann,ann,4
"""


def test_every_problem_once_per_cause_at_its_first_row(run: Runner, here: Path) -> None:
    put(here / "l.csv", BROKEN)
    result = run("import", "flows", "l.csv")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "clientchain: columns: l.csv: from = 'Customer', amount = 'Amount', to = 'Salesperson'\n"
        "l.csv:3:3: no customer: 'Customer' is empty\n"
        "l.csv:4:8: nobody is paid: 'Salesperson' is empty\n"
        "l.csv:5:12: 2 rows have an amount ('Amount') that is not a number (e.g. 'abc' in 1 row)\n"
        "l.csv:6:12: amount is empty ('Amount'); write a number\n"
        "l.csv:7:12: amount '1,234,56' has separators that do not group thousands in threes;"
        " write it as a plain number such as 1234.50\n"
        "l.csv:8:1: row has 2 cells, the header has 4\n"
        "l.csv:13:4: client 'ann' would pay role 'ann', one id for both; ids differ between"
        " clients and roles: pass --client-prefix (e.g. customer-)\n"
        "clientchain: 7 problems in the input\n"
    )


def test_customers_missing_from_the_customer_list_are_one_line(run: Runner, here: Path) -> None:
    put(here / "customers.csv", "CustomerId,Country,SupportRepId\n1,Norway,ann\n2,Chile,bob\n")
    rows = ["1", "99", "2", "99", "98", "99"]
    put(
        here / "invoices.csv",
        "InvoiceId,CustomerId,Total\n" + "".join(f"{i},{c},1\n" for i, c in enumerate(rows)),
    )
    result = run("import", "flows", "invoices.csv", "--join", "customers.csv")
    assert result.stderr.splitlines()[1:] == [
        "invoices.csv:3:3: 4 rows name a customer not in customers.csv (e.g. '99' in 3 rows)",
        "clientchain: 1 problem in the input",
    ]


def test_customer_list_problems(run: Runner, here: Path) -> None:
    put(here / "invoices.csv", "InvoiceId,CustomerId,Total\n1,1,5\n")
    put(here / "customers.csv", "Id,Country,SupportRepId\n1,Norway,ann\n")
    result = run("import", "flows", "invoices.csv", "--join", "customers.csv")
    assert result.stderr == (
        "customers.csv:1:1: no column 'CustomerId' to join invoices.csv on: pass --join-on COLUMN"
        " (the column of customers.csv that holds the customer); the columns are 'Id',"
        " 'Country', 'SupportRepId'\nclientchain: 1 problem in the input\n"
    )
    put(here / "customers.csv", "Id,Country,SupportRepId\n1,Norway,ann\n1,Chile,bob\n2,Peru,\n")
    result = run("import", "flows", "invoices.csv", "--join", "customers.csv", "--join-on", "Id")
    assert result.stderr.splitlines()[1:] == [
        "customers.csv:3:1: customer '1' is listed more than once in customers.csv",
        "clientchain: 1 problem in the input",
    ]
    put(here / "customers.csv", "Id,Country,SupportRepId\n1,Norway,\n")
    result = run("import", "flows", "invoices.csv", "--join", "customers.csv", "--join-on", "Id")
    assert result.stderr.splitlines()[1:] == [
        "customers.csv:2:10: customer '1' has an empty 'SupportRepId': nobody is paid for its"
        " rows in invoices.csv",
        "clientchain: 1 problem in the input",
    ]


def test_columns_that_cannot_be_found(run: Runner, here: Path) -> None:
    put(here / "l.csv", "Customer,Total,Note\nacme,5,x\n")
    result = run("import", "flows", "l.csv")
    assert result.stderr == (
        "l.csv:1:1: no column for to (who is paid): pass --to COLUMN, or --join FILE when a"
        " customer list names the salesperson; the columns are 'Customer', 'Total', 'Note'\n"
        "clientchain: 1 problem in the input\n"
    )
    result = run("import", "flows", "l.csv", "--to", "Note", "--amount", "Totl")
    assert result.stderr.splitlines()[0] == (
        "l.csv:1:1: --amount Totl: no such column (did you mean 'Total'?);"
        " the columns are 'Customer', 'Total', 'Note'"
    )


def test_pairs_that_cancel_out_are_left_out_with_a_note(run: Runner, here: Path) -> None:
    put(here / "l.csv", "Customer,Owner,Amount\nacme,ann,5\nbolt,ann,3\nbolt,ann,-3.00\n")
    result = run("import", "flows", "l.csv", "-o", "flows.csv")
    assert result.exit_code == 0
    assert (here / "flows.csv").read_text() == "from,to,amount\nacme,ann,5.00\n"
    assert result.stderr.splitlines()[1:] == [
        "clientchain: note: 1 pair sums to 0 (credits cancel sales) and is left out"
        " (e.g. 'bolt' -> 'ann')",
        "clientchain: wrote 1 flow (from 3 ledger rows) to flows.csv",
    ]
    put(here / "l.csv", "Customer,Owner,Amount\nacme,ann,5\nbolt,ann,-3\n")
    result = run("import", "flows", "l.csv")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1] == (
        "l.csv:3:10: 'bolt' -> 'ann' sums to -3, which is not greater than 0"
    )


# --------------------------------------------------------------------------- the file written

ODD_IDS = [
    "a,b",
    'say "hi"',
    "two\nlines",
    "=1+2",
    "+44",
    "-x",
    "@home",
    "tab\there",
    "naïve ü",
    "#3",
]


def test_cells_are_quoted_only_when_needed() -> None:
    assert [cell(t) for t in ["plain", "=1+2", "-x", "@home", "a,b", 'q"q', "x\ny", "\tx"]] == [
        "plain", "=1+2", "-x", "@home", '"a,b"', '"q""q"', '"x\ny"', '"\tx"',
    ]  # fmt: skip
    assert unwritable_id(" padded") == (
        "id ' padded' starts or ends with a space, which a flows file cannot keep"
    )
    assert unwritable_id("inner space") is None


def test_odd_ids_and_amounts_load_back_exactly(tmp_path: Path) -> None:
    amounts = [
        Decimal("0.1"),
        Decimal("1234567.891"),
        Decimal("1E+3"),
        Decimal("83.300"),
        Decimal("5"),
    ]
    rows = [
        FlowRow("buyers", role, amounts[i % len(amounts)], "sale") for i, role in enumerate(ODD_IDS)
    ]
    text = flows_csv(rows, decimals=2)
    assert text.splitlines()[0] == "from,to,amount,kind"
    assert flows_csv(rows, decimals=2) == text  # the same rows, the same bytes
    roles = "".join(
        '  - id: "' + r.encode("unicode_escape").decode().replace('"', '\\"') + '"\n'
        for r in ODD_IDS
    )
    (tmp_path / "org.yaml").write_text(
        f"clients: [{{id: buyers}}]\nroles:\n{roles}flows: flows.csv\n", encoding="utf-8"
    )
    (tmp_path / "flows.csv").write_text(text, encoding="utf-8", newline="")
    org = load(tmp_path / "org.yaml")
    assert [org.role_ids[j] for j in org.flow_payee.tolist()] == ODD_IDS
    assert org.flow_amount.tolist() == [float(r.amount) for r in rows]
    assert org.amount_decimals == 3


def test_reimport_is_byte_identical_and_replaces_a_flows_file_when_forced(
    run: Runner, here: Path
) -> None:
    ledger = random_ledger(random.Random(7), 200)
    put(here / "l.csv", "Customer,Payee,Amount\n" + "".join(f"{c},{r},{a}\n" for c, r, a in ledger))
    assert run("import", "flows", "l.csv", "-o", "flows.csv", "--kind", "sale").exit_code == 0
    first = (here / "flows.csv").read_bytes()
    # A flows CSV cannot say who wrote it (people write the same header by hand).
    again = run("import", "flows", "l.csv", "-o", "flows.csv", "--kind", "sale")
    assert (again.exit_code, again.stderr) == (
        2,
        "clientchain: -o flows.csv: exists and nothing in a flows file says clientchain wrote"
        " it; pass --force to replace it\n",
    )
    forced = run("import", "flows", "l.csv", "-o", "flows.csv", "--kind", "sale", "--force")
    assert forced.exit_code == 0
    assert (here / "flows.csv").read_bytes() == first
    assert run("import", "flows", "l.csv").stdout.encode() == first.replace(
        b",sale\n", b"\n"
    ).replace(b",kind\n", b"\n")


def test_an_output_that_is_not_a_flows_file_is_kept(run: Runner, here: Path) -> None:
    put(here / "l.csv", "Customer,Payee,Amount\nacme,ann,5\n")
    put(here / "notes.csv", "my,own\nnotes,here\n")
    put(here / "mine.csv", "from,to,amount\nacme,ann,250\n")  # as the README shows one
    for kept in ("notes.csv", "mine.csv"):
        result = run("import", "flows", "l.csv", "-o", kept)
        assert result.exit_code == 2
        assert result.stderr == (
            f"clientchain: -o {kept}: exists and nothing in a flows file says clientchain"
            " wrote it; pass --force to replace it\n"
        )
    assert (here / "mine.csv").read_text() == "from,to,amount\nacme,ann,250\n"
    result = run("import", "flows", "l.csv", "-o", "l.csv", "--force")
    assert result.exit_code == 2
    assert "that is an input file" in result.stderr
    assert (here / "l.csv").read_text() == "Customer,Payee,Amount\nacme,ann,5\n"


def test_the_ledger_can_come_from_standard_input(here: Path) -> None:
    from typer.testing import CliRunner

    from clientchain.cli.app import app

    done = CliRunner().invoke(
        app, ["import", "flows", "-"], input="Customer,Payee,Amount\nx,y,2.5\n"
    )
    assert done.exit_code == 0
    assert done.stdout == "from,to,amount\nx,y,2.5\n"


def test_quantities_and_discounts_are_checked(run: Runner, here: Path) -> None:
    put(
        here / "lines.csv",
        "Customer,Owner,Price,Qty,Disc\na,ann,10.5,2,15%\nb,ann,3,x,0\nb,ann,3,1,15\nc,bob,2,3,.5\n",
    )
    args = (
        "import",
        "flows",
        "lines.csv",
        "--amount",
        "Price",
        "--times",
        "Qty",
        "--discount",
        "Disc",
    )
    result = run(*args)
    assert result.stderr.splitlines()[1:] == [
        "lines.csv:3:9: quantity 'x' is not a number",
        "lines.csv:4:11: discount '15' is not a fraction from 0 to 1 (15% is 0.15)",
        "clientchain: 2 problems in the input",
    ]
    put(here / "lines.csv", "Customer,Owner,Price,Qty,Disc\na,ann,10.5,2,15%\nc,bob,2,3,.5\n")
    assert run(*args).stdout == "from,to,amount\na,ann,17.85\nc,bob,3.0\n"


def test_a_column_like_one_taken_is_said_to_be_ignored(run: Runner, here: Path) -> None:
    """A second `Amount` (the first is taken) is said on stderr, as import people says
    its own, with the option that would take it instead."""
    put(here / "l.csv", "Customer,Amount,Amount,Employee\nacme,10,20,ann\n")
    result = run("import", "flows", "l.csv")
    assert (result.exit_code, result.stdout) == (0, "from,to,amount\nacme,ann,10\n")
    assert result.stderr.splitlines()[:2] == [
        "clientchain: columns: l.csv: from = 'Customer', amount = 'Amount', to = 'Employee'",
        "clientchain: ignored columns: 'Amount' (like amount: --amount COL)",
    ]
    put(here / "l.csv", "Customer,Amount,Employee\nacme,10,ann\n")
    assert "ignored" not in run("import", "flows", "l.csv").stderr
