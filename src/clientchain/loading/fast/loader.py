"""The fast path for big, clean inputs: flat YAML and plain CSV straight into an `Org`.

`load` tries this first. It reads only what it can read exactly (see flat_yaml for
the YAML it accepts, flat_csv for the CSV) and checks the same rules as the
precise path. A slip in a reference or a headcount (an id given twice, an unknown
id in `reports_to`, `dotted_to`, `serves`, `owner` or a flow, a reporting cycle, a
dotted line along the hierarchy, a headcount that is no number: see slips.py) it
words itself, as the precise path would, when every other check passes, and so a
misspelt key, a bad policy and what the precise CSV reader found in a flows file; the
moment anything else is off (a misspelt `roles` or `id`, a bad amount in a YAML flow
list, a file it cannot read) it answers None, and the precise path loads the input again and
reports every problem with its position. For an input both
paths accept they build the same `Org`, and for one they refuse they word the
same problems (tests/test_fastload.py compares them).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from clientchain.graph.distinct import member, sorted_distinct
from clientchain.graph.hierarchy import build_forest, cycles
from clientchain.loading import keys
from clientchain.loading.fast.byte_columns import (
    plain_decimals,
    strip_for_lookup,
)
from clientchain.loading.fast.flat_amounts import read_amounts
from clientchain.loading.fast.flat_csv import (
    FlatCsv,
    header_bounds,
    header_delimiter,
    read_flat_csv,
    spreadsheet_dialect,
)
from clientchain.loading.fast.flat_yaml import (
    Column,
    FlatDocument,
    FlatList,
    NotFlatError,
    PolicyLineError,
    one_document,
    read_flat,
    with_lf,
)
from clientchain.loading.fast.id_lookup import IdIndex
from clientchain.loading.fast.json_document import is_json_document, read_json_document
from clientchain.loading.fast.slips import ByteLines, SlipWords, wrongly_named
from clientchain.loading.fast.tables_ahead import tables_ahead
from clientchain.loading.fast.yaml_flows import YamlFlows, flows_file, yaml_rows
from clientchain.loading.flow_table import (
    REQUIRED,
    YAML_SUFFIXES,
    FlowTable,
    flows_file_key,
    misspelt_columns,
    read_csv_bytes,
    read_yaml_list,
)
from clientchain.loading.input_file import is_regular, read_file
from clientchain.loading.keys import CLIENT_KEYS, ROLE_KEYS, Keys
from clientchain.loading.policy import read_policy_section, take_policy_section
from clientchain.loading.reference_problems import Link
from clientchain.loading.scalars import (
    MAX_HEADCOUNT,
    NULLS,
    headcount_problem,
    headcount_value,
)
from clientchain.loading.spreadsheet import byte_order_mark
from clientchain.loading.stdin import STDIN_NAME, is_stdin, stdin_bytes, stdin_file_key
from clientchain.model.forking import usable_cores
from clientchain.model.holder import value_class
from clientchain.model.org import (
    NO_OWNER,
    NO_PARENT,
    FloatArray,
    IntArray,
    Links,
    Org,
    index_type,
)
from clientchain.model.phases import note, phase
from clientchain.model.policy import NO_POLICY, Policy
from clientchain.model.problems import InputError, Problem
from clientchain.model.texts import LateColumns, TextColumn, distinct_texts

_NONE = np.zeros(0, dtype=np.int64)
_SLICE = 1 << 18  # bytes of lines decoded at a time, only to check them: the str stays in cache
# From this many flow rows the payers and the payees are looked up at once (a thread's
# start is ~0.1 ms; at 100k rows the two look-ups take ~15 ms).
_BOTH_AT_ONCE_ROWS = 100_000
_LISTS_OF_IDS = ("dotted_to", "serves")  # a role's keys that may name a list of ids


class _RefusedError(Exception):
    """The fast path cannot vouch for this input: load it the precise way. `why` is set
    when the input is fine but beyond the fast path (worth a note), not for a problem
    (the precise path will report that)."""

    def __init__(self, why: str = "") -> None:
        super().__init__(why)
        self.why = why


def _need(condition: object, why: str = "") -> None:
    if not condition:
        raise _RefusedError(why)


@value_class(frozen=False)
class _Flows:
    """Resolved flow rows: node indices, amounts, decimals and metadata columns."""

    payer: list[IntArray] = field(default_factory=list)
    payee: list[IntArray] = field(default_factory=list)
    amount: list[FloatArray] = field(default_factory=list)
    decimals: int = 0
    # Per table: its metadata columns (bytes of a CSV, or texts) and its rows.
    extra: list[tuple[Mapping[str, TextColumn | Sequence[str | None]], int]] = field(
        default_factory=list
    )
    files: list[str] = field(default_factory=list)
    metadata: bool = True  # keep the metadata columns (see Dialect.metadata)

    def add_extra(
        self, columns: Mapping[str, TextColumn | Sequence[str | None]], rows: int
    ) -> None:
        """Metadata columns of `rows` new rows."""
        if self.metadata:
            self.extra.append((columns, rows))

    def extra_columns(self) -> LateColumns:
        """Each metadata column over all rows (None where a table lacks it); a column of
        one CSV table stays bytes until someone reads it (only graph exports do)."""
        tables = [(columns, rows) for columns, rows in self.extra if rows]
        if len(tables) <= 1:
            return LateColumns(tables[0][0] if tables else {})
        names = list(dict.fromkeys(name for columns, _ in tables for name in columns))
        joined: dict[str, TextColumn | tuple[str | None, ...]] = {}
        for name in names:
            values: list[str | None] = []
            for columns, rows in tables:
                column = columns.get(name)
                if column is None:
                    values.extend([None] * rows)
                else:
                    values.extend(column.decode() if isinstance(column, TextColumn) else column)
            joined[name] = tuple(values)
        return LateColumns(joined)


def fast_load(
    data: bytes,
    text: str | None,
    source: str,
    flows: Iterable[str | os.PathLike[str]],
    base: Path,
    own_flows: bool = True,
    *,
    metadata: bool = True,
    written_out: bool = False,
) -> Org | None:
    """The `Org` in `data` (`text`: the same decoded, if it already is; else its UTF-8 is
    checked here) and its flows; InputError with the slips in its references when
    nothing else is wrong (see slips.py); or None to load it precisely (`own_flows=False`:
    without the flows file the org chart names; `metadata=False`: without the flows'
    metadata columns; `written_out`: `data` is a JSON document with its escapes written
    out, json_document.escapes_written_out's)."""
    try:
        with phase("parse"):
            data = data.removeprefix(b"\xef\xbb\xbf")
            _need(text is not None or valid_utf8(data))  # else the precise path says where
            named = [(Path(path), is_stdin(path)) for path in flows]
            with tables_ahead(_read_table, data, base, named, own_flows) as ahead:
                document, policy = _document(data, text, source, written_out)
                inline = document.lists.get("flows")  # (its rows: a list of mappings)
                flows_path = None if inline is not None else _scalar(document, "flows")
                own = None if flows_path is None or not own_flows else base / flows_path
                _need(own is None or is_regular(own))  # else the precise reader says why
                tables: list[_Table] = list(ahead.tables(own))
                if inline is not None and own_flows:
                    tables.insert(0, YamlFlows(inline, source))
        with phase("build"):
            return _org(document, source, tables, policy, metadata)
    except NotFlatError as exc:
        where = f"{source}:{exc.line}" if exc.line else source
        note(f"{where}: {exc.why}: read by the precise reader, which takes longer")
        return None
    except _RefusedError as exc:
        if exc.why:
            note(f"{exc.why}: read by the precise reader, which takes longer")
        else:  # a problem, or a shape the fast reader leaves: a big input's wait gets a word
            note(
                f"{source}: read by the precise reader, which takes longer"
                " (a problem to report, or a shape the fast reader leaves to it)"
            )
        return None


class _PolicyBlock(NamedTuple):
    """The policy block as read on its own, with its problems; `written`: there was one."""

    policy: Policy = NO_POLICY
    problems: tuple[Problem, ...] = ()
    written: bool = False


def _document(
    data: bytes, text: str | None, source: str, written_out: bool = False
) -> tuple[FlatDocument, _PolicyBlock]:
    """The flat document, and the policy block, which is not flat: when a line starts
    with `policy`, its section is cut out (left as blank lines) and read on its own, if
    the cut is exact (see `take_policy_section`); the flat reader refuses any `policy`
    key left in what it reads. Windows' line breaks are read as LF from the start, as the
    flat reader reads them: the cut is made on LF lines. (`written_out`: see fast_load.)"""
    # (and the document's markers as empty lines, so the cut sees none: see one_document)
    lf = one_document(with_lf(data))
    if lf is not data:
        data, text = lf, None
    if is_json_document(data):  # (a policy in it is nested: the precise reader's)
        return read_json_document(data, written_out), _PolicyBlock()
    try:
        return read_flat(data, policy_lines=False, markers=False), _PolicyBlock()
    except PolicyLineError:
        pass
    cut = take_policy_section(data.decode("utf-8") if text is None else text)
    _need(
        cut is not None,
        f"{source}: a policy block in a shape (or with line breaks) the fast reader cannot cut out",
    )
    assert cut is not None
    rest, section = cut
    if not section:  # a line starting with `policy` but not the key (`policyx: 1`)
        return read_flat(data, markers=False), _PolicyBlock()
    problems: list[Problem] = []  # (worded with any others once the rest is checked)
    try:
        policy = read_policy_section(section, source, problems)
    except InputError:  # not YAML: the precise reader says so, alone
        raise _RefusedError from None
    document = read_flat(rest.encode("utf-8"), markers=False)
    return document, _PolicyBlock(policy, tuple(problems), written=True)


def valid_utf8(data: bytes) -> bool:
    """`data` decodes as UTF-8: checked a slice of lines at a time, so that no str of
    the whole file is held."""
    if data.isascii():
        return True
    view = memoryview(data)
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + _SLICE)
        end = len(data) if end < 0 else end + 1
        try:
            codecs.utf_8_decode(view[start:end], "strict", True)
        except UnicodeDecodeError:
            return False
        start = end
    return True


