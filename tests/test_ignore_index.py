"""The ignore index finds, for every finding, the first entry `Ignore.matches` accepts."""

from __future__ import annotations

import itertools

from clientchain.model.findings import INVERTED_RELATIONSHIP, NO_PAYING_CLIENT, Finding, Rule
from clientchain.model.policy import Ignore, IgnoreIndex, Policy, ProjectIgnore, ignored_by

NAMES = (None, "a", "b", "")


def finding(rule: Rule, role: str, boss: str | None, client: str | None) -> Finding:
    return Finding("org.yaml", 1, rule.code, role, "m", rule.level, rule.name, client, boss)


def test_first_matching_entry_for_every_subject_shape() -> None:
    entries = [
        Ignore(code, f"reason {i}", i, role, boss, subordinate, client)
        for i, (code, role, boss, subordinate, client) in enumerate(
            itertools.product(("CC101", "CC102"), NAMES, NAMES, NAMES, NAMES)
        )
    ]
    entries.reverse()  # the first match is not always the most specific
    index = IgnoreIndex(entries)
    for rule, role, boss, client in itertools.product(
        (INVERTED_RELATIONSHIP, NO_PAYING_CLIENT), ("a", "b", "", "c"), NAMES, NAMES
    ):
        f = finding(rule, role, boss, client)
        expected = next((e for e in entries if e.matches(f)), None)
        assert index.first(f) is expected


def test_no_entry_of_the_code_matches() -> None:
    index = IgnoreIndex([Ignore("CC102", "r", 3, role="a")])
    assert index.first(finding(INVERTED_RELATIONSHIP, "a", "b", None)) is None
    assert index.first(finding(NO_PAYING_CLIENT, "b", None, None)) is None


def test_ignored_by_names_who_set_findings_apart() -> None:
    policy = Ignore("CC101", "accepted", 7, boss="a", subordinate="b")
    project = ProjectIgnore("CC102", "not for us", 0)
    by_policy = finding(INVERTED_RELATIONSHIP, "b", "a", None)
    by_project = finding(NO_PAYING_CLIENT, "c", None, None)
    assert ignored_by(Policy(ignore=(policy, project)), [by_policy]) == "the policy"
    assert ignored_by(Policy(ignore=(policy, project)), [by_project]) == "the configuration"
    both = ignored_by(Policy(ignore=(policy, project)), [by_project, by_policy])
    assert both == "the policy and the configuration"
