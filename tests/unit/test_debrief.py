"""The debrief of tiny games (`tests/unit/tiny.py`), one behaviour per test.

Bot games are deterministic per seed; the tests pick the first seed whose game shows what
they need (a combined idea in the package, the politician card), so a change in the bots
moves the seed, not the test.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache

import pytest

from app.engine import actions as a
from app.engine.debrief import (
    ADOPTED_HOW,
    ROUND_COLUMNS,
    TABLE_COLUMNS,
    Agenda,
    Contribution,
    Profile,
    TrustLine,
    csv_text,
    debrief_csv_rows,
    idea_text,
    idea_title,
    rarity_score,
    table_debrief,
    workshop_csv_rows,
    workshop_debrief,
)
from app.engine.events import Reason, SeatSpec, TableIdea
from app.engine.explain import source_title
from app.engine.outcome import package_cards
from app.engine.rules import Rules
from app.engine.simulate import default_seats, play_game
from app.engine.state import GameState
from app.scenarios import load_scenario_or_raise
from app.scenarios.models import Scenario
from app.settings import REPO_ROOT
from tests.unit.tiny import tiny_data, tiny_scenario

RULES = Rules(tiny_scenario())
SEAT_IDS = [s.id for s in default_seats(RULES.scenario)]


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
    return first, _first("catalyst", lambda s: package_cards(s) != package_cards(first))


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


def test_a_round_that_held_steady_is_no_key_moment() -> None:
    """Innovation moving by a few tenths in one round and not at all in the others reads
    "held steady" every round: it has no key moment, rather than a steady one."""
    state = _carded().clone()

    def steady(r: Reason, index: int) -> Reason:
        if r.score != "innovation":
            return r
        return Reason(r.score, "innovation.steady", 0.4 if index == 2 else 0.0)

    state.history = [
        replace(h, reasons=tuple(steady(r, i) for r in h.reasons))
        for i, h in enumerate(state.history)
    ]
    moments = table_debrief(RULES, state, "en").key_moments
    assert {m.score for m in moments} == {"consensus", "ownership"}


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
        for card in package_cards(state):
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


# --- how the package was adopted ---------------------------------------------------------------


def _step(state: GameState, *actions: a.Action) -> GameState:
    for action in actions:
        assert isinstance(RULES.step(state, action), list), action
    return state


def _overruled() -> GameState:
    """Every seat played its `b` card; the chair proposes two, the parent objects and the
    chair adopts over the objection without revising."""
    state = RULES.start(default_seats(RULES.scenario), seed=3).state
    while state.phase != "ideate":
        _step(state, a.EndPhase("time_up"))
    _step(state, *(a.PlayIdea(seat, f"{seat}-b") for seat in SEAT_IDS))
    while state.phase != "decide":
        _step(state, a.EndPhase("time_up"))
    ideas = tuple(state.live_ideas())[:2]
    _step(state, a.Propose("chair", ideas))
    _step(state, *(a.Vote(s, "object" if s == "parent" else "accept") for s in SEAT_IDS))
    assert state.adopted_how is None  # the objection stands: the chair decides
    return _step(state, a.Adopt("chair"))


def test_every_adoption_mode_is_named_as_a_councillor_would_say_it() -> None:
    english = {how: texts["en"] for how, texts in ADOPTED_HOW.items()}
    assert english == {
        "consensus": "adopted on its own: nobody objected",
        "overruled": "adopted over objections, without a revision",
        "dissent": "adopted after a revision, with objections remaining",
        "politician_card": "the chair played the politician card",
        "time_up": "time ran out",
        "pending": "not decided yet",
    }
    danish = [texts["da"] for texts in ADOPTED_HOW.values()]
    assert len(set(danish)) == len(danish)
    assert all(texts["da"] != texts["en"] for texts in ADOPTED_HOW.values())


def test_a_package_adopted_over_an_objection_is_shown_as_overruled() -> None:
    state = _overruled()
    assert state.adopted_how == "overruled"
    en = table_debrief(RULES, state, "en").proposal
    da = table_debrief(RULES, state, "da").proposal
    assert (en.final, en.adopted_how) == (True, "overruled")
    assert en.adopted_how_text == "adopted over objections, without a revision"
    assert da.adopted_how_text == ADOPTED_HOW["overruled"]["da"]
    (table,) = workshop_debrief([("1", RULES, state)], "en").tables
    assert (table.adopted_how, table.adopted_how_text) == ("overruled", en.adopted_how_text)
    consensus = table.scores["consensus"]
    assert consensus is not None and consensus < 100
    (row,) = workshop_csv_rows(workshop_debrief([("1", RULES, state)], "en"))
    assert row["adopted_how"] == "overruled"


# --- bot seats -----------------------------------------------------------------------------------


def _bot_flags(rows: Sequence[Agenda | Contribution | TrustLine | Profile]) -> dict[str, bool]:
    """Whether each role a debrief section names is marked a bot."""
    return {r.role.id: r.role.bot for r in rows}


def test_without_bot_seats_nothing_is_marked_a_bot() -> None:
    debrief = table_debrief(RULES, _carded(), "en", bot_seats={"nobody-sits-here"})
    assert debrief.bot_seats == ()
    assert not any(_bot_flags(debrief.agendas).values())
    assert not any(m.by_bot for m in debrief.key_moments + debrief.act_moments)
    assert table_debrief(RULES, _carded(), "en") == debrief  # the default: no bots


def test_roles_bots_played_are_marked_wherever_the_debrief_names_them() -> None:
    state = _combined()
    bots = {"teacher", "official"}
    debrief = table_debrief(RULES, state, "en", bot_seats=bots)
    assert debrief.bot_seats == tuple(s for s in SEAT_IDS if s in bots)  # in seat order
    expected = {r: r in bots for r in state.seated_roles}
    assert _bot_flags(debrief.agendas) == expected
    assert _bot_flags(debrief.contributions) == expected
    assert _bot_flags(debrief.trust) == expected
    assert _bot_flags(debrief.profiles) == {"chair": False, "member": False}
    assert {ag.role.id: ag.bot_seats for ag in debrief.agendas} == {
        r: ((r,) if r in bots else ()) for r in state.seated_roles
    }
    for idea in debrief.proposal.ideas:
        assert {c.id: c.bot for c in idea.contributors} == {
            c: c in bots for c in state.table[idea.id].contributors
        }
    assert any(c.bot for i in debrief.proposal.ideas for c in i.contributors)
    chair_bot = table_debrief(RULES, state, "en", bot_seats={"chair"})
    assert _bot_flags(chair_bot.profiles) == {"chair": True, "member": False}


def test_a_role_with_a_person_and_a_bot_is_not_called_a_bot() -> None:
    data = tiny_data()
    parent = next(r for r in data["roles"] if r["id"] == "parent")
    parent["seats"] = {"min": 1, "max": 2}
    data["players"] = {"min": 5, "max": 6}
    rules = Rules(Scenario.model_validate(data))
    seats = [*default_seats(rules.scenario), SeatSpec("parent-2", "parent")]
    state = rules.start(seats, seed=5).state
    one = {
        ag.role.id: ag for ag in table_debrief(rules, state, "en", bot_seats={"parent-2"}).agendas
    }
    assert (one["parent"].role.bot, one["parent"].bot_seats) == (False, ("parent-2",))
    assert one["parent"].seats == ("parent", "parent-2")
    both = table_debrief(rules, state, "en", bot_seats={"parent", "parent-2"})
    assert {ag.role.id: ag.role.bot for ag in both.agendas}["parent"] is True


def _actors(state: GameState, round_index: int, source: str | None) -> list[str | None]:
    """Who made the act a key moment names, worked out here from the state's records."""
    if source == "politician_card":
        source = f"move:{RULES.catalog.card.id}"
    kind, _, ident = (source or "").partition(":")
    if kind == "move":
        return [m.seat for m in state.moves if m.round == round_index and m.move == ident]
    if kind == "option":
        return [c.seat for c in state.choices if c.round == round_index and c.option == ident]
    return []


