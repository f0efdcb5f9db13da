"""Every shape bench/generate.py writes is read alike by the fast and the precise loading
path (the same `analyze --format json` bytes), is the same for the same seed, and has the
trait its name promises (issue 18: the targets hold for every shape)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from tests.conftest import Run, bench_generator
from tests.test_load_paths import both_paths

SHAPES = (
    "business",
    "matrix",
    "hub",
    "chargeback",
    "budget",
    "chain",
    "twoway",
    "longids",
    "jsonids",
    "customers",
    "loop",
    "recharge",
    "tangle",
    "silos",
)


generate = bench_generator()


def _json_both_ways(run: Callable[..., Run], org: Path) -> tuple[Run, Run, list[bool]]:
    """`analyze --format json` as a user runs it (recording whether the fast path took the
    input) and with the fast path switched off."""
    return both_paths(lambda: run("analyze", str(org), "--format", "json"))


def _same_both_ways(
    run: Callable[..., Run], tmp_path: Path, shape: str, roles: int
) -> dict[str, Any]:
    generate.write(shape, roles, tmp_path / shape)
    fast, precise, taken = _json_both_ways(run, tmp_path / shape / generate.org_file(shape))
    assert taken == [True], f"{shape}: the fast path should read a generated org chart"
    assert fast.exit_code in (0, 1), fast.stderr
    assert (fast.exit_code, fast.stdout) == (precise.exit_code, precise.stdout), shape
    document: dict[str, Any] = json.loads(fast.stdout)
    return document


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
def test_both_paths_give_the_same_json_for_every_shape(
    run: Callable[..., Run], tmp_path: Path, shape: str
) -> None:
    document = _same_both_ways(run, tmp_path, shape, 600)
    assert document["summary"]["roles"] == 600


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
def test_both_paths_give_the_same_json_at_10k(
    run: Callable[..., Run], tmp_path: Path, shape: str
) -> None:
    document = _same_both_ways(run, tmp_path, shape, 10_000)
    assert document["summary"]["roles"] == 10_000


@pytest.mark.parametrize("shape", SHAPES)
def test_the_same_seed_writes_the_same_bytes(tmp_path: Path, shape: str) -> None:
    for name in ("a", "b"):
        generate.write(shape, 700, tmp_path / name, seed=11)
    for name in (generate.org_file(shape), "flows.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    if shape != "chain":  # the chain has nothing to draw
        generate.write(shape, 700, tmp_path / "c", seed=12)
        assert (tmp_path / "c" / "flows.csv").read_bytes() != (
            tmp_path / "a" / "flows.csv"
        ).read_bytes()


def test_the_aliases_write_what_the_shapes_write(tmp_path: Path) -> None:
    assert generate.SHAPES["matrix"](300, 7) == generate.generate(300, 7, with_matrix=True)
    assert generate.SHAPES["chain"](300, 7) == generate.chain(300)


def test_jsonids_is_longids_as_json_dump_writes_it(tmp_path: Path) -> None:
    generate.write("longids", 2_000, tmp_path / "yaml")
    generate.write("jsonids", 2_000, tmp_path / "json")
    written = (tmp_path / "json" / "org.json").read_bytes()
    assert written.isascii() and b"\\u" in written  # every character beyond ASCII escaped
    document = json.loads(written)
    assert document == yaml.safe_load((tmp_path / "yaml" / "org.yaml").read_text("utf-8"))
    assert (tmp_path / "json" / "flows.csv").read_bytes() == (
        tmp_path / "yaml" / "flows.csv"
    ).read_bytes()


def _money_components(flows: Path) -> np.ndarray:
    """Sizes of the strongly connected components of the money graph, from the CSV."""
    lines = flows.read_text(encoding="utf-8").splitlines()[1:]
    rows = [line.split(",")[:2] for line in lines]
    index: dict[str, int] = {}
    edges = [(index.setdefault(a, len(index)), index.setdefault(b, len(index))) for a, b in rows]
    src, dst = np.array(edges).T
    graph = csr_matrix((np.ones(src.size), (src, dst)), shape=(len(index), len(index)))
    _, label = connected_components(graph, directed=True, connection="strong")
    return np.bincount(label)


def test_chargeback_centres_are_components_of_hundreds(tmp_path: Path) -> None:
    generate.write("chargeback", 30_000, tmp_path)
    sizes = np.sort(_money_components(tmp_path / "flows.csv"))[::-1]
    assert 100 <= sizes[0] <= 600  # the centres, and nothing joins two of them
    assert 3 <= int((sizes >= 100).sum()) <= 6  # one centre per 10,000 roles


def test_the_loop_shape_is_one_money_loop_as_large_as_the_org(tmp_path: Path) -> None:
    generate.write("loop", 20_000, tmp_path)
    sizes = _money_components(tmp_path / "flows.csv")
    assert sizes.max() == 20_000  # every role, in one component (clients outside it)


def test_the_recharge_shape_is_one_loop_with_no_leaves(tmp_path: Path) -> None:
    generate.write("recharge", 20_000, tmp_path)
    sizes = _money_components(tmp_path / "flows.csv")
    assert sizes.max() >= 19_000  # nearly every role in one component
    rows = [line.split(",")[:2] for line in (tmp_path / "flows.csv").read_text().split()[1:]]
    partners: dict[str, set[str]] = {}
    for payer, payee in rows:
        if payer.startswith("r"):
            partners.setdefault(payer, set()).add(payee)
            partners.setdefault(payee, set()).add(payer)
    # Almost no role has a single partner: there is no tree-like fringe to peel.
    assert sum(len(p) == 1 for p in partners.values()) < 0.01 * len(partners)


def test_the_tangle_shape_is_one_loop_with_every_line_both_ways(tmp_path: Path) -> None:
    generate.write("tangle", 20_000, tmp_path)
    sizes = _money_components(tmp_path / "flows.csv")
    assert sizes.max() >= 19_000  # nearly every role in one component
    pairs = {
        tuple(line.split(",")[:2]) for line in (tmp_path / "flows.csv").read_text().split()[1:]
    }
    lines = [(boss, kid) for kid, boss in pairs if (boss, kid) in pairs and kid.startswith("r")]
    # Every reporting line pays both ways (19,999 of them, and rarely a recharge back).
    assert 19_999 <= len(lines) // 2 < 20_100
    senders = {payer for payer, _ in pairs if payer.startswith("r")}
    assert len(senders) == 20_000  # every role pays someone: nothing to funnel or peel


def test_the_silos_shape_is_a_loop_per_block_of_a_thousand(tmp_path: Path) -> None:
    generate.write("silos", 5_000, tmp_path)
    sizes = np.sort(_money_components(tmp_path / "flows.csv"))[::-1]
    # A loop in each block of 1,000 roles (most of its roles), nothing joins two.
    assert sizes[4] >= 500 and sizes[0] <= 1_000 and sizes[5] < 100


@pytest.mark.slow
def test_the_twoway_chain_peels_its_line_exactly(run: Callable[..., Run], tmp_path: Path) -> None:
    """6,000 levels paying both ways: one money loop, peeled at the real thresholds (64
    rounds from the ends, the rest one role at a time). Traced share, closeness and
    distance against a 60-digit solve of the chain's tridiagonal system."""
    roles = 6_000
    generate.write("twoway", roles, tmp_path)
    assert _money_components(tmp_path / "flows.csv").max() == roles
    result = run("analyze", str(tmp_path / "org.yaml"), "--format", "json")
    document = json.loads(result.stdout)
    got = {role["id"]: role for role in document["roles"]}
    traced, closeness, distance = _two_way_chain_oracle(tmp_path / "flows.csv", roles)
    for v in range(roles):
        role = got[f"r{v}"]
        assert role["traced_share"] == pytest.approx(float(traced[v]), rel=0, abs=1e-12)
        assert role["closeness"] == pytest.approx(float(closeness[v]), rel=0, abs=1e-12)
        assert role["distance"] == pytest.approx(float(distance[v]), rel=1e-12, abs=0)


