"""The flows files read on a thread of their own while the org chart is scanned.

Which file an org chart takes its flows from (`flows:`) is known only once its YAML is
read, yet at a million roles reading that CSV (0.2-0.8 s) can run beside the scan
(1-2 s): both are long numpy operations, which let go of the GIL, and the machine has
a second core. So the name is guessed from the line that starts with `flows:`, the
file read on a thread at once, and what that thread read is used only where the
document then names the same file; else the file is read after the scan, as it is
without a thread. Files named on the command line are known from the start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from stat import S_ISREG
from threading import Thread
from typing import Generic, TypeVar

from clientchain.loading.scalars import NULLS
from clientchain.model.forking import usable_cores

T = TypeVar("T")

# Below this many bytes of flows files the thread saves less than it costs: at 100,000
# roles (2-14 MB) a few hundredths of a second, for 20-40 MB more at the peak.
AHEAD_BYTES = 16 * 2**20
# Above this many bytes of org chart and flows together, both read at once would hold
# too much: the table the thread has read stays in memory through the scan's peak,
# which sequentially it would have missed. At a million roles with long ids and titles
# (310 MB of input) loading peaks at 837-857 MB so, 756-775 without the thread (the
# run's peak too), and takes 2.3 s, not 3.4; with five clients paying every role (280
# MB, most of it flows) at 886-915 MB, not 912-934 (the flows' own peak comes after
# the scan then), 1.7 s, not 2.6. (Set at 256 MB when the first cost 943 MB, 794
# without.)
AHEAD_MOST = 512 * 2**20
_FLOWS_LINE = re.compile(rb"flows[ \t]*:[ \t]*([^\r\n]*)")


def guess_flows_name(data: bytes) -> str | None:
    """The value of the org chart's first line that starts with `flows:`, if it is
    plainly written (a word, or a quoted text without escapes), else None. A guess
    only: the document read in full says what the key holds."""
    at = 0 if data.startswith(b"flows") else data.find(b"\nflows") + 1
    if at == 0 and not data.startswith(b"flows"):
        return None
    line = _FLOWS_LINE.match(data, at)
    if line is None:
        return None
    value = line.group(1).split(b" #", 1)[0].strip()
    if value[:1] in (b'"', b"'"):
        quote = value[:1]
        if len(value) < 2 or value[-1:] != quote or quote in value[1:-1] or b"\\" in value:
            return None
        value = value[1:-1]
    elif value.decode("latin-1") in NULLS:
        return None
    try:
        return value.decode("utf-8") or None
    except UnicodeDecodeError:
        return None


class TablesAhead(Generic[T]):
    """Tables read by `read(path, stdin)`: those of `ahead` on a thread started here
    (see `tables_ahead`), the others when asked for; `tables` gives them in the order
    they are named."""

    def __init__(
        self,
        read: Callable[[Path, bool], T],
        guess: Path | None,
        named: Sequence[tuple[Path, bool]],
        ahead: Sequence[Path],
    ) -> None:
        self._read = read
        self._guess = guess
        self._named = list(named)
        self._ahead = list(ahead)
        self._done: dict[tuple[Path, bool], T | BaseException] = {}
        self._thread: Thread | None = None
        if self._ahead:
            self._thread = Thread(target=self._read_ahead, name="clientchain-flows", daemon=True)
            self._thread.start()

    def _read_ahead(self) -> None:
        for path in self._ahead:
            try:
                self._done[path, False] = self._read(path, False)
            except Exception as exc:  # raised where the table is asked for, if it is
                self._done[path, False] = exc

    def wait(self) -> None:
        """Until the thread, if any, has read all it reads."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def tables(self, own: Path | None) -> list[T]:
        """The org chart's own flows file (`own`, None for none) and the command line's,
        in that order; a read's error is raised as the first table that failed."""
        self.wait()
        if self._guess is not None and own != self._guess:
            self._done.pop((self._guess, False), None)  # a wrong guess: its table goes now
        specs = ([(own, False)] if own is not None else []) + self._named
        return [self._take(spec) for spec in specs]

    def _take(self, spec: tuple[Path, bool]) -> T:
        done = self._done.pop(spec, None)
        if done is None:
            return self._read(*spec)
        if isinstance(done, BaseException):
            raise done
        return done


@contextmanager
def tables_ahead(
    read: Callable[[Path, bool], T],
    data: bytes,
    base: Path,
    named: Sequence[tuple[Path, bool]],
    own_flows: bool = True,
) -> Iterator[TablesAhead[T]]:
    """Within: the flows files (the one `data` seems to name under `base`, if
    `own_flows`, and `named`: (path, is standard input)) being read on a thread, when
    they are large enough and a second core is free. Only regular files are: a pipe
    (`--flows <(...)`) or standard input can be read once, and a scan that gives up
    leaves the file to the precise reader. The thread is waited for on the way out."""
    name = guess_flows_name(data) if own_flows else None
    guess = base / name if name else None
    files = ([guess] if guess else []) + [path for path, stdin in named if not stdin]
    ahead = TablesAhead(read, guess, named, _worth_a_thread(files, len(data)))
    try:
        yield ahead
    finally:
        ahead.wait()


def _worth_a_thread(files: Sequence[Path], org_bytes: int) -> list[Path]:
    """`files` to read on a thread (its regular files), or none when it is not worth one."""
    if not files or usable_cores() < 2:
        return []
    regular: list[Path] = []
    size = 0
    for path in files:
        with suppress(OSError, ValueError):  # (its trouble is found where it is read)
            found = path.stat()
            if S_ISREG(found.st_mode):
                regular.append(path)
                size += found.st_size
    return regular if AHEAD_BYTES <= size <= AHEAD_MOST - org_bytes else []
