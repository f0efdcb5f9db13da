"""Write a synthetic organisation of N roles as org.yaml + flows.csv (issue 5's shape).

Spans of 3-12, depth around 8-12 with a few deep chains, departments, headcounts,
up to 100 client segments paying front-line roles, revenue passed up, budgets
passed down to support functions and to a third of business roles (budget down +
revenue up on the same pair: money cycles along the tree), and shared-service
centres charging business roles: about 2.4 flow rows per role.

With --matrix (issue 16's inputs, on the same org and flows): 5% of roles have a
dotted line to a manager in another branch below the top (never along the solid
hierarchy, never two roles dotted to each other: no dotted-line boss has a dotted line
itself), 10% serve someone (six in ten a client segment, the rest another role), and
every client segment has an owner (a role one or two levels below the top). Single ids
as plain scalars, so the fast loader reads them.

    python bench/generate.py 100000 bench/out/100k
    python bench/generate.py --matrix 100000 bench/out/100k-matrix
    python bench/generate.py --chain 100000 bench/out/chain
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple

import numpy as np

DEPARTMENTS = ["sales", "service", "operations", "product", "finance", "it", "hr", "legal"]
SUPPORT = {"finance", "it", "hr", "legal"}


def tree(n: int, rng: np.random.Generator) -> np.ndarray:
    """Parent of each role (file order = breadth first); spans 3-12, a few deep chains."""
    parent = np.full(n, -1, dtype=np.int64)
    nxt, boss = 1, 0
    while nxt < n:
        span = int(rng.integers(3, 13))
        parent[nxt : min(n, nxt + span)] = boss
        nxt += span
        boss += 1
        if rng.random() < 0.002 and nxt < n:  # now and then a deep chain of single reports
            length = min(n - nxt, int(rng.integers(10, 40)))
            parent[nxt : nxt + length] = np.r_[boss, np.arange(nxt, nxt + length - 1)]
            nxt += length
    return parent


class Matrix(NamedTuple):
    """Issue 16's additions, per role (-1 / None: none) and per client."""

    dotted_to: np.ndarray  # role index
    serves: list[str | None]  # an id
    owner: np.ndarray  # per client: role index


def matrix(parent: np.ndarray, clients: int, rng: np.random.Generator) -> Matrix:
    n = parent.size
    ups = parent.tolist()
    branch = [0] * n  # the role's ancestor just below the top (0 for the top itself)
    for v in range(1, n):  # breadth first: a parent's branch is known
        branch[v] = v if ups[v] == 0 else branch[ups[v]]
    branch_of = np.asarray(branch, dtype=np.int64)
    dotted_to = np.full(n, -1, dtype=np.int64)
    sources = np.flatnonzero(rng.random(n) < 0.05)
    sources = sources[sources > 0]
    manager = np.zeros(n, dtype=bool)
    manager[parent[parent >= 0]] = True
    manager[0] = False
    manager[sources] = False  # a dotted-line boss has no dotted line itself: no pair
    candidates = np.flatnonzero(manager)
    if candidates.size and np.unique(branch_of[candidates]).size > 1:
        # Another branch: neither an ancestor nor a descendant. Redraw where it is not.
        target = candidates[rng.integers(0, candidates.size, sources.size)]
        for _ in range(50):
            same = branch_of[target] == branch_of[sources]
            if not same.any():
                break
            target[same] = candidates[rng.integers(0, candidates.size, int(same.sum()))]
        ok = branch_of[target] != branch_of[sources]
        dotted_to[sources[ok]] = target[ok]
    serves: list[str | None] = [None] * n
    servers = np.flatnonzero(rng.random(n) < 0.10)
    to_client = rng.random(servers.size) < 0.6
    client = rng.integers(0, clients, servers.size)
    role = rng.integers(0, n, servers.size)
    role = np.where(role == servers, (role + 1) % n, role)  # never itself
    for v, c, u, is_client in zip(
        servers.tolist(), client.tolist(), role.tolist(), to_client.tolist(), strict=True
    ):
        if is_client or n == 1:
            serves[v] = f"seg-{c}"
        elif u != v:
            serves[v] = f"r{u}"
    heads = np.flatnonzero((parent == 0) | np.isin(parent, np.flatnonzero(parent == 0)))
    heads = heads if heads.size else np.zeros(1, dtype=np.int64)
    owner = heads[rng.integers(0, heads.size, clients)]
    return Matrix(dotted_to, serves, owner)


