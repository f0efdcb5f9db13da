"""`clientchain analyze`: the analysis, for people (a table), tools (JSON) and CI."""

# No `from __future__ import annotations` here, on purpose: typer reads the command's
# annotations twice a run, and as strings it compiles and evaluates each of them
# again (~2.5 ms of every run). Names imported only for type checking are quoted.

import contextlib
import io
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from clientchain.analyses.defaults import DEFAULT_DECAY, DEFAULT_TOP_CLIENTS
from clientchain.ci.gate import fails
from clientchain.cli.config import ConfigOpt, IsolatedOpt, configured, say_config
from clientchain.cli.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    DecayOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    FlowsOpt,
    OrgArg,
    QuietOpt,
    TopClientsOpt,
    VerboseOpt,
    dialect_of,
    exit_zero_option,
    fail,
    fail_input,
    fail_on_option,
    force_option,
    format_option,
    load_or_fail,
    org_sizes,
    output_option,
    print_rich,
    read_files,
    stdin_once_for,
)
from clientchain.cli.output_file import (
    STDOUT,
    Kind,
    Output,
    input_paths,
    open_output_or_fail,
    stream_or_fail,
    write_or_fail,
)
from clientchain.cli.progress import big_input, phases
from clientchain.model.holder import value_class
from clientchain.model.phases import phase
from clientchain.model.policy import FailOn, with_overrides
from clientchain.model.visible import visible
from clientchain.render.analysis.sort import Sort
from clientchain.render.words import count

# The analyses, the loaders and the renderers pull in numpy, yaml and rich: each is
# imported where it is used, so that `--help` and `--version` start fast.
if TYPE_CHECKING:
    from rich.console import RenderableType

    from clientchain.analyses.analyze import Analysis
    from clientchain.ci.baseline import Baseline
    from clientchain.loading.spreadsheet import Dialect
    from clientchain.model.org import Org


