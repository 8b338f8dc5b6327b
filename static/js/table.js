// The table screen (/table/{code}): a projector view, watching without a seat.
//
// Designed for a wall at 1920×1080 read from the back of a room: one screen, no scrolling.
// The header says where the table is (round, phase, time left); a strip of seats says who
// is done and who is still at it; the main column shows the phase's own content (framings,
// ideas, the dilemma, the package and the answers); the side shows the scores and this
// round's moves. Lists too long for the wall show what matters most (the newest ideas, the
// best supported) and say how many more there are.
import { meter, SCORE_STYLE } from "./charts.js";
import { loadCatalog, t } from "./i18n.js";
import { Connection } from "./net.js";
import { mountBanners } from "./ui-banners.js";
import { $, adoptedName, clock, costTag, h, noveltyTag, phaseName, replace, scoreName, secondsLeft, trendArrow, trendLabel, voteName } from "./ui-dom.js";
import { lookups, voteTally } from "./ui-game.js";

const code = document.body.dataset.code || "";
let conn = null;
let look = null;
let pub = {};
const drawn = new Map();

function paint(el, signature, build) {
  const sig = JSON.stringify(signature);
  if (drawn.get(el) === sig) return;
  drawn.set(el, sig);
  replace(el, ...[].concat(build()));
}

// --- fitting long lists to the wall -----------------------------------------------------

/**
 * Show as many items of the element's `[data-fit-list]` as its box holds, in their order
 * (the most important first), and say how many are left out in its `[data-fit-more]`.
 */
function fit(box) {
  const list = box.querySelector("[data-fit-list]");
  const more = box.querySelector("[data-fit-more]");
  if (!list) return;
  const items = [...list.children];
  for (const item of items) item.hidden = false;
  if (more) more.hidden = true;
  // Below the wall layout (a phone, a narrow window) the page scrolls and shows everything.
  if (!window.matchMedia("(min-width: 56em) and (min-height: 30em)").matches) return;
  let shown = items.length;
  while (shown > 0 && box.scrollHeight > box.clientHeight + 1) {
    shown -= 1;
    items[shown].hidden = true;
    if (more) {
      more.hidden = false;
      more.textContent = t("+{n} more", { n: items.length - shown });
    }
  }
}

function fitAll() {
  for (const box of document.querySelectorAll("[data-fit]")) fit(box);
}

// --- who is done ------------------------------------------------------------------------

/** How many ideas each seat has played this round (a combined idea counts for its builder). */
function ideasThisRound() {
  const counts = new Map();
  for (const idea of pub.ideas || []) {
    if (idea.round !== pub.round.index) continue;
    const seat = idea.played_by[idea.played_by.length - 1];
    counts.set(seat, (counts.get(seat) || 0) + 1);
  }
  return counts;
}

/**
 * Per seat, where it stands in this phase: {state: done | working | waiting, label}.
 * "Working" is what the phase still needs from the seat; "waiting" is a seat with nothing
 * to do until another acts (the others, while the chair puts a package together).
 */
