"""clientchain's JSON document against a brute-force exact oracle (tests/oracle.py).

The oracle is checked against itself first: exact elimination vs explicit
path enumeration on acyclic money graphs, and vs plain fixed-point iteration
on cyclic ones.  Then random orgs (money cycles, duplicate rows, unfunded
roles, closed loops, shuffled file order) are rendered as YAML, run through
`clientchain.loads` / `analyze` / `json_document`, and every figure is
compared.  A few hand-computed cases pin the numbers independently of both.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from tests import oracle
from tests.oracle import OrgSpec, Result, Role
from tests.orgs import (
    cyclic_org_specs,
    engine_document,
    leaky_loop_chains,
    org_specs,
    render_yaml,
    role_lines,
)

RATIO_TOL = 1e-9
SLOW = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]

decays = st.one_of(
    st.just(0.5),
    st.floats(0.05, 0.95, exclude_min=True, exclude_max=True, allow_nan=False),
)


def close(actual: object, expected: Fraction | int | None, what: str, scaled: bool = False) -> None:
    """`actual` (a JSON number) equals `expected` within 1e-9 (relative to max(1, |x|))."""
    if expected is None:
        assert actual is None, f"{what}: expected null, engine gave {actual!r}"
        return
    assert isinstance(actual, int | float) and not isinstance(actual, bool), (
        f"{what}: expected a number ~{float(expected)!r}, engine gave {actual!r}"
    )
    tol = RATIO_TOL * max(1.0, abs(float(expected))) if scaled else RATIO_TOL
    assert abs(Fraction(actual) - Fraction(expected)) <= tol, (
        f"{what}: engine {actual!r} != oracle {float(expected)!r} ({expected})"
    )


def same_count(actual: object, expected: Fraction | int, what: str) -> None:
    """A headcount (FTE) as the JSON document must state it: a whole one as an integer,
    a fractional one as the double nearest to the exact value (0.1 + 0.2 is 0.3, the
    shortest text that reads back as it, never 0.30000000000000004)."""
    exact = Fraction(expected)
    if exact.denominator == 1:
        assert type(actual) is int and actual == exact, f"{what}: {actual!r} != {exact}"
    else:
        assert type(actual) is float and actual == float(exact), (
            f"{what}: engine {actual!r} != oracle {float(exact)!r} ({exact})"
        )


def check_provenance(
    role: dict[str, Any], shares: dict[str, Fraction], traced: Fraction, top: int, rid: str
) -> None:
    listed = role["provenance"]
    expected = oracle.top_provenance(shares, top)
    assert isinstance(listed, list)
    assert len(listed) == len(expected), (
        f"{rid}: provenance lists {[p['client'] for p in listed]}, "
        f"oracle (top {top}) {[(c, float(s)) for c, s in expected]}"
    )
    for entry in listed:
        assert set(entry) >= {"client", "share"}, entry
        assert entry["client"] in shares, (
            f"{rid}: provenance lists {entry['client']!r} whose exact share is 0"
        )
        close(entry["share"], shares[entry["client"]], f"{rid}: share of {entry['client']!r}")
    # order: largest first; exact ties by client id
    for first, second in itertools.pairwise(listed):
        a, b = shares[first["client"]], shares[second["client"]]
        assert a >= b - Fraction(1, 10**12), f"{rid}: provenance not largest first: {listed}"
        if a == b:
            assert first["client"] < second["client"], (
                f"{rid}: exact tie {a} not ordered by client id: {listed}"
            )
    # the chosen clients are the largest ones (a near-tie below 1e-12 may go either way)
    for (want_c, want_s), entry in zip(expected, listed, strict=True):
        if entry["client"] != want_c:
            got_s = shares[entry["client"]]
            assert got_s != want_s and abs(got_s - want_s) < Fraction(1, 10**12), (
                f"{rid}: provenance {[p['client'] for p in listed]}, "
                f"oracle {[(c, float(s)) for c, s in expected]}"
            )
    rest = traced - sum((shares[p["client"]] for p in listed), Fraction(0))
    close(role["provenance_rest"], rest, f"{rid}: provenance_rest")


def check_document(doc: dict[str, Any], org: OrgSpec, text: str, decay: float, top: int) -> None:
    want: Result = oracle.analyze(org, Fraction(decay))
    assert doc["schema_version"] == 1
    close(doc["decay"], Fraction(decay), "decay")

    # ---- roles, file order
    roles = doc["roles"]
    assert [r["id"] for r in roles] == org.role_ids, "roles must keep file order"
    for role in roles:
        rid = role["id"]
        exp = want.roles[rid]
        assert role["reports_to"] == exp.parent, f"{rid}: reports_to"
        same_count(role["headcount"], exp.headcount, f"{rid}: headcount")
        close(role["inflow"], exp.inflow, f"{rid}: inflow", scaled=True)
        close(role["closeness"], exp.closeness, f"{rid}: closeness")
        close(role["alienation"], exp.alienation, f"{rid}: alienation")
        close(role["traced_share"], exp.traced_share, f"{rid}: traced_share")
        close(role["distance"], exp.distance, f"{rid}: distance", scaled=True)
        got_clients = {c["id"]: c["net"] for c in role["clients"]}
        assert len(got_clients) == len(role["clients"]), f"{rid}: a client listed twice"
        assert set(got_clients) == set(exp.clients), (
            f"{rid}: direct clients {sorted(got_clients)} != oracle {sorted(exp.clients)}"
        )
        for cid, net in exp.clients.items():
            close(got_clients[cid], net, f"{rid}: net from client {cid!r}", scaled=True)
        check_provenance(role, exp.shares, exp.traced_share, top, rid)
        got_break = role["chain_broken_at"]
        if exp.chain_broken_at is None:
            assert got_break is None, f"{rid}: chain_broken_at {got_break}, oracle null"
        else:
            boss, sub = exp.chain_broken_at
            assert got_break == {"boss": boss, "subordinate": sub}, (
                f"{rid}: chain_broken_at {got_break}, oracle {exp.chain_broken_at}"
            )

    # ---- inversions: all fields; order by impact_headcount, then net (both descending).
    # Ties beyond those two keys are not specified, so they are compared as a set.
    got_inv = doc["inversions"]
    assert len(got_inv) == len(want.inversions), (
        f"inversions: engine {[(i['boss'], i['subordinate']) for i in got_inv]}, "
        f"oracle {[(i.boss, i.subordinate) for i in want.inversions]}"
    )
    keys = [(i["impact_headcount"], i["net"]) for i in got_inv]
    assert all(
        a[0] > b[0] or (a[0] == b[0] and a[1] >= b[1] - 1e-9) for a, b in itertools.pairwise(keys)
    ), f"inversions not sorted by impact then net, descending: {keys}"
    by_pair = {(i["boss"], i["subordinate"]): i for i in got_inv}
    assert len(by_pair) == len(got_inv), "an inversion listed twice"
    for pos, inv in enumerate(want.inversions):
        got = by_pair.get((inv.boss, inv.subordinate))
        assert got is not None, f"missing inversion {inv}"
        label = f"inversion {inv.boss}->{inv.subordinate}"
        assert got["levels"] == inv.levels, f"{label}: levels {got['levels']} != {inv.levels}"
        same_count(got["impact_headcount"], inv.impact_headcount, f"{label}: impact_headcount")
        close(got["net"], inv.net, f"{label}: net", scaled=True)
        close(got["boss_to_subordinate"], inv.boss_to_subordinate, f"{label}: b2s", scaled=True)
        close(got["subordinate_to_boss"], inv.subordinate_to_boss, f"{label}: s2b", scaled=True)
        # same sort keys at every position as the oracle's order
        same_count(got_inv[pos]["impact_headcount"], inv.impact_headcount, "inversion order")
        close(got_inv[pos]["net"], inv.net, f"inversion order at {pos}", scaled=True)

    # ---- summary
    summary = doc["summary"]
    exp_s = want.summary
    for key in ("roles", "clients", "flows", "inversions", "unfunded_roles"):
        assert summary[key] == exp_s[key], f"summary.{key}: {summary[key]} != {exp_s[key]}"
    total = exp_s["headcount"]
    assert isinstance(total, Fraction | int)
    same_count(summary["headcount"], total, "summary.headcount")
    money_in = exp_s["money_in"]
    assert isinstance(money_in, Fraction)
    close(summary["money_in"], money_in, "summary.money_in", scaled=True)
    org_alienation = exp_s["org_alienation"]
    assert org_alienation is None or isinstance(org_alienation, Fraction)
    close(summary["org_alienation"], org_alienation, "summary.org_alienation")

    # ---- findings: CC101 per inversion, CC102 per unfunded role, each at its role's line
    lines = role_lines(text)
    findings = doc["findings"]
    cc101 = [f for f in findings if f["code"] == "CC101"]
    cc102 = [f for f in findings if f["code"] == "CC102"]
    assert len(cc101) == len(want.inversions), "one CC101 finding per inversion"
    unfunded = [rid for rid, r in want.roles.items() if r.traced_share == 0]
    assert sorted(f["role"] for f in cc102) == sorted(unfunded), "CC102 findings"
    for f in cc101:
        assert (f["rule"], f["level"]) == ("inverted-relationship", "error"), f
    for f in cc102:
        assert (f["rule"], f["level"]) == ("no-paying-client", "warning"), f
    for f in cc101 + cc102:
        assert f["file"] == "org.yaml", f
        assert f["line"] == lines[f["role"]], f"finding {f} not at line {lines[f['role']]}"


def run_and_check(org: OrgSpec, decay: float, top: int, omit_hc: bool = False) -> None:
    text = render_yaml(org, omit_default_headcount=omit_hc)
    note(text)
    note(f"decay={decay!r} top_clients={top}")
    doc = engine_document(text, decay=decay, top_clients=top)
    check_document(doc, org, text, decay, top)


# --------------------------------------------------------------------------
# the oracle checked against itself


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=SLOW)
@given(org=org_specs(), decay=decays)
def test_oracle_elimination_equals_path_enumeration_on_acyclic_orgs(
    org: OrgSpec, decay: float
) -> None:
    assume(not oracle.money_cycle_exists(org))
    gamma = Fraction(decay)
    exact = oracle.money_exact(org, gamma)
    paths = oracle.path_sums_acyclic(org, gamma)
    assert exact == paths


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(org=cyclic_org_specs(), decay=decays)
def test_oracle_elimination_equals_fixed_point_iteration_on_cyclic_orgs(
    org: OrgSpec, decay: float
) -> None:
    assert oracle.money_cycle_exists(org)
    exact = oracle.money_exact(org, Fraction(decay))
    iterated, converged = oracle.value_iteration(org, decay, rounds=20_000)
    assume(converged)
    assert iterated is not None
    for v in org.role_ids:
        assert abs(exact.traced[v] - iterated.traced[v]) < 1e-12
        assert abs(exact.closeness[v] - iterated.closeness[v]) < 1e-12
        for c in org.clients:
            assert abs(exact.shares[c][v] - iterated.shares[c][v]) < 1e-12
        tol = 1e-9 * max(Fraction(1), exact.handovers[v])
        assert abs(exact.handovers[v] - iterated.handovers[v]) < tol


# --------------------------------------------------------------------------
# engine vs oracle on random orgs


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=SLOW)
@given(org=org_specs(), decay=decays, omit_hc=st.booleans())
def test_engine_matches_oracle_on_many_orgs(org: OrgSpec, decay: float, omit_hc: bool) -> None:
    run_and_check(org, decay, top=0, omit_hc=omit_hc)  # the quick one's 150, many more


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=SLOW)
@given(org=cyclic_org_specs(), decay=decays, omit_hc=st.booleans())
def test_engine_matches_oracle_with_money_cycles(org: OrgSpec, decay: float, omit_hc: bool) -> None:
    run_and_check(org, decay, top=0, omit_hc=omit_hc)


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(org=org_specs(), decay=decays, omit_hc=st.booleans())
def test_engine_matches_oracle(org: OrgSpec, decay: float, omit_hc: bool) -> None:
    run_and_check(org, decay, top=0, omit_hc=omit_hc)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=SLOW)
@given(org=org_specs(), decay=decays, top=st.sampled_from([1, 2]))
def test_engine_top_clients_lists_the_largest(org: OrgSpec, decay: float, top: int) -> None:
    # with K=1 the one listed client is a largest one and provenance_rest is
    # traced_share minus its share (check_provenance does both)
    run_and_check(org, decay, top=top)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
@given(org=leaky_loop_chains(), decay=decays)
def test_engine_matches_oracle_on_nested_leaky_loops(org: OrgSpec, decay: float) -> None:
    # badly conditioned systems: the SPEC still asks for the least solution to 1e-12
    run_and_check(org, decay, top=0)


# --------------------------------------------------------------------------
# hand-computed cases


def doc_for(text: str, decay: float = 0.5, top: int = 0) -> dict[str, Any]:
    return engine_document(text, decay=decay, top_clients=top)


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in doc["roles"]}


SELLER_MANAGER = """\
org: Hand case 1
clients:
  - id: buyers
