"""One-line explanations of why a score moved, in Danish and English.

The rules record a reason as a code (`ownership.trust`) and the thing that caused it (a
move or option id); this module words it, naming that thing by its title.
"""

from __future__ import annotations

from app.engine.catalog import Catalog
from app.engine.events import Reason
from app.scenarios.models import localize

SCORE_NAMES_TEXT: dict[str, dict[str, str]] = {
    "consensus": {"da": "konsensus", "en": "consensus"},
    "ownership": {"da": "ejerskab", "en": "ownership"},
    "innovation": {"da": "innovation", "en": "innovation"},
}

_DIRECTION: dict[str, dict[str, str]] = {
    "up": {"da": "steg", "en": "rose"},
    "down": {"da": "faldt", "en": "fell"},
}

# What each part of a score means when it is the biggest driver of a change. A part whose
# wording depends on what caused it is keyed by part and cause (`consensus.agreement:votes`).
_PARTS: dict[str, dict[str, str]] = {
    "consensus.agreement": {
        "da": "prioriteringerne ligger {more} på linje",
        "en": "the rankings agree {more}",
    },
    "consensus.agreement:framings": {
        "da": "prioriteringerne af problemformuleringerne ligger {more} på linje",
        "en": "the rankings of the framings agree {more}",
    },
    "consensus.agreement:ideas": {
        "da": "prioriteringerne af idéerne ligger {more} på linje",
        "en": "the rankings of the ideas agree {more}",
    },
    "consensus.agreement:votes": {
        "da": "svarene på forslaget er {more} positive",
        "en": "the answers to the proposal are {more} favourable",
    },
    "consensus.effects": {"da": "{source}", "en": "{source}"},
    "ownership.voice": {
        "da": "bidragene er {more} jævnt fordelt mellem rollerne",
        "en": "contributions are {more} evenly spread across the roles",
    },
    "ownership.influence": {
        "da": "{many} roller har en andel i den førende pakke",
        "en": "{many} roles have a share in the leading package",
    },
    "ownership.trust": {"da": "tilliden ændrede sig: {source}", "en": "trust moved: {source}"},
    "ownership.answers": {
        "da": "svarene på forslaget er {more} positive",
        "en": "the answers to the proposal are {more} favourable",
    },
    "ownership.overruled": {
        "da": "indsigelser blev tilsidesat",
        "en": "objections were overruled",
    },
    "ownership.overruled:overruled": {
        "da": "formanden vedtog forslaget trods indsigelser uden at revidere det",
        "en": "the chair adopted the proposal over objections without revising it",
    },
    "ownership.overruled:dissent": {
        "da": "der var stadig indsigelser efter revisionen",
        "en": "objections remained after the revision",
    },
    "ownership.overruled:politician_card": {
        "da": "politikerkortet tilsidesatte indsigelserne",
        "en": "the politician card overruled the objections",
    },
    "ownership.overruled:time_up": {
        "da": "tiden løb ud, mens der stadig var indsigelser",
        "en": "time ran out with objections still standing",
    },
    "ownership.effects": {"da": "{source}", "en": "{source}"},
    "innovation.novelty": {
        "da": "den førende pakke er {more} nyskabende",
        "en": "the leading package is {more} novel",
    },
    "innovation.recombination": {
        "da": "{many} idéer kombinerer flere rollers bidrag",
        "en": "{many} ideas combine several roles' contributions",
    },
    "innovation.effects": {"da": "{source}", "en": "{source}"},
}

_MORE: dict[str, dict[str, str]] = {
    "up": {"da": "mere", "en": "more"},
    "down": {"da": "mindre", "en": "less"},
}

_MANY: dict[str, dict[str, str]] = {
    "up": {"da": "flere", "en": "more"},
    "down": {"da": "færre", "en": "fewer"},
}

_FIXED: dict[str, dict[str, str]] = {
    "none": {"da": "{score}: intet at måle endnu", "en": "{score}: nothing to measure yet"},
    "steady": {"da": "{score} er uændret", "en": "{score} held steady"},
    "first": {
        "da": "{score} måles for første gang",
        "en": "{score} is measured for the first time",
    },
    "unanswered": {
        "da": "{score}: ingen nåede at svare på det forslag, der blev vedtaget",
        "en": "{score}: nobody had answered the proposal that was adopted",
    },
}

_SOURCES: dict[str, dict[str, str]] = {
    "politician_card": {
        "da": "formanden spillede politikerkortet",
        "en": "the chair played the politician card",
    },
    "framings": {"da": "problemformuleringerne", "en": "the framings"},
    "ideas": {"da": "idéerne", "en": "the ideas"},
    "votes": {"da": "svarene på forslaget", "en": "the answers to the proposal"},
}


def source_title(source: str | None, catalog: Catalog, lang: str) -> str:
    """A reason's cause in words: a move's or option's title, or a fixed phrase."""
    if source is None:
        return ""
    kind, _, ident = source.partition(":")
    if kind == "move" and ident in catalog.moves:
        return localize(catalog.moves[ident].title, lang)
    if kind == "option" and ident in catalog.option_event:
        event = catalog.events[catalog.option_event[ident]]
        option = next(o for o in event.options if o.id == ident)
        if option.title is not None:
            return localize(option.title, lang)
        return short_title(localize(option.text, lang))
    phrase = _SOURCES.get(source)
    return phrase[lang if lang in phrase else "en"] if phrase else source


SHORT_TITLE = 48  # characters: an option named in a one-line reason


def short_title(text: str, limit: int = SHORT_TITLE) -> str:
    """The first sentence or clause of a text, cut at a word within `limit` characters."""
    first = text.strip()
    for stop in (". ", " – ", " - ", ": ", "; ", ", "):
        head = first.split(stop, 1)[0]
        if len(head) <= limit:
            first = head
            break
    if len(first) <= limit:
        return first.rstrip(".")
    cut = first[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–-") + "…"


def explain(reason: Reason, catalog: Catalog, lang: str = "en") -> str:
    """E.g. 'ownership fell: the chair played the politician card'."""
    lang = lang if lang in ("da", "en") else "en"
    score = SCORE_NAMES_TEXT[reason.score][lang]
    _, _, part = reason.code.partition(".")
    if part in _FIXED:
        return _FIXED[part][lang].format(score=score)
    direction = "up" if reason.delta >= 0 else "down"
    texts = _PARTS.get(f"{reason.code}:{reason.subject}") or _PARTS.get(reason.code)
    detail = (texts or {"da": "{source}", "en": "{source}"})[lang].format(
        more=_MORE[direction][lang],
        many=_MANY[direction][lang],
        source=source_title(reason.subject, catalog, lang),
    )
    return f"{score} {_DIRECTION[direction][lang]}: {detail}".rstrip(": ")
