"""The debrief: what a finished (or running) game shows when the table looks back.

Pure: it reads a `GameState` through its `Rules` and returns frozen pydantic models that
the debrief screen renders and the JSON/CSV exports serialise (`model_dump(mode="json")`).

`table_debrief` follows the order debriefing research recommends - how do you feel, what
happened, what did you learn, how does it relate to real life:

1. `feelings`   a quick poll: a prompt and fixed options (answered on the players' phones
   and counted by the trainer's taps, both outside the engine);
2. `proposal`   the final package (the leading one while the game runs), whose ideas;
3. `agendas`    every seated role's brief, agenda and secret goal, revealed, and met or not;
4. `scores`     the three scores per round with their one-line reasons, and
   `key_moments` per score the round whose recorded change (`Reason.delta`, the change the
   players saw as an arrow) was largest, with its cause; `act_moments` the same, counting
   only changes a move or a dilemma option caused;
5. `trust`      each role's trust after every round and at the end;
6. `contributions` per role: ideas, builds, own framings, moves;
7. `profiles`   each seated politician's leadership profile;
8. `reflection` the scenario's questions and the insights whose conditions held.

`workshop_debrief` puts tables side by side and adds **rarity**. A card counts as chosen
by a table when it is in, or was built into, an idea of that table's final package. For a
package idea with novelty n (0..3), let s be the share of tables (of the same scenario)
that chose its rarest card; an own idea, with no card, counts as chosen by this table
alone (s = 1/tables). Then

    innovation_with_rarity = min(100, 100 * mean over the package of n/3 * (2 - s))

so a card every table chose counts at its plain novelty, a card no other table chose
counts up to twice that, and an empty package scores 0. It leaves out the recombination
bonus and scenario score effects, which the table's own innovation score has.

Bot seats: the caller (the room, which knows its seats) may name the seats bots played,
`bot_seats`; the engine itself does not know who is a person. A role every seat of which
is a bot is marked (`RoleRef.bot`) wherever the debrief names it, a key moment caused by
a bot's move or choice says so (`KeyMoment.by_bot`), and each table of the workshop
comparison counts its bot seats (`TableSummary.bot_seats`).

`debrief_csv_rows` and `workshop_csv_rows` flatten both for spreadsheets; `csv_text`
writes rows as CSV text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict

from app.engine.catalog import Catalog
from app.engine.events import Reason, TableIdea
from app.engine.explain import SCORE_NAMES_TEXT, explain, source_title
from app.engine.outcome import leadership_profile, leading_package, trend
from app.engine.rules import Rules
from app.engine.state import GameState
from app.scenarios.models import LEADERSHIP_STYLES, SCORE_NAMES, localize

CsvValue = str | float | int | None

# --- fixed UI strings ---------------------------------------------------------------------

_UI_LANGS = ("da", "en")

SECTIONS: tuple[tuple[str, dict[str, str]], ...] = (
    ("feelings", {"da": "Hvordan har du det?", "en": "How do you feel?"}),
    ("proposal", {"da": "Det endelige forslag", "en": "The final proposal"}),
    ("agendas", {"da": "De skjulte dagsordener", "en": "The hidden agendas"}),
    ("scores", {"da": "Pointene runde for runde", "en": "The scores round by round"}),
    ("trust", {"da": "Tillid", "en": "Trust"}),
    ("contributions", {"da": "Bidrag", "en": "Contributions"}),
    ("profiles", {"da": "Lederprofiler", "en": "Leadership profiles"}),
    ("reflection", {"da": "Refleksion", "en": "Reflection"}),
)

FEELINGS_PROMPT: dict[str, str] = {
    "da": "Hvordan har du det lige nu, efter spillet? Vælg de ord, der passer.",
    "en": "How do you feel right now, after the game? Pick the words that fit.",
}

FEELINGS: tuple[tuple[str, dict[str, str]], ...] = (
    ("energised", {"da": "Energisk", "en": "Energised"}),
    ("hopeful", {"da": "Håbefuld", "en": "Hopeful"}),
    ("heard", {"da": "Hørt", "en": "Heard"}),
    ("curious", {"da": "Nysgerrig", "en": "Curious"}),
    ("confused", {"da": "Forvirret", "en": "Confused"}),
    ("frustrated", {"da": "Frustreret", "en": "Frustrated"}),
    ("overruled", {"da": "Overkørt", "en": "Overruled"}),
)

# How the package was adopted (`GameState.adopted_how`), in a councillor's words.
ADOPTED_HOW: dict[str, dict[str, str]] = {
    "consensus": {
        "da": "vedtaget automatisk: ingen gjorde indsigelse",
        "en": "adopted on its own: nobody objected",
    },
    "overruled": {
        "da": "vedtaget trods indsigelser, uden at forslaget blev revideret",
        "en": "adopted over objections, without a revision",
    },
    "dissent": {
        "da": "vedtaget efter en revision, selvom der stadig var indsigelser",
        "en": "adopted after a revision, with objections remaining",
    },
    "politician_card": {
        "da": "formanden spillede politikerkortet",
        "en": "the chair played the politician card",
    },
    "time_up": {"da": "tiden løb ud", "en": "time ran out"},
    "pending": {"da": "endnu ikke besluttet", "en": "not decided yet"},
}

STYLE_NAMES: dict[str, dict[str, str]] = {
    "initiator": {"da": "igangsætter", "en": "initiator"},
    "facilitator": {"da": "facilitator", "en": "facilitator"},
    "catalyst": {"da": "katalysator", "en": "catalyst"},
    "sovereign": {"da": "suveræn", "en": "sovereign"},
}

_TABLE: dict[str, str] = {"da": "Bord {n}", "en": "Table {n}"}

_NO_BOTS: Mapping[str, Collection[str]] = MappingProxyType({})


def _t(texts: Mapping[str, str], lang: str) -> str:
    return texts[lang if lang in _UI_LANGS else "en"]


# --- models ---------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Section(_Model):
    id: str
    title: str


class FeelingOption(_Model):
    id: str
    label: str


class FeelingsPoll(_Model):
    prompt: str
    options: tuple[FeelingOption, ...]


class RoleRef(_Model):
    id: str
    name: str
    bot: bool = False  # every seat of this role was played by a bot


class WeightedInterest(_Model):
    """An interest with a weight: an agenda entry or what an idea serves."""

    interest: str
    name: str
    weight: int


class PackageIdea(_Model):
    id: str
    card: str | None
    title: str
    text: str
    cost: int
    novelty: int
    serves: tuple[WeightedInterest, ...]
    contributors: tuple[RoleRef, ...]
    recombined: bool
    built_on: str | None  # the title of the idea it was built on


class Proposal(_Model):
    final: bool  # False while the game runs: then it is the leading package
    ideas: tuple[PackageIdea, ...]
    total_cost: int
    budget: int | None
    # consensus | overruled | dissent | politician_card | time_up | pending
    adopted_how: str
    adopted_how_text: str


class Agenda(_Model):
    role: RoleRef
    kind: str
    chair: bool
    seats: tuple[str, ...]
    bot_seats: tuple[str, ...]  # those of `seats` a bot played
    brief: str
    agenda: tuple[WeightedInterest, ...]
    goal: str | None
    goal_met: bool | None  # None: no goal, or not judged yet (the game runs)
    package_ideas: tuple[str, ...]  # table ids of package ideas this role contributed to


class RoundLine(_Model):
    index: int
    id: str
    title: str
    phase: str
    scores: dict[str, float | None]
    deltas: dict[str, float]
    reasons: dict[str, str]


class KeyMoment(_Model):
    score: str
    round: int
    round_id: str
    round_title: str
    delta: float
    reason: str  # the whole one-line explanation
    cause: str  # the move or option title, else the explanation
    source: str | None  # e.g. "move:listen", "option:meet", "politician_card"
    by_bot: bool = False  # the cause is a move or choice that only bot seats made


class TrustLine(_Model):
    role: RoleRef
    rounds: tuple[int | None, ...]  # aligned with `scores`
    final: int


class Contribution(_Model):
    role: RoleRef
    ideas: int
    builds: int
    framings: int
    moves: int


class Profile(_Model):
    role: RoleRef
    shares: dict[str, float]  # style -> 0..1; all 0 when no styled act
    styled_acts: int


class Reflection(_Model):
    questions: tuple[str, ...]
    insights: tuple[str, ...]


class ChosenFraming(_Model):
    id: str
    text: str
    own: bool
    added_by: RoleRef | None


class TableDebrief(_Model):
    table_label: str
    scenario_id: str
    scenario_title: str
    lang: str
    ended: bool
    bot_seats: tuple[str, ...]  # the seats bots played, in seat order
    sections: tuple[Section, ...]
    score_names: dict[str, str]
    style_names: dict[str, str]
    feelings: FeelingsPoll
    framing: ChosenFraming | None
    proposal: Proposal
    politician_card_played: bool
    agendas: tuple[Agenda, ...]
    scores: tuple[RoundLine, ...]
    key_moments: tuple[KeyMoment, ...]
    act_moments: tuple[KeyMoment, ...]
    trust: tuple[TrustLine, ...]
    contributions: tuple[Contribution, ...]
    profiles: tuple[Profile, ...]
    reflection: Reflection


class CardRarity(_Model):
    scenario_id: str
    card: str
    title: str
    tables: int  # how many tables chose it
    share: float  # of the tables playing that scenario
    table_labels: tuple[str, ...]


class TableSummary(_Model):
    label: str
    scenario_id: str
    ended: bool
    scores: dict[str, float | None]
    package: tuple[str, ...]  # idea titles
    adopted_how: str
    adopted_how_text: str
    seats: int
    bot_seats: int  # how many of its seats bots played
    politician_card_played: bool
    chair_profile: Profile | None
    innovation_with_rarity: float


class WorkshopDebrief(_Model):
    lang: str
    score_names: dict[str, str]
    style_names: dict[str, str]
    feelings: FeelingsPoll  # the plenary starts where each table's debrief does
    tables: tuple[TableSummary, ...]
    rarity: tuple[CardRarity, ...]


# --- one table ------------------------------------------------------------------------------


def table_debrief(
    rules: Rules,
    state: GameState,
    lang: str,
    table_label: str = "",
    *,
    bot_seats: Collection[str] = (),
) -> TableDebrief:
    """Everything one table's debrief shows, in the order the debrief runs.

    `bot_seats` names the seats bots played (the room knows them; the engine does not).
    """
    catalog = rules.catalog
    scenario = rules.scenario
    bots = _Bots.of(state, bot_seats)
    package = _package(state, catalog)
    rounds = _rounds(state, catalog, lang)
    return TableDebrief(
        table_label=table_label,
        scenario_id=scenario.id,
        scenario_title=localize(scenario.title, lang),
        lang=lang,
        ended=state.status == "ended",
        bot_seats=tuple(s.id for s in state.seats if s.id in bots.seats),
        sections=tuple(Section(id=i, title=_t(t, lang)) for i, t in SECTIONS),
        score_names={n: _t(SCORE_NAMES_TEXT[n], lang) for n in SCORE_NAMES},
        style_names={s: _t(STYLE_NAMES[s], lang) for s in LEADERSHIP_STYLES},
        feelings=feelings_poll(lang),
        framing=_framing(state, catalog, lang, bots),
        proposal=_proposal(state, catalog, package, lang, bots),
        politician_card_played=state.politician_card_played,
        agendas=_agendas(state, catalog, package, lang, bots),
        scores=rounds,
        key_moments=_moments(state, catalog, lang, bots, acts_only=False),
        act_moments=_moments(state, catalog, lang, bots, acts_only=True),
        trust=tuple(
            TrustLine(
                role=_role(catalog, r, lang, bots),
                rounds=tuple(h.trust.get(r) for h in state.history),
                final=state.trust.get(r, 0),
            )
            for r in state.seated_roles
        ),
        contributions=_contributions(state, catalog, lang, bots),
        profiles=tuple(
            _profile(state, catalog, r, lang, bots)
            for r in state.seated_roles
            if catalog.roles[r].kind == "politician"
        ),
        reflection=Reflection(
            questions=tuple(localize(q, lang) for q in scenario.debrief.questions),
            insights=tuple(
                localize(scenario.debrief.insights[i].text, lang)
                for i in state.insights
                if 0 <= i < len(scenario.debrief.insights)
            ),
        ),
    )


def feelings_poll(lang: str) -> FeelingsPoll:
    """The feelings poll's prompt and options (fixed; answers are collected elsewhere)."""
    return FeelingsPoll(
        prompt=_t(FEELINGS_PROMPT, lang),
        options=tuple(FeelingOption(id=i, label=_t(t, lang)) for i, t in FEELINGS),
    )


