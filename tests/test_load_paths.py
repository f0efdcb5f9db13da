"""The fast and the precise loading paths read the same org chart, or the fast one hands
over: never a different result around the `policy:` block.

The fast path cuts the policy block out of the file and reads the rest as flat YAML.
If that cut took a line too many or too few (a line break other than \\n, a list at
column 0, a quoted key, ...), the fast path would drop `flows:` or the policy, or invent
roles, and a CI gate would pass what it must fail. Every input here goes through the
whole `load()` entry twice, once as a user runs it and once with the fast path switched
off, and both must agree; where the fast path is expected to take the input, it must
have taken it (so that these tests cannot pass by always handing over).
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clientchain.loading import loader as loading
from clientchain.loading.policy import take_policy_section
from clientchain.model.org import Org
from clientchain.model.policy import FailOn
from clientchain.model.problems import InputError, Problem
from tests.test_fastload import assert_same

# Every line break libyaml reads (the precise path's parser), and the one the flat
# reader reads.
BREAKS = ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"]
BOM = "\ufeff"
# An inversion (the owner pays its subordinate) and a paying client: a gate that reads
# the flows fails (exit 1); one that loses them passes.
FLOWS_CSV = "from,to,amount\nbuyers,seller,100\nowner,seller,50\n"


@dataclass(frozen=True)
class Shape:
    """One way to write (or miswrite) the policy block, with \\n line breaks."""

    name: str
    text: str
    fast: bool | None  # on a plain \n file: the fast path takes it / hands over / either


NEVER = "policy:\n  fail_on: never\n"
SHAPES = [
    Shape("none", "", True),
    # What the fast path must take: a mapping indented under the key, or in flow style.
    Shape("indented mapping", NEVER, True),
    Shape(
        "several limits",
        "policy:\n  fail_on: warning\n  max_levels_inverted: 2\n  max_org_alienation: 0.9\n",
        True,
    ),
    Shape(
        "ignore, flow items",
        "policy:\n  ignore:\n"
        "    - {code: CC101, boss: owner, subordinate: seller, reason: agreed}\n",
        True,
    ),
    Shape(
        "ignore, items at the key's indentation",
        "policy:\n  ignore:\n  - code: CC101\n    boss: owner\n    subordinate: seller\n"
        "    reason: agreed\n",
        True,
    ),
    Shape("flow mapping", "policy: {fail_on: never, max_levels_inverted: 1}\n", True),
    Shape("flow mapping, comment", "policy: {fail_on: never}  # agreed\n", True),
    Shape("comments and blank lines", "policy:\n  # agreed\n\n  fail_on: never\n\n", True),
    Shape(
        "a comment at column 0 inside",
        "policy:\n  fail_on: never\n# agreed with the board\n  max_levels_inverted: 2\n",
        True,
    ),
    Shape("empty", "policy:\n", True),
    Shape("empty, spaces", "policy:   \n", True),
    Shape("tilde", "policy: ~\n", True),
    Shape("null", "policy: null\n", True),
    Shape("anchored", "policy: &p\n  fail_on: never\n", True),
    Shape("space before the colon", "policy :\n  fail_on: never\n", True),
    # Either is fine, as long as both paths agree.
    Shape("tab after the colon", "policy:\t{fail_on: never}\n", None),
    Shape("tab before the colon", "policy\t: {fail_on: never}\n", None),
    Shape("tab-indented", "policy:\n\tfail_on: never\n", None),
    # What the fast path must hand over (the precise path reads or refuses it).
    Shape("double-quoted key", '"policy":\n  fail_on: never\n', False),
    Shape("single-quoted key", "'policy': {fail_on: never}\n", False),
    Shape("complex key", "? policy\n: {fail_on: never}\n", False),
    Shape("alias", "defaults: &p {fail_on: never}\npolicy: *p\n", False),
    Shape("list at column 0", "policy:\n- id: ghost\n  reports_to: owner\n", False),
    Shape("indented list", "policy:\n  - id: ghost\n", False),
    Shape(
        "flow continued at column 0", "policy: {fail_on: never,\nmax_levels_inverted: 2}\n", False
    ),
    Shape("quoted text continued at column 0", 'policy: "fail_on\nnever"\n', False),
    Shape("scalar", "policy: strict\n", False),
    Shape("scalar on two lines", "policy: fail_on\n  never\n", False),
    Shape("block scalar", "policy: |\n  fail_on: never\n", False),
    Shape("no space after the colon", "policy:{fail_on: never}\n", False),
    Shape("typo", "policy:\n  fial_on: never\n", False),
    Shape("document end after it", NEVER + "...\n", None),  # (the fast path's when last)
    Shape("document start after it", NEVER + "---\n", False),
    Shape("twice", NEVER + "policy:\n  max_levels_inverted: 1\n", False),
    Shape("twice, once quoted", NEVER + '"policy": {fail_on: error}\n', False),
]
POLICIES = [s for s in SHAPES if s.text]

FLOWS_KEY = "flows: flows.csv\n"
ORG_KEY = "org: policy\n"  # the word in a value, not a key
CLIENTS = {"indented": "clients:\n  - id: buyers\n", "column 0": "clients:\n- id: buyers\n"}
ROLES = {
    "indented": "roles:\n  - id: owner\n  - id: seller\n    reports_to: owner\n",
    "column 0": "roles:\n- id: owner\n- id: seller\n  reports_to: owner\n",
    # `policy` as a role's own key (kept as an extra key) and as a role's id.
    "policy in a role": "roles:\n  - id: owner\n    policy: strict\n  - id: seller\n"
    "    reports_to: owner\n  - id: policy\n    reports_to: owner\n",
}
# A role with a nested `policy:` mapping: not flat, the precise path's.
NESTED_ROLES = (
    "roles:\n  - id: owner\n    policy:\n      fail_on: never\n  - id: seller\n"
    "    reports_to: owner\n"
)


T = TypeVar("T")


def _outcome(path: Path) -> Org | tuple[Problem, ...]:
    try:
        return loading.load(path)
    except InputError as exc:
        return exc.problems


def both_paths(action: Callable[[], T]) -> tuple[T, T, list[bool]]:
    """`action` as a user runs it, recording per load whether the fast path took the
    input, and again with the fast path switched off."""
    taken: list[bool] = []
    fast_load = loading._fast_load

    def spy(*args: object) -> Org | None:
        org = fast_load(*args)  # type: ignore[arg-type]
        taken.append(org is not None)
        return org

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loading, "_fast_load", spy)
        fast = action()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loading, "_fast_load", lambda *args: None)
        precise = action()
    return fast, precise, taken


def load_both(path: Path) -> tuple[Org | tuple[Problem, ...], bool]:
    """Load `path` as a user does and with the fast path off; assert that both give the
    same Org or the same problems. Returns the result and whether the fast path took it."""
    result, precise, taken = both_paths(lambda: _outcome(path))
    assert len(taken) <= 1  # none: not UTF-8, refused before either path reads it
    if isinstance(result, Org):
        assert isinstance(precise, Org), (
            f"the fast path read what the precise path refuses: {precise}"
        )
        assert_same(result, precise)
    else:
        assert result == precise, "the paths refuse with different problems"
    return result, taken == [True]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_bytes(text.encode("utf-8"))
    (tmp_path / "flows.csv").write_bytes(FLOWS_CSV.encode("utf-8"))
    return path


def _other_breaks(text: str) -> bool:
    """A line break libyaml reads but the fast path does not: any but \\n and CR LF (read
    as \\n: the same lines)."""
    return any(b in text for b in BREAKS[3:]) or "\r" in text.replace("\r\n", "")


# --- every shape, every line break, the policy first, in the middle, last -------------


LAYOUTS = [  # (clients, roles)
    (CLIENTS["indented"], ROLES["indented"]),
    (CLIENTS["column 0"], ROLES["column 0"]),
    (CLIENTS["indented"], ROLES["policy in a role"]),
]


def _placed(shape: Shape, newline: str) -> dict[str, str]:
    """The policy block with `newline` everywhere in the file, only in the block, or only
    at its end (where the fast path used to run on into the next key)."""
    if newline == "\n" or not shape.text:
        return {"everywhere": shape.text}
    return {
        "everywhere": shape.text,
        "in the block": shape.text.replace("\n", newline),
        "at its end": shape.text[:-1] + newline,
    }


@pytest.mark.slow
@pytest.mark.parametrize("newline", BREAKS, ids=repr)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_every_policy_shape_and_line_break_reads_the_same_on_both_paths(
    tmp_path: Path, shape: Shape, newline: str
) -> None:
    for (clients, roles), (where, policy) in itertools.product(
        LAYOUTS, _placed(shape, newline).items()
    ):
        rest = [FLOWS_KEY, clients, roles]
        for at in range(len(rest) + 1):  # policy first, in the middle, last
            text = "".join([*rest[:at], policy, *rest[at:]])
            if where == "everywhere":
                text = text.replace("\n", newline)
            _result, taken = load_both(_write(tmp_path, text))
            if _other_breaks(text):
                assert not taken, f"the fast path took a line break other than \\n: {text!r}"
            elif shape.fast is not None:
                assert taken is shape.fast, (shape.name, text)


@pytest.mark.parametrize("newline", BREAKS[1:], ids=repr)
def test_a_flat_file_with_another_line_break_anywhere_is_read_precisely(
    tmp_path: Path, newline: str
) -> None:
    """flatyaml refuses every line break libyaml reads but \\n, wherever it stands:
    between keys, inside a list, in a comment, in a value, at the end; but CR LF, which
    YAML reads as one line break, it reads as \\n: taken where \\n in its place is (a
    lone CR put before a \\n makes one), with the precise path's result (load_both)."""
    text = FLOWS_KEY + CLIENTS["indented"] + "# note\n" + ROLES["indented"] + "org: a b\n"
    starts = [i for i, c in enumerate(text) if c == "\n"] + [text.index(" b"), len(text) - 1]
    for at in starts:
        changed = text[:at] + newline + text[at + 1 :] if text[at] == "\n" else None
        inserted = text[:at] + newline + text[at:]
        for variant in filter(None, (changed, inserted)):
            _result, taken = load_both(_write(tmp_path, variant))
            if _other_breaks(variant):
                assert not taken, repr(variant)
            else:
                _result, as_lf = load_both(_write(tmp_path, variant.replace("\r\n", "\n")))
                assert taken == as_lf, repr(variant)


