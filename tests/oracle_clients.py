"""A brute-force, exact reference for the clients' figures (SPEC Additions, "Client
touchpoints and ownership"), sharing no code with the engine.

It works from a plain description of an org (roles with their boss, department and
`serves`; clients with their owner; flow rows). Bosses are found by walking `reports_to`
one step at a time, the lowest common boss as the deepest role in the intersection of
the touchpoints' ancestor sets, and money is added up in `fractions.Fraction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Place:
    """A role: its boss (`reports_to`), department and whom it serves, as written."""

    id: str
    parent: str | None = None
    department: str | None = None
    serves: tuple[str, ...] = ()


@dataclass(frozen=True)
class Customer:
    """An external client and the role that owns it, if any."""

    id: str
    owner: str | None = None


@dataclass(frozen=True)
class ClientsSpec:
    """Roles and clients in file order, flow rows in file order (amounts as written)."""

    roles: tuple[Place, ...]
    clients: tuple[Customer, ...]
    flows: tuple[tuple[str, str, int | Fraction], ...]


@dataclass(frozen=True)
class ClientFigures:
    id: str
    owner: str | None
    money_out: Fraction
    touchpoints: list[str]  # file order
    departments: list[str]  # distinct, sorted
    lowest_common_boss: str | None
    fragmented: bool
    outside: list[str]  # touchpoints outside the owner's subtree (owner included), file order
    owned: bool  # every touchpoint below R (owner, else lowest common boss), R not a top


def with_self_and_bosses(parent: dict[str, str | None], rid: str) -> list[str]:
    """`rid` and every role above it, nearest first (one step of reports_to at a time)."""
    chain = [rid]
    boss = parent[rid]
    while boss is not None:
        chain.append(boss)
        boss = parent[boss]
    return chain


def clients_exact(spec: ClientsSpec) -> list[ClientFigures]:
    """Every client's figures, in file order."""
    order = {r.id: i for i, r in enumerate(spec.roles)}
    department = {r.id: r.department for r in spec.roles}
    parent = {r.id: r.parent for r in spec.roles}
    found = []
    for client in spec.clients:
        paid_to: dict[str, Fraction] = {}
        for src, dst, amount in spec.flows:
            if src == client.id:
                paid_to[dst] = paid_to.get(dst, Fraction(0)) + Fraction(amount)
        touched = {rid for rid, total in paid_to.items() if total > 0}
        touched |= {r.id for r in spec.roles if client.id in r.serves}
        touchpoints = sorted(touched, key=order.__getitem__)
        chains = {t: with_self_and_bosses(parent, t) for t in touchpoints}
        common = set.intersection(*map(set, chains.values())) if chains else set()
        # The nearest common boss: the first one met walking up from any touchpoint.
        lowest = next((b for b in chains[touchpoints[0]] if b in common), None) if chains else None
        names = sorted({department[t] for t in touchpoints if department[t] is not None})  # type: ignore[type-var]
        unheld = lowest is None or parent[lowest] is None
        outside = (
            [t for t in touchpoints if client.owner not in chains[t]]
            if client.owner is not None
            else []
        )
        holder = client.owner if client.owner is not None else lowest
        owned = (
            holder is not None
            and parent[holder] is not None
            and all(holder in chains[t] for t in touchpoints)
        )
        found.append(
            ClientFigures(
                id=client.id,
                owner=client.owner,
                money_out=sum(paid_to.values(), Fraction(0)),
                touchpoints=touchpoints,
                departments=names,  # type: ignore[arg-type]
                lowest_common_boss=lowest,
                fragmented=len(names) >= 2 and unheld,
                outside=outside,
                owned=owned,
            )
        )
    return found


def client_money_owned(spec: ClientsSpec) -> Fraction | None:
    """Money paid by owned clients / all money paid by clients; None when none is paid."""
    figures = clients_exact(spec)
    money_in = sum((c.money_out for c in figures), Fraction(0))
    if money_in == 0:
        return None
    return sum((c.money_out for c in figures if c.owned), Fraction(0)) / money_in


def client_findings(spec: ClientsSpec) -> list[tuple[str, str, dict[str, object]]]:
    """(code, client, data) of every CC106 and CC107 finding, in client file order."""
    found: list[tuple[str, str, dict[str, object]]] = []
    for c in clients_exact(spec):
        if c.fragmented:
            data = {
                "client": c.id,
                "department_count": len(c.departments),
                "lowest_common_boss": c.lowest_common_boss,
            }
            found.append(("CC106", c.id, data))
        if c.outside:
            data = {
                "client": c.id,
                "owner": c.owner,
                "outside_count": len(c.outside),
                "touchpoints": len(c.touchpoints),
            }
            found.append(("CC107", c.id, data))
    return found
