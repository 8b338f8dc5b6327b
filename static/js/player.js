// The player's screen (/play): phone first. State comes from net.js; every action is an intent.
import { api } from "./api.js";
import { languageChosen, loadCatalog, t } from "./i18n.js";
import { Connection } from "./net.js";
import { mountBanners } from "./ui-banners.js";
import {
  $,
  adoptedName,
  clock,
  forgetSeat,
  h,
  markdown,
  phaseName,
  replace,
  say,
  scoreName,
  scoresView,
  trendArrow,
  secondsLeft,
  servesChips,
  storedSeat,
  voteName,
} from "./ui-dom.js";
import { ideaLine, ideaLines, line, lookups, noveltyFact, seatList, styleName, voteList, voteTally } from "./ui-game.js";

const stored = storedSeat();
let reopening = false;
if (!stored) location.replace("/");
else if (stored.code && tableCookie() !== stored.code && !languageChosen()) {
  // A seat taken before the join page named its table: name it now and open again, so
  // the page speaks the table's language (pages.py). Only if the cookie sticks: no loop.
  document.cookie = `pm_table=${encodeURIComponent(stored.code)}; path=/; max-age=86400; samesite=lax`;
  reopening = tableCookie() === stored.code;
  if (reopening) location.reload();
}

function tableCookie() {
  const found = /(?:^|;\s*)pm_table=([^;]*)/.exec(document.cookie);
  return found ? decodeURIComponent(found[1]) : "";
}

let conn = null;
let look = null;
let pub = {};
let priv = null;
let controller = null; // the current phase's interaction
let controllerKey = "";
const drawn = new Map(); // element -> signature of what it last showed

/** Re-render an element only when what it shows has changed (keeps focus, inputs, scroll). */
function paint(el, signature, build) {
  const sig = JSON.stringify(signature);
  if (drawn.get(el) === sig) return;
  drawn.set(el, sig);
  // A list repainted while the player is choosing (another seat's idea arrived) keeps
  // the choice if it is still offered.
  const kept = el instanceof HTMLSelectElement ? el.value : "";
  // A line the player opened to read stays open when the list is drawn again.
  const opened = new Set([...el.querySelectorAll("details[open] > summary[data-key]")].map((s) => s.dataset.key));
  replace(el, ...[].concat(build()));
  if (kept && [...el.options].some((o) => o.value === kept)) el.value = kept;
  for (const summary of el.querySelectorAll("details > summary[data-key]")) {
    if (opened.has(summary.dataset.key)) summary.parentElement.open = true;
  }
}

// --- sending intents ---------------------------------------------------------------

function explain(err) {
  switch (err && err.code) {
    case "paused":
      return t("The game is paused. Wait for the facilitator to resume it.");
    case "not_started":
      return t("The game has not started yet.");
    case "game_over":
      return t("The game has ended.");
    case "busy":
      return t("The table is busy. Please try again.");
    case "wrong_phase":
      return t("That is not possible in this phase any more.");
    case "seat_replaced": // the facilitator gave the seat to a bot or to someone else
      return t("The facilitator has given your seat to someone else.");
    default: {
      const text = (err && err.message) || t("That did not work.");
      return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
    }
  }
}

/** Send an action; show progress and errors in `msg`; disable `button` meanwhile. */
async function act(action, msg, button = null, done = "") {
  if (button) button.disabled = true;
  say(msg, conn.status === "open" ? "" : t("Waiting for the connection…"), "info");
  try {
    await conn.send(action);
    say(msg, done, "ok");
    return true;
  } catch (err) {
    say(msg, explain(err), "error");
    return false;
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

function msgSlot() {
  return h("p", { class: "msg", role: "status", hidden: true });
}

function btn(label, onclick, { primary = false, small = false, key = null, cls = "", ...rest } = {}) {
  return h("button", {
    type: "button",
    class: `btn${primary ? " btn-primary" : ""}${small ? " btn-small" : ""}${cls ? ` ${cls}` : ""}`,
    text: label,
    onclick,
    dataset: key ? { key } : undefined,
    ...rest,
  });
}

function interestBoxes(name) {
  return h(
    "fieldset",
    {},
    h("legend", { text: t("Which interests does it speak to?") }),
    h(
      "div",
      { class: "choices-inline" },
      look.interests.map((i) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "checkbox", name, value: i.id }),
          h("span", { text: i.name }),
        ),
      ),
    ),
  );
}

function checked(root, name) {
  return [...root.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

function field(id, label, input, hint = null) {
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id, text: label }), input, hint ? h("span", { class: "hint", text: hint }) : null);
}

/** An ordered pick list with up / down / remove, shared by the frame and rank phases. */
function orderList(order, text, onChange, keyPrefix, empty = t("Nothing chosen yet. Tap an item below to add it.")) {
  if (!order.length) return h("p", { class: "muted", text: empty });
  return h(
    "ol",
    { class: "rank-list" },
    order.map((id, i) =>
      h(
        "li",
        { class: "rank-item" },
        h("span", { class: "rank-no", "aria-hidden": "true", text: String(i + 1) }),
        h("span", { class: "rank-text", text: text(id) }),
        h(
          "span",
          { class: "rank-tools" },
          btn("▲", () => onChange(move(order, i, -1)), {
            small: true,
            cls: "btn-icon",
            key: `${keyPrefix}-up-${id}`,
            disabled: i === 0,
            "aria-label": t("Move up: {item}", { item: text(id) }),
          }),
          btn("▼", () => onChange(move(order, i, 1)), {
            small: true,
            cls: "btn-icon",
            key: `${keyPrefix}-down-${id}`,
            disabled: i === order.length - 1,
            "aria-label": t("Move down: {item}", { item: text(id) }),
          }),
          btn("✕", () => onChange(order.filter((x) => x !== id)), {
            small: true,
            cls: "btn-icon",
            key: `${keyPrefix}-rm-${id}`,
            "aria-label": t("Remove: {item}", { item: text(id) }),
          }),
        ),
      ),
    ),
  );
}

