"""A brute-force, exact reference implementation of the SPEC semantics.

It works from a plain description of an org (roles, clients, flow rows) and
shares no code with the engine.  Every number is a `fractions.Fraction`.

Money quantities are the *least* solution of linear fixed-point equations.
Two independent ways to get them:

* `analyze_exact`: roles not reachable from any client along money edges get
  0; on the reachable set R the system ``x = b + A x`` (``A[v][u] = w(u->v) /
  W(v)``) is nonsingular, and it is solved by exact Gaussian elimination.
* `path_sums_acyclic`: for acyclic money graphs, enumerate every money path
  from each client to each role and add up ``prod(w/W)`` along it.

`value_iteration` is a third, floating-point check for cyclic graphs: it
applies the equations over and over from 0, which converges to the least
solution.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

Number = Fraction
# A headcount in full-time equivalents: a whole number, or the exact value of a decimal
# such as 0.1 (Fraction(1, 10), not the double nearest to it).
Headcount = Fraction | int


@dataclass(frozen=True)
class Role:
    id: str
    parent: str | None = None
    headcount: Headcount = 1
    dotted: tuple[str, ...] = ()  # dotted-line bosses, as written
    serves: tuple[str, ...] = ()  # role or client ids, as written


@dataclass(frozen=True)
class OrgSpec:
    """A plain org: roles and clients in file order, flow rows in file order."""

    roles: tuple[Role, ...]
    clients: tuple[str, ...]
    flows: tuple[tuple[str, str, int | Fraction], ...]  # amounts exactly as written

    @property
    def role_ids(self) -> list[str]:
        return [r.id for r in self.roles]


@dataclass(frozen=True)
class Inversion:
    boss: str
    subordinate: str
    levels: int
    net: Fraction
    boss_to_subordinate: Fraction
    subordinate_to_boss: Fraction
    impact_headcount: Headcount
    line: str = "solid"  # or "dotted"


@dataclass
class RoleResult:
    id: str
    headcount: Headcount
    parent: str | None
    inflow: Fraction
    closeness: Fraction
    alienation: Fraction
    distance: Fraction | None
    traced_share: Fraction
    shares: dict[str, Fraction]  # client -> share, only clients with share > 0
    clients: dict[str, Fraction]  # direct client id -> net amount
    chain_broken_at: tuple[str, str] | None
    relations: dict[str, str] = field(default_factory=dict)  # direct client id -> relation
    span: int = 0
    layer: int = 1
    served_share: Fraction | None = None
    served_roles_share: Fraction | None = None


@dataclass
class Result:
    roles: dict[str, RoleResult]  # file order
    inversions: list[Inversion]  # sorted by (-impact_headcount, -net)
    summary: dict[str, object] = field(default_factory=dict)


# --------------------------------------------------------------------------
# basic graph facts


def weights(org: OrgSpec) -> dict[tuple[str, str], Fraction]:
    """w(u->v): flow rows for the same pair added up."""
    w: dict[tuple[str, str], Fraction] = {}
    for src, dst, amount in org.flows:
        w[(src, dst)] = w.get((src, dst), Fraction(0)) + Fraction(amount)
    return w


def inflows(org: OrgSpec, w: dict[tuple[str, str], Fraction]) -> dict[str, Fraction]:
    total = {r.id: Fraction(0) for r in org.roles}
    for (_src, dst), amount in w.items():
        total[dst] += amount
    return total


def coefficients(
    org: OrgSpec, w: dict[tuple[str, str], Fraction]
) -> dict[str, dict[str, Fraction]]:
    """a[v][u] = w(u->v) / W(v) for every payer u (role or client) of role v."""
    big_w = inflows(org, w)
    a: dict[str, dict[str, Fraction]] = {r.id: {} for r in org.roles}
    for (src, dst), amount in w.items():
        a[dst][src] = amount / big_w[dst]
    return a


def reachable_from_clients(org: OrgSpec, w: dict[tuple[str, str], Fraction]) -> set[str]:
    """Roles reachable from some client along edges with money on them."""
    out: dict[str, list[str]] = {}
    for src, dst in w:
        out.setdefault(src, []).append(dst)
    seen: set[str] = set()
    stack = list(org.clients)
    while stack:
        node = stack.pop()
        for nxt in out.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def solve(matrix: list[list[Fraction]], rhs: list[list[Fraction]]) -> list[list[Fraction]]:
    """Solve ``matrix @ X = rhs`` exactly (Gauss-Jordan with Fractions).

    `rhs` is a list of columns; the result is the list of solution columns.
    Raises ZeroDivisionError when the matrix is singular.
    """
    n = len(matrix)
    cols = len(rhs)
    # augmented rows: n matrix entries followed by one entry per right-hand side
    aug = [list(matrix[i]) + [rhs[c][i] for c in range(cols)] for i in range(n)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if aug[r][col] != 0), None)
        if pivot is None:
            raise ZeroDivisionError("singular system")
        aug[col], aug[pivot] = aug[pivot], aug[col]
        p = aug[col][col]
        aug[col] = [x / p for x in aug[col]]
        for r in range(n):
            if r != col and aug[r][col] != 0:
                f = aug[r][col]
                aug[r] = [x - f * y for x, y in zip(aug[r], aug[col], strict=True)]
    return [[aug[i][n + c] for i in range(n)] for c in range(cols)]


def least_solutions(
    org: OrgSpec,
    w: dict[tuple[str, str], Fraction],
    scale: Fraction,
    sources: Sequence[dict[str, Fraction]],
) -> list[dict[str, Fraction]]:
    """Least solutions of ``x(v) = src(v) + scale * sum_u a[v][u] x(u)`` over roles u.

    `sources` gives one right-hand side per system (a value per reachable
    role; missing = 0).  Unreachable roles are 0 in every least solution:
    no client money ever gets there, and ``src`` is only ever nonzero on
    reachable roles here.
    """
    a = coefficients(org, w)
    reach = [r.id for r in org.roles if r.id in reachable_from_clients(org, w)]
    index = {rid: i for i, rid in enumerate(reach)}
    n = len(reach)
    matrix = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    for v in reach:
        for u, coef in a[v].items():
            if u in index:
                matrix[index[v]][index[u]] -= scale * coef
    rhs = [[src.get(v, Fraction(0)) for v in reach] for src in sources]
    for src in sources:
        assert all(val == 0 for rid, val in src.items() if rid not in index)
    columns = solve(matrix, rhs) if n else [[] for _ in sources]
    results = []
    for col in columns:
        res = {r.id: Fraction(0) for r in org.roles}
        for v, val in zip(reach, col, strict=True):
            res[v] = val
        results.append(res)
    return results


# --------------------------------------------------------------------------
# money quantities


@dataclass
class Money:
    """Per-role money quantities: shares[c][v], traced[v], closeness[v], hand-overs[v].

    `handovers[v]` is H(v) = sum over traced paths of probability * h, so
    distance = H / traced.
    """

    shares: dict[str, dict[str, Fraction]]
    traced: dict[str, Fraction]
    closeness: dict[str, Fraction]
    handovers: dict[str, Fraction]


def money_exact(org: OrgSpec, decay: Fraction) -> Money:
    w = weights(org)
    a = coefficients(org, w)
    clients = set(org.clients)
    # b_c(v) = a[v][c]
    per_client = [{v: a[v].get(c, Fraction(0)) for v in org.role_ids} for c in org.clients]
    direct = {
        v: sum((coef for u, coef in a[v].items() if u in clients), Fraction(0))
        for v in org.role_ids
    }
    solved = least_solutions(org, w, Fraction(1), [*per_client, direct])
    shares = dict(zip(org.clients, solved[:-1], strict=True))
    traced = solved[-1]
    (closeness,) = least_solutions(org, w, decay, [direct])
    (handovers,) = least_solutions(org, w, Fraction(1), [traced])
    return Money(shares, traced, closeness, handovers)


def path_sums_acyclic(org: OrgSpec, decay: Fraction) -> Money:
    """Same quantities by explicit enumeration of every money path (acyclic graphs only)."""
    w = weights(org)
    big_w = inflows(org, w)
    out: dict[str, list[str]] = {}
    for src, dst in w:
        out.setdefault(src, []).append(dst)
    roles = org.role_ids
    shares = {c: {v: Fraction(0) for v in roles} for c in org.clients}
    traced = {v: Fraction(0) for v in roles}
    closeness = {v: Fraction(0) for v in roles}
    handovers = {v: Fraction(0) for v in roles}

    def walk(client: str, node: str, prob: Fraction, hops: int, path: set[str]) -> None:
        for nxt in out.get(node, []):
            if nxt in path:
                raise ValueError("money graph has a cycle")
            p = prob * w[(node, nxt)] / big_w[nxt]
            h = hops + 1
            shares[client][nxt] += p
            traced[nxt] += p
            closeness[nxt] += p * decay ** (h - 1)
            handovers[nxt] += p * h
            walk(client, nxt, p, h, path | {nxt})

    for c in org.clients:
        walk(c, c, Fraction(1), 0, {c})
    return Money(shares, traced, closeness, handovers)


def money_cycle_exists(org: OrgSpec) -> bool:
    w = weights(org)
    out: dict[str, list[str]] = {}
    for src, dst in w:
        out.setdefault(src, []).append(dst)
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in out.get(node, []):
            s = state.get(nxt, 0)
            if s == 1 or (s == 0 and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(state.get(n, 0) == 0 and visit(n) for n in [*org.clients, *org.role_ids])


def value_iteration(
    org: OrgSpec, decay: float, rounds: int = 200_000, tol: float = 1e-17
) -> tuple[Money | None, bool]:
    """Float fixed-point iteration from 0 (converges to the least solution).

    Returns (money, converged).  Independent of the exact solver: no
    reachability, no elimination, just the recursive definitions applied
    until nothing changes.
    """
    w = weights(org)
    a = coefficients(org, w)
    roles = org.role_ids
    clients = set(org.clients)
    af = {v: {u: float(c) for u, c in a[v].items()} for v in roles}
    names = [*org.clients, "__traced__", "__close__"]
    x = {n: dict.fromkeys(roles, 0.0) for n in names}
    converged = False
    for _ in range(rounds):
        new: dict[str, dict[str, float]] = {}
        for n in names:
            cur = x[n]
            nxt = {}
            for v in roles:
                s = 0.0
                for u, coef in af[v].items():
                    if u in clients:
                        if n == u or n in ("__traced__", "__close__"):
                            s += coef
                    else:
                        s += coef * (decay * cur[u] if n == "__close__" else cur[u])
                nxt[v] = s
            new[n] = nxt
        delta = max((abs(new[n][v] - x[n][v]) for n in names for v in roles), default=0.0)
        x = new
        if delta <= tol:
            converged = True
            break
    if not converged:
        return None, False
    traced = x["__traced__"]
    h = dict.fromkeys(roles, 0.0)
    converged = False
    for _ in range(rounds):
        nh = {
            v: traced[v] + sum(coef * h[u] for u, coef in af[v].items() if u not in clients)
            for v in roles
        }
        delta = max((abs(nh[v] - h[v]) for v in roles), default=0.0)
        h = nh
        if delta <= tol * max(1.0, *(abs(t) for t in h.values())):
            converged = True
            break
    fr = {n: {v: Fraction(val) for v, val in x[n].items()} for n in names}
    return (
        Money(
            shares={c: fr[c] for c in org.clients},
            traced=fr["__traced__"],
            closeness=fr["__close__"],
            handovers={v: Fraction(val) for v, val in h.items()},
        ),
        converged,
    )


# --------------------------------------------------------------------------
# hierarchy


def depths(org: OrgSpec) -> dict[str, int]:
    parent = {r.id: r.parent for r in org.roles}
    out: dict[str, int] = {}
    for r in org.roles:
        d, node = 0, parent[r.id]
        while node is not None:
            d += 1
            node = parent[node]
        out[r.id] = d
    return out


def ancestors(org: OrgSpec, rid: str) -> list[str]:
    """Proper ancestors of `rid`, nearest first."""
    parent = {r.id: r.parent for r in org.roles}
    out = []
    node = parent[rid]
    while node is not None:
        out.append(node)
        node = parent[node]
    return out


def subtree_headcount(org: OrgSpec, rid: str) -> Headcount:
    """Exact: 0.1 + 0.2 is 3/10 here, whatever the engine's floats make of it."""
    return sum(
        (r.headcount for r in org.roles if r.id == rid or rid in ancestors(org, r.id)),
        Fraction(0),
    )


