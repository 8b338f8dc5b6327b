"""The debrief of tiny games (`tests/unit/tiny.py`), one behaviour per test.

Bot games are deterministic per seed; the tests pick the first seed whose game shows what
they need (a combined idea in the package, the politician card), so a change in the bots
moves the seed, not the test.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from functools import cache

from app.engine import actions as a
from app.engine.debrief import (
    ROUND_COLUMNS,
    TABLE_COLUMNS,
    csv_text,
    debrief_csv_rows,
    rarity_score,
    table_debrief,
    workshop_csv_rows,
    workshop_debrief,
)
from app.engine.explain import source_title
from app.engine.rules import Rules
from app.engine.simulate import default_seats, play_game
from app.engine.state import GameState
from tests.unit.tiny import tiny_scenario

RULES = Rules(tiny_scenario())


@cache
def _game(seed: int, style: str = "mixed") -> GameState:
    return play_game(RULES, seed, chair_style=style).state


def _first(style: str, wanted: Callable[[GameState], bool]) -> GameState:
    for seed in range(1, 50):
        state = _game(seed, style)
        if wanted(state):
            return state
    raise AssertionError("no bot game shows what the test needs")


def _combined() -> GameState:
    """A mixed game whose package holds an idea combining several roles."""
    return _first(
        "mixed",
        lambda s: any(len(set(s.table[i].contributors)) > 1 for i in s.final_package or ()),
    )


def _carded() -> GameState:
    """A game where the sovereign chair played the politician card."""
    return _first("sovereign", lambda s: s.politician_card_played)


def _pair() -> tuple[GameState, GameState]:
    """Two games whose packages hold different cards."""
    first = _combined()
    return first, _first("catalyst", lambda s: _cards(s) != _cards(first))


def _cards(state: GameState) -> set[str]:
    """Cards in, or built into, the final package."""
    out: set[str] = set()
    for pid in state.final_package or ():
        idea = state.table.get(pid)
        while idea is not None:
            if idea.card:
                out.add(idea.card)
            idea = state.table.get(idea.base) if idea.base else None
    return out


def test_final_package_lists_each_idea_with_its_contributors() -> None:
    state = _combined()
    proposal = table_debrief(RULES, state, "en").proposal
    assert proposal.final
    assert [i.id for i in proposal.ideas] == list(state.final_package or ())
    for idea in proposal.ideas:
        table = state.table[idea.id]
        assert [c.id for c in idea.contributors] == list(table.contributors)
        assert all(c.name == c.id.title() for c in idea.contributors)
        # Cards' titles, not their ids; a combined idea names its base first.
        depth, link = 0, table
        while link.base is not None:
            depth, link = depth + 1, state.table[link.base]
        assert idea.title == " + ".join(["T"] * (depth + 1))
        assert idea.recombined == (len(set(table.contributors)) > 1)
    assert any(i.recombined for i in proposal.ideas)
    assert proposal.total_cost == sum(i.cost for i in proposal.ideas) <= (proposal.budget or 0)
    assert proposal.adopted_how == state.adopted_how


def test_every_seated_role_agenda_is_revealed_with_goal_met_flag() -> None:
    state = _combined()
    agendas = table_debrief(RULES, state, "en").agendas
    assert [ag.role.id for ag in agendas] == list(state.seated_roles)
    for ag in agendas:
        assert ag.brief == f"The {ag.role.id}."
        assert {w.interest for w in ag.agenda} == {"budget", "wellbeing"}
        assert ag.goal == "Wellbeing counts"
        assert ag.goal_met is state.goals[ag.role.id]
        package = state.final_package or ()
        assert ag.package_ideas == tuple(
            i for i in package if ag.role.id in state.table[i].contributors
        )


def test_one_score_entry_per_round_with_a_reason_for_each_score() -> None:
    state = _combined()
    scores = table_debrief(RULES, state, "en").scores
    assert len(scores) == len(state.history) == len(RULES.catalog.rounds)
    assert [s.id for s in scores] == ["r1", "r2", "r3", "r4", "r5"]
    for line in scores:
        assert set(line.reasons) == {"consensus", "ownership", "innovation"}
        assert all(line.reasons.values())


def test_key_moments_name_the_cause_of_the_biggest_change() -> None:
    state = _carded()
    debrief = table_debrief(RULES, state, "en")
    assert {m.score for m in debrief.key_moments} == {"consensus", "ownership", "innovation"}
    for moment in debrief.key_moments:
        deltas = [abs(line.deltas[moment.score]) for line in debrief.scores]
        assert abs(moment.delta) == max(deltas)
        if moment.source is not None:
            assert moment.cause == source_title(moment.source, RULES.catalog, "en")
        else:
            assert moment.cause == moment.reason
    assert debrief.act_moments
    titles = {"Listen", "Share", "Outside", "Card", "Hide", "Meet"}
    for moment in debrief.act_moments:
        assert moment.cause in titles | {"the chair played the politician card"}


def test_profile_shares_sum_to_one_for_a_politician_who_acted() -> None:
    state = _carded()
    profiles = {p.role.id: p for p in table_debrief(RULES, state, "en").profiles}
    assert set(profiles) == {"chair", "member"}  # the politicians only
    chair = profiles["chair"]
    assert chair.styled_acts >= 1
    assert abs(sum(chair.shares.values()) - 1) < 0.01
    assert chair.shares["sovereign"] > 0


def test_danish_fixed_texts_differ_from_english() -> None:
    state = _combined()
    da = table_debrief(RULES, state, "da")
    en = table_debrief(RULES, state, "en")
    assert [o.id for o in da.feelings.options] == [o.id for o in en.feelings.options]
    assert [o.label for o in da.feelings.options] != [o.label for o in en.feelings.options]
    assert da.feelings.prompt != en.feelings.prompt
    assert [s.title for s in da.sections] != [s.title for s in en.sections]
    assert da.proposal.adopted_how_text != en.proposal.adopted_how_text
    assert da.scores[-1].reasons != en.scores[-1].reasons


def test_insights_whose_conditions_held_are_shown_with_the_questions() -> None:
    reflection = table_debrief(RULES, _carded(), "en").reflection
    assert reflection.questions == ("How did it feel?",)
    assert reflection.insights == ("The card was played.",)
    calm = _first("facilitator", lambda s: not s.politician_card_played)
    assert table_debrief(RULES, calm, "en").reflection.insights == ()


def test_contributions_split_ideas_from_builds() -> None:
    state = _combined()
    rows = table_debrief(RULES, state, "en").contributions
    assert sum(r.ideas for r in rows) == sum(1 for i in state.table.values() if i.base is None)
    assert sum(r.builds for r in rows) == sum(1 for i in state.table.values() if i.base)
    assert sum(r.moves for r in rows) == len(state.moves)


def test_trust_has_one_value_per_round_and_the_final_value() -> None:
    state = _carded()
    trust = table_debrief(RULES, state, "en").trust
    for line in trust:
        assert len(line.rounds) == len(state.history)
        assert line.final == state.trust[line.role.id]


def test_a_running_game_shows_the_leading_package_as_not_final() -> None:
    state = RULES.start(default_seats(RULES.scenario), seed=3).state
    RULES.step(state, a.EndPhase("time_up"))
    debrief = table_debrief(RULES, state, "en")
    assert not debrief.ended and not debrief.proposal.final
    assert debrief.proposal.adopted_how == "pending"
    assert all(ag.goal_met is None for ag in debrief.agendas)
    assert len(debrief.scores) == 1


def test_an_own_idea_keeps_the_title_and_text_its_player_wrote() -> None:
    state = RULES.start(default_seats(RULES.scenario), seed=3).state
    RULES.step(state, a.EndPhase("time_up"))
    written = a.WriteIdea("parent", "Walking bus", "Children walk together", ("wellbeing",))
    assert isinstance(RULES.step(state, written), list)
    ideas = table_debrief(RULES, state, "en").proposal.ideas
    own = next(i for i in ideas if i.card is None)
    assert (own.title, own.text) == ("Walking bus", "Children walk together")
    assert [c.id for c in own.contributors] == ["parent"]


def test_debrief_serialises_to_json() -> None:
    data = table_debrief(RULES, _combined(), "en", "Table A").model_dump(mode="json")
    assert json.loads(json.dumps(data))["table_label"] == "Table A"


def test_workshop_counts_how_many_tables_chose_each_card() -> None:
    first, second = _pair()
    tables = [("A", RULES, first), ("B", RULES, first), ("C", RULES, second)]
    workshop = workshop_debrief(tables, "en")
    expected: dict[str, int] = {}
    for _, _, state in tables:
        for card in _cards(state):
            expected[card] = expected.get(card, 0) + 1
    assert {r.card: r.tables for r in workshop.rarity} == expected
    assert [t.label for t in workshop.tables] == ["A", "B", "C"]


def test_rarity_scores_a_package_fewer_tables_chose_at_least_as_high() -> None:
    first, second = _pair()
    common = workshop_debrief(
        [("A", RULES, first), ("B", RULES, first), ("C", RULES, second)], "en"
    )
    unique = workshop_debrief(
        [("A", RULES, first), ("B", RULES, second), ("C", RULES, second)], "en"
    )
    assert unique.tables[0].innovation_with_rarity > common.tables[0].innovation_with_rarity
    assert rarity_score([(2, 0.25)]) >= rarity_score([(2, 1.0)])
    assert rarity_score([(3, 0.0)]) == 100.0 and rarity_score([]) == 0.0


def test_csv_has_a_header_and_one_row_per_round() -> None:
    debrief = table_debrief(RULES, _combined(), "en", "A")
    text = csv_text(debrief_csv_rows(debrief), ROUND_COLUMNS)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(ROUND_COLUMNS)
    assert len(rows) == 1 + len(debrief.scores)
    assert rows[-1][ROUND_COLUMNS.index("round_id")] == "r5"


def test_workshop_csv_has_one_row_per_table() -> None:
    workshop = workshop_debrief([("A", RULES, _combined()), ("B", RULES, _carded())], "en")
    rows = list(csv.reader(io.StringIO(csv_text(workshop_csv_rows(workshop), TABLE_COLUMNS))))
    assert rows[0] == list(TABLE_COLUMNS)
    assert [r[0] for r in rows[1:]] == ["A", "B"]