function seatStates() {
  const states = new Map();
  const round = pub.round;
  const seats = pub.seats || [];
  if (!round || pub.status === "ended") return states;
  const done = new Set(pub.done || []);
  const doneLabel = `✓ ${t("done")}`;
  const mark = (seat, finished, working = t("still working")) =>
    states.set(seat.id, finished ? { state: "done", label: doneLabel } : { state: "working", label: working });
  switch (round.phase) {
    case "frame": {
      const ranked = new Set(pub.ranked_framings || []);
      for (const s of seats) mark(s, done.has(s.id) || ranked.has(s.id));
      break;
    }
    case "ideate": {
      const counts = ideasThisRound();
      const limit = round.ideas_per_player || Infinity;
      for (const s of seats) mark(s, done.has(s.id) || (counts.get(s.id) || 0) >= limit);
      break;
    }
    case "rank": {
      const ranked = new Set(pub.ranked_ideas || []);
      for (const s of seats) mark(s, done.has(s.id) || ranked.has(s.id));
      break;
    }
    case "dilemma": {
      const d = pub.dilemma;
      const advised = new Set((d && d.advised_by) || []);
      for (const s of seats) {
        if (d && d.chosen) mark(s, true);
        else if (d && s.role === d.target) mark(s, false, t("choosing"));
        else if (advised.has(s.id)) states.set(s.id, { state: "done", label: `✓ ${t("advised")}` });
        else mark(s, done.has(s.id), t("may advise"));
      }
      break;
    }
    case "decide": {
      const p = pub.proposal || {};
      const votes = p.votes || {};
      const chair = (s) => Boolean(look.role(s.role) && look.role(s.role).chair);
      const everyone = seats.length > 0 && seats.every((s) => votes[s.id]);
      for (const s of seats) {
        if (p.adopted) mark(s, true);
        else if (!p.ideas) states.set(s.id, chair(s) ? { state: "working", label: t("proposing") } : { state: "waiting", label: t("waiting") });
        else if (votes[s.id] && !(everyone && chair(s))) states.set(s.id, { state: "done", label: voteName(votes[s.id]), vote: votes[s.id] });
        else mark(s, false, votes[s.id] ? t("adopt or revise") : t("not yet"));
      }
      break;
    }
    default:
      break;
  }
  return states;
}

const STATE_ICON = { done: "✓", working: "…", waiting: "·" };

function seatsView(states) {
  const seats = pub.seats || [];
  if (!seats.length) return h("p", { text: t("Nobody has joined yet.") });
  return h(
    "ul",
    { class: "wall-seats" },
    seats.map((s) => {
      const st = states.get(s.id);
      return h(
        "li",
        { class: "wall-seat", dataset: { state: st ? st.state : "none", seat: s.id, ...(st && st.vote ? { vote: st.vote } : {}) } },
        h(
          "p",
          { class: "wall-seat-name" },
          st ? h("span", { class: "wall-seat-icon", "aria-hidden": "true", text: STATE_ICON[st.state] }) : null,
          h("strong", { text: s.name }),
        ),
        h(
          "p",
          { class: "wall-seat-role" },
          s.bot ? h("span", { class: "wall-tag wall-tag-bot", text: t("bot") }) : null,
          !s.bot && !s.connected ? h("span", { class: "wall-tag wall-tag-off", text: t("offline") }) : null,
          h("span", { text: look.roleName(s.role) }),
        ),
        st ? h("p", { class: "wall-seat-state", text: st.label }) : null,
      );
    }),
  );
}

// --- the phase's own content ------------------------------------------------------------

function ideaItem(idea, { support = null, fresh = false } = {}) {
  const roles = idea.contributors.map((r) => look.roleName(r)).join(" + ");
  const built = Boolean(idea.base);
  return h(
    "li",
    { class: `wall-idea${built ? " is-built" : ""}${fresh ? " is-fresh" : ""}`, dataset: { idea: idea.id } },
    h("p", { class: "wall-idea-title", text: idea.title }),
    roles
      ? h("p", { class: "wall-idea-who" }, built ? t("Built together by {roles}", { roles }) : t("From: {roles}", { roles }))
      : null,
    h(
      "div",
      { class: "wall-idea-tags" },
      support ? h("span", { class: "wall-tag wall-tag-support", text: t("Support {n}", { n: support }) }) : null,
      costTag(idea.cost),
      noveltyTag(idea.novelty),
    ),
  );
}

function ideasList(ideas, options = () => ({})) {
  if (!ideas.length) return [h("p", { text: t("No ideas on the table yet.") })];
  return [
    h("ul", { class: "wall-ideas", "data-fit-list": true }, ideas.map((i) => ideaItem(i, options(i)))),
    h("p", { class: "wall-more", "data-fit-more": true, hidden: true }),
  ];
}

/** Newest first: on a full table the ideas just played are the ones the room talks about. */
function newestIdeas() {
  return [...(pub.ideas || [])].reverse();
}