# Documents the precise reader reads, each in the shapes CR LF could change: values over
# several lines (quoted, folded, literal), a nested policy, problems with their lines and
# columns (a reference, a headcount, YAML's own errors at a line's end and at a tab).
_CR_LF_DOCUMENTS = {
    "flat": FLOWS_KEY + CLIENTS["indented"] + ROLES["indented"],
    "values over lines": FLOWS_KEY
    + CLIENTS["indented"]
    + 'roles:\n  - id: owner\n    title: "Chief\n      of staff"\n  - id: seller\n'
    + "    title: >\n      Sells\n      things\n    note: |\n      one\n      two\n"
    + "    reports_to: owner\n",
    "policy": NEVER + FLOWS_KEY + CLIENTS["indented"] + ROLES["indented"],
    "problems": FLOWS_KEY
    + CLIENTS["indented"]
    + "roles:\n  - id: owner\n    headcount: many\n  - id: seller\n    reports_to: nobody\n",
    "unclosed quote": FLOWS_KEY + 'org: "a b\n' + ROLES["indented"],
    "tab": FLOWS_KEY + "roles:\n\t- id: owner\n",
}


# How an editor on Windows saves a document: CR LF, a byte order mark, or both.
_SAVED_ON_WINDOWS: dict[str, Callable[[str], str]] = {
    "CR LF": lambda text: text.replace("\n", "\r\n"),
    "BOM": lambda text: BOM + text,
    "BOM and CR LF": lambda text: BOM + text.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("saved", sorted(_SAVED_ON_WINDOWS))
@pytest.mark.parametrize("name", sorted(_CR_LF_DOCUMENTS))
def test_the_precise_reader_reads_windows_spellings_as_plain_ones(
    tmp_path: Path, name: str, saved: str
) -> None:
    """load() drops a UTF-8 byte order mark and writes Windows' line breaks as LF before
    either reader (so the file's own bytes go before the scan): that is only the same
    input if the precise reader, given the file as it is, builds the same Org or words
    the same problems at the same lines and columns."""
    text = _CR_LF_DOCUMENTS[name]
    spelt = _SAVED_ON_WINDOWS[saved](text)
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")

    def precisely(document: str) -> Org | tuple[Problem, ...]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(loading, "_fast_load", lambda *args: None)
            try:  # (loads: the text as given, line breaks and mark and all)
                return loading.loads(document, str(tmp_path / "org.yaml"))
            except InputError as exc:
                return exc.problems

    plain, as_spelt = precisely(text), precisely(spelt)
    path = tmp_path / "org.yaml"
    path.write_bytes(spelt.encode("utf-8"))
    as_loaded = _outcome(path)  # as a user loads the file, whichever path reads it
    for other in (as_spelt, as_loaded):
        if isinstance(plain, Org):
            assert isinstance(other, Org)
            assert_same(other, plain)
        else:
            assert other == plain


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf\xef\xbb\xbfroles:\n- id: a\n",  # two marks: the second is text
        b"\xef\xbb\xbf" * 3 + b"roles:\r\n- id: a\r\n",
        b'\xef\xbb\xbf\xef\xbb\xbfroles: [{id: "a\x7f"}]\n',  # a column after the second
        "roles:\r\n- id: a\r\n".encode("utf-16"),  # UTF-16, CR LF: read as it comes
        ("\ufeff" + "roles:\r\n- id: a\r\n").encode("utf-16"),  # and a mark after its own
    ],
    ids=["two marks", "three marks, CR LF", "two marks, a column", "UTF-16", "UTF-16, a mark"],
)
def test_what_load_leaves_as_it_is_is_read_as_the_file_is(tmp_path: Path, raw: bytes) -> None:
    """A second mark after the first, or UTF-16 text, is not dropped or rewritten before
    the readers: load() gives what the precise reader gives on the file as saved."""
    from clientchain.loading.yaml_source import decode

    path = tmp_path / "org.yaml"
    path.write_bytes(raw)
    try:
        saved: Org | tuple[Problem, ...] = loading._load_precisely(
            decode(raw, str(path)), str(path), [], tmp_path
        )
    except InputError as exc:
        saved = exc.problems
    loaded = _outcome(path)
    if isinstance(saved, Org):
        assert isinstance(loaded, Org)
        assert_same(loaded, saved)
    else:
        assert loaded == saved


