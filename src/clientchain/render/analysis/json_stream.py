"""The JSON document's long lists rendered column by column, in chunks, byte for byte as orjson.

`json_document` builds one dict per role; at a million roles that costs seconds
and gigabytes. Here each column is encoded in a few C calls and the text that
orjson's OPT_INDENT_2 writes between values (keys, indentation, braces) is
interleaved with it by extended-slice assignment, `chunk` objects at a time.

Three facts make the C calls possible:
- orjson writes numbers without commas, so a list of numbers dumped at once
  splits back into one text per value at its commas (numpy arrays are
  dumped as such: no Python float per value).
- orjson escapes every control character inside strings, so a raw NUL never
  occurs in its output and can mark where text is to be cut (one text per
  role, say, out of all clients of a chunk rendered at once).
- The standard library's C string encoder escapes exactly as orjson does
  (the tests check every code point), without orjson's large buffer per call.

Text is built as str: str.join is several times faster than bytes.join on many
small pieces, and encoding a chunk of ASCII at the end is a copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from json.encoder import encode_basestring
from typing import Any

import numpy as np
import orjson

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.inversions import NONE
from clientchain.analyses.relations import RELATIONS
from clientchain.model.findings import Data, Finding
from clientchain.model.org import IntArray, Links
from clientchain.model.rounding import moneys, ratios

DEFAULT_CHUNK = 1_000  # objects at a time: ~1 MB of role text, cache-sized (measured fastest)
NUL = "\x00"
NULL = "null"
ARRAYS = ("roles", "inversions", "findings")  # the top-level lists rendered here
Part = str | list[str]  # the same text in every object, or one text per object
Columns = Callable[[int, int], list[Part]]  # the parts of objects lo..hi-1


class Objects:
    """The text orjson's OPT_INDENT_2 writes around the values of objects with fixed keys,
    the objects' braces `indent` spaces deep."""

    def __init__(self, keys: Sequence[str], indent: int) -> None:
        inner = "\n" + " " * (indent + 2)
        pad = "\n" + " " * indent
        self.keys = {key: "," + inner + encode_basestring(key) + ": " for key in keys[1:]}
        self.open = "{" + inner + encode_basestring(keys[0]) + ": "  # up to the first value
        self.close = pad + "}"
        self.first = "[" + pad + self.open  # opens a list and its first object
        self.next = self.close + "," + pad + self.open  # closes one object, opens the next
        self.end = self.close + "\n" + " " * (indent - 2) + "]"  # closes the last and the list

    def key(self, name: str) -> str:
        """The text between the previous value and the value of key `name`."""
        return self.keys[name]


def interleave(count: int, parts: Sequence[Part]) -> list[str]:
    """The pieces of `count` objects, part after part within each object."""
    width = len(parts)
    out = [""] * (count * width)
    for j, part in enumerate(parts):
        out[j::width] = [part] * count if isinstance(part, str) else part
    return out


def cut(pieces: list[str], tail: str) -> list[str]:
    """The texts after each NUL in the joined pieces + tail (what precedes the first NUL is
    a closing that belongs to no text, and is dropped)."""
    if not pieces:
        return []
    return ("".join(pieces) + tail).split(NUL)[1:]


def pick(texts: Any, index: IntArray) -> list[str]:
    """texts[index] for an object array of texts, at C speed."""
    picked: list[str] = texts[index].tolist()
    return picked


def text_array(texts: Sequence[str]) -> Any:
    """An object array of the texts, to `pick` from."""
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def strings(values: Sequence[str], prefix: str = "") -> list[str]:
    """prefix + each string as JSON."""
    if not values:
        return []
    return (prefix + (NUL + prefix).join(map(encode_basestring, values))).split(NUL)


def repeated_strings(values: Sequence[str | None], prefix: str = "") -> list[str]:
    """prefix + each string or None as JSON, encoding each distinct value once."""
    distinct = [value for value in set(values) if value is not None]
    encoded: dict[str | None, str] = dict(zip(distinct, strings(distinct, prefix), strict=True))
    encoded[None] = prefix + NULL
    return list(map(encoded.__getitem__, values))


def _dumps(values: np.ndarray) -> str:
    return orjson.dumps(np.ascontiguousarray(values), option=orjson.OPT_SERIALIZE_NUMPY).decode()


def numbers(values: np.ndarray) -> list[str]:
    """Each int, or float (NaN as null), as orjson writes it: one dump, cut at the commas."""
    if values.size == 0:
        return []
    return _dumps(values)[1:-1].split(",")


