"""The `policymaker` command line. Thin: the work happens in the modules it calls."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Coroutine, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from app.engine.bots import BOT_STYLES
from app.engine.simulate import format_summary, simulate, summary_to_dict
from app.i18n import LANGUAGES, chosen_language, cli_language, tr
from app.scenarios import load_scenario
from app.scenarios.schema import schema_text

if TYPE_CHECKING:
    from app.scenarios.models import Scenario
    from app.store.records import StoredWorkshop

app = typer.Typer(no_args_is_help=True, help="Policy Maker: a co-creation learning game.")

# The language of a command's messages (and of the report it writes).
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of the messages, da or en (default: the locale's, from LC_ALL, "
        "LC_MESSAGES or LANG, else en).",
    ),
]


def language(option: str | None) -> str:
    """The messages' language: --lang, else the environment's locale, else English. An
    unsupported --lang is refused, so a typo does not silently switch language."""
    if option is not None and chosen_language(option) != option.strip().lower():
        typer.echo(
            tr(
                cli_language(None),
                "error: unknown language '{lang}'; choose one of {choices}",
                lang=option,
                choices=", ".join(LANGUAGES),
            ),
            err=True,
        )
        raise typer.Exit(2)
    return cli_language(option)


scenario_app = typer.Typer(no_args_is_help=True, help="Work with scenario files.")
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.")],
    lang: LangOption = None,
) -> None:
    """Check scenario files; print every problem as FILE:LINE:COLUMN: message."""
    chosen = language(lang)
    failed = False
    for path in files:
        result = load_scenario(path, chosen)
        for problem in result.problems:
            typer.echo(str(problem))
        warnings = _warnings(chosen, len(result.warnings))
        if result.ok:
            typer.echo(tr(chosen, "{file}: ok ({warnings})", file=str(path), warnings=warnings))
        else:
            failed = True
            errors = _errors(chosen, len(result.errors))
            typer.echo(
                tr(
                    chosen,
                    "{file}: invalid ({errors}, {warnings})",
                    file=str(path),
                    errors=errors,
                    warnings=warnings,
                )
            )
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
    lang: LangOption = None,
) -> None:
    """Bots play whole games; print the score spread and the content nobody chose."""
    chosen = language(lang)
    if chair_style not in BOT_STYLES:
        typer.echo(
            tr(
                chosen,
                "unknown style '{style}'; choose one of {choices}",
                style=chair_style,
                choices=", ".join(BOT_STYLES),
            )
        )
        raise typer.Exit(2)
    result = load_scenario(file, chosen)
    if result.scenario is None:
        for problem in result.errors:
            typer.echo(str(problem))
        raise typer.Exit(1)
    summary = simulate(result.scenario, games, seed, chair_style)
    if as_json:
        typer.echo(json.dumps(summary_to_dict(summary)))
    else:
        typer.echo(format_summary(summary))


@scenario_app.command("new")
def new_scenario(
    scenario_id: Annotated[str, typer.Argument(help="The new scenario's id, e.g. elder-care.")],
    lang: Annotated[
        str, typer.Option("--lang", help="Languages, the default first: da,en or en or da.")
    ] = "da,en",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file to write (default: ID.yaml).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the file if it exists.")] = False,
) -> None:
    """Write a small, valid, commented starter scenario to edit into a new case."""
    from app.scenarios.starter import parse_languages, write_starter

    # --lang here names the case's languages; the messages follow the locale.
    chosen = cli_language(None)
    path = output or Path(f"{scenario_id}.yaml")
    try:
        write_starter(path, scenario_id, parse_languages(lang), force=force)
    except (ValueError, FileExistsError) as exc:
        typer.echo(tr(chosen, "error: {reason}", reason=str(exc)), err=True)
        raise typer.Exit(2) from exc
    typer.echo(tr(chosen, "wrote {file}", file=str(path)))
    typer.echo(
        tr(chosen, "next: edit it, then `policymaker scenario check {file}`", file=str(path))
    )


@scenario_app.command("check")
def check_scenario(
    file: Annotated[Path, typer.Argument(help="The scenario to check.")],
    games: Annotated[
        int,
        typer.Option(min=10, max=100_000, help="Games per chair style (the same games for each)."),
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed: the same seed plays the same games.")] = 1,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as an HTML page.")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of the messages and the report, da or en (default: the locale's, "
            "from LC_ALL, LC_MESSAGES or LANG, else en); the case's texts in it if it has it.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Validate a scenario, then report its balance from simulated bot games."""
    from app.authoring import balance

    chosen = language(lang)
    result = load_scenario(file, chosen)
    if not as_json:
        for problem in result.problems:
            typer.echo(str(problem))
    if result.scenario is None or result.errors:
        if as_json:
            typer.echo(json.dumps({"ok": False, "errors": [str(p) for p in result.errors]}))
        else:
            errors = _errors(chosen, len(result.errors))
            typer.echo(
                tr(chosen, "{file}: invalid ({errors}); no report", file=str(file), errors=errors)
            )
        raise typer.Exit(1)
    text = file.read_text(encoding="utf-8-sig")
    runs = balance.run_all(result.scenario, games, seed)
    # The case's texts in --lang if it was given, else in the case's first language.
    content = chosen if lang is not None else None
    report = balance.build_report(result.scenario, runs, result, text, str(file), seed, content)
    if as_json:
        typer.echo(json.dumps({"ok": True, **balance.report_to_dict(report, chosen)}))
    else:
        typer.echo(balance.format_report(report, chosen))
    if html is not None:
        html.write_text(balance.render_html(report, chosen), encoding="utf-8")
        if not as_json:
            typer.echo(tr(chosen, "wrote {file}", file=str(html)))


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

    from app.collector import PacedCollector
    from app.logs import configure
    from app.main import create_app
    from app.settings import get_settings
    from app.web.protocols import UVICORN_OPTIONS

    configure()
    settings = get_settings().model_copy(update={"demo": demo})
    if host:
        settings.host = host
    elif demo and "host" not in settings.model_fields_set:
        # `make run` is a workshop: the phones at the tables must reach it, so it listens on
        # the machine's network. A plain `serve` keeps 127.0.0.1 (set HOST or --host to
        # open it): a server started for a try-out or behind a proxy is not put on a café's
        # wifi by surprise.
        settings.host = "0.0.0.0"
    if port:
        settings.port = port
    # Collections by the clock, not by allocation counts (app/collector.py): under load
    # the counted ones stopped every table for 50 to 650 ms.
    collector = PacedCollector()
    collector.start()
    try:
        uvicorn.run(
            create_app(settings, announce=True),
            host=settings.host,
            port=settings.port,
            log_level="info",
            proxy_headers=True,
            **UVICORN_OPTIONS,  # a closed connection freed at once (app/web/protocols.py)
        )
    finally:
        collector.stop()


