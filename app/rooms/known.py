"""Workshops as they were created, remembered so facilitators' requests need no read.

Every facilitator request (start, pause, status, announce, debrief) checks the token
against the workshop's row and looks up its tables. Those two reads through the async
database driver were about 3 ms of the server's CPU per request, three-quarters of it:
starting 300 tables one request each took a second of CPU in reads alone, and a status
poll read every table's join code again. Every join read its table by code too, and the
first join of a table its workshop. Neither the row nor the tables change after the
workshop is created (only a table's status, which is not read from here), so they are
kept until the workshop is deleted. The number kept is bounded, oldest use first.
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
        # The kept workshops' tables by join code, with their workshop's id: rebuilt
        # whenever the workshops kept change, so it never holds more than they do.
        self._by_code: dict[str, tuple[str, StoredTable]] = {}

    def get(self, workshop_id: str) -> KnownWorkshop | None:
        return self._by_id.get(workshop_id)

    def by_code(self, code: str) -> StoredTable | None:
        """The kept table with this join code (as stored: upper case, no dashes)."""
        found = self._by_code.get(code)
        if found is None or self._by_id.get(found[0]) is None:
            return None
        return found[1]

    def put(self, known: KnownWorkshop) -> None:
        self._by_id.put(known.row.id, known)
        self._index()

    def forget(self, workshop_id: str) -> None:
        self._by_id.pop(workshop_id)
        self._index()

    def _index(self) -> None:
        self._by_code = {
            t.join_code: (workshop_id, t)
            for workshop_id, known in self._by_id.items()
            for t in known.tables
        }

    def forget_table(self, table_id: str) -> None:
        """Forget the workshop this table belongs to (deleted on another instance)."""
        for workshop_id, known in self._by_id.items():
            if any(t.id == table_id for t in known.tables):
                self.forget(workshop_id)
