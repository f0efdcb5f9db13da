"""CC207 `span-below-limit` (error): a manager has fewer direct reports than the policy's
minimum span.

**What it means.** The policy block sets `min_span` N, and a manager (a role with at
least one direct report, solid lines; headcount does not count) has fewer than N. The
finding stands at the manager's line; roles with no reports are not managers and are
never held to it.

**Why it matters.** Narrow spans add managers without adding people who do the work:
more layers, more hand-overs, and managers who manage one or two people end up doing
their work for them.

**What to do.** Merge the team with a neighbouring one, move the reports up a level,
or lower the limit in the policy block.

**Data.** `role` (the manager's id), `span` (its direct reports), `limit` (the policy's
min_span).

Passing: the manager has two sellers, as the policy asks.

```yaml passing
clients:
  - id: buyers
roles:
  - id: owner
  - id: manager
    reports_to: owner
  - id: seller
    reports_to: manager
  - id: trainee
    reports_to: manager
  - id: accountant
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: buyers, to: trainee, amount: 100}
  - {from: seller, to: manager, amount: 700}
  - {from: manager, to: owner, amount: 400}
  - {from: manager, to: accountant, amount: 50}
policy:
  min_span: 2
```

Failing: the manager has one seller.

```yaml failing
clients:
  - id: buyers
roles:
  - id: owner
  - id: manager
    reports_to: owner
  - id: seller
    reports_to: manager
  - id: accountant
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: manager, amount: 700}
  - {from: manager, to: owner, amount: 400}
  - {from: manager, to: accountant, amount: 50}
policy:
  min_span: 2
```

```text finding
org.yaml:5: error CC207 'manager' has 1 direct report, fewer than the policy's minimum
  of 2 (min_span)
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.rules.wording import plural
from clientchain.model.findings import (
    SPAN_BELOW_LIMIT,
    Choice,
    Finding,
    FindingColumns,
    FindingRows,
    Ids,
)
from clientchain.model.org import IntArray, Org
from clientchain.model.policy import Limit

if TYPE_CHECKING:
    from clientchain.model.findings import Shown

RULE = SPAN_BELOW_LIMIT


def find(org: Org, limit: Limit | None, span: IntArray) -> FindingRows:
    """One finding per manager (span >= 1) below the limit, at its line (made when read)."""
    if limit is None:
        return FindingRows(RULE, org.source, np.zeros(0, dtype=np.int64), lambda rows: [])
    bound = int(limit.value)
    lines = org.role_lines
    hits = np.flatnonzero((span >= 1) & (span < bound))

    def build(rows: list[int]) -> list[Finding]:
        ids = org.role_ids  # read here: when a finding is made, not before
        roles = hits[np.asarray(rows, dtype=np.int64)]
        return [
            Finding.of(
                RULE,
                ids[v],
                org.source,
                line,
                RULE.message(role=ids[v], span=n, s=plural(n), limit=bound),
                (("role", ids[v]), ("span", n), ("limit", bound)),
            )
            for v, n, line in zip(
                roles.tolist(), span[roles].tolist(), lines[roles].tolist(), strict=True
            )
        ]

    def columns(rows: IntArray) -> FindingColumns:
        roles = hits[rows]
        role, count = Ids(roles), span[roles].astype(np.int64)
        shown: dict[str, Shown] = {
            "role": role,
            "span": count,
            "s": Choice(("s", ""), (count == 1).astype(np.int64)),  # plural(span)
            "limit": np.full(roles.size, bound, dtype=np.int64),
        }
        facts = (("role", role), ("span", count), ("limit", bound))
        return FindingColumns(role, None, None, shown, facts)

    return FindingRows(RULE, org.source, lines[hits], build, columns)
