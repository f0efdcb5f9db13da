"""Amounts of more digits than a float sum carries, as people read them.

Money is shown at the input's decimal places (SPEC: printed totals show no binary float
noise). A sum is a float of 15 significant digits at most: an amount of thirteen whole
digits at five places would show the float's own digits past them
(1,234,567,890,123.44995 for 1,234,567,890,123.45), and one past 2**53 noise in its
whole digits. So such an amount is written at the places its 15 digits leave, from those
digits. The expected texts come from Python's Decimal over the amounts as written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from clientchain.model.rounding import amount_text, amount_texts, money
from tests.conftest import Run

Runner = Callable[..., Run]
Write = Callable[[str, str], Path]

SIGNIFICANT = 15
PAID = "1234567890123.45"  # by the funder to the boss: 13 whole digits
DOWN = "7654321098765.4321"  # from the boss to its report (an inversion): 4 places
GRANT = "987654321098765.4"  # by the funder to the report: 15 whole digits
SUM = "98765432109876543"  # a sum past 2**53 (an amount is at most 10**15)
CHART = f"""
clients:
  - id: funder
roles:
  - id: boss
  - id: sub
    reports_to: boss
flows:
  - {{from: funder, to: boss, amount: {PAID}}}
  - {{from: boss, to: sub, amount: {DOWN}}}
  - {{from: funder, to: sub, amount: {GRANT}}}
"""
PLACES = 4  # the chart's: DOWN's


def shown(*written: str, places: int = PLACES) -> str:
    """The exact sum of amounts as written, at `places` decimals or at the places 15
    significant digits leave, with thousands separators."""
    total = sum((Decimal(text) for text in written), Decimal(0))
    whole = total.adjusted() + 1
    if whole + places > SIGNIFICANT:
        places = max(0, SIGNIFICANT - whole)
        total = Decimal(f"{total:.{SIGNIFICANT - 1}e}")  # 15 significant digits first
    return f"{total.quantize(Decimal(10) ** -places):,f}"


def test_the_oracle_writes_what_people_expect() -> None:
    assert shown(PAID) == "1,234,567,890,123.45"
    assert shown(DOWN) == "7,654,321,098,765.43"
    assert shown(GRANT) == "987,654,321,098,765"
    assert shown(SUM) == "98,765,432,109,876,500"
    assert shown("12.5") == "12.5000"


@pytest.mark.parametrize(
    ("written", "places"),
    [
        (PAID, 5),
        (DOWN, 4),
        (GRANT, 1),
        (SUM, 0),
        (SUM, 3),
        ("-" + PAID, 5),
        ("999999999999999", 2),  # 15 whole digits: none left for the places
        ("99999999999.999", 3),  # 14 digits and 3 places: the last is the 15th
        ("0.000001", 6),
        ("123456.789012", 12),
    ],
)
def test_an_amount_is_written_from_its_significant_digits(written: str, places: int) -> None:
    amount = money(float(written), places)
    assert amount_text(amount, places) == shown(written, places=places)
    assert amount_texts(np.asarray([amount, 1.5]), places, " EUR") == [
        shown(written, places=places) + " EUR",
        shown("1.5", places=places) + " EUR",
    ]


def test_a_column_of_ordinary_amounts_keeps_every_place() -> None:
    column = np.asarray([money(0.1 + 0.2, 2), 1_000_000.0, 0.0])
    assert amount_texts(column, 2, " {UAH}") == ["0.30 {UAH}", "1,000,000.00 {UAH}", "0.00 {UAH}"]


def test_every_text_for_people_shows_the_digits_not_the_floats(run: Runner, write: Write) -> None:
    chart = write("org.yaml", CHART)
    paid, down, inflow = shown(PAID), shown(DOWN), shown(DOWN, GRANT)
    table = run("analyze", str(chart), "--format", "table")
    assert table.exit_code == 1  # the boss pays its report: an inversion
    assert f"Money in from clients: {shown(PAID, GRANT)}" in table.stdout.replace("\n", " ")
    assert f"│ {paid} │" in table.stdout and f"│  {inflow} │" in table.stdout  # inflows
    markdown = run("analyze", str(chart), "--format", "markdown").stdout
    assert f"| Money in from clients | {shown(PAID, GRANT)} |" in markdown
    assert f"| boss | sub | 1 | {down} | 1 |" in markdown
    github = run("analyze", str(chart), "--format", "github").stdout
    assert f"(net {down} flows down 1 level)" in github
    assert run("export", str(chart), "-o", str(chart.with_name("g.dot"))).exit_code == 0
    dot = chart.with_name("g.dot").read_text(encoding="utf-8")
    assert f'label="{paid}"' in dot and f'label="{down}\\ninverted"' in dot
    chain = run("chain", str(chart), "sub").stdout
    assert inflow in chain
    document = json.loads(run("analyze", str(chart), "--format", "json").stdout)
    assert document["summary"]["money_in"] == float(shown(PAID, GRANT).replace(",", ""))
    for output in (table.stdout, markdown, github, dot, chain):
        assert "123.44995" not in output and "765.43210" not in output


def test_a_changed_amount_in_a_diff_is_written_from_its_digits(run: Runner, write: Write) -> None:
    before = write("before.yaml", CHART)
    after = write("after.yaml", CHART.replace(PAID, "1234567890124.45"))
    text = run("diff", str(before), str(after)).stdout
    assert f"│ {shown(PAID, GRANT)} │ {shown('1234567890124.45', GRANT)} │" in text
