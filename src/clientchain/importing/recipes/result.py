"""What a recipe returns, and the exact arithmetic the recipes share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from clientchain.graph.hierarchy import fold_to_top
from clientchain.importing.flows_csv import FlowRow, amount_out_of_range, unwritable_id
from clientchain.model.org import NO_PARENT, IntArray, Org
from clientchain.model.problems import Position, Problem

ZERO = Decimal(0)


@dataclass(frozen=True)
class RecipeResult:
    """New flow rows (in the roles' file order), the places to show, notes for the user."""

    rows: list[FlowRow]
    decimals: int
    notes: list[str] = field(default_factory=list)


def exact(value: float) -> Decimal:
    """The decimal a loaded number was written as: the shortest text that reads back as
    the same float (`833.04`, not 833.0399999999999636...)."""
    if value.is_integer() and abs(value) < 2**53:
        return Decimal(int(value))
    return Decimal(repr(value))


def subtree_totals(parent: IntArray, own: Sequence[Decimal]) -> list[Decimal]:
    """`own` summed over each role's whole subtree (itself included), exactly. One pass
    from the deepest roles up (no recursion: a 100,000-level chain is one loop)."""
    has_parent = (parent != NO_PARENT).astype(np.int64)
    depth, _ = fold_to_top(parent, has_parent, np.add)
    order = np.argsort(depth, kind="stable")[::-1].tolist()
    up = parent.tolist()
    totals = list(own)
    for role in order:  # deepest first: a role's total is complete before its boss's
        boss = up[role]
        if boss != NO_PARENT:
            totals[boss] += totals[role]
    return totals


def checked_row(
    org: Org, role: int, row: FlowRow, what: str, where: Position | None = None
) -> FlowRow | Problem:
    """`row`, or the problem that keeps it out of a flows file (an amount the reader would
    refuse, an id it would read back as another): at `where`, else the line of `role`.
    `what` names the amount in the message ("the roll-up of 'x'")."""
    why = amount_out_of_range(row.amount)
    bad = unwritable_id(row.payer) or unwritable_id(row.payee)
    if why is None and bad is None:
        return row
    at = where or Position(org.source, int(org.role_lines[role]))
    if why is not None:
        return Problem(at, f"{what} is {row.amount}, which {why}")
    return Problem(at, f"{bad}: rename it to write this flow")
