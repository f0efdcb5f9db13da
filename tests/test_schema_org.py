"""The org chart schema agrees with clientchain's loader: the examples, the README's org
charts and the bad inputs, and a table of small charts where both must give one verdict.
"""

from __future__ import annotations

import itertools
import math
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import clientchain
from clientchain.model.findings import RULES, About
from clientchain.model.problems import InputError
from tests.conftest import EXAMPLES
from tests.schema_support import (
    BAD,
    FLOW_VALIDATOR,
    FLOWS_VALIDATOR,
    ORG_VALIDATOR,
    ROOT,
    editor_view,
    mapping,
)


def _loader_accepts(text: str, tmp_path: Path | None = None) -> bool:
    try:
        clientchain.loads(text, source="org.yaml", base_dir=tmp_path)
    except InputError:
        return False
    return True


def _schema_accepts(text: str) -> bool:
    valid: bool = ORG_VALIDATOR.is_valid(editor_view(text))
    return valid


# --- the examples, the README and the bad inputs ------------------------------------

EXAMPLE_ORGS = sorted(EXAMPLES.glob("*/org.yaml"))


def test_there_are_examples_to_check() -> None:
    assert len(EXAMPLE_ORGS) >= 3
    assert sorted(EXAMPLES.glob("*/flows.yaml"))


@pytest.mark.parametrize("org", EXAMPLE_ORGS, ids=lambda p: p.parent.name)
def test_every_example_org_chart_validates(org: Path) -> None:
    errors = list(ORG_VALIDATOR.iter_errors(editor_view(org.read_text("utf-8"))))
    assert [e.message for e in errors] == []


@pytest.mark.parametrize(
    "flows", sorted(EXAMPLES.glob("*/flows.y*ml")), ids=lambda p: p.parent.name
)
def test_every_example_yaml_flows_file_validates_as_a_flow_list(flows: Path) -> None:
    errors = list(FLOWS_VALIDATOR.iter_errors(editor_view(flows.read_text("utf-8"))))
    assert [e.message for e in errors] == []


def test_the_examples_include_inline_flows_and_a_flows_path() -> None:
    kinds = {type(mapping(editor_view(p.read_text("utf-8"))).get("flows")) for p in EXAMPLE_ORGS}
    assert {list, str} <= kinds


def _readme_org_blocks() -> list[str]:
    """The README's YAML blocks that are org charts or policy blocks."""
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    return [b for b in blocks if re.search(r"^(roles|policy):", b, flags=re.MULTILINE)]


def test_the_readme_org_chart_and_policy_examples_validate() -> None:
    blocks = _readme_org_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        data = editor_view(block)
        if isinstance(data, dict) and "roles" not in data:
            data = {**data, "roles": []}  # a policy block shown on its own
        assert [e.message for e in ORG_VALIDATOR.iter_errors(data)] == [], block


STRUCTURALLY_BAD = [
    "roles-not-a-list",
    "clients-not-a-list",
    "item-not-a-mapping",
    "missing-id",
    "empty-id",
    "id-not-a-scalar",
    "no-roles",
    "top-level-list",
    "headcount-negative",
    "headcount-quoted",
    "headcount-boolean",
    "headcount-infinite",
    "yaml-bad-amounts",
]


@pytest.mark.parametrize("case", STRUCTURALLY_BAD)
def test_structurally_wrong_org_charts_are_rejected_by_loader_and_schema(case: str) -> None:
    text = (BAD / case / "org.yaml").read_text("utf-8")
    assert not _loader_accepts(text)
    assert not _schema_accepts(text)


def test_each_bad_amount_row_is_rejected_like_the_loader_rejects_it() -> None:
    """The loader reports a problem on each of the six rows; the schema rejects the same rows
    but `.nan`, the one a JSON Schema cannot see: no comparison is true of NaN (and JSON has
    no NaN), so `exclusiveMinimum` and `maximum` let it through. clientchain still refuses it."""
    text = (BAD / "yaml-bad-amounts" / "org.yaml").read_text("utf-8")
    flows = mapping(editor_view(text))["flows"]
    verdicts = [FLOW_VALIDATOR.is_valid(row) for row in flows]
    nan_rows = [i for i, row in enumerate(flows) if _is_nan(row.get("amount"))]
    assert nan_rows == [1]
    assert [v for i, v in enumerate(verdicts) if i not in nan_rows] == [False] * 5
    assert verdicts[1] is True  # the documented gap: if this fails, the schema learnt NaN


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


