// The debrief's "what if": the table's own game replayed by bots from a round the group
// picks, with the chair leading in a style it picks; the replays' band beside the line
// the table actually drew, and a sentence a trainer can read out.
import { t } from "./i18n.js";
import { SCORE_STYLE, svg } from "./charts.js";
import { SCORE_ORDER, api, clear, el, fmtScore, problemText } from "./fac-common.js";

export const WHATIF_STYLES = ["as_played", "facilitator", "catalyst", "initiator", "sovereign"];
export const WHATIF_GAMES = 50;

/** GET the replays of table `number` from `round` with the chair in `style`. */
export function fetchWhatIf(workshopId, number, round, style, token, games = WHATIF_GAMES) {
  const q = new URLSearchParams({ round: String(round), style, games: String(games), lang: document.body.dataset.lang || "da" });
  return api(`/api/workshops/${encodeURIComponent(workshopId)}/tables/${number}/whatif?${q}`, { token });
}

const cap = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : "");

export function styleLabel(style, styleNames) {
  return style === "as_played" ? t("as played (the same chair, other luck)") : styleNames[style] || style;
}

/** The sentence for one score, worded per style so both languages read naturally. */
export function whatIfSentence(w, score, scoreNames) {
  const s = w.scores[score];
  const values = {
    n: w.round,
    score: scoreNames(score),
    median: Math.round(s.p50),
    low: Math.round(s.p10),
    high: Math.round(s.p90),
    actual: w.actual[score] == null ? "–" : Math.round(w.actual[score]),
  };
  switch (w.style) {
    case "facilitator":
      return t("From round {n}, a facilitating chair ends at {score} {median} ({low}–{high}) where you ended at {actual}.", values);
    case "catalyst":
      return t("From round {n}, a catalysing chair ends at {score} {median} ({low}–{high}) where you ended at {actual}.", values);
    case "initiator":
      return t("From round {n}, an initiating chair ends at {score} {median} ({low}–{high}) where you ended at {actual}.", values);
    case "sovereign":
      return t("From round {n}, a sovereign chair ends at {score} {median} ({low}–{high}) where you ended at {actual}.", values);
    default:
      return t("From round {n}, the same chair with other luck ends at {score} {median} ({low}–{high}) where you ended at {actual}.", values);
  }
}

/** The score whose replays' median is furthest from what the table ended at. */
export function biggestGap(w) {
  // A score the table never measured (no ranking, no idea) has nothing to compare with.
  let best = "ownership";
  let gap = -1;
  for (const score of SCORE_ORDER.filter((name) => w.actual[name] != null)) {
    const g = Math.abs(w.scores[score].p50 - w.actual[score]);
    if (g > gap) [best, gap] = [score, g];
  }
  return best;
}

