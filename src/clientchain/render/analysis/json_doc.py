"""The JSON document of SPEC schema_version 1: one object, deterministic, no NaN."""

from __future__ import annotations

import io
from functools import partial
from threading import Event
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.clients import ClientResult, holder_ids
from clientchain.model.findings import Finding
from clientchain.model.forking import usable_cores
from clientchain.model.heap import release_freed_memory, resident_bytes
from clientchain.model.own_arena import in_own_arena
from clientchain.model.rounding import moneys, plain_number
from clientchain.render.analysis.in_turns import write_items
from clientchain.render.analysis.json_stream import DEFAULT_CHUNK, document_items

if TYPE_CHECKING:
    from clientchain.analyses.results import Inversion, RoleResult

SCHEMA_VERSION = 1
# From this many roles the render is long enough (~0.1 s) to be worth a second process,
TWO_CORES_FROM = 30_000
# while the process is this small: the copies of the pages either process writes (the
# reference counts of the texts they share, mostly: see in_turns) come on top, ~15% of
# the parent at a million roles.
TWO_CORES_RESIDENT = 768 * 2**20


def _role(role: RoleResult) -> dict[str, Any]:
    broken = role.chain_broken_at
    return {
        "id": role.id,
        "title": role.title,
        "reports_to": role.reports_to,
        "department": role.department,
        "headcount": role.headcount,
        "inflow": plain_number(role.inflow),
        "closeness": role.closeness,
        "alienation": role.alienation,
        "distance": role.distance,
        "traced_share": role.traced_share,
        "clients": [
            {"id": c.id, "net": plain_number(c.net), "relation": c.relation} for c in role.clients
        ],
        "provenance": [{"client": s.client, "share": s.share} for s in role.provenance],
        "provenance_rest": role.provenance_rest,
        "chain_broken_at": None
        if broken is None
        else {"boss": broken.boss, "subordinate": broken.subordinate},
        # SPEC Additions: appended, so the keys above never move.
        "span": role.span,
        "layer": role.layer,
        "serves": list(role.serves),
        "served_share": role.served_share,
        "served_roles_share": role.served_roles_share,
        "dotted_to": list(role.dotted_to),
    }


def client_document(client: ClientResult) -> dict[str, Any]:
    """One external client's touchpoints and ownership (SPEC Additions)."""
    return {
        "id": client.id,
        "title": client.title,
        "owner": client.owner,
        "money_out": plain_number(client.money_out),
        "touchpoints": client.touchpoints,
        "departments": list(client.departments),
        "lowest_common_boss": client.lowest_common_boss,
        "fragmented": client.fragmented,
    }


def client_documents(analysis: Analysis) -> list[dict[str, Any]]:
    """Every client's `client_document`, from the analysis' columns: `Analysis.clients`
    also names each client's touchpoints, which the document does not show (a tuple of
    ids per client: ~0.15 s at a million roles)."""
    org, reach = analysis.org, analysis.clients_raw
    owner, boss = holder_ids(org, reach)
    money_out = moneys(reach.paid, org.amount_decimals).tolist()
    touchpoints = np.diff(reach.ptr).tolist()
    return [
        {
            "id": org.client_ids[j],
            "title": org.client_titles[j],
            "owner": owner[j],
            "money_out": plain_number(money_out[j]),
            "touchpoints": touchpoints[j],
            "departments": list(reach.departments[j]),
            "lowest_common_boss": boss[j],
            "fragmented": reach.fragmented[j],
        }
        for j in range(org.client_count)
    ]


def inversion_document(inv: Inversion) -> dict[str, Any]:
    """One inversion as the JSON document (and the diff document) writes it."""
    return {
        "boss": inv.boss,
        "subordinate": inv.subordinate,
        "levels": inv.levels,
        "net": plain_number(inv.net),
        "boss_to_subordinate": plain_number(inv.boss_to_subordinate),
        "subordinate_to_boss": plain_number(inv.subordinate_to_boss),
        "impact_headcount": inv.impact_headcount,
        "line": inv.line,
    }


