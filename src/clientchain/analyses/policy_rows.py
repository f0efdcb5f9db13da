"""The policy applied to findings kept as rows (`Findings`): what `apply_policy` makes of
the findings one by one, without making them.

Any policy block, `fail_on` alone, used to make every finding, sort them and keep
them: at a million inversions, seconds and hundreds of megabytes. Here the org's
findings stay rows. max_levels_inverted splits CC101's rows into the tolerated and
the too deep (`cc203.limited_rows`); the policy rules' findings join as rows of their
own; an ignore entry is matched against a rule's subject columns (`FindingColumns`),
by node number. Only the excused findings are made: they are listed one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

import numpy as np

from clientchain.analyses.policy_findings import Gated
from clientchain.analyses.rules import cc201_org_alienation_above_limit as cc201
from clientchain.analyses.rules import cc202_role_alienation_above_limit as cc202
from clientchain.analyses.rules import cc203_inversion_too_deep as cc203
from clientchain.analyses.rules import cc204_unused_ignore as cc204
from clientchain.analyses.rules import cc206_too_many_layers as cc206
from clientchain.analyses.rules import cc207_span_below_limit as cc207
from clientchain.analyses.rules import cc208_span_above_limit as cc208
from clientchain.model.findings import (
    INVERTED_RELATIONSHIP,
    Finding,
    FindingRows,
    Findings,
    Ids,
    Rule,
)
from clientchain.model.org import FloatArray, IntArray, Org
from clientchain.model.policy import SUBJECT_FIELDS, IgnoreIndex, Policy, ProjectIgnore


def apply_policy_to_rows(
    findings: Findings,
    policy: Policy,
    org: Org,
    alienation: FloatArray,
    org_alienation: float | None,
    span: IntArray,
    layer: IntArray,
) -> Gated | None:
    """`apply_policy`'s result for these findings, the reported ones still rows; None
    when a rule's rows cannot be split without making them (CC101 without columns)."""
    parts, origins = _limited(findings.parts, policy)
    if parts is None:
        return None
    added = [
        *_parts_of(cc201.RULE, cc201.find(org, policy.max_org_alienation, org_alienation)),
        cc202.find(org, policy.max_role_alienation, alienation),
        cc206.find(org, policy.max_layers, layer),
        cc207.find(org, policy.min_span, span),
        cc208.find(org, policy.max_span, span),
    ]
    # Where each part's findings stood before the policy: an excused finding is listed
    # in that order (the org's findings in finding order, then the policy's, by rule).
    rank = findings.ranks()
    ranks = [rank[p][rows] for p, rows in origins]
    start = len(findings)
    for part in added:
        ranks.append(np.arange(start, start + len(part)))
        start += len(part)
    entries = policy.ignore
    index = IgnoreIndex(entries) if entries else None
    kept: list[FindingRows] = []
    excused: list[tuple[IntArray, FindingRows, IntArray]] = []  # (ranks, part, rows)
    used: set[int] = set()
    for part, part_rank in zip([*parts, *added], ranks, strict=True):
        first = _first_entries(part, index, org)
        hit = np.flatnonzero(first < len(entries))
        used.update(first[hit].tolist())
        kept.append(part.subset(np.flatnonzero(first == len(entries))))
        if hit.size:
            excused.append((part_rank[hit], part, hit))
    unused = [e for i, e in enumerate(entries) if i not in used]
    found = cc204.find(org, [e for e in unused if not isinstance(e, ProjectIgnore)])
    kept.extend(_parts_of(cc204.RULE, found))
    return Gated(Findings(kept), tuple(_in_rank_order(excused)))


def _limited(
    parts: Sequence[FindingRows], policy: Policy
) -> tuple[list[FindingRows] | None, list[tuple[int, IntArray]]]:
    """The parts under max_levels_inverted (CC101's split in two), and for each the
    original part and rows its rows come from."""
    limit = policy.max_levels_inverted
    out: list[FindingRows] = []
    origins: list[tuple[int, IntArray]] = []
    for p, part in enumerate(parts):
        if limit is None or part.rule.code != INVERTED_RELATIONSHIP.code or not len(part):
            out.append(part)
            origins.append((p, np.arange(len(part))))
            continue
        if part.columns is None:
            return None, []
        levels = dict(part.columns(np.arange(len(part))).data)["levels"]
        assert isinstance(levels, np.ndarray)
        for split, rows in cc203.limited_rows(part, levels, int(limit.value)):
            out.append(split)
            origins.append((p, rows))
    return out, origins


def _parts_of(rule: Rule, found: list[Finding]) -> list[FindingRows]:
    """A rule's findings, already made, as rows: a part per file."""
    by_file = groupby(sorted(found, key=lambda f: f.file), key=lambda f: f.file)
    return [FindingRows.of(rule, file, list(group)) for file, group in by_file]


def _first_entries(part: FindingRows, index: IgnoreIndex | None, org: Org) -> IntArray:
    """For each row, the position of the first ignore entry that excuses its finding
    (`IgnoreIndex.first_position`), or the number of entries when none does."""
    none = 0 if index is None else len(index.entries)
    first = np.full(len(part), none, dtype=np.int64)
    if index is None or not len(part) or part.rule.code not in index.groups:
        return first
    every = np.arange(len(part))
    if part.columns is None:  # few findings (a rule without columns): made and asked
        for i, f in enumerate(part.build(every.tolist())):
            position = index.first_position(f)
            first[i] = none if position is None else position
        return first
    columns = part.columns(every)
    subject = {"role": columns.role, "boss": columns.boss, "client": columns.client}
    for shape, group in index.groups[part.rule.code]:
        ids = [subject[SUBJECT_FIELDS[i][1]] for i in shape]
        if not all(isinstance(column, Ids) for column in ids):
            continue  # the findings have no such subject: no entry of this shape matches
        nodes = [column.node for column in ids if column is not None]
        wanted = _nodes_named(group, [SUBJECT_FIELDS[i][1] for i in shape], org)
        if not shape:  # an entry that names no subject: every finding of its code
            np.minimum(first, group[()], out=first)
            continue
        if not wanted:
            continue
        candidates = np.flatnonzero(np.isin(nodes[0], np.fromiter((k[0] for k in wanted), int)))
        for row in candidates.tolist():
            position = wanted.get(tuple(int(n[row]) for n in nodes))
            if position is not None and position < first[row]:
                first[row] = position
    return first


def _nodes_named(
    group: dict[tuple[str | None, ...], int], fields: list[str], org: Org
) -> dict[tuple[int, ...], int]:
    """The group's entries by the node numbers of the ids they name (an entry naming an
    id the org chart does not have excuses nothing, and is left out)."""
    roles = org.role_index
    clients = {cid: org.role_count + c for c, cid in enumerate(org.client_ids)}
    out: dict[tuple[int, ...], int] = {}
    for values, position in group.items():
        nodes = [
            (clients if field == "client" else roles).get(value) if value is not None else None
            for field, value in zip(fields, values, strict=True)
        ]
        if all(n is not None for n in nodes):
            out.setdefault(tuple(n for n in nodes if n is not None), position)
    return out


def _in_rank_order(excused: list[tuple[IntArray, FindingRows, IntArray]]) -> list[Finding]:
    """The excused findings, made, in the order of their ranks."""
    made: list[tuple[int, Finding]] = []
    for ranks, part, rows in excused:
        made.extend(zip(ranks.tolist(), part.build(rows.tolist()), strict=True))
    made.sort(key=lambda pair: pair[0])
    return [f for _, f in made]
