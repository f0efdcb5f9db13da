"""Where each key of a TOML document is written: tomllib gives values, never positions,
and a problem with a setting must point at its line.

`key_positions` scans text that tomllib has already accepted (so it is valid TOML) and
maps every key path to the (line, column) where it is first written: table headers
(`[tool.clientchain.analyze]`), dotted keys (`tool.clientchain.decay = 0.5`), quoted
keys (`"fail-on"`), keys of inline tables, and the items of arrays (the path ends with
the item's index). Strings (basic, literal, multi-line) are skipped whole, so a line
inside a string is never taken for a key. One pass, no recursion: nesting is a stack.
"""

from __future__ import annotations

import re
from bisect import bisect_right

KeyPath = tuple[str | int, ...]  # keys, and the index of an array's item

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = re.compile(r"[,\]}\n#]")


def key_positions(text: str) -> dict[KeyPath, tuple[int, int]]:
    """Each key path (and array item) of valid TOML `text` -> its 1-based (line, column)."""
    scanner = _Scanner(text)
    scanner.document()
    return scanner.found


def position_of(found: dict[KeyPath, tuple[int, int]], path: KeyPath) -> tuple[int, int]:
    """Where `path` is written, or the longest written part of it; (0, 0) when none is."""
    for end in range(len(path), 0, -1):
        if path[:end] in found:
            return found[path[:end]]
    return (0, 0)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.found: dict[KeyPath, tuple[int, int]] = {}
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def note(self, path: KeyPath, at: int) -> None:
        if path not in self.found:
            line = bisect_right(self.line_starts, at)
            self.found[path] = (line, at - self.line_starts[line - 1] + 1)

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip(newlines=True)
            if self.i >= self.n:
                return
            start = self.i
            if self.text[self.i] == "[":
                self.i += 2 if self.text.startswith("[[", self.i) else 1
                table = self.keys(())
                self.i = self.text.find("\n", self.i)  # past `]` and any comment
                if self.i < 0:
                    return
            else:
                path = self.keys(table)
                self.skip()
                self.i += 1  # `=`
                self.value(path)
            if self.i <= start:  # never stuck, whatever the text
                self.i = start + 1

    def keys(self, prefix: KeyPath) -> KeyPath:
        """A dotted key at the cursor; each part noted under `prefix`."""
        path = prefix
        while self.i < self.n:
            self.skip()
            start = self.i
            path = (*path, self.key_part())
            self.note(path, start)
            self.skip()
            if self.i < self.n and self.text[self.i] == ".":
                self.i += 1
                continue
            break
        return path

    def key_part(self) -> str:
        text, i = self.text, self.i
        if i < self.n and text[i] in "\"'":
            end = self.string_end(i)
            self.i = end
            if text[i] == "'":
                return text[i + 1 : end - 1]
            import tomllib  # read only when there is a file

            return next(iter(tomllib.loads(f"{text[i:end]} = 0")))  # escapes, exactly
        j = i
        while j < self.n and text[j] in _BARE:
            j += 1
        self.i = max(j, i + 1)
        return text[i:j]

    def value(self, path: KeyPath) -> None:
        """Skip the value at the cursor, noting the keys of inline tables and the items of
        arrays under `path`. Frames: [is_array, path of the container, items so far]."""
        stack: list[tuple[bool, KeyPath, list[int]]] = []
        expecting = True
        while self.i < self.n:
            self.skip(newlines=bool(stack))
            if self.i >= self.n:
                return
            char = self.text[self.i]
            if expecting:
                if char == "[":
                    self.i += 1
                    stack.append((True, path, [0]))
                    self.skip(newlines=True)
                    if self.i < self.n and self.text[self.i] != "]":
                        path = (*path, 0)
                        self.note(path, self.i)
                        continue
                elif char == "{":
                    self.i += 1
                    stack.append((False, path, [0]))
                    self.skip(newlines=True)
                    if self.i < self.n and self.text[self.i] != "}":
                        path = self.keys(path)
                        self.skip()
                        self.i += 1  # `=`
                        continue
                else:
                    self.scalar()
                expecting = False
                continue
            if not stack:
                return
            is_array, container, items = stack[-1]
            self.i += 1
            if char in "]}":
                stack.pop()
                continue
            if char != ",":
                continue  # not in valid TOML: move on
            self.skip(newlines=True)
            if self.i < self.n and self.text[self.i] in "]}":
                continue  # a trailing comma
            if is_array:
                items[0] += 1
                path = (*container, items[0])
                self.note(path, self.i)
            else:
                path = self.keys(container)
                self.skip()
                self.i += 1  # `=`
            expecting = True

    def scalar(self) -> None:
        if self.text[self.i] in "\"'":
            self.i = self.string_end(self.i)
            return
        found = _SCALAR_END.search(self.text, self.i)
        self.i = self.n if found is None else max(found.start(), self.i + 1)

    def string_end(self, i: int) -> int:
        """The offset just past the string that starts at `i`."""
        text, quote = self.text, self.text[i]
        if text.startswith(quote * 3, i):
            j = i + 3
            while j < self.n:
                if quote == '"' and text[j] == "\\":
                    j += 2
                elif text.startswith(quote * 3, j):
                    end = j + 3
                    while end < self.n and end - j < 5 and text[end] == quote:
                        end += 1  # up to two quotes of the content just before the end
                    return end
                else:
                    j += 1
            return self.n
        j = i + 1
        while j < self.n and text[j] != quote and text[j] != "\n":
            j += 2 if quote == '"' and text[j] == "\\" else 1
        return min(j + 1, self.n)

    def skip(self, newlines: bool = False) -> None:
        """Past spaces and tabs; with `newlines`, past line ends and comments too."""
        text, n = self.text, self.n
        while self.i < n:
            char = text[self.i]
            if char in " \t" or (newlines and char in "\r\n"):
                self.i += 1
            elif newlines and char == "#":
                end = text.find("\n", self.i)
                self.i = n if end < 0 else end
            else:
                return