function move(list, i, step) {
  const copy = [...list];
  const j = i + step;
  if (j < 0 || j >= copy.length) return copy;
  [copy[i], copy[j]] = [copy[j], copy[i]];
  return copy;
}

// --- phases ------------------------------------------------------------------------

function lobbyPhase(body) {
  const info = h("div");
  body.append(info);
  return {
    title: t("Waiting for the game to start"),
    update() {
      paint(info, [pub.status, pub.seats, pub.autostart], () => [
        h("p", {
          text: pub.autostart
            ? t("The game starts when the facilitator says so, or when every role at the table is taken. Meanwhile, read the case and your role below.")
            : t("The game starts when the facilitator says so. Meanwhile, read the case and your role below."),
        }),
        seatList(pub, look, priv && priv.seat),
      ]);
    },
  };
}

function framePhase(body) {
  let order = [];
  const status = h("p", { class: "progress-note" });
  const ordered = h("div");
  const pool = h("div");
  const submitMsg = msgSlot();
  const submit = btn(t("Submit my ranking"), () => {
    if (!order.length) return say(submitMsg, t("Tap at least one framing first."), "error");
    act({ type: "rank_framings", order }, submitMsg, submit, t("Your ranking is in. You can change it until the round ends."));
    return undefined;
  }, { primary: true });

  const text = h("textarea", { maxlength: "400", rows: "3" });
  const addMsg = msgSlot();
  const add = h(
    "form",
    {},
    field("own-framing", t("The problem as you see it"), text, t("One or two sentences. You can add one framing.")),
    interestBoxes("framing-interest"),
    h("button", { type: "submit", class: "btn", text: t("Add my framing") }),
    addMsg,
  );
  add.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = text.value.trim();
    if (!value) return say(addMsg, t("Write the framing first."), "error");
    const ok = await act(
      { type: "add_framing", text: value, interests: checked(add, "framing-interest") },
      addMsg,
      add.querySelector("button[type=submit]"),
    );
    if (ok) text.value = "";
    return undefined;
  });

  const addBox = h("details", { class: "card" }, h("summary", { class: "label", text: t("Add a framing of your own") }), add);
  body.append(
    status,
    h("h3", { text: t("My order (most important first)") }),
    ordered,
    h("div", { class: "actions" }, submit),
    submitMsg,
    h("h3", { text: t("Framings") }),
    pool,
    addBox,
  );

  function draw() {
    const framings = pub.framings || [];
    const byId = new Map(framings.map((f) => [f.id, f]));
    order = order.filter((id) => byId.has(id));
    const textOf = (id) => (byId.get(id) ? byId.get(id).text : id);
    const ranked = (pub.ranked_framings || []).includes(priv.seat);
    paint(status, [ranked, pub.ranked_framings, pub.seats.length], () =>
      t("{n} of {total} have ranked.", { n: (pub.ranked_framings || []).length, total: pub.seats.length }) +
      (ranked ? ` ${t("Your ranking is in.")}` : ""),
    );
    submit.textContent = ranked ? t("Update my ranking") : t("Submit my ranking");
    paint(ordered, [order, framings], () => orderList(order, textOf, (next) => {
      order = next;
      draw();
    }, "fr"));
    const left = framings.filter((f) => !order.includes(f.id));
    paint(pool, [left, order], () =>
      left.length
        ? left.map((f) =>
            h(
              "button",
              {
                type: "button",
                class: "btn pick",
                dataset: { key: `fr-add-${f.id}` },
                onclick: () => {
                  order = [...order, f.id];
                  draw();
                },
              },
              h("span", { class: "pick-mark", "aria-hidden": "true", text: "+" }),
              h("span", {}, f.text, f.own ? h("span", { class: "tag tag-own", text: t("a player's own") }) : null),
            ),
          )
        : h("p", { class: "muted", text: t("All framings are in your order.") }),
    );
    addBox.hidden = framings.some((f) => f.added_by === priv.seat);
  }
  return { title: t("Rank the framings"), update: draw };
}

/** A card in the hand as one line: title, cost, novelty; what it says and serves on tap. */
function handCardView(card, extra = null) {
  return line({
    title: card.title || card.id,
    facts: [t("Cost {cost}", { cost: card.cost ?? 0 }), noveltyFact(card.novelty)],
    body: [card.text ? h("p", { class: "card-text", text: card.text }) : null, servesChips(card.serves, look.interestName)],
    extra,
    cls: extra ? "line-wrap" : "",
    key: `card-${card.id}`,
  });
}

