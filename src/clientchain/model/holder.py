"""`@holder`: a frozen dataclass compared by identity, frozen for the type checker only.

Most of our dataclasses hold arrays (columns, plans, factors) and compare by identity
(`eq=False`). Made `frozen=True`, each costs Python 3.11 two more generated methods
(`__setattr__`, `__delattr__`), compiled at import: 0.3 ms a class, 11 ms of every
start with the 40 that a 10,000-role analysis imports (a 0.25 s run). `holder` makes
the same class without them and tells type checkers it is frozen (PEP 681's
`frozen_default`): mypy, which CI runs, rejects an assignment to a field as it would
for `frozen=True`. Equality and hashing are by identity either way. Its `__init__` and
`__repr__` are not compiled either: `__init__` is made from the class' fields (every
field a parameter; `field(init=False)` is refused), a holder being made a few hundred
times a run at most.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


@overload
def holder(cls: type[T], /) -> type[T]: ...


@overload
def holder(*, slots: bool = False, kw_only: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(eq_default=False, frozen_default=True)
def holder(
    cls: type[T] | None = None, /, *, slots: bool = False, kw_only: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """`@dataclass(frozen=True, eq=False)` as the type checker sees it; at run time the
    same class without the frozen guards (`slots`, `kw_only` as dataclass's), its
    `__init__` made without compiling one (see `_init_of`)."""

    def make(cls: type[T]) -> type[T]:
        made = dataclass(init=False, repr=False, eq=False, slots=slots, kw_only=kw_only)(cls)
        setattr(made, "__init__", _init_of(made))  # noqa: B010 (a method, set at run time)
        setattr(made, "__repr__", _repr)  # noqa: B010
        return made

    return make if cls is None else make(cls)


def _init_of(cls: type) -> Callable[..., None]:
    """An `__init__` taking the class' fields as dataclass's does (positionally in order
    but for keyword-only ones, by name, defaults and default factories filled in), from
    its fields, not from generated source: dataclass compiles each class' methods at
    import (0.3-0.6 ms a class, ~60 classes in every run; a class here is made a few
    hundred times a run at most, at a few microseconds each)."""
    if any(not f.init for f in fields(cls)):
        raise TypeError(f"{cls.__qualname__}: a holder's fields are all parameters")
    names = tuple(f.name for f in fields(cls))
    positional = tuple(f.name for f in fields(cls) if not f.kw_only)
    known = frozenset(names)
    filled: dict[str, tuple[bool, Any]] = {}  # name -> (a factory, its default)
    for f in fields(cls):
        if f.default is not MISSING:
            filled[f.name] = (False, f.default)
        elif f.default_factory is not MISSING:
            filled[f.name] = (True, f.default_factory)
    title = cls.__qualname__

    def __init__(self: object, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        if len(args) > len(positional):
            raise TypeError(f"{title}() takes {len(positional)} positional arguments")
        given = dict(zip(positional, args, strict=False))
        for name in kwargs:
            if name in given or name not in known:
                raise TypeError(f"{title}() got an unexpected or repeated argument {name!r}")
        given.update(kwargs)
        for name in names:
            if name in given:
                value = given[name]
            elif name in filled:
                factory, default = filled[name]
                value = default() if factory else default
            else:
                raise TypeError(f"{title}() missing required argument {name!r}")
            object.__setattr__(self, name, value)

    __init__.__qualname__ = f"{title}.__init__"
    return __init__


def _repr(self: object) -> str:
    """As dataclass writes it: Class(field=value, ...)."""
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))  # type: ignore[arg-type]
    return f"{type(self).__qualname__}({shown})"
