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
    """English UI strings in `text` that `lang` translates differently: a screen that
    forgot to load its catalog, or a string shown without `t()`/`_()`.

    Only strings of two words or more without placeholders are looked for, so a word
    that happens to be the same in both languages is no false alarm.
    """
    if lang == "en":
        return []
    english = js_catalog("en")
    local = js_catalog(lang)
    found = []
    for msgid, translated in local.items():
        shown = english.get(msgid, msgid)
        if shown in translated or PLACEHOLDER.search(shown) or len(shown.split()) < 2:
            continue
        if shown in text:
            found.append(shown)
    return found
