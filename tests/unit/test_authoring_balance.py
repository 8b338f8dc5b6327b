"""`policymaker scenario check`: the balance report from simulated games, text and HTML."""

from __future__ import annotations

import html
import io
import json
import re
import typing
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from app.authoring.balance import (
    CHECK_STYLES,
    BalanceReport,
    CardEffect,
    ContentUse,
    StyleResult,
    Topic,
    build_report,
    estimate_time,
    findings,
    format_report,
    render_html,
    run_all,
    translation_gaps,
)
from app.authoring.calibration import Check, Runs
from app.cli import app
from app.engine.simulate import simulate
from app.i18n import catalog_strings
from app.scenarios import load_scenario_text
from app.scenarios.loader import LoadResult
from app.scenarios.models import Scenario
from app.scenarios.starter import starter_text
from app.settings import REPO_ROOT
from tests.english import english_fragments

runner = CliRunner()
SCHOOL = REPO_ROOT / "game_content" / "scenarios" / "school-committee.yaml"


@cache
def starter(languages: tuple[str, ...] = ("da", "en")) -> tuple[str, LoadResult, Scenario]:
    text = starter_text("library-case", list(languages))
    result = load_scenario_text(text, "library-case.yaml")
    assert result.scenario is not None
    return text, result, result.scenario


@cache
def starter_report() -> BalanceReport:
    text, result, scenario = starter()
    return build_report(
        scenario, run_all(scenario, 40, seed=2), result, text, "library-case.yaml", 2
    )


def test_the_games_are_the_games_simulate_plays() -> None:
    _, _, scenario = starter()

    runs = run_all(scenario, 25, seed=4)

    for style in ("mixed", "naive"):
        finals = [g.scores for g in runs.styles[style]]
        assert finals == simulate(scenario, 25, seed=4, chair_style=style).finals


def test_the_report_covers_every_score_style_and_piece_of_content() -> None:
    report = starter_report()
    _, _, scenario = starter()

    assert report.games == 40
    assert [s.name for s in report.scores] == ["consensus", "ownership", "innovation"]
    assert all(len(s.values) == 40 and s.min <= s.mean <= s.max for s in report.scores)
    assert all(sum(s.bins) == 40 for s in report.scores)
    assert [s.style for s in report.styles] == list(CHECK_STYLES)
    assert all(s.games == 40 for s in report.styles)  # the same games for every style
    ids = {(u.kind, u.id) for u in report.content}
    assert {("idea", i.id) for i in scenario.ideas} <= ids
    assert {("move", m.id) for m in scenario.moves} <= ids
    assert {("event option", o.id) for e in scenario.events for o in e.options} <= ids
    assert {("framing", f.id) for f in scenario.framings} <= ids
    assert all(0 <= u.chosen <= 1 for u in report.content)
    assert report.card is not None and report.card.forks > 0
    assert {c.kind for c in report.checks} >= {"median_over_naive", "card_cost", "at_100"}
    assert report.translations == ()


def test_a_sovereign_chair_plays_the_card_and_the_others_never_do() -> None:
    styles = {s.style: s for s in starter_report().styles}

    assert styles["sovereign"].politician_card_rate > 0.5
    assert styles["facilitator"].politician_card_rate == 0
    assert styles["naive"].politician_card_rate == 0
    assert styles["facilitator"].medians["ownership"] > styles["sovereign"].medians["ownership"]


def use(kind: str, id_: str, chosen: float, adopted: float | None = None) -> ContentUse:
    return ContentUse(kind, id_, id_.title(), chosen, adopted)  # type: ignore[arg-type]


def with_content(*uses: ContentUse) -> BalanceReport:
    return replace(starter_report(), content=tuple(uses), findings=())


def topics(report: BalanceReport) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in findings(starter()[2], report):
        out.setdefault(finding.topic, []).append(finding.message("en"))
    return out


