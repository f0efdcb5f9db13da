"""CC204 `unused-ignore` (warning): a policy ignore entry matches no finding.

**What it means.** An entry under `policy: ignore:` excuses a finding (by code and
subject) that the analysis no longer reports: the problem it excused is gone, or the
entry names the wrong role. The finding stands at the entry's line. Findings about the
policy itself can be neither ignored nor baselined.

**Why it matters.** An exception that outlives its cause would silently excuse the next
problem of that kind with the same subject, and the policy stops telling the truth
about which exceptions the organisation has agreed to.

**What to do.** Delete the ignore entry, so the policy keeps only the exceptions still
needed.

**Data.** `entry_code` (the code the entry ignores) and its subject: `entry_role`,
`entry_boss`, `entry_subordinate`, `entry_client` (each null when the entry does not
name it).

Passing: the entry excuses the owner's budget for the accountant, which is still there.

```yaml passing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: accountant
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: owner, to: accountant, amount: 200}
policy:
  ignore:
    - code: CC101
      boss: owner
      subordinate: accountant
      reason: the budget moves to the seller in Q3
```

Failing: the seller pays the accountant now; the entry excuses nothing.

```yaml failing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: accountant
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: seller, to: accountant, amount: 200}
policy:
  ignore:
    - code: CC101
      boss: owner
      subordinate: accountant
      reason: the budget moves to the seller in Q3
```

```text finding
org.yaml:15: warning CC204 ignore entry for CC101 (owner -> accountant) matches no finding:
  delete it
```
"""

from __future__ import annotations

from collections.abc import Iterable

from clientchain.model.findings import UNUSED_IGNORE, Finding
from clientchain.model.org import Org
from clientchain.model.policy import Ignore

RULE = UNUSED_IGNORE


def find(org: Org, unused: Iterable[Ignore]) -> list[Finding]:
    """One finding per ignore entry that excused nothing, at the entry's line."""
    return [
        Finding.of(
            RULE,
            "",
            org.source,
            entry.line,
            RULE.message(entry_code=entry.code, subject=entry.subject),
            (
                ("entry_code", entry.code),
                ("entry_role", entry.role),
                ("entry_boss", entry.boss),
                ("entry_subordinate", entry.subordinate),
                ("entry_client", entry.client),
            ),
        )
        for entry in unused
    ]
