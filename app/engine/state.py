"""The game state: everything the rules need, built only by folding events.

The state is a plain mutable dataclass so that folding a long log stays cheap; `apply`
hands callers a fresh copy, never one it will change later.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

from app.engine.events import Reason, SeatSpec, TableIdea

TRUST_START = 3
TRUST_MAX = 5


@dataclass(slots=True)
class MoveRecord:
    round: int
    seat: str
    role: str
    move: str
    style: str
    target: str | None


@dataclass(slots=True)
class ChoiceRecord:
    round: int
    seat: str | None
    role: str
    event: str
    option: str
    style: str


@dataclass(slots=True)
class RoundScores:
    index: int
    scores: dict[str, float | None]
    reasons: tuple[Reason, ...]
    parts: dict[str, dict[str, float]]
    trust: dict[str, int]


@dataclass(slots=True)
class FramingEntry:
    id: str
    interests: tuple[str, ...]
    text: str | None = None  # set for a player's own framing
    added_by: str | None = None


@dataclass(slots=True)
class GameState:
    scenario: str
    seed: int
    seats: tuple[SeatSpec, ...]
    seated_roles: tuple[str, ...]
    hands: dict[str, list[str]]
    reserve: list[str]
    trust: dict[str, int]
    seq: int = 0
    round_index: int = -1
    phase: str = "lobby"
    status: str = "playing"  # playing | ended
    # per round
    done: set[str] = field(default_factory=set)
    ideas_this_round: dict[str, int] = field(default_factory=dict)
    moves_this_round: dict[tuple[str, str], int] = field(default_factory=dict)
    novelty_boost: int = 0
    round_adjust: list[tuple[str, str, int]] = field(default_factory=list)
    round_trust_sources: dict[str, int] = field(default_factory=dict)
    # Seats that ranked (framings or ideas) in this round. The rankings themselves stay
    # from round to round, each seat's latest counting, so a second frame or rank round
    # needs its own record of who has answered it.
    ranked_this_round: set[str] = field(default_factory=set)
    # frame
    framings: list[FramingEntry] = field(default_factory=list)
    framing_rankings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    framing: str | None = None
    own_framings: int = 0
    # ideas
    table: dict[str, TableIdea] = field(default_factory=dict)
    next_idea: int = 1
    idea_rankings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # dilemma
    event: str | None = None
    advice: dict[str, str] = field(default_factory=dict)
    choices: list[ChoiceRecord] = field(default_factory=list)
    # decide
    proposal: tuple[str, ...] | None = None
    revisions: int = 0
    votes: dict[str, str] = field(default_factory=dict)
    adopted: tuple[str, ...] | None = None
    adopted_how: str | None = None
    # across the game
    contributions: dict[str, int] = field(default_factory=dict)
    moves: list[MoveRecord] = field(default_factory=list)
    score_adjust: dict[str, int] = field(default_factory=dict)
    trust_earned: dict[str, int] = field(default_factory=dict)  # see EffectResult.earned
    politician_card_played: bool = False
    latest_consensus: str = "none"  # none | framings | ideas | votes
    history: list[RoundScores] = field(default_factory=list)
    final_package: tuple[str, ...] | None = None
    goals: dict[str, bool] = field(default_factory=dict)
    insights: tuple[int, ...] = ()

    def clone(self) -> GameState:
        """A copy the caller may change without touching this one.

        Only the containers are copied. What they hold (ideas, framings, round scores,
        moves, choices, tuples, strings) is never changed once made: the rules replace
        entries, they never edit them, so sharing them is safe. A deep copy of the whole
        state was a fifth of the game server's time per intent. The body is generated
        from the fields (`_clone_source`) once, at import.
        """
        raise NotImplementedError  # replaced below, once the class exists

    def role_of(self, seat: str) -> str | None:
        for s in self.seats:
            if s.id == seat:
                return s.role
        return None

    def seat_ids(self) -> list[str]:
        return [s.id for s in self.seats]

    def live_ideas(self) -> list[str]:
        """Table ideas not absorbed into a combined idea, in the order they were played."""
        table = self.table
        memo = _live_memo[0]
        if memo[0] is table and memo[1] == len(table) and memo[2] == self.next_idea:
            return list(memo[3])
        absorbed = {i.base for i in table.values() if i.base}
        live = tuple([i for i in table if i not in absorbed])
        _live_memo[0] = (table, len(table), self.next_idea, live)
        return list(live)


# The live ideas of the table last asked about. The rules and the bots ask many times
# between two ideas (working them out again each time was some 7 % of a simulated game). A
# table only grows, by one idea and one `next_idea` at a time, so the table itself (held
# here, so its identity cannot pass to another dict), its size and `next_idea` tell when
# the answer is still good; a copied state has its own table and is worked out afresh.
_live_memo: list[tuple[dict[str, TableIdea] | None, int, int, tuple[str, ...]]] = [(None, 0, 0, ())]


# The field names of each dataclass `_plain` meets: `dataclasses.fields` builds its answer
# anew at every call, and a digest visits thousands of entries.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and hasattr(value, "__dataclass_fields__"):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 9)
    return value


def state_to_dict(state: GameState) -> dict[str, Any]:
    """A canonical, JSON-ready form of the whole state (for digests and debugging)."""
    data: dict[str, Any] = _plain(state)
    return data


def state_digest(state: GameState) -> str:
    """SHA-256 of the canonical state: equal digests mean equal games."""
    text = json.dumps(state_to_dict(state), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _clone_source() -> str:
    """`GameState.clone` written out field by field.

    A loop over the fields with getattr and setattr was 5 % of the game server's main
    thread under load (py-spy, 300 tables); the same work as straight-line code is a
    third of that. Each field annotated as a list, dict or set gets a copy of its own
    (tests/unit/test_rules.py checks that no container is shared); `hands`, the one
    container of containers the rules edit, is copied a level deeper.
    """
    lines = ["def clone(self):", "    new = _new(GameState)"]
    for f in fields(GameState):
        kind = str(f.type).split("[", 1)[0]
        if f.name == "hands":
            lines.append(
                "    new.hands = {seat: list(cards) for seat, cards in self.hands.items()}"
            )
        elif kind in ("list", "dict", "set"):
            lines.append(f"    new.{f.name} = {kind}(self.{f.name})")
        else:
            lines.append(f"    new.{f.name} = self.{f.name}")
    lines.append("    return new")
    return "\n".join(lines)


def _make_clone() -> Any:
    namespace: dict[str, Any] = {"_new": object.__new__, "GameState": GameState}
    exec(_clone_source(), namespace)  # our own source, built from the fields above
    clone = namespace["clone"]
    clone.__doc__ = GameState.clone.__doc__
    clone.__qualname__ = "GameState.clone"
    return clone


GameState.clone = _make_clone()  # type: ignore[method-assign]
