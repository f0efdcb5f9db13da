// tables.js: the sortable roles table and the findings list, each a page at a time.

const PAGE = 100;

// The client the largest share of v's money comes from, with that share (the
// "Largest funder" column): its exact id (to sort by), or as shown.
function mainClient(v, shown) {
  if (R.prov_ptr[v + 1] === R.prov_ptr[v]) return "";
  const k = R.prov_ptr[v];
  const id = DATA.clients.id[R.prov_client[k]];
  return (shown ? clip(id) : id) + " " + (R.prov_share[k] * 100).toFixed(0) + "%";
}

function status(v) {
  const parts = [];
  if (invertedAt.has(v)) parts.push(el("span", { class: "status-inv", text: "\u26a0 inverted" }));
  const broken = R.broken[v];
  if (broken >= 0 && !invertedAt.has(v)) {
    const inv = DATA.inversions[broken];
    parts.push(el("span", { class: "status-inv", text: "broken at " + clip(roleName(inv.boss)) + " \u2192 " + clip(roleName(inv.subordinate)),
      title: nodeText(inv.boss) + " \u2192 " + nodeText(inv.subordinate) }));
  }
  if (R.unfunded[v]) parts.push(el("span", { text: "\u2205 no paying client" }));
  const cell = el("td");
  parts.forEach((part, k) => { if (k) cell.append("; "); cell.append(part); });
  return cell;
}

const numberCell = (text) => el("td", { class: "num", text });
const COLUMNS = [
  { name: "#", num: true, key: (v) => v, cell: (v) => numberCell(String(v + 1)) },
  { name: "Role", key: (v) => roleName(v).toLowerCase(),
    cell: (v) => el("td", null, el("span", { class: "name", user: roleName(v) }),
      R.title[v] ? el("div", { class: "rid mono", user: R.id[v] }) : null) },
  { name: "Department", key: (v) => (R.department[v] || "").toLowerCase(), cell: (v) => el("td", { user: R.department[v] || "" }) },
  { name: "People", num: true, key: (v) => R.headcount[v], cell: (v) => numberCell(heads(R.headcount[v])) },
  { name: "Inflow", num: true, key: (v) => R.inflow[v], cell: (v) => numberCell(moneyText(R.inflow[v])) },
  { name: "Alienation", num: true, key: (v) => R.alienation[v], cell: (v) => el("td", { class: "num" }, chip(R.alienation[v], 3)) },
  { name: "Hand-overs", num: true, key: (v) => (R.distance[v] === null ? Infinity : R.distance[v]),
    cell: (v) => numberCell(ratio(R.distance[v], 2)) },
  { name: "Traced", num: true, key: (v) => R.traced[v], cell: (v) => numberCell(percent(R.traced[v])) },
  { name: "Largest funder", key: (v) => mainClient(v, false), cell: (v) => el("td", { text: mainClient(v, true) }) },
  { name: "Status", key: (v) => (invertedAt.has(v) ? 0 : R.broken[v] >= 0 ? 1 : R.unfunded[v] ? 2 : 3), cell: status },
];

function renderRolesTable(box, select) {
  let order = Array.from({ length: N }, (_, v) => v);
  let shown = Math.min(N, PAGE);
  let sortColumn = 0;
  let ascending = true;
  const head = el("tr");
  const body = el("tbody");
  const pager = el("div", { class: "pager" });
  COLUMNS.forEach((column, c) => {
    const th = el("th", { class: "sortable" + (column.num ? " num" : ""), scope: "col", tabindex: 0,
      "aria-sort": c === 0 ? "ascending" : "none", text: column.name });
    const sort = () => {
      ascending = sortColumn === c ? !ascending : !column.num || c === 0;
      sortColumn = c;
      const keys = order.map((v) => column.key(v));
      const byKey = new Map(order.map((v, k) => [v, keys[k]]));
      order.sort((a, b) => {
        const x = byKey.get(a);
        const y = byKey.get(b);
        const cmp = x < y ? -1 : x > y ? 1 : a - b;
        return ascending || x === y ? cmp : -cmp;
      });
      for (const other of head.children) other.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      paint();
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { sort(); event.preventDefault(); } });
    head.append(th);
  });
  const paint = () => {
    body.replaceChildren(...order.slice(0, shown).map((v) => {
      const tr = el("tr", { class: invertedAt.has(v) ? "inverted" : null, "data-role": R.id[v] }, ...COLUMNS.map((c) => c.cell(v)));
      tr.addEventListener("click", () => select(v));
      return tr;
    }));
    pager.replaceChildren(el("span", { text: "Showing " + count(shown) + " of " + plural(N, "role") }));
    if (shown < N) {
      const more = el("button", { type: "button", text: "Show " + count(Math.min(PAGE, N - shown)) + " more" });
      more.addEventListener("click", () => { shown = Math.min(N, shown + PAGE); paint(); });
      const all = el("button", { type: "button", text: "Show all" });
      all.addEventListener("click", () => { shown = N; paint(); });
      pager.append(more, all);
    }
  };
  paint();
  box.replaceChildren(el("div", { class: "tablewrap" }, el("table", { id: "roles-table" }, el("thead", null, head), body)), pager);
  return { showAll: () => { shown = N; paint(); } };
}