def finding_document(finding: Finding) -> dict[str, Any]:
    """One finding as the JSON document (and the diff document) writes it."""
    doc: dict[str, Any] = {
        "code": finding.code,
        "rule": finding.rule,
        "level": finding.level.value,
        "message": finding.message,
        "data": dict(finding.data),  # the facts the message states, as values
        "role": finding.role or None,  # None: about a client, or the whole org
        "file": finding.file,
        "line": finding.line,
    }
    if finding.client is not None:
        doc["client"] = finding.client
    if finding.boss is not None:
        doc["boss"] = finding.boss
    return doc


def json_document(analysis: Analysis) -> dict[str, Any]:
    """The whole result as plain data, in the contract's shape and order."""
    doc = _frame(analysis)
    doc["roles"] = [_role(role) for role in analysis.roles]
    doc["inversions"] = [inversion_document(inv) for inv in analysis.inversions]
    doc["findings"] = [finding_document(f) for f in analysis.findings]
    return doc


def _frame(analysis: Analysis) -> dict[str, Any]:
    """The document with its long lists (roles, inversions, findings) left empty."""
    summary = analysis.summary
    org = analysis.org
    return {
        "schema_version": SCHEMA_VERSION,
        "org": org.name,
        "currency": org.currency,
        "decay": analysis.decay,
        "summary": {
            "roles": summary.roles,
            "headcount": summary.headcount,
            "clients": summary.clients,
            "flows": summary.flows,
            "money_in": plain_number(summary.money_in),
            "org_alienation": summary.org_alienation,
            "inversions": summary.inversions,
            "unfunded_roles": summary.unfunded_roles,
            # Findings kept out of `findings`: excused by the policy, known from a baseline.
            "findings_ignored": len(analysis.ignored),
            "findings_baselined": len(analysis.baselined),
            "layers": summary.layers,
            "span_bands": dict(summary.span_bands),
            "money_by_relation": {
                relation: plain_number(amount)
                for relation, amount in summary.money_by_relation.items()
            },
            "client_money_owned": summary.client_money_owned,
        },
        "roles": [],
        "inversions": [],
        "findings": [],
        # One entry per client: short, so the frame carries it (not streamed by columns).
        "clients": client_documents(analysis),
    }


def write_json(
    analysis: Analysis,
    stream: BinaryIO,
    chunk: int = DEFAULT_CHUNK,
    two_cores: bool | None = None,
) -> None:
    """The bytes of `render_json`, written `chunk` roles at a time: never all in memory.
    Large documents are rendered on two cores when there are two and memory to spare
    (`two_cores` None), else on a thread of their own (`in_own_arena`: a compact heap);
    the bytes are the same either way."""
    large = analysis.org.role_count >= TWO_CORES_FROM
    if two_cores is None:
        two_cores = large and usable_cores() >= 2 and resident_bytes() <= TWO_CORES_RESIDENT
    if large and not two_cores:  # (a fork from a second thread is not safe)
        in_own_arena(partial(_write_json, analysis, stream, chunk, two_cores))
    else:
        _write_json(analysis, stream, chunk, two_cores)


def _write_json(
    analysis: Analysis, stream: BinaryIO, chunk: int, two_cores: bool, stop: Event | None = None
) -> None:
    frame = _frame(analysis)
    # What building the frame and the node texts touched of the heap's holes, given
    # back before the chunks come on top (see own_arena).
    release_freed_memory()
    items = list(document_items(frame, analysis, chunk))
    release_freed_memory()
    write_items(items, stream, two_cores, stop)


def render_json(analysis: Analysis, chunk: int = DEFAULT_CHUNK) -> bytes:
    """The document as UTF-8 bytes, indented, ending in a newline: exactly
    `orjson.dumps(json_document(analysis), option=orjson.OPT_INDENT_2) + b"\\n"`,
    rendered column by column (see json_stream), for speed at a million roles.
    """
    buffer = io.BytesIO()
    write_json(analysis, buffer, chunk)
    return buffer.getvalue()
