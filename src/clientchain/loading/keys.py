"""Near-miss keys: a custom key is kept, a misspelt known key is a problem.

An org chart may carry keys of its own (`site`, `cost_centre`), so unknown keys
are data. But `reportsTo` or `headcout` is a known key typed wrong, and keeping
it silently would change the hierarchy or the headcount without a word: the
contract (SPEC, Additions) calls a key a near miss when, after folding case and
dropping `_`, `-` and spaces, it equals a known key, or lies within one edit of
a known key of up to 5 characters (two edits of a longer one). Keys of one or
two characters (`id`, `to`) match by folding only, so `fte` or `tag` stay custom.
"""

from __future__ import annotations

from collections.abc import Iterable

_DROPPED = str.maketrans("", "", "_- ")
_SHORT = 2  # known keys this short match by folding only
_ONE_EDIT_UP_TO = 5  # known keys up to this long allow one edit, longer ones two


def fold(key: str) -> str:
    """The key with case folded and `_`, `-` and spaces dropped."""
    return key.casefold().translate(_DROPPED)


def near_miss(key: str, known: Iterable[str]) -> str | None:
    """The known key that `key` likely misspells, or None (an exact known key is no miss)."""
    known = list(known)
    if key in known:
        return None
    folded = fold(key)
    best: tuple[int, str] | None = None
    for candidate in known:
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


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from a to b; anything over
    `limit` comes back as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
