"""`policymaker scenario new`: a small, valid, commented scenario to start a new case from.

The starter is a complete case (four roles, all five phase types) so a trainer can play it
with bots straight away and then replace it piece by piece. Its first line names the JSON
Schema for editors that speak the YAML language server (VS Code with the YAML extension,
Neovim, JetBrains IDEs, ...): completion, hover help and red squiggles while typing.

Texts come in Danish and English; any other language gets the English text, to translate
(`policymaker scenario check` lists texts that are still the same in two languages).
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

from app.scenarios.schema import SCHEMA_ID, SCHEMA_PATH

LANG_RE = re.compile(r"^[a-z]{2,3}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
WIDTH = 92  # wrap long texts so a file reads well in any editor

# The starter's texts by key: English and Danish. `<<key>>` in the template is replaced by
# the text, as a plain string (one language) or a map from language to string.
TEXTS: dict[str, dict[str, str]] = {
    "title": {
        "en": "A new use for the old library",
        "da": "Nyt liv i det gamle bibliotek",
    },
    "summary": {
        "en": (
            "A temporary task committee of politicians, an official and local citizens has "
            "one meeting to agree what should happen to the empty library building."
        ),
        "da": (
            "Et midlertidigt opgaveudvalg med politikere, en embedsperson og borgere har ét "
            "møde til at blive enige om, hvad den tomme biblioteksbygning skal bruges til."
        ),
    },
    "case": {
        "en": (
            "The town library moved to the new culture house last year. The **old library** "
            "in the town centre is empty: a listed building, a leaking roof, and a garden that "
            "the neighbours love.\n\n"
            "The council has set up a **temporary task committee** to propose a new use. It is "
            "advisory and has **4 million** for the first step. Today the committee meets to "
            "agree its proposal."
        ),
        "da": (
            "Byens bibliotek flyttede sidste år ind i det nye kulturhus. Det **gamle "
            "bibliotek** midt i byen står tomt: en fredet bygning, et utæt tag og en have, som "
            "naboerne holder meget af.\n\n"
            "Byrådet har nedsat et **midlertidigt opgaveudvalg**, der skal foreslå en ny brug "
            "af huset. Udvalget er rådgivende og har **4 mio. kr.** til første skridt. I dag "
            "mødes udvalget for at blive enige om sit forslag."
        ),
    },
    "i-budget": {"en": "Cost to the municipality", "da": "Kommunens udgifter"},
    "i-community": {"en": "A meeting place for everyone", "da": "Et mødested for alle"},
    "i-culture": {"en": "Culture and learning", "da": "Kultur og læring"},
    "chair-name": {"en": "Committee chair", "da": "Udvalgsformand"},
    "chair-brief": {
        "en": (
            "You chair the committee for the majority party. The council expects a proposal "
            "that stays within the 4 million, and you table the final proposal."
        ),
        "da": (
            "Du er formand for udvalget for flertalspartiet. Byrådet forventer et forslag, der "
            "holder sig inden for de 4 mio. kr., og det er dig, der lægger det endelige "
            "forslag frem."
        ),
    },
    "chair-goal": {
        "en": "The proposal keeps the budget under control.",
        "da": "Forslaget holder styr på økonomien.",
    },
    "councillor-name": {"en": "Councillor (opposition)", "da": "Byrådsmedlem (oppositionen)"},
    "councillor-brief": {
        "en": (
            "You sit on the council for an opposition party. You promised the neighbourhood "
            "that the old library would stay open to the public."
        ),
        "da": (
            "Du sidder i byrådet for et oppositionsparti. Du har lovet kvarteret, at det gamle "
            "bibliotek forbliver åbent for alle."
        ),
    },
    "official-name": {
        "en": "Official, culture department",
        "da": "Konsulent i kulturforvaltningen",
    },
    "official-brief": {
        "en": (
            "You know the building, the rules for listed buildings and the budget. Your job "
            "is to make sure the proposal can be carried out."
        ),
        "da": (
            "Du kender bygningen, reglerne for fredede huse og budgettet. Din opgave er at "
            "sikre, at forslaget kan føres ud i livet."
        ),
    },
    "citizen-name": {"en": "Neighbour and volunteer", "da": "Nabo og frivillig"},
    "citizen-brief": {
        "en": (
            "You live next to the old library and run the reading club that used to meet "
            "there. You want the house to stay a place where people meet."
        ),
        "da": (
            "Du bor ved siden af det gamle bibliotek og leder den læseklub, der plejede at "
            "mødes der. Du vil have, at huset forbliver et sted, hvor folk mødes."
        ),
    },
    "citizen-goal": {
        "en": "The house becomes a meeting place, and you trust the process.",
        "da": "Huset bliver et mødested, og du har tillid til processen.",
    },
    "f-money": {
        "en": "How do we stop an empty building from costing money?",
        "da": "Hvordan undgår vi, at en tom bygning koster penge?",
    },
    "f-meeting": {
        "en": "Where will the town's people meet now the library has moved?",
        "da": "Hvor skal byens borgere mødes, nu hvor biblioteket er flyttet?",
    },
    "sell-title": {"en": "Sell the building", "da": "Sælg bygningen"},
    "sell-text": {
        "en": "Sell the house to a private buyer and put the money back into the budget.",
        "da": "Sælg huset til en privat køber, og lad pengene gå tilbage til kassen.",
    },
    "offices-title": {"en": "Move council offices in", "da": "Flyt kommunale kontorer ind"},
    "offices-text": {
        "en": "Use the building for council staff and save the rent elsewhere.",
        "da": "Brug bygningen til kommunale medarbejdere, og spar huslejen andre steder.",
    },
    "garden-title": {"en": "An open library garden", "da": "En åben bibliotekshave"},
    "garden-text": {
        "en": "Open the garden to everyone, with benches, a book swap and summer readings.",
        "da": "Åbn haven for alle, med bænke, bogbytte og oplæsninger om sommeren.",
    },
    "clubs-title": {"en": "A house for clubs", "da": "Et hus for foreningerne"},
    "clubs-text": {
        "en": "Local clubs rent rooms cheaply and share the cost of running the house.",
        "da": "Byens foreninger lejer lokaler billigt og deler udgifterne til driften.",
    },
    "repair-title": {"en": "Repair the roof first", "da": "Reparer taget først"},
    "repair-text": {
        "en": "Spend the first money on the roof so the building does not decay further.",
        "da": "Brug de første penge på taget, så bygningen ikke forfalder mere.",
    },
    "makers-title": {"en": "A repair café and makerspace", "da": "Reparationscafé og værksted"},
    "makers-text": {
        "en": "Volunteers fix bikes and lamps with their neighbours and teach young people.",
        "da": "Frivillige reparerer cykler og lamper sammen med naboerne og lærer de unge op.",
    },
    "reading-title": {"en": "Reading club for all ages", "da": "Læseklub for alle aldre"},
    "reading-text": {
        "en": "Children and pensioners read together every week in the old reading room.",
        "da": "Børn og pensionister læser sammen hver uge i den gamle læsesal.",
    },
    "co-run-title": {"en": "Run by the neighbourhood", "da": "Drevet af kvarteret"},
    "co-run-text": {
        "en": "An association of neighbours runs the house, with a small grant from the council.",
        "da": "En forening af naboer driver huset med et mindre tilskud fra kommunen.",
    },
    "m-frame-title": {"en": "Set a clear frame", "da": "Sæt en klar ramme"},
    "m-frame-text": {
        "en": "You say what is decided, what is open and what the money covers.",
        "da": "Du siger, hvad der er besluttet, hvad der er åbent, og hvad pengene dækker.",
    },
    "m-listen-title": {"en": "Listen deeply", "da": "Lyt dybt"},
    "m-listen-text": {
        "en": "You ask before you argue and repeat what you heard.",
        "da": "Du spørger, før du argumenterer, og gentager, hvad du har hørt.",
    },
    "m-quiet-title": {"en": "Give a quiet voice the floor", "da": "Giv ordet til en stille stemme"},
    "m-quiet-text": {
        "en": "You invite someone who has said little to speak. They get an extra card.",
        "da": (
            "Du inviterer en, der ikke har sagt meget, til at tale. Vedkommende får et ekstra kort."
        ),
    },
    "m-outside-title": {"en": "Bring in an outside voice", "da": "Hent en stemme udefra"},
    "m-outside-text": {
        "en": "You tell how another town used its old library. Ideas this round get bolder.",
        "da": (
            "Du fortæller, hvordan en anden by brugte sit gamle bibliotek. "
            "Idéerne resten af runden bliver mere nyskabende."
        ),
    },
    "m-card-title": {"en": "Play the politician card", "da": "Spil politikerkortet"},
    "m-card-text": {
        "en": "As chair you adopt the proposal despite objections.",
        "da": "Som formand vedtager du forslaget trods indsigelser.",
    },
    "m-reality-title": {"en": "Reality check", "da": "Realitetstjek"},
    "m-reality-text": {
        "en": "You say what the rules for listed buildings and the budget allow.",
        "da": "Du siger, hvad reglerne for fredede bygninger og budgettet tillader.",
    },
    "m-story-title": {"en": "Tell what the house meant", "da": "Fortæl, hvad huset betød"},
    "m-story-text": {
        "en": "You describe an evening in the old reading room and who came.",
        "da": "Du fortæller om en aften i den gamle læsesal, og hvem der kom.",
    },
    "e-title": {"en": "The local paper calls", "da": "Lokalavisen ringer"},
    "e-text": {
        "en": "A journalist has heard that the building may be sold and wants a comment today.",
        "da": (
            "En journalist har hørt, at bygningen måske skal sælges, "
            "og vil have en kommentar i dag."
        ),
    },
    "e-decide-text": {
        "en": "Say that the council will decide and that a sale is likely.",
        "da": "Sig, at byrådet beslutter, og at et salg er sandsynligt.",
    },
    "e-open-text": {
        "en": "Invite the paper's readers to a public evening in the garden.",
        "da": "Invitér avisens læsere til en åben aften i haven.",
    },
    "e-test-text": {
        "en": "Open the house for a test week and let the town try out three of the ideas.",
        "da": "Åbn huset i en prøveuge, og lad byen afprøve tre af idéerne.",
    },
    "r-frame-title": {"en": "What is the problem?", "da": "Hvad er problemet?"},
    "r-frame-prompt": {
        "en": "Rank the framings. Add your own if it is missing.",
        "da": "Prioritér problemformuleringerne. Tilføj din egen, hvis den mangler.",
    },
    "r-ideas-title": {"en": "Ideas on the table", "da": "Idéer på bordet"},
    "r-ideas-prompt": {
        "en": "Think alone, talk in pairs, then play up to two ideas.",
        "da": "Tænk selv, tal sammen to og to, og spil så op til to idéer.",
    },
    "r-press-title": {"en": "The press calls", "da": "Pressen ringer"},
    "r-press-prompt": {
        "en": "Advise the chair. The chair decides.",
        "da": "Giv formanden et råd. Formanden beslutter.",
    },
    "r-rank-title": {"en": "Prioritise", "da": "Prioritér"},
    "r-rank-prompt": {
        "en": "Rank up to three ideas, at most one of your own.",
        "da": "Prioritér op til tre idéer, højst én af dine egne.",
    },
    "r-decide-title": {"en": "The proposal", "da": "Forslaget"},
    "r-decide-prompt": {
        "en": "The chair proposes a package within the 4 million. Answer: accept, can live with "
        "it, or object.",
        "da": "Formanden foreslår en pakke inden for de 4 mio. kr. Svar: accepterer, kan leve "
        "med det eller gør indsigelse.",
    },
    "q-feel": {
        "en": "How do you feel about the proposal your table ended with?",
        "da": "Hvordan har I det med det forslag, jeres bord endte med?",
    },
    "q-heard": {
        "en": "Who was heard, and who was not?",
        "da": "Hvem blev hørt, og hvem blev ikke?",
    },
    "q-next": {
        "en": "What will you do differently in your own committee?",
        "da": "Hvad vil I gøre anderledes i jeres eget udvalg?",
    },
    "ins-ownership": {
        "en": "Ownership ended low. Who will defend this proposal when it reaches the council?",
        "da": "Ejerskabet endte lavt. Hvem vil forsvare forslaget, når det kommer i byrådet?",
    },
    "ins-card": {
        "en": "The chair adopted the proposal over objections. What did that cost?",
        "da": "Formanden vedtog forslaget trods indsigelser. Hvad kostede det?",
    },
}

TEMPLATE = """\
# yaml-language-server: $schema=<<SCHEMA>>
#
# A new Policy Maker scenario, made by `policymaker scenario new`. It is a complete, small
# case you can play with bots right away; replace it piece by piece with your own.
# The authoring guide (game_content/README.md) explains every key.
#
#   policymaker scenario validate <<FILE>>   # errors as FILE:LINE:COLUMN: message
#   policymaker scenario check <<FILE>>      # balance report from simulated bot games
#
# Texts: <<TEXTS_NOTE>>