/** One score: the table's line over every round, the replays' p10–p90 band and median. */
function bandChart(d, w, score, name) {
  const width = 320;
  const height = 170;
  const pad = { left: 34, right: 12, top: 12, bottom: 26 };
  const n = d.scores.length;
  const x = (i) => pad.left + (n > 1 ? (i * (width - pad.left - pad.right)) / (n - 1) : 0);
  const y = (v) => pad.top + (1 - (v ?? 0) / 100) * (height - pad.top - pad.bottom);
  const first = w.round - 1;
  const band = w.bands.map((b, k) => [first + k, b[score]]);
  // The table's own line, broken where a round measured nothing.
  let pen = "M";
  const actual = d.scores
    .map((r, i) => {
      const v = r.scores[score];
      if (v == null) {
        pen = "M";
        return "";
      }
      const point = `${pen}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = "L";
      return point;
    })
    .filter(Boolean)
    .join(" ");
  const upper = band.map(([i, s]) => `${x(i).toFixed(1)},${y(s.p90).toFixed(1)}`);
  const lower = band.map(([i, s]) => `${x(i).toFixed(1)},${y(s.p10).toFixed(1)}`).reverse();
  const median = band.map(([i, s], k) => `${k ? "L" : "M"}${x(i).toFixed(1)},${y(s.p50).toFixed(1)}`).join(" ");
  const color = (SCORE_STYLE[score] || {}).color || "#1f5fa8";
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart whatif-chart",
    role: "img",
    "aria-label": t("{score}: your line over the rounds, and from round {n} the replays' middle 80 % (shaded) and median (dashed).", { score: name, n: w.round }),
  });
  const grid = svg("g", { class: "chart-grid", "aria-hidden": "true" });
  for (const tick of [0, 50, 100]) {
    grid.append(
      svg("line", { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick), stroke: "#c9ced6", "stroke-width": 1 }),
      svg("text", { x: pad.left - 6, y: y(tick) + 4, "text-anchor": "end", class: "chart-tick" }, tick),
    );
  }
  for (let i = 0; i < n; i += 1) {
    grid.append(svg("text", { x: x(i), y: height - 8, "text-anchor": "middle", class: "chart-tick" }, i + 1));
  }
  grid.append(svg("line", { x1: x(first), x2: x(first), y1: pad.top, y2: height - pad.bottom, stroke: "#555", "stroke-dasharray": "2 3" }));
  root.append(
    grid,
    svg("polygon", { points: [...upper, ...lower].join(" "), fill: color, "fill-opacity": "0.22", class: "whatif-band" }),
    svg("path", { d: median, fill: "none", stroke: color, "stroke-width": 2, "stroke-dasharray": "6 4", class: "whatif-median" }),
    svg("path", { d: actual, fill: "none", stroke: "#1b1b1b", "stroke-width": 2.5, class: "whatif-actual" }),
  );
  return root;
}

/** The result of one what-if: the sentence, a chart per score, the goals and the package. */
export function whatIfResult(d, w, scoreNames, roleNames) {
  const lead = biggestGap(w);
  const rows = SCORE_ORDER.map((score) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, cap(scoreNames(score))),
      el("td", {}, fmtScore(w.actual[score])),
      el("td", {}, `${Math.round(w.scores[score].p50)} (${Math.round(w.scores[score].p10)}–${Math.round(w.scores[score].p90)})`),
    ),
  );
  const goals = Object.entries(w.goals).map(([role, share]) =>
    el(
      "li",
      {},
      el("strong", {}, roleNames(role)),
      " ",
      t("goal met in {share} of the replays", { share: `${Math.round(share * 100)} %` }),
      " · ",
      w.actual_goals[role] ? t("met at your table") : t("not met at your table"),
    ),
  );
  const ideas = Object.entries(w.ideas || {}).map(([title, share]) => el("li", {}, `${title} — ${Math.round(share * 100)} %`));
  return [
    el("p", { class: "whatif-sentence" }, whatIfSentence(w, lead, scoreNames)),
    el(
      "div",
      { class: "whatif-charts" },
      SCORE_ORDER.map((score) => el("figure", { class: "whatif-figure" }, el("figcaption", {}, cap(scoreNames(score))), bandChart(d, w, score, cap(scoreNames(score))))),
    ),
    el("p", { class: "fac-help" }, t("Solid: your table. Dashed: the replays' median. Shaded: where eight in ten replays ended.")),
    el(
      "table",
      { class: "deb-table whatif-table" },
      el("caption", {}, t("Final scores: yours and the replays' ({games} games)", { games: w.games })),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("Score")), el("th", { scope: "col" }, t("Your table")), el("th", { scope: "col" }, t("Replays: median (10–90 %)")))),
      el("tbody", {}, rows),
    ),
    el("h4", {}, t("Secret goals in the replays")),
    el("ul", { class: "whatif-goals" }, goals),
    el("h4", {}, t("The ideas the replays adopted most often")),
    el("ul", { class: "whatif-ideas" }, ideas),
  ];
}

/** The "what if" step of a table's debrief: pick a round and a style, see the replays. */
export function whatIfStep(d, { workshopId, tableNumber, token, scoreNames, roleNames }) {
  if (!d.ended) return [el("p", { class: "fac-empty" }, t("The replays start once the game has ended."))];
  const rounds = el(
    "select",
    { id: "whatif-round", name: "round" },
    d.scores.map((r, i) => el("option", { value: String(i + 1) }, t("Round {n}: {title}", { n: i + 1, title: r.title }))),
  );
  const styles = el(
    "fieldset",
    { class: "whatif-styles" },
    el("legend", {}, t("The chair leads as")),
    WHATIF_STYLES.map((style, i) =>
      el(
        "label",
        { class: "whatif-style" },
        el("input", { type: "radio", name: "whatif-style", value: style, checked: i === 1 }),
        " ",
        styleLabel(style, d.style_names || {}),
      ),
    ),
  );
  const status = el("p", { class: "whatif-status", role: "status", "aria-live": "polite" });
  const result = el("div", { id: "whatif-result", "aria-live": "polite" });
  const run = el("button", { type: "submit", class: "fac-btn fac-btn-primary" }, t("Replay"));
  const form = el(
    "form",
    { class: "whatif-form no-print" },
    el("label", { for: "whatif-round" }, t("From round")),
    " ",
    rounds,
    styles,
    run,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const style = form.querySelector("input[name=whatif-style]:checked").value;
    run.disabled = true;
    result.setAttribute("aria-busy", "true");
    status.textContent = t("Replaying the game {games} times…", { games: WHATIF_GAMES });
    try {
      const w = await fetchWhatIf(workshopId, tableNumber, Number(rounds.value), style, token());
      clear(result).append(...whatIfResult(d, w, scoreNames, roleNames));
      status.textContent = "";
    } catch (err) {
      status.textContent = problemText(err);
    } finally {
      run.disabled = false;
      result.setAttribute("aria-busy", "false");
    }
  });
  // A round the group points at on the score chart is the round the replays start from.
  document.addEventListener("debrief-round", (event) => {
    rounds.value = String(event.detail + 1);
  });
  return [
    el("p", { class: "fac-help" }, t("Replay your game from a round of your choice, with the chair leading in another style. Bots play every seat as your group played it, {games} times over.", { games: WHATIF_GAMES })),
    form,
    status,
    result,
  ];
}

/** Per table: the best style's median from round 1 beside what the table did. */
export async function leadershipGaps(workshopId, tables, token) {
  const out = [];
  for (const tb of tables) {
    if (!tb.ended) continue;
    const runs = await Promise.all(
      WHATIF_STYLES.filter((s) => s !== "as_played").map((style) => fetchWhatIf(workshopId, tb.number, 1, style, token)),
    );
    out.push({ table: tb, runs });
  }
  return out;
}
