"""Org-chart text in the HTML report: never raw in the file, shown as the terminal shows it.

The page file spells every code point `visible.HIDDEN` names as a JSON escape (a page
shown with `cat` or in a CI log drives no terminal), and the data parses back exactly.
In the browser, text.js (the twin of model/visible.py) shows every hidden code point as
`\\x1b` / `\\u202e` and cuts long texts in the middle; the data attributes keep the exact
text. The browser tests reuse test_report_browser.py's Chromium and skip as it does.
"""

from __future__ import annotations

import html
import json
import random
import re
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import clientchain
from clientchain.model.visible import HIDDEN, LIMIT, clip, visible, visible_message
from clientchain.render.report.html import _PAGE, embed_json, render_html
from tests.conftest import EXAMPLES, Run
from tests.test_report import embed_json_section
from tests.test_report_browser import Opened, browser, open_report

__all__ = ["browser"]  # the Chromium fixture, shared with test_report_browser.py

# Every hostile thing at once: escape sequences (a cleared screen, colours, an OSC 8
# hyperlink), every C0 and C1 control and DEL, every bidi control, the Unicode line and
# paragraph separators, markup that would end the script element or run code, and
# Rich markup.
PIECES = (
    "\x1b[2J",
    "\x1b[31m",
    "\x1b]8;;https://example.invalid\x07click\x1b]8;;\x07",
    "".join(map(chr, range(0x20))) + "\x7f",
    "".join(map(chr, range(0x80, 0xA0))),
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069",
    "\u202eevil\u202c",
    "\u2028\u2029",
    "</script><script>alert(1)</script>",
    "<!--",
    "[/x][bold]",
    '<img src=x onerror="alert(document.domain)">',
)
HOSTILE = "".join(PIECES)
EVERY_HIDDEN = [chr(c) for c in range(sys.maxunicode + 1) if HIDDEN.match(chr(c))]
ROLES = ("owner", "manager", "seller", "clerk")
BOSSES = (None, 0, 1, 1)


def hostile(label: str) -> str:
    """A distinct text (labelled) holding every hostile piece."""
    return f"{label} {HOSTILE} {label}"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=True)


def write_hostile_org(folder: Path) -> Path:
    """Owner <- manager <- seller, clerk; a client pays the seller, money flows up and the
    owner pays the clerk (an inversion: a finding that quotes two ids). Every field, the
    flows' metadata and the file's name hold hostile text."""
    ids = [hostile(name) for name in ROLES]
    lines = [
        f"org: {_q(hostile('org'))}",
        f"currency: {_q(hostile('currency'))}",
        "clients:",
        f"  - id: {_q(hostile('buyers'))}",
        f"    title: {_q(hostile('buyers-title'))}",
        "roles:",
    ]
    for k, (role, boss) in enumerate(zip(ids, BOSSES, strict=True)):
        lines += [
            f"  - id: {_q(role)}",
            f"    title: {_q(hostile(f'title-{k}'))}",
            f"    department: {_q(hostile(f'department-{k}'))}",
            f"    note: {_q(hostile(f'note-{k}'))}",
        ]
        if boss is not None:
            lines.append(f"    reports_to: {_q(ids[boss])}")
    lines.append("flows:")
    flows = [(hostile("buyers"), ids[2], 1000), (ids[2], ids[1], 600)]
    flows += [(ids[1], ids[0], 400), (ids[0], ids[3], 150)]
    for payer, payee, amount in flows:
        kind = _q(hostile("kind"))
        lines.append(f"  - {{from: {_q(payer)}, to: {_q(payee)}, amount: {amount}, kind: {kind}}}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "org \x1b[2J\u202egpj.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _analysis(org: Path) -> clientchain.Analysis:
    return clientchain.analyze(clientchain.load(org, flows=[]))


def _raw_hidden(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in HIDDEN.findall(text)})


def _ordinary_page() -> str:
    return render_html(_analysis(EXAMPLES / "dealership" / "org.yaml"))


# --- the file ------------------------------------------------------------------------


def test_every_hidden_code_point_is_written_as_a_json_escape() -> None:
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    text = embed_json({"all": everything, everything: [everything]})
    assert _raw_hidden(text) == []
    assert json.loads(text) == {"all": everything, everything: [everything]}
    short = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}  # JSON's own
    for char in EVERY_HIDDEN:
        assert embed_json(char) == '"' + short.get(char, f"\\u{ord(char):04x}") + '"', ascii(char)
    for char in "<>&":
        assert embed_json(char) == f'"\\u{ord(char):04x}"'
    # Anything else is written as it is: ordinary text keeps its bytes.
    assert (
        embed_json("Ünïcødé 中文 😀 \u2026 \ufeff \u00a0")
        == '"Ünïcødé 中文 😀 \u2026 \ufeff \u00a0"'
    )


