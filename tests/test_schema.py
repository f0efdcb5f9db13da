"""`clientchain schema`: the shipped JSON Schemas agree with the loader and with real output.

The org schema is what an editor checks an org chart against, so it is tested against
the YAML as an editor's YAML 1.2 reader sees it (`editor_view`): plain scalars become
nulls, booleans and numbers by the YAML 1.2 core schema, quoted ones stay text. Not
`yaml.safe_load`: that is YAML 1.1, which turns `no` into False and `0755` into 493
and makes dates out of ids. Every verdict of the schema is compared with clientchain's
own loader on the same text.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import clientchain
from clientchain.cli import app
from clientchain.findings import RULES, About, Level
from clientchain.orgfile import CLIENT_KEYS, ROLE_KEYS
from clientchain.policy import FailOn, Ignore, Policy
from clientchain.problems import InputError
from clientchain.render.json_doc import render_json
from clientchain.schema_cli import SchemaName
from clientchain.schemas import SCHEMA_FILES
from tests.conftest import EXAMPLES, Run
from tests.orgs import org_specs, render_yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "src" / "clientchain" / "schemas"
BAD = Path(__file__).resolve().parent / "bad"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SHIPPED / SCHEMA_FILES[name]).read_text("utf-8"))
    return loaded


ORG = _schema("org")
OUTPUT = _schema("output")
ORG_VALIDATOR = Draft202012Validator(ORG)
OUTPUT_VALIDATOR = Draft202012Validator(OUTPUT)


def _part(schema: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for one of the schema's $defs (a flows file is an org chart's flow list)."""
    return Draft202012Validator(
        {"$schema": DRAFT, "$defs": schema["$defs"], "$ref": f"#/$defs/{name}"}
    )


FLOWS_VALIDATOR = _part(ORG, "flowList")
FLOW_VALIDATOR = _part(ORG, "flow")

# --- YAML as an editor sees it -------------------------------------------------------

_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_BOOL["FALSE"] = False
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"([-+]?)\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")


