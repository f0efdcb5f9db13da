"""Writing an output file (report -o, export -o, schema -o, --write-baseline) safely.

The rule, the same for every command that writes a file:

- `-` is standard output (where the command allows it); an empty path is refused.
- An input of the run (every file it reads: the org chart, a flows file, the baseline,
  the configuration file) is never written, under any spelling of its path (the same
  device and inode), with or without --force.
- A regular file, or a path that does not exist yet, is written whole or not at
  all: a temporary file next to the real file (symlinks resolved), then a rename
  over it. A symlink stays a symlink; the file it points to gets the new content.
- An existing non-empty regular file is replaced only when it is recognisably an
  earlier output of the same kind (its first and last few KB are sniffed: our HTML
  report's generator tag, our schema `$id`, our baseline's `"tool": "clientchain"`, the
  way each export format of ours starts, the verdict line the analysis table ends
  with); anything else needs --force. A flows CSV cannot say who wrote it: an existing
  one always needs --force. Two outputs of one run never name one file.
- A character device or a FIFO (/dev/null, /dev/stdout, a named pipe) is opened and
  written into, never replaced; our own stdout or stderr named by path is written
  through that descriptor. Directories, sockets, block devices and missing folders
  are refused.

Every refusal and every write error raises `OutputError`, whose text is the one line
the command prints (`clientchain: -o PATH: ...`) before it exits 2.
"""

from __future__ import annotations

import enum
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn

from clientchain.model.holder import value_class

if TYPE_CHECKING:
    from clientchain.model.org import Org

STDOUT = "-"
SNIFF_BYTES = 8192  # an earlier output of ours shows what it is well within this

__all__ = [
    "STDOUT",
    "Kind",
    "Output",
    "OutputError",
    "input_paths",
    "open_output",
    "open_output_or_fail",
    "standard_input_file",
    "stream_or_fail",
    "write_or_fail",
    "write_output",
]


class OutputError(Exception):
    """The output cannot or must not be written; str() is the line to print."""


Sniffer = Callable[[bytes, bytes], bool]  # (the file's first KB, its last KB) -> ours?


def _sniffer(*patterns: bytes, last: bytes | None = None) -> Sniffer:
    """Ours when the head matches one of `patterns`, or the tail matches `last`."""

    # Compiled at the first use: most runs write no file, and start-up counts.
    def recognises(head: bytes, tail: bytes) -> bool:
        if any(re.compile(p).search(head) for p in patterns):  # re caches compiled ones
            return True
        return last is not None and re.compile(last).search(tail) is not None

    return recognises


class Kind(enum.Enum):
    """What a command writes: its name in messages, and how to recognise an earlier one."""

    REPORT = ("HTML report", _sniffer(rb'<meta name="generator" content="clientchain[ "]'))
    EXPORT = (
        "graph export",
        _sniffer(
            # DOT: the graph line with the layout and legend render.dot writes.
            rb'\Adigraph [^\n]*\{\n  graph \[rankdir=BT, labelloc=b, fontname="',
            rb"\Aflowchart BT\n  %% clientchain export\.",  # Mermaid: its own comment
            # GraphML: its first key is the graph's decay (the export's first attribute).
            rb'\A<\?xml version="1\.0" encoding="UTF-8"\?>\n<graphml xmlns="http://graphml'
            rb'\.graphdrawing\.org/xmlns"[^>\n]*>\n  <key id="d0" for="graph" attr\.name="decay"',
            # node-link JSON: sorted keys; the graph's attributes are (currency,) decay, ...
            rb'\A\{\n  "directed": true,\n  "graph": \{\n(    "currency": [^\n]*\n)?'
            rb'    "decay": ',
        ),
    )
    SCHEMA = ("JSON Schema", _sniffer(rb'"\$id"\s*:\s*"urn:clientchain:schema:'))
    # A JSON object naming us as its tool (baseline.py writes it on the third line).
    BASELINE = ("baseline", _sniffer(rb'\A\s*\{[^\0]*?"tool"\s*:\s*"clientchain"'))
    # None: a flows CSV cannot say who wrote it (the header ours write is the one people
    # write by hand, as the README shows them), so an existing one is replaced only
    # with --force.
    FLOWS = ("flows file", _sniffer())
    # The first line importing/org_import.py writes (its HEADER).
    ORG_CHART = ("org chart", _sniffer(rb"\A# Imported by clientchain import people from "))
    # `analyze -o`: how each machine format of ours starts; the table, -q and
    # --statistics end with the verdict line (render/analysis/verdict.py), e.g.
    # "1 error, 1 warning in 9 roles: exit 1 (fails at error)".
    ANALYSIS = (
        "analysis",
        _sniffer(
            # JSON: its second key (a baseline's, a diff's or a chain's is another).
            rb'\A\{\n  "schema_version": 1,\n  "org": ',
            rb'\A\{\n  "\$schema": "https://json\.schemastore\.org/sarif-[^\0]*?'
            rb'"driver": \{\n\s*"name": "clientchain"',  # SARIF
            rb"\A::(?:error|warning|notice) [^\n]*title=(?:CC\d{3} |clientchain)",  # GitHub
            rb'\A\[\n  \{\n    "type": "issue",\n    "check_name": "CC\d{3}"',  # GitLab
            rb"\A\[\]\n",  # GitLab, nothing found
            rb"\A### [^\n]{0,8}clientchain: ",  # Markdown
            last=rb"(?:\A|\n)(?:No findings|[\d,]+ errors?, [\d,]+ warnings?) in [\d,]+ roles?:"
            rb" exit [01] \([^\n]*\)\n\Z",
        ),
    )

    def __init__(self, noun: str, recognises: Sniffer) -> None:
        self.noun = noun
        self.recognises = recognises


