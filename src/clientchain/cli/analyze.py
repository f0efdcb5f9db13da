"""`clientchain analyze`: the analysis, for people (a table), tools (JSON) and CI."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from clientchain.analyses.analyze import DEFAULT_DECAY, DEFAULT_TOP_CLIENTS, Analysis, analyze
from clientchain.ci.baseline import Baseline, baseline_text, read_baseline, with_baseline
from clientchain.ci.gate import fails
from clientchain.cli.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    DecayOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    FlowsOpt,
    OrgArg,
    TopClientsOpt,
    dialect_of,
    exit_zero_option,
    fail_input,
    fail_on_option,
    force_option,
    format_option,
    load_or_fail,
    print_rich,
)
from clientchain.cli.output_file import Kind, input_paths, open_output_or_fail, write_or_fail
from clientchain.cli.progress import big_input, phases
from clientchain.loading.loader import load
from clientchain.loading.spreadsheet import Dialect
from clientchain.model.org import Org
from clientchain.model.phases import phase
from clientchain.model.policy import FailOn, with_overrides
from clientchain.model.problems import InputError
from clientchain.model.visible import visible
from clientchain.render.words import count


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


def analyze_command(
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
    decay: DecayOpt = DEFAULT_DECAY,
    top_clients: TopClientsOpt = DEFAULT_TOP_CLIENTS,
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=0, help="Roles shown in the table (0 = all).")
    ] = 200,
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
            "With --write-baseline: replace the file even if it is not a clientchain"
            " baseline (an input file is never replaced)."
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
    dialect = dialect_of(delimiter, encoding, decimal_comma)
    with phases(org, big=big_input([org, *(flows or [])])) as record:
        loaded = _load_for(output, org, flows, dialect)
        known = _read_baseline(baseline) if baseline is not None else None
        baseline_out = (
            None
            if write_baseline_to is None
            else open_output_or_fail(
                write_baseline_to,
                option="--write-baseline",
                kind=Kind.BASELINE,
                force=force,
                inputs=input_paths(loaded),
                allow_stdout=False,
            )
        )
        policy = with_overrides(
            loaded.policy, max_org_alienation, max_role_alienation, max_levels_inverted, fail_on
        )
        with phase("analyse"):
            result: Analysis = analyze(loaded, decay, top_clients, policy)
            if known is not None:
                result = with_baseline(result, known)
        with phase("render"):
            RENDERERS[output](result, max_rows, policy.fail_on or FailOn.ERROR)
    if timings:
        sys.stdout.flush()
        sys.stderr.write(f"clientchain: timings: {record.line()}\n")
    if baseline_out is not None:
        text, written = baseline_text([*result.findings, *result.baselined])
        write_or_fail(baseline_out, text)
        sys.stdout.flush()
        to = visible(str(write_baseline_to))
        sys.stderr.write(f"clientchain: wrote {count(written, 'finding')} to {to}\n")
        raise typer.Exit(EXIT_OK)
    failing = fails(result.findings, policy.fail_on or FailOn.ERROR)
    raise typer.Exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


# A renderer prints the analysis on stdout, given --max-rows and the --fail-on level. Each
# imports its module when chosen: the table pulls in rich, and `--version`, `--help` and
# the other commands need none of them.
Renderer = Callable[[Analysis, int, FailOn], None]


def _print_table(result: Analysis, max_rows: int, _fail_on: FailOn) -> None:
    from clientchain.render.analysis.table import render_table

    print_rich(render_table(result, max_rows=max_rows))


def _write_json(result: Analysis, _max_rows: int, _fail_on: FailOn) -> None:
    from clientchain.render.analysis.json_doc import write_json

    sys.stdout.flush()
    write_json(result, sys.stdout.buffer)  # streamed: never the whole document


def _write_markdown(result: Analysis, _max_rows: int, fail_on: FailOn) -> None:
    from clientchain.render.analysis.markdown import render_markdown

    sys.stdout.write(render_markdown(result, fail_on, Path.cwd()))


# The CI formats name files from the directory CI runs in: the repository root.
def _write_sarif(result: Analysis, _max_rows: int, _fail_on: FailOn) -> None:
    from clientchain.render.analysis.sarif import render_sarif

    sys.stdout.write(render_sarif(result, Path.cwd()))


def _write_github(result: Analysis, _max_rows: int, _fail_on: FailOn) -> None:
    from clientchain.render.analysis.github import render_github

    sys.stdout.write(render_github(result, Path.cwd()))


def _write_gitlab(result: Analysis, _max_rows: int, _fail_on: FailOn) -> None:
    from clientchain.render.analysis.gitlab import render_gitlab

    sys.stdout.write(render_gitlab(result, Path.cwd()))


RENDERERS: dict[Format, Renderer] = {
    Format.table: _print_table,
    Format.json: _write_json,
    Format.sarif: _write_sarif,
    Format.github: _write_github,
    Format.gitlab: _write_gitlab,
    Format.markdown: _write_markdown,
}


def _load_for(output: Format, org: Path, flows: list[Path] | None, dialect: Dialect) -> Org:
    """Load; with --format github, input problems become annotations on stdout too."""
    if output is not Format.github:
        return load_or_fail(org, flows, dialect)
    try:
        return load(org, flows or [], dialect)
    except InputError as exc:
        from clientchain.render.analysis.github import render_problems

        sys.stdout.write(render_problems(exc.problems, Path.cwd()))
        sys.stdout.flush()
        fail_input(exc)


def _read_baseline(path: Path) -> Baseline:
    try:
        return read_baseline(path)
    except InputError as exc:
        fail_input(exc)
