"""The terminal report: headline figures, roles, clients, inversions, findings and the
verdict, built for the width of the console that prints it.

What is shown is chosen once (which roles, in which order, how many inversions); how
it is laid out is chosen when rich renders it and says the width (see text_fit): a
figure is never cut, a word is never broken, lower-priority columns give way first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.panel import Panel
from rich.text import Text

from clientchain.analyses.analyze import DOTTED, SOLID, Analysis
from clientchain.analyses.clients import ClientResult
from clientchain.analyses.overview import overview
from clientchain.analyses.results import Inversion, RoleResult
from clientchain.model.findings import INVERTED_RELATIONSHIP, Finding, Level
from clientchain.model.policy import FailOn, ignored_by
from clientchain.model.rounding import format_amount, money_text, moneys, plain_numbers
from clientchain.model.visible import clip, visible, visible_message
from clientchain.render.analysis.sort import Sort
from clientchain.render.analysis.verdict import verdict
from clientchain.render.overview import lead_sentences
from clientchain.render.text_fit import Cell, Column, Span, Step, cell, fit_table, wrap_line
from clientchain.render.words import OWNED_MONEY, count, levels_text, share, span_bands_line

BAR_WIDTH = 10
# A budget-funded organisation has an inversion per reporting line: the lead sentence
# says so, and this many (the most people affected first) show what it means.
BUDGET_FUNDED_LISTED = 10
# An organisation with more roles than this does not fit one screen when nothing says
# the height (a pipe has no screen; a terminal's height is passed as `screen_rows`): it
# is shown most alienated first, each table capped.
SCREEN_ROWS = 40
DEFAULT_LIMIT = 20  # rows of each list when the org does not fit one screen
ALL = "(use --limit 0 for all)"
DASH = "—"

# When a table is too wide, these give way in this order (text_fit.fit_table).
ROLE_STEPS: tuple[Step, ...] = (
    ("drop", "Span"),
    ("compact", "Alienation"),
    ("drop", "Department"),
    ("drop", "People"),
    ("drop", "Broken chain"),
    ("compact", "Role"),
    ("drop", "Largest funder"),
)
CLIENT_STEPS: tuple[Step, ...] = (
    ("drop", "Owner"),
    ("compact", "Client"),
    ("drop", "Departments"),
)
# Inversions: nothing is dropped (Levels says `(dotted)`); the titles under the ids give
# way first, then the rows are stacked.
INVERSION_STEPS: tuple[Step, ...] = (("compact", "Subordinate"), ("compact", "Boss"))


def alienation_style(value: float) -> str:
    """Colour by band; the number is always shown too, so colour is never the only cue."""
    if value < 1 / 3:
        return "green"
    if value < 2 / 3:
        return "yellow"
    return "red"


def alienation_cell(value: float) -> Text:
    text = Text()
    for span in _alienation_spans(value):
        text.append(span.text, style=span.style)
    return text


def _alienation_spans(value: float) -> tuple[Span, ...]:
    filled = round(value * BAR_WIDTH)
    return (
        Span(f"{value:.3f} "),
        Span("█" * filled, alienation_style(value)),
        Span("░" * (BAR_WIDTH - filled), "dim"),
    )


def legend(decay: float) -> str:
    """What the figures of the roles table mean, in words."""
    return (
        "Alienation: 0 = paid directly by clients, 1 = no client money reaches the role;"
        f" decay {decay:g}: each further hand-over counts {decay:g} times as close as the one"
        " before. Hand-overs: how many times, on average, client money changed hands on its"
        f" way to the role (1 = a client pays it directly; {DASH} = none reaches it)."
    )


def render_table(
    analysis: Analysis,
    *,
    limit: int | None = None,
    sort: Sort | None = None,
    fail_on: FailOn = FailOn.ERROR,
    screen_rows: int | None = None,
    exit_zero: bool = False,
    max_rows: int | None = None,
) -> RenderableType:
    """Everything a leadership team needs to see, top to bottom, fitted to the width.

    `limit`: rows of each table, roles, clients, inversions and findings alike (0: all;
    None: all when the org has no more roles than `screen_rows`, a screen (SCREEN_ROWS
    when None), else DEFAULT_LIMIT; a budget-funded org lists BUDGET_FUNDED_LISTED
    inversions unless a limit is given). `sort`: the roles' order (None: file order when
    the org fits one screen, else most alienated first). `max_rows` is the old name of
    `limit`."""
    if limit is None:
        limit = max_rows
    screen = SCREEN_ROWS if screen_rows is None else screen_rows
    fits = analysis.org.role_count <= screen
    if sort is None:
        sort = Sort.file if fits else Sort.alienation
    cap = limit if limit is not None else (0 if fits else DEFAULT_LIMIT)
    plan = _plan(analysis, sort, cap, budget_cap=limit is None)
    return _Report(analysis, plan, fail_on, exit_zero)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What is shown, whatever the width."""

    sort: Sort
    roles: tuple[RoleResult, ...]
    inversions: tuple[Inversion, ...]
    clients: tuple[ClientResult, ...]
    findings: tuple[Finding, ...]
    hidden_findings: int
    lead: tuple[str, ...]


