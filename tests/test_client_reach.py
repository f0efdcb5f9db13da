"""Each client's touchpoints, lowest common boss, departments, fragmentation, owner reach
and `summary.client_money_owned`, against the brute-force oracle (tests/oracle_clients.py).

Small random orgs go through YAML and the loader (forests, odd ids, `serves`, owners,
dotted lines that must not count); larger ones (up to thousands of roles, deep chains,
file order unlike the hierarchy's) are built as an `Org` directly, so the range-minimum
search of the lowest common boss crosses its blocks. A 100,000-level chain is a valid
input.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import clientchain
from clientchain.analyses.analyze import Analysis
from clientchain.analyses.clients import client_reach, client_results
from clientchain.graph.hierarchy import build_forest
from clientchain.graph.money import build_money_graph
from clientchain.model.org import NO_OWNER, NO_PARENT, Links, Org
from tests.oracle_clients import (
    ClientsSpec,
    Customer,
    Place,
    client_findings,
    client_money_owned,
    clients_exact,
)
from tests.orgs import org_specs

RATIO_TOL = 1e-9
# Case matters ('Sales' != 'sales'); a name may begin another, be longer than a word of
# eight bytes, or not be ASCII (the loader numbers departments by their bytes).
DEPARTMENTS = (
    "Sales",
    "Service",
    "Billing",
    "sales",
    "Sale",
    "Sales EMEA",
    "Research & Development (Europe)",
    "Ventes été",
)


# --- building the inputs ---------------------------------------------------------------


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ids(names: tuple[str, ...]) -> str:
    return "[" + ", ".join(_quote(n) for n in names) + "]"


def render(spec: ClientsSpec, dotted: dict[str, tuple[str, ...]]) -> str:
    """The org chart as a person writes it, with departments, serves, owners, dotted lines."""
    lines = ["org: Clients", "clients:"]
    for c in spec.clients:
        lines.append(f"  - id: {_quote(c.id)}")
        if c.owner is not None:
            lines.append(f"    owner: {_quote(c.owner)}")
    lines.append("roles:")
    for r in spec.roles:
        lines.append(f"  - id: {_quote(r.id)}")
        if r.parent is not None:
            lines.append(f"    reports_to: {_quote(r.parent)}")
        if r.department is not None:
            lines.append(f"    department: {_quote(r.department)}")
        if r.serves:
            lines.append(f"    serves: {_ids(r.serves)}")
        if dotted.get(r.id):
            lines.append(f"    dotted_to: {_ids(dotted[r.id])}")
    lines.append("flows:" if spec.flows else "flows: []")
    for src, dst, amount in spec.flows:
        lines.append(f"  - {{from: {_quote(src)}, to: {_quote(dst)}, amount: {amount}}}")
    return "\n".join(lines) + "\n"


def client_lines(text: str) -> list[int]:
    """1-based line of each client's `- id:` entry in text made by `render`."""
    numbered = enumerate(text.splitlines(), start=1)
    first_role = text.splitlines().index("roles:")
    return [no for no, line in numbered if line.startswith("  - id: ") and no <= first_role]


def org_of(spec: ClientsSpec) -> Org:
    """The same org as the loader would build it, straight from the spec (fast at scale)."""
    r = len(spec.roles)
    index = {p.id: i for i, p in enumerate(spec.roles)}
    node = index | {c.id: r + j for j, c in enumerate(spec.clients)}
    serves = [[node[x] for x in p.serves] for p in spec.roles]
    owners = [index[c.owner] if c.owner is not None else NO_OWNER for c in spec.clients]
    return Org(
        source="org.yaml",
        name=None,
        currency=None,
        role_ids=tuple(index),
        role_titles=(None,) * r,
        role_departments=tuple(p.department for p in spec.roles),
        role_lines=np.arange(r, dtype=np.int64) + 100,
        parent=np.array(
            [index[p.parent] if p.parent is not None else NO_PARENT for p in spec.roles],
            dtype=np.int64,
        ),
        headcount=np.ones(r),
        client_ids=tuple(c.id for c in spec.clients),
        client_titles=(None,) * len(spec.clients),
        client_lines=np.arange(len(spec.clients), dtype=np.int64) + 2,
        flow_payer=np.array([node[s] for s, _d, _a in spec.flows], dtype=np.int64),
        flow_payee=np.array([index[d] for _s, d, _a in spec.flows], dtype=np.int64),
        flow_amount=np.array([float(a) for _s, _d, a in spec.flows], dtype=np.float64),
        serves=Links(
            np.r_[0, np.cumsum([len(s) for s in serves])].astype(np.int64),
            np.array([x for s in serves for x in s], dtype=np.int64),
        )
        if any(serves)
        else Links(),
        client_owner=np.array(owners, dtype=np.int64)
        if any(o != NO_OWNER for o in owners)
        else np.zeros(0, dtype=np.int64),
    )


