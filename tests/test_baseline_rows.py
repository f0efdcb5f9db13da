"""A baseline applied to findings kept as rows gives what it gives to the findings made one
by one (`apply_baseline` on the tuple, the reference): the same reported findings in the
same order, the same known ones, the same stale entries (CC205) and the same JSON
document; and a baseline read against its org chart (`NodeEntries`) holds the entries
the file says."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientchain import analyze, loads
from clientchain.analyses.analyze import Analysis
from clientchain.ci.baseline import (
    Baseline,
    apply_baseline,
    read_baseline,
    with_baseline,
)
from clientchain.ci.baseline_entries import Entry, NodeEntries
from clientchain.ci.baseline_format import baseline_text
from clientchain.model.findings import (
    INVERTED_RELATIONSHIP,
    Finding,
    FindingRows,
    Findings,
    finding_order,
)
from clientchain.model.policy import Ignore, Limit, Policy
from clientchain.render.analysis.baseline_file import baseline_file
from tests.conftest import count_made_findings
from tests.oracle import OrgSpec
from tests.orgs import budget_yaml, org_specs, render_yaml
from tests.test_json_stream import reference, streamed
from tests.test_matrix_figures import matrix_org_specs


def _whole(findings: object) -> list[tuple[Finding, object]]:
    """Findings with their data (which `==` leaves out)."""
    assert isinstance(findings, Findings | tuple | list)
    return [(f, f.data) for f in findings]


@st.composite
def entries_for(draw: st.DrawFn, findings: list[Finding], ids: list[str]) -> list[Entry]:
    """Entries naming findings (some twice, some with a subject changed or missing, some
    ids the org chart lacks, some codes no finding has), in any order."""
    keys: list[tuple[str, str, str, str]] = []
    for f in draw(st.lists(st.sampled_from(findings), max_size=8)) if findings else []:
        key = (f.code, f.role, f.boss or "", f.client or "")
        kind = draw(st.sampled_from(["same", "same", "twice", "role", "boss", "unknown"]))
        if kind == "twice":
            keys.append(key)
        elif kind == "role":  # another role (or none)
            key = (key[0], draw(st.sampled_from(["", *ids])), key[2], key[3])
        elif kind == "boss":
            key = (key[0], key[1], draw(st.sampled_from(["", *ids])), key[3])
        elif kind == "unknown":
            key = (key[0], "nobody", key[2], key[3])
        keys.append(key)
    codes = st.sampled_from(["CC101", "CC102", "CC106", "CC204", "CC999"])
    for _ in range(draw(st.integers(0, 3))):  # whatever a hand could write
        role = draw(st.sampled_from(["", "nobody", *ids]))
        client = draw(st.sampled_from(["", "nobody", *ids]))
        keys.append((draw(codes), role, "", client))
    keys = draw(st.permutations(keys))
    return [Entry(*key, line=5 + i) for i, key in enumerate(keys)]


def _by_rows(analysis: Analysis, baseline: Baseline) -> Analysis:
    result = with_baseline(analysis, baseline)
    assert isinstance(result.findings, Findings)  # still rows
    assert isinstance(result.baselined, Findings)
    return result


def _one_by_one(analysis: Analysis, baseline: Baseline) -> tuple[list[Finding], list[Finding]]:
    reported, known = apply_baseline(tuple(analysis.findings), baseline)
    reported.sort(key=finding_order)
    return reported, known


@st.composite
def analyses_with_entries(draw: st.DrawFn) -> tuple[Analysis, list[Entry]]:
    """An analysis, under a policy that splits CC101 (CC203) or not and adds a finding
    about itself (CC204: never baselined, so an entry for one is stale), and entries."""
    org = draw(org_specs(max_roles=12) | matrix_org_specs(max_roles=9))
    max_levels = draw(st.none() | st.sampled_from([0.0, 1.0]))
    policy = Policy(
        max_levels_inverted=None if max_levels is None else Limit(max_levels, 1),
        ignore=(Ignore("CC102", "why", 9, role="nobody"),),
    )
    analysis = analyze(loads(render_yaml(org), source="org.yaml"), policy=policy)
    assert isinstance(analysis.findings, Findings)
    ids = list(analysis.org.role_ids) + list(analysis.org.client_ids)
    return analysis, draw(entries_for(list(analysis.findings), ids))


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=analyses_with_entries())
def test_rows_and_findings_made_one_by_one_agree(case: tuple[Analysis, list[Entry]]) -> None:
    analysis, entries = case
    for kept in (tuple(entries), NodeEntries.of(analysis.org, entries)):
        baseline = Baseline("baseline.json", kept)
        result = _by_rows(analysis, baseline)
        reported, known = _one_by_one(analysis, baseline)
        assert _whole(result.findings) == _whole(reported)
        assert _whole(result.baselined) == _whole(known)
        assert streamed(result, 2) == reference(result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=org_specs(max_roles=12), data=st.data())
def test_a_baseline_read_against_its_org_holds_what_the_file_says(
    tmp_path_factory: pytest.TempPathFactory, org: OrgSpec, data: st.DataObject
) -> None:
    analysis = analyze(loads(render_yaml(org), source="org.yaml"))
    written, _ = baseline_text(analysis.findings)
    path = tmp_path_factory.mktemp("b") / "baseline.json"
    path.write_text(written, encoding="utf-8")
    plain = read_baseline(path)
    against = read_baseline(path, analysis.org)
    if len(plain.entries):
        assert isinstance(against.entries, NodeEntries)
    assert list(against.entries) == list(plain.entries)
    # Entries as a hand might leave them, ids the org lacks among them.
    ids = list(analysis.org.role_ids) + list(analysis.org.client_ids)
    entries = data.draw(entries_for(list(analysis.findings), ids))
    nodes = NodeEntries.of(analysis.org, entries)
    assert list(nodes) == entries
    assert len(nodes) == len(entries)
    if entries:
        assert nodes[-1] == entries[-1]
        assert nodes[1:3] == entries[1:3]


def test_a_baseline_keeps_the_findings_as_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    # Budget-funded: every reporting line inverted (and no role paid by a client).
    # Applying its own baseline makes no finding (all are known); one entry naming a
    # role that left is stale.
    analysis = analyze(loads(budget_yaml(60), source="org.yaml"))
    entries = [
        Entry(f.code, f.role, f.boss or "", "", 5 + i) for i, f in enumerate(analysis.findings)
    ]
    entries.append(Entry("CC101", "gone", "r0", "", 5 + len(entries)))
    baseline = Baseline("baseline.json", NodeEntries.of(analysis.org, entries))
    made = count_made_findings(monkeypatch)
    result = with_baseline(analysis, baseline)
    assert len(result.baselined) == len(analysis.findings) == len(entries) - 1
    assert [f.code for f in made] == ["CC205"]  # the stale entry's, and nothing else
    assert [(f.code, f.line) for f in result.findings] == [("CC205", entries[-1].line)]


def test_a_written_baseline_is_read_as_nodes(tmp_path: Path) -> None:
    analysis = analyze(
        loads(
            "roles:\n  - id: a\n  - {id: b, reports_to: a}\n"
            "flows:\n  - {from: a, to: b, amount: 1}\n",
            source="org.yaml",
        )
    )
    text, count = baseline_text(analysis.findings)
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    baseline = read_baseline(path, analysis.org)
    assert isinstance(baseline.entries, NodeEntries) and len(baseline.entries) == count
    assert Entry("CC101", "b", "a", "", 5) in list(baseline.entries)
    assert list(baseline.entries) == list(read_baseline(path).entries)
    assert with_baseline(analysis, baseline).findings == ()


@pytest.mark.parametrize("copies", [1, 2, 3])
def test_entries_of_one_key_excuse_as_many_findings_in_order(copies: int) -> None:
    """Two findings with one key (a rule could make them): the baseline excuses the
    first ones in the order they are reported, one per entry; entries beyond them are
    stale, the first ones in the file."""
    analysis = analyze(
        loads(
            "roles:\n  - id: a\n  - {id: b, reports_to: a}\n"
            "flows:\n  - {from: a, to: b, amount: 1}\n",
            source="org.yaml",
        )
    )
    twins = [
        Finding.of_pair(INVERTED_RELATIONSHIP, "a", "b", "org.yaml", line, f"at {line}")
        for line in (7, 3)
    ]
    doubled = dataclasses.replace(
        analysis, findings=Findings([FindingRows.of(INVERTED_RELATIONSHIP, "org.yaml", twins)])
    )
    entries = [Entry("CC101", "b", "a", "", 5 + i) for i in range(copies)]
    for kept in (tuple(entries), NodeEntries.of(analysis.org, entries)):
        result = with_baseline(doubled, Baseline("baseline.json", kept))
        reported, known = _one_by_one(doubled, Baseline("baseline.json", tuple(entries)))
        assert [f.line for f in result.baselined] == [f.line for f in known] == [3, 7][:copies]
        assert _whole(result.findings) == _whole(reported)
        stale = [f.line for f in result.findings if f.code == "CC205"]
        assert stale == [5 + i for i in range(max(0, copies - 2))]


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=analyses_with_entries())
def test_a_baseline_written_from_rows_is_the_one_written_from_findings(
    case: tuple[Analysis, list[Entry]],
) -> None:
    """--write-baseline from the rows' columns (render/analysis/baseline_file.py) writes
    baseline_text's bytes: the reported findings and the baselined ones, by key."""
    analysis, entries = case
    for result in (analysis, with_baseline(analysis, Baseline("b.json", tuple(entries)))):
        chunks, count = baseline_file(result)
        text, expected = baseline_text([*result.findings, *result.baselined])
        assert b"".join(chunks) == text.encode() and count == expected
