"""CC106 `fragmented-client` (warning): nobody below the top holds a client's touchpoints.

**What it means.** A client's touchpoints are the roles it pays directly and the roles
whose `serves` names it. When they belong to two or more departments and the nearest
role above all of them (their lowest common boss, solid lines) is a top of the
hierarchy, or there is none because they lie in different trees, the client is
fragmented. The finding stands at the client's entry and names the departments.

**Why it matters.** "Clients are everyone's concern" often means no one's: sales sits
in one branch, service and complaints in another, billing somewhere else, and only the
chief executive sees the whole relationship. Nobody with the time for it answers for
what the client experiences end to end.

**What to do.** Give the client an `owner` below the top (a Chief Client Officer, an
account director) whose part of the organisation holds every touchpoint, or bring the
roles that serve the client under one head.

**Data.** `client` (its id), `department_count` (how many departments its touchpoints
span), `lowest_common_boss` (the top that holds them all, or null when they lie in
different trees).

Passing: a chief client officer holds sales and billing.

```yaml passing
clients:
  - id: buyers
roles:
  - id: ceo
  - id: chief-client-officer
    reports_to: ceo
  - id: sales
    reports_to: chief-client-officer
    department: Sales
  - id: billing
    reports_to: chief-client-officer
    department: Finance
flows:
  - {from: buyers, to: sales, amount: 800}
  - {from: buyers, to: billing, amount: 200}
  - {from: sales, to: chief-client-officer, amount: 500}
  - {from: billing, to: chief-client-officer, amount: 100}
  - {from: chief-client-officer, to: ceo, amount: 300}
```

Failing: sales and billing meet only at the chief executive.

```yaml failing
clients:
  - id: buyers
roles:
  - id: ceo
  - id: sales
    reports_to: ceo
    department: Sales
  - id: billing
    reports_to: ceo
    department: Finance
flows:
  - {from: buyers, to: sales, amount: 800}
  - {from: buyers, to: billing, amount: 200}
  - {from: sales, to: ceo, amount: 500}
  - {from: billing, to: ceo, amount: 100}
```

```text finding
org.yaml:2: warning CC106 client 'buyers' is served across 2 departments ('Finance',
  'Sales') and no role below a top holds them all: nobody owns the relationship
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.rules.facts import OrgFacts
from clientchain.analyses.rules.wording import quoted_names
from clientchain.model.findings import (
    FRAGMENTED_CLIENT,
    Finding,
    FindingColumns,
    FindingRows,
    Ids,
    MaybeIds,
)
from clientchain.model.org import IntArray

if TYPE_CHECKING:
    from clientchain.model.findings import Shown

RULE = FRAGMENTED_CLIENT


def find(facts: OrgFacts) -> FindingRows:
    """One finding per fragmented client, at its entry's line (made when read: an org with
    a hundred thousand customers can have as many)."""
    org, reach = facts.org, facts.clients
    hits = np.flatnonzero(np.asarray(reach.fragmented, dtype=bool))

    def build(rows: list[int]) -> list[Finding]:
        ids, client_ids = org.role_ids, org.client_ids  # read here, for a finding
        found = []
        for j in hits[np.asarray(rows, dtype=np.int64)].tolist():
            client, names, boss = client_ids[j], reach.departments[j], int(reach.boss[j])
            found.append(
                Finding.of_client(
                    RULE,
                    client,
                    org.source,
                    int(org.client_lines[j]),
                    RULE.message(
                        client=client,
                        department_count=len(names),
                        departments=quoted_names(list(names)),
                    ),
                    (
                        ("client", client),
                        ("department_count", len(names)),
                        ("lowest_common_boss", ids[boss] if boss >= 0 else None),
                    ),
                )
            )
        return found

    def columns(rows: IntArray) -> FindingColumns:
        clients = hits[rows]
        client = Ids(org.role_count + clients)
        names = [reach.departments[j] for j in clients.tolist()]
        count = np.fromiter(map(len, names), np.int64, len(names))
        shown: dict[str, Shown] = {
            "client": client,
            "department_count": count,
            "departments": [quoted_names(list(n)) for n in names],
        }
        boss = MaybeIds(np.asarray(reach.boss[clients], dtype=np.int64))  # -1: null
        data = (("client", client), ("department_count", count), ("lowest_common_boss", boss))
        return FindingColumns(None, None, client, shown, data)

    return FindingRows(RULE, org.source, org.client_lines[hits], build, columns)
