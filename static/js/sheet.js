// The join sheet: one card per table with its code, QR code and link; half a page in print.
import { loadCatalog, t } from "./i18n.js";
import { api, clear, el, problemText, tokenForm, workshopToken } from "./fac-common.js";

const workshopId = document.body.dataset.workshop || "";
// The address phones can open, from the server: this page is often on the trainer's
// laptop at 127.0.0.1, which a phone cannot reach (app/web/address.py).
const joinBase = document.body.dataset.joinBase || location.origin;
const sheet = document.getElementById("sheet");
const auth = document.getElementById("sheet-auth");

/** The table's QR code, made by the server as SVG (no outside service). */
function qrImage(table) {
  const src = `/qr/${encodeURIComponent(table.code)}.svg`;
  const alt = t("QR code that opens the join page of table {n}", { n: table.number });
  return el("img", { class: "sheet-qr", src, alt, width: 240, height: 240 });
}

function card(table, scenarioTitle) {
  const url = `${joinBase}/join/${encodeURIComponent(table.code)}`;
  const spaced = table.code.split("").join(" ");
  return el(
    "article",
    { class: "sheet-card", "aria-labelledby": `sheet-${table.number}` },
    el("h2", { id: `sheet-${table.number}`, class: "sheet-table" }, t("Table {n}", { n: table.number })),
    scenarioTitle ? el("p", { class: "sheet-case" }, scenarioTitle) : null,
    el(
      "div",
      { class: "sheet-body" },
      qrImage(table),
      el(
        "div",
        { class: "sheet-text" },
        el("p", { class: "sheet-step" }, t("Scan the code with your phone, or open:")),
        el("p", { class: "sheet-url" }, url),
        el("p", { class: "sheet-step" }, t("and type the join code:")),
        el("p", { class: "sheet-code", "aria-label": t("Join code {code}", { code: spaced }) }, table.code),
      ),
    ),
  );
}

async function load(token) {
  clear(auth);
  try {
    // The title of the scenario the workshop stores: an uploaded case is in no list, and
    // an installed file of the same id may differ from the version being played.
    const status = await api(`/api/workshops/${workshopId}`, { token });
    clear(sheet);
    for (const table of status.tables) sheet.append(card(table, status.scenario_title || status.scenario));
  } catch (err) {
    auth.append(el("p", { class: "fac-error", role: "alert" }, problemText(err)));
    if (err.status === 401) auth.append(tokenForm(workshopId, load));
  }
}

document.getElementById("print-btn").addEventListener("click", () => window.print());
await loadCatalog();
const token = workshopToken(workshopId);
if (token) load(token);
else {
  auth.append(el("p", { class: "fac-error", role: "alert" }, t("This page needs the workshop's facilitator key.")));
  auth.append(tokenForm(workshopId, load));
}