function renderFindings(box, select) {
  const all = DATA.findings;
  let shown = Math.min(all.length, PAGE);
  const list = el("tbody");
  const pager = el("div", { class: "pager" });
  const notes = [];
  const s = DATA.summary;
  if (DATA.findings_not_shown) notes.push(plural(DATA.findings_not_shown, "finding") + " about roles not in this report");
  if (s.findings_ignored) notes.push(plural(s.findings_ignored, "finding") + " ignored by the policy");
  if (s.findings_baselined) notes.push(plural(s.findings_baselined, "finding") + " known from the baseline");
  const paint = () => {
    list.replaceChildren(...all.slice(0, shown).map((f) => {
      const v = f.role === null ? undefined : indexOfRole.get(f.role);
      const about = f.client || f.role;
      const client = f.client ? DATA.clients.id.indexOf(f.client) : -1;
      const subject = v !== undefined ? el("td", null, nodeLabel(v, "button", { class: "label-of link", type: "button" }))
        : client >= 0 ? el("td", null, nodeLabel(N + client))
          : el("td", about ? { user: about } : { text: "organisation" });
      const message = visibleMessage(f.message);
      const whole = visible(f.message);
      const tr = el("tr", { class: "finding " + f.level, "data-code": f.code },
        el("td", null, el("span", { class: "level " + f.level, text: (f.level === "error" ? "\u2716 " : "\u25b2 ") + f.level })),
        el("td", null, el("code", { user: f.code }), el("div", { class: "quiet", user: f.rule })),
        subject, el("td", { text: message, title: whole === message ? null : whole }),
        el("td", { class: "mono quiet", text: clip(f.file) + ":" + f.line }));
      if (v !== undefined) tr.addEventListener("click", () => select(v));
      return tr;
    }));
    pager.replaceChildren(el("span", { text: "Showing " + count(shown) + " of " + plural(all.length, "finding") }));
    if (shown < all.length) {
      const more = el("button", { type: "button", text: "Show all" });
      more.addEventListener("click", () => { shown = all.length; paint(); });
      pager.append(more);
    }
  };
  if (!all.length) {
    box.replaceChildren(el("p", { class: "quiet", text: "No findings." }), ...notes.map((n) => el("p", { class: "quiet", text: "Not shown: " + n + "." })));
    return { showAll: () => {} };
  }
  paint();
  const head = el("tr", null, ...["Level", "Rule", "About", "Finding", "Where"].map((h) => el("th", { scope: "col", text: h })));
  box.replaceChildren(el("div", { class: "tablewrap" }, el("table", { id: "findings-table" }, el("thead", null, head), list)), pager,
    ...notes.map((n) => el("p", { class: "quiet", text: "Not shown: " + n + "." })));
  return { showAll: () => { shown = all.length; paint(); } };
}

// One inversion as a table row: boss and subordinate by title (ids small), net, people.
function inversionRow(inv, rank, select) {
  const tr = el("tr", { class: "inversion", "data-role": R.id[inv.subordinate], "data-net": inv.net },
    rank ? el("td", { class: "num rank", text: String(rank) }) : null,
    el("td", null, nodeLabel(inv.boss, "div")),
    el("td", { class: "status-inv", text: "\u2192" }),
    el("td", null, nodeLabel(inv.subordinate, "div")),
    el("td", { class: "num", text: heads(inv.impact) }),
    el("td", { class: "num status-inv", text: money(inv.net) }),
    el("td", { class: "num", text: count(inv.levels) }));
  tr.addEventListener("click", () => select(inv.subordinate));
  return tr;
}

function inversionHead(ranked) {
  return el("tr", null, ...[[ranked ? "#" : null, "num"], ["Boss (pays)", ""], ["", ""], ["Subordinate (paid)", ""],
    ["People affected", "num"], ["Net down", "num"], ["Levels", "num"]]
    .filter(([h]) => h !== null).map(([h, c]) => el("th", { scope: "col", class: c || null, text: h })));
}

// The ten breaks that affect the most people (DATA.inversions is in that order), first
// thing after the summary; the full list follows beside the tree when there are more.
const TOP_INVERSIONS = 10;
function renderTopInversions(box, select) {
  const all = DATA.inversions;
  if (!all.length) { box.hidden = true; return; }
  const top = all.slice(0, TOP_INVERSIONS);
  const more = DATA.summary.inversions - top.length;
  const heading = all.length > TOP_INVERSIONS
    ? "\u26a0 The " + count(top.length) + " inverted relationships that affect the most people"
    : "\u26a0 Inverted relationships: the boss acts as the subordinate\u2019s client";
  box.replaceChildren(el("h2", { text: heading }),
    el("div", { class: "tablewrap" }, el("table", { id: "top-inversions-table" }, el("thead", null, inversionHead(true)),
      el("tbody", null, ...top.map((inv, k) => inversionRow(inv, k + 1, select))))));
  if (more > 0) box.append(el("p", { class: "quiet", text: count(more) + " more: the full list is below the tree, the largest first." }));
}

// Every inverted relationship, largest impact first (the order of `analyze`), a page at
// a time; only when the ten above are not all of them.
function renderInversions(box, select) {
  const all = DATA.inversions;
  if (all.length <= TOP_INVERSIONS) return { showAll: () => {} };
  let shown = Math.min(all.length, 2 * TOP_INVERSIONS);
  const body = el("tbody");
  const pager = el("div", { class: "pager" });
  const paint = () => {
    body.replaceChildren(...all.slice(0, shown).map((inv, k) => inversionRow(inv, k + 1, select)));
    pager.replaceChildren();
    if (shown < all.length) {
      const more = el("button", { type: "button", text: "Show all " + count(all.length) });
      more.addEventListener("click", () => { shown = all.length; paint(); });
      pager.append(el("span", { text: "Showing " + count(shown) + " of " + count(all.length) + " " }), more);
    }
  };
  paint();
  box.replaceChildren(el("h2", { text: "\u26a0 All " + count(all.length) + " inverted relationships: the boss acts as the subordinate\u2019s client" }),
    el("div", { class: "tablewrap" }, el("table", { id: "inversions-table" }, el("thead", null, inversionHead(true)), body)), pager);
  return { showAll: () => { shown = all.length; paint(); } };
}
