// The join page: table code, name, role → POST /api/join → /play.
import { currentLanguage, languageChosen, loadCatalog, t } from "./i18n.js";
import { $, forgetSeat, h, say, storedSeat } from "./ui-dom.js";

// The server's reasons for a refused seat, in the page's words (it answers in English).
const SEAT_REASONS = {
  "that role is taken": () => t("someone has that role already; pick another"),
  "every seat at this table is taken": () => t("every seat at this table is taken"),
  "the table is busy; please try again": () => t("the table is busy; please try again"),
  "this table's game has ended": () => t("this table's game has ended"),
  "this table's game has already started": () => t("this table's game has already started"),
};

function seatReason(detail) {
  const known = SEAT_REASONS[String(detail || "")];
  return known ? known() : t("ask the workshop leader");
}

const ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679";
const CODE_LENGTH = 6;

const form = $("#join-form");
const codeInput = $("#code");
const nameInput = $("#name");
const codeMsg = $("#code-msg");
const joinMsg = $("#join-msg");
const rolesBox = $("#roles");
const roleList = $("#role-list");
const lobbyBox = $("#lobby");
const joinButton = $("#join");

let lobby = null; // the last lobby answer, for the code it was fetched for
let lookup = 0;
let nameTyped = false; // the person has typed a name here (a remembered one does not count)

/** The role's name (and public brief) as the scenario gives them, in the table's language. */
function roleInfo(id) {
  return (lobby && lobby.roles.find((role) => role.id === id)) || { name: id, brief: "" };
}

/** Milliseconds to wait before asking again, from a 503's Retry-After (1 to 10 s). */
function retryDelay(response) {
  const seconds = Number(response.headers.get("Retry-After")) || 2;
  return 1000 * Math.min(10, Math.max(1, seconds));
}

function cleanCode(text) {
  const upper = text.toUpperCase().replace(/[\s-]+/g, "");
  const kept = [...upper].filter((c) => ALPHABET.includes(c)).join("");
  return { kept, dropped: kept.length !== upper.length };
}

function offerResume(code) {
  const seat = storedSeat();
  const box = $("#resume");
  if (!seat || (code && seat.code !== code)) {
    box.hidden = true;
    return;
  }
  $("#resume-text").textContent = t("You have a seat at table {code} as {name}.", {
    code: seat.code,
    name: seat.name || seat.role,
  });
  $("#resume-go").textContent = t("Continue as {name}", { name: seat.name || seat.role });
  box.hidden = false;
}

async function fetchLobby(code) {
  const mine = ++lookup;
  say(codeMsg, t("Looking for the table…"), "info");
  let answer;
  try {
    const response = await fetch(`/api/tables/${encodeURIComponent(code)}`);
    if (mine !== lookup) return;
    if (response.status === 404) {
      lobby = null;
      showRoles();
      say(codeMsg, t("No table has this code. Check it on the screen or the slip."), "error");
      return;
    }
    if (response.status === 503) {
      // The server's database is restarting: look again by itself when the server says.
      say(codeMsg, t("The server is restarting for a moment. Trying again…"), "warn");
      setTimeout(() => mine === lookup && fetchLobby(code), retryDelay(response));
      return;
    }
    if (!response.ok) throw new Error(String(response.status));
    answer = await response.json();
  } catch {
    if (mine !== lookup) return;
    say(codeMsg, t("Could not reach the server. Check your connection and try again."), "error");
    return;
  }
  // A code typed here opens a table that speaks another language: the page follows the
  // table, as /join/CODE does, unless the person picked a language or began to type a name.
  if (answer.language && answer.language !== currentLanguage() && !languageChosen() && !nameTyped) {
    location.replace(`/join/${encodeURIComponent(answer.code || code)}`);
    return;
  }
  lobby = answer;
  $("#lobby-title").textContent = answer.title;
  lobbyBox.hidden = false;
  if (!answer.free_roles.length) {
    say(
      codeMsg,
      answer.status !== "lobby"
        ? t("This table's game has already started, so no new seats can be taken.")
        : t("Every seat at this table is taken."),
      "warn",
    );
  } else {
    say(codeMsg, t("Table found."), "ok");
  }
  showRoles();
}

