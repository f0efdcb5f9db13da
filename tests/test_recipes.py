"""`clientchain model rollup|budgets|recharges`: the flows an org chart implies.

Roll-up and budgets are checked against a brute-force oracle: each role's
subtree total found by walking parent links from every role up to its top
(quadratic, obviously right), with fractions from the texts written. The music
store runs end to end, from its CSV files to the analysis's figures.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Run

Runner = Callable[..., Run]
MUSIC = EXAMPLES / "music-store" / "data"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@dataclass
class Role:
    id: str
    boss: str | None = None
    headcount: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def org_yaml(
    roles: list[Role], clients: list[str], flows: Sequence[tuple[str, str, str]] = ()
) -> str:
    lines = ["clients:"] + [f"  - id: {c}" for c in clients] + ["roles:"]
    for role in roles:
        lines.append(f"  - id: '{role.id}'")
        if role.boss is not None:
            lines.append(f"    reports_to: '{role.boss}'")
        if role.headcount is not None:
            lines.append(f"    headcount: {role.headcount}")
        lines.extend(f"    {k}: {v}" for k, v in role.extra.items())
    if flows:
        lines.append("flows:")
        lines.extend(f"  - {{from: {a}, to: '{b}', amount: {x}}}" for a, b, x in flows)
    return "\n".join(lines) + "\n"


def flow_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))[1:]


def subtree_totals(roles: list[Role], own: dict[str, Fraction]) -> dict[str, Fraction]:
    """The oracle: every role's own amount added to itself and each of its ancestors."""
    boss = {r.id: r.boss for r in roles}
    total = {r.id: Fraction(0) for r in roles}
    for role in roles:
        walker: str | None = role.id
        while walker is not None:
            total[walker] += own.get(role.id, Fraction(0))
            walker = boss[walker]
    return total


def random_forest(rng: random.Random, size: int) -> list[Role]:
    roles = []
    for i in range(size):
        boss = None if i == 0 or rng.random() < 0.1 else f"r{rng.randrange(i)}"
        roles.append(Role(f"r{i}", boss))
    return roles


def money(rng: random.Random) -> str:
    return rng.choice(
        [f"{rng.randrange(1, 900)}", f"{rng.randrange(1, 900)}.{rng.randrange(100):02d}"]
    )


# --------------------------------------------------------------------------- roll-up


@pytest.mark.parametrize(("seed", "share"), [(1, "1"), (2, "1"), (3, "0.5"), (4, "0.25")])
def test_rollup_passes_each_subtrees_client_money_to_the_boss(
    run: Runner, here: Path, seed: int, share: str
) -> None:
    rng = random.Random(seed)
    roles = random_forest(rng, 60)
    clients = ["shop", "web"]
    flows = [(rng.choice(clients), f"r{rng.randrange(60)}", money(rng)) for _ in range(80)]
    flows += [(f"r{rng.randrange(1, 60)}", "r0", money(rng)) for _ in range(10)]  # role money
    flows = [f for f in flows if f[0] != f[1]]
    (here / "org.yaml").write_text(org_yaml(roles, clients, flows))
    result = run("model", "rollup", "org.yaml", "--share", share, "-o", "rollup.csv")
    assert result.exit_code == 0, result.stderr
    collected: dict[str, Fraction] = {}
    for payer, payee, amount in flows:
        if payer in clients:  # only client money rolls up
            collected[payee] = collected.get(payee, Fraction(0)) + Fraction(amount)
    totals = subtree_totals(roles, collected)
    expected = [
        [r.id, r.boss, Fraction(share) * totals[r.id]]
        for r in roles
        if r.boss is not None and totals[r.id] > 0
    ]
    rows = flow_rows((here / "rollup.csv").read_text())
    assert [[a, b, Fraction(x)] for a, b, x, _ in rows] == expected
    assert {kind for *_, kind in rows} == {"roll-up"}
    # The new rows load with the old ones, every amount exactly as written.
    check = run("validate", "org.yaml", "--flows", "rollup.csv")
    assert check.exit_code == 0, check.stderr


def test_rollup_without_client_money_says_what_to_do_first(run: Runner, here: Path) -> None:
    (here / "org.yaml").write_text(org_yaml([Role("a"), Role("b", "a")], ["shop"]))
    result = run("model", "rollup", "org.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "org.yaml: no client pays any role, so there is no revenue to roll up: import the sales"
        " ledger first (clientchain import flows LEDGER -o sales.csv) and pass it with --flows"
        " sales.csv\nclientchain: 1 problem in the input\n"
    )


