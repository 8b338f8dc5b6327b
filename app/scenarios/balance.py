"""`policymaker scenario check`: what simulated bot games say about a scenario's balance.

Bots play the scenario many times: a main run with a mixed chair, then a smaller run per
chair leadership style. Pure functions turn the finished games into a `BalanceReport`
(score spreads, content nobody or everybody chooses, styles compared, what the politician
card does to the secret goals, missing translations, the playing time the timers imply)
and render it as text or as one self-contained HTML page (inline CSS and SVG; no script,
no external files), so a trainer can open it anywhere and mail it to a colleague.

Bots are not people: they show what the rules and numbers *allow*, not how a real table
will play. The report says so, and words its findings as questions to look into.
"""

from __future__ import annotations

import html
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ruamel.yaml import YAML

from app.engine.rules import Rules
from app.engine.simulate import default_seats, histogram, play_game
from app.engine.state import GameState
from app.scenarios.checks import _texts
from app.scenarios.loader import LoadResult
from app.scenarios.models import LEADERSHIP_STYLES, SCORE_NAMES, Scenario, localize
from app.scenarios.problems import Locator, Problem, format_path

DEFAULT_GAMES = 200
ALWAYS = 0.95  # "always chosen": in at least this share of games
RARELY = 0.05  # "rarely chosen": in fewer than this share (but some)
STYLE_MARGIN = 1.0  # a dominant style beats every other by more than this, on every score
CARD_GOAL_JUMP = 0.25  # the politician card "raises the goals a lot": +25 percentage points
MIN_GROUP = 5  # games needed on each side before comparing with and without the card
BINS = 10
# Playing time: how fast a table that acts promptly gets through a phase, and the rest.
READING_WPM = 180  # words a minute, reading on a phone or laptop
FAST_SHARE = 0.5  # a prompt table ends a phase when everyone has acted: about half the timer
FAST_FLOOR = 60  # ... but hardly ever in under a minute
BETWEEN_ROUNDS = 30  # seconds to read the new prompt and the score changes
DEBRIEF_MINUTES = (3, 6)  # per reflection question, talking it over

Severity = Literal["warning", "note"]


# --- The report model -------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreStats:
    name: str
    min: float
    mean: float
    max: float
    values: tuple[float, ...]

    @property
    def bins(self) -> tuple[int, ...]:
        counts = [0] * BINS
        for value in self.values:
            counts[min(BINS - 1, max(0, int(value * BINS / 100)))] += 1
        return tuple(counts)


@dataclass(frozen=True)
class ContentUse:
    """How often one piece of content was chosen, as a share of the main run's games."""

    kind: Literal["idea", "move", "event option", "framing"]
    id: str
    title: str
    chosen: float  # idea: played to the table; move: played; option/framing: chosen
    adopted: float | None = None  # idea: in the final package


@dataclass(frozen=True)
class StyleResult:
    style: str
    games: int
    means: dict[str, float]
    politician_card_rate: float
    goals_met: float  # mean over the roles' secret goals


@dataclass(frozen=True)
class CardEffect:
    """Secret goals met in games with and without the politician card (all runs pooled)."""

    games_with: int
    games_without: int
    chair_with: float | None
    chair_without: float | None
    goals_with: float | None
    goals_without: float | None


@dataclass(frozen=True)
class RoundTime:
    title: str
    phase: str
    seconds: int
    fast_seconds: float


@dataclass(frozen=True)
class TimeEstimate:
    reading_minutes: float
    timer_minutes: float
    fast_minutes: float
    slow_minutes: float
    declared_minutes: int
    debrief_minutes: tuple[int, int]
    rounds: tuple[RoundTime, ...]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    topic: str
    message: str


@dataclass(frozen=True)
class BalanceReport:
    file: str
    scenario_id: str
    title: str
    language: str
    games: int
    style_games: int
    seed: int
    scores: tuple[ScoreStats, ...]
    politician_card_rate: float
    goals: dict[str, float]  # role name -> share of games its goal was met
    content: tuple[ContentUse, ...]
    styles: tuple[StyleResult, ...]
    card: CardEffect | None
    translations: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    time: TimeEstimate
    findings: tuple[Finding, ...] = field(default=())

    @property
    def never_chosen(self) -> list[ContentUse]:
        return [c for c in self.content if c.chosen == 0]

    @property
    def always_chosen(self) -> list[ContentUse]:
        return [c for c in self.content if _always(c)]


