"""Roles between two versions: added, removed, moved, and whose alienation changed most.

Roles are joined by id once (one dictionary look-up per role of the new version);
everything after that is array work over the joined indices, so a million roles on
each side take about a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.diff.sides import RoleEntry, SideColumns, SideView
from clientchain.model.holder import holder
from clientchain.model.org import IntArray
from clientchain.model.rounding import ratios

_ADDED = -2  # a parent that exists only in the new version (never equal to an old index)


@dataclass(frozen=True, slots=True)
class RoleMove:
    """A role whose reports_to changed (None: a top of the hierarchy)."""

    id: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class RoleChange:
    """A role on both sides whose alienation (as shown, 12 decimals) changed."""

    id: str
    before: float
    after: float
    change: float  # after - before


@dataclass(frozen=True, slots=True)
class RoleDiff:
    added: tuple[RoleEntry, ...]  # by id
    removed: tuple[RoleEntry, ...]  # by id
    moved: tuple[RoleMove, ...]  # by id
    changed: tuple[RoleChange, ...]  # largest |change| first, ties by id; at most `top`
    changed_total: int  # roles on both sides whose alienation changed at all
    top: int  # the limit asked for (0 = all)


@holder
class RoleJoin:
    """The roles of two versions matched by id."""

    to_old: IntArray  # per new role: its index in the old version, -1 when it is new
    to_new: IntArray  # per old role: its index in the new version, -1 when it is gone
    kept: IntArray  # new indices of the roles on both sides, ascending
    was: IntArray  # ... and their old indices


def join_roles(old: SideColumns, new: SideColumns) -> RoleJoin:
    index = {rid: i for i, rid in enumerate(old.role_ids)}
    to_old = np.fromiter(
        (index.get(rid, -1) for rid in new.role_ids), dtype=np.int64, count=new.role_count
    )
    kept = np.flatnonzero(to_old >= 0)
    was = to_old[kept]
    to_new = np.full(old.role_count, -1, dtype=np.int64)
    to_new[was] = kept
    return RoleJoin(to_old, to_new, kept, was)


def compare_roles(old: SideView, new: SideView, top: int, join: RoleJoin) -> RoleDiff:
    """Added, removed and moved roles, and the `top` largest alienation changes (0 = all)."""
    a, b = old.columns, new.columns
    kept, was = join.kept, join.was
    delta = ratios(b.alienation[kept] - a.alienation[was])
    changed = np.flatnonzero(delta != 0)
    return RoleDiff(
        added=_entries(new, np.flatnonzero(join.to_old < 0)),
        removed=_entries(old, np.flatnonzero(join.to_new < 0)),
        moved=_moves(a, b, join.to_old, kept, was),
        changed=_largest(a, b, kept, was, changed, delta, top),
        changed_total=int(changed.size),
        top=top,
    )


def _reports_to(side: SideColumns, rows: IntArray) -> list[str | None]:
    ids = side.role_ids
    return [ids[p] if p >= 0 else None for p in side.parent[rows].tolist()]


def _entries(side: SideView, rows: IntArray) -> tuple[RoleEntry, ...]:
    entries = side.entries(rows.tolist()) if rows.size else []
    entries.sort(key=lambda e: e.id)
    return tuple(entries)


def _moves(
    old: SideColumns, new: SideColumns, to_old: IntArray, kept: IntArray, was: IntArray
) -> tuple[RoleMove, ...]:
    """Roles whose boss is another role than before (compared as old indices)."""
    boss = new.parent[kept]
    boss_then = to_old[np.maximum(boss, 0)]  # the new boss's old index (-1: it is new)
    boss_then = np.where(boss < 0, -1, np.where(boss_then < 0, _ADDED, boss_then))
    rows = np.flatnonzero(boss_then != old.parent[was])
    ids = new.role_ids
    moves = [
        RoleMove(ids[i], before, after)
        for i, before, after in zip(
            kept[rows].tolist(),
            _reports_to(old, was[rows]),
            _reports_to(new, kept[rows]),
            strict=True,
        )
    ]
    moves.sort(key=lambda m: m.id)
    return tuple(moves)


def _largest(
    old: SideColumns,
    new: SideColumns,
    kept: IntArray,
    was: IntArray,
    changed: IntArray,
    delta: np.ndarray,
    top: int,
) -> tuple[RoleChange, ...]:
    """The `top` largest |changes| (0 = all), ties by id: a partition picks the
    candidates, so only they (ties at the cut included) are sorted in Python."""
    size = changed.size
    magnitude = np.abs(delta[changed])
    if top and size > top:
        cut = np.partition(magnitude, size - top)[size - top]  # the top-th largest
        changed = changed[magnitude >= cut]
    ids = new.role_ids
    rows = kept[changed]
    found = [
        RoleChange(ids[i], before, after, change)
        for i, before, after, change in zip(
            rows.tolist(),
            old.alienation[was[changed]].tolist(),
            new.alienation[rows].tolist(),
            delta[changed].tolist(),
            strict=True,
        )
    ]
    found.sort(key=lambda c: (-abs(c.change), c.id))
    return tuple(found[:top] if top else found)
