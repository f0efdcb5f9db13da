"""The YAML reader keeps text literal, keeps positions, and refuses what would lose data."""

from __future__ import annotations

import pytest

from clientchain.loading.yaml_source import compose, decode
from clientchain.model.problems import InputError


def messages(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        compose(text, "org.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("word", ["no", "on", "yes", "0755", "1e3", "2024-01-01", ".inf", "~x"])
def test_scalars_stay_the_literal_text(word: str) -> None:
    root = compose(f"id: {word}\n", "org.yaml")
    assert root is not None
    value = root.get("id")
    assert value is not None
    assert value.text == word
    assert not value.quoted


def test_quoted_scalars_are_marked_as_text() -> None:
    root = compose("a: '3'\nb: \"3\"\nc: 3\n", "org.yaml")
    assert root is not None
    assert [v.quoted for _, v in root.pairs] == [True, True, False]


def test_positions_are_one_based_line_and_column() -> None:
    root = compose("roles:\n  - id: seller\n", "org.yaml")
    assert root is not None
    roles = root.get("roles")
    assert roles is not None
    item = roles.items[0]
    seller = item.get("id")
    assert seller is not None
    assert (seller.line, seller.column) == (2, 9)


def test_repeated_key_is_refused_at_the_repeat() -> None:
    assert messages("id: a\ntitle: x\nid: b\n") == [
        "org.yaml:3:1: key 'id' repeated in this mapping (first at line 1);"
        " YAML would silently keep only the last one"
    ]


@pytest.mark.parametrize(
    "text", ["x: !!python/object/apply:os.system [echo hi]\n", "x: !custom 1\n", "x: !!set {a}\n"]
)
def test_object_tags_are_refused_never_constructed(text: str) -> None:
    (message,) = messages(text)
    assert message.startswith("org.yaml:1:4: tag '")
    assert "never constructs objects from tags" in message


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        refs = ",".join([f"*{prev}"] * 9)
        lines.append(f"{name}: &{name} [{refs}]")
    (message,) = messages("\n".join(lines) + "\n")
    assert "billion laughs" in message


def test_deep_nesting_does_not_hit_the_recursion_limit() -> None:
    depth = 900  # below the nesting limit PyYAML 6.0.4 introduced (1,000)
    root = compose("x: " + "[" * depth + "]" * depth + "\n", "org.yaml")
    assert root is not None
    assert root.size == depth + 2


def test_nesting_beyond_the_parsers_limit_is_a_problem_not_a_crash() -> None:
    """20,000 levels: composed (older PyYAML) or refused at a position; never a
    RecursionError."""
    text = "x: " + "[" * 20_000 + "]" * 20_000 + "\n"
    try:
        root = compose(text, "org.yaml")
    except InputError as exc:
        (problem,) = exc.problems
        assert str(problem).startswith("org.yaml:1:")
        assert "invalid YAML" in problem.message
    else:
        assert root is not None and root.size == 20_002


def test_syntax_error_has_the_parsers_position() -> None:
    (message,) = messages("roles:\n  - id: a\n   bad: [\n")
    assert message.startswith("org.yaml:3:")
    assert "invalid YAML" in message


def test_more_than_one_document_is_refused() -> None:
    (message,) = messages("a: 1\n---\nb: 2\n")
    assert message == "org.yaml:2:1: expected one YAML document, found more"


def test_merge_keys_are_refused_not_guessed() -> None:
    (message,) = messages("base: &b {x: 1}\nrole:\n  <<: *b\n")
    assert "merge keys" in message


def test_utf8_bom_is_accepted_and_bad_bytes_are_located() -> None:
    assert decode(b"\xef\xbb\xbfid: a\n", "org.yaml") == "id: a\n"
    with pytest.raises(InputError) as caught:
        decode(b"id: a\ntitle: caf\xe9\n", "org.yaml")
    assert str(caught.value.problems[0]) == (
        "org.yaml:2:11: not UTF-8 text: byte 0xe9 at offset 16"
    )


@pytest.mark.parametrize(
    ("text", "where", "code"),
    [
        ("roles:\n  - id: a  # hi \x1b[31m red\n", "org.yaml:2:17:", "U+001B"),
        ('org: X\nroles:\n  - id: a\n    title: "x\x1by"\n', "org.yaml:4:14:", "U+001B"),
        ("org: Ünïcödé 日本\nroles:\n  - id: a  # hé \x07\n", "org.yaml:3:17:", "U+0007"),
    ],
    ids=["comment", "quoted", "after-unicode"],
)
def test_a_control_character_is_located_by_line_and_column(
    text: str, where: str, code: str
) -> None:
    """libyaml refuses control characters anywhere, comments included, and names a byte
    offset into the text's UTF-8: the problem says the line and column (in characters)
    and the character's code point, never the character itself."""
    (message,) = messages(text)
    assert message == f"{where} invalid YAML: character {code}: control characters are not allowed"


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\x85", "\u2028"], ids=repr)
def test_a_control_character_is_on_the_line_yaml_counts(brk: str) -> None:
    """Lines end where YAML says they do (CR, NEL and LS too), as libyaml's own marks
    count them for every other problem."""
    (control,) = messages(f"org: X{brk}roles: []{brk}# x\x07{brk}")
    (repeated,) = messages(f"org: X{brk}roles: []{brk}org: Y{brk}")
    assert control.startswith("org.yaml:3:4: invalid YAML: character U+0007")
    assert repeated.startswith("org.yaml:3:1:")


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\x85", "\u2028"], ids=repr)
def test_a_bad_byte_is_located_as_every_other_problem_is(brk: str) -> None:
    """Not UTF-8: the line as YAML breaks lines, the column in characters (an accented
    letter before it is one column, not two), as every other message about the file."""
    lines = ["org: Ünïcödé", "roles: []", "# café ", "x"]
    before = brk.join(lines[:3]).encode("utf-8")
    with pytest.raises(InputError) as caught:
        decode(before + b"\xff" + brk.encode("utf-8") + b"x\n", "org.yaml")
    assert str(caught.value.problems[0]) == (
        f"org.yaml:3:{len(lines[2]) + 1}: not UTF-8 text: byte 0xff at offset {len(before)}"
    )
    # After a byte order mark: the same line and column, the offset the file's own.
    with pytest.raises(InputError) as caught:
        decode(b"\xef\xbb\xbf" + before + b"\xff\n", "org.yaml")
    assert str(caught.value.problems[0]) == (
        f"org.yaml:3:{len(lines[2]) + 1}: not UTF-8 text: byte 0xff at offset {len(before) + 3}"
    )
