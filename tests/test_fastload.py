"""The fast path (flat YAML, plain CSV) builds exactly the Org the precise path builds, or
steps aside: never a different result, never a problem it would word differently."""

from __future__ import annotations

import textwrap
from dataclasses import fields
from pathlib import Path

import numpy as np
import orjson
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clientchain.analyses.analyze import analyze
from clientchain.loading.fast.flat_csv import read_flat_csv
from clientchain.loading.fast.loader import fast_load
from clientchain.loading.loader import _load_precisely, load
from clientchain.loading.yaml_source import decode
from clientchain.model.org import Links, Org
from clientchain.model.phases import recording
from clientchain.model.problems import InputError
from clientchain.model.texts import LateColumns
from clientchain.render.analysis.json_doc import json_document
from tests.conftest import EXAMPLES, bench_generator
from tests.test_fuzz import SEED_FLOWS, SEED_ORG, mutations


def both(
    path: Path, flows: list[Path] | None = None
) -> tuple[Org | InputError | None, Org | InputError]:
    """(the fast path's Org, the problems it words, or None where it steps aside; the
    precise path's Org or its InputError)."""
    data = path.read_bytes()
    text = decode(data, str(path))
    fast: Org | InputError | None
    try:
        fast = fast_load(data, text, str(path), flows or [], path.parent)
    except InputError as exc:
        fast = exc
    try:
        precise: Org | InputError = _load_precisely(text, str(path), flows or [], path.parent)
    except InputError as exc:
        precise = exc
    return fast, precise


def fast_only(path: Path, flows: list[Path] | None = None) -> Org | InputError | None:
    """The fast path's Org, the problems it words, or None where it steps aside (the
    precise path not run)."""
    data = path.read_bytes()
    try:
        return fast_load(data, decode(data, str(path)), str(path), flows or [], path.parent)
    except InputError as exc:
        return exc


def assert_same_outcome(first: Org | InputError | None, second: Org | InputError | None) -> None:
    """Two fast loads of one input: both stepped aside, both built the same Org, or both
    worded the same problems."""
    assert (first is None) == (second is None)
    if first is not None:
        assert second is not None
        assert_same(first, second)


def assert_same(fast: Org | InputError, precise: Org | InputError) -> None:
    """The fast path built the precise path's Org, or worded exactly its problems."""
    if isinstance(fast, InputError):
        assert isinstance(precise, InputError), f"fast path refused what the precise takes: {fast}"
        assert fast.problems == precise.problems
        return
    assert isinstance(precise, Org), f"fast path accepted what the precise path refuses: {precise}"
    for f in fields(Org):
        mine, theirs = getattr(fast, f.name), getattr(precise, f.name)
        if isinstance(mine, LateColumns):  # metadata decoded when read: compared as read
            mine = {name: mine[name] for name in mine}
        if isinstance(theirs, LateColumns):  # (two fast loads compared)
            theirs = {name: theirs[name] for name in theirs}
        if isinstance(theirs, Links):  # compared by content: each role's nodes, in order
            assert isinstance(mine, Links), f.name
            mine, theirs = np.r_[mine.ptr, -1, mine.node], np.r_[theirs.ptr, -1, theirs.node]
        if isinstance(theirs, np.ndarray):
            assert mine.dtype == theirs.dtype, f.name
            assert np.array_equal(mine, theirs), f.name
        else:
            assert mine == theirs, f.name
            assert type(mine) is type(theirs), f.name


@pytest.mark.parametrize("cell", ["service-manager\t", "\tservice-manager", "\x0bmechanic"])
def test_white_space_other_than_spaces_at_an_id_s_edge_is_part_of_it_on_both_paths(
    tmp_path: Path, cell: str
) -> None:
    """A flows CSV cell is trimmed of spaces only (the precise reader's CELL_PADDING):
    an unquoted tab beside an id names no role, and the fast path must not find one
    (hypothesis found 'service-manager<TAB>' taken as service-manager)."""
    (tmp_path / "org.yaml").write_bytes(SEED_ORG)
    flows = SEED_FLOWS.replace(b"mechanic,service-manager,", f"mechanic,{cell},".encode())
    assert flows != SEED_FLOWS
    (tmp_path / "flows.csv").write_bytes(flows)
    fast, precise = both(tmp_path / "org.yaml")
    assert isinstance(precise, InputError) and "unknown role" in str(precise)
    assert isinstance(fast, InputError)  # worded by the fast path, exactly as the precise
    assert_same(fast, precise)


