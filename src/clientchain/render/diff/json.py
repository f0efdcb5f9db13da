"""A diff as one JSON document (`schema_version` 1): keys are only ever added.

Ratios at their full 12 decimals, money at the input's decimal places (integral
amounts as integers), lists in the diff's own order. A finding has the fields of
`analyze --format json` plus its `fingerprint` (stable across line moves).
"""

from __future__ import annotations

from typing import Any

import orjson

from clientchain.diff.compare import ClientChange, CountChanges, OrgDiff, Ownership, RoleEntry, Side
from clientchain.model.findings import Finding
from clientchain.model.rounding import money, plain_number, ratio
from clientchain.render.analysis.json_doc import finding_document, inversion_document

SCHEMA_VERSION = 1


def _side(side: Side) -> dict[str, Any]:
    return {"source": side.source, "org": side.name, "currency": side.currency}


def _figures(before: float | None, after: float | None, decimals: int | None) -> dict[str, Any]:
    """before / after / change; `decimals` for money, None for a ratio (ints are exact)."""
    if before is None or after is None:
        change = None
    elif decimals is None:
        change = ratio(after - before)
    else:
        change = money(after - before, decimals)
    return {
        "before": _number(before),
        "after": _number(after),
        "change": _number(change),
    }


def _number(value: float | None) -> int | float | None:
    return None if value is None else plain_number(float(value))


def _summary(diff: OrgDiff) -> dict[str, Any]:
    old, new = diff.old, diff.new
    a, b = old.summary, new.summary
    decimals = max(old.amount_decimals, new.amount_decimals)
    counts = {
        "roles": (a.roles, b.roles),
        "headcount": (a.headcount, b.headcount),
        "clients": (a.clients, b.clients),
        "flows": (a.flows, b.flows),
    }
    doc = {key: _figures(x, y, 0) for key, (x, y) in counts.items()}
    # Headcounts may be fractional (FTE): the change at the places both sides need.
    people = max(old.headcount_decimals, new.headcount_decimals)
    doc["headcount"] = _figures(a.headcount, b.headcount, people)
    doc["money_in"] = _figures(a.money_in, b.money_in, decimals)
    doc["org_alienation"] = _figures(a.org_alienation, b.org_alienation, None)
    later = {
        "inversions": (a.inversions, b.inversions),
        "unfunded_roles": (a.unfunded_roles, b.unfunded_roles),
        "error_findings": (old.errors, new.errors),
        "warning_findings": (old.warnings, new.warnings),
        "findings_ignored": (old.ignored, new.ignored),
    }
    doc.update({key: _figures(x, y, 0) for key, (x, y) in later.items()})
    doc["layers"] = _figures(a.layers, b.layers, 0)
    doc["span_bands"] = {
        band: _figures(a.span_bands.get(band, 0), b.span_bands.get(band, 0), 0)
        for band in dict.fromkeys([*a.span_bands, *b.span_bands])
    }
    doc["client_money_owned"] = _figures(a.client_money_owned, b.client_money_owned, None)
    return doc


def _ownership(side: Ownership | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        "owner": side.owner,
        "lowest_common_boss": side.lowest_common_boss,
        "fragmented": side.fragmented,
        "touchpoints": side.touchpoints,
    }


def _client(change: ClientChange) -> dict[str, Any]:
    return {"id": change.id, "before": _ownership(change.before), "after": _ownership(change.after)}


def _counts(changes: CountChanges) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "before": c.before, "after": c.after, "change": c.change}
        for c in changes.changed
    ]


def _finding(finding: Finding) -> dict[str, Any]:
    return {**finding_document(finding), "fingerprint": finding.fingerprint}


def _entry(entry: RoleEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "title": entry.title,
        "reports_to": entry.reports_to,
        "department": entry.department,
        "headcount": entry.headcount,
        "alienation": entry.alienation,
    }


def diff_document(diff: OrgDiff) -> dict[str, Any]:
    """The diff as plain data, in the document's order."""
    f, r = diff.findings, diff.roles
    before, after = diff.old.summary.org_alienation, diff.new.summary.org_alienation
    return {
        "schema_version": SCHEMA_VERSION,
        "decay": diff.decay,
        "old": _side(diff.old),
        "new": _side(diff.new),
        "org_alienation": _figures(before, after, None),
        "summary": _summary(diff),
        "inversions": {
            "added": [inversion_document(i) for i in diff.inversions_added],
            "removed": [inversion_document(i) for i in diff.inversions_removed],
            "changed": [
                {
                    "boss": c.boss,
                    "subordinate": c.subordinate,
                    "before": inversion_document(c.before),
                    "after": inversion_document(c.after),
                }
                for c in diff.inversions_changed
            ],
        },
        "findings": {
            "added": [_finding(x) for x in f.added],
            "escalated": [_finding(x) for x in f.escalated],
            "resolved": [_finding(x) for x in f.resolved],
            "ignored": [_finding(x) for x in f.ignored],
        },
        "roles": {
            "added": [_entry(e) for e in r.added],
            "removed": [_entry(e) for e in r.removed],
            "moved": [{"id": m.id, "before": m.before, "after": m.after} for m in r.moved],
            "alienation_changed": [
                {"id": c.id, "before": c.before, "after": c.after, "change": c.change}
                for c in r.changed
            ],
            "alienation_changed_total": r.changed_total,
            "top": r.top,
            "span_changed": _counts(diff.structure.spans),
            "span_changed_total": diff.structure.spans.total,
            "layer_changed": _counts(diff.structure.layers),
            "layer_changed_total": diff.structure.layers.total,
        },
        "clients": {"ownership_changed": [_client(c) for c in diff.clients]},
    }


def render_diff_json(diff: OrgDiff) -> str:
    """The document, indented by two spaces, ending in a newline."""
    return orjson.dumps(diff_document(diff), option=orjson.OPT_INDENT_2).decode() + "\n"
