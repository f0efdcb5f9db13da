"""The command's entry point, for `python -m clientchain` and the installed script.

The cycle collector goes off before the first import of the command line: importing
typer and numpy makes enough objects to set off full collections that find nothing
(~5 ms of a small run). `cli.app.main` keeps it off for the rest of the run.
"""

from __future__ import annotations

import gc
from typing import NoReturn


def main() -> NoReturn:
    """Run the command line with no cycle collection from its first import on, and the
    heap set for arrays of megabytes (`tune_heap`)."""
    gc.disable()
    from clientchain.model.heap import tune_heap

    tune_heap()
    from clientchain.cli.app import main as run_command_line

    run_command_line()
