"""Manager cells resolved to rows: by id, else by name; what is missing, grouped.

A manager cell names its manager's id, or (in some exports) the manager's
name. It resolves to the row with that id; failing that, to the one row with
that name (the title when the export has no name column); a name that several
rows share is ambiguous, and a value that matches nothing is a missing manager.
An empty cell, or the row's own id, means a top of the hierarchy. Nothing else
does: `0` and `XX` are ids that are not in the file (`--orphans top` makes
their reports tops), because guessing would hide a real missing manager.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

TOP = -1
UNRESOLVED = -2


@dataclass
class IdIndex:
    """The row of each id (its first row), and the rows that repeat an id."""

    rows: dict[str, int]
    repeats: dict[str, list[int]] = field(default_factory=dict)  # id -> later rows

    @classmethod
    def of(cls, ids: Sequence[str]) -> IdIndex:
        # Built backwards so the first row of each id wins, in one C-speed pass.
        rows = {rid: i for i, rid in zip(range(len(ids) - 1, -1, -1), reversed(ids), strict=True)}
        rows.pop("", None)
        index = cls(rows)
        empties = ids.count("")
        if len(rows) + empties < len(ids):
            for i, rid in enumerate(ids):
                if rid and rows[rid] != i:
                    index.repeats.setdefault(rid, []).append(i)
        return index


@dataclass
class References:
    """Per row, the row its cell names (TOP, or UNRESOLVED); what could not be resolved."""

    target: list[int]
    missing: dict[str, list[int]] = field(default_factory=dict)  # value -> rows naming it
    ambiguous: dict[str, list[int]] = field(default_factory=dict)  # value -> rows naming it
    by_name: int = 0  # rows resolved by a name rather than an id


class NameIndex:
    """Rows by name (only rows with an id: a manager is written as an id in the end)."""

    def __init__(self, names: Sequence[str], ids: Sequence[str]) -> None:
        self.rows: dict[str, list[int]] = {}
        for i, (name, rid) in enumerate(zip(names, ids, strict=True)):
            if name and rid:
                self.rows.setdefault(name, []).append(i)


def resolve(
    values: Sequence[str],
    ids: Sequence[str],
    index: IdIndex,
    names: Sequence[str] | None,
    self_is_top: bool,
) -> References:
    """Resolve each row's cell (trimmed) to a row."""
    rows = index.rows
    get = rows.get
    target = [get(value, UNRESOLVED) if value else TOP for value in values]
    refs = References(target)
    unresolved = [i for i, t in enumerate(target) if t == UNRESOLVED or (t == i and self_is_top)]
    name_index: NameIndex | None = None
    for i in unresolved:
        value = values[i]
        if target[i] == i or value == ids[i]:
            target[i] = TOP if self_is_top else i
            continue
        if names is not None:
            name_index = name_index or NameIndex(names, ids)
            found = name_index.rows.get(value)
            if found is not None and len(found) == 1:
                target[i] = found[0]
                refs.by_name += 1
                continue
            if found is not None:
                refs.ambiguous.setdefault(value, []).append(i)
                continue
        refs.missing.setdefault(value, []).append(i)
    return refs


def resolve_later(refs: References, index: IdIndex) -> None:
    """Resolve missing values against ids added since (generated ones)."""
    for value in list(refs.missing):
        row = index.rows.get(value)
        if row is not None:
            for i in refs.missing.pop(value):
                refs.target[i] = row


def generate_ids(ids: list[str], bosses: Sequence[str], target: Sequence[int]) -> list[int]:
    """Give each row without an id `<manager id>/<n>`: n counts that manager's rows
    without an id in file order; a top's key is `top`, a manager not resolved keeps its
    cell's text. The same export gives the same ids, whatever --orphans says. Returns
    the rows that got one."""
    counters: dict[str, int] = {}
    given = [i for i, rid in enumerate(ids) if not rid]
    for i in given:
        boss = target[i]
        key = ids[boss] if boss >= 0 else (bosses[i] or "top")
        n = counters[key] = counters.get(key, 0) + 1
        ids[i] = f"{key}/{n}"
    return given


_LOOSE = re.compile(r"[\s_.\-]+")


def loose(text: str) -> str:
    """The text with case, spaces, `_`, `.`, `-` and leading zeros ignored: two ids equal
    this way are plausibly one id typed two ways (`E-042`, `e042`), not two people."""
    return _LOOSE.sub("", text.casefold()).lstrip("0")


def plausible(value: str, candidates: dict[str, list[int]]) -> list[int]:
    """The rows whose id (or name) `value` plausibly means (see `loose`); [] when none,
    or when several could be meant.

    Not `model.edits.closest`, the did-you-mean of the other inputs, on purpose: a
    manager missing from an export is most often someone who left, so only the same id
    typed another way is a plausible hint, never a near spelling (a gone `jsmith` is not
    the `jsmyth` still there); leading zeros count as typing (spreadsheets drop them:
    `00042` is `42`); and 140 missing managers among a million rows are 140 look-ups in
    one index, where `closest` scans every candidate for each."""
    key = loose(value)
    found = candidates.get(key, []) if key else []
    return found if len(found) == 1 else []


def loose_index(texts: Sequence[str], keep: Sequence[bool] | None = None) -> dict[str, list[int]]:
    """Rows by loose text, for `plausible`."""
    index: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        if text and (keep is None or keep[i]):
            index.setdefault(loose(text), []).append(i)
    return index
