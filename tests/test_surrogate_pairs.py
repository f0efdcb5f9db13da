"""A character beyond the BMP written as JSON escapes it (`\\ud83d\\ude00`, what
`json.dump` writes for 😀) is that character in a double-quoted value, on both paths;
anywhere else it is the text as written, and half a pair alone is refused where it is."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientchain.loading.yaml_source import YNode, compose
from clientchain.model.org import Org
from clientchain.model.problems import InputError
from tests.conftest import Run
from tests.test_fastload import assert_same, both

CHARACTERS = ["😀", "🚀", "\U0002000b", "\U00010000", "\U0010fffd"]


def _pair(character: str, upper: bool = False, eight: bool = False) -> str:
    """The two escapes JSON writes for `character`, worked out from UTF-16 (`eight`: each
    as YAML's eight-digit escape, `\\U0000D83D`)."""
    units = character.encode("utf-16-be")
    halves = [int.from_bytes(units[k : k + 2], "big") for k in (0, 2)]
    spelled = "".join(f"\\U0000{half:04x}" if eight else f"\\u{half:04x}" for half in halves)
    return spelled.upper().replace("\\U", "\\U" if eight else "\\u") if upper else spelled


def _flattened(root: YNode | None) -> list[tuple[str, int, str, bool]]:
    """Every node of a tree, depth first: kind, line, text, quoted."""
    out: list[tuple[str, int, str, bool]] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        out.append((node.kind, node.line, node.text, node.quoted))
        stack.extend(reversed(node.items))
        for key, value in reversed(node.pairs):
            stack.extend([value, key])
    return out


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        compose(text, "org.yaml")
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("eight", [False, True])
@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("character", CHARACTERS)
def test_a_pair_in_double_quotes_is_its_character(character: str, upper: bool, eight: bool) -> None:
    root = compose(f'id: "a{_pair(character, upper, eight)}b"\n', "org.yaml")
    assert root is not None
    value = root.get("id")
    assert value is not None and value.text == f"a{character}b"


def test_outside_double_quotes_a_pair_is_the_text_as_written() -> None:
    """A plain value, a single-quoted one, a block, a key, a comment: YAML reads their
    backslashes as themselves. The same document with the double-quoted pairs written as
    libyaml's own escape (`\\U0001F600`) is read as the oracle."""
    pair, upper = _pair("😀"), _pair("🚀", upper=True)
    lines = [
        'org: "Acme {dq}"  # {pair} in a comment',
        "roles:",
        "  - id: plain{pair}",
        "    title: 'single {upper}'",
        '    note: "two {dq}{dq} and an escaped backslash \\\\{pair}"',
        "    block: |",
        "      literal {pair}",
        "    folded: >",
        "      folded {upper}",
        "  - {{id: 'b', k{pair}: [x{pair}, \"{dq}\"]}}",
        "  - id: c",
        "    folded_plain: a{high}\\",
        "      {low} b",
        "",
    ]
    high, low = pair[:6], pair[6:]
    text = "\n".join(lines).format(pair=pair, upper=upper, dq=pair, high=high, low=low)
    oracle = "\n".join(lines).format(pair=pair, upper=upper, dq="\\U0001F600", high=high, low=low)
    assert _flattened(compose(text, "org.yaml")) == _flattened(compose(oracle, "org.yaml"))
    root = compose(text, "org.yaml")
    assert root is not None and root.get("org") is not None
    assert root.get("org").text == "Acme 😀"  # type: ignore[union-attr]


HALVES = [
    '"\\ud83d"',  # a high half alone
    '"x\\ude00"',  # a low half alone
    '"\\ude00\\ud83d"',  # the halves the wrong way round
    '"\\U0000D83D x"',  # a high half as YAML may spell it, alone
    '"\\ud83d\\\\ude00"',  # a high half, then a backslash and text
    '"\\ud83d x\\ude00"',  # halves apart
]


@pytest.mark.parametrize("written", HALVES)
@pytest.mark.parametrize("beside", ["", '"\\ud83d\\ude00"'])
def test_half_a_pair_alone_is_refused_at_its_line(written: str, beside: str) -> None:
    text = f"a: {beside or 'x'}\nb:\n  c: {written}\n"
    problems = _problems(text)
    assert len(problems) == 1
    assert problems[0].startswith("org.yaml:3:")
    assert "half a surrogate pair" in problems[0]


@pytest.mark.parametrize("written", HALVES)
def test_half_a_pair_alone_in_json_is_refused_on_both_paths(tmp_path: Path, written: str) -> None:
    path = tmp_path / "org.json"
    chart = f'{{"org": "\\ud83d\\ude00", "roles": [{{"id": "a", "title": {written}}}]}}'
    path.write_text(chart, encoding="ascii")
    fast, precise = both(path)
    assert not isinstance(fast, Org) and isinstance(precise, InputError)
    assert "half a surrogate pair" in str(precise.problems[0])


def test_columns_after_a_pair_on_its_line_are_the_file_s() -> None:
    """json.dump writes a document on one line: a slip after an escaped emoji is at its
    own column in the file."""
    text = '{"roles": [{"id": "\\ud83d\\ude00\\ud83d\\ude80", "title": "x", "id": "b"}]}'
    (problem,) = _problems(text)
    column = text.index('"id": "b"') + 1
    assert problem.startswith(f"org.yaml:1:{column}: key 'id' repeated")


HELD = ["\ue800", "\\uE9ff", "\\U0000efff", "\\ueb99"]  # (U+EB99: a codicon glyph)


@pytest.mark.parametrize("held", HELD)
def test_a_document_holding_the_private_characters_pairs_are_moved_to_reads_alike(
    tmp_path: Path, held: str
) -> None:
    """Pairs are moved to U+E800-EFFF for libyaml to read; a document already holding
    one of those is read by the pure-Python parser instead: the same values, both paths."""
    root = compose(f'a: "{held}"\nb: "\\ud83d\\ude00"  # \\ud83d\\ude00\nc: x\\ud83d\\ude00\n', "f")
    assert root is not None
    values = [value.text for _, value in root.pairs]
    character = held.encode("ascii").decode("unicode_escape") if held[0] == "\\" else held
    assert values == [character, "😀", "x\\ud83d\\ude00"]
    if held.startswith("\\U"):
        return  # (no JSON writer writes \\U)
    path = tmp_path / "org.json"
    path.write_text(f'{{"org": "{held}", "roles": [{{"id": "a\\ud83d\\ude00"}}]}}', "utf-8")
    fast, precise = both(path)
    assert isinstance(precise, Org) and isinstance(fast, Org)
    assert_same(fast, precise)
    assert list(precise.role_ids) == ["a😀"]


@pytest.mark.parametrize("written", HALVES)
def test_half_a_pair_alone_beside_those_characters_is_refused_at_its_line(written: str) -> None:
    problems = _problems(f'a: "\ue800 \\ud83d\\ude00"\nb:\n  c: {written}\n')
    assert len(problems) == 1
    assert problems[0].startswith("org.yaml:3:") and "half a surrogate pair" in problems[0]


@pytest.mark.parametrize("breaks", [1, 2, 3])
@pytest.mark.parametrize("indent", ["", "    ", "\t "])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_pair_broken_over_a_double_quoted_value_s_lines_is_its_character(
    tmp_path: Path, indent: str, newline: str, breaks: int
) -> None:
    """A double-quoted value broken with a backslash between the halves (as PyYAML
    breaks one past 80 columns), once or more: the halves meet in the value, on both
    paths (a review found two breaks in a row read by the fast path alone)."""
    between = f"\\{newline}{indent}" * breaks
    text = f'org: x{newline}roles:{newline}  - id: "a\\ud83d{between}\\ude00"{newline}'
    path = tmp_path / "org.yaml"
    path.write_bytes(text.encode())
    fast, precise = both(path)
    assert isinstance(precise, Org), precise
    assert list(precise.role_ids) == ["a😀"]
    if fast is not None:
        assert_same(fast, precise)


def _chart(titles: list[str]) -> dict[str, object]:
    ids = ["owner", "lead😀", "\U0002000b-desk", "rep"]
    roles: list[dict[str, object]] = [{"id": ids[0], "title": titles[0]}]
    roles += [
        {"id": rid, "reports_to": ids[k], "title": titles[(k + 1) % len(titles)]}
        for k, rid in enumerate(ids[1:])
    ]
    return {
        "org": "Pairs 🚀",
        "clients": [{"id": "buyers🛒"}],
        "roles": roles,
        "flows": [{"from": "buyers🛒", "to": rid, "amount": 10} for rid in ids[1:]],
    }


FLAT_YAML = (
    b'org: "Pairs \\ud83d\\ude80"\nclients:\n  - id: "buyers\\ud83d\\uded2"\nroles:\n'
    b'  - id: owner\n    title: "CEO \\ud83d\\udc54"\n'
    b'  - id: "lead\\ud83d\\ude00"\n    reports_to: owner\n'
    b"flows:\n"
    b'  - {from: "buyers\\ud83d\\uded2", to: "lead\\ud83d\\ude00", amount: 10}\n'
)
WRITTEN: dict[str, Callable[[], bytes]] = {
    "json.dump": lambda: json.dumps(_chart(["CEO 👔", "A"]), indent=2).encode(),
    "json.dump, one line": lambda: json.dumps(_chart(["CEO 👔", "B"])).encode(),
    # (escapes beside characters as they are: the numpy writer's, not the codec's)
    "some characters unescaped": lambda: (
        json.dumps(_chart(["CEO 👔", "Café"])).replace("\\u00e9", "é").encode()
    ),
    # (a string with an escape of its own: written out string by string, by json)
    "a quote escaped": lambda: json.dumps(_chart(['The "big" 👔', "C"])).encode(),
    "flat YAML": lambda: FLAT_YAML,
}


@pytest.mark.parametrize("case", list(WRITTEN))
def test_escaped_pairs_are_read_alike_on_both_paths(tmp_path: Path, case: str) -> None:
    data = WRITTEN[case]()
    assert b"\\ud83d" in data
    path = tmp_path / ("org.yaml" if case == "flat YAML" else "org.json")
    path.write_bytes(data)
    fast, precise = both(path)
    assert isinstance(precise, Org)
    assert isinstance(fast, Org), "a chart json.dump wrote is the fast reader's"
    assert_same(fast, precise)
    assert "lead😀" in list(precise.role_ids)
    if case != "flat YAML":  # (the oracle: JSON's own reader)
        roles = json.loads(data)["roles"]
        assert list(precise.role_ids) == [role["id"] for role in roles]


def test_a_json_dump_with_emoji_is_analysed_and_half_a_pair_is_an_input_problem(
    tmp_path: Path, run: Callable[..., Run]
) -> None:
    org = tmp_path / "org.json"
    org.write_text(json.dumps(_chart(["CEO 👔", "A"]), indent=2), encoding="utf-8")
    result = run("analyze", str(org), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    document = json.loads(result.stdout)
    assert {role["id"] for role in document["roles"]} >= {"lead😀", "\U0002000b-desk"}

    org.write_text('{"roles": [{"id": "a", "title": "x\\ud83d"}]}', encoding="utf-8")
    result = run("analyze", str(org), "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{org}:1:" in result.stderr and "half a surrogate pair" in result.stderr
    assert "Traceback" not in result.stderr


IDS = st.text(
    alphabet=st.sampled_from([*"ab-_ é中", "😀", "\U0002000b", "\ue800", "\uefff", "\\"]),
    min_size=1,
    max_size=5,
).filter(str.strip)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ids=st.lists(IDS, min_size=1, max_size=5, unique=True), ascii_only=st.booleans())
def test_whatever_json_dump_escapes_is_read_as_json_reads_it(
    ids: list[str], ascii_only: bool
) -> None:
    """Ids of characters beyond the BMP, private ones, backslashes: json.dump writes them,
    both paths read the ids JSON's own reader reads."""
    roles = [
        {"id": rid} if k == 0 else {"id": rid, "reports_to": ids[0]} for k, rid in enumerate(ids)
    ]
    data = json.dumps({"org": "x", "roles": roles}, ensure_ascii=ascii_only).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "org.json"
        path.write_bytes(data)
        fast, precise = both(path)
    assert isinstance(precise, Org), precise
    assert list(precise.role_ids) == [role["id"] for role in json.loads(data)["roles"]]
    if fast is not None:
        assert_same(fast, precise)


HEAD = 'org: "Acme \\ud83d\\ude00"\nroles:\n  - id: a\n    title: "{glyph} lead"\n'
# What libyaml reads that PyYAML's pure-Python parser would not, or words otherwise.
LIBYAML_READS = [
    "  - id: b\t# c\n    reports_to: a\n",
    "  - id: b\n    reports_to:\ta\n",
    "  - {id: b,\treports_to: a}\n",
    "  - {id: b, reports_to: a, title: what?now}\n",
    "  - id: b\n    reports_to: a\npolicy:\n  fail_on:\tnever\n",
    "  - id: b\n    reports_to: a  # images under D:\\uefi\\boot\n",
]


@pytest.mark.parametrize("glyph", ["x", "\ueb99"])
@pytest.mark.parametrize("rest", LIBYAML_READS)
def test_a_chart_with_pairs_and_private_characters_is_read_as_libyaml_reads_it(
    tmp_path: Path, rest: str, glyph: str
) -> None:
    """A private character (U+EB99, a codicon glyph) beside a pair changes nothing of how
    the rest is read (found by a review: a fallback parser read these otherwise)."""
    path = tmp_path / "org.yaml"
    path.write_text(HEAD.format(glyph=glyph) + rest, encoding="utf-8")
    fast, precise = both(path)
    assert isinstance(precise, Org), precise
    assert precise.name == "Acme 😀"
    if fast is not None:
        assert_same(fast, precise)


@pytest.mark.parametrize("glyph", ["x", "\ueb99"])
def test_an_escape_past_u10ffff_beside_a_pair_is_an_input_problem(
    tmp_path: Path, run: Callable[..., Run], glyph: str
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(f'org: "{glyph} \\ud83d\\ude00"\nroles:\n  - id: a\n    title: "\\U00110000"\n')
    result = run("validate", str(org))
    assert result.exit_code == 2
    assert f"{org}:4:" in result.stderr and "past U+10FFFF" in result.stderr


@pytest.mark.parametrize("glyph", ["x", "\ueb99"])
def test_half_a_pair_is_refused_at_its_escape_beside_private_characters(glyph: str) -> None:
    text = f'org: "{glyph} \\ud83d\\ude00"\nroles:\n  - id: a\n    title: "x\n      \\ud83d y"\n'
    (problem,) = _problems(text)
    assert problem.startswith("org.yaml:5:")


def test_a_chart_holding_every_private_block_reads_its_pairs_alike(tmp_path: Path) -> None:
    """Icons spread over the private-use area (a Nerd Font's) leave the halves no private
    block: they go to another the chart holds nothing of, on both paths (found by a
    review: the precise path refused them)."""
    icons = "".join(chr(block + 7) for block in range(0xE000, 0xF800, 0x400))
    path = tmp_path / "org.json"
    path.write_text(json.dumps({"org": "&o x", "roles": [{"id": icons + "😀"}]}), "utf-8")
    fast, precise = both(path)
    assert isinstance(precise, Org), precise
    assert list(precise.role_ids) == [icons + "😀"]
    if fast is not None:
        assert_same(fast, precise)
    yaml_text = f'org: &o x\nroles:\n  - id: "{icons}\\ud83d\\ude00"\n'
    root = compose(yaml_text, "org.yaml")
    assert root is not None


ERRORS_NEAR_PAIRS = [
    ('title: "\\ud83d\\ude00 x\\ud83d"\n', "1:"),
    ('org: x\nroles:\n  - id: "lead\\ud83d\\ude00\n  - id: b\n', "5:"),
    ('{"org": "x\\ud83d\\ude00", "roles": [{"id": "a", "title": "y\\ud83d"}]}', "1:"),
    ('{"org": "x\\ud83d\\ude00", "roles": [{"id": "a", "title": "y\\q"}]}', "1:"),
    ('org: x\nroles:\n  - {id: "a\\ud83d\\ude00", title: "b\\ud83d"}\n', "3:"),
    ('["\\ud83d\\ude00", "\\U00110000"]\n', "1:"),
]


@pytest.mark.parametrize(("text", "line"), ERRORS_NEAR_PAIRS)
def test_a_slip_near_a_pair_is_worded_where_it_is(text: str, line: str) -> None:
    """The slip libyaml finds with the pair spelt as its own escape (`\\U0001F600`, two
    characters shorter: on the pair's line, its column two more), not the pair (found by
    a review)."""
    (problem,) = _problems(text)
    (oracle,) = _problems(text.replace("\\ud83d\\ude00", "\\U0001F600", 1))
    where, oracle_where = problem.split(": ")[0], oracle.split(": ")[0]
    file_, at_line, column = where.split(":")
    assert f"{at_line}:" == line
    pair_line = text[: text.index("\\ud83d\\ude00")].count("\n") + 1
    shift = 2 if int(at_line) == pair_line else 0
    assert oracle_where == f"{file_}:{at_line}:{int(column) - shift}"
    assert problem.split(": ", 1)[1] == oracle.split(": ", 1)[1]


@pytest.mark.parametrize("between", ["\\\u2028", "\\\x85", "\\\u2029"])
def test_a_pair_broken_by_an_escaped_unicode_line_break_is_its_character(between: str) -> None:
    root = compose(f'id: "a\\ud83d{between}  \\ude00"\n', "org.yaml")
    assert root is not None and root.get("id") is not None
    assert root.get("id").text == "a😀"  # type: ignore[union-attr]


def test_a_key_repeated_with_a_pair_in_it_is_still_a_problem_where_the_reading_stops() -> None:
    """The last value read before the parser stops holds a pair: put back as written like
    every other outside double quotes, so the repeated key is still seen (a review)."""
    problems = _problems('k\\ud83d\\ude00: 1\nk\\ud83d\\ude00: "\\ud83d"\n')
    assert len(problems) == 2
    assert problems[0].startswith("org.yaml:2:1: key 'k\\ud83d\\ude00' repeated")
    assert problems[1].startswith("org.yaml:2:19:") and "half a surrogate pair" in problems[1]


def _every_block() -> str:
    """A character of every block of 1,024 in the BMP but the surrogates' (a chart in many
    scripts and icons), and the escapes YAML names (`\\L`, `\\P`, `\\N`, `\\_`)."""
    blocks = [b for b in range(0x400, 0x10000, 0x400) if not 0xD800 <= b < 0xE000]
    return "".join(chr(block + 0x41) for block in blocks) + "\\L\\P\\N\\_"


def test_a_chart_in_every_block_of_the_bmp_reads_its_pairs_alike(tmp_path: Path) -> None:
    """Wherever the halves go, the chart holds nothing of it (a review found a chart
    holding every block but one refused, and `\\L` taken for a moved half)."""
    path = tmp_path / "org.yaml"
    path.write_text(
        f'org: "Acme \\ud83d\\ude80"\nroles:\n  - id: owner\n    title: "{_every_block()}"\n'
        '  - id: "lead\\ud83d\\ude00"\n    reports_to: owner\n    note: |\n      block\n',
        encoding="utf-8",
    )
    fast, precise = both(path)
    assert isinstance(precise, Org), precise
    assert list(precise.role_ids) == ["owner", "lead😀"]
    assert precise.name == "Acme 🚀"
    if fast is not None:
        assert_same(fast, precise)
