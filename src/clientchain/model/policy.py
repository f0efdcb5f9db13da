"""The policy an org chart sets for its CI gate, as values: limits that make findings,
the level that fails a run, and the findings the organisation accepts.

Read from the org chart's `policy:` block by loading.policy; applied to findings by
analyses.policy_findings; a run's exit code decided by ci.gate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from clientchain.model.findings import Finding


class FailOn(StrEnum):
    """The lowest finding level that fails a run (exit 1)."""

    ERROR = "error"
    WARNING = "warning"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class Limit:
    value: float
    line: int = 0  # where the policy sets it; 0 = on the command line


@dataclass(frozen=True, slots=True)
class Ignore:
    """A finding the organisation accepts, with the reason it does."""

    code: str
    reason: str
    line: int
    role: str | None = None
    boss: str | None = None
    subordinate: str | None = None
    client: str | None = None

    def matches(self, finding: Finding) -> bool:
        return (
            finding.code == self.code
            and (self.role is None or finding.role == self.role)
            and (self.subordinate is None or finding.role == self.subordinate)
            and (self.boss is None or finding.boss == self.boss)
            and (self.client is None or finding.client == self.client)
        )

    @property
    def subject(self) -> str:
        """The subject as a person would name it, for messages."""
        if self.boss is not None:
            return f"{self.boss} -> {self.subordinate}"
        return self.role or self.client or "the organisation"


@dataclass(frozen=True, slots=True)
class ProjectIgnore(Ignore):
    """A whole rule ignored by the configuration's `ignore`, for a whole project: not an
    org chart's exception, so never reported unused (CC204)."""


@dataclass(frozen=True, slots=True)
class Policy:
    max_org_alienation: Limit | None = None
    max_role_alienation: Limit | None = None
    max_levels_inverted: Limit | None = None
    fail_on: FailOn | None = None  # None: not set (the default is error)
    ignore: tuple[Ignore, ...] = ()
    # Spans and layers (SPEC Additions): whole numbers; spans limit managers only.
    max_layers: Limit | None = None
    min_span: Limit | None = None
    max_span: Limit | None = None


NO_POLICY = Policy()


def with_overrides(
    policy: Policy,
    max_org_alienation: float | None = None,
    max_role_alienation: float | None = None,
    max_levels_inverted: int | None = None,
    fail_on: FailOn | None = None,
) -> Policy:
    """The policy with the limits given on the command line in place of the file's."""

    def limit(value: float | None, current: Limit | None) -> Limit | None:
        return current if value is None else Limit(float(value))

    return dataclasses.replace(
        policy,
        max_org_alienation=limit(max_org_alienation, policy.max_org_alienation),
        max_role_alienation=limit(max_role_alienation, policy.max_role_alienation),
        max_levels_inverted=limit(max_levels_inverted, policy.max_levels_inverted),
        fail_on=policy.fail_on if fail_on is None else fail_on,
    )


def with_ignored_rules(policy: Policy, codes: Iterable[str], reason: str) -> Policy:
    """The policy that also ignores every finding of each rule in `codes` (the
    configuration's `ignore`, said to be for `reason`); the same policy for no codes."""
    added = tuple(ProjectIgnore(code, reason, 0) for code in codes)
    return dataclasses.replace(policy, ignore=(*policy.ignore, *added)) if added else policy


def ignored_by(policy: Policy, ignored: Iterable[Finding]) -> str:
    """Who set `ignored` apart, for "N findings ignored by ...": "the policy" (the org
    chart's entries), "the configuration" (its `ignore`), or both."""
    project: set[bool] = set()
    for finding in ignored:
        entry = next((e for e in policy.ignore if e.matches(finding)), None)
        project.add(isinstance(entry, ProjectIgnore))
        if len(project) == 2:
            return "the policy and the configuration"
    return "the configuration" if project == {True} else "the policy"