@pytest.mark.parametrize("saved", sorted(_SAVED_ON_WINDOWS))
def test_a_bad_byte_is_named_at_its_offset_in_the_file_as_saved(tmp_path: Path, saved: str) -> None:
    """Text that is not UTF-8 is read as it is: its bad byte's offset is the file's,
    mark and CRs counted, not the offset in the text with them dropped."""
    spelt = _SAVED_ON_WINDOWS[saved]("roles:\n  - id: x?\n").encode("utf-8")
    path = tmp_path / "org.yaml"
    path.write_bytes(spelt.replace(b"?", b"\xff"))
    problems = _outcome(path)
    assert not isinstance(problems, Org)
    assert [str(problem).removeprefix(str(path)) for problem in problems] == [
        f":2:10: not UTF-8 text: byte 0xff at offset {spelt.index(b'?')}"
    ]


@pytest.mark.parametrize("bom", ["", BOM], ids=["no BOM", "BOM"])
@pytest.mark.parametrize("last_break", ["\n", ""], ids=["final newline", "none"])
@pytest.mark.parametrize("first", [True, False], ids=["policy first", "policy last"])
def test_a_plain_file_with_an_indented_policy_takes_the_fast_path(
    tmp_path: Path, bom: str, last_break: str, first: bool
) -> None:
    keys = FLOWS_KEY + CLIENTS["indented"] + ROLES["indented"]
    text = bom + (NEVER + keys if first else keys + NEVER)
    result, taken = load_both(_write(tmp_path, text.removesuffix("\n") + last_break))
    assert taken
    assert isinstance(result, Org)
    assert result.policy.fail_on is FailOn.NEVER
    assert result.flow_amount.tolist() == [100.0, 50.0]


