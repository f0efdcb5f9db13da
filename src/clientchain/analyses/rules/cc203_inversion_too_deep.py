"""CC203 `inversion-too-deep` (error): an inverted relationship spans more levels than the
policy tolerates.

**What it means.** The policy block sets `max_levels_inverted` N (or the command line's
`--max-levels-inverted` does). Inverted relationships (CC101) of at most N levels are
then tolerated: they stay CC101, as warnings. A deeper one, a boss paying someone more
than N levels below it, breaks the policy: it is reported as CC203 instead of CC101,
at the subordinate's line, naming both roles.

**Why it matters.** A budget that skips levels on its way down bypasses everyone in
between: the subordinate answers to a boss several levels up, and the managers in the
middle neither serve it nor are served by it.

**What to do.** Remove the inversion (let the subordinate be paid by the roles it
serves), or shorten the reporting line between boss and subordinate. Raising the
limit turns the finding back into a CC101 warning.

**Data.** `boss`, `subordinate` (ids), `levels` (between them), `limit` (the policy's
max_levels_inverted).

Passing: the clerk is paid by the seller it serves.

```yaml passing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: accountant
    reports_to: owner
  - id: clerk
    reports_to: accountant
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: seller, to: clerk, amount: 100}
  - {from: clerk, to: accountant, amount: 50}
policy:
  max_levels_inverted: 1
```

Failing: the owner pays the clerk, two levels below it, past the accountant.

```yaml failing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: accountant
    reports_to: owner
  - id: clerk
    reports_to: accountant
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: owner, to: clerk, amount: 100}
  - {from: clerk, to: accountant, amount: 50}
policy:
  max_levels_inverted: 1
```

```text finding
org.yaml:9: error CC203 'owner' is a net payer of 'clerk', 2 levels below it; the policy
  tolerates inversions of at most 1 level (max_levels_inverted)
```
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.rules.wording import plural
from clientchain.model.findings import (
    INVERSION_TOO_DEEP,
    INVERTED_RELATIONSHIP,
    Choice,
    Finding,
    FindingColumns,
    FindingRows,
    Level,
)
from clientchain.model.policy import Limit

if TYPE_CHECKING:
    from clientchain.model.findings import IntArray, Shown

RULE = INVERSION_TOO_DEEP
# CC101 tolerated under the limit: the same findings, as warnings.
TOLERATED = dataclasses.replace(INVERTED_RELATIONSHIP, level=Level.WARNING)


def limited(
    findings: Sequence[Finding], limit: Limit | None, levels: Mapping[tuple[str, str], int]
) -> Iterable[Finding]:
    """The findings under max_levels_inverted N: inversions (CC101) of at most N levels
    become warnings, deeper ones CC203 errors; `levels` maps (boss, subordinate) ids to
    the levels between them."""
    if limit is None:
        yield from findings
        return
    most = int(limit.value)
    for f in findings:
        if f.code != INVERTED_RELATIONSHIP.code or f.boss is None:
            yield f
            continue
        span = levels[(f.boss, f.role)]
        yield tolerated(f) if span <= most else too_deep(f, span, most)


def tolerated(inversion: Finding) -> Finding:
    """A CC101 finding within the limit: a warning."""
    return dataclasses.replace(inversion, level=Level.WARNING)


def too_deep(inversion: Finding, levels: int, most: int) -> Finding:
    """The CC203 finding that a CC101 finding of `levels` levels becomes (`most` < levels)."""
    boss, subordinate = inversion.boss, inversion.role
    assert boss is not None, inversion
    return Finding.of_pair(
        RULE,
        boss,
        subordinate,
        inversion.file,
        inversion.line,
        RULE.message(boss=boss, subordinate=subordinate, levels=levels, limit=most, s=plural(most)),
        (("boss", boss), ("subordinate", subordinate), ("levels", levels), ("limit", most)),
    )


def limited_rows(
    inversions: FindingRows, levels: IntArray, most: int
) -> tuple[tuple[FindingRows, IntArray], tuple[FindingRows, IntArray]]:
    """`limited` for CC101's findings kept as rows (`levels` per row): those tolerated,
    and those too deep (as CC203), each made only when read; with each, the rows of
    `inversions` it holds."""
    within, deep = np.flatnonzero(levels <= most), np.flatnonzero(levels > most)
    build, columns = inversions.build, inversions.columns
    assert columns is not None, "CC101 keeps its findings as columns"

    def tolerated_rows(rows: list[int]) -> list[Finding]:
        return [tolerated(f) for f in build(within[rows].tolist())]

    def deep_rows(rows: list[int]) -> list[Finding]:
        at = deep[rows]
        found = build(at.tolist())
        return [too_deep(f, n, most) for f, n in zip(found, levels[at].tolist(), strict=True)]

    def deep_columns(rows: IntArray) -> FindingColumns:
        at = deep[rows]
        inverted = columns(at)
        boss, subordinate = inverted.boss, inverted.role
        assert boss is not None and subordinate is not None
        n = levels[at].astype(np.int64)
        shown: dict[str, Shown] = {
            "boss": boss,
            "subordinate": subordinate,
            "levels": n,
            "limit": np.full(n.size, most, dtype=np.int64),
            "s": Choice(("s", ""), np.full(n.size, most == 1, dtype=np.int64)),  # plural(most)
        }
        facts = (("boss", boss), ("subordinate", subordinate), ("levels", n), ("limit", most))
        return FindingColumns(subordinate, boss, None, shown, facts)

    file, line = inversions.file, inversions.line
    return (
        (
            FindingRows(
                TOLERATED, file, line[within], tolerated_rows, lambda rows: columns(within[rows])
            ),
            within,
        ),
        (FindingRows(RULE, file, line[deep], deep_rows, deep_columns), deep),
    )