def test_never_and_always_chosen_content_is_found() -> None:
    report = with_content(
        use("idea", "dead-idea", 0.0, 0.0),
        use("idea", "sure-thing", 1.0, 0.97),
        use("idea", "popular", 1.0, 0.5),
        use("event option", "nobody", 0.0),
        use("event option", "everybody", 0.99),
        use("move", "free-win", 1.0),
        use("framing", "obvious", 0.96),
    )

    found = topics(report)

    assert [u.id for u in report.never_chosen] == ["dead-idea", "nobody"]
    assert [u.id for u in report.always_chosen] == [
        "sure-thing",
        "everybody",
        "free-win",
        "obvious",
    ]
    assert any("dead-idea" in m for m in found["never chosen"])
    assert any("nobody" in m for m in found["never chosen"])
    always = " ".join(found["always chosen"])
    assert "sure-thing" in always and "everybody" in always and "free-win" in always
    assert "popular" not in always


def style(name: str, consensus: float, ownership: float, innovation: float) -> StyleResult:
    medians = {"consensus": consensus, "ownership": ownership, "innovation": innovation}
    at_100 = dict.fromkeys(medians, 0.0)
    return StyleResult(name, 10, medians, at_100, 0.9 if name == "sovereign" else 0.0, 0.5)


def test_a_style_that_wins_every_score_is_a_dominant_strategy() -> None:
    report = replace(
        starter_report(),
        styles=(
            style("mixed", 99, 99, 99),  # mixed is not a strategy to compare
            style("initiator", 70, 70, 70),
            style("facilitator", 80, 85, 70),
            style("catalyst", 75, 80, 90),
            style("sovereign", 90, 90, 95),
        ),
    )

    messages = topics(report)["dominant strategy"]

    assert any("a sovereign chair beats every other" in m for m in messages)


def test_no_dominant_strategy_when_each_style_wins_something() -> None:
    report = replace(
        starter_report(),
        styles=(
            style("initiator", 90, 70, 70),
            style("facilitator", 80, 95, 70),
            style("catalyst", 75, 80, 99),
            style("sovereign", 70, 60, 50),
        ),
        card=None,
        checks=(),
    )

    assert "dominant strategy" not in topics(report)


def test_a_card_that_buys_the_chairs_goal_or_costs_too_little_is_reported() -> None:
    card = CardEffect(
        forks=30,
        card_ownership=-5.0,
        overrule_ownership=-2.0,
        chair_card=0.9,
        chair_overrule=0.9,
        chair_revise=0.4,
    )
    fine = replace(card, card_ownership=-20.0, overrule_ownership=-12.0, chair_card=0.5)

    found = topics(replace(starter_report(), card=card, checks=()))
    assert any("chair's secret goal is met in 90%" in m for m in found["dominant strategy"])
    card_words = " ".join(found["politician card"])
    assert "changes ownership by -5" in card_words and "overruling is nearly free" in card_words
    assert "politician card" not in topics(replace(starter_report(), card=fine, checks=()))
    few = replace(card, forks=2)
    assert "politician card" not in topics(replace(starter_report(), card=few, checks=()))


def test_scores_that_saturate_or_styles_that_do_not_separate_are_warnings() -> None:
    checks = (
        Check("at_100", "consensus/facilitator", 0.12, "<= 0.05", False),
        Check("median_over_naive", "ownership/facilitator", 3.0, ">= 10", False),
        Check("ahead_of_naive", "innovation/catalyst", 0.6, ">= 0.75", False),
        Check("ahead_of_naive", "ownership/facilitator", 0.9, ">= 0.75", True),
    )

    found = topics(replace(starter_report(), checks=checks, card=None))

    assert any("consensus ends at 100 in 12%" in m for m in found["scores"])
    styles = " ".join(found["styles"])
    assert "a facilitator chair raises ownership by only +3" in styles
    assert "a catalyst chair ends above" in styles and "innovation in only 60%" in styles
    assert "ownership in only 90%" not in styles


