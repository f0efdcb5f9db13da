"""Baselines: findings a team has accepted for now, so CI reports only new ones.

A baseline is a JSON file written by `--write-baseline`, one finding per line:

    {
      "schema_version": 1,
      "tool": "clientchain",
      "findings": [
        {"code": "CC101", "role": "accountant", "boss": "director", "message": "..."}
      ]
    }

Entries match findings by code and the ids involved (role, boss, client), never by
line, so editing the org chart above a finding does not bring it back. The message is
kept for people reading the file and is not compared. An entry that matches nothing
any more is reported (CC205) so the baseline only ever shrinks.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import orjson

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.rules.cc205_stale_baseline_entry import find as stale_entry
from clientchain.ci.baseline_entries import Entry, NodeEntries
from clientchain.ci.baseline_format import (
    EMPTY,
    HEAD_BYTES,
    HEAD_LINES,
    SCHEMA_VERSION,
    SUBJECT,
    TAIL_BYTES,
    kept,
)
from clientchain.ci.baseline_rows import apply_baseline_to_rows
from clientchain.loading.input_file import read_file
from clientchain.loading.yaml_source import YNode, compose, decode
from clientchain.model.findings import Finding, Findings, finding_order
from clientchain.model.heap import release_freed_memory
from clientchain.model.org import Org
from clientchain.model.problems import InputError, Position, Problem


@dataclasses.dataclass(frozen=True, slots=True)
class Baseline:
    file: str
    entries: Sequence[Entry]  # read against an org chart: NodeEntries


def read_baseline(path: Path, org: Org | None = None) -> Baseline:
    """The baseline at `path`; InputError (with positions) when it is not one. Given the
    org chart it is for, entries spelled as `baseline_text` writes them are kept as the
    node numbers of the ids they name (`NodeEntries`): read chunk by chunk, a million
    entries never stand as strings all at once."""
    shown = os.fspath(path)
    try:
        data = read_file(path)
    except OSError as exc:  # (NotAFileError's words: "is a device, not a file")
        reason = "file not found" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise InputError(
            [Problem(Position(shown), f"cannot read the baseline: {reason}")]
        ) from None
    fast = _written_entries(data, org)
    if fast is not None:
        del data
        release_freed_memory()  # what parsing a million entries left in the heap's holes
        return Baseline(shown, fast)
    root = compose(decode(data, shown), shown)  # JSON is YAML: positions, no repeated keys
    problems: list[Problem] = []
    entries = _entries(root, shown, problems)
    if problems:
        raise InputError(problems)
    return Baseline(shown, tuple(entries))


# What the precise reader counts as a line break or refuses, which json.dumps leaves
# unescaped in a text: control characters (found by a table, below) and these sequences
# (C1, line and paragraph separators, a byte order mark, noncharacters). The precise
# reader reads (or words) any file that has one.
_NOT_PLAIN = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf|\xef\xbf[\xbe\xbf]")
_CONTROL = np.zeros(256, dtype=bool)
_CONTROL[[*range(0x0A), *range(0x0B, 0x20), 0x7F]] = True
_LEADS = (b"\xc2", b"\xe2", b"\xef")
_ENTRY_SEPARATOR = b",\n    {"  # between two entry lines: never inside a text (no raw breaks)
_CHUNK_BYTES = 1 << 22  # entry lines parsed at a time: the document is never all objects


def _written_entries(data: bytes, org: Org | None = None) -> Sequence[Entry] | None:
    """The entries of a baseline spelled as `baseline_text` writes it (the usual case: a
    million entries in a few seconds, where positions for every node took half a
    minute), or None for any other spelling, which the precise reader reads and words.
    Every entry line must be the one `json.dumps` writes for what it holds: no repeated
    key, no other spacing, and text values only, so nothing reads differently."""
    if data == EMPTY:
        return []
    start, end = len(HEAD_BYTES) + 1, len(data) - len(TAIL_BYTES)  # (no copy of the body)
    if not (data.startswith(HEAD_BYTES + b"\n") and data.endswith(TAIL_BYTES)) or start > end:
        return None
    if not _plain(data):
        return None
    entries: list[Entry] | NodeEntries = [] if org is None else NodeEntries(org)
    while start < end:
        cut = data.find(_ENTRY_SEPARATOR, start + _CHUNK_BYTES, end)
        cut = end if cut < 0 else cut
        found = _chunk_columns(data[start:cut])
        if found is None:
            return None
        first_line = HEAD_LINES + 1 + len(entries)
        if isinstance(entries, NodeEntries):
            entries.add_columns(*found, first_line)  # (no Entry made)
        else:
            lines = range(first_line, first_line + len(found[0]))
            entries.extend(map(Entry, *found, lines))
        start = cut + 2  # past the comma and the line break
    return entries if len(entries) else None


def _plain(data: bytes) -> bool:
    """No byte or sequence of _NOT_PLAIN's or _CONTROL's in the file (the sequences are
    looked for only where their first byte is: plain ASCII never runs the pattern)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    for lo in range(0, raw.size, _CHUNK_BYTES):  # (a mask of the whole file is its size)
        if _CONTROL[raw[lo : lo + _CHUNK_BYTES]].any():
            return False
    return not (any(lead in data for lead in _LEADS) and _NOT_PLAIN.search(data))


