// The debrief screen: one table (in the order a debrief runs) or all tables side by side.
import { loadCatalog, t } from "./i18n.js";
import {
  COUNT_COLORS,
  SCORE_STYLE,
  STYLE_COLORS,
  colorSwatch,
  legendSwatch,
  lineChart,
  meter,
  sparkline,
  stackedBar,
} from "./charts.js";
import {
  SCORE_ORDER,
  adoptedName,
  api,
  clear,
  el,
  exportButtons,
  fmtScore,
  problemText,
  say,
  tokenForm,
  workshopToken,
} from "./fac-common.js";
import { leadershipGaps, whatIfStep } from "./whatif.js";

const workshopId = document.body.dataset.workshop || "";
const tableNumber = document.body.dataset.table || "";
const lang = document.body.dataset.lang || "da";
const STYLES = ["initiator", "facilitator", "catalyst", "sovereign"];
// How often the feelings poll asks for the phones' answers.
const PHONES_EVERY_MS = 4000;

const body = document.getElementById("deb-body");
const nav = document.getElementById("deb-nav");
let token = "";

const cap = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : "");
const pct = (share) => `${Math.round((share || 0) * 100)} %`;
const signed = (n) => (n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : "±0");

/** A "bot" badge: the seat (or every seat of the role) was played by a bot, not a person. */
function botBadge(on, label = t("bot")) {
  return on ? el("span", { class: "deb-bot" }, label) : null;
}

/** A role's name, with the badge when bots played every seat of it. */
function roleName(ref) {
  return [ref.name, ref.bot ? " " : null, botBadge(ref.bot)];
}

/** A role's name as text (for chart labels read aloud), "(bot)" added for a bot role. */
function roleText(ref) {
  return ref.bot ? `${ref.name} (${t("bot")})` : ref.name;
}

function srOnly(...children) {
  return el("div", { class: "fac-sr" }, ...children);
}

/** A section with a numbered step heading; `id` is used by the step navigation. */
function part(id, step, title, ...children) {
  return el(
    "section",
    { class: "deb-part", id, "aria-labelledby": `${id}-h` },
    el("h2", { id: `${id}-h` }, el("span", { class: "deb-step" }, step), " ", title),
    ...children,
  );
}

function sub(id, title, ...children) {
  return el(
    "section",
    { class: "deb-sub", id, "aria-labelledby": `${id}-h` },
    el("h3", { id: `${id}-h` }, title),
    ...children,
  );
}

function buildNav(items) {
  clear(nav);
  const list = el("ol", {});
  for (const [id, label] of items) list.append(el("li", {}, el("a", { href: `#${id}` }, label)));
  nav.append(list);
}

function tools(extra = []) {
  const box = clear(document.getElementById("deb-tools"));
  box.append(
    ...extra,
    el("button", { type: "button", class: "fac-btn", onclick: () => window.print() }, t("Print")),
    ...exportButtons(workshopId, () => token),
  );
}

// --- (1) how do you feel --------------------------------------------------------------------

function feelings(poll) {
  const key = `pm.feel.${workshopId}.${tableNumber || "all"}`;
  let counts = {};
  try {
    counts = JSON.parse(sessionStorage.getItem(key) || "{}");
  } catch {
    counts = {};
  }
  const save = () => {
    try {
      sessionStorage.setItem(key, JSON.stringify(counts));
    } catch {
      // counting still works without storage
    }
  };
  const grid = el("div", { class: "deb-feelings", role: "group", "aria-label": poll.prompt });
  const buttons = [];
  const phones = {};
  const update = () => {
    buttons.forEach(({ button, count, option }) => {
      const n = counts[option.id] || 0;
      count.textContent = String(n);
    });
  };
  for (const option of poll.options) {
    // The name is the visible label and count (no aria-label), so what a screen reader
    // says matches what sighted people in the room see and say.
    const count = el("span", { class: "deb-feel-count" }, "0");
    phones[option.id] = el("span", { class: "deb-feel-phones" });
    const button = el(
      "button",
      { type: "button", class: `deb-feel deb-feel-${option.id}` },
      el("span", { class: "deb-feel-label" }, option.label),
      count,
      el("span", { class: "fac-sr" }, t("taps")),
      phones[option.id],
    );
    button.addEventListener("click", () => {
      counts[option.id] = (counts[option.id] || 0) + 1;
      save();
      update();
      say(t("{feeling}: {n} taps", { feeling: option.label, n: counts[option.id] }));
    });
    buttons.push({ button, count, option });
    grid.append(button);
  }
  update();
  const reset = el(
    "button",
    {
      type: "button",
      class: "fac-btn no-print",
      onclick: () => {
        counts = {};
        save();
        update();
        say(t("The taps are cleared."));
      },
    },
    t("Clear the taps"),
  );
  fromPhones(grid, phones);
  return [
    el("p", { class: "deb-prompt" }, poll.prompt),
    el("p", { class: "fac-help" }, t("Tap a word each time someone picks it. The count stays on this screen only.")),
    el("p", { class: "fac-help" }, t("Players can also pick the words on their phones, where the game ended: their answers are counted here as they come, without names.")),
    grid,
    reset,
  ];
}

