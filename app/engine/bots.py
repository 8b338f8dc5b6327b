"""Bots: a seat policy that plays any scenario legally, guided by its role's agenda.

A bot reads the same state a player's client would and returns one intent at a time, or
None when it is waiting for others. Randomness comes only from the bot's own seeded
generator, so a game of bots is reproducible. A politician's bot can lean toward a
leadership style; `mixed` draws one style per decision.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.engine import actions as a
from app.engine.outcome import support
from app.engine.rules import Rules
from app.engine.state import GameState
from app.scenarios.models import LEADERSHIP_STYLES, Effects, Move

BOT_STYLES: tuple[str, ...] = (*LEADERSHIP_STYLES, "mixed")


@dataclass
class Bot:
    rules: Rules
    seat: str
    role: str
    style: str = "mixed"
    rng: random.Random = field(default_factory=random.Random)
    _declined: set[tuple[int, str]] = field(default_factory=set)
    _voice: float = -1.0
    # Fixed for a bot's life (its role and the catalog do not change): looked up once.
    _agenda_map: dict[str, int] = field(init=False, repr=False)
    _is_politician: bool = field(init=False, repr=False)
    _kind: str = field(init=False, repr=False)
    _own_moves: tuple[tuple[str, Move], ...] = field(init=False, repr=False)
    _card_values: dict[str, float] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        role = self.rules.catalog.roles[self.role]
        self._agenda_map = role.agenda
        self._is_politician = role.kind == "politician"
        self._kind = role.kind
        moves = self.rules.catalog.moves
        self._own_moves = tuple((m, moves[m]) for m in role.moves if not moves[m].politician_card)

    @property
    def voice(self) -> float:
        """How readily this bot speaks up: drawn once a game, so some bots are quiet."""
        if self._voice < 0:
            chair = self.role == self.rules.catalog.chair
            self._voice = 1.0 if chair else self.rng.uniform(0.2, 1.0)
        return self._voice

    @property
    def politician(self) -> bool:
        return self._is_politician

    def act(self, state: GameState) -> a.Action | None:
        """The bot's next intent, or None while it waits."""
        if state.status == "ended":
            return None
        for candidate in self._candidates(state):
            if candidate is not None and self.rules.check(state, candidate) is None:
                return candidate
        return None

    # --- preferences ------------------------------------------------------------------

    def _agenda(self) -> dict[str, int]:
        return self._agenda_map

    def _value(self, serves: dict[str, int]) -> float:
        agenda = self._agenda_map
        return float(sum(agenda.get(i, 0) * w for i, w in serves.items()))

    def _card_value(self, card: str) -> float:
        """`_value` of an idea card's interests; a card's never changes, so it is kept."""
        value = self._card_values.get(card)
        if value is None:
            value = self._card_values[card] = self._value(self.rules.catalog.ideas[card].serves)
        return value

    def _leaning(self) -> str:
        if not self.politician:
            return "none"
        if self.style == "mixed":
            return self.rng.choice(LEADERSHIP_STYLES)
        return self.style

    def _noise(self) -> float:
        return self.rng.gauss(0.0, 1.0)

    # --- per phase --------------------------------------------------------------------

    def _candidates(self, state: GameState) -> list[a.Action | None]:
        phase = state.phase
        moves = [self._move(state)]
        if phase == "frame":
            return [*moves, self._rank_framings(state)]
        if phase == "ideate":
            return [*moves, self._idea(state), a.Pass(self.seat)]
        if phase == "dilemma":
            return [*moves, self._dilemma(state)]
        if phase == "rank":
            return [*moves, self._rank_ideas(state)]
        if phase == "decide":
            return [self._decide_move(state), *self._decide(state)]
        return []

    def _move(self, state: GameState) -> a.Action | None:
        """Perhaps one move this phase; each move is considered once a round."""
        if self.seat in state.done:
            return None
        for move_id, move in self._own_moves:
            key = (state.round_index, move_id)
            if key in self._declined or state.phase not in move.phases:
                continue
            self._declined.add(key)
            if self.rng.random() < self._move_appetite(move):
                action = a.PlayMove(self.seat, move_id, self._target(state, move))
                if self.rules.check(state, action) is None:
                    return action
        return None

    def _move_appetite(self, move: Move) -> float:
        if not self.politician:
            return 0.3
        if self.style == "mixed":
            return 0.35
        return 0.9 if move.style == self.style else 0.05

    def _target(self, state: GameState, move: Move) -> str | None:
        if not move.target:
            return None
        others = [r for r in state.seated_roles if r != self.role]
        if not others:
            return None
        quietest = min(state.contributions.get(r, 0) for r in others)
        return self.rng.choice([r for r in others if state.contributions.get(r, 0) == quietest])

    def _rank_framings(self, state: GameState) -> a.Action | None:
        if self.seat in state.framing_rankings:
            return None
        agenda = self._agenda()
        scored = [
            (sum(agenda.get(i, 0) for i in f.interests) + self._noise(), f.id)
            for f in state.framings
        ]
        return a.RankFramings(self.seat, tuple(fid for _, fid in sorted(scored, reverse=True)))

    def _idea(self, state: GameState) -> a.Action | None:
        if self.seat in state.done:
            return None
        played = state.ideas_this_round.get(self.seat, 0)
        # Trust draws people out: a quiet player who feels heard says more.
        eagerness = self.voice + 0.15 * (state.trust.get(self.role, 3) - 3)
        # Even a quiet player usually says something, but not always.
        if self.rng.random() > eagerness + (0.4 if played == 0 else 0.0):
            return None
        hand = state.hands.get(self.role, [])
        novelty_weight = 2.0 if self._leaning() == "catalyst" else 0.5
        ideas = self.rules.catalog.ideas
        if not hand:
            return None
        card = max(
            hand,
            key=lambda c: self._card_value(c) + novelty_weight * ideas[c].novelty + self._noise(),
        )
        others = [i for i in state.live_ideas() if self.role not in state.table[i].contributors]
        build_appetite = 0.5 if self._leaning() in ("catalyst", "facilitator") else 0.25
        if others and self.rng.random() < build_appetite:
            base = max(others, key=lambda i: self._value(state.table[i].serves) + self._noise())
            return a.BuildOn(self.seat, base, idea=card)
        return a.PlayIdea(self.seat, card)

    def _option_value(self, effects: Effects, style: str) -> float:
        kind = self._kind
        mine = sum(d for who, d in effects.trust.items() if who in (self.role, kind, "all"))
        lean = 2.0 if style == self._leaning() else 0.0
        return 2.0 * mine + lean + self._noise()

    def _dilemma(self, state: GameState) -> a.Action | None:
        event = self.rules.catalog.events[state.event or ""]
        if self.rules.check(state, a.ChooseOption(self.seat, event.options[0].id)) is None:
            others = [s for s in state.seat_ids() if s != self.seat]
            if not all(s in state.advice or s in state.done for s in others):
                return None
            advised = list(state.advice.values())
            best = max(
                event.options,
                key=lambda o: self._option_value(o.effects, o.style) + advised.count(o.id),
            )
            return a.ChooseOption(self.seat, best.id)
        if self.seat in state.advice:
            return None
        best = max(event.options, key=lambda o: self._option_value(o.effects, o.style))
        return a.Advise(self.seat, best.id)

    def _rank_ideas(self, state: GameState) -> a.Action | None:
        if self.seat in state.idea_rankings:
            return None
        novelty_weight = 2.0 if self._leaning() == "catalyst" else 0.3
        scored = sorted(
            (
                (
                    self._value(state.table[i].serves)
                    + novelty_weight * state.table[i].novelty
                    + self._noise(),
                    i,
                )
                for i in state.live_ideas()
            ),
            reverse=True,
        )
        order: list[str] = []
        own = 0
        for _, idea in scored:
            mine = self.seat in state.table[idea].played_by
            if mine and own:
                continue
            own += mine
            order.append(idea)
            if len(order) == 3:
                break
        return a.RankIdeas(self.seat, tuple(order)) if order else a.Pass(self.seat)

    # --- decide -----------------------------------------------------------------------

    def _decide_move(self, state: GameState) -> a.Action | None:
        if state.proposal is None or self.seat in state.votes:
            return self._move(state)
        return None

    def _decide(self, state: GameState) -> list[a.Action | None]:
        chair = self.role == self.rules.catalog.chair
        if state.proposal is None:
            return [a.Propose(self.seat, self._package(state))] if chair else []
        card = self._politician_card()
        if chair and card and self._leaning() == "sovereign" and self.rng.random() < 0.7:
            # The elected king does not wait for the committee's answers.
            return [a.PlayMove(self.seat, card)]
        if self.seat not in state.votes:
            return [a.Vote(self.seat, self._answer(state))]
        if chair and len(state.votes) == len(state.seats):
            return self._after_votes(state)
        return []

    def _package(self, state: GameState, must: Sequence[str] = ()) -> tuple[str, ...]:
        """A package within budget, ordered by what this chair's style cares about."""
        rnd = self.rules.catalog.rounds[state.round_index]
        budget = rnd.budget or 0
        size = rnd.max_ideas or len(state.table)
        points = support(state)
        live = state.live_ideas()
        leaning = self._leaning()

        def score(i: str) -> float:
            idea = state.table[i]
            if leaning == "sovereign":
                return self._value(idea.serves) * 2 + points[i] * 0.2
            if leaning == "catalyst":
                return idea.novelty * 3 + 4 * (len(idea.contributors) > 1) + points[i] * 0.5
            return points[i] + 0.1 * self._noise()

        ordered = sorted(live, key=score, reverse=True)
        if leaning == "facilitator":
            ordered = _spread_over_roles(ordered, state)
        chosen: list[str] = []
        spent = 0
        for idea in [*must, *ordered]:
            cost = state.table[idea].cost
            if len(chosen) >= size:
                break
            if idea not in chosen and spent + cost <= budget:
                chosen.append(idea)
                spent += cost
        return tuple(chosen)

    def _answer(self, state: GameState) -> a.VoteChoice:
        """Compare the package with the one this role would have chosen itself."""
        if self.role == self.rules.catalog.chair:
            return "accept"
        package = state.proposal or ()
        size = max(1, len(package))
        worth = {i: self._worth(state, i) for i in state.live_ideas()}
        ideal = sum(sorted(worth.values(), reverse=True)[:size])
        value = sum(worth[i] for i in package if i in worth)
        ratio = value / ideal if ideal > 0 else 0.5
        ratio += 0.1 * (state.trust.get(self.role, 3) - 3) + 0.1 * self._noise()
        if ratio >= 0.6:
            return "accept"
        return "live_with" if ratio >= 0.2 else "object"

    def _worth(self, state: GameState, idea: str) -> float:
        own = 2.0 if self.role in state.table[idea].contributors else 0.0
        return max(0.0, self._value(state.table[idea].serves) + own)

    def _after_votes(self, state: GameState) -> list[a.Action | None]:
        leaning = self._leaning()
        card = next(
            (
                m
                for m in self.rules.catalog.roles[self.role].moves
                if self.rules.catalog.moves[m].politician_card
            ),
            None,
        )
        if leaning == "sovereign" and card is not None:
            return [a.PlayMove(self.seat, card), a.Adopt(self.seat)]
        if state.revisions == 0 and (leaning == "facilitator" or self.rng.random() < 0.5):
            return [a.Propose(self.seat, self._revised(state)), a.Adopt(self.seat)]
        return [a.Adopt(self.seat)]

    def _politician_card(self) -> str | None:
        moves = self.rules.catalog.moves
        role = self.rules.catalog.roles[self.role]
        return next((m for m in role.moves if moves[m].politician_card), None)

    def _revised(self, state: GameState) -> tuple[str, ...]:
        """Make room for an idea of each objector, keeping the best-supported rest."""
        objectors = {state.role_of(s) for s, choice in state.votes.items() if choice == "object"}
        wanted = [
            i
            for i in state.live_ideas()
            if objectors & set(state.table[i].contributors) and i not in (state.proposal or ())
        ]
        return self._package(state, must=wanted[:2])


def _spread_over_roles(ordered: list[str], state: GameState) -> list[str]:
    """Reorder so each role's best idea comes first: a facilitator includes everyone."""
    firsts: list[str] = []
    seen: set[str] = set()
    for idea in ordered:
        roles = set(state.table[idea].contributors)
        if roles - seen:
            firsts.append(idea)
            seen |= roles
    return firsts + [i for i in ordered if i not in firsts]
