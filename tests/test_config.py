"""The configuration file: found above the org chart as ruff finds its own, the command
line over a command's table over the top-level keys over the defaults, and every
problem positioned like an org chart's (exit 2)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from clientchain.cli.app import app
from clientchain.cli.config import configured
from clientchain.loading.config import COMMAND_KEYS, KEYS
from clientchain.loading.toml_keys import key_positions
from tests.conftest import EXAMPLES, Run

Runner = Callable[..., Run]
DEALERSHIP = EXAMPLES / "dealership"
# The dealership as shipped: one inversion (CC101, an error: exit 1) and one role with
# no paying client (CC102, a warning).


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dealership in tmp_path/project/orgs/, the current directory tmp_path/project
    (so problems name files relative to it)."""
    orgs = tmp_path / "project" / "orgs"
    orgs.mkdir(parents=True)
    for name in ("org.yaml", "flows.csv"):
        shutil.copy(DEALERSHIP / name, orgs / name)
    monkeypatch.chdir(tmp_path / "project")
    return orgs / "org.yaml"


def put(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def analyze(run: Runner, org: Path, *args: str) -> Run:
    result: Run = run("analyze", str(org), *args)
    return result


def findings(result: Run) -> list[str]:
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


# Discovery


def test_a_config_in_a_parent_directory_is_found(run: Runner, org: Path) -> None:
    put(org.parents[1] / ".clientchain.toml", 'format = "json"\n')
    result = analyze(run, org)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["org"] == "Northside Motors"


def test_the_nearest_config_wins(run: Runner, org: Path) -> None:
    put(org.parents[1] / ".clientchain.toml", 'format = "json"\n')
    put(org.parent / ".clientchain.toml", 'format = "markdown"\n')
    assert analyze(run, org).stdout.startswith("### ")


def test_a_pyproject_without_our_table_is_passed_over(run: Runner, org: Path) -> None:
    put(org.parents[1] / ".clientchain.toml", 'format = "json"\n')
    put(org.parent / "pyproject.toml", '[tool.other]\nname = "clientchain-like"\n')
    assert json.loads(analyze(run, org).stdout)["org"] == "Northside Motors"


def test_a_pyproject_with_our_table_is_read(run: Runner, org: Path) -> None:
    put(org.parents[1] / ".clientchain.toml", 'format = "json"\n')
    put(
        org.parent / "pyproject.toml",
        '[project]\nname = "x"\n[tool.clientchain]\nformat = "markdown"\n',
    )
    assert analyze(run, org).stdout.startswith("### ")


def test_dot_file_before_pyproject_in_one_directory(run: Runner, org: Path) -> None:
    put(org.parent / "pyproject.toml", '[tool.clientchain]\nformat = "markdown"\n')
    put(org.parent / ".clientchain.toml", 'format = "json"\n')
    assert json.loads(analyze(run, org).stdout)["org"] == "Northside Motors"


def test_a_broken_pyproject_of_another_project_does_not_stop_a_run(run: Runner, org: Path) -> None:
    put(org.parent / "pyproject.toml", "[project\nname = \n")
    result = analyze(run, org, "--fail-on", "never")
    assert (result.exit_code, result.stderr) == (0, "")


def test_isolated_reads_no_config(run: Runner, org: Path) -> None:
    put(org.parent / ".clientchain.toml", 'format = "json"\ndecay = 7\n')
    result = analyze(run, org, "--isolated")
    assert result.exit_code == 1
    assert "Northside Motors" in result.stdout and not result.stdout.startswith("{")


def test_config_names_the_one_file_read(run: Runner, org: Path) -> None:
    put(org.parent / ".clientchain.toml", 'format = "json"\n')
    other = put(org.parents[1] / "ci" / "settings.toml", 'format = "markdown"\n')
    assert analyze(run, org, "--config", str(other)).stdout.startswith("### ")
    pyproject = put(
        org.parents[1] / "ci" / "pyproject.toml",
        '[tool.clientchain]\nformat = "json"\nfail-on = "never"\n',
    )
    result = analyze(run, org, "--config", str(pyproject))
    assert result.exit_code == 0 and result.stdout.startswith("{")


def test_config_and_isolated_together_are_a_usage_error(run: Runner, org: Path) -> None:
    other = put(org.parent / "c.toml", "")
    result = analyze(run, org, "--config", str(other), "--isolated")
    assert result.exit_code == 2
    assert "--isolated" in result.stderr and "--config" in result.stderr


def test_standard_input_searches_from_the_current_directory(
    org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(org.parent / ".clientchain.toml", 'format = "json"\n')
    monkeypatch.chdir(org.parent)
    text = org.read_text(encoding="utf-8")
    flows = ["--flows", str(org.parent / "flows.csv")] if "flows:" not in text else []
    result = CliRunner().invoke(app, ["analyze", "-", *flows], input=text)
    assert json.loads(result.stdout)["org"] == "Northside Motors", result.stderr


def test_verbose_says_which_file_was_used_and_the_settings_taken_from_it(
    run: Runner, org: Path
) -> None:
    put(
        org.parents[1] / ".clientchain.toml",
        'decay = 0.4\nfail-on = "never"\nignore = ["CC102", "CC105"]\nsort = "inflow"\n',
    )
    result = analyze(run, org, "-v", "--sort", "file")  # the command line's sort wins
    assert result.stderr.startswith(
        "clientchain: settings from .clientchain.toml: decay 0.4, fail-on never,"
        " ignore CC102 CC105\n"
    )
    chain = run("chain", str(org), "accountant", "-v")
    assert chain.stderr == "clientchain: settings from .clientchain.toml: decay 0.4\n"
    put(org.parents[1] / ".clientchain.toml", "top-clients = 2\n")
    chain = run("chain", str(org), "accountant", "-v")
    assert chain.stderr == "clientchain: settings from .clientchain.toml: none chain uses\n"
    result = analyze(run, org, "-v", "--isolated")
    assert result.stderr.startswith("clientchain: configuration: none (--isolated)\n")


# Precedence: command line > the command's table > top level > default


def test_fail_on_from_the_top_level_then_the_command_table_then_the_command_line(
    run: Runner, org: Path
) -> None:
    config = org.parent / ".clientchain.toml"
    assert analyze(run, org, "--isolated").exit_code == 1  # the default: error
    put(config, 'fail-on = "never"\n')
    assert analyze(run, org).exit_code == 0
    put(config, 'fail-on = "never"\n[analyze]\nfail-on = "error"\n')
    assert analyze(run, org).exit_code == 1
    put(config, 'fail-on = "error"\n[analyze]\nfail-on = "error"\n')
    assert analyze(run, org, "--fail-on", "never").exit_code == 0


def test_format_from_each_level(run: Runner, org: Path) -> None:
    config = org.parent / ".clientchain.toml"
    put(config, 'format = "json"\n')
    assert analyze(run, org).stdout.startswith("{")
    put(config, 'format = "json"\n[analyze]\nformat = "MARKDOWN"\n')
    assert analyze(run, org).stdout.startswith("### ")
    assert analyze(run, org, "--format", "table").stdout == analyze(run, org, "--isolated").stdout


def test_decay_from_the_config_gives_the_figures_of_that_decay(run: Runner, org: Path) -> None:
    from tests import oracle
    from tests.test_examples import _independent_spec

    put(org.parent / ".clientchain.toml", 'format = "json"\ndecay = 0.3\n')
    doc = json.loads(analyze(run, org).stdout)
    assert doc["decay"] == 0.3
    want = oracle.analyze(_independent_spec(org), Fraction(3, 10))  # type: ignore[arg-type]
    for role in doc["roles"]:
        assert role["closeness"] == pytest.approx(
            float(want.roles[role["id"]].closeness), abs=1e-12
        )
    explicit = analyze(run, org, "--isolated", "--format", "json", "--decay", "0.3")
    assert json.loads(explicit.stdout) == doc  # the same as the option given
    assert json.loads(analyze(run, org, "--decay", "0.5").stdout)["decay"] == 0.5


def test_ignore_removes_a_rule_and_never_reports_itself_unused(run: Runner, org: Path) -> None:
    put(org.parent / ".clientchain.toml", 'format = "json"\nignore = ["CC101", "CC103"]\n')
    result = analyze(run, org)
    assert result.exit_code == 0  # the inversion (an error) is ignored; CC103 excuses nothing
    assert findings(result) == ["CC102"]
    assert json.loads(result.stdout)["summary"]["findings_ignored"] == 1
    table = analyze(run, org, "--format", "table", "--limit", "0")
    assert "Not shown: 1 finding ignored by the configuration." in " ".join(table.stdout.split())


def test_ignore_in_a_command_table_applies_to_that_command_only(run: Runner, org: Path) -> None:
    put(org.parent / ".clientchain.toml", '[diff]\nignore = ["CC101"]\n')
    assert findings(analyze(run, org, "--format", "json")) == ["CC101", "CC102"]


def test_a_top_level_key_is_passed_over_by_a_command_without_the_option(
    run: Runner, org: Path
) -> None:
    put(org.parent / ".clientchain.toml", 'top-clients = 2\nsort = "inflow"\nfail-on = "never"\n')
    assert run("chain", str(org), "accountant").exit_code == 0
    assert run("validate", str(org)).exit_code == 0


def test_chain_and_diff_read_their_tables(run: Runner, org: Path) -> None:
    put(
        org.parent / ".clientchain.toml",
        '[chain]\nformat = "json"\ndecay = 0.3\n[diff]\nformat = "json"\n',
    )
    chain = run("chain", str(org), "accountant")
    assert json.loads(chain.stdout)["decay"] == 0.3
    diff = run("diff", str(org), str(org))
    assert diff.exit_code == 0 and json.loads(diff.stdout)


class Shape(StrEnum):
    table = "table"
    json = "json"


@dataclass(frozen=True)
class ProbeValues:
    output: Shape
    limit: int | None
    decay: float


def _probe() -> typer.Typer:
    """A command named `analyze` that prints what `configured` hands it."""
    probe = typer.Typer()

    @probe.command("analyze")
    def _analyze(
        ctx: typer.Context,
        org: str,
        output: Annotated[Shape, typer.Option("--format", case_sensitive=False)] = Shape.table,
        limit: Annotated[int | None, typer.Option("--limit", min=0)] = None,
        max_rows: Annotated[int | None, typer.Option("--max-rows", min=0)] = None,
        decay: Annotated[float, typer.Option("--decay")] = 0.5,
    ) -> None:
        chosen = configured(ctx, org, None, False, ProbeValues(output, limit, decay)).values
        assert isinstance(chosen.output, Shape)  # an enum member, as typer gives the option
        typer.echo(f"{chosen.output.value} {chosen.limit} {max_rows} {chosen.decay}")

    @probe.command("other")
    def _other() -> None: ...

    return probe


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ([], "json 3 None 0.25"),
        (["--format", "table"], "table 3 None 0.25"),
        (["--limit", "7"], "json 7 None 0.25"),
        (["--max-rows", "9"], "json None 9 0.25"),  # the old name of --limit wins too
        (["--decay", "0.5"], "json 3 None 0.5"),  # given, though equal to the default
    ],
)
def test_configured_keeps_every_option_given_on_the_command_line(
    org: Path, args: list[str], said: str
) -> None:
    put(org.parent / ".clientchain.toml", 'format = "JSON"\nlimit = 3\ndecay = 0.25\n')
    result = CliRunner().invoke(_probe(), ["analyze", str(org), *args])
    assert (result.exit_code, result.stdout) == (0, said + "\n"), result.stderr


