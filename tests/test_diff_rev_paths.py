"""`clientchain diff --rev REV ORG`: which file the org chart's `flows:` names, and that
nothing outside the repository is ever read.

The flows file is the one the parsed document's top-level `flows:` value names, so every
YAML spelling of one value (an alias, a quoted or explicit key, a quoted, tagged or
folded value, a flow-style mapping, any line break, a BOM, a comment) names the same
file. The repository is the boundary for both versions: as of REV (read through git,
which follows symbolic links only within the commit) and as it is now (resolved on
disk, and tracked by git). A file outside it, reached by any path or link, is never
opened: a recognisable secret outside the repository (and in `.git/config`, and in an
untracked file) never appears in the output, whatever the exit code.

Every case runs the CLI in its own process, as CI does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clientchain.loading.revision import flows_reference
from clientchain.loading.scalars import is_null
from clientchain.loading.yaml_source import compose
from clientchain.model.problems import InputError, Position, Problem

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

SECRET = "SECRET-4c1f9e-never-shown"
# The org chart below its `flows:` key (two roles, one client), and its flows file.
TAIL = "roles:\n  - id: owner\n  - id: seller\n    reports_to: owner\nclients:\n  - id: buyers\n"
FLOWS = "from,to,amount\nbuyers,seller,100\nseller,owner,40\n"
OUT = "../../outside/secret.csv"  # from the org chart's folder: the secret outside

ORG = "org/org.yaml"  # as the command names it
OLD = f"HEAD:{ORG}"  # as the old version is named

needs_symlinks = pytest.mark.skipif(os.name == "nt", reason="needs symbolic links")


@dataclass
class Repo:
    root: Path  # the repository's top (the working directory of every run)
    secret: Path  # outside the repository

    @property
    def org(self) -> Path:
        return self.root / ORG

    def git(self, *args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c",
             "commit.gpgsign=false", "-c", "core.symlinks=true", *args],
            cwd=self.root, check=True, capture_output=True,
        )  # fmt: skip

    def commit(self, org: str | bytes | None = None) -> None:
        """Commit everything, with `org` as the org chart (bytes: exactly those)."""
        if org is not None:
            self.write_org(org)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", "change")

    def write_org(self, org: str | bytes) -> None:
        self.org.write_bytes(org.encode("utf-8") if isinstance(org, str) else org)

    def diff(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`clientchain diff --rev HEAD org/org.yaml ARGS` in the repository: no secret,
        no traceback and no temporary path in its output, whatever its exit code."""
        done = subprocess.run(
            [sys.executable, "-m", "clientchain", "diff", "--rev", "HEAD", ORG, *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, "HOME": str(self.secret.parent.parent / "home")},
            check=False,
        )
        assert SECRET not in done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        assert "clientchain-rev-" not in done.stderr
        return done


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A repository with org/flows.csv committed (no org chart yet). Outside it: the
    secret (as a flows file a loader would read), and a home folder holding another
    copy (for `~`); in .git/config: the secret again."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.csv"
    secret.write_text(f"from,to,amount\n{SECRET},seller,5\n", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(secret, home / "secret.csv")
    root = tmp_path / "repo"
    (root / "org").mkdir(parents=True)
    (root / "org" / "flows.csv").write_text(FLOWS, encoding="utf-8")
    made = Repo(root, secret)
    made.git("init", "-q")
    made.git("config", "clientchain.token", SECRET)
    made.commit()
    return made


def _summary(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert (done.returncode, done.stderr) == (0, "")
    summary: dict[str, Any] = json.loads(done.stdout)["summary"]
    return summary


def _stderr(*problems: tuple[str, int, int, str]) -> str:
    """What the CLI prints for these problems (file, line, column, message), in order."""
    lines = [str(Problem(Position(f, line, col), said)) for f, line, col, said in problems]
    return "".join(f"{line}\n" for line in lines) + (
        f"clientchain: {len(lines)} problem{'s' if len(lines) > 1 else ''} in the input\n"
    )


# Every spelling of one `flows:` value (`<v>`), and where the value is written (line,
# column: an alias names its anchor's value).
SPELLINGS = {
    "plain": ("flows: <v>\n" + TAIL, 1, 8),
    "after the roles": (TAIL + "flows: <v>\n", 7, 8),
    "alias": ("x: &p <v>\nflows: *p\n" + TAIL, 1, 4),
    "alias as the key": ("x: &k flows\n*k : <v>\n" + TAIL, 2, 6),
    "anchored key": ("&k flows: <v>\n" + TAIL, 1, 11),
    "double-quoted key": ('"flows": <v>\n' + TAIL, 1, 10),
    "single-quoted key": ("'flows': <v>\n" + TAIL, 1, 10),
    "escaped key": ('"\\u0066lows": <v>\n' + TAIL, 1, 15),
    "explicit key": ("? flows\n: <v>\n" + TAIL, 2, 3),
    "double-quoted value": ('flows: "<v>"\n' + TAIL, 1, 8),
    "single-quoted value": ("flows: '<v>'\n" + TAIL, 1, 8),
    "tagged value": ("flows: !!str <v>\n" + TAIL, 1, 8),
    "folded value": ("flows: >-\n  <v>\n" + TAIL, 1, 8),
    "comment after the value": ("flows: <v>  # the money\n" + TAIL, 1, 8),
    "flow-style mapping": (
        "{flows: <v>, roles: [{id: owner}, {id: seller, reports_to: owner}],"
        " clients: [{id: buyers}]}\n",
        1,
        9,
    ),
    "CRLF line breaks": (("flows: <v>\n" + TAIL).replace("\n", "\r\n"), 1, 8),
    "CR line breaks": (("flows: <v>\n" + TAIL).replace("\n", "\r"), 1, 8),
    "NEL line breaks": (("flows: <v>\n" + TAIL).replace("\n", "\x85"), 1, 8),
    "a line separator after the value": ("flows: <v>\u2028" + TAIL, 1, 8),
    "BOM": ("\ufeffflows: <v>\n" + TAIL, 1, 8),
    "BOM and CRLF": (("\ufeffflows: <v>\n" + TAIL).replace("\n", "\r\n"), 1, 8),
}


def _spelt(spelling: str, value: str) -> str:
    return SPELLINGS[spelling][0].replace("<v>", value)


def _outside(written: str, line: int, column: int, old: bool = True, new: bool = True) -> str:
    """The problems of a flows path that leaves the repository."""
    at_rev = (
        f"flows: {written} is outside the repository: it has no version at HEAD"
        " (name it relative to the org chart, inside the repository)"
    )
    now = (
        f"flows: {written} is outside the repository: --rev reads only files in the"
        " repository (name it relative to the org chart, inside the repository)"
    )
    return _stderr(
        *([(OLD, line, column, at_rev)] if old else []),
        *([(ORG, line, column, now)] if new else []),
    )


@pytest.mark.slow
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_names_the_file_in_the_repository(repo: Repo, spelling: str) -> None:
    repo.commit(_spelt(spelling, "flows.csv"))
    # The working tree gains a row: the old version's file is the one as of HEAD.
    (repo.root / "org" / "flows.csv").write_text(FLOWS + "buyers,owner,1\n", encoding="utf-8")
    summary = _summary(repo.diff("--format", "json"))
    assert summary["flows"] == {"before": 2, "after": 3, "change": 1}
    assert summary["money_in"]["change"] == 1


@pytest.mark.slow
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_path_outside_is_refused_unread(repo: Repo, spelling: str) -> None:
    repo.commit(_spelt(spelling, OUT))
    done = repo.diff()
    _, line, column = SPELLINGS[spelling]
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == _outside(OUT, line, column)


@pytest.mark.slow
@pytest.mark.parametrize(
    "value",
    [
        "<secret>",  # absolute
        "/<secret>",  # absolute, two slashes
        "sub/../../../outside/secret.csv",
        "./../../outside/./secret.csv",
        "..//..//outside//secret.csv",
        "../../outside/secret.csv/",
        "a/" * 2100 + "../" * 2102 + "outside/secret.csv",  # longer than any path
    ],
    ids=["absolute", "two slashes", "dot-dot", "dots", "double slashes", "trailing", "long"],
)
def test_every_path_leaving_the_repository_is_refused_unread(repo: Repo, value: str) -> None:
    written = value.replace("<secret>", str(repo.secret))
    repo.commit(_spelt("double-quoted value", written))
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == _outside(written, 1, 8)


def test_a_path_outside_only_at_the_revision(repo: Repo) -> None:
    repo.commit(_spelt("alias", OUT))
    repo.write_org(_spelt("plain", "flows.csv"))
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == _outside(OUT, 1, 4, new=False)


@pytest.mark.slow
def test_a_path_outside_only_in_the_working_tree(repo: Repo) -> None:
    # The pull request in CI: the revision is the reviewed branch, the working tree is
    # the stranger's change.
    repo.commit(_spelt("plain", "flows.csv"))
    repo.write_org(_spelt("alias", OUT))
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == _outside(OUT, 1, 4, old=False)


@pytest.mark.slow
@pytest.mark.parametrize(
    "value",
    [
        "./flows.csv",
        "../org/flows.csv",
        ".//flows.csv",
        "../org/../org/./flows.csv",
        "<repo>/org/flows.csv",  # absolute, into the repository
    ],
)
def test_other_paths_to_the_file_in_the_repository(repo: Repo, value: str) -> None:
    written = value.replace("<repo>", str(repo.root))
    repo.commit(_spelt("single-quoted value", written))
    if value.startswith("<repo>"):
        # As of REV an absolute path has no version (the loader would read the disk);
        # as it is now, it is a file in the repository.
        done = repo.diff()
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == _outside(written, 1, 8, new=False)
        return
    assert _summary(repo.diff("--format", "json"))["flows"]["change"] == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    ["flöws.csv", "money flows.csv", "a:b.csv", "-flows.csv", "#1.csv", "~/flows.csv", ".f"],
)
def test_unusual_names_in_the_repository(repo: Repo, name: str) -> None:
    target = repo.root / "org" / name
    target.parent.mkdir(exist_ok=True)
    shutil.move(repo.root / "org" / "flows.csv", target)
    repo.commit(_spelt("single-quoted value", name))
    assert _summary(repo.diff("--format", "json"))["flows"] == {
        "before": 2,
        "after": 2,
        "change": 0,
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("~/secret.csv", "org/~/secret.csv"),  # `~` is a folder's name, never home
        ("~", "org/~"),
        ("https://example.com/flows.csv", "org/https:/example.com/flows.csv"),
        ("file://<secret>", "org/file:<secret>"),
        ("..\\..\\outside\\secret.csv", "org/..\\..\\outside\\secret.csv"),  # one name
        ("a" * 300 + ".csv", f"org/{'a' * 300}.csv"),
    ],
    ids=["tilde", "tilde alone", "url", "file url", "backslashes", "long name"],
)
def test_paths_that_name_nothing_in_the_repository(repo: Repo, value: str, shown: str) -> None:
    if "\\" in value and os.name == "nt":
        pytest.skip("a backslash separates folders on Windows")
    written = value.replace("<secret>", str(repo.secret))
    shown = shown.replace("<secret>", str(repo.secret))
    repo.commit(_spelt("single-quoted value", written))
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    if len(value) > 255:  # longer than a file name may be
        assert done.stderr == _stderr(
            (OLD, 1, 8, f"cannot read: HEAD:{shown}: File name too long"),
            (ORG, 1, 8, f"cannot read: {shown}: File name too long"),
        )
        return
    assert done.stderr == _stderr(
        (OLD, 1, 8, f"file not found: HEAD:{shown}"),
        (ORG, 1, 8, f"file not found: {shown}"),
    )


