"""A policy applied to findings kept as rows gives what it gives to the findings made one
by one (`apply_policy` on the tuple, the reference): the same reported findings in the
same order, the same excused ones, the same data, and the same JSON document."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientchain import analyze, loads
from clientchain.analyses.analyze import Analysis
from clientchain.analyses.policy_findings import Gated, apply_policy
from clientchain.analyses.policy_rows import apply_policy_to_rows
from clientchain.model.findings import Finding, Findings
from clientchain.model.policy import NO_POLICY, Ignore, Limit, Policy, ProjectIgnore
from tests.conftest import count_made_findings
from tests.oracle import OrgSpec
from tests.orgs import budget_yaml, org_specs, render_yaml
from tests.test_json_stream import reference, streamed
from tests.test_matrix_figures import matrix_org_specs


def _gated_by_rows(analysis: Analysis, policy: Policy) -> Gated:
    findings = analysis.findings
    assert isinstance(findings, Findings)
    gated = apply_policy_to_rows(
        findings,
        policy,
        analysis.org,
        analysis.alienation,
        analysis.summary.org_alienation,
        analysis.span_raw,
        analysis.layer_raw,
    )
    assert gated is not None
    assert isinstance(gated.reported, Findings)  # still rows
    return gated


def _gated_one_by_one(analysis: Analysis, policy: Policy) -> Gated:
    inv, ids = analysis.inversions_raw, analysis.org.role_ids
    levels = {
        (ids[b], ids[s]): n
        for b, s, n in zip(
            inv.boss.tolist(), inv.subordinate.tolist(), inv.levels.tolist(), strict=True
        )
    }
    return apply_policy(
        tuple(analysis.findings),
        policy,
        analysis.org,
        analysis.alienation,
        analysis.summary.org_alienation,
        levels,
        analysis.span_raw,
        analysis.layer_raw,
    )


def _whole(findings: object) -> list[tuple[Finding, object]]:
    """Findings with their data (which `==` leaves out)."""
    assert isinstance(findings, Findings | tuple)
    return [(f, f.data) for f in findings]


def _limit(value: float | None) -> Limit | None:
    return None if value is None else Limit(value, 3)


@st.composite
def policies(draw: st.DrawFn, findings: list[Finding], ids: list[str]) -> Policy:
    """Limits, and ignore entries naming what the findings are about (some twice, some in
    part, some ids the org chart lacks, some only a code)."""
    entries: list[Ignore] = []
    for f in draw(st.lists(st.sampled_from(findings), max_size=6)) if findings else []:
        kind = draw(st.sampled_from(["whole", "role", "subordinate", "code", "project"]))
        if kind == "code":
            entries.append(Ignore(f.code, "why", 9))
        elif kind == "project":
            entries.append(ProjectIgnore(f.code, "why", 0))
        elif kind == "role" or f.boss is None:
            entries.append(Ignore(f.code, "why", 9, role=f.role or None, client=f.client))
        elif kind == "subordinate":
            entries.append(Ignore(f.code, "why", 9, subordinate=f.role))
        else:
            entries.append(Ignore(f.code, "why", 9, boss=f.boss, subordinate=f.role))
    codes = st.sampled_from(
        ["CC101", "CC102", "CC104", "CC105", "CC202", "CC203", "CC206", "CC207", "CC208"]
    )
    for _ in range(draw(st.integers(0, 2))):  # ids that are not there, or not that code's
        role = draw(st.sampled_from([*ids, "nobody"]))
        entries.append(Ignore(draw(codes), "why", 9, role=role))
    spans = st.none() | st.integers(0, 4).map(float) | st.just(1.5)
    return Policy(
        max_org_alienation=_limit(draw(st.none() | st.sampled_from([0.0, 0.5]))),
        max_role_alienation=_limit(draw(st.none() | st.sampled_from([0.0, 0.3, 0.75]))),
        max_levels_inverted=_limit(draw(st.none() | st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0]))),
        ignore=tuple(draw(st.permutations(entries))),
        max_layers=_limit(draw(st.none() | st.sampled_from([1.0, 2.0, 2.5, 3.0]))),
        min_span=_limit(draw(spans)),
        max_span=_limit(draw(spans)),
    )


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=org_specs(max_roles=12) | matrix_org_specs(max_roles=9), data=st.data())
def test_rows_and_findings_made_one_by_one_agree(org: OrgSpec, data: st.DataObject) -> None:
    analysis = analyze(loads(render_yaml(org), source="org.yaml"), policy=NO_POLICY)
    ids = list(analysis.org.role_ids)
    policy = data.draw(policies(list(analysis.findings), ids))
    by_rows, one_by_one = _gated_by_rows(analysis, policy), _gated_one_by_one(analysis, policy)
    assert _whole(by_rows.reported) == _whole(one_by_one.reported)
    assert _whole(by_rows.ignored) == _whole(one_by_one.ignored)
    # The document written from the rows' columns is orjson's of the findings made.
    gated = analyze(analysis.org, policy=policy)
    assert isinstance(gated.findings, Findings)
    assert streamed(gated, 2) == reference(gated)


def test_a_policy_keeps_the_findings_as_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    # Budget-funded: every reporting line inverted. A policy (here a limit and one
    # accepted inversion) leaves the findings as rows, none made but the one excused;
    # the deep inversion becomes CC203 and the others warnings.
    n = 40
    over_three_levels = "{from: r0, to: r9, amount: 5}"
    analysis = analyze(loads(budget_yaml(n, over_three_levels), source="org.yaml"))
    accepted = Ignore("CC101", "interim", 1, boss="r0", subordinate="r1")
    policy = Policy(max_levels_inverted=Limit(1.0, 1), ignore=(accepted,))
    made = count_made_findings(monkeypatch)
    gated = analyze(analysis.org, policy=policy)
    # Made: the excused one (as a warning too: it is in the tolerated depth), and r9's
    # two inversions, which tie on (file, line, code) and are ordered whole; none of the
    # other 38.
    made_pairs = {(f.code, f.boss, f.role) for f in made}
    assert made_pairs == {("CC101", "r0", "r1"), ("CC101", "r4", "r9"), ("CC101", "r0", "r9")}
    monkeypatch.undo()
    assert isinstance(gated.findings, Findings)
    inverted = [f.code for f in analysis.findings].count("CC101")
    assert inverted == n  # each line, and r0 -> r9
    codes = [f.code for f in gated.findings]
    assert codes.count("CC203") == 1 and codes.count("CC101") == inverted - 2
    assert [f.role for f in gated.ignored] == ["r1"]
    document = orjson.loads(streamed(gated))
    assert document == orjson.loads(reference(gated))
    levels = {f["code"]: f["level"] for f in document["findings"]}
    assert (levels["CC101"], levels["CC203"]) == ("warning", "error")
    assert document["summary"]["findings_ignored"] == 1
