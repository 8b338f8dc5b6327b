"""The loader reports every broken scenario at its line and column, in words trainers read.

Each broken file is the valid fixture `tests/fixtures/minimal.yaml` with one or a few
lines replaced. An edit names the line it expects to find, so a change to the fixture
fails loudly here instead of silently moving the expected positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from app.scenarios import (
    LoadResult,
    Problem,
    Scenario,
    ScenarioError,
    load_scenario,
    load_scenario_or_raise,
    load_scenario_text,
)
from app.scenarios.loader import MAX_BYTES

FIXTURE = Path(__file__).parents[1] / "fixtures" / "minimal.yaml"
BASE = FIXTURE.read_text(encoding="utf-8")
NAME = "case.yaml"

Edit = tuple[int, str, str]


def edited(*edits: Edit) -> str:
    """The fixture with line `number` (1-based) replaced; `new` may span several lines."""
    lines = BASE.splitlines()
    for number, old, new in edits:
        assert lines[number - 1] == old, f"fixture line {number} is {lines[number - 1]!r}"
        lines[number - 1] = new
    return "\n".join(lines) + "\n"


def load(text: str) -> LoadResult:
    return load_scenario_text(text, NAME)


@dataclass(frozen=True)
class Broken:
    name: str
    edits: tuple[Edit, ...]
    errors: tuple[str, ...]  # every error, as `LINE:COLUMN: message`


BROKEN = [
    Broken(
        "missing key points at the mapping that lacks it",
        ((126, "    timer_seconds: 180", "    # timer removed"),),
        ("122:5: missing key 'timer_seconds' in rounds[4]",),
    ),
    Broken(
        "missing top-level key points at the first key of the file",
        ((9, "duration_minutes: 30", "# duration removed"),),
        ("3:1: missing key 'duration_minutes' in the scenario",),
    ),
    Broken(
        "wrong type points at the value",
        ((126, "    timer_seconds: 180", "    timer_seconds: soon"),),
        ("126:20: rounds[4].timer_seconds: must be a whole number (got 'soon')",),
    ),
    Broken(
        "number below its minimum",
        ((126, "    timer_seconds: 180", "    timer_seconds: 5"),),
        ("126:20: rounds[4].timer_seconds: must be at least 10 (got 5)",),
    ),
    Broken(
        "agenda weight out of range",
        ((21, "    agenda: {budget: 2, wellbeing: 1}", "    agenda: {budget: 5, wellbeing: 1}"),),
        ("21:22: roles[0].agenda.budget: must be at most 3 (got 5)",),
    ),
    Broken(
        "unknown key typo suggests the right key, and is the only error",
        (
            (
                52,
                "    title: {da: Udeskole, en: Outdoor school}",
                "    titel: {da: Udeskole, en: Outdoor school}",
            ),
        ),
        (
            "52:5: unknown key 'titel' in ideas[0] (did you mean 'title'? "
            "allowed: id, title, text, origin, novelty, cost, serves)",
        ),
    ),
    Broken(
        "unknown value of a closed list",
        ((76, "    style: facilitator", "    style: boss"),),
        (
            "76:12: moves[0].style: must be one of 'initiator', 'facilitator', 'catalyst', "
            "'sovereign' or 'none' (got 'boss')",
        ),
    ),
    Broken(
        "wrong format",
        ((3, "format: policymaker/scenario@1", "format: policymaker/scenario@2"),),
        ("3:9: format: must be 'policymaker/scenario@1' (got 'policymaker/scenario@2')",),
    ),
    Broken(
        "id that is not a slug",
        ((4, "id: minimal", "id: Minimal Case"),),
        (
            "4:5: id: must be an id of lowercase letters, digits and dashes, "
            "like 'outdoor-school' (got 'Minimal Case')",
        ),
    ),
    Broken(
        "unknown idea id in a hand",
        ((23, "    hand: [outdoor-school]", "    hand: [outdor-school]"),),
        (
            "23:12: unknown idea 'outdor-school' in roles[0].hand[0] "
            "(did you mean 'outdoor-school'?)",
        ),
    ),
    Broken(
        "unknown interest in an agenda points at the key",
        ((21, "    agenda: {budget: 2, wellbeing: 1}", "    agenda: {budget: 2, welfare: 1}"),),
        ("21:25: unknown interest 'welfare' in roles[0].agenda (known: budget, wellbeing)",),
    ),
    Broken(
        "unknown role as an idea's origin",
        ((54, "    origin: chair", "    origin: mayor"),),
        ("54:13: unknown role 'mayor' in ideas[0].origin (known: chair, parent)",),
    ),
    Broken(
        "duplicate id",
        ((65, "  - id: shared-bus", "  - id: homework-cafe"),),
        ("65:9: duplicate id 'homework-cafe' (already used on line 58)",),
    ),
    Broken(
        "duplicate event option id, which conditions could not tell apart",
        ((96, "      - id: ask-committee", "      - id: answer-now"),),
        (
            "96:13: duplicate option id 'answer-now' (already used on line 92)",
            "136:28: unknown event option 'ask-committee' in "
            "debrief.insights[1].when.event_option (known: answer-now)",
        ),
    ),
    Broken(
        "missing language in a text",
        (
            (
                52,
                "    title: {da: Udeskole, en: Outdoor school}",
                "    title: {da: Udeskole}",
            ),
        ),
        ("52:12: missing language 'en' in ideas[0].title",),
    ),
    Broken(
        "language the scenario does not declare",
        (
            (
                5,
                "title: {da: Lille sag, en: Small case}",
                "title: {da: Lille sag, en: Small case, de: Kleiner Fall}",
            ),
        ),
        ("5:40: language 'de' in title is not one of the scenario's languages (da, en)",),
    ),
    Broken(
        "plain text in a two-language scenario",
        ((5, "title: {da: Lille sag, en: Small case}", "title: Small case"),),
        (
            "5:8: title: the scenario has the languages da, en, so this text needs one "
            "entry per language, like {da: ..., en: ...}",
        ),
    ),
    Broken(
        "text that is neither a string nor a language map",
        ((6, "summary: {da: En kort sag., en: A short case.}", "summary: 5"),),
        ("6:10: summary: must be text, or a map from language code to text (got 5)",),
    ),
    Broken(
        "language code key in capitals",
        (
            (
                5,
                "title: {da: Lille sag, en: Small case}",
                "title: {DA: Lille sag, en: Small case}",
            ),
        ),
        (
            "5:9: title: the key 'DA' must be a language code of two or three lowercase "
            "letters, like 'da' or 'en'",
        ),
    ),
    Broken(
        "unquoted comma inside a flow-mapping text",
        (
            (
                13,
                "    name: {da: Budget, en: Budget}",
                "    name: {da: Budget, penge og tid, en: Budget}",
            ),
        ),
        (
            "13:24: interests[0].name: the comma before 'penge og tid' ends the text; "
            'put text that contains commas in "quotes"',
        ),
    ),
    Broken(
        "unquoted colon inside a flow-mapping text",
        (
            (
                5,
                "title: {da: Lille sag, en: Small case}",
                "title: {da: Sparekrav: 6 mio., en: Savings}",
            ),
        ),
        (
            "5:22: the colon after 'Sparekrav' starts a new key inside {...}, so the text "
            'ends there; put text that contains a colon in "quotes"',
        ),
    ),
    Broken(
        "unquoted colon in the second text of a flow mapping",
        (
            (
                13,
                "    name: {da: Budget, en: Budget}",
                "    name: {da: Budget, en: Budget: money and time}",
            ),
        ),
        (
            "13:34: the colon after 'Budget' starts a new key inside {...}, so the text "
            'ends there; put text that contains a colon in "quotes"',
        ),
    ),
    Broken(
        "unknown effect key",
        (
            (
                79,
                "    effects: {trust: {target: 1}, deal: {self: 1}}",
                "    effects: {trust: {target: 1}, deal: {self: 1}, mood: 2}",
            ),
        ),
        ("79:52: unknown key 'mood' in moves[0].effects (allowed: trust, score, deal, novelty)",),
    ),
    Broken(
        "trust effect naming an unknown role",
        (
            (
                95,
                "        effects: {trust: {parent: -1}}",
                "        effects: {trust: {parents: -1}}",
            ),
        ),
        (
            "95:27: unknown role 'parents' in events[0].options[0].effects.trust "
            "(did you mean 'parent'?)",
        ),
    ),
    Broken(
        "trust effect on 'target' outside a targeted move",
        (
            (
                95,
                "        effects: {trust: {parent: -1}}",
                "        effects: {trust: {target: -1}}",
            ),
        ),
        (
            "95:27: 'target' in events[0].options[0].effects.trust only works in a move "
            "with 'target: true' (the role the player names)",
        ),
    ),
    Broken(
        "deal effect naming 'all', which only trust allows",
        (
            (
                79,
                "    effects: {trust: {target: 1}, deal: {self: 1}}",
                "    effects: {trust: {target: 1}, deal: {all: 1}}",
            ),
        ),
        (
            "79:42: unknown role 'all' in moves[0].effects.deal "
            "(known: chair, parent, self, target)",
        ),
    ),
    Broken(
        "condition with an unknown leading key",
        (
            (
                28,
                "      when: {package_includes: outdoor-school}",
                "      when: {package: outdoor-school}",
            ),
        ),
        (
            "28:13: roles[0].goal.when: a condition must start with one of: score, trust, "
            "move_played, event_option, package_includes, interest_served, framing_chosen, "
            "all, any, not",
        ),
    ),
    Broken(
        "condition naming an unknown role, deep inside all/not",
        (
            (
                42,
                "          - not: {move_played: politician-card, by: chair}",
                "          - not: {move_played: politician-card, by: chiar}",
            ),
        ),
        (
            "42:53: unknown role 'chiar' in roles[1].goal.when.all[1].not.by "
            "(did you mean 'chair'?)",
        ),
    ),
    Broken(
        "condition bound of the wrong type, past the union tag",
        (
            (
                134,
                "    - when: {score: ownership, below: 40}",
                "    - when: {score: ownership, below: low}",
            ),
        ),
        ("134:39: debrief.insights[0].when.below: must be a number (got 'low')",),
    ),
    Broken(
        "condition with an unknown score name, where the tag equals the key",
        (
            (
                134,
                "    - when: {score: ownership, below: 40}",
                "    - when: {score: owner, below: 40}",
            ),
        ),
        (
            "134:21: debrief.insights[0].when.score: must be one of 'consensus', "
            "'ownership' or 'innovation' (got 'owner')",
        ),
    ),
    Broken(
        "YAML syntax error",
        ((12, "  - id: budget", "  - id: budget: money"),),
        (
            "12:15: YAML syntax error: a ':' followed by a space is not allowed here; "
            "put text that contains ': ' in quotes",
        ),
    ),
    Broken(
        "tab indentation",
        ((13, "    name: {da: Budget, en: Budget}", "\tname: {da: Budget, en: Budget}"),),
        ("13:1: YAML syntax error: use spaces, not tabs, to indent",),
    ),
    Broken(
        "duplicate YAML key",
        ((57, "    serves: {wellbeing: 2, budget: 1}", "    cost: 2"),),
        ("57:5: duplicate key 'cost'",),
    ),
    Broken(
        "YAML tag",
        ((9, "duration_minutes: 30", "duration_minutes: !!python/object:os.system 30"),),
        ("9:19: YAML tags like '!!python/object:os.system' are not allowed",),
    ),
    Broken(
        "YAML anchors and aliases",
        (
            (13, "    name: {da: Budget, en: Budget}", "    name: &name {da: Budget, en: Budget}"),
            (15, "    name: {da: Trivsel, en: Wellbeing}", "    name: *name"),
        ),
        (
            "13:11: anchors and aliases (&name, *name) are not allowed; write the content out",
            "15:11: anchors and aliases (&name, *name) are not allowed; write the content out",
        ),
    ),
    Broken(
        "date where text belongs",
        ((4, "id: minimal", "id: 2024-01-01"),),
        ("4:5: id: a date is not allowed here; put it in quotes",),
    ),
    Broken(
        "dilemma round without an event",
        ((116, "    event: press", "    # event removed"),),
        ("111:5: rounds[2]: a dilemma round needs an 'event'",),
    ),
    Broken(
        "decide round without a budget",
        ((127, "    budget: 3", "    # budget removed"),),
        ("122:5: rounds[4]: a decide round needs a 'budget'",),
    ),
    Broken(
        "round naming an unknown event",
        ((116, "    event: press", "    event: pres"),),
        ("116:12: unknown event 'pres' in rounds[2].event (did you mean 'press'?)",),
    ),
    Broken(
        "two chairs",
        ((36, "    moves: [deep-listening]", "    moves: [deep-listening]\n    chair: true"),),
        ("37:12: only one role may chair, and role 'chair' already does",),
    ),
    Broken(
        "no chair",
        ((25, "    chair: true", "    chair: false"),),
        ("16:1: no role has 'chair: true'; exactly one role must chair",),
    ),
    Broken(
        "more players than seats",
        ((8, "players: {min: 2, max: 4}", "players: {min: 2, max: 6}"),),
        ("8:24: players.max is 6, but the roles have only 4 seats (their seats.max add up to 4)",),
    ),
    Broken(
        "fewer players than the roles need",
        ((8, "players: {min: 2, max: 4}", "players: {min: 1, max: 4}"),),
        (
            "8:16: players.min is 1, but the roles need at least 2 players "
            "(their seats.min add up to 2)",
        ),
    ),
    Broken(
        "range with min above max",
        ((8, "players: {min: 2, max: 4}", "players: {min: 5, max: 4}"),),
        ("8:10: players: min (5) is larger than max (4)",),
    ),
    Broken(
        "frame round with a single framing",
        (
            (47, "  - id: children", "  # second framing removed"),
            (48, "    text: {da: Et trivselsproblem., en: A wellbeing problem.}", "  #"),
            (49, "    interests: [wellbeing]", "  #"),
        ),
        ("102:12: a frame round needs at least 2 framings to rank, and the scenario has 1",),
    ),
    Broken(
        "politician card outside the decide phase",
        ((84, "    phases: [decide]", "    phases: [rank]"),),
        (
            "84:13: moves[1]: a politician card is played in a decide phase, "
            "so its phases must include 'decide'",
        ),
    ),
    Broken(
        "empty list where one item is required",
        (
            (
                132,
                "    - {da: Hvordan har du det nu?, en: How do you feel now?}",
                "    []",
            ),
        ),
        ("132:5: debrief.questions: must have at least 1 item (has 0)",),
    ),
    Broken(
        "language listed twice",
        ((7, "languages: [da, en]", "languages: [da, en, da]"),),
        ("7:21: language 'da' is listed twice",),
    ),
]


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_broken_scenario_is_reported_at_its_place(case: Broken) -> None:
    result = load(edited(*case.edits))

    assert result.scenario is None
    assert [str(error) for error in result.errors] == [f"{NAME}:{e}" for e in case.errors]


def test_minimal_fixture_loads_without_problems() -> None:
    result = load_scenario(FIXTURE)

    assert result.errors == []
    assert result.warnings == []
    assert isinstance(result.scenario, Scenario)
    assert [r.phase for r in result.scenario.rounds] == [
        "frame",
        "ideate",
        "dilemma",
        "rank",
        "decide",
    ]


def test_load_or_raise_returns_the_scenario_of_a_valid_file() -> None:
    assert load_scenario_or_raise(FIXTURE).id == "minimal"


def test_load_or_raise_carries_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(edited((4, "id: minimal", "id: Minimal Case")), encoding="utf-8")

    with pytest.raises(ScenarioError) as raised:
        load_scenario_or_raise(path)

    assert [(p.line, p.column) for p in raised.value.problems] == [(4, 5)]
    assert str(raised.value).startswith(f"{path}:4:5: id: must be an id")


def test_problem_prints_as_file_line_column_message() -> None:
    error = Problem("a.yaml", 3, 7, "bad", "error")
    warning = Problem("a.yaml", 3, 7, "odd", "warning")

    assert str(error) == "a.yaml:3:7: bad"
    assert str(warning) == "a.yaml:3:7: warning: odd"


def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# padding\n" * (MAX_BYTES // 10 + 1))

    result = load_scenario(path)

    assert [str(e) for e in result.errors] == [
        f"{path}:1:1: the file is larger than 1 MiB; is it a scenario?"
    ]


def test_text_over_the_size_limit_is_refused() -> None:
    result = load("x" * (MAX_BYTES + 1))

    assert result.errors[0].message.startswith("the file is larger than 1 MiB")


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    result = load_scenario(tmp_path / "nowhere.yaml")

    assert result.scenario is None
    assert result.errors[0].message.startswith("cannot read the file")


def test_non_utf8_byte_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"format: x\nid: gr\xf8d\n")

    result = load_scenario(path)

    assert [str(e) for e in result.errors] == [
        f"{path}:2:7: the file is not UTF-8 text; save it as UTF-8"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the scenario file is empty"),
        ("# only a comment\n", "the scenario file is empty"),
        ("- a\n- b\n", "the scenario file is a list, not a mapping of keys"),
        ("just text\n", "the scenario file is text, not a mapping of keys"),
    ],
)
def test_file_that_is_not_a_mapping_is_refused(text: str, message: str) -> None:
    assert [e.message for e in load(text).errors] == [message]


def test_second_yaml_document_is_refused() -> None:
    result = load(BASE + "---\nid: other\n")

    assert len(result.errors) == 1
    assert result.errors[0].line == BASE.count("\n") + 1
    assert "another document" in result.errors[0].message


def test_deep_nesting_is_refused_without_recursing() -> None:
    result = load("a: " + "[" * 200 + "]" * 200 + "\n")

    assert [e.message for e in result.errors] == ["the file is nested too deeply"]


def test_byte_order_mark_is_accepted() -> None:
    result = load("\ufeff" + BASE)

    assert result.errors == []


@pytest.mark.parametrize("number", range(1, BASE.count("\n") + 1))
def test_deleting_any_line_gives_located_problems_not_a_crash(number: int) -> None:
    lines = BASE.splitlines()
    del lines[number - 1]
    text = "\n".join(lines) + "\n"

    result = load(text)

    assert result.scenario is not None or result.errors
    for problem in result.problems:
        assert 1 <= problem.line <= len(lines) + 1
        assert problem.column >= 1


def test_a_message_quoting_a_lone_surrogate_can_still_be_written_as_utf8() -> None:
    # YAML's "\udc80" escape puts a lone surrogate into an id; the message that quotes the
    # id back went out as a 500 from the check endpoint (it cannot be encoded).
    text = edited((23, "    hand: [outdoor-school]", '    hand: ["\\udc80idea"]'))
    problems = load_scenario_text(text, NAME).problems
    assert any("unknown idea '?idea'" in p.message for p in problems)
    assert all(str(p).encode("utf-8") for p in problems)


def test_a_lone_surrogate_in_the_text_itself_is_located_not_raised() -> None:
    # An upload's JSON may carry "\ud800" in the text: no file or database can hold it.
    result = load_scenario_text("format: x\nid: g\ud800d\n", NAME)
    assert [str(e) for e in result.errors] == [
        f"{NAME}:2:6: the text holds a character that is not valid Unicode"
    ]


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_lines_ended_by_carriage_returns_are_the_lines_the_parser_counts(newline: str) -> None:
    # YAML ends a line at \r too; the recovery counted \n alone and indexed past its lines.
    text = "format: x\nid: [a,\n  b: c\n".replace("\n", newline)
    problems = load_scenario_text(text, NAME).problems
    syntax = [p for p in problems if p.path is None]
    assert syntax and all(1 <= p.line <= 4 for p in syntax)  # 4: the end of the text
    assert load_scenario_text(BASE.replace("\n", newline), NAME).errors == []
    # What the fuzzer sent (a 500 from POST /api/workshops): a line of \r and a comma.
    assert load_scenario_text("\r,", NAME).errors
