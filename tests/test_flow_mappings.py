"""List items written as flow mappings (`- {id: r1, reports_to: r0}`), as PyYAML dumps
them with `default_flow_style=None` and scripts write a role a line: on the fast path,
the precise path's Org, lines and all; or handed over to the precise reader; never read
otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientchain.loading.fast.flat_yaml import NotFlatError, read_flat
from clientchain.loading.fast.flow_mappings import block_style
from clientchain.model.org import Org
from tests.test_fastload import assert_same, both

TITLES = [
    "Head of sales",
    "Sales, North",  # a comma: quoted in flow style
    "Ops: EMEA",  # a colon and a space: quoted anywhere
    "O'Brien's team",
    "Why? Because",
    "#1 team",
    "yes",
    "Responsable régional Île-de-France et" + " Kantō" * 12,  # folded past 80 columns
    "Sales, North and" + " Kantō" * 12,  # quoted and folded past 80 columns
    "{braced}",
    "[listed]",
    "a - b",
]


def _chart(roles: int = 40, third: str = "r3") -> dict[str, object]:
    """An org chart with titles of every kind above, ids that read as numbers, lists of
    dotted lines and its flows inline (`third`: the id of role 3)."""
    ids = [f"r{k}" if k % 5 else f"{k:04d}" for k in range(roles)]
    ids[3] = third
    listed = []
    for k, rid in enumerate(ids):
        role: dict[str, object] = {"id": rid, "title": TITLES[k % len(TITLES)]}
        if k:
            role["reports_to"] = ids[(k - 1) // 2]
        if k % 3 == 2:  # (PyYAML writes this role in block style: a title quoted for its
            # ': ' is the precise reader's there; a long one it folds, the flat reader's)
            role["title"] = "Lead of the" + " Kantō" * 14
            role["dotted_to"] = ["hr", "0755"] if k > 2 else ["hr"]
        role["headcount"] = k % 4 + 1
        listed.append(role)
    listed += [{"id": "hr", "title": "People"}, {"id": "0755", "title": "IT"}]  # (outside)
    flows = [{"from": "buyers", "to": rid, "amount": 100 + k} for k, rid in enumerate(ids)]
    flows += [{"from": ids[0], "to": ids[1], "amount": 12.5, "kind": "budget"}]
    return {
        "org": "Flow, style",
        "clients": [{"id": "buyers", "title": "Car buyers"}],
        "roles": listed,
        "flows": flows,
    }


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("width", [80, 40, 10**6])
@pytest.mark.parametrize("sort_keys", [False, True])
def test_an_org_chart_pyyaml_dumps_in_flow_style_is_the_fast_path_s(
    tmp_path: Path, width: int, sort_keys: bool
) -> None:
    """Every mapping of scalars a flow mapping, broken past `width` columns between its
    entries and inside plain values: the precise path's Org, each role on its line."""
    text = yaml.dump(
        _chart(), default_flow_style=None, allow_unicode=True, width=width, sort_keys=sort_keys
    )
    assert "- {" in text
    going_on = [line for line in text.splitlines() if line.endswith("}") and "- {" not in line]
    assert bool(going_on) is (width < 10**6)
    fast, precise = both(_write(tmp_path, text))
    assert isinstance(fast, Org), "a chart PyYAML dumps in flow style is the flat reader's"
    assert_same(fast, precise)


@pytest.mark.parametrize("width", [40, 80, 10**6])
def test_ids_pyyaml_escapes_in_flow_style_are_written_out(tmp_path: Path, width: int) -> None:
    """Beyond ASCII, PyYAML writes an escape in double quotes (and breaks a long value
    past `width` columns, a backslash ending each line): written out as in block style,
    the item's other values as they are."""
    chart = _chart(third="vénte-中")
    text = yaml.dump(chart, default_flow_style=None, allow_unicode=False, width=width)
    assert '"v\\xE9nte-\\u4E2D"' in text
    assert ("\\\n" in text) is (width < 10**6)
    fast, precise = both(_write(tmp_path, text))
    assert isinstance(fast, Org)
    assert_same(fast, precise)


