"""Every rule's documentation is its module's docstring, and its examples are true.

For each rule of the registry (`clientchain.analyses.rules.RULE_MODULES`), as yamllint
tests its rules: the failing example org chart makes exactly the findings the docstring
shows (file, line, level, code, message), and the passing one makes none. Examples
that need a policy carry their `policy:` block; CC205's examples are analysed with the
baseline its docstring shows, the way `analyze --baseline` reads one. The findings'
data agree with the docstring, the message template and the output schema.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import Any

import orjson
import pytest

import clientchain
from clientchain.analyses.analyze import Analysis
from clientchain.analyses.rules import RULE_MODULES, RuleModule, documentation
from clientchain.ci.baseline import read_baseline, with_baseline
from clientchain.ci.baseline_format import baseline_text
from clientchain.model.findings import RULES, Finding, Rule
from clientchain.render.analysis.json_doc import json_document, render_json
from tests.schema_support import OUTPUT, OUTPUT_VALIDATOR

RULES_DIR = Path(clientchain.__file__).parent / "analyses" / "rules"
BLOCK = re.compile(r"^```(\w+) (passing|failing|finding|baseline)\n(.*?)^```$", re.M | re.S)
SECTIONS = ("**What it means.**", "**Why it matters.**", "**What to do.**", "**Data.**")


@dataclass(frozen=True)
class Examples:
    passing: str
    failing: str
    findings: list[str]  # as the table format lists them: FILE:LINE: LEVEL CODE MESSAGE
    baseline: str | None  # the baseline both examples are analysed with, if any


def examples(module: RuleModule) -> Examples:
    """The examples in the module's docstring: fenced blocks named by their info string
    (a finding longer than a line continues on indented lines)."""
    blocks: dict[str, str] = {}
    for _language, kind, text in BLOCK.findall(documentation(module)):
        assert kind not in blocks, f"two {kind} blocks"
        blocks[kind] = text
    findings = re.sub(r"\n\s+", " ", blocks["finding"]).splitlines()
    return Examples(blocks["passing"], blocks["failing"], findings, blocks.get("baseline"))


def _analyze(org_text: str, baseline: str | None, folder: Path) -> Analysis:
    result = clientchain.analyze(clientchain.loads(org_text, source="org.yaml"))
    if baseline is None:
        return result
    (folder / "baseline.json").write_text(baseline, encoding="utf-8")
    return with_baseline(result, read_baseline(Path("baseline.json")))


def _listed(f: Finding) -> str:
    return f"{f.file}:{f.line}: {f.level.value} {f.code} {f.message}"


def _code(module: RuleModule) -> str:
    return module.RULE.code


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder: a baseline is named as a user names it, `baseline.json`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the registry ----------------------------------------------------------------------


def test_the_registry_lists_every_rule_of_the_model_once_in_order() -> None:
    assert [module.RULE for module in RULE_MODULES] == list(RULES)


def test_every_rule_module_is_registered_and_named_after_its_rule() -> None:
    files = sorted(p.name for p in RULES_DIR.glob("cc*.py"))
    names = [f"{r.code.lower()}_{r.name.replace('-', '_')}.py" for r in RULES]
    assert files == sorted(names)
    for module, name in zip(RULE_MODULES, names, strict=True):
        assert Path(module.__file__).name == name  # type: ignore[attr-defined]


# --- the documentation -----------------------------------------------------------------


@pytest.mark.parametrize("module", RULE_MODULES, ids=_code)
def test_the_docstring_is_the_documentation(module: RuleModule) -> None:
    rule, doc = module.RULE, documentation(module)
    assert doc.startswith(f"{rule.code} `{rule.name}` ({rule.level.value}): ")
    positions = [doc.find(section) for section in SECTIONS]
    assert -1 not in positions, rule.code
    assert positions == sorted(positions)  # meaning, why, what to do, data
    assert (
        doc.index("```yaml passing") < doc.index("```yaml failing") < doc.index("```text finding")
    )


# --- the examples ----------------------------------------------------------------------


@pytest.mark.parametrize("module", RULE_MODULES, ids=_code)
def test_the_failing_example_makes_exactly_the_documented_findings(
    module: RuleModule, here: Path
) -> None:
    shown = examples(module)
    result = _analyze(shown.failing, shown.baseline, here)
    assert [_listed(f) for f in result.findings] == shown.findings
    assert {f.code for f in result.findings} == {module.RULE.code}


@pytest.mark.parametrize("module", RULE_MODULES, ids=_code)
def test_the_passing_example_makes_no_finding(module: RuleModule, here: Path) -> None:
    shown = examples(module)
    result = _analyze(shown.passing, shown.baseline, here)
    assert [_listed(f) for f in result.findings] == []


def test_a_shown_baseline_is_what_write_baseline_writes_for_the_passing_example() -> None:
    with_baseline = [examples(m) for m in RULE_MODULES if examples(m).baseline is not None]
    assert with_baseline  # CC205's
    for shown in with_baseline:
        result = clientchain.analyze(clientchain.loads(shown.passing, source="org.yaml"))
        assert baseline_text(result.findings)[0] == shown.baseline


# --- the findings' data ----------------------------------------------------------------


def _documented_data(module: RuleModule) -> list[str]:
    """The keys the docstring's Data paragraph names (in backticks), in order."""
    doc = documentation(module)
    paragraph = doc[doc.index("**Data.**") :].split("\n\n")[0]
    return re.findall(r"`(\w+)`", paragraph)