roles:
  - id: manager
  - id: seller
    reports_to: manager
    headcount: 6
flows:
  - {from: buyers, to: seller, amount: 100}
  - {from: seller, to: manager, amount: 100}
"""
SELLER_MANAGER_SPEC = OrgSpec(
    (Role("manager"), Role("seller", "manager", 6)),
    ("buyers",),
    (("buyers", "seller", 100), ("seller", "manager", 100)),
)


def test_hand_seller_passes_money_to_manager() -> None:
    # seller: all inflow straight from buyers: h = 1, closeness 1, distance 1.
    # manager: all inflow from seller, i.e. buyers -> seller -> manager, h = 2:
    #   closeness = 0.5^(2-1) = 0.5, alienation 0.5, distance 2, traced_share 1.
    # org alienation = (6 * 0 + 1 * 0.5) / 7 = 1/14.  No inversion (money flows up).
    doc = doc_for(SELLER_MANAGER)
    roles = by_id(doc)
    close(roles["seller"]["closeness"], Fraction(1), "seller closeness")
    close(roles["seller"]["distance"], Fraction(1), "seller distance")
    close(roles["manager"]["closeness"], Fraction(1, 2), "manager closeness")
    close(roles["manager"]["alienation"], Fraction(1, 2), "manager alienation")
    close(roles["manager"]["distance"], Fraction(2), "manager distance")
    close(roles["manager"]["traced_share"], Fraction(1), "manager traced_share")
    assert roles["manager"]["clients"] == [{"id": "seller", "net": 100, "relation": "subordinate"}]
    assert roles["seller"]["clients"] == [{"id": "buyers", "net": 100, "relation": "external"}]
    assert roles["manager"]["provenance"] == [{"client": "buyers", "share": 1.0}]
    close(doc["summary"]["org_alienation"], Fraction(1, 14), "org_alienation")
    assert doc["summary"]["money_in"] == 100
    assert doc["summary"]["flows"] == 2
    assert doc["inversions"] == []
    # at decay 0.8 the manager's closeness is 0.8
    manager = by_id(doc_for(SELLER_MANAGER, decay=0.8))["manager"]
    close(manager["closeness"], Fraction(0.8), "manager closeness at decay 0.8")


BUDGET_LOOP = """\
clients:
  - id: c
