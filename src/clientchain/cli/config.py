"""`--config PATH` and `--isolated`, and the values a command runs with: an option given
on the command line, else the command's table of the configuration file, else its
top-level key, else the option's default (the file and its keys: loading.config).

A value is judged as the option judges it on the command line (a format, a sort order,
a fail-on level, in any case). The whole file is checked on every run, against every
command's options, so a command reports every problem of the file at once, the same
ones whichever command reads it (and `validate` too):

- a key in a command's table must be a value of that command's option;
- a top-level key applies to each command whose option takes its value; a command
  whose option does not (`format = "github"` for chain) keeps its default, and `-v`
  says so; a value that no command's option takes is a problem.

Light on purpose: every command imports this at start-up (no numpy, rich or yaml).
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

import typer

from clientchain.loading.config import COMMAND_KEYS, Config, Setting, load_config
from clientchain.model.holder import value_class
from clientchain.model.policy import Policy, with_ignored_rules
from clientchain.model.problems import InputError, Problem, did_you_mean
from clientchain.model.visible import visible

if TYPE_CHECKING:  # typer carries its own click
    from _typeshed import DataclassInstance
    from typer._click.core import Command, Parameter

__all__ = [
    "ConfigOpt",
    "ConfigVerboseOpt",
    "IsolatedOpt",
    "Settings",
    "check_config",
    "configured",
    "say_config",
    "verbose_lines",
]

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="PATH",
        help="Read the settings from this file only: a .clientchain.toml, or a"
        " pyproject.toml's [tool.clientchain] [default: the nearest such file at or above"
        " the org chart's directory].",
        show_default=False,
    ),
]
IsolatedOpt = Annotated[
    bool, typer.Option("--isolated", help="Read no configuration file (options and defaults only).")
]
# -v of the commands that say nothing more than the configuration they read.
ConfigVerboseOpt = Annotated[
    bool,
    typer.Option(
        "-v",
        "--verbose",
        help="Say on stderr which configuration file was read and the settings taken from it.",
    ),
]
# Options whose flag is not the key's own (`limit`: --max-rows until --limit exists).
_FLAGS = {"limit": ("--limit", "--max-rows")}
# Where a value came from (click's ParameterSource): anything but a default is given.
_GIVEN = frozenset({"COMMANDLINE", "ENVIRONMENT", "PROMPT"})

# The options a configuration may set for a command: a dataclass whose fields are the
# command's parameter names, declared with their types (enums as the command's own).
Values = TypeVar("Values", bound="DataclassInstance")


@value_class(slots=True)
class Settings(Generic[Values]):
    """What a command runs with: `values` (the command line's, else the configuration's,
    else the defaults), the rule codes the configuration ignores, the configuration they
    came from, and for -v the settings it used and the top-level ones it passed over."""

    values: Values
    ignore: tuple[str, ...]
    config: Config
    used: tuple[Setting, ...] = ()
    passed_over: tuple[str, ...] = ()

    @property
    def config_file(self) -> Path | None:
        """The configuration file read, as the user knows it (an input: never written)."""
        return Path(self.config.shown) if self.config.path is not None else None

    def policy(self, policy: Policy) -> Policy:
        """`policy` that also ignores the configuration's rule codes (itself when none)."""
        shown = f" ({self.config.shown})" if self.config.shown else ""
        return with_ignored_rules(policy, self.ignore, f"ignored by the configuration{shown}")


def configured(
    ctx: typer.Context, org: Path | str, config: Path | None, isolated: bool, values: Values
) -> Settings[Values]:
    """The values to use for the options in `values` (the dataclass of what the command
    received, by parameter name), the configuration's over the defaults; or every problem
    of the configuration on stderr and exit 2."""
    try:
        return _configured(ctx, org, config, isolated, values)
    except InputError as exc:
        from clientchain.cli.options import fail_input

        fail_input(exc)