@pytest.mark.slow
@pytest.mark.parametrize("value", ["flows.csv\\0", "flows.csv\\n", "\\r\\n", "\\0/../" + OUT])
def test_a_nul_or_a_line_break_in_the_path_is_refused(repo: Repo, value: str) -> None:
    repo.commit(_spelt("double-quoted value", value))
    written = value.replace("\\0", "\0").replace("\\n", "\n").replace("\\r", "\r")
    message = (
        f"flows: {written} holds a NUL character or a line break: no file is read by such"
        " a name (name the file plainly)"
    )
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == _stderr((OLD, 1, 8, message), (ORG, 1, 8, message))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "at_rev"),
    [("../.git/config", ".git/config"), ("creds.csv", "org/creds.csv")],
    ids=["git's own file", "an untracked file"],
)
def test_files_git_does_not_track_are_not_read(repo: Repo, value: str, at_rev: str) -> None:
    # In the repository's folder but not in it: git's own files (a CI token in
    # .git/config) and files a CI job left in the workspace.
    repo.commit(_spelt("plain", value))
    (repo.root / "org" / "creds.csv").write_text(f"from,to,amount\n{SECRET},seller,1\n")
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == _stderr(
        (OLD, 1, 8, f"file not found: HEAD:{at_rev}"),
        (
            ORG,
            1,
            8,
            f"flows: {value} is not under version control: --rev reads only files git"
            " tracks in the repository (git add it)",
        ),
    )


