"""A scenario as a trainer previews it before using it: every text in one language.

The facilitator console shows this after an upload (`POST /api/scenarios/check`): the
case, the roles with their briefs, agendas and secret goals, the rounds with their timers,
the idea cards, the moves and the event cards. It is for the trainer's eyes only, so the
agendas and goals are in it.
"""

from __future__ import annotations

from pydantic import BaseModel

from app.scenarios.models import Scenario, Text, localize


class Ref(BaseModel):
    id: str
    title: str


class Weighted(BaseModel):
    """An interest and a weight: an agenda entry or what an idea serves (-3..3)."""

    id: str
    name: str
    weight: int


class PreviewRole(BaseModel):
    id: str
    kind: str
    kind_name: str | None  # a kind the case declares, in the preview's language
    name: str
    chair: bool
    seats_min: int
    seats_max: int
    brief: str
    agenda: list[Weighted]
    goal: str | None
    hand: list[Ref]
    moves: list[Ref]


class PreviewFraming(BaseModel):
    id: str
    text: str


class PreviewIdea(BaseModel):
    id: str
    title: str
    text: str
    origin: Ref
    novelty: int
    cost: int
    serves: list[Weighted]


class PreviewMove(BaseModel):
    id: str
    title: str
    text: str
    style: str
    phases: list[str]
    politician_card: bool


class PreviewOption(BaseModel):
    id: str
    text: str
    style: str


class PreviewEvent(BaseModel):
    id: str
    title: str
    text: str
    target: Ref
    options: list[PreviewOption]


class PreviewRound(BaseModel):
    number: int
    id: str
    phase: str
    title: str
    prompt: str
    timer_seconds: int
    event: Ref | None = None
    budget: int | None = None


class ScenarioPreview(BaseModel):
    id: str
    language: str
    languages: list[str]
    title: str
    summary: str
    players_min: int
    players_max: int
    duration_minutes: int
    timer_minutes: float
    case: str  # Markdown
    interests: list[Ref]
    roles: list[PreviewRole]
    framings: list[PreviewFraming]
    ideas: list[PreviewIdea]
    moves: list[PreviewMove]
    events: list[PreviewEvent]
    rounds: list[PreviewRound]
    questions: list[str]


def preview(scenario: Scenario, language: str | None = None) -> ScenarioPreview:
    """The scenario in `language` (the scenario's first language when it lacks that one)."""
    lang = language if language in scenario.languages else scenario.languages[0]

    def t(text: Text) -> str:
        return localize(text, lang)

    interests = {i.id: t(i.name) for i in scenario.interests}
    roles = {r.id: t(r.name) for r in scenario.roles}
    ideas = {i.id: t(i.title) for i in scenario.ideas}
    moves = {m.id: t(m.title) for m in [*scenario.moves, scenario.card]}
    events = {e.id: t(e.title) for e in scenario.events}

    def weighted(weights: dict[str, int]) -> list[Weighted]:
        return [
            Weighted(id=key, name=interests.get(key, key), weight=value)
            for key, value in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    def ref(table: dict[str, str], key: str) -> Ref:
        return Ref(id=key, title=table.get(key, key))

    chair = scenario.chair.id
    return ScenarioPreview(
        id=scenario.id,
        language=lang,
        languages=list(scenario.languages),
        title=t(scenario.title),
        summary=t(scenario.summary),
        players_min=scenario.players.min,
        players_max=scenario.players.max,
        duration_minutes=scenario.duration_minutes,
        timer_minutes=round(sum(r.timer_seconds for r in scenario.rounds) / 60, 1),
        case=t(scenario.case),
        interests=[Ref(id=key, title=name) for key, name in interests.items()],
        roles=[
            PreviewRole(
                id=r.id,
                kind=r.kind,
                kind_name=scenario.kind_name(r.kind, lang),
                name=t(r.name),
                chair=r.chair,
                seats_min=r.seats.min,
                seats_max=r.seats.max,
                brief=t(r.brief),
                agenda=weighted(r.agenda),
                goal=t(r.goal.text) if r.goal else None,
                hand=[ref(ideas, i) for i in r.hand],
                moves=[ref(moves, m) for m in scenario.role_moves(r.id)],
            )
            for r in scenario.roles
        ],
        framings=[PreviewFraming(id=f.id, text=t(f.text)) for f in scenario.framings],
        ideas=[
            PreviewIdea(
                id=i.id,
                title=t(i.title),
                text=t(i.text),
                origin=ref(roles, i.origin),
                novelty=i.novelty,
                cost=i.cost,
                serves=weighted(i.serves),
            )
            for i in scenario.ideas
        ],
        moves=[
            PreviewMove(
                id=m.id,
                title=t(m.title),
                text=t(m.text),
                style=m.style,
                phases=list(m.phases),
                politician_card=m.politician_card,
            )
            for m in [*(m for m in scenario.moves if not m.politician_card), scenario.card]
        ],
        events=[
            PreviewEvent(
                id=e.id,
                title=t(e.title),
                text=t(e.text),
                target=ref(roles, e.target or chair),
                options=[PreviewOption(id=o.id, text=t(o.text), style=o.style) for o in e.options],
            )
            for e in scenario.events
        ],
        rounds=[
            PreviewRound(
                number=n,
                id=r.id,
                phase=r.phase,
                title=t(r.title),
                prompt=t(r.prompt),
                timer_seconds=r.timer_seconds,
                event=ref(events, r.event) if r.event else None,
                budget=r.budget,
            )
            for n, r in enumerate(scenario.rounds, start=1)
        ],
        questions=[t(q) for q in scenario.debrief.questions],
    )