def check_config(
    ctx: typer.Context, org: Path | str, config: Path | None, isolated: bool
) -> Config:
    """The configuration a run on `org` would read, checked against every command's
    options: InputError with all its problems when it is bad (`validate` reports them
    with the org chart's)."""
    if isolated and config is not None:
        raise typer.BadParameter("cannot be used with --config", param_hint="--isolated")
    found = load_config(org, config, isolated)
    if found.path is not None:
        _Checker(ctx, found).check()
    return found


def verbose_lines(settings: Settings[Values], command: str) -> list[str]:
    """What `-v` says of the configuration: the file, the settings taken from it, and
    the top-level ones the command passed over."""
    config = settings.config
    if config.path is None:
        if config.searched_from is not None:
            where = visible(str(config.searched_from))
            return [f"clientchain: configuration: none at or above {where}"]
        return ["clientchain: configuration: none (--isolated)"]
    used = ", ".join(f"{s.key} {_written(s.value)}" for s in settings.used)
    line = f"clientchain: settings from {visible(config.shown)}: {used or f'none {command} uses'}"
    return [line, *(f"clientchain: {note}" for note in settings.passed_over)]


def say_config(settings: Settings[Values], command: str) -> None:
    """`-v`: the configuration the run used, on stderr."""
    sys.stderr.write("".join(line + "\n" for line in verbose_lines(settings, command)))


def _written(value: object) -> str:
    """A setting's value as the file writes it, shown on one line."""
    if isinstance(value, tuple):  # ignore's codes
        return " ".join(visible(str(v)) for v in value)
    return visible(str(value))


def _configured(
    ctx: typer.Context, org: Path | str, path: Path | None, isolated: bool, values: Values
) -> Settings[Values]:
    config = check_config(ctx, org, path, isolated)
    if config.path is None:
        return Settings(values, (), config)
    command = ctx.command.name or ""
    received = {f.name: getattr(values, f.name) for f in dataclasses.fields(values)}
    kinds = _enum_types(type(values))
    chosen: dict[str, object] = {}
    used: list[Setting] = []
    passed_over: list[str] = []
    for key, setting in _settings_of(config, command):
        if key == "ignore":
            used.append(setting)
            continue
        params = _params_for(ctx.command, key)
        param = next((p for p in params if p.name in received), None)
        if param is None or param.name is None or any(_given(ctx, p) for p in params):
            continue  # not asked for; or on the command line (under any name): it wins
        try:
            value = _value(ctx.command, param, setting, ctx)
        except InputError:  # a top-level value for other commands (a table's is checked)
            default = received[param.name]
            shown = "" if default is None else f", {getattr(default, 'value', default)}"
            passed_over.append(
                f"{command} has no {key} '{visible(str(setting.value))}'"
                f" ({setting.position}): it keeps its default{shown}"
            )
            continue
        kind = kinds.get(param.name)
        chosen[param.name] = kind(value) if kind is not None else value
        used.append(setting)
    ignore = config.settings(command).get("ignore")
    codes = typing.cast(tuple[str, ...], ignore.value) if ignore is not None else ()
    return Settings(
        dataclasses.replace(values, **chosen), codes, config, tuple(used), tuple(passed_over)
    )


def _settings_of(config: Config, command: str) -> list[tuple[str, Setting]]:
    """The settings `command` reads, its table's over the top-level ones (in the file's
    order: top level first)."""
    own = config.commands.get(command, {})
    top = [(k, s) for k, s in config.top.items() if k in COMMAND_KEYS[command] and k not in own]
    return [*top, *own.items()]