def find_inversions(org: OrgSpec) -> list[Inversion]:
    w = weights(org)
    depth = depths(org)
    roles = set(org.role_ids)
    pairs = {frozenset((u, v)) for (u, v) in w if u in roles and v in roles and u != v}
    found = []
    for pair in pairs:
        x, y = sorted(pair)
        for boss, sub in ((x, y), (y, x)):
            if boss in ancestors(org, sub):
                down = w.get((boss, sub), Fraction(0))
                up = w.get((sub, boss), Fraction(0))
                if down - up > 0:
                    found.append(
                        Inversion(
                            boss=boss,
                            subordinate=sub,
                            levels=depth[sub] - depth[boss],
                            net=down - up,
                            boss_to_subordinate=down,
                            subordinate_to_boss=up,
                            impact_headcount=subtree_headcount(org, sub),
                        )
                    )
    found.extend(dotted_inversions(org, w))
    # the SPEC orders by impact then net; ties beyond that are unspecified: the
    # roles' file order (boss, then subordinate), as every other list keeps it
    position = {r.id: i for i, r in enumerate(org.roles)}
    found.sort(
        key=lambda i: (-i.impact_headcount, -i.net, position[i.boss], position[i.subordinate])
    )
    return found


def dotted_inversions(org: OrgSpec, w: dict[tuple[str, str], Fraction]) -> list[Inversion]:
    """A dotted-line boss that is a net payer of the role: one level, whatever the depths."""
    found = []
    for r in org.roles:
        for boss in set(r.dotted):
            down = w.get((boss, r.id), Fraction(0))
            up = w.get((r.id, boss), Fraction(0))
            if down - up > 0:
                found.append(
                    Inversion(
                        boss, r.id, 1, down - up, down, up, subtree_headcount(org, r.id), "dotted"
                    )
                )
    return found


