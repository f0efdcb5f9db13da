"""The report's defaults, in a module that imports nothing: `report --help` shows them
without loading the analyses."""

from __future__ import annotations

DEFAULT_MAX_ROLES = 10_000  # roles embedded at most; a bigger organisation shows its top
