"""The baseline file as `--write-baseline` writes it: a head, one entry per line, a tail.

Its own module, apart from the reader: the renderer that writes a baseline from the
findings' columns (render/analysis/baseline_file.py) shares this spelling and must not
import the loaders the reader needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from clientchain.model.findings import RULE_BY_CODE, About, Finding

SUBJECT = ("role", "boss", "client")  # the ids an entry names, in its key's order
SCHEMA_VERSION = 1
# The file as `baseline_text` writes it: this head, one entry per line, this tail.
HEAD = f'{{\n  "schema_version": {SCHEMA_VERSION},\n  "tool": "clientchain",\n  "findings": ['
TAIL = "]\n}\n"
# json.dumps(entry, ensure_ascii=False), with the encoder made once (json.dumps makes one
# per call for any non-default option: most of its time on a small entry).
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
HEAD_BYTES = HEAD.encode()
TAIL_BYTES = ("\n  " + TAIL).encode()  # after the last entry
HEAD_LINES = HEAD.count("\n") + 1  # the lines before the first entry
EMPTY = (HEAD + TAIL).encode()


def kept(finding: Finding) -> bool:
    """Findings about the policy or baseline itself are never baselined."""
    rule = RULE_BY_CODE.get(finding.code)
    return rule is None or rule.about is not About.POLICY


def baseline_text(findings: Iterable[Finding]) -> tuple[str, int]:
    """The baseline file for these findings (sorted by key, one entry per line), and the
    number of entries in it."""
    lines = [entry_line(f) for f in sorted((f for f in findings if kept(f)), key=lambda f: f.key)]
    body = "\n" + ",\n".join(lines) + "\n  " if lines else ""
    return HEAD + body + TAIL, len(lines)


def entry_line(f: Finding) -> str:
    """The finding's line in the file: its code, the ids it names, its message."""
    entry: dict[str, str] = {"code": f.code}
    entry.update({k: v for k, v in zip(SUBJECT, f.key[1:4], strict=True) if v})
    entry["message"] = f.message
    return encoded_entry(entry)


def encoded_entry(entry: dict[str, str]) -> str:
    return "    " + _ENCODE(entry)
