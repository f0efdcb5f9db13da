"""Lists of ids (`dotted_to: [finance, sales]`, or a `- id` line each) on the fast
path: read as YAML reads them, into the precise path's Org, with its problems worded
the same; anything but plain or simply quoted ids, or a list where SPEC wants one id,
handed over to the precise reader."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientchain.loading.fast.flat_yaml import NotFlatError, read_flat
from clientchain.loading.scalars import NULLS
from clientchain.model.org import Org
from clientchain.model.problems import InputError
from tests.conftest import Run
from tests.test_fastload import assert_same, both

Runner = Callable[..., Run]

# Ids a hand writes, spaces inside now and then (YAML keeps those), and the spacing
# around the commas and brackets (YAML keeps none of it).
IDS = st.from_regex(
    r"[a-zé€0-9_][a-zé€—£0-9_. -]{0,6}[a-zé—0-9_.]|[a-zé0-9]", fullmatch=True
).filter(lambda text: text not in NULLS)
GAPS = st.sampled_from(["", " ", "  "])


@st.composite
def flow_lists(draw: st.DrawFn) -> str:
    ids = draw(st.lists(IDS, max_size=4))
    if not ids:
        return "[" + draw(GAPS) + "]"
    quotes = [draw(st.sampled_from(["", "", "'", '"'])) for _ in ids]  # PyYAML's, now and then
    items = [draw(GAPS) + q + i + q + draw(GAPS) for q, i in zip(quotes, ids, strict=True)]
    return "[" + ",".join(items) + "]"


@settings(max_examples=300, deadline=None)
@given(values=st.lists(flow_lists(), min_size=1, max_size=4), spaces=GAPS)
def test_a_flow_list_s_ids_are_those_yaml_reads(values: list[str], spaces: str) -> None:
    """Against PyYAML's reading of the same document (every scalar as its text, as ids
    are read): each list's ids, in order."""
    lines = ["roles:"]
    for k, value in enumerate(values):
        lines += [f"  - id: r{k}", f"    dotted_to: {value}{spaces}"]
    text = "\n".join(lines) + "\n"
    expected = [role["dotted_to"] for role in yaml.load(text, Loader=yaml.BaseLoader)["roles"]]
    column = read_flat(text.encode()).lists["roles"].columns["dotted_to"].items_listed()
    data = text.encode()
    read: list[list[str]] = [[] for _ in values]
    for item, start, end in zip(column.items, column.start, column.end, strict=True):
        read[int(item)].append(data[start:end].decode())
    assert read == expected


@pytest.mark.parametrize(
    "value",
    [
        "[a, 'b, c']",
        "[a, 'b]",
        "[a, 'b' c]",
        "['it''s']",
        "[a, '']",
        "[a, [b]]",
        "[a, ~]",
        "[null]",
        "[a,]",
        "[, a]",
        "[a,, b]",
        "[a, *x]",
        "[a, &x b]",
        "[a, !t b]",
        "[a, -b]",
        "[a, |b]",
        "[a, b",
        "[a] b",
        "[a, b]]",
        "[a, {b}]",
        "[a?b]",
    ],
)
def test_a_flow_list_beyond_plain_ids_is_not_flat(value: str) -> None:
    text = f"roles:\n  - id: r\n    dotted_to: {value}\n"
    with pytest.raises(NotFlatError) as caught:
        read_flat(text.encode())
    assert caught.value.line == 3


def test_a_flow_list_at_the_top_level_is_not_flat() -> None:
    with pytest.raises(NotFlatError):
        read_flat(b"org: x\nroles: []\n")


