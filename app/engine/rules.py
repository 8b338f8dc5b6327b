"""The rules: check an action, turn it into events, fold events into the state.

`Rules(scenario)` is the engine's entry point. `apply` is pure (it returns a new state and
leaves the given one untouched); `step` does the same in place for callers that own their
state, such as the simulator; `replay` folds a log back into the state it produced.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.engine import actions as a
from app.engine import events as e
from app.engine.catalog import Catalog
from app.engine.outcome import (
    Breakdown,
    breakdown,
    fallback_package,
    holds,
    leading_package,
    reasons,
)
from app.engine.scoring import borda_winner
from app.engine.state import (
    TRUST_MAX,
    TRUST_START,
    ChoiceRecord,
    FramingEntry,
    GameState,
    MoveRecord,
    RoundScores,
)
from app.i18n import Msg, msg
from app.scenarios.models import Effects, Scenario

MAX_TITLE = 80
MAX_TEXT = 400
MAX_IDEAS_RANKED = 3


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why an action was refused; the state is unchanged."""

    code: str
    message: str  # in English: the log's words, and a client's that reads no other
    # The same words to translate into a client's language (app/rooms/room.py said_in);
    # None where there are none.
    said: Msg | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Accepted:
    state: GameState
    events: list[e.Event] = field(default_factory=list)


class RuleError(Exception):
    def __init__(self, code: str, said: Msg) -> None:
        message = said.english()
        super().__init__(message)
        self.rejection = Rejected(code, message, said)


def _fail(code: str, said: Msg) -> RuleError:
    return RuleError(code, said)


# What `_check_order` orders, one and many.
FRAMINGS = (msg("framing"), msg("framings"))
IDEAS = (msg("idea"), msg("ideas"))


@dataclass(frozen=True, slots=True)
class _Seated:
    """A table's seat ids and each seat's role, looked up by id rather than by a scan."""

    seats: tuple[e.SeatSpec, ...]
    ids: frozenset[str]
    roles: dict[str, str]

    @classmethod
    def of(cls, seats: tuple[e.SeatSpec, ...]) -> _Seated:
        # Built back to front so that, as in `GameState.role_of`, the first seat of an id wins.
        roles = {s.id: s.role for s in reversed(seats)}
        return cls(seats, frozenset(roles), roles)


