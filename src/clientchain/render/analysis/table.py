"""The terminal report: headline figures, roles, inversions and findings, as rich renderables."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from clientchain.analyses.analyze import Analysis, RoleResult
from clientchain.analyses.clients import ClientResult
from clientchain.analyses.overview import overview
from clientchain.model.findings import INVERTED_RELATIONSHIP, Level
from clientchain.model.rounding import format_amount, money_text
from clientchain.model.visible import clip, visible, visible_message
from clientchain.render.overview import lead_sentences
from clientchain.render.words import OWNED_MONEY, count, levels_text, share, span_bands_line

BAR_WIDTH = 10
# A budget-funded organisation has an inversion per reporting line: the lead sentence
# says so, and this many (the most people affected first) show what it means.
BUDGET_FUNDED_LISTED = 10
_EVERY_INVERSION = "(--max-rows 0 shows all; --format json has every figure)"
_EVERY_FINDING = "(--max-rows 0 shows all; --format json has every finding)"
_EVERY_CLIENT = "(--max-rows 0 shows all; --format json has every figure)"


def alienation_style(value: float) -> str:
    """Colour by band; the number is always shown too, so colour is never the only cue."""
    if value < 1 / 3:
        return "green"
    if value < 2 / 3:
        return "yellow"
    return "red"


def alienation_cell(value: float) -> Text:
    filled = round(value * BAR_WIDTH)
    text = Text(f"{value:.3f} ")
    text.append("█" * filled, style=alienation_style(value))
    text.append("░" * (BAR_WIDTH - filled), style="dim")
    return text


def _money(analysis: Analysis, value: float) -> str:
    currency = analysis.org.currency
    return money_text(value, analysis.org.amount_decimals, currency and clip(currency))


def _cell(text: str, style: str = "") -> Text:
    """User text in a cell: as `clip` shows it, and never read as markup."""
    return Text(clip(text), style=style)


def _header(analysis: Analysis) -> Panel:
    s = analysis.summary
    org = analysis.org
    title = _cell(org.name or org.source, style="bold")
    lines = Text()
    people = "1 person" if s.headcount == 1 else f"{s.headcount:,} people"
    lines.append(
        f"{count(s.roles, 'role')} · {people} · {count(s.clients, 'paying client')}"
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


def _main_client(role: RoleResult) -> Text:
    if not role.provenance:
        return Text("—")
    top = role.provenance[0]
    return Text(f"{clip(top.client)} {top.share:.0%}")


def _roles(analysis: Analysis, max_rows: int) -> RenderableType:
    table = Table(title="Roles (file order)", title_justify="left", expand=False)
    table.add_column("Role", overflow="fold")
    table.add_column("Department", overflow="fold")
    table.add_column("HC", justify="right")
    table.add_column("Span", justify="right")  # direct reports; layers are in the headline
    table.add_column("Inflow", justify="right")
    table.add_column("Alienation", no_wrap=True)
    table.add_column("Main client", overflow="fold")
    table.add_column("Broken chain", overflow="fold")
    count = analysis.org.role_count
    shown = count if max_rows <= 0 else min(count, max_rows)
    for role in analysis.roles_between(0, shown):
        name = _cell(role.id, style="bold")
        if role.title:
            name.append(f"\n{clip(role.title)}", style="dim")
        broken = role.chain_broken_at
        table.add_row(
            name,
            _cell(role.department or ""),
            str(role.headcount),
            f"{role.span:,}",
            format_amount(role.inflow, analysis.org.amount_decimals),
            alienation_cell(role.alienation),
            _main_client(role),
            Text(f"{clip(broken.boss)} → {clip(broken.subordinate)}", style="red")
            if broken
            else Text(""),
        )
    if shown < count:
        return Group(
            table,
            Text(
                f"… {count - shown:,} more roles not shown"
                " (--max-rows 0 shows all; --format json has every figure)",
                style="dim",
            ),
        )
    return table


def _inversions(analysis: Analysis, listed: int) -> RenderableType:
    table = Table(
        title="Inverted relationships (boss acts as the subordinate's client)",
        title_justify="left",
        expand=False,
    )
    for name, justify in (
        ("Boss", "left"),
        ("Subordinate", "left"),
        ("Levels", "right"),
        ("Net down", "right"),
        ("Impact (people)", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for inv in analysis.inversions[:listed]:
        table.add_row(
            _cell(inv.boss),
            _cell(inv.subordinate),
            levels_text(inv.levels, inv.line),
            Text(_money(analysis, inv.net)),
            f"{inv.impact_headcount:,}",
        )
    hidden = len(analysis.inversions) - listed
    if hidden > 0:
        more = f"… {count(hidden, 'more inversion')} not shown"
        return Group(table, Text(f"{more} {_EVERY_INVERSION}", style="dim"))
    return table


def _clients(analysis: Analysis, max_rows: int) -> RenderableType:
    """Each paying client's touchpoints: who deals with it, in which departments, who owns it."""
    table = Table(title="Clients (file order)", title_justify="left", expand=False)
    table.add_column("Client", overflow="fold")
    table.add_column("Pays", justify="right")
    table.add_column("Touchpoints", justify="right")
    table.add_column("Departments", overflow="fold")
    table.add_column("Owner", overflow="fold")
    # Fragmented: the lowest common boss is a top (or there is none), so it is said there.
    table.add_column("Common boss", overflow="fold")
    clients = analysis.clients
    shown = clients if max_rows <= 0 else clients[:max_rows]
    for client in shown:
        name = _cell(client.id, style="bold")
        if client.title:
            name.append(f"\n{clip(client.title)}", style="dim")
        table.add_row(
            name,
            Text(_money(analysis, client.money_out)),
            f"{client.touchpoints:,}",
            _cell(", ".join(client.departments)),
            _cell(client.owner or "—"),
            _common_boss(client),
        )
    parts: list[RenderableType] = [table]
    if len(shown) < len(clients):
        more = f"… {count(len(clients) - len(shown), 'more client')} not shown"
        parts.append(Text(f"{more} {_EVERY_CLIENT}", style="dim"))
    owned = analysis.summary.client_money_owned
    if owned is not None:
        parts.append(Text(f"{OWNED_MONEY}: {share(owned)}"))
    return Group(*parts)


