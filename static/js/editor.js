// The scenario editor of the facilitator console: a trainer's case as YAML in a code editor
// (CodeMirror 5, vendored in static/vendor/codemirror/), checked by the server's own
// validator as they type, with keys and values completed from the scenario schema, the
// preview and the balance report on demand, and "save as new version" for the workshop.
//
// Loaded only when the trainer opens the editor (facilitator.js imports it then): no other
// page, and no console that does not use it, pays for CodeMirror.
import { t } from "./i18n.js";
import { ApiError, api, clear, el, problemText, say, shortHash } from "./fac-common.js";
import { completions } from "./editor-schema.js";

const VENDOR = "/static/vendor/codemirror/";
const CHECK_DELAY_MS = 400; // after the last key stroke: a check per pause, not per key
// A check that failed on the way (no network, a busy server) is asked again after this, so a
// list left from an older text does not stay on the screen once the wifi is back.
const CHECK_RETRY_MS = 3000;
const REPORT_GAMES = 100; // games per chair style (the server allows 10 to 200)
const INDENT = 2;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = false;
    script.onload = resolve;
    script.onerror = () => reject(new Error(src));
    document.head.append(script);
  });
}

function loadStyle(href) {
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(el("link", { rel: "stylesheet", href }));
}

let vendor = null;
/** CodeMirror and its YAML mode and hint addon (plain scripts: they set window.CodeMirror). */
function codeMirror() {
  if (!vendor) {
    loadStyle(`${VENDOR}codemirror.css`);
    loadStyle(`${VENDOR}show-hint.css`);
    loadStyle("/static/css/editor.css");
    vendor = loadScript(`${VENDOR}codemirror.js`)
      .then(() => Promise.all([loadScript(`${VENDOR}yaml.js`), loadScript(`${VENDOR}show-hint.js`)]))
      .then(() => window.CodeMirror);
  }
  return vendor;
}

/** The text of a plain-text endpoint (the starter, an installed case's file). */
async function fetchText(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) {
    let detail = "";
    try {
      detail = (await response.json()).detail;
    } catch {
      // not JSON: the status says it
    }
    throw new Error(typeof detail === "string" && detail ? detail : `HTTP ${response.status}`);
  }
  return response.text();
}

/** Where a problem is in the text: a range to underline (a word, or the line's last char). */
function range(cm, problem) {
  const line = Math.min(Math.max(problem.line - 1, 0), cm.lineCount() - 1);
  const text = cm.getLine(line);
  let from = Math.min(Math.max(problem.column - 1, 0), text.length);
  let to = from;
  while (to < text.length && !/\s/.test(text[to])) to += 1;
  if (to === from) {
    if (from > 0) from -= 1; // at the end of the line: mark what comes before
    else to = Math.min(1, text.length);
  }
  return { line, from, to };
}

function located(problem) {
  return `${problem.line}:${problem.column}:`;
}

/**
 * Open the editor in the console's panel.
 *
 * hooks: tableLanguage() -> the preview's language; onPreview(check, filename);
 * onSave({text, check, filename}).
 * Returns {load(text, filename), focus(), text(), filename(), recheck()}.
 */
