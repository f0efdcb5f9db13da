"""The command line: parse options, call the API, print, choose the exit code. Nothing else."""

from __future__ import annotations

import errno
import gc
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from clientchain.analyses.analyze import DEFAULT_DECAY, DEFAULT_TOP_CLIENTS, Analysis, analyze
from clientchain.analyses.chain import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, trace_chain
from clientchain.ci.baseline import Baseline, baseline_text, read_baseline, with_baseline
from clientchain.ci.gate import fails
from clientchain.cli.diff import diff_command
from clientchain.cli.export import export_command
from clientchain.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    DecayOpt,
    FlowsOpt,
    OrgArg,
    TopClientsOpt,
    fail,
    fail_input,
    load_or_fail,
    print_rich,
)
from clientchain.cli.output_file import Kind, input_paths, open_output_or_fail, write_or_fail
from clientchain.cli.progress import big_input, phases
from clientchain.cli.report import report_command
from clientchain.cli.schema import schema_command
from clientchain.graph.money import build_money_graph
from clientchain.loading.loader import load
from clientchain.model.org import Org
from clientchain.model.phases import phase
from clientchain.model.policy import FailOn, with_overrides
from clientchain.model.problems import InputError, closest
from clientchain.model.visible import clip, visible, visible_message
from clientchain.render.analysis.github import render_github, render_problems
from clientchain.render.analysis.gitlab import render_gitlab
from clientchain.render.analysis.json_doc import write_json
from clientchain.render.analysis.sarif import render_sarif
from clientchain.render.words import count
from clientchain.version import __version__

app = typer.Typer(
    name="clientchain",
    help="Trace who is whose client in an org chart (a client is whoever brings you money), "
    "flag bosses who act as their subordinates' clients, and score how far each role "
    "stands from the paying clients.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    markdown = "markdown"


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"clientchain {__version__}\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback if clientchain itself fails.")
    ] = False,
) -> None:
    """clientchain: clients, alienation and inverted relationships in an org chart."""
    # --debug is read by main(), around the whole app: see there.


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


