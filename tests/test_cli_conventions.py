"""The command-line conventions users bring from ruff, yamllint and pip (issue 17): -h,
`-` for standard input, -q/-v, -o on analyze, format names in any case and
--output-format, chain --format json and --decay, shell completion, explain,
--statistics, and a start-up that loads no heavy library."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientchain.cli.app import app
from clientchain.model.findings import RULE_BY_CODE, RULES
from tests.conftest import Run

SHOP = """\
org: Corner Shop
currency: EUR
clients: [{id: buyers, title: Walk-in buyers}]
roles:
  - {id: owner, title: Owner}
  - {id: seller, reports_to: owner, headcount: 2}
  - {id: cleaner, reports_to: owner}
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 800}
  - {from: owner, to: cleaner, amount: 100}
"""
# The same organisation with its money in a flows file beside it.
SHOP_CHART = SHOP.split("flows:\n", maxsplit=1)[0] + "flows: flows.csv\n"
FLAT_SHOP = """\
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: cleaner
    reports_to: owner
"""
SHOP_FLOWS = "from,to,amount\nbuyers,seller,1000\nseller,owner,800\nowner,cleaner,100\n"


def invoke(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Run:
    """`clientchain ARGS...` in-process, with `stdin` on standard input."""
    result = CliRunner().invoke(
        app, list(args), input=stdin, env=env, catch_exceptions=False, prog_name="clientchain"
    )
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(SHOP, encoding="utf-8")
    return path


# --- -h -----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["analyze"], ["chain"], ["explain"], ["import", "people"]])
def test_dash_h_is_help_everywhere(command: list[str]) -> None:
    short, long = invoke(*command, "-h"), invoke(*command, "--help")
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout
    assert short.stdout.startswith(f"Usage: clientchain {' '.join(command)}".rstrip() + " ")
    assert "-h, --help" in short.stdout


# --- standard input -----------------------------------------------------------------------


def test_org_chart_from_stdin_is_named_stdin(shop: Path) -> None:
    from_file = json.loads(invoke("analyze", str(shop), "--format", "json").stdout)
    piped = invoke("analyze", "-", "--format", "json", stdin=SHOP)
    assert piped.exit_code == 1  # owner pays the cleaner: an inversion
    document = json.loads(piped.stdout)
    assert {f["file"] for f in document["findings"]} == {"<stdin>"}
    assert document["summary"] == from_file["summary"]


def test_stdin_problems_are_positioned_at_stdin() -> None:
    result = invoke("analyze", "-", stdin="roles:\n  - {id: a, reprts_to: b}\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "<stdin>:2:13: unknown key 'reprts_to' in a role is not used"
        " (did you mean 'reports_to'?)\n"
        "clientchain: 1 problem in the input\n"
    )


def test_flows_named_in_a_piped_chart_are_found_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "flows.csv").write_text(SHOP_FLOWS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "-", stdin=SHOP_CHART)
    assert (result.exit_code, result.stdout) == (0, "<stdin>: ok: 3 roles, 1 client, 3 flows\n")
    monkeypatch.chdir(tmp_path.parent)
    missing = invoke("validate", "-", stdin=SHOP_CHART)
    assert missing.exit_code == 2
    assert missing.stderr.splitlines()[0] == "<stdin>:8:8: file not found: flows.csv"


@pytest.mark.parametrize("options", [[], ["--delimiter", ","]], ids=["fast", "precise"])
def test_flows_from_stdin_count_once(tmp_path: Path, options: list[str]) -> None:
    chart = tmp_path / "org.yaml"
    chart.write_text(SHOP_CHART.replace("flows: flows.csv\n", ""), encoding="utf-8")
    result = invoke(
        "analyze", str(chart), "--flows", "-", "--format", "json", *options, stdin=SHOP_FLOWS
    )
    document = json.loads(result.stdout)
    assert document["summary"]["money_in"] == 1000  # the buyers' one payment
    assert document["summary"]["flows"] == 3


def test_the_fast_and_the_precise_loader_read_the_same_flows_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientchain.loading.fast.loader import fast_load
    from clientchain.loading.loader import load
    from clientchain.loading.spreadsheet import Dialect

    chart = FLAT_SHOP  # a chart the fast path reads (one `key: value` a line)
    stdin = io.TextIOWrapper(io.BytesIO(SHOP_FLOWS.encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    fast = fast_load(chart.encode(), chart, "org.yaml", ["-"], tmp_path)
    assert fast is not None  # the fast path read standard input itself
    (tmp_path / "org.yaml").write_text(chart, encoding="utf-8")
    precise = load(tmp_path / "org.yaml", ["-"], Dialect(",", None, False))  # same stream
    for org in (fast, precise):
        assert org.flow_files == ("<stdin>",)
        assert org.flow_amount.tolist() == [1000, 800, 100]
        assert org.flow_payee.tolist() == [1, 0, 2]  # seller, owner, cleaner


def test_standard_input_is_read_once(shop: Path) -> None:
    result = invoke("analyze", "-", "--flows", "-", stdin=SHOP)
    assert result.exit_code == 2
    assert result.stderr == (
        "clientchain: standard input can be read once: name the org chart or the --flows file\n"
    )
    twice = invoke("diff", "-", "-", stdin=SHOP)
    assert twice.exit_code == 2
    assert twice.stderr == (
        "clientchain: standard input can be read once: name org chart 1 or org chart 2\n"
    )


def test_diff_and_chain_read_stdin(shop: Path) -> None:
    diff = invoke("diff", str(shop), "-", "--format", "json", stdin=SHOP)
    assert diff.exit_code == 0
    assert json.loads(diff.stdout)["findings"]["added"] == []
    chain = invoke("chain", "-", "cleaner", "--format", "json", stdin=SHOP)
    assert json.loads(chain.stdout)["role"] == "cleaner"


# --- -q, -v, -o ---------------------------------------------------------------------------


def test_quiet_prints_only_the_verdict(shop: Path) -> None:
    result = invoke("analyze", str(shop), "-q")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == "1 error, 0 warnings in 3 roles: exit 1 (fails at error)\n"


def test_quiet_leaves_machine_formats_alone(shop: Path) -> None:
    for fmt in ("json", "sarif", "github", "gitlab", "markdown"):
        assert invoke("analyze", str(shop), "--format", fmt, "-q").stdout == (
            invoke("analyze", str(shop), "--format", fmt).stdout
        )


def test_verbose_says_what_was_read_and_the_timings(shop: Path) -> None:
    result = invoke("analyze", str(shop), "-v", "--format", "json")
    lines = result.stderr.splitlines()
    assert f"clientchain: read {shop}: 3 roles, 1 client, 3 flows" in lines, lines
    assert any(line.startswith("clientchain: timings: parse ") for line in lines)
    json.loads(result.stdout)  # stdout is still the document alone


def test_output_file_holds_what_stdout_would(shop: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    result = invoke("analyze", str(shop), "--format", "sarif", "-o", str(target))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"clientchain: wrote the sarif output to {target}\n"
    assert (
        target.read_text(encoding="utf-8")
        == invoke("analyze", str(shop), "--format", "sarif").stdout
    )
    again = invoke("analyze", str(shop), "--format", "json", "-o", str(target))  # ours: replaced
    assert json.loads(target.read_text(encoding="utf-8"))["schema_version"] == 1
    assert again.exit_code == 1


def test_output_file_never_replaces_an_input_or_a_stranger(shop: Path, tmp_path: Path) -> None:
    own = invoke("analyze", str(shop), "-o", str(shop))
    assert own.exit_code == 2
    assert (
        own.stderr == f"clientchain: -o {shop}: that is an input file ({shop}); name a new file\n"
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    refused = invoke("analyze", str(shop), "--format", "json", "-o", str(notes))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"clientchain: -o {notes}: exists and is not a clientchain analysis;"
        " pass --force to replace it\n"
    )
    assert notes.read_text(encoding="utf-8") == "my notes\n"
    forced = invoke("analyze", str(shop), "-q", "-o", str(notes), "--force")
    assert forced.exit_code == 1
    assert notes.read_text(encoding="utf-8").endswith("exit 1 (fails at error)\n")


# --- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["analyze", "{org}"], ["diff", "{org}", "{org}"], ["chain", "{org}", "cleaner"]],
    ids=["analyze", "diff", "chain"],
)
def test_format_names_in_any_case_and_as_output_format(shop: Path, command: list[str]) -> None:
    args = [arg.format(org=shop) for arg in command]
    expected = invoke(*args, "--format", "json").stdout
    assert invoke(*args, "--format", "JSON").stdout == expected
    assert invoke(*args, "--output-format", "Json").stdout == expected
    assert expected.startswith("{")


def test_chain_json_against_the_definition(tmp_path: Path) -> None:
    # buyers -> a -> b -> c, and b also pays c: c's closeness by SPEC's definition is
    # the expected decay^(h-1) over its money: 60 of 100 came in 3 hand-overs, 40 in 2.
    org = tmp_path / "org.yaml"
    org.write_text(
        textwrap.dedent(
            """\
            clients: [{id: buyers}]
            roles:
              - {id: a}
              - {id: b, reports_to: a}
              - {id: c, reports_to: b}
            flows:
              - {from: buyers, to: a, amount: 500}
              - {from: a, to: b, amount: 60}
              - {from: buyers, to: b, amount: 40}
              - {from: b, to: c, amount: 100}
            """
        ),
        encoding="utf-8",
    )
    decay = 0.8
    # b's inflow: 60 from a (2 hand-overs from the client), 40 from buyers (1 hand-over).
    expected = 0.6 * decay**2 + 0.4 * decay**1
    result = invoke("chain", str(org), "c", "--format", "json", "--decay", str(decay))
    document = json.loads(result.stdout)
    assert document["closeness_traced"] == pytest.approx(expected, abs=1e-12)
    assert document["complete"] is True
    assert [(h["id"], h["pays"], h["hand_overs"], h["stop"]) for h in document["hops"]] == [
        ("c", None, 0, None),
        ("b", 0, 1, None),
        ("a", 1, 2, None),
        ("buyers", 2, 3, "client"),
        ("buyers", 1, 2, "client"),
    ]
    analysed = json.loads(invoke("analyze", str(org), "--format", "json", "--decay", "0.8").stdout)
    assert analysed["roles"][2]["closeness"] == pytest.approx(expected, abs=1e-9)
    table = invoke("chain", str(org), "c", "--decay", "0.8")
    assert table.stdout.endswith(
        f"Closeness at decay 0.8: {expected:.3f}; alienation {1 - expected:.3f}\n"
    )


# --- completion, explain, --statistics ----------------------------------------------------


def test_shell_completion_is_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    """typer prints the script for the shell it finds among the test's parent processes
    (its --show-completion takes no shell name): bash here, wherever pytest runs (a CI
    runner may start it from no shell at all)."""
    import typer.completion

    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: "bash")
    assert "--install-completion" in invoke("--help").stdout
    script = invoke("--show-completion")
    assert script.exit_code == 0
    assert "_CLIENTCHAIN_COMPLETE=complete_bash" in script.stdout


@pytest.mark.parametrize("spelling", ["CC101", "cc101", "Inverted-Relationship"])
def test_explain_prints_the_rules_documentation(spelling: str) -> None:
    from clientchain.analyses.rules import cc101_inverted_relationship, documentation

    result = invoke("explain", spelling)
    assert result.exit_code == 0
    assert result.stdout == (
        documentation(cc101_inverted_relationship)
        + "\n\nOnline: https://github.com/clientchain/clientchain/blob/main/README.md#cc101\n"
    )


def test_explain_an_unknown_rule_suggests_the_nearest() -> None:
    result = invoke("explain", "inverted-relationshp")
    assert result.exit_code == 2
    assert result.stderr == (
        "clientchain: no rule 'inverted-relationshp' (did you mean 'inverted-relationship'?);"
        " `clientchain explain` lists every rule\n"
    )
    assert invoke("explain", "CC999").stderr == (
        "clientchain: no rule 'CC999'; `clientchain explain` lists every rule\n"
    )


def test_explain_without_a_code_lists_every_rule() -> None:
    lines = invoke("explain").stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [
        [rule.code, rule.name, rule.level.value] for rule in RULES
    ]
    assert all(line.endswith(rule.summary) for line, rule in zip(lines, RULES, strict=True))


def test_statistics_count_the_findings_per_rule(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        SHOP.replace("roles:\n", "roles:\n  - {id: idle1}\n  - {id: idle2}\n"), encoding="utf-8"
    )
    findings = json.loads(invoke("analyze", str(org), "--format", "json").stdout)["findings"]
    counted = Counter(f["code"] for f in findings)
    assert counted == {"CC101": 1, "CC102": 2}  # the oracle: counted from the findings
    result = invoke("analyze", str(org), "--statistics")
    assert result.stdout == (
        "2  CC102  no-paying-client       warning\n"
        "1  CC101  inverted-relationship  error\n"
        "1 error, 2 warnings in 5 roles: exit 1 (fails at error)\n"
    )
    assert RULE_BY_CODE["CC102"].name == "no-paying-client"
    refused = invoke("analyze", str(org), "--statistics", "--format", "json")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "clientchain: --statistics is a table for people: leave out --format json\n"
    )


def test_limit_sort_and_the_old_max_rows_are_accepted(shop: Path) -> None:
    for options in (["--limit", "1"], ["--max-rows", "1"], ["--sort", "Inflow"]):
        assert invoke("analyze", str(shop), *options).exit_code == 1
    assert "--max-rows" not in invoke("analyze", "--help").stdout  # a hidden alias
    assert invoke("analyze", str(shop), "--sort", "size").exit_code == 2


# --- start-up -----------------------------------------------------------------------------


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    heavy = ("numpy", "scipy", "rich", "networkx", "yaml")
    code = (
        "import sys, clientchain.cli.app; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded == "[]\n"


# main() with a run that loads numpy and says how many threads the process has then.
_THREADS_IN_A_RUN = """\
import os, clientchain.cli.app as app
def run():
    import numpy
    print(len(os.listdir("/proc/self/task")), os.environ["OPENBLAS_NUM_THREADS"])
    return 0