@pytest.mark.parametrize("share", ["0", "1.5", "-1", "x"])
def test_a_share_is_a_fraction_up_to_one(run: Runner, here: Path, share: str) -> None:
    (here / "org.yaml").write_text(org_yaml([Role("a")], ["shop"], [("shop", "a", "1")]))
    result = run("model", "rollup", "org.yaml", "--share", share)
    assert result.exit_code == 2
    assert f"a fraction above 0 and at most 1, such as 0.5; got '{share}'" in result.stderr


@pytest.mark.slow
def test_rollup_of_a_100000_level_chain_is_iterative(run: Runner, here: Path) -> None:
    depth = 100_000
    lines = ["clients:", "  - id: shop", "roles:", "  - id: r0"]
    lines += [f"  - id: r{i}\n    reports_to: r{i - 1}" for i in range(1, depth)]
    lines += ["flows:", f"  - {{from: shop, to: r{depth - 1}, amount: 2.5}}"]
    (here / "org.yaml").write_text("\n".join(lines) + "\n")
    result = run("model", "rollup", "org.yaml")
    assert result.exit_code == 0, result.stderr
    rows = flow_rows(result.stdout)
    assert len(rows) == depth - 1
    assert rows[0] == ["r1", "r0", "2.5", "roll-up"]
    assert {r[2] for r in rows} == {"2.5"}


# --------------------------------------------------------------------------- budgets


def test_budgets_cascade_down_against_the_oracle(run: Runner, here: Path) -> None:
    rng = random.Random(5)
    roles = random_forest(rng, 50)
    for role in roles:
        role.headcount = rng.choice([None, "0", "0.5", "2", "2.5"])
        if rng.random() < 0.3:
            role.extra["pay"] = money(rng)
    budgets = {f"r{i}": money(rng) for i in rng.sample(range(50), 10)}
    (here / "org.yaml").write_text(org_yaml(roles, ["ministry"]))
    (here / "budgets.csv").write_text(
        "Role ID,Budget\n" + "".join(f"{r},{b}\n" for r, b in budgets.items())
    )
    result = run(
        "model", "budgets", "org.yaml", "--funder", "ministry", "--budgets", "budgets.csv",
        "--per-head", "1000", "-o", "budgets-flows.csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    own: dict[str, Fraction] = {}
    for role in roles:
        heads = Fraction(role.headcount or "1")
        if role.id in budgets:
            own[role.id] = Fraction(budgets[role.id])
        elif "pay" in role.extra:
            own[role.id] = Fraction(role.extra["pay"]) * heads
        else:
            own[role.id] = 1000 * heads
    totals = subtree_totals(roles, own)
    expected = [[r.boss or "ministry", r.id, totals[r.id]] for r in roles if totals[r.id] > 0]
    rows = flow_rows((here / "budgets-flows.csv").read_text())
    assert [[a, b, Fraction(x)] for a, b, x, _ in rows] == expected
    assert {kind for *_, kind in rows} == {"budget"}
    assert run("validate", "org.yaml", "--flows", "budgets-flows.csv").exit_code == 0


def in_subtrees(roles: list[Role], under: set[str]) -> set[str]:
    """The oracle for --under: the roles with one of `under` on their way to the top."""
    boss = {r.id: r.boss for r in roles}
    inside = set()
    for role in roles:
        walker: str | None = role.id
        while walker is not None and walker not in under:
            walker = boss[walker]
        if walker is not None:
            inside.add(role.id)
    return inside


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_budgets_under_some_roles_fund_only_their_subtrees(
    run: Runner, here: Path, seed: int
) -> None:
    rng = random.Random(seed)
    roles = random_forest(rng, 60)
    under = {f"r{i}" for i in rng.sample(range(60), 3)}
    (here / "org.yaml").write_text(org_yaml(roles, ["ministry"]))
    args = ["model", "budgets", "org.yaml", "--per-head", "10", "-o", "b.csv"]
    args += [f"--under={u}" for u in sorted(under)]
    inside = in_subtrees(roles, under)
    tops_inside = any(r.boss is None and r.id in inside for r in roles)
    result = run(*args)
    if tops_inside:  # a funded top needs a funder
        assert result.exit_code == 2
        assert "--funder CLIENT is needed" in result.stderr
        result = run(*args, "--funder", "ministry")
    assert result.exit_code == 0, result.stderr
    own = {r.id: Fraction(10) for r in roles if r.id in inside}
    totals = subtree_totals(roles, own)
    expected = [[r.boss or "ministry", r.id, totals[r.id]] for r in roles if r.id in inside]
    rows = flow_rows((here / "b.csv").read_text())
    assert [[a, b, Fraction(x)] for a, b, x, _ in rows] == expected


def test_budgets_under_an_unknown_role_is_refused(run: Runner, here: Path) -> None:
    (here / "org.yaml").write_text(org_yaml([Role("ceo"), Role("it-lead", "ceo")], []))
    result = run("model", "budgets", "org.yaml", "--per-head", "10", "--under", "it-led")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "org.yaml: --under it-led: no such role (did you mean 'it-lead'?)"
    )


