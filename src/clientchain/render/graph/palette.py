"""The colours the graph pictures share (DOT and Mermaid), so both tell the same story."""

from __future__ import annotations

BAND_FILL = {"low": "#d9f0d3", "medium": "#fff2b3", "high": "#f4c7c3"}  # alienation bands
CLIENT_FILL = "#dde7f5"
MONEY_COLOUR = "#2b5d9b"
INVERTED_COLOUR = "#d62728"  # inverted money edges, and the border of unfunded roles
REPORTING_COLOUR = "#9a9a9a"
DOTTED_COLOUR = "#7b3fa0"  # dotted (matrix) reporting lines
SERVES_COLOUR = "#2e7d4f"  # whom a role's work is for
