"""The client sweeps, with their top-K merges on two cores where the machine has two.

At a million roles the merge of each block of clients into the running top-K costs
more than the sweep that solved it. Rows merge independently, so a forked child merges
every other chunk of rows of each block while the parent merges the others (chunks in
turns, not halves: the roles of the later layers have many more clients to merge).
The blocks are solved into one buffer of shared memory and the top-K slots live in
shared memory too, each process writing only its own rows. The merges are the ones one
process would make, row for row, so the result is the same to the bit. Should the child
stop, the parent merges its rows itself: slower, never different.

Memory stays as in one process: the block and the slots are the same arrays, only
shared; the child adds its merge temporaries (a few thousand rows at a time), and it
is forked once the heap's free pages are handed back, so that the pages the parent
writes afterwards are not kept twice.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import signal
import struct

import numpy as np

from clientchain.analyses.local_sweeps import LOCAL_MIN_BLOCKS, LocalSweeps
from clientchain.analyses.provenance import ClientBlocks, TopClients
from clientchain.analyses.served import ServedClients
from clientchain.graph.money import MoneyGraph
from clientchain.graph.sweep import SweepPlan
from clientchain.model.forking import can_fork, usable_cores
from clientchain.model.heap import release_freed_memory
from clientchain.model.org import FloatArray

# Below this many roles the merges cost less than a fork and its page faults save.
MIN_ROLES = 200_000
_ASK = struct.Struct("<3q")  # first client, lead columns, width of the buffer's block
_NO_BUFFER: FloatArray = np.zeros(0)


def sweep_all(
    graph: MoneyGraph,
    plan: SweepPlan,
    blocks: ClientBlocks,
    decay: float,
    direct_share: FloatArray,
    top: TopClients,
    served: ServedClients,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Closeness, traced share and hand-overs (role order), with every client's share
    merged into `top` and `served` on the way.

    One sweep makes the three (hand-overs are based on the traced share) and the first
    block of clients' shares; further blocks of clients sweep on their own.
    """
    head = min(blocks.clients, blocks.width)  # clients 0..head-1 join the first sweep
    merger = BlockMerger(top, blocks.roles, 3 + head)
    try:
        base = blocks.base(0, head, lead=3, out=merger.buffer(3 + head))
        base[:, 0] = base[:, 1] = direct_share
        alphas = [decay] + [1.0] * (base.shape[1] - 1)
        # The decay is this sweep's alone: its factors go as each loop is solved.
        swept = plan.solve(base, alphas, chained=(1, 2), in_place=True, once=frozenset({decay}))
        # Every further sweep is at alpha 1: the decay's factors go before the merger
        # forks, or its child would keep their pages (and before the three columns are
        # copied out, which would come on top of them).
        plan.keep_only({1.0})
        closeness, traced, handovers = (swept[plan.position, j] for j in range(3))
        try:
            if head:
                merger.merge(0, swept, lead=3)
                if served.wanted:
                    served.add(0, swept[:, 3:])
            del base, swept  # before the next block is made (128 MB each)
            _sweep_rest(graph, plan, blocks, head, merger, served)
        except ChildStoppedError:
            # What the child merged cannot be trusted (it may have stopped halfway
            # through a row): every client again, from nothing, in this process.
            top.clear()
            served.clear()
            _sweep_rest(graph, plan, blocks, 0, merger, served)
    except BaseException:
        merger.kill()
        raise
    merger.close()
    return closeness, traced, handovers


def _sweep_rest(
    graph: MoneyGraph,
    plan: SweepPlan,
    blocks: ClientBlocks,
    first: int,
    merger: BlockMerger,
    served: ServedClients,
) -> None:
    """Clients first.. in dense blocks, or, when they would take many, in blocks over
    only the roles they reach (see local_sweeps.py) wherever those are few."""
    ranges = blocks.ranges(first, blocks.width)
    if len(ranges) <= LOCAL_MIN_BLOCKS:
        _sweep_blocks(plan, blocks, ranges, merger, served)
        return
    local = LocalSweeps(graph, plan, blocks)
    with plan.one_thread():  # once for the many small sweeps, not once each
        while first < blocks.clients:
            after, swept = local.sweep(first, merger.top, served, merger.scratch)
            if not swept:  # these clients reach too much of the org: a dense block
                _sweep_blocks(plan, blocks, [(first, after)], merger, served)
            first = after


