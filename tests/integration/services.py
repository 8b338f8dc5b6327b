"""A Redis and a PostgreSQL of the test's own, to kill and restart mid-game.

The shared services (TEST_REDIS_URL, TEST_DATABASE_URL) must never be stopped by a test,
so outage tests start their own: `redis-server` on a free port without persistence, and
a PostgreSQL cluster made by `initdb` in a temporary directory, on a free port with trust
authentication. initdb refuses to run as root, so when the tests run as root the
PostgreSQL commands run as the `postgres` user (`runuser`) in a directory it owns.

Missing binaries skip the tests, or fail them under REQUIRE_SERVICES=1 (as in CI).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.integration.server import free_port

REDIS_SERVER = Path("/usr/bin/redis-server")
PG_BIN = Path("/usr/local/bin")
# Starting either takes well under a second; allow for a slow, busy machine.
START_TIMEOUT = 60.0


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def _binary(path: Path, name: str) -> Path:
    found = path if path.exists() else Path(shutil.which(name) or path)
    if not found.exists():
        _missing(f"{name} is not installed (looked for {path})")
    return found


def _wait_listening(port: int, alive: subprocess.Popen[bytes] | None, what: str) -> None:
    """Return once something accepts connections on the port (bounded: START_TIMEOUT)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            raise RuntimeError(f"{what} exited with {alive.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.02)  # polling a port that is coming up, not a race
    raise RuntimeError(f"{what} did not listen on {port} within {START_TIMEOUT} s")


@dataclass
class RedisService:
    """One redis-server process; `kill` and `start` again keep its port (and lose its data,
    as a restarted Redis without persistence does)."""

    workdir: Path
    binary: Path = REDIS_SERVER
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisService:
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("redis-server is already running")
        log = (self.workdir / "redis.log").open("ab")
        command = [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1"]
        # No snapshot, no append-only file: a restart loses the data, as in the tests' story.
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.proc = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_listening(self.port, self.proc, "redis-server")
        return self

    def kill(self) -> None:
        """SIGKILL: the clients see their connections drop and the port refuse."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class PostgresService:
    """A PostgreSQL cluster of its own: initdb once, then start, stop and restart on one port."""

    datadir: Path
    port: int = field(default_factory=free_port)
    user: str | None = None  # run the commands as this user (root cannot run PostgreSQL)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, timeout=START_TIMEOUT)
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}):"
                f" {done.stdout.decode(errors='replace')}{done.stderr.decode(errors='replace')}"
            )

    def init(self) -> PostgresService:
        self._run(
            str(_binary(PG_BIN / "initdb", "initdb")),
            "-D", str(self.datadir), "-U", "postgres", "-A", "trust", "--no-sync",
        )  # fmt: skip
        return self

    def start(self) -> PostgresService:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir}"
            " -c fsync=off -c max_connections=200"
        )
        self._run(
            str(_binary(PG_BIN / "pg_ctl", "pg_ctl")),
            "-D", str(self.datadir), "-o", options,
            "-l", str(self.datadir / "server.log"), "-w", "start",
        )  # fmt: skip
        _wait_listening(self.port, None, "postgres")
        return self

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (clients see their connections terminated)."""
        self._run(
            str(_binary(PG_BIN / "pg_ctl", "pg_ctl")),
            "-D", str(self.datadir), "-m", mode, "-w", "stop",
        )  # fmt: skip

    @property
    def running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()


def _owned_by(path: Path, user: str) -> Path:
    entry = pwd.getpwnam(user)
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisService]:
    """A redis-server of this test's own, running; killed at the end."""
    binary = _binary(REDIS_SERVER, "redis-server")
    workdir = tmp_path / "redis"
    workdir.mkdir()
    redis = RedisService(workdir, binary).start()
    try:
        yield redis
    finally:
        redis.kill()


@pytest.fixture
def own_postgres() -> Iterator[PostgresService]:
    """A PostgreSQL cluster of this test's own, running; stopped and removed at the end."""
    for name in ("initdb", "pg_ctl", "postgres"):
        _binary(PG_BIN / name, name)
    user = "postgres" if os.geteuid() == 0 else None
    if user is not None:
        try:
            pwd.getpwnam(user)
        except KeyError:
            _missing("running as root and there is no postgres user to run PostgreSQL as")
    # Under /tmp rather than pytest's own directory, which the postgres user cannot enter.
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"pm-pg-{os.getpid()}-{free_port()}"
    datadir = base / "data"
    if user is not None:
        _owned_by(base, user)
        _owned_by(datadir, user)
    pg = PostgresService(datadir, user=user).init().start()
    try:
        yield pg
    finally:
        if pg.running:
            pg.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)