def _package(state: GameState, catalog: Catalog) -> tuple[str, ...]:
    return tuple(i for i in leading_package(state, catalog) if i in state.table)


@dataclass(frozen=True)
class _Bots:
    """Which seats of a game bots played, and which roles only bots played."""

    seats: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, state: GameState, bot_seats: Collection[str]) -> _Bots:
        named = set(bot_seats)
        seats = frozenset(s.id for s in state.seats if s.id in named)
        by_role: dict[str, list[bool]] = {}
        for s in state.seats:
            by_role.setdefault(s.role, []).append(s.id in seats)
        return cls(seats, frozenset(r for r, bots in by_role.items() if all(bots)))

    def only_bots(self, seats: Collection[str | None]) -> bool:
        """Whether these seats (the makers of an act) are all bots; False when there are none."""
        return bool(seats) and all(s in self.seats for s in seats)


_NOBODY = _Bots()


def _role(catalog: Catalog, role: str, lang: str, bots: _Bots = _NOBODY) -> RoleRef:
    known = catalog.roles.get(role)
    return RoleRef(
        id=role, name=localize(known.name, lang) if known else role, bot=role in bots.roles
    )


def _interest_names(catalog: Catalog, lang: str) -> dict[str, str]:
    return {i.id: localize(i.name, lang) for i in catalog.scenario.interests}