# --- small charts: one verdict from the loader and the schema ------------------------

BASE = """\
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
"""


def _with(extra: str, base: str = BASE) -> str:
    return base + textwrap.dedent(extra).lstrip("\n")


AGREEMENT = {
    # ids stay literal: none of these is a boolean, a number or a date to clientchain
    "odd ids": (
        "roles:\n  - id: no\n  - id: 0755\n    reports_to: no\n  - id: 1e3\n"
        "  - id: 2024-01-01\n  - id: true\n  - id: 42\n",
        True,
    ),
    "editor modeline": ("# yaml-language-server: $schema=org.schema.json\n" + BASE, True),
    "unknown keys kept": (
        _with(
            "version: 2\n",
            BASE.replace("reports_to: owner", "reports_to: owner\n    cost_center: 4711"),
        ),
        True,
    ),
    "all optional empty": (
        "org:\ncurrency:\nclients:\nflows:\npolicy:\nroles:\n"
        "  - id: owner\n    title:\n    reports_to:\n    department:\n"
        "    headcount:\n",
        True,
    ),
    "roles empty": ("roles:\n", True),
    "numbers as titles": ("org: 1984\nroles:\n  - id: a\n    title: 7\n    department: 3\n", True),
    "headcount 0": ("roles:\n  - id: a\n    headcount: 0\n", True),
    "headcount fraction": ("roles:\n  - id: a\n    headcount: 2.5\n", True),
    "headcount below 0": ("roles:\n  - id: a\n    headcount: -0.5\n", False),
    "headcount huge": ("roles:\n  - id: a\n    headcount: 1000000001\n", False),
    "headcount text": ("roles:\n  - id: a\n    headcount: six\n", False),
    "blank id": ('roles:\n  - id: "  "\n', False),
    "null id": ("roles:\n  - id:\n", False),
    "role is a list": ("roles:\n  - [a]\n", False),
    "title is a list": ("roles:\n  - id: a\n    title: [x]\n", False),
    "org is a mapping": ("org: {name: x}\nroles: []\n", False),
    "roles is text": ("roles: owner\n", False),
    "chart is text": ("just text\n", False),
    "client missing id": ("clients:\n  - title: x\nroles: []\n", False),
    "inline flows": (
        _with("flows:\n  - {from: buyers, to: seller, amount: 12.5, note: x}\n"),
        True,
    ),
    "flows empty list": (_with("flows: []\n"), True),
    "flows is a mapping": (_with("flows: {from: buyers}\n"), False),
    "flow not a mapping": (_with("flows:\n  - buyers\n"), False),
    "flow missing to": (_with("flows:\n  - {from: buyers, amount: 1}\n"), False),
    "flow to a list": (_with("flows:\n  - {from: buyers, to: [seller], amount: 1}\n"), False),
    "amount quoted": (_with("flows:\n  - {from: buyers, to: seller, amount: '5'}\n"), False),
    "amount zero": (_with("flows:\n  - {from: buyers, to: seller, amount: 0}\n"), False),
    "amount negative": (_with("flows:\n  - {from: buyers, to: seller, amount: -3}\n"), False),
    "amount tiny": (_with("flows:\n  - {from: buyers, to: seller, amount: 1e-13}\n"), False),
    "amount huge": (_with("flows:\n  - {from: buyers, to: seller, amount: 2e15}\n"), False),
    "amount infinite": (_with("flows:\n  - {from: buyers, to: seller, amount: .inf}\n"), False),
    "amount smallest": (_with("flows:\n  - {from: buyers, to: seller, amount: 1e-12}\n"), True),
    "policy full": (
        _with("""
        policy:
          max_org_alienation: 0.4
          max_role_alienation: 1
          max_levels_inverted: 1
          fail_on: warning
          ignore:
            - {code: CC101, boss: owner, subordinate: seller, reason: "ORG-1"}
            - {code: CC101, role: seller, reason: every boss}
            - {code: CC102, role: seller, reason: 42}
            - {code: CC103, client: buyers, reason: new}
            - {code: CC201, reason: merger year}
        """),
        True,
    ),
    "policy nulls": (
        _with(
            "policy:\n  max_org_alienation: ~\n  max_levels_inverted:\n  fail_on: null\n  ignore:\n"
        ),
        True,
    ),
    "policy misspelt key": (_with("policy:\n  max_org_alienaton: 0.4\n"), False),
    "policy is a list": (_with("policy: [max_org_alienation]\n"), False),
    "ratio above 1": (_with("policy:\n  max_role_alienation: 1.5\n"), False),
    "ratio quoted": (_with("policy:\n  max_org_alienation: '0.4'\n"), False),
    "levels negative": (_with("policy:\n  max_levels_inverted: -1\n"), False),
    "levels fraction": (_with("policy:\n  max_levels_inverted: 1.5\n"), False),
    "levels whole float": (_with("policy:\n  max_levels_inverted: 2.0\n"), True),
    "fail_on unknown": (_with("policy:\n  fail_on: loud\n"), False),
    "ignore not a list": (_with("policy:\n  ignore: {code: CC101}\n"), False),
    "ignore without reason": (
        _with("policy:\n  ignore:\n    - {code: CC102, role: seller}\n"),
        False,
    ),
    "ignore blank reason": (
        _with("policy:\n  ignore:\n    - {code: CC102, role: seller, reason: ''}\n"),
        False,
    ),
    "ignore without code": (_with("policy:\n  ignore:\n    - {role: seller, reason: x}\n"), False),
    "ignore policy code": (_with("policy:\n  ignore:\n    - {code: CC204, reason: x}\n"), False),
    "ignore unknown code": (
        _with("policy:\n  ignore:\n    - {code: CC999, role: seller, reason: x}\n"),
        False,
    ),
    "ignore misspelt key": (
        _with("policy:\n  ignore:\n    - {code: CC102, rol: seller, reason: x}\n"),
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(AGREEMENT))
def test_schema_and_loader_agree(case: str) -> None:
    text, valid = AGREEMENT[case]
    assert (_loader_accepts(text), _schema_accepts(text)) == (valid, valid)


SUBJECTS = ("role", "boss", "subordinate", "client")


def _ignore_cases() -> Iterator[tuple[str, tuple[str, ...]]]:
    for rule in RULES:
        if rule.about is About.POLICY:
            continue
        for n in range(len(SUBJECTS) + 1):
            for named in itertools.combinations(SUBJECTS, n):
                yield rule.code, named


@pytest.mark.parametrize(
    ("code", "named"),
    [pytest.param(c, n, id=f"{c}-{'+'.join(n) or 'nothing'}") for c, n in _ignore_cases()],
)
def test_ignore_subjects_agree_with_the_loader(code: str, named: tuple[str, ...]) -> None:
    """Every code with every combination of subject keys: the loader's verdict is the schema's."""
    fields = "".join(f", {key}: seller" for key in named)
    text = _with(f"policy:\n  ignore:\n    - {{code: {code}, reason: x{fields}}}\n")
    assert _schema_accepts(text) is _loader_accepts(text)


def test_the_ignore_combinations_include_accepted_and_refused_ones() -> None:
    verdicts = {
        _loader_accepts(
            _with(
                f"policy:\n  ignore:\n    - {{code: {code}, reason: x"
                + "".join(f", {k}: seller" for k in named)
                + "}\n"
            )
        )
        for code, named in _ignore_cases()
    }
    assert verdicts == {True, False}


def test_flows_path_validates(tmp_path: Path) -> None:
    (tmp_path / "flows.csv").write_text("from,to,amount\nbuyers,seller,10\n", "utf-8")
    text = _with("flows: flows.csv\n")
    assert (_loader_accepts(text, tmp_path), _schema_accepts(text)) == (True, True)
    assert not _schema_accepts(_with("flows: ''\n"))