@pytest.mark.parametrize("command", sorted(COMMAND_KEYS))
def test_each_command_takes_the_keys_of_its_options(command: str) -> None:
    """COMMAND_KEYS (what a command's table may hold) follows the commands' real options."""
    click_app = typer.main.get_command(app)
    params = click_app.commands[command].params  # type: ignore[attr-defined]
    flags = {flag for p in params for flag in p.opts}
    has = {key for key in KEYS if f"--{key}" in flags}
    assert set(COMMAND_KEYS[command]) - {"ignore"} == has


# Positioned problems, exit 2


def _fails(run: Runner, org: Path, config: str, *lines: str, command: str = "analyze") -> None:
    put(org.parent / ".clientchain.toml", config)
    extra = {"diff": [str(org)], "chain": ["accountant"]}.get(command, [])
    result = run(command, str(org), *extra)
    assert result.exit_code == 2
    assert result.stdout == ""
    n = len(lines)
    summary = f"clientchain: {n} problem{'s' if n != 1 else ''} in the input\n"
    assert result.stderr == "".join(f"orgs/.clientchain.toml:{line}\n" for line in lines) + summary


def test_a_toml_syntax_error_at_tomllib_s_position(run: Runner, org: Path) -> None:
    _fails(
        run, org, 'decay = 0.3\nformat = "json\n', "2:15: not valid TOML: illegal character '\\n'"
    )
    _fails(run, org, "decay = 0.3\nfail-on =", "2:10: not valid TOML: invalid value")