function ideatePhase(body) {
  const quota = h("p", { class: "progress-note" });
  const handBox = h("div");
  const handMsg = msgSlot();

  // Write your own
  const title = h("input", { maxlength: "80" });
  const text = h("textarea", { maxlength: "400", rows: "3" });
  const writeMsg = msgSlot();
  const write = h(
    "form",
    {},
    field("idea-title", t("Title"), title, t("At most 80 characters.")),
    field("idea-text", t("What it means (optional)"), text),
    interestBoxes("idea-interest"),
    h("button", { type: "submit", class: "btn btn-primary", text: t("Put my idea on the table") }),
    writeMsg,
  );
  write.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!title.value.trim()) return say(writeMsg, t("Give your idea a title."), "error");
    const ok = await act(
      { type: "write_idea", title: title.value.trim(), text: text.value.trim(), interests: checked(write, "idea-interest") },
      writeMsg,
      write.querySelector("button[type=submit]"),
      t("Your idea is on the table."),
    );
    if (ok) {
      title.value = "";
      text.value = "";
      for (const box of write.querySelectorAll("input[type=checkbox]")) box.checked = false;
    }
    return undefined;
  });

  // Build on a table idea
  const base = h("select");
  const withCard = h("input", { type: "radio", name: "build-with", value: "card", checked: true });
  const withWords = h("input", { type: "radio", name: "build-with", value: "words" });
  const cardSelect = h("select");
  const buildTitle = h("input", { maxlength: "80" });
  const buildText = h("textarea", { maxlength: "400", rows: "2" });
  const cardField = field("build-card", t("Card from my hand"), cardSelect);
  const wordsField = h("div", { hidden: true }, field("build-title", t("My addition, in a few words"), buildTitle), field("build-text", t("More detail (optional)"), buildText));
  const buildMsg = msgSlot();
  const build = h(
    "form",
    {},
    field("build-base", t("The idea to build on"), base),
    h(
      "fieldset",
      {},
      h("legend", { text: t("Add to it") }),
      h("div", { class: "choices-inline" },
        h("label", { class: "choice" }, withCard, h("span", { text: t("a card from my hand") })),
        h("label", { class: "choice" }, withWords, h("span", { text: t("my own words") })),
      ),
    ),
    cardField,
    wordsField,
    h("button", { type: "submit", class: "btn btn-primary", text: t("Build on it") }),
    buildMsg,
  );
  const toggleWith = () => {
    cardField.hidden = !withCard.checked;
    wordsField.hidden = withCard.checked;
  };
  withCard.addEventListener("change", toggleWith);
  withWords.addEventListener("change", toggleWith);
  build.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!base.value) return say(buildMsg, t("Choose the idea to build on."), "error");
    const action = { type: "build_on", base: base.value };
    if (withCard.checked) {
      if (!cardSelect.value) return say(buildMsg, t("Choose a card, or use your own words."), "error");
      action.idea = cardSelect.value;
    } else {
      if (!buildTitle.value.trim()) return say(buildMsg, t("Write your addition in a few words."), "error");
      action.title = buildTitle.value.trim();
      action.text = buildText.value.trim();
    }
    const ok = await act(action, buildMsg, build.querySelector("button[type=submit]"), t("Your combined idea is on the table."));
    if (ok) {
      buildTitle.value = "";
      buildText.value = "";
    }
    return undefined;
  });

  const passMsg = msgSlot();
  const pass = btn(t("I'm done with ideas"), () => act({ type: "pass" }, passMsg, pass, t("Marked as done.")));

  const writeBox = h("details", { class: "card" }, h("summary", { class: "label", text: t("Write your own idea") }), write);
  const buildBox = h("details", { class: "card" }, h("summary", { class: "label", text: t("Build on an idea on the table") }), build);
  body.append(
    quota,
    h("h3", { text: t("Play a card from your hand") }),
    handBox,
    handMsg,
    writeBox,
    buildBox,
    h("div", { class: "actions" }, pass),
    passMsg,
  );

  function draw() {
    const limit = pub.round.ideas_per_player;
    const played = priv.ideas_played || 0;
    const done = (pub.done || []).includes(priv.seat);
    const blocked = done || played >= limit;
    quota.textContent =
      t("You have played {n} of {limit} ideas this round.", { n: played, limit }) +
      (done ? ` ${t("You said you are done.")}` : "");
    paint(handBox, [priv.hand, blocked], () =>
      priv.hand.length
        ? h(
            "ul",
            { class: "cards lines" },
            priv.hand.map((card) => {
              const play = btn(t("Play this card"), () => act({ type: "play_idea", idea: card.id }, handMsg, play, t("Played.")), {
                primary: true,
                small: true,
                key: `play-${card.id}`,
                disabled: blocked,
              });
              return handCardView(card, play);
            }),
          )
        : h("p", { class: "muted", text: t("Your hand is empty.") }),
    );
    for (const el of [write, build]) for (const b of el.querySelectorAll("button[type=submit]")) b.disabled = blocked;
    pass.disabled = done;
    const ideas = pub.ideas || [];
    buildBox.hidden = !ideas.length;
    paint(base, ideas.map((i) => [i.id, i.title]), () => [
      h("option", { value: "", text: t("Choose…") }),
      ideas.map((i) => h("option", { value: i.id, text: i.title })),
    ]);
    // With no card in hand, building on an idea takes one's own words: the card choice
    // is not offered (the rules would refuse it).
    const noCards = !priv.hand.length;
    withCard.disabled = noCards;
    withCard.closest("label").hidden = noCards;
    if (noCards && withCard.checked) {
      withWords.checked = true;
      toggleWith();
    }
    paint(cardSelect, priv.hand.map((c) => c.id), () => [
      h("option", { value: "", text: t("Choose…") }),
      priv.hand.map((c) => h("option", { value: c.id, text: c.title || c.id })),
    ]);
  }
  return { title: t("Put ideas on the table"), update: draw };
}