def _scalar(document: FlatDocument, key: str) -> str | None:
    _need(key not in document.lists, f"'{key}' is a list")
    text, quoted = document.scalars.get(key, ("", False))
    return None if not quoted and text in NULLS else text


def _org(
    document: FlatDocument,
    source: str,
    tables: list[_Table],
    policy: _PolicyBlock,
    metadata: bool = True,
) -> Org:
    # The policy is read on its own (loading cuts its section out); one left here would
    # be dropped, so it is the precise path's.
    top = [*document.scalars, *document.lists, *document.nulls]
    _need("policy" not in top)
    roles = document.lists.get("roles")
    _need(roles is not None)
    assert roles is not None
    clients = document.lists.get("clients")
    _need("clients" not in document.scalars)
    _need(_lists_only_of_ids(document))
    # (a list where text is due is the precise path's: checked before any slip is worded)
    name, currency = _scalar(document, "org"), _scalar(document, "currency")
    buf = np.frombuffer(document.data, dtype=np.uint8)
    role_ids = _ids(roles, buf)
    client_ids = _ids(clients, buf) if clients else TextColumn(buf, _NONE, _NONE)
    starts, ends = np.r_[role_ids.start, client_ids.start], np.r_[role_ids.end, client_ids.end]
    ids = IdIndex(buf, starts, ends)
    slips = SlipWords(ByteLines(source, document.data), role_ids, client_ids)
    slips.problems.extend(policy.problems)
    _misspelt_top_keys(top, ["policy"] if policy.written else [], slips)
    _misspelt_keys(roles, keys.ROLE, slips)
    if clients is not None:
        _misspelt_keys(clients, keys.CLIENT, slips)
    if ids.has_duplicates():  # worded; each id then names its first, as for the precise path
        slips.duplicates(
            ids.first_of_equals(buf, starts, ends),
            roles.columns["id"],
            clients.columns["id"] if clients else None,
        )
    del starts, ends
    resolved = _resolve_flows(tables, ids, len(role_ids), slips, metadata)
    tables.clear()  # read: their bytes and cell ranges can go (the caller keeps no other)
    parent, acyclic = _parents(roles, ids, document, slips)
    dotted = _dotted(roles, ids, parent, acyclic, slips)
    serves = _serves(roles, ids, slips)
    client_owner = _owners(clients, ids, len(role_ids), slips)
    del ids  # (a hundred megabytes at a million roles) before the packed columns are made
    headcount = _headcounts(roles, slips)
    if slips.problems:  # every other check passed: these are all the problems there are
        # (In a file read with its escapes written out, a column after an escape is not the
        # file's, nor a place in one read with its flow mappings in block style: the
        # precise reader words them where they are.)
        _need(not document.unescaped and not document.restyled)
        raise InputError(slips.problems)
    # Text columns are packed into buffers of their own: the Org then holds none of the
    # file's bytes (keys, spaces, numbers), and each column's bytes go once it is decoded.
    return Org(
        source=source,
        name=name,
        currency=currency,
        role_ids=role_ids.packed(),
        role_titles=_texts(roles, "title", buf).packed(),
        role_departments=_texts(roles, "department", buf).packed(),
        role_lines=roles.lines.astype(np.int64),
        parent=parent,
        headcount=headcount,
        client_ids=client_ids.packed(),
        client_titles=_texts(clients, "title", buf).packed() if clients else (),
        client_lines=clients.lines.astype(np.int64) if clients else np.zeros(0, np.int64),
        flow_payer=_joined(resolved.payer, index_type(len(role_ids) + len(client_ids))),
        flow_payee=_joined(resolved.payee, index_type(len(role_ids))),
        flow_amount=_joined(resolved.amount, np.float64),
        flow_files=tuple(resolved.files),
        amount_decimals=resolved.decimals,
        role_extra=_extra(roles, ROLE_KEYS),
        client_extra=_extra(clients, CLIENT_KEYS) if clients else {},
        flow_extra=resolved.extra_columns(),
        policy=policy.policy,
        dotted=dotted,
        serves=serves,
        client_owner=client_owner,
    )