def _plan(analysis: Analysis, sort: Sort, cap: int, *, budget_cap: bool) -> _Plan:
    """What each table shows: at most `cap` rows (0: all); `budget_cap`: a budget-funded
    org lists only its BUDGET_FUNDED_LISTED most damaging inversions (no limit given)."""
    facts = overview(analysis)
    total = len(analysis.inversions_raw)
    listed = total if cap <= 0 else min(total, cap)
    if facts.budget_funded and budget_cap:
        listed = min(listed, BUDGET_FUNDED_LISTED)
    lead = lead_sentences(facts, listed, total)
    inversions = _first_inversions(analysis, listed)
    findings, hidden = _findings_shown(analysis, inversions, listed >= total, cap)
    clients = analysis.clients if cap <= 0 else analysis.clients[:cap]
    return _Plan(
        sort, _roles_shown(analysis, sort, cap), inversions, clients, findings, hidden,
        tuple(lead),
    )  # fmt: skip


def _roles_shown(analysis: Analysis, sort: Sort, cap: int) -> tuple[RoleResult, ...]:
    """The roles in the table: one argsort over the analysis arrays, and figures built
    for the rows shown only (a million roles cost one sort)."""
    n = analysis.org.role_count
    shown = n if cap <= 0 else min(n, cap)
    if sort is Sort.file:
        return analysis.roles_between(0, shown)
    key = _sort_key(analysis, sort)
    order = np.argsort(-key, kind="stable")[:shown]  # largest first, file order among equals
    return tuple(analysis.role(i) for i in order.tolist())


def _sort_key(analysis: Analysis, sort: Sort) -> np.ndarray:
    if sort is Sort.inflow:
        return analysis.inflow
    if sort is Sort.impact:
        return np.asarray(analysis.alienation * analysis.org.headcount)
    return analysis.alienation


def _first_inversions(analysis: Analysis, k: int) -> tuple[Inversion, ...]:
    """The first `k` inversions (the most people affected first), built from the arrays:
    an org with a million roles may have a hundred thousand inversions."""
    inv, ids, d = analysis.inversions_raw, analysis.org.role_ids, analysis.org.amount_decimals
    rows = zip(
        inv.boss[:k].tolist(),
        inv.subordinate[:k].tolist(),
        inv.levels[:k].tolist(),
        moneys(inv.net[:k], d).tolist(),
        moneys(inv.boss_to_subordinate[:k], d).tolist(),
        moneys(inv.subordinate_to_boss[:k], d).tolist(),
        plain_numbers(inv.impact_headcount[:k]),
        inv.dotted[:k].tolist(),
        strict=True,
    )
    return tuple(
        Inversion(ids[b], ids[s], levels, net, down, up, impact, DOTTED if dotted else SOLID)
        for b, s, levels, net, down, up, impact, dotted in rows
    )