/** Best supported first (the rankings so far), then the newest. */
function supportedIdeas() {
  const support = pub.support || {};
  return newestIdeas().sort((a, b) => (support[b.id] || 0) - (support[a.id] || 0));
}

function framingsView() {
  const framings = pub.framings || [];
  return [
    h(
      "ol",
      { class: "wall-framings", "data-fit-list": true },
      framings.map((f) => {
        const by = f.own && f.added_by ? look.seat(f.added_by) : null;
        return h(
          "li",
          { class: `wall-framing${pub.framing === f.id ? " is-chosen" : ""}` },
          h("span", { class: "wall-clamp", text: f.text }),
          by ? h("span", { class: "wall-tag", text: t("From: {roles}", { roles: look.roleName(by.role) }) }) : null,
        );
      }),
    ),
    h("p", { class: "wall-more", "data-fit-more": true, hidden: true }),
  ];
}

function dilemmaView(d) {
  return [
    h("p", { class: "wall-dilemma-text wall-clamp", text: d.text }),
    h(
      "ol",
      { class: "wall-options", dataset: { count: String(d.options.length) } },
      d.options.map((o) =>
        h(
          "li",
          { class: `wall-option${d.chosen === o.id ? " is-chosen" : ""}`, dataset: { option: o.id } },
          h("p", { class: "wall-option-text", text: o.text }),
          h(
            "p",
            { class: "wall-option-foot" },
            h("span", { class: "wall-advised", text: t("Advised by {n}", { n: o.advised }) }),
            d.chosen === o.id ? h("strong", { class: "wall-chosen", text: `✓ ${t("Chosen")}` }) : null,
          ),
        ),
      ),
    ),
  ];
}

function answersView(p) {
  const votes = p.votes || {};
  return h(
    "section",
    { class: "wall-answers", "aria-labelledby": "answers-title" },
    h("h3", { id: "answers-title", text: t("Answers") }),
    h("p", { class: "wall-tally", text: voteTally(pub) }),
    h(
      "ul",
      { class: "wall-votes" },
      (pub.seats || []).map((s) =>
        h(
          "li",
          { class: "wall-vote", dataset: { vote: votes[s.id] || "none" } },
          h("span", { class: "wall-vote-who" }, h("strong", { text: s.name }), ` · ${look.roleName(s.role)}`),
          h("span", { class: "wall-vote-answer", text: votes[s.id] ? voteName(votes[s.id]) : t("not yet") }),
        ),
      ),
    ),
  );
}

function packageView(ids) {
  return h(
    "div",
    { class: "wall-package" },
    h(
      "ol",
      { class: "wall-ideas wall-ideas-package", "data-fit-list": true },
      ids.map((id) => {
        const idea = look.idea(id);
        return idea ? ideaItem(idea) : h("li", { class: "wall-idea", text: id });
      }),
    ),
    h("p", { class: "wall-more", "data-fit-more": true, hidden: true }),
  );
}

function budgetNote(p) {
  const budget = pub.round.budget;
  if (budget === null || budget === undefined) return "";
  return t("Cost {cost} of a budget of {budget}", { cost: p.cost, budget });
}

