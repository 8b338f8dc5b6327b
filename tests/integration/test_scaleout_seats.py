"""A seat changing hands on one instance holds on the other: the holder connected there is
closed, their token refused there, and a late joiner there takes the freed seat."""

from __future__ import annotations

from tests.integration.scaleout import Cluster, cluster, redis_url, split_table
from tests.integration.server import Player, accepted, seated

__all__ = ["cluster", "redis_url"]  # fixtures, imported to be found


async def test_a_seat_freed_through_one_instance_is_free_on_the_other(cluster: Cluster) -> None:
    a, b = cluster(2)
    async with split_table(a, b, autostart=True) as table:
        fac_a, fac_b, http_a, http_b = table.fac, table.fac_b, table.http_a, table.http_b
        # Every player is connected to B; the trainer works through A.
        async with seated(b.base, fac_b) as players:
            holder = players[4]
            seat = holder.joined["seat"]
            await holder.until_public(lambda public: public["status"] == "running")

            freed = await http_a.post(
                f"{fac_a.path}/tables/1/seats/{seat}", json={"action": "free"}, headers=fac_a.auth
            )

            assert freed.status_code == 200, freed.text
            kicked = await holder.until(lambda f: f["type"] == "error")
            assert kicked["code"] == "seat_replaced"
            lobby = (await http_b.get(f"/api/tables/{fac_b.code()}")).json()
            assert lobby["free_roles"] == [holder.joined["role"]]
            old = await Player.connect(b.base)
            try:
                refused = await old.hello(holder.joined["token"])
            finally:
                await old.close()
            assert refused["type"] == "error" and refused["code"] == "bad_token"

            late = await fac_b.join("Late", role=holder.joined["role"])
            assert late["seat"] == seat
            newcomer = await Player.connect(b.base)
            try:
                welcome = await newcomer.hello(late["token"])
                assert welcome["type"] == "welcome"
                assert accepted(await newcomer.intent({"type": "pass"}))
            finally:
                await newcomer.close()
            seats = (await fac_a.status())["tables"][0]["seats"]
            mine = next(s for s in seats if s["id"] == seat)
            assert mine["name"] == "Late" and mine["free"] is False
