"""Indexes over a scenario, built once per scenario so the rules never search lists."""

from __future__ import annotations

from dataclasses import dataclass

from app.scenarios.models import Event, Framing, Idea, Move, Role, Round, Scenario


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
    card: Move  # the politician card: the scenario's own, or the built-in one
    # Each role's moves as the rules allow them: the chair's always include the card.
    role_moves: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, scenario: Scenario) -> Catalog:
        card = scenario.card
        return cls(
            scenario=scenario,
            roles={r.id: r for r in scenario.roles},
            ideas={i.id: i for i in scenario.ideas},
            moves={**{m.id: m for m in scenario.moves}, card.id: card},
            events={e.id: e for e in scenario.events},
            framings={f.id: f for f in scenario.framings},
            rounds=tuple(scenario.rounds),
            chair=scenario.chair.id,
            option_event={o.id: e.id for e in scenario.events for o in e.options},
            card=card,
            role_moves={r.id: tuple(scenario.role_moves(r.id)) for r in scenario.roles},
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
