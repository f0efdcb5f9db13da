"""Spans, layers, dotted-line inversions, relations and served shares (SPEC Additions)
against the brute-force oracle (tests/oracle.py), on generated orgs with matrices
(dotted lines), `serves`, money cycles and forests, plus a few cases worked by hand.

The engine's figures are read from the `Analysis` (what every renderer shows); the
oracle computes them from the SPEC's words with Fractions and shares no code with it.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import clientchain
from clientchain.analyses.analyze import Analysis
from clientchain.analyses.overview import overview
from tests import oracle
from tests.oracle import OrgSpec, Role
from tests.orgs import cyclic_org_specs, org_specs, render_yaml, role_lines

TOL = 1e-9
SLOW = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
Limits = tuple[int | None, int | None, int | None]  # max_layers, min_span, max_span


@st.composite
def matrix_org_specs(draw: st.DrawFn, max_roles: int = 9) -> OrgSpec:
    """A generated org (forest, money cycles, closed loops) with dotted lines as the
    SPEC allows them (not to itself, a solid ancestor or descendant, nor both ways),
    money along some of them (either way), and `serves` naming roles and clients."""
    base = draw(
        st.one_of(org_specs(max_roles=max_roles), cyclic_org_specs())
        if max_roles >= 2
        else org_specs(max_roles=max_roles)
    )
    ids = base.role_ids
    above = {rid: set(oracle.ancestors(base, rid)) for rid in ids}
    dotted: dict[str, list[str]] = {rid: [] for rid in ids}
    for rid in ids:
        allowed = [
            b
            for b in ids
            if b != rid and b not in above[rid] and rid not in above[b] and rid not in dotted[b]
        ]
        if allowed and draw(st.integers(0, 2)) == 0:
            dotted[rid] = draw(st.lists(st.sampled_from(allowed), max_size=2, unique=True))
    flows = list(base.flows)
    amounts = st.sampled_from([100, 200, 300, 7])
    for rid, bosses in dotted.items():
        for boss in bosses:
            if draw(st.booleans()):
                flows.append((boss, rid, draw(amounts)))
            if draw(st.integers(0, 2)) == 0:
                flows.append((rid, boss, draw(amounts)))
    targets = [*ids, *base.clients]
    roles = []
    for r in base.roles:
        serves: list[str] = []
        pool = [t for t in targets if t != r.id]  # empty for a lone role without clients
        if pool and draw(st.integers(0, 2)) == 0:
            serves = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        roles.append(Role(r.id, r.parent, r.headcount, tuple(dotted[r.id]), tuple(serves)))
    return OrgSpec(tuple(roles), base.clients, tuple(draw(st.permutations(flows))))


limits = st.tuples(
    st.none() | st.integers(1, 4), st.none() | st.integers(1, 3), st.none() | st.integers(1, 3)
)


def with_policy(text: str, policy: Limits) -> str:
    keys = ("max_layers", "min_span", "max_span")
    lines = [f"  {key}: {value}" for key, value in zip(keys, policy, strict=True) if value]
    return text + "policy:\n" + "\n".join(lines) + "\n" if lines else text


def analysed(text: str) -> Analysis:
    return clientchain.analyze(clientchain.loads(text, source="org.yaml"))


def close(actual: float | None, expected: Fraction | None, what: str, scale: bool = False) -> None:
    if expected is None:
        assert actual is None, f"{what}: engine {actual!r}, oracle null"
        return
    assert actual is not None, f"{what}: engine null, oracle {float(expected)!r}"
    tol = TOL * max(1.0, abs(float(expected))) if scale else TOL
    assert abs(Fraction(actual) - expected) <= tol, f"{what}: {actual!r} != {float(expected)!r}"


def check(org: OrgSpec, policy: Limits = (None, None, None)) -> None:
    text = with_policy(render_yaml(org), policy)
    note(text)
    got = analysed(text)
    want = oracle.analyze(org)
    written = {r.id: r for r in org.roles}

    for role in got.roles:
        exp, rid = want.roles[role.id], role.id
        assert (role.span, role.layer) == (exp.span, exp.layer), rid
        assert role.dotted_to == written[rid].dotted, rid
        assert role.serves == written[rid].serves, rid
        close(role.served_share, exp.served_share, f"{rid}: served_share")
        close(role.served_roles_share, exp.served_roles_share, f"{rid}: served_roles_share")
        assert {c.id: c.relation for c in role.clients} == exp.relations, rid
        broken = role.chain_broken_at
        assert (None if broken is None else (broken.boss, broken.subordinate)) == (
            exp.chain_broken_at
        ), rid

    # Inversions, solid and dotted: every field; the order by impact, then net (both
    # descending), ties in file order (boss, then subordinate) as the oracle sorts them.
    shown = [(i.boss, i.subordinate, i.line, i.levels) for i in got.inversions]
    expected = [(i.boss, i.subordinate, i.line, i.levels) for i in want.inversions]
    assert shown == expected
    for inv, exp_inv in zip(got.inversions, want.inversions, strict=True):
        assert Fraction(inv.impact_headcount) == exp_inv.impact_headcount
        close(inv.net, exp_inv.net, f"{inv}: net", scale=True)

    summary, exp_s = got.summary, want.summary
    assert summary.inversions == exp_s["inversions"]
    assert summary.layers == exp_s["layers"]
    assert summary.span_bands == exp_s["span_bands"]
    by_relation = exp_s["money_by_relation"]
    assert isinstance(by_relation, dict)
    assert list(summary.money_by_relation) == list(by_relation)
    for name, amount in by_relation.items():
        close(summary.money_by_relation[name], amount, f"money_by_relation.{name}", scale=True)

    lines = role_lines(text)
    found = {code: [f for f in got.findings if f.code == code] for code in oracle_codes()}
    dotted = {(i.boss, i.subordinate) for i in want.inversions if i.line == "dotted"}
    assert len(found["CC101"]) == len(want.inversions)
    for f in found["CC101"]:
        assert f.line == lines[f.role]
        assert ("dotted-line subordinate" in f.message) == ((f.boss, f.role) in dotted), f
    paid_by_others = [rid for rid, r in want.roles.items() if oracle.paid_by_others(r)]
    breaches = oracle.policy_breaches(org, want, *policy)
    for code, roles in [("CC105", paid_by_others), *breaches.items()]:
        assert sorted(f.role for f in found[code]) == sorted(roles), code
        assert all(f.line == lines[f.role] for f in found[code]), code


def oracle_codes() -> tuple[str, ...]:
    return ("CC101", "CC105", "CC206", "CC207", "CC208")


# --------------------------------------------------------------------------
# generated orgs


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(org=matrix_org_specs(), policy=limits)
def test_matrix_figures_match_the_oracle(org: OrgSpec, policy: Limits) -> None:
    check(org, policy)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=SLOW)
@given(org=matrix_org_specs(), policy=limits)
def test_matrix_figures_match_the_oracle_on_many_orgs(org: OrgSpec, policy: Limits) -> None:
    check(org, policy)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(org=matrix_org_specs(max_roles=24), policy=limits)
def test_matrix_figures_match_the_oracle_on_bigger_orgs(org: OrgSpec, policy: Limits) -> None:
    check(org, policy)


def test_the_oracle_is_checked_on_orgs_with_every_new_figure() -> None:
    """The generator really makes what the property tests are about: dotted inversions,
    each relation, served shares of both kinds and CC105 (checked over a fixed sample)."""
    seen: set[str] = set()

    @settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=SLOW)
    @given(org=matrix_org_specs())
    def collect(org: OrgSpec) -> None:
        want = oracle.analyze(org)
        seen.update(f"line:{i.line}" for i in want.inversions)
        for r in want.roles.values():
            seen.update(r.relations.values())
            if r.served_share is not None:
                seen.add("served")
            if r.served_roles_share is not None:
                seen.add("served_roles")
            if oracle.paid_by_others(r):
                seen.add("CC105")

    collect()
    wanted = {"line:solid", "line:dotted", "external", "subordinate", "boss", "peer"}
    assert wanted | {"served", "served_roles", "CC105"} <= seen


# --------------------------------------------------------------------------
# worked by hand

MATRIX = """\
clients:
  - id: buyers
  - id: investors
