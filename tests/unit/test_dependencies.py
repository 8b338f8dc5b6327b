"""No request waits for a worker thread: every endpoint and dependency is a coroutine.

FastAPI calls a plain `def` endpoint or dependency through a thread pool, a hand-off to
another thread and back for each request; under a workshop's joins that was CPU the game
could not spend on play (bench/RESULTS.md, "Table turnover").
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute

from app.main import create_app


def _is_coroutine(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004 - the security schemes are instances
    )


def _dependencies(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _dependencies(dependency)


def _routes(routes: list[Any]) -> Iterator[APIRoute | APIWebSocketRoute]:
    for route in routes:
        if isinstance(route, APIRoute | APIWebSocketRoute):
            yield route
        else:  # an included router or a mount: look inside
            inner = getattr(route, "routes", None) or getattr(
                getattr(route, "original_router", None), "routes", None
            )
            yield from _routes(list(inner or []))


def test_every_endpoint_and_dependency_runs_on_the_loop() -> None:
    routes = list(_routes(create_app().routes))
    assert len(routes) > 30, "the walk must reach the API's routes"
    threaded = sorted(
        {
            f"{route.path}: {getattr(call, '__qualname__', call)}"
            for route in routes
            for call in [route.endpoint, *_dependencies(route.dependant)]
            if not _is_coroutine(call)
        }
    )
    assert threaded == [], "these would run in a worker thread: make them `async def`"


def test_the_check_sees_a_plain_function() -> None:
    def plain() -> None:
        return None

    async def coroutine() -> None:
        return None

    assert not _is_coroutine(plain)
    assert _is_coroutine(coroutine)