def _sweep_blocks(
    plan: SweepPlan,
    blocks: ClientBlocks,
    ranges: list[tuple[int, int]],
    merger: BlockMerger,
    served: ServedClients,
) -> None:
    for first, last in ranges:
        block = blocks.base(first, last, out=merger.buffer(last - first))
        solved = plan.solve(block, [1.0] * (last - first), in_place=True)
        merger.merge(first, solved)
        if served.wanted:
            served.add(first, solved)
        del block, solved


class ChildStoppedError(Exception):
    """The child stopped before it said it had merged its rows of a block."""


class BlockMerger:
    """Gives out the buffer each block is solved into and merges blocks into `top`,
    every other chunk of rows in a forked child when that pays."""

    def __init__(self, top: TopClients, roles: int, widest: int) -> None:
        """`widest`: the most columns a block will have (the first sweep's own ones
        included)."""
        self.top, self.roles = top, roles
        self._pid = 0
        if not (roles >= MIN_ROLES and top.dense and _two_cores()):
            return
        cells, slots = roles * widest, roles * top.top
        try:
            # Two mappings: the blocks' goes at `close`, the slots' stays for the result.
            blocks = mmap.mmap(-1, 8 * cells)
            memory = mmap.mmap(-1, 8 * (2 * slots + roles))
        except OSError:  # no shared memory to be had: one process, as ever
            return
        self._buffer = np.frombuffer(blocks, np.float64, cells)
        key = np.frombuffer(memory, np.int64, slots)
        kept = np.frombuffer(memory, np.float64, slots, 8 * slots)
        bar = np.frombuffer(memory, np.float64, roles, 16 * slots)
        top.move_slots(key.reshape(roles, top.top), kept.reshape(roles, top.top), bar)
        self._pid = -1  # forked at the first merge

    def _start_child(self) -> None:
        """Fork the child. What the heap holds free goes back to the system first: a
        page the parent writes after the fork is copied, and the child would keep the
        old one (garbage to it) for as long as it runs."""
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
            self._merge_when_asked()
        os.close(self._asks_r)
        os.close(self._done_w)

    def buffer(self, width: int) -> FloatArray | None:
        """Where to build a block of `width` columns (roles x width, C order): shared
        memory while a child merges, else None (any array will do)."""
        if not self._pid:
            return None
        return self._buffer[: self.roles * width].reshape(self.roles, width)

    def scratch(self, cells: int) -> FloatArray | None:
        """`cells` float64 of the blocks' shared memory, for a block this process merges
        alone (a local block), when there is such memory and enough of it."""
        if not self._pid or cells > self._buffer.size:
            return None
        return self._buffer[:cells]

    def merge(self, first: int, block: FloatArray, lead: int = 0) -> None:
        """Merge clients first.. (the columns of `block` after its first `lead`) into
        the top-K. `block` is the array `buffer` gave, when it gave one."""
        shares = block[:, lead:]
        if self._pid == -1:
            self._start_child()
        if not self._pid or not np.may_share_memory(block, self._buffer):
            self.top.add(first, shares)  # (a block elsewhere: the child cannot see it)
            return
        try:
            os.write(self._asks_w, _ASK.pack(first, lead, block.shape[1]))
            asked = True
        except OSError:  # the child is gone
            asked = False
        self.top.add(first, shares, turn=(0, 2))
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

    def _merge_when_asked(self) -> None:
        """The child: merge its turn of row chunks of each block the parent names,
        say so, and leave without running anything of the parent's (no atexit handler,
        no flush of buffered output) once the parent stops asking."""
        code = 1
        try:
            os.close(self._asks_w)
            os.close(self._done_r)
            while len(ask := _read_exactly(self._asks_r, _ASK.size)) == _ASK.size:
                first, lead, width = _ASK.unpack(ask)
                block = self._buffer[: self.roles * width].reshape(self.roles, width)
                self.top.add(first, block[:, lead:], turn=(1, 2))
                os.write(self._done_w, b"d")
            code = 0
        finally:
            os._exit(code)


def _two_cores() -> bool:
    return can_fork() and usable_cores() >= 2


def _read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = os.read(fd, size - len(data))
        if not more:
            break
        data += more
    return data
