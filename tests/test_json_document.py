"""An org chart written as JSON (JSON is YAML): on the fast path, the precise path's Org,
lines and all, however a JSON writer spaced, escaped or ordered it; handed over to the
precise reader where YAML could read it otherwise; never read otherwise."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clientchain.loading import loader as loading
from clientchain.loading.fast.flat_yaml import NotFlatError
from clientchain.loading.fast.json_document import read_json_document
from clientchain.model.org import Org
from clientchain.model.problems import InputError
from tests.conftest import EXAMPLES, Run
from tests.test_fastload import assert_same, both
from tests.test_fuzz import mutations
from tests.test_load_paths import load_both

TITLES = [
    "Head of sales",
    "Sales, North: EMEA",  # a comma and a colon: nothing to a string
    "O'Brien's {team} [x] #1",
    "Müller & Søn — 販売",  # beyond ASCII: escaped by json.dump unless told not to
    "emoji 😀 team",  # beyond the BMP: a surrogate pair when escaped, read as JSON reads it
    "  spaced  ",
    "",
    "yes",
]


def _chart(roles: int = 30) -> dict[str, object]:
    """An org chart with titles of every kind above, ids that read as numbers, lists of
    dotted lines and served clients, owners, numbers of every spelling, and its flows
    inline."""
    ids = [f"r{k}" if k % 5 else f"{k:04d}" for k in range(roles)]
    listed = []
    for k, rid in enumerate(ids):
        role: dict[str, object] = {"id": rid, "title": TITLES[k % len(TITLES)]}
        if k:
            role["reports_to"] = ids[(k - 1) // 2]
        if k % 3 == 2:
            role["dotted_to"] = ["hr", "0755"] if k > 2 else []
            role["serves"] = ["buyers"] if k % 2 else "buyers"
        role["headcount"] = [1, 2.5, 3, 0.25][k % 4]
        if k % 7 == 3:
            role["remote"], role["budget"] = True, None
        listed.append(role)
    listed += [{"id": "hr", "title": "People"}, {"id": "0755", "title": "IT"}]
    flows: list[dict[str, object]] = [
        {"from": "buyers", "to": rid, "amount": 100 + k} for k, rid in enumerate(ids)
    ]
    flows += [{"from": ids[0], "to": ids[1], "amount": 12.5, "kind": "budget"}]
    return {
        "org": "JSON, written",
        "currency": "EUR",
        "clients": [{"id": "buyers", "title": "Car buyers", "owner": ids[1]}],
        "roles": listed,
        "flows": flows,
    }


def _write(tmp_path: Path, data: bytes, name: str = "org.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


WRITERS: dict[str, Callable[[object], bytes]] = {
    "json.dump indent 2": lambda c: json.dumps(c, indent=2).encode(),
    "json.dump indent 4, unicode": lambda c: json.dumps(c, indent=4, ensure_ascii=False).encode(),
    "json.dump one line": lambda c: json.dumps(c).encode(),
    "json.dump compact": lambda c: json.dumps(c, separators=(",", ":")).encode(),
    "json.dump sorted": lambda c: json.dumps(c, indent=1, sort_keys=True).encode(),
    "orjson": orjson.dumps,
    "orjson indented": lambda c: orjson.dumps(c, option=orjson.OPT_INDENT_2),
    "windows": lambda c: json.dumps(c, indent=2).replace("\n", "\r\n").encode(),
}


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_an_org_chart_a_json_writer_writes_is_the_fast_path_s(
    tmp_path: Path, writer: str, suffix: str
) -> None:
    """However a JSON writer spaces, orders, escapes or breaks its lines: the precise
    path's Org, each entry on the line of its brace."""
    data = WRITERS[writer](_chart())
    fast, precise = both(_write(tmp_path, data, f"org.{suffix}"))
    assert isinstance(fast, Org), "an org chart in JSON is the fast reader's"
    assert_same(fast, precise)


@pytest.mark.parametrize(
    "writer", ["json.dump indent 2", "json.dump one line", "orjson", "windows"]
)
def test_a_flows_file_in_json_is_the_fast_path_s(tmp_path: Path, writer: str) -> None:
    """A list of flows a JSON writer wrote (`flows.json`, `[{"from": ...}, ...]`) is read
    from its tokens as the org chart's own list would be: the precise path's Org."""
    chart = _chart()
    flows = chart.pop("flows")
    chart["flows"] = "flows.json"
    _write(tmp_path, WRITERS[writer](flows), "flows.json")
    org = _write(tmp_path, WRITERS[writer](chart))
    fast, precise = both(org)
    assert isinstance(fast, Org)
    assert_same(fast, precise)
    assert fast.flow_files == (str(tmp_path / "flows.json"),)


