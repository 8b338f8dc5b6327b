"""Every authoring message (validator, balance report, command line) is translated.

The msgids are extracted from today's sources with babel-authoring.cfg and the keywords
`make messages` passes (`msg`, `tr:2`), never read from a possibly stale .pot. When this
fails after adding a message: run `make messages`, then fill in the new empty msgstr
entries in app/locale/{da,en}/LC_MESSAGES/authoring.po.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from app.i18n import LANGUAGES, catalog_strings, tr
from tests.unit.test_danish_terms import checks, rejected

REPO = Path(__file__).resolve().parents[2]
MAPPING = REPO / "babel-authoring.cfg"
KEYWORDS = {"msg": None, "tr": (2,)}
PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)[^{}]*\}(?!\})")


@cache
def extracted() -> dict[str, str]:
    """msgid -> the file that uses it, from the current sources."""
    with MAPPING.open() as fp:
        method_map, options_map = parse_mapping_cfg(fp, str(MAPPING))
    found: dict[str, str] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(REPO),
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=lambda path: (
            not Path(path).name.startswith(".")
            and Path(path).name not in ("node_modules", "data", "test-artifacts", "__pycache__")
        ),
    ):
        if isinstance(message, str):
            found.setdefault(message, filename)
    return found


def test_the_sources_have_authoring_messages() -> None:
    """A guard against a broken mapping that would make the other checks vacuous."""
    files = set(extracted().values())
    assert {
        "app/engine/rules.py",
        "app/scenarios/loader.py",
        "app/scenarios/checks.py",
        "app/cli.py",
    } <= files
    assert len(extracted()) > 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    translated = catalog_strings(lang)
    missing = [
        f"{where}: {msgid!r}" for msgid, where in extracted().items() if msgid not in translated
    ]
    assert missing == [], f"untranslated in {lang} (run `make messages`, then translate)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    wrong = [
        (msgid, text)
        for msgid, text in catalog_strings(lang).items()
        if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text))
    ]
    assert wrong == []


def test_an_untranslated_message_shows_its_english_words() -> None:
    assert tr("da", "no such message {x}", x=1) == "no such message 1"
    assert tr("da", "{n} errors", n=2) == "2 fejl"
    assert tr("en", "{n} errors", n=2) == "2 errors"


def test_danish_keeps_to_the_glossary() -> None:
    """docs/glossary.md's rejected words appear in no Danish message, and each concept's
    msgid is worded with its Danish term (the same tables the UI catalog is held to)."""
    danish = catalog_strings("da")
    words = [w for w in rejected()]
    found = [
        (word, text)
        for text in danish.values()
        for word in words
        if re.search(
            rf"\b{re.escape(word)}",
            text,
            0 if word[:1].isupper() else re.IGNORECASE,
        )
    ]
    assert found == []
    unlike = [
        (msgid, pattern, text)
        for pattern, wanted in checks()
        for msgid, text in danish.items()
        if re.search(pattern, PLACEHOLDER.sub("", msgid), re.IGNORECASE)
        and not re.search(wanted, text, re.IGNORECASE)
    ]
    assert unlike == []