def test_missing_and_untranslated_texts_are_located() -> None:
    yaml = YAML()
    data = yaml.load(starter()[0])
    data["interests"][2]["name"]["da"] = data["interests"][2]["name"]["en"] = "Culture for all ages"
    data["ideas"][0]["title"]["da"] = ""
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    result = load_scenario_text(text, "x.yaml")
    assert result.ok, [str(p) for p in result.problems]

    gaps = translation_gaps(result, text, "x.yaml")

    messages = [str(g) for g in gaps]
    assert any(
        re.match(
            r"x\.yaml:\d+:\d+: warning: interests\[2\]\.name: the 'en' text is the same as ",
            m,
        )
        for m in messages
    ), messages
    assert any("ideas[0].title: the 'da' text is empty" in m for m in messages), messages


def test_the_loaders_missing_language_errors_are_translation_gaps() -> None:
    text, _, _ = starter(("en",))
    text = text.replace("languages: [en]", "languages: [en, da]")
    result = load_scenario_text(text, "x.yaml")

    gaps = translation_gaps(result, text, "x.yaml")

    assert gaps and all("needs one entry per language" in g.message for g in gaps)


def test_the_time_estimate_adds_timers_reading_and_breaks() -> None:
    _, _, scenario = starter()

    time = estimate_time(scenario, "en")

    timers = sum(r.timer_seconds for r in scenario.rounds)
    assert time.timer_minutes == pytest.approx(timers / 60)
    breaks = 0.5 * len(scenario.rounds)
    assert time.slow_minutes == pytest.approx(time.reading_minutes + timers / 60 + breaks)
    assert time.reading_minutes < time.fast_minutes < time.slow_minutes
    assert all(60 <= r.fast_seconds <= r.seconds for r in time.rounds if r.seconds >= 60)
    assert time.debrief_minutes == (9, 18)


def test_a_game_longer_than_its_duration_is_reported() -> None:
    _, _, scenario = starter()
    short = scenario.model_copy(update={"duration_minutes": 10})
    report = replace(starter_report(), time=estimate_time(short, "en"))

    assert any(
        "more than its duration_minutes (10 minutes)" in m for m in topics(report)["playing time"]
    )


def test_the_text_report_has_every_section() -> None:
    text = format_report(starter_report())

    for heading in (
        "Findings",
        "Final scores",
        "Chair styles",
        "Do the scores teach?",
        "The politician card",
        "Secret goals met",
        "Never chosen",
        "Always chosen",
        "Translations",
        "Playing time",
    ):
        assert f"\n{heading}" in text, heading
    assert "0-10" in text  # histograms


def test_the_html_report_is_self_contained_with_svg_histograms() -> None:
    page = render_html(starter_report())

    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", page)
    assert "@import" not in page and "url(" not in page
    assert page.count("<svg") == 3
    assert "Chair styles" in page and "Playing time" in page and "Translations" in page
    assert "Do the scores teach?" in page


def test_the_html_report_escapes_the_scenarios_texts() -> None:
    report = replace(starter_report(), title="<b>Café & co</b>")

    page = render_html(report)

    assert "<b>Café" not in page
    assert "&lt;b&gt;Café &amp; co&lt;/b&gt;" in page


def test_check_prints_the_report_and_writes_html(tmp_path: Path) -> None:
    path = tmp_path / "library-case.yaml"
    path.write_text(starter_text("library-case", ["da", "en"]), encoding="utf-8")
    page = tmp_path / "report.html"

    done = runner.invoke(
        app, ["scenario", "check", str(path), "--games", "20", "--html", str(page)]
    )

    assert done.exit_code == 0, done.output
    assert "Balance report" in done.output and f"wrote {page}" in done.output
    assert page.read_text(encoding="utf-8").count("<svg") == 3


