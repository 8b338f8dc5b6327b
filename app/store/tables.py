"""The database tables. Repositories turn their rows into records; nothing else imports them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Named constraints keep migrations identical on both backends (SQLite's batch mode
# can only alter constraints it can name).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DISPLAY_NAME_MAX = 40
ID_LENGTH = 32  # uuid4().hex


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


def _id() -> Any:
    return Field(default_factory=new_id, primary_key=True, sa_type=String(ID_LENGTH))


def _created_at() -> Any:
    # timezone=True: PostgreSQL keeps the offset; SQLite stores the UTC wall time and
    # the repository puts the UTC zone back on read.
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Workshop(SQLModel, table=True):
    __tablename__ = "workshop"

    id: str = _id()
    created_at: datetime = _created_at()
    scenario_id: str = Field(sa_type=String())
    scenario_hash: str = Field(sa_type=String(64))
    # The whole scenario file, so a game replays with the rules it was played with
    # even after the file on disk changes.
    scenario_text: str = Field(sa_type=Text())
    language: str = Field(sa_type=String(16))
    show_numbers: bool
    bots_fill: bool
    autostart: bool
    facilitator_token_hash: str = Field(sa_type=String(64))
    title: str = Field(default="", sa_type=String())


class GameTable(SQLModel, table=True):
    __tablename__ = "game_table"

    id: str = _id()
    workshop_id: str = Field(foreign_key="workshop.id", index=True, sa_type=String(ID_LENGTH))
    number: int
    join_code: str = Field(unique=True, index=True, sa_type=String(6))
    seed: int
    status: str = Field(default="lobby", sa_type=String(16))
    created_at: datetime = _created_at()


class Seat(SQLModel, table=True):
    __tablename__ = "seat"
    __table_args__ = (UniqueConstraint("table_id", "seat_key"),)

    id: str = _id()
    # Indexed by the unique (table_id, seat_key), which leads with table_id.
    table_id: str = Field(foreign_key="game_table.id", sa_type=String(ID_LENGTH))
    seat_key: str = Field(sa_type=String())
    role: str = Field(sa_type=String())
    display_name: str = Field(sa_type=String(DISPLAY_NAME_MAX))
    is_bot: bool = False
    created_at: datetime = _created_at()


class EventRecord(SQLModel, table=True):
    """One event of one game. The unique (game_id, seq) is what serialises writers."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("game_id", "seq", name="uq_event_game_seq"),
        # Idempotent retries look up an intent's events by who sent it and its id.
        Index("ix_event_client_msg", "game_id", "seat_key", "client_msg_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique (game_id, seq) index already serves every
    # lookup by game (and in seq order), and a second one would only slow appends.
    game_id: str = Field(foreign_key="game_table.id", sa_type=String(ID_LENGTH))
    seq: int
    type: str = Field(sa_type=String())
    payload: str = Field(sa_type=Text())  # JSON
    seat_key: str | None = Field(default=None, sa_type=String())
    client_msg_id: str | None = Field(default=None, sa_type=String())
    created_at: datetime = _created_at()


class TableNote(SQLModel, table=True):
    """The facilitator's notes on one table: plain text, shown in the table's debrief."""

    __tablename__ = "table_note"

    table_id: str = Field(foreign_key="game_table.id", primary_key=True, sa_type=String(ID_LENGTH))
    text: str = Field(default="", sa_type=Text())
    updated_at: datetime = _created_at()


class Feeling(SQLModel, table=True):
    """A word a player picked in the debrief's feelings poll. One row per word picked, so
    a seat's answer is the set of its rows; only the counts per word ever leave the store."""

    __tablename__ = "feeling"

    table_id: str = Field(foreign_key="game_table.id", primary_key=True, sa_type=String(ID_LENGTH))
    seat_key: str = Field(primary_key=True, sa_type=String())
    feeling: str = Field(primary_key=True, sa_type=String(32))