app.run = run
app.main()
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
@pytest.mark.parametrize("chosen", [None, "2"])
def test_a_run_starts_no_blas_worker_unless_the_user_asks(chosen: str | None) -> None:
    # OpenBLAS's workers spin on the CPU after numpy loads; a run needs none of them,
    # but a count the user set is theirs.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if chosen is not None:
        env["OPENBLAS_NUM_THREADS"] = chosen
    threads, setting = subprocess.run(
        [sys.executable, "-c", _THREADS_IN_A_RUN],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    if chosen is None:
        assert (threads, setting) == ("1", "1")  # the main thread alone
    else:
        assert setting == chosen


# A run builds the app with its own command only (the others are neither imported nor
# converted): what the user sees of that command must be what the whole app shows.
@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "--help"],
        ["--debug", "diff", "-h"],
        ["import", "people", "--help"],
        ["model", "--help"],
        ["validate"],  # a missing argument: usage and error
        ["explain", "CC999"],
        ["--version", "analyze"],
    ],
)
def test_a_run_of_one_command_shows_what_the_whole_app_shows(args: list[str]) -> None:
    from clientchain.cli.app import app_for

    runner = CliRunner()
    alone = runner.invoke(app_for(args), args, prog_name="clientchain")
    whole = runner.invoke(app, args, prog_name="clientchain")
    assert (alone.exit_code, alone.stdout, alone.stderr) == (
        whole.exit_code,
        whole.stdout,
        whole.stderr,
    )
    assert alone.exit_code in (0, 2)


