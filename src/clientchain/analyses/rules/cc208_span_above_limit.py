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

import numpy as np

from clientchain.model.findings import SPAN_ABOVE_LIMIT, Finding
from clientchain.model.org import IntArray, Org
from clientchain.model.policy import Limit

RULE = SPAN_ABOVE_LIMIT


def find(org: Org, limit: Limit | None, span: IntArray) -> list[Finding]:
    """One finding per role with more direct reports than the limit, at its line."""
    if limit is None:
        return []
    most = int(limit.value)
    ids = org.role_ids
    wide = np.flatnonzero(span > most)
    return [
        Finding.of(
            RULE,
            ids[v],
            org.source,
            int(org.role_lines[v]),
            RULE.message(role=ids[v], span=n, limit=most),
            (("role", ids[v]), ("span", n), ("limit", most)),
        )
        for v, n in zip(wide.tolist(), span[wide].tolist(), strict=True)
    ]
