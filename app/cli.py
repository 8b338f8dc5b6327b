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


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    demo: Annotated[
        bool, typer.Option(help="Create a workshop on the default scenario and print its links.")
    ] = False,
) -> None:
    """Run the game server (applies database migrations first)."""
    import uvicorn

    from app.logs import configure
    from app.main import create_app
    from app.settings import get_settings

    configure()
    settings = get_settings().model_copy(update={"demo": demo})
    if host:
        settings.host = host
    if port:
        settings.port = port
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        ws_max_size=1024 * 1024,
        proxy_headers=True,
    )


workshop_app = typer.Typer(no_args_is_help=True, help="Workshops on a running server.")
app.add_typer(workshop_app, name="workshop")


@workshop_app.command("create")
def workshop_create(
    url: Annotated[str, typer.Option(help="The server, e.g. http://127.0.0.1:8000")],
    scenario: Annotated[str, typer.Option(help="Scenario id.")] = "school-committee",
    tables: Annotated[int, typer.Option(min=1, max=50)] = 1,
    lang: Annotated[
        str | None, typer.Option(help="da or en (default: the scenario's first)")
    ] = None,
    autostart: Annotated[
        bool, typer.Option(help="Start each table as soon as every role's minimum is seated.")
    ] = False,
    bots: Annotated[bool, typer.Option(help="Fill empty seats with bots at the start.")] = False,
    numbers: Annotated[bool, typer.Option(help="Players see score numbers.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Create a workshop and print the facilitator link, token and join codes."""
    import asyncio

    from app.client import create_workshop

    body = {
        "scenario": scenario,
        "tables": tables,
        "language": lang,
        "autostart": autostart,
        "bots": bots,
        "show_numbers": numbers,
    }
    created = asyncio.run(create_workshop(url, body))
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "workshop_id": created["workshop_id"],
                    "facilitator_token": created["facilitator_token"],
                    "facilitator_url": created["facilitator_url"],
                    "tables": [
                        {"code": t["code"], "number": t["number"], "join_url": t["join_url"]}
                        for t in created["tables"]
                    ],
                }
            )
        )
        return
    typer.echo(f"Facilitator: {created['facilitator_url']}")
    typer.echo(f"Token: {created['facilitator_token']}")
    for table in created["tables"]:
        typer.echo(f"Table {table['number']}: {table['code']}  {table['join_url']}")


@app.command("bots")
def bots_command(
    url: Annotated[str, typer.Option(help="The server, e.g. http://127.0.0.1:8000")],
    code: Annotated[str, typer.Option(help="The table's join code.")],
    seats: Annotated[int, typer.Option(min=1, max=12, help="How many bots join.")] = 1,
    think: Annotated[float, typer.Option(min=0, max=60, help="Seconds before each intent.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed for the bots' choices.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object at the end.")] = False,
) -> None:
    """Bots join a table over the websocket protocol and play until the game ends."""
    import asyncio

    from app.client import run_bots

    try:
        results = asyncio.run(run_bots(url, code, seats, think=think, seed=seed))
    except RuntimeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    last = max(results, key=lambda r: r.last_seq)
    if as_json:
        typer.echo(
            json.dumps({"scores": last.scores, "last_seq": last.last_seq, "digest": last.digest})
        )
    else:
        typer.echo(f"game over at seq {last.last_seq}; scores {last.scores}; digest {last.digest}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def main() -> None:
    app()
