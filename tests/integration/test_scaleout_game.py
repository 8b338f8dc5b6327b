"""Two instances share one table through PostgreSQL and Redis, and one of them dies mid-game."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from app.engine.state import state_digest
from tests.integration.scaleout import (
    Cluster,
    cluster,
    poll,
    quick_timers,
    redis_url,
    run_cli,
    split_table,
)
from tests.integration.server import full_rules, replay

__all__ = ["cluster", "redis_url"]  # fixtures, imported to be found

# Mid-game: well past the start (seq 1-2), well before the end (about 200 records).
KILL_AT_SEQ = 25


async def test_a_game_split_across_two_instances_survives_killing_one(
    cluster: Cluster, tmp_path: Path
) -> None:
    a, b = cluster(2)
    async with split_table(a, b, autostart=True) as table:
        fac, fac_b = table.fac, table.fac_b
        code = fac.code()
        # Three seats join (and play) through A, two through B; each moves to the other
        # instance when its own fails. The fifth seat to join starts the game.
        common = ["--code", code, "--think", "0.05", "--json"]
        via_a = asyncio.create_task(
            run_cli(
                "bots", "--url", a.base, "--url", b.base, "--seats", "3",
                "--events-out", str(tmp_path / "a.json"), *common,
            )
        )  # fmt: skip
        via_b = asyncio.create_task(
            run_cli(
                "bots", "--url", b.base, "--url", a.base, "--seats", "2", "--seed", "7",
                "--events-out", str(tmp_path / "b.json"), *common,
            )
        )  # fmt: skip

        before = await poll(fac_b.status, lambda s: s["tables"][0]["seq"] >= KILL_AT_SEQ)
        (table,) = before["tables"]
        assert table["status"] == "running", "the kill must land mid-game"
        assert len(table["seats"]) == 5, table["seats"]
        assert all(s["connected"] for s in table["seats"]), table["seats"]
        a.kill()

        results = await asyncio.gather(via_a, via_b)
        for rc, _, err in results:
            assert rc == 0, err[-3000:]
        finals = [json.loads(out.strip().splitlines()[-1]) for _, out, _ in results]

        # The survivor's log and everyone's view of the end agree.
        log = await fac_b.log()
        seqs = [r["seq"] for r in log]
        assert seqs == list(range(1, len(log) + 1)), "the log has no gap and no repeat"
        digest = state_digest(replay(full_rules(), log))
        assert {f["digest"] for f in finals} == {digest}
        after = (await fac_b.status())["tables"][0]
        assert after["status"] == "ended"
        assert after["seq"] == len(log)

    # Every client received every event exactly once, in the log's order.
    received: dict[str, list[dict[str, Any]]] = {}
    for name in ("a.json", "b.json"):
        received |= json.loads((tmp_path / name).read_text())
    assert len(received) == 5
    expected = [{"seq": r["seq"], "type": r["type"]} for r in log]
    for seat, events in received.items():
        assert events == expected, f"{seat} saw a different stream"


async def test_timers_of_a_table_nobody_watches_outlive_its_instance(
    cluster: Cluster, tmp_path: Path
) -> None:
    a, b = cluster(2, SCENARIOS_DIR=str(quick_timers(tmp_path / "scenarios")))
    async with split_table(a, b, autostart=False) as table:
        fac = table.fac
        for i in range(5):
            await fac.join(f"Absent {i + 1}")  # seated, never connected
        (started,) = await fac.control("start")
        assert started["ok"] is True, started
        a.kill()  # A owned the table's clock; nobody is connected anywhere

        fac_b = table.fac_b
        # The first round's 10 s run out on B, which found the orphaned game itself.
        log = await poll(
            fac_b.log, lambda events: any(e["type"] == "phase_ended" for e in events), 400
        )
        ended = [e for e in log if e["type"] == "phase_ended"]
        assert ended[0]["data"]["reason"] == "time_up"
        assert [r["seq"] for r in log] == list(range(1, len(log) + 1))