def idea_parts(
    idea: TableIdea, state: GameState, catalog: Catalog, lang: str
) -> list[tuple[str, str]]:
    """The (title, text) of each idea a combined idea was built from, first one first.

    A part that is already in the idea (the same card, or the same words written again
    by another player) is named once: a group that builds twice on one idea must not see
    its title and description repeated.
    """
    chain: list[TableIdea] = []
    current: TableIdea | None = idea
    while current is not None:
        chain.append(current)
        current = state.table.get(current.base) if current.base else None
    parts: list[tuple[str, str]] = []
    seen: set[str] = set()
    for part in reversed(chain):
        card = catalog.ideas.get(part.card) if part.card else None
        title = localize(card.title, lang) if card else part.title
        key = f"card:{part.card}" if card else f"own:{_plain(title)}"
        if key in seen:
            continue
        seen.add(key)
        text = part.text or (localize(card.text, lang) if card else "")
        parts.append((title, text))
    return parts


def _plain(text: str) -> str:
    """Words as a reader compares them: case, ellipses and spacing aside."""
    return " ".join(text.replace("…", " ").replace("...", " ").casefold().split())


def idea_title(idea: TableIdea, state: GameState, catalog: Catalog, lang: str) -> str:
    """A card's title, a player's own words, or 'base + addition' for a combined idea.

    The player screens and the debrief both name ideas this way, so a group recognises
    in the debrief the idea it built together at the table.
    """
    return " + ".join(title for title, _text in idea_parts(idea, state, catalog, lang))


