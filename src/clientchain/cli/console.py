"""Printing for people on a terminal: the width, the colour, nothing read as markup."""

from __future__ import annotations

import os
import shutil
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import RenderableType

# The width when stdout is no terminal and nothing says one (no COLUMNS, no terminal on
# stderr): a saved report or a CI log, read in an editor or a browser, not at 80 columns.
PIPE_WIDTH = 140


def output_width(stdout: TextIO | None = None, stderr: TextIO | None = None) -> int | None:
    """The width to print at: None on a terminal (rich asks it, COLUMNS first); piped,
    COLUMNS, else the terminal on stderr (the user's window), else PIPE_WIDTH."""
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    if _is_terminal(out):
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    if _is_terminal(err):
        try:
            return os.get_terminal_size(err.fileno()).columns or PIPE_WIDTH
        except (OSError, ValueError):
            pass
    return PIPE_WIDTH


def terminal_rows() -> int | None:
    """The height of the terminal on stdout (None when piped): how many rows fit a screen."""
    if not _is_terminal(sys.stdout):
        return None
    return shutil.get_terminal_size().lines


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def print_rich(renderable: RenderableType) -> None:
    """Print for people on stdout (rich is imported only by the commands that print so)."""
    from rich.console import Console

    # Colour only on a terminal (rich also honours NO_COLOR / FORCE_COLOR). The renderers
    # build `Text` from user text (made visible and cut by model.visible); no string is
    # read as markup or :emoji: codes, whatever slips through.
    console = Console(
        file=sys.stdout,
        width=output_width(),
        highlight=False,
        soft_wrap=False,
        markup=False,
        emoji=False,
    )
    console.print(renderable)
