"""UI strings in Danish and English: the `messages` gettext catalog (.po) read with Babel.

The same catalog serves the Jinja2 templates (through the i18n extension) and the ES
modules (as a JSON map the page loads), so every string is translated in one place. The
loading is shared with the authoring catalog in `app.i18n`.
"""

from __future__ import annotations

from babel.support import Translations

from app import i18n
from app.bundled import shipped
from app.i18n import LANGUAGES, chosen_language

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALE_DIR",
    "chosen_language",
    "js_catalog",
    "pick_language",
    "translations",
]

LOCALE_DIR = shipped(__package__, "locale")
DOMAIN = "messages"
# The workshop's main language (docs/glossary.md): pages open in Danish unless asked.
DEFAULT_LANGUAGE = "da"


def translations(lang: str) -> Translations:
    """The gettext translations of one language (an empty catalog if it has none)."""
    return i18n.translations(lang, DOMAIN, LOCALE_DIR)


def js_catalog(lang: str) -> dict[str, str]:
    """msgid -> translation, for the browser's `t()`; untranslated ids are left out."""
    return i18n.catalog_strings(lang, DOMAIN, LOCALE_DIR)


def pick_language(*candidates: str | None) -> str:
    """The first supported language among the candidates (query, cookie, header), else da."""
    return chosen_language(*candidates) or DEFAULT_LANGUAGE
