"""The client sweeps, solved and merged on two cores where the machine has two.

At a million roles a block of clients costs its sweep (the solve) and then the merge of
its shares into the running top-K; both split between two processes. Columns solve
independently, so a forked child solves the second half of each block's clients while
the parent solves the first. Rows merge independently, so the child merges every other
chunk of rows of each block while the parent merges the others (chunks in turns, not
halves: the roles of the later layers have many more clients to merge). The parent's
own sweep (closeness, traced share, hand-overs; it makes the decay's loop factors on
the way, but a peeled loop's, made before the fork) runs beside the child's sweep of
the whole first block of clients: the factors at alpha 1, which both use, are made
before the fork, once. The blocks are
solved into one buffer of shared memory and the top-K slots live in shared memory too,
each process writing only its own columns, then its own rows. The sweeps and merges are
the ones one process would make, value for value, so the result is the same to the bit
(see `halves` for the columns). Where many clients are swept in local blocks (over only
the roles they reach, local_sweeps.py), the child solves every other block into the
buffer, and the parent merges both (their rows overlap). Should the child stop, the
parent does everything itself, from the first client again: slower, never different.

A child is forked from MIN_ROLES roles on, and below that where the clients go in
local blocks, or where a loop of most of the organisation makes every client's solve
heavy (FORK_WORK): 100,000 roles that recharge one another spend most of their
analysis there.

Memory stays as in one process: the block and the slots are the same arrays, only
shared; the child adds the temporaries of its half-block's sweep and of its merges (a
few thousand rows at a time), and it is forked once the heap's free pages are handed
back, so that the pages the parent writes afterwards are not kept twice.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import signal
import struct

import numpy as np

from clientchain.analyses.local_sweeps import LOCAL_MIN_BLOCKS, LocalBlock, LocalSweeps
from clientchain.analyses.provenance import ClientBlocks, TopClients
from clientchain.analyses.served import ServedClients
from clientchain.graph.money import MoneyGraph
from clientchain.graph.sweep import SweepPlan
from clientchain.model.forking import second_core_free
from clientchain.model.heap import release_freed_memory
from clientchain.model.holder import value_class
from clientchain.model.org import FloatArray, IntArray
from clientchain.model.own_arena import in_own_arena

# Where many clients are swept in local blocks, the child sweeps this many for each one
# the parent sweeps, and the parent merges them all (each merge about a third of a
# block's sweep). One: a million roles and 100,000 customers, by turns: analysis 8.2 s
# with one, 8.6-8.9 with two, 9.1 with three, 11.3 in one process.
CHILD_BLOCKS = 1
# From this many roles on, a child pays for its fork and page faults in the merges alone.
MIN_ROLES = 200_000
# Below that, it pays where the columns' solves are heavy (a loop of most of the org
# swept tens of times: 0.45 s at 100,000 roles of the benchmark's recharge shape, 2.4 s of
# its tangle, 0.1 s at 10,000 of tangle): clients x this many multiply-adds
# (SweepPlan.column_work), about a tenth of a second.
FORK_WORK = 100_000_000
# A block's clients split between the two processes at a multiple of this many columns:
# BLAS solves columns in groups of up to 8 (the width of its kernels), and a column's
# bits depend on its place in its group; split at a multiple of 8, every column keeps it.
SPLIT_COLUMNS = 8
# What (MERGE, SOLVE, LOCAL), first client, lead, width, the width of a second part of
# the block right after it in the buffer (MERGE; 0: none) or the roles a local block
# reaches (LOCAL), offset in the buffer.
_ASK = struct.Struct("<6q")
MERGE, SOLVE, LOCAL = 0, 1, 2
_NO_BUFFER: FloatArray = np.zeros(0)
Swept = tuple[FloatArray, FloatArray, FloatArray]  # closeness, traced share, hand-overs


def sweep_all(
    graph: MoneyGraph,
    plan: SweepPlan,
    blocks: ClientBlocks,
    decay: float,
    direct_share: FloatArray,
    top: TopClients,
    served: ServedClients,
) -> Swept:
    """Closeness, traced share and hand-overs (role order), with every client's share
    merged into `top` and `served` on the way.

    One sweep makes the three (hand-overs are based on the traced share); blocks of
    clients sweep on their own, the first beside it on two cores, else in it.
    """
    head = _first_block_end(blocks)  # clients 0..head-1: the first block
    merger = BlockMerger(top, graph, blocks, plan, 3 + head, _worth_a_child(plan, blocks))
    try:
        if head and merger.can_fork:
            # The child sweeps the first block while this process sweeps its own three
            # columns: the alpha-1 factors, which both use, are made once, before the fork.
            # So are the decay's where a loop is peeled: making them beside the child's
            # sweep put the two processes of a million roles recharging one another at
            # 1.26 GB together (0.91 GB so; the child lets its copy go at its first sweep).
            plan.prepare([1.0, decay] if plan.peels_loops else [1.0])
            head = first_child_block(blocks.width, blocks.clients)
            merger.start()
        sweeps = _Sweeps(graph, plan, blocks, decay, direct_share, merger, served, head)
        if merger.forked:  # on a thread of its own arena (see `start`)
            swept = in_own_arena(lambda _stop: _sweep_beside(sweeps))
        else:
            swept = _sweep_alone(sweeps)
    except BaseException:
        merger.kill()
        raise
    merger.close()
    return swept


def first_child_block(width: int, clients: int) -> int:
    """How many of `clients` the child sweeps first, while the parent sweeps its own
    three columns, where one process sweeps the first `width` with those and the rest
    `width` at a time. As few as keep every column's place in its BLAS group (the bits
    of its shares, see SPLIT_COLUMNS) where one block holds them all or blocks are a
    multiple of SPLIT_COLUMNS wide: SPLIT_COLUMNS, the blocks after them then starting
    where one process' do, give or take a multiple of SPLIT_COLUMNS; else the whole
    first block. Where a large loop is swept, a client's column costs about half of one
    of the three (a million roles: ring 0.11 s against 0.13, tangle 0.35 against 0.64),
    and the parent waited 1.35 s and 3.75 s for the child's first 16 clients, 0.73 and
    0.97 for 8 (recharging one another: 0.86, 0.05)."""
    if clients <= width or width % SPLIT_COLUMNS == 0:
        return min(clients, SPLIT_COLUMNS)
    return width


def _first_block_end(blocks: ClientBlocks) -> int:
    """The client after one process' first block (swept with its own three columns)."""
    return min(blocks.clients, blocks.width)


