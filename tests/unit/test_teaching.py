"""The game teaches what it means to teach: leadership styles move the scores as the
research says they should. If this fails, fix the rules or the content, not the test."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.engine.simulate import Summary, simulate
from app.scenarios import load_scenario_or_raise

SCHOOL = Path(__file__).parents[2] / "game_content" / "scenarios" / "school-committee.yaml"
GAMES = 500


@cache
def _summary(style: str) -> Summary:
    return simulate(load_scenario_or_raise(SCHOOL), GAMES, seed=1, chair_style=style)


def test_facilitator_chair_builds_more_ownership_than_sovereign_chair() -> None:
    facilitator = _summary("facilitator").scores["ownership"].mean
    sovereign = _summary("sovereign").scores["ownership"].mean
    assert facilitator - sovereign >= 15, (facilitator, sovereign)


def test_catalyst_chair_gets_more_innovation_than_sovereign_chair() -> None:
    catalyst = _summary("catalyst").scores["innovation"].mean
    sovereign = _summary("sovereign").scores["innovation"].mean
    assert catalyst - sovereign >= 10, (catalyst, sovereign)


def test_sovereign_chair_plays_the_politician_card_and_others_do_not() -> None:
    assert _summary("sovereign").politician_card_rate > 0.5
    assert _summary("facilitator").politician_card_rate == 0.0
