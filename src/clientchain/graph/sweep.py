"""Least solutions of x = base + alpha * A x over the money graph, exactly and in near-linear time.

A[v, u] = w(u->v) / W(v) for roles u, v: the share of v's inflow handed over by u.
Money cycles make this a linear system, not a recursion. We condense the graph
into strongly connected components, layer the components by longest path
from the sources, and sweep the layers in order: each layer is one vectorised
gather-and-sum over the edges coming into it, then one batched dense solve per
component size (most loops are small: budget down, revenue up). Large
components (shared services charging half the company) get a sparse LU
instead. Each component is factorised once per alpha and reused for every
right-hand side, and one sweep carries many columns at once (closeness,
traced share, distance, a block of clients' provenance).

A loop that turns its money over many times before it leaks out (little
outside money feeding much circulation) is ill-conditioned for ordinary
elimination; small loops are inverted by GTH elimination (see loop_inverse.py), which
never subtracts, and large ones get a refinement step with the residual in
extended precision.

A component that no outside money reaches (a closed loop) has the least
solution 0; it is left out of the solves, which is also what keeps every
remaining matrix I - alpha * A_CC nonsingular.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from clientchain.graph.blas_threads import one_blas_thread
from clientchain.graph.column_runs import alpha_runs
from clientchain.graph.distinct import sorted_distinct
from clientchain.graph.gather import Gather, gather
from clientchain.graph.layering import longest_path_layers
from clientchain.graph.loop_inverse import gth_inverse, gth_inverses, room_at
from clientchain.graph.loop_pool import LoopFills, LoopPool
from clientchain.graph.money import MoneyGraph
from clientchain.graph.scc import strong_components
from clientchain.graph.sorting import pair_order
from clientchain.graph.sparse_kernels import superlu
from clientchain.graph.square_csc import SquareCsc, refined_solve, refined_work
from clientchain.graph.thin_layers import THIN, ThinRun, run_bounds, thin_runs
from clientchain.graph.triangular import SUBSTITUTION_WORK
from clientchain.graph.whole_loop import Checked, checked
from clientchain.model.heap import release_freed_memory
from clientchain.model.holder import holder
from clientchain.model.org import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:
    from clientchain.graph.fringe import Fringe

DENSE_MAX = 48  # components up to this size are solved with batched dense inverses
STACKED_CELLS = 1 << 16  # batches this small are inverted together (see _invert_small)
# Loops of more roles than this are peeled before SuperLU (loop_fringe.py, imported only
# then: its machinery is a tenth of the imports of a small run); smaller ones (a few
# hundred roles in a shared-service centre) are cheap for it as they are.
FRINGE_MIN_ROLES = 4096
# Planning a graph of fewer roles and edges than this leaves too little in the heap's
# holes to hand back (a few tens of MB at most).
RELEASE_AFTER_PLAN = 1 << 18


@holder
class _Batch:
    """All fed components of one size s: members (k, s) as plan positions, A (k, s, s)."""

    members: IntArray
    matrix: FloatArray
    leak: FloatArray  # (k, s): share of each role's inflow from outside its component
    inverses: dict[float, FloatArray] = field(default_factory=dict)

    def leak_at(self, alpha: float) -> FloatArray:
        """The leak of I - alpha A (its row sums: room_at)."""
        return room_at(self.leak, alpha)

    def invert(self, alpha: float) -> FloatArray:
        """(I - alpha A)^-1 of each component, made when first asked for."""
        if alpha not in self.inverses:  # (small batches are inverted ahead: _invert_small)
            self.inverses[alpha] = gth_inverse(alpha * self.matrix, self.leak_at(alpha))
        return self.inverses[alpha]

    def solve(self, alpha: float, first: int, last: int, rhs: FloatArray) -> FloatArray:
        """(I - alpha A) x = rhs for components first..last."""
        result: FloatArray = self.invert(alpha)[first:last] @ rhs
        return result


@holder
class _Large:
    """One large fed component: its members and sparse A, factorised lazily per alpha."""

    members: IntArray
    matrix: SquareCsc
    leak: FloatArray  # share of each member's inflow from outside the loop
    # alpha -> SuperLU factors, or the loop with its fringe peeled (PeeledLoop)
    factors: dict[float, Any] = field(default_factory=dict)

    @property
    def peels(self) -> bool:
        """Whether the loop is large enough to have its fringe peeled (loop_fringe.py)."""
        return bool(self.members.size > FRINGE_MIN_ROLES)

    @cached_property
    def fringe(self) -> Fringe | None:
        """A very large loop's peelable fringe (loop_fringe.py), found at its first solve
        (or `prepare`): the plan's own temporaries are gone by then."""
        if not self.peels:
            return None
        from clientchain.graph.fringe import find_fringe

        return find_fringe(self.matrix)

    @cached_property
    def wide_matrix(self) -> SquareCsc:
        """A in extended precision, for the residual of a loop solved whole (at most
        FRINGE_MIN_ROLES roles, solved once a block: converted once, not every solve)."""
        return self.matrix.widened()

    def factor(self, alpha: float) -> Any:
        """The SuperLU factors of I - alpha A (or its peeled form, or what solves it where
        the factors are off: whole_loop.checked), made when first asked for."""
        if alpha not in self.factors:
            if self.fringe is None:
                system = self.matrix.identity_minus(alpha)
                room = room_at(self.leak, alpha)
                self.factors[alpha] = checked(system.lu, system, room, self._residual(alpha))
            else:
                from clientchain.graph.loop_fringe import peel

                # Split along its lines at one alpha: so first at the others (core_solver).
                lines = any(done.core.along_lines for done in self.factors.values())
                self.factors[alpha] = peel(self.fringe, self.matrix, self.leak, alpha, lines)
        return self.factors[alpha]

    def solve(self, alpha: float, rhs: FloatArray) -> FloatArray:
        """x with (I - alpha A) x = rhs, for a loop without a fringe (a peeled one is
        solved in place on the sweep's rows: PeeledLoop.solve)."""
        factors = self.factor(alpha)
        if isinstance(factors, Checked):
            return factors.solve(rhs)
        return refined_solve(factors, rhs, self._residual(alpha))

    def _residual(self, alpha: float) -> Callable[[FloatArray, FloatArray], FloatArray]:
        def residual(rhs: FloatArray, x: FloatArray) -> FloatArray:
            """rhs - (I - alpha A) x in extended precision."""
            wide = x.astype(np.longdouble)
            product: np.ndarray = self.wide_matrix.times(wide)  # A x
            if alpha != 1.0:  # times 1.0 is exact: one pass over the product saved
                product *= alpha
            np.subtract(wide, product, out=product)
            np.subtract(rhs, product, out=product)
            return product.astype(np.float64)

        return residual

    def solve_at(
        self,
        x: FloatArray,
        rows: IntArray,
        alpha: float,
        shares: BoolArray | None = None,
        once: bool = False,
    ) -> None:
        """x[rows] solved in place (`rows`: the loop's places in x, as `members` orders
        them; `shares`: which columns are shares, for a swept core). `once`: the loop's
        one solve at `alpha` this sweep, after which its factors go."""
        if self.fringe is None:
            x[rows] = self.solve(alpha, x[rows])
        else:  # a peeled loop's rows are one slice of x (members are one run): solved there
            assert shares is not None
            self.factor(alpha).solve(x[rows[0] : rows[-1] + 1], shares)
        if once:
            self.drop(alpha)

    def work(self, alpha: float) -> int:
        """About the multiply-adds of a solve per column (factorised now if not yet)."""
        factors = self.factor(alpha)
        if self.fringe is None:
            return refined_work(factors, self.matrix)
        work: int = factors.work()
        return work

    def keep_only(self, keep: set[float]) -> bool:
        """Drop the factors of the alphas not in `keep`; whether any went."""
        dropped = [alpha for alpha in self.factors if alpha not in keep]
        for alpha in dropped:
            del self.factors[alpha]
        return bool(dropped)

    def drop(self, alpha: float) -> None:
        """The factors of `alpha` go (the loop's one solve for it this sweep is done)."""
        self.factors.pop(alpha, None)