def _goes_local(blocks: ClientBlocks) -> bool:
    """Whether the clients after one process' first block take so many dense blocks
    that they are tried in local ones (_sweep_rest)."""
    return len(blocks.ranges(_first_block_end(blocks), blocks.width)) > LOCAL_MIN_BLOCKS


def _worth_a_child(plan: SweepPlan, blocks: ClientBlocks) -> bool:
    """Would a second process pay for itself: a large org (its merges), one with so
    many clients that they go in local blocks (each a cut and plan of its own: 100,000
    roles and 10,000 customers took 1.08 s with a child, 1.16-1.49 without), or one
    whose loops or deep runs make each client's sweep heavy (weighed with the loops'
    factors at alpha 1, which the first sweep makes anyway)."""
    if blocks.roles >= MIN_ROLES or _goes_local(blocks):
        return True
    if not plan.heavy or not blocks.clients:
        return False
    return blocks.clients * plan.column_work(1.0) >= FORK_WORK


def _own_sweep(plan: SweepPlan, base: FloatArray, direct_share: FloatArray, decay: float) -> Swept:
    """Closeness, traced share and hand-overs (role order) from the first three columns
    of `base`, swept in place (any further ones are clients, at alpha 1)."""
    base[:, 0] = base[:, 1] = direct_share
    alphas = [decay] + [1.0] * (base.shape[1] - 1)
    shares = np.arange(base.shape[1]) >= 3  # the clients' (the three: each to its own ulps)
    # The decay is this sweep's alone: its factors go as each loop is solved, and those
    # of its small loops after it (every further sweep is at alpha 1).
    once = frozenset({decay})
    swept = plan.solve(base, alphas, chained=(1, 2), in_place=True, once=once, shares=shares)
    plan.keep_only({1.0})
    closeness, traced, handovers = (swept[plan.position, j] for j in range(3))
    return closeness, traced, handovers


