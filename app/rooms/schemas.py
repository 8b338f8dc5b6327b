"""What the rooms layer takes and gives: the bodies of the HTTP API and its OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from app.engine.debrief import FEELINGS, FeelingOption, TableDebrief, WorkshopDebrief
from app.scenarios.loader import MAX_BYTES, load_scenario_text

MAX_NAME = 40
MAX_TITLE = 120
MAX_TABLES = 50
MAX_ANNOUNCEMENT = 500
MAX_NOTE = 4000
# Located errors a 422 for an uploaded scenario lists (the check endpoint lists them all).
MAX_LISTED_ERRORS = 20


def _plain_line(text: str, what: str) -> str:
    """A name or title as stored and shown: no control characters (PostgreSQL refuses NUL)."""
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        raise ValueError(f"the {what} may not hold control characters or line breaks")
    return text


class WorkshopRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(default="school-committee", max_length=64)
    language: Literal["da", "en"] | None = None
    tables: int = Field(default=1, ge=1, le=MAX_TABLES)
    bots: bool = Field(default=False, description="fill empty seats with bots at the start")
    show_numbers: bool = Field(
        default=False, description="players see score numbers; else arrows with reasons"
    )
    autostart: bool = Field(
        default=False, description="start a table as soon as every role's minimum is seated"
    )
    title: str = Field(default="", max_length=MAX_TITLE)
    scenario_text: str | None = Field(
        default=None,
        max_length=MAX_BYTES,
        description=(
            "an uploaded scenario file (YAML text); when given, `scenario` is ignored and the "
            "workshop stores this text, so its games are always replayed with it"
        ),
    )

    @field_validator("title")
    @classmethod
    def _plain_title(cls, title: str) -> str:
        return _plain_line(title, "title")

    @field_validator("scenario_text")
    @classmethod
    def _valid_scenario(cls, text: str | None) -> str | None:
        if text is None:
            return None
        result = load_scenario_text(text, "upload.yaml")
        if not result.ok:
            # The located errors, and never the text itself: the answer to a broken upload
            # must not send a megabyte back (see app.main's validation handler).
            listed = result.errors[:MAX_LISTED_ERRORS]
            more = len(result.errors) - len(listed)
            shown = "; ".join(str(p) for p in listed) + (f" (+{more} more)" if more else "")
            errors = [{"line": p.line, "column": p.column, "message": p.message} for p in listed]
            raise PydanticCustomError(
                "scenario_invalid",
                "the scenario has errors: {shown}",
                {"shown": shown, "errors": errors, "more": more},
            )
        return text


class TableLink(BaseModel):
    number: int
    code: str
    join_url: str


class WorkshopCreated(BaseModel):
    workshop_id: str
    facilitator_token: str
    facilitator_url: str
    scenario: str
    language: str
    tables: list[TableLink]
    scenario_hash: str | None = Field(
        default=None, description="sha256 of the scenario text the workshop stores"
    )


class JoinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=4, max_length=12)
    name: str = Field(min_length=1, max_length=MAX_NAME)
    role: str | None = Field(default=None, max_length=64)

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("the name needs at least one letter")
        return _plain_line(name, "name")


class Joined(BaseModel):
    token: str
    table_id: str
    seat: str
    role: str


class LobbyRole(BaseModel):
    """A role as anyone may read it before joining: its public brief, never its agenda."""

    id: str
    name: str
    kind: str
    chair: bool
    brief: str


class TableLobby(BaseModel):
    code: str
    scenario: str
    title: str
    language: str
    roles: list[LobbyRole]
    free_roles: list[str]
    status: str


class ControlRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: Literal["start", "pause", "resume", "extend", "advance", "end"]
    seconds: float = Field(default=60, gt=0, le=3600)
    table: int | None = Field(default=None, description="one table by number; all when absent")


class ControlResult(BaseModel):
    table: int
    ok: bool
    code: str | None = None
    message: str | None = None


class Announcement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_ANNOUNCEMENT)


class SeatStatus(BaseModel):
    id: str
    role: str
    role_name: str = Field(default="", description="the role's name in the workshop's language")
    name: str
    bot: bool
    connected: bool
    free: bool = Field(
        default=False, description="freed by the facilitator: waiting for a late joiner"
    )


class TableStatus(BaseModel):
    number: int
    code: str
    status: str
    round: int | None
    round_count: int
    phase: str | None
    seats: list[SeatStatus]
    scores: dict[str, float | None]
    seq: int
    digest: str | None = Field(
        default=None,
        description="sha256 of the game state (equal digests, equal games); null in the lobby",
    )
    deadline: float | None = Field(
        default=None, description="when the phase's time runs out (epoch seconds), when running"
    )
    remaining: float | None = Field(
        default=None, description="seconds left in the phase, when paused"
    )
    waiting: list[str] = Field(
        default_factory=list,
        description="the seats whose action the current phase still needs, in seat order",
    )
    last_activity: float | None = Field(
        default=None,
        description=(
            "when a seat last acted, a phase began or the game resumed (epoch seconds); "
            "null before the game starts"
        ),
    )
    note: str = Field(default="", description="the facilitator's notes on this table")


class WorkshopStatus(BaseModel):
    workshop_id: str
    scenario: str
    scenario_title: str = Field(
        default="", description="the title of the scenario the workshop stores, in its language"
    )
    scenario_hash: str = Field(default="", description="sha256 of the scenario text it stores")
    language: str
    show_numbers: bool
    tables: list[TableStatus]
    autostart: bool = Field(default=False, description="tables start once every role is seated")
    bots: bool = Field(default=False, description="empty seats get bots when a table starts")
    quiet_minutes: float = Field(
        default=3.0, description="a running table with no action for this long is flagged quiet"
    )
    now: float = Field(
        default=0.0, description="the server's clock (epoch seconds), to read the others against"
    )


class SeatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["bot", "free"] = Field(
        description="give the seat to a bot, or free it for a late joiner; either way the "
        "holder's seat token stops working"
    )


class SeatChanged(BaseModel):
    table: int
    seat: str
    action: str


class NoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_NOTE, description="plain text, never shown as HTML")

    @field_validator("text")
    @classmethod
    def _no_controls(cls, text: str) -> str:
        # Line breaks and tabs are a note's own; other control characters (NUL, which
        # PostgreSQL refuses) are not.
        if any((ord(c) < 32 and c not in "\n\r\t") or 127 <= ord(c) < 160 for c in text):
            raise ValueError("the note may not hold control characters")
        return text


class Note(BaseModel):
    table: int
    text: str


class Spread(BaseModel):
    p10: float
    p50: float
    p90: float


class WhatIfAnswer(BaseModel):
    """A finished table replayed by bots from a round, the chair in one style (see
    app/engine/whatif.py for how the bots are cast)."""

    actual: dict[str, float | None] = Field(description="the table's own final scores")
    round: int = Field(description="the first round the bots played (1-based)")
    style: str
    games: int
    scores: dict[str, Spread] = Field(description="the replays' final scores")
    bands: list[dict[str, Spread]] = Field(
        description="the replays' scores after each round from `round` on (first: `round`)"
    )
    goals: dict[str, float] = Field(
        description="role -> share (0..1) of replays in which its secret goal was met"
    )
    actual_goals: dict[str, bool] = Field(description="role -> its goal met at the table")
    package: list[str] = Field(description="titles of the package adopted most often")
    package_share: float = Field(description="share of replays that adopted that package")
    ideas: dict[str, float] = Field(
        description="the ideas most often adopted: title -> share of replays, most first"
    )


class TableDebriefAnswer(TableDebrief):
    """One table's debrief (app/engine/debrief.py) with the facilitator's notes on it."""

    notes: str = Field(description="the facilitator's notes, as written; empty when none")


class ExportedTable(BaseModel):
    number: int
    debrief: TableDebriefAnswer
    events: list[dict[str, Any]] = Field(
        description="the table's whole event log from seq 1, nothing hidden: the `events` "
        "of the websocket's `update` frames (docs/asyncapi.yaml)"
    )
    whatif: dict[str, WhatIfAnswer] = Field(
        description="leadership style -> the finished game replayed by bots from round 1 "
        "with the chair in that style; empty while the game runs"
    )


class ExportedScenario(BaseModel):
    id: str
    hash: str = Field(description="sha256 of the scenario text the workshop stores and played")


class WorkshopExport(BaseModel):
    """Everything a workshop left: for archives and for research."""

    workshop: WorkshopDebrief
    scenario: ExportedScenario
    tables: list[ExportedTable]


class ScenarioInfo(BaseModel):
    id: str
    title: str
    languages: list[str]
    hash: str


class Problem(BaseModel):
    """An error the client can act on."""

    detail: str


class Outage(BaseModel):
    """The database is out of reach for now (a 503): nothing was changed; ask again after
    `retry_after` seconds (also the `Retry-After` header)."""

    detail: str
    code: Literal["unavailable"] = "unavailable"
    retry_after: int


FEELING_IDS = tuple(i for i, _ in FEELINGS)


class FeelingsAnswer(BaseModel):
    """The words a player picked in the debrief's feelings poll (none, to take them back)."""

    model_config = ConfigDict(extra="forbid")

    feelings: list[str] = Field(max_length=len(FEELING_IDS), description="option ids")

    @field_validator("feelings")
    @classmethod
    def _known(cls, feelings: list[str]) -> list[str]:
        unknown = [f for f in feelings if f not in FEELING_IDS]
        if unknown:
            raise ValueError(
                f"unknown feeling {unknown[0][:32]!r}; the poll's words are: "
                + ", ".join(FEELING_IDS)
            )
        return feelings


class SeatFeelings(BaseModel):
    """The feelings poll as a player's phone shows it, with the words this seat picked."""

    prompt: str
    options: list[FeelingOption]
    mine: list[str] = Field(description="the option ids this seat picked, in the poll's order")


class WorkshopFeelings(BaseModel):
    """How many players picked each word, per table (by number) and in all; never who."""

    tables: dict[str, dict[str, int]]
    total: dict[str, int]