function dilemmaPhase(body) {
  const box = h("div");
  const msg = msgSlot();
  let myAdvice = null;
  let confirming = null;
  body.append(box, msg);

  function draw() {
    const d = pub.dilemma;
    if (!d) {
      paint(box, ["none"], () => h("p", { class: "muted", text: t("The dilemma is on its way.") }));
      return;
    }
    const mine = priv.role === d.target;
    const advised = (d.advised_by || []).includes(priv.seat);
    paint(box, [d, mine, myAdvice, confirming, advised], () => [
      h("div", { class: "dilemma-text" }, h("h3", { text: d.title }), markdown(d.text, 4)),
      h("p", { class: "progress-note", text: mine ? t("You decide how the committee meets this. Listen to the advice first.") : t("The {role} decides. Give your advice.", { role: look.roleName(d.target) }) }),
      h(
        "ul",
        { class: "cards" },
        d.options.map((o) => {
          const chosen = d.chosen === o.id;
          const tools = [];
          // The one who decides is advised, never advises (the rules refuse it).
          if (!d.chosen && !mine) {
            tools.push(
              btn(myAdvice === o.id ? t("You advised this") : t("Advise this"), () => {
                act({ type: "advise", option: o.id }, msg, null, t("Your advice is in.")).then((ok) => {
                  if (ok) {
                    myAdvice = o.id;
                    draw();
                  }
                });
              }, { small: true, key: `adv-${o.id}`, "aria-pressed": myAdvice === o.id ? "true" : "false" }),
            );
          }
          if (!d.chosen && mine && confirming !== o.id) {
            tools.push(btn(t("Choose this"), () => {
              confirming = o.id;
              draw();
            }, { small: true, primary: true, key: `choose-${o.id}` }));
          }
          return h(
            "li",
            { class: `card dilemma-option${chosen ? " is-chosen" : ""}` },
            h("p", { class: "card-text", text: o.text }),
            h(
              "div",
              { class: "actions option-tools" },
              tools,
              h("span", { class: "small muted", text: t("Advised by {n}", { n: o.advised }) }),
              chosen ? h("span", { class: "done-mark", text: `✓ ${t("Chosen")}` }) : null,
            ),
            confirming === o.id && !d.chosen
              ? h(
                  "div",
                  { class: "confirm", role: "group", "aria-label": t("Confirm your choice") },
                  h("p", { text: t("Choose this option for the committee? This cannot be undone.") }),
                  h(
                    "div",
                    { class: "actions" },
                    btn(t("Yes, choose it"), (e) => {
                      act({ type: "choose_option", option: o.id }, msg, e.currentTarget, t("Chosen.")).then(() => {
                        confirming = null;
                        draw();
                      });
                    }, { primary: true, key: `yes-${o.id}`, cls: "btn-danger" }),
                    btn(t("Cancel"), () => {
                      confirming = null;
                      draw();
                    }, { key: `no-${o.id}` }),
                  ),
                )
              : null,
          );
        }),
      ),
    ]);
  }
  return { title: t("A dilemma"), update: draw };
}

function rankPhase(body) {
  let order = [];
  const status = h("p", { class: "progress-note" });
  const ordered = h("div");
  const pool = h("div");
  const msg = msgSlot();
  const submit = btn(t("Submit my ranking"), () => {
    if (!order.length) return say(msg, t("Pick at least one idea first."), "error");
    act({ type: "rank_ideas", order }, msg, submit, t("Your ranking is in. You can change it until the round ends."));
    return undefined;
  }, { primary: true });
  const pass = btn(t("Skip ranking"), () => act({ type: "pass" }, msg, pass, t("Marked as done.")));
  body.append(
    status,
    h("h3", { text: t("My top three") }),
    ordered,
    h("div", { class: "actions" }, submit, pass),
    msg,
    h("h3", { text: t("Ideas on the table") }),
    pool,
  );
  function draw() {
    const ideas = pub.ideas || [];
    const byId = new Map(ideas.map((i) => [i.id, i]));
    order = order.filter((id) => byId.has(id));
    const own = (id) => byId.get(id) && byId.get(id).played_by.includes(priv.seat);
    const ownPicked = order.some(own);
    const ranked = (pub.ranked_ideas || []).includes(priv.seat);
    status.textContent =
      t("{n} of {total} have ranked.", { n: (pub.ranked_ideas || []).length, total: pub.seats.length }) +
      (ranked ? ` ${t("Your ranking is in.")}` : "");
    submit.textContent = ranked ? t("Update my ranking") : t("Submit my ranking");
    // Until something is picked, the list's place says the rule of picking.
    const rule = t("Pick up to three ideas, best first. At most one of them may be your own.");
    paint(ordered, [order, ideas.map((i) => i.title)], () => orderList(order, (id) => (byId.get(id) ? byId.get(id).title : id), (next) => {
      order = next;
      draw();
    }, "ri", rule));
    const left = ideas.filter((i) => !order.includes(i.id));
    paint(pool, [left, order, pub.support], () =>
      left.length
        ? h(
            "ul",
            { class: "cards lines" },
            left.map((idea) => {
              const full = order.length >= 3;
              const ownBlocked = own(idea.id) && ownPicked;
              const add = btn("+", () => {
                order = [...order, idea.id];
                draw();
              }, {
                small: true,
                cls: "btn-icon",
                key: `ri-add-${idea.id}`,
                disabled: full || ownBlocked,
                "aria-label": t("Add to my top three: {title}", { title: idea.title }),
              });
              const why = ownBlocked ? t("You have already picked one of your own ideas.") : null;
              return ideaLine(idea, look, { mySeat: priv.seat, support: (pub.support || {})[idea.id], extra: add, note: why });
            }),
          )
        : h("p", { class: "muted", text: t("No more ideas to pick.") }),
    );
  }
  return { title: t("Rank the ideas"), update: draw };
}

