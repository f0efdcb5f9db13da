"""Recharges: internal charges between cost centres become flows between the roles heading them.

When to use it: finance charges one part of the organisation for the services
of another (IT, facilities, HR, a shared service centre), and those charges are
the money that tells a support unit who its internal customers are. Without
them such a unit looks unfunded; with them, `analyze` shows which units pay it
and how far it stands from the external clients whose money it lives on.

The model: a recharge row names the paying centre, the providing centre and
an amount. The centre that receives the service pays its provider, so the
row's `from` is the paying centre (the one charged, debited) and its `to` the
provider (the one credited). Each becomes a flow from the role heading the
paying centre to the role heading the providing one (the highest role carrying
it; see `centres`), of kind `recharge`. Rows between the same two heads add up,
in the order they first appear; a recharge between two centres with the same
head is money that does not change hands and is left out (the command says so).
Centres are cost centres (the roles' `cost_centre`), or departments with
`--by department`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from clientchain.importing.choices import CentreKind
from clientchain.importing.columns import Field, find_columns
from clientchain.importing.failure import plural
from clientchain.importing.flows_csv import FlowRow
from clientchain.importing.ledger_problems import ProblemGroups, number_cause, short_row_cause
from clientchain.importing.ledger_source import (
    EXACT,
    AmountError,
    Table,
    cell_amount,
    places_written,
)
from clientchain.importing.recipes.centres import (
    CentreHeads,
    UnknownNames,
    centre_heads,
    no_centres_problem,
)
from clientchain.importing.recipes.result import RecipeResult, checked_row
from clientchain.model.org import Org
from clientchain.model.problems import InputError, Position, Problem

KIND = "recharge"


def _sides(word: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    nouns = ("Cost Centre", "Cost Center", "Centre", "Center", "Department", "Dept", "CC")
    return tuple(f"{word} {noun}" for noun in nouns) + extra


PAYING = Field(
    "from",
    "--from",
    _sides(
        "From",
        (
            "Paying Cost Centre",
            "Charged Cost Centre",
            "Charged To",
            "Debit Cost Centre",
            "Debit",
            "Payer",
            "Customer",
            "From",
        ),
    ),
    required=True,
)
PROVIDING = Field(
    "to",
    "--to",
    _sides(
        "To",
        (
            "Providing Cost Centre",
            "Provider Cost Centre",
            "Provider",
            "Charged By",
            "Credit Cost Centre",
            "Credit",
            "Payee",
            "Supplier",
            "To",
        ),
    ),
    required=True,
)
AMOUNT = Field(
    "amount",
    "--amount",
    ("Amount", "Recharge", "Recharge Amount", "Charge", "Value", "Total", "Cost"),
    required=True,
)


@dataclass(frozen=True)
class RechargeOptions:
    """What the recharge rows name, and which columns say it (None: recognised names)."""

    by: CentreKind = CentreKind.cost_centre
    paying: str | None = None  # --from
    providing: str | None = None  # --to
    amount: str | None = None
    decimal_comma: bool = False


def recharge_flows(org: Org, options: RechargeOptions, table: Table) -> RecipeResult:
    """One row per (paying head, providing head) pair, or InputError with every problem."""
    chosen = {"from": options.paying, "to": options.providing, "amount": options.amount}
    columns, trouble = find_columns(
        table.header, [PAYING, PROVIDING, AMOUNT], chosen, table.header_position
    )
    if trouble:
        raise InputError(trouble)
    heads = centre_heads(org, options.by)
    if not heads.head:
        other = "--by department" if options.by is CentreKind.cost_centre else "--by cost-centre"
        raise InputError([no_centres_problem(org, options.by, other)])
    with localcontext(EXACT):
        return _Recharges(
            org, options, table, heads, columns["from"], columns["to"], columns["amount"]
        ).run()


class _Recharges:
    """One pass over the recharge rows."""

    def __init__(
        self,
        org: Org,
        options: RechargeOptions,
        table: Table,
        heads: CentreHeads,
        paying: int,
        providing: int,
        amount: int,
    ) -> None:
        self.org, self.options, self.table, self.heads = org, options, table, heads
        self.paying, self.providing, self.amount = paying, providing, amount
        self.groups = ProblemGroups()
        self.unknown = UnknownNames(options.by.noun, org, heads.head, self.groups)
        self.short = short_row_cause(len(table.header))
        self.causes = {
            kind: number_cause(kind, "amount", table.header[amount], options.decimal_comma)
            for kind in ("empty", "not-a-number", "spelling")
        }
        self.tie_told: set[str] = set()
        self.sums: dict[tuple[int, int], Decimal] = {}
        self.first: dict[tuple[int, int], Callable[[], Position]] = {}
        self.same_head = 0
        self.example_same = ""
        self.places = 0
        self.zero = 0  # pairs of heads whose recharges cancel out

    def run(self) -> RecipeResult:
        width = max(self.paying, self.providing, self.amount) + 1
        for line, cells in self.table.rows():
            if len(cells) < width:
                self.groups.add(self.short, str(len(cells)), self.table.at(line))
                continue
            self._row(line, cells)
        rows = self._flows()
        if self.groups:
            raise InputError(self.groups.problems())
        return RecipeResult(rows, self.places, self._notes(rows))

    def _head(self, line: int, cells: list[str], index: int) -> int | None:
        centre = cells[index].strip()
        head = self.heads.head.get(centre)
        if head is None:
            self.unknown.add(centre, self.table.at(line, index))
            return None
        if centre in self.heads.tied and centre not in self.tie_told:
            self.tie_told.add(centre)
            self.groups.add_problem(self.heads.tie_problem(centre))
        return head

    def _row(self, line: int, cells: list[str]) -> None:
        payer = self._head(line, cells, self.paying)
        payee = self._head(line, cells, self.providing)
        try:
            amount = cell_amount(cells[self.amount], self.options.decimal_comma)
        except AmountError as error:
            where = self.table.at(line, self.amount)
            self.groups.add(self.causes[error.kind], cells[self.amount], where)
            return
        if payer is None or payee is None:
            return
        self.places = max(self.places, places_written(amount))
        if payer == payee:
            self.same_head += 1
            self.example_same = self.example_same or cells[self.paying].strip()
            return
        key = (payer, payee)
        total = self.sums.get(key)
        if total is None:
            self.sums[key] = amount
            self.first[key] = self.table.at(line, self.amount)
        else:
            self.sums[key] = total + amount

    def _flows(self) -> list[FlowRow]:
        ids = self.org.role_ids
        rows: list[FlowRow] = []
        for (payer, payee), total in self.sums.items():
            if total == 0:
                self.zero += 1
                continue
            row = FlowRow(ids[payer], ids[payee], total, KIND)
            what = f"the sum of the recharges from '{ids[payer]}' to '{ids[payee]}'"
            checked = checked_row(self.org, payer, row, what, self.first[(payer, payee)]())
            if isinstance(checked, Problem):
                self.groups.add_problem(checked)
            else:
                rows.append(checked)
        return rows

    def _notes(self, rows: list[FlowRow]) -> list[str]:
        notes = []
        if self.same_head:
            notes.append(
                f"{plural(self.same_head, 'row')} recharge a {self.options.by.noun} to itself"
                f" or to one with the same head (e.g. '{self.example_same}'): no money"
                " changes hands, left out"
            )
        if self.zero:
            notes.append(
                f"{plural(self.zero, 'pair')} of heads sum to 0 and"
                f" {'is' if self.zero == 1 else 'are'} left out"
            )
        return notes
