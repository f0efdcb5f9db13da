"""`@holder` classes take their fields as a dataclass does (model/holder.py): in order or
by name, defaults and default factories filled in, keyword-only ones by name only, and
every mistake a TypeError naming the class."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import pytest

from clientchain.model.holder import holder


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
