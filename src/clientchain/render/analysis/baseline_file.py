"""The baseline file (`--write-baseline`) written from findings kept as rows.

`baseline_text` makes every finding, sorts them by key and encodes an entry each: at a
million findings (a budget-funded body) ~20 s and twice the memory of the analysis.
Here each rule's findings give their entry lines from their columns (ids and message
as the JSON document writes them; orjson escapes a text as json.dumps does), and the
order by key comes from ranks: the codes' and the ids' places in string order, ties in
the order the findings are reported. The bytes are `baseline_text`'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import orjson

from clientchain.analyses.analyze import Analysis
from clientchain.ci.baseline_format import EMPTY as EMPTY_FILE
from clientchain.ci.baseline_format import (
    HEAD_BYTES,
    SUBJECT,
    TAIL_BYTES,
    baseline_text,
    entry_line,
)
from clientchain.model.findings import NO_SUBJECT, About, Finding, FindingRows, Findings
from clientchain.model.org import IntArray, Org
from clientchain.render.analysis.json_stream import (
    EMPTY,
    NUL,
    FindingTexts,
    cut,
    interleave,
    merged,
    node_texts,
    pick,
)

_CHUNK = 1 << 15  # entry lines made at a time, in file order


def baseline_file(analysis: Analysis) -> tuple[Iterator[bytes], int]:
    """The baseline file for the analysis' reported and baselined findings, in pieces
    (a million entries are never all held), and the number of entries in it:
    `baseline_text`'s bytes."""
    written = _from_rows(analysis)
    if written is not None:
        return written
    text, count = baseline_text([*analysis.findings, *analysis.baselined])
    return iter([text.encode()]), count


class _Unit:
    """One rule's findings that go into the file: their places in the reported order,
    and their subjects, as node numbers (a rule with columns) or as the ids written
    (a rule with few findings, made: `made` holds them)."""

    def __init__(self, part: FindingRows, place: IntArray) -> None:
        self.part, self.place = part, place
        self.made: list[Finding] | None = None
        nodes = part.subjects()
        if nodes is None and part.columns is None:
            self.made = part.build(list(range(len(part))))
        self.nodes = nodes


def _from_rows(analysis: Analysis) -> tuple[Iterator[bytes], int] | None:
    """The file from the findings' rows; None when they are not rows (a baseline read
    without its org chart leaves a tuple) or a rule's subjects are not its columns."""
    sources: list[Sequence[Finding]] = [analysis.findings, analysis.baselined]
    if not all(isinstance(s, Findings) or not len(s) for s in sources):
        return None
    units: list[_Unit] = []
    offset = 0
    for source in sources:
        if isinstance(source, Findings):
            for part, place in zip(source.parts, source.ranks(), strict=True):
                if len(part) and part.rule.about is not About.POLICY:  # (never baselined)
                    units.append(_Unit(part, place + offset))
        offset += len(source)
    if any(u.nodes is None and u.made is None for u in units):
        return None
    if not units:
        return iter([EMPTY_FILE]), 0
    order, unit_of, row_of = _key_order(units, analysis.org)
    return _pieces(units, order, unit_of, row_of, FindingTexts(node_texts(analysis.org))), len(
        order
    )


def _pieces(
    units: list[_Unit], order: IntArray, unit_of: IntArray, row_of: IntArray, texts: FindingTexts
) -> Iterator[bytes]:
    """The file: its head, the entry lines in `order` a chunk at a time, its tail."""
    yield HEAD_BYTES + b"\n"
    for lo in range(0, order.size, _CHUNK):
        at = order[lo : lo + _CHUNK]
        chunk = np.empty(at.size, dtype=object)
        for u in np.flatnonzero(np.bincount(unit_of[at], minlength=len(units))).tolist():
            mine = np.flatnonzero(unit_of[at] == u)
            chunk[mine] = _lines(units[u], row_of[at][mine], texts)
        yield (b",\n" if lo else b"") + b",\n".join(chunk.tolist())
    yield TAIL_BYTES


def _key_order(units: list[_Unit], org: Org) -> tuple[IntArray, IntArray, IntArray]:
    """(the findings in baseline_text's order: by code, role, boss, client as strings,
    ties as reported; each one's unit; each one's row in it)."""
    codes = sorted({u.part.rule.code for u in units})
    code = np.concatenate([np.full(len(u.part), codes.index(u.part.rule.code)) for u in units])
    place = np.concatenate([u.place for u in units])
    unit_of = np.repeat(np.arange(len(units)), [len(u.part) for u in units])
    row_of = np.concatenate([np.arange(len(u.part)) for u in units])
    ranks = _StringRanks(units, org)
    subjects = [np.concatenate([ranks.of(u, k) for u in units]) for k in range(len(SUBJECT))]
    order = np.lexsort((place, *subjects[::-1], code))
    return order, unit_of, row_of


class _StringRanks:
    """Every subject's place in string order among all the units' subjects ('' first,
    equal texts equal places): the nodes' ids and the made findings' texts together."""

    def __init__(self, units: list[_Unit], org: Org) -> None:
        named = [column[column >= 0] for u in units if u.nodes is not None for column in u.nodes]
        self.nodes = np.unique(np.concatenate(named)) if named else np.zeros(0, np.int64)
        texts = org.node_ids(self.nodes.tolist())
        texts += sorted({t for u in units for f in u.made or () for t in _subject(f) if t})
        order = sorted(range(len(texts)), key=texts.__getitem__)
        rank = np.empty(len(texts), dtype=np.int64)
        previous, r = None, -1
        for i in order:  # equal texts (a node's id, and a made finding's) share a place
            if texts[i] != previous:
                previous, r = texts[i], r + 1
            rank[i] = r
        self.node_rank = rank[: self.nodes.size]
        made = texts[self.nodes.size :]
        self.text_rank = dict(zip(made, rank[self.nodes.size :].tolist(), strict=True))

    def of(self, unit: _Unit, k: int) -> IntArray:
        """The places of the unit's k-th subject (-1: none)."""
        if unit.made is not None:
            named = [_subject(f)[k] for f in unit.made]
            return np.asarray([self.text_rank.get(t, -1) if t else -1 for t in named], np.int64)
        assert unit.nodes is not None
        column = unit.nodes[k]
        out = np.full(column.size, -1, dtype=np.int64)
        has = column != NO_SUBJECT
        out[has] = self.node_rank[np.searchsorted(self.nodes, column[has])]
        return out


def _subject(f: Finding) -> tuple[str, str, str]:
    return (f.role, f.boss or "", f.client or "")


def _lines(unit: _Unit, rows: IntArray, texts: FindingTexts) -> list[bytes]:
    """The entry lines of the unit's findings at `rows`, as `entry_line` writes them."""
    if unit.made is not None:
        return [entry_line(unit.made[r]).encode() for r in rows.tolist()]
    part = unit.part
    assert part.columns is not None
    columns = part.columns(rows)
    pieces: list[Any] = [b"    {" + orjson.dumps("code") + b": " + orjson.dumps(part.rule.code)]
    for name in SUBJECT:
        ids = getattr(columns, name)
        if ids is not None:
            pieces += [b", " + orjson.dumps(name) + b": ", pick(texts.nodes, ids.node)]
    pieces += [b', "message": ', *texts.message(part.rule.template, columns.shown), b"}"]
    return cut(interleave(rows.size, [NUL, *merged(pieces)]), EMPTY)
