"""What every command shares: exit codes, the common options, loading with clean errors;
and for the commands that turn CSV files into a new file (import, model): reading the
files, the output target, what they tell the user on stderr."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.models import OptionInfo

from clientchain.cli.console import print_rich
from clientchain.cli.output_file import (
    STDOUT,
    Kind,
    Output,
    open_output_or_fail,
    standard_input_file,
)
from clientchain.loading.spreadsheet import (
    DEFAULT,
    Dialect,
    check_delimiter,
    check_encoding,
    is_utf8,
)
from clientchain.loading.stdin import STDIN
from clientchain.model.problems import InputError, Problem
from clientchain.model.visible import LINE_LIMIT, visible, visible_line, visible_message
from clientchain.render.words import count

# Loading pulls in numpy and yaml: imported where a command loads, so that `--help`,
# `--version` and shell completion start fast (tests/test_cli_conventions.py holds it).
if TYPE_CHECKING:
    from clientchain.importing.ledger_source import Table
    from clientchain.model.org import Org

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
# `-h` as well as `--help`, for every command (subcommands inherit it from the app);
# `--help` first: usage errors say "Try 'clientchain analyze --help'".
HELP_OPTIONS: dict[str, Any] = {"help_option_names": ["--help", "-h"]}

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "HELP_OPTIONS",
    "DecayOpt",
    "DecimalCommaOpt",
    "DelimiterOpt",
    "EncodingOpt",
    "FlowsOpt",
    "ForceOpt",
    "OrgArg",
    "QuietOpt",
    "TopClientsOpt",
    "VerboseOpt",
    "check_columns_need_file",
    "check_decay",
    "column_option",
    "count",  # from render.words: commands count in words too
    "dialect_of",
    "exit_zero_option",
    "fail",
    "fail_input",
    "fail_on_option",
    "force_option",
    "format_option",
    "load_or_fail",
    "org_sizes",
    "output_option",
    "output_target",
    "print_rich",
    "read_files",
    "say",
    "say_written",
    "stdin_once",
    "stdin_once_for",
    "tables_or_fail",
]


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
    flows file the org chart names), or every problem on stderr and exit 2. `-` (the
    org chart or one flows file) is standard input, read once."""
    from clientchain.loading.input_file import forget_pipes
    from clientchain.loading.loader import load

    stdin_once_for([org], flows)
    try:
        return load(org, flows or [], dialect, own_flows=own_flows)
    except InputError as exc:
        fail_input(exc)
    finally:
        forget_pipes()  # one load: what a pipe gave is in the Org now


def fail_input(exc: InputError) -> NoReturn:
    summary = f"clientchain: {count(len(exc.problems), 'problem')} in the input"
    _fail_with([*(str(p) for p in exc.problems), summary])  # str(p) is shown text already


def check_decay(value: float) -> float:
    if not 0.0 < value < 1.0:
        raise typer.BadParameter(f"must be between 0 and 1 (exclusive), got {value:g}")
    return value


OrgArg = Annotated[
    Path,
    typer.Argument(metavar="ORG", help="The org chart (YAML; '-' for stdin).", show_default=False),
]
FlowsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--flows",
        help="A money-flow file (CSV or YAML; '-': CSV on stdin); repeat for more.",
        show_default=False,
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "-q",
        "--quiet",
        help="Print only the closing verdict line of the table (the other formats are"
        " unchanged); nothing on stderr but problems.",
    ),
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "-v",
        "--verbose",
        help="Say more on stderr: the configuration file and the settings taken from it,"
        " the files read and their sizes, the seconds per phase.",
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
    """`--format` (also `--output-format`, ruff's name): the command's own enum of
    formats (default: table), in any case (`--format JSON`)."""
    return _option(typer.Option("--format", "--output-format", help=help, case_sensitive=False))


def fail_on_option(help: str) -> OptionInfo:
    """`--fail-on FailOn | None = None`: None leaves it to the policy (then error); in
    any case (`--fail-on WARNING`), as formats are."""
    return _option(typer.Option("--fail-on", help=help, show_default=False, case_sensitive=False))


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
    # metadata=False: no command reads the flows' other columns (see Dialect).
    return Dialect(delimiter, encoding, decimal_comma, metadata=False)


