"""PyYAML's escapes written out as their characters (loading/fast/yaml_escapes.py): the
UTF-8 of the text PyYAML escaped, by either way of decoding, or refused."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from clientchain.loading.fast.yaml_escapes import EscapeError, _by_arrays, _by_codec

# Characters PyYAML escapes in double quotes (beyond ASCII, of every UTF-8 width), and
# ASCII it writes as it is; no quote, backslash or control character (those stay
# escaped, refused here).
TEXTS = st.text(
    alphabet=st.characters(
        min_codepoint=0x20,
        max_codepoint=0x10FFFF,
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
        blacklist_characters='"\\\x85\ufeff\ufffe\uffff',
    ),
    max_size=30,
)


def _written(text: str) -> bytes:
    """`text` as one double-quoted value, as PyYAML writes it (ASCII: every character
    beyond it escaped; wide enough that no line is broken)."""
    dumped = yaml.safe_dump({"k": text}, default_style='"', width=10**6)
    return dumped.encode("ascii")


@given(TEXTS)
def test_both_ways_give_the_escaped_text_s_utf8(text: str) -> None:
    written = _written(text)
    expected = yaml.safe_load(written)["k"]
    assert expected == text
    wanted = f'"k": "{text}"\n'.encode()
    if b"\\" in written:
        assert _by_codec(written) == wanted
        assert _by_arrays(written) == wanted


@pytest.mark.parametrize(
    "escape",
    [b"\\x22", b"\\x5C", b"\\x0A", b"\\uD800", b"\\U00110000", b"\\x4", b"\\q", b"\\\\", b'\\"'],
)
def test_escapes_of_no_character_or_of_one_kept_escaped_are_refused(escape: bytes) -> None:
    for decode in (_by_codec, _by_arrays):
        with pytest.raises(EscapeError):
            decode(b'k: "a' + escape + b'!"\n')