# (batch index, first component, last component) or (-1 - large index, 0, 0)
Task = tuple[int, int, int]


@holder
class SweepPlan:
    """Everything about the money graph's structure that every sweep reuses."""

    order: IntArray  # plan position -> role index; roles grouped by layer
    position: IntArray  # role index -> plan position
    layer_nodes: list[int]  # per layer: first plan position (len layers + 1)
    # Cross-component edges of the layers without a gather, sorted by target:
    edge_src: IntArray  # source plan position
    edge_dst: IntArray  # target plan position
    edge_weight: FloatArray  # A[v, u] of that edge
    layer_edges: list[int]  # per layer: first edge (a gathered layer: none)
    gathers: list[Gather | None]  # per layer with more than THIN edges, not in a run
    batches: list[_Batch]
    large: list[_Large | LoopPool]  # peeled loops, and each layer's pool of the others
    tasks: list[list[Task]]  # per layer: the component solves it needs
    runs: list[tuple[int, int, bool]]  # runs of thin layers (see thin_layers.run_bounds)

    @property
    def layers(self) -> int:
        return len(self.layer_nodes) - 1

    @cached_property
    def thin_runs(self) -> dict[int, ThinRun]:
        """Long runs of layers with a few edges and no loop (deep chains), by first layer."""
        return thin_runs(
            self.layer_edges,
            self.layer_nodes,
            self.runs,
            self.edge_src,
            self.edge_dst,
            self.edge_weight,
        )

    def solve(
        self,
        base: FloatArray,
        alphas: Sequence[float],
        chained: tuple[int, int] | None = None,
        in_place: bool = False,
        once: frozenset[float] = frozenset(),
        shares: BoolArray | bool = False,
    ) -> FloatArray:
        """Least x (plan order, roles x columns) with x[:, j] = base[:, j] + alpha_j A x[:, j].

        `chained=(s, d)` adds column s to column d's base as the sweep goes (distance
        needs the traced share of the same role as its own base). `in_place` overwrites
        a float64 base with x instead of copying it (a block of clients is 128 MB).
        `once`: alphas no later sweep uses; a large loop's factors for them go as soon
        as it is solved, so that they do not pile up under the other alphas' factors
        (only for an alpha the sweep solves each loop for once: one run of columns, not
        the chained one; any other would be factorised again, the same, but slower).
        `shares`: which columns are shares of each role's money (clients' shares, between
        0 and 1), which a swept loop settles to 4 ulps of 1, not of each entry
        (settling.py); True: every column.
        """
        self.keep_only(set(alphas))
        self._invert_small(alphas)
        with self.one_thread():
            mask = np.broadcast_to(np.asarray(shares, dtype=bool), (len(alphas),))
            return self._solve(base, alphas, chained, in_place, once, mask)

    @property
    def peels_loops(self) -> bool:
        """Whether a loop is large enough to have its fringe peeled (loop_fringe.py): its
        factors' making holds a few times their size for a while."""
        return any(large.peels for large in self.large)

    @property
    def heavy(self) -> bool:
        """Whether a column's sweep may be heavy enough to weigh (`column_work`): a large
        loop to solve, or a deep run of layers substituted row by row."""
        return bool(self.large) or any(run.substituted for run in self.thin_runs.values())

    def column_work(self, alpha: float) -> int:
        """About how many multiply-adds one column's sweep at `alpha` takes: its roles and
        edges, the substituted runs' rows, and the loops' solves (whose inverses and
        factors are made now, as in `prepare`): what a second process would save, half
        of it, per column."""
        self.prepare([alpha])
        work = 2 * self.order.size + self.edge_src.size
        work += sum(int(batch.members.size * batch.matrix.shape[-1]) for batch in self.batches)
        runs = [run for run in self.thin_runs.values() if run.substituted]
        work += SUBSTITUTION_WORK * sum(int(run.rows.size) for run in runs)
        return work + sum(large.work(alpha) for large in self.large)

    def prepare(self, alphas: Sequence[float]) -> None:
        """Make now every inverse and factor that sweeps at `alphas` need (a sweep makes
        them as it goes): made before a fork, they are one copy for both processes."""
        self._invert_small(alphas)
        with self.one_thread():
            for alpha in dict.fromkeys(alphas):
                for run in self.thin_runs.values():
                    if run.substituted:
                        run.triangle(alpha)
                for batch in self.batches:
                    batch.invert(alpha)
                for large in self.large:
                    large.factor(alpha)

    @contextmanager
    def one_thread(self) -> Iterator[None]:
        """BLAS at one thread for this plan's sweeps (one_blas_thread; inside, a run of
        sweeps sets it once). SuperLU brings its own OpenBLAS: loaded first when a loop
        is large or a run of thin layers is substituted, so that one_blas_thread finds
        it. Loaded inside, it kept its threads for the sweep (every sweep at 100k roles),
        and their waits cost more CPU than the solves did."""
        if self.heavy:
            superlu()
        with one_blas_thread():
            yield

    def _invert_small(self, alphas: Sequence[float]) -> None:
        """The inverses the sweep will need of small batches, for every alpha, in one
        elimination per size class (sizes up to 2, 4, 8, 16, 32, DENSE_MAX): at 10k
        roles a sweep has ~40 batches of a few loops each, and their calls were most of
        its time. Larger batches are inverted on their own, when first solved."""
        wanted = list(dict.fromkeys(alphas))
        classes: dict[int, list[tuple[_Batch, float]]] = {}
        for batch in self.batches:
            if batch.matrix.size * len(wanted) > STACKED_CELLS:
                continue
            size = min(DENSE_MAX, 1 << (batch.matrix.shape[1] - 1).bit_length())
            todo = [(batch, alpha) for alpha in wanted if alpha not in batch.inverses]
            classes.setdefault(size, []).extend(todo)
        for todo in classes.values():
            if not todo:
                continue
            inverses = gth_inverses(
                [(alpha * batch.matrix, batch.leak_at(alpha)) for batch, alpha in todo]
            )
            for (batch, alpha), inverse in zip(todo, inverses, strict=True):
                batch.inverses[alpha] = inverse

    def keep_only(self, keep: set[float]) -> None:
        """Drop the factors of alphas this sweep does not use. The analysis sweeps once
        with the decay and 1.0, then only with 1.0 for every further block of clients:
        the decay's SuperLU factors and dense inverses (~100 MB at 1M chargeback roles)
        are dead weight there. Their pages go back to the system: SuperLU's many small
        blocks stay in the heap otherwise, under every later block of clients.
        """
        for run in self.__dict__.get("thin_runs", {}).values():  # (made by a sweep)
            run.keep_only(keep)
        dropped = False
        for large in self.large:
            dropped = large.keep_only(keep) or dropped
        for batch in self.batches:
            for alpha in [a for a in batch.inverses if a not in keep]:
                del batch.inverses[alpha]
                dropped = True
        if dropped:
            release_freed_memory()

    def _solve(
        self,
        base: FloatArray,
        alphas: Sequence[float],
        chained: tuple[int, int] | None,
        in_place: bool,
        once: frozenset[float],
        shares: BoolArray,
    ) -> FloatArray:
        # C order: the sparse gathers would copy anything else on every layer.
        fits = in_place and base.dtype == np.float64 and base.flags.c_contiguous
        x = base if fits else np.array(base, dtype=np.float64, order="C")
        runs = alpha_runs(alphas)
        scale = np.asarray(alphas, dtype=np.float64)
        uniform = len(runs) == 1
        free = runs if chained is None else alpha_runs(alphas, skip=chained[1])
        # Dropped as used only where each loop is solved once for it (see solve).
        solved = [alpha for alpha, _ in free]
        once = frozenset(a for a in once if solved.count(a) == 1)
        if chained is not None:
            once -= {alphas[chained[1]]}
        src, dst, weight = self.edge_src, self.edge_dst, self.edge_weight
        le, ln = self.layer_edges, self.layer_nodes
        thin = self.thin_runs
        layer = -1
        while layer + 1 < self.layers:
            layer += 1
            run = thin.get(layer)
            if run is not None and run.takes(x.shape[1]):
                run.apply(x, scale, chained)
                layer = run.stop - 1
                continue
            e0, e1 = le[layer], le[layer + 1]
            gather = self.gathers[layer]
            if gather is not None:
                gather.add_into(x, runs[0][0] if uniform else scale)
            else:
                for e in range(e0, e1):
                    x[dst[e]] += (weight[e] * scale) * x[src[e]]
            tasks = self.tasks[layer]
            if chained is None:
                if tasks:
                    self._solve_components(x, tasks, runs, once, shares)
                continue
            if tasks:
                self._solve_components(x, tasks, free, once, shares)
            n0, n1 = ln[layer], ln[layer + 1]
            x[n0:n1, chained[1]] += x[n0:n1, chained[0]]
            if tasks:
                one = slice(chained[1], chained[1] + 1)
                chain = [(float(scale[chained[1]]), one)]
                self._solve_components(x, tasks, chain, once, shares)
        return x

    def _solve_components(
        self,
        x: FloatArray,
        tasks: list[Task],
        runs: list[tuple[float, slice]],
        once: frozenset[float],
        shares: BoolArray,
    ) -> None:
        # Each run's columns are gathered on their own (a chained pass needs one column of
        # a block of 100); a block of clients (one alpha, every column) takes whole rows.
        whole = len(runs) == 1 and runs[0][1] == slice(0, x.shape[1])
        for which, first, last in tasks:
            if which >= 0:
                batch = self.batches[which]
                rows = batch.members[first:last]
                for alpha, cols in runs:
                    at = rows if whole else (rows, cols)
                    x[at] = batch.solve(alpha, first, last, x[at])
            else:
                large = self.large[-1 - which]
                for alpha, cols in runs:
                    view = x if whole else x[:, cols]
                    # (once: see solve; the loop's one solve for that alpha)
                    large.solve_at(view, large.members, alpha, shares[cols], alpha in once)

    def to_plan(self, values: FloatArray) -> FloatArray:
        """Rows in role order -> rows in plan order."""
        return values[self.order]

    def from_plan(self, values: FloatArray) -> FloatArray:
        """Rows in plan order -> rows in role order."""
        return values[self.position]


