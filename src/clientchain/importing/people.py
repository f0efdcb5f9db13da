"""An HR export (one row per person or position) becomes the roles of an org chart.

One role per row, in the export's order. What each row gives:

- id: the cell as written (spaces around it trimmed). Rows without one are a
  problem, or with --generate-ids get `<manager id>/<n>` (see managers.py).
- reports_to: the manager's id, or the manager's name resolved to its id (see
  managers.py); empty or the row's own id: a top. Managers not in the file are
  one problem each (with how many rows report to them) and one summary line,
  unless --orphans top (their reports become tops) or --orphans drop (those
  rows, and every row below them, are left out).
- headcount: the FTE (fractions kept; empty = 1); a vacancy is 0 whatever its
  FTE: a status/type cell `vacancy`, `vacant` or `open`, or a name cell that is
  `Vacant`/`Vacancy`, or empty on a row with an id (when the name column is
  filled in anywhere: a redacted column marks nobody vacant). A row without an
  id (a UK junior grade: several posts, never named) is not vacant for lacking
  a name.
- title, department, cost_centre: the cells; dotted_to: resolved like reports_to;
  pay: see cells.py; name: only with --keep-names (personal data stays out of a
  committed org chart unless asked for).

Every problem is collected, in the order to read them: rows without an id, cells
that are no number, repeated ids, ambiguous and missing managers, cycles,
dotted lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from clientchain.importing import people_messages as say
from clientchain.importing.cells import (
    FTE_REASONS,
    PAY_REASONS,
    CellIssues,
    read_column,
    read_fte,
    read_pay,
)
from clientchain.importing.choices import Orphans
from clientchain.importing.columns import Field, lookalikes
from clientchain.importing.export_rows import ExportRows, Where, read_export
from clientchain.importing.failure import ImportInputError, plural
from clientchain.importing.imported import ImportedRoles
from clientchain.importing.managers import (
    TOP,
    IdIndex,
    NameIndex,
    References,
    generate_ids,
    resolve,
    resolve_later,
)
from clientchain.importing.people_fields import (
    FIRST_NAME,
    LAST_NAME,
    PEOPLE_FIELDS,
    VACANT_NAMES,
    VACANT_STATUSES,
)
from clientchain.importing.reporting import (
    below,
    dotted_conflicts,
    parent_array,
    reporting_cycles,
)
from clientchain.loading.spreadsheet import CsvText
from clientchain.model.problems import Problem


@dataclass(frozen=True)
class PeopleOptions:
    chosen: Mapping[str, str | None] = field(default_factory=dict)  # field -> COL
    where: Sequence[Where] = ()
    orphans: Orphans = Orphans.error
    generate_ids: bool = False
    keep_names: bool = False
    decimal_comma: bool = False


@dataclass
class PeopleImport:
    """The roles, how the columns were mapped, and notes for the user (stderr)."""

    roles: ImportedRoles
    mapping: str  # "id = 'Employee ID', reports_to = 'Manager ID', ..."
    context: list[str]  # the mapping, and the columns that look like a field, not taken
    notes: list[str]
    lines: list[int]  # the line of each role in the export (for messages about clients)


def import_people(source: CsvText, options: PeopleOptions) -> PeopleImport:
    """The roles of the export in `source`, or ImportInputError with every problem."""
    fields = _fields(options.chosen)
    rows = read_export(source, fields, options.chosen, options.where)
    return _People(rows, options).run(fields)


def _fields(chosen: Mapping[str, str | None]) -> list[Field]:
    if chosen.get("name") is not None:  # one named column: no first + last combination
        return [f for f in PEOPLE_FIELDS if f not in (FIRST_NAME, LAST_NAME)]
    return list(PEOPLE_FIELDS)


class _People:
    """One import's state: the columns being built and the problems found."""

    def __init__(self, rows: ExportRows, options: PeopleOptions) -> None:
        self.rows = rows
        self.options = options
        self.cells = rows.cells
        # Only white space is no id (the loader refuses it as empty), and no manager.
        self.ids = [rid if rid.strip() else "" for rid in rows.cells["id"]]
        self.names = _names(rows)
        self.problems: list[Problem] = []
        self.summary: list[str] = []
        self.notes: list[str] = []
        self.vacant: list[bool] | None = None

    def run(self, fields: Sequence[Field]) -> PeopleImport:
        rows, ids = self.rows, self.ids
        without = [i for i, rid in enumerate(ids) if not rid]
        if without and not self.options.generate_ids:
            self.problems.append(say.rows_without_id(rows, without))
        vacant = self.vacant = self._vacancies()
        cells_start = len(self.problems)
        headcounts = self._headcounts(vacant)
        pays = self._pays()
        self.problems[cells_start:] = sorted(self.problems[cells_start:])  # FTE, pay: by cell
        index = IdIndex.of(ids)
        known = self.names if self.names is not None else self.cells.get("title")
        bosses = [boss if boss.strip() else "" for boss in self.cells["reports_to"]]
        self.cells["reports_to"] = bosses
        refs = resolve(bosses, ids, index, known, self_is_top=True)
        generated: set[int] = set()
        if without and self.options.generate_ids:
            generated = self._generate(index, refs, without)
        self.problems.extend(say.repeated_ids(rows, ids, index.rows, index.repeats, generated))
        self._ambiguous("reports_to", "manager", refs)
        dropped = self._orphans(refs)
        parent = parent_array(refs.target)
        loops = reporting_cycles(parent)
        self.problems.extend(say.cycle(rows, ids, loop) for loop in loops)
        dotted = self._dotted(index, known, parent, dropped, checks=not loops)
        if refs.by_name:
            self.notes.append(
                f"{plural(refs.by_name, 'row')} name their manager by name: written as the"
                " manager's id"
            )
        if self.problems:
            raise ImportInputError(self.problems, self.summary, context(rows, fields))
        if vacant is not None:
            empty = (
                sum(v for i, v in enumerate(vacant) if i not in dropped) if dropped else sum(vacant)
            )
            if empty:
                self.notes.append(f"{plural(empty, 'vacancy', 'vacancies')}: headcount 0")
        roles = self._roles(refs.target, headcounts, pays, dotted, dropped)
        return PeopleImport(
            roles, _mapping(rows), context(rows, fields), self.notes, self._kept_lines(dropped)
        )

    # ---------------------------------------------------------------- cells

    def _vacancies(self) -> list[bool] | None:
        """Per row: nobody holds the post (None when the export cannot say)."""
        status = self.cells.get("status")
        names = self.names
        if status is None and names is None:
            return None
        vacant = [False] * len(self.rows)
        if status is not None:
            says = {value: value.casefold() in VACANT_STATUSES for value in dict.fromkeys(status)}
            vacant = list(map(says.__getitem__, status))
        if names is not None:
            blank_is_vacant = any(names)  # a column empty throughout was redacted
            marked = {name for name in set(names) if name.casefold() in VACANT_NAMES}
            vacant = [
                was or (name in marked if name else blank_is_vacant and rid != "")
                for was, name, rid in zip(vacant, names, self.ids, strict=True)
            ]
        return vacant

    def _headcounts(self, vacant: list[bool] | None) -> list[str | None] | None:
        ftes = self.cells.get("headcount")
        if ftes is None and vacant is None:
            return None
        counts: list[str | None] = [None] * len(self.rows)
        if ftes is not None:
            comma = self.options.decimal_comma
            issues = self._issues("headcount", FTE_REASONS)
            counts = read_column(ftes, lambda cell: read_fte(cell, comma), issues, self.rows.lines)
            self.problems.extend(issues.problems(self.rows.table.position))
        if vacant is not None:
            counts = ["0" if empty else count for count, empty in zip(counts, vacant, strict=True)]
        return counts

    def _pays(self) -> list[str | None] | None:
        cells = self.cells.get("pay")
        if cells is None:
            return None
        comma = self.options.decimal_comma
        issues = self._issues("pay", PAY_REASONS)
        pays = read_column(cells, lambda cell: read_pay(cell, comma), issues, self.rows.lines)
        self.problems.extend(issues.problems(self.rows.table.position))
        return pays

    def _issues(self, field_name: str, reasons: dict[str, tuple[str, str]]) -> CellIssues:
        rows = self.rows
        return CellIssues(rows.header(field_name), rows.columns[field_name], reasons)

    # ---------------------------------------------------------------- managers

    def _generate(self, index: IdIndex, refs: References, without: list[int]) -> set[int]:
        given = generate_ids(self.ids, self.cells["reports_to"], refs.target)
        for i in given:
            rid = self.ids[i]
            first = index.rows.setdefault(rid, i)
            if first != i:
                index.repeats.setdefault(rid, []).append(i)
        resolve_later(refs, index)
        example = ", ".join(f"'{self.ids[i]}'" for i in given[:2])
        self.notes.append(
            f"{plural(len(given), 'row')} without an id: named after their manager"
            f" ({example}{', ...' if len(given) > 2 else ''})"
        )
        return set(given)

    def _ambiguous(self, field_name: str, what: str, refs: References) -> None:
        if not refs.ambiguous:
            return
        by = "name" if self.names is not None else "title"
        known = self.names if self.names is not None else self.cells["title"]
        candidates = NameIndex(known, self.ids).rows
        self.problems.extend(
            say.ambiguous_names(self.rows, field_name, what, refs.ambiguous, candidates, by)
        )

    def _orphans(self, refs: References) -> set[int]:
        """Apply --orphans to rows whose manager is not in the file; the rows left out."""
        missing = refs.missing
        if not missing:
            return set()
        orphans = [i for users in missing.values() for i in users]
        managers = plural(len(missing), "manager")
        are, them = ("is", "it") if len(missing) == 1 else ("are", "them")
        reporting = f"the {plural(len(orphans), 'row')} reporting to {them}"
        mode = self.options.orphans
        if mode is Orphans.error:
            self.problems.extend(
                say.missing_managers(
                    self.rows, "reports_to", "manager", missing, self.ids, self.names
                )
            )
            self.summary.append(say.missing_summary(missing))
            return set()
        if mode is Orphans.top:
            for i in orphans:
                refs.target[i] = TOP
            tops = "is a top" if len(orphans) == 1 else "are tops"
            self.notes.append(
                f"{managers} {are} not in the file: {reporting} {tops} (--orphans top)"
            )
            return set()
        under = below(parent_array(refs.target), orphans)
        self.notes.append(
            f"{managers} {are} not in the file: left out {reporting} and the"
            f" {plural(len(under), 'row')} below (--orphans drop)"
        )
        return {*orphans, *under}

    def _dotted(
        self,
        index: IdIndex,
        known: Sequence[str] | None,
        parent: np.ndarray,
        dropped: set[int],
        checks: bool,
    ) -> list[int] | None:
        """Each row's dotted-line manager (a row, or TOP for none). A manager not in the
        file (or left out by --orphans drop) is a problem, or with --orphans top|drop the
        dotted line is left out."""
        cells = self.cells.get("dotted_to")
        if cells is None:
            return None
        rows = self.rows
        cells = [cell if cell.strip() else "" for cell in cells]
        refs = resolve(cells, self.ids, index, known, self_is_top=False)
        self._ambiguous("dotted_to", "dotted-line manager", refs)
        target = refs.target
        left = sum(len(users) for users in refs.missing.values())
        for i, boss in enumerate(target):
            if boss >= 0 and boss in dropped and i not in dropped:
                target[i] = TOP
                left += 1
        if refs.missing and self.options.orphans is Orphans.error:
            self.problems.extend(
                say.missing_managers(
                    rows, "dotted_to", "dotted-line manager", refs.missing, self.ids, self.names
                )
            )
        elif left:
            self.notes.append(
                f"left out {plural(left, 'dotted line')} to managers not in the file"
                f" (--orphans {self.options.orphans})"
            )
        for users in (*refs.missing.values(), *refs.ambiguous.values()):
            for i in users:
                target[i] = TOP
        if checks:
            for row, kind in dotted_conflicts(parent, target):
                if row not in dropped:
                    message = self._conflict(row, kind, target)
                    self.problems.append(say.dotted_line(rows, row, message))
        return target

    def _conflict(self, row: int, kind: str, target: list[int]) -> str:
        boss = target[row]
        named = f"'{self.ids[boss]}' (line {self.rows.lines[boss]})"
        if kind == "self":
            return "dotted line to the row itself"
        if kind == "above":
            return f"dotted line to {named}, which is above it in reports_to already"
        if kind == "below":
            return f"dotted line to {named}, which reports to it (directly or further down)"
        return f"dotted lines both ways between '{self.ids[row]}' and {named}; keep one"

    # ---------------------------------------------------------------- output

    def _kept_lines(self, dropped: set[int]) -> list[int]:
        lines = self.rows.lines
        return lines if not dropped else [line for i, line in enumerate(lines) if i not in dropped]

    def _roles(
        self,
        target: list[int],
        headcounts: list[str | None] | None,
        pays: list[str | None] | None,
        dotted: list[int] | None,
        dropped: set[int],
    ) -> ImportedRoles:
        ids, cells = self.ids, self.cells
        keep = None if not dropped else [i for i in range(len(ids)) if i not in dropped]

        def kept(column: list[str] | list[str | None] | None) -> list[str] | None:
            if column is None:
                return None
            texts: list[str] = [c or "" for c in column]
            return texts if keep is None else [texts[i] for i in keep]

        def kept_optional(column: list[str | None] | None) -> list[str | None] | None:
            if column is None:
                return None
            return column if keep is None else [column[i] for i in keep]

        bosses: list[str | None] = [ids[t] if t >= 0 else None for t in target]
        dotted_ids = None if dotted is None else [ids[d] if d >= 0 else None for d in dotted]
        names = None
        if self.options.keep_names and self.names is not None:
            vacant = self.vacant or [False] * len(ids)
            names = ["" if empty else name for name, empty in zip(self.names, vacant, strict=True)]
        return ImportedRoles(
            ids=ids if keep is None else [ids[i] for i in keep],
            reports_to=kept_optional(bosses) or [],
            titles=kept(cells.get("title")),
            departments=kept(cells.get("department")),
            headcounts=kept_optional(headcounts),
            dotted_to=kept_optional(dotted_ids),
            cost_centres=kept(cells.get("cost_centre")),
            pays=kept_optional(pays),
            names=kept(names),
        )


