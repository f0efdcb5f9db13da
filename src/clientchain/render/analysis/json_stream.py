"""The JSON document's long lists rendered column by column, in chunks, byte for byte as orjson.

`json_document` builds one dict per role; at a million roles that costs seconds
and gigabytes. Here each column is encoded in a few C calls and the text that
orjson's OPT_INDENT_2 writes between values (keys, indentation, braces) is
interleaved with it by extended-slice assignment, `chunk` objects at a time.

Three facts make the C calls possible:
- orjson writes numbers without commas, so a list of numbers dumped at once
  splits back into one text per value at its commas (numpy arrays are
  dumped as such: no Python float per value).
- orjson escapes every control character inside strings, so a raw newline or
  NUL never occurs in a string's text: a list of strings dumped indented splits
  back into one text per string at its newlines, and a NUL can mark where text
  is to be cut (one text per role, say, out of all clients of a chunk).
- Every string is encoded by orjson itself, so escapes are orjson's by definition.

Every piece costs a Python object and a step of the join, so pieces are saved where
the values allow: a column whose values are all the same in a chunk (nulls, 1.0, a flag
no role sets) is one text merged into the constant text around it; small ints (spans,
layers, headcounts) are picked from a table of their texts; short lists of even length
(provenance's top clients) are written slot by slot, straight into the chunk's text,
instead of joined per role and cut apart again.

Text is built as bytes, never str: orjson writes bytes (no decoding, no encoding
of a chunk), and a non-ASCII id or title cannot make a chunk's text wide (two or
four bytes a character) and its encoding slow. (str.join is faster than bytes.join
on many small pieces, but bytes.split makes its pieces faster: at a million roles
the two were even on ASCII text and bytes ~10% faster on non-ASCII.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, partial
from operator import attrgetter, itemgetter
from string import Formatter
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import orjson

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.inversions import NONE
from clientchain.analyses.relations import RELATIONS
from clientchain.model.findings import (
    Choice,
    Finding,
    FindingRows,
    Findings,
    Floats,
    Ids,
    MaybeIds,
    Money,
    Phrases,
)
from clientchain.model.org import IntArray, Links, Org
from clientchain.model.rounding import moneys, ratios
from clientchain.model.texts import TextColumn
from clientchain.render.analysis.in_turns import Item

if TYPE_CHECKING:
    from clientchain.model.findings import Fact, Shown

DEFAULT_CHUNK = 1_000  # objects at a time: ~1 MB of role text, cache-sized (measured fastest)
NUL = b"\x00"
NULL = b"null"
EMPTY = b""
ARRAYS = ("roles", "inversions", "findings")  # the top-level lists rendered here
Part = bytes | list[bytes]  # the same text in every object, or one text per object
Columns = Callable[[int, int], list[Part]]  # the parts of objects lo..hi-1
_ITEM = b",\n  "  # between the items of a list orjson dumps on its own, indented


class Objects:
    """The text orjson's OPT_INDENT_2 writes around the values of objects with fixed keys,
    the objects' braces `indent` spaces deep."""

    def __init__(self, keys: Sequence[str], indent: int) -> None:
        inner = b"\n" + b" " * (indent + 2)
        pad = b"\n" + b" " * indent
        self.keys = {key: b"," + inner + orjson.dumps(key) + b": " for key in keys[1:]}
        self.open = b"{" + inner + orjson.dumps(keys[0]) + b": "  # up to the first value
        self.close = pad + b"}"
        self.first = b"[" + pad + self.open  # opens a list and its first object
        self.next = self.close + b"," + pad + self.open  # closes one object, opens the next
        self.end = self.close + b"\n" + b" " * (indent - 2) + b"]"  # closes the last and the list

    def key(self, name: str) -> bytes:
        """The text between the previous value and the value of key `name`."""
        return self.keys[name]


def interleave(count: int, parts: Sequence[Part]) -> list[bytes]:
    """The pieces of `count` objects, part after part within each object."""
    width = len(parts)
    out = [EMPTY] * (count * width)
    for j, part in enumerate(parts):
        out[j::width] = [part] * count if isinstance(part, bytes) else part
    return out


