"""Baseline entries, and the same entries as the node numbers of the ids they name.

A baseline of a million entries (a budget-funded body, every reporting line inverted)
held as a million tuples of strings was ~250 MB on top of the analysis, through the
whole run. Read against the org chart it belongs to, it is kept as columns instead:
each entry's code (an index into the few codes), the node of its role, boss and client,
and its line; the ids themselves are the org chart's, read back from it when an entry
is asked for. An entry that names an id the org chart does not have keeps its strings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple, overload

import numpy as np

from clientchain.ci.baseline_format import SUBJECT
from clientchain.loading.fast.id_lookup import NOT_FOUND, IdIndex
from clientchain.model.findings import NO_SUBJECT
from clientchain.model.org import IntArray, Org

NOT_NAMED = NO_SUBJECT  # the entry names no such subject ('' in its key)
UNKNOWN = -2  # an id the org chart does not have: it matches no finding
_CHUNK = 65_536  # entries made at a time when iterated


class Entry(NamedTuple):
    """One accepted finding: its key, and where the entry stands in the baseline file (a
    tuple: a baseline of a million entries is read in a few seconds)."""

    code: str
    role: str
    boss: str
    client: str
    line: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.code, self.role, self.boss, self.client)


class IdLookup:
    """The node number of each id a subject names: a role's for role and boss, a
    client's for client (as policy_rows reads ignore entries). Role ids still in bytes
    are hashed from their bytes: no string per role is made (`Org.role_index` would
    make, and keep, a million)."""

    def __init__(self, org: Org) -> None:
        self.roles = org.role_count
        column = org.text_column("role_ids")
        if column is None or column.null is not None:
            self.role_index = IdIndex.of_texts(org.role_ids)
        else:
            self.role_index = IdIndex(column.buf, column.start, column.end)
        self.client_index = IdIndex.of_texts(org.client_ids)

    def nodes(self, subjects: Sequence[tuple[str, str, str]]) -> list[IntArray]:
        """Per field (role, boss, client): each subject's node, NOT_NAMED for '' and
        UNKNOWN for an id the org chart does not have."""
        return self.columns_nodes([[s[k] for s in subjects] for k in range(len(SUBJECT))])

    def columns_nodes(self, columns: list[list[str]]) -> list[IntArray]:
        """`nodes`, given the role, boss and client columns."""
        out = []
        for texts, name in zip(columns, SUBJECT, strict=True):
            index, first = (
                (self.client_index, self.roles) if name == "client" else (self.role_index, 0)
            )
            nodes = np.full(len(texts), NOT_NAMED, dtype=np.int64)
            named = np.flatnonzero(np.fromiter(map(bool, texts), dtype=bool, count=len(texts)))
            found = _find(index, [texts[i] for i in named.tolist()])
            nodes[named] = np.where(found == NOT_FOUND, UNKNOWN, found + first)
            out.append(nodes)
        return out


def _find(index: IdIndex, texts: list[str]) -> IntArray:
    """IdIndex.find_texts, with a text that is no UTF-8 (a lone surrogate, which a
    baseline can spell as an escape) found nowhere."""
    try:
        return index.find_texts(texts)
    except UnicodeEncodeError:
        found = np.full(len(texts), NOT_FOUND, dtype=np.int64)
        fine = [i for i, text in enumerate(texts) if _encodes(text)]
        if fine:
            found[fine] = index.find_texts([texts[i] for i in fine])
        return found


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class NodeEntries(Sequence[Entry]):
    """Entries (in file order) kept as the node numbers of the ids they name in `org`;
    each `Entry` is made again, the same, when read."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.lookup = IdLookup(org)  # the org's ids hashed once: the matching uses it too
        self.codes: list[str] = []
        self._code_of: dict[str, int] = {}
        self._parts: list[tuple[IntArray, IntArray, IntArray, IntArray, IntArray]] = []
        self.unknown: dict[int, Entry] = {}  # by index: entries naming an id not in the org
        self._size = 0

    @classmethod
    def of(cls, org: Org, entries: Sequence[Entry]) -> NodeEntries:
        """These entries, as nodes of `org`."""
        out = cls(org)
        for lo in range(0, len(entries), _CHUNK):
            out.add(entries[lo : lo + _CHUNK])
        return out

    def add(self, entries: Sequence[Entry]) -> None:
        """Append these entries (the file's next ones)."""
        if not entries:
            return
        code, role, boss, client, line = (list(column) for column in zip(*entries, strict=True))
        self._append(code, role, boss, client, np.asarray(line, dtype=np.int64))

    def add_columns(
        self, code: list[str], role: list[str], boss: list[str], client: list[str], first: int
    ) -> None:
        """Append the file's next entries, given as columns ('' where none is named),
        on consecutive lines from `first`: no Entry is made but for an id not found."""
        self._append(code, role, boss, client, np.arange(first, first + len(code)))

    def _append(
        self, code: list[str], role: list[str], boss: list[str], client: list[str], line: IntArray
    ) -> None:
        nodes = self.lookup.columns_nodes([role, boss, client])
        number = self._code_of
        codes = np.asarray([number.setdefault(c, len(number)) for c in code], dtype=np.int64)
        self.codes.extend(list(number)[len(self.codes) :])
        unknown = (nodes[0] == UNKNOWN) | (nodes[1] == UNKNOWN) | (nodes[2] == UNKNOWN)
        for i in np.flatnonzero(unknown).tolist():
            self.unknown[self._size + i] = Entry(code[i], role[i], boss[i], client[i], int(line[i]))
        self._parts.append((codes, nodes[0], nodes[1], nodes[2], line))
        self._size += len(code)

    def columns(self) -> tuple[IntArray, list[IntArray], IntArray]:
        """(code index, [role, boss, client] nodes, line) of every entry."""
        if not self._parts:
            none = np.zeros(0, dtype=np.int64)
            return none, [none, none, none], none
        if len(self._parts) > 1:
            joined = [np.concatenate(column) for column in zip(*self._parts, strict=True)]
            self._parts = [(joined[0], joined[1], joined[2], joined[3], joined[4])]
        code, role, boss, client, line = self._parts[0]
        return code, [role, boss, client], line

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        if isinstance(index, slice):
            return self.take(np.arange(self._size)[index])
        if not -self._size <= index < self._size:
            raise IndexError("baseline entry index out of range")
        return self.take(np.asarray([index % self._size]))[0]

    def __iter__(self) -> Iterator[Entry]:
        for lo in range(0, self._size, _CHUNK):
            yield from self.take(np.arange(lo, min(lo + _CHUNK, self._size)))

    def take(self, at: IntArray) -> list[Entry]:
        """The entries at these indices, made."""
        code, nodes, line = self.columns()
        names = []
        for column in nodes:
            picked = column[at]
            named = picked >= 0
            ids = self.org.node_ids(picked[named].tolist())
            texts = np.full(at.size, "", dtype=object)
            texts[named] = ids
            names.append(texts.tolist())
        codes = [self.codes[c] for c in code[at].tolist()]
        made = list(map(Entry, codes, *names, line[at].tolist()))
        for k, i in enumerate(at.tolist()):
            if i in self.unknown:
                made[k] = self.unknown[i]
        return made
