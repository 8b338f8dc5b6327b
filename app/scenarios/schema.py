"""The published JSON Schema of scenario files, generated from the models.

Editors use it for completion and inline errors; `policymaker scenario validate` remains
the full check (references, languages, seats), which a JSON Schema cannot express.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.bundled import SCENARIO_SCHEMA
from app.scenarios.models import FORMAT, Scenario

SCHEMA_ID = "https://policymaker.example/schemas/scenario-1.schema.json"
SCHEMA_PATH = SCENARIO_SCHEMA


def scenario_json_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": f"Policy Maker scenario ({FORMAT})",
    }


def schema_text() -> str:
    """The schema as committed: pretty, sorted keys, one trailing newline."""
    return json.dumps(scenario_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(schema_text(), encoding="utf-8")
    return path
