"""The configuration file: settings a project writes once instead of in every command.

Where it is found (as ruff finds its own): from the org chart's directory upwards (the
current directory when the org chart is standard input, `-`), in each directory
`.clientchain.toml` first, then `pyproject.toml` if it has a `[tool.clientchain]`
table; the first found is the only one read. `--config PATH` reads that file only (a
pyproject.toml: its `[tool.clientchain]`; any other name: keys at the top level), and
`--isolated` reads none.

```toml
# .clientchain.toml (in pyproject.toml the same under [tool.clientchain])
decay = 0.5                 # how much closeness each hand-over keeps, 0 < decay < 1
top-clients = 5             # clients listed per role (0 = all)
fail-on = "warning"         # error | warning | never: replaces the policy's fail_on
format = "table"            # the command's --format
ignore = ["CC102"]          # rule codes ignored everywhere (never reported unused)
sort = "alienation"         # the table's --sort
limit = 20                  # the table's --limit (0 = all)

[analyze]                   # [tool.clientchain.analyze] in pyproject.toml
format = "github"           # for `clientchain analyze` only
```

Keys are kebab-case. A top-level key applies to every command that has the option
(COMMAND_KEYS) and is passed over by the others; a command's table (`analyze`, `diff`,
`chain`, `report`, `validate`) overrides it for that command, and names only keys that
command has. The command line wins over both. Every problem is a `FILE:LINE:COL`
problem: one that stops the file being read (it cannot be read, is not a regular file,
is too big, is not UTF-8 or not TOML, a pyproject.toml named by --config has no table)
is raised at once as an InputError; the others (unknown keys with a did-you-mean, wrong
types, values out of range, unknown rule codes) are collected in `Config.problems`, at
their key or list item, so that the command line adds the problems of the values its
options judge (a format, a sort order: cli.config) and reports them all in one pass.
The file is never written.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from clientchain.loading.keys import unknown_key
from clientchain.model.findings import RULE_BY_CODE, About
from clientchain.model.holder import value_class
from clientchain.model.problems import InputError, Position, Problem, did_you_mean

if TYPE_CHECKING:
    import tomllib

    from clientchain.loading.toml_keys import KeyPath

__all__ = [
    "COMMAND_KEYS",
    "KEYS",
    "NO_CONFIG",
    "Config",
    "Setting",
    "find_config",
    "load_config",
    "read_config",
]

DOT_FILE = ".clientchain.toml"
PYPROJECT = "pyproject.toml"
STDIN = "-"
MAX_BYTES = 1 << 20  # a configuration is a few lines; more is a mistake or an attack

KEYS = ("decay", "top-clients", "fail-on", "format", "ignore", "sort", "limit")
# The keys each command takes: the options it has (and `ignore`, for those that report
# findings). tests/test_config.py holds this to the commands' real options.
COMMAND_KEYS: dict[str, tuple[str, ...]] = {
    "analyze": KEYS,
    "diff": ("decay", "fail-on", "format", "ignore"),
    "chain": ("decay", "format"),
    "report": ("decay", "top-clients", "ignore"),
    "validate": (),
}
# Compiled by re (and cached there) on the first error: most runs read no broken TOML.
_TOML_POSITION = (
    r"^(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$"
)
_TOO_DEEP = 100  # brackets open at once past which tomllib's recursion gives up


@value_class(slots=True)
class Setting:
    """One key's value as the file writes it, and where."""

    key: str
    value: object
    position: Position


