"""Benchmark: `clientchain import people` of a realistic HR export, end to end, in a
separate process (issue 15: 1,000,000 rows in under 15 s), then `validate` of the result.

    python bench/import_people.py                     # 1,000,000 rows (and 100,000 for growth)
    python bench/import_people.py --sizes 100000      # a quick look

The export looks like one from an HR system: a UTF-8 BOM, Employee ID (`E0000123`),
First Name, Last Name, Job Title, Department, Manager ID, Cost Center, FTE (mostly
empty or 1, some 0.5 and 0.8), Annual Salary (`$52,000.00`), Employment Status (1% open
positions), in breadth-first order with spans of 3-12 and a few deep chains; written
once into --out (bench/out by default, not committed). Prints wall time and peak RSS
per size, and whether the target is met.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = {1_000_000: 15.0}
GROWTH_TARGET = 11.0  # time(1M) / time(100k): near-linear

TITLES = ["Associate", "Analyst", "Specialist", "Engineer", "Advisor", "Coordinator"]
DEPARTMENTS = ["Sales", "Customer Service", "Operations", "Product", "Finance", "IT", "HR"]
FIRST = ["Ana", "Ben", "Chloé", "Dmytro", "Eve", "Farid", "Grace", "Hiro", "Ines", "Jon"]
LAST = ["Smith", "García", "Kowalski", "Nguyen", "Okafor", "Müller", "Rossi", "Tanaka"]


def tree(n: int, rng: np.random.Generator) -> np.ndarray:
    """Parent of each row (breadth first); spans 3-12, now and then a deep chain."""
    parent = np.full(n, -1, dtype=np.int64)
    nxt, boss = 1, 0
    while nxt < n:
        span = int(rng.integers(3, 13))
        parent[nxt : min(n, nxt + span)] = boss
        nxt += span
        boss += 1
        if rng.random() < 0.002 and nxt < n:
            length = min(n - nxt, int(rng.integers(10, 40)))
            parent[nxt : nxt + length] = np.r_[boss, np.arange(nxt, nxt + length - 1)]
            nxt += length
    return parent


def write_export(n: int, path: Path, seed: int = 15) -> None:
    rng = np.random.default_rng(seed)
    parent = tree(n, rng).tolist()
    title = rng.integers(0, len(TITLES), n).tolist()
    dept = rng.integers(0, len(DEPARTMENTS), n).tolist()
    first = rng.integers(0, len(FIRST), n).tolist()
    last = rng.integers(0, len(LAST), n).tolist()
    fte_draw = rng.random(n).tolist()
    salary = (rng.integers(28, 160, n) * 1000).tolist()
    open_draw = rng.random(n).tolist()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write(codecs.BOM_UTF8.decode("utf-8"))
        out = csv.writer(stream)
        out.writerow(
            [
                "Employee ID",
                "First Name",
                "Last Name",
                "Job Title",
                "Department",
                "Manager ID",
                "Cost Center",
                "FTE",
                "Annual Salary",
                "Employment Status",
            ]
        )
        for i in range(n):
            vacant = open_draw[i] < 0.01 and i > 0
            fte = "" if fte_draw[i] < 0.6 else "1" if fte_draw[i] < 0.9 else "0.5"
            out.writerow(
                [
                    f"E{i:07d}",
                    "" if vacant else FIRST[first[i]],
                    "" if vacant else LAST[last[i]],
                    f"{'Senior ' if title[i] % 2 else ''}{TITLES[title[i]]}",
                    DEPARTMENTS[dept[i]],
                    f"E{parent[i]:07d}" if parent[i] >= 0 else "",
                    f"CC{100 + dept[i] * 10 + title[i]}",
                    fte,
                    f"${salary[i]:,}.00",
                    "Open" if vacant else "Active",
                ]
            )


def run(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one run; stdout thrown away."""
    with Path(os.devnull).open("wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{err.decode('utf-8', 'replace')}")
    return seconds, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="row counts, comma-separated")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "import-people")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    exports = {}
    for size in sizes:
        exports[size] = args.out / f"hr-{size}.csv"
        if not exports[size].exists():
            write_export(size, exports[size])
    times: dict[int, float] = {}
    missed = 0
    print(f"{'rows':>10}  {'import':>8}  {'peak RSS':>9}  {'validate':>8}  target")
    for size in sizes:
        org = args.out / f"org-{size}.yaml"
        command = [sys.executable, "-m", "clientchain", "import", "people", str(exports[size])]
        command += ["-o", str(org), "--force", "--keep-names"]
        run(command)  # warm-up: the export in the page cache
        seconds, peak = run(command)
        times[size] = seconds
        checked, _ = run([sys.executable, "-m", "clientchain", "validate", str(org)])
        target = TARGET_SECONDS.get(size)
        verdict = ""
        if target is not None:
            verdict = f"<= {target:g} s {'met' if seconds <= target else 'MISSED'}"
            missed += seconds > target
        print(
            f"{size:>10,}  {seconds:>7.2f}s  {peak / 2**20:>6.0f} MB  {checked:>7.2f}s  {verdict}"
        )
    if 100_000 in times and 1_000_000 in times:
        growth = times[1_000_000] / times[100_000]
        ok = growth <= GROWTH_TARGET
        missed += not ok
        verdict = "met" if ok else "MISSED"
        print(f"time(1M) / time(100k) = {growth:.1f} (<= {GROWTH_TARGET:g}: {verdict})")
    print("all targets met" if not missed else f"{missed} target(s) missed")


if __name__ == "__main__":
    main()