class _Checker:
    """Every setting of the file judged by the options of the commands that read it."""

    def __init__(self, ctx: typer.Context, config: Config) -> None:
        self.ctx = ctx
        self.config = config
        self.commands = _commands(ctx)

    def check(self) -> None:
        problems = list(self.config.problems)
        for command, cmd in self.commands.items():
            for key, setting in self.config.commands.get(command, {}).items():
                problems.extend(_problems(cmd, key, setting, self.ctx))
        for key, setting in self.config.top.items():
            problems.extend(self._top_problems(key, setting))
        if problems:
            raise InputError(problems)

    def _top_problems(self, key: str, setting: Setting) -> list[Problem]:
        """A top-level value is a problem when no command with the option takes it."""
        readers = {c: cmd for c, cmd in self.commands.items() if key in COMMAND_KEYS.get(c, ())}
        found = {c: _problems(cmd, key, setting, self.ctx) for c, cmd in readers.items()}
        if not found or any(not problems for problems in found.values()):
            return []  # some command takes it: the others keep their defaults
        if len(found) == 1:
            return next(iter(found.values()))
        choices = list(dict.fromkeys(c for cmd in readers.values() for c in _choices(cmd, key)))
        if not choices:
            return next(iter(found.values()))
        text = str(setting.value)
        said = f"no command has {key} '{text}' (one of: {', '.join(choices)})"
        return [Problem(setting.position, said + did_you_mean(text, choices))]


def _problems(command: Command, key: str, setting: Setting, ctx: typer.Context) -> list[Problem]:
    """Why `command` cannot take the setting (none when it can, or has no such option)."""
    params = _params_for(command, key)
    if not params:
        return []
    try:
        _value(command, params[0], setting, ctx)
    except InputError as exc:
        return list(exc.problems)
    return []


def _commands(ctx: typer.Context) -> dict[str, Command]:
    """The commands that read the configuration, by name (the running one at least)."""
    root = ctx.find_root().command
    every: Mapping[str, Command] = getattr(root, "commands", {})
    found = {name: every[name] for name in COMMAND_KEYS if name in every}
    if ctx.command.name in COMMAND_KEYS:
        found[ctx.command.name] = ctx.command
    return found


def _params_for(command: Command, key: str) -> list[Parameter]:
    """The command's options for `key` (`limit`: --limit and its old name --max-rows)."""
    flags = _FLAGS.get(key, (f"--{key}",))
    return [p for flag in flags for p in command.params if flag in p.opts]


def _choices(command: Command, key: str) -> list[str]:
    params = _params_for(command, key)
    known = getattr(params[0].type, "choices", None) if params else None
    return [str(getattr(c, "value", c)) for c in known or ()]


def _given(ctx: typer.Context, param: Parameter) -> bool:
    source = ctx.get_parameter_source(param.name) if param.name else None
    return source is not None and source.name in _GIVEN


def _value(command: Command, param: Parameter, setting: Setting, ctx: typer.Context) -> object:
    """The setting as the option would have read it from the command line."""
    value = setting.value
    choices = _choices(command, setting.key)
    if choices:  # a choice of words (click's Choice), in any case where the option is
        text = str(value)
        same_case = getattr(param.type, "case_sensitive", True)
        fold = (lambda s: s) if same_case else str.casefold
        match = next((c for c in choices if fold(c) == fold(text)), None)
        if match is None:
            said = f"{command.name} has no {setting.key} '{text}' (one of: {', '.join(choices)})"
            raise InputError([Problem(setting.position, said + did_you_mean(text, choices))])
        return match
    try:
        converted: object = param.type.convert(value, param, ctx)
    except typer.BadParameter as exc:
        raise InputError([Problem(setting.position, f"{setting.key}: {exc.message}")]) from None
    return converted


def _enum_types(values: type) -> dict[str, type[Enum]]:
    """The Enum each field of the values' dataclass is declared as (click gives the texts;
    the command works with the members)."""
    kinds: dict[str, type[Enum]] = {}
    for name, hint in typing.get_type_hints(values).items():
        for each in (hint, *typing.get_args(hint)):
            if isinstance(each, type) and issubclass(each, Enum):
                kinds[name] = each
    return kinds
