"""Text as a YAML scalar that every YAML reader gives back exactly, and as a comment.

An imported org chart carries ids and titles that were never meant for YAML:
`no`, `0755`, `2024-01-01`, `null`, `#x`, `a: b`, spaces around, quotes,
backslashes, control characters, U+2028. Each value is written in the plainest
style that reads back as the same string under YAML 1.1 and 1.2 alike:

- plain when it starts with a letter or `_`, holds only letters, digits and a
  few harmless marks, and is no YAML word (`yes`, `off`, `null`, ...);
- single-quoted when every character is printable, visible and on one line;
- double-quoted otherwise, every awkward character as an escape (`\\x85`,
  `\\u2028`), as YAML requires of line breaks, controls and non-characters.

Not pyyaml's dumper: importing never loads yaml (only the loaders do), and a
million values go through here.
"""

from __future__ import annotations

import re

# Plain: a letter or `_` first; then letters, digits and marks that mean nothing to YAML
# inside a block value; no space at the end (it would be dropped).
_PLAIN = re.compile(r"[^\W\d][\w .,/()&+@'|-]*(?<! )")
# Words YAML 1.1 reads as booleans or null (compared case-folded: `No`, `OFF`, `Null`).
_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
# Characters a single-quoted scalar cannot carry as they are: YAML's non-printables
# (C0 but for nothing, DEL, C1, surrogates, U+FFFE/U+FFFF), its line breaks (NEL, U+2028,
# U+2029, which a reader folds), the byte order mark, and what would hide or reorder the
# text for a person reading the file (the bidi controls, as model.visible escapes them).
_NEEDS_ESCAPE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufeff\ufffe\uffff]"
)
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\\0"}
_DOUBLE_QUOTED = re.compile(
    '[\\\\"' + _NEEDS_ESCAPE.pattern[1:-1] + "]"
)  # what a double-quoted scalar escapes


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar that reads back as exactly `text`."""
    if _PLAIN.fullmatch(text) and text.casefold() not in _WORDS:
        return text
    if _NEEDS_ESCAPE.search(text) is None:
        return "'" + text.replace("'", "''") + "'"
    return '"' + _DOUBLE_QUOTED.sub(_escape, text) + '"'


def yaml_comment(text: str) -> str:
    """`text` made safe inside a `#` comment line: on one line, every character a YAML
    reader accepts and a person sees (escaped as in a double-quoted scalar)."""
    return _NEEDS_ESCAPE.sub(_escape, text)