def idea_text(idea: TableIdea, state: GameState, catalog: Catalog, lang: str) -> str:
    """The description of every part of an idea, each once, in the order they were built.

    A combined idea keeps what each of its parts said (before, only the last part's
    text was shown, so 'review + merger' read as the merger alone).
    """
    texts: list[str] = []
    seen: set[str] = set()
    for title, text in idea_parts(idea, state, catalog, lang):
        plain = _plain(text)
        if not plain or plain in seen or plain == _plain(title):
            continue
        seen.add(plain)
        texts.append(text.strip())
    return " ".join([*map(_sentence, texts[:-1]), *texts[-1:]])


def _sentence(text: str) -> str:
    """End a part's text as a sentence, so the next part's text reads as a new one."""
    return text if text[-1] in ".!?…:" else f"{text}."


def _package_idea(
    state: GameState, catalog: Catalog, idea: TableIdea, lang: str, bots: _Bots
) -> PackageIdea:
    names = _interest_names(catalog, lang)
    base = state.table.get(idea.base) if idea.base else None
    return PackageIdea(
        id=idea.id,
        card=idea.card,
        title=idea_title(idea, state, catalog, lang),
        text=idea_text(idea, state, catalog, lang),
        cost=idea.cost,
        novelty=idea.novelty,
        serves=tuple(
            WeightedInterest(interest=k, name=names.get(k, k), weight=v)
            for k, v in idea.serves.items()
        ),
        contributors=tuple(_role(catalog, r, lang, bots) for r in idea.contributors),
        recombined=len(set(idea.contributors)) > 1,
        built_on=idea_title(base, state, catalog, lang) if base else None,
    )


