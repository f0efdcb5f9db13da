"""The CI integrations, run the way CI runs them, from the snippets the README shows.

The README's GitHub Actions, GitLab CI and pre-commit snippets are read from the
README itself, so a snippet that stops working fails here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEALERSHIP_ORG = "examples/dealership/org.yaml"
BIN = Path(sys.executable).parent


def readme_block(first_line: str) -> str:
    """The fenced block of the README whose first line is `first_line`."""
    for block in re.findall(r"```(?:yaml|bash)\n(.*?)```", README, re.DOTALL):
        if block.splitlines()[0] == first_line:
            return str(block)
    raise AssertionError(f"no README snippet starts with {first_line!r}")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("GITHUB_ACTIONS", None)
    env.update(extra)
    return env


def _accountant_line() -> int:
    lines = (ROOT / DEALERSHIP_ORG).read_text(encoding="utf-8").splitlines()
    return lines.index("  - id: accountant") + 1


# --- pre-commit ------------------------------------------------------------------------


def _hooks() -> dict[str, dict[str, Any]]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in hooks}


def _hook_command(hook: dict[str, Any], args: list[str], files: list[str]) -> list[str]:
    """What pre-commit runs: the entry, the configured args, then the matching files."""
    matching = [f for f in files if re.search(hook.get("files", ""), f)]
    if "yaml" in hook.get("types", []):
        matching = [f for f in matching if f.endswith((".yaml", ".yml"))]
    named = matching if hook.get("pass_filenames", True) else []
    return [*shlex.split(hook["entry"]), *args, *named]


def test_the_readme_pre_commit_config_names_hooks_this_repository_has() -> None:
    config = yaml.safe_load(readme_block("# .pre-commit-config.yaml"))
    (repo,) = config["repos"]
    hooks = _hooks()
    assert [h["id"] for h in repo["hooks"]] == list(hooks)
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert shlex.split(hook["entry"])[0] == "clientchain"  # the console script we ship


@pytest.mark.slow
def test_the_pre_commit_hooks_run_as_configured_in_the_readme(tmp_path: Path) -> None:
    config = yaml.safe_load(readme_block("# .pre-commit-config.yaml"))
    hooks = _hooks()
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").rglob("*") if p.is_file())
    results = {}
    for configured in config["repos"][0]["hooks"]:
        hook = hooks[configured["id"]]
        command = _hook_command(hook, configured.get("args", []), files)
        results[configured["id"]] = subprocess.run(
            command, cwd=ROOT, env=_env(), capture_output=True, text=True, check=False
        )
    validate = results["clientchain-validate"]
    assert validate.returncode == 0, validate.stderr
    examples = sorted((ROOT / "examples").glob("*/org.yaml"))
    assert validate.stdout.count(": ok: ") == len(examples)  # every org chart, not one
    analyze = results["clientchain-analyze"]
    assert analyze.returncode == 1  # the dealership's inversion fails the commit
    assert "CC101" in analyze.stdout


def test_the_validate_hook_fails_on_a_broken_org_chart(tmp_path: Path) -> None:
    broken = tmp_path / "org.yaml"
    broken.write_text("roles:\n  - id: a\n    reports_to: b\n", encoding="utf-8")
    hook = _hooks()["clientchain-validate"]
    command = _hook_command(hook, [], [str(broken), str(ROOT / DEALERSHIP_ORG)])
    result = subprocess.run(command, env=_env(), capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert f"{broken}:3:17: reports_to: unknown role 'b'" in result.stderr
    assert f"{ROOT / DEALERSHIP_ORG}: ok:" in result.stdout  # the others are still checked


PRE_COMMIT = shutil.which("pre-commit", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.mark.slow
@pytest.mark.skipif(
    PRE_COMMIT is None, reason="pre-commit is not installed (pip install -e '.[dev]')"
)
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """pre-commit itself installs the hooks from this checkout and runs them."""
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples", work / "examples")
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run(["git", "add", "."], cwd=work, check=True)
    result = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), "clientchain-validate", "--all-files"],
        cwd=work,
        env=_env(PRE_COMMIT_HOME=str(tmp_path / "cache")),  # not the user's own cache
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clientchain validate" in result.stdout and "Passed" in result.stdout


# --- the GitHub Action -------------------------------------------------------------------


def _action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return action


def test_the_action_never_splices_inputs_into_shell_text() -> None:
    """`${{ inputs.x }}` inside `run:` would let a file name run commands; env vars don't."""
    steps = _action()["runs"]["steps"]
    assert steps and all("${{" not in step["run"] for step in steps)


