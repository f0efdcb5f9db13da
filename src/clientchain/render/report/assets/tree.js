// tree.js: the org tree as a flat list of rows (no nesting, so a chain thousands of levels
// deep lays out like any other). Children are rendered only when their boss is expanded,
// a page of KID_PAGE at a time; the search finds any role and reveals it.

const TOP = N; // a virtual root whose children are the tops of the hierarchy
const KID_PAGE = 200;
const EXPAND_ALL_BELOW = 300; // small organisations open fully; larger ones at depth < 2
const INDENT = 22;
const MAX_INDENT_LEVELS = 24; // deeper rows keep this indent and say their level

// Children of each role (and of TOP) in file order, as CSR.
const kidPtr = new Int32Array(N + 2);
const kids = new Int32Array(N);
(() => {
  for (let i = 0; i < N; i++) kidPtr[(R.parent[i] < 0 ? TOP : R.parent[i]) + 1]++;
  for (let v = 0; v <= N; v++) kidPtr[v + 1] += kidPtr[v];
  const fill = kidPtr.slice(0, N + 1);
  for (let i = 0; i < N; i++) kids[fill[R.parent[i] < 0 ? TOP : R.parent[i]]++] = i;
})();
const depth = new Int32Array(N);
const subtree = new Int32Array(N + 1); // roles shown below each role (itself excluded)
const invShownBelow = new Int32Array(N + 1); // inversions shown below each role
// What matters most: the TOP_RANKED inversions with the most people affected (the order
// of DATA.inversions) are drawn loud; the rest, and the subtrees without one, quieter.
const TOP_RANKED = 10;
const topBelow = new Int32Array(N + 1); // of the top-ranked inversions, how many below each role
const rankOf = new Map(DATA.inversions.map((inv, k) => [inv, k + 1]));
(() => {
  const order = [];
  const stack = [TOP];
  while (stack.length) {
    const v = stack.pop();
    if (v !== TOP) order.push(v);
    for (let k = kidPtr[v]; k < kidPtr[v + 1]; k++) {
      depth[kids[k]] = v === TOP ? 0 : depth[v] + 1;
      stack.push(kids[k]);
    }
  }
  const top = DATA.inversions.slice(0, TOP_RANKED);
  for (const inv of DATA.inversions) invShownBelow[inv.subordinate]++;
  for (const inv of top) topBelow[inv.subordinate]++;
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k];
    const up = R.parent[v] < 0 ? TOP : R.parent[v];
    subtree[up] += subtree[v] + 1;
    invShownBelow[up] += invShownBelow[v];
    topBelow[up] += topBelow[v];
  }
  for (const inv of DATA.inversions) invShownBelow[inv.subordinate]--; // strictly below
  for (const inv of top) topBelow[inv.subordinate]--;
})();

const expanded = new Uint8Array(N + 1);
const kidLimit = new Int32Array(N + 1).fill(KID_PAGE);
const rowOf = new Array(N).fill(null);
let treeBox = null;
let onSelect = () => {};
let selected = -1;
// The client whose touchpoints the tree shows ({client, roles: Set, owner}), or null.
let highlight = null;

function hasKids(v) { return kidPtr[v + 1] > kidPtr[v]; }

function rerender() {
  rowOf.fill(null);
  treeBox.replaceChildren(descendantRows(TOP));
}

function indentBox(d) {
  const levels = Math.min(d, MAX_INDENT_LEVELS);
  const box = el("span", { class: "indent" }, d > 0 ? el("span", { class: "elbow" }) : null);
  box.style.width = (levels * INDENT + 4) + "px";
  if (levels > 0) {
    box.style.backgroundImage =
      "repeating-linear-gradient(90deg, transparent 0 10px, #dfe3e8 10px 11px, transparent 11px " + INDENT + "px)";
    box.style.backgroundSize = ((levels - 1) * INDENT + 11) + "px 100%";
    box.style.backgroundRepeat = "no-repeat";
  }
  return box;
}