def test_a_slip_in_a_json_flows_file_is_worded_by_the_precise_reader(tmp_path: Path) -> None:
    chart = _chart()
    flows = chart.pop("flows")
    flows[3]["to"] = "nobody"  # type: ignore[index]
    chart["flows"] = "flows.json"
    _write(tmp_path, json.dumps(flows, indent=2).encode(), "flows.json")
    for role in chart["roles"]:  # type: ignore[attr-defined]
        role["title"] = "Plain"  # (the flat reader's: a colon in a value is not)
    org = _write(tmp_path, yaml.safe_dump(chart, allow_unicode=True).encode(), "org.yaml")
    fast, precise = both(org)
    assert isinstance(precise, InputError)
    assert isinstance(fast, InputError)  # (the org chart the fast reader's, the file not)
    assert_same(fast, precise)


def test_entries_keep_the_line_of_their_brace(tmp_path: Path) -> None:
    data = json.dumps(_chart(), indent=2).encode()
    fast, _ = both(_write(tmp_path, data))
    assert isinstance(fast, Org)
    lines = data.split(b"\n")
    for number in fast.role_lines.tolist():
        assert lines[number - 1].strip() == b"{"


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_every_example_written_as_json_reads_alike(tmp_path: Path, example: str) -> None:
    written = EXAMPLES / example / "org.yaml"
    chart = yaml.safe_load(written.read_text(encoding="utf-8"))
    flows = chart.get("flows")
    if isinstance(flows, str):  # the flows file where the example keeps it
        chart["flows"] = str(written.parent / flows)
    if "policy" in chart:  # nested: the precise reader's
        del chart["policy"]
    fast, precise = both(_write(tmp_path, json.dumps(chart, indent=2, default=str).encode()))
    assert isinstance(fast, Org | InputError) or fast is None
    if fast is not None:
        assert_same(fast, precise)


def test_analyze_reads_the_example_written_as_json_as_its_yaml(
    tmp_path: Path, run: Callable[..., Run]
) -> None:
    """`clientchain analyze org.json` end to end: the same exit code, figures and
    findings as the YAML it was written from (each role and finding at its own line)."""
    written = EXAMPLES / "dealership" / "org.yaml"
    chart = yaml.safe_load(written.read_text(encoding="utf-8"))
    chart["flows"] = str(written.parent / chart["flows"])
    as_json = _write(tmp_path, json.dumps(chart, indent=2).encode())
    from_yaml, from_json = (run("analyze", str(p), "--format", "json") for p in (written, as_json))
    assert from_json.exit_code == from_yaml.exit_code
    mine, theirs = json.loads(from_json.stdout), json.loads(from_yaml.stdout)
    assert mine["roles"] == theirs["roles"]
    assert mine["summary"] == theirs["summary"]
    codes = [(f["code"], f["message"]) for f in mine["findings"]]
    assert codes == [(f["code"], f["message"]) for f in theirs["findings"]]
    lines = as_json.read_text(encoding="utf-8").splitlines()
    for finding in mine["findings"]:
        if finding.get("line"):
            assert lines[finding["line"] - 1].strip() == "{"


ESCAPES: dict[str, dict[str, str] | bytes] = {
    "quotes": {"id": "a", "title": 'The "A" team'},
    "a backslash": {"id": "b\\c", "title": "C:\\exports\\org"},
    "a slash, escaped": b'{"id": "a\\/c", "title": "x"}',
    "a tab": {"id": "t", "title": "x\ty"},
    "beside codes": {"id": 'M\u00fcller "M"', "title": "\u4e2d \\"},
}


@pytest.mark.parametrize("case", list(ESCAPES))
@pytest.mark.parametrize("writer", ["json.dump indent 2", "json.dump one line", "orjson"])
def test_strings_with_escapes_of_their_own_are_written_out_one_by_one(
    tmp_path: Path, case: str, writer: str
) -> None:
    """A quote, a backslash, a slash or a tab escaped in a string (a title in quotes, a
    Windows path): the string written out on its own, the rest read as it stands; the
    precise path's Org, referenced by such an id too."""
    chart = _chart()
    role = ESCAPES[case]
    if isinstance(role, bytes):  # (a spelling no writer makes: spliced in by hand)
        written = WRITERS[writer](chart)
        data = re.sub(
            rb'"roles": ?\[', b'"roles": [' + role.replace(b"\\", b"\\\\") + b",", written, count=1
        )
        rid = "a/c"
    else:
        rid = str(role["id"])
        chart["roles"].append({**role, "reports_to": "0000"})  # type: ignore[attr-defined]
        chart["roles"].append({"id": "z", "reports_to": rid})  # type: ignore[attr-defined]
        data = WRITERS[writer](chart)
    assert b"\\" in data
    fast, precise = both(_write(tmp_path, data))
    assert isinstance(fast, Org), "escapes of a string's own are the fast reader's"
    assert_same(fast, precise)
    assert rid in list(fast.role_ids)