CHART = """\
clients:
  - id: buyers
  - id: fleet
    owner: seller
roles:
  - id: ceo
  - id: finance
    reports_to: ceo
  - id: sales
    reports_to: ceo
    serves: [buyers , fleet]
  - id: seller
    reports_to: sales
    dotted_to: [finance]
    serves: [fleet, finance, ceo]
  - id: clerk
    reports_to: finance
    dotted_to: [sales,seller]   # two dotted-line bosses
    serves: []
  - id: analyst
    reports_to: finance
    dotted_to: sales
"""
TEMP = "  - id: temp\n    reports_to: seller\n"  # a role added last, with a slip


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _dumped(tmp_path: Path, text: str, indent: int = 2) -> Path:
    """CHART (with any changes) as PyYAML dumps it: its lists as block lists."""
    path = tmp_path / "org.yaml"
    dumped = yaml.dump(yaml.safe_load(text), sort_keys=False, indent=indent)
    path.write_text(dumped, encoding="utf-8")
    return path


def test_flow_lists_of_ids_load_on_the_fast_path_as_on_the_precise(tmp_path: Path) -> None:
    fast, precise = both(_write(tmp_path, CHART))
    assert isinstance(fast, Org), "flow lists of plain ids are the flat reader's"
    assert_same(fast, precise)
    # Independently: each role's nodes as the chart names them (roles, then clients).
    nodes = ["ceo", "finance", "sales", "seller", "clerk", "analyst", "buyers", "fleet"]
    dotted = {"seller": ["finance"], "clerk": ["sales", "seller"], "analyst": ["sales"]}
    served = {"sales": ["buyers", "fleet"], "seller": ["fleet", "finance", "ceo"]}
    for links, named in ((fast.dotted, dotted), (fast.serves, served)):
        for role, rid in enumerate(nodes[:6]):
            assert [nodes[n] for n in links.of(role)] == named.get(rid, [])


SLIPS = {
    "an unknown id": ("    dotted_to: [finance, finanse]\n", "finanse"),
    "a client as dotted-line boss": ("    dotted_to: [buyers, finance]\n", "buyers"),
    "itself": ("    serves: [buyers, temp]\n", "itself"),
    "along the hierarchy": ("    dotted_to: [finance, ceo]\n", "above"),
    "both ways": ("    dotted_to: [finance, clerk]\n", "each other"),
    "an unknown served id": ("    serves: [fleet, byers]\n", "byers"),
}


@pytest.mark.parametrize("layout", ["flow", "block"])
@pytest.mark.parametrize("case", sorted(SLIPS))
def test_a_slip_in_a_list_is_worded_as_the_precise_reader_words_it(
    tmp_path: Path, case: str, layout: str
) -> None:
    """In a flow list as written, or in the block lists PyYAML dumps of it."""
    added, said = SLIPS[case]
    text = CHART + TEMP + added
    if case == "both ways":  # clerk names temp, temp (written second) names clerk
        text = text.replace("[sales,seller]", "[sales,seller,temp]")
    fast, precise = both(_write(tmp_path, text) if layout == "flow" else _dumped(tmp_path, text))
    assert isinstance(precise, InputError)
    assert isinstance(fast, InputError), "a slip the fast path words itself"
    assert fast.problems == precise.problems
    assert said in str(fast)


HANDED_OVER = {
    "an id twice": ("    serves: [", "    serves: [fleet, "),
    "two unknown ids": ("    serves: []", "    serves: [zz1, zz2]"),
    "a list as boss": (
        "reports_to: finance\n    dotted_to: [",
        "reports_to: [ceo]\n    dotted_to: [",
    ),
    "a list as title": ("  - id: ceo\n", "  - id: ceo\n    title: [chief]\n"),
    "a list as headcount": ("  - id: ceo\n", "  - id: ceo\n    headcount: [2]\n"),
    "a list as owner": ("    owner: seller", "    owner: [seller]"),
    "a list in a key of one's own": ("  - id: ceo\n", "  - id: ceo\n    tags: [board]\n"),
    "a client's serves": ("  - id: buyers\n", "  - id: buyers\n    serves: [ceo]\n"),
}


