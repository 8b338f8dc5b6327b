"""The trainer's preview of a scenario: every part of it, in one language."""

from __future__ import annotations

from app.scenarios import load_scenario_or_raise, localize
from app.scenarios.preview import preview
from app.settings import REPO_ROOT

SCENARIOS = REPO_ROOT / "game_content" / "scenarios"


def test_the_preview_has_the_case_roles_rounds_cards_and_events_in_the_asked_language() -> None:
    scenario = load_scenario_or_raise(SCENARIOS / "school-committee.yaml")

    shown = preview(scenario, "en")

    assert shown.language == "en" and shown.languages == ["da", "en"]
    assert shown.title == localize(scenario.title, "en")
    assert shown.case == localize(scenario.case, "en")
    assert [r.id for r in shown.roles] == [r.id for r in scenario.roles]
    chair = next(r for r in shown.roles if r.chair)
    assert chair.brief == localize(scenario.chair.brief, "en")
    assert chair.goal is not None and chair.agenda[0].weight == 3
    assert {a.id for a in chair.agenda} == set(scenario.chair.agenda)
    assert [h.id for h in chair.hand] == scenario.chair.hand
    assert [r.phase for r in shown.rounds] == [r.phase for r in scenario.rounds]
    assert all(r.event is not None for r in shown.rounds if r.phase == "dilemma")
    assert len(shown.ideas) == len(scenario.ideas)
    assert len(shown.events) == len(scenario.events)
    assert all(len(e.options) >= 2 for e in shown.events)
    assert shown.timer_minutes == round(sum(r.timer_seconds for r in scenario.rounds) / 60, 1)
    assert shown.questions == [localize(q, "en") for q in scenario.debrief.questions]


def test_an_unknown_language_falls_back_to_the_scenarios_first() -> None:
    scenario = load_scenario_or_raise(SCENARIOS / "climate-adaptation.yaml")

    shown = preview(scenario, "da")

    assert shown.language == "en"
    assert shown.title == scenario.title


def test_the_preview_is_json() -> None:
    scenario = load_scenario_or_raise(SCENARIOS / "school-committee.yaml")

    data = preview(scenario).model_dump(mode="json")

    assert data["language"] == "da"
    assert set(data) >= {"case", "roles", "rounds", "ideas", "moves", "events", "framings"}
