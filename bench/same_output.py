"""Is the output byte for byte what it was before issue 18? Per input and format: same/different.

    python bench/same_output.py                 # the current code against the record
    python bench/same_output.py --only 10000,examples   # 10k of every shape, the examples
    python bench/same_output.py --only longids          # one shape (10k and 100k)
    python bench/same_output.py --record --code ../pristine/src   # write the record first

The record (bench/out/before.txt by default) has one line per input and format,
`<sha256>  <label> <format>`, where a label is `<shape>-<size>` (bench/out/<label>/org.yaml)
or `examples/<name>`; the formats are `json`, `sarif` and `table` (COLUMNS=120). Each
output is `clientchain analyze ORG --format F` on stdout, run from the repository's root
with the org's relative path (paths appear in SARIF and the table), by the code under
--code (put first on PYTHONPATH; default: whatever `python -m clientchain` imports).
With --record, the outputs of 10k inputs and of the examples are also kept in the
record's folder (before/ beside before.txt), and a differing output is then
compared with its kept copy: where the first difference is.

Exit status: 0 every output the same, 1 any different (or an input missing).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ("business", "matrix", "hub", "chargeback", "budget", "chain", "longids")
SIZES = (10_000, 100_000)
FORMATS = ("json", "sarif", "table")
RECORD = Path(__file__).resolve().parent / "out" / "before.txt"  # generated, not committed
KEEP_SIZES = ("10000",)  # outputs kept whole for diffing (100k ones are large)


def org_of(label: str) -> Path:
    """The org chart's path relative to the repository's root."""
    if label.startswith("examples/"):
        return Path(label) / "org.yaml"
    return Path("bench") / "out" / label / "org.yaml"


def run(label: str, fmt: str, code: Path | None) -> bytes:
    """stdout of `clientchain analyze` on the label's org in one format."""
    env = dict(os.environ, COLUMNS="120")
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), env.get("PYTHONPATH", "")]).strip(
            os.pathsep
        )
    command = [sys.executable, "-m", "clientchain", "analyze", str(org_of(label))]
    done = subprocess.run(
        [*command, "--format", fmt], cwd=ROOT, env=env, capture_output=True, check=False
    )
    if done.returncode not in (0, 1):
        sys.exit(f"{label} {fmt}: exit {done.returncode}\n{done.stderr.decode()}")
    return done.stdout


def kept_name(label: str, fmt: str) -> str:
    return f"{label.replace('/', '-')}.{'txt' if fmt == 'table' else fmt}"


def first_difference(mine: bytes, theirs: bytes) -> str:
    """Where two outputs first differ: line, column and both lines (clipped)."""
    at = next((k for k, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b), None)
    if at is None:
        return f"one is a prefix of the other ({len(mine):,} vs {len(theirs):,} bytes)"
    line = theirs.count(b"\n", 0, at) + 1
    start = theirs.rfind(b"\n", 0, at) + 1
    before = theirs[start : theirs.find(b"\n", at)].decode("utf-8", "replace")[:160]
    now = mine[start : mine.find(b"\n", at)].decode("utf-8", "replace")[:160]
    return f"line {line}, byte {at - start + 1}:\n      before: {before}\n      now:    {now}"


def labels_to_record() -> list[str]:
    labels = [f"{shape}-{size}" for size in SIZES for shape in SHAPES]
    labels += [f"examples/{p.name}" for p in sorted((ROOT / "examples").iterdir()) if p.is_dir()]
    return [label for label in labels if (ROOT / org_of(label)).exists()]


def record(path: Path, code: Path | None, jobs: int) -> None:
    keep = path.with_suffix("")
    keep.mkdir(parents=True, exist_ok=True)
    work = [(label, fmt) for label in labels_to_record() for fmt in FORMATS]
    with ThreadPoolExecutor(jobs) as pool:
        outputs = list(pool.map(lambda item: run(item[0], item[1], code), work))
    lines = []
    for (label, fmt), out in zip(work, outputs, strict=True):
        lines.append(f"{hashlib.sha256(out).hexdigest()}  {label} {fmt}")
        if label.startswith("examples/") or label.endswith(KEEP_SIZES):
            (keep / kept_name(label, fmt)).write_bytes(out)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{path}: {len(lines)} outputs recorded; 10k and example outputs in {keep}/")


def check(path: Path, code: Path | None, jobs: int, only: str) -> int:
    wanted = []
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, rest = line.partition("  ")
        label, _, fmt = rest.rpartition(" ")
        if not only or set(only.split(",")) & {label, *re.split(r"[-/]", label)}:
            wanted.append((digest, label, fmt))
    missing = [label for _, label, _ in wanted if not (ROOT / org_of(label)).exists()]
    present = [item for item in wanted if item[1] not in missing]
    with ThreadPoolExecutor(jobs) as pool:
        outputs = list(pool.map(lambda item: run(item[1], item[2], code), present))
    different = 0
    for (digest, label, fmt), out in zip(present, outputs, strict=True):
        same = hashlib.sha256(out).hexdigest() == digest
        print(f"{'same     ' if same else 'DIFFERENT'}  {label} {fmt}")
        kept = path.with_suffix("") / kept_name(label, fmt)
        if not same:
            different += 1
            if kept.exists():
                print(f"    {first_difference(out, kept.read_bytes())}")
    for label in sorted(set(missing)):
        print(f"MISSING    {label}: no {org_of(label)} (python bench/generate.py)")
    print(
        f"{len(present) - different} same, {different} different"
        + (f", {len(set(missing))} inputs missing" if missing else "")
    )
    return 1 if different or missing else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write the record instead")
    parser.add_argument("--file", type=Path, default=RECORD, help="the record")
    parser.add_argument("--code", type=Path, help="a src/ folder to run (first on PYTHONPATH)")
    parser.add_argument(
        "--only", default="", help="comma-separated labels, shapes, sizes or 'examples'"
    )
    parser.add_argument("-j", "--jobs", type=int, default=2, help="runs at a time")
    args = parser.parse_args()
    if args.record:
        record(args.file, args.code, args.jobs)
    else:
        sys.exit(check(args.file, args.code, args.jobs, args.only))


if __name__ == "__main__":
    main()
