"""An org chart as of a git revision, loaded as if that revision were checked out.

`git` runs with an argument list (never a shell). The org chart, the flows file it
names and any `--flows` file inside the repository are read from the revision into
a temporary directory, laid out as in the repository, and loaded from there; every
problem and path is then named `REV:path` (e.g. `origin/main:examples/dealership/
org.yaml:31`), never by the temporary copy. A `--flows` file outside the repository
is not under version control and is read as it is on disk.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from clientchain.loading import loads
from clientchain.model import Org
from clientchain.phases import note, recording
from clientchain.problems import InputError, Position, Problem
from clientchain.scalars import is_null
from clientchain.yamlsource import compose, decode

# A top-level `flows:` key (the flat layout every big org chart has); any other
# spelling is found by reading the whole document.
_FLOWS_LINE = re.compile(r"""^(?:flows|"flows"|'flows')[ \t]*:.*$""", re.MULTILINE)


class RevisionError(Exception):
    """The revision or the repository cannot be used (a one-line message for stderr)."""


class _Repository:
    """The git repository holding a path, at one commit."""

    def __init__(self, rev: str, inside: Path) -> None:
        if not rev or rev.startswith("-"):
            raise RevisionError(f"--rev {rev!r}: not a revision")
        self.rev = rev
        folder = inside if inside.is_dir() else Path.cwd()
        top = self._run(folder, "rev-parse", "--show-toplevel")
        if top.returncode != 0:
            said = top.stderr.decode("utf-8", "replace").strip().splitlines() or ["git failed"]
            if "not a git repository" in said[-1]:
                raise RevisionError(f"--rev needs a git repository, and {folder} is not in one")
            raise RevisionError(f"--rev: {folder}: git says: {said[-1]}")  # e.g. ownership
        self.top = Path(os.path.realpath(top.stdout.decode().strip()))
        found = self._run(folder, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if found.returncode != 0:
            raise RevisionError(f"--rev {rev}: no such commit in the repository at {self.top}")
        self.commit = found.stdout.decode().strip()

    def _run(self, folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
        # git's messages in English (one is recognised above), whatever the locale.
        env = {**os.environ, "LC_ALL": "C"}
        try:
            return subprocess.run(
                ["git", "-C", str(folder), *args], capture_output=True, check=False, env=env
            )
        except FileNotFoundError:
            raise RevisionError("--rev needs git, and git is not installed") from None

    def path_of(self, path: Path) -> str | None:
        """`path` from the repository's top, with forward slashes; None if outside it."""
        try:
            inside = Path(os.path.realpath(path)).relative_to(self.top)
        except ValueError:
            return None
        return inside.as_posix()

    def shown(self, inside: str) -> str:
        return f"{self.rev}:{inside}"

    def blob(self, inside: str) -> bytes | None:
        """The file's bytes at the commit (no filters applied); None when it is absent."""
        spec = f"{self.commit}:{inside}"
        kind = self._run(self.top, "cat-file", "-t", spec)
        if kind.returncode != 0 or kind.stdout.strip() != b"blob":
            return None
        return self._run(self.top, "cat-file", "blob", spec).stdout


def load_at_revision(rev: str, org: Path, flows: Sequence[Path] = ()) -> Org:
    """The org chart at `org` as of git revision `rev`, with its flows as of `rev` too.

    Raises RevisionError for an unusable revision or repository, and InputError (every
    problem named `rev:path`) for input that is absent or bad at that revision.
    """
    repo = _Repository(rev, org.parent)
    org_path = repo.path_of(org)
    if org_path is None:
        raise RevisionError(f"--rev: {org} is not inside the repository at {repo.top}")
    shown = repo.shown(org_path)
    data = repo.blob(org_path)
    if data is None:
        raise InputError([Problem(Position(shown), "no such file at this revision")])
    text = decode(data, shown)
    with tempfile.TemporaryDirectory(prefix="clientchain-rev-") as tmp:
        root = Path(tmp)
        base = root / posixpath.dirname(org_path)
        base.mkdir(parents=True, exist_ok=True)  # so that `../` in a flows path resolves
        names: dict[str, str] = {}  # the temporary copy's paths -> how they are shown
        for written, inside in _flows_paths(text, shown, org_path, rev):
            names[os.fspath(base / written)] = repo.shown(inside)
            _materialise(repo, root, inside)
        extra = [_extra(repo, root, path, names) for path in flows]
        loaded = _load_renamed(text, shown, extra, base, names)
    return dataclasses.replace(loaded, flow_files=tuple(names.get(f, f) for f in loaded.flow_files))


