"""Loading: every problem of a bad input reported at once, at its place; good input kept whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import clientchain
from clientchain.model.problems import InputError

Write = Callable[[str, str], Path]


def problems_of(path: Path, flows: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(InputError) as caught:
        clientchain.load(path, flows)
    return [str(p) for p in caught.value.problems]


def test_a_good_org_loads_in_file_order(write: Write) -> None:
    org = clientchain.load(
        write(
            "org.yaml",
            """
            org: Shop
            currency: EUR
            clients: [{id: buyers, title: Buyers}]
            roles:
              - {id: owner}
              - {id: seller, reports_to: owner, headcount: 4, department: sales, badge: red}
            flows:
              - {from: buyers, to: seller, amount: 100.25}
              - {from: seller, to: owner, amount: 50}
            """,
        )
    )
    assert org.name == "Shop"
    assert org.currency == "EUR"
    assert org.role_ids == ("owner", "seller")
    assert org.parent.tolist() == [-1, 0]
    assert org.headcount.tolist() == [1, 4]
    assert org.role_departments == (None, "sales")
    assert org.role_extra == {1: {"badge": "red"}}  # unknown keys are kept
    assert org.flow_payer.tolist() == [2, 1]  # the client is node R + 0
    assert org.flow_amount.tolist() == [100.25, 50.0]
    assert org.amount_decimals == 2


def test_every_problem_is_reported_in_one_pass_sorted_by_position(write: Write) -> None:
    path = write(
        "org.yaml",
        """
        clients: [{id: buyers}]
        roles:
          - {id: owner, reports_to: selr}
          - {id: seller, reports_to: owner, headcount: -1}
          - {id: owner}
          - {id: a, reports_to: buyers}
        flows:
          - {from: buyers, to: seller, amount: "100"}
          - {from: seler, to: owner, amount: 5}
          - {from: seller, to: buyers, amount: 5}
          - {from: seller, to: seller, amount: 5}
          - {from: buyers, to: owner, amount: .nan}
        """,
    )
    assert problems_of(path) == [
        f"{path}:3:29: reports_to: unknown role 'selr'",  # two slips in six letters: no guess
        f"{path}:4:48: headcount must be a finite number >= 0 (0 = vacant), found '-1'",
        f"{path}:5:10: duplicate id 'owner' (first at line 3);"
        " ids must be unique across roles and clients",
        f"{path}:6:25: reports_to names client 'buyers'; a role can only report to a role",
        f"{path}:8:40: amount '100' is quoted text; write the number without quotes",
        f"{path}:9:12: flow from unknown id 'seler' (did you mean 'seller'?)",
        f"{path}:10:24: flow into client 'buyers':"
        " money flows from clients to roles, never into a client",
        f"{path}:11:24: flow from 'seller' to itself",
        f"{path}:12:39: amount '.nan' is not a finite number",
    ]


def test_hierarchy_cycles_name_every_role_on_them(write: Write) -> None:
    path = write(
        "org.yaml",
        """
        roles:
          - {id: a, reports_to: c}
          - {id: b, reports_to: a}
          - {id: c, reports_to: b}
          - {id: d, reports_to: d}
          - {id: e, reports_to: a}
        """,
    )
    assert problems_of(path) == [
        f"{path}:2:25: reporting cycle: a -> c -> b -> a",
        f"{path}:5:25: role 'd' reports to itself",
    ]


def test_flows_from_csv_file_and_command_line_are_combined(write: Write, tmp_path: Path) -> None:
    write(
        "flows.csv", "from,to,amount,kind\r\nbuyers,seller,100,sale\r\nseller,owner,40,revenue\r\n"
    )
    extra = write("more.yaml", "- {from: buyers, to: seller, amount: 0.5, note: tips}\n")
    path = write(
        "org.yaml",
        """
        flows: flows.csv
        clients: [{id: buyers}]
        roles: [{id: owner}, {id: seller, reports_to: owner}]
        """,
    )
    org = clientchain.load(path, [str(extra)])
    assert org.flow_count == 3
    assert org.flow_amount.tolist() == [100.0, 40.0, 0.5]
    assert org.flow_extra == {"kind": ("sale", "revenue", None), "note": (None, None, "tips")}
    assert org.flow_files == (str(tmp_path / "flows.csv"), str(extra))


def test_csv_with_bom_and_problems_per_row(write: Write, tmp_path: Path) -> None:
    (tmp_path / "flows.csv").write_bytes(
        b"\xef\xbb\xbffrom,to,amount\nbuyers,seller,\nbuyers,seller,abc\nbuyers,seller,0\n"
        b"buyers,seller,-3\nbuyers,seller,inf\nbuyers,seller\nbuyers,seller,7\n"
    )
    path = write("org.yaml", "flows: flows.csv\nclients: [{id: buyers}]\nroles: [{id: seller}]\n")
    shown = tmp_path / "flows.csv"
    assert problems_of(path) == [
        f"{shown}:2:15: amount is empty; write a number greater than 0",
        f"{shown}:3:15: amount 'abc' is not a number",
        f"{shown}:4:15: amount 0 must be greater than 0",
        f"{shown}:5:15: amount -3 must be greater than 0",
        f"{shown}:6:15: amount 'inf' is not a finite number",
        f"{shown}:7:1: row has 2 fields, the header has 3",
    ]


def test_csv_without_required_columns_says_what_it_found(write: Write) -> None:
    write("flows.csv", "source,to,value\nbuyers,seller,1\n")
    path = write("org.yaml", "flows: flows.csv\nclients: [{id: buyers}]\nroles: [{id: seller}]\n")
    (message,) = problems_of(path)
    assert message.endswith(
        "flows.csv:1:1: missing columns from, amount in the header (found 'source', 'to',"
        " 'value'); a flows CSV needs from, to, amount"
    )


@pytest.mark.parametrize(
    ("header", "row", "said"),
    [
        (
            "from,to,amount,amount",
            "buyers,seller,100,5",
            "1:16: column 'amount' is named twice in the header (columns 3 and 4)",
        ),
        (
            "from,to,Amount,AMOUNT",
            "buyers,seller,100,5",
            "1:16: column 'AMOUNT' is named twice in the header (columns 3 and 4)",
        ),
        (
            "from,to,amount,from",
            "buyers,seller,100,boss",
            "1:16: column 'from' is named twice in the header (columns 1 and 4)",
        ),
        (
            'from,to,amount,kind,"kind"',
            "buyers,seller,100,a,b",
            "1:21: column 'kind' is named twice in the header (columns 4 and 5)",
        ),
    ],
)
def test_a_column_named_twice_is_a_problem_not_a_column_lost(
    write: Write, header: str, row: str, said: str
) -> None:
    """The fast reader hands such a file to the precise one, which says where."""
    write("flows.csv", f"{header}\n{row}\n")
    path = write(
        "org.yaml", "flows: flows.csv\nclients: [{id: buyers}]\nroles: [{id: seller}, {id: boss}]\n"
    )
    (message,) = problems_of(path)
    assert message.endswith(f"flows.csv:{said}: one of the two would be lost")


@pytest.mark.parametrize(
    ("column", "meant"), [("amout", "amount"), ("form", "from"), ("amount2", "amount")]
)
def test_a_column_that_misspells_one_beside_it_is_a_problem(
    write: Write, column: str, meant: str
) -> None:
    """As a flow's keys are judged: one edit from from, to or amount, beside it."""
    write("flows.csv", f"from,to,amount,{column}\nbuyers,seller,100,5\n")
    path = write("org.yaml", "flows: flows.csv\nclients: [{id: buyers}]\nroles: [{id: seller}]\n")
    (message,) = problems_of(path)
    assert message.endswith(
        f"flows.csv:1:16: column '{column}' is not used (did you mean '{meant}'?)"
    )