@holder
class _Condensed:
    """The role-to-role edges and the strongly connected components (money loops) they form."""

    count: int  # components
    labels: IntArray  # role -> its component
    src: IntArray  # per role-to-role edge u -> v: u
    dst: IntArray  # v
    weight: FloatArray  # A[v, u]
    cross: np.ndarray  # per edge: it leaves its component

    @cached_property
    def leaving(self) -> tuple[IntArray, IntArray, FloatArray]:
        """The edges that leave their component (u, v, weight), selected once for
        the layering, the plan's edges, what is fed and the outside shares."""
        where = np.flatnonzero(self.cross)
        return self.src[where], self.dst[where], self.weight[where]


@holder
class _SizeGroup:
    """The fed components of one size s, in layer order, and the edges inside them."""

    size: int
    comps: IntArray  # (k,) component labels, by layer
    members: IntArray  # (k, s) plan positions of their roles
    which: IntArray  # per inside edge: its component's place in comps
    row: IntArray  # its target's place within that component
    col: IntArray  # its source's
    weight: FloatArray


def plan_sweeps(graph: MoneyGraph, left_out: FloatArray | None = None) -> SweepPlan:
    """Condense, layer and index the role-to-role money graph once. `left_out`: per role,
    the share of its inflow from payers the graph leaves out (a cut: graph/reach.py),
    which leaks out of its loop like any other outside money."""
    condensed = _condense(graph)
    labels = condensed.labels
    leaving_src, leaving_dst, _ = condensed.leaving
    comp_layer = longest_path_layers(condensed.count, labels[leaving_src], labels[leaving_dst])
    role_layer = comp_layer[labels]
    order, position, layer_nodes = _plan_order(labels, role_layer)
    layers = layer_nodes.size - 1
    cu, cv, cw, layer_edges = _cross_edges(condensed, position, role_layer[order], layers)
    outside = _outside_share(graph, condensed)
    if left_out is not None:
        outside += left_out
    batches, large, tasks = _components(
        condensed, comp_layer, _fed(graph, condensed), order, position, outside[order], layers
    )
    del condensed, outside
    counts = np.diff(layer_edges)
    runs = run_bounds(counts, np.array([not t for t in tasks], dtype=bool))
    gathered = counts > THIN
    for first, stop, substituted in runs:
        if substituted:  # (its layers are solved whole, not gathered)
            gathered[first:stop] = False
    gathers = [
        gather(cu[e0:e1], cv[e0:e1], cw[e0:e1], graph.roles) if wide else None
        for e0, e1, wide in zip(
            layer_edges[:-1].tolist(), layer_edges[1:].tolist(), gathered.tolist(), strict=True
        )
    ]
    cu, cv, cw, layer_edges = _ungathered(cu, cv, cw, layer_edges, gathered)
    # What planning a million roles made and dropped (hundreds of MB in the heap's holes,
    # 400 MB for a loop of them all) goes back before the sweeps' blocks come on top. A
    # small plan's few MB are not worth it: a trim walks the whole heap, and a local
    # block's plan is made hundreds of times (a million roles, 100,000 customers: 561
    # plans of ~4,600 roles, 0.56 s of trims, their pages faulted in again after).
    if graph.roles + graph.payer.size >= RELEASE_AFTER_PLAN:
        release_freed_memory()
    return SweepPlan(
        order,
        position,
        layer_nodes.tolist(),
        cu,
        cv,
        cw,
        layer_edges.tolist(),
        gathers,
        batches,
        large,
        tasks,
        runs,
    )


