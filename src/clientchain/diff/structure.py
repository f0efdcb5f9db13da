"""Spans and layers between two versions: the roles whose span or layer changed.

A reorganisation that adds one layer at the top moves every role down one layer, so
the lists are bounded like the alienation changes: the `top` largest changes (ties
by id) and how many there are in all. Array work over the joined roles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.diff.roles import RoleJoin
from clientchain.diff.sides import SideColumns
from clientchain.model.org import IntArray


@dataclass(frozen=True, slots=True)
class CountChange:
    """A role on both sides whose span (or layer) differs."""

    id: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class CountChanges:
    changed: tuple[CountChange, ...]  # largest |change| first, ties by id; at most `top`
    total: int  # roles on both sides whose figure changed at all


@dataclass(frozen=True, slots=True)
class StructureDiff:
    spans: CountChanges  # direct reports (solid lines)
    layers: CountChanges  # 1 = a top


def compare_structure(
    old: SideColumns, new: SideColumns, top: int, join: RoleJoin
) -> StructureDiff:
    """The `top` (0 = all) largest span and layer changes of the roles on both sides."""
    kept, was = join.kept, join.was
    ids = new.role_ids
    span_old, span_new = old.span[was], new.span[kept]
    layer_old, layer_new = old.layer[was], new.layer[kept]
    return StructureDiff(
        spans=_largest(ids, kept, span_old, span_new, top),
        layers=_largest(ids, kept, layer_old, layer_new, top),
    )


def _largest(
    ids: tuple[str, ...], kept: IntArray, before: IntArray, after: IntArray, top: int
) -> CountChanges:
    """A partition picks the candidates (ties at the cut included); only they are sorted."""
    changed = np.flatnonzero(before != after)
    magnitude = np.abs(after[changed] - before[changed])
    size = changed.size
    if top and size > top:
        cut = np.partition(magnitude, size - top)[size - top]
        changed = changed[magnitude >= cut]
    found = [
        CountChange(ids[i], b, a)
        for i, b, a in zip(
            kept[changed].tolist(), before[changed].tolist(), after[changed].tolist(), strict=True
        )
    ]
    found.sort(key=lambda c: (-abs(c.change), c.id))
    return CountChanges(tuple(found[:top] if top else found), int(size))