T = TypeVar("T")

# Said in the --help of every command that speaks to a server, and in the README.
SERVER_EXIT_CODES = (
    "Exit codes: 0 done; 2 the server refused the request (its reason is printed); "
    "3 the server could not be reached or failed."
)


def _against_server(url: str, work: Coroutine[Any, Any, T], lang: str) -> T:
    """Run one command's work against a server; any failure is one line and an exit code."""
    import asyncio

    with _server_failures(url, lang):
        return asyncio.run(work)


@contextlib.contextmanager
def _server_failures(url: str, lang: str) -> Iterator[None]:
    """The one place the commands share, so none of them ends in a traceback: the server's
    own reason (or why it could not be reached) on stderr, then SERVER_EXIT_CODES' code.
    """
    import websockets

    from app.client import ServerError

    try:
        yield
    except KeyboardInterrupt:
        # Ctrl-C: what the command held (bots' seats, an embedded server) is given back
        # on the way here; a line says so instead of a traceback.
        typer.echo(tr(lang, "stopped"), err=True)
        raise typer.Exit(130) from None
    except ServerError as exc:
        typer.echo(tr(lang, "error: {reason}", reason=exc.render(lang)), err=True)
        raise typer.Exit(exc.exit_code) from exc
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        # The websocket, after the bots' reconnects gave up: the server went away.
        why = " ".join(str(exc).split()) or type(exc).__name__
        reason = tr(lang, "cannot reach {url}: {why}", url=url, why=why)
        typer.echo(tr(lang, "error: {reason}", reason=reason), err=True)
        raise typer.Exit(3) from exc


workshop_app = typer.Typer(
    no_args_is_help=True, help="Workshops on a running server. " + SERVER_EXIT_CODES
)
app.add_typer(workshop_app, name="workshop")


def _scenario_file(path: Path, lang: str) -> tuple[Scenario, str]:
    """A scenario file checked here, before any server sees it: its problems are printed
    located (FILE:LINE:COLUMN) and a file with errors exits 2."""
    result = load_scenario(path, lang)
    for problem in result.problems:
        typer.echo(str(problem), err=True)
    if result.scenario is None or result.errors:
        errors = _errors(lang, len(result.errors))
        typer.echo(tr(lang, "{file}: invalid ({errors})", file=str(path), errors=errors), err=True)
        raise typer.Exit(2)
    return result.scenario, path.read_text(encoding="utf-8-sig")