def test_unknown_keys_with_did_you_mean(run: Runner, org: Path) -> None:
    _fails(
        run,
        org,
        """
        decai = 0.3
        top_clients = 2
        [analyse]
        [analyze]
        "sort" = "file"
          formt = "json"
        """,
        "1:1: unknown key 'decai' at the top level is not used (did you mean 'decay'?)",
        "2:1: unknown key 'top_clients' at the top level is not used (did you mean 'top-clients'?)",
        "3:2: unknown key 'analyse' at the top level is not used (did you mean 'analyze'?)",
        "6:3: unknown key 'formt' in [analyze] is not used (did you mean 'format'?)",
    )


def test_a_key_the_command_has_no_option_for(run: Runner, org: Path) -> None:
    _fails(
        run,
        org,
        '[report]\nformat = "json"\n[validate]\ndecay = 0.3\n',
        "2:1: unknown key 'format' in [report] is not used: report has no --format",
        "4:1: unknown key 'decay' in [validate] is not used: validate has no --decay",
    )


def test_bad_values(run: Runner, org: Path) -> None:
    _fails(
        run,
        org,
        """
        decay = 1.5
        top-clients = -1
        [analyze.limit]
        x = 1
        [diff]
        fail-on = true
        """,
        "1:1: decay must be a number between 0 and 1 (exclusive), found 1.5",
        "2:1: top-clients must be a whole number from 0 up (0 = all), found -1",
        "3:10: limit must be a whole number from 0 up (0 = all), found a table",
        "6:1: fail-on must be a text, found true (a boolean)",
    )