def plain_numbers(values: np.ndarray) -> list[str]:
    """Each value as orjson writes `plain_number(value)` (integral floats below 2**53 as ints)."""
    whole = np.isfinite(values) & (np.floor(values) == values) & (np.abs(values) < 2.0**53)
    if whole.all():
        return numbers(values.astype(np.int64))
    out = text_array(numbers(values.astype(np.float64)))
    out[whole] = numbers(values[whole].astype(np.int64))
    return list(out.tolist())


def _first_of_row(indptr: IntArray) -> IntArray:
    """For CSR rows: 1 for the entries that are the first of their row, else 0."""
    first = np.zeros(int(indptr[-1] - indptr[0]), dtype=np.int64)
    nonempty = np.diff(indptr) > 0
    first[(indptr[:-1] - indptr[0])[nonempty]] = 1
    return first


def _per_row(indptr: IntArray, lists: list[str], empty: str) -> list[str]:
    """Each CSR row's list text, `empty` for the rows without entries."""
    out = np.full(indptr.size - 1, empty, dtype=object)
    out[np.diff(indptr) > 0] = lists
    return list(out.tolist())


ROLE = Objects(
    (
        "id",
        "title",
        "reports_to",
        "department",
        "headcount",
        "inflow",
        "closeness",
        "alienation",
        "distance",
        "traced_share",
        "clients",
        "provenance",
        "provenance_rest",
        "chain_broken_at",
        "span",
        "layer",
        "serves",
        "served_share",
        "served_roles_share",
        "dotted_to",
    ),
    indent=4,
)
CLIENT = Objects(("id", "net", "relation"), indent=8)
SHARE = Objects(("client", "share"), indent=8)
BREAK = Objects(("boss", "subordinate"), indent=6)
INVERSION = Objects(
    (
        "boss",
        "subordinate",
        "levels",
        "net",
        "boss_to_subordinate",
        "subordinate_to_boss",
        "impact_headcount",
        "line",
    ),
    indent=4,
)
MONEYS = ("net", "boss_to_subordinate", "subordinate_to_boss")
LINES = text_array(strings(("solid", "dotted"), INVERSION.key("line")))  # by `dotted`
FINDING = Objects(
    ("code", "rule", "level", "message", "data", "role", "file", "line", "client", "boss"),
    indent=4,
)
_DATA_INDENT = "\n" + " " * 6  # a finding's `data` object is a value 6 spaces deep


def data_text(data: Data) -> str:
    """A finding's `data` as orjson's OPT_INDENT_2 writes it inside a finding: dumped on
    its own, then indented (strings escape newlines, so every newline is the layout's)."""
    if not data:
        return "{}"
    text = orjson.dumps(dict(data), option=orjson.OPT_INDENT_2).decode()
    return text.replace("\n", _DATA_INDENT)


def string_lists(ptr: IntArray, texts: list[str], indent: int) -> list[str]:
    """Each CSR row's list of JSON strings (`texts`, one per entry) as OPT_INDENT_2 writes
    a list whose brackets are `indent` spaces deep; "[]" for the rows without entries."""
    inner = "\n" + " " * (indent + 2)
    close = "\n" + " " * indent + "]"
    leads = text_array(["," + inner, close + NUL + "[" + inner])
    lists = cut(interleave(len(texts), [pick(leads, _first_of_row(ptr)), texts]), close)
    return _per_row(ptr, lists, "[]")


def _list_starts(layout: Objects, key: str) -> Any:
    """Leads of a list's entries, picked by first-of-row (1) or not (0): a list's first entry
    also closes the previous list and marks, with NUL, where the new list's text begins."""
    return text_array([layout.next, layout.end + NUL + key + layout.first])