@pytest.mark.parametrize("bots", [set(SEAT_IDS), {"chair"}, set(SEAT_IDS) - {"chair"}])
def test_a_key_moment_says_when_a_bot_made_the_act_behind_it(bots: set[str]) -> None:
    state = _carded()
    debrief = table_debrief(RULES, state, "en", bot_seats=bots)
    moments = debrief.key_moments + debrief.act_moments
    for m in moments:
        actors = _actors(state, m.round, m.source)
        assert m.by_bot == (bool(actors) and all(s in bots for s in actors)), m
    if bots == set(SEAT_IDS):
        # Every act was a bot's: each moment an act caused says so, and only those.
        assert [m.by_bot for m in debrief.act_moments] == [True] * len(debrief.act_moments)
        assert debrief.act_moments
    # The politician card is the chair's: a moment it caused is a bot's when the chair is.
    card = [m for m in moments if m.source in ("politician_card", "move:card")]
    assert all(m.by_bot == ("chair" in bots) for m in card)


def test_the_workshop_counts_each_tables_bot_seats() -> None:
    first, second = _combined(), _carded()
    tables = [("1", RULES, first), ("2", RULES, second)]
    plain = workshop_debrief(tables, "en")
    assert [(t.seats, t.bot_seats) for t in plain.tables] == [(5, 0), (5, 0)]
    marked = workshop_debrief(tables, "en", bot_seats={"1": {"teacher", "parent"}, "2": {"chair"}})
    assert [(t.seats, t.bot_seats) for t in marked.tables] == [(5, 2), (5, 1)]
    profiles = [t.chair_profile for t in marked.tables]
    assert [p.role.bot if p else None for p in profiles] == [False, True]
    rows = workshop_csv_rows(marked)
    assert [r["bot_seats"] for r in rows] == [2, 1]
    text = csv_text(rows, TABLE_COLUMNS)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [r["bot_seats"] for r in parsed] == ["2", "1"]


