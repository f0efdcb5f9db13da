"""Printing for people on a terminal: the width, the colour, nothing read as markup."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType


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
