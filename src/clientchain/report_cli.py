"""`clientchain report`: a self-contained HTML report (placeholder)."""

from __future__ import annotations

import typer


def report_command() -> None:
    """Write an HTML report (not implemented yet)."""
    raise typer.Exit(2)