@app.command("analyze")
def analyze_command(
    org: OrgArg,
    flows: FlowsOpt = None,
    output: Annotated[
        Format,
        typer.Option(
            "--format",
            help="table for people, json for tools; sarif, github, gitlab or markdown for CI.",
        ),
    ] = Format.table,
    decay: DecayOpt = DEFAULT_DECAY,
    top_clients: TopClientsOpt = DEFAULT_TOP_CLIENTS,
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=0, help="Roles shown in the table (0 = all).")
    ] = 200,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Lowest finding level that exits 1 [default: the policy's fail_on, or error].",
            show_default=False,
        ),
    ] = None,
    exit_zero: Annotated[
        bool,
        typer.Option("--exit-zero", help="Exit 0 even with findings (2 still means bad input)."),
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
        typer.Option(
            "--force",
            help="With --write-baseline: replace the file even if it is not a clientchain"
            " baseline (an input file is never replaced).",
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
    with phases(org, big=big_input([org, *(flows or [])])) as record:
        loaded = _load_for(output, org, flows)
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
            _render(result, output, max_rows, policy.fail_on or FailOn.ERROR)
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


def _render(result: Analysis, output: Format, max_rows: int, fail_on: FailOn) -> None:
    if output is Format.json:
        sys.stdout.flush()
        write_json(result, sys.stdout.buffer)  # streamed: never the whole document
    elif output is Format.table:
        from clientchain.render.analysis.table import render_table

        print_rich(render_table(result, max_rows=max_rows))
    elif output is Format.markdown:
        from clientchain.render.analysis.markdown import render_markdown

        sys.stdout.write(render_markdown(result, fail_on, Path.cwd()))
    else:
        # CI formats name files from the directory CI runs in: the repository root.
        sys.stdout.write(_CI_RENDERERS[output](result, Path.cwd()))


# Small modules with no heavy imports of their own (about 2 ms together at start-up).
_CI_RENDERERS: dict[Format, Callable[[Analysis, Path], str]] = {
    Format.sarif: render_sarif,
    Format.github: render_github,
    Format.gitlab: render_gitlab,
}


def _load_for(output: Format, org: Path, flows: list[Path] | None) -> Org:
    """Load; with --format github, input problems become annotations on stdout too."""
    if output is not Format.github:
        return load_or_fail(org, flows)
    try:
        return load(org, flows or [])
    except InputError as exc:
        sys.stdout.write(render_problems(exc.problems, Path.cwd()))
        sys.stdout.flush()
        fail_input(exc)


def _read_baseline(path: Path) -> Baseline:
    try:
        return read_baseline(path)
    except InputError as exc:
        fail_input(exc)


@app.command("chain")
def chain_command(
    org: OrgArg,
    role: Annotated[
        str, typer.Argument(metavar="ROLE", help="The role id to trace.", show_default=False)
    ],
    flows: FlowsOpt = None,
    max_depth: Annotated[
        int, typer.Option("--max-depth", min=1, help="Hand-overs shown.")
    ] = DEFAULT_MAX_DEPTH,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", min=1, help="Payers shown in all.")
    ] = DEFAULT_MAX_NODES,
) -> None:
    """Show where a role's money comes from: hand-overs back to the paying clients."""
    loaded = load_or_fail(org, flows)
    index = loaded.role_index.get(role)
    if index is None:
        close = closest(role, loaded.role_ids)
        hint = f" (did you mean '{clip(close)}'?)" if close is not None else ""
        known = " (it is a client, not a role)" if role in loaded.client_ids else ""
        fail([f"clientchain: unknown role '{clip(role)}' in {org}{known}{hint}"])
    graph = build_money_graph(loaded)
    tree = trace_chain(loaded, graph, index, max_depth=max_depth, max_nodes=max_nodes)
    from clientchain.render.analysis.chain_tree import render_chain

    print_rich(render_chain(loaded, tree))


@app.command("validate")
def validate_command(
    orgs: Annotated[
        list[Path],
        typer.Argument(
            metavar="ORG...",
            help="One or more org charts (YAML); each is checked with its own flows.",
            show_default=False,
        ),
    ],
    flows: FlowsOpt = None,
) -> None:
    """Check the input only (structure, references, hierarchy, amounts, policy).

    Exit status: 0 every org chart is sound, 2 any is not (every problem is printed).
    """
    broken = 0
    for org in orgs:
        try:
            loaded = load(org, flows or [])
        except InputError as exc:
            broken += 1
            sys.stdout.flush()
            sys.stderr.write("".join(f"{p}\n" for p in exc.problems))
            said = f"clientchain: {count(len(exc.problems), 'problem')} in {visible(str(org))}"
            sys.stderr.write(f"{said}\n")
            continue
        counts = ", ".join(
            count(n, noun)
            for n, noun in (
                (loaded.role_count, "role"),
                (loaded.client_count, "client"),
                (loaded.flow_count, "flow"),
            )
        )
        sys.stdout.write(f"{visible(str(org))}: ok: {counts}\n")
    if broken:
        raise typer.Exit(EXIT_BAD_INPUT)


def main() -> NoReturn:
    """Console entry point: run, write everything out, leave without a teardown."""
    # One short run that keeps what it builds until it exits: no cycle collection, and
    # no interpreter teardown freeing a million-role analysis object by object.
    gc.disable()
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = EXIT_OK  # the reader left early (`| head`): not an error of ours
    except OSError as exc:
        code = _cannot_write(exc)
    sys.stderr.flush()
    os._exit(code)


# What the system says when the output cannot be written (a full disk, `> /dev/full`,
# a closed stdout): the machine's trouble, not a bug of ours.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def _cannot_write(exc: OSError) -> int:
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # what is left: nowhere
    sys.stderr.write(f"clientchain: cannot write the output: {exc.strerror or exc}\n")
    return EXIT_BAD_INPUT


def run() -> int:
    """The command line's exit code; the only place that turns a bug into one."""
    try:
        app()
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or EXIT_OK
        sys.stderr.write(f"{visible_message(str(stop.code))}\n")
        return EXIT_FINDINGS
    except BrokenPipeError:
        # `clientchain analyze ... | head`: the reader left; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS or "--debug" in sys.argv[1:]:
            raise
        return _cannot_write(exc)
    except Exception as exc:  # a bug: one clear line, the traceback only on request
        if "--debug" in sys.argv[1:]:
            raise
        sys.stderr.write(
            f"clientchain: internal error: {type(exc).__name__}: {visible_message(str(exc))}\n"
            "This is a bug in clientchain, not in your input; run again with --debug"
            " for the traceback and please report it.\n"
        )
        return EXIT_INTERNAL
    return EXIT_OK


# Commands that live in their own modules (each imports its heavy parts lazily).
app.command("diff")(diff_command)
app.command("schema")(schema_command)
app.command("export")(export_command)
app.command("report")(report_command)
