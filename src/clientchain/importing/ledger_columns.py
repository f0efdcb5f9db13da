"""Which ledger column holds what: the customer, who is paid, the amount.

Recognised spellings (`CustomerId`, `Sales Rep`, `Total`...) or the columns the
user named. Who is paid, and the client segment, may be columns of the
customer list joined to the ledger (`--join`): they are looked for in the
ledger first, then there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clientchain.importing.columns import (
    Columns,
    Field,
    column_names,
    columns_listing,
    find_columns,
    lookalikes,
    mapping_text,
)
from clientchain.importing.ledger_source import Table
from clientchain.model.problems import InputError, Problem
from clientchain.model.visible import clip

PAYER = Field(
    "from",
    "--from",
    (
        "Customer ID",
        "CustomerId",
        "Customer",
        "Customer Name",
        "Customer Number",
        "Client ID",
        "Client",
        "Client Name",
        "Payer",
        "Account ID",
        "Account",
        "Account Name",
        "Bill To",
        "Sold To",
        "from",
    ),
    required=True,
)
PAYEE = Field(
    "to",
    "--to",
    (
        "Salesperson",
        "Sales Person",
        "Salesperson ID",
        "Sales Rep",
        "Sales Rep ID",
        "Sales Representative",
        "SupportRepId",
        "Support Rep",
        "Support Rep ID",
        "Rep",
        "Rep ID",
        "Employee ID",
        "EmployeeID",
        "Employee",
        "Account Owner",
        "Owner",
        "Account Manager",
        "Payee",
        "to",
    ),
)
AMOUNT = Field(
    "amount",
    "--amount",
    (
        "Amount",
        "Total",
        "Net Amount",
        "Net",
        "Value",
        "Revenue",
        "Sales",
        "Invoice Total",
        "Invoice Amount",
        "Line Total",
        "Gross Amount",
        "Subtotal",
    ),
    required=True,
)
CLIENT_BY = Field("client_by", "--client-by", ())
NO_COLUMN = -1


@dataclass(frozen=True)
class LedgerColumns:
    """Cell indexes (NO_COLUMN: not used); `*_joined`: the index is the customer list's."""

    ledger: Table
    join: Table | None
    payer: int
    amount: int
    times: tuple[int, ...]
    discount: int
    payee: int
    payee_joined: bool
    client_by: int
    client_by_joined: bool
    join_key: int

    @property
    def header(self) -> Sequence[str]:
        return self.ledger.header

    @property
    def width(self) -> int:
        """Cells a ledger row needs."""
        used = [self.payer, self.amount, *self.times, self.discount]
        used += [i for i, joined in self._maybe_joined() if not joined]
        return max(used) + 1

    @property
    def join_width(self) -> int:
        """Cells a customer-list row needs."""
        used = [self.join_key] + [i for i, joined in self._maybe_joined() if joined]
        return max(used) + 1

    def _maybe_joined(self) -> list[tuple[int, bool]]:
        found = [(self.payee, self.payee_joined)]
        if self.client_by != NO_COLUMN:
            found.append((self.client_by, self.client_by_joined))
        return found

    @property
    def payee_header(self) -> str:
        return self._name(self.payee, self.payee_joined)

    @property
    def client_by_header(self) -> str:
        return self._name(self.client_by, self.client_by_joined) if self.client_by >= 0 else ""

    def _name(self, index: int, joined: bool) -> str:
        table = self.join if joined and self.join is not None else self.ledger
        return table.header[index]

    def ignored(self) -> str:
        """The ledger's columns not taken that look like one that is (a second `Amount`):
        `'Amount' (like amount: --amount COL), ...`, or '' when none does."""
        taken = [self.payer, self.amount, *self.times, self.discount]
        taken += [self.client_by] if not self.client_by_joined else []
        taken += [self.payee] if not self.payee_joined else []
        names = [f"_{k}" for k in range(len(taken))]  # (columns found, by any names)
        columns = Columns(dict(zip(names, taken, strict=True)), self.ledger.header)
        found = lookalikes(columns, [PAYER, PAYEE, AMOUNT])
        return ", ".join(
            f"'{clip(self.ledger.header[column])}' (like {field.name}: {field.option} COL)"
            for column, field in found
        )

    def describe(self) -> str:
        """`invoices.csv: from = 'CustomerId', amount = 'Total'; customers.csv (joined on
        'CustomerId'): to = 'SupportRepId'`."""
        own = [("from", self.payer), ("amount", self.amount)]
        own += [("times", i) for i in self.times]
        if self.discount != NO_COLUMN:
            own.append(("discount", self.discount))
        joined: list[tuple[str, int]] = []
        for name, index, is_joined in (
            ("to", self.payee, self.payee_joined),
            ("client_by", self.client_by, self.client_by_joined),
        ):
            if index != NO_COLUMN:
                (joined if is_joined else own).append((name, index))
        text = f"{self.ledger.file}: {mapping_text(own, self.ledger.header)}"
        if self.join is not None:
            key = clip(self.join.header[self.join_key])
            text += f"; {self.join.file} (joined on '{key}')"
            if joined:
                text += f": {mapping_text(joined, self.join.header)}"
        return text


