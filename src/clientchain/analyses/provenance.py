"""Which paying clients each role's money comes from: exact top-K shares, in client blocks.

Shares for a block of clients are columns of one sweep; a running top-K per
role is merged after each block, so memory is roles x (K + block), never
roles x clients.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property

import numpy as np

from clientchain.graph.distinct import run_starts
from clientchain.graph.money import MoneyGraph
from clientchain.graph.sweep import SweepPlan
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray, index_type
from clientchain.model.rounding import RATIO_DECIMALS

CELLS_PER_BLOCK = 16_000_000  # roles x block columns of float64: 128 MB at a time
# Packed keys (rounded share x clients + rank) fit in int64 up to this many clients.
MAX_PACKED_CLIENTS = 2_000_000
MERGE_ROWS = 4_096  # rows of a share block merged at a time (keys of 100 clients: 3.4 MB)
SPARSE_MERGE = 8  # fewer than 1 in 8 cells a candidate: sort them, do not partition all
RESULT_ROWS = 65_536  # rows of the top-K slots sorted into the result at a time


@holder
class Provenance:
    """Per role (role order): the listed clients as CSR rows (largest share first)."""

    indptr: IntArray  # role v lists client[indptr[v]:indptr[v+1]]
    client: IntArray  # client index
    share: FloatArray


class ClientBlocks:
    """The base columns of the client sweeps, in blocks of consecutive clients: one
    column of roles (in plan order) per client. A block is made when asked for (128 MB
    at a million roles), never all at once."""

    def __init__(self, graph: MoneyGraph, plan: SweepPlan) -> None:
        self.roles = graph.roles
        self.clients = graph.nodes - graph.roles
        paid = graph.paid_by_client
        client_of = graph.payer[paid] - self.roles
        narrow = np.int16 if self.clients <= np.iinfo(np.int16).max else np.int64  # radix
        by_client = np.argsort(client_of.astype(narrow), kind="stable")
        # The client-paid pairs in client order, once: a block's pairs are one slice (at
        # a million roles these columns are held through every sweep).
        self._client_of = client_of[by_client].astype(index_type(self.clients))
        self._payee_pos = plan.position[graph.payee[paid][by_client]].astype(index_type(self.roles))
        self._fraction = graph.share[paid][by_client]
        self._bounds = np.searchsorted(self._client_of, np.arange(self.clients + 1)).tolist()
        # Clients per block: CELLS_PER_BLOCK cells at most (one client at least).
        self.width = max(1, min(self.clients, CELLS_PER_BLOCK // max(self.roles, 1)))

    def payees(self, first: int, last: int) -> IntArray:
        """The plan positions clients first..last-1 pay (a role paid by two: twice)."""
        payees: IntArray = self._payee_pos[self._bounds[first] : self._bounds[last]]
        return payees

    def ranges(self, first: int, width: int) -> list[tuple[int, int]]:
        """(first, last + 1) of each block of `width` clients from client `first` on."""
        return [(lo, min(lo + width, self.clients)) for lo in range(first, self.clients, width)]

    def base(
        self, first: int, last: int, lead: int = 0, out: FloatArray | None = None
    ) -> FloatArray:
        """Clients first..last-1 as columns after `lead` zero columns that the caller
        fills (the sweep's own columns): one array for the first sweep, not a copy.
        Written into `out` (float64, roles x columns, C order) if given."""
        shape = (self.roles, lead + last - first)
        if out is None:
            base = np.zeros(shape, dtype=np.float64)
        else:
            base = out.reshape(shape)
            base.fill(0.0)
        mine = slice(self._bounds[first], self._bounds[last])
        # Pairs are distinct (payer, payee): each cell is written once, so a plain
        # assignment into zeros is the sum np.add.at would make.
        column = self._client_of[mine].astype(np.int64) + (lead - first)
        base[self._payee_pos[mine], column] = self._fraction[mine]
        return base


def client_blocks(
    graph: MoneyGraph, plan: SweepPlan, lead: int = 0
) -> Iterator[tuple[int, FloatArray]]:
    """(first client, base columns in plan order) for each block of clients in turn, the
    first after `lead` zero columns (see ClientBlocks.base)."""
    blocks = ClientBlocks(graph, plan)
    for k, (first, last) in enumerate(blocks.ranges(0, blocks.width)):
        base = blocks.base(first, last, lead if k == 0 else 0)
        yield first, base
        # Dropped before the next block is made: two 128 MB blocks never coexist here.
        del base


class TopClients:
    """The running top-K (K = 0: every client with a share) of each role's provenance.

    Shares are listed when > 0 at all, however small, and ordered by the rounded
    share (larger first), equal-looking shares by client id. With K > 0 (and not
    absurdly many clients) each role keeps a dense row of K (key, share) slots,
    the key packing the rounded share and the client's id rank into one integer,
    so a block merges by one partition over only the rows it can change.
    """

    def __init__(
        self,
        roles: int,
        client_rank: IntArray,
        top: int,
        rows: IntArray | None = None,
    ) -> None:
        """`rows[v]` is role v's row in the share blocks given to `add` (default: v)."""
        self.clients = int(client_rank.size)
        # A role lists at most every client: K beyond the client count changes nothing
        # and must cost nothing (no K columns for a K of 10,000,000 on three clients).
        if top > 0 and self.clients > 0:
            top = min(top, self.clients)
        self.roles, self.rank, self.top = roles, client_rank, top
        self.rows = np.arange(roles) if rows is None else rows
        self.dense = top > 0 and self.clients <= MAX_PACKED_CLIENTS
        if self.dense:
            self.key = np.broadcast_to(_vacant(top), (roles, top)).copy()
            self.kept = np.zeros((roles, top), dtype=np.float64)
            self.bar = np.zeros(roles, dtype=np.float64)
        self.role = np.zeros(0, dtype=np.int64)
        self.client = np.zeros(0, dtype=np.int64)
        self.share = np.zeros(0, dtype=np.float64)
        self._pending: list[tuple[IntArray, IntArray, FloatArray]] = []

    def clear(self) -> None:
        """Forget every merge: as new (the dense slots stay where they are)."""
        if self.dense:
            self.key[...] = _vacant(self.top)
            self.kept[...] = 0.0
            self.bar[...] = 0.0
        self.role = self.client = np.zeros(0, dtype=np.int64)
        self.share = np.zeros(0, dtype=np.float64)
        self._pending = []

    def move_slots(self, key: IntArray, kept: FloatArray, bar: FloatArray) -> None:
        """Keep the dense slots in these arrays from now on (shared memory, written by
        two processes each merging its own rows), as they are so far."""
        key[...], kept[...], bar[...] = self.key, self.kept, self.bar
        self.key, self.kept, self.bar = key, kept, bar

    def add(
        self,
        first: int,
        shares: FloatArray | Sequence[FloatArray],
        turn: tuple[int, int] = (0, 1),
        slots: IntArray | None = None,
    ) -> None:
        """Merge the shares of clients first, first + 1, ... (negative float noise = 0).
        With `turn=(k, n)`, only row chunks k, k + n, k + 2n, ... (dense slots only: two
        processes share the merge, see move_slots). `slots`: the row of each of the
        block's rows, when it has only some (the roles a local block reaches), in any
        order; else the block has every row, in order. The shares may come in parts,
        columns side by side (dense slots only: a block solved in two halves)."""
        if self.dense:
            self._merge(first, shares, turn, slots)  # only shares > 0 ever take part
            return
        if turn != (0, 1):
            raise ValueError("only the dense slots merge in turns")
        if not isinstance(shares, np.ndarray):
            raise ValueError("only the dense slots merge a block in parts")
        shares = np.maximum(shares if slots is not None else shares[self.rows], 0.0)
        cols = shares.shape[1]
        rounded = np.round(shares, RATIO_DECIMALS)
        mask = shares > 0
        if 0 < self.top < cols:
            kth = np.partition(rounded, cols - self.top, axis=1)[:, cols - self.top]
            mask &= rounded >= kth[:, None]
        role, col = np.nonzero(mask)
        share = shares[role, col]
        if slots is not None:
            role = self.role_at_row[slots[role]]
        self._pending.append((role, col + first, share))
        if self.top > 0:  # trimmed as it goes; every share (K = 0) is sorted once, at the end
            self._collect()
            self._order(trim=True)

    def _collect(self) -> None:
        """The blocks' entries added since the last collect, joined to the others."""
        if self._pending:
            roles, clients, shares = zip(*self._pending, strict=True)
            self.role = np.concatenate([self.role, *roles])
            self.client = np.concatenate([self.client, *clients])
            self.share = np.concatenate([self.share, *shares])
            self._pending = []

    def _merge(
        self,
        first: int,
        shares: FloatArray | Sequence[FloatArray],
        turn: tuple[int, int],
        slots: IntArray | None,
    ) -> None:
        # Row chunks keep the temporaries (rows x (K + block) keys and shares) in cache;
        # rows are independent, so the result is the same. A block in parts (columns
        # solved apart) is put together a chunk at a time.
        parts = [shares] if isinstance(shares, np.ndarray) else list(shares)
        width = sum(part.shape[1] for part in parts)
        # Per column of the block: the key's low part (client id order, larger = first).
        order = (self.clients - 1) - self.rank[first : first + width]
        if not order.size:
            return
        mine, every = turn
        for lo in range(mine * MERGE_ROWS, parts[0].shape[0], every * MERGE_ROWS):
            at = None if slots is None else slots[lo : lo + MERGE_ROWS]
            chunk = [part[lo : lo + MERGE_ROWS] for part in parts]
            rows = chunk[0] if len(chunk) == 1 else np.concatenate(chunk, axis=1)
            self._merge_rows(lo, rows, first, order, at)

    def _merge_rows(
        self, lo: int, shares: FloatArray, first: int, order: IntArray, at: IntArray | None
    ) -> None:
        """Merge rows lo.. of a block (`at`: their slots, if not lo.. themselves)."""
        top, (n, cols) = self.top, shares.shape
        rows: slice | IntArray = slice(lo, lo + n) if at is None else at
        taken = shares > self.bar[rows, None]  # only shares > 0 ever take part
        candidates = int(np.count_nonzero(taken))
        if candidates == 0:
            return
        if candidates * SPARSE_MERGE < n * cols:
            self._merge_few(lo, shares, taken, order, at)
            return
        touched = _any_per_row(taken)
        count = int(np.count_nonzero(touched))
        if 2 * count < n:  # few rows change (narrow blocks of many roles): only those
            local = np.flatnonzero(touched)
            rows = local + lo if at is None else at[local]
            shares, taken, n = shares[local], taken[local], count
        # Per row: its K kept slots, then one key per column of the block, built in
        # place (no per-candidate scatter).
        key = np.empty((n, top + cols), dtype=np.int64)
        key[:, :top] = self.key[rows]
        # np.round(s, 12) is rint(s * 1e12) / 1e12, so this integer orders exactly like
        # the rounded share. Shares are fractions <= 1 (plus float error): capped at 4 the
        # key always fits in 63 bits. A share that is no candidate scales from -1: its key
        # is negative, as vacant as an empty slot (and no NaN reaches the cast).
        scaled = np.where(taken, shares, -1.0)
        if scaled.max() > 4.0:  # never in practice: one cheap pass instead of a minimum
            np.minimum(scaled, 4.0, out=scaled)
        scaled *= 10.0**RATIO_DECIMALS
        fresh = key[:, top:]
        fresh[...] = np.rint(scaled, out=scaled)  # exact: whole numbers below 2**53
        fresh *= self.clients
        fresh += order
        # The K largest keys of a row are the K slots and candidates that stay: the slots'
        # keys are >= -K, the other cells' far below, and those keys are distinct
        # (candidates' and kept ones' by client, vacant ones -1..-K). So they are one set,
        # found by value (a partition of the keys, not of their places: 2.5x quicker),
        # then sorted, larger first (rows stay sorted, see _merge_few).
        key = np.partition(key, cols, axis=1)[:, cols:]
        key.sort(axis=1)
        key = key[:, ::-1]
        # Each one's share from where it came: a client of this block from its column,
        # any other key from its slot. The slots that stay are the row's first ones, in
        # order (both are sorted): the j-th key not from the block is slot j.
        client = self.by_rank[(self.clients - 1) - key % self.clients]  # garbage if vacant
        col = client - first
        in_block = (key >= 0) & (col >= 0) & (col < cols)
        share = np.take_along_axis(shares, np.where(in_block, col, 0), axis=1)
        if not in_block.all():
            slot = np.cumsum(~in_block, axis=1)
            slot -= 1
            np.maximum(slot, 0, out=slot)
            kept = np.take_along_axis(self.kept[rows], slot, axis=1)
            share = np.where(in_block, share, kept)
        self.kept[rows] = share
        self.key[rows] = key
        self.bar[rows] = self._bar(key[:, -1])

    def _merge_few(
        self, lo: int, shares: FloatArray, taken: np.ndarray, order: IntArray, at: IntArray | None
    ) -> None:
        """_merge_rows for rows lo.. when few cells are candidates (a role paid by one or
        two clients of a block of 100). A row's K slots are kept sorted, larger key first,
        so only the candidates are sorted: each one's place in the merged row is the
        number of its row's slots and candidates with a larger key, and the slots keep
        their order in the places left. Candidates' keys are >= 0, above vacant slots'."""
        top = self.top
        # By row, then column (np.nonzero on 2-D is three times slower than this).
        local_row, col = np.divmod(np.flatnonzero(taken), taken.shape[1])
        share = shares[local_row, col]
        scaled = np.minimum(share, 4.0)  # as _merge_rows: the identity below 4
        scaled *= 10.0**RATIO_DECIMALS
        fresh = np.rint(scaled, out=scaled).astype(np.int64)
        fresh *= self.clients
        fresh += order[col]
        row = local_row + lo if at is None else at[local_row]  # the slots' rows from here on
        first = np.flatnonzero(run_starts(row))  # each row's first
        place = np.arange(row.size)
        if first.size < row.size:  # a row with several candidates: larger key first
            by_key = _by_row_then_larger_key(local_row, fresh, shares.shape[0], top, self.clients)
            share, fresh = share[by_key], fresh[by_key]  # rows stay as they are (sorted)
            place -= np.repeat(first, np.diff(first, append=row.size))
        else:
            place[:] = 0
        place += np.count_nonzero(self.key[row] > fresh[:, None], axis=1)
        won = np.flatnonzero(place < top)
        if not won.size:
            return
        row, place, fresh, share = row[won], place[won], fresh[won], share[won]
        starts = run_starts(row)
        changed = row[starts]  # distinct, sorted
        local = np.cumsum(starts) - 1
        filled = np.zeros((changed.size, top), dtype=bool)
        filled[local, place] = True
        # A place left free takes the next slot in order (places of candidates: any).
        source = np.arange(top) - np.cumsum(filled, axis=1)
        np.maximum(source, 0, out=source)
        source += changed[:, None] * top  # flat: np.take is quicker
        key = self.key.ravel().take(source)
        kept = self.kept.ravel().take(source)
        key[local, place] = fresh
        kept[local, place] = share
        self.key[changed] = key
        self.kept[changed] = kept
        self.bar[changed] = self._bar(key[:, -1])

    @cached_property
    def role_at_row(self) -> IntArray:
        """The role of each row (the inverse of `rows`)."""
        role = np.empty_like(self.rows)
        role[self.rows] = np.arange(self.rows.size)
        return role

    @cached_property
    def by_rank(self) -> IntArray:
        """Client index by id rank (the inverse of `rank`)."""
        by_rank: IntArray = np.argsort(self.rank, kind="stable")
        return by_rank

    def _bar(self, kth: IntArray) -> FloatArray:
        """Shares at or below this cannot reach the K-th kept key (0 while slots are free):
        a share whose rounded value reaches that key's q has s * 1e12 >= q - 1/2."""
        q = kth // self.clients
        bar: FloatArray = np.where(kth >= 0, np.maximum((q - 1) / 10.0**RATIO_DECIMALS, 0.0), 0.0)
        return bar

    def _order(self, trim: bool) -> None:
        """Sort by role, then larger rounded share, then client id; keep K per role."""
        order = np.lexsort(
            (self.rank[self.client], -np.round(self.share, RATIO_DECIMALS), self.role)
        )
        role, client, share = self.role[order], self.client[order], self.share[order]
        if trim and role.size:
            starts = np.searchsorted(role, role)  # first index of each entry's role
            keep = np.arange(role.size) - starts < self.top
            role, client, share = role[keep], client[keep], share[keep]
        self.role, self.client, self.share = role, client, share

    def result(self) -> Provenance:
        if self.dense:
            return self._dense_result()
        if self._pending:
            self._collect()
            self._order(trim=False)
        indptr = np.searchsorted(self.role, np.arange(self.roles + 1)).astype(np.int64)
        return Provenance(indptr, self.client.astype(np.int64), self.share)

    def _dense_result(self) -> Provenance:
        c = self.clients
        indptr = np.zeros(self.roles + 1, dtype=np.int64)
        np.cumsum(np.count_nonzero(self.key >= 0, axis=1)[self.rows], out=indptr[1:])
        client = np.empty(int(indptr[-1]), dtype=np.int64)
        share = np.empty(int(indptr[-1]), dtype=np.float64)
        by_rank = self.by_rank
        # In row chunks: the temporaries stay small next to the result (the K slots of a
        # million roles are 80 MB, their sorted copies as much again).
        for lo in range(0, self.roles, RESULT_ROWS):
            rows = self.rows[lo : lo + RESULT_ROWS]
            key = self.key[rows]  # sorted in each row, larger first: vacant slots last
            listed = key >= 0
            at = slice(int(indptr[lo]), int(indptr[lo + rows.size]))
            client[at] = by_rank[(c - 1) - key[listed] % c]
            share[at] = self.kept[rows][listed]
        return Provenance(indptr, client, share)


def _by_row_then_larger_key(
    row: IntArray, key: IntArray, rows: int, top: int, clients: int
) -> IntArray:
    """The order by row, then larger key first (within a row, keys are distinct): one
    sort of a packed integer where it fits in 63 bits, else a two-key lexsort."""
    largest = 4 * 10**RATIO_DECIMALS * clients + clients  # the largest key (share <= 4)
    span = largest + top + 1  # keys run from -top to largest
    if rows * span >= 2**63:
        return np.lexsort((-key, row))
    packed = row * span
    packed += largest - key
    order: IntArray = np.argsort(packed)
    return order


def _any_per_row(flags: np.ndarray) -> np.ndarray:
    """flags.any(axis=1); column by column for narrow rows (3x faster at 16 columns)."""
    if flags.shape[1] > 32:
        return np.asarray(flags.any(axis=1))
    found = flags[:, 0].copy()
    for j in range(1, flags.shape[1]):
        found |= flags[:, j]
    return found


def _vacant(width: int) -> IntArray:
    """Negative keys for empty slots (-1, -2, ...): below every share's key."""
    return -1 - np.arange(width, dtype=np.int64)
