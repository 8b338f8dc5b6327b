"""A real game server in a child process, for tests that speak to it over HTTP and websockets.

The server runs as an operator would run it (`policymaker serve`), on a free port, with
its SQLite file and `data/secret.key` in a directory of the test's own. It can be
stopped (gently or with SIGKILL) and started again on the same database, which is what
the restart tests need.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from app.client import WireBot, seat_scenario, ws_url
from app.engine.events import event_from_dict
from app.engine.rules import Rules
from app.engine.state import GameState
from app.rooms.room import PROTOCOL_VERSION
from app.scenarios import load_scenario_or_raise
from app.settings import REPO_ROOT
from tests.contract import CheckedSocket, checked_connect
from tests.views import fold

POLICYMAKER = Path(sys.executable).parent / "policymaker"
SCENARIOS = REPO_ROOT / "game_content" / "scenarios"
# The server is up in about a second; allow for a slow CI machine.
HEALTH_ATTEMPTS = 300
HEALTH_INTERVAL = 0.05
STOP_TIMEOUT = 10.0


def answers(frame: dict[str, Any], cmid: str | None = None) -> bool:
    """Whether `frame` answers an intent (the one with `cmid`, if given).

    Protocol v3: the update an intent produced, sent to its own connection, carries its
    cmid and is its answer; an ack answers only a repeat or an intent that changed nothing.
    """
    if frame["type"] == "update":
        return "cmid" in frame and (cmid is None or frame["cmid"] == cmid)
    return frame["type"] in ("ack", "error") and (cmid is None or frame.get("cmid") == cmid)


def accepted(frame: dict[str, Any]) -> bool:
    """Whether an intent's answer says it was applied (now, or as a duplicate)."""
    return frame["type"] == "ack" or (frame["type"] == "update" and "cmid" in frame)


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServerFailed(RuntimeError):
    """The server process exited or never became healthy."""


@dataclass
class Server:
    """One server process over a database that outlives it."""

    workdir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    # What it listens on; "0.0.0.0" for every interface (the address tests). `base` stays
    # on loopback, which answers either way.
    host: str = "127.0.0.1"
    # The command to run: this checkout's, or another installation's (the wheel test).
    policymaker: Path = POLICYMAKER

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        """The store: a SQLite file of its own unless `env` names another."""
        return self.env.get("DATABASE_URL") or f"sqlite:///{self.workdir / 'pm.db'}"

    @property
    def store(self) -> str:
        return "sqlite" if self.database_url.startswith("sqlite") else "postgresql"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"server-{self.starts}.log"

    def start(self) -> Server:
        """Start the process and return once `GET /healthz` answers ok."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("the server is already running")
        self.starts += 1
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "BOT_THINK_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        env.pop("SECRET_KEY", None)
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(self.policymaker), "serve", "--host", self.host, "--port", str(self.port)],
                cwd=self.workdir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        with httpx.Client(base_url=self.base, timeout=2.0) as http:
            for _ in range(HEALTH_ATTEMPTS):
                if self.proc.poll() is not None:
                    raise ServerFailed(f"the server exited ({self.proc.returncode}):\n{self.log()}")
                try:
                    if http.get("/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(HEALTH_INTERVAL)  # polling the health endpoint, not a race
        self.stop()
        raise ServerFailed(f"the server never became healthy:\n{self.log()}")

    def stop(self) -> int | None:
        """SIGTERM and wait (SIGKILL if it hangs); the exit code."""
        return self._end(signal.SIGTERM)

    def kill(self) -> int | None:
        """SIGKILL: a crash, with no chance to flush or close anything."""
        return self._end(signal.SIGKILL)

    def restart(self, hard: bool = False) -> Server:
        """Stop (or kill) and start again on the same database and port."""
        if hard:
            self.kill()
        else:
            self.stop()
        return self.start()

    def _end(self, sig: signal.Signals) -> int | None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return proc.returncode if proc else None
        proc.send_signal(sig)
        try:
            return proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait(timeout=STOP_TIMEOUT)

    def log(self, tail: int = 4000) -> str:
        """The end of the current process's output, for failure messages."""
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


