// Shared by the facilitator console, the join sheet and the debrief: the workshop token,
// authorised API calls, downloads that need the token, and a small DOM builder.
import { ApiError } from "./api.js";
import { t } from "./i18n.js";

export { ApiError, api } from "./api.js";

/** Build an element: el("a", {href: "/x", class: "btn"}, "text", child, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/** Say something in the page's polite live region (and show it). */
let sayTimer = null;
export function say(text) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = text;
  clearTimeout(sayTimer);
  sayTimer = setTimeout(() => {
    if (status.textContent === text) status.textContent = "";
  }, 6000);
}

const storageKey = (id) => `pm.fac.${id}`;

/**
 * The facilitator token of a workshop: from `#token=` (then remembered and taken out of the
 * visible address, so it is not shown on a projector) or from localStorage.
 */
export function workshopToken(id) {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    const token = decodeURIComponent(match[1]);
    try {
      localStorage.setItem(storageKey(id), token);
    } catch {
      // Private mode without storage: the token still works for this page view.
    }
    history.replaceState(null, "", location.pathname + location.search);
    return token;
  }
  try {
    return localStorage.getItem(storageKey(id)) || "";
  } catch {
    return "";
  }
}

export function rememberToken(id, token) {
  try {
    localStorage.setItem(storageKey(id), token);
  } catch {
    // ignore: see workshopToken
  }
}

export function forgetToken(id) {
  try {
    localStorage.removeItem(storageKey(id));
  } catch {
    // ignore
  }
}

/** Explain an API failure in plain words. */
export function problemText(error) {
  if (!(error instanceof ApiError)) return t("Something went wrong.");
  if (error.status === 0) return error.message;
  if (error.status === 401) return t("The facilitator key for this workshop is missing or wrong.");
  if (error.status === 404) return t("This workshop or table does not exist (any more).");
  if (error.status === 503)
    return t("The server's database cannot be reached just now. Nothing was changed; try again in a moment.");
  return t("The server said no: {detail}", { detail: error.detail || error.status });
}

/** Download a file that needs the token: fetch it with the header, save through a Blob link. */
export async function download(path, token, filename) {
  const response = await fetch(path, {
    headers: { Authorization: `Bearer ${token}` },
    cache: "no-store",
  });
  if (!response.ok) throw new ApiError(response.status, "");
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename, class: "fac-hidden" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Export buttons for a workshop: scores per round (CSV), a summary per table (CSV) and
 * everything (JSON); `token` is the token or a function giving it.
 */
export function exportButtons(workshopId, token) {
  const run = (file, saveAs) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      await download(
        `/api/workshops/${encodeURIComponent(workshopId)}/${file}`,
        typeof token === "function" ? token() : token,
        saveAs,
      );
      say(t("The download has started."));
    } catch (error) {
      say(problemText(error));
    } finally {
      button.disabled = false;
    }
  };
  const files = [
    ["export.csv", `workshop-${workshopId}.csv`, t("Export CSV per round")],
    ["tables.csv", `workshop-${workshopId}-tables.csv`, t("Export CSV per table")],
    ["export.json", `workshop-${workshopId}.json`, t("Export JSON")],
  ];
  return files.map(([file, saveAs, label]) =>
    el("button", { type: "button", class: "fac-btn", onclick: run(file, saveAs) }, label),
  );
}

/** A small form to paste the facilitator key when the page has none. */
export function tokenForm(workshopId, onToken) {
  const input = el("input", {
    id: "fac-token",
    type: "password",
    autocomplete: "off",
    required: true,
    class: "fac-input",
  });
  const form = el(
    "form",
    { class: "fac-panel fac-token-form" },
    el("h2", {}, t("Facilitator key needed")),
    el(
      "p",
      {},
      t(
        "Open this page from the facilitator link you got when the workshop was created, or paste its key here.",
      ),
    ),
    el("label", { for: "fac-token" }, t("Facilitator key")),
    input,
    el("button", { type: "submit", class: "fac-btn fac-btn-primary" }, t("Use this key")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let value = input.value.trim();
    const inUrl = /token=([^&\s]+)/.exec(value);
    if (inUrl) value = decodeURIComponent(inUrl[1]);
    if (!value) return;
    rememberToken(workshopId, value);
    onToken(value);
  });
  return form;
}

export const SCORE_ORDER = ["consensus", "ownership", "innovation"];

export function scoreName(name) {
  return (
    {
      consensus: t("Consensus"),
      ownership: t("Ownership"),
      innovation: t("Innovation"),
    }[name] || name
  );
}

// One name per phase on every screen: the console, the projector and the phones.
export { phaseName } from "./ui-dom.js";

export function statusName(status) {
  return (
    {
      lobby: t("Waiting to start"),
      running: t("Running"),
      paused: t("Paused"),
      ended: t("Ended"),
    }[status] || status
  );
}

/** How a package was adopted, in a councillor's words (as app/engine/debrief.py words it). */
export function adoptedName(how) {
  return (
    {
      consensus: t("adopted on its own: nobody objected"),
      overruled: t("adopted over objections, without a revision"),
      dissent: t("adopted after a revision, with objections remaining"),
      politician_card: t("the chair played the politician card"),
      time_up: t("time ran out"),
      pending: t("not decided yet"),
    }[how] || how
  );
}

/** The first hex digits of a scenario version's sha256: enough to tell versions apart. */
export function shortHash(hash) {
  return String(hash || "").slice(0, 12);
}

/** A score value as text: one decimal dropped when whole, "n/a" when missing. */
export function fmtScore(value) {
  if (value === null || value === undefined) return t("n/a");
  return String(Math.round(value));
}

export function roleLabel(roleId) {
  return String(roleId || "").replace(/[-_]+/g, " ");
}