def test_a_hostile_org_leaves_no_hidden_code_point_raw_in_the_page(
    tmp_path: Path, run: Callable[..., Run]
) -> None:
    org = write_hostile_org(tmp_path / "in")
    target = tmp_path / "report.html"
    result = run("report", str(org), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    page = target.read_text(encoding="utf-8")
    payload = embed_json_section(page)
    assert _raw_hidden(payload) == []
    # The page's own line breaks are the only hidden code points in it: as many as in an
    # ordinary report (the title in the markup is shown as `clip` shows it).
    assert _raw_hidden(page) == ["U+000A"]
    assert page.count("\n") == _ordinary_page().count("\n")
    assert page.count("<script") == 2 and "<img" not in page and "<!--" not in page
    shown_title = html.escape(clip(hostile("org")))
    assert f"<title>{shown_title}</title>" in page and f"<h1>{shown_title}</h1>" in page

    data = json.loads(payload)
    ids = [hostile(name) for name in ROLES]
    assert data["title"] == data["org"] == hostile("org")
    assert data["currency"] == hostile("currency")
    assert data["source"] == org.name
    assert data["roles"]["id"] == ids
    assert data["roles"]["title"] == [hostile(f"title-{k}") for k in range(4)]
    assert data["roles"]["department"] == [hostile(f"department-{k}") for k in range(4)]
    assert data["clients"] == {"id": [hostile("buyers")], "title": [hostile("buyers-title")]}
    [finding] = data["findings"]
    assert (finding["boss"], finding["role"], finding["file"]) == (ids[0], ids[3], org.name)
    assert ids[0] in finding["message"] and ids[3] in finding["message"]


def test_a_one_megabyte_title_is_cut_in_the_markup_and_whole_in_the_data(
    write: Callable[[str, str], Path],
) -> None:
    title = "head " + "\u202e" + "x" * 1_000_000 + " tail"
    org = write("org.yaml", "roles: [{id: a}]\n")
    page = render_html(_analysis(org), title=title)
    shown = clip(title)
    assert len(shown) == LIMIT and shown.startswith("head \\u202exxx") and shown.endswith("x tail")
    assert page.count(html.escape(shown)) == 2  # <title> and <h1>
    assert json.loads(embed_json_section(page))["title"] == title
    assert _raw_hidden(page) == ["U+000A"]


def test_ordinary_markup_is_unchanged() -> None:
    """Outside the style, the script and their hashes, the page of an example is the
    template filled with escaped ordinary text, as it always was."""
    page = _ordinary_page()
    csp = re.search(r'content="(default-src[^"]*)"', page)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    assert csp and style and script
    data = json.loads(embed_json_section(page))
    assert page == _PAGE.format(
        csp=csp.group(1),
        version=html.escape(clientchain.__version__),
        title=html.escape(data["title"]),
        style=style.group(1),
        data=embed_json_section(page),
        script=script.group(1),
        decay=f"{data['decay']:g}",
    )
    assert embed_json_section(page) == json.dumps(
        data, ensure_ascii=False, separators=(",", ":")
    ).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- the JavaScript twin of visible.py ------------------------------------------------

TEXT_JS = (resources.files("clientchain.render.report") / "assets" / "text.js").read_text("utf-8")


def _twin(page: Any, cases: list[str]) -> list[list[str]]:
    """visible, clip (two limits), visibleMessage (two limits) of each case, in JavaScript."""
    script = (
        "(cases) => {\n" + TEXT_JS + "\nreturn cases.map((c) => [visible(c), clip(c), clip(c, 7),"
        " visibleMessage(c), visibleMessage(c, 50)]);\n}"
    )
    result: list[list[str]] = page.evaluate(script, cases)
    return result


def _python(text: str) -> list[str]:
    return [
        visible(text),
        clip(text),
        clip(text, 7),
        visible_message(text),
        visible_message(text, 50),
    ]


def _cases() -> list[str]:
    alphabet = [
        *"abcxyz-_.", *"     ", "\t", "\n", "\r", "\x0b", "\x1c", "\x1f", "\x85", "\xa0",
        "\u2000", "\u3000", "\ufeff", "\x00", "\x1b", "\x7f", "\x9b", "\u061c", "\u200e",
        "\u202e", "\u2028", "\u2066", "\u2069", "😀", "\U0001d4b3", "\u2026", "\\", "é", "中",
    ]  # fmt: skip
    rng = random.Random(20261202)
    cases = ["", "a", "plain text", "\u202e", "😀" * 60, "😀" * 120, "\x1b" * 30]
    cases += [c * n for c in ("a", "\x1b", "\u202e", "😀") for n in (24, 25, 99, 100, 101, 250)]
    for size in (3, 7, 8, 40, 99, 100, 101, 150, 199, 200, 201, 999, 1000, 1001, 1500, 4000):
        for _ in range(12):
            letters = rng.choice([alphabet, alphabet[:9], alphabet[:14]])
            cases.append("".join(rng.choice(letters) for _ in range(size)))
    words = ["w" * n for n in (1, 5, 50, 100, 101, 300)] + ["\x1b[2J" * 40, "\u202e" * 120]
    for _ in range(40):
        cases.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 60))))
    return cases