@st.composite
def small_specs(draw: st.DrawFn) -> tuple[ClientsSpec, dict[str, tuple[str, ...]]]:
    """Random forests with money (tests/orgs.py), then departments, serves, owners and
    dotted lines (which must not change any client figure)."""
    base = draw(org_specs(max_roles=9))
    ids = [r.id for r in base.roles]
    parent = {r.id: r.parent for r in base.roles}

    def above(rid: str) -> set[str]:
        found, boss = set(), parent[rid]
        while boss is not None:
            found.add(boss)
            boss = parent[boss]
        return found

    roles = []
    for r in base.roles:
        whom = [x for x in [*base.clients, *ids] if x != r.id]
        serves = draw(st.lists(st.sampled_from(whom), max_size=3, unique=True)) if whom else []
        department = draw(st.one_of(st.none(), st.sampled_from(DEPARTMENTS)))
        roles.append(Place(r.id, r.parent, department, tuple(serves)))
    owner = st.one_of(st.none(), st.sampled_from(ids))
    clients = tuple(Customer(c, draw(owner)) for c in base.clients)
    dotted: dict[str, tuple[str, ...]] = {}
    for rid in ids:  # to a role neither above nor below it, never both ways
        free = [
            b
            for b in ids
            if b != rid and b not in above(rid) and rid not in above(b)
            if rid not in dotted.get(b, ())
        ]
        if free and draw(st.integers(0, 3)) == 0:
            dotted[rid] = (draw(st.sampled_from(free)),)
    return ClientsSpec(tuple(roles), clients, base.flows), dotted


def large_spec(seed: int, roles: int, clients: int, chain: bool) -> ClientsSpec:
    """A random forest of `roles` (a long chain with short branches when `chain`), its
    file order shuffled, with clients paying and served by random roles."""
    rng = np.random.default_rng(seed)
    parent = np.full(roles, NO_PARENT, dtype=np.int64)
    for v in range(1, roles):  # in hierarchy order each role reports to an earlier one
        if chain:
            parent[v] = v - 1 if rng.random() < 0.9 else rng.integers(0, v)
        elif rng.random() >= 0.01:
            parent[v] = rng.integers(max(0, v - 50), v)
    file_order = rng.permutation(roles)
    name = [f"r{v}" for v in range(roles)]
    places = []
    client_ids = [f"c{j}" for j in range(clients)]
    for v in file_order.tolist():
        serves = tuple(client_ids[j] for j in range(clients) if rng.random() < 2 / roles)
        department = DEPARTMENTS[rng.integers(0, 3)] if rng.random() < 0.7 else None
        boss = name[parent[v]] if parent[v] != NO_PARENT else None
        places.append(Place(name[v], boss, department, serves))
    flows: list[tuple[str, str, int | Fraction]] = []
    for c in client_ids:
        spread = int(rng.choice([0, 1, 2, 5, 40]))
        flows += [(c, name[v], int(rng.integers(1, 1000))) for v in rng.integers(0, roles, spread)]
        if rng.random() < 0.5:  # all inside one subtree: a held client
            top = int(rng.integers(0, roles))
            below = [v for v in range(top, roles) if _is_under(parent, v, top)][:30]
            flows += [(c, name[v], int(rng.integers(1, 1000))) for v in below]
    owners = [
        Customer(c, name[int(rng.integers(0, roles))] if rng.random() < 0.5 else None)
        for c in client_ids
    ]
    return ClientsSpec(tuple(places), tuple(owners), tuple(flows))


def _is_under(parent: np.ndarray, v: int, boss: int) -> bool:
    while v != NO_PARENT:
        if v == boss:
            return True
        v = int(parent[v])
    return False


# --- comparing -------------------------------------------------------------------------


