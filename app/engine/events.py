"""Events: the facts the engine records. A game's state is the fold of its events.

Every value an event needs to be applied is in the event itself (the cards a deal drew,
the scores a round ended with), so replaying a log never needs the random generator
and always reproduces the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Event:
    type: ClassVar[str] = ""


@dataclass(frozen=True, slots=True)
class SeatSpec:
    id: str
    role: str


@dataclass(frozen=True, slots=True)
class EffectResult:
    """What one move or option did, after drawing cards and clamping trust."""

    trust: dict[str, int] = field(default_factory=dict)
    score: dict[str, int] = field(default_factory=dict)
    dealt: dict[str, tuple[str, ...]] = field(default_factory=dict)
    novelty: int = 0
    # The trust each role was given by another's act, before the meter's ends: what the
    # ownership score's trust part counts (a role's own acts earn it no trust).
    earned: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TableIdea:
    id: str
    card: str | None
    title: str
    text: str
    novelty: int
    cost: int
    serves: dict[str, int]
    contributors: tuple[str, ...]
    played_by: tuple[str, ...]
    round: int
    base: str | None = None
    builder: str | None = None  # the seat that built this idea on `base`


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a score moved: a code the explain module words, and what it names."""

    score: str
    code: str
    delta: float
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class GameStarted(Event):
    type: ClassVar[str] = "game_started"
    scenario: str
    seed: int
    seats: tuple[SeatSpec, ...]


@dataclass(frozen=True, slots=True)
class RoundStarted(Event):
    type: ClassVar[str] = "round_started"
    index: int
    round: str
    phase: str
    event: str | None = None


@dataclass(frozen=True, slots=True)
class FramingsRanked(Event):
    type: ClassVar[str] = "framings_ranked"
    seat: str
    order: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FramingAdded(Event):
    type: ClassVar[str] = "framing_added"
    seat: str
    role: str
    framing: str
    text: str
    interests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IdeaPlayed(Event):
    type: ClassVar[str] = "idea_played"
    seat: str
    idea: TableIdea


@dataclass(frozen=True, slots=True)
class SeatPassed(Event):
    type: ClassVar[str] = "seat_passed"
    seat: str


@dataclass(frozen=True, slots=True)
class OptionAdvised(Event):
    type: ClassVar[str] = "option_advised"
    seat: str
    option: str


@dataclass(frozen=True, slots=True)
class OptionChosen(Event):
    type: ClassVar[str] = "option_chosen"
    seat: str | None
    role: str
    event: str
    option: str
    style: str
    effects: EffectResult


@dataclass(frozen=True, slots=True)
class IdeasRanked(Event):
    type: ClassVar[str] = "ideas_ranked"
    seat: str
    order: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PackageProposed(Event):
    type: ClassVar[str] = "package_proposed"
    seat: str | None
    ideas: tuple[str, ...]
    revision: int


@dataclass(frozen=True, slots=True)
class VoteCast(Event):
    type: ClassVar[str] = "vote_cast"
    seat: str
    choice: str


@dataclass(frozen=True, slots=True)
class PackageAdopted(Event):
    type: ClassVar[str] = "package_adopted"
    ideas: tuple[str, ...]
    how: str  # consensus | dissent | politician_card | time_up


@dataclass(frozen=True, slots=True)
class MovePlayed(Event):
    type: ClassVar[str] = "move_played"
    seat: str
    role: str
    move: str
    style: str
    target: str | None
    effects: EffectResult


@dataclass(frozen=True, slots=True)
class PhaseEnded(Event):
    type: ClassVar[str] = "phase_ended"
    index: int
    reason: str  # complete | time_up | advance
    framing: str | None = None


@dataclass(frozen=True, slots=True)
class RoundScored(Event):
    type: ClassVar[str] = "round_scored"
    index: int
    scores: dict[str, float | None]
    reasons: tuple[Reason, ...]
    parts: dict[str, dict[str, float]] = field(default_factory=dict)
    trust: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GameEnded(Event):
    type: ClassVar[str] = "game_ended"
    package: tuple[str, ...]
    goals: dict[str, bool]
    insights: tuple[int, ...]


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        GameStarted,
        RoundStarted,
        FramingsRanked,
        FramingAdded,
        IdeaPlayed,
        SeatPassed,
        OptionAdvised,
        OptionChosen,
        IdeasRanked,
        PackageProposed,
        VoteCast,
        PackageAdopted,
        MovePlayed,
        PhaseEnded,
        RoundScored,
        GameEnded,
    )
}

_NESTED: dict[str, type[Any]] = {
    "effects": EffectResult,
    "idea": TableIdea,
}


# Field names per dataclass: `fields()` builds a fresh tuple at every call, and every
# accepted intent turns its events into dicts for the log.
_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        kind = type(value)
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def event_to_dict(event: Event) -> dict[str, Any]:
    """JSON-ready payload of an event, with its type."""
    data: dict[str, Any] = _plain(event)
    data["type"] = event.type
    return data


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in _NESTED and isinstance(value, dict):
            value = _build(_NESTED[f.name], value)
        elif f.name == "seats":
            value = tuple(SeatSpec(**s) for s in value)
        elif f.name == "reasons":
            value = tuple(Reason(**r) for r in value)
        elif f.name == "dealt":
            value = {k: tuple(v) for k, v in value.items()}
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from its payload (as stored in the log)."""
    cls = EVENT_TYPES[data["type"]]
    event: Event = _build(cls, data)
    return event
