"""The HTML report: one self-contained page (CSS, script and data inline; no network).

User text (ids, titles, messages) reaches the page only as JSON data, read by the
script and put into the DOM as text; the page's Content-Security-Policy allows no
network at all and only this page's own style and script (by their hashes).

No code point that `visible.HIDDEN` names (controls, bidi overrides and isolates, line
separators) is in the file raw: the JSON spells each one as a `\\uXXXX` escape, so the
page can be shown with `cat` or in a CI log. The page shows user text as
`clientchain.model.visible` does (assets/text.js is its JavaScript twin): every
hidden code point as an escape, long texts cut in the middle; the data stays exact.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from importlib import resources
from typing import Any

from clientchain.analyses.analyze import Analysis
from clientchain.model.visible import HIDDEN, clip
from clientchain.render.report.data import report_payload
from clientchain.render.report.defaults import DEFAULT_MAX_ROLES
from clientchain.version import __version__

# The script is these files in this order, inside one function scope.
SCRIPTS = ("text.js", "base.js", "tree.js", "panel.js", "tables.js", "clients.js", "main.js")
STYLES = ("report.css",)


def _json_escapes() -> dict[int, str]:
    """What `embed_json` writes as a `\\uXXXX` escape. In a <script> element's text,
    "</script" or "<!--" would end or change the element; the hidden code points would
    drive a terminal showing the file (U+2028/2029 are line ends in old JavaScript too).
    json.dumps already escapes C0 controls (some as `\\n`, `\\t`...); every hidden code
    point is in the Basic Multilingual Plane (tests/test_report_text.py checks them all)."""
    plane = "".join(map(chr, range(0x10000)))
    codes = [m.start() for m in HIDDEN.finditer(plane)] + [ord(char) for char in "<>&"]
    return {code: f"\\u{code:04x}" for code in codes}


_JSON_ESCAPES = _json_escapes()


def _asset(name: str) -> str:
    return (resources.files("clientchain.render.report") / "assets" / name).read_text("utf-8")


def script_text() -> str:
    body = "\n".join(_asset(name) for name in SCRIPTS)
    return f'(function () {{\n"use strict";\n{body}\n}})();\n'


def style_text() -> str:
    return "\n".join(_asset(name) for name in STYLES)


def embed_json(data: Any) -> str:
    """JSON that is safe as the text of a <script type="application/json"> element and
    carries no hidden code point raw (one pass over the text: str.translate)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_JSON_ESCAPES)


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(style: str, script: str) -> str:
    """No network of any kind; only this page's own inline style and script run."""
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {_hash(style)}",
            f"script-src {_hash(script)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="clientchain {version}">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<div class="page">
<header class="masthead" id="masthead"><h1>{title}</h1></header>
<p class="notice" id="notice" role="status" hidden></p>
<noscript><p class="notice">This report draws its tree and tables with JavaScript:
open it in a web browser (it needs no network).</p></noscript>
<section class="figures" id="figures" aria-label="Headline figures"></section>
<section class="summary" id="summary" aria-label="Executive summary"></section>
<section class="top-inversions" id="top-inversions" aria-label="The largest breaks"></section>
<section class="orgview" aria-label="Organisation">
<div class="leftcol">
<div class="treepane">
<div class="toolbar">
<h2>Organisation</h2>
<div class="search">
<input id="search" type="search" placeholder="Find a role: id, title or department"
 autocomplete="off" role="combobox" aria-expanded="false" aria-controls="results"
 aria-label="Find a role">
<ul class="results" id="results" role="listbox" hidden></ul>
</div>
<button type="button" id="show-inversions">Show inversions</button>
<button type="button" id="expand-all">Expand all</button>
<button type="button" id="collapse-all">Collapse all</button>
</div>
<div class="legend" aria-label="Legend">
<span class="scale">Alienation <span>0</span><span class="bar"></span><span>1</span></span>
<span>0 = paid directly by clients, 1 = no paying client in sight</span>
<span><span class="badge inv">\u26a0 inverted</span> boss is a net payer of the subordinate</span>
<span><span class="badge unfunded">\u2205 no paying client</span></span>
<span><span class="badge dotted">\u2508 dotted line</span> a second (matrix) boss</span>
<span class="people">\u00d7N people</span>
</div>
<div class="tree" id="tree" role="tree" aria-label="Org tree"></div>
</div>
<section class="inversions" id="inversions" aria-label="Inverted relationships"></section>
<section class="clients" id="clients" aria-label="Clients"></section>
<section class="structure" id="structure" aria-label="Spans and layers"></section>
</div>
<aside class="panel" id="panel" aria-live="polite">
<p class="empty">Click a role to see its clients, where its money comes from and its
money chain.</p>
</aside>
</section>
<section class="block" id="roles"><h2>Roles</h2><div id="roles-body"></div></section>
<details class="block detail" id="findings"><summary><h2>Details: findings, rule codes and
where they are in the file</h2></summary><div id="findings-body"></div></details>
<footer>Made with clientchain {version}. A client is whoever brings you money: each role's
alienation is how far it stands from the clients who pay (0 = paid by them directly,
1 = none of its money comes from a client); each hand-over keeps a share of {decay}.
</footer>
</div>
<script type="application/json" id="clientchain-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""


def render_html(
    analysis: Analysis, title: str | None = None, max_roles: int = DEFAULT_MAX_ROLES
) -> str:
    """The whole report as one HTML string (deterministic: the same input, the same bytes)."""
    payload = report_payload(analysis, title=title, max_roles=max_roles)
    style, script = style_text(), script_text()
    return _PAGE.format(
        csp=content_security_policy(style, script),
        version=html.escape(__version__),
        title=html.escape(clip(payload["title"])),  # what the script shows there too
        style=style,
        data=embed_json(payload),
        script=script,
        decay=f"{analysis.decay:g}",
    )