def test_policy_as_a_roles_own_key_is_kept_with_the_role(tmp_path: Path) -> None:
    text = FLOWS_KEY + CLIENTS["indented"] + ROLES["policy in a role"]
    result, taken = load_both(_write(tmp_path, text))
    assert taken
    assert isinstance(result, Org)
    assert result.role_extra == {0: {"policy": "strict"}}
    assert result.policy.fail_on is None
    result, taken = load_both(_write(tmp_path, FLOWS_KEY + CLIENTS["indented"] + NESTED_ROLES))
    assert not taken  # nested: not flat
    assert isinstance(result, Org)
    assert result.role_extra == {0: {"policy": {"fail_on": "never"}}}
    assert result.policy.fail_on is None


def test_a_repeated_policy_key_is_reported(tmp_path: Path) -> None:
    text = FLOWS_KEY + NEVER + CLIENTS["indented"] + ROLES["indented"] + "policy: {}\n"
    result, taken = load_both(_write(tmp_path, text))
    assert not taken
    assert isinstance(result, tuple)
    assert [str(p) for p in result] == [
        f"{tmp_path / 'org.yaml'}:10:1: key 'policy' repeated in this mapping (first at line 2);"
        " YAML would silently keep only the last one"
    ]


def test_the_cut_leaves_no_trace_of_the_section() -> None:
    text = "roles:\n  - id: a\npolicy:\n  fail_on: never\n# c\n\n  ignore: []\norg: x\n"
    cut = take_policy_section(text)
    assert cut is not None
    rest, section = cut
    assert rest == "roles:\n  - id: a\n\n\n\n\n\norg: x\n"
    assert section == "\n\npolicy:\n  fail_on: never\n# c\n\n  ignore: []\n"
    assert take_policy_section("roles: []\n") == ("roles: []\n", "")
    for refused in (
        "policy:\r  fail_on: error\rflows: f.csv\n",  # libyaml's line breaks, not \n
        "policy:\n  fail_on: error\r\n",
        "roles: []\npolicy: {}\x85flows: f.csv\n",
        "policy:\n- id: ghost\n",  # YAML's list under `policy:`, or more roles?
        "policy:\n  fail_on: error\n# c\n- id: ghost\n",
        "policy: {}\n...\n",
        "policy: {}\npolicy: {}\n",
        "policy:{}\n",
    ):
        assert take_policy_section(refused) is None, repr(refused)