format: policymaker/scenario@1
# The id names the scenario on the server: lowercase letters, digits and dashes.
id: <<ID>>
title: <<title>>
summary: <<summary>>
# The first language is the default; every text needs every language listed here.
languages: <<LANGUAGES>>
# How many people can play one table; seats.min of all roles must add up to at most min.
players: {min: 4, max: 5}
duration_minutes: 30

# The case everyone reads first (Markdown: **bold**, *italic*, blank lines for paragraphs).
case: <<case|>>

# What is at stake. Agendas and ideas refer to these ids.
interests:
  - id: budget
    name: <<i-budget>>
  - id: community
    name: <<i-community>>
  - id: culture
    name: <<i-culture>>

# Who sits at the table. Exactly one role has `chair: true`. The agenda (weights -3..3 per
# interest) and the goal are secret to the role's player until the debrief.
roles:
  - id: chair
    kind: politician
    chair: true
    name: <<chair-name>>
    brief: <<chair-brief>>
    agenda: {budget: 3, culture: 1, community: 0}
    seats: {min: 1, max: 1}
    hand: [sell-building, council-offices]
    moves: [set-frame, deep-listening, quiet-voice, outside-voice, politician-card]
    goal:
      text: <<chair-goal>>
      when: {interest_served: budget, at_least: 3}

  - id: councillor
    kind: politician
    name: <<councillor-name>>
    brief: <<councillor-brief>>
    agenda: {community: 3, culture: 2, budget: -1}
    seats: {min: 1, max: 1}
    hand: [library-garden, house-for-clubs]
    moves: [set-frame, deep-listening, quiet-voice, outside-voice]

  - id: official
    kind: official
    name: <<official-name>>
    brief: <<official-brief>>
    agenda: {budget: 2, culture: 1, community: 0}
    seats: {min: 1, max: 1}
    hand: [repair-roof, makerspace]
    moves: [reality-check]

  - id: citizen
    kind: citizen
    name: <<citizen-name>>
    brief: <<citizen-brief>>
    agenda: {community: 3, culture: 2, budget: 0}
    # min 1, max 2: a fifth player takes a second citizen seat.
    seats: {min: 1, max: 2}
    hand: [reading-club, neighbourhood-run]
    moves: [share-story]
    goal:
      text: <<citizen-goal>>
      when:
        all:
          - {interest_served: community, at_least: 2}
          - {trust: citizen, at_least: 3}

