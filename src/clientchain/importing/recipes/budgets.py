"""Budgets down: each role receives the cost of its whole subtree from its boss.

When to use it: a budget-funded organisation (a government department, an
internal IT unit, a cost centre of a company) whose money comes from a funder,
not from paying clients, and is handed down the hierarchy. Modelled this way,
`analyze` shows what such an organisation is: every boss the client of its
subordinates (inverted relationships all the way down), every role one more
hand-over away from whoever the work is really for.

The model: a role's own cost is, in this order,

1. its budget in the budgets file (`--budgets FILE`): rows naming a role id
   (`--by role`, the default), or a cost centre (`--by cost-centre`) or
   department (`--by department`) whose budget goes to the role heading it
   (the highest role carrying it; see `centres`). Rows for the same role or
   centre add up. The other roles of a budgeted centre are covered by its
   budget: their own cost is 0, so nothing is counted twice;
2. else its `pay` key (per person, as `import people --pay` writes it) times
   its headcount;
3. else `--per-head AMOUNT` times its headcount;
4. else 0 (the command says how many roles that is).

Each role receives from its boss the total cost of its subtree, itself
included (the budget cascades down), and each top receives its subtree's total
from the funder, an external client of the org chart. With `--under ROLE`
(repeatable) only those roles' subtrees are budget-funded: a business whose IT
is handed a budget while its sales earn their money (roll-up) is the two
recipes together; the funder is then needed only if one of them is a top. Rows `boss -> role` (and
`funder -> top`) of kind `budget`, in the roles' file order; a role whose
subtree costs nothing gets no row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext

import numpy as np

from clientchain.graph.hierarchy import build_forest
from clientchain.importing.choices import BudgetBy, CentreKind
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
from clientchain.importing.people_fields import COST_CENTRE
from clientchain.importing.recipes.centres import (
    UnknownNames,
    centre_heads,
    no_centres_problem,
)
from clientchain.importing.recipes.result import (
    ZERO,
    RecipeResult,
    checked_row,
    exact,
    subtree_totals,
)
from clientchain.model.org import NO_PARENT, Org
from clientchain.model.problems import InputError, Position, Problem, did_you_mean

KIND = "budget"
PAY_KEY = "pay"


_KEY_COLUMNS = {
    BudgetBy.role: Field(
        "role",
        "--role",
        ("Role ID", "Role", "Position ID", "Post Unique Reference", "Post ID", "Employee ID", "Id"),
        required=True,
    ),
    BudgetBy.cost_centre: Field(
        "cost_centre", "--role", (*COST_CENTRE.spellings, "CC", "Centre", "Center"), required=True
    ),
    BudgetBy.department: Field(
        "department", "--role", ("Department", "Dept", "Unit", "Directorate"), required=True
    ),
}
AMOUNT_COLUMN = Field(
    "amount",
    "--amount",
    ("Budget", "Amount", "Total", "Value", "Annual Budget", "Total Budget", "Cost", "Total Cost"),
    required=True,
)


@dataclass(frozen=True)
class BudgetOptions:
    """How to cost the roles and who funds them."""

    funder: str | None
    by: BudgetBy = BudgetBy.role
    under: tuple[str, ...] = ()  # only these roles' subtrees are funded (none: all)
    role_column: str | None = None  # --role: the column naming the role (or centre)
    amount_column: str | None = None
    per_head: Decimal | None = None
    decimal_comma: bool = False


@dataclass
class _FileCosts:
    own: dict[int, Decimal]  # role -> its budget from the file
    covered: set[int]  # roles whose centre's budget is held by its head
    places: int


def budget_cascade(org: Org, options: BudgetOptions, budgets: Table | None = None) -> RecipeResult:
    """The budget rows, or InputError with every problem (the funder, the file, pay)."""
    problems: list[Problem] = []
    funded = _funded_roles(org, options.under, problems)
    tops_funded = any(funded[top] for top in np.flatnonzero(org.parent == NO_PARENT).tolist())
    if tops_funded:
        funder_problem = _funder_problem(org, options.funder)
        if funder_problem is not None:
            problems.append(funder_problem)
    with localcontext(EXACT):
        costs = _FileCosts({}, set(), 0)
        if budgets is not None:
            try:
                costs = _file_costs(org, options, budgets)
            except InputError as exc:
                problems.extend(exc.problems)
        own, places, notes = _own_costs(org, options, costs, funded, problems)
        if problems:
            raise InputError(problems)
        totals = subtree_totals(org.parent, own)
        rows = _rows(org, options.funder, totals, funded)
    if not rows:
        raise InputError([Problem(Position(org.source), _NOTHING)])
    return RecipeResult(rows, places, notes)


_NOTHING = (
    "every role costs 0, so there is no budget to hand down: pass --budgets FILE, or"
    " --per-head AMOUNT, or write pay on the roles (import people --pay COLUMN)"
)


def _funded_roles(org: Org, under: tuple[str, ...], problems: list[Problem]) -> list[bool]:
    """Which roles the budget reaches: the subtrees of `under` (every role when empty)."""
    if not under:
        return [True] * org.role_count
    forest = build_forest(org.parent)
    marks = np.zeros(org.role_count + 1, dtype=np.int64)  # +1/-1 at each range's ends
    for name in under:
        role = org.role_index.get(name)
        if role is None:
            maybe = did_you_mean(name, org.role_ids)
            problems.append(Problem(Position(org.source), f"--under {name}: no such role{maybe}"))
            continue
        start = int(forest.preorder[role])
        marks[start] += 1
        marks[start + int(forest.size[role])] -= 1
    inside = np.cumsum(marks[:-1]) > 0  # by preorder position: within some subtree
    return inside[forest.preorder].tolist()  # type: ignore[no-any-return]


def _funder_problem(org: Org, funder: str | None) -> Problem | None:
    if funder is not None and funder in org.client_ids:
        return None
    where = Position(org.source)
    if funder is None:
        return Problem(
            where,
            "--funder CLIENT is needed: the tops are handed their budget by an external client"
            f" (a ministry, a parent company, a board) listed under clients: in {org.source}",
        )
    if funder in org.role_index:
        return Problem(
            where,
            f"funder '{funder}' is a role; the funder is an external client (a ministry, a"
            f" parent company, a board): add one under clients: in {org.source} and name it",
        )
    maybe = did_you_mean(funder, org.client_ids)
    return Problem(
        where,
        f"funder '{funder}' is not a client in {org.source}{maybe}: add it under clients:"
        f" (import people --client {funder} does)",
    )


def _file_costs(org: Org, options: BudgetOptions, table: Table) -> _FileCosts:
    """Each role's budget from the file; the roles its centres' budgets cover."""
    key_field = _KEY_COLUMNS[options.by]
    chosen = {key_field.name: options.role_column, "amount": options.amount_column}
    columns, trouble = find_columns(
        table.header, [key_field, AMOUNT_COLUMN], chosen, table.header_position
    )
    if trouble:
        raise InputError(trouble)
    key, amount_at = columns[key_field.name], columns["amount"]
    groups = ProblemGroups()
    if options.by is BudgetBy.role:
        target: Mapping[str, int] = org.role_index
        unknown = UnknownNames("role", org, org.role_ids, groups)
        heads = None
    else:
        kind = CentreKind(options.by.value)
        heads = centre_heads(org, kind)
        if not heads.head:
            raise InputError([no_centres_problem(org, kind, "--by role")])
        target = heads.head
        unknown = UnknownNames(kind.noun, org, heads.head, groups)
    sums: dict[int, Decimal] = {}
    first: dict[int, Callable[[], Position]] = {}
    budgeted: set[str] = set()
    places = 0
    short = short_row_cause(len(table.header))
    causes = {
        why: number_cause(why, "budget", table.header[amount_at], options.decimal_comma)
        for why in ("empty", "not-a-number", "spelling")
    }
    for line, cells in table.rows():
        if len(cells) <= max(key, amount_at):
            groups.add(short, str(len(cells)), table.at(line))
            continue
        name = cells[key].strip()
        role = target.get(name)
        if role is None:
            unknown.add(name, table.at(line, key))
            continue
        if heads is not None and name in heads.tied and name not in budgeted:
            groups.add_problem(heads.tie_problem(name))
        budgeted.add(name)
        try:
            amount = cell_amount(cells[amount_at], options.decimal_comma)
        except AmountError as error:
            groups.add(causes[error.kind], cells[amount_at], table.at(line, amount_at))
            continue
        places = max(places, places_written(amount))
        sums[role] = sums.get(role, ZERO) + amount
        first.setdefault(role, table.at(line, amount_at))
    for role, total in sums.items():
        if total < 0:
            groups.add_problem(
                Problem(
                    first[role](),
                    f"the budget of '{org.role_ids[role]}' sums to {total}; a budget is 0 or more",
                )
            )
    if groups:
        raise InputError(groups.problems())
    covered: set[int] = set()
    if heads is not None:
        covered = {
            role
            for role, centre in enumerate(heads.centres)
            if centre in budgeted and heads.head[centre] != role
        }
    return _FileCosts(sums, covered, places)


def _own_costs(
    org: Org,
    options: BudgetOptions,
    costs: _FileCosts,
    funded: list[bool],
    problems: list[Problem],
) -> tuple[list[Decimal], int, list[str]]:
    """Each role's own cost (file, else pay x headcount, else per head x headcount)."""
    headcounts = org.headcount.tolist()
    own = [ZERO] * org.role_count
    places = costs.places
    if options.per_head is not None:
        places = max(places, places_written(options.per_head))
    uncosted: list[int] = []
    for role in range(org.role_count):
        if not funded[role]:
            continue
        budget = costs.own.get(role)
        if budget is not None:
            own[role] = budget
            continue
        if role in costs.covered:
            continue
        pay = _pay(org, role, problems)
        if pay is not None:
            places = max(places, places_written(pay))
            own[role] = pay * exact(headcounts[role])
        elif options.per_head is not None:
            own[role] = options.per_head * exact(headcounts[role])
        else:
            uncosted.append(role)
    notes = []
    if uncosted and len(uncosted) < sum(funded):
        first = org.role_ids[uncosted[0]]
        has = "has" if len(uncosted) == 1 else "have"
        notes.append(
            f"{plural(len(uncosted), 'role')} {has} no budget and no pay, and no --per-head"
            f" was given: own cost 0 (e.g. '{first}')"
        )
    if costs.covered:
        are = "is" if len(costs.covered) == 1 else "are"
        notes.append(
            f"{plural(len(costs.covered), 'role')} {are} covered by the budget of their"
            " centre, which its head receives"
        )
    return own, places, notes


