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
for (const link of document.querySelectorAll("[data-lang-switch]")) {
  // The page's own query (a join code, say) stays; only the language changes.
  const target = new URL(location.href);
  target.searchParams.set("lang", link.dataset.langSwitch);
  link.href = target.pathname + target.search + target.hash;
  link.addEventListener("click", () => {
    document.cookie = `lang=${link.dataset.langSwitch}; path=/; max-age=31536000; samesite=lax`;
  });
}
