"""How long `clientchain import flows` takes on a big ledger, and its peak memory.

    python bench/import_flows.py [--rows 1000000] [--customers 50000] [--reps 2000]

Writes a ledger of invoices (one row each: id, customer, date, sales rep,
amount with two decimals, quantity, discount) and a customer list naming each
customer's sales rep and country to a temporary folder, then runs the command
in a fresh process three times: plain (`--to` in the ledger), as order lines
(`--times Quantity --discount Discount`) and joined (`--join customers.csv
--client-by Country`), and prints the wall time and peak resident memory of
each (the largest any child reached so far: the cases grow in memory).
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTRIES = ["Brazil", "Germany", "Canada", "Norway", "USA", "France", "India", "Chile"]


def write_inputs(folder: Path, rows: int, customers: int, reps: int) -> tuple[Path, Path]:
    rng = random.Random(15)
    rep_of = [f"rep-{rng.randrange(reps)}" for _ in range(customers)]
    customer_list = folder / "customers.csv"
    with customer_list.open("w", encoding="utf-8", newline="") as out:
        out.write("CustomerId,Company,Country,SupportRepId\n")
        for c in range(customers):
            out.write(f"{c},Company {c},{COUNTRIES[c % len(COUNTRIES)]},{rep_of[c]}\n")
    ledger = folder / "invoices.csv"
    with ledger.open("w", encoding="utf-8", newline="") as out:
        out.write("InvoiceId,CustomerId,InvoiceDate,Salesperson,Total,Quantity,Discount\n")
        lines = []
        for i in range(rows):
            c = rng.randrange(customers)
            cents = rng.randrange(1, 100_000)
            extra = f"{rng.randrange(1, 20)},{rng.choice(('0', '0.05', '0.15'))}"
            lines.append(
                f"{i},{c},2024-01-01,{rep_of[c]},{cents // 100}.{cents % 100:02d},{extra}\n"
            )
            if len(lines) == 100_000:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))
    return ledger, customer_list


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `clientchain ARGS` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "clientchain", *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"clientchain {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    # ru_maxrss of the children is the largest any child reached (KiB on Linux); the
    # benchmark runs the heavier case last so each figure is its own.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--reps", type=int, default=2_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ledger, customers = write_inputs(folder, options.rows, options.customers, options.reps)
        size = ledger.stat().st_size / 2**20
        print(f"ledger: {options.rows:,} rows, {size:.1f} MiB; {options.customers:,} customers")
        cases = {
            "plain (--to in the ledger)": [
                "import", "flows", str(ledger), "--to", "Salesperson", "-o", str(folder / "a.csv"),
            ],
            "order lines (--times Quantity --discount Discount)": [
                "import", "flows", str(ledger), "--to", "Salesperson", "--times", "Quantity",
                "--discount", "Discount", "-o", str(folder / "c.csv"),
            ],
            "joined (--join, --client-by Country)": [
                "import", "flows", str(ledger), "--join", str(customers), "--client-by",
                "Country", "-o", str(folder / "b.csv"),
            ],
        }  # fmt: skip
        for name, args in cases.items():
            seconds, peak = run(args)
            print(f"{name}: {seconds:.2f} s, peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
