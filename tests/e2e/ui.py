"""Reading and driving the screens in either language.

Tests name UI text by its English msgid; `tr` turns it into what the page shows in the
workshop's language, from the same .po catalogs the server serves. A missing
translation thus shows up as a wait that never ends on the Danish run, and a msgid
the screens no longer use fails `tr` at once instead of timing out.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from app.scenarios import load_scenario_or_raise
from app.settings import REPO_ROOT
from app.web.i18n import js_catalog

PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)s")


def tr(lang: str, msgid: str, **values: Any) -> str:
    """The text of `msgid` in `lang`, with `{name}` placeholders filled."""
    catalog = js_catalog(lang)
    assert msgid in catalog, f"{msgid!r} is not in the {lang} catalog (run `make messages`)"
    return PLACEHOLDER.sub(
        lambda m: str(values.get(m.group(1) or m.group(2), m.group(0))), catalog[msgid]
    )


@cache
def _scenario(scenario_id: str) -> Any:
    return load_scenario_or_raise(REPO_ROOT / "game_content" / "scenarios" / f"{scenario_id}.yaml")


def role_name(role: str, lang: str, scenario: str = "school-committee") -> str:
    """A role's name as the scenario gives it in `lang` (content, not a UI string)."""
    name = next(r.name for r in _scenario(scenario).roles if r.id == role)
    return str(name[lang] if isinstance(name, dict) else name)


def tr_re(lang: str, msgid: str, **values: Any) -> re.Pattern[str]:
    """A pattern for `msgid` in `lang`: given placeholders filled, the others match anything."""
    text = tr(lang, msgid)
    out: list[str] = []
    last = 0
    for m in PLACEHOLDER.finditer(text):
        out.append(re.escape(text[last : m.start()]))
        name = m.group(1) or m.group(2)
        out.append(re.escape(str(values[name])) if name in values else ".*?")
        last = m.end()
    out.append(re.escape(text[last:]))
    return re.compile("".join(out))


def english_left(text: str, lang: str) -> list[str]:
    """English UI strings in `text` on a `lang` screen (none to look for on an English one)."""
    return [] if lang == "en" else foreign_left(text, lang)


def foreign_left(text: str, lang: str, single_words: bool = True) -> list[str]:
    """UI strings of the other language in `text`, shown on a `lang` screen: a screen that
    forgot to load its catalog, a string shown without `t()`/`_()`, or a page that
    followed the browser's language instead of the table's.

    A string is looked for only where it tells the languages apart: its text differs from
    this language's, and it is two words or more, or one word of four letters or more
    (matched as a whole word, so "done" is not found in "London"; left out when
    `single_words` is false). A placeholder matches a short run of anything, so
    "Runde {n} af {count}" finds "Runde 3 af 8".
    """
    return [
        shown
        for shown, pattern, words in _telltales(lang)
        if (single_words or words > 1) and pattern.search(text)
    ]


def foreign_on_screen(page: Any, lang: str, within: str = "body") -> list[str]:
    """The other language's UI strings on a screen: in its text (content marked as
    another language left out), its title, and its elements' labels, titles, placeholders
    and alt texts. A label may name content in its own language inside a UI sentence
    ("Give the seat of Harbour chair to a bot"), so single words are not looked for there.
    """
    seen = page.evaluate(SCREEN_TEXT_JS, within)
    return foreign_left(seen["text"], lang) + foreign_left(seen["attrs"], lang, False)


@cache
def _telltales(lang: str) -> tuple[tuple[str, re.Pattern[str], int], ...]:
    """(foreign string, its pattern, its words) for every catalog string that gives `lang`
    away."""
    other = "en" if lang == "da" else "da"
    local = js_catalog(lang)
    foreign = js_catalog(other)
    found: list[tuple[str, re.Pattern[str], int]] = []
    for msgid, translated in local.items():
        shown = foreign.get(msgid, msgid) if other == "da" or msgid in foreign else msgid
        literal = PLACEHOLDER.sub(" ", shown)
        words = re.findall(r"\w+", literal)
        if not words or (len(words) < 2 and len(words[0]) < 4):
            continue
        pattern = _pattern(shown)
        # Strings the two languages share (wholly or as a part) tell nothing apart.
        if pattern.search(translated) or PLACEHOLDER.sub("", shown).strip() in translated:
            continue
        found.append((shown, pattern, len(words)))
    return tuple(found)


def _pattern(shown: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for m in PLACEHOLDER.finditer(shown):
        parts.append(re.escape(shown[last : m.start()]))
        parts.append(r"[^\n]{1,40}?")
        last = m.end()
    parts.append(re.escape(shown[last:]))
    body = "".join(parts).strip()
    return re.compile(rf"(?<!\w){body}(?!\w)" if body else r"(?!)")


def screen_text(page: Any) -> str:
    """A screen's text and its elements' labels, titles, placeholders and alt texts, with
    content marked as another language left out (see `foreign_on_screen`)."""
    seen = page.evaluate(SCREEN_TEXT_JS, "body")
    return f"{seen['text']}\n{seen['attrs']}"


# Content in another language than the page (`lang="en"` on an English-only case's title
# on a Danish page, as WCAG's "language of parts" asks) is the case's words, not UI text.
SCREEN_TEXT_JS = r"""(within) => {
    const root = document.querySelector(within);
    const own = document.documentElement.lang;
    const foreign = (el) => {
        const marked = el.closest("[lang]");
        return marked !== null && marked.lang !== "" && marked.lang !== own;
    };
    let visible = root.innerText;
    for (const el of root.querySelectorAll("[lang]")) {
        if (foreign(el) && el.innerText) visible = visible.replace(el.innerText, " ");
        if (foreign(el) && el.tagName === "OPTION") visible = visible.replace(el.text, " ");
    }
    const attrs = ["aria-label", "title", "placeholder", "alt", "aria-description",
                   "aria-roledescription", "aria-valuetext"];
    const labels = [];
    for (const el of root.querySelectorAll("*")) {
        if (foreign(el)) continue;
        for (const a of attrs) {
            const v = el.getAttribute(a);
            if (v) labels.push(v);
        }
    }
    return {text: `${document.title}\n${visible}`, attrs: labels.join("\n")};
}"""
