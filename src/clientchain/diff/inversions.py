"""Inversions between two versions: added, removed, and those whose figures changed.

Pairs are matched by (boss id, subordinate id, line) as integer keys in the new
version's indices (one sort and one binary search per side; along a dotted line is
another inversion than along the solid line), and only the inversions that differ
become objects: a reorganisation of a million roles with a hundred thousand
inversions on each side stays well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.analyses.results import Inversion
from clientchain.diff.sides import SideColumns
from clientchain.model.org import IntArray
from clientchain.model.rounding import plain_numbers

SOLID, DOTTED = "solid", "dotted"  # Inversion.line


@dataclass(frozen=True, slots=True)
class InversionChange:
    """An inversion on both sides whose figures differ."""

    before: Inversion
    after: Inversion

    @property
    def boss(self) -> str:
        return self.after.boss

    @property
    def subordinate(self) -> str:
        return self.after.subordinate

    @property
    def line(self) -> str:
        return self.after.line


@dataclass(frozen=True, slots=True)
class InversionDiff:
    added: tuple[Inversion, ...]  # largest impact first, then net; ties by ids
    removed: tuple[Inversion, ...]  # the same order
    changed: tuple[InversionChange, ...]  # largest change of net first; ties by ids


def _objects(side: SideColumns, rows: IntArray) -> list[Inversion]:
    ids = side.role_ids
    levels, net, b2s, s2b = (c[rows].tolist() for c in side.inv_figures[:4])
    impact = plain_numbers(side.inv_figures[4][rows])  # whole numbers as ints
    return [
        Inversion(
            boss=ids[b],
            subordinate=ids[s],
            levels=n,
            net=down_net,
            boss_to_subordinate=down,
            subordinate_to_boss=up,
            impact_headcount=people,
            line=DOTTED if dotted else SOLID,
        )
        for b, s, n, down_net, down, up, people, dotted in zip(
            side.inv_boss[rows].tolist(),
            side.inv_subordinate[rows].tolist(),
            levels,
            net,
            b2s,
            s2b,
            impact,
            side.inv_dotted[rows].tolist(),
            strict=True,
        )
    ]


def _matches(old_key: IntArray, new_key: IntArray) -> tuple[IntArray, IntArray]:
    """(old rows, new rows) of the keys on both sides (old keys of -1 never match)."""
    if not new_key.size or not old_key.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    by_key = np.argsort(new_key, kind="stable")
    # Where each old key is, or would be, among the new keys (clipped to the last).
    at = by_key[np.minimum(np.searchsorted(new_key[by_key], old_key), new_key.size - 1)]
    then = np.flatnonzero(new_key[at] == old_key)
    return then, at[then]


def _order(inv: Inversion) -> tuple[float, float, str, str, str]:
    return (-inv.impact_headcount, -inv.net, inv.boss, inv.subordinate, inv.line)


def _keys(boss: IntArray, sub: IntArray, dotted: IntArray, roles: int) -> IntArray:
    """One integer per (boss, subordinate, line)."""
    key: IntArray = (boss * roles + sub) * 2 + dotted.astype(np.int64)
    return key


def compare_inversions(old: SideColumns, new: SideColumns, to_new: IntArray) -> InversionDiff:
    """`to_new`: each old role's index in the new version (-1: removed)."""
    r = max(new.role_count, 1)
    boss, sub = to_new[old.inv_boss], to_new[old.inv_subordinate]
    # A pair with a role gone is always removed (-1 matches no key).
    old_key = np.where((boss >= 0) & (sub >= 0), _keys(boss, sub, old.inv_dotted, r), -1)
    new_key = _keys(new.inv_boss, new.inv_subordinate, new.inv_dotted, r)
    then, now = _matches(old_key, new_key)
    hit = np.zeros(old_key.size, dtype=bool)
    hit[then] = True
    matched = np.zeros(new_key.size, dtype=bool)
    matched[now] = True
    differs = np.zeros(then.size, dtype=bool)
    for before, after in zip(old.inv_figures, new.inv_figures, strict=True):
        differs |= before[then] != after[now]
    added = sorted(_objects(new, np.flatnonzero(~matched)), key=_order)
    removed = sorted(_objects(old, np.flatnonzero(~hit)), key=_order)
    changed = [
        InversionChange(x, y)
        for x, y in zip(_objects(old, then[differs]), _objects(new, now[differs]), strict=True)
    ]
    changed.sort(key=lambda c: (-abs(c.after.net - c.before.net), c.boss, c.subordinate, c.line))
    return InversionDiff(tuple(added), tuple(removed), tuple(changed))