@value_class(slots=True)
class Config:
    """The settings read (none: `path` None). `top`: the top-level keys; `commands`: the
    keys of each command's table; `problems`: those of the keys (a bad key has no
    setting)."""

    path: Path | None = None
    shown: str = ""  # the path as problems name it
    searched_from: Path | None = None  # where discovery started (None: --config, --isolated)
    top: Mapping[str, Setting] = field(default_factory=dict)
    commands: Mapping[str, Mapping[str, Setting]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def settings(self, command: str) -> dict[str, Setting]:
        """The settings `command` uses: its table's over the top-level keys it has."""
        keys = COMMAND_KEYS[command]
        chosen = {key: s for key, s in self.top.items() if key in keys}
        chosen.update(self.commands.get(command, {}))
        return chosen


NO_CONFIG = Config()


def load_config(org: Path | str, config: Path | None, isolated: bool) -> Config:
    """The configuration a command run on `org` uses (see the module's docstring)."""
    if isolated:
        return NO_CONFIG
    if config is not None:
        return read_config(config, shown=str(config), explicit=True)
    try:
        start = Path.cwd() if str(org) == STDIN else Path(org).absolute().parent
    except OSError:  # the current directory is gone: nowhere to search from
        return NO_CONFIG
    found = find_config(start)
    if found is None:
        return Config(searched_from=start)
    path, data = found
    return _parse(path, _shown(path), data, pyproject=path.name == PYPROJECT, start=start)


def find_config(start: Path) -> tuple[Path, bytes] | None:
    """The nearest configuration file at or above `start`, with its bytes."""
    for directory in (start, *start.parents):
        dot = directory / DOT_FILE
        if _is_file(dot):
            return dot, _read(dot, _shown(dot))
        pyproject = directory / PYPROJECT
        if _is_file(pyproject):
            data = _read(pyproject, _shown(pyproject))
            # Only a pyproject.toml that mentions us is parsed: a broken one of another
            # project must not stop a run.
            if b"clientchain" in data and _has_our_table(pyproject, data):
                return pyproject, data
    return None


def read_config(path: Path, shown: str, *, explicit: bool = False) -> Config:
    """The settings of the file at `path` (shown as `shown` in problems): a
    pyproject.toml's `[tool.clientchain]` (`explicit`: named by --config, so a missing
    table is a problem), any other file's top level."""
    pyproject = path.name == PYPROJECT
    data = _read(path, shown)
    if explicit and pyproject and not _has_our_table(path, data, shown):
        raise InputError([Problem(_whole(shown), "no [tool.clientchain] table to read")])
    return _parse(path, shown, data, pyproject=pyproject, start=None)


def _shown(path: Path) -> str:
    """A found file as the user knows it: relative to the current directory when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def _is_file(path: Path) -> bool:
    """A file there; a directory we may not search, or a name the OS cannot take, holds none."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _whole(shown: str) -> Position:
    """Where a problem of the whole file stands: its first line (an editor jumps there)."""
    return Position(shown, 1, 1)


def _read(path: Path, shown: str) -> bytes:
    """The file's bytes. Only a regular file is read: opened without waiting (a FIFO
    with no writer would block the run for ever), then looked at before any read (a
    device such as /dev/tty would wait for a keyboard, /dev/zero never ends)."""
    where = Position(shown)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        what = _not_regular(os.fstat(descriptor).st_mode)
        if what:
            os.close(descriptor)
            said = f"is {what}, not a configuration file (name a regular file)"
            raise InputError([Problem(where, said)])
        os.set_blocking(descriptor, True)
        with os.fdopen(descriptor, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise InputError([Problem(where, f"cannot read the configuration: {why}")]) from None
    except ValueError:  # a NUL in the name: the OS cannot be asked
        raise InputError([Problem(where, "a file name cannot hold a NUL character")]) from None
    if len(data) > MAX_BYTES:
        said = f"a configuration of more than {MAX_BYTES:,} bytes is not read"
        raise InputError([Problem(_whole(shown), said)])
    return data


def _not_regular(mode: int) -> str:
    """What a file that is not a regular file is, in words ('' for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _has_our_table(path: Path, data: bytes, shown: str | None = None) -> bool:
    shown = shown or _shown(path)
    document = _toml(_text(data, shown), shown)
    tool = document.get("tool")
    return isinstance(tool, dict) and "clientchain" in tool


def _toml(text: str, shown: str) -> dict[str, object]:
    """The document, or its syntax problem at tomllib's own position."""
    import tomllib  # here: `--help` reads no file

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = _toml_error(exc, text)
        raise InputError([Problem(Position(shown, line, column), message)]) from None
    except RecursionError:
        line, column = _too_deep(text)
        raise InputError(
            [Problem(Position(shown, line, column), "not valid TOML: nested too deeply")]
        ) from None


def _text(data: bytes, shown: str) -> str:
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte order mark, as some editors write
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        where = Position(shown, line, column)
        byte = data[exc.start]
        raise InputError([Problem(where, f"not UTF-8 text (byte 0x{byte:02x})")]) from None


def _toml_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[str, int, int]:
    """tomllib's message (lower-cased as ours are) and its position."""
    said = str(exc)
    found = re.match(_TOML_POSITION, said, re.S)
    message = found.group("message") if found else said
    if found and found.group("line"):
        line, column = int(found.group("line")), int(found.group("column"))
    else:  # at the end of the document
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    return f"not valid TOML: {message[:1].lower()}{message[1:]}", line, column


def _too_deep(text: str) -> tuple[int, int]:
    """Where brackets first nest past _TOO_DEEP (strings are not told apart: a guess for
    a message, at worst the first line)."""
    depth = 0
    for offset, char in enumerate(text):
        depth += char in "[{"
        depth -= char in "]}"
        if depth > _TOO_DEEP:
            line_start = text.rfind("\n", 0, offset) + 1
            return text.count("\n", 0, offset) + 1, offset - line_start + 1
    return 1, 1


def _parse(path: Path, shown: str, data: bytes, *, pyproject: bool, start: Path | None) -> Config:
    # Where each key is written: needed once a file is read, and most runs read none.
    from clientchain.loading.toml_keys import key_positions

    text = _text(data, shown)
    document = _toml(text, shown)
    reader = _Reader(shown, key_positions(text), ("tool", "clientchain") if pyproject else ())
    root: object = document
    for part in reader.prefix:
        root = root.get(part) if isinstance(root, dict) else None
    top: dict[str, Setting] = {}
    commands: dict[str, dict[str, Setting]] = {}
    if root is None:
        pass  # a pyproject.toml found without our table is never read
    elif not isinstance(root, dict):
        reader.problem((), f"{reader.table(())} must be a table, found {_kind(root)}")
    else:
        for key, value in root.items():
            if key in COMMAND_KEYS:
                commands[key] = reader.command(key, value)
            elif key in KEYS:
                if (setting := reader.setting((), key, value)) is not None:
                    top[key] = setting
            else:
                hint = did_you_mean(key, (*KEYS, *COMMAND_KEYS))
                reader.problem((key,), f"{unknown_key(key, reader.where(()))}{hint}")
    tables = {k: v for k, v in commands.items() if v}
    return Config(path, shown, start, top, tables, tuple(sorted(reader.problems)))


class _Reader:
    """Validation of one file's settings, every problem at its key."""

    def __init__(
        self,
        shown: str,
        positions: dict[KeyPath, tuple[int, int]],
        prefix: tuple[str, ...],
    ) -> None:
        self.shown = shown
        self.positions = positions
        self.prefix = prefix
        self.problems: list[Problem] = []

    def table(self, path: tuple[str, ...]) -> str:
        """A table as the file names it: `[tool.clientchain.analyze]`; '' for the top level."""
        full = (*self.prefix, *path)
        return f"[{'.'.join(full)}]" if full else ""

    def where(self, path: tuple[str, ...]) -> str:
        """Where a key stands, for messages: `in [analyze]`, `at the top level`."""
        table = self.table(path)
        return f"in {table}" if table else "at the top level"

    def position(self, path: KeyPath) -> Position:
        from clientchain.loading.toml_keys import position_of  # loaded by _parse already

        line, column = position_of(self.positions, (*self.prefix, *path))
        return Position(self.shown, line or 1, column or 1)  # never written: the first line

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(self.position(path), message))

    def command(self, command: str, value: object) -> dict[str, Setting]:
        if not isinstance(value, dict):
            table = self.table((command,))
            self.problem((command,), f"{command} must be a table ({table}), found {_kind(value)}")
            return {}
        settings: dict[str, Setting] = {}
        takes = COMMAND_KEYS[command]
        for key, each in value.items():
            if key in takes:
                if (setting := self.setting((command,), key, each)) is not None:
                    settings[key] = setting
                continue
            where = self.where((command,))
            if key in KEYS:
                self.problem((command, key), f"{unknown_key(key, where)}: {command} has no --{key}")
            else:
                self.problem((command, key), f"{unknown_key(key, where)}{did_you_mean(key, takes)}")
        return settings

    def setting(self, table: tuple[str, ...], key: str, value: object) -> Setting | None:
        path = (*table, key)
        why = _CHECKS[key](value)
        if isinstance(why, str):
            self.problem(path, f"{key} {why}")
            return None
        if key == "ignore":
            assert isinstance(value, list)  # checked: a list
            bad = 0
            for i, code in enumerate(value):
                why = _not_ignorable(code)
                if why:
                    bad += 1
                    self.problem((*path, i), why)
            if bad:
                return None
            value = tuple(value)
        return Setting(key, value, self.position(path))


def _kind(value: object) -> str:
    """A TOML value's kind, for messages."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return f"{value!r}"
    if isinstance(value, str):
        return f"'{value}' (a text)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"{value} (a date or time)"


def _ratio(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        return f"must be a number between 0 and 1 (exclusive), found {_kind(value)}"
    return None


def _count(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return f"must be a whole number from 0 up (0 = all), found {_kind(value)}"
    return None


def _word(value: object) -> str | None:
    return None if isinstance(value, str) else f"must be a text, found {_kind(value)}"


def _codes(value: object) -> str | None:
    """A list (each item is checked at its own position: `_not_ignorable`)."""
    if isinstance(value, list):
        return None
    return f'must be a list of rule codes, e.g. ["CC102"], found {_kind(value)}'


_CHECKS = {
    "decay": _ratio,
    "top-clients": _count,
    "limit": _count,
    "fail-on": _word,
    "format": _word,
    "sort": _word,
    "ignore": _codes,
}


def _not_ignorable(code: object) -> str:
    """Why the item `code` of an ignore list cannot be ignored, or '' when it can."""
    if not isinstance(code, str):
        return f'ignore takes rule codes in quotes, e.g. "CC102", found {_kind(code)}'
    rule = RULE_BY_CODE.get(code)
    if rule is None:
        return f"cannot ignore '{code}': not a finding code{_code_hint(code)}"
    if rule.about is About.POLICY:
        return f"cannot ignore '{code}': about the policy itself"
    return ""


# Characters a code is mistyped with: a letter O for a zero, I or l for a one.
_DIGIT_SLIPS = str.maketrans("OoIiLl", "001111")


def _code_hint(code: str) -> str:
    """A did-you-mean for a rule code: as ids are (`cc102`), else the code with letters
    typed for digits put right (`CC1O2`: a letter O; the digits rule of ids forbids it)."""
    hint = did_you_mean(code, RULE_BY_CODE)
    if hint:
        return hint
    upper = code.strip().upper()
    guess = upper[:2] + upper[2:].translate(_DIGIT_SLIPS)
    return f" (did you mean '{guess}'?)" if guess in RULE_BY_CODE else ""
