"""A short run of `policymaker bench`: the load generator and its report work end to end.

The real benchmark (bench/RESULTS.md) runs for minutes; this only proves the command
spawns a server, plays over the websocket protocol, and reports without errors or losses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import bench

POLICYMAKER = Path(sys.executable).parent / "policymaker"
ARGS = ["--tables", "2", "--players", "3", "--interval", "0.5", "--duration", "3"]


def _bench(*extra: str) -> dict[str, object]:
    done = subprocess.run(
        [str(POLICYMAKER), "bench", "--spawn-server", *ARGS, "--json", *extra],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_bench_reports_latency_throughput_and_losses_without_errors() -> None:
    report = _bench()
    assert {"latency_ms", "delivered_per_s", "errors", "lost", "rss_mb"} <= set(report)
    latency = report["latency_ms"]
    assert isinstance(latency, dict)
    assert set(latency) == {"p50", "p95", "p99", "max"}
    assert report["errors"] == 0, report["error_kinds"]
    assert report["lost"] == 0
    assert report["duplicated"] == 0
    assert report["samples"], "no intent was measured"
    assert isinstance(report["rss_mb"], float) and report["rss_mb"] > 0


def test_bench_drives_the_bare_relay_with_the_same_load() -> None:
    report = _bench("--baseline")
    assert report["target"] == "baseline"
    assert report["errors"] == 0
    assert report["lost"] == 0
    assert report["samples"]


def test_bench_splits_the_tables_over_load_processes_and_adds_up_their_counts() -> None:
    report = _bench("--workers", "2")
    assert report["shape"] == {**report["shape"], "tables": 2, "workers": 2}
    assert report["errors"] == 0, report["error_kinds"]
    assert report["lost"] == 0
    assert report["duplicated"] == 0
    # Both processes' tables played and were counted: two games, intents from each.
    assert report["games_started"] == 2
    assert report["samples"] and report["accepted_per_s"]


@pytest.fixture
def cpus() -> list[int]:
    """The CPUs this process may run on; pinning needs two."""
    mine = sorted(os.sched_getaffinity(0))
    if len(mine) < 2:
        pytest.skip("pinning needs two CPUs")
    return mine


def test_bench_pins_the_server_and_the_load_to_cpus_of_their_own(cpus: list[int]) -> None:
    report = _bench("--baseline", "--pin", "--workers", "2")
    assert report["pinned"] == {"server": cpus[:1], "load": cpus[1:]}
    assert report["errors"] == 0
    assert report["samples"]


def _allowed(pid: int) -> list[set[int]]:
    """Each thread's allowed CPUs, as the kernel reports them."""
    return [os.sched_getaffinity(int(task.name)) for task in Path(f"/proc/{pid}/task").iterdir()]


def test_pinning_binds_every_thread_of_the_server_and_is_undone_after(cpus: list[int]) -> None:
    # A process with a second thread started before it is pinned, as the server's
    # collector is.
    code = "import threading, sys; threading.Thread(target=sys.stdin.read).start(); print(1)"
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "1\n"
        with bench.pinned(child.pid) as chosen:
            assert chosen == {"server": cpus[:1], "load": cpus[1:]}
            threads = _allowed(child.pid)
            assert len(threads) == 2
            assert all(allowed == {cpus[0]} for allowed in threads)
            assert os.sched_getaffinity(0) == set(cpus[1:])
        assert os.sched_getaffinity(0) == set(cpus)
    finally:
        child.communicate("", timeout=10)
