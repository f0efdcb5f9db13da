"""`clientchain model rollup|budgets|recharges`: flows the org chart implies, as a new file.

Each command loads the org chart, runs one recipe of `importing.recipes` and
writes the new rows as a flows CSV (stdout, or `-o FILE`), to be analysed
together with the flows the org chart already has.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated

import typer

from clientchain.cli.options import (
    HELP_OPTIONS,
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    FlowsOpt,
    ForceOpt,
    OrgArg,
    column_option,
    count,
    dialect_of,
    fail_input,
    load_or_fail,
    output_option,
    output_target,
    say,
    say_written,
    tables_or_fail,
)
from clientchain.cli.output_file import Kind, Output, input_paths, write_or_fail
from clientchain.importing.choices import BudgetBy, CentreKind
from clientchain.model.problems import InputError

# The importers pull in numpy: imported when the command runs, so that `--help` and
# `--version` start fast.
if TYPE_CHECKING:
    from clientchain.importing.recipes.result import RecipeResult

model_app = typer.Typer(
    name="model",
    help="Modelling recipes: the flows an org chart implies (revenue rolled up, budgets"
    " handed down, recharges between cost centres), written as a flows file.",
    no_args_is_help=True,
    add_completion=False,
    context_settings=HELP_OPTIONS,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

OutputOpt = Annotated[
    str | None, output_option("Write the new flows to this file ('-' or none: stdout).")
]


@model_app.command("rollup")
def rollup_command(
    org: OrgArg,
    flows: FlowsOpt = None,
    share: Annotated[
        str,
        typer.Option(
            "--share",
            metavar="F",
            help="The fraction of its subtree's client money each role passes to its boss"
            " (0 < F <= 1).",
        ),
    ] = "1",
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Revenue roll-up: each role passes the client money collected in its subtree (paid
    to it and to everyone below it) up to its boss, as rows `role -> boss` of kind roll-up.

    Use it for a sales organisation whose ledger says which role each client paid: the
    managers above the front line are then funded by the money their teams bring in.
    Analyse the result with the ledger's flows: --flows sales.csv --flows rollup.csv.

    Exit status: 0 written, 2 bad input or usage.
    """
    from clientchain.importing.recipes.rollup import revenue_rollup

    fraction = _share(share)
    loaded = load_or_fail(org, flows)
    target = output_target(output, Kind.FLOWS, force, input_paths(loaded))
    _write(target, _run(lambda: revenue_rollup(loaded, fraction)))


