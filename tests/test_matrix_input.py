"""The matrix inputs (SPEC Additions): `dotted_to` and `serves` on a role, `owner` on a
client. Both loaders read every shape into the same `Org.dotted`, `Org.serves` and
`Org.client_owner` (the contents below are written out by hand from the files), and
every wrong value is an input problem at its line and column, in one pass."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clientchain.loading.fast.loader import fast_load
from clientchain.loading.loader import _load_precisely, load
from clientchain.model.org import Links, Org
from clientchain.model.problems import InputError
from tests.conftest import Run
from tests.schema_support import ORG_VALIDATOR, editor_view

Runner = Callable[..., Run]


def _both(path: Path) -> tuple[Org | InputError | None, Org | InputError]:
    """(the fast path's Org, error or None when it hands over, the precise path's Org or
    error)."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    try:
        fast: Org | InputError | None = fast_load(data, text, str(path), [], path.parent)
    except InputError as exc:
        fast = exc
    try:
        precise: Org | InputError = _load_precisely(text, str(path), [], path.parent)
    except InputError as exc:
        precise = exc
    return fast, precise


def _content(value: object) -> object:
    if isinstance(value, Links):
        return (value.ptr.tolist(), value.node.tolist(), value.ptr.dtype, value.node.dtype)
    if isinstance(value, np.ndarray):
        return (value.tolist(), value.dtype)
    return value


def _assert_same(one: Org, other: Org) -> None:
    for f in fields(Org):
        assert _content(getattr(one, f.name)) == _content(getattr(other, f.name)), f.name


def _links(links: Links) -> tuple[list[int], list[int]]:
    return links.ptr.tolist(), links.node.tolist()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# --- every shape, on both paths ------------------------------------------------------

FLAT = """
clients:
  - id: buyers
    owner: sales
  - id: fleet
  - id: 0755
    owner: no
roles:
  - id: ceo
    dotted_to: ~
  - id: finance
    reports_to: ceo
    dotted_to: sales
    serves: sales
  - id: sales
    reports_to: ceo
    serves: buyers
    dotted_to:
  - id: no
    reports_to: sales
    dotted_to: finance
    serves: '0755'
"""


def test_single_ids_are_read_by_the_fast_path_exactly_as_by_the_precise_one(
    tmp_path: Path,
) -> None:
    """Roles ceo 0, finance 1, sales 2, no 3; clients buyers 4, fleet 5, 0755 6 (R + j).
    `no` and `0755` are ids, never a boolean or an octal number."""
    fast, precise = _both(_write(tmp_path, FLAT))
    assert isinstance(precise, Org)
    assert isinstance(fast, Org), "a flat file with single ids is the fast path's"
    _assert_same(fast, precise)
    assert _links(precise.dotted) == ([0, 0, 1, 1, 2], [2, 1])
    assert _links(precise.serves) == ([0, 0, 1, 2, 3], [2, 4, 6])
    assert precise.client_owner.tolist() == [2, -1, 3]
    assert [precise.dotted.of(r) for r in range(4)] == [[], [2], [], [1]]
    assert precise.role_extra == {} and precise.client_extra == {}  # read, not kept aside


LISTS = """
roles:
  - id: ceo
  - id: a
    reports_to: ceo
  - id: b
    reports_to: ceo
    dotted_to: [a, c]
    serves:
      - buyers
      - a
  - id: c
    reports_to: ceo
    dotted_to: []
    serves: ~
clients:
  - id: buyers
    owner: ~
"""


def test_lists_are_kept_in_the_order_written_on_both_paths(tmp_path: Path) -> None:
    path = _write(tmp_path, LISTS)
    fast, precise = _both(path)
    assert isinstance(fast, Org), "flow and block lists of plain ids: the flat reader's"
    assert isinstance(precise, Org)
    _assert_same(fast, precise)
    assert _links(precise.dotted) == ([0, 0, 0, 2, 2], [1, 3])
    assert _links(precise.serves) == ([0, 0, 0, 2, 2], [4, 1])
    assert precise.client_owner.tolist() == []  # no client names an owner
    _assert_same(load(path), precise)