@workshop_app.command("create")
def workshop_create(
    url: Annotated[str, typer.Option(help="The server, e.g. http://127.0.0.1:8000")],
    scenario: Annotated[str, typer.Option(help="Scenario id.")] = "school-committee",
    file: Annotated[
        Path | None,
        typer.Option(
            help="A scenario file to play instead of --scenario: checked here first (its "
            "errors located, exit 2), then sent with the workshop, as the console's upload does."
        ),
    ] = None,
    tables: Annotated[int, typer.Option(min=1, max=50)] = 1,
    lang: Annotated[
        str | None,
        typer.Option(
            help="The workshop's language, da or en (default: the scenario's first); "
            "also the language of these messages (default: the locale's, else en)."
        ),
    ] = None,
    autostart: Annotated[
        bool, typer.Option(help="Start each table as soon as every role's minimum is seated.")
    ] = False,
    bots: Annotated[bool, typer.Option(help="Fill empty seats with bots at the start.")] = False,
    numbers: Annotated[bool, typer.Option(help="Players see score numbers.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Create a workshop and print the facilitator link, token and join codes.

    Exit codes: 0 done; 2 the server refused the request (its reason is printed);
    3 the server could not be reached or failed.
    """
    from app.client import create_workshop

    chosen = language(lang)
    text = _scenario_file(file, chosen)[1] if file is not None else None
    body = {
        "scenario": scenario,
        "scenario_text": text,
        "tables": tables,
        "language": lang,
        "autostart": autostart,
        "bots": bots,
        "show_numbers": numbers,
    }
    created = _against_server(url, create_workshop(url, body), chosen)
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
    typer.echo(tr(chosen, "Facilitator: {url}", url=created["facilitator_url"]))
    typer.echo(tr(chosen, "Token: {token}", token=created["facilitator_token"]))
    for table in created["tables"]:
        typer.echo(
            tr(
                chosen,
                "Table {number}: {code}  {url}",
                number=table["number"],
                code=table["code"],
                url=table["join_url"],
            )
        )


@app.command("bots")
def bots_command(
    url: Annotated[
        list[str],
        typer.Option(
            help="The server, e.g. http://127.0.0.1:8000; repeat it to name other instances "
            "the bots move to when theirs fails (they join through the first)."
        ),
    ],
    code: Annotated[str, typer.Option(help="The table's join code.")],
    seats: Annotated[int, typer.Option(min=1, max=12, help="How many bots join.")] = 1,
    think: Annotated[float, typer.Option(min=0, max=60, help="Seconds before each intent.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed for the bots' choices.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object at the end.")] = False,
    events_out: Annotated[
        Path | None,
        typer.Option(help="Write every event record each bot received, in arrival order (JSON)."),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Bots join a table over the websocket protocol and play until the game ends.

    Exit codes: 0 done; 2 the server refused the request (its reason is printed);
    3 the server could not be reached or failed.
    """
    from app.client import BotResult, seat_bots

    chosen = language(lang)

    async def work() -> list[BotResult]:
        # The bots play the seats they got; a seat refused is a line, not the end of all.
        seating = await seat_bots(url[0], code, seats, think=think, seed=seed)
        for reason in seating.refused:
            typer.echo(
                tr(chosen, "seat not taken: {reason}", reason=reason.render(chosen)), err=True
            )
        typer.echo(tr(chosen, "{n} bots seated, playing", n=len(seating.bots)), err=True)
        return await seating.play(fallbacks=tuple(url[1:]), keep_frames=events_out is not None)

    results = _against_server(url[0], work(), chosen)
    if events_out is not None:
        received = {
            r.seat: [
                {"seq": e["seq"], "type": e["type"]}
                for f in r.frames
                if f.get("type") in ("welcome", "update", "events")
                for e in f.get("events", [])
            ]
            for r in results
        }
        events_out.write_text(json.dumps(received))
    last = max(results, key=lambda r: r.last_seq)
    if as_json:
        typer.echo(
            json.dumps({"scores": last.scores, "last_seq": last.last_seq, "digest": last.digest})
        )
    else:
        typer.echo(
            tr(
                chosen,
                "game over at seq {seq}; scores {scores}; digest {digest}",
                seq=last.last_seq,
                scores=str(last.scores),
                digest=str(last.digest),
            )
        )


@app.command("play")
def play_command(
    file: Annotated[Path, typer.Argument(help="The scenario file to play.")],
    bots: Annotated[
        int | None,
        typer.Option(min=1, max=50, help="How many bots play (default: every role's minimum)."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help="Play on this running server instead of an embedded one."),
    ] = None,
    exit_at_end: Annotated[
        bool,
        typer.Option(
            "--exit",
            help="Stop the embedded server once the game is over (its links stop answering).",
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed for the bots' choices.")] = 0,
    lang: Annotated[
        str | None,
        typer.Option(
            help="The table's language, da or en, when the case has it (else its first), and "
            "the language of these messages (default: the locale's, else en)."
        ),
    ] = None,
) -> None:
    """Play a scenario file with bots from start to end; print the scores and the debrief link.

    The file is checked first: its errors are printed as FILE:LINE:COLUMN and nothing
    starts. Without --url an embedded server plays it (on a free local port, over a
    temporary database) and keeps serving, so the links answer, until Ctrl-C; --exit
    stops it at once.

    Exit codes: 0 played; 2 the file has errors, or the server refused a request (its
    reason is printed); 3 the server could not be reached, failed or did not start.
    """
    import asyncio
    import signal

    from app import play

    chosen = language(lang)
    scenario, text = _scenario_file(file, chosen)
    least, most = play.bot_range(scenario)
    count = least if bots is None else bots
    if not least <= count <= most:
        typer.echo(
            tr(
                chosen,
                "error: --bots must be from {least} to {most} for this case (its roles need "
                "{least} players and seat at most {most})",
                least=least,
                most=most,
            ),
            err=True,
        )
        raise typer.Exit(2)
    with _server_failures(url or "the embedded server", chosen), contextlib.ExitStack() as on:
        base = url or on.enter_context(play.embedded_server())
        typer.echo(
            tr(chosen, "playing {file} with {n} bots on {url}", file=str(file), n=count, url=base)
        )
        played = asyncio.run(play.play(base, text, scenario, count, chosen, seed))
        for reason in played.refused:
            typer.echo(tr(chosen, "seat not taken: {reason}", reason=reason), err=True)
        typer.echo(play.scores_line(played))
        typer.echo(tr(chosen, "Debrief: {url}", url=played.debrief_url))
        typer.echo(tr(chosen, "Facilitator: {url}", url=played.facilitator_url))
        if url is None and not exit_at_end:
            typer.echo(tr(chosen, "The server keeps serving these links; press Ctrl-C to stop it."))
            # A SIGTERM stops it the same way, so the embedded server never outlives us.
            signal.signal(signal.SIGTERM, signal.default_int_handler)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    signal.pause()


@app.command("bench")
def bench_command(
    url: Annotated[
        str | None,
        typer.Option(help="A running server on this machine, e.g. http://127.0.0.1:8000"),
    ] = None,
    spawn_server: Annotated[
        bool,
        typer.Option(
            "--spawn-server", help="Start a server of its own (fresh SQLite), stop it after."
        ),
    ] = False,
    baseline: Annotated[
        bool, typer.Option("--baseline", help="Drive the bare FastAPI relay (bench/baseline.py).")
    ] = False,
    compare: Annotated[
        bool,
        typer.Option("--compare", help="Also run the relay with the same load; give ratios."),
    ] = False,
    tables: Annotated[int, typer.Option(min=1, max=2000)] = 10,
    players: Annotated[int, typer.Option(min=1, max=9, help="Bot players per table.")] = 6,
    interval: Annotated[
        float, typer.Option(min=0.05, max=60, help="Seconds between one player's intents.")
    ] = 2.0,
    duration: Annotated[float, typer.Option(min=1, max=3600, help="Seconds measured.")] = 60.0,
    pid: Annotated[
        int | None, typer.Option(help="With --url: the server's process id, for RSS and CPU.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for pacing and the bots' choices.")] = 1,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=8, help="Load processes sharing the tables (one saturates near 1200)."
        ),
    ] = 1,
    pin: Annotated[
        bool,
        typer.Option("--pin", help="Server on one CPU, the load on the others (needs 2+ CPUs)."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Load a server with bot players over the websocket protocol; report latency and more."""
    from app import bench

    chosen = cli_language(None)
    if (url is None) == (not spawn_server):
        typer.echo(tr(chosen, "give either --url or --spawn-server"), err=True)
        raise typer.Exit(2)
    if compare and not spawn_server:
        typer.echo(tr(chosen, "--compare needs --spawn-server"), err=True)
        raise typer.Exit(2)
    shape = bench.LoadShape(tables, players, interval, duration, seed, workers)
    try:
        report = bench.run(shape, url, spawn_server, baseline, pid, pin)
        if compare:
            relay = bench.run(shape, None, True, True, pin=pin)
            report = {**report, "baseline": relay, "ratio": bench.compare(report, relay)}
    except (ValueError, RuntimeError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(report))
        return
    typer.echo(bench.format_report(report))
    if compare:
        typer.echo(bench.format_report(report["baseline"]))
        typer.echo("  ratio game/relay: " + json.dumps(report["ratio"]))


@app.command("purge")
def purge_command(
    older_than: Annotated[
        float,
        typer.Option(
            "--older-than",
            min=0,
            metavar="DAYS",
            help="Remove every workshop created more than DAYS days ago.",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be removed; remove nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    lang: LangOption = None,
) -> None:
    """Remove old workshops with their tables, seats and event logs (DATABASE_URL).

    For workshops long over. A purged game still running on a server ends at its next
    intent, which the log refuses; DELETE /api/workshops/ID closes a live one at once.
    """
    import asyncio

    from app.settings import get_settings

    chosen = language(lang)
    cutoff, listed, removed = asyncio.run(_purge(get_settings().database_url, older_than, dry_run))
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "cutoff": cutoff.isoformat(),
                    "dry_run": dry_run,
                    "removed": removed,
                    "workshops": [
                        {
                            "workshop_id": w.id,
                            "created_at": w.created_at.isoformat(),
                            "scenario": w.scenario_id,
                            "title": w.title,
                            "tables": tables,
                        }
                        for w, tables in listed
                    ],
                }
            )
        )
        return
    for workshop, tables in listed:
        about = {
            "id": workshop.id,
            "title": f" {workshop.title!r}" if workshop.title else "",
            "scenario": workshop.scenario_id,
            "created": f"{workshop.created_at:%Y-%m-%d %H:%M}",
            "tables": _tables(chosen, tables),
        }
        if dry_run:
            line = tr(
                chosen,
                "would remove workshop {id}{title} ({scenario}, created {created} UTC, {tables})",
                **about,
            )
        else:
            line = tr(
                chosen,
                "removed workshop {id}{title} ({scenario}, created {created} UTC, {tables})",
                **about,
            )
        typer.echo(line)
    when = {"workshops": _workshops(chosen, removed), "cutoff": f"{cutoff:%Y-%m-%d %H:%M}"}
    if dry_run:
        typer.echo(tr(chosen, "would remove {workshops} created before {cutoff} UTC", **when))
    else:
        typer.echo(tr(chosen, "removed {workshops} created before {cutoff} UTC", **when))


async def _purge(
    url: str, days: float, dry_run: bool
) -> tuple[datetime, list[tuple[StoredWorkshop, int]], int]:
    """(cutoff, the workshops created before it with their table counts, how many removed)."""
    from datetime import timedelta

    from app.store import repo
    from app.store.db import make_engine
    from app.store.migrate import upgrade
    from app.store.tables import utcnow

    await upgrade(url)  # a database that was never served has no tables yet
    engine = make_engine(url)
    try:
        now = utcnow()
        cutoff = now - timedelta(days=days)
        old = await repo.workshops_created_before(engine, cutoff)
        listed = [(w, len(await repo.list_tables(engine, w.id))) for w in old]
        # The same `now`: exactly the workshops listed (unless one went meanwhile).
        removed = len(old) if dry_run else await repo.purge_older_than(engine, days, now=now)
    finally:
        await engine.dispose()
    return cutoff, listed, removed


# Counted nouns: one msgid for one and one for more, which Danish and English both need.
def _errors(lang: str, n: int) -> str:
    return tr(lang, "{n} error", n=n) if n == 1 else tr(lang, "{n} errors", n=n)


def _warnings(lang: str, n: int) -> str:
    return tr(lang, "{n} warning", n=n) if n == 1 else tr(lang, "{n} warnings", n=n)


def _tables(lang: str, n: int) -> str:
    return tr(lang, "{n} table", n=n) if n == 1 else tr(lang, "{n} tables", n=n)


def _workshops(lang: str, n: int) -> str:
    return tr(lang, "{n} workshop", n=n) if n == 1 else tr(lang, "{n} workshops", n=n)


def main() -> None:
    app()
