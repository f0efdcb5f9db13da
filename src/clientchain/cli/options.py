"""What every command shares: exit codes, the common options, loading with clean errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.models import OptionInfo

from clientchain.loading.loader import load
from clientchain.loading.spreadsheet import (
    DEFAULT,
    Dialect,
    check_delimiter,
    check_encoding,
    is_utf8,
)
from clientchain.model.org import Org
from clientchain.model.problems import InputError
from clientchain.model.visible import LINE_LIMIT, visible_line
from clientchain.render.words import count

if TYPE_CHECKING:
    from rich.console import RenderableType

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "DecayOpt",
    "DecimalCommaOpt",
    "DelimiterOpt",
    "EncodingOpt",
    "FlowsOpt",
    "ForceOpt",
    "OrgArg",
    "TopClientsOpt",
    "check_decay",
    "count",  # from render.words: commands count in words too
    "dialect_of",
    "exit_zero_option",
    "fail",
    "fail_input",
    "fail_on_option",
    "force_option",
    "format_option",
    "load_or_fail",
    "output_option",
    "print_rich",
]


def print_rich(renderable: RenderableType) -> None:
    """Print for people on stdout (rich is imported only by the commands that print so)."""
    from rich.console import Console

    # Colour only on a terminal (rich also honours NO_COLOR / FORCE_COLOR); a wide page
    # when piped, so a saved report is not wrapped at 80 columns.
    terminal = sys.stdout.isatty()
    width = None if terminal else int(os.environ.get("COLUMNS", "140"))
    # The renderers build `Text` from user text (made visible and cut by model.visible);
    # no string is read as markup or :emoji: codes, whatever slips through.
    console = Console(
        file=sys.stdout,
        width=width,
        highlight=False,
        soft_wrap=False,
        markup=False,
        emoji=False,
    )
    console.print(renderable)


def fail(lines: list[str]) -> NoReturn:
    """Bad input or usage: every line on stderr, exit 2. Lines quote user text (paths,
    ids, revisions): each is shown on one line, control and bidi characters as escapes
    (a caller cuts a long id with `clip`; a line is cut at LINE_LIMIT in any case)."""
    _fail_with([visible_line(line, LINE_LIMIT) for line in lines])


def _fail_with(shown: list[str]) -> NoReturn:
    for line in shown:
        sys.stderr.write(line + "\n")
    raise typer.Exit(EXIT_BAD_INPUT)


def load_or_fail(
    org: Path, flows: list[Path] | None, dialect: Dialect = DEFAULT, *, own_flows: bool = True
) -> Org:
    """The org chart and its flows (CSV read in `dialect`; `own_flows=False`: not the
    flows file the org chart names), or every problem on stderr and exit 2."""
    try:
        return load(org, flows or [], dialect, own_flows=own_flows)
    except InputError as exc:
        fail_input(exc)


def fail_input(exc: InputError) -> NoReturn:
    summary = f"clientchain: {count(len(exc.problems), 'problem')} in the input"
    _fail_with([*(str(p) for p in exc.problems), summary])  # str(p) is shown text already


def check_decay(value: float) -> float:
    if not 0.0 < value < 1.0:
        raise typer.BadParameter(f"must be between 0 and 1 (exclusive), got {value:g}")
    return value


OrgArg = Annotated[
    Path, typer.Argument(metavar="ORG", help="The org chart (YAML).", show_default=False)
]
FlowsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--flows", help="A money-flow file (CSV or YAML); repeat for more.", show_default=False
    ),
]
# Beyond this, a K is a typo, not a wish: the analysis lists at most every client anyway.
MAX_TOP_CLIENTS = 1_000_000
TopClientsOpt = Annotated[
    int,
    typer.Option(
        "--top-clients",
        min=0,
        max=MAX_TOP_CLIENTS,
        help="Clients listed per role in provenance (0 = all).",
    ),
]


# Options that several commands take with their own help text: the flag, its type and its
# default are declared here once; each command says what the option means for it.
# Use: `fail_on: Annotated[FailOn | None, fail_on_option("...")] = None`.


def format_option(help: str) -> OptionInfo:
    """`--format`: the command's own enum of formats (default: table)."""
    return _option(typer.Option("--format", help=help))


def fail_on_option(help: str) -> OptionInfo:
    """`--fail-on FailOn | None = None`: None leaves it to the policy (then error)."""
    return _option(typer.Option("--fail-on", help=help, show_default=False))


def exit_zero_option(help: str) -> OptionInfo:
    """`--exit-zero bool = False`: findings do not fail the run (bad input still does)."""
    return _option(typer.Option("--exit-zero", help=help))


def force_option(help: str) -> OptionInfo:
    """`--force bool = False`: replace a file that is not of the kind the command writes."""
    return _option(typer.Option("--force", help=help))


def output_option(help: str, metavar: str = "FILE") -> OptionInfo:
    """`-o/--output str | None = None`: a file to write ('-' for stdout)."""
    return _option(typer.Option("-o", "--output", metavar=metavar, help=help, show_default=False))


def _option(option: Any) -> OptionInfo:
    # typer.Option is typed to return Any (so it can stand as a default value).
    info: OptionInfo = option
    return info


ForceOpt = Annotated[
    bool,
    force_option(
        "Replace an existing output file even if it is not a clientchain output of the"
        " same kind (an input file is never replaced)."
    ),
]
DecayOpt = Annotated[
    float,
    typer.Option(
        "--decay",
        callback=check_decay,
        help="How much closeness each hand-over keeps (0 < G < 1).",
    ),
]


# How CSV files (flows files, exports, ledgers) are read: spreadsheets' dialects. A bad
# value is a usage error (exit 2) before anything is read.
def _delimiter(value: str | None) -> str | None:
    try:
        return None if value is None else check_delimiter(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _encoding(value: str | None) -> str | None:
    why = None if value is None else check_encoding(value)
    if why is not None:
        raise typer.BadParameter(why)
    return value


DelimiterOpt = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        metavar="CHAR",
        callback=_delimiter,
        help="CSV delimiter: , ; | or 'tab' (default: worked out from the header row).",
        show_default=False,
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="NAME",
        callback=_encoding,
        help="Encoding of CSV files without a byte order mark, e.g. cp1252 (default: UTF-8).",
        show_default=False,
    ),
]
DecimalCommaOpt = Annotated[
    bool,
    typer.Option(
        "--decimal-comma",
        help="Amounts in CSV files write ',' as the decimal mark ('1 234,50').",
    ),
]


def dialect_of(delimiter: str | None, encoding: str | None, decimal_comma: bool) -> Dialect:
    """The CSV dialect the options ask for; a bad value is a usage error (exit 2)."""
    if delimiter is not None:
        try:
            delimiter = check_delimiter(delimiter)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--delimiter") from None
    if encoding is not None and (why := check_encoding(encoding)) is not None:
        raise typer.BadParameter(why, param_hint="--encoding")
    if encoding is not None and is_utf8(encoding):
        encoding = None  # UTF-8 (a BOM or none) is the default reading: the fast one
    return Dialect(delimiter, encoding, decimal_comma)