/** The answers from the players' phones, asked for every few seconds while the poll is on screen. */
function fromPhones(grid, phones) {
  // Scrolled past (the debrief's later steps), the poll asks nothing of the venue's wifi.
  let inView = true;
  const show = async () => {
    if (document.hidden || !inView) return;
    let counts;
    try {
      const answers = await api(`/api/workshops/${workshopId}/feelings`, { token });
      counts = tableNumber ? answers.tables[tableNumber] || {} : answers.total;
    } catch {
      return; // the last counts stay; the next look may get through
    }
    for (const [id, span] of Object.entries(phones)) {
      span.textContent = counts[id] ? t("{n} on phones", { n: counts[id] }) : "";
    }
  };
  const timer = setInterval(() => {
    if (grid.isConnected) show();
    else clearInterval(timer);
  }, PHONES_EVERY_MS);
  if ("IntersectionObserver" in window) {
    new IntersectionObserver((seen) => {
      inView = seen.some((entry) => entry.isIntersecting);
      show();
    }).observe(grid);
  }
  show();
}

// --- (2) what happened ----------------------------------------------------------------------

function proposal(d) {
  const p = d.proposal;
  const out = [];
  if (d.framing) {
    out.push(
      el(
        "div",
        { class: "deb-framing" },
        el("p", { class: "deb-label" }, t("The problem the committee chose to work on")),
        el("p", { class: "deb-quote" }, d.framing.text),
        d.framing.own && d.framing.added_by
          ? el("p", { class: "fac-help" }, t("Written at the table by: {role}", { role: d.framing.added_by.name }), " ", botBadge(d.framing.added_by.bot))
          : null,
      ),
    );
  }
  const how = el(
    "p",
    { class: `deb-how deb-how-${p.adopted_how}` },
    p.final ? t("How it was adopted:") : t("Not adopted yet — this is the leading package:"),
    " ",
    el("strong", {}, cap(p.adopted_how_text)),
  );
  out.push(how);
  if (d.politician_card_played) {
    out.push(el("p", { class: "deb-alert" }, t("The politician card was played: the chair decided alone.")));
  }
  if (!p.ideas.length) {
    out.push(el("p", { class: "fac-empty" }, t("The package is empty.")));
    return out;
  }
  const list = el("ol", { class: "deb-ideas" });
  for (const idea of p.ideas) {
    list.append(
      el(
        "li",
        { class: "deb-idea" },
        el("h4", {}, idea.title),
        idea.text ? el("p", {}, idea.text) : null,
        el(
          "p",
          { class: "deb-whose" },
          el("span", { class: "deb-label" }, t("Whose idea:")),
          " ",
          ...idea.contributors.map((r) => el("span", { class: "deb-chip" }, ...roleName(r))),
          idea.recombined ? el("span", { class: "deb-chip deb-chip-mix" }, t("combined ideas")) : null,
        ),
        el(
          "p",
          { class: "deb-facts" },
          t("Cost {cost}", { cost: idea.cost }),
          " · ",
          t("Novelty {n} of 3", { n: idea.novelty }),
        ),
      ),
    );
  }
  out.push(list);
  out.push(
    el(
      "p",
      { class: "deb-total" },
      p.budget === null || p.budget === undefined
        ? t("Total cost: {cost}", { cost: p.total_cost })
        : t("Total cost: {cost} of a budget of {budget}", { cost: p.total_cost, budget: p.budget }),
    ),
  );
  return out;
}

