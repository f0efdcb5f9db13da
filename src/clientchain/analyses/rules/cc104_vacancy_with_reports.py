"""CC104 `vacancy-with-reports` (warning): a vacant role has roles reporting to it.

**What it means.** A role with `headcount: 0` (a vacancy) has other roles whose
`reports_to` names it. The finding stands at the vacant role's line and counts its
direct reports.

**Why it matters.** The figures still route money and reporting lines through the
vacant role, but nobody holds that link of the chain: its reports have no one to
serve their clients with, and no one to carry their work up.

**What to do.** Fill the role, or move its reports to a role that is held.

**Data.** `role` (the vacant role's id), `reports` (how many roles report to it
directly).

Passing: the sales manager's post is held.

```yaml passing
clients:
  - id: buyers
roles:
  - id: owner
  - id: sales-manager
    reports_to: owner
    headcount: 1
  - id: seller
    reports_to: sales-manager
    headcount: 3
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: sales-manager, amount: 700}
  - {from: sales-manager, to: owner, amount: 400}
```

Failing: the sales manager's post is vacant, and the sellers still report to it.

```yaml failing
clients:
  - id: buyers
roles:
  - id: owner
  - id: sales-manager
    reports_to: owner
    headcount: 0
  - id: seller
    reports_to: sales-manager
    headcount: 3
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: sales-manager, amount: 700}
  - {from: sales-manager, to: owner, amount: 400}
```

```text finding
org.yaml:5: warning CC104 'sales-manager' is vacant (headcount 0) but 1 role reports to it
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.rules.facts import OrgFacts
from clientchain.analyses.rules.wording import plural
from clientchain.model.findings import (
    VACANCY_WITH_REPORTS,
    Choice,
    Finding,
    FindingColumns,
    FindingRows,
    Ids,
)
from clientchain.model.org import IntArray

if TYPE_CHECKING:
    from clientchain.model.findings import Shown

RULE = VACANCY_WITH_REPORTS


def find(facts: OrgFacts) -> FindingRows:
    """One finding per vacant role with direct reports, at its line (made when read)."""
    org = facts.org
    lines = org.role_lines
    reports = np.bincount(org.parent[org.parent >= 0], minlength=org.role_count)
    vacant = np.flatnonzero((reports > 0) & (org.headcount == 0))

    def build(rows: list[int]) -> list[Finding]:
        ids = org.role_ids  # read here: when a finding is made, not before
        roles = vacant[np.asarray(rows, dtype=np.int64)]
        return [
            Finding.of(
                RULE,
                ids[v],
                org.source,
                line,
                RULE.message(
                    role=ids[v],
                    reports=count,
                    s=plural(count),
                    verb_s="s" if count == 1 else "",
                ),
                (("role", ids[v]), ("reports", count)),
            )
            for v, line, count in zip(
                roles.tolist(), lines[roles].tolist(), reports[roles].tolist(), strict=True
            )
        ]

    def columns(rows: IntArray) -> FindingColumns:
        roles = vacant[rows]
        role, count = Ids(roles), reports[roles]
        one = (count == 1).astype(np.int64)
        shown: dict[str, Shown] = {
            "role": role,
            "reports": count,
            "s": Choice(("s", ""), one),  # plural(count)
            "verb_s": Choice(("", "s"), one),
        }
        return FindingColumns(role, None, None, shown, (("role", role), ("reports", count)))

    return FindingRows(RULE, org.source, lines[vacant], build, columns)
