"""What the store hands out and takes in: plain frozen dataclasses, never table rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

TableStatus = Literal["lobby", "running", "paused", "ended"]
TABLE_STATUSES: tuple[TableStatus, ...] = ("lobby", "running", "paused", "ended")


@dataclass(frozen=True, slots=True)
class StoredWorkshop:
    id: str
    created_at: datetime
    scenario_id: str
    scenario_hash: str
    scenario_text: str
    language: str
    show_numbers: bool
    bots_fill: bool
    autostart: bool
    facilitator_token_hash: str
    title: str


@dataclass(frozen=True, slots=True)
class StoredTable:
    id: str
    workshop_id: str
    number: int
    join_code: str
    seed: int
    status: TableStatus
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WorkshopSpec:
    """What a new workshop is made of; the caller keeps the plain facilitator token."""

    scenario_id: str
    scenario_text: str
    language: str
    show_numbers: bool
    bots_fill: bool
    autostart: bool
    facilitator_token_hash: str
    tables: int
    title: str = ""
    # Computed from scenario_text by the store; when given, it must agree.
    scenario_hash: str | None = None
    # One per table, for reproducible games; random when None.
    seeds: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class CreatedWorkshop:
    workshop: StoredWorkshop
    tables: tuple[StoredTable, ...]

    @property
    def id(self) -> str:
        return self.workshop.id


@dataclass(frozen=True, slots=True)
class StoredSeat:
    id: str
    table_id: str
    seat_key: str
    role: str
    display_name: str
    is_bot: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewEvent:
    type: str
    payload: dict[str, Any] = field(default_factory=dict)
    seat_key: str | None = None
    client_msg_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    type: str
    payload: dict[str, Any]
    seat_key: str | None
    client_msg_id: str | None
    created_at: datetime