def chain_broken_at(
    org: OrgSpec, inversions: Iterable[Inversion]
) -> dict[str, tuple[str, str] | None]:
    depth = depths(org)
    order = {rid: i for i, rid in enumerate(org.role_ids)}
    invs = list(inversions)
    out: dict[str, tuple[str, str] | None] = {}
    for r in org.roles:
        line = {r.id, *ancestors(org, r.id)}
        cands = [i for i in invs if i.subordinate in line and i.line == "solid"]
        if not cands:
            out[r.id] = None
            continue
        best = min(cands, key=lambda i: (depth[i.boss], order[i.subordinate]))
        out[r.id] = (best.boss, best.subordinate)
    return out


# --------------------------------------------------------------------------
# structure, relations and whom roles serve (SPEC Additions)

SPAN_BANDS = {"1": (1, 1), "2-3": (2, 3), "4-7": (4, 7), "8-12": (8, 12), "13-16": (13, 16)}


def span_of(org: OrgSpec, rid: str) -> int:
    return sum(1 for r in org.roles if r.parent == rid)


def span_bands(org: OrgSpec) -> dict[str, int]:
    bands = dict.fromkeys([*SPAN_BANDS, "17+"], 0)
    for r in org.roles:
        n = span_of(org, r.id)
        if n == 0:
            continue
        label = next((k for k, (lo, hi) in SPAN_BANDS.items() if lo <= n <= hi), "17+")
        bands[label] += 1
    return bands


