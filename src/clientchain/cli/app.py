"""The command line's entry point: the typer app, its commands, and the exit code.

Each command lives in its own module (`cli/<command>.py`) and does its own parsing,
printing and exit status; here they are registered, and `run()` turns whatever a
command raises into the exit code (a bug into 3, an unwritable output into 2).
"""

# No `from __future__ import annotations`: typer reads _main's annotations on every run,
# and as strings it would compile and evaluate them again (~0.4 ms).

import errno
import gc
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from clientchain.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    HELP_OPTIONS,
)
from clientchain.model.visible import LINE_LIMIT, visible_line, visible_message
from clientchain.version import __version__

# The commands, in their `clientchain --help` order: name -> (module, the command
# function, or for `import` and `model` the typer app of their subcommands). A
# command's module is imported only when the app is built with it: a run of one
# command neither imports nor converts (typer's work per option) the others.
_COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("clientchain.cli.analyze", "analyze_command"),
    "chain": ("clientchain.cli.chain", "chain_command"),
    "validate": ("clientchain.cli.validate", "validate_command"),
    "diff": ("clientchain.cli.diff", "diff_command"),
    "schema": ("clientchain.cli.schema", "schema_command"),
    "export": ("clientchain.cli.export", "export_command"),
    "report": ("clientchain.cli.report", "report_command"),
    "explain": ("clientchain.cli.explain", "explain_command"),
    "import": ("clientchain.cli.importing", "import_app"),
    "model": ("clientchain.cli.recipes", "model_app"),
}
# click's exceptions, wherever this typer keeps click (its own copy since typer 0.28).
_click_errors = importlib.import_module(typer.BadParameter.__module__)
# Options of the app itself that may come before the command (flags: no value).
_APP_FLAGS = frozenset({"--debug"})


def build_app(only: str | None = None) -> typer.Typer:
    """The command line as a typer app: every command, or only the command `only` (none: "")."""
    app = typer.Typer(
        name="clientchain",
        help="Trace who is whose client in an org chart (a client is whoever brings you"
        " money), flag bosses who act as their subordinates' clients, and score how far"
        " each role stands from the paying clients.",
        no_args_is_help=True,
        # --install-completion / --show-completion: typer's, for bash, zsh, fish and
        # PowerShell; the shell is detected only when one of them is asked for.
        add_completion=True,
        context_settings=HELP_OPTIONS,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        cls=_InertUsageErrors,
    )
    app.callback()(_main)
    for name, (module, attribute) in _COMMANDS.items():
        if only is None or name == only:
            command = getattr(importlib.import_module(module), attribute)
            if isinstance(command, typer.Typer):
                app.add_typer(command, name=name)
            else:
                app.command(name)(command)
    return app


class _InertUsageErrors(TyperGroup):
    """The app's group: a usage error quotes what was typed (an unknown option, a role
    id that starts with a dash, a path) as inert text, as every message of ours does."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Any = None,
        **extra: Any,
    ) -> Any:
        with _inert_usage_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        # Every command and subcommand parses its arguments within this call.
        with _inert_usage_errors():
            return super().invoke(ctx)


@contextmanager
def _inert_usage_errors() -> Iterator[None]:
    try:
        yield
    except (_click_errors.NoArgsIsHelpError, _click_errors.MissingParameter):
        raise  # ours alone (the help; a parameter's name and choices), laid out in lines
    except _click_errors.ClickException as error:
        # click writes the message as it is: control codes and bidi marks included.
        message = visible_line(error.format_message(), LINE_LIMIT)
        if isinstance(error, _click_errors.UsageError):
            shown = _click_errors.UsageError(message, error.ctx)
        else:  # a file click could not open
            shown = _click_errors.ClickException(message)
        shown.exit_code = error.exit_code
        raise shown from None


def app_for(args: Sequence[str]) -> typer.Typer:
    """The app that runs these arguments: with only their command when they name one
    (after the app's own flags), else with all (`--help`, a mistyped command, completion)."""
    for arg in args:
        if arg == "--version":  # answered before any command is looked at
            return build_app("")
        if arg not in _APP_FLAGS:
            return build_app(arg if arg in _COMMANDS else None)
    return build_app()


def __getattr__(name: str) -> typer.Typer:
    # `app`, the whole command line (tests, the documentation tools), built on first use.
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    app = build_app()
    globals()["app"] = app
    return app


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"clientchain {__version__}\n")
        raise typer.Exit(EXIT_OK)


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


def main() -> NoReturn:
    """Console entry point: run, write everything out, leave without a teardown."""
    # One short run that keeps what it builds until it exits: no cycle collection, and
    # no interpreter teardown freeing a million-role analysis object by object.
    gc.disable()
    _one_blas_thread()
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = EXIT_OK  # the reader left early (`| head`): not an error of ours
    except OSError as exc:
        code = _cannot_write(exc)
    sys.stderr.flush()
    os._exit(code)


def _one_blas_thread() -> None:
    """OpenBLAS at one thread for this run, unless the user chose a count."""
    # OpenBLAS starts a worker per core when numpy (and scipy, with its own copy) loads,
    # and the workers spin on the CPU for a while after that and after every call: at
    # 10k roles a fifth to a third of the run's CPU, for nothing (our BLAS calls are small, and the
    # sweep runs them on one thread anyway: graph.blas_threads). The count is read when
    # the library loads, so it is set here, before anything imports numpy.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


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
        app_for(sys.argv[1:])()
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
