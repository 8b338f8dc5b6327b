"""The HTML pages: thin shells that load one ES module each; the data comes over the API.

No page carries inline script (the Content-Security-Policy forbids it): what a module
needs to start (a join code, a workshop id) is in `data-` attributes of <body>.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Cookie, Depends, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.bundled import shipped
from app.web import outage
from app.web.address import for_request
from app.web.api import wrong_codes
from app.web.i18n import LANGUAGES, chosen_language, js_catalog, pick_language, translations

router = APIRouter(include_in_schema=False)
TEMPLATES = shipped(__package__, "templates")

_envs: dict[str, Environment] = {}


def environment(lang: str) -> Environment:
    """One Jinja2 environment per language, with that language's gettext installed."""
    env = _envs.get(lang)
    if env is None:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
        _envs[lang] = env
    return env


def render(name: str, lang: str, **context: Any) -> HTMLResponse:
    html = environment(lang).get_template(name).render(lang=lang, languages=LANGUAGES, **context)
    return HTMLResponse(html)


async def _page_lang(
    lang: Annotated[str | None, Query(max_length=5)] = None,
    cookie: Annotated[str | None, Cookie(alias="lang")] = None,
    accept: Annotated[str | None, Header(alias="accept-language")] = None,
) -> str:
    """The page's language: `?lang=`, else the cookie, else the browser's preference."""
    return pick_language(lang, cookie, accept)


PageLang = Annotated[str, Depends(_page_lang)]


async def _chosen_lang(
    lang: Annotated[str | None, Query(max_length=5)] = None,
    cookie: Annotated[str | None, Cookie(alias="lang")] = None,
) -> str | None:
    """A language the person picked (`?lang=` or the language links' cookie), if any."""
    return chosen_language(lang, cookie)


ChosenLang = Annotated[str | None, Depends(_chosen_lang)]
AcceptLang = Annotated[str | None, Header(alias="accept-language")]


async def _table_language(request: Request, code: str | None) -> str | None:
    """The language of the table a join code opens; None for no such table.

    A wrong code counts against the address like a wrong code typed on the join page,
    so the page's language cannot be used to try codes faster than the API allows.
    """
    if not code:
        return None
    address = request.client.host if request.client else "?"
    if await wrong_codes(request).full(address):
        return None
    try:
        room = await request.app.state.manager.watch(code)
    except LookupError:
        await wrong_codes(request).hit(address)
        return None
    except outage.HANDLED as exc:
        if not outage.from_database(exc):
            raise
        # The page opens in the browser's language; its API calls say the database is away.
        return None
    language: str = room.config.language
    return language


async def _lang_at_table(
    request: Request, code: str | None, chosen: str | None, accept: str | None
) -> str:
    """A page at a table speaks the table's language: a browser's preference does not beat
    it, a language the person picked does."""
    if chosen:
        return chosen
    return await _table_language(request, code) or pick_language(accept)


@router.get("/", response_class=HTMLResponse)
async def index(lang: PageLang) -> HTMLResponse:
    return render("join.html", lang, page="join", code="")


@router.get("/join/{code}", response_class=HTMLResponse)
async def join_page(
    code: str, request: Request, chosen: ChosenLang, accept: AcceptLang = None
) -> HTMLResponse:
    code = code[:12].upper()
    lang = await _lang_at_table(request, code, chosen, accept)
    return render("join.html", lang, page="join", code=code)


@router.get("/play", response_class=HTMLResponse)
async def play_page(
    request: Request,
    chosen: ChosenLang,
    accept: AcceptLang = None,
    table: Annotated[str | None, Cookie(alias="pm_table", max_length=12)] = None,
) -> HTMLResponse:
    """The seat lives in the phone's storage; join.js names its table in the `pm_table`
    cookie so the page can open in that table's language."""
    lang = await _lang_at_table(request, table, chosen, accept)
    return render("player.html", lang, page="player")


@router.get("/table/{code}", response_class=HTMLResponse)
async def table_page(
    code: str, request: Request, chosen: ChosenLang, accept: AcceptLang = None
) -> HTMLResponse:
    code = code[:12].upper()
    lang = await _lang_at_table(request, code, chosen, accept)
    # The join link on the wall must be one the phones in the room can open.
    join_base = for_request(request).base
    return render("table.html", lang, page="table", code=code, join_base=join_base)


@router.get("/facilitator", response_class=HTMLResponse)
async def console_new(lang: PageLang, request: Request) -> HTMLResponse:
    return render(
        "facilitator.html",
        lang,
        page="facilitator",
        workshop="",
        local_only=for_request(request).local_only,
    )


@router.get("/facilitator/{workshop_id}", response_class=HTMLResponse)
async def console(workshop_id: str, lang: PageLang, request: Request) -> HTMLResponse:
    return render(
        "facilitator.html",
        lang,
        page="facilitator",
        workshop=workshop_id[:64],
        local_only=for_request(request).local_only,
    )


@router.get("/facilitator/{workshop_id}/sheet", response_class=HTMLResponse)
async def join_sheet(workshop_id: str, lang: PageLang, request: Request) -> HTMLResponse:
    """The sheet's links and QR codes name an address the phones can open (app/web/address.py)."""
    reach = for_request(request)
    return render(
        "sheet.html",
        lang,
        page="sheet",
        workshop=workshop_id[:64],
        join_base=reach.base,
        local_only=reach.local_only,
    )


@router.get("/debrief/{workshop_id}", response_class=HTMLResponse)
async def workshop_debrief_page(workshop_id: str, lang: PageLang) -> HTMLResponse:
    return render(
        "debrief.html",
        lang,
        page="debrief",
        workshop=workshop_id[:64],
        table="",
    )


@router.get("/debrief/{workshop_id}/{number}", response_class=HTMLResponse)
async def table_debrief_page(workshop_id: str, number: int, lang: PageLang) -> HTMLResponse:
    return render(
        "debrief.html",
        lang,
        page="debrief",
        workshop=workshop_id[:64],
        table=str(number),
    )


@router.get("/i18n/{lang}.json")
async def catalog(lang: str) -> JSONResponse:
    """The UI strings of a language, for the ES modules."""
    if lang not in LANGUAGES:
        raise HTTPException(404, "no such language")
    return JSONResponse(js_catalog(lang), headers={"Cache-Control": "public, max-age=300"})


@router.get("/qr/{code}.svg")
async def qr_code(code: str, request: Request) -> Response:
    """A QR code (SVG, made here: no outside service) of a table's join link."""
    clean = "".join(ch for ch in code.upper() if ch.isalnum())[:12]
    if not clean:
        raise HTTPException(404, "no such code")
    base = for_request(request).base
    buffer = io.BytesIO()
    # A standalone SVG (with its xmlns), so browsers show it in an <img>.
    segno.make(f"{base}/join/{clean}", error="m").save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False
    )
    return Response(buffer.getvalue(), media_type="image/svg+xml")
