"""The `policymaker` command line. Thin: the work happens in the modules it calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.engine.bots import BOT_STYLES
from app.engine.simulate import format_summary, simulate, summary_to_dict
from app.scenarios import load_scenario
from app.scenarios.schema import schema_text

app = typer.Typer(no_args_is_help=True, help="Policy Maker: a co-creation learning game.")
scenario_app = typer.Typer(no_args_is_help=True, help="Work with scenario files.")
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.")],
) -> None:
    """Check scenario files; print every problem as FILE:LINE:COLUMN: message."""
    failed = False
    for path in files:
        result = load_scenario(path)
        for problem in result.problems:
            typer.echo(str(problem))
        warnings = _count(len(result.warnings), "warning")
        if result.ok:
            typer.echo(f"{path}: ok ({warnings})")
        else:
            failed = True
            typer.echo(f"{path}: invalid ({_count(len(result.errors), 'error')}, {warnings})")
    raise typer.Exit(1 if failed else 0)


@scenario_app.command("schema")
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files."""
    if output is None:
        typer.echo(schema_text(), nl=False)
    else:
        output.write_text(schema_text(), encoding="utf-8")


@scenario_app.command("simulate")
def simulate_command(
    file: Annotated[Path, typer.Argument(help="The scenario to play.")],
    games: Annotated[int, typer.Option(min=1, max=100_000, help="How many games.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed: the same seed plays the same games.")] = 1,
    chair_style: Annotated[
        str, typer.Option(help="The chair bot's leadership style: " + ", ".join(BOT_STYLES))
    ] = "mixed",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Bots play whole games; print the score spread and the content nobody chose."""
    if chair_style not in BOT_STYLES:
        typer.echo(f"unknown style {chair_style!r}; choose one of {', '.join(BOT_STYLES)}")
        raise typer.Exit(2)
    result = load_scenario(file)
    if result.scenario is None:
        for problem in result.errors:
            typer.echo(str(problem))
        raise typer.Exit(1)
    summary = simulate(result.scenario, games, seed, chair_style)
    if as_json:
        typer.echo(json.dumps(summary_to_dict(summary)))
    else:
        typer.echo(format_summary(summary))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def main() -> None:
    app()