function decidePhase(body) {
  let chosen = new Set();
  let building = false; // the chair is composing a (revised) package
  let confirmCard = false;
  const box = h("div");
  const builder = h("div");
  const msg = msgSlot();
  body.append(box, builder, msg);

  function packageList(ids) {
    return ideaLines(ids, look, { mySeat: priv.seat });
  }

  function builderView() {
    const budget = pub.round.budget || 0;
    const ideas = pub.ideas || [];
    chosen = new Set([...chosen].filter((id) => look.idea(id)));
    const cost = [...chosen].reduce((sum, id) => sum + look.idea(id).cost, 0);
    const fill = h("div", { class: "meter-fill" });
    fill.style.width = `${Math.min(100, budget ? (cost / budget) * 100 : 0)}%`;
    const propose = btn(pub.proposal.ideas ? t("Propose the revised package") : t("Propose this package"), () => {
      act({ type: "propose", ideas: [...chosen] }, msg, propose, t("Your proposal is on the table.")).then((ok) => {
        if (ok) {
          building = false;
          draw();
        }
      });
    }, { primary: true, key: "propose", disabled: !chosen.size || cost > budget });
    return [
      h("h3", { text: pub.proposal.ideas ? t("Revise the package") : t("Put together a package") }),
      h("p", { text: t("Pick the ideas for the committee's proposal. The package must stay within the budget.") }),
      h(
        "ul",
        { class: "cards lines" },
        [...ideas].sort((a, b) => ((pub.support || {})[b.id] || 0) - ((pub.support || {})[a.id] || 0)).map((idea) => {
          const on = chosen.has(idea.id);
          const full = !on && pub.round.max_ideas && chosen.size >= pub.round.max_ideas;
          const tooDear = !on && (cost + idea.cost > budget || Boolean(full));
          const toggle = btn(on ? "✓" : "+", () => {
            if (on) chosen.delete(idea.id);
            else chosen.add(idea.id);
            draw();
          }, {
            small: true,
            cls: "btn-icon",
            key: `pkg-${idea.id}`,
            "aria-pressed": on ? "true" : "false",
            disabled: tooDear,
            "aria-label": on ? t("In the package: {title}", { title: idea.title }) : t("Add to the package: {title}", { title: idea.title }),
          });
          const li = ideaLine(idea, look, {
            mySeat: priv.seat,
            support: (pub.support || {})[idea.id],
            extra: toggle,
            note: tooDear ? (full ? t("The package is full") : t("Over the budget")) : null,
          });
          if (on) li.classList.add("is-picked");
          return li;
        }),
      ),
      h(
        "div",
        { class: "budget", role: "group", "aria-label": t("Budget") },
        h("span", { class: "progress-note", text: t("Cost {cost} of a budget of {budget}", { cost, budget }) }),
        h("div", { class: `meter${cost > budget ? " is-over" : ""}`, "aria-hidden": "true" }, fill),
        h("div", { class: "actions" }, propose, pub.proposal.ideas ? btn(t("Cancel"), () => {
          building = false;
          draw();
        }, { key: "cancel-revise" }) : null),
      ),
    ];
  }

  function draw() {
    const p = pub.proposal;
    const chair = priv.chair;
    const budget = pub.round.budget || 0;
    const allVoted = p.ideas && Object.keys(p.votes).length >= pub.seats.length;
    const myVote = p.votes[priv.seat];
    const card = (priv.moves || []).find((m) => m.politician_card && m.left > 0 && m.phases.includes("decide"));
    const canBuild = chair && !p.adopted && (!p.ideas || (allVoted && p.revision < 1));
    if (!p.ideas && chair) building = true;
    if (!canBuild) building = false;

    paint(box, [p, myVote, allVoted, confirmCard, building, Boolean(card), pub.seats, look.interests.length], () => {
      const parts = [h("p", { class: "progress-note", text: t("Budget: {budget}", { budget }) })];
      if (p.adopted) {
        parts.push(h("p", { class: "msg", dataset: { kind: "ok" }, text: adoptedName(p.adopted) }), packageList(p.ideas || []));
        return parts;
      }
      if (!p.ideas) {
        if (!chair) {
          parts.push(h("p", { text: t("The chair is putting together a package. When it is proposed you answer: accept, can live with it, or object.") }));
          if (p.leading && p.leading.length) {
            parts.push(h("h3", { text: t("What the rankings point to") }), packageList(p.leading));
          }
        }
        return parts;
      }
      parts.push(
        h("h3", { text: p.revision ? t("The revised proposal") : t("The chair's proposal") }),
        h("p", { text: t("Cost {cost} of a budget of {budget}", { cost: p.cost, budget }) }),
        packageList(p.ideas),
        h("h3", { text: t("Answers") }),
        h("p", { class: "small", text: voteTally(pub) }),
        voteList(pub, look, voteName),
      );
      if (!myVote) {
        parts.push(
          h("p", { class: "label", text: t("Your answer:") }),
          h(
            "div",
            { class: "actions" },
            ["accept", "live_with", "object"].map((choice) =>
              btn(voteName(choice), (e) => act({ type: "vote", choice }, msg, e.currentTarget, t("Your answer is in.")), {
                primary: choice === "accept",
                key: `vote-${choice}`,
                cls: choice === "object" ? "btn-danger" : "",
              }),
            ),
          ),
        );
      } else {
        parts.push(h("p", { text: t("You answered: {choice}", { choice: voteName(myVote) }) }));
      }
      // The chair's own answer does not count: only the others' objections stand in the way.
      const objectors = (pub.seats || []).filter((s) => p.votes[s.id] === "object" && !(look.role(s.role) || {}).chair);
      if (allVoted && !objectors.length) {
        // The rules adopt a proposal nobody objects to by themselves, with the last answer.
        parts.push(h("p", { class: "msg", dataset: { kind: "ok" }, text: t("Nobody objects: the proposal is adopted on its own.") }));
      } else if (allVoted && !chair) {
        parts.push(
          h("p", {
            class: "msg",
            dataset: { kind: "warn" },
            text: t("Objecting: {names}. The chair decides: adopt the proposal over the objections, or revise it once.", { names: objectors.map((s) => s.name).join(", ") }),
          }),
        );
      }
      if (chair) {
        const tools = [];
        if (allVoted && objectors.length) {
          // Adopting now overrules the objectors: say so, and what it costs, by the button.
          parts.push(
            h("p", {
              id: "adopt-cost",
              class: "msg",
              dataset: { kind: "warn" },
              text: t("Objecting: {names}. If you adopt the proposal now, without a revision, you go over their objections and they lose their share of ownership. If you revise it once and they still object, they lose half of it.", {
                names: objectors.map((s) => s.name).join(", "),
              }),
            }),
          );
          tools.push(btn(t("Adopt over the objections"), (e) => act({ type: "adopt" }, msg, e.currentTarget, t("Adopted.")), { key: "adopt", "aria-describedby": "adopt-cost" }));
          if (p.revision < 1 && !building) {
            tools.push(btn(t("Revise it (once)"), () => {
              building = true;
              chosen = new Set(p.ideas);
              draw();
            }, { primary: true, key: "revise" }));
          }
        } else if (!allVoted) {
          parts.push(h("p", { class: "muted", text: t("When everyone has answered and nobody objects, the proposal is adopted on its own. If someone objects, you choose: adopt it over the objections, or revise it once.") }));
        }
        if (card && !confirmCard) {
          tools.push(btn(card.title, () => {
            confirmCard = true;
            draw();
          }, { key: "card", cls: "btn-danger" }));
        }
        if (tools.length) parts.push(h("div", { class: "actions" }, tools));
        if (card && confirmCard) {
          parts.push(
            h(
              "div",
              { class: "confirm", role: "group", "aria-label": card.title },
              h("p", { class: "label", text: card.title }),
              h("p", { text: card.text }),
              h("p", { text: t("This adopts the proposal now, whatever the answers. It is fast, but it costs the committee's ownership.") }),
              h(
                "div",
                { class: "actions" },
                btn(t("Yes, play it"), (e) => {
                  act({ type: "play_move", move: card.id }, msg, e.currentTarget, t("Adopted with the politician card.")).then(() => {
                    confirmCard = false;
                    draw();
                  });
                }, { primary: true, cls: "btn-danger", key: "card-yes" }),
                btn(t("Cancel"), () => {
                  confirmCard = false;
                  draw();
                }, { key: "card-no" }),
              ),
            ),
          );
        }
      }
      return parts;
    });
    if (building) {
      drawn.delete(builder);
      replace(builder, ...builderView());
    } else {
      paint(builder, ["off"], () => []);
    }
  }
  return { title: t("Decide on a proposal"), update: draw };
}

