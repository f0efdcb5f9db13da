"""`--config PATH` and `--isolated`, and the values a command runs with: an option given
on the command line, else the command's table of the configuration file, else its
top-level key, else the option's default (the file and its keys: loading.config).

Light on purpose: every command imports this at start-up (no numpy, rich or yaml).
"""

from __future__ import annotations

import inspect
import sys
import typing
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientchain.loading.config import Config, Setting, load_config
from clientchain.model.policy import Policy, with_ignored_rules
from clientchain.model.problems import InputError, Problem, did_you_mean
from clientchain.model.visible import visible

if TYPE_CHECKING:  # typer carries its own click
    from typer._click.core import Parameter

__all__ = [
    "ConfigOpt",
    "IsolatedOpt",
    "Settings",
    "check_config",
    "config_line",
    "configured",
    "say_config",
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
# Options whose flag is not the key's own (`limit`: --max-rows until --limit exists).
_FLAGS = {"limit": ("--limit", "--max-rows")}
# Where a value came from (click's ParameterSource): anything but a default is given.
_GIVEN = frozenset({"COMMANDLINE", "ENVIRONMENT", "PROMPT"})


@dataclass(frozen=True, slots=True)
class Settings:
    """What a command runs with: `values` by parameter name (as passed to `configured`),
    the rule codes the configuration ignores, and the configuration they came from."""

    values: dict[str, Any]
    ignore: tuple[str, ...]
    config: Config

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def policy(self, policy: Policy) -> Policy:
        """`policy` that also ignores the configuration's rule codes (itself when none)."""
        shown = f" ({self.config.shown})" if self.config.shown else ""
        return with_ignored_rules(policy, self.ignore, f"ignored by the configuration{shown}")


def configured(
    ctx: typer.Context, org: Path | str, config: Path | None, isolated: bool, **values: Any
) -> Settings:
    """The values to use for the options named in `values` (parameter name -> the value
    the command received), the configuration's over the defaults; or every problem of
    the configuration on stderr and exit 2."""
    try:
        return _configured(ctx, org, config, isolated, values)
    except InputError as exc:
        from clientchain.cli.options import fail_input

        fail_input(exc)


def check_config(org: Path | str, config: Path | None, isolated: bool) -> Config:
    """The configuration a run on `org` would read, checked: InputError with its problems
    when it is bad (`validate` reports them with the org chart's)."""
    if isolated and config is not None:
        raise typer.BadParameter("cannot be used with --config", param_hint="--isolated")
    return load_config(org, config, isolated)


def config_line(settings: Settings) -> str:
    """The line `-v` writes on stderr: which configuration file the run used."""
    config = settings.config
    if config.path is not None:
        return f"clientchain: configuration: {visible(config.shown)}"
    if config.searched_from is not None:
        return f"clientchain: configuration: none at or above {visible(str(config.searched_from))}"
    return "clientchain: configuration: none (--isolated)"


def _configured(
    ctx: typer.Context, org: Path | str, path: Path | None, isolated: bool, values: dict[str, Any]
) -> Settings:
    config = check_config(org, path, isolated)
    command = ctx.command.name or ""
    chosen = values.copy()
    if config.path is None:
        return Settings(chosen, (), config)
    settings = config.settings(command)
    kinds = _enum_types(ctx, values)
    problems: list[Problem] = []
    for key, setting in settings.items():
        if key == "ignore":
            continue
        params = _params_for(ctx, key)
        param = next((p for p in params if p.name in values), None)
        if param is None or param.name is None:
            continue  # an option the command does not have yet, or does not ask for
        if any(_given(ctx, p) for p in params):
            continue  # on the command line (under any of its names): it wins
        try:
            chosen[param.name] = _value(ctx, param, setting, kinds.get(param.name))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    ignore = settings.get("ignore")
    codes = typing.cast(tuple[str, ...], ignore.value) if ignore is not None else ()
    return Settings(chosen, codes, config)


def _params_for(ctx: typer.Context, key: str) -> list[Parameter]:
    """The command's options for `key` (`limit`: --limit and its old name --max-rows)."""
    flags = _FLAGS.get(key, (f"--{key}",))
    return [p for flag in flags for p in ctx.command.params if flag in p.opts]


def _given(ctx: typer.Context, param: Parameter) -> bool:
    source = ctx.get_parameter_source(param.name) if param.name else None
    return source is not None and source.name in _GIVEN


def _value(ctx: typer.Context, param: Parameter, setting: Setting, kind: type | None) -> Any:
    """The setting as the option would have read it from the command line."""
    value = setting.value
    known = getattr(param.type, "choices", None)  # a choice of words (click's Choice)
    if known is not None:
        choices = [str(getattr(c, "value", c)) for c in known]
        text = str(value)
        same_case = getattr(param.type, "case_sensitive", True)
        fold = (lambda s: s) if same_case else str.casefold
        match = next((c for c in choices if fold(c) == fold(text)), None)
        if match is None:
            command = ctx.command.name
            said = f"{command} has no {setting.key} '{text}' (one of: {', '.join(choices)})"
            said += did_you_mean(text, choices)
            raise InputError([Problem(setting.position, said)])
        value = match
    else:
        try:
            value = param.type.convert(value, param, ctx)
        except typer.BadParameter as exc:
            message = f"{setting.key}: {exc.message}"
            raise InputError([Problem(setting.position, message)]) from None
    return kind(value) if kind is not None else value


def _enum_types(ctx: typer.Context, values: dict[str, Any]) -> dict[str, type]:
    """The Enum each parameter of the command's function is declared as (typer hands the
    function enum members, click only their texts); else the type of an Enum received."""
    kinds: dict[str, type] = {n: type(v) for n, v in values.items() if isinstance(v, Enum)}
    function = ctx.command.callback
    try:
        hints = typing.get_type_hints(inspect.unwrap(function)) if function else {}
    except (NameError, TypeError):  # annotations only for type checkers: the values decide
        return kinds
    for name, hint in hints.items():
        for each in (hint, *typing.get_args(hint)):
            if isinstance(each, type) and issubclass(each, Enum):
                kinds[name] = each
    return kinds


def say_config(settings: Settings) -> None:
    """`-v`: which configuration file the run used, on stderr."""
    sys.stderr.write(config_line(settings) + "\n")
