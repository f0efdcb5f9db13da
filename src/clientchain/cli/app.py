"""The command line's entry point: the typer app, its commands, and the exit code.

Each command lives in its own module (`cli/<command>.py`) and does its own parsing,
printing and exit status; here they are registered, and `run()` turns whatever a
command raises into the exit code (a bug into 3, an unwritable output into 2).
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from typing import Annotated, NoReturn

import typer

from clientchain.cli.analyze import analyze_command
from clientchain.cli.chain import chain_command
from clientchain.cli.diff import diff_command
from clientchain.cli.explain import explain_command
from clientchain.cli.export import export_command
from clientchain.cli.importing import import_app
from clientchain.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    HELP_OPTIONS,
)
from clientchain.cli.recipes import model_app
from clientchain.cli.report import report_command
from clientchain.cli.schema import schema_command
from clientchain.cli.validate import validate_command
from clientchain.model.visible import visible_message
from clientchain.version import __version__

app = typer.Typer(
    name="clientchain",
    help="Trace who is whose client in an org chart (a client is whoever brings you money), "
    "flag bosses who act as their subordinates' clients, and score how far each role "
    "stands from the paying clients.",
    no_args_is_help=True,
    # --install-completion / --show-completion: typer's, for bash, zsh, fish and
    # PowerShell; the shell is detected only when one of them is asked for.
    add_completion=True,
    context_settings=HELP_OPTIONS,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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


# In this order in `clientchain --help`.
app.command("analyze")(analyze_command)
app.command("chain")(chain_command)
app.command("validate")(validate_command)
app.command("diff")(diff_command)
app.command("schema")(schema_command)
app.command("export")(export_command)
app.command("report")(report_command)
app.command("explain")(explain_command)
app.add_typer(import_app, name="import")
app.add_typer(model_app, name="model")


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
