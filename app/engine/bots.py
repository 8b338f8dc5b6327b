"""Bots: a seat policy that plays any scenario legally, guided by its role's agenda.

A bot reads the same state a player's client would and returns one intent at a time, or
None when it is waiting for others. Randomness comes only from the bot's own seeded
generator, so a game of bots is reproducible. A politician's bot can lean toward a
leadership style; `mixed` draws one style per decision, and `naive` is a chair who plays
almost no moves. Every other seat has a temperament (quiet, dominant, cooperative,
sceptical) that sets how much it says, how it builds and how easily it accepts.
"""

from __future__ import annotations

import copy
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from operator import mul
from weakref import WeakKeyDictionary

from app.engine import actions as a
from app.engine.events import TableIdea
from app.engine.outcome import support
from app.engine.rules import Rules
from app.engine.scoring import trust_earned
from app.engine.state import GameState
from app.scenarios.models import LEADERSHIP_STYLES, EventOption, Move

BOT_STYLES: tuple[str, ...] = (*LEADERSHIP_STYLES, "naive", "mixed")


@dataclass(frozen=True, slots=True)
class Temperament:
    """How a person at the table tends to behave, whatever their role's agenda."""

    name: str
    voice: tuple[float, float]  # how readily it speaks up: drawn from this range once a game
    move_appetite: float  # the chance, each round, of playing each of its moves
    build_appetite: float  # the chance of building on another's idea instead of its own
    own_first: bool  # ranks and judges by its own ideas first
    cooperation: float  # how much what serves everyone counts beside its own agenda
    accept: float  # it accepts a package worth this share of its own ideal package...
    live_with: float  # ...can live with one above this share, and objects below
    heard: float  # how much being given the floor raises its voice


TEMPERAMENTS: dict[str, Temperament] = {
    t.name: t
    for t in (
        Temperament("quiet", (0.1, 0.35), 0.1, 0.25, False, 1.5, 0.9, 0.5, 0.6),
        Temperament("dominant", (0.85, 1.0), 0.4, 0.1, True, 0.3, 1.0, 0.65, 0.0),
        Temperament("cooperative", (0.5, 0.85), 0.25, 0.5, False, 3.0, 0.8, 0.4, 0.3),
        Temperament("sceptical", (0.45, 0.8), 0.3, 0.2, False, 0.9, 1.05, 0.7, 0.3),
    )
}
# A chair leads: it always speaks, judges its own proposal as its own, and is never quiet.
CHAIR_TEMPERAMENT = Temperament("chair", (1.0, 1.0), 0.35, 0.25, False, 0.3, 0.0, 0.0, 0.0)
# Seats at a table with people play at their pace: fewer moves, at most one a round.
HUMAN_PACE = 0.4


@dataclass(frozen=True, slots=True)
class _RoleView:
    """What a bot needs of its role: fixed by the scenario, so worked out once per role and
    shared by every bot of that role in every game (a simulation seats thousands)."""

    agenda: dict[str, int]
    # The agenda with 0 for any other interest, so `_value` can look weights up in bulk.
    weights: defaultdict[str, int]
    is_politician: bool
    kind: str
    # The role's moves (but the politician card), in the scenario's order, by phase.
    moves_in: dict[str, tuple[tuple[str, Move], ...]]
    card: str | None
    # Memos of values that depend on the role and the scenario only.
    card_values: dict[str, float]
    option_trust: dict[str, int]

    @classmethod
    def of(cls, rules: Rules, role_id: str) -> _RoleView:
        catalog = rules.catalog
        role = catalog.roles[role_id]
        moves = catalog.moves
        card = catalog.card.id if catalog.card.id in catalog.role_moves[role_id] else None
        own = [(m, moves[m]) for m in catalog.role_moves[role_id] if m != card]
        phases = {p for _, move in own for p in move.phases}
        return cls(
            agenda=role.agenda,
            weights=defaultdict(int, role.agenda),
            is_politician=role.kind == "politician",
            kind=role.kind,
            moves_in={p: tuple((m, mv) for m, mv in own if p in mv.phases) for p in phases},
            card=card,
            card_values={},
            option_trust={},
        )


_role_views: WeakKeyDictionary[Rules, dict[str, _RoleView]] = WeakKeyDictionary()


def _role_view(rules: Rules, role: str) -> _RoleView:
    views = _role_views.get(rules)
    if views is None:
        views = _role_views[rules] = {}
    view = views.get(role)
    if view is None:
        view = views[role] = _RoleView.of(rules, role)
    return view


