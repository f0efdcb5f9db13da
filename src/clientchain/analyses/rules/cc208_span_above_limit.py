"""CC208 `span-above-limit` (error): a manager has more direct reports than the policy's
maximum span.

**What it means.** The policy block sets `max_span` N, and a role has more than N
roles reporting to it directly (solid lines; headcount does not count: a role of six
sellers is one report). The finding stands at the manager's line.

**Why it matters.** A manager with too many direct reports cannot know what each of
them needs; the reports are left to serve whoever shouts loudest, often the budget
holder rather than the paying clients.

**What to do.** Split the team under a second manager, or raise the limit in the
policy block if the work allows a wide span.

**Data.** `role` (the manager's id), `span` (its direct reports), `limit` (the policy's
max_span).

Passing: the owner has two direct reports, as the policy allows.

```yaml passing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: mechanic
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: buyers, to: mechanic, amount: 300}
  - {from: seller, to: owner, amount: 400}
  - {from: mechanic, to: owner, amount: 100}
policy:
  max_span: 2
```

Failing: a third role reports to the owner.

```yaml failing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: mechanic
    reports_to: owner
  - id: painter
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: buyers, to: mechanic, amount: 300}
  - {from: buyers, to: painter, amount: 200}
  - {from: seller, to: owner, amount: 400}
  - {from: mechanic, to: owner, amount: 100}
  - {from: painter, to: owner, amount: 50}
policy:
  max_span: 2
```

```text finding
org.yaml:4: error CC208 'owner' has 3 direct reports, more than the policy's maximum of
  2 (max_span)
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clientchain.model.findings import (
    SPAN_ABOVE_LIMIT,
    Finding,
    FindingColumns,
    FindingRows,
    Ids,
)
from clientchain.model.org import IntArray, Org
from clientchain.model.policy import Limit

if TYPE_CHECKING:
    from clientchain.model.findings import Shown

RULE = SPAN_ABOVE_LIMIT


def find(org: Org, limit: Limit | None, span: IntArray) -> FindingRows:
    """One finding per role with more direct reports than the limit, at its line (made
    when read)."""
    if limit is None:
        return FindingRows(RULE, org.source, np.zeros(0, dtype=np.int64), lambda rows: [])
    bound = int(limit.value)
    lines = org.role_lines
    hits = np.flatnonzero(span > bound)

    def build(rows: list[int]) -> list[Finding]:
        ids = org.role_ids  # read here: when a finding is made, not before
        roles = hits[np.asarray(rows, dtype=np.int64)]
        return [
            Finding.of(
                RULE,
                ids[v],
                org.source,
                line,
                RULE.message(role=ids[v], span=n, limit=bound),
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
            "limit": np.full(roles.size, bound, dtype=np.int64),
        }
        facts = (("role", role), ("span", count), ("limit", bound))
        return FindingColumns(role, None, None, shown, facts)

    return FindingRows(RULE, org.source, lines[hits], build, columns)