def _names(rows: ExportRows) -> list[str] | None:
    """The name of each row: its name cell, or first and last name joined."""
    cells = rows.cells
    if "name" in cells:
        return cells["name"]
    first, last = cells.get("first_name"), cells.get("last_name")
    if first is not None and last is not None:
        return [f"{a} {b}".strip(" ") for a, b in zip(first, last, strict=True)]
    return first or last


def _mapping(rows: ExportRows) -> str:
    """`id = 'EmployeeId', reports_to = 'ReportsTo', name = 'FirstName' + 'LastName', ...`."""
    columns = rows.columns
    parts: list[str] = []
    for name, index in columns.index.items():
        shown = f"'{columns.header[index]}'"
        if name == "first_name" and "last_name" in columns:
            shown += f" + '{columns.header[columns['last_name']]}'"
            name = "name"
        elif name == "last_name" and "first_name" in columns:
            continue
        elif name in ("first_name", "last_name"):
            name = "name"
        parts.append(f"{name} = {shown}")
    return ", ".join(parts)


def context(rows: ExportRows, fields: Sequence[Field]) -> list[str]:
    """`columns: id = ..., ...` and, when some, `ignored columns: 'reports_to_resolves'
    (like reports_to: --reports-to COL), ...`."""
    lines = [f"columns: {_mapping(rows)}"]
    found = lookalikes(rows.columns, fields)
    if found:
        lines.append(
            "ignored columns: "
            + ", ".join(
                f"'{rows.columns.header[column]}' (like {field.name}: {field.option} COL)"
                for column, field in found
            )
        )
    return lines