def test_a_mistyped_command_is_named_by_the_whole_app() -> None:
    from clientchain.cli.app import app_for

    args = ["analyse", "org.yaml"]
    wrong = CliRunner().invoke(app_for(args), args, prog_name="clientchain")
    assert wrong.exit_code == 2
    assert "No such command 'analyse'" in wrong.stderr


# --- review of issue 17: -o over its own table, -q and -v in words, --fail-on in any case ---


@pytest.mark.parametrize(
    "options", [[], ["-q"], ["--statistics"], ["--exit-zero"], ["--fail-on", "never"]]
)
def test_a_table_written_with_o_is_replaced_by_the_next_run(
    shop: Path, tmp_path: Path, options: list[str]
) -> None:
    """The table (and -q's or --statistics' lines) ends with the verdict line: a file
    that ends so is an earlier output of ours, replaced without --force."""
    target = tmp_path / "out.txt"
    for _ in range(2):
        result = invoke("analyze", str(shop), *options, "-o", str(target))
        assert result.exit_code in (0, 1), result.stderr
    want = invoke("analyze", str(shop), *options, "--format", "table", "-o", "-").stdout
    assert target.read_text(encoding="utf-8") == want
    json_first = tmp_path / "out.json"
    invoke("analyze", str(shop), "--format", "json", "-o", str(json_first))
    assert invoke("analyze", str(shop), "-q", "-o", str(json_first)).exit_code == 1  # ours too