CENTRES = [
    Role("ceo", extra={"cost_centre": "CC100"}),
    Role("cfo", "ceo", extra={"cost_centre": "CC200", "pay": "90000"}),
    Role("accountant", "cfo", "3", extra={"cost_centre": "CC200", "pay": "50000"}),
    Role("cto", "ceo", extra={"cost_centre": "CC300"}),
    Role("dev", "cto", "4", extra={"cost_centre": "CC300"}),
    Role("tester", "dev", extra={"cost_centre": "CC300"}),
]


def test_budgets_by_cost_centre_go_to_the_head(run: Runner, here: Path) -> None:
    (here / "org.yaml").write_text(org_yaml(CENTRES, ["board"]))
    (here / "b.csv").write_text("Cost Centre;Budget\nCC300;400 000,00\nCC300;50 000,50\n")
    result = run(
        "model", "budgets", "org.yaml", "--funder", "board", "--budgets", "b.csv",
        "--by", "cost-centre", "--decimal-comma",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # cto holds CC300's budget; dev and tester are covered by it; cfo and the
    # accountant are costed by their pay; the ceo has nothing (cost 0).
    cto = Fraction("400000.00") + Fraction("50000.50")
    accountant = 3 * Fraction(50000)
    cfo = Fraction(90000) + accountant
    rows = flow_rows(result.stdout)
    assert [[a, b, Fraction(x), k] for a, b, x, k in rows] == [
        ["board", "ceo", cto + cfo, "budget"],
        ["ceo", "cfo", cfo, "budget"],
        ["cfo", "accountant", accountant, "budget"],
        ["ceo", "cto", cto, "budget"],
    ]
    assert {x.partition(".")[2] for _, _, x, _ in rows} == {"00", "50"}  # as the file wrote them
    assert result.stderr == (
        "clientchain: note: 1 role has no budget and no pay, and no --per-head was given:"
        " own cost 0 (e.g. 'ceo')\n"
        "clientchain: note: 2 roles are covered by the budget of their centre, which its head"
        " receives\n"
    )


def test_budget_problems_are_named_with_plausible_hints_only(run: Runner, here: Path) -> None:
    roles = [*CENTRES, Role("ops", "ceo", extra={"cost_centre": "CC300"})]
    (here / "org.yaml").write_text(org_yaml(roles, ["board"]))
    (here / "b.csv").write_text(
        "Cost Centre,Budget\nCC300,5\ncc-200,7\nCC201,1\nCC201,2\nCC100,x\n"
    )
    result = run(
        "model", "budgets", "org.yaml", "--funder", "bord", "--budgets", "b.csv",
        "--by", "cost-centre",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "b.csv:3:1: cost centre 'cc-200' is not in org.yaml; did you mean 'CC200'?\n"
        "b.csv:4:1: cost centre 'CC201' is not in org.yaml (2 rows)\n"
        "b.csv:6:7: budget 'x' is not a number\n"
        "org.yaml: funder 'bord' is not a client in org.yaml (did you mean 'board'?): add it"
        " under clients: (import people --client bord does)\n"
        "org.yaml:25: cost centre 'CC300' has two heads at the same level, 'cto' (line 15) and"
        " 'ops': its money needs one role to hold it; make one report to the other, or give"
        " one another cost_centre\n"
        "clientchain: 5 problems in the input\n"
    )


def test_role_ids_get_a_hint_only_when_they_differ_in_spelling_alone(
    run: Runner, here: Path
) -> None:
    roles = [Role("sales_manager"), Role("hmason", "sales_manager")]
    (here / "org.yaml").write_text(org_yaml(roles, ["hq"]))
    (here / "b.csv").write_text("Role,Budget\nSales-Manager,5\njmason,7\n")
    result = run("model", "budgets", "org.yaml", "--funder", "hq", "--budgets", "b.csv")
    assert result.stderr == (
        "b.csv:2:1: role 'Sales-Manager' is not in org.yaml; did you mean 'sales_manager'?\n"
        "b.csv:3:1: role 'jmason' is not in org.yaml\n"
        "clientchain: 2 problems in the input\n"
    )


def test_the_funder_must_be_an_external_client(run: Runner, here: Path) -> None:
    (here / "org.yaml").write_text(org_yaml([Role("a"), Role("b", "a")], []))
    result = run("model", "budgets", "org.yaml", "--funder", "treasury", "--per-head", "10")
    assert result.stderr == (
        "org.yaml: funder 'treasury' is not a client in org.yaml: add it under clients:"
        " (import people --client treasury does)\nclientchain: 1 problem in the input\n"
    )
    result = run("model", "budgets", "org.yaml", "--funder", "a", "--per-head", "10")
    assert result.stderr.splitlines()[0] == (
        "org.yaml: funder 'a' is a role; the funder is an external client (a ministry, a parent"
        " company, a board): add one under clients: in org.yaml and name it"
    )


# --------------------------------------------------------------------------- recharges


def test_recharges_flow_from_the_paying_head_to_the_providing_head(run: Runner, here: Path) -> None:
    (here / "org.yaml").write_text(org_yaml(CENTRES, ["board"]))
    (here / "r.csv").write_text(
        "Month,Charged To,Charged By,Amount\n"
        "1,CC200,CC300,100.5\n"  # finance pays IT for its service
        "2,CC100,CC300,10\n"
        "3,CC200,CC300,0.25\n"
        "4,CC300,CC300,5\n"  # inside IT: no money changes hands
    )
    result = run("model", "recharges", "org.yaml", "r.csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "from,to,amount,kind\ncfo,cto,100.75,recharge\nceo,cto,10.00,recharge\n"
    )
    assert result.stderr == (
        "clientchain: note: 1 row recharge a cost centre to itself or to one with the same head"
        " (e.g. 'CC300'): no money changes hands, left out\n"
    )
    (here / "recharges.csv").write_text(result.stdout)
    assert run("validate", "org.yaml", "--flows", "recharges.csv").exit_code == 0


def test_recharge_centres_unknown_or_missing(run: Runner, here: Path) -> None:
    roles = [
        Role("head", extra={"cost_centre": "Finance"}),
        Role("it", "head", extra={"cost_centre": "IT Services"}),
    ]
    (here / "org.yaml").write_text(org_yaml(roles, []))
    (here / "r.csv").write_text("From,To,Amount\nFinanse,IT Services,1\nCC101,IT Services,2\n")
    result = run("model", "recharges", "org.yaml", "r.csv")
    assert result.stderr == (
        "r.csv:2:1: cost centre 'Finanse' is not in org.yaml; did you mean 'Finance'?\n"
        "r.csv:3:1: cost centre 'CC101' is not in org.yaml\n"
        "clientchain: 2 problems in the input\n"
    )
    result = run("model", "recharges", "org.yaml", "r.csv", "--by", "department")
    assert result.stderr == (
        "org.yaml: no role in org.yaml has a department: write department on the roles (import"
        " people takes it from the export), or pass --by cost-centre\n"
        "clientchain: 1 problem in the input\n"
    )


def test_recharges_between_departments(run: Runner, here: Path) -> None:
    yaml = (
        "roles:\n  - {id: boss, department: HQ}\n  - {id: it, reports_to: boss, department: IT}\n"
        "  - {id: dev, reports_to: it, department: IT}\n"
        "  - {id: shop, reports_to: boss, department: Retail}\n"
    )
    (here / "org.yaml").write_text(yaml)
    (here / "r.csv").write_text("From Department,To Department,Value\nRetail,IT,7\n")
    result = run("model", "recharges", "org.yaml", "r.csv", "--by", "department")
    assert result.stdout == "from,to,amount,kind\nshop,it,7,recharge\n"


@pytest.mark.parametrize("recipe", ["rollup", "budgets", "recharges"])
def test_each_recipe_says_when_to_use_it(run: Runner, recipe: str) -> None:
    result = run("model", recipe, "--help")
    assert result.exit_code == 0
    assert "Use it " in result.stdout


# --------------------------------------------------------------------------- the music store


def music_store_truth() -> tuple[dict[str, Fraction], Fraction]:
    """Each support rep's revenue, from the raw CSVs by hand: invoice -> customer -> rep."""
    with (MUSIC / "customers.csv").open(encoding="utf-8", newline="") as f:
        rep_of = {row["CustomerId"]: row["SupportRepId"] for row in csv.DictReader(f)}
    revenue: dict[str, Fraction] = {}
    with (MUSIC / "invoices.csv").open(encoding="utf-8", newline="") as f:
        for invoice in csv.DictReader(f):
            rep = rep_of[invoice["CustomerId"]]
            revenue[rep] = revenue.get(rep, Fraction(0)) + Fraction(invoice["Total"])
    return revenue, sum(revenue.values(), Fraction(0))


def test_the_music_store_end_to_end(run: Runner, here: Path) -> None:
    customers = str(MUSIC / "customers.csv")
    steps = [
        ("import", "people", str(MUSIC / "employees.csv"), "--clients", customers,
         "--client-by", "Country", "-o", "org.yaml"),
        ("import", "flows", str(MUSIC / "invoices.csv"), "--join", customers,
         "--client-by", "Country", "--kind", "sale", "-o", "sales.csv"),
        ("model", "rollup", "org.yaml", "--flows", "sales.csv", "-o", "rollup.csv"),
    ]  # fmt: skip
    outputs: list[dict[str, bytes]] = []
    for again in ([], ["--force"]):  # run twice: the same bytes (flows files: replaced if forced)
        for step in steps:
            done = run(*step, *(again if step[-1].endswith(".csv") else []))
            assert done.exit_code == 0, done.stderr
        outputs.append(
            {n: (here / n).read_bytes() for n in ("org.yaml", "sales.csv", "rollup.csv")}
        )
    assert outputs[0] == outputs[1]
    result = run(
        "analyze", "org.yaml", "--flows", "sales.csv", "--flows", "rollup.csv", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    inflow = {role["title"]: role["inflow"] for role in doc["roles"]}
    by_id = {role["id"]: role["inflow"] for role in doc["roles"]}
    revenue, total = music_store_truth()
    assert total == Fraction("2328.60")  # SOURCE.txt
    assert {rep: Fraction(str(by_id[rep])) for rep in revenue} == revenue
    assert revenue == {"3": Fraction("833.04"), "4": Fraction("775.40"), "5": Fraction("720.16")}
    assert Fraction(str(inflow["General Manager"])) == total
    assert Fraction(str(inflow["Sales Manager"])) == total
    assert Fraction(str(doc["summary"]["money_in"])) == total
    assert flow_rows(outputs[0]["rollup.csv"].decode()) == [
        ["2", "1", "2328.60", "roll-up"],
        ["3", "2", "833.04", "roll-up"],
        ["4", "2", "775.40", "roll-up"],
        ["5", "2", "720.16", "roll-up"],
    ]


def test_budgets_may_rewrite_the_flows_file_the_org_chart_names(run: Runner, here: Path) -> None:
    # The org chart names budgets.csv before it exists: the recipe needs only the
    # organisation, so it reads neither that file nor its absence, and may replace it.
    text = org_yaml([Role("head"), Role("clerk", "head", "2")], ["treasury"])
    (here / "org.yaml").write_text("flows: budgets.csv\n" + text)
    args = ("model", "budgets", "org.yaml", "--funder", "treasury", "--per-head", "5")
    for force in ([], ["--force"]):  # the second run replaces the file the chart now names
        result = run(*args, "-o", "budgets.csv", *force)
        assert result.exit_code == 0, result.stderr
    rows = flow_rows((here / "budgets.csv").read_text())
    assert rows == [["treasury", "head", "15", "budget"], ["head", "clerk", "10", "budget"]]
    analysed = json.loads(run("analyze", "org.yaml", "--format", "json").stdout)
    assert analysed["summary"]["money_in"] == 15


@pytest.mark.parametrize("fast", [True, False])
def test_loading_without_the_own_flows_file(
    here: Path, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientchain.loading import loader

    if not fast:
        monkeypatch.setattr(loader, "_fast_load", lambda *args: None)
    (here / "org.yaml").write_text("flows: missing.csv\nroles:\n  - id: a\n  - id: b\n")
    (here / "extra.csv").write_text("from,to,amount\na,b,1\n")
    org = loader.load("org.yaml", ["extra.csv"], own_flows=False)
    assert org.role_ids == ("a", "b")
    assert org.flow_files == ("extra.csv",)
