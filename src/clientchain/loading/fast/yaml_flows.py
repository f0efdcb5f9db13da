"""Flow rows written as a YAML list of flat mappings (`- from: buyers`, `to: seller`,
`amount: 100`), in the org chart's `flows:` or a flows file, read from the flat
reader's columns.

SPEC lets an org chart carry its flows inline (one file a script dumps whole), or name
a YAML flows file. The list made the whole chart the precise reader's, 14 s at 100,000
roles against 0.8 with the same flows in a CSV; the file, 8.7 s. Here the rows are the
list's columns: ids matched as byte ranges, amounts read from the bytes. Rows are read
so only when every item has its `from`, `to` and a plain amount (digits and a decimal
point, in range, not quoted) and no key looks like a misspelt one; anything else (a
missing field, `1e3`, a quoted amount) is the precise reader's to read and word.
"""

from __future__ import annotations

import re

import numpy as np

from clientchain.loading import keys
from clientchain.loading.fast.byte_columns import null_spelled
from clientchain.loading.fast.flat_amounts import plain_amounts
from clientchain.loading.fast.flat_yaml import (
    Column,
    FlatList,
    NotFlatError,
    one_document,
    read_flat,
    with_lf,
)
from clientchain.loading.fast.json_document import read_json_document
from clientchain.loading.flow_table import REQUIRED
from clientchain.model.holder import value_class
from clientchain.model.org import FloatArray
from clientchain.model.texts import TextColumn

_KEY = b"_:\n"  # the key a flows file's list is read under
_JSON_KEY = b'{"_": '  # ... and a JSON list (on its first line: the lines stay the file's)
_JSON_LIST = re.compile(rb"[ \n]*\[")


@value_class
class YamlFlows:
    """A list of flows as the flat reader read it: the org chart's own (`file`: the org
    chart's name, as the precise reader names the table), or a flows file's (`data`:
    its bytes, for the precise reader should it be the one to read them)."""

    entries: FlatList
    file: str
    data: bytes | None = None


def is_json_list(data: bytes) -> bool:
    """The file is one flow sequence (its first byte but blanks is `[`), as JSON writes
    a list of flows."""
    return _JSON_LIST.match(data) is not None


def flows_file(data: bytes, shown: str) -> YamlFlows | None:
    """A YAML flows file (a list of flat mappings, UTF-8 without its BOM) as the flat
    reader reads it, or None for anything else. The flat reader reads a list under a
    key: the file is read under one more line (`_:`), its columns' lines one further on;
    a list in JSON (`[{"from": ...}, ...]`) is read by json_document as a mapping's
    (`{"_": [...]}`, the key before it on its first line)."""
    try:
        if is_json_list(data):  # read as the one list of a JSON mapping, on the same lines
            document = read_json_document(_JSON_KEY + one_document(with_lf(data)) + b"}")
        else:
            document = read_flat(_KEY + one_document(with_lf(data)), markers=False)
    except NotFlatError:
        return None
    entries = document.lists.get("_")
    if entries is None or len(document.lists) + len(document.scalars) + len(document.nulls) > 1:
        return None
    if any(column.lists is not None for column in entries.columns.values()):
        return None  # (a value written as a list: not text)
    return YamlFlows(entries, shown, data)


@value_class
class YamlRows:
    """The rows of a YamlFlows: where each names its payer and payee, its amount, the
    most decimal places of those, and its other keys' values (None where absent)."""

    payer: Column
    payee: Column
    amount: FloatArray
    decimals: int
    extra: dict[str, TextColumn]


def yaml_rows(table: YamlFlows) -> YamlRows | None:
    """The rows, or None where the precise reader is to read them (see the module)."""
    entries = table.entries
    columns = entries.columns
    every = [columns.get(name) for name in REQUIRED]
    if any(column is None or column.items.size != entries.count for column in every):
        return None  # (a row without one: the precise reader says which)
    payer, payee, amount = (column for column in every if column is not None)
    if any(np.any(null_spelled(c.buf, c.start, c.end) & ~c.written_quoted) for c in (payer, payee)):
        return None  # (null, ~ or nothing: a problem the precise reader words)
    others = [name for name in columns if name not in REQUIRED]
    # A key is never taken for one written beside it: with the three in every item, a
    # key near one of them (`amont`, `Amount`) is metadata to the precise reader too.
    if any(keys.FLOW.guess(name, REQUIRED) is not None for name in others):
        return None  # a misspelt key drops its row there, worded
    if amount.written_quoted.any():
        return None
    plain = plain_amounts(amount.buf, amount.start, amount.end)
    if plain is None:
        return None
    # Its other keys in the order the precise reader meets them: by their first line.
    others.sort(key=lambda name: int(columns[name].rows.min()))
    # (A null's spelling is such a value's text; packed: the document is not held.)
    extra = {name: columns[name].text_column(nulls=False).packed() for name in others}
    return YamlRows(payer, payee, *plain, extra)
