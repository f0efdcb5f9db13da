"""`clientchain diff`: what a reorganisation changes (placeholder until the command lands)."""

from __future__ import annotations

import typer


def diff_command() -> None:
    """Compare two versions of an org chart (not implemented yet)."""
    raise typer.Exit(2)