def _findings_shown(
    analysis: Analysis, inversions: Sequence[Inversion], every_inversion: bool, cap: int
) -> tuple[tuple[Finding, ...], int]:
    """The findings listed (a CC101 only for an inversion listed), at most `cap`, and how
    many are not."""
    pairs = {(inv.subordinate, inv.boss) for inv in inversions}
    code = INVERTED_RELATIONSHIP.code
    shown: list[Finding] = []
    for f in analysis.findings:
        if cap > 0 and len(shown) >= cap:
            break
        if every_inversion or f.code != code or (f.role, f.boss) in pairs:
            shown.append(f)
    return tuple(shown), len(analysis.findings) - len(shown)


class _Report:
    """The report as rich renders it: built when the console says its width."""

    def __init__(self, analysis: Analysis, plan: _Plan, fail_on: FailOn, exit_zero: bool):
        self.analysis, self.plan, self.fail_on, self.exit_zero = (
            analysis,
            plan,
            fail_on,
            exit_zero,
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.parts(options.max_width)

    def parts(self, width: int) -> Iterator[RenderableType]:
        analysis, plan = self.analysis, self.plan
        yield _header(analysis)
        yield from (Text(sentence, style="bold") for sentence in plan.lead)
        yield from _roles(analysis, plan, width)
        if analysis.clients:
            yield from _clients(analysis, plan.clients, width)
        if plan.inversions:
            yield from _inversions(analysis, plan.inversions, width)
        if analysis.findings:
            yield Text("Findings", style="bold")
            yield from _findings(plan, width)
        else:
            yield Text("No findings.", style="green")
        quiet = _not_reported(analysis)
        if quiet:
            yield Text(quiet, style="dim")
        yield Text(verdict(analysis, self.fail_on, exit_zero=self.exit_zero), style="bold")


def _money(analysis: Analysis, value: float) -> str:
    currency = analysis.org.currency
    return money_text(value, analysis.org.amount_decimals, currency and clip(currency))


def _header(analysis: Analysis) -> Panel:
    s = analysis.summary
    org = analysis.org
    title = Text(clip(org.name or org.source), style="bold")
    lines = Text()
    people = "1 person" if s.headcount == 1 else f"{s.headcount:,} people"
    lines.append(
        f"{count(s.roles, 'role')} · {people} · {_paying_clients(analysis)}"
        f" · {count(s.flows, 'flow')} · {count(s.layers, 'layer')}\n"
    )
    lines.append(f"{span_bands_line(s.span_bands)}\n")
    lines.append("Money in from clients: ")
    lines.append(_money(analysis, s.money_in), style="bold")
    lines.append("\nOrg alienation (headcount-weighted): ")
    if s.org_alienation is None:
        lines.append("n/a (no headcount)")
    else:
        lines.append_text(alienation_cell(s.org_alienation))
    lines.append(
        f"\nInverted relationships: {s.inversions:,} · roles with no paying client:"
        f" {s.unfunded_roles:,} · decay {analysis.decay:g}"
    )
    return Panel(lines, title=title, title_align="left", expand=False)


def _paying_clients(analysis: Analysis) -> str:
    """'3 paying clients': those that pay money in; '(4 listed)' when the org chart
    lists more."""
    listed = analysis.summary.clients
    paying = sum(1 for c in analysis.clients if c.money_out > 0)
    said = count(paying, "paying client")
    return said if paying == listed else f"{said} ({listed:,} listed)"


_ROLES_TITLE = {
    Sort.alienation: "most alienated first",
    Sort.inflow: "largest inflow first",
    Sort.impact: "most alienated people first (alienation times people)",
    Sort.file: "file order",
}


def _roles(analysis: Analysis, plan: _Plan, width: int) -> Iterator[RenderableType]:
    roles = plan.roles
    total = analysis.org.role_count
    order = _ROLES_TITLE[plan.sort]
    title = (
        f"Roles ({order})"
        if len(roles) == total
        else f"Roles ({order}, {len(roles):,} of {total:,})"
    )
    d = analysis.org.amount_decimals
    columns = [
        Column(
            "Role",
            [_name(r, titled=True) for r in roles],
            compact=[_name(r, titled=False) for r in roles],
        ),
        Column("Department", [cell(Span(r.department or "", user=True)) for r in roles]),
        Column("People", [cell(f"{r.headcount:,}") for r in roles], "right", figure=True),
        Column("Span", [cell(f"{r.span:,}") for r in roles], "right", figure=True),
        Column("Inflow", [cell(format_amount(r.inflow, d)) for r in roles], "right", figure=True),
        Column(
            "Alienation",
            [cell(_alienation_spans(r.alienation)) for r in roles],
            figure=True,
            compact=[cell(f"{r.alienation:.3f}") for r in roles],
        ),
        Column("Hand-overs", [cell(_handovers(r)) for r in roles], "right", figure=True),
        Column("Largest funder", [_funded_by(r) for r in roles]),
        Column("Broken chain", [_broken(r) for r in roles]),
    ]
    fitted = fit_table(columns, width, ROLE_STEPS, title=title)
    yield fitted.table
    if len(roles) < total:
        yield Text(f"… {count(total - len(roles), 'more role')} {ALL}", style="dim")
    yield Text(legend(analysis.decay), style="dim")
    if fitted.dropped:
        yield _left_out(fitted.dropped, width)


def _left_out(headers: Sequence[str], width: int) -> Text:
    return Text(
        f"Not shown at {width} columns: {', '.join(headers)} (a wider terminal or"
        " --format json shows them).",
        style="dim",
    )


def _name(item: RoleResult | ClientResult, titled: bool) -> Cell:
    """A role's or a client's id in bold, and (`titled`) its title dim on a line below."""
    name = (Span(item.id, "bold", user=True),)
    if titled and item.title:
        return (name, (Span(item.title, "dim", user=True),))
    return (name,)


def _titles(analysis: Analysis, role_ids: set[str]) -> dict[str, str | None]:
    """The titles of a few roles (those a table shows), by id."""
    index = analysis.org.role_index
    return {
        role_id: analysis.roles_between(index[role_id], index[role_id] + 1)[0].title
        for role_id in role_ids
    }


def _role_cell(role_id: str, titles: dict[str, str | None], titled: bool) -> Cell:
    """A role named in another role's row: its id, and (`titled`) its title dim below."""
    name = (Span(role_id, user=True),)
    title = titles.get(role_id)
    return (name, (Span(title, "dim", user=True),)) if titled and title else (name,)


def _handovers(role: RoleResult) -> str:
    """The role's expected hand-overs from its paying clients (`distance`), 2 decimals."""
    return DASH if role.distance is None else f"{role.distance:.2f}"


def _funded_by(role: RoleResult) -> Cell:
    """The client the largest share of the role's money comes from (in the end, through
    any hand-overs), and that share: 'car-buyers 60%', 'small-businesses 12%'."""
    if not role.provenance:
        return cell(DASH)
    top = role.provenance[0]
    return cell((Span(top.client, user=True), Span(f" {top.share:.0%}")))


def _broken(role: RoleResult) -> Cell:
    broken = role.chain_broken_at
    if broken is None:
        return cell("")
    return cell(
        (
            Span(broken.boss, "red", user=True),
            Span(" → ", "red"),
            Span(broken.subordinate, "red", user=True),
        )
    )


def _inversions(
    analysis: Analysis, shown: Sequence[Inversion], width: int
) -> Iterator[RenderableType]:
    titles = _titles(analysis, {r for inv in shown for r in (inv.boss, inv.subordinate)})
    columns = [
        Column(
            "Boss",
            [_role_cell(inv.boss, titles, titled=True) for inv in shown],
            compact=[_role_cell(inv.boss, titles, titled=False) for inv in shown],
        ),
        Column(
            "Subordinate",
            [_role_cell(inv.subordinate, titles, titled=True) for inv in shown],
            compact=[_role_cell(inv.subordinate, titles, titled=False) for inv in shown],
        ),
        Column(
            "Levels", [cell(levels_text(inv.levels, inv.line)) for inv in shown], "right",
            figure=True,
        ),
        Column(
            "Net down", [cell(_money(analysis, inv.net)) for inv in shown], "right", figure=True
        ),
        Column(
            "Impact (people)", [cell(f"{inv.impact_headcount:,}") for inv in shown], "right",
            figure=True,
        ),
    ]  # fmt: skip
    total = len(analysis.inversions_raw)
    title = "Inverted relationships (boss acts as the subordinate's client)"
    if total > 1:
        title = (
            "Inverted relationships, most people affected first"
            " (boss acts as the subordinate's client)"
        )
    fitted = fit_table(columns, width, INVERSION_STEPS, title=title)
    yield fitted.table
    if len(shown) < total:
        yield Text(f"… {count(total - len(shown), 'more inversion')} {ALL}", style="dim")
    if fitted.dropped:
        yield _left_out(fitted.dropped, width)


def _clients(
    analysis: Analysis, shown: Sequence[ClientResult], width: int
) -> Iterator[RenderableType]:
    """Each paying client's touchpoints: who deals with it, in which departments, who owns it."""
    columns = [
        Column(
            "Client",
            [_name(c, titled=True) for c in shown],
            compact=[_name(c, titled=False) for c in shown],
        ),
        Column("Pays", [cell(_money(analysis, c.money_out)) for c in shown], "right", figure=True),
        Column("Touchpoints", [cell(f"{c.touchpoints:,}") for c in shown], "right", figure=True),
        Column("Departments", [_departments(c) for c in shown]),
        Column("Owner", [cell(Span(c.owner, user=True) if c.owner else DASH) for c in shown]),
        # Fragmented: the lowest common boss is a top (or there is none), so it is said there.
        Column("Common boss", [_common_boss(c) for c in shown]),
    ]
    fitted = fit_table(columns, width, CLIENT_STEPS, title="Clients (file order)")
    yield fitted.table
    total = len(analysis.clients)
    if len(shown) < total:
        yield Text(f"… {count(total - len(shown), 'more client')} {ALL}", style="dim")
    if fitted.dropped:
        yield _left_out(fitted.dropped, width)
    owned = analysis.summary.client_money_owned
    if owned is not None:
        yield Text(f"{OWNED_MONEY}: {share(owned)}")


def _departments(client: ClientResult) -> Cell:
    spans: list[Span] = []
    for i, department in enumerate(client.departments):
        if i:
            spans.append(Span(", "))
        spans.append(Span(department, user=True))
    return (tuple(spans),)


def _common_boss(client: ClientResult) -> Cell:
    """The lowest common boss, and 'fragmented' (CC106) after it when nobody below a top
    holds the client."""
    boss = Span(client.lowest_common_boss, user=True) if client.lowest_common_boss else Span(DASH)
    if client.fragmented:
        return cell((boss, Span(" (fragmented)", "bold red")))
    return cell(boss)


def _findings(plan: _Plan, width: int) -> Iterator[Text]:
    """One line per finding when it fits: where, level and code whole on the first line,
    the message wrapped between words under it (nothing of it is lost)."""
    for f in plan.findings:
        style = "bold red" if f.level is Level.ERROR else "yellow"
        line = Text()
        line.append(f"{visible(f.file)}:{f.line}: ", style="dim")
        line.append(f"{f.level.value} {f.code}", style=style)
        keep = len(line.plain)
        line.append(f" {visible_message(f.message)}")
        yield wrap_line(line, width, keep=keep)
    if plan.hidden_findings:
        yield Text(f"… {count(plan.hidden_findings, 'more finding')} {ALL}", style="dim")


def _not_reported(analysis: Analysis) -> str:
    """Say what the policy and the baseline kept quiet: silence must not look like health."""
    said = []
    if analysis.ignored:
        by = ignored_by(analysis.policy, analysis.ignored)
        said.append(f"{count(len(analysis.ignored), 'finding')} ignored by {by}")
    if analysis.baselined:
        said.append(f"{count(len(analysis.baselined), 'finding')} known from the baseline")
    return f"Not shown: {'; '.join(said)}." if said else ""
