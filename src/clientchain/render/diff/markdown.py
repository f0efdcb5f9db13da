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

from clientchain.analyses.results import Inversion
from clientchain.ci.gate import fails
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
from clientchain.model.policy import FailOn
from clientchain.render.analysis.markdown import md, md_message, md_uncut
from clientchain.render.diff.text import (
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


def _count_row(c: CountChange) -> Sequence[object]:
    return (c.id, f"{c.before:,}", f"{c.after:,}", f"{c.change:+,}")


def _client_row(c: ClientChange) -> Sequence[object]:
    return _shown(client_cells(c))


def _which(changes: CountChanges) -> str:
    shown = len(changes.changed)
    return f"top {shown:,} of {changes.total:,}" if shown < changes.total else f"{shown:,}"


def _lined(header: tuple[tuple[str, ...], str]) -> tuple[tuple[str, ...], str]:
    """A table's columns with the inversion's line third."""
    names, align = header
    return (*names[:2], "Line", *names[2:]), align[:2] + "l" + align[2:]


FINDING = (("Level", "Code", "Where", "Message"), "llll")
CLIENT = (("Client", "Owner", "Lowest common boss", "Fragmented", "Touchpoints"), "llllr")
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
    lines.append(f"{sources} · {md_uncut(tally(diff))}")  # counts only: never cut
    lines.append("")
    figures = [_shown(row) for row in summary_rows(diff)]
    lines.extend(_table(("Figure", "Before", "After", "Change"), "lrrr", figures))
    f, r = diff.findings, diff.roles

    def inversion_row(i: Inversion) -> Sequence[object]:
        return _shown(inversion_cells(diff, i))

    def lined_row(i: Inversion) -> Sequence[object]:
        boss, sub, *rest = inversion_row(i)
        return (boss, sub, line_text(i), *rest)

    def changed_row(c: InversionChange) -> Sequence[object]:
        return _shown(change_cells(diff, c))

    def lined_changed_row(c: InversionChange) -> Sequence[object]:
        boss, sub, *rest = changed_row(c)
        return (boss, sub, line_text(c.after), *rest)

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
        title = inversions_title(title, inversions)
        # The line is a column only when one of them runs along a dotted line.
        if has_dotted(inversions):
            lines += _section(title, inversions, *_lined(INVERSION), lined_row, max_rows)
        else:
            lines += _section(title, inversions, *INVERSION, inversion_row, max_rows)
    changed = diff.inversions_changed
    afters = tuple(c.after for c in changed)
    title = inversions_title("Inversions whose figures changed", afters)
    if has_dotted(afters):
        lines += _section(title, changed, *_lined(CHANGED_INVERSION), lined_changed_row, max_rows)
    else:
        lines += _section(title, changed, *CHANGED_INVERSION, changed_row, max_rows)
    title = _counted("Client ownership changed", diff.clients)
    lines += _section(title, diff.clients, *CLIENT, _client_row, max_rows)
    shown = len(r.changed)
    which = f"top {shown:,} of {r.changed_total:,}" if shown < r.changed_total else f"{shown:,}"
    title = f"Roles whose alienation changed most ({which})"
    lines += _section(title, r.changed, *ROLE_CHANGE, _role_change_row, max_rows)
    lines += _section(_counted("Roles added", r.added), r.added, *ENTRY, _entry_row, max_rows)
    lines += _section(_counted("Roles removed", r.removed), r.removed, *ENTRY, _entry_row, max_rows)
    lines += _section(_counted("Roles moved", r.moved), r.moved, *MOVED, _moved_row, max_rows)
    for what, changes in (("span", diff.structure.spans), ("layer", diff.structure.layers)):
        title = f"Roles whose {what} changed most ({_which(changes)})"
        lines += _section(title, changes.changed, *ROLE_CHANGE, _count_row, max_rows)
    return "\n".join(lines) + "\n"
