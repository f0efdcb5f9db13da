"""A character beyond the BMP escaped as JSON escapes it: the two halves of its UTF-16
surrogate pair, `\\ud83d\\ude00` for 😀.

That is what Python's `json.dump` (and any JSON writer asked for ASCII) writes for an
emoji or a rare CJK character, and JSON reads the two escapes as the one character.
libyaml refuses either half ("invalid Unicode character escape code"). Where it does,
the pairs are read as JSON reads them: `placeheld` writes each escaped pair as two
escapes of private-use characters of the same length, their first hex digit `D`
made an `E` (so every line and column stays where it was, and every other digit as it
was written), libyaml reads that text, and `joined` gives each value what it holds:
in a double-quoted value the character the pair stands for; in any other (a plain or
single-quoted value, a block), where YAML reads a backslash as itself, the text as
written. Half a pair alone is still refused. A text that already holds those private
characters is read by PyYAML's pure-Python parser instead (yaml_source), which gives
the halves as they are, to be joined. The fast readers write out the same pairs
(`joined_escapes`, or UTF-16's own joining).
"""

from __future__ import annotations

import re

# A high half then a low half, each `\\u` and four hex digits (any case; or `\\U0000` and
# four, as YAML can spell them), next to each
# other or with a double-quoted value's escaped line break between them (the break and
# the next line's indentation are nothing in the value). The backslash must start an
# escape: an even run of backslashes before it (`\\\\ud83d` is a backslash then text).
_PAIR = re.compile(
    r"(?<!\\)((?:\\\\)*)(\\(?:u|U0000))([dD])([89abAB][0-9a-fA-F]{2})"
    r"(\\(?:\r\n|\r|\n)[ \t]*)?(\\(?:u|U0000))([dD])([c-fC-F][0-9a-fA-F]{2})"
)
_PAIR_BYTES = re.compile(
    rb"\\(?:u|U0000)[dD]([89abAB][0-9a-fA-F]{2})\\(?:u|U0000)[dD]([c-fC-F][0-9a-fA-F]{2})"
)
# The private-use block the halves are moved to (U+D800-DFFF -> U+E800-EFFF), as text
# and as escapes: a document holding either already is not placeheld.
_HELD_CHARACTERS = re.compile("[\ue800-\uefff]")
_HELD_ESCAPES = re.compile(r"\\(?:u|U0000)[eE][89a-fA-F]")
_HELD_PAIR = re.compile("[\ue800-\uebff][\uec00-\uefff]")
_HELD_WRITTEN = re.compile(r"(\\(?:u|U0000))([eE])([89a-fA-F][0-9a-fA-F]{2})")
_SHIFT = 0xE800 - 0xD800


def has_pair(text: str) -> bool:
    """Whether `text` holds a surrogate pair's two escapes."""
    return "\\" in text and _PAIR.search(text) is not None


def placeheld(text: str) -> str | None:
    """`text` with each escaped surrogate pair written as two escapes of private-use
    characters; None where the text already holds such a character (or its escape),
    which `joined` could not then tell apart."""
    if _HELD_CHARACTERS.search(text) or _HELD_ESCAPES.search(text):
        return None
    return _PAIR.sub(_held, text)


def _held(found: re.Match[str]) -> str:
    slashes, high_escape, high, high_rest, between, low_escape, low, low_rest = found.groups()
    high_held = f"{high_escape}{_up(high)}{high_rest}"
    return f"{slashes}{high_held}{between or ''}{low_escape}{_up(low)}{low_rest}"


def _up(digit: str) -> str:
    return "E" if digit == "D" else "e"


def _down(digit: str) -> str:
    return "D" if digit == "E" else "d"


def joined(value: str, double_quoted: bool) -> str:
    """A value libyaml read from `placeheld`'s text, as the original text holds it;
    ValueError for half a pair alone in a double-quoted value (its other half outside it:
    YAML would not read the text)."""
    if double_quoted:
        if _HELD_CHARACTERS.search(value) is None:
            return value
        value = _HELD_PAIR.sub(_character, value)
        if _HELD_CHARACTERS.search(value) is not None:
            raise ValueError("half a surrogate pair")
        return value
    if "\\" not in value:
        return value
    return _HELD_WRITTEN.sub(_as_written, value)  # (each half: a plain value folds lines)


def _character(found: re.Match[str]) -> str:
    high, low = (ord(half) - _SHIFT for half in found[0])
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def _as_written(found: re.Match[str]) -> str:
    escape, first, rest = found.groups()
    return f"{escape}{_down(first)}{rest}"


def joined_escapes(text: bytes) -> bytes:
    """`text` (every backslash in it starting an escape) with each escaped surrogate pair
    written as one `\\U` escape of its character (a fast reader's, before it writes the
    escapes out; half a pair is left, for it to refuse)."""
    return _PAIR_BYTES.sub(_one_escape, text)


def _one_escape(found: re.Match[bytes]) -> bytes:
    high, low = (0xD000 + int(rest, 16) for rest in found.groups())
    return b"\\U%08X" % (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