@pytest.mark.parametrize(
    "extra",
    ["", "    dotted_to: []\n    serves: []\n", "    dotted_to: ~\n    serves:\n"],
    ids=["absent", "empty lists", "nulls"],
)
def test_none_named_is_empty_links_on_both_paths(tmp_path: Path, extra: str) -> None:
    text = "clients:\n  - id: buyers\n    owner:\nroles:\n  - id: ceo\n" + extra
    text += "  - id: desk\n    reports_to: ceo\n" + extra
    fast, precise = _both(_write(tmp_path, text))
    assert isinstance(precise, Org)
    assert not precise.dotted and not precise.serves
    assert _links(precise.dotted) == _links(precise.serves) == ([], [])
    assert precise.client_owner.tolist() == []
    assert isinstance(fast, Org), "absent, null or an empty flow list: the fast path's"
    _assert_same(fast, precise)


def test_a_role_may_serve_its_boss_clients_and_roles_elsewhere(tmp_path: Path) -> None:
    text = """
    clients:
      - id: buyers
      - id: fleet
        owner: desk
    roles:
      - id: ceo
      - id: desk
        reports_to: ceo
        serves: [ceo, fleet, buyers, other]
        dotted_to: other
      - id: other
        serves: desk
    """
    fast, precise = _both(_write(tmp_path, text))
    assert isinstance(precise, Org)
    assert _links(precise.serves) == ([0, 0, 4, 5], [0, 4, 3, 2, 1])
    assert _links(precise.dotted) == ([0, 0, 1, 1], [2])
    assert precise.client_owner.tolist() == [-1, 1]
    assert isinstance(fast, Org), "a flow list of plain ids is the flat reader's"
    _assert_same(fast, precise)


