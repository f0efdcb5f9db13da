"""Benchmark: `clientchain analyze ORG --format json > /dev/null`, end to end, in a separate
process, for 10k, 100k and 1M synthetic roles and a 100,000-level reporting chain, beside a
deliberately naive baseline (naive.py) run in the same session.

    python bench/run.py                       # everything (a few minutes; 1M needs ~2 GB)
    python bench/run.py --sizes 10000 --chain 0 --no-naive   # a quick look

Prints, per input: wall time (the median of --repeat runs after one untimed warm-up
run, which also brings the files into the page cache; 1M: one run after the warm-up),
peak RSS, the time per phase
as clientchain reports it (--timings), and whether each target of issue 5 is met.

Then the cost of issue 16's analyses (skip with --no-matrix): each size again as a
"matrix" org (the same org and flows plus dotted lines, `serves` and client owners:
generate.py --matrix), its analysis phase beside the plain org's, and the new pieces
timed in-process on the largest matrix org (each the best of 3): client reach and
results, structure (spans, layers, bands), relations, served shares, the dotted part
of the inversions and the new findings. Their sum is compared with the in-process
analysis without them (`analyze()` minus the pieces it runs itself; the others run
when the output asks for them); issue 16's target: at most 15% more at 1M roles.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIB = 1024**3

# size -> seconds allowed, end to end (issue 5)
TIME_TARGETS = {10_000: 0.5, 100_000: 2.0, 1_000_000: 15.0}
MEMORY_TARGET = {1_000_000: 2 * GIB}
GROWTH_TARGET = 11.0  # time(1M) / time(100k)
SPEEDUP_TARGET = 10.0  # naive / clientchain at 100k
NEW_ANALYSES_TARGET = 15.0  # percent the new analyses add to the analysis at 1M (issue 16)


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


def ensure_input(out: Path, roles: int, chain: bool, matrix: bool = False) -> Path:
    folder = out / (f"chain-{roles}" if chain else f"{roles}-matrix" if matrix else str(roles))
    if not (folder / "org.yaml").exists():
        command = [sys.executable, str(HERE / "generate.py"), str(roles), str(folder)]
        flag = ["--chain"] if chain else ["--matrix"] if matrix else []
        subprocess.run([*command, *flag], check=True)
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


def best_of(times: int, work: Callable[[], object]) -> float:
    """The shortest of `times` runs of `work`, in seconds."""
    seconds = []
    for _ in range(times):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return min(seconds)


# The new pieces, as printed; INSIDE: those that `analyze()` runs itself (the others run
# when an output asks: the JSON, the table and the report all do).
PIECES = {
    "reach": "client reach (client_reach)",
    "results": "client results (client_results, client_money_owned)",
    "structure": "structure (spans, layers, span bands)",
    "relations": "relations (relation per client link, money_by_relation)",
    "served": "served shares (ServedClients, served_roles_share)",
    "dotted": "dotted-line inversions (find_inversions, extra)",
    "cc105": "finding CC105 paid-by-others",
    "cc106": "finding CC106 fragmented-client",
    "cc107": "finding CC107 owner-out-of-reach",
}
INSIDE = ("reach", "served", "dotted", "cc105", "cc106", "cc107")


def time_pieces(org_path: Path) -> dict[str, float]:
    """Seconds of `analyze()` and of each new piece on one org, in this process."""
    import dataclasses

    import numpy as np

    from clientchain.analyses.analyze import analyze
    from clientchain.analyses.clients import client_money_owned, client_reach, client_results
    from clientchain.analyses.inversions import find_inversions
    from clientchain.analyses.provenance import client_blocks
    from clientchain.analyses.rules import (
        cc105_paid_by_others,
        cc106_fragmented_client,
        cc107_owner_out_of_reach,
    )
    from clientchain.analyses.rules.facts import OrgFacts
    from clientchain.analyses.served import ServedClients, served_roles_share
    from clientchain.analyses.structure import span_bands, spans
    from clientchain.graph.sweep import plan_sweeps
    from clientchain.loading.loader import load
    from clientchain.model.rounding import decimals_needed

    org = load(org_path)
    total = best_of(1, lambda: analyze(org))  # a warm-up (imports, page cache) ...
    total = best_of(2, lambda: analyze(org))  # ... then the best of two
    result = analyze(org)
    graph, forest = result.graph, result.forest
    reach = client_reach(org, graph, forest)
    seconds = {"analyze": total}
    seconds["reach"] = best_of(3, lambda: client_reach(org, graph, forest))
    seconds["results"] = best_of(
        3, lambda: (client_results(org, reach), client_money_owned(org, reach))
    )

    def structure() -> object:
        span = spans(org.parent)
        return span_bands(span), forest.depth + 1

    seconds["structure"] = best_of(3, structure)
    # A fresh copy has no cached relations: this times them and their sums per relation.
    seconds["relations"] = best_of(3, lambda: dataclasses.replace(result)._money_by_relation())

    # Served shares: their sums ride on the provenance sweeps, so the blocks are swept
    # here once more, and only what ServedClients does with them is timed.
    plan = plan_sweeps(graph)
    start = time.perf_counter()
    served = ServedClients(org.serves, graph, rows=plan.position)
    served_seconds = time.perf_counter() - start
    for first, block in client_blocks(graph, plan):
        solved = plan.solve(block, [1.0] * block.shape[1], in_place=True)
        start = time.perf_counter()
        if served.wanted:
            served.add(first, solved)
        served_seconds += time.perf_counter() - start
        del solved, block
    served_seconds += best_of(1, served.result)
    seconds["served"] = served_seconds + best_of(3, lambda: served_roles_share(org.serves, graph))

    def inversions(dotted: bool) -> float:
        decimals, heads = org.amount_decimals, decimals_needed(org.headcount)
        lines = org.dotted if dotted else None
        return best_of(
            3, lambda: find_inversions(graph, forest, org.headcount, decimals, heads, lines)
        )

    seconds["dotted"] = max(0.0, inversions(True) - inversions(False))
    facts = OrgFacts(
        org,
        graph,
        result.inversions_raw,
        np.asarray(result.traced_raw <= 0),
        result.served_share_raw,
        result.served_roles_share_raw,
        result.clients_raw,
    )
    for key, rule in (
        ("cc105", cc105_paid_by_others),
        ("cc106", cc106_fragmented_client),
        ("cc107", cc107_owner_out_of_reach),
    ):
        seconds[key] = best_of(3, lambda find=rule.find: find(facts))
        seconds[f"{key} findings"] = len(rule.find(facts))
    return seconds


def pieces_in_child(org: Path) -> dict[str, float]:
    """time_pieces in a process of its own (its memory and caches do not linger here)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--pieces", str(org)]
    done = subprocess.run(command, capture_output=True, check=True, text=True)
    seconds: dict[str, float] = json.loads(done.stdout)
    return seconds


