"""The console's balance report in the console's language: `?ui=`, else the `lang` cookie,
else Accept-Language, else English (the rule POST /api/scenarios/check follows); the case's
texts in the body's `language`."""

from __future__ import annotations

from typing import Any

import httpx

from app.authoring import balance
from app.scenarios.loader import load_scenario_text
from app.scenarios.starter import starter_text
from app.web.balance_worker import MIN_GAMES

TEXT = starter_text("library-case", ["da", "en"])
BODY = {"text": TEXT, "filename": "library-case.yaml", "language": "en", "games": MIN_GAMES}


def expected(words: str) -> tuple[str, str]:
    """The text and HTML `policymaker scenario check --games 10 --seed 1` would give."""
    result = load_scenario_text(TEXT, "library-case.yaml")
    assert result.scenario is not None
    runs = balance.run_all(result.scenario, MIN_GAMES, 1)
    report = balance.build_report(result.scenario, runs, result, TEXT, "library-case.yaml", 1, "en")
    return balance.format_report(report, words), balance.render_html(report, words)


async def report(
    http: httpx.AsyncClient,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await http.post(
        "/api/scenarios/balance", json=BODY, params=params, headers=headers, timeout=120
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_the_report_answers_in_danish_with_ui_da(http: httpx.AsyncClient) -> None:
    answer = await report(http, params={"ui": "da"})

    text, page = expected("da")
    assert answer["text"] == text
    assert answer["html"] == page
    assert answer["text"].startswith("Balancerapport: A new use for the old library")
    assert '<html lang="da">' in answer["html"]
    findings = answer["report"]["findings"]
    assert findings and all(f["message"] in text for f in findings)


async def test_the_reports_language_follows_the_consoles(http: httpx.AsyncClient) -> None:
    danish, _ = expected("da")
    english, _ = expected("en")

    by_cookie = await report(http, headers={"Cookie": "lang=da"})
    by_header = await report(http, headers={"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"})
    ui_first = await report(http, params={"ui": "en"}, headers={"Cookie": "lang=da"})
    nothing = await report(http)

    assert by_cookie["text"] == danish
    assert by_header["text"] == danish
    assert ui_first["text"] == english
    assert nothing["text"] == english
