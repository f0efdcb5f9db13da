"""A diff as GitHub-flavoured Markdown, compact enough for a pull-request comment.

The headline line, a table of the figures before and after, then one table per
kind of change (empty ones left out). Long lists stop at `max_rows` rows with a
line saying how many more there are (`--format json` has them all). Every cell
is escaped, so a `|` or `*` in an id or title cannot break the table, and a control
or bidi character shows as an escape, a long id cut in the middle (model.visible).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from clientchain.analyses.analyze import Inversion
from clientchain.ci.gate import fails
from clientchain.diff.compare import InversionChange, OrgDiff, RoleChange, RoleEntry, RoleMove
from clientchain.model.findings import Finding, Level
from clientchain.model.policy import FailOn
from clientchain.render.analysis.markdown import md, md_message, md_uncut
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
from clientchain.render.words import count

DEFAULT_MAX_ROWS = 50
T = TypeVar("T")


def cell(value: object) -> str:
    """Any value, safe in a table cell (see `md`)."""
    return md(str(value))


class _Shown(str):
    """A cell's text escaped already (a message, a path): `_table` leaves it as it is."""

    __slots__ = ()


def _cell(value: object) -> str:
    return value if isinstance(value, _Shown) else cell(value)


def _shown(values: Sequence[str]) -> tuple[_Shown, ...]:
    """Cells from render.diff_text: user text in them is visible and cut already."""
    return tuple(_Shown(md_uncut(value)) for value in values)


def _table(header: Sequence[str], align: str, rows: Sequence[Sequence[object]]) -> list[str]:
    """`align`: one letter per column, l(eft) or r(ight)."""
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
    lines.extend("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows)
    return lines


def _section(
    title: str,
    items: Sequence[T],
    header: Sequence[str],
    align: str,
    row: Callable[[T], Sequence[object]],
    max_rows: int,
) -> list[str]:
    """A heading and a table of `items` (nothing when there are none)."""
    if not items:
        return []
    lines = ["", f"#### {title}", ""]
    shown = items if max_rows <= 0 else items[:max_rows]
    lines.extend(_table(header, align, [row(item) for item in shown]))
    if len(items) > len(shown):
        lines.extend(
            ["", f"… and {len(items) - len(shown):,} more (`--format json` lists them all)"]
        )
    return lines


def _counted(title: str, items: Sequence[object]) -> str:
    return f"{title} ({len(items):,})"


def _finding_row(f: Finding) -> Sequence[object]:
    return (f.level.value, f.code, _Shown(md_uncut(where(f))), _Shown(md_message(f.message)))


def _role_change_row(c: RoleChange) -> Sequence[object]:
    return (c.id, ratio_text(c.before), ratio_text(c.after), ratio_change(c.before, c.after))


def _moved_row(m: RoleMove) -> Sequence[object]:
    return (m.id, m.before or "— (top)", m.after or "— (top)")


def _entry_row(e: RoleEntry) -> Sequence[object]:
    boss = e.reports_to or "— (top)"
    return (e.id, boss, e.department or "", f"{e.headcount:,}", ratio_text(e.alienation))


FINDING = (("Level", "Code", "Where", "Message"), "llll")
INVERSION = (("Boss", "Subordinate", "Levels", "Net down", "Impact (people)"), "llrrr")
ENTRY = (("Role", "Reports to", "Department", "People", "Alienation"), "lllrr")
CHANGED_INVERSION = (
    ("Boss", "Subordinate", "Net down before", "After", "Change", "Impact (people)"),
    "llrrrr",
)
ROLE_CHANGE = (("Role", "Before", "After", "Change"), "lrrr")
MOVED = (("Role", "Reports to before", "Reports to after"), "lll")


def _verdict(diff: OrgDiff, fail_on: FailOn) -> str:
    """'### ❌ clientchain diff: NAME: adds 1 error, 0 warnings (fails at --fail-on error)'."""
    name = diff.new.name or diff.old.name or diff.new.source
    added = diff.new_findings
    errors = sum(f.level is Level.ERROR for f in added)
    counts = f"adds {count(errors, 'error')}, {count(len(added) - errors, 'warning')}"
    if fails(added, fail_on):
        return f"### ❌ clientchain diff: {md(name)}: {counts} (fails at --fail-on {fail_on.value})"
    return f"### ✅ clientchain diff: {md(name)}: {counts}"


def render_diff_markdown(
    diff: OrgDiff, fail_on: FailOn = FailOn.ERROR, max_rows: int = DEFAULT_MAX_ROWS
) -> str:
    """The Markdown text, ending in a newline; the verdict line judges the findings the
    new version adds (and escalates) at `fail_on`, as the exit code does."""
    lines = [_verdict(diff, fail_on), "", headline(diff), ""]
    sources = f"{md_uncut(diff.old.source)} -> {md_uncut(diff.new.source)}"
    lines.append(f"{sources} · {cell(tally(diff))}")
    lines.append("")
    figures = [_shown(row) for row in summary_rows(diff)]
    lines.extend(_table(("Figure", "Before", "After", "Change"), "lrrr", figures))
    f, r = diff.findings, diff.roles

    def inversion_row(i: Inversion) -> Sequence[object]:
        return _shown(inversion_cells(diff, i))

    def changed_row(c: InversionChange) -> Sequence[object]:
        return _shown(change_cells(diff, c))

    for title, found in (
        ("Findings added", f.added),
        ("Findings that became errors", f.escalated),
        ("Findings resolved", f.resolved),
        ("Findings now ignored by the policy", f.ignored),
    ):
        lines += _section(_counted(title, found), found, *FINDING, _finding_row, max_rows)
    for title, inversions in (
        ("Inversions added", diff.inversions_added),
        ("Inversions removed", diff.inversions_removed),
    ):
        lines += _section(
            _counted(title, inversions), inversions, *INVERSION, inversion_row, max_rows
        )
    changed = diff.inversions_changed
    title = _counted("Inversions whose figures changed", changed)
    lines += _section(title, changed, *CHANGED_INVERSION, changed_row, max_rows)
    shown = len(r.changed)
    which = f"top {shown:,} of {r.changed_total:,}" if shown < r.changed_total else f"{shown:,}"
    title = f"Roles whose alienation changed most ({which})"
    lines += _section(title, r.changed, *ROLE_CHANGE, _role_change_row, max_rows)
    lines += _section(_counted("Roles added", r.added), r.added, *ENTRY, _entry_row, max_rows)
    lines += _section(_counted("Roles removed", r.removed), r.removed, *ENTRY, _entry_row, max_rows)
    lines += _section(_counted("Roles moved", r.moved), r.moved, *MOVED, _moved_row, max_rows)
    return "\n".join(lines) + "\n"
