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
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import orjson

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.rules.cc205_stale_baseline_entry import find as stale_entry
from clientchain.loading.yaml_source import YNode, compose, decode
from clientchain.model.findings import RULE_BY_CODE, About, Finding, finding_order
from clientchain.model.problems import InputError, Position, Problem

SCHEMA_VERSION = 1
# The file as `baseline_text` writes it: this head, one entry per line, this tail.
_HEAD = f'{{\n  "schema_version": {SCHEMA_VERSION},\n  "tool": "clientchain",\n  "findings": ['
_TAIL = "]\n}\n"
# json.dumps(entry, ensure_ascii=False), with the encoder made once (json.dumps makes one
# per call for any non-default option: most of its time on a small entry).
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_SUBJECT = ("role", "boss", "client")


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """One accepted finding: its key, and where the entry stands in the baseline file."""

    code: str
    role: str
    boss: str
    client: str
    line: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.code, self.role, self.boss, self.client)


@dataclasses.dataclass(frozen=True, slots=True)
class Baseline:
    file: str
    entries: tuple[Entry, ...]


def _kept(finding: Finding) -> bool:
    """Findings about the policy or baseline itself are never baselined."""
    rule = RULE_BY_CODE.get(finding.code)
    return rule is None or rule.about is not About.POLICY


def baseline_text(findings: Iterable[Finding]) -> tuple[str, int]:
    """The baseline file for these findings (sorted by key, one entry per line), and the
    number of entries in it."""
    lines = []
    for f in sorted((f for f in findings if _kept(f)), key=lambda f: f.key):
        entry: dict[str, str] = {"code": f.code}
        entry.update({k: v for k, v in zip(_SUBJECT, f.key[1:4], strict=True) if v})
        entry["message"] = f.message
        lines.append(_entry_line(entry))
    body = "\n" + ",\n".join(lines) + "\n  " if lines else ""
    return _HEAD + body + _TAIL, len(lines)


def _entry_line(entry: dict[str, str]) -> str:
    return "    " + _ENCODE(entry)


def read_baseline(path: Path) -> Baseline:
    """The baseline at `path`; InputError (with positions) when it is not one."""
    shown = os.fspath(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = "file not found" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise InputError(
            [Problem(Position(shown), f"cannot read the baseline: {reason}")]
        ) from None
    fast = _written_entries(data)
    if fast is not None:
        return Baseline(shown, tuple(fast))
    root = compose(decode(data, shown), shown)  # JSON is YAML: positions, no repeated keys
    problems: list[Problem] = []
    entries = _entries(root, shown, problems)
    if problems:
        raise InputError(problems)
    return Baseline(shown, tuple(entries))


_HEAD_BYTES = _HEAD.encode()
_HEAD_LINES = _HEAD.count("\n") + 1  # the lines before the first entry
_EMPTY = (_HEAD + _TAIL).encode()
# What the precise reader counts as a line break or refuses (control characters, C1, a
# byte order mark, noncharacters), which json.dumps leaves unescaped in a text: the
# precise reader reads (or words) any file that has one.
_NOT_PLAIN = re.compile(
    rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf|\xef\xbf[\xbe\xbf]"
)


def _written_entries(data: bytes) -> list[Entry] | None:
    """The entries of a baseline spelled as `baseline_text` writes it (the usual case: a
    million entries read as JSON in a second or two, where positions for every node took
    half a minute), or None for any other spelling, which the precise reader reads and
    words. Every entry line must be the one `json.dumps` writes for what it holds: no
    repeated key, no other spacing, and text values only, so nothing reads differently."""
    if data == _EMPTY:
        return []
    if not data.startswith(_HEAD_BYTES) or _NOT_PLAIN.search(data):
        return None
    try:
        document = orjson.loads(data)  # (invalid UTF-8 is a JSONDecodeError too)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(document, dict) or list(document) != ["schema_version", "tool", "findings"]:
        return None
    findings = document["findings"]
    lines = data.split(b"\n")
    n = len(findings) if isinstance(findings, list) else -1
    if n < 1 or lines[_HEAD_LINES + n :] != [b"  ]", b"}", b""]:
        return None
    entries = []
    for k, entry in enumerate(findings):
        if not isinstance(entry, dict) or not all(isinstance(v, str) for v in entry.values()):
            return None
        written = _entry_line(entry) + ("," if k + 1 < n else "")
        code = entry.get("code", "")
        if not code or lines[_HEAD_LINES + k].decode("utf-8") != written:
            return None
        subject = {key: entry.get(key, "") for key in _SUBJECT}
        entries.append(Entry(code, line=_HEAD_LINES + 1 + k, **subject))
    return entries


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
        for key in _SUBJECT:
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
        if _kept(f) and left[key] > 0:
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
    """The analysis reporting only what the baseline does not know, plus its stale entries."""
    reported, known = apply_baseline(result.findings, baseline)
    reported.sort(key=finding_order)
    return dataclasses.replace(result, findings=tuple(reported), baselined=tuple(known))