function agendas(d) {
  const titles = Object.fromEntries(d.proposal.ideas.map((i) => [i.id, i.title]));
  const grid = el("div", { class: "deb-cards" });
  for (const a of d.agendas) {
    let goal = null;
    if (a.goal) {
      const met = a.goal_met;
      const label = met === true ? t("Goal met") : met === false ? t("Goal not met") : t("Not judged yet");
      goal = el(
        "div",
        { class: `deb-goal ${met === true ? "met" : met === false ? "unmet" : "open"}` },
        el("p", { class: "deb-label" }, t("Secret goal")),
        el("p", {}, a.goal),
        el(
          "p",
          { class: "deb-goal-verdict" },
          el("span", { "aria-hidden": "true" }, met === true ? "✓ " : met === false ? "✕ " : "… "),
          label,
        ),
      );
    }
    const weights = el("ul", { class: "deb-weights" });
    for (const w of [...a.agenda].sort((x, y) => y.weight - x.weight)) {
      weights.append(
        el(
          "li",
          { class: w.weight > 0 ? "pos" : w.weight < 0 ? "neg" : "zero" },
          el("span", { class: "deb-weight" }, signed(w.weight)),
          " ",
          w.name,
        ),
      );
    }
    const inPackage = a.package_ideas.map((id) => titles[id] || id);
    grid.append(
      el(
        "article",
        { class: "deb-card" },
        el(
          "h4",
          {},
          ...roleName(a.role),
          a.chair ? el("span", { class: "deb-chip" }, t("chair")) : null,
          // Some of the role's seats were people and some bots: say how many were bots.
          !a.role.bot && a.bot_seats.length
            ? botBadge(true, t("{n} of {all} seats were bots", { n: a.bot_seats.length, all: a.seats.length }))
            : null,
        ),
        el("details", { class: "deb-brief" }, el("summary", {}, t("Public brief")), el("p", {}, a.brief)),
        el("p", { class: "deb-label" }, t("Hidden agenda (what mattered, from +3 to −3)")),
        weights,
        goal,
        el(
          "p",
          { class: "deb-inpkg" },
          inPackage.length
            ? t("Their ideas in the proposal: {ideas}", { ideas: inPackage.join("; ") })
            : t("None of their ideas is in the proposal."),
        ),
      ),
    );
  }
  return [grid];
}

