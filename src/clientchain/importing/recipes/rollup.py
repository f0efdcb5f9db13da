"""Revenue roll-up: each role passes the client money collected in its subtree to its boss.

When to use it: a sales organisation whose ledger says which role each client
paid (`clientchain import flows`), but not how that money funds the managers
above. Without the roll-up only the front line is funded; with it, every
manager is funded by the money its team brings in, and `analyze` shows how far
each one stands from the paying clients.

The model: let `collected(v)` be the money external clients pay role v
directly, and `subtree(v)` the sum of `collected` over v and every role below v
in the solid reports_to hierarchy. Each role with a boss and `subtree(v) > 0`
pays its boss `share x subtree(v)` (`--share`, default 1: all of it), one row
`v -> boss` of kind `roll-up`. Money already passed between roles (a roll-up
made before, budgets) is not client money and is not rolled up again, so the
recipe gives the same rows however often it is run. The rows are new flows:
analyse them together with the ledger's (`--flows ledger.csv --flows
rollup.csv`).
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from clientchain.importing.flows_csv import FlowRow
from clientchain.importing.ledger_source import EXACT
from clientchain.importing.recipes.result import (
    ZERO,
    RecipeResult,
    checked_row,
    exact,
    subtree_totals,
)
from clientchain.model.org import Org
from clientchain.model.problems import InputError, Position, Problem

KIND = "roll-up"


def revenue_rollup(org: Org, share: Decimal = Decimal(1)) -> RecipeResult:
    """One `role -> boss` row per role whose subtree collected client money: `share` of
    it. InputError when no client pays any role (there is nothing to roll up)."""
    roles = org.role_count
    collected = [ZERO] * roles
    from_client = org.flow_payer >= roles
    payees = org.flow_payee[from_client].tolist()
    amounts = org.flow_amount[from_client].tolist()
    if not payees:
        raise InputError([Problem(Position(org.source), _NOTHING)])
    with localcontext(EXACT):
        for payee, amount in zip(payees, amounts, strict=True):
            collected[payee] += exact(amount)
        totals = subtree_totals(org.parent, collected)
        bosses = org.parent.tolist()
        rows: list[FlowRow] = []
        problems: list[Problem] = []
        for role, boss in enumerate(bosses):
            if boss < 0 or totals[role] <= 0:
                continue
            row = FlowRow(org.role_ids[role], org.role_ids[boss], share * totals[role], KIND)
            checked = checked_row(org, role, row, f"the roll-up of '{org.role_ids[role]}'")
            if isinstance(checked, Problem):
                problems.append(checked)
            else:
                rows.append(checked)
    if problems:
        raise InputError(problems)
    return RecipeResult(rows, org.amount_decimals)


_NOTHING = (
    "no client pays any role, so there is no revenue to roll up: import the sales ledger"
    " first (clientchain import flows LEDGER -o sales.csv) and pass it with --flows sales.csv"
)