# Candidate framings of the problem, ranked in a `frame` round (at least two).
framings:
  - id: empty-building
    text: <<f-money>>
    interests: [budget]
  - id: meeting-place
    text: <<f-meeting>>
    interests: [community, culture]

# Idea cards: origin is the role that holds it; novelty 0 (small step) .. 3 (radical);
# cost counts against a decide round's budget; serves moves interests (-3..3).
ideas:
  - id: sell-building
    title: <<sell-title>>
    text: <<sell-text>>
    origin: chair
    novelty: 0
    cost: 0
    serves: {budget: 3, community: -2, culture: -1}
  - id: council-offices
    title: <<offices-title>>
    text: <<offices-text>>
    origin: chair
    novelty: 1
    cost: 2
    serves: {budget: 2, community: -1}
  - id: library-garden
    title: <<garden-title>>
    text: <<garden-text>>
    origin: councillor
    novelty: 1
    cost: 1
    serves: {community: 2, culture: 1}
  - id: house-for-clubs
    title: <<clubs-title>>
    text: <<clubs-text>>
    origin: councillor
    novelty: 2
    cost: 2
    serves: {community: 2, budget: 1}
  - id: repair-roof
    title: <<repair-title>>
    text: <<repair-text>>
    origin: official
    novelty: 0
    cost: 2
    serves: {budget: 1, culture: 1}
  - id: makerspace
    title: <<makers-title>>
    text: <<makers-text>>
    origin: official
    novelty: 3
    cost: 1
    serves: {community: 1, culture: 2}
  - id: reading-club
    title: <<reading-title>>
    text: <<reading-text>>
    origin: citizen
    novelty: 1
    cost: 0
    serves: {culture: 2, community: 1}
  - id: neighbourhood-run
    title: <<co-run-title>>
    text: <<co-run-text>>
    origin: citizen
    novelty: 3
    cost: 1
    serves: {community: 3, budget: 1}

