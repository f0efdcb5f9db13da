"""CC201 `org-alienation-above-limit` (error): the organisation is further from its
paying clients than its policy allows.

**What it means.** The policy block sets `max_org_alienation` (or the command line's
`--max-org-alienation` does), and the organisation's alienation, the headcount-weighted
mean of every role's alienation, is above it. The finding is about the organisation as
a whole and stands at the limit's line in the policy block.

**Why it matters.** The limit is the team's own promise about how close its people stay
to the paying clients; a reorganisation that breaks it should not pass review unseen.

**What to do.** Bring roles closer to the paying clients (fewer hand-overs between a
client's money and the people it pays), or raise the limit in the policy block if the
organisation has decided so.

**Data.** `alienation` (the organisation's, as shown), `limit` (the policy's).

Passing: the owner also sells, so half of its money comes straight from the buyers.

```yaml passing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: buyers, to: owner, amount: 400}
  - {from: seller, to: owner, amount: 400}
policy:
  max_org_alienation: 0.2
```

Failing: all of the owner's money comes through the seller.

```yaml failing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 400}
policy:
  max_org_alienation: 0.2
```

```text finding
org.yaml:11: error CC201 org alienation 0.25 is above the policy's limit 0.2 (max_org_alienation)
```
"""

from __future__ import annotations

from clientchain.analyses.rules.wording import ratio_text
from clientchain.model.findings import ORG_ALIENATION_ABOVE_LIMIT, Finding
from clientchain.model.org import Org
from clientchain.model.policy import Limit

RULE = ORG_ALIENATION_ABOVE_LIMIT


def find(org: Org, limit: Limit | None, alienation: float | None) -> list[Finding]:
    """The finding when the organisation's alienation (as shown) is above the limit."""
    if limit is None or alienation is None or alienation <= limit.value:
        return []
    return [
        Finding.of(
            RULE,
            "",
            org.source,
            limit.line or 1,
            RULE.message(alienation=ratio_text(alienation), limit=ratio_text(limit.value)),
            (("alienation", alienation), ("limit", limit.value)),
        )
    ]
