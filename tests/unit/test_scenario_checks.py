"""Content that can never take part in a game is a warning, and the file still loads."""

from __future__ import annotations

import re

import pytest

from app.scenarios import load_scenario_text
from tests.unit.test_scenario_loader import NAME, Edit, edited

NEW_INTEREST = (
    "    name: {da: Trivsel, en: Wellbeing}\n  - id: safety\n    name: {da: Tryg, en: Safe}"
)
NEW_EVENT = """        effects: {trust: {all: 1}, novelty: 1}
  - id: storm
    title: {da: Storm, en: Storm}
    text: {da: Skolen er lukket., en: The school is closed.}
    options:
      - {id: wait, text: {da: Vent., en: Wait.}}
      - {id: move, text: {da: Flyt., en: Move.}}"""

WARNINGS: list[tuple[str, tuple[Edit, ...], str]] = [
    (
        "idea in no hand while nothing deals cards",
        (
            (
                79,
                "    effects: {trust: {target: 1}, deal: {self: 1}}",
                "    effects: {trust: {target: 1}}",
            ),
        ),
        "65:9: warning: idea 'shared-bus' is in no role's hand and no effect deals cards, "
        "so it never reaches the table",
    ),
    (
        "a sovereign decide move that is not the politician card",
        ((85, "    politician_card: true", "    per_round: 1"),),
        "83:12: warning: moves[1] 'politician-card' is a sovereign move played in decide, like "
        "the politician card, but it adopts nothing: every chair already holds the card. To "
        "give the card this move's title and text, add 'politician_card: true'",
    ),
    (
        "event no round uses",
        ((99, "        effects: {trust: {all: 1}, novelty: 1}", NEW_EVENT),),
        "100:9: warning: no round uses event 'storm'",
    ),
    (
        "interest nothing refers to",
        ((15, "    name: {da: Trivsel, en: Wellbeing}", NEW_INTEREST),),
        "16:9: warning: interest 'safety' is in no agenda, idea or framing",
    ),
    (
        "framings without a frame round",
        ((102, "    phase: frame", "    phase: ideate"),),
        "43:1: warning: there is no frame round, so the framings are never used",
    ),
    (
        "no decide round",
        (
            (122, "  - id: decide", ""),
            (123, "    phase: decide", ""),
            (124, "    title: {da: Beslut, en: Decide}", ""),
            (
                125,
                "    prompt: {da: Formanden foreslår en pakke., en: The chair proposes a package.}",
                "",
            ),
            (126, "    timer_seconds: 180", ""),
            (127, "    budget: 3", ""),
        ),
        "100:1: warning: no round decides: without a decide round no package is adopted (the "
        "game ends on the ideas the rankings put first) and the chair's politician card is "
        "never played",
    ),
    (
        "role without moves",
        ((36, "    moves: [deep-listening]", "    moves: []"),),
        "29:9: warning: role 'parent' has no moves",
    ),
    (
        "trust change for a role kind nobody has",
        (
            (
                95,
                "        effects: {trust: {parent: -1}}",
                "        effects: {trust: {teacher: -1}}",
            ),
        ),
        "95:27: warning: no role is of kind 'teacher', so this trust change has no effect",
    ),
]


@pytest.mark.parametrize(
    ("edits", "warning"), [w[1:] for w in WARNINGS], ids=[w[0] for w in WARNINGS]
)
def test_unused_content_is_a_warning_not_an_error(edits: tuple[Edit, ...], warning: str) -> None:
    result = load_scenario_text(edited(*edits), NAME)

    assert result.errors == []
    assert result.scenario is not None
    assert [str(w) for w in result.warnings] == [f"{NAME}:{warning}"]


def english_only() -> str:
    """The fixture as a single-language scenario: every `{da: ..., en: X}` becomes `X`."""
    text = edited((7, "languages: [da, en]", "languages: [en]"))
    return re.sub(r"\{da: [^{}]*?, en: ([^{}]*?)\}", r"\1", text)


def test_single_language_scenario_accepts_plain_text() -> None:
    result = load_scenario_text(english_only(), NAME)

    assert result.errors == []
    assert result.scenario is not None
    assert result.scenario.title == "Small case"


def test_single_language_scenario_refuses_other_languages() -> None:
    text = english_only().replace("title: Small case", "title: {en: Small case, da: Lille sag}")

    errors = load_scenario_text(text, NAME).errors

    assert [str(e) for e in errors] == [
        f"{NAME}:5:25: language 'da' in title is not one of the scenario's languages (en)"
    ]


def test_a_move_no_role_may_play_is_a_warning() -> None:
    text = edited(
        (24, "    moves: [deep-listening, politician-card]", "    moves: [politician-card]"),
        (36, "    moves: [deep-listening]", "    moves: []"),
    )
    warnings = [str(w) for w in load_scenario_text(text, NAME).warnings]
    assert f"{NAME}:73:9: warning: no role has move 'deep-listening', so nobody can play it" in (
        warnings
    )


def test_the_chair_holds_the_politician_card_without_listing_it() -> None:
    text = edited(
        (24, "    moves: [deep-listening, politician-card]", "    moves: [deep-listening]")
    )
    result = load_scenario_text(text, NAME)
    assert result.errors == [] and result.warnings == []