# --- generated inputs -----------------------------------------------------------------


@st.composite
def org_charts(draw: st.DrawFn) -> tuple[str, bool | None]:
    """An org chart with a policy block in some shape, its keys in any order, with any
    line breaks; and whether the fast path must take it (None: either)."""
    shape = draw(st.sampled_from(POLICIES))
    fast = shape.fast
    roles_style = draw(st.sampled_from([*ROLES, *ROLES, "nested"]))
    roles = NESTED_ROLES if roles_style == "nested" else ROLES[roles_style]
    if roles_style == "nested":
        fast = None if fast is None else False
    parts = [FLOWS_KEY, CLIENTS[draw(st.sampled_from(list(CLIENTS)))], roles, shape.text]
    if draw(st.booleans()):
        parts.append(ORG_KEY)
    if draw(st.integers(0, 5)) == 0:
        parts.append(draw(st.sampled_from(POLICIES)).text)
        fast = None if fast is None else False
    parts = draw(st.permutations(parts))
    if draw(st.booleans()):  # a comment at column 0 somewhere between the keys
        at = draw(st.integers(0, len(parts)))
        parts = [*parts[:at], "# policy: none (a comment at column 0)\n", *parts[at:]]
    text = "".join(parts)
    marker = draw(st.sampled_from(["", "", "", "", "", "start", "end"]))
    if marker:
        text = "---\n" + text if marker == "start" else text + "...\n"  # (the fast path's)
    mode = draw(st.sampled_from(["plain", "plain", "one", "mixed"]))
    if mode == "one":  # one kind of line break throughout
        text = text.replace("\n", draw(st.sampled_from(BREAKS)))
    elif mode == "mixed":  # \n, and another break here and there
        pieces = text.split("\n")
        others = draw(
            st.dictionaries(
                st.integers(0, len(pieces) - 2), st.sampled_from(BREAKS[1:]), max_size=3
            )
        )
        chosen = [others.get(i, "\n") for i in range(len(pieces) - 1)]
        text = "".join(p + b for p, b in zip(pieces, [*chosen, ""], strict=True))
    if draw(st.booleans()):
        text = BOM + text
    if draw(st.booleans()):
        text = text.rstrip("".join(BREAKS))  # no final line break
    if _other_breaks(text):  # judged on the final text: the strip may remove the only one
        fast = False
    return text, fast