def _proposal(
    state: GameState, catalog: Catalog, package: Sequence[str], lang: str, bots: _Bots
) -> Proposal:
    ideas = tuple(_package_idea(state, catalog, state.table[i], lang, bots) for i in package)
    decide = catalog.decide_after(max(state.round_index, 0))
    how = _adopted_how(state)
    return Proposal(
        final=state.final_package is not None,
        ideas=ideas,
        total_cost=sum(i.cost for i in ideas),
        budget=decide.budget if decide else None,
        adopted_how=how,
        adopted_how_text=_adopted_text(how, lang),
    )


def _adopted_text(how: str, lang: str) -> str:
    return _t(ADOPTED_HOW.get(how, ADOPTED_HOW["pending"]), lang)


def _adopted_how(state: GameState) -> str:
    if state.adopted is not None and state.adopted_how is not None:
        return state.adopted_how
    return "pending"


def _framing(state: GameState, catalog: Catalog, lang: str, bots: _Bots) -> ChosenFraming | None:
    if state.framing is None:
        return None
    entry = next((f for f in state.framings if f.id == state.framing), None)
    if entry is not None and entry.text is not None:
        role = state.role_of(entry.added_by) if entry.added_by else None
        return ChosenFraming(
            id=entry.id,
            text=entry.text,
            own=True,
            added_by=_role(catalog, role, lang, bots) if role else None,
        )
    framing = catalog.framings.get(state.framing)
    text = localize(framing.text, lang) if framing else state.framing
    return ChosenFraming(id=state.framing, text=text, own=False, added_by=None)


def _agendas(
    state: GameState, catalog: Catalog, package: Sequence[str], lang: str, bots: _Bots
) -> tuple[Agenda, ...]:
    names = _interest_names(catalog, lang)
    out: list[Agenda] = []
    for role_id in state.seated_roles:
        role = catalog.roles[role_id]
        seats = tuple(s.id for s in state.seats if s.role == role_id)
        out.append(
            Agenda(
                role=_role(catalog, role_id, lang, bots),
                kind=role.kind,
                chair=role.chair,
                seats=seats,
                bot_seats=tuple(s for s in seats if s in bots.seats),
                brief=localize(role.brief, lang),
                agenda=tuple(
                    WeightedInterest(interest=k, name=names.get(k, k), weight=v)
                    for k, v in role.agenda.items()
                ),
                goal=localize(role.goal.text, lang) if role.goal else None,
                goal_met=state.goals.get(role_id) if role.goal else None,
                package_ideas=tuple(i for i in package if role_id in state.table[i].contributors),
            )
        )
    return tuple(out)


