// panel.js: the side panel of the selected role: figures, inversions, direct clients,
// provenance shares and the money chain (the tree `clientchain chain ORG ROLE` prints).

const CHAIN_NOTES = {
  client: "paying client",
  "no-inflow": "no inflow: this money has no paying origin",
  cycle: "already higher on this branch: money loop, cut here",
  depth: "deeper hand-overs not shown",
  size: "more payers not shown",
  outside: "not in this report",
};

// The same walk as clientchain.chain.trace_chain: payers largest first (the payload keeps
// that order), depth-first with an explicit stack, a budget of payers in all.
function traceChain(role) {
  const P = DATA.payers;
  const root = { node: role, amount: R.inflow[role], fraction: 1, share: 1, stop: "", payers: [] };
  let budget = DATA.chain.max_nodes;
  const stack = [[root, [role]]];
  while (stack.length) {
    const [hop, path] = stack.pop();
    if (hop.node >= N) { hop.stop = hop.node < N + C ? "client" : "outside"; continue; }
    const lo = P.ptr[hop.node];
    const hi = P.ptr[hop.node + 1];
    if (lo === hi) { hop.stop = "no-inflow"; continue; }
    if (path.length > DATA.chain.max_depth) { hop.stop = "depth"; continue; }
    const inflow = R.inflow[hop.node];
    for (let k = lo; k < hi; k++) {
      if (budget <= 0) { hop.stop = "size"; break; }
      budget--;
      const payer = P.node[k];
      const amount = P.amount[k];
      const child = { node: payer, amount, fraction: amount / inflow, share: hop.share * amount / inflow, stop: "", payers: [] };
      hop.payers.push(child);
      if (path.includes(payer)) child.stop = "cycle";
      else stack.push([child, path.concat([payer])]);
    }
  }
  return root;
}

// A role (or client) by its title, the id small after it; a role in the report is a link.
function roleLink(node) {
  if (node >= N) return nodeLabel(node, "span", { class: "label-of who" });
  return nodeLabel(node, "button", { class: "label-of link who", type: "button", "data-goto": node });
}

function chainItem(hop, isRoot) {
  const line = el("div", { class: "chain-line", "data-node": hop.node, "data-stop": hop.stop || null }, roleLink(hop.node));
  if (isRoot) line.append(el("span", { class: "note", text: "  inflow " + money(hop.amount) }));
  else {
    line.append(el("span", { text: "  pays " + money(hop.amount) + " (" + percent(hop.fraction) + " of the inflow above)" }),
      el("span", { class: "note", text: " \u00b7 " + percent(hop.share) + " of the total" }));
  }
  if (hop.stop) line.append(el("span", { class: "stop " + hop.stop, text: CHAIN_NOTES[hop.stop] }));
  return el("li", null, line);
}

function renderChain(role) {
  const root = traceChain(role);
  const top = el("ul", { class: "chain", id: "chain" });
  const stack = [[root, top, true]];
  while (stack.length) {
    const [hop, parentList, isRoot] = stack.pop();
    const item = chainItem(hop, isRoot);
    parentList.append(item);
    if (hop.payers.length) {
      const list = el("ul");
      item.append(list);
      for (let k = hop.payers.length - 1; k >= 0; k--) stack.push([hop.payers[k], list, false]);
    }
  }
  return top;
}

// `label`: the text of the row (ours), or a span with a client's id and title.
function shareRow(label, share, extra) {
  const fill = el("span");
  fill.style.width = percent(Math.min(1, share));
  const who = typeof label === "string" ? el("span", { class: "who", text: label }) : label;
  return el("div", { class: "share" + (extra ? " " + extra : "") },
    who, el("span", { class: "pct", text: percent(share) }),
    el("div", { class: "bar" }, fill));
}

function provenanceBlock(v) {
  const box = el("div", { id: "provenance" });
  const lo = R.prov_ptr[v];
  const hi = R.prov_ptr[v + 1];
  for (let k = lo; k < hi; k++) {
    const c = R.prov_client[k];
    const title = DATA.clients.title[c];
    const who = el("span", { class: "who" }, el("span", { user: DATA.clients.id[c] }),
      title ? " \u2014 " : null, title ? el("span", { user: title }) : null);
    box.append(shareRow(who, R.prov_share[k]));
  }
  if (R.prov_rest[v] > 0) box.append(shareRow("other clients", R.prov_rest[v]));
  const untraced = Math.max(0, 1 - R.traced[v]);
  if (R.inflow[v] > 0 && untraced > 5e-13) box.append(shareRow("no paying origin", untraced, "untraced"));
  if (!box.childElementCount) box.append(el("p", { class: "quiet", text: "No money reaches this role." }));
  return box;
}