def _common_boss(client: ClientResult) -> Text:
    """The lowest common boss, and 'fragmented' (CC106) after it when nobody below a top
    holds the client."""
    cell = _cell(client.lowest_common_boss or "—")
    if client.fragmented:
        cell.append(" (fragmented)", style="bold red")
    return cell


def _inversions_listed(analysis: Analysis, budget_funded: bool, max_rows: int) -> int:
    """Every inversion, unless the organisation is budget-funded: then the sentence above
    says it, and a few show what it means (`--max-rows 0` lists them all)."""
    total = len(analysis.inversions)
    return min(total, BUDGET_FUNDED_LISTED) if budget_funded and max_rows > 0 else total


def _findings(analysis: Analysis, listed: int) -> RenderableType:
    """Every finding, but a CC101 only for the inversions listed (the rest: one line)."""
    shown = {(inv.boss, inv.subordinate) for inv in analysis.inversions[:listed]}
    everything = listed >= len(analysis.inversions)
    code = INVERTED_RELATIONSHIP.code
    lines = Text()
    hidden = 0
    for f in analysis.findings:
        if not everything and f.code == code and (f.boss, f.role) not in shown:
            hidden += 1
            continue
        style = "bold red" if f.level is Level.ERROR else "yellow"
        lines.append(f"{visible(f.file)}:{f.line}: ", style="dim")
        lines.append(f"{f.level.value} {f.code}", style=style)
        lines.append(f" {visible_message(f.message)}\n")
    if hidden:
        more = count(hidden, f"more {code} finding")
        lines.append(f"… {more}, one per inversion not shown {_EVERY_FINDING}", style="dim")
    lines.rstrip()
    return lines


def render_table(analysis: Analysis, max_rows: int = 200) -> RenderableType:
    """Everything a leadership team needs to see, top to bottom."""
    facts = overview(analysis)
    listed = _inversions_listed(analysis, facts.budget_funded, max_rows)
    lead = lead_sentences(facts, listed, len(analysis.inversions))
    parts: list[RenderableType] = [_header(analysis), *(Text(s, style="bold") for s in lead)]
    parts.append(_roles(analysis, max_rows))
    if analysis.clients:
        parts.append(_clients(analysis, max_rows))
    if analysis.inversions:
        parts.append(_inversions(analysis, listed))
    if analysis.findings:
        parts.append(Text("Findings", style="bold"))
        parts.append(_findings(analysis, listed))
    else:
        parts.append(Text("No findings.", style="green"))
    quiet = _not_reported(analysis)
    if quiet:
        parts.append(Text(quiet, style="dim"))
    return Group(*parts)


def _not_reported(analysis: Analysis) -> str:
    """Say what the policy and the baseline kept quiet: silence must not look like health."""
    said = []
    if analysis.ignored:
        n = len(analysis.ignored)
        said.append(f"{n:,} finding{'s' if n != 1 else ''} ignored by the policy")
    if analysis.baselined:
        n = len(analysis.baselined)
        said.append(f"{n:,} finding{'s' if n != 1 else ''} known from the baseline")
    return f"Not shown: {'; '.join(said)}." if said else ""
