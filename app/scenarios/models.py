"""Pydantic models of the scenario-file contract (`policymaker/scenario@1`).

These models are the single source of the contract: the loader validates against them,
the JSON Schema in `game_content/scenario.schema.json` is generated from them, and the
engine reads scenarios only through them. Cross-references (ids that must exist) are
checked in `app.scenarios.checks`, where every problem can be located in the file.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

FORMAT = "policymaker/scenario@1"

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
LangCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
# A text is a plain string (single-language scenario) or a map language -> string.
Text = str | dict[LangCode, str]
Weight = Annotated[int, Field(ge=-3, le=3)]

# The stakeholder kinds every scenario has: the rules need `politician` and `official`, and
# the school-shaped rest stay so that older files keep validating. A case declares its own
# under `kinds`; the app names the built-in ones in each language.
BUILTIN_KINDS: tuple[str, ...] = ("politician", "official", "parent", "teacher", "citizen", "other")
RoleKind = Annotated[
    Slug,
    Field(
        description="a built-in kind (" + ", ".join(BUILTIN_KINDS) + ") or one the scenario "
        "declares under 'kinds'",
        examples=list(BUILTIN_KINDS),
    ),
]
Style = Literal["initiator", "facilitator", "catalyst", "sovereign", "none"]
LEADERSHIP_STYLES: tuple[str, ...] = ("initiator", "facilitator", "catalyst", "sovereign")
PhaseType = Literal["frame", "ideate", "dilemma", "rank", "decide"]
PHASE_TYPES: tuple[str, ...] = ("frame", "ideate", "dilemma", "rank", "decide")
ScoreName = Literal["consensus", "ownership", "innovation"]
SCORE_NAMES: tuple[ScoreName, ...] = ("consensus", "ownership", "innovation")
# The id of the built-in politician card, which every chair holds when the scenario marks
# no move of its own as the card (conditions may name it).
POLITICIAN_CARD_ID = "politician-card"


class Strict(BaseModel):
    """Base for file models: unknown keys are errors, so typos are caught where they are."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- Conditions ------------------------------------------------------------------------
# Structured, never evaluated code. Each form is recognised by its leading key.


class ScoreCondition(Strict):
    score: ScoreName
    below: float | None = None
    at_least: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> ScoreCondition:
        if (self.below is None) == (self.at_least is None):
            raise ValueError("a score condition needs exactly one of 'below' or 'at_least'")
        return self


class TrustCondition(Strict):
    trust: str = Field(description="role id")
    below: float | None = None
    at_least: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> TrustCondition:
        if (self.below is None) == (self.at_least is None):
            raise ValueError("a trust condition needs exactly one of 'below' or 'at_least'")
        return self


class MovePlayedCondition(Strict):
    move_played: str = Field(description="move id")
    by: str | None = Field(default=None, description="role id; any role when absent")


class EventOptionCondition(Strict):
    event_option: str = Field(description="event option id")


class PackageIncludesCondition(Strict):
    package_includes: str = Field(description="idea id")


class InterestServedCondition(Strict):
    interest_served: str = Field(description="interest id")
    at_least: int = Field(default=1, description="sum of the final package's serves")


class FramingChosenCondition(Strict):
    framing_chosen: str = Field(description="framing id")