roles:
  - id: boss
  - id: seller
    reports_to: boss
    headcount: 3
flows:
  - {from: c, to: seller, amount: 100}
  - {from: seller, to: boss, amount: 100}
  - {from: boss, to: seller, amount: 100}
  - {from: boss, to: seller, amount: 50}
"""
BUDGET_LOOP_SPEC = OrgSpec(
    (Role("boss"), Role("seller", "boss", 3)),
    ("c",),
    (
        ("c", "seller", 100),
        ("seller", "boss", 100),
        ("boss", "seller", 100),
        ("boss", "seller", 50),
    ),
)


def test_hand_budget_loop_is_an_inversion() -> None:
    # w(boss->seller) = 100 + 50 = 150 (rows add up); W(seller) = 250, W(boss) = 100.
    # closeness: s = 100/250 * 1 + 150/250 * 0.5 * b,  b = 100/100 * 0.5 * s
    #   s = 2/5 + 3/5 * 1/4 * s  ->  17/20 s = 2/5  ->  s = 8/17,  b = 4/17.
    # distance: H = T + A H with T = 1 everywhere:
    #   Hs = 1 + 3/5 Hb,  Hb = 1 + Hs  ->  2/5 Hs = 8/5  ->  Hs = 4,  Hb = 5.
    # inversion: boss is seller's direct boss, net boss->seller = 150 - 100 = 50 > 0:
    #   levels 1, net 50, b2s 150, s2b 100, impact_headcount 3 (seller's subtree).
    # direct clients of the seller: c (100) and the boss (net boss->seller = +50);
    # the boss has none (net seller->boss = -50).
    doc = doc_for(BUDGET_LOOP)
    roles = by_id(doc)
    close(roles["seller"]["closeness"], Fraction(8, 17), "seller closeness")
    close(roles["boss"]["closeness"], Fraction(4, 17), "boss closeness")
    close(roles["seller"]["distance"], Fraction(4), "seller distance")
    close(roles["boss"]["distance"], Fraction(5), "boss distance")
    close(roles["seller"]["inflow"], Fraction(250), "seller inflow")
    assert {c["id"]: c["net"] for c in roles["seller"]["clients"]} == {"c": 100, "boss": 50}
    assert roles["boss"]["clients"] == []
    assert doc["inversions"] == [
        {
            "boss": "boss",
            "subordinate": "seller",
            "levels": 1,
            "net": 50,
            "boss_to_subordinate": 150,
            "subordinate_to_boss": 100,
            "impact_headcount": 3,
            "line": "solid",
        }
    ]
    assert roles["seller"]["chain_broken_at"] == {"boss": "boss", "subordinate": "seller"}
    assert roles["boss"]["chain_broken_at"] is None
    assert doc["summary"]["inversions"] == 1
    assert doc["summary"]["flows"] == 4
    # org alienation = (1 * 13/17 + 3 * 9/17) / 4 = 40/68 = 10/17
    close(doc["summary"]["org_alienation"], Fraction(10, 17), "org_alienation")


TWO_CLIENTS = """\
clients:
  - id: c2
  - id: c1
