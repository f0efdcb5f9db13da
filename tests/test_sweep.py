"""The layered sweep equals a dense least solution on random money graphs with loops."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.graph import sweep as sweep_module
from clientchain.graph.money import MoneyGraph, build_money_graph
from clientchain.graph.sweep import SweepPlan, Task, plan_sweeps
from clientchain.model.org import Org


def org_from_edges(roles: int, clients: int, edges: list[tuple[int, int, int]]) -> Org:
    payer, payee, amount = zip(*edges, strict=True) if edges else ((), (), ())
    return Org(
        source="org.yaml",
        name=None,
        currency=None,
        role_ids=tuple(f"r{i}" for i in range(roles)),
        role_titles=(None,) * roles,
        role_departments=(None,) * roles,
        role_lines=np.arange(roles, dtype=np.int64),
        parent=np.full(roles, -1, dtype=np.int64),
        headcount=np.ones(roles, dtype=np.int64),
        client_ids=tuple(f"c{i}" for i in range(clients)),
        client_titles=(None,) * clients,
        client_lines=np.arange(clients, dtype=np.int64),
        flow_payer=np.array(payer, dtype=np.int64),
        flow_payee=np.array(payee, dtype=np.int64),
        flow_amount=np.array(amount, dtype=np.float64),
    )


@st.composite
def money_graphs(draw: st.DrawFn) -> tuple[int, int, list[tuple[int, int, int]]]:
    roles = draw(st.integers(1, 14))
    clients = draw(st.integers(0, 3))
    nodes = roles + clients
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, nodes - 1), st.integers(0, roles - 1), st.integers(1, 50)),
            max_size=40,
        )
    )
    return roles, clients, [(u, v, w) for u, v, w in edges if u != v]


def dense_shares(graph: MoneyGraph, roles: int, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """A (roles x roles: A[v, u] = w(u->v) / W(v)) and each role's direct share from each
    client (roles x `columns`, at least the clients), dense, from the graph's flows."""
    a = np.zeros((roles, roles))
    base = np.zeros((roles, columns))
    for u, v, w in zip(graph.payer, graph.payee, graph.amount, strict=True):
        if u < roles:
            a[v, u] += w / graph.inflow[v]
        else:
            base[v, u - roles] += w / graph.inflow[v]
    return a, base


def dense_least_solution(a: np.ndarray, base: np.ndarray, alpha: float) -> np.ndarray:
    """Roles no positive base can reach stay 0; the rest is a nonsingular dense system."""
    n = a.shape[0]
    reach = base.reshape(n, -1).any(axis=1) if base.size else np.zeros(n, bool)
    changed = True
    while changed:
        grown = reach | (a[:, reach] > 0).any(axis=1)
        changed = bool((grown != reach).any())
        reach = grown
    x = np.zeros_like(base, dtype=float)
    idx = np.flatnonzero(reach)
    if idx.size:
        m = np.eye(idx.size) - alpha * a[np.ix_(idx, idx)]
        x[idx] = np.linalg.solve(m, base[idx])
    return x


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(money_graphs(), st.floats(0.05, 1.0))
def test_sweep_matches_dense_solve(
    case: tuple[int, int, list[tuple[int, int, int]]], alpha: float
) -> None:
    roles, clients, edges = case
    graph = build_money_graph(org_from_edges(roles, clients, edges))
    plan = plan_sweeps(graph)
    a, base = dense_shares(graph, roles, max(clients, 1))
    got = plan.from_plan(plan.solve(plan.to_plan(base), [alpha] * base.shape[1]))
    want = dense_least_solution(a, base, alpha)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    # Mixed alphas in one sweep, and a column chained onto another (x2 = x1 + A x2).
    mixed = np.column_stack([base[:, 0], base[:, 0], np.zeros(roles)])
    swept = plan.from_plan(plan.solve(plan.to_plan(mixed), [alpha, 1.0, 1.0], chained=(1, 2)))
    np.testing.assert_allclose(swept[:, 0], want[:, 0], rtol=1e-9, atol=1e-12)
    traced = dense_least_solution(a, base[:, :1], 1.0)
    np.testing.assert_allclose(swept[:, 1], traced[:, 0], rtol=1e-9, atol=1e-12)
    chained = dense_least_solution(a, traced, 1.0)
    np.testing.assert_allclose(swept[:, 2], chained[:, 0], rtol=1e-9, atol=1e-12)


