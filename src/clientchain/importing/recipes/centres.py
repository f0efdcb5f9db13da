"""Cost centres and departments, and the role that heads each: who holds its money.

A budget or a recharge names a cost centre (or a department), not a role. Its
money belongs to the role heading it: the highest role (nearest a top of the
reports_to hierarchy) that carries the centre. Two such roles at the same level
are two candidates, and choosing one silently would be a guess: a problem.
A role carries a cost centre by its `cost_centre` key (as `import people
--cost-centre` writes it; `cost_center` is read too) and a department by
`department`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from clientchain.graph.hierarchy import fold_to_top
from clientchain.importing.choices import CentreKind
from clientchain.importing.ledger_problems import Cause, ProblemGroups
from clientchain.loading.keys import fold
from clientchain.model.org import NO_PARENT, Org
from clientchain.model.problems import Position, Problem, closest

CENTRE_KEYS = frozenset({"costcentre", "costcenter"})  # folded
NAMED_ONE_BY_ONE = 10  # unknown centres each get their own line, up to this many


def role_centres(org: Org, kind: CentreKind) -> list[str | None]:
    """Each role's cost centre or department (trimmed), None where it has none."""
    if kind is CentreKind.department:
        return [d.strip() if d and d.strip() else None for d in org.role_departments]
    centres: list[str | None] = [None] * org.role_count
    for role, extra in org.role_extra.items():
        for key, value in extra.items():
            if fold(key) in CENTRE_KEYS and isinstance(value, str) and value.strip():
                centres[role] = value.strip()
    return centres


@dataclass
class CentreHeads:
    """The head of each centre, and the centres with two heads at the same level."""

    org: Org
    kind: CentreKind
    centres: list[str | None]
    head: dict[str, int] = field(default_factory=dict)
    tied: dict[str, tuple[int, int]] = field(default_factory=dict)

    def tie_problem(self, centre: str) -> Problem:
        first, second = self.tied[centre]
        ids, lines = self.org.role_ids, self.org.role_lines
        return Problem(
            Position(self.org.source, int(lines[second])),
            f"{self.kind.noun} '{centre}' has two heads at the same level, '{ids[first]}'"
            f" (line {int(lines[first])}) and '{ids[second]}': its money needs one role to"
            f" hold it; make one report to the other, or give one another {self.kind.key}",
        )


def centre_heads(org: Org, kind: CentreKind) -> CentreHeads:
    """For each centre the highest role carrying it (ties noted, not chosen)."""
    centres = role_centres(org, kind)
    has_parent = (org.parent != NO_PARENT).astype(np.int64)
    depth = fold_to_top(org.parent, has_parent, np.add)[0].tolist()
    heads = CentreHeads(org, kind, centres)
    for role, centre in enumerate(centres):
        if centre is None:
            continue
        best = heads.head.get(centre)
        if best is None or depth[role] < depth[best]:
            heads.head[centre] = role
            heads.tied.pop(centre, None)
        elif depth[role] == depth[best] and centre not in heads.tied:
            heads.tied[centre] = (best, role)
    return heads


def no_centres_problem(org: Org, kind: CentreKind, other: str) -> Problem:
    """The root cause when no role carries a centre at all."""
    if kind is CentreKind.department:
        fix = "write department on the roles (import people takes it from the export)"
    else:
        fix = "write cost_centre on the roles (import people --cost-centre COLUMN)"
    return Problem(
        Position(org.source),
        f"no role in {org.source} has a {kind.key}: {fix}, or pass {other}",
    )


class UnknownNames:
    """Rows naming a role or centre the org chart does not have: one line per name (the
    first NAMED_ONE_BY_ONE), then one for the rest; a did-you-mean only when plausible
    (`closest`: CC101 never suggests CC102, jmason never hmason)."""

    def __init__(self, what: str, org: Org, known: Iterable[str], groups: ProblemGroups) -> None:
        self.what, self.org, self.groups = what, org, groups
        self.known = list(known)
        self.causes: dict[str, Cause] = {}
        self.rest = Cause(
            one=lambda v: f"{what} '{v}' is not in {org.source} either",
            many=lambda n, v, k: (
                f"{n} name {what}s not in {org.source}, besides those above (e.g. '{v}' in {k})"
            ),
        )

    def add(self, name: str, where: Callable[[], Position]) -> None:
        cause = self.causes.get(name)
        if cause is None:
            if len(self.causes) >= NAMED_ONE_BY_ONE:
                self.groups.add(self.rest, name, where)
                return
            cause = self.causes[name] = self._cause(name)
        self.groups.add(cause, name, where)

    def _cause(self, name: str) -> Cause:
        hint = closest(name, self.known)
        maybe = f"; did you mean '{hint}'?" if hint is not None else ""
        text = f"{self.what} '{name}' is not in {self.org.source}"
        return Cause(one=lambda v: text, many=lambda n, v, k: text, after=lambda v: maybe)
