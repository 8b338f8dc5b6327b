"""Every UI string is translated: the msgids are extracted from today's templates and ES
modules (with babel.cfg, as `make messages` does), never read from a possibly stale .pot.

When this fails after adding a string: run `make messages`, then fill in the new empty
msgstr entries in app/web/locale/{da,en}/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.jslexer import tokenize
from babel.messages.pofile import read_po

from app.web.i18n import LANGUAGES, LOCALE_DIR, js_catalog, translations

REPO = Path(__file__).resolve().parents[2]
MAPPING = REPO / "babel.cfg"
JS_DIR = REPO / "static" / "js"
# `t("...")` in the ES modules, as babel.cfg and `make messages` say.
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None}
SKIPPED_DIRS = {"node_modules", "data", "test-artifacts", "__pycache__"}
# `{name}` for t() in JS; `%(name)s` for _() in templates (newstyle gettext).
PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)[sd]")

Msgid = str | tuple[str, ...]


def _keep_dir(path: str) -> bool:
    name = Path(path).name
    return not name.startswith(".") and name not in SKIPPED_DIRS


@cache
def extracted() -> dict[Msgid, list[str]]:
    """msgid -> the files that use it, from the current sources."""
    with MAPPING.open() as fp:
        method_map, options_map = parse_mapping_cfg(fp, str(MAPPING))
    found: dict[Msgid, list[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=KEYWORDS, directory_filter=_keep_dir
    ):
        msgid: Msgid = message if isinstance(message, str) else tuple(m for m in message if m)
        if isinstance(msgid, tuple) and len(msgid) == 1:
            msgid = msgid[0]
        found.setdefault(msgid, []).append(filename)
    return found


def catalog(lang: str) -> Catalog:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{path} is missing: run `make messages`"
    with path.open("rb") as fp:
        return read_po(fp, locale=lang)


def _first(msgid: Msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def _strings(message: Message) -> list[str]:
    value = message.string
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def test_sources_have_ui_strings() -> None:
    """A guard against a broken babel.cfg that would make every other check vacuous."""
    files = {f for files in extracted().values() for f in files}
    assert any(f.endswith(".html") for f in files), "no string extracted from the templates"
    assert any(f.endswith(".js") for f in files), "no string extracted from the ES modules"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_ui_string_is_translated(lang: str) -> None:
    translated = catalog(lang)
    missing: list[str] = []
    for msgid, files in sorted(extracted().items(), key=lambda kv: _first(kv[0])):
        message = translated.get(_first(msgid))
        where = ", ".join(sorted(set(files)))
        if message is None:
            missing.append(f"{_first(msgid)!r} ({where}): not in the catalog")
        elif message.fuzzy:
            missing.append(f"{_first(msgid)!r} ({where}): marked fuzzy")
        elif not all(s.strip() for s in _strings(message)):
            missing.append(f"{_first(msgid)!r} ({where}): empty msgstr")
    assert not missing, (
        f"{len(missing)} UI string(s) untranslated in {lang}; run `make messages` and "
        "translate them:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang: str) -> None:
    wrong: list[str] = []
    for message in catalog(lang):
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        expected = set().union(*(_placeholders(i) for i in ids))
        for text in _strings(message):
            got = _placeholders(text)
            if text and got != expected:
                wrong.append(
                    f"{ids[0]!r} -> {text!r}: expects {sorted(expected)}, has {sorted(got)}"
                )
    assert not wrong, f"placeholders differ in {lang}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_server_reads_the_catalogs(lang: str) -> None:
    """What the server serves: gettext for the templates, the JSON map for the ES modules."""
    expected = {
        str(m.id): str(m.string)
        for m in catalog(lang)
        if isinstance(m.id, str) and m.id and m.string
    }
    assert expected, f"the {lang} catalog translates nothing"
    assert js_catalog(lang) == expected
    some = next(iter(expected))
    assert translations(lang).gettext(some) == expected[some]


def _t_calls(source: str) -> Iterator[tuple[int, str]]:
    """(line, first token) of each call of `t(...)`, skipping its definition and methods."""
    tokens = [tok for tok in tokenize(source, jsx=False) if tok.type not in ("linecomment",)]
    tokens = [tok for tok in tokens if tok.type != "multilinecomment"]
    for i, tok in enumerate(tokens[:-2]):
        if tok.type != "name" or tok.value != "t":
            continue
        before = tokens[i - 1].value if i else ""
        if before in (".", "function", "?."):
            continue
        if tokens[i + 1].value != "(":
            continue
        yield tok.lineno, tokens[i + 2].value


def test_js_translates_literal_strings_only() -> None:
    """`t(variable)` hides its string from extraction, so it would stay English in Danish."""
    dynamic: list[str] = []
    for path in sorted(JS_DIR.rglob("*.js")):
        for lineno, first in _t_calls(path.read_text(encoding="utf-8")):
            literal = first[:1] in ("'", '"') or (first[:1] == "`" and "${" not in first)
            if not literal:
                dynamic.append(f"{path.relative_to(REPO)}:{lineno}: t({first} ...)")
    assert not dynamic, (
        "t() must get a string literal (fill values with {placeholders}) so the string "
        "is extracted and translated:\n" + "\n".join(dynamic)
    )
