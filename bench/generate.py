"""Write a synthetic organisation of N roles as org.yaml + flows.csv, of one of several shapes.

Every shape is deterministic for a seed and written in the flat shape the fast loader
reads (top-level `key: value` lines, lists of flat mappings, plain scalars, plain CSV;
jsonids: org.json), with file order breadth first (a boss before its reports). The shapes:

business    issue 5's: spans of 3-12, depth around 8-12 with a few deep chains,
            departments, headcounts, up to 100 client segments paying front-line roles,
            revenue passed up, budgets passed down to support functions and to a third
            of business roles (budget down + revenue up on the same pair: money cycles
            along the tree), and shared-service centres charging business roles: about
            2.4 flow rows per role.
matrix      business plus issue 16's inputs, on the same org and flows: 5% of roles have
            a dotted line to a manager in another branch below the top (never along the
            solid hierarchy, never two roles dotted to each other), 10% serve someone
            (six in ten a client segment, the rest another role), and every client
            segment has an owner (a role one or two levels below the top).
hub         a few big accounts: 100 clients (fewer below 5,000 roles) of very unequal
            size (weights falling as 1/rank) each paying thousands of front-line roles
            at 1M (every front-line role is paid by one to four clients), and key-account
            managers paid directly; revenue up, budgets down to support functions.
chargeback  business, plus shared-service centres that charge each other: one centre
            per 10,000 roles (at least one), each a run of 100-500 support roles (in
            file order) in which every member charges the next (a ring) and two others,
            so each centre is a strongly connected component of hundreds of roles; and
            every business role is charged by one or two centre members.
budget      a budget-funded public body: 100 appropriations (fewer below 5,000 roles)
            pay the head of the body; money only flows top-down, a budget from every
            boss to every report, so every reporting line is inverted (n - 1 CC101
            findings); no revenue, no cycles.
chain       one reporting chain N levels deep with money flowing all the way up.
twoway      the same chain with revenue up and a budget down every line, and a client
            paying one role in ten: one money loop N roles long, its fringe peeled from
            both ends.
customers   a sales network with many clients: one customer per ten roles (100,000 at
            1M); every front-line role is paid by one customer at random, half of them
            by a second (a customer pays about ten); revenue passed up every line, no
            budgets down (so a customer's money reaches only the lines above the roles
            it pays).
loop        one money loop as large as the organisation (business spans and depth):
            every reporting line carries revenue up and a budget down, clients pay the
            front line, and a ring of 200 support roles charges across the branches.
recharge    one money loop with no tree in it: a budget down every reporting line,
            clients paying the front line, and every role recharging one role anywhere
            in the organisation (internal recharges: no order in which a sparse LU of
            the loop stays sparse).
tangle      both of the last two: revenue up and a budget down every reporting line,
            clients paying the front line, and every role recharging one role anywhere
            (nothing to peel, and money goes round support teams' lines many times).
silos       departments that recharge one another's work: revenue up every reporting
            line, clients paying the front line, and every role recharging two roles
            drawn among the 1,000 around it (roles in blocks of 1,000 by id): a loop
            per block (1,000 at 1M), each too small to peel, whose SuperLU factors
            fill in (about 40 times its entries).
longids     business-like (spans, departments, clients paying front-line roles), with
            ids of 20-40 bytes in UTF-8 mixing accented Latin, Greek, Cyrillic and CJK, a
            title on every role and client, and about 14% of roles in an inversion (a
            budget down with no revenue up); the rest pass revenue up.
jsonids     longids' organisation as a script exports it with Python's json.dump as it
            comes (indent 2, every character beyond ASCII a \\uXXXX escape), in org.json.
multisale   business, and every role paid directly by five distinct clients of the 100
            (account teams selling to several segments): about 7.4 flow rows per role,
            five client touchpoints a role, every role a candidate in each block of
            the provenance merge.

`--variant` writes a reorganised copy of the same shape (for `clientchain diff`): 2% of
roles report to another (earlier) boss, 5% of flow amounts change, and 1% of titles
are reworded (where roles have titles).

    python bench/generate.py 100000 bench/out/business-100000
    python bench/generate.py --shape hub 100000 bench/out/hub-100000
    python bench/generate.py --matrix 100000 bench/out/100k-matrix    # = --shape matrix
    python bench/generate.py --chain 100000 bench/out/chain           # = --shape chain
    python bench/generate.py --shape business --variant 1000000 bench/out/business-1000000-b
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

DEPARTMENTS = ["sales", "service", "operations", "product", "finance", "it", "hr", "legal"]
SUPPORT = {"finance", "it", "hr", "legal"}
SALES_A_ROLE = 5  # multisale: clients paying each role directly


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
    if not centres.size:  # a small org may have no support function at all
        customers = customers[:0]
    charged = centres[rng.integers(0, max(1, centres.size), customers.size)]
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


def multisale(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """The business shape with every role also paid directly by SALES_A_ROLE distinct
    clients of its 100 (account teams selling to several segments): at 1M roles, five
    million more flow rows, and as many client touchpoints and provenance candidates."""
    org, flows = generate(n, seed)
    rng = np.random.default_rng(seed + 2)
    clients = min(100, max(1, n // 100))
    per_role = min(SALES_A_ROLE, clients)
    # Distinct clients a role: a first one, then steps small enough never to wrap onto it.
    first = rng.integers(0, clients, n)
    step = rng.integers(1, clients // per_role + 1, n)
    amounts = rng.integers(100, 20_000, (n, per_role))
    for k in range(per_role):
        client = (first + k * step) % clients
        flows += [
            f"seg-{c},r{v},{a},sale"
            for v, c, a in zip(range(n), client.tolist(), amounts[:, k].tolist(), strict=True)
        ]
    return org, flows


def chain(n: int) -> tuple[list[str], list[str]]:
    """A reporting chain n levels deep with money flowing all the way up."""
    org = ["org: Chain", "flows: flows.csv", "clients:", "  - id: client", "roles:", "  - id: r0"]
    org += [f"  - id: r{v}\n    reports_to: r{v - 1}" for v in range(1, n)]
    flows = ["from,to,amount", f"client,r{n - 1},1000"]
    flows += [f"r{v},r{v - 1},{1000 - (v % 7)}" for v in range(n - 1, 0, -1)]
    return org, flows


def twoway(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """A reporting chain n levels deep, revenue up and a budget down every line, clients
    paying one role in ten: one money loop n roles long."""
    rng = np.random.default_rng(seed)
    clients = _clients(n, "client", "Client")
    ids = [f"r{v}" for v in range(n)]
    org = _write_org(f"Two-way chain {n:,}", clients, ids, np.arange(-1, n - 1), None, None)
    paid = np.flatnonzero(rng.random(n) < 0.1)
    payer = rng.integers(0, len(clients), paid.size).tolist()
    rows = _rows(
        "sale",
        [clients[c][0] for c in payer],
        [ids[v] for v in paid],
        rng.integers(100, 9_000, paid.size),
    )
    rows += _rows("revenue", ids[1:], ids[:-1], rng.integers(500, 40_000, n - 1))
    rows += _rows("budget", ids[:-1], ids[1:], rng.integers(100, 20_000, n - 1))
    return org, _flows(rows)


def _front_and_support(
    n: int, parent: np.ndarray, rng: np.random.Generator, support_names: set[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Department per role (each top-level branch one), support flags, leaf flags."""
    dept = np.zeros(n, dtype=np.int64)
    top_level = np.flatnonzero(parent == 0)
    dept[top_level] = np.arange(top_level.size) % len(DEPARTMENTS)
    for v in range(1, n):  # breadth first: a parent's department is known
        if parent[v] > 0:
            dept[v] = dept[parent[v]]
    support = np.isin(dept, [DEPARTMENTS.index(d) for d in support_names])
    leaf = np.ones(n, dtype=bool)
    leaf[parent[parent >= 0]] = False
    return dept, support, leaf


