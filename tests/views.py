"""What a client of the websocket protocol holds: its welcome's views, patched by each update.

Protocol v2 (docs/asyncapi.yaml): a `welcome` carries both views whole in `state`; an
`update` carries in `patch` only the top-level keys of each view that changed, merged at
the top level. A key that is no longer part of a view comes as null, and a null value
and a missing key mean the same.
"""

from __future__ import annotations

from typing import Any

# {"public": {...}, "private": {...} or None (a screen)}
Views = dict[str, Any]


def fold(views: Views | None, frame: dict[str, Any]) -> Views | None:
    """The views a client holds after `frame` (other frame types leave them as they are)."""
    if frame["type"] == "welcome":
        state = frame["state"]
        private = state["private"]
        return {
            "public": dict(state["public"]),
            "private": None if private is None else dict(private),
        }
    if frame["type"] != "update":
        return views
    assert views is not None, "an update came before the welcome"
    patch = frame["patch"]
    public = {**views["public"], **patch["public"]} if "public" in patch else views["public"]
    private = views["private"]
    if "private" in patch:
        private = {**(private or {}), **patch["private"]}
    return {"public": public, "private": private}


def present(view: dict[str, Any] | None) -> dict[str, Any] | None:
    """A view without its null top-level keys: what a client compares (null = missing)."""
    if view is None:
        return None
    return {k: v for k, v in view.items() if v is not None}