class _Mode(enum.Enum):
    STDOUT = "stdout"  # "-": sys.stdout
    DESCRIPTOR = "descriptor"  # our own stdout or stderr, named by a path
    DIRECT = "direct"  # a character device or a FIFO: opened and written into
    REPLACE = "replace"  # a regular file or a new one: temporary file, then rename


@value_class
class Output:
    """Where an output goes, checked; `write` puts the data there (once)."""

    shown: str  # the path as the user gave it ("-" for stdout)
    option: str
    mode: _Mode
    path: Path | None = None  # DIRECT: the path to open; REPLACE: the real file
    descriptor: int = -1  # DESCRIPTOR: 1 or 2
    permissions: int = 0o666  # REPLACE: the replaced file's, or 0o666 less the umask
    truncate: bool = False  # DIRECT: a regular file reached through a descriptor's link

    @property
    def is_stdout(self) -> bool:
        return self.mode is _Mode.STDOUT

    def shares_a_place_with(self, other: Output) -> bool:
        """Both would end up in one file (under any paths to it, stdout's included) or
        one descriptor: one would replace the other, or the two would run together."""
        return not self._places().isdisjoint(other._places())

    def _places(self) -> set[object]:
        """Where this output lands: its descriptor (stdout's for `-`), and the file it
        replaces or the regular file behind that descriptor. A device or a pipe written
        into is no place of its own (/dev/null may take any number)."""
        places: set[object] = set()
        if self.mode is _Mode.DIRECT:
            return places
        if self.mode is _Mode.REPLACE:
            assert self.path is not None
            places.add(self.path)  # (its real path: a new file has no identity yet)
            try:
                found = self.path.stat()
            except OSError:
                return places
        else:
            descriptor = 1 if self.mode is _Mode.STDOUT else self.descriptor
            places.add(descriptor)
            try:
                found = os.fstat(descriptor)
            except OSError:
                return places
            if not stat.S_ISREG(found.st_mode):
                return places
        places.add((found.st_dev, found.st_ino))
        return places

    def write(self, data: bytes | str) -> None:
        """Write all of `data` (text as UTF-8); OutputError with the OS's reason if not."""
        with self.stream() as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)

    @contextmanager
    def stream(self) -> Iterator[BinaryIO]:
        """A binary stream into the output, for an output made piece by piece (the JSON
        document of a million roles is a gigabyte: never held whole). As `write`: a
        file is replaced whole once the block ends, or not at all if it raises;
        OutputError with the OS's reason on a write error."""
        try:
            if self.mode is _Mode.STDOUT:
                sys.stdout.flush()
                yield sys.stdout.buffer
                sys.stdout.buffer.flush()
            elif self.mode is _Mode.DESCRIPTOR:
                for stream in (sys.stdout, sys.stderr):
                    stream.flush()
                with os.fdopen(os.dup(self.descriptor), "wb") as out:  # (ours stays open)
                    yield out
            elif self.mode is _Mode.DIRECT:
                assert self.path is not None
                with _opened(self.path, self.truncate) as out:
                    yield out
            else:
                assert self.path is not None
                with _replacing(self.path, self.permissions) as out:
                    yield out
        except BrokenPipeError:
            if self.mode is _Mode.STDOUT:
                raise  # `| head`: the reader left; the command line treats that as done
            self._fail_write("Broken pipe")
        except OSError as exc:
            self._fail_write(exc.strerror or str(exc))

    def _fail_write(self, reason: str) -> NoReturn:
        if self.mode is _Mode.STDOUT:
            raise OutputError(f"clientchain: cannot write to stdout: {reason}")
        raise OutputError(f"clientchain: {self.option} {self.shown}: cannot write: {reason}")