def relation(org: OrgSpec, role: str, payer: str) -> str:
    """How the payer of `role` stands to it, straight from the SPEC's words."""
    if payer in org.clients:
        return "external"
    dotted = {r.id: set(r.dotted) for r in org.roles}
    if role in ancestors(org, payer) or role in dotted[payer]:
        return "subordinate"
    if payer in ancestors(org, role) or payer in dotted[role]:
        return "boss"
    return "peer"


def served_figures(
    org: OrgSpec,
    rid: str,
    w: dict[tuple[str, str], Fraction],
    shares: dict[str, dict[str, Fraction]],
) -> tuple[Fraction | None, Fraction | None]:
    """(served_share, served_roles_share) of role `rid`: None where not applicable."""
    role = next(r for r in org.roles if r.id == rid)
    inflow = sum((a for (_s, d), a in w.items() if d == rid), Fraction(0))
    if inflow == 0:
        return None, None
    clients = {s for s in role.serves if s in org.clients}
    roles = {s for s in role.serves if s not in org.clients}
    served = sum((shares[c][rid] for c in clients), Fraction(0)) if clients else None
    paid = sum((w.get((u, rid), Fraction(0)) for u in roles), Fraction(0)) / inflow
    return served, paid if roles else None


def paid_by_others(result: RoleResult) -> bool:
    """CC105: it serves someone, and every figure that applies is 0 (at least one does)."""
    applies = [x for x in (result.served_share, result.served_roles_share) if x is not None]
    return bool(applies) and all(x == 0 for x in applies)