def _condense(graph: MoneyGraph) -> _Condensed:
    """The strongly connected components of the edges between roles (clients left out)."""
    r = graph.roles
    inner = graph.payer < r
    u, v = graph.payer[inner], graph.payee[inner]
    count, labels = strong_components(u, v, r)
    return _Condensed(count, labels, u, v, graph.share[inner], labels[u] != labels[v])


def _plan_order(labels: IntArray, role_layer: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Plan positions (roles by layer, each component contiguous), their inverse, and each
    layer's first position (one more at the end)."""
    r = labels.size
    order = pair_order(role_layer, labels, r)
    position = np.empty(r, dtype=np.int64)
    position[order] = np.arange(r)
    layers = int(role_layer.max(initial=-1)) + 1
    # role_layer[order] is sorted: the first place of each layer number is where it starts.
    layer_nodes = np.searchsorted(role_layer[order], np.arange(layers + 1))
    return order, position, layer_nodes


def _cross_edges(
    condensed: _Condensed, position: IntArray, layer_at: IntArray, layers: int
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """Edges between components as plan positions (source, target, weight) sorted by
    target, and each layer's first edge; `layer_at` is the layer of each plan position."""
    src, dst, cw = condensed.leaving
    cu, cv = position[src], position[dst]
    # By target: a target's edges are one group (reduceat), and as plan positions run
    # layer by layer, so does this order: a layer's edges are one slice.
    by_target = pair_order(cv, cu, position.size)
    cu, cv, cw = cu[by_target], cv[by_target], cw[by_target]
    layer_edges = np.searchsorted(layer_at[cv], np.arange(layers + 1))
    return cu, cv, cw, layer_edges


def _ungathered(
    cu: IntArray, cv: IntArray, cw: FloatArray, layer_edges: IntArray, gathered: np.ndarray
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """The edges of the layers without a gather, and each layer's first edge among them
    (a gathered layer has none). A gather holds its own copy of its edges: the plan's
    would be dead weight (58 MB at a million roles of the chargeback shape)."""
    count = np.diff(layer_edges)
    keep = np.repeat(~gathered, count)
    bounds = np.zeros(layer_edges.size, dtype=np.int64)
    np.cumsum(np.where(gathered, 0, count), out=bounds[1:])
    return cu[keep], cv[keep], cw[keep], bounds


def _fed(graph: MoneyGraph, condensed: _Condensed) -> np.ndarray:
    """Per component: a client pays one of its roles or an edge enters it."""
    labels = condensed.labels
    fed = np.zeros(condensed.count, dtype=bool)
    fed[labels[graph.payee[graph.paid_by_client]]] = True
    fed[labels[condensed.leaving[1]]] = True
    return fed


def _outside_share(graph: MoneyGraph, condensed: _Condensed) -> FloatArray:
    """Per role: the share of its inflow from outside its component."""
    _, dst, weight = condensed.leaving
    # Summed from what enters the role, never 1 - inside: that would cancel in a tight loop.
    entering = np.bincount(dst, weights=weight, minlength=graph.roles)
    outside: FloatArray = graph.client_share + entering
    return outside


def _components(
    condensed: _Condensed,
    comp_layer: IntArray,
    fed: np.ndarray,
    order: IntArray,
    position: IntArray,
    outside: FloatArray,
    layers: int,
) -> tuple[list[_Batch], list[_Large | LoopPool], list[list[Task]]]:
    """Matrices of the fed multi-role components: dense batches by size, sparse when large
    (a loop too small to peel in its layer's pool).

    `outside` is each plan position's share of inflow from outside its component.
    """
    tasks: list[list[Task]] = [[] for _ in range(layers)]
    batches: list[_Batch] = []
    large: list[_Large | LoopPool] = []
    comp_size = np.bincount(condensed.labels, minlength=condensed.count)
    is_wanted = (comp_size > 1) & fed
    if not is_wanted.any():
        return batches, large, tasks
    pooled: dict[int, list[_Large]] = {}  # layer -> its loops too small to peel
    fills = LoopFills()  # (the costly factors made to weigh the pools: see loop_pool.py)
    for group in _size_groups(condensed, comp_size, comp_layer, is_wanted, order, position):
        if group.size <= DENSE_MAX:
            _add_dense(batches, tasks, group, comp_layer, outside, layers)
            continue
        for layer, loop in _large_loops(group, comp_layer, outside):
            if loop.peels:
                tasks[layer].append((-1 - len(large), 0, 0))
                large.append(loop)
            else:
                pooled.setdefault(layer, []).append(loop)
    for layer, loops in sorted(pooled.items()):
        tasks[layer].append((-1 - len(large), 0, 0))
        large.append(LoopPool(loops, fills))
    return batches, large, tasks


def _size_groups(
    condensed: _Condensed,
    comp_size: IntArray,
    comp_layer: IntArray,
    is_wanted: np.ndarray,
    order: IntArray,
    position: IntArray,
) -> Iterator[_SizeGroup]:
    """The wanted components and their inside edges, a group per size, smallest first."""
    labels = condensed.labels
    inside = ~condensed.cross
    iu, iv, iw = condensed.src[inside], condensed.dst[inside], condensed.weight[inside]
    roles_in, local, local_of = _wanted_members(labels, order, is_wanted)
    member_label = labels[roles_in]
    edge_in = np.flatnonzero(is_wanted[labels[iv]])
    sized = _split_by_size(comp_size[member_label], comp_size[labels[iv[edge_in]]])
    rank = np.full(comp_size.size, -1, dtype=np.int64)  # component -> its place in its group
    for size, mine, edge_of in sized:
        edge = edge_in[edge_of]
        comps = sorted_distinct(member_label[mine])
        # By layer: a layer's components are then one slice of the group (one task).
        comps = comps[np.argsort(comp_layer[comps], kind="stable")]
        rank[comps] = np.arange(comps.size)
        members = np.empty((comps.size, size), dtype=np.int64)
        members[rank[member_label[mine]], local[mine]] = position[roles_in[mine]]
        target, source = iv[edge], iu[edge]
        yield _SizeGroup(
            size, comps, members, rank[labels[target]], local_of[target], local_of[source], iw[edge]
        )


def _wanted_members(
    labels: IntArray, order: IntArray, is_wanted: np.ndarray
) -> tuple[IntArray, IntArray, IntArray]:
    """The roles of the wanted components in plan order (contiguous per component), the
    place of each within its component, and that place by role (-1 for other roles)."""
    roles_in = order[is_wanted[labels[order]]]
    member_label = labels[roles_in]
    first = np.flatnonzero(np.r_[True, member_label[1:] != member_label[:-1]])
    # Components are contiguous runs here: a member's place in its own is its place in
    # the list minus where its run starts (no per-component loop).
    local = np.arange(roles_in.size) - np.repeat(first, np.diff(np.r_[first, roles_in.size]))
    local_of = np.full(labels.size, -1, dtype=np.int64)
    local_of[roles_in] = local
    return roles_in, local, local_of


def _split_by_size(
    member_size: IntArray, edge_size: IntArray
) -> list[tuple[int, IntArray, IntArray]]:
    """Per component size: (size, the members, the edges) as indices into the given lists,
    each kept in its given order, so each size works on its own slices, not masks over all."""
    members_of, member_sizes = _by_size(member_size)
    edges_of, edge_sizes = _by_size(edge_size)
    sizes = sorted_distinct(member_sizes)
    # Both are sorted by size: where each size (and one past the largest) would go
    # bounds that size's slice.
    ends: IntArray = np.append(sizes, sizes[-1] + 1)
    m_bounds: list[int] = np.searchsorted(member_sizes, ends).tolist()
    e_bounds: list[int] = np.searchsorted(edge_sizes, ends).tolist()
    return [
        (
            size,
            members_of[m_bounds[i] : m_bounds[i + 1]],
            edges_of[e_bounds[i] : e_bounds[i + 1]],
        )
        for i, size in enumerate(sizes.tolist())
    ]


def _by_size(size: IntArray) -> tuple[IntArray, IntArray]:
    """A stable order by size, and the sizes in that order."""
    order = np.argsort(size, kind="stable")
    return order, size[order]


def _add_dense(
    batches: list[_Batch],
    tasks: list[list[Task]],
    group: _SizeGroup,
    comp_layer: IntArray,
    outside: FloatArray,
    layers: int,
) -> None:
    """One batch of dense matrices for this (small) size, and a task per layer it spans."""
    size = group.size
    matrix = np.zeros((group.comps.size, size, size), dtype=np.float64)
    np.add.at(matrix, (group.which, group.row, group.col), group.weight)
    leak = outside[group.members]  # outside is in plan order, like members
    batch_no = len(batches)
    batches.append(_Batch(group.members, matrix, leak))
    # comps are in layer order: each layer's components are the slice its number bounds.
    bounds = np.searchsorted(comp_layer[group.comps], np.arange(layers + 1))
    for layer in np.flatnonzero(np.diff(bounds)).tolist():
        tasks[layer].append((batch_no, int(bounds[layer]), int(bounds[layer + 1])))


def _large_loops(
    group: _SizeGroup, comp_layer: IntArray, outside: FloatArray
) -> Iterator[tuple[int, _Large]]:
    """One sparse matrix per component of this (large) size, edges in their given order,
    with its layer."""
    size, which = group.size, group.which
    edges: list[slice] | list[IntArray]
    if group.comps.size == 1:  # one loop of its size (the whole org at times): no copies
        edges = [slice(None)]
    else:  # edges grouped by component (stable: given order kept), each group one slice
        by_comp = np.argsort(which, kind="stable")
        bounds = np.searchsorted(which[by_comp], np.arange(group.comps.size + 1)).tolist()
        edges = [by_comp[bounds[k] : bounds[k + 1]] for k in range(group.comps.size)]
    for k, comp in enumerate(group.comps.tolist()):
        mine = edges[k]
        matrix = SquareCsc.from_entries(size, group.row[mine], group.col[mine], group.weight[mine])
        members = group.members[k]
        # (Plan positions run component by component: a loop's members are one run.)
        assert members[-1] - members[0] == size - 1, "a loop's roles are one run of the plan"
        yield int(comp_layer[comp]), _Large(members, matrix, outside[members])
