"""The HTTP API: workshops for trainers, joining for players, health for operators.

Control endpoints need the workshop's facilitator token, as `Authorization: Bearer TOKEN`
or as `?token=TOKEN` (so a facilitator link works when opened from a printed sheet); a
seat's own endpoint needs its seat token as `Authorization: Bearer TOKEN`. Both are
declared as OpenAPI security schemes, so a generated client knows where each token goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from app.engine.debrief import WorkshopDebrief
from app.engine.whatif import MAX_GAMES, WHATIF_STYLES, NotReplayable
from app.rooms.manager import Forbidden, Refused, RoomManager, UnknownRole
from app.rooms.schemas import (
    Announcement,
    ControlRequest,
    ControlResult,
    FeelingsAnswer,
    Joined,
    JoinRequest,
    Note,
    NoteRequest,
    Problem,
    ScenarioInfo,
    SeatChanged,
    SeatFeelings,
    SeatRequest,
    TableDebriefAnswer,
    TableLobby,
    WhatIfAnswer,
    WorkshopCreated,
    WorkshopExport,
    WorkshopFeelings,
    WorkshopRequest,
    WorkshopStatus,
)
from app.rooms.tokens import BadToken
from app.rooms.whatif import WHATIF_GAMES
from app.web.address import for_request
from app.web.limits import Attempts

router = APIRouter()
# Join codes are short: an address that keeps trying wrong ones is made to wait. Only
# wrong codes count, so thirty people joining from one town-hall network are not stopped.
# Shared by every instance when there is Redis (app/web/limits.py), else per instance.
WRONG_CODE_LIMIT = 20
WRONG_CODE_SECONDS = 60.0


def wrong_codes(request: Request) -> Attempts:
    attempts: Attempts = request.app.state.wrong_codes
    return attempts


async def _address(request: Request) -> str:
    address = request.client.host if request.client else "?"
    if await wrong_codes(request).full(address):
        raise HTTPException(429, "too many wrong table codes from this address; wait a minute")
    return address


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "missing or wrong facilitator token"},
    404: {"model": Problem, "description": "no such workshop, table or scenario"},
}
SEAT_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "missing or wrong seat token"},
    404: ERRORS[404],
}


def invalid(description: str) -> dict[str, Any]:
    """A 422 in FastAPI's own shape. Declaring a 422 replaces FastAPI's default one, body
    schema and all, so the schema is named again here."""
    schema = {"$ref": "#/components/schemas/HTTPValidationError"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def unprocessable(place: str, field: str, message: str) -> HTTPException:
    """The 422 `invalid` declares, for a value only the handler can judge."""
    return HTTPException(422, [{"loc": [place, field], "msg": message, "type": "value_error"}])


# RFC 9110: a 401 names the scheme the client should use.
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


# Every dependency is a coroutine function: FastAPI runs a plain `def` one in a worker
# thread, a hand-off per request (a lobby look took 0.6 ms of CPU with it, 0.4 in most
# rounds without; bench/churn.py). tests/unit/test_dependencies.py holds every route to it.
async def manager(request: Request) -> RoomManager:
    found: RoomManager = request.app.state.manager
    return found


Manager = Annotated[RoomManager, Depends(manager)]


# The schemes are declared with auto_error=False so the API, not FastAPI, words the
# refusal, and so the query form can stand in when no bearer header came.
FACILITATOR_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="facilitatorToken",
    description="The workshop's facilitator token (`facilitator_token` in the answer to "
    "`POST /api/workshops`), as `Authorization: Bearer TOKEN`.",
)
FACILITATOR_LINK = APIKeyQuery(
    name="token",
    auto_error=False,
    scheme_name="facilitatorLink",
    description="The same facilitator token as `?token=TOKEN`, so a facilitator link works "
    "when opened from a printed sheet. The header wins when both are sent.",
)
SEAT_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="seatToken",
    description="A seat's token (`token` in the answer to `POST /api/join`), as "
    "`Authorization: Bearer TOKEN`.",
)


async def _token(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(FACILITATOR_BEARER)],
    link: Annotated[str | None, Depends(FACILITATOR_LINK)],
) -> str:
    if bearer is not None and bearer.credentials.strip():
        return bearer.credentials.strip()
    if link:
        return link
    raise HTTPException(
        401,
        "this needs the workshop's facilitator token, as `Authorization: Bearer TOKEN` "
        "or `?token=TOKEN`",
        headers=BEARER_CHALLENGE,
    )


Token = Annotated[str, Depends(_token)]


async def _authorized(rooms: RoomManager, workshop_id: str, token: str) -> None:
    try:
        await rooms.authorize(workshop_id, token)
    except Forbidden as exc:
        raise HTTPException(401, str(exc), headers=BEARER_CHALLENGE) from exc
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


class Health(BaseModel):
    """What this instance can reach (docs/reliability.md, section 9)."""

    status: Literal["ok", "unavailable"] = Field(
        description="unavailable (and a 503) only when this instance cannot serve"
    )
    database: Literal["ok", "down"]
    redis: Literal["ok", "down", "off"] = Field(
        description="off: one instance, no Redis; down: the instances poll the log meanwhile"
    )


@router.get(
    "/healthz",
    tags=["operations"],
    response_model=Health,
    responses={503: {"model": Health, "description": "the database is down: cannot serve"}},
)
async def healthz(rooms: Manager) -> Health | JSONResponse:
    """Alive, and what it can reach: a 503 only when it cannot serve (the database is down);
    Redis down is a 200, since the instances then serve from the log alone."""
    reach = await rooms.health()
    if reach["database"] != "ok":
        body = Health(status="unavailable", **reach)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", **reach)


@router.get("/api/scenarios", tags=["workshops"])
async def list_scenarios(rooms: Manager) -> list[ScenarioInfo]:
    return [
        ScenarioInfo(id=s.id, title=s.title, languages=list(s.languages), hash=s.hash)
        for s in rooms.scenarios().values()
    ]


@router.post(
    "/api/workshops",
    status_code=201,
    tags=["workshops"],
    responses={404: ERRORS[404], 422: invalid("invalid request")},
)
async def create_workshop(
    body: WorkshopRequest, request: Request, rooms: Manager
) -> WorkshopCreated:
    """Create a workshop: its secret facilitator token and a join code per table."""
    try:
        return await rooms.create_workshop(body, for_request(request).base)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get(
    "/api/tables/{code}",
    tags=["players"],
    responses={
        404: ERRORS[404],
        429: {"model": Problem, "description": "too many wrong codes from this address"},
    },
)
async def table_lobby(code: str, request: Request, rooms: Manager) -> TableLobby:
    """What a player needs before joining: the scenario and the roles still free."""
    address = await _address(request)
    try:
        return await rooms.lobby(code)
    except LookupError as exc:
        await wrong_codes(request).hit(address)
        raise HTTPException(404, str(exc)) from exc


@router.post(
    "/api/join",
    tags=["players"],
    responses={
        404: ERRORS[404],
        409: {"model": Problem, "description": "the role asked for is taken, or no seat left"},
        422: invalid("invalid request, or a role the table's scenario does not have"),
        429: {"model": Problem, "description": "too many wrong codes"},
    },
)
async def join(body: JoinRequest, request: Request, rooms: Manager) -> Joined:
    """Take a seat; the signed token in the answer resumes it after a reload.

    `role` is a role id of the table's scenario (the lobby lists them); a role the
    scenario does not have is a 422 naming the roles it has, a taken one a 409."""
    address = await _address(request)
    try:
        return await rooms.join(body)
    except UnknownRole as exc:
        # The code was right, so it is no wrong-code hit.
        raise unprocessable("body", "role", str(exc)) from exc
    except LookupError as exc:
        await wrong_codes(request).hit(address)
        raise HTTPException(404, str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.get("/api/seat/scenario", tags=["players"], responses=SEAT_ERRORS)
async def seat_scenario(
    rooms: Manager,
    seat: Annotated[HTTPAuthorizationCredentials | None, Depends(SEAT_BEARER)],
) -> dict[str, Any]:
    """The table's scenario as this seat may know it (others' agendas and goals left out)."""
    with _seat_refusals():
        return await rooms.seat_scenario(_seat_token(seat))


@router.get("/api/seat/feelings", tags=["players"], responses=SEAT_ERRORS)
async def seat_feelings(
    rooms: Manager,
    seat: Annotated[HTTPAuthorizationCredentials | None, Depends(SEAT_BEARER)],
    lang: str | None = None,
) -> SeatFeelings:
    """The debrief's feelings poll as a player's phone shows it, with the words this seat
    has picked."""
    with _seat_refusals():
        return await rooms.seat_feelings(_seat_token(seat), lang)


@router.put(
    "/api/seat/feelings",
    tags=["players"],
    responses={**SEAT_ERRORS, 422: invalid("a word the poll does not have")},
)
async def set_seat_feelings(
    body: FeelingsAnswer,
    rooms: Manager,
    seat: Annotated[HTTPAuthorizationCredentials | None, Depends(SEAT_BEARER)],
    lang: str | None = None,
) -> SeatFeelings:
    """Pick the words that fit, in place of any picked before (an empty list takes them
    back). The debrief shows only how many picked each word, never who."""
    with _seat_refusals():
        return await rooms.set_seat_feelings(_seat_token(seat), body, lang)


@router.post(
    "/api/seat/release",
    tags=["players"],
    responses={
        **SEAT_ERRORS,
        409: {"model": Problem, "description": "the game is over, or a bot has the seat"},
    },
)
async def release_seat(
    rooms: Manager,
    seat: Annotated[HTTPAuthorizationCredentials | None, Depends(SEAT_BEARER)],
) -> SeatChanged:
    """Give up this seat: the server's bots play it from now on, so the table can go on
    (the facilitator may still free it for a person). The seat token stops working."""
    try:
        with _seat_refusals():
            return await rooms.release_seat(_seat_token(seat))
    except Refused as exc:
        raise HTTPException(409, str(exc)) from exc


@contextmanager
def _seat_refusals() -> Iterator[None]:
    """What a seat's request may meet, as HTTP: a wrong or given-away token is a 401 with
    the Bearer challenge, a table that is gone a 404."""
    try:
        yield
    except BadToken as exc:
        raise HTTPException(401, str(exc), headers=BEARER_CHALLENGE) from exc
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


def _seat_token(seat: HTTPAuthorizationCredentials | None) -> str:
    token = seat.credentials.strip() if seat is not None else ""
    if not token:
        raise HTTPException(
            401,
            "this needs your seat token, as `Authorization: Bearer TOKEN`",
            headers=BEARER_CHALLENGE,
        )
    return token


@router.get("/api/workshops/{workshop_id}", tags=["facilitator"], responses=ERRORS)
async def workshop_status(workshop_id: str, token: Token, rooms: Manager) -> WorkshopStatus:
    """Live status: per table the round, phase, connected seats and scores."""
    await _authorized(rooms, workshop_id, token)
    return await rooms.status(workshop_id)


@router.post("/api/workshops/{workshop_id}/control", tags=["facilitator"], responses=ERRORS)
async def control(
    workshop_id: str,
    body: ControlRequest,
    token: Token,
    rooms: Manager,
    lang: str | None = None,
) -> list[ControlResult]:
    """Start, pause, resume, extend, advance or end one table or all of them.

    A table that cannot carry the command out says why in `message`, in `lang` (else in
    its own language)."""
    await _authorized(rooms, workshop_id, token)
    try:
        return await rooms.control(workshop_id, body, lang)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.post(
    "/api/workshops/{workshop_id}/tables/{number}/seats/{seat}",
    tags=["facilitator"],
    responses={
        **ERRORS,
        409: {
            "model": Problem,
            "description": "the seat is already a bot or free, or the game is over",
        },
    },
)
async def change_seat(
    workshop_id: str,
    number: int,
    seat: str,
    body: SeatRequest,
    token: Token,
    rooms: Manager,
    lang: str | None = None,
) -> SeatChanged:
    """Give a seat to a bot, or free it for a late joiner (even during the game).

    The holder's seat token stops working at once: their connections get an error frame
    (`seat_replaced`) and are closed, and their next hello is refused. A freed seat's role
    is listed as free at the table's lobby until someone joins it. A 409 says why in
    `lang` (else in the table's language).
    """
    await _authorized(rooms, workshop_id, token)
    try:
        return await rooms.give_seat(workshop_id, number, seat, body.action, lang)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    except Refused as exc:
        raise HTTPException(409, str(exc)) from exc


@router.put(
    "/api/workshops/{workshop_id}/tables/{number}/note", tags=["facilitator"], responses=ERRORS
)
async def put_note(
    workshop_id: str, number: int, body: NoteRequest, token: Token, rooms: Manager
) -> Note:
    """The facilitator's notes on a table (plain text), shown in its debrief."""
    await _authorized(rooms, workshop_id, token)
    try:
        return await rooms.set_note(workshop_id, number, body.text)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.post(
    "/api/workshops/{workshop_id}/announce",
    status_code=204,
    tags=["facilitator"],
    responses=ERRORS,
)
async def announce(workshop_id: str, body: Announcement, token: Token, rooms: Manager) -> Response:
    """A message shown at every table."""
    await _authorized(rooms, workshop_id, token)
    await rooms.announce(workshop_id, body.text)
    return Response(status_code=204)


@router.get("/api/workshops/{workshop_id}/debrief", tags=["debrief"], responses=ERRORS)
async def workshop_debrief(
    workshop_id: str, token: Token, rooms: Manager, lang: str | None = None
) -> WorkshopDebrief:
    """All tables side by side (the tables whose game has started)."""
    await _authorized(rooms, workshop_id, token)
    return WorkshopDebrief.model_validate(await rooms.workshop_debrief(workshop_id, lang))


@router.get("/api/workshops/{workshop_id}/feelings", tags=["debrief"], responses=ERRORS)
async def workshop_feelings(workshop_id: str, token: Token, rooms: Manager) -> WorkshopFeelings:
    """The feelings poll's answers from the players' phones, per table and in all."""
    await _authorized(rooms, workshop_id, token)
    return await rooms.feelings(workshop_id)


@router.get(
    "/api/workshops/{workshop_id}/tables/{number}/debrief", tags=["debrief"], responses=ERRORS
)
async def table_debrief(
    workshop_id: str, number: int, token: Token, rooms: Manager, lang: str | None = None
) -> TableDebriefAnswer:
    """One table's debrief, in the order a debrief runs."""
    await _authorized(rooms, workshop_id, token)
    try:
        debrief = await rooms.table_debrief(workshop_id, number, lang)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    return TableDebriefAnswer.model_validate(debrief)


WhatIfStyle = Literal[WHATIF_STYLES]  # type: ignore[valid-type]


@router.get(
    "/api/workshops/{workshop_id}/tables/{number}/whatif",
    tags=["debrief"],
    responses={**ERRORS, 409: {"model": Problem, "description": "the game has not ended"}},
)
async def what_if(
    workshop_id: str,
    number: int,
    token: Token,
    rooms: Manager,
    round: Annotated[int, Query(ge=1, le=100, description="the first round bots play")] = 1,
    style: Annotated[
        WhatIfStyle, Query(description="the chair's leadership style, or as_played")
    ] = "as_played",
    games: Annotated[int, Query(ge=1, le=MAX_GAMES, description="how many replays")] = WHATIF_GAMES,
    lang: str | None = None,
) -> WhatIfAnswer:
    """What if the chair had led differently? The finished game, replayed by bots from a
    round with the chair in a chosen style: the spread of the final scores (p10, p50,
    p90), how often each role's secret goal was met, and the package adopted most often.
    Worked out in a worker process, never on the live tables' loop; answers are kept."""
    await _authorized(rooms, workshop_id, token)
    try:
        answer = await rooms.what_if(workshop_id, number, round, style, games, lang)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    except Refused as exc:
        raise HTTPException(409, str(exc)) from exc
    except NotReplayable as exc:
        raise unprocessable("query", exc.field, str(exc)) from exc
    return WhatIfAnswer.model_validate(answer)


@router.get(
    "/api/workshops/{workshop_id}/export.csv",
    tags=["debrief"],
    responses=ERRORS,
    response_class=PlainTextResponse,
)
async def export_csv(workshop_id: str, token: Token, rooms: Manager) -> PlainTextResponse:
    """Scores per table and round, for a spreadsheet."""
    await _authorized(rooms, workshop_id, token)
    return _csv(await rooms.export_csv(workshop_id), f"workshop-{workshop_id}.csv")


@router.get(
    "/api/workshops/{workshop_id}/tables.csv",
    tags=["debrief"],
    responses=ERRORS,
    response_class=PlainTextResponse,
)
async def export_tables_csv(workshop_id: str, token: Token, rooms: Manager) -> PlainTextResponse:
    """One row per table, for a workshop report: final scores (innovation also with the
    workshop's rarity), how the package was adopted and what it holds, the seats bots
    played, and the chair's leadership profile."""
    await _authorized(rooms, workshop_id, token)
    return _csv(await rooms.export_tables_csv(workshop_id), f"workshop-{workshop_id}-tables.csv")


def _csv(text: str, filename: str) -> PlainTextResponse:
    """A CSV download: the browser saves it under `filename`."""
    return PlainTextResponse(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/api/workshops/{workshop_id}/export.json", tags=["debrief"], responses=ERRORS)
async def export_json(workshop_id: str, token: Token, rooms: Manager) -> WorkshopExport:
    """Everything: the workshop debrief, every table's debrief and event log, and each
    finished table replayed from round 1 in every leadership style."""
    await _authorized(rooms, workshop_id, token)
    return WorkshopExport.model_validate(await rooms.export_json(workshop_id))


@router.delete(
    "/api/workshops/{workshop_id}", status_code=204, tags=["facilitator"], responses=ERRORS
)
async def delete_workshop(workshop_id: str, token: Token, rooms: Manager) -> Response:
    """Remove the workshop with its seats and events."""
    await _authorized(rooms, workshop_id, token)
    await rooms.delete_workshop(workshop_id)
    return Response(status_code=204)