def test_the_json_export_carries_the_bot_marks() -> None:
    data = table_debrief(RULES, _carded(), "en", bot_seats={"chair"}).model_dump(mode="json")
    data = json.loads(json.dumps(data))
    assert data["bot_seats"] == ["chair"]
    assert {a["role"]["id"]: a["role"]["bot"] for a in data["agendas"]}["chair"] is True
    assert all("by_bot" in m for m in data["key_moments"] + data["act_moments"])
    workshop = workshop_debrief([("1", RULES, _carded())], "en", bot_seats={"1": ["chair"]})
    assert workshop.model_dump(mode="json")["tables"][0]["bot_seats"] == 1


SCHOOL = Rules(
    load_scenario_or_raise(REPO_ROOT / "game_content" / "scenarios" / "school-committee.yaml")
)


def _school_ideate() -> tuple[GameState, list[str]]:
    """The school case in its ideas round, and the seats in the order they sit."""
    seats = default_seats(SCHOOL.scenario)
    state = SCHOOL.start(seats, seed=3).state
    while state.phase != "ideate":
        _step_on(SCHOOL, state, a.EndPhase("time_up"))
    return state, [s.id for s in seats]


def _step_on(rules: Rules, state: GameState, *actions: a.Action) -> None:
    for action in actions:
        assert isinstance(rules.step(state, action), list), action


def _only_idea(state: GameState) -> TableIdea:
    (live,) = state.live_ideas()
    return state.table[live]


def test_a_combined_idea_keeps_every_parts_description() -> None:
    state, seats = _school_ideate()
    first, second = state.hands[seats[0]][:2]
    _step_on(SCHOOL, state, a.PlayIdea(seats[0], first))
    _step_on(SCHOOL, state, a.BuildOn(seats[0], _only_idea(state).id, idea=second))
    combined = _only_idea(state)
    cards = SCHOOL.catalog.ideas
    for lang in ("da", "en"):
        title = idea_title(combined, state, SCHOOL.catalog, lang)
        text = idea_text(combined, state, SCHOOL.catalog, lang)
        assert title == f"{cards[first].title[lang]} + {cards[second].title[lang]}"
        assert cards[first].text[lang].rstrip(".") in text, text
        assert cards[second].text[lang].rstrip(".") in text, text
        assert text.index(cards[first].text[lang][:20]) < text.index(cards[second].text[lang][:20])


def test_words_two_players_both_add_are_named_once() -> None:
    state, seats = _school_ideate()
    card = state.hands[seats[0]][0]
    _step_on(SCHOOL, state, a.PlayIdea(seats[0], card))
    words = "…med en fælles skoleleder"
    _step_on(SCHOOL, state, a.BuildOn(seats[1], _only_idea(state).id, title=words, text=words))
    # A second player adds the same words again, in other case and spacing.
    again = "…Med en  fælles skoleleder …"
    _step_on(SCHOOL, state, a.BuildOn(seats[2], _only_idea(state).id, title=again))
    combined = _only_idea(state)
    title = idea_title(combined, state, SCHOOL.catalog, "da")
    assert title == f"{SCHOOL.catalog.ideas[card].title['da']} + {words}"
    text = idea_text(combined, state, SCHOOL.catalog, "da")
    assert "fælles skoleleder" not in text  # the words are the title, not a description
    assert text == SCHOOL.catalog.ideas[card].text["da"].strip()
    assert len(set(combined.contributors)) == 3  # every builder is still credited
