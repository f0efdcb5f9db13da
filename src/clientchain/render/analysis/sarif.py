"""SARIF 2.1.0: the findings for GitHub code scanning and every other SARIF viewer.

One run; the driver lists every rule clientchain has (stable ids, so a viewer can
link a result to its rule even when the run found nothing of that rule). Findings
the policy ignores or a baseline knows are kept as *suppressed* results, with the
ignore entry's reason: a viewer shows them as dismissed instead of losing them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import orjson

from clientchain.analyses.analyze import Analysis
from clientchain.model.findings import CHUNK, RULES, Finding, Rule
from clientchain.model.policy import IgnoreIndex
from clientchain.render.analysis.json_stream import list_end, write_list_items
from clientchain.render.locations import files_repo_paths, finding_files
from clientchain.version import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "clientchain/v1"  # partialFingerprints: the finding's key, not its line
_RULE_INDEX = {rule.code: i for i, rule in enumerate(RULES)}
# Each rule's documentation: its row of the README's findings table, anchored by the
# rule's code in lower case (`<a id="cc101"></a>`).
RULES_DOCUMENT = "https://github.com/clientchain/clientchain/blob/main/README.md"


def rule_url(code: str) -> str:
    """Where a rule is documented for people: `RULES_DOCUMENT#cc101`."""
    return f"{RULES_DOCUMENT}#{code.lower()}"


def render_sarif(analysis: Analysis, root: Path) -> str:
    """The SARIF log, indented, ending in a newline; paths relative to `root`."""
    buffer = io.BytesIO()
    write_sarif(analysis, root, buffer)
    return buffer.getvalue().decode()


def write_sarif(analysis: Analysis, root: Path, stream: BinaryIO) -> None:
    """`render_sarif`'s bytes, the results written a chunk at a time: a million findings'
    results (a budget-funded body) are never all held, nor the whole log. The log is
    orjson's indented dump; its results list is cut out of it and written a chunk at
    a time (`write_list_items`)."""
    uris = {file: quote(path, safe="/") for file, path in _repo_paths(analysis, root).items()}
    before, after = orjson.dumps(_log(analysis), option=orjson.OPT_INDENT_2).split(_NO_RESULTS)
    stream.write(before + b'"results": [')
    written = write_list_items(stream, _result_chunks(analysis, uris), _RESULTS_DEPTH)
    stream.write(list_end(_RESULTS_DEPTH, written) + after + b"\n")


_NO_RESULTS = b'"results": []'  # the results list in the log without them
_RESULTS_DEPTH = 4  # its items' depth: in the log, its runs, the run


def _log(analysis: Analysis) -> dict[str, Any]:
    """The log without its results."""
    summary = analysis.summary
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "clientchain",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(rule) for rule in RULES],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [],
                "properties": {
                    "org": analysis.org.name,
                    "roles": summary.roles,
                    "org_alienation": summary.org_alienation,
                    "inversions": summary.inversions,
                    "unfunded_roles": summary.unfunded_roles,
                },
            }
        ],
    }


def _repo_paths(analysis: Analysis, root: Path) -> dict[str, str]:
    """The repository path of every file a finding names (no finding made for it)."""
    found = (analysis.findings, analysis.ignored, analysis.baselined)
    return files_repo_paths(set().union(*map(finding_files, found)), root)


def _result_chunks(analysis: Analysis, uris: dict[str, str]) -> Iterator[list[dict[str, Any]]]:
    """The results, a chunk of findings at a time: the reported, the ignored (with the
    ignore entry's reason), the baselined."""
    for lo in range(0, len(analysis.findings), CHUNK):
        yield [_result(f, uris[f.file], None) for f in analysis.findings[lo : lo + CHUNK]]
    yield [
        _result(f, uris[f.file], {"kind": "inSource", "justification": reason})
        for f, reason in _ignore_reasons(analysis)
    ]
    known = {"kind": "external", "justification": "known from the baseline"}
    for lo in range(0, len(analysis.baselined), CHUNK):
        yield [_result(f, uris[f.file], known) for f in analysis.baselined[lo : lo + CHUNK]]


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "helpUri": rule_url(rule.code),
        "help": {"text": rule.help, "markdown": f"**{rule.code} {rule.name}**\n\n{rule.help}"},
        "defaultConfiguration": {"level": rule.level.value},
        "properties": {"tags": ["org-design", "clientchain"]},
    }


def _result(finding: Finding, uri: str, suppression: dict[str, str] | None) -> dict[str, Any]:
    subject = {
        name: value
        for name, value in (
            ("role", finding.role),
            ("boss", finding.boss),
            ("client", finding.client),
        )
        if value
    }
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": _RULE_INDEX[finding.code],
        "level": finding.level.value,
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    # Findings are about an entry, which starts its line.
                    "region": {"startLine": finding.line, "startColumn": 1},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": subject,
    }
    if suppression is not None:
        result["suppressions"] = [suppression]
    return result


def _ignore_reasons(analysis: Analysis) -> list[tuple[Finding, str]]:
    """Each ignored finding with the reason of the first ignore entry that excuses it
    (the entry `apply_policy` used)."""
    index = IgnoreIndex(analysis.policy.ignore)  # a look-up per finding, not a scan
    return [(f, entry.reason if (entry := index.first(f)) else "") for f in analysis.ignored]
