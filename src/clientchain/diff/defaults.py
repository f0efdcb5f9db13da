"""The comparison's default, in a module that imports nothing: `diff --help` shows it
without loading the analyses."""

from __future__ import annotations

DEFAULT_TOP = 10  # roles listed whose alienation changed most
