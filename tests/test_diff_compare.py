"""`compare` on tiny in-code orgs: matching by id and key, policies per side, ordering."""

from __future__ import annotations

import re
import textwrap

import pytest

import clientchain
from clientchain.analyses.analyze import Analysis
from clientchain.diff.compare import OrgDiff, compare
from clientchain.model.findings import Level
from clientchain.model.policy import FailOn
from clientchain.render.diff.markdown import render_diff_markdown

SHOP = """
org: Corner Shop
clients: [{id: buyers}]
roles:
  - {id: owner}
  - {id: seller, reports_to: owner, headcount: 2}
  - {id: cleaner, reports_to: owner}
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 800}
  - {from: owner, to: cleaner, amount: AMOUNT}
"""


def _analysis(text: str, name: str = "org.yaml", decay: float = 0.5) -> Analysis:
    return clientchain.analyze(clientchain.loads(textwrap.dedent(text).lstrip(), name), decay)


def _shop(amount: int = 100, policy: str = "", name: str = "org.yaml") -> Analysis:
    return _analysis(SHOP.replace("AMOUNT", str(amount)) + policy, name)


def test_a_policy_that_tolerated_an_inversion_is_dropped_the_finding_escalates() -> None:
    tolerated = _shop(policy="policy: {max_levels_inverted: 1}\n")
    assert [f.level for f in tolerated.findings if f.code == "CC101"] == [Level.WARNING]
    diff = compare(tolerated, _shop())
    assert diff.findings.added == diff.findings.resolved == ()
    assert [(f.code, f.boss, f.role, f.level) for f in diff.findings.escalated] == [
        ("CC101", "owner", "cleaner", Level.ERROR)
    ]
    assert diff.new_findings == diff.findings.escalated  # what the gate judges
    assert compare(_shop(), tolerated).findings.escalated == ()  # a step down is not


def test_a_finding_the_new_policy_ignores_is_not_called_resolved() -> None:
    ignore = (
        "policy:\n  ignore:\n    - {code: CC101, boss: owner, subordinate: cleaner,"
        " reason: interim}\n"
    )
    diff = compare(_shop(), _shop(policy=ignore))
    assert diff.findings.resolved == ()
    assert [(f.code, f.role) for f in diff.findings.ignored] == [("CC101", "cleaner")]
    assert (diff.old.ignored, diff.new.ignored) == (0, 1)


def test_findings_match_by_key_not_by_line() -> None:
    moved_down = SHOP.replace("AMOUNT", "100").replace("roles:\n", "\n\n\nroles:\n")
    diff = compare(_shop(), _analysis(moved_down))
    assert diff.findings == type(diff.findings)((), (), (), ())
    assert diff.unchanged


def test_an_inversion_whose_net_changes_is_changed_not_added() -> None:
    diff = compare(_shop(100), _shop(250))
    assert diff.inversions_added == diff.inversions_removed == ()
    [change] = diff.inversions_changed
    assert (change.boss, change.subordinate) == ("owner", "cleaner")
    assert (change.before.net, change.after.net) == (100, 250)
    assert diff.findings.added == ()  # the same CC101 (its message changed, its key did not)


TIES = """
clients: [{id: buyers}]
roles:
  - {id: hub}
  - {id: d, reports_to: hub}
  - {id: b, reports_to: hub}
  - {id: c, reports_to: hub}
  - {id: a, reports_to: hub}
  - {id: far, reports_to: hub}
flows:
  - {from: buyers, to: hub, amount: 10}
  - {from: buyers, to: FIRST, amount: 10}
  - {from: buyers, to: b, amount: 10}
  - {from: buyers, to: c, amount: 10}
  - {from: buyers, to: a, amount: 10}
  - {from: buyers, to: far, amount: 10}
"""


