"""Flows written as a YAML list of mappings, in the org chart (`flows:`) or in a flows
file, on the fast path: the precise path's Org, or its problems worded the same, or
handed over to the precise reader; never read otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientchain.model.org import Org
from clientchain.model.problems import InputError
from tests.conftest import Run
from tests.test_fastload import assert_same, both

Runner = Callable[..., Run]

ORG = """\
clients:
  - id: buyers
  - id: fleet
roles:
  - id: boss
  - id: seller
    reports_to: boss
  - id: '0755'
    reports_to: boss
"""
FLOWS = """\
  - from: buyers
    to: seller
    amount: 100.50
    kind: sale
  - to: boss
    from: seller
    amount: 40
    note: ~
  - from: fleet
    to: '0755'
    amount: 7
    kind: ''
  - from: '0755'
    amount: .25
    to: boss
"""


def _inline(tmp_path: Path, flows: str = FLOWS) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(ORG + "flows:\n" + flows, encoding="utf-8")
    return path


def _file(tmp_path: Path, flows: str = FLOWS) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text("flows: flows.yaml\n" + ORG, encoding="utf-8")
    (tmp_path / "flows.yaml").write_text(flows, encoding="utf-8")
    return path


WRITTEN = {"inline": _inline, "file": _file}


@pytest.mark.parametrize("written", sorted(WRITTEN))
def test_a_yaml_list_of_flows_loads_on_the_fast_path_as_on_the_precise(
    tmp_path: Path, written: str
) -> None:
    fast, precise = both(WRITTEN[written](tmp_path))
    assert isinstance(fast, Org), "a flat list of flows is the flat reader's"
    assert_same(fast, precise)
    # Independently: the rows as written (roles, then clients, as nodes).
    nodes = ["boss", "seller", "0755", "buyers", "fleet"]
    arrays = (fast.flow_payer.tolist(), fast.flow_payee.tolist(), fast.flow_amount.tolist())
    rows = [(nodes[a], nodes[b], w) for a, b, w in zip(*arrays, strict=True)]
    assert rows == [
        ("buyers", "seller", 100.5),
        ("seller", "boss", 40.0),
        ("fleet", "0755", 7.0),
        ("0755", "boss", 0.25),
    ]
    assert fast.amount_decimals == 2
    assert {name: tuple(fast.flow_extra[name]) for name in fast.flow_extra} == {
        "kind": ("sale", None, "", None),
        "note": (None, "~", None, None),
    }


SLIPS = {
    "an unknown payer": ("from: seller", "from: sellr", "did you mean 'seller'"),
    "into a client": ("to: '0755'", "to: buyers", "into client 'buyers'"),
    "to itself": ("to: boss\n    from: seller", "to: seller\n    from: seller", "seller"),
}


@pytest.mark.parametrize("written", sorted(WRITTEN))
@pytest.mark.parametrize("case", sorted(SLIPS))
def test_a_flow_named_wrongly_is_worded_as_the_precise_reader_words_it(
    tmp_path: Path, case: str, written: str
) -> None:
    """In the org chart's own list by the fast path itself; in a flows file by the
    precise reader's reading of that file (the org chart stays on the fast path)."""
    old, new, said = SLIPS[case]
    assert old in FLOWS
    fast, precise = both(WRITTEN[written](tmp_path, FLOWS.replace(old, new, 1)))
    assert isinstance(precise, InputError)
    assert isinstance(fast, InputError)
    assert fast.problems == precise.problems
    assert said in str(fast)


HANDED_OVER = {
    "a missing to": ("    to: seller\n", ""),
    "a quoted amount": ("amount: 40", "amount: '40'"),
    "an exponent": ("amount: 40", "amount: 4e1"),
    "a negative amount": ("amount: 40", "amount: -40"),
    "a zero amount": ("amount: 40", "amount: 0"),
    "a misspelt key": ("    to: seller\n", "    too: seller\n"),
    "a list": ("    note: ~\n", "    note: [a, b]\n"),
    "a nested mapping": ("    note: ~\n", "    note:\n      a: b\n"),
}