class Rules:
    """The rules of one scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.catalog = Catalog.of(scenario)
        self.scenario = scenario
        # The seats of the table last looked at: a game's seats never change, and every
        # check and phase test needs them (see `_seated`).
        self._last_seated = _Seated.of(())
        # Sets for the membership tests of every move's check (the scenario keeps lists).
        self._role_moves = {r: frozenset(m) for r, m in self.catalog.role_moves.items()}
        self._move_phases = {m.id: frozenset(m.phases) for m in self.catalog.moves.values()}
        self._event_options = {ev.id: frozenset(o.id for o in ev.options) for ev in scenario.events}

    # --- entry points ---------------------------------------------------------------

    def start(self, seats: Sequence[e.SeatSpec], seed: int) -> Accepted:
        """A new game with these seats: validated, started, first round opened."""
        self._check_seats(seats)
        state = self._blank()
        events: list[e.Event] = []
        self._emit(state, events, e.GameStarted(self.scenario.id, seed, tuple(seats)))
        self._open_round(state, events, 0)
        return Accepted(state, events)

    def apply(self, state: GameState, action: a.Action) -> Accepted | Rejected:
        """The new state and events for an action, or why it was refused."""
        work = state.clone()
        result = self.step(work, action)
        if isinstance(result, Rejected):
            return result
        return Accepted(work, result)

    def step(self, state: GameState, action: a.Action) -> list[e.Event] | Rejected:
        """`apply` in place: on rejection the state is untouched."""
        try:
            self._check(state, action)
        except RuleError as err:
            return err.rejection
        events: list[e.Event] = []
        self._perform(state, events, action)
        return events

    def perform(self, state: GameState, action: a.Action) -> list[e.Event]:
        """`step` for an action that `check` has just accepted on this very state.

        The simulator's bots check every intent they offer; checking it a second time was
        about a twentieth of a simulated game. Any action from outside must go through `step`.
        """
        events: list[e.Event] = []
        self._perform(state, events, action)
        return events

    def check(self, state: GameState, action: a.Action) -> Rejected | None:
        """Whether an action would be accepted, without changing anything."""
        try:
            self._check(state, action)
        except RuleError as err:
            return err.rejection
        return None

    def replay(self, events: Iterable[e.Event]) -> GameState:
        """The state a log of events produces."""
        state = self._blank()
        for event in events:
            self.evolve(state, event)
        return state

    # --- checks ---------------------------------------------------------------------

    def _check_seats(self, seats: Sequence[e.SeatSpec]) -> None:
        ids = [s.id for s in seats]
        if len(set(ids)) != len(ids):
            raise ValueError("seat ids must be unique")
        for seat in seats:
            if seat.role not in self.catalog.roles:
                raise ValueError(f"unknown role {seat.role!r}")
        for role in self.scenario.roles:
            n = sum(1 for s in seats if s.role == role.id)
            if n < role.seats.min or n > role.seats.max:
                raise ValueError(
                    f"role {role.id!r} needs {role.seats.min}..{role.seats.max} seats, got {n}"
                )

    def _seated(self, state: GameState) -> _Seated:
        """Seat ids and roles of this state's table.

        Kept for the last table seen, recognised by the identity of its seats tuple (which
        is never changed in place), so a simulated game works them out once, not at every
        intent. A copied state has its own tuple and is simply worked out again.
        """
        seated = self._last_seated
        if seated.seats is not state.seats:
            seated = _Seated.of(state.seats)
            self._last_seated = seated
        return seated

    def _check(self, state: GameState, action: a.Action) -> None:
        if state.status == "ended":
            raise _fail("game_over", msg("the game has ended"))
        if state.round_index < 0:
            raise _fail("not_started", msg("the game has not started"))
        if isinstance(action, a.EndPhase):
            if action.reason not in ("time_up", "advance"):
                raise _fail("invalid", msg("end_phase reason must be 'time_up' or 'advance'"))
            return
        if not isinstance(action, a.SeatAction):
            raise _fail("invalid", msg("unknown action"))
        role = self._seated(state).roles.get(action.seat)
        if role is None:
            raise _fail("unknown_seat", msg("no seat {seat!r} at this table", seat=action.seat))
        checker = _CHECKS.get(type(action))
        if checker is None:
            raise _fail("invalid", msg("unknown action {type!r}", type=action.type))
        checker(self, state, action, role)

    def _need_phase(self, state: GameState, *phases: str) -> None:
        if state.phase not in phases:
            wanted = "/".join(phases)
            raise _fail(
                "wrong_phase",
                msg(
                    "that belongs to the {wanted} phase; now: {now}", wanted=wanted, now=state.phase
                ),
            )

    def _check_rank_framings(self, state: GameState, act: a.RankFramings, role: str) -> None:
        self._need_phase(state, "frame")
        known = {f.id for f in state.framings}
        _check_order(act.order, known, FRAMINGS, len(known))

    def _check_add_framing(self, state: GameState, act: a.AddFraming, role: str) -> None:
        self._need_phase(state, "frame")
        if any(f.added_by == act.seat for f in state.framings):
            raise _fail("limit_reached", msg("each player may add one framing of their own"))
        _check_text(act.text, msg("the framing"), MAX_TEXT)
        self._check_interests(act.interests)

    def _check_interests(self, interests: Sequence[str]) -> None:
        known = {i.id for i in self.scenario.interests}
        for interest in interests:
            if interest not in known:
                raise _fail("unknown_id", msg("no interest {id!r} in this scenario", id=interest))

    def _check_idea_quota(self, state: GameState, seat: str) -> None:
        self._need_phase(state, "ideate")
        limit = self.catalog.rounds[state.round_index].ideas_per_player
        if seat in state.done:
            raise _fail("limit_reached", msg("you have already finished this phase"))
        if state.ideas_this_round.get(seat, 0) >= limit:
            raise _fail("limit_reached", msg("at most {n} ideas per player in this round", n=limit))

    def _check_card(self, state: GameState, card: str, role: str) -> None:
        if card not in state.hands.get(role, []):
            raise _fail("not_in_hand", msg("the idea card {id!r} is not in your hand", id=card))

    def _check_play_idea(self, state: GameState, act: a.PlayIdea, role: str) -> None:
        self._check_idea_quota(state, act.seat)
        self._check_card(state, act.idea, role)

    def _check_write_idea(self, state: GameState, act: a.WriteIdea, role: str) -> None:
        self._check_idea_quota(state, act.seat)
        _check_text(act.title, msg("the title"), MAX_TITLE)
        _check_text(act.text, msg("the text"), MAX_TEXT, required=False)
        self._check_interests(act.interests)

    def _check_build_on(self, state: GameState, act: a.BuildOn, role: str) -> None:
        self._check_idea_quota(state, act.seat)
        if act.base not in state.live_ideas():
            raise _fail("unknown_id", msg("no idea {id!r} on the table to build on", id=act.base))
        if act.idea is not None:
            self._check_card(state, act.idea, role)
        else:
            _check_text(act.title or "", msg("the title"), MAX_TITLE)
        _check_text(act.text, msg("the text"), MAX_TEXT, required=False)

    def _check_pass(self, state: GameState, act: a.Pass, role: str) -> None:
        self._need_phase(state, "frame", "ideate", "dilemma", "rank")

    def _check_option(self, state: GameState, option: str) -> None:
        self._need_phase(state, "dilemma")
        if option not in self._event_options[state.event or ""]:
            raise _fail("unknown_id", msg("the dilemma has no option {id!r}", id=option))

    def _check_advise(self, state: GameState, act: a.Advise, role: str) -> None:
        self._check_option(state, act.option)
        # Advice is what the others give the one who decides; counted in by time-up, the
        # decider's own "advice" would be a second say in their own choice.
        if role == self.event_target(state):
            raise _fail("not_your_turn", msg("you decide this dilemma: the others advise you"))

    def _check_choose(self, state: GameState, act: a.ChooseOption, role: str) -> None:
        self._check_option(state, act.option)
        target = self.event_target(state)
        if role != target:
            name = self.catalog.roles[target].id
            raise _fail(
                "not_your_turn", msg("only the {role} chooses how to meet this dilemma", role=name)
            )

    def _check_rank_ideas(self, state: GameState, act: a.RankIdeas, role: str) -> None:
        self._need_phase(state, "rank")
        live = set(state.live_ideas())
        _check_order(act.order, live, IDEAS, MAX_IDEAS_RANKED)
        own = [i for i in act.order if act.seat in state.table[i].played_by]
        if len(own) > 1:
            raise _fail("invalid", msg("rank at most one of your own ideas"))

    def _check_chair(self, role: str, only_chair: Msg) -> None:
        if role != self.catalog.chair:
            raise _fail("not_your_turn", only_chair)

    def _all_voted(self, state: GameState) -> bool:
        return len(state.votes) == len(state.seats)

    def _check_propose(self, state: GameState, act: a.Propose, role: str) -> None:
        self._need_phase(state, "decide")
        self._check_chair(role, msg("only the chair may propose a package"))
        if state.proposal is not None:
            if state.revisions >= 1:
                raise _fail("limit_reached", msg("the chair may revise the proposal only once"))
            if not self._all_voted(state):
                raise _fail("not_your_turn", msg("wait until everyone has answered the proposal"))
        live = set(state.live_ideas())
        _check_order(act.ideas, live, IDEAS, len(live))
        rnd = self.catalog.rounds[state.round_index]
        if rnd.max_ideas is not None and len(act.ideas) > rnd.max_ideas:
            raise _fail("too_many", msg("a package may hold at most {n} ideas", n=rnd.max_ideas))
        budget = rnd.budget or 0
        cost = sum(state.table[i].cost for i in act.ideas)
        if cost > budget:
            raise _fail(
                "over_budget",
                msg("the package costs {cost}, the budget is {budget}", cost=cost, budget=budget),
            )

    def _check_vote(self, state: GameState, act: a.Vote, role: str) -> None:
        self._need_phase(state, "decide")
        if state.proposal is None:
            raise _fail("not_your_turn", msg("there is no proposal to answer yet"))
        if act.choice not in a.VOTE_CHOICES:
            raise _fail("invalid", msg("answer accept, live_with or object"))
        if act.seat in state.votes:
            raise _fail("limit_reached", msg("you have already answered this proposal"))

    def _check_adopt(self, state: GameState, act: a.Adopt, role: str) -> None:
        self._need_phase(state, "decide")
        self._check_chair(role, msg("only the chair may adopt the proposal"))
        if state.proposal is None or not self._all_voted(state):
            raise _fail("not_your_turn", msg("everyone must answer the proposal first"))

    def _check_move(self, state: GameState, act: a.PlayMove, role: str) -> None:
        move = self.catalog.moves.get(act.move)
        if move is None or act.move not in self._role_moves[role]:
            raise _fail("not_allowed", msg("your role cannot play the move {id!r}", id=act.move))
        if state.phase not in self._move_phases[act.move]:
            raise _fail(
                "wrong_phase",
                msg("{id!r} cannot be played in the {now} phase", id=act.move, now=state.phase),
            )
        used = state.moves_this_round.get((act.seat, act.move), 0)
        if used >= move.per_round:
            raise _fail(
                "limit_reached",
                msg("{id!r} may be played {n}× a round", id=act.move, n=move.per_round),
            )
        if move.target:
            if act.target not in state.seated_roles or act.target == role:
                raise _fail("invalid", msg("name another role at the table as the move's target"))
        elif act.target is not None:
            raise _fail("invalid", msg("{id!r} takes no target", id=act.move))
        if move.politician_card and (state.proposal is None or state.adopted_how is not None):
            raise _fail("not_your_turn", msg("the politician card needs a proposal on the table"))

    # --- performing -----------------------------------------------------------------

    def _perform(self, state: GameState, events: list[e.Event], action: a.Action) -> None:
        if isinstance(action, a.EndPhase):
            self._close_phase(state, events, action.reason)
            return
        assert isinstance(action, a.SeatAction)
        seated = self._seated(state)
        role = seated.roles.get(action.seat) or ""
        # One lookup by type (as `_check` does) rather than a `match` trying each class.
        performer = _PERFORM.get(type(action))
        if performer is not None:
            performer(self, state, events, action, role)
        if state.status != "ended" and state.phase != "closed" and self._complete(state, seated):
            self._close_phase(state, events, "complete")

    def _do_move(self, state: GameState, events: list[e.Event], act: a.PlayMove, role: str) -> None:
        move = self.catalog.moves[act.move]
        effects = self._resolve(state, move.effects, role, act.target, f"move:{act.move}")
        played = e.MovePlayed(act.seat, role, act.move, move.style, act.target, effects)
        self._emit(state, events, played)
        if move.politician_card:
            self._adopt(state, events, "politician_card")

    def _do_pass(self, state: GameState, events: list[e.Event], act: a.Pass, role: str) -> None:
        self._emit(state, events, e.SeatPassed(act.seat))

    def _do_play_idea(
        self, state: GameState, events: list[e.Event], act: a.PlayIdea, role: str
    ) -> None:
        idea = self._card_idea(state, act.seat, act.idea, role)
        self._emit(state, events, e.IdeaPlayed(act.seat, idea))

    def _do_write_idea(
        self, state: GameState, events: list[e.Event], act: a.WriteIdea, role: str
    ) -> None:
        self._emit(state, events, e.IdeaPlayed(act.seat, self._own_idea(state, act)))

    def _do_build_on(
        self, state: GameState, events: list[e.Event], act: a.BuildOn, role: str
    ) -> None:
        self._emit(state, events, e.IdeaPlayed(act.seat, self._built(state, act)))

    def _do_advise(self, state: GameState, events: list[e.Event], act: a.Advise, role: str) -> None:
        self._emit(state, events, e.OptionAdvised(act.seat, act.option))

    def _do_choose(
        self, state: GameState, events: list[e.Event], act: a.ChooseOption, role: str
    ) -> None:
        self._choose(state, events, act.seat, act.option)

    def _objections(self, state: GameState) -> bool:
        """Whether anyone but the proposer objects to the proposal on the table."""
        chair = self.catalog.chair
        roles = self._seated(state).roles
        return any(v == "object" and roles.get(s) != chair for s, v in state.votes.items())

    def _do_vote(self, state: GameState, events: list[e.Event], act: a.Vote, role: str) -> None:
        self._emit(state, events, e.VoteCast(act.seat, act.choice))
        if self._all_voted(state):
            if not self._objections(state):
                self._adopt(state, events, "consensus")
            elif state.revisions >= 1:
                self._adopt(state, events, "dissent")

    def _do_rank_framings(
        self, state: GameState, events: list[e.Event], act: a.RankFramings, role: str
    ) -> None:
        self._emit(state, events, e.FramingsRanked(act.seat, act.order))

    def _do_add_framing(
        self, state: GameState, events: list[e.Event], act: a.AddFraming, role: str
    ) -> None:
        framing_id = f"own-{state.own_framings + 1}"
        added = e.FramingAdded(act.seat, role, framing_id, act.text.strip(), act.interests)
        self._emit(state, events, added)

    def _do_rank_ideas(
        self, state: GameState, events: list[e.Event], act: a.RankIdeas, role: str
    ) -> None:
        self._emit(state, events, e.IdeasRanked(act.seat, act.order))

    def _do_propose(
        self, state: GameState, events: list[e.Event], act: a.Propose, role: str
    ) -> None:
        revision = 0 if state.proposal is None else state.revisions + 1
        self._emit(state, events, e.PackageProposed(act.seat, act.ideas, revision))

    def _do_adopt(self, state: GameState, events: list[e.Event], act: a.Adopt, role: str) -> None:
        if not self._objections(state):
            how = "consensus"
        else:
            how = "dissent" if state.revisions >= 1 else "overruled"
        self._adopt(state, events, how)

    def _emit(self, state: GameState, events: list[e.Event], event: e.Event) -> None:
        # `evolve`, written out: every event of a game passes here.
        state.seq += 1
        _EVOLVE[type(event)](self, state, event)
        events.append(event)

    def _card_idea(self, state: GameState, seat: str, card: str, role: str) -> e.TableIdea:
        idea = self.catalog.ideas[card]
        return e.TableIdea(
            id=f"i{state.next_idea}",
            card=card,
            title=idea.id,
            text="",
            novelty=_bounded(idea.novelty + state.novelty_boost),
            cost=idea.cost,
            serves=dict(idea.serves),
            contributors=(role,),
            played_by=(seat,),
            round=state.round_index,
        )

    def _own_idea(self, state: GameState, act: a.WriteIdea) -> e.TableIdea:
        own = self.scenario.scoring.own_idea
        role = self._seated(state).roles.get(act.seat) or ""
        return e.TableIdea(
            id=f"i{state.next_idea}",
            card=None,
            title=act.title.strip(),
            text=act.text.strip(),
            novelty=_bounded(own.novelty + state.novelty_boost),
            cost=own.cost,
            serves=dict.fromkeys(act.interests, own.serves),
            contributors=(role,),
            played_by=(act.seat,),
            round=state.round_index,
        )

    def _built(self, state: GameState, act: a.BuildOn) -> e.TableIdea:
        base = state.table[act.base]
        if act.idea is not None:
            role = self._seated(state).roles.get(act.seat) or ""
            addition = self._card_idea(state, act.seat, act.idea, role)
        else:
            addition = self._own_idea(state, a.WriteIdea(act.seat, act.title or "", act.text, ()))
        serves = dict(base.serves)
        for interest, weight in addition.serves.items():
            serves[interest] = max(-3, min(3, serves.get(interest, 0) + weight))
        low, high = sorted((base.cost, addition.cost))
        return e.TableIdea(
            id=f"i{state.next_idea}",
            card=addition.card,
            title=addition.title,
            text=act.text.strip(),
            novelty=max(base.novelty, addition.novelty),
            cost=high + math.ceil(low / 2),
            serves=serves,
            contributors=_union(base.contributors, addition.contributors),
            played_by=_union(base.played_by, addition.played_by),
            round=state.round_index,
            base=base.id,
            builder=act.seat,
        )

    def event_target(self, state: GameState) -> str:
        """The role that chooses how to meet this round's dilemma."""
        event = self.catalog.events[state.event or ""]
        target = event.target or self.catalog.chair
        return target if target in state.seated_roles else self.catalog.chair

    def _choose(
        self, state: GameState, events: list[e.Event], seat: str | None, option: str
    ) -> None:
        event = self.catalog.events[state.event or ""]
        chosen = next(o for o in event.options if o.id == option)
        role = self.event_target(state)
        effects = self._resolve(state, chosen.effects, role, None, f"option:{option}")
        made = e.OptionChosen(seat, role, event.id, option, chosen.style, effects)
        self._emit(state, events, made)

    def _adopt(self, state: GameState, events: list[e.Event], how: str) -> None:
        self._emit(state, events, e.PackageAdopted(state.proposal or (), how))

    def _resolve(
        self, state: GameState, effects: Effects, actor: str, target: str | None, source: str
    ) -> e.EffectResult:
        """Concrete deltas of an effect list: who gains trust, which cards are drawn."""
        # Many effects touch only some of trust, score and cards: the empty parts are skipped.
        trust: dict[str, int] = {}
        earned: dict[str, int] = {}
        if effects.trust:
            wanted: dict[str, int] = {}
            for who, delta in effects.trust.items():
                for role in self._who(state, who, actor, target):
                    wanted[role] = wanted.get(role, 0) + delta
            now = state.trust
            for r, d in wanted.items():
                change = max(0, min(TRUST_MAX, now[r] + d)) - now[r]
                if change:
                    trust[r] = change
            earned = {r: d for r, d in wanted.items() if d and r != actor}
        dealt: dict[str, tuple[str, ...]] = {}
        if effects.deal:
            dealt = self._deal(state, effects, actor, target, source)
        return e.EffectResult(
            trust=trust,
            score={str(k): v for k, v in effects.score.items()} if effects.score else {},
            dealt=dealt,
            novelty=effects.novelty,
            earned=earned,
        )

    def _deal(
        self, state: GameState, effects: Effects, actor: str, target: str | None, source: str
    ) -> dict[str, tuple[str, ...]]:
        """The cards a `deal` effect draws from the reserve.

        Kept apart so that the string-seeded generator (a SHA-512 of the seed each time) is
        built only for the few effects that deal, not for every move.
        """
        dealt: dict[str, tuple[str, ...]] = {}
        reserve = list(state.reserve)
        rng = random.Random(f"{state.seed}:{state.seq}:{source}")
        for who, count in effects.deal.items():
            for role in self._who(state, who, actor, target):
                drawn = tuple(rng.sample(reserve, min(count, len(reserve))))
                reserve = [c for c in reserve if c not in drawn]
                if drawn:
                    dealt[role] = dealt.get(role, ()) + drawn
        return dealt

    def _who(self, state: GameState, who: str, actor: str, target: str | None) -> list[str]:
        if who == "all":
            return list(state.seated_roles)
        if who == "self":
            return [actor]
        if who == "target":
            return [target] if target else []
        if who in self.catalog.roles:
            return [who] if who in state.seated_roles else []
        return [r for r in state.seated_roles if self.catalog.roles[r].kind == who]

    # --- phases -----------------------------------------------------------------------

    def _complete(self, state: GameState, seated: _Seated | None = None) -> bool:
        # Asked after every intent, so it works on sets rather than seat by seat.
        seats = (seated or self._seated(state)).ids
        if state.phase == "frame":
            return seats.issubset(state.done.union(state.ranked_this_round))
        if state.phase == "ideate":
            limit = self.catalog.rounds[state.round_index].ideas_per_player
            counts = state.ideas_this_round
            return all(counts.get(s, 0) >= limit for s in seats.difference(state.done))
        if state.phase == "rank":
            return seats.issubset(state.done.union(state.ranked_this_round))
        if state.phase == "dilemma":
            return any(c.round == state.round_index for c in state.choices)
        if state.phase == "decide":
            return state.adopted_how is not None
        return False

    def _close_phase(self, state: GameState, events: list[e.Event], reason: str) -> None:
        index = state.round_index
        if state.phase == "dilemma" and not self._complete(state):
            self._choose(state, events, None, self._default_option(state))
        if state.phase == "decide" and state.adopted_how is None:
            if state.proposal is None:
                rnd = self.catalog.rounds[index]
                package = fallback_package(state, rnd.budget, rnd.max_ideas)
                self._emit(state, events, e.PackageProposed(None, package, 0))
            self._adopt(state, events, "time_up")
        framing = None
        if state.phase == "frame":
            items = [f.id for f in state.framings]
            framing = borda_winner(list(state.framing_rankings.values()), items)
        before: Breakdown | None = self._last_breakdown(state)
        self._emit(state, events, e.PhaseEnded(index, reason, framing))
        after = breakdown(state, self.catalog)
        why = reasons(before, after, state)
        self._emit(
            state, events, e.RoundScored(index, after.scores, why, after.parts, dict(state.trust))
        )
        if index + 1 < len(self.catalog.rounds):
            self._open_round(state, events, index + 1)
        else:
            self._finish(state, events)

    def _last_breakdown(self, state: GameState) -> Breakdown | None:
        if not state.history:
            return None
        last = state.history[-1]
        return Breakdown(scores=last.scores, parts=last.parts)

    def _default_option(self, state: GameState) -> str:
        """Out of time: the option most players advised, else the first."""
        event = self.catalog.events[state.event or ""]
        options = [o.id for o in event.options]
        advised = list(state.advice.values())
        return max(options, key=lambda o: (advised.count(o), -options.index(o)))

    def _open_round(self, state: GameState, events: list[e.Event], index: int) -> None:
        rnd = self.catalog.rounds[index]
        self._emit(state, events, e.RoundStarted(index, rnd.id, rnd.phase, rnd.event))

    def _finish(self, state: GameState, events: list[e.Event]) -> None:
        package = (
            state.adopted if state.adopted is not None else leading_package(state, self.catalog)
        )
        goals = {
            role.id: holds(role.goal.when, state, self.catalog, package)
            for role in self.scenario.roles
            if role.goal is not None and role.id in state.seated_roles
        }
        insights = tuple(
            i
            for i, insight in enumerate(self.scenario.debrief.insights)
            if holds(insight.when, state, self.catalog, package)
        )
        self._emit(state, events, e.GameEnded(package, goals, insights))

    # --- folding events ---------------------------------------------------------------

    def _blank(self) -> GameState:
        return GameState(
            scenario=self.scenario.id,
            seed=0,
            seats=(),
            seated_roles=(),
            hands={},
            reserve=[],
            trust={},
        )

    def evolve(self, state: GameState, event: e.Event) -> None:
        """Fold one event into the state, in place."""
        state.seq += 1
        handler = _EVOLVE[type(event)]
        handler(self, state, event)

    def _on_started(self, state: GameState, ev: e.GameStarted) -> None:
        state.seed = ev.seed
        state.seats = ev.seats
        state.seated_roles = tuple(
            r.id for r in self.scenario.roles if any(s.role == r.id for s in ev.seats)
        )
        state.hands = {r: list(self.catalog.roles[r].hand) for r in state.seated_roles}
        state.reserve = self.catalog.reserve()
        state.trust = dict.fromkeys(state.seated_roles, TRUST_START)
        state.contributions = dict.fromkeys(state.seated_roles, 0)
        state.framings = [FramingEntry(f.id, tuple(f.interests)) for f in self.scenario.framings]

    def _on_round(self, state: GameState, ev: e.RoundStarted) -> None:
        state.round_index = ev.index
        state.phase = ev.phase
        state.done = set()
        state.ideas_this_round = {}
        state.moves_this_round = {}
        state.novelty_boost = 0
        state.round_adjust = []
        state.round_trust_sources = {}
        state.ranked_this_round = set()
        state.event = ev.event
        state.advice = {}
        if ev.phase in ("frame", "rank", "decide") and "consensus" in state.score_adjust:
            # These rounds measure agreement afresh: earlier consensus effects stop counting.
            state.score_adjust = {**state.score_adjust, "consensus": 0}
        if ev.phase == "decide":
            state.proposal = None
            state.revisions = 0
            state.votes = {}
            state.adopted_how = None

    def _on_framings_ranked(self, state: GameState, ev: e.FramingsRanked) -> None:
        state.framing_rankings[ev.seat] = ev.order
        state.ranked_this_round.add(ev.seat)
        state.latest_consensus = "framings"

    def _on_framing_added(self, state: GameState, ev: e.FramingAdded) -> None:
        state.framings.append(FramingEntry(ev.framing, ev.interests, ev.text, ev.seat))
        state.own_framings += 1
        state.contributions[ev.role] = state.contributions.get(ev.role, 0) + 1

    def _on_idea(self, state: GameState, ev: e.IdeaPlayed) -> None:
        idea = ev.idea
        state.table[idea.id] = idea
        state.next_idea += 1
        state.ideas_this_round[ev.seat] = state.ideas_this_round.get(ev.seat, 0) + 1
        role = self._seated(state).roles.get(ev.seat) or ""
        if idea.card is not None and idea.card in state.hands.get(role, []):
            state.hands[role].remove(idea.card)
        state.contributions[role] = state.contributions.get(role, 0) + 1

    def _on_passed(self, state: GameState, ev: e.SeatPassed) -> None:
        state.done.add(ev.seat)

    def _on_advised(self, state: GameState, ev: e.OptionAdvised) -> None:
        state.advice[ev.seat] = ev.option

    def _on_chosen(self, state: GameState, ev: e.OptionChosen) -> None:
        state.choices.append(
            ChoiceRecord(state.round_index, ev.seat, ev.role, ev.event, ev.option, ev.style)
        )
        self._apply_effects(state, ev.effects, f"option:{ev.option}")

    def _on_ideas_ranked(self, state: GameState, ev: e.IdeasRanked) -> None:
        state.idea_rankings[ev.seat] = ev.order
        state.ranked_this_round.add(ev.seat)
        state.latest_consensus = "ideas"

    def _on_proposed(self, state: GameState, ev: e.PackageProposed) -> None:
        state.proposal = ev.ideas
        state.revisions = ev.revision
        state.votes = {}

    def _on_vote(self, state: GameState, ev: e.VoteCast) -> None:
        state.votes[ev.seat] = ev.choice
        state.latest_consensus = "votes"

    def _on_adopted(self, state: GameState, ev: e.PackageAdopted) -> None:
        state.adopted = ev.ideas
        state.adopted_how = ev.how
        if ev.how == "politician_card":
            state.politician_card_played = True
            penalty = self.scenario.scoring.politician_card_penalty
            self._adjust(state, "ownership", "politician_card", -penalty)

    def _on_move(self, state: GameState, ev: e.MovePlayed) -> None:
        key = (ev.seat, ev.move)
        state.moves_this_round[key] = state.moves_this_round.get(key, 0) + 1
        state.moves.append(
            MoveRecord(state.round_index, ev.seat, ev.role, ev.move, ev.style, ev.target)
        )
        self._apply_effects(state, ev.effects, f"move:{ev.move}")

    def _on_phase_ended(self, state: GameState, ev: e.PhaseEnded) -> None:
        if ev.framing is not None:
            state.framing = ev.framing
        state.phase = "closed"

    def _on_scored(self, state: GameState, ev: e.RoundScored) -> None:
        state.history.append(
            RoundScores(ev.index, dict(ev.scores), ev.reasons, ev.parts, dict(ev.trust))
        )

    def _on_ended(self, state: GameState, ev: e.GameEnded) -> None:
        state.final_package = ev.package
        state.goals = dict(ev.goals)
        state.insights = ev.insights
        state.status = "ended"
        state.phase = "ended"

    def _apply_effects(self, state: GameState, fx: e.EffectResult, source: str) -> None:
        for role, delta in fx.trust.items():
            state.trust[role] = state.trust[role] + delta
        for role, delta in fx.earned.items():
            state.trust_earned[role] = state.trust_earned.get(role, 0) + delta
            state.round_trust_sources[source] = state.round_trust_sources.get(source, 0) + delta
        for score, points in fx.score.items():
            self._adjust(state, score, source, points)
        for role, cards in fx.dealt.items():
            state.hands.setdefault(role, []).extend(cards)
            state.reserve = [c for c in state.reserve if c not in cards]
        if abs(fx.novelty) > abs(state.novelty_boost):
            # The strongest novelty effect of the round holds; they do not add up, or a few
            # bold moves would make every later idea radical.
            state.novelty_boost = fx.novelty

    def _adjust(self, state: GameState, score: str, source: str, points: int) -> None:
        state.score_adjust[score] = state.score_adjust.get(score, 0) + points
        state.round_adjust.append((score, source, points))