def test_valid_inputs_validate_and_analyse(run: Runner, tmp_path: Path) -> None:
    path = _write(tmp_path, FLAT)
    result = run("validate", str(path))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{path}: ok: 4 roles, 3 clients, 0 flows\n"
    result = run("analyze", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("{")


# --- problems, each at its value -----------------------------------------------------

BASE = """\
clients:
  - id: buyers
roles:
  - id: ceo
  - id: finance
    reports_to: ceo
  - id: sales
    reports_to: ceo
  - id: seller
    reports_to: sales
"""
# Each case: the lines added to the last role (`seller`, its new keys from line 11 on),
# or a whole file, and the exact problems.
PROBLEMS: dict[str, tuple[str, list[str]]] = {
    "dotted_to unknown": (
        "    dotted_to: financ\n",
        ["11:16: dotted_to: unknown role 'financ' (did you mean 'finance'?)"],
    ),
    "dotted_to a number is an id, and unknown": (
        "    dotted_to: 42\n",
        ["11:16: dotted_to: unknown role '42'"],
    ),
    "dotted_to itself": (
        "    dotted_to: seller\n",
        ["11:16: role 'seller' has a dotted line to itself"],
    ),
    "dotted_to a client": (
        "    dotted_to: buyers\n",
        ["11:16: dotted_to names client 'buyers'; a dotted line can only go to a role"],
    ),
    "dotted_to its boss": (
        "    dotted_to: sales\n",
        [
            "11:16: dotted_to: 'sales' is above 'seller' in reports_to;"
            " a dotted line cannot run along the solid hierarchy"
        ],
    ),
    "dotted_to the top above its boss": (
        "    dotted_to: [finance, ceo]\n",
        [
            "11:26: dotted_to: 'ceo' is above 'seller' in reports_to;"
            " a dotted line cannot run along the solid hierarchy"
        ],
    ),
    "dotted_to a role below it": (
        BASE.replace(
            "    reports_to: ceo\n  - id: seller",
            "    reports_to: ceo\n    dotted_to: seller\n  - id: seller",
        ),
        [
            "9:16: dotted_to: 'seller' is below 'sales' in reports_to;"
            " a dotted line cannot run along the solid hierarchy"
        ],
    ),
    "dotted lines both ways": (
        BASE.replace("  - id: sales\n", "    dotted_to: seller\n  - id: sales\n")
        + "    dotted_to: finance\n",
        [
            "12:16: roles 'finance' and 'seller' have dotted lines to each other;"
            " only one of them can be the other's dotted-line boss"
        ],
    ),
    "dotted_to the same id twice": (
        "    dotted_to:\n      - finance\n      - finance\n",
        ["13:9: dotted_to names 'finance' twice (first at line 12)"],
    ),
    "dotted_to a mapping": (
        "    dotted_to: {id: finance}\n",
        ["11:16: dotted_to must be an id or a list of ids, not a mapping"],
    ),
    "dotted_to a nested list and a null item": (
        "    dotted_to: [[finance], ~]\n",
        [
            "11:17: each item of dotted_to must be an id, not a list",
            "11:28: each item of dotted_to must be an id, not null",
        ],
    ),
    "serves unknown": (
        "    serves: buyer\n",
        ["11:13: serves: unknown id 'buyer' (did you mean 'buyers'?)"],
    ),
    "serves itself": ("    serves: seller\n", ["11:13: role 'seller' serves itself"]),
    "serves the same id twice": (
        "    serves: [buyers, ceo, buyers]\n",
        ["11:27: serves names 'buyers' twice (first at line 11)"],
    ),
    "serves a mapping": (
        "    serves: {buyers: 1}\n",
        ["11:13: serves must be an id or a list of ids, not a mapping"],
    ),
    "owner unknown": (
        "roles:\n  - id: ceo\n  - id: account-director\nclients:\n  - id: buyers\n"
        "    owner: acount-director\n",
        ["6:12: owner: unknown role 'acount-director' (did you mean 'account-director'?)"],
    ),
    "owner a client": (
        "roles:\n  - id: ceo\nclients:\n  - id: buyers\n  - id: fleet\n    owner: buyers\n",
        ["6:12: owner names client 'buyers'; a client is owned by a role"],
    ),
    "owner a list": (
        "roles:\n  - id: ceo\nclients:\n  - id: buyers\n    owner: [ceo]\n",
        ["5:12: owner must be a role id, not a list"],
    ),
    "a cycle is said alone: whether a dotted line runs along it cannot be told": (
        "roles:\n  - id: a\n    reports_to: b\n  - id: b\n    reports_to: a\n"
        "  - id: c\n    reports_to: a\n    dotted_to: b\n",
        ["3:17: reporting cycle: a -> b -> a"],
    ),
    "every problem in one pass, with those of other keys": (
        "    dotted_to: sales\n    serves: nobody\n  - id: desk\n    reports_to: boss\n"
        "flows:\n  - {from: buyers, to: desk, amount: -1}\n",
        [
            "11:16: dotted_to: 'sales' is above 'seller' in reports_to;"
            " a dotted line cannot run along the solid hierarchy",
            "12:13: serves: unknown id 'nobody'",
            "14:17: reports_to: unknown role 'boss'",
            "16:38: amount -1 must be greater than 0",
        ],
    ),
    "a misspelt roles key is the root cause, said alone": (
        "role:\n  - id: a\n    dotted_to: zzz\n    serves: zzz\n",
        ["1:1: unknown key 'role' at the top level is not used (did you mean 'roles'?)"],
    ),
}


def _problem_file(case: str) -> str:
    text, _ = PROBLEMS[case]
    return text if text.startswith(("roles:", "role:", "clients:")) else BASE + text


@pytest.mark.parametrize("case", sorted(PROBLEMS))
def test_each_problem_is_reported_at_its_value(run: Runner, tmp_path: Path, case: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(_problem_file(case), encoding="utf-8")
    result = run("validate", str(path))
    expected = [f"{path}:{line}" for line in PROBLEMS[case][1]]
    noun = "problem" if len(expected) == 1 else "problems"
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        result.stderr == "\n".join(expected) + f"\nclientchain: {len(expected)} {noun} in {path}\n"
    )


@pytest.mark.parametrize("case", sorted(PROBLEMS))
def test_the_fast_path_words_a_problem_as_the_precise_one_or_hands_it_over(
    tmp_path: Path, case: str
) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(_problem_file(case), encoding="utf-8")
    fast, precise = _both(path)
    assert isinstance(precise, InputError)
    assert fast is None or isinstance(fast, InputError)
    if fast is not None:
        assert fast.problems == precise.problems


# --- generated charts: both paths and a brute-force verdict agree ---------------------

# Ids YAML 1.1 would read as something else (clientchain reads them as written).
IDS = ["a", "b", "c", "d", "e", "no", "0755", "1e3", "on", "r-1", "x_y"]
UNKNOWN = "zz"


def _ancestors(parent: list[int | None], role: int) -> set[int]:
    found: set[int] = set()
    boss = parent[role]
    while boss is not None:
        found.add(boss)
        boss = parent[boss]
    return found


Meaning = tuple[list[tuple[int, int]], list[tuple[int, int]], list[int]]


def _oracle(
    roles: list[str],
    clients: list[str],
    parent: list[int | None],
    dotted: list[list[str]],
    serves: list[list[str]],
    owner: list[str | None],
) -> Meaning | None:
    """The dotted and serves pairs and the owners the SPEC says a chart means, or None
    when it is an input problem; by brute force (ancestors walked role by role)."""
    index = {rid: i for i, rid in enumerate([*roles, *clients])}
    r = len(roles)
    lines = [(i, index.get(t, -1)) for i, ts in enumerate(dotted) for t in ts]
    served = [(i, index.get(t, -1)) for i, ts in enumerate(serves) for t in ts]
    owners = [-1 if o is None else index.get(o, -2) for o in owner]
    if any(len(set(ts)) < len(ts) for ts in [*dotted, *serves]):
        return None  # an id twice in one list
    for i, j in lines:
        if not 0 <= j < r or j == i or j in _ancestors(parent, i) or i in _ancestors(parent, j):
            return None
        if (j, i) in lines:
            return None
    if any(j < 0 or j == i for i, j in served) or any(o < -1 or o >= r for o in owners):
        return None
    return lines, served, owners if any(o >= 0 for o in owners) else []


def _value(draw: st.DrawFn, ids: list[str]) -> str:
    """How a chart may write a list of ids: one id alone, a flow list, a null."""

    def quoted(text: str) -> str:
        return f"'{text}'" if draw(st.booleans()) else text

    if len(ids) == 1 and draw(st.integers(0, 3)):
        return quoted(ids[0])
    if not ids:
        return draw(st.sampled_from(["~", "", "[]"]))
    return "[" + ", ".join(map(quoted, ids)) + "]"


@st.composite
def matrix_charts(draw: st.DrawFn) -> tuple[str, Meaning | None]:
    names = draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=8, unique=True))
    split = draw(st.integers(0, len(names) - 1))
    clients, roles = names[:split], names[split:]
    parent: list[int | None] = [
        draw(st.sampled_from([None, *range(i)])) if i else None for i in range(len(roles))
    ]
    # Half the charts are tidy (every reference sound, so most are valid); the others
    # name anything: unknown ids, clients, the role itself, an id twice.
    tidy = draw(st.booleans())
    pool = [*roles, *clients] if tidy else [*roles, *clients, UNKNOWN]
    dotted: list[list[str]] = [[] for _ in roles]
    serves: list[list[str]] = []
    for i, rid in enumerate(roles):
        targets = [n for n in pool if n != rid] if tidy else pool
        serves.append(
            draw(st.lists(st.sampled_from(targets), max_size=2, unique=tidy))
            if targets and draw(st.integers(0, 2)) == 0
            else []
        )
        across = [
            roles[j]
            for j in range(len(roles))
            if j != i and j not in _ancestors(parent, i) and i not in _ancestors(parent, j)
        ]
        some: bool = draw(st.booleans())
        if tidy:  # one dotted line across the hierarchy, never back
            across = [t for t in across if dotted[roles.index(t)] != [rid]]
            if across and some:
                dotted[i] = [draw(st.sampled_from(across))]
        elif some:
            dotted[i] = draw(st.lists(st.sampled_from([*pool, *across]), max_size=2))
    owners = [None, *roles] if tidy else [None, *pool]
    owner = [draw(st.sampled_from(owners)) for _ in clients]
    lines = ["clients:"] + [
        f"  - id: {c}" + (f"\n    owner: {o}" if o is not None else "")
        for c, o in zip(clients, owner, strict=True)
    ]
    lines.append("roles:")
    for i, rid in enumerate(roles):
        lines.append(f"  - id: {rid}")
        if parent[i] is not None:
            lines.append(f"    reports_to: {roles[parent[i]]}")  # type: ignore[index]
        for key, ids in (("dotted_to", dotted[i]), ("serves", serves[i])):
            if ids or draw(st.integers(0, 3)) == 0:
                lines.append(f"    {key}: {_value(draw, ids)}".rstrip(" "))
    expected = _oracle(roles, clients, parent, dotted, serves, owner)
    return "\n".join(lines) + "\n", expected


