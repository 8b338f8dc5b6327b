"""A small scenario built in code, so engine tests do not depend on the game content."""

from __future__ import annotations

from typing import Any

from app.scenarios.models import Scenario


def tiny_data() -> dict[str, Any]:
    roles = []
    for rid, kind in [
        ("chair", "politician"),
        ("member", "politician"),
        ("official", "official"),
        ("parent", "parent"),
        ("teacher", "teacher"),
    ]:
        roles.append(
            {
                "id": rid,
                "kind": kind,
                "name": rid.title(),
                "brief": f"The {rid}.",
                "agenda": {
                    "budget": 2 if rid in ("chair", "official") else -1,
                    "wellbeing": 2 if rid in ("parent", "teacher") else 1,
                },
                "seats": {"min": 1, "max": 1},
                "hand": [f"{rid}-a", f"{rid}-b"],
                "moves": ["listen", "share"] + (["card", "outside"] if rid == "chair" else []),
                "chair": rid == "chair",
                "goal": {
                    "text": "Wellbeing counts",
                    "when": {"interest_served": "wellbeing", "at_least": 1},
                },
            }
        )
    ideas = []
    for r in roles:
        for n, suffix in enumerate("ab"):
            ideas.append(
                {
                    "id": f"{r['id']}-{suffix}",
                    "title": "T",
                    "text": "X",
                    "origin": r["id"],
                    "novelty": n * 2,
                    "cost": 2 + n,
                    "serves": {"budget": 1 - n * 2, "wellbeing": 1 + n},
                }
            )
    ideas.append(
        {
            "id": "radical",
            "title": "R",
            "text": "R",
            "origin": "official",
            "novelty": 3,
            "cost": 1,
            "serves": {"wellbeing": 2},
        }
    )
    return {
        "format": "policymaker/scenario@1",
        "id": "tiny",
        "title": "Tiny",
        "summary": "S",
        "languages": ["en"],
        "players": {"min": 5, "max": 5},
        "duration_minutes": 30,
        "case": "A case.",
        "interests": [{"id": "budget", "name": "Budget"}, {"id": "wellbeing", "name": "Wellbeing"}],
        "roles": roles,
        "framings": [
            {"id": f"f{i}", "text": f"Framing {i}", "interests": ["budget"]} for i in range(3)
        ],
        "ideas": ideas,
        "moves": [
            {
                "id": "listen",
                "title": "Listen",
                "text": "L",
                "style": "facilitator",
                "phases": ["frame", "ideate", "rank", "decide"],
                "effects": {"trust": {"all": 1}},
            },
            {
                "id": "share",
                "title": "Share",
                "text": "S",
                "style": "none",
                "phases": ["ideate"],
                "effects": {"score": {"consensus": 2}},
            },
            {
                "id": "outside",
                "title": "Outside",
                "text": "O",
                "style": "catalyst",
                "phases": ["ideate"],
                "effects": {"deal": {"self": 1}, "novelty": 1},
            },
            {
                "id": "card",
                "title": "Card",
                "text": "C",
                "style": "sovereign",
                "phases": ["decide"],
                "politician_card": True,
                "effects": {"trust": {"all": -1}},
            },
        ],
        "events": [
            {
                "id": "storm",
                "title": "Storm",
                "text": "Press",
                "options": [
                    {
                        "id": "hide",
                        "text": "Hide",
                        "style": "sovereign",
                        "effects": {"trust": {"parent": -1}},
                    },
                    {
                        "id": "meet",
                        "text": "Meet",
                        "style": "facilitator",
                        "effects": {"trust": {"all": 1}},
                    },
                ],
            }
        ],
        "rounds": [
            {"id": "r1", "phase": "frame", "title": "Frame", "prompt": "P", "timer_seconds": 60},
            {"id": "r2", "phase": "ideate", "title": "Ideate", "prompt": "P", "timer_seconds": 60},
            {
                "id": "r3",
                "phase": "dilemma",
                "title": "Dilemma",
                "prompt": "P",
                "timer_seconds": 60,
                "event": "storm",
            },
            {"id": "r4", "phase": "rank", "title": "Rank", "prompt": "P", "timer_seconds": 60},
            {
                "id": "r5",
                "phase": "decide",
                "title": "Decide",
                "prompt": "P",
                "timer_seconds": 60,
                "budget": 8,
            },
        ],
        "debrief": {
            "questions": ["How did it feel?"],
            "insights": [{"when": {"move_played": "card"}, "text": "The card was played."}],
        },
    }


def tiny_scenario() -> Scenario:
    return Scenario.model_validate(tiny_data())