def _bounded(novelty: int) -> int:
    return max(0, min(3, novelty))


def _union(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *second]))


def _check_text(text: str, what: Msg, limit: int, required: bool = True) -> None:
    if not isinstance(text, str):
        raise _fail("invalid", msg("{what} must be text", what=what))
    if required and not text.strip():
        raise _fail("invalid", msg("{what} must not be empty", what=what))
    if len(text) > limit:
        raise _fail("too_long", msg("{what} may be at most {n} characters", what=what, n=limit))


def _check_order(order: Sequence[str], known: set[str], words: tuple[Msg, Msg], limit: int) -> None:
    """`words`: what is ordered, one and many (framing, framings)."""
    what, whats = words
    if not order:
        raise _fail("invalid", msg("name at least one {what}", what=what))
    if len(set(order)) != len(order):
        raise _fail("invalid", msg("each {what} may appear only once", what=what))
    if len(order) > limit:
        raise _fail("invalid", msg("name at most {n} {what}", what=whats, n=limit))
    for item in order:
        if item not in known:
            raise _fail("unknown_id", msg("no {what} {id!r} here", what=what, id=item))


_CHECKS: dict[type[a.Action], Callable[[Rules, GameState, Any, str], None]] = {
    a.RankFramings: Rules._check_rank_framings,
    a.AddFraming: Rules._check_add_framing,
    a.PlayIdea: Rules._check_play_idea,
    a.WriteIdea: Rules._check_write_idea,
    a.BuildOn: Rules._check_build_on,
    a.Pass: Rules._check_pass,
    a.Advise: Rules._check_advise,
    a.ChooseOption: Rules._check_choose,
    a.RankIdeas: Rules._check_rank_ideas,
    a.Propose: Rules._check_propose,
    a.Vote: Rules._check_vote,
    a.Adopt: Rules._check_adopt,
    a.PlayMove: Rules._check_move,
}

