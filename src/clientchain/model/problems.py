"""Input problems: a bad input is data (file, line, column, message), never a crash."""

from __future__ import annotations

from collections.abc import Iterable

from clientchain.model.edits import Speller, closest
from clientchain.model.holder import value_class
from clientchain.model.visible import visible, visible_message

__all__ = ["InputError", "Position", "Problem", "Speller", "closest", "did_you_mean"]


@value_class(slots=True, order=True)
class Position:
    """Where something stands in an input file. Line and column are 1-based; 0 = unknown."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        file = visible(self.file)  # a path: never cut, but never a control code either
        if self.line <= 0:
            return file
        if self.column <= 0:
            return f"{file}:{self.line}"
        return f"{file}:{self.line}:{self.column}"


@value_class(slots=True, order=True)
class Problem:
    """One thing wrong with the input, shown to the user as `FILE:LINE:COL: message`.

    `message` keeps the exact text it quotes; `str()` is what a terminal may show: on one
    line, control and bidi characters as escapes, a long quoted id cut in the middle
    (see model.visible)."""

    position: Position
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {visible_message(self.message)}"


class InputError(Exception):
    """Raised by the loaders with every problem found in one pass, sorted by position."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, candidates: Iterable[str] | Speller) -> str:
    """A ' (did you mean 'x'?)' hint for a misspelt id, or '' when no candidate is plainly
    the one meant (see `closest`; a `Speller` answers many words against the same ids).

    The hint quotes the candidate exactly (as messages quote ids); it is made visible
    where the message is shown."""
    if isinstance(candidates, Speller):
        close = candidates.closest(word)
    else:
        close = closest(word, candidates)
    return f" (did you mean '{close}'?)" if close is not None else ""