@value_class
class _Sweeps:
    """What the steps of `sweep_all` work with."""

    graph: MoneyGraph
    plan: SweepPlan
    blocks: ClientBlocks
    decay: float
    direct_share: FloatArray
    merger: BlockMerger
    served: ServedClients
    head: int  # clients in the first block

    def rest(self, first: int) -> None:
        """Clients first.. (see _sweep_rest)."""
        _sweep_rest(self.graph, self.plan, self.blocks, first, self.merger, self.served)


def _sweep_alone(s: _Sweeps) -> Swept:
    """In this process only: the first block of clients joins the first sweep."""
    head = s.head
    base = s.blocks.base(0, head, lead=3)
    swept = _own_sweep(s.plan, base, s.direct_share, s.decay)
    if head:
        s.merger.merge(0, [base], lead=3)
        if s.served.wanted:
            s.served.add(0, base[:, 3:])
    del base  # before the next block is made (128 MB)
    s.rest(head)
    return swept


def _sweep_beside(s: _Sweeps) -> Swept:
    """With the child: it sweeps the first block of clients (after the three columns in
    the buffer) while this process sweeps those three; then the two merge it, and go on
    with the further blocks."""
    merger, head = s.merger, s.head
    after_own = 3 * s.blocks.roles
    solving = merger.ask_to_solve(0, head, after_own)
    own = merger.buffer(3)
    assert own is not None  # (a child works: the buffer is shared memory)
    own.fill(0.0)
    swept = _own_sweep(s.plan, own, s.direct_share, s.decay)
    del own  # (the buffer's first columns: the next blocks write there)
    try:
        first_block = merger.solved_by_child(solving, head, after_own)
        merger.merge(0, [first_block])
        if s.served.wanted:
            s.served.add(0, first_block)
        del first_block
        s.rest(head)
    except ChildStoppedError:
        # What the child merged cannot be trusted (it may have stopped halfway through
        # a row): every client again, from nothing, in this process.
        merger.top.clear()
        s.served.clear()
        s.rest(0)
    return swept


def _sweep_rest(
    graph: MoneyGraph,
    plan: SweepPlan,
    blocks: ClientBlocks,
    first: int,
    merger: BlockMerger,
    served: ServedClients,
) -> None:
    """Clients first.. in dense blocks, or, when they would take many, in blocks over
    only the roles they reach (see local_sweeps.py) wherever those are few: where a
    child works, it sweeps CHILD_BLOCKS of them beside each one this process sweeps
    (all merged here). The local blocks start where one process' first block ends,
    whichever client the rest starts from (the child's first block is narrower, and a
    redo starts from 0): they are then the same blocks, the same bits."""
    clients = blocks.clients
    one = _first_block_end(blocks)
    if not _goes_local(blocks):
        _sweep_blocks(blocks.ranges(first, blocks.width), merger, served)
        return
    if first < one:  # the rest of one process' first block: dense
        _sweep_blocks([(first, one)], merger, served)
        first = one
    local = LocalSweeps(graph, plan, blocks)

    def after(block: LocalBlock) -> LocalBlock | None:
        return local.next_block(block.last) if block.last < clients else None

    with plan.one_thread():  # once for the many small sweeps, not once each
        block = local.next_block(first) if first < clients else None
        while block is not None:
            following = after(block)
            if block.reached is None:  # these clients reach too much of the org
                _sweep_blocks([(block.first, block.last)], merger, served)
                block = following
                continue
            group = [block]  # the first this process's, the others the child's
            while (
                len(group) <= CHILD_BLOCKS
                and following is not None
                and merger.holds([*group, following])
            ):
                group.append(following)
                following = after(following)
            _sweep_group(local, group, merger, served)
            block = following