# Moves: style is initiator, facilitator, catalyst, sovereign (politicians) or none.
# Effects: trust (role id, role kind, all, self, target -> delta), score (points),
# deal (extra cards), novelty (for ideas played later this round).
moves:
  - id: set-frame
    title: <<m-frame-title>>
    text: <<m-frame-text>>
    style: initiator
    phases: [frame, ideate]
    effects:
      trust: {official: 1}
      score: {consensus: 3}
  - id: deep-listening
    title: <<m-listen-title>>
    text: <<m-listen-text>>
    style: facilitator
    phases: [frame, ideate, dilemma, rank]
    effects:
      trust: {all: 1}
  - id: quiet-voice
    title: <<m-quiet-title>>
    text: <<m-quiet-text>>
    style: facilitator
    phases: [ideate, rank]
    target: true
    effects:
      trust: {target: 1}
      deal: {target: 1}
  - id: outside-voice
    title: <<m-outside-title>>
    text: <<m-outside-text>>
    style: catalyst
    phases: [ideate]
    effects:
      novelty: 1
  - id: politician-card
    title: <<m-card-title>>
    text: <<m-card-text>>
    style: sovereign
    phases: [decide]
    politician_card: true
    effects:
      trust: {all: -1}
  - id: reality-check
    title: <<m-reality-title>>
    text: <<m-reality-text>>
    style: none
    phases: [ideate, rank, decide]
    effects:
      score: {consensus: 2}
      novelty: -1
  - id: share-story
    title: <<m-story-title>>
    text: <<m-story-text>>
    style: none
    phases: [frame, ideate, dilemma]
    effects:
      trust: {self: 1}
      score: {ownership: 2}

