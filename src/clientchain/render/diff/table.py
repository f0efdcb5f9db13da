"""A diff for people in a terminal: the headline, the figures before and after, then one
table per kind of change, as rich renderables (colour is added only on a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from clientchain.analyses.analyze import Inversion
from clientchain.diff.compare import InversionChange, OrgDiff, RoleChange, RoleEntry, RoleMove
from clientchain.model.findings import Finding, Level
from clientchain.model.visible import clip, visible, visible_message
from clientchain.render.diff.text import (
    change_cells,
    headline,
    inversion_cells,
    ratio_change,
    ratio_text,
    summary_rows,
    tally,
    where,
)

DEFAULT_MAX_ROWS = 200
T = TypeVar("T")
Row = Sequence[str | Text]


def _trend(text: str, worse_when_up: bool = True) -> Text:
    """A change, red when it makes things worse and green when better (the sign says it too)."""
    if text.startswith("+"):
        return Text(text, style="red" if worse_when_up else "green")
    if text.startswith("-"):
        return Text(text, style="green" if worse_when_up else "red")
    return Text(text, style="dim")


def _table(
    title: str,
    items: Sequence[T],
    columns: Sequence[tuple[str, str]],
    row: Callable[[T], Row],
    max_rows: int,
) -> list[RenderableType]:
    """A titled table of `items` (nothing when there are none); `columns`: (name, justify)."""
    if not items:
        return []
    table = Table(title=title, title_justify="left", expand=False)
    for name, justify in columns:
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    shown = items if max_rows <= 0 else items[:max_rows]
    for item in shown:
        # A str cell is shown text already (diff_text, or clipped below): never markup.
        table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in row(item)))
    if len(items) == len(shown):
        return [table]
    more = f"… {len(items) - len(shown):,} more not shown (--format json lists them all)"
    return [table, Text(more, style="dim")]


def _finding_row(f: Finding) -> Row:
    style = "bold red" if f.level is Level.ERROR else "yellow"
    message = visible_message(f.message)
    return (Text(f.level.value, style=style), f.code, Text(where(f), style="dim"), message)


def _role_change_row(c: RoleChange) -> Row:
    change = _trend(ratio_change(c.before, c.after))
    return (clip(c.id), ratio_text(c.before), ratio_text(c.after), change)


def _entry_row(e: RoleEntry) -> Row:
    department = clip(e.department or "")
    return (
        clip(e.id),
        _boss(e.reports_to),
        department,
        f"{e.headcount:,}",
        ratio_text(e.alienation),
    )


def _moved_row(m: RoleMove) -> Row:
    return (clip(m.id), _boss(m.before), _boss(m.after))


def _boss(boss: str | None) -> str:
    return clip(boss) if boss else "— (top)"


FINDING = (("Level", "left"), ("Code", "left"), ("Where", "left"), ("Message", "left"))
INVERSION = (
    ("Boss", "left"),
    ("Subordinate", "left"),
    ("Levels", "right"),
    ("Net down", "right"),
    ("Impact (people)", "right"),
)
ENTRY = (
    ("Role", "left"),
    ("Reports to", "left"),
    ("Department", "left"),
    ("HC", "right"),
    ("Alienation", "right"),
)

CHANGED_INVERSION = (
    *INVERSION[:2],
    ("Net down before", "right"),
    ("After", "right"),
    ("Change", "right"),
    ("Impact (people)", "right"),
)
ROLE_CHANGE = (("Role", "left"), ("Before", "right"), ("After", "right"), ("Change", "right"))
MOVED = (("Role", "left"), ("Reports to before", "left"), ("Reports to after", "left"))


def _header(diff: OrgDiff) -> Panel:
    name = Text(clip(diff.new.name or diff.old.name or diff.new.source), style="bold")
    lines = Text()
    change = diff.org_alienation_change
    style = "dim" if not change else ("red" if change > 0 else "green")
    lines.append(headline(diff), style=f"bold {style}")
    lines.append(
        f"\n{visible(diff.old.source)} -> {visible(diff.new.source)} · decay {diff.decay:g}"
    )
    lines.append(f"\n{tally(diff)}")
    return Panel(lines, title=name, title_align="left", expand=False)


def _summary(diff: OrgDiff) -> Table:
    table = Table(title="Figures", title_justify="left", expand=False)
    for name, justify in (
        ("", "left"),
        ("Before", "right"),
        ("After", "right"),
        ("Change", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for label, before, after, change in summary_rows(diff):
        # More money in from clients is better; more of everything else listed is worse
        # or neutral (roles, people, flows: no colour).
        if label in {"roles", "people (headcount)", "clients", "flows"}:
            shown = Text(change)
        else:
            shown = _trend(change, worse_when_up=label != "money in from clients")
        table.add_row(label, Text(before), Text(after), shown)
    return table


def render_diff_table(diff: OrgDiff, max_rows: int = DEFAULT_MAX_ROWS) -> RenderableType:
    """Everything a reviewer of a reorganisation needs to see, top to bottom."""
    f, r = diff.findings, diff.roles

    def inversion_row(i: Inversion) -> Row:
        return inversion_cells(diff, i)

    def changed_row(c: InversionChange) -> Row:
        *head, change, people = change_cells(diff, c)
        return (*head, _trend(change), people)

    parts: list[RenderableType] = [_header(diff), _summary(diff)]
    for title, found in (
        ("Findings added", f.added),
        ("Findings that became errors", f.escalated),
        ("Findings resolved", f.resolved),
        ("Findings now ignored by the policy", f.ignored),
    ):
        parts += _table(f"{title} ({len(found):,})", found, FINDING, _finding_row, max_rows)
    for title, inversions in (
        ("Inversions added", diff.inversions_added),
        ("Inversions removed", diff.inversions_removed),
    ):
        parts += _table(
            f"{title} ({len(inversions):,})", inversions, INVERSION, inversion_row, max_rows
        )
    changed = diff.inversions_changed
    title = f"Inversions whose figures changed ({len(changed):,})"
    parts += _table(title, changed, CHANGED_INVERSION, changed_row, max_rows)
    shown = len(r.changed)
    which = f"top {shown:,} of {r.changed_total:,}" if shown < r.changed_total else f"{shown:,}"
    title = f"Roles whose alienation changed most ({which})"
    parts += _table(title, r.changed, ROLE_CHANGE, _role_change_row, max_rows)
    parts += _table(f"Roles added ({len(r.added):,})", r.added, ENTRY, _entry_row, max_rows)
    parts += _table(f"Roles removed ({len(r.removed):,})", r.removed, ENTRY, _entry_row, max_rows)
    parts += _table(f"Roles moved ({len(r.moved):,})", r.moved, MOVED, _moved_row, max_rows)
    if diff.unchanged:
        parts.append(Text("No changes.", style="green"))
    return Group(*parts)
