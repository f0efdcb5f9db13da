"""Near-miss keys (SPEC Additions): a likely misspelling of a known key is an input problem
at the key's line and column, at every level of the org chart; any other unknown key is
the user's own and is kept. A misspelt `roles:` (or `clients:`, or a role's `id`) is
reported alone, not with the unknown ids it causes. The fast path never accepts a file
with a near-miss key: the precise reader words it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import clientchain
from clientchain.loading.keys import CLIENT, FLOW, ROLE, TOP_LEVEL, near_miss
from tests.conftest import Run
from tests.test_fastload import assert_same, both

Runner = Callable[..., Run]

WHERE = {
    "top": "at the top level",
    "role": "in a role",
    "client": "in a client",
    "flow": "in a flow",
    "policy": "in policy",
    "ignore": "in an ignore entry",
}


def chart(top: str = "", role: str = "", client: str = "", flow: str = "", policy: str = "") -> str:
    """A small valid org chart in flat YAML, with a line added at one level: `role` in
    the boss's entry (it has only an id), `client` in the buyers', `flow` in a flows list
    written inline (none when empty: the flows come from flows.csv), `policy` in a
    policy block."""
    lines = ["org: Shop", "clients:", "  - id: buyers"]
    lines += [f"    {client}"] if client else []
    lines += ["roles:", "  - id: boss"]
    lines += [f"    {role}"] if role else []
    lines += ["  - id: seller", "    reports_to: boss"]
    if flow:
        lines += ["flows:", "  - from: buyers", "    to: seller", "    amount: 10"]
        lines += [f"  - {flow}"]
    else:
        lines += ["flows: flows.csv"]
    lines += ["policy:", f"  {policy}"] if policy else []
    lines += [top] if top else []
    return "\n".join(lines) + "\n"


FLOWS_CSV = "from,to,amount\nbuyers,seller,10\nseller,boss,4\n"

# (level, the line added, the key, the known key it misspells)
NEAR_MISSES = [
    ("top", "currncy: EUR", "currncy", "currency"),
    ("top", "CURRENCY: EUR", "CURRENCY", "currency"),
    ("top", "Policy: strict", "Policy", "policy"),
    ("role", "reportsTo: nobody", "reportsTo", "reports_to"),
    ("role", "Reports-To: nobody", "Reports-To", "reports_to"),
    ("role", "headcout: 2", "headcout", "headcount"),
    ("role", "head_count: 2", "head_count", "headcount"),
    ("role", "Title: Seller", "Title", "title"),
    ("role", "titel: Seller", "titel", "title"),
    ("role", "departmnt: sales", "departmnt", "department"),
    ("role", "dottedTo: seller", "dottedTo", "dotted_to"),
    ("role", "serve: buyers", "serve", "serves"),
    ("client", "ownr: boss", "ownr", "owner"),
    ("client", "Owner: boss", "Owner", "owner"),
    ("client", "titles: Buyers", "titles", "title"),
    ("flow", "{from: seller, to: boss, amout: 4}", "amout", "amount"),
    ("flow", "{from: seller, To: boss, amount: 4}", "To", "to"),
    ("flow", "{frm: seller, to: boss, amount: 4}", "frm", "from"),
    ("flow", "{from: seller, to: boss, Amount: 4}", "Amount", "amount"),
    ("policy", "max_org_alienatoin: 0.5", "max_org_alienatoin", "max_org_alienation"),
    ("policy", "fail-on: error", "fail-on", "fail_on"),
    ("policy", "ignores: []", "ignores", "ignore"),
]


def _key_position(text: str, added: str, key: str) -> tuple[int, int]:
    """Line and column of `key` in the line `added` of the chart (1-based)."""
    lines = text.splitlines()
    (line,) = [i for i, written in enumerate(lines, 1) if written.strip().lstrip("- ") == added]
    return line, lines[line - 1].index(key) + 1


def _case(tmp_path: Path, level: str, added: str) -> tuple[Path, str]:
    text = chart(**{level: added})
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")
    return path, text


@pytest.mark.parametrize(
    ("level", "added", "key", "meant"), NEAR_MISSES, ids=[f"{c[0]}-{c[2]}" for c in NEAR_MISSES]
)
def test_a_near_miss_key_fails_validate_at_its_place(
    run: Runner, tmp_path: Path, level: str, added: str, key: str, meant: str
) -> None:
    path, text = _case(tmp_path, level, added)
    line, column = _key_position(text, added, key)
    message = f"unknown key '{key}' {WHERE[level]} is not used (did you mean '{meant}'?)"
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"{path}:{line}:{column}: {message}\nclientchain: 1 problem in {path}\n"
    with pytest.raises(clientchain.InputError) as caught:
        clientchain.load(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:{line}:{column}: {message}"]


@pytest.mark.parametrize(
    ("level", "added", "key", "meant"), NEAR_MISSES, ids=[f"{c[0]}-{c[2]}" for c in NEAR_MISSES]
)
def test_the_fast_path_words_a_near_miss_as_the_precise_reader_does(
    tmp_path: Path, level: str, added: str, key: str, meant: str
) -> None:
    """At the top level, in a role, a client or the policy the fast path words it
    itself, exactly as the precise reader (a big org chart's one misspelt key takes
    seconds, not a minute); in a YAML flow list (not flat) it hands the file over."""
    path, _ = _case(tmp_path, level, added)
    fast, precise = both(path)
    assert isinstance(precise, clientchain.InputError)
    assert f"unknown key '{key}'" in str(precise)
    if level == "flow":
        assert fast is None
    else:
        assert isinstance(fast, clientchain.InputError)
        assert fast.problems == precise.problems


# (level, the line added, the key): the user's own keys, kept as they are
CUSTOM = [
    ("top", "version: 2", "version"),
    ("top", "owner: boss", "owner"),
    ("role", "site: Kyiv", "site"),
    ("role", "cost_centre: 4711", "cost_centre"),
    ("role", "fte: 1", "fte"),
    ("role", "tag: x", "tag"),
    ("role", "kind: staff", "kind"),
    ("role", "budget: 100", "budget"),
    ("role", "pay: 3", "pay"),
    ("role", "dept: sales", "dept"),
    ("role", "ID2: x", "ID2"),
    ("role", "owner: x", "owner"),  # a client's key, not a role's
    ("client", "segment: retail", "segment"),
    ("client", "site: Kyiv", "site"),
    ("client", "kind: b2c", "kind"),
    ("client", "serves: x", "serves"),  # a role's key, not a client's
    ("flow", "{from: seller, to: boss, amount: 4, kind: fee}", "kind"),
    ("flow", "{from: seller, to: boss, amount: 4, note: x}", "note"),
    ("flow", "{from: seller, to: boss, amount: 4, count: 3}", "count"),  # beside amount
    ("flow", "{from: seller, to: boss, amount: 4, memo: x}", "memo"),
]


@pytest.mark.parametrize(("level", "added", "key"), CUSTOM, ids=[f"{c[0]}-{c[2]}" for c in CUSTOM])
def test_a_key_of_the_users_own_is_kept(tmp_path: Path, level: str, added: str, key: str) -> None:
    path, _ = _case(tmp_path, level, added)
    org = clientchain.load(path)
    extra = {
        "role": org.role_extra.get(0, {}),
        "client": org.client_extra.get(0, {}),
        "flow": {name: column[-1] for name, column in org.flow_extra.items()},
        "top": {key: "?"},  # top-level keys of one's own are allowed, not kept
    }[level]
    assert key in extra


@pytest.mark.parametrize(("level", "added", "key"), CUSTOM, ids=[f"{c[0]}-{c[2]}" for c in CUSTOM])
def test_both_paths_agree_on_keys_of_the_users_own(
    tmp_path: Path, level: str, added: str, key: str
) -> None:
    path, _ = _case(tmp_path, level, added)
    fast, precise = both(path)
    assert isinstance(precise, clientchain.Org)
    if fast is not None:
        assert_same(fast, precise)
    if level in ("role", "client"):
        assert fast is not None, "a custom key alone must not cost the fast path"


def test_a_key_beside_the_known_key_it_spells_again_is_a_problem(tmp_path: Path) -> None:
    """`reportsTo` next to `reports_to` is the key written twice (one value would be
    lost, and a change to it would change nothing): a problem on both paths, as it is
    alone (a key two edits from the one beside it is the user's: test_yaml_flows)."""
    path = tmp_path / "org.yaml"
    path.write_text(chart().replace("reports_to: boss", "reports_to: boss\n    reportsTo: x"))
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")
    fast, precise = both(path)
    assert isinstance(precise, clientchain.InputError) and isinstance(fast, clientchain.InputError)
    assert [p.message for p in precise.problems] == [
        "unknown key 'reportsTo' in a role is not used (did you mean 'reports_to'?)"
    ]
    assert fast.problems == precise.problems


@pytest.mark.parametrize("policy", ["policy:\n  max_layers: 3\n", "policy: ~\n"])
@pytest.mark.parametrize("key", ["Policy", "polcy"])
def test_a_top_level_key_beside_a_policy_block_that_spells_it_again_is_a_problem(
    tmp_path: Path, policy: str, key: str
) -> None:
    """The policy block is read on its own, but it is written beside the other top-level
    keys all the same: `Policy` or `polcy` next to it is a problem, on both paths."""
    path = tmp_path / "org.yaml"
    path.write_text(f"{key}: x\n" + chart() + policy, encoding="utf-8")
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")
    fast, precise = both(path)
    assert isinstance(precise, clientchain.InputError), precise
    assert [p.message for p in precise.problems] == [
        f"unknown key '{key}' at the top level is not used (did you mean 'policy'?)"
    ]
    assert fast is None or (
        isinstance(fast, clientchain.InputError) and fast.problems == precise.problems
    )


# --- root causes first ------------------------------------------------------------------


def _problems(path: Path, flows: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(clientchain.InputError) as caught:
        clientchain.load(path, flows)
    return [str(p) for p in caught.value.problems]


def test_a_misspelt_roles_list_is_the_only_problem_not_its_unknown_ids(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(chart().replace("roles:", "role:"), encoding="utf-8")
    (tmp_path / "more.csv").write_text("from,to,amount\nbuyers,boss,x\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")
    more = str(tmp_path / "more.csv")
    assert _problems(path, (more,)) == [
        f"{more}:2:13: amount 'x' is not a number",  # a problem of its own: still said
        f"{path}:4:1: unknown key 'role' at the top level is not used (did you mean 'roles'?)",
    ]


def test_a_missing_roles_list_is_said_once(run: Runner, tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    text = "org: Shop\nclients:\n  - id: buyers\nflows:\n  - {from: buyers, to: boss, amount: 1}\n"
    path.write_text(text, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:1:1: no 'roles' list: an org chart lists its roles under 'roles:'\n"
        f"clientchain: 1 problem in {path}\n"
    )


def test_a_misspelt_clients_list_is_the_only_problem(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(chart().replace("clients:", "Clients:"), encoding="utf-8")
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")
    assert _problems(path) == [
        f"{path}:2:1: unknown key 'Clients' at the top level is not used (did you mean 'clients'?)"
    ]


def test_a_misspelt_id_is_the_only_problem_not_the_references_to_it(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(chart().replace("  - id: boss", "  - Id: boss"), encoding="utf-8")
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")
    assert _problems(path) == [
        f"{path}:5:5: unknown key 'Id' in a role is not used (did you mean 'id'?)"
    ]


def test_a_misspelt_flow_key_is_said_instead_of_the_field_it_leaves_out(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(chart(flow="{from: seller, to: boss, amout: 4}"), encoding="utf-8")
    (tmp_path / "flows.yaml").write_text("- {from: seller, to: boss, amnt: 4}\n", "utf-8")
    more = str(tmp_path / "flows.yaml")
    line, column = _key_position(path.read_text(), "{from: seller, to: boss, amout: 4}", "amout")
    assert _problems(path, (more,)) == [
        f"{more}:1:28: unknown key 'amnt' in a flow is not used (did you mean 'amount'?)",
        f"{path}:{line}:{column}: unknown key 'amout' in a flow is not used"
        " (did you mean 'amount'?)",
    ]


def test_a_misspelt_key_of_an_ignore_entry_is_said_instead_of_what_it_leaves_out(
    tmp_path: Path,
) -> None:
    path = tmp_path / "org.yaml"
    entry = "ignore:\n    - {code: CC101, role: seller, reson: interim}"
    path.write_text(chart(policy=entry), encoding="utf-8")
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")
    line, column = _key_position(path.read_text(), entry.split("\n")[1].strip(" -"), "reson")
    assert _problems(path) == [
        f"{path}:{line}:{column}: unknown key 'reson' in an ignore entry is not used"
        " (did you mean 'reason'?)"
    ]


def test_an_unknown_policy_key_with_no_likely_meaning_lists_the_known_ones(
    tmp_path: Path,
) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(chart(policy="strictness: high"), encoding="utf-8")
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")
    assert _problems(path) == [
        f"{path}:10:3: unknown key 'strictness' in policy is not used (known:"
        " max_org_alienation, max_role_alienation, max_levels_inverted, max_layers,"
        " min_span, max_span, fail_on, ignore)"
    ]


# --- the rule itself ---------------------------------------------------------------------

RULE = [  # (key, level's known keys, the key meant or None)
    ("reportsTo", ROLE, "reports_to"),
    ("REPORTS TO", ROLE, "reports_to"),
    ("report_to", ROLE, "reports_to"),  # one edit
    ("reprots_to", ROLE, "reports_to"),  # two neighbours swapped: one edit
    ("rports_t", ROLE, "reports_to"),  # two edits of a key longer than 5
    ("rpts_t", ROLE, None),  # three
    ("titl", ROLE, "title"),  # one edit of a key of 5
    ("tilt", ROLE, None),  # ... two are too many
    ("ID", ROLE, "id"),  # keys of two characters: by folding only
    ("i-d", ROLE, "id"),
    ("idd", ROLE, None),
    ("ip", ROLE, None),
    ("tO", FLOW, "to"),
    ("too", FLOW, None),
    ("kind", FLOW, None),
    ("fte", ROLE, None),
    ("tag", ROLE, None),
    ("site", ROLE, None),
    ("role", TOP_LEVEL, "roles"),
    ("client", TOP_LEVEL, "clients"),
    ("ownr", CLIENT, "owner"),
    ("owner", ROLE, None),
]


@pytest.mark.parametrize(("key", "level", "meant"), RULE, ids=[c[0] for c in RULE])
def test_what_counts_as_a_near_miss(key: str, level: object, meant: str | None) -> None:
    known = level.names  # type: ignore[attr-defined]
    assert near_miss(key, known) == meant
    assert near_miss(key, reversed(known)) == meant  # the order of the known keys is no matter
    assert level.guess(key) == meant  # type: ignore[attr-defined]


def test_a_known_key_is_no_miss_and_one_two_edits_beside_it_is_never_guessed() -> None:
    assert near_miss("reports_to", ROLE.names) is None
    assert ROLE.guess("reportsTo", beside=["id", "reports_to"]) == "reports_to"  # folded
    assert FLOW.guess("amout", beside=["from", "to", "amount"]) == "amount"  # one edit
    assert FLOW.guess("count") == "amount"  # alone, two edits from amount ...
    assert FLOW.guess("count", beside=["from", "to", "amount"]) is None  # ... not beside it


def test_equally_close_known_keys_give_the_same_answer_every_run() -> None:
    assert near_miss("ab", ["ab_", "AB"]) == "AB"  # folding beats any edit
    assert near_miss("abcdx", ["abcdy", "abcdz"]) == near_miss("abcdx", ["abcdz", "abcdy"])