def check_against_oracle(result: Analysis, spec: ClientsSpec, lines: list[int]) -> None:
    expected = clients_exact(spec)
    assert [c.id for c in result.clients] == [c.id for c in expected]
    for got, want, line in zip(result.clients, expected, lines, strict=True):
        shown = (
            got.owner,
            Fraction(got.money_out),  # whole amounts add up exactly
            list(got.touchpoint_roles),
            got.touchpoints,
            list(got.departments),
            got.lowest_common_boss,
            got.fragmented,
            got.line,
        )
        assert shown == (
            want.owner,
            want.money_out,
            want.touchpoints,
            len(want.touchpoints),
            want.departments,
            want.lowest_common_boss,
            want.fragmented,
            line,
        ), want
    owned, exact = result.summary.client_money_owned, client_money_owned(spec)
    if exact is None:
        assert owned is None
    else:
        assert owned is not None and abs(Fraction(owned) - exact) <= RATIO_TOL
    made = [
        (f.code, f.client, dict(f.data), f.line, f.role, f.level.value)
        for f in result.findings
        if f.code in ("CC106", "CC107")
    ]
    line_of = dict(zip((c.id for c in spec.clients), lines, strict=True))
    wanted = [
        (code, client, data, line_of[client], "", "warning")
        for code, client, data in client_findings(spec)
    ]
    assert sorted(made, key=_by_line_code) == sorted(wanted, key=_by_line_code)
    by_client = {(f.code, f.client): f.message for f in result.findings}
    for want in expected:
        if want.fragmented:
            assert by_client["CC106", want.id] == fragmented_message(want.id, want.departments)
        if want.outside:
            assert by_client["CC107", want.id] == out_of_reach_message(
                want.id, want.owner or "", want.outside, len(want.touchpoints)
            )


def _by_line_code(finding: tuple[str, object, object, int, str, str]) -> tuple[int, str]:
    return finding[3], finding[0]


def _names(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return (
        ", ".join(quoted)
        if len(quoted) <= 10
        else f"{', '.join(quoted[:10])} and {len(quoted) - 10} more"
    )


def fragmented_message(client: str, departments: list[str]) -> str:
    return (
        f"client '{client}' is served across {len(departments)} departments "
        f"({_names(departments)}) and no role below a top holds them all: "
        "nobody owns the relationship"
    )


def out_of_reach_message(client: str, owner: str, outside: list[str], touchpoints: int) -> str:
    lie = "lies" if len(outside) == 1 else "lie"
    s = "" if touchpoints == 1 else "s"
    return (
        f"client '{client}' is owned by '{owner}', but {len(outside)} of its {touchpoints} "
        f"touchpoint{s} {lie} outside the owner's reach: {_names(outside)}"
    )


# --- the tests -------------------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_specs())
def test_small_orgs_agree_with_the_oracle(
    drawn: tuple[ClientsSpec, dict[str, tuple[str, ...]]],
) -> None:
    spec, dotted = drawn
    text = render(spec, dotted)
    note(text)
    result = clientchain.analyze(clientchain.loads(text, source="org.yaml"))
    check_against_oracle(result, spec, client_lines(text))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([65, 200, 1500]),
    st.integers(1, 6),
    st.booleans(),
)
def test_larger_orgs_and_deep_chains_agree_with_the_oracle(
    seed: int, roles: int, clients: int, chain: bool
) -> None:
    spec = large_spec(seed, roles, clients, chain)
    result = clientchain.analyze(org_of(spec))
    check_against_oracle(result, spec, [j + 2 for j in range(clients)])


def test_a_client_that_pays_nobody_and_is_served_by_nobody_has_no_touchpoints() -> None:
    text = render(
        ClientsSpec(
            (Place("ceo"), Place("seller", "ceo", "Sales")),
            (Customer("buyers"), Customer("ghost", "seller")),
            (("buyers", "seller", 100), ("seller", "ceo", 50)),
        ),
        {},
    )
    result = clientchain.analyze(clientchain.loads(text, source="org.yaml"))
    ghost = result.clients[1]
    assert (ghost.touchpoints, ghost.touchpoint_roles, ghost.departments) == (0, (), ())
    assert (ghost.lowest_common_boss, ghost.fragmented, ghost.money_out) == (None, False, 0.0)
    assert ghost.owner == "seller"
    # buyers: its only touchpoint is the seller, below a top: held, all of money_in.
    assert result.clients[0].lowest_common_boss == "seller"
    assert result.summary.client_money_owned == 1.0
    assert [f.code for f in result.findings if f.client == "ghost"] == ["CC103"]


def test_client_money_owned_is_null_when_no_client_pays() -> None:
    text = render(ClientsSpec((Place("ceo"),), (Customer("buyers", "ceo"),), ()), {})
    result = clientchain.analyze(clientchain.loads(text, source="org.yaml"))
    assert result.summary.client_money_owned is None