@pytest.mark.slow
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chart=matrix_charts())
def test_generated_charts_agree_with_the_brute_force_verdict_on_both_paths(
    tmp_path: Path, chart: tuple[str, Meaning | None]
) -> None:
    text, expected = chart
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    fast, precise = _both(path)
    event("input error" if expected is None else "valid")
    event("fast path" if fast is not None else "precise path")
    if isinstance(fast, Org) and fast.dotted:
        event("fast path with dotted lines")
    if expected is None:
        assert isinstance(precise, InputError), text
        if isinstance(fast, InputError):  # worded by the fast path: exactly as the precise
            event("fast path words")
            assert fast.problems == precise.problems, text
        else:  # handed over: only a list the flat reader leaves (see _beyond_flat)
            assert fast is None and _beyond_flat(text), text
        return
    assert isinstance(precise, Org), f"{text}{precise}"
    lines, served, owners = expected
    assert list(zip(*(a.tolist() for a in precise.dotted.pairs()), strict=True)) == lines
    assert list(zip(*(a.tolist() for a in precise.serves.pairs()), strict=True)) == served
    assert precise.client_owner.tolist() == owners
    if not _beyond_flat(text):  # single ids, nulls, flow lists of plain ids: never handed over
        assert fast is not None, text
    if fast is not None:
        assert isinstance(fast, Org), text
        _assert_same(fast, precise)


