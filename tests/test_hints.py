"""Did you mean: a hint only when the id is plainly a slip for one other id.

A wrong hint is worse than none: `reports_to: jsmith` answered with "did you mean
'asmith'?" invites the user to put someone under the wrong boss. The rules (see
`clientchain.model.edits.closest`): the same text after folding case and dropping
`_ - .` and spaces; else one typing slip (none for ids of up to three characters, two
for ids of ten or more; a swap is one), the same initials and the same digits; and no
other id as close.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import clientchain
from clientchain.model.problems import InputError, Speller, closest, did_you_mean

# A roster as org charts and HR exports write ids: initials and surnames, names with
# dots and dashes, numbered teams and people, descriptive role ids.
ROSTER = (
    "asmith",
    "jsmith2",
    "mjones",
    "anne-lee",
    "mario.garcia",
    "brian-c",
    "dstetser",
    "martin-w",
    "Head_of_IT",
    "sales-manager",
    "seller",
    "car-buyers",
    "owner",
    "team-1",
    "team-2",
    "emp-1001",
    "cfo",
)

SLIPS = [
    # (typed, the hint, why it is a slip)
    ("Sales_Manager", "sales-manager", "the same id, other case and separators"),
    ("head-of-it", "Head_of_IT", "the same id, other case and separators"),
    ("salesmanager", "sales-manager", "the separator left out"),
    ("CFO", "cfo", "case only: a short id matches by folding"),
    ("sales-manger", "sales-manager", "a letter dropped"),
    ("salesmanger", "sales-manager", "a letter dropped, no separator"),
    ("slaes-manager", "sales-manager", "two letters swapped"),
    ("slaes-manger", "sales-manager", "a swap and a dropped letter: two slips in 12"),
    ("seler", "seller", "a letter dropped"),
    ("sellr", "seller", "a letter dropped"),
    ("sellre", "seller", "two letters swapped"),
    ("sellers", "seller", "a letter added"),
    ("car-buyer", "car-buyers", "a letter dropped"),
    ("owne", "owner", "a letter dropped, short id"),
    ("mjnoes", "mjones", "two letters swapped"),
    ("team1", "team-1", "the separator left out; the number kept"),
    # Judgment calls, kept as hints: one slip, same initials, and no other id as close.
    # A different person could be meant; the hint asks, it does not fix, and were both
    # people in the file the id would not be unknown at all.
    ("ann-lee", "anne-lee", "a dropped letter is the commonest slip"),
    ("maria.garcia", "mario.garcia", "one letter in eleven, same initials"),
]

NEAR_NAMES = [
    # (typed, why no hint)
    ("jsmith", "asmith has another initial; jsmith2 another number: other people"),
    ("brian-w", "brian-c: the initial after the dash tells two people apart"),
    ("team-3", "team-1 and team-2 are numbered: another team, not a slip"),
    ("emp-1011", "emp-1001: a different employee number"),
    ("jsmith3", "jsmith2: a different number"),
    ("dsteer", "dstetser: two slips in eight letters (a real export: another person)"),
    ("marin", "martin-w: two slips, and a part more"),
    ("andre-l", "no id within one slip"),
    ("selr", "seller: two slips in six letters"),
    ("eller", "seller: the first letter dropped; initials are how ids differ"),
    ("ceo", "cfo: three letters one apart are another role (an acronym), not a slip"),
    ("cf", "cfo: a letter dropped from three leaves too little to recognise"),
    ("xyz", "nothing near"),
    ("", "nothing typed"),
    ("_-. ", "nothing but separators"),
]


@pytest.mark.parametrize(("typed", "hint", "why"), SLIPS, ids=[s[0] for s in SLIPS])
def test_a_slip_gets_the_one_id_it_misspells(typed: str, hint: str, why: str) -> None:
    assert closest(typed, ROSTER) == hint, why
    assert did_you_mean(typed, ROSTER) == f" (did you mean '{hint}'?)"


@pytest.mark.parametrize(("typed", "why"), NEAR_NAMES, ids=[n[0] or "empty" for n in NEAR_NAMES])
def test_a_near_name_gets_no_hint(typed: str, why: str) -> None:
    assert closest(typed, ROSTER) is None, why
    assert did_you_mean(typed, ROSTER) == ""


def test_two_ids_equally_close_give_no_hint() -> None:
    assert closest("mjone", ["mjones", "mjonas"]) == "mjones"  # mjonas: two slips
    assert closest("mjone", ["mjones", "mjoner"]) is None  # one slip each: who is meant?
    assert closest("ann-lee", ["Ann_Lee", "ann.lee"]) is None  # both fold to `annlee`
    assert closest("ann-lee", ["ann.lee", "ann.lee"]) == "ann.lee"  # one id named twice


def test_the_closer_id_wins() -> None:
    assert closest("Seller", ["sellers", "seller"]) == "seller"  # folding beats a slip
    assert closest("sales-mangr", ["sales-managers", "sales-manager"]) == "sales-manager"


def test_the_answer_does_not_depend_on_the_order_of_the_ids() -> None:
    forward = [closest(typed, ROSTER) for typed, _, _ in SLIPS]
    backward = [closest(typed, ROSTER[::-1]) for typed, _, _ in SLIPS]
    assert forward == backward == [hint for _, hint, _ in SLIPS]


def test_the_ids_may_be_any_iterable_of_text() -> None:
    index = {rid: i for i, rid in enumerate(ROSTER)}  # the loaders pass their id index
    assert closest("sellr", index) == "seller"
    assert closest("sellr", iter(ROSTER)) == "seller"
    assert closest("sellr", ()) is None


def test_the_one_slip_is_found_among_many_look_alike_ids() -> None:
    ids = [f"role-{i:06d}" for i in range(100_000)]
    assert closest("role-01234", ids) is None  # a digit dropped: another number
    assert closest("rol-012345", ids) == "role-012345"
    assert closest("ROLE_012345", ids) == "role-012345"
    assert closest("role-012345x", ids) == "role-012345"  # a letter added
    assert closest("rloe-012345", ids) == "role-012345"


def test_a_speller_answers_every_word_as_closest_does() -> None:
    """A Speller folds a loader's ids once for all its unknown ones (a million ids,
    maybe thousands of slips): same answers as `closest`, hint for hint."""
    speller = Speller(ROSTER)
    for typed, hint, _ in SLIPS:
        assert speller.closest(typed) == hint
        assert did_you_mean(typed, speller) == f" (did you mean '{hint}'?)"
    for typed, _ in NEAR_NAMES:
        assert speller.closest(typed) is None
        assert did_you_mean(typed, speller) == ""


IDS = st.text(alphabet="abcAB-_.12é \n٣", min_size=0, max_size=8)


@given(ids=st.lists(IDS, max_size=30), words=st.lists(IDS, min_size=1, max_size=10))
def test_a_speller_agrees_with_closest_on_any_ids(ids: list[str], words: list[str]) -> None:
    """Its grouping by first letter and length only skips ids no slip reaches."""
    speller = Speller(ids)
    for word in [*words, *(w + "x" for w in ids[:5]), *(w[1:] for w in ids[:5])]:
        assert speller.closest(word) == closest(word, ids), word


def test_very_long_ids_get_no_hint() -> None:
    long = "x" * 201
    assert closest(long, [long + "y"]) is None
    assert closest("x" * 199, [long]) is None


Write = Callable[[str, str], Path]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        clientchain.load(path)
    return [str(p) for p in caught.value.problems]


def test_the_loader_hints_a_slip_and_not_a_namesake(write: Write) -> None:
    path = write(
        "org.yaml",
        """
        clients: [{id: buyers}]
        roles:
          - {id: asmith}
          - {id: brian-c, reports_to: asmith}
          - {id: sales-manager, reports_to: asmith}
          - {id: bob, reports_to: jsmith}
          - {id: eve, reports_to: brian-w}
          - {id: ann, reports_to: sales-manger}
        flows:
          - {from: buyer, to: ann, amount: 1}
        """,
    )
    assert problems_of(path) == [
        f"{path}:6:27: reports_to: unknown role 'jsmith'",
        f"{path}:7:27: reports_to: unknown role 'brian-w'",
        f"{path}:8:27: reports_to: unknown role 'sales-manger' (did you mean 'sales-manager'?)",
        f"{path}:10:12: flow from unknown id 'buyer' (did you mean 'buyers'?)",
    ]