Row = tuple[str, str, int, str]


def _rows(kind: str, payers: list[str], payees: list[str], amounts: np.ndarray) -> list[Row]:
    return [
        (a, b, m, kind) for a, b, m in zip(payers, payees, amounts.tolist(), strict=True) if a != b
    ]


def _write_org(
    name: str,
    clients: list[tuple[str, str]],
    ids: list[str],
    parent: np.ndarray,
    dept: np.ndarray | None,
    heads: np.ndarray | None,
    titles: list[str] | None = None,
    departments: list[str] = DEPARTMENTS,
) -> list[str]:
    org = [
        "# synthetic organisation generated by bench/generate.py",
        f"org: {name}",
        "currency: EUR",
        "flows: flows.csv",
        "clients:",
    ]
    org += [f"  - id: {c}\n    title: {t}" for c, t in clients]
    org.append("roles:")
    ups = parent.tolist()
    for v, role in enumerate(ids):
        entry = f"  - id: {role}"
        if titles is not None:
            entry += f"\n    title: {titles[v]}"
        if dept is not None:
            entry += f"\n    department: {departments[dept[v]]}"
        if heads is not None:
            entry += f"\n    headcount: {heads[v]}"
        if ups[v] >= 0:
            entry += f"\n    reports_to: {ids[ups[v]]}"
        org.append(entry)
    return org


