"""One role's figures and one inversion, rounded as shown to people: typed values the
tables, Markdown, the diff and the library read. `Analysis.roles_between` and
`Analysis.inversions` build them when asked; the JSON stream reads the columns and
never does, so `analyze --format json` does not create these classes (~3 ms of
dataclass creation at start-up)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClientLink:
    """A direct client of a role and the net money it brings."""

    id: str
    net: float
    relation: str  # one of relations.RELATIONS: external, subordinate, boss, peer


@dataclass(frozen=True, slots=True)
class Share:
    client: str
    share: float


@dataclass(frozen=True, slots=True)
class Break:
    boss: str
    subordinate: str


@dataclass(frozen=True, slots=True)
class RoleResult:
    """One role's figures, rounded as shown to users."""

    id: str
    title: str | None
    reports_to: str | None
    department: str | None
    headcount: int | float  # as written: an int when whole (FTE may be fractional)
    inflow: float
    closeness: float
    alienation: float
    distance: float | None
    traced_share: float
    clients: tuple[ClientLink, ...]
    provenance: tuple[Share, ...]
    provenance_rest: float
    chain_broken_at: Break | None
    span: int  # roles reporting to it directly (solid lines)
    layer: int  # 1 = a top
    serves: tuple[str, ...]  # ids as written
    served_share: float | None
    served_roles_share: float | None
    dotted_to: tuple[str, ...]  # its dotted-line bosses, as written


@dataclass(frozen=True, slots=True)
class Inversion:
    boss: str
    subordinate: str
    levels: int
    net: float
    boss_to_subordinate: float
    subordinate_to_boss: float
    impact_headcount: int | float  # rounded as `Analysis.headcount_decimals` says
    line: str  # analyze.SOLID or analyze.DOTTED
