"""The policy an org chart sets for its CI gate, as values: limits that make findings,
the level that fails a run, and the findings the organisation accepts.

Read from the org chart's `policy:` block by loading.policy; applied to findings by
analyses.policy_findings; a run's exit code decided by ci.gate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from enum import StrEnum

from clientchain.model.findings import Finding
from clientchain.model.holder import value_class


class FailOn(StrEnum):
    """The lowest finding level that fails a run (exit 1)."""

    ERROR = "error"
    WARNING = "warning"
    NEVER = "never"


@value_class(slots=True)
class Limit:
    """A policy limit, and the policy line that sets it."""

    value: float
    line: int = 0  # where the policy sets it; 0 = on the command line


@value_class(slots=True)
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


@value_class(slots=True)
class ProjectIgnore(Ignore):
    """A whole rule ignored by the configuration's `ignore`, for a whole project: not an
    org chart's exception, so never reported unused (CC204)."""


@value_class(slots=True)
class Policy:
    """What a policy sets: limits, the level that fails a run, the findings accepted."""

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
    index = IgnoreIndex(policy.ignore)
    project: set[bool] = set()
    for finding in ignored:
        project.add(isinstance(index.first(finding), ProjectIgnore))
        if len(project) == 2:
            return "the policy and the configuration"
    return "the configuration" if project == {True} else "the policy"


# An entry's subject fields, and the finding field each is compared with.
SUBJECT_FIELDS = (("role", "role"), ("subordinate", "role"), ("boss", "boss"), ("client", "client"))
Subject = tuple[str | None, ...]


class IgnoreIndex:
    """The ignore entries of a policy, indexed for `first`: which entry excuses a
    finding, by look-up instead of asking every entry (`Ignore.matches`), which is
    quadratic when a policy accepts thousands of findings. Entries are grouped by code
    and by which subject fields they set; within a group, equal subjects map to the
    first such entry, so a finding costs one look-up per group of its code."""

    def __init__(self, entries: Sequence[Ignore]) -> None:
        self.entries = tuple(entries)
        # code -> [(fields the group sets, {their values: position of the first entry})]
        self.groups: dict[str, list[tuple[tuple[int, ...], dict[Subject, int]]]] = {}
        by_shape: dict[tuple[str, tuple[int, ...]], dict[Subject, int]] = {}
        for position, entry in enumerate(self.entries):
            values = [getattr(entry, name) for name, _ in SUBJECT_FIELDS]
            shape = tuple(i for i, value in enumerate(values) if value is not None)
            group = by_shape.get((entry.code, shape))
            if group is None:
                group = by_shape[(entry.code, shape)] = {}
                self.groups.setdefault(entry.code, []).append((shape, group))
            group.setdefault(tuple(values[i] for i in shape), position)

    def first_position(self, finding: Finding) -> int | None:
        """The position of the first entry that matches `finding`, if any."""
        subject = [getattr(finding, field) for _, field in SUBJECT_FIELDS]
        best = len(self.entries)
        for shape, group in self.groups.get(finding.code, ()):
            best = min(best, group.get(tuple(subject[i] for i in shape), best))
        return best if best < len(self.entries) else None

    def first(self, finding: Finding) -> Ignore | None:
        """The first entry that matches `finding` (as `Ignore.matches` says), if any."""
        position = self.first_position(finding)
        return None if position is None else self.entries[position]