def _beyond_flat(text: str) -> bool:
    """A flow list the flat reader hands over: one that names an id twice."""
    for line in text.splitlines():
        _, _, value = line.partition(": ")
        if value.startswith("["):
            items = [item.strip("'") for item in value[1:-1].split(", ")]
            if len(set(items)) < len(items):
                return True
    return False


# --- the org chart schema agrees ----------------------------------------------------

SCHEMA_CASES = {
    "dotted_to one id": ("    dotted_to: finance\n", True),
    "dotted_to a list": ("    dotted_to: [finance, 42]\n", True),
    "dotted_to an empty list": ("    dotted_to: []\n", True),
    "dotted_to null": ("    dotted_to:\n", True),
    "dotted_to a mapping": ("    dotted_to: {id: finance}\n", False),
    "dotted_to a nested list": ("    dotted_to: [[finance]]\n", False),
    "dotted_to a null item": ("    dotted_to: [finance, ~]\n", False),
    "dotted_to twice": ("    dotted_to: [finance, finance]\n", False),
    "serves one id": ("    serves: buyers\n", True),
    "serves a list": ("    serves: [buyers, finance]\n", True),
    "serves a mapping": ("    serves: {buyers: 1}\n", False),
    "serves twice": ("    serves: [buyers, buyers]\n", False),
}


def _loader_accepts(text: str) -> bool:
    try:
        _load_precisely(text, "org.yaml", [], Path())
    except InputError:
        return False
    return True


@pytest.mark.parametrize("case", sorted(SCHEMA_CASES))
def test_schema_and_loader_agree_on_the_shapes(case: str) -> None:
    extra, valid = SCHEMA_CASES[case]
    text = BASE.replace("  - id: finance\n", "  - id: 42\n  - id: finance\n") + extra
    assert (_loader_accepts(text), ORG_VALIDATOR.is_valid(editor_view(text))) == (valid, valid)


