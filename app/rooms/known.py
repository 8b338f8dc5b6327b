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

from collections import OrderedDict
from dataclasses import dataclass

from app.store.records import StoredTable, StoredWorkshop

# Workshops remembered at once; a row holds its scenario's text (tens of KB).
KEPT = 64


@dataclass(frozen=True, slots=True)
class KnownWorkshop:
    row: StoredWorkshop
    tables: tuple[StoredTable, ...]


class KnownWorkshops:
    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._by_id: OrderedDict[str, KnownWorkshop] = OrderedDict()

    def get(self, workshop_id: str) -> KnownWorkshop | None:
        known = self._by_id.get(workshop_id)
        if known is not None:
            self._by_id.move_to_end(workshop_id)
        return known

    def put(self, known: KnownWorkshop) -> None:
        self._by_id[known.row.id] = known
        self._by_id.move_to_end(known.row.id)
        while len(self._by_id) > self._kept:
            self._by_id.popitem(last=False)

    def forget(self, workshop_id: str) -> None:
        self._by_id.pop(workshop_id, None)

    def forget_table(self, table_id: str) -> None:
        """Forget the workshop this table belongs to (deleted on another instance)."""
        for workshop_id, known in list(self._by_id.items()):
            if any(t.id == table_id for t in known.tables):
                del self._by_id[workshop_id]