def test_columns_two_edits_or_more_from_the_known_ones_are_metadata(write: Write) -> None:
    write("flows.csv", "from,to,amount,month,kind,amount_usd\nbuyers,seller,100,5,sale,110\n")
    path = write("org.yaml", "flows: flows.csv\nclients: [{id: buyers}]\nroles: [{id: seller}]\n")
    org = clientchain.load(path)
    assert sorted(org.flow_extra) == ["amount_usd", "kind", "month"]


def test_columns_that_differ_in_case_or_have_no_name_are_all_kept(write: Write) -> None:
    write("flows.csv", "from,to,amount,Kind,kind,,\nbuyers,seller,100,a,b,,\n")
    path = write("org.yaml", "flows: flows.csv\nclients: [{id: buyers}]\nroles: [{id: seller}]\n")
    org = clientchain.load(path)
    assert org.flow_amount.tolist() == [100.0]
    assert {name: tuple(org.flow_extra[name]) for name in ("Kind", "kind")} == {
        "Kind": ("a",),
        "kind": ("b",),
    }


def test_missing_flows_file_is_reported_where_it_is_named(write: Write, tmp_path: Path) -> None:
    path = write("org.yaml", "roles: [{id: a}]\nflows: nowhere.csv\n")
    assert problems_of(path, (str(tmp_path / "also-missing.csv"),)) == [
        f"{tmp_path / 'also-missing.csv'}: file not found",
        f"{path}:2:8: file not found: {tmp_path / 'nowhere.csv'}",
    ]


