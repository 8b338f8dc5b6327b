"""The event log as the room sees it: append at an expected sequence number, read back.

A Protocol, so the room does not care whether the log is SQLite, PostgreSQL or (in a
unit test) a list; `app.rooms.storelog` is the database implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class Conflict(Exception):
    """Another writer appended at that sequence number first."""


class Gone(Exception):
    """The game's table no longer exists (its workshop was deleted)."""


class Unavailable(Exception):
    """The log cannot be reached now (its database is restarting or out of reach); the
    same request may succeed later. An append that raises this may or may not be stored."""


@dataclass(frozen=True, slots=True)
class NewRecord:
    type: str
    payload: dict[str, Any]
    seat: str | None = None
    cmid: str | None = None


@dataclass(frozen=True, slots=True)
class LogRecord:
    seq: int
    type: str
    payload: dict[str, Any]
    seat: str | None = None
    cmid: str | None = None
    # When it was stored (epoch seconds), if the log keeps that: how long a table has
    # been quiet survives a restart.
    at: float | None = None


class EventLog(Protocol):
    async def append(self, game_id: str, first_seq: int, records: Sequence[NewRecord]) -> None:
        """Store records at first_seq, first_seq+1, …; Conflict if any of them is taken."""

    async def load(self, game_id: str, after_seq: int = 0) -> list[LogRecord]:
        """Records with seq > after_seq, in order."""

    async def find(self, game_id: str, seat: str, cmid: str) -> list[LogRecord]:
        """Records an earlier intent with this client message id produced (empty if none)."""