@pytest.mark.parametrize("case", sorted(HANDED_OVER))
def test_a_list_the_fast_path_does_not_read_goes_to_the_precise_reader(
    tmp_path: Path, case: str
) -> None:
    old, new = HANDED_OVER[case]
    assert old in CHART
    fast, precise = both(_write(tmp_path, CHART.replace(old, new, 1)))
    assert fast is None
    assert isinstance(precise, (Org, InputError))


def test_analyze_lists_every_dotted_line_of_a_flow_list(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    path = _write(tmp_path, CHART)
    result = run("analyze", str(path), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    roles = {role["id"]: role for role in json.loads(result.stdout)["roles"]}
    assert roles["clerk"]["dotted_to"] == ["sales", "seller"]
    assert roles["seller"]["serves"] == ["fleet", "finance", "ceo"]
    assert roles["sales"]["dotted_to"] == []


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_flow_lists_load_alike_on_both_paths(tmp_path: Path, data: st.DataObject) -> None:
    """Roles with flow lists of any ids (a role's own, a client's, unknown ones, the same
    twice), nulls and single ids: the same Org or problems, or handed over."""
    n = data.draw(st.integers(2, 7))
    names = [f"r{k}" for k in range(n)] + ["c0", "c1", "zz"]
    lines = ["clients:", "  - id: c0", "  - id: c1", "roles:"]
    for k in range(n):
        lines.append(f"  - id: r{k}")
        if k and data.draw(st.booleans()):
            lines.append(f"    reports_to: r{data.draw(st.integers(0, k - 1))}")
        for key in ("dotted_to", "serves"):
            if data.draw(st.booleans()):
                ids = data.draw(st.lists(st.sampled_from(names), max_size=3))
                value = data.draw(st.sampled_from(["[" + ", ".join(ids) + "]", *ids, "~"]))
                lines.append(f"    {key}: {value}")
    path = tmp_path / "org.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, precise = both(path)
    if fast is None:  # only a list with an id twice
        listed = [line.split(": [", 1)[1][:-1].split(", ") for line in lines if ": [" in line]
        assert any(len(set(ids)) < len(ids) for ids in listed)
        return
    assert_same(fast, precise)


# --- block lists: `dotted_to:` and a `- id` line for each, as PyYAML dumps them -------


@st.composite
def dumped_charts(draw: st.DrawFn) -> tuple[str, list[dict[str, object]]]:
    """Roles with lists of ids as a script dumps them (PyYAML: block lists beside their
    key, or a hand's, two columns right of it), comment lines between items now and then."""
    roles: list[dict[str, object]] = []
    for k in range(draw(st.integers(1, 5))):
        role: dict[str, object] = {"id": f"r{k}"}
        for key in ("dotted_to", "serves"):
            if draw(st.booleans()):
                role[key] = draw(st.lists(IDS, min_size=1, max_size=3))
        if draw(st.booleans()):
            role["title"] = draw(IDS)
        roles.append(role)
    text = yaml.dump(
        {"org": "x", "roles": roles},
        sort_keys=draw(st.booleans()),
        allow_unicode=draw(st.booleans()),  # (else escaped in double quotes)
        indent=draw(st.sampled_from([2, 4])),  # (4: `-   id: r0`, its keys in that column)
    )
    if draw(st.booleans()):  # a hand's indentation: items two right of their key
        text = "\n".join(
            f"  {line}" if line.startswith("  - ") else line for line in text.splitlines()
        )
        text += "\n"
    if draw(st.booleans()):
        text = text.replace("\n  - ", "\n  # between\n  - ", 1)
    return text, roles


@settings(max_examples=200, deadline=None)
@given(chart=dumped_charts())
def test_a_block_list_s_ids_are_those_yaml_reads(
    chart: tuple[str, list[dict[str, object]]],
) -> None:
    text, roles = chart
    expected = yaml.load(text, Loader=yaml.BaseLoader)["roles"]
    document = read_flat(text.encode())
    data = document.data  # (escapes written out, if any)
    for key in ("dotted_to", "serves"):
        read: list[list[str]] = [[] for _ in roles]
        column = document.lists["roles"].columns.get(key)
        if column is not None:
            listed = column.items_listed()
            for item, start, end in zip(listed.items, listed.start, listed.end, strict=True):
                read[int(item)].append(data[start:end].decode())
        assert read == [role.get(key, []) for role in expected]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("roles:\n  - id: r\n    dotted_to:\n      - 'a''b'\n", 4),
        ("roles:\n  - id: r\n    dotted_to:\n      - ~\n", 4),
        ("roles:\n  - id: r\n    dotted_to:\n      - [a]\n", 4),
        ("roles:\n  - id: r\n    dotted_to:\n      - a\n     - b\n", 5),
        ("roles:\n  - id: r\n    dotted_to:\n  - a\n", 4),
        ("roles:\n  - id: r\n    dotted_to: b\n    - a\n", 3),
        ("roles:\n- a\n- b\n", 1),
        ("- a\nroles:\n  - id: r\n", 1),
        ("roles:\n  - id: r\n    dotted_to:\n      - a\n      -\n", 5),
        ("roles:\n  - id: r\n    dotted_to:\n      a\n", 4),
    ],
    ids=[
        "quoted",
        "null",
        "nested",
        "uneven",
        "left of its key",
        "a value too",
        "at the top level",
        "first",
        "an empty item",
        "no dash",
    ],
)
def test_a_block_list_beyond_plain_ids_is_not_flat(text: str, line: int) -> None:
    with pytest.raises(NotFlatError) as caught:
        read_flat(text.encode())
    assert caught.value.line == line


