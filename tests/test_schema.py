"""`clientchain schema`: the shipped JSON Schema files, what they document, and the command.

How the schemas agree with the loader: test_schema_org.py; with real output:
test_schema_output.py.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from clientchain.cli.schema import SchemaName
from clientchain.loading.keys import CLIENT_KEYS, ROLE_KEYS
from clientchain.model.findings import RULES, About, Level
from clientchain.model.policy import FailOn, Ignore, Policy
from clientchain.schemas import SCHEMA_FILES
from tests.conftest import Run
from tests.schema_support import (
    DRAFT,
    ORG,
    OUTPUT,
    SHIPPED,
    editor_view,
    resolve,
    shipped_schema,
)


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


# --- the schemas themselves ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schema_is_a_valid_draft_2020_12_schema_with_a_stable_id(name: str) -> None:
    schema = shipped_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT
    assert schema["$id"] == f"urn:clientchain:schema:{name}:1"


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schema_file_is_pretty_json_ending_in_a_newline(name: str) -> None:
    text = (SHIPPED / SCHEMA_FILES[name]).read_text("utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def _properties(root: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every property declared anywhere in the schema."""
    places: list[tuple[str, dict[str, Any]]] = [("", root)]
    places += [(f"$defs/{name}", d) for name, d in root["$defs"].items()]
    for where, schema in places:
        for name, prop in schema.get("properties", {}).items():
            yield f"{where}/{name}", resolve(root, prop)


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
    assert result.stderr == (
        f"clientchain: -o {target}: the folder {target.parent} does not exist\n"
    )


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
