// The facilitator console: create a workshop, then watch and steer all its tables.
import { loadCatalog, t } from "./i18n.js";
import {
  ApiError,
  SCORE_ORDER,
  api,
  append,
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
  shortHash,
  statusName,
  tokenForm,
  workshopToken,
} from "./fac-common.js";
import { previewNodes } from "./fac-preview.js";

const POLL_MS = 3000;
const workshopId = document.body.dataset.workshop || "";
const lang = document.body.dataset.lang || "da";

// --- create ---------------------------------------------------------------------------------

// What the server accepts (MAX_BYTES in app/scenarios/loader.py): a larger file is refused
// here, before it is read or sent.
const MAX_FILE_BYTES = 1024 * 1024;

function languageName(code) {
  return { da: t("Danish"), en: t("English") }[code] || code.toUpperCase();
}

/** A located problem of a scenario file as LINE:COLUMN: message, the way `validate` says it. */
function located(problem) {
  return el("li", {}, el("code", { class: "fac-loc" }, `${problem.line}:${problem.column}:`), " ", problem.message);
}

async function setupCreate() {
  const form = document.getElementById("create-form");
  const select = document.getElementById("f-scenario");
  const error = document.getElementById("create-error");
  const fileInput = document.getElementById("f-file");
  const checkBox = document.getElementById("check-result");
  const panel = document.getElementById("preview-panel");
  const previewBox = document.getElementById("preview");
  const previewHead = document.getElementById("preview-head");
  const previewButton = document.getElementById("preview-installed");
  const langNote = document.getElementById("f-lang-note");
  let installed = []; // [{id, title, languages, hash}]
  // The chosen file: null, or {filename, status: "checking" | "failed" | "errors" | "ok", text,
  // check, why}. Kept apart from the input, which is emptied on every click (see below).
  let upload = null;
  let checks = 0; // numbers each check, so the answer for an older file is dropped
  let previews = 0; // the same for previews of installed cases
  let refreshes = 0; // and for an uploaded file's preview in another language
  let previewing = null; // what the preview panel shows: "installed", "upload", "editor" or null
  // The editor (static/js/editor.js, loaded when first opened) and the version saved in it:
  // null, or {text, check, filename}. The workshop is created with exactly that text.
  let editor = null;
  let editorVersion = null;

  const source = () => form.querySelector("input[name=source]:checked").value;
  const setSource = (value) => {
    document.getElementById(`f-source-${value}`).checked = true;
  };
  const tableLanguage = () => {
    const checked = form.querySelector("input[name=language]:checked");
    return checked ? checked.value : lang;
  };

  function languagesOf() {
    if (source() === "upload") return upload && upload.status === "ok" ? upload.check.preview.languages : null;
    if (source() === "editor") return editorVersion ? editorVersion.check.preview.languages : null;
    const found = installed.find((s) => s.id === select.value);
    return found ? found.languages : null;
  }

  /** Only a language the chosen case is written in can be picked; true if the choice moved. */
  function fitLanguages() {
    const languages = languagesOf();
    const radios = [...form.querySelectorAll("input[name=language]")];
    const before = tableLanguage();
    for (const radio of radios) radio.disabled = Boolean(languages) && !languages.includes(radio.value);
    const checked = radios.find((r) => r.checked);
    if (!checked || checked.disabled) {
      const first = radios.find((r) => !r.disabled);
      if (first) first.checked = true;
    }
    const narrowed = Boolean(languages) && radios.some((r) => r.disabled);
    langNote.hidden = !narrowed;
    langNote.textContent = narrowed
      ? t("This case is written in {languages} only.", { languages: languages.map(languageName).join(", ") })
      : "";
    return tableLanguage() !== before;
  }

  function showPreview(preview, origin) {
    previewing = origin.kind;
    clear(previewBox);
    append(previewBox, previewNodes(preview, origin));
    panel.hidden = false;
  }

  function hidePreview() {
    previewing = null;
    panel.hidden = true;
    clear(previewBox);
  }

  function showUploadPreview() {
    const { check } = upload;
    showPreview(check.preview, {
      kind: "upload",
      filename: upload.filename,
      hash: check.hash,
      installedHash: check.installed_hash,
    });
  }

  async function previewInstalled(focus) {
    error.textContent = "";
    if (!select.value) {
      error.textContent = t("Choose a case.");
      select.focus();
      return;
    }
    const n = ++previews;
    const path = `/api/scenarios/${encodeURIComponent(select.value)}/preview?lang=${tableLanguage()}`;
    try {
      const preview = await api(path);
      if (n !== previews || source() !== "installed") return;
      showPreview(preview, { kind: "installed" });
      say(t("The preview of “{title}” is shown.", { title: preview.title }));
      // Keyboard and screen-reader users land on what they asked for.
      if (focus) previewHead.focus();
    } catch (err) {
      error.textContent = err.status === 404 ? t("This case is not on the server (any more).") : problemText(err);
    }
  }

  function renderCheck() {
    clear(checkBox);
    if (!upload) return;
    const file = upload.filename;
    if (upload.status === "checking") {
      checkBox.append(el("p", { class: "fac-help" }, t("Checking {file}…", { file })));
      return;
    }
    if (upload.status === "failed") {
      checkBox.append(el("p", { class: "fac-error" }, t("{file} could not be checked: {why}", { file, why: upload.why })));
      return;
    }
    const { check } = upload;
    if (upload.status === "errors") {
      const errors = check.errors.length ? check.errors : [{ line: 1, column: 1, message: t("the file cannot be used") }];
      checkBox.append(
        el(
          "p",
          { id: "check-summary", class: "fac-error" },
          t("{file} has errors, so no workshop can use it yet. Fix them in the file, save it and choose it again:", {
            file,
          }),
        ),
        el(
          "ul",
          { id: "check-errors", class: "fac-check-list", "aria-labelledby": "check-summary", tabindex: "-1" },
          errors.map(located),
        ),
      );
    } else {
      checkBox.append(
        el(
          "p",
          { id: "check-summary", class: "fac-ok" },
          el("span", { class: "fac-mark", "aria-hidden": "true" }, "✓"),
          t("{file} is valid: “{title}”. The workshop will be created with this file.", {
            file,
            title: check.preview.title,
          }),
        ),
      );
    }
    if (check.warnings.length) {
      checkBox.append(
        el("p", { id: "check-warnings-head", class: "fac-warn" }, t("Warnings (the file can still be used):")),
        el("ul", { class: "fac-check-list", "aria-labelledby": "check-warnings-head" }, check.warnings.map(located)),
      );
    }
  }

  /** POST the file to the check; the text itself, or its bytes when they are not UTF-8. */
  async function postCheck(file, text) {
    // File.text() quietly turns bytes that are not UTF-8 into U+FFFD; the server then says
    // where, if it gets the bytes themselves.
    if (text.includes("\uFFFD")) {
      const query = new URLSearchParams({ filename: file.name, lang: tableLanguage() });
      return api(`/api/scenarios/check?${query}`, { method: "POST", body: file, contentType: "text/yaml" });
    }
    return api("/api/scenarios/check", {
      method: "POST",
      body: { text, filename: file.name, language: tableLanguage() },
    });
  }

  async function checkFile(file) {
    const n = ++checks;
    if (previewing) hidePreview();
    upload = { filename: file.name, status: "checking" };
    fitLanguages();
    renderCheck();
    let done;
    if (file.size > MAX_FILE_BYTES) {
      done = { status: "failed", why: t("it is larger than 1 MiB; is it a scenario file?") };
    } else {
      try {
        const text = await file.text();
        const check = await postCheck(file, text);
        done = { status: check.ok ? "ok" : "errors", text, check };
      } catch (err) {
        done = { status: "failed", why: err instanceof ApiError ? problemText(err) : t("the browser could not read it.") };
      }
    }
    if (n !== checks) return; // another file was chosen meanwhile
    upload = { filename: file.name, ...done };
    const moved = fitLanguages();
    renderCheck();
    if (upload.status === "ok" && source() === "upload") {
      if (moved) await refreshUploadPreview();
      else showUploadPreview();
    }
  }

  /** The uploaded file's preview again, in the tables' language (it has been checked). */
  async function refreshUploadPreview() {
    const n = ++refreshes;
    const current = upload;
    try {
      const check = await api("/api/scenarios/check", {
        method: "POST",
        body: { text: current.text, filename: current.filename, language: tableLanguage() },
      });
      if (n !== refreshes || upload !== current || !check.ok) return;
      current.check = check;
      if (source() === "upload") showUploadPreview();
    } catch (err) {
      error.textContent = problemText(err);
    }
  }

  function sourceChanged() {
    error.textContent = "";
    const moved = fitLanguages();
    if (source() === "upload") {
      if (upload && upload.status === "ok") {
        if (moved) refreshUploadPreview();
        else showUploadPreview();
      } else if (previewing) hidePreview();
    } else if (source() === "editor") {
      if (previewing && previewing !== "editor") hidePreview();
      else if (previewing === "editor" && moved) previewEdited(false);
    } else if (previewing === "upload" || previewing === "editor") hidePreview();
    else if (previewing === "installed" && moved) previewInstalled(false);
  }

  try {
    installed = await api("/api/scenarios");
    clear(select);
    for (const s of installed) {
      // A case not written in the console's language shows its title in its own: say so.
      const own = s.languages.includes(lang) ? {} : { lang: s.languages[0] };
      select.append(el("option", { value: s.id, ...own }, `${s.title} (${s.languages.join(", ")})`));
    }
    if (!installed.length) select.append(el("option", { value: "" }, t("No cases are installed")));
    // Start from a case written in the page's language, so its tables can play in it.
    const preferred = installed.find((s) => s.languages.includes(lang));
    if (preferred) select.value = preferred.id;
    fitLanguages();
  } catch (err) {
    error.textContent = problemText(err);
  }

  for (const radio of form.querySelectorAll("input[name=source]")) {
    radio.addEventListener("change", sourceChanged);
  }
  select.addEventListener("change", () => {
    setSource("installed");
    sourceChanged();
    if (previewing === "installed") previewInstalled(false);
  });
  previewButton.addEventListener("click", () => {
    setSource("installed");
    sourceChanged();
    previewInstalled(true);
  });
  document.getElementById("preview-close").addEventListener("click", () => {
    const back = { upload: fileInput, editor: document.getElementById("editor-preview") }[previewing] || previewButton;
    hidePreview();
    back.focus();
  });
  for (const radio of form.querySelectorAll("input[name=language]")) {
    radio.addEventListener("change", () => {
      if (previewing === "installed") previewInstalled(false);
      else if (previewing === "upload") refreshUploadPreview();
      else if (previewing === "editor") previewEdited(false);
    });
  }
  // Choosing the same file again (after fixing it) fires no change unless the input is empty
  // first; the chosen file lives in `upload`, not in the input.
  fileInput.addEventListener("click", () => {
    fileInput.value = "";
  });
  fileInput.addEventListener("cancel", () => {
    // The dialog was closed without a file, and the input is empty: so is the choice.
    checks += 1;
    upload = null;
    renderCheck();
    if (previewing === "upload") hidePreview();
    fitLanguages();
  });
  fileInput.addEventListener("change", () => {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    setSource("upload");
    error.textContent = "";
    checkFile(file);
  });

  setupEditor();

  // --- the editor -------------------------------------------------------------------------

  /** The edited text's preview again (in the tables' language, which may have moved). */
  async function previewEdited(focus) {
    if (!editor) return;
    const check = await editor.recheck();
    if (!check || !check.ok || source() !== "editor") return;
    showEdited(check, focus);
  }

  function showEdited(check, focus) {
    showPreview(check.preview, {
      kind: "editor",
      filename: editor.filename(),
      hash: check.hash,
      installedHash: check.installed_hash,
    });
    say(t("The preview of “{title}” is shown.", { title: check.preview.title }));
    if (focus) previewHead.focus();
  }

  function showVersion() {
    const { check } = editorVersion;
    document.getElementById("editor-version").textContent = t(
      "Saved version: “{title}” ({id}), version {hash}. The workshop will be created with it.",
      { title: check.preview.title, id: check.scenario_id, hash: shortHash(check.hash) },
    );
  }

  function setupEditor() {
    const panel = document.getElementById("editor-panel");
    const open = document.getElementById("editor-open");
    const start = document.getElementById("f-editor-start");
    const layout = document.querySelector(".fac-create");
    let module = null;

    async function startText() {
      if (start.value === "installed") {
        if (!select.value) throw new Error(t("Choose a case."));
        return { text: await module.installedText(select.value), name: `${select.value}.yaml` };
      }
      if (start.value === "upload") {
        if (!upload || typeof upload.text !== "string") throw new Error(t("Choose a scenario file above first."));
        return { text: upload.text, name: upload.filename };
      }
      return { text: await module.starterText(lang), name: "new-case.yaml" };
    }

    open.addEventListener("click", async () => {
      setSource("editor");
      sourceChanged();
      open.disabled = true;
      say(t("Opening the editor…"));
      try {
        module = module || (await import("./editor.js"));
        const { text, name } = await startText();
        panel.hidden = false;
        layout.classList.add("fac-editing");
        if (!editor) {
          editor = await module.openEditor({
            tableLanguage,
            onPreview: (check) => {
              setSource("editor");
              sourceChanged();
              showEdited(check, true);
            },
            onSave: (version) => {
              editorVersion = version;
              setSource("editor");
              sourceChanged();
              showVersion();
            },
          });
        }
        editor.load(text, name);
        editor.focus();
      } catch (err) {
        error.textContent = t("The editor could not open: {why}", {
          why: err instanceof ApiError ? problemText(err) : err.message,
        });
      } finally {
        open.disabled = false;
        // Opening is over either way: the progress line must not linger over the editor.
        say("");
      }
    });
    document.getElementById("editor-close").addEventListener("click", () => {
      panel.hidden = true;
      layout.classList.remove("fac-editing");
      open.focus();
    });
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
    if (!form.querySelector("input[name=language]:checked:enabled")) {
      error.textContent = t("The tables can play in Danish or English, and this case is written in neither.");
      return;
    }
    const body = {
      language: tableLanguage(),
      tables,
      bots: data.get("bots") === "on",
      show_numbers: data.get("show_numbers") === "1",
      autostart: data.get("autostart") === "on",
      title: String(data.get("title") || "").trim(),
    };
    if (source() === "editor") {
      if (!editorVersion) {
        error.textContent = t("Save the edited case as a new version first (the button under the editor).");
        (document.querySelector("#editor-panel:not([hidden]) #editor-save") || document.getElementById("editor-open")).focus();
        return;
      }
      body.scenario_text = editorVersion.text;
    } else if (source() === "upload") {
      // Only a file the check has passed can make a workshop (the server checks it again).
      if (!upload) {
        error.textContent = t("Choose a scenario file, or a case on this server.");
        fileInput.focus();
        return;
      }
      if (upload.status === "checking") {
        error.textContent = t("The file is still being checked. Try again in a moment.");
        return;
      }
      if (upload.status !== "ok") {
        error.textContent = t("The scenario file cannot be used until its errors are fixed.");
        (document.getElementById("check-errors") || fileInput).focus();
        return;
      }
      body.scenario_text = upload.text;
    } else {
      if (!data.get("scenario")) {
        error.textContent = t("Choose a case.");
        select.focus();
        return;
      }
      body.scenario = data.get("scenario");
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(t("Creating the workshop…"));
    try {
      const created = await api("/api/workshops", { method: "POST", body });
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
      // A 404 here is about the case (not a workshop, as problemText would say).
      error.textContent =
        err.status === 404 ? t("The server said no: {detail}", { detail: err.detail || err.status }) : problemText(err);
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
    // ?lang: a table that refuses says why in the console's language, not its own.
    const results = await api(`/api/workshops/${workshopId}/control?lang=${lang}`, { method: "POST", body, token });
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

// --- running a table: time left, who the table waits for, quiet tables, seats, notes -----

let quietMinutes = 3;
let caseLang = ""; // the language the workshop's case is played in
let clockOffset = 0; // the server's clock minus this browser's, in seconds
let ticker = null;
const NOTE_SAVE_MS = 800;

const serverNow = () => Date.now() / 1000 + clockOffset;

/** Seconds as m:ss (or h:mm:ss). */
function clockText(seconds) {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

function seatLabel(seat) {
  const role = seat.role_name || roleLabel(seat.role);
  if (seat.bot) return `${role} (${t("bot")})`;
  return seat.name && !seat.free ? `${role} (${seat.name})` : role;
}

/** The time-left and quiet lines of a card, from the status it last got; run every second. */
function tick(card) {
  const table = card.table;
  if (!table) return;
  let left = "";
  if (table.status === "running" && table.deadline) left = t("{time} left", { time: clockText(table.deadline - serverNow()) });
  else if (table.status === "paused" && table.remaining !== null && table.remaining !== undefined)
    left = t("Paused with {time} left", { time: clockText(table.remaining) });
  card.clock.textContent = left;
  card.clock.hidden = !left;
  const idle = table.last_activity ? serverNow() - table.last_activity : 0;
  const quiet = table.status === "running" && table.last_activity && idle >= quietMinutes * 60;
  card.root.classList.toggle("fac-card-quiet", Boolean(quiet));
  card.quiet.hidden = !quiet;
  card.quiet.textContent = quiet ? t("Quiet: no one has acted for {time}", { time: clockText(idle) }) : "";
}

function tickAll() {
  for (const card of cards.values()) tick(card);
}

function lobbyText(data) {
  const start = data.autostart
    ? t("The game starts by itself as soon as every role has a player, or when you press Start.")
    : t("The game starts when you press Start.");
  return data.bots ? `${start} ${t("Empty seats get bots when it starts.")}` : start;
}

async function changeSeat(table, seat, action, button) {
  const who = seatLabel(seat);
  const question =
    action === "bot"
      ? t("Give the seat of {who} at table {n} to a bot? Whoever holds it now can no longer play it.", { who, n: table })
      : t("Free the seat of {who} at table {n} for someone else? Whoever holds it now can no longer play it.", { who, n: table });
  if (!window.confirm(question)) return;
  button.disabled = true;
  const path = `/api/workshops/${workshopId}/tables/${table}/seats/${encodeURIComponent(seat.id)}?lang=${lang}`;
  const box = clear(document.getElementById("results"));
  try {
    await api(path, { method: "POST", body: { action }, token });
    const done =
      action === "bot"
        ? t("Table {n}: a bot now plays the seat of {who}.", { n: table, who })
        : t("Table {n}: the seat of {who} is free for someone to join.", { n: table, who });
    box.append(el("p", { class: "fac-results-sum" }, done));
    say(done);
  } catch (err) {
    const why = err instanceof ApiError && err.status === 409 ? err.detail : problemText(err);
    box.append(el("p", { class: "fac-error" }, t("Table {n}: not done — {why}", { n: table, why })));
    say(why);
  } finally {
    button.disabled = false;
    refresh();
  }
}

function buildSeat(card, seat) {
  const n = card.number;
  const parts = {
    role: el("span", { class: "fac-seat-role" }),
    name: el("span", { class: "fac-seat-name" }),
    state: el("span", { class: "fac-seat-state" }),
    owes: el("span", { class: "fac-owes" }, t("not acted yet")),
  };
  parts.bot = el("button", { type: "button", class: "fac-btn fac-seat-btn" }, t("Bot"));
  parts.free = el("button", { type: "button", class: "fac-btn fac-seat-btn" }, t("Free"));
  parts.bot.addEventListener("click", () => changeSeat(n, parts.seat, "bot", parts.bot));
  parts.free.addEventListener("click", () => changeSeat(n, parts.seat, "free", parts.free));
  parts.li = el(
    "li",
    { class: "fac-seat", "data-seat": seat.id },
    el("span", { class: "fac-dot", "aria-hidden": "true" }),
    el("span", { class: "fac-seat-who" }, parts.role, " ", parts.name),
    el("span", { class: "fac-seat-info" }, parts.state, " ", parts.owes),
    el("span", { class: "fac-seat-actions" }, parts.bot, parts.free),
  );
  return parts;
}

function updateSeat(parts, seat, table) {
  parts.seat = seat;
  const owes = (table.waiting || []).includes(seat.id);
  const on = seat.connected || seat.bot;
  parts.li.className = `fac-seat ${on ? "on" : "off"}${owes ? " fac-seat-owes" : ""}${seat.free ? " fac-seat-free" : ""}${seat.bot ? " fac-seat-bot" : ""}`;
  parts.role.textContent = seat.role_name || roleLabel(seat.role);
  // A case in another language than the console's: its role names are its own words.
  if (caseLang && caseLang !== lang) parts.role.lang = caseLang;
  else parts.role.removeAttribute("lang");
  // A bot's name is "Bot": its state says so already.
  parts.name.textContent = seat.free ? t("free seat") : seat.bot ? "" : seat.name || "—";
  parts.state.textContent = seat.free
    ? t("waiting for someone to join")
    : seat.bot
      ? t("bot")
      : seat.connected
        ? t("connected")
        : t("not connected");
  parts.owes.hidden = !owes;
  const over = table.status === "ended";
  const who = seatLabel(seat);
  parts.bot.hidden = over || seat.bot;
  parts.free.hidden = over || seat.free;
  parts.bot.setAttribute("aria-label", t("Give the seat of {who} to a bot (table {n})", { who, n: table.number }));
  parts.free.setAttribute("aria-label", t("Free the seat of {who} (table {n})", { who, n: table.number }));
}

function setupNote(card) {
  const n = card.number;
  let saveTimer = null;
  let saved = null; // what the server holds, as far as this page knows
  let saving = Promise.resolve();

  const save = async () => {
    clearTimeout(saveTimer);
    saveTimer = null;
    const text = card.note.value;
    if (text === saved) return;
    card.noteState.textContent = t("Saving…");
    saving = saving.then(async () => {
      try {
        await api(`/api/workshops/${workshopId}/tables/${n}/note`, { method: "PUT", body: { text }, token });
        saved = text;
        card.noteState.textContent = card.note.value === text ? t("Saved") : "";
      } catch (err) {
        card.noteState.textContent = t("Not saved: {why}", { why: problemText(err) });
      }
    });
    await saving;
  };
  card.note.addEventListener("input", () => {
    card.noteState.textContent = "";
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, NOTE_SAVE_MS);
  });
  card.note.addEventListener("blur", save);
  /** The server's notes: shown unless the trainer is writing here. */
  card.showNote = (text) => {
    const busy = document.activeElement === card.note || saveTimer !== null || card.note.value !== (saved ?? "");
    if (saved === null || !busy) {
      card.note.value = text;
      saved = text;
    }
  };
}

function buildCard(table) {
  const n = table.number;
  const heading = el("h3", { id: `t${n}-head` }, t("Table {n}", { n }));
  const status = el("span", { class: "fac-badge" });
  const round = el("p", { class: "fac-round" });
  const clock = el("p", { class: "fac-clock", hidden: true });
  // Not a live region: its time changes every second.
  const quiet = el("p", { class: "fac-quiet", hidden: true });
  const lobby = el("p", { class: "fac-help fac-lobby", hidden: true });
  const waiting = el("p", { class: "fac-waiting", hidden: true });
  const seats = el("ul", { class: "fac-seats", "aria-label": t("Seats at table {n}", { n }) });
  const scores = el("dl", { class: "fac-scores" });
  const controls = el(
    "div",
    { class: "fac-controls fac-controls-small", role: "group", "aria-label": t("Controls for table {n}", { n }) },
    controlButtons(n),
  );
  const code = el("span", { class: "fac-code" });
  const noteId = `t${n}-note`;
  const note = el("textarea", {
    id: noteId,
    class: "fac-input fac-note",
    rows: 2,
    maxlength: 4000,
    "aria-describedby": `${noteId}-help`,
  });
  const noteState = el("span", { class: "fac-note-state", "aria-live": "polite" });
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
    clock,
    quiet,
    lobby,
    waiting,
    scores,
    seats,
    controls,
    el(
      "div",
      { class: "fac-note-box" },
      el("label", { for: noteId }, t("Your notes on table {n}", { n })),
      " ",
      noteState,
      note,
      el("p", { id: `${noteId}-help`, class: "fac-help" }, t("Shown in the table's debrief and its print; players do not see them during the game.")),
    ),
    links,
  );
  const card = { number: n, root, status, round, clock, quiet, lobby, waiting, seats, scores, controls, code, note, noteState, seatParts: new Map(), table: null };
  setupNote(card);
  return card;
}

function updateCard(card, table, data) {
  card.table = table;
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
  card.lobby.hidden = table.status !== "lobby";
  card.lobby.textContent = table.status === "lobby" ? lobbyText(data) : "";

  const bySeat = new Map(table.seats.map((s) => [s.id, s]));
  const waiting = (table.waiting || []).map((id) => bySeat.get(id)).filter(Boolean);
  const showWaiting = table.status === "running" || table.status === "paused";
  card.waiting.hidden = !showWaiting;
  card.waiting.textContent = !showWaiting
    ? ""
    : waiting.length
      ? t("Waiting for: {who}", { who: waiting.map(seatLabel).join(", ") })
      : t("Nobody owes an action in this phase.");

  clear(card.scores);
  for (const name of SCORE_ORDER) {
    const value = table.scores ? table.scores[name] : null;
    card.scores.append(
      el("div", { class: "fac-score" }, el("dt", {}, scoreName(name)), el("dd", {}, fmtScore(value))),
    );
  }
  card.scores.hidden = table.status === "lobby"; // nothing to measure yet: room for ten tables
  card.scores.title = data.show_numbers ? "" : t("Players see arrows only; the numbers are for you.");

  // Seats are updated in place, so a seat's button keeps the keyboard focus across polls.
  for (const [id, parts] of card.seatParts) {
    if (!bySeat.has(id)) {
      parts.li.remove();
      card.seatParts.delete(id);
    }
  }
  let empty = card.seats.querySelector(".fac-empty");
  if (!table.seats.length && !empty) {
    empty = el("li", { class: "fac-empty" }, t("No one has joined yet."));
    card.seats.append(empty);
  } else if (table.seats.length && empty) empty.remove();
  table.seats.forEach((seat, index) => {
    let parts = card.seatParts.get(seat.id);
    if (!parts) {
      parts = buildSeat(card, seat);
      card.seatParts.set(seat.id, parts);
    }
    updateSeat(parts, seat, table);
    // Moved only when out of the server's order: moving a node takes the focus off it.
    const here = card.seats.children[index] || null;
    if (here !== parts.li) card.seats.insertBefore(parts.li, here);
  });
  for (const button of card.controls.querySelectorAll("button")) {
    const allowed = button.dataset.when.split(" ").includes(table.status);
    button.disabled = !allowed;
  }
  card.showNote(table.note || "");
  tick(card);
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
      scenario: data.scenario_title || data.scenario,
      language: data.language.toUpperCase(),
      tables: data.tables.length,
      running: counts.running,
      paused: counts.paused,
      ended: counts.ended,
      shown,
    },
  );
  // Which version of the case the tables play: the hash the export names too.
  const version = document.getElementById("fac-version");
  version.textContent = t("Case version: {hash}", { hash: shortHash(data.scenario_hash) });
  version.title = data.scenario_hash;
  caseLang = data.language;
  if (data.now) clockOffset = data.now - Date.now() / 1000;
  if (data.quiet_minutes) quietMinutes = data.quiet_minutes;
  const grid = document.getElementById("tables");
  for (const table of data.tables) {
    let card = cards.get(table.number);
    if (!card) {
      card = buildCard(table);
      cards.set(table.number, card);
      grid.append(card.root);
    }
    updateCard(card, table, data);
  }
  if (!ticker) ticker = setInterval(tickAll, 1000);
  const time = new Date().toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  document.getElementById("fac-updated").textContent = t("Updated {time}", { time });
}

async function refresh() {
  clearTimeout(timer);
  if (deleted) return; // nothing left to poll
  try {
    const data = await api(`/api/workshops/${workshopId}`, { token });
    if (deleted) return; // deleted while this poll was on its way
    failures = 0;
    renderStatus(data);
  } catch (err) {
    if (deleted) return; // its 404 is the deletion, already shown
    failures += 1;
    if (err.status === 401 || err.status === 404) {
      stop(problemText(err), err.status === 401);
      return;
    }
    // The console polls again by itself: a 503 here asks the trainer for nothing.
    const why =
      err.status === 503
        ? t("the server's database cannot be reached just now; the console keeps trying")
        : problemText(err);
    document.getElementById("fac-updated").textContent = t("Not updated: {why}", { why });
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

// --- deleting the workshop -------------------------------------------------------------------

let deleted = false;

/** Everything this browser keeps about the workshop: its key, its name, debrief tallies. */
function forgetWorkshop() {
  forgetToken(workshopId);
  try {
    localStorage.removeItem(`pm.fac.${workshopId}.title`);
    const tallies = `pm.feel.${workshopId}.`;
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(tallies)) sessionStorage.removeItem(key);
    }
  } catch {
    // no storage: nothing was kept
  }
}

function showDeleted() {
  deleted = true;
  clearTimeout(timer);
  clearInterval(ticker);
  forgetWorkshop();
  const wrap = clear(document.querySelector(".fac-wrap"));
  const heading = el("h1", { tabindex: "-1" }, t("The workshop is deleted"));
  wrap.append(
    heading,
    el(
      "p",
      { class: "fac-lead" },
      t("Its tables, seats and moves are gone from the server, and this browser has forgotten its facilitator key."),
    ),
    el("p", {}, el("a", { href: "/facilitator", class: "fac-btn fac-btn-primary" }, t("Create a new workshop"))),
  );
  // The button that had focus is gone: put focus where the news is.
  heading.focus();
  say(t("The workshop is deleted."));
}

/** "Delete workshop…" opens an in-page question with two buttons; No is the one focused. */
function setupDelete() {
  const open = document.getElementById("delete-btn");
  const box = document.getElementById("delete-confirm");
  const yes = document.getElementById("delete-yes");
  const no = document.getElementById("delete-no");
  const problem = document.getElementById("delete-error");

  const close = () => {
    box.hidden = true;
    open.setAttribute("aria-expanded", "false");
    problem.textContent = "";
    open.focus();
  };
  open.addEventListener("click", () => {
    box.hidden = false;
    open.setAttribute("aria-expanded", "true");
    no.focus();
  });
  no.addEventListener("click", close);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !yes.disabled) {
      event.preventDefault();
      close();
    }
  });
  yes.addEventListener("click", async () => {
    problem.textContent = "";
    yes.disabled = true;
    no.disabled = true;
    say(t("Deleting the workshop…"));
    try {
      await api(`/api/workshops/${workshopId}`, { method: "DELETE", token });
      showDeleted();
    } catch (err) {
      // Already gone (deleted from another tab, say): what the trainer wanted.
      if (err.status === 404) {
        showDeleted();
        return;
      }
      problem.textContent = problemText(err);
      yes.disabled = false;
      no.disabled = false;
    }
  });
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

  setupDelete();

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