def _pay(org: Org, role: int, problems: list[Problem]) -> Decimal | None:
    extra = org.role_extra.get(role)
    value = extra.get(PAY_KEY) if extra is not None else None
    if value is None:
        return None
    where = Position(org.source, int(org.role_lines[role]))
    if not isinstance(value, str):
        problems.append(Problem(where, f"pay of '{org.role_ids[role]}' must be a number"))
        return None
    try:
        pay = cell_amount(value, False, "pay")
    except AmountError:
        problems.append(Problem(where, f"pay '{value}' of '{org.role_ids[role]}' is not a number"))
        return None
    if pay < 0:
        problems.append(Problem(where, f"pay {value} of '{org.role_ids[role]}' is below 0"))
        return None
    return pay


def _rows(org: Org, funder: str | None, totals: list[Decimal], funded: list[bool]) -> list[FlowRow]:
    rows: list[FlowRow] = []
    problems: list[Problem] = []
    for role, boss in enumerate(org.parent.tolist()):
        total = totals[role]
        if total == 0 or not funded[role]:
            continue
        payer = org.role_ids[boss] if boss >= 0 else funder
        assert payer is not None  # a funded top needs the funder, checked above
        row = FlowRow(payer, org.role_ids[role], total, KIND)
        checked = checked_row(org, role, row, f"the budget of '{org.role_ids[role]}'")
        if isinstance(checked, Problem):
            problems.append(checked)
        else:
            rows.append(checked)
    if problems:
        raise InputError(problems)
    return rows