def merged(parts: Sequence[Part]) -> list[Part]:
    """Adjacent texts that are the same in every object joined into one part (fewer
    pieces to interleave and join)."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, bytes) and out and isinstance(out[-1], bytes):
            out[-1] += part
        else:
            out.append(part)
    return out


def cut(pieces: list[bytes], tail: bytes) -> list[bytes]:
    """The texts after each NUL in the joined pieces + tail (what precedes the first NUL is
    a closing that belongs to no text, and is dropped)."""
    if not pieces:
        return []
    pieces.append(tail)
    return b"".join(pieces).split(NUL)[1:]


def pick(texts: Any, index: IntArray) -> list[bytes]:
    """texts[index] for an object array of texts, at C speed."""
    picked: list[bytes] = texts[index].tolist()
    return picked


def pick_part(texts: Any, index: IntArray) -> Part:
    """`pick`, as one text for all when the index is the same throughout (a flag that no
    object of the chunk sets): it joins the constant text around it."""
    if index.size and same_in_all(index):
        return bytes(texts[int(index[0])])
    return pick(texts, index)


def text_array(texts: Sequence[bytes]) -> Any:
    """An object array of the texts, to `pick` from."""
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def strings(values: Sequence[str | None], prefix: bytes = EMPTY) -> list[bytes]:
    """prefix + each string (None: null) as orjson writes it: one indented dump of them all,
    cut at the newlines between the items (a string's own newlines are escaped)."""
    if not values:
        return []
    inner = orjson.dumps(values, option=orjson.OPT_INDENT_2)[4:-2]  # no '[\n  ', '\n]'
    if not prefix:
        return inner.split(_ITEM)
    return (prefix + inner.replace(_ITEM, NUL + prefix)).split(NUL)


def repeated_strings(
    values: Sequence[Any], prefix: bytes = EMPTY, suffix: bytes = EMPTY
) -> list[bytes]:
    """prefix + each string + suffix, for a column with few distinct values (codes,
    levels, files): each distinct value encoded once."""
    distinct = list(set(values))
    texts = [text + suffix for text in strings(distinct, prefix)]
    return list(map(dict(zip(distinct, texts, strict=True)).__getitem__, values))


def _dumps(values: np.ndarray) -> bytes:
    return orjson.dumps(np.ascontiguousarray(values), option=orjson.OPT_SERIALIZE_NUMPY)


SMALL = 1_024  # non-negative ints below this are picked from a table of their texts


@cache
def small_ints(prefix: bytes) -> Any:
    """prefix + each int 0..SMALL-1 as orjson writes it (a table to `pick` from)."""
    return text_array(_split_numbers(np.arange(SMALL), prefix))


def numbers(values: np.ndarray, prefix: bytes = EMPTY) -> list[bytes]:
    """prefix + each int, or float (NaN as null), as orjson writes it: one dump, cut at
    the commas (small counts, levels and spans: picked from a table, no text made)."""
    if values.size == 0:
        return []
    if values.dtype.kind in "iu" and values.min() >= 0 and values.max() < SMALL:
        return pick(small_ints(prefix), values)
    return _split_numbers(values, prefix)


def _split_numbers(values: np.ndarray, prefix: bytes) -> list[bytes]:
    """prefix + each number's text out of one dump of them all."""
    if not prefix:
        return _dumps(values)[1:-1].split(b",")
    return (prefix + _dumps(values)[1:-1].replace(b",", NUL + prefix)).split(NUL)


def same_in_all(values: np.ndarray) -> bool:
    """Whether every value has the same bits (0.0 and -0.0 differ, as their texts do)."""
    bits = values.view(f"u{values.itemsize}") if values.dtype.kind == "f" else values
    return bool(bits[-1] == bits[0] and (bits == bits[0]).all())


def number_part(values: np.ndarray, prefix: bytes = EMPTY) -> Part:
    """`numbers`, as one text for all when the values are the same (a column of nulls,
    of 1.0): it joins the constant text around it, no piece per object."""
    if values.size and same_in_all(values):
        return numbers(values[:1], prefix)[0]
    return numbers(values, prefix)


def plain_part(values: np.ndarray, prefix: bytes = EMPTY) -> Part:
    """`plain_numbers`, as one text for all when the values are the same."""
    if values.size and same_in_all(values):
        return plain_numbers(values[:1], prefix)[0]
    return plain_numbers(values, prefix)


def string_part(values: Sequence[str | None], prefix: bytes = EMPTY) -> Part:
    """`strings`, as one text for all when the values are the same (no titles: nulls)."""
    if values and values[-1] == values[0] and values.count(values[0]) == len(values):
        return strings(values[:1], prefix)[0]
    return strings(values, prefix)


def text_part(org: Org, name: str, lo: int, hi: int, prefix: bytes = EMPTY) -> Part:
    """`string_part` of entries lo..hi-1 of the org's text column `name` (role_titles,
    ...), read from its bytes while it has not been decoded: a million titles as Python
    strings are ~100 MB that the render would hold to its end."""
    column = org.text_column(name)
    if column is None:
        return string_part(getattr(org, name)[lo:hi], prefix)
    return column_part(column, lo, hi, prefix)


def column_part(column: TextColumn, lo: int, hi: int, prefix: bytes = EMPTY) -> Part:
    """`string_part` of the texts of entries lo..hi-1 (lo < hi), made from the column's
    bytes where orjson would write them as they are (no escapes, no nulls)."""
    if column.null is not None:
        nulls = column.null[lo:hi]
        if nulls.all():
            return prefix + NULL
        if nulls.any():
            return string_part(column.decode(lo, hi), prefix)
    if not column.is_packed:
        return string_part(column.decode(lo, hi), prefix)
    # Packed: the texts in order, each ended by a line break; UTF-8 checked at load.
    raw = column.buf[int(column.start[lo]) : int(column.end[hi - 1])]
    text = raw.tobytes()
    # A quote, a backslash or a control other than the hi - lo - 1 line breaks between
    # the texts: orjson escapes it.
    if b'"' in text or b"\\" in text or np.count_nonzero(raw < 0x20) != hi - lo - 1:
        return string_part(column.decode(lo, hi), prefix)
    quoted = b'"' + NUL + prefix + b'"'
    texts = (prefix + b'"' + text.replace(b"\n", quoted) + b'"').split(NUL)
    if texts[-1] == texts[0] and texts.count(texts[0]) == len(texts):
        return texts[0]
    return texts


def plain_numbers(values: np.ndarray, prefix: bytes = EMPTY) -> list[bytes]:
    """prefix + each value as orjson writes `plain_number(value)` (integral floats below
    2**53 as ints)."""
    whole = np.isfinite(values) & (np.floor(values) == values) & (np.abs(values) < 2.0**53)
    if whole.all():
        return numbers(values.astype(np.int64), prefix)
    out = text_array(numbers(values.astype(np.float64), prefix))
    out[whole] = numbers(values[whole].astype(np.int64), prefix)
    return list(out.tolist())


def _first_of_row(indptr: IntArray) -> IntArray:
    """For CSR rows: 1 for the entries that are the first of their row, else 0."""
    first = np.zeros(int(indptr[-1] - indptr[0]), dtype=np.int64)
    nonempty = np.diff(indptr) > 0
    first[(indptr[:-1] - indptr[0])[nonempty]] = 1
    return first


def _last_of_row(indptr: IntArray) -> IntArray:
    """For CSR rows: 1 for the entries that are the last of their row, else 0."""
    last = np.zeros(int(indptr[-1] - indptr[0]), dtype=np.int64)
    nonempty = np.diff(indptr) > 0
    last[(indptr[1:] - indptr[0] - 1)[nonempty]] = 1
    return last


def _per_row(indptr: IntArray, lists: list[bytes], empty: bytes) -> list[bytes]:
    """Each CSR row's list text, `empty` for the rows without entries."""
    nonempty = np.diff(indptr) > 0
    if nonempty.all():
        return lists
    out = np.full(indptr.size - 1, empty, dtype=object)
    out[nonempty] = lists
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
# chain_broken_at up to `span`'s value when the chain is whole; when it is broken, the
# text up to the boss's id, between the two ids, and after the subordinate's id.
UNBROKEN = ROLE.key("chain_broken_at") + NULL + ROLE.key("span")
BROKEN_OPEN = ROLE.key("chain_broken_at") + BREAK.open
BROKEN_MID = BREAK.key("subordinate")
BROKEN_CLOSE = BREAK.close + ROLE.key("span")
SLOTS = 8  # lists (clients, provenance) up to this long are written slot by slot, when
SLOTS_FILLED = 1.25  # the slots are full enough: an empty slot costs what a cut saves


def data_texts(datas: list[dict[str, Any]]) -> list[bytes]:
    """Each finding's `data` object as orjson's OPT_INDENT_2 writes it inside a finding,
    without its braces: the list of them dumped at once, two lists deep so that each
    object's braces are 6 spaces deep as in a finding, and cut between the objects
    (strings escape newlines, so every newline is the layout's; keys lie deeper)."""
    text = orjson.dumps([[datas]], option=orjson.OPT_INDENT_2)
    return text[len(_DATA_OPEN) : -len(_DATA_CLOSE)].split(b"},\n      {")


_DATA_OPEN = b"[\n  [\n    [\n      {"
_DATA_CLOSE = b"}\n    ]\n  ]\n]"


def string_lists(ptr: IntArray, texts: list[bytes], indent: int) -> list[bytes]:
    """Each CSR row's list of JSON strings (`texts`, one per entry) as OPT_INDENT_2 writes
    a list whose brackets are `indent` spaces deep; "[]" for the rows without entries."""
    inner = b"\n" + b" " * (indent + 2)
    close = b"\n" + b" " * indent + b"]"
    leads = text_array([b"," + inner, close + NUL + b"[" + inner])
    lists = cut(interleave(len(texts), [pick(leads, _first_of_row(ptr)), texts]), close)
    return _per_row(ptr, lists, b"[]")


def fits_slots(ptr: IntArray) -> bool:
    """Whether CSR rows' lists are short and even enough to be written slot by slot."""
    counts = np.diff(ptr)
    most = int(counts.max())
    return most <= SLOTS and most * counts.size <= SLOTS_FILLED * int(ptr[-1] - ptr[0])


def slot_parts(
    ptr: IntArray, entries: Sequence[Any], opens: tuple[bytes, bytes], end: bytes
) -> list[Part]:
    """CSR rows' lists slot by slot: for each k below the longest list, every row's k-th
    entry (`opens[0]` before a first entry, `opens[1]` before the others, then one text
    per `entries` column: object arrays, a text per entry), nothing for the rows with
    fewer; then `end`, or "[]" for a row without entries. The entries go straight into
    the chunk's text: no text per row joined and cut."""
    counts = np.diff(ptr)
    rows, starts = counts.size, ptr[:-1] - ptr[0]
    out: list[Part] = []
    for k in range(int(counts.max())):
        has = counts > k
        at = starts[has] + k
        full = at.size == rows
        opening = opens[min(k, 1)]
        if opening:
            flags = has.astype(np.int64)  # 1: the row has a k-th entry
            out.append(opening if full else pick(text_array([EMPTY, opening]), flags))
        for texts in entries:
            if full:
                out.append(texts[at].tolist())
            else:
                column = np.full(rows, EMPTY, dtype=object)
                column[has] = texts[at]
                out.append(column.tolist())
    out.append(pick_part(text_array([b"[]", end]), (counts > 0).astype(np.int64)))
    return out


def _list_starts(layout: Objects, key: str) -> Any:
    """Leads of a list's entries, picked by first-of-row (1) or not (0): a list's first entry
    also closes the previous list and marks, with NUL, where the new list's text begins."""
    return text_array([layout.next, layout.end + NUL + key.encode() + layout.first])


def node_texts(org: Org) -> Any:
    """Every node's id as JSON (roles, then clients), then EMPTY and NULL: an object
    array to `pick` from. Encoded a slice at a time: one dump of a million ids is a
    transient ~100 MB on top of the texts. Role ids still in bytes are quoted where
    they lie (`column_part`), never made strings (0.1-0.2 s at a million roles)."""
    column, clients = org.text_column("role_ids"), org.client_ids
    roles = org.role_ids if column is None else None
    r, c = org.role_count, len(clients)
    out = np.empty(r + c + 2, dtype=object)
    for a in range(0, r, _IDS_AT_A_TIME):
        b = min(r, a + _IDS_AT_A_TIME)
        if roles is not None:
            out[a:b] = strings(roles[a:b])
        else:
            assert column is not None
            part = column_part(column, a, b)
            out[a:b] = [part] * (b - a) if isinstance(part, bytes) else part  # one id
    out[r : r + c] = strings(clients)
    out[r + c :] = [EMPTY, NULL]
    return out


_IDS_AT_A_TIME = 65_536


class RoleColumns:
    """The parts of roles lo..hi-1, rounded exactly as `Analysis.roles_between` rounds them."""

    def __init__(self, analysis: Analysis) -> None:
        org = analysis.org
        self.analysis = analysis
        # Every node's id as JSON; -2: nothing, NO_PARENT (-1): null.
        self.nodes = node_texts(org)
        # A client entry's relation and what follows it, by relation * 2 + (last in its
        # row): the next entry's opening, or the list's end, NUL, the next list's opening.
        ends = (CLIENT.next, CLIENT.end + NUL + CLIENT.first)
        self.relations = text_array(strings(RELATIONS, CLIENT.key("relation")))
        self.relation_ends = text_array([text + end for text in self.relations for end in ends])
        clients = self.nodes[org.role_count : org.role_count + org.client_count].tolist()
        shares = _list_starts(SHARE, "")
        key = SHARE.key("share")
        # Entry leads with the client's id, up to the share's value:
        # [next entry of client 0, 1, ..., first entry of 0, ...]
        self.share_leads = text_array([lead + c + key for lead in shares.tolist() for c in clients])
        # The same for lists written slot by slot (no NUL).
        self.share_opens = text_array(
            [lead + c + key for lead in (SHARE.next, SHARE.first) for c in clients]
        )

    def parts(self, lo: int, hi: int) -> list[Part]:
        a, org = self.analysis, self.analysis.org
        closeness = a.closeness_raw[lo:hi]
        return merged(
            [
                self.nodes[lo:hi].tolist(),
                text_part(org, "role_titles", lo, hi, ROLE.key("title")),
                ROLE.key("reports_to"),
                pick(self.nodes, org.parent[lo:hi]),  # NO_PARENT (-1) picks null
                text_part(org, "role_departments", lo, hi, ROLE.key("department")),
                plain_part(org.headcount[lo:hi], ROLE.key("headcount")),
                # Rounded here, a chunk at a time, as Analysis.inflow, .closeness,
                # .alienation and .traced_share round the whole column (elementwise):
                # no four columns of a million floats held for the render.
                plain_part(moneys(a.graph.inflow[lo:hi], org.amount_decimals), ROLE.key("inflow")),
                number_part(ratios(closeness), ROLE.key("closeness")),
                number_part(ratios(1.0 - closeness), ROLE.key("alienation")),
                # NaN (untraced) is null
                number_part(ratios(a.distance_raw[lo:hi]), ROLE.key("distance")),
                number_part(ratios(np.minimum(a.traced_raw[lo:hi], 1.0)), ROLE.key("traced_share")),
                ROLE.key("clients"),
                *self._clients(lo, hi),
                ROLE.key("provenance"),
                *self._provenance(lo, hi),
                number_part(self._provenance_rest(lo, hi), ROLE.key("provenance_rest")),
                *self._broken(lo, hi),
                number_part(a.span_raw[lo:hi]),
                number_part(a.layer_raw[lo:hi], ROLE.key("layer")),
                ROLE.key("serves"),
                self._links(org.serves, lo, hi),
                # NaN (serves none of the kind): null
                number_part(ratios(a.served_share_raw[lo:hi]), ROLE.key("served_share")),
                number_part(
                    ratios(a.served_roles_share_raw[lo:hi]), ROLE.key("served_roles_share")
                ),
                ROLE.key("dotted_to"),
                self._links(org.dotted, lo, hi),
            ]
        )

    def _links(self, links: Links, lo: int, hi: int) -> Part:
        """Each role's linked ids (dotted-line bosses, whom it serves) as written."""
        if not links:
            return b"[]"
        ptr = links.ptr[lo : hi + 1]
        if ptr[0] == ptr[-1]:
            return b"[]"
        ids = pick(self.nodes, links.node[int(ptr[0]) : int(ptr[-1])])
        return string_lists(ptr, ids, indent=6)

    def _clients(self, lo: int, hi: int) -> list[Part]:
        a = self.analysis
        ptr = a.client_indptr[lo : hi + 1]
        c0, c1 = int(ptr[0]), int(ptr[-1])
        if c0 == c1:
            return [b"[]"]
        nets = moneys(a.client_net[c0:c1], a.org.amount_decimals)
        relations = a.client_relation_raw[c0:c1].astype(np.int64)
        if fits_slots(ptr):
            entries = [
                self.nodes[a.client_payer[c0:c1]],
                text_array(plain_numbers(nets, CLIENT.key("net"))),
                self.relations[relations],
            ]
            return slot_parts(ptr, entries, (CLIENT.first, CLIENT.next), CLIENT.end)
        # Three pieces an entry: its id, its net with the key before, its relation with
        # what follows (each row's text ends at a NUL, and the next begins after it).
        pieces = interleave(
            c1 - c0,
            [
                pick(self.nodes, a.client_payer[c0:c1]),
                plain_part(nets, CLIENT.key("net")),
                pick(self.relation_ends, 2 * relations + _last_of_row(ptr)),
            ],
        )
        pieces[0] = CLIENT.first + pieces[0]  # (not an insert: it would move every piece)
        lists = b"".join(pieces).split(NUL)[:-1]  # the last opening belongs to no row
        return [_per_row(ptr, lists, b"[]")]

    def _provenance(self, lo: int, hi: int) -> list[Part]:
        """Each role's provenance list. Short lists (top-K, K small) slot by slot: the
        k-th entry of every role is a part (nothing for roles with fewer entries), so the
        entries go straight into the chunk's text, never joined and cut per role."""
        prov, clients = self.analysis.provenance_raw, self.analysis.org.client_count
        ptr = prov.indptr[lo : hi + 1]
        p0, p1 = int(ptr[0]), int(ptr[-1])
        if p0 == p1:
            return [b"[]"]
        if not fits_slots(ptr):
            return [self._provenance_lists(lo, hi)]  # long lists, or slots mostly empty
        opens = self.share_opens[prov.client[p0:p1] + clients * _first_of_row(ptr)]
        shares = text_array(numbers(ratios(prov.share[p0:p1])))
        return slot_parts(ptr, [opens, shares], (EMPTY, EMPTY), SHARE.end)

    def _provenance_lists(self, lo: int, hi: int) -> Part:
        """Each role's provenance list as one text (lists that do not fit slots)."""
        prov, clients = self.analysis.provenance_raw, self.analysis.org.client_count
        ptr = prov.indptr[lo : hi + 1]
        p0, p1 = int(ptr[0]), int(ptr[-1])
        leads = pick(self.share_leads, prov.client[p0:p1] + clients * _first_of_row(ptr))
        shares = numbers(ratios(prov.share[p0:p1]))
        lists = cut(interleave(p1 - p0, [leads, shares]), SHARE.end)
        return _per_row(ptr, lists, b"[]")

    def _provenance_rest(self, lo: int, hi: int) -> np.ndarray:
        a, prov = self.analysis, self.analysis.provenance_raw
        ptr = prov.indptr[lo : hi + 1]
        p0, p1 = int(ptr[0]), int(ptr[-1])
        # Summed in entry order, as roles_between sums (bincount adds in input order).
        role = np.repeat(np.arange(hi - lo), np.diff(ptr))
        listed = np.bincount(role, weights=prov.share[p0:p1], minlength=hi - lo)
        return ratios(np.maximum(0.0, np.minimum(1.0, a.traced_raw[lo:hi]) - listed))

    def _broken(self, lo: int, hi: int) -> list[Part]:
        """chain_broken_at, up to the value of `span`: null, or the pair's ids; one text
        per role (not five) when some roles of the chunk have a break and some not."""
        inv = self.analysis.inversions_raw
        broken = inv.broken_at[lo:hi]
        has = broken != NONE
        if not has.any():
            return [UNBROKEN]
        rows = np.flatnonzero(has)
        pairs = broken[rows]
        # The texts of the broken ones: each opens with a NUL, where `cut` cuts.
        texts = cut(
            interleave(
                rows.size,
                [
                    NUL + BROKEN_OPEN,
                    pick(self.nodes, inv.boss[pairs]),
                    BROKEN_MID,
                    pick(self.nodes, inv.subordinate[pairs]),
                    BROKEN_CLOSE,
                ],
            ),
            EMPTY,
        )
        if rows.size == hi - lo:
            return [texts]
        out = np.full(hi - lo, UNBROKEN, dtype=object)
        out[rows] = texts
        return [out.tolist()]


def inversion_parts(analysis: Analysis, nodes: Any, lo: int, hi: int) -> list[Part]:
    inv, d = analysis.inversions_raw, analysis.org.amount_decimals
    money = {key: plain_part(moneys(getattr(inv, key)[lo:hi], d)) for key in MONEYS}
    return [
        pick(nodes, inv.boss[lo:hi]),
        INVERSION.key("subordinate"),
        pick(nodes, inv.subordinate[lo:hi]),
        INVERSION.key("levels"),
        number_part(inv.levels[lo:hi]),
        *[part for key in MONEYS for part in (INVERSION.key(key), money[key])],
        INVERSION.key("impact_headcount"),
        plain_part(inv.impact_headcount[lo:hi]),
        pick_part(LINES, inv.dotted[lo:hi].astype(np.int64)),
    ]


_FINDING_COLUMNS = attrgetter(
    "code", "rule", "level", "message", "data", "role", "file", "line", "client", "boss"
)


def _optional_strings(values: Sequence[str | None], prefix: bytes) -> Part:
    """prefix + each string as JSON, nothing for None (a key left out)."""
    absent = values.count(None)
    if absent == len(values):
        return EMPTY
    texts = strings(values, prefix)
    if not absent:
        return texts
    nothing = {prefix + NULL: EMPTY}
    return list(map(nothing.get, texts, texts))


def finding_parts(findings: Sequence[Finding]) -> list[Part]:
    """The parts of these findings, column by column (no Python code per finding)."""
    columns = list(zip(*map(_FINDING_COLUMNS, findings), strict=True))
    code, rule, level, message, data, role, file, line, client, boss = columns
    key = FINDING.key
    # Levels are few Level members: each written once, by its value.
    levels = {lvl: strings([lvl.value])[0] + key("message") for lvl in set(level)}
    roles = strings(role)
    if "" in role:  # about a client, or the whole org: the role is null
        roles = list(map({b'""': NULL}.get, roles, roles))
    # Each constant key travels with the value before it (fewer pieces to join).
    return merged(
        [
            repeated_strings(code, suffix=key("rule")),
            repeated_strings(rule, suffix=key("level")),
            list(map(levels.__getitem__, level)),
            strings(message),
            key("data") + b"{",
            data_texts(list(map(dict, data))),
            b"}" + key("role"),
            roles,
            repeated_strings(file, key("file"), key("line")),
            numbers(np.fromiter(line, dtype=np.int64, count=len(line))),
            _optional_strings(client, FINDING.key("client")),  # the optional last keys
            _optional_strings(boss, FINDING.key("boss")),
        ]
    )


_QUOTE = b'"'
_unquoted = itemgetter(slice(1, -1))  # a JSON string's text without its quotes


def escaped(text: str) -> bytes:
    """The text as it reads inside a JSON string: orjson escapes character by character,
    so a message's text is the concatenation of its pieces' texts."""
    return orjson.dumps(text)[1:-1]


def write_list_items(stream: BinaryIO, chunks: Iterable[Sequence[Any]], depth: int) -> bool:
    """The items of a list that sits at `depth` in an indented orjson dump (items at
    2 * depth spaces), written a chunk at a time, each chunk dumped on its own and
    indented to that depth (a text holds no raw line break: every line break in a dump
    is the layout's); whether any item was written. The caller writes the list's
    opening bracket before, and `list_end(depth, written)` after."""
    pad = b" " * (2 * depth - 2)  # orjson indents a dumped list's items by 2
    written = False
    for chunk in chunks:
        if not chunk:
            continue
        items = orjson.dumps(list(chunk), option=orjson.OPT_INDENT_2)[2:-2]  # no "[\n", "\n]"
        if pad:
            items = pad + items.replace(b"\n", b"\n" + pad)
        stream.write((b",\n" if written else b"\n") + items)
        written = True
    return written


def list_end(depth: int, written: bool) -> bytes:
    """What closes a list written by `write_list_items`."""
    return b"\n" + b" " * (2 * depth - 2) + b"]" if written else b"]"


def bare_strings(values: Sequence[str]) -> list[bytes]:
    """Each string as it reads inside a JSON string (no quotes): one dump, cut where one
    string ends and the next begins (a string's own quotes and newlines are escaped)."""
    if not values:
        return []
    return orjson.dumps(values, option=orjson.OPT_INDENT_2)[5:-3].split(b'",\n  "')


# ",000" .. ",999" by value, and nothing at 1000: the groups after an amount's first.
_GROUPS = text_array([b",%03d" % g for g in range(1000)] + [EMPTY])
_SIGNS = text_array([EMPTY, b"-"])


def money_parts(money: Money) -> list[Part]:
    """The amounts' texts (`Money.texts`) as parts. Whole amounts without decimals (a
    budget in whole euros) in numpy: the leading digits, then each further group of
    three from a table; any others by `Money.texts`."""
    amount = money.amount
    if money.decimals or not (np.floor(amount) == amount).all() or abs(amount).max() >= 1e15:
        return [bare_strings(money.texts())]
    whole = np.abs(amount).astype(np.int64)
    groups = np.searchsorted(np.asarray([1e3, 1e6, 1e9, 1e12]), whole, side="right")
    out: list[Part] = []
    if (amount < 0).any():
        out.append(pick(_SIGNS, (amount < 0).astype(np.int64)))
    out.append(numbers(whole // 1000**groups))  # the leading one to three digits
    for column in range(int(groups.max())):  # then each amount's groups, the highest first
        at = groups - 1 - column  # the group's place is 1000**at; < 0: the amount has no more
        value = np.where(at >= 0, whole // 1000 ** np.maximum(at, 0) % 1000, 1000)
        out.append(pick(_GROUPS, value))
    if money.currency:
        out.append(b" " + escaped(money.currency))
    return out


class FindingTexts:
    """The parts of findings written from their rule's columns (`FindingColumns`): no
    `Finding` made, the message filled in by interleaving its template's literal text
    with each field's column."""

    def __init__(self, nodes: Any) -> None:
        self.nodes = nodes  # every node's id as JSON, as RoleColumns holds them

    def parts(self, found: FindingRows, rows: IntArray) -> list[Part]:
        """The parts of `found`'s findings at `rows` (it has `columns`)."""
        assert found.columns is not None
        columns, line = found.columns(rows), found.line[rows]
        rule, key = found.rule, FINDING.key
        head = b"".join(
            [
                orjson.dumps(rule.code) + key("rule"),
                orjson.dumps(rule.name) + key("level"),
                orjson.dumps(rule.level.value) + key("message"),
            ]
        )
        role = NULL if columns.role is None else pick(self.nodes, columns.role.node)
        return merged(
            [
                head,
                *self.message(rule.template, columns.shown),
                key("data") + b"{",
                *self._data(columns.data),
                b"}" + key("role"),
                role,  # null: about a client, or the whole org
                key("file") + orjson.dumps(found.file) + key("line"),
                numbers(line),
                *self._optional(columns.client, "client"),
                *self._optional(columns.boss, "boss"),
            ]
        )

    def message(self, template: str, shown: dict[str, Shown]) -> list[Part]:
        """The parts of the messages: the template's literal text between its fields'
        columns, as one JSON string (quotes included)."""
        out: list[Part] = [_QUOTE]
        for literal, name, spec, conversion in Formatter().parse(template):
            out.append(escaped(literal))
            if name is not None:
                assert not spec and conversion is None, template  # plain {name} fields only
                out.extend(self._shown(shown[name]))
        out.append(_QUOTE)
        return out

    def _shown(self, column: Shown) -> list[Part]:
        if isinstance(column, Ids):
            return [list(map(_unquoted, pick(self.nodes, column.node)))]
        if isinstance(column, Choice):
            return [pick_part(text_array([escaped(o) for o in column.options]), column.index)]
        if isinstance(column, Money):
            return money_parts(column)
        if isinstance(column, Phrases):
            return [self._phrases(column)]
        if isinstance(column, list):
            return [bare_strings(column)]
        return [number_part(column)]  # integers: as written

    def _phrases(self, phrases: Phrases) -> list[bytes]:
        """Each finding's text of pieces: the pieces' texts in a row, a NUL after each
        finding's last, one join and one split."""
        ptr, count = phrases.ptr, phrases.ptr.size - 1
        piece = phrases.piece[int(ptr[0]) : int(ptr[-1])]  # (ptr may start past 0)
        ptr = ptr - ptr[0]
        words = piece < 0
        texts = np.empty(piece.size, dtype=object)
        texts[~words] = list(map(_unquoted, pick(self.nodes, piece[~words])))
        texts[words] = pick(text_array([escaped(t) for t in phrases.texts]), -1 - piece[words])
        row = np.repeat(np.arange(count), np.diff(ptr))
        joined = np.empty(piece.size + count, dtype=object)
        joined[:] = NUL  # (np.full would store b"": numpy strips a bytes value's NULs)
        joined[np.arange(piece.size) + row] = texts
        return b"".join(joined.tolist()).split(NUL)[:-1]

    def _data(self, facts: tuple[tuple[str, Fact], ...]) -> list[Part]:
        if not facts:
            return []
        out: list[Part] = []
        for i, (name, fact) in enumerate(facts):
            out.append((b"," if i else EMPTY) + _DATA_KEY + orjson.dumps(name) + b": ")
            out.append(self._fact(fact))
        out.append(_DATA_END)
        return out

    def _fact(self, fact: Fact) -> Part:
        if isinstance(fact, Ids):
            return pick(self.nodes, fact.node)
        if isinstance(fact, MaybeIds):
            texts = pick(self.nodes, np.maximum(fact.node, 0))
            for i in np.flatnonzero(fact.node < 0).tolist():
                texts[i] = NULL
            return texts
        if isinstance(fact, Floats):
            return number_part(fact.values)  # NaN: null
        if isinstance(fact, np.ndarray):
            return number_part(fact) if fact.dtype.kind in "iu" else plain_part(fact)
        return orjson.dumps(fact)  # the same in every finding

    def _optional(self, ids: Ids | None, name: str) -> list[Part]:
        """The key and the ids, or nothing (the key left out)."""
        return [] if ids is None else [FINDING.key(name), pick(self.nodes, ids.node)]


_DATA_KEY = b"\n        "  # a data key's indentation (the finding's braces are 4 deep)
_DATA_END = b"\n      "


def findings_parts(
    findings: Sequence[Finding], texts: FindingTexts, lo: int, hi: int
) -> list[Part]:
    """The parts of findings lo..hi-1: rules with columns written from them, the others
    (and findings after a baseline, a plain tuple) from `Finding` objects."""
    if not isinstance(findings, Findings):
        return finding_parts(findings[lo:hi])
    groups = findings.rows(lo, hi)
    if len(groups) == 1 and groups[0][0].columns is not None:
        part, rows, _ = groups[0]
        return texts.parts(part, rows)
    # Several rules in the chunk: each rule's findings whole, then put in their places.
    out = np.empty(hi - lo, dtype=object)
    for part, rows, places in groups:
        if part.columns is None:
            parts = finding_parts(part.build(rows.tolist()))
        else:
            parts = texts.parts(part, rows)
        out[places] = cut(interleave(rows.size, [NUL, *parts]), EMPTY)
    return [list(out.tolist())]


def array_chunks(layout: Objects, count: int, parts: Columns, chunk: int) -> Iterator[Item]:
    """The text of a list of `count` objects: its brackets, and a job per `chunk` objects
    (each renders its objects' text from the columns alone, in any process, any order)."""
    if count == 0:
        yield b"[]"
        return
    yield layout.first
    for lo in range(0, count, chunk):
        yield partial(_objects_text, layout, count, parts, lo, min(count, lo + chunk))
    yield layout.end


def _objects_text(layout: Objects, count: int, parts: Columns, lo: int, hi: int) -> bytes:
    # Each object is followed by what closes it and opens the next; the last by nothing.
    after: Part = layout.next if hi < count else [layout.next] * (hi - lo - 1) + [EMPTY]
    return b"".join(interleave(hi - lo, merged([*parts(lo, hi), after])))


def split_frame(frame: bytes) -> list[bytes]:
    """The frame's text around its empty top-level lists: one more piece than ARRAYS.

    Each marker occurs once: nested keys are indented deeper, and strings escape newlines.
    """
    pieces = []
    for key in ARRAYS:
        marker = b"\n  " + orjson.dumps(key) + b": "
        before, frame = frame.split(marker + b"[]")
        pieces.append(before + marker)
    return [*pieces, frame]


def document_items(frame: dict[str, Any], analysis: Analysis, chunk: int) -> Iterator[Item]:
    """The whole document in UTF-8 pieces, each chunk of objects as the job that renders
    it (in_turns writes them); `frame` is the document with its ARRAYS empty."""
    texts = split_frame(orjson.dumps(frame, option=orjson.OPT_INDENT_2) + b"\n")
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
    written = FindingTexts(roles.nodes)
    yield from array_chunks(
        FINDING, len(findings), lambda lo, hi: findings_parts(findings, written, lo, hi), chunk
    )
    yield texts[3]