def input_paths(loaded: Org, *others: Path | None) -> list[Path]:
    """The files a run read: the org chart, every flows file, and the `others` it read
    (a baseline, the configuration file; None: not read). Standard input is the file
    it is redirected from, if any (`standard_input_file`)."""
    from clientchain.loading.stdin import STDIN_NAME

    read = [
        Path(f) if f != STDIN_NAME else standard_input_file()
        for f in (loaded.source, *loaded.flow_files)
    ]
    return [path for path in (*read, *others) if path is not None]


STANDARD_INPUT = Path("/dev/stdin")


def standard_input_file() -> Path | None:
    """A path to the file standard input is redirected from (`--flows - < sales.csv`),
    which no output of the run may replace; None for a pipe, a terminal, or a system
    without /dev/stdin."""
    try:
        redirected = stat.S_ISREG(os.fstat(0).st_mode)
    except OSError:  # (no standard input at all)
        return None
    return STANDARD_INPUT if redirected and STANDARD_INPUT.exists() else None


def open_output(
    target: str | os.PathLike[str],
    *,
    option: str,
    kind: Kind,
    force: bool = False,
    inputs: Iterable[Path] = (),
    allow_stdout: bool = True,
) -> Output:
    """Check `target` before any work is done; OutputError (one line) when it is refused."""
    shown = os.fspath(target)
    if shown == STDOUT and allow_stdout:
        return Output(shown, option, _Mode.STDOUT)
    if shown == STDOUT:
        raise OutputError(f"clientchain: {option} -: name a file (stdout has the command's output)")
    if not shown:
        raise OutputError(f"clientchain: {option} '': the path is empty; name a file")
    path = Path(shown)
    _refuse_inputs(path, shown, option, inputs)
    if shown.endswith(os.sep) and not path.is_dir():  # Path("out/") would be the file "out"
        raise OutputError(f"clientchain: {option} {shown}: that names a folder; name a file")
    try:
        st = path.stat()
    except FileNotFoundError:
        return _new_file(path, shown, option)
    except NotADirectoryError:
        raise OutputError(_not_a_folder(path, shown, option)) from None
    except OSError as exc:
        raise OutputError(f"clientchain: {option} {shown}: {exc.strerror or exc}") from None
    descriptor = _own_stream(st)
    if descriptor is not None:  # -o /dev/stdout, or the file stdout is redirected to
        return Output(shown, option, _Mode.DESCRIPTOR, descriptor=descriptor)
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return Output(shown, option, _Mode.DIRECT, path=path)
    if not stat.S_ISREG(st.st_mode):
        what = (
            "a directory"
            if stat.S_ISDIR(st.st_mode)
            else "a socket"
            if stat.S_ISSOCK(st.st_mode)
            else "a block device"
            if stat.S_ISBLK(st.st_mode)
            else "not a regular file"
        )
        raise OutputError(f"clientchain: {option} {shown}: that is {what}; name a file")
    if st.st_size > 0 and not force and not kind.recognises(*_head_and_tail(path, st.st_size)):
        what = (
            f"is not a clientchain {kind.noun}"
            if kind is not Kind.FLOWS
            else "nothing in a flows file says clientchain wrote it"
        )
        raise OutputError(
            f"clientchain: {option} {shown}: exists and {what}; pass --force to replace it"
        )
    if not os.access(path, os.W_OK):  # a read-only file stays so, even if its folder is not
        raise OutputError(f"clientchain: {option} {shown}: cannot write: Permission denied")
    real = Path(os.path.realpath(path))
    if not _same_file(real, st):  # reached through a descriptor's link (/proc/PID/fd/N)
        return Output(shown, option, _Mode.DIRECT, path=path, truncate=True)
    return Output(shown, option, _Mode.REPLACE, path=real, permissions=stat.S_IMODE(st.st_mode))


def write_output(
    target: str | os.PathLike[str],
    data: bytes | str,
    *,
    option: str,
    kind: Kind,
    force: bool = False,
    inputs: Iterable[Path] = (),
) -> None:
    """Check `target` and write `data` there; OutputError when refused or on a write error."""
    open_output(target, option=option, kind=kind, force=force, inputs=inputs).write(data)


