"""What a table's turnover costs the server: CPU per join, start, welcome and lobby look.

The soak's tables end a game about every 50 s and their players take a fresh table: six
joins, six websockets welcomed, a start. At 300 tables that is some 6 games a second, and
it is also what a workshop's first minutes look like, when every phone joins at once. One
`policymaker serve` (SQLite, one process) pinned to CPU 0, this client to CPU 1; requests
one at a time, so each figure is the server's own CPU time (user + system, from /proc)
divided by the requests that used it.

    .venv/bin/python bench/churn.py [--tables 50] [--rounds 3]

Not part of `make test`. Results: bench/RESULTS.md ("Table turnover").
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

import httpx
import websockets

from app import bench
from app.client import client_frame, ws_url
from app.jsontext import loads

PLAYERS = 6


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    """Server CPU ms per request, per kind of request, one list entry per round."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.figures: dict[str, list[float]] = {}
        self._start = 0.0

    def start(self) -> None:
        self._start = cpu_seconds(self.pid)

    def stop(self, kind: str, requests: int) -> None:
        ms = 1000 * (cpu_seconds(self.pid) - self._start) / requests
        self.figures.setdefault(kind, []).append(round(ms, 2))


async def one_round(http: httpx.AsyncClient, base: str, tables: int, meter: Meter) -> None:
    body = {"scenario": "school-committee", "tables": tables, "language": "en", "bots": False}
    created = (await http.post("/api/workshops", json=body)).raise_for_status().json()
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    codes = [t["code"] for t in created["tables"]]

    meter.start()
    tokens = []
    for code in codes:
        for n in range(PLAYERS):
            joined = await http.post("/api/join", json={"code": code, "name": f"Player {n}"})
            tokens.append(joined.raise_for_status().json()["token"])
    meter.stop("join", len(tokens))

    meter.start()
    sockets = []
    for token in tokens:
        ws = await websockets.connect(ws_url(base), max_size=None, compression=None)
        await ws.send(client_frame("hello", token=token, last_seq=0))
        while loads(await ws.recv()).get("type") != "welcome":
            pass
        sockets.append(ws)
    meter.stop("websocket welcomed", len(tokens))

    meter.start()
    for number in range(1, tables + 1):
        command = {"command": "start", "table": number}
        control = f"/api/workshops/{created['workshop_id']}/control"
        (await http.post(control, json=command, headers=auth)).raise_for_status()
    meter.stop("start (six players connected)", tables)

    meter.start()
    for code in codes:
        (await http.get(f"/api/tables/{code}")).raise_for_status()
    meter.stop("lobby look", len(codes))
    for ws in sockets:
        await ws.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=50, help="tables per round")
    parser.add_argument("--rounds", type=int, default=3, help="a fresh workshop each")
    args = parser.parse_args()
    with bench.spawn_server(False) as server:
        os.sched_setaffinity(server.pid, {0})
        os.sched_setaffinity(0, {1})
        meter = Meter(server.pid)
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            for _ in range(args.rounds):
                await one_round(http, server.base, args.tables, meter)
    print(f"server CPU ms per request ({args.tables} tables a round, {PLAYERS} players each):")
    for kind, figures in meter.figures.items():
        print(f"  {kind:32s} " + "  ".join(f"{ms:6.2f}" for ms in figures))


if __name__ == "__main__":
    asyncio.run(main())
