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

from clientchain.analyses.rules.wording import plural
from clientchain.model.findings import INVERSION_TOO_DEEP, INVERTED_RELATIONSHIP, Finding, Level
from clientchain.model.policy import Limit

RULE = INVERSION_TOO_DEEP


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
        if span <= most:
            yield dataclasses.replace(f, level=Level.WARNING)
        else:
            yield Finding.of_pair(
                RULE,
                f.boss,
                f.role,
                f.file,
                f.line,
                RULE.message(
                    boss=f.boss, subordinate=f.role, levels=span, limit=most, s=plural(most)
                ),
                (("boss", f.boss), ("subordinate", f.role), ("levels", span), ("limit", most)),
            )
