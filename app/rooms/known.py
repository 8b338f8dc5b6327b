"""Workshops as they were created, remembered so facilitators' requests need no read.

Every facilitator request (start, pause, status, announce, debrief) checks the token
against the workshop's row and looks up its tables. Those two reads through the async
database driver were about 3 ms of the server's CPU per request, three-quarters of it:
starting 300 tables one request each took a second of CPU in reads alone, and a status
poll read every table's join code again. Neither the row nor the tables change after
the workshop is created (only a table's status, which is not read from here), so they
are kept until the workshop is deleted. The number kept is bounded, oldest use first.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rooms.lru import Lru
from app.store.records import StoredTable, StoredWorkshop

# Workshops remembered at once; a row holds its scenario's text (tens of KB).
KEPT = 64


@dataclass(frozen=True, slots=True)
class KnownWorkshop:
    row: StoredWorkshop
    tables: tuple[StoredTable, ...]


class KnownWorkshops:
    def __init__(self, kept: int = KEPT) -> None:
        self._by_id: Lru[str, KnownWorkshop] = Lru(kept)

    def get(self, workshop_id: str) -> KnownWorkshop | None:
        return self._by_id.get(workshop_id)

    def put(self, known: KnownWorkshop) -> None:
        self._by_id.put(known.row.id, known)

    def forget(self, workshop_id: str) -> None:
        self._by_id.pop(workshop_id)

    def forget_table(self, table_id: str) -> None:
        """Forget the workshop this table belongs to (deleted on another instance)."""
        for workshop_id, known in self._by_id.items():
            if any(t.id == table_id for t in known.tables):
                self._by_id.pop(workshop_id)