def new_analyses_block(
    plain: dict[int, Measure], matrix: dict[int, Measure], largest: int, pieces: dict[str, float]
) -> list[str]:
    """Issue 16's block: the analysis phase plain vs matrix, and the new pieces."""
    lines = ["", "new analyses (issue 16)", "analyse phase (--timings), plain org vs matrix org:"]
    for size, measured in plain.items():
        before, after = measured.phases.get("analyse"), matrix[size].phases.get("analyse")
        if before and after:
            lines.append(
                f"  {size:>9,} roles  {before:6.2f} s  {after:6.2f} s"
                f"  {100 * (after - before) / before:+6.1f}%"
            )
    lines.append(f"in-process, {largest:,}-role matrix org (best of 3 each):")
    lines.append(f"  {'analyze(), everything it runs':<58}{pieces['analyze']:7.3f} s")
    for key, label in PIECES.items():
        where = "" if key in INSIDE else "  (when output)"
        if f"{key} findings" in pieces:
            where = f"  ({int(pieces[f'{key} findings']):,} findings)"
        lines.append(f"  {label:<58}{pieces[key]:7.3f} s{where}")
    added = sum(pieces[key] for key in PIECES)
    without = pieces["analyze"] - sum(pieces[key] for key in INSIDE)
    share = 100 * added / without if without > 0 else float("inf")
    line = (
        f"  all new pieces {added:.3f} s = {share:.1f}% of the analysis without them"
        f" ({without:.3f} s)"
    )
    if largest == 10**6:
        line += f": <= {NEW_ANALYSES_TARGET:g}% {verdict(share <= NEW_ANALYSES_TARGET)}"
    else:
        line += f" (the {NEW_ANALYSES_TARGET:g}% target is for 1,000,000 roles)"
    lines.append(line)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="role counts, comma-separated"
    )
    parser.add_argument("--chain", type=int, default=100_000, help="chain depth (0: skip)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per input below 1M")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument(
        "--no-matrix", action="store_true", help="skip the matrix orgs (issue 16's cost)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--pieces", type=Path, help=argparse.SUPPRESS)  # run.py's own child
    args = parser.parse_args()
    if args.pieces:
        print(json.dumps(time_pieces(args.pieces)))
        return
    sizes = [int(size) for size in args.sizes.split(",") if size]

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    # Every input first, so that writing a big one never disturbs the timing of another.
    for size in sizes:
        ensure_input(args.out, size, chain=False)
        if not args.no_matrix:
            ensure_input(args.out, size, chain=False, matrix=True)
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
    matrix: dict[int, Measure] = {}
    for size in [] if args.no_matrix else sizes:
        org = ensure_input(args.out, size, chain=False, matrix=True)
        command = clientchain(org)
        matrix[size] = measure(f"{size:,} matrix", command, args.repeat if size < 10**6 else 1)
        rows.append((matrix[size], ""))
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
    if matrix:
        largest = max(sizes)
        pieces = pieces_in_child(ensure_input(args.out, largest, chain=False, matrix=True))
        summary += new_analyses_block(results, matrix, largest, pieces)
    for line in summary:
        print(line)
    missed = sum("MISSED" in checks for _, checks in rows) + sum("MISSED" in s for s in summary)
    print("all targets met" if not missed else f"{missed} target(s) missed")


if __name__ == "__main__":
    main()
