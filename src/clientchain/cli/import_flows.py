"""`clientchain import flows` (being built)."""

from __future__ import annotations

import typer


def import_flows_command() -> None:
    """Not built yet."""
    raise typer.Exit(2)
