// The facilitator console: create a workshop, then watch and steer all its tables.
import { loadCatalog, t } from "./i18n.js";
import {
  SCORE_ORDER,
  api,
  clear,
  el,
  exportButtons,
  fmtScore,
  forgetToken,
  phaseName,
  problemText,
  roleLabel,
  say,
  scoreName,
  statusName,
  tokenForm,
  workshopToken,
} from "./fac-common.js";

const POLL_MS = 3000;
const workshopId = document.body.dataset.workshop || "";
const lang = document.body.dataset.lang || "da";

// --- create ---------------------------------------------------------------------------------

async function setupCreate() {
  const form = document.getElementById("create-form");
  const select = document.getElementById("f-scenario");
  const error = document.getElementById("create-error");
  try {
    const scenarios = await api("/api/scenarios");
    clear(select);
    for (const s of scenarios) {
      select.append(el("option", { value: s.id }, `${s.title} (${s.languages.join(", ")})`));
    }
    if (!scenarios.length) select.append(el("option", { value: "" }, t("No cases are installed")));
  } catch (err) {
    error.textContent = problemText(err);
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const data = new FormData(form);
    const tables = Number(data.get("tables"));
    if (!Number.isInteger(tables) || tables < 1 || tables > 50) {
      error.textContent = t("The number of tables must be a whole number from 1 to 50.");
      document.getElementById("f-tables").focus();
      return;
    }
    if (!data.get("scenario")) {
      error.textContent = t("Choose a case.");
      select.focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(t("Creating the workshop…"));
    try {
      const created = await api("/api/workshops", {
        method: "POST",
        body: {
          scenario: data.get("scenario"),
          language: data.get("language") || lang,
          tables,
          bots: data.get("bots") === "on",
          show_numbers: data.get("show_numbers") === "1",
          autostart: data.get("autostart") === "on",
          title: String(data.get("title") || "").trim(),
        },
      });
      if (created.title || data.get("title")) {
        try {
          localStorage.setItem(`pm.fac.${created.workshop_id}.title`, String(data.get("title")).trim());
        } catch {
          // no storage: the title is only a label
        }
      }
      // Same origin, path and hash: the console then reads the token from the hash.
      const target = new URL(created.facilitator_url, location.href);
      location.assign(target.pathname + target.search + target.hash);
    } catch (err) {
      error.textContent = problemText(err);
      button.disabled = false;
    }
  });
}

// --- the console ----------------------------------------------------------------------------

let token = "";
let timer = null;
let failures = 0;
const cards = new Map(); // table number -> {root, parts...}

const COMMANDS = [
  { command: "start", label: () => t("Start"), when: ["lobby"] },
  { command: "pause", label: () => t("Pause"), when: ["running"] },
  { command: "resume", label: () => t("Resume"), when: ["paused"] },
  { command: "extend", seconds: 60, label: () => t("+1 min"), when: ["running", "paused"] },
  { command: "extend", seconds: 300, label: () => t("+5 min"), when: ["running", "paused"] },
  { command: "advance", label: () => t("Next phase"), when: ["running", "paused"] },
  { command: "end", label: () => t("End game"), when: ["lobby", "running", "paused"] },
];

function commandLabel(c) {
  const labels = {
    start: t("start"),
    pause: t("pause"),
    resume: t("resume"),
    extend: t("extend"),
    advance: t("move to the next phase"),
    end: t("end"),
  };
  return labels[c] || c;
}

function showResults(command, results) {
  const box = document.getElementById("results");
  clear(box);
  const ok = results.filter((r) => r.ok).length;
  const summary = t("{command}: done at {ok} of {all} tables.", {
    command: commandLabel(command),
    ok,
    all: results.length,
  });
  box.append(el("p", { class: "fac-results-sum" }, summary));
  const list = el("ul", { class: "fac-results-list" });
  for (const r of results) {
    list.append(
      el(
        "li",
        { class: r.ok ? "ok" : "fail" },
        el("span", { class: "fac-mark", "aria-hidden": "true" }, r.ok ? "✓" : "✕"),
        r.ok
          ? t("Table {n}: done.", { n: r.table })
          : t("Table {n}: not done — {why}", { n: r.table, why: r.message || r.code || "?" }),
      ),
    );
  }
  box.append(list);
  say(summary);
}

