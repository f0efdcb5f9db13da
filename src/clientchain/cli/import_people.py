"""`clientchain import people` (being built)."""

from __future__ import annotations

import typer


def import_people_command() -> None:
    """Not built yet."""
    raise typer.Exit(2)