@pytest.mark.parametrize(
    ("owner", "valid"), [("ceo", True), ("", True), ("[ceo]", False), ("{id: ceo}", False)]
)
def test_schema_and_loader_agree_on_the_owner(owner: str, valid: bool) -> None:
    text = f"roles:\n  - id: ceo\nclients:\n  - id: buyers\n    owner: {owner}\n"
    assert (_loader_accepts(text), ORG_VALIDATOR.is_valid(editor_view(text))) == (valid, valid)


# --- scale: a million roles with dotted lines ---------------------------------------


def _big_org(n: int) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """A 10-ary tree of n roles (parent (i - 1) // 10); every even role that has an older
    sibling has a dotted line to it (never both ways: the sibling is odd); every fifth
    serves client c(i mod 100); client c(j) is owned by role r(j + 1).
    Returns the file and, worked out from those rules, dotted pairs and serves pairs
    (role, node) and the owners."""
    i = np.arange(n)
    dotted = i[(i % 2 == 0) & (i >= 2) & ((i - 1) % 10 != 0)]
    serving = i[(i % 5 == 0) & (i > 0)]
    lines = ["clients:"]
    lines += [f"  - id: c{j}\n    owner: r{j + 1}" for j in range(100)]
    lines.append("roles:\n  - id: r0")
    text = [f"  - id: r{v}\n    reports_to: r{(v - 1) // 10}" for v in range(1, n)]
    for v in dotted.tolist():
        text[v - 1] += f"\n    dotted_to: r{v - 1}"
    for v in serving.tolist():
        text[v - 1] += f"\n    serves: c{v % 100}"
    document = "\n".join(lines + text) + "\n"
    dotted_pairs = np.stack([dotted, dotted - 1])
    serves_pairs = np.stack([serving, n + serving % 100])
    return document, dotted_pairs, serves_pairs, np.arange(1, 101)


@pytest.mark.slow
def test_a_million_roles_with_dotted_lines_load_on_both_paths(tmp_path: Path) -> None:
    """Not a timing test: it runs the loaders at the scale they are made for (a check
    per dotted line against preorder ranges, never a walk per pair)."""
    n = 1_000_000
    document, dotted, serves, owners = _big_org(n)
    path = tmp_path / "org.yaml"
    path.write_text(document, encoding="utf-8")
    fast, precise = _both(path)
    assert isinstance(fast, Org) and isinstance(precise, Org)
    _assert_same(fast, precise)
    assert np.array_equal(np.stack(fast.dotted.pairs()), dotted)
    assert np.array_equal(np.stack(fast.serves.pairs()), serves)
    assert np.array_equal(fast.client_owner, owners)


@pytest.mark.slow
def test_a_dotted_line_across_two_deep_chains(tmp_path: Path) -> None:
    """Two 50,000-level chains; each role of the first has a dotted line to the role at
    the same depth of the second: no recursion, no walk up the chain per line."""
    half = 50_000
    lines = ["roles:", "  - id: a0", "  - id: b0"]
    lines += [
        f"  - id: a{k}\n    reports_to: a{k - 1}\n    dotted_to: b{k}" for k in range(1, half)
    ]
    lines += [f"  - id: b{k}\n    reports_to: b{k - 1}" for k in range(1, half)]
    path = tmp_path / "org.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, precise = _both(path)
    assert isinstance(fast, Org) and isinstance(precise, Org)
    _assert_same(fast, precise)
    # In file order: a0, b0, a1 ... a(half-1), b1 ... b(half-1): a_k is k + 1, b_k half + k.
    k = np.arange(1, half)
    a, b = k + 1, half + k
    assert fast.dotted.pairs()[0].tolist() == a.tolist()
    assert fast.dotted.pairs()[1].tolist() == b.tolist()
    # And one line back along the chain is found, on the precise path, at its value.
    path.write_text(path.read_text().replace(f"dotted_to: b{half - 1}", "dotted_to: a0"))
    with pytest.raises(InputError) as caught:
        load(path)
    assert [p.message for p in caught.value.problems] == [
        f"dotted_to: 'a0' is above 'a{half - 1}' in reports_to;"
        " a dotted line cannot run along the solid hierarchy"
    ]