def _scalar(node: yaml.ScalarNode) -> object:
    text: str = node.value
    if node.style is not None:  # quoted or a block scalar: text, whatever it looks like
        return text
    if _NULL.fullmatch(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if (inf := _INF.fullmatch(text)) is not None:
        return -math.inf if inf.group(1) == "-" else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


def _value(node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_value(item) for item in node.value]
    return {key.value: _value(value) for key, value in node.value}


def editor_view(text: str) -> object:
    """The YAML text as JSON data, resolved by the YAML 1.2 core schema (as editors do)."""
    node = yaml.compose(text, Loader=yaml.BaseLoader)  # BaseLoader: no YAML 1.1 typing
    return None if node is None else _value(node)


def test_editor_view_keeps_ids_literal_and_numbers_numbers() -> None:
    data = editor_view('a: no\nb: "3"\nc: 3\nd: 2024-01-01\ne: 0755\nf: 1.5\ng: true\nh:\n')
    assert data == {
        "a": "no",
        "b": "3",
        "c": 3,
        "d": "2024-01-01",
        "e": 755,
        "f": 1.5,
        "g": True,
        "h": None,
    }


def _loader_accepts(text: str, tmp_path: Path | None = None) -> bool:
    try:
        clientchain.loads(text, source="org.yaml", base_dir=tmp_path)
    except InputError:
        return False
    return True


def _schema_accepts(text: str) -> bool:
    return ORG_VALIDATOR.is_valid(editor_view(text))


# --- the schemas themselves ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schema_is_a_valid_draft_2020_12_schema_with_a_stable_id(name: str) -> None:
    schema = _schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT
    assert schema["$id"] == f"urn:clientchain:schema:{name}:1"


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schema_file_is_pretty_json_ending_in_a_newline(name: str) -> None:
    text = (SHIPPED / SCHEMA_FILES[name]).read_text("utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def _resolve(root: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with a local $ref's target merged under its own keywords."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    target = root["$defs"][ref.removeprefix("#/$defs/")]
    return {**_resolve(root, target), **{k: v for k, v in schema.items() if k != "$ref"}}


def _properties(root: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every property declared anywhere in the schema."""
    places: list[tuple[str, dict[str, Any]]] = [("", root)]
    places += [(f"$defs/{name}", d) for name, d in root["$defs"].items()]
    for where, schema in places:
        for name, prop in schema.get("properties", {}).items():
            yield f"{where}/{name}", _resolve(root, prop)


def test_every_org_property_has_a_title_a_description_and_examples() -> None:
    """What an editor shows while completing: nothing may be left undocumented."""
    missing = [
        where
        for where, prop in _properties(ORG)
        if not all(prop.get(key) for key in ("title", "description", "examples"))
    ]
    assert missing == []


def test_every_output_property_has_a_title_and_a_description() -> None:
    missing = [
        where
        for where, prop in _properties(OUTPUT)
        if not all(prop.get(key) for key in ("title", "description"))
    ]
    assert missing == []


def test_org_schema_names_exactly_the_keys_the_loader_reads() -> None:
    defs = ORG["$defs"]
    assert set(defs["role"]["properties"]) == ROLE_KEYS
    assert set(defs["client"]["properties"]) == CLIENT_KEYS
    assert set(defs["flow"]["required"]) == {"from", "to", "amount"}
    assert set(defs["policy"]["properties"]) == {f.name for f in dataclasses.fields(Policy)}
    assert set(defs["ignoreEntry"]["properties"]) == {
        f.name for f in dataclasses.fields(Ignore)
    } - {"line"}
    assert set(ORG["properties"]) == {"org", "currency", "flows", "clients", "roles", "policy"}


def test_org_schema_lists_every_ignorable_code_and_fail_on_level() -> None:
    ignorable = [rule.code for rule in RULES if rule.about is not About.POLICY]
    assert ORG["$defs"]["ignoreEntry"]["properties"]["code"]["enum"] == ignorable
    fail_on = ORG["$defs"]["policy"]["properties"]["fail_on"]["enum"]
    assert fail_on == [*(f.value for f in FailOn), None]


def test_output_schema_knows_every_rule_and_level() -> None:
    finding = OUTPUT["$defs"]["finding"]["properties"]
    assert finding["level"]["enum"] == [level.value for level in Level]
    for rule in RULES:
        assert re.fullmatch(finding["code"]["pattern"], rule.code), rule.code
        assert re.fullmatch(finding["rule"]["pattern"], rule.name), rule.name


# --- org charts: the examples, the README, and agreement with the loader -------------

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
    kinds = {type(_mapping(editor_view(p.read_text("utf-8"))).get("flows")) for p in EXAMPLE_ORGS}
    assert {list, str} <= kinds


def _mapping(data: object) -> dict[str, Any]:
    assert isinstance(data, dict)
    return data


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
    "headcount-fraction",
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
    flows = _mapping(editor_view(text))["flows"]
    verdicts = [FLOW_VALIDATOR.is_valid(row) for row in flows]
    nan_rows = [i for i, row in enumerate(flows) if _is_nan(row.get("amount"))]
    assert nan_rows == [1]
    assert [v for i, v in enumerate(verdicts) if i not in nan_rows] == [False] * 5
    assert verdicts[1] is True  # the documented gap: if this fails, the schema learnt NaN


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


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


# --- the JSON output -----------------------------------------------------------------

POLICY_ORG = """\
clients:
  - id: buyers
  - id: idle
roles:
  - id: owner
    title: Owner
    department: management
  - id: director
    reports_to: owner
  - id: accountant
    reports_to: director
  - id: clerk
    reports_to: accountant
  - id: seller
    reports_to: owner
  - id: lonely
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 100}
  - {from: seller, to: owner, amount: 60}
  - {from: owner, to: director, amount: 50}
  - {from: director, to: accountant, amount: 30.5}
  - {from: owner, to: clerk, amount: 5}
policy:
  max_org_alienation: 0.1
  max_role_alienation: 0.5
  max_levels_inverted: 1
  ignore:
    - {code: CC101, boss: owner, subordinate: director, reason: interim}
    - {code: CC102, role: nobody, reason: stale}
"""

# No name, no currency, nobody employed: the nulls of the document.
EMPTY_ORG = "roles:\n  - id: ghost\n    headcount: 0\n"


def _analyze(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["analyze", *args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    assert result.stderr == ""
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Real `analyze --format json` documents: every example and each feature of the output."""
    runner = CliRunner()
    here = tmp_path_factory.mktemp("schema-docs")
    docs = {org.parent.name: _analyze(runner, str(org)) for org in EXAMPLE_ORGS}
    dealership = str(EXAMPLES / "dealership" / "org.yaml")
    docs["top-clients 1"] = _analyze(runner, dealership, "--top-clients", "1")
    docs["top-clients 0"] = _analyze(runner, dealership, "--top-clients", "0")
    policy = here / "policy.yaml"
    policy.write_text(POLICY_ORG, "utf-8")
    docs["policy"] = _analyze(runner, str(policy))
    empty = here / "empty.yaml"
    empty.write_text(EMPTY_ORG, "utf-8")
    docs["empty"] = _analyze(runner, str(empty))
    baseline = here / "baseline.json"
    wrote = runner.invoke(app, ["analyze", str(policy), "--write-baseline", str(baseline)])
    assert wrote.exit_code == 0, wrote.stderr
    docs["baselined"] = _analyze(runner, str(policy), "--baseline", str(baseline))
    changed = here / "changed.yaml"
    changed.write_text(POLICY_ORG.replace("  - {from: owner, to: clerk, amount: 5}\n", ""), "utf-8")
    docs["stale baseline"] = _analyze(runner, str(changed), "--baseline", str(baseline))
    return docs


def test_the_corpus_exercises_what_it_is_meant_to(documents: dict[str, dict[str, Any]]) -> None:
    codes = {f["code"] for doc in documents.values() for f in doc["findings"]}
    assert {"CC101", "CC102", "CC103", "CC201", "CC202", "CC203", "CC204", "CC205"} <= codes
    assert documents["policy"]["summary"]["findings_ignored"] == 1
    assert documents["baselined"]["summary"]["findings_baselined"] > 0
    # findings about the policy itself are never baselined
    assert {f["code"] for f in documents["baselined"]["findings"]} == {"CC204"}


def test_every_output_document_validates(documents: dict[str, dict[str, Any]]) -> None:
    for name, doc in documents.items():
        assert [e.message for e in OUTPUT_VALIDATOR.iter_errors(doc)] == [], name


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    resolved = _resolve(OUTPUT, schema)
    out = [resolved]
    for key in ("anyOf", "oneOf"):
        out += [_resolve(OUTPUT, branch) for branch in resolved.get(key, [])]
    return out


@dataclasses.dataclass
class Seen:
    keys: set[str] = dataclasses.field(default_factory=set)  # key paths that appear
    nulls: set[str] = dataclasses.field(default_factory=set)  # ... that appear as null
    lacking: set[str] = dataclasses.field(default_factory=set)  # ... absent from an object
    undescribed: set[str] = dataclasses.field(default_factory=set)


def _walk(value: Any, schema: dict[str, Any], path: str, seen: Seen) -> None:
    branches = _branches(schema)
    if isinstance(value, dict):
        props = {k: v for b in branches for k, v in b.get("properties", {}).items()}
        seen.lacking |= {f"{path}.{k}" for k in props if k not in value}
        for key, item in value.items():
            where = f"{path}.{key}"
            seen.keys.add(where)
            if item is None:
                seen.nulls.add(where)
            if key not in props:
                seen.undescribed.add(where)
                continue
            _walk(item, props[key], where, seen)
    elif isinstance(value, list):
        items = [b["items"] for b in branches if "items" in b]
        for item in value:
            _walk(item, items[0], path + "[]", seen)


def _schema_paths(schema: dict[str, Any], path: str, out: dict[str, dict[str, Any]]) -> None:
    for branch in _branches(schema):
        for key, prop in branch.get("properties", {}).items():
            where = f"{path}.{key}"
            out[where] = prop
            _schema_paths(prop, where, out)
        if "items" in branch:
            _schema_paths(branch["items"], path + "[]", out)


def _nullable(prop: dict[str, Any]) -> bool:
    return any(b.get("type") == "null" or "null" in (b.get("type") or []) for b in _branches(prop))


def test_the_schema_describes_every_key_the_output_has(
    documents: dict[str, dict[str, Any]],
) -> None:
    """So the schema never falls behind the code: a key added to the output must be added
    to the schema (additional keys are allowed there, so validation alone would not tell)."""
    seen = Seen()
    for doc in documents.values():
        _walk(doc, OUTPUT, "", seen)
    assert seen.undescribed == set()


def test_every_key_of_the_schema_and_every_null_it_allows_occur_in_real_output(
    documents: dict[str, dict[str, Any]],
) -> None:
    """And the other way round: the schema promises nothing the corpus does not show."""
    seen = Seen()
    for doc in documents.values():
        _walk(doc, OUTPUT, "", seen)
    paths: dict[str, dict[str, Any]] = {}
    _schema_paths(OUTPUT, "", paths)
    assert set(paths) - seen.keys == set()
    assert {p for p, prop in paths.items() if _nullable(prop)} == seen.nulls
    optional = {".findings[].client", ".findings[].boss"}
    assert optional <= seen.lacking
    assert seen.lacking - optional == set()  # every other key is always there


def test_required_keys_are_every_key_but_the_optional_finding_ones() -> None:
    paths: dict[str, dict[str, Any]] = {"": OUTPUT}
    _schema_paths(OUTPUT, "", paths)
    for where, prop in paths.items():
        for branch in _branches(prop):
            if "properties" in branch:
                optional = {"client", "boss"} if where == ".findings[]" else set()
                assert set(branch["required"]) == set(branch["properties"]) - optional, where


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(org_specs())
def test_the_output_of_random_orgs_validates(spec: Any) -> None:
    org = clientchain.loads(render_yaml(spec), source="org.yaml")
    for top in (0, 1):
        analysis = clientchain.analyze(org, decay=0.5, top_clients=top)
        doc = json.loads(render_json(analysis))
        assert [e.message for e in OUTPUT_VALIDATOR.iter_errors(doc)] == []
        assert OUTPUT_VALIDATOR.is_valid(clientchain.json_document(analysis))


# --- the command ---------------------------------------------------------------------


def test_the_command_knows_exactly_the_shipped_schemas() -> None:
    assert sorted(n.value for n in SchemaName) == sorted(SCHEMA_FILES)
    assert all((SHIPPED / f).is_file() for f in SCHEMA_FILES.values())


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schema_prints_the_shipped_file(run: Callable[..., Run], name: str) -> None:
    result = run("schema", name)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (SHIPPED / SCHEMA_FILES[name]).read_text("utf-8")
    assert result.stdout.endswith("}\n")


def test_schema_writes_a_file_with_output_option(run: Callable[..., Run], tmp_path: Path) -> None:
    target = tmp_path / "org.schema.json"
    result = run("schema", "org", "-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert target.read_bytes() == (SHIPPED / "org.schema.json").read_bytes()


def test_schema_into_a_missing_folder_is_a_clean_error(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "org.schema.json"
    result = run("schema", "org", "--output", str(target))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"clientchain: cannot write {target}: No such file or directory\n"


def test_an_unknown_name_is_a_usage_error_listing_the_names(run: Callable[..., Run]) -> None:
    result = run("schema", "flows")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "Error: Invalid value for 'org|output': 'flows' is not one of 'org', 'output'." in (
        result.stderr
    )


def test_a_missing_name_is_a_usage_error_listing_the_names(run: Callable[..., Run]) -> None:
    result = run("schema")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "Missing argument" in result.stderr
    assert re.search(r"org,\s+output", result.stderr), result.stderr