def _lists_only_of_ids(document: FlatDocument) -> bool:
    """Lists (`[a, b]`, or a line each) are written only where SPEC lets a list of ids
    be: a role's `dotted_to` and `serves` (anywhere else the precise reader says what is
    wrong)."""
    return all(
        column.lists is None or (name == "roles" and key in _LISTS_OF_IDS)
        for name, entries in document.lists.items()
        for key, column in entries.columns.items()
    )


def _misspelt_top_keys(top: list[str], cut: list[str], slips: SlipWords) -> None:
    """Top-level keys that look like a misspelt known one, worded in `slips` at their
    line (a flat top-level key starts one); a misspelt `roles` or `clients` list is the
    precise reader's (it says that alone, not the unknown ids it leaves). `cut`: keys
    written beside them but read on their own (the policy block), which no key is taken
    for, as the precise reader takes none for a key written in the same mapping."""
    for name in top:
        guess = keys.TOP_LEVEL.guess(name, [*top, *cut])
        _need(guess not in ("roles", "clients"))
        if guess is not None:
            slips.top_key(name, keys.TOP_LEVEL.message(name, guess))


def _misspelt_keys(entries: FlatList, vocabulary: Keys, slips: SlipWords) -> None:
    """Keys that look like a misspelt known key, worded in `slips` where each is written.
    A key is judged once per column, and again per set of known keys written beside it
    (the precise reader never takes a key for one written in the same mapping); a
    misspelt `id` is the precise reader's (it says that alone)."""
    known = [name for name in vocabulary.names if name in entries.columns]
    for name, column in entries.columns.items():
        if vocabulary.guess(name) is None:
            continue
        beside = np.zeros(column.items.size, dtype=np.int64)  # a bit per known key
        for bit, key in enumerate(known):
            beside |= member(entries.columns[key].items, column.items).astype(np.int64) << bit
        for mask in sorted_distinct(beside).tolist():
            guess = vocabulary.guess(name, [k for bit, k in enumerate(known) if mask >> bit & 1])
            _need(guess != "id")
            if guess is not None:
                slips.keys(column, np.flatnonzero(beside == mask), vocabulary.message(name, guess))


