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
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
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
    severity: Severity
    topic: str
    message: str


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
    found += _check_findings(report)
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
            result.medians[score] > other.medians[score] + STYLE_MARGIN
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
                    f"(median {_medians(result)}).{extra}",
                )
            )
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
                f"played on a proposal that met objections, the politician card changes "
                f"ownership by {card.card_ownership:+.0f} against revising it "
                f"({card.forks} games); the game needs it to cost {-high:g} to {-low:g}: "
                "tune scoring.politician_card_penalty or the card's effects",
            )
        )
    if card.chair_card - card.chair_revise > CARD_GOAL_GAIN:
        found.append(
            Finding(
                "warning",
                "dominant strategy",
                f"with the politician card the chair's secret goal is met in "
                f"{card.chair_card:.0%} of those games, revising in {card.chair_revise:.0%}: "
                "deciding alone pays off; make sure the debrief shows what it costs",
            )
        )
    if card.overrule_ownership > OVERRULE_COST:
        found.append(
            Finding(
                "warning",
                "politician card",
                f"adopting over the objections without the card changes ownership by only "
                f"{card.overrule_ownership:+.0f} against revising: overruling is nearly free",
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
    return found


def _check_findings(report: BalanceReport) -> list[Finding]:
    """A finding for each of the calibration's figures that misses its target."""
    found = []
    for check in report.checks:
        if check.ok or check.kind not in _CHECK_WORDS:
            continue
        severity, topic, words = _CHECK_WORDS[check.kind]
        name, _, style = check.subject.partition("/")
        found.append(Finding(severity, topic, words.format(name=name, style=style, v=check.value)))
    return found


# What a missed figure means, worded for a trainer: severity, topic, message.
_CHECK_WORDS: dict[str, tuple[Severity, str, str]] = {
    "at_100": (
        "warning",
        "scores",
        f"{{name}} ends at 100 in {{v:.0%}} of games with a {{style}} chair (at most "
        f"{SATURATED:.0%} should): the top of the scale hides differences between tables",
    ),
    "p90": (
        "warning",
        "scores",
        f"with a {{style}} chair a tenth of the games end with {{name}} above {{v:.0f}} (the "
        f"game keeps that at or below {TOP_P90:g}): effects pile up near the top",
    ),
    "median_over_naive": (
        "warning",
        "styles",
        f"a {{style}} chair raises {{name}} by only {{v:+.0f}} over a chair who plays almost "
        f"no moves (median; the game needs +{SEPARATION:g}): the scores hardly show what that "
        "leadership is worth",
    ),
    "ahead_of_naive": (
        "warning",
        "styles",
        f"a {{style}} chair ends above a chair who plays almost no moves on {{name}} in only "
        f"{{v:.0%}} of the same games (the game needs {AHEAD:.0%}): luck decides more than "
        "leadership",
    ),
    "sovereign_lowest": (
        "warning",
        "dominant strategy",
        "a sovereign chair does not end with the least ownership (median, {v:+.0f} below the "
        "next style): the scores do not show what deciding alone costs",
    ),
    "over_sovereign": (
        "warning",
        "dominant strategy",
        "a {style} chair is only {v:+.0f} ahead of a sovereign one on {name} (mean)",
    ),
    "goal_met": (
        "warning",
        "goals",
        f"the secret goal of {{name}} is met in {{v:.0%}} of games with a mixed chair; between "
        f"{GOALS[0]:.0%} and {GOALS[1]:.0%} keeps it within reach but not given away",
    ),
    "naive_median": (
        "note",
        "scores",
        f"with a chair who plays almost no moves the median {{name}} is {{v:.0f}}; "
        f"{MIDDLE[0]:g}-{MIDDLE[1]:g} leaves room to show better and worse leadership",
    ),
    "mixed_vs_naive": (
        "note",
        "scores",
        "a chair of mixed styles ends {v:+.0f} from a chair who plays almost no moves on "
        "{name} (median)",
    ),
    "round_jump": (
        "note",
        "scores",
        f"in the median game with a {{style}} chair {{name}} jumps {{v:.0f}} points in one "
        f"round (more than {JUMP:g}): a chart that lurches is hard to talk about",
    ),
}


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


def _medians(result: StyleResult) -> str:
    return ", ".join(f"{name} {result.medians[name]:.0f}" for name in SCORE_NAMES)


def _clip(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


# --- Text ----------------------------------------------------------------------------------

HOW_TO_READ = (
    "Bots played the scenario: the same {games} games once per chair style (mixed: each "
    "decision in a random leadership style; naive: a chair who plays almost no moves), "
    "tables of random size within players.min..max, seed {seed}; where a chair met "
    "objections, that proposal was also played on with the politician card and adopted "
    "over the objections. Bots follow their role's agenda, a temperament and the rules, not "
    "a real table's dynamics: read the findings as questions to look into, not verdicts."
)


def format_report(report: BalanceReport) -> str:
    lines = [
        f"Balance report: {report.title} ({report.scenario_id})",
        HOW_TO_READ.format(games=report.games, seed=report.seed),
        "",
        "Findings",
    ]
    if report.findings:
        lines += [f"  {f.severity}: [{f.topic}] {f.message}" for f in report.findings]
    else:
        lines.append("  none: nothing stands out")
    lines += ["", f"Final scores ({report.games} games, mixed chair)"]
    for stats in report.scores:
        lines.append(f"  {_score_line(stats)}")
        lines += ["  " + row for row in histogram(stats.values, BINS)]
    lines += ["", "Chair styles (median final scores; the same games for every style)"]
    lines.append(
        f"  {'style':<12}{'games':>6}{'consensus':>11}{'ownership':>11}{'innovation':>12}"
        f"{'card':>7}{'goals':>7}"
    )
    for s in report.styles:
        lines.append(
            f"  {s.style:<12}{s.games:>6}"
            + "".join(
                f"{s.medians[n]:>{w}.1f}" for n, w in zip(SCORE_NAMES, (11, 11, 12), strict=True)
            )
            + f"{s.politician_card_rate:>7.0%}{s.goals_met:>7.0%}"
        )
    lines += ["", "Do the scores teach? (the figures GAME.md asks for)"]
    lines += [f"  {_check_line(c)}" for c in report.checks if c.kind in _HEADLINE_CHECKS]
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


def _score_line(stats: ScoreStats) -> str:
    return (
        f"{stats.name}: mean {stats.mean:.1f}  p10 {stats.percentile(0.1):.1f}  "
        f"median {stats.percentile(0.5):.1f}  p90 {stats.percentile(0.9):.1f}  "
        f"at 100 in {stats.at_100:.0%}"
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


def _check_line(check: Check) -> str:
    mark = "ok  " if check.ok else "MISS"
    return f"{mark} {check.kind} {check.subject}: {check.value:g} (target {check.target})"


def _card_lines(report: BalanceReport) -> list[str]:
    card = report.card
    lines = [f"played in {report.politician_card_rate:.0%} of the mixed-chair games"]
    if card is None or card.forks < MIN_FORKS:
        lines.append(
            f"too few proposals met objections to compare ({card.forks if card else 0} games)"
        )
        return lines
    lines.append(
        f"in {card.forks} games a proposal met objections; played on from there, against "
        f"revising it: the card {card.card_ownership:+.1f} ownership, adopting over the "
        f"objections {card.overrule_ownership:+.1f}"
    )
    lines.append(
        f"chair's goal met: {card.chair_card:.0%} with the card, "
        f"{card.chair_overrule:.0%} adopting over the objections, {card.chair_revise:.0%} revising"
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
        f"takes about {time.reading_minutes:.1f} minutes (at {READING_WPM} words a minute)",
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
        "<p>" + e(HOW_TO_READ.format(games=report.games, seed=report.seed)) + "</p>",
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
        caption = _score_line(stats)
        parts.append(
            f"<figure><figcaption>{e(caption)}</figcaption>{svg_histogram(stats)}</figure>"
        )
    parts.append("</div>")
    parts += ["<h2>Chair styles</h2>", _styles_table(report)]
    parts += ["<h2>Do the scores teach?</h2>", _checks_table(report)]
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
            + [f"{s.medians[n]:.1f}" for n in SCORE_NAMES]
            + [f"{s.politician_card_rate:.0%}", f"{s.goals_met:.0%}"]
        )
    return _table(
        [
            "chair style",
            "games",
            *(f"{n} (median)" for n in SCORE_NAMES),
            "politician card",
            "goals met",
        ],
        rows,
        numeric={1, 2, 3, 4, 5, 6},
    )


def _checks_table(report: BalanceReport) -> str:
    rows = [
        [
            "ok" if c.ok else "<strong>missed</strong>",
            html.escape(c.kind),
            html.escape(c.subject),
            f"{c.value:g}",
            html.escape(c.target),
        ]
        for c in report.checks
    ]
    return _table(["", "figure", "for", "value", "target"], rows, numeric={3})


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
