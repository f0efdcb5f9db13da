"""`@holder` classes take their fields as a dataclass does (model/holder.py): in order or
by name, defaults and default factories filled in, keyword-only ones by name only, and
every mistake a TypeError naming the class."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import itertools
import operator
import pickle
from dataclasses import dataclass, field

import pytest

from clientchain.model.holder import holder, value_class


@holder
class _Plain:
    first: int
    second: str = "two"
    seen: list[int] = field(default_factory=list)


@holder(kw_only=True)
class _Named:
    size: int
    label: str = "none"


@holder(slots=True)
class _Slotted:
    a: int
    b: int = 3


@holder
class _Derived(_Plain):
    extra: float = 0.5


def test_fields_in_order_by_name_and_from_defaults() -> None:
    one = _Plain(1)
    assert (one.first, one.second, one.seen) == (1, "two", [])
    two = _Plain(2, "deux", seen=[4])
    assert (two.first, two.second, two.seen) == (2, "deux", [4])
    assert _Plain(second="x", first=5).second == "x"
    assert _Plain(1).seen is not _Plain(1).seen  # a fresh default from the factory
    assert (_Derived(1, extra=2.0).extra, _Derived(1).second) == (2.0, "two")


def test_keyword_only_and_slots() -> None:
    assert (_Named(size=3).size, _Named(size=3, label="x").label) == (3, "x")
    with pytest.raises(TypeError, match="_Named"):
        _Named(3)  # type: ignore[call-arg]
    slotted = _Slotted(1)
    assert (slotted.a, slotted.b) == (1, 3)
    assert not hasattr(slotted, "__dict__")


@pytest.mark.parametrize(
    "make",
    [
        _Plain,
        lambda: _Plain(1, "a", [], 4),  # type: ignore[call-arg]
        lambda: _Plain(1, first=2),  # type: ignore[misc]
        lambda: _Plain(1, third=3),  # type: ignore[call-arg]
    ],
)
def test_every_mistake_is_a_type_error(make: object) -> None:
    with pytest.raises(TypeError, match="_Plain"):
        make()  # type: ignore[operator]


def test_still_a_dataclass_compared_by_identity() -> None:
    one = _Plain(1)
    assert [f.name for f in dataclasses.fields(one)] == ["first", "second", "seen"]
    assert dataclasses.replace(one, second="b").second == "b"
    assert one != _Plain(1) and one == [one][0]
    assert repr(_Slotted(1)) == "_Slotted(a=1, b=3)"
    assert len({one, _Plain(1)}) == 2


def test_a_field_that_is_no_parameter_is_refused() -> None:
    class Hidden:
        shown: int
        hidden: int = field(init=False, default=0)

    with pytest.raises(TypeError, match="Hidden"):
        holder(Hidden)


# `@value_class` against the dataclass it stands for: the same class written both ways
# must behave the same, compared, hashed, ordered, frozen, copied and pickled.


def _both(**flags: bool) -> tuple[type, type]:
    def written() -> type:
        class Point:
            """A point with a label that takes no part in comparisons."""

            x: int
            y: int = 0
            label: str = field(default="", compare=False)
            seen: list[int] = field(default_factory=list, compare=False, repr=False)

        return Point

    frozen = flags.get("frozen", True)
    theirs = dataclass(frozen=frozen, **{k: v for k, v in flags.items() if k != "frozen"})
    return value_class(**flags)(written()), theirs(written())


@pytest.mark.parametrize("slots", [False, True])
@pytest.mark.parametrize("order", [False, True])
def test_value_class_behaves_as_its_dataclass(slots: bool, order: bool) -> None:
    ours, theirs = _both(slots=slots, order=order)
    pairs = [(1, 2), (1, 3), (0, 9), (1, 2)]
    mine = [ours(x, y, label=f"l{k}") for k, (x, y) in enumerate(pairs)]
    ref = [theirs(x, y, label=f"l{k}") for k, (x, y) in enumerate(pairs)]
    for i, j in itertools.product(range(len(pairs)), repeat=2):
        assert (mine[i] == mine[j]) == (ref[i] == ref[j])
        assert (hash(mine[i]) == hash(mine[j])) == (hash(ref[i]) == hash(ref[j]))
        if order:
            for test in (operator.lt, operator.le, operator.gt, operator.ge):
                assert test(mine[i], mine[j]) == test(ref[i], ref[j])
    assert hash(mine[0]) == hash(ref[0])  # dataclass's hash: the compared fields' tuple
    assert repr(mine[0]) == repr(ref[0])
    assert repr(mine[0]).endswith("Point(x=1, y=2, label='l0')")  # `seen`: repr=False
    assert mine[0] != ref[0] and mine[0] != (1, 2)  # only a point of its own class
    if not order:
        with pytest.raises(TypeError):
            _ = mine[0] < mine[1]
    assert hasattr(mine[0], "__dict__") == (not slots)
    assert str(inspect.signature(ours)) == str(inspect.signature(theirs))  # as help() shows it


@value_class
class _Pair:
    """A pair (a class of the module's, for pickle to find)."""

    x: int
    y: int = 0
    label: str = field(default="", compare=False)
    seen: list[int] = field(default_factory=list, compare=False, repr=False)


@value_class(slots=True)
class _SlottedPair:
    """The same, in slots."""

    x: int
    y: int = 0
    label: str = field(default="", compare=False)
    seen: list[int] = field(default_factory=list, compare=False, repr=False)


@pytest.mark.parametrize("ours", [_Pair, _SlottedPair])
def test_a_frozen_value_class_stays_as_made(ours: type[_Pair] | type[_SlottedPair]) -> None:
    point = ours(4, 5, "p", [1])
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 6  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.y
    assert hasattr(point, "__dict__") == (ours is _Pair)
    for made in (copy.copy(point), copy.deepcopy(point), pickle.loads(pickle.dumps(point))):
        assert made == point and made is not point
        assert (made.x, made.y, made.label, made.seen) == (4, 5, "p", [1])
    assert dataclasses.replace(point, y=7) == ours(4, 7)
    assert dataclasses.asdict(point) == {"x": 4, "y": 5, "label": "p", "seen": [1]}


def test_an_unfrozen_value_class_is_unhashable_and_changes() -> None:
    ours, _ = _both(frozen=False)
    point = ours(1)
    point.x = 2
    assert point == ours(2)
    with pytest.raises(TypeError):
        hash(point)


def test_a_class_without_a_docstring_gets_its_fields_as_one() -> None:
    class Bare:
        a: int
        b: str

    assert value_class(Bare).__doc__ == "Bare(a, b)"
