// base.js: the embedded data, number formats, the alienation colours, DOM helpers and the
// headline figures. Every piece of user text reaches the page through textContent (el()),
// as text.js shows it (clip, visible, visibleMessage): never raw, never whole when long.

const DATA = JSON.parse(document.getElementById("clientchain-data").textContent);
const R = DATA.roles;
const N = DATA.shown_roles;
const C = DATA.clients.id.length;
const CUR = DATA.currency;
const CUR_SHOWN = CUR ? clip(CUR) : CUR;

// An amount as the JSON has it (15 significant digits at most, as rounding.py's
// amount_text writes it): the data's decimal places, fewer where those digits leave
// fewer, written from the digits (never the float's noise past them).
const SIGNIFICANT = 15;
const moneyFormats = new Map();  // decimal places -> their format
function moneyText(value) {
  const size = Math.abs(value);
  const whole = size >= 1 ? Math.floor(Math.log10(size)) + 1 : 1;
  if (!isFinite(value) || whole + DATA.decimals <= SIGNIFICANT) return placesFormat(DATA.decimals).format(value);
  // (A string is formatted as the decimal it spells where the browser can: not rounded
  // through the float again.)
  return placesFormat(Math.max(0, SIGNIFICANT - whole)).format(value.toPrecision(SIGNIFICANT));
}
function placesFormat(places) {
  let format = moneyFormats.get(places);
  if (!format) {
    format = new Intl.NumberFormat("en-US", { minimumFractionDigits: places, maximumFractionDigits: places });
    moneyFormats.set(places, format);
  }
  return format;
}
const countFormat = new Intl.NumberFormat("en-US");
// Headcounts are full-time equivalents (2.5): every decimal place the data has (at most 12).
const headsFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 12 });

function money(value) {
  const text = moneyText(value);
  return CUR ? text + " " + CUR_SHOWN : text;
}
function count(n) { return countFormat.format(n); }
function heads(n) { return headsFormat.format(n); }
function plural(n, noun) { return count(n) + " " + noun + (n === 1 ? "" : "s"); }
function people(n) { return n === 1 ? "1 person" : heads(n) + " people"; }
function ratio(value, digits) { return value === null ? "n/a" : value.toFixed(digits); }
function percent(value) { return (value * 100).toFixed(1) + "%"; }

// The same stops as --scale in report.css: blue (close to clients) to orange (alienated).
const STOPS = [
  [0.0, [31, 95, 168]],
  [0.25, [127, 176, 221]],
  [0.5, [230, 225, 211]],
  [0.75, [240, 160, 80]],
  [1.0, [168, 84, 0]],
];
function colour(value) {
  const v = Math.min(1, Math.max(0, value));
  let k = 1;
  while (k < STOPS.length - 1 && v > STOPS[k][0]) k++;
  const [a, ca] = STOPS[k - 1];
  const [b, cb] = STOPS[k];
  const t = (v - a) / (b - a);
  const rgb = ca.map((x, i) => Math.round(x + (cb[i] - x) * t));
  const light = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255;
  return { background: "rgb(" + rgb.join(",") + ")", ink: light > 0.6 ? "#111" : "#fff" };
}

// el("span", {class: "x", title: "..."}, child, "text", ...): text children become text nodes.
// {user: text}: one text from the org chart, shown as clip() shows it; when that cuts it,
// the whole text (escaped) is the element's title, unless it has a title of its own.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "user") {
        const shown = clip(value);
        node.textContent = shown;
        const whole = visible(value);
        if (whole !== shown && (attrs.title === undefined || attrs.title === null)) node.title = whole;
      } else node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function chip(value, digits) {
  const c = colour(value);
  const node = el("span", { class: "chip", title: "alienation " + ratio(value, 3) }, ratio(value, digits));
  node.style.background = c.background;
  node.style.color = c.ink;
  return node;
}