class RoleColumns:
    """The parts of roles lo..hi-1, rounded exactly as `Analysis.roles_between` rounds them."""

    def __init__(self, analysis: Analysis) -> None:
        org = analysis.org
        self.analysis = analysis
        self.nodes = text_array([*strings(org.role_ids + org.client_ids), NULL])  # -1: null
        self.client_leads = _list_starts(CLIENT, ROLE.key("clients"))
        self.relations = text_array(strings(RELATIONS, CLIENT.key("relation")))
        clients = self.nodes[org.role_count : org.role_count + org.client_count].tolist()
        shares = _list_starts(SHARE, ROLE.key("provenance"))
        # Entry leads with the client's id: [next entry of client 0, 1, ..., first entry of 0, ...]
        self.share_leads = text_array([lead + c for lead in shares.tolist() for c in clients])
        inv = analysis.inversions_raw
        lead = BREAK.close + NUL + ROLE.key("chain_broken_at") + BREAK.open
        parts: list[Part] = [lead, pick(self.nodes, inv.boss), BREAK.key("subordinate")]
        parts.append(pick(self.nodes, inv.subordinate))
        breaks = cut(interleave(len(inv), parts), BREAK.close)
        self.breaks = text_array([*breaks, ROLE.key("chain_broken_at") + NULL])  # last: none

    def parts(self, lo: int, hi: int) -> list[Part]:
        a, org = self.analysis, self.analysis.org
        return [
            pick(self.nodes, np.arange(lo, hi)),
            repeated_strings(org.role_titles[lo:hi], ROLE.key("title")),
            ROLE.key("reports_to"),
            pick(self.nodes, org.parent[lo:hi]),  # NO_PARENT (-1) picks null
            repeated_strings(org.role_departments[lo:hi], ROLE.key("department")),
            ROLE.key("headcount"),
            plain_numbers(org.headcount[lo:hi]),
            ROLE.key("inflow"),
            plain_numbers(a.inflow[lo:hi]),
            ROLE.key("closeness"),
            numbers(a.closeness[lo:hi]),
            ROLE.key("alienation"),
            numbers(a.alienation[lo:hi]),
            ROLE.key("distance"),
            numbers(ratios(a.distance_raw[lo:hi])),  # NaN (untraced) is null
            ROLE.key("traced_share"),
            numbers(a.traced_share[lo:hi]),
            self._clients(lo, hi),
            self._provenance(lo, hi),
            ROLE.key("provenance_rest"),
            self._provenance_rest(lo, hi),
            pick(self.breaks, self._break_index(lo, hi)),
            ROLE.key("span"),
            numbers(a.span_raw[lo:hi]),
            ROLE.key("layer"),
            numbers(a.layer_raw[lo:hi]),
            ROLE.key("serves"),
            self._links(org.serves, lo, hi),
            ROLE.key("served_share"),
            numbers(ratios(a.served_share_raw[lo:hi])),  # NaN (serves none of the kind): null
            ROLE.key("served_roles_share"),
            numbers(ratios(a.served_roles_share_raw[lo:hi])),
            ROLE.key("dotted_to"),
            self._links(org.dotted, lo, hi),
        ]

    def _links(self, links: Links, lo: int, hi: int) -> list[str]:
        """Each role's linked ids (dotted-line bosses, whom it serves) as written."""
        if not links:
            return ["[]"] * (hi - lo)
        ptr = links.ptr[lo : hi + 1]
        ids = pick(self.nodes, links.node[int(ptr[0]) : int(ptr[-1])])
        return string_lists(ptr, ids, indent=6)

    def _clients(self, lo: int, hi: int) -> list[str]:
        a = self.analysis
        ptr = a.client_indptr[lo : hi + 1]
        c0, c1 = int(ptr[0]), int(ptr[-1])
        nets = moneys(a.client_net[c0:c1], a.org.amount_decimals)
        parts: list[Part] = [
            pick(self.client_leads, _first_of_row(ptr)),
            pick(self.nodes, a.client_payer[c0:c1]),
            CLIENT.key("net"),
            plain_numbers(nets),
            pick(self.relations, a.client_relation_raw[c0:c1]),
        ]
        lists = cut(interleave(c1 - c0, parts), CLIENT.end)
        return _per_row(ptr, lists, ROLE.key("clients") + "[]")

    def _provenance(self, lo: int, hi: int) -> list[str]:
        prov, clients = self.analysis.provenance_raw, self.analysis.org.client_count
        ptr = prov.indptr[lo : hi + 1]
        p0, p1 = int(ptr[0]), int(ptr[-1])
        leads = pick(self.share_leads, prov.client[p0:p1] + clients * _first_of_row(ptr))
        shares = numbers(ratios(prov.share[p0:p1]))
        lists = cut(interleave(p1 - p0, [leads, SHARE.key("share"), shares]), SHARE.end)
        return _per_row(ptr, lists, ROLE.key("provenance") + "[]")

    def _provenance_rest(self, lo: int, hi: int) -> list[str]:
        a, prov = self.analysis, self.analysis.provenance_raw
        ptr = prov.indptr[lo : hi + 1]
        p0, p1 = int(ptr[0]), int(ptr[-1])
        listed = np.zeros(hi - lo)  # summed in entry order, as roles_between sums
        np.add.at(listed, np.repeat(np.arange(hi - lo), np.diff(ptr)), prov.share[p0:p1])
        rest = np.maximum(0.0, np.minimum(1.0, a.traced_raw[lo:hi]) - listed)
        return numbers(ratios(rest))

    def _break_index(self, lo: int, hi: int) -> IntArray:
        broken = self.analysis.inversions_raw.broken_at[lo:hi]
        return np.where(broken == NONE, len(self.analysis.inversions_raw), broken)


