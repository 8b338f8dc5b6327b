// A scenario as the trainer previews it before creating a workshop: what the check and
// preview endpoints return (app/scenarios/preview.py), drawn as plain DOM. Every text from
// the file goes in as a text node (el / markdown never parse HTML): the file is the
// trainer's, but it may have come from anyone.
import { t } from "./i18n.js";
import { el, phaseName } from "./fac-common.js";
import { clock, markdown } from "./ui-dom.js";

export function kindName(kind) {
  return (
    {
      politician: t("Politician"),
      official: t("Official"),
      parent: t("Parent"),
      teacher: t("Teacher"),
      citizen: t("Citizen"),
      other: t("Other"),
    }[kind] || kind
  );
}

export function styleName(style) {
  return (
    {
      initiator: t("initiator"),
      facilitator: t("facilitator"),
      catalyst: t("catalyst"),
      sovereign: t("sovereign"),
      none: t("no leadership style"),
    }[style] || style
  );
}

/** +2 / −1 / 0, with a real minus sign (as the debrief writes weights). */
function signed(n) {
  if (n > 0) return `+${n}`;
  if (n < 0) return `−${Math.abs(n)}`;
  return "0";
}

function range(min, max) {
  return min === max ? String(min) : `${min}–${max}`;
}

function titles(refs) {
  return refs.length ? refs.map((r) => r.title).join(", ") : "—";
}

/** A section that folds (summary with a count, or none); open for what a trainer reads first. */
function part(id, title, count, open, ...children) {
  return el(
    "details",
    { class: "fac-pv-part", id, open },
    el(
      "summary",
      {},
      el("span", { class: "fac-pv-summary" }, title),
      count === null ? null : [" ", el("span", { class: "fac-pv-count" }, `(${count})`)],
    ),
    el("div", { class: "fac-pv-body" }, children),
  );
}

function weights(list, label) {
  return el(
    "ul",
    { class: "fac-pv-weights", "aria-label": label },
    list.map((w) =>
      el(
        "li",
        { class: w.weight > 0 ? "pos" : w.weight < 0 ? "neg" : "zero" },
        el("span", { class: "fac-pv-weight" }, signed(w.weight)),
        " ",
        w.name,
      ),
    ),
  );
}

/** A small "label: value" line. */
function fact(label, ...value) {
  return el("p", { class: "fac-pv-fact" }, el("span", { class: "fac-pv-label" }, label), " ", value);
}

function role(r) {
  return el(
    "li",
    { class: "fac-pv-card" },
    el(
      "h4",
      {},
      r.name,
      r.chair ? el("span", { class: "fac-pv-tag" }, t("Chair")) : null,
    ),
    el(
      "p",
      { class: "fac-pv-meta" },
      t("{kind} · seats: {seats}", { kind: r.kind_name || kindName(r.kind), seats: range(r.seats_min, r.seats_max) }),
      r.seats_min === 0 ? [" · ", t("optional seat")] : null,
    ),
    fact(t("Public brief:"), r.brief),
    el("p", { class: "fac-pv-label" }, t("Hidden agenda (revealed at the debrief):")),
    weights(r.agenda, t("Hidden agenda of {role}", { role: r.name })),
    r.goal ? fact(t("Secret goal:"), r.goal) : null,
    fact(t("Idea cards:"), titles(r.hand)),
    fact(t("Moves:"), titles(r.moves)),
  );
}

function round(r) {
  const bits = [phaseName(r.phase), t("timer {time}", { time: clock(r.timer_seconds) })];
  if (r.budget !== null && r.budget !== undefined) bits.push(t("Budget: {budget}", { budget: r.budget }));
  return el(
    "li",
    { class: "fac-pv-round" },
    el("h4", {}, r.title),
    el("p", { class: "fac-pv-meta" }, bits.join(" · ")),
    el("p", {}, r.prompt),
    r.event ? fact(t("Event card:"), r.event.title) : null,
  );
}