def _rounds(state: GameState, catalog: Catalog, lang: str) -> tuple[RoundLine, ...]:
    out: list[RoundLine] = []
    for h in state.history:
        rnd = catalog.rounds[h.index]
        by_score = {r.score: r for r in h.reasons}
        out.append(
            RoundLine(
                index=h.index,
                id=rnd.id,
                title=localize(rnd.title, lang),
                phase=rnd.phase,
                scores={n: _round1(h.scores.get(n)) for n in SCORE_NAMES},
                deltas={n: by_score[n].delta if n in by_score else 0.0 for n in SCORE_NAMES},
                reasons={n: explain(by_score[n], catalog, lang) for n in by_score},
            )
        )
    return tuple(out)


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _is_act(reason: Reason) -> bool:
    subject = reason.subject or ""
    return subject.startswith(("move:", "option:")) or subject == "politician_card"


def _actors(state: GameState, catalog: Catalog, round_index: int, source: str) -> list[str | None]:
    """The seats whose act in this round a reason's source names: the seats that played the
    move (or the politician card), or chose the option; none for any other source."""
    kind, _, ident = source.partition(":")
    if source == "politician_card":
        kind, ident = "move", catalog.card.id
    if kind == "move":
        return [m.seat for m in state.moves if m.round == round_index and m.move == ident]
    if kind == "option":
        return [c.seat for c in state.choices if c.round == round_index and c.option == ident]
    return []


def _moments(
    state: GameState, catalog: Catalog, lang: str, bots: _Bots, acts_only: bool
) -> tuple[KeyMoment, ...]:
    """Per score, the round whose recorded change was largest (earliest on a tie)."""
    out: list[KeyMoment] = []
    for name in SCORE_NAMES:
        best: tuple[int, Reason] | None = None
        for h in state.history:
            reason = next((r for r in h.reasons if r.score == name), None)
            # Only a round whose reason names a rise or a fall: "held steady" is no moment,
            # even with the few tenths of a point it carries.
            if reason is None or h.scores.get(name) is None or trend(reason) == "flat":
                continue
            if acts_only and not _is_act(reason):
                continue
            if best is None or abs(reason.delta) > abs(best[1].delta):
                best = (h.index, reason)
        if best is None:
            continue
        index, reason = best
        rnd = catalog.rounds[index]
        line = explain(reason, catalog, lang)
        cause = source_title(reason.subject, catalog, lang) if reason.subject else ""
        out.append(
            KeyMoment(
                score=name,
                round=index,
                round_id=rnd.id,
                round_title=localize(rnd.title, lang),
                delta=reason.delta,
                reason=line,
                cause=cause or line,
                source=reason.subject,
                by_bot=bool(reason.subject)
                and bots.only_bots(_actors(state, catalog, index, reason.subject or "")),
            )
        )
    return tuple(out)


def _contributions(
    state: GameState, catalog: Catalog, lang: str, bots: _Bots
) -> tuple[Contribution, ...]:
    ideas: dict[str, int] = {}
    builds: dict[str, int] = {}
    for idea in state.table.values():
        if idea.builder is not None:
            role = state.role_of(idea.builder) or ""
            builds[role] = builds.get(role, 0) + 1
        elif idea.played_by:
            role = state.role_of(idea.played_by[0]) or ""
            ideas[role] = ideas.get(role, 0) + 1
    framings: dict[str, int] = {}
    for f in state.framings:
        author = state.role_of(f.added_by) if f.added_by else None
        if author:
            framings[author] = framings.get(author, 0) + 1
    moves: dict[str, int] = {}
    for m in state.moves:
        moves[m.role] = moves.get(m.role, 0) + 1
    out: list[Contribution] = []
    for r in state.seated_roles:
        out.append(
            Contribution(
                role=_role(catalog, r, lang, bots),
                ideas=ideas.get(r, 0),
                builds=builds.get(r, 0),
                framings=framings.get(r, 0),
                moves=moves.get(r, 0),
            )
        )
    return tuple(out)


