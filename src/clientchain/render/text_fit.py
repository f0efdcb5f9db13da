"""Tables that fit the width they are given: figures whole, words unbroken.

A terminal of 80 columns cannot show every column of a wide table. Rich, left to
itself, folds every cell, so `1,200,000` becomes `1,200,0…` and `Department` becomes
`Departme`/`nt`. Here the columns are chosen and sized for the width before the table
is built:

1. a figure column (amounts, ratios, counts) is never wrapped or cut: its width is its
   widest cell;
2. a text column (ids, titles, departments) wraps between words only: at least as wide
   as its longest word;
3. while the table is too wide (or leaves a text column less than COMFORTABLE
   characters, when it has more), the caller's steps apply in order: drop a column,
   or show its compact form (the alienation number without its bar, an id without its
   title);
4. still too wide, text columns narrow below their longest word, and a word longer than
   its column is cut in the middle (`a-very…g-id`, as `model.visible.clip` cuts), never
   folded onto the next line.

Cells are `Span`s, not rich `Text`: a user's text is kept raw until the width is known,
so `clip` makes it visible and cuts it in one go, never inside an escape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from clientchain.model.visible import ELLIPSIS, LIMIT, clip

Justify = Literal["left", "right"]
NARROWEST = 6  # characters a text column keeps at least (a word cut to `ab…yz`)
# Room for this many characters of each text column (or all of it, when shorter) comes
# before the columns that steps drop: an id and its title, a pair of ids, read on one line.
COMFORTABLE = 16


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a cell line: `user` text (an id, a title) is shown as `clip` shows it."""

    text: str
    style: str = ""
    user: bool = False

    def shown(self) -> str:
        return clip(self.text) if self.user else self.text


Line = tuple[Span, ...]
Cell = tuple[Line, ...]


def cell(*lines: Line | Span | str) -> Cell:
    """A cell from its lines: each a tuple of spans, one span, or our own plain text."""
    return tuple(
        (line,) if isinstance(line, Span) else (Span(line),) if isinstance(line, str) else line
        for line in lines
    )


@dataclass(slots=True)
class Column:
    """One column: its header, its cells, and how it may give way.

    `figure`: never wrapped nor cut. `compact`: a narrower form of the cells, used when
    a step asks for it (same number of rows)."""

    header: str
    cells: list[Cell]
    justify: Justify = "left"
    figure: bool = False
    compact: list[Cell] | None = None
    style: str = ""
    # Filled in by `fit`.
    width: int = 0
    use_compact: bool = field(default=False)

    def shown_cells(self) -> list[Cell]:
        return self.compact if self.use_compact and self.compact is not None else self.cells


Step = tuple[Literal["drop", "compact"], str]


@dataclass(frozen=True, slots=True)
class Fitted:
    table: Table
    dropped: tuple[str, ...]  # headers of the columns left out, in table order


def fit_table(
    columns: Sequence[Column],
    width: int,
    steps: Sequence[Step] = (),
    *,
    title: str | None = None,
) -> Fitted:
    """A rich Table of `columns` built for `width` characters (see the module's rules)."""
    active = list(columns)
    for action, name in steps:
        if _needed(active) + sum(_slack(c) for c in active) <= width:
            break
        for column in active:
            if column.header == name:
                if action == "drop":
                    active.remove(column)
                elif column.compact is not None:
                    column.use_compact = True
                break
    _size(active, width)
    table = Table(title=title, title_justify="left", expand=False)
    for column in active:
        table.add_column(
            column.header,
            justify=column.justify,
            width=column.width,
            no_wrap=column.figure,
            overflow="ellipsis",  # a backstop: words are cut to fit already, never folded
            style=column.style,
        )
    rows = zip(*(_texts(column) for column in active), strict=True)
    for row in rows:
        table.add_row(*row)
    dropped = tuple(c.header for c in columns if c not in active)
    return Fitted(table, dropped)


def chrome(columns: int) -> int:
    """The characters a boxed table adds to its cells: borders, separators, padding."""
    return 3 * columns + 1 if columns else 0


def _comfortable(column: Column) -> int:
    soft = _soft_min(column)
    return soft if column.figure else min(_natural(column), max(soft, COMFORTABLE))


def _slack(column: Column) -> int:
    """What a text column wants beyond its longest word to be read comfortably."""
    return _comfortable(column) - _soft_min(column)


