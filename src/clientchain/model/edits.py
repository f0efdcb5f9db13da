"""Typing slips: how many lie between two texts, and which known id a text plausibly
misspells (the did-you-mean of every input problem)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from itertools import compress, repeat
from operator import eq, itemgetter, le

# A hint compares texts of at most this length: a longer id could not be told from the
# suggestion on screen (it is shown cut), and the edit distance grows with the square of it.
HINT_MAX = 200
_SEPARATORS = ("_", "-", ".", " ")  # j.smith, j_smith, J-Smith: one id
_NOT_DIGITS = re.compile(r"\D+")
_NOT_DIGITS_BUT_LINES = re.compile(r"[^\d\n]+")
_PARTS = re.compile(r"[^_\-. ]+")  # the parts of an id: `mario.garcia`, `brian-w`
_FOLD_ONLY_UP_TO = 3  # candidates this short (ceo, cfo, cto) match by folding only
_ONE_EDIT_UP_TO = 9  # candidates up to this long allow one edit, longer ones two
_MOST_EDITS = 2


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


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The one candidate that `word` plausibly misspells, or None.

    A wrong hint is worse than none: `jsmith` is not a slip for `asmith`, it is another
    person. So the texts are compared as people type ids (`fold_id`: case folded; `_`,
    `-`, `.` and spaces dropped) and a candidate is plausible when:

    - it folds to the same text as `word` (`J.Smith` for `jsmith`); otherwise
    - it lies within a typing slip (`edit_distance`; a swap is one): none for a
      candidate of up to 3 characters (`ceo` and `cfo` are two roles), one up to 9,
      two beyond (`slaes-manger`);
    - it has the same initials: the same first character, and when both ids have as
      many parts (between `_`, `-`, `.` or spaces), each part starts the same. Ids tell
      people apart by an initial (`jsmith`, `asmith`; `brian-w`, `brian-c`), and people
      seldom mistype the first letter of a word;
    - it has the same digits in the same order: a number tells things apart
      (`team-1`, `team-2`; `jsmith2` is the second J. Smith).

    The closest plausible candidate is the answer only when no other is as close:
    between two equally likely people, no guess. One pass over the candidates, the
    cheap tests first and over all of them at once (a million ids is a normal org)."""
    if len(word) > HINT_MAX:
        return None
    folded = fold_id(word)
    if not folded:
        return None
    texts = list(candidates)
    folds = _fold_all(texts)
    if folded in folds:  # a scan in C; the set only when there is something to find
        same = {text for text, fold in zip(texts, folds, strict=True) if fold == folded}
        return same.pop() if len(same) == 1 else None
    near = list(compress(range(len(folds)), map(str.startswith, folds, repeat(folded[0]))))
    return _nearest(word, folded, texts, folds, near)


class Speller:
    """`closest` for many words against the same candidates (every unknown id of an
    input against its million ids): the candidates are folded once and sorted by what
    no slip changes (first character, digits) and by length, so that a word meets only
    those that could be its slip. The answers are exactly `closest`'s; the sorting
    costs about what one `closest` over the same candidates does.

    `first(n)` answers among the first n candidates only (roles, of roles and clients),
    sharing the folding."""

    def __init__(self, candidates: Iterable[str]) -> None:
        self._shared = _Folded(list(candidates))
        self._limit = len(self._shared.texts)

    def first(self, n: int) -> Speller:
        """The same candidates' first n, folded (when they are) once for both."""
        view = Speller(())
        view._shared, view._limit = self._shared, min(n, self._limit)
        return view

    def closest(self, word: str) -> str | None:
        """The one candidate that `word` plausibly misspells, or None (see `closest`)."""
        if len(word) > HINT_MAX:
            return None
        folded = fold_id(word)
        if not folded:
            return None
        shared, limit = self._shared, self._limit
        texts, folds = shared.texts, shared.folds
        same = {
            texts[i] for i in shared.by_fold.get(hash(folded)) if i < limit and folds[i] == folded
        }
        if same:
            return same.pop() if len(same) == 1 else None
        # No slip changes a length by more than _MOST_EDITS (see _nearest).
        digits = _digits(folded)
        lengths = range(len(folded) - _MOST_EDITS, len(folded) + _MOST_EDITS + 1)
        keys = [hash((folded[0], digits, n)) for n in lengths]
        near = sorted(i for key in keys for i in shared.by_slip.get(key))
        # (A key shared by chance with other texts lets them in: the first character, again.)
        near = [i for i in near if i < limit and folds[i][:1] == folded[0]]
        return _nearest(word, folded, texts, folds, near)