@pytest.fixture
def blank(browser: Any) -> Any:
    page = browser.new_page()
    yield page
    page.close()


@pytest.mark.slow  # the browser
def test_the_page_hides_exactly_what_visible_hides_and_spells_it_the_same(blank: Any) -> None:
    shown = blank.evaluate(
        "() => {\n" + TEXT_JS + "\nconst out = [];\n"
        "for (let c = 0; c <= 0x10ffff; c++) {\n"
        "  if (c >= 0xd800 && c <= 0xdfff) continue;\n"
        "  const s = String.fromCodePoint(c);\n"
        "  if (visible(s) !== s) out.push([c, visible(s)]);\n"
        "}\nreturn out;\n}"
    )
    assert [(c, text) for c, text in shown] == [(ord(ch), visible(ch)) for ch in EVERY_HIDDEN]


@pytest.mark.slow  # the browser
def test_the_page_cuts_and_escapes_text_exactly_as_visible_does(blank: Any) -> None:
    cases = _cases()
    got = _twin(blank, cases)
    for case, js in zip(cases, got, strict=True):
        assert js == _python(case), ascii(case)


@pytest.mark.slow  # the browser
def test_a_megabyte_is_cut_as_clip_cuts_it(blank: Any) -> None:
    cases = ["x" * 1_000_000, "ab\u202e😀 " * 250_000, "\x1b[2J" * 250_000]
    for case, js in zip(cases, _twin(blank, cases), strict=True):
        assert js[1:] == _python(case)[1:], ascii(case[:20])


# --- the page in a browser -------------------------------------------------------------

TEXT_NODES = """() => {
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  while (walk.nextNode()) {
    if (walk.currentNode.parentElement.closest("script")) continue;  // the data: tested above
    out.push(walk.currentNode.data);
  }
  return out;
}"""
ATTRIBUTES = """() => [...document.querySelectorAll("*")].flatMap((e) => [...e.attributes]
  .filter((a) => !a.name.startsWith("data-")).map((a) => [e.tagName, a.name, a.value]))"""


def _markup(page: str) -> str:
    """The page's own markup: the file without its data, style and script."""
    page = page.replace(embed_json_section(page), "")
    return re.sub(r"<(style|script)>.*?</\1>", "", page, flags=re.S)


def _check_nothing_raw(opened: Opened, page: str) -> None:
    """No text node, attribute (but data-*) or title holds a hidden code point, but the
    line breaks of the page's own markup."""
    markup = _markup(page)
    for text in opened.js(TEXT_NODES):
        if _raw_hidden(text):
            assert _raw_hidden(text) == ["U+000A"], ascii(text[:200])
            assert not text.strip() or text in markup, ascii(text[:200])
    for tag, name, value in opened.js(ATTRIBUTES):
        assert _raw_hidden(value) == [], (tag, name, ascii(value[:200]))
    assert _raw_hidden(opened.js("() => document.title")) == []


def _open(browser: Any, tmp_path: Path, analysis: clientchain.Analysis) -> tuple[Opened, str]:
    page = render_html(analysis)
    page_file = tmp_path / "report.html"
    page_file.write_text(page, encoding="utf-8")
    return open_report(browser, page_file), page


