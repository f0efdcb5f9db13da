"""`@holder` and `@value_class`: dataclasses made without compiling their methods.

Python 3.11's dataclass writes each class' methods out as source and compiles them at
import (`__init__`, `__repr__`, `__eq__`, `__hash__`, the frozen guards, the order
methods): 0.3-2 ms a class, and the ~80 classes a 10,000-role analysis imports took
about a third of our own import time. Both decorators let dataclass collect the
fields (so `fields`, `replace`, `asdict` and slots work as ever) and give the class
methods made from those fields instead, the same for every class; type checkers see
the dataclass they stand for (PEP 681).

- `@holder`: a frozen dataclass compared by identity (`eq=False`), frozen for the
  type checker only (mypy, which CI runs, rejects an assignment to a field as it would
  for `frozen=True`); `@holder(frozen=False)` for one whose fields are reassigned. Most
  of ours hold arrays (columns, plans, factors).
- `@value_class`: a dataclass compared and hashed by its fields, frozen at run time as
  dataclass's (an assignment raises `FrozenInstanceError`), `order=True` for `<`;
  `@value_class(frozen=False)` is `@dataclass`: compared by its fields, unhashable.

The `__init__` they share takes the fields as dataclass's does (positionally in order
but for keyword-only ones, by name, defaults and default factories filled in; every
field a parameter, `field(init=False)` is refused) at a few microseconds a call: a
class made per role or per finding (findings, client results) stays a dataclass.
`inspect.signature` gives a class' fields as dataclass's would. Dataclass itself sees
the class as one without methods of its own (`__dataclass_params__`: not frozen, no
`__eq__`): a `@dataclass` subclass of a frozen one is refused, as dataclass refuses a
frozen dataclass on a plain one; subclass it with the same decorator.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


@overload
def holder(cls: type[T], /) -> type[T]: ...


@overload
def holder(
    *, slots: bool = False, kw_only: bool = False, frozen: bool = True
) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(eq_default=False, frozen_default=True, field_specifiers=(field, Field))
def holder(
    cls: type[T] | None = None,
    /,
    *,
    slots: bool = False,
    kw_only: bool = False,
    frozen: bool = True,
) -> type[T] | Callable[[type[T]], type[T]]:
    """`@dataclass(frozen=True, eq=False)` as the type checker sees it (`frozen=False`:
    `@dataclass(eq=False)`); at run time the same class without the frozen guards
    (`slots`, `kw_only` as dataclass's), compared by identity."""

    def make(cls: type[T]) -> type[T]:
        made = _collected(cls, slots, kw_only)
        _set(made, __init__=_init_of(made), __repr__=_repr, __signature__=_SIGNATURE)
        return made

    return make if cls is None else make(cls)


@overload
def value_class(cls: type[T], /) -> type[T]: ...


@overload
def value_class(
    *, slots: bool = False, kw_only: bool = False, frozen: bool = True, order: bool = False
) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(eq_default=True, frozen_default=True, field_specifiers=(field, Field))
def value_class(
    cls: type[T] | None = None,
    /,
    *,
    slots: bool = False,
    kw_only: bool = False,
    frozen: bool = True,
    order: bool = False,
) -> type[T] | Callable[[type[T]], type[T]]:
    """`@dataclass(frozen=True)` (`order`, `slots`, `kw_only`, `frozen` as dataclass's),
    its methods made from its fields: compared as the tuples of its compared fields
    (only with one of the same class), hashed as dataclass hashes (frozen: by those
    fields; not frozen: unhashable)."""

    def make(cls: type[T]) -> type[T]:
        made = _collected(cls, slots, kw_only)
        key = _key([f.name for f in _fields(made) if f.compare])
        _set(made, __init__=_init_of(made), __repr__=_repr, __signature__=_SIGNATURE)
        _set(made, __eq__=_compare(key, operator.eq))
        if frozen:
            hashed = _key([f.name for f in _fields(made) if _hashed(f)])
            _set(made, __hash__=lambda self: hash(hashed(self)), **_guards(made, slots))
        else:
            _set(made, __hash__=None)
        if order:
            _set(made, **{name: _compare(key, test) for name, test in _ORDER.items()})
        return made

    return make if cls is None else make(cls)


def _collected(cls: type[T], slots: bool, kw_only: bool) -> type[T]:
    """The class with its fields collected by dataclass and no method compiled. A class
    without a docstring is given its name and fields as one: dataclass would write its
    signature, and `inspect.signature` costs a run ~7 ms the first time (it compiles
    tokenize's patterns)."""
    if not cls.__dict__.get("__doc__"):
        cls.__doc__ = f"{cls.__name__}({', '.join(inspect.get_annotations(cls))})"
    return dataclass(init=False, repr=False, eq=False, slots=slots, kw_only=kw_only)(cls)


def _fields(cls: type) -> tuple[Field[Any], ...]:
    """dataclasses.fields of a class the decorators made (typed for any class: mypy
    does not know their `type[T]` for a dataclass)."""
    return fields(cls)


def _hashed(f: Field[Any]) -> bool:
    """Is the field in the hash (dataclass's rule: `hash`, else `compare`)."""
    return f.compare if f.hash is None else f.hash


def _set(cls: type, **methods: Any) -> None:
    for name, method in methods.items():
        setattr(cls, name, method)


def _key(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of those fields of an object (attrgetter makes one from two names up)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if names:
        only = names[0]
        return lambda self: (getattr(self, only),)
    return lambda self: ()


def _compare(
    key: Callable[[Any], tuple[Any, ...]], test: Callable[[Any, Any], bool]
) -> Callable[[Any, Any], Any]:
    def compared(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return test(key(self), key(other))
        return NotImplemented

    return compared


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "__lt__": operator.lt,
    "__le__": operator.le,
    "__gt__": operator.gt,
    "__ge__": operator.ge,
}


def _guards(cls: type, slots: bool) -> dict[str, Any]:
    """dataclass's frozen guards, and (slots: no `__dict__` to restore) the state a copy
    or a pickle restores past them."""
    ordered = [f.name for f in _fields(cls)]
    names = frozenset(ordered)

    def __setattr__(self: object, name: str, value: object) -> None:  # noqa: N807
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self: object, name: str) -> None:  # noqa: N807
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    guards: dict[str, Any] = {"__setattr__": __setattr__, "__delattr__": __delattr__}
    if slots:
        everything = _key(ordered)

        def __getstate__(self: object) -> tuple[Any, ...]:  # noqa: N807
            return everything(self)

        def __setstate__(self: object, state: tuple[Any, ...]) -> None:  # noqa: N807
            for name, item in zip(ordered, state, strict=True):
                object.__setattr__(self, name, item)

        guards |= {"__getstate__": __getstate__, "__setstate__": __setstate__}
    return guards


def _init_of(cls: type) -> Callable[..., None]:
    """An `__init__` taking the class' fields as dataclass's does (positionally in order
    but for keyword-only ones, by name, defaults and default factories filled in)."""
    if any(not f.init for f in _fields(cls)):
        raise TypeError(f"{cls.__qualname__}: every field is a parameter here")
    names = tuple(f.name for f in _fields(cls))
    positional = tuple(f.name for f in _fields(cls) if not f.kw_only)
    known = frozenset(names)
    filled: dict[str, tuple[bool, Any]] = {}  # name -> (a factory, its default)
    for f in _fields(cls):
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


class _Signature:
    """The class' signature as dataclass's `__init__` gives it (its fields, their types and
    defaults, `<factory>` for a default factory), made when `inspect.signature` asks for
    it: our `__init__` takes `*args, **kwargs`."""

    def __get__(self, instance: object, owner: type) -> inspect.Signature:
        if instance is not None:  # (an instance has none of its own)
            raise AttributeError("__signature__")
        parameters = [
            inspect.Parameter(
                f.name,
                inspect.Parameter.KEYWORD_ONLY
                if f.kw_only
                else inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=_default_shown(f),
                annotation=f.type,
            )
            for f in _fields(owner)
        ]
        return inspect.Signature(parameters, return_annotation=None)


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


_SIGNATURE, _FACTORY = _Signature(), _Factory()


def _default_shown(f: Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    return inspect.Parameter.empty if f.default_factory is MISSING else _FACTORY


def _repr(self: object) -> str:
    """As dataclass writes it: Class(field=value, ...), the fields it shows."""
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in _fields(type(self)) if f.repr)
    return f"{type(self).__qualname__}({shown})"
