"""Hostile websocket frames, made by Hypothesis, against a real server.

A table of five plays the default scenario on a `policymaker serve` process; the game
is moved on to its last round (decide), where no proposal is on the table yet. One
seated player (the parent, not the chair) then sends what each strategy below makes:
text that is not JSON, frames of the wrong shape, unknown frame types, frames over the
16 KiB limit, intents of other phases, intents only the chair may send now, and intents
in another seat's name. For every single input:

- the answer is an `error` frame with a code the strategy expects (and the protocol
  document lists: every frame read is validated against docs/asyncapi.yaml), carrying
  the intent's `cmid` where it had a valid one;
- the game's state digest and sequence number, as the facilitator's status shows
  them, are what they were before;
- another player at the same table, connected all along, still gets a ping answered.

The counts of inputs tried are written to test-artifacts/fuzz/ws.json and printed at
the end of the module (docs/reliability.md quotes them).

The server is this module's own, with the per-connection message rate raised: the
attacker sends hundreds of frames a second, far past the limit that protects a real
server (that limit has its own test in test_limits.py), and each must reach the checks
behind it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.state import state_digest
from app.rooms.room import OLDEST_VERSION, PROTOCOL_VERSION
from app.settings import REPO_ROOT
from app.web.ws import MAX_CMID, MAX_FRAME_BYTES
from tests.integration.server import (
    Facilitator,
    Player,
    Server,
    answers,
    full_rules,
    replay,
    seated,
)

# Per strategy and store: 7 × 720 = 5,040 hostile frames on SQLite and as many on PostgreSQL.
EXAMPLES = 720
# The table fixture is made once per test and shared by its examples on purpose: each
# example must leave it exactly as it found it, which is what the test checks.
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REPORT = REPO_ROOT / "test-artifacts" / "fuzz" / "ws.json"
DECIDE_ROUND = 7  # the default scenario's eighth round, the decide phase
ATTACKER, BYSTANDER = 3, 1  # the parent and the councillor; seat 0 is the chair

# Inputs tried, per store and strategy: the figures docs/reliability.md quotes.
TRIED: dict[str, Counter[str]] = {}


# --- the server and the table -------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, store_url: str) -> Iterator[Server]:
    """The server, on each store in turn (SQLite, then PostgreSQL)."""
    server = Server(
        tmp_path_factory.mktemp("fuzz-ws"),
        env={
            "DATABASE_URL": store_url,
            "WS_MESSAGES_PER_SECOND": "100000",
            "WS_MESSAGE_BURST": "100000",
        },
    ).start()
    yield server
    server.stop()
    write_report()


@dataclass
class Table:
    fac: Facilitator
    attacker: Player
    bystander: Player
    seats: list[str]
    digest: str
    seq: int
    store: str

    def tried(self, strategy: str) -> None:
        TRIED.setdefault(self.store, Counter())[strategy] += 1

    async def status(self) -> tuple[str, int]:
        (table,) = (await self.fac.status())["tables"]
        return str(table["digest"]), int(table["seq"])


@pytest.fixture
async def table(fuzz_server: Server) -> AsyncIterator[Table]:
    """Five players at a game in its decide round, before any proposal."""
    async with httpx.AsyncClient(base_url=fuzz_server.base, timeout=30) as http:
        fac = await Facilitator.create(http, autostart=True)
        async with seated(fuzz_server.base, fac) as players:
            for _ in range(DECIDE_ROUND):
                (advanced,) = await fac.control("advance")
                assert advanced["ok"], advanced
            (status,) = (await fac.status())["tables"]
            assert status["phase"] == "decide" and status["round"] == DECIDE_ROUND, status
            # The status's digest is the state the log folds to: the game itself.
            assert status["digest"] == state_digest(replay(full_rules(), await fac.log()))
            # Read every update so far: a client that leaves frames unread stalls its own
            # close handshake (websockets' receive buffer is full) for seconds at the end.
            for player in players:
                await player.caught_up(status["seq"])
            attacker = players[ATTACKER]
            assert attacker.joined["role"] != "chair"
            yield Table(
                fac,
                attacker,
                players[BYSTANDER],
                [p.joined["seat"] for p in players],
                status["digest"],
                status["seq"],
                fuzz_server.store,
            )
            # The attacker's connection survived everything it sent.
            await attacker.send("ping")
            assert (await attacker.until(lambda f: f["type"] == "pong"))["seq"] == status["seq"]


async def attack(
    table: Table, frame: str | bytes, codes: set[str], cmid: str | None = None
) -> None:
    """Send one hostile frame; check the answer, the game and the other player."""
    if isinstance(frame, bytes):
        await table.attacker.ws.send(frame)
    else:
        await table.attacker.send_raw(frame)
    answer = await table.attacker.until(lambda f: answers(f) or f["type"] in ("pong", "events"))
    assert answer["type"] == "error", (frame[:300], answer)
    assert answer["code"] in codes, (frame[:300], answer)
    if cmid is not None:
        assert answer["cmid"] == cmid, (frame[:300], answer)
    assert await table.status() == (table.digest, table.seq), frame[:300]
    await table.bystander.send("ping")
    pong = await table.bystander.until(lambda f: f["type"] == "pong")
    assert pong["seq"] == table.seq


# --- strategies ---------------------------------------------------------------------------

TEXT = st.text(max_size=30)


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # A named function: Hypothesis reads a lambda's source to see that it recurses, and
    # misreads one split over lines.
    return st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    _nested,
    max_leaves=10,
)
# Valid client message ids: an error must name the one it answers.
CMIDS = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=MAX_CMID)
IDS = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
ID_LISTS = st.lists(IDS, max_size=5)
KNOWN_FRAMES = {"hello", "intent", "sync", "ping"}
# Field types of each action (app/engine/actions.py): which a wrong value is made for.
STRING_FIELDS = {
    "add_framing": ["text"],
    "play_idea": ["idea"],
    "write_idea": ["title", "text"],
    "build_on": ["base", "idea", "title", "text"],
    "advise": ["option"],
    "choose_option": ["option"],
    "vote": ["choice"],
    "play_move": ["move", "target"],
}
LIST_FIELDS = {
    "rank_framings": ["order"],
    "add_framing": ["interests"],
    "write_idea": ["interests"],
    "rank_ideas": ["order"],
    "propose": ["ideas"],
}


def is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def frame(**fields: Any) -> str:
    return json.dumps({"v": PROTOCOL_VERSION, **fields})


def intent(action: dict[str, Any], cmid: str) -> str:
    return frame(type="intent", cmid=cmid, action=action)


# Text that is not JSON: cut or garbled frames, any text at all, any bytes.
MALFORMED: st.SearchStrategy[str | bytes] = st.one_of(
    st.builds(
        lambda doc, cut: doc[: max(1, len(doc) - cut)],
        JSON_VALUES.map(lambda v: frame(type="intent", cmid="c", action=v)),
        st.integers(1, 40),
    ),
    st.text(max_size=200),
    st.binary(max_size=200),
).filter(lambda t: not is_json(t.decode(errors="replace") if isinstance(t, bytes) else t))


NOT_STRINGS = JSON_VALUES.filter(lambda v: v is not None and not isinstance(v, str))
NOT_STRING_LISTS = JSON_VALUES.filter(
    lambda v: not (isinstance(v, list) and all(isinstance(i, str) for i in v))
)
NOT_NATURALS = JSON_VALUES.filter(
    lambda v: not (isinstance(v, int) and not isinstance(v, bool) and v >= 0)
)
# Frames that parse but have a field of the wrong type or shape.
WRONG_TYPES: st.SearchStrategy[str] = st.one_of(
    JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(json.dumps),
    st.builds(
        lambda v, kind: json.dumps({"v": v, "type": kind}),
        JSON_VALUES.filter(
            lambda v: v not in range(OLDEST_VERSION, PROTOCOL_VERSION + 1) or isinstance(v, bool)
        ),
        st.sampled_from(sorted(KNOWN_FRAMES)),
    ),
    NOT_NATURALS.map(lambda after: frame(type="sync", after_seq=after)),
    JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(
        lambda action: frame(type="intent", action=action)
    ),
    st.builds(
        lambda cmid: frame(type="intent", cmid=cmid, action={"type": "adopt"}),
        JSON_VALUES.filter(lambda c: c is not None and not isinstance(c, str))
        | st.just("")
        | st.text(min_size=MAX_CMID + 1, max_size=MAX_CMID + 20)
        | st.just("tab\there"),
    ),
    st.sampled_from(sorted(STRING_FIELDS))
    .flatmap(lambda kind: st.tuples(st.just(kind), st.sampled_from(STRING_FIELDS[kind])))
    .flatmap(lambda kf: NOT_STRINGS.map(lambda v: intent({"type": kf[0], kf[1]: v}, "c"))),
    st.sampled_from(sorted(LIST_FIELDS))
    .flatmap(lambda kind: st.tuples(st.just(kind), st.sampled_from(LIST_FIELDS[kind])))
    .flatmap(lambda kf: NOT_STRING_LISTS.map(lambda v: intent({"type": kf[0], kf[1]: v}, "c"))),
    # Unknown fields on a known action.
    st.builds(
        lambda kind, extra: intent({"type": kind, **extra}, "c"),
        st.sampled_from(["adopt", "pass", "vote"]),
        st.dictionaries(
            TEXT.filter(lambda k: k not in ("type", "seat", "choice")), JSON_VALUES, min_size=1
        ),
    ),
    # A second hello on a connection that already said hello.
    st.builds(lambda token: frame(type="hello", token=token), TEXT),
    # Lone surrogate escapes: valid JSON, but not text any database stores.
    st.builds(
        lambda cp, where: where.replace("@", f"\\u{cp:04x}"),
        st.integers(0xD800, 0xDFFF),
        st.sampled_from(
            [
                '{"v": 2, "type": "intent", "cmid": "c", "action": {"type": "add_framing", '
                '"text": "a @ b"}}',
                '{"v": 2, "type": "intent", "cmid": "@", "action": {"type": "pass"}}',
                '{"v": 2, "type": "hello", "token": "@"}',
                '{"v": 2, "type": "@"}',
            ]
        ),
    ),
)
WRONG_TYPE_CODES = {"bad_frame", "bad_action", "already_joined", "bad_json", "unknown_type"}

UNKNOWN_TYPES: st.SearchStrategy[str] = st.builds(
    lambda kind, extra: json.dumps({**extra, "v": PROTOCOL_VERSION, "type": kind}),
    JSON_VALUES.filter(lambda k: not (isinstance(k, str) and k in KNOWN_FRAMES)),
    st.dictionaries(TEXT, JSON_VALUES, max_size=3),
)


def _pad(chunk: str, size: int) -> str:
    return (chunk * (size // len(chunk) + 1))[:size]


OVERSIZED: st.SearchStrategy[str | bytes] = st.one_of(
    st.builds(
        _pad,
        st.text(min_size=1, max_size=16),
        st.integers(MAX_FRAME_BYTES + 1, 4 * MAX_FRAME_BYTES),
    ),
    st.builds(
        lambda chunk, size: intent({"type": "add_framing", "text": _pad(chunk, size)}, "big"),
        st.text(min_size=1, max_size=8),
        st.integers(MAX_FRAME_BYTES, 3 * MAX_FRAME_BYTES),
    ),
    st.builds(
        lambda byte, size: byte * size,
        st.binary(min_size=1, max_size=1),
        st.integers(MAX_FRAME_BYTES + 1, 2 * MAX_FRAME_BYTES),
    ),
)

# Well-formed actions that belong to other phases than decide.
OTHER_PHASES: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.builds(lambda order: {"type": "rank_framings", "order": order}, ID_LISTS),
    st.builds(
        lambda text, interests: {"type": "add_framing", "text": text, "interests": interests},
        TEXT,
        ID_LISTS,
    ),
    st.builds(lambda idea: {"type": "play_idea", "idea": idea}, IDS),
    st.builds(lambda title, text: {"type": "write_idea", "title": title, "text": text}, TEXT, TEXT),
    st.builds(lambda base, idea: {"type": "build_on", "base": base, "idea": idea}, IDS, IDS),
    st.builds(lambda base, title: {"type": "build_on", "base": base, "title": title}, IDS, TEXT),
    st.just({"type": "pass"}),
    st.builds(lambda option: {"type": "advise", "option": option}, IDS),
    st.builds(lambda option: {"type": "choose_option", "option": option}, IDS),
    st.builds(lambda order: {"type": "rank_ideas", "order": order}, ID_LISTS),
)
# What only the chair may do now (and voting, which waits for a proposal).
CHAIRS_TURN: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.builds(lambda ideas: {"type": "propose", "ideas": ideas}, ID_LISTS),
    st.just({"type": "adopt"}),
    st.builds(
        lambda choice: {"type": "vote", "choice": choice},
        st.sampled_from(["accept", "live_with", "object"]) | TEXT,
    ),
)
ANY_ACTION = (
    OTHER_PHASES
    | CHAIRS_TURN
    | st.builds(
        lambda kind, extra: {"type": kind, **extra},
        TEXT,
        st.dictionaries(TEXT, JSON_VALUES, max_size=2),
    )
)


# --- the tests ----------------------------------------------------------------------------


@given(text=MALFORMED)
@FUZZ
async def test_text_that_is_not_json_is_refused(table: Table, text: str | bytes) -> None:
    table.tried("malformed JSON")
    await attack(table, text, {"bad_json"})


@given(text=WRONG_TYPES)
@FUZZ
async def test_frames_with_wrong_types_are_refused(table: Table, text: str) -> None:
    table.tried("wrong types")
    await attack(table, text, WRONG_TYPE_CODES)


@given(text=UNKNOWN_TYPES)
@FUZZ
async def test_unknown_frame_types_are_refused(table: Table, text: str) -> None:
    table.tried("unknown frame types")
    await attack(table, text, {"unknown_type"})


@given(text=OVERSIZED)
@FUZZ
async def test_oversized_frames_are_refused(table: Table, text: str | bytes) -> None:
    table.tried("oversized frames")
    await attack(table, text, {"too_large"})


@given(action=OTHER_PHASES, cmid=CMIDS)
@FUZZ
async def test_intents_of_another_phase_are_refused(
    table: Table, action: dict[str, Any], cmid: str
) -> None:
    table.tried("out-of-phase intents")
    await attack(table, intent(action, cmid), {"wrong_phase"}, cmid)


@given(action=CHAIRS_TURN, cmid=CMIDS)
@FUZZ
async def test_intents_out_of_turn_are_refused(
    table: Table, action: dict[str, Any], cmid: str
) -> None:
    table.tried("out-of-turn intents")
    await attack(table, intent(action, cmid), {"not_your_turn"}, cmid)


@given(action=ANY_ACTION, other=st.integers(0, 4) | IDS, cmid=CMIDS)
@FUZZ
async def test_intents_for_another_seat_are_refused(
    table: Table, action: dict[str, Any], other: int | str, cmid: str
) -> None:
    table.tried("intents for another seat")
    own = table.seats[ATTACKER]
    seat = table.seats[other] if isinstance(other, int) else other
    if seat == own:
        seat = table.seats[0]  # the chair's
    await attack(table, intent({**action, "seat": seat}, cmid), {"not_your_seat"}, cmid)


def write_report() -> None:
    """How many inputs each strategy tried on each store (printed with `pytest -s`)."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = {
        store: {"per_strategy": dict(counts), "total": sum(counts.values())}
        for store, counts in TRIED.items()
    }
    REPORT.write_text(json.dumps(report, indent=1))
    print(f"\nwebsocket fuzz inputs: {json.dumps(report)}")
