"""`clientchain export`: the combined graph as DOT, Mermaid, GraphML or JSON (placeholder)."""

from __future__ import annotations

import typer


def export_command() -> None:
    """Export the org chart and its money as a graph (not implemented yet)."""
    raise typer.Exit(2)