def _template_pattern(rule: Rule) -> re.Pattern[str]:
    """The rule's template as a regex: each field a named group (repeats must agree)."""
    pattern, seen = "", set()
    for literal, name, _spec, _conversion in Formatter().parse(rule.template):
        pattern += re.escape(literal)
        if name:
            pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"
            seen.add(name)
    return re.compile(pattern)


@pytest.mark.parametrize("module", RULE_MODULES, ids=_code)
def test_each_finding_carries_the_documented_data_and_its_message_reads_it(
    module: RuleModule, here: Path
) -> None:
    shown = examples(module)
    rule = module.RULE
    for f in _analyze(shown.failing, shown.baseline, here).findings:
        data = dict(f.data)
        assert list(data) == _documented_data(module)
        assert all(value is None or isinstance(value, str | int | float) for value in data.values())
        match = _template_pattern(rule).fullmatch(f.message)
        assert match is not None, (rule.template, f.message)
        for name, text in match.groupdict().items():
            if name not in data:  # wording (the plural s), or a subject put into words
                continue
            value = data[name]
            if isinstance(value, str):  # ids and codes read as themselves
                assert text == value, (name, text)
            else:  # numbers as people read them: thousands separators, a currency after
                assert float(text.split(" ")[0].replace(",", "")) == value, (name, text)


@pytest.mark.parametrize("module", RULE_MODULES, ids=_code)
def test_the_json_document_gives_the_data_as_the_schema_describes_it(
    module: RuleModule, here: Path
) -> None:
    shown = examples(module)
    result = _analyze(shown.failing, shown.baseline, here)
    streamed = render_json(result)
    assert streamed == orjson.dumps(json_document(result), option=orjson.OPT_INDENT_2) + b"\n"
    doc: dict[str, Any] = json.loads(streamed)
    assert [e.message for e in OUTPUT_VALIDATOR.iter_errors(doc)] == []
    shape = OUTPUT["$defs"][f"{module.RULE.code.lower()}Data"]
    for finding in doc["findings"]:
        assert list(finding["data"]) == shape["required"] == list(shape["properties"])


def test_a_data_key_has_one_kind_in_every_rule_that_has_it() -> None:
    """So a tool can read `data.boss` or `data.limit` without asking which rule it is:
    text or number, nullable or not (an integer is a number)."""
    kinds: dict[str, set[tuple[str, bool]]] = {}
    for rule in RULES:
        for key, prop in OUTPUT["$defs"][f"{rule.code.lower()}Data"]["properties"].items():
            types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
            kind = "string" if "string" in types else "number"
            kinds.setdefault(key, set()).add((kind, "null" in types))
    assert {key: k for key, k in kinds.items() if len(k) > 1} == {}
