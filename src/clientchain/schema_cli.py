"""`clientchain schema`: JSON Schemas of the org chart and the output (placeholder)."""

from __future__ import annotations

import typer


def schema_command() -> None:
    """Print a JSON Schema (not implemented yet)."""
    raise typer.Exit(2)
