"""`diff`: what changes between two versions of an organisation, as plain values.

Roles and clients are matched by id (an id is a role's identity: a renamed id is a
role removed and one added), inversions by (boss, subordinate, line), findings by
`Finding.key` (code and the ids involved, never a line). Every list is sorted by what
it is about, not by file order, so reordering the roles of a file changes nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.results import Inversion
from clientchain.diff.clients import ClientChange, Ownership, compare_clients
from clientchain.diff.defaults import DEFAULT_TOP
from clientchain.diff.inversions import InversionChange, compare_inversions
from clientchain.diff.roles import RoleChange, RoleDiff, RoleMove, compare_roles, join_roles
from clientchain.diff.sides import Key, LocalSide, RoleEntry, Side, SideColumns, SideView
from clientchain.diff.structure import CountChange, CountChanges, StructureDiff, compare_structure
from clientchain.model.findings import Finding
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
    "SideColumns",
    "SideView",
    "StructureDiff",
    "compare",
]


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


def compare(old: Analysis | SideView, new: Analysis | SideView, top: int = DEFAULT_TOP) -> OrgDiff:
    """What changes from `old` to `new`; `top` roles whose alienation, span or layer
    changed most (0 = all). A side is an analysis, or a view of one made elsewhere
    (another process: see diff.beside).

    Each side's findings are as its own analysis reported them (its own policy applied).
    """
    before = LocalSide(old) if isinstance(old, Analysis) else old
    after = LocalSide(new) if isinstance(new, Analysis) else new
    a, b = before.columns, after.columns
    if a.decay != b.decay:
        raise ValueError(f"both sides need the same decay, got {a.decay} and {b.decay}")
    if top < 0:
        raise ValueError(f"top must be >= 0, got {top}")
    join = join_roles(a, b)
    inversions = compare_inversions(a, b, join.to_new)
    return OrgDiff(
        old=a.side,
        new=b.side,
        decay=b.decay,
        inversions_added=inversions.added,
        inversions_removed=inversions.removed,
        inversions_changed=inversions.changed,
        findings=_findings(before, after),
        roles=compare_roles(before, after, top, join),
        clients=compare_clients(a.ownership, b.ownership),
        structure=compare_structure(a, b, top, join),
    )


def _findings(old: SideView, new: SideView) -> FindingChanges:
    """Matched by key; only the findings listed are made (asked of their side)."""
    a, b = old.columns, new.columns
    before = {key: i for i, key in enumerate(a.finding_keys)}
    after = {key: i for i, key in enumerate(b.finding_keys)}
    added: list[tuple[Key, int]] = []
    escalated: list[tuple[Key, int]] = []
    for key, i in after.items():
        then = before.get(key)
        if then is None:
            added.append((key, i))
        elif b.finding_errors[i] and not a.finding_errors[then]:
            escalated.append((key, i))
    resolved: list[tuple[Key, int]] = []
    ignored: list[tuple[Key, int]] = []
    for key, i in before.items():
        if key not in after:
            (ignored if key in b.ignored_keys else resolved).append((key, i))
    # One request per side: (list, position) pairs in the order they are listed.
    lists = {"added": added, "escalated": escalated, "resolved": resolved, "ignored": ignored}
    for found in lists.values():
        found.sort(key=lambda pair: pair[0])  # by what they are about (keys are unique)
    made_new = _made(new, [added, escalated])
    made_old = _made(old, [resolved, ignored])
    return FindingChanges(
        added=made_new[0], resolved=made_old[0], ignored=made_old[1], escalated=made_new[1]
    )


def _made(side: SideView, lists: list[list[tuple[Key, int]]]) -> list[tuple[Finding, ...]]:
    positions = [i for found in lists for _, i in found]
    made = side.findings_at(positions) if positions else []
    out: list[tuple[Finding, ...]] = []
    start = 0
    for found in lists:
        out.append(tuple(made[start : start + len(found)]))
        start += len(found)
    return out