# Event cards for dilemma rounds: the target (default: the chair) chooses one option.
events:
  - id: local-paper
    title: <<e-title>>
    text: <<e-text>>
    options:
      - id: council-decides
        text: <<e-decide-text>>
        style: sovereign
        effects:
          trust: {chair: 1, official: 1, citizen: -1}
          score: {consensus: 3}
      - id: open-evening
        text: <<e-open-text>>
        style: facilitator
        effects:
          trust: {citizen: 1, councillor: 1, official: -1}
          score: {ownership: 2}
      - id: test-week
        text: <<e-test-text>>
        style: catalyst
        effects:
          trust: {official: -1}
          score: {innovation: 4}

# The game, round by round: phase is frame, ideate, dilemma (needs an event), rank or
# decide (needs a budget). timer_seconds is each round's clock (10..3600).
rounds:
  - id: the-problem
    phase: frame
    title: <<r-frame-title>>
    prompt: <<r-frame-prompt>>
    timer_seconds: 240
  - id: ideas
    phase: ideate
    title: <<r-ideas-title>>
    prompt: <<r-ideas-prompt>>
    timer_seconds: 480
    ideas_per_player: 2
  - id: the-press
    phase: dilemma
    title: <<r-press-title>>
    prompt: <<r-press-prompt>>
    timer_seconds: 180
    event: local-paper
  - id: prioritise
    phase: rank
    title: <<r-rank-title>>
    prompt: <<r-rank-prompt>>
    timer_seconds: 300
  - id: the-proposal
    phase: decide
    title: <<r-decide-title>>
    prompt: <<r-decide-prompt>>
    timer_seconds: 360
    budget: 4
    max_ideas: 3

# Reflection questions for the debrief, and insights shown when their condition holds.
debrief:
  questions:
    - <<q-feel>>
    - <<q-heard>>
    - <<q-next>>
  insights:
    - when: {score: ownership, below: 40}
      text: <<ins-ownership>>
    - when: {move_played: politician-card}
      text: <<ins-card>>