function scores(d) {
  const rounds = d.scores;
  if (!rounds.length) return [el("p", { class: "fac-empty" }, t("No round has been scored yet."))];
  const names = (n) => cap(d.score_names[n] || n);
  const caption = el("div", { class: "deb-chart-caption", "aria-hidden": "true" });
  const showRound = (i) => {
    const r = rounds[i];
    // The "what if" step starts its replays from the round the group points at.
    document.dispatchEvent(new CustomEvent("debrief-round", { detail: i }));
    clear(caption);
    caption.append(
      el("p", { class: "deb-caption-title" }, t("Round {n}: {title}", { n: i + 1, title: r.title })),
      el(
        "ul",
        {},
        SCORE_ORDER.map((n) =>
          el(
            "li",
            {},
            el("span", { class: "deb-caption-swatch" }, legendSwatch(SCORE_STYLE[n])),
            el("strong", {}, `${names(n)} ${fmtScore(r.scores[n])}`),
            " — ",
            r.reasons[n] || "",
          ),
        ),
      ),
    );
  };
  const columnLabel = (i) => {
    const r = rounds[i];
    const parts = SCORE_ORDER.map((n) => `${names(n)} ${fmtScore(r.scores[n])}: ${r.reasons[n] || ""}`);
    return `${t("Round {n}: {title}", { n: i + 1, title: r.title })}. ${parts.join(". ")}`;
  };
  // Mark the acts (a move, a dilemma option, the politician card) that moved each score
  // most; a score no act moved falls back to its largest change of any kind.
  const marked = SCORE_ORDER.map(
    (n) => d.act_moments.find((m) => m.score === n) || d.key_moments.find((m) => m.score === n),
  ).filter(Boolean);
  const moments = marked.map((m) => ({
    series: m.score,
    index: m.round,
    // A cause that is the whole explanation already names its score.
    text: (m.cause === m.reason ? cap(m.cause) : `${names(m.score)}: ${m.cause}`) + (m.by_bot ? ` (${t("by a bot")})` : ""),
  }));
  const chart = lineChart({
    labels: rounds.map((r) => r.title),
    series: SCORE_ORDER.map((n) => ({
      key: n,
      name: names(n),
      values: rounds.map((r) => r.scores[n]),
      style: SCORE_STYLE[n],
    })),
    moments,
    label: t("Line chart of the three scores over {n} rounds. Move through the rounds to hear each round's scores and reasons; the same data is in the table below.", { n: rounds.length }),
    onFocus: showRound,
    columnLabel,
  });
  showRound(rounds.length - 1);
  const legend = el(
    "ul",
    { class: "deb-legend" },
    SCORE_ORDER.map((n) => el("li", {}, legendSwatch(SCORE_STYLE[n]), " ", names(n))),
    el("li", {}, el("span", { class: "deb-ring", "aria-hidden": "true" }), " ", t("key moment")),
  );

  const momentText = (m) =>
    t("{score} {delta} in round {n} ({title})", {
      score: names(m.score),
      delta: signed(Math.round(m.delta)),
      n: m.round + 1,
      title: m.round_title,
    });
  const momentsList = el("ol", { class: "deb-moments" });
  for (const m of marked) {
    momentsList.append(
      el(
        "li",
        {},
        el("strong", {}, momentText(m)),
        m.by_bot ? " " : null,
        botBadge(m.by_bot, t("by a bot")),
        el("br", {}),
        m.reason,
      ),
    );
  }
  const biggest = d.key_moments.filter((k) => !marked.some((m) => m.score === k.score && m.round === k.round));
  const biggestList = biggest.length
    ? [
        el("p", { class: "deb-label" }, t("The largest changes overall, for comparison")),
        el(
          "ul",
          { class: "deb-moments deb-moments-other" },
          biggest.map((m) =>
            el("li", {}, el("strong", {}, momentText(m)), m.by_bot ? " " : null, botBadge(m.by_bot, t("by a bot")), " — ", m.reason),
          ),
        ),
      ]
    : [];

  const table = el(
    "table",
    { class: "deb-table", id: "scores-table" },
    el("caption", {}, t("The scores per round and the reason for each change")),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, t("Round")),
        SCORE_ORDER.map((n) => el("th", { scope: "col" }, names(n))),
      ),
    ),
    el(
      "tbody",
      {},
      rounds.map((r, i) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, `${i + 1}. ${r.title}`),
          SCORE_ORDER.map((n) =>
            el("td", {}, el("span", { class: "deb-num" }, fmtScore(r.scores[n])), el("br", {}), el("span", { class: "deb-reason" }, r.reasons[n] || "")),
          ),
        ),
      ),
    ),
  );
  // Focusable and named, so keyboard users can scroll the wide table on a narrow screen.
  const tableWrap = el(
    "div",
    { class: "deb-table-wrap fac-sr", id: "scores-table-wrap", tabindex: "0", role: "region", "aria-label": t("Scores after each round") },
    table,
  );
  const toggle = el(
    "button",
    { type: "button", class: "fac-btn no-print", "aria-expanded": "false", "aria-controls": "scores-table-wrap" },
    t("Show the scores as a table"),
  );
  toggle.addEventListener("click", () => {
    const shown = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!shown));
    tableWrap.classList.toggle("fac-sr", shown);
    toggle.textContent = shown ? t("Show the scores as a table") : t("Hide the table");
  });
  return [
    legend,
    el("div", { class: "deb-chart" }, chart),
    caption,
    el("p", { class: "fac-help no-print" }, t("Point at a round, or tab to the chart and use the arrow keys, to see why each score moved.")),
    el("h4", {}, t("Key moments: the move or event that moved each score most")),
    momentsList,
    ...biggestList,
    toggle,
    tableWrap,
  ];
}

function trust(d) {
  if (!d.trust.length) return [el("p", { class: "fac-empty" }, t("No trust data yet."))];
  const grid = el("div", { class: "deb-multiples" });
  for (const line of d.trust) {
    const values = line.rounds;
    const start = 3;
    grid.append(
      el(
        "figure",
        { class: "deb-multiple" },
        el("figcaption", {}, ...roleName(line.role)),
        el(
          "p",
          { class: "deb-big" },
          el("span", { class: "deb-num" }, `${line.final}`),
          el("span", { class: "deb-of" }, t("of 5")),
          el("span", { class: "deb-trend" }, line.final > start ? "▲" : line.final < start ? "▼" : "="),
        ),
        sparkline({
          values,
          label: t("Trust of {role} per round: {values}; at the end {final} of 5.", {
            role: roleText(line.role),
            values: values.map((v) => (v === null ? "–" : v)).join(", "),
            final: line.final,
          }),
        }),
      ),
    );
  }
  return [el("p", { class: "fac-help" }, t("Trust runs from 0 to 5 and starts at 3 (the grey line)." )), grid];
}