export async function openEditor(hooks) {
  const lang = document.body.dataset.lang || "da";
  const host = document.getElementById("editor-host");
  const status = document.getElementById("editor-status");
  const here = document.getElementById("editor-here");
  const list = document.getElementById("editor-problems");
  const listHead = document.getElementById("editor-problems-head");
  const reportBox = document.getElementById("editor-report");
  const buttons = {
    preview: document.getElementById("editor-preview"),
    report: document.getElementById("editor-balance"),
    save: document.getElementById("editor-save"),
    download: document.getElementById("editor-download"),
  };

  const [CodeMirror, schema] = await Promise.all([codeMirror(), api("/api/scenarios/schema")]);
  let filename = "scenario.yaml";
  let seq = 0; // numbers each check: the answer for an older text is dropped
  let timer = null;
  let running = null; // {n, text, done: Promise}
  let last = null; // {text, check}: the newest answer, for exactly that text
  let problems = [];
  let marks = [];
  let saved = null; // the text last saved as a version
  let reports = 0;

  // Tab indents (YAML is indented with spaces); Esc then Tab leaves the editor, as the help
  // under it says, so the keyboard is never trapped.
  const LEAVE = { name: "pm-leave", Tab: false, "Shift-Tab": false };
  let leaving = false;
  const stopLeaving = () => {
    if (leaving) cm.removeKeyMap("pm-leave");
    leaving = false;
  };

  const cm = CodeMirror(host, {
    value: "",
    mode: "yaml",
    lineNumbers: true,
    lineWrapping: true,
    indentUnit: INDENT,
    tabSize: INDENT,
    indentWithTabs: false,
    inputStyle: "contenteditable",
    spellcheck: false,
    screenReaderLabel: t("Scenario file (YAML)"),
    gutters: ["pm-problems", "CodeMirror-linenumbers"],
    extraKeys: {
      Tab: (ed) => {
        if (ed.somethingSelected()) ed.indentSelection("add");
        else ed.replaceSelection(" ".repeat(INDENT), "end");
      },
      "Shift-Tab": (ed) => ed.indentSelection("subtract"),
      "Ctrl-Space": (ed) => complete(ed),
      Esc: (ed) => {
        ed.addKeyMap(LEAVE);
        leaving = true;
        say(t("Press Tab to leave the editor."));
      },
    },
  });
  cm.on("keydown", (_ed, event) => {
    if (!["Tab", "Shift", "Escape"].includes(event.key)) stopLeaving();
  });
  cm.on("blur", stopLeaving);

  // --- completion from the schema ---------------------------------------------------------

  function complete(ed) {
    ed.showHint({
      completeSingle: false,
      hint: (editor) => {
        const cursor = editor.getCursor();
        const found = completions(schema, editor.getValue(), cursor.line, cursor.ch);
        if (!found) {
          say(t("Nothing to suggest here."));
          return null;
        }
        return {
          from: CodeMirror.Pos(cursor.line, found.from),
          to: CodeMirror.Pos(cursor.line, found.to),
          list: found.list.map((c) => ({
            text: c.text,
            displayText: c.required ? `${c.label} (${t("required")})` : c.label,
          })),
        };
      },
    });
  }

  // --- checking as the trainer types ------------------------------------------------------

  async function postCheck(text, n) {
    const query = new URLSearchParams({ ui: lang });
    const check = await api(`/api/scenarios/check?${query}`, {
      method: "POST",
      body: { text, filename, language: hooks.tableLanguage() },
    });
    return n === seq ? check : null;
  }

  function runCheck() {
    clearTimeout(timer);
    timer = null;
    const text = cm.getValue();
    const n = ++seq;
    host.setAttribute("aria-busy", "true");
    const done = postCheck(text, n).then(
      (check) => {
        if (!check) return; // a newer text is being checked
        last = { text, check };
        show(check);
      },
      (err) => {
        if (n !== seq) return;
        last = null;
        status.className = "fac-error";
        status.textContent = t("The text could not be checked: {why}", { why: problemText(err) });
        const passing = err instanceof ApiError && (err.status === 0 || err.status >= 500);
        if (passing && timer === null) timer = setTimeout(runCheck, CHECK_RETRY_MS);
      },
    );
    running = { n, text, done };
    done.finally(() => {
      if (running && running.n === n) {
        running = null;
        host.removeAttribute("aria-busy");
      }
    });
    return done;
  }

  /** The check of the text as it is now (waiting for one under way, or asking now). */
  async function current() {
    for (;;) {
      const text = cm.getValue();
      if (last && last.text === text) return last.check;
      if (running && running.text === text) await running.done;
      else await runCheck();
      if (!last && cm.getValue() === text) return null; // it could not be checked
    }
  }

  function show(check) {
    problems = [
      ...check.errors.map((p) => ({ ...p, severity: "error" })),
      ...check.warnings.map((p) => ({ ...p, severity: "warning" })),
    ].sort((a, b) => a.line - b.line || a.column - b.column);
    markProblems();
    listProblems();
    const errors = check.errors.length;
    const warnings = check.warnings.length;
    if (check.ok) {
      status.className = "fac-ok";
      status.textContent = warnings
        ? t("No errors, {n} warnings: “{title}” can be used.", { n: warnings, title: check.preview.title })
        : t("No errors: “{title}” can be used.", { title: check.preview.title });
    } else {
      status.className = "fac-error";
      status.textContent =
        errors === 1
          ? t("1 error: the case cannot be used until it is fixed.")
          : t("{n} errors: the case cannot be used until they are fixed.", { n: Math.max(errors, 1) });
    }
    showSaved();
    showHere();
  }

  function markProblems() {
    cm.operation(() => {
      for (const mark of marks) mark.clear();
      marks = [];
      cm.clearGutter("pm-problems");
      const byLine = new Map();
      for (const problem of problems) {
        const where = range(cm, problem);
        marks.push(
          cm.markText(CodeMirror.Pos(where.line, where.from), CodeMirror.Pos(where.line, where.to), {
            className: `pm-mark pm-mark-${problem.severity}`,
            title: problem.message,
          }),
        );
        if (!byLine.has(where.line)) byLine.set(where.line, []);
        byLine.get(where.line).push(problem);
      }
      for (const [line, found] of byLine) {
        const error = found.some((p) => p.severity === "error");
        // The list below says it in words; the gutter mark is for the eye (and the mouse).
        const marker = el(
          "span",
          {
            class: `pm-gutter pm-gutter-${error ? "error" : "warning"}`,
            title: found.map((p) => p.message).join("\n"),
            "aria-hidden": "true",
          },
          error ? "✖" : "▲",
        );
        cm.setGutterMarker(line, "pm-problems", marker);
      }
    });
  }

  function kindLabel(problem) {
    return problem.severity === "error" ? t("Error") : t("Warning");
  }

  function goTo(problem) {
    const where = range(cm, problem);
    cm.focus();
    cm.setCursor(CodeMirror.Pos(where.line, where.from));
    cm.scrollIntoView(null, 80);
  }

  function listProblems() {
    clear(list);
    listHead.textContent = problems.length
      ? t("Problems in the text ({n})", { n: problems.length })
      : t("Problems in the text (none)");
    for (const problem of problems) {
      list.append(
        el(
          "li",
          { class: `editor-problem editor-problem-${problem.severity}` },
          el(
            "button",
            { type: "button", class: "editor-goto", onclick: () => goTo(problem) },
            el("span", { class: "editor-kind" }, kindLabel(problem)),
            " ",
            el("code", { class: "fac-loc" }, located(problem)),
            " ",
            problem.message,
          ),
        ),
      );
    }
  }

  /** The problems of the cursor's line, in words under the editor (for the keyboard). */
  function showHere() {
    const line = cm.getCursor().line;
    const found = problems.filter((p) => range(cm, p).line === line);
    const text = found.map((p) => `${kindLabel(p)} ${located(p)} ${p.message}`).join(" · ");
    if (here.textContent !== text) here.textContent = text;
  }

  cm.on("cursorActivity", showHere);
  cm.on("changes", () => {
    clearTimeout(timer);
    timer = setTimeout(runCheck, CHECK_DELAY_MS);
    showSaved();
  });

  // --- preview, report, save, download ----------------------------------------------------

  /** The current text's check if it is usable; else say why and show the problems. */
  async function usable() {
    const check = await current();
    if (check && check.ok) return check;
    if (check) {
      say(t("Fix the errors first: the case cannot be used until they are fixed."));
      const first = list.querySelector("button");
      if (first) first.focus();
    }
    return null;
  }

  buttons.preview.addEventListener("click", async () => {
    const check = await usable();
    if (check) hooks.onPreview(check, filename);
  });

  buttons.save.addEventListener("click", async () => {
    const text = cm.getValue();
    const check = await usable();
    if (!check || cm.getValue() !== text) return;
    saved = text;
    hooks.onSave({ text, check, filename });
    showSaved();
    say(
      t("Saved as a new version of “{title}” ({hash}). The workshop will be created with it.", {
        title: check.preview.title,
        hash: shortHash(check.hash),
      }),
    );
  });

  function showSaved() {
    const note = document.getElementById("editor-saved");
    if (saved === null) note.textContent = t("No version saved yet.");
    else if (saved === cm.getValue()) note.textContent = t("This text is the saved version.");
    else note.textContent = t("You have changed the text since you saved it; save again to use the changes.");
  }

  buttons.download.addEventListener("click", () => {
    const id = last && last.check.scenario_id;
    const name = id ? `${id}.yaml` : filename;
    const url = URL.createObjectURL(new Blob([cm.getValue()], { type: "text/yaml" }));
    const link = el("a", { href: url, download: name, class: "fac-hidden" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });

  function htmlDownload(html, name) {
    return el(
      "button",
      {
        type: "button",
        class: "fac-btn",
        onclick: () => {
          const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
          const link = el("a", { href: url, download: name, class: "fac-hidden" });
          document.body.append(link);
          link.click();
          link.remove();
          setTimeout(() => URL.revokeObjectURL(url), 10000);
        },
      },
      t("Download the report (HTML)"),
    );
  }

  buttons.report.addEventListener("click", async () => {
    const check = await usable();
    if (!check) return;
    const text = last.text;
    const n = ++reports;
    buttons.report.disabled = true;
    clear(reportBox).hidden = false;
    reportBox.setAttribute("aria-busy", "true");
    reportBox.append(
      el(
        "p",
        { class: "fac-help" },
        t("Bots play {games} games with the chair in each leadership style. This takes about ten seconds.", { games: REPORT_GAMES }),
      ),
    );
    try {
      const query = new URLSearchParams({ ui: lang });
      const answer = await api(`/api/scenarios/balance?${query}`, {
        method: "POST",
        body: { text, filename, language: hooks.tableLanguage(), games: REPORT_GAMES },
      });
      if (n !== reports) return;
      clear(reportBox).append(
        el("h3", { id: "editor-report-head", tabindex: "-1" }, t("Balance report")),
        el(
          "p",
          { class: "fac-help" },
          t("About version {hash} of the text, from {games} games with the chair in each leadership style.", {
            hash: shortHash(answer.hash),
            games: answer.games,
          }),
        ),
        el("pre", { class: "editor-report-text", tabindex: "0", "aria-labelledby": "editor-report-head" }, answer.text),
        htmlDownload(answer.html, `${answer.scenario_id}-report.html`),
      );
      document.getElementById("editor-report-head").focus();
    } catch (err) {
      if (n !== reports) return;
      clear(reportBox).append(
        el("p", { class: "fac-error" }, t("No report: {why}", { why: problemText(err) })),
      );
    } finally {
      if (n === reports) {
        buttons.report.disabled = false;
        reportBox.removeAttribute("aria-busy");
      }
    }
  });

  return {
    /** Put a text in the editor (undoable: Ctrl+Z brings the previous one back). */
    load(text, name) {
      filename = name;
      const first = cm.getValue() === "";
      cm.setValue(text);
      if (first) cm.clearHistory();
      cm.setCursor(0, 0);
      clear(reportBox).hidden = true;
      runCheck();
    },
    focus() {
      cm.focus();
    },
    text() {
      return cm.getValue();
    },
    filename() {
      return filename;
    },
    /** The check again, in the tables' language (the preview's words follow it). */
    recheck() {
      last = null;
      return runCheck();
    },
  };
}

/** The text an editor starts from: the starter, an installed case's file. */
export function starterText(lang) {
  const languages = lang === "en" ? "en,da" : "da,en";
  return fetchText(`/api/scenarios/starter?${new URLSearchParams({ id: "new-case", languages })}`);
}

export function installedText(id) {
  return fetchText(`/api/scenarios/${encodeURIComponent(id)}/source`);
}