def _needed(columns: Sequence[Column]) -> int:
    return sum(_soft_min(c) for c in columns) + chrome(len(columns))


def _size(columns: list[Column], width: int) -> None:
    """Each column's width: its longest word (a figure: its widest cell), then the space
    left: each text column up to COMFORTABLE, then up to its natural width from the
    left; too wide, text columns narrow (words get cut)."""
    for column in columns:
        column.width = _soft_min(column)
    room = width - _needed(columns)
    if room < 0:
        _narrow(columns, -room)
        return
    for target in (_comfortable, _natural):  # each comfortable first, then from the left
        for column in columns:
            more = max(0, min(room, target(column) - column.width))
            column.width += more
            room -= more


def _narrow(columns: list[Column], excess: int) -> None:
    """Take `excess` characters from the widest text columns, down to their floor."""
    while excess > 0:
        text = [c for c in columns if not c.figure and c.width > _floor(c)]
        if not text:
            return
        widest = max(text, key=lambda c: c.width)
        widest.width -= 1
        excess -= 1


def _words(text: str) -> list[str]:
    return text.split(" ")


def _lines_of(column: Column) -> list[str]:
    return ["".join(span.shown() for span in line) for one in column.shown_cells() for line in one]


def _natural(column: Column) -> int:
    header = cell_len(column.header)
    return max([header, *(cell_len(line) for line in _lines_of(column))])


def _header_word(column: Column) -> int:
    return max(cell_len(word) for word in _words(column.header))


def _soft_min(column: Column) -> int:
    if column.figure:
        return _natural(column)
    longest = max((cell_len(w) for line in _lines_of(column) for w in _words(line)), default=0)
    return max(_header_word(column), longest)


def _floor(column: Column) -> int:
    return max(_header_word(column), min(NARROWEST, _soft_min(column)))


def _texts(column: Column) -> list[Text]:
    return [_text(one, column.width, column.figure) for one in column.shown_cells()]


def _text(one: Cell, width: int, figure: bool) -> Text:
    text = Text()
    for i, line in enumerate(one):
        if i:
            text.append("\n")
        for span in line:
            shown = span.shown() if figure else fit_words(span.text, width, user=span.user)
            text.append(shown, style=span.style)
    return text


def fit_words(text: str, width: int, *, user: bool = True) -> str:
    """`text` (as `clip` shows user text) with each word longer than `width` cut in the
    middle to `width` characters, so that wrapping never breaks a word."""
    shown = clip(text) if user else text
    if all(cell_len(word) <= width for word in _words(shown)):
        return shown
    # A user's text within LIMIT is cut word by word from its raw form (never inside an
    # escape); a longer one is already cut by `clip`, and its shown words are cut as they are.
    words = _words(text) if user and len(text) <= LIMIT else _words(shown)
    raw = user and len(text) <= LIMIT
    return " ".join(_cut(word, width, raw) for word in words)


def _cut(word: str, width: int, raw: bool) -> str:
    if raw:
        return clip(word, max(width, len(ELLIPSIS) + 2))
    if cell_len(word) <= width:
        return word
    room = max(width - len(ELLIPSIS), 2)
    return word[: room - room // 2] + ELLIPSIS + word[len(word) - room // 2 :]


# The fewest cells a finding's message keeps on the line of its place and code.
MIN_MESSAGE = 24


def cut_line(text: Text, width: int, keep: int = 0) -> Text:
    """One line of text in `width` cells: cut after its last whole word that fits, then
    ' …' (a finding's message: a figure is never cut in two). The first `keep`
    characters (the place and the code) stay whole."""
    plain = text.plain
    if cell_len(plain) <= width:
        return text
    room = width - len(ELLIPSIS) - 1
    if cell_len(plain[:keep]) > room - MIN_MESSAGE:
        # A place too long to leave the message room (a deep path on a narrow terminal):
        # the place and the code whole, the message under it, indented.
        head, message = text[:keep], text[keep:]
        message.plain = message.plain.lstrip()
        head.append("\n  ")
        head.append_text(cut_line(message, max(width - 2, MIN_MESSAGE + len(ELLIPSIS) + 1)))
        return head
    end = room
    while end > keep and cell_len(plain[:end]) > room:
        end -= 1
    space = plain.rfind(" ", keep, end + 1)
    cut = text[: space if space > keep else end]
    cut.rstrip()
    cut.append(f" {ELLIPSIS}")  # apart from the last word: '80,000 …' is not a cut figure
    return cut