@pytest.mark.parametrize(
    "text",
    [
        "my notes\n",
        "1 error, 0 warnings in 3 roles: exit 1 (fails at error)\nmy notes\n",  # not the end
        "Found 3 errors in 3 roles: exit 1 (fails at error)\n",  # not our verdict
        "1 error, 0 warnings in 3 roles: exit 1 (fails at error)",  # no line end
    ],
)
def test_a_file_that_does_not_end_with_our_verdict_needs_force(
    shop: Path, tmp_path: Path, text: str
) -> None:
    target = tmp_path / "out.txt"
    target.write_text(text, encoding="utf-8")
    refused = invoke("analyze", str(shop), "-q", "-o", str(target))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"clientchain: -o {target}: exists and is not a clientchain analysis;"
        " pass --force to replace it\n"
    )
    assert target.read_text(encoding="utf-8") == text


def _help_text(*command: str) -> str:
    """A command's --help as one line of words (rich wraps it to the width)."""
    shown = invoke(*command, "--help").stdout
    return " ".join(shown.replace("│", " ").split())


def test_quiet_and_verbose_say_what_they_print() -> None:
    said = _help_text("analyze")
    quiet = (
        "Print only the closing verdict line of the table (the other formats are"
        " unchanged); nothing on stderr but problems."
    )
    assert said.count(quiet) == 1 and said.count("nothing on stderr") == 1
    assert (
        "Say more on stderr: the configuration file and the settings taken from it, the"
        " files read and their sizes, the seconds per phase." in said
    )
    for command in ("chain", "diff", "report"):
        assert (
            "Say on stderr which configuration file was read and the settings taken from it."
            in _help_text(command)
        )


