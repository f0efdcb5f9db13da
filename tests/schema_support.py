"""What the schema tests share: the shipped schemas, validators, and YAML as an editor sees it.

An editor (yaml-language-server) checks an org chart against the schema after reading it
with YAML 1.2's core schema: plain scalars become nulls, booleans and numbers, quoted ones
stay text. `editor_view` reads YAML that way, so the tests see what an editor sees. Not
`yaml.safe_load`: that is YAML 1.1, which turns `no` into False and `0755` into 493 and
makes dates out of ids (clientchain keeps all of those literal).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from clientchain.schemas import SCHEMA_FILES

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "src" / "clientchain" / "schemas"
BAD = Path(__file__).resolve().parent / "bad"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def shipped_schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SHIPPED / SCHEMA_FILES[name]).read_text("utf-8"))
    return loaded


ORG = shipped_schema("org")
OUTPUT = shipped_schema("output")
ORG_VALIDATOR = Draft202012Validator(ORG)
OUTPUT_VALIDATOR = Draft202012Validator(OUTPUT)


def part_validator(schema: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for one of the schema's $defs (a flows file is an org chart's flow list)."""
    return Draft202012Validator(
        {"$schema": DRAFT, "$defs": schema["$defs"], "$ref": f"#/$defs/{name}"}
    )


FLOWS_VALIDATOR = part_validator(ORG, "flowList")
FLOW_VALIDATOR = part_validator(ORG, "flow")


# --- YAML as an editor sees it -------------------------------------------------------

_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {word: word[0] in "tT" for word in ("true", "True", "TRUE", "false", "False", "FALSE")}
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


def resolve(root: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with a local $ref's target merged under its own keywords."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    target = root["$defs"][ref.removeprefix("#/$defs/")]
    return {**resolve(root, target), **{k: v for k, v in schema.items() if k != "$ref"}}


def mapping(data: object) -> dict[str, Any]:
    assert isinstance(data, dict)
    return data
