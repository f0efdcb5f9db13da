"""The problems of an HR export, worded: one problem per cause, at the cell that shows it.

Each function takes what was found (rows, values) and the export, and returns
the problems in file order of their first cell. Rows are named by their line in
the file, as the `FILE:LINE:COL` in front of every message does.
"""

from __future__ import annotations

from collections.abc import Sequence

from clientchain.importing.export_rows import ExportRows
from clientchain.importing.failure import lines_listing, plural
from clientchain.importing.managers import loose_index, plausible
from clientchain.model.problems import Problem

CYCLE_SHOWN = 10  # members of a reporting cycle named before "..."


def rows_without_id(rows: ExportRows, without: Sequence[int]) -> Problem:
    return rows_lacking(
        rows,
        "id",
        without,
        "no id",
        "pass --generate-ids to name each after its manager"
        " ('MANAGER/1', 'MANAGER/2', ... and 'top/1' for a top)",
    )


def rows_lacking(
    rows: ExportRows, field: str, without: Sequence[int], what: str, fix: str
) -> Problem:
    """One problem for every row whose `field` cell is empty, at the first: `3 rows have
    WHAT in 'HEADER' (lines 4, 9 and 12); FIX`."""
    lines = [rows.lines[i] for i in without]
    has = "has" if len(lines) == 1 else "have"
    return Problem(
        rows.position(without[0], field),
        f"{plural(len(lines), 'row')} {has} {what} in '{rows.header(field)}'"
        f" ({lines_listing(lines)}); {fix}",
    )


def repeated_ids(
    rows: ExportRows,
    ids: Sequence[str],
    first: dict[str, int],
    repeats: dict[str, list[int]],
    generated: set[int],
) -> list[Problem]:
    """One problem per repeated id, at its second row, naming the first row's line."""
    made = []
    for rid, later in repeats.items():
        second, rest = later[0], later[1:]
        again = f" (and again in {lines_listing([rows.lines[i] for i in rest])})" if rest else ""
        what = "generated id" if second in generated else "id"
        made.append(
            Problem(
                rows.position(second, "id"),
                f"{what} '{rid}' is already the id of line {rows.lines[first[rid]]}{again};"
                " each row needs an id of its own",
            )
        )
    return made


def ambiguous_names(
    rows: ExportRows,
    field: str,
    what: str,
    ambiguous: dict[str, list[int]],
    candidates: dict[str, list[int]],
    by: str,
) -> list[Problem]:
    """A manager cell that is the name (or title) of several rows."""
    made = []
    for value, users in ambiguous.items():
        among = candidates[value]
        used = lines_listing([rows.lines[i] for i in users])
        made.append(
            Problem(
                rows.position(users[0], field),
                f"{what} '{value}' is ambiguous: {len(among):,} rows have that {by}"
                f" ({lines_listing([rows.lines[i] for i in among])}); write the id instead"
                f" (named so in {used})",
            )
        )
    return made


def missing_managers(
    rows: ExportRows,
    field: str,
    what: str,
    missing: dict[str, list[int]],
    ids: Sequence[str],
    names: Sequence[str] | None,
) -> list[Problem]:
    """One problem per value that names no row, with the rows that name it."""
    by_id = loose_index(ids)
    by_name = loose_index(names) if names is not None else {}
    made = []
    for value, users in missing.items():
        lines = [rows.lines[i] for i in users]
        hint = ""
        if found := plausible(value, by_id):
            hint = f" (did you mean '{ids[found[0]]}', line {rows.lines[found[0]]}?)"
        elif names is not None and (found := plausible(value, by_name)):
            row = found[0]
            hint = f" (did you mean '{names[row]}', id '{ids[row]}', line {rows.lines[row]}?)"
        verb = "reports" if len(lines) == 1 else "report"
        tail = (
            f"{plural(len(lines), 'row')} {verb} to it: {lines_listing(lines)}"
            if field == "reports_to"
            else f"named in {lines_listing(lines)}"
        )
        made.append(
            Problem(
                rows.position(users[0], field),
                f"{what} '{value}' is not in the file{hint}; {tail}",
            )
        )
    return made


def missing_summary(missing: dict[str, list[int]]) -> str:
    """`140 managers are not in the file (e.g. 'hmason' over 17 people); pass ...`."""
    value, users = max(missing.items(), key=lambda item: len(item[1]))  # first on ties
    people = plural(len(users), "person", "people")
    if len(missing) == 1:
        return (
            f"1 manager is not in the file ('{value}' over {people}); pass --orphans top to"
            " make its reports tops, --orphans drop to leave those rows out"
        )
    return (
        f"{len(missing):,} managers are not in the file (e.g. '{value}' over {people});"
        " pass --orphans top to make their reports tops, --orphans drop to leave those rows out"
    )


def cycle(rows: ExportRows, ids: Sequence[str], members: Sequence[int]) -> Problem:
    """A reporting cycle, at the manager cell of its first row in file order."""
    shown = [f"'{ids[i]}' (line {rows.lines[i]})" for i in members[:CYCLE_SHOWN]]
    if len(members) > CYCLE_SHOWN:
        shown.append(f"... {len(members) - CYCLE_SHOWN:,} more")
    chain = " -> ".join([*shown, f"'{ids[members[0]]}'"])
    return Problem(
        rows.position(members[0], "reports_to"),
        f"reporting cycle: {chain}; one of them must report outside it, or be a top",
    )


def dotted_line(rows: ExportRows, row: int, message: str) -> Problem:
    return Problem(rows.position(row, "dotted_to"), message)
