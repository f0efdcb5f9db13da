"""`clientchain import flows`: a sales ledger becomes a flows CSV."""

from __future__ import annotations

from typing import Annotated

import typer

from clientchain.cli.options import (
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    ForceOpt,
    check_columns_need_file,
    column_option,
    count,
    dialect_of,
    fail_input,
    output_option,
    output_target,
    say,
    say_written,
    stdin_once,
    tables_or_fail,
)
from clientchain.cli.output_file import Kind, write_or_fail
from clientchain.model.problems import InputError


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
        column_option(
            "--from",
            "The column naming who pays, the customer (default: recognised"
            " names such as Customer, CustomerId, Client, Account).",
        ),
    ] = None,
    payee: Annotated[
        str | None,
        column_option(
            "--to",
            "The column naming who is paid, a role id (default: Salesperson, Sales"
            " Rep, SupportRepId, EmployeeID, Owner...; looked for in --join's file too).",
        ),
    ] = None,
    amount: Annotated[
        str | None,
        column_option(
            "--amount",
            "The column holding the amount (default: Amount, Total, Net"
            " Amount, Value, Revenue...).",
        ),
    ] = None,
    times: Annotated[
        list[str] | None,
        column_option("--times", "Multiply the amount by this column, e.g. Quantity (repeatable)."),
    ] = None,
    discount: Annotated[
        str | None,
        column_option(
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
        column_option(
            "--join-on",
            "The --join file's customer column (default: the one named like"
            " the ledger's --from column).",
        ),
    ] = None,
    client_by: Annotated[
        str | None,
        column_option(
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
    from clientchain.importing.flows_csv import flows_csv
    from clientchain.importing.ledger import LedgerOptions, columns_of, import_ledger

    dialect = dialect_of(delimiter, encoding, decimal_comma)
    check_columns_need_file("--join", join, {"--join-on": join_on})
    stdin_once({"the ledger": ledger, "the --join file": join})
    target = output_target(output, Kind.FLOWS, force, [ledger, join])
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
    ledger_table, join_table = tables_or_fail(dialect, ledger, join)
    try:
        columns = columns_of(ledger_table, options, join_table)
        say(f"columns: {columns.describe()}")
        ignored = columns.ignored()
        if ignored:
            say(f"ignored columns: {ignored}")
        imported = import_ledger(columns, options)
    except InputError as exc:
        fail_input(exc)
    for note in imported.notes:
        say(f"note: {note}")
    write_or_fail(target, flows_csv(imported.rows, imported.decimals))
    rows = count(len(imported.rows), "flow")
    say_written(target, f"{rows} (from {count(imported.ledger_rows, 'ledger row')})")