function clientsBlock(v) {
  const D = DATA.direct;
  const list = el("ul", { class: "list", id: "direct-clients" });
  for (let k = D.ptr[v]; k < D.ptr[v + 1]; k++) {
    const node = D.node[k];
    const kind = node >= N && node < N + C ? "client" : "role";
    list.append(el("li", null, el("span", null, roleLink(node), el("span", { class: "quiet", text: " " + kind })),
      el("span", { class: "num", text: money(D.net[k]) })));
  }
  if (!list.childElementCount) list.append(el("li", { class: "quiet", text: "Nobody: no net money flows to this role." }));
  return list;
}

function alerts(v) {
  const out = [];
  for (const inv of invertedAt.get(v) || []) {
    out.push(el("div", { class: "alert inverted-alert", "data-net": inv.net },
      el("strong", { text: "\u26a0 Inverted relationship. " }),
      nodeText(inv.boss) + ", " + plural(inv.levels, "level") + " up, is a net payer of this role: net " +
      money(inv.net) + " flows down (" + money(inv.down) + " down, " + money(inv.up) +
      " up). The boss acts as its client; the broken chain reaches " + people(inv.impact) + " (this role and everyone below it)."));
  }
  for (const inv of invertedFrom.get(v) || []) {
    out.push(el("div", { class: "alert" }, "\u2193 Pays its subordinate ", roleLink(inv.subordinate), " net " + money(inv.net) + "."));
  }
  const broken = R.broken[v];
  if (broken >= 0 && !(invertedAt.get(v) || []).includes(DATA.inversions[broken])) {
    const inv = DATA.inversions[broken];
    out.push(el("div", { class: "alert" }, "Chain broken above: ", roleLink(inv.boss), " \u2192 ", roleLink(inv.subordinate), "."));
  }
  if (R.unfunded[v]) {
    out.push(el("div", { class: "alert grey" }, "\u2205 No paying client: " +
      (R.inflow[v] > 0 ? "money reaches this role, but none of it traces back to a client." : "no money reaches this role.")));
  }
  return out;
}

// Nodes between commas.
function joined(nodes) {
  const out = [];
  nodes.forEach((node, k) => { if (k) out.push(", "); out.push(node); });
  return out;
}

function renderPanel(v) {
  const panel = document.getElementById("panel");
  const facts = el("dl", { class: "facts" });
  const fact = (name, ...value) => facts.append(el("dt", { text: name }), el("dd", null, ...value));
  fact("Alienation", chip(R.alienation[v], 3));
  fact("Closeness", ratio(R.closeness[v], 3));
  fact("Hand-overs", R.distance[v] === null ? "n/a (nothing traced)" : ratio(R.distance[v], 2) + " on average");
  fact("Inflow", money(R.inflow[v]));
  fact("Reports to", R.parent[v] >= 0 ? roleLink(R.parent[v]) : "\u2014 (a top of the hierarchy)");
  const dotted = linksOf(DATA.dotted, v);
  if (dotted.length) fact("Dotted line to", el("span", { class: "dotted-links" }, ...joined(dotted.map(roleLink))));
  const matrix = dottedReports.get(v) || [];
  if (matrix.length) fact("Dotted-line reports", el("span", null, ...joined(matrix.map(roleLink))));
  fact("Span", plural(R.reports[v], "direct report"));
  fact("Layer", count(R.layer[v]) + " of " + count(DATA.summary.layers) + (R.layer[v] === 1 ? " (a top)" : ""));
  if (R.department[v]) fact("Department", el("span", { user: R.department[v] }));
  fact("Headcount", heads(R.headcount[v]));
  const serves = linksOf(DATA.serves, v);
  if (serves.length) {
    fact("Serves", el("span", { id: "serves" }, ...joined(serves.map((node) => node >= N && node < N + C
      ? el("span", { class: "who" }, nodeLabel(node), el("span", { class: "quiet", text: " client" }))
      : roleLink(node)))));
    if (R.served_share[v] !== null) fact("Paid by the clients it serves", percent(R.served_share[v]));
    if (R.served_roles_share[v] !== null) fact("Paid by the roles it serves", percent(R.served_roles_share[v]));
  }
  panel.replaceChildren(
    el("h2", { user: roleName(v) }),
    el("code", { class: "quiet", user: R.id[v] }),
    facts,
    ...alerts(v),
    el("h3", { text: "Direct clients (net)" }), clientsBlock(v),
    el("h3", { text: "Where its money comes from" }), provenanceBlock(v),
    el("h3", { text: "Money chain" }), renderChain(v),
    // Where it is written and the command for the whole tree: for whoever edits the file.
    el("details", { class: "detail cmd" }, el("summary", { text: "Details" }),
      el("p", null, "Written at ", el("code", { text: clip(DATA.source) + ":" + R.line[v] })),
      el("p", null, "The full tree: ", el("code", { text: "clientchain chain " + clip(DATA.source) + " " + clip(R.id[v]) }))),
  );
  panel.dataset.role = R.id[v];
}
