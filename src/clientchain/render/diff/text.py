"""The words and numbers of a diff as people read them, shared by the table and Markdown.

Ratios are shown at 3 decimals and a change is the difference of the two numbers
shown (so 0.305 -> 0.281 reads -0.024, whatever the 12th decimal says); money at
the input's decimal places with its currency. User text (ids, the currency, paths)
is shown as model.visible shows it: control and bidi characters as escapes, a long
id cut in the middle.
"""

from __future__ import annotations

from decimal import Decimal

from clientchain.analyses.results import Inversion
from clientchain.diff.compare import ClientChange, InversionChange, OrgDiff, Ownership
from clientchain.model.findings import Finding
from clientchain.model.rounding import format_amount, money, plain_number
from clientchain.model.visible import clip, visible

SHOWN = 3  # decimals of a ratio for people (JSON has all 12)


def ratio_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.{SHOWN}f}"


def ratio_change(before: float | None, after: float | None) -> str:
    """`after - before` as the two shown numbers differ; the sign of the exact change
    when they read the same ('+0.000': changed, below what 3 decimals show)."""
    if before is None or after is None:
        return "n/a"
    if before == after:
        return f"{0:.{SHOWN}f}"
    shown = Decimal(ratio_text(after)) - Decimal(ratio_text(before))
    sign = "+" if after > before else "-"
    return f"{sign}{abs(shown):.{SHOWN}f}"


def headline(diff: OrgDiff) -> str:
    """'org alienation 0.305 -> 0.281 (-0.024)'."""
    before, after = diff.old.summary.org_alienation, diff.new.summary.org_alienation
    change = "no change" if before == after else ratio_change(before, after)
    return f"org alienation {ratio_text(before)} -> {ratio_text(after)} ({change})"


def amount_text(diff: OrgDiff, value: float, signed: bool = False) -> str:
    decimals = max(diff.old.amount_decimals, diff.new.amount_decimals)
    text = format_amount(abs(value) if signed else value, decimals)
    if signed and text.strip("0.,"):
        text = ("+" if value > 0 else "-") + text
    currency = diff.new.currency or diff.old.currency
    return f"{text} {clip(currency)}" if currency else text


def count_change(before: float, after: float, decimals: int = 0) -> str:
    """The change of a count, signed (a headcount's at the `decimals` it needs)."""
    change = plain_number(money(after - before, decimals))
    return f"{change:+,}" if change else "0"


def summary_rows(diff: OrgDiff) -> list[tuple[str, str, str, str]]:
    """(what, before, after, change) for the headline figures of both versions."""
    old, new = diff.old, diff.new
    a, b = old.summary, new.summary
    people = max(old.headcount_decimals, new.headcount_decimals)
    rows = [
        (label, f"{x:,}", f"{y:,}", count_change(x, y, decimals))
        for label, x, y, decimals in (
            ("roles", a.roles, b.roles, 0),
            ("people (headcount)", a.headcount, b.headcount, people),
            ("clients", a.clients, b.clients, 0),
            ("flows", a.flows, b.flows, 0),
        )
    ]
    rows.append(
        (
            "money in from clients",
            amount_text(diff, a.money_in),
            amount_text(diff, b.money_in),
            amount_text(diff, b.money_in - a.money_in, signed=True),
        )
    )
    rows.append(
        (
            "org alienation",
            ratio_text(a.org_alienation),
            ratio_text(b.org_alienation),
            ratio_change(a.org_alienation, b.org_alienation),
        )
    )
    rows.extend(
        (label, f"{x:,}", f"{y:,}", count_change(x, y))
        for label, x, y in (
            ("inverted relationships", a.inversions, b.inversions),
            ("roles with no paying client", a.unfunded_roles, b.unfunded_roles),
            ("layers", a.layers, b.layers),
            *_span_bands(diff),
        )
    )
    rows.append(
        (
            CLIENT_MONEY_OWNED,
            ratio_text(a.client_money_owned),
            ratio_text(b.client_money_owned),
            ratio_change(a.client_money_owned, b.client_money_owned),
        )
    )
    rows.extend(
        (label, f"{x:,}", f"{y:,}", count_change(x, y))
        for label, x, y in (
            ("error findings", old.errors, new.errors),
            ("warning findings", old.warnings, new.warnings),
            ("findings ignored by the policy", old.ignored, new.ignored),
        )
    )
    return rows