function contributions(d) {
  const kinds = [
    ["ideas", t("ideas")],
    ["builds", t("builds on others' ideas")],
    ["framings", t("own framings")],
    ["moves", t("moves")],
  ];
  const max = Math.max(1, ...d.contributions.map((c) => kinds.reduce((a, [k]) => a + c[k], 0)));
  const legend = el(
    "ul",
    { class: "deb-legend" },
    kinds.map(([, label], i) => el("li", {}, colorSwatch(COUNT_COLORS[i]), " ", label)),
  );
  const rows = el("div", { class: "deb-bars" });
  for (const c of d.contributions) {
    const total = kinds.reduce((a, [k]) => a + c[k], 0);
    const words = kinds.map(([k, label]) => `${label}: ${c[k]}`).join(", ");
    rows.append(
      el(
        "div",
        { class: "deb-bar-row" },
        el("span", { class: "deb-bar-name" }, ...roleName(c.role)),
        el(
          "span",
          { class: "deb-bar" },
          stackedBar({
            segments: kinds.map(([k], i) => ({ value: c[k], color: COUNT_COLORS[i], text: c[k] ? String(c[k]) : "" })),
            total: max,
            label: `${roleText(c.role)}: ${words}`,
          }),
        ),
        el("span", { class: "deb-bar-total" }, t("{n} in all", { n: total })),
      ),
    );
  }
  return [legend, rows];
}

function profileBar(profile, styleNames) {
  const names = (s) => cap(styleNames[s] || s);
  const words = STYLES.map((s) => `${names(s)} ${pct(profile.shares[s])}`).join(", ");
  if (!profile.styled_acts) {
    return el("p", { class: "fac-empty" }, t("No leadership moves or choices recorded."));
  }
  return el(
    "div",
    { class: "deb-profile" },
    stackedBar({
      segments: STYLES.map((s) => ({
        value: profile.shares[s] || 0,
        color: STYLE_COLORS[s],
        text: profile.shares[s] > 0 ? pct(profile.shares[s]) : "",
      })),
      total: 1,
      label: `${roleText(profile.role)}: ${words}`,
    }),
    el("p", { class: "deb-profile-words" }, words),
  );
}

function styleLegend(styleNames) {
  return el(
    "ul",
    { class: "deb-legend" },
    STYLES.map((s) => el("li", {}, colorSwatch(STYLE_COLORS[s]), " ", cap(styleNames[s] || s))),
  );
}

function profiles(d) {
  if (!d.profiles.length) return [el("p", { class: "fac-empty" }, t("No politician was seated."))];
  const out = [
    el(
      "p",
      { class: "fac-help" },
      t("Initiators convene and frame, facilitators make the collaboration work, catalysts provoke new thinking; sovereign leadership decides alone."),
    ),
    styleLegend(d.style_names),
  ];
  for (const p of d.profiles) {
    out.push(
      el(
        "div",
        { class: "deb-profile-row" },
        el("h4", {}, ...roleName(p.role), " ", el("span", { class: "deb-of" }, t("({n} moves and choices)", { n: p.styled_acts }))),
        profileBar(p, d.style_names),
      ),
    );
  }
  return out;
}

// --- (3) learn, real life, what if, what next ------------------------------------------------

function reflection(d) {
  const out = [];
  if (d.reflection.insights.length) {
    out.push(
      el("h3", {}, t("What the game noticed at this table")),
      el("ul", { class: "deb-insights" }, d.reflection.insights.map((text) => el("li", {}, text))),
    );
  }
  out.push(
    el("h3", {}, t("Questions to talk about")),
    el("ol", { class: "deb-questions" }, d.reflection.questions.map((q) => el("li", {}, q))),
    el(
      "div",
      { class: "deb-next" },
      el("h3", {}, t("Take it home")),
      el(
        "ul",
        {},
        el("li", {}, el("strong", {}, t("Real life:")), " ", t("Where have you seen a committee like this one — and who was missing?")),
        el("li", {}, el("strong", {}, t("What if:")), " ", t("Which one choice would you make differently, and what would it have changed?")),
        el("li", {}, el("strong", {}, t("What next:")), " ", t("What will you try at your next meeting?")),
      ),
    ),
  );
  return out;
}

// --- one table --------------------------------------------------------------------------------

/** What the trainer jotted in the console: plain text with its line breaks, never HTML. */
function trainerNotes(text) {
  return el("p", { class: "deb-notes" }, text);
}

