"""The remembered workshops: bounded, most recent use kept, forgotten on deletion."""

from __future__ import annotations

from datetime import UTC, datetime

from app.rooms.known import KnownWorkshop, KnownWorkshops
from app.store.records import StoredTable, StoredWorkshop


def _known(workshop_id: str, tables: int = 2) -> KnownWorkshop:
    row = StoredWorkshop(
        id=workshop_id,
        created_at=datetime.now(UTC),
        scenario_id="school-committee",
        scenario_hash="h",
        scenario_text="",
        language="en",
        show_numbers=False,
        bots_fill=False,
        autostart=False,
        facilitator_token_hash="x",
        title="",
    )
    rows = tuple(
        StoredTable(
            id=f"{workshop_id}-t{n}",
            workshop_id=workshop_id,
            number=n,
            join_code=f"C{n}",
            seed=n,
            status="lobby",
            created_at=row.created_at,
        )
        for n in range(1, tables + 1)
    )
    return KnownWorkshop(row, rows)


def test_the_least_recently_used_workshop_goes_first() -> None:
    known = KnownWorkshops(kept=2)
    known.put(_known("a"))
    known.put(_known("b"))
    assert known.get("a") is not None  # a is now the most recent
    known.put(_known("c"))
    assert known.get("b") is None
    assert known.get("a") is not None and known.get("c") is not None


def test_a_deleted_workshop_is_forgotten_by_its_id_or_by_one_of_its_tables() -> None:
    known = KnownWorkshops()
    known.put(_known("a"))
    known.put(_known("b"))
    known.forget("a")
    known.forget_table("b-t2")
    assert known.get("a") is None
    assert known.get("b") is None


def test_a_table_is_found_by_its_code_only_while_its_workshop_is_kept() -> None:
    known = KnownWorkshops(kept=1)
    known.put(_known("a"))
    found = known.by_code("C2")
    assert found is not None and found.id == "a-t2"
    known.put(_known("b", tables=1))  # a is dropped: its codes with it
    assert known.by_code("C2") is None
    found = known.by_code("C1")
    assert found is not None and found.workshop_id == "b"
    known.forget_table("b-t1")
    assert known.by_code("C1") is None
