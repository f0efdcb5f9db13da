"""The client sweeps, on two cores where the machine has two.

At a million roles each block of clients costs a sweep (solving for its columns) and a
merge into the running top-K, the merge costing about as much as the sweep. On two
cores a forked child takes half of both: it solves half the columns of each block
while the parent solves the other half, and it merges every other chunk of rows of
each block while the parent merges the others (chunks in turns, not halves: the roles
of the later layers have many more clients to merge). Blocks are solved into shared
memory and the top-K slots live there too, each process writing only its own rows.

Every client's column is solved by the same code whichever block carries it, and a
role's top-K does not depend on the order its clients come in (each client has a key
of its own), so the result is the same to the bit. Should the child stop before it
says it has done its part of a block, nothing it wrote is trusted: the parent sweeps
and merges every client again on its own. Slower, never different.

Memory stays as in one process: the block and the slots are the same arrays, only
shared; the child adds its temporaries. It is forked once the heap's free pages are
handed back, so that the pages the parent writes afterwards are not kept twice.
"""

from __future__ import annotations

import mmap
import os
import signal
import struct

import numpy as np

from clientchain.analyses.provenance import ClientBlocks, TopClients
from clientchain.analyses.served import ServedClients
from clientchain.graph.sweep import SweepPlan
from clientchain.model.forking import can_fork
from clientchain.model.heap import release_freed_memory
from clientchain.model.org import FloatArray

# Below this many roles the merges cost less than a fork and its page faults save.
MIN_ROLES = 200_000