function badges(v) {
  const out = [];
  for (const inv of invertedAt.get(v) || []) {
    const rank = rankOf.get(inv);
    out.push(el("span", { class: "badge inv" + (rank > TOP_RANKED ? " minor" : ""), "data-net": inv.net, "data-rank": rank,
      title: nodeText(inv.boss) + " pays " + nodeText(v) + " net " + money(inv.net) + " (" + plural(inv.levels, "level") +
        " down); number " + count(rank) + " of " + count(DATA.inversions.length) + " by people affected" },
    "\u26a0 " + (rank <= TOP_RANKED ? "#" + rank + " " : "") + "inverted: " + clip(roleName(inv.boss)) + " pays net " + money(inv.net)));
  }
  const paid = invertedFrom.get(v) || [];
  if (paid.length) {
    const net = paid.reduce((sum, inv) => sum + inv.net, 0);
    const whom = paid.length === 1 ? clip(roleName(paid[0].subordinate)) : plural(paid.length, "subordinate");
    const ranked = paid.some((inv) => rankOf.get(inv) <= TOP_RANKED);
    out.push(el("span", { class: "badge inv-boss" + (ranked ? "" : " minor"), title: paid.map((inv) => nodeText(inv.subordinate) + ": " + money(inv.net)).join("\n") },
      "\u2193 pays " + whom + " net " + money(net)));
  }
  if (R.unfunded[v]) out.push(el("span", { class: "badge unfunded" }, "\u2205 no paying client"));
  // A dotted (matrix) line is drawn dashed, never like the solid line of the tree.
  for (const boss of linksOf(DATA.dotted, v)) {
    out.push(el("span", { class: "badge dotted", "data-boss": nodeId(boss),
      title: nodeText(v) + " has a dotted line to " + nodeText(boss) + " (a second, matrix boss)" },
    "\u2508 dotted line to " + clip(nodeTitle(boss) || nodeId(boss))));
  }
  if (highlight && highlight.roles.has(v)) {
    out.push(el("span", { class: "badge touch", text: "\u25c9 touches " + clip(nodeTitle(N + highlight.client) || DATA.clients.id[highlight.client]) }));
  }
  if (highlight && highlight.owner === v) out.push(el("span", { class: "badge owner", text: "\u2605 owns the client" }));
  return out;
}

function collapsedNotes(v) {
  const notes = [];
  if (!hasKids(v) && R.reports[v] > 0) {
    notes.push(el("span", { class: "count", text: plural(R.reports[v], "report") + " not in this report" }));
  }
  if (expanded[v] && hasKids(v)) {
    const hidden = R.inv_below[v] - invShownBelow[v];
    if (hidden > 0) notes.push(el("span", { class: "badge below", text: "\u26a0 " + plural(hidden, "inversion") + " below, not in this report" }));
    return notes;
  }
  if (hasKids(v)) notes.push(el("span", { class: "count", text: "+" + count(subtree[v]) + " below" }));
  if (R.inv_below[v] > 0) {
    // Loud only where one of the top-ranked inversions is below; quiet elsewhere.
    const top = topBelow[v];
    notes.push(top > 0
      ? el("span", { class: "badge below", text: "\u26a0 " + plural(R.inv_below[v], "inversion") + " below, " +
        count(top) + " of the top " + count(Math.min(TOP_RANKED, DATA.inversions.length)) })
      : el("span", { class: "badge below minor", text: plural(R.inv_below[v], "inversion") + " below" }));
  }
  return notes;
}

function makeRow(v) {
  const d = depth[v];
  const open = expanded[v] === 1;
  const toggle = el("button", { class: "toggle" + (hasKids(v) ? "" : " leaf"), tabindex: -1,
    "aria-label": (open ? "Collapse " : "Expand ") + clip(R.id[v]) }, hasKids(v) ? (open ? "\u25be" : "\u25b8") : "");
  const row = el("div", {
    class: "row" + (invertedAt.has(v) ? " inverted" : "") + (R.unfunded[v] ? " unfunded" : "") + (v === selected ? " selected" : "") +
      (linksOf(DATA.dotted, v).length ? " has-dotted" : "") + (highlight && highlight.roles.has(v) ? " touchpoint" : "") +
      (highlight && highlight.owner === v ? " client-owner" : ""),
    role: "treeitem", tabindex: v === selected ? 0 : -1, "aria-level": d + 1,
    "aria-expanded": hasKids(v) ? String(open) : null, "data-role": R.id[v], "data-depth": d,
    title: nodeText(v) + " \u00b7 alienation " + ratio(R.alienation[v], 3) + " \u00b7 inflow " + money(R.inflow[v]) +
      " \u00b7 click for clients, provenance and the money chain",
  },
  indentBox(d), toggle, chip(R.alienation[v], 2),
  // Everything after the chip wraps inside the row: a badge never runs past the edge.
  el("span", { class: "body" },
    el("span", { class: "name", user: roleName(v) }),
    R.title[v] ? el("span", { class: "rid mono", user: R.id[v] }) : null,
    R.department[v] ? el("span", { class: "tag", user: R.department[v] }) : null,
    el("span", { class: "people", text: "\u00d7" + heads(R.headcount[v]) }),
    d > MAX_INDENT_LEVELS ? el("span", { class: "count", text: "level " + (d + 1) }) : null,
    ...badges(v), ...collapsedNotes(v)));
  row.dataset.node = v;
  rowOf[v] = row;
  return row;
}