def test_loop_with_heavy_circulation_stays_exact() -> None:
    """1 unit from a client and 1 from an unfunded role feed a loop turning 10**8 over:
    an ill-conditioned system, still exact to 1e-12 (refinement in extended precision)."""
    from fractions import Fraction

    big = 10**8
    # roles a=0, b=1, z=2; client c=3
    edges = [(3, 0, 1), (2, 0, 1), (0, 1, big), (1, 0, big)]
    graph = build_money_graph(org_from_edges(3, 1, edges))
    plan = plan_sweeps(graph)
    direct = np.array([1 / (big + 2), 0.0, 0.0])
    base = np.column_stack([direct, direct, np.zeros(3)])
    swept = plan.from_plan(plan.solve(plan.to_plan(base), [0.5, 1.0, 1.0], chained=(1, 2)))
    # Exact: T(a) = 1/(big+2) + big/(big+2) T(b), T(b) = T(a)  =>  T = 1/2.
    # H(a) = T(a) + big/(big+2) H(b), H(b) = T(b) + H(a)  =>  H(a) = (big+1)/2... solved below.
    p = Fraction(big, big + 2)
    t = Fraction(1, 2)
    h_a = (t + p * t) / (1 - p)
    k_a = Fraction(1, big + 2) / (1 - p * Fraction(1, 4))  # k = b + g A k, g = 1/2, two steps
    assert swept[0, 1] == pytest.approx(0.5, abs=1e-12)
    assert swept[1, 1] == pytest.approx(0.5, abs=1e-12)
    assert swept[0, 2] / swept[0, 1] == pytest.approx(float(h_a / t), rel=1e-12)
    assert swept[0, 0] == pytest.approx(float(k_a), abs=1e-12)


def _ring(roles: int, amount: int) -> list[tuple[int, int, int]]:
    """Each role paying the next `amount`, chords of 3 from every fifth role to the one
    7 on, one unit from the one client (number `roles`) to role 0."""
    edges = [(v, (v + 1) % roles, amount) for v in range(roles)]
    edges += [(v, (v + 7) % roles, 3) for v in range(0, roles, 5)]
    return [*edges, (roles, 0, 1)]


@pytest.mark.parametrize("gth_max", [1024, 0], ids=["gth", "refined"])
@pytest.mark.parametrize(("amount", "inverted"), [(10**12, True), (10**3, False)])
def test_a_ring_solved_whole_whose_factors_are_off_is_solved_without_subtractions(
    monkeypatch: pytest.MonkeyPatch, amount: int, inverted: bool, gth_max: int
) -> None:
    """60 roles each paying the next (a loop solved whole: more than DENSE_MAX roles,
    fewer than FRINGE_MIN_ROLES), chords of 3, one unit from a client. Turning 10**12
    over, SuperLU's factors had every traced share 0.999486 (A's rounding is a part in
    10^4 of what leaks); solved for the rows' sums they miss all ones, and the loop's GTH
    inverse solves it instead, or (more roles than GTH_MAX) its factors refined on
    residuals taken from the rooms: exact against fractions either way. Turning 10**3
    over, the factors stay."""
    from fractions import Fraction

    from clientchain.graph import whole_loop
    from tests.test_loop_gauss_seidel import _exact_shares, assert_exact

    monkeypatch.setattr(whole_loop, "GTH_MAX", gth_max)
    kind = whole_loop.GthInverse if gth_max else whole_loop.RoomRefined
    roles = 60
    edges = _ring(roles, amount)
    plan = plan_sweeps(build_money_graph(org_from_edges(roles, 1, edges)))
    share, base = _exact_shares(roles, 1, edges)
    rhs = np.array([[float(row[0])] for row in base])
    for alpha in (Fraction(1, 2), Fraction(1)):
        got = plan.from_plan(plan.solve(plan.to_plan(rhs), [float(alpha)]))
        (loop,) = plan.large  # (in a layer's pool: its one part)
        part = getattr(loop, "parts", [loop])[0]
        assert part.fringe is None  # (solved whole)
        assert isinstance(part.factors[float(alpha)], kind) == (inverted and alpha == 1)
        assert_exact(got, share, base, alpha, rel=1e-12)


