"""`clientchain import flows`: a sales ledger becomes a flows CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from clientchain.cli.options import (
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    ForceOpt,
    count,
    dialect_of,
    fail,
    fail_input,
    output_option,
)
from clientchain.cli.output_file import STDOUT, Kind, open_output_or_fail, write_or_fail
from clientchain.importing.flows_csv import flows_csv
from clientchain.importing.ledger import LedgerOptions, columns_of, import_ledger
from clientchain.importing.ledger_source import STDIN, Table, read_table
from clientchain.loading.spreadsheet import Dialect
from clientchain.model.problems import InputError, Problem
from clientchain.model.visible import visible, visible_message


def _column(flag: str, help: str) -> typer.models.OptionInfo:
    info: typer.models.OptionInfo = typer.Option(flag, metavar="COL", help=help, show_default=False)
    return info


def import_flows_command(
    ledger: Annotated[
        str,
        typer.Argument(
            metavar="LEDGER",
            help="The ledger: a CSV file with one row per transaction ('-' for stdin).",
            show_default=False,
        ),
    ],
    output: Annotated[
        str | None, output_option("Write the flows CSV to this file ('-' or none: stdout).")
    ] = None,
    payer: Annotated[
        str | None,
        _column(
            "--from",
            "The column naming who pays, the customer (default: recognised"
            " names such as Customer, CustomerId, Client, Account).",
        ),
    ] = None,
    payee: Annotated[
        str | None,
        _column(
            "--to",
            "The column naming who is paid, a role id (default: Salesperson, Sales"
            " Rep, SupportRepId, EmployeeID, Owner...; looked for in --join's file too).",
        ),
    ] = None,
    amount: Annotated[
        str | None,
        _column(
            "--amount",
            "The column holding the amount (default: Amount, Total, Net"
            " Amount, Value, Revenue...).",
        ),
    ] = None,
    times: Annotated[
        list[str] | None,
        _column("--times", "Multiply the amount by this column, e.g. Quantity (repeatable)."),
    ] = None,
    discount: Annotated[
        str | None,
        _column(
            "--discount",
            "Take off this column's fraction of the amount (0.15 or 15%):"
            " amount x times x (1 - discount).",
        ),
    ] = None,
    join: Annotated[
        str | None,
        typer.Option(
            "--join",
            metavar="FILE",
            help="A customer list (CSV) joined on the customer column: its columns can be"
            " --to and --client-by.",
            show_default=False,
        ),
    ] = None,
    join_on: Annotated[
        str | None,
        _column(
            "--join-on",
            "The --join file's customer column (default: the one named like"
            " the ledger's --from column).",
        ),
    ] = None,
    client_by: Annotated[
        str | None,
        _column(
            "--client-by",
            "Group customers into clients by this column (Country,"
            " Industry): its value is the client id.",
        ),
    ] = None,
    client_prefix: Annotated[
        str,
        typer.Option(
            "--client-prefix",
            metavar="TEXT",
            help="Put TEXT before every client id (customer-12), as import people does, so"
            " client ids never clash with role ids.",
        ),
    ] = "",
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="LABEL",
            help="Add a kind column with LABEL (e.g. sale).",
            show_default=False,
        ),
    ] = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    force: ForceOpt = False,
) -> None:
    """Turn a ledger of transactions (invoices, orders) into a flows file: the rows summed
    per (customer, paid role) pair, exactly, in the order the pairs first appear.

    Exit status: 0 written, 2 bad input or usage.
    """
    dialect = dialect_of(delimiter, encoding, decimal_comma)
    if join_on is not None and join is None:
        fail(["clientchain: --join-on names a column of the --join file: pass --join FILE"])
    if ledger == STDIN and join == STDIN:
        fail(["clientchain: standard input can be read once: name the ledger or the --join file"])
    inputs = [Path(p) for p in (ledger, join) if p is not None and p != STDIN]
    target = open_output_or_fail(
        STDOUT if output is None else output,
        option="-o",
        kind=Kind.FLOWS,
        force=force,
        inputs=inputs,
    )
    options = LedgerOptions(
        payer=payer,
        payee=payee,
        amount=amount,
        times=tuple(times or ()),
        discount=discount,
        join_on=join_on,
        client_by=client_by,
        client_prefix=client_prefix,
        kind=kind or None,
        decimal_comma=decimal_comma,
    )
    tables = _tables(ledger, join, dialect)
    try:
        columns = columns_of(tables[0], options, tables[1])
        _say(f"columns: {columns.describe()}")
        imported = import_ledger(columns, options)
    except InputError as exc:
        fail_input(exc)
    for note in imported.notes:
        _say(f"note: {note}")
    write_or_fail(target, flows_csv(imported.rows, imported.decimals))
    if not target.is_stdout:
        _say(
            f"wrote {count(len(imported.rows), 'flow')} (from"
            f" {count(imported.ledger_rows, 'ledger row')}) to {visible(target.shown)}"
        )


def _tables(ledger: str, join: str | None, dialect: Dialect) -> tuple[Table, Table | None]:
    """Both files read, or every problem of both on stderr and exit 2."""
    problems: list[Problem] = []
    found: list[Table | None] = []
    for path in (ledger, join):
        if path is None:
            found.append(None)
            continue
        try:
            found.append(read_table(path, dialect))
        except InputError as exc:
            problems.extend(exc.problems)
            found.append(None)
    if problems:
        fail_input(InputError(problems))
    first = found[0]
    assert first is not None
    return first, found[1]


def _say(line: str) -> None:
    sys.stderr.write(f"clientchain: {visible_message(line)}\n")
