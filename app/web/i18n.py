"""UI strings in Danish and English: gettext catalogs (.po) read with Babel.

The same catalogs serve the Jinja2 templates (through the i18n extension) and the ES
modules (as a JSON map the page loads), so every string is translated in one place. The
.po files are read directly at start, so there is no compile step to forget.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app.bundled import shipped

LOCALE_DIR = shipped(__package__, "locale")
LANGUAGES: tuple[str, ...] = ("da", "en")
DEFAULT_LANGUAGE = "da"


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> Translations:
    """The gettext translations of one language (an empty catalog if it has none)."""
    path = _po_path(lang)
    if not path.exists():
        return Translations()
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@cache
def js_catalog(lang: str) -> dict[str, str]:
    """msgid -> translation, for the browser's `t()`; untranslated ids are left out."""
    path = _po_path(lang)
    if not path.exists():
        return {}
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def chosen_language(*candidates: str | None) -> str | None:
    """The first supported language among the candidates, else None."""
    for candidate in candidates:
        if not candidate:
            continue
        for part in candidate.replace(";", ",").split(","):
            code = part.strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return None


def pick_language(*candidates: str | None) -> str:
    """The first supported language among the candidates (query, cookie, header), else da."""
    return chosen_language(*candidates) or DEFAULT_LANGUAGE
