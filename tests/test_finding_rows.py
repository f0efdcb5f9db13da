"""Findings kept as columns and made when read: the same findings, in the same order,
as making each one and sorting them all (finding_order)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain import analyze, loads
from clientchain.analyses.rules import ORG_FINDERS, OrgFacts
from clientchain.analyses.rules import cc105_paid_by_others as cc105
from clientchain.model.findings import (
    Choice,
    Finding,
    Findings,
    Floats,
    Ids,
    Level,
    MaybeIds,
    Money,
    Phrases,
    finding_order,
)
from clientchain.model.org import Links, Org
from clientchain.model.rounding import plain_number

# 'c' has two inverted bosses (b, then a two levels up) on one line: a tie that only
# the message decides; 'x' and 'y' share a line (flow style), vacant 'v' has a report.
ORG = """\
clients:
  - id: buyers
  - id: idle
roles:
  - id: a
  - id: b
    reports_to: a
  - id: c
    reports_to: b
  - {id: x, reports_to: a, serves: buyers}
  - {id: y, reports_to: a}
  - id: v
    reports_to: a
    headcount: 0
  - id: w
    reports_to: v
flows:
  - {from: buyers, to: a, amount: 1000}
  - {from: a, to: b, amount: 300}
  - {from: b, to: c, amount: 100}
  - {from: a, to: c, amount: 50}
  - {from: a, to: x, amount: 10}
  - {from: a, to: y, amount: 10}
"""


def _facts_findings() -> list[Finding]:
    result = analyze(loads(ORG))
    facts = OrgFacts(
        result.org,
        result.graph,
        result.inversions_raw,
        result.traced_raw <= 0,
        result.served_share_raw,
        result.served_roles_share_raw,
        result.clients_raw,
    )
    made = [
        f
        for find in ORG_FINDERS
        for rows in [find(facts)]
        for f in rows.build(list(range(len(rows))))
    ]
    return sorted(made, key=finding_order)


def test_lazy_findings_are_the_sorted_findings() -> None:
    findings = analyze(loads(ORG)).findings
    expected = _facts_findings()
    assert isinstance(findings, Findings)
    assert list(findings) == expected
    assert findings == tuple(expected)
    assert len(findings) == len(expected)
    assert findings[1:4] == tuple(expected[1:4])
    assert findings[-1] == expected[-1]
    assert [f.code for f in findings].count("CC101") == 5
    # The tie on c's line is ordered by the message: 'a' before 'b'.
    on_c = [f.boss for f in findings if f.role == "c"]
    assert on_c == ["a", "b"]


def test_level_count_needs_no_finding_made() -> None:
    findings = analyze(loads(ORG)).findings
    assert isinstance(findings, Findings)
    errors = sum(f.level is Level.ERROR for f in findings)
    assert findings.level_count(Level.ERROR) == errors == 5
    assert findings.level_count(Level.WARNING) == len(findings) - errors


def _column_value(column: object, ids: list[str], i: int) -> object:
    """Finding i's value of a `FindingColumns` column, as a `Finding` holds it."""
    if isinstance(column, Ids):
        return ids[int(column.node[i])]
    if isinstance(column, MaybeIds):
        node = int(column.node[i])
        return None if node < 0 else ids[node]
    if isinstance(column, Choice):
        return column.options[int(column.index[i])]
    if isinstance(column, Money):
        return column.texts()[i]
    if isinstance(column, np.ndarray):
        value = column[i].item()
        return plain_number(value) if isinstance(value, float) else value
    if isinstance(column, Phrases):
        return column.text(ids, i)
    if isinstance(column, Floats):
        value = column.values[i].item()
        return None if math.isnan(value) else value
    if isinstance(column, list):
        return column[i]
    return column  # one value for every finding


