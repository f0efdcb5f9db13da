"""Run clientchain's CLI with its `--timings` phases counted in CPU seconds, not wall seconds.

    python bench/cpu_phases.py analyze ORG --format json --timings

The same as `python -m clientchain ...` (the module is run as __main__, as -m does), except
that the phase clock (clientchain.model.phases) reads `time.process_time` (CPU seconds
of the process, all threads, and of the children it has waited for) in place of
`time.perf_counter`: on a shared machine the wall clock per phase says more about the
neighbours than about the code. run.py times
every run through this file (its wall clock and rusage come from outside).
"""

from __future__ import annotations

import os
import runpy
import sys
import time
import types

from clientchain.model import phases


def cpu_seconds() -> float:
    """This process' CPU seconds, plus those of its children once they have ended: the
    render's second process (render/analysis/in_turns.py) is counted in the render."""
    ended = os.times()
    return time.process_time() + ended.children_user + ended.children_system


# The phase clock only: everything else in the process keeps the real time module.
phases.time = types.SimpleNamespace(perf_counter=cpu_seconds)  # type: ignore[assignment]
if hasattr(phases, "perf_counter"):  # should the module import the function itself
    phases.perf_counter = cpu_seconds  # type: ignore[attr-defined]
sys.argv = ["clientchain", *sys.argv[1:]]
runpy.run_module("clientchain", run_name="__main__", alter_sys=True)
