"""The peak memory of a command and every process it forks, summed (Linux).

`ru_maxrss` is the peak of the largest single process: a helper forked beside the
main process (the sweeps' child, the inversions' child, the render's) is not in it.
Here the proportional set size (PSS: each shared page split among the processes that
share it) of the whole process tree is sampled every 50 ms and summed: the memory the
run holds at once, forked children included, without counting a page they share twice.
Sampling reads /proc, which costs a little CPU: this run is not a timed one.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

PROC = Path("/proc")
INTERVAL = 0.05  # seconds between samples


def available() -> bool:
    return (PROC / "self" / "smaps_rollup").exists()


def tree_peak(command: list[str]) -> int:
    """The largest summed PSS of `command`'s process tree over its run, in bytes (its
    output thrown away)."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_pss(pid) for pid in _tree(proc.pid)))
        time.sleep(INTERVAL)
    return peak


def _tree(root: int) -> list[int]:
    """`root` and its descendants (by each process' parent in /proc/PID/stat)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _pss(pid: int) -> int:
    try:
        with (PROC / str(pid) / "smaps_rollup").open() as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # gone meanwhile
        pass
    return 0