def test_a_value_the_command_cannot_take(run: Runner, org: Path) -> None:
    config = '[diff]\nformat = "sarif"\nfail-on = "warnig"\n'
    _fails(
        run,
        org,
        config,
        "2:1: diff has no format 'sarif' (one of: table, json, markdown)",
        "3:1: diff has no fail-on 'warnig' (one of: error, warning, never)"
        " (did you mean 'warning'?)",
        command="diff",
    )


def test_a_top_level_format_applies_where_the_command_has_it(run: Runner, org: Path) -> None:
    put(org.parent / ".clientchain.toml", 'format = "GitHub"\n')
    assert analyze(run, org).stdout.startswith("::error ")
    for args in (["chain", str(org), "accountant"], ["diff", str(org), str(org)]):
        result = run(*args, "-v")
        assert result.exit_code == 0, result.stderr
        assert result.stdout == run(*args, "--isolated").stdout  # the default: table
        assert result.stderr == (
            "clientchain: settings from orgs/.clientchain.toml: none"
            f" {args[0]} uses\n"
            f"clientchain: {args[0]} has no format 'GitHub' (orgs/.clientchain.toml:1:1): it"
            " keeps its default, table\n"
        )


def test_a_top_level_value_no_command_takes_is_a_problem(run: Runner, org: Path) -> None:
    _fails(
        run,
        org,
        'format = "jsn"\nfail-on = "warnig"\nsort = "nope"\n',
        "1:1: no command has format 'jsn' (one of: table, json, sarif, github, gitlab,"
        " markdown) (did you mean 'json'?)",
        "2:1: no command has fail-on 'warnig' (one of: error, warning, never)"
        " (did you mean 'warning'?)",
        "3:1: analyze has no sort 'nope' (one of: alienation, inflow, impact, file)",
        command="chain",
    )