"""

_PLACEHOLDER = re.compile(r"<<([A-Za-z_-]+)(\|?)>>")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def parse_languages(value: str) -> list[str]:
    """`da,en` -> ['da', 'en']; ValueError with a message a trainer can act on."""
    languages = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not languages:
        raise ValueError("name at least one language, like --lang da,en")
    for language in languages:
        if not LANG_RE.match(language):
            raise ValueError(
                f"'{language}' is not a language code of two or three letters, like da or en"
            )
    if len(set(languages)) != len(languages):
        raise ValueError("a language is listed twice")
    return languages


def schema_reference(target: Path) -> str:
    """How the file at `target` names the schema, so editors find it wherever the file goes.

    Inside the checkout that holds the schema, a path relative to the file's own folder: it
    keeps working when the whole checkout moves. Anywhere else an absolute `file://` URI: a
    relative path would climb out of the file's folder (`../../work/main/...`) and silently
    break as soon as the file is moved. Without a schema file here, the schema's published id.
    """
    if not SCHEMA_PATH.exists():
        return SCHEMA_ID
    schema = SCHEMA_PATH.resolve()
    folder = target.resolve().parent
    if folder.is_relative_to(schema.parents[1]):  # the checkout: the folder above game_content
        return os.path.relpath(schema, folder).replace(os.sep, "/")
    return schema.as_uri()


def starter_text(scenario_id: str, languages: Sequence[str], schema: str = SCHEMA_ID) -> str:
    """The starter scenario's text for `scenario_id` in `languages` (the first the default)."""
    if not SLUG_RE.match(scenario_id) or len(scenario_id) > 64:
        raise ValueError(
            f"'{scenario_id}' is not a valid id: use lowercase letters, digits and dashes, "
            "like elder-care"
        )
    languages = list(languages)
    if not languages:
        raise ValueError("name at least one language")
    if len(languages) == 1:
        note = "one language, so every text is a plain string."
    else:
        note = (
            "every text is a map from language to text, like {da: ..., en: ...}; "
            f"the file has {', '.join(languages)}."
        )
    replacements = {
        "SCHEMA": schema,
        "FILE": f"{scenario_id}.yaml",
        "ID": scenario_id,
        "LANGUAGES": "[" + ", ".join(languages) + "]",
        "TEXTS_NOTE": note,
    }
    lines: list[str] = []
    for line in TEMPLATE.splitlines():
        match = _PLACEHOLDER.search(line)
        if match is None:
            lines.append(line)
            continue
        key, literal = match.group(1), match.group(2) == "|"
        if key.isupper() or key in replacements:
            lines.append(_PLACEHOLDER.sub(lambda m: replacements[m.group(1)], line))
            continue
        lines.extend(_text_lines(line[: match.start()], TEXTS[key], languages, literal))
    return "\n".join(lines) + "\n"


def write_starter(
    path: Path, scenario_id: str, languages: Sequence[str], force: bool = False
) -> Path:
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; choose another name or use --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(starter_text(scenario_id, languages, schema_reference(path)), "utf-8")
    return path


# --- YAML text emission -------------------------------------------------------------------


def _text_lines(
    prefix: str, texts: dict[str, str], languages: list[str], literal: bool
) -> list[str]:
    """The lines for one text; `prefix` is what precedes the placeholder on its line:
    a key (`    title: `) or a list item's dash (`    - `)."""
    values = [(language, texts.get(language, texts["en"])) for language in languages]
    if prefix.strip() == "-":
        column = len(prefix)  # where the item's content starts
        if len(values) == 1:
            return _scalar(prefix.rstrip(), values[0][1], column, literal)
        lines: list[str] = []
        for number, (language, value) in enumerate(values):
            head = f"{prefix}{language}:" if number == 0 else f"{' ' * column}{language}:"
            lines += _scalar(head, value, column + 2, literal)
        return lines
    column = len(prefix) - len(prefix.lstrip(" "))  # where the key starts
    if len(values) == 1:
        return _scalar(prefix.rstrip(), values[0][1], column + 2, literal)
    if not literal:
        flow = ", ".join(f"{language}: {_inline(value, flow=True)}" for language, value in values)
        if len(prefix) + len(flow) + 2 <= WIDTH:
            return [f"{prefix}{{{flow}}}"]
    lines = [prefix.rstrip()]
    for language, value in values:
        lines += _scalar(f"{' ' * (column + 2)}{language}:", value, column + 4, literal)
    return lines


def _scalar(head: str, value: str, indent: int, literal: bool) -> list[str]:
    """`head` followed by the value: inline when short, else a folded or literal block."""
    pad = " " * indent
    if literal or "\n" in value:
        body: list[str] = []
        for paragraph in value.split("\n"):
            if not paragraph:
                body.append("")
            else:
                body += [pad + part for part in textwrap.wrap(paragraph, WIDTH - indent)]
        return [f"{head} |", *body]
    inline = _inline(value)
    if len(head) + 1 + len(inline) <= WIDTH:
        return [f"{head} {inline}"]
    wrapped = textwrap.wrap(value, WIDTH - indent)
    return [f"{head} >-", *(pad + part for part in wrapped)]


def _inline(value: str, flow: bool = False) -> str:
    """A plain scalar when YAML reads it back as the same text, else a quoted one."""
    plain = (
        value
        and not (flow and any(c in value for c in ",[]{}"))
        and value == value.strip()
        and value[0] not in "-?:,[]{}#&*!|>'\"%@`"
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and value.lower() not in _YAML_WORDS
        and not re.fullmatch(r"[-+]?[\d._]+(e[-+]?\d+)?", value.lower())
    )
    return value if plain else json.dumps(value, ensure_ascii=False)