function renderTable(d) {
  const title = (id) => (d.sections.find((s) => s.id === id) || {}).title || id;
  document.getElementById("deb-title").textContent = t("Table {n}", { n: d.table_label || tableNumber });
  document.title = `${t("Debrief")} · ${t("Table {n}", { n: d.table_label || tableNumber })} · Policy Maker`;
  const state = d.ended ? t("the game has ended") : t("the game is still running: this is the picture so far");
  document.getElementById("deb-sub").textContent = `${d.scenario_title} · ${state}`;

  const n = Number(tableNumber);
  const links = [
    el("a", { class: "fac-btn", href: `/debrief/${workshopId}` }, t("All tables")),
    n > 1 ? el("a", { class: "fac-btn", href: `/debrief/${workshopId}/${n - 1}` }, t("Previous table")) : null,
    el("a", { class: "fac-btn", href: `/debrief/${workshopId}/${n + 1}`, id: "next-table" }, t("Next table")),
  ].filter(Boolean);
  tools(links);

  buildNav([
    ["step-feel", t("1 How do you feel?")],
    ["step-happened", t("2 What happened?")],
    ["step-why", t("3 Why did it happen?")],
    ["step-learn", t("4 What did you learn?")],
    ["step-whatif", t("5 What if?")],
  ]);

  clear(body);
  body.append(
    part("step-feel", "1", t("How do you feel?"), ...feelings(d.feelings)),
    part(
      "step-happened",
      "2",
      t("What happened?"),
      d.bot_seats.length
        ? el("p", { class: "fac-help deb-bot-note" }, botBadge(true), " ", t("marks a seat played by a bot, not by a person."))
        : null,
      d.notes ? sub("sec-notes", t("Trainer's notes"), trainerNotes(d.notes)) : null,
      sub("sec-proposal", title("proposal"), ...proposal(d)),
      sub("sec-agendas", title("agendas"), ...agendas(d)),
    ),
    part(
      "step-why",
      "3",
      t("Why did it happen?"),
      sub("sec-scores", title("scores"), ...scores(d)),
      sub("sec-trust", title("trust"), ...trust(d)),
      sub("sec-contributions", title("contributions"), ...contributions(d)),
      sub("sec-profiles", title("profiles"), ...profiles(d)),
    ),
    part("step-learn", "4", t("What did you learn — and what next?"), ...reflection(d)),
    part(
      "step-whatif",
      "5",
      t("What if the chair had led differently?"),
      ...whatIfStep(d, {
        workshopId,
        tableNumber,
        token: () => token,
        scoreNames: (n) => d.score_names[n] || n,
        roleNames: (r) => (d.agendas.find((a) => a.role.id === r) || { role: { name: r } }).role.name,
      }),
    ),
  );
}

// --- the workshop ----------------------------------------------------------------------------

/** How many of a table's seats bots played, with the badge when any did. */
function botCount(tb) {
  if (!tb.bot_seats) return t("No bots");
  return [botBadge(true), " ", t("{n} of {all} seats", { n: tb.bot_seats, all: tb.seats })];
}