def test_check_as_json(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(starter_text("x", ["en"]), encoding="utf-8")

    done = runner.invoke(app, ["scenario", "check", str(path), "--games", "12", "--json"])

    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["ok"] is True and data["games"] == 12
    assert set(data["styles"]) == set(CHECK_STYLES)
    assert {c["kind"] for c in data["checks"]} >= {"median_over_naive", "at_100"}


def test_check_of_a_broken_file_prints_located_errors_and_exits_one(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        starter_text("x", ["en"]).replace("budget: 4\n", "budget: -4\n"), encoding="utf-8"
    )
    page = tmp_path / "r.html"

    done = runner.invoke(app, ["scenario", "check", str(path), "--html", str(page)])

    assert done.exit_code == 1
    assert re.search(
        rf"{re.escape(str(path))}:\d+:\d+: rounds\[4\]\.budget: must be at least 0", done.output
    )
    assert "invalid" in done.output
    assert not page.exists()


def test_check_on_the_school_case_is_reproducible() -> None:
    result = load_scenario_text(SCHOOL.read_text(encoding="utf-8"), str(SCHOOL))
    assert result.scenario is not None
    runs = [run_all(result.scenario, 6, seed=5) for _ in range(2)]

    reports = [
        build_report(result.scenario, r, result, SCHOOL.read_text("utf-8"), "s.yaml", 5)
        for r in runs
    ]

    assert format_report(reports[0]) == format_report(reports[1])
    assert isinstance(runs[0], Runs)


# --- The report in the reader's language ------------------------------------------------------

# Every kind of figure the calibration reports, each missing its target.
MISSED = (
    Check("at_100", "consensus/facilitator", 0.12, "<= 0.05", False, None, 0.05),
    Check("p90", "innovation/catalyst", 97.0, "<= 95", False, None, 95.0),
    Check("median_over_naive", "ownership/facilitator", 3.0, ">= 10", False, 10.0, None),
    Check("ahead_of_naive", "innovation/catalyst", 0.6, ">= 0.75", False, 0.75, None),
    Check("sovereign_lowest", "ownership", -2.0, ">= 0", False, 0.0, None),
    Check("over_sovereign", "ownership/facilitator", 4.0, ">= 15", False, 15.0, None),
    Check("card_cost", "ownership", -5.0, "-25..-15", False, -25.0, -15.0),
    Check("card_goal_gain", "chair", 0.5, "<= 0.25", False, None, 0.25),
    Check("overrule_cost", "ownership", -2.0, "<= -10", False, None, -10.0),
    Check("goal_met", "chair", 0.97, "0.2..0.8", False, 0.2, 0.8),
    Check("option_chosen", "open-evening", 0.95, "<= 0.9", False, None, 0.9),
    Check("naive_median", "consensus", 80.0, "40..65", False, 40.0, 65.0),
    Check("mixed_vs_naive", "innovation", 14.0, "-10..10", False, -10.0, 10.0),
    Check("round_jump", "consensus/naive", 45.0, "<= 40", False, None, 40.0),
)


@cache
def everything_report() -> BalanceReport:
    """A report with every kind of finding, figure, section and content row."""
    text, _, scenario = starter()
    yaml = YAML()
    data = yaml.load(text)
    data["ideas"][0]["title"]["da"] = ""
    out = io.StringIO()
    yaml.dump(data, out)
    gapped = load_scenario_text(out.getvalue(), "library-case.yaml")
    gaps = tuple(translation_gaps(gapped, out.getvalue(), "library-case.yaml"))
    assert gaps
    base = starter_report()
    report = replace(
        base,
        content=(
            use("idea", "dead-idea", 0.0, 0.0),
            use("idea", "sure-thing", 1.0, 0.97),
            use("idea", "rare", 0.02, 0.0),
            use("event option", "nobody", 0.0),
            use("event option", "hardly", 0.03),
            use("event option", "everybody", 0.99),
            use("move", "free-win", 1.0),
            use("framing", "obvious", 0.96),
            use("framing", "unloved", 0.0),
        ),
        styles=(
            style("mixed", 50, 50, 50),
            style("naive", 50, 50, 50),
            style("initiator", 60, 60, 60),
            style("facilitator", 70, 70, 70),
            style("catalyst", 65, 65, 65),
            style("sovereign", 90, 90, 95),
        ),
        card=CardEffect(30, -5.0, -2.0, 0.9, 0.9, 0.4),
        checks=(*base.checks, *MISSED),
        translations=gaps,
        warnings=gaps,
        time=estimate_time(scenario.model_copy(update={"duration_minutes": 10}), "da"),
    )
    report = replace(report, findings=tuple(findings(scenario, report)))
    assert {f.topic for f in report.findings} == set(typing.get_args(Topic))
    return report


def _same_in_both(english: list[str], danish: list[str], allowed: set[str]) -> list[str]:
    """Pieces with words that read the same in both renderings: words the catalog never
    saw (a text Babel could not extract) or left in English. `allowed`: the case's texts."""
    kept = {msgid for msgid, text in catalog_strings("da").items() if text == msgid}
    return [
        piece
        for piece in danish
        if piece in english
        and re.search(r"[A-Za-zæøåÆØÅ]{2}", piece)
        and piece not in allowed
        and not set(piece.split(", ")) <= kept  # e.g. "innovation, facilitator"
    ]


def test_the_danish_text_report_has_no_english_words() -> None:
    report = everything_report()
    english, danish = format_report(report, "en"), format_report(report, "da")

    assert danish.startswith("Balancerapport: ") and "\nFund\n" in danish
    leaks = [(f, line) for line in danish.splitlines() for f in english_fragments() if f in line]
    assert leaks == []
    goals = {f"  {role}: {rate:.0%}" for role, rate in report.goals.items()}
    same = _same_in_both(english.splitlines(), danish.splitlines(), goals)
    assert same == []


def _text_nodes(page: str) -> list[str]:
    """The page's words outside the case's own texts (`lang` spans) and ids (`code`)."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    page = re.sub(r'<span lang="[a-z]+">.*?</span>|<code>.*?</code>', "\0", page, flags=re.S)
    page = re.sub(r'aria-label="([^"]*)"', lambda m: f">{m.group(1)}<", page)
    return [html.unescape(node).strip() for node in re.split(r"<[^>]*>|\0", page) if node.strip()]


def test_the_danish_html_report_has_no_english_words() -> None:
    report = everything_report()
    english, danish = render_html(report, "en"), render_html(report, "da")

    assert '<html lang="da">' in danish and '<html lang="en">' in english
    assert "<title>Balancerapport: " in danish
    nodes = _text_nodes(danish)
    leaks = [(f, node) for node in nodes for f in english_fragments() if f in node]
    assert leaks == []
    assert _same_in_both(_text_nodes(english), nodes, set()) == []


def test_every_figure_says_its_unit() -> None:
    report = everything_report()

    for lang, units in (
        ("en", r"points|% of games|percentage points"),
        ("da", r"point|% af spillene|procentpoint"),
    ):
        text = format_report(report, lang)
        section = text.split("\n\n")[4]  # the figures of "Do the scores teach?"
        figures = section.splitlines()[1:]
        assert figures, section
        for line in figures:
            value, target = re.search(r": ([^:]+) \((?:target|mål): (.+)\)$", line).groups()
            assert re.search(units, value) and re.search(units, target), line
        assert re.search(r"\d+-\d+ (minutes|minutter)", text)


def test_check_lang_da_prints_the_danish_report(tmp_path: Path) -> None:
    path = tmp_path / "library-case.yaml"
    path.write_text(starter_text("library-case", ["en", "da"]), encoding="utf-8")
    page = tmp_path / "report.html"
    clean = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}

    done = runner.invoke(
        app,
        ["scenario", "check", str(path), "--games", "10", "--lang", "da", "--html", str(page)],
        env=clean,
    )

    assert done.exit_code == 0, done.output
    assert done.output.startswith("Balancerapport: Nyt liv i det gamle bibliotek")
    assert "\nSpilletid\n" in done.output and f"skrev {page}" in done.output
    assert '<html lang="da">' in page.read_text(encoding="utf-8")
    # Without --lang the locale decides the words; the case's texts stay in its first language.
    by_locale = runner.invoke(
        app, ["scenario", "check", str(path), "--games", "10"], env={**clean, "LANG": "da_DK.UTF-8"}
    )
    assert by_locale.output.startswith("Balancerapport: A new use for the old library")
    english = runner.invoke(app, ["scenario", "check", str(path), "--games", "10"], env=clean)
    assert english.output.startswith("Balance report: A new use for the old library")
