"""One-line reasons say what a person at the table would say."""

from __future__ import annotations

from app.engine.catalog import Catalog
from app.engine.events import Reason
from app.engine.explain import explain, short_title
from app.scenarios import load_scenario_or_raise
from app.settings import REPO_ROOT

SCHOOL = Catalog.of(
    load_scenario_or_raise(REPO_ROOT / "game_content/scenarios/school-committee.yaml")
)


def test_the_decide_rounds_reason_names_the_answers_not_the_rankings() -> None:
    reason = Reason("consensus", "consensus.agreement", 12.0, "votes")
    assert explain(reason, SCHOOL, "en") == (
        "consensus rose: the answers to the proposal are more favourable"
    )
    assert "svarene på forslaget" in explain(reason, SCHOOL, "da")
    ranked = Reason("consensus", "consensus.agreement", -3.0, "ideas")
    assert explain(ranked, SCHOOL, "en") == "consensus fell: the rankings of the ideas agree less"


def test_a_dilemma_option_is_named_by_its_short_title() -> None:
    reason = Reason("ownership", "ownership.effects", 2.1, "option:open-citizen-meeting")
    assert explain(reason, SCHOOL, "en") == "ownership rose: An open meeting in Skovlund"
    assert explain(reason, SCHOOL, "da") == "ejerskab steg: Åbent borgermøde i Skovlund"


def test_an_option_without_a_title_is_named_by_the_start_of_its_text() -> None:
    text = (
        "Hold an open public meeting in the gym where everyone can ask questions and bring ideas."
    )
    assert short_title(text) == "Hold an open public meeting in the gym where…"
    assert short_title("Hold the line – the council, not the union, sets the framework.") == (
        "Hold the line"
    )
    assert short_title("Wait.") == "Wait"


def test_overruling_is_worded_by_how_the_package_was_adopted() -> None:
    overruled = Reason("ownership", "ownership.overruled", -14.0, "overruled")
    assert explain(overruled, SCHOOL, "en") == (
        "ownership fell: the chair adopted the proposal over objections without revising it"
    )
    dissent = Reason("ownership", "ownership.overruled", -6.0, "dissent")
    assert explain(dissent, SCHOOL, "en") == (
        "ownership fell: objections remained after the revision"
    )


def test_a_first_measurement_is_worded_as_one() -> None:
    reason = Reason("innovation", "innovation.first", 0.0)
    assert explain(reason, SCHOOL, "en") == "innovation is measured for the first time"
    assert explain(reason, SCHOOL, "da") == "innovation måles for første gang"