/** The stage: {title, note, body, signature} for this phase. */
function stage(states) {
  const round = pub.round;
  const total = (pub.seats || []).length;
  const doneCount = [...states.values()].filter((s) => s.state === "done").length;
  const ideas = pub.ideas || [];
  if (pub.status === "ended") {
    const p = pub.proposal || {};
    const ids = (pub.final && pub.final.package) || p.ideas || [];
    return {
      kind: "ended",
      title: t("The final proposal"),
      note: p.adopted ? adoptedName(p.adopted) : "",
      signature: [ids, p, pub.seats, pub.ideas],
      body: () => h("div", { class: "wall-decide" }, packageView(ids), p.votes && Object.keys(p.votes).length ? answersView(p) : null),
    };
  }
  switch (round.phase) {
    case "frame":
      return {
        kind: "frame",
        title: t("Framings of the problem"),
        note: t("{n} of {total} have ranked.", { n: doneCount, total }),
        signature: [pub.framings, pub.framing, pub.seats],
        body: framingsView,
      };
    case "ideate":
      return {
        kind: "ideate",
        title: t("Ideas on the table ({n})", { n: ideas.length }),
        note: t("{n} of {total} done", { n: doneCount, total }),
        signature: [ideas, round.index],
        body: () => ideasList(newestIdeas(), (i) => ({ fresh: i.round === round.index })),
      };
    case "rank":
      return {
        kind: "rank",
        title: t("Ideas on the table ({n})", { n: ideas.length }),
        note: t("{n} of {total} have ranked.", { n: doneCount, total }),
        signature: [ideas, pub.support],
        body: () => ideasList(supportedIdeas(), (i) => ({ support: (pub.support || {})[i.id] })),
      };
    case "dilemma": {
      const d = pub.dilemma;
      if (!d) return { kind: "dilemma", title: round.title, note: "", signature: [null], body: () => [] };
      return {
        kind: "dilemma",
        title: d.title,
        note: d.chosen ? `✓ ${t("Chosen")}` : t("The {role} decides.", { role: look.roleName(d.target) }),
        signature: [d],
        body: () => dilemmaView(d),
      };
    }
    case "decide": {
      const p = pub.proposal || {};
      if (!p.ideas) {
        return {
          kind: "decide",
          title: t("Ideas on the table ({n})", { n: ideas.length }),
          note: t("The chair is putting together a package."),
          signature: [ideas, pub.support, "waiting"],
          body: () => ideasList(supportedIdeas(), (i) => ({ support: (pub.support || {})[i.id] })),
        };
      }
      return {
        kind: "decide",
        title: p.revision ? t("The revised proposal") : t("The proposal"),
        note: p.adopted ? adoptedName(p.adopted) : budgetNote(p),
        signature: [p, ideas, pub.seats, round.budget],
        body: () => h("div", { class: "wall-decide" }, packageView(p.ideas), answersView(p)),
      };
    }
    default:
      return { kind: round.phase, title: round.title, note: "", signature: [round.phase], body: () => [] };
  }
}

// --- scores -----------------------------------------------------------------------------

/** The scores as the workshop shows them: numbers with a bar, or only the direction in words. */
function scoresView(scores) {
  const current = (scores && scores.current) || {};
  const names = ["consensus", "ownership", "innovation"].filter((k) => k in current);
  for (const k of Object.keys(current)) if (!names.includes(k)) names.push(k);
  if (!names.length) return h("p", { text: t("Scores appear when the first round ends.") });
  return h(
    "ul",
    { class: "wall-scores", dataset: { visible: "value" in current[names[0]] ? "numbers" : "arrows" } },
    names.map((name) => {
      const entry = current[name];
      const numbered = "value" in entry;
      const value = numbered && entry.value !== null ? Math.round(entry.value) : null;
      return h(
        "li",
        { class: "wall-score", dataset: { score: name, trend: entry.trend || "flat" } },
        h(
          "p",
          { class: "wall-score-head" },
          h("span", { class: "wall-score-name", text: scoreName(name) }),
          trendArrow(entry.trend),
          numbered
            ? h("span", { class: "wall-score-value", text: value === null ? t("n/a") : String(value) })
            : h("span", { class: "wall-score-trend", text: trendLabel(entry.trend) }),
        ),
        numbered ? meter({ value, max: 100, color: (SCORE_STYLE[name] || {}).color, height: 12 }) : null,
        entry.reason ? h("p", { class: "wall-score-reason wall-clamp", text: entry.reason }) : null,
      );
    }),
  );
}

// --- moves -------------------------------------------------------------------------------

/** This round's moves, the newest first: what the table is doing besides the phase's task. */
function movesView() {
  const index = pub.round.index;
  const moves = (pub.moves || []).filter((m) => m.round === index).reverse();
  if (!moves.length) return h("p", { text: t("No moves yet this round.") });
  return [
    h(
      "ol",
      { class: "wall-moves", "data-fit-list": true },
      moves.map((m) =>
        h(
          "li",
          { class: "wall-move" },
          h("strong", { text: look.roleName(m.role) }),
          h("span", { text: m.target ? t("{move} → {target}", { move: m.title, target: look.roleName(m.target) }) : m.title }),
        ),
      ),
    ),
    h("p", { class: "wall-more", "data-fit-more": true, hidden: true }),
  ];
}

