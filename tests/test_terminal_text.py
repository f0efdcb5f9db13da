"""Text from an org chart is never markup, never terminal control codes, and never makes
a renderer slow: the CLI run as a user runs it (a subprocess), on org charts written by
someone else.

Every user text that reaches a terminal, a CI log or a rendered page shows control, bidi
and line-separator characters as escapes (`\\x1b`, `\\u202e`) and a long text cut in the
middle; the JSON keeps the exact text.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from clientchain.model.visible import HIDDEN, LIMIT, clip, visible, visible_message

# Code points that must never reach a terminal raw (the newline aside: output's own).
FORBIDDEN = frozenset(
    [*(chr(c) for c in range(0x20) if c != 0x0A), "\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Ran:
    """`clientchain ARGS...` in a subprocess, with a page 200 columns wide when piped."""
    environment = {**os.environ, "COLUMNS": "200", **(env or {})}
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        if name not in (env or {}):
            environment.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "clientchain", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        check=False,
    )
    # Strict UTF-8: a lone surrogate or a broken sequence would fail here.
    return Ran(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


def raw(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if c in FORBIDDEN})


def q(text: str) -> str:
    """A YAML double-quoted scalar for any text (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=True)


def org_file(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- markup ----------------------------------------------------------------------------


@pytest.mark.slow
def test_markup_in_a_department_is_shown_literally(tmp_path: Path) -> None:
    org_file(tmp_path, "org.yaml", ["org: '[bold]Acme[/x]'", "roles:", "  - id: owner"])
    org_file(
        tmp_path,
        "new.yaml",
        ["roles:", "  - id: owner", "  - id: seller", "    department: sales[/x]"],
    )
    result = cli("analyze", "new.yaml", cwd=tmp_path)
    assert (result.code, result.stderr) == (0, "")
    row = next(line for line in result.stdout.splitlines() if "seller" in line)
    assert row.split("│")[2].strip() == "sales[/x]"
    diff = cli("diff", "org.yaml", "new.yaml", cwd=tmp_path)
    assert (diff.code, diff.stderr) == (0, "")
    assert diff.stdout.splitlines()[0].startswith("╭─ [bold]Acme[/x] ─")
    assert "│ seller │ — (top)    │ sales[/x]  │" in diff.stdout  # the role added


LINK = "[link=https://example.invalid/login]Open HR portal[/link]"


@pytest.mark.slow
def test_a_markup_link_is_text_not_a_hyperlink(tmp_path: Path) -> None:
    org_file(
        tmp_path,
        "org.yaml",
        [
            f"org: {q(LINK)}",
            "roles:",
            "  - id: owner",
            f"    title: {q(LINK)}",
            f"    department: {q(LINK)}",
        ],
    )
    # Wide enough for the title and the department whole, side by side.
    plain = cli("analyze", "org.yaml", cwd=tmp_path, env={"COLUMNS": "240"})
    assert (plain.code, plain.stderr) == (0, "")
    assert plain.stdout.splitlines()[0].startswith(f"╭─ {LINK} ─")
    assert f"│ owner{' ' * (len(LINK) - 5)} │ {LINK} │" in plain.stdout
    assert f"│ {LINK} │" in plain.stdout  # the title, under the id
    # In colour (as on a terminal), the text is still the same characters, never OSC 8.
    coloured = cli("analyze", "org.yaml", cwd=tmp_path, env={"FORCE_COLOR": "1", "COLUMNS": "240"})
    assert coloured.code == 0
    assert "\x1b[" in coloured.stdout  # colour is on...
    assert "\x1b]8;" not in coloured.stdout  # ...but no hyperlink
    assert coloured.stdout.count(LINK) == 3
    chain = cli("chain", "org.yaml", "owner", cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert chain.code == 0 and "\x1b]8;" not in chain.stdout


# --- escape sequences and other invisible characters ----------------------------------


@pytest.mark.slow
def test_an_escape_sequence_in_an_unknown_id_is_shown_escaped_on_stderr(tmp_path: Path) -> None:
    org_file(
        tmp_path,
        "org.yaml",
        [
            "roles:",
            "  - id: owner",
            "  - id: seller",
            f"    reports_to: {q(chr(27) + '[2Jboss')}",
            f"  - id: {q(chr(27) + '[31mboss')}",
            "  - id: clerk",
            f"    reports_to: {q(chr(27) + '[31mbos')}",
            "  - id: temp",
            f"    reports_to: {q('bo' + chr(10) + 'ss')}",
        ],
    )
    expected = [
        "org.yaml:4:17: reports_to: unknown role '\\x1b[2Jboss'",
        "org.yaml:7:17: reports_to: unknown role '\\x1b[31mbos' (did you mean '\\x1b[31mboss'?)",
        "org.yaml:9:17: reports_to: unknown role 'bo\\x0ass'",  # one line: the newline shown
    ]
    validated = cli("validate", "org.yaml", cwd=tmp_path)
    assert (validated.code, validated.stdout) == (2, "")
    assert validated.stderr.splitlines() == [*expected, "clientchain: 3 problems in org.yaml"]
    analysed = cli("analyze", "org.yaml", cwd=tmp_path)
    assert (analysed.code, analysed.stdout) == (2, "")
    assert analysed.stderr.splitlines() == [*expected, "clientchain: 3 problems in the input"]


@pytest.mark.slow
def test_escapes_in_ids_titles_and_the_org_name_in_the_table_chain_and_diff(
    tmp_path: Path,
) -> None:
    esc = "\x1b[2J"
    org_file(
        tmp_path,
        "org.yaml",
        [
            f"org: {q('Acme' + esc + chr(7))}",
            "roles:",
            f"  - id: {q(esc + 'owner')}",
            f"    title: {q(chr(0x202E) + 'evil' + chr(0x2066) + 'x' + chr(0x2069))}",
            f"    department: {q('ops' + chr(0x9B) + '2J' + chr(0x2028) + 'x')}",
            "  - id: seller",
            f"    reports_to: {q(esc + 'owner')}",
            f"    title: {q('bell' + chr(7) + chr(0x7F) + chr(0x85))}",
        ],
    )
    table = cli("analyze", "org.yaml", cwd=tmp_path)
    assert table.code == 0, table.stderr
    assert raw(table.stdout + table.stderr) == []
    assert table.stdout.splitlines()[0].startswith("╭─ Acme\\x1b[2J\\x07 ─")
    cells = [
        [cell.strip() for cell in line.split("│")[1:3]]
        for line in table.stdout.splitlines()
        if line.startswith("│ ") and "│" in line[2:]
    ]
    assert ["\\x1b[2Jowner", "ops\\x9b2J\\u2028x"] in cells
    assert ["\\u202eevil\\u2066x\\u2069", ""] in cells
    assert ["bell\\x07\\x7f\\x85", ""] in cells
    assert "org.yaml:3: warning CC102 '\\x1b[2Jowner' receives no money" in table.stdout

    chain = cli("chain", "org.yaml", "seller", cwd=tmp_path)
    assert chain.code == 0 and raw(chain.stdout) == []
    unknown = cli("chain", "org.yaml", esc + "owne", cwd=tmp_path)
    assert (unknown.code, unknown.stdout) == (2, "")
    assert unknown.stderr == (
        "clientchain: unknown role '\\x1b[2Jowne' in org.yaml (did you mean '\\x1b[2Jowner'?)\n"
    )

    org_file(tmp_path, "old.yaml", ["roles:", "  - id: owner"])
    diff = cli("diff", "old.yaml", "org.yaml", cwd=tmp_path)
    assert diff.code == 0, diff.stderr
    assert raw(diff.stdout + diff.stderr) == []
    assert "│ \\x1b[2Jowner │ — (top)      │ ops\\x9b2J\\u2028x │  1 │" in diff.stdout
    assert "│ seller       │ \\x1b[2Jowner │                  │  1 │" in diff.stdout


def test_json_keeps_the_exact_text(tmp_path: Path) -> None:
    odd = "\x1b]8;;https://example.invalid\x07click\x1b]8;;\x07\u202e\x9b[/x]"
    org_file(tmp_path, "org.yaml", [f"org: {q(odd)}", "roles:", f"  - id: {q(odd)}"])
    result = cli("analyze", "org.yaml", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["org"] == odd
    assert document["roles"][0]["id"] == odd


@pytest.mark.slow
def test_github_annotations_show_escapes_and_stay_one_command_per_line(tmp_path: Path) -> None:
    org_file(
        tmp_path,
        "org.yaml",
        [
            f"org: {q('Acme' + chr(27) + '[2J')}",
            "roles:",
            f"  - id: {q(chr(27) + '[2Jowner' + chr(0x202E))}",
            f"  - id: {q('x' + chr(10) + '::error::injected' + chr(0x2028) + '::warning::y')}",
        ],
    )
    result = cli("analyze", "org.yaml", "--format", "github", cwd=tmp_path)
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "::warning file=org.yaml,line=3,col=1,title=CC102 no-paying-client::"
        "'\\x1b[2Jowner\\u202e' receives no money",
        "::warning file=org.yaml,line=4,col=1,title=CC102 no-paying-client::"
        "'x%0A::error::injected\\u2028::warning::y' receives no money",
        "::notice title=clientchain::Acme\\x1b[2J: 0 errors, 2 warnings;"
        " org alienation 1.000; 0 inverted relationships",
    ]
    # Input problems as annotations too.
    org_file(tmp_path, "bad.yaml", ["roles:", "  - id: a", f"    reports_to: {q(chr(27) + 'b')}"])
    bad = cli("analyze", "bad.yaml", "--format", "github", cwd=tmp_path)
    assert bad.code == 2
    assert bad.stdout == (
        "::error file=bad.yaml,line=3,col=17,title=clientchain input error::"
        "reports_to: unknown role '\\x1bb'\n"
    )


@pytest.mark.slow
def test_markdown_shows_escapes_and_keeps_its_own_escaping(tmp_path: Path) -> None:
    org_file(
        tmp_path,
        "org.yaml",
        [
            f"org: {q('Acme' + chr(27) + '[2J')}",
            "roles:",
            f"  - id: {q(chr(27) + '[2Jowner')}",
            f"    department: {q('a|b' + chr(0x202E) + '<i>')}",
        ],
    )
    result = cli("analyze", "org.yaml", "--format", "markdown", cwd=tmp_path)
    assert (result.code, result.stderr) == (0, "")
    assert raw(result.stdout) == []
    lines = result.stdout.splitlines()
    assert lines[0] == "### ✅ clientchain: Acme\\\\x1b\\[2J: 0 errors, 1 warning"
    assert "| \\\\x1b\\[2Jowner | a\\|b\\\\u202e\\<i\\> | 1 | 1.000 | none |  |" in lines
    org_file(tmp_path, "old.yaml", ["roles:", "  - id: owner"])
    diff = cli("diff", "old.yaml", "org.yaml", "--format", "markdown", cwd=tmp_path)
    assert diff.code == 0, diff.stderr
    assert raw(diff.stdout) == []
    assert "| \\\\x1b\\[2Jowner | — (top) | a\\|b\\\\u202e\\<i\\> | 1 | 1.000 |" in diff.stdout


@pytest.mark.slow
def test_graph_exports_show_escapes_and_graphml_is_xml(tmp_path: Path) -> None:
    org_file(
        tmp_path,
        "org.yaml",
        [
            f"org: {q('Acme' + chr(27) + '[2J')}",
            "roles:",
            f"  - id: {q('bell' + chr(7))}",
            f"    title: {q(chr(0x202E) + 'evil' + chr(27) + ']8;;x' + chr(7))}",
        ],
    )
    for to in ("dot", "mermaid"):
        result = cli("export", "org.yaml", "--to", to, cwd=tmp_path)
        assert (result.code, result.stderr) == (0, ""), to
        assert raw(result.stdout) == [], to
    # XML 1.0 cannot carry U+0007 at all: refused with the id shown escaped, never
    # written as an invalid file or renamed into an id that could be another role's.
    graphml = cli("export", "org.yaml", "--to", "graphml", cwd=tmp_path)
    assert (graphml.code, graphml.stdout) == (2, "")
    assert graphml.stderr == (
        "clientchain: org.yaml: the org chart has the control character U+001B, which GraphML"
        " (XML 1.0) cannot carry; rename it, or export --to json or dot\n"
    )
    exported = cli("export", "org.yaml", "--to", "json", cwd=tmp_path)
    assert json.loads(exported.stdout)["nodes"][0]["id"] == "bell\x07"  # exact in JSON


def test_a_written_file_named_with_an_escape_is_named_visibly(tmp_path: Path) -> None:
    org_file(tmp_path, "org.yaml", ["roles:", "  - id: owner"])
    result = cli("export", "org.yaml", "-o", "out\x1b[2J.dot", cwd=tmp_path)
    assert result.code == 0
    assert result.stderr == "clientchain: wrote 1 node and 0 edges to out\\x1b[2J.dot\n"
    assert (tmp_path / "out\x1b[2J.dot").exists()


# --- very long text --------------------------------------------------------------------

BIG = "r" + "x" * 1_000_000 + "z"


@pytest.mark.slow
def test_a_one_megabyte_id_is_cut_for_people_and_whole_in_json(tmp_path: Path) -> None:
    big = BIG
    org_file(
        tmp_path,
        "org.yaml",
        [
            f"org: {'O' * 1_000_000}",
            f"currency: {'C' * 1_000_000}",
            "roles:",
            f"  - id: {big}",
            f"    title: {'T' * 1_000_000}",
            f"    department: {'D' * 1_000_000}",
            "  - id: clerk",
            f"    reports_to: {big}",
        ],
    )
    assert clip(big) == big[:50] + "…" + big[-49:]
    quoted = f"'{big[:49]}…{big[-48:]}'"  # a quoted id in a message: cut with its quotes
    table = cli("analyze", "org.yaml", cwd=tmp_path)
    assert table.code == 0, table.stderr
    assert len(table.stdout) < 20_000
    assert "O" * 50 + "…" in table.stdout.splitlines()[0]
    assert "'rxxxxxxxxx" in table.stdout and "xxz' receives no money" in table.stdout
    for fmt in ("github", "markdown"):
        result = cli("analyze", "org.yaml", "--format", fmt, cwd=tmp_path)
        assert result.code == 0, (fmt, result.stderr)
        assert len(result.stdout) < 20_000, fmt
        assert f"{quoted} receives no money" in result.stdout, fmt
    chain = cli("chain", "org.yaml", "clerk", cwd=tmp_path)
    assert chain.code == 0 and len(chain.stdout) < 5_000
    document = cli("analyze", "org.yaml", "--format", "json", cwd=tmp_path)
    assert [role["id"] for role in json.loads(document.stdout)["roles"]] == [big, "clerk"]

    org_file(
        tmp_path, "bad.yaml", ["roles:", f"  - id: {big}", "  - id: b", f"    reports_to: {big}y"]
    )
    bad = cli("validate", "bad.yaml", cwd=tmp_path)
    assert bad.code == 2
    assert bad.stderr.splitlines() == [
        f"bad.yaml:4:17: reports_to: unknown role '{big[:49]}…{big[-47:]}y'",
        "clientchain: 1 problem in bad.yaml",
    ]


# --- the functions ---------------------------------------------------------------------


def test_ordinary_text_is_shown_as_it_is() -> None:
    for text in ("sales-manager", "Head of Sales, EMEA", "日本語 é 😀", "a\\x1b", "x" * 90):
        assert visible(text) == text
        assert clip(text) == text
        message = f"reports_to: unknown role '{text}' (did you mean '{text}s'?)"
        assert visible_message(message) == message
    assert clip("x" * LIMIT) == "x" * LIMIT
    assert clip("x" * (LIMIT + 1)) == "x" * 50 + "…" + "x" * 49


@pytest.mark.parametrize("code", [*range(0x20), 0x7F, *range(0x80, 0xA0)])
def test_every_control_character_is_an_escape(code: int) -> None:
    assert visible(f"a{chr(code)}b") == f"a\\x{code:02x}b"


@pytest.mark.parametrize("char", sorted(FORBIDDEN - {chr(c) for c in range(0x100)}))
def test_every_bidi_and_separator_character_is_an_escape(char: str) -> None:
    assert visible(char) == f"\\u{ord(char):04x}"


def test_nothing_forbidden_is_left_and_nothing_else_is_touched() -> None:
    assert {chr(c) for c in range(0x3000) if HIDDEN.match(chr(c))} == FORBIDDEN | {"\n"}


@pytest.mark.parametrize(
    "text",
    [
        "\x1b" * 30,
        "a" + "\x1b" * 200,
        "é" * 150,
        "x" * 99 + "\u202e",
        "\u202e" * 17,
        "ab\x07" * 1000,
        "x" * 10_000,
    ],
)
def test_a_cut_is_short_and_never_inside_an_escape(text: str) -> None:
    shown = clip(text)
    assert len(shown) <= LIMIT
    assert raw(shown) == []
    head, tail = shown.split("…")
    # Each side is whole shown characters: the start and the end of `text`.
    assert _whole(text, head) and _whole(text[::-1], tail, backwards=True)
    assert clip(shown) == shown  # shown text is shown as it is


def _whole(text: str, part: str, backwards: bool = False) -> bool:
    """Whether `part` is the shown form of a number of whole characters from `text`."""
    built = ""
    for char in text:
        if len(built) >= len(part):
            break
        built = visible(char) + built if backwards else built + visible(char)
    return built == part


def test_a_long_message_keeps_its_shape() -> None:
    message = f"'{'x' * 10_000_000}' is a net payer of its subordinate 'clerk' (net 1 EUR)"
    assert visible_message(message) == (
        f"'{'x' * 49}…{'x' * 48}' is a net payer of its subordinate 'clerk' (net 1 EUR)"
    )
    many = " ".join(["ab\x1b"] * 100_000)
    shown = visible_message(many)
    assert "…" in shown and raw(shown) == []
    assert all(word in ("ab\\x1b", "…") for word in shown.replace("…", " … ").split())
