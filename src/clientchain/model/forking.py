"""Whether this process may fork a helper (the diff's second side, the JSON render's
and the client sweeps' second core), and how many cores it may use."""

from __future__ import annotations

import os
import sys


def can_fork() -> bool:
    """Fork is there and safe (macOS' system libraries are not fork-safe; Windows has
    no fork)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def usable_cores() -> int:
    """The cores this process may run on (a container's limit, not the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