def test_verbose_prints_each_thing_its_help_names(shop: Path) -> None:
    (shop.parent / ".clientchain.toml").write_text("decay = 0.4\n", encoding="utf-8")
    lines = invoke("analyze", str(shop), "-v").stderr.splitlines()
    assert lines[0] == f"clientchain: settings from {shop.parent / '.clientchain.toml'}: decay 0.4"
    assert lines[1] == f"clientchain: read {shop}: 3 roles, 1 client, 3 flows"
    assert lines[2].startswith("clientchain: timings: parse ")


@pytest.mark.parametrize("level", ["ERROR", "Warning", "never", "NEVER"])
def test_fail_on_in_any_case_on_the_command_line(shop: Path, level: str) -> None:
    result = invoke("analyze", str(shop), "-q", "--fail-on", level)
    assert result.exit_code == (0 if level.lower() == "never" else 1), result.stderr
    fold = level.lower()
    gate = "never fails (--fail-on never)" if fold == "never" else f"fails at {fold}"
    assert result.stdout.endswith(f"({gate})\n")


# --- the terminal -------------------------------------------------------------------------


def test_a_terminal_smaller_than_the_org_shows_the_most_alienated_first(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen is the terminal's own height: the shop's 3 roles fit 40 rows, not 2."""
    from clientchain.cli import console

    monkeypatch.setattr(console, "terminal_rows", lambda: 40)
    assert "Roles (file order)" in invoke("analyze", str(shop)).stdout
    monkeypatch.setattr(console, "terminal_rows", lambda: 2)
    assert "Roles (most alienated first)" in invoke("analyze", str(shop)).stdout


@pytest.mark.parametrize("width", [30, 50, 70])
def test_chains_closing_line_fits_the_width(shop: Path, width: int) -> None:
    document = json.loads(invoke("chain", str(shop), "cleaner", "--format", "json").stdout)
    traced = document["closeness_traced"]
    result = invoke("chain", str(shop), "cleaner", env={"COLUMNS": str(width)})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    said = " ".join(result.stdout.split())
    bound = "" if document["complete"] else " at least (the tree is cut: see the notes above)"
    most = "" if document["complete"] else " at most"
    assert said.endswith(
        f"Closeness at decay 0.5: {traced:.3f}{bound}; alienation {1 - traced:.3f}{most}"
    )