roles:
  - id: m
  - id: r
flows:
  - {from: c1, to: r, amount: 300}
  - {from: c2, to: r, amount: 100}
  - {from: r, to: m, amount: 200}
  - {from: c2, to: m, amount: 200}
"""
TWO_CLIENTS_SPEC = OrgSpec(
    (Role("m"), Role("r")),
    ("c2", "c1"),
    (("c1", "r", 300), ("c2", "r", 100), ("r", "m", 200), ("c2", "m", 200)),
)


def test_hand_two_clients_provenance() -> None:
    # r: 300 from c1, 100 from c2 -> shares c1 3/4, c2 1/4.
    # m: W = 400, half from r (split 3/4 : 1/4), half straight from c2:
    #   c1 = 1/2 * 3/4 = 3/8,  c2 = 1/2 * 1/4 + 1/2 = 5/8.
    #   closeness = 1/2 * 0.5 + 1/2 * 1 = 3/4; distance = 1/2 * 2 + 1/2 * 1 = 3/2.
    # top_clients=1: m lists c2 (5/8), rest 3/8; r lists c1 (3/4), rest 1/4.
    roles = by_id(doc_for(TWO_CLIENTS, top=0))
    assert [p["client"] for p in roles["m"]["provenance"]] == ["c2", "c1"]
    close(roles["m"]["provenance"][0]["share"], Fraction(5, 8), "m c2")
    close(roles["m"]["provenance"][1]["share"], Fraction(3, 8), "m c1")
    close(roles["m"]["provenance_rest"], Fraction(0), "m rest")
    close(roles["m"]["closeness"], Fraction(3, 4), "m closeness")
    close(roles["m"]["distance"], Fraction(3, 2), "m distance")
    roles = by_id(doc_for(TWO_CLIENTS, top=1))
    assert [p["client"] for p in roles["m"]["provenance"]] == ["c2"]
    close(roles["m"]["provenance_rest"], Fraction(3, 8), "m rest (top 1)")
    assert [p["client"] for p in roles["r"]["provenance"]] == ["c1"]
    close(roles["r"]["provenance_rest"], Fraction(1, 4), "r rest (top 1)")


CLOSED_LOOP = """\
clients:
  - id: c
