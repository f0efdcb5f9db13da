"""Near-miss keys: a custom key is kept, a misspelt known key is a problem.

An org chart may carry keys of its own (`site`, `cost_centre`), so unknown keys
are data. But `reportsTo` or `headcout` is a known key typed wrong, and keeping
it silently would change the hierarchy or the headcount without a word: the
contract (SPEC, Additions) calls a key a near miss when, after folding case and
dropping `_`, `-` and spaces, it equals a known key, or lies within one edit of
a known key of up to 5 characters (two edits of a longer one). Keys of one or
two characters (`id`, `to`) match by folding only, so `fte` or `tag` stay custom.

Beside the known key it misses, in the same mapping, a key is a misspelling only
when it is that key spelt another way or one edit from it (`Headcount` or
`headcout` beside `headcount`: one of the two values would be lost): a flow with
`amount` and `month` means both (`month` is two edits from `amount`, and nobody
writes the amount twice).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from clientchain.model.edits import edit_distance  # moved to the model; kept importable here
from clientchain.model.problems import Position, Problem

if TYPE_CHECKING:  # only for annotations: `fold` alone needs no YAML library
    from clientchain.loading.yaml_source import YNode

_DROPPED = str.maketrans("", "", "_- ")
_SHORT = 2  # known keys this short match by folding only
_ONE_EDIT_UP_TO = 5  # known keys up to this long allow one edit, longer ones two
_REMEMBERED = 10_000  # distinct keys remembered per level (a hostile file has millions)


def fold(key: str) -> str:
    """The key with case folded and `_`, `-` and spaces dropped."""
    return key.casefold().translate(_DROPPED)


def _one_slip(key: str, known: str) -> bool:
    """`key` is the known key spelt another way, or with one edit (after folding)."""
    return edit_distance(fold(key), fold(known), 1) <= 1


def near_miss(key: str, known: Iterable[str]) -> str | None:
    """The known key that `key` likely misspells, or None (an exact known key is no miss).

    Of several, the closest; equally close ones by name, so the answer never depends
    on the order of `known` (a set's order changes from run to run)."""
    candidates = sorted(set(known))
    if key in candidates:
        return None
    folded = fold(key)
    best: tuple[int, str] | None = None
    for candidate in candidates:
        target = fold(candidate)
        if folded == target:
            return candidate
        if len(target) <= _SHORT:
            continue
        allowed = 1 if len(target) <= _ONE_EDIT_UP_TO else 2
        if abs(len(folded) - len(target)) > allowed:
            continue
        distance = edit_distance(folded, target, allowed)
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best is not None else None


class Keys:
    """The keys clientchain reads at one level of a file (`where`: "in a role"), and the
    known key each other key misspells, worked out once per distinct key: a million
    roles with the same custom key cost a million dictionary look-ups, one comparison."""

    def __init__(self, where: str, known: Iterable[str]) -> None:
        self.where = where
        self.names = tuple(known)  # in the order the documentation lists them
        self.known = frozenset(self.names)
        self._guesses: dict[str, str | None] = {}

    def guess(self, key: str, beside: Collection[str] = ()) -> str | None:
        """The known key that `key` misspells, or None; `beside`: the keys of its mapping."""
        if key in self.known:
            return None
        guesses = self._guesses
        if key not in guesses:
            if len(guesses) >= _REMEMBERED:
                guesses.clear()
            guesses[key] = near_miss(key, self.known)
        guess = guesses[key]
        if guess is None or guess not in beside or _one_slip(key, guess):
            # (That key written again, `Headcount` or `headcout` beside `headcount`: one
            # of the two values would be lost.)
            return guess
        return near_miss(key, self.known.difference(beside))  # rare: no need to remember

    def message(self, key: str, guess: str) -> str:
        """What a misspelt key is told, in the words every level uses."""
        return f"{unknown_key(key, self.where)} (did you mean '{guess}'?)"

    def misspelt(self, mapping: YNode, file: str) -> list[tuple[str, Problem]]:
        """(the known key meant, the problem) for each near-miss key of a mapping node."""
        found: list[tuple[str, Problem]] = []
        pairs = mapping.pairs
        if all(key.text in self.known for key, _ in pairs):
            return found
        beside = [key.text for key, _ in pairs]
        for key, _ in pairs:
            guess = self.guess(key.text, beside)
            if guess is not None:
                where = Position(file, key.line, key.column)
                found.append((guess, Problem(where, self.message(key.text, guess))))
        return found


def unknown_key(key: str, where: str) -> str:
    """The start of every message about a key clientchain does not read."""
    return f"unknown key '{key}' {where} is not used"


# The keys of the org chart, level by level (the SPEC, with its Additions). A key here
# that the reader does not read yet is kept with the custom keys, but it is known: its
# misspellings are problems.
TOP_LEVEL = Keys("at the top level", ("org", "currency", "flows", "clients", "roles", "policy"))
ROLE = Keys(
    "in a role",
    ("id", "title", "reports_to", "department", "headcount", "dotted_to", "serves"),
)
CLIENT = Keys("in a client", ("id", "title", "owner"))

# The keys read into the Org's columns; every other key is kept as the entry's own
# (a known key's misspelling is a problem: see above). Here, not beside the precise
# reader, so that the fast loader needs none of that reader's classes.
ROLE_KEYS = frozenset(
    {"id", "title", "reports_to", "department", "headcount", "dotted_to", "serves"}
)
CLIENT_KEYS = frozenset({"id", "title", "owner"})
FLOW = Keys("in a flow", ("from", "to", "amount"))