def open_output_or_fail(
    target: str | os.PathLike[str],
    *,
    option: str,
    kind: Kind,
    force: bool = False,
    inputs: Iterable[Path] = (),
    allow_stdout: bool = True,
) -> Output:
    """`open_output` for the command line: a refusal is printed and exits 2."""
    try:
        return open_output(
            target,
            option=option,
            kind=kind,
            force=force,
            inputs=inputs,
            allow_stdout=allow_stdout,
        )
    except OutputError as exc:
        _fail(exc)


def write_or_fail(output: Output, data: bytes | str) -> None:
    """`Output.write` for the command line: a write error is printed and exits 2."""
    try:
        output.write(data)
    except OutputError as exc:
        _fail(exc)


@contextmanager
def stream_or_fail(output: Output) -> Iterator[BinaryIO]:
    """`Output.stream` for the command line: a write error is printed and exits 2."""
    try:
        with output.stream() as out:
            yield out
    except OutputError as exc:
        _fail(exc)


def _fail(exc: OutputError) -> NoReturn:
    from clientchain.cli.options import fail

    fail([str(exc)])


# --- checks ---------------------------------------------------------------------------


def _refuse_inputs(target: Path, shown: str, option: str, inputs: Iterable[Path]) -> None:
    """An output never overwrites an input: a slip of the tab key must not cost the org
    chart. Compared by resolved path, and by file identity (a hard link, another spelling)."""
    real = os.path.realpath(target)  # never raises (Path.resolve does, on a symlink loop)
    for path in inputs:
        same = real == os.path.realpath(path)
        if not same:
            try:
                same = target.samefile(path)
            except OSError:  # either does not exist (or cannot be looked at): not the same
                same = False
        if same:
            named = "standard input" if path == STANDARD_INPUT else path
            raise OutputError(
                f"clientchain: {option} {shown}: that is an input file ({named}); name a new file"
            )


def _new_file(path: Path, shown: str, option: str) -> Output:
    """A path that does not exist yet (a dangling symlink: the file it names)."""
    real = Path(os.path.realpath(path))
    folder = real.parent
    if not folder.is_dir():
        named = path.parent if not path.is_symlink() else folder
        if folder.exists():
            raise OutputError(f"clientchain: {option} {shown}: {named} is not a folder")
        raise OutputError(f"clientchain: {option} {shown}: the folder {named} does not exist")
    return Output(shown, option, _Mode.REPLACE, path=real, permissions=0o666 & ~_umask())


def _not_a_folder(path: Path, shown: str, option: str) -> str:
    """The message for a/b.html where a is a file: name the part that is not a folder."""
    part = path.parent
    while str(part) not in ("", ".") and not part.exists():
        part = part.parent
    return f"clientchain: {option} {shown}: {part} is not a folder"


def _own_stream(st: os.stat_result) -> int | None:
    """1 or 2 when the target is the very file our stdout or stderr writes to."""
    for descriptor in (1, 2):
        try:
            mine = os.fstat(descriptor)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (st.st_dev, st.st_ino):
            return descriptor
    return None


def _same_file(path: Path, st: os.stat_result) -> bool:
    try:
        found = path.stat()
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (st.st_dev, st.st_ino)


def _head_and_tail(path: Path, size: int) -> tuple[bytes, bytes]:
    """The file's first and last few KB (nothing when it cannot be read: then it is not
    ours)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
            if size <= SNIFF_BYTES:
                return head, head
            stream.seek(size - SNIFF_BYTES)
            return head, stream.read(SNIFF_BYTES)
    except OSError:
        return b"", b""


# --- writing --------------------------------------------------------------------------


@contextmanager
def _opened(path: Path, truncate: bool) -> Iterator[BinaryIO]:
    """A device or a FIFO: opened as it is (never created, never replaced)."""
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC | (os.O_TRUNC if truncate else 0)
    with os.fdopen(os.open(path, flags), "wb") as out:
        yield out


@contextmanager
def _replacing(real: Path, permissions: int) -> Iterator[BinaryIO]:
    """Whole or not at all: a temporary file next to the real file, renamed over it once
    everything is written (removed if anything fails)."""
    import tempfile  # random and hashlib behind it: only for a run that writes a file

    handle, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            os.fchmod(out.fileno(), permissions)  # as the replaced file, or a new file
        temporary.replace(real)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
