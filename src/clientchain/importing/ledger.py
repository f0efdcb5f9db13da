"""`clientchain import flows`: a ledger of transactions becomes the rows of a flows file.

One ledger row is one transaction: who paid (a customer), who was paid (the
salesperson, the account owner) and how much. The rows are summed per (from,
to) pair, exactly (decimals as written, never binary floats), and the pairs
kept in the order they first appear. Ids are the cells as written, the spaces
around them trimmed (as `import people` and the flows reader trim them). When
the ledger names only the customer (a music store's invoices), `--join` reads
the customer list, which names the salesperson (and the segment a customer
belongs to, for `--client-by`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, Inexact, localcontext

from clientchain.importing.failure import plural
from clientchain.importing.flows_csv import FlowRow, amount_out_of_range, unwritable_id
from clientchain.importing.ledger_columns import NO_COLUMN, LedgerColumns, ledger_columns
from clientchain.importing.ledger_problems import (
    Cause,
    ProblemGroups,
    number_cause,
    short_row_cause,
)
from clientchain.importing.ledger_source import (
    EXACT,
    PLAIN_POINT,
    AmountError,
    Table,
    cell_amount,
    places_written,
)
from clientchain.loading.flow_table import CELL_PADDING
from clientchain.model.problems import InputError, Problem


@dataclass(frozen=True)
class LedgerOptions:
    """What the user said about the ledger (None: work it out)."""

    payer: str | None = None  # --from: the column naming who pays (the customer)
    payee: str | None = None  # --to: the column naming who is paid (the salesperson)
    amount: str | None = None  # --amount
    times: tuple[str, ...] = ()  # --times: columns the amount is multiplied by (quantity)
    discount: str | None = None  # --discount: a column holding a fraction taken off
    join_on: str | None = None  # --join-on: the customer list's key column
    client_by: str | None = None  # --client-by: the column whose value is the client id
    client_prefix: str = ""
    kind: str | None = None
    decimal_comma: bool = False


@dataclass(frozen=True)
class ImportedFlows:
    """The flows of a ledger, ready for the writer, and what to tell the user."""

    rows: list[FlowRow]
    decimals: int  # most decimal places written in the amount column
    ledger_rows: int  # data rows read
    notes: list[str] = field(default_factory=list)


def columns_of(ledger: Table, options: LedgerOptions, join: Table | None = None) -> LedgerColumns:
    """The columns `import_ledger` reads, or InputError naming every one not found."""
    return ledger_columns(
        ledger,
        payer=options.payer,
        payee=options.payee,
        amount=options.amount,
        times=options.times,
        discount=options.discount,
        client_by=options.client_by,
        join=join,
        join_on=options.join_on,
    )


def import_ledger(columns: LedgerColumns, options: LedgerOptions) -> ImportedFlows:
    """The flows of the ledger (summed per pair) read through `columns`, or InputError
    with every problem, each cause once (at its first row, with a count and an example)."""
    customers = _customers(columns.join, columns) if columns.join is not None else None
    with localcontext(EXACT):
        return _Summing(columns.ledger, options, columns, customers).run()


# The customer list: each customer's (line, cells), by its key as written (trimmed).
Customers = dict[str, tuple[int, list[str]]]


def _customers(join: Table, columns: LedgerColumns) -> Customers:
    """Each customer's row by its key; a key listed twice and a short row are problems."""
    key, width = columns.join_key, columns.join_width
    rows: Customers = {}
    groups = ProblemGroups()
    twice = Cause(
        one=lambda v: f"customer '{v}' is listed more than once in {join.file}",
        many=lambda n, v, k: (
            f"{n} repeat a customer listed before in {join.file} (e.g. '{v}' in {k})"
        ),
    )
    short = short_row_cause(len(join.header))
    for line, cells in join.rows():
        if len(cells) < width:
            groups.add(short, str(len(cells)), join.at(line))
            continue
        customer = cells[key].strip(CELL_PADDING)
        if customer in rows:
            groups.add(twice, customer, join.at(line, key))
            continue
        rows[customer] = (line, cells)
    if groups:
        raise InputError(groups.problems())
    return rows