// --- the clock --------------------------------------------------------------------------

function tick() {
  const el = $("#timer");
  if (!pub.status || pub.status === "lobby" || pub.status === "ended") {
    el.hidden = true;
    return;
  }
  const left = secondsLeft(pub);
  el.hidden = left === null;
  if (left === null) return;
  const paused = pub.status === "paused";
  el.textContent = paused ? `${t("Paused")} ${clock(left)}` : clock(left);
  el.classList.toggle("is-paused", paused);
  el.classList.toggle("is-low", !paused && left < 60);
}

// --- the whole screen -------------------------------------------------------------------

function render(state) {
  pub = state.public || {};
  look = lookups(conn);
  const sc = conn.scenario;
  const round = pub.round;
  const ended = pub.status === "ended";
  const lobby = !round;
  const wall = $("#wall");
  wall.dataset.phase = lobby ? "lobby" : ended ? "ended" : round.phase;
  wall.dataset.status = pub.status || "";
  $("#body").hidden = false;
  $("#seats-panel").hidden = false;
  $("#title").textContent = sc.title;
  $("#round").textContent = round
    ? `${t("Round {n} of {count}", { n: round.index + 1, count: round.count })} · ${phaseName(ended ? "ended" : round.phase)}`
    : t("Waiting for the game to start");
  tick();

  $("#lobby").hidden = !lobby;
  $("#prompt-panel").hidden = lobby;
  $("#stage").hidden = lobby;
  $("#scores-panel").hidden = lobby;
  $("#moves-panel").hidden = lobby || ended;
  if (lobby) {
    showQr();
    $("#join-url").textContent = `${document.body.dataset.joinBase || location.origin}/join/${code}`;
  } else {
    $("#prompt-title").textContent = ended ? t("Game over") : round.title;
    $("#prompt").textContent = ended ? t("The committee has handed in its proposal.") : round.prompt;
  }

  const states = seatStates();
  const total = (pub.seats || []).length;
  const finished = [...states.values()].filter((s) => s.state === "done").length;
  $("#seats-note").textContent = states.size ? t("{n} of {total} done", { n: finished, total }) : "";
  $("#seats-note").hidden = !states.size;
  const seatSig = [...states.entries()];
  paint($("#seats"), [pub.seats, seatSig], () => seatsView(states));

  if (!lobby) {
    const now = stage(states);
    $("#stage").dataset.kind = now.kind;
    $("#stage-title").textContent = now.title;
    $("#stage-note").textContent = now.note;
    $("#stage-note").hidden = !now.note;
    paint($("#stage-body"), [now.kind, now.signature], now.body);
    paint($("#scores"), [pub.scores], () => scoresView(pub.scores));
    paint($("#moves"), [pub.moves, round.index], movesView);
  }
  // Anything above a list (a longer prompt, a new score) changes the room the list has.
  fitAll();
}

/** The join QR code, made by the server as SVG. */
function showQr() {
  const qr = $("#qr");
  if (!qr.getAttribute("src")) qr.src = `/qr/${encodeURIComponent(code)}.svg`;
}

async function main() {
  await loadCatalog();
  conn = new Connection({ code });
  mountBanners(conn, $("#banners"));
  conn.onState(render);
  conn.onFatal(() => {
    $("#round").textContent = t("There is no table with the code {code}.", { code });
  });
  conn.start();
  setInterval(tick, 1000);
  // A list's box changes size with the window and with what is above it (an announcement,
  // a longer prompt): fit it again then. Fitting changes what is inside a box, never its size.
  const boxes = new ResizeObserver((entries) => {
    for (const entry of entries) fit(entry.target);
  });
  for (const box of document.querySelectorAll("[data-fit]")) boxes.observe(box);
}

main();
