// clients.js: the clients view (each client's owner, departments and touchpoints; a click
// shows its touchpoints across the tree) and the span-band chart (plain SVG).

function clientLabel(c) {
  return el("td", null, nodeLabel(N + c, "div"));
}

function roleCell(node, empty) {
  return el("td", null, node >= 0 ? roleLink(node) : el("span", { class: "quiet", text: empty }));
}

function renderClients(box) {
  if (!C) return;
  const body = el("tbody");
  let active = -1;
  const rows = [];
  const paint = () => rows.forEach((tr, c) => {
    tr.classList.toggle("active", c === active);
    tr.setAttribute("aria-selected", c === active ? "true" : "false");
  });
  for (let c = 0; c < C; c++) {
    const touch = touchpointsOf(c);
    const departments = CL.departments[c];
    const tr = el("tr", { class: "client" + (CL.fragmented[c] ? " fragmented" : ""), "data-client": DATA.clients.id[c],
      "aria-selected": "false", title: "Click to show its touchpoints in the tree" },
    clientLabel(c),
    roleCell(CL.owner[c], "none named"),
    el("td", { class: "num", text: count(touch.length) }),
    el("td", null, ...joined(departments.map((d) => el("span", { class: "tag", user: d })))),
    roleCell(CL.lowest_common_boss[c], "none (separate trees)"),
    el("td", null, CL.fragmented[c] ? el("span", { class: "badge fragmented", text: "\u26a0 fragmented" }) : el("span", { class: "quiet", text: "no" })),
    el("td", { class: "num", text: money(CL.money_out[c]) }));
    tr.addEventListener("click", (event) => {
      if (event.target.closest("[data-goto]")) return; // a role link: the panel handles it
      active = active === c ? -1 : c;
      highlightClient(active);
      paint();
    });
    rows.push(tr);
    body.append(tr);
  }
  const head = el("tr", null, ...[["Client", ""], ["Owner", ""], ["Touchpoints", "num"], ["Departments", ""],
    ["Lowest common boss", ""], ["Fragmented", ""], ["Pays", "num"]].map(([h, k]) => el("th", { scope: "col", class: k || null, text: h })));
  const owned = DATA.summary.client_money_owned;
  box.replaceChildren(
    el("h2", { text: "Clients: who holds each relationship" }),
    el("p", { class: "quiet", text: "Touchpoints are the roles a client pays directly and the roles that serve it. " +
      "A client is fragmented when its touchpoints span several departments and nobody below a top holds them all. " +
      "Click a client to show its touchpoints in the tree." +
      (owned === null || owned === undefined ? "" : " Client money whose relationship one role below the top holds whole: " + percent(owned) + ".") }),
    el("div", { class: "tablewrap" }, el("table", { id: "clients-table" }, el("thead", null, head), body)));
}

// The six span bands as bars (plain HTML: no library, no namespace): how many managers
// have 1, 2-3, ... 17+ direct reports.
function renderSpanChart(box) {
  const bands = DATA.summary.span_bands;
  const labels = Object.keys(bands);
  const values = labels.map((k) => bands[k]);
  const most = Math.max(1, ...values);
  const chart = el("div", { class: "span-chart", id: "span-chart", role: "img",
    "aria-label": "Managers per span of control: " + labels.map((k, i) => k + ": " + count(values[i])).join(", ") });
  labels.forEach((label, i) => {
    const bar = el("div", { class: "span-bar", "data-band": label, "data-count": values[i] });
    bar.style.height = (100 * values[i] / most).toFixed(1) + "%";
    chart.append(el("div", { class: "span-column" },
      el("span", { class: "span-count", text: count(values[i]) }),
      el("div", { class: "span-track" }, bar),
      el("span", { class: "span-label", text: label })));
  });
  const managers = values.reduce((a, b) => a + b, 0);
  box.replaceChildren(
    el("h2", { text: "Spans and layers" }),
    el("p", { class: "quiet", text: plural(DATA.summary.layers, "layer") + " \u00b7 " + plural(managers, "manager") +
      " (roles with at least one direct report), by span of control (direct reports):" }),
    chart);
}
