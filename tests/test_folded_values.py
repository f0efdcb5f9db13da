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


REFUSED = {
    "a comment after the value": "    title: a b  # x\n      c\n",
    "a comment going on": "    title: a b\n      c # x\n",
    "a blank line between": "    title: a b\n\n      c\n",
    "not past the key": "    title: a b\n    c\n",
    "a quoted value": "    title: 'a b\n      c'\n",
    "an empty value": "    title:\n      c\n",
    "a dash going on": "    title: a b\n      - c\n",
    "a quote going on": "    title: a b\n      'c'\n",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_lines_going_on_otherwise_are_the_precise_reader_s(tmp_path: Path, name: str) -> None:
    text = "roles:\n  - id: boss\n" + REFUSED[name] + "  - id: clerk\n    reports_to: boss\n"
    fast, _ = both(_write(tmp_path, text))
    assert fast is None, name
