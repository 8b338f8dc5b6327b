"""The bare-framework baseline: a FastAPI websocket relay with no game behind it.

Rooms of connections (`/ws?room=N`); every text message a client sends goes, unchanged,
to every connection of its room, the sender included. No validation, no database, no
state: what FastAPI, uvicorn and the websockets library cost on their own, so
`policymaker bench --baseline` can put every figure of the game server beside it.

    python bench/baseline.py --port 8001
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
rooms: dict[str, set[WebSocket]] = {}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.websocket("/ws")
async def relay(ws: WebSocket, room: str = "0") -> None:
    await ws.accept()
    members = rooms.setdefault(room, set())
    members.add(ws)
    try:
        while True:
            text = await ws.receive_text()
            for member in list(members):
                try:
                    await member.send_text(text)
                except Exception:  # that member has gone; its own loop cleans up
                    members.discard(member)
    except WebSocketDisconnect:
        pass
    finally:
        members.discard(ws)
        if not members:
            rooms.pop(room, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    # The same server settings as `policymaker serve`.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        ws_max_size=1024 * 1024,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
