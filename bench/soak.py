"""The soak: a long run at steady load, for the stops and the growth a 60-s run never sees.

One `policymaker serve` (SQLite, one process, the default deployment) on a fresh database
with its loop-lag monitor on (LOOP_LAG_MS), pinned to one CPU and the load generator to the
other; `policymaker bench`'s bots play TABLES tables of PLAYERS for MINUTES minutes, one
intent per player every INTERVAL seconds. Recorded: intent latency (p50, p99, max) overall
and per minute; every pause of the server's event loop past the threshold, with the
garbage collections and the CPU time in it (from the server's log); the slowest intents,
each with how much of its wait the server's loop and the load generator's were paused;
the server's RSS every 10 s. Written:
bench/soak-LABEL.json and a short summary (printed, and bench/soak-LABEL.txt).

    .venv/bin/python bench/soak.py --label after [--tables 300] [--minutes 30]

Not part of `make test`. Results: bench/RESULTS.md ("The soak").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import bench

HERE = Path(__file__).resolve().parent
POLICYMAKER = Path(sys.executable).parent / "policymaker"
GAUGE = HERE.parent / "game_content" / "scenarios" / "school-committee.yaml"
RSS_EVERY = 10.0
FULL_COLLECTION = '"msg": "full garbage collection"'
# The acceptance figures (issue 25).
MAX_MS, P99_MS, GROWTH_PCT, GROWTH_MINUTES = 100.0, 50.0, 5.0, 20
SLOWEST_SHOWN = 8  # of the bench.SLOWEST slowest intents in the JSON, the summary shows


def gauge() -> float:
    """The machine's speed as bench/RESULTS.md reads it: 1000 simulated games, seconds."""
    start = time.perf_counter()
    command = [str(POLICYMAKER), "scenario", "simulate", str(GAUGE), "--games", "1000"]
    subprocess.run([*command, "--seed", "1", "--json"], check=True, capture_output=True)
    return round(time.perf_counter() - start, 2)


class RssSeries:
    """The server's resident memory every RSS_EVERY seconds, from /proc, in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, float]] = []  # (perf_counter, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss", daemon=True)

    def __enter__(self) -> RssSeries:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            status = Path(f"/proc/{self.pid}/status").read_text()
            kb = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:"))
            self.samples.append((time.perf_counter(), kb / 1024))
            if self._stop.wait(RSS_EVERY):
                return


def server_lines(log: Path) -> list[dict[str, Any]]:
    """The server's JSON log lines (uvicorn's own plain lines are skipped)."""
    lines = []
    with log.open(errors="replace") as text:
        for raw in text:
            if raw.startswith("{"):
                with contextlib.suppress(ValueError):
                    lines.append(json.loads(raw))
    return lines


def wait_for_line(log: Path, marker: str, seconds: float) -> float | None:
    """Seconds until the server's log has a line with `marker`; None if not in `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if marker in log.read_text(errors="replace"):
            return round(time.monotonic() - start, 1)
        time.sleep(1.0)  # polling a file another process writes
    return None


def messages(lines: list[dict[str, Any]]) -> dict[str, int]:
    """How often the server said each thing, but the pauses (listed on their own)."""
    said = Counter(f"{x.get('logger')}: {x.get('msg')}" for x in lines)
    return dict(said.most_common())


def pauses_from(lines: list[dict[str, Any]], window_start: float) -> list[dict[str, Any]]:
    """Each logged loop pause, placed in seconds from the window's start."""
    # Unix time of the window's start: perf_counter is one clock for every process.
    unix_start = time.time() - (time.perf_counter() - window_start)
    return [
        {
            "at_s": round(line["began"] - unix_start, 2),
            "ms": line["pause_ms"],
            "gc_ms": line["gc_ms"],
            "gc_generation": line["gc_generation"],
            "gc_collected": line["gc_collected"],
            "loop_cpu_ms": line["loop_cpu_ms"],
            "process_cpu_ms": line["process_cpu_ms"],
            "major_faults": line["major_faults"],
        }
        for line in lines
        if line.get("msg") == "event loop paused"
    ]


def rss_curve(samples: list[tuple[float, float]], window: list[float]) -> list[dict[str, float]]:
    return [
        {"at_s": round(at - window[0], 1), "mb": round(mb, 1)}
        for at, mb in samples
        if window[0] - RSS_EVERY <= at <= window[1] + RSS_EVERY
    ]


def rss_at(curve: list[dict[str, float]], second: float) -> float:
    """The sample nearest to `second` of the window."""
    return min(curve, key=lambda s: abs(s["at_s"] - second))["mb"]


def growth_pct(curve: list[dict[str, float]], duration: float) -> float:
    """RSS growth over the window's last GROWTH_MINUTES, from samples inside the window
    only (one taken after it, while the load's sockets close, says nothing of the load)."""
    inside = [s for s in curve if 0 <= s["at_s"] <= duration]
    last = inside[-1]
    start = rss_at(inside, last["at_s"] - GROWTH_MINUTES * 60)
    return round((last["mb"] - start) / start * 100, 2)


def overlap_ms(begin: float, end: float, spans: list[tuple[float, float]]) -> float:
    """How much of [begin, end] (seconds) the spans cover, in ms (spans do not overlap)."""
    return round(sum((max(0.0, min(end, b) - max(begin, a)) for a, b in spans), 0.0) * 1000, 1)


