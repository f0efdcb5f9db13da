"""What `diff` reads of one version, as columns a process can hand to another.

The comparison needs, of each side, a few arrays per role (parent, headcount,
alienation, span, layer), the inversions' figures, the clients' ownership, the
findings' keys and levels, and a handful of headline figures: `SideColumns`, a few
arrays and tens of megabytes at a million roles, where the analysis is a gigabyte.
The few objects a diff lists of one side only (the findings it resolves, the roles
it removes) are asked for by position once the other side is known (`SideView`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

import numpy as np

from clientchain.analyses.analyze import Analysis, Summary
from clientchain.diff.clients import Ownership, ownership
from clientchain.model.findings import (
    NO_SUBJECT,
    About,
    Finding,
    FindingRows,
    Findings,
    Level,
)
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray, Org
from clientchain.model.rounding import moneys, plain_numbers

Key = tuple[str, ...]


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
class RoleEntry:
    """A role present on one side only, with its figures on that side."""

    id: str
    title: str | None
    reports_to: str | None
    department: str | None
    headcount: int | float  # as written: an int when whole
    alienation: float


class PackedTexts:
    """A tuple of texts that pickles as one UTF-8 string (a million ids: tens of
    milliseconds, where pickling a million strings takes several times that)."""

    __slots__ = ("texts",)

    def __init__(self, texts: tuple[str, ...]) -> None:
        self.texts = texts

    def __getstate__(self) -> object:
        joined = "\n".join(self.texts)
        if joined.count("\n") != max(len(self.texts) - 1, 0):  # a text holds a line break
            return self.texts
        return (len(self.texts), joined.encode("utf-8", "surrogatepass"))

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2 and isinstance(state[1], bytes):
            size, data = state
            self.texts = tuple(data.decode("utf-8", "surrogatepass").split("\n")) if size else ()
        else:
            self.texts = state


@holder
class SideColumns:
    """Everything the comparison reads of one side but the objects it lists."""

    side: Side
    decay: float
    ids: PackedTexts  # role ids in file order
    parent: IntArray
    headcount: FloatArray
    alienation: FloatArray  # as shown (12 decimals)
    span: IntArray
    layer: IntArray
    # The inversions: who, along which line, and their figures as shown.
    inv_boss: IntArray
    inv_subordinate: IntArray
    inv_dotted: IntArray
    inv_figures: tuple[np.ndarray, ...]  # levels, net, down, up, impact (see `figures`)
    ownership: dict[str, Ownership]  # per client id
    finding_keys: list[Key]  # per reported finding, in its order
    finding_errors: np.ndarray  # per reported finding: at error level
    ignored_keys: frozenset[Key]  # the findings the policy excused

    @property
    def role_ids(self) -> tuple[str, ...]:
        return self.ids.texts

    @property
    def role_count(self) -> int:
        return int(self.parent.size)


class SideView(Protocol):
    """One side of a comparison: its columns, and the objects listed of it on request."""

    @property
    def columns(self) -> SideColumns: ...

    def findings_at(self, positions: list[int]) -> list[Finding]:
        """The reported findings at these positions, in that order."""
        ...

    def entries(self, rows: list[int]) -> list[RoleEntry]:
        """Roles at these indices with their figures, in that order."""
        ...


def figures(result: Analysis) -> tuple[np.ndarray, ...]:
    """The figures of every inversion as shown (money at the input's decimals)."""
    inv, d = result.inversions_raw, result.org.amount_decimals
    return (
        inv.levels,
        moneys(inv.net, d),
        moneys(inv.boss_to_subordinate, d),
        moneys(inv.subordinate_to_boss, d),
        inv.impact_headcount,
    )


def _keys(findings: Sequence[Finding], org: Org) -> tuple[list[Key], np.ndarray]:
    """Each finding's key and whether it is an error. Of findings kept as rows, a rule
    with subject columns gives its keys from them (ids by node number) and its level:
    at a million findings, making each `Finding` for its key took seconds."""
    if not isinstance(findings, Findings):
        return _made_keys(findings)
    if not findings.parts:
        return [], np.zeros(0, dtype=bool)
    keys: list[list[Key]] = []
    errors: list[np.ndarray] = []
    for part in findings.parts:
        part_keys, part_errors = _part_keys(part, org)
        keys.append(part_keys)
        errors.append(part_errors)
    # In finding order: part p's row i is at start[p] + i of the parts laid end to end.
    start = np.cumsum([0, *map(len, findings.parts)])[:-1]
    at = start[findings.part] + findings.row
    every = np.fromiter(chain.from_iterable(keys), dtype=object, count=len(findings))
    ordered: list[Key] = every[at].tolist()
    return ordered, np.concatenate(errors)[at]


def _part_keys(part: FindingRows, org: Org) -> tuple[list[Key], np.ndarray]:
    """One rule's keys and errors: from its subject columns where it has them (a rule
    about the policy keys by message too: its findings are made)."""
    nodes = None if part.rule.about is About.POLICY else part.subjects()
    if nodes is None:
        return _made_keys(part.build(list(range(len(part)))))
    role, boss, client = (_ids(org, column) for column in nodes)
    code = [part.rule.code] * len(part)
    error = np.full(len(part), part.rule.level is Level.ERROR, dtype=bool)
    return list(zip(code, role, boss, client, strict=True)), error


def _ids(org: Org, nodes: IntArray) -> list[str]:
    """Each node's id, "" where a finding names none (as `Finding.key` writes it)."""
    named = nodes != NO_SUBJECT
    if named.all():
        return org.node_ids(nodes.tolist())
    out = [""] * nodes.size
    if named.any():
        found = org.node_ids(nodes[named].tolist())
        for i, text in zip(np.flatnonzero(named).tolist(), found, strict=True):
            out[i] = text
    return out


def _made_keys(findings: Sequence[Finding]) -> tuple[list[Key], np.ndarray]:
    """Each finding's key and whether it is an error, each finding made once."""
    keys: list[Key] = []
    errors: list[bool] = []
    for f in findings:
        keys.append(f.key)
        errors.append(f.level is Level.ERROR)
    return keys, np.asarray(errors, dtype=bool)


def _side(result: Analysis, errors: int) -> Side:
    org = result.org
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


def side_columns(result: Analysis) -> SideColumns:
    org, inv = result.org, result.inversions_raw
    keys, errors = _keys(result.findings, org)
    return SideColumns(
        side=_side(result, int(np.count_nonzero(errors))),
        decay=result.decay,
        ids=PackedTexts(tuple(org.role_ids)),
        parent=org.parent,
        headcount=org.headcount,
        alienation=result.alienation,
        span=result.span_raw,
        layer=result.layer_raw,
        inv_boss=inv.boss,
        inv_subordinate=inv.subordinate,
        inv_dotted=inv.dotted,
        inv_figures=figures(result),
        ownership=ownership(result),
        finding_keys=keys,
        finding_errors=errors,
        ignored_keys=frozenset(f.key for f in result.ignored),
    )


class LocalSide:
    """A side analysed in this process."""

    def __init__(self, result: Analysis) -> None:
        self.result = result
        self.columns = side_columns(result)

    def findings_at(self, positions: list[int]) -> list[Finding]:
        findings = self.result.findings  # a `Findings` makes only the one asked for
        return [findings[i] for i in positions]

    def entries(self, rows: list[int]) -> list[RoleEntry]:
        return entries(self.result, rows)


def entries(result: Analysis, rows: list[int]) -> list[RoleEntry]:
    org = result.org
    at = np.asarray(rows, dtype=np.int64)
    ids, titles, departments = org.role_ids, org.role_titles, org.role_departments
    return [
        RoleEntry(ids[i], titles[i], ids[p] if p >= 0 else None, departments[i], count, alien)
        for i, p, count, alien in zip(
            rows,
            org.parent[at].tolist(),
            plain_numbers(org.headcount[at]),
            result.alienation[at].tolist(),
            strict=True,
        )
    ]