class AllCondition(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyCondition(Strict):
    any: list[Condition] = Field(min_length=1)


class NotCondition(Strict):
    not_: Condition = Field(alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


CONDITION_KEYS: tuple[str, ...] = (
    "score",
    "trust",
    "move_played",
    "event_option",
    "package_includes",
    "interest_served",
    "framing_chosen",
    "all",
    "any",
    "not",
)


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in CONDITION_KEYS:
            if key in value:
                return key
        return None
    if isinstance(value, BaseModel):
        for key in CONDITION_KEYS:
            if key in type(value).model_fields or (key == "not" and hasattr(value, "not_")):
                return key
    return None


Condition = Annotated[
    Annotated[ScoreCondition, Tag("score")]
    | Annotated[TrustCondition, Tag("trust")]
    | Annotated[MovePlayedCondition, Tag("move_played")]
    | Annotated[EventOptionCondition, Tag("event_option")]
    | Annotated[PackageIncludesCondition, Tag("package_includes")]
    | Annotated[InterestServedCondition, Tag("interest_served")]
    | Annotated[FramingChosenCondition, Tag("framing_chosen")]
    | Annotated[AllCondition, Tag("all")]
    | Annotated[AnyCondition, Tag("any")]
    | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="unknown_condition",
        custom_error_message="a condition must start with one of: " + ", ".join(CONDITION_KEYS),
    ),
]

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()


# --- Effects -----------------------------------------------------------------------------


class Effects(Strict):
    """The closed effect vocabulary. Every key is optional; unknown keys are errors."""

    trust: dict[str, int] = Field(
        default_factory=dict,
        description=(
            "who -> delta. Who is a role id, a role kind, 'all', 'self' (the acting role) "
            "or 'target' (the role a targeted move names)"
        ),
    )
    score: dict[ScoreName, int] = Field(default_factory=dict, description="score -> points")
    deal: dict[str, Annotated[int, Field(ge=1, le=5)]] = Field(
        default_factory=dict,
        description="role id (or 'self', 'target') -> number of extra idea cards from the reserve",
    )
    novelty: Annotated[int, Field(ge=-3, le=3)] = Field(
        default=0, description="novelty delta for ideas played later this round"
    )


# --- Content -----------------------------------------------------------------------------


class Range(Strict):
    min: Annotated[int, Field(ge=0)]
    max: Annotated[int, Field(ge=1)]

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class Interest(Strict):
    id: Slug
    name: Text


class Goal(Strict):
    text: Text
    when: Condition


class Kind(Strict):
    """A stakeholder kind a case declares beyond the built-in ones (a relative, a care worker)."""

    name: Text = Field(description="what the screens and the debrief call a role of this kind")


class Role(Strict):
    id: Slug
    kind: RoleKind
    name: Text
    brief: Text
    agenda: dict[str, Weight] = Field(description="interest id -> weight (-3..3)")
    seats: Range
    hand: list[str] = Field(default_factory=list, description="idea ids dealt to the role")
    moves: list[str] = Field(default_factory=list, description="move ids the role may play")
    chair: bool = False
    goal: Goal | None = None


class Framing(Strict):
    id: Slug
    text: Text
    interests: list[str] = Field(default_factory=list)


class Idea(Strict):
    id: Slug
    title: Text
    text: Text
    origin: str = Field(description="role id")
    novelty: Annotated[int, Field(ge=0, le=3)]
    cost: Annotated[int, Field(ge=0)]
    serves: dict[str, Weight] = Field(default_factory=dict)


class Move(Strict):
    id: Slug
    title: Text
    text: Text
    style: Style
    phases: list[PhaseType] = Field(min_length=1)
    per_round: Annotated[int, Field(ge=1)] = 1
    target: bool = Field(default=False, description="the player names another role")
    politician_card: bool = Field(
        default=False,
        description="in a decide phase, the chair adopts the proposal over objections",
    )
    effects: Effects = Field(default_factory=Effects)


# The politician card is a rule of the decide phase, open to the chair in every scenario.
# A scenario tunes it with a move marked `politician_card: true` (its title, text and
# effects) and `scoring.politician_card_penalty`; one that marks no move gets this card.
DEFAULT_POLITICIAN_CARD = Move(
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


class EventOption(Strict):
    id: Slug
    title: Text | None = Field(
        default=None, description="a short name for the option, used in reasons and the debrief"
    )
    text: Text
    style: Style = "none"
    effects: Effects = Field(default_factory=Effects)


class Event(Strict):
    id: Slug
    title: Text
    text: Text
    target: str | None = Field(default=None, description="role id; the chair when absent")
    options: list[EventOption] = Field(min_length=2)


class Round(Strict):
    id: Slug
    phase: PhaseType
    title: Text
    prompt: Text
    timer_seconds: Annotated[int, Field(ge=10, le=3600)]
    event: str | None = None
    budget: Annotated[int, Field(ge=0)] | None = None
    ideas_per_player: Annotated[int, Field(ge=1, le=10)] = 2
    max_ideas: Annotated[int, Field(ge=1, le=20)] | None = Field(
        default=None, description="decide: the most ideas a package may hold"
    )

    @model_validator(mode="after")
    def _phase_fields(self) -> Round:
        if self.phase == "dilemma" and self.event is None:
            raise ValueError("a dilemma round needs an 'event'")
        if self.phase != "dilemma" and self.event is not None:
            raise ValueError("only a dilemma round takes an 'event'")
        if self.phase == "decide" and self.budget is None:
            raise ValueError("a decide round needs a 'budget'")
        return self


class OwnershipWeights(Strict):
    """How much each part of a role's stake counts in ownership (see docs/scoring.md)."""

    voice: Annotated[float, Field(ge=0)] = Field(
        default=0.2, description="the role's contributions over an even share"
    )
    influence: Annotated[float, Field(ge=0)] = Field(
        default=0.25, description="the role's share of the package's ideas over an even share"
    )
    trust: Annotated[float, Field(ge=0)] = Field(
        default=0.2, description="how the role's trust moved from where it started"
    )
    answers: Annotated[float, Field(ge=0)] = Field(
        default=0.35, description="the role's answer to the proposal (accept, live with, object)"
    )

    @model_validator(mode="before")
    @classmethod
    def _older_names(cls, data: Any) -> Any:
        # Files written before the parts were renamed say evenness and coverage.
        if isinstance(data, dict):
            renamed = {"evenness": "voice", "coverage": "influence"}
            data = {
                renamed.get(k, k) if renamed.get(k) not in data else k: v for k, v in data.items()
            }
        return data

    @model_validator(mode="after")
    def _positive(self) -> OwnershipWeights:
        if self.voice + self.influence + self.trust + self.answers <= 0:
            raise ValueError("the ownership weights must not all be zero")
        return self


class OwnIdeaDefaults(Strict):
    """What a player-written idea counts as, since it has no card values."""

    novelty: Annotated[int, Field(ge=0, le=3)] = 2
    cost: Annotated[int, Field(ge=0)] = 1
    serves: Weight = 1


class Scoring(Strict):
    ownership: OwnershipWeights = Field(default_factory=OwnershipWeights)
    politician_card_penalty: Annotated[int, Field(ge=0, le=100)] = Field(
        default=20,
        description="the ownership the politician card removes, in percent of the score",
    )
    recombination_bonus: Annotated[int, Field(ge=0, le=100)] = Field(
        default=25,
        description="the share (percent) of an idea's innovation that comes from being "
        "built by more than one role; the rest comes from its novelty",
    )
    own_idea: OwnIdeaDefaults = Field(default_factory=OwnIdeaDefaults)


class Insight(Strict):
    when: Condition
    text: Text


class Debrief(Strict):
    questions: list[Text] = Field(min_length=1)
    insights: list[Insight] = Field(default_factory=list)


class Scenario(Strict):
    format: Literal["policymaker/scenario@1"]
    id: Slug
    title: Text
    summary: Text
    languages: list[LangCode] = Field(min_length=1)
    players: Range
    kinds: dict[Slug, Kind] = Field(
        default_factory=dict,
        description="kind id -> its name: stakeholder kinds of this case beyond the built-in "
        "ones, for roles' 'kind' and as trust targets",
        # So that an editor marks a kind id that is not a slug, as the loader does.
        json_schema_extra={
            "propertyNames": {"pattern": SLUG_PATTERN, "maxLength": 64},
            "additionalProperties": False,
        },
    )
    duration_minutes: Annotated[int, Field(ge=5, le=600)]
    case: Text
    interests: list[Interest] = Field(min_length=1)
    roles: list[Role] = Field(min_length=2)
    framings: list[Framing] = Field(default_factory=list)
    ideas: list[Idea] = Field(default_factory=list)
    moves: list[Move] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    rounds: list[Round] = Field(min_length=1)
    scoring: Scoring = Field(default_factory=Scoring)
    debrief: Debrief

    # Lookups the engine uses constantly; built once, never serialised.
    def role(self, role_id: str) -> Role:
        return next(r for r in self.roles if r.id == role_id)

    def idea(self, idea_id: str) -> Idea:
        return next(i for i in self.ideas if i.id == idea_id)

    def move(self, move_id: str) -> Move:
        return next(m for m in self.moves if m.id == move_id)

    def event(self, event_id: str) -> Event:
        return next(e for e in self.events if e.id == event_id)

    def kind_name(self, kind: str, lang: str) -> str | None:
        """A declared kind's name in `lang`; None for a built-in kind, which the app names."""
        declared = self.kinds.get(kind)
        return localize(declared.name, lang) if declared is not None else None

    @property
    def chair(self) -> Role:
        return next(r for r in self.roles if r.chair)

    @property
    def card(self) -> Move:
        """The politician card: the first move marked as one, else the built-in card."""
        return next((m for m in self.moves if m.politician_card), DEFAULT_POLITICIAN_CARD)

    def role_moves(self, role_id: str) -> list[str]:
        """The moves a role may play: its own, but any marked as the politician card, which
        the chair holds (last) and nobody else does."""
        role = self.role(role_id)
        flagged = {m.id for m in self.moves if m.politician_card}
        return [m for m in role.moves if m not in flagged] + ([self.card.id] if role.chair else [])


def localize(text: Text, lang: str) -> str:
    """The text in `lang`, falling back to the first language the text has."""
    if isinstance(text, str):
        return text
    return text.get(lang) or next(iter(text.values()), "")
