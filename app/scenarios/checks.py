"""Semantic checks of a scenario that the models alone cannot express.

Each check reads a validated `Scenario` and returns the problems it finds, located in the
file through the YAML paths the models mirror (a model field is the YAML key of the same
name, a list item its index). Errors make the file unusable; warnings point at content
that can never take part in a game.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from app.i18n import Msg, msg
from app.scenarios.models import (
    BUILTIN_KINDS,
    AllCondition,
    AnyCondition,
    Condition,
    Effects,
    EventOptionCondition,
    FramingChosenCondition,
    InterestServedCondition,
    MovePlayedCondition,
    NotCondition,
    PackageIncludesCondition,
    Scenario,
    Text,
    TrustCondition,
)
from app.scenarios.problems import DataPath, Locator, Problem, format_path

Check = Callable[[Scenario, Locator], list[Problem]]

# Effect keys that name a role relative to the move or event instead of by id.
SELF, TARGET, ALL = "self", "target", "all"
_ID_LISTS = ("interests", "roles", "framings", "ideas", "moves", "events", "rounds")


def run_checks(scenario: Scenario, locator: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for check in CHECKS:
        problems += check(scenario, locator)
    return problems


# --- Helpers ---------------------------------------------------------------------------


# What a reference names, in the reader's language.
KIND_WORDS: dict[str, Msg] = {
    "role": msg("role"),
    "idea": msg("idea"),
    "move": msg("move"),
    "event": msg("event"),
    "event option": msg("event option"),
    "interest": msg("interest"),
    "framing": msg("framing"),
    "kind": msg("kind"),
}


def _unknown(kind: str, value: str, where: DataPath, known: Iterable[str]) -> Msg:
    options = sorted(set(known))
    close = difflib.get_close_matches(value, options, n=1)
    said = {"kind": KIND_WORDS[kind], "value": value, "where": format_path(where)}
    if close:
        return msg(
            "unknown {kind} '{value}' in {where} (did you mean '{close}'?)", **said, close=close[0]
        )
    if options and len(options) <= 10:
        return msg(
            "unknown {kind} '{value}' in {where} (known: {known})", **said, known=", ".join(options)
        )
    return msg("unknown {kind} '{value}' in {where}", **said)


def _references(
    locator: Locator,
    kind: str,
    named: Iterable[tuple[DataPath, str]],
    known: set[str],
    at_key: bool = False,
) -> list[Problem]:
    """An error for every (path, id) whose id is not in `known`. An id the loader set
    aside with its invalid item is known: that item's own error says what is wrong."""
    anchor: typing.Literal["key", "value"] = "key" if at_key else "value"
    return [
        locator.error(path, _unknown(kind, value, path[:-1] if at_key else path, known), anchor)
        for path, value in named
        if value not in known and value not in locator.withheld
    ]


def _list_items(path: DataPath, values: Iterable[str]) -> list[tuple[DataPath, str]]:
    return [((*path, index), value) for index, value in enumerate(values)]


def _keys(path: DataPath, mapping: Iterable[str]) -> list[tuple[DataPath, str]]:
    return [((*path, key), key) for key in mapping]


def _ids(items: Iterable[Any]) -> set[str]:
    return {item.id for item in items}


def _kinds(scenario: Scenario) -> set[str]:
    """Every kind a role may be and a trust effect may name: built-in or declared."""
    return (set(BUILTIN_KINDS) | set(scenario.kinds)) - {SELF, TARGET, ALL}


def _option_ids(scenario: Scenario) -> set[str]:
    return {option.id for event in scenario.events for option in event.options}


def _effects(scenario: Scenario) -> Iterator[tuple[DataPath, Effects, bool]]:
    """Every effects block, and whether it may name 'target' (a targeted move's)."""
    for index, move in enumerate(scenario.moves):
        yield ("moves", index, "effects"), move.effects, move.target
    for index, event in enumerate(scenario.events):
        for number, option in enumerate(event.options):
            yield ("events", index, "options", number, "effects"), option.effects, False