@pytest.mark.slow  # the browser
def test_hostile_text_is_shown_escaped_and_runs_nothing(browser: Any, tmp_path: Path) -> None:
    org = write_hostile_org(tmp_path / "in")
    analysis = _analysis(org)
    opened, page = _open(browser, tmp_path, analysis)
    ids = [hostile(name) for name in ROLES]
    try:
        assert sorted(opened.tree_ids()) == sorted(ids)  # the data attributes: exact
        for role in ids:
            opened.row_name(role).hover()
            opened.row_name(role).click()  # every panel: alerts, provenance, money chain
            assert opened.js("() => document.getElementById('panel').dataset.role") == role
            _check_nothing_raw(opened, page)
        # The findings (their messages quote whole ids) are in the details: open them all.
        opened.js("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        text = opened.js("() => document.body.innerText")
        for escaped in ("\\x1b[2J", "\\u202e", "\\x1b]8;;https://example.invalid\\x07click",
                        "\\x00\\x01", "\\x85", "\\u2028\\u2029", "\\x9f", "[/x][bold]",
                        "</script><script>alert(1)</script>", "<img src=x onerror="):  # fmt: skip
            assert escaped in text, escaped
        assert set(_raw_hidden(text)) <= {"U+0009", "U+000A"}  # innerText's own layout
        # Every field, shown as clip shows it (the names in the tree, the panel, the table).
        names = opened.js("() => [...document.querySelectorAll('#tree .row[data-role] .name')]"
                          ".map((n) => n.textContent)")  # fmt: skip
        assert sorted(names) == sorted(clip(hostile(f"title-{k}")) for k in range(4))
        shown_ids = opened.js("() => [...document.querySelectorAll('#tree .row .rid')]"
                              ".map((n) => [n.textContent, n.title])")  # fmt: skip
        assert sorted(shown_ids) == sorted([clip(i), visible(i)] for i in ids)  # cut: title
        masthead = opened.page.locator("#masthead").inner_text()
        assert clip(hostile("org")) in masthead and clip(hostile("currency")) in masthead
        assert clip(org.name) in masthead
        panel = opened.page.locator("#panel").inner_text()
        assert clip(hostile("buyers")) in panel and clip(hostile("buyers-title")) in panel
        assert clip(hostile("department-3")) in panel  # the last role clicked: the clerk
        [finding] = analysis.findings
        message = opened.js("() => document.querySelector('#findings-table tr.finding')"
                            ".children[3].textContent")  # fmt: skip
        assert message == visible_message(finding.message)
        assert (
            opened.js("() => document.title") == clip(hostile("org")) + " \u2014 clientchain report"
        )
        # The search finds a role by its exact text and by the escapes it is shown with.
        search = opened.page.locator("#search")
        for query in ("\u202eevil", "\\u202eevil", "title-2 \\x1b[2J"):
            search.fill(query)
            found = opened.js("() => document.querySelectorAll('#results [role=option]').length")
            assert found == (1 if "title-2" in query else 4), ascii(query)
        search.fill("")
        # Nothing ran: no element, no request, no dialog, no console message.
        assert opened.js("() => document.querySelectorAll('img, iframe, object, b').length") == 0
        assert opened.js("() => document.scripts.length") == 2
        _check_nothing_raw(opened, page)
        assert opened.problems == []
    finally:
        opened.page.close()


@pytest.mark.slow  # the browser
def test_a_one_megabyte_title_and_id_are_shown_cut_with_the_whole_text_as_title(
    browser: Any, write: Callable[[str, str], Path], tmp_path: Path
) -> None:
    title = "head \u202e " + "x" * 1_000_000 + " tail"
    long_id = "id-" + "y" * 1_000_000 + "-end\x1b[2J"
    org = write(
        "org.yaml",
        f"""
        clients: [{{id: buyers}}]
        roles:
          - {{id: boss, title: {_q(title)}}}
          - {{id: {_q(long_id)}, reports_to: boss}}
        flows:
          - {{from: buyers, to: {_q(long_id)}, amount: 10}}
          - {{from: boss, to: {_q(long_id)}, amount: 20}}
        """,
    )
    opened, page = _open(browser, tmp_path, _analysis(org))
    try:
        assert len(page) > 2_000_000 and title not in _markup(page)
        names = opened.js("() => [...document.querySelectorAll('#tree .row[data-role] .name')]"
                          ".map((n) => [n.textContent, n.title])")  # fmt: skip
        assert names == [[clip(title), visible(title)], [clip(long_id), visible(long_id)]]
        assert len(clip(title)) == LIMIT
        assert sorted(opened.tree_ids()) == sorted(["boss", long_id])  # exact
        opened.row_name("boss").click()
        heading = opened.page.locator("#panel h2")
        assert heading.text_content() == clip(title)
        assert heading.get_attribute("title") == visible(title)
        opened.row_name(long_id).click()
        assert opened.page.locator("#panel code").first.text_content() == clip(long_id)
        chain = opened.page.locator("#chain").inner_text()
        assert clip(long_id) in chain and long_id not in chain
        # No text on the page is longer than a shown field, but the whole texts in titles.
        texts = opened.js(TEXT_NODES)
        assert max(map(len, texts)) <= 1000
        _check_nothing_raw(opened, page)
        assert opened.problems == []
    finally:
        opened.page.close()
