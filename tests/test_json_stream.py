"""The streamed JSON document is byte for byte what orjson makes of `json_document`.

`json_document` (plain dicts, one per role) is the reference; `write_json` and
`render_json` build the same text column by column, in chunks. Every test
compares whole documents, so any difference in a key, a number's form, an
escape or the indentation fails it.
"""

from __future__ import annotations

import io
import itertools
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientchain import analyze, load, loads
from clientchain.analyses.analyze import Analysis
from clientchain.model.findings import Money, Phrases
from clientchain.model.rounding import moneys, rounded_money_text
from clientchain.model.texts import TextColumn
from clientchain.render.analysis import json_stream
from clientchain.render.analysis.json_doc import json_document, render_json, write_json
from tests.conftest import EXAMPLES, bench_generator
from tests.oracle import OrgSpec
from tests.orgs import org_specs, render_yaml

ORGS = sorted(EXAMPLES.glob("*/org.yaml"))


class Recorder(io.BytesIO):
    """A binary stream that remembers the size of every write."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, data: object) -> int:
        assert isinstance(data, bytes)
        self.sizes.append(len(data))
        return super().write(data)


def reference(analysis: Analysis) -> bytes:
    return orjson.dumps(json_document(analysis), option=orjson.OPT_INDENT_2) + b"\n"


def streamed(analysis: Analysis, chunk: int = json_stream.DEFAULT_CHUNK) -> bytes:
    stream = Recorder()
    write_json(analysis, stream, chunk)
    return stream.getvalue()


def assert_same_document(analysis: Analysis, chunks: tuple[int, ...] = (1, 2, 3, 1000)) -> None:
    expected = reference(analysis)
    assert render_json(analysis) == expected
    for chunk in chunks:
        assert streamed(analysis, chunk) == expected, f"chunk={chunk}"


def analysed(text: str, top_clients: int = 5, decay: float = 0.5) -> Analysis:
    return analyze(
        loads(textwrap.dedent(text).lstrip("\n"), source="org.yaml"),
        decay=decay,
        top_clients=top_clients,
    )


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("top_clients", [0, 1, 5])
def test_shipped_examples(org: Path, top_clients: int) -> None:
    assert_same_document(analyze(load(org), top_clients=top_clients))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    org=org_specs(),
    top_clients=st.integers(0, 3),
    decay=st.sampled_from([0.1, 0.5, 0.9]),
    chunk=st.integers(1, 4),
)
def test_random_orgs(org: OrgSpec, top_clients: int, decay: float, chunk: int) -> None:
    analysis = analysed(render_yaml(org), top_clients, decay)
    assert streamed(analysis, chunk) == reference(analysis)


@pytest.mark.slow
def test_synthetic_ten_thousand_roles(tmp_path: Path) -> None:
    org_lines, flow_lines = bench_generator().generate(10_000)
    (tmp_path / "org.yaml").write_text("\n".join(org_lines) + "\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text("\n".join(flow_lines) + "\n", encoding="utf-8")
    analysis = analyze(load(tmp_path / "org.yaml"))
    assert analysis.inversions_raw.boss.size > 0  # the interesting parts are all there
    assert_same_document(analysis, chunks=(4096,))


def test_writes_in_chunks_never_the_whole_document() -> None:
    analysis = analyze(load(EXAMPLES / "agency" / "org.yaml"))
    stream = Recorder()
    write_json(analysis, stream, chunk=2)
    assert stream.getvalue() == reference(analysis)
    assert len(stream.sizes) > analysis.org.role_count // 2
    assert max(stream.sizes) < len(stream.getvalue()) // 2


def test_no_clients_no_flows() -> None:
    analysis = analysed(
        """
        roles:
          - id: a
          - id: b
            reports_to: a
        flows: []
        """
    )
    assert_same_document(analysis)


def test_no_roles() -> None:
    analysis = analysed(
        """
        org: Empty
        clients:
          - id: c
        roles: []
        """
    )
    assert analysis.org.role_count == 0
    assert_same_document(analysis)


def test_awkward_text_in_ids_titles_and_names() -> None:
    analysis = analysed(
        r"""
        org: "Quote \" backslash \\ tab \t nul \0 bell \a"
        currency: "€"
        clients:
          - id: "cl,ient \"1\""
            title: "line\nbreak"
          - id: "ünï\u2028cødé 😀"
        roles:
          - id: "boss \\ \"big\""
            title: "Ctrl \x01\x1f\x7f"
            department: "d,\"e\",p"
          - id: "sub\tone"
            reports_to: "boss \\ \"big\""
            title: "],[ \\u0000 \","
          - id: ","
            reports_to: "sub\tone"
          - id: "\0"
            department: "日本"
        flows:
          - {from: "cl,ient \"1\"", to: "sub\tone", amount: 100}
          - {from: "ünï\u2028cødé 😀", to: ",", amount: 50}
          - {from: "boss \\ \"big\"", to: "sub\tone", amount: 300}
          - {from: "sub\tone", to: "boss \\ \"big\"", amount: 20}
          - {from: ",", to: "\0", amount: 10}
        """
    )
    assert "\0" in analysis.org.role_ids  # the awkward text really got through
    assert analysis.inversions_raw.boss.size == 1
    assert_same_document(analysis)


def test_amounts_with_decimals_and_float_noise() -> None:
    analysis = analysed(
        """
        clients:
          - id: c
        roles:
          - id: a
          - id: b
            reports_to: a
        flows:
          - {from: c, to: b, amount: 0.1}
          - {from: c, to: b, amount: 0.2}
          - {from: c, to: a, amount: 1234.5}
          - {from: a, to: b, amount: 7.25}
          - {from: b, to: a, amount: 3}
        """
    )
    assert_same_document(analysis)


@pytest.mark.parametrize("amount", ["1e15", "999999999999999", "123456789012.345"])
@pytest.mark.parametrize("payers", [1, 9, 20])  # sums past 2**53 and 1e16 print as floats
def test_huge_amounts(amount: str, payers: int) -> None:
    lines = ["clients:", *[f"  - id: c{i}" for i in range(payers)]]
    lines += ["roles:", "  - id: a", "  - id: b", "    reports_to: a", "flows:"]
    lines += [f"  - {{from: c{i}, to: a, amount: {amount}}}" for i in range(payers)]
    lines += [f"  - {{from: a, to: b, amount: {amount}}}", "  - {from: c0, to: b, amount: 1.5}"]
    analysis = analysed("\n".join(lines) + "\n")
    assert_same_document(analysis)


@pytest.mark.parametrize("top_clients", [0, 1, 3, 40])
def test_roles_with_none_and_many_clients_and_shares(top_clients: int) -> None:
    clients = [f"c{i}" for i in range(30)]
    lines = ["clients:", *[f"  - id: {c}" for c in clients], "roles:", "  - id: hub"]
    lines += ["  - id: idle", "  - id: mid", "    reports_to: hub"]
    lines.append("flows:")
    for i, c in enumerate(clients):  # hub: 30 clients, equal amounts in pairs (ties by id)
        lines.append(f"  - {{from: {c}, to: hub, amount: {100 + i // 2}}}")
    lines += ["  - {from: hub, to: mid, amount: 500}", "  - {from: mid, to: hub, amount: 5}"]
    analysis = analysed("\n".join(lines) + "\n", top_clients=top_clients)
    counts = np.diff(analysis.client_indptr)
    assert counts.min() == 0 and counts.max() == 30
    assert_same_document(analysis)


@pytest.mark.slow
def test_json_string_encoder_matches_orjson_for_every_code_point() -> None:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    encoded = json_stream.strings(chars)
    # Compared a block at a time: orjson.dumps of the million code points into one list
    # took 14-20 s here, a block at a time ~2 s.
    for lo in range(0, len(chars), 1 << 16):
        block = chars[lo : lo + (1 << 16)]
        assert encoded[lo : lo + (1 << 16)] == [orjson.dumps(c) for c in block]
    assert json_stream.strings([*chars[:3], None], b"k") == [
        *(b"k" + orjson.dumps(c) for c in chars[:3]),
        b"knull",
    ]


def test_plain_numbers_of_mixed_columns() -> None:
    values = np.array([0.0, 3.0, 2.5, 1e15, 2.0**53, 9.5e15, 2e16, -4.0, 0.1 + 0.2, np.nan])
    expected = [
        orjson.dumps(int(v) if v.is_integer() and abs(v) < 2**53 else v) for v in values.tolist()
    ]
    assert json_stream.plain_numbers(values) == expected
    assert json_stream.plain_numbers(values[:2]) == expected[:2]
    assert json_stream.plain_numbers(values[:0]) == []


def _texts(parts: list[json_stream.Part], count: int) -> list[bytes]:
    """One text per object out of the parts (as the findings' writer joins them)."""
    return json_stream.cut(json_stream.interleave(count, [json_stream.NUL, *parts]), b"")


@pytest.mark.parametrize("currency", [None, "EUR", 'a{b}"\\\n€'])
@pytest.mark.parametrize("decimals", [0, 2])
def test_amounts_in_messages_as_every_report_writes_them(
    currency: str | None, decimals: int
) -> None:
    whole = [0.0, 7.0, 999.0, 1000.0, 12345.0, 999999.0, 1e6, 1234567890.0, 123456789012345.0]
    whole += [-5.0, -1000.0, -98765432.0, 999999999999999.0]
    others = [0.5, 1e15, 2.5e17, 1234.25]
    for amounts in (whole, whole + others):
        rounded = moneys(np.array(amounts), decimals)
        expected = [
            orjson.dumps(rounded_money_text(a, decimals, currency))[1:-1] for a in rounded.tolist()
        ]
        parts = json_stream.money_parts(Money(rounded, decimals, currency))
        assert _texts(parts, len(amounts)) == expected


def test_findings_written_from_columns_with_awkward_ids_and_currency() -> None:
    # Budget-funded: every reporting line inverted (CC101 from columns), a role paid
    # by nobody (CC102 from columns) and a vacancy with a report (CC104 from objects)
    # in the same chunks; ids and the currency need escapes.
    ids = ['t"op', "mid\\dle", "lo\tw", "ünï😀", "va{c}ant", "le,af"]
    q = [orjson.dumps(i).decode() for i in ids]  # as YAML reads them
    lines = ['currency: "E{U}R \\"x\\""', "roles:", f"  - id: {q[0]}"]
    for boss, sub in itertools.pairwise(range(len(ids))):
        lines += [f"  - id: {q[sub]}", f"    reports_to: {q[boss]}"]
        if ids[sub] == "va{c}ant":
            lines.append("    headcount: 0")
    lines.append("flows:")
    for boss in range(3):
        amount = 1234567 * (boss + 1)
        lines.append(f"  - {{from: {q[boss]}, to: {q[boss + 1]}, amount: {amount}}}")
    analysis = analysed("\n".join(lines) + "\n")
    codes = {f.code for f in analysis.findings}
    assert {"CC101", "CC102", "CC104"} <= codes
    assert_same_document(analysis)


def test_paid_by_others_written_from_columns_with_awkward_ids() -> None:
    # CC105 names whom each role serves (clients and roles, ids that need escapes):
    # lists of one to seven names, so every wording of `whom` is in the same chunks.
    names = ['c"1', "r\\2", "c\t3", "cü😀4", "{r5}", "c,6", "r'7"]
    q = [orjson.dumps(n).decode() for n in names]
    lines = ["clients:", "  - id: funder", *(f"  - id: {n}" for n in q if "c" in n)]
    lines += ["roles:", "  - id: top", "  - {id: m, reports_to: top}"]
    lines += [f"  - {{id: {n}, reports_to: top}}" for n in q if "r" in n]
    for k in range(1, len(q) + 1):
        lines.append(f"  - {{id: s{k}, reports_to: top, serves: [{', '.join(q[-k:])}]}}")
    # The clients named pay top; the roles that serve them are paid with funder's money.
    lines += ["flows:", *(f"  - {{from: {n}, to: top, amount: 10}}" for n in q if "c" in n)]
    lines.append("  - {from: funder, to: m, amount: 100}")
    lines += [f"  - {{from: m, to: s{k}, amount: {k}}}" for k in range(1, len(q) + 1)]
    analysis = analysed("\n".join(lines) + "\n")
    paid_by_others = [f.message for f in analysis.findings if f.code == "CC105"]
    assert len(paid_by_others) == len(q)
    assert "'s7' serves 'c\"1', 'r\\2', 'c\t3' and 4 more, but" in "".join(paid_by_others)
    assert_same_document(analysis)


def test_fragmented_clients_written_from_columns() -> None:
    # CC106 with a lowest common boss and without one (null), awkward names, and more
    # than one chunk of findings: many customers, each across two departments.
    from tests.test_finding_rows import FRAGMENTED

    lines = FRAGMENTED.replace("  - id: solo", "\n".join(f"  - id: c{k}" for k in range(40)))
    lines += "".join(
        f"  - {{from: c{k}, to: {'audit' if k % 3 else 'sales'}, amount: 1}}\n"
        f"  - {{from: c{k}, to: billing, amount: 2}}\n"
        for k in range(40)
    )
    analysis = analysed(lines.replace("  - {from: solo, to: sales, amount: 1}\n", ""))
    fragmented = [f for f in analysis.findings if f.code == "CC106"]
    assert len(fragmented) == 42
    assert {f.data[2][1] for f in fragmented} == {"ceo", None}
    assert_same_document(analysis)  # in chunks of one to a thousand findings


@pytest.mark.parametrize(
    ("slots", "filled"),
    [(8, 1.25), (0, 1.25), (8, 1e9), (2, 1e9)],
    ids=["as-shipped", "always-cut", "always-slots", "mixed"],
)
def test_provenance_slot_by_slot_or_cut_per_role(
    monkeypatch: pytest.MonkeyPatch, slots: int, filled: float
) -> None:
    # Roles with 0 to 3 provenance entries in the same chunks: slots left empty for some.
    monkeypatch.setattr(json_stream, "SLOTS", slots)
    monkeypatch.setattr(json_stream, "SLOTS_FILLED", filled)
    clients = [f"c{i}" for i in range(6)]
    lines = ["clients:", *[f"  - id: {c}" for c in clients], "roles:", "  - id: r0"]
    lines += [f"  - id: r{i}\n    reports_to: r{(i - 1) // 2}" for i in range(1, 12)]
    lines.append("flows:")
    for i in range(12):
        for j in range(i % 4):  # r0: none, r1: one client, r2: two, r3: three, ...
            lines.append(f"  - {{from: {clients[(i + j) % 6]}, to: r{i}, amount: {10 + j}}}")
    analysis = analysed("\n".join(lines) + "\n", top_clients=3)
    counts = np.diff(analysis.provenance_raw.indptr)
    assert counts.min() == 0 and counts.max() == 3
    assert_same_document(analysis, chunks=(1, 2, 3, 5, 1000))


def test_columns_written_once_or_from_a_table_match_orjson() -> None:
    small = np.array([0, 1, 7, 1023, 0], dtype=np.int64)  # from the table of small ints
    larger = np.array([1024, -1, 5, 2**40], dtype=np.int64)  # dumped
    for values in (small, larger, small.astype(np.uint8)):
        expected = [b"k" + orjson.dumps(v) for v in values.tolist()]
        assert json_stream.numbers(values, b"k") == expected
    # One text for a column of equal values; 0.0 and -0.0 are not equal as text.
    assert json_stream.number_part(np.full(4, np.nan), b"k") == b"knull"
    assert json_stream.number_part(np.array([0.0, -0.0]), b"k") == [b"k0.0", b"k-0.0"]
    assert json_stream.plain_part(np.full(3, 5.0), b"k") == b"k5"
    assert json_stream.string_part(("a", "a"), b"k") == b'k"a"'
    assert json_stream.string_part((None, "a", None), b"k") == [b"knull", b'k"a"', b"knull"]
    table = json_stream.text_array([b"x", b"y"])
    assert json_stream.pick_part(table, np.array([1, 1])) == b"y"
    assert json_stream.pick_part(table, np.array([1, 0])) == [b"y", b"x"]


@given(st.data())
def test_phrases_are_each_findings_pieces_in_order(data: st.DataObject) -> None:
    """A text of ids and words is each finding's pieces, escaped as JSON, whatever
    piece its pointers start at (a column of some rows starts past the first)."""
    ids = data.draw(st.lists(st.text(max_size=4), min_size=1, max_size=5))
    words = data.draw(st.lists(st.text(max_size=4), min_size=1, max_size=3))
    piece = st.integers(-len(words), len(ids) - 1)  # n >= 0: node n; -1 - k: words[k]
    findings = data.draw(st.lists(st.lists(piece, max_size=4), min_size=1, max_size=5))
    lead = data.draw(st.lists(piece, max_size=3))  # pieces before the first finding's
    ptr = np.cumsum([len(lead)] + [len(f) for f in findings])
    flat = np.array(lead + [p for f in findings for p in f], dtype=np.int64)
    phrases = Phrases(ptr, flat, tuple(words))
    nodes = json_stream.text_array([orjson.dumps(i) for i in ids])
    written = json_stream.FindingTexts(nodes)._phrases(phrases)
    assert written == [orjson.dumps(phrases.text(ids, i))[1:-1] for i in range(len(findings))]


def _column(texts: Sequence[str | None], packed: bool) -> TextColumn:
    """A column of these texts (None: null) as the fast loader keeps one: ranges of a
    buffer with other bytes around them, or packed (each text ended by a line break)."""
    buf, start, end = bytearray(), [], []
    for text in texts:
        buf += b"key: " if not packed else b""
        start.append(len(buf))
        buf += (text or "").encode()
        end.append(len(buf))
        buf += b"\n"
    null = np.array([text is None for text in texts])
    array = np.frombuffer(bytes(buf), dtype=np.uint8)
    return TextColumn(array, np.array(start), np.array(end), null, packed=packed)


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["", "Head of Sales", "Directrice générale", "x"]),
            st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\n")),
        ),
        min_size=1,
        max_size=12,
    ),
    packed=st.booleans(),
    prefix=st.sampled_from([b"", json_stream.ROLE.key("title")]),
)
def test_texts_read_from_their_bytes_are_what_orjson_writes(
    texts: list[str | None], packed: bool, prefix: bytes
) -> None:
    column = _column(texts, packed)
    for lo, hi in ((0, len(texts)), (len(texts) - 1, len(texts)), (0, (len(texts) + 1) // 2)):
        expected = json_stream.string_part(texts[lo:hi], prefix)
        assert json_stream.column_part(column, lo, hi, prefix) == expected, (lo, hi)


def test_texts_that_need_no_escape_are_cut_from_the_bytes_not_decoded() -> None:
    texts = ["Head of Sales", "", "Directrice générale 日本 😀", "a/b\x7f", "Head of Sales"]
    column = _column(texts, packed=True)
    column.decode = None  # type: ignore[method-assign,assignment]  # decoding would fail
    assert json_stream.column_part(column, 0, 5, b"k") == json_stream.strings(texts, b"k")
    assert json_stream.column_part(column, 4, 5, b"k") == b'k"Head of Sales"'