def policy_breaches(
    org: OrgSpec,
    result: Result,
    max_layers: int | None,
    min_span: int | None,
    max_span: int | None,
) -> dict[str, list[str]]:
    """The roles of CC206 (on the first layer past max_layers), CC207 and CC208
    (managers with too few or too many direct reports), in file order."""
    roles = result.roles.values()
    return {
        "CC206": [r.id for r in roles if max_layers is not None and r.layer == max_layers + 1],
        "CC207": [r.id for r in roles if min_span is not None and 1 <= r.span < min_span],
        "CC208": [r.id for r in roles if max_span is not None and r.span > max_span],
    }


# --------------------------------------------------------------------------
# the whole analysis


def analyze(
    org: OrgSpec, decay: Fraction | float = Fraction(1, 2), method: str = "exact"
) -> Result:
    gamma = Fraction(decay)
    assert 0 < gamma < 1
    if method == "exact":
        money = money_exact(org, gamma)
    elif method == "paths":
        money = path_sums_acyclic(org, gamma)
    else:
        raise ValueError(method)
    w = weights(org)
    big_w = inflows(org, w)
    clients = set(org.clients)
    invs = find_inversions(org)
    broken = chain_broken_at(org, invs)
    roles: dict[str, RoleResult] = {}
    depth = depths(org)
    for r in org.roles:
        v = r.id
        traced = money.traced[v]
        direct: dict[str, Fraction] = {}
        for (src, dst), amount in w.items():
            if dst != v:
                continue
            if src in clients:
                direct[src] = amount
            else:
                net = amount - w.get((v, src), Fraction(0))
                if net > 0:
                    direct[src] = net
        roles[v] = RoleResult(
            id=v,
            headcount=r.headcount,
            parent=r.parent,
            inflow=big_w[v],
            closeness=money.closeness[v],
            alienation=1 - money.closeness[v],
            distance=money.handovers[v] / traced if traced != 0 else None,
            traced_share=traced,
            shares={c: money.shares[c][v] for c in org.clients if money.shares[c][v] > 0},
            clients=direct,
            chain_broken_at=broken[v],
            relations={u: relation(org, v, u) for u in direct},
            span=span_of(org, v),
            layer=depth[v] + 1,
        )
        roles[v].served_share, roles[v].served_roles_share = served_figures(org, v, w, money.shares)
    total_hc = sum((r.headcount for r in org.roles), Fraction(0))
    org_alienation = (
        sum((r.headcount * roles[r.id].alienation for r in org.roles), Fraction(0)) / total_hc
        if total_hc
        else None
    )
    by_relation = dict.fromkeys(("external", "subordinate", "boss", "peer"), Fraction(0))
    for res in roles.values():
        for u, net in res.clients.items():
            by_relation[res.relations[u]] += net
    summary: dict[str, object] = {
        "roles": len(org.roles),
        "headcount": total_hc,
        "clients": len(org.clients),
        "flows": len(org.flows),
        "money_in": sum((Fraction(a) for s, _d, a in org.flows if s in clients), Fraction(0)),
        "org_alienation": org_alienation,
        "inversions": len(invs),
        "unfunded_roles": sum(1 for v in roles.values() if v.traced_share == 0),
        "layers": max((res.layer for res in roles.values()), default=0),
        "span_bands": span_bands(org),
        "money_by_relation": by_relation,
    }
    return Result(roles=roles, inversions=invs, summary=summary)


def top_provenance(shares: dict[str, Fraction], k: int) -> list[tuple[str, Fraction]]:
    """Largest shares first, ties by client id; k == 0 lists every share > 0."""
    ranked = sorted(((c, s) for c, s in shares.items() if s > 0), key=lambda cs: (-cs[1], cs[0]))
    return ranked if k == 0 else ranked[:k]