HEAD = (
    "clients:\n  - {id: buyers}\nroles:\n  - id: boss\n    title: Boss\n"
    "  - {id: staff}\n  - {id: hr}\n"
)
# Items as hands and scripts write them, each read on the fast path.
SPELLINGS = {
    "compact": "  - {id: a, reports_to: boss, headcount: 2}\n",
    "no space after commas": "  - {id: a,reports_to: boss,headcount: 2}\n",
    "spaces inside braces": "  - { id: a, reports_to: boss }\n",
    "wide dash": "  -   {id: a, reports_to: boss}\n",
    "spaces around commas": "  - {id: a , reports_to: boss ,  title: x y}\n",
    "comment after": "  - {id: a, reports_to: boss}  # the first\n",
    "trailing spaces": "  - {id: a, reports_to: boss}   \n",
    "broken after a comma": "  - {id: a,\n      reports_to: boss}\n",
    "broken inside a value": "  - {id: a, title: Head of\n      sales, reports_to: boss}\n",
    "broken after the brace": "  - {\n    id: a, reports_to: boss\n    }\n",
    "broken after a colon": "  - {id: a, reports_to:\n      boss}\n",
    "quoted values": "  - {id: 'a', title: \"x, y\", reports_to: boss}\n",
    "quoted keys": '  - {"id": "a", "reports_to": "boss"}\n',
    "a quoted brace": "  - {id: a, title: 'a } b', reports_to: boss}\n",
    "a list": "  - {id: a, reports_to: boss, dotted_to: [staff]}\n",
    "a list of two": "  - {id: a, reports_to: boss, dotted_to: [staff, 'hr']}\n",
    "a null": "  - {id: a, reports_to: boss, title: null}\n",
    "an empty value": "  - {id: a, reports_to: boss, title: }\n",
    "a quote over lines": "  - {id: a, title: 'x  \n      y', reports_to: boss}\n",
    "mixed with block": "  - {id: a, reports_to: boss}\n  - id: b\n    reports_to: a\n",
    "a colon in a value": "  - {id: a, reports_to: boss, title: x:y}\n",
}


@pytest.mark.parametrize("name", sorted(SPELLINGS))
def test_items_as_hands_write_them_are_the_fast_path_s(tmp_path: Path, name: str) -> None:
    text = HEAD + SPELLINGS[name] + "  - {id: c, reports_to: a}\nflows:\n"
    text += "  - {from: buyers, to: a, amount: 10}\n  - {from: a, to: boss, amount: 4.5}\n"
    fast, precise = both(_write(tmp_path, text))
    assert isinstance(fast, Org), name
    assert_same(fast, precise)