def _sweep_group(
    local: LocalSweeps,
    group: list[LocalBlock],
    merger: BlockMerger,
    served: ServedClients,
) -> None:
    """Local blocks in turn: all but the first swept by the child while this process
    sweeps the first (each in the blocks' buffer after the one before); all merged
    here, in order (their rows overlap: the roles above their payees)."""
    theirs = list(zip(group[1:], merger.local_offsets(group)[1:-1], strict=True))
    asked = [merger.ask_local(block, at) for block, at in theirs]
    solved, rows = local.solve(group[0], merger.scratch(group[0].cells))
    _merge_local(group[0], solved, rows, merger, served)
    for (block, at), sent in zip(theirs, asked, strict=True):
        solved, rows = merger.local_solved(sent, block, at)
        _merge_local(block, solved, rows, merger, served)


def _merge_local(
    block: LocalBlock,
    solved: FloatArray,
    rows: IntArray,
    merger: BlockMerger,
    served: ServedClients,
) -> None:
    merger.top.add(block.first, solved, slots=rows)
    if served.wanted:
        served.add(block.first, solved, slots=rows)


def _sweep_blocks(
    ranges: list[tuple[int, int]], merger: BlockMerger, served: ServedClients
) -> None:
    for first, last in ranges:
        parts = merger.solved_blocks(first, last)
        merger.merge(first, parts)
        if served.wanted:
            for part in parts:
                served.add(first, part)
                first += part.shape[1]
        del parts  # before the next block is made (128 MB each)


class ChildStoppedError(Exception):
    """The child stopped before it said it had done what it was asked."""