roles:
  - id: x
  - id: y
  - id: idle
    headcount: 0
  - id: z
flows:
  - {from: x, to: y, amount: 10}
  - {from: y, to: x, amount: 10}
  - {from: c, to: z, amount: 5}
"""
CLOSED_LOOP_SPEC = OrgSpec(
    (Role("x"), Role("y"), Role("idle", None, 0), Role("z")),
    ("c",),
    (("x", "y", 10), ("y", "x", 10), ("c", "z", 5)),
)


def test_hand_closed_loop_and_idle_role_are_unfunded() -> None:
    # x <-> y only pass money between themselves: no external origin, so the least
    # solution gives traced_share 0, closeness 0, alienation 1, distance null.
    # idle gets nothing at all: inflow 0, same figures.  z: closeness 1.
    # x and y are not each other's direct clients (net 0 both ways).
    # org alienation = (1 + 1 + 0*1 + 0) / 3 = 2/3.  Unfunded: x, y, idle.
    doc = doc_for(CLOSED_LOOP)
    roles = by_id(doc)
    for rid in ("x", "y", "idle"):
        close(roles[rid]["traced_share"], Fraction(0), f"{rid} traced")
        close(roles[rid]["closeness"], Fraction(0), f"{rid} closeness")
        close(roles[rid]["alienation"], Fraction(1), f"{rid} alienation")
        assert roles[rid]["distance"] is None
        assert roles[rid]["provenance"] == []
        assert roles[rid]["clients"] == []
    close(roles["x"]["inflow"], Fraction(10), "x inflow")
    close(roles["idle"]["inflow"], Fraction(0), "idle inflow")
    close(roles["z"]["closeness"], Fraction(1), "z closeness")
    assert doc["summary"]["unfunded_roles"] == 3
    close(doc["summary"]["org_alienation"], Fraction(2, 3), "org_alienation")
    assert sorted(f["role"] for f in doc["findings"] if f["code"] == "CC102") == ["idle", "x", "y"]


LEAKY_LOOP_SPEC = OrgSpec(
    (Role("x"), Role("y"), Role("z")),
    ("c",),
    (("x", "y", 10), ("y", "x", 10), ("c", "z", 5), ("z", "x", 5)),
)
LEAKY_LOOP = render_yaml(LEAKY_LOOP_SPEC)


def test_hand_loop_fed_from_outside_is_fully_traced() -> None:
    # Same loop, but z (paid by c) passes 5 into x.  W(x) = 15, W(y) = 10.
    # T: Tx = 1/3 * 1 + 2/3 * Ty, Ty = Tx  ->  Tx = Ty = 1 (all money eventually
    #   comes from c, however many times it went round).
    # closeness: kx = 1/3 * 0.5 * 1 + 2/3 * 0.5 * ky, ky = 0.5 * kx -> kx = 1/6 + kx/6
    #   -> kx = 1/5, ky = 1/10.
    # distance: Hx = 1 + 1/3 * Hz + 2/3 * Hy, Hz = 1, Hy = 1 + Hx -> Hx/3 = 2 -> 6; Hy = 7.
    roles = by_id(doc_for(LEAKY_LOOP))
    close(roles["x"]["traced_share"], Fraction(1), "x traced")
    close(roles["y"]["traced_share"], Fraction(1), "y traced")
    close(roles["x"]["closeness"], Fraction(1, 5), "x closeness")
    close(roles["y"]["closeness"], Fraction(1, 10), "y closeness")
    close(roles["x"]["distance"], Fraction(6), "x distance")
    close(roles["y"]["distance"], Fraction(7), "y distance")


BROKEN_CHAIN = """\
clients:
  - id: buyers
