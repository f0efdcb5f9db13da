"""`clientchain diff`: what a reorganisation changes, for a reviewer and for CI."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clientchain.analyses.defaults import DEFAULT_DECAY
from clientchain.ci.gate import fails
from clientchain.cli.config import ConfigOpt, ConfigVerboseOpt, IsolatedOpt, configured, say_config
from clientchain.cli.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    DecayOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    FlowsOpt,
    dialect_of,
    exit_zero_option,
    fail,
    fail_input,
    fail_on_option,
    format_option,
    print_rich,
    stdin_once_for,
)
from clientchain.cli.progress import big_input, phases
from clientchain.diff.defaults import DEFAULT_TOP
from clientchain.loading.stdin import is_stdin
from clientchain.model.holder import value_class
from clientchain.model.phases import phase
from clientchain.model.policy import FailOn
from clientchain.model.problems import InputError, Problem

# The analyses, the loaders and the renderers pull in numpy, yaml and rich: imported
# where they are used, so that `--help` and `--version` start fast.
if TYPE_CHECKING:
    from clientchain.analyses.analyze import Analysis
    from clientchain.diff.compare import OrgDiff
    from clientchain.loading.spreadsheet import Dialect
    from clientchain.model.org import Org


class DiffFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


@value_class
class Configurable:
    """The options of diff a configuration file may set (cli.config)."""

    output: DiffFormat
    decay: float
    fail_on: FailOn | None


def diff_command(
    ctx: typer.Context,
    old: Annotated[
        Path,
        typer.Argument(
            metavar="OLD",
            help="The org chart before the change (with --rev: the org chart, ORG; '-' for stdin).",
            show_default=False,
        ),
    ],
    new: Annotated[
        Path | None,
        typer.Argument(
            metavar="NEW",
            help="The org chart after the change ('-' for stdin).",
            show_default=False,
        ),
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option(
            "--rev",
            metavar="REV",
            help="Compare ORG as of this git revision (e.g. origin/main) with ORG as it is now.",
            show_default=False,
        ),
    ] = None,
    flows: FlowsOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    output: Annotated[
        DiffFormat, format_option("table for people, json for tools, markdown for a PR.")
    ] = DiffFormat.table,
    decay: DecayOpt = DEFAULT_DECAY,
    top: Annotated[
        int,
        typer.Option("--top", min=0, help="Roles listed whose alienation changed most (0 = all)."),
    ] = DEFAULT_TOP,
    fail_on: Annotated[
        FailOn | None,
        fail_on_option(
            "Lowest level of an added finding that exits 1"
            " [default: the new version's policy fail_on, or error]."
        ),
    ] = None,
    exit_zero: Annotated[
        bool, exit_zero_option("Exit 0 even when findings are added (2: bad input).")
    ] = False,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    verbose: ConfigVerboseOpt = False,
) -> None:
    """Compare two versions of an org chart: OLD NEW, or --rev REV ORG.

    Shows org alienation before and after, inversions and findings added and
    resolved, the roles whose alienation changed most, and roles added, removed
    and moved. --flows files apply to both versions (with --rev, a file inside the
    repository is read as of REV for the old one). Each version's findings follow
    its own policy block.

    Exit status: 0 no finding added at the --fail-on level (default: error), 1 the
    new version adds such findings (e.g. an inverted relationship), 2 bad input or usage.
    """
    from clientchain.analyses.analyze import analyze
    from clientchain.diff.compare import compare

    dialect = dialect_of(delimiter, encoding, decimal_comma)
    if rev is not None and new is not None:
        fail([f"clientchain: diff --rev {rev} takes one org chart (ORG), not two"])
    if rev is None and new is None:
        fail(["clientchain: diff needs two org charts, OLD and NEW (or --rev REV ORG)"])
    if rev is not None and is_stdin(old):
        fail([f"clientchain: diff --rev {rev} reads ORG from git: name the file, not '-'"])
    stdin_once_for([old, new], flows)
    after = old if new is None else new
    settings = configured(ctx, after, config, isolated, Configurable(output, decay, fail_on))
    output, decay, fail_on = settings.values.output, settings.values.decay, settings.values.fail_on
    if verbose:
        say_config(settings, "diff")
    extra = flows or []
    from clientchain.diff.beside import wanted

    def load_side(side: str) -> Org:
        return _load_side(side, old, after, rev, extra, dialect)

    def analyse(org: Org) -> Analysis:
        # Provenance is not compared: list the fewest clients per role (the cheapest).
        return analyze(org, decay, 1, settings.policy(org.policy))

    inputs = [old, *(p for p in [new] if p), *extra]
    with phases(after, big=big_input(inputs)):
        if wanted(_input_bytes([old, after])):
            diff, after_org = _compare_beside(load_side, analyse, top)
        else:
            before_org, after_org = _load_both(load_side)
            with phase("analyse"):
                diff = compare(analyse(before_org), analyse(after_org), top)
        threshold = fail_on or after_org.policy.fail_on or FailOn.ERROR
        with phase("render"):
            RENDERERS[output](diff, threshold)
    failing = fails(diff.new_findings, threshold)
    raise typer.Exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


def _load_side(
    side: str, old: Path, new: Path, rev: str | None, flows: list[Path], dialect: Dialect
) -> Org:
    """One version ("old" or "new"), its flows CSV files read in `dialect`."""
    from clientchain.loading.loader import load
    from clientchain.loading.revision import load_at_revision, load_working_tree

    if side == "old" and rev is not None:
        return load_at_revision(rev, old, flows, dialect)
    if rev is not None:  # held to the repository too: its flows file must be in it
        return load_working_tree(rev, new, flows, dialect)
    return load(old if side == "old" else new, flows, dialect)


def _load_both(load_side: Callable[[str], Org]) -> tuple[Org, Org]:
    """Both versions, or every problem of either on stderr and exit 2."""
    from clientchain.loading.revision import RevisionError

    problems: list[Problem] = []
    loaded: list[Org] = []
    for side in ("old", "new"):
        try:
            loaded.append(load_side(side))
        except InputError as exc:
            problems.extend(exc.problems)
        except RevisionError as exc:
            fail([f"clientchain: {exc}"])
    if problems:
        fail_input(InputError(problems))  # one list, sorted; a problem shared by both once
    return loaded[0], loaded[1]


def _input_bytes(paths: list[Path]) -> int:
    """The org charts' size on disk (standard input and unreadable paths count 0)."""
    total = 0
    for path in paths:
        try:
            total += 0 if is_stdin(path) else path.stat().st_size
        except OSError:
            continue
    return total


