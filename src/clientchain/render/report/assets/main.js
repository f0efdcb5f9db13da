// main.js: put the page together, wire the buttons, expand everything before printing.

function start() {
  renderMasthead();
  renderFigures();
  renderLead();
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
  const inverted = renderInversions(document.getElementById("inversions"), goTo);
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
  });
  // The first inversion (the largest impact) is what a reader should see first.
  const first = DATA.inversions.length ? DATA.inversions[0].subordinate : N ? 0 : -1;
  if (first >= 0) selectRole(first, false);
  document.body.dataset.ready = "true";
}

// What the findings add up to, one sentence each (written in Python: render/overview.py).
function renderLead() {
  const box = document.getElementById("lead");
  box.replaceChildren(...DATA.lead.map((sentence) => el("p", { text: sentence })));
  box.hidden = DATA.lead.length === 0;
}

start();
