"""POST /api/scenarios/check answers in the console's language: `?ui=`, else the `lang`
cookie the console's language links set, else the browser's Accept-Language, else English.
`?lang=` keeps its meaning: the case's language for the preview."""

from __future__ import annotations

import httpx
import pytest

from app.scenarios.starter import starter_text

BROKEN = starter_text("sprog", ["da", "en"]).replace("    cost: 0\n", "    cost: gratis\n", 1)
DA = "ideas[0].cost: skal være et helt tal (fik 'gratis')"
EN = "ideas[0].cost: must be a whole number (got 'gratis')"


async def _messages(http: httpx.AsyncClient, query: str = "", **headers: str) -> list[str]:
    response = await http.post(
        f"/api/scenarios/check{query}", json={"text": BROKEN}, headers=headers
    )
    assert response.status_code == 200
    return [error["message"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("query", "headers", "expected"),
    [
        ("?ui=da", {}, DA),
        ("?ui=en", {"Cookie": "lang=da"}, EN),
        ("", {"Cookie": "lang=da"}, DA),
        ("", {"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"}, DA),
        ("?lang=en", {"Cookie": "lang=da"}, DA),
        ("", {}, EN),
    ],
)
async def test_messages_follow_the_console_language(
    http: httpx.AsyncClient, query: str, headers: dict[str, str], expected: str
) -> None:
    assert await _messages(http, query, **headers) == [expected]


async def test_a_valid_file_previews_in_lang_whatever_ui_says(http: httpx.AsyncClient) -> None:
    text = starter_text("sprog", ["da", "en"])
    response = await http.post("/api/scenarios/check?ui=da&lang=en", json={"text": text})

    check = response.json()
    assert check["ok"] is True
    assert check["preview"]["title"] == "A new use for the old library"