roles:
  - id: low
    reports_to: mid
    headcount: 4
  - id: mid
    reports_to: top
    headcount: 2
  - id: top
  - id: side
    reports_to: top
    headcount: 5
flows:
  - {from: buyers, to: low, amount: 1000}
  - {from: low, to: mid, amount: 100}
  - {from: mid, to: low, amount: 300}
  - {from: top, to: mid, amount: 500}
  - {from: top, to: low, amount: 70}
  - {from: mid, to: top, amount: 20}
  - {from: side, to: top, amount: 40}
"""
BROKEN_CHAIN_SPEC = OrgSpec(
    (Role("low", "mid", 4), Role("mid", "top", 2), Role("top"), Role("side", "top", 5)),
    ("buyers",),
    (
        ("buyers", "low", 1000),
        ("low", "mid", 100),
        ("mid", "low", 300),
        ("top", "mid", 500),
        ("top", "low", 70),
        ("mid", "top", 20),
        ("side", "top", 40),
    ),
)


def test_hand_broken_chain_and_inversion_order() -> None:
    # Hierarchy top(0) > mid(1) > low(2); top > side(1).
    # Inversions (boss -> subordinate, net):
    #   top->mid: 500 - 20 = 480 > 0, levels 1, impact = mid + low = 2 + 4 = 6
    #   mid->low: 300 - 100 = 200 > 0, levels 1, impact = 4
    #   top->low: 70 - 0 = 70 > 0, levels 2, impact = 4
    #   side->top is money up: not an inversion.
    # Order: impact desc, then net desc: top->mid (6), mid->low (4, 200), top->low (4, 70).
    # chain_broken_at: low -> candidates with subordinate in {low, mid, top}: top->mid
    #   (boss depth 0), mid->low (1), top->low (0); ties at depth 0 by file order of the
    #   subordinate: low (line order 0) before mid (1) -> top->low.
    #   mid -> top->mid.  top, side -> null.
    doc = doc_for(BROKEN_CHAIN)
    assert [
        (i["boss"], i["subordinate"], i["levels"], i["net"], i["impact_headcount"])
        for i in doc["inversions"]
    ] == [
        ("top", "mid", 1, 480, 6),
        ("mid", "low", 1, 200, 4),
        ("top", "low", 2, 70, 4),
    ]
    roles = by_id(doc)
    assert roles["low"]["chain_broken_at"] == {"boss": "top", "subordinate": "low"}
    assert roles["mid"]["chain_broken_at"] == {"boss": "top", "subordinate": "mid"}
    assert roles["top"]["chain_broken_at"] is None
    assert roles["side"]["chain_broken_at"] is None
    # side gets no money: unfunded
    assert doc["summary"]["unfunded_roles"] == 1
    assert doc["summary"]["money_in"] == 1000


TINY_SHARE = """\
clients:
  - id: c
