"""Which HTTP errors are a database outage (a 503 with a retry hint) and which stay 500s."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from app.rooms.manager import Unavailable
from app.web import outage


def _refused_by_the_driver() -> BaseException:
    """The error asyncpg raises through SQLAlchemy when nothing listens on the port."""

    async def connect() -> None:
        engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
        try:
            async with engine.connect():
                pass
        finally:
            await engine.dispose()

    try:
        asyncio.run(connect())
    except Exception as exc:
        return exc
    raise AssertionError("connecting to port 9 succeeded")


def test_errors_from_the_database_are_outages_and_others_are_not() -> None:
    assert outage.from_database(_refused_by_the_driver())
    assert outage.from_database(OperationalError("SELECT 1", {}, Exception("server closed")))
    assert outage.from_database(Unavailable("the database does not answer"))
    # A refusal is not an outage, and an OSError that never went near the database (a
    # file, another service) is a fault of its own.
    assert not outage.from_database(IntegrityError("INSERT", {}, Exception("duplicate key")))
    with pytest.raises(OSError) as missing:
        Path("/nonexistent/scenario.yaml").read_text()
    assert not outage.from_database(missing.value)


async def _answer(error: BaseException) -> httpx.Response:
    """What an app with the outage handlers answers to a request whose route raises `error`."""
    app = FastAPI()
    for kind in outage.HANDLED:
        app.add_exception_handler(kind, outage.database_unavailable)

    @app.get("/fails")
    async def fails() -> None:
        raise error

    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/fails")


async def test_an_outage_is_a_503_with_retry_after_and_anything_else_a_500() -> None:
    answer = await _answer(await asyncio.to_thread(_refused_by_the_driver))
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == str(outage.RETRY_SECONDS)
    assert answer.json() == {
        "detail": outage.MESSAGE,
        "code": "unavailable",
        "retry_after": outage.RETRY_SECONDS,
    }
    assert (await _answer(FileNotFoundError(2, "no such file"))).status_code == 500