def _two_way_chain_oracle(flows: Path, roles: int) -> tuple[list[Any], list[Any], list[Any]]:
    """Traced share, closeness (decay 0.5) and distance of a chain whose roles pay only
    their neighbours, by the Thomas algorithm in 60-digit decimals (no float at all)."""
    from decimal import Decimal, localcontext

    with localcontext() as context:
        context.prec = 60
        pay: dict[tuple[int, int], Decimal] = {}
        paid = [Decimal(0)] * roles  # by clients
        for line in flows.read_text(encoding="utf-8").splitlines()[1:]:
            payer, payee, amount = line.split(",")[:3]
            v = int(payee[1:])
            if payer.startswith("r"):
                key = (int(payer[1:]), v)
                pay[key] = pay.get(key, Decimal(0)) + Decimal(amount)
            else:
                paid[v] += Decimal(amount)
        inflow = paid[:]
        for (_, v), paid_on in pay.items():
            inflow[v] += paid_on
        below = [pay.get((v - 1, v), Decimal(0)) / inflow[v] for v in range(roles)]
        above = [pay.get((v + 1, v), Decimal(0)) / inflow[v] for v in range(roles)]
        direct = [paid[v] / inflow[v] for v in range(roles)]

        def solve(alpha: Decimal, rhs: list[Decimal]) -> list[Decimal]:
            # x_v - alpha (below_v x_{v-1} + above_v x_{v+1}) = rhs_v
            gain, level = [Decimal(0)] * roles, [Decimal(0)] * roles
            for v in range(roles):
                lower = -alpha * below[v]
                pivot = 1 - (lower * gain[v - 1] if v else 0)
                gain[v] = -alpha * above[v] / pivot
                level[v] = (rhs[v] - (lower * level[v - 1] if v else 0)) / pivot
            x = [Decimal(0)] * roles
            for v in range(roles - 1, -1, -1):
                x[v] = level[v] - (gain[v] * x[v + 1] if v < roles - 1 else 0)
            return x

        traced = solve(Decimal(1), direct)
        closeness = solve(Decimal("0.5"), direct)
        # Hand-overs: H_v = sum_u A[v, u] (H_u + T_u) + direct_v; distance = H / T.
        handed = [
            (below[v] * traced[v - 1] if v else 0)
            + (above[v] * traced[v + 1] if v < roles - 1 else 0)
            + direct[v]
            for v in range(roles)
        ]
        handovers = solve(Decimal(1), handed)
        distance = [h / t for h, t in zip(handovers, traced, strict=True)]
    return traced, closeness, distance