roles:
  - id: a
  - id: z
flows:
  - {from: c, to: a, amount: 1}
  - {from: z, to: a, amount: 10000000000000}
"""


def test_hand_tiny_client_share_is_still_a_paying_client() -> None:
    # a: W = 1 + 10^13, of which 1 comes straight from the paying client c and the rest
    # from z, which gets no money at all.  share(a, c) = traced_share(a) = 1 / (10^13 + 1),
    # about 1e-13: tiny but not 0 -- c is a paying client of a (and listed among a's
    # clients), so a is NOT unfunded ("none of the money that reaches it comes from a
    # paying client" is false).  Its traced money is paid directly: distance 1.
    # Only z is unfunded.  (traced_share and the share print as 0.0 at 12 decimals.)
    doc = doc_for(TINY_SHARE, top=0)
    a = by_id(doc)["a"]
    assert {c["id"] for c in a["clients"]} == {"c", "z"}
    assert a["distance"] is not None, "a has traced money (from c), so distance is not null"
    close(a["distance"], Fraction(1), "a distance")
    assert [p["client"] for p in a["provenance"]] == ["c"], "top_clients=0 lists every share > 0"
    assert doc["summary"]["unfunded_roles"] == 1
    assert [f["role"] for f in doc["findings"] if f["code"] == "CC102"] == ["z"]


TINY_CHAIN_SPEC = OrgSpec(
    tuple(Role(f"a{i}") for i in range(9)) + tuple(Role(f"z{i}") for i in range(9)),
    ("c",),
    (
        ("c", "a0", 1),
        *((f"a{i - 1}", f"a{i}", 1) for i in range(1, 9)),
        *((f"z{i}", f"a{i}", 1000) for i in range(9)),
    ),
)
TINY_CHAIN = render_yaml(TINY_CHAIN_SPEC)
# c -> a0 -> a1 -> ... -> a8 passes 1 along; each a_i also gets 1000 from z_i, which
# gets nothing.  traced_share(a_i) = 1/1001^(i+1) (down to ~1e-27), distance(a_i) = i + 1
# exactly, and only the nine z_i are unfunded.


NESTED_LOOPS = """\
clients:
  - id: c
roles:
  - id: a
  - id: b
  - id: d
  - id: e
flows:
  - {from: c, to: a, amount: 1}
  - {from: b, to: a, amount: 1000}
  - {from: a, to: b, amount: 1}
  - {from: d, to: b, amount: 1000}
  - {from: b, to: d, amount: 1}
  - {from: e, to: d, amount: 1000}
  - {from: d, to: e, amount: 1}