roles:
  - id: ceo
  - id: unit-head
    reports_to: ceo
  - id: seller
    reports_to: unit-head
    headcount: 4
  - id: cfo
    reports_to: ceo
  - id: partner
    reports_to: cfo
    dotted_to: unit-head
    headcount: 2
  - id: complaints
    reports_to: ceo
    serves: [buyers, seller]
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: unit-head, amount: 600}
  - {from: unit-head, to: ceo, amount: 300}
  - {from: unit-head, to: partner, amount: 100}
  - {from: investors, to: cfo, amount: 400}
  - {from: cfo, to: complaints, amount: 50}
  - {from: ceo, to: complaints, amount: 50}
policy:
  max_layers: 2
  min_span: 2
  max_span: 2
"""


def test_hand_matrix_org() -> None:
    got = analysed(MATRIX)
    roles = {r.id: r for r in got.roles}
    assert [(r.id, r.span, r.layer) for r in got.roles] == [
        ("ceo", 3, 1),
        ("unit-head", 1, 2),
        ("seller", 0, 3),
        ("cfo", 1, 2),
        ("partner", 0, 3),
        ("complaints", 0, 2),
    ]
    assert got.summary.layers == 3
    assert got.summary.span_bands == {"1": 2, "2-3": 1, "4-7": 0, "8-12": 0, "13-16": 0, "17+": 0}
    # The unit head pays its dotted-line report: a dotted inversion of one level, with the
    # partner's two people; it breaks no chain (the partner's chain runs through the cfo).
    # The ceo pays complaints, its direct report: a solid one.
    assert [
        (i.boss, i.subordinate, i.line, i.levels, i.net, i.impact_headcount) for i in got.inversions
    ] == [
        ("unit-head", "partner", "dotted", 1, 100, 2),
        ("ceo", "complaints", "solid", 1, 50, 1),
    ]
    assert roles["partner"].chain_broken_at is None
    assert roles["partner"].dotted_to == ("unit-head",)
    assert [(c.id, c.relation) for c in roles["partner"].clients] == [("unit-head", "boss")]
    assert [(c.id, c.relation) for c in roles["unit-head"].clients] == [("seller", "subordinate")]
    assert [(c.id, c.relation) for c in roles["complaints"].clients] == [
        ("ceo", "boss"),
        ("cfo", "peer"),
    ]
    assert got.summary.money_by_relation == {
        "external": 1400,
        "subordinate": 900,
        "boss": 150,
        "peer": 50,
    }
    # complaints serves the buyers and the seller; half its money is the investors' (via
    # the cfo), half the ceo's, which is the buyers' (via seller and unit head): 1/2.
    assert roles["complaints"].serves == ("buyers", "seller")
    assert roles["complaints"].served_share == 0.5
    assert roles["complaints"].served_roles_share == 0  # the seller pays it nothing
    assert roles["seller"].served_share is None and roles["seller"].served_roles_share is None
    listed = [f"{f.line}: {f.code} {f.message}" for f in got.findings]
    assert listed == [
        "5: CC208 'ceo' has 3 direct reports, more than the policy's maximum of 2 (max_span)",
        "6: CC207 'unit-head' has 1 direct report, fewer than the policy's minimum of 2 (min_span)",
        "8: CC206 'seller' is on layer 3, deeper than the policy's limit of 2 layers (max_layers)",
        "11: CC207 'cfo' has 1 direct report, fewer than the policy's minimum of 2 (min_span)",
        "13: CC101 'unit-head' is a net payer of its dotted-line subordinate 'partner' "
        "(net 100 flows down 1 level): the boss acts as the subordinate's client",
        "13: CC206 'partner' is on layer 3, deeper than the policy's limit of 2 layers "
        "(max_layers)",
        "17: CC101 'ceo' is a net payer of its subordinate 'complaints' (net 50 flows down "
        "1 level): the boss acts as the subordinate's client",
    ]
    # The one solid reporting line inverted of five: the dotted one is no reporting line.
    assert overview(got).inverted_lines == 1


def test_hand_paid_by_others() -> None:
    text = MATRIX.replace("  - {from: ceo, to: complaints, amount: 50}\n", "").split("policy:")[0]
    got = analysed(text)
    complaints = next(r for r in got.roles if r.id == "complaints")
    assert (complaints.served_share, complaints.served_roles_share) == (0, 0)
    assert [f.message for f in got.findings if f.code == "CC105"] == [
        "'complaints' serves 'buyers' and 'seller', but none of its money comes from them: "
        "it is paid by others"
    ]


def test_a_role_that_receives_nothing_is_not_paid_by_others() -> None:
    text = MATRIX.replace("  - {from: cfo, to: complaints, amount: 50}\n", "").replace(
        "  - {from: ceo, to: complaints, amount: 50}\n", ""
    )
    got = analysed(text)
    complaints = next(r for r in got.roles if r.id == "complaints")
    assert (complaints.served_share, complaints.served_roles_share) == (None, None)
    assert [f.code for f in got.findings if f.role == "complaints"] == ["CC102"]


def test_span_bands_always_have_their_six_keys() -> None:
    got = analysed("roles:\n  - id: alone\n")
    assert got.summary.span_bands == dict.fromkeys(["1", "2-3", "4-7", "8-12", "13-16", "17+"], 0)
    assert got.summary.layers == 1


def test_wide_spans_fall_in_their_bands() -> None:
    sizes = [1, 2, 3, 4, 7, 8, 12, 13, 16, 17, 40]
    lines = ["roles:"]
    for m, size in enumerate(sizes):
        lines.append(f"  - id: m{m}")
        lines += [f"  - id: m{m}-r{k}\n    reports_to: m{m}" for k in range(size)]
    got = analysed("\n".join(lines) + "\n")
    assert got.summary.span_bands == {"1": 1, "2-3": 2, "4-7": 2, "8-12": 2, "13-16": 2, "17+": 2}
    assert [r.span for r in got.roles if r.id.count("-") == 0] == sizes
    want = oracle.span_bands(OrgSpec(tuple(Role(r.id, r.reports_to) for r in got.roles), (), ()))
    assert got.summary.span_bands == want


def test_the_oracle_agrees_with_itself_on_relations() -> None:
    """Each payer has exactly one relation, and dotted lines read from both ends."""
    org = OrgSpec(
        (Role("a"), Role("b", "a"), Role("c", "a", dotted=("b",)), Role("d")),
        ("x",),
        (),
    )
    got = {
        (v, u): oracle.relation(org, v, u)
        for v, u in itertools.permutations(["a", "b", "c", "d", "x"], 2)
        if v != "x"
    }
    assert got[("b", "a")] == "boss" and got[("a", "b")] == "subordinate"
    assert got[("c", "b")] == "boss" and got[("b", "c")] == "subordinate"
    assert got[("d", "a")] == "peer" and got[("a", "x")] == "external"


# --------------------------------------------------------------------------
# the policy's limits, as read


@pytest.mark.parametrize(
    ("policy", "problem"),
    [
        ("  max_layers: 0\n", "org.yaml:4:15: max_layers must be a whole number >= 1, found '0'"),
        ("  min_span: 1.5\n", "org.yaml:4:13: min_span must be a whole number >= 1, found '1.5'"),
        ("  max_span: '9'\n", "org.yaml:4:13: max_span must be a whole number >= 1, found '9'"),
        ("  max_span: [9]\n", "org.yaml:4:13: max_span must be a whole number >= 1, found a list"),
        (
            "  max_spans: 9\n",
            "org.yaml:4:3: unknown key 'max_spans' in policy is not used"
            " (did you mean 'max_span'?)",
        ),
    ],
)
def test_a_bad_limit_is_a_problem_at_its_place(policy: str, problem: str) -> None:
    text = "roles:\n  - id: alone\npolicy:\n" + policy
    with pytest.raises(clientchain.InputError) as caught:
        clientchain.loads(text, source="org.yaml")
    assert [str(p) for p in caught.value.problems] == [problem]


def test_limits_are_read_alike_by_both_loaders() -> None:
    """The flat org chart (fast reader) and the same one in flow style (precise reader)
    give the same findings, at the same lines."""
    flat = MATRIX
    flowed = MATRIX.replace("policy:\n  max_layers: 2\n  min_span: 2\n  max_span: 2\n", "") + (
        "policy: {max_layers: 2, min_span: 2, max_span: 2}\n"
    )
    listed = [
        [(f.line, f.code, f.role) for f in analysed(text).findings if f.code >= "CC2"]
        for text in (flat, flowed)
    ]
    assert listed[0] == listed[1] != []