CLIENT_MONEY_OWNED = "client money owned"
SPAN_BAND = "managers with span "


def _span_bands(diff: OrgDiff) -> list[tuple[str, int, int]]:
    """One row per band of spans that has managers on either side (SPEC: six bands)."""
    a, b = diff.old.summary.span_bands, diff.new.summary.span_bands
    return [
        (SPAN_BAND + band, a.get(band, 0), b.get(band, 0))
        for band in dict.fromkeys([*a, *b])
        if a.get(band, 0) or b.get(band, 0)
    ]


def line_text(i: Inversion) -> str:
    """Which reporting line an inversion runs along."""
    return "dotted line" if i.line == "dotted" else "solid line"


def has_dotted(inversions: tuple[Inversion, ...]) -> bool:
    return any(i.line == "dotted" for i in inversions)


def inversions_title(title: str, inversions: tuple[Inversion, ...]) -> str:
    """'Inversions added (2, 1 along a dotted line)'."""
    dotted = sum(i.line == "dotted" for i in inversions)
    along = f", {dotted:,} along a dotted line" if dotted else ""
    return f"{title} ({len(inversions):,}{along})"


def _ownership_texts(side: Ownership | None) -> tuple[str, str, str, str]:
    if side is None:
        return ("(no client)",) * 4
    return (
        clip(side.owner) if side.owner else "none",
        clip(side.lowest_common_boss) if side.lowest_common_boss else "none",
        "yes" if side.fragmented else "no",
        f"{side.touchpoints:,}",
    )


def client_cells(c: ClientChange) -> tuple[str, str, str, str, str]:
    """(client, owner, lowest common boss, fragmented, touchpoints): 'before → after' where
    they differ, the value once where not."""
    before, after = _ownership_texts(c.before), _ownership_texts(c.after)
    owner, boss, fragmented, touchpoints = (
        x if x == y else f"{x} → {y}" for x, y in zip(before, after, strict=True)
    )
    return (clip(c.id), owner, boss, fragmented, touchpoints)


def inversion_cells(diff: OrgDiff, i: Inversion) -> tuple[str, str, str, str, str]:
    """(boss, subordinate, levels, net, people) of an inversion added or removed."""
    return (
        clip(i.boss),
        clip(i.subordinate),
        str(i.levels),
        amount_text(diff, i.net),
        f"{i.impact_headcount:,}",
    )


def change_cells(diff: OrgDiff, c: InversionChange) -> tuple[str, str, str, str, str, str]:
    """(boss, subordinate, net before, net after, change, people) of a changed inversion."""
    before, after = c.before.net, c.after.net
    people = f"{c.before.impact_headcount:,}"
    if c.after.impact_headcount != c.before.impact_headcount:
        people += f" → {c.after.impact_headcount:,}"
    return (
        clip(c.boss),
        clip(c.subordinate),
        amount_text(diff, before),
        amount_text(diff, after),
        amount_text(diff, after - before, signed=True),
        people,
    )


def where(finding: Finding) -> str:
    return f"{visible(finding.file)}:{finding.line}"


def tally(diff: OrgDiff) -> str:
    """One line of what changed, e.g. 'roles: 1 added, 1 removed, 1 moved; ...'."""
    r, f, s = diff.roles, diff.findings, diff.structure
    parts = [
        _counts(
            "roles", (len(r.added), "added"), (len(r.removed), "removed"), (len(r.moved), "moved")
        ),
        _counts(
            "inversions",
            (len(diff.inversions_added), "added"),
            (len(diff.inversions_removed), "removed"),
            (len(diff.inversions_changed), "changed"),
        ),
        _counts(
            "findings",
            (len(f.added), "added"),
            (len(f.resolved), "resolved"),
            (len(f.ignored), "now ignored"),
            (len(f.escalated), "now errors"),
        ),
        _counts("client ownership", (len(diff.clients), "changed")),
        _counts("spans", (s.spans.total, "changed")),
        _counts("layers", (s.layers.total, "changed")),
    ]
    said = [p for p in parts if p]
    return "; ".join(said) if said else "no roles, inversions or findings changed"


def _counts(what: str, *counts: tuple[int, str]) -> str:
    shown = [f"{n:,} {word}" for n, word in counts if n]
    return f"{what}: {', '.join(shown)}" if shown else ""
