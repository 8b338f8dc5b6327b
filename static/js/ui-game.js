// Views of the table shared by the player page and the table screen.
import { t } from "./i18n.js";
import { costTag, h, noveltyTag, servesChips } from "./ui-dom.js";

/** Look-ups into the scenario and the public view of one connection. */
export function lookups(conn) {
  const scenario = conn.scenario || { roles: [], interests: [] };
  const roles = new Map(scenario.roles.map((r) => [r.id, r]));
  const interests = new Map(scenario.interests.map((i) => [i.id, i.name]));
  const pub = () => (conn.state && conn.state.public) || {};
  return {
    roleName: (id) => (roles.get(id) ? roles.get(id).name : id || ""),
    role: (id) => roles.get(id),
    interestName: (id) => interests.get(id) || id,
    interests: scenario.interests,
    seat: (id) => (pub().seats || []).find((s) => s.id === id),
    seatLabel(id) {
      const seat = (pub().seats || []).find((s) => s.id === id);
      if (!seat) return id;
      const role = roles.get(seat.role);
      return `${seat.name} (${role ? role.name : seat.role})`;
    },
    idea: (id) => (pub().ideas || []).find((i) => i.id === id),
  };
}

export function styleName(style) {
  switch (style) {
    case "initiator":
      return t("Initiator");
    case "facilitator":
      return t("Facilitator");
    case "catalyst":
      return t("Catalyst");
    case "sovereign":
      return t("Sovereign");
    default:
      return "";
  }
}

/** One idea on the table: title, text, cost, novelty, who contributed, what it serves. */
export function ideaCard(idea, look, { mySeat = null, support = null, extra = null, tag = "li", compact = false } = {}) {
  const mine = mySeat && idea.played_by.includes(mySeat);
  const by = idea.contributors.map((r) => look.roleName(r)).join(", ");
  return h(
    tag,
    { class: compact ? "card card-compact" : "card", dataset: { idea: idea.id } },
    h("p", { class: "card-title", text: idea.title }),
    idea.text ? h("p", { class: "card-text", text: idea.text }) : null,
    h(
      "div",
      { class: "tags" },
      costTag(idea.cost),
      noveltyTag(idea.novelty),
      mine ? h("span", { class: "tag tag-own", text: t("Yours") }) : null,
      support ? h("span", { class: "tag", text: t("Support {n}", { n: support }) }) : null,
    ),
    by ? h("p", { class: "small muted card-text", text: t("From: {roles}", { roles: by }) }) : null,
    compact ? null : servesChips(idea.serves, look.interestName),
    extra,
  );
}

/** The seats at the table with presence and who has finished this phase. */
export function seatList(pub, look, mySeat = null) {
  const done = new Set(pub.done || []);
  const seats = pub.seats || [];
  if (!seats.length) return h("p", { class: "muted", text: t("Nobody has joined yet.") });
  return h(
    "ul",
    { class: "seats" },
    seats.map((s) =>
      h(
        "li",
        { class: "seat" },
        h("span", {
          class: `dot${s.connected || s.bot ? " is-on" : ""}`,
          role: "img",
          "aria-label": s.connected || s.bot ? t("online") : t("offline"),
        }),
        h("span", {}, h("strong", { text: s.name }), " · ", look.roleName(s.role)),
        s.bot ? h("span", { class: "tag", text: t("bot") }) : null,
        s.id === mySeat ? h("span", { class: "tag tag-own", text: t("you") }) : null,
        done.has(s.id) ? h("span", { class: "done-mark", text: `✓ ${t("done")}` }) : null,
      ),
    ),
  );
}