def slowest_waits(result: dict[str, Any]) -> list[dict[str, float]]:
    """The run's slowest intents, each with how much of its wait the server's event loop
    and the load generator's own loop spent in pauses past the threshold: a late answer
    the server sent in time may have waited on the load generator that reads it."""
    report = result["bench"]
    server = [(p["at_s"], p["at_s"] + p["ms"] / 1000) for p in result["pauses"]]
    # A load generator's lag is measured when its loop wakes, at the end of the pause.
    loadgen = [(at - ms / 1000, at) for at, ms in report["loadgen_pauses"]]
    waits = []
    for answered, ms in report["slowest"]:
        sent = answered - ms / 1000
        waits.append(
            {
                "at_s": answered,
                "ms": ms,
                "server_paused_ms": overlap_ms(sent, answered, server),
                "loadgen_paused_ms": overlap_ms(sent, answered, loadgen),
            }
        )
    return waits


def summarise(result: dict[str, Any]) -> str:
    report, pauses, curve = result["bench"], result["pauses"], result["rss"]
    lat, shape = report["latency_ms"], report["shape"]
    duration = shape["duration"]
    over = [p for p in pauses if 0 <= p["at_s"] <= duration]
    with_gc = [p for p in over if p["gc_generation"] is not None]
    longest = sorted(over, key=lambda p: -p["ms"])[:5]
    full = [p for p in pauses if p["gc_generation"] == 2]
    marks = range(0, int(duration // 60) + 1, 5)
    lines = [
        f"soak {result['label']} at {result['commit']}: {shape['tables']} tables x "
        f"{shape['players']}, an intent every {shape['interval']} s, {duration / 60:.0f} min; "
        f"gauge {result['gauge_s']} s; load average {result['loadavg_before']} before, "
        f"{result['loadavg_after']} after; pinned {report.get('pinned')}",
        f"  latency ms: p50 {lat['p50']}  p99 {lat['p99']}  max {lat['max']}"
        f"  ({report['samples']} intents; targets p99 <= {P99_MS:g}, max <= {MAX_MS:g})",
        f"  errors {report['errors']} {report['error_kinds'] or ''}  lost {report['lost']}  "
        f"duplicated {report['duplicated']}  server CPU {report['cpu_percent']} %  "
        f"load generator lag p99 {report['loadgen_lag_ms_p99']} ms, "
        f"max {report.get('loadgen_lag_ms_max')} ms",
        f"  loop pauses over {result['lag_ms']:g} ms in the window: {len(over)}, "
        f"{len(with_gc)} with a collection; longest: "
        + ", ".join(
            f"{p['ms']} ms at {p['at_s']} s (gc {p['gc_generation']}, CPU loop "
            f"{p['loop_cpu_ms']} / process {p['process_cpu_ms']} ms, "
            f"{p['major_faults']} major faults)"
            for p in longest
        ),
        "  RSS MB: "
        + "  ".join(f"{m} min {rss_at(curve, m * 60)}" for m in marks)
        + f"; growth over the last {GROWTH_MINUTES} min {result['rss_growth_pct']} % "
        f"(target < {GROWTH_PCT:g})",
        "  full collections: "
        + (
            "; ".join(
                f"{x['reason']}: {x['walked']} objects walked, {x['found']} found, {x['ms']} ms"
                for x in result["collector"]
            )
            or "none logged"
        )
        + f" (the idle one {result['idle_full_after_s']} s after the load); pauses with one: "
        + (", ".join(f"{p['ms']} ms ({p['gc_collected']} found)" for p in full) or "none"),
        "  per minute (p99 / max ms): "
        + "  ".join(f"{m['minute']}: {m['p99']}/{m['max']}" for m in report["per_minute"]),
        "  slowest intents (ms; of it, server loop / load generator paused): "
        + "  ".join(
            f"{w['ms']} at {w['at_s']} s ({w['server_paused_ms']}/{w['loadgen_paused_ms']})"
            for w in result["slowest"][:SLOWEST_SHOWN]
        ),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", required=True, help="names the output files")
    parser.add_argument("--tables", type=int, default=300)
    parser.add_argument("--players", type=int, default=6)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--lag-ms", type=float, default=20.0, help="loop pauses logged past this")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the JSON and text")
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=0.0,
        help="after the load, wait up to this many seconds for the server's idle full "
        "garbage collection (app/collector.py), which says how much cyclic garbage waited",
    )
    args = parser.parse_args()

    shape = bench.LoadShape(args.tables, args.players, args.interval, args.minutes * 60)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout.strip()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    measured_gauge = gauge()
    loadavg_before = bench._loadavg()
    with tempfile.TemporaryDirectory(prefix="pm-soak-") as kept:
        log = Path(kept) / "server.log"
        env = {"LOOP_LAG_MS": str(args.lag_ms)}
        with (
            bench.spawn_server(False, env=env, log_to=log) as server,
            RssSeries(server.pid) as rss,
        ):
            report = bench.measured(server.base, shape, False, server.pid, True, True)
            idle_full = wait_for_line(server.log, FULL_COLLECTION, args.idle_wait)
        lines = server_lines(log)
    window = report["window"]
    curve = rss_curve(rss.samples, window)
    result: dict[str, Any] = {
        "label": args.label,
        "commit": commit,
        "started_utc": started,
        "gauge_s": measured_gauge,
        "loadavg_before": loadavg_before,
        "loadavg_after": bench._loadavg(),
        "lag_ms": args.lag_ms,
        "bench": report,
        "pauses": pauses_from(lines, window[0]),
        "rss": curve,
        "rss_growth_pct": growth_pct(curve, shape.duration),
        "server_messages": messages(lines),
        "collector": [x for x in lines if x.get("logger") == "policymaker.collector"],
        "idle_full_after_s": idle_full,
    }
    result["slowest"] = slowest_waits(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"soak-{args.label}.json").write_text(json.dumps(result, indent=1))
    text = summarise(result)
    (args.out / f"soak-{args.label}.txt").write_text(text + "\n")
    print(text, flush=True)


if __name__ == "__main__":
    main()
