"""`clientchain import people FILE`: an HR export (CSV) becomes an org chart."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from typer.models import OptionInfo

from clientchain.cli.options import (
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    ForceOpt,
    check_columns_need_file,
    column_option,
    count,
    dialect_of,
    fail,
    output_option,
    output_target,
    say,
    say_written,
    stdin_once,
    tables_or_fail,
)
from clientchain.cli.output_file import Kind, write_or_fail
from clientchain.importing.choices import Orphans
from clientchain.loading.stdin import STDIN, STDIN_NAME

# The importers pull in numpy: imported when the command runs, so that `--help` and
# `--version` start fast.
if TYPE_CHECKING:
    from clientchain.importing.export_rows import Where
    from clientchain.importing.failure import ImportInputError
    from clientchain.loading.spreadsheet import Dialect


def _column(option: str, field: str) -> OptionInfo:
    return column_option(option, f"Column with {field} (its header, or its number from 1).")


def import_people_command(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="The HR export (CSV; '-' for standard input).", show_default=False
        ),
    ],
    id_column: Annotated[str | None, _column("--id", "each row's id")] = None,
    reports_to: Annotated[str | None, _column("--reports-to", "the manager's id or name")] = None,
    name: Annotated[str | None, _column("--name", "the person's name")] = None,
    title: Annotated[str | None, _column("--title", "the job title")] = None,
    department: Annotated[str | None, _column("--department", "the department")] = None,
    cost_centre: Annotated[str | None, _column("--cost-centre", "the cost centre")] = None,
    fte: Annotated[str | None, _column("--fte", "the FTE (headcount)")] = None,
    dotted_line: Annotated[str | None, _column("--dotted-line", "the dotted-line manager")] = None,
    pay: Annotated[str | None, _column("--pay", "the pay per person")] = None,
    status: Annotated[
        str | None, _column("--status", "a status saying vacancy/vacant/open")
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            metavar="COL=VALUE",
            help="Keep only rows whose COL is VALUE (repeat: all must hold; the same COL"
            " twice: either value), e.g. one snapshot of a multi-snapshot export.",
            show_default=False,
        ),
    ] = None,
    orphans: Annotated[
        Orphans,
        typer.Option(
            "--orphans",
            help="Rows whose manager is not in the file: an error, tops, or left out"
            " (with everyone below them).",
        ),
    ] = Orphans.error,
    generate_ids: Annotated[
        bool,
        typer.Option(
            "--generate-ids",
            help="Name rows without an id after their manager: MANAGER/1, MANAGER/2, ..."
            " (top/1 for a top), stable across re-imports.",
        ),
    ] = False,
    keep_names: Annotated[
        bool,
        typer.Option(
            "--keep-names",
            help="Write people's names as 'name:' (left out by default: personal data).",
        ),
    ] = False,
    client: Annotated[
        list[str] | None,
        typer.Option(
            "--client",
            metavar="ID[=TITLE]",
            help="Add an external client (a funder, a market); repeatable.",
            show_default=False,
        ),
    ] = None,
    clients: Annotated[
        Path | None,
        typer.Option(
            "--clients",
            metavar="FILE",
            help="A customer list (CSV): one client per row, or per --client-by value.",
            show_default=False,
        ),
    ] = None,
    client_id: Annotated[str | None, _column("--client-id", "the client id (--clients)")] = None,
    client_title: Annotated[
        str | None, _column("--client-title", "the client's title (--clients)")
    ] = None,
    client_by: Annotated[
        str | None,
        _column("--client-by", "a segment (one client per value, e.g. Country)"),
    ] = None,
    client_prefix: Annotated[
        str,
        typer.Option(
            "--client-prefix",
            metavar="TEXT",
            help="Put TEXT before every client id (when they collide with role ids).",
        ),
    ] = "",
    org_name: Annotated[
        str | None,
        typer.Option(
            "--org-name",
            metavar="TEXT",
            help="The org chart's name [default: the file's name without its suffix].",
            show_default=False,
        ),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency", metavar="CODE", help="The currency of pay and money.", show_default=False
        ),
    ] = None,
    flows: Annotated[
        str | None,
        typer.Option(
            "--flows",
            metavar="PATH",
            help="Name this flows file in the org chart (flows: PATH, relative to the org"
            " chart), e.g. the output of import flows.",
            show_default=False,
        ),
    ] = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    output: Annotated[
        str | None, output_option("Write the org chart to this file ('-' or none: stdout).")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Turn an HR export (one row per person or position) into an org chart (org.yaml).

    Columns are recognised by their usual names (Employee ID, Manager ID, Job Title,
    Department, FTE, ...); each can be named with its option. Which column was taken
    for what is shown on stderr. Names are not written unless --keep-names.

    Exit status: 0 written, 2 a problem in the export or the command line.
    """
    from clientchain.importing.clients import ClientOptions, parse_client
    from clientchain.importing.failure import ImportInputError
    from clientchain.importing.org_import import OrgSettings, import_org
    from clientchain.importing.org_yaml import org_yaml
    from clientchain.importing.people import PeopleOptions

    dialect = dialect_of(delimiter, encoding, decimal_comma)
    wheres = [_where(item) for item in where or []]
    named = list(client or [])
    for text in named:
        try:
            parse_client(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--client") from None
    _check_client_options(clients, client_id, client_title, client_by)
    client_file = None if clients is None else str(clients)
    stdin_once({"the export": file, "the --clients file": client_file})
    target = output_target(output, Kind.ORG_CHART, force, [file, client_file])
    export, client_list = tables_or_fail(dialect, file, client_file)
    people = PeopleOptions(
        chosen={
            "id": id_column,
            "reports_to": reports_to,
            "name": name,
            "title": title,
            "department": department,
            "cost_centre": cost_centre,
            "headcount": fte,
            "dotted_to": dotted_line,
            "pay": pay,
            "status": status,
        },
        where=wheres,
        orphans=orphans,
        generate_ids=generate_ids,
        keep_names=keep_names,
        decimal_comma=decimal_comma,
    )
    client_options = ClientOptions(named, client_id, client_title, client_by, client_prefix)
    shown = STDIN_NAME if file == STDIN else Path(file).name
    settings = OrgSettings(
        name=org_name if org_name is not None else (None if file == STDIN else Path(file).stem),
        currency=currency,
        flows=flows,
        export_name=shown,
        clients_name=None if clients is None else Path(clients).name,
        options=_options_text(wheres, orphans, generate_ids, keep_names, dialect, client_prefix),
    )
    client_source = None if client_list is None else client_list.source
    try:
        done = import_org(export.source, people, client_source, client_options, settings)
    except ImportInputError as exc:
        _fail_import(exc)
    for line in (*done.people.context, *done.people.notes):
        say(line)
    write_or_fail(target, org_yaml(done.org))
    roles, listed = len(done.org.roles), len(done.org.clients)
    say_written(target, f"{count(roles, 'role')} and {count(listed, 'client')}")


def _where(text: str) -> Where:
    from clientchain.importing.export_rows import Where

    column, equals, value = text.partition("=")
    if not equals or not column.strip():
        raise typer.BadParameter(
            f"'{text}': write COL=VALUE, e.g. --where 'Back to Index=Mar-14'",
            param_hint="--where",
        )
    return Where(column.strip(" "), value)


def _check_client_options(
    clients: Path | None, client_id: str | None, client_title: str | None, client_by: str | None
) -> None:
    columns = {"--client-id": client_id, "--client-title": client_title, "--client-by": client_by}
    check_columns_need_file("--clients", clients, columns)
    if client_by is not None and (client_id is not None or client_title is not None):
        raise typer.BadParameter(
            "--client-by makes one client per value (its id is the value); it does not"
            " take --client-id or --client-title",
            param_hint="--client-by",
        )


def _options_text(
    wheres: list[Where],
    orphans: Orphans,
    generate_ids: bool,
    keep_names: bool,
    dialect: Dialect,
    client_prefix: str,
) -> str:
    """The options that shaped the org chart, as one would type them again."""
    words: list[str] = []
    for item in wheres:
        words += ["--where", shlex.quote(str(item))]
    if orphans is not Orphans.error:
        words += ["--orphans", orphans.value]
    if generate_ids:
        words.append("--generate-ids")
    if keep_names:
        words.append("--keep-names")
    if dialect.decimal_comma:
        words.append("--decimal-comma")
    if client_prefix:
        words += ["--client-prefix", shlex.quote(client_prefix)]
    return " ".join(words)


def _fail_import(exc: ImportInputError) -> NoReturn:
    lines = [f"clientchain: {line}" for line in exc.context]
    lines += [str(problem) for problem in exc.problems]
    lines += [f"clientchain: {line}" for line in exc.summary]
    lines.append(f"clientchain: {count(len(exc.problems), 'problem')} in the input")
    fail(lines)
