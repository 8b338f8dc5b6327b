"""JSON text for the websocket frames: compact and UTF-8, encoded by orjson.

Every update is encoded once per table (and once per seat for its private patch) and
queued for each socket: with the standard library that encoding was about a tenth of the
server's time under a full workshop (bench/RESULTS.md). orjson does the same several
times faster; the text differs only in leaving non-ASCII letters unescaped, which JSON
allows and every client reads the same.
"""

from __future__ import annotations

from typing import Any

import orjson

# Views and events have string keys; this keeps an integer key from failing a broadcast
# (the standard library wrote it as a string, and so does this).
_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    return orjson.dumps(value, option=_OPTIONS).decode()


def loads(text: str | bytes) -> Any:
    """Frames from our own server (the benchmark's bots), and clients' frames first
    (app/web/ws.py `_parse` gives what this refuses to the standard library)."""
    return orjson.loads(text)
