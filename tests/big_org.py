"""A large, realistic organisation for the output tests: what a consultant meets at a
client with a couple of thousand staff (issue 17's "2,000-role org").

Numeric employee ids (as HR systems export them), a job title and a department on
every role, spans of 2-12, a dozen client segments paying the front line, revenue
passed up to the bosses, half the support staff funded by their boss's budget (each
one an inverted relationship) and half charged back to the front line, and a few
dotted lines. Deterministic for a seed, so golden files of its table stay put.
"""

from __future__ import annotations

import random
from pathlib import Path

DEPARTMENTS = (
    ("Sales", ("Account Executive", "Sales Team Lead", "Regional Sales Manager")),
    ("Customer Service", ("Service Advisor", "Service Team Lead", "Service Manager")),
    ("Operations", ("Operations Analyst", "Shift Supervisor", "Operations Manager")),
    ("Finance", ("Accounts Payable Clerk", "Financial Controller", "Head of Finance")),
    ("Information Technology", ("Support Engineer", "Platform Lead", "Head of IT")),
    ("People", ("HR Business Partner", "Recruiter", "Head of People")),
)
SUPPORT = {"Finance", "Information Technology", "People"}
SEGMENTS = (
    "retail-customers",
    "small-businesses",
    "public-sector",
    "enterprise-accounts",
    "online-shop",
    "wholesale-partners",
    "export-distributors",
    "fleet-buyers",
    "subscription-members",
    "marketplace-sellers",
    "insurance-partners",
    "walk-in-customers",
)


def big_org(n: int = 2000, seed: int = 17) -> tuple[str, str]:
    """The org chart (YAML, naming `flows.csv`) and its flows (CSV) of `n` roles."""
    rng = random.Random(seed)
    ids = [str(24000 + 3 * v + rng.randrange(3)) for v in range(n)]
    parent = [-1] * n
    dept = [0] * n
    nxt = 1
    for boss in range(n):
        if nxt >= n:
            break
        span = rng.randrange(2, 13)
        for v in range(nxt, min(n, nxt + span)):
            parent[v] = boss
            dept[v] = v % len(DEPARTMENTS) if boss == 0 else dept[boss]
        nxt += span
    has_reports = {p for p in parent if p >= 0}
    front = [
        v for v in range(1, n) if v not in has_reports and DEPARTMENTS[dept[v]][0] not in SUPPORT
    ]
    roles: list[str] = []
    flows = ["from,to,amount"]
    for v in range(n):
        name, titles = DEPARTMENTS[dept[v]]
        title = (
            "Chief Executive Officer"
            if v == 0
            else titles[2 if v < 60 else 1 if v in has_reports else 0]
        )
        entry = [f"  - id: '{ids[v]}'", f"    title: {title}"]
        if v:
            entry += [f"    department: {name}", f"    reports_to: '{ids[parent[v]]}'"]
        entry.append(f"    headcount: {1 if v in has_reports else rng.randrange(1, 4)}")
        if v > 60 and rng.random() < 0.01:
            other = rng.randrange(1, 60)
            if dept[other] != dept[v]:
                entry.append(f"    dotted_to: '{ids[other]}'")
        roles.append("\n".join(entry))
        if v == 0:
            continue
        if name in SUPPORT and rng.random() < 0.5:  # a budget from the boss: an inversion
            flows.append(f"{ids[parent[v]]},{ids[v]},{rng.randrange(40, 400) * 1000}")
        elif name in SUPPORT:  # or charged back to a front-line role
            payer = rng.choice(front)
            flows.append(f"{ids[payer]},{ids[v]},{rng.randrange(5, 90) * 1000}")
        elif v not in has_reports:
            segment = SEGMENTS[rng.randrange(len(SEGMENTS))]
            flows.append(f"{segment},{ids[v]},{rng.randrange(20, 900) * 1000}")
        if name not in SUPPORT:
            flows.append(f"{ids[v]},{ids[parent[v]]},{rng.randrange(10, 200) * 1000}")
    clients = "\n".join(f"  - id: {s}\n    title: {s.replace('-', ' ').title()}" for s in SEGMENTS)
    org = (
        "org: Northwind Services Group\ncurrency: GBP\nflows: flows.csv\n"
        f"clients:\n{clients}\nroles:\n" + "\n".join(roles) + "\n"
    )
    return org, "\n".join(flows) + "\n"


def write_big_org(directory: Path, n: int = 2000, seed: int = 17) -> Path:
    """Write org.yaml and flows.csv into `directory`; the org chart's path."""
    org, flows = big_org(n, seed)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "flows.csv").write_text(flows, encoding="utf-8")
    path = directory / "org.yaml"
    path.write_text(org, encoding="utf-8")
    return path
