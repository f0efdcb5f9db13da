"""Plain values PyYAML folds over lines in block style (past its width of 80 columns):
on the fast path, joined on their keys' lines, the precise path's Org, lines and all;
or handed over to the precise reader; never read otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from clientchain.loading.fast.folded_values import joined
from clientchain.model.org import Org
from tests.test_fastload import assert_same, both

LONG = "Deputy Director, Strategy and Planning, Office of the Permanent Secretary for Kantō"


def _chart(title: str = LONG) -> dict[str, object]:
    roles: list[dict[str, object]] = [{"id": "boss", "title": title, "department": title}]
    for k in range(6):
        role: dict[str, object] = {"id": f"r{k}", "reports_to": "boss", "title": f"{title} {k}"}
        if k % 2:
            role["dotted_to"] = ["hr"]
        roles.append(role)
    roles.append({"id": "hr", "title": "People"})
    flows = [{"from": "buyers", "to": f"r{k}", "amount": 10 + k} for k in range(6)]
    return {"org": f"The {title}", "clients": [{"id": "buyers"}], "roles": roles, "flows": flows}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("width", [30, 80])
@pytest.mark.parametrize("indent", [2, 4])
def test_values_pyyaml_folds_are_the_fast_path_s(tmp_path: Path, width: int, indent: int) -> None:
    """Titles, departments and the org's name broken at spaces past `width` columns, each
    line indented past its key: the precise path's Org, each role on its line."""
    text = yaml.dump(_chart(), allow_unicode=True, width=width, indent=indent, sort_keys=False)
    assert any(":" not in line and "- " not in line for line in text.splitlines())
    fast, precise = both(_write(tmp_path, text))
    assert isinstance(fast, Org), "values PyYAML folds are the flat reader's"
    assert_same(fast, precise)


def test_a_slip_in_a_file_with_folded_values_is_worded_by_the_precise_reader(
    tmp_path: Path,
) -> None:
    """The text read is not the file's past a joined value: problems are the precise
    reader's, at their lines and columns."""
    chart = _chart()
    chart["roles"][3]["reports_to"] = "bos"  # type: ignore[index]
    text = yaml.dump(chart, allow_unicode=True, width=40, sort_keys=False)
    fast, precise = both(_write(tmp_path, text))
    assert fast is None and not isinstance(precise, Org)


def test_each_value_is_joined_on_its_key_s_line_which_stands_for_the_file_s() -> None:
    text = b"org: a b  \n  c  \n   d\nroles:\n  - id: x\n    title: e\n      f\n"
    folded = joined(text)
    assert folded is not None
    assert folded.data == b"org: a b c d\nroles:\n  - id: x\n    title: e f\n"
    assert folded.lines.tolist() == [1, 4, 5, 6]
    assert joined(b"org: a\nroles:\n  - id: x\n") is None  # (none folded)


@pytest.mark.parametrize("going_on", ["& Co", "'c'", '"c" d', "*c", "@c", "|c"])
def test_a_line_going_on_with_an_indicator_s_byte_is_text(tmp_path: Path, going_on: str) -> None:
    """PyYAML breaks a title before any word ("R&D" and "& Co" alike): a line going on
    with `&`, a quote and the like is text to YAML as to the fast path."""
    text = "roles:\n  - id: boss\n    title: a b\n      " + going_on + "\n  - id: c\n"
    fast, precise = both(_write(tmp_path, text))
    assert isinstance(fast, Org)
    assert_same(fast, precise)
    assert fast.role_titles[0] == "a b " + going_on


def test_double_quoted_values_broken_over_lines_are_left_to_the_escapes_reader(
    tmp_path: Path,
) -> None:
    """PyYAML's default (allow_unicode=False) breaks a long value beyond ASCII in double
    quotes, a backslash ending each line, beside plain values it folds: both read."""
    text = yaml.dump(_chart(LONG.replace("Kantō", "Kantō " + "é" * 40)), width=80)
    assert "\\\n" in text and any(":" not in line for line in text.splitlines())
    fast, precise = both(_write(tmp_path, text))
    assert isinstance(fast, Org)
    assert_same(fast, precise)


REFUSED = {
    "a comment after the value": "    title: a b  # x\n      c\n",
    "a comment going on": "    title: a b\n      c # x\n",
    "a blank line between": "    title: a b\n\n      c\n",
    "not past the key": "    title: a b\n    c\n",
    "a quoted value": "    title: 'a b\n      c'\n",
    "an empty value": "    title:\n      c\n",
    "a dash going on": "    title: a b\n      - c\n",
    "a bracket going on": "    title: a b\n      [c]\n",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_lines_going_on_otherwise_are_the_precise_reader_s(tmp_path: Path, name: str) -> None:
    text = "roles:\n  - id: boss\n" + REFUSED[name] + "  - id: clerk\n    reports_to: boss\n"
    fast, _ = both(_write(tmp_path, text))
    assert fast is None, name
