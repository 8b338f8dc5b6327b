"""Scenario files: the models of the contract, loading with located problems, the schema."""

from app.scenarios.loader import (
    LoadResult,
    load_scenario,
    load_scenario_or_raise,
    load_scenario_text,
)
from app.scenarios.models import Scenario, localize
from app.scenarios.problems import Problem, ScenarioError

__all__ = [
    "LoadResult",
    "Problem",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "load_scenario_or_raise",
    "load_scenario_text",
    "localize",
]