def test_an_owner_at_the_top_holds_everything_but_owns_no_money() -> None:
    """R must not be a top: the chief executive 'owning' a client says nothing."""
    spec = ClientsSpec(
        (Place("ceo"), Place("seller", "ceo", "Sales"), Place("billing", "ceo", "Billing")),
        (Customer("buyers", "ceo"), Customer("fleets", "seller")),
        (("buyers", "seller", 300), ("buyers", "billing", 100), ("fleets", "seller", 100)),
    )
    result = clientchain.analyze(clientchain.loads(render(spec, {}), source="org.yaml"))
    assert result.summary.client_money_owned == 0.2  # fleets' 100 of 500
    # buyers is fragmented; its owner, the top, holds both touchpoints: no CC107.
    assert [(f.code, f.client) for f in result.findings if f.client] == [("CC106", "buyers")]


def deep_chain(depth: int) -> ClientsSpec:
    """r0 .. r{depth-1} in one reporting line, a billing role under r0 and a separate
    top; `deep` is held inside the chain, `spread` only by r0, `apart` by nobody."""
    places = [Place("r0")]
    places += [Place(f"r{v}", f"r{v - 1}", None) for v in range(1, depth - 1)]
    places += [Place(f"r{depth - 1}", f"r{depth - 2}", "Sales")]
    places += [Place("billing", "r0", "Billing"), Place("island", None, "Service")]
    owner, middle, bottom = f"r{depth * 7 // 10}", f"r{depth // 2}", f"r{depth - 1}"
    places[depth * 7 // 10] = Place(owner, f"r{depth * 7 // 10 - 1}", None, ("deep",))
    return ClientsSpec(
        tuple(places),
        (Customer("deep", owner), Customer("spread"), Customer("apart")),
        (
            ("deep", bottom, 10),
            ("deep", middle, 5),
            ("spread", bottom, 7),
            ("spread", "billing", 3),
            ("apart", bottom, 1),
            ("apart", "island", 1),
        ),
    )


@pytest.mark.slow
def test_the_clients_of_a_100000_level_chain() -> None:
    """Deep chains are valid inputs: no recursion, no walk per level per client (the
    clients analysis alone; the whole pipeline is the slow test below)."""
    spec = deep_chain(100_000)
    org = org_of(spec)
    reach = client_reach(org, build_money_graph(org), build_forest(org.parent))
    got = [
        (c.touchpoint_roles, c.departments, c.lowest_common_boss, c.fragmented)
        for c in client_results(org, reach)
    ]
    assert got == [
        (tuple(c.touchpoints), tuple(c.departments), c.lowest_common_boss, c.fragmented)
        for c in clients_exact(spec)
    ]
    assert got == [
        (("r50000", "r70000", "r99999"), ("Sales",), "r50000", False),
        (("r99999", "billing"), ("Billing", "Sales"), "r0", True),  # r0 is the top
        (("r99999", "island"), ("Sales", "Service"), None, True),  # two trees
    ]
    assert [reach.outside(j) for j in range(3)] == [[org.role_index["r50000"]], [], []]


@pytest.mark.slow
def test_a_100000_level_chain_through_the_loader() -> None:
    spec = deep_chain(100_000)
    text = render(spec, {})
    result = clientchain.analyze(clientchain.loads(text, source="org.yaml"))
    check_against_oracle(result, spec, client_lines(text))
    assert result.summary.client_money_owned == 0  # deep's owner misses r50000


@pytest.mark.parametrize("seed", range(4))
def test_touchpoints_placed_a_few_at_a_time_agree_with_the_oracle(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Touchpoints are placed against their owner's subtree a chunk at a time (millions
    where roles have several clients): chunks of 7, across clients' runs, give the
    oracle's figures as one chunk does."""
    import clientchain.analyses.clients as clients_module

    monkeypatch.setattr(clients_module, "_TOUCH_CHUNK", 7)
    spec = large_spec(seed, 200, 6, False)
    result = clientchain.analyze(org_of(spec))
    check_against_oracle(result, spec, [j + 2 for j in range(6)])


@pytest.mark.parametrize("seed", range(3))
def test_departments_found_by_sorting_agree_with_the_oracle(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client's departments come from a table of clients x departments where that is
    small, else from sorting every touchpoint's key (many departments): both give the
    oracle's, through the loader (departments in bytes) as from strings."""
    import clientchain.analyses.clients as clients_module

    monkeypatch.setattr(clients_module, "_TABLE_CELLS", 0)
    monkeypatch.setattr(clients_module, "_TABLE_PER_TOUCHPOINT", 0)
    spec = large_spec(seed, 200, 6, False)
    check_against_oracle(clientchain.analyze(org_of(spec)), spec, [j + 2 for j in range(6)])
    text = render(spec, {})
    loaded = clientchain.analyze(clientchain.loads(text, source="org.yaml"))
    check_against_oracle(loaded, spec, client_lines(text))