function moreRow(v, shown) {
  const rest = kidPtr[v + 1] - kidPtr[v] - shown;
  const row = el("div", { class: "row more-row", "data-more": v, "data-depth": v === TOP ? 0 : depth[v] + 1 },
    indentBox(v === TOP ? 0 : depth[v] + 1), "Show " + count(Math.min(rest, KID_PAGE)) + " more of " + count(rest) + " \u2026");
  return row;
}

// The rows of v's visible descendants in preorder, iteratively.
function descendantRows(v) {
  const frag = document.createDocumentFragment();
  const stack = [[v, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const u = top[0];
    const end = kidPtr[u + 1];
    const limit = Math.min(end, kidPtr[u] + kidLimit[u]);
    const k = kidPtr[u] + top[1];
    if (!expanded[u] || k >= limit) {
      if (expanded[u] && limit < end) frag.append(moreRow(u, limit - kidPtr[u]));
      stack.pop();
      continue;
    }
    top[1]++;
    frag.append(makeRow(kids[k]));
    stack.push([kids[k], 0]);
  }
  return frag;
}

function removeDescendantRows(v) {
  const row = rowOf[v];
  const d = depth[v];
  let next = row.nextElementSibling;
  while (next && Number(next.dataset.depth) > d) {
    const gone = next;
    next = next.nextElementSibling;
    if (gone.dataset.node !== undefined) rowOf[Number(gone.dataset.node)] = null;
    gone.remove();
  }
}

function setExpanded(v, open) {
  if (!hasKids(v) || expanded[v] === (open ? 1 : 0)) return;
  const row = rowOf[v];
  expanded[v] = open ? 1 : 0;
  if (!row) return; // not on screen: remembered for when its boss opens
  if (open) row.after(descendantRows(v));
  else removeDescendantRows(v);
  row.replaceWith(makeRow(v));
}

function renderTree(box, select) {
  treeBox = box;
  onSelect = select;
  expanded[TOP] = 1;
  for (let v = 0; v < N; v++) expanded[v] = N <= EXPAND_ALL_BELOW || depth[v] < 2 ? 1 : 0;
  rerender();
  box.addEventListener("click", (event) => {
    const row = event.target.closest(".row");
    if (!row) return;
    if (row.dataset.more !== undefined) {
      const v = Number(row.dataset.more);
      kidLimit[v] += KID_PAGE;
      if (v === TOP) rerender();
      else { setExpanded(v, false); setExpanded(v, true); }
      return;
    }
    const v = Number(row.dataset.node);
    if (event.target.closest(".toggle")) setExpanded(v, !expanded[v]);
    else selectRole(v, false);
  });
  box.addEventListener("keydown", onTreeKey);
}

function onTreeKey(event) {
  const row = event.target.closest(".row[data-node]");
  if (!row) return;
  const v = Number(row.dataset.node);
  const move = (next) => { if (next) { next.focus(); event.preventDefault(); } };
  if (event.key === "ArrowDown") move(row.nextElementSibling);
  else if (event.key === "ArrowUp") move(row.previousElementSibling);
  else if (event.key === "ArrowRight") { setExpanded(v, true); rowOf[v].focus(); event.preventDefault(); }
  else if (event.key === "ArrowLeft") {
    if (expanded[v] && hasKids(v)) { setExpanded(v, false); rowOf[v].focus(); }
    else if (R.parent[v] >= 0) rowOf[R.parent[v]].focus();
    event.preventDefault();
  } else if (event.key === "Enter" || event.key === " ") { selectRole(v, false); event.preventDefault(); }
}

// Open every boss above v (top down), make sure v's page of siblings is on screen.
function reveal(v) {
  const chain = [];
  for (let u = R.parent[v]; u >= 0; u = R.parent[u]) chain.push(u);
  const bosses = [TOP, ...chain.reverse()];
  for (let k = 0; k < bosses.length; k++) {
    const boss = bosses[k];
    const child = k + 1 < bosses.length ? bosses[k + 1] : v;
    let position = 0;
    while (kids[kidPtr[boss] + position] !== child) position++;
    if (position >= kidLimit[boss]) {
      kidLimit[boss] = position + 1;
      if (boss === TOP) rerender();
      else if (expanded[boss] && rowOf[boss]) { setExpanded(boss, false); }
    }
    if (boss !== TOP) setExpanded(boss, true);
  }
}

function selectRole(v, scroll) {
  if (selected >= 0 && rowOf[selected]) {
    rowOf[selected].classList.remove("selected");
    rowOf[selected].tabIndex = -1;
  }
  selected = v;
  reveal(v);
  const row = rowOf[v];
  row.classList.add("selected");
  row.tabIndex = 0;
  if (scroll) {
    row.scrollIntoView({ block: "center" });
    row.classList.remove("flash");
    void row.offsetWidth; // restart the highlight
    row.classList.add("flash");
    row.focus({ preventScroll: true });
  }
  onSelect(v);
}

function expandAll(open) {
  for (let v = 0; v < N; v++) expanded[v] = open ? 1 : 0;
  if (open) kidLimit.fill(N);
  rerender();
  if (selected >= 0 && open) selectRole(selected, false);
}

function showInversions() {
  for (const inv of DATA.inversions) reveal(inv.subordinate);
  if (DATA.inversions.length) selectRole(DATA.inversions[0].subordinate, true);
}

// The search box: matches ids, titles and departments, as they are or as they are shown
// (a hidden code point typed as its escape); Enter or a click reveals the role.
function searchRoles(query, limit) {
  const q = query.trim().toLowerCase();
  const found = [];
  let total = 0;
  if (!q) return { found, total };
  const has = (text) => {
    const lower = (text || "").toLowerCase();
    return lower.includes(q) || visible(lower).includes(q);
  };
  for (let v = 0; v < N; v++) {
    const id = R.id[v].toLowerCase();
    const exact = id === q || visible(id) === q;
    if (exact || has(R.id[v]) || has(R.title[v]) || has(R.department[v])) {
      total++;
      if (exact) found.unshift(v);
      else if (found.length < limit) found.push(v);
    }
  }
  return { found: found.slice(0, limit), total };
}

function wireSearch(input, list) {
  let active = 0;
  let current = [];
  const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); };
  const pick = (v) => { close(); selectRole(v, true); };
  const paint = () => {
    list.replaceChildren(...current.map((v, k) => {
      const item = el("li", { role: "option", id: "result-" + k, "aria-selected": k === active ? "true" : "false" },
        el("span", { class: "name", user: roleName(v) }), " ", el("span", { class: "rid mono", user: R.id[v] }));
      item.addEventListener("mousedown", (event) => { event.preventDefault(); pick(v); });
      return item;
    }));
  };
  input.addEventListener("input", () => {
    const { found, total } = searchRoles(input.value, 20);
    current = found;
    active = 0;
    paint();
    if (total > found.length) list.append(el("li", { class: "more", text: count(total - found.length) + " more: type more of the name" }));
    if (input.value.trim() && !found.length) list.append(el("li", { class: "more", text: "No role matches" }));
    list.hidden = !input.value.trim();
    input.setAttribute("aria-expanded", String(!list.hidden));
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!current.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : current.length - 1)) % current.length;
      paint();
      event.preventDefault();
    } else if (event.key === "Enter") {
      if (current.length) pick(current[active]);
      event.preventDefault();
    } else if (event.key === "Escape") close();
  });
  input.addEventListener("blur", close);
}

// Show one client's touchpoints (and its owner) across the tree, or none (c < 0): every
// touchpoint is revealed, and rows already on screen are redrawn with their marks.
function highlightClient(c) {
  const before = highlight ? [...highlight.roles, highlight.owner] : [];
  highlight = c < 0 ? null : { client: c, roles: new Set(touchpointsOf(c).filter((v) => v < N)), owner: CL.owner[c] };
  const now = highlight ? [...highlight.roles, highlight.owner] : [];
  for (const v of now) if (v >= 0 && v < N) reveal(v);
  for (const v of new Set([...before, ...now])) {
    const old = v >= 0 && v < N ? rowOf[v] : null;
    if (old) old.replaceWith(makeRow(v)); // makeRow files the new row under rowOf[v]
  }
  const first = highlight ? [...highlight.roles].sort((a, b) => a - b)[0] : undefined;
  if (first !== undefined && rowOf[first]) rowOf[first].scrollIntoView({ block: "nearest" });
}
