"""The policy applied to findings: limits become findings, ignore entries excuse some.

Everything here works on findings and figures already computed; it decides what is
reported, never what the organisation looks like (nor whether a run fails: ci.gate).
The findings themselves (CC201-CC204, CC206-CC208) are made by their rules' modules in
`analyses.rules`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from clientchain.analyses.rules import cc201_org_alienation_above_limit as cc201
from clientchain.analyses.rules import cc202_role_alienation_above_limit as cc202
from clientchain.analyses.rules import cc203_inversion_too_deep as cc203
from clientchain.analyses.rules import cc204_unused_ignore as cc204
from clientchain.analyses.rules import cc206_too_many_layers as cc206
from clientchain.analyses.rules import cc207_span_below_limit as cc207
from clientchain.analyses.rules import cc208_span_above_limit as cc208
from clientchain.model.findings import Finding, finding_order
from clientchain.model.holder import value_class
from clientchain.model.org import FloatArray, IntArray, Org
from clientchain.model.policy import Ignore, IgnoreIndex, Policy, ProjectIgnore


@value_class(slots=True)
class Gated:
    """The findings to report, and those an ignore entry excused."""

    reported: Sequence[Finding]  # in finding order
    ignored: tuple[Finding, ...]


def apply_policy(
    findings: Sequence[Finding],
    policy: Policy,
    org: Org,
    alienation: FloatArray,
    org_alienation: float | None,
    inversion_levels: Mapping[tuple[str, str], int],
    span: IntArray,
    layer: IntArray,
) -> Gated:
    """Policy findings added, ignored findings set apart, unused ignore entries reported.

    `alienation` and `org_alienation` are the figures as shown (rounded), so a limit
    compares with what the user reads; `inversion_levels` maps (boss, subordinate) ids
    to the levels an inversion spans; `span` and `layer` are per role (direct reports,
    and 1 for a top).
    """
    found = list(cc203.limited(findings, policy.max_levels_inverted, inversion_levels))
    found.extend(cc201.find(org, policy.max_org_alienation, org_alienation))
    for rows in (
        cc202.find(org, policy.max_role_alienation, alienation),
        cc206.find(org, policy.max_layers, layer),
        cc207.find(org, policy.min_span, span),
        cc208.find(org, policy.max_span, span),
    ):
        found.extend(rows.build(list(range(len(rows)))))
    reported, ignored, unused = _excuse(found, policy.ignore)
    reported.extend(cc204.find(org, [e for e in unused if not isinstance(e, ProjectIgnore)]))
    reported.sort(key=finding_order)
    return Gated(tuple(reported), tuple(ignored))


def _excuse(
    findings: list[Finding], ignores: Sequence[Ignore]
) -> tuple[list[Finding], list[Finding], list[Ignore]]:
    if not ignores:
        return findings, [], []
    index = IgnoreIndex(ignores)
    used: set[int] = set()
    reported: list[Finding] = []
    ignored: list[Finding] = []
    for f in findings:
        hit = index.first_position(f)
        if hit is None:
            reported.append(f)
        else:
            ignored.append(f)
            used.add(hit)
    return reported, ignored, [e for i, e in enumerate(ignores) if i not in used]
