"""CC105 `paid-by-others` (warning): a role serves someone, but none of its money comes
from those it serves.

**What it means.** The role's `serves` names whom its work is for: external clients
(a complaints desk serves the buyers) or internal customers (roles). Yet none of the
money that reaches it originates at the clients it serves (`served_share` 0) and none
is paid to it directly by the roles it serves (`served_roles_share` 0); a figure that
does not apply (it serves no client, or no role) is null and left out. The finding
stands at the role's line. A role that receives no money at all is CC102's, not this.

**Why it matters.** Work done for some and paid for by others is alienation made
visible: the role answers to whoever funds it, and the people it serves have no say
in what it is worth to them.

**What to do.** Let those it serves pay for its work (a charge to the internal
customer, a share of the revenue from the clients), or correct `serves` if the role
really works for whoever pays it.

**Data.** `role` (its id), `served_share` (null when it serves no external client),
`served_roles_share` (null when it serves no role).

Passing: the complaints desk is paid by the seller, with the buyers' money.

```yaml passing
clients:
  - id: buyers
  - id: investors
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: finance
    reports_to: owner
  - id: complaints
    reports_to: owner
    serves: buyers
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: investors, to: finance, amount: 500}
  - {from: seller, to: complaints, amount: 100}
```

Failing: finance pays the complaints desk from the investors' money.

```yaml failing
clients:
  - id: buyers
  - id: investors
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: finance
    reports_to: owner
  - id: complaints
    reports_to: owner
    serves: buyers
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: investors, to: finance, amount: 500}
  - {from: finance, to: complaints, amount: 100}
```

```text finding
org.yaml:10: warning CC105 'complaints' serves 'buyers', but none of its money comes
  from them: it is paid by others
```
"""

from __future__ import annotations

import math

import numpy as np

from clientchain.analyses.rules.facts import OrgFacts
from clientchain.model.findings import PAID_BY_OTHERS, Finding, FindingRows
from clientchain.model.org import Org
from clientchain.model.rounding import ratios

RULE = PAID_BY_OTHERS
NAMED = 3  # the served ids a message names before it counts the rest


def paid_by_others(served_share: np.ndarray, served_roles_share: np.ndarray) -> np.ndarray:
    """Per role: at least one of the two applies, and every one that applies is 0."""
    clients, roles = ~np.isnan(served_share), ~np.isnan(served_roles_share)
    zero = (~clients | (served_share <= 0)) & (~roles | (served_roles_share <= 0))
    return np.asarray((clients | roles) & zero)


def find(facts: OrgFacts) -> FindingRows:
    """One finding per role paid by others, at its line (made when read)."""
    org = facts.org
    hits = np.flatnonzero(paid_by_others(facts.served_share, facts.served_roles_share))

    def build(rows: list[int]) -> list[Finding]:
        ids = org.role_ids  # read here: when a finding is made, not before
        roles = hits[np.asarray(rows, dtype=np.int64)]
        shown = ratios(facts.served_share[roles]).tolist()
        shown_roles = ratios(facts.served_roles_share[roles]).tolist()
        return [
            Finding.of(
                RULE,
                ids[v],
                org.source,
                line,
                RULE.message(role=ids[v], whom=_whom(org, v)),
                (
                    ("role", ids[v]),
                    ("served_share", None if math.isnan(share) else share),  # NaN: null
                    ("served_roles_share", None if math.isnan(served) else served),
                ),
            )
            for v, line, share, served in zip(
                roles.tolist(), org.role_lines[roles].tolist(), shown, shown_roles, strict=True
            )
        ]

    return FindingRows(RULE, org.source, org.role_lines[hits], build)


def _whom(org: Org, role: int) -> str:
    """'a', 'a' and 'b', 'a', 'b' and 'c', or 'a', 'b', 'c' and 2 more."""
    names = [f"'{org.node_id(n)}'" for n in dict.fromkeys(org.serves.of(role))]
    if len(names) > NAMED + 1:
        names = [*names[:NAMED], f"{len(names) - NAMED} more"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
