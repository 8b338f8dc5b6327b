// Small DOM helpers shared by the pages. Every text goes in through textContent:
// nothing from a player, a scenario or the server is ever parsed as HTML.
import { t } from "./i18n.js";

/**
 * Build an element: h("button", {class: "btn", onclick: fn, "aria-pressed": "true"}, "text", child)
 * Attributes: class, text, dataset (object), on* (listeners), boolean true/false, others as strings.
 * Children: strings (as text nodes), nodes, arrays, null/undefined/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "value" || key === "checked" || key === "disabled" || key === "selected") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace an element's children, keeping keyboard focus on the element with the same data-key. */
export function replace(el, ...children) {
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset.key : undefined;
  el.replaceChildren();
  append(el, children);
  if (key) {
    const again = el.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again && !again.disabled) again.focus({ preventScroll: true });
  }
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** Show or hide an element (the `hidden` attribute; CSS keeps [hidden] hidden). */
export function show(el, visible) {
  if (el) el.hidden = !visible;
}

/** Inline Markdown emphasis (**bold**, *italic*, _italic_) as strong/em nodes with text inside. */
function inline(text) {
  const nodes = [];
  const pattern = /(\*\*|__)(.+?)\1|(\*|_)(?!\s)(.+?)\3/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) nodes.push(text.slice(last, match.index));
    if (match[2] !== undefined) nodes.push(h("strong", { text: match[2] }));
    else nodes.push(h("em", { text: match[4] }));
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

/**
 * A safe reading of simple Markdown: paragraphs split on blank lines, "# " headings,
 * "- " lists, **bold** and *italic*. Everything else stays plain text.
 */
export function markdown(text, headingLevel = 3) {
  const blocks = String(text || "").replace(/\r\n?/g, "\n").split(/\n\s*\n/);
  const out = [];
  for (const block of blocks) {
    const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
    if (!lines.length) continue;
    if (lines.every((l) => /^[-*+]\s+/.test(l))) {
      out.push(h("ul", {}, lines.map((l) => h("li", {}, inline(l.replace(/^[-*+]\s+/, ""))))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(lines[0]);
    if (heading) {
      const level = Math.min(6, headingLevel + heading[1].length - 1);
      out.push(h(`h${level}`, {}, inline(heading[2])));
      lines.shift();
      if (!lines.length) continue;
    }
    out.push(h("p", {}, inline(lines.join(" "))));
  }
  return out;
}

/** mm:ss (or h:mm:ss) for a number of seconds. */
export function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(hours ? 2 : 1, "0");
  const ss = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Seconds left on the table's clock, from the server's deadline and this device's clock. */
export function secondsLeft(pub) {
  if (!pub || !pub.timer) return null;
  if (pub.status === "paused") return pub.timer.remaining;
  if (pub.timer.deadline) return Math.max(0, pub.timer.deadline - Date.now() / 1000);
  return null;
}

/** The human name of a phase type. */
export function phaseName(phase) {
  switch (phase) {
    case "frame":
      return t("Frame the problem");
    case "ideate":
      return t("Ideas");
    case "dilemma":
      return t("Dilemma");
    case "rank":
      return t("Rank the ideas");
    case "decide":
      return t("Decide");
    case "ended":
      return t("Game over");
    default:
      return phase || "";
  }
}

/** The human name of a score. */
export function scoreName(score) {
  switch (score) {
    case "consensus":
      return t("Consensus");
    case "ownership":
      return t("Ownership");
    case "innovation":
      return t("Innovation");
    default:
      return score;
  }
}

export function voteName(choice) {
  switch (choice) {
    case "accept":
      return t("Accept");
    case "live_with":
      return t("Can live with it");
    case "object":
      return t("Object");
    default:
      return choice;
  }
}

/** How the package was adopted, as a sentence for the players' and the table's screens. */
export function adoptedName(how) {
  switch (how) {
    case "consensus":
      return t("Adopted on its own: nobody objected");
    case "overruled":
      return t("Adopted over objections, without a revision");
    case "dissent":
      return t("Adopted after a revision, with objections remaining");
    case "politician_card":
      return t("Adopted: the chair played the politician card");
    case "time_up":
      return t("Adopted: time ran out");
    default:
      return how || "";
  }
}

const ARROWS = { up: "▲", down: "▼", flat: "▬" };

export function trendLabel(trend) {
  switch (trend) {
    case "up":
      return t("rising");
    case "down":
      return t("falling");
    default:
      return t("unchanged");
  }
}

/** A trend arrow with an accessible name. */
export function trendArrow(trend) {
  return h("span", {
    class: `trend trend-${trend || "flat"}`,
    role: "img",
    "aria-label": trendLabel(trend),
    text: ARROWS[trend] || ARROWS.flat,
  });
}

/** The scores block (numbers or arrows, as the trainer chose), for the player and the table. */
export function scoresView(scores) {
  const current = (scores && scores.current) || {};
  const names = ["consensus", "ownership", "innovation"].filter((k) => k in current);
  for (const k of Object.keys(current)) if (!names.includes(k)) names.push(k);
  if (!names.length) return [h("p", { class: "muted", text: t("Scores appear when the first round ends.") })];
  return [
    h(
      "ul",
      { class: "scores" },
      names.map((name) => {
        const entry = current[name];
        const number =
          "value" in entry
            ? h("span", { class: "score-value", text: entry.value === null ? t("n/a") : Math.round(entry.value) })
            : null;
        return h(
          "li",
          { class: "score" },
          h("span", { class: "score-head" }, h("span", { class: "score-name", text: scoreName(name) }), number, trendArrow(entry.trend)),
          h("span", { class: "score-reason", text: entry.reason || "" }),
        );
      }),
    ),
  ];
}

/** A row of small chips, e.g. interests an idea serves: "+2 Wellbeing". */
export function servesChips(serves, interestName) {
  const entries = Object.entries(serves || {}).filter(([, w]) => w);
  if (!entries.length) return null;
  return h(
    "ul",
    { class: "chips", "aria-label": t("Serves") },
    entries.map(([id, weight]) =>
      h("li", { class: `chip ${weight > 0 ? "chip-plus" : "chip-minus"}` }, `${weight > 0 ? "+" : "−"}${Math.abs(weight)} ${interestName(id)}`),
    ),
  );
}

/** Novelty 0..3 as dots with a label. */
export function noveltyTag(novelty) {
  const n = Math.max(0, Math.min(3, novelty || 0));
  return h(
    "span",
    { class: "tag tag-novelty", title: t("Novelty") },
    h("span", { class: "visually-hidden", text: t("Novelty {n} of 3", { n }) }),
    h("span", { "aria-hidden": "true", text: `${t("Novelty")} ${"●".repeat(n)}${"○".repeat(3 - n)}` }),
  );
}

export function costTag(cost) {
  return h("span", { class: "tag tag-cost", text: t("Cost {cost}", { cost: cost ?? 0 }) });
}

/** A status line (role="status" live region) with a type: info | ok | warn | error. */
export function say(el, text, kind = "info") {
  if (!el) return;
  el.textContent = text || "";
  el.dataset.kind = kind;
  el.hidden = !text;
}

/** Read the seat kept by the join page. */
export function storedSeat() {
  try {
    const seat = JSON.parse(localStorage.getItem("pm.seat") || "null");
    return seat && typeof seat.token === "string" ? seat : null;
  } catch {
    return null;
  }
}

export function forgetSeat() {
  try {
    localStorage.removeItem("pm.seat");
  } catch {
    // Private mode: nothing stored, nothing to forget.
  }
}