def sweep_all(
    plan: SweepPlan,
    blocks: ClientBlocks,
    decay: float,
    direct_share: FloatArray,
    top: TopClients,
    served: ServedClients,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Closeness, traced share and hand-overs (role order), with every client's share
    merged into `top` and `served` on the way.

    One sweep makes the three (hand-overs are based on the traced share) and, in one
    process, the first block of clients' shares; further blocks sweep on their own.
    """
    cores = TwoCores(plan, blocks, top, served, blocks.width)
    # Clients 0..head-1 join the first sweep; on two cores none do, as every block of
    # clients is shared between the two processes and the first sweep is not.
    head = 0 if cores.shared else min(blocks.clients, blocks.width)
    try:
        base = blocks.base(0, head, lead=3)
        base[:, 0] = base[:, 1] = direct_share
        alphas = [decay] + [1.0] * (base.shape[1] - 1)
        swept = plan.solve(base, alphas, chained=(1, 2), in_place=True)
        closeness, traced, handovers = (swept[plan.position, j] for j in range(3))
        # Every further sweep is at alpha 1: the decay's factors go before the child
        # is forked, or it would keep their pages.
        plan.keep_only({1.0})
        try:
            if head:
                cores.merge(0, swept, lead=3)
            del base, swept  # before the next block is made (128 MB each)
            for first, last in blocks.ranges(head, blocks.width):
                cores.sweep(first, last)
        except ChildStoppedError:
            # What the child merged cannot be trusted (it may have stopped halfway
            # through a row): every client again, from nothing, in this process.
            top.clear()
            served.clear()
            for first, last in blocks.ranges(0, blocks.width):
                cores.sweep(first, last)
    except BaseException:
        cores.kill()
        raise
    cores.close()
    return closeness, traced, handovers


class ChildStoppedError(Exception):
    """The child stopped before it said it had done its part of a block."""


_ASK = struct.Struct("<5q")  # what to do, and four numbers to do it with
_MERGE = 1  # first client, lead columns, width, offset: merge the child's turn of rows
_SOLVE = 2  # first client, last client, offset, -: make and solve that block


class TwoCores:
    """Sweeps blocks of clients and merges them into `top` and `served`; on two cores,
    the child solves half the columns of each block and merges every other chunk of
    rows. The buffer each block is solved into is shared memory then."""

    def __init__(
        self,
        plan: SweepPlan,
        blocks: ClientBlocks,
        top: TopClients,
        served: ServedClients,
        widest: int,
    ) -> None:
        """`widest`: the most columns a block of clients will have."""
        self.plan, self.blocks, self.top, self.served = plan, blocks, top, served
        roles = blocks.roles
        self._pid = 0
        self.shared = roles >= MIN_ROLES and top.dense and _two_cores()
        if not self.shared:
            return
        cells, slots = roles * widest, roles * top.top
        try:
            memory = mmap.mmap(-1, 8 * (cells + 2 * slots + roles))
        except OSError:  # no shared memory to be had: one process, as ever
            self.shared = False
            return
        self._buffer = np.frombuffer(memory, np.float64, cells)
        key = np.frombuffer(memory, np.int64, slots, 8 * cells)
        kept = np.frombuffer(memory, np.float64, slots, 8 * (cells + slots))
        bar = np.frombuffer(memory, np.float64, roles, 8 * (cells + 2 * slots))
        top.move_slots(key.reshape(roles, top.top), kept.reshape(roles, top.top), bar)
        self._pid = -1  # forked at the first block of clients

    def _view(self, width: int, offset: int) -> FloatArray:
        cells = self.blocks.roles * width
        return self._buffer[offset : offset + cells].reshape(self.blocks.roles, width)

    def merge(self, first: int, block: FloatArray, lead: int = 0) -> None:
        """Merge clients first.. (the columns of `block` after its first `lead`) into
        `top` and `served`; with the child when `block` is in the shared buffer."""
        shares = block[:, lead:]
        if self.served.wanted:
            self.served.add(first, shares)
        if self._pid <= 0 or not np.may_share_memory(block, self._buffer):
            self.top.add(first, shares)  # (a block elsewhere: the child cannot see it)
            return
        self._ask(_MERGE, first, lead, block.shape[1], self._offset(block))
        self.top.add(first, shares, turn=(0, 2))
        self._wait(b"d")

    def sweep(self, first: int, last: int) -> None:
        """Solve the block of clients first..last-1 and merge it."""
        if self._pid == -1:
            self._start_child()
        mid = (first + last + 1) // 2
        if not self._pid or mid == last:
            out = self._view(last - first, 0) if self._pid else None
            self.merge(first, self._solve(first, last, out))
            return
        theirs = self.blocks.roles * (mid - first)  # their half's offset, after ours
        self._ask(_SOLVE, mid, last, theirs, 0)
        ours = self._solve(first, mid, self._view(mid - first, 0))
        self._wait(b"s")
        for lo, block, at in ((first, ours, 0), (mid, self._view(last - mid, theirs), theirs)):
            if self.served.wanted:
                self.served.add(lo, block)
            self._ask(_MERGE, lo, 0, block.shape[1], at)
            self.top.add(lo, block, turn=(0, 2))
        self._wait(b"d")
        self._wait(b"d")

    def _solve(self, first: int, last: int, out: FloatArray | None) -> FloatArray:
        base = self.blocks.base(first, last, out=out)
        return self.plan.solve(base, [1.0] * (last - first), in_place=True)

    def _offset(self, block: FloatArray) -> int:
        start: int = block.__array_interface__["data"][0] - self._buffer.ctypes.data
        return start // 8

    def close(self) -> None:
        """Let the child go (the slots stay where they are, for the result)."""
        self._stop_child()

    def kill(self) -> None:
        """The parent failed: the child must not wait for a block that will not come."""
        if self._pid > 0:
            os.kill(self._pid, signal.SIGKILL)
            self._stop_child()

    def _start_child(self) -> None:
        """Fork the child. What the heap holds free goes back to the system first: a
        page the parent writes after the fork is copied, and the child would keep the
        old one (garbage to it) for as long as it runs."""
        release_freed_memory()
        self._asks_r, self._asks_w = os.pipe()
        self._done_r, self._done_w = os.pipe()
        try:
            self._pid = os.fork()
        except OSError:  # no process to be had: the parent does everything
            self._pid = 0
            for fd in (self._asks_r, self._asks_w, self._done_r, self._done_w):
                os.close(fd)
            return
        if self._pid == 0:
            self._work_when_asked()
        os.close(self._asks_r)
        os.close(self._done_w)

    def _stop_child(self) -> None:
        if self._pid > 0:
            os.close(self._asks_w)  # its next read sees the end and it leaves
            os.close(self._done_r)
            os.waitpid(self._pid, 0)
        self._pid = 0

    def _ask(self, *numbers: int) -> None:
        try:
            os.write(self._asks_w, _ASK.pack(*numbers))
        except OSError:  # the child is gone
            self._stop_child()
            raise ChildStoppedError from None

    def _wait(self, reply: bytes) -> None:
        if os.read(self._done_r, 1) != reply:
            self._stop_child()
            raise ChildStoppedError

    def _work_when_asked(self) -> None:
        """The child: do what the parent asks, say so, and leave without running
        anything of the parent's (no atexit handler, no flush of buffered output) once
        the parent stops asking."""
        code = 1
        try:
            os.close(self._asks_w)
            os.close(self._done_r)
            while len(ask := _read_exactly(self._asks_r, _ASK.size)) == _ASK.size:
                what, a, b, c, d = _ASK.unpack(ask)
                if what == _SOLVE:
                    self._solve(a, b, self._view(b - a, c))
                    os.write(self._done_w, b"s")
                else:
                    self.top.add(a, self._view(c, d)[:, b:], turn=(1, 2))
                    os.write(self._done_w, b"d")
            code = 0
        finally:
            os._exit(code)


def _two_cores() -> bool:
    return can_fork() and len(os.sched_getaffinity(0)) >= 2


def _read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = os.read(fd, size - len(data))
        if not more:
            break
        data += more
    return data