class _Folded:
    """Candidates, folded and sorted for `Speller` when first needed."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    @cached_property
    def folds(self) -> list[str]:
        return _fold_all(self.texts)

    @cached_property
    def by_fold(self) -> _Buckets:
        return _Buckets(map(hash, self.folds))

    @cached_property
    def by_slip(self) -> _Buckets:
        """By what a candidate shares with a word it could be a slip of (see `closest`):
        its first character, its digits, and its length."""
        folds = self.folds
        firsts = map(itemgetter(slice(0, 1)), folds)
        keys = zip(firsts, _all_digits(folds), map(len, folds), strict=True)
        return _Buckets(map(hash, keys))


def _all_digits(texts: list[str]) -> list[str]:
    """`_digits` of each text, in one pass over them all when no text holds a line break."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        return list(map(_digits, texts))
    return _NOT_DIGITS_BUT_LINES.sub("", joined).split("\n") if texts else []


class _Buckets:
    """Indices grouped by an integer key, sorted once: a flat array, not a dict of lists
    (a million small lists would outweigh the ids)."""

    def __init__(self, keys: Iterable[int]) -> None:
        import numpy as np  # (the loaders have it loaded; a hint for a small file does not)

        values = np.fromiter(keys, dtype=np.int64)
        self._order = np.argsort(values, kind="stable")
        self._keys = values[self._order]

    def get(self, key: int) -> list[int]:
        lo = int(self._keys.searchsorted(key, "left"))
        hi = int(self._keys.searchsorted(key, "right"))
        found: list[int] = self._order[lo:hi].tolist()
        return found


def _nearest(
    word: str, folded: str, texts: list[str], folds: list[str], near: list[int]
) -> str | None:
    """The closest plausible candidate among `near` (indices of candidates whose folded
    text starts as `folded` does), when no other is as close (see `closest`)."""
    # Each character of a candidate that `word` lacks takes an edit of its own.
    lacking = str.maketrans("", "", folded)
    near = _only(near, folds, lambda some: map(le, _counts(some, lacking), repeat(_MOST_EDITS)))
    digits = _digits(folded)
    near = _only(near, folds, lambda some: map(eq, map(_digits, some), repeat(digits)))
    initials = _initials(word)
    best: set[str] = set()
    best_distance = _MOST_EDITS + 1
    for i in near:
        target = folds[i]
        allowed = _edits_allowed(len(target))
        if abs(len(target) - len(folded)) > allowed or len(texts[i]) > HINT_MAX:
            continue
        theirs = _initials(texts[i])
        if len(theirs) == len(initials) and theirs != initials:
            continue
        limit = min(allowed, best_distance)
        distance = edit_distance(folded, target, limit)
        if distance > limit:
            continue
        if distance < best_distance:
            best_distance, best = distance, {texts[i]}
        else:
            best.add(texts[i])
    return best.pop() if len(best) == 1 else None


def fold_id(text: str) -> str:
    """An id as people mean it: case folded, `_`, `-`, `.` and spaces dropped."""
    return _fold_all([text])[0]


def _fold_all(texts: list[str]) -> list[str]:
    folded: Iterator[str] = map(str.casefold, texts)
    for separator in _SEPARATORS:  # str.replace: several times faster than str.translate
        folded = map(str.replace, folded, repeat(separator), repeat(""))
    return list(folded)


def _only(
    indices: Iterable[int], folds: list[str], test: Callable[[list[str]], Iterable[bool]]
) -> list[int]:
    """The indices whose folded texts pass `test` (which maps a list of texts to flags)."""
    chosen = list(indices)
    return list(compress(chosen, test([folds[i] for i in chosen])))


def _counts(texts: list[str], lacking: dict[int, int | None]) -> Iterator[int]:
    """Per text, how many of its characters `lacking` drops."""
    return map(len, map(str.translate, texts, repeat(lacking)))


def _initials(text: str) -> str:
    """The first character of each part of an id, case folded (`Brian-W`: `bw`)."""
    return "".join(part[0] for part in _PARTS.findall(text.casefold()))


def _digits(text: str) -> str:
    return _NOT_DIGITS.sub("", text)


def _edits_allowed(length: int) -> int:
    if length <= _FOLD_ONLY_UP_TO:
        return 0
    return 1 if length <= _ONE_EDIT_UP_TO else _MOST_EDITS