def _load_renamed(
    text: str, shown: str, extra: list[Path], base: Path, names: dict[str, str]
) -> Org:
    """`loads`, with the temporary copy's paths renamed in problems and notes."""
    failure: InputError | None = None
    with recording() as record:  # the loader's notes, to be renamed before they are passed on
        try:
            loaded = loads(text, shown, extra, base_dir=base)
        except InputError as exc:
            failure = exc
    for said in record.notes:
        note(_rename(said, names))
    if failure is not None:
        raise InputError(_renamed(failure.problems, names)) from None
    return loaded


def _flows_paths(text: str, shown: str, org_path: str, rev: str) -> list[tuple[str, str]]:
    """(the `flows:` path as written, its path in the repository) for the org chart's
    flows file, if it names one; a path outside the repository is a problem."""
    # (the snippet, the line it starts at)
    snippets = [(m.group(), text.count("\n", 0, m.start()) + 1) for m in _FLOWS_LINE.finditer(text)]
    if not snippets and "flows" in text:
        snippets = [(text, 1)]  # not at the start of a line: read the whole document
    found: list[tuple[str, str]] = []
    for snippet, first in snippets:
        try:
            root = compose(snippet, shown)
        except InputError:
            continue  # e.g. a multi-line inline list: no file to fetch
        node = None if root is None or root.kind != "map" else root.get("flows")
        if is_null(node) or node is None or node.kind != "scalar":
            continue  # no flows file: none, or an inline list
        inside = posixpath.normpath(posixpath.join(posixpath.dirname(org_path), node.text))
        if posixpath.isabs(node.text) or inside == ".." or inside.startswith("../"):
            at = Position(shown, first + node.line - 1, node.column)
            raise InputError(
                [
                    Problem(
                        at,
                        f"flows: {node.text} is outside the repository: it has no"
                        f" version at {rev} (name it relative to the org chart, inside"
                        " the repository)",
                    )
                ]
            )
        found.append((node.text, inside))
    return found


def _materialise(repo: _Repository, root: Path, inside: str) -> bool:
    """Write the file at `inside` as of the revision under `root`; False when absent."""
    data = repo.blob(inside)
    if data is None:
        return False
    target = root / inside
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


def _extra(repo: _Repository, root: Path, path: Path, names: dict[str, str]) -> Path:
    """A `--flows` file: as of the revision when inside the repository, else from disk."""
    inside = repo.path_of(path)
    if inside is None:
        return path
    if not _materialise(repo, root, inside):
        raise InputError([Problem(Position(repo.shown(inside)), "no such file at this revision")])
    names[os.fspath(root / inside)] = repo.shown(inside)
    return root / inside


def _rename(text: str, names: dict[str, str]) -> str:
    # Longest first: one temporary path may begin another (flows.csv, flows.csv.d/...).
    for temporary, shown in sorted(names.items(), key=lambda n: -len(n[0])):
        text = text.replace(temporary, shown)
    return text


def _renamed(problems: Iterable[Problem], names: dict[str, str]) -> list[Problem]:
    return [
        Problem(
            dataclasses.replace(p.position, file=names.get(p.position.file, p.position.file)),
            _rename(p.message, names),
        )
        for p in problems
    ]