@dataclass
class Bot:
    rules: Rules
    seat: str
    role: str
    style: str = "mixed"
    rng: random.Random = field(default_factory=random.Random)
    # None: drawn from the bot's own generator at its first decision (a chair has its own).
    temperament: Temperament | None = None
    # True for a bot among people: it plays fewer moves, as a person at the table would.
    human_pace: bool = False
    _declined: set[tuple[int, str]] = field(default_factory=set)
    _voice: float = -1.0
    _moved: set[int] = field(default_factory=set)  # rounds in which it played a move
    _table: tuple[tuple[str, ...], dict[str, float]] | None = None
    _commons: dict[str, tuple[dict[str, int], float]] = field(default_factory=dict)
    _was_heard: bool = False
    _moves_seen: int = 0
    _card_weighed: tuple[int, int] | None = None  # the proposal it weighed the card for
    # The last proposal it answered, its answer, and how the package compared with its ideal.
    _answered: tuple[tuple[str, ...], a.VoteChoice, float] | None = None
    # Fixed for a bot's life (its role and the catalog do not change): looked up once.
    _agenda_map: dict[str, int] = field(init=False, repr=False)
    _weights: defaultdict[str, int] = field(init=False, repr=False)
    _is_politician: bool = field(init=False, repr=False)
    _is_chair: bool = field(init=False, repr=False)
    _kind: str = field(init=False, repr=False)
    _moves_in: dict[str, tuple[tuple[str, Move], ...]] = field(init=False, repr=False)
    _card: str | None = field(init=False, repr=False)
    _pass: a.Pass = field(init=False, repr=False)
    _card_values: dict[str, float] = field(init=False, repr=False)
    _option_trust: dict[str, int] = field(init=False, repr=False)
    # A table idea's interests never change once played: its value is kept with the
    # `serves` it was computed from, so a replica's fresh copy of the idea is valued anew.
    _idea_values: dict[str, tuple[dict[str, int], float]] = field(
        init=False, repr=False, default_factory=dict
    )
    # The (round, phase) in which every own move has been considered: nothing is left to
    # decide there, so later passes skip the loop.
    _moves_spent: tuple[int, str] | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        view = _role_view(self.rules, self.role)
        self._agenda_map = view.agenda
        self._weights = view.weights
        self._is_politician = view.is_politician
        self._is_chair = self.role == self.rules.catalog.chair
        self._kind = view.kind
        self._moves_in = view.moves_in
        self._card = view.card
        self._card_values = view.card_values
        self._option_trust = view.option_trust
        self._pass = a.Pass(self.seat)  # offered on every pass of every ideate phase

    def fork(self) -> Bot:
        """A copy that goes on from here on its own: the same generator state, its own memory.

        The balance report plays one decision point several ways (revise, overrule, the
        politician card) with every seat deciding as it would have.
        """
        twin = copy.copy(self)
        twin.rng = random.Random()
        twin.rng.setstate(self.rng.getstate())
        twin._declined = set(self._declined)
        twin._moved = set(self._moved)
        twin._idea_values = dict(self._idea_values)
        twin._commons = dict(self._commons)
        return twin

    @property
    def mood(self) -> Temperament:
        """The bot's temperament, drawn once from its own generator unless it was given."""
        if self.temperament is None:
            if self._is_chair:
                self.temperament = CHAIR_TEMPERAMENT
            else:
                self.temperament = TEMPERAMENTS[self.rng.choice(sorted(TEMPERAMENTS))]
        return self.temperament

    @property
    def voice(self) -> float:
        """How readily this bot speaks up: drawn once a game from its temperament's range."""
        if self._voice < 0:
            low, high = self.mood.voice
            self._voice = low if low == high else self.rng.uniform(low, high)
        return self._voice

    @property
    def politician(self) -> bool:
        return self._is_politician

    def act(self, state: GameState) -> a.Action | None:
        """The bot's next intent, one the rules accept on this state; None while it waits.

        Perhaps a move of its role, else the phase's own intents, best first. Only what
        is needed is worked out: the phase's intent is not when a move comes first.
        """
        if state.status == "ended":
            return None
        phase = state.phase
        if phase == "decide":
            return self._act_in_decide(state)
        # `_move` has nothing left to weigh once every move of this round is considered.
        if self._moves_spent != (state.round_index, phase):
            move = self._move(state)
            if move is not None:
                return move  # `_move` offers only a move the rules accept
        candidates: Sequence[a.Action | None]
        if phase == "ideate":
            if self.seat in state.done:
                return None  # it has passed: the phase is over for this seat
            candidates = (self._idea(state), self._pass)
        elif phase == "dilemma":
            candidates = (self._dilemma(state),)
        elif phase == "rank":
            candidates = (self._rank_ideas(state),)
        elif phase == "frame":
            candidates = (self._rank_framings(state),)
        else:
            return None
        return self._first_accepted(state, candidates)

    def _act_in_decide(self, state: GameState) -> a.Action | None:
        # A move is drawn here and thrown away before `_decide_move` draws again, so in
        # this phase a bot plays at most every second move it picks. That has always been
        # so, and the calibration figures in docs/scoring.md rest on it.
        if self._moves_spent != (state.round_index, state.phase):
            self._move(state)
        move = self._decide_move(state)
        if move is not None:
            return move
        return self._first_accepted(state, self._decide(state))

    def _first_accepted(
        self, state: GameState, candidates: Sequence[a.Action | None]
    ) -> a.Action | None:
        for candidate in candidates:
            if candidate is not None and self.rules.check(state, candidate) is None:
                return candidate
        return None

    # --- preferences ------------------------------------------------------------------

    def _agenda(self) -> dict[str, int]:
        return self._agenda_map

    def _value(self, serves: dict[str, int]) -> float:
        """The sum of agenda weight times the idea's weight, over the interests it serves."""
        # Written with `map` so the products and their sum run without a Python step per
        # interest: this runs for every idea each bot looks at.
        return float(sum(map(mul, map(self._weights.__getitem__, serves), serves.values())))

    def _idea_value(self, idea: TableIdea) -> float:
        """`_value` of a table idea, kept per idea."""
        kept = self._idea_values.get(idea.id)
        if kept is not None and kept[0] is idea.serves:
            return kept[1]
        value = self._value(idea.serves)
        self._idea_values[idea.id] = (idea.serves, value)
        return value

    def _values_of(self, table: dict[str, TableIdea], ids: Sequence[str]) -> list[float]:
        """`_idea_value` of each of these ideas: the kept ones looked up here, not by a call
        per idea (bots rank every idea on the table)."""
        kept = self._idea_values
        values = []
        for i in ids:
            idea = table[i]
            hit = kept.get(i)
            if hit is not None and hit[0] is idea.serves:
                values.append(hit[1])
            else:
                values.append(self._idea_value(idea))
        return values

    def _card_value(self, card: str) -> float:
        """`_value` of an idea card's interests; a card's never changes, so it is kept."""
        value = self._card_values.get(card)
        if value is None:
            value = self._card_values[card] = self._value(self.rules.catalog.ideas[card].serves)
        return value

    def _leaning(self) -> str:
        """The style this decision leans to: `none` for a naive chair and for non-politicians."""
        if not self._is_politician or self.style == "naive":
            return "none"
        if self.style == "mixed":
            return self.rng.choice(LEADERSHIP_STYLES)
        return self.style

    def _noise(self) -> float:
        return self.rng.gauss(0.0, 1.0)

    # --- per phase --------------------------------------------------------------------

    def _move(self, state: GameState) -> a.Action | None:
        """Perhaps one move this phase; each move is considered once a round."""
        if self.seat in state.done:
            return None
        here = (state.round_index, state.phase)
        if self._moves_spent == here:
            return None
        if self.human_pace and state.round_index in self._moved:
            self._moves_spent = here  # a person plays one move a round at most
            return None
        for move_id, move in self._moves_in.get(state.phase, ()):
            key = (state.round_index, move_id)
            if key in self._declined:
                continue
            self._declined.add(key)
            if self.rng.random() < self._move_appetite(move):
                action = a.PlayMove(self.seat, move_id, self._target(state, move))
                if self.rules.check(state, action) is None:
                    self._moved.add(state.round_index)
                    return action
        self._moves_spent = here
        return None

    def _move_appetite(self, move: Move) -> float:
        pace = HUMAN_PACE if self.human_pace else 1.0
        if not self._is_chair:
            return pace * self.mood.move_appetite
        if self.style == "naive":
            return pace * 0.03  # a chair who hardly uses the leadership moves at all
        if self.style == "mixed":
            return pace * 0.2
        return pace * (0.9 if move.style == self.style else 0.05)

    def _target(self, state: GameState, move: Move) -> str | None:
        if not move.target:
            return None
        others = [r for r in state.seated_roles if r != self.role]
        if not others:
            return None
        quietest = min(state.contributions.get(r, 0) for r in others)
        return self.rng.choice([r for r in others if state.contributions.get(r, 0) == quietest])

    def _table_weights(self, state: GameState) -> dict[str, float]:
        """What the table as a whole cares about: the seated roles' mean agenda.

        People at a table learn each other's concerns by talking; a cooperative player
        weighs them beside its own.
        """
        if self._table is None or self._table[0] is not state.seated_roles:
            roles = [self.rules.catalog.roles[r] for r in state.seated_roles]
            weights: dict[str, float] = {}
            for role in roles:
                for interest, weight in role.agenda.items():
                    weights[interest] = weights.get(interest, 0.0) + weight / len(roles)
            self._table = (state.seated_roles, weights)
        return self._table[1]

    def _cooperation(self, state: GameState) -> float:
        """How much the table's concerns count: the temperament's, up to twice that when it
        feels heard, down to none when it feels shut out."""
        return self.mood.cooperation * (1.0 + 2.0 * self._felt(state))

    def _common(self, idea: TableIdea, state: GameState) -> float:
        """What an idea is worth to the table as a whole; kept per idea, like `_idea_value`."""
        kept = self._commons.get(idea.id)
        if kept is not None and kept[0] is idea.serves:
            return kept[1]
        table = self._table_weights(state)
        value = sum(table.get(i, 0.0) * w for i, w in idea.serves.items())
        self._commons[idea.id] = (idea.serves, value)
        return value

    def _rank_framings(self, state: GameState) -> a.Action | None:
        if self.seat in state.ranked_this_round:
            return None
        agenda = self._agenda()
        table = self._table_weights(state)
        cooperation = self._cooperation(state)
        scored = [
            (
                sum(agenda.get(i, 0) + cooperation * table.get(i, 0.0) for i in f.interests)
                + self._noise(),
                f.id,
            )
            for f in state.framings
        ]
        return a.RankFramings(self.seat, tuple(fid for _, fid in sorted(scored, reverse=True)))

    def _felt(self, state: GameState) -> float:
        """How heard the bot feels, -0.5..0.5: the trust others' acts gave it, as ownership
        counts it (`scoring.trust_earned`), around where it started."""
        return trust_earned(state.trust_earned.get(self.role, 0)) - 0.5

    def _eagerness(self, state: GameState) -> float:
        """How likely the bot is to speak now: its voice, its trust, and whether it was heard.

        A quiet player who feels heard says more: trust draws people out, and being given
        the floor (a targeted move that is not sovereign) does so at once.
        """
        eagerness = self.voice + 0.6 * self._felt(state)
        if self.mood.heard and self._heard(state):
            eagerness += self.mood.heard
        return eagerness

    def _heard(self, state: GameState) -> bool:
        """Whether another's move (not a sovereign one) has named this role: given the floor.

        Once heard, always heard; the moves are scanned from where the last look ended."""
        if not self._was_heard:
            moves = state.moves
            self._was_heard = any(
                m.target == self.role and m.style != "sovereign" for m in moves[self._moves_seen :]
            )
            self._moves_seen = len(moves)
        return self._was_heard

    def _idea(self, state: GameState) -> a.Action | None:
        if self.seat in state.done:
            return None
        played = state.ideas_this_round.get(self.seat, 0)
        # Even a quiet player usually says something, but not always.
        if self.rng.random() > self._eagerness(state) + (0.4 if played == 0 else 0.0):
            return None
        hand = state.hands.get(self.role, [])
        leaning = self._leaning()
        novelty_weight = 2.0 if leaning == "catalyst" else 0.5
        ideas = self.rules.catalog.ideas
        if not hand:
            return None
        # The best card by value, novelty and noise (`_noise`, drawn card by card). Written
        # as a list and its first maximum, the same choice as `max(hand, key=...)` without
        # a call per card.
        noise = self.rng.gauss
        values = self._card_values
        keys = [
            (values[c] if c in values else self._card_value(c))
            + novelty_weight * ideas[c].novelty
            + noise(0.0, 1.0)
            for c in hand
        ]
        card = hand[keys.index(max(keys))]
        table = state.table
        others = [i for i in state.live_ideas() if self.role not in table[i].contributors]
        builds = 0.5 if leaning in ("catalyst", "facilitator") else self.mood.build_appetite
        if others and self.rng.random() < builds:
            keys = [v + noise(0.0, 1.0) for v in self._values_of(table, others)]
            return a.BuildOn(self.seat, others[keys.index(max(keys))], idea=card)
        return a.PlayIdea(self.seat, card)

    def _option_value(self, option: EventOption) -> float:
        mine = self._option_trust.get(option.id)
        if mine is None:
            # What the option does to this bot's own trust: fixed by the scenario.
            who_counts = (self.role, self._kind, "all")
            mine = sum(d for who, d in option.effects.trust.items() if who in who_counts)
            self._option_trust[option.id] = mine
        lean = 2.0 if option.style == self._leaning() else 0.0
        return 2.0 * mine + lean + self.rng.gauss(0.0, 1.0)  # `_noise`

    def _dilemma(self, state: GameState) -> a.Action | None:
        event = self.rules.catalog.events[state.event or ""]
        # Whose choice it is, asked directly: the rules accept a choice from that role only.
        if self.role == self.rules.event_target(state):
            others = [s for s in state.seat_ids() if s != self.seat]
            if not all(s in state.advice or s in state.done for s in others):
                return None
            advised = list(state.advice.values())
            best = max(
                event.options,
                key=lambda o: self._option_value(o) + advised.count(o.id),
            )
            return a.ChooseOption(self.seat, best.id)
        if self.seat in state.advice:
            return None
        best = max(event.options, key=self._option_value)
        return a.Advise(self.seat, best.id)

    def _rank_ideas(self, state: GameState) -> a.Action | None:
        if self.seat in state.ranked_this_round:
            return None
        novelty_weight = 2.0 if self._leaning() == "catalyst" else 0.3
        table = state.table
        noise = self.rng.gauss  # `_noise`, without a call of its own per idea
        live = state.live_ideas()
        values = self._values_of(table, live)
        cooperation = self._cooperation(state)
        scored = sorted(
            [
                (
                    value
                    + cooperation * self._common(table[i], state)
                    + novelty_weight * table[i].novelty
                    + noise(0.0, 1.0),
                    i,
                )
                for value, i in zip(values, live, strict=True)
            ],
            reverse=True,
        )
        if self.mood.own_first:
            # It puts its own best idea first, whatever the others think of it.
            scored.sort(key=lambda vi: self.seat not in table[vi[1]].played_by)
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
        chair = self._is_chair
        if state.proposal is None:
            return [a.Propose(self.seat, self._package(state))] if chair else []
        card = self._card
        # The elected king does not wait for the committee's answers; a chair who only
        # leans that way now and then seldom goes that far. Weighed once per proposal.
        proposal = (state.round_index, state.revisions)
        if chair and card and self._card_weighed != proposal:
            self._card_weighed = proposal
            if self._leaning() == "sovereign" and self.rng.random() < (
                0.7 if self.style == "sovereign" else 0.3
            ):
                return [a.PlayMove(self.seat, card)]
        if self.seat not in state.votes:
            return [a.Vote(self.seat, self._answer(state))]
        if chair and len(state.votes) == len(state.seats):
            return self._after_votes(state)
        return []

    def _package(self, state: GameState) -> tuple[str, ...]:
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
                return self._idea_value(idea) * 2 + points[i] * 0.2
            if leaning == "catalyst":
                return idea.novelty * 3 + 4 * (len(idea.contributors) > 1) + points[i] * 0.5
            return points[i] + 0.1 * self._noise()

        ordered = sorted(live, key=score, reverse=True)
        if leaning == "facilitator":
            ordered = _spread_over_roles(ordered, state)
        chosen: list[str] = []
        spent = 0
        for idea in ordered:
            cost = state.table[idea].cost
            if len(chosen) >= size:
                break
            if spent + cost <= budget:
                chosen.append(idea)
                spent += cost
        return tuple(chosen)

    def _answer(self, state: GameState) -> a.VoteChoice:
        """Compare the package with the one this role would have chosen itself."""
        if self._is_chair:
            return "accept"
        package = state.proposal or ()
        size = max(1, len(package))
        live = state.live_ideas()
        table = state.table
        mine = {i for i in live if self.role in table[i].contributors}
        if self.mood.own_first and mine and not mine & set(package):
            # It will not back a package without something of its own.
            return self._second_look(state, "object", 0.0, mine)
        # What each idea is worth to this role: its value, and 2 more for one of its own.
        worth = {
            i: max(0.0, value + (2.0 if i in mine else 0.0))
            for i, value in zip(live, self._values_of(table, live), strict=True)
        }
        ideal = sum(sorted(worth.values(), reverse=True)[:size])
        value = sum(worth[i] for i in package if i in worth)
        ratio = value / ideal if ideal > 0 else 0.5
        ratio += 0.3 * self._felt(state) + 0.1 * self._noise()
        answer: a.VoteChoice = (
            "accept"
            if ratio >= self.mood.accept
            else ("live_with" if ratio >= self.mood.live_with else "object")
        )
        return self._second_look(state, answer, ratio, mine)

    def _second_look(
        self, state: GameState, answer: a.VoteChoice, ratio: float, mine: set[str]
    ) -> a.VoteChoice:
        """On a revised proposal, people are loath to go back on their word: one who did not
        object does not start unless an idea of its own was dropped, and an objector the
        revision moved toward (an idea of its own taken in, or a better package for it)
        can live with it. `mine` holds the live ideas this role contributed to."""
        before = self._answered
        proposal = tuple(state.proposal or ())
        self._answered = (proposal, answer, ratio)
        if before is None or answer != "object":
            return answer
        earlier, said, then = before
        dropped = (mine & set(earlier)) - set(proposal)
        taken_in = (mine & set(proposal)) - set(earlier)
        if said != "object" and not dropped:
            return "live_with"
        if said == "object" and (taken_in or ratio > then + 0.05):
            return "live_with"
        return answer

    def _after_votes(self, state: GameState) -> list[a.Action | None]:
        """Everyone has answered and someone objects: revise, overrule, or the card."""
        leaning = self._leaning()
        card = self._card
        if leaning == "sovereign" and card is not None:
            return [a.PlayMove(self.seat, card), a.Adopt(self.seat)]
        if state.revisions == 0 and (leaning == "facilitator" or self.rng.random() < 0.5):
            return [a.Propose(self.seat, self.revised(state)), a.Adopt(self.seat)]
        return [a.Adopt(self.seat)]

    def revised(self, state: GameState) -> tuple[str, ...]:
        """The proposal revised for its objectors, as a chair who listened would: of the
        packages within budget made of what was proposed, each objector's two and every
        other role's best-supported idea, the one with an idea of the most objectors, then
        of the most roles, then with the most support (what was proposed wins ties)."""
        objectors = {state.role_of(s) for s, choice in state.votes.items() if choice == "object"}
        rnd = self.rules.catalog.rounds[state.round_index]
        budget, size = rnd.budget or 0, rnd.max_ideas or len(state.table)
        points = support(state)
        table = state.table
        proposed = list(state.proposal or ())
        by_role: dict[str, list[str]] = {}
        for i in state.live_ideas():
            for role in table[i].contributors:
                by_role.setdefault(role, []).append(i)
        best_of = [
            i
            for role, ideas in by_role.items()
            for i in sorted(ideas, key=lambda i: -points[i])[: 2 if role in objectors else 1]
        ]
        candidates = list(dict.fromkeys(proposed + best_of))
        # Each candidate's cost, roles, support and whether it was proposed, looked up once:
        # the search below weighs every combination of them.
        facts = [
            (table[i].cost, frozenset(table[i].contributors), points[i], i in proposed)
            for i in candidates
        ]

        def merit(picks: tuple[int, ...]) -> tuple[int, int, int, int]:
            roles = frozenset().union(*(facts[p][1] for p in picks))
            return (
                len(roles & objectors),
                len(roles),
                sum(facts[p][2] for p in picks),
                sum(facts[p][3] for p in picks),
            )

        best = tuple(range(len(proposed)))
        best_merit = merit(best)
        for n in range(1, size + 1):
            for picks in combinations(range(len(candidates)), n):
                if sum(facts[p][0] for p in picks) > budget:
                    continue
                m = merit(picks)
                if m > best_merit:
                    best, best_merit = picks, m
        return tuple(candidates[p] for p in best)


def _spread_over_roles(ordered: list[str], state: GameState) -> list[str]:
    """Reorder so that each next idea brings in the most roles not yet in: a facilitator
    includes everyone, and an idea several roles built together brings in several."""
    left = list(ordered)
    seen: set[str] = set()
    out: list[str] = []
    while left:
        # The first idea (in the given order) of those adding the most new roles.
        best = max(left, key=lambda i: len(set(state.table[i].contributors) - seen))
        if not set(state.table[best].contributors) - seen:
            break
        out.append(best)
        left.remove(best)
        seen |= set(state.table[best].contributors)
    return out + left