# The commands that turn CSV files into one new file (import people|flows, model ...).


def column_option(flag: str, help: str) -> OptionInfo:
    """`--flag COL` (`str | None = None`): a column of a CSV input, by header or number."""
    return _option(typer.Option(flag, metavar="COL", help=help, show_default=False))


def check_columns_need_file(file_option: str, file: object, columns: Mapping[str, object]) -> None:
    """Exit 2 when an option naming a column of `file_option`'s file (`columns`: option ->
    value, None when not given) is given without that file."""
    given = [option for option, value in columns.items() if value is not None]
    if given and file is None:
        fail(
            [
                f"clientchain: {given[0]} names a column of the {file_option} file:"
                f" pass {file_option} FILE"
            ]
        )


def stdin_once(inputs: Mapping[str, str | None]) -> None:
    """Exit 2 when more than one input is standard input ('-'); `inputs`: how each is
    named ("the ledger", "the --join file") -> its path."""
    named = [name for name, path in inputs.items() if path == STDIN]
    if len(named) > 1:
        fail([f"clientchain: standard input can be read once: name {' or '.join(named)}"])


def stdin_once_for(orgs: Iterable[str | os.PathLike[str] | None], flows: list[Path] | None) -> None:
    """`stdin_once` for a command's org charts and --flows files (`-` named twice,
    e.g. `analyze - --flows -`, is a usage error, exit 2)."""
    shown = [os.fspath(org) for org in orgs if org is not None]
    inputs: dict[str, str | None] = {}
    for i, org in enumerate(shown):
        inputs["the org chart" if len(shown) == 1 else f"org chart {i + 1}"] = org
    for i, path in enumerate(flows or []):
        inputs[f"--flows file {i + 1}" if len(flows or []) > 1 else "the --flows file"] = os.fspath(
            path
        )
    stdin_once(inputs)


def output_target(
    output: str | None, kind: Kind, force: bool, inputs: Iterable[str | Path | None]
) -> Output:
    """Where `-o` writes (none: stdout), checked (exit 2 if refused). `inputs` are the
    run's input files, never written (None is no file; '-', standard input, the file it
    is redirected from, if any)."""
    stdin = standard_input_file()
    named = [Path(p) if str(p) != STDIN else stdin for p in inputs if p is not None]
    paths = [path for path in named if path is not None]
    return open_output_or_fail(
        STDOUT if output is None else output, option="-o", kind=kind, force=force, inputs=paths
    )


def tables_or_fail(
    dialect: Dialect, path: str, other: str | None = None
) -> tuple[Table, Table | None]:
    """The CSV file at `path` and the `other` one, if any (`-`: standard input), read in
    `dialect`; or every problem of both on stderr and exit 2."""
    from clientchain.importing.ledger_source import read_table

    problems: list[Problem] = []
    tables: list[Table | None] = []
    for each in (path, other):
        try:
            tables.append(None if each is None else read_table(each, dialect))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        fail_input(InputError(problems))
    first, second = tables
    assert first is not None  # read, or the command has exited
    return first, second


def org_sizes(loaded: Org) -> str:
    """How big an org is, for the user: '9 roles, 3 clients, 11 flows'."""
    sizes = (
        (loaded.role_count, "role"),
        (loaded.client_count, "client"),
        (loaded.flow_count, "flow"),
    )
    return ", ".join(count(n, noun) for n, noun in sizes)


def read_files(loaded: Org) -> str:
    """The files an org was read from, each once (inline flows are the org chart's)."""
    return ", ".join(visible(f) for f in dict.fromkeys((loaded.source, *loaded.flow_files)))


def say(line: str) -> None:
    """A line for the user on stderr, `clientchain: LINE` (the user text it quotes made
    visible, long words cut)."""
    sys.stderr.write(f"clientchain: {visible_message(line)}\n")


def say_written(target: Output, what: str) -> None:
    """`clientchain: wrote WHAT to PATH` on stderr, unless the output is stdout."""
    if not target.is_stdout:
        sys.stderr.write(f"clientchain: wrote {what} to {visible(target.shown)}\n")
