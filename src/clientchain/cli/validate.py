"""`clientchain validate ORG...`: check the input only, every problem of every org chart."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from clientchain.cli.config import ConfigOpt, IsolatedOpt, check_config
from clientchain.cli.options import (
    EXIT_BAD_INPUT,
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    FlowsOpt,
    count,
    dialect_of,
    org_sizes,
    stdin_once_for,
)
from clientchain.loading.stdin import STDIN_NAME, is_stdin
from clientchain.model.visible import visible


def validate_command(
    ctx: typer.Context,
    orgs: Annotated[
        list[Path],
        typer.Argument(
            metavar="ORG...",
            help="One or more org charts (YAML; '-' for stdin); each is checked with its"
            " own flows.",
            show_default=False,
        ),
    ],
    flows: FlowsOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
) -> None:
    """Check the input only (structure, references, hierarchy, amounts, policy, and the
    configuration file the other commands would read).

    Exit status: 0 every org chart is sound, 2 any is not (every problem is printed).
    """
    from clientchain.loading.loader import load
    from clientchain.model.problems import InputError

    dialect = dialect_of(delimiter, encoding, decimal_comma)
    stdin_once_for(orgs, flows)
    broken = 0
    for org in orgs:
        name = STDIN_NAME if is_stdin(org) else str(org)
        shown = visible(name)
        try:
            check_config(ctx, org, config, isolated)  # the configuration is input too
            loaded = load(org, flows or [], dialect)
        except InputError as exc:
            broken += 1
            sys.stdout.flush()
            sys.stderr.write("".join(f"{p}\n" for p in exc.problems))
            chart_only = all(problem.position.file == name for problem in exc.problems)
            # (In its flows files or the configuration: found checking it.)
            where = f"in {shown}" if chart_only else f"checking {shown}"
            said = f"clientchain: {count(len(exc.problems), 'problem')} {where}"
            sys.stderr.write(f"{said}\n")
            continue
        sys.stdout.write(f"{shown}: ok: {org_sizes(loaded)}\n")
    if broken:
        raise typer.Exit(EXIT_BAD_INPUT)
