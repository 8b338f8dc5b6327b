"""Who the table is waiting for: the seats that still owe an action in this phase.

A facilitator watching several tables needs to see the one player a table is stuck on.
"Owes" means what the rules need before the phase can close by itself (see
`Rules._complete`): optional acts, such as advice on a dilemma or a move, are owed by
nobody. Pure: it reads the state and the scenario, nothing else.
"""

from __future__ import annotations

from app.engine.rules import Rules
from app.engine.state import GameState


def waiting_for(rules: Rules, state: GameState) -> list[str]:
    """The seat ids, in seat order, whose action the current phase still needs."""
    if state.status == "ended" or state.round_index < 0:
        return []
    seats = [s.id for s in state.seats]
    phase = state.phase
    if phase == "frame":
        return [s for s in seats if s not in state.done and s not in state.ranked_this_round]
    if phase == "ideate":
        limit = rules.catalog.rounds[state.round_index].ideas_per_player
        counts = state.ideas_this_round
        return [s for s in seats if s not in state.done and counts.get(s, 0) < limit]
    if phase == "rank":
        return [s for s in seats if s not in state.done and s not in state.ranked_this_round]
    if phase == "dilemma":
        if any(c.round == state.round_index for c in state.choices):
            return []
        target = rules.event_target(state)
        return [s.id for s in state.seats if s.role == target]
    if phase == "decide":
        return _decide(rules, state, seats)
    return []  # between two rounds: nobody


def _decide(rules: Rules, state: GameState, seats: list[str]) -> list[str]:
    if state.adopted_how is not None:
        return []
    chairs = [s.id for s in state.seats if s.role == rules.catalog.chair]
    if state.proposal is None:
        return chairs
    unanswered = [s for s in seats if s not in state.votes]
    # Everyone has answered and someone objects: the chair adopts or revises.
    return unanswered or chairs
