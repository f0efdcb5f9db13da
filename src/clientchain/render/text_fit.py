"""Tables that fit the width they are given: figures whole, words unbroken.

A terminal of 80 columns cannot show every column of a wide table. Rich, left to
itself, folds every cell, so `1,200,000` becomes `1,200,0…` and `Department` becomes
`Departme`/`nt`. Here the columns are chosen and sized for the width before the table
is built:

1. a figure column (amounts, ratios, counts) is never wrapped or cut: it is as wide as
   its widest cell; its header may wrap between words (`Impact` / `(people)`);
2. a text column (ids, titles, departments) wraps between words only: at least as wide
   as its longest word;
3. while the table is too wide (or leaves a text column less than COMFORTABLE
   characters, when it has more), the caller's steps apply in order: drop a column,
   or show its compact form (the alienation number without its bar, an id without its
   title);
4. still too wide, text columns narrow below their longest word (down to NARROWEST),
   and a word longer than its column is cut in the middle (`a-ver…g-id`), by cell
   width, never folded onto the next line;
5. narrower than that, the table is stacked: each row a block, its first cell, then
   one `label value` line per column (the figures still whole).

Cells are `Span`s, not rich `Text`: a user's text is kept raw until the width is known,
so it is made visible and cut in one go, never inside an escape. Each column is
measured once per fit, whatever the number of steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len, get_character_cell_size
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from clientchain.model.holder import value_class
from clientchain.model.visible import ELLIPSIS, HIDDEN, LIMIT, clip, escape

Justify = Literal["left", "right"]
NARROWEST = 8  # cells a text column keeps at least (an id cut to `abc…wxyz`)
# Room for this many characters of each text column (or all of it, when shorter) comes
# before the columns that steps drop: an id and its title, a pair of ids, read on one line.
COMFORTABLE = 16
# The fewest cells a finding's message keeps on the line of its place and code.
MIN_MESSAGE = 24
INDENT = 2  # the hanging indent of a wrapped line, and of a stacked row's labels


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


@value_class(slots=True)
class Column:
    """One column: its header, its cells, and how it may give way.

    `figure`: never wrapped nor cut. `compact`: a narrower form of the cells, used when
    a step asks for it (same number of rows)."""

    header: str
    cells: Sequence[Cell]
    justify: Justify = "left"
    figure: bool = False
    compact: Sequence[Cell] | None = None
    style: str = ""


Step = tuple[Literal["drop", "compact"], str]


@dataclass(frozen=True, slots=True)
class Fitted:
    table: RenderableType  # a rich Table, or the stacked rows when no table fits
    dropped: tuple[str, ...]  # headers of the columns left out, in table order
    stacked: bool = False


@dataclass(frozen=True, slots=True)
class _Measured:
    """A column in the form shown (full or compact), measured once."""

    column: Column
    cells: Sequence[Cell]
    widest: int  # the widest cell line
    longest_word: int  # the longest word of any cell line
    header_word: int
    header: int

    @property
    def least(self) -> int:
        """Narrower than this, a figure or a word of the header would be cut."""
        if self.column.figure:
            return max(self.widest, self.header_word)
        return max(self.header_word, self.longest_word)

    @property
    def natural(self) -> int:
        return max(self.widest, self.header)

    @property
    def comfortable(self) -> int:
        if self.column.figure:
            return self.least
        return min(self.natural, max(self.least, COMFORTABLE))

    @property
    def floor(self) -> int:
        if self.column.figure:
            return self.least
        return max(self.header_word, min(NARROWEST, self.longest_word))


def _measure(column: Column, compact: bool) -> _Measured:
    cells = column.compact if compact and column.compact is not None else column.cells
    widest = longest = 0
    for one in cells:
        for line in one:
            shown = "".join(span.shown() for span in line)
            widest = max(widest, cell_len(shown))
            if not column.figure:
                longest = max(longest, *(cell_len(word) for word in shown.split(" ")))
    header_word = max(cell_len(word) for word in column.header.split(" "))
    return _Measured(column, cells, widest, longest, header_word, cell_len(column.header))


def fit_table(
    columns: Sequence[Column],
    width: int,
    steps: Sequence[Step] = (),
    *,
    title: str | None = None,
) -> Fitted:
    """`columns` laid out in `width` cells (see the module's rules): a rich Table, or
    the rows stacked when not even the narrowest table fits. The columns are not
    changed: a second call starts afresh."""
    active = {id(c): _measure(c, compact=False) for c in columns}
    for action, name in steps:
        if _needed(active.values()) + sum(_slack(m) for m in active.values()) <= width:
            break
        for column in columns:
            if column.header == name and id(column) in active:
                if action == "drop":
                    del active[id(column)]
                elif column.compact is not None:
                    active[id(column)] = _measure(column, compact=True)
                break
    shown = list(active.values())
    dropped = tuple(c.header for c in columns if id(c) not in active)
    if sum(m.floor for m in shown) + chrome(len(shown)) > width:
        # Stacked, each value has a line of its own: the full forms, not the compact ones.
        full = [_measure(m.column, compact=False) for m in shown]
        return Fitted(_stacked(full, width, title), dropped, stacked=True)
    widths = _size(shown, width)
    table = Table(title=title, title_justify="left", expand=False)
    for m, w in zip(shown, widths, strict=True):
        # Wrapping is allowed (a figure's header wraps between words); the widths make
        # sure no figure is wrapped and no word is longer than its column.
        table.add_column(
            m.column.header,
            justify=m.column.justify,
            width=w,
            overflow="fold",
            style=m.column.style,
        )
    texts = [
        [_cell_text(one, w, m.column.figure) for one in m.cells]
        for m, w in zip(shown, widths, strict=True)
    ]
    for row in zip(*texts, strict=True):
        table.add_row(*row)
    return Fitted(table, dropped)


def chrome(columns: int) -> int:
    """The characters a boxed table adds to its cells: borders, separators, padding."""
    return 3 * columns + 1 if columns else 0


def _slack(m: _Measured) -> int:
    """What a text column wants beyond its longest word to be read comfortably."""
    return m.comfortable - m.least


def _needed(shown: Iterable[_Measured]) -> int:
    measured = list(shown)
    return sum(m.least for m in measured) + chrome(len(measured))


def _size(shown: list[_Measured], width: int) -> list[int]:
    """Each column's width: its least, then the space left: each text column up to
    COMFORTABLE, then each column up to its natural width from the left; too wide, the
    widest text columns narrow down to their floor (words get cut)."""
    widths = [m.least for m in shown]
    room = width - sum(widths) - chrome(len(shown))
    if room < 0:
        _narrow(shown, widths, -room)
        return widths
    for target in ("comfortable", "natural"):  # each comfortable first, then from the left
        for i, m in enumerate(shown):
            more = max(0, min(room, getattr(m, target) - widths[i]))
            widths[i] += more
            room -= more
    return widths


def _narrow(shown: list[_Measured], widths: list[int], excess: int) -> None:
    """Take `excess` cells from the widest text columns, down to their floor."""
    floors = [m.floor for m in shown]
    text = [i for i, m in enumerate(shown) if not m.column.figure]
    while excess > 0:
        room = [i for i in text if widths[i] > floors[i]]
        if not room:
            return
        widest = max(room, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1


def _cell_text(one: Cell, width: int, figure: bool) -> Text:
    text = Text()
    for i, line in enumerate(one):
        if i:
            text.append("\n")
        for span in line:
            shown = span.shown() if figure else fit_words(span.text, width, user=span.user)
            text.append(shown, style=span.style)
    return text


def _line_text(line: Line, width: int | None) -> Text:
    """One cell line as text: its words cut to `width` cells (None: whole)."""
    text = Text()
    for span in line:
        shown = span.shown() if width is None else fit_words(span.text, width, user=span.user)
        text.append(shown, style=span.style)
    return text


def _stacked(shown: list[_Measured], width: int, title: str | None) -> Group:
    """Each row as a block: its first cell (its lines joined by ' · '), then
    `label value` for the other columns, in the columns' order; an empty cell says
    nothing."""
    head, rest = shown[0], shown[1:]
    label_width = max((cell_len(m.column.header) for m in rest), default=0)
    lines: list[Text] = []
    if title:
        lines.append(Text(title))
    for row in range(len(head.cells)):
        # The first cell on one line (an id · its title), wrapped between words.
        first = Text(" · ").join(_line_text(line, width - INDENT) for line in head.cells[row])
        lines.append(wrap_line(first, width, indent=2 * INDENT))
        for m in rest:
            lines.extend(_stacked_value(m, m.cells[row], label_width, width))
    return Group(*lines)


def _stacked_value(m: _Measured, one: Cell, label_width: int, width: int) -> list[Text]:
    values = [_line_text(line, None) for line in one]
    if not any(value.plain.strip() for value in values):
        return []
    label = " " * INDENT + m.column.header
    beside = INDENT + label_width + 2
    if all(beside + cell_len(value.plain) <= width for value in values):
        first = Text(label.ljust(beside), style="dim")
        out = [first + values[0]]
        out.extend(Text(" " * beside) + value for value in values[1:])
        return out
    # No room beside the label: the value under it, indented once more.
    under = 2 * INDENT
    out = [Text(label, style="dim")]
    for line in one:
        value = _line_text(line, None if m.column.figure else width - under)
        out.append(wrap_line(Text(" " * under) + value, width, indent=under))
    return out


def fit_words(text: str, width: int, *, user: bool = True) -> str:
    """`text` (as `clip` shows user text) with each word wider than `width` cells cut
    in the middle to `width` cells, so that wrapping never breaks a word."""
    shown = clip(text) if user else text
    if all(cell_len(word) <= width for word in shown.split(" ")):
        return shown
    # A user's text within LIMIT is cut word by word from its raw form (never inside an
    # escape); a longer one is already cut by `clip`, and its shown words are cut as they are.
    raw = user and len(text) <= LIMIT
    words = (text if raw else shown).split(" ")
    return " ".join(cut_middle(word, width, user=raw) for word in words)


def cut_middle(text: str, cells: int, *, user: bool = False) -> str:
    """`text` in at most `cells` cells: whole when it fits, else its beginning and its end
    around an ellipsis. Measured in cells (a wide character counts two); a `user` text
    is shown as `clip` shows it and never cut inside an escape."""
    shown = clip(text) if user else text
    if cell_len(shown) <= cells:
        return shown
    room = max(cells - cell_len(ELLIPSIS), 2)
    source = text if user else shown
    head = _take(source[:room], room - room // 2, user)
    tail = _take(source[-room:][::-1], room // 2, user)
    return "".join(head) + ELLIPSIS + "".join(reversed(tail))


def _take(chars: str, cells: int, user: bool) -> list[str]:
    """The shown forms of `chars`, from the first, while they fit in `cells` cells."""
    taken: list[str] = []
    for char in chars:
        shown = escape(char) if user and HIDDEN.match(char) else char
        cells -= cell_len(shown)
        if cells < 0:
            break
        taken.append(shown)
    return taken


def wrap_line(text: Text, width: int, *, keep: int = 0, indent: int = INDENT) -> Text:
    """`text` on lines of at most `width` cells, broken between words, each line after
    the first indented by `indent`; its styles stay on their characters.

    The first `keep` characters (a finding's place and code) are never broken: when
    they leave the rest less than MIN_MESSAGE cells, the rest starts on the next line
    (and a place wider than the whole line is folded, every character kept). A word
    wider than a line is cut in the middle."""
    plain = text.plain
    if cell_len(plain) <= width:
        return text
    out = Text()
    start = 0
    if keep and cell_len(plain[:keep]) > width - MIN_MESSAGE:
        out.append_text(_fold(text[:keep], width))
        start = keep
    first = start == 0
    room = max(width - indent, 1)
    while True:
        while not first and start < len(plain) and plain[start] == " ":
            start += 1
        if start >= len(plain):
            break
        if not first or out.plain:
            out.append("\n" + " " * indent)
        end, next_start = _break(plain, start, width if first else room, keep if first else 0)
        if end is None:  # one word wider than the line: cut in its middle
            word_end = plain.find(" ", start)
            word_end = len(plain) if word_end < 0 else word_end
            out.append_text(_cut_text(text[start:word_end], room))
            start = word_end
        else:
            piece = text[start:end]
            piece.rstrip()
            out.append_text(piece)
            start = next_start
        first = False
    return out


def _break(plain: str, start: int, cells: int, keep: int) -> tuple[int | None, int]:
    """Where the line from `start` ends in `cells` cells: after its last whole word
    (never inside the first `keep` characters); None when its first word is too wide."""
    used, end = 0, start
    while end < len(plain):
        used += get_character_cell_size(plain[end])
        if used > cells:
            break
        end += 1
    if end >= len(plain):
        return len(plain), len(plain)
    if plain[end] == " ":
        return end, end
    space = plain.rfind(" ", max(start, keep), end)
    if space <= start:
        return None, start
    return space, space


def _cut_text(word: Text, cells: int) -> Text:
    """A styled word in `cells` cells: its beginning and its end around an ellipsis."""
    plain = word.plain
    room = max(cells - cell_len(ELLIPSIS), 2)
    head = len(_take(plain, room - room // 2, user=False))
    tail = len(_take(plain[::-1], room // 2, user=False))
    cut = word[:head]
    cut.append(ELLIPSIS)
    cut.append_text(word[len(plain) - tail :])
    return cut


def _fold(text: Text, width: int) -> Text:
    """`text` on lines of `width` cells, broken between words where it can, and a word
    wider than a line folded: every character kept (a place is read whole)."""
    out = Text()
    plain = text.plain
    start, used, space = 0, 0, -1  # the line's start, its cells, its last space
    for i, char in enumerate(plain):
        size = get_character_cell_size(char)
        if used + size > width and i > start:
            end = space if space > start else i
            out.append_text(text[start:end])
            out.append("\n")
            start = end + 1 if end == space else end
            used = cell_len(plain[start:i])
            space = -1
        if char == " ":
            space = i
        used += size
    out.append_text(text[start:])
    return out