/** Who answered the proposal how. */
export function voteList(pub, look, voteName) {
  const votes = (pub.proposal && pub.proposal.votes) || {};
  return h(
    "ul",
    { class: "votes" },
    (pub.seats || []).map((s) =>
      h(
        "li",
        { class: "vote-row" },
        // The name, then the role: on a narrow screen the role gives way (full in the title).
        h("span", { class: "vote-who", title: look.seatLabel(s.id) }, h("strong", { text: s.name }), " ", h("span", { class: "muted", text: look.roleName(s.role) })),
        votes[s.id]
          ? h("span", { class: `vote-${votes[s.id]}`, text: voteName(votes[s.id]) })
          : h("span", { class: "muted", text: t("not yet") }),
      ),
    ),
  );
}

/** Count of answers per choice, e.g. "3 accept · 1 can live with · 0 object". */
export function voteTally(pub) {
  const votes = Object.values((pub.proposal && pub.proposal.votes) || {});
  const n = (c) => votes.filter((v) => v === c).length;
  return t("{accept} accept · {live} can live with it · {object} object", {
    accept: n("accept"),
    live: n("live_with"),
    object: n("object"),
  });
}

// --- compact lines: a phone shows a list one line per item, the rest on tap ------------

function facts(items) {
  const shown = items.filter(Boolean);
  const out = [];
  shown.forEach((item, i) => {
    if (i) out.push(" · ");
    out.push(item);
  });
  return out;
}

/** Novelty 0..3 as dots, named in words for screen readers. */
export function noveltyFact(novelty) {
  const n = Math.max(0, Math.min(3, novelty || 0));
  return h(
    "span",
    {},
    h("span", { class: "visually-hidden", text: t("Novelty {n} of 3", { n }) }),
    h("span", { "aria-hidden": "true", text: `${"●".repeat(n)}${"○".repeat(3 - n)}` }),
  );
}

/**
 * One item of a compact list (`ul.lines`): its title and key facts on one line, the
 * details in a disclosure opened by a tap (or Enter/Space on its summary). `extra`
 * (the item's buttons) stays beside the line, outside the disclosure.
 */
export function line({ title, facts: shown = [], body = [], extra = null, cls = "", dataset = undefined, key = null }) {
  const more = [].concat(body).filter(Boolean);
  const head = [h("span", { class: "card-title", text: title }), shown.some(Boolean) ? h("span", { class: "line-facts" }, facts(shown)) : null];
  return h(
    "li",
    { class: `card line${cls ? ` ${cls}` : ""}`, dataset },
    more.length
      ? h(
          "details",
          { class: "line-more" },
          // The key keeps focus and the open state when the list is drawn again.
          h("summary", { class: "line-head", dataset: key ? { key } : undefined }, head),
          h("div", { class: "line-body" }, more),
        )
      : h("div", { class: "line-head line-plain" }, head),
    extra ? h("div", { class: "line-act" }, extra) : null,
  );
}

/** An idea on the table as one line: title, cost, novelty, support; text and origin on tap. */
export function ideaLine(idea, look, { mySeat = null, support = null, extra = null, note = null } = {}) {
  const mine = mySeat && idea.played_by.includes(mySeat);
  const by = idea.contributors.map((r) => look.roleName(r)).join(", ");
  return line({
    title: idea.title,
    facts: [
      t("Cost {cost}", { cost: idea.cost ?? 0 }),
      noveltyFact(idea.novelty),
      support ? t("Support {n}", { n: support }) : null,
      mine ? t("Yours") : null,
      note,
    ],
    body: [
      idea.text ? h("p", { class: "card-text", text: idea.text }) : null,
      by ? h("p", { class: "small muted card-text", text: t("From: {roles}", { roles: by }) }) : null,
      servesChips(idea.serves, look.interestName),
    ],
    extra,
    dataset: { idea: idea.id },
    key: `idea-${idea.id}`,
  });
}

/** A list of idea lines. */
export function ideaLines(ids, look, options = {}) {
  return h(
    "ul",
    { class: "cards lines" },
    ids.map((id) => {
      const idea = typeof id === "string" ? look.idea(id) : id;
      return idea ? ideaLine(idea, look, options) : h("li", { class: "card line", text: id });
    }),
  );
}