def _joined(parts: Sequence[np.ndarray], dtype: type) -> np.ndarray:
    if len(parts) == 1:  # one file's column: itself, not a copy
        return parts[0].astype(dtype, copy=False)
    # (cast part by part as they are joined: no whole column in the parts' type first)
    return np.concatenate(parts, dtype=dtype, casting="same_kind") if parts else np.zeros(0, dtype)


def _ids(entries: FlatList, buf: np.ndarray) -> TextColumn:
    """The `id` of every item, none null or only white space (as `str.strip` sees it)."""
    column = entries.columns.get("id")
    _need(column is not None)
    assert column is not None
    _need(not column.nulls().any())  # so every item has one, in item order
    start, end, odd = strip_for_lookup(buf, column.start, column.end)
    _need(np.all(start < end))
    _need(
        all(
            buf[s:e].tobytes().decode("utf-8").strip()
            for s, e in zip(start[odd].tolist(), end[odd].tolist(), strict=True)
        )
    )
    return TextColumn(buf, column.start, column.end)


def _texts(entries: FlatList, key: str, buf: np.ndarray) -> TextColumn:
    """Per item: the value of `key` (None where absent or null), as bytes until read."""
    column = entries.columns.get(key)
    if column is not None:
        return column.text_column()
    nowhere = np.zeros(entries.count, dtype=np.int64)
    return TextColumn(buf, nowhere, nowhere, np.ones(entries.count, dtype=bool))


