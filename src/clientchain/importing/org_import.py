"""`import people` as a whole: the export's roles, the clients, one org chart.

Problems of the export and of the client list are reported together (the
export's first); a client id that is also a role id is checked once both are
read. The header comment names the files by name only and the options that
shaped the result, so the same export and options give the same bytes anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from clientchain.importing.clients import (
    ClientList,
    ClientOptions,
    clashes_with_roles,
    read_clients,
)
from clientchain.importing.failure import ImportInputError
from clientchain.importing.imported import ImportedOrg
from clientchain.importing.people import PeopleImport, PeopleOptions, import_people
from clientchain.loading.spreadsheet import CsvText

HEADER = "Imported by clientchain import people from "  # also how -o recognises our file


@dataclass(frozen=True)
class OrgSettings:
    """What the org chart says about itself: its name, currency, and where it came from."""

    name: str | None = None
    currency: str | None = None
    flows: str | None = None  # written as `flows:`, as given
    export_name: str = "export.csv"  # the export's file name (no folder)
    clients_name: str | None = None  # the client list's file name, if any
    options: str = ""  # the options that shaped the import, as typed


@dataclass
class OrgImport:
    org: ImportedOrg
    people: PeopleImport
    clients: ClientList


def import_org(
    export: CsvText,
    people: PeopleOptions,
    clients_source: CsvText | None,
    clients: ClientOptions,
    settings: OrgSettings,
) -> OrgImport:
    """The org chart, or ImportInputError with every problem of both files."""
    failures: list[ImportInputError] = []
    imported: PeopleImport | None = None
    listed: ClientList | None = None
    try:
        imported = import_people(export, people)
    except ImportInputError as exc:
        failures.append(exc)
    try:
        listed = read_clients(clients_source, clients)
    except ImportInputError as exc:
        failures.append(exc)
    if imported is not None and listed is not None:
        clash = clashes_with_roles(
            listed, imported.roles.ids, imported.lines, settings.export_name, clients.prefix
        )
        if clash is not None:
            failures.append(ImportInputError([clash]))
    if failures:
        context = imported.context if imported is not None else failures[0].context
        raise ImportInputError(
            [p for f in failures for p in f.problems],
            [s for f in failures for s in f.summary],
            context,
        )
    assert imported is not None and listed is not None
    org = ImportedOrg(
        roles=imported.roles,
        clients=listed.clients,
        name=settings.name,
        currency=settings.currency,
        flows=settings.flows,
        comments=_comments(settings, imported, listed),
    )
    return OrgImport(org, imported, listed)


def _comments(settings: OrgSettings, people: PeopleImport, clients: ClientList) -> list[str]:
    lines = [HEADER + settings.export_name, f"columns: {people.mapping}"]
    if settings.options:
        lines.append(f"options: {settings.options}")
    if settings.clients_name is not None:
        lines.append(f"clients: {settings.clients_name} ({clients.mapping})")
    return lines
