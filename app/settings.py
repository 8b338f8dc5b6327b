"""Settings from the environment (and `.env`), with defaults for a laptop in a town hall."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.bundled import SCENARIOS

# The checkout's root, for the tests and tools that run from one. The app itself finds
# what it ships through app.bundled, which also works from an installed wheel.
REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./data/policymaker.db",
        description="SQLite file (default) or postgresql://USER@HOST:PORT/DB",
    )
    redis_url: str | None = Field(default=None, description="Redis for fan-out between instances")
    host: str = "127.0.0.1"
    port: int = 8000
    # A fresh random key per process would void every seat token on restart, so the
    # default is derived once and kept in the data directory (see secret_key()).
    secret_key: str | None = None
    languages: list[str] = ["da", "en"]
    default_language: str = "da"
    scenarios_dir: Path = SCENARIOS
    public_url: str | None = Field(
        default=None, description="Base URL players reach, for links and QR codes"
    )
    bot_think_seconds: float = Field(
        default=1.5, description="How long a server-side bot waits before each intent"
    )
    outgoing_queue: int = Field(
        default=256,
        description="How far a client may fall behind: frames queued, or 4 KiB each written unread",
    )
    # Far above what a person or a bot sends; a client past it is stuck in a loop.
    ws_messages_per_second: float = Field(
        default=20.0, gt=0, description="Frames one websocket may send a second, on average"
    )
    ws_message_burst: int = Field(
        default=60, ge=1, description="Frames one websocket may send at once before the rate"
    )
    demo: bool = Field(default=False, description="create a demo workshop at start")
    # Fractions are allowed, so a test can flag a table within seconds.
    quiet_minutes: float = Field(
        default=3.0,
        gt=0,
        description="The console flags a running table where no one has acted for this long",
    )
    # Scale-out (REDIS_URL set): see app/rooms/lease.py and docs/operations.md.
    lease_seconds: float = Field(
        default=10.0, description="How long a dead instance keeps its tables' clocks"
    )
    sync_seconds: float = Field(
        default=2.0, description="How often an instance polls the log and renews its leases"
    )
    # Off by default; bench/soak.py turns it on, and so may an operator (docs/operations.md).
    loop_lag_ms: float = Field(
        default=0.0,
        ge=0,
        description="Log every pause of the event loop longer than this many ms (0: off)",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()


def secret_key(settings: Settings) -> str:
    """The configured key, else one generated on first start and kept beside the database."""
    if settings.secret_key:
        return settings.secret_key
    path = Path("data") / "secret.key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