def test_spaces_around_an_id_are_trimmed_on_both_paths(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_bytes(SEED_ORG)
    flows = SEED_FLOWS.replace(b"mechanic,service-manager,", b"  mechanic , service-manager ,")
    (tmp_path / "flows.csv").write_bytes(flows)
    fast, precise = both(tmp_path / "org.yaml")
    assert fast is not None
    assert_same(fast, precise)


@pytest.mark.slow
def test_synthetic_10k_org_takes_the_fast_path_with_identical_results(tmp_path: Path) -> None:
    generate = bench_generator()
    org, flows = generate.generate(10_000)
    (tmp_path / "org.yaml").write_text("\n".join(org) + "\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text("\n".join(flows) + "\n", encoding="utf-8")
    fast, precise = both(tmp_path / "org.yaml")
    assert fast is not None, "a generated org chart should not need the precise path"
    assert_same(fast, precise)
    assert isinstance(precise, Org)
    # Every figure of the analysis, as the JSON document states it.
    regular = orjson.dumps(json_document(analyze(precise)))
    assert orjson.dumps(json_document(analyze(load(tmp_path / "org.yaml")))) == regular


# Ids and titles beyond ASCII, as PyYAML writes them unless told to allow Unicode: each
# such character escaped (\xFC, \u0440, \U0001F600) in double quotes, and values past
# 80 columns broken over lines (a backslash at the line's end; `\ ` for a space after).
ESCAPED_IDS = [
    "m\u00fcller-vertrieb",
    "\u0440\u0430\u0437\u0432\u0438\u0442\u0438\u0435-\u043e\u0442\u0434\u0435\u043b-3",
    "\u55b6\u696d\u90e8-\U0001f600-" + "x" * 40,
    "plain-ascii",
]
ESCAPED_TITLE = "Responsable r\u00e9gional \u00cele-de-France et " + "Kant\u014d " * 8


def _escaped_org(folder: Path, typo: bool = False) -> None:
    """An org chart PyYAML wrote with its escapes and broken lines, and its flows (UTF-8)."""
    roles = [{"id": rid, "title": ESCAPED_TITLE} for rid in ESCAPED_IDS]
    for role, boss in zip(roles[1:], ESCAPED_IDS, strict=False):
        role["reports_to"] = boss + ("x" if typo else "")
    org = {"org": "S\u00fcd", "flows": "flows.csv", "clients": [{"id": "k\u00e4ufer"}]}
    org["roles"] = roles
    (folder / "org.yaml").write_text(yaml.safe_dump(org, sort_keys=False), encoding="ascii")
    rows = ["from,to,amount", *(f"k\u00e4ufer,{rid},{10 + k}" for k, rid in enumerate(ESCAPED_IDS))]
    (folder / "flows.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.mark.parametrize("literal", [False, True])
def test_an_org_chart_pyyaml_writes_with_escapes_takes_the_fast_path(
    tmp_path: Path, literal: bool
) -> None:
    """Its escapes are written as their characters and its broken values joined, on the
    lines where they were: the precise path's Org, lines and all (`literal`: with one
    value beyond ASCII written as it is, as a hand might add)."""
    _escaped_org(tmp_path)
    written = (tmp_path / "org.yaml").read_text(encoding="ascii")
    assert all(mark in written for mark in ("\\xFC", "\\u0440", "\\U0001F600", "\\\n", "\\ "))
    if literal:
        edited = written.replace('org: "S\\xFCd"', "org: S\u00fcd")
        assert edited != written
        (tmp_path / "org.yaml").write_text(edited, encoding="utf-8")
    fast, precise = both(tmp_path / "org.yaml")
    assert fast is not None, "PyYAML's escapes should not need the precise path"
    assert isinstance(precise, Org)
    assert_same(fast, precise)
    assert precise.role_ids[1].startswith("\u0440\u0430")


def test_a_slip_in_an_org_chart_with_escapes_is_worded_by_the_precise_path(
    tmp_path: Path,
) -> None:
    """Its columns count the escapes as written: the fast path steps aside for it."""
    _escaped_org(tmp_path, typo=True)
    fast, precise = both(tmp_path / "org.yaml")
    assert fast is None and isinstance(precise, InputError)


@pytest.mark.parametrize(
    "line",
    [
        'title: "a\\"b"',  # an escaped quote
        'title: "a\\\\b"',  # an escaped backslash
        'title: "a\\tb"',  # a tab
        'title: "\\x22"',  # a quote by its code
        'title: "\\x5C\\x41"',  # a backslash by its code: not a second escape
        'title: "\\x09"',  # a tab by its code
        'title: "\\u2028"',  # a line separator
        'title: "\\uD800"',  # half a surrogate pair: no character at all
        'title: "a\\x3A b"',  # a colon (the flat reader takes none in a value)
        "title: a\\xFCb",  # plain: the backslash is text
        "title: 'a\\xFCb'",  # single-quoted: the same
        'title: "ok\\xFC"  # \\xFC',  # a backslash in a comment too
        'title: "broken \\\n  in two"\n# a comment \\',  # a comment ending in one
        "title: a \\\n  b",  # a plain value ending in one
        'title: "v\\\\\n    xE9"',  # an escaped backslash, then a line break: no join
        'title: "v\\x\\\n    E9"',  # an escape broken over lines: not one escape
        'title: "v\\u00\\\n    E9"',
        'title: "v\\\n--- E9"',  # a document's start, in column 0 after the break
        'title: "v\\\n... E9"',  # its end
        'serves: ["buy\\\\\n    x65rs"]',  # the same in lists
        'serves:\n    - "buy\\x\\\n      65rs"',
    ],
)
def test_escapes_the_fast_path_cannot_write_out_are_the_precise_path_s(
    tmp_path: Path, line: str
) -> None:
    """Each stands for a character that cannot stand as it is in the flat reader's values,
    or is no escape at all: the fast path steps aside, or reads exactly what the precise
    path reads."""
    org = f"flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n    {line}\n"
    (tmp_path / "org.yaml").write_text(org, encoding="utf-8")
    (tmp_path / "flows.csv").write_text("from,to,amount\nbuyers,boss,10\n", encoding="utf-8")
    fast, precise = both(tmp_path / "org.yaml")
    if fast is not None:
        assert_same(fast, precise)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_examples_agree(example: str) -> None:
    fast, precise = both(EXAMPLES / example / "org.yaml")
    if fast is not None:
        assert_same(fast, precise)


FLOWS = "from,to,amount\nbuyers,seller,100\nseller,boss,40\n"

# name, org chart, flows.csv, whether the fast path can vouch for it
CASES = [
    (
        "plain",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n    reports_to: boss\n",
        FLOWS,
        True,
    ),
    (
        "an item's keys further from its dash (PyYAML's indent=4)",
        "clients:\n-   id: buyers\nroles:\n-   id: boss\n-  id: seller\n   reports_to: boss\n",
        FLOWS,
        True,
    ),
    (
        "a key out of its item's first key's column",
        "clients:\n-   id: buyers\nroles:\n-   id: boss\n-   id: seller\n  reports_to: boss\n",
        FLOWS,
        False,
    ),
    (
        "trailing spaces after a value",
        "clients:\n- id: buyers   \nroles:\n- id: boss\n  headcount: 3   \n"
        "- id: seller\n  reports_to: 'boss'  \n  title:  \n",
        FLOWS,
        True,  # (none of the value's: YAML drops them)
    ),
    (
        "unindented items, comments, blank lines, any key order, nulls",
        """\
        # generated
        org: Acme, Inc.
        clients:
        - id: buyers

        roles:
        - reports_to: ~
          id: boss
          headcount: 3
        # the front line
        - title: Director's "right hand"
          id: seller
          reports_to: boss
          headcount:
          department: null
        """,
        FLOWS,
        True,
    ),
    (
        "quoted ids and titles keep their text",
        "clients:\n  - id: '007'\nroles:\n  - id: \"0755\"\n    title: 'null'\n"
        "  - id: yes\n    reports_to: '0755'\n    title: \"~\"\n",
        "from,to,amount\n007,yes,100\nyes,0755,5\n",
        True,
    ),
    (
        "extra keys keep their order per role",
        "clients:\n  - id: buyers\n    segment: b2c\nroles:\n  - id: boss\n    cost_centre: 1\n"
        "    note: x\n  - id: seller\n    note: y\n    reports_to: boss\n    cost_centre: 2\n",
        FLOWS,
        True,
    ),
    (
        "unicode and punctuation in values",
        "org: Société Générale (Paris) - 100% [test]\nclients:\n  - id: acheteurs\nroles:\n"
        "  - id: directeur\n    title: Directeur général\n  - id: vendeur\n"
        "    reports_to: directeur\n",
        "from,to,amount,note\nacheteurs,vendeur,12.50,été\nvendeur,directeur,1e3,\n",
        True,
    ),
    (
        "csv cells with spaces, metadata columns, decimals",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n    reports_to: boss\n",
        "From , to,AMOUNT,kind\n buyers , seller , 100.125 ,sale\nseller,boss,40, revenue \n",
        True,
    ),
    (
        "windows line ends in the csv",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n    reports_to: boss\n",
        "from,to,amount,kind\r\nbuyers,seller,10,sale\r\nseller,boss,2,\r\n",
        True,
    ),
    (
        "a carriage return inside a csv row",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n",
        "from,to,amount\nbuyers,sel\rler,10\n",
        True,
    ),
    ("anchor", "roles:\n  - id: &b boss\n  - id: seller\n    reports_to: *b\n", FLOWS, False),
    ("tag", "roles:\n  - id: !!str boss\n", FLOWS, False),
    (
        "comments after values, and '#' in values",
        "clients:  # who pays\n  - id: buyers #\nroles:\n  - id: boss # the top\n"
        "    title: 'C# # lead'  # quoted: its '#' is its own\n  - id: seller\n"
        "    title: C#\n    reports_to: boss   # interim: 'b' \"c\"\t\\x\n    headcount: # none\n",
        FLOWS,
        True,
    ),
    ("a '#' in a key", "roles:\n  - id: boss\n    note#1: x\n", FLOWS, False),
    ("a '#' right after a quote", "roles:\n  - id: boss\n    title: 'x'#y\n", FLOWS, False),
    ("flow mapping", "roles:\n  - {id: boss}\n", FLOWS, False),
    ("block scalar", "roles:\n  - id: boss\n    title: |\n      Boss\n", FLOWS, False),
    ("tab", "roles:\n  - id: boss\n\ttitle: x\n", FLOWS, False),
    ("crlf", "roles:\r\n  - id: boss\r\n", FLOWS, True),
    ("lone cr", "roles:\r  - id: boss\n", FLOWS, False),
    ("repeated key", "roles:\n  - id: boss\n    id: other\n", FLOWS, False),
    ("repeated top-level key", "roles:\n  - id: a\nroles:\n  - id: b\n", FLOWS, False),
    ("two documents", "roles:\n  - id: boss\n---\nroles: []\n", FLOWS, False),
    ("nested list", "roles:\n  - id: boss\n    tags:\n      - a\n", FLOWS, False),
    ("quoted csv header", "roles:\n  - id: boss\n  - id: seller\n", '"from",to,amount\n', True),
    (
        "csv cells quoted whole (as R and spreadsheets write text)",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n    reports_to: boss\n",
        '"from","to","amount","kind"\r\n"buyers","seller",10,"sale"\r\n'
        '" seller ","boss","2",""\r\n',
        True,
    ),
    (
        "a quoted csv cell with a slip",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n",
        'from,to,amount\n"buyer","seller",10\n',
        True,
    ),
    (
        "a doubled quote in a csv cell",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n",
        'from,to,amount,kind\nbuyers,seller,10,"a ""b"""\n',
        True,
    ),
    (
        "a comma in a quoted csv cell",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n",
        'from,to,amount\nbuyers,seller,"1,000"\n',
        True,
    ),
    (
        "a space before a csv quote",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n",
        'from,to,amount\nbuyers, "seller",10\n',
        True,
    ),
    (
        "a quote inside a csv cell",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n",
        'from,to,amount\nbuy"ers,seller,10\n',
        True,
    ),
    # Slips the fast path words itself (exactly as the precise path: assert_same).
    ("headcount quoted", "roles:\n  - id: boss\n    headcount: '3'\n", FLOWS, True),
    ("headcount too big", "roles:\n  - id: boss\n    headcount: 2000000000\n", FLOWS, True),
    (
        "headcounts spelled otherwise, some wrong",
        "roles:\n  - id: boss\n    headcount: 1e3\n  - id: a\n    headcount: -1\n"
        "  - id: b\n    headcount: many\n  - id: c\n    headcount: -0\n"
        '  - id: d\n    headcount: 2e9\n  - id: e\n    headcount: "1e3"\n'
        "  - id: f\n    headcount: .inf\n  - id: g\n    headcount: many\n",
        "",
        True,
    ),
    ("headcount in another notation", "roles:\n  - id: boss\n    headcount: 1e1\n", "", True),
    (
        "dotted lines to no role, a client, itself",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n    dotted_to: bos\n"
        "  - id: seller\n    dotted_to: buyers\n  - id: clerk\n    dotted_to: 'clerk'\n",
        FLOWS,
        True,
    ),
    (
        "dotted lines along the hierarchy, and two roles' both ways",
        "roles:\n  - id: boss\n    dotted_to: clerk\n  - id: seller\n    reports_to: boss\n"
        '  - id: clerk\n    reports_to: seller\n    dotted_to: "boss"\n'
        "  - id: x\n    dotted_to: y\n  - id: y\n    dotted_to: x\n",
        "",
        True,
    ),
    (
        "dotted lines with a reporting cycle: none is along the hierarchy",
        "roles:\n  - id: a\n    reports_to: b\n    dotted_to: b\n  - id: b\n    reports_to: a\n"
        "  - id: x\n    dotted_to: y\n  - id: y\n    dotted_to: x\n",
        "",
        True,
    ),
    (
        "serves no id, itself; owned by no role, by a client",
        "clients:\n  - id: buyers\n    owner: selr\n  - id: others\n    owner: buyers\n"
        "roles:\n  - id: boss\n    serves: buyer\n  - id: seller\n    serves: seller\n"
        "  - id: clerk\n    serves: buyers\n",
        FLOWS,
        True,
    ),
    ("unknown boss", "roles:\n  - id: boss\n    reports_to: bos\n", FLOWS, True),
    ("cycle", "roles:\n  - id: a\n    reports_to: b\n  - id: b\n    reports_to: a\n", "", True),
    ("unknown payer", "roles:\n  - id: boss\n  - id: seller\n", FLOWS, True),
    (
        "amount zero",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n",
        "from,to,amount\nbuyers,seller,0\n",
        True,
    ),
    (
        "blank csv row",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n",
        "from,to,amount\n\nbuyers,seller,10\n",
        True,
    ),
    (
        "colons in values: quoted, or with no space after them",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n    title: 'Sales, North: EMEA'\n"
        '  - id: seller\n    reports_to: boss\n    title: "Ops: x"  # note: y\n'
        "    site: http://x.org/a:b\n    start: 9:30\n",
        FLOWS,
        True,
    ),
    (
        "a colon and a space in a plain value (a mapping to YAML)",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n    title: Ops: EMEA\n",
        FLOWS,
        False,
    ),
    (
        "a plain value ending in a colon",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n    title: Ops:\n",
        FLOWS,
        False,
    ),
    (
        "a colon in a list of ids",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: x\n    dotted_to: [a:b]\n",
        FLOWS,
        False,
    ),
    (
        "ragged csv row",
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n",
        "from,to,amount\nbuyers,seller,10,x\n",
        True,
    ),
]


def write_inputs(folder: Path, inputs: tuple[bytes, bytes]) -> Path:
    """`flat_inputs`' org chart and flows as org.yaml and flows.csv; the org chart's path."""
    (folder / "org.yaml").write_bytes(inputs[0])
    (folder / "flows.csv").write_bytes(inputs[1])
    return folder / "org.yaml"


def write_case(folder: Path, org: str, flows: str) -> str:
    """A case's org.yaml (naming flows.csv if it has flows) and flows.csv; the org chart's text."""
    text = textwrap.dedent(org)
    if "flows:" not in text and flows:
        text = "flows: flows.csv\n" + text
    (folder / "org.yaml").write_bytes(text.encode("utf-8"))
    (folder / "flows.csv").write_bytes(flows.encode("utf-8"))
    return text


@pytest.mark.parametrize(
    ("org", "flows", "fast_expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_fast_path_takes_what_it_can_vouch_for(
    tmp_path: Path, org: str, flows: str, fast_expected: bool
) -> None:
    write_case(tmp_path, org, flows)
    fast, precise = both(tmp_path / "org.yaml")
    assert (fast is not None) is fast_expected, precise
    if fast is not None:
        assert_same(fast, precise)


def test_flows_from_yaml_and_several_files(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(
        "flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n"
        "    reports_to: boss\n",
        encoding="utf-8",
    )
    (tmp_path / "flows.csv").write_text("from,to,amount,kind\nbuyers,seller,10,sale\n")
    (tmp_path / "more.yaml").write_text("- {from: seller, to: boss, amount: 2.5, memo: up}\n")
    (tmp_path / "more.csv").write_text("to,from,amount\nseller,boss,1\n")
    extra = [tmp_path / "more.yaml", tmp_path / "more.csv"]
    fast, precise = both(tmp_path / "org.yaml", extra)
    assert isinstance(fast, Org)
    assert_same(fast, precise)
    assert fast.flow_extra == {"kind": ("sale", None, None), "memo": (None, "up", None)}


CRLF_ORG = (
    "org: Acme  # a comment\nflows: flows.csv\nclients:\n  - id: buyers\n"
    "roles:\n  - id: boss\n    title: 'Chief'\n  - id: clerk\n    reports_to: {boss}\n"
)


@pytest.mark.parametrize("boss", ["boss", "bos"], ids=["valid", "a slip"])
def test_windows_line_breaks_keep_the_fast_path(tmp_path: Path, boss: str) -> None:
    """CR LF (Windows' line breaks, an editor's there or git's checkout) is one line
    break to YAML: the same lines and columns, the fast path's Org or its problems, each
    worded where the precise path words it."""
    org = CRLF_ORG.format(boss=boss).replace("\n", "\r\n")
    (tmp_path / "org.yaml").write_bytes(org.encode())
    (tmp_path / "flows.csv").write_bytes(b"from,to,amount\r\nbuyers,clerk,10\r\n")
    fast, precise = both(tmp_path / "org.yaml")
    assert fast is not None
    assert_same(fast, precise)
    assert isinstance(precise, Org) == (boss == "boss")


MARKED = {
    "a start": "---\n{org}",
    "a start after comments": "# org chart\n\n--- # generated\n{org}",
    "both": "---   \n{org}...\n# end\n",
    "an end": "{org}... # done\n\n",
}


@pytest.mark.parametrize("boss", ["boss", "bos"], ids=["valid", "a slip"])
@pytest.mark.parametrize("marked", sorted(MARKED))
def test_document_markers_keep_the_fast_path(tmp_path: Path, marked: str, boss: str) -> None:
    """`---` before the first key (`yaml.dump(explicit_start=True)`, many a hand) and
    `...` after the last mark the one document: the same lines and columns, the fast
    path's Org or its problems, each worded where the precise path words it."""
    org = MARKED[marked].format(org=CRLF_ORG.format(boss=boss))
    (tmp_path / "org.yaml").write_text(org)
    (tmp_path / "flows.csv").write_bytes(b"from,to,amount\nbuyers,clerk,10\n")
    fast, precise = both(tmp_path / "org.yaml")
    assert fast is not None
    assert_same(fast, precise)
    assert isinstance(precise, Org) == (boss == "boss")


@pytest.mark.parametrize(
    "org",
    [
        "--- roles:\n  - id: boss\n",  # content on the marker's line
        "---\nroles:\n  - id: boss\n---\nx: 1\n",  # a second document
        "roles:\n  - id: boss\n...\nx: 1\n",  # content after the end
        "%YAML 1.1\n---\nroles:\n  - id: boss\n",  # a directive
        "---#x\nroles:\n  - id: boss\n",
        "---\n# two starts: an empty document, then this\n---\nroles:\n  - id: boss\n",
        "roles:\n  - id: boss\n...\npolicy:\n  fail_on: never\n",  # content after the end
        "roles:\n  - id: boss\n...\npolicy: {fail_on: never}\n...\n",
        "roles: x\\\n",  # a backslash ending the document
    ],
)
def test_other_document_markers_are_the_precise_path_s(tmp_path: Path, org: str) -> None:
    (tmp_path / "org.yaml").write_text(org)
    fast, _ = both(tmp_path / "org.yaml")
    assert fast is None


def test_a_carriage_return_alone_is_the_precise_path_s(tmp_path: Path) -> None:
    """libyaml reads a CR alone as a line break too: that file is not flat line by line."""
    org = CRLF_ORG.format(boss="boss").replace("\n", "\r\n").replace("boss\r\n", "boss\r", 1)
    (tmp_path / "org.yaml").write_bytes(org.encode())
    (tmp_path / "flows.csv").write_bytes(b"from,to,amount\nbuyers,clerk,10\n")
    fast, _ = both(tmp_path / "org.yaml")
    assert fast is None


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_bytes(b"\xef\xbb\xbfroles:\n  - id: boss\n")
    fast, precise = both(tmp_path / "org.yaml")
    assert fast is not None
    assert_same(fast, precise)


@pytest.mark.parametrize(
    "flows",
    [
        b"\xef\xbb\xbf\xef\xbb\xbffrom,to,amount\nbuyers,seller,1\n",  # a second mark: the header's
        b"\xff\xfe\xff\xfe" + "from,to,amount\nbuyers,seller,1\n".encode("utf-16-le"),
        b'\xef\xbb\xbf\xef\xbb\xbffrom,to,amount\nbuyers,seller,"$1,250"\n',
        b"sep=;\nfrom;to;amou\x80t\nbuyers;seller;1\n",  # not UTF-8 past Excel's line
        b"\xef\xbb\xbfsep=,\r\nfrom,to,am\xabunt\r\nbuyers,seller,1\r\n",
    ],
    ids=["utf-8", "utf-16", "utf-8, csv module", "sep line", "bom and sep line"],
)
def test_a_csv_s_first_bytes_are_read_as_the_precise_reader_reads_them(
    tmp_path: Path, flows: bytes
) -> None:
    """A byte order mark written twice (the second is the header's first character)
    and a header not in UTF-8 after Excel's `sep=` line: worded alike, or handed over."""
    org = "flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n"
    (tmp_path / "org.yaml").write_text(org, encoding="utf-8")
    (tmp_path / "flows.csv").write_bytes(flows)
    fast, precise = both(tmp_path / "org.yaml")
    if fast is not None:
        assert_same(fast, precise)


@pytest.mark.parametrize("payer", [b"buy\xefers", b"\xbcbuyers"])
def test_a_cell_not_in_utf8_in_a_row_with_a_bad_amount_is_the_file_s_problem(
    tmp_path: Path, payer: bytes
) -> None:
    """The precise reader decodes the whole file before it reads a row: bytes that are
    not UTF-8 are the one problem it words, even in a row read no further for its amount."""
    org = "flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n"
    (tmp_path / "org.yaml").write_text(org, encoding="utf-8")
    flows = b"amount;from;to\n5;buyers;seller\n-$3;" + payer + b";seller\n"
    (tmp_path / "flows.csv").write_bytes(flows)
    fast, precise = both(tmp_path / "org.yaml")
    assert isinstance(precise, InputError) and "not UTF-8" in str(precise)
    if fast is not None:
        assert_same(fast, precise)


@pytest.mark.parametrize("key", ["org", "currency"])
def test_a_list_where_text_is_due_is_said_beside_a_flows_file_s_problem(
    tmp_path: Path, key: str
) -> None:
    """`currency:` with a list under it is a problem the precise reader words with the
    others; the fast path words a flows file's problem only when it is the last check
    to fail, so it hands such an input over instead of leaving that one out."""
    org = (
        f"flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n{key}: # c\n  - id: x\n"
    )
    write_case(tmp_path, org, "from,tomount\nbuyers,boss\n")
    fast, precise = both(tmp_path / "org.yaml")
    assert isinstance(precise, InputError) and f"{key} must be text" in str(precise)
    if fast is not None:
        assert_same(fast, precise)


FUZZ = settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.slow
@FUZZ
@given(org=mutations(SEED_ORG), flows=mutations(SEED_FLOWS))
def test_mutated_inputs_never_make_the_paths_disagree(
    tmp_path: Path, org: bytes, flows: bytes
) -> None:
    (tmp_path / "org.yaml").write_bytes(org)
    (tmp_path / "flows.csv").write_bytes(flows)
    try:
        fast, precise = both(tmp_path / "org.yaml")
    except InputError:  # not UTF-8: neither path gets to read it
        event("not UTF-8")
        return
    event("fast path" if fast is not None else "precise path")
    if fast is not None:
        assert_same(fast, precise)


# Ids and texts from characters that matter to YAML and CSV, so that the generated
# files sit right on the edge of what the fast path takes.
TAME = st.from_regex(r"[abé09_.][abé09_.' -]{0,3}[abé09_.]|[abé]", fullmatch=True)
WILD = st.text(alphabet=list("ab09_-. ':\"#&*!|>%@`,[]{}?~é\\\t"), min_size=1, max_size=5)
NULLS = ["", "~", "null", "'~'"]
# What a generator writes: the fast path must take every such file (not hand it over).
CLEAN = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True)
# ... and what one writes in other scripts, some quoted (columns count characters).
STYLED = st.from_regex(r"[a-zéλ中][a-z0-9éλ中_#-]{0,6}", fullmatch=True)  # (`C#`: no comment)


def _scalar(draw: st.DrawFn, text: str, clean: bool = False, escaped: bool = False) -> str:
    """`text` as a YAML value, quoted now and then (`escaped`: in double quotes with
    every character beyond ASCII escaped, now and then, as PyYAML writes it)."""
    if clean:
        return text
    styles = ["plain", "plain", "single", "double"] + (["escaped"] * 2 if escaped else [])
    style = draw(st.sampled_from(styles))
    if style == "escaped":
        return '"' + "".join(map(_escaped, text)) + '"'
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _escaped(char: str) -> str:
    """A character as PyYAML writes it in double quotes."""
    code = ord(char)
    if char in '"\\':
        return "\\" + char
    if 0x20 <= code < 0x7F:
        return char
    return (
        f"\\x{code:02X}"
        if code <= 0xFF
        else f"\\u{code:04X}"
        if code <= 0xFFFF
        else f"\\U{code:08X}"
    )


def _reference(
    draw: st.DrawFn,
    section: str,
    rid: str,
    roles: list[str],
    names: list[str],
    clean: bool,
    slips: bool = False,
    escaped: bool = False,
) -> tuple[str, str]:
    """A client's `owner`, or a role's `serves` or `dotted_to` (SPEC Additions): one id
    (clean: a valid one; a dotted line could run along the hierarchy, so none; with
    `slips`, any id, mistyped now and then: a client, the role itself, a dotted line
    along the hierarchy or back), else any id, a null or now and then a flow list
    (which the fast path reads when its ids are plain and each named once)."""
    if section == "clients":
        key, targets = "owner", roles
    else:
        plain = clean and not slips
        key = "serves" if plain else draw(st.sampled_from(["serves", "dotted_to"]))
        targets = [n for n in names if n != rid]
    if slips:
        targets = names
    if not clean:
        targets = [*names, *NULLS]
    target = draw(st.sampled_from(targets))
    if not clean and draw(st.integers(0, 4)) == 0:
        listed = draw(st.lists(st.sampled_from(names), max_size=3))
        return key, "[" + ", ".join(_scalar(draw, n, escaped=escaped) for n in listed) + "]"
    if target in NULLS:
        return key, target
    return key, _scalar(draw, _maybe_slip(draw, target, slips), clean, escaped)


def _slip(draw: st.DrawFn, name: str) -> str:
    """An id as a hand might mistype it (a letter lost, added or swapped; another case),
    or one that names nothing at all."""
    kind = draw(st.sampled_from(["lost", "added", "swapped", "case", "none"]))
    if kind == "lost" and len(name) > 1:
        at = draw(st.integers(0, len(name) - 1))
        lost = name[:at] + name[at + 1 :]
        return lost if lost != "-" else "zz9"  # (a lone dash starts a YAML list)
    if kind == "swapped" and len(name) > 1:
        return name[1] + name[0] + name[2:]
    if kind == "case":
        return name.upper()
    if kind == "none":
        return "zz9"
    return name + draw(st.sampled_from(["x", "-", "1"]))


def _maybe_slip(draw: st.DrawFn, name: str, slips: bool) -> str:
    return _slip(draw, name) if slips and draw(st.integers(0, 3)) == 0 else name


@st.composite
def flat_inputs(
    draw: st.DrawFn, clean: bool = False, slips: bool = False, styled: bool = False
) -> tuple[bytes, bytes]:
    """An org chart in (nearly) flat YAML and a CSV of flows between its ids; `clean`:
    exactly the flat shape a generator writes, valid, with nothing odd at all; `slips`:
    with references a hand gets wrong (mistyped ids, a role reporting to a client, to
    itself or round in a cycle, a flow into a client or from a role to itself; an id
    given twice; a dotted line, `serves` or `owner` naming a wrong id; a headcount
    that is no number; a misspelt key); `styled`
    (with `clean`): ids beyond ASCII, values quoted now and then."""
    TEXT = CLEAN if clean else WILD if draw(st.integers(0, 4)) == 0 else TAME  # noqa: N806
    if styled:
        TEXT = STYLED  # noqa: N806
    # PyYAML's escapes, now and then (not with slips in a styled file: the precise path
    # words those where there are escapes, and that test asks for the fast path's words).
    escaped = not (styled and slips) and draw(st.booleans())

    def scalar(text: str, plain: bool = False) -> str:
        return _scalar(draw, text, plain, escaped)

    names = draw(st.lists(TEXT, min_size=2, max_size=8, unique=True))
    split = draw(st.integers(1, len(names) - 1))
    clients, roles = names[:split], names[split:]
    if slips and draw(st.integers(0, 2)) == 0:  # an id given again: a role or a client's
        again = draw(st.sampled_from(names))
        where = draw(st.integers(0, len(roles)))
        roles = [*roles[:where], again, *roles[where:]]
        if draw(st.booleans()):
            clients = [*clients, draw(st.sampled_from(clients))]
    indent = draw(st.sampled_from(["", "  ", "    "]))
    lines = ["flows: flows.csv"]
    if draw(st.booleans()):
        lines.append(f"org: {scalar(draw(TEXT))}")
    if slips and draw(st.integers(0, 3)) == 0:  # a top-level key misspelt, or not quite
        lines.append(draw(st.sampled_from(["currncy: EUR", "Org: Acme", "flow: x.csv", "ORG:"])))
    for section, ids in (("clients", clients), ("roles", roles)):
        lines.append(f"{section}:")
        for i, rid in enumerate(ids):
            keys = [("id", scalar(rid))]
            if section == "roles" and draw(st.booleans()):
                bosses = roles[:i] if clean else [*roles[:i], *NULLS]  # no cycles
                if slips:  # any id at all: a client, itself, a later role (cycles)
                    bosses = names if clean else [*names, *NULLS]
                boss = draw(st.sampled_from(bosses)) if bosses else None
                if boss is not None and boss not in NULLS:
                    boss = _maybe_slip(draw, boss, slips)
                if boss is not None:
                    keys.append(
                        (
                            "reports_to",
                            boss if boss in NULLS else scalar(boss, clean and not styled),
                        )
                    )
            if draw(st.booleans()):
                counts = ["0", "3", "12", "1", "0.5", "2.25"]
                if not clean or slips:  # other spellings, and problems
                    counts += ["'3'", ".5", "1e-1", "-0", "-1", "0.1.2", "true", "2e9"]
                if not clean:
                    counts += ["~", ""]
                keys.append(("headcount", draw(st.sampled_from(counts))))
            if draw(st.booleans()):
                keys.append(("title", scalar(draw(TEXT), clean)))
            if draw(st.integers(0, 2)) == 0:
                keys.append(_reference(draw, section, rid, roles, names, clean, slips, escaped))
            if draw(st.booleans()):
                # A key of the user's own, or (not clean, or slips) one that misspells a
                # known key, which the fast path words (all but `id`: it hands that over).
                own = ["note"] if clean else ["note", "site", "ID", "Title", "reportsTo"]
                if slips:
                    own += ["Title", "reportsTo", "headcout", "dotted-to", "ownr", "Serves"]
                keys.append((draw(st.sampled_from(own)), scalar(draw(TEXT), clean)))
            keys = draw(st.permutations(keys))
            for n, (key, value) in enumerate(keys):
                lead = f"{indent}- " if n == 0 else f"{indent}  "
                line = f"{lead}{key}: {value}".rstrip(" ") if value else f"{lead}{key}:"
                if draw(st.integers(0, 5)) == 0:  # a comment after the value, as hands add
                    line += draw(st.sampled_from([" # note", "   # a: 'b' \"c\"", " #", " # C#"]))
                lines.append(line)
                if not clean and draw(st.integers(0, 9)) == 0:
                    lines.append(draw(st.sampled_from(["", "# note", f"{indent}  # x: y"])))
    rows = ["from,to,amount" + (",kind" if draw(st.booleans()) else "")]
    width = rows[0].count(",") + 1
    for _ in range(draw(st.integers(0, 6))):
        payee = draw(st.sampled_from(names if slips else roles))
        payer = draw(st.sampled_from(names if slips else [n for n in names if n != payee]))
        payer, payee = _maybe_slip(draw, payer, slips), _maybe_slip(draw, payee, slips)
        amounts = ["10", "2.50", "7", "0.125"]
        amount = draw(st.sampled_from(amounts if clean else [*amounts, " 3 ", "1e3", "x"]))
        cells = [payer, payee, amount, draw(TEXT)][:width]
        if draw(st.integers(0, 2)) == 0:  # quoted as the csv module would, some or all
            cells = [
                '"' + cell.replace('"', '""') + '"' if draw(st.booleans()) else cell
                for cell in cells
            ]
        rows.append(",".join(cells))
    org = "\n".join(lines) + "\n"
    if not clean and draw(st.integers(0, 3)) == 0:  # now and then, one stray token
        at = draw(st.integers(0, len(org)))
        token = draw(st.sampled_from(["&a ", "*a", "\t", "#", ": ", "\r\n", "- "]))
        org = org[:at] + token + org[at:]
    if draw(st.integers(0, 5)) == 0:  # Windows' line breaks
        org = org.replace("\n", "\r\n")
    return org.encode("utf-8"), ("\n".join(rows) + "\n").encode("utf-8")


@pytest.mark.slow
@FUZZ
@given(inputs=flat_inputs())
def test_generated_flat_inputs_never_make_the_paths_disagree(
    tmp_path: Path, inputs: tuple[bytes, bytes]
) -> None:
    fast, precise = both(write_inputs(tmp_path, inputs))
    event("fast path" if fast is not None else "precise path")
    event("valid" if isinstance(precise, Org) else "input error")
    if fast is not None:
        assert_same(fast, precise)


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(inputs=flat_inputs(clean=True))
def test_generated_clean_inputs_take_the_fast_path(
    tmp_path: Path, inputs: tuple[bytes, bytes]
) -> None:
    """The property tests above compare the paths only where the fast one ran; here it
    must run: a file exactly as a generator writes it is never handed over."""
    fast, precise = both(write_inputs(tmp_path, inputs))
    assert isinstance(precise, Org), precise
    assert fast is not None, inputs[0].decode()
    assert_same(fast, precise)


@pytest.mark.slow
@FUZZ
@given(inputs=flat_inputs(slips=True))
def test_generated_slips_are_worded_alike_on_both_paths(
    tmp_path: Path, inputs: tuple[bytes, bytes]
) -> None:
    """Mistyped references amid everything else flat_inputs writes: the fast path words
    exactly the precise path's problems, every one at the same place, or steps aside."""
    fast, precise = both(write_inputs(tmp_path, inputs))
    event("fast path" if fast is not None else "precise path")
    event("fast path words" if isinstance(fast, InputError) else "no words")
    if fast is not None:
        assert_same(fast, precise)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(inputs=st.booleans().flatmap(lambda s: flat_inputs(clean=True, slips=True, styled=s)))
def test_slips_in_a_generated_file_are_worded_by_the_fast_path(
    tmp_path: Path, inputs: tuple[bytes, bytes]
) -> None:
    """A file a generator wrote, with slips in its references (nothing else wrong): the
    fast path words them itself, exactly as the precise path does (a big org chart's
    one typo takes seconds, not the precise reader's minute)."""
    fast, precise = both(write_inputs(tmp_path, inputs))
    assert fast is not None, inputs
    event("slips" if isinstance(precise, InputError) else "none")
    assert_same(fast, precise)


def test_a_file_beyond_the_fast_path_says_where_and_why(tmp_path: Path) -> None:
    """For big inputs the CLI prints these notes: why a run takes the slow path."""
    org = tmp_path / "org.yaml"
    org.write_text(
        "flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\t# the top\n",
        encoding="utf-8",
    )
    # (a cell quoted whole is read here, commas and all; a doubled quote inside is not)
    (tmp_path / "flows.csv").write_text(
        'from,to,amount,kind\nbuyers,boss,10,"a ""b"""\n', encoding="utf-8"
    )
    with recording() as record:
        load(org)
    assert record.notes == [
        f"{org}:5: a tab, backslash or control character: read by the precise reader,"
        " which takes longer"
    ]
    org.write_text(org.read_text().replace("\t# the top", ""), encoding="utf-8")
    with recording() as record:
        load(org)
    assert record.notes == [
        f"{tmp_path / 'flows.csv'}: quotes within cells, carriage returns or uneven rows: read"
        " by the precise CSV reader, which takes longer"
    ]


@pytest.mark.parametrize("rows", [1, 7, 1000])
def test_keys_hashed_a_slice_at_a_time_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    """The key lines are hashed and compared in slices (flat_yaml._ROWS): slices of any
    size give the Org that one slice gives."""
    from clientchain.loading.fast import flat_yaml

    org, flows = bench_generator().generate(1_500)
    (tmp_path / "org.yaml").write_text("\n".join(org) + "\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text("\n".join(flows) + "\n", encoding="utf-8")
    whole, precise = both(tmp_path / "org.yaml")
    assert whole is not None
    monkeypatch.setattr(flat_yaml, "_ROWS", rows)
    sliced, _ = both(tmp_path / "org.yaml")
    assert sliced is not None
    assert_same(sliced, precise)
    assert_same(whole, precise)


@pytest.mark.parametrize("shape", ["business", "longids"])
def test_slips_in_a_generated_org_are_worded_by_the_fast_path_as_by_the_precise(
    tmp_path: Path, shape: str
) -> None:
    """A generated org chart (long unicode ids and titles in longids: columns count
    characters) with a hand's slips: a boss mistyped, one naming a client, a role
    reporting to itself, two roles reporting to each other, a flow from a mistyped
    payer, into a client, to a role from itself. The fast path words every one, and
    exactly the precise path's problems."""
    bench_generator().write(shape, 2000, tmp_path)
    org = (tmp_path / "org.yaml").read_text(encoding="utf-8").split("\n")
    bosses = [i for i, line in enumerate(org) if line.startswith("    reports_to: ")]
    role_of = {}  # the line of a role's reports_to -> its id
    for i in bosses:
        j = max(k for k in range(i) if org[k].startswith("  - id: "))
        role_of[i] = org[j].removeprefix("  - id: ")
    client = next(line for line in org if line.startswith("  - id: ")).removeprefix("  - id: ")
    first, second, third, fourth, fifth = (
        bosses[100],
        bosses[400],
        bosses[700],
        bosses[900],
        bosses[1000],
    )
    org[first] += "x"  # mistyped
    org[second] = f"    reports_to: {client}"
    org[third] = f"    reports_to: {role_of[third]}"
    org[fourth] = f"    reports_to: {role_of[fifth]}"
    org[fifth] = f"    reports_to: {role_of[fourth]}"
    (tmp_path / "org.yaml").write_text("\n".join(org), encoding="utf-8")
    header, *rows = (tmp_path / "flows.csv").read_text(encoding="utf-8").rstrip("\n").split("\n")
    payer, payee, *rest = rows[10].split(",")
    rows[10] = ",".join([payer + "q", payee, *rest])
    payer, payee, *rest = rows[20].split(",")
    rows[20] = ",".join([payer, client, *rest])
    payer, payee, *rest = rows[30].split(",")
    rows[30] = ",".join([payee, payee, *rest])
    (tmp_path / "flows.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    fast, precise = both(tmp_path / "org.yaml")
    assert isinstance(fast, InputError), fast
    assert len(fast.problems) == 7, fast  # (the two roles reporting to each other: one cycle)
    assert_same(fast, precise)


@pytest.mark.parametrize(
    ("body", "cells"),
    [
        ('a,b,"$1,250"\n', [["a"], ["b"], ["$1,250"]]),
        ('"a,x",b,1\n', [["a,x"], ["b"], ["1"]]),
        ('"a","b","1,0"\r\n"",c,2\r\n', [["a", ""], ["b", "c"], ["1,0", "2"]]),
        ('a,"b\nc",1\n', None),  # a cell over two lines
        ('a,b,"1,2""3"\n', None),  # a doubled quote
        ('a, "b",1\n', None),  # a space before the quote: the csv module keeps it
        ('a,"b"c,1\n', None),  # a cell going on after its closing quote
        ('a,b"c,1\n', None),  # a quote inside an unquoted cell
        ("a,b,1\n\n", [["a"], ["b"], ["1"]]),  # blank lines at the end: no rows
        ('a,"b",1\r\n\r\n\n\r\n', [["a"], ["b"], ["1"]]),
        ("a,b,1\n\na,b,2\n", None),  # a blank line between rows: the csv module's
        ("a,b,1\n \n", None),  # a line of a space is a row of one cell
        ("a,b,1\r\r\n", None),  # a carriage return alone is a line end to the csv module
    ],
)
def test_the_flat_reader_reads_cells_quoted_whole_commas_and_all(
    body: str, cells: list[list[str]] | None
) -> None:
    table = read_flat_csv(("from,to,amount\n" + body).encode(), "flows.csv")
    if cells is None:
        assert table is None
    else:
        assert table is not None
        assert [table.texts(column) for column in range(3)] == cells


@pytest.mark.parametrize("tail", ["\n", "\n\n\n", "\r\n\r\n", "\n\r\n", "\n" * 60_000])
def test_blank_lines_at_the_end_of_a_flows_csv_keep_it_on_the_fast_path(
    tmp_path: Path, tail: str
) -> None:
    """An editor's or a spreadsheet's last blank line: no rows, as to the csv module,
    and no reason to read the whole table again with it (at 2.5M rows, 18 s and 1.7 GB
    where the flat reader takes 3)."""
    org = "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n"
    write_case(tmp_path, org, "from,to,amount\nbuyers,seller,10\nbuyers,selr,2" + tail)
    with recording() as record:
        fast, precise = both(tmp_path / "org.yaml")
    assert isinstance(fast, InputError)  # (the slip in the last row: worded alike)
    assert_same(fast, precise)
    assert record.notes == []


@pytest.mark.parametrize(
    "amounts",
    [
        ['"$1,250.00"', '"$3"', "$7.5", '"$1,250.00"'],
        ['"1,250"', "12", '"2,000,000"'],
        # Problems, worded as the precise CSV reader words them, each at its row:
        ['"$1,250.00"', "EUR 3", "$4", "EUR 5", "-1", '"$0"'],  # a second currency
        ["EUR 3", "EUR 1e20", '"$-2"', "abc", "EUR 4"],  # the first named is the file's
        ['"1,2,3"', "4", "1.5.5", "0", "", "1e400", "nan", "2e15", "1e-13", "$"],
        ["-5", "12", "0.0", " 7 ", "1e3"],  # plain numbers out of range
        ["ZZ9", "zz9"],  # a row with a bad amount is read no further (its unknown ids)
    ],
)
def test_amounts_as_spreadsheets_write_them_are_read_on_the_fast_path(
    tmp_path: Path, amounts: list[str]
) -> None:
    """`$1,250.00` in quotes, a second currency, a number out of range: read and worded
    as the precise CSV reader reads and words them, each spelling once, without handing
    the file to it (a note would say so)."""
    org = "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n"
    rows = "".join(f"buyers,seller,{a}\n" for a in amounts) + "buyrs,seller,zz9\n"
    write_case(tmp_path, org, "from,to,amount\n" + rows)
    with recording() as record:
        fast, precise = both(tmp_path / "org.yaml")
    assert fast is not None
    assert_same(fast, precise)
    assert record.notes == []


@pytest.mark.parametrize(
    ("org", "flows"),
    [
        ("roles:\n  - id: a\n  - id: b\n", b"PK\x03\x04,from,to,amount\nx,a,b,1\n"),
        ("roles:\n  - id: a\n  - id: b\n", b"PK\x03\x04,from,to,amount\nx,zz,b,1\n"),
        ("roles:\n  - id: a\n  - id: b\n    reports_to: q\n", b"PK\x03\x04,from,to,amount\n"),
    ],
)
def test_a_workbook_s_signature_is_no_csv_on_either_path(
    tmp_path: Path, org: str, flows: bytes
) -> None:
    """A flows file starting as an XLSX does is refused by the precise CSV reader however
    its first line reads; the fast path must not read it as CSV (nor word only the other
    problems): a review found both."""
    (tmp_path / "org.yaml").write_text("flows: flows.csv\n" + org, encoding="utf-8")
    (tmp_path / "flows.csv").write_bytes(flows)
    fast, precise = both(tmp_path / "org.yaml")
    assert isinstance(precise, InputError) and "spreadsheet workbook" in str(precise)
    assert fast is None


@pytest.mark.parametrize(
    ("delimiter", "amounts"),
    [
        (";", ["12", "7"]),
        (";", ["1.500", "12"]),  # `1.500` in a `;` file may mean fifteen hundred: a problem
        (";", ["1,5", '"1.250,00 €"']),
        ("\t", ["12", "2.5", "$3"]),
        ("|", ["12", '"a|b"']),
    ],
)
def test_a_header_s_other_delimiter_is_read_on_the_fast_path(
    tmp_path: Path, delimiter: str, amounts: list[str]
) -> None:
    """Semicolons (Excel in much of Europe), tabs and pipes: split by the flat reader in
    the header's delimiter, their amounts read as the precise CSV reader reads them in
    such a file, with its result or its problems."""
    org = "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n"
    rows = "".join(f"buyers{delimiter}seller{delimiter}{a}\n" for a in amounts)
    write_case(tmp_path, org, delimiter.join(["from", "to", "amount"]) + "\n" + rows)
    fast, precise = both(tmp_path / "org.yaml")
    assert fast is not None
    assert_same(fast, precise)
    data = (tmp_path / "flows.csv").read_bytes()
    assert read_flat_csv(data, "flows.csv", delimiter) is not None


@pytest.mark.parametrize(
    "flows",
    [
        b"sep=;\nfrom;to;amount\nbuyers;seller;12\n",
        b'\xef\xbb\xbfSEP=,\r\nfrom,to,amount\r\nbuyers,seler,"1,5"\r\n',  # a slip on line 3
        b"sep=|\nfrom|to|amount\nbuyrs|seller|2\nbuyers|boss|x\n",  # a slip and a bad amount
        b"sep=:\nfrom:to:amount\nbuyers:seller:12\n",  # its own delimiter: the csv module's
    ],
)
def test_an_excel_sep_line_is_read_on_the_fast_path(tmp_path: Path, flows: bytes) -> None:
    """Excel's first line naming the delimiter: the header and rows after it are split
    in that delimiter, and every line and column counts it, as on the precise path."""
    org = "flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n"
    (tmp_path / "org.yaml").write_text(org, encoding="utf-8")
    (tmp_path / "flows.csv").write_bytes(flows)
    fast, precise = both(tmp_path / "org.yaml")
    assert fast is not None
    assert_same(fast, precise)
