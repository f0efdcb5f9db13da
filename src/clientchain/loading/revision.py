"""An org chart as of a git revision, loaded as if that revision were checked out.

`git` runs with an argument list (never a shell). The org chart, the flows file it
names and any `--flows` file inside the repository are read from the revision into
a temporary directory, laid out as in the repository, and loaded from there; every
problem and path is then named `REV:path` (e.g. `origin/main:examples/dealership/
org.yaml:31`), never by the temporary copy. A `--flows` file outside the repository
is not under version control and is read as it is on disk.

The repository is the boundary, for both versions `diff --rev` compares. An org chart
comes from other people (a pull request, in CI), so the file its `flows:` names is read
only when it is in the repository:

* Which file: the `flows:` value exactly as the loader takes it (`flows_reference`),
  from the parsed document, never from a pattern over lines: an alias, a quoted key or
  value, a flow-style mapping, any line break or a BOM name the same file as the plain
  spelling.
* As of REV: the value is joined to the org chart's folder as the loader joins it; a
  path that leaves the repository (`..`, an absolute path) is refused, and the file is
  read through git, which follows symbolic links within the commit and reports the
  ones that leave it (refused, never followed). Git's own files are in no commit.
* As it is now: the file must resolve (symbolic links followed) inside the repository
  and be tracked by git, so no file outside it, nothing in `.git` and no untracked
  file a CI job left in the workspace is read.

A refused file is never opened, so nothing of its contents can reach a message.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import stat
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from clientchain.loading.fast.flat_yaml import (
    FlatDocument,
    NotFlatError,
    one_document,
    read_flat,
    with_lf,
)
from clientchain.loading.input_file import NotAFileError, read_file
from clientchain.loading.loader import loads
from clientchain.loading.policy import take_policy_section
from clientchain.loading.scalars import NULLS, is_null
from clientchain.loading.spreadsheet import DEFAULT, Dialect
from clientchain.loading.yaml_source import compose, decode
from clientchain.model.org import Org
from clientchain.model.phases import note, phase, recording
from clientchain.model.problems import InputError, Position, Problem

# No file name holds a NUL; git's batch protocol reads one path per line.
_UNNAMEABLE = re.compile("[\x00\n\r]")
# An object git found: its name, type and size (`git cat-file --batch`).
_FOUND = re.compile(rb"[0-9a-f]{40,64} ([a-z]+) ([0-9]+)")
# The top-level `flows:` line of a document the flat reader accepted (only for its
# position: the value itself is the flat reader's).
_FLAT_FLOWS = re.compile(r"^flows: *", re.MULTILINE)

Kind = Literal["file", "folder", "outside", "absent"]
_LINK_OUT = "a symbolic link out of the repository at this revision: it is not followed"


class RevisionError(Exception):
    """The revision or the repository cannot be used (a one-line message for stderr)."""


@dataclasses.dataclass(frozen=True)
class FlowsReference:
    """The flows file an org chart names: the path as written, and where it is written."""

    written: str
    where: Position


def flows_reference(text: str, shown: str) -> FlowsReference | None:
    """The file the org chart's top-level `flows:` names, as the loader will read it;
    None when it names none (absent, null, an inline list or any other non-scalar).

    The loader reads flat YAML with the flat reader (its policy block cut out) and
    anything else with the composer, and the two agree on every document the flat
    reader accepts; the value is taken the same way (the flat reader first: composing
    a big generated file takes minutes). From the composed document, aliases are
    resolved, keys compared by their value whatever their quoting, and line breaks (CR,
    CRLF, NEL...) are the YAML parser's. Raises InputError when the document cannot be
    composed: the loader then reports the same problems and reads no flows file.
    """
    flat = _flat(text)
    if flat is not None:
        document, rest = flat
        if "flows" not in document.scalars:
            return None  # absent, empty, or an inline list
        written, quoted = document.scalars["flows"]
        if not quoted and written in NULLS:
            return None
        return FlowsReference(written, _flat_position(rest, shown))
    root = compose(text, shown)
    node = root.get("flows") if root is not None and root.kind == "map" else None
    if node is None or is_null(node) or node.kind != "scalar":
        return None
    return FlowsReference(node.text, Position(shown, node.line, node.column))


def _flat(text: str) -> tuple[FlatDocument, str] | None:
    """The document as the flat reader reads it, and the text it read: the policy block
    (nested, so never flat) cut out as the loader cuts it, when that block, composed on
    its own, is the one key `policy` (nothing else hides in it, such as a key behind a
    CR line break, which a cut made on LF lines would miss). None when the flat reader
    cannot read it."""
    marked = text.encode("utf-8")
    unmarked = one_document(with_lf(marked))  # (as the loader does: before the cut)
    if unmarked is not marked:
        text = unmarked.decode("utf-8")
    cut = take_policy_section(text)
    rest, section = cut if cut is not None else (text, "")
    if section:
        try:
            block = compose(section, "")
        except InputError:
            return None
        if block is None or [key.text for key, _ in block.pairs] != ["policy"]:
            return None
    try:
        return read_flat(rest.encode("utf-8"), rest, markers=False), rest
    except NotFlatError:
        return None


def _flat_position(text: str, shown: str) -> Position:
    found = _FLAT_FLOWS.search(text)
    if found is None:  # pragma: no cover - the flat reader found the key on such a line
        return Position(shown)
    return Position(shown, text.count("\n", 0, found.start()) + 1, found.end() - found.start() + 1)


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

    def _run(
        self, folder: Path, *args: str, given: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        # git's messages in English (one is recognised above), whatever the locale.
        env = {**os.environ, "LC_ALL": "C"}
        try:
            return subprocess.run(
                ["git", "-C", str(folder), *args],
                input=given,
                capture_output=True,
                check=False,
                env=env,
            )
        except FileNotFoundError:
            raise RevisionError("--rev needs git, and git is not installed") from None

    def path_of(self, path: str | os.PathLike[str]) -> str | None:
        """`path` from the repository's top, with forward slashes; None if outside it.

        Inside as written (`..` taken as written), else once symbolic links are
        followed (a path into the repository through a link from outside)."""
        for candidate in (_absolute(path), os.path.realpath(path)):
            inside = _below(self.top, candidate)
            if inside is not None:
                return inside
        return None

    def holds(self, path: str | os.PathLike[str]) -> str | None:
        """Where `path` is on disk, symbolic links followed, from the repository's top;
        None when that is outside the repository."""
        return _below(self.top, os.path.realpath(path))

    def tracked(self, inside: str) -> bool:
        """Git tracks the file at `inside` (it is in the index)."""
        listed = self._run(self.top, "--literal-pathspecs", "ls-files", "-z", "--", inside)
        return listed.returncode == 0 and os.fsencode(inside) in listed.stdout.split(b"\0")

    def shown(self, inside: str) -> str:
        return f"{self.rev}:{inside}"

    def read(self, inside: str) -> tuple[Kind, bytes]:
        """What `inside` is at the commit, as a checkout of it would show it: git follows
        symbolic links within the commit. A file and its bytes (no filters applied), a
        folder, a link that leaves the commit's tree ("outside", never followed), or
        "absent" (no such path, a dangling link, a loop, a file taken for a folder)."""
        if _UNNAMEABLE.search(inside):
            raise RevisionError(f"--rev: {inside!r}: git cannot look up a path with a line break")
        request = os.fsencode(f"{self.commit}:{'' if inside == '.' else inside}") + b"\n"
        done = self._run(self.top, "cat-file", "--batch", "--follow-symlinks", given=request)
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["git failed"]
            raise RevisionError(f"--rev {self.rev}: git says: {said[-1]}")
        header, _, rest = done.stdout.partition(b"\n")
        found = _FOUND.fullmatch(header)
        if found is None:  # `symlink SIZE` (out of the tree), `missing`, `dangling`, `loop`...
            return ("outside" if header.startswith(b"symlink ") else "absent"), b""
        if found.group(1) == b"blob":
            return "file", rest[: int(found.group(2))]
        return ("folder" if found.group(1) == b"tree" else "absent"), b""  # or a submodule


def _below(top: Path, path: str) -> str | None:
    """`path` (absolute and normalised) from `top` in forward slashes; None if outside."""
    try:
        return Path(path).relative_to(top).as_posix()
    except ValueError:
        return None


def _absolute(path: str | os.PathLike[str]) -> str:
    """`path` made absolute and normalised as written (`..` not through links)."""
    return os.path.normpath(Path.cwd() / path)


def _joined(root: Path, base: Path, written: str) -> str | None:
    """The path `written` names from the folder `base`, joined as the loader joins it
    (the platform's rules: an absolute path replaces `base`; on Windows a backslash
    separates too), from `root` with forward slashes; None when it leaves `root`."""
    try:
        inside = os.path.relpath(os.path.normpath(base / written), root)
    except ValueError:  # another drive
        return None
    if Path(inside).is_absolute() or inside == os.pardir or inside.startswith(os.pardir + os.sep):
        return None
    return Path(inside).as_posix()


def _unnameable(reference: FlowsReference) -> Problem | None:
    if _UNNAMEABLE.search(reference.written) is None:
        return None
    return Problem(
        reference.where,
        f"flows: {reference.written} holds a NUL character or a line break: no file is"
        " read by such a name (name the file plainly)",
    )


def load_at_revision(
    rev: str, org: Path, flows: Sequence[Path] = (), dialect: Dialect = DEFAULT
) -> Org:
    """The org chart at `org` as of git revision `rev`, with its flows as of `rev` too
    (CSV read in `dialect`).

    Raises RevisionError for an unusable revision or repository, and InputError (every
    problem named `rev:path`) for input that is absent or bad at that revision, or a
    flows file outside the repository.
    """
    repo = _Repository(rev, org.parent)
    org_path = repo.path_of(org)
    if org_path is None:
        raise RevisionError(f"--rev: {org} is not inside the repository at {repo.top}")
    shown = repo.shown(org_path)
    kind, data = repo.read(org_path)
    if kind == "outside":
        raise InputError([Problem(Position(shown), _LINK_OUT)])
    if kind != "file":
        raise InputError([Problem(Position(shown), "no such file at this revision")])
    text = decode(data, shown)
    reference = flows_reference(text, shown)
    with tempfile.TemporaryDirectory(prefix="clientchain-rev-") as tmp:
        root = Path(tmp)
        base = root / posixpath.dirname(org_path)
        base.mkdir(parents=True, exist_ok=True)  # so that `../` in a flows path resolves
        # The temporary copy's paths -> how they are shown (any other path under the
        # copy: from the revision's top).
        names: dict[str, str] = {tmp + os.sep: f"{rev}:"}
        if reference is not None:
            inside = _flows_at_revision(repo, root, base, reference)
            names[os.fspath(base / reference.written)] = repo.shown(inside)
        extra = [_extra(repo, root, path, names) for path in flows]
        loaded = _load_renamed(text, shown, extra, base, names, dialect)
    return dataclasses.replace(
        loaded, flow_files=tuple(_rename(f, names) for f in loaded.flow_files)
    )


def _flows_at_revision(repo: _Repository, root: Path, base: Path, reference: FlowsReference) -> str:
    """The org chart's flows file, written under `root` as of the revision (when it is
    there); its path in the repository. InputError when it is outside the repository."""
    problem = _unnameable(reference)
    if problem is None:
        inside = _joined(root, base, reference.written)
        if inside is None:
            problem = Problem(
                reference.where,
                f"flows: {reference.written} is outside the repository: it has no version"
                f" at {repo.rev} (name it relative to the org chart, inside the repository)",
            )
        elif _materialise(repo, root, inside) == "outside":
            problem = Problem(
                reference.where,
                f"flows: {reference.written} is a symbolic link out of the repository at"
                f" {repo.rev}: it is not followed (name a file inside the repository)",
            )
        else:
            return inside
    raise InputError([problem])


def _load_renamed(
    text: str, shown: str, extra: list[Path], base: Path, names: dict[str, str], dialect: Dialect
) -> Org:
    """`loads`, with the temporary copy's paths renamed in problems and notes."""
    failure: InputError | None = None
    with recording() as record:  # the loader's notes, to be renamed before they are passed on
        try:
            loaded = loads(text, shown, extra, base_dir=base, dialect=dialect)
        except InputError as exc:
            failure = exc
    for said in record.notes:
        note(_rename(said, names))
    if failure is not None:
        raise InputError(_renamed(failure.problems, names)) from None
    return loaded