@pytest.mark.slow
def test_a_folder_is_named_as_one(repo: Repo) -> None:
    repo.commit(_spelt("plain", "."))
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == _stderr(
        (OLD, 1, 8, "is a directory, not a file: HEAD:org"),
        (ORG, 1, 8, "is a directory, not a file: org"),
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("org", "flows"),
    [
        ("flows:\n  - {from: buyers, to: seller, amount: 100}\n" + TAIL, 1),
        ("flows: [{from: buyers, to: seller, amount: 100}]\n" + TAIL, 1),
        ("flows:\n" + TAIL, 0),
        ("flows: ~\n" + TAIL, 0),
        ("x: &p ~\nflows: *p\n" + TAIL, 0),
        (TAIL, 0),
    ],
    ids=["inline list", "inline flow list", "empty", "null", "null alias", "absent"],
)
def test_no_flows_file_at_all(repo: Repo, org: str, flows: int) -> None:
    repo.commit(org)
    assert _summary(repo.diff("--format", "json"))["flows"] == {
        "before": flows,
        "after": flows,
        "change": 0,
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("org", "line", "column", "message"),
    [
        (
            f"flows: [{OUT}]\n" + TAIL,
            1,
            9,
            "a flow must be a mapping with from, to, amount; found a scalar",
        ),
        (
            f"flows:\n  - flows.csv\n  - {OUT}\n" + TAIL,
            2,
            5,
            "a flow must be a mapping with from, to, amount; found a scalar",
        ),
        (
            f"flows: {{path: {OUT}}}\n" + TAIL,
            1,
            8,
            "flows must be a list of mappings with from, to, amount; found a mapping",
        ),
        (
            f"<<: {{flows: {OUT}}}\n" + TAIL,
            1,
            1,
            "merge keys ('<<') are not supported: write the keys out",
        ),
        (
            f"x: &m {{flows: {OUT}}}\n<<: *m\n" + TAIL,
            2,
            1,
            "merge keys ('<<') are not supported: write the keys out",
        ),
        (
            f"flows: flows.csv\nflows: {OUT}\n" + TAIL,
            2,
            1,
            "key 'flows' repeated in this mapping (first at line 1); YAML would silently"
            " keep only the last one",
        ),
    ],
    ids=["list of paths", "block list of paths", "mapping", "merge key", "merged alias", "twice"],
)
def test_values_that_are_no_path_read_no_file(
    repo: Repo, org: str, line: int, column: int, message: str
) -> None:
    repo.commit(org)
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    problems = done.stderr.splitlines()
    assert str(Problem(Position(OLD, line, column), message)) in problems
    assert str(Problem(Position(ORG, line, column), message)) in problems