def _chunk_columns(lines: bytes) -> tuple[list[str], list[str], list[str], list[str]] | None:
    """The code, role, boss and client of each entry on these entry lines ('' where an
    entry has none), when the lines are exactly as written: the parsed entries, dumped
    again by orjson in the writer's spacing (json.dumps's: the separators are all it
    changes, as no text holds a raw line break), must give these bytes back."""
    try:
        found = orjson.loads(b"[" + lines + b"]")  # (invalid UTF-8 is an error too)
    except orjson.JSONDecodeError:
        return None
    if not all(type(entry) is dict for entry in found):
        return None
    values = [value for entry in found for value in entry.values()]
    if not all(type(value) is str for value in values):
        return None
    del values
    distinct: dict[str, str] = {}  # one string per code, not one per entry
    codes = [distinct.setdefault(code, code) for code in (e.get("code", "") for e in found)]
    if not all(codes):
        return None
    role, boss, client = ([entry.get(key, "") for entry in found] for key in SUBJECT)
    dumped = orjson.dumps(found, option=orjson.OPT_INDENT_2)
    for indented, written in _REWRITES:
        dumped = dumped.replace(indented, written)
    return (codes, role, boss, client) if dumped[2:-2] == lines else None


# orjson's indented list of entries -> the writer's lines ("    {...},\n    {...}").
_REWRITES = ((b',\n    "', b', "'), (b"{\n    ", b"{"), (b"\n  }", b"}"), (b"\n  {", b"\n    {"))


def _entries(root: YNode | None, file: str, problems: list[Problem]) -> list[Entry]:
    def problem(node: YNode | None, message: str) -> None:
        line, column = (1, 1) if node is None else (node.line, node.column)
        problems.append(Problem(Position(file, line, column), message))

    findings = root.get("findings") if root is not None and root.kind == "map" else None
    if findings is None or findings.kind != "seq":
        problem(root, "not a clientchain baseline: expected an object with a 'findings' list")
        return []
    version = root.get("schema_version") if root is not None else None
    if version is not None and version.text != str(SCHEMA_VERSION):
        problem(version, f"baseline schema_version {version.text} is not supported (expected 1)")
    entries = []
    for item in findings.items:
        code = item.get("code") if item.kind == "map" else None
        if code is None or code.kind != "scalar" or not code.text:
            problem(item, "a baseline entry needs a 'code'")
            continue
        subject = {}
        for key in SUBJECT:
            value = item.get(key)
            subject[key] = "" if value is None or value.kind != "scalar" else value.text
        entries.append(Entry(code.text, line=item.line, **subject))
    return entries


def apply_baseline(
    findings: Sequence[Finding], baseline: Baseline
) -> tuple[list[Finding], list[Finding]]:
    """(findings still reported, findings known to the baseline); entries that match
    nothing are reported as CC205 at their line in the baseline file."""
    left = Counter(entry.key for entry in baseline.entries)
    reported: list[Finding] = []
    known: list[Finding] = []
    for f in findings:
        key = (f.code, f.role, f.boss or "", f.client or "")
        if kept(f) and left[key] > 0:
            left[key] -= 1
            known.append(f)
        else:
            reported.append(f)
    for entry in baseline.entries:
        if left[entry.key] > 0:
            left[entry.key] -= 1
            reported.append(
                stale_entry(
                    baseline.file, entry.line, entry.code, entry.role, entry.boss, entry.client
                )
            )
    return reported, known


def with_baseline(result: Analysis, baseline: Baseline) -> Analysis:
    """The analysis reporting only what the baseline does not know, plus its stale entries
    (findings kept as rows stay rows: see baseline_rows)."""
    if isinstance(result.findings, Findings):
        rows = apply_baseline_to_rows(result.findings, baseline, result.org)
        if rows is not None:
            return dataclasses.replace(result, findings=rows[0], baselined=rows[1])
    reported, known = apply_baseline(result.findings, baseline)
    reported.sort(key=finding_order)
    return dataclasses.replace(result, findings=tuple(reported), baselined=tuple(known))