class BlockMerger:
    """Gives out the buffer each block is solved into, solves blocks of clients and
    merges them into `top`: half of each block's clients solved and every other chunk of
    rows merged in a forked child, when that pays."""

    def __init__(
        self,
        top: TopClients,
        graph: MoneyGraph,
        blocks: ClientBlocks,
        plan: SweepPlan,
        widest: int,
        worth: bool,
    ) -> None:
        """`widest`: the most columns a block will have (the first sweep's own ones
        included); `worth`: a child would pay for itself (if there is a second core).
        The child solves with `graph`, `plan` and `blocks` as they are when it forks."""
        self.top, self.roles = top, blocks.roles
        self._graph, self._blocks, self._plan = graph, blocks, plan
        self._local: LocalSweeps | None = None  # the child's, made at its first local block
        self._pid = 0
        roles = self.roles
        if not (worth and top.dense and second_core_free()):
            return
        cells, slots = roles * widest, roles * top.top
        try:
            # Two mappings: the blocks' goes at `close`, the slots' stays for the result.
            shared_blocks = mmap.mmap(-1, 8 * cells)
            memory = mmap.mmap(-1, 8 * (2 * slots + roles))
        except OSError:  # no shared memory to be had: one process, as ever
            return
        self._buffer = np.frombuffer(shared_blocks, np.float64, cells)
        key = np.frombuffer(memory, np.int64, slots)
        kept = np.frombuffer(memory, np.float64, slots, 8 * slots)
        bar = np.frombuffer(memory, np.float64, roles, 16 * slots)
        top.move_slots(key.reshape(roles, top.top), kept.reshape(roles, top.top), bar)
        self._pid = -1  # forked by `start`

    @property
    def can_fork(self) -> bool:
        """A child would pay, and its shared memory is ready: `start` forks it."""
        return self._pid == -1

    def start(self) -> None:
        """Fork the child (if `can_fork`; a fork refused: this process works alone). What
        the heap holds free goes back to the system first: a page the parent writes
        after the fork is copied, and the child would keep the old one (garbage to it)
        for as long as it runs."""
        if self._pid != -1:
            return
        release_freed_memory()
        self._asks_r, self._asks_w = os.pipe()
        self._done_r, self._done_w = os.pipe()
        try:
            self._pid = os.fork()
        except OSError:  # no process to be had: the parent merges alone
            self._pid = 0
            for fd in (self._asks_r, self._asks_w, self._done_r, self._done_w):
                os.close(fd)
            return
        if self._pid == 0:
            self._work_when_asked()
        os.close(self._asks_r)
        os.close(self._done_w)
        # From here on, each process sweeps and merges on a thread of its own (the
        # parent: sweep_all), whose heap arena is fresh: their temporaries do not land
        # in the holes of the heap the two share since the fork, where every write
        # would copy a page (see render/analysis/in_turns.py).

    @property
    def forked(self) -> bool:
        """A child works beside this process."""
        return self._pid > 0

    def buffer(self, width: int, offset: int = 0) -> FloatArray | None:
        """Where to build a block of `width` columns (roles x width, C order), `offset`
        cells into the blocks' shared memory while a child works, else None (any array
        will do)."""
        return self._view(width, offset) if self._pid else None

    def _view(self, width: int, offset: int) -> FloatArray:
        cells = self.roles * width
        return self._buffer[offset : offset + cells].reshape(self.roles, width)

    def scratch(self, cells: int) -> FloatArray | None:
        """`cells` float64 of the blocks' shared memory, for a block this process merges
        alone (a local block), when there is such memory and enough of it."""
        if not self._pid or cells > self._buffer.size:
            return None
        return self._buffer[:cells]

    def holds(self, group: list[LocalBlock]) -> bool:
        """Whether a child works and the buffer holds these local blocks one after the
        other (`local_offsets`)."""
        if self._pid <= 0 or any(block.reached is None for block in group):
            return False
        return self.local_offsets(group)[-1] <= self._buffer.size

    @staticmethod
    def local_offsets(group: list[LocalBlock]) -> list[int]:
        """Where each local block of `group` starts in the buffer, then where the last
        ends: the first (this process's shares) at 0, each other (the child's: its
        shares, then its rows' rows in the top-K) after the one before."""
        offsets = [0, group[0].cells]
        for block in group[1:]:
            assert block.reached is not None  # (a local block)
            offsets.append(offsets[-1] + block.cells + block.reached.size)
        return offsets

    def ask_local(self, block: LocalBlock, offset: int) -> bool:
        """Ask the child to sweep local block `block` into the buffer from `offset` cells
        on (`local_offsets`); `local_solved` waits for it. Asks are answered in turn."""
        assert block.reached is not None  # (a local block)
        width = block.last - block.first
        return self._ask(LOCAL, block.first, 0, width, block.reached.size, offset)

    def local_solved(
        self, asked: bool, block: LocalBlock, offset: int
    ) -> tuple[FloatArray, IntArray]:
        """The shares and top-K rows of the local block the child was `asked` to sweep,
        once it has (see `_local_parts`); ChildStoppedError if it stopped first."""
        self._wait(asked)
        assert block.reached is not None  # (a local block)
        return self._local_parts(block.last - block.first, block.reached.size, offset)

    def _local_parts(self, width: int, reached: int, offset: int) -> tuple[FloatArray, IntArray]:
        """A local block's place in the buffer from `offset` on: its shares (`reached`
        rows x `width` clients), then each row's row in the top-K (int64)."""
        cells = reached * width
        shares = self._buffer[offset : offset + cells].reshape(reached, width)
        rows = self._buffer[offset + cells : offset + cells + reached].view(np.int64)
        return shares, rows

    def solved_blocks(self, first: int, last: int) -> list[FloatArray]:
        """Clients first..last-1 swept (alpha 1), their shares in plan order as parts of
        the block, columns side by side: two when the child swept the second part of
        the clients (a child works and the block splits, see `halves`), else one."""
        plan, blocks = self._plan, self._blocks
        mid = halves(first, last) if self._pid > 0 else last
        if mid == last:
            block = blocks.base(first, last, out=self.buffer(last - first))
            return [plan.solve(block, [1.0] * (last - first), in_place=True, shares=True)]
        theirs = self.roles * (mid - first)  # their part's offset in the buffer
        asked = self.ask_to_solve(mid, last, theirs)
        mine = blocks.base(first, mid, out=self.buffer(mid - first))
        solved = plan.solve(mine, [1.0] * (mid - first), in_place=True, shares=True)
        return [solved, self.solved_by_child(asked, last - mid, theirs)]

    def ask_to_solve(self, first: int, last: int, offset: int) -> bool:
        """Ask the child to sweep clients first..last-1 (alpha 1) into the buffer from
        `offset` cells on; `solved_by_child` waits for them."""
        return self._ask(SOLVE, first, 0, last - first, 0, offset)

    def solved_by_child(self, asked: bool, width: int, offset: int) -> FloatArray:
        """The block the child was `asked` to sweep (`width` columns at `offset`), once it
        has; ChildStoppedError if it stopped first."""
        self._wait(asked)
        return self._view(width, offset)

    def merge(self, first: int, parts: list[FloatArray], lead: int = 0) -> None:
        """Merge clients first.. into the top-K: the columns of the block's parts, side by
        side, after the first part's first `lead`. The parts are arrays `buffer` or
        `solved_blocks` gave, when they gave them."""
        block = parts[0]
        shares = [block[:, lead:], *parts[1:]]
        if self._pid <= 0 or not np.may_share_memory(block, self._buffer):
            # (a block elsewhere: the child cannot see it)
            self.top.add(first, shares[0] if len(shares) == 1 else shares)
            return
        offset = (block.ctypes.data - self._buffer.ctypes.data) // self._buffer.itemsize
        second = parts[1].shape[1] if len(parts) > 1 else 0
        asked = self._ask(MERGE, first, lead, block.shape[1], second, offset)
        self.top.add(first, shares, turn=(0, 2))
        self._wait(asked)

    def _ask(self, what: int, first: int, lead: int, width: int, second: int, offset: int) -> bool:
        """Send the child a request; False if it is gone (`_wait` then finds out)."""
        try:
            os.write(self._asks_w, _ASK.pack(what, first, lead, width, second, offset))
        except OSError:
            return False
        return True

    def _wait(self, asked: bool) -> None:
        """Until the child says it has done what it was `asked`; ChildStoppedError if it
        stopped first."""
        if not (asked and os.read(self._done_r, 1) == b"d"):
            self._stop_child()
            raise ChildStoppedError

    def close(self) -> None:
        """Let the child go, and the blocks' shared memory with it (128 MB at a million
        roles, otherwise held while the result is read out of the slots, which stay)."""
        self._stop_child()
        self._buffer = _NO_BUFFER

    def _stop_child(self) -> None:
        if self._pid > 0:
            for fd in (self._asks_w, self._done_r):  # its next read sees the end: it leaves
                with contextlib.suppress(OSError):  # (closed already: a second Ctrl-C)
                    os.close(fd)
            os.waitpid(self._pid, 0)
            self._pid = 0

    def kill(self) -> None:
        """The parent failed: the child must not wait for a block that will not come."""
        if self._pid > 0:
            os.kill(self._pid, signal.SIGKILL)
            self._stop_child()

    def _work_when_asked(self) -> None:
        """The child: sweep the part of a block the parent names, or merge its turn of row
        chunks of one, say so, and leave without running anything of the parent's (no
        atexit handler, no flush of buffered output) once the parent stops asking."""
        code = 1
        try:
            os.close(self._asks_w)
            os.close(self._done_r)
            in_own_arena(lambda _stop: self._answer_asks())
            code = 0
        finally:
            os._exit(code)

    def _answer_asks(self) -> None:
        while len(ask := _read_exactly(self._asks_r, _ASK.size)) == _ASK.size:
            what, first, lead, width, second, offset = _ASK.unpack(ask)
            if what == SOLVE:
                block = self._blocks.base(first, first + width, out=self._view(width, offset))
                self._plan.solve(block, [1.0] * width, in_place=True, shares=True)
            elif what == LOCAL:
                if self._local is None:
                    self._local = LocalSweeps(self._graph, self._plan, self._blocks)
                out, rows = self._local_parts(width, second, offset)
                with self._plan.one_thread():
                    self._local.solve_at(first, first + width, out, rows)
            else:
                shares = [self._view(width, offset)[:, lead:]]
                if second:
                    shares.append(self._view(second, offset + self.roles * width))
                self.top.add(first, shares, turn=(1, 2))
            os.write(self._done_w, b"d")


def halves(first: int, last: int) -> int:
    """Where clients first..last-1 split between the two processes: the parent's are
    first..mid-1, a multiple of SPLIT_COLUMNS, about half; `last` for a block too
    narrow to split."""
    parts = max(1, round((last - first) / (2 * SPLIT_COLUMNS)))
    mid = first + SPLIT_COLUMNS * parts
    return mid if mid < last else last


def _read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = os.read(fd, size - len(data))
        if not more:
            break
        data += more
    return data
