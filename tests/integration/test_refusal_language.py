"""A refused intent is explained in the player's language: the rules' words are
translated (the authoring catalog), so a Danish table reads Danish, and a player who
asked for English at it reads English."""

from __future__ import annotations

import httpx

from tests.integration.server import Facilitator, Player, Server, seated


async def refusal(player: Player) -> dict[str, str]:
    """The error answering an empty framing of the player's own: the rules refuse it."""
    await player.until_public(lambda view: view.get("round", {}).get("phase") == "frame")
    answer = await player.intent({"type": "add_framing", "text": " "})
    assert answer["type"] == "error", answer
    return {"code": answer["code"], "message": answer["message"]}


async def test_a_refusal_speaks_the_tables_language_or_the_one_asked_for(
    live_server: Server,
) -> None:
    async with httpx.AsyncClient(base_url=live_server.base, timeout=30) as http:
        fac = await Facilitator.create(
            http, scenario="school-committee", language="da", autostart=True
        )
        async with seated(live_server.base, fac) as players:
            assert await refusal(players[0]) == {
                "code": "invalid",
                "message": "problemformuleringen må ikke være tom",
            }
            # The same seat again, on a connection that asks for English.
            english = await Player.connect(live_server.base)
            try:
                await english.send("hello", token=players[1].joined["token"], lang="en")
                welcome = await english.until(lambda f: f["type"] in ("welcome", "error"))
                assert welcome["type"] == "welcome", welcome
                assert await refusal(english) == {
                    "code": "invalid",
                    "message": "the framing must not be empty",
                }
            finally:
                await english.close()
