"""A deliberately naive org-chart analyser, to measure clientchain against (see run.py).

    python bench/naive.py ORG.yaml > result.json

What a first version would look like: PyYAML's `safe_load`, a networkx graph,
and plain Python loops role by role: closeness and traced share by repeated
sweeps until nothing changes (money cycles rule out a single pass), inverted
relationships by walking up the reporting line from each paid subordinate,
and the standard library's JSON. It computes less than clientchain (no
provenance, no findings), so the speed-up measured against it is an
underestimate. It also prints its organisation-wide alienation, which run.py
compares with clientchain's, to show both computed the same thing.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import networkx as nx
import yaml

DECAY = 0.5
SWEEPS = 200
TOLERANCE = 1e-13


def load(path: Path) -> tuple[nx.DiGraph, list[str]]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    graph = nx.DiGraph()
    roles = [str(role["id"]) for role in doc["roles"]]
    for role in doc["roles"]:
        boss = role.get("reports_to")
        graph.add_node(
            str(role["id"]),
            client=False,
            boss=None if boss is None else str(boss),
            headcount=int(role.get("headcount", 1)),
        )
    for client in doc.get("clients") or []:
        graph.add_node(str(client["id"]), client=True)
    with (path.parent / doc["flows"]).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            payer, payee, amount = row["from"], row["to"], float(row["amount"])
            if graph.has_edge(payer, payee):
                graph[payer][payee]["amount"] += amount
            else:
                graph.add_edge(payer, payee, amount=amount)
    return graph, roles


def sweep(graph: nx.DiGraph, roles: list[str], decay: float) -> dict[str, float]:
    """x(v) = sum over payers u of w(u,v)/W(v) * (1 if u is a client else decay * x(u))."""
    value = dict.fromkeys(roles, 0.0)
    inflow = {v: sum(d["amount"] for _, _, d in graph.in_edges(v, data=True)) for v in roles}
    for _ in range(SWEEPS):
        change = 0.0
        for v in roles:
            if not inflow[v]:
                continue
            new = 0.0
            for u, _, data in graph.in_edges(v, data=True):
                share = data["amount"] / inflow[v]
                new += share if graph.nodes[u]["client"] else share * decay * value[u]
            change = max(change, abs(new - value[v]))
            value[v] = new
        if change < TOLERANCE:
            break
    return value


def inversions(graph: nx.DiGraph, roles: list[str]) -> list[dict[str, object]]:
    found = []
    for boss, sub, data in graph.edges(data=True):
        if graph.nodes[boss]["client"]:
            continue
        back = graph[sub][boss]["amount"] if graph.has_edge(sub, boss) else 0.0
        if data["amount"] <= back:
            continue
        above, levels = graph.nodes[sub]["boss"], 1
        while above is not None and above != boss:  # walk up, one role at a time
            above, levels = graph.nodes[above]["boss"], levels + 1
        if above == boss:
            found.append({"boss": boss, "subordinate": sub, "levels": levels})
    return found


def main() -> None:
    graph, roles = load(Path(sys.argv[1]))
    closeness = sweep(graph, roles, DECAY)
    traced = sweep(graph, roles, 1.0)
    heads = {v: graph.nodes[v]["headcount"] for v in roles}
    total = sum(heads.values())
    alienation = sum(heads[v] * (1 - closeness[v]) for v in roles) / total
    doc = {
        "org_alienation": alienation,
        "roles": [
            {
                "id": v,
                "closeness": closeness[v],
                "alienation": 1 - closeness[v],
                "traced_share": min(1.0, traced[v]),
            }
            for v in roles
        ],
        "inversions": inversions(graph, roles),
    }
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    sys.stderr.write(f"naive: org alienation {alienation:.12f}\n")


if __name__ == "__main__":
    main()