def _profile(
    state: GameState, catalog: Catalog, role: str, lang: str, bots: _Bots = _NOBODY
) -> Profile:
    styles = [m.style for m in state.moves if m.role == role]
    styles += [c.style for c in state.choices if c.role == role and c.seat is not None]
    return Profile(
        role=_role(catalog, role, lang, bots),
        shares={s: round(v, 3) for s, v in leadership_profile(state, role).items()},
        styled_acts=sum(1 for s in styles if s in LEADERSHIP_STYLES),
    )


# --- the workshop ---------------------------------------------------------------------------


def rarity_score(ideas: Sequence[tuple[int, float]]) -> float:
    """min(100, 100 * mean of novelty/3 * (2 - share)) over (novelty, share) pairs; 0 if none."""
    if not ideas:
        return 0.0
    terms = [max(0, min(3, n)) / 3 * (2 - max(0.0, min(1.0, s))) for n, s in ideas]
    return round(min(100.0, 100 * sum(terms) / len(terms)), 1)


def _chain_cards(state: GameState, idea_id: str) -> list[str]:
    """The cards in a table idea and in every idea it was built on."""
    cards: list[str] = []
    idea = state.table.get(idea_id)
    seen: set[str] = set()
    while idea is not None and idea.id not in seen:
        seen.add(idea.id)
        if idea.card and idea.card not in cards:
            cards.append(idea.card)
        idea = state.table.get(idea.base) if idea.base else None
    return cards


def workshop_debrief(
    tables: Sequence[tuple[str, Rules, GameState]],
    lang: str,
    *,
    bot_seats: Mapping[str, Collection[str]] = _NO_BOTS,
) -> WorkshopDebrief:
    """All tables side by side, with how many tables chose each card and the rarity figure.

    `bot_seats` maps a table's label, as given in `tables`, to the seats bots played there.
    """
    labels = [label or _t(_TABLE, lang).format(n=n + 1) for n, (label, _, _) in enumerate(tables)]
    packages = [_package(state, rules.catalog) for _, rules, state in tables]
    per_scenario: dict[str, int] = {}
    chosen: dict[tuple[str, str], list[int]] = {}
    for t, (_, rules, state) in enumerate(tables):
        sid = rules.scenario.id
        per_scenario[sid] = per_scenario.get(sid, 0) + 1
        for idea_id in packages[t]:
            for card in _chain_cards(state, idea_id):
                users = chosen.setdefault((sid, card), [])
                if t not in users:
                    users.append(t)

    def share(sid: str, card: str) -> float:
        return len(chosen.get((sid, card), [])) / per_scenario[sid]

    summaries: list[TableSummary] = []
    for t, (given, rules, state) in enumerate(tables):
        catalog, sid = rules.catalog, rules.scenario.id
        bots = _Bots.of(state, bot_seats.get(given, ()))
        how = _adopted_how(state)
        items: list[tuple[int, float]] = []
        for idea_id in packages[t]:
            cards = _chain_cards(state, idea_id)
            s = min((share(sid, c) for c in cards), default=1 / per_scenario[sid])
            items.append((state.table[idea_id].novelty, s))
        last = state.history[-1].scores if state.history else {}
        chair = catalog.chair
        summaries.append(
            TableSummary(
                label=labels[t],
                scenario_id=sid,
                ended=state.status == "ended",
                scores={n: _round1(last.get(n)) for n in SCORE_NAMES},
                package=tuple(
                    idea_title(state.table[i], state, catalog, lang) for i in packages[t]
                ),
                adopted_how=how,
                adopted_how_text=_adopted_text(how, lang),
                seats=len(state.seats),
                bot_seats=len(bots.seats),
                politician_card_played=state.politician_card_played,
                chair_profile=(
                    _profile(state, catalog, chair, lang, bots)
                    if chair in state.seated_roles
                    else None
                ),
                innovation_with_rarity=rarity_score(items),
            )
        )

    catalogs = {rules.scenario.id: rules.catalog for _, rules, _ in tables}
    rarity = [
        CardRarity(
            scenario_id=sid,
            card=card,
            title=(
                localize(catalogs[sid].ideas[card].title, lang)
                if card in catalogs[sid].ideas
                else card
            ),
            tables=len(users),
            share=round(len(users) / per_scenario[sid], 3),
            table_labels=tuple(labels[t] for t in users),
        )
        for (sid, card), users in chosen.items()
    ]
    rarity.sort(key=lambda r: (r.scenario_id, r.tables, r.card))
    return WorkshopDebrief(
        lang=lang,
        score_names={n: _t(SCORE_NAMES_TEXT[n], lang) for n in SCORE_NAMES},
        style_names={s: _t(STYLE_NAMES[s], lang) for s in LEADERSHIP_STYLES},
        feelings=feelings_poll(lang),
        tables=tuple(summaries),
        rarity=tuple(rarity),
    )