@model_app.command("budgets")
def budgets_command(
    org: OrgArg,
    funder: Annotated[
        str | None,
        typer.Option(
            "--funder",
            metavar="CLIENT",
            help="The client that funds the tops (a ministry, a parent company); it must be"
            " listed under clients: in ORG. Needed when a top is budget-funded.",
            show_default=False,
        ),
    ] = None,
    under: Annotated[
        list[str] | None,
        typer.Option(
            "--under",
            metavar="ROLE",
            help="Fund only this role's subtree (repeatable), e.g. the IT department of a"
            " business whose sales earn their money.",
            show_default=False,
        ),
    ] = None,
    budgets: Annotated[
        str | None,
        typer.Option(
            "--budgets",
            metavar="FILE",
            help="A CSV of budgets, one row per role (or cost centre, department: --by).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        BudgetBy,
        typer.Option("--by", help="What the budgets file's rows name."),
    ] = BudgetBy.role,
    role_column: Annotated[
        str | None,
        column_option(
            "--role",
            "The budgets column naming the role, or with --by the cost centre"
            " or department (default: recognised names).",
        ),
    ] = None,
    amount_column: Annotated[
        str | None,
        column_option(
            "--amount", "The budgets column holding the amount (default: Budget, Amount, Total...)."
        ),
    ] = None,
    per_head: Annotated[
        str | None,
        typer.Option(
            "--per-head",
            metavar="AMOUNT",
            help="The cost of one person, for roles without a budget or a pay key.",
            show_default=False,
        ),
    ] = None,
    output: OutputOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    force: ForceOpt = False,
) -> None:
    """Budgets down: each role receives the cost of its whole subtree (itself included)
    from its boss, and each top from the funder, as rows `boss -> role` of kind budget.
    A role's own cost is its budget in --budgets, else its pay key x headcount, else
    --per-head x headcount.

    Use it for a budget-funded organisation (a government department, an internal
    service) whose money comes from a funder and is handed down the hierarchy: the
    analysis then shows each boss acting as the client of its subordinates.

    Exit status: 0 written, 2 bad input or usage.
    """
    from clientchain.importing.recipes.budgets import BudgetOptions, budget_cascade

    dialect = dialect_of(delimiter, encoding, decimal_comma)
    head_cost = _amount_option("--per-head", per_head) if per_head is not None else None
    # Only the organisation: its own flows file may be the very file being written.
    loaded = load_or_fail(org, None, own_flows=False)
    target = output_target(output, Kind.FLOWS, force, [*input_paths(loaded), budgets])
    table = tables_or_fail(dialect, budgets)[0] if budgets is not None else None
    options = BudgetOptions(
        funder=funder,
        by=by,
        under=tuple(under or ()),
        role_column=role_column,
        amount_column=amount_column,
        per_head=head_cost,
        decimal_comma=decimal_comma,
    )
    _write(target, _run(lambda: budget_cascade(loaded, options, table)))


@model_app.command("recharges")
def recharges_command(
    org: OrgArg,
    recharges: Annotated[
        str,
        typer.Argument(
            metavar="RECHARGES",
            help="A CSV of recharges: paying centre, providing centre, amount ('-' for stdin).",
            show_default=False,
        ),
    ],
    by: Annotated[
        CentreKind,
        typer.Option("--by", help="What the rows name: cost centres or departments."),
    ] = CentreKind.cost_centre,
    paying: Annotated[
        str | None,
        column_option(
            "--from",
            "The column naming the paying centre, the one charged (default:"
            " From Cost Centre, Charged To, Payer...).",
        ),
    ] = None,
    providing: Annotated[
        str | None,
        column_option(
            "--to",
            "The column naming the providing centre, the one paid (default: To"
            " Cost Centre, Provider, Charged By...).",
        ),
    ] = None,
    amount_column: Annotated[
        str | None,
        column_option(
            "--amount", "The column holding the amount (default: Amount, Recharge, Value...)."
        ),
    ] = None,
    output: OutputOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    force: ForceOpt = False,
) -> None:
    """Recharges: internal charges between cost centres (or departments) become flows
    from the role heading the paying centre to the role heading the providing one, of
    kind recharge. The centre that receives the service pays its provider: a row's
    from is the centre charged, its to the centre that did the work.

    Use it when finance recharges shared services (IT, facilities, HR) to the units
    they serve: those units are then the internal clients that fund the services.

    Exit status: 0 written, 2 bad input or usage.
    """
    from clientchain.importing.recipes.recharges import RechargeOptions, recharge_flows

    dialect = dialect_of(delimiter, encoding, decimal_comma)
    # Only the organisation: its own flows file may be the very file being written.
    loaded = load_or_fail(org, None, own_flows=False)
    target = output_target(output, Kind.FLOWS, force, [*input_paths(loaded), recharges])
    table, _ = tables_or_fail(dialect, recharges)
    options = RechargeOptions(
        by=by,
        paying=paying,
        providing=providing,
        amount=amount_column,
        decimal_comma=decimal_comma,
    )
    _write(target, _run(lambda: recharge_flows(loaded, options, table)))


def _share(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 < value <= 1:
        raise typer.BadParameter(
            f"a fraction above 0 and at most 1, such as 0.5; got '{text}'", param_hint="--share"
        )
    return value


def _amount_option(option: str, text: str) -> Decimal:
    """An amount given on the command line, read as an amount cell of a CSV file is."""
    from clientchain.importing.ledger_source import AmountError, cell_amount

    try:
        value = cell_amount(text, decimal_comma=False)
    except AmountError:
        value = Decimal(-1)
    if value < 0:
        raise typer.BadParameter(
            f"an amount of 0 or more, such as 52000; got '{text}'", param_hint=option
        )
    return value


def _run(recipe: Callable[[], RecipeResult]) -> RecipeResult:
    try:
        return recipe()
    except InputError as exc:
        fail_input(exc)


def _write(target: Output, result: RecipeResult) -> None:
    from clientchain.importing.flows_csv import flows_csv

    for note in result.notes:
        say(f"note: {note}")
    write_or_fail(target, flows_csv(result.rows, result.decimals, kind_column=True))
    say_written(target, count(len(result.rows), "flow"))
