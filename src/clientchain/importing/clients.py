"""The external clients of an imported org chart: named on the command line, or read
from a customer list (one per row, or one per segment).

- `--client ID[=TITLE]`: one client (a funder, a market).
- `--clients FILE`: one client per row of a customer list; its id from
  `--client-id COL` (or a recognised spelling: `Customer ID`, `Client ID`, ...),
  its title from `--client-title COL` (or `Company`, `Customer Name`, ...).
- `--clients FILE --client-by COL`: one client per distinct value of that column
  (a segment: a country, an industry), in first-seen order. Its id is the cell
  as written, spaces around it trimmed, and nothing else; its title says how
  many rows it stands for (`Customers in Brazil (13)`). `clientchain import
  flows --client-by COL` names segments by the same rule, so the two files
  agree without a mapping.

`--client-prefix TEXT` is put in front of every client id (from the command
line, a file or a segment), for when customer numbers collide with employee
numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clientchain.importing.columns import Field
from clientchain.importing.export_rows import ExportRows, read_export
from clientchain.importing.failure import ImportInputError, plural
from clientchain.importing.imported import Client
from clientchain.importing.people_messages import rows_lacking
from clientchain.loading.spreadsheet import CsvText
from clientchain.model.problems import Position, Problem

CLIENT_ID = Field(
    "client_id",
    "--client-id",
    (
        "Customer ID",
        "Client ID",
        "Account ID",
        "Customer Number",
        "Customer No",
        "Client Number",
        "Account Number",
        "ID",
    ),
)
CLIENT_TITLE = Field(
    "client_title",
    "--client-title",
    (
        "Company",
        "Company Name",
        "Customer Name",
        "Client Name",
        "Account Name",
        "Organisation",
        "Organization",
    ),
)
CLIENT_BY = Field("client_by", "--client-by", ())
COMMAND_LINE = "--client"  # where a client named on the command line is "written"
_FILL = "fill them in, or remove those rows"


@dataclass(frozen=True)
class ClientOptions:
    named: Sequence[str] = ()  # --client ID[=TITLE]
    id_column: str | None = None
    title_column: str | None = None
    by_column: str | None = None
    prefix: str = ""


@dataclass(frozen=True)
class ClientList:
    """The clients, and where each was given (for messages)."""

    clients: list[Client]
    positions: list[Position]
    mapping: str | None  # "client_id = 'CustomerId', ..." when read from a file


def parse_client(text: str) -> Client:
    """`ID[=TITLE]` from the command line; ValueError for an empty id."""
    cid, _, title = text.partition("=")
    cid = cid.strip(" ")
    if not cid:
        raise ValueError(f"'{text}': a client needs an id (--client ID or --client ID=TITLE)")
    return Client(cid, title.strip(" ") or None)


def read_clients(source: CsvText | None, options: ClientOptions) -> ClientList:
    """The clients the options name, or ImportInputError (a column not found, a row
    without an id or segment, an id given twice)."""
    clients = [parse_client(text) for text in options.named]
    positions = [Position(COMMAND_LINE) for _ in clients]
    mapping = None
    if source is not None:
        rows = _client_rows(source, options)
        mapping = ", ".join(
            f"{name.removeprefix('client_')} = '{rows.columns.header[i]}'"
            for name, i in rows.columns.index.items()
        )
        found = _segments(rows) if options.by_column is not None else _customers(rows)
        clients.extend(found[0])
        positions.extend(found[1])
    if options.prefix:
        clients = [Client(options.prefix + c.id, c.title) for c in clients]
    _check_unique(clients, positions)
    return ClientList(clients, positions, mapping)


def clashes_with_roles(
    listed: ClientList,
    role_ids: Sequence[str],
    role_lines: Sequence[int],
    roles_file: str,
    prefix: str,
) -> Problem | None:
    """One problem for every client id that is also a role id, with the way out."""
    wanted = {client.id for client in listed.clients}
    line_of = {rid: line for rid, line in zip(role_ids, role_lines, strict=True) if rid in wanted}
    clashes = [
        (client, where)
        for client, where in zip(listed.clients, listed.positions, strict=True)
        if client.id in line_of
    ]
    if not clashes:
        return None
    shown = ", ".join(
        f"'{client.id}' (line {line_of[client.id]} of {roles_file})" for client, _ in clashes[:5]
    )
    more = f" and {len(clashes) - 5:,} more" if len(clashes) > 5 else ""
    are = "is" if len(clashes) == 1 else "are"
    fix = (
        "pass a longer --client-prefix"
        if prefix
        else "pass --client-prefix TEXT (e.g. --client-prefix customer-) to prefix every client id"
    )
    return Problem(
        clashes[0][1],
        f"{plural(len(clashes), 'client id')} {are} also role ids: {shown}{more};"
        f" ids must be unique across roles and clients: {fix}",
    )


def _client_rows(source: CsvText, options: ClientOptions) -> ExportRows:
    if options.by_column is not None:
        return read_export(source, [CLIENT_BY], {"client_by": options.by_column})
    chosen = {"client_id": options.id_column, "client_title": options.title_column}
    rows = read_export(source, [CLIENT_ID, CLIENT_TITLE], chosen)
    if "client_id" not in rows.columns:
        raise ImportInputError(
            [
                Problem(
                    rows.table.header_position,
                    "no column for the client id: pass --client-id COLUMN, or --client-by COLUMN"
                    " for one client per value (a segment such as a country)",
                )
            ]
        )
    return rows


def _customers(rows: ExportRows) -> tuple[list[Client], list[Position]]:
    ids = rows.cells["client_id"]
    titles = rows.cells.get("client_title")
    without = [i for i, cid in enumerate(ids) if not cid]
    if without:
        raise ImportInputError([rows_lacking(rows, "client_id", without, "no client id", _FILL)])
    clients = [
        Client(cid, (titles[i] or None) if titles is not None else None)
        for i, cid in enumerate(ids)
    ]
    return clients, [rows.position(i, "client_id") for i in range(len(ids))]


def _segments(rows: ExportRows) -> tuple[list[Client], list[Position]]:
    values = rows.cells["client_by"]
    without = [i for i, value in enumerate(values) if not value]
    if without:
        raise ImportInputError(
            [rows_lacking(rows, "client_by", without, "an empty segment", _FILL)]
        )
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, value in enumerate(values):
        counts[value] = counts.get(value, 0) + 1
        first.setdefault(value, i)
    clients = [Client(value, f"Customers in {value} ({n:,})") for value, n in counts.items()]
    return clients, [rows.position(first[c.id], "client_by") for c in clients]


def _check_unique(clients: list[Client], positions: list[Position]) -> None:
    first: dict[str, int] = {}
    problems = []
    for k, client in enumerate(clients):
        seen = first.setdefault(client.id, k)
        if seen != k:
            earlier = positions[seen]
            at = f"line {earlier.line}" if earlier.line else COMMAND_LINE
            problems.append(
                Problem(positions[k], f"client id '{client.id}' is given twice (first at {at})")
            )
    if problems:
        raise ImportInputError(problems)
