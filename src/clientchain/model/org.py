"""The loaded organisation: roles, clients and money flows as flat, index-based columns.

Role i is the i-th role in the file; client j is the j-th client. Money flows
name their payer as a *node*: 0..R-1 are roles, R..R+C-1 are clients (R + j).
Nothing here imports a CLI, terminal or YAML library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from functools import cached_property
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from clientchain.model.holder import holder
from clientchain.model.policy import NO_POLICY, Policy
from clientchain.model.texts import LateTexts, TextColumn, byte_sort_keys

# numpy's dtype-level types fight with mypy on every fancy index; these aliases say
# what a column holds (int64, float64 or bool) and are checked at runtime by the tests.
IntArray = npt.NDArray[Any]
FloatArray = npt.NDArray[Any]
BoolArray = npt.NDArray[Any]


def index_type(bound: int) -> type[np.signedinteger[Any]]:
    """The integer type for a column of indices below `bound` (nodes, places, counts):
    int32 where they fit (a flow row's payer and payee: millions of rows, held for a
    whole analysis), else int64. Arithmetic that can pass 2**31 (pair keys) widens first."""
    return np.int32 if bound < 2**31 else np.int64


NO_PARENT = -1
NO_OWNER = -1
# Org.id_order sorts in numpy from this many nodes on (fewer: Python's sort is quicker),
# ids of at most this many words of 8 bytes (longer: a key per word costs more).
ID_ORDER_MIN = 1_000
ID_ORDER_WORDS = 4
_NONE = np.zeros(0, dtype=np.int64)


@holder
class Links:
    """Per-role lists of node indices (compressed rows): role i's are
    `node[ptr[i]:ptr[i + 1]]`, in the order written. Empty arrays when no role has any."""

    ptr: IntArray = field(default_factory=lambda: _NONE)  # role_count + 1 entries, or none
    node: IntArray = field(default_factory=lambda: _NONE)

    def __bool__(self) -> bool:
        return bool(self.node.size)

    def of(self, role: int) -> list[int]:
        """The nodes role `role` names (none when no role names any)."""
        if not self.node.size:
            return []
        return self.node[int(self.ptr[role]) : int(self.ptr[role + 1])].tolist()  # type: ignore[no-any-return]

    def pairs(self) -> tuple[IntArray, IntArray]:
        """Every (role, node) link as two aligned arrays."""
        if not self.node.size:
            return _NONE, _NONE
        roles = np.repeat(np.arange(self.ptr.size - 1), np.diff(self.ptr))
        return roles, self.node


@holder(kw_only=True)
class Org:
    """An org chart with its money flows, ready to analyse.

    Ids, titles and departments read as tuples of strings; the fast loader hands them
    over as byte columns, decoded when first read (see model.texts). Code that walks a
    whole column in order can read the bytes instead: `Org.text_column(org, "role_titles")`.
    """

    source: str  # the org chart's path as the user gave it
    name: str | None
    currency: str | None
    role_ids: LateTexts[str] = LateTexts()
    role_titles: LateTexts[str | None] = LateTexts()
    role_departments: LateTexts[str | None] = LateTexts()
    role_lines: IntArray  # 1-based line of each role's entry, for findings
    parent: IntArray  # index of the role each role reports to, NO_PARENT for a top
    headcount: FloatArray  # people per role, in full-time equivalents (0.5: half a post)
    client_ids: LateTexts[str] = LateTexts()
    client_titles: LateTexts[str | None] = LateTexts()
    client_lines: IntArray
    flow_payer: IntArray  # node index (role, or R + client); int32 or int64 (index_type)
    flow_payee: IntArray  # role index (likewise)
    flow_amount: FloatArray
    flow_files: tuple[str, ...] = ()  # every file that contributed flows
    amount_decimals: int = 0  # most decimal places written in any amount
    role_extra: Mapping[int, Mapping[str, object]] = field(default_factory=dict)
    client_extra: Mapping[int, Mapping[str, object]] = field(default_factory=dict)
    flow_extra: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    policy: Policy = NO_POLICY  # the org chart's `policy:` block
    # SPEC Additions. dotted: each role's dotted-line bosses (role indices), as written.
    dotted: Links = field(default_factory=Links)
    # serves: whom each role's work is for: role indices, or R + client index.
    serves: Links = field(default_factory=Links)
    # client_owner: per client, the role that owns the relationship (NO_OWNER for none);
    # empty when no client names an owner.
    client_owner: IntArray = field(default_factory=lambda: _NONE)

    @property
    def role_count(self) -> int:
        return int(self.role_lines.size)

    @property
    def client_count(self) -> int:
        return int(self.client_lines.size)

    def text_column(self, name: str) -> TextColumn | None:
        """The column `name` (role_ids, role_titles, role_departments, client_ids,
        client_titles) as bytes, if it has not been decoded yet; None when it is (or was
        built as) strings: then read the attribute."""
        late = type(self).__dict__[name]
        assert isinstance(late, LateTexts), name
        return late.column(self)

    @property
    def flow_count(self) -> int:
        return int(self.flow_amount.shape[0])

    @cached_property
    def role_index(self) -> dict[str, int]:
        return {rid: i for i, rid in enumerate(self.role_ids)}

    def node_id(self, node: int) -> str:
        """The id of a money-graph node (a role index, or R + a client index)."""
        r = self.role_count
        return self.role_ids[node] if node < r else self.client_ids[node - r]

    def node_ids(self, nodes: list[int]) -> list[str]:
        """node_id of each node, the id columns read once (not once per node: at a
        million nodes the descriptor look-ups alone take seconds). Role ids still in
        bytes stay so: only those asked for are decoded."""
        clients, r = self.client_ids, self.role_count
        column = self.text_column("role_ids")
        if column is None:  # strings already: indexed, no gather
            roles = self.role_ids
            return [roles[n] if n < r else clients[n - r] for n in nodes]
        at = np.asarray(nodes, dtype=np.int64)
        picked = iter(cast("list[str]", column.pick(at[at < r])))  # (no id is null)
        return [next(picked) if n < r else clients[n - r] for n in nodes]

    def id_order(self, nodes: IntArray) -> IntArray:
        """The order `sorted` puts `nodes` in by id (as str; equal ids keep their order):
        from the ids' bytes while they are bytes and short, in numpy (at a million roles
        about half a million payers tie on a net; as Python strings they took 0.3 s)."""
        column = self.text_column("role_ids")
        if column is not None and nodes.size >= ID_ORDER_MIN:
            order = self._id_order_by_bytes(column, nodes)
            if order is not None:
                return order
        names = self.node_ids(nodes.tolist())
        return np.asarray(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)

    def _id_order_by_bytes(self, column: TextColumn, nodes: IntArray) -> IntArray | None:
        r = self.role_count
        role = nodes < r
        rows = nodes[role]
        start, end = column.start[rows], column.end[rows]
        # Client ids are few: their UTF-8 (lone surrogates too) in a buffer of their own.
        encoded = [
            self.client_ids[c].encode("utf-8", "surrogatepass") for c in (nodes[~role] - r).tolist()
        ]
        client_length = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        client_end = np.cumsum(client_length)
        client_start = client_end - client_length
        client_buf = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        longest = max(int((end - start).max(initial=0)), int(client_length.max(initial=0)))
        words = -(-longest // 8)
        if words > ID_ORDER_WORDS:
            return None
        keys = byte_sort_keys(column.buf, start, end, words)
        client_keys = byte_sort_keys(client_buf, client_start, client_end, words)
        for k, (mine, theirs) in enumerate(zip(keys, client_keys, strict=True)):
            both = np.empty(nodes.size, dtype=mine.dtype)
            both[role], both[~role] = mine, theirs
            keys[k] = both
        order: IntArray = np.lexsort(keys)
        return order

    def texts_at(self, name: str, rows: IntArray) -> list[str | None]:
        """The texts column `name` (see text_column) holds for `rows`; a column still in
        bytes is not decoded whole (nor kept decoded) for them."""
        column = self.text_column(name)
        if column is not None:
            return column.pick(rows)
        texts: tuple[str | None, ...] = getattr(self, name)
        return [texts[i] for i in rows.tolist()]