REFUSED = {
    "an escaped line break": b'{"org": "x", "roles": [{"id": "a", "title": "A\\nB"}]}',
    "a trailing comma": b'{"org": "x", "roles": [{"id": "a"},]}',
    "a key repeated": b'{"org": "x", "roles": [{"id": "a", "id": "b"}]}',
    "a top-level key repeated": b'{"org": "x", "org": "y", "roles": [{"id": "a"}]}',
    "a nested mapping": b'{"org": "x", "roles": [{"id": "a", "x": {"y": 1}}]}',
    "a policy": b'{"policy": {"fail_on": []}, "roles": [{"id": "a"}]}',
    "a key on a line before its colon": b'{"org": "x", "roles": [{"id"\n: "a"}]}',
    "an escape in a key": b'{"org": "x", "roles": [{"id": "a", "ti\\"tle": "A"}]}',
    "an escaped control character": b'{"roles": [{"id": "a", "title": "A\\u0007B"}]}',
    "an escaped quote beside an escape YAML reads apart": b'{"roles": [{"id": "\\"\\x41"}]}',
    "half a surrogate pair": b'{"org": "x", "roles": [{"id": "\\ud83d"}]}',
    "a surrogate pair backwards": b'{"org": "x", "roles": [{"id": "\\ude00\\ud83d"}]}',
    "a tab": b'{"org": "x",\t"roles": [{"id": "a"}]}',
    "a comment": b'{"org": "x", "roles": [{"id": "a"}]}  # c',
    "a single-quoted value": b'{"org": \'x\', "roles": [{"id": "a"}]}',
    "a plain key": b'{org: "x", "roles": [{"id": "a"}]}',
    "a word YAML reads": b'{"org": "x", "roles": [{"id": yes}]}',
    "a list of scalars at the top": b'{"org": ["x"], "roles": [{"id": "a"}]}',
    "an empty list": b'{"org": "x", "roles": []}',
    "a second document": b'{"org": "x", "roles": [{"id": "a"}]}\n{"a": 1}',
    "a null among ids": b'{"roles": [{"id": "a"}, {"id": "b", "dotted_to": [null]}]}',
    "a line break in a string": b'{"org": "x", "roles": [{"id": "a", "title": "A\nB"}]}',
    "a next line character": '{"roles": [{"id": "a", "title": "A\x85B"}]}'.encode(),
    "a number then a string": b'{"roles": [{"id": "a", "headcount": 1"x"}]}',
    # (found by a review's fuzzing: each was read, or crashed, before)
    "an entry's brace ending the file": b'{"roles": [{"id": "a"}',
    "no key at all": b"{ }",
    "a key broken over lines": b'{"roles": [{"i\\\nd": "a"}]}',
    "a value broken over lines": b'{"roles": [{"id": "a\\\nb"}, {"id": "c"}]}',
    "a backslash ending a line before a value": b'{"roles": [{"id": \\\n"a"}]}',
    "an escaped key out of YAML's reach of its colon": b'{"roles": [{"id": "a", "'
    + b"\\U00000041" * 3
    + b'"'
    + b" " * 995
    + b": 1}]}",
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_what_yaml_could_read_otherwise_is_the_precise_reader_s(tmp_path: Path, case: str) -> None:
    data = REFUSED[case]
    with pytest.raises(NotFlatError):
        read_json_document(data)
    fast, _ = both(_write(tmp_path, data))
    assert fast is None


def test_a_slip_in_a_json_chart_is_worded_by_the_precise_path(tmp_path: Path) -> None:
    """Where a value is written is no key's line in JSON: the precise reader words it."""
    chart = _chart()
    chart["roles"][4]["reports_to"] = "nobody"  # type: ignore[index]
    fast, precise = both(_write(tmp_path, json.dumps(chart, indent=2).encode()))
    assert fast is None
    assert isinstance(precise, InputError)


FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Texts from the characters that matter to JSON and YAML, and some beyond ASCII: those a
# string holds as they are, and (in some charts) those it escapes or YAML reads apart.
TAME = st.text(alphabet=list("ab09 _-.:,#'/{}[]éλ中"), max_size=6)
WILD = st.text(alphabet=list("ab09 _-.:,#'\"\\/{}[]\t\n\x85\x7f\u2028é😀"), max_size=6)
NUMBER = st.one_of(
    st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32)
)


