// main.js: put the page together, wire the buttons, expand everything before printing.

function start() {
  renderMasthead();
  renderFigures();
  renderSummary(document.getElementById("summary"));
  const select = (v) => renderPanel(v);
  const goTo = (v) => selectRole(v, true);
  renderTree(document.getElementById("tree"), select);
  wireSearch(document.getElementById("search"), document.getElementById("results"));
  document.getElementById("expand-all").addEventListener("click", () => expandAll(true));
  document.getElementById("collapse-all").addEventListener("click", () => expandAll(false));
  const inversions = document.getElementById("show-inversions");
  if (DATA.inversions.length) inversions.addEventListener("click", showInversions);
  else inversions.hidden = true;
  document.getElementById("panel").addEventListener("click", (event) => {
    const link = event.target.closest("[data-goto]");
    if (link) goTo(Number(link.dataset.goto));
  });
  const table = renderRolesTable(document.getElementById("roles-body"), goTo);
  const findings = renderFindings(document.getElementById("findings-body"), goTo);
  renderTopInversions(document.getElementById("top-inversions"), goTo);
  const inverted = renderInversions(document.getElementById("inversions"), goTo);
  for (const id of ["summary"]) {
    document.getElementById(id).addEventListener("click", (event) => {
      const link = event.target.closest("[data-goto]");
      if (link) goTo(Number(link.dataset.goto));
    });
  }
  renderClients(document.getElementById("clients"));
  document.getElementById("clients").addEventListener("click", (event) => {
    const link = event.target.closest("[data-goto]");
    if (link) goTo(Number(link.dataset.goto));
  });
  renderSpanChart(document.getElementById("structure"));
  window.addEventListener("beforeprint", () => {
    expandAll(true);
    table.showAll();
    findings.showAll();
    inverted.showAll();
    for (const box of document.querySelectorAll("details")) box.open = true; // last: the panel is redrawn above
  });
  // The first inversion (the largest impact) is what a reader should see first.
  const first = DATA.inversions.length ? DATA.inversions[0].subordinate : N ? 0 : -1;
  if (first >= 0) selectRole(first, false);
  document.body.dataset.ready = "true";
}

// One part of a summary sentence: our words, a role or client (title first, the id small
// after it; a role in the report is a link to it), or an amount (short, the full on hover).
function summaryPart(part) {
  if (typeof part === "string") return part;
  if (part.short !== undefined) return el("span", { class: "amount", title: part.full === part.short ? null : part.full, text: part.short });
  if (part.client !== undefined) return label(part.title, part.client, "span", { class: "label-of who" });
  const v = indexOfRole.get(part.role);
  if (v === undefined) return label(part.title, part.role, "span", { class: "label-of who" });
  return label(part.title, part.role, "button", { class: "label-of link who", type: "button", "data-goto": v });
}

// The executive summary (written in Python: render/report/summary.py), then what the
// findings add up to (render/overview.py), one sentence each.
function renderSummary(box) {
  const items = DATA.executive.map((sentence) => el("li", null, ...sentence.map(summaryPart)));
  for (const sentence of DATA.lead) items.push(el("li", { class: "lead", text: sentence }));
  box.replaceChildren(el("h2", { text: "In short" }), el("ul", { class: "sentences" }, ...items));
}

start();