def generate(n: int, seed: int = 7, with_matrix: bool = False) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    parent = tree(n, rng)
    dept = np.empty(n, dtype=np.int64)
    dept[0] = 0
    top_level = np.flatnonzero(parent == 0)
    dept[top_level] = np.arange(top_level.size) % len(DEPARTMENTS)
    for v in range(1, n):  # file order is breadth first: a parent's department is known
        if parent[v] > 0:
            dept[v] = dept[parent[v]]
    support = np.isin(dept, [DEPARTMENTS.index(d) for d in SUPPORT])
    leaf = np.ones(n, dtype=bool)
    leaf[parent[parent >= 0]] = False
    clients = min(100, max(1, n // 100))
    rows: list[tuple[str, str, int, str]] = []
    front = np.flatnonzero(leaf & ~support)
    payer = rng.integers(0, clients, front.size)
    for v, c, a in zip(
        front.tolist(),
        payer.tolist(),
        rng.integers(1_000, 100_000, front.size).tolist(),
        strict=True,
    ):
        rows.append((f"seg-{c}", f"r{v}", a, "sale"))
    kids = np.flatnonzero(parent >= 0)
    business = kids[~support[kids]]
    for v, a in zip(
        business.tolist(), rng.integers(500, 50_000, business.size).tolist(), strict=True
    ):
        rows.append((f"r{v}", f"r{parent[v]}", a, "revenue"))
    budget = np.r_[kids[support[kids]], business[rng.random(business.size) < 1 / 3]]
    for v, a in zip(budget.tolist(), rng.integers(100, 20_000, budget.size).tolist(), strict=True):
        rows.append((f"r{parent[v]}", f"r{v}", a, "budget"))
    centres = rng.choice(np.flatnonzero(support), size=min(20, int(support.sum())), replace=False)
    customers = business[rng.random(business.size) < 0.5]
    charged = centres[rng.integers(0, centres.size, customers.size)]
    for v, s, a in zip(
        customers.tolist(),
        charged.tolist(),
        rng.integers(50, 5_000, customers.size).tolist(),
        strict=True,
    ):
        if v != s:
            rows.append((f"r{v}", f"r{s}", a, "chargeback"))
    org = [
        "# synthetic organisation generated by bench/generate.py",
        f"org: Synthetic {n:,}",
        "currency: EUR",
        "flows: flows.csv",
        "clients:",
    ]
    # Its own random stream: the org and flows stay the same with or without --matrix.
    extra = matrix(parent, clients, np.random.default_rng(seed + 1)) if with_matrix else None
    for c in range(clients):
        entry = f"  - id: seg-{c}\n    title: Client segment {c}"
        org.append(entry if extra is None else f"{entry}\n    owner: r{extra.owner[c]}")
    org.append("roles:")
    heads = rng.integers(1, 9, n)
    for v in range(n):
        entry = f"  - id: r{v}\n    department: {DEPARTMENTS[dept[v]]}\n    headcount: {heads[v]}"
        if parent[v] >= 0:
            entry += f"\n    reports_to: r{parent[v]}"
        if extra is not None:
            if extra.dotted_to[v] >= 0:
                entry += f"\n    dotted_to: r{extra.dotted_to[v]}"
            if extra.serves[v] is not None:
                entry += f"\n    serves: {extra.serves[v]}"
        org.append(entry)
    flows = ["from,to,amount,kind"] + [f"{a},{b},{m},{k}" for a, b, m, k in rows]
    return org, flows


def chain(n: int) -> tuple[list[str], list[str]]:
    """A reporting chain n levels deep with money flowing all the way up."""
    org = ["org: Chain", "flows: flows.csv", "clients:", "  - id: client", "roles:", "  - id: r0"]
    org += [f"  - id: r{v}\n    reports_to: r{v - 1}" for v in range(1, n)]
    flows = ["from,to,amount", f"client,r{n - 1},1000"]
    flows += [f"r{v},r{v - 1},{1000 - (v % 7)}" for v in range(n - 1, 0, -1)]
    return org, flows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roles", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--chain", action="store_true", help="one deep reporting chain")
    parser.add_argument(
        "--matrix", action="store_true", help="add dotted lines, serves and client owners"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.chain:
        org, flows = chain(args.roles)
    else:
        org, flows = generate(args.roles, args.seed, args.matrix)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "org.yaml").write_text("\n".join(org) + "\n", encoding="utf-8")
    (args.out / "flows.csv").write_text("\n".join(flows) + "\n", encoding="utf-8")
    print(f"{args.out}: {args.roles:,} roles, {len(flows) - 1:,} flow rows")


if __name__ == "__main__":
    main()