@pytest.mark.parametrize("written", sorted(WRITTEN))
@pytest.mark.parametrize("case", sorted(HANDED_OVER))
def test_a_list_of_flows_beyond_the_flat_reader_is_the_precise_reader_s(
    tmp_path: Path, case: str, written: str
) -> None:
    old, new = HANDED_OVER[case]
    assert old in FLOWS
    fast, precise = both(WRITTEN[written](tmp_path, FLOWS.replace(old, new, 1)))
    if written == "inline":  # the whole org chart is then the precise reader's
        assert fast is None
    else:  # the file is read by the precise reader: its problems, or its rows
        assert fast is not None
        assert_same(fast, precise)


@pytest.mark.parametrize("written", sorted(WRITTEN))
@pytest.mark.parametrize("key", ["count", "tone", "fromage"])
def test_a_key_two_edits_from_one_written_beside_it_is_metadata_on_both_paths(
    tmp_path: Path, key: str, written: str
) -> None:
    fast, precise = both(WRITTEN[written](tmp_path, FLOWS.replace("note: ~", f"{key}: 3")))
    assert isinstance(fast, Org), "every item has its from, to and amount: no key is misspelt"
    assert_same(fast, precise)
    assert tuple(fast.flow_extra[key]) == (None, "3", None, None)


@pytest.mark.parametrize("written", sorted(WRITTEN))
@pytest.mark.parametrize(
    ("key", "meant"), [("amont", "amount"), ("Amount", "amount"), ("froms", "from")]
)
def test_a_key_that_spells_one_beside_it_again_is_a_problem_on_both_paths(
    tmp_path: Path, key: str, meant: str, written: str
) -> None:
    """One edit from it, or it in another case: one of the two values would be lost."""
    fast, precise = both(WRITTEN[written](tmp_path, FLOWS.replace("note: ~", f"{key}: 3")))
    assert isinstance(precise, InputError)
    assert [p.message for p in precise.problems] == [
        f"unknown key '{key}' in a flow is not used (did you mean '{meant}'?)"
    ]
    assert fast is None or (isinstance(fast, InputError) and fast.problems == precise.problems)


def test_a_flows_file_with_document_markers_is_the_fast_path_s(tmp_path: Path) -> None:
    """`yaml.dump(explicit_start=True, explicit_end=True)` of the flows: read as without."""
    fast, precise = both(_file(tmp_path, "--- # the flows\n" + FLOWS + "...\n"))
    assert isinstance(fast, Org)
    assert_same(fast, precise)


def test_the_org_chart_s_own_flows_come_before_the_command_line_s(tmp_path: Path) -> None:
    path = _inline(tmp_path)
    extra = tmp_path / "more.csv"
    extra.write_text("from,to,amount\nbuyers,boss,3\n", encoding="utf-8")
    fast, precise = both(path, [extra])
    assert isinstance(fast, Org)
    assert_same(fast, precise)
    assert fast.flow_files == (str(path), str(extra))