def _headcounts(roles: FlatList, slips: SlipWords) -> FloatArray:
    """Numbers written as digits with at most one decimal point (null: 1), read from the
    bytes; any other spelling (`1e3`, `-1`, `'3'`, `many`) is read as the precise
    reader reads it, each spelling once, and one that is no headcount is worded in
    `slips`."""
    column = roles.columns.get("headcount")
    counts = np.ones(roles.count, dtype=np.float64)
    if column is None:
        return counts
    written = np.flatnonzero(~column.nulls()[column.items])
    start, end = column.start[written], column.end[written]
    quoted = column.written_quoted[written]
    parsed = None if quoted.any() else plain_decimals(column.buf, start, end)
    if parsed is not None and np.all(parsed[0] <= MAX_HEADCOUNT):
        counts[column.items[written]] = parsed[0]
        return counts
    texts, spelling = distinct_texts(column.buf, start, end)
    spelling = spelling * 2 + quoted  # the same text quoted is another spelling
    kinds, each = np.unique(spelling, return_inverse=True)
    spelled = [(texts[k >> 1], bool(k & 1)) for k in kinds.tolist()]
    whys = [headcount_problem(text, quoted) for text, quoted in spelled]
    read = zip(spelled, whys, strict=True)
    values = np.array([1.0 if why else headcount_value(text) for (text, _), why in read])
    counts[column.items[written]] = values[each]
    wrong = np.flatnonzero(np.array([why is not None for why in whys])[each])
    slips.values(column, written[wrong], [str(whys[k]) for k in each[wrong].tolist()])
    return counts


def _parents(
    roles: FlatList, ids: IdIndex, document: FlatDocument, slips: SlipWords
) -> tuple[IntArray, bool]:
    """The parent column, and whether it is acyclic; a boss that is unknown, a client or
    the role itself, and every cycle, are worded in `slips` (and left out of it)."""
    parent = np.full(roles.count, NO_PARENT, dtype=np.int64)
    column = roles.columns.get("reports_to")
    if column is None:
        return parent, True
    named = ~column.nulls()[column.items]
    buf = np.frombuffer(document.data, dtype=np.uint8)
    start, end = column.start[named], column.end[named]
    boss = ids.find(buf, start, end, strip=False)
    items = column.items[named]
    fine = (boss >= 0) & (boss < roles.count) & (boss != items)
    if not fine.all():
        slips.bosses(column, items[~fine], boss[~fine])
        items, boss = items[fine], boss[fine]
    parent[items] = boss
    loops = cycles(parent)
    slips.cycles(loops, column)
    return parent, not loops


def _references(
    entries: FlatList, key: Link, ids: IdIndex, slips: SlipWords, roles: int
) -> tuple[Column | None, IntArray, IntArray]:
    """The column of `key` (a list's ids given one by one: see Column.items_listed),
    the places in it of the ids that name a node they may, and the node each names; the
    others (an unknown id, a client where a role is due, the item itself) are worded in
    `slips`. An id twice in one list is the precise path's to word."""
    column = entries.columns.get(key)
    if column is None:
        return None, _NONE, _NONE
    listed = column.lists is not None
    column = column.items_listed()
    written = np.flatnonzero(~column.null_values())
    node = ids.find(column.buf, column.start[written], column.end[written], strip=False)
    items = column.items[written]
    if listed:  # (ids unique, one node is one text; two unknown ids in a list: handed over)
        named = items.astype(np.int64) * (len(ids) + 1) + node
        _need(sorted_distinct(named).size == named.size)
    wrong = node < 0
    if key != "serves":  # (which may name a client)
        wrong |= node >= roles
    if key != "owner":  # (clients' items: numbered apart from the roles)
        wrong |= node == items
    if wrong.any():
        slips.links(key, column, written[wrong], node[wrong], roles)
        written, node = written[~wrong], node[~wrong]
    return column, written, node


def _links(role: IntArray, node: IntArray, roles: int) -> Links:
    """Compressed rows of each role's nodes (`role` ascending, each role's nodes in the
    order written), as the precise path makes them."""
    if not node.size:
        return Links()
    ptr = np.zeros(roles + 1, dtype=np.int64)
    np.cumsum(np.bincount(role, minlength=roles), out=ptr[1:])
    return Links(ptr, node)  # roles ascend, so the nodes are in role order


