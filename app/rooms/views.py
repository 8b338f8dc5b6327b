"""What each seat may see: the public table view, a seat's private view, projected events.

Private agendas, goals and hands reach only their own seat until the game has ended,
when the debrief reveals everything. A client gets both views whole in its welcome; each
update then carries only the top-level keys that changed (`changes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from app.engine import events as ev
from app.engine.debrief import idea_text, idea_title
from app.engine.explain import explain
from app.engine.outcome import leading_package, support, trend
from app.engine.rules import Rules
from app.engine.state import GameState, state_digest
from app.scenarios.models import localize


@dataclass(frozen=True, slots=True)
class SeatInfo:
    """A seat as the room knows it (display name and connection are not engine state)."""

    id: str
    role: str
    name: str
    is_bot: bool
    connected: bool


@dataclass(frozen=True, slots=True)
class TimerView:
    status: str  # lobby | running | paused | ended
    deadline: float | None  # epoch seconds, when running
    remaining: float | None  # seconds, when paused


T = TypeVar("T")


class PartsMemo:
    """The parts of one language's public view kept from its last build, each with the
    inputs it was built from.

    Most intents change one or two parts of a view that lists every idea, the last moves
    and the scores; rebuilding all of them was the largest single cost of an update. The
    inputs are the state's own entries (ideas, moves, round scores), which the rules
    replace and never edit: compared by `==`, an unchanged entry is the same object and
    costs a pointer check. A part that is reused is the same object as before, so
    `changes` leaves it out of the patch without comparing it.
    """

    def __init__(self) -> None:
        self._parts: dict[str, tuple[object, Any]] = {}

    def part(self, name: str, inputs: object, build: Callable[[], T]) -> T:
        kept = self._parts.get(name)
        if kept is not None and kept[0] == inputs:
            value: T = kept[1]
            return value
        value = build()
        self._parts[name] = (inputs, value)
        return value


def _t(text: Any, lang: str) -> str:
    return localize(text, lang)


@lru_cache(maxsize=256)
def scenario_view(rules: Rules, lang: str) -> dict[str, Any]:
    """The static part of a scenario every player may read: sent once, on welcome.

    Built once per scenario and language: when a workshop's tables start together, every
    player's welcome carries it within the same few seconds.
    """
    sc = rules.scenario
    return {
        "id": sc.id,
        "title": _t(sc.title, lang),
        "summary": _t(sc.summary, lang),
        "case": _t(sc.case, lang),
        "languages": list(sc.languages),
        "interests": [{"id": i.id, "name": _t(i.name, lang)} for i in sc.interests],
        "roles": [
            {
                "id": r.id,
                "kind": r.kind,
                "name": _t(r.name, lang),
                "brief": _t(r.brief, lang),
                "chair": r.chair,
                "seats": {"min": r.seats.min, "max": r.seats.max},
            }
            for r in sc.roles
        ],
        "rounds": [{"id": r.id, "phase": r.phase, "title": _t(r.title, lang)} for r in sc.rounds],
    }


def idea_view(rules: Rules, state: GameState, idea: ev.TableIdea, lang: str) -> dict[str, Any]:
    return {
        "id": idea.id,
        "card": idea.card,
        "title": idea_title(idea, state, rules.catalog, lang),
        "text": idea_text(idea, state, rules.catalog, lang),
        "novelty": idea.novelty,
        "cost": idea.cost,
        "serves": idea.serves,
        "contributors": list(idea.contributors),
        "played_by": list(idea.played_by),
        "base": idea.base,
        "round": idea.round,
    }


def _scores(rules: Rules, state: GameState, numbers: bool, lang: str) -> dict[str, Any]:
    if not state.history:
        return {"visible": "numbers" if numbers else "arrows", "current": {}, "history": []}
    last = state.history[-1]
    current: dict[str, Any] = {}
    for reason in last.reasons:
        value = last.scores.get(reason.score)
        entry: dict[str, Any] = {"reason": explain(reason, rules.catalog, lang)}
        if numbers or state.status == "ended":
            entry["value"] = None if value is None else round(value, 1)
        entry["trend"] = trend(reason)
        current[reason.score] = entry
    history = (
        [
            {
                "round": h.index,
                "scores": {k: v if v is None else round(v, 1) for k, v in h.scores.items()},
            }
            for h in state.history
        ]
        if numbers or state.status == "ended"
        else []
    )
    return {"visible": "numbers" if numbers else "arrows", "current": current, "history": history}


def seats_view(seats: list[SeatInfo]) -> list[dict[str, Any]]:
    """Who sits at the table and who is connected: the one part of the public view that
    changes without an event (a player's socket comes or goes)."""
    return [
        {"id": s.id, "role": s.role, "name": s.name, "bot": s.is_bot, "connected": s.connected}
        for s in seats
    ]


def seats_part(memo: PartsMemo, seats: list[SeatInfo]) -> list[dict[str, Any]]:
    """The public view's seats, kept in the memo while they are unchanged."""
    return memo.part("seats", tuple(seats), lambda: seats_view(seats))


def _ranked(state: GameState, phase: str, rankings: dict[str, tuple[str, ...]]) -> list[str]:
    """The seats that have ranked: in a round of `phase`, those that ranked in this round
    (a second frame or rank round asks everyone again); at other times, every seat whose
    ranking counts."""
    return sorted(state.ranked_this_round if state.phase == phase else rankings)


def public_view(
    rules: Rules,
    state: GameState | None,
    seats: list[SeatInfo],
    timer: TimerView,
    numbers: bool,
    lang: str,
    memo: PartsMemo | None = None,
    autostart: bool = False,
) -> dict[str, Any]:
    """Everything at the table anyone may see. With a memo (one per language), the parts
    whose inputs are unchanged since its last build are reused. `autostart`: the table
    starts by itself once every role is seated (what the lobby tells its players)."""
    memo = memo if memo is not None else PartsMemo()
    view: dict[str, Any] = {
        "status": timer.status,
        "timer": {"deadline": timer.deadline, "remaining": timer.remaining},
        "seats": seats_part(memo, seats),
        # Always there, never changing: a key that left the view would be patched as null.
        "autostart": autostart,
    }
    if state is None or state.round_index < 0:
        return view
    index = min(state.round_index, len(rules.catalog.rounds) - 1)
    rnd = rules.catalog.rounds[index]
    phase = state.phase if state.phase != "closed" else rnd.phase
    view["round"] = memo.part(
        "round",
        (index, phase),
        lambda: {
            "index": index,
            "count": len(rules.catalog.rounds),
            "id": rnd.id,
            "phase": phase,
            "title": _t(rnd.title, lang),
            "prompt": _t(rnd.prompt, lang),
            "timer_seconds": rnd.timer_seconds,
            "budget": rnd.budget,
            "ideas_per_player": rnd.ideas_per_player,
            "max_ideas": rnd.max_ideas,
        },
    )
    view["done"] = sorted(state.done)
    view["framings"] = memo.part(
        "framings",
        tuple(state.framings),
        lambda: [
            {
                "id": f.id,
                "text": f.text
                if f.text is not None
                else _t(rules.catalog.framings[f.id].text, lang),
                "own": f.added_by is not None,
                "added_by": f.added_by,
            }
            for f in state.framings
        ],
    )
    view["framing"] = state.framing
    view["ranked_framings"] = _ranked(state, "frame", state.framing_rankings)
    live = tuple(state.live_ideas())
    table = tuple(state.table.values())
    rankings = tuple(state.idea_rankings.items())
    # An idea's title names the idea it builds on, so the whole table is the input.
    view["ideas"] = memo.part(
        "ideas",
        (live, table),
        lambda: [idea_view(rules, state, state.table[i], lang) for i in live],
    )
    view["ranked_ideas"] = _ranked(state, "rank", state.idea_rankings)
    view["support"] = memo.part(
        "support", (live, rankings), lambda: support(state) if state.idea_rankings else {}
    )
    view["dilemma"] = memo.part(
        "dilemma",
        (
            state.event,
            state.round_index,
            tuple(state.choices),
            tuple(state.advice.items()),
            state.seated_roles,
        ),
        lambda: _dilemma(rules, state, lang),
    )
    # The leading package reads the rankings, the ideas' costs and the decide rounds ahead.
    view["proposal"] = memo.part(
        "proposal",
        (
            state.proposal,
            state.revisions,
            tuple(state.votes.items()),
            state.adopted_how,
            state.adopted,
            state.final_package,
            state.round_index,
            live,
            rankings,
            table,
        ),
        lambda: {
            "ideas": list(state.proposal) if state.proposal is not None else None,
            "cost": sum(state.table[i].cost for i in state.proposal or ()),
            "revision": state.revisions,
            "votes": dict(state.votes),
            "adopted": state.adopted_how,
            "leading": list(leading_package(state, rules.catalog)),
        },
    )
    view["trust"] = memo.part("trust", tuple(state.trust.items()), lambda: dict(state.trust))
    last_moves = tuple(state.moves[-20:])
    view["moves"] = memo.part(
        "moves",
        last_moves,
        lambda: [
            {
                "round": m.round,
                "seat": m.seat,
                "role": m.role,
                "move": m.move,
                "title": _t(rules.catalog.moves[m.move].title, lang),
                "target": m.target,
            }
            for m in last_moves
        ],
    )
    view["scores"] = memo.part(
        "scores",
        (tuple(state.history), state.status, numbers),
        lambda: _scores(rules, state, numbers, lang),
    )
    if state.status == "ended":
        view["final"] = {
            "package": list(state.final_package or ()),
            "goals": state.goals,
            "digest": state_digest(state),
        }
    return view


def _dilemma(rules: Rules, state: GameState, lang: str) -> dict[str, Any] | None:
    if state.event is None:
        return None
    event = rules.catalog.events[state.event]
    chosen = next((c.option for c in state.choices if c.round == state.round_index), None)
    advised = list(state.advice.values())
    target = event.target or rules.catalog.chair
    return {
        "id": event.id,
        "title": _t(event.title, lang),
        "text": _t(event.text, lang),
        "target": target if target in state.seated_roles else rules.catalog.chair,
        "options": [
            {"id": o.id, "text": _t(o.text, lang), "advised": advised.count(o.id)}
            for o in event.options
        ],
        "advised_by": sorted(state.advice),
        "chosen": chosen,
    }


def private_view(
    rules: Rules, state: GameState | None, seat: SeatInfo, lang: str
) -> dict[str, Any]:
    """What only this seat sees: its role's agenda and secret goal, its hand, its moves."""
    role = rules.catalog.roles[seat.role]
    view: dict[str, Any] = {
        "seat": seat.id,
        "role": role.id,
        "agenda": dict(role.agenda),
        "goal": _t(role.goal.text, lang) if role.goal else None,
        "chair": role.chair,
    }
    if state is None or state.round_index < 0:
        view["hand"] = [_card(rules, c, lang) for c in role.hand]
        return view
    view["hand"] = [_card(rules, c, lang) for c in state.hands.get(role.id, [])]
    used = state.moves_this_round
    view["moves"] = [
        {
            **_move(rules, m, lang),
            "left": rules.catalog.moves[m].per_round - used.get((seat.id, m), 0),
        }
        for m in rules.catalog.role_moves[role.id]  # the chair's include the card
    ]
    view["ideas_played"] = state.ideas_this_round.get(seat.id, 0)
    return view


def private_inputs(rules: Rules, state: GameState | None, seat: str, role: str) -> tuple[Any, ...]:
    """Everything in the game state that `private_view` reads for this seat.

    The private view changes far less often than the state (a card drawn or played, a
    move used): while these are equal the room reuses the view it built last, and the
    update's patch leaves it out without comparing it. Worked out for every seat at every
    update, so it reads no more than it must.
    """
    if state is None or state.round_index < 0:
        return ()
    used = state.moves_this_round
    return (
        tuple(state.hands.get(role, ())),
        # Nothing used yet this round (the common case): every count is 0.
        tuple([used.get((seat, m), 0) for m in rules.catalog.role_moves[role]]) if used else (),
        state.ideas_this_round.get(seat, 0),
    )


# What a card or a move says does not change in a game: each is built once per language
# and shared by every view that shows it (views are never edited once built).
@lru_cache(maxsize=4096)
def _card(rules: Rules, card: str, lang: str) -> dict[str, Any]:
    idea = rules.catalog.ideas.get(card)
    if idea is None:
        return {"id": card}
    return {
        "id": idea.id,
        "title": _t(idea.title, lang),
        "text": _t(idea.text, lang),
        "novelty": idea.novelty,
        "cost": idea.cost,
        "serves": dict(idea.serves),
    }


@lru_cache(maxsize=4096)
def _move(rules: Rules, move: str, lang: str) -> dict[str, Any]:
    """A move as a private view lists it, but for how often it is left this round."""
    m = rules.catalog.moves[move]
    return {
        "id": move,
        "title": _t(m.title, lang),
        "text": _t(m.text, lang),
        "style": m.style,
        "target": m.target,
        "politician_card": m.politician_card,
        "phases": list(m.phases),
    }


def changes(held: dict[str, Any] | None, view: dict[str, Any] | None) -> dict[str, Any]:
    """The top-level keys of `view` a client holding `held` must replace (an update's patch).

    A key that is no longer part of the view comes as null; clients treat a null and a
    missing key alike. Comparing is far cheaper than encoding: most updates change a few
    keys of a view of several kilobytes.
    """
    if view is None or view is held:
        return {}
    if held is None:
        return view
    # A part reused from the memo is the very object the client holds: no comparing.
    patch = {k: v for k, v in view.items() if k not in held or (held[k] is not v and held[k] != v)}
    patch.update((k, None) for k in held if k not in view)
    return patch


def deals_cards(payload: dict[str, Any]) -> bool:
    """Whether an event deals cards: the only events each seat sees differently."""
    effects = payload.get("effects")
    return isinstance(effects, dict) and bool(effects.get("dealt"))


def project_event(payload: dict[str, Any], role: str | None, ended: bool) -> dict[str, Any]:
    """An event as one seat may see it: other roles' drawn cards are hidden until the end."""
    if ended or not deals_cards(payload):
        return payload
    effects = payload["effects"]
    dealt = {r: cards if r == role else ["?"] * len(cards) for r, cards in effects["dealt"].items()}
    return {**payload, "effects": {**effects, "dealt": dealt}}


def seat_scenario(rules: Rules, role: str) -> dict[str, Any]:
    """The scenario as one seat may know it: other roles' agendas, goals and hands left out.

    Enough for a client (such as a bot) to fold the table's events with the engine.
    """
    data = rules.scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for entry in data["roles"]:
        if entry["id"] != role:
            entry["agenda"] = {}
            entry["hand"] = []
            entry.pop("goal", None)
    data["debrief"] = {"questions": data["debrief"]["questions"], "insights": []}
    return data
