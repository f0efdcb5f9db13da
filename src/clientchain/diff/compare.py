"""`diff`: what changes between two versions of an organisation, as plain values.

Roles and clients are matched by id (an id is a role's identity: a renamed id is a
role removed and one added), inversions by (boss, subordinate, line), findings by
`Finding.key` (code and the ids involved, never a line). Every list is sorted by what
it is about, not by file order, so reordering the roles of a file changes nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass

from clientchain.analyses.analyze import Analysis, Inversion, Summary
from clientchain.diff.clients import ClientChange, Ownership, compare_clients
from clientchain.diff.defaults import DEFAULT_TOP
from clientchain.diff.inversions import InversionChange, compare_inversions
from clientchain.diff.roles import (
    RoleChange,
    RoleDiff,
    RoleEntry,
    RoleMove,
    compare_roles,
    join_roles,
)
from clientchain.diff.structure import CountChange, CountChanges, StructureDiff, compare_structure
from clientchain.model.findings import Finding, Level
from clientchain.model.rounding import ratio

NO_STRUCTURE_CHANGE = StructureDiff(CountChanges((), 0), CountChanges((), 0))

__all__ = [
    "DEFAULT_TOP",
    "ClientChange",
    "CountChange",
    "CountChanges",
    "FindingChanges",
    "InversionChange",
    "OrgDiff",
    "Ownership",
    "RoleChange",
    "RoleDiff",
    "RoleEntry",
    "RoleMove",
    "Side",
    "StructureDiff",
    "compare",
]


@dataclass(frozen=True, slots=True)
class Side:
    """One version: where it was read from and its headline figures."""

    source: str  # the org chart as the user named it (`REV:path` for a git revision)
    name: str | None
    currency: str | None
    amount_decimals: int
    headcount_decimals: int  # the places its headcounts are summed at (0: all whole)
    summary: Summary
    errors: int  # findings reported at error level (after that version's policy)
    warnings: int
    ignored: int  # findings excused by that version's policy


@dataclass(frozen=True, slots=True)
class FindingChanges:
    added: tuple[Finding, ...]  # reported now, not before (at the new version's place)
    resolved: tuple[Finding, ...]  # reported before, gone now (at the old version's place)
    ignored: tuple[Finding, ...]  # reported before, excused now by the new policy
    escalated: tuple[Finding, ...]  # on both sides, a warning before and an error now


@dataclass(frozen=True, slots=True)
class OrgDiff:
    """Everything `clientchain diff` reports; renderers only format it."""

    old: Side
    new: Side
    decay: float
    inversions_added: tuple[Inversion, ...]
    inversions_removed: tuple[Inversion, ...]
    inversions_changed: tuple[InversionChange, ...]
    findings: FindingChanges
    roles: RoleDiff
    clients: tuple[ClientChange, ...] = ()  # whose ownership differs, by id
    structure: StructureDiff = NO_STRUCTURE_CHANGE

    @property
    def org_alienation_change(self) -> float | None:
        before, after = self.old.summary.org_alienation, self.new.summary.org_alienation
        return None if before is None or after is None else ratio(after - before)

    @property
    def new_findings(self) -> tuple[Finding, ...]:
        """What the new version brings that a gate judges: added and escalated findings."""
        return (*self.findings.added, *self.findings.escalated)

    @property
    def unchanged(self) -> bool:
        """Nothing reported differs (the figures may still differ below the listed roles)."""
        f, r = self.findings, self.roles
        return not (
            self.inversions_added
            or self.inversions_removed
            or self.inversions_changed
            or f.added
            or f.resolved
            or f.ignored
            or f.escalated
            or r.added
            or r.removed
            or r.moved
            or r.changed_total
            or self.clients
            or self.structure.spans.total
            or self.structure.layers.total
            or self.old.summary != self.new.summary
        )


def compare(old: Analysis, new: Analysis, top: int = DEFAULT_TOP) -> OrgDiff:
    """What changes from `old` to `new`; `top` roles whose alienation, span or layer
    changed most (0 = all).

    Each side's findings are as its own analysis reported them (its own policy applied).
    """
    if old.decay != new.decay:
        raise ValueError(f"both sides need the same decay, got {old.decay} and {new.decay}")
    if top < 0:
        raise ValueError(f"top must be >= 0, got {top}")
    join = join_roles(old.org, new.org)
    inversions = compare_inversions(old, new, join.to_new)
    return OrgDiff(
        old=_side(old),
        new=_side(new),
        decay=new.decay,
        inversions_added=inversions.added,
        inversions_removed=inversions.removed,
        inversions_changed=inversions.changed,
        findings=_findings(old, new),
        roles=compare_roles(old, new, top, join),
        clients=compare_clients(old, new),
        structure=compare_structure(old, new, top, join),
    )


def _side(result: Analysis) -> Side:
    org = result.org
    errors = sum(1 for f in result.findings if f.level is Level.ERROR)
    return Side(
        source=org.source,
        name=org.name,
        currency=org.currency,
        amount_decimals=org.amount_decimals,
        headcount_decimals=result.headcount_decimals,
        summary=result.summary,
        errors=errors,
        warnings=len(result.findings) - errors,
        ignored=len(result.ignored),
    )


_Keyed = tuple[tuple[str, ...], Finding]


def _by_key(findings: tuple[Finding, ...]) -> dict[tuple[str, ...], Finding]:
    return {f.key: f for f in findings}


def _findings(old: Analysis, new: Analysis) -> FindingChanges:
    before, after = _by_key(old.findings), _by_key(new.findings)
    now_ignored = _by_key(new.ignored)
    added: list[_Keyed] = []
    resolved: list[_Keyed] = []
    ignored: list[_Keyed] = []
    escalated: list[_Keyed] = []
    for key, f in after.items():
        then = before.get(key)
        if then is None:
            added.append((key, f))
        elif f.level is Level.ERROR and then.level is not Level.ERROR:
            escalated.append((key, f))
    for key, f in before.items():
        if key not in after:
            (ignored if key in now_ignored else resolved).append((key, f))

    def ordered(found: list[_Keyed]) -> tuple[Finding, ...]:
        found.sort(key=lambda pair: pair[0])  # by what they are about (keys are unique)
        return tuple(f for _, f in found)

    return FindingChanges(
        added=ordered(added),
        resolved=ordered(resolved),
        ignored=ordered(ignored),
        escalated=ordered(escalated),
    )