def _materialise(repo: _Repository, root: Path, inside: str) -> Kind:
    """Write what is at `inside` as of the revision under `root` (a file, or a folder so
    that the loader says it is one); what git found there."""
    kind, data = repo.read(inside)
    target = root / inside
    try:
        if kind == "file":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        elif kind == "folder":
            target.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # e.g. a name too long for this system: the loader says it cannot read it
    return kind


def _extra(repo: _Repository, root: Path, path: Path, names: dict[str, str]) -> Path:
    """A `--flows` file: as of the revision when inside the repository, else from disk."""
    inside = repo.path_of(path)
    if inside is None:
        return path
    shown = repo.shown(inside)
    kind = _materialise(repo, root, inside)
    if kind == "outside":
        raise InputError([Problem(Position(shown), _LINK_OUT)])
    if kind == "absent":
        raise InputError([Problem(Position(shown), "no such file at this revision")])
    names[os.fspath(root / inside)] = shown
    return root / inside


def load_working_tree(
    rev: str, org: Path, flows: Sequence[Path] = (), dialect: Dialect = DEFAULT
) -> Org:
    """The org chart at `org` as it is now (the other side of `diff --rev REV ORG`), held
    to the same boundary: the file its `flows:` names is read only when it resolves
    (symbolic links followed) inside the repository and git tracks it, and a `--flows`
    file named inside the repository must resolve inside it. A `--flows` file named
    outside the repository is the user's own and is read as it is.
    """
    repo = _Repository(rev, org.parent)
    if repo.holds(org) is None:
        raise RevisionError(f"--rev: {org} is not inside the repository at {repo.top}")
    shown = os.fspath(org)
    problems = [
        Problem(
            Position(os.fspath(path)),
            "leads out of the repository through a symbolic link: --rev reads a --flows"
            " file named inside the repository only from the repository",
        )
        for path in flows
        if repo.path_of(path) is not None and repo.holds(path) is None
    ]
    try:
        with phase("parse"):
            text = decode(_read(org, shown), shown)
        reference = flows_reference(text, shown)
    except InputError as exc:  # what the loader would say, before it read any flows
        raise InputError([*problems, *exc.problems]) from None
    if reference is not None:
        refused = _unnameable(reference) or _refused_now(repo, org, reference)
        problems.extend([refused] if refused else [])
    if problems:
        raise InputError(problems)
    return loads(text, shown, flows, base_dir=org.parent, dialect=dialect)


