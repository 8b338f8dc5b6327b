"""HTTP requests while the database is out of reach: a 503 with a retry hint, not a 500.

A restart of PostgreSQL takes seconds. Meanwhile the console's status poll, a join by
code or a debrief would fail somewhere in a query, and an unhandled error is a 500 that
says nothing and closes the connection. Answered here instead: 503, `Retry-After`, and a
body that says the database is away (`Outage`, documented on every operation). Nothing was
changed by such a request (a write that fails is rolled back), so asking again is safe.

Only errors that come from the database count: an OSError raised anywhere else (a file,
another service) is no outage of ours and stays the 500 it was.
"""

from __future__ import annotations

import traceback

from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.requests import HTTPConnection

from app.rooms import log, manager
from app.rooms.schemas import Outage
from app.store.db import is_outage

RETRY_SECONDS = 2
MESSAGE = "the database cannot be reached just now; nothing was changed, please try again"
# The exception classes a database outage surfaces as (asyncpg's refused connection is a
# plain OSError, TimeoutError its connect timeout); each is checked by `from_database`.
HANDLED: tuple[type[Exception], ...] = (
    DBAPIError,
    OSError,
    manager.Unavailable,
    log.Unavailable,
)
# Modules whose frames in a traceback mean the error came from talking to the database.
_DRIVERS = ("/sqlalchemy/", "/asyncpg/", "/aiosqlite/")


def from_database(exc: BaseException) -> bool:
    """Whether `exc` says the database is out of reach (not a refusal, not another fault)."""
    if isinstance(exc, manager.Unavailable | log.Unavailable):
        return True
    if not is_outage(exc):
        return False
    if isinstance(exc, DBAPIError):
        return True
    frames = traceback.extract_tb(exc.__traceback__)
    return any(any(d in f.filename for d in _DRIVERS) for f in frames)


async def database_unavailable(conn: HTTPConnection, exc: Exception) -> JSONResponse:
    """The exception handler for HANDLED: 503 for an outage, anything else raised on.

    Websockets answer outages themselves (an `unavailable` frame, app/web/ws.py): what
    escapes one is no request to answer with a response."""
    if conn.scope["type"] != "http" or not from_database(exc):
        raise exc
    return JSONResponse(
        Outage(detail=MESSAGE, retry_after=RETRY_SECONDS).model_dump(),
        status_code=503,
        headers={"Retry-After": str(RETRY_SECONDS)},
    )


# Every operation's documented answers include this one.
RESPONSES: dict[int | str, dict[str, object]] = {
    503: {"model": Outage, "description": "the database is out of reach; ask again later"}
}
