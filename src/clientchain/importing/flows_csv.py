"""The one writer of flows CSV files: `clientchain import flows` and every `model` recipe.

A flows file is data the user reads, edits and commits, and that `clientchain
analyze` reads back. So the text is plain and stable: the header
`from,to,amount[,kind]`, one row per (from, to) pair in the order given, ids
written exactly as they are (quoted per RFC 4180 only when a comma, a quote, a
line break or white space at an end needs it; a leading `=`, `+`, `-` or `@`
is data and kept), amounts in plain decimal notation, `\\n` line ends. The same
rows give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from clientchain.loading.flow_table import CELL_PADDING
from clientchain.loading.scalars import MAX_AMOUNT, MIN_AMOUNT

HEADER = ("from", "to", "amount")
KIND = "kind"
# A delimiter, a quote or a line break inside; white space at an end (a reader may trim it).
_NEEDS_QUOTES = re.compile(r'[,"\r\n]|\A\s|\s\Z')


@dataclass(frozen=True, slots=True)
class FlowRow:
    """One row of a flows file: `payer` pays `payee` `amount` (exact), labelled `kind`."""

    payer: str
    payee: str
    amount: Decimal
    kind: str | None = None


def amount_text(amount: Decimal, decimals: int) -> str:
    """`amount` in plain notation with at least `decimals` places, and more only when the
    exact value needs them (`833.04` with 2 -> `833.04`; `83.300` with 2 -> `83.30`)."""
    text = str(amount)
    if "E" in text:  # str() writes 1E+3 or 1E-7: work from the digits instead
        return _from_digits(amount, decimals)
    point = text.find(".")
    have = len(text) - point - 1 if point >= 0 else 0
    if have < decimals:
        return text + ("" if point >= 0 else ".") + "0" * (decimals - have)
    while have > decimals and text[-1] == "0":  # zeros the value does not need
        text, have = text[:-1], have - 1
    return text[:-1] if text[-1] == "." else text


def _from_digits(amount: Decimal, decimals: int) -> str:
    _sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int), "amounts are finite"
    written = "".join(map(str, digits))
    zeros = len(written) - len(written.rstrip("0"))  # (not normalize(): it rounds at 28 digits)
    places = max(decimals, -(exponent + zeros), 0)
    return f"{amount:.{places}f}"


def cell(text: str) -> str:
    """A CSV cell holding `text` exactly: quoted (quotes doubled) only when needed."""
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def unwritable_id(text: str) -> str | None:
    """Why an id cannot go into a flows CSV unchanged, or None: a flows reader trims the
    spaces typed around a cell, so an id that starts or ends with one would come back
    as another id."""
    if not text:
        return "an empty id"
    if text[0] in CELL_PADDING or text[-1] in CELL_PADDING:
        return f"id '{text}' starts or ends with a space, which a flows file cannot keep"
    return None


_LARGEST = Decimal(repr(MAX_AMOUNT))
_SMALLEST = Decimal(repr(MIN_AMOUNT))


def amount_out_of_range(amount: Decimal) -> str | None:
    """Why a flow amount would be refused when the file is read back, or None."""
    if amount <= 0:
        return "is not greater than 0"
    if amount > _LARGEST:
        return "is larger than the largest supported amount (10^15)"
    if amount < _SMALLEST:
        return "is smaller than the smallest supported amount (10^-12)"
    return None


def flows_csv(rows: Sequence[FlowRow], decimals: int = 0, kind_column: bool | None = None) -> str:
    """The flows file for `rows` in their order. The `kind` column is written when
    `kind_column` says so, or (None) when any row has a kind. Amounts show at least
    `decimals` places (the most any input wrote), more only when exactness needs them."""
    with_kind = any(row.kind is not None for row in rows) if kind_column is None else kind_column
    header = (*HEADER, KIND) if with_kind else HEADER
    lines = [",".join(header)]
    lines.extend(_lines(rows, decimals, with_kind))
    lines.append("")
    return "\n".join(lines)


def _lines(rows: Iterable[FlowRow], decimals: int, with_kind: bool) -> Iterable[str]:
    for row in rows:
        fields = [cell(row.payer), cell(row.payee), amount_text(row.amount, decimals)]
        if with_kind:
            fields.append(cell(row.kind or ""))  # a row without a kind: an empty cell
        yield ",".join(fields)