def inversion_parts(analysis: Analysis, nodes: Any, lo: int, hi: int) -> list[Part]:
    inv, d = analysis.inversions_raw, analysis.org.amount_decimals
    money = {key: plain_numbers(moneys(getattr(inv, key)[lo:hi], d)) for key in MONEYS}
    return [
        pick(nodes, inv.boss[lo:hi]),
        INVERSION.key("subordinate"),
        pick(nodes, inv.subordinate[lo:hi]),
        INVERSION.key("levels"),
        numbers(inv.levels[lo:hi]),
        *[part for key in MONEYS for part in (INVERSION.key(key), money[key])],
        INVERSION.key("impact_headcount"),
        plain_numbers(inv.impact_headcount[lo:hi]),
        pick(LINES, inv.dotted[lo:hi].astype(np.int64)),
    ]


def finding_parts(findings: Sequence[Finding]) -> list[Part]:
    lines = numbers(np.array([f.line for f in findings], dtype=np.int64))
    for i, f in enumerate(findings):
        if f.client is not None:  # the optional last keys
            lines[i] += strings([f.client], FINDING.key("client"))[0]
        if f.boss is not None:
            lines[i] += strings([f.boss], FINDING.key("boss"))[0]
    return [
        repeated_strings([f.code for f in findings]),
        repeated_strings([f.rule for f in findings], FINDING.key("rule")),
        repeated_strings([f.level.value for f in findings], FINDING.key("level")),
        strings([f.message for f in findings], FINDING.key("message")),
        [FINDING.key("data") + data_text(f.data) for f in findings],
        repeated_strings([f.role or None for f in findings], FINDING.key("role")),
        repeated_strings([f.file for f in findings], FINDING.key("file")),
        FINDING.key("line"),
        lines,
    ]


def array_chunks(layout: Objects, count: int, parts: Columns, chunk: int) -> Iterator[str]:
    """The text of a list of `count` objects, `chunk` at a time."""
    if count == 0:
        yield "[]"
        return
    for lo in range(0, count, chunk):
        hi = min(count, lo + chunk)
        leads = [layout.next] * (hi - lo)
        if lo == 0:
            leads[0] = layout.first
        yield "".join(interleave(hi - lo, [leads, *parts(lo, hi)]))
    yield layout.end


def split_frame(frame: str) -> list[str]:
    """The frame's text around its empty top-level lists: one more piece than ARRAYS.

    Each marker occurs once: nested keys are indented deeper, and strings escape newlines.
    """
    pieces = []
    for key in ARRAYS:
        marker = "\n  " + encode_basestring(key) + ": "
        before, frame = frame.split(marker + "[]")
        pieces.append(before + marker)
    return [*pieces, frame]


def document_chunks(frame: dict[str, Any], analysis: Analysis, chunk: int) -> Iterator[bytes]:
    """The whole document in UTF-8 pieces; `frame` is the document with its ARRAYS empty."""
    for text in _document_texts(frame, analysis, chunk):
        yield text.encode()


def _document_texts(frame: dict[str, Any], analysis: Analysis, chunk: int) -> Iterator[str]:
    texts = split_frame(orjson.dumps(frame, option=orjson.OPT_INDENT_2).decode() + "\n")
    roles = RoleColumns(analysis)
    findings = analysis.findings
    yield texts[0]
    yield from array_chunks(ROLE, analysis.org.role_count, roles.parts, chunk)
    yield texts[1]
    yield from array_chunks(
        INVERSION,
        len(analysis.inversions_raw),
        lambda lo, hi: inversion_parts(analysis, roles.nodes, lo, hi),
        chunk,
    )
    yield texts[2]
    yield from array_chunks(
        FINDING, len(findings), lambda lo, hi: finding_parts(findings[lo:hi]), chunk
    )
    yield texts[3]
