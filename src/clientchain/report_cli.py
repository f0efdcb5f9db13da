"""`clientchain report`: the analysis as one self-contained HTML page."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from clientchain.analysis import DEFAULT_DECAY, DEFAULT_TOP_CLIENTS, analyze
from clientchain.cli_support import (
    EXIT_OK,
    DecayOpt,
    FlowsOpt,
    OrgArg,
    TopClientsOpt,
    count,
    fail,
    load_or_fail,
    refuse_inputs,
)
from clientchain.model import Org
from clientchain.phases import phase
from clientchain.progress import big_input, phases
from clientchain.render.report_data import DEFAULT_MAX_ROLES

STDOUT = "-"


def report_command(
    org: OrgArg,
    flows: FlowsOpt = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="PATH",
            help="Where to write the HTML file ('-' for stdout; without -o, stdout if it"
            " is not a terminal).",
            show_default=False,
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
) -> None:
    """Write the analysis as one HTML page: headline figures, the org tree coloured by
    alienation, inversions, each role's clients, provenance and money chain, findings.

    The page needs no network (everything is inline), so it can be mailed. Exit
    status: 0 the report is written (whatever it finds), 2 bad input or usage.
    """
    if output is None and sys.stdout.isatty():
        fail(["clientchain: name the HTML file with -o report.html (or -o - for stdout)"])
    with phases(org, big=big_input([org, *(flows or [])])):
        loaded = load_or_fail(org, flows)
        target = None if output in (None, STDOUT) else Path(output)
        if target is not None:
            _check_target(target, loaded)
        with phase("analyse"):
            result = analyze(loaded, decay, top_clients)
        with phase("render"):
            from clientchain.render.html_report import render_html

            page = render_html(result, title=title, max_roles=max_roles)
    shown = min(loaded.role_count, max_roles) if max_roles else loaded.role_count
    what = f"{count(loaded.role_count, 'role')}"
    if shown < loaded.role_count:
        what = f"the top {shown:,} of {what}"
    what += f", {count(result.summary.inversions, 'inversion')}"
    if target is None:
        sys.stdout.write(page)
        sys.stdout.flush()
        sys.stderr.write(f"clientchain: wrote the report ({what}) to stdout\n")
    else:
        _write(target, page)
        sys.stderr.write(f"clientchain: wrote {target} ({what})\n")
    raise typer.Exit(EXIT_OK)


def _check_target(target: Path, loaded: Org) -> None:
    """Never overwrite an input: a slip of the tab key must not cost an org chart."""
    refuse_inputs(target, loaded)
    if target.is_dir():
        fail([f"clientchain: -o {target}: that is a directory; name a file"])
    if not target.resolve().parent.is_dir():
        fail([f"clientchain: -o {target}: the folder {target.parent} does not exist"])


def _write(target: Path, page: str) -> None:
    """Write whole or not at all: a temporary file next to the target, then a rename."""
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(
            prefix=".clientchain-", suffix=".html", dir=target.resolve().parent
        )
        temporary = Path(name)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(page)
        temporary.chmod(0o666 & ~_umask())  # as a plain new file would be
        temporary.replace(target)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        fail([f"clientchain: -o {target}: cannot write: {exc.strerror or exc}"])


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
