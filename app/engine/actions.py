"""Intents: what a seat (or the system, or the facilitator) asks the engine to do.

Actions are plain frozen dataclasses so that any client's JSON can be turned into one by
`action_from_dict` and checked by the rules; none of them is trusted.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, dataclass, fields
from typing import Any, ClassVar, Literal

VoteChoice = Literal["accept", "live_with", "object"]
VOTE_CHOICES: tuple[str, ...] = ("accept", "live_with", "object")


@dataclass(frozen=True, slots=True)
class Action:
    type: ClassVar[str] = ""


@dataclass(frozen=True, slots=True)
class SeatAction(Action):
    seat: str


@dataclass(frozen=True, slots=True)
class RankFramings(SeatAction):
    type: ClassVar[str] = "rank_framings"
    order: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AddFraming(SeatAction):
    type: ClassVar[str] = "add_framing"
    text: str
    interests: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlayIdea(SeatAction):
    type: ClassVar[str] = "play_idea"
    idea: str


@dataclass(frozen=True, slots=True)
class WriteIdea(SeatAction):
    type: ClassVar[str] = "write_idea"
    title: str
    text: str = ""
    interests: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildOn(SeatAction):
    """Combine a table idea with a card from hand, or with a few words of one's own."""

    type: ClassVar[str] = "build_on"
    base: str
    idea: str | None = None
    title: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Pass(SeatAction):
    """The seat has done what it wants this phase."""

    type: ClassVar[str] = "pass"


@dataclass(frozen=True, slots=True)
class Advise(SeatAction):
    type: ClassVar[str] = "advise"
    option: str


@dataclass(frozen=True, slots=True)
class ChooseOption(SeatAction):
    type: ClassVar[str] = "choose_option"
    option: str


@dataclass(frozen=True, slots=True)
class RankIdeas(SeatAction):
    type: ClassVar[str] = "rank_ideas"
    order: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Propose(SeatAction):
    type: ClassVar[str] = "propose"
    ideas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vote(SeatAction):
    type: ClassVar[str] = "vote"
    choice: VoteChoice


@dataclass(frozen=True, slots=True)
class Adopt(SeatAction):
    """The chair adopts the proposal as answered, objections included (see docs/scoring.md)."""

    type: ClassVar[str] = "adopt"


@dataclass(frozen=True, slots=True)
class PlayMove(SeatAction):
    type: ClassVar[str] = "play_move"
    move: str
    target: str | None = None


@dataclass(frozen=True, slots=True)
class EndPhase(Action):
    """The phase's time is up, or the facilitator advances it."""

    type: ClassVar[str] = "end_phase"
    reason: Literal["time_up", "advance"] = "time_up"


ACTION_TYPES: dict[str, type[Action]] = {
    cls.type: cls
    for cls in (
        RankFramings,
        AddFraming,
        PlayIdea,
        WriteIdea,
        BuildOn,
        Pass,
        Advise,
        ChooseOption,
        RankIdeas,
        Propose,
        Vote,
        Adopt,
        PlayMove,
        EndPhase,
    )
}

_TUPLE_FIELDS = {"order", "interests", "ideas"}


def action_to_dict(action: Action) -> dict[str, Any]:
    data: dict[str, Any] = {"type": action.type}
    for f in fields(action):
        value = getattr(action, f.name)
        data[f.name] = list(value) if isinstance(value, tuple) else value
    return data


def _required(f: Field[Any]) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


def action_from_dict(data: dict[str, Any]) -> Action:
    """Build an action from JSON-like data; raises ValueError saying what is wrong."""
    kind = data.get("type")
    cls = ACTION_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"unknown action type {kind!r}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data or (data[f.name] is None and _required(f)):
            continue  # named below, with any other missing field
        value = data[f.name]
        if f.name in _TUPLE_FIELDS:
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"'{f.name}' must be a list of strings")
            value = tuple(value)
        elif value is not None and not isinstance(value, str):
            raise ValueError(f"'{f.name}' must be a string")
        kwargs[f.name] = value
    unknown = set(data) - {f.name for f in fields(cls)} - {"type"}
    if unknown:
        raise ValueError(f"unknown field(s) for {kind}: {', '.join(sorted(unknown))}")
    # A required field sent as null is as missing as one left out.
    # Named here rather than left to the constructor, whose TypeError speaks of
    # `PlayIdea.__init__()` and positional arguments: words for programmers, not players.
    missing = [f.name for f in fields(cls) if f.name not in kwargs and _required(f)]
    if missing:
        names = " and ".join(repr(name) for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise ValueError(f"{kind} needs the field{plural} {names}")
    return cls(**kwargs)
