"""Indexes over a scenario, built once per scenario so the rules never search lists."""

from __future__ import annotations

from dataclasses import dataclass

from app.scenarios.models import (
    POLITICIAN_CARD_ID,
    Effects,
    Event,
    Framing,
    Idea,
    Move,
    Role,
    Round,
    Scenario,
)

# The politician card is a rule of the decide phase, open to the chair in every scenario.
# A scenario tunes it with a move marked `politician_card: true` (its title, text and
# effects) and `scoring.politician_card_penalty`; one that names no such move gets this.
POLITICIAN_CARD = Move(
    id=POLITICIAN_CARD_ID,
    title={"da": "Spil politikerkortet", "en": "Play the politician card"},
    text={
        "da": "Som formand vedtager du forslaget trods indsigelser: "
        "det er politikerne, der står til ansvar.",
        "en": "As chair you adopt the proposal despite objections: "
        "the politicians are the ones held to account.",
    },
    style="sovereign",
    phases=["decide"],
    politician_card=True,
    effects=Effects(trust={"all": -1}),
)


def politician_card(scenario: Scenario) -> Move:
    """The scenario's own politician card, else the built-in one."""
    return next((m for m in scenario.moves if m.politician_card), POLITICIAN_CARD)


@dataclass(frozen=True, slots=True)
class Catalog:
    scenario: Scenario
    roles: dict[str, Role]
    ideas: dict[str, Idea]
    moves: dict[str, Move]
    events: dict[str, Event]
    framings: dict[str, Framing]
    rounds: tuple[Round, ...]
    chair: str
    option_event: dict[str, str]
    card: Move
    # Each role's moves as the rules allow them: the chair's always include the card.
    role_moves: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, scenario: Scenario) -> Catalog:
        card = politician_card(scenario)
        chair = scenario.chair.id
        flagged = {m.id for m in scenario.moves if m.politician_card}
        # Only the chair holds the card; it comes last, after the role's own moves.
        role_moves = {
            r.id: tuple(
                [m for m in r.moves if m not in flagged] + ([card.id] if r.id == chair else [])
            )
            for r in scenario.roles
        }
        return cls(
            scenario=scenario,
            roles={r.id: r for r in scenario.roles},
            ideas={i.id: i for i in scenario.ideas},
            moves={**{m.id: m for m in scenario.moves}, card.id: card},
            events={e.id: e for e in scenario.events},
            framings={f.id: f for f in scenario.framings},
            rounds=tuple(scenario.rounds),
            chair=chair,
            option_event={o.id: e.id for e in scenario.events for o in e.options},
            card=card,
            role_moves=role_moves,
        )

    def reserve(self) -> list[str]:
        """Idea cards in no role's hand: the deck that `deal` effects draw from."""
        dealt = {idea for role in self.scenario.roles for idea in role.hand}
        return [i.id for i in self.scenario.ideas if i.id not in dealt]

    def decide_after(self, index: int) -> Round | None:
        """The next decide round from `index` on, else the last one: it sets the package limits."""
        decides = [(i, r) for i, r in enumerate(self.rounds) if r.phase == "decide"]
        for i, rnd in decides:
            if i >= index:
                return rnd
        return decides[-1][1] if decides else None
