"""A flows CSV keeps every id as written: only the spaces typed around a cell are
trimmed; line breaks, controls and very long cells are data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from clientchain import InputError, load

ODD = [
    "\t#3",
    "#3\t",
    "\r#3",
    "a\u2028b",
    "a\x85b",
    "\x0bx",
    "x\x0c",
    "\u00a0nbsp\u00a0",
    "\u3000wide",
    "q\nq",
]


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def write(tmp_path: Path, role: str, csv_role: str) -> Path:
    org = tmp_path / "org.yaml"
    quoted = role.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    org.write_text(
        f'clients: [{{id: buyers}}]\nroles:\n  - id: owner\n  - id: "{quoted}"\n'
        "    reports_to: owner\nflows: flows.csv\n",
        encoding="utf-8",
    )
    (tmp_path / "flows.csv").write_text(
        f"from,to,amount\nbuyers,{csv_role},100\n{csv_role},owner,60\n",
        encoding="utf-8",
        newline="",
    )
    return org


@pytest.mark.parametrize("role", ODD, ids=ascii)
def test_an_id_with_odd_characters_matches_its_quoted_csv_cell(tmp_path: Path, role: str) -> None:
    org = load(write(tmp_path, role, csv_cell(role)))
    assert org.role_ids == ("owner", role)
    assert org.flow_payee.tolist() == [1, 0]


def test_spaces_around_a_cell_are_trimmed(tmp_path: Path) -> None:
    org = load(write(tmp_path, "seller", "  seller "))
    assert org.flow_payee.tolist() == [1, 0]


def test_a_cell_longer_than_the_csv_modules_limit_is_read_whole(tmp_path: Path) -> None:
    role = "r" * 300_000  # the csv module refuses 131,072 characters by default
    before = csv.field_size_limit()
    org = load(write(tmp_path, role, role))
    assert org.role_ids[1] == role and org.flow_payee.tolist() == [1, 0]
    assert csv.field_size_limit() == before  # the process-wide limit is put back


def test_a_problem_after_a_unicode_line_separator_keeps_its_line(tmp_path: Path) -> None:
    """str.splitlines splits at U+2028; the csv module does not: positions follow the csv."""
    org = tmp_path / "org.yaml"
    org.write_text("roles:\n  - id: owner\nflows: flows.csv\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        'from,to,amount\n"a\u2028b",owner,5\nb,owner,x\n', encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        load(org)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'flows.csv'}:2:1: flow from unknown id 'a\\u2028b'",
        f"{tmp_path / 'flows.csv'}:3:9: amount 'x' is not a number",
    ]