@pytest.mark.slow
@needs_symlinks
def test_a_link_within_the_repository_is_followed(repo: Repo) -> None:
    (repo.root / "data").mkdir()
    shutil.move(repo.root / "org" / "flows.csv", repo.root / "data" / "flows.csv")
    (repo.root / "org" / "flows.csv").symlink_to(Path("..", "data", "flows.csv"))
    (repo.root / "org" / "data").symlink_to(Path("..", "data"))
    for value in ("flows.csv", "data/flows.csv"):
        repo.commit(_spelt("alias", value))
        assert _summary(repo.diff("--format", "json"))["flows"]["before"] == 2


@needs_symlinks
@pytest.mark.parametrize(
    "absolute",
    [False, pytest.param(True, marks=pytest.mark.slow)],
    ids=["relative", "absolute"],
)
def test_a_link_out_of_the_repository_is_not_followed(repo: Repo, absolute: bool) -> None:
    target = repo.secret if absolute else Path("..", "..", "outside", "secret.csv")
    (repo.root / "org" / "flows.csv").unlink()
    (repo.root / "org" / "flows.csv").symlink_to(target)
    (repo.root / "org" / "out").symlink_to(repo.secret.parent if absolute else "../../outside")
    for value in ("flows.csv", "out/secret.csv"):
        repo.commit(_spelt("alias", value))
        done = repo.diff()
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == _stderr(
            (
                OLD,
                1,
                4,
                f"flows: {value} is a symbolic link out of the repository at HEAD: it is not"
                " followed (name a file inside the repository)",
            ),
            (
                ORG,
                1,
                4,
                f"flows: {value} leads out of the repository through a symbolic link: --rev"
                " reads only files in the repository",
            ),
        )