@st.composite
def charts(draw: st.DrawFn) -> bytes:
    """A small org chart of drawn ids, references, values and keys, written by a drawn
    JSON writer."""
    text = WILD if draw(st.integers(0, 3)) == 0 else TAME
    value = st.one_of(text, NUMBER, st.booleans(), st.none())
    count = draw(st.integers(1, 6))
    ids = draw(
        st.lists(
            text.filter(str.strip) | st.integers(0, 99),
            min_size=count,
            max_size=count,
            unique_by=str,
        )
    )
    keys = ["title", "reports_to", "headcount", "department", "dotted_to", "serves", "x-y"]
    roles = []
    for k, rid in enumerate(ids):
        role: dict[str, object] = {"id": rid}
        for key in draw(st.lists(st.sampled_from(keys), unique=True, max_size=4)):
            if key in ("reports_to", "serves", "dotted_to") and not k:
                continue  # (the first role: no one above it)
            if key in ("reports_to", "serves"):
                role[key] = ids[draw(st.integers(0, k - 1))]
            elif key == "dotted_to":
                role[key] = draw(st.lists(st.sampled_from(ids[:k]), max_size=2, unique=True))
            elif key in ("title", "department"):
                role[key] = draw(text if draw(st.integers(0, 5)) else value)
            elif key == "headcount":
                role[key] = draw(st.integers(0, 9) if draw(st.integers(0, 5)) else value)
            else:
                role[key] = draw(value)
        roles.append(role)
    chart = {"org": draw(value), "roles": roles}
    if draw(st.booleans()):
        chart["flows"] = [{"from": "c", "to": ids[0], "amount": draw(NUMBER)}]
        chart["clients"] = [{"id": "c"}]
    writer = draw(st.sampled_from(list(WRITERS)))
    try:
        return WRITERS[writer](chart)
    except (TypeError, orjson.JSONEncodeError):  # (an int key orjson will not write)
        return json.dumps(chart).encode()


@FUZZ
@given(data=charts())
def test_generated_json_charts_never_make_the_paths_disagree(tmp_path: Path, data: bytes) -> None:
    fast, precise = both(_write(tmp_path, data))
    event("fast path" if fast is not None else "precise path")
    if fast is not None:
        assert_same(fast, precise)


SEED = json.dumps(_chart(8), indent=1).encode()


@pytest.mark.slow
@FUZZ
@given(data=mutations(SEED))
def test_mutated_json_never_makes_the_paths_disagree(tmp_path: Path, data: bytes) -> None:
    try:
        fast, precise = both(_write(tmp_path, data))
    except InputError:  # not UTF-8: neither path gets to read it
        return
    event("fast path" if fast is not None else "precise path")
    if fast is not None:
        assert_same(fast, precise)


# Through load(), as a user's file is read: an org chart that is ASCII with escapes
# (json.dump as it comes) has them written out there, the file's bytes let go, and the
# file read again should the precise reader be needed.


@FUZZ
@given(data=charts())
def test_generated_json_charts_load_alike_either_way(tmp_path: Path, data: bytes) -> None:
    _result, taken = load_both(_write(tmp_path, data, "org.yaml"))
    event("fast path" if taken else "precise path")


def test_a_slip_in_an_escaped_chart_is_worded_where_it_is_in_the_file(tmp_path: Path) -> None:
    """The fast reader reads the escapes written out, so a column after one on its line
    is not the file's: the precise reader words the slip, on the file read again."""
    chart = _chart()
    chart["roles"][4]["title"] = "Café ünd Straße"  # type: ignore[index]
    chart["roles"][4]["reports_to"] = "nobody"  # type: ignore[index]
    written = json.dumps(chart).encode()  # one line, every é an escape before the slip
    assert written.isascii() and b"\\u00e9" in written
    path = _write(tmp_path, written, "org.yaml")
    problems, taken = load_both(path)
    assert not taken and isinstance(problems, tuple)
    [slip] = [p for p in problems if "nobody" in str(p)]
    column = written.decode().index('"nobody"') + 1
    assert str(slip).startswith(f"{path}:1:{column}: ")


def test_an_escaped_chart_changed_into_a_pipe_while_read_is_refused(tmp_path: Path) -> None:
    """Read again for the precise reader, a file that is no longer a regular one is
    refused, not waited on."""
    chart = _chart()
    chart["roles"][4]["reports_to"] = "nobody"  # type: ignore[index]
    chart["roles"][3]["title"] = "Café"  # type: ignore[index]
    path = _write(tmp_path, json.dumps(chart).encode(), "org.yaml")
    fast_load = loading._fast_load

    def then_a_pipe(*args: object) -> Org | None:
        org = fast_load(*args)  # type: ignore[arg-type]
        path.unlink()
        os.mkfifo(path)
        return org

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loading, "_fast_load", then_a_pipe)
        with pytest.raises(InputError, match="no longer a regular file"):
            loading.load(path)