"""
NESTED_LOOPS_SPEC = OrgSpec(
    (Role("a"), Role("b"), Role("d"), Role("e")),
    ("c",),
    (("c", "a", 1), ("b", "a", 1000), ("a", "b", 1), ("d", "b", 1000), ("b", "d", 1),
     ("e", "d", 1000), ("d", "e", 1)),
)  # fmt: skip


def test_hand_nested_loops_trace_all_money_to_the_client() -> None:
    # Every role is reachable from c and every unit of money anywhere started at c
    # (the only outside source), so traced_share = 1 for all four roles, exactly.
    # Money crosses each loop ~1000 times before it moves on: by the oracle's exact
    # solve, distance(a) = 2002002001 and distance(e) = 2004006004.
    roles = by_id(doc_for(NESTED_LOOPS))
    for rid in ("a", "b", "d", "e"):
        close(roles[rid]["traced_share"], Fraction(1), f"{rid} traced_share")
        close(roles[rid]["provenance"][0]["share"], Fraction(1), f"{rid} share of c")
    close(roles["a"]["distance"], Fraction(2002002001), "a distance", scaled=True)
    close(roles["e"]["distance"], Fraction(2004006004), "e distance", scaled=True)


HAND_CASES = [
    (SELLER_MANAGER_SPEC, SELLER_MANAGER),
    (BUDGET_LOOP_SPEC, BUDGET_LOOP),
    (TWO_CLIENTS_SPEC, TWO_CLIENTS),
    (CLOSED_LOOP_SPEC, CLOSED_LOOP),
    (LEAKY_LOOP_SPEC, LEAKY_LOOP),
    (BROKEN_CHAIN_SPEC, BROKEN_CHAIN),
    (TINY_CHAIN_SPEC, TINY_CHAIN),
    (NESTED_LOOPS_SPEC, NESTED_LOOPS),
]


def test_oracle_on_hand_cases() -> None:
    """The oracle reproduces the hand-derived numbers above (oracle self-check)."""
    r = oracle.analyze(SELLER_MANAGER_SPEC).roles
    assert (r["manager"].closeness, r["manager"].distance) == (Fraction(1, 2), Fraction(2))
    r = oracle.analyze(BUDGET_LOOP_SPEC).roles
    assert (r["seller"].closeness, r["boss"].closeness) == (Fraction(8, 17), Fraction(4, 17))
    assert (r["seller"].distance, r["boss"].distance) == (Fraction(4), Fraction(5))
    assert r["seller"].clients == {"c": 100, "boss": 50}
    r = oracle.analyze(TWO_CLIENTS_SPEC).roles
    assert r["m"].shares == {"c1": Fraction(3, 8), "c2": Fraction(5, 8)}
    assert (r["m"].closeness, r["m"].distance) == (Fraction(3, 4), Fraction(3, 2))
    res = oracle.analyze(CLOSED_LOOP_SPEC)
    assert res.summary["unfunded_roles"] == 3
    assert res.summary["org_alienation"] == Fraction(2, 3)
    assert res.roles["x"].distance is None
    r = oracle.analyze(LEAKY_LOOP_SPEC).roles
    assert (r["x"].closeness, r["y"].closeness) == (Fraction(1, 5), Fraction(1, 10))
    assert (r["x"].distance, r["y"].distance) == (Fraction(6), Fraction(7))
    r = oracle.analyze(NESTED_LOOPS_SPEC).roles
    assert all(r[v].traced_share == 1 for v in "abde")
    assert (r["a"].distance, r["e"].distance) == (Fraction(2002002001), Fraction(2004006004))
    res = oracle.analyze(BROKEN_CHAIN_SPEC)
    assert [(i.boss, i.subordinate) for i in res.inversions] == [
        ("top", "mid"),
        ("mid", "low"),
        ("top", "low"),
    ]
    assert res.roles["low"].chain_broken_at == ("top", "low")
    assert res.roles["mid"].chain_broken_at == ("top", "mid")
    # and the oracle's own path enumeration agrees on the acyclic one
    acyclic = oracle.path_sums_acyclic(SELLER_MANAGER_SPEC, Fraction(1, 2))
    assert acyclic == oracle.money_exact(SELLER_MANAGER_SPEC, Fraction(1, 2))


@pytest.mark.parametrize(
    ("spec", "text"),
    HAND_CASES,
    ids=["seller-manager", "budget-loop", "two-clients", "closed-loop", "leaky-loop",
         "broken-chain", "tiny-chain", "nested-loops"],
)  # fmt: skip
def test_engine_matches_oracle_on_hand_cases(spec: OrgSpec, text: str) -> None:
    for decay in (0.5, 0.3):
        for top in (0, 1):
            check_document(doc_for(text, decay=decay, top=top), spec, text, decay, top)
