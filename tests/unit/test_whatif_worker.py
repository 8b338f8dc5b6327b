"""The what-if worker: a process of its own, one answer per question, kept."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest

from app.engine.events import event_to_dict
from app.engine.rules import Rules
from app.engine.simulate import play_game
from app.rooms.whatif import CACHE_ENTRIES, WhatIfRequest, WhatIfs, compute
from app.scenarios import library
from app.settings import REPO_ROOT

SCHOOL_FILE = REPO_ROOT / "game_content" / "scenarios" / "school-committee.yaml"


def _request(round_number: int = 3, style: str = "facilitator", seed: int = 1) -> WhatIfRequest:
    text = SCHOOL_FILE.read_text(encoding="utf-8")
    rules = Rules(library.parse(text, "school-committee.yaml"))
    record = play_game(rules, seed, keep_events=True)
    events = tuple(event_to_dict(e) for e in record.events)
    return WhatIfRequest(
        f"table-{seed}", len(events), "hash", text, "school-committee", events,
        frozenset(), round_number, style, 20, "da",
    )  # fmt: skip


@pytest.fixture
def whatifs() -> Iterator[WhatIfs]:
    service = WhatIfs()
    yield service
    service.close()


async def test_the_worker_answers_as_the_engine_does_in_another_process(whatifs: WhatIfs) -> None:
    request = _request()
    answer = await whatifs.run(request)
    assert answer == compute(request)
    assert answer["round"] == 3 and answer["style"] == "facilitator" and answer["games"] == 20
    pool = whatifs._pool
    assert pool is not None
    pids = {p for p in pool._processes}  # the worker is not this process
    assert pids and os.getpid() not in pids


async def test_the_same_question_is_worked_out_once(whatifs: WhatIfs) -> None:
    request = _request(style="catalyst")
    first, second = await asyncio.gather(whatifs.run(request), whatifs.run(request))
    assert first is second  # two askers at once share one run
    assert await whatifs.run(request) is first  # and a later one gets the kept answer
    other = await whatifs.run(_request(style="sovereign"))
    assert other is not first and other["style"] == "sovereign"


def test_the_kept_answers_are_bounded(whatifs: WhatIfs) -> None:
    for n in range(CACHE_ENTRIES + 5):
        whatifs._answers.put((f"t{n}", 1, 1, "catalyst", 1, "da"), {"n": n})
    assert len(whatifs._answers) == CACHE_ENTRIES
    assert whatifs.cached(("t0", 1, 1, "catalyst", 1, "da")) is None
    assert whatifs.cached((f"t{CACHE_ENTRIES + 4}", 1, 1, "catalyst", 1, "da")) is not None