def ledger_columns(
    ledger: Table,
    payer: str | None = None,
    payee: str | None = None,
    amount: str | None = None,
    times: Sequence[str] = (),
    discount: str | None = None,
    client_by: str | None = None,
    join: Table | None = None,
    join_on: str | None = None,
) -> LedgerColumns:
    """The columns to read, or InputError naming every column that cannot be found."""
    problems: list[Problem] = []
    fields = [PAYER, AMOUNT]
    chosen: dict[str, str | None] = {"from": payer, "amount": amount}
    for number, name in enumerate(times, 1):
        label = "times" if number == 1 else f"times {number}"
        fields.append(Field(label, "--times", ()))
        chosen[label] = name
    if discount is not None:
        fields.append(Field("discount", "--discount", ()))
        chosen["discount"] = discount
    found, trouble = find_columns(ledger.header, fields, chosen, ledger.header_position)
    problems.extend(trouble)
    to_index, to_joined = _in_either(PAYEE, payee, ledger, join, problems)
    by_index, by_joined = NO_COLUMN, False
    if client_by is not None:
        by_index, by_joined = _in_either(CLIENT_BY, client_by, ledger, join, problems)
    key = NO_COLUMN
    if join is not None and "from" in found:
        key = _join_key(ledger, ledger.header[found["from"]], join, join_on, problems)
    if "from" in found and not to_joined and to_index == found["from"]:
        problems.append(
            Problem(
                ledger.header_position,
                "--from and --to name the same column; the one who"
                " pays and the one who is paid are two columns",
            )
        )
    if problems:
        raise InputError(problems)
    times_found = tuple(found[f.name] for f in fields if f.option == "--times")
    return LedgerColumns(
        ledger=ledger,
        join=join,
        payer=found["from"],
        amount=found["amount"],
        times=times_found,
        discount=found["discount"] if "discount" in found else NO_COLUMN,  # noqa: SIM401
        payee=to_index,
        payee_joined=to_joined,
        client_by=by_index,
        client_by_joined=by_joined,
        join_key=key,
    )


def _in_either(
    field: Field, named: str | None, ledger: Table, join: Table | None, problems: list[Problem]
) -> tuple[int, bool]:
    """The column for `field` in the ledger, else in the customer list (True)."""
    tables = [ledger] if join is None else [ledger, join]
    trouble: list[Problem] = []
    for table in tables:
        found, missing = find_columns(
            table.header, [field], {field.name: named}, table.header_position
        )
        if field.name in found:
            return found[field.name], table is join
        trouble.extend(missing)
    if named is not None:
        problems.extend(trouble)
    else:
        problems.append(_not_found(field, ledger, join))
    return NO_COLUMN, False


def _not_found(field: Field, ledger: Table, join: Table | None) -> Problem:
    listing = columns_listing(ledger.header)
    if join is None:
        return Problem(
            ledger.header_position,
            f"no column for {field.name} (who is paid): pass {field.option} COLUMN, or"
            f" --join FILE when a customer list names the salesperson; {listing}",
        )
    return Problem(
        ledger.header_position,
        f"no column for {field.name} (who is paid) in {ledger.file} or {join.file}: pass"
        f" {field.option} COLUMN; {listing}; in {join.file}, {column_names(join.header)}",
    )


def _join_key(
    ledger: Table, customer: str, join: Table, named: str | None, problems: list[Problem]
) -> int:
    """The customer list's column holding the ledger's customer: named, or the one with
    the ledger's column name."""
    field = Field("join_on", "--join-on", (customer,))
    found, missing = find_columns(join.header, [field], {"join_on": named}, join.header_position)
    if "join_on" in found:
        return found["join_on"]
    if named is not None:
        problems.extend(missing)
    else:
        problems.append(
            Problem(
                join.header_position,
                f"no column '{customer}' to join {ledger.file} on: pass --join-on COLUMN"
                f" (the column of {join.file} that holds the customer);"
                f" {columns_listing(join.header)}",
            )
        )
    return NO_COLUMN
