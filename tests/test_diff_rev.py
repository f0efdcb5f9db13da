"""`clientchain diff --rev REV ORG`: the old version read from git, flows file included,
with every message naming `REV:path` and never the temporary copy."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.diff_orgs import copy_dealership, the_pull_request

Runner = Callable[..., Run]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c",
         "commit.gpgsign=false", *args],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with the shipped dealership committed under org/, then the
    reorganisation committed on top (its org chart and its flows file both change)."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    copy_dealership(root / "org")
    _commit(root, "the dealership")
    shutil.rmtree(root / "org")
    the_pull_request(root / "org")
    _commit(root, "the reorganisation")
    monkeypatch.chdir(root)
    return root


def _doc(result: Run) -> dict[str, Any]:
    assert result.stderr == ""
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _renamed(doc: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The document with the old side's name replaced (to compare with a files diff)."""
    renamed: dict[str, Any] = json.loads(
        json.dumps(doc).replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    )
    return renamed


def test_rev_diff_equals_the_diff_of_the_two_files(run: Runner, repo: Path, tmp_path: Path) -> None:
    result = run("diff", "--rev", "HEAD~1", "org/org.yaml", "--format", "json")
    assert result.exit_code == 1  # the reorganisation adds an inversion
    doc = _doc(result)
    assert doc["old"]["source"] == "HEAD~1:org/org.yaml"
    resolved = doc["findings"]["resolved"]
    assert [(f["file"], f["line"]) for f in resolved] == [
        ("HEAD~1:org/org.yaml", 43),
        ("HEAD~1:org/org.yaml", 48),
    ]
    copy_dealership(tmp_path / "before")
    files = _doc(
        run("diff", str(tmp_path / "before" / "org.yaml"), "org/org.yaml", "--format", "json")
    )
    assert _renamed(doc, "HEAD~1:org/org.yaml", str(tmp_path / "before" / "org.yaml")) == files


def test_the_flows_file_is_read_as_of_the_revision(run: Runner, repo: Path) -> None:
    # Only the flows file changes, first in a commit, then in the working tree.
    flows = repo / "org" / "flows.csv"
    flows.write_text(flows.read_text() + "car-buyers,director,100000,sale\n")
    _commit(repo, "the director sells too")
    doc = _doc(run("diff", "--rev", "HEAD~1", "org/org.yaml", "--format", "json"))
    assert doc["summary"]["flows"] == {"before": 13, "after": 14, "change": 1}
    assert doc["summary"]["money_in"]["change"] == 100000
    assert doc["roles"]["moved"] == doc["roles"]["added"] == []
    head = _doc(run("diff", "--rev", "HEAD", "org/org.yaml", "--format", "json"))
    assert head["summary"]["flows"]["change"] == 0
    flows.write_text(flows.read_text() + "fleet-buyers,director,1,sale\n")
    uncommitted = _doc(run("diff", "--rev", "HEAD", "org/org.yaml", "--format", "json"))
    assert uncommitted["summary"]["flows"] == {"before": 14, "after": 15, "change": 1}


def test_a_flows_file_moved_between_revisions(run: Runner, repo: Path) -> None:
    org = repo / "org" / "org.yaml"
    (repo / "money").mkdir()
    shutil.move(repo / "org" / "flows.csv", repo / "money" / "flows.csv")
    org.write_text(org.read_text().replace("flows: flows.csv", "flows: ../money/flows.csv"))
    _commit(repo, "flows move to their own folder")
    result = run("diff", "--rev", "HEAD~1", str(org), "--format", "json")
    assert result.exit_code == 0
    doc = _doc(result)
    assert doc["summary"]["flows"]["change"] == 0
    assert doc["inversions"] == {"added": [], "removed": [], "changed": []}


def test_a_bad_flows_file_at_the_revision_is_named_by_revision_and_path(
    run: Runner, repo: Path
) -> None:
    flows = repo / "org" / "flows.csv"
    good = flows.read_text()
    flows.write_text(good + "nobody,seller,5,sale\n")
    _commit(repo, "a typo")
    flows.write_text(good)
    result = run("diff", "--rev", "HEAD", "org/org.yaml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "HEAD:org/flows.csv:15:1: flow from unknown id 'nobody'",
        "clientchain: 1 problem in the input",
    ]


def test_a_flows_file_absent_at_the_revision(run: Runner, repo: Path) -> None:
    org = repo / "org" / "org.yaml"
    org.write_text(org.read_text().replace("flows: flows.csv", "flows: gone.csv"))
    _commit(repo, "a flows file nobody added")
    org.write_text(org.read_text().replace("flows: gone.csv", "flows: flows.csv"))
    result = run("diff", "--rev", "HEAD", "org/org.yaml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "HEAD:org/org.yaml:5:8: file not found: HEAD:org/gone.csv",
        "clientchain: 1 problem in the input",
    ]


def test_a_flows_file_outside_the_repository_has_no_revision(run: Runner, repo: Path) -> None:
    org = repo / "org" / "org.yaml"
    org.write_text(org.read_text().replace("flows: flows.csv", "flows: ../../flows.csv"))
    _commit(repo, "flows from outside")
    result = run("diff", "--rev", "HEAD", "org/org.yaml")
    assert (result.exit_code, result.stdout) == (2, "")
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        "HEAD:org/org.yaml:5:8: flows: ../../flows.csv is outside the repository"
    )


def test_extra_flows_inside_the_repository_come_from_the_revision(run: Runner, repo: Path) -> None:
    extra = repo / "extra.csv"
    extra.write_text("from,to,amount\ncar-buyers,owner,1000\n")
    _commit(repo, "extra flows")
    extra.write_text("from,to,amount\ncar-buyers,owner,3000\n")
    doc = _doc(
        run("diff", "--rev", "HEAD", "org/org.yaml", "--flows", "extra.csv", "--format", "json")
    )
    assert doc["summary"]["money_in"]["change"] == 2000
    missing = run("diff", "--rev", "HEAD~1", "org/org.yaml", "--flows", "extra.csv")
    assert (missing.exit_code, missing.stdout) == (2, "")
    assert missing.stderr.splitlines() == [
        "HEAD~1:extra.csv: no such file at this revision",
        "clientchain: 1 problem in the input",
    ]


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["--rev", "no-such-branch", "org/org.yaml"],
            "clientchain: --rev no-such-branch: no such commit",
        ),
        (["--rev", "--all", "org/org.yaml"], "clientchain: --rev '--all': not a revision"),
        (["--rev", "HEAD~1", "org/new.yaml"], "HEAD~1:org/new.yaml: no such file at this revision"),
    ],
)
def test_bad_revisions_and_absent_files_exit_2(
    run: Runner, repo: Path, args: list[str], stderr: str
) -> None:
    (repo / "org" / "new.yaml").write_text((repo / "org" / "org.yaml").read_text())
    result = run("diff", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(stderr)
    assert "clientchain-rev-" not in result.stderr  # never the temporary copy


def test_outside_a_repository_exit_2(run: Runner, tmp_path: Path) -> None:
    org = copy_dealership(tmp_path / "plain")
    result = run("diff", "--rev", "HEAD", str(org))
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr
        == f"clientchain: --rev needs a git repository, and {org.parent} is not in one\n"
    )
