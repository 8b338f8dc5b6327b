"""What-if replays on a loaded server: do they answer in time, and do the live tables feel it?

Two runs, each on a fresh `policymaker serve` (SQLite): `policymaker bench` drives N
tables of bots at one intent per player every INTERVAL seconds for DURATION seconds. In
the second run a trainer also asks, the whole time, for 50-game what-ifs of a finished
table (each a new question, so none is answered from the kept answers). Printed: the live
tables' latency in both runs, and how long each what-if took.

    .venv/bin/python bench/whatif_under_load.py [--tables 100] [--duration 60]

Results: bench/RESULTS.md ("What-if under load").
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from app.bench import spawn_server
from app.scenarios.models import LEADERSHIP_STYLES

POLICYMAKER = Path(sys.executable).parent / "policymaker"
ROUNDS = 8  # the default case's rounds


def finished_table(base: str) -> tuple[str, str]:
    """A workshop whose one table has played to its end: (workshop id, token)."""
    with httpx.Client(base_url=base, timeout=60) as http:
        created = http.post(
            "/api/workshops", json={"scenario": "school-committee", "bots": True}
        ).json()
        code = created["tables"][0]["code"]
        http.post("/api/join", json={"code": code, "name": "Bench", "role": "parent"})
        auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
        path = f"/api/workshops/{created['workshop_id']}/control"
        for command in ["start"] + ["advance"] * ROUNDS:
            http.post(path, json={"command": command}, headers=auth)
        return str(created["workshop_id"]), str(created["facilitator_token"])


def ask_what_ifs(base: str, stop: threading.Event, took: list[float]) -> None:
    """Ask new 50-game what-ifs one after another until `stop`; note each one's seconds."""
    workshop, token = finished_table(base)
    questions = itertools.product(range(1, ROUNDS + 1), LEADERSHIP_STYLES, range(50, 60))
    with httpx.Client(base_url=base, timeout=120) as http:
        for round_number, style, games in questions:
            if stop.is_set():
                return
            # 50 to 59 games: each question is new, so none comes from the kept answers.
            start = time.perf_counter()
            response = http.get(
                f"/api/workshops/{workshop}/tables/1/whatif",
                params={"round": round_number, "style": style, "games": games},
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            took.append(time.perf_counter() - start)


def one_run(tables: int, duration: float, with_whatif: bool) -> dict[str, Any]:
    with spawn_server(baseline=False) as spawned:
        stop = threading.Event()
        took: list[float] = []
        asker = threading.Thread(target=ask_what_ifs, args=(spawned.base, stop, took))
        load = subprocess.Popen(
            [
                str(POLICYMAKER), "bench", "--url", spawned.base, "--pid", str(spawned.pid),
                "--tables", str(tables), "--players", "6", "--interval", "2",
                "--duration", str(duration), "--json",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        if with_whatif:
            asker.start()
        out, _ = load.communicate()
        stop.set()
        if with_whatif:
            asker.join()
        report = json.loads(out)
        return {
            "whatif": with_whatif,
            "latency_ms": report["latency_ms"],
            "errors": report["errors"],
            "lost": report["lost"],
            "cpu_percent": report["cpu_percent"],
            "whatifs": len(took),
            "whatif_seconds": {
                "median": round(statistics.median(took), 3) if took else None,
                "max": round(max(took), 3) if took else None,
            },
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args()
    runs = [one_run(args.tables, args.duration, w) for w in (False, True)]
    without, with_ = (r["latency_ms"]["p99"] for r in runs)
    print(json.dumps({"runs": runs, "p99_added_ms": round(with_ - without, 2)}, indent=1))


if __name__ == "__main__":
    main()