def test_budget_inverts_every_reporting_line(run: Callable[..., Run], tmp_path: Path) -> None:
    document = _same_both_ways(run, tmp_path, "budget", 900)
    assert document["summary"]["inversions"] == 899


def test_hub_clients_pay_many_roles_each(tmp_path: Path) -> None:
    generate.write("hub", 20_000, tmp_path)
    rows = [line.split(",") for line in (tmp_path / "flows.csv").read_text().split("\n")[1:]]
    paid: dict[str, set[str]] = {}
    for row in rows:
        if row[0].startswith("account-"):
            paid.setdefault(row[0], set()).add(row[1])
    assert len(paid) == 100
    counts = sorted(len(roles) for roles in paid.values())
    assert counts[-1] >= 20 * counts[0]  # a few big accounts, many small ones
    assert counts[len(counts) // 2] >= 50


def test_longids_have_long_unicode_ids_and_titles(run: Callable[..., Run], tmp_path: Path) -> None:
    document = _same_both_ways(run, tmp_path, "longids", 3_000)
    ids = [role["id"] for role in document["roles"]]
    widths = [len(role_id.encode("utf-8")) for role_id in ids]
    assert min(widths) >= 20 and max(widths) <= 40
    assert sum(not role_id.isascii() for role_id in ids) > len(ids) // 2
    assert all(role.get("title") for role in document["roles"])
    share = document["summary"]["inversions"] / len(ids)
    assert 0.10 <= share <= 0.18, share


def test_a_variant_moves_some_roles_and_keeps_the_rest(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    generate.write("business", 2_000, tmp_path / "old")
    generate.write("business", 2_000, tmp_path / "new", variant=True)
    old = (tmp_path / "old" / "org.yaml").read_text().split("\n  - id: ")
    new = (tmp_path / "new" / "org.yaml").read_text().split("\n  - id: ")
    assert len(old) == len(new)
    moved = sum(a != b for a, b in zip(old, new, strict=True))
    assert 10 <= moved <= 80  # about 2% of 2,000
    done = run("diff", str(tmp_path / "old" / "org.yaml"), str(tmp_path / "new" / "org.yaml"))
    assert done.exit_code in (0, 1), done.stderr


def test_customers_are_many_and_each_pays_a_few_front_line_roles(tmp_path: Path) -> None:
    generate.write("customers", 5_000, tmp_path)
    rows = [line.split(",") for line in (tmp_path / "flows.csv").read_text().splitlines()[1:]]
    paid: dict[str, set[str]] = {}
    bosses = {row[1] for row in rows if row[3] == "revenue"}
    for row in rows:
        if row[0].startswith("cust-"):
            paid.setdefault(row[0], set()).add(row[1])
    assert 490 <= len(paid) <= 500  # one customer per ten roles, nearly every one paying
    front = set().union(*paid.values())
    assert not front & bosses  # front-line roles: nobody reports to them
    everyone = {row[0] for row in rows if row[3] == "revenue"} | bosses
    assert front == everyone - bosses  # every front-line role is paid
    assert 5 <= sum(len(roles) for roles in paid.values()) / len(paid) <= 20
    assert all(row[3] in ("sale", "revenue") for row in rows)  # no budgets down