@pytest.mark.parametrize("gth_max", [1024, 0], ids=["gth", "refined"])
@pytest.mark.parametrize("amount", [10**6, 10**12])
def test_a_loop_paying_itself_whose_factors_are_off_is_solved_without_subtractions(
    monkeypatch: pytest.MonkeyPatch, amount: int, gth_max: int
) -> None:
    """The ring again with a role paying itself: GTH takes it by the system's diagonal
    (K = D (I - A'), A' what each row takes over D), or (more roles than GTH_MAX) its
    factors are refined from its rooms; exact against fractions either way, where one
    refinement step left them off."""
    from fractions import Fraction

    from clientchain.graph import whole_loop
    from tests.test_loop_gauss_seidel import _exact_shares, assert_exact

    monkeypatch.setattr(whole_loop, "GTH_MAX", gth_max)
    kind = whole_loop.GthInverse if gth_max else whole_loop.RoomRefined
    roles = 60
    edges = [*_ring(roles, amount), (9, 9, amount // 3)]
    plan = plan_sweeps(build_money_graph(org_from_edges(roles, 1, edges)))
    share, base = _exact_shares(roles, 1, edges)
    rhs = np.array([[float(row[0])] for row in base])
    for alpha in (Fraction(1, 2), Fraction(1)):
        got = plan.from_plan(plan.solve(plan.to_plan(rhs), [float(alpha)]))
        (loop,) = plan.large
        part = getattr(loop, "parts", [loop])[0]
        assert isinstance(part.factors[float(alpha)], kind) == (alpha == 1)
        assert_exact(got, share, base, alpha, rel=1e-12)


@pytest.mark.parametrize("amount", [10**6, 10**12])
def test_a_ring_too_large_for_gth_traces_every_role_to_its_one_client(amount: int) -> None:
    """1,500 roles in a ring with chords (more than GTH_MAX, solved whole), one client
    paying one role: all of every role's money is that client's, a traced share of
    exactly 1. One refinement step gave 0.99999999 at 10^6 and 0.987 at 10^12."""
    from clientchain.graph.whole_loop import GTH_MAX, RoomRefined

    roles = 1500
    assert roles > GTH_MAX
    edges = _ring(roles, amount)
    plan = plan_sweeps(build_money_graph(org_from_edges(roles, 1, edges)))
    direct = np.zeros((roles, 1))
    direct[0, 0] = 1 / (amount + 1)  # (role 0's inflow: the client's 1 and the ring's)
    traced = plan.from_plan(plan.solve(plan.to_plan(direct), [1.0]))
    (loop,) = plan.large
    part = getattr(loop, "parts", [loop])[0]
    assert isinstance(part.factors[1.0], RoomRefined)
    np.testing.assert_allclose(traced[:, 0], 1.0, rtol=0, atol=1e-13)


@pytest.mark.parametrize("amount", [10**9, 10**12])
def test_a_peeled_loop_whose_core_factors_are_off_is_refined_from_its_rooms(
    monkeypatch: pytest.MonkeyPatch, amount: int
) -> None:
    """The ring of 1,500 roles as a peeled loop (FRINGE_MIN_ROLES lowered: a ring has no
    fringe, its core is all of it, factorised): one refinement step with the room gap
    left every traced share 0.99999998 at 10^9; its factors, checked against the rooms,
    are refined from them step after step, and trace exactly 1."""
    from clientchain.graph.loop_core import CheckedCore
    from clientchain.graph.whole_loop import RoomRefined

    monkeypatch.setattr(sweep_module, "FRINGE_MIN_ROLES", 100)
    roles = 1500
    edges = _ring(roles, amount)
    plan = plan_sweeps(build_money_graph(org_from_edges(roles, 1, edges)))
    direct = np.zeros((roles, 1))
    direct[0, 0] = 1 / (amount + 1)
    traced = plan.from_plan(plan.solve(plan.to_plan(direct), [1.0]))
    (loop,) = plan.large
    part = getattr(loop, "parts", [loop])[0]
    assert part.fringe is not None
    core = part.factors[1.0].core
    assert isinstance(core, CheckedCore) and isinstance(core.solver, RoomRefined)
    np.testing.assert_allclose(traced[:, 0], 1.0, rtol=0, atol=1e-13)


def _ring_with_trees(seed: int) -> tuple[int, int, list[tuple[int, int, int]]]:
    """A ring of 3-29 roles turning its money over up to 10^14 times, chords, trees of
    up to 29 roles hanging off it paying both ways, 1-3 clients paying anyone, and
    perhaps a role of the ring paying itself: (roles, clients, edges)."""
    rng = np.random.default_rng(seed)
    ring, leaves = int(rng.integers(3, 30)), int(rng.integers(0, 30))
    turnover, clients = int(10 ** rng.integers(2, 15)), int(rng.integers(1, 4))
    self_paying = bool(rng.random() < 0.3)
    roles = ring + leaves
    edges = [(v, (v + 1) % ring, int(turnover * rng.integers(1, 100))) for v in range(ring)]
    edges += [(v, (v + 3) % ring, int(rng.integers(1, 10))) for v in range(0, ring, 4)]
    for leaf in range(ring, roles):
        partner = int(rng.integers(0, leaf))
        for payer, payee in ((leaf, partner), (partner, leaf)):
            big = rng.random() < 0.5
            amount = turnover * rng.integers(1, 100) if big else rng.integers(1, 100)
            edges.append((payer, payee, int(amount)))
    for c in range(clients):
        edges.append((roles + c, int(rng.integers(0, roles)), int(rng.integers(1, 100))))
    if self_paying:
        v = int(rng.integers(0, ring))
        edges.append((v, v, int(turnover * rng.integers(1, 100))))
    return roles, clients, edges


@pytest.mark.parametrize("seed", [26, 42, 189, 284])
def test_a_peeled_core_that_money_reaches_only_through_its_fringe_is_exact(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Loops forced through the peeled path whose cores leak only through the trees
    peeled off them (rooms of 1e-20 with amounts under 10^16): the core's factors gave
    traced shares of -0.0008, or SuperLU found a pivot of exactly 0 (seed 26); GTH
    inverts such a core, exact against fractions."""
    from fractions import Fraction

    from clientchain.graph.loop_core import CheckedCore
    from tests.test_loop_gauss_seidel import _exact_shares, assert_exact

    monkeypatch.setattr(sweep_module, "DENSE_MAX", 1)
    monkeypatch.setattr(sweep_module, "FRINGE_MIN_ROLES", 0)
    roles, clients, edges = _ring_with_trees(seed)
    plan = plan_sweeps(build_money_graph(org_from_edges(roles, clients, edges)))
    share, base = _exact_shares(roles, clients, edges)
    rhs = np.array([[float(x) for x in row] for row in base])
    got = plan.from_plan(plan.solve(plan.to_plan(rhs), [1.0] * clients))
    (loop,) = plan.large
    part = getattr(loop, "parts", [loop])[0]
    assert isinstance(part.factors[1.0].core, CheckedCore)
    assert_exact(got, share, base, Fraction(1), rel=1e-12)


def test_gth_inverse_matches_exact_fractions_on_a_hard_loop() -> None:
    from fractions import Fraction

    from clientchain.graph.loop_inverse import gth_inverse

    big = 10**9
    # Two roles handing 10**9 back and forth, fed by 1 unit from outside each.
    a = [[Fraction(0), Fraction(big, big + 1)], [Fraction(big, big + 1), Fraction(0)]]
    leak = [Fraction(1, big + 1), Fraction(1, big + 1)]
    # (I - A)^-1 exactly: 1/(1 - p^2) * [[1, p], [p, 1]] with p = big/(big+1).
    p = a[0][1]
    det = 1 - p * p
    exact = [[1 / det, p / det], [p / det, 1 / det]]
    got = gth_inverse(
        np.array([[[float(x) for x in row] for row in a]]), np.array([[float(x) for x in leak]])
    )
    for i in range(2):
        for j in range(2):
            assert got[0, i, j] == pytest.approx(float(exact[i][j]), rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_gather_matches_reduceat_bit_for_bit(seed: int) -> None:
    """The sparse gather sums each target's terms in reduceat's order (short and hub groups)."""
    from clientchain.graph.gather import gather

    rng = np.random.default_rng(seed)
    roles, cols = 500, 3
    size = rng.choice([1, 2, 3, 7, 8, 9, 15, 130, 300], size=40)
    dst = np.repeat(np.arange(size.size) + roles - size.size, size)
    src = rng.integers(0, roles - size.size, size=dst.size)
    weight = rng.random(dst.size) ** 3
    x = rng.random((roles, cols)) * 10.0 ** rng.integers(-8, 8, size=(roles, 1))
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    expected = x.copy()
    expected[dst[starts]] += np.add.reduceat(weight[:, None] * x[src], starts, axis=0) * 0.5
    gather(src, dst, weight, roles).add_into(x, 0.5)
    assert np.array_equal(x.view(np.int64), expected.view(np.int64))


@pytest.mark.parametrize("chunk", [1, 5, 200])
def test_gather_in_chunks_matches_reduceat_bit_for_bit(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hub groups gathered a chunk of whole groups at a time still sum as reduceat does."""
    from clientchain.graph import gather as gathers

    monkeypatch.setattr(gathers, "GATHER_CHUNK", chunk)
    rng = np.random.default_rng(chunk)
    roles, cols = 800, 4
    size = rng.choice([1, 9, 15, 130, 300], size=30)
    dst = np.repeat(np.arange(size.size) + roles - size.size, size)
    src = rng.integers(0, roles - size.size, size=dst.size)
    weight = rng.random(dst.size) ** 3
    x = rng.random((roles, cols)) * 10.0 ** rng.integers(-8, 8, size=(roles, 1))
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    scale = np.array([0.5, 1.0, 1.0, 0.25])
    expected = x.copy()
    expected[dst[starts]] += np.add.reduceat(weight[:, None] * x[src], starts, axis=0) * scale
    gathers.gather(src, dst, weight, roles).add_into(x, scale)
    assert np.array_equal(x.view(np.int64), expected.view(np.int64))


def test_one_blas_thread_restores_the_thread_counts() -> None:
    """The sweep runs BLAS on one thread and leaves each OpenBLAS as it found it."""
    import scipy.sparse.linalg  # noqa: F401  (loads scipy's own OpenBLAS as well)

    from clientchain.graph.blas_threads import _control, _openblas_paths, one_blas_thread

    controls = [c for path in _openblas_paths() if (c := _control(path))]
    before = [get() for get, _ in controls]
    with one_blas_thread():
        assert [get() for get, _ in controls] == [1] * len(controls)
    assert [get() for get, _ in controls] == before


def test_analysis_with_a_large_loop_never_imports_scipy_sparse() -> None:
    """Up to ~100k roles the sweep runs scipy's kernels from their files: the 0.15 s
    `import scipy.sparse` would be a third of a 10,000-role run."""
    import subprocess
    import sys
    from pathlib import Path

    script = """
import sys
from clientchain import analyze
from clientchain.graph.money import build_money_graph
from clientchain.graph.sweep import plan_sweeps
from tests.test_sweep import org_from_edges

ring = [(i, (i + 1) % 60, 5 + i % 7) for i in range(60)]  # one loop: SuperLU
small = [(60 + i, 60 + (i + 1) % 3, 4) for i in range(3)]  # and a dense one
org = org_from_edges(70, 1, [(70, 0, 100), (70, 60, 50), (59, 65, 9), *ring, *small])
assert [large.members.size for large in plan_sweeps(build_money_graph(org)).large] == [60]
analyze(org)
print(sorted(name for name in sys.modules if name.startswith("scipy.sparse")))
"""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split("\n")[0].strip("[]").replace("'", "").split(", "))
    # Only the compiled kernels, loaded from their files: not the package around them.
    assert loaded == {
        "scipy.sparse._sparsetools",
        "scipy.sparse.linalg._dsolve._superlu",
        "scipy.sparse.csgraph._traversal",
    }


def test_sweeps_with_other_alphas_refactor_to_the_same_bits() -> None:
    """A sweep drops the loop factors of alphas it does not use (memory): sweeping with
    such an alpha again factorises anew and gives the same figures, bit for bit."""
    ring = [(i, (i + 1) % 60, 5 + i % 7) for i in range(60)]
    small = [(60 + i, 60 + (i + 1) % 3, 4) for i in range(3)]
    org = org_from_edges(70, 1, [(70, 0, 100), (70, 60, 50), (59, 65, 9), *ring, *small])
    plan = plan_sweeps(build_money_graph(org))
    base = np.random.default_rng(3).random((70, 2))
    first = plan.solve(base, [0.5, 1.0])
    plan.solve(base, [1.0, 1.0])
    assert [set(large.factors) for large in plan.large] == [{1.0}]
    again = plan.solve(base, [0.5, 1.0])
    assert first.tobytes() == again.tobytes()


def _reference_solve_components(
    plan: SweepPlan,
    x: np.ndarray,
    tasks: list[Task],
    runs: list[tuple[float, slice]],
    once: frozenset[float] = frozenset(),
    shares: np.ndarray | None = None,
) -> None:
    """The component solves as first written: every run through a copied block (no
    loop here is swept: `shares` changes nothing)."""
    for which, first, last in tasks:
        if which >= 0:
            batch = plan.batches[which]
            members = batch.members[first:last]
            block = x[members]
            for alpha, cols in runs:
                block[:, :, cols] = batch.solve(alpha, first, last, block[:, :, cols])
            x[members] = block
        else:
            large = plan.large[-1 - which]
            for alpha, cols in runs:
                x[large.members, cols] = large.solve(alpha, x[large.members, cols])


def _loops_and_layers() -> Org:
    """A client feeding small loops, a 60-role loop (SuperLU), a wide layer (gathered)
    and a few thin ones."""
    rng = np.random.default_rng(11)
    ring = [(i, (i + 1) % 60, 5 + i % 7) for i in range(60)]
    small = [(60 + 3 * j + i, 60 + 3 * j + (i + 1) % 3, 4 + i) for j in range(5) for i in range(3)]
    fan = [(int(rng.integers(0, 75)), 75 + i % 30, 1 + i % 5) for i in range(120)]
    chain = [(104, 105, 3), (105, 106, 2), (59, 106, 1)]
    feed = [(110, 0, 100), (110, 60, 50), (110, 63, 20), (110, 75, 7)]
    return org_from_edges(110, 1, [*ring, *small, *fan, *chain, *feed])


def test_sweeps_of_one_alpha_give_the_reference_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A block of clients (one alpha over every column) is solved on whole rows; the
    first sweep (several alphas, chained) as before: both give the reference's bits.
    The plan keeps only the thin layers' edges (the gathers hold the others)."""
    plan = plan_sweeps(build_money_graph(_loops_and_layers()))
    thin = [g is None for g in plan.gathers]
    assert any(thin) and not all(thin) and plan.large and plan.batches
    kept = sum(
        e1 - e0
        for e0, e1, t in zip(plan.layer_edges[:-1], plan.layer_edges[1:], thin, strict=True)
        if t
    )
    assert plan.edge_src.size == kept
    base = np.random.default_rng(5).random((110, 6))
    cases = [([1.0] * 6, None), ([0.5] + [1.0] * 5, (1, 2))]
    got = [plan.solve(base, alphas, chained=chained) for alphas, chained in cases]
    monkeypatch.setattr(SweepPlan, "_solve_components", _reference_solve_components)
    expected = [plan.solve(base, alphas, chained=chained) for alphas, chained in cases]
    for mine, theirs in zip(got, expected, strict=True):
        assert np.array_equal(mine.view(np.int64), theirs.view(np.int64))


def test_factors_used_once_go_as_soon_as_solved_and_change_no_bit() -> None:
    """`once`: the large loops' factors for that alpha are dropped as each is solved
    (the first sweep's decay); the result is the same to the bit, and the other alpha's
    factors stay for the next sweep."""
    org = _loops_and_layers()
    base = np.random.default_rng(7).random((110, 6))
    alphas = [0.5] + [1.0] * 5
    kept = plan_sweeps(build_money_graph(org))
    expected = kept.solve(base, alphas, chained=(1, 2))
    assert all(set(large.factors) == {0.5, 1.0} for large in kept.large)
    plan = plan_sweeps(build_money_graph(org))
    got = plan.solve(base, alphas, chained=(1, 2), once=frozenset({0.5}))
    assert np.array_equal(got.view(np.int64), expected.view(np.int64))
    assert plan.large and all(set(large.factors) == {1.0} for large in plan.large)
    again = plan.solve(base, alphas, chained=(1, 2))  # asked again: factorised again
    assert np.array_equal(again.view(np.int64), expected.view(np.int64))
    # An alpha solved twice a sweep (two runs, or the chained column's) is not dropped.
    for columns, chained in (([1.0, 0.5, 1.0, 1.0, 1.0, 1.0], None), (alphas, (1, 2))):
        twice = plan_sweeps(build_money_graph(org))
        twice.solve(base, columns, chained=chained, once=frozenset({1.0}))
        assert all(1.0 in large.factors for large in twice.large)


def test_superlu_runs_on_one_blas_thread_when_the_sweep_loads_it() -> None:
    """SuperLU brings scipy's own OpenBLAS. Loaded by the first sweep, it must still run
    on one thread there (its spinning worker doubled the CPU of a 100k-role sweep)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = """
import json
from clientchain.graph import blas_threads, square_csc
from clientchain.graph.money import build_money_graph
from clientchain.graph.sweep import plan_sweeps
from tests.test_sweep import org_from_edges
import numpy as np

seen = []
factorise = square_csc.SquareCsc.lu
def spy(self):
    factors = factorise(self)
    controls = [blas_threads._control(path) for path in blas_threads._openblas_paths()]
    seen.append([get() for get, _ in filter(None, controls)])
    return factors
square_csc.SquareCsc.lu = spy
ring = [(i, (i + 1) % 60, 5 + i % 7) for i in range(60)]
plan = plan_sweeps(build_money_graph(org_from_edges(60, 1, [(60, 0, 100), *ring])))
plan.solve(np.ones((60, 2)), [0.5, 1.0])
print(json.dumps(seen))
"""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout)  # per factorisation: each loaded OpenBLAS's threads
    assert len(seen) == 2 and all(len(counts) == 2 and set(counts) == {1} for counts in seen)


def _strands(strands: int, depth: int) -> tuple[int, int, list[tuple[int, int, int]]]:
    """`strands` chains side by side, `depth` levels each, money passed up each one and,
    every third level, across to the next strand too (a role with two payers); a
    client pays each strand's bottom. Role s + strands * level is strand s at `level`
    (0 the top)."""
    rng = np.random.default_rng(strands * depth)
    roles = strands * depth
    edges: list[tuple[int, int, int]] = []
    for level in range(1, depth):
        for s in range(strands):
            v = s + strands * level
            edges.append((v, v - strands, int(rng.integers(5, 50))))
            if level % 3 == 0:
                edges.append((v, (s + 1) % strands + strands * (level - 1), 1))
    bottom = strands * (depth - 1)
    for s in range(strands):
        edges.append((roles + s % 2, bottom + s, int(rng.integers(50, 90))))
        if s % 2:  # pairs at the bottom paying each other: loops, below the run
            edges += [(bottom + s, bottom + s - 1, 7), (bottom + s - 1, bottom + s, 3)]
    return roles, 2, edges


def test_deep_narrow_layers_are_substituted_as_one_run_exactly() -> None:
    """Ten chains side by side, 300 levels deep: layers of 10-20 edges, too many to
    sum edge by edge, too few for a gather to pay; the layers go to SuperLU's
    substitution as one run (no gathers), and every column, alpha and the chained one
    is the dense solve's."""
    from clientchain.graph.thin_layers import RUN_EDGES

    roles, clients, edges = _strands(10, 300)
    graph = build_money_graph(org_from_edges(roles, clients, edges))
    plan = plan_sweeps(graph)
    # (Layer 0: the loops at the bottom; the run reads them.)
    assert plan.runs == [(1, plan.layers, True)] and plan.tasks[0]
    assert all(g is None for g in plan.gathers)
    assert max(np.diff(plan.layer_edges)) <= RUN_EDGES < plan.edge_src.size
    a, base = dense_shares(graph, roles, clients)
    traced = base.sum(axis=1)
    # Columns: the decay's, the traced share, distance chained onto it, ten clients
    # (more than a group of substituted columns), alternating between the two.
    columns = np.column_stack(
        [traced, traced, np.zeros(roles)] + [base[:, k % 2] for k in range(10)]
    )
    alphas = [0.3, 1.0, 1.0] + [1.0] * 10
    swept = plan.from_plan(plan.solve(plan.to_plan(columns), alphas, chained=(1, 2)))
    # Every role is reached (the clients pay each strand's bottom): the systems are
    # nonsingular, and scipy's sparse LU solves them whole.
    from scipy import sparse
    from scipy.sparse import linalg as splinalg

    def solved(alpha: float, rhs: np.ndarray) -> np.ndarray:
        system = sparse.csc_array(np.eye(roles) - alpha * a)
        return np.asarray(splinalg.spsolve(system, rhs)).reshape(roles, -1)

    want_traced = solved(1.0, traced)
    want = np.column_stack(
        [
            solved(0.3, traced),
            want_traced,
            solved(1.0, want_traced),
            solved(1.0, base)[:, [k % 2 for k in range(10)]],
        ]
    )
    np.testing.assert_allclose(swept, want, rtol=1e-12, atol=1e-15)
    assert plan.thin_runs[1].triangles.keys() == {0.3, 1.0}
    plan.keep_only({1.0})  # the decay's triangle goes with its other factors
    assert plan.thin_runs[1].triangles.keys() == {1.0}
