"""Hypothesis strategies for small random orgs, and their rendering as SPEC YAML.

The orgs are deliberately awkward: file order is not hierarchy order, money
flows both ways between roles (so money cycles are common), some (from, to)
pairs appear in several rows that must add up, some roles get no money, and
some groups of roles only pass money among themselves (closed loops with no
outside origin).
"""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from tests.oracle import Headcount, OrgSpec, Role

# Ids that a YAML 1.1 loader would turn into something else if unquoted; they
# are always written double-quoted, so they must come back as these strings.
ODD_IDS = ["no", "on", "0755", "1e3", "2024-01-01", "null", "~", "a b", "x:y", "Ä"]
ROLE_IDS = ["owner", "seller", "mgr", "acct", "ceo", "ops", "dev", "hr", "cfo", "r9"]
CLIENT_IDS = ["buyers", "market", "fund", "gov"]
# Full-time equivalents as HR exports write them: sums of 0.1, 0.2 and 0.7 are where
# float noise shows (0.1 + 0.2 = 0.30000000000000004 in binary floating point).
FTES = ("0", "0.1", "0.2", "0.25", "0.3", "0.5", "0.7", "1", "1.5", "2.5", "3", "0.125")


def headcount_text(value: Headcount) -> str:
    """A headcount as a person writes it: `3`, `0.5` (the exact decimal, never `1/2`)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return str(Decimal(value.numerator) / Decimal(value.denominator))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_yaml(org: OrgSpec, omit_default_headcount: bool = False) -> str:
    """SPEC org-chart YAML with an inline flows list (block mappings, quoted ids).

    With `omit_default_headcount`, `headcount: 1` is left out (it is the default).
    """
    lines = ["org: Random Org", "currency: UAH", "clients:"]
    for c in org.clients:
        lines.append(f"  - id: {_quote(c)}")
    lines.append("roles:")
    for r in org.roles:
        lines.append(f"  - id: {_quote(r.id)}")
        if r.parent is not None:
            lines.append(f"    reports_to: {_quote(r.parent)}")
        if not (omit_default_headcount and r.headcount == 1):
            lines.append(f"    headcount: {headcount_text(r.headcount)}")
        # SPEC Additions: lists of quoted ids (absent when empty)
        for key, ids in (("dotted_to", r.dotted), ("serves", r.serves)):
            if ids:
                lines.append(f"    {key}: [{', '.join(_quote(i) for i in ids)}]")
    if org.flows:
        lines.append("flows:")
        for src, dst, amount in org.flows:
            lines.append(f"  - from: {_quote(src)}")
            lines.append(f"    to: {_quote(dst)}")
            lines.append(f"    amount: {amount}")
    else:
        lines.append("flows: []")
    return "\n".join(lines) + "\n"


def role_lines(text: str) -> dict[str, int]:
    """1-based line of each role's `- id:` entry in YAML made by `render_yaml`."""
    out: dict[str, int] = {}
    in_roles = False
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(" "):
            in_roles = line == "roles:"
            continue
        if in_roles and line.startswith("  - id: "):
            raw = line[len("  - id: ") :].strip()
            if raw.startswith('"'):
                raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            out[raw] = no
    return out


@st.composite
def org_specs(
    draw: st.DrawFn,
    min_roles: int = 1,
    max_roles: int = 9,
    force_cycle: bool = False,
    odd_ids: bool = True,
    fractional_headcounts: bool = False,
) -> OrgSpec:
    n_roles = draw(st.integers(min_roles, max_roles))
    n_clients = draw(st.integers(1, 3))
    pool = ROLE_IDS + CLIENT_IDS + (ODD_IDS if odd_ids else [])
    names = draw(st.permutations(pool))[: n_roles + n_clients]
    role_names, clients = names[:n_roles], names[n_roles:]

    # a random forest: in hierarchy order each role reports to an earlier one or is a top
    parents: dict[str, str | None] = {}
    for i, rid in enumerate(role_names):
        top = i == 0 or draw(st.integers(0, 4)) == 0
        parents[rid] = None if top else role_names[draw(st.integers(0, i - 1))]
    counts: st.SearchStrategy[Headcount] = (
        st.sampled_from(FTES).map(lambda text: Fraction(Decimal(text)))
        if fractional_headcounts
        else st.integers(0, 5)
    )
    headcount: dict[str, Headcount] = {rid: draw(counts) for rid in role_names}
    file_order = draw(st.permutations(role_names))
    roles = tuple(Role(rid, parents[rid], headcount[rid]) for rid in file_order)

    # an "island" of roles receives money only from each other: closed loops,
    # or roles with no inflow at all
    island: set[str] = set()
    if n_roles >= 2 and draw(st.integers(0, 3)) == 0:
        island = set(draw(st.lists(st.sampled_from(role_names), min_size=1, max_size=3)))
    open_roles = [r for r in role_names if r not in island]

    # sometimes only a few round amounts, so that exact ties between shares are common;
    # sometimes only 1 or 1000, so that money goes round a loop a thousand times before
    # it leaks out (nested loops like that make badly conditioned systems)
    amounts = draw(
        st.sampled_from(
            [st.integers(1, 1000), st.sampled_from([100, 200, 300]), st.sampled_from([1, 1000])]
        )
    )
    flows: list[tuple[str, str, int]] = []
    if open_roles and clients:
        # client money into the open part of the org
        for _ in range(draw(st.integers(1, n_clients + 3))):
            src = draw(st.sampled_from(clients))
            flows.append((src, draw(st.sampled_from(open_roles)), draw(amounts)))
    if n_roles >= 2:
        for _ in range(draw(st.integers(0, 2 * n_roles + 2))):
            dst = draw(st.sampled_from(role_names))
            payers = [r for r in role_names if r != dst and (dst not in island or r in island)]
            if dst not in island and draw(st.integers(0, 5)) == 0:
                payers = payers + list(clients)
            if not payers:
                continue
            src = draw(st.sampled_from(payers))
            flows.append((src, dst, draw(amounts)))
            back_ok = src not in clients and (src not in island or dst in island)
            if back_ok and draw(st.integers(0, 2)) == 0:
                # money back the other way: budget down, revenue up
                flows.append((dst, src, draw(amounts)))
        for _ in range(draw(st.integers(0, 2))):
            # duplicate rows for an existing pair: must add up
            if flows:
                src, dst, _amount = draw(st.sampled_from(flows))
                flows.append((src, dst, draw(amounts)))
    if force_cycle:
        ring_members = open_roles if len(open_roles) >= 2 else role_names
        ring = draw(st.lists(st.sampled_from(ring_members), min_size=2, max_size=4, unique=True))
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            flows.append((a, b, draw(amounts)))
    shuffled = draw(st.permutations(flows))
    return OrgSpec(roles=roles, clients=tuple(clients), flows=tuple(shuffled))