@pytest.mark.parametrize("indent", [2, 4])
def test_block_lists_load_on_the_fast_path_as_on_the_precise(tmp_path: Path, indent: int) -> None:
    """As PyYAML dumps a chart, with its default indentation or `indent=4` (an item's
    keys four columns right of its dash: `-   id: ceo`)."""
    path = _dumped(tmp_path, CHART, indent)
    assert "  - sales\n" in path.read_text()  # (the lists are block lists)
    assert ("-   id: ceo\n" in path.read_text()) is (indent == 4)
    fast, precise = both(path)
    assert isinstance(fast, Org), "block lists of plain ids are the flat reader's"
    assert_same(fast, precise)


def _renamed(value: object, names: dict[str, str]) -> object:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _renamed(item, names) for key, item in value.items()}
    return value


@pytest.mark.parametrize("allow_unicode", [True, False], ids=["unicode", "escaped"])
@pytest.mark.parametrize("layout", ["block", "flow"])
def test_ids_pyyaml_quotes_in_lists_load_on_the_fast_path(
    tmp_path: Path, layout: str, allow_unicode: bool
) -> None:
    """Ids PyYAML writes in quotes (one that reads as a number or a boolean; beyond
    ASCII, escaped in double quotes unless told otherwise), in a block list as it
    dumps one, or in a flow list so quoted."""
    names = {"finance": "0755", "seller": "yes", "sales": "vénte-中"}
    if layout == "block":
        chart = _renamed(yaml.safe_load(CHART), names)
        text = yaml.dump(chart, sort_keys=False, allow_unicode=allow_unicode)
    else:
        sales = '"vénte-中"' if allow_unicode else '"v\\xE9nte-\\u4E2D"'
        quoted = {"finance": "'0755'", "seller": "'yes'", "sales": sales}
        text = CHART
        for name, written in quoted.items():
            text = text.replace(name, written)
    assert "'0755'" in text and "'yes'" in text
    assert ("\\u4E2D" in text) is not allow_unicode
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    fast, precise = both(path)
    assert isinstance(fast, Org), "ids in simple quotes are the flat reader's"
    assert_same(fast, precise)
    assert isinstance(precise, Org)
    roles, bosses = precise.dotted.pairs()
    ids = precise.role_ids
    dotted = [(ids[a], ids[b]) for a, b in zip(roles.tolist(), bosses.tolist(), strict=True)]
    assert ("clerk", "vénte-中") in dotted and ("clerk", "yes") in dotted