def test_structure_problems(write: Write) -> None:
    assert problems_of(write("a.yaml", "")) == [
        f"{write('a.yaml', '')}:1:1: empty org chart: expected a mapping with 'roles'"
    ]
    path = write("b.yaml", "roles: {id: a}\n")
    assert problems_of(path) == [f"{path}:1:8: 'roles' must be a list of mappings, found a mapping"]
    path = write("c.yaml", "roles:\n  - just-text\n  - {title: no id}\n  - {id: [x]}\n")
    assert problems_of(path) == [
        f"{path}:2:5: each role must be a mapping with an 'id', found a scalar",
        f"{path}:3:5: role has no 'id'",
        f"{path}:4:10: role id must be plain text, not a list",
    ]


@pytest.mark.parametrize(
    "value", ['"3"', "true", "-1", "-0.5", "[1]", ".inf", ".nan", "1_000", "0x10", "2,5"]
)
def test_headcount_must_be_a_finite_number_not_below_0(write: Write, value: str) -> None:
    path = write("org.yaml", f"roles:\n  - id: a\n    headcount: {value}\n")
    (message,) = problems_of(path)
    assert message.startswith(f"{path}:3:16: headcount must be a finite number >= 0")


def test_ids_that_yaml_11_would_coerce_stay_literal(write: Write) -> None:
    path = write(
        "org.yaml",
        """
        clients: [{id: on}]
        roles:
          - {id: no}
          - {id: 0755, reports_to: no}
          - {id: 2024-01-01, reports_to: 0755}
        flows: [{from: on, to: 2024-01-01, amount: 1e3}]
        """,
    )
    org = clientchain.load(path)
    assert org.role_ids == ("no", "0755", "2024-01-01")
    assert org.client_ids == ("on",)
    assert org.parent.tolist() == [-1, 0, 1]
    assert np.array_equal(org.flow_amount, [1000.0])


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        ("1e300", "larger than the largest supported amount"),
        ("0.000000000000001", "smaller than the smallest supported amount"),
    ],
)
def test_amounts_outside_the_supported_range_are_refused(
    write: Write, amount: str, why: str
) -> None:
    path = write(
        "org.yaml",
        f"clients: [{{id: c}}]\nroles: [{{id: x}}]\n"
        f"flows: [{{from: c, to: x, amount: {amount}}}]\n",
    )
    (message,) = problems_of(path)
    assert why in message


def test_an_absurd_headcount_is_refused_not_overflowed(write: Write) -> None:
    path = write("org.yaml", "roles: [{id: x, headcount: 99999999999999999999999}]\n")
    (message,) = problems_of(path)
    assert "larger than the largest supported" in message
