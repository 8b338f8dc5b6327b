"""The debrief's what-if over HTTP: a finished table replayed by bots, from a round, the
chair in a chosen style; refused, with the reason, when it cannot be."""

from __future__ import annotations

import httpx

from tests.integration.server import Facilitator, Server, play_bots

SCORES = {"consensus", "ownership", "innovation"}


async def _finished(live_server: Server, http: httpx.AsyncClient) -> Facilitator:
    fac = await Facilitator.create(http, bots=True, autostart=False)
    person = await fac.join("Replayed")
    (started,) = await fac.control("start")
    assert started["ok"] is True, started
    await play_bots(live_server.base, [person])
    return fac


async def test_a_finished_table_is_replayed_from_a_round_with_another_chair(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await _finished(live_server, http)
    (table,) = (await fac.status())["tables"]
    query = {"round": 3, "style": "facilitator", "games": 30, "lang": "en"}
    response = await http.get(f"{fac.path}/tables/1/whatif", params=query, headers=fac.auth)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["round"], answer["style"], answer["games"]) == (3, "facilitator", 30)
    assert set(answer["actual"]) == set(answer["scores"]) == SCORES
    assert answer["actual"] == table["scores"]
    for spread in answer["scores"].values():
        assert 0 <= spread["p10"] <= spread["p50"] <= spread["p90"] <= 100
    assert len(answer["bands"]) == table["round_count"] - 2
    seated = {s["role"] for s in table["seats"]}
    assert set(answer["goals"]) <= seated
    assert all(0 <= share <= 1 for share in answer["goals"].values())
    assert answer["package"] and 0 < answer["package_share"] <= 1
    shares = list(answer["ideas"].values())
    assert 0 < len(shares) <= 8 and shares == sorted(shares, reverse=True)
    # An idea of the most adopted package was adopted at least as often as that package.
    assert all(answer["ideas"].get(t, 1) >= answer["package_share"] for t in answer["package"])

    # Asked again, the same answer (kept, not played again).
    again = await http.get(f"{fac.path}/tables/1/whatif", params=query, headers=fac.auth)
    assert again.json() == answer

    # A sovereign chair from the same round: another spread.
    sovereign = await http.get(
        f"{fac.path}/tables/1/whatif", params={**query, "style": "sovereign"}, headers=fac.auth
    )
    assert sovereign.status_code == 200
    assert sovereign.json()["scores"] != answer["scores"]

    # The JSON export carries the table replayed from round 1 in every leadership style.
    (exported,) = (await fac.export())["tables"]
    styles = exported["whatif"]
    assert set(styles) == {"initiator", "facilitator", "catalyst", "sovereign"}
    assert all(w["round"] == 1 and w["games"] == 50 and w["style"] == s for s, w in styles.items())


async def test_what_cannot_be_replayed_is_refused_and_says_why(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await _finished(live_server, http)
    path = f"{fac.path}/tables/1/whatif"
    cases = [
        ({"round": 9}, 422, "round must be between 1 and 8"),
        ({"round": 0}, 422, "greater than or equal to 1"),
        ({"style": "benevolent"}, 422, "as_played"),
        ({"games": 0}, 422, "greater than or equal to 1"),
        ({"games": 1000}, 422, "less than or equal to 200"),
    ]
    for params, status, reason in cases:
        response = await http.get(path, params=params, headers=fac.auth)
        assert response.status_code == status, (params, response.text)
        assert reason in response.text, (params, response.text)
    wrong = await http.get(path, headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401
    missing = await http.get(f"{fac.path}/tables/7/whatif", headers=fac.auth)
    assert missing.status_code == 404

    # A game still running has nothing to replay yet.
    running = await Facilitator.create(http, bots=True, autostart=False)
    await running.join("Still playing")
    await running.control("start")
    refused = await http.get(f"{running.path}/tables/1/whatif", headers=running.auth)
    assert refused.status_code == 409
    assert "has not ended" in refused.json()["detail"]