def test_every_problem_of_the_file_in_one_pass(run: Runner, org: Path) -> None:
    """Unknown keys (the file's reading) and values the options refuse (the command's
    check), in every table, whichever command reads the file."""
    config = 'dekay = 1\nformat = "yaml"\nsort = "nope"\n[chain]\nformat = "sarif"\n'
    said = (
        "1:1: unknown key 'dekay' at the top level is not used (did you mean 'decay'?)",
        "2:1: no command has format 'yaml' (one of: table, json, sarif, github, gitlab, markdown)",
        "3:1: analyze has no sort 'nope' (one of: alienation, inflow, impact, file)",
        "5:1: chain has no format 'sarif' (one of: table, json)",
    )
    for command in ("analyze", "diff", "report"):
        _fails(run, org, config, *said, command=command)
    result = run("validate", str(org))
    assert result.exit_code == 2
    assert result.stderr == "".join(f"orgs/.clientchain.toml:{line}\n" for line in said) + (
        f"clientchain: 4 problems checking {org}\n"
    )


def test_fail_on_in_any_case(run: Runner, org: Path) -> None:
    assert analyze(run, org, "--fail-on", "NEVER", "--isolated").exit_code == 0
    assert run("diff", str(org), str(org), "--fail-on", "Warning").exit_code == 0
    put(org.parent / ".clientchain.toml", 'fail-on = "Never"\n')
    assert analyze(run, org).exit_code == 0
    put(org.parent / ".clientchain.toml", '[analyze]\nfail-on = "WARNING"\n')
    assert analyze(run, org, "--fail-on", "error").exit_code == 1
    assert analyze(run, org, "--exit-zero", "--format", "json").exit_code == 0


def test_unknown_rule_codes_in_ignore(run: Runner, org: Path) -> None:
    _fails(
        run,
        org,
        'ignore = [\n  "CC101",\n  "cc102",\n  "CC204",\n]\n[analyze]\nignore = "CC101"\n',
        "3:3: cannot ignore 'cc102': not a finding code (did you mean 'CC102'?)",
        "4:3: cannot ignore 'CC204': about the policy itself",
        "7:1: ignore must be a list of rule codes, e.g. [\"CC102\"], found 'CC101' (a text)",
    )


def test_each_item_of_ignore_is_judged_at_its_position(run: Runner, org: Path) -> None:
    _fails(
        run,
        org,
        'ignore = ["CC101", 3, "CC1O2", "CCl05", ["CC102"]]\n',
        '1:20: ignore takes rule codes in quotes, e.g. "CC102", found 3',
        "1:23: cannot ignore 'CC1O2': not a finding code (did you mean 'CC102'?)",
        "1:32: cannot ignore 'CCl05': not a finding code (did you mean 'CC105'?)",
        '1:41: ignore takes rule codes in quotes, e.g. "CC102", found a list',
    )


def test_pyproject_problems_name_its_table(run: Runner, org: Path) -> None:
    put(
        org.parent / "pyproject.toml",
        "[tool.clientchain]\ndecai = 0.3\n[tool.clientchain.diff]\nsort = 'file'\n",
    )
    result = analyze(run, org)
    assert result.exit_code == 2
    assert result.stderr == (
        "orgs/pyproject.toml:2:1: unknown key 'decai' in [tool.clientchain] is not used"
        " (did you mean 'decay'?)\n"
        "orgs/pyproject.toml:4:1: unknown key 'sort' in [tool.clientchain.diff] is not used:"
        " diff has no --sort\n"
        "clientchain: 2 problems in the input\n"
    )


def test_config_file_problems(run: Runner, org: Path) -> None:
    result = analyze(run, org, "--config", "missing.toml")
    assert result.exit_code == 2
    assert result.stderr.startswith("missing.toml: cannot read the configuration: No such file")
    put(org.parent / "pyproject.toml", "[project]\nname = 'x'\n")
    result = analyze(run, org, "--config", "orgs/pyproject.toml")
    assert result.stderr.startswith(
        "orgs/pyproject.toml:1:1: no [tool.clientchain] table to read\n"
    )
    result = analyze(run, org, "--config", "orgs")
    assert result.stderr.startswith(
        "orgs: is a directory, not a configuration file (name a regular file)\n"
    )


