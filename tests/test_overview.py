"""Findings that summarise: one sentence before the lists when the findings add up to
one fact.

- Budget-funded: 90% or more of the reporting lines (roles with a `reports_to`) carry
  net money from the boss down to its direct report. The table and Markdown say it
  once; JSON keeps every inversion.
- No money between roles: clients pay some roles and nothing passes between roles, so
  the others cannot be funded; the sentence points to the modelling recipes.

The figures are checked against the oracle's own count of inverted reporting lines,
the sentences word for word as a person reads them (the table at 120 columns).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

import clientchain
from clientchain.analyses.analyze import Analysis
from clientchain.analyses.overview import overview
from clientchain.analyses.results import Inversion
from clientchain.model.policy import FailOn
from clientchain.render.analysis.markdown import render_markdown
from clientchain.render.analysis.table import BUDGET_FUNDED_LISTED, render_table
from clientchain.render.report.data import report_payload
from clientchain.render.words import percent
from tests import oracle
from tests.orgs import render_yaml

Write = Callable[[str, str], Path]

LINES = 30  # reporting lines in the budget organisations below


def budget_org(inverted: int, lines: int = LINES) -> oracle.OrgSpec:
    """A tree of lines + 1 roles (r_i reports to r_(i-1)//2) paid through its top. The
    boss pays the subordinate net on `inverted` reporting lines (chosen at random); on
    the others money goes both ways but net up. One grandboss also pays a grandchild:
    an inversion two levels down, which is not a reporting line."""
    roles = [oracle.Role("r0")]
    roles += [oracle.Role(f"r{i}", f"r{(i - 1) // 2}") for i in range(1, lines + 1)]
    chosen = set(random.Random(inverted).sample(range(1, lines + 1), inverted))
    flows = [("treasury", "r0", 1_000_000)]
    for i in range(1, lines + 1):
        boss, sub = f"r{(i - 1) // 2}", f"r{i}"
        down, up = (100 + i, 30) if i in chosen else (40, 100 + i)
        flows += [(boss, sub, down), (sub, boss, up)]
    if lines >= 3:
        flows.append(("r0", "r3", 5))
    return oracle.OrgSpec(tuple(roles), ("treasury",), tuple(flows))


def analysis_of(write: Write, spec: oracle.OrgSpec) -> Analysis:
    return clientchain.analyze(clientchain.load(write("org.yaml", render_yaml(spec))))


def table_text(analysis: Analysis, max_rows: int | None = None) -> list[str]:
    """The table as a pipe shows it at 120 columns, line by line (trailing blanks cut);
    `max_rows` None: no --limit given."""
    out = io.StringIO()
    console = Console(
        file=out, width=120, color_system=None, highlight=False, markup=False, emoji=False
    )
    console.print(render_table(analysis, max_rows=max_rows))
    return [line.rstrip() for line in out.getvalue().splitlines()]


def lead_of_table(lines: list[str]) -> list[str]:
    """The lines between the headline panel and the roles table."""
    start = next(i for i, line in enumerate(lines) if line.startswith("╰")) + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("Roles ("))
    return lines[start:end]


def markdown_of(analysis: Analysis) -> str:
    return render_markdown(analysis, FailOn.ERROR, Path.cwd())


def impact(inv: oracle.Inversion | Inversion) -> tuple[object, object]:
    return (inv.impact_headcount, inv.net)


def inverted_lines(spec: oracle.OrgSpec) -> int:
    """The oracle's count: inverted pairs one level apart (a role and its boss)."""
    return sum(1 for inv in oracle.find_inversions(spec) if inv.levels == 1)


@pytest.mark.parametrize(
    ("inverted", "budget_funded"),
    [(26, False), (27, True), (28, True)],
    ids=["26-of-30-below", "27-of-30-exactly-90", "28-of-30-above"],
)
def test_budget_funded_from_90_percent_of_the_reporting_lines(
    write: Write, inverted: int, budget_funded: bool
) -> None:
    spec = budget_org(inverted)
    lines = sum(1 for role in spec.roles if role.parent is not None)
    assert (lines, inverted_lines(spec)) == (LINES, inverted)  # the org is what it claims
    assert (inverted * 100 >= 90 * lines) is budget_funded
    analysis = analysis_of(write, spec)
    facts = overview(analysis)
    assert (facts.reporting_lines, facts.inverted_lines) == (lines, inverted)
    assert facts.budget_funded is budget_funded
    assert not facts.only_clients_fund
    everything = len(oracle.find_inversions(spec))
    sentence = (
        f"Budget-funded: in {inverted} of 30 reporting lines ({percent(inverted, 30)}) the"
        " money flows from the boss down to the subordinate; the {listed} inversions with"
        " the most people affected are listed below."
    )
    table, markdown = table_text(analysis), markdown_of(analysis)
    if budget_funded:  # the table lists 10 of them, Markdown 20
        assert f"\n\n{sentence.format(listed=20)}\n\n" in markdown
        assert " ".join(lead_of_table(table)) == sentence.format(listed=10)
    else:
        assert "Budget-funded" not in markdown
        assert lead_of_table(table) == []
    # JSON keeps every inversion, whatever the table lists.
    assert len(clientchain.json_document(analysis)["inversions"]) == everything


def test_the_budget_funded_sentence_as_the_table_and_markdown_show_it(write: Write) -> None:
    spec = budget_org(27)
    analysis = analysis_of(write, spec)
    assert lead_of_table(table_text(analysis)) == [
        "Budget-funded: in 27 of 30 reporting lines (90%) the money flows from the boss down"
        " to the subordinate; the 10",
        "inversions with the most people affected are listed below.",
    ]
    markdown = markdown_of(analysis)
    figures_end = markdown.index("| Roles with no paying client | 0 |\n") + len(
        "| Roles with no paying client | 0 |\n"
    )
    assert markdown[figures_end:].startswith(
        "\nBudget-funded: in 27 of 30 reporting lines (90%) the money flows from the boss"
        " down to the subordinate; the 20 inversions with the most people affected are"
        " listed below.\n\n#### Inverted relationships"
    )


def test_a_budget_funded_table_lists_a_few_inversions_and_counts_the_rest(
    write: Write,
) -> None:
    spec = budget_org(28)
    analysis = analysis_of(write, spec)
    everything = oracle.find_inversions(spec)
    hidden = len(everything) - BUDGET_FUNDED_LISTED
    table = table_text(analysis)
    assert f"… {hidden} more inversions (use --limit 0 for all)" in table
    assert table[-2] == f"… {hidden} more findings (use --limit 0 for all)"
    assert sum(line.count("error CC101") for line in table) == BUDGET_FUNDED_LISTED
    # The findings listed are those of the inversions listed: the most people affected
    # first (the oracle's order; equal impact and net may come in either order).
    listed = analysis.inversions[:BUDGET_FUNDED_LISTED]
    assert [impact(inv) for inv in listed] == [impact(inv) for inv in everything[:10]]
    for inv in analysis.inversions:  # one line per finding: its place, then its code
        (f,) = [f for f in analysis.findings if (f.boss, f.role) == (inv.boss, inv.subordinate)]
        said = any(line.startswith(f"{f.file}:{f.line}: error CC101") for line in table)
        assert said is (inv in listed)


def test_max_rows_0_lists_every_inversion_of_a_budget_funded_org(write: Write) -> None:
    spec = budget_org(30)
    analysis = analysis_of(write, spec)
    table = table_text(analysis, max_rows=0)
    assert " ".join(lead_of_table(table)) == (
        "Budget-funded: in 30 of 30 reporting lines (100%) the money flows from the boss"
        " down to the subordinate; each is listed below."
    )
    assert sum("error CC101" in line for line in table) == len(oracle.find_inversions(spec))
    assert not any("more inversions" in line or "more CC101" in line for line in table)


def test_an_explicit_limit_caps_the_inversions_and_findings_of_a_budget_funded_org(
    write: Write,
) -> None:
    """--limit N is N rows of every table, the budget-funded org's inversions too (the
    10 listed by default are only the default)."""
    spec = budget_org(30)
    analysis = analysis_of(write, spec)
    inverted = len(oracle.find_inversions(spec))
    assert inverted > 25 > BUDGET_FUNDED_LISTED
    table = table_text(analysis, max_rows=25)
    assert " ".join(lead_of_table(table)) == (
        "Budget-funded: in 30 of 30 reporting lines (100%) the money flows from the boss"
        " down to the subordinate; the 25 inversions with the most people affected are"
        " listed below."
    )
    assert f"… {inverted - 25} more inversions (use --limit 0 for all)" in table
    assert sum("error CC101" in line for line in table) == 25
    assert table[-2] == f"… {len(analysis.findings) - 25} more findings (use --limit 0 for all)"


def test_one_inverted_line_of_one(write: Write) -> None:
    analysis = analysis_of(write, budget_org(1, lines=1))
    assert lead_of_table(table_text(analysis)) == [
        "Budget-funded: in 1 of 1 reporting line (100%) the money flows from the boss down to"
        " the subordinate; it is listed",
        "below.",
    ]


def test_the_report_leads_with_the_sentence_too(write: Write) -> None:
    analysis = analysis_of(write, budget_org(27))
    assert report_payload(analysis)["lead"] == [
        "Budget-funded: in 27 of 30 reporting lines (90%) the money flows from the boss down"
        " to the subordinate; each is listed below."
    ]
    # Above max_roles the report lists the inversions of the roles it shows.
    shown = report_payload(analysis, max_roles=3)
    assert shown["lead"] == [
        f"Budget-funded: in 27 of 30 reporting lines (90%) the money flows from the boss down"
        f" to the subordinate; the {len(shown['inversions'])} inversions under the roles"
        " shown are listed below."
    ]


STORE = """
org: Music store
clients:
  - id: customers
roles:
  - id: general-manager
  - id: sales-manager
    reports_to: general-manager
  - id: rep-1
    reports_to: sales-manager
  - id: rep-2
    reports_to: sales-manager
  - id: rep-3
    reports_to: sales-manager
flows:
  - {from: customers, to: rep-1, amount: 100}
  - {from: customers, to: rep-2, amount: 200}
  - {from: customers, to: rep-3, amount: 300}
"""

ONLY_CLIENTS = (
    "No money passes between roles, so only the roles that clients pay directly can be"
    " funded (3 of 5 roles); model how money reaches the others with {rollup} (revenue"
    " passed up to the bosses) or {budgets} (budgets passed down)."
)


def test_no_money_between_roles_is_said_once(write: Write) -> None:
    analysis = clientchain.analyze(clientchain.load(write("org.yaml", STORE)))
    facts = overview(analysis)
    assert (facts.paid_by_clients, facts.roles, facts.only_clients_fund) == (3, 5, True)
    assert lead_of_table(table_text(analysis)) == [
        "No money passes between roles, so only the roles that clients pay directly can be"
        " funded (3 of 5 roles); model how money",
        "reaches the others with clientchain model rollup (revenue passed up to the bosses)"
        " or clientchain model budgets (budgets",
        "passed down).",
    ]
    markdown = markdown_of(analysis)
    sentence = ONLY_CLIENTS.format(
        rollup="`clientchain model rollup`", budgets="`clientchain model budgets`"
    )
    assert markdown.count("No money passes") == 1
    assert f"| Roles with no paying client | 2 |\n\n{sentence}\n\n" in markdown
    plain = ONLY_CLIENTS.format(
        rollup="clientchain model rollup", budgets="clientchain model budgets"
    )
    assert report_payload(analysis)["lead"] == [plain]


@pytest.mark.parametrize(
    "flows",
    [
        # One flow between roles: the input says how money moves inside.
        "  - {from: customers, to: rep-1, amount: 100}\n"
        "  - {from: rep-1, to: sales-manager, amount: 10}\n",
        # Clients pay every role: nobody is left unfunded.
        "".join(
            f"  - {{from: customers, to: {r}, amount: 1}}\n"
            for r in ("general-manager", "sales-manager", "rep-1", "rep-2", "rep-3")
        ),
        # No money at all: nothing is funded, and nothing to say about clients.
        "  []\n",
    ],
    ids=["a-flow-between-roles", "clients-pay-everyone", "no-flows"],
)
def test_no_sentence_when_money_passes_between_roles_or_clients_pay_all(
    write: Write, flows: str
) -> None:
    text = STORE[: STORE.index("flows:")] + "flows:\n" + flows
    analysis = clientchain.analyze(clientchain.load(write("org.yaml", text)))
    assert not overview(analysis).only_clients_fund
    assert lead_of_table(table_text(analysis)) == []
    assert "No money passes" not in markdown_of(analysis)
    assert report_payload(analysis)["lead"] == []


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(398, 400, "99.5%"), (27, 30, "90%"), (899, 1000, "89.9%"), (8999, 9000, "99.9%"),
     (1, 3, "33.3%"), (0, 5, "0%"), (5, 5, "100%")],
)  # fmt: skip
def test_percent_rounds_down_so_100_means_all(part: int, whole: int, shown: str) -> None:
    assert percent(part, whole) == shown


@pytest.mark.parametrize(
    ("roles", "clients", "expected"),
    [
        (1, 1, "│ 1 role · 1 person · 1 paying client · 1 flow"),
        (2, 2, "│ 2 roles · 2 people · 2 paying clients · 2 flows"),
    ],
)
def test_the_headline_counts_in_words(
    write: Write, roles: int, clients: int, expected: str
) -> None:
    spec = oracle.OrgSpec(
        tuple(oracle.Role(f"r{i}") for i in range(roles)),
        tuple(f"c{i}" for i in range(clients)),
        tuple((f"c{i}", f"r{i}", 10) for i in range(clients)),
    )
    assert table_text(analysis_of(write, spec))[1].startswith(expected)
