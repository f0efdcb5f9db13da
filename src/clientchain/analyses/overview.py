"""What the findings add up to, for the sentence that leads a report.

Four hundred CC101 findings for four hundred reporting lines are one fact, not four
hundred: the organisation is budget-funded (every boss pays its direct reports). And
when no money passes between roles at all, every role that no client pays is unfunded
because nothing in the input says how money reaches it. The renderers say such a fact
once, above the list; these are its figures, counted here once for every format.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.analyses.analyze import Analysis
from clientchain.graph.distinct import sorted_distinct
from clientchain.model.org import NO_PARENT

# Budget-funded: at least this share of the reporting lines is inverted (exact, in
# whole percent, so 9 of 10 lines is in and 8 of 9 is out).
BUDGET_FUNDED_PERCENT = 90


@dataclass(frozen=True, slots=True)
class Overview:
    roles: int
    reporting_lines: int  # roles with a `reports_to`: one line each to its boss
    inverted_lines: int  # of those, the lines whose boss is a net payer of the role
    paid_by_clients: int  # roles that an external client pays directly
    money_between_roles: bool  # any flow from a role to a role

    @property
    def budget_funded(self) -> bool:
        """Inversion is the rule, not the exception (BUDGET_FUNDED_PERCENT or more)."""
        lines = self.reporting_lines
        return lines > 0 and self.inverted_lines * 100 >= BUDGET_FUNDED_PERCENT * lines

    @property
    def only_clients_fund(self) -> bool:
        """Clients pay some roles, no money passes between roles, so the others have none."""
        return not self.money_between_roles and 0 < self.paid_by_clients < self.roles


def overview(analysis: Analysis) -> Overview:
    """The figures of the lead sentences, linear in roles + flows."""
    org, graph, inv = analysis.org, analysis.graph, analysis.inversions_raw
    r = org.role_count
    # A solid inversion with levels 1 is a boss and its direct report: one reporting
    # line, counted once (inversions are distinct pairs). Dotted-line inversions (levels
    # 1 too) are no reporting line.
    inverted = int(np.count_nonzero((inv.levels == 1) & ~inv.dotted))
    from_client = graph.payer >= r
    return Overview(
        roles=r,
        reporting_lines=int(np.count_nonzero(org.parent != NO_PARENT)),
        inverted_lines=inverted,
        paid_by_clients=int(sorted_distinct(graph.payee[from_client]).size),
        money_between_roles=bool((~from_client).any()),
    )
