"""The command line as a user and a CI job see it: exit code, stdout and stderr together."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from clientchain import __version__
from tests.conftest import Run

Write = Callable[[str, str], Path]
Runner = Callable[..., Run]

SHOP = """
org: Corner Shop
currency: EUR
clients: [{id: buyers, title: Walk-in buyers}]
roles:
  - {id: owner, title: Owner}
  - {id: seller, reports_to: owner, headcount: 2}
  - {id: cleaner, reports_to: owner}
flows:
  - {from: buyers, to: seller, amount: 1000.10}
  - {from: seller, to: owner, amount: 800.20}
"""

INVERTED = SHOP + "  - {from: owner, to: cleaner, amount: 100}\n"


@pytest.fixture
def shop(write: Write) -> Path:
    return write("org.yaml", SHOP)


def test_analyze_table_exits_0_without_error_findings(run: Runner, shop: Path) -> None:
    result = run("analyze", str(shop))
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "Corner Shop" in result.stdout
    assert "1,000.10 EUR" in result.stdout  # money in, the input's own decimals
    assert "CC102" in result.stdout  # the cleaner has no paying client (a warning)
    assert "\x1b[" not in result.stdout  # no colour codes when not on a terminal


def test_inversion_is_an_error_exit_1(run: Runner, write: Write) -> None:
    path = write("org.yaml", INVERTED)
    result = run("analyze", str(path))
    assert result.exit_code == 1
    assert "owner" in result.stdout and "cleaner" in result.stdout
    assert "CC101" in result.stdout


def test_json_is_one_document_and_nothing_else(run: Runner, write: Write) -> None:
    path = write("org.yaml", INVERTED)
    result = run("analyze", str(path), "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1
    assert [r["id"] for r in doc["roles"]] == ["owner", "seller", "cleaner"]
    assert doc["summary"]["money_in"] == 1000.1
    assert doc["inversions"][0]["boss"] == "owner"
    assert doc["roles"][2]["chain_broken_at"] == {"boss": "owner", "subordinate": "cleaner"}
    assert "NaN" not in result.stdout


def test_bad_input_exit_2_problems_on_stderr_only(run: Runner, write: Write) -> None:
    path = write("org.yaml", "roles:\n  - {id: a, reports_to: b}\n  - {id: a}\n")
    result = run("analyze", str(path), "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:2:25: reports_to: unknown role 'b'",
        f"{path}:3:10: duplicate id 'a' (first at line 2); ids must be unique across roles and"
        " clients",
        "clientchain: 2 problems in the input",
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["analyze", "{org}", "--decay", "1.5"], "must be between 0 and 1"),
        (["analyze", "{org}", "--decay", "0"], "must be between 0 and 1"),
        (["analyze", "{org}", "--format", "xml"], "'xml' is not one of"),
        (["analyze", "{org}", "--no-such-option"], "No such option"),
        (["analyze", "{dir}/missing.yaml"], "file not found"),
        (["chain", "{org}", "selr"], "unknown role 'selr' in"),
    ],
)
def test_usage_errors_exit_2(run: Runner, shop: Path, args: list[str], expected: str) -> None:
    filled = [a.format(org=shop, dir=shop.parent) for a in args]
    result = run(*filled)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stdout == ""


def test_unknown_role_gets_a_hint(run: Runner, shop: Path) -> None:
    result = run("chain", str(shop), "sellr")
    hint = "(did you mean 'seller'?)"  # one slip: a letter dropped
    assert result.stderr == f"clientchain: unknown role 'sellr' in {shop} {hint}\n"


def test_chain_traces_money_back_to_the_paying_client(run: Runner, shop: Path) -> None:
    result = run("chain", str(shop), "owner")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("owner")
    assert "seller" in lines[1] and "800.20 EUR" in lines[1]
    assert "buyers" in lines[2] and "[paying client]" in lines[2]


def test_chain_cuts_money_loops_and_says_so(run: Runner, write: Write) -> None:
    path = write("org.yaml", SHOP + "  - {from: owner, to: seller, amount: 50}\n")
    result = run("chain", str(path), "seller")
    assert "money loop, cut here" in result.stdout


def test_validate_prints_a_one_line_summary(run: Runner, shop: Path) -> None:
    result = run("validate", str(shop))
    assert result.exit_code == 0
    assert result.stdout == f"{shop}: ok: 3 roles, 1 client, 2 flows\n"


def test_version(run: Runner) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"clientchain {__version__}\n"


def test_input_files_are_never_modified(run: Runner, write: Write, tmp_path: Path) -> None:
    write("flows.csv", "from,to,amount\r\nbuyers,seller,5\r\n")
    path = write(
        "org.yaml",
        INVERTED.replace("flows:\n", "flows_note: x\nold_flows:\n") + "flows: flows.csv\n",
    )
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    for args in (
        ["analyze", str(path)],
        ["analyze", str(path), "--format", "json"],
        ["validate", str(path)],
        ["chain", str(path), "owner"],
    ):
        run(*args)
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_idle_client_and_vacant_boss_are_warnings_exit_0(run: Runner, write: Write) -> None:
    path = write(
        "org.yaml",
        """
        clients:
          - {id: buyers}
          - {id: old-distributor}
        roles:
          - {id: head, headcount: 0}
          - {id: seller, reports_to: head}
        flows:
          - {from: buyers, to: seller, amount: 10}
          - {from: seller, to: head, amount: 5}
        """,
    )
    result = run("analyze", str(path), "--format", "json")
    assert result.exit_code == 0
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["level"], f["line"], f["role"], f.get("client")) for f in findings] == [
        ("CC103", "warning", 3, None, "old-distributor"),
        ("CC104", "warning", 5, "head", None),
    ]
    assert findings[1]["message"] == "'head' is vacant (headcount 0) but 1 role reports to it"


def test_a_bug_is_one_line_and_exit_3_traceback_only_with_debug(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from clientchain.analyses import analyze as analyses
    from clientchain.cli import app as cli

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(analyses, "analyze", broken)  # the command imports it when it runs
    monkeypatch.setattr("sys.argv", ["clientchain", "analyze", str(shop)])
    assert cli.run() == 3
    err = capsys.readouterr().err
    assert err.startswith("clientchain: internal error: RuntimeError: boom\n")
    assert "Traceback" not in err
    monkeypatch.setattr("sys.argv", ["clientchain", "--debug", "analyze", str(shop)])
    with pytest.raises(RuntimeError, match="boom"):
        cli.run()


def test_ids_keep_their_exact_spelling_in_json(run: Runner, write: Write) -> None:
    path = write(
        "org.yaml",
        """
        clients: [{id: yes}, {id: .inf}]
        roles:
          - {id: no}
          - {id: on, reports_to: no}
          - {id: 0755, reports_to: on}
          - {id: 1e3, reports_to: no}
          - {id: 2024-01-01, reports_to: no}
        flows:
          - {from: yes, to: 0755, amount: 10}
          - {from: .inf, to: 1e3, amount: 5}
          - {from: 0755, to: on, amount: 4}
          - {from: 2024-01-01, to: no, amount: 1}
        """,
    )
    doc = json.loads(run("analyze", str(path), "--format", "json", "--top-clients", "0").stdout)
    assert [r["id"] for r in doc["roles"]] == ["no", "on", "0755", "1e3", "2024-01-01"]
    assert [r["reports_to"] for r in doc["roles"]] == [None, "no", "on", "no", "no"]
    assert doc["roles"][2]["clients"] == [{"id": "yes", "net": 10, "relation": "external"}]
    assert doc["roles"][3]["provenance"] == [{"client": ".inf", "share": 1.0}]
    assert doc["roles"][0]["clients"] == [{"id": "2024-01-01", "net": 1, "relation": "subordinate"}]


def test_timings_go_to_stderr_and_leave_the_json_alone(run: Runner, write: Write) -> None:
    path = write("org.yaml", INVERTED)
    plain = run("analyze", str(path), "--format", "json")
    timed = run("analyze", str(path), "--format", "json", "--timings")
    assert timed.exit_code == plain.exit_code == 1
    assert timed.stdout == plain.stdout
    (line,) = timed.stderr.splitlines()
    phases = re.fullmatch(
        r"clientchain: timings: parse [0-9.]+ s, build [0-9.]+ s, analyse [0-9.]+ s,"
        r" render [0-9.]+ s \(total [0-9.]+ s\)",
        line,
    )
    assert phases, line


@pytest.mark.slow
def test_progress_shows_on_a_terminal_stderr_and_never_on_stdout(tmp_path: Path) -> None:
    """A big input, stderr a terminal, stdout a pipe: progress on the terminal only. The
    file's name is shown as text (never rich markup, never a raw control)."""
    name = "org[bold]\x1b[2J.yaml"
    rows = 100_000  # an org chart of 3.7 MB: big enough for a progress display
    lines = ["flows: flows.csv", "clients:", "  - id: buyers", "roles:", "  - id: r0"]
    lines += [f"  - id: r{i}\n    reports_to: r{(i - 1) // 4}" for i in range(1, rows)]
    (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    flows = ["from,to,amount"] + [f"buyers,r{i},{i + 1}" for i in range(rows)]
    (tmp_path / "flows.csv").write_text("\n".join(flows) + "\n", encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "clientchain",
        "analyze",
        str(tmp_path / name),
        "--format",
        "json",
    ]
    controller, terminal = pty.openpty()
    shown: list[bytes] = []

    def watch() -> None:  # read the terminal while the command runs
        with contextlib.suppress(OSError):  # Linux: EIO once the command has closed it
            while chunk := os.read(controller, 65536):
                shown.append(chunk)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with_tty = subprocess.run(
            command,
            stdout=subprocess.PIPE,
            stderr=terminal,
            check=False,
            env={**os.environ, "TERM": "xterm"},
        )
    finally:
        os.close(terminal)
        watcher.join(timeout=10)
        os.close(controller)
    piped = subprocess.run(command, capture_output=True, check=False)
    assert with_tty.returncode == piped.returncode == 0
    assert with_tty.stdout == piped.stdout  # the same JSON, nothing mixed in
    assert json.loads(with_tty.stdout)["summary"]["roles"] == rows
    assert b"clientchain: reading org[bold]\\x1b[2J.yaml" in b"".join(shown)
    assert piped.stderr == b""  # no terminal: no progress


def test_a_big_input_with_a_problem_says_why_it_waits_before_it_does(
    run: Runner, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A problem the fast reader leaves to the precise reader to word (a minute at a
    million roles): a CI log says so at once, then the problem."""
    from clientchain.cli import progress

    path = write("org.yaml", "role:\n  - id: owner\n  - id: seller\n    reports_to: ownr\n")
    monkeypatch.setattr(progress, "BIG_INPUT_BYTES", 0)
    result = run("analyze", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"clientchain: note: {path}: read by the precise reader, which takes longer (a problem"
        " to report, or a shape the fast reader leaves to it)\n"
        f"{path}:1:1: unknown key 'role' at the top level is not used (did you mean 'roles'?)\n"
        "clientchain: 1 problem in the input\n"
    )


def test_a_big_input_with_a_slip_in_a_reference_is_worded_at_once(
    run: Runner, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped boss, dotted line or flow id, a headcount that is no number: the
    commonest slips are worded by the fast reader itself: no wait for the precise
    reader, so no note, and the same words."""
    from clientchain.cli import progress

    path = write(
        "org.yaml",
        "roles:\n  - id: owner\n  - id: seller\n    reports_to: ownr\n"
        "    dotted_to: owner\n  - id: clerk\n    dotted_to: sellr\n    headcount: -1\n",
    )
    monkeypatch.setattr(progress, "BIG_INPUT_BYTES", 0)
    result = run("analyze", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:4:17: reports_to: unknown role 'ownr' (did you mean 'owner'?)\n"
        f"{path}:7:16: dotted_to: unknown role 'sellr' (did you mean 'seller'?)\n"
        f"{path}:8:16: headcount must be a finite number >= 0 (0 = vacant), found '-1'\n"
        "clientchain: 3 problems in the input\n"
    )


def test_a_big_input_off_the_fast_path_gets_a_note_on_stderr(
    run: Runner, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientchain.cli import progress

    path = write("org.yaml", SHOP)  # flow-style mappings: beyond the fast reader
    quiet = run("analyze", str(path), "--format", "json")
    assert quiet.stderr == ""  # a small input: not worth a word
    monkeypatch.setattr(progress, "BIG_INPUT_BYTES", 0)
    noted = run("analyze", str(path), "--format", "json")
    assert noted.stdout == quiet.stdout
    assert noted.stderr == (
        f"clientchain: note: {path}:3: a colon in a flow list (a mapping in it, or an id):"
        " read by the precise reader, which takes longer\n"
    )
