"""The slips the fast reader words itself: references that name no id (or the wrong
kind of id) in `reports_to`, `dotted_to`, `serves`, `owner` and flow rows, roles
reporting to themselves, reporting cycles, dotted lines along the hierarchy or both
ways, and headcounts that are no number.

A big org chart with one mistyped boss used to go to the precise reader to be worded:
a minute and three gigabytes at a million roles, for one line of output. These are the
mistakes people make by hand, and the fast reader has found them already; it words
them here, at the precise reader's positions, through the same wording
(`loading/reference_problems`), and only when every check that failed is one of
these (any other problem still goes to the precise reader, which words them all).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import numpy as np

from clientchain.loading.fast.byte_columns import strip_padding
from clientchain.loading.fast.flat_csv import FlatCsv
from clientchain.loading.fast.flat_yaml import Column
from clientchain.loading.flow_table import FlowTable
from clientchain.loading.reference_problems import (
    KnownIds,
    Link,
    Misnamed,
    Payee,
    along_problem,
    boss_problem,
    both_ways_problem,
    cycle_problem,
    duplicate_problem,
    flow_problem,
    link_problem,
    self_report_problem,
)
from clientchain.model.org import IntArray
from clientchain.model.problems import Position, Problem
from clientchain.model.texts import TextColumn

_NEWLINE = 10


class ByteLines:
    """The line and column (in characters, as the precise reader counts them) of a byte
    offset in a file's UTF-8 bytes, whose only line break is `\\n` (the fast reader's
    files: flat YAML has no other, and a plain CSV's `\\r` comes before one)."""

    def __init__(self, file: str, data: bytes) -> None:
        self.file, self.data = file, data

    @cached_property
    def _breaks(self) -> IntArray:
        return np.flatnonzero(np.frombuffer(self.data, dtype=np.uint8) == _NEWLINE)

    def position(self, offset: int) -> Position:
        """Where byte `offset` is; UnicodeDecodeError if its line before it is not UTF-8."""
        line = int(np.searchsorted(self._breaks, offset))  # the line breaks before it
        start = int(self._breaks[line - 1]) + 1 if line else 0
        column = len(self.data[start:offset].decode("utf-8")) + 1
        return Position(self.file, line + 1, column)


def text_at(buf: np.ndarray, start: int, end: int) -> str:
    """The UTF-8 text at buf[start:end) (UnicodeDecodeError if it is not UTF-8)."""
    text: str = buf[start:end].tobytes().decode("utf-8")
    return text