def _run_action(
    tmp_path: Path, with_: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    """Run the action's check step as the runner would: inputs as env, bash, repo root."""
    action = _action()
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(with_) - set(inputs)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    inputs.update(with_)
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "check"]
    env = {}
    for name, value in step["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", value)
        assert match, value
        env[name] = inputs[match.group(1)]
    env["CLIENTCHAIN_PYTHON"] = sys.executable
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.touch()
    summary.touch()
    result = subprocess.run(
        ["bash", "-c", step["run"]],
        cwd=ROOT,
        env=_env(**env, GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary)),
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return result, outputs, summary.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_readme_workflow_annotates_the_inversion_and_fails(tmp_path: Path) -> None:
    workflow = yaml.safe_load(readme_block("# .github/workflows/org-chart.yml"))
    (job,) = workflow["jobs"].values()
    (step,) = [s for s in job["steps"] if s["uses"].startswith("OWNER/clientchain@")]
    result, outputs, summary = _run_action(tmp_path, step["with"])
    assert result.returncode == 1, result.stderr
    assert outputs["exit-code"] == "1"
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::") for line in lines)  # commands only
    assert f"::error file={DEALERSHIP_ORG},line={_accountant_line()}," in result.stdout
    assert "CC101" in summary and "|" in summary  # the Markdown summary, with its tables


@pytest.mark.slow
def test_the_action_writes_a_sarif_report(tmp_path: Path) -> None:
    report = tmp_path / "out.sarif"
    result, outputs, summary = _run_action(
        tmp_path,
        {"org": DEALERSHIP_ORG, "format": "sarif", "output": str(report), "fail-on": "never"},
    )
    assert result.returncode == 0, result.stderr
    assert outputs == {"report": str(report), "exit-code": "0"}
    sarif = json.loads(report.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert any(r["ruleId"] == "CC101" for r in sarif["runs"][0]["results"])
    assert summary  # the job summary is written whatever the format


def test_a_hostile_org_input_is_only_a_file_name(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    result, outputs, _ = _run_action(tmp_path, {"org": f"$(touch {marker})"})
    assert result.returncode == 2 and outputs["exit-code"] == "2"
    assert not marker.exists()


def test_an_unknown_format_is_refused_with_an_annotation(tmp_path: Path) -> None:
    result, _, _ = _run_action(tmp_path, {"org": DEALERSHIP_ORG, "format": "pdf"})
    assert result.returncode == 2
    assert result.stdout.startswith("::error title=clientchain::format must be")


# --- GitLab CI ---------------------------------------------------------------------------


@pytest.mark.slow
def test_the_readme_gitlab_job_writes_a_code_quality_report(tmp_path: Path) -> None:
    job = yaml.safe_load(readme_block("# .gitlab-ci.yml"))["org-chart"]
    install, *commands = job["script"]
    assert install.startswith("pip install ")  # the runner's install; ours is done
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    statuses = [
        subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=_env(), capture_output=True, check=False
        ).returncode
        for command in commands
    ]
    assert statuses == [0, 1]  # the summary never fails; the report run fails the job
    report_name = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"  # uploaded although the job failed
    issues = json.loads((tmp_path / report_name).read_text(encoding="utf-8"))
    assert {issue["check_name"] for issue in issues} >= {"CC101"} or any(
        "CC101" in issue["check_name"] for issue in issues
    )
    for issue in issues:
        assert issue["location"]["path"] == DEALERSHIP_ORG
        assert issue["location"]["lines"]["begin"] >= 1


# --- the diff comment workflow -----------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.slow
def test_the_readme_diff_workflow_comments_the_pull_request(tmp_path: Path) -> None:
    """The workflow's script, run in a repository whose base branch is origin/main; a
    stand-in `gh` records the comment it would post."""
    from tests.diff_orgs import MOVE_ACCOUNTANT, SWAP_MARKETING_FOR_TRAINER, reorganised

    workflow = yaml.safe_load(readme_block("# .github/workflows/org-diff.yml"))
    (job,) = workflow["jobs"].values()
    (step,) = [s for s in job["steps"] if "clientchain diff" in s.get("run", "")]
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", repo / "examples")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    shutil.rmtree(repo / "examples" / "dealership")
    reorganised(repo / "examples" / "dealership", MOVE_ACCOUNTANT, SWAP_MARKETING_FOR_TRAINER)

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "gh.log"
    (bin_dir / "gh").write_text(
        f'#!/bin/sh\necho "$@" > {log}\ncat "$5" >> {log}\n', encoding="utf-8"
    )
    (bin_dir / "gh").chmod(0o755)
    expressions = {
        "${{ github.token }}": "token",
        "origin/${{ github.base_ref }}": "origin/main",
        "${{ github.event.pull_request.number }}": "7",
    }
    env = {name: expressions.get(value, value) for name, value in step["env"].items()}
    summary = tmp_path / "summary.md"
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],  # GitHub runs `run:` with bash -e
        cwd=repo,
        env=_env(**env, GITHUB_STEP_SUMMARY=str(summary), PATH=f"{bin_dir}:{BIN}:/usr/bin:/bin"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # the trainer's budget is a new inversion
    posted = log.read_text(encoding="utf-8")
    assert posted.startswith("pr comment 7 --body-file org-diff.md\n")
    comment = posted.split("\n", 1)[1]
    assert "org alienation" in comment and "trainer" in comment
    assert summary.read_text(encoding="utf-8") == comment
