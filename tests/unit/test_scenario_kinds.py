"""Open stakeholder kinds: a case declares its own (a relative, a care worker), roles take
them, and a trust effect on a kind moves exactly the roles of that kind.

The case is tests/fixtures/kinds/eldercare-kinds.yaml: the eldercare case with the
daughter as a `relative` and the home carer as a `care-worker`, where the original has to
make them `citizen` and `other`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import actions as a
from app.engine import events as e
from app.engine.rules import Accepted, Rules
from app.engine.simulate import default_seats, play_game
from app.engine.state import GameState
from app.scenarios import load_scenario, load_scenario_text
from app.scenarios.models import Scenario
from app.scenarios.preview import preview

FIXTURES = Path(__file__).parent.parent / "fixtures"
OUTSIDE = FIXTURES / "outside"  # written outside the team; test_teaching pins figures on them
KINDS_FILE = FIXTURES / "kinds" / "eldercare-kinds.yaml"
NAME = "case.yaml"
BASE = KINDS_FILE.read_text(encoding="utf-8")

# The roles of each kind in the fixture, written out rather than derived from the file.
ROLES_OF = {
    "politician": {"chair", "councillor"},
    "official": {"official"},
    "relative": {"daughter"},
    "care-worker": {"home-carer"},
    "citizen": {"senior"},
}
EVERYONE = {"chair", "councillor", "official", "daughter", "home-carer", "senior"}


def scenario_of(path: Path) -> Scenario:
    result = load_scenario(path)
    assert result.ok, [str(p) for p in result.problems]
    assert result.scenario is not None
    return result.scenario


def full_table(path: Path) -> tuple[Rules, GameState]:
    """Every role seated (the daughter's seat is optional), the game in its first round."""
    rules = Rules(scenario_of(path))
    seats = default_seats(rules.scenario, players=len(rules.scenario.roles))
    return rules, rules.start(seats, 7).state


def do(rules: Rules, state: GameState, action: a.Action) -> GameState:
    result = rules.apply(state, action)
    assert isinstance(result, Accepted), f"{action} was refused: {result}"
    return result.state


def moved(before: GameState, after: GameState) -> dict[str, int]:
    return {
        r: after.trust[r] - before.trust[r]
        for r in after.trust
        if after.trust[r] != before.trust[r]
    }


def test_the_case_with_its_own_kinds_validates_without_a_warning() -> None:
    result = load_scenario(KINDS_FILE)

    assert result.ok and result.problems == []
    assert result.scenario is not None
    kinds = {r.id: r.kind for r in result.scenario.roles}
    assert kinds["daughter"] == "relative" and kinds["home-carer"] == "care-worker"
    assert result.scenario.kind_name("care-worker", "da") == "Plejemedarbejder"
    assert result.scenario.kind_name("relative", "en") == "Relative"
    assert result.scenario.kind_name("citizen", "en") is None  # built in: the app names it


def test_trust_for_citizens_no_longer_moves_the_relative() -> None:
    # invite-councils gives `citizen: 1`. In the original file the daughter is a citizen
    # too, so she gains trust she was never meant to; with her own kind only the senior does.
    rules, state = full_table(KINDS_FILE)
    after = do(rules, state, a.PlayMove("chair", "invite-councils"))
    assert moved(state, after) == {"senior": 1}

    old_rules, old_state = full_table(OUTSIDE / "eldercare.yaml")
    old_after = do(old_rules, old_state, a.PlayMove("chair", "invite-councils"))
    assert moved(old_state, old_after) == {"relative": 1, "senior": 1}


def test_a_trust_effect_on_declared_kinds_moves_those_roles_alone() -> None:
    rules, state = full_table(KINDS_FILE)
    state = do(rules, state, a.EndPhase("time_up"))  # frame -> ideate
    assert state.phase == "ideate"
    # even-out-power: {citizen: 1, relative: 1, care-worker: 1}
    after = do(rules, state, a.PlayMove("chair", "even-out-power"))

    assert moved(state, after) == {"senior": 1, "daughter": 1, "home-carer": 1}
    assert after.trust["daughter"] == state.trust["daughter"] + 1


def expected_roles(who: str, actor: str, target: str | None) -> set[str]:
    if who == "all":
        return EVERYONE
    if who == "self":
        return {actor}
    if who == "target":
        return {target} if target else set()
    return ROLES_OF.get(who, {who})


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_bots_play_the_case_and_every_trust_change_lands_on_the_kinds_named(seed: int) -> None:
    rules = Rules(scenario_of(KINDS_FILE))
    seats = default_seats(rules.scenario, players=len(rules.scenario.roles))
    record = play_game(rules, seed, seats, keep_events=True)

    assert record.state.status == "ended"
    catalog = rules.catalog
    checked = 0
    for event in record.events:
        if isinstance(event, e.MovePlayed):
            spec, target = catalog.moves[event.move].effects.trust, event.target
        elif isinstance(event, e.OptionChosen):
            spec, target = catalog.events[event.event].options, None
            spec = next(o for o in spec if o.id == event.option).effects.trust
        else:
            continue
        named = set().union(*(expected_roles(w, event.role, target) for w in spec))
        assert set(event.effects.trust) <= named, (event, spec)
        checked += bool(spec)
    assert checked > 0


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "    kind: relative\n",
            "    kind: relativ\n",
            "210:11: unknown kind 'relativ' in roles[3].kind (did you mean 'relative'?)",
        ),
        (
            "kinds:\n",
            "kinds:\n  citizen:\n    name: {da: Borger, en: Citizen}\n",
            "31:3: 'citizen' is a built-in kind, so it cannot be declared again; "
            "give this kind another id",
        ),
        (
            "kinds:\n",
            "kinds:\n  all:\n    name: {da: Alle, en: Everyone}\n",
            "31:3: 'all' cannot be a kind id: effects use it to name roles",
        ),
        (
            "    name: {da: Pårørende, en: Relative}",
            "    name: {da: Pårørende}",
            "32:11: missing language 'en' in kinds.relative.name",
        ),
        (
            "trust: {relative: 1, care-worker: 1, councillor: -1}",
            "trust: {relatives: 1, care-worker: 1, councillor: -1}",
            "886:19: unknown role 'relatives' in events[0].options[1].effects.trust "
            "(did you mean 'relative'?)",
        ),
        (
            "  care-worker:\n    name",
            "  Care_Worker:\n    name",
            "33:3: kinds: the key 'Care_Worker' must be an id of lowercase letters, digits "
            "and dashes, like 'outdoor-school'",
        ),
    ],
    ids=["unknown kind", "built-in kind", "reserved id", "missing language", "trust typo", "slug"],
)
def test_a_kind_mistake_is_an_error_located_in_the_file(old: str, new: str, problem: str) -> None:
    assert old in BASE
    result = load_scenario_text(BASE.replace(old, new, 1), NAME)

    assert not result.ok
    assert f"{NAME}:{problem}" in [str(p) for p in result.errors]


def test_a_declared_kind_no_role_has_is_a_warning() -> None:
    text = BASE.replace(
        "kinds:\n", "kinds:\n  volunteer:\n    name: {da: Frivillig, en: Volunteer}\n"
    )
    result = load_scenario_text(text, NAME)

    assert result.ok
    assert [str(p) for p in result.warnings] == [
        f"{NAME}:31:3: warning: no role is of kind 'volunteer', which the scenario declares"
    ]


def test_the_preview_names_a_declared_kind_in_its_language() -> None:
    scenario = scenario_of(KINDS_FILE)
    for lang, relative in (("da", "Pårørende"), ("en", "Relative")):
        roles = {r.id: r for r in preview(scenario, lang).roles}
        assert (roles["daughter"].kind, roles["daughter"].kind_name) == ("relative", relative)
        # A built-in kind is the app's to name, in the console's own catalogue.
        assert (roles["senior"].kind, roles["senior"].kind_name) == ("citizen", None)
