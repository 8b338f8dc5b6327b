"""Scenario files over HTTP: check an uploaded file, preview a scenario, fetch a workshop's.

The facilitator console uploads a trainer's file to `POST /api/scenarios/check` and shows
its located errors, or its preview; then it creates the workshop with the same text in
`POST /api/workshops` (`scenario_text`). The workshop stores that text, so its games are
replayed and debriefed with it whatever happens to any file later;
`GET /api/workshops/{id}/scenario.yaml` gives it back.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.i18n import FALLBACK_LANGUAGE, chosen_language
from app.offload import Busy
from app.rooms.schemas import Problem as ApiProblem
from app.scenarios.library import content_hash, parse
from app.scenarios.loader import MAX_BYTES, LoadResult, _not_utf8, load_scenario_text
from app.scenarios.preview import ScenarioPreview, preview
from app.scenarios.problems import Problem
from app.scenarios.schema import scenario_json_schema
from app.scenarios.starter import parse_languages, starter_text
from app.store import repo
from app.web import balance_worker
from app.web.api import ERRORS, Manager, Token, _authorized, invalid, unprocessable

router = APIRouter()

# A JSON body escapes the text, so it may be larger than the text itself.
MAX_BODY = 4 * MAX_BYTES
YAML_TYPES = ("text/plain", "text/yaml", "text/x-yaml", "application/yaml", "application/x-yaml")


async def console_language(
    ui: Annotated[
        str | None,
        Query(
            max_length=5,
            description="the language of the messages, da or en; else the console's (the "
            "`lang` cookie, then Accept-Language), else en",
        ),
    ] = None,
    cookie: Annotated[str | None, Cookie(alias="lang", include_in_schema=False)] = None,
    accept: Annotated[str | None, Header(alias="accept-language", include_in_schema=False)] = None,
) -> str:
    """The language an answer's words are in: `?ui=`, else the console's."""
    return chosen_language(ui, cookie, accept) or FALLBACK_LANGUAGE


ConsoleLanguage = Annotated[str, Depends(console_language)]


class CheckRequest(BaseModel):
    text: str = Field(description="the scenario file's content (YAML)")
    filename: str = Field(default="upload.yaml", max_length=200)
    language: str | None = Field(default=None, max_length=3, description="the preview's language")


class Located(BaseModel):
    line: int
    column: int
    message: str

    @classmethod
    def of(cls, problem: Problem) -> Located:
        return cls(line=problem.line, column=problem.column, message=problem.message)


class ScenarioCheck(BaseModel):
    ok: bool = Field(description="the file can be used for a workshop")
    filename: str
    scenario_id: str | None = None
    hash: str = Field(description="sha256 of the text: the version a workshop would store")
    errors: list[Located]
    warnings: list[Located]
    formatted: list[str] = Field(description="every problem as FILE:LINE:COLUMN: message")
    installed_hash: str | None = Field(
        default=None,
        description="the hash of the installed scenario with the same id, if there is one",
    )
    preview: ScenarioPreview | None = None


async def _body(request: Request) -> bytes:
    size = request.headers.get("content-length")
    if size is not None and size.isdigit() and int(size) > MAX_BODY:
        raise HTTPException(413, f"a scenario file may be at most {MAX_BYTES // 1024} KiB")
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY:
            raise HTTPException(413, f"a scenario file may be at most {MAX_BYTES // 1024} KiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _filename(name: str | None) -> str:
    base = PurePath(name or "").name.strip()
    return base[:100] or "upload.yaml"


@router.post(
    "/api/scenarios/check",
    tags=["scenarios"],
    responses={
        413: {"model": ApiProblem, "description": "the file is too large"},
        415: {"model": ApiProblem, "description": "neither JSON nor text"},
        422: {"description": "a JSON body without `text`"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": CheckRequest.model_json_schema()},
                "text/yaml": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    },
)
async def check_scenario(
    request: Request,
    rooms: Manager,
    words: ConsoleLanguage,
    filename: Annotated[str | None, Query(max_length=200)] = None,
    lang: Annotated[
        str | None, Query(max_length=3, description="the case's language for the preview")
    ] = None,
) -> ScenarioCheck:
    """Validate an uploaded scenario file: its located errors and warnings, else a preview.

    Send the file as JSON `{"text": ..., "filename": ..., "language": ...}`, or as the raw
    body (`text/yaml`, `text/plain`) with `?filename=&lang=`. The messages are in `?ui=`'s
    language, else the console's. The answer is 200 whether or not the file is valid: `ok`
    says which.
    """
    raw = await _body(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            body = CheckRequest.model_validate_json(raw)
        except ValidationError as exc:
            raise HTTPException(422, exc.errors(include_url=False, include_input=False)) from exc
        text, name, language = body.text, _filename(body.filename), body.language or lang
        result = load_scenario_text(text, name, words)
    elif kind in YAML_TYPES or kind in ("", "application/octet-stream"):
        name, language = _filename(filename), lang
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            refused = LoadResult(None, [_not_utf8(name, raw, exc)]).in_language(words)
            return _answer(name, content_hash(""), refused)
        result = load_scenario_text(text, name, words)
    else:
        raise HTTPException(415, "send the file as JSON {text} or as text/yaml")
    check = _answer(name, content_hash(text), result, language)
    if result.scenario is not None:
        installed = rooms.scenarios().get(result.scenario.id)
        check.installed_hash = installed.hash if installed else None
    return check


def _answer(
    name: str, hash_: str, result: LoadResult, language: str | None = None
) -> ScenarioCheck:
    ok = result.ok and result.scenario is not None
    return ScenarioCheck(
        ok=ok,
        filename=name,
        scenario_id=result.scenario.id if result.scenario else None,
        hash=hash_,
        errors=[Located.of(p) for p in result.errors],
        warnings=[Located.of(p) for p in result.warnings],
        formatted=[str(p) for p in result.problems],
        preview=preview(result.scenario, language) if ok and result.scenario else None,
    )


@router.get("/api/scenarios/{scenario_id}/preview", tags=["scenarios"], responses=ERRORS)
async def scenario_preview(
    scenario_id: str, rooms: Manager, lang: Annotated[str | None, Query(max_length=3)] = None
) -> ScenarioPreview:
    """An installed scenario as the trainer previews it."""
    source = rooms.scenarios().get(scenario_id)
    if source is None:
        raise HTTPException(404, f"no scenario {scenario_id!r} on this server")
    return preview(parse(source.text, str(source.path)), lang)


@router.get(
    "/api/workshops/{workshop_id}/scenario.yaml",
    tags=["facilitator"],
    responses=ERRORS,
    response_class=PlainTextResponse,
)
async def workshop_scenario(workshop_id: str, token: Token, rooms: Manager) -> PlainTextResponse:
    """The scenario text this workshop was created with (the version its games use)."""
    await _authorized(rooms, workshop_id, token)
    workshop = await repo.get_workshop(rooms.engine, workshop_id)
    if workshop is None:
        raise HTTPException(404, f"no workshop {workshop_id!r}")
    headers = {
        "X-Scenario-Id": workshop.scenario_id,
        "X-Scenario-Hash": workshop.scenario_hash,
        "Content-Disposition": f'attachment; filename="{workshop.scenario_id}.yaml"',
    }
    return PlainTextResponse(
        workshop.scenario_text, media_type="text/yaml; charset=utf-8", headers=headers
    )


# --- The console's scenario editor ---------------------------------------------------------


@router.get("/api/scenarios/schema", tags=["scenarios"], name="scenario_schema")
async def scenario_schema() -> JSONResponse:
    """The JSON Schema of scenario files (as `policymaker scenario schema` prints it).

    The console's editor completes keys and values from it at the cursor.
    """
    return JSONResponse(scenario_json_schema(), headers={"Cache-Control": "no-cache"})


@router.get(
    "/api/scenarios/starter",
    tags=["scenarios"],
    response_class=PlainTextResponse,
    responses={422: invalid("an id or a language list that cannot be used")},
)
async def scenario_starter(
    request: Request,
    scenario_id: Annotated[
        str, Query(alias="id", max_length=64, description="the new case's id")
    ] = "new-case",
    languages: Annotated[
        str, Query(max_length=40, description="its languages, the first the default: da,en")
    ] = "da,en",
) -> PlainTextResponse:
    """A commented starter scenario to write a new case from (`policymaker scenario new`).

    Its first line names this server's schema, so an editor that speaks the YAML language
    server completes keys in the downloaded file too.
    """
    try:
        chosen = parse_languages(languages)
    except ValueError as exc:
        raise unprocessable("query", "languages", str(exc)) from exc
    try:
        text = starter_text(scenario_id, chosen, str(request.url_for("scenario_schema")))
    except ValueError as exc:
        raise unprocessable("query", "id", str(exc)) from exc
    return PlainTextResponse(
        text,
        media_type="text/yaml; charset=utf-8",
        headers={"X-Scenario-Hash": content_hash(text)},
    )


@router.get(
    "/api/scenarios/{scenario_id}/source",
    tags=["scenarios"],
    responses={404: ERRORS[404]},
    response_class=PlainTextResponse,
)
async def scenario_source(scenario_id: str, rooms: Manager) -> PlainTextResponse:
    """An installed scenario's file, to edit into a new version of it."""
    source = rooms.scenarios().get(scenario_id)
    if source is None:
        raise HTTPException(404, f"no scenario {scenario_id!r} on this server")
    headers = {"X-Scenario-Id": source.id, "X-Scenario-Hash": source.hash}
    return PlainTextResponse(source.text, media_type="text/yaml; charset=utf-8", headers=headers)


class BalanceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_BYTES, description="the scenario file's content (YAML)")
    filename: str = Field(default="upload.yaml", max_length=200)
    language: str | None = Field(
        default=None, max_length=3, description="the case's language for its titles"
    )
    games: int = Field(
        default=balance_worker.DEFAULT_GAMES,
        ge=balance_worker.MIN_GAMES,
        le=balance_worker.MAX_GAMES,
        description="games played per chair style",
    )
    seed: int = Field(default=1, ge=0, le=2**31 - 1)


class BalanceAnswer(BaseModel):
    scenario_id: str
    hash: str = Field(description="sha256 of the text the report is about")
    games: int
    text: str = Field(description="the report as `policymaker scenario check` prints it")
    html: str = Field(description="the same as one self-contained HTML page")
    report: dict[str, Any] = Field(description="its figures (as `scenario check --json`)")


@router.post(
    "/api/scenarios/balance",
    tags=["scenarios"],
    responses={
        413: {"model": ApiProblem, "description": "the file is too large"},
        422: invalid("a request that is not one, or a scenario with errors"),
        503: {"model": ApiProblem, "description": "too many reports are being worked out"},
    },
)
async def balance_report(body: BalanceRequest, words: ConsoleLanguage) -> BalanceAnswer:
    """The balance report of a scenario (`policymaker scenario check`) from simulated games.

    The report's words are in `?ui=`'s language, else the console's; the case's texts in
    `language`, else the case's first.

    The games run in a worker process, a few reports at a time: a busy server answers 503
    with `Retry-After` rather than slowing the tables down. A file with errors is a 422
    (check it with `POST /api/scenarios/check` first).
    """
    name = _filename(body.filename)
    result = load_scenario_text(body.text, name)
    if result.scenario is None or result.errors:
        raise unprocessable(
            "body",
            "text",
            f"{name} has {len(result.errors) or 1} error(s); fix them before asking for a report",
        )
    request = balance_worker.ReportRequest(
        text=body.text,
        filename=name,
        games=body.games,
        seed=body.seed,
        language=body.language,
        words=words,
    )
    try:
        answer = await balance_worker.REPORTS.run(request)
    except Busy as exc:
        message = f"balance reports: {exc}; try again when one is done"
        raise HTTPException(503, message, headers={"Retry-After": "10"}) from exc
    return BalanceAnswer(
        scenario_id=result.scenario.id,
        hash=content_hash(body.text),
        games=body.games,
        text=answer["text"],
        html=answer["html"],
        report=answer["data"],
    )
