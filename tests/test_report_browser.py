"""The HTML report in a real browser: headless Chromium (Debian's), driven by Playwright.

Each page is opened from a file:// URL and must load with no console message at
error or warning level (a broken Content-Security-Policy hash shows up there), no
script error, no dialog and no request beyond the file itself. Screenshots go to
$CLIENTCHAIN_ARTEFACTS (or a temporary folder); with CLIENTCHAIN_UPDATE_GOLDEN=1 the
dealership's also becomes the README's docs/report-dealership.png.

Skips, saying why, only when no Chromium can be found: set CLIENTCHAIN_CHROMIUM to a
Chromium binary, or install Debian's `chromium` package (.ci/run does, as root).
Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import clientchain
from clientchain.analyses.chain import Hop, trace_chain
from clientchain.model.rounding import format_amount
from clientchain.render.report.data import CHAIN_MAX_DEPTH, CHAIN_MAX_NODES
from clientchain.render.report.html import render_html
from tests.conftest import EXAMPLES, Run
from tests.test_report import HOSTILE, _hostile_org

pytestmark = pytest.mark.slow  # a real browser, ~1 s a page

ORGS = sorted(EXAMPLES.glob("*/org.yaml"))
ROOT = Path(__file__).resolve().parent.parent
UPDATE = os.environ.get("CLIENTCHAIN_UPDATE_GOLDEN") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 900}


def chromium_path() -> str | None:
    named = os.environ.get("CLIENTCHAIN_CHROMIUM")
    if named:
        return named
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    path = chromium_path()
    if path is None:
        pytest.skip(
            "no Chromium found: install Debian's chromium package (apt-get install chromium)"
            " or set CLIENTCHAIN_CHROMIUM to a Chromium binary"
        )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    named = os.environ.get("CLIENTCHAIN_ARTEFACTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("report-artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"report screenshots: {folder}")
    return folder


@dataclass
class Opened:
    page: Any
    problems: list[str] = field(default_factory=list)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def tree_ids(self) -> list[str]:
        return self.js("() => [...document.querySelectorAll('#tree .row[data-role]')]"
                       ".map(r => r.dataset.role)")  # fmt: skip

    def row_name(self, role: str) -> Any:
        """The name in the tree row of `role` (found by data, not by a CSS selector)."""
        index = self.tree_ids().index(role)
        return self.page.locator("#tree .row[data-role] .name").nth(index)


def open_report(browser: Any, page_file: Path) -> Opened:
    page = browser.new_page(viewport=VIEWPORT)
    opened = Opened(page)
    url = page_file.resolve().as_uri()

    def on_console(message: Any) -> None:
        if message.type in ("error", "warning"):
            opened.problems.append(f"console {message.type}: {message.text}")

    def on_dialog(dialog: Any) -> None:
        opened.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: opened.problems.append(f"page error: {error}"))
    page.on("dialog", on_dialog)
    page.on(
        "request",
        lambda request: (
            None if request.url == url else opened.problems.append(f"request: {request.url}")
        ),
    )
    page.goto(url)
    page.wait_for_selector("body[data-ready]", timeout=30_000)
    return opened


def _report(run: Callable[..., Run], org: Path, target: Path, *options: str) -> Path:
    result = run("report", str(org), "-o", str(target), *options)
    assert result.exit_code == 0, result.stderr
    return target


def _chain_preorder(root: Hop) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    stack = [root]
    while stack:
        hop = stack.pop()
        out.append((hop.node, hop.stop.value))
        stack.extend(reversed(hop.payers))
    return out


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_each_example_renders_with_every_role_and_its_inversions(
    browser: Any, run: Callable[..., Run], org: Path, tmp_path: Path, artefacts: Path
) -> None:
    page_file = _report(run, org, tmp_path / "report.html")
    analysis = clientchain.analyze(clientchain.load(org, flows=[]))
    loaded = analysis.org
    opened = open_report(browser, page_file)
    try:
        assert opened.problems == []
        ids = list(loaded.role_ids)
        opened.page.click("#expand-all")  # large organisations open at the top levels only
        tree = opened.tree_ids()
        assert sorted(tree) == sorted(ids)  # every role, once
        # and their tables page: show every row
        opened.js("() => document.querySelectorAll('button').forEach("
                  "b => b.textContent === 'Show all' && b.click())")  # fmt: skip
        table = opened.js("() => [...document.querySelectorAll('#roles-table tbody tr')]"
                          ".map(r => r.dataset.role)")  # fmt: skip
        assert table == ids  # file order
        assert opened.js("() => document.querySelectorAll('.row.inverted').length") == len(
            {inv.subordinate for inv in analysis.inversions}
        )
        for inv in analysis.inversions:
            badges = opened.js(
                "(id) => [...document.querySelectorAll('#tree .row[data-role]')]"
                ".filter(r => r.dataset.role === id && r.classList.contains('inverted'))"
                ".flatMap(r => [...r.querySelectorAll('.badge.inv')])"
                ".map(b => [b.dataset.net, b.textContent])",
                inv.subordinate,
            )
            amount = format_amount(inv.net, loaded.amount_decimals)
            assert any(
                float(net) == inv.net and amount in text and "\u26a0" in text
                for net, text in badges
            ), (inv, badges)
        # A click on a role shows its panel: provenance and the money chain of `chain`.
        traced = [r for r in analysis.roles if r.provenance and r.reports_to is not None]
        role = traced[-1]
        opened.row_name(role.id).click()
        assert opened.js("() => document.getElementById('panel').dataset.role") == role.id
        provenance = opened.page.locator("#provenance").inner_text()
        for share in role.provenance:
            assert share.client in provenance
            assert f"{share.share * 100:.1f}%" in provenance
        chain = opened.js("() => [...document.querySelectorAll('#chain .chain-line')]"
                          ".map(l => [Number(l.dataset.node), l.dataset.stop || ''])")  # fmt: skip
        tree_of_hand_overs = trace_chain(
            loaded,
            analysis.graph,
            loaded.role_index[role.id],
            max_depth=CHAIN_MAX_DEPTH,
            max_nodes=CHAIN_MAX_NODES,
        )
        assert [tuple(x) for x in chain] == _chain_preorder(tree_of_hand_overs)
        opened.page.screenshot(path=str(artefacts / f"report-{org.parent.name}.png"))
        assert opened.problems == []
    finally:
        opened.page.close()


def test_the_dealership_screenshot_shows_the_inversion(
    browser: Any, run: Callable[..., Run], tmp_path: Path, artefacts: Path
) -> None:
    page_file = _report(run, EXAMPLES / "dealership" / "org.yaml", tmp_path / "r.html")
    opened = open_report(browser, page_file)
    try:
        # The page opens on the first inversion: the accountant, whose boss pays it.
        assert opened.js("() => document.getElementById('panel').dataset.role") == "accountant"
        alert = opened.page.locator("#panel .inverted-alert").inner_text()
        assert "300,000 UAH" in alert
        badge = opened.page.locator("#tree .row.inverted .badge.inv")
        assert badge.count() == 1
        colour = badge.evaluate("b => getComputedStyle(b).backgroundColor")
        assert colour == "rgb(200, 30, 30)"  # red, and labelled with a symbol and words
        shot = artefacts / "report-dealership-readme.png"
        opened.page.screenshot(path=str(shot))
        if UPDATE:
            shutil.copyfile(shot, ROOT / "docs" / "report-dealership.png")
        assert opened.problems == []
    finally:
        opened.page.close()


def test_printing_expands_everything_without_the_panel(
    browser: Any, run: Callable[..., Run], tmp_path: Path, artefacts: Path
) -> None:
    page_file = _report(run, EXAMPLES / "back-office" / "org.yaml", tmp_path / "r.html")
    opened = open_report(browser, page_file)
    try:
        opened.page.locator("#collapse-all").click()
        assert len(opened.tree_ids()) == 1
        opened.page.emulate_media(media="print")
        opened.js("() => window.dispatchEvent(new Event('beforeprint'))")
        assert len(opened.tree_ids()) == 12
        assert opened.js("() => getComputedStyle(document.getElementById('panel')).display") == (
            "none"
        )
        assert opened.js("() => getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
        opened.page.pdf(path=str(artefacts / "report-back-office.pdf"))
        assert opened.problems == []
    finally:
        opened.page.close()


def test_hostile_ids_and_titles_show_literally_and_run_nothing(
    browser: Any, write: Callable[[str, str], Path], tmp_path: Path, artefacts: Path
) -> None:
    analysis = clientchain.analyze(clientchain.load(_hostile_org(write), flows=[]))
    page_file = tmp_path / "hostile.html"
    page_file.write_text(render_html(analysis), encoding="utf-8")
    opened = open_report(browser, page_file)
    try:
        for row in opened.page.locator("#tree .row").all():
            row.hover()  # an injected onmouseover would fire here
        opened.row_name(HOSTILE[2]).click()
        text = opened.js("() => document.body.innerText")
        for hostile in (HOSTILE[0], HOSTILE[1].strip('"'), "Ünïcødé", "<b>€</b>"):
            assert hostile in text
        assert opened.js("() => document.querySelectorAll('img, iframe, b, object').length") == 0
        assert opened.js("() => document.scripts.length") == 2
        assert opened.js("() => document.title").startswith(HOSTILE[0])
        opened.page.screenshot(path=str(artefacts / "report-hostile.png"))
        assert opened.problems == []
    finally:
        opened.page.close()


def test_a_capped_report_says_it_shows_only_the_top(
    browser: Any, run: Callable[..., Run], tmp_path: Path
) -> None:
    org = EXAMPLES / "dealership" / "org.yaml"
    page_file = _report(run, org, tmp_path / "r.html", "--max-roles", "4")
    opened = open_report(browser, page_file)
    try:
        notice = opened.page.locator("#notice")
        assert notice.is_visible()
        assert notice.inner_text().startswith("Showing the top 4 of 9 roles")
        assert sorted(opened.tree_ids()) == [
            "director",
            "owner",
            "sales-manager",
            "service-manager",
        ]
        assert (
            "\u26a0 1 inversion below, not in this report"
            in opened.page.locator("#tree").inner_text()
        )
        assert opened.problems == []
    finally:
        opened.page.close()


def test_an_organisation_without_roles_still_opens(
    browser: Any, write: Callable[[str, str], Path], tmp_path: Path
) -> None:
    analysis = clientchain.analyze(clientchain.load(write("org.yaml", "roles: []\n"), flows=[]))
    page_file = tmp_path / "empty.html"
    page_file.write_text(render_html(analysis), encoding="utf-8")
    opened = open_report(browser, page_file)
    try:
        assert opened.tree_ids() == []
        opened.page.locator("#findings summary").click()  # the details, closed at first
        assert "No findings." in opened.page.locator("#findings").inner_text()
        assert opened.problems == []
    finally:
        opened.page.close()


@pytest.fixture(scope="module")
def big_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("org10k")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "10000", str(folder)],
        check=True,
        capture_output=True,
    )
    return folder / "org.yaml"


def test_ten_thousand_roles_load_lazily_and_search_reveals_a_deep_role(
    browser: Any, run: Callable[..., Run], big_org: Path, tmp_path: Path, artefacts: Path
) -> None:
    page_file = _report(run, big_org, tmp_path / "r.html")
    analysis = clientchain.analyze(clientchain.load(big_org, flows=[]))
    depth = analysis.forest.depth
    deep = analysis.org.role_ids[int(depth.argmax())]
    assert int(depth.max()) > 5
    opened = open_report(browser, page_file)
    try:
        assert opened.problems == []
        shown = opened.tree_ids()
        assert 0 < len(shown) < 2_000  # collapsed below depth 2: rendered on demand
        assert deep not in shown
        opened.page.locator("#search").fill(deep)
        opened.page.locator("#search").press("Enter")
        assert opened.js("() => document.getElementById('panel').dataset.role") == deep
        row = opened.row_name(deep)
        assert row.is_visible()
        assert row.bounding_box() is not None
        opened.page.screenshot(path=str(artefacts / "report-10k-search.png"))
        opened.page.locator("#expand-all").click()
        assert len(opened.tree_ids()) == analysis.org.role_count
        assert opened.problems == []
    finally:
        opened.page.close()


# --- the room: two widths, every example and the 2,000-role org ----------------------

WIDTHS = (1280, 1920)

# Every card and badge, and every tree row and table wrapper: the elements whose text
# must never run past their own box or their container's (a cut figure, a clipped badge).
OVERFLOW = """() => {
  const out = [];
  const name = (e) =>
    (e.id ? "#" + e.id : e.className || e.tagName) + ": " + e.textContent.slice(0, 60);
  const boxes = document.querySelectorAll(".figure, .figure .value, .badge, .chip, #tree .row,"
    + " #tree .row .name, .tablewrap, #summary, #top-inversions");
  for (const e of boxes) {
    if (e.scrollWidth > e.clientWidth + 1) out.push("scrolls: " + name(e));
  }
  const within = (inner, outer) => {
    const a = inner.getBoundingClientRect();
    const b = outer.getBoundingClientRect();
    return a.left >= b.left - 1 && a.right <= b.right + 1;
  };
  const tree = document.getElementById("tree");
  const parts = "#tree .row .badge, #tree .row .name, #tree .row .rid, #tree .row .tag";
  for (const e of document.querySelectorAll(parts)) {
    if (!within(e, e.closest(".row")) || !within(e, tree)) out.push("outside its row: " + name(e));
  }
  for (const e of document.querySelectorAll(".figure .value, .figure .hint")) {
    if (!within(e, e.closest(".figure"))) out.push("outside its card: " + name(e));
  }
  if (tree && tree.scrollWidth > tree.clientWidth + 1) out.push("the tree scrolls sideways");
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth + 1) out.push("the page scrolls sideways");
  return out;
}"""


@pytest.fixture(scope="module")
def room_orgs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tests.big_org import write_big_org

    orgs = {org.parent.name: org for org in ORGS}
    orgs["2000-roles"] = write_big_org(tmp_path_factory.mktemp("big") / "org")
    return orgs


def _titles_shown(opened: Opened, analysis: Any) -> None:
    """Titles first, ids small after them: in the summary, the top inversions, the panel."""
    org = analysis.org
    titled = {rid: t for rid, t in zip(org.role_ids, org.role_titles, strict=True) if t}
    labels = opened.js(
        "() => [...document.querySelectorAll('#summary .label-of, #top-inversions .label-of,"
        " #panel .label-of')].map(l => [...l.children].map(c => [c.className, c.textContent]))"
    )
    assert labels
    for parts in labels:
        if len(parts) == 2:  # a title, then its id
            (first_class, title), (second_class, rid) = parts
            assert first_class == "title-of" and "rid" in second_class
            assert titled.get(rid, title) == title or rid in analysis.org.client_ids
    if analysis.inversions:
        first = analysis.inversions[0]
        row = opened.page.locator("#top-inversions-table tbody tr").first.inner_text()
        for rid in (first.boss, first.subordinate):
            assert (titled.get(rid) or rid) in row
        # "Pays its subordinate" names the title, the id small after it.
        alert = opened.js(
            "(id) => { const v = [...document.querySelectorAll('#tree .row[data-role]')]"
            ".find(r => r.dataset.role === id); return v ? v.dataset.node : null; }",
            first.boss,
        )
        if alert is not None:
            opened.row_name(first.boss).click()
            text = opened.page.locator("#panel").inner_text()
            assert (
                f"Pays its subordinate {titled.get(first.subordinate) or first.subordinate}" in text
            )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [*(o.parent.name for o in ORGS), "2000-roles"])
def test_the_report_fits_the_room_at_each_width(
    browser: Any,
    run: Callable[..., Run],
    room_orgs: dict[str, Path],
    name: str,
    width: int,
    tmp_path: Path,
    artefacts: Path,
) -> None:
    org = room_orgs[name]
    page_file = _report(run, org, tmp_path / "r.html")
    analysis = clientchain.analyze(clientchain.load(org, flows=[]))
    opened = open_report(browser, page_file)
    opened.page.set_viewport_size({"width": width, "height": 1000})
    try:
        assert opened.problems == []
        summary = opened.page.locator("#summary")
        assert summary.is_visible()
        sentences = summary.locator("li")
        assert sentences.count() >= 4
        # The executive view shows no rule code and no file:line; the details do.
        executive = opened.js(
            "() => [...document.querySelectorAll('#figures, #summary, #top-inversions, #tree')]"
            ".map(e => e.innerText).join('\\n')"
        )
        assert not re.search(r"\bCC\d{3}\b", executive)
        assert not re.search(r"org\.yaml:\d+", executive)
        assert opened.js("() => document.getElementById('findings').open") is False
        _titles_shown(opened, analysis)
        shot = artefacts / f"report-{name}-{width}.png"
        opened.page.screenshot(path=str(shot), full_page=False)
        assert opened.js(OVERFLOW) == []
        opened.page.click("#expand-all")  # every row, every badge
        assert len(opened.tree_ids()) == analysis.org.role_count
        assert opened.js(OVERFLOW) == []
        opened.page.locator("#tree").screenshot(
            path=str(artefacts / f"report-{name}-{width}-tree.png")
        )
        assert opened.problems == []
    finally:
        opened.page.close()


def test_the_cards_show_short_figures_with_the_full_value_on_hover(
    browser: Any, run: Callable[..., Run], tmp_path: Path
) -> None:
    page_file = _report(run, EXAMPLES / "dealership" / "org.yaml", tmp_path / "r.html")
    opened = open_report(browser, page_file)
    try:
        cards = opened.js(
            "() => [...document.querySelectorAll('.figure')].map(f => [f.querySelector('.label')"
            ".textContent, f.querySelector('.value').textContent, f.querySelector('.value').title])"
        )
        money = next(c for c in cards if c[0] == "Money in from clients")
        assert money == ["Money in from clients", "13.8MUAH", "13,800,000 UAH"]
        assert "13,800,000 UAH" in opened.page.locator("#figures").inner_text()
        amount = opened.page.locator("#summary .amount").first
        assert (amount.inner_text(), amount.get_attribute("title")) == (
            "13.8M UAH",
            "13,800,000 UAH",
        )
        assert opened.problems == []
    finally:
        opened.page.close()


def test_the_print_layout_fits_a4_landscape(
    browser: Any,
    run: Callable[..., Run],
    room_orgs: dict[str, Path],
    tmp_path: Path,
    artefacts: Path,
) -> None:
    for name in ("dealership", "2000-roles"):
        page_file = _report(run, room_orgs[name], tmp_path / f"{name}.html")
        opened = open_report(browser, page_file)
        try:
            # A4 landscape less 10 mm margins: 277 mm = 1047 CSS pixels.
            opened.page.set_viewport_size({"width": 1047, "height": 740})
            opened.page.emulate_media(media="print")
            opened.js("() => window.dispatchEvent(new Event('beforeprint'))")
            assert opened.js("() => [...document.querySelectorAll('details')].every(d => d.open)")
            clipped = opened.js(
                "() => [...document.querySelectorAll('table')].filter(t =>"
                " t.getBoundingClientRect().right > document.documentElement.clientWidth + 1"
                " || t.parentElement.scrollWidth > t.parentElement.clientWidth + 1).map(t => t.id)"
            )
            assert clipped == []
            assert opened.js(OVERFLOW) == []
            pdf = artefacts / f"report-{name}-a4.pdf"
            opened.page.pdf(path=str(pdf), prefer_css_page_size=True)
            assert pdf.read_bytes().startswith(b"%PDF")
            assert opened.problems == []
        finally:
            opened.page.close()


def test_large_amounts_show_their_digits_not_the_floats(
    browser: Any, run: Callable[..., Run], tmp_path: Path
) -> None:
    """At four decimal places (the chart's), amounts of 13 whole digits and more are
    written from their 15 significant digits, as the table and the JSON write them."""
    from tests.test_large_amounts import CHART, DOWN, GRANT, PAID, shown

    (tmp_path / "org.yaml").write_text(CHART, encoding="utf-8")
    opened = open_report(browser, _report(run, tmp_path / "org.yaml", tmp_path / "r.html"))
    try:
        page = opened.page.locator("body").inner_text()
        assert f"Money in from clients\n989T\n{shown(PAID, GRANT)}\n" in page
        # The inversion's net in its table and in the tree, as the page's script writes it.
        assert page.count(shown(DOWN)) >= 3
        assert "765.4297" not in page and "765.4300" not in page
        assert opened.problems == []
    finally:
        opened.page.close()