// Ids, names and the node numbering shared by the tree, the panel and the tables.
const indexOfRole = new Map(R.id.map((id, i) => [id, i]));
function nodeId(node) {
  if (node < N) return R.id[node];
  if (node < N + C) return DATA.clients.id[node - N];
  return DATA.hidden[node - N - C];
}
function roleName(i) { return R.title[i] || R.id[i]; }
// The title a reader knows a node by (null when it has none): roles outside the report too.
function nodeTitle(node) {
  if (node < N) return R.title[node];
  if (node < N + C) return DATA.clients.title[node - N];
  return DATA.hidden_title[node - N - C];
}
// A role or client as people read it: its title, the id small after it (the id alone
// when it has no title). `tag`: the element around both.
function label(title, id, tag = "span", attrs = null) {
  const box = el(tag, Object.assign({ class: "label-of" }, attrs || {}));
  if (title) box.append(el("span", { class: "title-of", user: title }), " ", el("span", { class: "rid mono", user: id }));
  else box.append(el("span", { class: "title-of", user: id }));
  return box;
}
function nodeLabel(node, tag, attrs) { return label(nodeTitle(node), nodeId(node), tag, attrs); }
// The same as one line of text (a tooltip, a badge): "Title (id)", or the id.
function nodeText(node) {
  const title = nodeTitle(node);
  return title ? clip(title) + " (" + clip(nodeId(node)) + ")" : clip(nodeId(node));
}
const invertedAt = new Map(); // subordinate -> its inversions
const invertedFrom = new Map(); // boss -> its inversions
for (const inv of DATA.inversions) {
  if (!invertedAt.has(inv.subordinate)) invertedAt.set(inv.subordinate, []);
  invertedAt.get(inv.subordinate).push(inv);
  if (!invertedFrom.has(inv.boss)) invertedFrom.set(inv.boss, []);
  invertedFrom.get(inv.boss).push(inv);
}

function renderMasthead() {
  document.title = clip(DATA.title) + " \u2014 clientchain report";
  const meta = [clip(DATA.source), "decay " + DATA.decay];
  if (DATA.org && DATA.org !== DATA.title) meta.unshift(clip(DATA.org));
  if (CUR) meta.push("amounts in " + CUR_SHOWN);
  document.getElementById("masthead").replaceChildren(
    el("h1", { user: DATA.title }),
    el("span", { class: "meta", text: meta.join(" \u00b7 ") }),
    el("span", { class: "brand", text: "clientchain report" }),
  );
  if (N < DATA.total_roles) {
    const notice = document.getElementById("notice");
    notice.textContent =
      "Showing the top " + count(N) + " of " + count(DATA.total_roles) +
      " roles (those nearest the top of the organisation). The headline figures cover all " +
      "roles; use clientchain analyze --format json for every role, or report --max-roles 0.";
    notice.hidden = false;
  }
}

// A headline card: the figure short (13.8M), the full value on hover and in the hint.
function figure(name, value, unit, hint, kind, full) {
  const whole = full && full !== value ? full + (unit ? " " + unit : "") : null;
  const box = el("div", { class: "figure" + (kind ? " " + kind : "") },
    el("div", { class: "label", text: name }),
    el("div", { class: "value" + (value.length > 8 ? " long" : ""), title: whole }, value, unit ? el("span", { class: "unit", text: unit }) : null),
    whole ? el("div", { class: "hint full", text: whole }) : null,
    hint ? el("div", { class: "hint", text: hint }) : null);
  return box;
}

function renderFigures() {
  const s = DATA.summary;
  const figures = [];
  const alienation = figure("Org alienation", ratio(s.org_alienation, 3), null,
    "headcount-weighted; 0 = paid by clients, 1 = no paying client");
  if (s.org_alienation !== null) {
    const fill = el("span");
    fill.style.width = (s.org_alienation * 100).toFixed(1) + "%";
    fill.style.background = colour(s.org_alienation).background;
    alienation.append(el("div", { class: "meter" }, fill));
  }
  alienation.id = "figure-alienation";
  figures.push(alienation);
  const short = DATA.short;
  figures.push(figure("Roles", short.roles, null, plural(s.clients, "client") + ", " + plural(s.flows, "flow"), null, count(s.roles)));
  figures.push(figure("People", short.headcount, null, "headcount of all roles", null, heads(s.headcount)));
  figures.push(figure("Money in from clients", short.money_in, CUR_SHOWN, "paid by external clients", null, moneyText(s.money_in)));
  figures.push(figure("Inverted relationships", (s.inversions ? "\u26a0 " : "") + count(s.inversions), null,
    "a boss is a net payer of a subordinate", s.inversions ? "bad" : null));
  figures.push(figure("Roles with no paying client", count(s.unfunded_roles), null,
    "none of their money traces to a client", s.unfunded_roles ? "warn" : null));
  document.getElementById("figures").replaceChildren(...figures);
}

// Dotted lines and `serves` of each shown role (payload node numbers, as written), and
// the roles with a dotted line to each shown role (its dotted-line reports).
function linksOf(list, v) { return list.node.slice(list.ptr[v], list.ptr[v + 1]); }
const dottedReports = new Map();
for (let v = 0; v < N; v++) {
  for (const boss of linksOf(DATA.dotted, v)) {
    if (!dottedReports.has(boss)) dottedReports.set(boss, []);
    dottedReports.get(boss).push(v);
  }
}
const CL = DATA.client_links;
function touchpointsOf(c) { return CL.touch.slice(CL.touch_ptr[c], CL.touch_ptr[c + 1]); }
