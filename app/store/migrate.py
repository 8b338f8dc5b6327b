"""Apply the migrations, as the server does on start."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.bundled import MIGRATIONS
from app.store.db import make_engine

# Any fixed number: the PostgreSQL advisory lock that lets one instance migrate at a time.
MIGRATION_LOCK_KEY = 7_014_321_977


def alembic_config() -> Config:
    """A config that finds the migrations wherever the package is installed.

    No ini file (alembic.ini is the developers' command line, at the repository root), so
    alembic does not reconfigure (and silence) the app's logging.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(url: str) -> None:
    """Bring the database at url to the newest revision. Safe inside a running loop."""
    engine = make_engine(url)
    try:
        # The open connection is handed to env.py, so alembic runs synchronously on it
        # via run_sync (no second event loop, no thread) and with this engine's settings.
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Several instances starting together: the first migrates, the others
                # wait here, then find the database current. Released at commit.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            await connection.run_sync(_upgrade, alembic_config())
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
