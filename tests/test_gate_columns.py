"""The CI gate reads columnar findings by their rules' levels, without making a finding
each (a million CC101 findings in a budget-funded body): the verdict must be the one
the findings themselves give, finding by finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientchain.analyses.analyze import analyze
from clientchain.ci.gate import fails
from clientchain.loading.loader import load
from clientchain.model.findings import (
    INVERTED_RELATIONSHIP,
    NO_PAYING_CLIENT,
    Finding,
    FindingRows,
    Findings,
    Level,
)
from clientchain.model.policy import NO_POLICY, FailOn

EXAMPLES = sorted(Path(__file__).parent.parent.glob("examples/*/org.yaml"))


def one_by_one(findings: list[Finding], fail_on: FailOn) -> bool:
    """The gate's rule, read from each finding made."""
    if fail_on is FailOn.NEVER:
        return False
    levels = {Level.ERROR} if fail_on is FailOn.ERROR else {Level.ERROR, Level.WARNING}
    return any(f.level in levels for f in findings)


@pytest.mark.parametrize("org_file", EXAMPLES, ids=lambda p: p.parent.name)
def test_the_gate_on_an_analysis_is_the_findings_own_verdict(org_file: Path) -> None:
    org = load(org_file)
    for policy in (NO_POLICY, org.policy):
        findings = analyze(org, policy=policy).findings
        for fail_on in FailOn:
            assert fails(findings, fail_on) == one_by_one(list(findings), fail_on)


def rows_of(rule_and_lines: list[tuple[str, int]]) -> Findings:
    """Findings of two rules (an error and a warning one) at these (code, line)s."""
    parts = []
    for rule in (INVERTED_RELATIONSHIP, NO_PAYING_CLIENT):
        found = [
            Finding.of(rule, f"r{line}", "org.yaml", line, rule.summary)
            for code, line in rule_and_lines
            if code == rule.code
        ]
        parts.append(FindingRows.of(rule, "org.yaml", found))
    return Findings(parts)


@pytest.mark.parametrize(
    "found",
    [
        [],
        [("CC102", 3)],
        [("CC101", 7)],
        [("CC102", 2), ("CC101", 9), ("CC102", 11)],
    ],
)
def test_the_gate_on_columns_counts_each_level(found: list[tuple[str, int]]) -> None:
    assert INVERTED_RELATIONSHIP.level is Level.ERROR
    assert NO_PAYING_CLIENT.level is Level.WARNING
    findings = rows_of(found)
    for fail_on in FailOn:
        assert fails(findings, fail_on) == one_by_one(list(findings), fail_on)
