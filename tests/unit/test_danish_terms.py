"""The Danish texts keep to the glossary (docs/glossary.md): one Danish word per concept.

Two tables in the glossary drive this test: the rejected words ("Brug ikke"), which no
Danish text may contain, and msgid patterns whose Danish msgstr must use the chosen word.
The Danish texts are the catalog's msgstrs, the `da:` values of the shipped cases, and the
Danish strings of the engine's explanations, the debrief and the authoring starter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po
from ruamel.yaml import YAML

from app.engine import debrief, explain
from app.scenarios import starter

REPO = Path(__file__).resolve().parents[2]
GLOSSARY = REPO / "docs" / "glossary.md"
DA_PO = REPO / "app" / "web" / "locale" / "da" / "LC_MESSAGES" / "messages.po"
CASES = sorted((REPO / "game_content" / "scenarios").glob("*.yaml"))
ENGINE_TEXTS: tuple[ModuleType, ...] = (explain, debrief, starter)
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)[sd]")


def _table(heading: str) -> list[list[str]]:
    """The rows of the Markdown table under `## heading`, cells unescaped and stripped."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    cells = [re.split(r"(?<!\\)\|", row.strip())[1:-1] for row in rows[2:]]
    return [[c.strip().replace("\\|", "|").strip("`") for c in row] for row in cells]


@cache
def rejected() -> tuple[str, ...]:
    words = []
    for row in _table("Terms"):
        words += [w.strip() for w in row[2].split(",") if w.strip()]
    return tuple(words)


@cache
def checks() -> tuple[tuple[str, str], ...]:
    return tuple((row[0], row[1]) for row in _table("Checked in the catalog"))


@cache
def catalog() -> dict[str, str]:
    with DA_PO.open("rb") as fp:
        po = read_po(fp, locale="da")
    return {str(m.id): str(m.string) for m in po if m.id and isinstance(m.id, str) and m.string}


def _da_values(node: object) -> Iterator[str]:
    """Every string under a `da` key, at any depth of a case or a module's text tables."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "da" and isinstance(value, str):
                yield value
            else:
                yield from _da_values(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _da_values(item)


def danish_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every Danish text the game shows."""
    for msgid, text in catalog().items():
        yield f"messages.po {msgid!r}", text
    for case in CASES:
        # The cases' own parser: plain flow scalars such as `{da: Hvad er problemet?}`.
        tree = YAML(typ="rt").load(case.read_text(encoding="utf-8"))
        for text in _da_values(tree):
            yield case.name, text
    for module in ENGINE_TEXTS:
        for name, value in vars(module).items():
            if name.lstrip("_").isupper():
                for text in _da_values(value):
                    yield f"{module.__name__}.{name}", text


def _contains(text: str, word: str) -> bool:
    """`word` as a word or the start of one (so 'ranger' does not match 'forandringer');
    a capitalised word with its case ('Deres', the formal 'you', not 'deres', 'their')."""
    flags = 0 if word[:1].isupper() else re.IGNORECASE
    return re.search(rf"(?<!\w){re.escape(word)}", text, flags) is not None


def test_the_glossary_tables_are_read() -> None:
    """A guard: a reformatted glossary must not leave the other tests with nothing to check."""
    assert {"nyhedsværdi", "initiativtager", "råd til dette"} <= {w.lower() for w in rejected()}
    assert ("\\binitiators?\\b", "igangsætter") in checks()
    assert len(checks()) >= 20


def test_the_danish_texts_are_found() -> None:
    where = {w.split(" ", 1)[0] for w, _ in danish_texts()}
    assert "messages.po" in where
    assert "school-committee.yaml" in where
    assert {"app.engine.explain._PARTS", "app.engine.debrief.SECTIONS"} <= where


def test_no_rejected_word_in_any_danish_text() -> None:
    found = [
        f"{where}: {word!r} in {text!r}"
        for where, text in danish_texts()
        for word in rejected()
        if _contains(PLACEHOLDER.sub("", text), word)
    ]
    assert not found, "Danish texts use words the glossary rejects:\n" + "\n".join(found)


@pytest.mark.parametrize("msgid", ["Advise this", "Novelty", "Novelty {n} of 3"])
def test_reported_wordings_are_gone(msgid: str) -> None:
    """The wordings issue 21 reported: 'Råd til dette', 'Nyhedsværdi'."""
    text = catalog()[msgid].lower()
    assert "råd til" not in text and "nyhedsværdi" not in text


def test_each_concept_translates_with_its_word() -> None:
    wrong = [
        f"{msgid!r} -> {text!r}: expected {word!r} (pattern {pattern!r})"
        for pattern, word in checks()
        for msgid, text in catalog().items()
        if re.search(pattern, PLACEHOLDER.sub("", msgid), re.IGNORECASE)
        and not re.search(word, PLACEHOLDER.sub("", text), re.IGNORECASE)
    ]
    assert not wrong, "Danish msgstrs that leave the glossary:\n" + "\n".join(wrong)


def test_the_leadership_styles_have_the_fields_names() -> None:
    assert debrief.STYLE_NAMES["initiator"]["da"] == "igangsætter"
    assert debrief.STYLE_NAMES["facilitator"]["da"] == "facilitator"
    assert debrief.STYLE_NAMES["catalyst"]["da"] == "katalysator"
    assert debrief.STYLE_NAMES["sovereign"]["da"] == "suveræn"
    styles = {msgid: catalog()[msgid] for msgid in ("Initiator", "Catalyst", "Sovereign")}
    assert styles == {"Initiator": "Igangsætter", "Catalyst": "Katalysator", "Sovereign": "Suveræn"}
