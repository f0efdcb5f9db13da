"""A baseline applied to findings kept as rows (`Findings`): what `apply_baseline` makes
of the findings one by one, without making them.

An entry matches a finding by code and the ids it names. Here both become node numbers:
the entries' ids are looked up once, the findings' are read from their rules' subject
columns (`FindingColumns`). Matching is then a sort per code: of the findings with one
key, the first ones in the order they are reported are known, as many as the baseline
has entries with that key; the entries left over are stale (CC205), the first ones in
file order. Those are `apply_baseline`'s choices, made the same way, so the result is
the same findings in the same order. Before, at a million findings (a budget-funded
body with every reporting line inverted), every finding was made and its strings
compared: half a minute and about a gigabyte over the analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.rules.cc205_stale_baseline_entry import find as stale_entry
from clientchain.ci.baseline_entries import NOT_NAMED, UNKNOWN, IdLookup, NodeEntries
from clientchain.ci.baseline_format import SUBJECT
from clientchain.model.findings import (
    RULE_BY_CODE,
    STALE_BASELINE_ENTRY,
    About,
    FindingRows,
    Findings,
)
from clientchain.model.org import IntArray, Org

if TYPE_CHECKING:
    from clientchain.ci.baseline import Baseline


def apply_baseline_to_rows(
    findings: Findings, baseline: Baseline, org: Org
) -> tuple[Findings, Findings] | None:
    """(findings still reported, findings known to the baseline), both rows, the stale
    entries' CC205 findings among the reported; None when a rule's subjects are not
    where this reads them (`apply_baseline` then decides, one finding at a time)."""
    parts = findings.parts
    entries = baseline.entries
    if not (isinstance(entries, NodeEntries) and entries.org is org):
        entries = NodeEntries.of(org, entries)
    subjects = []
    for part in parts:
        nodes = subject_nodes(part, entries.lookup, org.role_count)
        if nodes is None:
            return None
        subjects.append(nodes)
    ranks = findings.ranks()
    known = [np.zeros(len(part), dtype=bool) for part in parts]
    code_of, wanted_nodes, _ = entries.columns()
    stale: list[IntArray] = []  # entries, by index
    for c, code in enumerate(entries.codes):
        indices = np.flatnonzero(code_of == c)
        mine = [p for p, part in enumerate(parts) if part.rule.code == code]
        rule = RULE_BY_CODE.get(code)
        if not mine or (rule is not None and rule.about is About.POLICY):
            stale.append(indices)  # no finding of the code is ever baselined
            continue
        wanted = [column[indices] for column in wanted_nodes]
        found = [np.concatenate([subjects[p][k] for p in mine]) for k in range(len(SUBJECT))]
        entry_key, finding_key = _packed(wanted, found)
        place = np.concatenate([ranks[p] for p in mine])
        matched, left = _match(entry_key, finding_key, place)
        start = 0
        for p in mine:
            known[p] = matched[start : start + len(parts[p])]
            start += len(parts[p])
        stale.append(indices[_left_over(entry_key, left)])
    reported = [part.subset(np.flatnonzero(~k)) for part, k in zip(parts, known, strict=True)]
    left_over = np.sort(np.concatenate(stale)) if stale else np.zeros(0, dtype=np.int64)
    if left_over.size:  # (in file order, as apply_baseline lists them)
        made = [
            stale_entry(baseline.file, e.line, e.code, e.role, e.boss, e.client)
            for e in entries.take(left_over)
        ]
        reported.append(FindingRows.of(STALE_BASELINE_ENTRY, baseline.file, made))
    kept = [part.subset(np.flatnonzero(k)) for part, k in zip(parts, known, strict=True)]
    return Findings(reported), Findings(kept)


def subject_nodes(part: FindingRows, lookup: IdLookup, roles: int) -> list[IntArray] | None:
    """Per field (role, boss, client): each row's node (NOT_NAMED where it names none);
    None when the part's columns hold a subject elsewhere than this expects."""
    if part.columns is None:  # a rule with few findings: made, and their ids looked up
        made = part.build(list(range(len(part))))
        return lookup.nodes([(f.role, f.boss or "", f.client or "") for f in made])
    nodes = part.subjects()
    if nodes is None:
        return None
    role, boss, client = nodes
    # A role's or a boss's node is a role's, a client's a client's (as IdLookup finds
    # them); none is NOT_NAMED, as the lookup's.
    for column in (role, boss):
        if not ((column == NOT_NAMED) | ((column >= 0) & (column < roles))).all():
            return None
    if not ((client == NOT_NAMED) | (client >= roles)).all():
        return None
    return nodes


def _packed(wanted: list[IntArray], found: list[IntArray]) -> tuple[IntArray, IntArray]:
    """The entries' and the findings' (role, boss, client) as one integer each, equal
    exactly when all three are."""
    every = [np.concatenate([w, f]) for w, f in zip(wanted, found, strict=True)]
    base = max(int(column.max(initial=0)) for column in every) + 3
    if base**3 < 2**62:
        key = np.zeros(every[0].size, dtype=np.int64)
        for column in every:  # shifted past UNKNOWN: every digit >= 0
            key *= base
            key += column - UNKNOWN
    else:  # too many nodes to pack: the rank of each distinct triple
        _, inverse = np.unique(np.stack(every, axis=1), axis=0, return_inverse=True)
        key = inverse.reshape(-1).astype(np.int64)
    n = wanted[0].size
    return key[:n], key[n:]


def _match(
    entry_key: IntArray, finding_key: IntArray, place: IntArray
) -> tuple[np.ndarray, IntArray]:
    """(per finding: known; per entry: how many entries of its key are left over). Of
    the findings with a key, the first ones by `place` are known, as many as there are
    entries with that key."""
    keys, wanted = np.unique(entry_key, return_counts=True)
    order = np.lexsort((place, finding_key))
    ordered = finding_key[order]
    at = np.minimum(np.searchsorted(keys, ordered), keys.size - 1)
    has = keys[at] == ordered
    taken = has & (_occurrence(ordered) < wanted[at])
    matched = np.zeros(finding_key.size, dtype=bool)
    matched[order] = taken
    left = wanted - np.bincount(at[taken], minlength=keys.size)
    return matched, left[np.searchsorted(keys, entry_key)]


def _left_over(entry_key: IntArray, left: IntArray) -> IntArray:
    """The entries left over: of those with a key, the first `left` in file order (the
    entries' own order)."""
    order = np.lexsort((np.arange(entry_key.size), entry_key))
    occurrence = np.empty(entry_key.size, dtype=np.int64)
    occurrence[order] = _occurrence(entry_key[order])
    return np.flatnonzero(occurrence < left)


def _occurrence(ordered: IntArray) -> IntArray:
    """For sorted keys: each one's place within its run of equal keys (0, 1, ...)."""
    n = ordered.size
    start = np.ones(n, dtype=bool)
    start[1:] = ordered[1:] != ordered[:-1]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    return np.arange(n) - first
