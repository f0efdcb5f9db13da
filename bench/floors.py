"""The floor for one input: what the cheapest pieces of any Python + numpy pipeline cost.

    python bench/floors.py ORG_DIR OUTPUT.json [--repeat N]   # prints JSON: seconds per piece

On the same files clientchain reads, each piece timed in CPU seconds (process_time;
the best of --repeat runs, the page cache warm):

read   reading both files' bytes (org.yaml, or org.json where a shape writes JSON, and flows.csv)
scan   a minimal vectorised scan: numpy finds the newlines and colons of the org chart and
       the newlines and commas of flows.csv
scc    scipy's strongly connected components on the money graph (a node per id in
       flows.csv, an edge per row; the CSR matrix is built beforehand, untimed)
dump   one indented orjson dump (OPT_INDENT_2) of the role documents: the `roles` list
       of clientchain's own JSON output for this org (OUTPUT.json, parsed untimed), i.e.
       the dicts a renderer would have to write
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components


def best_cpu(times: int, work: Callable[[], object]) -> float:
    seconds = []
    for _ in range(times):
        start = time.process_time()
        work()
        seconds.append(time.process_time() - start)
    return min(seconds)


def money_graph(flows: bytes) -> csr_matrix:
    """A node per id, an edge per flow row (first two cells of every line but the header)."""
    lines = flows.split(b"\n")[1:]
    payers, payees = [], []
    for line in lines:
        if line:
            cells = line.split(b",", 2)
            payers.append(cells[0])
            payees.append(cells[1])
    index: dict[bytes, int] = {}
    src = np.fromiter((index.setdefault(p, len(index)) for p in payers), np.int64, len(payers))
    dst = np.fromiter((index.setdefault(p, len(index)) for p in payees), np.int64, len(payees))
    n = len(index)
    return csr_matrix((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(n, n))


ROLES_PER_PIECE = 100_000  # role documents parsed at a time when the whole is too large


def role_documents(document: bytes) -> list[Any]:
    """The `roles` list of an indented analysis document. orjson parses one document of
    at most about 2 GB (recharge at a million roles writes 2.1 GB): a larger one is cut
    into pieces of whole role objects (at indent 4, as orjson's OPT_INDENT_2 writes
    them), each parsed as a list of its own."""
    try:
        roles: list[Any] = orjson.loads(document)["roles"]
        return roles
    except orjson.JSONDecodeError:
        pass
    start = document.index(b'\n  "roles": [\n') + len(b'\n  "roles": [')
    end = document.index(b"\n  ]", start)
    roles, at, separator = [], start, b"\n    },"
    while at < end:
        cut = at
        for _ in range(ROLES_PER_PIECE):  # past this many objects' ends, or to the last
            found = document.find(separator, cut + 1, end)
            if found < 0:
                cut = end
                break
            cut = found + len(separator) - 1  # at the comma after the object's brace
        roles.extend(orjson.loads(b"[" + document[at:cut] + b"]"))
        at = cut + 1
    return roles


def floors(folder: Path, output: Path, repeat: int) -> dict[str, float]:
    org_path, flows_path = folder / "org.yaml", folder / "flows.csv"
    if not org_path.exists():  # (a shape written as JSON: generate.org_file)
        org_path = folder / "org.json"
    seconds = {"read": best_cpu(repeat, lambda: (org_path.read_bytes(), flows_path.read_bytes()))}
    org, flows = org_path.read_bytes(), flows_path.read_bytes()

    def scan() -> object:
        text = np.frombuffer(org, dtype=np.uint8)
        table = np.frombuffer(flows, dtype=np.uint8)
        return (
            np.flatnonzero(text == 10),
            np.flatnonzero(text == 58),
            np.flatnonzero(table == 10),
            np.flatnonzero(table == 44),
        )

    seconds["scan"] = best_cpu(repeat, scan)
    graph = money_graph(flows)
    seconds["scc"] = best_cpu(
        repeat, lambda: connected_components(graph, directed=True, connection="strong")
    )
    roles = role_documents(output.read_bytes())
    seconds["dump"] = best_cpu(repeat, lambda: orjson.dumps(roles, option=orjson.OPT_INDENT_2))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(floors(args.folder, args.output, args.repeat)))


if __name__ == "__main__":
    main()