@pytest.mark.slow
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chart=org_charts())
def test_generated_org_charts_read_the_same_on_both_paths(
    tmp_path: Path, chart: tuple[str, bool | None]
) -> None:
    text, fast = chart
    result, taken = load_both(_write(tmp_path, text))
    event("fast path" if taken else "precise path")
    event("loaded" if isinstance(result, Org) else "refused")
    if fast is not None:
        assert taken is fast


# --- as a user runs it ----------------------------------------------------------------


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientchain", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


CR_CHART = (
    "clients:\n  - id: buyers\nroles:\n  - id: owner\n  - id: seller\n    reports_to: owner\n"
    "policy:\n  fail_on: error\nflows: flows.csv\n"
)


# The lone CR (the bypass this pins) in the day-to-day subset, every break in the full run.
@pytest.mark.parametrize(
    "newline",
    [b if b == "\r" else pytest.param(b, marks=pytest.mark.slow) for b in BREAKS],
    ids=repr,
)
def test_the_gate_fails_an_inversion_whatever_the_line_breaks(tmp_path: Path, newline: str) -> None:
    """The owner pays its subordinate: exit 1, also when `flows:` follows the policy
    block after a lone CR (the fast path used to cut it away with the block)."""
    head, policy = CR_CHART.split("policy:", 1)
    text = head + ("policy:" + policy).replace("\n", newline, 2)  # only in and after it
    _write(tmp_path, text)
    result = _run(tmp_path, "analyze", "org.yaml", "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["flows"] == 2
    assert [f["code"] for f in document["findings"] if f["level"] == "error"] == ["CC101"]


def test_a_policy_list_at_column_0_is_refused_not_read_as_roles(tmp_path: Path) -> None:
    text = (
        "clients:\n- id: buyers\nroles:\n- id: owner\n- id: seller\n  reports_to: owner\n"
        "policy:\n- id: ghost\n  reports_to: owner\n"
    )
    _write(tmp_path, text)
    result = _run(tmp_path, "validate", "org.yaml")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "org.yaml:8:1: policy must be a mapping, found a list\nclientchain: 1 problem in org.yaml\n"
    )
