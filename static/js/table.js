// The table screen (/table/{code}): a projector view, watching without a seat.
import { loadCatalog, t } from "./i18n.js";
import { Connection } from "./net.js";
import { mountBanners } from "./ui-banners.js";
import { $, adoptedName, clock, h, markdown, phaseName, replace, scoresView, secondsLeft, voteName } from "./ui-dom.js";
import { ideaCard, lookups, seatList, voteList, voteTally } from "./ui-game.js";

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

function phaseExtra() {
  const round = pub.round;
  if (!round || pub.status === "ended") return null;
  const total = (pub.seats || []).length;
  switch (round.phase) {
    case "frame":
      return [
        h("p", { class: "progress-note", text: t("{n} of {total} have ranked.", { n: pub.ranked_framings.length, total }) }),
        h("ol", {}, pub.framings.map((f) => h("li", { text: f.text }))),
      ];
    case "ideate":
      return h("p", { class: "progress-note", text: t("{n} ideas on the table · {done} of {total} done", { n: pub.ideas.length, done: pub.done.length, total }) });
    case "rank":
      return h("p", { class: "progress-note", text: t("{n} of {total} have ranked.", { n: pub.ranked_ideas.length, total }) });
    default:
      return null;
  }
}

function render(state) {
  pub = state.public || {};
  look = lookups(conn);
  const sc = conn.scenario;
  $("#loading").hidden = true;
  $("#title").textContent = sc.title;
  const round = pub.round;
  const ended = pub.status === "ended";
  $("#round").textContent = round
    ? `${t("Round {n} of {count}", { n: round.index + 1, count: round.count })} · ${phaseName(ended ? "ended" : round.phase)}`
    : t("Waiting for the game to start");
  tick();

  $("#lobby").hidden = pub.status !== "lobby";
  if (pub.status === "lobby") {
    showQr();
    $("#join-url").textContent = `${location.origin}/join/${code}`;
  }

  $("#prompt-panel").hidden = !round;
  if (round) {
    $("#prompt-title").textContent = ended ? t("Game over") : round.title;
    $("#prompt").textContent = ended ? t("The committee has handed in its proposal.") : round.prompt;
    paint($("#phase-extra"), [round.phase, pub.framings, pub.ranked_framings, pub.ranked_ideas, pub.done, pub.ideas.length, pub.seats.length, ended], () => phaseExtra() || []);
  }

  const d = pub.dilemma;
  const showDilemma = Boolean(d && round && round.phase === "dilemma" && !ended);
  $("#dilemma-panel").hidden = !showDilemma;
  if (showDilemma) {
    $("#dilemma-title").textContent = d.title;
    paint($("#dilemma"), [d], () => [
      markdown(d.text, 3),
      h("p", { class: "progress-note", text: t("The {role} decides.", { role: look.roleName(d.target) }) }),
      h(
        "ul",
        { class: "cards" },
        d.options.map((o) =>
          h(
            "li",
            { class: `card dilemma-option${d.chosen === o.id ? " is-chosen" : ""}` },
            h("p", { class: "card-text", text: o.text }),
            h("p", { class: "small muted card-text", text: t("Advised by {n}", { n: o.advised }) }),
            d.chosen === o.id ? h("p", { class: "done-mark", text: `✓ ${t("Chosen")}` }) : null,
          ),
        ),
      ),
    ]);
  }

  const p = pub.proposal;
  const finalIds = ended && pub.final ? pub.final.package : p && p.ideas;
  const showProposal = Boolean(round) && ((round.phase === "decide" && p) || ended);
  $("#proposal-panel").hidden = !showProposal;
  if (showProposal) {
    $("#proposal-title").textContent = ended ? t("The final proposal") : p.revision ? t("The revised proposal") : t("The proposal");
    paint($("#proposal"), [p, finalIds, ended, pub.seats], () => {
      if (!finalIds) return h("p", { class: "muted", text: t("The chair is putting together a package.") });
      const parts = [];
      if (p.adopted) parts.push(h("p", { class: "msg", dataset: { kind: "ok" }, text: adoptedName(p.adopted) }));
      if (!ended && round.budget !== null) parts.push(h("p", { class: "progress-note", text: t("Cost {cost} of a budget of {budget}", { cost: p.cost, budget: round.budget }) }));
      parts.push(
        h("ul", { class: "cards" }, finalIds.map((id) => {
          const idea = look.idea(id);
          return idea ? ideaCard(idea, look) : h("li", { class: "card", text: id });
        })),
      );
      if (!ended) parts.push(h("p", { class: "progress-note", text: voteTally(pub) }), voteList(pub, look, voteName));
      return parts;
    });
  }

  const ideas = pub.ideas || [];
  $("#ideas-panel").hidden = !ideas.length;
  $("#ideas-title").textContent = t("Ideas on the table ({n})", { n: ideas.length });
  paint($("#ideas"), [ideas, pub.support], () =>
    h("ul", { class: "cards" }, ideas.map((i) => ideaCard(i, look, { support: (pub.support || {})[i.id] }))),
  );

  $("#scores-panel").hidden = !round;
  if (pub.scores) paint($("#scores"), [pub.scores], () => scoresView(pub.scores));
  paint($("#seats"), [pub.seats, pub.done], () => seatList(pub, look));
  paint($("#case"), [sc.case], () => markdown(sc.case, 3));
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
    $("#loading").hidden = false;
    $("#loading").textContent = t("There is no table with the code {code}.", { code });
  });
  conn.start();
  setInterval(tick, 1000);
}

main();