_PERFORM: dict[type[a.Action], Callable[[Rules, GameState, list[e.Event], Any, str], None]] = {
    a.RankFramings: Rules._do_rank_framings,
    a.AddFraming: Rules._do_add_framing,
    a.PlayIdea: Rules._do_play_idea,
    a.WriteIdea: Rules._do_write_idea,
    a.BuildOn: Rules._do_build_on,
    a.Pass: Rules._do_pass,
    a.Advise: Rules._do_advise,
    a.ChooseOption: Rules._do_choose,
    a.RankIdeas: Rules._do_rank_ideas,
    a.Propose: Rules._do_propose,
    a.Vote: Rules._do_vote,
    a.Adopt: Rules._do_adopt,
    a.PlayMove: Rules._do_move,
}

_EVOLVE: dict[type[e.Event], Callable[[Rules, GameState, Any], None]] = {
    e.GameStarted: Rules._on_started,
    e.RoundStarted: Rules._on_round,
    e.FramingsRanked: Rules._on_framings_ranked,
    e.FramingAdded: Rules._on_framing_added,
    e.IdeaPlayed: Rules._on_idea,
    e.SeatPassed: Rules._on_passed,
    e.OptionAdvised: Rules._on_advised,
    e.OptionChosen: Rules._on_chosen,
    e.IdeasRanked: Rules._on_ideas_ranked,
    e.PackageProposed: Rules._on_proposed,
    e.VoteCast: Rules._on_vote,
    e.PackageAdopted: Rules._on_adopted,
    e.MovePlayed: Rules._on_move,
    e.PhaseEnded: Rules._on_phase_ended,
    e.RoundScored: Rules._on_scored,
    e.GameEnded: Rules._on_ended,
}