# Number cells that are plain decimals (PLAIN_POINT) are read as they are. With
# --decimal-comma every row takes the careful path (`1.500` would mean 1500 there).
_PLAIN_FRACTION = re.compile(r"0(?:\.[0-9]+)?|1(?:\.0+)?|\.[0-9]+")  # a discount, 0 to 1
_NEVER = re.compile(r"(?!)")


class _BadDiscountError(ValueError):
    """A discount outside 0..1."""


class _Summing:
    """One pass over the ledger: each row summed into its pair, or kept as a problem."""

    def __init__(
        self,
        ledger: Table,
        options: LedgerOptions,
        columns: LedgerColumns,
        customers: Customers | None,
    ) -> None:
        self.ledger, self.options, self.columns = ledger, options, columns
        self.customers = customers
        self.groups = ProblemGroups()
        self.sums: dict[tuple[str, str], Decimal] = {}
        self.first_line: dict[tuple[str, str], int] = {}
        self.product = bool(columns.times) or columns.discount != NO_COLUMN
        self.width = columns.width
        self.places = 0
        self.rows = 0
        self._word_causes()

    def _word_causes(self) -> None:
        c, ledger = self.columns, self.ledger
        customer = c.header[c.payer]
        join_file = c.join.file if c.join is not None else ""
        payee = c.payee_header
        segment = c.client_by_header
        self.no_customer = Cause(
            one=lambda v: f"no customer: '{customer}' is empty",
            many=lambda n, v, k: f"{n} have no customer: '{customer}' is empty",
        )
        self.unknown_customer = Cause(
            one=lambda v: f"customer '{v}' is not in {join_file}",
            many=lambda n, v, k: f"{n} name a customer not in {join_file} (e.g. '{v}' in {k})",
        )
        self.no_payee = Cause(
            one=lambda v: f"nobody is paid: '{payee}' is empty",
            many=lambda n, v, k: f"{n} name nobody who is paid: '{payee}' is empty",
        )
        self.no_payee_joined = Cause(
            one=lambda v: (
                f"customer '{v}' has an empty '{payee}': nobody is paid for its"
                f" rows in {ledger.file}"
            ),
            many=lambda n, v, k: (
                f"{n} of {ledger.file} name customers whose '{payee}' is empty (e.g. '{v}' in {k})"
            ),
        )
        self.no_segment = Cause(
            one=lambda v: f"customer '{v}' has an empty '{segment}' (the --client-by column)",
            many=lambda n, v, k: (
                f"{n} name customers whose '{segment}' (the --client-by"
                f" column) is empty (e.g. '{v}' in {k})"
            ),
        )
        self.same_id = Cause(
            one=lambda v: (
                f"client '{v}' would pay role '{v}', one id for both; ids differ"
                " between clients and roles: pass --client-prefix (e.g. customer-)"
            ),
            many=lambda n, v, k: (
                f"{n} have a client id that is also the id of the one paid"
                f" (e.g. '{v}' in {k}); pass --client-prefix (e.g. customer-)"
            ),
        )
        self.short = short_row_cause(len(ledger.header))
        dc = self.options.decimal_comma
        numbers = [(c.amount, "amount"), *((i, "quantity") for i in c.times)]
        if c.discount != NO_COLUMN:
            numbers.append((c.discount, "discount"))
        self.number_causes = {
            (kind, index): number_cause(kind, what, c.header[index], dc)
            for index, what in numbers
            for kind in ("empty", "not-a-number", "spelling")
        }
        self.bad_discount = Cause(
            one=lambda v: f"discount '{v}' is not a fraction from 0 to 1 (15% is 0.15)",
            many=lambda n, v, k: (
                f"{n} have a discount that is not a fraction from 0 to 1"
                f" (e.g. '{v}' in {k}; 15% is 0.15)"
            ),
        )
        self.too_long = Cause(
            one=lambda v: f"amount '{v}' has more digits than can be summed exactly",
            many=lambda n, v, k: (
                f"{n} have amounts with more digits than can be summed exactly (e.g. '{v}' in {k})"
            ),
        )

    def run(self) -> ImportedFlows:
        self._sum_rows()
        flows, notes = self._flows()
        if self.groups:
            raise InputError(self.groups.problems())
        return ImportedFlows(flows, self.places, self.rows, notes)

    def _sum_rows(self) -> None:
        """Every row summed into its pair. A million rows must take seconds, so a row that
        is plainly fine is summed right here, with nothing but local names; any other row
        (blank, short, an empty or unknown id, a number that is not plainly written) goes
        to `_row`, which reads it the same way or words why not."""
        c, slow = self.columns, self._row
        payer, payee, amount_at = c.payer, c.payee, c.amount
        payee_joined, by_joined = c.payee_joined, c.client_by_joined
        client_by = c.client_by if c.client_by != NO_COLUMN else payer
        customers = self.customers or {}
        joining = self.customers is not None
        prefix = self.options.client_prefix
        plain = (_NEVER if self.options.decimal_comma else PLAIN_POINT).fullmatch
        product = self._product_of if self.product else None
        sums, first_line = self.sums, self.first_line
        padding = CELL_PADDING
        for line, cells in self.ledger.raw_rows():
            try:
                customer = cells[payer].strip(padding)
                joined = customers[customer][1] if joining else cells
                to = (joined if payee_joined else cells)[payee].strip(padding)
                client = prefix + (joined if by_joined else cells)[client_by].strip(padding)
                text = cells[amount_at]
                if not (customer and to and client not in (prefix, to) and plain(text)):
                    amount = None
                elif product is None:
                    amount = Decimal(text)
                else:
                    amount = product(cells, text)
            except (IndexError, KeyError):
                amount = None
            if amount is None:
                slow(line, cells)
                continue
            self.rows += 1
            key = (client, to)
            total = sums.get(key)
            if total is None:
                sums[key] = amount
                first_line[key] = line
            else:
                sums[key] = total + amount

    def _product_of(self, cells: list[str], text: str) -> Decimal | None:
        """A plain amount cell times plain quantities, less a plain discount; None when
        a cell needs the careful reading (which also words any problem)."""
        c, plain = self.columns, PLAIN_POINT.fullmatch
        amount = Decimal(text)
        dot = text.find(".")
        if dot >= 0 and len(text) - dot - 1 > self.places:
            self.places = len(text) - dot - 1
        try:
            for index in c.times:
                if not plain(cells[index]):
                    return None
                amount *= Decimal(cells[index])
            if c.discount != NO_COLUMN:
                cell = cells[c.discount]
                if not _PLAIN_FRACTION.fullmatch(cell):
                    return None
                amount *= 1 - Decimal(cell)
        except Inexact:
            return None
        return amount

    def _row(self, line: int, cells: list[str]) -> None:
        """Any row, read field by field: summed, or the problem that keeps it out."""
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            return  # a blank row
        self.rows += 1
        c, ledger = self.columns, self.ledger
        if len(cells) < self.width:
            self.groups.add(self.short, str(len(cells)), ledger.at(line))
            return
        customer = cells[c.payer].strip(CELL_PADDING)
        if not customer:
            self.groups.add(self.no_customer, "", ledger.at(line, c.payer))
            return
        joined = cells
        if self.customers is not None:
            found = self.customers.get(customer)
            if found is None:
                self.groups.add(self.unknown_customer, customer, ledger.at(line, c.payer))
                return
            joined = found[1]
        payee = (joined if c.payee_joined else cells)[c.payee].strip(CELL_PADDING)
        if not payee:
            self._no_payee(line, customer)
            return
        if c.client_by == NO_COLUMN:
            client = customer
        else:
            client = (joined if c.client_by_joined else cells)[c.client_by].strip(CELL_PADDING)
            if not client:
                self.groups.add(self.no_segment, customer, ledger.at(line, c.payer))
                return
        amount = self._amount(line, cells)
        if amount is None:
            return
        key = (self.options.client_prefix + client, payee)
        if key[0] == payee:
            self.groups.add(self.same_id, payee, ledger.at(line, c.payer))
            return
        total = self.sums.get(key)
        if total is None:
            self.sums[key] = amount
            self.first_line[key] = line
        else:
            self.sums[key] = total + amount

    def _no_payee(self, line: int, customer: str) -> None:
        c = self.columns
        if c.payee_joined and self.customers is not None and c.join is not None:
            join_line = self.customers[customer][0]
            where = c.join.at(join_line, c.payee)
            self.groups.add(self.no_payee_joined, customer, where)
        else:
            self.groups.add(self.no_payee, "", self.ledger.at(line, c.payee))

    def _amount(self, line: int, cells: list[str]) -> Decimal | None:
        """The row's amount: the amount cell, times each --times cell, less the discount."""
        c, decimal_comma = self.columns, self.options.decimal_comma
        index = c.amount
        try:
            amount = cell_amount(cells[index], decimal_comma)
            if self.product:
                self.places = max(self.places, places_written(amount))
                for index in c.times:
                    amount *= cell_amount(cells[index], decimal_comma)
                if c.discount != NO_COLUMN:
                    index = c.discount
                    amount *= 1 - self._discount(cells[index])
        except AmountError as error:
            cause = self.number_causes[(error.kind, index)]
            self.groups.add(cause, cells[index], self.ledger.at(line, index))
            return None
        except _BadDiscountError:
            self.groups.add(self.bad_discount, cells[index], self.ledger.at(line, index))
            return None
        except Inexact:
            self.groups.add(self.too_long, cells[c.amount], self.ledger.at(line, c.amount))
            return None
        return amount

    def _discount(self, text: str) -> Decimal:
        """A fraction (0.15), or a percentage (15%)."""
        cell = text.strip()
        percent = cell.endswith("%")
        value = cell_amount(cell[:-1] if percent else cell, self.options.decimal_comma)
        if percent:
            value /= 100
        if not 0 <= value <= 1:
            raise _BadDiscountError
        return value

    def _flows(self) -> tuple[list[FlowRow], list[str]]:
        """The summed pairs as flow rows; a pair that cannot be a flow is a problem."""
        rows: list[FlowRow] = []
        zero: list[tuple[str, str]] = []
        kind, product = self.options.kind, self.product
        for key, total in self.sums.items():
            if not product:  # a sum keeps the most places of what it adds up
                exponent = total.as_tuple().exponent
                if isinstance(exponent, int) and -exponent > self.places:
                    self.places = -exponent
            if total == 0:
                zero.append(key)
                continue
            client, payee = key
            why = amount_out_of_range(total)
            bad = unwritable_id(client) or unwritable_id(payee)
            if why is None and bad is None:
                rows.append(FlowRow(client, payee, total, kind))
                continue
            where = self.ledger.position(self.first_line[key], self.columns.amount)
            if why is not None:
                self.groups.add_problem(
                    Problem(where, f"'{client}' -> '{payee}' sums to {total}, which {why}")
                )
            else:
                self.groups.add_problem(Problem(where, bad or ""))
        return rows, _notes(rows, zero)


def _notes(rows: Sequence[FlowRow], zero: Sequence[tuple[str, str]]) -> list[str]:
    """What the user should know about a file that was written all the same."""
    notes: list[str] = []
    if zero:
        client, payee = zero[0]
        sums, are = ("sums", "is") if len(zero) == 1 else ("sum", "are")
        notes.append(
            f"{plural(len(zero), 'pair')} {sums} to 0 (credits cancel sales) and {are}"
            f" left out (e.g. '{client}' -> '{payee}')"
        )
    payees = {row.payee for row in rows}
    both = list(dict.fromkeys(row.payer for row in rows if row.payer in payees))
    if both:
        are = "is" if len(both) == 1 else "are"
        notes.append(
            f"{plural(len(both), 'client id')} {are} also the id of someone paid (e.g."
            f" '{both[0]}'); ids are unique across roles and clients in an org chart: pass"
            " --client-prefix (e.g. customer-)"
        )
    return notes
