"""The arrows mode: the arrow beside a score and its one-line reason never disagree.

During play the default shows each score as an arrow and a reason, not a number. An up
arrow over "consensus is measured for the first time", or "ownership rose: …" under a
flat arrow, tells the table two different things; the arrow is read from the reason.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.engine import actions as a
from app.engine.events import Reason
from app.engine.outcome import STEADY, Breakdown, reasons, trend
from app.engine.rules import Accepted, Rules
from app.engine.simulate import default_seats, play_game
from app.engine.state import GameState
from app.rooms.views import TimerView, public_view
from app.scenarios import load_scenario_or_raise
from app.settings import REPO_ROOT
from tests.unit.tiny import tiny_scenario

TIMER = TimerView("running", None, None)
SCHOOL = Rules(load_scenario_or_raise(REPO_ROOT / "game_content/scenarios/school-committee.yaml"))


def arrows(rules: Rules, state: GameState, lang: str = "en") -> dict[str, Any]:
    """The scores a player sees during play in the arrows mode."""
    current: dict[str, Any] = public_view(rules, state, [], TIMER, False, lang)["scores"]["current"]
    return current


def test_a_score_measured_for_the_first_time_shows_no_arrow() -> None:
    rules = Rules(tiny_scenario())
    state = rules.start(default_seats(rules.scenario), 7).state
    for seat in ("chair", "member", "official", "parent", "teacher"):
        result = rules.apply(state, a.RankFramings(seat, ("f0", "f1", "f2")))
        assert isinstance(result, Accepted)
        state = result.state
    consensus = arrows(rules, state)["consensus"]
    # It was n/a before this round: 100 now is no rise from 0.
    assert consensus["reason"] == "consensus is measured for the first time"
    assert consensus["trend"] == "flat"
    assert "value" not in consensus


def scored(old: float, new: float) -> Reason:
    before = Breakdown({"consensus": old, "ownership": 50.0, "innovation": 50.0}, parts(old))
    after = Breakdown({"consensus": new, "ownership": 50.0, "innovation": 50.0}, parts(new))
    state = GameState("s", 0, (), (), {}, [], {})
    return reasons(before, after, state)[0]


def parts(consensus: float) -> dict[str, dict[str, float]]:
    return {
        "consensus": {"agreement": consensus, "effects": 0.0},
        "ownership": {"voice": 50.0, "effects": 0.0},
        "innovation": {"novelty": 50.0, "effects": 0.0},
    }


@pytest.mark.parametrize(
    ("old", "new", "code", "arrow"),
    [
        (40.0, 40.0 + STEADY / 2, "consensus.steady", "flat"),
        (40.0, 40.0 - STEADY / 2, "consensus.steady", "flat"),
        (40.0, 40.0 + STEADY, "consensus.agreement", "up"),
        (40.0, 40.0 - 3.0, "consensus.agreement", "down"),
    ],
)
def test_a_change_under_half_a_point_is_steady_in_words_and_arrow(
    old: float, new: float, code: str, arrow: str
) -> None:
    reason = scored(old, new)
    assert reason.code == code
    assert trend(reason) == arrow


@pytest.mark.parametrize("seed", range(12))
def test_every_arrow_of_a_game_agrees_with_its_words(seed: int) -> None:
    """Whole bot games: after every round, in both languages, a rise is worded as a rise
    under an up arrow, a fall as a fall under a down arrow, anything else under a flat one."""
    final = play_game(SCHOOL, seed).state
    rises = {"en": " rose: ", "da": " steg: "}
    falls = {"en": " fell: ", "da": " faldt: "}
    seen = set()
    for rounds in range(1, len(final.history) + 1):
        state = replace(final, history=final.history[:rounds], status="playing")
        for lang in ("en", "da"):
            for entry in arrows(SCHOOL, state, lang).values():
                words, arrow = entry["reason"], entry["trend"]
                seen.add(arrow)
                assert (rises[lang] in words) == (arrow == "up"), (words, arrow)
                assert (falls[lang] in words) == (arrow == "down"), (words, arrow)
    assert "flat" in seen  # the first round's scores at least
