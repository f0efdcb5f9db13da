"""Properties of clientchain's JSON document that hold for every org.

No oracle here: bounds and identities between the reported figures, invariance
under reordering the input file, metamorphic checks (splitting or scaling flow
rows), and a 100,000-level reporting chain that must not recurse per level.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tests.oracle import OrgSpec
from tests.orgs import cyclic_org_specs, engine_document, org_specs, render_yaml, shuffled

TOL = 1e-9
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]

decays = st.one_of(
    st.just(0.5),
    st.floats(0.05, 0.95, exclude_min=True, exclude_max=True, allow_nan=False),
)
any_orgs = st.one_of(org_specs(), cyclic_org_specs())


def near(a: float | None, b: float | None, scaled: bool = False) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOL * (max(1.0, abs(b)) if scaled else 1.0)


def document(org: OrgSpec, decay: float, top: int = 0) -> dict[str, Any]:
    text = render_yaml(org)
    note(text)
    return engine_document(text, decay=decay, top_clients=top)


# --------------------------------------------------------------------------
# bounds and identities


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=SLOW)
@given(org=any_orgs, decay=decays, top=st.sampled_from([0, 1, 2, 5]))
def test_bounds_and_identities(org: OrgSpec, decay: float, top: int) -> None:
    doc = document(org, decay, top)
    unfunded = 0
    for role in doc["roles"]:
        rid = role["id"]
        closeness, alienation = role["closeness"], role["alienation"]
        traced, distance = role["traced_share"], role["distance"]
        assert 0 <= alienation <= 1, f"{rid}: alienation {alienation}"
        assert 0 <= closeness <= 1, f"{rid}: closeness {closeness}"
        assert near(closeness + alienation, 1.0), f"{rid}: closeness + alienation"
        assert 0 <= traced <= 1, f"{rid}: traced_share {traced}"
        # gamma^(h-1) <= 1 for every traced unit, untraced money contributes 0
        assert closeness <= traced + TOL, f"{rid}: closeness {closeness} > traced {traced}"
        listed = role["provenance"]
        assert len(listed) <= (top or len(listed)), f"{rid}: more than {top} listed"
        shares = [p["share"] for p in listed]
        # (an exact share > 0 may print as 0.0 once rounded to 12 decimals)
        assert all(s >= 0 for s in shares), f"{rid}: provenance with a negative share: {listed}"
        assert all(a >= b for a, b in itertools.pairwise(shares)), f"{rid}: not largest first"
        assert len({p["client"] for p in listed}) == len(listed)
        rest = role["provenance_rest"]
        assert rest >= -TOL, f"{rid}: negative provenance_rest {rest}"
        assert near(math.fsum(shares) + rest, traced), (
            f"{rid}: shares {shares} + rest {rest} != traced {traced}"
        )
        if distance is None:
            # null distance <=> no traced money at all <=> an unfunded role
            unfunded += 1
            assert traced == 0, f"{rid}: distance null but traced_share {traced}"
            assert closeness == 0, f"{rid}: unfunded but closeness {closeness}"
            assert listed == [], f"{rid}: unfunded but provenance {listed}"
        else:
            assert distance >= 1 - TOL, f"{rid}: distance {distance} < 1"
            # Jensen: gamma^(x-1) is convex, so E[gamma^(h-1)] >= gamma^(E[h]-1) on traced money
            if traced > 1e-6:
                bound = traced * decay ** (distance - 1)
                assert closeness >= bound - 1e-9, f"{rid}: closeness {closeness} < {bound}"
        assert role["inflow"] >= 0
        if role["inflow"] == 0:
            assert traced == 0 and closeness == 0 and distance is None, rid
    summary = doc["summary"]
    assert summary["unfunded_roles"] == unfunded
    assert summary["inversions"] == len(doc["inversions"])
    assert summary["roles"] == len(doc["roles"])
    for inv in doc["inversions"]:
        assert inv["net"] > 0
        assert near(inv["net"], inv["boss_to_subordinate"] - inv["subordinate_to_boss"], True)
        assert inv["levels"] >= 1
        assert inv["impact_headcount"] >= 0


# --------------------------------------------------------------------------
# the order of the file does not matter


def per_role(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in doc["roles"]}


def assert_same_results(a: dict[str, Any], b: dict[str, Any], flows_differ: bool = False) -> None:
    ra, rb = per_role(a), per_role(b)
    assert set(ra) == set(rb)
    for rid, x in ra.items():
        y = rb[rid]
        for key in ("reports_to", "headcount"):
            assert x[key] == y[key], f"{rid}: {key} {x[key]!r} vs {y[key]!r}"
        for key in ("closeness", "alienation", "traced_share", "provenance_rest"):
            assert near(x[key], y[key]), f"{rid}: {key} {x[key]!r} vs {y[key]!r}"
        for key in ("inflow", "distance"):
            assert near(x[key], y[key], scaled=True), f"{rid}: {key} {x[key]!r} vs {y[key]!r}"
        cx = {c["id"]: c["net"] for c in x["clients"]}
        cy = {c["id"]: c["net"] for c in y["clients"]}
        assert cx.keys() == cy.keys(), f"{rid}: clients {cx} vs {cy}"
        assert all(near(cx[k], cy[k], scaled=True) for k in cx), f"{rid}: clients {cx} vs {cy}"
        px = [p["client"] for p in x["provenance"]]
        py = [p["client"] for p in y["provenance"]]
        assert px == py, f"{rid}: provenance {x['provenance']} vs {y['provenance']}"
        assert all(
            near(p["share"], q["share"])
            for p, q in zip(x["provenance"], y["provenance"], strict=True)
        ), f"{rid}: provenance {x['provenance']} vs {y['provenance']}"
        # chain_broken_at's subordinate may legitimately change with file order (ties
        # between inversions whose bosses have the same depth go by file order), but
        # the boss is the one ancestor of the role at that depth, so it must not
        bx, by = x["chain_broken_at"], y["chain_broken_at"]
        assert (bx is None) == (by is None), f"{rid}: chain_broken_at {bx} vs {by}"
        if bx is not None:
            assert bx["boss"] == by["boss"], f"{rid}: chain_broken_at {bx} vs {by}"

    # inversions: same set, same (impact, net) keys in the same order; ties beyond
    # those keys are unspecified
    def pair(i: dict[str, Any]) -> tuple[str, str]:
        return (i["boss"], i["subordinate"])

    ia, ib = a["inversions"], b["inversions"]
    assert sorted(ia, key=pair) == sorted(ib, key=pair)
    assert [(i["impact_headcount"], i["net"]) for i in ia] == [
        (i["impact_headcount"], i["net"]) for i in ib
    ]
    sa, sb = a["summary"], b["summary"]
    for k in ("roles", "headcount", "clients", "inversions", "unfunded_roles"):
        assert sa[k] == sb[k], f"summary.{k}: {sa[k]} vs {sb[k]}"
    if not flows_differ:
        assert sa["flows"] == sb["flows"]
    assert near(sa["money_in"], sb["money_in"], scaled=True)
    assert near(sa["org_alienation"], sb["org_alienation"])


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=SLOW)
@given(org=any_orgs, decay=decays, seed=st.integers(0, 2**32 - 1), top=st.sampled_from([0, 2]))
def test_file_order_does_not_change_results(
    org: OrgSpec, decay: float, seed: int, top: int
) -> None:
    other = shuffled(org, seed)
    note(f"shuffled:\n{render_yaml(other)}")
    assert_same_results(document(org, decay, top), document(other, decay, top))


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
@given(org=any_orgs, decay=decays, data=st.data())
def test_splitting_a_flow_row_changes_nothing_but_the_row_count(
    org: OrgSpec, decay: float, data: st.DataObject
) -> None:
    big = [i for i, (_s, _d, amount) in enumerate(org.flows) if amount >= 2]
    if not big:
        return
    i = data.draw(st.sampled_from(big))
    src, dst, amount = org.flows[i]
    assert isinstance(amount, int)  # the generated orgs write whole amounts
    part = data.draw(st.integers(1, amount - 1))
    rows = [*org.flows[:i], (src, dst, part), *org.flows[i + 1 :], (src, dst, amount - part)]
    split = OrgSpec(org.roles, org.clients, tuple(rows))
    a, b = document(org, decay), document(split, decay)
    assert b["summary"]["flows"] == a["summary"]["flows"] + 1
    assert_same_results(a, b, flows_differ=True)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
@given(org=any_orgs, decay=decays, factor=st.integers(2, 1000))
def test_scaling_every_amount_scales_only_the_amounts(
    org: OrgSpec, decay: float, factor: int
) -> None:
    scaled = OrgSpec(org.roles, org.clients, tuple((s, d, a * factor) for s, d, a in org.flows))
    a, b = document(org, decay), document(scaled, decay)
    for x, y in zip(a["roles"], b["roles"], strict=True):
        assert near(x["inflow"] * factor, y["inflow"], scaled=True)
        for key in ("closeness", "traced_share", "provenance_rest"):
            assert near(x[key], y[key]), f"{x['id']}: {key} {x[key]} vs {y[key]}"
        assert near(x["distance"], y["distance"], scaled=True)
        assert [p["client"] for p in x["provenance"]] == [p["client"] for p in y["provenance"]]
    assert near(a["summary"]["money_in"] * factor, b["summary"]["money_in"], scaled=True)
    inv_a = {(i["boss"], i["subordinate"]): i for i in a["inversions"]}
    inv_b = {(i["boss"], i["subordinate"]): i for i in b["inversions"]}
    assert inv_a.keys() == inv_b.keys()
    for pair, inv in inv_a.items():
        assert near(inv["net"] * factor, inv_b[pair]["net"], scaled=True), pair
        assert inv["impact_headcount"] == inv_b[pair]["impact_headcount"], pair


# --------------------------------------------------------------------------
# a 100,000-level reporting chain


def chain_yaml(n: int) -> str:
    """r0 (top) <- r1 <- ... <- r{n-1} (bottom), listed bottom first.

    buyers pay the bottom role 100; every role passes 100 to its boss; the top
    role also sends 1000 down to r1 (a budget: r0 -> r1 is an inversion).
    """
    out = ["org: Long chain", "clients:", '  - id: "buyers"', "roles:"]
    for i in reversed(range(n)):
        out.append(f'  - id: "r{i}"')
        if i:
            out.append(f'    reports_to: "r{i - 1}"')
    out.append("flows:")
    out.append(f'  - {{from: "buyers", to: "r{n - 1}", amount: 100}}')
    for i in range(n - 1, 0, -1):
        out.append(f'  - {{from: "r{i}", to: "r{i - 1}", amount: 100}}')
    out.append('  - {from: "r0", to: "r1", amount: 1000}')
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("n", [6, pytest.param(100_000, marks=pytest.mark.slow)])
def test_long_reporting_chain(n: int) -> None:
    # For i >= 2, r_i's money all comes from r_{i+1}, and ultimately from buyers
    # after (n - i) hand-overs: closeness 0.5^(n-1-i), distance n - i, traced 1.
    # r1: W = 100 (from r2) + 1000 (from r0); r0: W = 100 (from r1).  With T = 1:
    #   H1 = 1 + 1/11 * H2 + 10/11 * H0,  H0 = 1 + H1,  H2 = n - 2
    #   -> H1 / 11 = 1 + (n - 2) / 11 + 10 / 11  ->  H1 = n + 19,  H0 = n + 20.
    # The only inversion: r0 -> r1, net 900, impact n - 1 (everyone below r0).
    doc = engine_document(chain_yaml(n), decay=0.5, top_clients=5)
    roles = per_role(doc)
    assert [r["id"] for r in doc["roles"]] == [f"r{i}" for i in reversed(range(n))]
    for i in range(2, n):
        role = roles[f"r{i}"]
        assert near(role["distance"], float(n - i), scaled=True), (i, role["distance"])
        assert near(role["traced_share"], 1.0), (i, role["traced_share"])
        assert near(role["inflow"], 100.0), (i, role["inflow"])
        assert near(role["closeness"], 0.5 ** (n - 1 - i)), (i, role["closeness"])
        assert role["chain_broken_at"] == {"boss": "r0", "subordinate": "r1"}, i
    bottom = roles[f"r{n - 1}"]
    assert bottom["closeness"] == 1.0 and bottom["distance"] == 1.0
    assert near(roles[f"r{n - 2}"]["closeness"], 0.5)
    assert near(roles[f"r{n - 3}"]["closeness"], 0.25)
    assert near(roles["r1"]["distance"], float(n + 19), scaled=True)
    assert near(roles["r0"]["distance"], float(n + 20), scaled=True)
    assert near(roles["r1"]["inflow"], 1100.0)
    assert roles["r1"]["chain_broken_at"] == {"boss": "r0", "subordinate": "r1"}
    assert roles["r0"]["chain_broken_at"] is None
    if n > 100:
        # 0.5^(n-2) underflows: the top of the chain is fully alienated
        assert near(roles["r0"]["closeness"], 0.0) and near(roles["r1"]["closeness"], 0.0)
        # closeness sums to 2 - 0.5^(n-3) ~ 2 over n roles of headcount 1
        assert near(doc["summary"]["org_alienation"], 1 - 2 / n)
    assert doc["inversions"] == [
        {"boss": "r0", "subordinate": "r1", "levels": 1, "net": 900,
         "boss_to_subordinate": 1000, "subordinate_to_boss": 100, "impact_headcount": n - 1,
         "line": "solid"}
    ]  # fmt: skip
    summary = doc["summary"]
    assert (summary["roles"], summary["headcount"], summary["flows"]) == (n, n, n + 1)
    assert (summary["money_in"], summary["inversions"], summary["unfunded_roles"]) == (100, 1, 0)


def test_chain_expectations_match_the_oracle() -> None:
    """The formulas used in test_long_reporting_chain, checked on a short chain."""
    from tests import oracle
    from tests.oracle import Role

    n = 7
    spec = OrgSpec(
        tuple(Role(f"r{i}", f"r{i - 1}" if i else None) for i in reversed(range(n))),
        ("buyers",),
        (
            ("buyers", f"r{n - 1}", 100),
            *((f"r{i}", f"r{i - 1}", 100) for i in range(n - 1, 0, -1)),
            ("r0", "r1", 1000),
        ),
    )
    res = oracle.analyze(spec, Fraction(1, 2))
    for i in range(2, n):
        assert res.roles[f"r{i}"].closeness == Fraction(1, 2 ** (n - 1 - i))
        assert res.roles[f"r{i}"].distance == n - i
    assert res.roles["r1"].distance == n + 19
    assert res.roles["r0"].distance == n + 20
    assert [(i.boss, i.subordinate, i.net, i.impact_headcount) for i in res.inversions] == [
        ("r0", "r1", Fraction(900), n - 1)
    ]
