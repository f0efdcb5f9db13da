"""A character beyond the BMP escaped as JSON escapes it: the two halves of its UTF-16
surrogate pair, `\\ud83d\\ude00` for 😀.

That is what Python's `json.dump` (and any JSON writer asked for ASCII) writes for an
emoji or a rare CJK character, and JSON reads the two escapes as the one character.
libyaml refuses either half ("invalid Unicode character escape code"). Where it does,
the pairs are read as JSON reads them, by libyaml still: `placeheld` writes each pair's
halves as escapes of private-use characters, of the same length (every line and column
stays where it was), in two blocks of 1,024 the text holds none of (neither as a
character nor as an escape; private-use ones first): in a double-quoted value they come
out as two such characters side by side, which `PlaceHeld.joined` makes the one character the pair
stands for. A pair outside double quotes (a plain or single-quoted value, a block, a
comment) is text, as YAML reads a backslash there: the double-quoted values read show
which pairs those are (`outside`), and the text is read once more with them as written.
Half a pair alone stays an escape libyaml refuses, at its place. The fast readers join
the same pairs (`joined_escapes`, or UTF-16's own joining of the halves).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from clientchain.model.holder import holder

# A high half then a low half, each `\\u` and four hex digits (any case; or `\\U0000` and
# four, as YAML may spell them), next to each other or with a double-quoted value's
# escaped line break between them (nothing in the value: the break and the next line's
# indentation). The backslash must start an escape: an even run of backslashes before
# it (`\\\\ud83d` is a backslash then text).
_PAIR = re.compile(
    r"(?<!\\)(?:\\\\)*"
    r"(?P<high>\\(?:u|U0000)[dD][89abAB][0-9a-fA-F]{2})"
    r"(?P<between>\\(?:\r\n|[\r\n\x85\u2028\u2029])[ \t]*)?"
    r"(?P<low>\\(?:u|U0000)[dD][c-fC-F][0-9a-fA-F]{2})"
)
_PAIR_BYTES = re.compile(
    rb"\\(?:u|U0000)[dD]([89abAB][0-9a-fA-F]{2})\\(?:u|U0000)[dD]([c-fC-F][0-9a-fA-F]{2})"
)
# Blocks of 1,024 characters the halves may be moved to: two the text holds nothing of,
# as a character or as an escape; private-use ones first, then any other in the BMP but
# the surrogates' own and the last (its noncharacters, U+FFFE and U+FFFF).
_BLOCK = 0x400
_HIGH, _LOW = 0xD800, 0xDC00
_PRIVATE_BLOCKS = range(0xE000, 0xF800, _BLOCK)
_BLOCKS = [*_PRIVATE_BLOCKS]
_BLOCKS += [b for b in range(0, 0xFC00, _BLOCK) if b not in (_HIGH, _LOW, *_PRIVATE_BLOCKS)]
_CODE_ESCAPE = re.compile(r"\\(?:u|U0000)([0-9a-fA-F]{4})")


def has_pair(text: str) -> bool:
    """Whether `text` holds a surrogate pair's two escapes."""
    return "\\" in text and _PAIR.search(text) is not None


@holder
class PlaceHeld:
    """A text with pairs' halves moved to the private blocks from `high` and `low`."""

    text: str
    high: int
    low: int
    pairs: list[int]  # where each pair moved starts (its high half's backslash)
    held: re.Pattern[str]  # a character of either block
    pair: re.Pattern[str]  # one of the high block, then one of the low

    def joined(self, value: str) -> str:
        """A double-quoted value read from `text`, each pair's two characters made the
        one character the pair stands for; ValueError for half of one alone (its other
        half outside the value: YAML would not read the text)."""
        if not self.held.search(value):
            return value
        value = self.pair.sub(self._character, value)
        if self.held.search(value):
            raise ValueError("half a surrogate pair")
        return value

    def outside(self, quoted: Sequence[tuple[int, int]], reached: int) -> list[int]:
        """The pairs moved before `reached` that lie in none of the `quoted` spans (start,
        end: where the double-quoted values that held a moved pair begin and end in the
        text). `reached`: where the last value read starts, where the parser stopped
        short (it reads ahead of what it hands over: a pair past there may be in a value
        not handed over), else the text's end."""
        spans = sorted(quoted)
        starts = [start for start, _ in spans]
        lost = []
        for at in self.pairs:
            if at >= reached:
                break
            k = bisect.bisect_right(starts, at) - 1
            if k < 0 or spans[k][1] <= at:
                lost.append(at)
        return lost

    def _character(self, found: re.Match[str]) -> str:
        high, low = ord(found[0][0]) - self.high, ord(found[0][1]) - self.low
        return chr(0x10000 + (high << 10) + low)


def placeheld(text: str, but: Sequence[int] = ()) -> PlaceHeld | None:
    """`text` with each escaped surrogate pair's halves written as escapes of characters
    of two blocks it holds nothing of (but the pairs starting at `but`: as written); None
    where it holds something of every block but one (of 61)."""
    free = _free_blocks(text)
    if len(free) < 2:
        return None
    high, low = free[0], free[1]
    kept = set(but)
    moved: list[int] = []

    def held(found: re.Match[str]) -> str:
        start = found.start("high")
        if start in kept:
            return found[0]
        moved.append(start)
        slashes = found[0][: start - found.start()]
        between = found["between"] or ""
        return f"{slashes}{_moved(found['high'], high - _HIGH)}{between}" + _moved(
            found["low"], low - _LOW
        )

    written = _PAIR.sub(held, text)
    high_block = f"{chr(high)}-{chr(high + _BLOCK - 1)}"
    low_block = f"{chr(low)}-{chr(low + _BLOCK - 1)}"
    return PlaceHeld(
        written,
        high,
        low,
        moved,
        re.compile(f"[{high_block}{low_block}]"),
        re.compile(f"[{high_block}][{low_block}]"),
    )


def _moved(escape: str, shift: int) -> str:
    """A half's escape (`\\uD83D`, `\\U0000D83D`) as the escape of its code + `shift`."""
    lead = escape[:-4]
    return f"{lead}{int(escape[-4:], 16) + shift:04X}"


def _free_blocks(text: str) -> list[int]:
    """The blocks of _BLOCKS that no character of `text` falls in, nor any escape."""
    used = {ord(character) // _BLOCK for character in set(text)}
    used.update(int(found[1], 16) // _BLOCK for found in _CODE_ESCAPE.finditer(text))
    return [block for block in _BLOCKS if block // _BLOCK not in used]


def joined_escapes(text: bytes) -> bytes:
    """`text` (every backslash in it starting an escape) with each escaped surrogate pair
    written as one `\\U` escape of its character (a fast reader's, before it writes the
    escapes out; half a pair is left, for it to refuse)."""
    return _PAIR_BYTES.sub(_one_escape, text)


def _one_escape(found: re.Match[bytes]) -> bytes:
    high, low = (0xD000 + int(rest, 16) for rest in found.groups())
    return b"\\U%08X" % (0x10000 + ((high - _HIGH) << 10) + (low - _LOW))