def as_document(org: list[str]) -> dict[str, object]:
    """The document of an org chart as _write_org writes it (top-level `key: value`
    lines and lists of flat mappings, plain scalars, headcounts as numbers)."""
    document: dict[str, object] = {}
    items: list[dict[str, object]] = []
    for line in "\n".join(org).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.strip().removeprefix("- ").partition(":")
        value = value.strip()
        if not line.startswith(" "):  # a top-level key: a scalar, or a list to come
            items = []
            document[key] = value if value else items
            continue
        if line.lstrip().startswith("- "):
            items.append({})
        items[-1][key] = int(value) if key == "headcount" else value
    return document


def _flows(rows: list[Row]) -> list[str]:
    return ["from,to,amount,kind"] + [f"{a},{b},{m},{k}" for a, b, m, k in rows]


def _clients(n: int, prefix: str, label: str) -> list[tuple[str, str]]:
    count = min(100, max(1, n // 50))
    return [(f"{prefix}-{c}", f"{label} {c}") for c in range(count)]


def hub(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """100 clients of very unequal size, each paying thousands of front-line roles at 1M."""
    rng = np.random.default_rng(seed)
    parent = tree(n, rng)
    dept, support, leaf = _front_and_support(n, parent, rng, {"finance", "it", "hr"})
    clients = _clients(n, "account", "Key account")
    weight = 1.0 / np.arange(1, len(clients) + 1)
    weight /= weight.sum()
    ids = [f"r{v}" for v in range(n)]
    front = np.flatnonzero(leaf & ~support)
    rows: list[Row] = []
    for k in range(4):  # every front-line role paid by one client, some by up to four
        paid = front if k == 0 else front[rng.random(front.size) < 0.5**k]
        payer = rng.choice(len(clients), size=paid.size, p=weight)
        rows += _rows(
            "sale",
            [clients[c][0] for c in payer.tolist()],
            [ids[v] for v in paid.tolist()],
            rng.integers(1_000, 80_000, paid.size),
        )
    managers = np.flatnonzero(~leaf & ~support & (parent >= 0))
    keyed = managers[rng.random(managers.size) < 0.05]  # key-account managers, paid directly
    payer = rng.choice(len(clients), size=keyed.size, p=weight)
    rows += _rows(
        "contract",
        [clients[c][0] for c in payer.tolist()],
        [ids[v] for v in keyed.tolist()],
        rng.integers(50_000, 500_000, keyed.size),
    )
    kids = np.flatnonzero(parent >= 0)
    business, backoffice = kids[~support[kids]], kids[support[kids]]
    rows += _rows(
        "revenue",
        [ids[v] for v in business.tolist()],
        [ids[p] for p in parent[business].tolist()],
        rng.integers(500, 50_000, business.size),
    )
    rows += _rows(
        "budget",
        [ids[p] for p in parent[backoffice].tolist()],
        [ids[v] for v in backoffice.tolist()],
        rng.integers(100, 20_000, backoffice.size),
    )
    org = _write_org(f"Hub {n:,}", clients, ids, parent, dept, rng.integers(1, 9, n))
    return org, _flows(rows)


def customers(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """A sales network paid by its customers: one customer per ten roles, every front-line
    role paid by one or two of them at random, revenue passed up every line, no budgets
    down."""
    rng = np.random.default_rng(seed)
    parent = tree(n, rng)
    dept, _, leaf = _front_and_support(n, parent, rng, set())
    count = max(1, n // 10)
    clients = [(f"cust-{c}", f"Customer {c}") for c in range(count)]
    ids = [f"r{v}" for v in range(n)]
    front = np.flatnonzero(leaf)
    rows: list[Row] = []
    for k in range(2):  # every front-line role paid by a customer, half by a second
        paid = front if k == 0 else front[rng.random(front.size) < 0.5]
        payer = rng.integers(0, count, paid.size)
        rows += _rows(
            "sale",
            [clients[c][0] for c in payer.tolist()],
            [ids[v] for v in paid.tolist()],
            rng.integers(100, 20_000, paid.size),
        )
    kids = np.flatnonzero(parent >= 0)
    rows += _rows(
        "revenue",
        [ids[v] for v in kids.tolist()],
        [ids[p] for p in parent[kids].tolist()],
        rng.integers(500, 50_000, kids.size),
    )
    org = _write_org(f"Customers {n:,}", clients, ids, parent, dept, rng.integers(1, 9, n))
    return org, _flows(rows)


def chargeback(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Business, plus shared-service centres charging each other: SCCs of hundreds."""
    org, flows = generate(n, seed)
    rng = np.random.default_rng(seed + 2)  # its own stream: the business part stays the same
    parent = tree(n, np.random.default_rng(seed))
    _, support, _ = _front_and_support(n, parent, rng, SUPPORT)
    staff = np.flatnonzero(support)
    business = np.flatnonzero(~support & (parent >= 0))
    centres = max(1, n // 10_000)
    size = rng.integers(100, 501, centres)
    # Runs in file order: a boss is never in a later run than its reports, so budgets
    # down the tree never join two centres into one component.
    starts = np.linspace(0, max(0, staff.size - size.max()), centres).astype(np.int64)
    rows: list[Row] = []
    members_all: list[np.ndarray] = []
    for first, length in zip(starts.tolist(), size.tolist(), strict=True):
        members = staff[first : first + length]
        if members.size < 2:
            continue
        members_all.append(members)
        ring = np.roll(members, -1)
        others = [members[rng.integers(0, members.size, members.size)] for _ in range(2)]
        for payee in [ring, *others]:
            rows += _rows(
                "chargeback",
                [f"r{v}" for v in members.tolist()],
                [f"r{v}" for v in payee.tolist()],
                rng.integers(200, 20_000, members.size),
            )
    if members_all:
        pool = np.concatenate(members_all)
        for share in (1.0, 0.5):  # every business role charged once, half of them twice
            customers = business[rng.random(business.size) < share]
            charged = pool[rng.integers(0, pool.size, customers.size)]
            rows += _rows(
                "chargeback",
                [f"r{v}" for v in customers.tolist()],
                [f"r{v}" for v in charged.tolist()],
                rng.integers(50, 5_000, customers.size),
            )
    org[1] = f"org: Chargeback {n:,}"
    return org, flows + [f"{a},{b},{m},{k}" for a, b, m, k in rows]


class _FrontLineOrg(NamedTuple):
    """A business tree with departments (support functions), the front line (leaves
    outside them), client segments and role ids: what loop, recharge and tangle start
    from."""

    parent: np.ndarray
    dept: np.ndarray
    support: np.ndarray
    front: np.ndarray
    clients: list[tuple[str, str]]
    ids: list[str]
    kids: list[str]  # every role with a boss ...
    bosses: list[str]  # ... and that boss

    def written(self, name: str, rng: np.random.Generator) -> list[str]:
        """The org chart, with a headcount of 1-8 per role."""
        heads = rng.integers(1, 9, self.parent.size)
        return _write_org(name, self.clients, self.ids, self.parent, self.dept, heads)


def _front_line_org(n: int, rng: np.random.Generator) -> _FrontLineOrg:
    parent = tree(n, rng)
    dept, support, leaf = _front_and_support(n, parent, rng, SUPPORT)
    ids = [f"r{v}" for v in range(n)]
    kids = np.flatnonzero(parent >= 0)
    return _FrontLineOrg(
        parent,
        dept,
        support,
        np.flatnonzero(leaf & ~support),
        _clients(n, "segment", "Client segment"),
        ids,
        [ids[v] for v in kids.tolist()],
        [ids[p] for p in parent[kids].tolist()],
    )


def _sales(org: _FrontLineOrg, paid: np.ndarray, rng: np.random.Generator) -> list[Row]:
    """A client segment drawn for each of the `paid` roles, paying it 1,000-49,999."""
    payer = rng.integers(0, len(org.clients), paid.size).tolist()
    return _rows(
        "sale",
        [org.clients[c][0] for c in payer],
        [org.ids[v] for v in paid.tolist()],
        rng.integers(1_000, 50_000, paid.size),
    )


def loop(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """One money loop as large as the organisation: every reporting line carries revenue
    up and a budget down, and one shared-service ring charges across the branches."""
    rng = np.random.default_rng(seed)
    f = _front_line_org(n, rng)
    rows: list[Row] = []
    for k in range(2):  # every front-line role paid by a client, half of them by two
        paid = f.front if k == 0 else f.front[rng.random(f.front.size) < 0.5]
        rows += _sales(f, paid, rng)
    ids, up, down = f.ids, f.kids, f.bosses
    rows += _rows("revenue", up, down, rng.integers(500, 40_000, len(up)))
    rows += _rows("budget", down, up, rng.integers(100, 20_000, len(up)))
    staff = np.flatnonzero(f.support)
    ring = staff[rng.choice(staff.size, size=min(staff.size, 200), replace=False)]
    if ring.size > 1:
        rows += _rows(
            "chargeback",
            [ids[v] for v in ring.tolist()],
            [ids[v] for v in np.roll(ring, -1).tolist()],
            rng.integers(200, 20_000, ring.size),
        )
    return f.written(f"Loop {n:,}", rng), _flows(rows)


def recharge(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """One money loop of internal recharges: budgets down every line, clients paying the
    front line, and every role paying one role anywhere in the organisation."""
    rng = np.random.default_rng(seed)
    f = _front_line_org(n, rng)
    rows = _sales(f, f.front, rng)
    rows += _rows("budget", f.bosses, f.kids, rng.integers(100, 20_000, len(f.kids)))
    rows += _recharges(f, rng)
    return f.written(f"Recharge {n:,}", rng), _flows(rows)


def _recharges(org: _FrontLineOrg, rng: np.random.Generator) -> list[Row]:
    """Every role recharging one role drawn anywhere, 50-4,999 (a role drawn to charge
    itself charges nobody)."""
    n, ids = len(org.ids), org.ids
    charged = rng.integers(0, n, n)
    return _rows("recharge", ids, [ids[v] for v in charged.tolist()], rng.integers(50, 5_000, n))


def tangle(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Money both ways on every line and internal recharges: revenue up and a budget down
    every reporting line (as loop), clients paying the front line, and every role
    recharging one role anywhere (as recharge)."""
    rng = np.random.default_rng(seed)
    f = _front_line_org(n, rng)
    rows = _sales(f, f.front, rng)
    rows += _rows("revenue", f.kids, f.bosses, rng.integers(500, 40_000, len(f.kids)))
    rows += _rows("budget", f.bosses, f.kids, rng.integers(100, 20_000, len(f.kids)))
    rows += _recharges(f, rng)
    return f.written(f"Tangle {n:,}", rng), _flows(rows)


SILO = 1_000  # roles in a block of the silos shape (its loops)


def silos(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Departments that recharge one another's work: revenue up every reporting line,
    clients paying the front line, and every role recharging two roles drawn among the
    SILO roles of its block (by id): a loop per block, none of them large enough to peel,
    none with sparse factors."""
    rng = np.random.default_rng(seed)
    f = _front_line_org(n, rng)
    rows = _sales(f, f.front, rng)
    rows += _rows("revenue", f.kids, f.bosses, rng.integers(500, 40_000, len(f.kids)))
    own = np.arange(n)
    for _ in range(2):
        charged = np.minimum(own // SILO * SILO + rng.integers(0, SILO, n), n - 1)
        by = own[charged != own]  # (a role drawn to charge itself charges nobody)
        rows += _rows(
            "recharge",
            [f.ids[v] for v in by.tolist()],
            [f.ids[v] for v in charged[by].tolist()],
            rng.integers(50, 5_000, by.size),
        )
    return f.written(f"Silos {n:,}", rng), _flows(rows)


PUBLIC = ["education", "health", "transport", "housing", "finance", "it", "hr", "legal"]


def budget(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """A budget-funded public body: money only top-down, every reporting line inverted."""
    rng = np.random.default_rng(seed)
    parent = tree(n, rng)
    dept, _, _ = _front_and_support(n, parent, rng, set())
    clients = _clients(n, "appropriation", "Appropriation")
    ids = [f"r{v}" for v in range(n)]
    rows = _rows(
        "appropriation",
        [c for c, _ in clients],
        [ids[0]] * len(clients),
        rng.integers(10_000_000, 100_000_000, len(clients)),
    )
    kids = np.flatnonzero(parent >= 0)
    rows += _rows(
        "budget",
        [ids[p] for p in parent[kids].tolist()],
        [ids[v] for v in kids.tolist()],
        rng.integers(1_000, 100_000, kids.size),
    )
    heads = rng.integers(1, 9, n)
    org = _write_org(f"Public body {n:,}", clients, ids, parent, dept, heads, None, PUBLIC)
    return org, _flows(rows)


# Stems for long ids: accented Latin, Greek and CJK (2- and 3-byte UTF-8 sequences).
STEMS = [
    "équipe-vente",
    "größe-kundendienst",
    "παραγωγή",
    "営業部-東京",
    "servicio-técnico",
    "økonomi-afdeling",
    "развитие-отдел",
    "support-nível",
]
JOBS = ["Directrice", "Head of", "Teamleiter", "Responsable", "Analyst", "Berater", "Agent"]
REGIONS = ["Nord", "Süd", "Île-de-France", "Kantō", "Αττική", "Skåne", "Castilla y León"]


def long_id(v: int, width: int, stem: str) -> str:
    """`stem-v`, padded with 'x' to `width` bytes of UTF-8 (20-40)."""
    base = f"{stem}-{v}"
    pad = width - len(base.encode("utf-8"))
    return base + "x" * pad if pad > 0 else base


def longids(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Ids of 20-40 bytes (unicode), a title on every role, ~14% of roles inverted."""
    rng = np.random.default_rng(seed)
    parent = tree(n, rng)
    dept, _, leaf = _front_and_support(n, parent, rng, SUPPORT)
    width = rng.integers(20, 41, n)
    stem = rng.integers(0, len(STEMS), n)
    ids = [
        long_id(v, w, STEMS[s])
        for v, w, s in zip(range(n), width.tolist(), stem.tolist(), strict=True)
    ]
    job = rng.integers(0, len(JOBS), n)
    region = rng.integers(0, len(REGIONS), n)
    titles = [
        f"{JOBS[j]} {DEPARTMENTS[d]} {REGIONS[r]} {v % 1000}"
        for v, j, d, r in zip(range(n), job.tolist(), dept.tolist(), region.tolist(), strict=True)
    ]
    clients = [
        (long_id(c, 24 + c % 16, "kundensegment-ü"), f"Segment client {c} / {REGIONS[c % 7]}")
        for c in range(min(100, max(1, n // 100)))
    ]
    front = np.flatnonzero(leaf)
    payer = rng.integers(0, len(clients), front.size)
    rows = _rows(
        "sale",
        [clients[c][0] for c in payer.tolist()],
        [ids[v] for v in front.tolist()],
        rng.integers(1_000, 100_000, front.size),
    )
    kids = np.flatnonzero(parent >= 0)
    inverted = rng.random(kids.size) < 0.14
    down, up = kids[inverted], kids[~inverted]
    rows += _rows(
        "budget",
        [ids[p] for p in parent[down].tolist()],
        [ids[v] for v in down.tolist()],
        rng.integers(100, 20_000, down.size),
    )
    rows += _rows(
        "revenue",
        [ids[v] for v in up.tolist()],
        [ids[p] for p in parent[up].tolist()],
        rng.integers(500, 50_000, up.size),
    )
    org = _write_org(f"Långa id {n:,}", clients, ids, parent, dept, rng.integers(1, 9, n), titles)
    return org, _flows(rows)


def reorganise(org: list[str], flows: list[str], seed: int) -> tuple[list[str], list[str]]:
    """A reorganised copy: 2% of roles report to an earlier boss, 5% of amounts change,
    1% of titles are reworded. File order stays breadth first, so no cycle appears."""
    rng = np.random.default_rng(seed + 100)
    roles_at = org.index("roles:") + 1
    ids = [entry[len("  - id: ") :].split("\n", 1)[0] for entry in org[roles_at:]]
    out = org[:roles_at]
    moved = rng.random(len(ids)) < 0.02
    retitled = rng.random(len(ids)) < 0.01
    for v, entry in enumerate(org[roles_at:]):
        if moved[v] and "\n    reports_to: " in entry and v > 1:
            head, _, tail = entry.partition("\n    reports_to: ")
            rest = tail.partition("\n")[2]
            boss = ids[int(rng.integers(0, v))]
            entry = f"{head}\n    reports_to: {boss}" + (f"\n{rest}" if rest else "")
        if retitled[v] and "\n    title: " in entry:
            entry = entry.replace("\n    title: ", "\n    title: Acting ", 1)
        out.append(entry)
    changed = rng.random(len(flows)) < 0.05
    new_flows = [flows[0]]
    for k, line in enumerate(flows[1:], start=1):
        if changed[k]:
            cells = line.split(",")
            cells[2] = str(int(cells[2]) * 2 + 1)
            line = ",".join(cells)
        new_flows.append(line)
    return out, new_flows


Shape = Callable[[int, int], tuple[list[str], list[str]]]
SHAPES: dict[str, Shape] = {
    "business": generate,
    "matrix": lambda n, seed: generate(n, seed, with_matrix=True),
    "hub": hub,
    "chargeback": chargeback,
    "budget": budget,
    "chain": lambda n, seed: chain(n),
    "twoway": twoway,
    "longids": longids,
    "jsonids": longids,  # (written as JSON: JSON_SHAPES)
    "customers": customers,
    "loop": loop,
    "recharge": recharge,
    "tangle": tangle,
    "silos": silos,
    "multisale": multisale,
}


# Shapes whose org chart is written as JSON (json.dump's defaults but an indent of 2).
JSON_SHAPES = frozenset({"jsonids"})


def org_file(shape: str) -> str:
    """The name of a shape's org chart in its folder."""
    return "org.json" if shape in JSON_SHAPES else "org.yaml"


def write(shape: str, n: int, out: Path, seed: int = 7, variant: bool = False) -> int:
    """Write one organisation of `shape` into `out`; the number of flow rows."""
    org, flows = SHAPES[shape](n, seed)
    if variant:
        org, flows = reorganise(org, flows, seed)
    out.mkdir(parents=True, exist_ok=True)
    if shape in JSON_SHAPES:
        org = [json.dumps(as_document(org), indent=2)]
    (out / org_file(shape)).write_text("\n".join(org) + "\n", encoding="utf-8")
    (out / "flows.csv").write_text("\n".join(flows) + "\n", encoding="utf-8")
    return len(flows) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roles", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="business")
    parser.add_argument("--chain", action="store_true", help="= --shape chain")
    parser.add_argument("--matrix", action="store_true", help="= --shape matrix")
    parser.add_argument("--variant", action="store_true", help="a reorganised copy")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    shape = "chain" if args.chain else "matrix" if args.matrix else args.shape
    rows = write(shape, args.roles, args.out, args.seed, args.variant)
    print(f"{args.out}: {shape}, {args.roles:,} roles, {rows:,} flow rows")


if __name__ == "__main__":
    main()
