// UI strings for the ES modules: the same gettext catalogs as the templates, as JSON.
const lang = document.body.dataset.lang || "da";
let catalog = {};

export async function loadCatalog() {
  try {
    const response = await fetch(`/i18n/${lang}.json`);
    if (response.ok) catalog = await response.json();
  } catch {
    // Offline or the server restarting: fall back to the English msgids.
  }
  return catalog;
}

/** Translate a msgid; `{name}` placeholders are filled from `values`. */
export function t(msgid, values = {}) {
  const text = catalog[msgid] || msgid;
  return text.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : `{${key}}`));
}

export function currentLanguage() {
  return lang;
}

// Language links keep the choice in a cookie so later pages open in it too: an explicit
// choice beats both the browser's preference and the table's language.
function switchedHref(code) {
  // The page's own address (a join code, a workshop's token) stays; only the language changes.
  const target = new URL(location.href);
  target.searchParams.set("lang", code);
  return target.pathname + target.search + target.hash;
}

for (const link of document.querySelectorAll("[data-lang-switch]")) {
  link.href = switchedHref(link.dataset.langSwitch);
  link.addEventListener("click", () => {
    // Worked out again: a page may have changed its address since it loaded.
    link.href = switchedHref(link.dataset.langSwitch);
    document.cookie = `lang=${link.dataset.langSwitch}; path=/; max-age=31536000; samesite=lax`;
  });
}

/** Whether the person picked a language with the language links (the `lang` cookie). */
export function languageChosen() {
  return /(?:^|;\s*)lang=/.test(document.cookie);
}