# --- CSV ------------------------------------------------------------------------------------

ROUND_COLUMNS: tuple[str, ...] = (
    "table",
    "round",
    "round_id",
    "round_title",
    "phase",
    *SCORE_NAMES,
    *(f"{n}_reason" for n in SCORE_NAMES),
)

TABLE_COLUMNS: tuple[str, ...] = (
    "table",
    "scenario",
    "ended",
    *SCORE_NAMES,
    "innovation_with_rarity",
    "adopted_how",
    "politician_card_played",
    "bot_seats",
    "package",
    *(f"chair_{s}" for s in LEADERSHIP_STYLES),
)


def debrief_csv_rows(debrief: TableDebrief) -> list[dict[str, CsvValue]]:
    """One row per scored round: the three scores (empty when n/a) and their reasons."""
    rows: list[dict[str, CsvValue]] = []
    for line in debrief.scores:
        row: dict[str, CsvValue] = {
            "table": debrief.table_label,
            "round": line.index + 1,
            "round_id": line.id,
            "round_title": line.title,
            "phase": line.phase,
        }
        for n in SCORE_NAMES:
            row[n] = line.scores.get(n)
        for n in SCORE_NAMES:
            row[f"{n}_reason"] = line.reasons.get(n, "")
        rows.append(row)
    return rows


def workshop_csv_rows(debrief: WorkshopDebrief) -> list[dict[str, CsvValue]]:
    """One row per table: final scores, rarity, how the package was adopted, how many of its
    seats bots played, chair profile."""
    rows: list[dict[str, CsvValue]] = []
    for t in debrief.tables:
        row: dict[str, CsvValue] = {
            "table": t.label,
            "scenario": t.scenario_id,
            "ended": int(t.ended),
        }
        for n in SCORE_NAMES:
            row[n] = t.scores.get(n)
        row["innovation_with_rarity"] = t.innovation_with_rarity
        row["adopted_how"] = t.adopted_how
        row["politician_card_played"] = int(t.politician_card_played)
        row["bot_seats"] = t.bot_seats
        row["package"] = "; ".join(t.package)
        for s in LEADERSHIP_STYLES:
            row[f"chair_{s}"] = t.chair_profile.shares.get(s) if t.chair_profile else None
        rows.append(row)
    return rows


def csv_text(rows: Sequence[Mapping[str, CsvValue]], columns: Sequence[str]) -> str:
    """CSV text with a header row; None is written as an empty cell."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()
