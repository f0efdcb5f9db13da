"""What the CLI shows on stderr while a big input is worked on, and `--timings`.

Progress is a transient rich display (a spinner, the phase, the seconds so far)
shown only when stderr is a terminal and the input is big enough to take a
while; it is gone when the command ends, and stdout never sees it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from clientchain.model.phases import Record, recording
from clientchain.model.visible import clip, visible_line

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

BIG_INPUT_BYTES = 3_000_000  # an org chart of some 40,000 roles: a second or more of work
_WORDS = {
    "parse": "reading {name}",
    "build": "checking ids, reporting lines and flows",
    "analyse": "analysing",
    "render": "writing the result",
}


def big_input(paths: list[Path]) -> bool:
    """Inputs big enough to wait for (the files named on the command line: a flows file
    named inside the org chart is not known yet)."""
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # the loader will say what is wrong with it
    return total >= BIG_INPUT_BYTES


def on_a_terminal() -> bool:
    return sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


@contextmanager
def phases(org: Path, big: bool) -> Iterator[Record]:
    """Record the phases of one command. For a big input, say on stderr why it takes a
    slow path if it does, and on a terminal show the phases as they run."""

    def tell(text: str) -> None:
        if big:
            sys.stderr.write(f"clientchain: note: {visible_line(text)}\n")

    if not (big and on_a_terminal()):
        with recording(on_note=tell) as record:
            yield record
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    display = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),  # it names the org file
        TimeElapsedColumn(),
        console=Console(file=sys.stderr),
        transient=True,
        redirect_stdout=False,  # stdout carries the result, untouched
    )
    current: list[TaskID] = []

    def enter(name: str) -> None:
        _finish(display, current)
        if name == "render":  # the result goes to the same terminal: clear the way
            display.stop()
            return
        words = _WORDS.get(name, name).format(name=clip(org.name))
        current.append(display.add_task(f"clientchain: {words}", total=None))

    with display, recording(on_enter=enter, on_note=tell) as record:
        yield record


def _finish(display: Progress, current: list[TaskID]) -> None:
    for task in current:
        display.update(task, visible=False)
    current.clear()