/**
 * The debrief's first question on the player's own phone: pick the words that fit. Only
 * the number of people who picked each word reaches the trainer's screen, never who.
 */
function feelingsPoll() {
  const lang = document.body.dataset.lang || "da";
  const section = h("section", { class: "feelings", "aria-labelledby": "feelings-h" });
  const prompt = h("p", { id: "feelings-h", class: "label" });
  const grid = h("div", { class: "actions", role: "group", "aria-labelledby": "feelings-h" });
  const status = h("p", { class: "muted", role: "status" });
  let options = [];
  let mine = new Set();
  let saving = Promise.resolve();

  const draw = () =>
    replace(
      grid,
      ...options.map((option) =>
        h("button", {
          type: "button",
          class: "btn btn-small",
          "aria-pressed": mine.has(option.id) ? "true" : "false",
          text: option.label,
          onclick: () => pick(option.id),
        }),
      ),
    );
  const call = (method, body) =>
    api(`/api/seat/feelings?lang=${encodeURIComponent(lang)}`, { method, body, token: stored.token });
  const shown = (poll) => {
    prompt.textContent = poll.prompt;
    options = poll.options;
    mine = new Set(poll.mine);
    draw();
  };
  function pick(id) {
    // Shown at once; the answers are sent one after another, so the last tap wins.
    if (mine.has(id)) mine.delete(id);
    else mine.add(id);
    draw();
    const wanted = [...mine];
    saving = saving.then(async () => {
      try {
        await call("PUT", { feelings: wanted });
        status.textContent = t("Saved. The debrief shows only how many picked each word, not who.");
      } catch {
        status.textContent = t("Not saved: the server cannot be reached. Tap again in a moment.");
      }
    });
  }
  call("GET")
    .then(shown)
    .catch(() => {
      section.hidden = true; // no poll to show: the rest of the screen stands on its own
    });
  section.append(prompt, grid, status);
  return section;
}