def cyclic_org_specs() -> st.SearchStrategy[OrgSpec]:
    """Orgs guaranteed to contain a money cycle (a ring of 2 to 4 roles)."""
    return org_specs(min_roles=2, force_cycle=True)


def shuffled(org: OrgSpec, seed: int) -> OrgSpec:
    """The same org with roles, clients and flow rows in another file order."""
    rng = random.Random(seed)
    roles = list(org.roles)
    clients = list(org.clients)
    flows = list(org.flows)
    rng.shuffle(roles)
    rng.shuffle(clients)
    rng.shuffle(flows)
    return OrgSpec(tuple(roles), tuple(clients), tuple(flows))


def engine_document(text: str, decay: float = 0.5, top_clients: int = 0) -> dict[str, Any]:
    """Load YAML text with clientchain and return its JSON document (as a dict)."""
    import clientchain

    org = clientchain.loads(text, source="org.yaml")
    analysis = clientchain.analyze(org, decay=decay, top_clients=top_clients)
    doc: dict[str, Any] = clientchain.json_document(analysis)
    return doc


@st.composite
def leaky_loop_chains(draw: st.DrawFn) -> OrgSpec:
    """Money that goes round nested loops thousands of times before it settles.

    Roles x0 .. xk in a line: a client pays x0 a little; each x_i passes a little
    (1..5) on to x_{i+1}, which sends a lot (900..1000) back.  So each role gets
    almost all of its money from the next one, every unit crosses each loop about
    a thousand times, and distances reach 10^6 .. 10^12: an ill-conditioned linear
    system with an exact answer (traced_share 1 everywhere).
    """
    n_roles = draw(st.integers(2, 5))
    names = draw(st.permutations(ROLE_IDS))[:n_roles]
    client = "buyers"
    parents: dict[str, str | None] = {}
    for i, rid in enumerate(names):
        top = i == 0 or draw(st.booleans())
        parents[rid] = None if top else names[draw(st.integers(0, i - 1))]
    file_order = draw(st.permutations(names))
    roles = tuple(Role(rid, parents[rid], draw(st.integers(0, 3))) for rid in file_order)
    flows = [(client, names[0], draw(st.integers(1, 5)))]
    for a, b in itertools.pairwise(names):
        flows.append((a, b, draw(st.integers(1, 5))))
        flows.append((b, a, draw(st.integers(900, 1000))))
    return OrgSpec(roles=roles, clients=(client,), flows=tuple(draw(st.permutations(flows))))


def budget_yaml(roles: int, *extra_flows: str) -> str:
    """A budget-funded body: a binary tree of `roles` roles, money only top-down, so every
    reporting line is inverted (CC101) and no role is paid by a client; `extra_flows`
    are more flow lines ("{from: a, to: b, amount: 5}")."""
    lines = ["currency: EUR", "roles:", "  - id: r0"]
    lines += [f"  - {{id: r{i}, reports_to: r{i // 2}}}" for i in range(1, roles)]
    lines += ["flows:", "  - {from: r0, to: r1, amount: 1000}"]
    lines += [f"  - {{from: r{i // 2}, to: r{i}, amount: 10}}" for i in range(2, roles)]
    lines += [f"  - {flow}" for flow in extra_flows]
    return "\n".join(lines) + "\n"