# Items the precise reader reads otherwise than their block lines would say, or that
# PyYAML's two readers read apart, or that are no YAML: handed over.
REFUSED = {
    "a query": "  - {id: a, title: Why?, reports_to: boss}\n",
    "an empty value before a comma": "  - {id: a, title:, reports_to: boss}\n",
    "a colon and a space in a value": "  - {id: a, reports_to: boss, title: x: y}\n",
    "a space before a colon": "  - {id : a, reports_to: boss}\n",
    "an empty entry": "  - {id: a,, reports_to: boss}\n",
    "a trailing comma": "  - {id: a, reports_to: boss,}\n",
    "a key alone": "  - {id: a, reports_to: boss, title}\n",
    "a blank line": "  - {id: a,\n\n      reports_to: boss}\n",
    "a line left of the dash": "  - {id: a,\n reports_to: boss}\n",
    "a nested mapping": "  - {id: a, reports_to: {x: boss}}\n",
    "a comment inside": "  - {id: a,  # the first\n      reports_to: boss}\n",
    "a value on after a quote": "  - {id: a, title: 'x' y, reports_to: boss}\n",
    "a double quote over lines": '  - {id: a, title: "x\n      y", reports_to: boss}\n',
    "a blank line in quotes": "  - {id: a, title: 'x\n\n      y', reports_to: boss}\n",
    "unclosed": "  - {id: a, reports_to: boss\n",
    "an entry of no colon": "  - {id: a, reports_to: boss, dotted_to: \n    - {hr}}\n",
    "a key on the line after": "  - {id: a}\n    reports_to: boss\n",
    "a list below an empty value": "  - {id: a, dotted_to: }\n    - hr\n",
    "a line going on after": "  - {id: a, title: x}\n      y\n",
    "a line of spaces inside": "  - {id: a, title: x\n                    \n      y}\n",
    "a key on the line after a quoted brace": "  - {id: a, title: 'x}'}\n    reports_to: boss\n",
    "an item after the close": "  - {id: a, reports_to: boss} - x\n",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_items_beyond_the_fast_reader_are_the_precise_reader_s(tmp_path: Path, name: str) -> None:
    text = HEAD + REFUSED[name] + "  - {id: c, reports_to: boss}\n"
    fast, _ = both(_write(tmp_path, text))
    assert fast is None, name


@pytest.mark.parametrize("flows", [None, "- {from: buyers, to: a, amount: 1\n"])
def test_an_item_never_closed_is_the_precise_reader_s(tmp_path: Path, flows: str | None) -> None:
    """No closing brace in the file at all: handed over, in the org chart or its flows file."""
    text = "roles:\n  - {id: a\n" if flows is None else HEAD + "  - id: a\nflows: flows.yaml\n"
    if flows is not None:
        (tmp_path / "flows.yaml").write_text(flows)
    fast, precise = both(_write(tmp_path, text))
    assert fast is None
    assert not isinstance(precise, Org)


def test_each_line_written_stands_for_the_file_s_line_of_its_key() -> None:
    """Lines of keys after an item's first are the lines they are written on, so a note
    about one names the file's line."""
    text = b"roles:\n- {id: a, title: x,\n    reports_to: b}\n- {id: b}\nx: 1\n"
    restyled = block_style(text)
    assert restyled is not None
    assert restyled.data == b"roles:\n- id: a\n  title: x\n  reports_to: b\n- id: b\nx: 1\n"
    assert restyled.lines.tolist() == [1, 2, 2, 3, 4, 5]
    with pytest.raises(NotFlatError) as refused:  # a key the flat reader refuses, on line 3
        read_flat(b"roles:\n- {id: a, title: x,\n    reports_to: &b b}\n")
    assert refused.value.line == 3


def test_a_file_with_no_flow_mapping_items_is_left_as_it_is() -> None:
    assert block_style(b"roles:\n  - id: a\n    title: '{a}'\n") is None
    assert block_style(b"roles:\n  - id: a\n") is None


WORDS = ["alpha", "beta", "gamma d", "e-f", "g_h", "Île", "中文"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_items_broken_anywhere_load_as_the_precise_reader_reads_them(
    tmp_path: Path, data: st.DataObject
) -> None:
    """Items of any keys and values, broken over lines at any space, spaced any way:
    read as the precise reader reads them, or handed over."""
    items = ["  - {id: boss}"]
    for k in range(data.draw(st.integers(1, 6))):
        fields = [f"id: r{k}", "reports_to: boss"]
        for _ in range(data.draw(st.integers(0, 3))):
            key = data.draw(st.sampled_from(["title", "department", "headcount"]))
            value = " ".join(data.draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
            if key == "headcount":
                value = str(data.draw(st.integers(0, 9)))
            fields.append(f"{key}: {value}")
        order = data.draw(st.permutations(fields))
        separators = [data.draw(st.sampled_from([", ", ",", " , ", ",\n      ", ", \n     "]))]
        text = "{" + data.draw(st.sampled_from(["", " ", "\n      "]))
        for n, field in enumerate(order):
            if n:
                text += data.draw(st.sampled_from([*separators, ", "]))
            if data.draw(st.booleans()) and " " in field.split(": ", 1)[1]:
                head, _, tail = field.rpartition(" ")
                field = head + "\n       " + tail  # broken inside a plain value
            text += field
        text += data.draw(st.sampled_from(["", " ", "\n    "])) + "}"
        items.append("  - " + text)
    path = _write(tmp_path, "clients:\n  - {id: buyers}\nroles:\n" + "\n".join(items) + "\n")
    fast, precise = both(path)
    if fast is not None:
        assert_same(fast, precise)
