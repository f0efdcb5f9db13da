"""The sentences that lead a report when the findings add up to one fact.

Table, Markdown and the HTML report say them in the same words (analyses.overview
counts the figures); each renderer only chooses how a command is set and how many
inversions it lists below the sentence.
"""

from __future__ import annotations

from collections.abc import Callable

from clientchain.analyses.overview import Overview
from clientchain.render.words import count, percent

ROLLUP = "clientchain model rollup"
BUDGETS = "clientchain model budgets"


def lead_sentences(
    facts: Overview,
    listed: int,
    inversions: int,
    chosen: str = "with the most people affected",
    command: Callable[[str], str] = str,
) -> list[str]:
    """What to say before the lists: nothing, or one sentence per fact.

    `listed` of the `inversions` are listed below the sentence, `chosen` says which
    (when not all); `command` sets a command as the format shows code."""
    said = []
    if facts.budget_funded:
        said.append(budget_funded(facts, listed, inversions, chosen))
    if facts.only_clients_fund:
        said.append(only_clients_fund(facts, command))
    return said


def budget_funded(facts: Overview, listed: int, inversions: int, chosen: str) -> str:
    """'Budget-funded: in 398 of 400 reporting lines (99.5%) the money flows from the
    boss down to the subordinate; each is listed below.'"""
    lines = facts.reporting_lines
    if listed >= inversions:
        where = "it is listed below" if facts.inverted_lines == 1 else "each is listed below"
    else:
        where = f"the {count(listed, 'inversion')} {chosen} {_are(listed)} listed below"
    return (
        f"Budget-funded: in {facts.inverted_lines:,} of {count(lines, 'reporting line')}"
        f" ({percent(facts.inverted_lines, lines)}) the money flows from the boss down to"
        f" the subordinate; {where}."
    )


def only_clients_fund(facts: Overview, command: Callable[[str], str] = str) -> str:
    """'No money passes between roles, so only the roles that clients pay directly can
    be funded (12 of 400 roles); …' with the recipes that add the missing flows."""
    return (
        "No money passes between roles, so only the roles that clients pay directly can"
        f" be funded ({facts.paid_by_clients:,} of {count(facts.roles, 'role')}); model how"
        f" money reaches the others with {command(ROLLUP)} (revenue passed up to the"
        f" bosses) or {command(BUDGETS)} (budgets passed down)."
    )


def _are(number: int) -> str:
    return "is" if number == 1 else "are"