class Format(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    markdown = "markdown"


def _ratio(value: float | None) -> float | None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise typer.BadParameter(f"must be a number from 0 to 1, got {value:g}")
    return value


def _ratio_option(name: str, key: str) -> typer.models.OptionInfo:
    option: typer.models.OptionInfo = typer.Option(
        name,
        callback=_ratio,
        show_default=False,
        help=f"Policy limit {key} (0-1), in place of the org chart's.",
    )
    return option


@value_class
class Configurable:
    """The options of analyze a configuration file may set (cli.config)."""

    output: Format
    decay: float
    top_clients: int
    sort: Sort | None
    limit: int | None
    fail_on: FailOn | None


@value_class
class View:
    """How the people's output is cut: the table's options, and -q / --statistics."""

    limit: int | None
    sort: Sort | None
    fail_on: FailOn
    exit_zero: bool
    quiet: bool
    statistics: bool


def analyze_command(
    ctx: typer.Context,
    org: OrgArg,
    flows: FlowsOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    output: Annotated[
        Format,
        format_option(
            "table for people, json for tools; sarif, github, gitlab or markdown for CI."
        ),
    ] = Format.table,
    output_file: Annotated[
        str | None,
        output_option("Write the output to this file instead of stdout ('-' for stdout)."),
    ] = None,
    decay: DecayOpt = DEFAULT_DECAY,
    top_clients: TopClientsOpt = DEFAULT_TOP_CLIENTS,
    sort: Annotated[
        Sort | None,
        typer.Option(
            "--sort",
            case_sensitive=False,
            help="Order of the roles table: alienation (most first), inflow, impact"
            " (alienation x headcount) or file [default: file order when the org fits a"
            " screen, else alienation].",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=0,
            metavar="N",
            help="Rows per table: roles, inversions, clients (0 = all) [default: all when"
            " the org fits a screen, else a screenful].",
            show_default=False,
        ),
    ] = None,
    max_rows: Annotated[
        int | None, typer.Option("--max-rows", min=0, hidden=True, show_default=False)
    ] = None,  # the name --limit had before: kept working, not shown
    statistics: Annotated[
        bool,
        typer.Option(
            "--statistics", help="Print the number of findings per rule, then the verdict."
        ),
    ] = False,
    fail_on: Annotated[
        FailOn | None,
        fail_on_option(
            "Lowest finding level that exits 1 [default: the policy's fail_on, or error]."
        ),
    ] = None,
    exit_zero: Annotated[
        bool, exit_zero_option("Exit 0 even with findings (2 still means bad input).")
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="Report only findings not in this baseline file, and baseline entries gone.",
            show_default=False,
        ),
    ] = None,
    write_baseline_to: Annotated[
        str | None,
        typer.Option(
            "--write-baseline",
            metavar="FILE",
            help="Record the current findings as the accepted baseline in this file; exit 0.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        force_option(
            "With -o or --write-baseline: replace the file even if it is not a clientchain"
            " output of that kind (an input file is never replaced)."
        ),
    ] = False,
    max_org_alienation: Annotated[
        float | None, _ratio_option("--max-org-alienation", "max_org_alienation")
    ] = None,
    max_role_alienation: Annotated[
        float | None, _ratio_option("--max-role-alienation", "max_role_alienation")
    ] = None,
    max_levels_inverted: Annotated[
        int | None,
        typer.Option(
            "--max-levels-inverted",
            min=0,
            help="Inversions of at most N levels are warnings, deeper ones errors.",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    timings: Annotated[
        bool,
        typer.Option(
            "--timings", help="Print the seconds spent per phase (parse, build, analyse, render)."
        ),
    ] = False,
) -> None:
    """Analyse an org chart: clients, provenance, alienation, inversions, findings.

    Exit status: 0 no finding at the --fail-on level (default: error), 1 such
    findings (e.g. an inverted relationship), 2 bad input or usage.
    """
    from clientchain.analyses.analyze import analyze

    settings = configured(
        ctx,
        org,
        config,
        isolated,
        Configurable(output, decay, top_clients, sort, limit, fail_on),
    )
    chosen = settings.values
    output, decay, top_clients = chosen.output, chosen.decay, chosen.top_clients
    sort, limit, fail_on = chosen.sort, chosen.limit, chosen.fail_on
    if verbose:
        say_config(settings, "analyze")
    if statistics and output is not Format.table:
        fail([f"clientchain: --statistics is a table for people: leave out --format {output}"])
    if quiet and verbose:
        fail(["clientchain: -q and -v ask for less and for more: choose one"])
    dialect = dialect_of(delimiter, encoding, decimal_comma)
    stdin_once_for([org], flows)
    chatty = not quiet
    with phases(org, big=chatty and big_input([org, *(flows or [])])) as record:
        loaded = _load_for(output, org, flows, dialect)
        if verbose:
            sys.stderr.write(f"clientchain: read {read_files(loaded)}: {org_sizes(loaded)}\n")
        known = _read_baseline(baseline, loaded) if baseline is not None else None
        inputs = input_paths(loaded, baseline, settings.config_file)
        target = (
            None
            if output_file is None
            else open_output_or_fail(
                output_file, option="-o", kind=Kind.ANALYSIS, force=force, inputs=inputs
            )
        )
        baseline_out = (
            None
            if write_baseline_to is None
            else open_output_or_fail(
                write_baseline_to,
                option="--write-baseline",
                kind=Kind.BASELINE,
                force=force,
                inputs=inputs,
                allow_stdout=False,
            )
        )
        if baseline_out is not None:
            # The output goes to stdout without -o: `--write-baseline b.json > b.json`.
            shown = f"-o {target.shown}" if target else "stdout (the output)"
            main = target or open_output_or_fail(STDOUT, option="-o", kind=Kind.ANALYSIS)
            if main.shares_a_place_with(baseline_out):
                fail(
                    [
                        f"clientchain: {shown} and --write-baseline {baseline_out.shown} name"
                        " one file: one would replace the other; name two files"
                    ]
                )
        policy = with_overrides(
            loaded.policy, max_org_alienation, max_role_alienation, max_levels_inverted, fail_on
        )
        policy = settings.policy(policy)  # the configuration's ignore
        threshold = policy.fail_on or FailOn.ERROR
        with phase("analyse"):
            result: Analysis = analyze(loaded, decay, top_clients, policy)
            if known is not None:
                from clientchain.ci.baseline import with_baseline  # it reads YAML: only here

                result = with_baseline(result, known)
        view = View(
            limit if limit is not None else max_rows,
            sort,
            threshold,
            exit_zero or baseline_out is not None,
            quiet,
            statistics,
        )
        with phase("render"):
            _emit(output, result, view, target)
    if (timings or verbose) and chatty:
        sys.stdout.flush()
        sys.stderr.write(f"clientchain: timings: {record.line()}\n")
    if target is not None and not target.is_stdout and chatty:
        sys.stderr.write(f"clientchain: wrote the {output} output to {visible(target.shown)}\n")
    if baseline_out is not None:
        from clientchain.render.analysis.baseline_file import baseline_file

        chunks, written = baseline_file(result)
        with stream_or_fail(baseline_out) as out:
            for chunk in chunks:
                out.write(chunk)
        sys.stdout.flush()
        if chatty:
            to = visible(str(write_baseline_to))
            sys.stderr.write(f"clientchain: wrote {count(written, 'finding')} to {to}\n")
        raise typer.Exit(EXIT_OK)
    failing = fails(result.findings, threshold)
    raise typer.Exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


# A renderer makes the analysis as text, given the view. Each imports its module when
# chosen: the table pulls in rich, and `--version`, `--help` and the other commands need
# none of them.
Renderer = Callable[["Analysis", View], str | bytes]


def _emit(output: Format, result: "Analysis", view: View, target: Output | None) -> None:
    """The output on stdout (the table for the terminal, JSON streamed) or into -o FILE."""
    to_stdout = target is None or target.is_stdout
    if to_stdout and output is Format.table and not (view.quiet or view.statistics):
        print_rich(_table(result, view))
        return
    write = STREAMED.get(output)
    if write is not None:
        # Streamed, on stdout as into a file: never the whole document (a gigabyte at a
        # million roles, or a million findings' results).
        if to_stdout:
            sys.stdout.flush()
            write(result, sys.stdout.buffer)
        else:
            assert target is not None
            with stream_or_fail(target) as out:
                write(result, out)
        return
    text = RENDERERS[output](result, view)
    if target is None:
        sys.stdout.write(text if isinstance(text, str) else text.decode("utf-8"))
    else:
        write_or_fail(target, text)


def _table(result: "Analysis", view: View) -> "RenderableType":
    from clientchain.cli.console import terminal_rows
    from clientchain.render.analysis.table import render_table

    # On a terminal, "fits a screen" is its own height; piped, the table's default.
    return render_table(
        result,
        limit=view.limit,
        sort=view.sort,
        fail_on=view.fail_on,
        exit_zero=view.exit_zero,
        screen_rows=terminal_rows(),
    )


def _render_table(result: "Analysis", view: View) -> str:
    """The table as text (for -o FILE), -q's verdict line, or --statistics."""
    from clientchain.render.analysis.verdict import verdict

    closing = verdict(result, view.fail_on, exit_zero=view.exit_zero) + "\n"
    if view.quiet:
        return closing
    if view.statistics:
        from clientchain.render.analysis.statistics import render_statistics

        return render_statistics(result) + closing
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):  # not a terminal: no colour, a fixed width
        print_rich(_table(result, view))
    return buffer.getvalue()


def _render_json(result: "Analysis", _view: View) -> bytes:
    from clientchain.render.analysis.json_doc import render_json

    return render_json(result)


def _render_markdown(result: "Analysis", view: View) -> str:
    from clientchain.render.analysis.markdown import render_markdown

    return render_markdown(result, view.fail_on, Path.cwd())


# The CI formats name files from the directory CI runs in: the repository root.
def _write_json(result: "Analysis", stream: BinaryIO) -> None:
    from clientchain.render.analysis.json_doc import write_json

    write_json(result, stream)


def _write_sarif(result: "Analysis", stream: BinaryIO) -> None:
    from clientchain.render.analysis.sarif import write_sarif

    write_sarif(result, Path.cwd(), stream)


def _write_github(result: "Analysis", stream: BinaryIO) -> None:
    from clientchain.render.analysis.github import write_github

    write_github(result, Path.cwd(), stream)


def _write_gitlab(result: "Analysis", stream: BinaryIO) -> None:
    from clientchain.render.analysis.gitlab import write_gitlab

    write_gitlab(result, Path.cwd(), stream)


# The formats written in pieces as they are made (their renderers below make the same
# bytes whole, for the library and the tests).
STREAMED: dict[Format, Callable[["Analysis", BinaryIO], None]] = {
    Format.json: _write_json,
    Format.sarif: _write_sarif,
    Format.github: _write_github,
    Format.gitlab: _write_gitlab,
}


def _render_sarif(result: "Analysis", _view: View) -> str:
    from clientchain.render.analysis.sarif import render_sarif

    return render_sarif(result, Path.cwd())


def _render_github(result: "Analysis", _view: View) -> str:
    from clientchain.render.analysis.github import render_github

    return render_github(result, Path.cwd())


def _render_gitlab(result: "Analysis", _view: View) -> str:
    from clientchain.render.analysis.gitlab import render_gitlab

    return render_gitlab(result, Path.cwd())


RENDERERS: dict[Format, Renderer] = {
    Format.table: _render_table,
    Format.json: _render_json,
    Format.sarif: _render_sarif,
    Format.github: _render_github,
    Format.gitlab: _render_gitlab,
    Format.markdown: _render_markdown,
}


def _load_for(output: Format, org: Path, flows: list[Path] | None, dialect: "Dialect") -> "Org":
    """Load; with --format github, input problems become annotations on stdout too."""
    if output is not Format.github:
        return load_or_fail(org, flows, dialect)
    from clientchain.loading.input_file import forget_pipes
    from clientchain.loading.loader import load
    from clientchain.model.problems import InputError

    try:
        return load(org, flows or [], dialect)
    except InputError as exc:
        from clientchain.render.analysis.github import render_problems

        sys.stdout.write(render_problems(exc.problems, Path.cwd()))
        sys.stdout.flush()
        fail_input(exc)
    finally:
        forget_pipes()  # (as load_or_fail)


def _read_baseline(path: Path, org: "Org") -> "Baseline":
    from clientchain.ci.baseline import read_baseline
    from clientchain.model.problems import InputError

    try:
        return read_baseline(path, org)
    except InputError as exc:
        fail_input(exc)
