"""A compact Markdown summary for a pull-request comment or a CI job summary.

GitHub-flavoured tables, capped in length (a comment holds 65,536 characters), with
every piece of user text escaped: an id like `a|b` or `<img>` must not break a table
or inject markup into the page that renders it, and control or bidi characters show
as escapes (`\\x1b`, `\\u202e`), a long id cut in the middle (model.visible).
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from pathlib import Path

import numpy as np

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.overview import overview
from clientchain.analyses.results import RoleResult
from clientchain.ci.gate import fails
from clientchain.model.findings import Level
from clientchain.model.policy import FailOn, ignored_by
from clientchain.model.rounding import money_text
from clientchain.model.visible import clip, visible, visible_message
from clientchain.render.locations import repo_paths
from clientchain.render.overview import lead_sentences
from clientchain.render.words import OWNED_MONEY, count, levels_text, share, span_bands

TOP_ROLES = 10
MAX_INVERSIONS = 20
MAX_FINDINGS = 50
MAX_CLIENTS = 20
_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")
_SPACES = re.compile(r"\s+")  # what str.split() splits on


def md(text: str) -> str:
    """User text (an id, a title), safe inside a table cell: on one line (runs of
    white space are one space), as `clip` shows it, punctuation escaped."""
    return _escape(clip(_one_line(text)))


def md_message(text: str) -> str:
    """A message quoting user text, as `md` (each long word cut, see visible_message)."""
    return _escape(visible_message(_one_line(text)))


def md_uncut(text: str) -> str:
    """As `md`, but never cut: a path, or a text that is cut already (render.diff_text)."""
    return _escape(visible(_one_line(text)))


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def render_markdown(analysis: Analysis, fail_on: FailOn, root: Path) -> str:
    """The headline figures, the inversions, the most alienated roles, the clients and the
    findings."""
    parts = [_headline(analysis, fail_on), _figures(analysis)]
    inversions = len(analysis.inversions)
    listed = min(inversions, MAX_INVERSIONS)
    parts += lead_sentences(overview(analysis), listed, inversions, command=_code)
    if analysis.inversions:
        parts.append(_inversions(analysis))
    if analysis.org.role_count:
        parts.append(_most_alienated(analysis))
    if analysis.clients:
        parts.append(_clients(analysis))
    parts.append(_findings(analysis, root))
    return "\n\n".join(parts) + "\n"


def _code(command: str) -> str:
    return f"`{command}`"


def _headline(analysis: Analysis, fail_on: FailOn) -> str:
    org = md(analysis.org.name or analysis.org.source)
    errors = sum(f.level is Level.ERROR for f in analysis.findings)
    warnings = len(analysis.findings) - errors
    counts = f"{count(errors, 'error')}, {count(warnings, 'warning')}"
    if fails(analysis.findings, fail_on):
        return f"### ❌ clientchain: {org}: {counts} (fails at --fail-on {fail_on.value})"
    return f"### ✅ clientchain: {org}: {counts}"


def _money(analysis: Analysis, value: float) -> str:
    return md(money_text(value, analysis.org.amount_decimals, analysis.org.currency))


def _figures(analysis: Analysis) -> str:
    s = analysis.summary
    alienation = "n/a (no headcount)" if s.org_alienation is None else f"**{s.org_alienation:.3f}**"
    rows = [
        ("Org alienation (headcount-weighted)", alienation),
        ("Roles · people · paying clients", f"{s.roles:,} · {s.headcount:,} · {s.clients:,}"),
        ("Layers", f"{s.layers:,}"),
        ("Spans of control (managers by direct reports)", span_bands(s.span_bands)),
        ("Money in from clients", _money(analysis, s.money_in)),
    ]
    if s.client_money_owned is not None:
        rows.append((OWNED_MONEY, share(s.client_money_owned)))
    rows += [
        ("Inverted relationships", f"{s.inversions:,}"),
        ("Roles with no paying client", f"{s.unfunded_roles:,}"),
    ]
    quiet = []
    if analysis.ignored:
        by = ignored_by(analysis.policy, analysis.ignored)
        quiet.append(f"{len(analysis.ignored):,} ignored by {by}")
    if analysis.baselined:
        quiet.append(f"{len(analysis.baselined):,} known from the baseline")
    if quiet:
        rows.append(("Findings not reported", "; ".join(quiet)))
    return _table(("Figure", "Value"), rows, right={1})


def _inversions(analysis: Analysis) -> str:
    shown = analysis.inversions[:MAX_INVERSIONS]
    rows = [
        (
            md(inv.boss),
            md(inv.subordinate),
            levels_text(inv.levels, inv.line),
            _money(analysis, inv.net),
            f"{inv.impact_headcount:,}",
        )
        for inv in shown
    ]
    head = ("Boss", "Subordinate", "Levels", "Net down", "Impact (people)")
    body = _table(head, rows, right={2, 3, 4}) + _more(
        len(analysis.inversions) - len(shown), "inversion"
    )
    title = "Inverted relationships (the boss acts as the subordinate's client)"
    if len(analysis.inversions) > 1:
        title = (
            "Inverted relationships, most people affected first"
            " (the boss acts as the subordinate's client)"
        )
    return f"#### {title}\n\n" + body


def _most_alienated(analysis: Analysis) -> str:
    raw = analysis.alienation
    # Largest alienation first, file order among equals (a stable sort of the negation).
    top = np.argsort(-raw, kind="stable")[:TOP_ROLES].tolist()
    rows = [_role_row(analysis.role(i)) for i in top]
    head = ("Role", "Department", "People", "Alienation", "Largest funder", "Broken chain")
    of = analysis.org.role_count
    title = f"top {len(top)} of {of:,}" if len(top) < of else "all roles"
    return f"#### Most alienated roles ({title})\n\n" + _table(head, rows, right={2, 3})


def _clients(analysis: Analysis) -> str:
    """Who deals with each paying client, in which departments, and who owns it."""
    shown = analysis.clients[:MAX_CLIENTS]
    rows = [
        (
            md(c.id),
            _money(analysis, c.money_out),
            f"{c.touchpoints:,}",
            ", ".join(md(department) for department in c.departments),
            md(c.owner) if c.owner is not None else "—",
            md(c.lowest_common_boss) if c.lowest_common_boss is not None else "—",
            "**yes**" if c.fragmented else "no",
        )
        for c in shown
    ]
    head = ("Client", "Pays", "Touchpoints", "Departments", "Owner", "Common boss", "Fragmented")
    body = _table(head, rows, right={1, 2}) + _more(len(analysis.clients) - len(shown), "client")
    return "#### Clients (who deals with each paying client)\n\n" + body


def _role_row(role: RoleResult) -> tuple[str, ...]:
    main = role.provenance[0] if role.provenance else None
    broken = role.chain_broken_at
    return (
        md(role.id),
        md(role.department or ""),
        f"{role.headcount:,}",
        f"{role.alienation:.3f}",
        f"{md(main.client)} {main.share:.0%}" if main else "none",
        f"{md(broken.boss)} → {md(broken.subordinate)}" if broken else "",
    )


def _findings(analysis: Analysis, root: Path) -> str:
    if not analysis.findings:
        return "#### Findings\n\nNo findings."
    shown = analysis.findings[:MAX_FINDINGS]
    paths = repo_paths(shown, root)
    rows = []
    for f in shown:
        where = f"{md_uncut(paths[f.file])}:{f.line}"
        rows.append((f.level.value, f"{f.code} {f.rule}", where, md_message(f.message)))
    body = _table(("Level", "Rule", "Where", "Message"), rows)
    return "#### Findings\n\n" + body + _more(len(analysis.findings) - len(shown), "finding")


def _table(
    head: tuple[str, ...],
    rows: Sequence[tuple[str, ...]],
    right: Set[int] = frozenset(),
) -> str:
    """A GitHub-flavoured table; columns in `right` (figures) are right-aligned."""
    rule = "".join("---:|" if i in right else "---|" for i in range(len(head)))
    lines = ["| " + " | ".join(head) + " |", "|" + rule]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _more(hidden: int, noun: str) -> str:
    if hidden <= 0:
        return ""
    more = count(hidden, noun).replace(" ", " more ", 1)  # "7 more findings"
    return f"\n\n… and {more} (`--format json` lists every one)"