# --- speaking to a running server ---------------------------------------------------------

# Long enough for a whole bot game on a slow machine; a hung server fails, never hangs.
WAIT = 20.0


class Player:
    """A raw websocket client: every frame it sends and gets is checked against the protocol
    (tests/contract.py: payloads, and each answer against its operation's replies); what
    it gets is kept."""

    def __init__(self, ws: ClientConnection) -> None:
        # Frames a test sends on `ws` itself are raw on purpose, like `send_raw`'s.
        self.ws = CheckedSocket(ws, "player", sends_hostile=True)
        self.frames: list[dict[str, Any]] = []
        self.seq = 0
        self.public: dict[str, Any] = {}
        self.private: dict[str, Any] | None = None
        self.joined: dict[str, Any] = {}  # the answer to POST /api/join, when seated
        self._cmids = itertools.count(1)

    @classmethod
    async def connect(cls, base: str) -> Player:
        return cls(await websockets.connect(ws_url(base), max_size=None))

    async def close(self) -> None:
        await self.ws.close()

    async def send(self, kind: str, **fields: Any) -> None:
        frame = {"v": PROTOCOL_VERSION, "type": kind, **fields}
        await self.ws.send_checked(json.dumps(frame))

    async def send_raw(self, text: str | bytes) -> None:
        """Send a frame as it is, unchecked: hostile on purpose (its answer is checked)."""
        await self.ws.send_raw(text)

    async def recv(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next frame, checked against docs/asyncapi.yaml."""
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.frames.append(frame)
        if frame["type"] in ("welcome", "update"):
            self.seq = frame["seq"]
            # A welcome holds the views whole; each update patches them (protocol v2).
            views = fold({"public": self.public, "private": self.private}, frame)
            assert views is not None
            self.public, self.private = views["public"], views["private"]
        return frame

    async def until(
        self, test: Callable[[dict[str, Any]], bool], timeout: float = WAIT
    ) -> dict[str, Any]:
        """Read frames until one passes `test`; fail after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.recv()
                if test(frame):
                    return frame

    async def until_public(
        self, test: Callable[[dict[str, Any]], bool], timeout: float = WAIT
    ) -> dict[str, Any]:
        """Read frames until the public view this client holds passes `test`."""
        if self.public and test(self.public):
            return self.public
        await self.until(
            lambda f: f["type"] in ("welcome", "update") and test(self.public), timeout
        )
        return self.public

    async def hello(self, token: str, last_seq: int | None = None) -> dict[str, Any]:
        fields: dict[str, Any] = {"token": token}
        if last_seq is not None:
            fields["last_seq"] = last_seq
        await self.send("hello", **fields)
        return await self.until(lambda f: f["type"] in ("welcome", "error"))

    async def intent(self, action: dict[str, Any], cmid: str | None = None) -> dict[str, Any]:
        """Ask for an action; the update, ack or error answering it."""
        cmid = cmid or f"c{next(self._cmids)}"
        await self.send("intent", cmid=cmid, action=action)
        return await self.until(lambda f: answers(f, cmid))

    async def caught_up(self, seq: int) -> None:
        """Wait until this client has seen the table at `seq`."""
        if self.seq < seq:
            await self.until(lambda f: f["type"] == "update" and f["seq"] >= seq)

    def events(self) -> list[dict[str, Any]]:
        """Every event record this client received, in arrival order."""
        return [e for f in self.frames if f["type"] in EVENT_FRAMES for e in f["events"]]


EVENT_FRAMES = ("welcome", "update", "events")


def online(public: dict[str, Any], seat: str) -> bool:
    """Whether a public view shows `seat` as connected."""
    return any(s["connected"] for s in public["seats"] if s["id"] == seat)


@dataclass
class Facilitator:
    """The facilitator's side of the HTTP API for one workshop."""

    http: httpx.AsyncClient
    workshop_id: str
    token: str
    tables: list[dict[str, Any]]

    @classmethod
    async def create(cls, http: httpx.AsyncClient, **body: Any) -> Facilitator:
        response = await http.post("/api/workshops", json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        return cls(http, created["workshop_id"], created["facilitator_token"], created["tables"])

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def path(self) -> str:
        return f"/api/workshops/{self.workshop_id}"

    def code(self, number: int = 1) -> str:
        return str(next(t["code"] for t in self.tables if t["number"] == number))

    async def join(self, name: str, number: int = 1, role: str | None = None) -> dict[str, Any]:
        body = {"code": self.code(number), "name": name, "role": role}
        response = await self.http.post("/api/join", json=body)
        assert response.status_code == 200, response.text
        joined: dict[str, Any] = response.json()
        return joined

    async def control(self, command: str, **body: Any) -> list[dict[str, Any]]:
        response = await self.http.post(
            f"{self.path}/control", json={"command": command, **body}, headers=self.auth
        )
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()
        return results

    async def get(self, suffix: str = "") -> httpx.Response:
        return await self.http.get(f"{self.path}{suffix}", headers=self.auth)

    async def status(self) -> dict[str, Any]:
        response = await self.get()
        assert response.status_code == 200, response.text
        status: dict[str, Any] = response.json()
        return status

    async def export(self) -> dict[str, Any]:
        response = await self.get("/export.json")
        assert response.status_code == 200, response.text
        exported: dict[str, Any] = response.json()
        return exported

    async def log(self, number: int = 1) -> list[dict[str, Any]]:
        """The table's whole event log as the facilitator exports it (nothing hidden)."""
        tables = (await self.export())["tables"]
        events: list[dict[str, Any]] = next(t["events"] for t in tables if t["number"] == number)
        return events


def full_rules(scenario: str = "school-committee") -> Rules:
    """The engine over the whole scenario file, agendas and goals included."""
    return Rules(load_scenario_or_raise(SCENARIOS / f"{scenario}.yaml"))


def replay(rules: Rules, records: list[dict[str, Any]]) -> GameState:
    """The state a log folds to; records that are not engine events (`control.*`) are skipped."""
    return rules.replay(
        event_from_dict(r["data"]) for r in records if not r["type"].startswith("control.")
    )


@asynccontextmanager
async def seated(
    base: str, fac: Facilitator, seats: int = 5, number: int = 1
) -> AsyncIterator[list[Player]]:
    """`seats` players joined to table `number`, each connected and welcomed; closed after."""
    players: list[Player] = []
    try:
        for i in range(seats):
            joined = await fac.join(f"Player {i + 1}", number)
            player = await Player.connect(base)
            player.joined = joined
            players.append(player)
            welcome = await player.hello(joined["token"])
            assert welcome["type"] == "welcome", welcome
        yield players
    finally:
        for player in players:
            await player.close()


class CheckedBot(WireBot):
    """The engine's bot on the wire, every frame it sends and gets checked (tests/contract.py)."""

    def connect(self) -> AbstractAsyncContextManager[Any]:
        return checked_connect(ws_url(self.base), f"bot {self.seat}", max_size=None)


async def play_bots(
    base: str, joined: list[dict[str, Any]], keep_frames: bool = True
) -> list[WireBot]:
    """Play joined seats to the end with the engine's bot, each on its own websocket."""
    bots = [
        CheckedBot(
            base,
            j["token"],
            j["seat"],
            j["role"],
            Rules(await seat_scenario(base, j["token"])),
            keep_frames=keep_frames,
        )
        for j in joined
    ]
    await asyncio.wait_for(asyncio.gather(*(b.play() for b in bots)), 4 * WAIT)
    return bots