async function control(command, seconds, table, button) {
  if (command === "end") {
    const question =
      table === undefined
        ? t("End the game at every table now? The tables go to their debrief.")
        : t("End the game at table {n} now?", { n: table });
    if (!window.confirm(question)) return;
  }
  const body = { command };
  if (seconds) body.seconds = seconds;
  if (table !== undefined) body.table = table;
  if (button) button.disabled = true;
  try {
    const results = await api(`/api/workshops/${workshopId}/control`, { method: "POST", body, token });
    showResults(command, results);
  } catch (err) {
    showResults(command, []);
    say(problemText(err));
    document.getElementById("results").append(el("p", { class: "fac-error" }, problemText(err)));
  } finally {
    if (button) button.disabled = false;
    refresh();
  }
}

function controlButtons(table) {
  return COMMANDS.map((c) => {
    const name =
      table === undefined
        ? null
        : t("{action} (table {n})", { action: c.label(), n: table });
    const button = el(
      "button",
      {
        type: "button",
        class: `fac-btn fac-cmd fac-cmd-${c.command}`,
        "aria-label": name,
        "data-command": c.command,
      },
      c.label(),
    );
    button.addEventListener("click", () => control(c.command, c.seconds, table, button));
    button.dataset.when = c.when.join(" ");
    return button;
  });
}

function buildCard(table) {
  const n = table.number;
  const heading = el("h3", { id: `t${n}-head` }, t("Table {n}", { n }));
  const status = el("span", { class: "fac-badge" });
  const round = el("p", { class: "fac-round" });
  const seats = el("ul", { class: "fac-seats", "aria-label": t("Seats at table {n}", { n }) });
  const scores = el("dl", { class: "fac-scores" });
  const controls = el(
    "div",
    { class: "fac-controls fac-controls-small", role: "group", "aria-label": t("Controls for table {n}", { n }) },
    controlButtons(n),
  );
  const code = el("span", { class: "fac-code" });
  const links = el(
    "p",
    { class: "fac-card-links" },
    el("a", { href: `/table/${encodeURIComponent(table.code)}`, target: "_blank", rel: "noopener" }, t("Table screen")),
    el("a", { href: `/debrief/${workshopId}/${n}` }, t("Table debrief")),
  );
  const root = el(
    "article",
    { class: "fac-card", "aria-labelledby": `t${n}-head` },
    el("div", { class: "fac-card-head" }, heading, status),
    el("p", { class: "fac-code-line" }, t("Join code"), " ", code),
    round,
    scores,
    seats,
    controls,
    links,
  );
  return { root, status, round, seats, scores, controls, code };
}

function updateCard(card, table, showNumbers) {
  card.root.dataset.status = table.status;
  card.status.textContent = statusName(table.status);
  card.status.className = `fac-badge fac-badge-${table.status}`;
  card.code.textContent = table.code;
  const total = table.round_count;
  let roundText;
  if (table.status === "ended")
    roundText =
      table.round === null || table.round === undefined || table.round < 0
        ? t("Ended before it started")
        : t("Ended in round {x} of {y}", { x: table.round + 1, y: total });
  else if (table.round === null || table.round === undefined || table.round < 0)
    roundText = t("Not started · {y} rounds", { y: total });
  else
    roundText = t("Round {x} of {y} · {phase}", {
      x: table.round + 1,
      y: total,
      phase: phaseName(table.phase),
    });
  card.round.textContent = roundText;

  clear(card.scores);
  for (const name of SCORE_ORDER) {
    const value = table.scores ? table.scores[name] : null;
    card.scores.append(
      el("div", { class: "fac-score" }, el("dt", {}, scoreName(name)), el("dd", {}, fmtScore(value))),
    );
  }
  card.scores.title = showNumbers ? "" : t("Players see arrows only; the numbers are for you.");

  clear(card.seats);
  if (!table.seats.length) card.seats.append(el("li", { class: "fac-empty" }, t("No one has joined yet.")));
  for (const seat of table.seats) {
    const state = seat.bot ? t("bot") : seat.connected ? t("connected") : t("not connected");
    card.seats.append(
      el(
        "li",
        { class: `fac-seat ${seat.connected || seat.bot ? "on" : "off"}` },
        el("span", { class: "fac-dot", "aria-hidden": "true" }),
        el("span", { class: "fac-seat-role" }, roleLabel(seat.role)),
        el("span", { class: "fac-seat-name" }, seat.name || "—"),
        el("span", { class: "fac-seat-state" }, state),
      ),
    );
  }
  for (const button of card.controls.querySelectorAll("button")) {
    const allowed = button.dataset.when.split(" ").includes(table.status);
    button.disabled = !allowed;
  }
}