def _read(path: Path, shown: str) -> bytes:
    """The file's bytes; InputError in the loader's words when it cannot be read."""
    try:
        return read_file(path)
    except NotAFileError as exc:
        said = exc.said
    except FileNotFoundError:
        said = "file not found"
    except IsADirectoryError:
        said = "is a directory, not a file"
    except OSError as exc:
        said = f"cannot read: {exc.strerror}"
    raise InputError([Problem(Position(shown), said)])


def _refused_now(repo: _Repository, org: Path, reference: FlowsReference) -> Problem | None:
    """Why the file `reference` names may not be read from disk; None when it may."""
    path = org.parent / reference.written  # as the loader joins it
    written = reference.written
    inside = repo.holds(path)
    if inside is None and _below(repo.top, _absolute(path)) is None:
        return Problem(
            reference.where,
            f"flows: {written} is outside the repository: --rev reads only files in the"
            " repository (name it relative to the org chart, inside the repository)",
        )
    if inside is None:
        return Problem(
            reference.where,
            f"flows: {written} leads out of the repository through a symbolic link: --rev"
            " reads only files in the repository",
        )
    # Absent or a folder: the loader says so and reads nothing. Anything else must be
    # under version control: not git's own files, not an untracked file (nor a pipe).
    try:
        folder = stat.S_ISDIR(Path(os.path.realpath(path)).stat().st_mode)
    except OSError:
        return None  # absent, or a name too long: the loader cannot open it either
    if not folder and not repo.tracked(inside):
        return Problem(
            reference.where,
            f"flows: {written} is not under version control: --rev reads only files git"
            " tracks in the repository (git add it)",
        )
    return None


def _rename(text: str, names: dict[str, str]) -> str:
    # Longest first: one temporary path may begin another (flows.csv, flows.csv.d/...).
    for temporary, shown in sorted(names.items(), key=lambda n: -len(n[0])):
        text = text.replace(temporary, shown)
    return text


def _renamed(problems: Iterable[Problem], names: dict[str, str]) -> list[Problem]:
    return [
        Problem(
            dataclasses.replace(p.position, file=_rename(p.position.file, names)),
            _rename(p.message, names),
        )
        for p in problems
    ]