def _serves(roles: FlatList, ids: IdIndex, slips: SlipWords) -> Links:
    column, written, node = _references(roles, "serves", ids, slips, roles.count)
    if column is None:
        return Links()
    return _links(column.items[written].astype(np.int64), node, roles.count)


def _dotted(
    roles: FlatList, ids: IdIndex, parent: IntArray, acyclic: bool, slips: SlipWords
) -> Links:
    """Dotted lines that run across the hierarchy; those along it (told only without a
    reporting cycle, as the precise reader tells them) and the second of two roles'
    lines to each other are worded in `slips`."""
    n = roles.count
    column, written, boss = _references(roles, "dotted_to", ids, slips, n)
    if column is None or not written.size:
        return Links()
    role = column.items[written].astype(np.int64)
    if acyclic:
        forest = build_forest(parent)
        above = forest.is_proper_ancestor(boss, role)
        along = above | forest.is_proper_ancestor(role, boss)
        if along.any():
            slips.along(column, written[along], above[along], role[along])
            written, role, boss = written[~along], role[~along], boss[~along]
    # Both ways: worded where the second is written: at the later role's (roles are
    # written in order, each with all its dotted lines).
    both = member(np.sort(role * n + boss), boss * n + role) & (boss < role)
    if both.any():
        slips.both_ways(column, written[both], boss[both], role[both])
    return _links(role, boss, n)


def _owners(clients: FlatList | None, ids: IdIndex, roles: int, slips: SlipWords) -> IntArray:
    if clients is None:
        return np.zeros(0, np.int64)
    column, written, owner = _references(clients, "owner", ids, slips, roles)
    if column is None or not written.size:
        return np.zeros(0, np.int64)
    owners = np.full(clients.count, NO_OWNER, dtype=np.int64)
    owners[column.items[written]] = owner
    return owners


def _extra(entries: FlatList, known: frozenset[str]) -> dict[int, dict[str, object]]:
    """Keys beyond the contract's, per item, in the order written (as the precise path)."""
    found = [(name, c) for name, c in entries.columns.items() if name not in known]
    if not found:
        return {}
    cells = sorted(
        (row, item, name, text)
        for name, column in found
        for row, item, text in zip(
            column.rows.tolist(),
            column.items.tolist(),
            [column.texts[i] for i in column.items.tolist()],
            strict=True,
        )
    )
    extra: dict[int, dict[str, object]] = {}
    for _row, item, name, text in cells:
        extra.setdefault(item, {})[name] = text
    return extra


@value_class
class _CsvByModule:
    """A flows CSV the flat reader does not read, read by the precise reader's CSV reader
    (the csv module): the org chart stays the fast reader's. `why`: for the note."""

    table: FlowTable
    why: str

    @property
    def file(self) -> str:
        return self.table.file


_Table = FlatCsv | FlowTable | _CsvByModule | YamlFlows  # a source of flow rows


def _by_csv_module(data: bytes, shown: str, why: str) -> _CsvByModule:
    """`data` read as the precise reader reads a flows CSV (a spreadsheet's dialect,
    amounts with currency symbols or thousands separators, and its problems worded)."""
    try:
        table = read_csv_bytes(data, shown)
    except InputError:  # not text: the precise reader says where, among all problems
        raise _RefusedError from None
    return _CsvByModule(table, f"{shown}: {why}")


def _read_table(path: Path, stdin: bool = False) -> _Table:
    """A flows file: a plain CSV's cells (any other CSV read by the csv module), or a
    YAML list read by the precise reader (`stdin`: standard input, always CSV)."""
    shown = STDIN_NAME if stdin else os.fspath(path)
    try:
        data = stdin_bytes() if stdin else read_file(path)  # a pipe: the command line's
    except (OSError, ValueError, AttributeError):  # a NUL in the path; no stdin at all
        raise _RefusedError from None
    csv = stdin or path.suffix.lower() not in YAML_SUFFIXES
    if csv:
        data = _as_utf8(data)
    dialect = spreadsheet_dialect(data) if csv else None
    if dialect is not None:
        return _by_csv_module(data, shown, dialect)
    marked = data
    data = data.removeprefix(b"\xef\xbb\xbf")
    if csv:
        # A plain CSV's cells are checked as UTF-8 where they are read (see _add_csv), so
        # no cell is decoded twice; its header here (read_flat_csv decodes it).
        _, header_end = header_bounds(data)
        _need(valid_utf8(data if header_end < 0 else data[:header_end]))
        table = read_flat_csv(data, shown, header_delimiter(data))
        if table is None:
            why = "quotes within cells, carriage returns or uneven rows"
            return _by_csv_module(marked, shown, why)
        return replace(table, bom=marked[: len(marked) - len(data)])
    _need(valid_utf8(data))
    return flows_file(data, shown) or _by_yaml_module(data, shown)


