"""`policymaker scenario check`: what simulated bot games say about a scenario's balance.

Bots play the scenario many times, the same games once per chair leadership style (the
games pair by index, see `app/authoring/calibration.py`), and where a chair meets
objections the same proposal is played on three ways: revised, adopted over them, and
with the politician card. Pure functions turn the runs into a `BalanceReport` (score
spreads, whether the scores tell the styles apart, content nobody or everybody chooses,
what the politician card costs, missing translations, the playing time the timers imply)
and render it as text or as one self-contained HTML page (inline CSS and SVG; no script,
no external files), so a trainer can open it anywhere and mail it to a colleague.

Bots are not people: they show what the rules and numbers *allow*, not how a real table
will play. The report says so, and words its findings as questions to look into.

The report's words are in Danish or English (the authoring catalog, `app.i18n`): the model
keeps them waiting (`Msg`) and the renderers take the reader's language; the case's own
texts (titles, role names) stay in the case language the report was built in. Every figure
says its unit: points (a score, 0-100), a share of games (%), minutes or seconds, games.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ruamel.yaml import YAML

from app.authoring.calibration import (
    AHEAD,
    CARD_COST,
    CARD_GOAL_GAIN,
    GOALS,
    JUMP,
    MIDDLE,
    OPTION_SHARE,
    OVERRULE_COST,
    SATURATED,
    SEPARATION,
    TOP_P90,
    CardEffect,
    Check,
    GameResult,
    Runs,
    card_effect,
    finals,
    play_runs,
    teaching_checks,
)
from app.engine.simulate import AT_100, Stats, histogram
from app.i18n import FALLBACK_LANGUAGE, Msg, gettext, msg, number, tr
from app.scenarios.checks import _texts
from app.scenarios.loader import LoadResult
from app.scenarios.models import LEADERSHIP_STYLES, SCORE_NAMES, Scenario, localize
from app.scenarios.problems import Locator, Problem, format_path

DEFAULT_GAMES = 200
# The chair styles the report plays: the first is the main run its content figures read.
CHECK_STYLES: tuple[str, ...] = ("mixed", "naive", *LEADERSHIP_STYLES)
ALWAYS = 0.95  # "always chosen": in at least this share of games
RARELY = 0.05  # "rarely chosen": in fewer than this share (but some)
STYLE_MARGIN = 1.0  # a dominant style beats every other by more than this, on every score
MIN_FORKS = 5  # proposals met with objections needed before the card is compared
BINS = 10
# Playing time: how fast a table that acts promptly gets through a phase, and the rest.
READING_WPM = 180  # words a minute, reading on a phone or laptop
FAST_SHARE = 0.5  # a prompt table ends a phase when everyone has acted: about half the timer
FAST_FLOOR = 60  # ... but hardly ever in under a minute
BETWEEN_ROUNDS = 30  # seconds to read the new prompt and the score changes
DEBRIEF_MINUTES = (3, 6)  # per reflection question, talking it over

Severity = Literal["warning", "note"]
Topic = Literal[
    "never chosen",
    "rarely chosen",
    "always chosen",
    "dominant strategy",
    "politician card",
    "scores",
    "styles",
    "goals",
    "translations",
    "playing time",
]


# --- The report model -------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreStats(Stats):
    """A score's spread over the main run's games, and its name."""

    name: str = ""

    @property
    def bins(self) -> tuple[int, ...]:
        counts = [0] * BINS
        for value in self.values:
            counts[min(BINS - 1, max(0, int(value * BINS / 100)))] += 1
        return tuple(counts)

    @property
    def at_100(self) -> float:
        return self.share_at_least(AT_100)


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
    medians: dict[str, float]
    at_100: dict[str, float]  # share of games ending at 100, per score
    politician_card_rate: float
    goals_met: float  # mean over the roles' secret goals


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
    """One thing the games show. `severity` and `topic` are stable keys (the JSON's); the
    words wait for the reader's language."""

    severity: Severity
    topic: Topic
    text: Msg

    def message(self, lang: str = FALLBACK_LANGUAGE) -> str:
        return self.text.render(lang)


@dataclass(frozen=True)
class BalanceReport:
    file: str
    scenario_id: str
    title: str
    language: str
    games: int  # per chair style
    seed: int
    scores: tuple[ScoreStats, ...]
    politician_card_rate: float
    goals: dict[str, float]  # role name -> share of games its goal was met
    content: tuple[ContentUse, ...]
    styles: tuple[StyleResult, ...]
    card: CardEffect | None
    checks: tuple[Check, ...]
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
    if use.kind == "event option":
        return use.chosen > OPTION_SHARE  # a dilemma whose option wins this often is none
    return use.chosen >= ALWAYS


# --- Playing games ----------------------------------------------------------------------


def run_all(scenario: Scenario, games: int = DEFAULT_GAMES, seed: int = 1) -> Runs:
    """The same `games` for every chair style in `CHECK_STYLES`, and the card's forks."""
    return play_runs(scenario, games, seed, CHECK_STYLES)


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
    main = runs.styles[CHECK_STYLES[0]]
    report = BalanceReport(
        file=file,
        scenario_id=scenario.id,
        title=localize(scenario.title, lang),
        language=lang,
        games=len(main),
        seed=seed,
        scores=tuple(score_stats(main)),
        politician_card_rate=_share(g.card for g in main),
        goals=goal_rates(scenario, main, lang),
        content=tuple(content_use(scenario, main, lang)),
        styles=tuple(style_result(style, games) for style, games in runs.styles.items()),
        card=card_effect(runs),
        checks=tuple(teaching_checks(runs)),
        translations=tuple(translation_gaps(result, text, file)),
        warnings=tuple(result.warnings),
        time=estimate_time(scenario, lang),
    )
    return replace(report, findings=tuple(findings(scenario, report)))


def score_stats(games: Sequence[GameResult]) -> list[ScoreStats]:
    return [replace(ScoreStats.of(finals(games, name)), name=name) for name in SCORE_NAMES]


def _share(flags: Iterable[bool]) -> float:
    items = list(flags)
    return sum(items) / len(items) if items else 0.0


def goal_rates(scenario: Scenario, games: Sequence[GameResult], lang: str) -> dict[str, float]:
    met: dict[str, list[bool]] = {}
    for game in games:
        for role, ok in game.goals.items():
            met.setdefault(role, []).append(ok)
    return {
        localize(role.name, lang): _share(met[role.id])
        for role in scenario.roles
        if role.goal is not None and role.id in met
    }


def content_use(scenario: Scenario, games: Sequence[GameResult], lang: str) -> list[ContentUse]:
    count = max(1, len(games))
    played: dict[str, int] = {}
    adopted: dict[str, int] = {}
    moves: dict[str, int] = {}
    options: dict[str, int] = {}
    framings: dict[str, int] = {}
    for game in games:
        for card in game.played:
            played[card] = played.get(card, 0) + 1
        for card in game.adopted:
            adopted[card] = adopted.get(card, 0) + 1
        for move in game.moves:
            moves[move] = moves.get(move, 0) + 1
        for option in set(game.options):
            options[option] = options.get(option, 0) + 1
        if game.framing:
            framings[game.framing] = framings.get(game.framing, 0) + 1
    used_events = {r.event for r in scenario.rounds if r.event}
    frame_rounds = any(r.phase == "frame" for r in scenario.rounds)
    uses = [
        ContentUse(
            "idea",
            i.id,
            localize(i.title, lang),
            played.get(i.id, 0) / count,
            adopted.get(i.id, 0) / count,
        )
        for i in scenario.ideas
    ]
    uses += [
        ContentUse("move", m.id, localize(m.title, lang), moves.get(m.id, 0) / count)
        for m in scenario.moves
    ]
    uses += [
        ContentUse(
            "event option",
            o.id,
            f"{localize(e.title, lang)}: {localize(o.title or o.text, lang)}",
            options.get(o.id, 0) / count,
        )
        for e in scenario.events
        if e.id in used_events
        for o in e.options
    ]
    if frame_rounds:
        uses += [
            ContentUse("framing", f.id, localize(f.text, lang), framings.get(f.id, 0) / count)
            for f in scenario.framings
        ]
    return uses


def style_result(style: str, games: Sequence[GameResult]) -> StyleResult:
    stats = score_stats(games)
    goals = [ok for game in games for ok in game.goals.values()]
    return StyleResult(
        style=style,
        games=len(games),
        medians={s.name: s.percentile(0.5) for s in stats},
        at_100={s.name: s.at_100 for s in stats},
        politician_card_rate=_share(g.card for g in games),
        goals_met=_share(goals),
    )


# The loader's errors that say a language is missing, by their msgid (not their words,
# which follow the language the file was loaded in).
_TRANSLATION_ERRORS = (
    "missing language '{lang}' in {where}",
    "{where}: the scenario has the languages {languages}, "
    "so this text needs one entry per language, like {example}",
    "language '{lang}' in {where} is not one of the scenario's languages ({languages})",
)


def translation_gaps(result: LoadResult, text: str, file: str) -> list[Problem]:
    """Texts a language is missing from: the loader's errors, then in a valid file texts
    that are empty in one language or the same in two (copied, not yet translated)."""
    gaps = [p for p in result.errors if p.text.id in _TRANSLATION_ERRORS]
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
                empty = msg("{where}: the '{lang}' text is empty", where=where, lang=language)
                gaps.append(locator.warning((*path, language), empty))
        seen: dict[str, str] = {}
        for language in scenario.languages:
            words = value.get(language, "").strip()
            if len(words.split()) >= 3 and words in seen:
                same = msg(
                    "{where}: the '{lang}' text is the same as the '{other}' text; "
                    "not translated yet?",
                    where=where,
                    lang=language,
                    other=seen[words],
                )
                gaps.append(locator.warning((*path, language), same))
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


# --- The report's words ----------------------------------------------------------------------

# The words of the keys the report model keeps (severities, topics, kinds, scores, styles).
SEVERITY_WORDS: dict[str, Msg] = {"warning": msg("warning"), "note": msg("note")}
TOPIC_WORDS: dict[str, Msg] = {
    "never chosen": msg("never chosen"),
    "rarely chosen": msg("rarely chosen"),
    "always chosen": msg("always chosen"),
    "dominant strategy": msg("dominant strategy"),
    "politician card": msg("politician card"),
    "scores": msg("scores"),
    "styles": msg("leadership styles"),
    "goals": msg("secret goals"),
    "translations": msg("translations"),
    "playing time": msg("playing time"),
}
KIND_WORDS: dict[str, Msg] = {
    "idea": msg("idea"),
    "move": msg("move"),
    "event option": msg("dilemma option"),
    "framing": msg("framing"),
}
SCORE_WORDS: dict[str, Msg] = {
    "consensus": msg("consensus"),
    "ownership": msg("ownership"),
    "innovation": msg("innovation"),
}
STYLE_WORDS: dict[str, Msg] = {
    "mixed": msg("mixed"),
    "naive": msg("naive"),
    "initiator": msg("initiator"),
    "facilitator": msg("facilitator"),
    "catalyst": msg("catalyst"),
    "sovereign": msg("sovereign"),
    "chair": msg("chair"),
}


def _word(words: dict[str, Msg], key: str) -> Msg | str:
    """The words for a key, or the key itself (an id of the case, e.g. a role's)."""
    return words.get(key, key)


def _render(value: Msg | str, lang: str) -> str:
    return value.render(lang) if isinstance(value, Msg) else value


# --- Findings -------------------------------------------------------------------------------


def findings(scenario: Scenario, report: BalanceReport) -> list[Finding]:
    found: list[Finding] = []
    found += _content_findings(report)
    found += _style_findings(report)
    found += _card_findings(report)
    found += _score_findings(report)
    found += _check_findings(scenario, report)
    if report.translations:
        found.append(
            Finding(
                "warning",
                "translations",
                msg(
                    "{n} text(s) are missing or not translated in some language (see Translations)",
                    n=len(report.translations),
                ),
            )
        )
    found += _time_findings(report.time)
    return sorted(found, key=lambda f: f.severity != "warning")


def _never_words(use: ContentUse, games: int) -> Msg:
    title = _clip(use.title)
    if use.kind == "idea":
        return msg(
            "idea '{id}' ({title}) was never played to the table in {games} games",
            id=use.id,
            title=title,
            games=games,
        )
    if use.kind == "move":
        return msg(
            "move '{id}' ({title}) was never played in {games} games",
            id=use.id,
            title=title,
            games=games,
        )
    if use.kind == "event option":
        return msg(
            "dilemma option '{id}' ({title}) was never chosen in {games} games",
            id=use.id,
            title=title,
            games=games,
        )
    return msg(
        "framing '{id}' ({title}) was never the committee's framing in {games} games",
        id=use.id,
        title=title,
        games=games,
    )


def _content_findings(report: BalanceReport) -> list[Finding]:
    found = []
    for use in report.never_chosen:
        severity: Severity = "note" if use.kind == "framing" else "warning"
        found.append(Finding(severity, "never chosen", _never_words(use, report.games)))
    for use in report.content:
        if use.kind in ("idea", "event option") and 0 < use.chosen < RARELY:
            words = (
                msg(
                    "idea '{id}' ({title}) was played in only {share:.1%} of games",
                    id=use.id,
                    title=_clip(use.title),
                    share=use.chosen,
                )
                if use.kind == "idea"
                else msg(
                    "dilemma option '{id}' ({title}) was chosen in only {share:.1%} of games",
                    id=use.id,
                    title=_clip(use.title),
                    share=use.chosen,
                )
            )
            found.append(Finding("note", "rarely chosen", words))
    for use in report.always_chosen:
        if use.kind == "idea":
            words = msg(
                "idea '{id}' is in the final proposal in {share:.0%} of games: is it too "
                "strong, or the budget too loose?",
                id=use.id,
                share=use.adopted or 0,
            )
        elif use.kind == "move":
            continue  # one note for all of them, below
        elif use.kind == "event option":
            words = msg(
                "dilemma option '{id}' is chosen in {share:.0%} of games: is it a real "
                "dilemma when one option always wins?",
                id=use.id,
                share=use.chosen,
            )
        else:
            words = msg(
                "framing '{id}' is the committee's framing in {share:.0%} of games: is it a "
                "real choice?",
                id=use.id,
                share=use.chosen,
            )
        found.append(Finding("warning", "always chosen", words))
    moves = [use.id for use in report.always_chosen if use.kind == "move"]
    if moves:
        # Bots play a move whenever the rules allow it, so this is only worth a look.
        found.append(
            Finding(
                "note",
                "always chosen",
                msg(
                    "moves played in at least {share:.0%} of games: {moves}; bots play any "
                    "move they may, so check only that none is a free win",
                    share=ALWAYS,
                    moves=", ".join(moves),
                ),
            )
        )
    return found


def _style_findings(report: BalanceReport) -> list[Finding]:
    styles = {s.style: s for s in report.styles if s.style in LEADERSHIP_STYLES and s.games}
    found = []
    for style, result in styles.items():
        others = [o for name, o in styles.items() if name != style]
        if others and all(
            result.medians[score] > other.medians[score] + STYLE_MARGIN
            for other in others
            for score in SCORE_NAMES
        ):
            words = (
                msg(
                    "a sovereign chair beats every other chair style on all three scores "
                    "(median points: {medians}): deciding alone pays on every score, which "
                    "the game is meant to question",
                    medians=_medians(result),
                )
                if style == "sovereign"
                else msg(
                    "a {style} chair beats every other chair style on all three scores "
                    "(median points: {medians})",
                    style=_word(STYLE_WORDS, style),
                    medians=_medians(result),
                )
            )
            found.append(Finding("warning", "dominant strategy", words))
    return found


def _card_findings(report: BalanceReport) -> list[Finding]:
    card = report.card
    if card is None or card.forks < MIN_FORKS:
        return []
    found = []
    low, high = CARD_COST
    if not low <= card.card_ownership <= high:
        found.append(
            Finding(
                "warning",
                "politician card",
                msg(
                    "played on a proposal that met objections, the politician card changes "
                    "ownership by {change:+.0f} points against revising it ({forks} games); "
                    "the game needs it to cost {least:g} to {most:g} points: tune "
                    "scoring.politician_card_penalty or the card's effects",
                    change=card.card_ownership,
                    forks=card.forks,
                    least=-high,
                    most=-low,
                ),
            )
        )
    if card.chair_card - card.chair_revise > CARD_GOAL_GAIN:
        found.append(
            Finding(
                "warning",
                "dominant strategy",
                msg(
                    "with the politician card the chair's secret goal is met in {card:.0%} "
                    "of those games, revising in {revise:.0%}: deciding alone pays off; make "
                    "sure the debrief shows what it costs",
                    card=card.chair_card,
                    revise=card.chair_revise,
                ),
            )
        )
    if card.overrule_ownership > OVERRULE_COST:
        found.append(
            Finding(
                "warning",
                "politician card",
                msg(
                    "adopting over the objections without the card changes ownership by only "
                    "{change:+.0f} points against revising: overruling is nearly free",
                    change=card.overrule_ownership,
                ),
            )
        )
    return found


def _score_findings(report: BalanceReport) -> list[Finding]:
    found = []
    for stats in report.scores:
        score = _word(SCORE_WORDS, stats.name)
        if not stats.values:
            found.append(
                Finding("warning", "scores", msg("{score} never had a value", score=score))
            )
        elif stats.max - stats.min < 10:
            found.append(
                Finding(
                    "note",
                    "scores",
                    msg(
                        "{score} hardly varies ({low:.0f}-{high:.0f} points): the players' "
                        "choices barely change it",
                        score=score,
                        low=stats.min,
                        high=stats.max,
                    ),
                )
            )
    return found


def _check_findings(scenario: Scenario, report: BalanceReport) -> list[Finding]:
    """A finding for each of the calibration's figures that misses its target."""
    roles = {role.id: localize(role.name, report.language) for role in scenario.roles}
    found = []
    for check in report.checks:
        if check.ok:
            continue
        missed = _missed(check, roles)
        if missed is not None:
            found.append(Finding(*missed))
    return found


def _missed(check: Check, roles: dict[str, str]) -> tuple[Severity, Topic, Msg] | None:
    """What a missed figure means, worded for a trainer: severity, topic, words. `roles`:
    a role's name by its id."""
    name, _, style_key = check.subject.partition("/")
    score, style, v = _word(SCORE_WORDS, name), _word(STYLE_WORDS, style_key), check.value
    kind = check.kind
    if kind == "at_100":
        return (
            "warning",
            "scores",
            msg(
                "{score} ends at 100 in {share:.0%} of games with a {style} chair (at most "
                "{limit:.0%} should): the top of the scale hides differences between tables",
                score=score,
                share=v,
                style=style,
                limit=SATURATED,
            ),
        )
    if kind == "p90":
        return (
            "warning",
            "scores",
            msg(
                "with a {style} chair a tenth of the games end with {score} above {value:.0f} "
                "points (the game keeps that at or below {limit:g}): effects pile up near "
                "the top",
                style=style,
                score=score,
                value=v,
                limit=TOP_P90,
            ),
        )
    if kind == "median_over_naive":
        return (
            "warning",
            "styles",
            msg(
                "a {style} chair raises {score} by only {change:+.0f} points over a chair "
                "who plays almost no moves (median; the game needs +{limit:g}): the scores "
                "hardly show what that leadership is worth",
                style=style,
                score=score,
                change=v,
                limit=SEPARATION,
            ),
        )
    if kind == "ahead_of_naive":
        return (
            "warning",
            "styles",
            msg(
                "a {style} chair ends above a chair who plays almost no moves on {score} in "
                "only {share:.0%} of the same games (the game needs {limit:.0%}): luck "
                "decides more than leadership",
                style=style,
                score=score,
                share=v,
                limit=AHEAD,
            ),
        )
    if kind == "sovereign_lowest":
        return (
            "warning",
            "dominant strategy",
            msg(
                "a sovereign chair does not end with the least ownership (median, "
                "{change:+.0f} points below the next style): the scores do not show what "
                "deciding alone costs",
                change=v,
            ),
        )
    if kind == "over_sovereign":
        return (
            "warning",
            "dominant strategy",
            msg(
                "a {style} chair is only {change:+.0f} points ahead of a sovereign one on "
                "{score} (mean)",
                style=style,
                change=v,
                score=score,
            ),
        )
    if kind == "goal_met":
        return (
            "warning",
            "goals",
            msg(
                "the secret goal of {role} is met in {share:.0%} of games with a mixed chair; "
                "between {low:.0%} and {high:.0%} keeps it within reach but not given away",
                role=roles.get(name, name),
                share=v,
                low=GOALS[0],
                high=GOALS[1],
            ),
        )
    if kind == "naive_median":
        return (
            "note",
            "scores",
            msg(
                "with a chair who plays almost no moves the median {score} is {value:.0f} "
                "points; {low:g}-{high:g} points leave room to show better and worse "
                "leadership",
                score=score,
                value=v,
                low=MIDDLE[0],
                high=MIDDLE[1],
            ),
        )
    if kind == "mixed_vs_naive":
        return (
            "note",
            "scores",
            msg(
                "a chair of mixed styles ends {change:+.0f} points from a chair who plays "
                "almost no moves on {score} (median)",
                change=v,
                score=score,
            ),
        )
    if kind == "round_jump":
        return (
            "note",
            "scores",
            msg(
                "in the median game with a {style} chair {score} jumps {value:.0f} points in "
                "one round (more than {limit:g}): a chart that lurches is hard to talk about",
                style=style,
                score=score,
                value=v,
                limit=JUMP,
            ),
        )
    return None  # the card's and the options' figures have findings of their own


def _time_findings(time: TimeEstimate) -> list[Finding]:
    declared = time.declared_minutes
    if time.slow_minutes > declared * 1.15:
        return [
            Finding(
                "warning",
                "playing time",
                msg(
                    "with every timer run out the game takes about {minutes:.0f} minutes, "
                    "more than its duration_minutes ({declared} minutes)",
                    minutes=time.slow_minutes,
                    declared=declared,
                ),
            )
        ]
    if time.fast_minutes < declared * 0.5:
        return [
            Finding(
                "note",
                "playing time",
                msg(
                    "a prompt table may finish in about {minutes:.0f} minutes, well under "
                    "duration_minutes ({declared} minutes): plan what to do with the time left",
                    minutes=time.fast_minutes,
                    declared=declared,
                ),
            )
        ]
    return []


def _medians(result: StyleResult) -> Msg:
    return msg(
        "consensus {consensus:.0f}, ownership {ownership:.0f}, innovation {innovation:.0f}",
        **result.medians,
    )


def _clip(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


# --- Figures and their units -------------------------------------------------------------------

# What each of the calibration's figures counts: a share of games, a difference of two
# shares, a change of a score, or a score's level (points, 0-100).
_SHARES = frozenset({"at_100", "ahead_of_naive", "goal_met", "option_chosen"})
_SHARE_GAINS = frozenset({"card_goal_gain"})
_CHANGES = frozenset(
    {
        "median_over_naive",
        "sovereign_lowest",
        "over_sovereign",
        "card_cost",
        "overrule_cost",
        "mixed_vs_naive",
    }
)


def _figure(kind: str, value: float, lang: str) -> str:
    if kind in _SHARES:
        return tr(lang, "{share:.0%} of games", share=value)
    if kind in _SHARE_GAINS:
        return tr(lang, "{n:+.0f} percentage points", n=value * 100)
    if kind in _CHANGES:
        return tr(lang, "{n:+.1f} points", n=value)
    return tr(lang, "{n:.1f} points", n=value)


def _target(check: Check, lang: str) -> str:
    if check.low is None and check.high is None:
        return check.target
    if check.low is not None and check.high is not None:
        return tr(
            lang,
            "{low} to {high}",
            low=_figure(check.kind, check.low, lang),
            high=_figure(check.kind, check.high, lang),
        )
    if check.low is not None:
        return tr(lang, "at least {low}", low=_figure(check.kind, check.low, lang))
    assert check.high is not None
    return tr(lang, "at most {high}", high=_figure(check.kind, check.high, lang))


CHECK_LABELS: dict[str, Msg] = {
    "at_100": msg("games ending at 100"),
    "p90": msg("90th percentile"),
    "median_over_naive": msg("median above a chair who plays almost no moves"),
    "ahead_of_naive": msg("games ending above a chair who plays almost no moves"),
    "sovereign_lowest": msg("a sovereign chair's ownership below the next style's (median)"),
    "over_sovereign": msg("ahead of a sovereign chair (mean)"),
    "card_cost": msg("ownership with the politician card, against revising"),
    "overrule_cost": msg("ownership adopting over objections, against revising"),
    "card_goal_gain": msg("the chair's secret goal with the politician card, against revising"),
    "goal_met": msg("secret goal met"),
    "option_chosen": msg("dilemma option chosen"),
    "naive_median": msg("median with a chair who plays almost no moves"),
    "mixed_vs_naive": msg("a mixed chair's median against one who plays almost no moves"),
    "round_jump": msg("largest change in one round (median game)"),
}


def _check_subject(
    check: Check, lang: str, word: Callable[[str], str] = str, id_: Callable[[str], str] = str
) -> str:
    """What a figure is about (a score, a style, a role or option id), each part written
    with `word` if it is one of the report's words, else with `id_`."""
    words = {**SCORE_WORDS, **STYLE_WORDS}
    return ", ".join(
        word(words[part].render(lang)) if part in words else id_(part)
        for part in check.subject.split("/")
    )


def _check_parts(check: Check, lang: str) -> tuple[str, str, str, str]:
    """label, subject, value and target of a figure, in words and units."""
    label = _render(_word(CHECK_LABELS, check.kind), lang)
    return (
        label,
        _check_subject(check, lang),
        _figure(check.kind, check.value, lang),
        _target(check, lang),
    )


# --- Text ----------------------------------------------------------------------------------


def _how_to_read(report: BalanceReport, lang: str) -> str:
    return tr(
        lang,
        "Bots played the scenario: the same {games} games once per chair style (mixed: each "
        "decision in a random leadership style; naive: a chair who plays almost no moves), "
        "tables of random size within players.min..max, seed {seed}; where a chair met "
        "objections, that proposal was also played on with the politician card and adopted "
        "over the objections. Bots follow their role's agenda, a temperament and the rules, "
        "not a real table's dynamics: read the findings as questions to look into, not "
        "verdicts. Scores are points from 0 to 100.",
        games=report.games,
        seed=report.seed,
    )


def _columns(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> list[str]:
    """A plain-text table: each column as wide as its widest cell, numbers to the right."""
    widths = [max(len(cell) for cell in column) for column in zip(head, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(head), *(line(row) for row in rows)]


def format_report(report: BalanceReport, lang: str = FALLBACK_LANGUAGE) -> str:
    """The report as `policymaker scenario check` prints it, in `lang` (da or en)."""
    lines = [
        tr(lang, "Balance report: {title} ({id})", title=report.title, id=report.scenario_id),
        _how_to_read(report, lang),
        "",
        tr(lang, "Findings"),
    ]
    if report.findings:
        lines += [
            f"  {SEVERITY_WORDS[f.severity].render(lang)}: "
            f"[{TOPIC_WORDS[f.topic].render(lang)}] {f.message(lang)}"
            for f in report.findings
        ]
    else:
        lines.append("  " + tr(lang, "nothing stands out"))
    lines += [
        "",
        tr(
            lang,
            "Final scores ({games} games, mixed chair; bars: games per 10 points)",
            games=report.games,
        ),
    ]
    for stats in report.scores:
        lines.append(f"  {_score_line(stats, lang)}")
        lines += ["  " + row for row in histogram(stats.values, BINS)]
    lines += [
        "",
        tr(lang, "Chair styles (the same games for every style)"),
        "  "
        + tr(
            lang,
            "scores: the median in points; card: share of games in which the chair played "
            "the politician card; goals: share of the roles' secret goals met",
        ),
    ]
    head = [
        tr(lang, "style"),
        tr(lang, "games"),
        *(SCORE_WORDS[n].render(lang) for n in SCORE_NAMES),
        tr(lang, "card"),
        tr(lang, "goals"),
    ]
    rows = [
        [_render(_word(STYLE_WORDS, s.style), lang), str(s.games)]
        + [number(lang, s.medians[n], ".1f") for n in SCORE_NAMES]
        + [number(lang, s.politician_card_rate, ".0%"), number(lang, s.goals_met, ".0%")]
        for s in report.styles
    ]
    lines += ["  " + row for row in _columns(head, rows, {1, 2, 3, 4, 5, 6})]
    lines += ["", tr(lang, "Do the scores teach? (the figures GAME.md asks for)")]
    lines += [f"  {_check_line(c, lang)}" for c in report.checks if c.kind in _HEADLINE_CHECKS]
    lines += ["", tr(lang, "The politician card")]
    lines += ["  " + line for line in _card_lines(report, lang)]
    lines += ["", tr(lang, "Secret goals met (share of games, mixed chair)")]
    lines += [f"  {role}: {number(lang, rate, '.0%')}" for role, rate in report.goals.items()] or [
        "  " + tr(lang, "(no secret goals)")
    ]
    none = "  " + tr(lang, "(none)")
    lines += ["", tr(lang, "Never chosen")]
    lines += [f"  {_use_line(u, lang)}" for u in report.never_chosen] or [none]
    lines += ["", tr(lang, "Always chosen (in at least {share:.0%} of games)", share=ALWAYS)]
    lines += [f"  {_use_line(u, lang)} ({_use_share(u, lang)})" for u in report.always_chosen] or [
        none
    ]
    lines += ["", tr(lang, "Content use")]
    uses = [[KIND_WORDS[u.kind].render(lang), u.id, _use_share(u, lang)] for u in report.content]
    lines += ["  " + row for row in _columns(["", "", ""], uses, set())[1:]]
    lines += ["", tr(lang, "Translations")]
    lines += [f"  {p.in_language(lang)}" for p in report.translations] or [
        "  " + tr(lang, "(nothing missing)")
    ]
    if report.warnings:
        lines += ["", tr(lang, "Validation warnings")]
        lines += [f"  {p.in_language(lang)}" for p in report.warnings]
    lines += ["", tr(lang, "Playing time")]
    lines += ["  " + line for line in _time_lines(report.time, lang)]
    return "\n".join(lines)


def _use_line(use: ContentUse, lang: str) -> str:
    return f"{KIND_WORDS[use.kind].render(lang)} {use.id}: {_clip(use.title)}"


def _use_share(use: ContentUse, lang: str) -> str:
    if use.kind == "idea":
        return tr(
            lang,
            "played in {played:.0%} of games, in the final proposal in {adopted:.0%}",
            played=use.chosen,
            adopted=use.adopted or 0,
        )
    return tr(lang, "chosen in {share:.0%} of games", share=use.chosen)


def _score_line(stats: ScoreStats, lang: str) -> str:
    return tr(
        lang,
        "{score} (points): mean {mean:.1f}, p10 {p10:.1f}, median {median:.1f}, "
        "p90 {p90:.1f}; at 100 in {at_100:.0%} of games",
        score=_word(SCORE_WORDS, stats.name),
        mean=stats.mean,
        p10=stats.percentile(0.1),
        median=stats.percentile(0.5),
        p90=stats.percentile(0.9),
        at_100=stats.at_100,
    )


# The figures shown in the report's summary (all of them feed the findings).
_HEADLINE_CHECKS = (
    "median_over_naive",
    "ahead_of_naive",
    "sovereign_lowest",
    "card_cost",
    "overrule_cost",
    "card_goal_gain",
)


def _check_line(check: Check, lang: str) -> str:
    mark = tr(lang, "ok") if check.ok else tr(lang, "MISSED")
    label, subject, value, target = _check_parts(check, lang)
    return tr(
        lang,
        "{mark}: {label} ({subject}): {value} (target: {target})",
        mark=mark,
        label=label,
        subject=subject,
        value=value,
        target=target,
    )


def _card_lines(report: BalanceReport, lang: str) -> list[str]:
    card = report.card
    lines = [
        tr(
            lang,
            "played in {share:.0%} of the games with a mixed chair",
            share=report.politician_card_rate,
        )
    ]
    if card is None or card.forks < MIN_FORKS:
        lines.append(
            tr(
                lang,
                "too few proposals met objections to compare ({forks} games)",
                forks=card.forks if card else 0,
            )
        )
        return lines
    lines.append(
        tr(
            lang,
            "in {forks} games a proposal met objections; played on from there, against "
            "revising it, ownership changes by {card:+.1f} points with the politician card "
            "and by {overrule:+.1f} points adopting over the objections",
            forks=card.forks,
            card=card.card_ownership,
            overrule=card.overrule_ownership,
        )
    )
    lines.append(
        tr(
            lang,
            "the chair's secret goal is met in {card:.0%} of those games with the politician "
            "card, {overrule:.0%} adopting over the objections, {revise:.0%} revising",
            card=card.chair_card,
            overrule=card.chair_overrule,
            revise=card.chair_revise,
        )
    )
    return lines


def _time_lines(time: TimeEstimate, lang: str) -> list[str]:
    return [
        tr(
            lang,
            "about {fast:.0f}-{slow:.0f} minutes of play (duration_minutes, the playing time "
            "without the debrief, says {declared} minutes), then a debrief of {low}-{high} "
            "minutes",
            fast=time.fast_minutes,
            slow=time.slow_minutes,
            declared=time.declared_minutes,
            low=time.debrief_minutes[0],
            high=time.debrief_minutes[1],
        ),
        tr(
            lang,
            "the round timers add up to {timers:.1f} minutes; reading the case and a brief "
            "takes about {reading:.1f} minutes (at {wpm} words a minute)",
            timers=time.timer_minutes,
            reading=time.reading_minutes,
            wpm=READING_WPM,
        ),
        tr(
            lang,
            "fast: a prompt table ends each phase when everyone has acted, taken as "
            "{share:.0%} of its timer (at least {floor} seconds); slow: every timer runs out",
            share=FAST_SHARE,
            floor=FAST_FLOOR,
        ),
        tr(
            lang,
            "both add {seconds} seconds between rounds; the debrief counts {low}-{high} "
            "minutes per reflection question",
            seconds=BETWEEN_ROUNDS,
            low=DEBRIEF_MINUTES[0],
            high=DEBRIEF_MINUTES[1],
        ),
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


def render_html(report: BalanceReport, lang: str = FALLBACK_LANGUAGE) -> str:
    """The report as one self-contained page in `lang` (da or en); the case's texts keep
    the case language the report was built in, marked as such for screen readers."""
    e = html.escape
    title = tr(lang, "Balance report: {title}", title=report.title)
    case = e(report.language)
    case_title = f'<span lang="{case}">{e(report.title)}</span>'
    scenario_id = f"<code>{e(report.scenario_id)}</code>"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}"><head><meta charset="utf-8"><title>{e(title)}</title>'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{CSS}</style></head><body>",
        "<h1>" + _html(msg("Balance report: {title}", title=case_title), lang) + "</h1>",
        f'<p class="meta"><code>{e(report.file)}</code> · '
        + _html(msg("scenario {id}", id=scenario_id), lang)
        + " · "
        + e(tr(lang, "the case's texts in {language}", language=report.language))
        + "</p>",
        "<p>" + e(_how_to_read(report, lang)) + "</p>",
        _element("h2", tr(lang, "Findings")),
    ]
    if report.findings:
        parts.append('<ul class="findings">')
        parts += [
            f'<li class="{f.severity}"><span class="tag">'
            f"{e(SEVERITY_WORDS[f.severity].render(lang))}: "
            f"{e(TOPIC_WORDS[f.topic].render(lang))}</span>{e(f.message(lang))}</li>"
            for f in report.findings
        ]
        parts.append("</ul>")
    else:
        parts.append(_element("p", tr(lang, "Nothing stands out.")))
    heading = tr(
        lang,
        "Final scores ({games} games, mixed chair; bars: games per 10 points)",
        games=report.games,
    )
    parts += [f"<h2>{e(heading)}</h2>", '<div class="hists">']
    for stats in report.scores:
        caption = _score_line(stats, lang)
        parts.append(
            f"<figure><figcaption>{e(caption)}</figcaption>"
            f"{svg_histogram(stats, lang=lang)}</figure>"
        )
    parts.append("</div>")
    parts += [
        _element("h2", tr(lang, "Chair styles (the same games for every style)")),
        _styles_table(report, lang),
    ]
    parts += [
        _element("h2", tr(lang, "Do the scores teach? (the figures GAME.md asks for)")),
        _checks_table(report, lang),
    ]
    parts += [_element("h2", tr(lang, "The politician card"))]
    parts += [f"<p>{e(line)}</p>" for line in _card_lines(report, lang)]
    parts += [_element("h2", tr(lang, "Secret goals met (share of games, mixed chair)"))]
    parts.append(
        _table(
            [tr(lang, "role"), tr(lang, "secret goal met (share of games)")],
            [
                [f'<span lang="{case}">{e(role)}</span>', f"{rate:.0%}"]
                for role, rate in report.goals.items()
            ],
            numeric={1},
        )
        if report.goals
        else _element("p", tr(lang, "The scenario has no secret goals."))
    )
    always = tr(lang, "Always chosen (in at least {share:.0%} of games)", share=ALWAYS)
    parts += [
        _element("h2", tr(lang, "Never chosen")),
        _content_table(report.never_chosen, report.language, lang),
        f"<h2>{e(always)}</h2>",
        _content_table(report.always_chosen, report.language, lang),
    ]
    summary = tr(lang, "How often each idea, move, dilemma option and framing was chosen")
    parts += [
        _element("h2", tr(lang, "Content use")),
        f"<details><summary>{e(summary)}</summary>",
        _content_table(list(report.content), report.language, lang),
        "</details>",
    ]
    parts.append(_element("h2", tr(lang, "Translations")))
    parts.append(
        _problem_list(report.translations, tr(lang, "Every text is in every language."), lang)
    )
    if report.warnings:
        parts += [
            _element("h2", tr(lang, "Validation warnings")),
            _problem_list(report.warnings, "", lang),
        ]
    parts += [_element("h2", tr(lang, "Playing time"))]
    parts += [f"<p>{e(line)}</p>" for line in _time_lines(report.time, lang)]
    parts.append(
        _table(
            [
                tr(lang, "round"),
                tr(lang, "phase"),
                tr(lang, "timer (min:s)"),
                tr(lang, "prompt table (min:s)"),
            ],
            [
                [
                    f'<span lang="{case}">{e(r.title)}</span>',
                    f"<code>{e(r.phase)}</code>",
                    _mmss(r.seconds),
                    _mmss(r.fast_seconds),
                ]
                for r in report.time.rounds
            ],
            numeric={2, 3},
        )
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _element(tag: str, text: str) -> str:
    """`text` as the content of one HTML element."""
    return f"<{tag}>{html.escape(text)}</{tag}>"


def _html(message: Msg, lang: str) -> str:
    """A catalog text as HTML: its words escaped, its values given as HTML already."""
    return html.escape(gettext(lang, message.id)).format(**dict(message.params))


def svg_histogram(
    stats: ScoreStats, width: int = 300, height: int = 150, lang: str = FALLBACK_LANGUAGE
) -> str:
    """Bars over 0..100 points in BINS bins; counts (games) above the bars, ticks below."""
    counts = stats.bins
    top = max(counts) or 1
    left, bottom, plot_h = 14, 22, height - 40
    bar_w = (width - 2 * left) / BINS
    label = tr(
        lang,
        "{score}: games per 10 points, from 0 to 100 points",
        score=_word(SCORE_WORDS, stats.name),
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(label)}">'
    ]
    base = height - bottom
    size = 100 // BINS
    for index, count in enumerate(counts):
        h = plot_h * count / top
        x = left + index * bar_w
        bar = tr(
            lang,
            "{low}-{high} points: {count} games",
            low=index * size,
            high=(index + 1) * size,
            count=count,
        )
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
            f'fill="#4a7ab8"><title>{html.escape(bar)}</title></rect>'
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


def _styles_table(report: BalanceReport, lang: str) -> str:
    rows = [
        [html.escape(_render(_word(STYLE_WORDS, s.style), lang)), str(s.games)]
        + [number(lang, s.medians[n], ".1f") for n in SCORE_NAMES]
        + [number(lang, s.politician_card_rate, ".0%"), number(lang, s.goals_met, ".0%")]
        for s in report.styles
    ]
    return _table(
        [
            tr(lang, "chair style"),
            tr(lang, "games"),
            *(tr(lang, "{score} (median, points)", score=SCORE_WORDS[n]) for n in SCORE_NAMES),
            tr(lang, "politician card (share of games)"),
            tr(lang, "secret goals met (share)"),
        ],
        rows,
        numeric={1, 2, 3, 4, 5, 6},
    )


def _checks_table(report: BalanceReport, lang: str) -> str:
    rows = []
    for check in report.checks:
        mark = tr(lang, "ok") if check.ok else _element("strong", tr(lang, "missed"))
        label, _, value, target = (html.escape(part) for part in _check_parts(check, lang))
        subject = _check_subject(check, lang, html.escape, lambda id_: _element("code", id_))
        rows.append([mark, label, subject, value, target])
    head = ["", tr(lang, "figure"), tr(lang, "for"), tr(lang, "value"), tr(lang, "target")]
    return _table(head, rows, numeric={3})


def _content_table(uses: Sequence[ContentUse], case: str, lang: str) -> str:
    if not uses:
        return _element("p", tr(lang, "None."))
    rows = [
        [
            html.escape(KIND_WORDS[u.kind].render(lang)),
            f"<code>{html.escape(u.id)}</code>",
            f'<span lang="{html.escape(case)}">{html.escape(_clip(u.title, 90))}</span>',
            f"{u.chosen:.0%}",
            "" if u.adopted is None else f"{u.adopted:.0%}",
        ]
        for u in uses
    ]
    head = [
        tr(lang, "kind"),
        tr(lang, "id"),
        tr(lang, "title"),
        tr(lang, "chosen (share of games)"),
        tr(lang, "in the final proposal (share of games)"),
    ]
    return _table(head, rows, numeric={3, 4})


def _problem_list(problems: Sequence[Problem], empty: str, lang: str) -> str:
    if not problems:
        return f"<p>{html.escape(empty)}</p>"
    items = "".join(
        "<li><code>"
        + html.escape(tr(lang, "line {line}, column {column}", line=p.line, column=p.column))
        + f"</code>: {html.escape(p.in_language(lang).message)}</li>"
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


def report_to_dict(report: BalanceReport, lang: str = FALLBACK_LANGUAGE) -> dict[str, Any]:
    """A JSON-ready form (for scripts and the tests); the findings' words in `lang`."""
    return {
        "scenario": report.scenario_id,
        "games": report.games,
        "scores": {s.name: s.to_dict() for s in report.scores},
        "never_chosen": [{"kind": u.kind, "id": u.id} for u in report.never_chosen],
        "always_chosen": [{"kind": u.kind, "id": u.id} for u in report.always_chosen],
        "styles": {
            s.style: {n: round(s.medians[n], 2) for n in SCORE_NAMES} for s in report.styles
        },
        "checks": [
            {"kind": c.kind, "subject": c.subject, "value": c.value, "target": c.target, "ok": c.ok}
            for c in report.checks
        ],
        "findings": [
            {"severity": f.severity, "topic": f.topic, "message": f.message(lang)}
            for f in report.findings
        ],
        "translations": [str(p.in_language(lang)) for p in report.translations],
        "time": {
            "fast_minutes": round(report.time.fast_minutes, 1),
            "slow_minutes": round(report.time.slow_minutes, 1),
            "timer_minutes": round(report.time.timer_minutes, 1),
        },
    }
