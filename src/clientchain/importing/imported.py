"""What an import produces, before it is written: roles as columns, clients, the header.

Columns, not one object per role: a million-row export stays a handful of
lists. An optional column is None when the export has no such column.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportedRoles:
    """One entry per role, in the export's order; "" and None mean "not written"."""

    ids: list[str]
    reports_to: list[str | None]
    titles: list[str] | None = None
    departments: list[str] | None = None
    headcounts: list[str | None] | None = None  # the number as written; None = 1
    dotted_to: list[str | None] | None = None
    cost_centres: list[str] | None = None
    pays: list[str | None] | None = None  # a plain number literal; None = not known
    names: list[str] | None = None  # only with --keep-names

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Client:
    """An external client of the org chart: a funder, a customer, a segment of them."""

    id: str
    title: str | None = None


@dataclass
class ImportedOrg:
    """An org chart to write: header comment lines, name, currency, clients, roles."""

    roles: ImportedRoles
    clients: list[Client] = field(default_factory=list)
    name: str | None = None
    currency: str | None = None
    flows: str | None = None  # the flows file the org chart names, relative to it
    comments: list[str] = field(default_factory=list)