# Roles that serve others and are paid by 'm', whom none of them serves (CC105): one
# name, two, four (all named), six (three named and "3 more"); a vacancy with two reports.
SERVING = """\
currency: '{EUR}'
clients:
  - id: buyers
  - id: idle
roles:
  - id: a
  - {id: m, reports_to: a}
  - {id: y, reports_to: a}
  - {id: b, reports_to: a}
  - {id: c, reports_to: a}
  - {id: x, reports_to: a}
  - {id: "it's", reports_to: a, serves: [idle, y, x, b, c, a]}
  - {id: q, reports_to: a, serves: [y, idle]}
  - {id: p, reports_to: a, serves: [b, c, x, idle]}
  - {id: s, reports_to: a, serves: idle}
  - {id: v, reports_to: a, headcount: 0}
  - {id: w, reports_to: v}
  - {id: w2, reports_to: v}
flows:
  - {from: buyers, to: a, amount: 1000}
  - {from: a, to: m, amount: 100}
  - {from: m, to: "it's", amount: 5}
  - {from: m, to: q, amount: 5}
  - {from: m, to: p, amount: 5}
  - {from: m, to: s, amount: 5}
"""


# Clients served across departments (CC106): 'buyers' meet at the top 'ceo', "o'hare"
# across two trees (no common boss: null), 'solo' in one department (no finding).
FRAGMENTED = """\
clients:
  - id: buyers
  - id: "o'hare"
  - id: solo
roles:
  - id: ceo
  - {id: sales, reports_to: ceo, department: Sales}
  - {id: billing, reports_to: ceo, department: "Finance & \\"Co\\""}
  - id: board
  - {id: audit, reports_to: board, department: Audit}
flows:
  - {from: buyers, to: sales, amount: 800}
  - {from: buyers, to: billing, amount: 200}
  - {from: "o'hare", to: billing, amount: 5}
  - {from: "o'hare", to: audit, amount: 5}
  - {from: solo, to: sales, amount: 1}
"""


@pytest.mark.parametrize(
    ("org", "codes"),
    [
        (ORG.replace("clients:", "currency: '{EUR}'\nclients:"), {"CC101", "CC102", "CC104"}),
        (SERVING, {"CC101", "CC102", "CC104", "CC105"}),
        (FRAGMENTED, {"CC102", "CC106"}),
    ],
    ids=["inversions", "serving", "fragmented"],
)
def test_columns_say_what_the_findings_say(org: str, codes: set[str]) -> None:
    result = analyze(loads(org))
    ids = [*result.org.role_ids, *result.org.client_ids]
    findings = result.findings
    assert isinstance(findings, Findings)
    with_columns = [p for p in findings.parts if p.columns is not None and len(p)]
    assert {p.rule.code for p in with_columns} == codes
    for part in with_columns:
        assert part.columns is not None
        rows = np.arange(len(part))[::-1]  # any order of rows
        columns = part.columns(rows)
        for i, f in enumerate(part.build(rows.tolist())):
            shown = {k: _column_value(v, ids, i) for k, v in columns.shown.items()}
            assert part.rule.message(**shown) == f.message
            assert [(k, _column_value(v, ids, i)) for k, v in columns.data] == list(f.data)
            subject = [columns.role, columns.boss, columns.client]
            assert [None if c is None else _column_value(c, ids, i) for c in subject] == [
                f.role or None,
                f.boss,
                f.client,
            ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 7), min_size=1, max_size=9), min_size=1, max_size=6), st.data()
)
def test_whom_phrases_name_whom_each_role_serves(
    served: list[list[int]], data: st.DataObject
) -> None:
    # Any lists, repeats included (the Python API takes what the loader refuses).
    ptr = np.cumsum([0, *map(len, served)])
    serves = Links(ptr, np.array([n for row in served for n in row], dtype=np.int64))
    ids = [f"n{n}" for n in range(8)]
    org = cast(Org, SimpleNamespace(serves=serves, node_id=ids.__getitem__))
    roles = data.draw(st.lists(st.integers(0, len(served) - 1)))  # any order, repeats
    phrases = cc105.whom_phrases(serves, np.array(roles, dtype=np.int64))
    assert [phrases.text(ids, i) for i in range(len(roles))] == [cc105._whom(org, r) for r in roles]