def _compare_beside(
    load_side: Callable[[str], Org], analyse: Callable[[Org], Analysis], top: int
) -> tuple[OrgDiff, Org]:
    """The old version loaded and analysed in a child process while this one does the
    new: the same diff, the same problems and messages as one after the other."""
    from clientchain.diff.beside import beside
    from clientchain.diff.compare import compare
    from clientchain.loading.revision import RevisionError
    from clientchain.model.forking import sharing_cores

    with sharing_cores(), beside(lambda: load_side("old"), analyse, "OLD") as old_side:
        problems: list[Problem] = []
        refused: RevisionError | None = None
        after_org: Org | None = None
        try:
            after_org = load_side("new")
        except InputError as exc:
            problems.extend(exc.problems)
        except RevisionError as exc:
            refused = exc
        try:
            old_side.loaded()
        except InputError as exc:
            problems.extend(exc.problems)
        except RevisionError as exc:  # the old side's first, as when read in turn
            fail([f"clientchain: {exc}"])
        if refused is not None:
            fail([f"clientchain: {refused}"])
        if problems or after_org is None:
            fail_input(InputError(problems))  # one list, sorted; a problem shared by both once
        with phase("analyse"):
            diff = compare(old_side, analyse(after_org), top)
    return diff, after_org


# A renderer prints the diff on stdout, given the --fail-on level; each imports its module
# (the table: rich) only when chosen.
Renderer = Callable[["OrgDiff", FailOn], None]


def _print_table(diff: OrgDiff, _fail_on: FailOn) -> None:
    from clientchain.render.diff.table import render_diff_table

    print_rich(render_diff_table(diff))


def _write_json(diff: OrgDiff, _fail_on: FailOn) -> None:
    from clientchain.render.diff.json import render_diff_json

    sys.stdout.write(render_diff_json(diff))


def _write_markdown(diff: OrgDiff, fail_on: FailOn) -> None:
    from clientchain.render.diff.markdown import render_diff_markdown

    sys.stdout.write(render_diff_markdown(diff, fail_on))


RENDERERS: dict[DiffFormat, Renderer] = {
    DiffFormat.table: _print_table,
    DiffFormat.json: _write_json,
    DiffFormat.markdown: _write_markdown,
}
