"""Words people read, in Danish and English: gettext catalogs (.po) read with Babel.

Two catalogs (gettext domains) share this loader: `messages`, the web UI's
(app/web/locale, used by app/web/i18n.py), and `authoring`, the words of the scenario
validator, the balance report and the command line (app/locale). Neither app/scenarios
nor app/authoring may import app/web, so the loading lives here. The .po files are read
directly, so there is no compile step to forget.

A text is written once, in English, as the msgid: `msg("must be at least {low}", low=5)`
keeps it untranslated until a caller picks the language (`Msg.render("da")`), and
`tr(lang, "wrote {path}", path=p)` translates at once. `make messages` extracts both.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES: tuple[str, ...] = ("da", "en")
# Authoring tools speak English unless told otherwise: a trainer's terminal says nothing
# about the workshop's language, and English is what an unset locale (C, POSIX) means.
FALLBACK_LANGUAGE = "en"
AUTHORING = "authoring"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def po_path(lang: str, domain: str = AUTHORING, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(lang: str, domain: str = AUTHORING, locale_dir: Path = LOCALE_DIR) -> Translations:
    """The gettext translations of one language (an empty catalog if it has none)."""
    path = po_path(lang, domain, locale_dir)
    if not path.exists():
        return Translations()
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@cache
def catalog_strings(
    lang: str, domain: str = AUTHORING, locale_dir: Path = LOCALE_DIR
) -> dict[str, str]:
    """msgid -> translation; untranslated ids are left out."""
    path = po_path(lang, domain, locale_dir)
    if not path.exists():
        return {}
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def chosen_language(*candidates: str | None) -> str | None:
    """The first supported language among the candidates, else None.

    A candidate may be a code (`da`), a locale (`da_DK.UTF-8`) or an Accept-Language
    header (`da-DK,da;q=0.9,en;q=0.8`)."""
    for candidate in candidates:
        if not candidate:
            continue
        for part in candidate.replace(";", ",").split(","):
            code = part.strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return None


def environment_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the environment's locale names, as POSIX reads it: the first of
    LC_ALL, LC_MESSAGES and LANG that is set decides (`da_DK.UTF-8` -> da; `C` -> none)."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return chosen_language(value)
    return None


def cli_language(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """A command's language: `--lang`, else the environment's locale, else English."""
    return chosen_language(option) or environment_language(environ) or FALLBACK_LANGUAGE


def gettext(lang: str, message: str) -> str:
    """`message` (an English msgid of the authoring catalog) in `lang`."""
    return str(translations(lang if lang in LANGUAGES else FALLBACK_LANGUAGE).gettext(message))


@dataclass(frozen=True)
class Msg:
    """A text waiting for its language: an authoring msgid and the values for its
    `{placeholders}`. A value may itself be a Msg (a word such as 'a whole number')."""

    id: str
    params: tuple[tuple[str, Any], ...] = ()
    # A text that is not a msgid (e.g. a library's own words): shown as it is.
    verbatim: bool = False

    def render(self, lang: str) -> str:
        if self.verbatim:
            return self.id
        values = {
            key: value.render(lang) if isinstance(value, Msg) else value
            for key, value in self.params
        }
        return _formatter(lang).format(gettext(lang, self.id), **values)

    def __str__(self) -> str:
        return self.render(FALLBACK_LANGUAGE)

    def english(self) -> str:
        """The text in English without reading a catalog: the msgids are English (for
        the engine, which reads no files)."""
        if self.verbatim:
            return self.id
        values = {
            key: value.english() if isinstance(value, Msg) else value for key, value in self.params
        }
        return self.id.format(**values)


class _Numbers(string.Formatter):
    """str.format, with numbers written the language's way: Danish has a decimal comma,
    a full stop between thousands and a space before the per cent sign (15,4 point;
    1.200 spil; 64 %)."""

    def __init__(self, lang: str) -> None:
        self.danish = lang == "da"

    def format_field(self, value: Any, format_spec: str) -> str:
        text: str = super().format_field(value, format_spec)
        if not self.danish or isinstance(value, bool) or not isinstance(value, int | float):
            return text
        text = text.translate(_DANISH_SEPARATORS)
        return text[:-1] + "\N{NO-BREAK SPACE}%" if text.endswith("%") else text


_DANISH_SEPARATORS = str.maketrans(".,", ",.")


@cache
def _formatter(lang: str) -> _Numbers:
    return _Numbers(lang)


def number(lang: str, value: float, spec: str) -> str:
    """`value` formatted by `spec` (as in `{value:spec}`), the language's way."""
    return _formatter(lang).format_field(value, spec)


def msg(message: str, /, **params: Any) -> Msg:
    """Mark `message` for the authoring catalog; translated when rendered."""
    return Msg(message, tuple(params.items()))


def verbatim(text: str) -> Msg:
    return Msg(text, verbatim=True)


def tr(lang: str, message: str, /, **params: Any) -> str:
    """`message` from the authoring catalog in `lang`, with its placeholders filled."""
    return msg(message, **params).render(lang)