function renderWorkshop(w) {
  document.getElementById("deb-title").textContent = t("All tables");
  tools([el("a", { class: "fac-btn", href: `/facilitator/${workshopId}` }, t("Console"))]);
  clear(body);
  if (!w.tables.length) {
    body.append(el("p", { class: "fac-empty deb-prompt" }, t("No table has started yet.")));
    return;
  }
  const names = (n) => cap((w.score_names || {})[n] || n);
  document.getElementById("deb-sub").textContent = t("{n} tables side by side: compare how they worked and what they proposed.", { n: w.tables.length });
  buildNav([
    ["ws-feel", t("How do you feel?")],
    ["ws-scores", t("Scores")],
    ["ws-tables", t("Table by table")],
    ["ws-rarity", t("How rare each idea was")],
    ["ws-whatif", t("Leadership, not luck")],
  ]);

  // Scores side by side: one row of meters per table, and the same as a table.
  const compare = el(
    "table",
    { class: "deb-table deb-compare" },
    el("caption", {}, t("Final scores per table (0–100)")),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, t("Table")),
        SCORE_ORDER.map((n) => el("th", { scope: "col" }, names(n))),
        el("th", { scope: "col" }, t("Innovation with rarity")),
        el("th", { scope: "col" }, t("How it was adopted")),
        el("th", { scope: "col" }, t("Bot seats")),
      ),
    ),
    el(
      "tbody",
      {},
      w.tables.map((tb) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, el("a", { href: `/debrief/${workshopId}/${tb.label}` }, t("Table {n}", { n: tb.label }))),
          [...SCORE_ORDER.map((n) => [n, tb.scores[n]]), ["rarity", tb.innovation_with_rarity]].map(([n, v]) =>
            el(
              "td",
              {},
              el("span", { class: "deb-num" }, fmtScore(v)),
              meter({
                value: v,
                color: n === "rarity" ? "#5b4a00" : SCORE_STYLE[n].color,
                label: "",
              }),
            ),
          ),
          el("td", { class: `deb-how-cell deb-how-${tb.adopted_how}` }, cap(adoptedName(tb.adopted_how))),
          el("td", { class: "deb-bots-cell" }, botCount(tb)),
        ),
      ),
    ),
  );

  const cards = el("div", { class: "deb-side" });
  for (const tb of w.tables) {
    cards.append(
      el(
        "article",
        { class: "deb-card deb-table-card", "aria-labelledby": `wt-${tb.label}` },
        el("h3", { id: `wt-${tb.label}` }, el("a", { href: `/debrief/${workshopId}/${tb.label}` }, t("Table {n}", { n: tb.label }))),
        el("p", { class: "fac-meta" }, tb.ended ? t("Ended") : t("Still running")),
        el(
          "dl",
          { class: "fac-scores" },
          SCORE_ORDER.map((n) => el("div", { class: "fac-score" }, el("dt", {}, names(n)), el("dd", {}, fmtScore(tb.scores[n])))),
        ),
        el("p", { class: "deb-label" }, t("Package")),
        tb.package.length
          ? el("ul", { class: "deb-package" }, tb.package.map((p) => el("li", {}, p)))
          : el("p", { class: "fac-empty" }, t("The package is empty.")),
        el("p", { class: `deb-how deb-how-${tb.adopted_how}` }, cap(adoptedName(tb.adopted_how))),
        el("p", { class: "deb-bots-line" }, botCount(tb)),
        tb.politician_card_played
          ? el("p", { class: "deb-alert" }, t("Politician card played"))
          : el("p", { class: "fac-help" }, t("Politician card not played")),
        el(
          "p",
          { class: "deb-label" },
          t("The chair's leadership profile"),
          tb.chair_profile && tb.chair_profile.role.bot ? " " : null,
          botBadge(tb.chair_profile && tb.chair_profile.role.bot, t("the chair was a bot")),
        ),
        tb.chair_profile ? profileBar(tb.chair_profile, w.style_names) : el("p", { class: "fac-empty" }, t("No chair seated.")),
        el(
          "p",
          { class: "deb-rarity-line" },
          t("Innovation with rarity: {n}", { n: fmtScore(tb.innovation_with_rarity) }),
        ),
      ),
    );
  }

  const rarity = el(
    "table",
    { class: "deb-table deb-rarity" },
    el("caption", {}, t("Idea cards in the final packages, the rarest first")),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, t("Idea")),
        el("th", { scope: "col" }, t("Chosen by")),
        el("th", { scope: "col" }, t("Tables")),
      ),
    ),
    el(
      "tbody",
      {},
      w.rarity.map((r) =>
        el(
          "tr",
          { class: r.tables === 1 && w.tables.length > 1 ? "deb-unique" : "" },
          el("th", { scope: "row" }, r.title),
          el("td", {}, t("{n} of {all} tables ({share})", { n: r.tables, all: Math.round(r.tables / (r.share || 1)), share: pct(r.share) })),
          el("td", {}, r.table_labels.map((l) => t("Table {n}", { n: l })).join(", ")),
        ),
      ),
    ),
  );

  body.append(
    el(
      "section",
      { class: "deb-part", id: "ws-feel", "aria-labelledby": "ws-feel-h" },
      el("h2", { id: "ws-feel-h" }, t("How do you feel?")),
      // The whole room's answers: every table's phones counted together.
      ...feelings(w.feelings),
    ),
    el(
      "section",
      { class: "deb-part", id: "ws-scores", "aria-labelledby": "ws-scores-h" },
      el("h2", { id: "ws-scores-h" }, t("Scores side by side")),
      compare,
      el("p", { class: "fac-help" }, t("Innovation with rarity counts an idea as more original when few other tables chose it.")),
    ),
    el(
      "section",
      { class: "deb-part", id: "ws-tables", "aria-labelledby": "ws-tables-h" },
      el("h2", { id: "ws-tables-h" }, t("Table by table")),
      styleLegend(w.style_names),
      cards,
    ),
    el(
      "section",
      { class: "deb-part", id: "ws-rarity", "aria-labelledby": "ws-rarity-h" },
      el("h2", { id: "ws-rarity-h" }, t("How rare each idea was")),
      w.rarity.length ? rarity : el("p", { class: "fac-empty" }, t("No package has any idea cards yet.")),
    ),
    gapsSection(w, names),
  );
}

