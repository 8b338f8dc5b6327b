"""The debrief's feelings poll from the players' phones, on a real server: each seat picks
words (and may change them), the facilitator's debrief counts them per table, never who."""

from __future__ import annotations

import httpx

from tests.integration.server import Facilitator


def seat(joined: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {joined['token']}"}


async def test_players_pick_words_and_the_debrief_counts_them_per_table(
    http: httpx.AsyncClient,
) -> None:
    fac = await Facilitator.create(http, tables=2, language="da")
    ann, bo = await fac.join("Ann"), await fac.join("Bo")
    cy = await fac.join("Cy", number=2)

    poll = await http.get("/api/seat/feelings", headers=seat(ann))
    assert poll.status_code == 200, poll.text
    assert poll.json()["prompt"].startswith("Hvordan har du det")  # the workshop's language
    ids = [o["id"] for o in poll.json()["options"]]
    assert {"heard", "overruled"} <= set(ids) and poll.json()["mine"] == []
    english = await http.get("/api/seat/feelings?lang=en", headers=seat(ann))
    assert english.json()["prompt"].startswith("How do you feel")

    for joined, words in ((ann, ["heard", "curious"]), (bo, ["overruled"]), (cy, ["heard"])):
        answer = await http.put(
            "/api/seat/feelings", json={"feelings": words}, headers=seat(joined)
        )
        assert answer.status_code == 200, answer.text
    # Bo changes his mind: his new words replace the old.
    changed = await http.put(
        "/api/seat/feelings", json={"feelings": ["heard", "heard"]}, headers=seat(bo)
    )
    assert changed.json()["mine"] == ["heard"]

    counts = await fac.get("/feelings")
    assert counts.status_code == 200, counts.text
    assert counts.json() == {
        "tables": {"1": {"heard": 2, "curious": 1}, "2": {"heard": 1}},
        "total": {"heard": 3, "curious": 1},
    }
    # Answers are kept with the seat: a reloaded phone shows them again.
    again = await http.get("/api/seat/feelings", headers=seat(ann))
    assert again.json()["mine"] == ["heard", "curious"]


async def test_a_wrong_word_or_token_is_refused_and_changes_nothing(
    http: httpx.AsyncClient,
) -> None:
    fac = await Facilitator.create(http, language="en")
    ann = await fac.join("Ann")
    await http.put("/api/seat/feelings", json={"feelings": ["hopeful"]}, headers=seat(ann))

    unknown = await http.put(
        "/api/seat/feelings", json={"feelings": ["hopeful", "sleepy"]}, headers=seat(ann)
    )
    assert unknown.status_code == 422
    assert "sleepy" in unknown.text and "energised" in unknown.text  # names the poll's words
    missing = await http.put("/api/seat/feelings", json={"feelings": ["heard"]})
    assert missing.status_code == 401
    forged = await http.put(
        "/api/seat/feelings",
        json={"feelings": ["heard"]},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert forged.status_code == 401
    other = await Facilitator.create(http, language="en")
    assert (await http.get(f"{other.path}/feelings", headers=fac.auth)).status_code == 401

    assert (await fac.get("/feelings")).json()["total"] == {"hopeful": 1}


async def test_a_deleted_workshop_takes_its_feelings_with_it(http: httpx.AsyncClient) -> None:
    fac = await Facilitator.create(http, language="en")
    ann = await fac.join("Ann")
    await http.put("/api/seat/feelings", json={"feelings": ["heard"]}, headers=seat(ann))
    assert (await http.delete(fac.path, headers=fac.auth)).status_code == 204
    assert (await fac.get("/feelings")).status_code == 404
    for path in ("/api/seat/feelings", "/api/seat/scenario"):
        gone = await http.get(path, headers=seat(ann))
        assert gone.status_code == 404, gone.text
