"""A diff for people in a terminal: the headline, the figures before and after, then one
table per kind of change, as rich renderables (colour is added only on a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from clientchain.analyses.results import Inversion
from clientchain.diff.compare import (
    ClientChange,
    CountChange,
    CountChanges,
    InversionChange,
    OrgDiff,
    RoleChange,
    RoleEntry,
    RoleMove,
)
from clientchain.model.findings import Finding, Level
from clientchain.model.visible import clip, visible, visible_message
from clientchain.render.diff.text import (
    CLIENT_MONEY_OWNED,
    change_cells,
    client_cells,
    has_dotted,
    headline,
    inversion_cells,
    inversions_title,
    line_text,
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


def _count_row(c: CountChange) -> Row:
    return (clip(c.id), f"{c.before:,}", f"{c.after:,}", f"{c.change:+,}")


def _client_row(c: ClientChange) -> Row:
    client, owner, boss, fragmented, touchpoints = client_cells(c)
    style = "yellow" if c.after is not None and c.after.fragmented else ""
    return (client, owner, boss, Text(fragmented, style=style), touchpoints)


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
LINE = (("Line", "left"),)
CLIENT = (
    ("Client", "left"),
    ("Owner", "left"),
    ("Lowest common boss", "left"),
    ("Fragmented", "left"),
    ("Touchpoints", "right"),
)
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
        if label in {"roles", "people (headcount)", "clients", "flows", "layers"} or (
            label.startswith("managers with span ")
        ):
            shown = Text(change)
        else:
            better_up = label in {"money in from clients", CLIENT_MONEY_OWNED}
            shown = _trend(change, worse_when_up=not better_up)
        table.add_row(label, Text(before), Text(after), shown)
    return table


def _which(changes: CountChanges) -> str:
    shown = len(changes.changed)
    return f"top {shown:,} of {changes.total:,}" if shown < changes.total else f"{shown:,}"


def render_diff_table(diff: OrgDiff, max_rows: int = DEFAULT_MAX_ROWS) -> RenderableType:
    """Everything a reviewer of a reorganisation needs to see, top to bottom."""
    f, r = diff.findings, diff.roles

    def inversion_row(i: Inversion) -> Row:
        return inversion_cells(diff, i)

    def lined_row(i: Inversion) -> Row:
        boss, sub, *rest = inversion_cells(diff, i)
        return (boss, sub, line_text(i), *rest)

    def changed_row(c: InversionChange) -> Row:
        *head, change, people = change_cells(diff, c)
        return (*head, _trend(change), people)

    def lined_changed_row(c: InversionChange) -> Row:
        boss, sub, *rest = changed_row(c)
        return (boss, sub, line_text(c.after), *rest)

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
        title = inversions_title(title, inversions)
        # The line is a column only when one of them runs along a dotted line.
        if has_dotted(inversions):
            lined = (*INVERSION[:2], *LINE, *INVERSION[2:])
            parts += _table(title, inversions, lined, lined_row, max_rows)
        else:
            parts += _table(title, inversions, INVERSION, inversion_row, max_rows)
    changed = diff.inversions_changed
    title = inversions_title("Inversions whose figures changed", tuple(c.after for c in changed))
    if has_dotted(tuple(c.after for c in changed)):
        lined_changes = (*CHANGED_INVERSION[:2], *LINE, *CHANGED_INVERSION[2:])
        parts += _table(title, changed, lined_changes, lined_changed_row, max_rows)
    else:
        parts += _table(title, changed, CHANGED_INVERSION, changed_row, max_rows)
    title = f"Client ownership changed ({len(diff.clients):,})"
    parts += _table(title, diff.clients, CLIENT, _client_row, max_rows)
    shown = len(r.changed)
    which = f"top {shown:,} of {r.changed_total:,}" if shown < r.changed_total else f"{shown:,}"
    title = f"Roles whose alienation changed most ({which})"
    parts += _table(title, r.changed, ROLE_CHANGE, _role_change_row, max_rows)
    parts += _table(f"Roles added ({len(r.added):,})", r.added, ENTRY, _entry_row, max_rows)
    parts += _table(f"Roles removed ({len(r.removed):,})", r.removed, ENTRY, _entry_row, max_rows)
    parts += _table(f"Roles moved ({len(r.moved):,})", r.moved, MOVED, _moved_row, max_rows)
    for what, changes in (("span", diff.structure.spans), ("layer", diff.structure.layers)):
        title = f"Roles whose {what} changed most ({_which(changes)})"
        parts += _table(title, changes.changed, ROLE_CHANGE, _count_row, max_rows)
    if diff.unchanged:
        parts.append(Text("No changes.", style="green"))
    return Group(*parts)
