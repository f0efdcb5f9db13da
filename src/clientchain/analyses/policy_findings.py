"""The policy applied to findings: limits become findings, ignore entries excuse some.

Everything here works on findings and figures already computed; it decides what is
reported, never what the organisation looks like (nor whether a run fails: ci.gate).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from clientchain.model.findings import (
    INVERSION_TOO_DEEP,
    INVERTED_RELATIONSHIP,
    ORG_ALIENATION_ABOVE_LIMIT,
    ROLE_ALIENATION_ABOVE_LIMIT,
    UNUSED_IGNORE,
    Finding,
    Level,
    finding_order,
)
from clientchain.model.org import FloatArray, Org
from clientchain.model.policy import Ignore, Limit, Policy


@dataclasses.dataclass(frozen=True, slots=True)
class Gated:
    """The findings to report, and those an ignore entry excused."""

    reported: tuple[Finding, ...]
    ignored: tuple[Finding, ...]


def apply_policy(
    findings: Sequence[Finding],
    policy: Policy,
    org: Org,
    alienation: FloatArray,
    org_alienation: float | None,
    inversion_levels: Mapping[tuple[str, str], int],
) -> Gated:
    """Policy findings added, ignored findings set apart, unused ignore entries reported.

    `alienation` and `org_alienation` are the figures as shown (rounded), so a limit
    compares with what the user reads; `inversion_levels` maps (boss, subordinate) ids
    to the levels an inversion spans.
    """
    found = list(_depth_limited(findings, policy.max_levels_inverted, inversion_levels))
    found.extend(_org_limit(org, policy.max_org_alienation, org_alienation))
    found.extend(_role_limit(org, policy.max_role_alienation, alienation))
    reported, ignored, unused = _excuse(found, policy.ignore)
    reported.extend(_unused(org, unused))
    reported.sort(key=finding_order)
    return Gated(tuple(reported), tuple(ignored))


def _shown(value: float) -> str:
    return f"{value:.12f}".rstrip("0").rstrip(".") if value else "0"


def _depth_limited(
    findings: Sequence[Finding], limit: Limit | None, levels: Mapping[tuple[str, str], int]
) -> Iterable[Finding]:
    """With max_levels_inverted N: inversions of at most N levels are tolerated
    (CC101 as a warning), deeper ones break the policy (CC203, an error)."""
    if limit is None:
        yield from findings
        return
    most = int(limit.value)
    for f in findings:
        if f.code != INVERTED_RELATIONSHIP.code or f.boss is None:
            yield f
            continue
        span = levels[(f.boss, f.role)]
        if span <= most:
            yield dataclasses.replace(f, level=Level.WARNING)
        else:
            yield Finding.of_pair(
                INVERSION_TOO_DEEP,
                f.boss,
                f.role,
                f.file,
                f.line,
                f"'{f.boss}' is a net payer of '{f.role}', {span} levels below it; the policy"
                f" tolerates inversions of at most {most} level{'s' if most != 1 else ''}"
                " (max_levels_inverted)",
            )


def _org_limit(org: Org, limit: Limit | None, value: float | None) -> list[Finding]:
    if limit is None or value is None or value <= limit.value:
        return []
    return [
        Finding.of(
            ORG_ALIENATION_ABOVE_LIMIT,
            "",
            org.source,
            limit.line or 1,
            f"org alienation {_shown(value)} is above the policy's limit"
            f" {_shown(limit.value)} (max_org_alienation)",
        )
    ]


def _role_limit(org: Org, limit: Limit | None, alienation: FloatArray) -> list[Finding]:
    if limit is None:
        return []
    ids, lines = org.role_ids, org.role_lines
    shown = _shown(limit.value)
    over = np.flatnonzero(alienation > limit.value).tolist()
    values = alienation[over].tolist()
    return [
        Finding.of(
            ROLE_ALIENATION_ABOVE_LIMIT,
            ids[i],
            org.source,
            int(lines[i]),
            f"'{ids[i]}' has alienation {_shown(a)}, above the policy's limit {shown}"
            " (max_role_alienation)",
        )
        for i, a in zip(over, values, strict=True)
    ]


def _excuse(
    findings: list[Finding], ignores: Sequence[Ignore]
) -> tuple[list[Finding], list[Finding], list[Ignore]]:
    if not ignores:
        return findings, [], []
    by_code: dict[str, list[Ignore]] = {}
    for entry in ignores:
        by_code.setdefault(entry.code, []).append(entry)
    used: set[int] = set()
    reported: list[Finding] = []
    ignored: list[Finding] = []
    for f in findings:
        hit = next((e for e in by_code.get(f.code, ()) if e.matches(f)), None)
        if hit is None:
            reported.append(f)
        else:
            ignored.append(f)
            used.add(id(hit))
    return reported, ignored, [e for e in ignores if id(e) not in used]


def _unused(org: Org, unused: Iterable[Ignore]) -> list[Finding]:
    return [
        Finding.of(
            UNUSED_IGNORE,
            "",
            org.source,
            entry.line,
            f"ignore entry for {entry.code} ({entry.subject}) matches no finding: delete it",
        )
        for entry in unused
    ]
