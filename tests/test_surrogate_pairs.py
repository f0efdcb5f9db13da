"""A character beyond the BMP written as JSON escapes it (`\\ud83d\\ude00`, what
`json.dump` writes for 😀) is that character in a double-quoted value, on both paths;
anywhere else it is the text as written, and half a pair alone is refused where it is."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from clientchain.loading.yaml_source import YNode, compose
from clientchain.model.org import Org
from clientchain.model.problems import InputError
from tests.conftest import Run
from tests.test_fastload import assert_same, both

CHARACTERS = ["😀", "🚀", "\U0002000b", "\U00010000", "\U0010fffd"]


def _pair(character: str, upper: bool = False) -> str:
    """The two escapes JSON writes for `character`, worked out from UTF-16."""
    units = character.encode("utf-16-be")
    halves = [int.from_bytes(units[k : k + 2], "big") for k in (0, 2)]
    spelled = "".join(f"\\u{half:04x}" for half in halves)
    return spelled.upper().replace("\\U", "\\u") if upper else spelled


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


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("character", CHARACTERS)
def test_a_pair_in_double_quotes_is_its_character(character: str, upper: bool) -> None:
    root = compose(f'id: "a{_pair(character, upper)}b"\n', "org.yaml")
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
        "",
    ]
    text = "\n".join(lines).format(pair=pair, upper=upper, dq=pair)
    oracle = "\n".join(lines).format(pair=pair, upper=upper, dq="\\U0001F600")
    assert _flattened(compose(text, "org.yaml")) == _flattened(compose(oracle, "org.yaml"))
    root = compose(text, "org.yaml")
    assert root is not None and root.get("org") is not None
    assert root.get("org").text == "Acme 😀"  # type: ignore[union-attr]


HALVES = [
    '"\\ud83d"',  # a high half alone
    '"x\\ude00"',  # a low half alone
    '"\\ude00\\ud83d"',  # the halves the wrong way round
    '"\\ud83d\\U0000DE00"',  # a low half spelt as no JSON writer spells it
    '"\\U0000D83D\\U0000DE00"',  # both so
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


@pytest.mark.parametrize("held", ["\ue800", "\\uE9ff", "\\U0000efff"])
def test_a_document_holding_the_private_characters_pairs_are_moved_to_is_refused(
    held: str,
) -> None:
    """Where the pairs could not be told apart from what is written, the document is
    refused as libyaml refuses it, never read otherwise."""
    problems = _problems(f'a: "{held}"\nb: "\\ud83d\\ude00"\n')
    assert len(problems) == 1 and problems[0].startswith("org.yaml:2:")


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