/** Per table: what it ended at beside the best leadership style's median from round 1, so
 * groups compare leadership, not luck. Filled in once the replays are back. */
function gapsSection(w, names) {
  const box = el("div", { id: "ws-gaps", "aria-busy": "true" }, el("p", { class: "fac-meta" }, t("Replaying every table with each leadership style…")));
  const section = el(
    "section",
    { class: "deb-part", id: "ws-whatif", "aria-labelledby": "ws-whatif-h" },
    el("h2", { id: "ws-whatif-h" }, t("Leadership, not luck")),
    el("p", { class: "fac-help" }, t("Each finished table replayed by bots from round 1 with the chair in each style: the best style's median beside what the table did. A gap says what leadership could have changed; luck is in the range.")),
    box,
  );
  const tables = w.tables.map((tb) => ({ ...tb, number: tb.label }));
  leadershipGaps(workshopId, tables, token)
    .then((gaps) => {
      clear(box).append(gapsTable(gaps, names, w.style_names || {}));
    })
    .catch((err) => {
      clear(box).append(el("p", { class: "fac-empty" }, problemText(err)));
    })
    .finally(() => box.setAttribute("aria-busy", "false"));
  return section;
}

function gapsTable(gaps, names, styleNames) {
  if (!gaps.length) return el("p", { class: "fac-empty" }, t("No table has finished its game yet."));
  const cell = (runs, tb, n) => {
    const best = runs.reduce((a, b) => (b.scores[n].p50 > a.scores[n].p50 ? b : a));
    const gap = Math.round(best.scores[n].p50 - (tb.scores[n] ?? 0));
    return el(
      "td",
      {},
      el("span", { class: "deb-num" }, fmtScore(tb.scores[n])),
      el("br", {}),
      t("{style}: {median} ({gap})", { style: cap(styleNames[best.style] || best.style), median: Math.round(best.scores[n].p50), gap: signed(gap) }),
    );
  };
  return el(
    "table",
    { class: "deb-table whatif-gaps" },
    el("caption", {}, t("Your score, and the best style's median from round 1 (the gap in brackets)")),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("Table")), SCORE_ORDER.map((n) => el("th", { scope: "col" }, names(n))))),
    el(
      "tbody",
      {},
      gaps.map(({ table: tb, runs }) =>
        el("tr", {}, el("th", { scope: "row" }, t("Table {n}", { n: tb.label })), SCORE_ORDER.map((n) => cell(runs, tb, n))),
      ),
    ),
  );
}

// --- start -----------------------------------------------------------------------------------

async function load() {
  body.setAttribute("aria-busy", "true");
  const q = `?lang=${encodeURIComponent(lang)}`;
  try {
    if (tableNumber) {
      const d = await api(`/api/workshops/${workshopId}/tables/${tableNumber}/debrief${q}`, { token });
      renderTable(d);
      // Only offer "next table" when there is one.
      const last = await api(`/api/workshops/${workshopId}`, { token })
        .then((s) => Math.max(...s.tables.map((x) => x.number)))
        .catch(() => Infinity);
      const next = document.getElementById("next-table");
      if (next && Number(tableNumber) >= last) next.remove();
    } else {
      renderWorkshop(await api(`/api/workshops/${workshopId}/debrief${q}`, { token }));
    }
    body.setAttribute("aria-busy", "false");
  } catch (err) {
    body.setAttribute("aria-busy", "false");
    clear(body);
    const auth = clear(document.getElementById("deb-auth"));
    auth.append(el("p", { class: "fac-error", role: "alert" }, problemText(err)));
    if (err.status === 401) {
      auth.append(
        tokenForm(workshopId, (value) => {
          token = value;
          clear(auth);
          load();
        }),
      );
    }
  }
}

// A printed page cannot open a <details>: open them all for printing, close them after.
let opened = [];
window.addEventListener("beforeprint", () => {
  opened = [...document.querySelectorAll("details:not([open])")];
  for (const d of opened) d.open = true;
});
window.addEventListener("afterprint", () => {
  for (const d of opened) d.open = false;
  opened = [];
});

await loadCatalog();
token = workshopToken(workshopId);
if (!token) {
  clear(body);
  document.getElementById("deb-auth").append(
    el("p", { class: "fac-error", role: "alert" }, t("This page needs the workshop's facilitator key.")),
    tokenForm(workshopId, (value) => {
      token = value;
      clear(document.getElementById("deb-auth"));
      load();
    }),
  );
} else {
  load();
}
