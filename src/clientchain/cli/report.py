"""`clientchain report`: the analysis as one self-contained HTML page."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from clientchain.analyses.defaults import DEFAULT_DECAY, DEFAULT_TOP_CLIENTS
from clientchain.cli.config import ConfigOpt, ConfigVerboseOpt, IsolatedOpt, configured, say_config
from clientchain.cli.options import (
    EXIT_OK,
    DecayOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    FlowsOpt,
    ForceOpt,
    OrgArg,
    TopClientsOpt,
    count,
    dialect_of,
    fail,
    load_or_fail,
    output_option,
)
from clientchain.cli.output_file import (
    STDOUT,
    Kind,
    input_paths,
    open_output_or_fail,
    write_or_fail,
)
from clientchain.cli.progress import big_input, phases
from clientchain.model.holder import value_class
from clientchain.model.phases import phase
from clientchain.model.visible import visible
from clientchain.render.report.defaults import DEFAULT_MAX_ROLES


@value_class
class Configurable:
    """The options of report a configuration file may set (cli.config)."""

    decay: float
    top_clients: int


def report_command(
    ctx: typer.Context,
    org: OrgArg,
    flows: FlowsOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    output: Annotated[
        str | None,
        output_option(
            "Where to write the HTML file ('-' for stdout; without -o, stdout if it"
            " is not a terminal).",
            metavar="PATH",
        ),
    ] = None,
    decay: DecayOpt = DEFAULT_DECAY,
    top_clients: TopClientsOpt = DEFAULT_TOP_CLIENTS,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", help="The page's title [default: the org's name].", show_default=False
        ),
    ] = None,
    max_roles: Annotated[
        int,
        typer.Option(
            "--max-roles",
            min=0,
            help="Roles embedded at most; a bigger organisation shows its top (0 = all).",
        ),
    ] = DEFAULT_MAX_ROLES,
    force: ForceOpt = False,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    verbose: ConfigVerboseOpt = False,
) -> None:
    """Write the analysis as one HTML page: headline figures, the org tree coloured by
    alienation, inversions, each role's clients, provenance and money chain, findings.

    The page needs no network (everything is inline), so it can be mailed. Exit
    status: 0 the report is written (whatever it finds), 2 bad input or usage.
    """
    dialect = dialect_of(delimiter, encoding, decimal_comma)
    settings = configured(ctx, org, config, isolated, Configurable(decay, top_clients))
    decay, top_clients = settings.values.decay, settings.values.top_clients
    if verbose:
        say_config(settings, "report")
    if output is None and sys.stdout.isatty():
        fail(["clientchain: name the HTML file with -o report.html (or -o - for stdout)"])
    with phases(org, big=big_input([org, *(flows or [])])):
        loaded = load_or_fail(org, flows, dialect)
        target = open_output_or_fail(
            STDOUT if output is None else output,
            option="-o",
            kind=Kind.REPORT,
            force=force,
            inputs=input_paths(loaded, settings.config_file),
        )
        from clientchain.analyses.analyze import analyze  # numpy: only when it runs

        with phase("analyse"):
            result = analyze(loaded, decay, top_clients, settings.policy(loaded.policy))
        with phase("render"):
            from clientchain.render.report.html import render_html

            page = render_html(result, title=title, max_roles=max_roles)
    shown = min(loaded.role_count, max_roles) if max_roles else loaded.role_count
    what = f"{count(loaded.role_count, 'role')}"
    if shown < loaded.role_count:
        what = f"the top {shown:,} of {what}"
    what += f", {count(result.summary.inversions, 'inversion')}"
    write_or_fail(target, page)
    if target.is_stdout:
        sys.stderr.write(f"clientchain: wrote the report ({what}) to stdout\n")
    else:
        sys.stderr.write(f"clientchain: wrote {visible(target.shown)} ({what})\n")
    raise typer.Exit(EXIT_OK)
