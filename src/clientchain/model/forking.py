"""Whether this process may fork a helper: the diff's second side, the JSON render's
second core."""

from __future__ import annotations

import os
import sys


def can_fork() -> bool:
    """Fork is there and safe (macOS' system libraries are not fork-safe; Windows has
    no fork)."""
    return hasattr(os, "fork") and sys.platform != "darwin"
