"""Text from an org chart as a terminal, a CI log or a rendered page shows it.

Org charts are written by other people. Whatever a field holds, what reaches a
person is inert text: every code point that could drive a terminal (C0 and C1
controls, DEL: escape sequences, hyperlinks, a cleared screen), reorder a line
(bidi marks, overrides and isolates) or break one (the Unicode line and
paragraph separators) is written as an escape, `\\x1b` below U+0100 and
`\\u202e` above; and a long text is cut in the middle, so both of its ends stay
readable and no renderer's work grows with the size of one field.

Which to use:

- `clip`: one text in a cell, a title, a label (ids, titles, departments, the org
  name, the currency): escapes, cut to LIMIT characters.
- `visible_message`: a message written elsewhere that quotes user text (a Problem,
  a finding): escapes, each long word (a quoted id) cut, the whole bounded.
- `visible` / `visible_line`: a path, or a line of ours that names paths (never cut
  short: a path is read whole).
- `picture_lines`: a DOT or Mermaid label, line by line.

The machine formats (JSON, SARIF, GitLab, node-link; GraphML but for what XML 1.0
cannot carry) keep the exact text and use none of this. Whether a text is markup
is the renderer's business: rich renderables are built as `Text`, never parsed
from a string.
"""

from __future__ import annotations

import re

LIMIT = 100  # characters of one text (an id, a title, a name) shown in a cell or a label
MESSAGE_LIMIT = 1000  # characters of a message, its long words cut (escapes not counted)
LINE_LIMIT = 10_000  # characters of a line of ours that names paths (a path: up to 4,096)
ELLIPSIS = "…"

# What must never reach a terminal raw: C0 controls (the newline too: structure is the
# renderer's, never the text's), DEL, C1 controls (U+009B is CSI on some terminals),
# the Arabic letter mark, LRM/RLM, the line and paragraph separators, the bidi
# embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LONG_WORD = re.compile(rf"\S{{{LIMIT + 1},}}")


def escape(char: str) -> str:
    """One code point as an escape: `\\x1b` below U+0100, `\\u202e` above."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escaped(match: re.Match[str]) -> str:
    return escape(match.group())


def visible(text: str) -> str:
    """`text` with every hidden code point written as an escape (see HIDDEN).

    One pass over the text, and the text itself back when it has none, so ordinary
    text is shown exactly as it is. Applying it twice changes nothing more.
    """
    return HIDDEN.sub(_escaped, text)


def clip(text: str, limit: int = LIMIT) -> str:
    """`visible(text)` in at most `limit` characters: a longer one keeps its beginning and
    its end around an ellipsis, and is never cut inside an escape. The work is bounded by
    `limit`, whatever the length of `text`."""
    if len(text) <= limit:
        shown = visible(text)
        if len(shown) <= limit:
            return shown
    room = limit - len(ELLIPSIS)
    head = _take(text[:room], room - room // 2)
    tail = _take(text[-room:][::-1], room // 2)
    return "".join(head) + ELLIPSIS + "".join(reversed(tail))


def _take(chars: str, room: int) -> list[str]:
    """The shown forms of `chars`, from the first, while they fit in `room` characters."""
    taken: list[str] = []
    for char in chars:
        shown = escape(char) if HIDDEN.match(char) else char
        room -= len(shown)
        if room < 0:
            break
        taken.append(shown)
    return taken


def visible_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text` on one line, as `visible` shows it, first cut to `limit` characters around
    an ellipsis when it is longer. For a line that names paths (never cut below `limit`)."""
    return visible(_cut(text, limit))


def visible_message(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message that quotes user text (an unknown id, a title), shown on one line: each
    word longer than LIMIT cut in the middle as `clip` cuts it, a message of more than
    `limit` characters cut between two words (see `shorten`), the rest as `visible`
    shows it. Ordinary messages come back unchanged."""
    return visible(shorten(message, limit))


def shorten(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """The cuts of `visible_message` alone: a format with its own escaping of line breaks
    (GitHub's workflow commands) escapes the rest itself. A word cut is shown as `clip`
    shows it; the white space between words is left as it is. Words are cut first, so
    a message keeps its shape around a long id; a message still longer than `limit`
    (many words) is then cut between two words."""
    if len(message) > LIMIT:
        message = _LONG_WORD.sub(_clipped, message)
    if len(message) <= limit:
        return message
    keep = limit - len(ELLIPSIS)
    # Every word is at most LIMIT characters now: a boundary is never further away.
    head = keep - keep // 2
    while head > 0 and _inside_word(message, head):
        head -= 1
    tail = len(message) - keep // 2
    while tail < len(message) and _inside_word(message, tail):
        tail += 1
    return message[:head] + ELLIPSIS + message[tail:]


def _inside_word(text: str, at: int) -> bool:
    return not (text[at - 1].isspace() or text[at].isspace())


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = limit - len(ELLIPSIS)
    return text[: keep - keep // 2] + ELLIPSIS + text[len(text) - keep // 2 :]


def _clipped(match: re.Match[str]) -> str:
    return clip(match.group())


def picture_lines(text: str, limit: int = LIMIT, most: int = 10) -> list[str]:
    """Text as a picture (a DOT or Mermaid label) shows it: one entry per line of the
    text (a tab is a space), each as `clip` shows it, at most `most` lines (the first
    and the last ones around an ellipsis)."""
    lines = text.replace("\t", " ").splitlines() or [""]
    if len(lines) > most:
        lines = [*lines[: most // 2], ELLIPSIS, *lines[len(lines) - (most - most // 2 - 1) :]]
    return [clip(line, limit) for line in lines]