function endedPhase(body) {
  const box = h("div");
  body.append(feelingsPoll(), box);
  return {
    title: t("Game over"),
    update() {
      const final = pub.final || { package: [], goals: {} };
      const met = final.goals ? final.goals[priv.role] : undefined;
      paint(box, [final, pub.proposal && pub.proposal.adopted], () => [
        h("p", { text: t("The committee has handed in its proposal. Thank you for playing!") }),
        pub.proposal && pub.proposal.adopted ? h("p", { class: "label", text: adoptedName(pub.proposal.adopted) }) : null,
        h("h3", { text: t("The final proposal") }),
        final.package.length
          ? ideaLines(final.package, look, { mySeat: priv.seat })
          : h("p", { class: "muted", text: t("No ideas made it into the proposal.") }),
        met === undefined
          ? null
          : h("p", { class: "goal", text: met ? t("Your secret goal was met.") : t("Your secret goal was not met.") }),
        h("p", { class: "muted", text: t("Your facilitator will now take you through the debrief: what happened, why the scores moved, and what you can take home.") }),
      ]);
    },
  };
}

const PHASES = {
  frame: framePhase,
  ideate: ideatePhase,
  dilemma: dilemmaPhase,
  rank: rankPhase,
  decide: decidePhase,
  ended: endedPhase,
};

// --- panels ------------------------------------------------------------------------

function renderAction() {
  const phase = pub.status === "ended" ? "ended" : pub.round ? pub.round.phase : "lobby";
  const key = `${pub.round ? pub.round.index : -1}:${phase}`;
  const body = $("#action-body");
  if (key !== controllerKey) {
    controllerKey = key;
    body.replaceChildren();
    for (const el of [...drawn.keys()]) if (!el.isConnected) drawn.delete(el);
    const make = phase === "lobby" ? lobbyPhase : PHASES[phase];
    controller = make ? make(body) : null;
    $("#action-title").textContent = controller ? controller.title : phaseName(phase);
  }
  $("#action").hidden = !controller;
  if (controller) controller.update();
}

function renderHud() {
  const role = look.role(priv.role);
  const me = look.seat(priv.seat);
  // The name first and whole: it is how the player finds themself; the role gives way.
  const name = me ? me.name : stored.name || "";
  const nameEl = $("#hud-name");
  nameEl.textContent = name;
  nameEl.title = name;
  $("#hud-role-name").textContent = role ? role.name : priv.role;
  const round = pub.round;
  const roundEl = $("#hud-round");
  roundEl.textContent = round
    ? t("Round {n} of {count}: {title}", { n: round.index + 1, count: round.count, title: round.title })
    : conn.scenario.title;
  roundEl.dataset.round = round ? String(round.index + 1) : "";
  const tag = $("#hud-phase");
  tag.hidden = !round;
  if (round) tag.textContent = phaseName(pub.status === "ended" ? "ended" : round.phase);
  tick();
}

function tick() {
  const el = $("#timer");
  if (!pub || !pub.status || pub.status === "lobby" || pub.status === "ended") {
    el.hidden = true;
    return;
  }
  const left = secondsLeft(pub);
  el.hidden = left === null;
  if (left === null) return;
  const paused = pub.status === "paused";
  el.textContent = paused ? `${t("Paused")} ${clock(left)}` : clock(left);
  el.setAttribute("aria-label", paused ? t("Paused with {time} left", { time: clock(left) }) : t("{time} left", { time: clock(left) }));
  el.classList.toggle("is-paused", paused);
  el.classList.toggle("is-low", !paused && left < 60);
}

function renderMoves() {
  const phase = pub.round && pub.status !== "ended" ? pub.round.phase : null;
  const others = [...new Set((pub.seats || []).map((s) => s.role))].filter((r) => r !== priv.role);
  // Only what the rules accept now: a move of this phase, with plays left this round, and
  // for a move aimed at someone, another role at the table to aim it at.
  const moves = (priv.moves || []).filter(
    (m) => phase && m.phases.includes(phase) && m.left > 0 && !m.politician_card && (!m.target || others.length),
  );
  const panel = $("#moves-panel");
  panel.hidden = !moves.length;
  paint($("#moves"), [moves, others, phase], () =>
    h(
      "ul",
      { class: "cards lines" },
      moves.map((m) => {
        const msg = msgSlot();
        const target = m.target
          ? h(
              "select",
              { id: `target-${m.id}` },
              h("option", { value: "", text: t("Choose…") }),
              others.map((r) => h("option", { value: r, text: look.roleName(r) })),
            )
          : null;
        const play = btn(t("Play this move"), () => {
          const action = { type: "play_move", move: m.id };
          if (m.target) {
            if (!target.value) return say(msg, t("Choose whom the move is for."), "error");
            action.target = target.value;
          }
          act(action, msg, play, t("Move played: {title}", { title: m.title }));
          return undefined;
        }, { small: true, primary: true, key: `move-${m.id}` });
        // One line each (name and style); what it does, for whom, and playing it on tap.
        return line({
          title: m.title,
          facts: [styleName(m.style), m.left > 1 ? t("{n} left this round", { n: m.left }) : null],
          body: [
            h("p", { class: "card-text", text: m.text }),
            target ? h("div", { class: "field" }, h("label", { for: `target-${m.id}`, text: t("For whom?") }), target) : null,
            h("div", { class: "actions" }, play),
            msg,
          ],
          cls: "line-inline",
          key: `mv-${m.id}`,
        });
      }),
    ),
  );
}

