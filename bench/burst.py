"""A burst of lobby work beside tables in play: how long their moves wait meanwhile.

A workshop's phones all join within a minute; at the soak's 300 tables, games that began
together end within seconds of each other and their players take fresh tables. Each
join and each welcome is half a millisecond to a millisecond of the server's CPU, and a
burst of them arrives together. This run plays TABLES tables as `policymaker bench`
does (one intent per player every 2 s), and every EVERY seconds a fresh workshop's
phones join at once: JOINS players, each on its own connection, join by code, open a
websocket and wait for their welcome. Reported: the moves' latency while a burst is
being served (from its first join to its last welcome, and half a second after) and
outside the bursts, and how long a burst took.

One `policymaker serve` (SQLite, one process) pinned to CPU 0; the bench's players and,
in a process of their own, the bursts' phones share CPU 1.

    .venv/bin/python bench/burst.py [--tables 150] [--joins 300] [--every 10] [--seconds 60]

`--server-tree DIR` runs the server from another checkout (`git worktree add DIR
COMMIT`), to compare commits with the same bench. Not part of `make test`. Results:
bench/RESULTS.md ("Play first").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import subprocess
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import httpx
import websockets

from app import bench
from app.client import client_frame, ws_url
from app.jsontext import loads

HERE = Path(__file__).resolve().parent
TABLES_PER_WORKSHOP = 50
PLAYERS = 6  # at each table, in play and in a burst
# After a burst's last welcome, moves still count as the burst's for this long: the
# backlog it left takes a moment to clear.
AFTERMATH = 0.5


@dataclass
class Burst:
    began: float
    ended: float


async def _phone(http: httpx.AsyncClient, base: str, code: str, name: str) -> None:
    """One phone: join by code, open the websocket, wait for the welcome, leave."""
    joined = (await http.post("/api/join", json={"code": code, "name": name})).raise_for_status()
    token = joined.json()["token"]
    async with websockets.connect(ws_url(base), compression=None, max_size=None) as ws:
        await ws.send(client_frame("hello", token=token))
        while loads(await ws.recv()).get("type") != "welcome":
            pass


async def _burst(base: str, joins: int) -> Burst:
    tables = -(-joins // PLAYERS)
    workshops = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        # The workshops are made before the burst: a trainer does that before the day.
        for first in range(0, tables, TABLES_PER_WORKSHOP):
            body = {
                "scenario": "school-committee",
                "tables": min(TABLES_PER_WORKSHOP, tables - first),
                "language": "en",
                "bots": False,
            }
            made = (await http.post("/api/workshops", json=body)).raise_for_status().json()
            workshops.append(made)
    codes = [t["code"] for w in workshops for t in w["tables"]]
    limits = httpx.Limits(max_connections=joins, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        began = time.perf_counter()
        await asyncio.gather(
            *(_phone(http, base, codes[n % len(codes)], f"Phone {n}") for n in range(joins))
        )
        return Burst(began, time.perf_counter())


async def _bursts(base: str, joins: int, every: float, stop: EventType) -> list[Burst]:
    bursts = []
    while not stop.wait(0) and not await asyncio.to_thread(stop.wait, every):
        bursts.append(await _burst(base, joins))
    return bursts


def _burst_process(base: str, joins: int, every: float, stop: EventType, out: Any) -> None:
    """The bursts, in a process of their own: in the bench's process, each burst's 300
    phones held up its players' reading, and their moves were timed as if the server
    had been slow (the bench measures from the players' side)."""
    out.send(bench._run_loop(_bursts(base, joins, every, stop)))


def _run(base: str, shape: bench.LoadShape, pid: int, joins: int, every: float) -> Any:
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    mine, theirs = context.Pipe()
    phones = context.Process(target=_burst_process, args=(base, joins, every, stop, theirs))
    phones.start()
    try:
        setup = shape.setup_seconds
        report = bench._run_loop(bench.measure(base, shape, False, pid, setup, samples=True))
    finally:
        stop.set()
    bursts: list[Burst] = mine.recv()
    phones.join()
    return report, bursts


def _stats(ms: list[float]) -> dict[str, float]:
    return {
        "intents": len(ms),
        "p50": round(bench.percentile(ms, 50), 2),
        "p99": round(bench.percentile(ms, 99), 2),
        "max": round(max(ms, default=0.0), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=150, help="tables in play")
    parser.add_argument("--joins", type=int, default=300, help="phones in each burst")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between bursts")
    parser.add_argument("--seconds", type=float, default=60.0, help="the measured window")
    parser.add_argument("--label", default="burst")
    parser.add_argument("--server-tree", type=Path, help="run the server from this checkout")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    tree = args.server_tree or HERE.parent
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=tree
    ).stdout.strip()
    env = {"PYTHONPATH": str(tree.resolve())} if args.server_tree else {}
    shape = bench.LoadShape(args.tables, PLAYERS, 2.0, args.seconds)
    with bench.spawn_server(False, env=env) as server, bench.pinned(server.pid) as cpus:
        report, bursts = _run(server.base, shape, server.pid, args.joins, args.every)
    start, end = report["window"]
    inside = [b for b in bursts if start <= b.began and b.ended <= end]
    during: list[float] = []
    outside: list[float] = []
    for at, ms in report["samples"]:
        busy = any(b.began <= at <= b.ended + AFTERMATH for b in inside)
        (during if busy else outside).append(ms)
    result = {
        "label": args.label,
        "server_commit": commit,
        "pinned": cpus,
        "tables": args.tables,
        "joins_per_burst": args.joins,
        "bursts_in_window": len(inside),
        "burst_seconds": [round(b.ended - b.began, 2) for b in inside],
        "during_bursts": _stats(during),
        "outside_bursts": _stats(outside),
        "server_cpu_percent": report["cpu_percent"],
        "loadgen_lag_ms_p99": report["loadgen_lag_ms_p99"],
        "errors": report["error_kinds"],
    }
    text = json.dumps(result, indent=1)
    if args.out is not None:
        args.out.write_text(text + "\n")
    print(text, flush=True)


if __name__ == "__main__":
    main()