def test_a_whole_table_of_the_wrong_kind_is_at_its_header(run: Runner, org: Path) -> None:
    put(org.parent / "pyproject.toml", '[project]\nname = "x"\n\n[tool]\nclientchain = 3\n')
    result = analyze(run, org, "--config", "orgs/pyproject.toml")
    assert result.stderr == (
        "orgs/pyproject.toml:5:1: [tool.clientchain] must be a table, found 3\n"
        "clientchain: 1 problem in the input\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_config_on_a_fifo_is_refused_at_once(org: Path) -> None:
    """A FIFO with no writer would block the open for ever; it is refused unread (a
    subprocess, so that a hang is a timeout and not a stuck test run)."""
    fifo = org.parent / "settings.toml"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "clientchain", "analyze", str(org), "--config", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"{fifo}: is a named pipe (FIFO), not a configuration file (name a regular file)\n"
        "clientchain: 1 problem in the input\n"
    )


def test_validate_checks_the_config_too(run: Runner, org: Path) -> None:
    put(org.parent / ".clientchain.toml", "decay = 2\n")
    result = run("validate", str(org))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "orgs/.clientchain.toml:1:1: decay must be a number between 0 and 1 (exclusive), found 2\n"
    )
    assert run("validate", str(org), "--isolated").exit_code == 0


# Hostile files: a positioned problem, never a traceback; the file is never written


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b'decay = 0.3\nformat = "\xff"\n', "2:11: not UTF-8 text (byte 0xff)"),
        (b'"\\u001b[2J" = 1\n', "1:1: unknown key '\\x1b[2J' at the top level is not used"),
        (b"a = " + b"[" * 5000 + b"]" * 5000, "1:105: not valid TOML: nested too deeply"),
        (b'format = "' + b"x" * 500 + b'"\n[diff]\n', None),
        (b"# " + b"x" * (1 << 20) + b"\n", None),
    ],
    ids=["not-utf8", "control-key", "deep", "long-text", "huge"],
)
def test_hostile_configs_are_positioned_problems(
    run: Runner, org: Path, data: bytes, said: str | None
) -> None:
    config = org.parent / ".clientchain.toml"
    config.write_bytes(data)
    result = run("diff", str(org), str(org))
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    if said is not None:
        assert first == f"orgs/.clientchain.toml:{said}"
    assert first.startswith("orgs/.clientchain.toml:") and len(first) < 1200
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr
    assert config.read_bytes() == data


def test_a_huge_config_is_refused_unread(run: Runner, org: Path) -> None:
    (org.parent / ".clientchain.toml").write_bytes(b"#" * (2 << 20))
    result = analyze(run, org)
    assert result.stderr == (
        "orgs/.clientchain.toml:1:1: a configuration of more than 1,048,576 bytes is not read\n"
        "clientchain: 1 problem in the input\n"
    )


# Where keys are written (tomllib gives no positions)


def test_key_positions_understand_tables_dotted_and_quoted_keys() -> None:
    text = textwrap.dedent(
        '''
        # a comment = 1
        decay = 0.3  # 'x' = 2
        "fail-on" = 'never'
        note = """
        sort = "inflow"
        """
        tool.clientchain.limit = 3
        ignore = ["CC101",
          "CC102",  # ]
        ]
        inline = { a = 1, "b c" = [1, { d = 2 }], e.f = 3 }

          [ tool . "clientchain" . 'analyze' ]
        format = "json"
        [[runs]]
        when = 1979-05-27 07:32:00Z
        "\\u0064ecay" = 0.4
        '''
    ).lstrip("\n")
    found = key_positions(text)
    assert found == {
        ("decay",): (2, 1),
        ("fail-on",): (3, 1),
        ("note",): (4, 1),
        ("tool",): (7, 1),
        ("tool", "clientchain"): (7, 6),
        ("tool", "clientchain", "limit"): (7, 18),
        ("ignore",): (8, 1),
        ("ignore", 0): (8, 11),
        ("ignore", 1): (9, 3),
        ("inline",): (11, 1),
        ("inline", "a"): (11, 12),
        ("inline", "b c"): (11, 19),
        ("inline", "b c", 0): (11, 28),
        ("inline", "b c", 1): (11, 31),
        ("inline", "b c", 1, "d"): (11, 33),
        ("inline", "e"): (11, 43),
        ("inline", "e", "f"): (11, 45),
        ("tool", "clientchain", "analyze"): (13, 28),
        ("tool", "clientchain", "analyze", "format"): (14, 1),
        ("runs",): (15, 3),
        ("runs", "when"): (16, 1),
        ("runs", "decay"): (17, 1),
    }