@needs_symlinks
def test_a_dangling_link(repo: Repo) -> None:
    (repo.root / "org" / "gone.csv").symlink_to("nowhere.csv")
    repo.commit(_spelt("plain", "gone.csv"))
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == _stderr(
        (OLD, 1, 8, "file not found: HEAD:org/gone.csv"),
        (ORG, 1, 8, "file not found: org/gone.csv"),
    )


@needs_symlinks
def test_an_org_chart_that_is_a_link_out_is_not_read(repo: Repo) -> None:
    repo.secret.with_suffix(".yaml").write_text(f"{SECRET}: 1\n" + TAIL, encoding="utf-8")
    repo.org.symlink_to(repo.secret.with_suffix(".yaml"))
    repo.commit()
    done = repo.diff()
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("clientchain: --rev: org/org.yaml is not inside the repository")


@pytest.mark.slow
def test_extra_flows_outside_the_repository_are_read_for_both(repo: Repo) -> None:
    # The user's own file, named on the command line: read as it is, for both versions.
    extra = repo.secret.parent / "extra.csv"
    extra.write_text("from,to,amount\nbuyers,owner,7\n", encoding="utf-8")
    repo.commit(_spelt("plain", "flows.csv"))
    summary = _summary(repo.diff("--flows", str(extra), "--format", "json"))
    assert summary["flows"] == {"before": 3, "after": 3, "change": 0}


@needs_symlinks
def test_extra_flows_linked_out_of_the_repository_are_not_read(repo: Repo) -> None:
    (repo.root / "extra.csv").symlink_to(repo.secret)
    repo.commit(_spelt("plain", "flows.csv"))
    done = repo.diff("--flows", "extra.csv")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == _stderr(
        (
            "HEAD:extra.csv",
            0,
            0,
            "a symbolic link out of the repository at this revision: it is not followed",
        ),
        (
            "extra.csv",
            0,
            0,
            "leads out of the repository through a symbolic link: --rev reads a --flows"
            " file named inside the repository only from the repository",
        ),
    )


# Lines and line breaks that documents are made of below: flat ones, a policy block
# (which the flat reader reads cut out), and every way YAML has of hiding or spelling
# a `flows:` key (a CR or NEL line break inside a line the cut sees as one, aliases,
# flow style, quoted keys, merge keys, multi-line scalars).
_LINES = [
    "policy:", "policy: {}", "policy: x", "policy: |", "policy: &q", "  fail_on: error",
    '  note: "a', '#"', "# c", "", "flows: ../BAD1", "flows: good.csv", "flows:", "flows: ~",
    "flows : BAD2",
    "'flows': BAD3", "  flows: BAD4", "x: &p BAD5", "flows: *p", "{flows: BAD6}",
    "<<: {flows: BAD7}", "? flows", ": BAD8", "flows: !!str BAD9", "roles:", "  - id: a",
    "- id: b", "clients:", "  - id: c", "x: 1", "  more", "policy:\n- a", "\tz: 1", "---",
]  # fmt: skip
_BREAKS = ["\n", "\n", "\n", "\r", "\r\n", "\x85", "\u2028"]


def _composed_flows(text: str) -> str | None:
    root = compose(text, "org.yaml")
    node = root.get("flows") if root is not None and root.kind == "map" else None
    return None if is_null(node) or node is None or node.kind != "scalar" else node.text


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_LINES), st.sampled_from(_BREAKS)), max_size=9))
# A key a cut made on LF lines would not see (behind a CR, NEL or line separator).
@pytest.mark.slow
@example([("policy: x", "\r"), ("flows: ../BAD1", "\n"), ("roles:", "\n")])
@example([("policy: {}", "\u2028"), ("flows: ../BAD1", "\n"), ("roles:", "\n")])
@example([("roles:", "\n"), ("policy: x", "\x85"), ("flows : BAD2", "\n")])
@example([("x: &p BAD5", "\n"), ("flows: *p", "\n"), ("policy:", "\n"), ("  fail_on: x", "\n")])
def test_the_flows_reference_is_the_composed_documents(lines: list[tuple[str, str]]) -> None:
    # Whatever reader decides it (the flat one for speed), the file is the one the
    # composed document names: the one the precise loader reads.
    text = "".join(line + end for line, end in lines)
    try:
        expected = _composed_flows(text)
    except InputError:
        return  # the loader reads no flows file from a document it cannot compose
    found = flows_reference(text, "org.yaml")
    assert (found.written if found else None) == expected