def _by_yaml_module(data: bytes, shown: str) -> FlowTable:
    """A YAML flows file (UTF-8) read by the precise reader."""
    from clientchain.loading.yaml_source import compose  # yaml: for a YAML flows file only

    try:
        root = compose(data.decode("utf-8"), shown)
    except InputError:
        raise _RefusedError from None
    return FlowTable(shown) if root is None else read_yaml_list(root, shown)


def _as_utf8(data: bytes) -> bytes:
    """A UTF-16 or UTF-32 file (Excel's "Unicode Text") as UTF-8 after a UTF-8 byte order
    mark, for the flat reader: its characters, so its lines and columns, are the same.
    Unchanged when it is neither, or does not decode (the precise reader says where)."""
    marked = byte_order_mark(data)
    if marked is None or marked[1] == "utf-8":
        return data
    bom, encoding = marked
    try:
        return codecs.BOM_UTF8 + data[len(bom) :].decode(encoding).encode("utf-8")
    except UnicodeError:  # (and a lone surrogate, which UTF-8 cannot hold)
        return data


def _resolve_flows(
    tables: list[_Table],
    ids: IdIndex,
    roles: int,
    slips: SlipWords,
    metadata: bool = True,
) -> _Flows:
    # A file named twice (its money would count twice) is the precise path's to word,
    # standard input redirected from a file named too (`--flows - < flows.csv`) with it.
    files = [_file_key(t) for t in tables if _is_file(t)]
    _need(None not in files and len(set(files)) == len(files))
    flows = _Flows(metadata=metadata)
    for table in tables:
        if isinstance(table, YamlFlows):
            if _add_yaml(flows, table, ids, roles, slips):
                flows.files.append(table.file)
                continue
            _need(table.data is not None)  # the org chart's own list: all of it, precisely
            assert table.data is not None  # (for the type checker)
            table = _by_yaml_module(table.data, table.file)
        if isinstance(table, FlatCsv) and not _add_csv(flows, table, ids, roles, slips):
            why = "a header or amounts beyond plain numbers"
            table = _by_csv_module(table.bom + table.data, table.file, why)
        if isinstance(table, _CsvByModule):
            note(f"{table.why}: read by the precise CSV reader, which takes longer")
            table = table.table
        if isinstance(table, FlowTable):
            _add_table(flows, table, ids, roles, slips)
        flows.files.append(table.file)
    return flows


def _add_table(flows: _Flows, table: FlowTable, ids: IdIndex, roles: int, slips: SlipWords) -> None:
    """A table the precise reader read (a YAML list, a CSV the flat reader does not read):
    its problems as it worded them, and its good rows (the others left out, as there)."""
    slips.problems.extend(table.problems)
    count = len(table.payer)
    payer, payee = ids.find_texts(table.payer), ids.find_texts(table.payee)
    wrong = wrongly_named(payer, payee, roles)
    if wrong.size:
        slips.table_flows(table, wrong, payer, payee, roles)
    _add_nodes(flows, payer, payee, roles, len(ids))
    flows.amount.append(np.asarray(table.amount, dtype=np.float64))
    flows.decimals = max(flows.decimals, table.decimals)
    flows.add_extra(table.extra, count)


def _add_yaml(flows: _Flows, table: YamlFlows, ids: IdIndex, roles: int, slips: SlipWords) -> bool:
    """A list of flows the flat reader read (see yaml_flows): ids matched a column at a
    time; those named wrongly worded in the org chart's own list (a flows file's rows
    are then the precise reader's, as any other problem is). False: nothing added."""
    rows = yaml_rows(table)
    if rows is None:
        return False
    payers, payees = rows.payer, rows.payee
    payer = ids.find(payers.buf, payers.start, payers.end, strip=False)
    payee = ids.find(payees.buf, payees.start, payees.end, strip=False)
    wrong = wrongly_named(payer, payee, roles)
    if wrong.size:
        if table.data is not None:
            return False
        slips.yaml_flows(payers, payees, wrong, payer, payee)
    _add_nodes(flows, payer, payee, roles, len(ids))
    flows.amount.append(rows.amount)
    flows.decimals = max(flows.decimals, rows.decimals)
    flows.add_extra(rows.extra, table.entries.count)  # (none: its rows' None all the same)
    return True