function renderStatus(data) {
  const meta = document.getElementById("fac-meta");
  let title = "";
  try {
    title = localStorage.getItem(`pm.fac.${workshopId}.title`) || "";
  } catch {
    title = "";
  }
  if (title) document.getElementById("fac-title").textContent = title;
  const counts = { lobby: 0, running: 0, paused: 0, ended: 0 };
  for (const table of data.tables) counts[table.status] = (counts[table.status] || 0) + 1;
  const shown = data.show_numbers ? t("numbers") : t("arrows");
  meta.textContent = t(
    "Case: {scenario} · language {language} · {tables} tables ({running} running, {paused} paused, {ended} ended) · players see {shown}",
    {
      scenario: data.scenario,
      language: data.language.toUpperCase(),
      tables: data.tables.length,
      running: counts.running,
      paused: counts.paused,
      ended: counts.ended,
      shown,
    },
  );
  const grid = document.getElementById("tables");
  for (const table of data.tables) {
    let card = cards.get(table.number);
    if (!card) {
      card = buildCard(table);
      cards.set(table.number, card);
      grid.append(card.root);
    }
    updateCard(card, table, data.show_numbers);
  }
  const time = new Date().toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  document.getElementById("fac-updated").textContent = t("Updated {time}", { time });
}

async function refresh() {
  clearTimeout(timer);
  try {
    const data = await api(`/api/workshops/${workshopId}`, { token });
    failures = 0;
    renderStatus(data);
  } catch (err) {
    failures += 1;
    if (err.status === 401 || err.status === 404) {
      stop(problemText(err), err.status === 401);
      return;
    }
    document.getElementById("fac-updated").textContent = t("Not updated: {why}", { why: problemText(err) });
  }
  timer = setTimeout(refresh, failures ? Math.min(POLL_MS * 2 ** failures, 30000) : POLL_MS);
}

function stop(message, askForToken) {
  clearTimeout(timer);
  document.getElementById("fac-console").hidden = true;
  const auth = clear(document.getElementById("fac-auth"));
  auth.append(el("p", { class: "fac-error", role: "alert" }, message));
  if (askForToken) auth.append(tokenForm(workshopId, start));
}

function start(newToken) {
  token = newToken;
  clear(document.getElementById("fac-auth"));
  document.getElementById("fac-console").hidden = false;
  refresh();
}

function setupConsole() {
  document.getElementById("all-controls").append(...controlButtons(undefined));
  document.getElementById("fac-exports").append(...exportButtons(workshopId, () => token));

  const form = document.getElementById("announce-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("announce-text");
    const text = input.value.trim();
    if (!text) return;
    try {
      await api(`/api/workshops/${workshopId}/announce`, { method: "POST", body: { text }, token });
      input.value = "";
      const box = clear(document.getElementById("results"));
      box.append(el("p", { class: "fac-results-sum" }, t("Announcement sent to every table: “{text}”", { text })));
      say(t("Announcement sent."));
    } catch (err) {
      say(problemText(err));
    }
  });

  document.getElementById("delete-btn").addEventListener("click", async () => {
    const sure = window.confirm(
      t("Delete this workshop with all its tables and results? This cannot be undone."),
    );
    if (!sure) return;
    try {
      await api(`/api/workshops/${workshopId}`, { method: "DELETE", token });
      clearTimeout(timer);
      forgetToken(workshopId);
      const wrap = document.querySelector(".fac-wrap");
      clear(wrap);
      wrap.append(
        el("h1", {}, t("The workshop is deleted")),
        el("p", {}, el("a", { href: "/facilitator", class: "fac-btn fac-btn-primary" }, t("Create a new workshop"))),
      );
      say(t("The workshop is deleted."));
    } catch (err) {
      say(problemText(err));
    }
  });

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });

  const found = workshopToken(workshopId);
  if (found) start(found);
  else stop(t("This page needs the workshop's facilitator key."), true);
}

await loadCatalog();
if (workshopId) setupConsole();
else setupCreate();
