"""Benchmark: `clientchain analyze ORG --format json > /dev/null`, end to end, in a separate
process, for 10k, 100k and 1M synthetic roles and a 100,000-level reporting chain, beside a
deliberately naive baseline (naive.py) run in the same session.

    python bench/run.py                       # everything (a few minutes; 1M needs ~2 GB)
    python bench/run.py --sizes 10000 --chain 0 --no-naive   # a quick look

Prints, per input: wall time (the median of --repeat runs after one untimed warm-up
run, which also brings the files into the page cache; 1M: one run after the warm-up),
peak RSS, the time per phase
as clientchain reports it (--timings), and whether each target of issue 5 is met.
Inputs are generated once into --out (bench/out by default, not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIB = 1024**3

# size -> seconds allowed, end to end (issue 5)
TIME_TARGETS = {10_000: 0.5, 100_000: 2.0, 1_000_000: 15.0}
MEMORY_TARGET = {1_000_000: 2 * GIB}
GROWTH_TARGET = 11.0  # time(1M) / time(100k)
SPEEDUP_TARGET = 10.0  # naive / clientchain at 100k


@dataclass
class Measure:
    label: str
    seconds: float
    peak_bytes: int
    phases: dict[str, float] = field(default_factory=dict)
    note: str = ""


def run_once(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in bytes and stderr of one run, stdout thrown away."""
    with Path(os.devnull).open("wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: the org has error findings, which is fine
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}):\n{err.decode()}")
    return seconds, usage.ru_maxrss * 1024, err.decode("utf-8", "replace")


def measure(label: str, command: list[str], repeat: int, warm_up: bool = True) -> Measure:
    if warm_up:
        run_once(command)
    runs = [run_once(command) for _ in range(repeat)]
    runs.sort(key=lambda run: run[0])
    seconds, peak, err = runs[len(runs) // 2]
    phases = {
        name: float(secs)
        for name, secs in re.findall(r"(\w+) ([0-9.]+) s", _timings_line(err))
        if name != "total"
    }
    found = re.search(r"org alienation ([0-9.]+)", err)
    return Measure(label, seconds, peak, phases, found.group(1) if found else "")


def _timings_line(err: str) -> str:
    return next((line for line in err.splitlines() if line.startswith("clientchain: timings")), "")


def ensure_input(out: Path, roles: int, chain: bool) -> Path:
    folder = out / (f"chain-{roles}" if chain else str(roles))
    if not (folder / "org.yaml").exists():
        command = [sys.executable, str(HERE / "generate.py"), str(roles), str(folder)]
        subprocess.run([*command, *(["--chain"] if chain else [])], check=True)
    return folder / "org.yaml"


def clientchain(org: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "clientchain",
        "analyze",
        str(org),
        "--format",
        "json",
        "--timings",
    ]


def org_alienation(org: Path) -> float:
    """clientchain's figure, read from its JSON (to check the baseline computes the same)."""
    command = [sys.executable, "-m", "clientchain", "analyze", str(org), "--format", "json"]
    out = subprocess.run(command, capture_output=True, check=False).stdout
    return float(json.loads(out)["summary"]["org_alienation"])


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="role counts, comma-separated"
    )
    parser.add_argument("--chain", type=int, default=100_000, help="chain depth (0: skip)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per input below 1M")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    # Every input first, so that writing a big one never disturbs the timing of another.
    for size in sizes:
        ensure_input(args.out, size, chain=False)
    if args.chain:
        ensure_input(args.out, args.chain, chain=True)
    results: dict[int, Measure] = {}
    rows: list[tuple[Measure, str]] = []
    for size in sizes:
        org = ensure_input(args.out, size, chain=False)
        result = measure(f"{size:,} roles", clientchain(org), args.repeat if size < 10**6 else 1)
        results[size] = result
        checks = []
        if size in TIME_TARGETS:
            limit = TIME_TARGETS[size]
            checks.append(f"<= {limit:g} s {verdict(result.seconds <= limit)}")
        if size in MEMORY_TARGET:
            checks.append(f"<= 2 GB {verdict(result.peak_bytes <= MEMORY_TARGET[size])}")
        rows.append((result, ", ".join(checks)))
    if args.chain:
        org = ensure_input(args.out, args.chain, chain=True)
        rows.append((measure(f"{args.chain:,}-level chain", clientchain(org), args.repeat), ""))
    naive: dict[int, Measure] = {}
    if not args.no_naive:
        for size in [s for s in sizes if s <= 100_000]:
            org = ensure_input(args.out, size, chain=False)
            command = [sys.executable, str(HERE / "naive.py"), str(org)]
            naive[size] = measure(f"naive {size:,} roles", command, 1, warm_up=False)
            rows.append((naive[size], ""))

    header = f"{'input':<24}{'wall':>9}{'peak RSS':>11}  {'parse':>6} {'build':>6}"
    header += f" {'analyse':>7} {'render':>6}  targets"
    print(header)
    print("-" * len(header))
    for result, checks in rows:
        phases = " ".join(
            f"{result.phases[name]:>{width}.2f}" if name in result.phases else " " * width
            for name, width in (("parse", 6), ("build", 6), ("analyse", 7), ("render", 6))
        )
        print(
            f"{result.label:<24}{result.seconds:>8.2f}s{result.peak_bytes / 2**20:>8.0f} MB"
            f"  {phases}  {checks}"
        )
    summary = []
    if 100_000 in results and 1_000_000 in results:
        growth = results[1_000_000].seconds / results[100_000].seconds
        summary.append(
            f"time(1M) / time(100k) = {growth:.1f} (<= {GROWTH_TARGET:g}: "
            f"{verdict(growth <= GROWTH_TARGET)})"
        )
    if 100_000 in results and 100_000 in naive:
        speedup = naive[100_000].seconds / results[100_000].seconds
        summary.append(
            f"naive / clientchain at 100k = {speedup:.0f}x (>= {SPEEDUP_TARGET:g}x: "
            f"{verdict(speedup >= SPEEDUP_TARGET)})"
        )
    for size, baseline in naive.items():
        ours = org_alienation(ensure_input(args.out, size, chain=False))
        same = bool(baseline.note) and abs(float(baseline.note) - ours) < 1e-9
        summary.append(
            f"org alienation at {size:,}: naive {baseline.note}, clientchain {ours:.12f}"
            f" ({'the same' if same else 'DIFFERENT: MISSED'})"
        )
    for line in summary:
        print(line)
    missed = sum("MISSED" in checks for _, checks in rows) + sum("MISSED" in s for s in summary)
    print("all targets met" if not missed else f"{missed} target(s) missed")


if __name__ == "__main__":
    main()