function idea(i) {
  return el(
    "li",
    { class: "fac-pv-card" },
    el("h4", {}, i.title),
    i.text ? el("p", {}, i.text) : null,
    el(
      "p",
      { class: "fac-pv-meta" },
      [
        t("In the hand of: {role}", { role: i.origin.title }),
        t("Novelty {n} of 3", { n: i.novelty }),
        t("Cost {cost}", { cost: i.cost }),
      ].join(" · "),
    ),
    i.serves.length ? el("p", { class: "fac-pv-label" }, t("Serves (from +3 to −3):")) : null,
    i.serves.length ? weights(i.serves, t("What {idea} serves", { idea: i.title })) : null,
  );
}

function event(e) {
  return el(
    "li",
    { class: "fac-pv-card" },
    el("h4", {}, e.title),
    el("p", {}, e.text),
    fact(t("Decided by:"), e.target.title),
    el(
      "ul",
      { class: "fac-pv-options", "aria-label": t("Options of {event}", { event: e.title }) },
      e.options.map((o) => el("li", {}, o.text, " ", el("span", { class: "fac-pv-style" }, `(${styleName(o.style)})`))),
    ),
  );
}

function move(m) {
  const bits = [styleName(m.style), m.phases.map((p) => phaseName(p)).join(", ")];
  if (m.politician_card) bits.push(t("the politician card"));
  return el(
    "li",
    { class: "fac-pv-card" },
    el("h4", {}, m.title),
    el("p", {}, m.text),
    el("p", { class: "fac-pv-meta" }, bits.join(" · ")),
  );
}

/**
 * The preview as a list of nodes.
 * `origin` says where it comes from: {kind: "upload" or "editor", filename, installedHash,
 * hash} or {kind: "installed"}.
 */
export function previewNodes(p, origin) {
  const languages = p.languages.map((l) => l.toUpperCase()).join(", ");
  const out = [
    el("h3", { id: "preview-title", class: "fac-pv-title" }, p.title),
    p.summary ? el("p", { class: "fac-pv-lead" }, p.summary) : null,
    el(
      "ul",
      { class: "fac-pv-facts" },
      el("li", {}, t("{min} to {max} players per table", { min: p.players_min, max: p.players_max })),
      el(
        "li",
        {},
        t("Planned for {minutes} minutes; the round timers add up to {timers} minutes", {
          minutes: p.duration_minutes,
          timers: p.timer_minutes,
        }),
      ),
      el("li", {}, t("Written in: {languages}", { languages })),
      el("li", {}, t("Id: {id}", { id: p.id })),
      el(
        "li",
        {},
        origin.kind === "upload"
          ? t("From your file {file}", { file: origin.filename })
          : origin.kind === "editor"
            ? t("Edited in the browser ({file})", { file: origin.filename })
            : t("Installed on this server"),
      ),
    ),
  ];
  if (origin.kind !== "installed" && origin.installedHash) {
    out.push(
      el(
        "p",
        { class: "fac-pv-note" },
        origin.installedHash === origin.hash
          ? t("This file is the same as the case with this id on the server.")
          : t("The server has another version of a case with this id. The workshop will use your file's version."),
      ),
    );
  }
  out.push(
    part("pv-case", t("The case"), null, true, markdown(p.case, 4)),
    part("pv-roles", t("Roles"), p.roles.length, true, el("ul", { class: "fac-pv-cards" }, p.roles.map(role))),
    part("pv-rounds", t("Rounds"), p.rounds.length, true, el("ol", { class: "fac-pv-rounds" }, p.rounds.map(round))),
    part("pv-ideas", t("Idea cards"), p.ideas.length, false, el("ul", { class: "fac-pv-cards" }, p.ideas.map(idea))),
    part("pv-events", t("Event cards"), p.events.length, false, el("ul", { class: "fac-pv-cards" }, p.events.map(event))),
    part(
      "pv-framings",
      t("Framings of the problem"),
      p.framings.length,
      false,
      el("ul", { class: "fac-pv-list" }, p.framings.map((f) => el("li", {}, f.text))),
    ),
    part("pv-moves", t("Moves"), p.moves.length, false, el("ul", { class: "fac-pv-cards" }, p.moves.map(move))),
    part(
      "pv-questions",
      t("Questions for the debrief"),
      p.questions.length,
      false,
      el("ol", { class: "fac-pv-list" }, p.questions.map((q) => el("li", {}, q))),
    ),
  );
  return out;
}