function renderRole() {
  const role = look.role(priv.role) || { name: priv.role, brief: "" };
  const agenda = Object.entries(priv.agenda || {}).sort((a, b) => b[1] - a[1]);
  paint($("#role"), [priv.role, priv.agenda, priv.goal, look.interests.length], () => [
    h("h3", { text: role.name }),
    priv.chair ? h("p", { class: "tag tag-phase", text: t("You chair the committee") }) : null,
    markdown(role.brief, 4),
    h("h3", { text: t("What matters to you (only you see this)") }),
    h(
      "ul",
      { class: "agenda" },
      agenda.map(([id, w]) =>
        h(
          "li",
          { class: "agenda-row" },
          h("span", { text: look.interestName(id) }),
          h("span", {
            class: `weight ${w >= 0 ? "weight-plus" : "weight-minus"}`,
            role: "img",
            "aria-label": w >= 0 ? t("for it, weight {w}", { w }) : t("against it, weight {w}", { w: -w }),
            text: w === 0 ? "·" : (w > 0 ? "+" : "−").repeat(Math.abs(w)),
          }),
        ),
      ),
    ),
    priv.goal ? [h("h3", { text: t("Your secret goal") }), h("p", { class: "goal", text: priv.goal })] : null,
  ]);
}

function renderHand() {
  const inIdeate = pub.round && pub.round.phase === "ideate" && pub.status !== "ended";
  $("#hand-panel").hidden = inIdeate;
  $("#hand-title").textContent = t("My idea cards ({n})", { n: priv.hand.length });
  paint($("#hand"), [priv.hand], () =>
    priv.hand.length
      ? h("ul", { class: "cards lines" }, priv.hand.map((c) => handCardView(c)))
      : h("p", { class: "muted", text: t("Your hand is empty.") }),
  );
}

function renderIdeas() {
  const ideas = pub.ideas || [];
  const phase = pub.round && pub.round.phase;
  // The rank and decide phases show the ideas in their own panel.
  $("#ideas-panel").hidden = !pub.round || !ideas.length || phase === "rank" || (phase === "decide" && priv.chair && pub.status !== "ended");
  $("#ideas-title").textContent = t("Ideas on the table ({n})", { n: ideas.length });
  paint($("#ideas"), [ideas, pub.support, pub.seats.length], () =>
    h("ul", { class: "cards lines" }, ideas.map((i) => ideaLine(i, look, { mySeat: priv.seat, support: (pub.support || {})[i.id] }))),
  );
}

/** The scores in one line (name, number if shown, trend) for the panel's summary. */
function scoresLine(scores) {
  const current = (scores && scores.current) || {};
  return Object.entries(current).map(([name, entry]) =>
    h(
      "span",
      { class: "score-chip" },
      scoreName(name),
      "value" in entry && entry.value !== null ? ` ${Math.round(entry.value)}` : "",
      " ",
      trendArrow(entry.trend),
    ),
  );
}

function render(state) {
  pub = state.public || {};
  priv = state.private;
  if (!priv) return;
  look = lookups(conn);
  $("#loading").hidden = true;
  renderHud();
  const prompt = pub.round && pub.status !== "ended" ? pub.round.prompt : "";
  $("#prompt-panel").hidden = !prompt;
  $("#prompt").textContent = prompt;
  renderAction();
  renderMoves();
  // While the facilitator has paused the table nothing can be played: the controls are
  // inert (out of reach of taps, Tab and screen readers) and the page says why.
  const paused = pub.status === "paused";
  $("#action-body").inert = paused;
  $("#moves").inert = paused;
  say($("#paused-note"), paused ? t("The game is paused. Wait for the facilitator to resume it.") : "", "warn");
  $("#scores-panel").hidden = !pub.round;
  if (pub.scores) {
    paint($("#scores-line"), [pub.scores], () => scoresLine(pub.scores));
    paint($("#scores"), [pub.scores], () => scoresView(pub.scores));
  }
  renderIdeas();
  renderRole();
  renderHand();
  paint($("#case"), [conn.scenario.case], () => [h("h3", { text: conn.scenario.title }), markdown(conn.scenario.case, 4)]);
  paint($("#seats"), [pub.seats, pub.done], () => seatList(pub, look, priv.seat));
}

async function main() {
  await loadCatalog();
  conn = new Connection({ token: stored.token });
  mountBanners(conn, $("#banners"));
  conn.onState(render);
  let clearStatus = null;
  conn.onError((err) => {
    say($("#status"), explain(err), "warn");
    clearTimeout(clearStatus);
    clearStatus = setTimeout(() => say($("#status"), ""), 6000);
  });
  conn.onFatal(() => {
    forgetSeat();
    $("#loading").hidden = false;
    replace(
      $("#loading"),
      t("Your seat could not be found. The game may have been removed."),
      " ",
      h("a", { href: stored.code ? `/join/${encodeURIComponent(stored.code)}` : "/", text: t("Join again") }),
    );
  });
  conn.start();
  setInterval(tick, 1000);
}

if (stored && !reopening) main();
