"""What the store refuses, as types callers can catch."""

from __future__ import annotations


class StoreError(Exception):
    pass


class SeqConflict(StoreError):
    """Another writer already appended an event at one of these sequence numbers."""

    def __init__(self, game_id: str, first_seq: int) -> None:
        super().__init__(f"game {game_id}: seq {first_seq} or later is taken")
        self.game_id = game_id
        self.first_seq = first_seq


class SeatTaken(StoreError):
    """The table already has a seat with this key."""


class NotFound(StoreError, LookupError):
    """No row with that id."""
