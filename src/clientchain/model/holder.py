"""`@holder`: a frozen dataclass compared by identity, frozen for the type checker only.

Most of our dataclasses hold arrays (columns, plans, factors) and compare by identity
(`eq=False`). Made `frozen=True`, each costs Python 3.11 two more generated methods
(`__setattr__`, `__delattr__`), compiled at import: 0.3 ms a class, 11 ms of every
start with the 40 that a 10,000-role analysis imports (a 0.25 s run). `holder` makes
the same class without them and tells type checkers it is frozen (PEP 681's
`frozen_default`): mypy, which CI runs, rejects an assignment to a field as it would
for `frozen=True`. Equality and hashing are by identity either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, dataclass_transform, overload

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
    same class without the frozen guards (`slots`, `kw_only` as dataclass's)."""
    make = dataclass(eq=False, slots=slots, kw_only=kw_only)
    return make if cls is None else make(cls)