def _file_key(table: _Table) -> object | None:
    """Which file a table was read from (flow_table.flows_file_key). Standard input is
    named once (the command line makes sure): a file only where redirected from one."""
    if table.file != STDIN_NAME:
        return flows_file_key(Path(table.file))
    return stdin_file_key() or STDIN_NAME


def _is_file(table: _Table) -> bool:
    """The table was read from a file (not the org chart's own list of flows)."""
    return not isinstance(table, YamlFlows) or table.data is not None


def _add_nodes(flows: _Flows, payer: IntArray, payee: IntArray, roles: int, nodes: int) -> None:
    """The rows' nodes (those named wrongly are worded already: the Org is not built)."""
    # Narrowed now, not when the files are joined: held while the amounts are read.
    flows.payer.append(payer.astype(index_type(nodes), copy=False))
    flows.payee.append(payee.astype(index_type(roles), copy=False))


def _add_csv(flows: _Flows, table: FlatCsv, ids: IdIndex, roles: int, slips: SlipWords) -> bool:
    """A plain CSV (see flat_csv): ids matched and amounts parsed a column at a time; False
    (nothing added) for a header or amounts the precise CSV reader is to read."""
    names = [name.strip().lower() for name in table.header]
    if not all(name in names for name in REQUIRED) or len(set(names)) != len(names):
        return False
    if misspelt_columns(table.header):
        return False  # (a column misspelling one of them: the precise reader words it)
    i_from, i_to, i_amount = (names.index(name) for name in REQUIRED)
    try:
        amounts = read_amounts(table, i_amount)
        if amounts.wrong.size:
            # Such a row's ids are never looked at, nor checked as UTF-8 (below): the
            # whole file is, as the precise reader decodes it before any row.
            _need(valid_utf8(table.data))
            slips.csv_cells(table, i_amount, amounts.wrong, amounts.whys)
    except UnicodeDecodeError:
        raise _RefusedError from None
    flows.decimals = max(flows.decimals, amounts.decimals)
    # The file's bytes were not checked as UTF-8 (see _read_table): an id cell is, once
    # it is found among the org chart's ids, a plain amount is ASCII, and the rest is
    # checked here; a cell decoded on the way that is not UTF-8 is the precise path's.
    strip = not table.bare  # (bare cells: nothing to strip)
    try:
        payer, payee = _find_both(ids, table, i_from, i_to, strip)
        wrong = wrongly_named(payer, payee, roles)
        if amounts.wrong.size:  # a row whose amount is wrong is read no further
            wrong = wrong[~member(amounts.wrong, wrong)]
        if wrong.size:
            slips.csv_flows(table, (i_from, i_to), wrong, payer, payee, roles)
        _add_nodes(flows, payer, payee, roles, len(ids))
        del payer, payee  # (their int64 columns: only the narrowed ones are held)
        flows.amount.append(amounts.values)
    except UnicodeDecodeError:
        raise _RefusedError from None
    # The metadata cells must be UTF-8 too, kept or not (the precise path says where one
    # is not). An ASCII file needs no look at them.
    if not flows.metadata and table.data.isascii():
        return True
    # Packed: the metadata keeps no hold on the file's bytes nor on the table of every
    # cell's range.
    extra = {
        table.header[i].strip(): table.column(i).packed()
        for i in range(len(names))
        if names[i] not in REQUIRED
    }
    _need(all(valid_utf8(column.buf.tobytes()) for column in extra.values()))
    flows.add_extra(extra, table.rows)
    return True


def _find_both(
    ids: IdIndex, table: FlatCsv, i_from: int, i_to: int, strip: bool
) -> tuple[IntArray, IntArray]:
    """The payers' and the payees' nodes; for a large table, the payers on a second
    thread (the look-ups are numpy's, which lets the other thread run: at a million
    roles 0.35 -> 0.23 s)."""

    def find(column: int) -> IntArray:
        return ids.find(table.buf, table.start(column), table.stop(column), strip)

    if table.rows < _BOTH_AT_ONCE_ROWS or usable_cores() < 2:
        return find(i_from), find(i_to)
    from concurrent.futures import ThreadPoolExecutor  # only here: ~5 ms of start-up

    with ThreadPoolExecutor(1, thread_name_prefix="clientchain-payers") as pool:
        payers = pool.submit(find, i_from)
        payees = find(i_to)
        return payers.result(), payees