def _conditions(scenario: Scenario) -> Iterator[tuple[DataPath, Condition]]:
    for index, role in enumerate(scenario.roles):
        if role.goal is not None:
            yield from _nested_conditions(("roles", index, "goal", "when"), role.goal.when)
    for index, insight in enumerate(scenario.debrief.insights):
        yield from _nested_conditions(("debrief", "insights", index, "when"), insight.when)


def _nested_conditions(
    path: DataPath, condition: Condition
) -> Iterator[tuple[DataPath, Condition]]:
    yield path, condition
    if isinstance(condition, AllCondition | AnyCondition):
        key = "all" if isinstance(condition, AllCondition) else "any"
        parts = condition.all if isinstance(condition, AllCondition) else condition.any
        for index, part in enumerate(parts):
            yield from _nested_conditions((*path, key, index), part)
    elif isinstance(condition, NotCondition):
        yield from _nested_conditions((*path, "not"), condition.not_)


def _texts(model: BaseModel, path: DataPath) -> Iterator[tuple[DataPath, Text]]:
    """Every Text field in the model tree, found from the field types."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        here = (*path, info.alias or name)
        if info.annotation == Text:
            yield here, value
        elif info.annotation == list[Text]:
            yield from _list_items(here, value)
        else:
            yield from _nested_texts(value, here)


def _nested_texts(value: Any, path: DataPath) -> Iterator[tuple[DataPath, Text]]:
    if isinstance(value, BaseModel):
        yield from _texts(value, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nested_texts(item, (*path, index))
    elif isinstance(value, dict):
        # A mapping of models (the declared kinds): each is found under its key.
        for key, item in value.items():
            yield from _nested_texts(item, (*path, key))


# --- Structure ---------------------------------------------------------------------------


def check_unique_ids(scenario: Scenario, locator: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for name in _ID_LISTS:
        items = getattr(scenario, name)
        problems += _duplicates(
            locator, [((name, i, "id"), item.id) for i, item in enumerate(items)]
        )
    options = [
        (("events", i, "options", j, "id"), option.id)
        for i, event in enumerate(scenario.events)
        for j, option in enumerate(event.options)
    ]
    return problems + _duplicates(locator, options, option=True)


def _duplicates(
    locator: Locator, named: Iterable[tuple[DataPath, str]], option: bool = False
) -> list[Problem]:
    first: dict[str, DataPath] = {}
    problems: list[Problem] = []
    for path, value in named:
        if value in first:
            line, _ = locator.position(first[value])
            if option:
                text = msg(
                    "duplicate option id '{id}' (already used on line {line})", id=value, line=line
                )
            else:
                text = msg("duplicate id '{id}' (already used on line {line})", id=value, line=line)
            problems.append(locator.error(path, text))
        else:
            first[value] = path
    return problems


def check_languages(scenario: Scenario, locator: Locator) -> list[Problem]:
    named = _list_items(("languages",), scenario.languages)
    seen: set[str] = set()
    problems: list[Problem] = []
    for path, language in named:
        if language in seen:
            problems.append(
                locator.error(path, msg("language '{lang}' is listed twice", lang=language))
            )
        seen.add(language)
    return problems


def check_text_languages(scenario: Scenario, locator: Locator) -> list[Problem]:
    languages = list(dict.fromkeys(scenario.languages))
    problems: list[Problem] = []
    for path, text in _texts(scenario, ()):
        problems += _text_problems(locator, path, text, languages)
    return problems


def _text_problems(
    locator: Locator, path: DataPath, text: Text, languages: list[str]
) -> list[Problem]:
    where = format_path(path)
    if isinstance(text, str):
        example = ", ".join(f"{language}: ..." for language in languages)
        if len(languages) == 1:
            return []
        message = msg(
            "{where}: the scenario has the languages {languages}, "
            "so this text needs one entry per language, like {example}",
            where=where,
            languages=", ".join(languages),
            example="{" + example + "}",
        )
        return [locator.error(path, message)]
    problems = [
        locator.error(
            path, msg("missing language '{lang}' in {where}", lang=language, where=where), at="node"
        )
        for language in languages
        if language not in text
    ]
    problems += [
        locator.error(
            (*path, language),
            msg(
                "language '{lang}' in {where} is not one of the scenario's languages ({languages})",
                lang=language,
                where=where,
                languages=", ".join(languages),
            ),
            at="key",
        )
        for language in text
        if language not in languages
    ]
    return problems


def check_one_chair(scenario: Scenario, locator: Locator) -> list[Problem]:
    chairs = [index for index, role in enumerate(scenario.roles) if role.chair]
    if not chairs:
        return [
            locator.error(
                ("roles",), msg("no role has 'chair: true'; exactly one role must chair"), at="key"
            )
        ]
    chair = scenario.roles[chairs[0]].id
    return [
        locator.error(
            ("roles", index, "chair"),
            msg("only one role may chair, and role '{chair}' already does", chair=chair),
        )
        for index in chairs[1:]
    ]


def check_reserved_role_ids(scenario: Scenario, locator: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for index, role in enumerate(scenario.roles):
        path = ("roles", index, "id")
        if role.id in (SELF, TARGET, ALL):
            message = msg("'{id}' cannot be a role id: effects use it to name roles", id=role.id)
            problems.append(locator.error(path, message))
        elif any(other.kind == role.id for other in scenario.roles if other is not role):
            message = msg(
                "role id '{id}' is also the kind of other roles, "
                "so '{id}' in a trust effect is ambiguous",
                id=role.id,
            )
            problems.append(locator.warning(path, message))
    return problems


def check_kinds(scenario: Scenario, locator: Locator) -> list[Problem]:
    """Declared kinds add to the built-in ones without redefining them, and every role is of
    a kind the scenario knows."""
    problems: list[Problem] = []
    for kind in scenario.kinds:
        path = ("kinds", kind)
        if kind in BUILTIN_KINDS:
            message = msg(
                "'{kind}' is a built-in kind, so it cannot be declared again; "
                "give this kind another id",
                kind=kind,
            )
            problems.append(locator.error(path, message, at="key"))
        elif kind in (SELF, TARGET, ALL):
            message = msg("'{kind}' cannot be a kind id: effects use it to name roles", kind=kind)
            problems.append(locator.error(path, message, at="key"))
    roles = [(("roles", index, "kind"), role.kind) for index, role in enumerate(scenario.roles)]
    problems += _references(locator, "kind", roles, _kinds(scenario))
    used = {role.kind for role in scenario.roles}
    problems += [
        locator.warning(
            ("kinds", kind),
            msg("no role is of kind '{kind}', which the scenario declares", kind=kind),
            at="key",
        )
        for kind in _kinds(scenario) & set(scenario.kinds)
        if kind not in used
    ]
    return problems


def check_players_fit_seats(scenario: Scenario, locator: Locator) -> list[Problem]:
    players = scenario.players
    needed = sum(role.seats.min for role in scenario.roles)
    seats = sum(role.seats.max for role in scenario.roles)
    problems: list[Problem] = []
    if players.min < needed:
        message = msg(
            "players.min is {min}, but the roles need at least {needed} players "
            "(their seats.min add up to {needed})",
            min=players.min,
            needed=needed,
        )
        problems.append(locator.error(("players", "min"), message))
    if players.max > seats:
        message = msg(
            "players.max is {max}, but the roles have only {seats} seats "
            "(their seats.max add up to {seats})",
            max=players.max,
            seats=seats,
        )
        problems.append(locator.error(("players", "max"), message))
    return problems


def check_frame_rounds(scenario: Scenario, locator: Locator) -> list[Problem]:
    count = len(scenario.framings)
    return [
        locator.error(
            ("rounds", index, "phase"),
            msg(
                "a frame round needs at least 2 framings to rank, and the scenario has {count}",
                count=count,
            ),
        )
        for index, round_ in enumerate(scenario.rounds)
        if round_.phase == "frame" and count < 2
    ]


def check_politician_cards(scenario: Scenario, locator: Locator) -> list[Problem]:
    """The politician card is a rule of decide that every chair holds: a scenario only
    tunes it, with one move marked `politician_card: true`."""
    problems = [
        locator.error(
            ("moves", index, "phases"),
            msg(
                "moves[{index}]: a politician card is played in a decide phase, "
                "so its phases must include 'decide'",
                index=index,
            ),
        )
        for index, move in enumerate(scenario.moves)
        if move.politician_card and "decide" not in move.phases
    ]
    flagged = [i for i, m in enumerate(scenario.moves) if m.politician_card]
    problems += [
        locator.warning(
            ("moves", index, "politician_card"),
            msg(
                "moves[{index}] '{id}': only one move can be the politician card; "
                "moves[{first}] '{first_id}' is, this one is not played",
                index=index,
                id=scenario.moves[index].id,
                first=flagged[0],
                first_id=scenario.moves[flagged[0]].id,
            ),
        )
        for index in flagged[1:]
    ]
    problems += [
        locator.warning(
            ("moves", index, "style"),
            msg(
                "moves[{index}] '{id}' is a sovereign move played in decide, like the "
                "politician card, but it adopts nothing: every chair already holds the card. "
                "To give the card this move's title and text, add 'politician_card: true'",
                index=index,
                id=move.id,
            ),
        )
        for index, move in enumerate(scenario.moves)
        if move.style == "sovereign" and "decide" in move.phases and not move.politician_card
    ]
    for r_index, role in enumerate(scenario.roles):
        for m_index, move_id in enumerate(role.moves):
            move = next((m for m in scenario.moves if m.id == move_id), None)
            if move is not None and move.politician_card and not role.chair:
                problems.append(
                    locator.warning(
                        ("roles", r_index, "moves", m_index),
                        msg(
                            "roles[{index}] '{id}' lists the politician card, which only "
                            "the chair plays; take it out of this role's moves",
                            index=r_index,
                            id=role.id,
                        ),
                    )
                )
    return problems


# --- References ------------------------------------------------------------------------


def check_interest_references(scenario: Scenario, locator: Locator) -> list[Problem]:
    named: list[tuple[DataPath, str]] = []
    for index, role in enumerate(scenario.roles):
        named += _keys(("roles", index, "agenda"), role.agenda)
    for index, idea in enumerate(scenario.ideas):
        named += _keys(("ideas", index, "serves"), idea.serves)
    problems = _references(locator, "interest", named, _ids(scenario.interests), at_key=True)
    listed: list[tuple[DataPath, str]] = []
    for index, framing in enumerate(scenario.framings):
        listed += _list_items(("framings", index, "interests"), framing.interests)
    return problems + _references(locator, "interest", listed, _ids(scenario.interests))


def check_role_references(scenario: Scenario, locator: Locator) -> list[Problem]:
    hands: list[tuple[DataPath, str]] = []
    moves: list[tuple[DataPath, str]] = []
    for index, role in enumerate(scenario.roles):
        hands += _list_items(("roles", index, "hand"), role.hand)
        moves += _list_items(("roles", index, "moves"), role.moves)
    return _references(locator, "idea", hands, _ids(scenario.ideas)) + _references(
        locator, "move", moves, _ids(scenario.moves)
    )


def check_content_references(scenario: Scenario, locator: Locator) -> list[Problem]:
    roles = _ids(scenario.roles)
    origins = [(("ideas", i, "origin"), idea.origin) for i, idea in enumerate(scenario.ideas)]
    targets = [
        (("events", i, "target"), event.target)
        for i, event in enumerate(scenario.events)
        if event.target is not None
    ]
    events = [
        (("rounds", i, "event"), round_.event)
        for i, round_ in enumerate(scenario.rounds)
        if round_.event is not None
    ]
    return (
        _references(locator, "role", origins, roles)
        + _references(locator, "role", targets, roles)
        + _references(locator, "event", events, _ids(scenario.events))
    )


def check_effects(scenario: Scenario, locator: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for path, effects, may_target in _effects(scenario):
        problems += _trust_effect(scenario, locator, (*path, "trust"), effects.trust, may_target)
        problems += _deal_effect(scenario, locator, (*path, "deal"), effects.deal, may_target)
    return problems


def _trust_effect(
    scenario: Scenario, locator: Locator, path: DataPath, trust: dict[str, int], may_target: bool
) -> list[Problem]:
    roles = _ids(scenario.roles) | locator.withheld
    kinds = _kinds(scenario)
    used = {role.kind for role in scenario.roles}
    problems: list[Problem] = []
    for who in trust:
        here = (*path, who)
        if who == TARGET and not may_target:
            problems.append(locator.error(here, _target_message(path), at="key"))
        elif who in kinds and who not in used and who not in roles:
            message = msg(
                "no role is of kind '{kind}', so this trust change has no effect", kind=who
            )
            problems.append(locator.warning(here, message, at="key"))
        elif who not in roles | kinds | {ALL, SELF, TARGET}:
            message = _unknown(
                "role", who, path, roles | used | set(scenario.kinds) | {ALL, SELF, TARGET}
            )
            problems.append(locator.error(here, message, at="key"))
    return problems


def _deal_effect(
    scenario: Scenario, locator: Locator, path: DataPath, deal: dict[str, int], may_target: bool
) -> list[Problem]:
    roles = _ids(scenario.roles) | locator.withheld
    problems: list[Problem] = []
    for who in deal:
        here = (*path, who)
        if who == TARGET and not may_target:
            problems.append(locator.error(here, _target_message(path), at="key"))
        elif who not in roles | {SELF, TARGET}:
            message = _unknown("role", who, path, roles | {SELF, TARGET})
            problems.append(locator.error(here, message, at="key"))
    return problems


def _target_message(path: DataPath) -> Msg:
    return msg(
        "'target' in {where} only works in a move with 'target: true' (the role the player names)",
        where=format_path(path),
    )


def check_conditions(scenario: Scenario, locator: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for path, condition in _conditions(scenario):
        problems += _condition_references(scenario, locator, path, condition)
    return problems


def _condition_references(
    scenario: Scenario, locator: Locator, path: DataPath, condition: Condition
) -> list[Problem]:
    named: list[tuple[str, DataPath, str, set[str]]] = []
    roles = _ids(scenario.roles)
    if isinstance(condition, TrustCondition):
        named.append(("role", (*path, "trust"), condition.trust, roles))
    elif isinstance(condition, MovePlayedCondition):
        moves = _ids(scenario.moves) | {scenario.card.id}  # the built-in card, if no other
        named.append(("move", (*path, "move_played"), condition.move_played, moves))
        if condition.by is not None:
            named.append(("role", (*path, "by"), condition.by, roles))
    elif isinstance(condition, EventOptionCondition):
        named.append(
            ("event option", (*path, "event_option"), condition.event_option, _option_ids(scenario))
        )
    elif isinstance(condition, PackageIncludesCondition):
        named.append(
            ("idea", (*path, "package_includes"), condition.package_includes, _ids(scenario.ideas))
        )
    elif isinstance(condition, InterestServedCondition):
        interests = _ids(scenario.interests)
        named.append(("interest", (*path, "interest_served"), condition.interest_served, interests))
    elif isinstance(condition, FramingChosenCondition):
        framings = _ids(scenario.framings)
        named.append(("framing", (*path, "framing_chosen"), condition.framing_chosen, framings))
    return [
        locator.error(where, _unknown(kind, value, where, known))
        for kind, where, value, known in named
        if value not in known and value not in locator.withheld
    ]


# --- Unused content (warnings) ------------------------------------------------------------


def warn_unreachable_ideas(scenario: Scenario, locator: Locator) -> list[Problem]:
    # With any deal effect, ideas outside every hand form the reserve cards are dealt from.
    if any(effects.deal for _, effects, _ in _effects(scenario)):
        return []
    in_hands = {idea for role in scenario.roles for idea in role.hand}
    return [
        locator.warning(
            ("ideas", index, "id"),
            msg(
                "idea '{id}' is in no role's hand and no effect deals cards, "
                "so it never reaches the table",
                id=idea.id,
            ),
        )
        for index, idea in enumerate(scenario.ideas)
        if idea.id not in in_hands
    ]


def warn_unplayable_moves(scenario: Scenario, locator: Locator) -> list[Problem]:
    playable = {move for role in scenario.roles for move in role.moves}
    playable.add(scenario.card.id)  # the chair holds it whether or not its moves list it
    return [
        locator.warning(
            ("moves", index, "id"),
            msg("no role has move '{id}', so nobody can play it", id=move.id),
        )
        for index, move in enumerate(scenario.moves)
        if move.id not in playable
    ]


def warn_unused_events(scenario: Scenario, locator: Locator) -> list[Problem]:
    used = {round_.event for round_ in scenario.rounds}
    return [
        locator.warning(("events", index, "id"), msg("no round uses event '{id}'", id=event.id))
        for index, event in enumerate(scenario.events)
        if event.id not in used
    ]


def warn_unused_interests(scenario: Scenario, locator: Locator) -> list[Problem]:
    used = {key for role in scenario.roles for key in role.agenda}
    used |= {key for idea in scenario.ideas for key in idea.serves}
    used |= {key for framing in scenario.framings for key in framing.interests}
    return [
        locator.warning(
            ("interests", index, "id"),
            msg("interest '{id}' is in no agenda, idea or framing", id=interest.id),
        )
        for index, interest in enumerate(scenario.interests)
        if interest.id not in used
    ]


def warn_unused_framings(scenario: Scenario, locator: Locator) -> list[Problem]:
    if not scenario.framings or any(r.phase == "frame" for r in scenario.rounds):
        return []
    message = msg("there is no frame round, so the framings are never used")
    return [locator.warning(("framings",), message, at="key")]


def warn_no_decide_round(scenario: Scenario, locator: Locator) -> list[Problem]:
    if any(r.phase == "decide" for r in scenario.rounds):
        return []
    message = msg(
        "no round decides: without a decide round no package is adopted (the game ends "
        "on the ideas the rankings put first) and the chair's politician card is never played"
    )
    return [locator.warning(("rounds",), message, at="key")]


def warn_roles_without_moves(scenario: Scenario, locator: Locator) -> list[Problem]:
    return [
        locator.warning(("roles", index, "id"), msg("role '{id}' has no moves", id=role.id))
        for index, role in enumerate(scenario.roles)
        if not role.moves
    ]


CHECKS: tuple[Check, ...] = (
    check_unique_ids,
    check_languages,
    check_text_languages,
    check_one_chair,
    check_reserved_role_ids,
    check_kinds,
    check_players_fit_seats,
    check_frame_rounds,
    check_politician_cards,
    check_interest_references,
    check_role_references,
    check_content_references,
    check_effects,
    check_conditions,
    warn_unreachable_ideas,
    warn_unplayable_moves,
    warn_unused_events,
    warn_unused_interests,
    warn_unused_framings,
    warn_no_decide_round,
    warn_roles_without_moves,
)