class SlipWords:
    """Problems found by the fast reader, worded as the precise reader words them."""

    def __init__(self, lines: ByteLines, role_ids: TextColumn, client_ids: TextColumn) -> None:
        self.lines = lines
        self.role_ids = role_ids
        self.problems: list[Problem] = []
        self.known = KnownIds(lambda: _all_texts(role_ids), lambda: _all_texts(client_ids))

    def duplicates(self, first: IntArray, role_ids: Column, client_ids: Column | None) -> None:
        """Ids given more than once (`first`: per node, roles then clients, the first node
        with its id): each after the first read, clients before roles as the precise
        reader reads them, where it is written."""
        roles = role_ids.count
        twice = np.flatnonzero(np.bincount(first, minlength=first.size)[first] > 1)
        seen: dict[int, Position] = {}  # per id (its first node): where it was read first
        for node in [*twice[twice >= roles].tolist(), *twice[twice < roles].tolist()]:
            column, item = (role_ids, node) if node < roles else (client_ids, node - roles)
            assert column is not None
            where = self._written_at(column, item)
            met = seen.setdefault(int(first[node]), where)
            if met is not where:
                rid = text_at(column.buf, int(column.start[item]), int(column.end[item]))
                self.problems.append(duplicate_problem(where, rid, met.line))

    def bosses(self, column: Column, items: IntArray, boss: IntArray) -> None:
        """`reports_to` of `items` (their column: where each is written), each naming a
        `boss` that is unknown (<0), a client or the role itself."""
        # Each item's place among those written in the column.
        written = np.searchsorted(column.items, items)
        for k, i in enumerate(written.tolist()):
            name = text_at(column.buf, int(column.start[i]), int(column.end[i]))
            where = self._written_at(column, i)
            if boss[k] == items[k]:
                self.problems.append(self_report_problem(where, name))
            else:
                self.problems.append(boss_problem(where, name, bool(boss[k] >= 0), self.known))

    def cycles(self, loops: list[list[int]], column: Column) -> None:
        """Each reporting cycle, where its first role's `reports_to` is written."""
        for loop in loops:
            where = self._written_at(column, int(np.searchsorted(column.items, loop[0])))
            names = self.role_ids.pick(np.asarray(loop, dtype=np.int64))
            self.problems.append(cycle_problem(where, [str(name) for name in names]))

    def links(
        self, key: Link, column: Column, places: IntArray, node: IntArray, roles: int
    ) -> None:
        """Values of `key` (at `places` in its column) each naming a `node` it may not:
        no id (<0), a client (a node from `roles` on) where a role is due, or else the
        role itself."""
        for i, n in zip(places.tolist(), node.tolist(), strict=True):
            named: Misnamed = "unknown" if n < 0 else "client" if n >= roles else "itself"
            name = text_at(column.buf, int(column.start[i]), int(column.end[i]))
            self.problems.append(
                link_problem(key, self._written_at(column, i), name, named, self.known)
            )

    def along(self, column: Column, places: IntArray, above: np.ndarray, role: IntArray) -> None:
        """Dotted lines (at `places` in the `dotted_to` column) of each `role` to a solid
        boss above it (`above`) or to one of its reports."""
        names = self.role_ids.pick(role)
        for i, up, name in zip(places.tolist(), above.tolist(), names, strict=True):
            boss = text_at(column.buf, int(column.start[i]), int(column.end[i]))
            where = self._written_at(column, i)
            self.problems.append(along_problem(where, boss, "above" if up else "below", str(name)))

    def both_ways(self, column: Column, places: IntArray, boss: IntArray, role: IntArray) -> None:
        """Dotted lines (at `places` in the `dotted_to` column) from `role` to a `boss`
        whose own dotted line, written before, runs back to `role`."""
        bosses, names = self.role_ids.pick(boss), self.role_ids.pick(role)
        for i, up, name in zip(places.tolist(), bosses, names, strict=True):
            where = self._written_at(column, i)
            self.problems.append(both_ways_problem(where, str(up), str(name)))

    def values(self, column: Column, places: IntArray, whys: list[str]) -> None:
        """Values (at `places` in their column) that are not what their key wants."""
        for i, why in zip(places.tolist(), whys, strict=True):
            self.problems.append(Problem(self._written_at(column, i), why))

    def keys(self, column: Column, places: IntArray, message: str) -> None:
        """The key of the column's values at `places` (one that is not what it seems to
        mean), where each is written: after its line's indentation and a list's dash."""
        data = self.lines.data
        for i in places.tolist():
            value = int(column.start[i]) - int(column.written_quoted[i])
            line = data.rfind(b"\n", 0, value) + 1
            key = line + len(data[line:value]) - len(data[line:value].lstrip(b" -"))
            self.problems.append(Problem(self.lines.position(key), message))

    def top_key(self, name: str, message: str) -> None:
        """A top-level key (flat: at the start of its line, and written once)."""
        data, key = self.lines.data, name.encode("utf-8") + b":"
        start = 0 if data.startswith(key) else data.find(b"\n" + key) + 1
        self.problems.append(Problem(self.lines.position(start), message))

    def _written_at(self, column: Column, i: int) -> Position:
        """Where the column's i-th value is written (a quoted one: at its opening quote,
        as the precise reader's node starts)."""
        return self.lines.position(int(column.start[i]) - int(column.written_quoted[i]))

    def csv_flows(
        self,
        table: FlatCsv,
        columns: tuple[int, int],
        rows: IntArray,
        payer: IntArray,
        payee: IntArray,
        roles: int,
    ) -> None:
        """Flow `rows` of a plain CSV naming an unknown payer, a payee that is no role, or
        their payer as payee (see wrongly_named). UnicodeDecodeError when a cell to quote
        is not UTF-8 (the precise reader says where)."""
        lines = ByteLines(table.file, table.data)
        starts = [table.start(column) for column in columns]
        stops = [table.stop(column) for column in columns]
        written = [table.written_start(column) for column in columns]
        for row in rows.tolist():
            cells = [(int(s[row]), int(e[row])) for s, e in zip(starts, stops, strict=True)]
            # The ids as the precise reader trims them (spaces around), for the message.
            src, dst = (
                text_at(table.buf, *_stripped(table.buf, start, end)) for start, end in cells
            )

            def at(name: str, row: int = row) -> Position:
                return lines.position(int(written[0 if name == "from" else 1][row]))

            self._flow(src, dst, int(payer[row]), int(payee[row]), roles, at)

    def yaml_flows(
        self, payers: Column, payees: Column, rows: IntArray, payer: IntArray, payee: IntArray
    ) -> None:
        """Flow `rows` of the org chart's own list (their `from` and `to` columns, a value
        per row) named wrongly (see wrongly_named), each where the precise reader puts it."""
        roles = self.role_ids.start.size
        for row in rows.tolist():
            src, dst = (
                text_at(c.buf, int(c.start[row]), int(c.end[row])) for c in (payers, payees)
            )

            def at(name: str, row: int = row) -> Position:
                return self._written_at(payers if name == "from" else payees, row)

            self._flow(src, dst, int(payer[row]), int(payee[row]), roles, at)

    def csv_cells(self, table: FlatCsv, column: int, rows: IntArray, whys: list[str]) -> None:
        """Cells of a plain CSV's `column` (in `rows`) that are not what it wants."""
        lines = ByteLines(table.file, table.data)
        written = table.written_start(column)
        for row, why in zip(rows.tolist(), whys, strict=True):
            self.problems.append(Problem(lines.position(int(written[row])), why))

    def table_flows(
        self, table: FlowTable, rows: IntArray, payer: IntArray, payee: IntArray, roles: int
    ) -> None:
        """Flow `rows` of a table the precise reader read (its positions), named wrongly."""
        for row in rows.tolist():

            def at(name: str, row: int = row) -> Position:
                return table.position(row, name)

            src, dst = table.payer[row], table.payee[row]
            self._flow(src, dst, int(payer[row]), int(payee[row]), roles, at)

    def _flow(
        self, src: str, dst: str, i: int, j: int, roles: int, at: Callable[[str], Position]
    ) -> None:
        payee: Payee = "unknown" if j < 0 else "client" if j >= roles else "role"
        self.problems.append(flow_problem(src, dst, i >= 0, payee, at, self.known))


def wrongly_named(payer: IntArray, payee: IntArray, roles: int) -> IntArray:
    """Flow rows naming an unknown payer or payee (-1), a client as payee (clients are
    nodes past the roles: they may pay, never be paid), or one id as both."""
    return np.flatnonzero((payer < 0) | (payee < 0) | (payee >= roles) | (payer == payee))


def _stripped(buf: np.ndarray, start: int, end: int) -> tuple[int, int]:
    s, e = strip_padding(buf, np.array([start]), np.array([end]))
    return int(s[0]), int(e[0])


def _all_texts(column: TextColumn) -> list[str]:
    return [str(text) for text in column.decode()]