def _always(use: ContentUse) -> bool:
    if use.kind == "idea":
        return use.adopted is not None and use.adopted >= ALWAYS
    return use.chosen >= ALWAYS


# --- Playing games ----------------------------------------------------------------------


@dataclass(frozen=True)
class Runs:
    """The finished games: the main run (mixed chair) and one run per leadership style."""

    main: list[GameState]
    styles: dict[str, list[GameState]]


def play_games(
    scenario: Scenario, games: int, seed: int, chair_style: str = "mixed"
) -> list[GameState]:
    """The games `simulate()` plays for the same arguments (so their numbers agree)."""
    rules = Rules(scenario)
    seeds = random.Random(seed)
    states = []
    for _ in range(games):
        players = seeds.randint(scenario.players.min, scenario.players.max)
        seats = default_seats(scenario, players, seeds)
        states.append(play_game(rules, seeds.randrange(2**31), seats, chair_style).state)
    return states


def style_games_for(games: int) -> int:
    """Games per chair style: a quarter of the main run, at least 10."""
    return max(10, games // 4)


def run_all(scenario: Scenario, games: int = DEFAULT_GAMES, seed: int = 1) -> Runs:
    per_style = style_games_for(games)
    return Runs(
        main=play_games(scenario, games, seed, "mixed"),
        styles={
            style: play_games(scenario, per_style, seed + 1 + n, style)
            for n, style in enumerate(LEADERSHIP_STYLES)
        },
    )


# --- From games to the report -------------------------------------------------------------


def build_report(
    scenario: Scenario,
    runs: Runs,
    result: LoadResult,
    text: str,
    file: str,
    seed: int = 1,
    language: str | None = None,
) -> BalanceReport:
    lang = language if language in scenario.languages else scenario.languages[0]
    main = runs.main
    style_results = [style_result("mixed", scenario, main)] + [
        style_result(style, scenario, states) for style, states in runs.styles.items()
    ]
    report = BalanceReport(
        file=file,
        scenario_id=scenario.id,
        title=localize(scenario.title, lang),
        language=lang,
        games=len(main),
        style_games=max((len(s) for s in runs.styles.values()), default=0),
        seed=seed,
        scores=tuple(score_stats(main)),
        politician_card_rate=_share(s.politician_card_played for s in main),
        goals=goal_rates(scenario, main, lang),
        content=tuple(content_use(scenario, main, lang)),
        styles=tuple(style_results),
        card=card_effect(scenario, [*main, *(g for s in runs.styles.values() for g in s)]),
        translations=tuple(translation_gaps(result, text, file)),
        warnings=tuple(result.warnings),
        time=estimate_time(scenario, lang),
    )
    return replace(report, findings=tuple(findings(scenario, report)))


def score_stats(states: Sequence[GameState]) -> list[ScoreStats]:
    stats = []
    for name in SCORE_NAMES:
        values = [v for s in states if (v := _final(s, name)) is not None]
        if values:
            stats.append(
                ScoreStats(name, min(values), sum(values) / len(values), max(values), tuple(values))
            )
        else:
            stats.append(ScoreStats(name, 0.0, 0.0, 0.0, ()))
    return stats


def _final(state: GameState, name: str) -> float | None:
    return state.history[-1].scores.get(name) if state.history else None


def _share(flags: Iterable[bool]) -> float:
    items = list(flags)
    return sum(items) / len(items) if items else 0.0


def goal_rates(scenario: Scenario, states: Sequence[GameState], lang: str) -> dict[str, float]:
    met: dict[str, list[bool]] = {}
    for state in states:
        for role, ok in state.goals.items():
            met.setdefault(role, []).append(ok)
    return {
        localize(role.name, lang): _share(met[role.id])
        for role in scenario.roles
        if role.goal is not None and role.id in met
    }


def package_cards(state: GameState) -> set[str]:
    """The idea cards in the final package, including those built upon."""
    cards: set[str] = set()
    for idea_id in state.final_package or ():
        current = state.table.get(idea_id)
        while current is not None:
            if current.card:
                cards.add(current.card)
            current = state.table.get(current.base) if current.base else None
    return cards


def content_use(scenario: Scenario, states: Sequence[GameState], lang: str) -> list[ContentUse]:
    games = max(1, len(states))
    played: dict[str, int] = {}
    adopted: dict[str, int] = {}
    moves: dict[str, int] = {}
    options: dict[str, int] = {}
    framings: dict[str, int] = {}
    for state in states:
        for card in {i.card for i in state.table.values() if i.card}:
            played[card] = played.get(card, 0) + 1
        for card in package_cards(state):
            adopted[card] = adopted.get(card, 0) + 1
        for move in {m.move for m in state.moves}:
            moves[move] = moves.get(move, 0) + 1
        for option in {c.option for c in state.choices}:
            options[option] = options.get(option, 0) + 1
        if state.framing:
            framings[state.framing] = framings.get(state.framing, 0) + 1
    used_events = {r.event for r in scenario.rounds if r.event}
    frame_rounds = any(r.phase == "frame" for r in scenario.rounds)
    uses = [
        ContentUse(
            "idea",
            i.id,
            localize(i.title, lang),
            played.get(i.id, 0) / games,
            adopted.get(i.id, 0) / games,
        )
        for i in scenario.ideas
    ]
    uses += [
        ContentUse("move", m.id, localize(m.title, lang), moves.get(m.id, 0) / games)
        for m in scenario.moves
    ]
    uses += [
        ContentUse(
            "event option",
            o.id,
            f"{localize(e.title, lang)}: {localize(o.text, lang)}",
            options.get(o.id, 0) / games,
        )
        for e in scenario.events
        if e.id in used_events
        for o in e.options
    ]
    if frame_rounds:
        uses += [
            ContentUse("framing", f.id, localize(f.text, lang), framings.get(f.id, 0) / games)
            for f in scenario.framings
        ]
    return uses


def style_result(style: str, scenario: Scenario, states: Sequence[GameState]) -> StyleResult:
    means = {s.name: s.mean for s in score_stats(states)}
    goals = [ok for state in states for ok in state.goals.values()]
    return StyleResult(
        style=style,
        games=len(states),
        means=means,
        politician_card_rate=_share(s.politician_card_played for s in states),
        goals_met=_share(goals),
    )


def card_effect(scenario: Scenario, states: Sequence[GameState]) -> CardEffect | None:
    if not any(m.politician_card for m in scenario.moves):
        return None
    chair = scenario.chair.id
    with_card = [s for s in states if s.politician_card_played]
    without = [s for s in states if not s.politician_card_played]

    def chair_rate(group: list[GameState]) -> float | None:
        values = [s.goals[chair] for s in group if chair in s.goals]
        return _share(values) if values else None

    def all_rate(group: list[GameState]) -> float | None:
        values = [ok for s in group for ok in s.goals.values()]
        return _share(values) if values else None

    return CardEffect(
        games_with=len(with_card),
        games_without=len(without),
        chair_with=chair_rate(with_card),
        chair_without=chair_rate(without),
        goals_with=all_rate(with_card),
        goals_without=all_rate(without),
    )


_TRANSLATION_ERRORS = ("missing language", "needs one entry per language", "is not one of the")


def translation_gaps(result: LoadResult, text: str, file: str) -> list[Problem]:
    """Texts a language is missing from: the loader's errors, then in a valid file texts
    that are empty in one language or the same in two (copied, not yet translated)."""
    gaps = [p for p in result.errors if any(k in p.message for k in _TRANSLATION_ERRORS)]
    scenario = result.scenario
    if scenario is None or len(scenario.languages) < 2:
        return gaps
    locator = Locator(file, YAML(typ="rt", pure=True).load(text.removeprefix("\ufeff")))
    for path, value in _texts(scenario, ()):
        if not isinstance(value, dict):
            continue
        where = format_path(path)
        for language in scenario.languages:
            if not value.get(language, "").strip() and any(v.strip() for v in value.values()):
                message = f"{where}: the '{language}' text is empty"
                gaps.append(locator.warning((*path, language), message))
        seen: dict[str, str] = {}
        for language in scenario.languages:
            words = value.get(language, "").strip()
            if len(words.split()) >= 3 and words in seen:
                message = (
                    f"{where}: the '{language}' text is the same as the '{seen[words]}' text; "
                    "not translated yet?"
                )
                gaps.append(locator.warning((*path, language), message))
            seen.setdefault(words, language)
    return gaps


def estimate_time(scenario: Scenario, lang: str) -> TimeEstimate:
    """The playing time the timers imply, and what a prompt table needs.

    Slow: every phase runs until its timer ends. Fast: a table that acts promptly ends a
    phase when everyone has done what it asks, taken as half the timer (at least a minute,
    at most the timer). Both add the reading at the start (the case, the summary and the
    longest brief with its goal, at READING_WPM) and BETWEEN_ROUNDS seconds per round.
    """
    longest_brief = max(
        _words(localize(r.brief, lang)) + (_words(localize(r.goal.text, lang)) if r.goal else 0)
        for r in scenario.roles
    )
    words = _words(localize(scenario.case, lang)) + _words(localize(scenario.summary, lang))
    reading = (words + longest_brief) / READING_WPM
    rounds = tuple(
        RoundTime(
            localize(r.title, lang),
            r.phase,
            r.timer_seconds,
            min(float(r.timer_seconds), max(FAST_FLOOR, FAST_SHARE * r.timer_seconds)),
        )
        for r in scenario.rounds
    )
    between = BETWEEN_ROUNDS * len(rounds) / 60
    timers = sum(r.seconds for r in rounds) / 60
    fast = sum(r.fast_seconds for r in rounds) / 60
    questions = len(scenario.debrief.questions)
    return TimeEstimate(
        reading_minutes=reading,
        timer_minutes=timers,
        fast_minutes=reading + fast + between,
        slow_minutes=reading + timers + between,
        declared_minutes=scenario.duration_minutes,
        debrief_minutes=(questions * DEBRIEF_MINUTES[0], questions * DEBRIEF_MINUTES[1]),
        rounds=rounds,
    )


def _words(text: str) -> int:
    return len(text.split())


# --- Findings -------------------------------------------------------------------------------


def findings(scenario: Scenario, report: BalanceReport) -> list[Finding]:
    found: list[Finding] = []
    found += _content_findings(report)
    found += _style_findings(report)
    found += _card_findings(report)
    found += _score_findings(report)
    found += _goal_findings(report)
    if report.translations:
        found.append(
            Finding(
                "warning",
                "translations",
                f"{len(report.translations)} text(s) are missing or not translated in some "
                "language (see Translations)",
            )
        )
    found += _time_findings(report.time)
    return sorted(found, key=lambda f: f.severity != "warning")


_CHOSEN_WORDS = {
    "idea": "was never played to the table",
    "move": "was never played",
    "event option": "was never chosen",
    "framing": "was never the committee's framing",
}


def _content_findings(report: BalanceReport) -> list[Finding]:
    found = []
    for use in report.never_chosen:
        severity: Severity = "note" if use.kind == "framing" else "warning"
        found.append(
            Finding(
                severity,
                "never chosen",
                f"{use.kind} '{use.id}' ({_clip(use.title)}) {_CHOSEN_WORDS[use.kind]} "
                f"in {report.games} games",
            )
        )
    for use in report.content:
        if use.kind in ("idea", "event option") and 0 < use.chosen < RARELY:
            found.append(
                Finding(
                    "note",
                    "rarely chosen",
                    f"{use.kind} '{use.id}' ({_clip(use.title)}) "
                    f"{'was played' if use.kind == 'idea' else 'was chosen'} in only "
                    f"{use.chosen:.1%} of games",
                )
            )
    for use in report.always_chosen:
        if use.kind == "idea":
            what = f"is in the final proposal in {use.adopted or 0:.0%} of games"
            why = "is it too strong, or the budget too loose?"
        elif use.kind == "move":
            continue  # one note for all of them, below
        elif use.kind == "event option":
            what = f"is chosen in {use.chosen:.0%} of games"
            why = "is it a real dilemma when one option always wins?"
        else:
            what, why = f"wins the framing in {use.chosen:.0%} of games", "is it a real choice?"
        found.append(Finding("warning", "always chosen", f"{use.kind} '{use.id}' {what}: {why}"))
    moves = [use.id for use in report.always_chosen if use.kind == "move"]
    if moves:
        # Bots play a move whenever the rules allow it, so this is only worth a look.
        found.append(
            Finding(
                "note",
                "always chosen",
                f"moves played in at least {ALWAYS:.0%} of games: {', '.join(moves)}; bots "
                "play any move they may, so check only that none is a free win",
            )
        )
    return found


def _style_findings(report: BalanceReport) -> list[Finding]:
    styles = {s.style: s for s in report.styles if s.style in LEADERSHIP_STYLES and s.games}
    found = []
    for style, result in styles.items():
        others = [o for name, o in styles.items() if name != style]
        if others and all(
            result.means[score] > other.means[score] + STYLE_MARGIN
            for other in others
            for score in SCORE_NAMES
        ):
            extra = (
                " Deciding alone pays on every score, which the game is meant to question."
                if style == "sovereign"
                else ""
            )
            found.append(
                Finding(
                    "warning",
                    "dominant strategy",
                    f"a {style} chair beats every other chair style on all three scores "
                    f"(mean {_means(result)}).{extra}",
                )
            )
    facilitator, sovereign = styles.get("facilitator"), styles.get("sovereign")
    if (
        facilitator
        and sovereign
        and (facilitator.means["ownership"] <= sovereign.means["ownership"])
    ):
        found.append(
            Finding(
                "warning",
                "dominant strategy",
                "a sovereign chair ends with as much ownership as a facilitating one "
                f"({sovereign.means['ownership']:.0f} vs {facilitator.means['ownership']:.0f}): "
                "the scores do not show what listening and sharing the floor are worth",
            )
        )
    return found


def _card_findings(report: BalanceReport) -> list[Finding]:
    card = report.card
    if card is None or card.games_with < MIN_GROUP or card.games_without < MIN_GROUP:
        return []
    found = []
    for who, with_card, without in (
        ("the chair's secret goal", card.chair_with, card.chair_without),
        ("the secret goals (all roles)", card.goals_with, card.goals_without),
    ):
        if with_card is not None and without is not None and with_card - without >= CARD_GOAL_JUMP:
            found.append(
                Finding(
                    "warning",
                    "dominant strategy",
                    f"with the politician card {who} is met in {with_card:.0%} of games, "
                    f"without it in {without:.0%}: deciding alone pays off; make sure the "
                    "debrief shows what it costs",
                )
            )
    return found


def _score_findings(report: BalanceReport) -> list[Finding]:
    found = []
    for stats in report.scores:
        if not stats.values:
            found.append(Finding("warning", "scores", f"{stats.name} never had a value"))
        elif stats.max - stats.min < 10:
            found.append(
                Finding(
                    "note",
                    "scores",
                    f"{stats.name} hardly varies ({stats.min:.0f}-{stats.max:.0f}): "
                    "the players' choices barely move it",
                )
            )
        elif _share(v >= 99.5 for v in stats.values) >= 0.5:
            found.append(
                Finding(
                    "note",
                    "scores",
                    f"{stats.name} ends at 100 in {_share(v >= 99.5 for v in stats.values):.0%} "
                    "of games: the top of the scale hides differences between tables",
                )
            )
    return found


def _goal_findings(report: BalanceReport) -> list[Finding]:
    found = []
    for role, rate in report.goals.items():
        if rate < 0.05:
            found.append(
                Finding(
                    "warning",
                    "goals",
                    f"the secret goal of {role} is almost never met ({rate:.0%})",
                )
            )
        elif rate > ALWAYS:
            found.append(
                Finding(
                    "note",
                    "goals",
                    f"the secret goal of {role} is almost always met "
                    f"({rate:.0%}): too easy to matter?",
                )
            )
    return found


def _time_findings(time: TimeEstimate) -> list[Finding]:
    declared = time.declared_minutes
    if time.slow_minutes > declared * 1.15:
        return [
            Finding(
                "warning",
                "playing time",
                f"with every timer run out the game takes about {time.slow_minutes:.0f} "
                f"minutes, more than its duration_minutes ({declared})",
            )
        ]
    if time.fast_minutes < declared * 0.5:
        return [
            Finding(
                "note",
                "playing time",
                f"a prompt table may finish in about {time.fast_minutes:.0f} minutes, well "
                f"under duration_minutes ({declared}): plan what to do with the time left",
            )
        ]
    return []


def _means(result: StyleResult) -> str:
    return ", ".join(f"{name} {result.means[name]:.0f}" for name in SCORE_NAMES)


def _clip(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


# --- Text ----------------------------------------------------------------------------------

HOW_TO_READ = (
    "Bots played the scenario: {games} games with a mixed chair (each decision in a random "
    "leadership style) and {style_games} games per chair style, tables of random size "
    "within players.min..max, seed {seed}. Bots follow their role's agenda and the rules, "
    "not a real table's dynamics: read the findings as questions to look into, not verdicts."
)


def format_report(report: BalanceReport) -> str:
    lines = [
        f"Balance report: {report.title} ({report.scenario_id})",
        HOW_TO_READ.format(games=report.games, style_games=report.style_games, seed=report.seed),
        "",
        "Findings",
    ]
    if report.findings:
        lines += [f"  {f.severity}: [{f.topic}] {f.message}" for f in report.findings]
    else:
        lines.append("  none: nothing stands out")
    lines += ["", f"Final scores ({report.games} games, mixed chair)"]
    for stats in report.scores:
        lines.append(
            f"  {stats.name}: min {stats.min:.1f}  mean {stats.mean:.1f}  max {stats.max:.1f}"
        )
        lines += ["  " + row for row in histogram(stats.values, BINS)]
    lines += ["", "Chair styles (mean final scores)"]
    lines.append(
        f"  {'style':<12}{'games':>6}{'consensus':>11}{'ownership':>11}{'innovation':>12}"
        f"{'card':>7}{'goals':>7}"
    )
    for s in report.styles:
        lines.append(
            f"  {s.style:<12}{s.games:>6}"
            + "".join(
                f"{s.means[n]:>{w}.1f}" for n, w in zip(SCORE_NAMES, (11, 11, 12), strict=True)
            )
            + f"{s.politician_card_rate:>7.0%}{s.goals_met:>7.0%}"
        )
    lines += ["", "The politician card"]
    lines += ["  " + line for line in _card_lines(report)]
    lines += ["", "Secret goals met (mixed chair)"]
    lines += [f"  {role}: {rate:.0%}" for role, rate in report.goals.items()] or ["  (no goals)"]
    lines += ["", "Never chosen"]
    lines += [f"  {u.kind} {u.id}: {_clip(u.title)}" for u in report.never_chosen] or ["  (none)"]
    lines += ["", f"Always chosen (in at least {ALWAYS:.0%} of games)"]
    lines += [
        f"  {u.kind} {u.id}: {_clip(u.title)} ({_use_share(u)})" for u in report.always_chosen
    ] or ["  (none)"]
    lines += ["", "Content use (share of games)"]
    for use in report.content:
        lines.append(f"  {use.kind:<13}{use.id:<28}{_use_share(use)}")
    lines += ["", "Translations"]
    lines += [f"  {p}" for p in report.translations] or ["  (nothing missing)"]
    if report.warnings:
        lines += ["", "Validation warnings"] + [f"  {p}" for p in report.warnings]
    lines += ["", "Playing time"] + ["  " + line for line in _time_lines(report.time)]
    return "\n".join(lines)


def _use_share(use: ContentUse) -> str:
    if use.kind == "idea":
        return f"played {use.chosen:.0%}, in the final proposal {use.adopted or 0:.0%}"
    return f"chosen {use.chosen:.0%}"


def _card_lines(report: BalanceReport) -> list[str]:
    card = report.card
    if card is None:
        return ["no move is a politician card"]
    lines = [f"played in {report.politician_card_rate:.0%} of the mixed-chair games"]
    if card.games_with < MIN_GROUP or card.games_without < MIN_GROUP:
        lines.append(
            f"too few games to compare ({card.games_with} with the card, "
            f"{card.games_without} without)"
        )
        return lines
    lines.append(
        f"chair's goal met: {_pct(card.chair_with)} with the card "
        f"({card.games_with} games), {_pct(card.chair_without)} without ({card.games_without})"
    )
    lines.append(
        f"all goals met: {_pct(card.goals_with)} with the card, {_pct(card.goals_without)} without"
    )
    return lines


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _time_lines(time: TimeEstimate) -> list[str]:
    return [
        f"about {time.fast_minutes:.0f}-{time.slow_minutes:.0f} minutes of play "
        f"(duration_minutes says {time.declared_minutes}), then a debrief of "
        f"{time.debrief_minutes[0]}-{time.debrief_minutes[1]} minutes",
        f"timers add up to {time.timer_minutes:.1f} minutes; reading the case and a brief "
        f"takes about {time.reading_minutes:.1f} (at {READING_WPM} words a minute)",
        f"fast: a prompt table ends each phase when everyone has acted, taken as "
        f"{FAST_SHARE:.0%} of its timer (at least {FAST_FLOOR} s); slow: every timer runs out",
        f"both add {BETWEEN_ROUNDS} s between rounds; the debrief counts "
        f"{DEBRIEF_MINUTES[0]}-{DEBRIEF_MINUTES[1]} minutes per reflection question",
    ]


# --- HTML ----------------------------------------------------------------------------------

CSS = """
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;
max-width:62rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;
border-bottom:2px solid #d8dee4;padding-bottom:.2rem}
.meta{color:#57606a}table{border-collapse:collapse;margin:.5rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #e5e8eb;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.warning{color:#8a4b00}.note{color:#0b5394}ul.findings li{margin:.3rem 0}
.tag{display:inline-block;font-size:.8rem;border-radius:.3rem;padding:0 .4rem;
margin-right:.4rem;border:1px solid currentColor}
.hists{display:flex;flex-wrap:wrap;gap:1.5rem}figure{margin:0}
figcaption{font-weight:600}svg text{font:11px system-ui,sans-serif;fill:#444}
code{background:#f3f4f6;padding:0 .2rem;border-radius:.2rem}
@media print{body{margin:0}h2{break-after:avoid}}
"""


def render_html(report: BalanceReport) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>Balance report: {e(report.title)}'
        f'</title><meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{CSS}</style></head><body>",
        f"<h1>Balance report: {e(report.title)}</h1>",
        f'<p class="meta"><code>{e(report.file)}</code> · scenario <code>'
        f"{e(report.scenario_id)}</code> · texts in {e(report.language)}</p>",
        "<p>"
        + e(
            HOW_TO_READ.format(games=report.games, style_games=report.style_games, seed=report.seed)
        )
        + "</p>",
        "<h2>Findings</h2>",
    ]
    if report.findings:
        parts.append('<ul class="findings">')
        parts += [
            f'<li class="{f.severity}"><span class="tag">{e(f.severity)}: {e(f.topic)}</span>'
            f"{e(f.message)}</li>"
            for f in report.findings
        ]
        parts.append("</ul>")
    else:
        parts.append("<p>Nothing stands out.</p>")
    parts += [f"<h2>Final scores ({report.games} games, mixed chair)</h2>", '<div class="hists">']
    for stats in report.scores:
        caption = f"{stats.name}: min {stats.min:.1f} · mean {stats.mean:.1f} · max {stats.max:.1f}"
        parts.append(
            f"<figure><figcaption>{e(caption)}</figcaption>{svg_histogram(stats)}</figure>"
        )
    parts.append("</div>")
    parts += ["<h2>Chair styles</h2>", _styles_table(report)]
    parts += ["<h2>The politician card</h2>"]
    parts += [f"<p>{e(line)}</p>" for line in _card_lines(report)]
    parts += ["<h2>Secret goals met (mixed chair)</h2>"]
    parts.append(
        _table(
            ["role", "goal met"],
            [[e(role), f"{rate:.0%}"] for role, rate in report.goals.items()],
            numeric={1},
        )
        if report.goals
        else "<p>The scenario has no secret goals.</p>"
    )
    parts += ["<h2>Content never chosen</h2>", _content_table(report.never_chosen)]
    parts += [
        f"<h2>Content always chosen (in at least {ALWAYS:.0%} of games)</h2>",
        _content_table(report.always_chosen),
    ]
    parts += [
        "<h2>All content</h2>",
        "<details><summary>How often each idea, move, event option and framing was chosen"
        "</summary>",
        _content_table(list(report.content)),
        "</details>",
    ]
    parts.append("<h2>Translations</h2>")
    parts.append(_problem_list(report.translations, "Every text is in every language."))
    if report.warnings:
        parts += ["<h2>Validation warnings</h2>", _problem_list(report.warnings, "")]
    parts += ["<h2>Playing time</h2>"]
    parts += [f"<p>{e(line)}</p>" for line in _time_lines(report.time)]
    parts.append(
        _table(
            ["round", "phase", "timer", "prompt table"],
            [
                [e(r.title), e(r.phase), _mmss(r.seconds), _mmss(r.fast_seconds)]
                for r in report.time.rounds
            ],
            numeric={2, 3},
        )
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def svg_histogram(stats: ScoreStats, width: int = 300, height: int = 150) -> str:
    """Bars over 0..100 in BINS bins; counts above the bars, score ticks below."""
    counts = stats.bins
    top = max(counts) or 1
    left, bottom, plot_h = 14, 22, height - 40
    bar_w = (width - 2 * left) / BINS
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(stats.name)} histogram over 0 to 100">'
    ]
    base = height - bottom
    for index, count in enumerate(counts):
        h = plot_h * count / top
        x = left + index * bar_w
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
            f'fill="#4a7ab8"><title>{index * 10}-{index * 10 + 10}: {count}</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{base - h - 3:.1f}" '
                f'text-anchor="middle">{count}</text>'
            )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="#888"/>')
    for tick in range(0, 101, 20):
        x = left + tick / 100 * (width - 2 * left)
        parts.append(f'<text x="{x:.1f}" y="{base + 15}" text-anchor="middle">{tick}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _styles_table(report: BalanceReport) -> str:
    rows = []
    for s in report.styles:
        rows.append(
            [html.escape(s.style), str(s.games)]
            + [f"{s.means[n]:.1f}" for n in SCORE_NAMES]
            + [f"{s.politician_card_rate:.0%}", f"{s.goals_met:.0%}"]
        )
    return _table(
        ["chair style", "games", *SCORE_NAMES, "politician card", "goals met"],
        rows,
        numeric={1, 2, 3, 4, 5, 6},
    )


def _content_table(uses: Sequence[ContentUse]) -> str:
    if not uses:
        return "<p>None.</p>"
    rows = [
        [
            html.escape(u.kind),
            f"<code>{html.escape(u.id)}</code>",
            html.escape(_clip(u.title, 90)),
            f"{u.chosen:.0%}",
            "" if u.adopted is None else f"{u.adopted:.0%}",
        ]
        for u in uses
    ]
    return _table(["kind", "id", "title", "chosen", "in final proposal"], rows, numeric={3, 4})


def _problem_list(problems: Sequence[Problem], empty: str) -> str:
    if not problems:
        return f"<p>{html.escape(empty)}</p>"
    items = "".join(
        f"<li><code>line {p.line}, column {p.column}</code>: {html.escape(p.message)}</li>"
        for p in problems
    )
    return f"<ul>{items}</ul>"


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()

    def cls(index: int) -> str:
        return ' class="n"' if index in numeric else ""

    out = ["<table><thead><tr>"]
    out += [f"<th{cls(i)}>{html.escape(h)}</th>" for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _mmss(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def report_to_dict(report: BalanceReport) -> dict[str, Any]:
    """A JSON-ready form (for scripts and the tests)."""
    return {
        "scenario": report.scenario_id,
        "games": report.games,
        "scores": {
            s.name: {"min": round(s.min, 2), "mean": round(s.mean, 2), "max": round(s.max, 2)}
            for s in report.scores
        },
        "never_chosen": [{"kind": u.kind, "id": u.id} for u in report.never_chosen],
        "always_chosen": [{"kind": u.kind, "id": u.id} for u in report.always_chosen],
        "styles": {s.style: {n: round(s.means[n], 2) for n in SCORE_NAMES} for s in report.styles},
        "findings": [
            {"severity": f.severity, "topic": f.topic, "message": f.message}
            for f in report.findings
        ],
        "translations": [str(p) for p in report.translations],
        "time": {
            "fast_minutes": round(report.time.fast_minutes, 1),
            "slow_minutes": round(report.time.slow_minutes, 1),
            "timer_minutes": round(report.time.timer_minutes, 1),
        },
    }