def test_largest_changes_first_ties_by_id_and_top_limits() -> None:
    old = _analysis(TIES.replace("FIRST", "d"))
    # a, b, c, d get their money through the hub (0 -> 0.5); `far` through d (0 -> 0.75).
    new_text = TIES.replace("FIRST", "hub")
    for role in "abc":
        new_text = new_text.replace(f"to: {role}, amount", "to: hub, amount", 1)
    new_text = new_text.replace("{from: buyers, to: far", "{from: d, to: far")
    new_text += "  - {from: hub, to: a, amount: 5}\n  - {from: hub, to: b, amount: 5}\n"
    new_text += "  - {from: hub, to: c, amount: 5}\n  - {from: hub, to: d, amount: 5}\n"
    new = _analysis(new_text)
    every = compare(old, new, top=0).roles
    assert [(c.id, c.change) for c in every.changed] == [
        ("far", 0.75),
        ("a", 0.5),
        ("b", 0.5),
        ("c", 0.5),
        ("d", 0.5),
    ]
    assert every.changed_total == 5
    top = compare(old, new, top=2).roles
    assert [c.id for c in top.changed] == ["far", "a"]
    assert (top.changed_total, top.top) == (5, 2)


def test_moves_compare_bosses_by_id() -> None:
    old = _analysis(
        """
        roles:
          - {id: top}
          - {id: x, reports_to: top}
          - {id: y, reports_to: top}
          - {id: z, reports_to: top}
        """
    )
    # Another file order; x moves under a new role, z becomes a top, y stays put.
    new = _analysis(
        """
        roles:
          - {id: z}
          - {id: new-boss, reports_to: top}
          - {id: x, reports_to: new-boss}
          - {id: top}
          - {id: y, reports_to: top}
        """
    )
    roles = compare(old, new).roles
    assert [(m.id, m.before, m.after) for m in roles.moved] == [
        ("x", "top", "new-boss"),
        ("z", "top", None),
    ]
    assert [e.id for e in roles.added] == ["new-boss"]
    assert roles.removed == ()


def test_sides_must_share_a_decay_and_top_is_not_negative() -> None:
    with pytest.raises(ValueError, match="same decay"):
        compare(_shop(), _analysis(SHOP.replace("AMOUNT", "100"), decay=0.7))
    with pytest.raises(ValueError, match="top"):
        compare(_shop(), _shop(), top=-1)


def _cells(line: str) -> list[str]:
    """A GitHub table row's cells: split at pipes that are not escaped."""
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_markdown_cells_are_escaped() -> None:
    odd = SHOP.replace("AMOUNT", "100").replace("cleaner", '"c|l*e<a>n_er"')
    diff: OrgDiff = compare(_shop(), _analysis(odd), top=0)
    text = render_diff_markdown(diff, FailOn.ERROR)
    assert r"c\|l\*e\<a\>n\_er" in text
    assert "<a>" not in text
    for table in re.findall(r"(?m)(?:^\|.*\n)+", text):
        rows = [_cells(line) for line in table.splitlines()]
        assert len({len(r) for r in rows}) == 1, table


def test_inversions_match_across_file_orders() -> None:
    # The cleaner and the owner listed first: other indices for the same pair.
    roles = "  - {id: owner}\n  - {id: seller, reports_to: owner, headcount: 2}\n"
    roles += "  - {id: cleaner, reports_to: owner}\n"
    first = "  - {id: cleaner, reports_to: owner}\n  - {id: owner}\n"
    first += "  - {id: seller, reports_to: owner, headcount: 2}\n"
    reordered = SHOP.replace("AMOUNT", "250").replace(roles, first)
    new = _analysis(reordered)
    assert new.org.role_ids == ("cleaner", "owner", "seller")
    diff = compare(_shop(100), new)
    assert diff.inversions_added == diff.inversions_removed == ()
    assert [(c.before.net, c.after.net) for c in diff.inversions_changed] == [(100, 250)]
    markdown = render_diff_markdown(diff, FailOn.ERROR)
    assert "| owner | cleaner | 100 | 250 | +150 | 1 |" in markdown
    assert compare(_shop(250), new).unchanged