def test_analyze_reads_a_flows_file_written_in_yaml(run: Runner, tmp_path: Path) -> None:
    path = _file(tmp_path)
    result = run("analyze", str(path), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    roles = {role["id"]: role for role in json.loads(result.stdout)["roles"]}
    assert roles["seller"]["inflow"] == 100.5
    assert roles["boss"]["inflow"] == 40.25


IDS = ["boss", "seller", "0755", "buyers", "fleet", "zz"]
PLAIN = ["1", "40", "100.50", ".5", "7.", "2.125"]  # amounts the fast path reads
AMOUNTS = st.sampled_from([*PLAIN, "0", "-3", "1e3", "'5'"])


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_generated_lists_of_flows_load_alike_on_both_paths(
    tmp_path: Path, data: st.DataObject
) -> None:
    """Rows naming any id (now and then none known, a client as payee, a role paying
    itself), any amount, keys in any order, metadata now and then: the same Org or
    problems, or handed over; a list of sound rows is never handed over."""
    items = []
    sound = True
    for _ in range(data.draw(st.integers(1, 5))):
        fields = {
            "from": data.draw(st.sampled_from(IDS)),
            "to": data.draw(st.sampled_from(IDS)),
            "amount": data.draw(AMOUNTS),
        }
        if data.draw(st.booleans()):
            fields["kind"] = data.draw(st.sampled_from(["sale", "~", "''", "recharge"]))
        sound &= fields["amount"] in PLAIN
        order = data.draw(st.permutations(list(fields)))
        lines = [f"{key}: {_quoted(fields[key])}" for key in order]
        items.append("  - " + "\n    ".join(lines) + "\n")
    flows = "".join(items)
    written = data.draw(st.sampled_from(sorted(WRITTEN)))
    fast, precise = both(WRITTEN[written](tmp_path, flows))
    if fast is None:
        assert written == "inline" and not sound, flows
        return
    assert_same(fast, precise)


def _quoted(text: str) -> str:
    """An id as PyYAML writes it (one that would read as a number, quoted)."""
    return f"'{text}'" if text == "0755" else text


def test_a_yaml_flows_file_named_twice_is_a_problem_not_money_counted_twice(
    tmp_path: Path,
) -> None:
    path = _file(tmp_path)
    fast, precise = both(path, [tmp_path / "flows.yaml"])
    assert isinstance(precise, InputError)
    assert "named twice" in str(precise)
    assert fast is None, "the precise path's to word (never its money twice)"


@pytest.mark.parametrize("order", ["yaml first", "csv first"])
def test_metadata_of_sources_with_and_without_it_stays_row_by_row(
    tmp_path: Path, order: str
) -> None:
    """A list of flows with no key beyond the three, beside a CSV with a `kind`: each
    row keeps its own (None where its source has none)."""
    plain = "  - from: seller\n    to: boss\n    amount: 5\n"
    csv = tmp_path / "more.csv"
    csv.write_text("from,to,amount,kind\nbuyers,seller,3,sale\n", encoding="utf-8")
    yaml_file = tmp_path / "more.yaml"
    yaml_file.write_text(plain, encoding="utf-8")
    path = tmp_path / "org.yaml"
    path.write_text(ORG, encoding="utf-8")
    extra = [yaml_file, csv] if order == "yaml first" else [csv, yaml_file]
    fast, precise = both(path, extra)
    assert isinstance(fast, Org)
    assert_same(fast, precise)
    kinds = tuple(fast.flow_extra["kind"])
    assert kinds == ((None, "sale") if order == "yaml first" else ("sale", None))
    inline = _inline(tmp_path, plain)
    fast, precise = both(inline, [csv])
    assert isinstance(fast, Org)
    assert_same(fast, precise)
    assert tuple(fast.flow_extra["kind"]) == (None, "sale")


@pytest.mark.parametrize("written", ["to:", "to: ", "to:   ", "to:  # none"])
def test_an_id_written_as_nothing_is_worded_where_the_precise_reader_puts_it(
    tmp_path: Path, written: str
) -> None:
    flows = FLOWS.replace("to: seller", written, 1)
    fast, precise = both(_inline(tmp_path, flows))
    assert isinstance(precise, InputError)
    if fast is not None:
        assert isinstance(fast, InputError)
        assert fast.problems == precise.problems


@pytest.mark.parametrize("written", sorted(WRITTEN))
@pytest.mark.parametrize("null", ["null", "~", "Null", "NULL", ""])
def test_a_null_payer_or_payee_is_a_problem_as_a_null_id_is(
    tmp_path: Path, written: str, null: str
) -> None:
    """`from: null` names no one, as `id: null` and `reports_to: ~` do: it is not the id
    'null' (that is written in quotes)."""
    flows = FLOWS.replace("from: fleet", f"from: {null}", 1).replace("to: boss", f"to: {null}", 1)
    fast, precise = both(WRITTEN[written](tmp_path, flows))
    assert isinstance(precise, InputError)
    assert fast is None or (isinstance(fast, InputError) and fast.problems == precise.problems)
    said = [p.message for p in precise.problems]
    assert said == [
        "flow 'to' is null: write the payee's id",
        "flow 'from' is null: write the payer's id",
    ]


def test_a_quoted_null_is_an_id(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(
        ORG.replace("  - id: boss\n", "  - id: boss\n  - id: 'null'\n    reports_to: boss\n")
        + "flows:\n  - from: fleet\n    to: 'null'\n    amount: 3\n",
        encoding="utf-8",
    )
    fast, precise = both(path)
    assert isinstance(precise, Org) and fast is not None
    assert_same(fast, precise)
    assert precise.flow_payee.tolist() == [precise.role_ids.index("null")]