function showRoles() {
  roleList.replaceChildren();
  const free = lobby ? [...new Set(lobby.free_roles)] : [];
  rolesBox.hidden = !free.length;
  joinButton.disabled = Boolean(lobby) && !free.length;
  if (!free.length) return;
  const any = h("input", { type: "radio", name: "role", value: "", id: "role-any", checked: true });
  roleList.append(
    h("label", { class: "choice", for: "role-any" }, any, h("span", {}, t("Any free role (the one the table needs most)"))),
  );
  // One line per role: its name to pick, its brief on tap (a long list of briefs made
  // the page three phone screens tall).
  for (const id of free) {
    const input = h("input", { type: "radio", name: "role", value: id, id: `role-${id}` });
    const role = roleInfo(id);
    roleList.append(
      h(
        "div",
        { class: "role-pick" },
        h("label", { class: "choice", for: `role-${id}` }, input, h("span", {}, h("strong", { text: role.name }))),
        role.brief
          ? h(
              "details",
              { class: "role-brief" },
              h("summary", { "aria-label": t("About the role: {role}", { role: role.name }) }, t("About the role")),
              h("p", { text: role.brief }),
            )
          : null,
      ),
    );
  }
}

function onCodeInput() {
  const { kept, dropped } = cleanCode(codeInput.value);
  if (codeInput.value !== kept) codeInput.value = kept;
  if (dropped) say(codeMsg, t("Codes never use 0, O, 1, I, L, 2, Z, 5, S, 8 or B."), "warn");
  else say(codeMsg, "");
  offerResume(kept.length === CODE_LENGTH ? kept : null);
  if (kept.length === CODE_LENGTH && (!lobby || lobby.code !== kept)) fetchLobby(kept);
  if (kept.length !== CODE_LENGTH) {
    lobby = null;
    lobbyBox.hidden = true;
    showRoles();
  }
}

async function onSubmit(event) {
  event.preventDefault();
  say(joinMsg, "");
  const code = cleanCode(codeInput.value).kept;
  const name = nameInput.value.replace(/\s+/g, " ").trim();
  if (code.length < 4) {
    say(joinMsg, t("Enter the table code first."), "error");
    codeInput.focus();
    return;
  }
  if (!name) {
    say(joinMsg, t("Enter your name."), "error");
    nameInput.focus();
    return;
  }
  const picked = form.querySelector('input[name="role"]:checked');
  const body = { code, name: name.slice(0, 40) };
  if (picked && picked.value) body.role = picked.value;
  joinButton.disabled = true;
  say(joinMsg, t("Taking your seat…"), "info");
  try {
    const response = await fetch("/api/join", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const messages = {
        404: t("No table has this code. Check it on the screen or the slip."),
        409: t("That seat could not be taken: {reason}", { reason: seatReason(answer.detail) }),
        422: t("Check the code and your name (at most 40 characters)."),
        503: t("The server could not take your seat just now. Nothing was changed; try again in a moment."),
      };
      say(joinMsg, messages[response.status] || t("Joining failed. Try again."), "error");
      if (response.status === 409) fetchLobby(code);
      joinButton.disabled = false;
      return;
    }
    localStorage.setItem(
      "pm.seat",
      JSON.stringify({
        token: answer.token,
        seat: answer.seat,
        role: answer.role,
        table_id: answer.table_id,
        code,
        name: body.name,
      }),
    );
    // The player page opens in the table's language; it learns the table from this cookie.
    document.cookie = `pm_table=${encodeURIComponent(code)}; path=/; max-age=86400; samesite=lax`;
    location.assign("/play");
  } catch {
    say(joinMsg, t("Could not reach the server. Check your connection and try again."), "error");
    joinButton.disabled = false;
  }
}

async function main() {
  await loadCatalog();
  codeInput.addEventListener("input", onCodeInput);
  nameInput.addEventListener("input", () => {
    nameTyped = true;
  });
  form.addEventListener("submit", onSubmit);
  $("#resume-forget").addEventListener("click", () => {
    forgetSeat();
    $("#resume").hidden = true;
    nameInput.focus();
  });
  const seat = storedSeat();
  // What was typed while the page was still loading counts (a slow town-hall network).
  if (nameInput.value.trim()) nameTyped = true;
  else if (seat && seat.name) nameInput.value = seat.name;
  const initial = document.body.dataset.code || "";
  if (initial) {
    codeInput.value = initial;
    onCodeInput();
    offerResume(cleanCode(initial).kept);
    nameInput.focus();
  } else {
    offerResume(null);
    if (codeInput.value) onCodeInput();
  }
}

main();
