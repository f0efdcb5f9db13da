"""A character beyond the BMP escaped as JSON escapes it: the two halves of its UTF-16
surrogate pair, `\\ud83d\\ude00` for 😀.

That is what Python's `json.dump` (and any JSON writer asked for ASCII) writes for an
emoji or a rare CJK character, and JSON reads the two escapes as the one character.
libyaml refuses either half ("invalid Unicode character escape code"). Where it does,
the pairs are read as JSON reads them, by libyaml still: `placeheld` writes each pair's
halves as escapes of the same length (every line and column stays where it was) of
characters the text holds none of, as a character or as an escape (private-use ones
first, each half its own): in a double-quoted value they come out as two such
characters side by side, which `PlaceHeld.joined` makes the one character the pair
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
# escaped line breaks between them (nothing in the value: the break and the next line's
# indentation). The backslash must start an escape: an even run of backslashes before
# it (`\\\\ud83d` is a backslash then text).
_PAIR = re.compile(
    r"(?<!\\)(?:\\\\)*"
    r"(?P<high>\\(?:u|U0000)[dD][89abAB][0-9a-fA-F]{2})"
    r"(?P<between>(?:\\(?:\r\n|[\r\n\x85\u2028\u2029])[ \t]*)*)"
    r"(?P<low>\\(?:u|U0000)[dD][c-fC-F][0-9a-fA-F]{2})"
)
_PAIR_BYTES = re.compile(
    rb"\\(?:u|U0000)[dD]([89abAB][0-9a-fA-F]{2})\\(?:u|U0000)[dD]([c-fC-F][0-9a-fA-F]{2})"
)
_HIGH, _LOW = 0xD800, 0xDC00
# The characters a half may be moved to, in this order: private-use ones first, then any
# other of the BMP but the surrogates, the noncharacters and what YAML's named escapes
# give (U+0000-00FF, U+2028, U+2029); a text's own (as characters or as escapes) skipped.
_PLACES = (
    range(0xE000, 0xF900),
    range(0x100, 0x2028),
    range(0x202A, _HIGH),
    range(0xF900, 0xFDD0),
    range(0xFDF0, 0xFFFE),
)
_CODE_ESCAPE = re.compile(r"\\(?:u|U0000)([0-9a-fA-F]{4})")


def has_pair(text: str) -> bool:
    """Whether `text` holds a surrogate pair's two escapes."""
    return "\\" in text and _PAIR.search(text) is not None


@holder
class PlaceHeld:
    """A text with pairs' halves moved to characters it holds nothing of."""

    text: str
    pairs: list[int]  # where each pair moved starts (its high half's backslash)
    halves: dict[str, int]  # each character a half was moved to -> the half's code
    held: re.Pattern[str]  # one of those characters
    pair: re.Pattern[str]  # a high half's, then a low half's

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
        text). `reached`: where the last value read ends, where the parser stopped short
        (it reads ahead of what it hands over: a pair past there may be in a value not
        handed over), else the text's end."""
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
        high, low = (self.halves[half] for half in found[0])
        return chr(0x10000 + ((high - _HIGH) << 10) + (low - _LOW))


def placeheld(text: str, but: Sequence[int] = ()) -> PlaceHeld | None:
    """`text` with each escaped surrogate pair's halves written as escapes of characters
    it holds nothing of (but the pairs starting at `but`: as written); None where there
    are not enough of those (a text of nearly every character of the BMP)."""
    kept = set(but)
    found = [pair for pair in _PAIR.finditer(text) if pair.start("high") not in kept]
    codes = sorted({int(pair[name][-4:], 16) for pair in found for name in ("high", "low")})
    places = _free_places(text, len(codes))
    if places is None:
        return None
    place = dict(zip(codes, places, strict=True))
    pieces, last = [], 0
    for pair in found:  # (each written out with its halves moved; the rest as it is)
        pieces += [text[last : pair.start("high")], _moved(pair["high"], place)]
        pieces += [pair["between"] or "", _moved(pair["low"], place)]
        last = pair.end()
    pieces.append(text[last:])
    highs = "".join(re.escape(chr(place[code])) for code in codes if code < _LOW)
    lows = "".join(re.escape(chr(place[code])) for code in codes if code >= _LOW)
    never = "(?!)"  # (no pair moved: every one is as written)
    return PlaceHeld(
        "".join(pieces),
        [pair.start("high") for pair in found],
        {chr(place[code]): code for code in codes},
        re.compile(f"[{highs}{lows}]" if codes else never),
        re.compile(f"[{highs}][{lows}]" if codes else never),
    )


def _moved(escape: str, place: dict[int, int]) -> str:
    """A half's escape (`\\uD83D`, `\\U0000D83D`) as the escape of its place."""
    return f"{escape[:-4]}{place[int(escape[-4:], 16)]:04X}"


def _free_places(text: str, wanted: int) -> list[int] | None:
    """The first `wanted` of _PLACES that `text` holds nothing of, as a character or as
    an escape; None where there are fewer."""
    if not wanted:
        return []
    used = {ord(character) for character in set(text)}
    used.update(int(code, 16) for code in _CODE_ESCAPE.findall(text))
    free = []
    for places in _PLACES:
        for code in places:
            if code not in used:
                free.append(code)
                if len(free) == wanted:
                    return free
    return None


def joined_escapes(text: bytes) -> bytes:
    """`text` (every backslash in it starting an escape) with each escaped surrogate pair
    written as one `\\U` escape of its character (a fast reader's, before it writes the
    escapes out; half a pair is left, for it to refuse)."""
    return _PAIR_BYTES.sub(_one_escape, text)


def _one_escape(found: re.Match[bytes]) -> bytes:
    high, low = (0xD000 + int(rest, 16) for rest in found.groups())
    return b"\\U%08X" % (0x10000 + ((high - _HIGH) << 10) + (low - _LOW))
